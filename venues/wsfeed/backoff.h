/*  venues/wsfeed/backoff.h: capped exponential backoff with jitter, for
    reconnecting a venue feed.

    After the k-th failure in a row (k = 0, 1, ...) the base delay is
    min(max, initial * 2^k); the delay used is drawn uniformly from
    (base * (1 - jitter), base], so it never exceeds the cap and many
    clients that lost the same server do not come back in step. The draw
    comes from a seeded splitmix64 stream, so a test with a fixed seed gets
    fixed delays. Pure logic; used by the wsfeed client's thread. */
#ifndef TT_WSFEED_BACKOFF_H
#define TT_WSFEED_BACKOFF_H

#include <stdint.h>

#include "marketdata/types.h"

typedef struct {
    tt_ns_t initial_ns; /* delay after the first failure, before jitter */
    tt_ns_t max_ns;     /* cap on the delay */
    double jitter;      /* 0 .. 1: fraction of the base that may be cut */
    uint64_t rng;       /* splitmix64 state */
    uint32_t failures;  /* failures in a row so far */
} tt_backoff_t;

/* Returns 0, or -1 when INITIAL_NS <= 0, MAX_NS < INITIAL_NS or JITTER is
   outside 0 .. 1. */
int tt_backoff_init(tt_backoff_t *self, tt_ns_t initial_ns, tt_ns_t max_ns,
                    double jitter, uint64_t seed);

/* The base (unjittered) delay after FAILURES earlier failures in a row. */
tt_ns_t tt_backoff_base(const tt_backoff_t *self, uint32_t failures);

/* Records one more failure and returns the delay to wait before the next
   attempt (>= 1 ns, <= max_ns). */
tt_ns_t tt_backoff_next(tt_backoff_t *self);

/* A success: the next failure starts again from INITIAL_NS. */
void tt_backoff_reset(tt_backoff_t *self);

#endif
