/*  tests/test_venue_feed_e2e.c: the live venue feeds (actors/
    feed_venue.c) end to end through the real `ticktree` binary, against
    the local Binance-like and Alpaca-like servers (tests/fakes) running
    in this test process on 127.0.0.1. For each venue: trades pushed by
    the server reach the symbol and become candles; a server that drops
    every connection mid-session is reconnected and re-subscribed, with
    no candle emitted twice; malformed, truncated and unexpected frames
    are counted and skipped while the symbol stays RUNNING. For Alpaca,
    refused credentials give a clear error in health and one connection
    attempt over the test window, never the secret in the log. Every
    wait is bounded. */
#include "tests/fakes/fake_alpaca.h"
#include "tests/fakes/fake_binance.h"
#include "tests/process.h"
#include "tests/storecheck.h"
#include "tests/venuecheck.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define S_AP_KEY "PKTESTFEED1"
#define S_AP_SECRET "s3cr3t-feed-do-not-log"

static int64_t s_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Under symbol_defaults: 2-second candles, sma_cross 5/20, one unit. */
#define S_DEFAULTS                                                             \
    "  timeframes: [2]\n"                                                      \
    "  stale_ms: 120000\n"                                                     \
    "  strategy:\n    kind: sma_cross\n"                                       \
    "    params: {fast: 5, slow: 20}\n"                                        \
    "  risk:\n    sizing: fixed_qty\n    qty: \"1\"\n"

/* Starts `ticktree run` on TEXT and waits (bounded) for the tree and
   its feed to be RUNNING. */
static tth_proc_t *s_start(char *dir, const char *text)
{
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    tth_venue_wait(proc, NULL, NULL, tth_venue_feed_up, 0, 10000,
                   "ticktree and its feed RUNNING");
    return proc;
}

/* After the service stopped: candles were stored for SYMBOL, none
   emitted twice. */
static void s_check_candles(const char *dir, const char *symbol)
{
    assert_true(tth_store_candles_once(dir, symbol) >= 2);
}

/* ---- Binance ------------------------------------------------------------ */

static void s_bn_trades(fake_binance_t *fake, int n, int spacing_ms)
{
    for (int i = 0; i < n; i++) {
        char px[32];
        snprintf(px, sizeof px, "64000.%02d", 10 + i % 80);
        assert_int_equal(fake_binance_push_trade(fake, "BTCUSDT", px, "0.015",
                                                 s_wall_ms(), i % 2 == 0),
                         0);
        tth_nap_ms(spacing_ms);
    }
}

static const char *const s_bn_bad[] = {
    /* truncated */
    "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1",
    "this is not json",
    /* a price that is not a decimal */
    "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1,\"s\":"
    "\"BTCUSDT\",\"t\":5,\"p\":\"abc\",\"q\":\"1\",\"T\":1,\"m\":true,"
    "\"M\":true}}",
    /* more decimals than the instrument takes */
    "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1,\"s\":"
    "\"BTCUSDT\",\"t\":6,\"p\":\"64000.123\",\"q\":\"1\",\"T\":1,\"m\":true,"
    "\"M\":true}}",
};

static const char *const s_bn_unexpected[] = {
    "{\"stream\":\"btcusdt@depth\",\"data\":{\"e\":\"depthUpdate\",\"E\":1,"
    "\"s\":\"BTCUSDT\",\"U\":1,\"u\":2,\"b\":[],\"a\":[]}}",
    "{\"stream\":\"xrpusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1,\"s\":"
    "\"XRPUSDT\",\"t\":7,\"p\":\"0.5\",\"q\":\"1\",\"T\":1,\"m\":true,"
    "\"M\":true}}",
};

static void s_bn_anomalies(tth_proc_t *proc, fake_binance_t *fake,
                           uint64_t ticks)
{
    tth_venue_seen_t before = tth_venue_look(proc, NULL, "BTCUSD");
    for (size_t i = 0; i < 4; i++)
        assert_true(fake_binance_send_raw(fake, s_bn_bad[i],
                                          strlen(s_bn_bad[i]), false) >= 1);
    assert_true(fake_binance_send_raw(fake, "\x01\x02\x03", 3, true) >= 1);
    for (size_t i = 0; i < 2; i++)
        assert_true(fake_binance_send_raw(fake, s_bn_unexpected[i],
                                          strlen(s_bn_unexpected[i]),
                                          false) >= 1);
    tth_venue_seen_t seen =
        tth_venue_wait(proc, NULL, "BTCUSD", tth_venue_malformed_at_least,
                       before.malformed + 5, 5000, "malformed counted");
    /* The frames after the bad ones still arrive, and the symbol and its
       feed are untouched. */
    s_bn_trades(fake, 3, 5);
    seen = tth_venue_wait(proc, NULL, "BTCUSD", tth_venue_ticks_at_least,
                          ticks + 3, 5000, "ticks after the bad frames");
    assert_int_equal(seen.ticks, ticks + 3);
    assert_int_equal(seen.malformed, before.malformed + 5);
    assert_true(seen.unexpected >= before.unexpected + 2);
    assert_int_equal(seen.sym_state, TT__STATE__STATE_RUNNING);
    assert_int_equal(seen.edge_state, TT__STATE__STATE_RUNNING);
    assert_int_equal(seen.reconnects, before.reconnects); /* not dropped */
}

static void test_binance_feed(void **state)
{
    (void)state;
    fake_binance_t *fake = tth_fake_binance_btcusdt(
        (fake_binance_cfg_t){.ping_interval_ms = 200, .pong_timeout_ms = 1000});
    char venue[512];
    snprintf(venue, sizeof venue,
             "    kind: binance\n"
             "    endpoints: [\"ws://127.0.0.1:%d\"]\n"
             "    params: {backoff_ms: 50, backoff_max_ms: 400, klines: 1m}\n",
             fake_binance_port(fake));
    char *dir = tth_tmpdir("tt-bnfeed");
    char *text =
        tth_venue_config(dir, venue, S_DEFAULTS,
                         "  - symbol: BTCUSD\n    venue_symbol: BTCUSDT\n"
                         "    px_decimals: 2\n    qty_decimals: 5\n");
    tth_proc_t *proc = s_start(dir, text);
    free(text);

    /* Trades over about three seconds: ticks and 2 s candles. */
    s_bn_trades(fake, 30, 100);
    tth_venue_seen_t seen =
        tth_venue_wait(proc, NULL, "BTCUSD", tth_venue_ticks_at_least, 30, 5000,
                       "ticks from the Binance feed");
    assert_int_equal(seen.ticks, 30);
    assert_true(seen.connects >= 1 && seen.subscribes == 0);
    /* A kline is parsed and counted, not forwarded. */
    fake_binance_kline_t k = {.open_ms = s_wall_ms() / 60000 * 60000,
                              .o = "64000.10",
                              .h = "64001.00",
                              .l = "63999.00",
                              .c = "64000.50",
                              .v = "1.5",
                              .n = 3};
    assert_int_equal(fake_binance_push_kline(fake, "BTCUSDT", "1m", &k), 0);
    tth_venue_wait(proc, NULL, "BTCUSD", tth_venue_bars_at_least, 1, 5000,
                   "kline counted");

    /* The server drops every connection: the feed reconnects and the
       combined stream subscribes the symbol again. */
    assert_true(fake_binance_drop_connections(fake) >= 1);
    int64_t deadline = tth_now_ms() + 5000;
    while (tth_now_ms() < deadline &&
           !(tth_venue_look(proc, NULL, "BTCUSD").reconnects >= 1 &&
             !strcmp(tth_venue_look(proc, NULL, "BTCUSD").status, "connected")))
        tth_nap_ms(20);
    seen = tth_venue_look(proc, NULL, "BTCUSD");
    assert_true(seen.reconnects >= 1);
    assert_string_equal(seen.status, "connected");
    s_bn_trades(fake, 20, 100);
    seen = tth_venue_wait(proc, NULL, "BTCUSD", tth_venue_ticks_at_least, 50,
                          5000, "ticks after the reconnect");
    assert_int_equal(seen.ticks, 50);
    assert_int_equal(seen.bars, 1);

    s_bn_anomalies(proc, fake, 50);

    /* The server's pings were answered (libwebsockets pongs them). */
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_true(st.pongs_received >= 1);
    assert_true(st.md_connections >= 2);

    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    s_check_candles(dir, "BTCUSD");
    tth_proc_destroy(&proc);
    fake_binance_stop(&fake);
}

/* ---- Alpaca ------------------------------------------------------------- */

static void s_ap_trades(fake_alpaca_t *fake, int n, int spacing_ms)
{
    for (int i = 0; i < n; i++) {
        char px[32];
        snprintf(px, sizeof px, "189.%02d", 10 + i % 80);
        assert_int_equal(fake_alpaca_push_trade(fake, "AAPL", px, "100",
                                                s_wall_ms() * 1000000),
                         0);
        tth_nap_ms(spacing_ms);
    }
}

static const char *const s_ap_bad[] = {
    "[{\"T\":\"t\",\"S\":\"AAPL\",\"p\":189.31", /* truncated */
    "not json", "{\"T\":\"t\"}",                 /* not an array */
    "[{\"T\":\"t\",\"S\":\"AAPL\",\"i\":1,\"x\":\"V\",\"p\":-5,\"s\":100,"
    "\"t\":\"2024-05-06T14:32:01Z\"}]", /* a negative price */
};

static void s_ap_anomalies(tth_proc_t *proc, fake_alpaca_t *fake,
                           uint64_t ticks)
{
    tth_venue_seen_t before = tth_venue_look(proc, NULL, "AAPL");
    for (size_t i = 0; i < 4; i++)
        assert_true(fake_alpaca_send_raw(fake, s_ap_bad[i], strlen(s_ap_bad[i]),
                                         false) >= 1);
    const char *quote =
        "[{\"T\":\"q\",\"S\":\"AAPL\",\"bx\":\"V\",\"bp\":189.1,"
        "\"bs\":1,\"ax\":\"V\",\"ap\":189.2,\"as\":2,\"c\":[],"
        "\"t\":\"2024-05-06T14:32:01Z\",\"z\":\"C\"}]";
    assert_true(fake_alpaca_send_raw(fake, quote, strlen(quote), false) >= 1);
    tth_venue_seen_t seen =
        tth_venue_wait(proc, NULL, "AAPL", tth_venue_malformed_at_least,
                       before.malformed + 4, 5000, "malformed counted");
    s_ap_trades(fake, 3, 5);
    seen = tth_venue_wait(proc, NULL, "AAPL", tth_venue_ticks_at_least,
                          ticks + 3, 5000, "ticks after the bad frames");
    assert_int_equal(seen.ticks, ticks + 3);
    assert_int_equal(seen.malformed, before.malformed + 4);
    assert_true(seen.unexpected >= before.unexpected + 1);
    assert_int_equal(seen.sym_state, TT__STATE__STATE_RUNNING);
    assert_int_equal(seen.reconnects, before.reconnects);
}

/* The venue entry: key from the environment, secret from a private file;
   orders stay with the paper broker (the broker gateway has its own
   test, test_broker_e2e). */
static void s_ap_venue(char *buf, size_t size, const char *dir, int port)
{
    char *secret = tth_write_file(dir, "alpaca.secret", S_AP_SECRET "\n");
    assert_int_equal(chmod(secret, 0600), 0);
    setenv("TT_TEST_ALPACA_KEY", S_AP_KEY, 1);
    snprintf(buf, size,
             "    kind: alpaca\n"
             "    endpoints: [\"ws://127.0.0.1:%d\"]\n"
             "    key_id: env:TT_TEST_ALPACA_KEY\n"
             "    secret_key: file:%s\n"
             "    params: {backoff_ms: 50, backoff_max_ms: 400, bars: true, "
             "auth_retry_s: 300, orders: paper}\n",
             port, secret);
    free(secret);
}

/* What the log must never hold. */
static const char *const s_ap_secrets[] = {S_AP_SECRET, S_AP_KEY, NULL};

static void test_alpaca_feed(void **state)
{
    (void)state;
    const char *symbols[] = {"AAPL"};
    fake_alpaca_cfg_t fcfg = {.key_id = S_AP_KEY,
                              .secret = S_AP_SECRET,
                              .symbols = symbols,
                              .symbol_count = 1};
    fake_alpaca_t *fake = fake_alpaca_start(&fcfg);
    assert_non_null(fake);
    char *dir = tth_tmpdir("tt-apfeed");
    char venue[1024];
    s_ap_venue(venue, sizeof venue, dir, fake_alpaca_port(fake));
    char *text = tth_venue_config(dir, venue, S_DEFAULTS,
                                  "  - symbol: AAPL\n    px_decimals: 2\n"
                                  "    qty_decimals: 0\n");
    tth_proc_t *proc = s_start(dir, text);
    free(text);

    /* Authenticated and subscribed, then trades and a bar. */
    tth_venue_seen_t seen =
        tth_venue_wait(proc, NULL, "AAPL", tth_venue_reconnected, 0, 5000,
                       "subscribed to Alpaca");
    s_ap_trades(fake, 30, 100);
    seen = tth_venue_wait(proc, NULL, "AAPL", tth_venue_ticks_at_least, 30,
                          5000, "ticks from the Alpaca feed");
    assert_int_equal(seen.ticks, 30);
    fake_alpaca_bar_t bar = {.t_ns = s_wall_ms() / 60000 * 60000 * 1000000,
                             .o = "189.10",
                             .h = "189.50",
                             .l = "189.00",
                             .c = "189.30",
                             .v = "1200",
                             .n = 31};
    assert_int_equal(fake_alpaca_push_bar(fake, "AAPL", &bar), 0);
    tth_venue_wait(proc, NULL, "AAPL", tth_venue_bars_at_least, 1, 5000,
                   "bar counted");

    /* Dropped: authenticates and subscribes again, within the venue's
       one-connection limit. */
    assert_true(fake_alpaca_drop_connections(fake) >= 1);
    seen = tth_venue_wait(proc, NULL, "AAPL", tth_venue_reconnected, 1, 5000,
                          "re-subscribed after the drop");
    s_ap_trades(fake, 20, 100);
    seen = tth_venue_wait(proc, NULL, "AAPL", tth_venue_ticks_at_least, 50,
                          5000, "ticks after the reconnect");
    assert_int_equal(seen.ticks, 50);
    assert_int_equal(seen.bars, 1);
    assert_int_equal(seen.server_errors, 0);

    s_ap_anomalies(proc, fake, 50);
    tth_log_lacks(proc, s_ap_secrets);

    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    s_check_candles(dir, "AAPL");
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

static bool s_auth_refused(const tth_venue_seen_t *s, uint64_t want)
{
    (void)want;
    return s->holds >= 1 && strstr(s->last_error, "auth failed") &&
           !strcmp(s->status, "held");
}

static void test_alpaca_bad_credentials(void **state)
{
    (void)state;
    const char *symbols[] = {"AAPL"};
    fake_alpaca_cfg_t fcfg = {.key_id = S_AP_KEY,
                              .secret = S_AP_SECRET,
                              .symbols = symbols,
                              .symbol_count = 1};
    fake_alpaca_t *fake = fake_alpaca_start(&fcfg);
    assert_non_null(fake);
    fake_alpaca_set_reject_auth(fake, true);
    char *dir = tth_tmpdir("tt-apauth");
    char venue[1024];
    s_ap_venue(venue, sizeof venue, dir, fake_alpaca_port(fake));
    char *text = tth_venue_config(dir, venue, S_DEFAULTS,
                                  "  - symbol: AAPL\n    px_decimals: 2\n"
                                  "    qty_decimals: 0\n");
    tth_proc_t *proc = s_start(dir, text);
    free(text);
    tth_venue_seen_t seen =
        tth_venue_wait(proc, NULL, "AAPL", s_auth_refused, 0, 5000,
                       "auth failure shown in health");
    assert_non_null(strstr(seen.last_error, "402"));
    assert_non_null(strstr(seen.last_error, "next attempt in 300 s"));
    /* A window several times the backoff cap (400 ms): a storm would
       show dozens of attempts; the hold allows none after the first. */
    seen = tth_venue_look_after(proc, NULL, "AAPL", 2500);
    fake_alpaca_stats_t st;
    fake_alpaca_stats(fake, &st);
    assert_int_equal(seen.attempts, 1);
    assert_int_equal(st.md_connections, 1);
    assert_string_equal(seen.status, "held");
    assert_int_equal(seen.edge_state, TT__STATE__STATE_RUNNING);
    assert_int_equal(seen.sym_state, TT__STATE__STATE_RUNNING);
    tth_log_lacks(proc, s_ap_secrets);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binance_feed),
        cmocka_unit_test(test_alpaca_feed),
        cmocka_unit_test(test_alpaca_bad_credentials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
