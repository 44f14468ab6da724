/*  tests/test_sessions.c: market-session calendars (clock/sessions.h) and
    the end-of-day summary arithmetic (clock/eod.h).

    Expected instants are known UTC times: New York 09:30 is 14:30 UTC in
    winter (EST, UTC-5) and 13:30 UTC in summer (EDT, UTC-4). They are
    built by s_utc(), a deliberately naive day-counting loop unrelated to
    the code under test, and a few are pinned as literal epoch seconds as
    well (checked against the system's tz database when written). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/harness.h"

#include "clock/eod.h"
#include "clock/sessions.h"

#define NS TT_NS_PER_SEC

static int s_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* UTC Y-M-D hh:mm:ss as ns, by counting days from 1970. */
static tt_ns_t s_utc(int y, int m, int d, int hh, int mm, int ss)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days = 0;
    for (int yy = 1970; yy < y; yy++)
        days += 365 + s_leap(yy);
    for (int i = 1; i < m; i++)
        days += mdays[i - 1] + (i == 2 && s_leap(y));
    days += d - 1;
    return ((days * 86400) + hh * 3600 + mm * 60 + ss) * NS;
}

static tt_calendar_t s_us;
static tt_calendar_t s_crypto;

static int s_setup(void **state)
{
    (void)state;
    tt_calendar_init(&s_us, TT_CAL_US_EQUITY);
    tt_calendar_init(&s_crypto, TT_CAL_ALWAYS_OPEN);
    return 0;
}

/* Asserts the session of local date Y-M-D opens and closes at the given
   UTC hours (open at hh_open:30). */
static void s_expect_day(const tt_calendar_t *cal, int y, int m, int d,
                         int hh_open, int hh_close)
{
    tt_session_t s;
    tt_ns_t noon_ny = s_utc(y, m, d, 16, 0, 0);
    assert_int_equal(tt_calendar_session(cal, noon_ny, &s), 0);
    assert_int_equal(s.date, y * 10000 + m * 100 + d);
    assert_int_equal(s.open, s_utc(y, m, d, hh_open, 30, 0));
    assert_int_equal(s.close, s_utc(y, m, d, hh_close, 0, 0));
    assert_true(tt_calendar_is_open(cal, s.open));
    assert_false(tt_calendar_is_open(cal, s.open - 1));
    assert_true(tt_calendar_is_open(cal, s.close - 1));
    assert_false(tt_calendar_is_open(cal, s.close));
}

static void test_reference_instants(void **state)
{
    (void)state;
    assert_int_equal(s_utc(2026, 1, 5, 14, 30, 0), INT64_C(1767623400) * NS);
    assert_int_equal(s_utc(2026, 3, 9, 13, 30, 0), INT64_C(1773063000) * NS);
    assert_int_equal(s_utc(2026, 11, 2, 14, 30, 0), INT64_C(1793629800) * NS);
}

static void test_winter_and_summer_days(void **state)
{
    (void)state;
    s_expect_day(&s_us, 2026, 1, 6, 14, 21);  /* Tuesday, EST */
    s_expect_day(&s_us, 2026, 7, 15, 13, 20); /* Wednesday, EDT */
    tt_session_t s;
    assert_int_equal(
        tt_calendar_session(&s_us, s_utc(2026, 1, 5, 15, 0, 0), &s), 0);
    assert_int_equal(s.open, INT64_C(1767623400) * NS);
    assert_false(s.early);
}

static void test_dst_change_weeks(void **state)
{
    (void)state;
    /* 2026: DST from Sunday March 8, to Sunday November 1. */
    s_expect_day(&s_us, 2026, 3, 6, 14, 21);
    s_expect_day(&s_us, 2026, 3, 9, 13, 20);
    s_expect_day(&s_us, 2026, 10, 30, 13, 20);
    s_expect_day(&s_us, 2026, 11, 2, 14, 21);
    /* 2025: March 9 and November 2. */
    s_expect_day(&s_us, 2025, 3, 7, 14, 21);
    s_expect_day(&s_us, 2025, 3, 10, 13, 20);
    s_expect_day(&s_us, 2025, 10, 31, 13, 20);
    s_expect_day(&s_us, 2025, 11, 3, 14, 21);
    /* 2027: March 14 and November 7 (late: the 1st is a Monday). */
    s_expect_day(&s_us, 2027, 3, 12, 14, 21);
    s_expect_day(&s_us, 2027, 3, 15, 13, 20);
    s_expect_day(&s_us, 2027, 11, 5, 13, 20);
    s_expect_day(&s_us, 2027, 11, 8, 14, 21);
    /* The Monday a week before each 2027 change: 2027-03-08 is still
       winter, 2027-11-01 still summer. */
    s_expect_day(&s_us, 2027, 3, 8, 14, 21);
    s_expect_day(&s_us, 2027, 11, 1, 13, 20);
}

static void test_dst_transition_instants(void **state)
{
    (void)state;
    /* 02:00 EST on 2026-03-08 is 07:00 UTC. */
    assert_int_equal(tt_ny_utc_offset(s_utc(2026, 3, 8, 7, 0, 0) - 1), -18000);
    assert_int_equal(tt_ny_utc_offset(s_utc(2026, 3, 8, 7, 0, 0)), -14400);
    /* 02:00 EDT on 2026-11-01 is 06:00 UTC. */
    assert_int_equal(tt_ny_utc_offset(s_utc(2026, 11, 1, 6, 0, 0) - 1), -14400);
    assert_int_equal(tt_ny_utc_offset(s_utc(2026, 11, 1, 6, 0, 0)), -18000);
    assert_int_equal(tt_ny_utc_offset(s_utc(2025, 3, 9, 6, 59, 59)), -18000);
    assert_int_equal(tt_ny_utc_offset(s_utc(2025, 3, 9, 7, 0, 0)), -14400);
    assert_int_equal(tt_ny_utc_offset(s_utc(2027, 11, 7, 5, 59, 59)), -14400);
    assert_int_equal(tt_ny_utc_offset(s_utc(2027, 11, 7, 6, 0, 0)), -18000);
    assert_int_equal(tt_ny_utc_offset(s_utc(2026, 1, 1, 0, 0, 0)), -18000);
    assert_int_equal(tt_ny_utc_offset(s_utc(2026, 12, 31, 23, 0, 0)), -18000);
}

static void test_weekend_and_next_open(void **state)
{
    (void)state;
    /* Saturday noon New York is closed. */
    assert_false(tt_calendar_is_open(&s_us, s_utc(2026, 7, 18, 16, 0, 0)));
    /* Friday 2026-07-17 20:00 New York = Saturday 00:00 UTC. */
    tt_ns_t fri_evening = s_utc(2026, 7, 18, 0, 0, 0);
    tt_ns_t t = 0;
    assert_int_equal(tt_calendar_next_open(&s_us, fri_evening, &t), 0);
    assert_int_equal(t, s_utc(2026, 7, 20, 13, 30, 0));
    assert_int_equal(tt_calendar_next_close(&s_us, fri_evening, &t), 0);
    assert_int_equal(t, s_utc(2026, 7, 20, 20, 0, 0));
    assert_int_equal(tt_calendar_session_id(&s_us, fri_evening), 20260720);
    /* Winter Friday evening, across the weekend. */
    assert_int_equal(
        tt_calendar_next_open(&s_us, s_utc(2026, 1, 9, 22, 0, 0), &t), 0);
    assert_int_equal(t, s_utc(2026, 1, 12, 14, 30, 0));
    /* Friday before the spring change to the Monday after it. */
    assert_int_equal(
        tt_calendar_next_open(&s_us, s_utc(2026, 3, 6, 21, 0, 0), &t), 0);
    assert_int_equal(t, s_utc(2026, 3, 9, 13, 30, 0));
    /* And across the autumn change: Friday 16:00 EDT (20:00 UTC) to
       Monday 09:30 EST (14:30 UTC), in 2026 and 2025. */
    assert_int_equal(
        tt_calendar_next_open(&s_us, s_utc(2026, 10, 30, 20, 0, 0), &t), 0);
    assert_int_equal(t, s_utc(2026, 11, 2, 14, 30, 0));
    assert_int_equal(tt_calendar_session_id(&s_us, s_utc(2026, 11, 1, 6, 0, 0)),
                     20261102);
    assert_int_equal(
        tt_calendar_next_open(&s_us, s_utc(2025, 10, 31, 20, 0, 0), &t), 0);
    assert_int_equal(t, s_utc(2025, 11, 3, 14, 30, 0));
}

static void test_next_open_close_edges(void **state)
{
    (void)state;
    tt_ns_t open = s_utc(2026, 7, 15, 13, 30, 0);
    tt_ns_t close = s_utc(2026, 7, 15, 20, 0, 0);
    tt_ns_t t = 0;
    assert_int_equal(tt_calendar_next_open(&s_us, open, &t), 0);
    assert_int_equal(t, open);
    assert_int_equal(tt_calendar_next_open(&s_us, open + 1, &t), 0);
    assert_int_equal(t, s_utc(2026, 7, 16, 13, 30, 0));
    assert_int_equal(tt_calendar_next_close(&s_us, open, &t), 0);
    assert_int_equal(t, close);
    assert_int_equal(tt_calendar_next_close(&s_us, close, &t), 0);
    assert_int_equal(t, s_utc(2026, 7, 16, 20, 0, 0));
    assert_int_equal(tt_calendar_next_close(&s_us, close - 1, &t), 0);
    assert_int_equal(t, close);
}

static void test_session_ids(void **state)
{
    (void)state;
    /* 2026-07-15 02:00 UTC is 22:00 on the 14th in New York: the next
       session is the 15th's. */
    assert_int_equal(tt_calendar_session_id(&s_us, s_utc(2026, 7, 15, 2, 0, 0)),
                     20260715);
    /* 19:00 New York on the 14th (after the close): also the 15th. */
    assert_int_equal(
        tt_calendar_session_id(&s_us, s_utc(2026, 7, 14, 23, 0, 0)), 20260715);
    /* 15:59 New York on the 14th: the 14th. */
    assert_int_equal(
        tt_calendar_session_id(&s_us, s_utc(2026, 7, 14, 19, 59, 0)), 20260714);
    /* Always-open sessions are UTC days. */
    assert_int_equal(
        tt_calendar_session_id(&s_crypto, s_utc(2026, 7, 14, 23, 59, 59)),
        20260714);
    assert_int_equal(
        tt_calendar_session_id(&s_crypto, s_utc(2026, 7, 15, 0, 0, 0)),
        20260715);
}

static void test_holidays(void **state)
{
    (void)state;
    tt_calendar_t cal;
    tt_calendar_init(&cal, TT_CAL_US_EQUITY);
    assert_int_equal(tt_calendar_add_holiday(&cal, "2026-01-19"), TT_CAL_OK);
    assert_int_equal(tt_calendar_add_holiday(&cal, "2026-01-19"), TT_CAL_OK);
    assert_int_equal(tt_calendar_add_holiday(&cal, "2026-12-25"), TT_CAL_OK);
    assert_int_equal(cal.holiday_count, 2);
    /* Martin Luther King day, a Monday: closed all day. */
    assert_false(tt_calendar_is_open(&cal, s_utc(2026, 1, 19, 16, 0, 0)));
    assert_true(tt_calendar_is_open(&s_us, s_utc(2026, 1, 19, 16, 0, 0)));
    tt_ns_t t = 0;
    assert_int_equal(
        tt_calendar_next_open(&cal, s_utc(2026, 1, 16, 22, 0, 0), &t), 0);
    assert_int_equal(t, s_utc(2026, 1, 20, 14, 30, 0));
    assert_int_equal(tt_calendar_session_id(&cal, s_utc(2026, 1, 17, 12, 0, 0)),
                     20260120);
    /* Christmas (a Friday in 2026): Thursday's close to Monday's open. */
    assert_int_equal(
        tt_calendar_next_open(&cal, s_utc(2026, 12, 24, 21, 0, 0), &t), 0);
    assert_int_equal(t, s_utc(2026, 12, 28, 14, 30, 0));
}

static void test_early_close(void **state)
{
    (void)state;
    tt_calendar_t cal;
    tt_calendar_init(&cal, TT_CAL_US_EQUITY);
    assert_int_equal(tt_calendar_add_early_close(&cal, "2026-11-27"), 0);
    assert_int_equal(tt_calendar_add_early_close(&cal, "2026-07-02"), 0);
    tt_session_t s;
    /* Day after Thanksgiving: 13:00 EST = 18:00 UTC. */
    assert_int_equal(
        tt_calendar_session(&cal, s_utc(2026, 11, 27, 15, 0, 0), &s), 0);
    assert_true(s.early);
    assert_int_equal(s.open, s_utc(2026, 11, 27, 14, 30, 0));
    assert_int_equal(s.close, s_utc(2026, 11, 27, 18, 0, 0));
    assert_false(tt_calendar_is_open(&cal, s_utc(2026, 11, 27, 18, 30, 0)));
    /* A summer early close: 13:00 EDT = 17:00 UTC. */
    tt_ns_t t = 0;
    assert_int_equal(
        tt_calendar_next_close(&cal, s_utc(2026, 7, 2, 14, 0, 0), &t), 0);
    assert_int_equal(t, s_utc(2026, 7, 2, 17, 0, 0));
    /* A holiday wins over an early close on the same date. */
    assert_int_equal(tt_calendar_add_holiday(&cal, "2026-07-02"), 0);
    assert_false(tt_calendar_is_open(&cal, s_utc(2026, 7, 2, 14, 0, 0)));
}

static void test_always_open(void **state)
{
    (void)state;
    tt_ns_t sat = s_utc(2026, 7, 18, 3, 17, 0);
    assert_true(tt_calendar_is_open(&s_crypto, sat));
    assert_true(tt_calendar_is_open(&s_crypto, s_utc(2026, 12, 25, 0, 0, 0)));
    tt_session_t s;
    assert_int_equal(tt_calendar_session(&s_crypto, sat, &s), 0);
    assert_int_equal(s.open, s_utc(2026, 7, 18, 0, 0, 0));
    assert_int_equal(s.close, s_utc(2026, 7, 19, 0, 0, 0));
    tt_ns_t t = 0;
    assert_int_equal(tt_calendar_next_close(&s_crypto, sat, &t), 0);
    assert_int_equal(t, s_utc(2026, 7, 19, 0, 0, 0));
    assert_int_equal(tt_calendar_add_holiday(&s_crypto, "2026-12-25"),
                     TT_CAL_EKIND);
}

static void test_config_errors(void **state)
{
    (void)state;
    int32_t d = 0;
    assert_int_equal(tt_calendar_parse_date("2024-02-29", &d), TT_CAL_OK);
    assert_int_equal(d, 20240229);
    const char *bad[] = {
        "2026-02-29", "2026-13-01", "2026-1-01",   "",           "abcd-ef-gh",
        "2026-04-31", "1969-12-31", "2026-01-011", "2026/01/01", "2100-02-29"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tt_calendar_parse_date(bad[i], &d), TT_CAL_EDATE);
    assert_int_equal(tt_calendar_parse_date(NULL, &d), TT_CAL_EDATE);
    tt_calendar_t cal;
    assert_int_equal(tt_calendar_init_named(&cal, "nyse"), TT_CAL_ENAME);
    assert_int_equal(tt_calendar_init_named(&cal, "us_equity"), TT_CAL_OK);
    assert_int_equal(cal.kind, TT_CAL_US_EQUITY);
    assert_int_equal(tt_calendar_add_holiday(&cal, "2026-02-30"), TT_CAL_EDATE);
    assert_int_equal(cal.holiday_count, 0);
    assert_non_null(strstr(tt_calendar_strerror(TT_CAL_EDATE), "YYYY-MM-DD"));
}

/* A holiday list that closes every weekday for more than the search
   horizon (512 weekdays, about two years): the calendar says so instead of
   looping or inventing one. */
static void test_no_session_found(void **state)
{
    (void)state;
    static tt_calendar_t cal;
    tt_calendar_init(&cal, TT_CAL_US_EQUITY);
    tt_ns_t day = s_utc(2026, 1, 1, 12, 0, 0);
    int added = 0;
    for (int i = 0; added < TT_CAL_MAX_DATES; i++) {
        time_t secs = (time_t)(day / NS) + (time_t)i * 86400;
        struct tm tm;
        gmtime_r(&secs, &tm);
        if (tm.tm_wday == 0 || tm.tm_wday == 6)
            continue;
        char text[16];
        strftime(text, sizeof text, "%Y-%m-%d", &tm);
        assert_int_equal(tt_calendar_add_holiday(&cal, text), 0);
        added++;
    }
    assert_int_equal(tt_calendar_add_holiday(&cal, "2030-01-02"), TT_CAL_EFULL);
    tt_session_t s;
    assert_int_equal(tt_calendar_session(&cal, day, &s), -1);
    assert_false(tt_calendar_is_open(&cal, day));
    assert_int_equal(tt_calendar_session_id(&cal, day), 0);
    tt_ns_t t = 0;
    assert_int_equal(tt_calendar_next_open(&cal, day, &t), -1);
    /* Out of the supported range. */
    assert_int_equal(tt_calendar_session(&s_us, -1, &s), -1);
}

/* Nothing depends on the process's time zone. */
static void test_process_tz_ignored(void **state)
{
    (void)state;
    setenv("TZ", "Asia/Tokyo", 1);
    tzset();
    s_expect_day(&s_us, 2026, 3, 9, 13, 20);
    s_expect_day(&s_us, 2026, 1, 6, 14, 21);
    setenv("TZ", "UTC", 1);
    tzset();
}

/* Trades (gross, fee): AAPL +100/5, MSFT -50/5, AAPL -200/10, MSFT 0/0,
   AAPL +300/10. Nets 95, -55, -210, 0, 290.
   Total equity 95, 40, -170, -170, 120: peak 95, max drawdown 265.
   AAPL equity 95, -115, 175: max drawdown 210; MSFT -55, -55: 55. */
static void test_eod_summary(void **state)
{
    (void)state;
    tt_eod_t *eod = tt_eod_new(8);
    assert_non_null(eod);
    tt_eod_reset(eod, 20260715);
    assert_int_equal(tt_eod_add_trade(eod, "AAPL", 100, 5), 0);
    assert_int_equal(tt_eod_add_trade(eod, "MSFT", -50, 5), 0);
    assert_int_equal(tt_eod_add_trade(eod, "AAPL", -200, 10), 0);
    assert_int_equal(tt_eod_add_trade(eod, "MSFT", 0, 0), 0);
    assert_int_equal(tt_eod_add_trade(eod, "AAPL", 300, 10), 0);
    const tt_eod_line_t *t = tt_eod_total(eod);
    assert_int_equal(t->trades, 5);
    assert_int_equal(t->wins, 2);
    assert_int_equal(tt_eod_win_rate_bp(t), 4000);
    assert_int_equal(t->gross, 150);
    assert_int_equal(t->fees, 30);
    assert_int_equal(t->net, 120);
    assert_int_equal(t->max_drawdown, 265);
    assert_int_equal(tt_eod_count(eod), 2);
    const tt_eod_line_t *a = tt_eod_find(eod, "AAPL");
    assert_non_null(a);
    assert_ptr_equal(a, tt_eod_at(eod, 0));
    assert_int_equal(a->trades, 3);
    assert_int_equal(tt_eod_win_rate_bp(a), 6666);
    assert_int_equal(a->net, 175);
    assert_int_equal(a->max_drawdown, 210);
    const tt_eod_line_t *m = tt_eod_find(eod, "MSFT");
    assert_int_equal(m->wins, 0);
    assert_int_equal(tt_eod_win_rate_bp(m), 0);
    assert_int_equal(m->gross, -50);
    assert_int_equal(m->max_drawdown, 55);
    assert_int_equal(tt_eod_session_id(eod), 20260715);
    tt_eod_destroy(&eod);
    assert_null(eod);
    tt_eod_destroy(&eod);
}

static void test_eod_anomalies(void **state)
{
    (void)state;
    tt_eod_t *eod = tt_eod_new(2);
    tt_eod_reset(eod, 20260716);
    assert_int_equal(tt_eod_win_rate_bp(tt_eod_total(eod)), 0);
    assert_int_equal(tt_eod_add_trade(eod, "", 10, 0), -1);
    assert_int_equal(tt_eod_add_trade(eod, NULL, 10, 0), -1);
    assert_int_equal(tt_eod_add_trade(eod, "A", 10, -1), -1);
    char longname[TT_EOD_SYMBOL_MAX + 1];
    memset(longname, 'X', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(tt_eod_add_trade(eod, longname, 10, 0), -1);
    assert_int_equal(tt_eod_add_trade(eod, "A", 10, 0), 0);
    assert_int_equal(tt_eod_add_trade(eod, "B", 10, 0), 0);
    assert_int_equal(tt_eod_add_trade(eod, "C", 10, 0), -1);
    assert_int_equal(tt_eod_add_trade(eod, "A", 10, 0), 0);
    assert_int_equal(tt_eod_total(eod)->trades, 3);
    assert_null(tt_eod_find(eod, "C"));
    tt_eod_reset(eod, 20260717);
    assert_int_equal(tt_eod_count(eod), 0);
    assert_int_equal(tt_eod_total(eod)->trades, 0);
    assert_null(tt_eod_find(eod, "A"));
    tt_eod_destroy(&eod);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_instants),
        cmocka_unit_test(test_winter_and_summer_days),
        cmocka_unit_test(test_dst_change_weeks),
        cmocka_unit_test(test_dst_transition_instants),
        cmocka_unit_test(test_weekend_and_next_open),
        cmocka_unit_test(test_next_open_close_edges),
        cmocka_unit_test(test_session_ids),
        cmocka_unit_test(test_holidays),
        cmocka_unit_test(test_early_close),
        cmocka_unit_test(test_always_open),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_no_session_found),
        cmocka_unit_test(test_process_tz_ignored),
        cmocka_unit_test(test_eod_summary),
        cmocka_unit_test(test_eod_anomalies),
    };
    return cmocka_run_group_tests(tests, s_setup, NULL);
}
