/*  actors/strategy.c: a symbol's strategy actor. Runs on the symbol's
    worker. It owns the symbol's strategy (strategies/strategy.h), feeds it
    each closed candle with its indicator values, and sends the signals it
    returns to the execution actor, which applies risk and places orders.
    While the symbol is paused it keeps its state current (so it resumes
    without a gap) and the execution actor refuses new entries. */
#include "actors/strategy_ctx.h"
#include "actors/symbol_actors.h"

#include <stdlib.h>

typedef struct {
    tt_strategy_t *strategy;
    uint32_t execution; /* actor id */
} s_strat_t;

static int s_init(tt_actor_t *actor, void **state_p)
{
    s_strat_t *self = calloc(1, sizeof *self);
    if (!self)
        return -1;
    self->strategy = tt_symbol_strategy_new(
        tt_actor_config(actor), tt_actor_symbol(actor), NULL, NULL, NULL);
    if (!self->strategy) {
        tt_actor_fail(actor, "cannot build strategy '%s'",
                      tt_actor_symbol(actor)->strategy.kind);
        free(self);
        return -1;
    }
    self->execution = tt_actor_sibling(actor, TT_ROLE_EXECUTION);
    /* Live, time-driven exits (max_hold_s) are checked every second.
       In a backtest they are checked as each candle closes, at its close
       time, before the candle: the same point in the data every run. */
    if (!tt_actor_replaying(actor))
        tt_actor_timer_every(actor, TT_NS_PER_SEC);
    *state_p = self;
    return 0;
}

static int s_send(tt_actor_t *actor, s_strat_t *self, const tt_signal_t *out,
                  int count)
{
    for (int i = 0; i < count; i++)
        tt_actor_send_critical(actor, self->execution, TT_MSG_SIGNAL, &out[i],
                               sizeof out[i]);
    return 0;
}

static int s_on_values(tt_actor_t *actor, s_strat_t *self,
                       const tt_ind_values_t *in)
{
    if (in->count > TT_IND_VALUES_MAX) {
        tt_actor_fail(actor, "%u indicator values", in->count);
        return -1;
    }
    tt_signal_t out[TT_STRATEGY_MAX_SIGNALS];
    if (tt_actor_replaying(actor)) {
        int64_t close =
            in->candle.open_ts + (int64_t)in->candle.tf_s * TT_NS_PER_SEC;
        int due = tt_strategy_on_timer(self->strategy, close, out,
                                       TT_STRATEGY_MAX_SIGNALS);
        s_send(actor, self, out, due > 0 ? due : 0);
    }
    int count =
        tt_strategy_on_candle(self->strategy, &in->candle, in->values,
                              in->count, NULL, out, TT_STRATEGY_MAX_SIGNALS);
    if (count < 0) {
        tt_actor_fail(actor, "strategy refused a candle: %s",
                      tt_strategy_last_error(self->strategy));
        return -1;
    }
    return s_send(actor, self, out, count);
}

static int s_handle(tt_actor_t *actor, void *state, const tt_msg_t *msg)
{
    s_strat_t *self = state;
    switch (msg->hdr.type) {
    case TT_MSG_IND_VALUES:
        return s_on_values(actor, self, &msg->body.values);
    case TT_MSG_POSITION: {
        const tt_position_msg_t *in = &msg->body.position;
        tt_strat_pos_t pos = {
            .side = in->side, .qty = in->qty, .entry_px = in->entry_px};
        if (tt_strategy_on_fill(self->strategy, in->ts, &pos) != 0) {
            tt_actor_fail(actor, "strategy refused its position: %s",
                          tt_strategy_last_error(self->strategy));
            return -1;
        }
        return 0;
    }
    default:
        tt_actor_fail(actor, "unexpected message type %u", msg->hdr.type);
        return -1;
    }
}

static int s_timer(tt_actor_t *actor, void *state, int64_t now_ns)
{
    s_strat_t *self = state;
    tt_signal_t out[TT_STRATEGY_MAX_SIGNALS];
    int count = tt_strategy_on_timer(self->strategy, now_ns, out,
                                     TT_STRATEGY_MAX_SIGNALS);
    return s_send(actor, self, out, count > 0 ? count : 0);
}

static void s_destroy(tt_actor_t *actor, void **state_p)
{
    (void)actor;
    s_strat_t *self = *state_p;
    if (self)
        tt_strategy_destroy(&self->strategy);
    free(self);
    *state_p = NULL;
}

const tt_behaviour_t tt_strategy_behaviour = {.name = "strategy",
                                              .init = s_init,
                                              .handle = s_handle,
                                              .timer = s_timer,
                                              .destroy = s_destroy};
