/*  tests/test_lifecycle.c: every pair of lifecycle states, checked against
    the edges written out here by hand from the design's diagram. */
#include "tests/harness.h"

#include "supervisor/lifecycle.h"

#include <string.h>

/* The legal edges, spelled out independently of the table in the code. */
static const tt_state_t s_legal[][2] = {
    {TT_STATE_CREATED, TT_STATE_STARTING},
    {TT_STATE_CREATED, TT_STATE_STOPPING},
    {TT_STATE_STARTING, TT_STATE_RUNNING},
    {TT_STATE_STARTING, TT_STATE_ERROR},
    {TT_STATE_STARTING, TT_STATE_STOPPING},
    {TT_STATE_RUNNING, TT_STATE_PAUSED},
    {TT_STATE_RUNNING, TT_STATE_ERROR},
    {TT_STATE_RUNNING, TT_STATE_STOPPING},
    {TT_STATE_PAUSED, TT_STATE_RUNNING},
    {TT_STATE_PAUSED, TT_STATE_ERROR},
    {TT_STATE_PAUSED, TT_STATE_STOPPING},
    {TT_STATE_ERROR, TT_STATE_RECOVERING},
    {TT_STATE_ERROR, TT_STATE_STOPPING},
    {TT_STATE_RECOVERING, TT_STATE_RUNNING},
    {TT_STATE_RECOVERING, TT_STATE_ERROR},
    {TT_STATE_RECOVERING, TT_STATE_STOPPING},
    {TT_STATE_STOPPING, TT_STATE_STOPPED},
    {TT_STATE_STOPPED, TT_STATE_STARTING},
};

static bool s_expected(tt_state_t from, tt_state_t to)
{
    for (size_t i = 0; i < sizeof s_legal / sizeof s_legal[0]; i++)
        if (s_legal[i][0] == from && s_legal[i][1] == to)
            return true;
    return false;
}

static void test_every_pair(void **state)
{
    (void)state;
    int legal = 0;
    for (int from = TT_STATE_MIN; from <= TT_STATE_MAX; from++) {
        for (int to = TT_STATE_MIN; to <= TT_STATE_MAX; to++) {
            bool want = s_expected(from, to);
            if (tt_lifecycle_allowed(from, to) != want)
                fail_msg("%s -> %s: expected %s", tt_state_name(from),
                         tt_state_name(to), want ? "legal" : "illegal");
            /* The machine itself agrees with the predicate. */
            tt_lifecycle_t life = {.state = from, .since_ns = 5};
            int rc = tt_lifecycle_move(&life, to, 7);
            assert_int_equal(rc, want ? 0 : -1);
            assert_int_equal(life.state, want ? to : from);
            assert_int_equal(life.since_ns, want ? 7 : 5);
            assert_int_equal(life.transitions, want ? 1 : 0);
            assert_int_equal(life.refused, want ? 0 : 1);
            legal += want;
        }
    }
    assert_int_equal(legal, sizeof s_legal / sizeof s_legal[0]);
}

static void test_out_of_range_refused(void **state)
{
    (void)state;
    assert_false(tt_lifecycle_allowed(0, TT_STATE_RUNNING));
    assert_false(tt_lifecycle_allowed(TT_STATE_RUNNING, 9));
    assert_false(tt_lifecycle_allowed(-1, 42));
    assert_string_equal(tt_state_name(0), "INVALID");
    assert_string_equal(tt_state_name(99), "INVALID");
}

static void test_walk_and_uptime(void **state)
{
    (void)state;
    tt_lifecycle_t life;
    tt_lifecycle_init(&life, 100);
    assert_int_equal(life.state, TT_STATE_CREATED);
    assert_int_equal(life.running_since_ns, 0);
    assert_int_equal(tt_lifecycle_move(&life, TT_STATE_STARTING, 110), 0);
    assert_int_equal(tt_lifecycle_move(&life, TT_STATE_RUNNING, 120), 0);
    assert_int_equal(life.running_since_ns, 120);
    assert_int_equal(tt_lifecycle_move(&life, TT_STATE_PAUSED, 130), 0);
    assert_int_equal(tt_lifecycle_move(&life, TT_STATE_RUNNING, 140), 0);
    assert_int_equal(life.running_since_ns, 140);
    /* ERROR is left only through RECOVERING. */
    assert_int_equal(tt_lifecycle_move(&life, TT_STATE_ERROR, 150), 0);
    assert_int_equal(tt_lifecycle_move(&life, TT_STATE_RUNNING, 160), -1);
    assert_int_equal(tt_lifecycle_move(&life, TT_STATE_PAUSED, 160), -1);
    assert_int_equal(tt_lifecycle_move(&life, TT_STATE_RECOVERING, 170), 0);
    assert_int_equal(tt_lifecycle_move(&life, TT_STATE_RUNNING, 180), 0);
    assert_int_equal(tt_lifecycle_move(&life, TT_STATE_STOPPING, 190), 0);
    assert_int_equal(tt_lifecycle_move(&life, TT_STATE_RUNNING, 195), -1);
    assert_int_equal(tt_lifecycle_move(&life, TT_STATE_STOPPED, 200), 0);
    assert_int_equal(life.transitions, 9);
    assert_int_equal(life.refused, 3);
    assert_false(tt_state_is_up(life.state));
}

static void test_names_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"CREATED",  "STARTING", "RUNNING", "PAUSED",
                           "STOPPING", "STOPPED",  "ERROR",   "RECOVERING"};
    for (int s = TT_STATE_MIN; s <= TT_STATE_MAX; s++) {
        assert_string_equal(tt_state_name(s), names[s - TT_STATE_MIN]);
        assert_int_equal(tt_state_parse(names[s - TT_STATE_MIN]), s);
    }
    assert_int_equal(tt_state_parse("running"), TT_STATE_RUNNING);
    assert_int_equal(tt_state_parse("RUN"), -1);
    assert_int_equal(tt_state_parse(NULL), -1);
    assert_true(tt_state_is_up(TT_STATE_PAUSED));
    assert_false(tt_state_is_up(TT_STATE_RECOVERING));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_pair),
        cmocka_unit_test(test_out_of_range_refused),
        cmocka_unit_test(test_walk_and_uptime),
        cmocka_unit_test(test_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
