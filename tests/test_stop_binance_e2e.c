/*  tests/test_stop_binance_e2e.c: a graceful stop with an order's REST
    request on the wire at Binance spot, through the real `ticktree`
    binary against the local Binance-like server (tests/fakes) on
    127.0.0.1; the same two cases as tests/test_stop_venue_e2e.c (Alpaca).

    The service enters (a market buy, filled at the venue) and sends the
    bracket's exits as one OCO order list (POST /api/v3/orderList/oco),
    every HTTP answer held back by the fake. SIGTERM comes as soon as the
    fake has taken the list's POST.

    answer in budget   1.5 s late: the stop waits for it; both legs are
                       accepted in the store with their venue ids,
                       nothing is named; a restart changes nothing and
                       sends nothing.
    answer too late    4 s late: the execution actor stops without it and
                       names both legs. The restart asks the venue by
                       client order id and adopts them; nothing is sent
                       again; the take-profit's fill reaches the position
                       and the ledger once and the venue expires the stop.

    The fake's records (requests by route, client ids received, order
    status) are the truth; every wait is bounded. */
#include "tests/fakes/fake_binance.h"
#include "tests/process.h"
#include "tests/storecheck.h"
#include "tests/venuecheck.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_KEY "bnTESTKEYstop12"
#define S_SECRET "bn-s3cr3t-stop-do-not-log"
#define S_EDGE "broker/live"
#define S_SYM "BTCUSDT"
#define S_POST "POST /api/v3/order"
#define S_OCO "POST /api/v3/orderList/oco"
#define S_UNSENT " not sent: the store had not confirmed it"
#define S_UNANSWERED " sent, no answer from the venue when the actor stopped"

static int64_t s_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static fake_binance_t *s_fake(void)
{
    return tth_fake_binance_spot((fake_binance_cfg_t){
        .api_key = S_KEY, .secret = S_SECRET, .enforce_balance = true});
}

static char *s_config(const char *dir, int port)
{
    char venue[1024];
    tth_binance_venue_yaml(dir, port, "TT_TEST_STOP_BN_KEY", S_KEY, S_SECRET,
                           ", listen_key_keepalive_s: 1800", venue,
                           sizeof venue);
    return tth_venue_config(
        dir, venue,
        "  timeframes: [1]\n"
        "  stale_ms: 120000\n"
        "  strategy:\n    kind: sma_cross\n"
        "    params: {fast: 2, slow: 4, stop_pct: 1, "
        "target_r: 2}\n"
        "  risk:\n    sizing: fixed_qty\n    qty: \"0.5\"\n",
        "  - symbol: " S_SYM "\n    px_decimals: 2\n"
        "    qty_decimals: 3\n");
}

static bool s_flat_after(const tth_venue_seen_t *s, uint64_t want)
{
    return s->fills >= want && !strcmp(s->position, "0.000");
}

static void s_trade(fake_binance_t *fake, int64_t cents)
{
    char px[32];
    snprintf(px, sizeof px, "%lld.%02lld", (long long)(cents / 100),
             (long long)(cents % 100));
    assert_int_equal(
        fake_binance_push_trade(fake, S_SYM, px, "0.1", s_wall_ms(), true), 0);
}

/* Waits at most TIMEOUT_MS for the fake to have taken WANT requests on
   ROUTE; asserts it has. */
static void s_wait_route(tth_proc_t *proc, fake_binance_t *fake,
                         const char *route, uint64_t want, int timeout_ms)
{
    int64_t deadline = tth_now_ms() + timeout_ms;
    while (fake_binance_requests(fake, route) < want && tth_now_ms() < deadline)
        tth_nap_ms(5);
    if (fake_binance_requests(fake, route) < want) {
        tth_proc_dump_log(proc);
        fail_msg("the fake took %llu %s, not %llu",
                 (unsigned long long)fake_binance_requests(fake, route), route,
                 (unsigned long long)want);
    }
}

/* Up to the exits' OCO list POST at the fake, every answer DELAY_MS
   late. */
static tth_proc_t *s_up_to_oco_on_wire(fake_binance_t *fake, char *dir,
                                       int delay_ms)
{
    char *text = s_config(dir, fake_binance_port(fake));
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    free(text);
    tth_venue_wait(proc, S_EDGE, S_SYM, tth_venue_edges_listening, 1, 10000,
                   "user-data stream open");
    fake_binance_set_delay_ms(fake, delay_ms);
    int64_t cents = 19000;
    for (int i = 0; i < 60; i++, cents -= 2) {
        s_trade(fake, cents);
        tth_nap_ms(100);
    }
    /* A cross within a few candles; up to 30 s on a loaded machine. */
    int64_t deadline = tth_now_ms() + 30000;
    while (fake_binance_requests(fake, S_POST) < 1 && tth_now_ms() < deadline) {
        cents += 5;
        s_trade(fake, cents);
        tth_nap_ms(100);
    }
    s_wait_route(proc, fake, S_POST, 1, 0);
    s_wait_route(proc, fake, S_OCO, 1, 3 * delay_ms + 10000);
    return proc;
}

static void s_restart(tth_proc_t *proc, fake_binance_t *fake, const char *log)
{
    fake_binance_set_delay_ms(fake, 0);
    tth_venue_respawn(proc, log);
    if (!tth_wait_file_holds(proc->log, S_SYM ": restart reconciled", 15000)) {
        tth_proc_dump_log(proc);
        fail_msg("the restart did not reconcile %s with the venue", S_SYM);
    }
    tth_venue_wait(proc, S_EDGE, S_SYM, tth_venue_edges_listening, 1, 10000,
                   "user-data stream open after the restart");
}

/* The venue holds each leg once, working. */
static void s_legs_at_venue(fake_binance_t *fake, const char *target,
                            const char *stop)
{
    char status[32];
    assert_int_equal(fake_binance_coid_count(fake, target), 1);
    assert_int_equal(fake_binance_coid_count(fake, stop), 1);
    assert_int_equal(
        fake_binance_order_status(fake, target, status, sizeof status), 0);
    assert_string_equal(status, "NEW");
    assert_int_equal(
        fake_binance_order_status(fake, stop, status, sizeof status), 0);
    assert_string_equal(status, "NEW");
}

static void s_sent_once(fake_binance_t *fake)
{
    assert_int_equal(fake_binance_requests(fake, S_POST), 1);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);
    assert_int_equal(fake_binance_coid_max(fake), 1);
}

static void test_answer_within_budget(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-bnstopwire");
    tth_proc_t *proc = s_up_to_oco_on_wire(fake, dir, 1500);
    tth_proc_term(proc);
    char target[64], stop[64];
    tth_store_last_coid(dir, "%-t", target);
    tth_store_last_coid(dir, "%-s", stop);
    s_sent_once(fake);
    s_legs_at_venue(fake, target, stop);
    tth_store_legs_accepted(dir, target, stop);
    assert_int_equal(
        tth_store_long(dir, "SELECT count(*) FROM orders WHERE state = 1"), 0);
    assert_int_equal(tth_log_count_named(proc, S_UNSENT, NULL), 0);
    assert_int_equal(tth_log_count_named(proc, S_UNANSWERED, NULL), 0);

    s_restart(proc, fake, "ticktree2.log");
    assert_true(tth_log_holds(proc, S_SYM ": restart reconciled, 0 changed"));
    tth_proc_term(proc);
    s_sent_once(fake);
    s_legs_at_venue(fake, target, stop);
    tth_store_legs_accepted(dir, target, stop);
    char path[512];
    long orders = 0;
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    assert_int_equal(tth_check_store(path, 0, &orders), 1);
    assert_int_equal(orders, 3);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

static void test_answer_after_budget(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-bnstopwirelate");
    tth_proc_t *proc = s_up_to_oco_on_wire(fake, dir, 4000);
    tth_proc_term(proc);
    char target[64], stop[64], line[200];
    tth_store_last_coid(dir, "%-t", target);
    tth_store_last_coid(dir, "%-s", stop);
    s_sent_once(fake);
    s_legs_at_venue(fake, target, stop);
    if (tth_log_count_named(proc, S_UNANSWERED, target) != 1 ||
        tth_log_count_named(proc, S_UNANSWERED, stop) != 1) {
        tth_proc_dump_log(proc);
        fail_msg("the stop did not name %s and %s as unanswered", target, stop);
    }
    assert_int_equal(tth_log_count_named(proc, S_UNANSWERED, NULL), 2);
    assert_int_equal(tth_log_count_named(proc, S_UNSENT, NULL), 0);
    assert_int_equal(
        tth_store_count_for(dir,
                            "SELECT count(*) FROM orders WHERE coid = '%s' "
                            "AND state = 1",
                            target),
        1);

    s_restart(proc, fake, "ticktree2.log");
    tth_store_legs_accepted(dir, target, stop);
    snprintf(line, sizeof line,
             "reconcile: adopt_state %s: working at the venue", target);
    assert_true(tth_log_holds(proc, line));
    assert_int_equal(
        tth_store_long(dir, "SELECT count(*) FROM orders WHERE state = 7"), 0);
    s_sent_once(fake);
    s_legs_at_venue(fake, target, stop);

    long limit = tth_store_count_for(
        dir, "SELECT limit_px FROM orders WHERE coid = '%s'", target);
    s_trade(fake, limit);
    tth_venue_wait(proc, S_EDGE, S_SYM, s_flat_after, 1, 10000,
                   "take-profit filled after the restart");
    tth_store_wait_order_state(dir, target, "4");
    tth_store_wait_order_state(dir, stop, "7");
    tth_proc_term(proc);
    assert_int_equal(
        tth_store_count_for(dir, "SELECT count(*) FROM fills WHERE coid = '%s'",
                            target),
        1);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM ledger WHERE "
                                         "symbol = '" S_SYM "'"),
                     2);
    assert_int_equal(tth_store_long(dir, "SELECT qty FROM positions WHERE "
                                         "symbol = '" S_SYM "'"),
                     0);
    s_sent_once(fake);
    char path[512];
    long orders = 0;
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    assert_int_equal(tth_check_store(path, 0, &orders), 2);
    assert_int_equal(orders, 3);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_within_budget),
        cmocka_unit_test(test_answer_after_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
