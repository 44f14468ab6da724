/*  indicators/window.c: the slow paths of the sliding sum / variance ring
    and of the sliding high/low range (the hot pushes are inline in
    window.h). Pure logic, run on the indicator actor's worker thread. */
#include "indicators/window.h"

#include <assert.h>

uint32_t tt_win_init(tt_win_t *w, uint32_t off, uint32_t n)
{
    assert(n >= 1);
    *w = (tt_win_t){.off = off, .n = n, .inv_n = 1.0 / n};
    w->left = tt_win_resync_every(n);
    return n;
}

/* Exact recomputation of sum (and m2 when WITH_VAR) from the ring. */
void tt_win_resync(tt_win_t *w, const double *ws, bool with_var)
{
    const double *r = ws + w->off;
    double sum = 0.0;
    for (uint32_t i = 0; i < w->n; i++)
        sum += r[i];
    w->sum = sum;
    w->left = tt_win_resync_every(w->n);
    if (!with_var)
        return;
    double mean = sum / w->n, m2 = 0.0;
    for (uint32_t i = 0; i < w->n; i++)
        m2 += (r[i] - mean) * (r[i] - mean);
    w->m2 = m2;
}

uint32_t tt_range_init(tt_range_t *r, uint32_t off, uint32_t n)
{
    assert(n >= 1);
    *r = (tt_range_t){.off = off, .n = n};
    return 4 * n;
}

/* Block complete: its suffix extremes serve the next N windows. */
void tt_range_suffixes(tt_range_t *r, double *ws)
{
    double *base = ws + r->off;
    const double *hi = base, *lo = base + r->n;
    double *shi = base + 2 * r->n, *slo = base + 3 * r->n;
    double h = hi[r->n - 1], l = lo[r->n - 1];
    for (uint32_t j = r->n; j-- > 0;) {
        h = hi[j] > h ? hi[j] : h;
        l = lo[j] < l ? lo[j] : l;
        shi[j] = h;
        slo[j] = l;
    }
}
