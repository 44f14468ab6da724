/*  indicators/window.c: sliding sum / variance ring and monotonic deque
    over an indicator's workspace. Pure logic, runs on the indicator
    actor's worker thread. See window.h for why sums are resynchronised. */
#include "indicators/window.h"

#include <assert.h>

uint32_t tt_win_init(tt_win_t *w, uint32_t off, uint32_t n)
{
    assert(n >= 1);
    *w = (tt_win_t){.off = off, .n = n};
    return n;
}

/* Exact recomputation of sum (and m2 when WITH_VAR) from the ring. */
static void s_resync(tt_win_t *w, const double *ws, bool with_var)
{
    const double *r = ws + w->off;
    double sum = 0.0;
    for (uint32_t i = 0; i < w->n; i++)
        sum += r[i];
    w->sum = sum;
    if (!with_var)
        return;
    double mean = sum / w->n, m2 = 0.0;
    for (uint32_t i = 0; i < w->n; i++)
        m2 += (r[i] - mean) * (r[i] - mean);
    w->m2 = m2;
}

static void s_push(tt_win_t *w, double *ws, double x, bool with_var)
{
    double *slot = ws + w->off + w->head;
    if (w->count > 0 && x == w->last) {
        w->run += w->run < UINT32_MAX;
    } else {
        w->run = 1;
    }
    w->last = x;
    if (w->count == w->n) {
        double old = *slot;
        double mean_old = w->sum / w->n;
        w->sum += x - old;
        if (with_var)
            w->m2 += (x - old) * (x - w->sum / w->n + old - mean_old);
    } else {
        w->sum += x;
        w->count++;
    }
    *slot = x;
    if (++w->head == w->n) {
        w->head = 0;
        if (w->count == w->n)
            s_resync(w, ws, with_var);
    }
}

void tt_win_push(tt_win_t *w, double *ws, double x)
{
    s_push(w, ws, x, false);
}

void tt_win_push_var(tt_win_t *w, double *ws, double x)
{
    s_push(w, ws, x, true);
}

uint32_t tt_mono_init(tt_mono_t *m, uint32_t off, uint32_t n)
{
    assert(n >= 1);
    *m = (tt_mono_t){.off = off, .n = n};
    return 2 * n;
}

static double *s_entry(const tt_mono_t *m, double *ws, uint32_t i)
{
    uint32_t k = m->head + i; /* < 2n: one subtraction replaces a modulo */
    if (k >= m->n)
        k -= m->n;
    return ws + m->off + 2 * k;
}

void tt_mono_push(tt_mono_t *m, double *ws, double x)
{
    uint64_t s = m->seq++;
    /* Expire the front first: afterwards at most n-1 entries remain, so
       the append below always fits. */
    while (m->len > 0 && (uint64_t)s_entry(m, ws, 0)[1] + m->n <= s) {
        m->head = m->head + 1 == m->n ? 0 : m->head + 1;
        m->len--;
    }
    /* Values not above X can never be the maximum again. */
    while (m->len > 0 && s_entry(m, ws, m->len - 1)[0] <= x)
        m->len--;
    double *e = s_entry(m, ws, m->len);
    e[0] = x;
    e[1] = (double)s;
    m->len++;
}

double tt_mono_max(const tt_mono_t *m, const double *ws)
{
    assert(m->len > 0);
    return ws[m->off + 2 * m->head];
}
