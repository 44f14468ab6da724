/*  tests/test_tickserver.c: the websocket tick server (venues/tickserver)
    and the websocket feed client (venues/wsfeed), over a real websocket on
    127.0.0.1 with an ephemeral port.

    Server and clients run in this one thread: each pump turn services the
    server, then every client, without waiting, so the interleaving is
    ours and no test sleeps. Every wait is bounded in turns and in time.
    Reconnect and backoff decisions read fake clocks that the tests set.
    The pure pieces (fan-out ring, backoff, message classifier, subscribe
    parser) are tested directly first. */
#include "tests/harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "venues/tickserver/fanout.h"
#include "venues/tickserver/subscribe.h"
#include "venues/tickserver/tickserver.h"
#include "venues/wsfeed/backoff.h"
#include "venues/wsfeed/feedmsg.h"
#include "venues/wsfeed/wsfeed.h"

#define START_NS INT64_C(1700000000000000000)
#define PUMP_MS 20000 /* no single wait may take longer */
#define PUMP_TURNS 5000000

/* ---- fixtures ------------------------------------------------------- */

static const char *const NAMES[] = {"BTCUSD", "ETHUSD", "SOLUSD"};
static const tt_instrument_t INSTR[] = {
    {.px_decimals = 2, .qty_decimals = 4, .tick_size = 1, .lot_size = 1},
    {.px_decimals = 2, .qty_decimals = 3, .tick_size = 1, .lot_size = 1},
    {.px_decimals = 3, .qty_decimals = 2, .tick_size = 5, .lot_size = 1},
};
#define NSYM 3

typedef struct {
    tt_ns_t t;
} fake_clock_t;

static tt_ns_t s_fake_now(void *arg)
{
    return ((fake_clock_t *)arg)->t;
}

/* Which names a client's lookup knows: the first KNOWN of NAMES, or one
   extra name at index NSYM. */
typedef struct {
    size_t known;
    const char *extra;
} book_t;

static int s_lookup(void *arg, const char *symbol, tt_instrument_t *in)
{
    const book_t *b = arg;
    for (size_t i = 0; i < b->known; i++)
        if (strcmp(symbol, NAMES[i]) == 0) {
            *in = INSTR[i];
            return (int)i;
        }
    if (b->extra && strcmp(symbol, b->extra) == 0) {
        *in = INSTR[0];
        return NSYM;
    }
    return -1;
}

#define MAX_GOT 70000
typedef struct {
    size_t n;
    int index[MAX_GOT];
    tt_tick_t tick[MAX_GOT];
} got_t;

static void s_on_tick(void *arg, int index, const tt_tick_t *tick)
{
    got_t *g = arg;
    assert_true(g->n < MAX_GOT);
    g->index[g->n] = index;
    g->tick[g->n] = *tick;
    g->n++;
}

static tt_tickserver_symbol_t s_symbols[NSYM];

static void s_server_cfg(tt_tickserver_cfg_t *cfg, tt_tickserver_pacing_t p,
                         uint64_t max_ticks)
{
    tt_tickserver_cfg_default(cfg);
    for (size_t i = 0; i < NSYM; i++) {
        s_symbols[i].name = NAMES[i];
        s_symbols[i].instrument = INSTR[i];
        s_symbols[i].start_price = 0;
    }
    cfg->symbols = s_symbols;
    cfg->symbol_count = NSYM;
    cfg->sim.seed = 42;
    cfg->sim.model.tick_rate_hz = 50;
    cfg->pacing = p;
    cfg->max_ticks = max_ticks;
    cfg->start_ns = START_NS;
}

static tt_tickserver_t *s_server(const tt_tickserver_cfg_t *cfg)
{
    char err[200] = "";
    tt_tickserver_t *srv = tt_tickserver_new(cfg, err, sizeof err);
    if (!srv)
        fail_msg("tickserver: %s", err);
    assert_true(tt_tickserver_port(srv) > 0);
    return srv;
}

static char s_url_buf[4][64];

static const char *s_url(int slot, int port)
{
    snprintf(s_url_buf[slot], sizeof s_url_buf[slot], "ws://127.0.0.1:%d/",
             port);
    return s_url_buf[slot];
}

static void s_client_cfg(tt_wsfeed_cfg_t *cfg, const char *const *urls,
                         size_t nurls, book_t *book, got_t *got)
{
    tt_wsfeed_cfg_default(cfg);
    cfg->urls = urls;
    cfg->url_count = nurls;
    cfg->lookup = s_lookup;
    cfg->lookup_arg = book;
    cfg->on_tick = s_on_tick;
    cfg->tick_arg = got;
}

static tt_wsfeed_t *s_client(const tt_wsfeed_cfg_t *cfg)
{
    char err[200] = "";
    tt_wsfeed_t *c = tt_wsfeed_new(cfg, err, sizeof err);
    if (!c)
        fail_msg("wsfeed: %s", err);
    return c;
}

/* ---- the pump: one thread, bounded ---------------------------------- */

typedef bool (*done_fn)(void *arg);

static bool s_pump(tt_tickserver_t *srv, tt_wsfeed_t *c1, tt_wsfeed_t *c2,
                   done_fn done, void *arg)
{
    int64_t deadline = tth_now_ms() + PUMP_MS;
    for (long turn = 0; turn < PUMP_TURNS; turn++) {
        if (done(arg))
            return true;
        if (srv)
            assert_int_equal(tt_tickserver_service(srv, 0), 0);
        if (c1)
            assert_int_equal(tt_wsfeed_service(c1, 0), 0);
        if (c2)
            assert_int_equal(tt_wsfeed_service(c2, 0), 0);
        if ((turn & 255) == 0 && tth_now_ms() > deadline)
            break;
    }
    return done(arg);
}

/* Pumps exactly TURNS turns (to show that something does NOT happen). */
static void s_pump_turns(tt_tickserver_t *srv, tt_wsfeed_t *c, int turns)
{
    for (int i = 0; i < turns; i++) {
        if (srv)
            assert_int_equal(tt_tickserver_service(srv, 0), 0);
        assert_int_equal(tt_wsfeed_service(c, 0), 0);
    }
}

typedef struct {
    tt_tickserver_t *srv;
    tt_wsfeed_t *c;
    got_t *got;
    size_t n;
    uint64_t u;
} cond_t;

static bool s_got_n(void *arg)
{
    cond_t *k = arg;
    return k->got->n >= k->n;
}

static bool s_subscribed(void *arg)
{
    cond_t *k = arg;
    tt_tickserver_stats_t s;
    tt_tickserver_stats(k->srv, &s);
    return s.subscribes >= k->u;
}

static bool s_server_errors(void *arg)
{
    cond_t *k = arg;
    tt_wsfeed_stats_t s;
    tt_wsfeed_stats(k->c, &s);
    return s.server_errors >= k->u;
}

static bool s_frames(void *arg)
{
    cond_t *k = arg;
    tt_wsfeed_stats_t s;
    tt_wsfeed_stats(k->c, &s);
    return s.frames >= k->u;
}

static bool s_connected(void *arg)
{
    cond_t *k = arg;
    tt_wsfeed_stats_t s;
    tt_wsfeed_stats(k->c, &s);
    return s.connected == (k->u != 0);
}

static bool s_failures(void *arg)
{
    cond_t *k = arg;
    tt_wsfeed_stats_t s;
    tt_wsfeed_stats(k->c, &s);
    return s.connect_failures >= k->u;
}

/* The ticks a fresh simmarket with CFG's seed, symbols and start makes. */
static size_t s_expected(const tt_tickserver_cfg_t *cfg, tt_sim_tick_t *out,
                         size_t n)
{
    tt_simmarket_t *m = tt_simmarket_new(&cfg->sim, cfg->start_ns);
    assert_non_null(m);
    for (size_t i = 0; i < cfg->symbol_count; i++)
        assert_int_equal(tt_simmarket_add(m, cfg->symbols[i].name,
                                          &cfg->symbols[i].instrument, 0),
                         (int)i);
    size_t got = tt_simmarket_next(m, INT64_MAX, out, n);
    tt_simmarket_destroy(&m);
    return got;
}

/* Per symbol, trade ids strictly increase across everything received. */
static void s_assert_ids_increase(const got_t *g)
{
    uint64_t last[NSYM + 1] = {0};
    for (size_t i = 0; i < g->n; i++) {
        int s = g->index[i];
        assert_true(s >= 0 && s <= NSYM);
        if (g->tick[i].trade_id <= last[s])
            fail_msg("symbol %d: trade id %llu after %llu (tick %zu)", s,
                     (unsigned long long)g->tick[i].trade_id,
                     (unsigned long long)last[s], i);
        last[s] = g->tick[i].trade_id;
    }
}

/* ---- pure pieces ---------------------------------------------------- */

static void test_fanout_ring(void **state)
{
    (void)state;
    assert_null(tt_fanout_new(1));
    tt_fanout_t *f = tt_fanout_new(4);
    assert_non_null(f);
    uint8_t only1[2] = {0, 1};
    tt_fanout_reader_t all = {0}, one = {0};
    assert_int_equal(tt_fanout_min_lag(f), SIZE_MAX);
    tt_fanout_attach(f, &all);
    tt_fanout_attach(f, &one);
    one.filter = only1;
    one.filter_len = 2;
    /* Frames 0..3 of symbols 0,1,0,1 (lengths 1..4): "one" reads only the
       symbol-1 frames. */
    for (int i = 0; i < 4; i++)
        assert_int_equal(tt_fanout_push(f, i % 2, false, "abcd", 1 + i), 0);
    tt_fanout_entry_t *e = tt_fanout_peek(f, &one);
    assert_non_null(e);
    assert_int_equal(e->symbol, 1);
    assert_int_equal(e->len, 2);
    assert_memory_equal(e->buf + TT_FANOUT_PRE, "ab", 2);
    tt_fanout_advance(&one);
    assert_int_equal(tt_fanout_min_lag(f), 2);
    /* "all" is a whole ring behind: frame 4 overwrites frame 0 (a symbol 0
       tick) which it loses; "one" is 2 behind and loses nothing. */
    assert_int_equal(tt_fanout_push(f, 1, false, "x", 1), 1);
    assert_int_equal(all.dropped, 1);
    assert_int_equal(one.dropped, 0);
    e = tt_fanout_peek(f, &all);
    assert_int_equal(e->len, 2); /* frame 1 is now its oldest */
    /* Frame 5 overwrites frame 1 (symbol 1): both readers want it, but
       only "all" is still on it. */
    assert_int_equal(tt_fanout_push(f, 0, false, "y", 1), 1);
    assert_int_equal(all.dropped, 2);
    /* Frame 6 overwrites frame 2 (symbol 0) under both cursors: "one"
       moves past it without a drop, since it never wanted symbol 0. */
    assert_int_equal(tt_fanout_push(f, 0, false, "z", 1), 1);
    assert_int_equal(all.dropped, 3);
    assert_int_equal(one.dropped, 0);
    assert_int_equal(tt_fanout_push(f, 0, false, "y", TT_FANOUT_FRAME_MAX + 1),
                     -1);
    tt_fanout_detach(f, &all);
    tt_fanout_detach(f, &one);
    assert_int_equal(tt_fanout_min_lag(f), SIZE_MAX);
    tt_fanout_destroy(&f);
    assert_null(f);
    tt_fanout_destroy(&f);

    /* An overrun heartbeat or test frame (TT_FANOUT_ALL) is not a tick
       drop. */
    f = tt_fanout_new(2);
    tt_fanout_reader_t r = {0};
    tt_fanout_attach(f, &r);
    assert_int_equal(tt_fanout_push(f, TT_FANOUT_ALL, false, "h", 1), 0);
    assert_int_equal(tt_fanout_push(f, TT_FANOUT_ALL, false, "h", 1), 0);
    assert_int_equal(tt_fanout_push(f, 0, false, "t", 1), 0);
    assert_int_equal(r.dropped, 0);
    assert_int_equal(r.cursor, 1);
    tt_fanout_detach(f, &r);
    tt_fanout_destroy(&f);
}

static void test_backoff(void **state)
{
    (void)state;
    tt_backoff_t b;
    assert_int_equal(tt_backoff_init(&b, 0, 10, 0.1, 1), -1);
    assert_int_equal(tt_backoff_init(&b, 10, 5, 0.1, 1), -1);
    assert_int_equal(tt_backoff_init(&b, 10, 50, 1.5, 1), -1);
    /* No jitter: exact doubling up to the cap. */
    assert_int_equal(tt_backoff_init(&b, 100, 1000, 0.0, 1), 0);
    const tt_ns_t want[] = {100, 200, 400, 800, 1000, 1000, 1000};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_int_equal(tt_backoff_next(&b), want[i]);
    tt_backoff_reset(&b);
    assert_int_equal(tt_backoff_next(&b), 100);
    /* Far past any doubling that would overflow, still the cap. */
    assert_int_equal(tt_backoff_base(&b, 200), 1000);
    /* Half jitter: within (base/2, base], and the same seed repeats. */
    tt_backoff_t j1, j2;
    assert_int_equal(tt_backoff_init(&j1, 1000, 8000, 0.5, 9), 0);
    assert_int_equal(tt_backoff_init(&j2, 1000, 8000, 0.5, 9), 0);
    bool varied = false;
    tt_ns_t prev = 0;
    for (uint32_t k = 0; k < 40; k++) {
        tt_ns_t base = tt_backoff_base(&j1, k);
        tt_ns_t d = tt_backoff_next(&j1);
        assert_int_equal(d, tt_backoff_next(&j2));
        assert_true(d > base / 2 && d <= base);
        assert_true(d <= 8000);
        if (k > 5 && d != prev)
            varied = true;
        prev = d;
    }
    assert_true(varied); /* the jitter does move the capped delays */
}

static void test_feedmsg_kinds(void **state)
{
    (void)state;
    book_t book = {.known = 1, .extra = NULL};
    tt_feedmsg_t m;
    const char *tick = "{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":\"65000.12\","
                       "\"s\":\"0.0021\",\"t\":1700000000123456789,\"i\":42}";
    assert_int_equal(tt_feedmsg_parse(tick, strlen(tick), s_lookup, &book, &m),
                     TT_FEEDMSG_TICK);
    assert_int_equal(m.tick.tick.price, 6500012);
    assert_int_equal(m.tick.tick.size, 21);
    assert_int_equal(m.tick.tick.ts, INT64_C(1700000000123456789));
    assert_int_equal(m.tick.tick.trade_id, 42);
    /* Same tick, other key order: the slow path still finds it. */
    const char *tick2 = "{\"S\":\"BTCUSD\",\"T\":\"t\",\"p\":\"1.00\","
                        "\"s\":\"1\",\"t\":5}";
    assert_int_equal(
        tt_feedmsg_parse(tick2, strlen(tick2), s_lookup, &book, &m),
        TT_FEEDMSG_TICK);
    const char *eth = "{\"T\":\"t\",\"S\":\"ETHUSD\",\"p\":\"1.00\","
                      "\"s\":\"1\",\"t\":5}";
    assert_int_equal(tt_feedmsg_parse(eth, strlen(eth), s_lookup, &book, &m),
                     TT_FEEDMSG_UNKNOWN_SYMBOL);
    const char *hb = "{\"T\":\"hb\",\"t\":77}";
    assert_int_equal(tt_feedmsg_parse(hb, strlen(hb), s_lookup, &book, &m),
                     TT_FEEDMSG_HEARTBEAT);
    assert_int_equal(m.hb_ts, 77);
    const char *er = "{\"T\":\"error\",\"msg\":\"boom\"}";
    assert_int_equal(tt_feedmsg_parse(er, strlen(er), s_lookup, &book, &m),
                     TT_FEEDMSG_ERROR);
    assert_string_equal(m.text, "boom");
    const char *other = "{\"T\":\"q\",\"x\":1}";
    assert_int_equal(
        tt_feedmsg_parse(other, strlen(other), s_lookup, &book, &m),
        TT_FEEDMSG_OTHER);
    const char *bad[] = {
        "{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":\"1", /* truncated */
        "{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":1,\"s\":\"1\",\"t\":5}", /* p */
        "{\"T\":\"hb\",\"t\":\"x\"}",
        "{\"T\":\"error\"}",
        "[1]",
        "{\"T\":5}",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(
            tt_feedmsg_parse(bad[i], strlen(bad[i]), s_lookup, &book, &m),
            TT_FEEDMSG_MALFORMED);
        assert_true(strlen(m.text) > 0);
    }
}

static void test_subscribe_parse(void **state)
{
    (void)state;
    tt_sim_params_t p;
    tt_sim_params_default(&p);
    tt_simmarket_t *m = tt_simmarket_new(&p, START_NS);
    for (size_t i = 0; i < NSYM; i++)
        assert_int_equal(tt_simmarket_add(m, NAMES[i], &INSTR[i], 0), (int)i);
    uint8_t filter[NSYM] = {7, 7, 7};
    char err[200];
    const char *ok = "{\"action\":\"subscribe\",\"symbols\":[\"SOLUSD\","
                     "\"BTCUSD\"]}";
    assert_int_equal(
        tt_subscribe_parse(ok, strlen(ok), m, filter, err, sizeof err), 0);
    assert_memory_equal(filter, ((uint8_t[]){1, 0, 1}), NSYM);
    const struct {
        const char *text, *needle;
    } bad[] = {
        {"{\"action\":\"subscribe\",\"symbols\":[\"BTCUSD\",\"NOPE\"]}",
         "unknown symbol 'NOPE'"},
        {"{\"action\":\"sub\",\"symbols\":[\"BTCUSD\"]}", "action"},
        {"{\"action\":\"subscribe\",\"symbols\":[]}", "non-empty"},
        {"{\"action\":\"subscribe\",\"symbols\":[1]}", "entry 0"},
        {"{\"action\":\"subscribe\"", "not JSON"},
        {"[]", "object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(tt_subscribe_parse(bad[i].text, strlen(bad[i].text), m,
                                            filter, err, sizeof err),
                         -1);
        if (!strstr(err, bad[i].needle))
            fail_msg("'%s': error '%s' lacks '%s'", bad[i].text, err,
                     bad[i].needle);
        /* nothing else changes */
        assert_memory_equal(filter, ((uint8_t[]){1, 0, 1}), NSYM);
    }
    char frame[128];
    assert_true(tt_subscribe_error_frame("say \"hi\"", frame, sizeof frame) >
                0);
    assert_string_equal(frame, "{\"T\":\"error\",\"msg\":\"say \\\"hi\\\"\"}");
    assert_int_equal(tt_subscribe_error_frame("x", frame, 8), -1);
    tt_simmarket_destroy(&m);
}

static void test_bad_configs(void **state)
{
    (void)state;
    tt_tickserver_cfg_t cfg;
    char err[200];
    s_server_cfg(&cfg, TT_TICKSERVER_FAST, 0);
    cfg.symbol_count = 0;
    assert_null(tt_tickserver_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "no symbols"));
    s_server_cfg(&cfg, TT_TICKSERVER_FAST, 0);
    tt_tickserver_symbol_t dup[2] = {{"BTCUSD", INSTR[0], 0},
                                     {"BTCUSD", INSTR[0], 0}};
    cfg.symbols = dup;
    cfg.symbol_count = 2;
    assert_null(tt_tickserver_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "symbol 1"));
    s_server_cfg(&cfg, TT_TICKSERVER_FAST, 0);
    cfg.queue_cap = 1;
    assert_null(tt_tickserver_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "queue_cap"));

    book_t book = {.known = 1, .extra = NULL};
    got_t *got = calloc(1, sizeof *got);
    tt_wsfeed_cfg_t wc;
    const char *bad_urls[] = {"http://127.0.0.1:1/", "ws://", "nonsense"};
    for (size_t i = 0; i < 3; i++) {
        s_client_cfg(&wc, &bad_urls[i], 1, &book, got);
        assert_null(tt_wsfeed_new(&wc, err, sizeof err));
        assert_non_null(strstr(err, "URL"));
    }
    const char *url = "ws://127.0.0.1:1/";
    s_client_cfg(&wc, &url, 1, &book, got);
    wc.backoff_max_ms = 10;
    wc.backoff_initial_ms = 20;
    assert_null(tt_wsfeed_new(&wc, err, sizeof err));
    assert_non_null(strstr(err, "backoff"));
    s_client_cfg(&wc, &url, 1, &book, got);
    wc.on_tick = NULL;
    assert_null(tt_wsfeed_new(&wc, err, sizeof err));
    free(got);
}

/* ---- over the wire -------------------------------------------------- */

/* Same seed, same ticks: a client subscribed to BTCUSD and SOLUSD gets
   exactly the BTCUSD/SOLUSD ticks of a directly generated market, and
   none of ETHUSD although its lookup would accept them. */
static void test_ticks_match_simmarket(void **state)
{
    (void)state;
    enum { N = 3000 };
    tt_tickserver_cfg_t cfg;
    s_server_cfg(&cfg, TT_TICKSERVER_FAST, N);
    cfg.start_paused = true;
    tt_tickserver_t *srv = s_server(&cfg);
    const char *url = s_url(0, tt_tickserver_port(srv));
    book_t book = {.known = NSYM, .extra = NULL};
    got_t *got = calloc(1, sizeof *got);
    tt_wsfeed_cfg_t wc;
    s_client_cfg(&wc, &url, 1, &book, got);
    const char *const subs[] = {"BTCUSD", "SOLUSD"};
    wc.symbols = subs;
    wc.symbol_count = 2;
    tt_wsfeed_t *c = s_client(&wc);

    cond_t k = {.srv = srv, .c = c, .got = got, .u = 1};
    assert_true(s_pump(srv, c, NULL, s_subscribed, &k));
    tt_tickserver_pause(srv, false);

    tt_sim_tick_t *exp = calloc(N, sizeof *exp);
    assert_int_equal(s_expected(&cfg, exp, N), N);
    size_t want = 0;
    for (size_t i = 0; i < N; i++)
        if (exp[i].symbol != 1)
            exp[want++] = exp[i];
    assert_true(want > N / 2 && want < N);
    k.n = want;
    assert_true(s_pump(srv, c, NULL, s_got_n, &k));
    s_pump_turns(srv, c, 200); /* nothing more may come */
    assert_int_equal(got->n, want);
    for (size_t i = 0; i < want; i++) {
        assert_int_equal(got->index[i], (int)exp[i].symbol);
        assert_int_equal(got->tick[i].ts, exp[i].tick.ts);
        assert_int_equal(got->tick[i].price, exp[i].tick.price);
        assert_int_equal(got->tick[i].size, exp[i].tick.size);
        assert_int_equal(got->tick[i].trade_id, exp[i].tick.trade_id);
    }
    tt_wsfeed_stats_t cs;
    tt_wsfeed_stats(c, &cs);
    assert_int_equal(cs.ticks, want);
    assert_int_equal(cs.malformed, 0);
    assert_int_equal(cs.unknown_symbol, 0);
    tt_tickserver_stats_t ss;
    tt_tickserver_stats(srv, &ss);
    assert_int_equal(ss.ticks_generated, N);
    assert_int_equal(ss.ticks_dropped, 0);
    free(exp);
    tt_wsfeed_destroy(&c);
    tt_tickserver_destroy(&srv);
    assert_null(srv);
    free(got);
}

/* An unknown symbol in a subscribe gets an error frame; the connection
   stays and the old (default: all) subscription stays. */
static void test_unknown_symbol_error(void **state)
{
    (void)state;
    enum { N = 400 };
    tt_tickserver_cfg_t cfg;
    s_server_cfg(&cfg, TT_TICKSERVER_FAST, N);
    cfg.start_paused = true;
    tt_tickserver_t *srv = s_server(&cfg);
    const char *url = s_url(0, tt_tickserver_port(srv));
    book_t book = {.known = NSYM, .extra = NULL};
    got_t *got = calloc(1, sizeof *got);
    tt_wsfeed_cfg_t wc;
    s_client_cfg(&wc, &url, 1, &book, got);
    const char *const subs[] = {"BTCUSD", "NOPE"};
    wc.symbols = subs;
    wc.symbol_count = 2;
    tt_wsfeed_t *c = s_client(&wc);

    cond_t k = {.srv = srv, .c = c, .got = got, .u = 1, .n = N};
    assert_true(s_pump(srv, c, NULL, s_server_errors, &k));
    tt_wsfeed_stats_t cs;
    tt_wsfeed_stats(c, &cs);
    assert_non_null(strstr(cs.last_error, "unknown symbol 'NOPE'"));
    assert_true(cs.connected);
    tt_tickserver_pause(srv, false);
    assert_true(s_pump(srv, c, NULL, s_got_n, &k));
    size_t per[NSYM] = {0};
    for (size_t i = 0; i < got->n; i++)
        per[got->index[i]]++;
    assert_true(per[1] > 0); /* ETHUSD still comes: nothing changed */
    tt_wsfeed_stats(c, &cs);
    assert_int_equal(cs.server_errors, 1);
    assert_int_equal(cs.disconnects, 0);
    assert_int_equal(cs.connects, 1);
    assert_int_equal(cs.ticks, N);
    tt_tickserver_stats_t ss;
    tt_tickserver_stats(srv, &ss);
    assert_int_equal(ss.subscribes, 0);
    assert_int_equal(ss.client_errors, 1);
    tt_wsfeed_destroy(&c);
    tt_tickserver_destroy(&srv);
    free(got);
}

/* The server drops everyone: the client waits out its backoff on its own
   clock, reconnects once, subscribes again and goes on; no trade arrives
   twice. */
static void test_reconnect_after_drop(void **state)
{
    (void)state;
    tt_tickserver_cfg_t cfg;
    s_server_cfg(&cfg, TT_TICKSERVER_FAST, 0);
    tt_tickserver_t *srv = s_server(&cfg);
    const char *url = s_url(0, tt_tickserver_port(srv));
    book_t book = {.known = 2, .extra = NULL}; /* BTCUSD, ETHUSD */
    got_t *got = calloc(1, sizeof *got);
    fake_clock_t clk = {.t = 5 * TT_NS_PER_SEC};
    tt_wsfeed_cfg_t wc;
    s_client_cfg(&wc, &url, 1, &book, got);
    const char *const subs[] = {"BTCUSD", "ETHUSD"};
    wc.symbols = subs;
    wc.symbol_count = 2;
    wc.now = s_fake_now;
    wc.now_arg = &clk;
    wc.backoff_initial_ms = 100;
    wc.backoff_max_ms = 1000;
    wc.backoff_jitter = 0.5;
    tt_wsfeed_t *c = s_client(&wc);

    cond_t k = {.srv = srv, .c = c, .got = got, .n = 300};
    assert_true(s_pump(srv, c, NULL, s_got_n, &k));
    tt_tickserver_drop_clients(srv);
    k.u = 0;
    assert_true(s_pump(srv, c, NULL, s_connected, &k));
    tt_wsfeed_stats_t cs;
    tt_wsfeed_stats(c, &cs);
    assert_int_equal(cs.disconnects, 1);
    assert_true(cs.last_delay_ns > 50 * TT_NS_PER_MS &&
                cs.last_delay_ns <= 100 * TT_NS_PER_MS);
    assert_int_equal(cs.next_attempt_ns, clk.t + cs.last_delay_ns);
    /* Until the clock reaches the attempt time, nothing is tried. */
    s_pump_turns(srv, c, 300);
    clk.t = cs.next_attempt_ns - 1;
    s_pump_turns(srv, c, 300);
    tt_wsfeed_stats(c, &cs);
    assert_int_equal(cs.attempts, 1);
    assert_false(cs.connected);
    size_t before = got->n;
    clk.t = cs.next_attempt_ns;
    k.n = before + 300;
    assert_true(s_pump(srv, c, NULL, s_got_n, &k));
    tt_wsfeed_stats(c, &cs);
    assert_int_equal(cs.attempts, 2);
    assert_int_equal(cs.reconnects, 1);
    assert_int_equal(cs.connects, 2);
    assert_true(cs.connected);
    tt_tickserver_stats_t ss;
    tt_tickserver_stats(srv, &ss);
    assert_int_equal(ss.subscribes, 2); /* subscribed again */
    assert_int_equal(ss.connections, 2);
    s_assert_ids_increase(got);
    tt_wsfeed_destroy(&c);
    tt_tickserver_destroy(&srv);
    free(got);
}

/* Broken frames from the server are counted and skipped; the connection
   stays up and what follows them arrives. Dedupe drops a repeated id. */
static void test_malformed_frames(void **state)
{
    (void)state;
    fake_clock_t sclk = {.t = START_NS};
    tt_tickserver_cfg_t cfg;
    s_server_cfg(&cfg, TT_TICKSERVER_FAST, 0);
    cfg.start_paused = true;
    cfg.now = s_fake_now;
    cfg.now_arg = &sclk;
    cfg.heartbeat_ms = 1000;
    tt_tickserver_t *srv = s_server(&cfg);
    const char *url = s_url(0, tt_tickserver_port(srv));
    book_t book = {.known = 1, .extra = NULL};
    got_t *got = calloc(1, sizeof *got);
    tt_wsfeed_cfg_t wc;
    s_client_cfg(&wc, &url, 1, &book, got);
    const char *const subs[] = {"BTCUSD"};
    wc.symbols = subs;
    wc.symbol_count = 1;
    wc.dedupe = true;
    tt_wsfeed_t *c = s_client(&wc);
    cond_t k = {.srv = srv, .c = c, .got = got, .u = 1};
    assert_true(s_pump(srv, c, NULL, s_subscribed, &k));

    const char *good = "{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":\"123.45\","
                       "\"s\":\"0.5000\",\"t\":77,\"i\":900}";
    const struct {
        const char *text;
        bool binary;
    } frames[] = {
        {"{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":\"1", false}, /* truncated */
        {"{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":123.45,\"s\":\"1\",\"t\":5}",
         false}, /* p number */
        {"{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":\"1.00\",\"s\":\"1\",\"t\":"
         "\"5\"}",
         false},      /* t string */
        {good, true}, /* binary */
        {"[1,2,3]", false},
        {"{\"T\":\"hb\",\"t\":-1}", false},
        {good, false},                       /* delivered */
        {good, false},                       /* same id: duplicate */
        {"{\"T\":\"news\",\"x\":1}", false}, /* other kind, ignored */
    };
    const size_t nframes = sizeof frames / sizeof *frames;
    for (size_t i = 0; i < nframes; i++)
        assert_int_equal(tt_tickserver_send_raw(srv, frames[i].text,
                                                strlen(frames[i].text),
                                                frames[i].binary),
                         0);
    k.u = nframes;
    assert_true(s_pump(srv, c, NULL, s_frames, &k));
    tt_wsfeed_stats_t cs;
    tt_wsfeed_stats(c, &cs);
    assert_int_equal(cs.malformed, 6);
    assert_int_equal(cs.ticks, 1);
    assert_int_equal(cs.duplicates, 1);
    assert_int_equal(cs.other, 1);
    assert_int_equal(cs.disconnects, 0);
    assert_true(cs.connected);
    assert_true(strlen(cs.last_malformed) > 0);
    assert_int_equal(got->n, 1);
    assert_int_equal(got->index[0], 0);
    assert_int_equal(got->tick[0].price, 12345);
    assert_int_equal(got->tick[0].size, 5000);
    assert_int_equal(got->tick[0].ts, 77);
    assert_int_equal(got->tick[0].trade_id, 900);
    /* A heartbeat once the server's clock passes the period. */
    sclk.t += 1000 * TT_NS_PER_MS;
    k.u = nframes + 1;
    assert_true(s_pump(srv, c, NULL, s_frames, &k));
    tt_wsfeed_stats(c, &cs);
    assert_int_equal(cs.heartbeats, 1);
    tt_wsfeed_destroy(&c);
    tt_tickserver_destroy(&srv);
    free(got);
}

/* A port nothing listens on: bind an ephemeral one, then close it. */
static int s_closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* First URL refuses, second serves: after rotate_after failures the
   client moves to the second. The delays follow the doubling and the cap,
   read off the fake clock: an attempt starts exactly when it reaches the
   scheduled time and not one nanosecond before. */
static void test_rotation_and_backoff(void **state)
{
    (void)state;
    enum { N = 50 };
    tt_tickserver_cfg_t cfg;
    s_server_cfg(&cfg, TT_TICKSERVER_FAST, N);
    tt_tickserver_t *srv = s_server(&cfg);
    const char *urls[] = {s_url(0, s_closed_port()),
                          s_url(1, tt_tickserver_port(srv))};
    book_t book = {.known = NSYM, .extra = NULL};
    got_t *got = calloc(1, sizeof *got);
    fake_clock_t clk = {.t = 1000 * TT_NS_PER_SEC};
    tt_wsfeed_cfg_t wc;
    s_client_cfg(&wc, urls, 2, &book, got);
    wc.now = s_fake_now;
    wc.now_arg = &clk;
    wc.backoff_initial_ms = 100;
    wc.backoff_max_ms = 300;
    wc.backoff_jitter = 0.5;
    wc.seed = 7;
    wc.rotate_after = 4;
    tt_wsfeed_t *c = s_client(&wc);

    const int64_t base_ms[] = {100, 200, 300, 300}; /* doubling, capped */
    cond_t k = {.srv = srv, .c = c, .got = got};
    tt_wsfeed_stats_t cs;
    for (uint64_t i = 0; i < 4; i++) {
        k.u = i + 1;
        assert_true(s_pump(srv, c, NULL, s_failures, &k));
        tt_wsfeed_stats(c, &cs);
        assert_int_equal(cs.attempts, i + 1);
        assert_int_equal(cs.url_index, i < 3 ? 0 : 1);
        tt_ns_t base = base_ms[i] * TT_NS_PER_MS;
        assert_true(cs.last_delay_ns > base / 2 && cs.last_delay_ns <= base);
        assert_int_equal(cs.next_attempt_ns, clk.t + cs.last_delay_ns);
        clk.t = cs.next_attempt_ns - 1;
        s_pump_turns(srv, c, 100);
        tt_wsfeed_stats(c, &cs);
        assert_int_equal(cs.attempts, i + 1); /* not early */
        clk.t = cs.next_attempt_ns;
    }
    k.n = N;
    assert_true(s_pump(srv, c, NULL, s_got_n, &k));
    tt_wsfeed_stats(c, &cs);
    assert_true(cs.connected);
    assert_int_equal(cs.url_index, 1);
    assert_int_equal(cs.rotations, 1);
    assert_int_equal(cs.connect_failures, 4);
    assert_int_equal(cs.attempts, 5);
    assert_int_equal(cs.connects, 1);
    assert_int_equal(cs.reconnects, 0);
    assert_non_null(strstr(cs.last_error, "127.0.0.1"));
    tt_wsfeed_destroy(&c);
    tt_tickserver_destroy(&srv);
    free(got);
}

/* ---- a raw websocket client, to misbehave --------------------------- */

typedef struct {
    int fd;
    unsigned char buf[1 << 16];
    size_t len;
} raw_t;

static void s_raw_open(raw_t *r, int port, int rcvbuf)
{
    r->len = 0;
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(r->fd >= 0);
    if (rcvbuf > 0)
        assert_int_equal(
            setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf),
            0);
    assert_int_equal(fcntl(r->fd, F_SETFL, O_NONBLOCK), 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    int rc = connect(r->fd, (struct sockaddr *)&a, sizeof a);
    assert_true(rc == 0 || errno == EINPROGRESS);
}

/* Sends all of DATA, servicing the server while the socket is full. */
static void s_raw_write(tt_tickserver_t *srv, raw_t *r, const void *data,
                        size_t len)
{
    const unsigned char *p = data;
    int64_t deadline = tth_now_ms() + PUMP_MS;
    while (len > 0) {
        ssize_t n = send(r->fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        assert_true(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
                              errno == ENOTCONN));
        assert_true(tth_now_ms() < deadline);
        assert_int_equal(tt_tickserver_service(srv, 0), 0);
    }
}

/* Reads what is there (services the server once first). Returns false
   when the peer closed. */
static bool s_raw_read(tt_tickserver_t *srv, raw_t *r)
{
    assert_int_equal(tt_tickserver_service(srv, 0), 0);
    if (r->len == sizeof r->buf)
        return true;
    ssize_t n = recv(r->fd, r->buf + r->len, sizeof r->buf - r->len, 0);
    if (n == 0)
        return false;
    if (n > 0)
        r->len += (size_t)n;
    else
        assert_true(errno == EAGAIN || errno == EWOULDBLOCK ||
                    errno == ENOTCONN);
    return true;
}

/* Sends a GET for PATH (an upgrade request if UPGRADE) and returns the
   HTTP status of the answer (0 if the server just closed). */
static int s_raw_request(tt_tickserver_t *srv, raw_t *r, const char *path,
                         bool upgrade)
{
    char req[256];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", path,
                     upgrade ? "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\n"
                             : "");
    s_raw_write(srv, r, req, (size_t)n);
    int64_t deadline = tth_now_ms() + PUMP_MS;
    for (long turn = 0; turn < PUMP_TURNS && tth_now_ms() < deadline; turn++) {
        bool open = s_raw_read(srv, r);
        void *end = memmem(r->buf, r->len, "\r\n\r\n", 4);
        if (end || !open) {
            int status = 0;
            if (r->len > 12)
                sscanf((const char *)r->buf, "HTTP/1.1 %d", &status);
            size_t used =
                end ? (size_t)((unsigned char *)end - r->buf) + 4 : r->len;
            memmove(r->buf, r->buf + used, r->len - used);
            r->len -= used;
            return status;
        }
    }
    fail_msg("no handshake answer");
    return -1;
}

static int s_raw_handshake(tt_tickserver_t *srv, raw_t *r, const char *path)
{
    return s_raw_request(srv, r, path, true);
}

/* A masked client frame (RFC 6455 5.3) of OPCODE. */
static void s_raw_send(tt_tickserver_t *srv, raw_t *r, int opcode,
                       const char *payload, size_t len)
{
    unsigned char f[256];
    assert_true(len < 126);
    const unsigned char mask[4] = {0x11, 0x22, 0x33, 0x44};
    f[0] = (unsigned char)(0x80 | opcode);
    f[1] = (unsigned char)(0x80 | len);
    memcpy(f + 2, mask, 4);
    for (size_t i = 0; i < len; i++)
        f[6 + i] = (unsigned char)payload[i] ^ mask[i % 4];
    s_raw_write(srv, r, f, 6 + len);
}

/* Waits for the next server frame; copies its payload (NUL-terminated)
   into OUT and returns its opcode. */
static int s_raw_frame(tt_tickserver_t *srv, raw_t *r, char *out, size_t cap)
{
    int64_t deadline = tth_now_ms() + PUMP_MS;
    for (long turn = 0; turn < PUMP_TURNS && tth_now_ms() < deadline; turn++) {
        if (r->len >= 2) {
            size_t len = r->buf[1] & 0x7f, hdr = 2;
            if (len == 126 && r->len >= 4) {
                len = ((size_t)r->buf[2] << 8) | r->buf[3];
                hdr = 4;
            }
            assert_true(len < 127 && len < cap);
            if (r->len >= hdr + len && !(len >= 126 && hdr == 2)) {
                int opcode = r->buf[0] & 0x0f;
                memcpy(out, r->buf + hdr, len);
                out[len] = '\0';
                memmove(r->buf, r->buf + hdr + len, r->len - hdr - len);
                r->len -= hdr + len;
                return opcode;
            }
        }
        assert_true(s_raw_read(srv, r));
    }
    fail_msg("no frame from the server");
    return -1;
}

/* Pings are answered; a bad message gets an error frame and the
   connection stays; only "/" is served. */
static void test_raw_client_protocol(void **state)
{
    (void)state;
    fake_clock_t sclk = {.t = START_NS};
    tt_tickserver_cfg_t cfg;
    s_server_cfg(&cfg, TT_TICKSERVER_REALTIME, 0);
    cfg.now = s_fake_now;
    cfg.now_arg = &sclk;
    cfg.heartbeat_ms = 3600 * 1000; /* none during this test */
    tt_tickserver_t *srv = s_server(&cfg);
    int port = tt_tickserver_port(srv);
    raw_t *wrong = calloc(1, sizeof *wrong);
    s_raw_open(wrong, port, 0);
    int status = s_raw_handshake(srv, wrong, "/nope");
    assert_int_not_equal(status, 101);
    close(wrong->fd);
    s_raw_open(wrong, port, 0);
    assert_int_equal(s_raw_request(srv, wrong, "/", false), 404);
    close(wrong->fd);
    free(wrong);

    raw_t *r = calloc(1, sizeof *r);
    s_raw_open(r, port, 0);
    assert_int_equal(s_raw_handshake(srv, r, "/"), 101);
    char frame[512];
    s_raw_send(srv, r, 0x9, "abc", 3); /* ping */
    assert_int_equal(s_raw_frame(srv, r, frame, sizeof frame), 0xA);
    assert_string_equal(frame, "abc");
    s_raw_send(srv, r, 0x1, "{nope", 5);
    assert_int_equal(s_raw_frame(srv, r, frame, sizeof frame), 0x1);
    assert_non_null(strstr(frame, "{\"T\":\"error\",\"msg\":\"not JSON"));
    s_raw_send(srv, r, 0x2, "\x01\x02", 2);
    assert_int_equal(s_raw_frame(srv, r, frame, sizeof frame), 0x1);
    assert_string_equal(
        frame, "{\"T\":\"error\",\"msg\":\"binary frames are not accepted\"}");
    const char *sub = "{\"action\":\"subscribe\",\"symbols\":[\"SOLUSD\"]}";
    s_raw_send(srv, r, 0x1, sub, strlen(sub));
    /* Real time: ticks come out once the server's clock passes them. */
    tt_tickserver_stats_t ss;
    for (int i = 0; i < 100000; i++) {
        tt_tickserver_stats(srv, &ss);
        if (ss.subscribes == 1)
            break;
        assert_true(s_raw_read(srv, r));
    }
    assert_int_equal(ss.subscribes, 1);
    assert_int_equal(ss.ticks_generated, 0);
    sclk.t += 2 * TT_NS_PER_SEC; /* about 300 ticks due at 50 Hz x 3 */
    assert_int_equal(s_raw_frame(srv, r, frame, sizeof frame), 0x1);
    assert_non_null(strstr(frame, "{\"T\":\"t\",\"S\":\"SOLUSD\","));
    tt_tickserver_stats(srv, &ss);
    assert_true(ss.ticks_generated > 150);
    assert_int_equal(ss.client_errors, 2);
    assert_int_equal(ss.clients, 1);
    /* A waiting turn ends on time even with nothing to do (the server's
       clock stands still, no heartbeat is near), and run() returns at
       once on a raised stop flag. */
    int64_t t0 = tth_now_ms();
    assert_int_equal(tt_tickserver_service(srv, 20), 0);
    assert_true(tth_now_ms() - t0 < 2000);
    volatile sig_atomic_t stop = 1;
    assert_int_equal(tt_tickserver_run(srv, &stop), 0);
    close(r->fd);
    free(r);
    tt_tickserver_destroy(&srv);
}

/* One client completes the handshake and never reads again; the other
   still gets every tick, and the server counts what the slow one lost. */
static void test_slow_client(void **state)
{
    (void)state;
    enum { N = 60000 };
    tt_tickserver_cfg_t cfg;
    s_server_cfg(&cfg, TT_TICKSERVER_FAST, N);
    cfg.queue_cap = 256;
    cfg.start_paused = true; /* until both clients are in */
    tt_tickserver_t *srv = s_server(&cfg);
    raw_t *slow = calloc(1, sizeof *slow);
    s_raw_open(slow, tt_tickserver_port(srv), 2048);
    assert_int_equal(s_raw_handshake(srv, slow, "/"), 101);

    const char *url = s_url(0, tt_tickserver_port(srv));
    book_t book = {.known = NSYM, .extra = NULL};
    got_t *got = calloc(1, sizeof *got);
    tt_wsfeed_cfg_t wc;
    s_client_cfg(&wc, &url, 1, &book, got);
    tt_wsfeed_t *c = s_client(&wc);
    cond_t k = {.srv = srv, .c = c, .got = got, .n = N, .u = 1};
    assert_true(s_pump(srv, c, NULL, s_connected, &k));
    tt_tickserver_pause(srv, false);
    int64_t t0 = tth_now_ms();
    bool done = s_pump(srv, c, NULL, s_got_n, &k);
    if (!done) {
        tt_tickserver_stats_t d;
        tt_tickserver_stats(srv, &d);
        tt_wsfeed_stats_t e;
        tt_wsfeed_stats(c, &e);
        fail_msg("got %zu; server gen %llu sent %llu drop %llu clients %zu; "
                 "client frames %llu connected %d",
                 got->n, (unsigned long long)d.ticks_generated,
                 (unsigned long long)d.frames_sent,
                 (unsigned long long)d.ticks_dropped, d.clients,
                 (unsigned long long)e.frames, e.connected);
    }
    int64_t ms = tth_now_ms() - t0;
    tt_wsfeed_stats_t cs;
    tt_wsfeed_stats(c, &cs);
    assert_int_equal(cs.ticks, N);
    s_assert_ids_increase(got);
    tt_tickserver_stats_t ss;
    tt_tickserver_stats(srv, &ss);
    assert_int_equal(ss.ticks_generated, N);
    assert_true(ss.ticks_dropped > 0);
    assert_true(ss.ticks_dropped < N);
    assert_int_equal(ss.clients, 2);
    print_message("slow client: %d ticks to the fast one in %lld ms, "
                  "%llu dropped for the slow one\n",
                  N, (long long)ms, (unsigned long long)ss.ticks_dropped);
    tt_wsfeed_destroy(&c);
    close(slow->fd);
    free(slow);
    tt_tickserver_destroy(&srv);
    free(got);
}

/* A connection silent for longer than idle_timeout_ms (on the client's
   clock) is closed and reconnected. */
static void test_idle_timeout(void **state)
{
    (void)state;
    fake_clock_t sclk = {.t = START_NS};
    tt_tickserver_cfg_t cfg;
    s_server_cfg(&cfg, TT_TICKSERVER_REALTIME, 0);
    cfg.now = s_fake_now;
    cfg.now_arg = &sclk;
    cfg.heartbeat_ms = 3600 * 1000;
    tt_tickserver_t *srv = s_server(&cfg);
    const char *url = s_url(0, tt_tickserver_port(srv));
    book_t book = {.known = NSYM, .extra = NULL};
    got_t *got = calloc(1, sizeof *got);
    fake_clock_t clk = {.t = TT_NS_PER_SEC};
    tt_wsfeed_cfg_t wc;
    s_client_cfg(&wc, &url, 1, &book, got);
    wc.now = s_fake_now;
    wc.now_arg = &clk;
    wc.idle_timeout_ms = 500;
    tt_wsfeed_t *c = s_client(&wc);
    cond_t k = {.srv = srv, .c = c, .got = got, .u = 1};
    assert_true(s_pump(srv, c, NULL, s_connected, &k));
    clk.t += 500 * TT_NS_PER_MS; /* exactly the limit: still fine */
    s_pump_turns(srv, c, 200);
    tt_wsfeed_stats_t cs;
    tt_wsfeed_stats(c, &cs);
    assert_int_equal(cs.idle_timeouts, 0);
    assert_true(cs.connected);
    clk.t += 1;
    k.u = 0;
    assert_true(s_pump(srv, c, NULL, s_connected, &k));
    tt_wsfeed_stats(c, &cs);
    assert_int_equal(cs.idle_timeouts, 1);
    assert_int_equal(cs.disconnects, 1);
    clk.t = cs.next_attempt_ns;
    k.u = 1;
    assert_true(s_pump(srv, c, NULL, s_connected, &k));
    tt_wsfeed_stats(c, &cs);
    assert_int_equal(cs.reconnects, 1);
    /* The client's own wait ends on time too. */
    int64_t t0 = tth_now_ms();
    assert_int_equal(tt_wsfeed_service(c, 20), 0);
    assert_true(tth_now_ms() - t0 < 2000);
    tt_wsfeed_destroy(&c);
    tt_tickserver_destroy(&srv);
    free(got);
}

int main(void)
{
    lws_set_log_level(LLL_ERR, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fanout_ring),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_feedmsg_kinds),
        cmocka_unit_test(test_subscribe_parse),
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_ticks_match_simmarket),
        cmocka_unit_test(test_unknown_symbol_error),
        cmocka_unit_test(test_reconnect_after_drop),
        cmocka_unit_test(test_malformed_frames),
        cmocka_unit_test(test_rotation_and_backoff),
        cmocka_unit_test(test_raw_client_protocol),
        cmocka_unit_test(test_slow_client),
        cmocka_unit_test(test_idle_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
