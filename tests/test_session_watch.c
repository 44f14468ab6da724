/*  tests/test_session_watch.c: clock/session_watch.{h,c}. The edges of
    US equity sessions across the March 2024 daylight-saving change (the
    close is 21:00 UTC on Friday 8 March, 20:00 UTC on Monday 11 March),
    a holiday skipped, a clock that jumps over whole sessions, and the
    seamless UTC days of a 24/7 calendar. */
#include "tests/harness.h"

#include "clock/session_watch.h"

#define SEC TT_NS_PER_SEC
#define HOUR (3600 * SEC)
/* 2024-03-08 00:00 UTC (a Friday) */
#define FRI (INT64_C(1709856000) * SEC)
#define DAY (24 * HOUR)

static void test_us_equity_across_dst(void **state)
{
    (void)state;
    tt_calendar_t cal;
    assert_int_equal(tt_calendar_init_named(&cal, "us_equity"), TT_CAL_OK);
    tt_session_watch_t w;
    tt_session_t s;
    /* Friday 14:00 UTC = 09:00 EST: before the open. */
    tt_session_watch_init(&w, &cal, FRI + 14 * HOUR);
    assert_int_equal(tt_session_watch_step(&w, FRI + 14 * HOUR, &s),
                     TT_EDGE_NONE);
    /* The next edge is the open, then the close (what a backtest splits
       its steps at). */
    assert_int_equal(tt_session_watch_next(&w), FRI + 14 * HOUR + 1800 * SEC);
    /* 09:30 EST = 14:30 UTC. */
    assert_int_equal(
        tt_session_watch_step(&w, FRI + 14 * HOUR + 1800 * SEC, &s),
        TT_EDGE_OPEN);
    assert_int_equal(s.date, 20240308);
    assert_int_equal(tt_session_watch_next(&w), FRI + 21 * HOUR);
    assert_int_equal(tt_session_watch_step(&w, FRI + 21 * HOUR - 1, &s),
                     TT_EDGE_NONE);
    assert_int_equal(tt_session_watch_step(&w, FRI + 21 * HOUR, &s),
                     TT_EDGE_CLOSE);
    assert_int_equal(s.close, FRI + 21 * HOUR);
    assert_false(tt_session_watch_seamless(&w, &s));
    assert_int_equal(tt_session_watch_next(&w),
                     FRI + 3 * DAY + 13 * HOUR + 1800 * SEC);
    /* The weekend: nothing; Monday opens at 13:30 UTC (09:30 EDT). */
    tt_ns_t mon = FRI + 3 * DAY;
    assert_int_equal(tt_session_watch_step(&w, mon + 13 * HOUR, &s),
                     TT_EDGE_NONE);
    assert_int_equal(
        tt_session_watch_step(&w, mon + 13 * HOUR + 1800 * SEC, &s),
        TT_EDGE_OPEN);
    assert_int_equal(s.date, 20240311);
    assert_int_equal(s.open, mon + 13 * HOUR + 1800 * SEC);
    /* 16:00 EDT = 20:00 UTC, an hour earlier than on Friday. */
    assert_int_equal(tt_session_watch_step(&w, mon + 20 * HOUR - 1, &s),
                     TT_EDGE_NONE);
    assert_int_equal(tt_session_watch_step(&w, mon + 20 * HOUR, &s),
                     TT_EDGE_CLOSE);
    assert_int_equal(s.close, mon + 20 * HOUR);
    assert_int_equal(tt_session_watch_step(&w, mon + 20 * HOUR, &s),
                     TT_EDGE_NONE);
}

/* Started mid-session, then the clock leaps three days: every edge comes
   out, in order; a holiday has none. */
static void test_jump_and_holiday(void **state)
{
    (void)state;
    tt_calendar_t cal;
    tt_calendar_init(&cal, TT_CAL_US_EQUITY);
    assert_int_equal(tt_calendar_add_holiday(&cal, "2024-03-12"), TT_CAL_OK);
    tt_session_watch_t w;
    tt_session_t s;
    tt_ns_t mon = FRI + 3 * DAY;
    tt_session_watch_init(&w, &cal, mon + 15 * HOUR);
    int32_t want_dates[] = {20240311, 20240311, 20240313, 20240313, 20240314};
    tt_session_edge_t want[] = {TT_EDGE_OPEN, TT_EDGE_CLOSE, TT_EDGE_OPEN,
                                TT_EDGE_CLOSE, TT_EDGE_OPEN};
    tt_ns_t later = mon + 3 * DAY + 15 * HOUR; /* Thursday 11:00 EDT */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(tt_session_watch_step(&w, later, &s), want[i]);
        assert_int_equal(s.date, want_dates[i]);
    }
    assert_int_equal(tt_session_watch_step(&w, later, &s), TT_EDGE_NONE);
}

static void test_always_open_days(void **state)
{
    (void)state;
    tt_calendar_t cal;
    tt_calendar_init(&cal, TT_CAL_ALWAYS_OPEN);
    tt_session_watch_t w;
    tt_session_t s;
    tt_session_watch_init(&w, &cal, FRI + 5 * HOUR);
    assert_int_equal(tt_session_watch_step(&w, FRI + 5 * HOUR, &s),
                     TT_EDGE_OPEN);
    assert_int_equal(s.open, FRI);
    assert_int_equal(tt_session_watch_step(&w, FRI + DAY, &s), TT_EDGE_CLOSE);
    assert_true(tt_session_watch_seamless(&w, &s));
    assert_int_equal(tt_session_watch_step(&w, FRI + DAY, &s), TT_EDGE_OPEN);
    assert_int_equal(s.date, 20240309);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_us_equity_across_dst),
        cmocka_unit_test(test_jump_and_holiday),
        cmocka_unit_test(test_always_open_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
