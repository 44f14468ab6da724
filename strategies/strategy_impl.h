/*  strategies/strategy_impl.h: the inside of tt_strategy_t, shared by the
    two halves of the wrapper (strategy.c: creation and queries;
    strategy_run.c: candles, fills, timers, snapshots). Nothing else
    includes it. */
#ifndef TT_STRATEGIES_STRATEGY_IMPL_H
#define TT_STRATEGIES_STRATEGY_IMPL_H

#include <stddef.h>

#include "strategies/behaviour.h"
#include "strategies/trend_filter.h"

/* Parameters every strategy takes (see docs/STRATEGIES.md). */
typedef struct {
    int32_t tf;         /* trading timeframe, seconds */
    int32_t trend_tf;   /* trend filter timeframe; 0 = off */
    int32_t trend_ma;   /* trend filter SMA period */
    int32_t max_hold_s; /* exit after this long in a trade; 0 = off */
    bool allow_short;
    bool force_close_eod;
} tt_strat_common_t;

/* The wrapper's own state: POD, part of the snapshot. */
typedef struct {
    tt_strat_pos_t pos;
    tt_ns_t entry_ts;   /* when the current trade opened; 0 when flat */
    tt_px_t last_close; /* last trading-timeframe close seen */
    tt_trend_state_t trend;
    int32_t fresh; /* 1: no previous ready candle to compare with */
} tt_strat_core_t;

struct tt_strategy {
    const tt_strategy_def_t *def;
    tt_instrument_t inst;
    tt_strat_common_t common;
    tt_trend_cfg_t trend_cfg;
    size_t own_spec_count; /* the behaviour's specs, first in specs[] */
    size_t spec_count;
    tt_ind_spec_t specs[TT_STRATEGY_MAX_SPECS];
    uint64_t fingerprint;
    const char *last_error;
    tt_strat_core_t core;
    _Alignas(max_align_t) unsigned char params[TT_STRAT_PARAMS_MAX];
    _Alignas(max_align_t) unsigned char state[TT_STRAT_STATE_MAX];
};

#endif
