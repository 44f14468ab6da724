/*  tests/test_risk.c: risk/risk.{h,c} and risk/breaker.{h,c}. Every sizing
    rule with its rounding down to the lot, every check with its reason,
    exits never blocked, and the circuit breaker's trip / reset. Expected
    sizes are worked out by hand in the comments. */
#include "tests/harness.h"

#include <string.h>

#include "risk/breaker.h"
#include "risk/risk.h"

#define SEC TT_NS_PER_SEC
#define MIN (60 * SEC)

/* Prices at 2 decimals, whole quantities, lots of 10. */
static const tt_instrument_t s_inst = {
    .px_decimals = 2, .qty_decimals = 0, .tick_size = 1, .lot_size = 10};

static tt_risk_cfg_t s_cfg(tt_sizing_t sizing)
{
    return (tt_risk_cfg_t){.sizing = sizing,
                           .fixed_qty = 105,
                           .fixed_notional = 500000,
                           .risk_bps = 100};
}

/* Equity 100,000.00, nothing open, account money at 2 decimals. */
static tt_portfolio_snap_t s_pf(void)
{
    return (tt_portfolio_snap_t){.equity = 10000000, .decimals = 2};
}

static const tt_symbol_view_t s_ok_sym = {.warm = true};

static tt_signal_t s_long(tt_px_t ref, tt_px_t stop)
{
    return (tt_signal_t){.kind = TT_SIG_ENTER_LONG,
                         .ref_price = ref,
                         .stop = stop,
                         .target = ref * 2};
}

static void s_init(tt_risk_t *r, const tt_risk_cfg_t *cfg)
{
    assert_int_equal(tt_risk_init(r, cfg, &s_inst), 0);
}

static tt_risk_reason_t s_check(tt_risk_t *r, tt_signal_t sig,
                                tt_portfolio_snap_t pf, tt_symbol_view_t sym,
                                tt_ns_t now, tt_qty_t *qty)
{
    tt_risk_decision_t d;
    int rc = tt_risk_check(r, &sig, &pf, &sym, now, &d);
    assert_int_equal(rc, d.reason == TT_RISK_OK ? 0 : -1);
    assert_true(d.text[0] != '\0');
    if (qty)
        *qty = d.qty;
    return d.reason;
}

static void test_sizing_fixed_qty(void **state)
{
    (void)state;
    tt_risk_t r;
    tt_risk_cfg_t cfg = s_cfg(TT_SIZE_FIXED_QTY);
    s_init(&r, &cfg);
    tt_qty_t q;
    /* 105 rounded down to lots of 10. */
    assert_int_equal(s_check(&r, s_long(5000, 4850), s_pf(), s_ok_sym, 1, &q),
                     TT_RISK_OK);
    assert_int_equal(q, 100);
    cfg.fixed_qty = 9; /* below one lot */
    s_init(&r, &cfg);
    assert_int_equal(s_check(&r, s_long(5000, 4850), s_pf(), s_ok_sym, 1, &q),
                     TT_RISK_SIZE_ZERO);
    assert_int_equal(q, 0);
}

static void test_sizing_fixed_notional(void **state)
{
    (void)state;
    tt_risk_t r;
    tt_risk_cfg_t cfg = s_cfg(TT_SIZE_FIXED_NOTIONAL);
    s_init(&r, &cfg);
    tt_qty_t q;
    /* 5,000.00 / 31.00 = 161.29 -> 161 -> 160 */
    assert_int_equal(s_check(&r, s_long(3100, 3000), s_pf(), s_ok_sym, 1, &q),
                     TT_RISK_OK);
    assert_int_equal(q, 160);
    /* 5,000.00 / 600.00 = 8.3 -> 0 lots */
    assert_int_equal(s_check(&r, s_long(60000, 59000), s_pf(), s_ok_sym, 1, &q),
                     TT_RISK_SIZE_ZERO);
}

static void test_sizing_risk_pct(void **state)
{
    (void)state;
    tt_risk_t r;
    tt_risk_cfg_t cfg = s_cfg(TT_SIZE_RISK_PCT);
    s_init(&r, &cfg);
    tt_qty_t q;
    /* 1% of 100,000.00 = 1,000.00 at risk; stop distance 50.00 - 48.50 =
       1.50; 1000 / 1.5 = 666.67 -> 666 -> 660. */
    assert_int_equal(s_check(&r, s_long(5000, 4850), s_pf(), s_ok_sym, 1, &q),
                     TT_RISK_OK);
    assert_int_equal(q, 660);
    /* The same equity with account money at 4 decimals. */
    tt_portfolio_snap_t pf = s_pf();
    pf.equity = 1000000000;
    pf.decimals = 4;
    assert_int_equal(s_check(&r, s_long(5000, 4850), pf, s_ok_sym, 1, &q),
                     TT_RISK_OK);
    assert_int_equal(q, 660);
    /* A short: stop above. 1000 / (52.00 - 50.00) = 500. */
    tt_signal_t sh = {
        .kind = TT_SIG_ENTER_SHORT, .ref_price = 5000, .stop = 5200};
    assert_int_equal(s_check(&r, sh, s_pf(), s_ok_sym, 1, &q), TT_RISK_OK);
    assert_int_equal(q, 500);
    /* A wide stop leaves less than a lot: 1000 / 200.00 = 5 -> 0. */
    assert_int_equal(s_check(&r, s_long(30000, 10000), s_pf(), s_ok_sym, 1, &q),
                     TT_RISK_SIZE_ZERO);
    /* No stop, or a stop on the wrong side, cannot be sized. */
    assert_int_equal(s_check(&r, s_long(5000, 0), s_pf(), s_ok_sym, 1, &q),
                     TT_RISK_BAD_SIGNAL);
    assert_int_equal(s_check(&r, s_long(5000, 5000), s_pf(), s_ok_sym, 1, &q),
                     TT_RISK_BAD_SIGNAL);
    assert_int_equal(s_check(&r, s_long(0, 0), s_pf(), s_ok_sym, 1, &q),
                     TT_RISK_BAD_SIGNAL);
}

static void test_max_position_clamp_or_reject(void **state)
{
    (void)state;
    tt_risk_t r;
    tt_risk_decision_t d;
    tt_risk_cfg_t cfg = s_cfg(TT_SIZE_RISK_PCT);
    cfg.max_pos_qty = 205;
    s_init(&r, &cfg);
    tt_signal_t sig = s_long(5000, 4850);
    tt_portfolio_snap_t pf = s_pf();
    assert_int_equal(tt_risk_check(&r, &sig, &pf, &s_ok_sym, 1, &d), 0);
    assert_int_equal(d.qty, 200); /* 660 clamped to 205, lot -> 200 */
    assert_true(d.clamped);
    cfg.max_pos_qty = 0;
    cfg.max_pos_notional = 512345; /* 5,123.45 / 50.00 = 102.5 -> 100 */
    s_init(&r, &cfg);
    assert_int_equal(tt_risk_check(&r, &sig, &pf, &s_ok_sym, 1, &d), 0);
    assert_int_equal(d.qty, 100);
    cfg.reject_over_max = true;
    s_init(&r, &cfg);
    assert_int_equal(tt_risk_check(&r, &sig, &pf, &s_ok_sym, 1, &d), -1);
    assert_int_equal(d.reason, TT_RISK_MAX_POSITION);
    assert_int_equal(d.qty, 0);
    assert_true(r.refusals[TT_RISK_MAX_POSITION] == 1);
}

static void test_portfolio_limits(void **state)
{
    (void)state;
    tt_risk_t r;
    tt_risk_cfg_t cfg = s_cfg(TT_SIZE_FIXED_QTY); /* 100 */
    cfg.max_open_positions = 3;
    cfg.max_exposure = 2000000; /* 20,000.00 */
    s_init(&r, &cfg);
    tt_portfolio_snap_t pf = s_pf();
    pf.open_positions = 3;
    assert_int_equal(s_check(&r, s_long(5000, 4900), pf, s_ok_sym, 1, NULL),
                     TT_RISK_MAX_OPEN_POSITIONS);
    pf.open_positions = 2;
    /* 15,000.00 + 100 * 50.00 = 20,000.00: at the limit is allowed. */
    pf.exposure = 1500000;
    assert_int_equal(s_check(&r, s_long(5000, 4900), pf, s_ok_sym, 1, NULL),
                     TT_RISK_OK);
    pf.exposure = 1500001;
    assert_int_equal(s_check(&r, s_long(5000, 4900), pf, s_ok_sym, 1, NULL),
                     TT_RISK_MAX_EXPOSURE);
    tt_symbol_view_t busy = s_ok_sym;
    busy.busy = true;
    assert_int_equal(s_check(&r, s_long(5000, 4900), s_pf(), busy, 1, NULL),
                     TT_RISK_POSITION_OPEN);
}

static void test_state_gates_in_order(void **state)
{
    (void)state;
    tt_risk_t r;
    tt_risk_cfg_t cfg = s_cfg(TT_SIZE_FIXED_QTY);
    s_init(&r, &cfg);
    tt_signal_t sig = s_long(5000, 4900);
    tt_symbol_view_t sym = {.paused = true, .stale = true, .warm = false};
    tt_portfolio_snap_t pf = s_pf();
    pf.breaker_tripped = true;
    assert_int_equal(s_check(&r, sig, pf, sym, 1, NULL), TT_RISK_PAUSED);
    sym.paused = false;
    assert_int_equal(s_check(&r, sig, pf, sym, 1, NULL), TT_RISK_STALE_DATA);
    sym.stale = false;
    assert_int_equal(s_check(&r, sig, pf, sym, 1, NULL),
                     TT_RISK_COLD_INDICATORS);
    sym.warm = true;
    assert_int_equal(s_check(&r, sig, pf, sym, 1, NULL), TT_RISK_BREAKER);
    pf.breaker_tripped = false;
    assert_int_equal(s_check(&r, sig, pf, sym, 1, NULL), TT_RISK_OK);
    assert_string_equal(tt_risk_reason_name(TT_RISK_COLD_INDICATORS),
                        "COLD_INDICATORS");
    assert_string_equal(tt_risk_reason_name((tt_risk_reason_t)99), "INVALID");
}

/* An open position without a working stop refuses entries, before
   the gates an operator can lift, and never exits or stop moves. */
static void test_unprotected_refuses_entries(void **state)
{
    (void)state;
    tt_risk_t r;
    tt_risk_cfg_t cfg = s_cfg(TT_SIZE_FIXED_QTY);
    s_init(&r, &cfg);
    tt_symbol_view_t sym = {.warm = true, .busy = true, .unprotected = true};
    tt_signal_t sig = s_long(10000, 9900);
    assert_int_equal(s_check(&r, sig, s_pf(), sym, 1, NULL),
                     TT_RISK_UNPROTECTED);
    assert_string_equal(tt_risk_reason_name(TT_RISK_UNPROTECTED),
                        "UNPROTECTED");
    sym.stale = true; /* before stale data, warm-up, breaker... */
    sym.warm = false;
    assert_int_equal(s_check(&r, sig, s_pf(), sym, 1, NULL),
                     TT_RISK_UNPROTECTED);
    sig.kind = TT_SIG_EXIT;
    assert_int_equal(s_check(&r, sig, s_pf(), sym, 1, NULL), TT_RISK_OK);
    sig.kind = TT_SIG_MOVE_STOP;
    assert_int_equal(s_check(&r, sig, s_pf(), sym, 1, NULL), TT_RISK_OK);
    sym.unprotected = false; /* protected again: the old gates */
    sig.kind = TT_SIG_ENTER_LONG;
    assert_int_equal(s_check(&r, sig, s_pf(), sym, 1, NULL),
                     TT_RISK_STALE_DATA);
}

static void test_exits_never_blocked(void **state)
{
    (void)state;
    tt_risk_t r;
    tt_risk_cfg_t cfg = s_cfg(TT_SIZE_FIXED_QTY);
    cfg.max_orders_per_min = 1;
    cfg.max_daily_loss = 100;
    s_init(&r, &cfg);
    tt_risk_on_order_sent(&r, 1);
    tt_symbol_view_t sym = {.paused = true, .stale = true, .busy = true};
    tt_portfolio_snap_t pf = s_pf();
    pf.breaker_tripped = true;
    pf.realized_today = -100000;
    tt_signal_kind_t kinds[] = {TT_SIG_EXIT, TT_SIG_MOVE_STOP, TT_SIG_NONE};
    for (size_t i = 0; i < 3; i++) {
        tt_signal_t sig = {.kind = kinds[i], .ref_price = 5000, .stop = 4990};
        assert_int_equal(s_check(&r, sig, pf, sym, 2, NULL), TT_RISK_OK);
    }
    /* ... while an entry in the same state is refused. */
    assert_int_not_equal(s_check(&r, s_long(5000, 4900), pf, sym, 2, NULL),
                         TT_RISK_OK);
}

static void test_daily_loss_halts_until_next_session(void **state)
{
    (void)state;
    tt_risk_t r;
    tt_risk_cfg_t cfg = s_cfg(TT_SIZE_FIXED_QTY);
    cfg.max_daily_loss = 50000; /* 500.00 */
    s_init(&r, &cfg);
    tt_signal_t sig = s_long(5000, 4900);
    tt_portfolio_snap_t pf = s_pf();
    pf.realized_today = -49999;
    assert_int_equal(s_check(&r, sig, pf, s_ok_sym, 1, NULL), TT_RISK_OK);
    pf.realized_today = -50000;
    assert_int_equal(s_check(&r, sig, pf, s_ok_sym, 2, NULL),
                     TT_RISK_DAILY_LOSS);
    /* Latched: a recovered number the same day does not lift it. */
    pf.realized_today = 0;
    assert_int_equal(s_check(&r, sig, pf, s_ok_sym, 3, NULL),
                     TT_RISK_DAILY_LOSS);
    tt_risk_new_session(&r, 2, 4);
    assert_int_equal(s_check(&r, sig, pf, s_ok_sym, 5, NULL), TT_RISK_OK);
}

static void test_consecutive_losses_cooldown(void **state)
{
    (void)state;
    tt_risk_t r;
    tt_risk_cfg_t cfg = s_cfg(TT_SIZE_FIXED_QTY);
    cfg.max_consec_losses = 3;
    cfg.cooldown_ns = 15 * MIN;
    s_init(&r, &cfg);
    tt_signal_t sig = s_long(5000, 4900);
    tt_risk_on_trade_closed(&r, -10, 1 * MIN);
    tt_risk_on_trade_closed(&r, -10, 2 * MIN);
    tt_risk_on_trade_closed(&r, 0, 3 * MIN); /* flat breaks the streak */
    tt_risk_on_trade_closed(&r, -10, 4 * MIN);
    tt_risk_on_trade_closed(&r, -10, 5 * MIN);
    assert_int_equal(s_check(&r, sig, s_pf(), s_ok_sym, 5 * MIN, NULL),
                     TT_RISK_OK);
    tt_risk_on_trade_closed(&r, -10, 6 * MIN);
    assert_int_equal(s_check(&r, sig, s_pf(), s_ok_sym, 6 * MIN, NULL),
                     TT_RISK_COOLDOWN);
    assert_int_equal(s_check(&r, sig, s_pf(), s_ok_sym, 21 * MIN - 1, NULL),
                     TT_RISK_COOLDOWN);
    assert_int_equal(s_check(&r, sig, s_pf(), s_ok_sym, 21 * MIN, NULL),
                     TT_RISK_OK);
    assert_int_equal(r.consec_losses, 0);
    /* cooldown_ns 0: until the next session. */
    cfg.cooldown_ns = 0;
    s_init(&r, &cfg);
    for (int i = 0; i < 3; i++)
        tt_risk_on_trade_closed(&r, -1, i);
    assert_int_equal(s_check(&r, sig, s_pf(), s_ok_sym, 1000 * MIN, NULL),
                     TT_RISK_COOLDOWN);
    tt_risk_new_session(&r, 7, 1001 * MIN);
    assert_int_equal(s_check(&r, sig, s_pf(), s_ok_sym, 1001 * MIN, NULL),
                     TT_RISK_OK);
}

static void test_orders_per_minute_window(void **state)
{
    (void)state;
    tt_risk_t r;
    tt_risk_cfg_t cfg = s_cfg(TT_SIZE_FIXED_QTY);
    cfg.max_orders_per_min = 3;
    s_init(&r, &cfg);
    tt_signal_t sig = s_long(5000, 4900);
    tt_risk_on_order_sent(&r, 0);
    tt_risk_on_order_sent(&r, 10 * SEC);
    assert_int_equal(s_check(&r, sig, s_pf(), s_ok_sym, 15 * SEC, NULL),
                     TT_RISK_OK);
    tt_risk_on_order_sent(&r, 20 * SEC);
    assert_int_equal(s_check(&r, sig, s_pf(), s_ok_sym, 30 * SEC, NULL),
                     TT_RISK_RATE_LIMIT);
    /* The send at 0 is a full minute old at 60 s: out of the window. */
    assert_int_equal(s_check(&r, sig, s_pf(), s_ok_sym, 60 * SEC - 1, NULL),
                     TT_RISK_RATE_LIMIT);
    assert_int_equal(s_check(&r, sig, s_pf(), s_ok_sym, 60 * SEC, NULL),
                     TT_RISK_OK);
}

static void test_risk_init_validation(void **state)
{
    (void)state;
    tt_risk_t r;
    tt_risk_cfg_t cfg = s_cfg(TT_SIZE_RISK_PCT);
    cfg.risk_bps = 0;
    assert_int_equal(tt_risk_init(&r, &cfg, &s_inst), -1);
    assert_non_null(strstr(r.err, "risk_bps"));
    cfg = s_cfg((tt_sizing_t)9);
    assert_int_equal(tt_risk_init(&r, &cfg, &s_inst), -1);
    cfg = s_cfg(TT_SIZE_FIXED_QTY);
    cfg.max_orders_per_min = TT_RISK_RATE_MAX + 1;
    assert_int_equal(tt_risk_init(&r, &cfg, &s_inst), -1);
    cfg.max_orders_per_min = 0;
    cfg.max_daily_loss = -1;
    assert_int_equal(tt_risk_init(&r, &cfg, &s_inst), -1);
    tt_instrument_t bad = s_inst;
    bad.lot_size = 0;
    cfg.max_daily_loss = 0;
    assert_int_equal(tt_risk_init(&r, &cfg, &bad), -1);
    assert_int_equal(tt_risk_init(&r, NULL, &s_inst), -1);
    /* A snapshot with a nonsense scale is refused, not trusted. */
    s_init(&r, &cfg);
    tt_portfolio_snap_t pf = s_pf();
    pf.decimals = 40;
    assert_int_equal(s_check(&r, s_long(5000, 4900), pf, s_ok_sym, 1, NULL),
                     TT_RISK_BAD_SIGNAL);
}

/* ---- circuit breaker ------------------------------------------------- */

static void test_breaker_trips_within_window(void **state)
{
    (void)state;
    tt_breaker_t b;
    tt_breaker_cfg_t cfg = {.max_errors = 3, .window_ns = 10 * SEC};
    assert_int_equal(tt_breaker_init(&b, &cfg, 1), 0);
    assert_false(tt_breaker_record(&b, 0));
    assert_false(tt_breaker_record(&b, 6 * SEC));
    /* Three errors, but spread over 11 s: no trip. */
    assert_false(tt_breaker_record(&b, 11 * SEC));
    assert_true(tt_breaker_allows(&b, true));
    /* 6, 11, 12: within 10 s. */
    assert_true(tt_breaker_record(&b, 12 * SEC));
    assert_true(b.tripped);
    assert_false(tt_breaker_allows(&b, true));
    assert_true(tt_breaker_allows(&b, false));     /* exits still go */
    assert_false(tt_breaker_record(&b, 13 * SEC)); /* already tripped */
    assert_true(b.trips == 1 && b.errors_seen == 5);
}

static void test_breaker_reset_by_command_and_session(void **state)
{
    (void)state;
    tt_breaker_t b;
    tt_breaker_cfg_t cfg = {.max_errors = 2, .window_ns = SEC};
    tt_breaker_init(&b, &cfg, 5);
    tt_breaker_record(&b, 0);
    assert_true(tt_breaker_record(&b, 1));
    tt_breaker_reset(&b, 2);
    assert_true(tt_breaker_allows(&b, true));
    /* The reset forgot the old errors: one new error does not trip. */
    assert_false(tt_breaker_record(&b, 3));
    assert_true(tt_breaker_record(&b, 4));
    tt_breaker_new_session(&b, 5, 10); /* same session: stays tripped */
    assert_false(tt_breaker_allows(&b, true));
    tt_breaker_new_session(&b, 6, 11);
    assert_true(tt_breaker_allows(&b, true));
    assert_true(b.session_id == 6);
    tt_breaker_cfg_t bad = {.max_errors = 0, .window_ns = SEC};
    assert_int_equal(tt_breaker_init(&b, &bad, 1), -1);
    bad =
        (tt_breaker_cfg_t){.max_errors = TT_BREAKER_MAX + 1, .window_ns = SEC};
    assert_int_equal(tt_breaker_init(&b, &bad, 1), -1);
    bad = (tt_breaker_cfg_t){.max_errors = 2, .window_ns = 0};
    assert_int_equal(tt_breaker_init(&b, &bad, 1), -1);
    assert_false(tt_breaker_record(&b, 1)); /* disarmed: never trips */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizing_fixed_qty),
        cmocka_unit_test(test_unprotected_refuses_entries),
        cmocka_unit_test(test_sizing_fixed_notional),
        cmocka_unit_test(test_sizing_risk_pct),
        cmocka_unit_test(test_max_position_clamp_or_reject),
        cmocka_unit_test(test_portfolio_limits),
        cmocka_unit_test(test_state_gates_in_order),
        cmocka_unit_test(test_exits_never_blocked),
        cmocka_unit_test(test_daily_loss_halts_until_next_session),
        cmocka_unit_test(test_consecutive_losses_cooldown),
        cmocka_unit_test(test_orders_per_minute_window),
        cmocka_unit_test(test_risk_init_validation),
        cmocka_unit_test(test_breaker_trips_within_window),
        cmocka_unit_test(test_breaker_reset_by_command_and_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
