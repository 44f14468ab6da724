/*  strategies/registry.c: the names a config may use in `strategy.kind`,
    and the behaviour behind each. A fixed table: strategies are compiled
    in, so a typo is caught when the config is checked, not at run time. */
#include "strategies/behaviour.h"

#include <stdio.h>
#include <string.h>

static const tt_strategy_def_t *const s_registry[] = {
    &tt_strategy_sma_cross,
    &tt_strategy_rsi_reversion,
    &tt_strategy_donchian_breakout,
};

#define S_COUNT (sizeof s_registry / sizeof s_registry[0])

const tt_strategy_def_t *tt_strategy_find(const char *name)
{
    for (size_t i = 0; name && i < S_COUNT; i++)
        if (strcmp(s_registry[i]->name, name) == 0)
            return s_registry[i];
    return NULL;
}

size_t tt_strategy_count(void)
{
    return S_COUNT;
}

const char *tt_strategy_name_at(size_t i)
{
    return i < S_COUNT ? s_registry[i]->name : NULL;
}

void tt_strategy_names(char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < S_COUNT && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                                 s_registry[i]->name);
}
