/*  strategies/strategy.h: the strategy behaviour, the one interface every
    strategy implements, seen from the strategy actor (one per symbol,
    hosted on a symbol worker thread). Pure logic: no I/O, no clock, no
    allocation after creation.

    Life of a strategy:
    - tt_strategy_new() finds the named strategy in the registry, validates
      its parameters (every problem is reported, with the parameter's line)
      and resolves defaults;
    - tt_strategy_indicators() lists the indicators it needs; the indicator
      actor builds them and, on every closed candle of a timeframe, sends
      the values of the specs on that timeframe in the listed order;
    - tt_strategy_on_candle() turns a closed candle plus those values into
      zero or more signals (tt_signal_t) written to a caller's array;
    - tt_strategy_on_fill() / tt_strategy_on_timer() keep it informed;
    - tt_strategy_snapshot() / tt_strategy_restore() carry its whole state
      across a restart, so that a restored strategy continues exactly as an
      uninterrupted one would (same inputs, same signals).

    Prices: a strategy is created for one instrument (tt_strategy_ctx_t):
    candle prices and signal prices are scaled int64 with that instrument's
    px_decimals; indicator values are doubles in price units and are scaled
    by 10^px_decimals when they become prices. Stops and targets are rounded
    to the tick size towards the reference price (see docs/STRATEGIES.md).

    Adding a strategy: see strategies/behaviour.h. */
#ifndef TT_STRATEGIES_STRATEGY_H
#define TT_STRATEGIES_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "indicators/spec.h"
#include "marketdata/types.h"
#include "strategies/signal.h"

/* Most signals one call can produce (an exit and a reversing entry, with
   room to spare). Output arrays must hold at least this many. */
#define TT_STRATEGY_MAX_SIGNALS 4
/* Most indicator specs one strategy can declare (its own plus the trend
   filter's). */
#define TT_STRATEGY_MAX_SPECS 8

typedef struct tt_strategy tt_strategy_t;
typedef struct tt_strategy_def tt_strategy_def_t;

/* Receives one validation problem: the config line it belongs to (the
   parameter's line, or ctx.line when it concerns no single parameter) and
   a message such as "strategy 'sma_cross': parameter 'fast' must be ...".
   The caller adds the file name. */
typedef void(tt_strategy_error_fn)(void *arg, int line, const char *message);

/* What the strategy is created for. */
typedef struct {
    tt_instrument_t instrument; /* px_decimals and tick_size are used */
    int32_t base_tf_s;          /* default trading timeframe, seconds */
    const int32_t *timeframes;  /* the symbol's timeframes (may be NULL) */
    size_t timeframe_count;     /* 0: timeframes are not checked */
    int line;                   /* line of the strategy block, for errors */
} tt_strategy_ctx_t;

/* A position as the execution actor knows it. */
typedef struct {
    int32_t side;     /* +1 long, -1 short, 0 flat */
    tt_qty_t qty;     /* absolute quantity, scaled; 0 when flat */
    tt_px_t entry_px; /* average entry price, scaled; 0 when flat */
} tt_strat_pos_t;

/* Creates strategy NAME for CTX with PARAMS (may be NULL: all defaults).
   Reports every problem through ERROR_FN (stderr when NULL) and returns
   NULL if there was any; *ERROR_COUNT, when not NULL, gets their number.
   The caller owns the result. */
tt_strategy_t *tt_strategy_new(const char *name, const tt_strategy_ctx_t *ctx,
                               const tt_params_t *params,
                               tt_strategy_error_fn *error_fn, void *arg,
                               int *error_count);

/* Frees a strategy; accepts NULL and nulls the caller's pointer. */
void tt_strategy_destroy(tt_strategy_t **self_p);

/* The registry name ("sma_cross"). */
const char *tt_strategy_name(const tt_strategy_t *self);

/* The indicator specs it needs, in delivery order; *SPECS points into the
   strategy (valid until it is destroyed). Returns the count. */
size_t tt_strategy_indicators(const tt_strategy_t *self,
                              const tt_ind_spec_t **specs);

/* How many values a closed candle of TF_S must come with (the number of
   specs on that timeframe). */
size_t tt_strategy_value_count(const tt_strategy_t *self, int32_t tf_s);

/* Closed candles needed on TF_S before the strategy can trade (0 when it
   uses nothing on TF_S): an upper bound over its indicators' warm-up plus
   what the rules themselves look back. */
int32_t tt_strategy_warmup(const tt_strategy_t *self, int32_t tf_s);

/* The timeframe whose closes drive entries and exits, seconds. */
int32_t tt_strategy_tf(const tt_strategy_t *self);

/* Whether the clock should flatten this strategy's position at the end of
   the session (param force_close_eod, default true). */
bool tt_strategy_force_close_eod(const tt_strategy_t *self);

/* Feeds one candle with the N values of the specs on its timeframe. POS is
   the current position (NULL: the last one reported by on_fill). Writes
   signals to OUT (CAP >= TT_STRATEGY_MAX_SIGNALS) and returns how many,
   or -1 on bad input (wrong value count, bad position), with nothing
   changed. Forming candles (closed == false) are ignored. */
int tt_strategy_on_candle(tt_strategy_t *self, const tt_candle_t *candle,
                          const tt_ind_value_t *values, size_t n,
                          const tt_strat_pos_t *pos, tt_signal_t *out,
                          size_t cap);

/* Tells the strategy the position after a fill at time TS. Returns 0, or -1
   if AFTER is not a valid position. */
int tt_strategy_on_fill(tt_strategy_t *self, tt_ns_t ts,
                        const tt_strat_pos_t *after);

/* A timer tick at NOW (event time). Emits an exit when the position has
   been held for max_hold_s. Same output contract as on_candle. */
int tt_strategy_on_timer(tt_strategy_t *self, tt_ns_t now, tt_signal_t *out,
                         size_t cap);

/* The position the strategy currently believes in. */
tt_strat_pos_t tt_strategy_position(const tt_strategy_t *self);

/* A short description of the last -1 returned (static string). */
const char *tt_strategy_last_error(const tt_strategy_t *self);

/* Snapshot: a self-describing POD blob of the strategy's state. */
size_t tt_strategy_snapshot_size(const tt_strategy_t *self);
/* Writes the snapshot into BUF; returns its size, or -1 if SIZE is too
   small. */
int tt_strategy_snapshot(const tt_strategy_t *self, void *buf, size_t size);
/* Restores a snapshot taken from a strategy of the same name, parameters
   and instrument. Returns 0, or -1 (state unchanged) when the blob is
   malformed or was taken with different settings. */
int tt_strategy_restore(tt_strategy_t *self, const void *buf, size_t size);

/* Registry. */
const tt_strategy_def_t *tt_strategy_find(const char *name);
size_t tt_strategy_count(void);
/* Name of the I-th registered strategy, or NULL. */
const char *tt_strategy_name_at(size_t i);
/* "sma_cross, rsi_reversion, ..." into BUF (truncated to SIZE). */
void tt_strategy_names(char *buf, size_t size);

#endif
