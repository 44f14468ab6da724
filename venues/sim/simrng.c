/*  venues/sim/simrng.c: splitmix64, xoshiro256** and the variates built on
    them (see simrng.h). */
#include "venues/sim/simrng.h"

#include <math.h>

uint64_t tt_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void tt_simrng_seed(tt_simrng_t *self, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        self->s[i] = tt_splitmix64(&sm);
    /* Four consecutive splitmix64 outputs are practically never all zero;
       the guard keeps the xoshiro requirement explicit anyway. */
    if ((self->s[0] | self->s[1] | self->s[2] | self->s[3]) == 0)
        self->s[0] = 1;
    self->spare = 0.0;
    self->has_spare = false;
}

uint64_t tt_simrng_stream_seed(uint64_t seed, const char *name)
{
    /* FNV-1a over the name, then one splitmix64 round over seed ^ hash so
       that nearby seeds and similar names still give unrelated streams. */
    uint64_t hash = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        hash ^= *p;
        hash *= UINT64_C(0x100000001b3);
    }
    uint64_t mix = seed ^ hash;
    return tt_splitmix64(&mix);
}

static uint64_t s_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t tt_simrng_next(tt_simrng_t *self)
{
    uint64_t *s = self->s;
    uint64_t result = s_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s_rotl(s[3], 45);
    return result;
}

double tt_simrng_uniform(tt_simrng_t *self)
{
    /* 53 random bits, offset by half a step: (k + 0.5) / 2^53 is exact in a
       double and lies strictly inside (0, 1). */
    uint64_t k = tt_simrng_next(self) >> 11;
    return ((double)k + 0.5) * (1.0 / 9007199254740992.0);
}

double tt_simrng_exponential(tt_simrng_t *self)
{
    return -log(tt_simrng_uniform(self));
}

double tt_simrng_normal(tt_simrng_t *self)
{
    if (self->has_spare) {
        self->has_spare = false;
        return self->spare;
    }
    double u, v, r2;
    do {
        u = 2.0 * tt_simrng_uniform(self) - 1.0;
        v = 2.0 * tt_simrng_uniform(self) - 1.0;
        r2 = u * u + v * v;
    } while (r2 >= 1.0 || r2 == 0.0);
    double scale = sqrt(-2.0 * log(r2) / r2);
    self->spare = v * scale;
    self->has_spare = true;
    return u * scale;
}
