/*  actors/execution.c: a symbol's execution actor. Runs on the symbol's
    worker, first of the symbol's actors to start and last to stop: it
    holds the symbol's orders and position. It receives the strategy's
    signals and the symbol's ticks (for the paper broker's fills). The
    risk manager, order manager and paper broker (risk/, orders/,
    venues/paper/) are wired in here as the trading work lands; until
    then it counts what it is sent and never places an order. */
#include "actors/symbol_actors.h"

#include <stdlib.h>

typedef struct {
    uint64_t signals[TT_SIG_MOVE_STOP + 1]; /* by kind */
    uint64_t ticks;
} s_exec_t;

static int s_init(tt_actor_t *actor, void **state_p)
{
    (void)actor;
    *state_p = calloc(1, sizeof(s_exec_t));
    return *state_p ? 0 : -1;
}

static int s_handle(tt_actor_t *actor, void *state, const tt_msg_t *msg)
{
    s_exec_t *self = state;
    switch (msg->hdr.type) {
    case TT_MSG_SIGNAL:
        if (msg->body.signal.kind > TT_SIG_MOVE_STOP) {
            tt_actor_fail(actor, "unknown signal kind %d",
                          (int)msg->body.signal.kind);
            return -1;
        }
        self->signals[msg->body.signal.kind]++;
        return 0;
    case TT_MSG_TICKS:
        self->ticks += msg->body.ticks.count;
        return 0;
    default:
        tt_actor_fail(actor, "unexpected message type %u", msg->hdr.type);
        return -1;
    }
}

static void s_destroy(tt_actor_t *actor, void **state_p)
{
    (void)actor;
    free(*state_p);
    *state_p = NULL;
}

const tt_behaviour_t tt_execution_behaviour = {.name = "execution",
                                               .init = s_init,
                                               .handle = s_handle,
                                               .destroy = s_destroy};
