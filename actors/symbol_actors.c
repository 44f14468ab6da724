/*  actors/symbol_actors.c: the behaviour table by role. */
#include "actors/symbol_actors.h"

const tt_behaviour_t *const tt_symbol_behaviours[TT_ROLE_COUNT] = {
    [TT_ROLE_EXECUTION] = &tt_execution_behaviour,
    [TT_ROLE_DATA] = &tt_data_behaviour,
    [TT_ROLE_INDICATOR] = &tt_indicator_behaviour,
    [TT_ROLE_STRATEGY] = &tt_strategy_behaviour,
};
