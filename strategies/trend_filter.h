/*  strategies/trend_filter.h: multi-timeframe agreement, written once for
    every strategy. A higher timeframe's close is compared with its moving
    average: above means up-trend (only long entries pass), below means
    down-trend (only short entries pass), equal or unknown lets no entry
    through. Exits are never filtered: a filter may keep you out of a
    trade, never in one.

    The strategy wrapper (strategy.c) owns one of these, declares its spec
    after the strategy's own and feeds it the closed candles of its
    timeframe. The filter uses the latest trend candle received before the
    trading candle it judges (the data path delivers candles that close at
    the same instant in ascending timeframe order). Pure logic; its state
    is POD and travels in the strategy's snapshot. */
#ifndef TT_STRATEGIES_TREND_FILTER_H
#define TT_STRATEGIES_TREND_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "indicators/spec.h"
#include "marketdata/types.h"

typedef struct {
    int32_t tf_s;   /* higher timeframe, seconds; 0 = filter off */
    int32_t period; /* moving-average period on that timeframe */
} tt_trend_cfg_t;

typedef struct {
    int32_t dir; /* +1 up, -1 down, 0 flat or unknown (cold) */
} tt_trend_state_t;

/* The SMA spec the filter needs (only meaningful when cfg->tf_s > 0). */
tt_ind_spec_t tt_trend_spec(const tt_trend_cfg_t *cfg);

/* Folds in one closed candle of the trend timeframe and its MA value;
   PX_DECIMALS scales the MA to compare it with the close. A cold or
   non-finite value makes the trend unknown. */
void tt_trend_update(tt_trend_state_t *self, const tt_candle_t *candle,
                     const tt_ind_value_t *ma, int px_decimals);

/* Whether an entry on SIDE (+1 long, -1 short) may pass. Always true when
   the filter is off. */
bool tt_trend_allows(const tt_trend_cfg_t *cfg, const tt_trend_state_t *self,
                     int side);

#endif
