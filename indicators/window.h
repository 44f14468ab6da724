/*  indicators/window.h: the two sliding-window primitives the indicators
    share, working on a slice of the owning indicator's double workspace
    (one allocation per indicator, addressed by offset so the whole
    indicator is plain bytes for snapshots).

    tt_win_t keeps the sum of the last N values, recomputed exactly from
    the window every max(N, 256) pushes, so rounding drift cannot build up
    over a long-running process; amortised O(1).
    tt_range_t gives the highest high and lowest low of the last N
    candles in amortised O(1). */
#ifndef TT_INDICATORS_WINDOW_H
#define TT_INDICATORS_WINDOW_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint32_t off;   /* first double of the ring in the workspace */
    uint32_t n;     /* window length */
    uint32_t head;  /* next slot to write */
    uint32_t count; /* values held, <= n */
    uint32_t left;  /* pushes until the next exact recomputation */
    double sum;
    double m2;    /* sum of squared deviations, kept only by tt_win_push_var */
    double inv_n; /* 1 / n: a multiply is cheaper than a divide per read */
    double last;  /* latest value */
    uint32_t run; /* how many of the latest values equal `last` (var only) */
} tt_win_t;

/* Returns the workspace doubles the window uses: N. */
uint32_t tt_win_init(tt_win_t *w, uint32_t off, uint32_t n);
/* Exact recomputation of the sum (and m2 when WITH_VAR): the slow path
   of the pushes below. */
void tt_win_resync(tt_win_t *w, const double *ws, bool with_var);

#define TT_WIN_RESYNC_MIN 256u

static inline uint32_t tt_win_resync_every(uint32_t n)
{
    return n > TT_WIN_RESYNC_MIN ? n : TT_WIN_RESYNC_MIN;
}

/* The pushes are inline: they are the whole per-update cost of several
   indicators, and a call per push was measurable. */
static inline void tt_win_push_(tt_win_t *w, double *ws, double x,
                                bool with_var)
{
    double *slot = ws + w->off + w->head;
    bool filled_now = false;
    if (w->count == w->n) {
        double old = *slot;
        double mean_old = w->sum / w->n;
        w->sum += x - old;
        if (with_var)
            w->m2 += (x - old) * (x - w->sum / w->n + old - mean_old);
    } else {
        w->sum += x;
        filled_now = ++w->count == w->n;
    }
    *slot = x;
    w->head = w->head + 1 == w->n ? 0 : w->head + 1;
    /* The first exact recomputation happens as the window fills (m2 is
       only ever built there), later ones every tt_win_resync_every() pushes. */
    if (filled_now || (w->count == w->n && --w->left == 0))
        tt_win_resync(w, ws, with_var);
}

/* Adds X, dropping the oldest value once the window is full. */
static inline void tt_win_push(tt_win_t *w, double *ws, double x)
{
    tt_win_push_(w, ws, x, false);
}

/* Same, also keeping m2 (sliding Welford update, exact two-pass
   recomputation with the sum) and the run of equal values. m2 is valid
   once the window is full. */
static inline void tt_win_push_var(tt_win_t *w, double *ws, double x)
{
    if (w->count > 0 && x == w->last)
        w->run += w->run < UINT32_MAX;
    else
        w->run = 1;
    w->last = x;
    tt_win_push_(w, ws, x, true);
}

static inline bool tt_win_full(const tt_win_t *w)
{
    return w->count == w->n;
}

static inline double tt_win_mean(const tt_win_t *w)
{
    return w->sum * w->inv_n;
}

/* Whether every value in the full window is the same one. A flat window
   has a variance of exactly 0, which the sliding update can only
   approach (and a square root turns a 1e-14 residue into 1e-7). */
static inline bool tt_win_flat(const tt_win_t *w)
{
    return w->run >= w->n;
}

/* Sliding highest high and lowest low by van Herk / Gil-Werman blocks:
   the stream is cut into blocks of N; a window is the tail of the
   previous block (its suffix extremes, computed once when the block
   completes) plus the head of the current one (running extremes).
   Amortised O(1) like a monotonic deque, but without data-dependent
   branches, which is what made the deque miss its cost target on noisy
   prices; and the max and min share one set of bookkeeping. */
typedef struct {
    uint32_t off;  /* 4 arrays of N doubles: hi, lo, suffix hi, suffix lo */
    uint32_t n;    /* window length = block length */
    uint32_t pos;  /* next position in the current block */
    uint64_t seq;  /* values pushed so far */
    double pre_hi; /* highest of the current block so far */
    double pre_lo; /* lowest of the current block so far */
} tt_range_t;

/* Returns the workspace doubles the range uses: 4 N. */
uint32_t tt_range_init(tt_range_t *r, uint32_t off, uint32_t n);
/* Suffix extremes of a completed block: the slow path of the push. */
void tt_range_suffixes(tt_range_t *r, double *ws);

static inline void tt_range_push(tt_range_t *r, double *ws, double high,
                                 double low)
{
    double *hi = ws + r->off, *lo = hi + r->n;
    hi[r->pos] = high;
    lo[r->pos] = low;
    /* Written as selects so the compiler emits max/min, not branches. */
    double h = high > r->pre_hi ? high : r->pre_hi;
    double l = low < r->pre_lo ? low : r->pre_lo;
    r->pre_hi = r->pos == 0 ? high : h;
    r->pre_lo = r->pos == 0 ? low : l;
    r->seq++;
    if (++r->pos < r->n)
        return;
    tt_range_suffixes(r, ws);
    r->pos = 0;
}

/* Highest high and lowest low of the last N pushes (of all of them while
   fewer than N were pushed; at least one push first). */
static inline void tt_range_get(const tt_range_t *r, const double *ws,
                                double *hi, double *lo)
{
    assert(r->seq > 0);
    const double *shi = ws + r->off + 2 * r->n, *slo = shi + r->n;
    if (r->seq < r->n) { /* first block: everything pushed so far */
        *hi = r->pre_hi;
        *lo = r->pre_lo;
    } else if (r->pos == 0) { /* the window is exactly the last block */
        *hi = shi[0];
        *lo = slo[0];
    } else {
        *hi = shi[r->pos] > r->pre_hi ? shi[r->pos] : r->pre_hi;
        *lo = slo[r->pos] < r->pre_lo ? slo[r->pos] : r->pre_lo;
    }
}

#endif
