/*  tests/test_config.c: the configuration loader (config/config.h).

    The default config/ticktree.yaml, every default, symbol_defaults
    merging, ${NAME} substitution, secrets kept out of messages, endpoint
    rules, and each kind of error with its exact FILE:LINE. Fixtures are
    written line by line (the number in each comment is the file line the
    assertions refer to) into a scratch directory, or committed under
    tests/configs/. */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"

#define S_MAX_ERRORS 64

typedef struct {
    int count;
    char *messages[S_MAX_ERRORS];
} s_errors_t;

static void s_collect(void *arg, const char *message)
{
    s_errors_t *errors = arg;
    assert_true(errors->count < S_MAX_ERRORS);
    errors->messages[errors->count] = strdup(message);
    assert_non_null(errors->messages[errors->count]);
    errors->count++;
}

static void s_errors_clear(s_errors_t *errors)
{
    for (int i = 0; i < errors->count; i++)
        free(errors->messages[i]);
    errors->count = 0;
}

static void s_errors_print(const s_errors_t *errors)
{
    for (int i = 0; i < errors->count; i++)
        print_message("  got: %s\n", errors->messages[i]);
}

/* Per test: a scratch directory, the last file written, its messages. */
typedef struct {
    char *dir;
    char *path;
    s_errors_t errors;
    tt_config_t *cfg;
} s_fixture_t;

static int s_setup(void **state)
{
    s_fixture_t *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    fx->dir = tth_tmpdir("tt_config");
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    s_fixture_t *fx = *state;
    tt_config_destroy(&fx->cfg);
    s_errors_clear(&fx->errors);
    free(fx->path);
    tth_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

/* Writes CONTENT as config.yaml and loads it; returns the config (or NULL)
   with the messages in fx->errors. */
static tt_config_t *s_load_text(s_fixture_t *fx, const char *content)
{
    tt_config_destroy(&fx->cfg);
    s_errors_clear(&fx->errors);
    free(fx->path);
    fx->path = tth_write_file(fx->dir, "config.yaml", content);
    int count = -1;
    fx->cfg = tt_config_load(fx->path, s_collect, &fx->errors, &count);
    assert_int_equal(count, fx->errors.count);
    if (fx->cfg)
        assert_int_equal(count, 0);
    return fx->cfg;
}

/* Asserts that message I is "PATH:LINE: TEXT". */
static void s_expect(s_fixture_t *fx, int i, int line, const char *text)
{
    char want[1024];
    snprintf(want, sizeof(want), "%s:%d: %s", fx->path, line, text);
    if (i >= fx->errors.count || strcmp(fx->errors.messages[i], want) != 0) {
        print_message("want [%d]: %s\n", i, want);
        s_errors_print(&fx->errors);
    }
    assert_true(i < fx->errors.count);
    assert_string_equal(fx->errors.messages[i], want);
}

/* Loads CONTENT and asserts exactly one error, at LINE, reading TEXT. */
static void s_expect_one(s_fixture_t *fx, const char *content, int line,
                         const char *text)
{
    assert_null(s_load_text(fx, content));
    s_expect(fx, 0, line, text);
    if (fx->errors.count != 1)
        s_errors_print(&fx->errors);
    assert_int_equal(fx->errors.count, 1);
}

/* The smallest valid file: lines 1-12. Tests append to it or replace
   parts of it; the line numbers below are those of this text. */
#define S_VENUES                                                               \
    /* 1 */ "venues:\n" /* 2 */ "  - name: sim\n" /* 3 */ "    kind: sim\n"
#define S_SYMBOL(venue)                                                        \
    /* +0 */ "symbols:\n" /* +1 */ "  - symbol: BTCUSD\n"             /* +2 */ \
             "    venue: " venue "\n" /* +3 */ "    px_decimals: 2\n" /* +4 */ \
             "    qty_decimals: 6\n" /* +5 */ "    strategy:\n"       /* +6 */ \
             "      kind: sma_cross\n" /* +7 */ "    risk:\n"         /* +8 */ \
             "      qty: \"0.01\"\n"
#define S_MINIMAL S_VENUES S_SYMBOL("sim")

/* ---- good files ------------------------------------------------------- */

static void s_check_default_symbol(const tt_symbol_cfg_t *sym, const char *name,
                                   int px, int qty, const char *order_qty)
{
    assert_string_equal(sym->name, name);
    assert_int_equal(sym->venue, 0);
    assert_int_equal(sym->instrument.px_decimals, px);
    assert_int_equal(sym->instrument.qty_decimals, qty);
    /* Each tick and lot is written as one unit of the last decimal. */
    assert_int_equal(sym->instrument.tick_size, 1);
    assert_int_equal(sym->instrument.lot_size, 1);
    assert_int_equal(sym->timeframe_count, 2);
    assert_int_equal(sym->timeframes[0], 1);
    assert_int_equal(sym->timeframes[1], 60);
    assert_int_equal(sym->stale_ms, 30000);
    assert_string_equal(sym->strategy.kind, "sma_cross");
    assert_int_equal(sym->strategy.params.count, 2);
    assert_string_equal(tt_params_get(&sym->strategy.params, "fast")->value,
                        "5");
    assert_string_equal(tt_params_get(&sym->strategy.params, "slow")->value,
                        "20");
    assert_string_equal(sym->risk.sizing, "fixed_qty");
    assert_string_equal(sym->risk.qty, order_qty);
    assert_int_equal(sym->risk.max_orders_per_min, 10);
    assert_int_equal(sym->risk.max_consecutive_losses, 3);
    assert_int_equal(sym->paper.slippage_bps, 1);
    assert_int_equal(sym->paper.fee_bps, 1);
    assert_int_equal(sym->paper.participation_bps, 0);
    assert_int_equal(sym->paper.latency_ns, 0);
}

static void test_default_file_loads(void **state)
{
    (void)state;
    s_errors_t errors = {0};
    int count = -1;
    tt_config_t *cfg = tt_config_load(TT_SOURCE_DIR "/config/ticktree.yaml",
                                      s_collect, &errors, &count);
    s_errors_print(&errors);
    assert_non_null(cfg);
    assert_int_equal(count, 0);
    assert_string_equal(cfg->name, "ticktree");
    assert_string_equal(cfg->control_endpoint, "tcp://127.0.0.1:7780");
    assert_null(cfg->control_token);
    assert_string_equal(cfg->events_endpoint, "tcp://127.0.0.1:7781");
    assert_string_equal(cfg->db_path, "ticktree.db");
    assert_true(cfg->workers >= 1);
    assert_int_equal(cfg->log_level, TT_LOG_INFO);
    assert_false(cfg->log_json);
    assert_false(cfg->fault_injection);
    assert_int_equal(cfg->store_max_pages, 0);
    assert_int_equal(cfg->supervision.window_ms, 60000);
    assert_int_equal(cfg->venue_count, 1);
    assert_string_equal(cfg->venues[0].name, "sim");
    assert_int_equal(cfg->venues[0].kind, TT_VENUE_SIM);
    assert_string_equal(tt_params_get(&cfg->venues[0].params, "seed")->value,
                        "42");
    assert_string_equal(
        tt_params_get(&cfg->venues[0].params, "tick_rate_hz")->value, "20");
    assert_int_equal(cfg->symbol_count, 4);
    s_check_default_symbol(&cfg->symbols[0], "BTCUSD", 2, 6, "0.001");
    s_check_default_symbol(&cfg->symbols[1], "ETHUSD", 2, 5, "0.02");
    s_check_default_symbol(&cfg->symbols[2], "SOLUSD", 3, 3, "1");
    s_check_default_symbol(&cfg->symbols[3], "AAPL", 2, 0, "10");
    assert_int_equal(tt_config_symbol_index(cfg, "AAPL"), 3);
    assert_int_equal(tt_config_symbol_index(cfg, "MSFT"), -1);
    tt_config_destroy(&cfg);
    assert_null(cfg);
    tt_config_destroy(&cfg); /* accepts NULL */
    tt_config_destroy(NULL);
    s_errors_clear(&errors);
}

static void test_defaults_when_omitted(void **state)
{
    s_fixture_t *fx = *state;
    tt_config_t *cfg = s_load_text(fx, S_MINIMAL);
    s_errors_print(&fx->errors);
    assert_non_null(cfg);
    assert_string_equal(cfg->path, fx->path);
    assert_string_equal(cfg->name, "ticktree");
    assert_string_equal(cfg->control_endpoint, "tcp://127.0.0.1:7780");
    assert_string_equal(cfg->events_endpoint, "tcp://127.0.0.1:7781");
    assert_string_equal(cfg->db_path, "ticktree.db");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    assert_int_equal(cfg->workers, cores < 1 ? 1 : cores);
    assert_int_equal(cfg->log_level, TT_LOG_INFO);
    assert_false(cfg->log_json);
    assert_false(cfg->fault_injection);
    assert_int_equal(cfg->watchdog_ms, 1000);
    assert_int_equal(cfg->shutdown_timeout_ms, 5000);
    assert_int_equal(cfg->mailbox_hwm, 100000);
    assert_int_equal(cfg->spin_us, 0);
    const tt_supervision_cfg_t *sup = &cfg->supervision;
    assert_int_equal(sup->max_restarts, 3);
    assert_int_equal(sup->window_ms, 60000);
    assert_int_equal(sup->backoff_ms, 100);
    assert_int_equal(sup->backoff_max_ms, 5000);
    assert_int_equal(sup->jitter_pct, 20);
    assert_int_equal(sup->symbol_max_restarts, 2);
    const tt_venue_cfg_t *venue = &cfg->venues[0];
    assert_int_equal(venue->kind, TT_VENUE_SIM);
    assert_int_equal(venue->endpoint_count, 0);
    assert_null(venue->endpoints[0]);
    assert_null(venue->key_id);
    assert_null(venue->secret_key);
    assert_int_equal(venue->params.count, 0);
    assert_int_equal(venue->line, 2);
    const tt_symbol_cfg_t *sym = &cfg->symbols[0];
    assert_int_equal(sym->line, 5);
    assert_int_equal(sym->instrument.tick_size, 1);
    assert_int_equal(sym->instrument.lot_size, 1);
    assert_int_equal(sym->timeframe_count, 1);
    assert_int_equal(sym->timeframes[0], 60);
    assert_int_equal(sym->stale_ms, 30000);
    assert_int_equal(sym->strategy.params.count, 0);
    assert_int_equal(sym->strategy.line, 9);
    assert_string_equal(sym->risk.sizing, "fixed_qty");
    assert_string_equal(sym->risk.qty, "0.01");
    assert_null(sym->risk.notional);
    assert_null(sym->risk.max_position);
    assert_true(sym->risk.risk_pct == 0.0);
    assert_int_equal(sym->risk.max_orders_per_min, 0);
    assert_int_equal(sym->risk.max_consecutive_losses, 0);
    assert_int_equal(sym->risk.line, 11);
    /* The paper broker as it always was: 1 bp slippage, 1 bp fee. */
    assert_int_equal(sym->paper.slippage_bps, 1);
    assert_int_equal(sym->paper.fee_bps, 1);
    assert_int_equal(sym->paper.fee_per_order, 0);
    assert_int_equal(sym->paper.participation_bps, 0);
    assert_int_equal(sym->paper.max_qty_per_trade, 0);
    assert_int_equal(sym->paper.latency_ns, 0);
}

static void test_every_key_set(void **state)
{
    s_fixture_t *fx = *state;
    tt_config_t *cfg = s_load_text(
        fx, "service:\n"
            "  name: tt-prod.1\n"
            "  control: ipc:///run/ticktree/control\n"
            "  events: tcp://0.0.0.0:9000\n"
            "  db: /var/lib/ticktree/tt.db\n"
            "  workers: 3\n"
            "  log_level: warn\n"
            "  log_format: json\n"
            "  fault_injection: true\n"
            "  store_max_pages: 5000\n"
            "  watchdog_ms: 250\n"
            "  shutdown_timeout_ms: 100\n"
            "  mailbox_hwm: 1000\n"
            "  spin_us: 250\n"
            "supervision: {max_restarts: 5, window_s: 30, backoff_ms: 50,\n"
            "  backoff_max_ms: 50, jitter_pct: 0, symbol_max_restarts: 0}\n"
            "venues:\n"
            "  - name: alpaca-paper\n"
            "    kind: alpaca\n"
            "    endpoints: [wss://stream.example/v2, https://api.example]\n"
            "    key_id: AKID\n"
            "    secret_key: SKEY\n"
            "symbols:\n"
            "  - symbol: AAPL\n"
            "    venue: alpaca-paper\n"
            "    px_decimals: 4\n"
            "    qty_decimals: 0\n"
            "    tick_size: 0.05\n"
            "    lot_size: 10\n"
            "    timeframes: [3600, 60, 300]\n"
            "    stale_ms: 100\n"
            "    strategy: {kind: rsi_reversion, params: {period: 14}}\n"
            "    risk:\n"
            "      sizing: risk_pct\n"
            "      risk_pct: 0.5\n"
            "      notional: \"1000.50\"\n"
            "      max_position: \"300\"\n"
            "      max_orders_per_min: 256\n"
            "      max_consecutive_losses: 1000\n");
    s_errors_print(&fx->errors);
    assert_non_null(cfg);
    assert_string_equal(cfg->name, "tt-prod.1");
    assert_string_equal(cfg->control_endpoint, "ipc:///run/ticktree/control");
    assert_string_equal(cfg->events_endpoint, "tcp://0.0.0.0:9000");
    assert_string_equal(cfg->db_path, "/var/lib/ticktree/tt.db");
    assert_int_equal(cfg->workers, 3);
    assert_int_equal(cfg->log_level, TT_LOG_WARN);
    assert_true(cfg->log_json);
    assert_true(cfg->fault_injection);
    assert_int_equal(cfg->store_max_pages, 5000);
    assert_int_equal(cfg->watchdog_ms, 250);
    assert_int_equal(cfg->shutdown_timeout_ms, 100);
    assert_int_equal(cfg->mailbox_hwm, 1000);
    assert_int_equal(cfg->spin_us, 250);
    assert_int_equal(cfg->supervision.max_restarts, 5);
    assert_int_equal(cfg->supervision.window_ms, 30000);
    assert_int_equal(cfg->supervision.backoff_max_ms, 50);
    assert_int_equal(cfg->supervision.jitter_pct, 0);
    assert_int_equal(cfg->supervision.symbol_max_restarts, 0);
    const tt_venue_cfg_t *venue = &cfg->venues[0];
    assert_int_equal(venue->kind, TT_VENUE_ALPACA);
    assert_int_equal(venue->endpoint_count, 2);
    assert_string_equal(venue->endpoints[1], "https://api.example");
    assert_string_equal(venue->key_id, "AKID");
    assert_string_equal(venue->secret_key, "SKEY");
    const tt_symbol_cfg_t *sym = &cfg->symbols[0];
    assert_int_equal(sym->instrument.tick_size, 500);
    assert_int_equal(sym->instrument.lot_size, 10);
    assert_int_equal(sym->timeframe_count, 3);
    assert_int_equal(sym->timeframes[0], 60);
    assert_int_equal(sym->timeframes[1], 300);
    assert_int_equal(sym->timeframes[2], 3600);
    assert_int_equal(sym->stale_ms, 100);
    assert_string_equal(sym->strategy.kind, "rsi_reversion");
    assert_int_equal(tt_params_get(&sym->strategy.params, "period")->line, 32);
    assert_null(tt_params_get(&sym->strategy.params, "fast"));
    assert_string_equal(sym->risk.sizing, "risk_pct");
    assert_true(sym->risk.risk_pct == 0.5);
    assert_string_equal(sym->risk.notional, "1000.50");
    assert_int_equal(sym->risk.max_orders_per_min, 256);
    assert_int_equal(sym->risk.max_consecutive_losses, 1000);
}

static void test_symbol_defaults_merge(void **state)
{
    s_fixture_t *fx = *state;
    tt_config_t *cfg = s_load_text(
        fx, S_VENUES
        /* 4 */ "symbol_defaults:\n"
                /* 5 */ "  venue: sim\n"
                /* 6 */ "  px_decimals: 2\n"
                /* 7 */ "  qty_decimals: 3\n"
                /* 8 */ "  timeframes: [300, 60]\n"
                /* 9 */ "  stale_ms: 1000\n"
                /* 10 */ "  strategy:\n"
                /* 11 */ "    kind: sma_cross\n"
                /* 12 */ "    params: {fast: 10, slow: 30}\n"
                /* 13 */ "  risk: {qty: \"0.1\", max_orders_per_min: 5}\n"
                /* 14 */ "symbols:\n"
                /* 15 */ "  - symbol: AAA\n"
                /* 16 */ "    strategy:\n"
                /* 17 */ "      params: {slow: 50, signal: 9}\n"
                /* 18 */ "    risk: {qty: \"0.2\"}\n"
                /* 19 */ "  - symbol: BBB\n"
                /* 20 */ "    qty_decimals: 0\n"
                /* 21 */ "    timeframes: [900]\n"
                /* 22 */ "    strategy: {kind: donchian}\n"
                /* 23 */ "    risk: {qty: \"7\", max_orders_per_min: 0}\n");
    s_errors_print(&fx->errors);
    assert_non_null(cfg);
    const tt_symbol_cfg_t *a = &cfg->symbols[0], *b = &cfg->symbols[1];
    /* AAA: everything inherited except what it says itself. */
    assert_int_equal(a->instrument.qty_decimals, 3);
    assert_int_equal(a->timeframe_count, 2);
    assert_int_equal(a->timeframes[0], 60);
    assert_int_equal(a->stale_ms, 1000);
    assert_string_equal(a->strategy.kind, "sma_cross");
    assert_int_equal(a->strategy.params.count, 3);
    const tt_param_t *fast = tt_params_get(&a->strategy.params, "fast");
    const tt_param_t *slow = tt_params_get(&a->strategy.params, "slow");
    const tt_param_t *signal = tt_params_get(&a->strategy.params, "signal");
    assert_string_equal(fast->value, "10");
    assert_int_equal(fast->line, 12);
    assert_string_equal(slow->value, "50");
    assert_int_equal(slow->line, 17);
    assert_string_equal(signal->value, "9");
    assert_string_equal(a->risk.qty, "0.2");
    assert_int_equal(a->risk.max_orders_per_min, 5);
    /* BBB: its own kind, the default params, its own risk limits. */
    assert_int_equal(b->instrument.px_decimals, 2);
    assert_int_equal(b->instrument.qty_decimals, 0);
    assert_int_equal(b->timeframe_count, 1);
    assert_int_equal(b->timeframes[0], 900);
    assert_string_equal(b->strategy.kind, "donchian");
    assert_int_equal(b->strategy.params.count, 2);
    assert_string_equal(tt_params_get(&b->strategy.params, "slow")->value,
                        "30");
    assert_string_equal(b->risk.qty, "7");
    assert_int_equal(b->risk.max_orders_per_min, 0);
}

/* symbols[].paper: merged key by key over symbol_defaults.paper, amounts
   scaled at the symbol's own decimals, every range checked at its line. */
static void test_paper_broker(void **state)
{
    s_fixture_t *fx = *state;
    tt_config_t *cfg = s_load_text(
        fx, S_VENUES
        /* 4 */ "symbol_defaults:\n"
                /* 5 */ "  venue: sim\n"
                /* 6 */ "  strategy: {kind: sma_cross}\n"
                /* 7 */ "  paper: {fee_bps: 5, fee_per_order: \"0.35\",\n"
                /* 8 */ "          latency_ms: 250}\n"
                /* 9 */ "symbols:\n"
                /* 10 */ "  - {symbol: A, px_decimals: 2, qty_decimals: 0,\n"
                /* 11 */ "     lot_size: 10, risk: {qty: \"10\"},\n"
                /* 12 */ "     paper: {slippage_bps: 0,\n"
                /* 13 */ "       max_qty_per_trade: 30,\n"
                /* 14 */ "       participation_bps: 10000}}\n"
                /* 15 */ "  - {symbol: B, px_decimals: 4, qty_decimals: 3,\n"
                /* 16 */ "     risk: {qty: \"1\"}, paper: {fee_bps: 0}}\n");
    s_errors_print(&fx->errors);
    assert_non_null(cfg);
    const tt_symbol_paper_cfg_t *a = &cfg->symbols[0].paper;
    const tt_symbol_paper_cfg_t *b = &cfg->symbols[1].paper;
    assert_int_equal(a->slippage_bps, 0);
    assert_int_equal(a->fee_bps, 5);
    assert_int_equal(a->fee_per_order, 35);
    assert_int_equal(a->participation_bps, 10000);
    assert_int_equal(a->max_qty_per_trade, 30);
    assert_int_equal(a->latency_ns, 250 * INT64_C(1000000));
    assert_int_equal(b->slippage_bps, 1);
    assert_int_equal(b->fee_bps, 0);
    assert_int_equal(b->fee_per_order, 3500); /* 0.35 at 4 decimals */
    assert_int_equal(b->participation_bps, 0);
    assert_int_equal(b->max_qty_per_trade, 0);
    assert_int_equal(b->latency_ns, 250 * INT64_C(1000000));

    /* The minimal file's symbol opens at line 5, "risk:" at 11. */
    s_expect_one(fx, S_MINIMAL "    paper: {slippage_bps: 10001}\n", 13,
                 "symbols[0].paper.slippage_bps: 10001 is out of range "
                 "0..10000");
    s_expect_one(fx, S_MINIMAL "    paper: {fee_bps: -1}\n", 13,
                 "symbols[0].paper.fee_bps: -1 is out of range 0..10000");
    s_expect_one(fx, S_MINIMAL "    paper: {participation_bps: 2.5}\n", 13,
                 "symbols[0].paper.participation_bps: expected an integer, "
                 "got '2.5'");
    s_expect_one(fx, S_MINIMAL "    paper: {latency_ms: 60001}\n", 13,
                 "symbols[0].paper.latency_ms: 60001 is out of range "
                 "0..60000");
    s_expect_one(fx, S_MINIMAL "    paper:\n      fee_per_order: \"0.001\"\n",
                 14,
                 "symbols[0].paper.fee_per_order: '0.001' is not exact at "
                 "px_decimals 2");
    s_expect_one(fx, S_MINIMAL "    paper: {fee_per_order: \"-1\"}\n", 13,
                 "symbols[0].paper.fee_per_order: must be 0 or more, got "
                 "'-1'");
    s_expect_one(fx, S_MINIMAL "    paper: {fee_per_order: lots}\n", 13,
                 "symbols[0].paper.fee_per_order: expected a decimal number, "
                 "got 'lots'");
    s_expect_one(fx,
                 S_MINIMAL "    lot_size: \"0.01\"\n"
                           "    paper: {max_qty_per_trade: \"0.005\"}\n",
                 14,
                 "symbols[0].paper.max_qty_per_trade: '0.005' is less than "
                 "one lot: no order would ever fill");
    s_expect_one(fx, S_MINIMAL "    paper: {max_qty_per_trade: \"1e-7\"}\n", 13,
                 "symbols[0].paper.max_qty_per_trade: '1e-7' is not exact at "
                 "qty_decimals 6");
    s_expect_one(fx, S_MINIMAL "    paper: {fee_bsp: 1}\n", 13,
                 "unknown key 'fee_bsp' in symbols[0].paper (did you mean "
                 "'fee_bps'?)");
    s_expect_one(fx, S_MINIMAL "    paper: 5\n", 13,
                 "symbols[0].paper: expected a mapping, got a scalar");
}

/* A mistake inside symbol_defaults is reported once, not once per symbol,
   and a default for `symbol` itself is refused. */
static void test_symbol_defaults_errors_once(void **state)
{
    s_fixture_t *fx = *state;
    assert_null(s_load_text(
        fx, S_VENUES
        /* 4 */ "symbol_defaults:\n"
                /* 5 */ "  symbol: XXX\n"
                /* 6 */ "  stale_ms: 5\n"
                /* 7 */ "  strategy: {kind: sma_cross, params: {fast: [1]}}\n"
                /* 8 */ "symbols:\n"
                /* 9 */ "  - {symbol: A, venue: sim, px_decimals: 2,\n"
                /* 10 */ "     qty_decimals: 0, risk: {qty: \"1\"}}\n"
                /* 11 */ "  - {symbol: B, venue: sim, px_decimals: 2,\n"
                /* 12 */ "     qty_decimals: 0, risk: {qty: \"1\"}}\n"));
    s_expect(fx, 0, 5, "symbol_defaults: 'symbol' cannot have a default");
    s_expect(fx, 1, 6,
             "symbol_defaults.stale_ms: 5 is out of range 100..86400000");
    s_expect(fx, 2, 7,
             "symbol_defaults.strategy.params.fast: expected a scalar, got "
             "a list");
    assert_int_equal(fx->errors.count, 3);
}

/* ---- environment and secrets ------------------------------------------ */

static void test_env_substitution(void **state)
{
    s_fixture_t *fx = *state;
    const char *text =
        /* 1 */ "service:\n"
                /* 2 */ "  control: tcp://10.0.0.5:7780\n"
                /* 3 */ "  control_token: ${TT_TEST_TOKEN}\n"
                /* 4 */ "  db: ${TT_TEST_DB}\n"
                /* 5 */ "  name: pre-${TT_TEST_DB}\n" S_VENUES S_SYMBOL("sim");
    setenv("TT_TEST_TOKEN", "tok-123", 1);
    setenv("TT_TEST_DB", "/data/tt.db", 1);
    tt_config_t *cfg = s_load_text(fx, text);
    /* Only whole values are substituted: the name is left as written and
       then refused (its characters are not allowed in a name). */
    assert_null(cfg);
    s_expect(fx, 0, 5,
             "service.name: 'pre-${TT_TEST_DB}' is not valid (1 to 64 of "
             "A-Za-z0-9_.-)");
    assert_int_equal(fx->errors.count, 1);

    char whole[2048];
    snprintf(whole, sizeof(whole), "%.*s", (int)(strstr(text, "  name") - text),
             text);
    strcat(whole, S_VENUES S_SYMBOL("sim"));
    cfg = s_load_text(fx, whole);
    s_errors_print(&fx->errors);
    assert_non_null(cfg);
    assert_string_equal(cfg->control_token, "tok-123");
    assert_string_equal(cfg->db_path, "/data/tt.db");

    /* Unset: an error at each line, and no "token required" on top. */
    unsetenv("TT_TEST_TOKEN");
    unsetenv("TT_TEST_DB");
    assert_null(s_load_text(fx, whole));
    s_expect(fx, 0, 3, "environment variable TT_TEST_TOKEN is not set");
    s_expect(fx, 1, 4, "environment variable TT_TEST_DB is not set");
    assert_int_equal(fx->errors.count, 2);
}

static void test_secrets_never_printed(void **state)
{
    s_fixture_t *fx = *state;
    setenv("TT_TEST_SECRET", "hunter2 with space", 1);
    setenv("TT_TEST_WORKERS", "s3cr3tvalue", 1);
    assert_null(s_load_text(
        fx,
        /* 1 */ "service:\n"
                /* 2 */ "  control_token: \"pa ss\"\n"
                /* 3 */ "  workers: ${TT_TEST_WORKERS}\n"
                /* 4 */ "venues:\n"
                /* 5 */ "  - name: alpaca\n"
                /* 6 */ "    kind: alpaca\n"
                /* 7 */ "    key_id: \"\"\n"
                /* 8 */ "    secret_key: ${TT_TEST_SECRET}\n"
                /* 9 */ "  - name: binance\n"
                /* 10 */ "    kind: binance\n"
                /* 11 */ "    key_id: [AKIDLIST]\n" S_SYMBOL("alpaca")));
    const char *invalid = "invalid value (empty, too long or with spaces; not "
                          "shown: secret)";
    char want[256];
    snprintf(want, sizeof(want), "service.control_token: %s", invalid);
    s_expect(fx, 0, 2, want);
    s_expect(fx, 1, 3,
             "service.workers: expected an integer, got the value of "
             "${TT_TEST_WORKERS}");
    snprintf(want, sizeof(want), "venues[0].key_id: %s", invalid);
    s_expect(fx, 2, 7, want);
    snprintf(want, sizeof(want), "venues[0].secret_key: %s", invalid);
    s_expect(fx, 3, 8, want);
    s_expect(fx, 4, 11, "venues[1].key_id: expected a scalar, got a list");
    assert_int_equal(fx->errors.count, 5);
    for (int i = 0; i < fx->errors.count; i++) {
        const char *m = fx->errors.messages[i];
        assert_null(strstr(m, "pa ss"));
        assert_null(strstr(m, "hunter2"));
        assert_null(strstr(m, "s3cr3t"));
        assert_null(strstr(m, "AKIDLIST"));
    }
    unsetenv("TT_TEST_SECRET");
    unsetenv("TT_TEST_WORKERS");
}

static void test_is_secret_key(void **state)
{
    (void)state;
    assert_true(tt_config_is_secret_key("control_token"));
    assert_true(tt_config_is_secret_key("key_id"));
    assert_true(tt_config_is_secret_key("secret_key"));
    assert_true(tt_config_is_secret_key("api_secret"));
    assert_true(tt_config_is_secret_key("password"));
    assert_false(tt_config_is_secret_key("seed"));
    assert_false(tt_config_is_secret_key("keyboard"));
    assert_false(tt_config_is_secret_key("control"));
}

/* ---- endpoints -------------------------------------------------------- */

/* Loads a file whose service section is `control: ENDPOINT` (line 2),
   plus a token at line 3 when TOKEN. Returns the number of errors. */
static int s_load_control(s_fixture_t *fx, const char *endpoint, bool token)
{
    char text[2048];
    snprintf(text, sizeof(text), "service:\n  control: %s\n%s%s", endpoint,
             token ? "  control_token: abc\n" : "  db: x.db\n",
             S_VENUES S_SYMBOL("sim"));
    s_load_text(fx, text);
    return fx->errors.count;
}

static void test_control_endpoint_rules(void **state)
{
    s_fixture_t *fx = *state;
    static const char *const local[] = {
        "tcp://127.0.0.1:7780", "tcp://127.1.2.3:1", "tcp://localhost:7780",
        "tcp://[::1]:65535", "ipc:///tmp/tt.sock"};
    for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
        if (s_load_control(fx, local[i], false) != 0)
            s_errors_print(&fx->errors);
        assert_int_equal(fx->errors.count, 0);
    }
    static const char *const remote[] = {"tcp://10.0.0.5:7780", "tcp://*:7780",
                                         "tcp://[::]:7780",
                                         "tcp://example.com:7780"};
    for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
        assert_int_equal(s_load_control(fx, remote[i], false), 1);
        char want[256];
        snprintf(want, sizeof(want),
                 "service.control: %s accepts commands from other hosts, so "
                 "service.control_token is required",
                 remote[i]);
        s_expect(fx, 0, 2, want);
        assert_int_equal(s_load_control(fx, remote[i], true), 0);
        assert_string_equal(fx->cfg->control_token, "abc");
    }
    static const char *const bad[] = {
        "inproc://control", "tcp://127.0.0.1",       "tcp://127.0.0.1:0",
        "tcp://:7780",      "tcp://127.0.0.1:99999", "ipc://",
        "tcp://[::1:7780",  "http://127.0.0.1:80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(s_load_control(fx, bad[i], true), 1);
        char want[256];
        snprintf(want, sizeof(want),
                 "service.control: '%s' is not a valid endpoint (expected "
                 "tcp://host:port or ipc://path)",
                 bad[i]);
        s_expect(fx, 0, 2, want);
    }
}

static void test_events_same_as_control(void **state)
{
    s_fixture_t *fx = *state;
    s_expect_one(fx,
                 "service:\n"
                 "  control: ipc:///tmp/a\n"
                 "  events: ipc:///tmp/a\n" S_VENUES S_SYMBOL("sim"),
                 3, "service.events: same endpoint as service.control");
}

static void test_retention(void **state)
{
    s_fixture_t *fx = *state;
    tt_config_t *cfg = s_load_text(fx, S_MINIMAL);
    assert_non_null(cfg);
    assert_int_equal(cfg->retention.candles_days, 0); /* keep for ever */
    assert_int_equal(cfg->retention.events_days, 0);
    assert_int_equal(cfg->retention.interval_s, 86400);
    cfg = s_load_text(fx, "service:\n"
                          "  retention: {candles_days: 90, events_days: 30,"
                          " interval_s: 3600}\n" S_VENUES S_SYMBOL("sim"));
    assert_non_null(cfg);
    assert_int_equal(cfg->retention.candles_days, 90);
    assert_int_equal(cfg->retention.events_days, 30);
    assert_int_equal(cfg->retention.interval_s, 3600);
    s_expect_one(fx,
                 "service:\n"
                 "  retention:\n"
                 "    events_days: -1\n" S_VENUES S_SYMBOL("sim"),
                 3,
                 "service.retention.events_days: -1 is out of range "
                 "0..36500");
    s_expect_one(fx,
                 "service:\n"
                 "  retention: {interval_s: 0}\n" S_VENUES S_SYMBOL("sim"),
                 2,
                 "service.retention.interval_s: 0 is out of range "
                 "1..2678400");
    s_expect_one(fx,
                 "service:\n"
                 "  retention: {days: 3}\n" S_VENUES S_SYMBOL("sim"),
                 2, "unknown key 'days' in service.retention");
    s_expect_one(fx,
                 "service:\n"
                 "  retention: 30\n" S_VENUES S_SYMBOL("sim"),
                 2, "service.retention: expected a mapping, got a scalar");
}

static void test_venue_endpoints(void **state)
{
    s_fixture_t *fx = *state;
    assert_null(s_load_text(
        fx,
        /* 1 */ "venues:\n"
                /* 2 */ "  - name: sim\n"
                /* 3 */ "    endpoints: [wss://a, ftp://b]\n"
                /* 4 */ "  - name: two\n"
                /* 5 */ "    endpoints: [ws://1, ws://2, ws://3, ws://4, "
                "ws://5]\n"
                /* 6 */ "  - name: three\n"
                /* 7 */ "    endpoints: wss://a\n" S_SYMBOL("sim")));
    s_expect(fx, 0, 3,
             "venues[0].endpoints[1]: 'ftp://b' is not a ws://, wss://, "
             "http:// or https:// URL");
    s_expect(fx, 1, 5, "venues[1].endpoints: at most 4 endpoints, got 5");
    s_expect(fx, 2, 7, "venues[2].endpoints: expected a list, got a scalar");
    assert_int_equal(fx->errors.count, 3);
}

/* ---- symbols ---------------------------------------------------------- */

static void test_timeframes(void **state)
{
    s_fixture_t *fx = *state;
    tt_config_t *cfg = s_load_text(fx, S_MINIMAL "    timeframes: [86400, "
                                                 "1, 3600, 60, 604800]\n");
    s_errors_print(&fx->errors);
    assert_non_null(cfg);
    const tt_symbol_cfg_t *sym = &cfg->symbols[0];
    static const int32_t want[] = {1, 60, 3600, 86400, 604800};
    assert_int_equal(sym->timeframe_count, 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(sym->timeframes[i], want[i]);

    assert_null(s_load_text(fx, S_MINIMAL "    timeframes: [60, 300,\n"
                                          "      60, 0, 604801, 1.5]\n"));
    s_expect(fx, 0, 14, "symbols[0].timeframes: duplicate timeframe 60");
    s_expect(fx, 1, 14,
             "symbols[0].timeframes[3]: 0 is out of range 1..604800");
    s_expect(fx, 2, 14,
             "symbols[0].timeframes[4]: 604801 is out of range 1..604800");
    s_expect(fx, 3, 14,
             "symbols[0].timeframes[5]: expected an integer, got '1.5'");
    assert_int_equal(fx->errors.count, 4);

    s_expect_one(fx, S_MINIMAL "    timeframes: [1,2,3,4,5,6,7,8,9]\n", 13,
                 "symbols[0].timeframes: expected 1 to 8 timeframes, got 9");
    s_expect_one(fx, S_MINIMAL "    timeframes: []\n", 13,
                 "symbols[0].timeframes: expected 1 to 8 timeframes, got 0");
}

static void test_decimals(void **state)
{
    s_fixture_t *fx = *state;
    s_expect_one(fx, S_MINIMAL "    tick_size: \"0.001\"\n", 13,
                 "symbols[0].tick_size: '0.001' is not exact at px_decimals "
                 "2");
    s_expect_one(fx, S_MINIMAL "    tick_size: 0\n", 13,
                 "symbols[0].tick_size: must be greater than 0, got '0'");
    s_expect_one(fx, S_MINIMAL "    lot_size: -0.5\n", 13,
                 "symbols[0].lot_size: must be greater than 0, got '-0.5'");
    s_expect_one(fx, S_MINIMAL "    lot_size: abc\n", 13,
                 "symbols[0].lot_size: expected a decimal number, got 'abc'");
    s_expect_one(fx, S_MINIMAL "    lot_size: \"0.0000001\"\n", 13,
                 "symbols[0].lot_size: '0.0000001' is not exact at "
                 "qty_decimals 6");
    /* Trailing zeros beyond the scale are exact; 0.10 at 2 decimals = 10. */
    tt_config_t *cfg = s_load_text(fx, S_MINIMAL "    tick_size: \"0.100\"\n"
                                                 "    lot_size: 1e-3\n");
    s_errors_print(&fx->errors);
    assert_non_null(cfg);
    assert_int_equal(cfg->symbols[0].instrument.tick_size, 10);
    assert_int_equal(cfg->symbols[0].instrument.lot_size, 1000);
}

static void test_risk_rules(void **state)
{
    s_fixture_t *fx = *state;
    /* The risk mapping opens at line 11 ("risk:" at 11, "qty" at 12 in the
       minimal file); these replace its content by appending keys. */
    s_expect_one(fx, S_MINIMAL "      sizing: fixed_notional\n", 11,
                 "symbols[0].risk: sizing fixed_notional requires "
                 "'notional'");
    s_expect_one(fx, S_MINIMAL "      sizing: risk_pct\n", 11,
                 "symbols[0].risk: sizing risk_pct requires 'risk_pct'");
    s_expect_one(fx, S_MINIMAL "      sizing: kelly\n", 13,
                 "symbols[0].risk.sizing: expected one of "
                 "fixed_qty|fixed_notional|risk_pct, got 'kelly'");
    s_expect_one(fx, S_MINIMAL "      risk_pct: 0\n", 13,
                 "symbols[0].risk.risk_pct: 0 is out of range (greater than "
                 "0, at most 100)");
    s_expect_one(fx, S_MINIMAL "      risk_pct: 100.5\n", 13,
                 "symbols[0].risk.risk_pct: 100.5 is out of range (greater "
                 "than 0, at most 100)");
    s_expect_one(fx, S_MINIMAL "      risk_pct: nan\n", 13,
                 "symbols[0].risk.risk_pct: expected a number, got 'nan'");
    s_expect_one(fx, S_MINIMAL "      notional: \"10.005\"\n", 13,
                 "symbols[0].risk.notional: '10.005' is not exact at "
                 "decimals 2");
    s_expect_one(fx, S_MINIMAL "      max_position: \"0.0000005\"\n", 13,
                 "symbols[0].risk.max_position: '0.0000005' is not exact at "
                 "qty_decimals 6");
    s_expect_one(fx, S_MINIMAL "      max_orders_per_min: 257\n", 13,
                 "symbols[0].risk.max_orders_per_min: 257 is out of range "
                 "0..256");
    /* No risk mapping at all: fixed_qty by default, which needs a qty,
       reported at the symbol's line. */
    s_expect_one(fx,
                 S_VENUES "symbols:\n"
                          "  - {symbol: X, venue: sim, px_decimals: 2,\n"
                          "     qty_decimals: 0, strategy: {kind: k}}\n",
                 5, "symbols[0].risk: sizing fixed_qty requires 'qty'");
    s_expect_one(fx, S_VENUES S_SYMBOL("sim") "      qty: \"0\"\n", 13,
                 "duplicate key 'qty' (first at line 12)");
}

/* ---- errors in general ------------------------------------------------ */

static void test_many_errors_one_pass(void **state)
{
    s_fixture_t *fx = *state;
    free(fx->path);
    fx->path = strdup(TT_TESTS_DIR "/configs/many_errors.yaml");
    int count = -1;
    fx->cfg = tt_config_load(fx->path, s_collect, &fx->errors, &count);
    assert_null(fx->cfg);
    assert_int_equal(count, 13);
    int i = 0;
    s_expect(fx, i++, 5,
             "unknown key 'wrokers' in service (did you mean 'workers'?)");
    s_expect(fx, i++, 6,
             "service.watchdog_ms: expected an integer, got "
             "'many'");
    s_expect(fx, i++, 7,
             "service.mailbox_hwm: 999 is out of range "
             "1000..10000000");
    s_expect(fx, i++, 8,
             "service.log_level: expected one of "
             "debug|info|warn|error, got 'loud'");
    s_expect(fx, i++, 9,
             "service.fault_injection: expected true or false, "
             "got 'yes'");
    s_expect(fx, i++, 11,
             "supervision.window_s: expected a scalar, got a "
             "list");
    s_expect(fx, i++, 15, "duplicate venue 'sim' (first at line 13)");
    s_expect(fx, i++, 16,
             "venues[1].kind: expected one of "
             "sim|replay|alpaca|binance, got 'simulated'");
    s_expect(fx, i++, 19, "symbols[0].venue: unknown venue 'alpacca'");
    s_expect(fx, i++, 22,
             "symbols[0].tick_size: '0.001' is not exact at "
             "px_decimals 2");
    s_expect(fx, i++, 25, "duplicate symbol 'BTCUSD' (first at line 18)");
    s_expect(fx, i++, 27, "symbols[1].px_decimals: 12 is out of range 0..9");
    s_expect(fx, i++, 29, "symbols[1].strategy: missing required key 'kind'");
    assert_int_equal(fx->errors.count, i);
}

static void test_file_level_errors(void **state)
{
    s_fixture_t *fx = *state;
    char want[1024];
    int count = -1;
    char *missing = strdup("/nonexistent/dir/ticktree.yaml");
    assert_null(tt_config_load(missing, s_collect, &fx->errors, &count));
    assert_int_equal(count, 1);
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory",
             missing);
    assert_string_equal(fx->errors.messages[0], want);
    /* Without a callback the messages go to stderr; the result is the
       same and the count is optional. */
    assert_null(tt_config_load(missing, NULL, NULL, NULL));
    free(missing);
    s_errors_clear(&fx->errors);

    assert_null(tt_config_load(fx->dir, s_collect, &fx->errors, &count));
    snprintf(want, sizeof(want), "%s: cannot open: Is a directory", fx->dir);
    assert_string_equal(fx->errors.messages[0], want);
    assert_int_equal(count, 1);

    s_expect_one(fx, "", 1,
                 "the file is empty (expected a mapping with service, "
                 "venues and symbols)");
    s_expect_one(fx, "# only a comment\n", 1,
                 "the file is empty (expected a mapping with service, "
                 "venues and symbols)");
    s_expect_one(fx, "- a\n- b\n", 1,
                 "top level: expected a mapping, got a list");
    s_expect_one(fx, "just text\n", 1,
                 "top level: expected a mapping, got a scalar");
    s_expect_one(fx, "service:\n  name: [a, b\n  db: x\n", 3,
                 "YAML syntax error: did not find expected ',' or ']' while "
                 "parsing a flow sequence (line 2)");
    s_expect_one(fx, "service:\n  name: a\n name: b\n", 3,
                 "YAML syntax error: did not find expected key while parsing "
                 "a block mapping (line 1)");
    s_expect_one(fx, S_MINIMAL "---\nservice: {}\n", 14,
                 "a second YAML document is not allowed here");
    assert_null(s_load_text(fx, "venues: [{name: a\"b}]\n" S_SYMBOL("sim")));
    s_expect(fx, 0, 1,
             "venues[0].name: 'a\"b' is not valid (1 to 32 of a-z0-9_-)");
    s_expect(fx, 1, 4, "symbols[0].venue: unknown venue 'sim'");
    assert_int_equal(fx->errors.count, 2);
}

static void test_wrong_kinds_and_missing_keys(void **state)
{
    s_fixture_t *fx = *state;
    assert_null(s_load_text(fx,
                            /* 1 */ "service: [1, 2]\n"
                                    /* 2 */ "supervision: 3\n"
                                    /* 3 */ "symbol_defaults:\n"
                                    /* 4 */ "venues: {name: sim}\n"
                                    /* 5 */ "symbols:\n"
                                    /* 6 */ "  - just-a-string\n"
                                    /* 7 */ "  - venue: nowhere\n"
                                    /* 8 */ "    strategy: {}\n"));
    s_expect(fx, 0, 1, "service: expected a mapping, got a list");
    s_expect(fx, 1, 2, "supervision: expected a mapping, got a scalar");
    s_expect(fx, 2, 3,
             "symbol_defaults: expected a mapping, got an empty "
             "value");
    s_expect(fx, 3, 4, "venues: expected a list, got a mapping");
    s_expect(fx, 4, 6, "symbols[0]: expected a mapping, got a scalar");
    s_expect(fx, 5, 7, "symbols[1]: missing required key 'symbol'");
    s_expect(fx, 6, 7, "symbols[1]: missing required key 'px_decimals'");
    s_expect(fx, 7, 7, "symbols[1]: missing required key 'qty_decimals'");
    s_expect(fx, 8, 7, "symbols[1].venue: unknown venue 'nowhere'");
    s_expect(fx, 9, 7, "symbols[1].risk: sizing fixed_qty requires 'qty'");
    s_expect(fx, 10, 8, "symbols[1].strategy: missing required key 'kind'");
    assert_int_equal(fx->errors.count, 11);

    assert_null(s_load_text(fx, "service: {}\n"));
    s_expect(fx, 0, 1, "top level: missing required key 'venues'");
    s_expect(fx, 1, 1, "top level: missing required key 'symbols'");
    assert_int_equal(fx->errors.count, 2);
    assert_null(s_load_text(fx, "\n\nfoo: 1\n"));
    s_expect(fx, 0, 3, "unknown key 'foo' at top level");
    s_expect(fx, 1, 3, "top level: missing required key 'venues'");
    s_expect(fx, 2, 3, "top level: missing required key 'symbols'");
    assert_int_equal(fx->errors.count, 3);
    assert_null(s_load_text(fx, "venues: []\n" S_SYMBOL("sim")));
    s_expect(fx, 0, 1, "venues: at least one venue is required");
    s_expect(fx, 1, 4, "symbols[0].venue: unknown venue 'sim'");
    assert_int_equal(fx->errors.count, 2);
    /* A section of the wrong kind is reported once, not also missing. */
    assert_null(s_load_text(fx, S_VENUES
                            "symbols:\n"
                            "  - {symbol: A, venue: sim, px_decimals: 2,\n"
                            "     qty_decimals: 0, strategy: 5, risk: []}\n"));
    s_expect(fx, 0, 6,
             "symbols[0].strategy: expected a mapping, got a "
             "scalar");
    s_expect(fx, 1, 6, "symbols[0].risk: expected a mapping, got a list");
    assert_int_equal(fx->errors.count, 2);
    s_expect_one(fx, S_VENUES "symbols: []\n", 4,
                 "symbols: at least one symbol is required");
    assert_null(s_load_text(fx, "venues:\n  - kind: sim\n" S_SYMBOL("sim")));
    s_expect(fx, 0, 2, "venues[0]: missing required key 'name'");
    s_expect(fx, 1, 5, "symbols[0].venue: unknown venue 'sim'");
    assert_int_equal(fx->errors.count, 2);
}

static void test_scalars(void **state)
{
    s_fixture_t *fx = *state;
    s_expect_one(fx, "service: {workers: 257}\n" S_MINIMAL, 1,
                 "service.workers: 257 is out of range 0..256");
    s_expect_one(fx, "service: {workers: -1}\n" S_MINIMAL, 1,
                 "service.workers: -1 is out of range 0..256");
    s_expect_one(fx, "service: {workers: 99999999999999999999}\n" S_MINIMAL, 1,
                 "service.workers: 99999999999999999999 is out of range "
                 "0..256");
    s_expect_one(fx, "service: {workers: 2.0}\n" S_MINIMAL, 1,
                 "service.workers: expected an integer, got '2.0'");
    s_expect_one(fx, "service: {workers: 0x10}\n" S_MINIMAL, 1,
                 "service.workers: expected an integer, got '0x10'");
    s_expect_one(fx, "service: {workers: }\n" S_MINIMAL, 1,
                 "service.workers: expected an integer, got ''");
    s_expect_one(fx, "service: {fault_injection: True}\n" S_MINIMAL, 1,
                 "service.fault_injection: expected true or false, got "
                 "'True'");
    s_expect_one(fx, "service: {name: \"\"}\n" S_MINIMAL, 1,
                 "service.name: '' is not valid (1 to 64 of A-Za-z0-9_.-)");
    s_expect_one(fx, "service: {db: \"\"}\n" S_MINIMAL, 1,
                 "service.db: must be 1 to 4096 characters");
    s_expect_one(fx, "service: {wrokers: 1}\n" S_MINIMAL, 1,
                 "unknown key 'wrokers' in service (did you mean "
                 "'workers'?)");
    s_expect_one(fx, "service: {zzz: 1}\n" S_MINIMAL, 1,
                 "unknown key 'zzz' in service");
    s_expect_one(fx, "service: {[a]: 1}\n" S_MINIMAL, 1,
                 "service: a key must be a scalar");
    s_expect_one(fx, "supervision: {backoff_ms: 6000}\n" S_MINIMAL, 1,
                 "supervision.backoff_max_ms: 5000 is less than "
                 "supervision.backoff_ms (6000)");
    s_expect_one(fx, "supervision: {window_s: 86401}\n" S_MINIMAL, 1,
                 "supervision.window_s: 86401 is out of range 1..86400");
    tt_config_t *cfg =
        s_load_text(fx, "service: {workers: +7, log_level: debug}\n"
                        "supervision: {window_s: 86400}\n" S_MINIMAL);
    assert_non_null(cfg);
    assert_int_equal(cfg->workers, 7);
    assert_int_equal(cfg->supervision.window_ms, 86400000);
    assert_string_equal(tt_log_level_name(cfg->log_level), "debug");
}

static void test_symbol_names_and_venues(void **state)
{
    s_fixture_t *fx = *state;
    s_expect_one(fx,
                 S_VENUES "symbols:\n"
                          "  - {symbol: btcusd, venue: sim, px_decimals: 2,\n"
                          "     qty_decimals: 0, strategy: {kind: k},\n"
                          "     risk: {qty: \"1\"}}\n",
                 5,
                 "symbols[0].symbol: 'btcusd' is not valid (1 to 31 of "
                 "A-Z0-9._-)");
    s_expect_one(fx, S_MINIMAL "    strategy: {kind: SMA}\n", 13,
                 "duplicate key 'strategy' (first at line 9)");
    s_expect_one(fx, S_VENUES S_SYMBOL("sim") "    venue: sim\n", 13,
                 "duplicate key 'venue' (first at line 6)");
    assert_string_equal(tt_venue_kind_name(TT_VENUE_BINANCE), "binance");
    assert_string_equal(tt_venue_kind_name(TT_VENUE_REPLAY), "replay");
    assert_string_equal(tt_log_level_name(TT_LOG_ERROR), "error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_file_loads),
        cmocka_unit_test_setup_teardown(test_defaults_when_omitted, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_every_key_set, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_symbol_defaults_merge, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_symbol_defaults_errors_once,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_env_substitution, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_secrets_never_printed, s_setup,
                                        s_teardown),
        cmocka_unit_test(test_is_secret_key),
        cmocka_unit_test_setup_teardown(test_control_endpoint_rules, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_events_same_as_control, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_retention, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_venue_endpoints, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_timeframes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_decimals, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_risk_rules, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_paper_broker, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_many_errors_one_pass, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_file_level_errors, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_kinds_and_missing_keys,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_scalars, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_symbol_names_and_venues, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
