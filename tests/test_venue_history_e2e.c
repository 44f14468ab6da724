/*  tests/test_venue_history_e2e.c: the live venue feeds' candles beyond
    trades, through the real `ticktree` binary against the local
    Alpaca-like and Binance-like servers (tests/fakes) on 127.0.0.1:
    - venue bars become candles: Alpaca minute bars and closed Binance
      klines reach the store at their timeframe with no trade at all, a
      bar resent (as after a reconnect) is not stored twice, and a kline
      still forming is not used;
    - warm-up history: a symbol whose strategy needs 20-odd one-minute
      candles is warm within seconds of start (live candles would take
      twenty minutes), from the bars the fake served (its request counted)
      and stored;
    - a history failure (429 beyond the retries, 500, a timeout) is
      logged with the symbol and the reason, and the symbol still runs
      on live trades; a stop during a long fetch waits for one request;
    - live trades carry the arrival of their frame as origin: an order
      they cause lands in the service's tick-to-order histogram.
    Every wait is bounded. */
#include "tests/fakes/fake_alpaca.h"
#include "tests/fakes/fake_binance.h"
#include "tests/process.h"
#include "tests/storecheck.h"
#include "tests/venuecheck.h"

#include "marketdata/types.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define S_KEY "PKTESTHIST1"
#define S_SECRET "s3cr3t-history-do-not-log"
#define S_MIN_NS (60 * TT_NS_PER_SEC)

static int64_t s_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * TT_NS_PER_SEC + ts.tv_nsec;
}

/* The start of the current minute, UTC ns. */
static int64_t s_minute(void)
{
    int64_t now = s_wall_ns();
    return now - now % S_MIN_NS;
}

/* Under symbol_defaults: one-minute candles, sma_cross 5/20, one unit. */
#define S_DEFAULTS                                                             \
    "  timeframes: [60]\n"                                                     \
    "  stale_ms: 600000\n"                                                     \
    "  strategy:\n    kind: sma_cross\n"                                       \
    "    params: {fast: 5, slow: 20}\n"                                        \
    "  risk:\n    sizing: fixed_qty\n    qty: \"1\"\n"

/* Starts `ticktree run` on TEXT; waits (bounded) for the symbol to be
   RUNNING and its feed connected. */
static tth_proc_t *s_start(char *dir, const char *text, const char *symbol)
{
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    tth_venue_wait(proc, NULL, symbol, tth_venue_symbol_connected, 0, 15000,
                   "the symbol RUNNING and its feed connected");
    return proc;
}

/* Stored candles of SYMBOL at TF_S (with OPEN_TS when >= 0). */
static long s_candles(const char *dir, const char *symbol, int tf_s,
                      int64_t open_ts)
{
    sqlite3 *db = tth_store_open(dir);
    char sql[256];
    if (open_ts >= 0)
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM candles WHERE symbol = '%s' AND "
                 "tf_s = %d AND open_ts = %lld",
                 symbol, tf_s, (long long)open_ts);
    else
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM candles WHERE symbol = '%s' AND "
                 "tf_s = %d",
                 symbol, tf_s);
    long n = tth_query_long(db, sql);
    sqlite3_close(db);
    return n;
}

/* Polls the store until the candle of SYMBOL at TF_S and OPEN_TS is
   there, at most TIMEOUT_MS. */
static void s_wait_candle(tth_proc_t *proc, const char *symbol, int tf_s,
                          int64_t open_ts, int timeout_ms)
{
    int64_t deadline = tth_now_ms() + timeout_ms;
    while (s_candles(proc->dir, symbol, tf_s, open_ts) < 1) {
        if (tth_now_ms() > deadline) {
            tth_proc_dump_log(proc);
            fail_msg("no %d s candle of %s at %lld in the store", tf_s, symbol,
                     (long long)open_ts);
        }
        tth_nap_ms(50);
    }
}

/* ---- Alpaca ------------------------------------------------------------- */

static fake_alpaca_t *s_ap_fake(void)
{
    static const char *const symbols[] = {"AAPL"};
    fake_alpaca_cfg_t cfg = {.key_id = S_KEY,
                             .secret = S_SECRET,
                             .symbols = symbols,
                             .symbol_count = 1,
                             .rate_limit_per_min = -1};
    fake_alpaca_t *fake = fake_alpaca_start(&cfg);
    assert_non_null(fake);
    return fake;
}

/* The venue: the fake's stream and REST on one port; EXTRA params. */
static void s_ap_venue(char *buf, size_t size, const char *dir, int port,
                       const char *extra)
{
    char *secret = tth_write_file(dir, "alpaca.secret", S_SECRET "\n");
    assert_int_equal(chmod(secret, 0600), 0);
    setenv("TT_TEST_HIST_KEY", S_KEY, 1);
    snprintf(buf, size,
             "    kind: alpaca\n"
             "    endpoints: [\"ws://127.0.0.1:%d\"]\n"
             "    key_id: env:TT_TEST_HIST_KEY\n"
             "    secret_key: file:%s\n"
             "    rest_url: \"http://127.0.0.1:%d\"\n"
             "    params: {backoff_ms: 50, backoff_max_ms: 400, bars: true, "
             "orders: paper%s}\n",
             port, secret, port, extra);
    free(secret);
}

static fake_alpaca_bar_t s_ap_bar(int64_t t_ns, const char *close)
{
    return (fake_alpaca_bar_t){.t_ns = t_ns,
                               .o = "189.10",
                               .h = "189.50",
                               .l = "189.00",
                               .c = close,
                               .v = "1200",
                               .n = 31};
}

static void test_alpaca_bars_make_candles(void **state)
{
    (void)state;
    fake_alpaca_t *fake = s_ap_fake();
    char *dir = tth_tmpdir("tt-apbars");
    char venue[1024];
    s_ap_venue(venue, sizeof venue, dir, fake_alpaca_port(fake), "");
    char *text = tth_venue_config(dir, venue, S_DEFAULTS,
                                  "  - symbol: AAPL\n    px_decimals: 2\n"
                                  "    qty_decimals: 0\n");
    tth_proc_t *proc = s_start(dir, text, "AAPL");
    free(text);

    /* Three closed minutes with no trade at all, sent after their end
       (as Alpaca does): each becomes the minute's candle. */
    int64_t m = s_minute();
    for (int i = 3; i >= 1; i--) {
        fake_alpaca_bar_t bar = s_ap_bar(m - i * S_MIN_NS, "189.30");
        assert_int_equal(fake_alpaca_push_bar(fake, "AAPL", &bar), 0);
    }
    s_wait_candle(proc, "AAPL", 60, m - S_MIN_NS, 5000);
    assert_int_equal(s_candles(dir, "AAPL", 60, -1), 3);
    /* The same bars again, as a venue resends after a reconnect, then
       the current minute's: the resent ones are not applied twice. */
    for (int i = 3; i >= 1; i--) {
        fake_alpaca_bar_t bar = s_ap_bar(m - i * S_MIN_NS, "189.45");
        assert_int_equal(fake_alpaca_push_bar(fake, "AAPL", &bar), 0);
    }
    fake_alpaca_bar_t next = s_ap_bar(m, "189.40");
    assert_int_equal(fake_alpaca_push_bar(fake, "AAPL", &next), 0);
    s_wait_candle(proc, "AAPL", 60, m, 5000);
    assert_int_equal(tth_venue_look(proc, NULL, "AAPL").bars, 7);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    assert_int_equal(s_candles(dir, "AAPL", 60, -1), 4);
    tth_store_candles_once(dir, "AAPL");
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

/* N one-minute bars ending with the last closed minute. */
static void s_ap_seed(fake_alpaca_t *fake, int n)
{
    int64_t m = s_minute();
    for (int i = n; i >= 1; i--) {
        char c[16];
        snprintf(c, sizeof c, "189.%02d", 10 + i % 40);
        fake_alpaca_bar_t bar = s_ap_bar(m - i * S_MIN_NS, c);
        bar.h = "189.90";
        assert_int_equal(fake_alpaca_seed_bar(fake, "AAPL", "1Min", &bar), 0);
    }
}

static bool s_warm(const tth_venue_seen_t *s, uint64_t want)
{
    (void)want;
    return s->warm;
}

/* Polls health until the symbol AAPL is warm, at most 15 s. */
static tth_venue_seen_t s_wait_warm(tth_proc_t *proc)
{
    return tth_venue_wait(proc, NULL, "AAPL", s_warm, 0, 15000, "AAPL warm");
}

static void test_alpaca_history_warms(void **state)
{
    (void)state;
    fake_alpaca_t *fake = s_ap_fake();
    s_ap_seed(fake, 40);
    char *dir = tth_tmpdir("tt-aphist");
    char venue[1024];
    s_ap_venue(venue, sizeof venue, dir, fake_alpaca_port(fake), "");
    char *text = tth_venue_config(dir, venue, S_DEFAULTS,
                                  "  - symbol: AAPL\n    px_decimals: 2\n"
                                  "    qty_decimals: 0\n");
    tth_proc_t *proc = s_start(dir, text, "AAPL");
    /* Warm within seconds; live one-minute candles would take twenty
       minutes. */
    tth_venue_seen_t seen = s_wait_warm(proc);
    assert_true(seen.need >= 20);
    assert_int_equal(seen.ticks, 0);
    assert_int_equal(fake_alpaca_requests(fake, "GET /v2/stocks/{symbol}/bars"),
                     1);
    char *log = tth_read_file(proc->log);
    assert_non_null(log);
    assert_non_null(strstr(log, "history: fetching for 1 symbols"));
    assert_null(strstr(log, S_SECRET));
    free(log);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    /* The history went where live candles go: the store. */
    long stored = s_candles(dir, "AAPL", 60, -1);
    assert_true(stored >= (long)seen.need && stored <= 40);
    tth_store_candles_once(dir, "AAPL");

    /* Again on the same store: warm from it, and only what it lacks (the
       minute that closed meanwhile, if one did) is asked for. */
    int64_t minute = s_minute();
    uint64_t asked = fake_alpaca_requests(fake, "GET /v2/stocks/{symbol}/bars");
    tth_proc_t *again = s_start(strdup(dir), text, "AAPL");
    free(text);
    s_wait_warm(again);
    uint64_t more =
        fake_alpaca_requests(fake, "GET /v2/stocks/{symbol}/bars") - asked;
    assert_true(more <= (s_minute() == minute ? 0u : 1u));
    assert_int_equal(tth_proc_signal_wait(again, SIGTERM, 5000), 0);
    assert_int_equal(s_candles(dir, "AAPL", 60, -1), stored + (long)more);
    tth_store_candles_once(dir, "AAPL");
    tth_proc_destroy(&again);
    free(proc->dir);
    proc->dir = NULL;
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

/* A fault the history fetch meets: set on the fake before the start. */
typedef void(s_fault_fn)(fake_alpaca_t *fake);

static void s_storm(fake_alpaca_t *fake)
{
    /* 429 with Retry-After 1 s, more often than the fetch retries */
    fake_alpaca_rate_limit_storm(fake, 1000);
}

static void s_fail_500(fake_alpaca_t *fake)
{
    fake_alpaca_fail_bars(fake, 500, 1000);
}

static void s_slow(fake_alpaca_t *fake)
{
    fake_alpaca_set_delay_ms(fake, 1500); /* history_timeout_ms is 200 */
}

/* FAULT makes the history fetch fail: the log says which symbol, what
   (WHY) and that it warms from live candles; the symbol still runs and
   takes live trades, not warm. */
static void s_history_fails(s_fault_fn *fault, const char *why)
{
    fake_alpaca_t *fake = s_ap_fake();
    s_ap_seed(fake, 40);
    fault(fake);
    char *dir = tth_tmpdir("tt-aphfail");
    char venue[1024];
    s_ap_venue(venue, sizeof venue, dir, fake_alpaca_port(fake),
               ", history_timeout_ms: 200");
    char *text = tth_venue_config(dir, venue, S_DEFAULTS,
                                  "  - symbol: AAPL\n    px_decimals: 2\n"
                                  "    qty_decimals: 0\n");
    tth_proc_t *proc = s_start(dir, text, "AAPL");
    free(text);
    char *log = tth_read_file(proc->log);
    assert_non_null(log);
    if (!strstr(log, why))
        print_error("log:\n%s\n", log);
    assert_non_null(strstr(log, "AAPL: history at 60 s failed: "));
    assert_non_null(strstr(log, why));
    assert_non_null(strstr(log, "it warms from live candles"));
    assert_null(strstr(log, S_SECRET));
    free(log);
    /* "connected" can come just before the venue has the subscription:
       trades go on until 5 have arrived (at most 100, 5 s). */
    int64_t deadline = tth_now_ms() + 5000;
    tth_venue_seen_t seen = tth_venue_look(proc, NULL, "AAPL");
    for (int i = 0; i < 100 && seen.ticks < 5 && tth_now_ms() < deadline; i++) {
        assert_int_equal(
            fake_alpaca_push_trade(fake, "AAPL", "189.20", "100", s_wall_ns()),
            0);
        tth_nap_ms(20);
        seen = tth_venue_look(proc, NULL, "AAPL");
    }
    assert_true(seen.ticks >= 5);
    assert_false(seen.warm);
    assert_int_equal(seen.sym_state, TT__STATE__STATE_RUNNING);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    assert_int_equal(s_candles(dir, "AAPL", 60, -1), 0);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

static void test_alpaca_history_429(void **state)
{
    (void)state;
    s_history_fails(s_storm, "bars: HTTP 429");
}

static void test_alpaca_history_500(void **state)
{
    (void)state;
    s_history_fails(s_fail_500, "bars: HTTP 500: internal server error");
}

static void test_alpaca_history_timeout(void **state)
{
    (void)state;
    s_history_fails(s_slow, "Timeout was reached");
}

/* A stop during a long history fetch (ten symbols, each request held
   back 1 s by the venue) waits for one request, not for all ten. */
static void test_alpaca_history_stopped(void **state)
{
    (void)state;
    fake_alpaca_t *fake = s_ap_fake();
    fake_alpaca_set_delay_ms(fake, 1000);
    char *dir = tth_tmpdir("tt-aphstop");
    char venue[1024], symbols[1024] = "";
    s_ap_venue(venue, sizeof venue, dir, fake_alpaca_port(fake), "");
    for (int i = 0; i < 10; i++) {
        size_t len = strlen(symbols);
        snprintf(symbols + len, sizeof symbols - len,
                 "  - {symbol: AA%d, px_decimals: 2, qty_decimals: 0}\n", i);
    }
    char *text = tth_venue_config(dir, venue, S_DEFAULTS, symbols);
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    free(text);
    assert_true(tth_wait_file_holds(proc->log,
                                    "history: fetching for 10 symbols", 10000));
    int64_t stop = tth_now_ms();
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 8000), 0);
    assert_true(tth_now_ms() - stop < 4000);
    char *log = tth_read_file(proc->log);
    assert_non_null(log);
    assert_non_null(strstr(log, "(stopped)"));
    free(log);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

/* ---- Binance ------------------------------------------------------------ */

static fake_binance_kline_t s_kline(int64_t open_ms, bool closed)
{
    return (fake_binance_kline_t){.open_ms = open_ms,
                                  .o = "64000.10",
                                  .h = "64001.00",
                                  .l = "63999.00",
                                  .c = "64000.50",
                                  .v = "1.5",
                                  .n = 3,
                                  .closed = closed};
}

static void test_binance_klines_make_candles(void **state)
{
    (void)state;
    fake_binance_t *fake = tth_fake_binance_btcusdt((fake_binance_cfg_t){0});
    int port = fake_binance_port(fake);
    char venue[512];
    snprintf(venue, sizeof venue,
             "    kind: binance\n"
             "    endpoints: [\"ws://127.0.0.1:%d\"]\n"
             "    rest_url: \"http://127.0.0.1:%d\"\n"
             "    params: {backoff_ms: 50, backoff_max_ms: 400, klines: 1m}\n",
             port, port);
    char *dir = tth_tmpdir("tt-bnbars");
    char *text =
        tth_venue_config(dir, venue, S_DEFAULTS,
                         "  - symbol: BTCUSD\n    venue_symbol: BTCUSDT\n"
                         "    px_decimals: 2\n    qty_decimals: 5\n");
    tth_proc_t *proc = s_start(dir, text, "BTCUSD");
    free(text);
    /* The forming kline of the current minute is not used; the closed
       one of the previous minute is. */
    int64_t m_ms = s_minute() / TT_NS_PER_MS;
    fake_binance_kline_t forming = s_kline(m_ms, false);
    assert_int_equal(fake_binance_push_kline(fake, "BTCUSDT", "1m", &forming),
                     0);
    fake_binance_kline_t closed = s_kline(m_ms - 60000, true);
    assert_int_equal(fake_binance_push_kline(fake, "BTCUSDT", "1m", &closed),
                     0);
    s_wait_candle(proc, "BTCUSD", 60, (m_ms - 60000) * TT_NS_PER_MS, 5000);
    assert_int_equal(tth_venue_look(proc, NULL, "BTCUSD").bars, 2);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    assert_int_equal(s_candles(dir, "BTCUSD", 60, -1), 1);
    /* The history request went to the fake (no klines seeded: none). */
    assert_int_equal(fake_binance_requests(fake, "GET /api/v3/klines"), 1);
    tth_store_candles_once(dir, "BTCUSD");
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* Origin stamps: an order a live trade caused is timed from the frame
   that carried the trade, so the service's tick-to-order histogram (in
   its log at a clean stop) counts live venues too. */
static uint64_t s_orders(tth_proc_t *proc, const char *symbol)
{
    return tth_venue_look(proc, NULL, symbol).orders;
}

static void s_bn_trade(fake_binance_t *fake, int64_t cents)
{
    char px[32];
    snprintf(px, sizeof px, "%lld.%02lld", (long long)(cents / 100),
             (long long)(cents % 100));
    assert_int_equal(fake_binance_push_trade(fake, "BTCUSDT", px, "0.01",
                                             s_wall_ns() / TT_NS_PER_MS, true),
                     0);
}

static void test_binance_live_latency(void **state)
{
    (void)state;
    fake_binance_t *fake = tth_fake_binance_btcusdt((fake_binance_cfg_t){0});
    char venue[512];
    snprintf(venue, sizeof venue,
             "    kind: binance\n"
             "    endpoints: [\"ws://127.0.0.1:%d\"]\n"
             "    params: {backoff_ms: 50, backoff_max_ms: 400, history: "
             "false}\n",
             fake_binance_port(fake));
    char *dir = tth_tmpdir("tt-bnlat");
    char *text =
        tth_venue_config(dir, venue, S_DEFAULTS,
                         "  - symbol: BTCUSD\n    venue_symbol: BTCUSDT\n"
                         "    px_decimals: 2\n    qty_decimals: 5\n"
                         "    timeframes: [1]\n"
                         "    strategy:\n      kind: sma_cross\n"
                         "      params: {fast: 2, slow: 4, stop_pct: 1, "
                         "target_r: 2}\n");
    tth_proc_t *proc = s_start(dir, text, "BTCUSD");
    free(text);
    /* Falling for 6 s, then rising until an entry is placed (at most
       10 s): the fast average crosses the slow one. */
    int64_t cents = 6400000;
    for (int i = 0; i < 60; i++, cents -= 20) {
        s_bn_trade(fake, cents);
        tth_nap_ms(100);
    }
    /* A cross within a few candles; up to 30 s on a loaded machine. */
    int64_t deadline = tth_now_ms() + 30000;
    while (s_orders(proc, "BTCUSD") < 1 && tth_now_ms() < deadline) {
        cents += 50;
        s_bn_trade(fake, cents);
        tth_nap_ms(100);
    }
    if (s_orders(proc, "BTCUSD") < 1)
        tth_proc_dump_log(proc);
    assert_true(s_orders(proc, "BTCUSD") >= 1);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    char *log = tth_read_file(proc->log);
    assert_non_null(log);
    if (!strstr(log, "tick to order (decided on a signal): "))
        print_error("log:\n%s\n", log);
    assert_non_null(strstr(log, "tick to order (decided on a signal): "));
    free(log);
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alpaca_bars_make_candles),
        cmocka_unit_test(test_alpaca_history_warms),
        cmocka_unit_test(test_alpaca_history_429),
        cmocka_unit_test(test_alpaca_history_500),
        cmocka_unit_test(test_alpaca_history_timeout),
        cmocka_unit_test(test_alpaca_history_stopped),
        cmocka_unit_test(test_binance_klines_make_candles),
        cmocka_unit_test(test_binance_live_latency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
