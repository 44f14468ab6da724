/*  tests/test_broker_e2e.c: the Alpaca broker gateway (actors/
    broker_venue.c, broker_alpaca.c) end to end through the real
    `ticktree` binary, against the local Alpaca-like server (tests/fakes)
    in this process on 127.0.0.1, which serves the market data, the
    Trading API and trade_updates on one port.

    Data in (trades pushed by the fake become candles and an sma_cross
    entry), order out (the fake sees POST /v2/orders with our client order
    id), fill back (trade_updates), position and ledger right in the
    store. The stop and the take-profit leave as one OCO order; once the
    take-profit fills, the venue has cancelled the stop and a later trade
    through the stop fills nothing (the position stays flat, the book
    sees the stop cancelled, not refused). The fake drops the order
    stream and fills the take-profit while it is down: the re-query on
    reconnect recovers that fill exactly once, also across a second
    reconnect. A 429 storm on the entry is ridden
    out one request per Retry-After. Refused credentials show in health,
    with one stream connection over the window and no orders sent. The
    log never holds the key or the secret. Every wait is bounded. */
#include "tests/fakes/fake_alpaca.h"
#include "tests/process.h"
#include "tests/storecheck.h"
#include "tests/venuecheck.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_KEY "PKTESTBROKER7"
#define S_SECRET "s3cr3t-broker-do-not-log"
#define S_ACCEPTED "2" /* order states as the store keeps them */
#define S_FILLED "4"
#define S_CANCELLED "5"

static char *s_config(const char *dir, int port)
{
    return tth_alpaca_sma_config(dir, port, "TT_TEST_BROKER_KEY", S_KEY,
                                 S_SECRET, "");
}

/* Health is read from the broker gateway's edge and the symbol. */
#define S_EDGE "broker/live"

static bool s_listening(const tth_venue_seen_t *s, uint64_t want)
{
    return s->n_edges == 2 && !strcmp(s->status, "connected") &&
           s->subscribes >= want;
}

static bool s_long(const tth_venue_seen_t *s, uint64_t want)
{
    return s->fills >= want && !strcmp(s->position, "10");
}

static bool s_flat_after(const tth_venue_seen_t *s, uint64_t want)
{
    return s->fills >= want && !strcmp(s->position, "0");
}

/* Falling prices for 6 s, then rising ones until the entry reaches the
   venue (at most 10 s): the fast average crosses the slow one. Returns
   the last price pushed, in cents. */
static int64_t s_drive_entry(fake_alpaca_t *fake, uint64_t posts)
{
    int64_t cents = 19000;
    for (int i = 0; i < 60; i++, cents -= 2) {
        tth_alpaca_trade(fake, cents);
        tth_nap_ms(100);
    }
    /* A cross within a few candles; up to 30 s on a loaded machine. */
    int64_t deadline = tth_now_ms() + 30000;
    while (fake_alpaca_requests(fake, "POST /v2/orders") < posts &&
           tth_now_ms() < deadline) {
        cents += 5;
        tth_alpaca_trade(fake, cents);
        tth_nap_ms(100);
    }
    assert_true(fake_alpaca_requests(fake, "POST /v2/orders") >= posts);
    return cents;
}

/* The id of the order whose id is LIKE PATTERN once its state is WANT,
   within 5 s. */
static void s_wait_state_like(const char *dir, const char *pattern,
                              const char *want, char *coid, size_t size)
{
    char sql[200], state[32] = "";
    snprintf(sql, sizeof sql,
             "SELECT coalesce((SELECT coid || ' ' || state FROM orders "
             "WHERE coid LIKE '%s' ORDER BY seq DESC LIMIT 1), '- NONE')",
             pattern);
    char row[96] = "";
    int64_t deadline = tth_now_ms() + 5000;
    for (;;) {
        tth_store_text(dir, sql, row, sizeof row);
        char *sp = strchr(row, ' ');
        snprintf(state, sizeof state, "%s", sp ? sp + 1 : "");
        if (!strcmp(state, want) || tth_now_ms() >= deadline)
            break;
        tth_nap_ms(20);
    }
    assert_string_equal(state, want);
    *strchr(row, ' ') = '\0';
    snprintf(coid, size, "%s", row);
}

/* What the log must never hold. */
static const char *const s_secrets[] = {S_SECRET, S_KEY, NULL};

/* Entry, then one OCO: two POSTs, the second an OCO whose parent is the
   take-profit with our id and whose leg works; both ACCEPTED in the
   store. TARGET and STOP (64 bytes each) get their client order ids. */
static void s_wait_oco(fake_alpaca_t *fake, const char *dir, char *target,
                       char *stop)
{
    int64_t deadline = tth_now_ms() + 5000;
    while (fake_alpaca_requests(fake, "POST /v2/orders") < 2 &&
           tth_now_ms() < deadline)
        tth_nap_ms(20);
    char status[32] = "";
    s_wait_state_like(dir, "%-t", S_ACCEPTED, target, 64);
    s_wait_state_like(dir, "%-s", S_ACCEPTED, stop, 64);
    assert_int_equal(fake_alpaca_requests(fake, "POST /v2/orders"), 2);
    assert_int_equal(fake_alpaca_coid_count(fake, target), 1);
    assert_int_equal(fake_alpaca_coid_count(fake, stop), 0);
    assert_int_equal(
        fake_alpaca_order_status(fake, target, status, sizeof status), 0);
    assert_string_equal(status, "new");
    assert_int_equal(
        fake_alpaca_leg_status(fake, target, status, sizeof status), 0);
    assert_string_equal(status, "new");
}

/* The service on DIR against FAKE, up to an entry filled and its OCO
   working (TARGET and STOP: their ids, 64 bytes each). */
static tth_proc_t *s_up_to_oco(fake_alpaca_t *fake, char *dir, char *target,
                               char *stop)
{
    char *text = s_config(dir, fake_alpaca_port(fake));
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    free(text);
    tth_venue_wait(proc, S_EDGE, "AAPL", s_listening, 1, 10000,
                   "order stream listening");
    s_drive_entry(fake, 1);
    tth_venue_seen_t seen =
        tth_venue_wait(proc, S_EDGE, "AAPL", s_long, 1, 5000, "entry filled");
    assert_int_equal(seen.fills, 1);
    s_wait_oco(fake, dir, target, stop);
    return proc;
}

/* The order stream drops; the take-profit TARGET fills while it is down
   (STOP its OCO partner). */
static void s_outage(tth_proc_t *proc, fake_alpaca_t *fake, const char *dir,
                     const char *target, const char *stop)
{
    char price[32];
    long limit = tth_store_long(
        dir, "SELECT limit_px FROM orders WHERE coid LIKE '%-t'");
    snprintf(price, sizeof price, "%ld.%02ld", limit / 100, limit % 100);
    uint64_t queries = fake_alpaca_requests(fake, "GET /v2/orders");
    tth_venue_seen_t before = tth_venue_look(proc, S_EDGE, "AAPL");
    assert_true(fake_alpaca_drop_connections(fake) >= 1);
    assert_int_equal(fake_alpaca_fill_while_down(fake, target, "10", price), 0);
    /* Reconnected, listening, re-queried: the fill is recovered, the
       stop is cancelled as its OCO partner. */
    tth_venue_wait(proc, S_EDGE, "AAPL", s_listening, before.subscribes + 1,
                   5000, "listening again");
    tth_venue_seen_t seen = tth_venue_wait(proc, S_EDGE, "AAPL", s_flat_after,
                                           2, 5000, "fill recovered");
    assert_int_equal(seen.fills, 2);
    assert_true(fake_alpaca_requests(fake, "GET /v2/orders") > queries);
    char status[32] = "";
    int64_t deadline = tth_now_ms() + 5000;
    while (tth_now_ms() < deadline &&
           (fake_alpaca_leg_status(fake, target, status, sizeof status) != 0 ||
            strcmp(status, "canceled") != 0))
        tth_nap_ms(20);
    assert_string_equal(status, "canceled");
    tth_store_wait_order_state(dir, stop, S_CANCELLED);

    /* A second reconnect re-queries the same filled order: nothing new. */
    queries = fake_alpaca_requests(fake, "GET /v2/orders");
    assert_true(fake_alpaca_drop_connections(fake) >= 1);
    tth_venue_wait(proc, S_EDGE, "AAPL", s_listening, seen.subscribes + 1, 5000,
                   "listening (2)");
    deadline = tth_now_ms() + 5000;
    while (fake_alpaca_requests(fake, "GET /v2/orders") == queries &&
           tth_now_ms() < deadline)
        tth_nap_ms(20);
    assert_true(fake_alpaca_requests(fake, "GET /v2/orders") > queries);
    seen = tth_venue_look(proc, S_EDGE, "AAPL");
    assert_int_equal(seen.fills, 2);
    assert_string_equal(seen.position, "0");
}

/* After the stop: two fills, once each, one ledger row each, a flat
   position that equals its ledger; no id sent twice. */
static void s_check_store(const char *dir, fake_alpaca_t *fake)
{
    char path[512];
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    long orders = 0;
    assert_int_equal(tth_check_store(path, 0, &orders), 2);
    assert_int_equal(orders, 3);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM ledger WHERE "
                                         "symbol = 'AAPL'"),
                     2);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM fills WHERE "
                                         "coid LIKE '%-t'"),
                     1);
    /* A US equity's commission is in dollars (none charged here), and the
       whole quantity reached the position. */
    assert_int_equal(
        tth_store_long(dir, "SELECT count(*) FROM ledger WHERE symbol = 'AAPL'"
                            " AND commission_asset = 'USD' AND commission = 0"
                            " AND exec_qty = qty"),
        2);
    assert_int_equal(
        tth_store_long(dir, "SELECT count(*) FROM fills WHERE"
                            " commission_asset = 'USD' AND exec_qty = qty"),
        2);
    assert_int_equal(tth_store_long(dir, "SELECT qty FROM positions WHERE "
                                         "symbol = 'AAPL'"),
                     0);
    char pos[32];
    assert_int_equal(fake_alpaca_position(fake, "AAPL", pos, sizeof pos), 0);
    assert_true(!strcmp(pos, "0") || !strcmp(pos, "0.0"));
    assert_int_equal(fake_alpaca_coid_max(fake), 1);
}

static void test_order_fill_outage(void **state)
{
    (void)state;
    fake_alpaca_t *fake = tth_fake_alpaca_aapl(S_KEY, S_SECRET);
    char *dir = tth_tmpdir("tt-broker");
    /* Entry filled at the venue; the book's stop and target went as one
       OCO order. */
    char target[64], stop[64];
    tth_proc_t *proc = s_up_to_oco(fake, dir, target, stop);
    char entry[64], status[32];
    tth_store_text(dir, "SELECT coid FROM orders WHERE coid LIKE '%-e'", entry,
                   sizeof entry);
    assert_int_equal(fake_alpaca_coid_count(fake, entry), 1);
    assert_int_equal(
        fake_alpaca_order_status(fake, entry, status, sizeof status), 0);
    assert_string_equal(status, "filled");
    char pos[32];
    assert_int_equal(fake_alpaca_position(fake, "AAPL", pos, sizeof pos), 0);
    assert_string_equal(pos, "10");

    s_outage(proc, fake, dir, target, stop);
    tth_log_lacks(proc, s_secrets);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    s_check_store(dir, fake);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

/* The take-profit fills at the venue: the venue cancels the stop leg
   in the same step, and a later fall through the stop price fills
   nothing. The book learns the stop is cancelled (no refused cancel),
   the position is flat at the venue and here, two fills in the ledger. */
static void test_oco_target_then_stop(void **state)
{
    (void)state;
    fake_alpaca_t *fake = tth_fake_alpaca_aapl(S_KEY, S_SECRET);
    char *dir = tth_tmpdir("tt-brokeroco");
    char target[64], stop[64], status[32] = "";
    tth_proc_t *proc = s_up_to_oco(fake, dir, target, stop);
    long limit = tth_store_long(
        dir, "SELECT limit_px FROM orders WHERE coid LIKE '%-t'");
    long stop_px =
        tth_store_long(dir, "SELECT stop_px FROM orders WHERE coid LIKE '%-s'");
    assert_true(stop_px > 0 && stop_px < limit);

    tth_alpaca_trade(fake, limit); /* reaches the take-profit */
    tth_venue_seen_t seen = tth_venue_wait(proc, S_EDGE, "AAPL", s_flat_after,
                                           2, 5000, "take-profit filled");
    assert_int_equal(
        fake_alpaca_leg_status(fake, target, status, sizeof status), 0);
    assert_string_equal(status, "canceled");
    tth_store_wait_order_state(dir, target, S_FILLED);
    tth_store_wait_order_state(dir, stop, S_CANCELLED);

    /* Through the stop, twice: nothing may fill any more. */
    tth_alpaca_trade(fake, stop_px - 50);
    tth_alpaca_trade(fake, stop_px - 100);
    fake_alpaca_stats_t st;
    int64_t end = tth_now_ms() + 1000; /* time for a wrong fill to show */
    while (tth_now_ms() < end)
        tth_nap_ms(50);
    fake_alpaca_stats(fake, &st);
    assert_int_equal(st.fills, 2);
    char pos[32];
    assert_int_equal(fake_alpaca_position(fake, "AAPL", pos, sizeof pos), 0);
    assert_true(!strcmp(pos, "0") || !strcmp(pos, "0.0"));
    seen = tth_venue_look(proc, S_EDGE, "AAPL");
    assert_int_equal(seen.fills, 2);
    assert_string_equal(seen.position, "0");
    assert_string_equal(seen.last_error, "");
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM order_events WHERE coid = '%s' AND "
             "from_state = 8 AND to_state <> 5",
             stop);
    assert_int_equal(tth_store_long(dir, sql), 0); /* no refused cancel */
    assert_false(tth_log_holds(proc, "order event refused"));
    assert_false(tth_log_holds(proc, "sent alone"));
    snprintf(sql, sizeof sql, "cancel %s refused", stop);
    assert_false(tth_log_holds(proc, sql));
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    s_check_store(dir, fake);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

/* Killed with the entry filled and the OCO working; the take-profit
   fills at the venue while the service is down. The restarted service
   takes its open orders back from the store and asks the venue: the
   fill is adopted once (in the store once, the position flat), the stop
   leg the venue cancelled is cancelled here, each published as a
   trade.reconcile event; nothing is sent again. A second restart finds
   nothing left to reconcile. */
static void test_restart_reconciles_with_venue(void **state)
{
    (void)state;
    fake_alpaca_t *fake = tth_fake_alpaca_aapl(S_KEY, S_SECRET);
    char *dir = tth_tmpdir("tt-brokerrestart");
    char target[64], stop[64], price[32];
    tth_proc_t *proc = s_up_to_oco(fake, dir, target, stop);
    long limit = tth_store_long(
        dir, "SELECT limit_px FROM orders WHERE coid LIKE '%-t'");
    snprintf(price, sizeof price, "%ld.%02ld", limit / 100, limit % 100);

    assert_int_equal(tth_proc_signal_wait(proc, SIGKILL, 5000), 128 + SIGKILL);
    assert_int_equal(fake_alpaca_fill_while_down(fake, target, "10", price), 0);
    char status[32];
    assert_int_equal(
        fake_alpaca_leg_status(fake, target, status, sizeof status), 0);
    assert_string_equal(status, "canceled");

    tth_venue_respawn(proc, "ticktree2.log");
    tth_venue_wait(proc, S_EDGE, "AAPL", s_flat_after, 1, 10000,
                   "fill adopted after the restart");
    tth_store_wait_order_state(dir, target, S_FILLED);
    tth_store_wait_order_state(dir, stop, S_CANCELLED);
    int64_t deadline = tth_now_ms() + 5000;
    while (tth_now_ms() < deadline &&
           tth_store_long(dir, "SELECT count(*) FROM events WHERE topic = "
                               "'trade.reconcile.AAPL'") < 2)
        tth_nap_ms(20);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM events WHERE "
                                         "topic = 'trade.reconcile.AAPL'"),
                     2);
    char line[160];
    snprintf(line, sizeof line, "reconcile: adopt_fill %s fill ", target);
    assert_true(tth_log_holds(proc, line));
    snprintf(line, sizeof line, "reconcile: adopt_state %s: cancelled", stop);
    assert_true(tth_log_holds(proc, line));
    char sql[200];
    assert_false(tth_log_holds(proc, "order event refused"));
    snprintf(line, sizeof line, "cancel %s refused", stop);
    assert_false(tth_log_holds(proc, line));
    snprintf(sql, sizeof sql, "SELECT count(*) FROM fills WHERE coid = '%s'",
             target);
    assert_int_equal(tth_store_long(dir, sql), 1);
    assert_int_equal(tth_store_long(dir, "SELECT qty FROM positions WHERE "
                                         "symbol = 'AAPL'"),
                     0);
    assert_int_equal(fake_alpaca_requests(fake, "POST /v2/orders"), 2);

    /* Again: the store has nothing open, nothing to reconcile. */
    assert_int_equal(tth_proc_signal_wait(proc, SIGKILL, 5000), 128 + SIGKILL);
    tth_venue_respawn(proc, "ticktree3.log");
    tth_venue_wait(proc, S_EDGE, "AAPL", s_listening, 1, 10000,
                   "listening after the second restart");
    deadline = tth_now_ms() + 5000;
    while (tth_now_ms() < deadline &&
           !tth_log_holds(proc, "warm restart: 0 open orders in the store"))
        tth_nap_ms(20);
    assert_true(
        tth_log_holds(proc, "warm restart: 0 open orders in the store"));
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM events WHERE "
                                         "topic = 'trade.reconcile.AAPL'"),
                     2);
    s_check_store(dir, fake);
    tth_log_lacks(proc, s_secrets);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

/* Killed with the OCO working; the keys are refused when it comes back.
   The venue says nothing about the restored orders, so nothing is
   expired or sent again: they stay as the store has them (working) and
   the position stays protected in the book. */
static void test_restart_venue_refuses(void **state)
{
    (void)state;
    fake_alpaca_t *fake = tth_fake_alpaca_aapl(S_KEY, S_SECRET);
    char *dir = tth_tmpdir("tt-brokerrestart403");
    char target[64], stop[64], line[160];
    tth_proc_t *proc = s_up_to_oco(fake, dir, target, stop);
    assert_int_equal(tth_proc_signal_wait(proc, SIGKILL, 5000), 128 + SIGKILL);
    fake_alpaca_set_reject_auth(fake, true);
    tth_venue_respawn(proc, "ticktree2.log");
    /* Each line comes in its own time: each is waited for. */
    snprintf(line, sizeof line, "%s: the venue did not say", stop);
    assert_true(tth_wait_file_holds(proc->log, line, 10000));
    snprintf(line, sizeof line, "%s: the venue did not say", target);
    assert_true(tth_wait_file_holds(proc->log, line, 5000));
    assert_true(tth_wait_file_holds(
        proc->log, "AAPL: restart reconciled, 0 changed", 5000));
    tth_venue_seen_t seen =
        tth_venue_wait(proc, S_EDGE, "AAPL", s_long, 0, 5000, "position kept");
    assert_string_equal(seen.position, "10");
    tth_store_wait_order_state(dir, target, S_ACCEPTED);
    tth_store_wait_order_state(dir, stop, S_ACCEPTED);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM events WHERE "
                                         "topic = 'trade.reconcile.AAPL'"),
                     0);
    assert_int_equal(fake_alpaca_requests(fake, "POST /v2/orders"), 2);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    tth_log_lacks(proc, s_secrets);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

/* Three 429s (Retry-After: 1) meet the entry: each is waited out before
   the next request, and the entry lands after them, once. */
static void test_rate_limit_storm(void **state)
{
    (void)state;
    fake_alpaca_t *fake = tth_fake_alpaca_aapl(S_KEY, S_SECRET);
    char *dir = tth_tmpdir("tt-broker429");
    char *text = s_config(dir, fake_alpaca_port(fake));
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    free(text);
    tth_venue_wait(proc, S_EDGE, "AAPL", s_listening, 1, 10000,
                   "order stream listening");
    fake_alpaca_rate_limit_storm(fake, 3);
    s_drive_entry(fake, 4);
    tth_venue_wait(proc, S_EDGE, "AAPL", s_long, 1, 8000,
                   "entry filled after the storm");

    fake_alpaca_req_t *log = calloc(FAKE_ALPACA_LOG, sizeof *log);
    assert_non_null(log);
    size_t n = fake_alpaca_request_log(fake, log, FAKE_ALPACA_LOG);
    size_t first = n;
    int refused = 0;
    for (size_t i = 0; i < n; i++)
        if (log[i].status == 429 && refused++ == 0)
            first = i;
    assert_int_equal(refused, 3);
    /* The three refused requests and the one after them: each at least a
       Retry-After (less scheduling slack) after the one before. */
    assert_true(first + 3 < n);
    for (size_t i = first + 1; i <= first + 3; i++) {
        assert_true(log[i].mono_ns - log[i - 1].mono_ns >= 900000000LL);
        assert_string_equal(log[i].route, "POST /v2/orders");
    }
    assert_int_equal(log[first + 3].status, 200);
    free(log);
    char entry[64];
    tth_store_text(dir, "SELECT coid FROM orders WHERE coid LIKE '%-e'", entry,
                   sizeof entry);
    assert_int_equal(fake_alpaca_coid_count(fake, entry), 1);
    tth_log_lacks(proc, s_secrets);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

static bool s_refused(const tth_venue_seen_t *s, uint64_t want)
{
    (void)want;
    return s->n_edges == 2 && strstr(s->last_error, "unauthorized") &&
           !strcmp(s->status, "held");
}

/* Refused keys: the order stream holds (auth_retry_s) with the reason in
   health; one connection over a window many backoffs long. */
static void test_bad_credentials(void **state)
{
    (void)state;
    fake_alpaca_t *fake = tth_fake_alpaca_aapl(S_KEY, S_SECRET);
    fake_alpaca_set_reject_auth(fake, true);
    char *dir = tth_tmpdir("tt-brokerauth");
    char *text = s_config(dir, fake_alpaca_port(fake));
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    free(text);
    tth_venue_seen_t seen =
        tth_venue_wait(proc, S_EDGE, "AAPL", s_refused, 0, 10000,
                       "refused keys shown in health");
    assert_non_null(strstr(seen.last_error, "check key_id and secret_key"));
    seen = tth_venue_look_after(proc, S_EDGE, "AAPL", 2500);
    fake_alpaca_stats_t st;
    fake_alpaca_stats(fake, &st);
    assert_int_equal(st.stream_connections, 1);
    assert_int_equal(seen.attempts, 1);
    assert_string_equal(seen.status, "held");
    assert_int_equal(seen.edge_state, TT__STATE__STATE_RUNNING);
    assert_int_equal(fake_alpaca_requests(fake, "POST /v2/orders"), 0);
    tth_log_lacks(proc, s_secrets);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_fill_outage),
        cmocka_unit_test(test_oco_target_then_stop),
        cmocka_unit_test(test_restart_reconciles_with_venue),
        cmocka_unit_test(test_restart_venue_refuses),
        cmocka_unit_test(test_rate_limit_storm),
        cmocka_unit_test(test_bad_credentials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
