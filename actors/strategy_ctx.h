/*  actors/strategy_ctx.h: builds a symbol's strategy from its config, the
    same way for the indicator actor (which needs the strategy's indicator
    specs), the strategy actor (which runs it) and the start-up check
    (which reports bad parameters with their lines). */
#ifndef TT_ACTORS_STRATEGY_CTX_H
#define TT_ACTORS_STRATEGY_CTX_H

#include "config/config.h"
#include "strategies/strategy.h"

/* Creates SYM's strategy; NULL after reporting every problem through
   ERROR_FN (FILE:LINE: message, FILE from CFG). */
tt_strategy_t *tt_symbol_strategy_new(const tt_config_t *cfg,
                                      const tt_symbol_cfg_t *sym,
                                      tt_config_error_fn *error_fn, void *arg,
                                      int *error_count);

#endif
