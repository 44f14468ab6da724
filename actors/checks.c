/*  actors/checks.c: see checks.h. */
#include "actors/checks.h"
#include "actors/feed_sim.h"
#include "actors/feed_venue.h"
#include "actors/strategy_ctx.h"

int tt_service_check(const tt_config_t *cfg, tt_config_error_fn *error_fn,
                     void *arg)
{
    int problems = tt_feed_sim_check(cfg, error_fn, arg);
    problems += tt_feed_venue_check(cfg, error_fn, arg);
    for (size_t i = 0; i < cfg->symbol_count; i++) {
        int errors = 0;
        tt_strategy_t *strategy = tt_symbol_strategy_new(
            cfg, &cfg->symbols[i], error_fn, arg, &errors);
        tt_strategy_destroy(&strategy);
        problems += errors;
    }
    return problems;
}
