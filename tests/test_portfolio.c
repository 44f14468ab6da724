/*  tests/test_portfolio.c: risk/portfolio.{h,c}, the portfolio-wide
    limits. Every refusal with its reason, release and update, the daily
    loss across groups and its reset at a session open, the per-symbol
    breakers, the EOD lines; and threads racing for the last room, whose
    concurrent holdings are counted by the threads themselves, not by the
    portfolio's own counters. */
#include "tests/harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "risk/portfolio.h"

#define SEC TT_NS_PER_SEC

static tt_portfolio_cfg_t s_cfg(void)
{
    return (tt_portfolio_cfg_t){
        .equity = 10000000,
        .decimals = 2,
        .max_exposure = 35000, /* 350.00 */
        .max_open_positions = 2,
        .max_daily_loss = 5000, /* 50.00 */
        .breaker = {.max_errors = 3, .window_ns = 60 * SEC}};
}

static tt_portfolio_t *s_new(tt_portfolio_cfg_t cfg, size_t slots,
                             size_t groups)
{
    char err[128];
    tt_portfolio_t *pf = tt_portfolio_new(&cfg, slots, groups, err, sizeof err);
    assert_non_null(pf);
    const char *names[] = {"AAA", "BBB", "CCC", "DDD"};
    for (size_t i = 0; i < slots && i < 4; i++)
        assert_int_equal(tt_portfolio_slot_set(pf, i, names[i], i % groups), 0);
    return pf;
}

static tt_risk_reason_t s_reserve(tt_portfolio_t *pf, size_t slot, int64_t x)
{
    tt_risk_decision_t d;
    memset(&d, 0, sizeof d);
    int rc = tt_portfolio_reserve(pf, slot, x, 0, &d);
    assert_int_equal(rc, d.reason == TT_RISK_OK ? 0 : -1);
    if (rc != 0)
        assert_true(d.text[0] != '\0');
    return d.reason;
}

static void test_bad_config(void **state)
{
    (void)state;
    char err[128] = "";
    tt_portfolio_cfg_t cfg = s_cfg();
    cfg.max_exposure = -1;
    assert_null(tt_portfolio_new(&cfg, 2, 1, err, sizeof err));
    assert_non_null(strstr(err, ">= 0"));
    cfg = s_cfg();
    cfg.decimals = 19;
    assert_null(tt_portfolio_new(&cfg, 2, 1, err, sizeof err));
    cfg = s_cfg();
    cfg.breaker.max_errors = 0;
    assert_null(tt_portfolio_new(&cfg, 2, 1, err, sizeof err));
    assert_non_null(strstr(err, "breaker"));
    tt_portfolio_t *pf = s_new(s_cfg(), 2, 1);
    assert_int_equal(tt_portfolio_slot_set(pf, 2, "X", 0), -1);
    assert_int_equal(tt_portfolio_slot_set(pf, 0, "X", 1), -1);
    assert_int_equal(tt_portfolio_slot_set(pf, 0, "", 0), -1);
    tt_portfolio_destroy(&pf);
    assert_null(pf);
    tt_portfolio_destroy(&pf);
}

static void test_limits_and_release(void **state)
{
    (void)state;
    tt_portfolio_t *pf = s_new(s_cfg(), 4, 1);
    assert_int_equal(s_reserve(pf, 0, 20000), TT_RISK_OK);
    /* One position per symbol. */
    assert_int_equal(s_reserve(pf, 0, 100), TT_RISK_POSITION_OPEN);
    /* 200.00 + 150.01 > 350.00; 150.00 fits exactly. */
    assert_int_equal(s_reserve(pf, 1, 15001), TT_RISK_MAX_EXPOSURE);
    assert_int_equal(s_reserve(pf, 1, 15000), TT_RISK_OK);
    /* Two open: the third symbol is refused whatever its size. */
    assert_int_equal(s_reserve(pf, 2, 1), TT_RISK_MAX_OPEN_POSITIONS);
    tt_portfolio_stats_t st;
    tt_portfolio_stats(pf, &st);
    assert_int_equal(st.exposure, 35000);
    assert_int_equal(st.open, 2);
    assert_int_equal(st.reservations, 2);
    assert_int_equal(st.refusals, 3);
    /* The entry of slot 0 filled lower: it holds 180.00 now, and the
       freed room goes to nobody until a slot frees. */
    tt_portfolio_update(pf, 0, 18000, false);
    tt_portfolio_snap_t snap;
    tt_portfolio_snap(pf, 2, &snap);
    assert_int_equal(snap.exposure, 33000);
    assert_int_equal(snap.open_positions, 2);
    assert_int_equal(snap.equity, 10000000);
    assert_int_equal(snap.decimals, 2);
    assert_false(snap.breaker_tripped);
    tt_portfolio_release(pf, 1);
    assert_false(tt_portfolio_held(pf, 1));
    tt_portfolio_release(pf, 1); /* twice: nothing more */
    assert_int_equal(s_reserve(pf, 2, 17000), TT_RISK_OK);
    assert_int_equal(s_reserve(pf, 3, 1), TT_RISK_MAX_OPEN_POSITIONS);
    tt_portfolio_release(pf, 0);
    tt_portfolio_release(pf, 2);
    tt_portfolio_stats(pf, &st);
    assert_int_equal(st.exposure, 0);
    assert_int_equal(st.open, 0);
    assert_int_equal(st.max_exposure, 35000);
    assert_int_equal(st.max_open, 2);
    /* An update of a slot not held changes nothing. */
    tt_portfolio_update(pf, 3, 99999, false);
    tt_portfolio_stats(pf, &st);
    assert_int_equal(st.exposure, 0);
    tt_portfolio_destroy(&pf);
}

/* A partly filled entry keeps what it reserved until the entry is done:
   the rest may still fill. */
static void test_entry_working_keeps_reservation(void **state)
{
    (void)state;
    tt_portfolio_t *pf = s_new(s_cfg(), 2, 1);
    assert_int_equal(s_reserve(pf, 0, 30000), TT_RISK_OK);
    tt_portfolio_update(pf, 0, 10000, true); /* a third filled */
    assert_int_equal(s_reserve(pf, 1, 5001), TT_RISK_MAX_EXPOSURE);
    tt_portfolio_update(pf, 0, 10000, false); /* the rest cancelled */
    assert_int_equal(s_reserve(pf, 1, 25000), TT_RISK_OK);
    tt_portfolio_stats_t st;
    tt_portfolio_stats(pf, &st);
    assert_int_equal(st.exposure, 35000);
    tt_portfolio_destroy(&pf);
}

/* Between a group's close and its next open, its symbols may not enter;
   the other group trades on. */
static void test_session_closed(void **state)
{
    (void)state;
    tt_portfolio_t *pf = s_new(s_cfg(), 2, 2);
    assert_true(tt_portfolio_session_is_open(pf, 0));
    tt_portfolio_session_close(pf, 0);
    assert_false(tt_portfolio_session_is_open(pf, 0));
    assert_int_equal(s_reserve(pf, 0, 100), TT_RISK_SESSION_CLOSED);
    assert_int_equal(s_reserve(pf, 1, 100), TT_RISK_OK);
    assert_int_equal(tt_portfolio_group_of(pf, 1), 1);
    tt_portfolio_session_open(pf, 0, 20240311, 1);
    assert_int_equal(s_reserve(pf, 0, 100), TT_RISK_OK);
    tt_portfolio_destroy(&pf);
}

static void test_no_limits(void **state)
{
    (void)state;
    tt_portfolio_cfg_t cfg = {.decimals = 2,
                              .breaker = {.max_errors = 1, .window_ns = 1}};
    tt_portfolio_t *pf = s_new(cfg, 4, 1);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(s_reserve(pf, i, INT64_MAX / 8), TT_RISK_OK);
    /* The overflow of the sum is a refusal, not a wrap. */
    tt_portfolio_release(pf, 3);
    cfg.max_exposure = INT64_MAX;
    tt_portfolio_destroy(&pf);
    pf = s_new(cfg, 2, 1);
    assert_int_equal(s_reserve(pf, 0, INT64_MAX - 5), TT_RISK_OK);
    assert_int_equal(s_reserve(pf, 1, 10), TT_RISK_MAX_EXPOSURE);
    tt_portfolio_destroy(&pf);
}

/* Losses in two groups add up; a session open of one group clears that
   group's part and lifts the halt. */
static void test_daily_loss_across_groups(void **state)
{
    (void)state;
    tt_portfolio_t *pf = s_new(s_cfg(), 4, 2); /* AAA, CCC in 0; BBB in 1 */
    assert_false(tt_portfolio_trade_closed(pf, 0, -2000, 100, 1));
    assert_false(tt_portfolio_trade_closed(pf, 1, -2000, 100, 2));
    tt_portfolio_snap_t snap;
    tt_portfolio_snap(pf, 0, &snap);
    assert_int_equal(snap.realized_today, -4200);
    assert_int_equal(s_reserve(pf, 2, 100), TT_RISK_OK);
    tt_portfolio_release(pf, 2);
    /* -42.00 - 7.90 - 0.10 = -50.00: the limit, reached exactly. */
    assert_true(tt_portfolio_trade_closed(pf, 2, -790, 10, 3));
    assert_false(tt_portfolio_trade_closed(pf, 2, 10000, 0, 4)); /* latched */
    assert_int_equal(s_reserve(pf, 3, 100), TT_RISK_DAILY_LOSS);
    tt_portfolio_stats_t st;
    tt_portfolio_stats(pf, &st);
    assert_true(st.halted);
    assert_int_equal(st.realized_today, 5000);
    /* EOD of group 0: AAA -21.00, CCC -8.00 then +100.00. */
    tt_eod_line_t lines[4], total;
    assert_int_equal(tt_portfolio_eod(pf, 0, lines, 4, &total), 2);
    assert_string_equal(lines[0].symbol, "AAA");
    assert_int_equal(lines[0].net, -2100);
    assert_string_equal(lines[1].symbol, "CCC");
    assert_int_equal(lines[1].trades, 2);
    assert_int_equal(lines[1].wins, 1);
    assert_int_equal(lines[1].net, 9200);
    assert_int_equal(lines[1].max_drawdown, 800);
    assert_int_equal(total.trades, 3);
    assert_int_equal(total.net, 7100);
    assert_int_equal(total.fees, 110);
    assert_int_equal(total.max_drawdown, 2900);
    assert_int_equal(tt_portfolio_eod(pf, 1, lines, 0, &total), 1);
    assert_int_equal(total.net, -2100);
    /* Group 1's session opens: its -21.00 is forgotten, the halt lifts;
       its summary stays until it is read and reset. */
    tt_portfolio_session_open(pf, 1, 20240311, 5);
    tt_portfolio_snap(pf, 0, &snap);
    assert_int_equal(snap.realized_today, 7100);
    assert_int_equal(tt_portfolio_eod(pf, 1, lines, 4, &total), 1);
    tt_portfolio_eod_reset(pf, 1, 20240311);
    assert_int_equal(tt_portfolio_eod(pf, 1, lines, 4, &total), 0);
    assert_int_equal(total.trades, 0);
    assert_int_equal(s_reserve(pf, 3, 100), TT_RISK_OK);
    tt_portfolio_destroy(&pf);
}

static void test_breakers(void **state)
{
    (void)state;
    tt_portfolio_t *pf = s_new(s_cfg(), 3, 2);
    assert_false(tt_portfolio_broker_error(pf, 0, 1 * SEC));
    assert_false(tt_portfolio_broker_error(pf, 0, 2 * SEC));
    assert_true(tt_portfolio_broker_error(pf, 0, 3 * SEC));
    assert_true(tt_portfolio_breaker_tripped(pf, 0));
    assert_false(tt_portfolio_breaker_tripped(pf, 1));
    assert_int_equal(s_reserve(pf, 0, 100), TT_RISK_BREAKER);
    assert_int_equal(s_reserve(pf, 1, 100), TT_RISK_OK); /* others trade */
    tt_portfolio_snap_t snap;
    tt_portfolio_snap(pf, 0, &snap);
    assert_true(snap.breaker_tripped);
    /* Reset one: only that one. */
    assert_int_equal(tt_portfolio_breaker_reset(pf, 1, 4 * SEC), 0);
    assert_int_equal(tt_portfolio_breaker_reset(pf, 0, 4 * SEC), 1);
    assert_false(tt_portfolio_breaker_tripped(pf, 0));
    /* Trip 0 and 2 (group 0), reset all. */
    for (int i = 0; i < 3; i++) {
        tt_portfolio_broker_error(pf, 0, (10 + i) * SEC);
        tt_portfolio_broker_error(pf, 2, (10 + i) * SEC);
    }
    assert_int_equal(tt_portfolio_breaker_reset(pf, SIZE_MAX, 20 * SEC), 2);
    /* Errors further apart than the window never trip. */
    for (int i = 0; i < 6; i++)
        assert_false(tt_portfolio_broker_error(pf, 0, (100 + 61 * i) * SEC));
    /* A session open of group 0 resets its breakers, not group 1's. */
    for (int i = 0; i < 3; i++) {
        tt_portfolio_broker_error(pf, 1, (1000 + i) * SEC);
        tt_portfolio_broker_error(pf, 2, (1000 + i) * SEC);
    }
    assert_int_equal(tt_portfolio_session_open(pf, 0, 20240312, 2000 * SEC), 1);
    assert_false(tt_portfolio_breaker_tripped(pf, 2));
    assert_true(tt_portfolio_breaker_tripped(pf, 1));
    tt_portfolio_destroy(&pf);
}

/* Threads race: each holds a slot, enters, and counts itself into a
   shared tally of what is held right now; the test keeps the highest
   tally seen. If the portfolio ever let one entry too many through, the
   tally would show it. */
#define S_THREADS 8
#define S_ROUNDS 20000

static struct {
    tt_portfolio_t *pf;
    _Atomic int64_t exposure;
    _Atomic int32_t open;
    _Atomic int64_t max_exposure;
    _Atomic int32_t max_open;
    _Atomic uint64_t granted;
} s_race;

static void s_raise(_Atomic int64_t *max, int64_t v)
{
    int64_t cur = atomic_load(max);
    while (v > cur && !atomic_compare_exchange_weak(max, &cur, v))
        ;
}

static void *s_racer(void *arg)
{
    size_t slot = (size_t)(uintptr_t)arg;
    int64_t size = 10000 + (int64_t)slot * 1000; /* 100.00 .. 107.00 */
    for (int r = 0; r < S_ROUNDS; r++) {
        if (tt_portfolio_reserve(s_race.pf, slot, size, r, NULL) != 0)
            continue;
        atomic_fetch_add(&s_race.granted, 1);
        int64_t x = atomic_fetch_add(&s_race.exposure, size) + size;
        int32_t n = atomic_fetch_add(&s_race.open, 1) + 1;
        s_raise(&s_race.max_exposure, x);
        int32_t cur = atomic_load(&s_race.max_open);
        while (n > cur &&
               !atomic_compare_exchange_weak(&s_race.max_open, &cur, n))
            ;
        /* Give it back before the portfolio learns: the tally is never
           below what the portfolio holds. */
        atomic_fetch_sub(&s_race.exposure, size);
        atomic_fetch_sub(&s_race.open, 1);
        tt_portfolio_release(s_race.pf, slot);
    }
    return NULL;
}

static void test_race_never_over(void **state)
{
    (void)state;
    tt_portfolio_cfg_t cfg = s_cfg();
    cfg.max_daily_loss = 0;
    cfg.max_open_positions = 3;
    cfg.max_exposure = 31000; /* room for 3 x 100.00, never 3 x 103.00+ */
    tt_portfolio_t *pf = s_new(cfg, S_THREADS, 1);
    memset(&s_race, 0, sizeof s_race);
    s_race.pf = pf;
    pthread_t th[S_THREADS];
    for (size_t i = 0; i < S_THREADS; i++)
        assert_int_equal(
            pthread_create(&th[i], NULL, s_racer, (void *)(uintptr_t)i), 0);
    for (size_t i = 0; i < S_THREADS; i++)
        pthread_join(th[i], NULL);
    assert_true(atomic_load(&s_race.granted) > 0);
    assert_true(atomic_load(&s_race.max_open) <= 3);
    assert_true(atomic_load(&s_race.max_exposure) <= 31000);
    tt_portfolio_stats_t st;
    tt_portfolio_stats(pf, &st);
    assert_int_equal(st.exposure, 0);
    assert_int_equal(st.open, 0);
    assert_int_equal(st.reservations, atomic_load(&s_race.granted));
    assert_true(st.max_open <= 3);
    assert_true(st.max_exposure <= 31000);
    tt_portfolio_destroy(&pf);
}

/* ---- the config keys ---------------------------------------------- */

static char s_msgs[2048];

static void s_collect(void *arg, const char *message)
{
    (void)arg;
    strncat(s_msgs, message, sizeof s_msgs - strlen(s_msgs) - 2);
    strcat(s_msgs, "\n");
}

static tt_config_t *s_load(const char *body, int *errors)
{
    char *dir = tth_tmpdir("tt-pfcfg");
    char text[2048];
    snprintf(text, sizeof text,
             "%s"
             "symbols:\n  - symbol: AAA\n    venue: sim\n"
             "    px_decimals: 2\n    qty_decimals: 0\n"
             "    strategy: {kind: sma_cross}\n"
             "    risk: {qty: \"1\"}\n",
             body);
    char *path = tth_write_file(dir, "c.yaml", text);
    s_msgs[0] = '\0';
    tt_config_t *cfg = tt_config_load(path, s_collect, NULL, errors);
    tth_rmtree(dir);
    free(dir);
    free(path);
    return cfg;
}

static void test_config_defaults(void **state)
{
    (void)state;
    int errors = -1;
    tt_config_t *cfg = s_load("venues:\n  - name: sim\n", &errors);
    assert_non_null(cfg);
    assert_int_equal(errors, 0);
    const tt_config_portfolio_t *pf = &cfg->portfolio;
    assert_int_equal(pf->decimals, 2);
    assert_int_equal(pf->equity, 10000000);
    assert_int_equal(pf->max_exposure, 0);
    assert_int_equal(pf->max_open_positions, 0);
    assert_int_equal(pf->max_daily_loss, 0);
    assert_int_equal(pf->breaker_max_errors, 5);
    assert_int_equal(pf->breaker_window_ms, 60000);
    assert_int_equal(cfg->venues[0].calendar, 0);
    assert_int_equal(cfg->venues[0].holiday_count, 0);
    tt_config_destroy(&cfg);
}

static void test_config_values(void **state)
{
    (void)state;
    int errors = -1;
    tt_config_t *cfg =
        s_load("portfolio:\n  decimals: 3\n  equity: \"25000.5\"\n"
               "  max_exposure: 10000\n  max_open_positions: 4\n"
               "  max_daily_loss: \"500.125\"\n  breaker_max_errors: 2\n"
               "  breaker_window_s: 30\n"
               "venues:\n  - name: sim\n    calendar: us_equity\n"
               "    holidays: [\"2024-07-04\", \"2024-12-25\"]\n"
               "    early_closes: [\"2024-07-03\"]\n",
               &errors);
    assert_non_null(cfg);
    const tt_config_portfolio_t *pf = &cfg->portfolio;
    assert_int_equal(pf->equity, 25000500);
    assert_int_equal(pf->max_exposure, 10000000);
    assert_int_equal(pf->max_open_positions, 4);
    assert_int_equal(pf->max_daily_loss, 500125);
    assert_int_equal(pf->breaker_max_errors, 2);
    assert_int_equal(pf->breaker_window_ms, 30000);
    assert_int_equal(cfg->venues[0].calendar, 1);
    assert_int_equal(cfg->venues[0].holiday_count, 2);
    assert_string_equal(cfg->venues[0].holidays[1], "2024-12-25");
    assert_int_equal(cfg->venues[0].early_close_count, 1);
    tt_config_destroy(&cfg);
}

/* Holidays on a 24/7 calendar are a mistake worth saying so. */
static void test_config_dates_need_a_calendar(void **state)
{
    (void)state;
    int errors = 0;
    tt_config_t *cfg = s_load("venues:\n  - name: sim\n"
                              "    holidays: [\"2024-07-04\"]\n",
                              &errors);
    assert_null(cfg);
    assert_int_equal(errors, 1);
    assert_non_null(
        strstr(s_msgs, ":3: venues[0].holidays: the always_open calendar"));
}

/* Every bad value is reported at its own line, all at once. */
static void test_config_errors(void **state)
{
    (void)state;
    int errors = 0;
    tt_config_t *cfg = s_load("portfolio:\n"                      /* 1 */
                              "  max_exposure: \"-5\"\n"          /* 2 */
                              "  max_daily_loss: \"1.001\"\n"     /* 3 */
                              "  breaker_max_errors: 65\n"        /* 4 */
                              "  bogus: 1\n"                      /* 5 */
                              "venues:\n  - name: sim\n"          /* 6, 7 */
                              "    calendar: nyse\n"              /* 8 */
                              "    holidays: [\"2024-02-30\"]\n", /* 9 */
                              &errors);
    assert_null(cfg);
    assert_int_equal(errors, 6);
    assert_non_null(strstr(s_msgs, ":2: portfolio.max_exposure"));
    assert_non_null(strstr(s_msgs, ":3: portfolio.max_daily_loss"));
    assert_non_null(strstr(s_msgs, ":4: portfolio.breaker_max_errors"));
    assert_non_null(strstr(s_msgs, ":5: unknown key 'bogus' in portfolio"));
    assert_non_null(strstr(s_msgs, ":8: venues[0].calendar"));
    assert_non_null(strstr(s_msgs, ":9: venues[0].holidays[0]"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_limits_and_release),
        cmocka_unit_test(test_entry_working_keeps_reservation),
        cmocka_unit_test(test_session_closed),
        cmocka_unit_test(test_no_limits),
        cmocka_unit_test(test_daily_loss_across_groups),
        cmocka_unit_test(test_breakers),
        cmocka_unit_test(test_race_never_over),
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_values),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_config_dates_need_a_calendar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
