/*  actors/indicator.c: a symbol's indicator actor. Runs on the symbol's
    worker. It builds the indicators the symbol's strategy declares
    (indicators/indicator.h), updates those of a candle's timeframe on
    every closed candle, and sends the candle with their values, in the
    declared order, to the strategy actor. */
#include "actors/strategy_ctx.h"
#include "actors/symbol_actors.h"
#include "indicators/indicator.h"

#include <stdlib.h>

typedef struct {
    const tt_symbol_cfg_t *sym;
    size_t count;
    tt_indicator_t **ind; /* in the strategy's declared order */
    uint32_t strategy;    /* actor id */
} s_ind_t;

static void s_free(s_ind_t *self)
{
    for (size_t i = 0; self->ind && i < self->count; i++)
        tt_indicator_destroy(&self->ind[i]);
    free(self->ind);
    free(self);
}

static int s_build(tt_actor_t *actor, s_ind_t *self,
                   const tt_strategy_t *strategy)
{
    const tt_ind_spec_t *specs;
    self->count = tt_strategy_indicators(strategy, &specs);
    self->ind = calloc(self->count + 1, sizeof *self->ind);
    if (!self->ind)
        return -1;
    for (size_t i = 0; i < self->count; i++) {
        char err[128];
        self->ind[i] = tt_indicator_new(&specs[i], err, sizeof err);
        if (!self->ind[i]) {
            tt_actor_fail(actor, "indicator %zu: %s", i, err);
            return -1;
        }
    }
    return 0;
}

static int s_init(tt_actor_t *actor, void **state_p)
{
    s_ind_t *self = calloc(1, sizeof *self);
    if (!self)
        return -1;
    self->sym = tt_actor_symbol(actor);
    self->strategy = tt_actor_sibling(actor, TT_ROLE_STRATEGY);
    tt_strategy_t *strategy = tt_symbol_strategy_new(
        tt_actor_config(actor), self->sym, NULL, NULL, NULL);
    int rc = strategy ? s_build(actor, self, strategy) : -1;
    tt_strategy_destroy(&strategy);
    if (rc != 0) {
        s_free(self);
        return -1;
    }
    *state_p = self;
    return 0;
}

static int s_on_candle(tt_actor_t *actor, s_ind_t *self,
                       const tt_candle_t *candle)
{
    tt_ind_values_t out = {.candle = *candle};
    tt_ind_input_t in =
        tt_ind_input_from_candle(candle, self->sym->instrument.px_decimals,
                                 self->sym->instrument.qty_decimals);
    for (size_t i = 0; i < self->count; i++) {
        if (tt_indicator_spec(self->ind[i])->tf_s != candle->tf_s)
            continue;
        tt_indicator_update(self->ind[i], &in);
        if (out.count == TT_IND_VALUES_MAX) {
            tt_actor_fail(actor, "more than %d indicators on %ds",
                          TT_IND_VALUES_MAX, candle->tf_s);
            return -1;
        }
        out.values[out.count++] = tt_indicator_value(self->ind[i]);
    }
    return tt_actor_send_critical(actor, self->strategy, TT_MSG_IND_VALUES,
                                  &out, sizeof out);
}

static int s_handle(tt_actor_t *actor, void *state, const tt_msg_t *msg)
{
    if (msg->hdr.type != TT_MSG_CANDLE) {
        tt_actor_fail(actor, "unexpected message type %u", msg->hdr.type);
        return -1;
    }
    return s_on_candle(actor, state, &msg->body.candle);
}

static void s_destroy(tt_actor_t *actor, void **state_p)
{
    (void)actor;
    if (*state_p)
        s_free(*state_p);
    *state_p = NULL;
}

const tt_behaviour_t tt_indicator_behaviour = {.name = "indicator",
                                               .init = s_init,
                                               .handle = s_handle,
                                               .destroy = s_destroy};
