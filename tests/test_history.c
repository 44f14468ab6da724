/*  tests/test_history.c: the REST history fetch for warm-up
    (venues/history) against the local Binance-like and Alpaca-like
    servers on 127.0.0.1: Binance klines paged by start time, Alpaca bars
    paged by next_page_token, the still-forming candle left out, a 429
    ridden out after its Retry-After (or reported when retries are off),
    refused keys and values finer than the instrument reported clearly,
    never with the key. */
#include "tests/fakes/fake_alpaca.h"
#include "tests/fakes/fake_binance.h"
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "venues/binance/bn_ipweight.h"
#include "venues/history/history.h"
#include "venues/history/http.h"

#define S_MIN_NS (60 * TT_NS_PER_SEC)
#define S_T0_MS INT64_C(1700000040000) /* a minute boundary */

static fake_binance_t *s_bn_start(const fake_binance_symbol_t *sym)
{
    fake_binance_cfg_t cfg = {
        .api_key = "k", .secret = "s", .symbols = sym, .symbol_count = 1};
    fake_binance_t *f = fake_binance_start(&cfg);
    assert_non_null(f);
    return f;
}

/* N one-minute klines from S_T0_MS, close = 100.00 + i cents. */
static void s_bn_seed(fake_binance_t *f, int n)
{
    for (int i = 0; i < n; i++) {
        char c[32];
        snprintf(c, sizeof c, "%d.%02d", 100 + i / 100, i % 100);
        fake_binance_kline_t k = {.open_ms = S_T0_MS + (int64_t)i * 60000,
                                  .o = "100.00",
                                  .h = "200.00",
                                  .l = "50.00",
                                  .c = c,
                                  .v = "1.5",
                                  .n = 3,
                                  .closed = true};
        assert_int_equal(fake_binance_seed_kline(f, "BTCUSDT", "1m", &k), 0);
    }
}

static void test_binance_klines_paged(void **state)
{
    (void)state;
    const fake_binance_symbol_t sym = {
        .symbol = "BTCUSDT", .base = "BTC", .quote = "USDT"};
    fake_binance_t *f = s_bn_start(&sym);
    s_bn_seed(f, 2500);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", fake_binance_port(f));
    tt_history_cfg_t cfg = {.venue = TT_HISTORY_BINANCE, .base_url = base};
    tt_instrument_t ins = {2, 5, 1, 1};
    tt_ns_t from = S_T0_MS * TT_NS_PER_MS;
    tt_ns_t to = from + 2500 * S_MIN_NS;
    /* NOW inside the last minute: that candle is still forming. */
    tt_ns_t now = to - 30 * TT_NS_PER_SEC;
    tt_candle_t *c = NULL;
    size_t n = 0;
    char err[256] = "";
    assert_int_equal(tt_history_fetch(&cfg, "BTCUSDT", &ins, 60, from, to, now,
                                      &c, &n, err, sizeof err),
                     0);
    assert_int_equal(n, 2499);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c[i].open_ts, from + (tt_ns_t)i * S_MIN_NS);
        assert_int_equal(c[i].tf_s, 60);
        assert_int_equal(c[i].close,
                         10000 + (int64_t)(i / 100) * 100 + (int64_t)(i % 100));
        assert_int_equal(c[i].volume, 150000);
        assert_true(c[i].closed);
    }
    free(c);
    assert_int_equal(fake_binance_requests(f, "GET /api/v3/klines"), 3);

    /* A window inside the history, and an interval Binance lacks. */
    assert_int_equal(
        tt_history_fetch(&cfg, "BTCUSDT", &ins, 60, from + 10 * S_MIN_NS,
                         from + 20 * S_MIN_NS, now, &c, &n, err, sizeof err),
        0);
    assert_int_equal(n, 10);
    assert_int_equal(c[0].open_ts, from + 10 * S_MIN_NS);
    free(c);
    assert_int_equal(tt_history_fetch(&cfg, "BTCUSDT", &ins, 120, from, to, now,
                                      &c, &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "no 120 s interval"));
    assert_null(c);
    fake_binance_stop(&f);
}

static void test_binance_errors(void **state)
{
    (void)state;
    const fake_binance_symbol_t sym = {
        .symbol = "BTCUSDT", .base = "BTC", .quote = "USDT"};
    fake_binance_t *f = s_bn_start(&sym);
    s_bn_seed(f, 10);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", fake_binance_port(f));
    tt_history_cfg_t cfg = {.venue = TT_HISTORY_BINANCE, .base_url = base};
    tt_instrument_t ins = {2, 5, 1, 1};
    tt_ns_t from = S_T0_MS * TT_NS_PER_MS, to = from + 10 * S_MIN_NS;
    tt_candle_t *c = NULL;
    size_t n = 0;
    char err[256] = "";
    /* A 429 without retries is reported; with one, ridden out. */
    fake_binance_rate_limit_storm(f, 1);
    assert_int_equal(tt_history_fetch(&cfg, "BTCUSDT", &ins, 60, from, to, to,
                                      &c, &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "HTTP 429"));
    fake_binance_rate_limit_storm(f, 1);
    cfg.max_retries = 2;
    assert_int_equal(tt_history_fetch(&cfg, "BTCUSDT", &ins, 60, from, to, to,
                                      &c, &n, err, sizeof err),
                     0);
    assert_int_equal(n, 10);
    free(c);
    /* An unknown symbol: the venue's own message. */
    assert_int_equal(tt_history_fetch(&cfg, "NOPEUSDT", &ins, 60, from, to, to,
                                      &c, &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "HTTP 400"));
    /* Prices finer than the instrument: refused, not rounded. */
    tt_instrument_t coarse = {1, 5, 1, 1};
    assert_int_equal(tt_history_fetch(&cfg, "BTCUSDT", &coarse, 60, from, to,
                                      to, &c, &n, err, sizeof err),
                     -1);
    assert_null(c);
    /* Nobody listening. */
    fake_binance_stop(&f);
    assert_int_equal(tt_history_fetch(&cfg, "BTCUSDT", &ins, 60, from, to, to,
                                      &c, &n, err, sizeof err),
                     -1);
    assert_true(strlen(err) > 0);
}

static void test_alpaca_bars_paged(void **state)
{
    (void)state;
    const char *symbols[] = {"AAPL"};
    fake_alpaca_cfg_t fcfg = {.key_id = "PKHIST",
                              .secret = "hist-secret-xyz",
                              .symbols = symbols,
                              .symbol_count = 1,
                              .rate_limit_per_min = -1};
    fake_alpaca_t *f = fake_alpaca_start(&fcfg);
    assert_non_null(f);
    tt_ns_t from = S_T0_MS * TT_NS_PER_MS;
    for (int i = 0; i < 250; i++) {
        char c[32];
        snprintf(c, sizeof c, "189.%02d", i % 100);
        fake_alpaca_bar_t b = {.t_ns = from + (tt_ns_t)i * S_MIN_NS,
                               .o = "189.00",
                               .h = "190.00",
                               .l = "188.00",
                               .c = c,
                               .v = "1200",
                               .n = 31};
        assert_int_equal(fake_alpaca_seed_bar(f, "AAPL", "1Min", &b), 0);
    }
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", fake_alpaca_port(f));
    tt_history_cfg_t cfg = {.venue = TT_HISTORY_ALPACA,
                            .base_url = base,
                            .key_id = "PKHIST",
                            .secret = "hist-secret-xyz",
                            .feed = "iex",
                            .page_limit = 100};
    tt_instrument_t ins = {2, 0, 1, 1};
    tt_ns_t to = from + 250 * S_MIN_NS;
    tt_candle_t *c = NULL;
    size_t n = 0;
    char err[256] = "";
    assert_int_equal(tt_history_fetch(&cfg, "AAPL", &ins, 60, from, to, to, &c,
                                      &n, err, sizeof err),
                     0);
    assert_int_equal(n, 250);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c[i].open_ts, from + (tt_ns_t)i * S_MIN_NS);
        assert_int_equal(c[i].close, 18900 + (int64_t)(i % 100));
        assert_int_equal(c[i].volume, 1200);
        assert_int_equal(c[i].trades, 31);
    }
    free(c);
    assert_int_equal(fake_alpaca_requests(f, "GET /v2/stocks/{symbol}/bars"),
                     3);
    /* Refused keys: the venue's answer, without the key. */
    fake_alpaca_set_reject_auth(f, true);
    assert_int_equal(tt_history_fetch(&cfg, "AAPL", &ins, 60, from, to, to, &c,
                                      &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "HTTP 403"));
    assert_null(strstr(err, "hist-secret-xyz"));
    assert_null(strstr(err, "PKHIST"));
    /* A timeframe Alpaca lacks. */
    assert_int_equal(tt_history_fetch(&cfg, "AAPL", &ins, 90, from, to, to, &c,
                                      &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "no 90 s timeframe"));
    fake_alpaca_stop(&f);
}

#define S_MANY 24 /* symbols fetched at once */
#define S_MANY_BARS 30

typedef struct {
    int ended[S_MANY]; /* done calls per request */
} s_ended_t;

static void s_on_ended(tt_history_req_t *req, void *arg)
{
    s_ended_t *e = arg;
    e->ended[req->symbol[1] - 'A']++;
}

/* After a fetch of N requests from FROM: each ended once, got its BARS
   one-minute candles in order, closes 100.00 + its index + the candle's
   cents. Frees the candles. */
static void s_check_many(tt_history_req_t *reqs, int n, size_t bars,
                         const s_ended_t *e, tt_ns_t from)
{
    for (int i = 0; i < n; i++) {
        assert_int_equal(e->ended[i], 1);
        assert_int_equal(reqs[i].rc, 0);
        assert_int_equal(reqs[i].n, bars);
        for (size_t k = 0; k < reqs[i].n; k++) {
            assert_int_equal(reqs[i].candles[k].open_ts,
                             from + (tt_ns_t)k * S_MIN_NS);
            assert_int_equal(reqs[i].candles[k].close, 10000 + i * 100 + k);
        }
        free(reqs[i].candles);
    }
}

/* The S_MANY symbols' requests with at most PARALLEL in flight; every
   symbol's candles checked (its own closes, in order, once). Returns the
   CPU-independent wall time in ms. */
static int64_t s_many_run(fake_alpaca_t *f, const tt_history_cfg_t *cfg,
                          size_t parallel)
{
    static char names[S_MANY][4];
    tt_history_req_t reqs[S_MANY];
    tt_instrument_t ins = {2, 0, 1, 1};
    tt_ns_t from = S_T0_MS * TT_NS_PER_MS;
    memset(reqs, 0, sizeof reqs);
    for (int i = 0; i < S_MANY; i++) {
        snprintf(names[i], sizeof names[i], "Q%c", 'A' + i);
        reqs[i] = (tt_history_req_t){.symbol = names[i],
                                     .ins = &ins,
                                     .tf_s = 60,
                                     .from = from,
                                     .to = from + S_MANY_BARS * S_MIN_NS};
    }
    tt_ratelimit_config_t rl = {.capacity = 200,
                                .refill = 200,
                                .interval_ns = 60 * TT_NS_PER_SEC,
                                .retry_default_ns = 5 * TT_NS_PER_SEC};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tt_ratelimit_t *limit =
        tt_ratelimit_new(&rl, (tt_ns_t)t0.tv_sec * TT_NS_PER_SEC + t0.tv_nsec);
    assert_non_null(limit);
    s_ended_t e = {{0}};
    tt_history_many_t opts = {.parallel = parallel,
                              .limit = limit,
                              .weight = 1,
                              .done = s_on_ended,
                              .arg = &e};
    assert_int_equal(
        tt_history_fetch_many(cfg, reqs, S_MANY, reqs[0].to + S_MIN_NS, &opts),
        0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    tt_ratelimit_destroy(&limit);
    s_check_many(reqs, S_MANY, S_MANY_BARS, &e, from);
    (void)f;
    return ((int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000 + t1.tv_nsec -
            t0.tv_nsec) /
           1000000;
}

/* 24 symbols against a fake that holds every reply 50 ms: one at a
   time, then 4 at once (the fake sees more than one in flight, never
   more than 4, and the start is at least twice as quick), then 4 at
   once through a 429 storm (Retry-After 1) that loses no symbol. */
static void test_alpaca_many_parallel(void **state)
{
    (void)state;
    const char *symbols[S_MANY];
    static char names[S_MANY][4];
    for (int i = 0; i < S_MANY; i++) {
        snprintf(names[i], sizeof names[i], "Q%c", 'A' + i);
        symbols[i] = names[i];
    }
    fake_alpaca_cfg_t fcfg = {.key_id = "PKHIST",
                              .secret = "hist-secret-xyz",
                              .symbols = symbols,
                              .symbol_count = S_MANY,
                              .rate_limit_per_min = -1};
    fake_alpaca_t *f = fake_alpaca_start(&fcfg);
    assert_non_null(f);
    tt_ns_t from = S_T0_MS * TT_NS_PER_MS;
    for (int i = 0; i < S_MANY; i++)
        for (int k = 0; k < S_MANY_BARS; k++) {
            char c[32];
            snprintf(c, sizeof c, "%d.%02d", 100 + i, k);
            fake_alpaca_bar_t b = {.t_ns = from + (tt_ns_t)k * S_MIN_NS,
                                   .o = "100.00",
                                   .h = "200.00",
                                   .l = "50.00",
                                   .c = c,
                                   .v = "10",
                                   .n = 1};
            assert_int_equal(fake_alpaca_seed_bar(f, names[i], "1Min", &b), 0);
        }
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", fake_alpaca_port(f));
    tt_history_cfg_t cfg = {.venue = TT_HISTORY_ALPACA,
                            .base_url = base,
                            .key_id = "PKHIST",
                            .secret = "hist-secret-xyz",
                            .feed = "iex",
                            .max_retries = 2};
    fake_alpaca_set_delay_ms(f, 50);
    int64_t seq_ms = s_many_run(f, &cfg, 1);
    fake_alpaca_stats_t st;
    fake_alpaca_stats(f, &st);
    assert_int_equal(st.http_max_in_flight, 1);
    int64_t par_ms = s_many_run(f, &cfg, 4);
    fake_alpaca_stats(f, &st);
    assert_true(st.http_max_in_flight > 1);
    assert_true(st.http_max_in_flight <= 4);
    /* The time is a figure, not a check (a loaded machine may stretch
       either run): the fake's count above shows the requests overlap. */
    print_message("history: %d symbols, 50 ms a reply: one at a time %lld "
                  "ms, 4 at once %lld ms\n",
                  S_MANY, (long long)seq_ms, (long long)par_ms);
    fake_alpaca_rate_limit_storm(f, 3);
    s_many_run(f, &cfg, 4);
    fake_alpaca_stats(f, &st);
    assert_int_equal(st.http_429, 3);
    assert_int_equal(fake_alpaca_requests(f, "GET /v2/stocks/{symbol}/bars"),
                     3 * S_MANY + 3);
    fake_alpaca_stop(&f);
}

#define S_BN_MANY 8 /* Binance symbols fetched at once */

/* The fake venue's clock for the weight test: one fixed instant, so its
   per-minute weight count never rolls over mid-test. */
static int64_t s_fixed_clock(void *arg)
{
    (void)arg;
    return S_T0_MS * 1000000 + 30 * TT_NS_PER_SEC;
}

/* Binance klines for S_BN_MANY symbols, 3 at once through a weight
   budget (klines weigh 2): every symbol gets its own candles once, the
   fake sees more than one request in flight and never more than 3, and
   the venue's weight count is 2 a request. */
static void test_binance_many_parallel(void **state)
{
    (void)state;
    fake_binance_symbol_t syms[S_BN_MANY];
    static char names[S_BN_MANY][12];
    for (int i = 0; i < S_BN_MANY; i++) {
        snprintf(names[i], sizeof names[i], "C%cUSDT", 'A' + i);
        syms[i] = (fake_binance_symbol_t){
            .symbol = names[i], .base = "C", .quote = "USDT"};
    }
    fake_binance_cfg_t fcfg = {.api_key = "k",
                               .secret = "s",
                               .symbols = syms,
                               .symbol_count = S_BN_MANY,
                               .clock = s_fixed_clock};
    fake_binance_t *f = fake_binance_start(&fcfg);
    assert_non_null(f);
    for (int i = 0; i < S_BN_MANY; i++)
        for (int k = 0; k < 20; k++) {
            char c[32];
            snprintf(c, sizeof c, "%d.%02d", 100 + i, k);
            fake_binance_kline_t kl = {.open_ms = S_T0_MS + (int64_t)k * 60000,
                                       .o = "100.00",
                                       .h = "200.00",
                                       .l = "50.00",
                                       .c = c,
                                       .v = "1",
                                       .n = 1,
                                       .closed = true};
            assert_int_equal(fake_binance_seed_kline(f, names[i], "1m", &kl),
                             0);
        }
    fake_binance_set_delay_ms(f, 50);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", fake_binance_port(f));
    tt_history_cfg_t cfg = {.venue = TT_HISTORY_BINANCE, .base_url = base};
    tt_instrument_t ins = {2, 5, 1, 1};
    tt_ns_t from = S_T0_MS * TT_NS_PER_MS;
    tt_history_req_t reqs[S_BN_MANY];
    for (int i = 0; i < S_BN_MANY; i++)
        reqs[i] = (tt_history_req_t){.symbol = names[i],
                                     .ins = &ins,
                                     .tf_s = 60,
                                     .from = from,
                                     .to = from + 20 * S_MIN_NS};
    tt_ratelimit_config_t rl = {.capacity = 3000,
                                .refill = 3000,
                                .interval_ns = 60 * TT_NS_PER_SEC,
                                .retry_default_ns = 5 * TT_NS_PER_SEC};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tt_ratelimit_t *limit =
        tt_ratelimit_new(&rl, (tt_ns_t)t0.tv_sec * TT_NS_PER_SEC + t0.tv_nsec);
    assert_non_null(limit);
    s_ended_t e = {{0}};
    tt_history_many_t opts = {.parallel = 3,
                              .limit = limit,
                              .weight = 2,
                              .done = s_on_ended,
                              .arg = &e};
    assert_int_equal(tt_history_fetch_many(&cfg, reqs, S_BN_MANY,
                                           reqs[0].to + S_MIN_NS, &opts),
                     0);
    tt_ratelimit_destroy(&limit);
    s_check_many(reqs, S_BN_MANY, 20, &e, from);
    fake_binance_stats_t st;
    fake_binance_stats(f, &st);
    assert_true(st.http_max_in_flight > 1);
    assert_true(st.http_max_in_flight <= 3);
    assert_int_equal(fake_binance_requests(f, "GET /api/v3/klines"), S_BN_MANY);
    assert_int_equal(st.max_used_weight, 2 * S_BN_MANY);
    fake_binance_stop(&f);
}

/* ---- the request weight shared with the broker gateway ---- */

static _Atomic int64_t g_shared_ms; /* the fake's and the budget's clock */

static int64_t s_shared_clock(void *arg)
{
    (void)arg;
    return g_shared_ms * 1000000;
}

static tt_ns_t s_shared_now(void *arg)
{
    (void)arg;
    return g_shared_ms * TT_NS_PER_MS;
}

typedef struct {
    s_ended_t e;
    int ended;          /* requests ended */
    int64_t quiet_from; /* mono ms: stop 300 ms after the 5th ended */
    int64_t give_up;    /* mono ms: stop in any case */
} s_shared_run_t;

static void s_shared_ended(tt_history_req_t *req, void *arg)
{
    s_shared_run_t *r = arg;
    s_on_ended(req, &r->e);
    if (++r->ended == 5)
        r->quiet_from = tth_now_ms() + 300;
}

static bool s_shared_stop(void *arg)
{
    s_shared_run_t *r = arg;
    return (r->quiet_from && tth_now_ms() >= r->quiet_from) ||
           tth_now_ms() >= r->give_up;
}

/* A gateway request of WEIGHT (an exchangeInfo, weight 20, to the fake)
   taken from VIEW as the broker gateway takes it, its reply's count
   given back. */
static void s_gateway_request(tt_bn_ipweight_t *view, const char *base)
{
    assert_int_equal(
        tt_bn_ipweight_take(view, 20, TT_BN_WEIGHT_HEADROOM_PCT, g_shared_ms),
        0);
    char url[128], err[160];
    snprintf(url, sizeof url, "%s/api/v3/exchangeInfo", base);
    tt_http_reply_t r;
    assert_int_equal(tt_http_get(url, NULL, 5000, &r, err, sizeof err), 0);
    assert_int_equal(r.status, 200);
    tt_bn_ipweight_seen(view, 20, r.used_weight, g_shared_ms);
    tt_http_reply_free(&r);
}

/* Binance's weight is per IP: the history and the broker gateway take
   from one count of the API host (bn_ipweight.h). A 429 on a history
   request holds the gateway's requests too. With the gateway's 40 of a
   limit of 100 spent, the history goes only to its half (50): 5 of 8
   klines requests, the rest waiting for the next minute; the count then
   matches the venue's X-MBX-USED-WEIGHT-1M, and the gateway still has
   its headroom (90) to spend, not more. */
static void test_binance_shared_weight(void **state)
{
    (void)state;
    fake_binance_symbol_t syms[S_BN_MANY];
    static char names[S_BN_MANY][12];
    for (int i = 0; i < S_BN_MANY; i++) {
        snprintf(names[i], sizeof names[i], "C%cUSDT", 'A' + i);
        syms[i] = (fake_binance_symbol_t){
            .symbol = names[i], .base = "C", .quote = "USDT"};
    }
    g_shared_ms = S_T0_MS + 20000;
    fake_binance_cfg_t fcfg = {.api_key = "k",
                               .secret = "s",
                               .symbols = syms,
                               .symbol_count = S_BN_MANY,
                               .clock = s_shared_clock};
    fake_binance_t *f = fake_binance_start(&fcfg);
    assert_non_null(f);
    for (int i = 0; i < S_BN_MANY; i++)
        for (int k = 0; k < 20; k++) {
            char c[32];
            snprintf(c, sizeof c, "%d.%02d", 100 + i, k);
            fake_binance_kline_t kl = {.open_ms = S_T0_MS + (int64_t)k * 60000,
                                       .o = "100.00",
                                       .h = "200.00",
                                       .l = "50.00",
                                       .c = c,
                                       .v = "1",
                                       .n = 1,
                                       .closed = true};
            assert_int_equal(fake_binance_seed_kline(f, names[i], "1m", &kl),
                             0);
        }
    char base[64], other[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", fake_binance_port(f));
    snprintf(other, sizeof other, "HTTP://127.0.0.1:%d/api/v3",
             fake_binance_port(f));
    tt_bn_ipweight_t *gateway = tt_bn_ipweight_get(base);
    tt_bn_ipweight_t *same = tt_bn_ipweight_get(other);
    tt_bn_ipweight_t *history = tt_bn_ipweight_get(base);
    assert_non_null(gateway);
    assert_ptr_equal(gateway, same); /* one host: one view */
    assert_ptr_equal(gateway, history);
    tt_bn_ipweight_release(&same);
    assert_null(same);
    tt_bn_ipweight_limit(gateway, 100); /* exchangeInfo, as the gateway */
    tt_history_bn_weight_t hw = {.view = history, .now = s_shared_now};
    tt_history_budget_t budget = tt_history_bn_budget(&hw);
    tt_history_cfg_t cfg = {.venue = TT_HISTORY_BINANCE, .base_url = base};
    tt_instrument_t ins = {2, 5, 1, 1};
    tt_ns_t from = S_T0_MS * TT_NS_PER_MS;
    tt_history_req_t reqs[S_BN_MANY];
    for (int i = 0; i < S_BN_MANY; i++)
        reqs[i] = (tt_history_req_t){.symbol = names[i],
                                     .ins = &ins,
                                     .tf_s = 60,
                                     .from = from,
                                     .to = from + 20 * S_MIN_NS};

    /* The venue refuses a history request (429, Retry-After 1): the
       gateway waits as long. */
    fake_binance_rate_limit_storm(f, 1);
    s_shared_run_t run = {.give_up = tth_now_ms() + 10000};
    tt_history_many_t opts = {.parallel = 1,
                              .budget = &budget,
                              .weight = 2,
                              .done = s_shared_ended,
                              .arg = &run};
    assert_int_equal(tt_history_fetch_many(&cfg, reqs, 1, reqs[0].to, &opts),
                     0);
    assert_int_equal(reqs[0].rc, -1);
    assert_non_null(strstr(reqs[0].err, "429"));
    assert_int_equal(tt_bn_ipweight_take(gateway, 1, TT_BN_WEIGHT_HEADROOM_PCT,
                                         g_shared_ms + 400),
                     600);
    g_shared_ms += 1500;

    /* The gateway spends 40; the history then its half of the rest. */
    s_gateway_request(gateway, base);
    s_gateway_request(gateway, base);
    assert_int_equal(tt_bn_ipweight_get_count(gateway).used, 40);
    run = (s_shared_run_t){.give_up = tth_now_ms() + 10000};
    opts = (tt_history_many_t){.parallel = 3,
                               .budget = &budget,
                               .weight = 2,
                               .stop = s_shared_stop,
                               .done = s_shared_ended,
                               .arg = &run};
    assert_int_equal(tt_history_fetch_many(&cfg, reqs, S_BN_MANY,
                                           reqs[0].to + S_MIN_NS, &opts),
                     1); /* stopped: the rest wait for the next minute */
    assert_int_equal(run.ended, 5);
    assert_int_equal(fake_binance_requests(f, "GET /api/v3/klines"), 1 + 5);
    for (int i = 0; i < S_BN_MANY; i++) {
        assert_int_equal(reqs[i].rc, i < 5 ? 0 : -1);
        if (i < 5)
            assert_int_equal(reqs[i].n, 20);
        free(reqs[i].candles);
    }
    fake_binance_stats_t st;
    fake_binance_stats(f, &st);
    assert_int_equal(st.max_used_weight, 50);
    assert_int_equal(tt_bn_ipweight_get_count(gateway).used, 50);
    assert_int_equal(st.http_429, 1);
    /* The gateway's headroom is 90 of 100, the history's spend in it. */
    assert_int_equal(tt_bn_ipweight_take(gateway, 41, TT_BN_WEIGHT_HEADROOM_PCT,
                                         g_shared_ms),
                     INT64_C(60000) - g_shared_ms % 60000);
    assert_int_equal(tt_bn_ipweight_take(gateway, 40, TT_BN_WEIGHT_HEADROOM_PCT,
                                         g_shared_ms),
                     0);
    tt_bn_ipweight_release(&history);
    tt_bn_ipweight_release(&gateway);
    /* Released by all: the next user starts from nothing. */
    gateway = tt_bn_ipweight_get(base);
    assert_int_equal(tt_bn_ipweight_get_count(gateway).used, 0);
    assert_int_equal(tt_bn_ipweight_get_count(gateway).limit, 6000);
    tt_bn_ipweight_release(&gateway);
    assert_null(tt_bn_ipweight_get("no host here"));
    fake_binance_stop(&f);
}

/* The bar size fetched for a timeframe: the timeframe itself when the
   venue has it, else the largest it has that divides it. */
static void test_source_tf(void **state)
{
    (void)state;
    assert_int_equal(tt_history_source_tf(TT_HISTORY_BINANCE, 60), 60);
    assert_int_equal(tt_history_source_tf(TT_HISTORY_BINANCE, 2), 1);
    assert_int_equal(tt_history_source_tf(TT_HISTORY_BINANCE, 120), 60);
    assert_int_equal(tt_history_source_tf(TT_HISTORY_BINANCE, 600), 300);
    assert_int_equal(tt_history_source_tf(TT_HISTORY_ALPACA, 120), 120);
    assert_int_equal(tt_history_source_tf(TT_HISTORY_ALPACA, 90), -1);
    assert_int_equal(tt_history_source_tf(TT_HISTORY_ALPACA, 2), -1);
    assert_int_equal(tt_history_source_tf(TT_HISTORY_ALPACA, 7200), 7200);
    assert_int_equal(tt_history_source_tf(TT_HISTORY_ALPACA, 5400), 2700);
    assert_int_equal(tt_history_source_tf(TT_HISTORY_ALPACA, 0), -1);
}

static tt_candle_t s_min(int i, tt_px_t o, tt_px_t h, tt_px_t l, tt_px_t c)
{
    return (tt_candle_t){.open_ts = S_T0_MS * TT_NS_PER_MS + i * S_MIN_NS,
                         .tf_s = 60,
                         .open = o,
                         .high = h,
                         .low = l,
                         .close = c,
                         .volume = 10,
                         .trades = 2,
                         .closed = true};
}

/* Minute bars into 3-minute candles, in place; a minute without a bar
   leaves no gap-filler, an interval without any leaves no candle. */
static void test_aggregate(void **state)
{
    (void)state;
    /* S_T0_MS is 2 minutes past a 3-minute boundary: start at +1. */
    assert_int_equal((S_T0_MS / 60000) % 3, 2);
    tt_candle_t c[] = {
        s_min(1, 10, 12, 9, 11),   /* [+1, +4): +1, +2, +3 */
        s_min(2, 11, 15, 10, 14),  /* */
        s_min(3, 14, 14, 8, 9),    /* */
        s_min(4, 9, 9, 9, 9),      /* [+4, +7): +4 and +6 only */
        s_min(6, 9, 20, 9, 19),    /* */
        s_min(10, 19, 19, 18, 18), /* [+10, +13): alone */
    };
    size_t n = tt_history_aggregate(c, 6, 180);
    assert_int_equal(n, 3);
    tt_ns_t t0 = S_T0_MS * TT_NS_PER_MS;
    assert_int_equal(c[0].open_ts, t0 + 1 * S_MIN_NS);
    assert_int_equal(c[0].tf_s, 180);
    assert_int_equal(c[0].open, 10);
    assert_int_equal(c[0].high, 15);
    assert_int_equal(c[0].low, 8);
    assert_int_equal(c[0].close, 9);
    assert_int_equal(c[0].volume, 30);
    assert_int_equal(c[0].trades, 6);
    assert_int_equal(c[1].open_ts, t0 + 4 * S_MIN_NS);
    assert_int_equal(c[1].high, 20);
    assert_int_equal(c[1].close, 19);
    assert_int_equal(c[1].volume, 20);
    assert_int_equal(c[2].open_ts, t0 + 10 * S_MIN_NS);
    assert_int_equal(c[2].close, 18);
    assert_true(c[2].closed);
    assert_int_equal(tt_history_aggregate(c, 0, 180), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binance_klines_paged),
        cmocka_unit_test(test_binance_errors),
        cmocka_unit_test(test_alpaca_bars_paged),
        cmocka_unit_test(test_alpaca_many_parallel),
        cmocka_unit_test(test_binance_many_parallel),
        cmocka_unit_test(test_binance_shared_weight),
        cmocka_unit_test(test_source_tf),
        cmocka_unit_test(test_aggregate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
