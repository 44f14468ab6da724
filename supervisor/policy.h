/*  supervisor/policy.h: the restart arithmetic of a symbol supervisor,
    as pure logic with time passed in (so tests drive it with an injected
    clock, and the root applies what it decides).

    Three strikes, OTP style. Each actor has an intensity budget: at most
    max_restarts failures inside window_ms. A failure inside the budget
    restarts the failed actor and every actor started after it (rest_for_one
    in the order execution, data, indicator, strategy), after a backoff of
    backoff_ms * 2^(n-1), capped at backoff_max_ms, with +/- jitter_pct.
    The failure that reaches max_restarts escalates: the whole symbol
    restarts. The symbol has a budget of its own: more than
    symbol_max_restarts symbol restarts inside the window quarantine it in
    ERROR, terminal until an operator restarts it. */
#ifndef TT_SUPERVISOR_POLICY_H
#define TT_SUPERVISOR_POLICY_H

#include <stdint.h>

#include "config/config.h"
#include "runtime/actor.h"

/* Failure times inside the window; capacity covers any sane budget. */
#define TT_BUDGET_CAP 128
typedef struct {
    int64_t stamps[TT_BUDGET_CAP]; /* ring of failure times, ns */
    int head;
    int count;
} tt_budget_t;

void tt_budget_reset(tt_budget_t *self);

/* Records a failure at NOW_NS and returns how many fall inside the
   window (NOW_NS - WINDOW_NS, NOW_NS], this one included. */
int tt_budget_record(tt_budget_t *self, int64_t now_ns, int64_t window_ns);

/* Failures inside the window ending at NOW_NS, without recording one. */
int tt_budget_count(const tt_budget_t *self, int64_t now_ns, int64_t window_ns);

/* Delay before restart attempt N (1-based): backoff_ms * 2^(N-1), capped
   at backoff_max_ms, then moved by a uniform jitter of +/- jitter_pct
   drawn from *RNG (xorshift state, never 0). Never below 0. */
int64_t tt_backoff_ms(const tt_supervision_cfg_t *cfg, int attempt,
                      uint64_t *rng);

typedef enum {
    TT_SUP_RESTART_ACTORS = 1, /* restart `from_role` and later roles */
    TT_SUP_RESTART_SYMBOL,     /* escalation: restart every actor */
    TT_SUP_QUARANTINE,         /* budget exhausted: ERROR, terminal */
} tt_sup_action_t;

typedef struct {
    tt_sup_action_t action;
    tt_actor_role_t from_role;
    int64_t delay_ms;
    int failures;        /* actor failures inside the window */
    int symbol_restarts; /* symbol restarts inside the window */
} tt_sup_decision_t;

typedef struct {
    tt_budget_t actor[TT_ROLE_COUNT];
    tt_budget_t symbol;
    uint64_t rng;
} tt_symsup_t;

void tt_symsup_init(tt_symsup_t *self, uint64_t seed);

/* Decides what follows a failure of ROLE at NOW_NS. */
tt_sup_decision_t tt_symsup_on_failure(tt_symsup_t *self,
                                       const tt_supervision_cfg_t *cfg,
                                       tt_actor_role_t role, int64_t now_ns);

/* An operator restart forgives everything: budgets start empty. */
void tt_symsup_forgive(tt_symsup_t *self);

#endif
