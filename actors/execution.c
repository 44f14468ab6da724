/*  actors/execution.c: a symbol's execution actor. The skeleton of the tree:
    it runs under its symbol supervisor with the full lifecycle, and counts
    what it is sent; the trading logic it will own is built in its own
    modules and lands here as it comes. Runs on the symbol's worker thread. */
#include "actors/symbol_actors.h"

#include <stdlib.h>

typedef struct {
    uint64_t messages;
} s_execution_t;

static int s_init(tt_actor_t *self, void **state_p)
{
    (void)self;
    *state_p = calloc(1, sizeof(s_execution_t));
    return *state_p ? 0 : -1;
}

static int s_handle(tt_actor_t *self, void *state, const tt_msg_t *msg)
{
    (void)self;
    (void)msg;
    ((s_execution_t *)state)->messages++;
    return 0;
}

static void s_destroy(tt_actor_t *self, void **state_p)
{
    (void)self;
    free(*state_p);
    *state_p = NULL;
}

const tt_behaviour_t tt_execution_behaviour = {.name = "execution",
                                               .init = s_init,
                                               .handle = s_handle,
                                               .destroy = s_destroy};
