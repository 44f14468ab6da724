/*  runtime/clock.c: live and manual clocks (see clock.h). */
#include "runtime/clock.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct tt_clock {
    bool manual;
    _Atomic int64_t now_ns; /* manual clocks only */
};

static tt_clock_t *s_new(bool manual, int64_t start_ns)
{
    tt_clock_t *self = calloc(1, sizeof *self);
    assert(self);
    self->manual = manual;
    atomic_init(&self->now_ns, start_ns);
    return self;
}

tt_clock_t *tt_clock_new_live(void)
{
    return s_new(false, 0);
}

tt_clock_t *tt_clock_new_manual(int64_t start_ns)
{
    return s_new(true, start_ns);
}

void tt_clock_destroy(tt_clock_t **self_p)
{
    assert(self_p);
    free(*self_p);
    *self_p = NULL;
}

int64_t tt_clock_now(const tt_clock_t *self)
{
    if (self->manual)
        return atomic_load_explicit(&((tt_clock_t *)self)->now_ns,
                                    memory_order_acquire);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void tt_clock_set(tt_clock_t *self, int64_t now_ns)
{
    assert(self->manual);
    int64_t seen = atomic_load(&self->now_ns);
    while (now_ns > seen &&
           !atomic_compare_exchange_weak(&self->now_ns, &seen, now_ns))
        ;
}

void tt_clock_advance(tt_clock_t *self, int64_t delta_ns)
{
    assert(self->manual && delta_ns >= 0);
    atomic_fetch_add(&self->now_ns, delta_ns);
}

bool tt_clock_is_manual(const tt_clock_t *self)
{
    return self->manual;
}

int64_t tt_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t tt_mono_coarse_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t tt_mono_coarse_res_ns(void)
{
    struct timespec ts;
    if (clock_getres(CLOCK_MONOTONIC_COARSE, &ts) != 0)
        return INT64_MAX;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t tt_process_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
