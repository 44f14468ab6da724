/*  tests/test_binance_order_limits_e2e.c: the account's order-count
    limits at Binance spot (exchangeInfo ORDERS, X-MBX-ORDER-COUNT-*)
    end to end: the real `ticktree` binary trades two symbols through
    the Binance broker gateway against the local Binance-like server
    (tests/fakes), which lists and enforces 3 new orders per 10 s.

    Both symbols cross at the same candle, so both entries come at once.
    One goes with its stop and take-profit (one order and one OCO list
    of two: 3 in the window); the other would pass the limit (an entry
    leaves room for its two exits), so it is refused here, never sent:
    its order REJECTED with the reason in the store, the order event and
    the log, the venue never saw its client id and never answered 429.
    Once the window has passed, the refused symbol's next entry goes and
    gets its exits. Every wait is bounded. */
#include "tests/fakes/fake_binance.h"
#include "tests/process.h"
#include "tests/venuecheck.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_KEY "bnTESTKEYlimits3"
#define S_SECRET "bn-s3cr3t-limits-do-not-log"
#define S_EDGE "broker/live"
#define S_OCO "POST /api/v3/orderList/oco"
#define S_ORDER "POST /api/v3/order"
#define S_WINDOW_MS 10000
#define S_REFUSED "not sent: order limit 3 per 10 s"

static const char *const s_syms[] = {"BTCUSDT", "ETHUSDT"};

static int64_t s_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static fake_binance_t *s_fake(void)
{
    fake_binance_symbol_t syms[2];
    for (int i = 0; i < 2; i++)
        syms[i] = (fake_binance_symbol_t){.symbol = s_syms[i],
                                          .base = i ? "ETH" : "BTC",
                                          .quote = "USDT",
                                          .min_price = "0.01",
                                          .max_price = "1000000",
                                          .tick_size = "0.01",
                                          .min_qty = "0.001",
                                          .max_qty = "1000",
                                          .step_size = "0.001",
                                          .min_notional = "10"};
    fake_binance_cfg_t fcfg = {.api_key = S_KEY,
                               .secret = S_SECRET,
                               .symbols = syms,
                               .symbol_count = 2,
                               .enforce_balance = true,
                               .order_limit_10s = 3};
    fake_binance_t *fake = fake_binance_start(&fcfg);
    assert_non_null(fake);
    return fake;
}

/* Both symbols on one binance venue whose market data, REST and
   user-data stream are the fake. */
static tth_proc_t *s_spawn(fake_binance_t *fake, char *dir)
{
    int port = fake_binance_port(fake);
    char venue[1024];
    tth_binance_venue_yaml(dir, port, "TT_TEST_BINANCE_KEY", S_KEY, S_SECRET,
                           "", venue, sizeof venue);
    char *text = tth_venue_config(
        dir, venue,
        "  timeframes: [1]\n"
        "  stale_ms: 120000\n"
        "  strategy:\n    kind: sma_cross\n"
        "    params: {fast: 2, slow: 4, stop_pct: 1, target_r: 2}\n"
        "  risk:\n    sizing: fixed_qty\n    qty: \"0.5\"\n",
        "  - symbol: BTCUSDT\n    px_decimals: 2\n    qty_decimals: 3\n"
        "  - symbol: ETHUSDT\n    px_decimals: 2\n    qty_decimals: 3\n");
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    free(text);
    return proc;
}

static bool s_listening(const tth_venue_seen_t *s, uint64_t want)
{
    (void)want;
    return !strcmp(s->status, "connected") && s->subscribes >= 1;
}

static bool s_filled(const tth_venue_seen_t *s, uint64_t want)
{
    return s->fills >= want && !strcmp(s->position, "0.500");
}

/* A trade at CENTS for each symbol of MASK (bit i: s_syms[i]), the same
   time for all, so their candles and signals are the same. Pushed only
   between 0.5 and 8 s into a 10 s window: a signal (at most a candle
   later) and the orders after it then fall in one window. */
static void s_trade(fake_binance_t *fake, int mask, int64_t cents)
{
    int64_t deadline = tth_now_ms() + 3 * S_WINDOW_MS;
    while (tth_now_ms() < deadline && (s_wall_ms() % S_WINDOW_MS < 500 ||
                                       s_wall_ms() % S_WINDOW_MS >= 8000))
        tth_nap_ms(20);
    char px[32];
    snprintf(px, sizeof px, "%lld.%02lld", (long long)(cents / 100),
             (long long)(cents % 100));
    int64_t ts = s_wall_ms();
    for (int i = 0; i < 2; i++)
        if (mask & (1 << i))
            assert_int_equal(
                fake_binance_push_trade(fake, s_syms[i], px, "0.1", ts, true),
                0);
}

/* Falling prices for 6 s, then rising ones for MASK's symbols until
   DONE(dir) holds (at most 15 s): the fast average crosses the slow
   one. */
static void s_drive(tth_proc_t *proc, fake_binance_t *fake, const char *dir,
                    int mask, bool (*done)(const char *dir, void *arg),
                    void *arg)
{
    int64_t cents = 19000;
    for (int i = 0; i < 60; i++, cents -= 2) {
        s_trade(fake, mask, cents);
        tth_nap_ms(100);
    }
    int64_t deadline = tth_now_ms() + 15000;
    while (!done(dir, arg) && tth_now_ms() < deadline) {
        cents += 5;
        s_trade(fake, mask, cents);
        tth_nap_ms(100);
    }
    if (!done(dir, arg))
        tth_proc_dump_log(proc);
    assert_true(done(dir, arg));
}

static bool s_one_refused(const char *dir, void *arg)
{
    (void)arg;
    return tth_store_long(dir, "SELECT count(*) FROM orders WHERE reason "
                               "LIKE '" S_REFUSED "%'") >= 1;
}

static bool s_posts_at_least(const char *dir, void *arg)
{
    (void)dir;
    void **a = arg;
    return fake_binance_requests(a[0], S_ORDER) >= *(uint64_t *)a[1];
}

static void s_wait_requests(fake_binance_t *fake, const char *route,
                            uint64_t want)
{
    int64_t deadline = tth_now_ms() + 5000;
    while (fake_binance_requests(fake, route) < want && tth_now_ms() < deadline)
        tth_nap_ms(20);
    assert_int_equal(fake_binance_requests(fake, route), want);
}

static void s_wait_log(const tth_proc_t *proc, const char *needle)
{
    if (!tth_wait_file_holds(proc->log, needle, 10000))
        tth_proc_dump_log(proc);
    assert_true(tth_log_holds(proc, needle));
}

/* `ticktree events` prints the refusal of order COID of SYMBOL: its
   REJECTED state with the reason. */
static void s_event_refused(const char *dir, const char *symbol,
                            const char *coid)
{
    char events[512], replay[512], topic[64];
    snprintf(events, sizeof events, "ipc://%s/events", dir);
    snprintf(replay, sizeof replay, "ipc://%s/replay", dir);
    snprintf(topic, sizeof topic, "trade.order.%s", symbol);
    const char *args[] = {
        "events", "--endpoint", events,    "--replay", replay,
        "--from", "1",          "--count", "2",        "--idle-timeout",
        "15000",  "--topic",    topic,     NULL};
    char *out = NULL;
    int rc = tth_run_binary(args, &out);
    if (rc != 0)
        fail_msg("ticktree events exited %d:\n%s", rc, out);
    char want[160];
    snprintf(want, sizeof want, "(" S_REFUSED);
    const char *at = strstr(out, coid);
    if (!at || !strstr(at, want))
        fail_msg("no refusal of %s in the events:\n%s", coid, out);
    free(out);
}

static void test_order_limit_refused_then_next_window(void **state)
{
    (void)state;
    fake_binance_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-bnlimits");
    tth_proc_t *proc = s_spawn(fake, dir);
    tth_venue_wait(proc, S_EDGE, "BTCUSDT", s_listening, 1, 10000,
                   "user-data stream open");

    /* Both cross at once: one entry (with its OCO list) goes, the other
       is refused here. */
    s_drive(proc, fake, dir, 3, s_one_refused, NULL);
    int64_t refused_at = s_wall_ms();
    char sym[32], coid[64], sql[256];
    tth_store_text(
        dir, "SELECT symbol FROM orders WHERE reason LIKE '" S_REFUSED "%'",
        sym, sizeof sym);
    tth_store_text(dir,
                   "SELECT coid FROM orders WHERE reason LIKE '" S_REFUSED "%'",
                   coid, sizeof coid);
    const char *other = strcmp(sym, "BTCUSDT") ? "BTCUSDT" : "ETHUSDT";
    int refused_bit = strcmp(sym, "BTCUSDT") ? 2 : 1;
    assert_non_null(strstr(coid, "-e")); /* the entry */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM order_events WHERE coid = '%s' AND "
             "to_state = 6",
             coid);
    assert_int_equal(tth_store_long(dir, sql), 1); /* REJECTED, once */
    tth_venue_wait(proc, S_EDGE, other, s_filled, 1, 5000, "entry filled");
    s_wait_requests(fake, S_OCO, 1);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 1);
    assert_int_equal(fake_binance_coid_count(fake, coid), 0); /* not sent */
    s_wait_log(proc, "order limits 3 per 10 s");
    s_wait_log(proc, "refused locally: " S_REFUSED);
    s_event_refused(dir, sym, coid);
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(st.http_429 + st.http_418, 0);
    assert_int_equal(st.max_orders_10s, 3);

    /* The next window: the refused symbol's next entry goes, and its
       exits with it. */
    while (s_wall_ms() / S_WINDOW_MS == refused_at / S_WINDOW_MS)
        tth_nap_ms(50);
    uint64_t want = 2;
    void *arg[] = {fake, &want};
    s_drive(proc, fake, dir, refused_bit, s_posts_at_least, arg);
    tth_venue_wait(proc, S_EDGE, sym, s_filled, 1, 5000, "next entry filled");
    s_wait_requests(fake, S_OCO, 2);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 2);
    fake_binance_stats(fake, &st);
    assert_int_equal(st.http_429 + st.http_418, 0);
    assert_true(st.max_orders_10s <= 3);
    assert_int_equal(fake_binance_coid_max(fake), 1);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM orders WHERE "
                                         "reason LIKE '" S_REFUSED "%'"),
                     1);
    tth_binance_end(&proc, &fake, S_KEY, S_SECRET);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_limit_refused_then_next_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
