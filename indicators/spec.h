/*  indicators/spec.h: how a strategy asks for indicators, and how their
    values travel to it. The indicator actor builds one streaming indicator
    per spec and, on every closed candle of the spec's timeframe, sends the
    values in the order the strategy declared them.

    Indicator math runs in double: the outputs are statistics, not prices
    that reach a broker. Prices and quantities stay scaled integers
    (invariant 7) and are converted only when a candle enters an indicator. */
#ifndef TT_INDICATORS_SPEC_H
#define TT_INDICATORS_SPEC_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    TT_IND_SMA = 0,  /* p1 = period */
    TT_IND_EMA,      /* p1 = period */
    TT_IND_RSI,      /* p1 = period (Wilder) */
    TT_IND_MACD,     /* p1 = fast, p2 = slow, p3 = signal */
    TT_IND_BBANDS,   /* p1 = period, k = stddev multiplier */
    TT_IND_ATR,      /* p1 = period (Wilder) */
    TT_IND_STOCH,    /* p1 = %K period, p2 = %K slowing, p3 = %D period */
    TT_IND_VWAP,     /* session anchored; p1 = session length in seconds */
    TT_IND_DONCHIAN, /* p1 = period: rolling high / low */
    TT_IND_KIND_COUNT
} tt_ind_kind_t;

#define TT_IND_MAX_OUTPUTS 3

typedef struct {
    tt_ind_kind_t kind;
    int32_t tf_s; /* the candle timeframe it runs on, seconds */
    int32_t p1, p2, p3;
    double k;
} tt_ind_spec_t;

/* Outputs by kind:
   SMA, EMA, RSI, ATR, VWAP: v[0]
   MACD: v[0] line, v[1] signal, v[2] histogram
   BBANDS: v[0] upper, v[1] middle, v[2] lower
   STOCH: v[0] %K, v[1] %D
   DONCHIAN: v[0] highest high, v[1] lowest low, v[2] middle */
typedef struct {
    bool ready; /* false until warm-up is complete; v[] is then undefined */
    double v[TT_IND_MAX_OUTPUTS];
} tt_ind_value_t;

#endif
