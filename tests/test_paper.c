/*  tests/test_paper.c: venues/paper/fill_model.{h,c}. Each order type's
    fill rule, slippage rounded outward to the tick grid, fees, partial
    fills by participation and by a per-tick cap, fill ids at the longest
    client id, latency, IOC and DAY expiry, and determinism over a
    pseudo-random tick stream. Prices are worked out by hand in the
    comments. */
#include "tests/harness.h"

#include <stdio.h>
#include <string.h>

#include "venues/paper/fill_model.h"

#define MS TT_NS_PER_MS

/* Prices at 2 decimals on a 0.05 grid, whole quantities. */
static const tt_instrument_t s_inst = {
    .px_decimals = 2, .qty_decimals = 0, .tick_size = 5, .lot_size = 1};

static tt_order_t s_ord(const char *coid, tt_side_t side, tt_ord_type_t type,
                        tt_tif_t tif, tt_qty_t qty, tt_px_t limit, tt_px_t stop)
{
    tt_order_t o = {.side = side,
                    .type = type,
                    .tif = tif,
                    .qty = qty,
                    .limit_px = limit,
                    .stop_px = stop};
    snprintf(o.coid, sizeof o.coid, "%s", coid);
    return o;
}

static tt_paper_t s_model(tt_paper_cfg_t cfg)
{
    tt_paper_t p;
    assert_int_equal(tt_paper_init(&p, &cfg, &s_inst), 0);
    return p;
}

static void s_submit(tt_paper_t *p, tt_order_t o, tt_ns_t ts)
{
    assert_int_equal(tt_paper_submit(p, &o, ts), 0);
}

static tt_paper_event_t s_ev[TT_PAPER_EVENTS_MAX];

static int s_tick(tt_paper_t *p, tt_ns_t ts, tt_px_t px, tt_qty_t size)
{
    tt_tick_t t = {.ts = ts, .price = px, .size = size};
    int n = tt_paper_on_tick(p, &t, s_ev, TT_PAPER_EVENTS_MAX);
    assert_true(n >= 0);
    return n;
}

static void test_market_slippage_and_fees(void **state)
{
    (void)state;
    tt_paper_t p = s_model(
        (tt_paper_cfg_t){.slippage_bps = 10, .fee_bps = 10, .fee_fixed = 100});
    s_submit(&p, s_ord("b", TT_SIDE_BUY, TT_ORD_MARKET, TT_TIF_GTC, 10, 0, 0),
             100);
    s_submit(&p, s_ord("s", TT_SIDE_SELL, TT_ORD_MARKET, TT_TIF_GTC, 10, 0, 0),
             100);
    /* Ticks before the submit time do not count. */
    assert_int_equal(s_tick(&p, 99, 10005, 100), 0);
    assert_int_equal(s_tick(&p, 100, 10005, 100), 2);
    /* Buy: 100.05 * 1.001 = 100.15005 -> 100.16 -> grid up 100.20.
       Fee: 10 * 100.20 = 1002.00 * 0.1% = 1.002 -> 1.01, + 1.00 fixed. */
    assert_int_equal(s_ev[0].kind, TT_PAPER_FILL);
    assert_string_equal(s_ev[0].coid, "b");
    assert_string_equal(s_ev[0].fill_id, "b:1");
    assert_int_equal(s_ev[0].px, 10020);
    assert_int_equal(s_ev[0].qty, 10);
    assert_int_equal(s_ev[0].fee, 201);
    assert_true(s_ev[0].ts == 100);
    /* Sell: 100.05 * 0.999 = 99.94995 -> 99.94 -> grid down 99.90.
       Fee: 999.00 * 0.1% = 0.999 -> 1.00, + 1.00 fixed. */
    assert_int_equal(s_ev[1].px, 9990);
    assert_int_equal(s_ev[1].fee, 200);
    assert_int_equal(p.n, 0);
    /* Without slippage an on-grid trade price is the fill price. */
    tt_paper_t q = s_model((tt_paper_cfg_t){0});
    s_submit(&q, s_ord("m", TT_SIDE_BUY, TT_ORD_MARKET, TT_TIF_GTC, 1, 0, 0),
             0);
    assert_int_equal(s_tick(&q, 1, 10005, 1), 1);
    assert_int_equal(s_ev[0].px, 10005);
    assert_int_equal(s_ev[0].fee, 0);
}

static void test_limit_strictly_through(void **state)
{
    (void)state;
    tt_paper_t p = s_model((tt_paper_cfg_t){.slippage_bps = 50});
    s_submit(&p, s_ord("b", TT_SIDE_BUY, TT_ORD_LIMIT, TT_TIF_GTC, 5, 10000, 0),
             0);
    s_submit(
        &p, s_ord("s", TT_SIDE_SELL, TT_ORD_LIMIT, TT_TIF_GTC, 5, 10100, 0), 0);
    /* Trades at exactly the limits: no fill (queue position unknown). */
    assert_int_equal(s_tick(&p, 1, 10000, 100), 0);
    assert_int_equal(s_tick(&p, 2, 10100, 100), 0);
    /* Through: filled at the limit, no slippage. */
    assert_int_equal(s_tick(&p, 3, 9995, 100), 1);
    assert_string_equal(s_ev[0].coid, "b");
    assert_int_equal(s_ev[0].px, 10000);
    assert_int_equal(s_tick(&p, 4, 10105, 100), 1);
    assert_string_equal(s_ev[0].coid, "s");
    assert_int_equal(s_ev[0].px, 10100);
}

static void test_stop_and_stop_limit(void **state)
{
    (void)state;
    tt_paper_t p = s_model((tt_paper_cfg_t){0});
    s_submit(&p, s_ord("ss", TT_SIDE_SELL, TT_ORD_STOP, TT_TIF_GTC, 3, 0, 9900),
             0);
    s_submit(&p, s_ord("bs", TT_SIDE_BUY, TT_ORD_STOP, TT_TIF_GTC, 3, 0, 10100),
             0);
    assert_int_equal(s_tick(&p, 1, 9905, 10), 0);
    /* At the stop: triggers and fills at that trade. */
    assert_int_equal(s_tick(&p, 2, 9900, 10), 1);
    assert_string_equal(s_ev[0].coid, "ss");
    assert_int_equal(s_ev[0].px, 9900);
    /* Through the stop: fills at the trade. */
    assert_int_equal(s_tick(&p, 3, 10110, 10), 1);
    assert_string_equal(s_ev[0].coid, "bs");
    assert_int_equal(s_ev[0].px, 10110);
    /* Stop-limit: triggered above its limit, then a limit. */
    s_submit(&p,
             s_ord("sl", TT_SIDE_BUY, TT_ORD_STOP_LIMIT, TT_TIF_GTC, 2, 10120,
                   10100),
             4);
    assert_int_equal(s_tick(&p, 5, 10130, 10), 0);
    assert_true(tt_paper_find(&p, "sl")->triggered);
    assert_int_equal(s_tick(&p, 6, 10120, 10), 0); /* at the limit */
    assert_int_equal(s_tick(&p, 7, 10110, 10), 1);
    assert_int_equal(s_ev[0].px, 10120);
    /* A stop with slippage fills worse than the trigger trade:
       99.00 * 0.998 = 98.802 -> 98.80. */
    tt_paper_t q = s_model((tt_paper_cfg_t){.slippage_bps = 20});
    s_submit(&q, s_ord("x", TT_SIDE_SELL, TT_ORD_STOP, TT_TIF_GTC, 1, 0, 9900),
             0);
    assert_int_equal(s_tick(&q, 1, 9900, 1), 1);
    assert_int_equal(s_ev[0].px, 9880);
}

static void test_partial_fills(void **state)
{
    (void)state;
    /* 50% of each tick's size, shared in arrival order. */
    tt_paper_t p = s_model((tt_paper_cfg_t){.participation_bps = 5000});
    s_submit(&p, s_ord("a", TT_SIDE_BUY, TT_ORD_MARKET, TT_TIF_GTC, 40, 0, 0),
             0);
    s_submit(&p, s_ord("b", TT_SIDE_BUY, TT_ORD_MARKET, TT_TIF_GTC, 5, 0, 0),
             0);
    assert_int_equal(s_tick(&p, 1, 10000, 31), 1); /* 15 for a, none for b */
    assert_int_equal(s_ev[0].qty, 15);
    assert_string_equal(s_ev[0].fill_id, "a:1");
    assert_int_equal(s_tick(&p, 2, 10000, 30), 1);
    assert_int_equal(s_ev[0].qty, 15);
    assert_int_equal(s_tick(&p, 3, 10000, 40), 2); /* a: last 10, b: 5 */
    assert_int_equal(s_ev[0].qty, 10);
    assert_string_equal(s_ev[0].fill_id, "a:3");
    assert_string_equal(s_ev[1].coid, "b");
    assert_int_equal(s_ev[1].qty, 5);
    assert_int_equal(p.n, 0);
    /* A fixed cap per tick. */
    tt_paper_t q = s_model((tt_paper_cfg_t){.max_qty_per_tick = 7});
    s_submit(&q, s_ord("c", TT_SIDE_SELL, TT_ORD_MARKET, TT_TIF_GTC, 10, 0, 0),
             0);
    assert_int_equal(s_tick(&q, 1, 10000, 1000), 1);
    assert_int_equal(s_ev[0].qty, 7);
    assert_int_equal(tt_paper_find(&q, "c")->filled, 7);
}

/* Both liquidity limits at once, the smaller winning, rounded down to
   lots of 10; the fixed fee only on the order's first fill. */
static void test_partial_fills_lots_and_fixed_fee(void **state)
{
    (void)state;
    tt_instrument_t inst = s_inst;
    inst.lot_size = 10;
    tt_paper_cfg_t cfg = {.fee_bps = 10,
                          .fee_fixed = 100,
                          .participation_bps = 5000,
                          .max_qty_per_tick = 30};
    tt_paper_t p;
    assert_int_equal(tt_paper_init(&p, &cfg, &inst), 0);
    s_submit(&p, s_ord("a", TT_SIDE_BUY, TT_ORD_MARKET, TT_TIF_GTC, 100, 0, 0),
             0);
    /* 50% of 45 = 22, down to the lot: 20. 2000.00 * 0.1% = 2.00, plus
       the fixed 1.00. */
    assert_int_equal(s_tick(&p, 1, 10000, 45), 1);
    assert_int_equal(s_ev[0].qty, 20);
    assert_int_equal(s_ev[0].fee, 300);
    /* 50% of 1000 is 500, the cap 30 wins; no fixed fee any more. */
    assert_int_equal(s_tick(&p, 2, 10000, 1000), 1);
    assert_int_equal(s_ev[0].qty, 30);
    assert_int_equal(s_ev[0].fee, 300);
    assert_string_equal(s_ev[0].fill_id, "a:2");
    /* 50% of 15 is less than a lot: nothing. */
    assert_int_equal(s_tick(&p, 3, 10000, 15), 0);
    assert_int_equal(tt_paper_find(&p, "a")->filled, 50);
    assert_int_equal(s_tick(&p, 4, 10000, 1000), 1);
    assert_int_equal(s_tick(&p, 5, 10000, 1000), 1);
    assert_int_equal(s_ev[0].qty, 20); /* the last 20 of 100 */
    assert_string_equal(s_ev[0].fill_id, "a:4");
    assert_int_equal(p.n, 0);
}

/* A client id at its longest fills a dozen times: each fill's id is the
   order's id, a colon and the fill's number, whole (the ledger's key),
   and the event names the order. */
static void test_fill_ids_at_longest(void **state)
{
    (void)state;
    char coid[TT_COID_MAX + 1];
    memset(coid, 'x', TT_COID_MAX);
    coid[TT_COID_MAX] = '\0';
    tt_paper_t p = s_model((tt_paper_cfg_t){.max_qty_per_tick = 1});
    s_submit(&p, s_ord(coid, TT_SIDE_BUY, TT_ORD_MARKET, TT_TIF_GTC, 12, 0, 0),
             0);
    for (unsigned i = 1; i <= 12; i++) {
        assert_int_equal(s_tick(&p, i, 10000, 100), 1);
        char want[TT_FILL_ID_MAX + 1];
        snprintf(want, sizeof want, "%s:%u", coid, i);
        assert_string_equal(s_ev[0].fill_id, want);
        assert_string_equal(s_ev[0].coid, coid);
    }
    assert_int_equal(p.n, 0);
}

static void test_latency(void **state)
{
    (void)state;
    tt_paper_t p = s_model((tt_paper_cfg_t){.latency_ns = 500 * MS});
    s_submit(&p, s_ord("a", TT_SIDE_BUY, TT_ORD_MARKET, TT_TIF_GTC, 1, 0, 0),
             1000 * MS);
    assert_int_equal(s_tick(&p, 1499 * MS, 10000, 10), 0);
    assert_int_equal(s_tick(&p, 1500 * MS, 10010, 10), 1);
    assert_int_equal(s_ev[0].px, 10010);
}

static void test_ioc_and_day_expiry(void **state)
{
    (void)state;
    tt_paper_t p = s_model((tt_paper_cfg_t){.max_qty_per_tick = 4});
    s_submit(&p, s_ord("li", TT_SIDE_BUY, TT_ORD_LIMIT, TT_TIF_IOC, 3, 9000, 0),
             0);
    s_submit(&p, s_ord("mi", TT_SIDE_BUY, TT_ORD_MARKET, TT_TIF_IOC, 6, 0, 0),
             0);
    s_submit(&p, s_ord("st", TT_SIDE_BUY, TT_ORD_STOP, TT_TIF_IOC, 2, 0, 11000),
             0);
    /* li is not through: expires. mi gets 4 of 6, the rest expires. The
       IOC stop is not triggered yet, so it waits. */
    assert_int_equal(s_tick(&p, 1, 10000, 100), 3);
    assert_int_equal(s_ev[0].kind, TT_PAPER_EXPIRED);
    assert_string_equal(s_ev[0].coid, "li");
    assert_int_equal(s_ev[1].kind, TT_PAPER_FILL);
    assert_int_equal(s_ev[1].qty, 4);
    assert_int_equal(s_ev[2].kind, TT_PAPER_EXPIRED);
    assert_string_equal(s_ev[2].coid, "mi");
    assert_int_equal(p.n, 1);
    s_submit(
        &p, s_ord("d", TT_SIDE_SELL, TT_ORD_LIMIT, TT_TIF_DAY, 1, 20000, 0), 2);
    s_submit(
        &p, s_ord("g", TT_SIDE_SELL, TT_ORD_LIMIT, TT_TIF_GTC, 1, 20000, 0), 2);
    tt_paper_event_t out[TT_PAPER_ORDERS];
    assert_int_equal(tt_paper_end_session(&p, 3, out, TT_PAPER_ORDERS), 1);
    assert_int_equal(out[0].kind, TT_PAPER_EXPIRED);
    assert_string_equal(out[0].coid, "d");
    assert_non_null(tt_paper_find(&p, "g"));
    assert_null(tt_paper_find(&p, "d"));
    assert_int_equal(tt_paper_end_session(&p, 3, out, 1), -1);
}

static void test_cancel_replace_and_retry(void **state)
{
    (void)state;
    tt_paper_t p = s_model((tt_paper_cfg_t){0});
    tt_order_t o =
        s_ord("a", TT_SIDE_BUY, TT_ORD_LIMIT, TT_TIF_GTC, 2, 9000, 0);
    s_submit(&p, o, 0);
    /* A retried send of the same client id is not a second order. */
    assert_int_equal(tt_paper_submit(&p, &o, 0), 1);
    assert_int_equal(p.n, 1);
    tt_order_t r =
        s_ord("a2", TT_SIDE_BUY, TT_ORD_LIMIT, TT_TIF_GTC, 2, 9500, 0);
    assert_int_equal(tt_paper_replace(&p, "a", &r, 1), 0);
    assert_null(tt_paper_find(&p, "a"));
    assert_int_equal(s_tick(&p, 2, 9400, 10), 1);
    assert_string_equal(s_ev[0].coid, "a2");
    assert_int_equal(s_ev[0].px, 9500);
    assert_int_equal(tt_paper_cancel(&p, "a2"), -1); /* already filled */
    assert_int_equal(tt_paper_replace(&p, "nope", &r, 3), -1);
    s_submit(&p, o, 4);
    assert_int_equal(tt_paper_cancel(&p, "a"), 0);
    assert_int_equal(s_tick(&p, 5, 8000, 10), 0);
}

static void test_bad_input(void **state)
{
    (void)state;
    tt_paper_t p = s_model((tt_paper_cfg_t){0});
    tt_order_t bad[] = {
        s_ord("", TT_SIDE_BUY, TT_ORD_MARKET, TT_TIF_GTC, 1, 0, 0),
        s_ord("q", TT_SIDE_BUY, TT_ORD_MARKET, TT_TIF_GTC, 0, 0, 0),
        s_ord("l", TT_SIDE_BUY, TT_ORD_LIMIT, TT_TIF_GTC, 1, 0, 0),
        s_ord("s", TT_SIDE_SELL, TT_ORD_STOP, TT_TIF_GTC, 1, 0, 0),
        s_ord("x", (tt_side_t)0, TT_ORD_MARKET, TT_TIF_GTC, 1, 0, 0),
        s_ord("t", TT_SIDE_BUY, TT_ORD_MARKET, (tt_tif_t)9, 1, 0, 0),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tt_paper_submit(&p, &bad[i], 0), -1);
    assert_int_equal(p.n, 0);
    tt_tick_t t = {.ts = 1, .price = 0, .size = 1};
    assert_int_equal(tt_paper_on_tick(&p, &t, s_ev, TT_PAPER_EVENTS_MAX), -1);
    t.price = 100;
    assert_int_equal(tt_paper_on_tick(&p, &t, s_ev, 3), -1);
    assert_non_null(strstr(p.err, "event buffer"));
    tt_paper_cfg_t cfg = {.fee_bps = 10001};
    assert_int_equal(tt_paper_init(&p, &cfg, &s_inst), -1);
    cfg = (tt_paper_cfg_t){.latency_ns = -1};
    assert_int_equal(tt_paper_init(&p, &cfg, &s_inst), -1);
    p = s_model((tt_paper_cfg_t){0});
    for (int i = 0; i < TT_PAPER_ORDERS; i++) {
        char id[8];
        snprintf(id, sizeof id, "o%d", i);
        s_submit(&p, s_ord(id, TT_SIDE_BUY, TT_ORD_LIMIT, TT_TIF_GTC, 1, 1, 0),
                 0);
    }
    tt_order_t more =
        s_ord("full", TT_SIDE_BUY, TT_ORD_LIMIT, TT_TIF_GTC, 1, 1, 0);
    assert_int_equal(tt_paper_submit(&p, &more, 0), -1);
}

/* ---- determinism ----------------------------------------------------- */

static uint64_t s_rng;
static uint32_t s_next(void)
{
    s_rng = s_rng * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(s_rng >> 33);
}

enum { NTICKS = 2000, NEV = 4096 };

/* One run: the same seeded orders and ticks; returns the event count. */
static int s_run(tt_paper_event_t *all)
{
    s_rng = 42;
    tt_paper_t p = s_model((tt_paper_cfg_t){.slippage_bps = 3,
                                            .fee_bps = 7,
                                            .fee_fixed = 1,
                                            .participation_bps = 2500,
                                            .latency_ns = 3 * MS});
    int n = 0;
    tt_px_t px = 10000;
    for (int i = 0; i < NTICKS; i++) {
        if (i % 25 == 0 && p.n < TT_PAPER_ORDERS - 1) {
            char id[16];
            snprintf(id, sizeof id, "o%d", i);
            tt_ord_type_t type = (tt_ord_type_t)(1 + s_next() % 4);
            tt_side_t side = s_next() % 2 ? TT_SIDE_BUY : TT_SIDE_SELL;
            tt_px_t off = 5 * (tt_px_t)(s_next() % 20);
            tt_px_t lim = side == TT_SIDE_BUY ? px - off : px + off;
            tt_px_t stp = side == TT_SIDE_BUY ? px + off : px - off;
            s_submit(&p,
                     s_ord(id, side, type, TT_TIF_GTC,
                           1 + (tt_qty_t)(s_next() % 30), lim, stp),
                     (tt_ns_t)i * MS);
        }
        px += 5 * ((tt_px_t)(s_next() % 5) - 2);
        int k = s_tick(&p, (tt_ns_t)i * MS, px, 1 + (tt_qty_t)(s_next() % 40));
        assert_true(n + k <= NEV);
        memcpy(&all[n], s_ev, (size_t)k * sizeof s_ev[0]);
        n += k;
    }
    return n;
}

static void test_determinism(void **state)
{
    (void)state;
    static tt_paper_event_t a[NEV], b[NEV];
    int na = s_run(a);
    int nb = s_run(b);
    assert_int_equal(na, nb);
    assert_true(na > 50);
    assert_memory_equal(a, b, (size_t)na * sizeof a[0]);
    /* Every fill id is unique. */
    for (int i = 0; i < na; i++)
        for (int j = i + 1; j < na; j++)
            if (a[i].kind == TT_PAPER_FILL && a[j].kind == TT_PAPER_FILL)
                assert_string_not_equal(a[i].fill_id, a[j].fill_id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_market_slippage_and_fees),
        cmocka_unit_test(test_limit_strictly_through),
        cmocka_unit_test(test_stop_and_stop_limit),
        cmocka_unit_test(test_partial_fills),
        cmocka_unit_test(test_partial_fills_lots_and_fixed_fee),
        cmocka_unit_test(test_fill_ids_at_longest),
        cmocka_unit_test(test_latency),
        cmocka_unit_test(test_ioc_and_day_expiry),
        cmocka_unit_test(test_cancel_replace_and_retry),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
