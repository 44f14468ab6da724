/*  strategies/rsi_reversion.c: RSI mean reversion. Buys when RSI climbs
    back above the oversold level (sells short when it falls back below
    overbought), exits when RSI reaches the exit level, with a percent
    stop and an optional percent target. A behaviour behind strategies/
    strategy.h; runs inside the strategy actor. */
#include "strategies/behaviour.h"
#include "strategies/price.h"

typedef struct {
    int32_t period;
    double oversold;
    double overbought;
    double exit;
    double stop_pct;   /* 0 = no stop */
    double target_pct; /* 0 = no target */
} s_params_t;

typedef struct {
    double prev; /* RSI on the previous ready candle */
} s_state_t;

_Static_assert(sizeof(s_params_t) <= TT_STRAT_PARAMS_MAX, "params");
_Static_assert(sizeof(s_state_t) <= TT_STRAT_STATE_MAX, "state");

enum { S_PERIOD, S_OVERSOLD, S_OVERBOUGHT, S_EXIT };

static const tt_param_def_t s_table[] = {
    {"period", TT_PARAM_INT, offsetof(s_params_t, period), 14, 2, 1000, NULL},
    {"oversold", TT_PARAM_NUM, offsetof(s_params_t, oversold), 30, 0, 100,
     NULL},
    {"overbought", TT_PARAM_NUM, offsetof(s_params_t, overbought), 70, 0, 100,
     NULL},
    {"exit", TT_PARAM_NUM, offsetof(s_params_t, exit), 50, 0, 100, NULL},
    {"stop_pct", TT_PARAM_NUM, offsetof(s_params_t, stop_pct), 2.0, 0, 50,
     NULL},
    {"target_pct", TT_PARAM_NUM, offsetof(s_params_t, target_pct), 0, 0, 1000,
     NULL},
};

static void s_resolve(void *params, const int *lines, tt_strat_report_t *r)
{
    const s_params_t *p = params;
    if (p->oversold < p->exit && p->exit < p->overbought)
        return;
    int line = lines[S_EXIT];
    for (int i = S_OVERSOLD; i <= S_EXIT && line == 0; i++)
        line = lines[i];
    tt_strat_report(r, line,
                    "levels must satisfy oversold (%g) < exit (%g) "
                    "< overbought (%g)",
                    p->oversold, p->exit, p->overbought);
}

static size_t s_indicators(const void *params, int32_t tf_s, tt_ind_spec_t *out)
{
    const s_params_t *p = params;
    out[0] = (tt_ind_spec_t){.kind = TT_IND_RSI, .tf_s = tf_s, .p1 = p->period};
    return 1;
}

static void s_enter(tt_strat_eval_t *ev, int side)
{
    const s_params_t *p = ev->params;
    tt_px_t close = ev->candle->close;
    tt_px_t stop = 0, target = 0;
    if (p->stop_pct > 0)
        stop = tt_px_stop(ev->inst, side, close,
                          (double)close * p->stop_pct / 100.0);
    if (p->target_pct > 0)
        target = tt_px_target(ev->inst, side, close,
                              (double)close * p->target_pct / 100.0);
    tt_strat_emit(ev, side > 0 ? TT_SIG_ENTER_LONG : TT_SIG_ENTER_SHORT, stop,
                  target,
                  side > 0 ? "rsi_reversion: leaving oversold"
                           : "rsi_reversion: leaving overbought");
}

static void s_on_candle(tt_strat_eval_t *ev)
{
    const s_params_t *p = ev->params;
    s_state_t *st = ev->state;
    double rsi = ev->values[0].v[0];
    double prev = st->prev;
    st->prev = rsi;
    if (ev->fresh)
        return;
    int side = ev->pos->side;
    if ((side > 0 && rsi >= p->exit) || (side < 0 && rsi <= p->exit)) {
        tt_strat_emit(ev, TT_SIG_EXIT, 0, 0, "rsi_reversion: exit level");
        return;
    }
    if (side != 0)
        return;
    /* Entering only below the exit level avoids a trade that its own exit
       rule would close on the next candle. */
    if (prev < p->oversold && rsi >= p->oversold && rsi < p->exit)
        s_enter(ev, 1);
    else if (prev > p->overbought && rsi <= p->overbought && rsi > p->exit)
        s_enter(ev, -1);
}

const tt_strategy_def_t tt_strategy_rsi_reversion = {
    .name = "rsi_reversion",
    .summary = "RSI mean reversion with percent stop and target",
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
