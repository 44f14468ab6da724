/*  venues/sim/simmarket.h: the simulated market, the default venue a new
    user runs on.

    Each symbol follows a geometric random walk (annualised drift and
    volatility scaled to the time between trades) with occasional jumps;
    trades arrive with exponential inter-arrival times, print at the bid or
    the ask of a configurable spread, and have log-normal sizes rounded to
    the lot. Every symbol draws from its own stream derived from (seed,
    symbol name), so adding a symbol never changes another symbol's ticks.
    tt_simmarket_next() merges all symbols in event-time order up to a time
    the caller passes in (invariant 8: the sim never reads a clock).

    Pure logic, no allocation per tick; run by the sim venue's feed actor or
    by the tickserver. The model and its parameters are described in
    docs/DATA.md. */
#ifndef TT_SIM_SIMMARKET_H
#define TT_SIM_SIMMARKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"

#define TT_SIM_NAME_MAX 32 /* symbol name bytes including the NUL */

/* The price and trade model of one symbol. */
typedef struct {
    double tick_rate_hz;       /* mean trades per second of open time */
    double drift;              /* annualised drift of the log price */
    double volatility;         /* annualised volatility of the log price */
    double spread_bps;         /* bid/ask spread, basis points of the mid */
    double jump_rate_per_hour; /* mean jumps per hour of open time */
    double jump_bps;           /* mean absolute jump size, basis points */
    double mean_size;          /* mean trade size, quantity units */
    double size_sigma;         /* log-normal shape of trade sizes */
    double year_seconds;       /* open seconds in one year (annualisation) */
} tt_sim_model_t;

/* Trading calendar hook: is the market open at T? */
typedef bool(tt_sim_is_open_fn)(void *arg, tt_ns_t t);
/* Optional: the first open instant at or after T (lets the sim skip a
   closed night in one step instead of drawing through it). */
typedef tt_ns_t(tt_sim_next_open_fn)(void *arg, tt_ns_t t);

typedef struct {
    uint64_t seed;                  /* master seed */
    double start_price;             /* default start price, price units */
    tt_sim_model_t model;           /* model of every symbol by default */
    tt_sim_is_open_fn *is_open;     /* NULL: always open */
    tt_sim_next_open_fn *next_open; /* NULL: draw through closed time */
    void *calendar_arg;             /* passed to both hooks */
} tt_sim_params_t;

/* One simulated trade. */
typedef struct {
    tt_tick_t tick;  /* ts, price, size, trade id (1, 2, ... per symbol) */
    uint32_t symbol; /* index returned by tt_simmarket_add */
    int32_t side;    /* +1: buyer took the ask, -1: seller hit the bid */
    tt_px_t bid;     /* quote the trade printed against */
    tt_px_t ask;
} tt_sim_tick_t;

typedef struct tt_simmarket_t tt_simmarket_t;

/* Fills PARAMS with the documented defaults (see docs/DATA.md). */
void tt_sim_params_default(tt_sim_params_t *params);

/* NULL when MODEL is valid, else a static message naming the field. */
const char *tt_sim_model_check(const tt_sim_model_t *model);

/* A market whose clock starts at START (no tick at or before START). The
   params are copied. Returns NULL if they are invalid. */
tt_simmarket_t *tt_simmarket_new(const tt_sim_params_t *params, tt_ns_t start);

/* Frees the market; accepts NULL and nulls the caller's pointer. */
void tt_simmarket_destroy(tt_simmarket_t **self_p);

/* Adds symbol NAME with the market's default model. START_PRICE is scaled
   by the instrument; <= 0 means params.start_price. The symbol's clock
   starts at the market's current time. Returns the symbol's index (0, 1,
   ...) or -1 (invalid or duplicate name, invalid instrument). */
int tt_simmarket_add(tt_simmarket_t *self, const char *name,
                     const tt_instrument_t *instrument, tt_px_t start_price);

/* Same with a model of its own for this symbol. */
int tt_simmarket_add_model(tt_simmarket_t *self, const char *name,
                           const tt_instrument_t *instrument,
                           tt_px_t start_price, const tt_sim_model_t *model);

/* Writes up to CAP ticks with ts <= UNTIL into OUT, in event-time order
   across symbols (ties: lower symbol index first). Returns the count; a
   count of CAP means more ticks may be due, so call again. */
size_t tt_simmarket_next(tt_simmarket_t *self, tt_ns_t until,
                         tt_sim_tick_t *out, size_t cap);

size_t tt_simmarket_symbol_count(const tt_simmarket_t *self);

/* Name of symbol INDEX, or NULL. */
const char *tt_simmarket_symbol_name(const tt_simmarket_t *self, size_t index);

/* Index of symbol NAME, or -1. */
int tt_simmarket_find(const tt_simmarket_t *self, const char *name);

/* Number of jumps applied so far to symbol INDEX. */
uint64_t tt_simmarket_jumps(const tt_simmarket_t *self, size_t index);

#endif
