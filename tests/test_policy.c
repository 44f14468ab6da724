/*  tests/test_policy.c: restart budgets, backoff and escalation, with an
    injected clock (plain nanosecond values). */
#include "tests/harness.h"

#include "supervisor/policy.h"

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)

static tt_supervision_cfg_t s_cfg(void)
{
    return (tt_supervision_cfg_t){.max_restarts = 3,
                                  .window_ms = 60000,
                                  .backoff_ms = 100,
                                  .backoff_max_ms = 5000,
                                  .jitter_pct = 0,
                                  .symbol_max_restarts = 2};
}

static void test_budget_window(void **state)
{
    (void)state;
    tt_budget_t budget;
    tt_budget_reset(&budget);
    int64_t window = 60 * SEC;
    assert_int_equal(tt_budget_record(&budget, 0, window), 1);
    assert_int_equal(tt_budget_record(&budget, 30 * SEC, window), 2);
    /* At exactly 60 s the first failure has left the window (open at the
       far end), at 59.999 s it has not. */
    assert_int_equal(tt_budget_count(&budget, 60 * SEC - 1, window), 2);
    assert_int_equal(tt_budget_count(&budget, 60 * SEC, window), 1);
    assert_int_equal(tt_budget_record(&budget, 89 * SEC, window), 2);
    assert_int_equal(tt_budget_count(&budget, 200 * SEC, window), 0);
}

static void test_budget_ring_overflow(void **state)
{
    (void)state;
    tt_budget_t budget;
    tt_budget_reset(&budget);
    int got = 0;
    for (int i = 0; i < TT_BUDGET_CAP + 50; i++)
        got = tt_budget_record(&budget, i * MS, 60 * SEC);
    /* The ring keeps the newest TT_BUDGET_CAP failures. */
    assert_int_equal(got, TT_BUDGET_CAP);
}

static void test_backoff_doubles_and_caps(void **state)
{
    (void)state;
    tt_supervision_cfg_t cfg = s_cfg();
    uint64_t rng = 1;
    int64_t want[] = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
    for (int n = 1; n <= 8; n++)
        assert_int_equal(tt_backoff_ms(&cfg, n, &rng), want[n - 1]);
}

static void test_backoff_jitter_bounds(void **state)
{
    (void)state;
    tt_supervision_cfg_t cfg = s_cfg();
    cfg.jitter_pct = 20;
    uint64_t rng = 12345;
    int64_t lo = INT64_MAX, hi = 0;
    for (int i = 0; i < 2000; i++) {
        int64_t delay = tt_backoff_ms(&cfg, 2, &rng); /* 200 +/- 40 */
        assert_in_range(delay, 160, 240);
        lo = delay < lo ? delay : lo;
        hi = delay > hi ? delay : hi;
    }
    /* Jitter really spreads the delays across most of the band. */
    assert_true(lo <= 170);
    assert_true(hi >= 230);
}

static void test_three_strikes_escalate_then_quarantine(void **state)
{
    (void)state;
    tt_supervision_cfg_t cfg = s_cfg();
    tt_symsup_t sup;
    tt_symsup_init(&sup, 7);
    int64_t t = 1000 * SEC;
    for (int round = 1; round <= 2; round++) {
        tt_sup_decision_t d = tt_symsup_on_failure(&sup, &cfg, TT_ROLE_DATA, t);
        assert_int_equal(d.action, TT_SUP_RESTART_ACTORS);
        assert_int_equal(d.from_role, TT_ROLE_DATA);
        assert_int_equal(d.failures, 1);
        assert_int_equal(d.delay_ms, 100);
        d = tt_symsup_on_failure(&sup, &cfg, TT_ROLE_DATA, t + 1 * SEC);
        assert_int_equal(d.action, TT_SUP_RESTART_ACTORS);
        assert_int_equal(d.failures, 2);
        assert_int_equal(d.delay_ms, 200);
        d = tt_symsup_on_failure(&sup, &cfg, TT_ROLE_DATA, t + 2 * SEC);
        assert_int_equal(d.action, TT_SUP_RESTART_SYMBOL);
        assert_int_equal(d.from_role, TT_ROLE_EXECUTION);
        assert_int_equal(d.symbol_restarts, round);
        assert_int_equal(d.delay_ms, round == 1 ? 100 : 200);
        t += 3 * SEC;
    }
    /* Third escalation inside the window: budget exhausted. */
    tt_symsup_on_failure(&sup, &cfg, TT_ROLE_STRATEGY, t);
    tt_symsup_on_failure(&sup, &cfg, TT_ROLE_STRATEGY, t + 1);
    tt_sup_decision_t d =
        tt_symsup_on_failure(&sup, &cfg, TT_ROLE_STRATEGY, t + 2);
    assert_int_equal(d.action, TT_SUP_QUARANTINE);
    assert_int_equal(d.symbol_restarts, 2);
}

static void test_failures_outside_window_do_not_escalate(void **state)
{
    (void)state;
    tt_supervision_cfg_t cfg = s_cfg();
    tt_symsup_t sup;
    tt_symsup_init(&sup, 7);
    /* One failure every 31 s: never three inside 60 s. */
    for (int i = 0; i < 20; i++) {
        tt_sup_decision_t d = tt_symsup_on_failure(
            &sup, &cfg, TT_ROLE_INDICATOR, (int64_t)i * 31 * SEC);
        assert_int_equal(d.action, TT_SUP_RESTART_ACTORS);
        assert_true(d.failures <= 2);
    }
}

static void test_roles_have_separate_budgets(void **state)
{
    (void)state;
    tt_supervision_cfg_t cfg = s_cfg();
    tt_symsup_t sup;
    tt_symsup_init(&sup, 7);
    tt_actor_role_t roles[] = {TT_ROLE_DATA, TT_ROLE_INDICATOR, TT_ROLE_DATA,
                               TT_ROLE_INDICATOR};
    for (int i = 0; i < 4; i++) {
        tt_sup_decision_t d = tt_symsup_on_failure(&sup, &cfg, roles[i], i);
        assert_int_equal(d.action, TT_SUP_RESTART_ACTORS);
        assert_int_equal(d.from_role, roles[i]);
    }
}

static void test_forgive_resets(void **state)
{
    (void)state;
    tt_supervision_cfg_t cfg = s_cfg();
    tt_symsup_t sup;
    tt_symsup_init(&sup, 7);
    for (int i = 0; i < 9; i++)
        tt_symsup_on_failure(&sup, &cfg, TT_ROLE_DATA, i);
    tt_symsup_forgive(&sup);
    tt_sup_decision_t d = tt_symsup_on_failure(&sup, &cfg, TT_ROLE_DATA, 10);
    assert_int_equal(d.action, TT_SUP_RESTART_ACTORS);
    assert_int_equal(d.failures, 1);
    assert_int_equal(d.symbol_restarts, 0);
}

static void test_zero_symbol_budget_quarantines_first_escalation(void **s)
{
    (void)s;
    tt_supervision_cfg_t cfg = s_cfg();
    cfg.symbol_max_restarts = 0;
    tt_symsup_t sup;
    tt_symsup_init(&sup, 7);
    tt_symsup_on_failure(&sup, &cfg, TT_ROLE_EXECUTION, 0);
    tt_symsup_on_failure(&sup, &cfg, TT_ROLE_EXECUTION, 1);
    tt_sup_decision_t d =
        tt_symsup_on_failure(&sup, &cfg, TT_ROLE_EXECUTION, 2);
    assert_int_equal(d.action, TT_SUP_QUARANTINE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budget_window),
        cmocka_unit_test(test_budget_ring_overflow),
        cmocka_unit_test(test_backoff_doubles_and_caps),
        cmocka_unit_test(test_backoff_jitter_bounds),
        cmocka_unit_test(test_three_strikes_escalate_then_quarantine),
        cmocka_unit_test(test_failures_outside_window_do_not_escalate),
        cmocka_unit_test(test_roles_have_separate_budgets),
        cmocka_unit_test(test_forgive_resets),
        cmocka_unit_test(test_zero_symbol_budget_quarantines_first_escalation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
