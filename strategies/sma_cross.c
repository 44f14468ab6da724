/*  strategies/sma_cross.c: moving-average crossover. Enters on the cross
    of a fast over a slow moving average (SMA or EMA), leaves on the
    opposite cross (reversing when shorts are allowed), and suggests a
    bracket: a stop stop_atr * ATR or stop_pct % away, and a target
    target_r times that risk away. A behaviour behind strategies/
    strategy.h; runs inside the strategy actor. */
#include <stdlib.h>

#include "strategies/behaviour.h"
#include "strategies/price.h"

typedef struct {
    int32_t fast;
    int32_t slow;
    int32_t ma; /* 0 sma, 1 ema */
    int32_t atr_period;
    double stop_atr; /* ATR multiple; 0 = not ATR based */
    double stop_pct; /* percent of the close; 0 = not percent based */
    double target_r; /* target as a multiple of the risk; 0 = none */
} s_params_t;

typedef struct {
    int32_t last_sign; /* sign of fast - slow last seen non-zero; 0 none */
} s_state_t;

_Static_assert(sizeof(s_params_t) <= TT_STRAT_PARAMS_MAX, "params");
_Static_assert(sizeof(s_state_t) <= TT_STRAT_STATE_MAX, "state");

static const char *const s_ma_names[] = {"sma", "ema", NULL};

enum { S_FAST, S_SLOW, S_MA, S_STOP_ATR, S_ATR_PERIOD, S_STOP_PCT, S_TGT_R };

static const tt_param_def_t s_table[] = {
    {"fast", TT_PARAM_INT, offsetof(s_params_t, fast), 10, 1, 10000, NULL},
    {"slow", TT_PARAM_INT, offsetof(s_params_t, slow), 30, 2, 10000, NULL},
    {"ma", TT_PARAM_ENUM, offsetof(s_params_t, ma), 0, 0, 0, s_ma_names},
    {"stop_atr", TT_PARAM_NUM, offsetof(s_params_t, stop_atr), 2.0, 0, 100,
     NULL},
    {"atr_period", TT_PARAM_INT, offsetof(s_params_t, atr_period), 14, 1, 10000,
     NULL},
    {"stop_pct", TT_PARAM_NUM, offsetof(s_params_t, stop_pct), 0, 0, 50, NULL},
    {"target_r", TT_PARAM_NUM, offsetof(s_params_t, target_r), 2.0, 0, 100,
     NULL},
};

/* stop_atr has a default (2) that gives way to an explicit stop_pct; both
   explicit is a mistake. A default target_r without any stop is dropped,
   an explicit one is a mistake. */
static void s_resolve(void *params, const int *lines, tt_strat_report_t *r)
{
    s_params_t *p = params;
    if (p->fast >= p->slow)
        tt_strat_report(r, lines[S_FAST] ? lines[S_FAST] : lines[S_SLOW],
                        "fast (%d) must be smaller than slow (%d)",
                        (int)p->fast, (int)p->slow);
    if (p->stop_pct > 0) {
        if (lines[S_STOP_ATR] && p->stop_atr > 0)
            tt_strat_report(r, lines[S_STOP_PCT],
                            "give either stop_atr or stop_pct, not both");
        p->stop_atr = 0;
    }
    if (p->target_r > 0 && p->stop_atr == 0 && p->stop_pct == 0) {
        if (lines[S_TGT_R])
            tt_strat_report(r, lines[S_TGT_R],
                            "target_r needs a stop (stop_atr or stop_pct)");
        p->target_r = 0;
    }
}

static size_t s_indicators(const void *params, int32_t tf_s, tt_ind_spec_t *out)
{
    const s_params_t *p = params;
    tt_ind_kind_t kind = p->ma == 1 ? TT_IND_EMA : TT_IND_SMA;
    out[0] = (tt_ind_spec_t){.kind = kind, .tf_s = tf_s, .p1 = p->fast};
    out[1] = (tt_ind_spec_t){.kind = kind, .tf_s = tf_s, .p1 = p->slow};
    if (p->stop_atr <= 0)
        return 2;
    out[2] =
        (tt_ind_spec_t){.kind = TT_IND_ATR, .tf_s = tf_s, .p1 = p->atr_period};
    return 3;
}

static void s_enter(tt_strat_eval_t *ev, int side)
{
    const s_params_t *p = ev->params;
    tt_px_t close = ev->candle->close;
    double dist = 0;
    if (p->stop_atr > 0)
        dist = ev->values[2].v[0] * p->stop_atr *
               tt_px_scale(ev->inst->px_decimals);
    else if (p->stop_pct > 0)
        dist = (double)close * p->stop_pct / 100.0;
    tt_px_t stop = 0, target = 0;
    if (dist > 0) {
        stop = tt_px_stop(ev->inst, side, close, dist);
        if (p->target_r > 0)
            target = tt_px_target(ev->inst, side, close,
                                  p->target_r * (double)llabs(close - stop));
    }
    tt_strat_emit(
        ev, side > 0 ? TT_SIG_ENTER_LONG : TT_SIG_ENTER_SHORT, stop, target,
        side > 0 ? "sma_cross: bullish cross" : "sma_cross: bearish cross");
}

static void s_on_candle(tt_strat_eval_t *ev)
{
    s_state_t *st = ev->state;
    double diff = ev->values[0].v[0] - ev->values[1].v[0];
    int sign = diff > 0 ? 1 : (diff < 0 ? -1 : 0);
    if (ev->fresh) {
        st->last_sign = sign;
        return;
    }
    if (sign == 0 || sign == st->last_sign)
        return;
    int prev = st->last_sign;
    st->last_sign = sign;
    if (prev == 0)
        return;
    int side = ev->pos->side;
    if (side == -sign)
        tt_strat_emit(ev, TT_SIG_EXIT, 0, 0, "sma_cross: opposite cross");
    if (side != sign)
        s_enter(ev, sign);
}

const tt_strategy_def_t tt_strategy_sma_cross = {
    .name = "sma_cross",
    .summary = "moving-average crossover with ATR or percent bracket",
    .params = s_table,
    .param_count = sizeof s_table / sizeof s_table[0],
    .params_size = sizeof(s_params_t),
    .state_size = sizeof(s_state_t),
    .resolve = s_resolve,
    .indicators = s_indicators,
    .extra_warmup = 1,
    .on_candle = s_on_candle,
    .on_position = NULL,
};
