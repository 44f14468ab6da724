/*  tests/test_positions.c: orders/position.{h,c}. Long, short, flip and
    partial close with realized / unrealized P&L and fees computed by hand
    from the conventions in position.h; rounding; bad fills; a ledger
    rebuild equal to the incremental position; and a cash-flow identity
    checked over a long pseudo-random fill sequence. */
#include "tests/harness.h"

#include <stdio.h>
#include <string.h>

#include "orders/money.h"
#include "orders/position.h"

/* Prices at 2 decimals, quantities at 3 decimals. */
#define QD 3

static tt_fill_t s_f(tt_side_t side, tt_px_t px, tt_qty_t qty, int64_t fee,
                     tt_ns_t ts)
{
    return (tt_fill_t){
        .side = side, .px = px, .qty = qty, .fee = fee, .ts = ts};
}

static void s_apply(tt_position_t *p, tt_fill_t f, tt_position_delta_t *d)
{
    assert_int_equal(tt_position_apply(p, &f, d), 0);
}

static void test_long_add_partial_close_and_close(void **state)
{
    (void)state;
    tt_position_t p;
    tt_position_delta_t d;
    int64_t u;
    tt_position_init(&p, QD);
    /* 2.000 @ 100.00 = 200.00; 1.000 @ 103.00 = 103.00 */
    s_apply(&p, s_f(TT_SIDE_BUY, 10000, 2000, 10, 100), &d);
    s_apply(&p, s_f(TT_SIDE_BUY, 10300, 1000, 3, 200), &d);
    assert_int_equal(p.qty, 3000);
    assert_int_equal(p.cost, 30300);
    assert_int_equal(tt_position_avg_px(&p), 10100);
    assert_true(p.opened_ts == 100);
    /* At 102.00: 306.00 - 303.00 = 3.00 */
    assert_int_equal(tt_position_unrealized(&p, 10200, &u), 0);
    assert_int_equal(u, 300);
    /* Sell 1.500 @ 104.00: value 156.00, releases 151.50: +4.50 */
    s_apply(&p, s_f(TT_SIDE_SELL, 10400, 1500, 5, 300), &d);
    assert_false(d.closed_trip);
    assert_int_equal(d.closed_qty, 1500);
    assert_int_equal(d.realized, 450);
    assert_int_equal(p.qty, 1500);
    assert_int_equal(p.cost, 15150);
    assert_int_equal(tt_position_avg_px(&p), 10100);
    /* Sell 1.500 @ 99.00: value 148.50 against 151.50: -3.00 */
    s_apply(&p, s_f(TT_SIDE_SELL, 9900, 1500, 4, 400), &d);
    assert_true(d.closed_trip);
    assert_int_equal(d.realized, -300);
    assert_int_equal(p.qty, 0);
    assert_int_equal(p.cost, 0);
    assert_int_equal(p.realized, 150);
    assert_int_equal(p.fees, 22);
    assert_int_equal(d.trip_net, 150 - 22);
    assert_true(p.trips == 1 && p.fills == 4);
    assert_true(p.opened_ts == 0 && p.updated_ts == 400);
    assert_int_equal(tt_position_avg_px(&p), 0);
    assert_int_equal(tt_position_unrealized(&p, 12345, &u), 0);
    assert_int_equal(u, 0);
}

static void test_short_partial_cover(void **state)
{
    (void)state;
    tt_position_t p;
    tt_position_delta_t d;
    int64_t u;
    tt_position_init(&p, QD);
    s_apply(&p, s_f(TT_SIDE_SELL, 5000, 1000, 0, 1), &d); /* 50.00 */
    assert_int_equal(p.qty, -1000);
    /* At 51.00 a short of 1.000 loses 1.00. */
    tt_position_unrealized(&p, 5100, &u);
    assert_int_equal(u, -100);
    /* Cover 0.400 @ 48.00: releases 20.00, pays 19.20: +0.80 */
    s_apply(&p, s_f(TT_SIDE_BUY, 4800, 400, 0, 2), &d);
    assert_int_equal(d.realized, 80);
    assert_int_equal(p.qty, -600);
    assert_int_equal(p.cost, 3000);
    assert_int_equal(tt_position_avg_px(&p), 5000);
    /* At 49.00: 30.00 - 29.40 = +0.60 */
    tt_position_unrealized(&p, 4900, &u);
    assert_int_equal(u, 60);
}

static void test_flip_through_zero(void **state)
{
    (void)state;
    tt_position_t p;
    tt_position_delta_t d;
    tt_position_init(&p, QD);
    s_apply(&p, s_f(TT_SIDE_BUY, 10000, 1000, 0, 1), &d);
    /* Sell 3.000 @ 101.00, fee 0.30: closes 1.000 (+1.00, fee 0.10) and
       opens 2.000 short at 101.00 carrying fee 0.20. */
    s_apply(&p, s_f(TT_SIDE_SELL, 10100, 3000, 30, 2), &d);
    assert_true(d.closed_trip);
    assert_int_equal(d.closed_qty, 1000);
    assert_int_equal(d.realized, 100);
    assert_int_equal(d.trip_net, 90);
    assert_int_equal(p.qty, -2000);
    assert_int_equal(p.cost, 20200);
    assert_int_equal(tt_position_avg_px(&p), 10100);
    assert_int_equal(p.trip_realized, 0);
    assert_int_equal(p.trip_fees, 20);
    assert_int_equal(p.fees, 30);
    assert_int_equal(p.realized, 100);
    assert_true(p.opened_ts == 2 && p.trips == 1);
}

static void test_rounding(void **state)
{
    (void)state;
    tt_position_t p;
    tt_position_delta_t d;
    tt_position_init(&p, QD);
    /* 0.005 @ 1.00 = 0.005 -> 0.01 (halves away from zero). */
    s_apply(&p, s_f(TT_SIDE_BUY, 100, 5, 0, 1), &d);
    assert_int_equal(p.cost, 1);
    tt_position_init(&p, QD);
    /* 0.333 @ 1.00 = 0.333 -> 0.33; 0.334 -> 0.33; cost 0.66 for 0.667 */
    s_apply(&p, s_f(TT_SIDE_BUY, 100, 333, 0, 1), &d);
    s_apply(&p, s_f(TT_SIDE_BUY, 100, 334, 0, 2), &d);
    assert_int_equal(p.cost, 66);
    /* Sell 0.500 @ 1.00: releases round(66 * 500 / 667) = round(49.48)
       = 49, receives 0.50: +0.01 of rounding, booked as realized. */
    s_apply(&p, s_f(TT_SIDE_SELL, 100, 500, 0, 3), &d);
    assert_int_equal(d.realized, 1);
    assert_int_equal(p.cost, 17);
    /* Close the rest: 0.167 @ 1.00 = 0.167 -> 0.17; releases 0.17. */
    s_apply(&p, s_f(TT_SIDE_SELL, 100, 167, 0, 4), &d);
    assert_int_equal(d.realized, 0);
    assert_int_equal(p.cost, 0);
    assert_int_equal(p.realized, 1);
}

static void test_bad_fills_leave_position_unchanged(void **state)
{
    (void)state;
    tt_position_t p, before;
    tt_position_init(&p, QD);
    s_apply(&p, s_f(TT_SIDE_BUY, 10000, 1000, 1, 1), NULL);
    before = p;
    tt_fill_t bad[] = {
        s_f(TT_SIDE_BUY, 10000, 0, 0, 2),
        s_f(TT_SIDE_BUY, 0, 1000, 0, 2),
        s_f((tt_side_t)0, 10000, 1000, 0, 2),
        s_f(TT_SIDE_BUY, INT64_MAX, INT64_MAX, 0, 2), /* overflow */
        s_f(TT_SIDE_BUY, 10000, 1000, INT64_MAX, 2),  /* fee overflow */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(tt_position_apply(&p, &bad[i], NULL), -1);
        assert_true(tt_position_equal(&p, &before));
    }
    assert_int_equal(tt_position_apply(&p, NULL, NULL), -1);
    /* 5.000 marked at the largest price does not fit: refused. */
    tt_position_init(&p, QD);
    s_apply(&p, s_f(TT_SIDE_BUY, 100, 5000, 0, 1), NULL);
    int64_t u = 0;
    assert_int_equal(tt_position_unrealized(&p, INT64_MAX, &u), -1);
    assert_int_equal(tt_position_unrealized(&p, INT64_MAX / 5, &u), 0);
}

/* A small deterministic generator (LCG), so the sequence is fixed. */
static uint64_t s_rng = 88172645463325252u;
static uint32_t s_next(void)
{
    s_rng = s_rng * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(s_rng >> 33);
}

enum { NFILLS = 600 };

static void s_gen(tt_fill_t *fills, int qd)
{
    for (int i = 0; i < NFILLS; i++) {
        fills[i] = s_f(s_next() % 2 ? TT_SIDE_BUY : TT_SIDE_SELL,
                       9000 + (tt_px_t)(s_next() % 2000),
                       1 + (tt_qty_t)(s_next() % (qd ? 5000 : 7)),
                       (int64_t)(s_next() % 50), 1000 + i);
        snprintf(fills[i].fill_id, sizeof fills[i].fill_id, "f%d", i);
    }
}

static void test_ledger_rebuild_equals_incremental(void **state)
{
    (void)state;
    static tt_fill_t fills[NFILLS];
    s_gen(fills, QD);
    tt_position_t inc, rebuilt;
    tt_position_init(&inc, QD);
    uint64_t trips = 0;
    for (int i = 0; i < NFILLS; i++) {
        tt_position_delta_t d;
        s_apply(&inc, fills[i], &d);
        trips += d.closed_trip;
        /* Spot-check a rebuild of every prefix of 50. */
        if (i % 50 == 49) {
            assert_int_equal(
                tt_position_rebuild(&rebuilt, QD, fills, (size_t)i + 1), 0);
            assert_true(tt_position_equal(&inc, &rebuilt));
        }
    }
    assert_int_equal(tt_position_rebuild(&rebuilt, QD, fills, NFILLS), 0);
    assert_true(tt_position_equal(&inc, &rebuilt));
    assert_true(inc.trips == trips && trips > 10);
    /* A ledger with one fill altered no longer matches. */
    fills[NFILLS / 2].px += 1;
    tt_position_rebuild(&rebuilt, QD, fills, NFILLS);
    assert_false(tt_position_equal(&inc, &rebuilt));
    /* A bad row stops the rebuild with an error. */
    fills[3].qty = 0;
    assert_int_equal(tt_position_rebuild(&rebuilt, QD, fills, NFILLS), -1);
}

/* With whole quantities (qty_decimals 0) no value rounds, so realized +
   unrealized must equal the cash flows plus the marked position. */
static void test_cash_flow_identity(void **state)
{
    (void)state;
    static tt_fill_t fills[NFILLS];
    s_gen(fills, 0);
    tt_position_t p;
    tt_position_init(&p, 0);
    int64_t cash = 0, fees = 0;
    tt_qty_t qty = 0;
    for (int i = 0; i < NFILLS; i++) {
        s_apply(&p, fills[i], NULL);
        int sign = fills[i].side == TT_SIDE_BUY ? 1 : -1;
        cash -= sign * fills[i].px * fills[i].qty;
        qty += sign * fills[i].qty;
        fees += fills[i].fee;
        tt_px_t mark = 9500 + (tt_px_t)(i % 700);
        int64_t u;
        assert_int_equal(tt_position_unrealized(&p, mark, &u), 0);
        assert_int_equal(p.realized + u, cash + qty * mark);
        assert_int_equal(p.qty, qty);
    }
    assert_int_equal(p.fees, fees);
}

static void test_money_helpers(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(tt_muldiv(-7, 1, 2, TT_RND_FLOOR, &v), 0);
    assert_int_equal(v, -4);
    assert_int_equal(tt_muldiv(-7, 1, 2, TT_RND_CEIL, &v), 0);
    assert_int_equal(v, -3);
    assert_int_equal(tt_muldiv(-7, 1, 2, TT_RND_NEAREST, &v), 0);
    assert_int_equal(v, -4);
    assert_int_equal(tt_muldiv(7, 1, 2, TT_RND_NEAREST, &v), 0);
    assert_int_equal(v, 4);
    assert_int_equal(
        tt_muldiv(INT64_MAX, INT64_MAX, INT64_MAX, TT_RND_FLOOR, &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(tt_muldiv(INT64_MAX, 2, 1, TT_RND_FLOOR, &v), -1);
    assert_int_equal(tt_muldiv(1, 1, 0, TT_RND_FLOOR, &v), -1);
    assert_int_equal(tt_rescale(12345, 2, 4, &v), 0);
    assert_int_equal(v, 1234500);
    assert_int_equal(tt_rescale(12345, 4, 2, &v), 0);
    assert_int_equal(v, 123);
    assert_int_equal(tt_rescale(1, 0, 19, &v), -1);
    assert_int_equal(tt_floor_lot(1234, 100), 1200);
    assert_int_equal(tt_floor_lot(-5, 100), 0);
    assert_true(tt_pow10(18) == 1000000000000000000LL);
    assert_int_equal(tt_pow10(19), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_add_partial_close_and_close),
        cmocka_unit_test(test_short_partial_cover),
        cmocka_unit_test(test_flip_through_zero),
        cmocka_unit_test(test_rounding),
        cmocka_unit_test(test_bad_fills_leave_position_unchanged),
        cmocka_unit_test(test_ledger_rebuild_equals_incremental),
        cmocka_unit_test(test_cash_flow_identity),
        cmocka_unit_test(test_money_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
