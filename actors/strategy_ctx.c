/*  actors/strategy_ctx.c: see strategy_ctx.h. */
#include "actors/strategy_ctx.h"

#include <stdio.h>

typedef struct {
    const char *file;
    const char *symbol;
    tt_config_error_fn *error_fn;
    void *arg;
} s_relay_t;

/* Strategy errors come with a line; give them the file and the symbol. */
static void s_relay(void *arg, int line, const char *message)
{
    s_relay_t *relay = arg;
    char text[512];
    snprintf(text, sizeof text, "%s:%d: symbols %s: strategy: %s", relay->file,
             line, relay->symbol, message);
    if (relay->error_fn)
        relay->error_fn(relay->arg, text);
    else
        fprintf(stderr, "%s\n", text);
}

tt_strategy_t *tt_symbol_strategy_new(const tt_config_t *cfg,
                                      const tt_symbol_cfg_t *sym,
                                      tt_config_error_fn *error_fn, void *arg,
                                      int *error_count)
{
    tt_strategy_ctx_t ctx = {.instrument = sym->instrument,
                             .base_tf_s = sym->timeframes[0],
                             .timeframes = sym->timeframes,
                             .timeframe_count = sym->timeframe_count,
                             .line = sym->strategy.line};
    s_relay_t relay = {cfg->path, sym->name, error_fn, arg};
    return tt_strategy_new(sym->strategy.kind, &ctx, &sym->strategy.params,
                           s_relay, &relay, error_count);
}
