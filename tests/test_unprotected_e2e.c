/*  tests/test_unprotected_e2e.c: a live position must not be left
    without its exits (orders/book_guard.c), end to end: the real
    `ticktree` binary trades BTCUSDT through the Binance broker gateway
    against the local Binance-like server (tests/fakes), which enforces
    3 new orders per 10 s.

    Another client of the account spends 2 of the 3 orders at the start
    of every window, which the gateway cannot know until a reply says so.
    So the entry goes (the gateway counted none in the window) and its
    reply says the window is full (2 + 1): the stop and take-profit (one
    OCO list, 2 orders) are refused here, not sent, "next in S s". The
    position is then open with no stop: health says so, in the tree and
    its JSON, the event stream carries trade.protection, the log says it
    once. Once the window has passed, the stop and take-profit are
    placed exactly once, as one OCO list under new client ids, and the
    flag clears; no market exit was ever sent, the venue never answered
    429. Every wait is bounded. */
#include "tests/fakes/fake_binance.h"
#include "tests/process.h"
#include "tests/venuecheck.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_KEY "bnTESTKEYguard12"
#define S_SECRET "bn-s3cr3t-guard-do-not-log"
#define S_EDGE "broker/live"
#define S_OCO "POST /api/v3/orderList/oco"
#define S_ORDER "POST /api/v3/order"
#define S_SYM "BTCUSDT"
#define S_WINDOW_MS 10000
#define S_REFUSED "not sent: order limit 3 per 10 s"
#define S_BARE_LOG "UNPROTECTED: position 0.500 has no working stop"
#define S_BACK_LOG "the position has a working stop again"

static int64_t s_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool s_exits_refused(const char *dir)
{
    return tth_store_long(dir, "SELECT count(*) FROM orders WHERE reason "
                               "LIKE '" S_REFUSED "%'") >= 2;
}

/* A trade at CENTS, pushed only in the first 2 s of a 10 s window (a
   signal comes at most a candle later, its entry and the refusal of its
   exits then leave most of the window for the checks). The first trade
   of a window lets the other client spend its 2 orders first. False,
   and nothing pushed, once the exits are refused (DIR's store; looked
   at while waiting too, so the refusal is seen in its own window). */
static bool s_trade(fake_binance_t *fake, const char *dir, int64_t cents,
                    int64_t *spent)
{
    int64_t deadline = tth_now_ms() + 3 * S_WINDOW_MS;
    while (tth_now_ms() < deadline && (s_wall_ms() % S_WINDOW_MS < 300 ||
                                       s_wall_ms() % S_WINDOW_MS >= 2000)) {
        if (s_exits_refused(dir))
            return false;
        tth_nap_ms(50);
    }
    if (s_exits_refused(dir))
        return false;
    int64_t window = s_wall_ms() / S_WINDOW_MS;
    if (window != *spent) {
        fake_binance_spend_orders(fake, 2);
        *spent = window;
    }
    tth_binance_trade(fake, cents);
    return true;
}

/* Falling prices for 4 s of trades, then rising ones until the exits of
   the entry are refused (at most 40 s): the fast average crosses. */
static void s_drive(tth_proc_t *proc, fake_binance_t *fake, const char *dir)
{
    int64_t cents = 19000, spent = 0;
    for (int i = 0; i < 40; i++, cents -= 2) {
        assert_true(s_trade(fake, dir, cents, &spent));
        tth_nap_ms(100);
    }
    int64_t deadline = tth_now_ms() + 40000;
    while (tth_now_ms() < deadline) {
        cents += 5;
        if (!s_trade(fake, dir, cents, &spent))
            break;
        tth_nap_ms(100);
    }
    if (!s_exits_refused(dir))
        tth_proc_dump_log(proc);
    assert_true(s_exits_refused(dir));
}

/* The symbol's unprotected flag in health (-1 without a reply). */
static int s_bare(tth_proc_t *proc, uint64_t *ms)
{
    Tt__Reply *reply = NULL;
    Tt__Health *h = tth_health(proc, &reply);
    int bare = -1;
    for (size_t i = 0; h && i < h->n_symbols; i++)
        if (!strcmp(h->symbols[i]->symbol, S_SYM)) {
            bare = h->symbols[i]->unprotected;
            if (ms)
                *ms = h->symbols[i]->unprotected_ms;
        }
    if (reply)
        tt__reply__free_unpacked(reply, NULL);
    return bare;
}

static void s_wait_bare(tth_proc_t *proc, int want, int timeout_ms)
{
    int64_t deadline = tth_now_ms() + timeout_ms;
    while (s_bare(proc, NULL) != want && tth_now_ms() < deadline)
        tth_nap_ms(50);
    if (s_bare(proc, NULL) != want)
        tth_proc_dump_log(proc);
    assert_int_equal(s_bare(proc, NULL), want);
}

/* `ticktree health` (text and --json) shows the bare position. */
static void s_health_shows(const char *dir)
{
    char endpoint[512];
    snprintf(endpoint, sizeof endpoint, "ipc://%s/control", dir);
    const char *text[] = {"health", "--endpoint", endpoint, NULL};
    const char *json[] = {"health", "--json", "--endpoint", endpoint, NULL};
    char *out = NULL;
    assert_int_equal(tth_run_binary(text, &out), 0);
    if (!strstr(out, "UNPROTECTED: no working stop"))
        fail_msg("health does not say UNPROTECTED:\n%s", out);
    free(out);
    out = NULL;
    assert_int_equal(tth_run_binary(json, &out), 0);
    if (!strstr(out, "\"unprotected\": true"))
        fail_msg("health --json does not say unprotected:\n%s", out);
    free(out);
}

/* The protection events in order: bare with the refusal, then back. */
static void s_events_show(const char *dir)
{
    char events[512], replay[512];
    snprintf(events, sizeof events, "ipc://%s/events", dir);
    snprintf(replay, sizeof replay, "ipc://%s/replay", dir);
    const char *args[] = {"events",
                          "--endpoint",
                          events,
                          "--replay",
                          replay,
                          "--from",
                          "1",
                          "--count",
                          "2",
                          "--idle-timeout",
                          "15000",
                          "--topic",
                          "trade.protection." S_SYM,
                          NULL};
    char *out = NULL;
    int rc = tth_run_binary(args, &out);
    if (rc != 0)
        fail_msg("ticktree events exited %d:\n%s", rc, out);
    const char *bare =
        strstr(out, "UNPROTECTED: no working stop (" S_REFUSED ", next in ");
    const char *back = bare ? strstr(bare, "protected: a working stop") : NULL;
    if (!bare || !back)
        fail_msg("no bare-then-protected events:\n%s", out);
    free(out);
}

/* GOT == WANT, else the service's log first (what happened, when). */
static void s_expect(const tth_proc_t *proc, long got, long want,
                     const char *what)
{
    if (got == want)
        return;
    tth_proc_dump_log(proc);
    fail_msg("%s: %ld, not %ld", what, got, want);
}

static long s_count(const char *hay, const char *needle)
{
    long n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_refused_exits_go_once_the_window_passes(void **state)
{
    (void)state;
    fake_binance_t *fake =
        tth_fake_binance_spot((fake_binance_cfg_t){.api_key = S_KEY,
                                                   .secret = S_SECRET,
                                                   .enforce_balance = true,
                                                   .order_limit_10s = 3});
    char *dir = tth_tmpdir("tt-bnguard");
    tth_proc_t *proc = tth_binance_sma_spawn(fake, dir, S_KEY, S_SECRET, 1);
    tth_venue_wait(proc, S_EDGE, S_SYM, tth_venue_listening, 1, 10000,
                   "user-data stream open");

    s_drive(proc, fake, dir);
    int64_t refused_at = s_wall_ms();
    /* The entry went and filled; its exits were refused here. */
    s_expect(proc, (long)fake_binance_requests(fake, S_ORDER), 1, "orders");
    s_expect(proc, (long)fake_binance_requests(fake, S_OCO), 0, "OCO lists");
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM orders WHERE "
                                         "reason LIKE '" S_REFUSED "%' AND "
                                         "(coid LIKE '%-s' OR coid LIKE "
                                         "'%-t') AND state = 6"),
                     2);
    s_wait_bare(proc, 1, 3000);
    s_health_shows(dir);
    /* Still within the full window: nothing more was sent. */
    assert_int_equal(s_wall_ms() / S_WINDOW_MS, refused_at / S_WINDOW_MS);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 0);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 1);

    /* The next window: the stop and take-profit go once, as one list. */
    s_wait_bare(proc, 0, S_WINDOW_MS + 5000);
    assert_int_not_equal(s_wall_ms() / S_WINDOW_MS, refused_at / S_WINDOW_MS);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 1); /* no exit */
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM orders WHERE "
                                         "(coid LIKE '%-s' OR coid LIKE "
                                         "'%-t') AND state = 2"),
                     2);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM orders WHERE "
                                         "coid LIKE '%-x'"),
                     0);
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(st.http_429 + st.http_418, 0);
    assert_true(st.max_orders_10s <= 3);
    assert_int_equal(fake_binance_coid_max(fake), 1);
    s_events_show(dir);
    /* Said once in the log, not at every retry. */
    char *log = tth_read_file(proc->log);
    assert_non_null(log);
    assert_int_equal(s_count(log, S_BARE_LOG), 1);
    assert_int_equal(s_count(log, S_BACK_LOG), 1);
    free(log);
    tth_binance_end(&proc, &fake, S_KEY, S_SECRET);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_exits_go_once_the_window_passes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
