/*  tests/test_log_gate.c: the gate that keeps one kind of line from
    flooding the log (runtime/log.h, tt_log_gate_t): at most N lines a
    window, the rest counted and handed over once in a later window.
    Time is the caller's: these tests give it. */
#include "tests/harness.h"

#include "runtime/log.h"

#define S_SEC 1000000000LL

static void test_floods_are_held_and_counted(void **state)
{
    (void)state;
    tt_log_gate_t gate = {.per_window = 3, .window_ns = 60 * S_SEC};
    int64_t held = -1, since = -1, t0 = 1000 * S_SEC;
    for (int i = 0; i < 3; i++) {
        assert_true(tt_log_gate_pass(&gate, t0 + i, &held, &since));
        assert_int_equal(held, 0);
        assert_int_equal(since, 0);
    }
    for (int i = 0; i < 7; i++)
        assert_false(
            tt_log_gate_pass(&gate, t0 + 10 * S_SEC + i, &held, &since));
    /* Still the same window a nanosecond before its end. */
    assert_false(tt_log_gate_pass(&gate, t0 + 60 * S_SEC - 1, &held, &since));
    /* The next window's first line brings the 8 kept back, once. */
    assert_true(tt_log_gate_pass(&gate, t0 + 60 * S_SEC, &held, &since));
    assert_int_equal(held, 8);
    assert_int_equal(since, t0);
    assert_true(tt_log_gate_pass(&gate, t0 + 61 * S_SEC, &held, &since));
    assert_int_equal(held, 0);
    assert_true(tt_log_gate_pass(&gate, t0 + 62 * S_SEC, &held, &since));
    assert_false(tt_log_gate_pass(&gate, t0 + 63 * S_SEC, &held, &since));
}

/* A caller that does not take the count leaves it for the next one; a
   quiet gap longer than a window starts afresh; a clock that went back
   (a test's, a restarted one) starts a new window instead of holding
   every line until it catches up. */
static void test_count_waits_and_windows_restart(void **state)
{
    (void)state;
    tt_log_gate_t gate = {.per_window = 1, .window_ns = 10 * S_SEC};
    int64_t held = -1, since = -1;
    assert_true(tt_log_gate_pass(&gate, 5 * S_SEC, NULL, NULL));
    assert_false(tt_log_gate_pass(&gate, 6 * S_SEC, NULL, NULL));
    assert_false(tt_log_gate_pass(&gate, 7 * S_SEC, NULL, NULL));
    assert_true(tt_log_gate_pass(&gate, 100 * S_SEC, NULL, NULL));
    assert_false(tt_log_gate_pass(&gate, 101 * S_SEC, &held, &since));
    assert_int_equal(held, 0);
    assert_true(tt_log_gate_pass(&gate, 3 * S_SEC, &held, &since));
    assert_int_equal(held, 3);
    assert_int_equal(since, 5 * S_SEC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_floods_are_held_and_counted),
        cmocka_unit_test(test_count_waits_and_windows_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
