/*  indicators/window.h: the two sliding-window primitives the indicators
    share, working on a slice of the owning indicator's double workspace
    (one allocation per indicator, addressed by offset so the whole
    indicator is plain bytes for snapshots).

    tt_win_t keeps the sum of the last N values, recomputed exactly from
    the window each time its ring wraps (every N pushes), so rounding drift
    cannot build up over a long-running process; amortised O(1).
    tt_mono_t is a monotonic deque giving the maximum of the last N values
    in amortised O(1) (push -x for a minimum). */
#ifndef TT_INDICATORS_WINDOW_H
#define TT_INDICATORS_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint32_t off;   /* first double of the ring in the workspace */
    uint32_t n;     /* window length */
    uint32_t head;  /* next slot to write */
    uint32_t count; /* values held, <= n */
    double sum;
    double m2;    /* sum of squared deviations, kept only by tt_win_push_var */
    double last;  /* latest value */
    uint32_t run; /* how many of the latest values equal `last` */
} tt_win_t;

/* Returns the workspace doubles the window uses: N. */
uint32_t tt_win_init(tt_win_t *w, uint32_t off, uint32_t n);
/* Adds X, dropping the oldest value once the window is full. */
void tt_win_push(tt_win_t *w, double *ws, double x);
/* Same, also keeping m2 (sliding Welford update, exact two-pass
   recomputation at every wrap). m2 is valid once the window is full. */
void tt_win_push_var(tt_win_t *w, double *ws, double x);

static inline bool tt_win_full(const tt_win_t *w)
{
    return w->count == w->n;
}

static inline double tt_win_mean(const tt_win_t *w)
{
    return w->sum / w->n;
}

/* Whether every value in the full window is the same one. A flat window
   has a variance of exactly 0, which the sliding update can only
   approach (and a square root turns a 1e-14 residue into 1e-7). */
static inline bool tt_win_flat(const tt_win_t *w)
{
    return w->run >= w->n;
}

typedef struct {
    uint32_t off;  /* entries are (value, seq) pairs of doubles */
    uint32_t n;    /* window length (and ring capacity in entries) */
    uint32_t head; /* front entry */
    uint32_t len;  /* entries held */
    uint64_t seq;  /* values pushed so far */
} tt_mono_t;

/* Returns the workspace doubles the deque uses: 2 N. */
uint32_t tt_mono_init(tt_mono_t *m, uint32_t off, uint32_t n);
void tt_mono_push(tt_mono_t *m, double *ws, double x);
/* The maximum of the last N values pushed (at least one push first). */
double tt_mono_max(const tt_mono_t *m, const double *ws);

#endif
