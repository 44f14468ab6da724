/*  venues/wsfeed/backoff.c: capped exponential backoff (see backoff.h).
    The doubling stops at the cap before it can overflow. */
#include "venues/wsfeed/backoff.h"

#include "venues/sim/simrng.h"

int tt_backoff_init(tt_backoff_t *self, tt_ns_t initial_ns, tt_ns_t max_ns,
                    double jitter, uint64_t seed)
{
    if (initial_ns <= 0 || max_ns < initial_ns || !(jitter >= 0.0) ||
        jitter > 1.0)
        return -1;
    self->initial_ns = initial_ns;
    self->max_ns = max_ns;
    self->jitter = jitter;
    self->rng = seed;
    self->failures = 0;
    return 0;
}

tt_ns_t tt_backoff_base(const tt_backoff_t *self, uint32_t failures)
{
    tt_ns_t d = self->initial_ns;
    for (uint32_t i = 0; i < failures && d < self->max_ns; i++)
        d = d > self->max_ns / 2 ? self->max_ns : d * 2;
    return d < self->max_ns ? d : self->max_ns;
}

tt_ns_t tt_backoff_next(tt_backoff_t *self)
{
    tt_ns_t base = tt_backoff_base(self, self->failures);
    if (self->failures < UINT32_MAX)
        self->failures++;
    /* u in [0, 1) from the top 53 bits. */
    double u = (double)(tt_splitmix64(&self->rng) >> 11) * 0x1.0p-53;
    tt_ns_t cut = (tt_ns_t)((double)base * self->jitter * u);
    tt_ns_t d = base - cut;
    return d >= 1 ? d : 1;
}

void tt_backoff_reset(tt_backoff_t *self)
{
    self->failures = 0;
}
