/*  venues/sim/simrng.h: the simulated market's own pseudo-random numbers.

    xoshiro256** (Blackman and Vigna) seeded through splitmix64, written here
    from the published algorithm description so the stream never depends on
    the C library's rand(). Uniform, exponential and normal variates are
    derived here too: the normal uses the Marsaglia polar method, which needs
    only log() and sqrt() (no sin/cos), to keep the set of libm functions the
    stream depends on small. See docs/DATA.md for the reproducibility
    assumption. Pure logic; used by whichever thread runs the sim venue. */
#ifndef TT_SIM_SIMRNG_H
#define TT_SIM_SIMRNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];  /* xoshiro256** state, never all zero */
    double spare;   /* second normal of the last polar pair */
    bool has_spare; /* spare is valid */
} tt_simrng_t;

/* One splitmix64 step: advances *STATE and returns the next output. */
uint64_t tt_splitmix64(uint64_t *state);

/* Seeds SELF from SEED (the four state words are splitmix64 outputs). */
void tt_simrng_seed(tt_simrng_t *self, uint64_t seed);

/* A 64-bit seed for one named stream: mixes SEED with the bytes of NAME
   so that each symbol gets an independent stream. */
uint64_t tt_simrng_stream_seed(uint64_t seed, const char *name);

/* Next raw 64-bit output. */
uint64_t tt_simrng_next(tt_simrng_t *self);

/* Uniform in the open interval (0, 1): never 0, never 1. */
double tt_simrng_uniform(tt_simrng_t *self);

/* Exponential with mean 1. */
double tt_simrng_exponential(tt_simrng_t *self);

/* Standard normal (mean 0, variance 1). */
double tt_simrng_normal(tt_simrng_t *self);

#endif
