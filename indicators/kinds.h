/*  indicators/kinds.h: the streaming indicators, one state struct and a
    small set of functions per kind. The indicator actor uses them through
    the generic wrapper in indicators/indicator.h; they are public so a
    strategy or a benchmark can embed one directly.

    Every kind follows TA-Lib's default definitions and seeding (see
    docs/MARKETDATA.md for each formula and its warm-up). Conventions:
    - _init(state, params..., off) validates the parameters and returns
      NULL, or a static string saying what is wrong. OFF is where the
      kind's slice starts in the caller's double workspace; _ws(params)
      says how many doubles that slice needs (0 for most kinds).
    - _update(state, ws, input) is O(1) (amortised for windows) and never
      allocates.
    - _value(state, ws) returns the outputs in the tt_ind_value_t layout of
      indicators/spec.h, with ready = false during warm-up.
    State structs hold no pointers: an indicator is its struct plus its
    workspace slice, copied as bytes for a snapshot. */
#ifndef TT_INDICATORS_KINDS_H
#define TT_INDICATORS_KINDS_H

#include <stdbool.h>
#include <stdint.h>

#include "indicators/spec.h"
#include "indicators/window.h"
#include "marketdata/types.h"

#define TT_IND_MAX_PERIOD 100000

/* One closed candle as the indicators see it (converted from scaled
   integers once, at the edge). */
typedef struct {
    double high, low, close, volume;
    tt_ns_t open_ts; /* anchors VWAP sessions */
} tt_ind_input_t;

/* SMA: mean of the last N closes. */
typedef struct {
    tt_win_t w;
} tt_sma_t;
uint32_t tt_sma_ws(int32_t period);
const char *tt_sma_init(tt_sma_t *s, int32_t period, uint32_t off);
void tt_sma_update(tt_sma_t *s, double *ws, const tt_ind_input_t *in);
tt_ind_value_t tt_sma_value(const tt_sma_t *s);

/* EMA: k = 2 / (N + 1), seeded with the SMA of the first N closes after
   SKIP ignored ones (SKIP is 0 except for MACD's fast line). */
typedef struct {
    uint32_t n;
    uint32_t skip;  /* updates still to ignore */
    uint32_t count; /* updates taken, saturating at n */
    double k;
    double sum; /* seed accumulation */
    double e;
} tt_ema_t;
const char *tt_ema_init(tt_ema_t *s, int32_t period, uint32_t skip);
void tt_ema_push(tt_ema_t *s, double x);
static inline bool tt_ema_ready(const tt_ema_t *s)
{
    return s->count == s->n;
}
tt_ind_value_t tt_ema_value(const tt_ema_t *s);

/* RSI (Wilder): average gain / loss over the first N changes, then
   Wilder smoothing; 100 * G / (G + L), 0 when G + L is exactly 0. */
typedef struct {
    uint32_t n;
    uint32_t count; /* closes seen, saturating at n + 1 */
    double prev;
    double gain, loss;
    double inv_n;
} tt_rsi_t;
const char *tt_rsi_init(tt_rsi_t *s, int32_t period);
void tt_rsi_update(tt_rsi_t *s, const tt_ind_input_t *in);
tt_ind_value_t tt_rsi_value(const tt_rsi_t *s);

/* MACD as TA-Lib: fast EMA seeded on the last FAST closes of the slow
   seed window, so line, signal and histogram all start together. */
typedef struct {
    tt_ema_t fast, slow, signal;
    double line;
} tt_macd_t;
const char *tt_macd_init(tt_macd_t *s, int32_t fast, int32_t slow,
                         int32_t signal);
void tt_macd_update(tt_macd_t *s, const tt_ind_input_t *in);
tt_ind_value_t tt_macd_value(const tt_macd_t *s);

/* Bollinger bands: SMA(N) +- K population standard deviations. */
typedef struct {
    tt_win_t w;
    double k;
} tt_bbands_t;
uint32_t tt_bbands_ws(int32_t period);
const char *tt_bbands_init(tt_bbands_t *s, int32_t period, double k,
                           uint32_t off);
void tt_bbands_update(tt_bbands_t *s, double *ws, const tt_ind_input_t *in);
tt_ind_value_t tt_bbands_value(const tt_bbands_t *s);

/* ATR (Wilder): mean of the first N true ranges (from the second candle
   on), then Wilder smoothing. */
typedef struct {
    uint32_t n;
    uint32_t count; /* candles seen, saturating at n + 1 */
    double prev_close;
    double sum, atr;
} tt_atr_t;
const char *tt_atr_init(tt_atr_t *s, int32_t period);
void tt_atr_update(tt_atr_t *s, const tt_ind_input_t *in);
tt_ind_value_t tt_atr_value(const tt_atr_t *s);

/* Stochastic (TA-Lib STOCH with SMA smoothing): fast %K over FASTK
   candles, slow %K = SMA(SLOWK) of it, slow %D = SMA(SLOWD) of slow %K. */
typedef struct {
    tt_range_t range;
    tt_win_t k, d;
    uint32_t fastk;
    uint32_t count; /* candles seen, saturating at fastk */
} tt_stoch_t;
uint32_t tt_stoch_ws(int32_t fastk, int32_t slowk, int32_t slowd);
const char *tt_stoch_init(tt_stoch_t *s, int32_t fastk, int32_t slowk,
                          int32_t slowd, uint32_t off);
void tt_stoch_update(tt_stoch_t *s, double *ws, const tt_ind_input_t *in);
tt_ind_value_t tt_stoch_value(const tt_stoch_t *s);

/* VWAP anchored to sessions of LEN seconds starting OFFSET seconds after
   each UTC multiple of LEN: sum(typical * volume) / sum(volume), typical
   = (high + low + close) / 3. */
typedef struct {
    tt_ns_t len_ns, off_ns;
    tt_ns_t start, end; /* the current session [start, end) */
    bool started;
    double pv, vol, last_tp;
} tt_vwap_t;
const char *tt_vwap_init(tt_vwap_t *s, int32_t len_s, int32_t offset_s);
void tt_vwap_update(tt_vwap_t *s, const tt_ind_input_t *in);
tt_ind_value_t tt_vwap_value(const tt_vwap_t *s);

/* Donchian channel: highest high and lowest low of the last N candles. */
typedef struct {
    tt_range_t range;
} tt_donchian_t;
uint32_t tt_donchian_ws(int32_t period);
const char *tt_donchian_init(tt_donchian_t *s, int32_t period, uint32_t off);
void tt_donchian_update(tt_donchian_t *s, double *ws, const tt_ind_input_t *in);
tt_ind_value_t tt_donchian_value(const tt_donchian_t *s, const double *ws);

#endif
