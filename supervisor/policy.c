/*  supervisor/policy.c: restart budgets and backoff (see policy.h). */
#include "supervisor/policy.h"

#include <assert.h>
#include <string.h>

void tt_budget_reset(tt_budget_t *self)
{
    memset(self, 0, sizeof *self);
}

int tt_budget_count(const tt_budget_t *self, int64_t now_ns, int64_t window_ns)
{
    int inside = 0;
    for (int i = 0; i < self->count; i++) {
        int at = (self->head - 1 - i + TT_BUDGET_CAP) % TT_BUDGET_CAP;
        if (self->stamps[at] > now_ns - window_ns && self->stamps[at] <= now_ns)
            inside++;
    }
    return inside;
}

int tt_budget_record(tt_budget_t *self, int64_t now_ns, int64_t window_ns)
{
    self->stamps[self->head] = now_ns;
    self->head = (self->head + 1) % TT_BUDGET_CAP;
    if (self->count < TT_BUDGET_CAP)
        self->count++;
    return tt_budget_count(self, now_ns, window_ns);
}

static uint64_t s_xorshift(uint64_t *state)
{
    uint64_t x = *state ? *state : UINT64_C(0x9e3779b97f4a7c15);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

int64_t tt_backoff_ms(const tt_supervision_cfg_t *cfg, int attempt,
                      uint64_t *rng)
{
    assert(attempt >= 1);
    int64_t delay = cfg->backoff_ms;
    for (int i = 1; i < attempt && delay < cfg->backoff_max_ms; i++)
        delay *= 2;
    if (delay > cfg->backoff_max_ms)
        delay = cfg->backoff_max_ms;
    if (cfg->jitter_pct > 0) {
        int64_t span = delay * cfg->jitter_pct / 100;
        if (span > 0) {
            int64_t draw =
                (int64_t)(s_xorshift(rng) % (uint64_t)(2 * span + 1));
            delay += draw - span;
        }
    }
    return delay < 0 ? 0 : delay;
}

void tt_symsup_init(tt_symsup_t *self, uint64_t seed)
{
    memset(self, 0, sizeof *self);
    self->rng = seed ? seed : 1;
}

void tt_symsup_forgive(tt_symsup_t *self)
{
    for (int role = 0; role < TT_ROLE_COUNT; role++)
        tt_budget_reset(&self->actor[role]);
    tt_budget_reset(&self->symbol);
}

tt_sup_decision_t tt_symsup_on_failure(tt_symsup_t *self,
                                       const tt_supervision_cfg_t *cfg,
                                       tt_actor_role_t role, int64_t now_ns)
{
    assert(role < TT_ROLE_COUNT);
    int64_t window = cfg->window_ms * 1000000;
    tt_sup_decision_t out = {.from_role = role};
    out.failures = tt_budget_record(&self->actor[role], now_ns, window);
    out.symbol_restarts = tt_budget_count(&self->symbol, now_ns, window);
    if (out.failures < cfg->max_restarts) {
        out.action = TT_SUP_RESTART_ACTORS;
        out.delay_ms = tt_backoff_ms(cfg, out.failures, &self->rng);
        return out;
    }
    /* Escalation: a fresh symbol starts with fresh actor budgets. */
    for (int r = 0; r < TT_ROLE_COUNT; r++)
        tt_budget_reset(&self->actor[r]);
    out.from_role = TT_ROLE_EXECUTION;
    if (out.symbol_restarts >= cfg->symbol_max_restarts) {
        out.action = TT_SUP_QUARANTINE;
        return out;
    }
    out.symbol_restarts = tt_budget_record(&self->symbol, now_ns, window);
    out.action = TT_SUP_RESTART_SYMBOL;
    out.delay_ms = tt_backoff_ms(cfg, out.symbol_restarts, &self->rng);
    return out;
}
