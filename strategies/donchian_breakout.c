/*  strategies/donchian_breakout.c: Donchian channel breakout with an ATR
    stop. Enters when the close breaks the previous candle's `channel`
    high (long) or low (short), with a stop atr_mult * ATR away; while in
    the trade the stop trails atr_mult * ATR behind the best close since
    entry and only ever moves in the trade's favour (TT_SIG_MOVE_STOP);
    exits when the close breaks the opposite side of the shorter
    `exit_channel`, or closes through the trailing level. A behaviour
    behind strategies/strategy.h; runs inside the strategy actor. */
#include "strategies/behaviour.h"
#include "strategies/price.h"

/* A close within this many scaled units of a channel edge is on it, not
   through it. */
#define S_EPS 1e-6

typedef struct {
    int32_t channel;
    int32_t exit_channel;
    int32_t atr_period;
    double atr_mult;
    bool trailing;
} s_params_t;

typedef struct {
    double hi, lo;     /* entry channel on the previous candle (units) */
    double xhi, xlo;   /* exit channel on the previous candle (units) */
    tt_px_t pend_stop; /* stop sent with the last entry signal */
    tt_px_t cur_stop;  /* stop in force for the open trade; 0 unknown */
    tt_px_t best;      /* best close since entry; 0 none yet */
    int32_t pend_side; /* side of the last entry signal; 0 none */
} s_state_t;

_Static_assert(sizeof(s_params_t) <= TT_STRAT_PARAMS_MAX, "params");
_Static_assert(sizeof(s_state_t) <= TT_STRAT_STATE_MAX, "state");

static const tt_param_def_t s_table[] = {
    {"channel", TT_PARAM_INT, offsetof(s_params_t, channel), 20, 2, 10000,
     NULL},
    {"exit_channel", TT_PARAM_INT, offsetof(s_params_t, exit_channel), 10, 2,
     10000, NULL},
    {"atr_period", TT_PARAM_INT, offsetof(s_params_t, atr_period), 14, 1, 10000,
     NULL},
    {"atr_mult", TT_PARAM_NUM, offsetof(s_params_t, atr_mult), 2.0, 0.1, 100,
     NULL},
    {"trailing", TT_PARAM_BOOL, offsetof(s_params_t, trailing), 1, 0, 0, NULL},
};

static size_t s_indicators(const void *params, int32_t tf_s, tt_ind_spec_t *out)
{
    const s_params_t *p = params;
    out[0] = (tt_ind_spec_t){
        .kind = TT_IND_DONCHIAN, .tf_s = tf_s, .p1 = p->channel};
    out[1] = (tt_ind_spec_t){
        .kind = TT_IND_DONCHIAN, .tf_s = tf_s, .p1 = p->exit_channel};
    out[2] =
        (tt_ind_spec_t){.kind = TT_IND_ATR, .tf_s = tf_s, .p1 = p->atr_period};
    return 3;
}

static double s_dist(const tt_strat_eval_t *ev)
{
    const s_params_t *p = ev->params;
    return ev->values[2].v[0] * p->atr_mult *
           tt_px_scale(ev->inst->px_decimals);
}

static void s_try_entry(tt_strat_eval_t *ev, s_state_t *st, double sc)
{
    double close = (double)ev->candle->close;
    int side = 0;
    if (close > st->hi * sc + S_EPS)
        side = 1;
    else if (close < st->lo * sc - S_EPS)
        side = -1;
    if (side == 0)
        return;
    tt_px_t stop = tt_px_stop(ev->inst, side, ev->candle->close, s_dist(ev));
    if (tt_strat_emit(ev, side > 0 ? TT_SIG_ENTER_LONG : TT_SIG_ENTER_SHORT,
                      stop, 0,
                      side > 0 ? "donchian: channel high broken"
                               : "donchian: channel low broken")) {
        st->pend_side = side;
        st->pend_stop = stop;
    }
}

/* Trails the stop behind the best close; a close already through the new
   level is an exit, and a level that is not better is never sent. */
static void s_trail(tt_strat_eval_t *ev, s_state_t *st, int side)
{
    tt_px_t close = ev->candle->close;
    if (st->best == 0 || (side > 0 ? close > st->best : close < st->best))
        st->best = close;
    tt_px_t level = tt_px_stop(ev->inst, side, st->best, s_dist(ev));
    if (side > 0 ? level >= close : level <= close) {
        tt_strat_emit(ev, TT_SIG_EXIT, 0, 0, "donchian: through trailing stop");
        return;
    }
    if (st->cur_stop != 0 && (level - st->cur_stop) * side <= 0)
        return;
    st->cur_stop = level;
    tt_strat_emit(ev, TT_SIG_MOVE_STOP, level, 0, "donchian: trail stop");
}

static void s_manage(tt_strat_eval_t *ev, s_state_t *st, double sc, int side)
{
    const s_params_t *p = ev->params;
    double close = (double)ev->candle->close;
    bool out =
        side > 0 ? close < st->xlo * sc - S_EPS : close > st->xhi * sc + S_EPS;
    if (out)
        tt_strat_emit(ev, TT_SIG_EXIT, 0, 0, "donchian: exit channel broken");
    else if (p->trailing)
        s_trail(ev, st, side);
}

static void s_on_candle(tt_strat_eval_t *ev)
{
    s_state_t *st = ev->state;
    double sc = tt_px_scale(ev->inst->px_decimals);
    if (!ev->fresh) {
        int side = ev->pos->side;
        if (side == 0)
            s_try_entry(ev, st, sc);
        else
            s_manage(ev, st, sc, side);
    }
    st->hi = ev->values[0].v[0];
    st->lo = ev->values[0].v[1];
    st->xhi = ev->values[1].v[0];
    st->xlo = ev->values[1].v[1];
}

static void s_on_position(void *state, const void *params,
                          const tt_strat_pos_t *prev, const tt_strat_pos_t *now)
{
    s_state_t *st = state;
    (void)params;
    (void)prev;
    st->cur_stop =
        now->side != 0 && st->pend_side == now->side ? st->pend_stop : 0;
    st->best = 0;
    st->pend_side = 0;
    st->pend_stop = 0;
}

const tt_strategy_def_t tt_strategy_donchian_breakout = {
    .name = "donchian_breakout",
    .summary = "Donchian channel breakout with trailing ATR stop",
    .params = s_table,
    .param_count = sizeof s_table / sizeof s_table[0],
    .params_size = sizeof(s_params_t),
    .state_size = sizeof(s_state_t),
    .resolve = NULL,
    .indicators = s_indicators,
    .extra_warmup = 1,
    .on_candle = s_on_candle,
    .on_position = s_on_position,
};
