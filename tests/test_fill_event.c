/*  tests/test_fill_event.c: the published Fill event (messages/events.proto)
    as the bus packs it from a ledger fill (bus/convert.c): it carries the
    venue's executed quantity and its commission with the asset beside
    what reached the position, unpacks to the same text, packs to the
    same bytes every time (backtests stay byte-identical), and a Fill
    packed before those fields existed still unpacks (empty fields). */
#include "tests/harness.h"

#include <stdio.h>
#include <string.h>

#include "bus/bus_internal.h"
#include "events.pb-c.h"
#include "messages/internal.h"

static const tt_instrument_t s_inst = {
    .px_decimals = 2, .qty_decimals = 3, .tick_size = 1, .lot_size = 1};

/* A 0.500 BTC buy at 50000.00 of which Binance kept 0.001 BTC. */
static tt_evt_fill_t s_base_fill(void)
{
    tt_evt_fill_t in;
    memset(&in, 0, sizeof in);
    snprintf(in.fill.fill_id, sizeof in.fill.fill_id, "BTCUSDT:7");
    snprintf(in.fill.coid, sizeof in.fill.coid, "tt-BTCUSDT-1-e");
    in.fill.side = TT_SIDE_BUY;
    in.fill.px = 5000000;
    in.fill.qty = 499;
    in.fill.fee = 5000;
    in.fill.ts = 1700000000 * TT_NS_PER_SEC;
    in.fill.exec_qty = 500;
    in.fill.commission = 100000;
    in.fill.commission_decimals = 8;
    snprintf(in.fill.commission_asset, sizeof in.fill.commission_asset, "BTC");
    tt_position_init(&in.pos, 3);
    return in;
}

/* Packs IN as event 42 and unpacks it (the caller frees it). */
static Tt__Event *s_round_trip(const tt_evt_fill_t *in, uint8_t *buf,
                               size_t cap, size_t *n)
{
    int64_t ts = 0;
    *n = tt_bus_encode(TT_EVT_FILL, in, "BTCUSDT", &s_inst, 42, &ts, buf, cap);
    assert_true(*n > 0);
    assert_int_equal(ts, in->fill.ts);
    Tt__Event *ev = tt__event__unpack(NULL, *n, buf);
    assert_non_null(ev);
    assert_int_equal(ev->seq, 42);
    assert_int_equal(ev->body_case, TT__EVENT__BODY_FILL);
    return ev;
}

static void test_base_asset_commission(void **state)
{
    (void)state;
    tt_evt_fill_t in = s_base_fill();
    uint8_t buf[TT_BUS_EVENT_MAX], again[TT_BUS_EVENT_MAX];
    size_t n = 0, m = 0;
    Tt__Event *ev = s_round_trip(&in, buf, sizeof buf, &n);
    const Tt__Fill *f = ev->fill;
    assert_string_equal(f->client_order_id, "tt-BTCUSDT-1-e");
    assert_string_equal(f->fill_id, "BTCUSDT:7");
    assert_string_equal(f->side, "buy");
    assert_string_equal(f->price, "50000.00");
    assert_string_equal(f->qty, "0.499");
    assert_string_equal(f->fee, "50.00");
    assert_string_equal(f->executed_qty, "0.500");
    assert_string_equal(f->commission, "0.00100000");
    assert_string_equal(f->commission_asset, "BTC");
    tt__event__free_unpacked(ev, NULL);
    /* The same fill packs to the same bytes. */
    ev = s_round_trip(&in, again, sizeof again, &m);
    tt__event__free_unpacked(ev, NULL);
    assert_int_equal(m, n);
    assert_memory_equal(again, buf, n);
}

/* A paper fill: the fee is the commission, in no named asset, and the
   venue executed what reached the position. */
static void test_paper_fill(void **state)
{
    (void)state;
    tt_evt_fill_t in = s_base_fill();
    in.fill.qty = 500;
    in.fill.exec_qty = 500;
    in.fill.commission = in.fill.fee;
    in.fill.commission_decimals = s_inst.px_decimals;
    in.fill.commission_asset[0] = '\0';
    uint8_t buf[TT_BUS_EVENT_MAX];
    size_t n = 0;
    Tt__Event *ev = s_round_trip(&in, buf, sizeof buf, &n);
    assert_string_equal(ev->fill->executed_qty, "0.500");
    assert_string_equal(ev->fill->commission, "50.00");
    assert_string_equal(ev->fill->commission_asset, "");
    tt__event__free_unpacked(ev, NULL);
    /* A caller that left exec_qty 0 executed qty. */
    in.fill.exec_qty = 0;
    ev = s_round_trip(&in, buf, sizeof buf, &n);
    assert_string_equal(ev->fill->executed_qty, "0.500");
    tt__event__free_unpacked(ev, NULL);
}

/* Decimals out of range (never written by the book, whose gateways are
   checked) give an empty commission rather than stale text. */
static void test_bad_decimals(void **state)
{
    (void)state;
    tt_evt_fill_t in = s_base_fill();
    in.fill.commission_decimals = 19;
    uint8_t buf[TT_BUS_EVENT_MAX];
    size_t n = 0;
    Tt__Event *ev = s_round_trip(&in, buf, sizeof buf, &n);
    assert_string_equal(ev->fill->commission, "");
    assert_string_equal(ev->fill->commission_asset, "BTC");
    tt__event__free_unpacked(ev, NULL);
}

/* An event stored before fields 7..9 existed (only 1..6 set) unpacks
   with them empty: `ticktree events` replays old stores. */
static void test_old_fill_unpacks(void **state)
{
    (void)state;
    Tt__Fill fill = TT__FILL__INIT;
    fill.client_order_id = "tt-AAPL-1-e";
    fill.fill_id = "A-1";
    fill.side = "sell";
    fill.price = "100.00";
    fill.qty = "2";
    fill.fee = "0.00";
    Tt__Event ev = TT__EVENT__INIT;
    ev.seq = 3;
    ev.body_case = TT__EVENT__BODY_FILL;
    ev.fill = &fill;
    uint8_t buf[256];
    size_t n = tt__event__get_packed_size(&ev);
    assert_true(n <= sizeof buf);
    assert_int_equal(tt__event__pack(&ev, buf), n);
    Tt__Event *out = tt__event__unpack(NULL, n, buf);
    assert_non_null(out);
    assert_string_equal(out->fill->qty, "2");
    assert_string_equal(out->fill->executed_qty, "");
    assert_string_equal(out->fill->commission, "");
    assert_string_equal(out->fill->commission_asset, "");
    tt__event__free_unpacked(out, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_asset_commission),
        cmocka_unit_test(test_paper_fill),
        cmocka_unit_test(test_bad_decimals),
        cmocka_unit_test(test_old_fill_unpacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
