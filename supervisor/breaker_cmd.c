/*  supervisor/breaker_cmd.c: `ticktree breaker reset [SYMBOL]` on the
    root thread. The breakers live in the portfolio (risk/portfolio.h),
    shared with the execution actors under its lock, so the reset is a
    call, not a message: the next entry of the symbol sees it. */
#include "actors/exec_portfolio.h"
#include "control.pb-c.h"
#include "runtime/log.h"
#include "supervisor/root_internal.h"

#include <stdio.h>
#include <string.h>

static void s_reset_one(tt_root_t *self, size_t i, int64_t now)
{
    if (tt_portfolio_breaker_reset(self->portfolio, i, now) == 0)
        return;
    tt_info(self->cfg->symbols[i].name,
            "circuit breaker reset by the operator");
    tt_evt_breaker_t ev;
    tt_exec_breaker_event(&ev, false, 0, now, "operator reset");
    tt_sender_send(self->sender, TT_ACTOR_BUS,
                   tt_runtime_actor_id((int)i, TT_ROLE_EXECUTION),
                   TT_EVT_BREAKER, &ev, sizeof ev, true);
}

int tt_root_breaker_reset(tt_root_t *self, const char *symbol, char *err,
                          size_t size)
{
    int64_t now = tt_root_now(self);
    if (!symbol || !*symbol) {
        for (size_t i = 0; i < self->cfg->symbol_count; i++)
            s_reset_one(self, i, now);
        return TT__STATUS__STATUS_OK;
    }
    int index = tt_config_symbol_index(self->cfg, symbol);
    if (index < 0) {
        snprintf(err, size, "unknown symbol '%.64s'", symbol);
        return TT__STATUS__STATUS_UNKNOWN_SYMBOL;
    }
    s_reset_one(self, (size_t)index, now);
    return TT__STATUS__STATUS_OK;
}
