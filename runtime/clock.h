/*  runtime/clock.h: where time comes from (invariant 8).

    Logic never reads the wall clock: it reads a tt_clock_t. A live clock
    returns real UTC time; a manual clock returns whatever its owner last
    set, so tests and backtests drive time from events and a replay of the
    same input is the same run, byte for byte. A clock is shared read-only
    by the threads that use it; setting a manual clock is atomic. */
#ifndef TT_RUNTIME_CLOCK_H
#define TT_RUNTIME_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct tt_clock tt_clock_t;

/* A clock that reads CLOCK_REALTIME (UTC ns). */
tt_clock_t *tt_clock_new_live(void);

/* A clock that returns START_NS until set otherwise. */
tt_clock_t *tt_clock_new_manual(int64_t start_ns);

void tt_clock_destroy(tt_clock_t **self_p);

/* Current time in UTC nanoseconds. */
int64_t tt_clock_now(const tt_clock_t *self);

/* Sets a manual clock; time never moves backwards (a smaller value is
   ignored). Asserts on a live clock. */
void tt_clock_set(tt_clock_t *self, int64_t now_ns);

/* Advances a manual clock by DELTA_NS. */
void tt_clock_advance(tt_clock_t *self, int64_t delta_ns);

bool tt_clock_is_manual(const tt_clock_t *self);

/* Monotonic nanoseconds, for measuring durations only (watchdog, latency
   figures), never for trading logic. */
int64_t tt_mono_ns(void);

/* The same clock as the kernel last ticked it (CLOCK_MONOTONIC_COARSE):
   a fifth of the cost of tt_mono_ns, never ahead of it and at most
   tt_mono_coarse_res_ns() behind. For stamps read per message whose
   reader only compares them with a much longer bound (a worker's
   watchdog stamp). */
int64_t tt_mono_coarse_ns(void);
int64_t tt_mono_coarse_res_ns(void);

/* CPU time the whole process has used (every thread, user and system),
   nanoseconds: what a run cost, beside its wall time. */
int64_t tt_process_cpu_ns(void);

#endif
