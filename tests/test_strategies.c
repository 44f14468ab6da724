/*  tests/test_strategies.c: the strategy behaviour (strategies/) fed with
    scripted candles and indicator values (no indicator code involved).

    Instrument: 2 price decimals, so 100.00 is 10000; most tests use a tick
    of 5 (0.05) so that rounding to the tick is visible. Every expected
    stop and target is worked out by hand in the comment next to it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness.h"

#include "strategies/price.h"
#include "strategies/strategy.h"

#define NS TT_NS_PER_SEC
#define T0 (INT64_C(1767623400) * NS) /* 2026-01-05 14:30:00 UTC */
#define P(k, v, l)                                                             \
    {                                                                          \
        (char *)(k), (char *)(v), (l)                                          \
    }

static const int32_t s_tfs[] = {60, 300};

static tt_strategy_ctx_t s_ctx(void)
{
    tt_strategy_ctx_t ctx = {0};
    ctx.instrument.px_decimals = 2;
    ctx.instrument.qty_decimals = 0;
    ctx.instrument.tick_size = 5;
    ctx.instrument.lot_size = 1;
    ctx.base_tf_s = 60;
    ctx.timeframes = s_tfs;
    ctx.timeframe_count = 2;
    ctx.line = 10;
    return ctx;
}

/* Validation messages, collected. */
typedef struct {
    int count;
    int lines[16];
    char msgs[16][400];
} s_errs_t;

static void s_on_error(void *arg, int line, const char *message)
{
    s_errs_t *e = arg;
    if (e->count < 16) {
        e->lines[e->count] = line;
        snprintf(e->msgs[e->count], sizeof e->msgs[0], "%s", message);
    }
    e->count++;
}

/* Index of the first message containing TEXT, or -1. */
static int s_find(const s_errs_t *e, const char *text)
{
    for (int i = 0; i < e->count && i < 16; i++)
        if (strstr(e->msgs[i], text))
            return i;
    return -1;
}

/* Line of the message containing TEXT, which must exist. */
static int s_line_of(const s_errs_t *e, const char *text)
{
    int i = s_find(e, text);
    if (i < 0)
        fail_msg("no message contains '%s'", text);
    return e->lines[i];
}

static tt_strategy_t *s_new(const char *name, tt_param_t *items, size_t n)
{
    tt_params_t params = {n, items};
    tt_strategy_ctx_t ctx = s_ctx();
    s_errs_t errs = {0};
    tt_strategy_t *s =
        tt_strategy_new(name, &ctx, &params, s_on_error, &errs, NULL);
    if (!s)
        fprintf(stderr, "unexpected: %s\n", errs.msgs[0]);
    assert_non_null(s);
    return s;
}

static tt_candle_t s_candle(int32_t tf, int i, tt_px_t close)
{
    tt_candle_t c = {0};
    c.open_ts = T0 + (int64_t)i * tf * NS;
    c.tf_s = tf;
    c.open = c.high = c.low = c.close = close;
    c.volume = 100;
    c.trades = 3;
    c.closed = true;
    return c;
}

static tt_ind_value_t s_v(double a, double b, double c)
{
    tt_ind_value_t v = {true, {a, b, c}};
    return v;
}

static tt_ind_value_t s_cold(void)
{
    tt_ind_value_t v = {false, {0, 0, 0}};
    return v;
}

static tt_strat_pos_t s_pos(int side, tt_px_t entry)
{
    tt_strat_pos_t p = {side, side ? 10 : 0, side ? entry : 0};
    return p;
}

/* One candle on the 60 s timeframe at index I with values V[0..N). */
static int s_feed(tt_strategy_t *s, int i, tt_px_t close,
                  const tt_ind_value_t *v, size_t n, tt_signal_t *out)
{
    tt_candle_t c = s_candle(60, i, close);
    memset(out, 0, sizeof(tt_signal_t) * TT_STRATEGY_MAX_SIGNALS);
    return tt_strategy_on_candle(s, &c, v, n, NULL, out,
                                 TT_STRATEGY_MAX_SIGNALS);
}

static void s_fill(tt_strategy_t *s, int i, int side, tt_px_t px)
{
    tt_strat_pos_t p = s_pos(side, px);
    assert_int_equal(tt_strategy_on_fill(s, T0 + (int64_t)i * 60 * NS, &p), 0);
}

static void s_expect(const tt_signal_t *sig, tt_signal_kind_t kind,
                     tt_px_t stop, tt_px_t target)
{
    assert_int_equal(sig->kind, kind);
    assert_int_equal(sig->stop, stop);
    assert_int_equal(sig->target, target);
    assert_non_null(sig->reason);
}

/* ---- prices ---------------------------------------------------------- */

static void test_price_rounding(void **state)
{
    (void)state;
    tt_strategy_ctx_t ctx = s_ctx();
    const tt_instrument_t *in = &ctx.instrument;
    /* Long stop 100.00 - 2.46 = 97.54, up to the tick: 97.55. */
    assert_int_equal(tt_px_stop(in, 1, 10000, 246), 9755);
    /* Short stop 100.00 + 2.46 = 102.46, down: 102.45. */
    assert_int_equal(tt_px_stop(in, -1, 10000, 246), 10245);
    /* Long target 104.93 down to 104.90; short target 95.07 up to 95.10. */
    assert_int_equal(tt_px_target(in, 1, 10000, 493), 10490);
    assert_int_equal(tt_px_target(in, -1, 10000, 493), 9510);
    /* 1.15 * 100 is 114.99999999999999 in binary: still exactly 115. */
    assert_int_equal(tt_px_floor_tick(1.15 * 100.0, 1), 115);
    assert_int_equal(tt_px_ceil_tick(1.15 * 100.0, 1), 115);
    assert_int_equal(tt_px_ceil_tick(115.4, 1), 116);
    assert_int_equal(tt_px_floor_tick(115.6, 1), 115);
    /* A distance under a tick still leaves one tick; a huge one keeps the
       long stop above zero and drops an impossible short target. */
    assert_int_equal(tt_px_stop(in, 1, 10000, 1), 9995);
    assert_int_equal(tt_px_stop(in, -1, 10000, 1), 10005);
    assert_int_equal(tt_px_stop(in, 1, 10000, 1e30), 5);
    assert_int_equal(tt_px_target(in, -1, 10000, 20000), 0);
    assert_true(tt_px_stop(in, -1, 10000, 1e30) > 10000);
}

/* ---- registry and parameters ---------------------------------------- */

static void test_registry(void **state)
{
    (void)state;
    assert_int_equal(tt_strategy_count(), 3);
    assert_non_null(tt_strategy_find("sma_cross"));
    assert_non_null(tt_strategy_find("rsi_reversion"));
    assert_non_null(tt_strategy_find("donchian_breakout"));
    assert_null(tt_strategy_find("sma"));
    assert_null(tt_strategy_find(NULL));
    assert_string_equal(tt_strategy_name_at(2), "donchian_breakout");
    assert_null(tt_strategy_name_at(3));
    char names[128];
    tt_strategy_names(names, sizeof names);
    assert_string_equal(names, "sma_cross, rsi_reversion, donchian_breakout");

    tt_strategy_ctx_t ctx = s_ctx();
    s_errs_t errs = {0};
    int n = 0;
    assert_null(tt_strategy_new("smacross", &ctx, NULL, s_on_error, &errs, &n));
    assert_int_equal(n, 1);
    assert_int_equal(errs.lines[0], 10);
    assert_string_equal(errs.msgs[0],
                        "unknown strategy 'smacross' (known: sma_cross, "
                        "rsi_reversion, donchian_breakout)");
}

static void test_param_errors(void **state)
{
    (void)state;
    tt_param_t items[] = {
        P("fsat", "5", 3),
        P("fast", "abc", 4),
        P("slow", "0", 5),
        P("ma", "wma", 6),
        P("allow_short", "maybe", 7),
        P("stop_pct", "1.5", 8),
        P("stop_atr", "3", 9),
        P("trend_ma", "20", 11),
        P("slow", "30", 12),
        P("tf", "120", 13),
        P("target_r", "-1", 14),
    };
    tt_params_t params = {sizeof items / sizeof items[0], items};
    tt_strategy_ctx_t ctx = s_ctx();
    s_errs_t e = {0};
    int n = 0;
    assert_null(
        tt_strategy_new("sma_cross", &ctx, &params, s_on_error, &e, &n));
    assert_int_equal(n, e.count);
    int i = s_find(&e, "unknown parameter 'fsat' (known: fast, slow, ma,");
    assert_true(i >= 0);
    assert_int_equal(e.lines[i], 3);
    assert_non_null(strstr(e.msgs[i], "trend_tf, trend_ma, allow_short"));
    assert_int_equal(s_line_of(&e, "'fast' must be an integer, got 'abc'"), 4);
    assert_int_equal(s_line_of(&e, "'slow' must be between 2 and 10000, got 0"),
                     5);
    assert_int_equal(s_line_of(&e, "'ma' must be one of sma, ema; got 'wma'"),
                     6);
    assert_int_equal(
        s_line_of(&e, "'allow_short' must be true or false, got 'maybe'"), 7);
    assert_int_equal(s_line_of(&e, "either stop_atr or stop_pct"), 8);
    assert_int_equal(s_line_of(&e, "'trend_ma' needs 'trend_tf'"), 11);
    assert_int_equal(s_line_of(&e, "'slow' is given twice (first at line 5)"),
                     12);
    assert_int_equal(
        s_line_of(&e, "tf 120 is not one of the symbol's timeframes (60, 300)"),
        13);
    assert_int_equal(
        s_line_of(&e, "'target_r' must be between 0 and 100, got -1"), 14);
    assert_int_equal(e.count, 10);
    assert_non_null(strstr(e.msgs[0], "strategy 'sma_cross': "));
}

static void test_param_cross_checks(void **state)
{
    (void)state;
    tt_strategy_ctx_t ctx = s_ctx();
    struct {
        const char *strategy;
        tt_param_t items[3];
        size_t n;
        const char *text;
        int line;
    } cases[] = {
        {"sma_cross",
         {P("fast", "30", 2), P("slow", "20", 3)},
         2,
         "fast (30) must be smaller than slow (20)",
         2},
        {"sma_cross",
         {P("stop_atr", "0", 2), P("target_r", "3", 3)},
         2,
         "target_r needs a stop",
         3},
        {"rsi_reversion",
         {P("oversold", "60", 4)},
         1,
         "oversold (60) < exit (50) < overbought (70)",
         4},
        {"donchian_breakout",
         {P("trend_tf", "90", 5)},
         1,
         "trend_tf 90 must be a multiple of tf 60",
         5},
        {"donchian_breakout",
         {P("atr_mult", "1e999", 6)},
         1,
         "'atr_mult' must be a number, got '1e999'",
         6},
        {"rsi_reversion", {P("period", "", 7)}, 1, "'period' has no value", 7},
        {"rsi_reversion",
         {P("period", "99999999999", 8)},
         1,
         "'period' must be between 2 and 1000",
         8},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        tt_params_t params = {cases[c].n, cases[c].items};
        s_errs_t e = {0};
        assert_null(tt_strategy_new(cases[c].strategy, &ctx, &params,
                                    s_on_error, &e, NULL));
        assert_int_equal(e.count, 1);
        if (!strstr(e.msgs[0], cases[c].text))
            fail_msg("case %zu: got '%s'", c, e.msgs[0]);
        assert_int_equal(e.lines[0], cases[c].line);
    }
    /* A bad instrument is reported at the strategy block's line. */
    ctx.instrument.tick_size = 0;
    s_errs_t e = {0};
    assert_null(tt_strategy_new("sma_cross", &ctx, NULL, s_on_error, &e, NULL));
    assert_int_equal(e.lines[0], 10);
    assert_true(s_find(&e, "tick_size must be positive") >= 0);
}

static void test_defaults_and_warmup(void **state)
{
    (void)state;
    tt_strategy_t *s = s_new("sma_cross", NULL, 0);
    const tt_ind_spec_t *specs = NULL;
    assert_int_equal(tt_strategy_indicators(s, &specs), 3);
    assert_int_equal(specs[0].kind, TT_IND_SMA);
    assert_int_equal(specs[0].p1, 10);
    assert_int_equal(specs[1].p1, 30);
    assert_int_equal(specs[2].kind, TT_IND_ATR);
    assert_int_equal(specs[2].p1, 14);
    assert_int_equal(specs[2].tf_s, 60);
    assert_true(tt_strategy_force_close_eod(s));
    assert_int_equal(tt_strategy_tf(s), 60);
    /* slow SMA 30 candles, plus one to see a cross. */
    assert_int_equal(tt_strategy_warmup(s, 60), 31);
    assert_int_equal(tt_strategy_warmup(s, 300), 0);
    tt_strategy_destroy(&s);
    assert_null(s);
    tt_strategy_destroy(&s);

    tt_param_t items[] = {P("fast", "5", 1),
                          P("slow", "8", 2),
                          P("ma", "ema", 3),
                          P("atr_period", "20", 4),
                          P("trend_tf", "300", 5),
                          P("trend_ma", "50", 6),
                          P("force_close_eod", "false", 7)};
    s = s_new("sma_cross", items, 7);
    assert_int_equal(tt_strategy_indicators(s, &specs), 4);
    assert_int_equal(specs[0].kind, TT_IND_EMA);
    assert_int_equal(specs[3].kind, TT_IND_SMA);
    assert_int_equal(specs[3].tf_s, 300);
    assert_int_equal(specs[3].p1, 50);
    assert_int_equal(tt_strategy_value_count(s, 60), 3);
    assert_int_equal(tt_strategy_value_count(s, 300), 1);
    assert_false(tt_strategy_force_close_eod(s));
    /* ATR(20) needs 21 candles, plus one for the cross. */
    assert_int_equal(tt_strategy_warmup(s, 60), 22);
    assert_int_equal(tt_strategy_warmup(s, 300), 50);
    tt_strategy_destroy(&s);

    s = s_new("donchian_breakout", NULL, 0);
    /* ATR(14) needs 15 < Donchian(20) 20, plus the previous channel. */
    assert_int_equal(tt_strategy_warmup(s, 60), 21);
    tt_strategy_destroy(&s);
    s = s_new("rsi_reversion", NULL, 0);
    assert_int_equal(tt_strategy_warmup(s, 60), 16);
    tt_strategy_destroy(&s);
}

/* ---- sma_cross ------------------------------------------------------- */

static void test_sma_cross_signals(void **state)
{
    (void)state;
    tt_param_t items[] = {P("fast", "2", 1), P("slow", "3", 2),
                          P("allow_short", "true", 3)};
    tt_strategy_t *s = s_new("sma_cross", items, 3);
    tt_signal_t out[TT_STRATEGY_MAX_SIGNALS];
    tt_ind_value_t v[3];

    v[0] = s_v(99, 0, 0), v[1] = s_v(100, 0, 0), v[2] = s_v(1.5, 0, 0);
    assert_int_equal(s_feed(s, 0, 10000, v, 3, out), 0);
    /* Fast above slow: long at 101.00, stop 101.00 - 2 * 1.50 = 98.00,
       target 101.00 + 2 * 3.00 = 107.00. */
    v[0] = s_v(100.5, 0, 0);
    assert_int_equal(s_feed(s, 1, 10100, v, 3, out), 1);
    s_expect(&out[0], TT_SIG_ENTER_LONG, 9800, 10700);
    assert_int_equal(out[0].ref_price, 10100);
    assert_int_equal(out[0].ts, T0 + 2 * 60 * NS);
    s_fill(s, 2, 1, 10100);
    v[0] = s_v(101, 0, 0);
    assert_int_equal(s_feed(s, 2, 10150, v, 3, out), 0);
    /* Cross down at 99.00, ATR 1.23: exit, then short with stop 99.00 +
       2.46 = 101.46 rounded down to 101.45, risk 2.45, target 99.00 -
       4.90 = 94.10. */
    v[0] = s_v(99.9, 0, 0), v[2] = s_v(1.23, 0, 0);
    assert_int_equal(s_feed(s, 3, 9900, v, 3, out), 2);
    s_expect(&out[0], TT_SIG_EXIT, 0, 0);
    s_expect(&out[1], TT_SIG_ENTER_SHORT, 10145, 9410);
    /* Touching (fast == slow) is not a cross; neither is going back. */
    s_fill(s, 4, -1, 9900);
    v[0] = s_v(100, 0, 0);
    assert_int_equal(s_feed(s, 4, 9900, v, 3, out), 0);
    v[0] = s_v(99, 0, 0);
    assert_int_equal(s_feed(s, 5, 9900, v, 3, out), 0);
    tt_strategy_destroy(&s);
}

static void test_sma_cross_long_only_and_pct(void **state)
{
    (void)state;
    tt_param_t items[] = {P("fast", "2", 1), P("slow", "3", 2),
                          P("stop_pct", "1.5", 3), P("target_r", "1", 4)};
    tt_strategy_t *s = s_new("sma_cross", items, 4);
    const tt_ind_spec_t *specs = NULL;
    assert_int_equal(tt_strategy_indicators(s, &specs), 2); /* no ATR */
    tt_signal_t out[TT_STRATEGY_MAX_SIGNALS];
    tt_ind_value_t v[2] = {s_v(101, 0, 0), s_v(100, 0, 0)};
    assert_int_equal(s_feed(s, 0, 10000, v, 2, out), 0);
    /* Cross down while flat: shorts not allowed, nothing. */
    v[0] = s_v(99, 0, 0);
    assert_int_equal(s_feed(s, 1, 10000, v, 2, out), 0);
    /* Cross up at 123.45: stop 1.5% = 1.85175 -> 121.59825 up to 121.60,
       risk 1.85, target 125.30. */
    v[0] = s_v(101, 0, 0);
    assert_int_equal(s_feed(s, 2, 12345, v, 2, out), 1);
    s_expect(&out[0], TT_SIG_ENTER_LONG, 12160, 12530);
    /* Long and a cross down: exit only. */
    s_fill(s, 3, 1, 12345);
    v[0] = s_v(99, 0, 0);
    assert_int_equal(s_feed(s, 3, 12000, v, 2, out), 1);
    s_expect(&out[0], TT_SIG_EXIT, 0, 0);
    tt_strategy_destroy(&s);
}

/* Invariant 2: nothing while any value is cold (or not a number), and a
   cross is only seen between two ready candles. */
static void test_cold_values(void **state)
{
    (void)state;
    tt_param_t items[] = {P("fast", "2", 1), P("slow", "3", 2)};
    tt_strategy_t *s = s_new("sma_cross", items, 2);
    tt_signal_t out[TT_STRATEGY_MAX_SIGNALS];
    tt_ind_value_t v[3] = {s_cold(), s_cold(), s_cold()};
    assert_int_equal(s_feed(s, 0, 10000, v, 3, out), 0);
    v[0] = s_v(99, 0, 0), v[1] = s_v(100, 0, 0), v[2] = s_v(1, 0, 0);
    assert_int_equal(s_feed(s, 1, 10000, v, 3, out), 0);
    v[0] = s_v(101, 0, 0), v[2] = s_cold();
    assert_int_equal(s_feed(s, 2, 10000, v, 3, out), 0);
    v[2] = s_v(1, 0, 0);
    assert_int_equal(s_feed(s, 3, 10000, v, 3, out), 0);
    /* Cross down while flat (no shorts allowed): nothing. */
    v[0] = s_v(99, 0, 0);
    assert_int_equal(s_feed(s, 4, 10000, v, 3, out), 0);
    /* A cross up with a NaN ATR is cold, not a signal... */
    v[0] = s_v(101, 0, 0), v[2] = s_v(NAN, 0, 0);
    assert_int_equal(s_feed(s, 5, 10000, v, 3, out), 0);
    /* ...and the next ready candle has nothing to compare with. */
    v[2] = s_v(1, 0, 0);
    assert_int_equal(s_feed(s, 6, 10000, v, 3, out), 0);
    v[0] = s_v(99, 0, 0);
    assert_int_equal(s_feed(s, 7, 10000, v, 3, out), 0);
    /* Two ready candles in a row: now the cross counts. */
    v[0] = s_v(101, 0, 0);
    assert_int_equal(s_feed(s, 8, 10000, v, 3, out), 1);
    assert_int_equal(out[0].kind, TT_SIG_ENTER_LONG);
    tt_strategy_destroy(&s);
}

static void test_trend_filter(void **state)
{
    (void)state;
    tt_param_t items[] = {P("fast", "2", 1),     P("slow", "3", 2),
                          P("stop_atr", "0", 3), P("trend_tf", "300", 4),
                          P("trend_ma", "3", 5), P("allow_short", "true", 6)};
    tt_strategy_t *s = s_new("sma_cross", items, 6);
    tt_signal_t out[TT_STRATEGY_MAX_SIGNALS];
    tt_ind_value_t up[2] = {s_v(101, 0, 0), s_v(100, 0, 0)};
    tt_ind_value_t dn[2] = {s_v(99, 0, 0), s_v(100, 0, 0)};
    assert_int_equal(s_feed(s, 0, 10000, dn, 2, out), 0);
    /* No trend candle yet: the filter is cold, entries blocked. */
    assert_int_equal(s_feed(s, 1, 10000, up, 2, out), 0);
    /* Higher timeframe down: 100.00 below its MA 101.00. */
    tt_candle_t h = s_candle(300, 0, 10000);
    tt_ind_value_t ma = s_v(101, 0, 0);
    assert_int_equal(tt_strategy_on_candle(s, &h, &ma, 1, NULL, out,
                                           TT_STRATEGY_MAX_SIGNALS),
                     0);
    assert_int_equal(s_feed(s, 2, 10000, dn, 2, out), 1);
    assert_int_equal(out[0].kind, TT_SIG_ENTER_SHORT);
    /* Counter-trend long entry blocked; the exit still goes out. */
    s_fill(s, 3, -1, 10000);
    assert_int_equal(s_feed(s, 3, 10000, up, 2, out), 1);
    assert_int_equal(out[0].kind, TT_SIG_EXIT);
    s_fill(s, 4, 0, 0);
    assert_int_equal(s_feed(s, 4, 10000, dn, 2, out), 1);
    s_fill(s, 5, -1, 10000);
    /* Trend turns up: 102.00 above MA 101.00; the long passes. */
    h = s_candle(300, 1, 10200);
    assert_int_equal(tt_strategy_on_candle(s, &h, &ma, 1, NULL, out,
                                           TT_STRATEGY_MAX_SIGNALS),
                     0);
    assert_int_equal(s_feed(s, 5, 10000, up, 2, out), 2);
    assert_int_equal(out[0].kind, TT_SIG_EXIT);
    assert_int_equal(out[1].kind, TT_SIG_ENTER_LONG);
    /* A cold trend value blocks entries again. */
    tt_ind_value_t cold = s_cold();
    assert_int_equal(tt_strategy_on_candle(s, &h, &cold, 1, NULL, out,
                                           TT_STRATEGY_MAX_SIGNALS),
                     0);
    s_fill(s, 6, 0, 0);
    assert_int_equal(s_feed(s, 6, 10000, dn, 2, out), 0);
    assert_int_equal(s_feed(s, 7, 10000, up, 2, out), 0);
    tt_strategy_destroy(&s);
}

/* The trend filter on the trading timeframe itself: its value comes after
   the strategy's own. */
static void test_trend_filter_same_tf(void **state)
{
    (void)state;
    tt_param_t items[] = {P("fast", "2", 1), P("slow", "3", 2),
                          P("stop_atr", "0", 3), P("trend_tf", "60", 4),
                          P("trend_ma", "5", 5)};
    tt_strategy_t *s = s_new("sma_cross", items, 5);
    assert_int_equal(tt_strategy_value_count(s, 60), 3);
    tt_signal_t out[TT_STRATEGY_MAX_SIGNALS];
    tt_ind_value_t v[3] = {s_v(99, 0, 0), s_v(100, 0, 0), s_v(99, 0, 0)};
    assert_int_equal(s_feed(s, 0, 10000, v, 3, out), 0);
    /* Close 100.00 above the trend MA 99.00: long allowed. */
    v[0] = s_v(101, 0, 0);
    assert_int_equal(s_feed(s, 1, 10000, v, 3, out), 1);
    v[0] = s_v(99, 0, 0);
    assert_int_equal(s_feed(s, 2, 10000, v, 3, out), 0);
    /* Close 100.00 equal to the MA: no trend, no entry. */
    v[0] = s_v(101, 0, 0), v[2] = s_v(100, 0, 0);
    assert_int_equal(s_feed(s, 3, 10000, v, 3, out), 0);
    tt_strategy_destroy(&s);
}

/* ---- rsi_reversion --------------------------------------------------- */

static void test_rsi_reversion(void **state)
{
    (void)state;
    tt_param_t items[] = {P("target_pct", "3", 1), P("allow_short", "true", 2)};
    tt_strategy_t *s = s_new("rsi_reversion", items, 2);
    tt_signal_t out[TT_STRATEGY_MAX_SIGNALS];
    tt_ind_value_t v;
    const double seq[] = {35, 25, 28};
    for (int i = 0; i < 3; i++) {
        v = s_v(seq[i], 0, 0);
        assert_int_equal(s_feed(s, i, 10000, &v, 1, out), 0);
    }
    /* Back above 30 at 100.00: stop 2% = 98.00, target 3% = 103.00. */
    v = s_v(31, 0, 0);
    assert_int_equal(s_feed(s, 3, 10000, &v, 1, out), 1);
    s_expect(&out[0], TT_SIG_ENTER_LONG, 9800, 10300);
    s_fill(s, 4, 1, 10000);
    v = s_v(45, 0, 0);
    assert_int_equal(s_feed(s, 4, 10100, &v, 1, out), 0);
    v = s_v(50, 0, 0);
    assert_int_equal(s_feed(s, 5, 10100, &v, 1, out), 1);
    s_expect(&out[0], TT_SIG_EXIT, 0, 0);
    /* Still long (no fill yet): the exit is repeated. */
    v = s_v(55, 0, 0);
    assert_int_equal(s_feed(s, 6, 10100, &v, 1, out), 1);
    assert_int_equal(out[0].kind, TT_SIG_EXIT);
    s_fill(s, 7, 0, 0);
    /* Leaving overbought at 123.45: stop 2% = 125.919 down to 125.90,
       target 3% = 119.7465 up to 119.75. */
    v = s_v(75, 0, 0);
    assert_int_equal(s_feed(s, 7, 12345, &v, 1, out), 0);
    v = s_v(69, 0, 0);
    assert_int_equal(s_feed(s, 8, 12345, &v, 1, out), 1);
    s_expect(&out[0], TT_SIG_ENTER_SHORT, 12590, 11975);
    /* A jump from oversold straight past the exit level: no entry. */
    v = s_v(20, 0, 0);
    assert_int_equal(s_feed(s, 9, 10000, &v, 1, out), 0);
    v = s_v(55, 0, 0);
    assert_int_equal(s_feed(s, 10, 10000, &v, 1, out), 0);
    tt_strategy_destroy(&s);
}

static void test_max_hold_timer(void **state)
{
    (void)state;
    tt_param_t items[] = {P("max_hold_s", "600", 1)};
    tt_strategy_t *s = s_new("rsi_reversion", items, 1);
    tt_signal_t out[TT_STRATEGY_MAX_SIGNALS];
    tt_ns_t t = T0 + 1000 * NS;
    assert_int_equal(tt_strategy_on_timer(s, t + 3600 * NS, out, 4), 0);
    tt_strat_pos_t p = s_pos(1, 10000);
    assert_int_equal(tt_strategy_on_fill(s, t, &p), 0);
    assert_int_equal(tt_strategy_on_timer(s, t + 599 * NS, out, 4), 0);
    assert_int_equal(tt_strategy_on_timer(s, t + 600 * NS, out, 4), 1);
    assert_int_equal(out[0].kind, TT_SIG_EXIT);
    assert_int_equal(out[0].ts, t + 600 * NS);
    /* A partial fill does not restart the clock; a new trade does. */
    p.qty = 20;
    assert_int_equal(tt_strategy_on_fill(s, t + 100 * NS, &p), 0);
    assert_int_equal(tt_strategy_on_timer(s, t + 600 * NS, out, 4), 1);
    p = s_pos(-1, 10000);
    assert_int_equal(tt_strategy_on_fill(s, t + 700 * NS, &p), 0);
    assert_int_equal(tt_strategy_on_timer(s, t + 1299 * NS, out, 4), 0);
    tt_strategy_destroy(&s);
}

/* ---- donchian_breakout ----------------------------------------------- */

static void test_donchian_trailing(void **state)
{
    (void)state;
    tt_param_t items[] = {P("channel", "3", 1), P("exit_channel", "2", 2),
                          P("allow_short", "true", 3)};
    tt_strategy_t *s = s_new("donchian_breakout", items, 3);
    tt_signal_t out[TT_STRATEGY_MAX_SIGNALS];
    /* v[0] entry channel (hi, lo, mid), v[1] exit channel, v[2] ATR. */
    tt_ind_value_t v[3] = {s_v(101, 99, 100), s_v(100.5, 99.5, 100),
                           s_v(1, 0, 0)};
    assert_int_equal(s_feed(s, 0, 10000, v, 3, out), 0);
    /* 102.00 breaks 101.00: long, stop 102.00 - 2 * 1.00 = 100.00. */
    v[0] = s_v(102, 99, 0), v[1] = s_v(102, 99.5, 0);
    assert_int_equal(s_feed(s, 1, 10200, v, 3, out), 1);
    s_expect(&out[0], TT_SIG_ENTER_LONG, 10000, 0);
    s_fill(s, 2, 1, 10200);
    /* Best close 103.00: stop trails to 101.00. */
    v[0] = s_v(103, 99, 0), v[1] = s_v(103, 100, 0);
    assert_int_equal(s_feed(s, 2, 10300, v, 3, out), 1);
    s_expect(&out[0], TT_SIG_MOVE_STOP, 10100, 0);
    /* Price falls back: the level stays 101.00, nothing is sent. */
    assert_int_equal(s_feed(s, 3, 10250, v, 3, out), 0);
    /* ATR widens: the level would drop to 100.00, never sent. */
    v[2] = s_v(1.5, 0, 0);
    assert_int_equal(s_feed(s, 4, 10250, v, 3, out), 0);
    /* New best 104.00 with ATR 1.00: 102.00. */
    v[2] = s_v(1, 0, 0), v[1] = s_v(104, 99, 0);
    assert_int_equal(s_feed(s, 5, 10400, v, 3, out), 1);
    s_expect(&out[0], TT_SIG_MOVE_STOP, 10200, 0);
    /* Close 101.50 is through the 102.00 level, above the exit channel
       low 99.00: exit. */
    assert_int_equal(s_feed(s, 6, 10150, v, 3, out), 1);
    s_expect(&out[0], TT_SIG_EXIT, 0, 0);
    s_fill(s, 7, 0, 0);
    /* Short below the channel low 99.00 at 98.00: stop 100.00. */
    v[0] = s_v(104, 98, 0), v[1] = s_v(101.5, 98, 0);
    assert_int_equal(s_feed(s, 7, 9800, v, 3, out), 1);
    s_expect(&out[0], TT_SIG_ENTER_SHORT, 10000, 0);
    s_fill(s, 8, -1, 9800);
    /* Best close 97.00: stop 99.00. */
    v[1] = s_v(98, 97, 0);
    assert_int_equal(s_feed(s, 8, 9700, v, 3, out), 1);
    s_expect(&out[0], TT_SIG_MOVE_STOP, 9900, 0);
    /* Bounce to 97.50: unfavourable, nothing. */
    assert_int_equal(s_feed(s, 9, 9750, v, 3, out), 0);
    /* Close 98.05 above the exit channel high 98.00: exit. */
    assert_int_equal(s_feed(s, 10, 9805, v, 3, out), 1);
    s_expect(&out[0], TT_SIG_EXIT, 0, 0);
    tt_strategy_destroy(&s);
}

static void test_donchian_no_trailing(void **state)
{
    (void)state;
    tt_param_t items[] = {P("channel", "3", 1), P("trailing", "false", 2)};
    tt_strategy_t *s = s_new("donchian_breakout", items, 2);
    tt_signal_t out[TT_STRATEGY_MAX_SIGNALS];
    tt_ind_value_t v[3] = {s_v(101, 99, 100), s_v(100.5, 99.5, 100),
                           s_v(1, 0, 0)};
    assert_int_equal(s_feed(s, 0, 10000, v, 3, out), 0);
    assert_int_equal(s_feed(s, 1, 10200, v, 3, out), 1);
    s_fill(s, 2, 1, 10200);
    for (int i = 2; i < 6; i++)
        assert_int_equal(s_feed(s, i, 10200 + i * 100, v, 3, out), 0);
    /* Short breakouts are refused by default (allow_short false). */
    s_fill(s, 6, 0, 0);
    assert_int_equal(s_feed(s, 6, 9000, v, 3, out), 0);
    tt_strategy_destroy(&s);
}

/* ---- bad input ------------------------------------------------------- */

static void test_bad_input(void **state)
{
    (void)state;
    tt_strategy_t *s = s_new("rsi_reversion", NULL, 0);
    tt_signal_t out[TT_STRATEGY_MAX_SIGNALS];
    tt_ind_value_t v[2] = {s_v(20, 0, 0), s_v(20, 0, 0)};
    assert_int_equal(s_feed(s, 0, 10000, v, 2, out), -1);
    assert_non_null(strstr(tt_strategy_last_error(s), "number of indicator"));
    tt_candle_t c = s_candle(60, 1, 10000);
    assert_int_equal(tt_strategy_on_candle(s, &c, NULL, 1, NULL, out, 4), -1);
    tt_strat_pos_t bad = {2, 10, 10000};
    assert_int_equal(tt_strategy_on_candle(s, &c, v, 1, &bad, out, 4), -1);
    assert_int_equal(tt_strategy_on_fill(s, T0, &bad), -1);
    bad.side = 1, bad.qty = 0;
    assert_int_equal(tt_strategy_on_fill(s, T0, &bad), -1);
    assert_int_equal(tt_strategy_position(s).side, 0);
    /* A forming candle is ignored, whatever comes with it. */
    c.closed = false;
    assert_int_equal(tt_strategy_on_candle(s, &c, v, 2, NULL, out, 4), 0);
    /* A timeframe the strategy does not use carries no values. */
    c = s_candle(3600, 0, 10000);
    assert_int_equal(tt_strategy_on_candle(s, &c, NULL, 0, NULL, out, 4), 0);
    /* A position given with the candle is adopted. */
    c = s_candle(60, 1, 10000);
    tt_strat_pos_t p = s_pos(-1, 10000);
    assert_int_equal(tt_strategy_on_candle(s, &c, v, 1, &p, out, 4), 0);
    assert_int_equal(tt_strategy_position(s).side, -1);
    tt_strategy_destroy(&s);
}

/* ---- determinism and snapshots -------------------------------------- */

#define S_STEPS 400
#define S_LOG 512

typedef struct {
    int step;
    tt_signal_t sig;
} s_logged_t;

typedef struct {
    int count;
    s_logged_t e[S_LOG];
} s_log_t;

static tt_px_t s_closes[S_STEPS];

/* A deterministic random walk in 0.05 ticks. */
static void s_make_closes(void)
{
    uint32_t x = 12345;
    tt_px_t px = 10000;
    for (int i = 0; i < S_STEPS; i++) {
        x = x * 1103515245u + 12345u;
        px += (tt_px_t)((x >> 16) % 21) * 5 - 50;
        if (px < 5000)
            px = 5000;
        s_closes[i] = px;
    }
}

static double s_mean(int i, int p)
{
    double sum = 0;
    for (int k = i - p + 1; k <= i; k++)
        sum += (double)s_closes[k] / 100.0;
    return sum / p;
}

static void s_minmax(int i, int p, double *hi, double *lo)
{
    *hi = *lo = (double)s_closes[i] / 100.0;
    for (int k = i - p + 1 > 0 ? i - p + 1 : 0; k <= i; k++) {
        double c = (double)s_closes[k] / 100.0;
        *hi = c > *hi ? c : *hi;
        *lo = c < *lo ? c : *lo;
    }
}

/* Values for step I as the indicator actor would send them (cold during
   the first 20 steps). */
static size_t s_values(const char *name, int i, tt_ind_value_t *v)
{
    double atr = 0.5 + (double)(i % 7) / 10.0;
    if (strcmp(name, "sma_cross") == 0) {
        v[0] = i >= 20 ? s_v(s_mean(i, 4), 0, 0) : s_cold();
        v[1] = i >= 20 ? s_v(s_mean(i, 12), 0, 0) : s_cold();
        v[2] = i >= 20 ? s_v(atr, 0, 0) : s_cold();
        return 3;
    }
    if (strcmp(name, "rsi_reversion") == 0) {
        double r = 50 + 45 * sin((double)i / 6.0);
        v[0] = i >= 20 ? s_v(r, 0, 0) : s_cold();
        return 1;
    }
    double hi, lo, xhi, xlo;
    s_minmax(i, 10, &hi, &lo);
    s_minmax(i, 5, &xhi, &xlo);
    v[0] = i >= 20 ? s_v(hi, lo, (hi + lo) / 2) : s_cold();
    v[1] = i >= 20 ? s_v(xhi, xlo, (xhi + xlo) / 2) : s_cold();
    v[2] = i >= 20 ? s_v(atr, 0, 0) : s_cold();
    return 3;
}

/* Runs steps [FROM, TO): each candle's signals are logged and filled at
   once by a pretend broker, so positions follow signals. */
static void s_run(tt_strategy_t *s, int from, int to, s_log_t *log)
{
    const char *name = tt_strategy_name(s);
    for (int i = from; i < to; i++) {
        tt_ind_value_t v[3];
        size_t n = s_values(name, i, v);
        tt_signal_t out[TT_STRATEGY_MAX_SIGNALS];
        int k = s_feed(s, i, s_closes[i], v, n, out);
        assert_true(k >= 0);
        for (int j = 0; j < k; j++) {
            assert_true(log->count < S_LOG);
            log->e[log->count].step = i;
            log->e[log->count++].sig = out[j];
            int side = out[j].kind == TT_SIG_ENTER_LONG    ? 1
                       : out[j].kind == TT_SIG_ENTER_SHORT ? -1
                       : out[j].kind == TT_SIG_EXIT        ? 0
                                                           : 9;
            if (side != 9)
                s_fill(s, i + 1, side, s_closes[i]);
        }
    }
}

static void s_assert_same(const s_logged_t *a, const s_logged_t *b, int n)
{
    for (int i = 0; i < n; i++) {
        assert_int_equal(a[i].step, b[i].step);
        assert_int_equal(a[i].sig.kind, b[i].sig.kind);
        assert_int_equal(a[i].sig.ts, b[i].sig.ts);
        assert_int_equal(a[i].sig.ref_price, b[i].sig.ref_price);
        assert_int_equal(a[i].sig.stop, b[i].sig.stop);
        assert_int_equal(a[i].sig.target, b[i].sig.target);
        assert_string_equal(a[i].sig.reason, b[i].sig.reason);
    }
}

static tt_strategy_t *s_new_sim(const char *name)
{
    tt_param_t items[] = {P("allow_short", "true", 1)};
    return s_new(name, items, 1);
}

static void s_check_determinism(const char *name)
{
    static s_log_t a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    tt_strategy_t *s1 = s_new_sim(name);
    tt_strategy_t *s2 = s_new_sim(name);
    s_run(s1, 0, S_STEPS, &a);
    s_run(s2, 0, S_STEPS, &b);
    /* The script must exercise the strategy. */
    if (a.count < 6)
        fail_msg("%s: only %d signals", name, a.count);
    assert_int_equal(a.count, b.count);
    s_assert_same(a.e, b.e, a.count);
    unsigned char x[512], y[512];
    int nx = tt_strategy_snapshot(s1, x, sizeof x);
    assert_true(nx > 0);
    assert_int_equal(tt_strategy_snapshot(s2, y, sizeof y), nx);
    assert_memory_equal(x, y, (size_t)nx);
    tt_strategy_destroy(&s1);
    tt_strategy_destroy(&s2);
}

static void test_determinism(void **state)
{
    (void)state;
    s_make_closes();
    for (size_t i = 0; i < tt_strategy_count(); i++)
        s_check_determinism(tt_strategy_name_at(i));
}

/* Snapshot at MID, restore into a fresh strategy, carry on: the same
   signals as the uninterrupted run, and the same final state. */
static void s_check_restore(const char *name, int mid)
{
    static s_log_t full, first, second;
    memset(&full, 0, sizeof full);
    memset(&first, 0, sizeof first);
    memset(&second, 0, sizeof second);
    tt_strategy_t *a = s_new_sim(name);
    s_run(a, 0, S_STEPS, &full);

    tt_strategy_t *b = s_new_sim(name);
    s_run(b, 0, mid, &first);
    unsigned char snap[512];
    int n = tt_strategy_snapshot(b, snap, sizeof snap);
    assert_int_equal((size_t)n, tt_strategy_snapshot_size(b));
    assert_int_equal(tt_strategy_snapshot(b, snap, (size_t)n - 1), -1);
    tt_strategy_destroy(&b);

    tt_strategy_t *c = s_new_sim(name);
    assert_int_equal(tt_strategy_restore(c, snap, (size_t)n), 0);
    s_run(c, mid, S_STEPS, &second);
    assert_int_equal(first.count + second.count, full.count);
    s_assert_same(full.e, first.e, first.count);
    s_assert_same(full.e + first.count, second.e, second.count);

    unsigned char x[512], y[512];
    assert_int_equal(tt_strategy_snapshot(a, x, sizeof x), n);
    assert_int_equal(tt_strategy_snapshot(c, y, sizeof y), n);
    assert_memory_equal(x, y, (size_t)n);
    tt_strategy_destroy(&a);
    tt_strategy_destroy(&c);
}

static void test_snapshot_restore(void **state)
{
    (void)state;
    s_make_closes();
    for (size_t i = 0; i < tt_strategy_count(); i++) {
        s_check_restore(tt_strategy_name_at(i), 137);
        s_check_restore(tt_strategy_name_at(i), 250);
    }
}

static void test_snapshot_refused(void **state)
{
    (void)state;
    s_make_closes();
    static s_log_t log;
    memset(&log, 0, sizeof log);
    tt_strategy_t *a = s_new_sim("donchian_breakout");
    s_run(a, 0, 200, &log);
    unsigned char snap[512];
    int n = tt_strategy_snapshot(a, snap, sizeof snap);
    assert_true(n > 0);
    tt_strat_pos_t before = tt_strategy_position(a);

    /* Other parameters, another strategy: refused, state unchanged. */
    tt_param_t items[] = {P("channel", "30", 1)};
    tt_strategy_t *other = s_new("donchian_breakout", items, 1);
    assert_int_equal(tt_strategy_restore(other, snap, (size_t)n), -1);
    assert_non_null(strstr(tt_strategy_last_error(other), "other settings"));
    tt_strategy_t *rsi = s_new_sim("rsi_reversion");
    assert_int_equal(tt_strategy_restore(rsi, snap, (size_t)n), -1);
    /* Wrong size, bad magic, corrupt position. */
    assert_int_equal(tt_strategy_restore(a, snap, (size_t)n - 1), -1);
    assert_int_equal(tt_strategy_restore(a, NULL, (size_t)n), -1);
    unsigned char bad[512];
    memcpy(bad, snap, (size_t)n);
    bad[0] ^= 0xff;
    assert_int_equal(tt_strategy_restore(a, bad, (size_t)n), -1);
    assert_int_equal(tt_strategy_position(a).side, before.side);
    assert_int_equal(tt_strategy_restore(a, snap, (size_t)n), 0);
    tt_strategy_destroy(&a);
    tt_strategy_destroy(&other);
    tt_strategy_destroy(&rsi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_price_rounding),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_param_errors),
        cmocka_unit_test(test_param_cross_checks),
        cmocka_unit_test(test_defaults_and_warmup),
        cmocka_unit_test(test_sma_cross_signals),
        cmocka_unit_test(test_sma_cross_long_only_and_pct),
        cmocka_unit_test(test_cold_values),
        cmocka_unit_test(test_trend_filter),
        cmocka_unit_test(test_trend_filter_same_tf),
        cmocka_unit_test(test_rsi_reversion),
        cmocka_unit_test(test_max_hold_timer),
        cmocka_unit_test(test_donchian_trailing),
        cmocka_unit_test(test_donchian_no_trailing),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_snapshot_restore),
        cmocka_unit_test(test_snapshot_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
