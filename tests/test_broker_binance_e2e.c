/*  tests/test_broker_binance_e2e.c: the Binance spot broker gateway
    (actors/broker_venue.c, broker_binance.c) end to end through the real
    `ticktree` binary, against the local Binance-like server (tests/fakes)
    in this process on 127.0.0.1, which serves the market streams, the
    signed REST API and the user-data stream on one port.

    Data in (trades pushed by the fake become candles and an sma_cross
    entry), order out (the fake sees a signed POST /api/v3/order with our
    client order id, fitted to the symbol's exchangeInfo filters), fill
    back, position and ledger right in the store; the stop and
    take-profit as one OCO order list (the fake holds the coins for sells
    as the venue does, so two lone exits would be refused), the stop
    expired when the take-profit fills. The fake drops the
    user-data stream and fills the take-profit while it is down: the
    re-query on reconnect (GET /api/v3/order, GET /api/v3/myTrades)
    recovers that fill exactly once, also across a second reconnect; the
    listenKey is kept alive meanwhile. An order executed but answered 503
    (outcome unknown) is looked up, not sent again. A quantity off the lot
    step is rejected locally, never sent. An expired listenKey (told on the
    stream, or found by the keepalive) is replaced. A 429 storm is ridden out
   one request per Retry-After, and the entry lands once. Refused credentials
    show in health, with one listenKey request over the window and no
    order sent. Killed (SIGKILL) and restarted on the same store: a
    take-profit filled while down is adopted once and the orphan stop
    cancelled; with nothing changed nothing is expired or resent; a stop
    the venue forgot is expired "unknown to broker" and placed anew. The
    log never holds the key or the secret. Every wait is bounded. */
#include "tests/fakes/fake_binance.h"
#include "tests/process.h"
#include "tests/storecheck.h"
#include "tests/venuecheck.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_KEY "bnTESTKEYbroker7"
#define S_SECRET "bn-s3cr3t-broker-do-not-log"
#define S_QTY "0.500" /* the risk's fixed quantity, as health shows it */

static int64_t s_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The fake with BTCUSDT; its lot step is STEP; COMMISSION (0: none,
   else FAKE_BINANCE_FEE_*) of every trade at 20 bps. */
static fake_binance_t *s_fake_fee(const char *step, int commission)
{
    const fake_binance_symbol_t sym = {.symbol = "BTCUSDT",
                                       .base = "BTC",
                                       .quote = "USDT",
                                       .min_price = "0.01",
                                       .max_price = "1000000",
                                       .tick_size = "0.01",
                                       .min_qty = "0.001",
                                       .max_qty = "1000",
                                       .step_size = step,
                                       .min_notional = "10"};
    fake_binance_cfg_t fcfg = {.api_key = S_KEY,
                               .secret = S_SECRET,
                               .symbols = &sym,
                               .symbol_count = 1,
                               .enforce_balance = true,
                               .commission = commission,
                               .commission_bps = 20};
    fake_binance_t *fake = fake_binance_start(&fcfg);
    assert_non_null(fake);
    return fake;
}

static fake_binance_t *s_fake_step(const char *step)
{
    return s_fake_fee(step, 0);
}

static fake_binance_t *s_fake(void)
{
    return s_fake_step("0.001");
}

/* One binance venue whose market data, REST and user-data stream are the
   fake; key from the environment, secret from an owner-only file. */
static char *s_config_qty(const char *dir, int port, int keepalive_s,
                          const char *qty)
{
    char venue[1024], defaults[512], more[64];
    snprintf(more, sizeof more, ", listen_key_keepalive_s: %d", keepalive_s);
    tth_binance_venue_yaml(dir, port, "TT_TEST_BINANCE_KEY", S_KEY, S_SECRET,
                           more, venue, sizeof venue);
    snprintf(defaults, sizeof defaults,
             "  timeframes: [1]\n"
             "  stale_ms: 120000\n"
             "  strategy:\n    kind: sma_cross\n"
             "    params: {fast: 2, slow: 4, stop_pct: 1, target_r: 2}\n"
             "  risk:\n    sizing: fixed_qty\n    qty: \"%s\"\n",
             qty);
    return tth_venue_config(dir, venue, defaults,
                            "  - symbol: BTCUSDT\n    px_decimals: 2\n"
                            "    qty_decimals: 3\n");
}

static char *s_config(const char *dir, int port, int keepalive_s)
{
    return s_config_qty(dir, port, keepalive_s, "0.5");
}

/* The service in DIR on the usual config against FAKE (listenKey kept
   alive every KEEPALIVE_S), started. */
static tth_proc_t *s_spawn(fake_binance_t *fake, char *dir, int keepalive_s)
{
    char *text = s_config(dir, fake_binance_port(fake), keepalive_s);
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    free(text);
    return proc;
}

#define S_EDGE "broker/live"

/* What health shows of the broker edge and the symbol. */
static tth_venue_seen_t s_look(tth_proc_t *proc)
{
    return tth_venue_look(proc, S_EDGE, "BTCUSDT");
}

static bool s_listening(const tth_venue_seen_t *s, uint64_t want)
{
    return s->n_edges == 2 && !strcmp(s->status, "connected") &&
           s->subscribes >= want;
}

/* The position s_long waits for: the entry's quantity, less a
   commission kept in the coins. */
static const char *s_held = S_QTY;

static bool s_long(const tth_venue_seen_t *s, uint64_t want)
{
    return s->fills >= want && !strcmp(s->position, s_held);
}

static bool s_flat_after(const tth_venue_seen_t *s, uint64_t want)
{
    return s->fills >= want && !strcmp(s->position, "0.000");
}

static bool s_key_refused(const tth_venue_seen_t *s, uint64_t want)
{
    (void)want;
    return s->n_edges == 2 && strstr(s->last_error, "-2015");
}

static tth_venue_seen_t s_wait(tth_proc_t *proc, tth_venue_cond_fn *cond,
                               uint64_t want, int timeout_ms, const char *what)
{
    return tth_venue_wait(proc, S_EDGE, "BTCUSDT", cond, want, timeout_ms,
                          what);
}

static void s_trade(fake_binance_t *fake, int64_t cents)
{
    char px[32];
    snprintf(px, sizeof px, "%lld.%02lld", (long long)(cents / 100),
             (long long)(cents % 100));
    assert_int_equal(
        fake_binance_push_trade(fake, "BTCUSDT", px, "0.1", s_wall_ms(), true),
        0);
}

typedef void(s_tick_fn)(fake_binance_t *fake, void *arg);

/* Falling prices for 6 s, then rising ones until POSTS orders reached
   the venue (at most 10 s): the fast average crosses the slow one. ON
   (may be NULL) runs at every step. */
static void s_drive_entry(tth_proc_t *proc, fake_binance_t *fake,
                          uint64_t posts, s_tick_fn *on, void *arg)
{
    int64_t cents = 19000;
    for (int i = 0; i < 60; i++, cents -= 2) {
        s_trade(fake, cents);
        tth_nap_ms(100);
        if (on)
            on(fake, arg);
    }
    /* A cross within a few candles; up to 30 s on a loaded machine. */
    int64_t deadline = tth_now_ms() + 30000;
    while (fake_binance_requests(fake, "POST /api/v3/order") < posts &&
           tth_now_ms() < deadline) {
        cents += 5;
        s_trade(fake, cents);
        tth_nap_ms(100);
        if (on)
            on(fake, arg);
    }
    if (fake_binance_requests(fake, "POST /api/v3/order") < posts)
        tth_proc_dump_log(proc);
    assert_true(fake_binance_requests(fake, "POST /api/v3/order") >= posts);
}

#define S_OCO "POST /api/v3/orderList/oco"

/* The entry sent and filled, then its stop and take-profit as one OCO
   list: one order POST and one list POST in all, nothing sent alone. */
static void s_wait_exits(fake_binance_t *fake, uint64_t lists)
{
    int64_t deadline = tth_now_ms() + 5000;
    while (fake_binance_requests(fake, S_OCO) < lists &&
           tth_now_ms() < deadline)
        tth_nap_ms(20);
    assert_int_equal(fake_binance_requests(fake, S_OCO), lists);
    assert_int_equal(fake_binance_requests(fake, "POST /api/v3/order"), 1);
}

static void s_no_secret_in_log(tth_proc_t *proc)
{
    static const char *const words[] = {S_SECRET, S_KEY,
                                        "fakeListenKey", /* the session's */
                                        NULL};
    tth_log_lacks(proc, words);
}

static void s_wait_status(fake_binance_t *fake, const char *coid,
                          const char *want)
{
    char status[32] = "";
    int64_t deadline = tth_now_ms() + 5000;
    while (tth_now_ms() < deadline &&
           (fake_binance_order_status(fake, coid, status, sizeof status) != 0 ||
            strcmp(status, want) != 0))
        tth_nap_ms(20);
    assert_string_equal(status, want);
}

/* The user-data stream drops; the take-profit fills while it is down. */
static void s_outage(tth_proc_t *proc, fake_binance_t *fake, const char *dir)
{
    char target[64], stop[64], price[32];
    tth_store_text(dir, "SELECT coid FROM orders WHERE coid LIKE '%-t'", target,
                   sizeof target);
    tth_store_text(dir, "SELECT coid FROM orders WHERE coid LIKE '%-s'", stop,
                   sizeof stop);
    long limit = tth_store_long(
        dir, "SELECT limit_px FROM orders WHERE coid LIKE '%-t'");
    snprintf(price, sizeof price, "%ld.%02ld", limit / 100, limit % 100);
    uint64_t queries = fake_binance_requests(fake, "GET /api/v3/order");
    uint64_t trades = fake_binance_requests(fake, "GET /api/v3/myTrades");
    tth_venue_seen_t before = s_look(proc);
    assert_true(fake_binance_drop_connections(fake) >= 1);
    assert_int_equal(fake_binance_fill_while_down(fake, target, "0.5", price),
                     0);
    /* Reconnected, re-queried: the fill is recovered through myTrades;
       the venue expired the stop, its OCO partner. */
    s_wait(proc, s_listening, before.subscribes + 1, 5000, "listening again");
    tth_venue_seen_t seen =
        s_wait(proc, s_flat_after, 2, 5000, "fill recovered");
    assert_int_equal(seen.fills, 2);
    assert_true(fake_binance_requests(fake, "GET /api/v3/order") > queries);
    assert_true(fake_binance_requests(fake, "GET /api/v3/myTrades") > trades);
    s_wait_status(fake, stop, "EXPIRED");

    /* A second reconnect re-queries what is still open: nothing new. */
    assert_true(fake_binance_drop_connections(fake) >= 1);
    s_wait(proc, s_listening, seen.subscribes + 1, 5000, "listening (2)");
    int64_t end = tth_now_ms() + 1000;
    while (tth_now_ms() < end)
        tth_nap_ms(50);
    seen = s_look(proc);
    assert_int_equal(seen.fills, 2);
    assert_string_equal(seen.position, "0.000");
}

/* After the stop: two fills, once each, one ledger row each, a flat
   position that equals its ledger; no id sent twice. */
static void s_check_store(const char *dir, fake_binance_t *fake)
{
    char path[512];
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    long orders = 0;
    assert_int_equal(tth_check_store(path, 0, &orders), 2);
    assert_int_equal(orders, 3);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM ledger WHERE "
                                         "symbol = 'BTCUSDT'"),
                     2);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM fills WHERE "
                                         "coid LIKE '%-t'"),
                     1);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM fills WHERE "
                                         "fill_id LIKE 'BTCUSDT:%'"),
                     2);
    assert_int_equal(tth_store_long(dir, "SELECT qty FROM positions WHERE "
                                         "symbol = 'BTCUSDT'"),
                     0);
    assert_int_equal(fake_binance_coid_max(fake), 1);
}

static void test_order_fill_outage(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-bnbroker");
    tth_proc_t *proc = s_spawn(fake, dir, 1);
    tth_venue_seen_t open =
        s_wait(proc, s_listening, 1, 10000, "user-data stream open");
    assert_int_equal(fake_binance_requests(fake, "POST /api/v3/userDataStream"),
                     1);
    /* Health names the stream, not the listenKey. */
    char want[128];
    snprintf(want, sizeof want, "ws://127.0.0.1:%d/ws/...",
             fake_binance_port(fake));
    assert_string_equal(open.url, want);

    s_drive_entry(proc, fake, 1, NULL, NULL);
    /* Entry filled at the venue; the book sent its stop and target. */
    tth_venue_seen_t seen = s_wait(proc, s_long, 1, 5000, "entry filled");
    assert_int_equal(seen.fills, 1);
    s_wait_exits(fake, 1);
    /* Filters once per symbol, before its first order. */
    assert_int_equal(fake_binance_requests(fake, "GET /api/v3/exchangeInfo"),
                     1);
    char entry[64];
    tth_store_text(dir, "SELECT coid FROM orders WHERE coid LIKE '%-e'", entry,
                   sizeof entry);
    assert_int_equal(fake_binance_coid_count(fake, entry), 1);
    s_wait_status(fake, entry, "FILLED");

    s_outage(proc, fake, dir);
    /* keepalive every second: the key was kept alive, never replaced. */
    assert_true(fake_binance_requests(fake, "PUT /api/v3/userDataStream") >= 2);
    assert_int_equal(fake_binance_requests(fake, "POST /api/v3/userDataStream"),
                     1);
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(st.sig_failures + st.time_failures + st.auth_failures, 0);
    s_no_secret_in_log(proc);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    s_check_store(dir, fake);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* When each 429 of the storm was answered and when the order landed. */
typedef struct {
    uint64_t seen_429;
    int64_t at[8];
    int n;
    int64_t accepted_at;
} s_storm_t;

static void s_watch_storm(fake_binance_t *fake, void *arg)
{
    s_storm_t *s = arg;
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    if (st.http_429 > s->seen_429 && s->n < 8) {
        s->at[s->n++] = tth_now_ms();
        s->seen_429 = st.http_429;
    }
    if (st.orders_accepted > 0 && !s->accepted_at)
        s->accepted_at = tth_now_ms();
}

/* Three 429s (Retry-After: 1) meet the first order: each is waited out
   before the next request, and the entry lands after them, once. */
static void test_rate_limit_storm(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-bnbroker429");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    s_wait(proc, s_listening, 1, 10000, "user-data stream open");
    s_storm_t storm = {0};
    fake_binance_rate_limit_storm(fake, 3);
    s_drive_entry(proc, fake, 1, s_watch_storm, &storm);
    s_wait(proc, s_long, 1, 8000, "entry filled after the storm");
    s_watch_storm(fake, &storm);

    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(st.http_429, 3);
    assert_int_equal(st.http_418, 0);
    /* Seen one by one, each at least a Retry-After (less the polling's
       100 ms and scheduling slack) after the one before. */
    assert_int_equal(storm.n, 3);
    assert_true(storm.at[1] - storm.at[0] >= 800);
    assert_true(storm.at[2] - storm.at[1] >= 800);
    assert_true(storm.accepted_at - storm.at[2] >= 800);
    char entry[64];
    tth_store_text(dir, "SELECT coid FROM orders WHERE coid LIKE '%-e'", entry,
                   sizeof entry);
    assert_int_equal(fake_binance_coid_count(fake, entry), 1);
    s_no_secret_in_log(proc);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* Refused keys: the session is not retried before auth_retry_s, the
   reason is in health, no order is sent. */
static void test_bad_credentials(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    fake_binance_set_reject_auth(fake, true);
    char *dir = tth_tmpdir("tt-bnbrokerauth");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    tth_venue_seen_t seen =
        s_wait(proc, s_key_refused, 0, 10000, "refused keys shown in health");
    assert_non_null(strstr(seen.last_error, "check key_id and secret_key"));
    assert_non_null(strstr(seen.last_error, "Invalid API-key"));
    /* Many backoffs long; trades go on meanwhile. */
    for (int i = 0; i < 25; i++) {
        s_trade(fake, 19000 - i * 3);
        tth_nap_ms(100);
    }
    seen = s_look(proc);
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(fake_binance_requests(fake, "POST /api/v3/userDataStream"),
                     1);
    assert_int_equal(st.auth_failures, 1);
    assert_int_equal(st.user_connections, 0);
    assert_int_equal(fake_binance_requests(fake, "POST /api/v3/order"), 0);
    assert_int_equal(seen.edge_state, TT__STATE__STATE_RUNNING);
    s_no_secret_in_log(proc);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* The first order's reply is a 503 -1007 (executed, status unknown): the
   gateway does not send it again; it learns the outcome from the
   user-data stream or, when the stream has not told it yet, by asking
   the venue by client order id (which of the two is a race), and the
   fill is applied once. */
static void test_unknown_outcome(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-bnbroker503");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    s_wait(proc, s_listening, 1, 10000, "user-data stream open");
    fake_binance_unknown_outcome(fake, 1);
    s_drive_entry(proc, fake, 1, NULL, NULL);
    tth_venue_seen_t seen = s_wait(proc, s_long, 1, 5000, "entry filled");
    assert_int_equal(seen.fills, 1);
    s_wait_exits(fake, 1);
    char entry[64];
    tth_store_text(dir, "SELECT coid FROM orders WHERE coid LIKE '%-e'", entry,
                   sizeof entry);
    assert_int_equal(fake_binance_coid_count(fake, entry), 1);
    assert_int_equal(fake_binance_coid_max(fake), 1);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    long orders = 0;
    assert_int_equal(tth_check_store(path, 0, &orders), 1);
    assert_int_equal(orders, 3);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* A quantity off the venue's lot step is rejected here with the reason,
   never sent; the filters are read once. */
static void test_filter_refused_locally(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake_step("0.01");
    char *dir = tth_tmpdir("tt-bnbrokerlot");
    char *text = s_config_qty(dir, fake_binance_port(fake), 1800, "0.505");
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    free(text);
    s_wait(proc, s_listening, 1, 10000, "user-data stream open");
    int64_t cents = 19000;
    for (int i = 0; i < 60; i++, cents -= 2) {
        s_trade(fake, cents);
        tth_nap_ms(100);
    }
    const char *sql = "SELECT count(*) FROM orders WHERE reason LIKE "
                      "'%not a multiple of the lot step%'";
    /* A cross within a few candles; up to 30 s on a loaded machine. */
    int64_t deadline = tth_now_ms() + 30000;
    while (tth_store_long(dir, sql) < 1 && tth_now_ms() < deadline) {
        cents += 5;
        s_trade(fake, cents);
        tth_nap_ms(100);
    }
    if (tth_store_long(dir, sql) < 1)
        tth_proc_dump_log(proc);
    assert_true(tth_store_long(dir, sql) >= 1);
    assert_int_equal(fake_binance_requests(fake, "POST /api/v3/order"), 0);
    assert_int_equal(fake_binance_requests(fake, "GET /api/v3/exchangeInfo"),
                     1);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

static void s_wait_key_posts(fake_binance_t *fake, uint64_t want)
{
    int64_t deadline = tth_now_ms() + 5000;
    while (fake_binance_requests(fake, "POST /api/v3/userDataStream") < want &&
           tth_now_ms() < deadline)
        tth_nap_ms(20);
    assert_int_equal(fake_binance_requests(fake, "POST /api/v3/userDataStream"),
                     want);
}

/* The venue forgets the listenKey: told on the stream (listenKeyExpired),
   then untold while the stream is down (the keepalive gets -1125). Each
   time a new key is asked for and the stream opens on it. */
static void test_listen_key_expiry(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-bnbrokerkey");
    tth_proc_t *proc = s_spawn(fake, dir, 1);
    tth_venue_seen_t seen =
        s_wait(proc, s_listening, 1, 10000, "user-data stream");
    assert_int_equal(fake_binance_expire_listen_keys(fake), 1);
    s_wait_key_posts(fake, 2);
    seen = s_wait(proc, s_listening, seen.subscribes + 1, 5000,
                  "stream on the second key");

    assert_true(fake_binance_drop_connections(fake) >= 1);
    assert_int_equal(fake_binance_expire_listen_keys(fake), 1);
    s_wait_key_posts(fake, 3);
    s_wait(proc, s_listening, seen.subscribes + 1, 5000,
           "stream on the third key");
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(st.auth_failures, 0);
    s_no_secret_in_log(proc);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* The client ids of the newest stop and take-profit in DIR's store (the
   book's replacements after a resize), into STOP and TARGET (64 bytes). */
static void s_newest_exits(const char *dir, char *stop, char *target)
{
    tth_store_text(dir,
                   "SELECT coid FROM orders WHERE coid LIKE '%-s' ORDER BY seq "
                   "DESC LIMIT 1",
                   stop, 64);
    tth_store_text(dir,
                   "SELECT coid FROM orders WHERE coid LIKE '%-t' ORDER BY seq "
                   "DESC LIMIT 1",
                   target, 64);
}

#define S_ACCEPTED "2" /* order states as the store keeps them */
#define S_FILLED "4"
#define S_CANCELLED "5"
#define S_EXPIRED "7"

static void s_wait_log(const tth_proc_t *proc, const char *needle)
{
    if (!tth_wait_file_holds(proc->log, needle, 10000))
        tth_proc_dump_log(proc);
    assert_true(tth_log_holds(proc, needle));
}

static long s_reconciles(const char *dir)
{
    return tth_store_long(dir, "SELECT count(*) FROM events WHERE topic = "
                               "'trade.reconcile.BTCUSDT'");
}

/* The restart tests' start: the entry filled, its stop and take-profit
   working at the venue and acknowledged in the store; their client ids
   into STOP and TARGET. */
static void s_bracket_working(tth_proc_t *proc, fake_binance_t *fake,
                              const char *dir, char *stop, char *target,
                              size_t size)
{
    s_wait(proc, s_listening, 1, 10000, "user-data stream open");
    s_drive_entry(proc, fake, 1, NULL, NULL);
    s_wait(proc, s_long, 1, 5000, "entry filled");
    s_wait_exits(fake, 1);
    tth_store_text(dir, "SELECT coid FROM orders WHERE coid LIKE '%-t'", target,
                   size);
    tth_store_text(dir, "SELECT coid FROM orders WHERE coid LIKE '%-s'", stop,
                   size);
    s_wait_status(fake, stop, "NEW");
    s_wait_status(fake, target, "NEW");
    tth_store_wait_order_state(dir, stop, S_ACCEPTED);
    tth_store_wait_order_state(dir, target, S_ACCEPTED);
}

/* Killed with the entry filled and its stop and take-profit working at
   the venue (one OCO list); the take-profit fills while the service is
   down, and the venue expires the stop. The restarted service takes the
   open orders back from the store and asks the venue about each: the
   fill is adopted once (fill id SYMBOL:tradeId, in the store once, the
   position flat) and the stop's expiry applied, each published as
   trade.reconcile; nothing is sent or cancelled again. A second restart
   finds nothing open. */
static void test_restart_target_filled_while_down(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-bnbrokerrestart");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    char stop[64], target[64], price[32], line[200], sql[200];
    s_bracket_working(proc, fake, dir, stop, target, sizeof stop);
    long limit = tth_store_long(
        dir, "SELECT limit_px FROM orders WHERE coid LIKE '%-t'");
    snprintf(price, sizeof price, "%ld.%02ld", limit / 100, limit % 100);

    assert_int_equal(tth_proc_signal_wait(proc, SIGKILL, 5000), 128 + SIGKILL);
    assert_int_equal(fake_binance_fill_while_down(fake, target, S_QTY, price),
                     0);
    uint64_t queries = fake_binance_requests(fake, "GET /api/v3/order");
    tth_venue_respawn(proc, "ticktree2.log");
    s_wait(proc, s_flat_after, 1, 10000, "fill adopted after the restart");
    tth_store_wait_order_state(dir, target, S_FILLED);
    tth_store_wait_order_state(dir, stop, S_EXPIRED);
    snprintf(line, sizeof line, "reconcile: adopt_fill %s: filled", target);
    s_wait_log(proc, line);
    snprintf(line, sizeof line,
             "reconcile: adopt_state %s: expired at the venue", stop);
    s_wait_log(proc, line);
    assert_int_equal(s_reconciles(dir), 2);
    assert_true(fake_binance_requests(fake, "GET /api/v3/order") >=
                queries + 2);
    assert_true(fake_binance_requests(fake, "GET /api/v3/myTrades") >= 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM fills WHERE coid = '%s' AND fill_id LIKE "
             "'BTCUSDT:%%'",
             target);
    assert_int_equal(tth_store_long(dir, sql), 1);
    assert_int_equal(tth_store_long(dir, "SELECT qty FROM positions WHERE "
                                         "symbol = 'BTCUSDT'"),
                     0);
    assert_int_equal(fake_binance_requests(fake, "POST /api/v3/order"), 1);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);
    assert_int_equal(fake_binance_requests(fake, "DELETE /api/v3/order"), 0);
    assert_int_equal(fake_binance_requests(fake, "DELETE /api/v3/orderList"),
                     0);
    assert_int_equal(fake_binance_coid_max(fake), 1);
    assert_false(tth_log_holds(proc, "order event refused"));

    /* Again: the store has nothing open, nothing to reconcile. */
    assert_int_equal(tth_proc_signal_wait(proc, SIGKILL, 5000), 128 + SIGKILL);
    tth_venue_respawn(proc, "ticktree3.log");
    s_wait(proc, s_listening, 1, 10000, "listening after the second restart");
    s_wait_log(proc, "warm restart: 0 open orders in the store");
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    assert_int_equal(s_reconciles(dir), 2);
    s_check_store(dir, fake);
    s_no_secret_in_log(proc);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* Killed and restarted with nothing changed at the venue: both exits are
   asked about and found working; nothing is expired, cancelled or sent
   again, no reconciliation event is published, the position stays
   protected. */
static void test_restart_nothing_changed(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-bnbrokerrestart0");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    char stop[64], target[64];
    s_bracket_working(proc, fake, dir, stop, target, sizeof stop);
    uint64_t queries = fake_binance_requests(fake, "GET /api/v3/order");

    assert_int_equal(tth_proc_signal_wait(proc, SIGKILL, 5000), 128 + SIGKILL);
    tth_venue_respawn(proc, "ticktree2.log");
    s_wait_log(proc, "BTCUSDT: restart reconciled, 0 changed");
    tth_venue_seen_t seen = s_wait(proc, s_long, 0, 5000, "position kept");
    assert_string_equal(seen.position, S_QTY);
    assert_true(fake_binance_requests(fake, "GET /api/v3/order") >=
                queries + 2);
    /* Time for a wrong resend or cancel to show. */
    int64_t end = tth_now_ms() + 1000;
    while (tth_now_ms() < end)
        tth_nap_ms(50);
    tth_store_wait_order_state(dir, stop, S_ACCEPTED);
    tth_store_wait_order_state(dir, target, S_ACCEPTED);
    s_wait_status(fake, stop, "NEW");
    s_wait_status(fake, target, "NEW");
    assert_int_equal(s_reconciles(dir), 0);
    assert_int_equal(fake_binance_requests(fake, "POST /api/v3/order"), 1);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);
    assert_int_equal(fake_binance_requests(fake, "DELETE /api/v3/order"), 0);
    assert_int_equal(fake_binance_requests(fake, "DELETE /api/v3/orderList"),
                     0);
    assert_int_equal(fake_binance_coid_max(fake), 1);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    long orders = 0;
    assert_int_equal(tth_check_store(path, 0, &orders), 1);
    assert_int_equal(orders, 3);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* Killed; the venue forgets the exits' OCO list meanwhile. After the
   restart both legs are expired as unknown to broker (a trade.reconcile
   resolve each), and the book protects the position again with a new
   stop and take-profit, one new list under new client ids. */
static void test_restart_unknown_to_venue(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-bnbrokerrestartx");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    char stop[64], target[64], line[200], sql[200], reason[96];
    s_bracket_working(proc, fake, dir, stop, target, sizeof stop);

    assert_int_equal(tth_proc_signal_wait(proc, SIGKILL, 5000), 128 + SIGKILL);
    assert_int_equal(fake_binance_forget_order(fake, stop), 0);
    tth_venue_respawn(proc, "ticktree2.log");
    const char *legs[] = {stop, target};
    for (int i = 0; i < 2; i++) {
        snprintf(line, sizeof line, "reconcile: resolve %s: unknown to broker",
                 legs[i]);
        s_wait_log(proc, line);
        tth_store_wait_order_state(dir, legs[i], S_EXPIRED);
        snprintf(sql, sizeof sql, "SELECT reason FROM orders WHERE coid = '%s'",
                 legs[i]);
        tth_store_text(dir, sql, reason, sizeof reason);
        assert_string_equal(reason, "unknown to broker");
    }
    assert_int_equal(s_reconciles(dir), 2);
    s_wait_log(proc, "BTCUSDT: restart reconciled, 2 changed");
    /* New exits cover the position, as one new list. */
    s_wait_exits(fake, 2);
    char stop2[64], target2[64];
    s_newest_exits(dir, stop2, target2);
    assert_string_not_equal(stop2, stop);
    assert_string_not_equal(target2, target);
    s_wait_status(fake, stop2, "NEW");
    s_wait_status(fake, target2, "NEW");
    assert_true(fake_binance_order_list_id(fake, stop2) > 0);
    assert_int_equal(fake_binance_order_list_id(fake, stop2),
                     fake_binance_order_list_id(fake, target2));
    tth_store_wait_order_state(dir, stop2, S_ACCEPTED);
    tth_store_wait_order_state(dir, target2, S_ACCEPTED);
    assert_int_equal(fake_binance_requests(fake, "DELETE /api/v3/orderList"),
                     0);
    assert_int_equal(fake_binance_coid_max(fake), 1);
    tth_venue_seen_t seen = s_look(proc);
    assert_string_equal(seen.position, S_QTY);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    long orders = 0;
    assert_int_equal(tth_check_store(path, 0, &orders), 1);
    assert_int_equal(orders, 5);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* The exits are one OCO list at the venue, each leg under our client
   id. The take-profit fills: the venue expires the stop in the same
   step, and trades through the stop price later fill nothing. The book
   learns the stop ended (no refused cancel, no error), the position is
   flat at the venue and here, two fills in the ledger. */
static void test_oco_target_then_stop(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-bnbrokeroco");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    char stop[64], target[64], sql[200];
    s_bracket_working(proc, fake, dir, stop, target, sizeof stop);
    int64_t list = fake_binance_order_list_id(fake, stop);
    assert_true(list > 0);
    assert_int_equal(fake_binance_order_list_id(fake, target), list);
    assert_int_equal(fake_binance_coid_count(fake, stop), 1);
    assert_int_equal(fake_binance_coid_count(fake, target), 1);
    long limit = tth_store_long(
        dir, "SELECT limit_px FROM orders WHERE coid LIKE '%-t'");
    long stop_px =
        tth_store_long(dir, "SELECT stop_px FROM orders WHERE coid LIKE '%-s'");
    assert_true(stop_px > 0 && stop_px < limit);

    s_trade(fake, limit); /* reaches the take-profit */
    s_wait(proc, s_flat_after, 2, 5000, "take-profit filled");
    s_wait_status(fake, target, "FILLED");
    s_wait_status(fake, stop, "EXPIRED");
    tth_store_wait_order_state(dir, target, S_FILLED);
    tth_store_wait_order_state(dir, stop, S_EXPIRED);

    /* Through the stop, twice: nothing may fill any more. */
    s_trade(fake, stop_px - 50);
    s_trade(fake, stop_px - 100);
    int64_t end = tth_now_ms() + 1000; /* time for a wrong fill to show */
    while (tth_now_ms() < end)
        tth_nap_ms(50);
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(st.fills, 2);
    tth_venue_seen_t seen = s_look(proc);
    assert_int_equal(seen.fills, 2);
    assert_string_equal(seen.position, "0.000");
    assert_string_equal(seen.last_error, "");
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM order_events WHERE coid = '%s' AND "
             "from_state = 8 AND to_state <> 7",
             stop);
    assert_int_equal(tth_store_long(dir, sql), 0); /* no refused cancel */
    assert_false(tth_log_holds(proc, "order event refused"));
    assert_false(tth_log_holds(proc, "sent alone"));
    assert_false(tth_log_holds(proc, "insufficient balance"));
    assert_int_equal(fake_binance_requests(fake, "POST /api/v3/order"), 1);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    s_check_store(dir, fake);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* The entry fills in two trades (both in the reply): the book places
   its exits for the first half, then resizes both. At Binance that is
   the list cancelled (one DELETE orderList, both legs reported) and a
   new list for the whole position, the new stop waiting in the queue
   for the new take-profit; nothing is refused for balance or sent
   alone. */
static void test_oco_resized_after_partial_entry(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    fake_binance_split_fills(fake, 1);
    char *dir = tth_tmpdir("tt-bnbrokerocor");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    s_wait(proc, s_listening, 1, 10000, "user-data stream open");
    s_drive_entry(proc, fake, 1, NULL, NULL);
    s_wait(proc, s_long, 2, 5000, "entry filled in two trades");
    s_wait_exits(fake, 2);
    assert_int_equal(fake_binance_requests(fake, "DELETE /api/v3/orderList"),
                     1);
    char stop[64], target[64];
    tth_store_text(dir,
                   "SELECT coid FROM orders WHERE coid LIKE '%-s' ORDER BY seq "
                   "DESC LIMIT 1",
                   stop, sizeof stop);
    tth_store_text(dir,
                   "SELECT coid FROM orders WHERE coid LIKE '%-t' ORDER BY seq "
                   "DESC LIMIT 1",
                   target, sizeof target);
    s_wait_status(fake, stop, "NEW");
    s_wait_status(fake, target, "NEW");
    tth_store_wait_order_state(dir, stop, S_ACCEPTED);
    tth_store_wait_order_state(dir, target, S_ACCEPTED);
    int64_t list = fake_binance_order_list_id(fake, stop);
    assert_true(list > 0);
    assert_int_equal(fake_binance_order_list_id(fake, target), list);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT qty FROM orders WHERE coid = '%s'", stop);
    assert_int_equal(tth_store_long(dir, sql), 500);
    snprintf(sql, sizeof sql, "SELECT qty FROM orders WHERE coid = '%s'",
             target);
    assert_int_equal(tth_store_long(dir, sql), 500);
    /* The first exits were replaced, never refused. */
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM orders WHERE "
                                         "state = 10"),
                     2);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM orders WHERE "
                                         "state = 6"),
                     0);
    assert_false(tth_log_holds(proc, "sent alone"));
    assert_false(tth_log_holds(proc, "insufficient balance"));
    tth_venue_seen_t seen = s_look(proc);
    assert_string_equal(seen.position, S_QTY);
    assert_string_equal(seen.last_error, "");

    long limit = tth_store_long(dir, "SELECT limit_px FROM orders WHERE coid "
                                     "LIKE '%-t' ORDER BY seq DESC LIMIT 1");
    s_trade(fake, limit);
    s_wait(proc, s_flat_after, 3, 5000, "take-profit filled");
    s_wait_status(fake, stop, "EXPIRED");
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    long orders = 0;
    assert_int_equal(tth_check_store(path, 0, &orders), 3);
    assert_int_equal(orders, 5);
    assert_int_equal(fake_binance_coid_max(fake), 1);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* The take-profit trades 0.200 of 0.500: the venue expires the stop
   (its list's other leg) and the take-profit works on alone for 0.300,
   holding those coins. The book sends a new stop for the 0.300 left;
   beside the take-profit the venue would refuse it for balance (and the
   book would flatten at the market), so the gateway cancels the
   take-profit first, the book sends its replacement, and the two leave
   as one new list: nothing refused, the position protected. */
static void test_oco_partner_cleared_after_partial_exit(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-bnbrokerocop");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    char stop[64], target[64], price[32];
    s_bracket_working(proc, fake, dir, stop, target, sizeof stop);
    long limit = tth_store_long(
        dir, "SELECT limit_px FROM orders WHERE coid LIKE '%-t'");
    snprintf(price, sizeof price, "%ld.%02ld", limit / 100, limit % 100);
    assert_int_equal(fake_binance_fill_while_down(fake, target, "0.2", price),
                     0);
    s_wait_status(fake, stop, "EXPIRED");
    s_held = "0.300";
    s_wait(proc, s_long, 2, 5000, "position after the partial exit");
    s_wait_exits(fake, 2);
    char stop2[64], target2[64], sql[200];
    s_newest_exits(dir, stop2, target2);
    assert_string_not_equal(stop2, stop);
    assert_string_not_equal(target2, target);
    s_wait_status(fake, stop2, "NEW");
    s_wait_status(fake, target2, "NEW");
    s_wait_status(fake, target, "CANCELED");
    assert_true(fake_binance_order_list_id(fake, stop2) > 0);
    assert_int_equal(fake_binance_order_list_id(fake, stop2),
                     fake_binance_order_list_id(fake, target2));
    snprintf(sql, sizeof sql, "SELECT qty FROM orders WHERE coid = '%s'",
             stop2);
    assert_int_equal(tth_store_long(dir, sql), 300);
    tth_store_wait_order_state(dir, stop2, S_ACCEPTED);
    tth_store_wait_order_state(dir, target2, S_ACCEPTED);
    assert_false(tth_log_holds(proc, "insufficient balance"));
    assert_false(tth_log_holds(proc, "sent alone"));
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM orders WHERE "
                                         "coid LIKE '%-x'"),
                     0); /* no flatten */
    tth_venue_seen_t seen = s_look(proc);
    assert_string_equal(seen.position, "0.300");
    assert_int_equal(fake_binance_requests(fake, "POST /api/v3/order"), 1);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    long orders = 0;
    assert_int_equal(tth_check_store(path, 0, &orders), 2);
    assert_int_equal(orders, 5);
    assert_int_equal(fake_binance_coid_max(fake), 1);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* ---- request weight (docs/VENUES.md, "Rate limiting") ---- */

/* When the fake answered 400 -1003 and when the order landed. */
typedef struct {
    int64_t refused_at, accepted_at;
} s_too_many_t;

static void s_watch_too_many(fake_binance_t *fake, void *arg)
{
    s_too_many_t *s = arg;
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    if (st.http_400_1003 > 0 && !s->refused_at)
        s->refused_at = tth_now_ms();
    if (st.orders_accepted > 0 && !s->accepted_at)
        s->accepted_at = tth_now_ms();
}

/* The entry's POST is answered 400 -1003 "Too many requests" with
   Retry-After: 1: a rate limit, not a rejection. The gateway holds its
   requests for the second and sends the same order again; the venue
   takes it once, it fills, its exits follow. */
static void test_too_many_requests_retried(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-bnbroker1003");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    s_wait(proc, s_listening, 1, 10000, "user-data stream open");
    s_too_many_t seen = {0};
    fake_binance_too_many(fake, 1);
    s_drive_entry(proc, fake, 2, s_watch_too_many, &seen);
    s_wait(proc, s_long, 1, 5000, "entry filled after the wait");
    s_watch_too_many(fake, &seen);
    int64_t deadline = tth_now_ms() + 5000;
    while (fake_binance_requests(fake, S_OCO) < 1 && tth_now_ms() < deadline)
        tth_nap_ms(20);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(st.http_400_1003, 1);
    assert_int_equal(st.http_429 + st.http_418, 0);
    assert_true(seen.refused_at > 0);
    /* Sent again only once the wait was over (less the polling's 100 ms
       and scheduling slack). */
    assert_true(seen.accepted_at - seen.refused_at >= 800);
    char entry[64], sql[200];
    tth_store_text(dir, "SELECT coid FROM orders WHERE coid LIKE '%-e'", entry,
                   sizeof entry);
    assert_int_equal(fake_binance_coid_count(fake, entry), 1);
    assert_int_equal(fake_binance_requests(fake, "POST /api/v3/order"), 2);
    s_wait_status(fake, entry, "FILLED");
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM order_events WHERE coid = '%s' AND "
             "to_state = 6",
             entry);
    assert_int_equal(tth_store_long(dir, sql), 0); /* never REJECTED */
    s_wait_log(proc, "requests held");
    s_wait_log(proc, "-1003 Too many requests");
    s_no_secret_in_log(proc);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* A venue whose REQUEST_WEIGHT limit is 80 a minute (exchangeInfo says
   so): the start, the entry, its exits, then the listenKey expiring
   again and again, each new session re-querying both exits (2 + 2 x 4),
   would pass it within the minute. The gateway follows the venue's count
   and stops at 72 until the next minute: the fake never answers 429 or
   418 and never counts more than 80. */
static void test_weight_burst_under_limit(void **state)
{
    (void)state;
    fake_binance_t *fake =
        tth_fake_binance_spot((fake_binance_cfg_t){.api_key = S_KEY,
                                                   .secret = S_SECRET,
                                                   .enforce_balance = true,
                                                   .weight_limit = 80});
    char *dir = tth_tmpdir("tt-bnbrokerweight");
    char *text = s_config(dir, fake_binance_port(fake), 1800);
    /* The gateway's own request rate out of the way: the venue's weight
       is what must hold it back. */
    char *rate = strstr(text, "orders_per_min: 120,");
    assert_non_null(rate);
    memcpy(rate, "orders_per_min: 999,", strlen("orders_per_min: 999,"));
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    free(text);
    char stop[64], target[64];
    s_bracket_working(proc, fake, dir, stop, target, sizeof stop);
    s_wait_log(proc, "request weight limit 80 a minute");
    int64_t minute = s_wall_ms() / 60000;
    for (int i = 0; i < 8; i++) {
        uint64_t posts =
            fake_binance_requests(fake, "POST /api/v3/userDataStream");
        assert_true(fake_binance_expire_listen_keys(fake) >= 0);
        int64_t deadline = tth_now_ms() + 2000;
        while (fake_binance_requests(fake, "POST /api/v3/userDataStream") ==
                   posts &&
               tth_now_ms() < deadline)
            tth_nap_ms(20);
        if (fake_binance_requests(fake, "POST /api/v3/userDataStream") == posts)
            break; /* held: the minute's weight is spent */
    }
    int64_t end = tth_now_ms() + 500; /* time for a request to slip out */
    while (tth_now_ms() < end)
        tth_nap_ms(50);
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(st.http_429, 0);
    assert_int_equal(st.http_418, 0);
    assert_true(st.max_used_weight <= 80);
    if (s_wall_ms() / 60000 == minute) /* else the count started again */
        s_wait_log(proc, "request weight for this minute is nearly spent");
    s_no_secret_in_log(proc);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* ---- commissions (docs/VENUES.md, "Commissions") ---- */

static int s_reset_held(void **state)
{
    (void)state;
    s_held = S_QTY;
    return 0;
}

static long s_in_log_count(const tth_proc_t *proc, const char *needle)
{
    char *log = tth_read_file(proc->log);
    long n = 0;
    for (const char *p = log; p && (p = strstr(p, needle)); p++)
        n++;
    free(log);
    return n;
}

/* The book's money value (cents) of QTY (thousandths of a coin) at PX
   (cents): PX * QTY / 1000 to the nearest, halves away from zero. */
static long s_value(long px, long qty)
{
    return (px * qty + 500) / 1000;
}

/* A commission of 20 bps in the quote asset of QTY (thousandths) at PX
   (cents), as the fake charges it and the gateway books it: at 8
   decimals it is QTY * PX * 1000 * 20 / 10000 = QTY * PX * 2 exactly,
   then in cents to the nearest. */
static long s_quote_fee(long px, long qty)
{
    return (px * qty * 2 + 500000) / 1000000;
}

typedef struct {
    char stop[64], target[64];
    long entry_px, target_px; /* cents */
    long held;                /* thousandths of a coin */
} s_trip_t;

/* The entry filled and both exits working as one list, each sized to
   what the position holds (HELD, as health shows it). */
static void s_fee_bracket(tth_proc_t *proc, fake_binance_t *fake,
                          const char *dir, const char *held, s_trip_t *t)
{
    char sql[200];
    s_held = held;
    s_bracket_working(proc, fake, dir, t->stop, t->target, sizeof t->stop);
    t->entry_px =
        tth_store_long(dir, "SELECT px FROM fills WHERE coid LIKE '%-e'");
    t->target_px = tth_store_long(
        dir, "SELECT limit_px FROM orders WHERE coid LIKE '%-t'");
    t->held = tth_store_long(dir, "SELECT qty FROM positions WHERE "
                                  "symbol = 'BTCUSDT'");
    const char *legs[] = {t->stop, t->target};
    for (int i = 0; i < 2; i++) {
        snprintf(sql, sizeof sql, "SELECT qty FROM orders WHERE coid = '%s'",
                 legs[i]);
        assert_int_equal(tth_store_long(dir, sql), t->held);
    }
}

/* After the take-profit: flat here and at the venue, nothing refused or
   sent alone, two fills with fees ENTRY_FEE and EXIT_FEE, realized P&L
   REALIZED, all in cents; the store consistent. FILLS: the fills health
   counts since the process started. */
static void s_fee_trip_done(tth_proc_t *proc, fake_binance_t *fake,
                            const char *dir, const s_trip_t *t, uint64_t fills,
                            long entry_fee, long exit_fee, long realized)
{
    s_wait(proc, s_flat_after, fills, 5000, "take-profit filled");
    s_wait_status(fake, t->target, "FILLED");
    s_wait_status(fake, t->stop, "EXPIRED");
    assert_false(tth_log_holds(proc, "insufficient balance"));
    assert_false(tth_log_holds(proc, "sent alone"));
    assert_false(tth_log_holds(proc, "not booked"));
    assert_int_equal(fake_binance_requests(fake, "POST /api/v3/order"), 1);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    char path[512], sql[200];
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    long orders = 0;
    assert_int_equal(tth_check_store(path, 0, &orders), 2);
    assert_int_equal(orders, 3);
    snprintf(sql, sizeof sql, "SELECT fee FROM fills WHERE coid = '%s'",
             t->target);
    assert_int_equal(tth_store_long(dir, sql), exit_fee);
    assert_int_equal(
        tth_store_long(dir, "SELECT fee FROM fills WHERE coid LIKE '%-e'"),
        entry_fee);
    assert_int_equal(tth_store_long(dir, "SELECT fees FROM positions WHERE "
                                         "symbol = 'BTCUSDT'"),
                     entry_fee + exit_fee);
    assert_int_equal(tth_store_long(dir, "SELECT realized FROM positions WHERE "
                                         "symbol = 'BTCUSDT'"),
                     realized);
    assert_int_equal(tth_store_long(dir, "SELECT qty FROM positions WHERE "
                                         "symbol = 'BTCUSDT'"),
                     0);
    assert_int_equal(fake_binance_coid_max(fake), 1);
}

/* Commissions in the asset each trade delivers, as Binance charges by
   default: the entry (a buy of 0.500 BTC) pays 20 bps in BTC, 0.001 BTC,
   so 0.499 BTC arrive; the venue's balance holds 0.499 and refuses a
   sell of more. The position is 0.499, the stop and take-profit are
   sized 0.499 (no balance refusal), the take-profit (a sell) pays 20 bps
   of its value in USDT. Worked by hand for an entry at 190.55 and a
   take-profit at 194.37: entry fee = value of 0.001 BTC at 190.55 =
   0.19055 -> 0.19; exit fee = 0.499 x 194.37 x 0.002 = 0.19398126 ->
   0.19; realized = 0.499 x 194.37 - 0.499 x 190.55 = 96.99063 - 95.08445
   -> 96.99 - 95.08 = 1.91; net 1.91 - 0.38 = 1.53, which is what the
   coins say: 96.99063 - 0.19398 received for 95.275 paid, 1.52 plus the
   roundings. The test computes the same from the prices it got. */
/* `ticktree events` prints the first fill the service in DIR published,
   HEAD and then TAIL in it (its price between them). */
static void s_events_fill(const char *dir, const char *head, const char *tail)
{
    char events[512], replay[512];
    snprintf(events, sizeof events, "ipc://%s/events", dir);
    snprintf(replay, sizeof replay, "ipc://%s/replay", dir);
    const char *args[] = {
        "events", "--endpoint", events,        "--replay", replay,
        "--from", "1",          "--count",     "1",        "--idle-timeout",
        "15000",  "--topic",    "trade.fill.", NULL};
    char *out = NULL;
    int rc = tth_run_binary(args, &out);
    if (rc != 0)
        fail_msg("ticktree events exited %d:\n%s", rc, out);
    const char *at = strstr(out, head);
    if (!at || !strstr(at, tail))
        fail_msg("ticktree events printed no fill '%s...%s':\n%s", head, tail,
                 out);
    free(out);
}

static void test_commission_base_asset(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake_fee("0.001", FAKE_BINANCE_FEE_DELIVERED);
    char *dir = tth_tmpdir("tt-bnbrokerfeeb");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    s_trip_t t;
    s_fee_bracket(proc, fake, dir, "0.499", &t);
    assert_int_equal(t.held, 499);
    assert_int_equal(tth_store_long(dir, "SELECT filled FROM orders WHERE "
                                         "coid LIKE '%-e'"),
                     500);
    s_wait_log(proc, "commission 0.001 BTC kept by the venue: 1 lots less");
    s_events_fill(dir, "buy 0.499 @ ",
                  " executed 0.500 commission "
                  "0.00100000 BTC");
    s_trade(fake, t.target_px);
    s_fee_trip_done(proc, fake, dir, &t, 2, s_value(t.entry_px, 1),
                    s_quote_fee(t.target_px, 499),
                    s_value(t.target_px, 499) - s_value(t.entry_px, 499));
    /* The ledger keeps what Binance reported beside what was booked: the
       entry executed 0.500 and was charged 0.001 BTC (8 decimals), of
       which 0.499 reached the position; the exit paid USDT. */
    assert_int_equal(tth_store_long(dir, "SELECT exec_qty FROM ledger WHERE "
                                         "coid LIKE '%-e'"),
                     500);
    assert_int_equal(tth_store_long(dir, "SELECT qty FROM ledger WHERE "
                                         "coid LIKE '%-e'"),
                     499);
    assert_int_equal(tth_store_long(dir, "SELECT commission FROM ledger WHERE "
                                         "coid LIKE '%-e'"),
                     100000);
    assert_int_equal(tth_store_long(dir, "SELECT commission_decimals FROM "
                                         "ledger WHERE coid LIKE '%-e'"),
                     8);
    char asset[16];
    tth_store_text(dir,
                   "SELECT commission_asset FROM ledger WHERE coid "
                   "LIKE '%-e'",
                   asset, sizeof asset);
    assert_string_equal(asset, "BTC");
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT commission_asset FROM ledger WHERE coid = '%s'", t.target);
    tth_store_text(dir, sql, asset, sizeof asset);
    assert_string_equal(asset, "USDT");
    snprintf(sql, sizeof sql,
             "SELECT exec_qty = qty AND qty = 499 AND commission = %ld "
             "FROM ledger WHERE coid = '%s'",
             499 * t.target_px * 2, t.target);
    assert_int_equal(tth_store_long(dir, sql), 1);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* Every commission in USDT: 20 bps of each trade's value is its fee,
   the position is the whole 0.500 BTC. */
static void test_commission_quote_asset(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake_fee("0.001", FAKE_BINANCE_FEE_QUOTE);
    char *dir = tth_tmpdir("tt-bnbrokerfeeq");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    s_trip_t t;
    s_fee_bracket(proc, fake, dir, S_QTY, &t);
    assert_int_equal(t.held, 500);
    s_trade(fake, t.target_px);
    s_fee_trip_done(proc, fake, dir, &t, 2, s_quote_fee(t.entry_px, 500),
                    s_quote_fee(t.target_px, 500),
                    s_value(t.target_px, 500) - s_value(t.entry_px, 500));
    /* Both ledger rows: the venue executed what reached the position and
       charged USDT, 20 bps of the value at 8 decimals. */
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM ledger WHERE exec_qty = 500 AND qty = 500"
             " AND commission_asset = 'USDT' AND commission IN (%ld, %ld)",
             500 * t.entry_px * 2, 500 * t.target_px * 2);
    assert_int_equal(tth_store_long(dir, sql), 2);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* Every commission in BNB: without a BNB price the fee is booked as 0,
   with one warning for the symbol and each amount in the log; the
   position is the whole 0.500 BTC. */
static void test_commission_bnb(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake_fee("0.001", FAKE_BINANCE_FEE_BNB);
    char *dir = tth_tmpdir("tt-bnbrokerfeebnb");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    s_trip_t t;
    s_fee_bracket(proc, fake, dir, S_QTY, &t);
    s_trade(fake, t.target_px);
    s_wait(proc, s_flat_after, 2, 5000, "take-profit filled");
    s_wait_log(proc, "commission 0.001 BNB, not valued"); /* the exit's */
    assert_int_equal(s_in_log_count(proc, "BNB, not valued"), 2);
    assert_int_equal(s_in_log_count(proc, "commissions paid in BNB are "
                                          "booked as a fee of 0"),
                     1);
    s_fee_trip_done(proc, fake, dir, &t, 2, 0, 0,
                    s_value(t.target_px, 500) - s_value(t.entry_px, 500));
    /* Booked as 0, but the ledger keeps the 0.001 BNB of each. */
    assert_int_equal(tth_store_long(dir, "SELECT COUNT(*) FROM ledger WHERE"
                                         " fee = 0 AND commission = 100000"
                                         " AND commission_decimals = 8 AND"
                                         " commission_asset = 'BNB'"),
                     2);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* Killed with 0.499 BTC held (the entry's commission kept in BTC) and
   its exits working; the take-profit fills while down (0.499, paying
   USDT). After the restart the fill is adopted once from myTrades with
   its commission as the fee, and the position is flat. */
static void test_restart_adopts_commission(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake_fee("0.001", FAKE_BINANCE_FEE_DELIVERED);
    char *dir = tth_tmpdir("tt-bnbrokerfeer");
    tth_proc_t *proc = s_spawn(fake, dir, 1800);
    s_trip_t t;
    char price[32], line[200];
    s_fee_bracket(proc, fake, dir, "0.499", &t);
    snprintf(price, sizeof price, "%ld.%02ld", t.target_px / 100,
             t.target_px % 100);
    assert_int_equal(tth_proc_signal_wait(proc, SIGKILL, 5000), 128 + SIGKILL);
    assert_int_equal(
        fake_binance_fill_while_down(fake, t.target, "0.499", price), 0);
    uint64_t trades = fake_binance_requests(fake, "GET /api/v3/myTrades");
    tth_venue_respawn(proc, "ticktree2.log");
    s_wait(proc, s_flat_after, 1, 10000, "fill adopted after the restart");
    snprintf(line, sizeof line, "reconcile: adopt_fill %s: filled", t.target);
    s_wait_log(proc, line);
    tth_store_wait_order_state(dir, t.stop, S_EXPIRED);
    assert_true(fake_binance_requests(fake, "GET /api/v3/myTrades") > trades);
    assert_int_equal(s_reconciles(dir), 2);
    s_fee_trip_done(proc, fake, dir, &t, 1, s_value(t.entry_px, 1),
                    s_quote_fee(t.target_px, 499),
                    s_value(t.target_px, 499) - s_value(t.entry_px, 499));
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_fill_outage),
        cmocka_unit_test(test_rate_limit_storm),
        cmocka_unit_test(test_bad_credentials),
        cmocka_unit_test(test_unknown_outcome),
        cmocka_unit_test(test_filter_refused_locally),
        cmocka_unit_test(test_listen_key_expiry),
        cmocka_unit_test(test_restart_target_filled_while_down),
        cmocka_unit_test(test_restart_nothing_changed),
        cmocka_unit_test(test_restart_unknown_to_venue),
        cmocka_unit_test(test_oco_target_then_stop),
        cmocka_unit_test(test_oco_resized_after_partial_entry),
        cmocka_unit_test_teardown(test_oco_partner_cleared_after_partial_exit,
                                  s_reset_held),
        cmocka_unit_test(test_too_many_requests_retried),
        cmocka_unit_test(test_weight_burst_under_limit),
        cmocka_unit_test_teardown(test_commission_base_asset, s_reset_held),
        cmocka_unit_test_teardown(test_commission_quote_asset, s_reset_held),
        cmocka_unit_test_teardown(test_commission_bnb, s_reset_held),
        cmocka_unit_test_teardown(test_restart_adopts_commission, s_reset_held),
    };
    /* TT_TEST_FILTER=test_oco_* runs a subset while iterating. */
    if (getenv("TT_TEST_FILTER"))
        cmocka_set_test_filter(getenv("TT_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
