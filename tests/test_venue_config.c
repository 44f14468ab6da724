/*  tests/test_venue_config.c: the config of live venue feeds: the
    venues[] keys (rest_url, key_id/secret_key sources), symbols[].
    venue_symbol, the binance/alpaca params (actors/feed_venue_cfg.c;
    the order params of the broker gateways too),
    the credential checks (never showing a secret) and the stream URLs
    each venue builds. Every error with its FILE:LINE. Fixture line
    numbers are in the comments. */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "actors/broker_proto.h"
#include "actors/broker_venue.h"
#include "actors/feed_proto.h"
#include "actors/feed_venue.h"
#include "config/config.h"

#define S_MAX 32

typedef struct {
    int count;
    char *msg[S_MAX];
} s_errors_t;

static void s_collect(void *arg, const char *message)
{
    s_errors_t *e = arg;
    assert_true(e->count < S_MAX);
    e->msg[e->count] = strdup(message);
    assert_non_null(e->msg[e->count]);
    e->count++;
}

static void s_clear(s_errors_t *e)
{
    for (int i = 0; i < e->count; i++)
        free(e->msg[i]);
    e->count = 0;
}

typedef struct {
    char *dir;
    char *path;
    tt_config_t *cfg;
    s_errors_t errors;
} s_fx_t;

static int s_setup(void **state)
{
    s_fx_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->dir = tth_tmpdir("tt-vcfg");
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    s_fx_t *fx = *state;
    tt_config_destroy(&fx->cfg);
    s_clear(&fx->errors);
    free(fx->path);
    tth_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

/* Loads VENUES (the venues: section, from line 1) followed by SYMBOLS;
   then, if the config loaded, runs the live-venue check. Returns the
   number of problems. */
static int s_load(s_fx_t *fx, const char *venues, const char *symbols)
{
    tt_config_destroy(&fx->cfg);
    s_clear(&fx->errors);
    free(fx->path);
    char text[4096];
    snprintf(text, sizeof text,
             "%s"
             "symbol_defaults:\n  px_decimals: 2\n  qty_decimals: 5\n"
             "  strategy: {kind: sma_cross}\n"
             "  risk: {sizing: fixed_qty, qty: \"1\"}\n"
             "symbols:\n%s",
             venues, symbols);
    fx->path = tth_write_file(fx->dir, "ticktree.yaml", text);
    int errors = 0;
    fx->cfg = tt_config_load(fx->path, s_collect, &fx->errors, &errors);
    if (fx->cfg)
        return tt_feed_venue_check(fx->cfg, s_collect, &fx->errors);
    return errors;
}

/* One message is "PATH:LINE: TEXT..." (TEXT a prefix of the rest). */
static void s_expect(s_fx_t *fx, int line, const char *text)
{
    char want[512];
    snprintf(want, sizeof want, "%s:%d: %s", fx->path, line, text);
    for (int i = 0; i < fx->errors.count; i++)
        if (!strncmp(fx->errors.msg[i], want, strlen(want)))
            return;
    for (int i = 0; i < fx->errors.count; i++)
        print_message("  got: %s\n", fx->errors.msg[i]);
    fail_msg("no message '%s'", want);
}

static void s_no_secret(s_fx_t *fx, const char *secret)
{
    for (int i = 0; i < fx->errors.count; i++)
        assert_null(strstr(fx->errors.msg[i], secret));
}

static void test_binance_keys_and_mapping(void **state)
{
    s_fx_t *fx = *state;
    int n = s_load(fx,
                   "venues:\n"                                     /* 1 */
                   "  - name: bn\n"                                /* 2 */
                   "    kind: binance\n"                           /* 3 */
                   "    rest_url: \"https://api.example.test/\"\n" /* 4 */
                   "    params: {trades: aggTrade, klines: 1m, testnet: "
                   "true}\n", /* 5 */
                   "  - {symbol: BTCUSD, venue: bn, venue_symbol: BTCUSDT}\n"
                   "  - {symbol: ETHUSDT, venue: bn}\n");
    assert_int_equal(n, 0);
    const tt_config_t *cfg = fx->cfg;
    assert_string_equal(cfg->venues[0].rest_url, "https://api.example.test");
    assert_string_equal(cfg->symbols[0].venue_symbol, "BTCUSDT");
    assert_string_equal(cfg->symbols[1].venue_symbol, "ETHUSDT");
    tt_feed_opts_t o;
    assert_int_equal(tt_feed_opts_parse(cfg, 0, &o, NULL, NULL), 0);
    assert_string_equal(o.trades, "aggTrade");
    assert_string_equal(o.klines, "1m");
    assert_true(o.testnet);
    assert_int_equal(o.backoff_ms, 500);
    assert_int_equal(o.auth_retry_ms, 300000);
    assert_string_equal(tt_feed_binance_ops.default_base(&o),
                        "wss://stream.testnet.binance.vision");
    o.testnet = false;
    assert_string_equal(tt_feed_binance_ops.default_base(&o),
                        "wss://stream.binance.com:9443");
}

static void test_params_errors(void **state)
{
    s_fx_t *fx = *state;
    int n = s_load(fx,
                   "venues:\n"                             /* 1 */
                   "  - name: bn\n"                        /* 2 */
                   "    kind: binance\n"                   /* 3 */
                   "    endpoints: [\"https://a.test\"]\n" /* 4 */
                   "    params:\n"                         /* 5 */
                   "      feed: iex\n"                     /* 6 */
                   "      klines: 1M\n"                    /* 7 */
                   "      backoff_ms: 500\n"               /* 8 */
                   "      backoff_max_ms: 100\n"           /* 9 */
                   "      testnet: yes\n"                  /* 10 */
                   "      trades: depth\n"                 /* 11 */
                   "      ping_idle_s: -1\n",              /* 12 */
                   "  - {symbol: BTCUSD, venue: bn}\n");
    assert_int_equal(n, 7);
    s_expect(fx, 2, "venues[0]: endpoints[0]: a binance feed needs a ws://");
    s_expect(fx, 6, "venues[0]: params.feed: unknown parameter for a binance");
    s_expect(fx, 7, "venues[0]: params.klines: '1M' is not a kline interval");
    s_expect(fx, 2, "venues[0]: params: backoff_max_ms (100) is below");
    s_expect(fx, 10, "venues[0]: params.testnet: expected true or false");
    s_expect(fx, 11, "venues[0]: params.trades: 'depth' is not one of");
    s_expect(fx, 12, "venues[0]: params.ping_idle_s: expected an integer");
}

/* The broker gateway's params (orders at Alpaca): values, defaults, the
   stream URL derived from the trading URL, and each bad value's line. */
static void test_order_params(void **state)
{
    s_fx_t *fx = *state;
    setenv("TT_TEST_VCFG_KEY", "k", 1);
    setenv("TT_TEST_VCFG_SECRET", "s", 1);
    int n = s_load(fx,
                   "venues:\n"                                    /* 1 */
                   "  - name: ap\n"                               /* 2 */
                   "    kind: alpaca\n"                           /* 3 */
                   "    key_id: env:TT_TEST_VCFG_KEY\n"           /* 4 */
                   "    secret_key: env:TT_TEST_VCFG_SECRET\n"    /* 5 */
                   "    params:\n"                                /* 6 */
                   "      trading_url: \"http://127.0.0.1:9/\"\n" /* 7 */
                   "      orders_per_min: 60\n",                  /* 8 */
                   "  - {symbol: AAPL, venue: ap}\n");
    assert_int_equal(n, 0);
    tt_feed_opts_t o;
    assert_int_equal(tt_feed_opts_parse(fx->cfg, 0, &o, NULL, NULL), 0);
    assert_string_equal(o.orders, "venue");
    assert_string_equal(o.trading_url, "http://127.0.0.1:9");
    assert_int_equal(o.orders_per_min, 60);
    assert_int_equal(o.http_timeout_ms, 10000);
    assert_true(tt_broker_venue_wanted(fx->cfg, 0));
    char rest[256], stream[256];
    tt_broker_alpaca_ops.urls(&o, rest, stream, sizeof rest);
    assert_string_equal(rest, "http://127.0.0.1:9");
    assert_string_equal(stream, "ws://127.0.0.1:9/stream");
    o.trading_url[0] = '\0';
    tt_broker_alpaca_ops.urls(&o, rest, stream, sizeof rest);
    assert_string_equal(stream, "wss://paper-api.alpaca.markets/stream");

    n = s_load(fx,
               "venues:\n"                                 /* 1 */
               "  - name: ap\n"                            /* 2 */
               "    kind: alpaca\n"                        /* 3 */
               "    key_id: env:TT_TEST_VCFG_KEY\n"        /* 4 */
               "    secret_key: env:TT_TEST_VCFG_SECRET\n" /* 5 */
               "    params:\n"                             /* 6 */
               "      orders: live\n"                      /* 7 */
               "      trading_url: \"ws://x.test\"\n"      /* 8 */
               "      trading_stream: \"http://x.test\"\n" /* 9 */
               "      orders_per_min: 0\n",                /* 10 */
               "  - {symbol: AAPL, venue: ap}\n");
    assert_int_equal(n, 4);
    s_expect(fx, 7, "venues[0]: params.orders: 'live' is not one of");
    s_expect(fx, 8, "venues[0]: params.trading_url: 'ws://x.test' is not a");
    s_expect(fx, 9, "venues[0]: params.trading_stream: 'http://x.test' is not");
    s_expect(fx, 10, "venues[0]: params.orders_per_min: expected an integer");
    assert_false(tt_broker_venue_wanted(fx->cfg, 0));

    n = s_load(fx,
               "venues:\n  - name: ap\n    kind: alpaca\n"
               "    key_id: env:TT_TEST_VCFG_KEY\n"
               "    secret_key: env:TT_TEST_VCFG_SECRET\n"
               "    params: {orders: paper}\n",
               "  - {symbol: AAPL, venue: ap}\n");
    assert_int_equal(n, 0);
    assert_false(tt_broker_venue_wanted(fx->cfg, 0));
}

/* The warm-up history's params, their errors, and where the history
   comes from: rest_url, else the venue's own host unless endpoints are
   set (a stream we do not know has no REST host we could guess). */
static void test_history_params(void **state)
{
    s_fx_t *fx = *state;
    int n = s_load(fx,
                   "venues:\n"           /* 1 */
                   "  - name: bn\n"      /* 2 */
                   "    kind: binance\n" /* 3 */
                   "    params: {history_max_bars: 200, "
                   "history_timeout_ms: 3000, history_parallel: 8}\n", /* 4 */
                   "  - {symbol: BTCUSD, venue: bn}\n");
    assert_int_equal(n, 0);
    tt_feed_opts_t o;
    assert_int_equal(tt_feed_opts_parse(fx->cfg, 0, &o, NULL, NULL), 0);
    assert_true(o.history);
    assert_int_equal(o.history_max_bars, 200);
    assert_int_equal(o.history_timeout_ms, 3000);
    assert_int_equal(o.history_parallel, 8);
    const tt_venue_cfg_t *v = &fx->cfg->venues[0];
    assert_string_equal(tt_feed_history_base(v, &o), "https://api.binance.com");
    o.testnet = true;
    assert_string_equal(tt_feed_history_base(v, &o),
                        "https://testnet.binance.vision");
    o.history = false;
    assert_null(tt_feed_history_base(v, &o));

    n = s_load(fx,
               "venues:\n"                               /* 1 */
               "  - name: bn\n"                          /* 2 */
               "    kind: binance\n"                     /* 3 */
               "    endpoints: [\"ws://127.0.0.1:9\"]\n" /* 4 */
               "    params: {history: true}\n",          /* 5 */
               "  - {symbol: BTCUSD, venue: bn}\n");
    assert_int_equal(n, 0);
    assert_int_equal(tt_feed_opts_parse(fx->cfg, 0, &o, NULL, NULL), 0);
    assert_null(tt_feed_history_base(&fx->cfg->venues[0], &o));
    assert_int_equal(o.history_parallel, 4); /* the default */

    n = s_load(fx,
               "venues:\n"                                /* 1 */
               "  - name: bn\n"                           /* 2 */
               "    kind: binance\n"                      /* 3 */
               "    endpoints: [\"ws://127.0.0.1:9\"]\n"  /* 4 */
               "    rest_url: \"http://127.0.0.1:9/\"\n", /* 5 */
               "  - {symbol: BTCUSD, venue: bn}\n");
    assert_int_equal(n, 0);
    assert_int_equal(tt_feed_opts_parse(fx->cfg, 0, &o, NULL, NULL), 0);
    assert_string_equal(tt_feed_history_base(&fx->cfg->venues[0], &o),
                        "http://127.0.0.1:9");

    n = s_load(fx,
               "venues:\n"                               /* 1 */
               "  - name: bn\n"                          /* 2 */
               "    kind: binance\n"                     /* 3 */
               "    params:\n"                           /* 4 */
               "      history: sometimes\n"              /* 5 */
               "      history_max_bars: 0\n"             /* 6 */
               "      history_timeout_ms: 50\n"          /* 7 */
               "      history_parallel: 17\n"            /* 8 */
               "      history_url: \"http://x.test\"\n", /* 9 */
               "  - {symbol: BTCUSD, venue: bn}\n");
    assert_int_equal(n, 5);
    s_expect(fx, 5, "venues[0]: params.history: expected true or false");
    s_expect(fx, 6, "venues[0]: params.history_max_bars: expected an integer");
    s_expect(fx, 7,
             "venues[0]: params.history_timeout_ms: expected an integer");
    s_expect(fx, 8, "venues[0]: params.history_parallel: expected an integer");
    s_expect(fx, 9, "venues[0]: params.history_url: unknown parameter");
}

/* Binance orders: opt in (a binance venue's default is the paper broker,
   so market data alone needs no key); its own params, defaults, ranges,
   URLs, and the keys check-config asks for once orders go to the venue. */
static void test_binance_order_params(void **state)
{
    s_fx_t *fx = *state;
    setenv("TT_TEST_VCFG_KEY", "k", 1);
    setenv("TT_TEST_VCFG_SECRET", "s", 1);
    int n = s_load(fx, "venues:\n  - name: bn\n    kind: binance\n",
                   "  - {symbol: BTCUSDT, venue: bn}\n");
    assert_int_equal(n, 0);
    tt_feed_opts_t o;
    assert_int_equal(tt_feed_opts_parse(fx->cfg, 0, &o, NULL, NULL), 0);
    assert_string_equal(o.orders, "paper");
    assert_int_equal(o.recv_window_ms, 5000);
    assert_int_equal(o.keepalive_ms, 1800000);
    assert_false(tt_broker_venue_wanted(fx->cfg, 0));

    n = s_load(fx,
               "venues:\n"                                    /* 1 */
               "  - name: bn\n"                               /* 2 */
               "    kind: binance\n"                          /* 3 */
               "    key_id: env:TT_TEST_VCFG_KEY\n"           /* 4 */
               "    secret_key: env:TT_TEST_VCFG_SECRET\n"    /* 5 */
               "    params:\n"                                /* 6 */
               "      orders: venue\n"                        /* 7 */
               "      trading_url: \"http://127.0.0.1:9/\"\n" /* 8 */
               "      recv_window_ms: 10000\n"                /* 9 */
               "      listen_key_keepalive_s: 600\n",         /* 10 */
               "  - {symbol: BTCUSDT, venue: bn}\n");
    assert_int_equal(n, 0);
    assert_int_equal(tt_feed_opts_parse(fx->cfg, 0, &o, NULL, NULL), 0);
    assert_string_equal(o.orders, "venue");
    assert_int_equal(o.recv_window_ms, 10000);
    assert_int_equal(o.keepalive_ms, 600000);
    assert_true(tt_broker_venue_wanted(fx->cfg, 0));
    char rest[256], stream[256];
    tt_broker_binance_ops.urls(&o, rest, stream, sizeof rest);
    assert_string_equal(rest, "http://127.0.0.1:9");
    assert_string_equal(stream, ""); /* per session: /ws/<listenKey> */
    o.trading_url[0] = '\0';
    tt_broker_binance_ops.urls(&o, rest, stream, sizeof rest);
    assert_string_equal(rest, "https://api.binance.com");
    o.testnet = true;
    tt_broker_binance_ops.urls(&o, rest, stream, sizeof rest);
    assert_string_equal(rest, "https://testnet.binance.vision");

    n = s_load(fx,
               "venues:\n"                             /* 1 */
               "  - name: bn\n"                        /* 2 */
               "    kind: binance\n"                   /* 3 */
               "    params:\n"                         /* 4 */
               "      orders: venue\n"                 /* 5 */
               "      recv_window_ms: 60001\n"         /* 6 */
               "      listen_key_keepalive_s: 3600\n", /* 7 */
               "  - {symbol: BTCUSDT, venue: bn}\n");
    assert_int_equal(n, 3);
    s_expect(fx, 2,
             "venues[0]: a binance venue with orders: venue needs "
             "key_id and secret_key");
    s_expect(fx, 6,
             "venues[0]: params.recv_window_ms: expected an integer "
             "1..60000");
    s_expect(fx, 7,
             "venues[0]: params.listen_key_keepalive_s: expected an "
             "integer 1..3000");

    /* Alpaca's orders take no Binance-only key. */
    n = s_load(fx,
               "venues:\n  - name: ap\n    kind: alpaca\n"
               "    key_id: env:TT_TEST_VCFG_KEY\n"
               "    secret_key: env:TT_TEST_VCFG_SECRET\n"
               "    params: {recv_window_ms: 5000}\n",
               "  - {symbol: AAPL, venue: ap}\n");
    assert_int_equal(n, 1);
    s_expect(fx, 6,
             "venues[0]: params.recv_window_ms: unknown parameter for "
             "a alpaca venue");
}

static void test_symbol_errors(void **state)
{
    s_fx_t *fx = *state;
    s_load(fx,
           "venues:\n"                    /* 1 */
           "  - name: bn\n"               /* 2 */
           "    kind: binance\n"          /* 3 */
           "    rest_url: \"ftp://x\"\n", /* 4 */
           /* symbol_defaults: 5-9, symbols: 10 */
           "  - {symbol: BTCUSD, venue: bn, venue_symbol: \"BTC USD\"}\n");
    assert_null(fx->cfg);
    s_expect(fx, 4, "venues[0].rest_url: 'ftp://x' is not an http");
    s_expect(fx, 11, "symbols[0].venue_symbol: 'BTC USD' is not valid");
}

static void test_alpaca_credentials(void **state)
{
    s_fx_t *fx = *state;
    /* A key file others can read is refused; an unset variable too; the
       secret itself is never in a message. */
    char *file = tth_write_file(fx->dir, "open.secret", "TOPSECRET-VALUE\n");
    assert_int_equal(chmod(file, 0644), 0);
    unsetenv("TT_TEST_UNSET_KEY");
    char venues[1024];
    snprintf(venues, sizeof venues,
             "venues:\n"                           /* 1 */
             "  - name: ap\n"                      /* 2 */
             "    kind: alpaca\n"                  /* 3 */
             "    key_id: env:TT_TEST_UNSET_KEY\n" /* 4 */
             "    secret_key: file:%s\n"           /* 5 */
             "    params: {feed: crypto, location: eu-1, bars: true}\n"
             "  - name: ap2\n"     /* 7 */
             "    kind: alpaca\n", /* 8 */
             file);
    int n = s_load(fx, venues, "  - {symbol: BTCUSD, venue: ap}\n");
    assert_int_equal(n, 3);
    s_expect(fx, 4, "venues[0]: key_id: secret variable TT_TEST_UNSET_KEY");
    s_expect(fx, 5, "venues[0]: secret_key:");
    s_expect(fx, 7, "venues[1]: a alpaca venue needs key_id and secret_key");
    s_no_secret(fx, "TOPSECRET");
    /* Private file and a set variable: accepted. */
    assert_int_equal(chmod(file, 0600), 0);
    setenv("TT_TEST_UNSET_KEY", "PKVALUE", 1);
    snprintf(venues, sizeof venues,
             "venues:\n  - name: ap\n    kind: alpaca\n"
             "    key_id: env:TT_TEST_UNSET_KEY\n"
             "    secret_key: file:%s\n"
             "    params: {feed: crypto, location: eu-1, bars: true}\n",
             file);
    assert_int_equal(s_load(fx, venues,
                            "  - {symbol: BTCUSD, venue: ap, "
                            "venue_symbol: BTC/USD}\n"),
                     0);
    assert_string_equal(fx->cfg->symbols[0].venue_symbol, "BTC/USD");
    unsetenv("TT_TEST_UNSET_KEY");
    free(file);
}

static void test_stream_urls(void **state)
{
    (void)state;
    tt_feed_opts_t o;
    memset(&o, 0, sizeof o);
    snprintf(o.trades, sizeof o.trades, "trade");
    snprintf(o.klines, sizeof o.klines, "1m");
    snprintf(o.feed, sizeof o.feed, "iex");
    snprintf(o.location, sizeof o.location, "us");
    tt_feed_sym_t syms[] = {{"BTCUSDT", {2, 5, 1, 1}},
                            {"ethusdt", {2, 4, 1, 1}}};
    tt_feed_setup_t setup = {"v", &o, syms, 2, NULL, NULL, NULL, NULL};
    char *url = malloc(TT_FEED_URL_MAX);
    char err[200];
    assert_non_null(url);
    assert_int_equal(
        tt_feed_binance_ops.url("ws://127.0.0.1:9/", &setup, url, err, 200), 0);
    assert_string_equal(url, "ws://127.0.0.1:9/stream?streams=btcusdt@trade/"
                             "btcusdt@kline_1m/ethusdt@trade/ethusdt@kline_1m");
    assert_int_equal(
        tt_feed_binance_ops.url("wss://h.test:9443/ws", &setup, url, err, 200),
        -1);
    assert_non_null(strstr(err, "without a path"));
    assert_int_equal(
        tt_feed_alpaca_ops.url("ws://127.0.0.1:9", &setup, url, err, 200), 0);
    assert_string_equal(url, "ws://127.0.0.1:9/v2/iex");
    snprintf(o.feed, sizeof o.feed, "crypto");
    assert_int_equal(tt_feed_alpaca_ops.url("wss://stream.data.alpaca.markets/",
                                            &setup, url, err, 200),
                     0);
    assert_string_equal(url,
                        "wss://stream.data.alpaca.markets/v1beta3/crypto/us");
    assert_int_equal(
        tt_feed_alpaca_ops.url("ws://h.test/v2/test", &setup, url, err, 200),
        0);
    assert_string_equal(url, "ws://h.test/v2/test");
    assert_string_equal(tt_feed_alpaca_ops.default_base(&o),
                        "wss://stream.data.alpaca.markets");
    o.sandbox = true;
    assert_string_equal(tt_feed_alpaca_ops.default_base(&o),
                        "wss://stream.data.sandbox.alpaca.markets");
    free(url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_binance_keys_and_mapping, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_params_errors, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_order_params, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_history_params, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_binance_order_params, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_symbol_errors, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_alpaca_credentials, s_setup,
                                        s_teardown),
        cmocka_unit_test(test_stream_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
