/*  actors/symbol_actors.h: the behaviours of a symbol's four actors, in
    start order. Each lives in its own file (execution.c, data.c,
    indicator.c, strategy.c); the runtime hosts them on a worker thread. */
#ifndef TT_ACTORS_SYMBOL_ACTORS_H
#define TT_ACTORS_SYMBOL_ACTORS_H

#include "runtime/actor.h"

extern const tt_behaviour_t tt_execution_behaviour;
extern const tt_behaviour_t tt_data_behaviour;
extern const tt_behaviour_t tt_indicator_behaviour;
extern const tt_behaviour_t tt_strategy_behaviour;

/* The four, indexed by tt_actor_role_t. */
extern const tt_behaviour_t *const tt_symbol_behaviours[TT_ROLE_COUNT];

#endif
