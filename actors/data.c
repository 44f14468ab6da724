/*  actors/data.c: a symbol's data actor. Receives its venue's ticks, keeps
    the last-tick time the staleness check and health read, and (as the
    market-data work lands) builds candles and sends closed ones on to the
    indicator actor. Runs on the symbol's worker thread. */
#include "actors/symbol_actors.h"

#include <stdlib.h>

typedef struct {
    uint64_t ticks;
    int64_t last_ts_ns;
} s_data_t;

static int s_init(tt_actor_t *self, void **state_p)
{
    (void)self;
    *state_p = calloc(1, sizeof(s_data_t));
    return *state_p ? 0 : -1;
}

static int s_on_ticks(tt_actor_t *self, s_data_t *data, const tt_tick_t *ticks,
                      uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        data->ticks++;
        data->last_ts_ns = ticks[i].ts;
    }
    tt_actor_note_tick(self, data->last_ts_ns, count);
    return 0;
}

static int s_handle(tt_actor_t *self, void *state, const tt_msg_t *msg)
{
    s_data_t *data = state;
    switch (msg->hdr.type) {
    case TT_MSG_TICK:
        return s_on_ticks(self, data, &msg->body.tick, 1);
    case TT_MSG_TICKS:
        return s_on_ticks(self, data, msg->body.ticks.ticks,
                          msg->body.ticks.count);
    default:
        tt_actor_fail(self, "unexpected message type %u", msg->hdr.type);
        return -1;
    }
}

static void s_destroy(tt_actor_t *self, void **state_p)
{
    (void)self;
    free(*state_p);
    *state_p = NULL;
}

const tt_behaviour_t tt_data_behaviour = {
    .name = "data", .init = s_init, .handle = s_handle, .destroy = s_destroy};
