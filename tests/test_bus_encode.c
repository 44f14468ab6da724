/*  tests/test_bus_encode.c: the bus's encoding of every event kind
    (bus/convert.c, tt_bus_encode). It packs in one walk, checking that the
    Event fits the caller's buffer against a bound counted while its fields
    are set, instead of protobuf-c's own sizing: the bytes must still be
    exactly protobuf-c's (the events table and the PUB frames carry them),
    a buffer one byte short must still be refused, and a frame's string
    without its NUL must be refused rather than packed past its field.
    Every kind is tried with each of its strings at its longest. */
#include "tests/harness.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "bus/bus_internal.h"
#include "events.pb-c.h"
#include "messages/internal.h"

static const tt_instrument_t s_inst = {
    .px_decimals = 2, .qty_decimals = 3, .tick_size = 1, .lot_size = 1};

/* The symbol every event is about: a long one. */
static const char *s_symbol = "SYMBOL-WITH-A-LONG-NAME-0123456789";

typedef union {
    tt_evt_order_t order;
    tt_evt_fill_t fill;
    tt_candle_t candle;
    tt_evt_lifecycle_t life;
    tt_evt_rejection_t rej;
    tt_evt_breaker_t brk;
    tt_evt_eod_t eod;
    tt_evt_reconcile_t rec;
    tt_evt_protection_t prot;
} s_any_t;

/* Fills a string field of CAP bytes to its longest (CAP - 1 bytes of C). */
#define S_FULL(field, c)                                                       \
    do {                                                                       \
        memset((field), (c), sizeof(field) - 1);                               \
        (field)[sizeof(field) - 1] = '\0';                                     \
    } while (0)

static void s_order(tt_evt_order_t *o)
{
    S_FULL(o->order.coid, 'c');
    S_FULL(o->order.reason, 'r');
    S_FULL(o->parent_coid, 'p');
    o->order.side = TT_SIDE_SELL;
    o->order.type = TT_ORD_STOP_LIMIT;
    o->order.role = TT_ROLE_TARGET;
    o->order.state = TT_OS_PARTIALLY_FILLED;
    o->order.qty = INT64_MAX;
    o->order.filled = INT64_MIN;
    o->order.limit_px = -1;
    o->order.stop_px = 123456789;
    o->order.updated_ts = INT64_MAX;
}

static void s_fill(tt_evt_fill_t *f)
{
    S_FULL(f->fill.coid, 'c');
    S_FULL(f->fill.fill_id, 'f');
    S_FULL(f->fill.commission_asset, 'a');
    f->fill.side = TT_SIDE_BUY;
    f->fill.px = INT64_MIN;
    f->fill.qty = INT64_MAX;
    f->fill.fee = -5;
    f->fill.exec_qty = INT64_MIN;
    f->fill.commission = INT64_MAX;
    f->fill.commission_decimals = 18;
    f->fill.ts = -1;
    tt_position_init(&f->pos, 3);
    f->pos.qty = INT64_MIN + 1;
    f->pos.realized = INT64_MAX;
    f->pos.fees = INT64_MIN;
    f->pos.trips = UINT32_MAX;
}

static void s_candle(tt_candle_t *c)
{
    c->open_ts = INT64_MIN / 2; /* negative: ten bytes; its end still fits */
    c->tf_s = -1;
    c->open = INT64_MAX;
    c->high = INT64_MAX;
    c->low = INT64_MIN;
    c->close = INT64_MIN;
    c->volume = INT64_MAX;
    c->trades = UINT32_MAX;
}

static void s_service(uint16_t type, s_any_t *a)
{
    switch (type) {
    case TT_EVT_LIFECYCLE:
        S_FULL(a->life.path, 'p');
        S_FULL(a->life.reason, 'r');
        a->life.from = -1; /* a negative enum packs to ten bytes */
        a->life.to = INT32_MAX;
        a->life.ts = INT64_MIN;
        break;
    case TT_EVT_REJECTION:
        S_FULL(a->rej.text, 't');
        a->rej.kind = TT_SIG_MOVE_STOP;
        a->rej.reason = 1;
        break;
    case TT_EVT_BREAKER:
        S_FULL(a->brk.reason, 'r');
        a->brk.tripped = 1;
        a->brk.errors = UINT32_MAX;
        break;
    case TT_EVT_EOD:
        S_FULL(a->eod.venue, 'v');
        S_FULL(a->eod.symbol, 's');
        a->eod.decimals = 18;
        a->eod.session_id = INT32_MIN;
        a->eod.trades = a->eod.wins = UINT32_MAX;
        a->eod.win_rate_bp = -1;
        a->eod.gross = a->eod.max_drawdown = INT64_MIN;
        a->eod.fees = a->eod.net = INT64_MAX;
        break;
    case TT_EVT_RECONCILE:
        S_FULL(a->rec.coid, 'c');
        S_FULL(a->rec.fill_id, 'f');
        S_FULL(a->rec.reason, 'r');
        a->rec.action = TT_RECON_CANCEL_AT_BROKER;
        break;
    case TT_EVT_PROTECTION:
        S_FULL(a->prot.reason, 'r');
        a->prot.unprotected = 1;
        a->prot.since = INT64_MIN;
        a->prot.retry_at = INT64_MAX;
        break;
    }
}

/* Every kind the bus publishes, each body at its longest. */
static const uint16_t s_kinds[] = {
    TT_EVT_ORDER,     TT_EVT_FILL,      TT_EVT_POSITION_T, TT_EVT_CANDLE,
    TT_EVT_LIFECYCLE, TT_EVT_REJECTION, TT_EVT_BREAKER,    TT_EVT_EOD,
    TT_EVT_RECONCILE, TT_EVT_PROTECTION};
#define S_KINDS (sizeof s_kinds / sizeof s_kinds[0])

static void s_longest(uint16_t type, s_any_t *a)
{
    memset(a, 0, sizeof *a);
    if (type == TT_EVT_ORDER)
        s_order(&a->order);
    else if (type == TT_EVT_FILL || type == TT_EVT_POSITION_T)
        s_fill(&a->fill);
    else if (type == TT_EVT_CANDLE)
        s_candle(&a->candle);
    else
        s_service(type, a);
}

/* The bytes protobuf-c packs for what BUF unpacks to, sized its own way
   (get_packed_size, then pack), into OUT; their size. */
static size_t s_repack(const uint8_t *buf, size_t n, uint8_t *out, size_t cap)
{
    Tt__Event *ev = tt__event__unpack(NULL, n, buf);
    assert_non_null(ev);
    size_t need = tt__event__get_packed_size(ev);
    assert_true(need <= cap);
    size_t m = tt__event__pack(ev, out);
    assert_int_equal(m, need);
    tt__event__free_unpacked(ev, NULL);
    return m;
}

/* Each kind at its longest packs to protobuf-c's own bytes, within
   TT_BUS_EVENT_MAX, with its longest strings whole. */
static void test_every_kind_is_protobuf_c(void **state)
{
    (void)state;
    for (size_t k = 0; k < S_KINDS; k++) {
        s_any_t a;
        s_longest(s_kinds[k], &a);
        uint8_t buf[TT_BUS_EVENT_MAX], again[TT_BUS_EVENT_MAX];
        int64_t ts = 0;
        size_t n = tt_bus_encode(s_kinds[k], &a, s_symbol, &s_inst, UINT64_MAX,
                                 &ts, buf, sizeof buf);
        assert_true(n > 0);
        assert_int_equal(s_repack(buf, n, again, sizeof again), n);
        assert_memory_equal(again, buf, n);
        Tt__Event *ev = tt__event__unpack(NULL, n, buf);
        assert_non_null(ev);
        assert_true(ev->seq == UINT64_MAX);
        assert_int_equal(ev->ts_ns, ts);
        assert_string_equal(ev->symbol, s_symbol);
        assert_int_not_equal(ev->body_case, TT__EVENT__BODY__NOT_SET);
        if (s_kinds[k] == TT_EVT_ORDER) {
            assert_string_equal(ev->order->reason, a.order.order.reason);
            assert_string_equal(ev->order->replaces, a.order.parent_coid);
            assert_string_equal(ev->order->state, "partially_filled");
            assert_string_equal(ev->order->qty, "9223372036854775.807");
        }
        if (s_kinds[k] == TT_EVT_LIFECYCLE)
            assert_string_equal(ev->lifecycle->reason, a.life.reason);
        tt__event__free_unpacked(ev, NULL);
    }
}

/* A buffer of exactly the packed size takes the event; one byte short
   (the bound then exceeds it: sized exactly) is refused, nothing
   written past it. */
static void test_short_buffer_refused(void **state)
{
    (void)state;
    for (size_t k = 0; k < S_KINDS; k++) {
        s_any_t a;
        s_longest(s_kinds[k], &a);
        uint8_t buf[TT_BUS_EVENT_MAX], exact[TT_BUS_EVENT_MAX + 1];
        int64_t ts = 0;
        size_t n = tt_bus_encode(s_kinds[k], &a, s_symbol, &s_inst, 7, &ts, buf,
                                 sizeof buf);
        assert_true(n > 1);
        memset(exact, 0xa5, sizeof exact);
        assert_int_equal(
            tt_bus_encode(s_kinds[k], &a, s_symbol, &s_inst, 7, &ts, exact, n),
            n);
        assert_memory_equal(exact, buf, n);
        assert_int_equal(exact[n], 0xa5);
        memset(exact, 0xa5, sizeof exact);
        assert_int_equal(tt_bus_encode(s_kinds[k], &a, s_symbol, &s_inst, 7,
                                       &ts, exact, n - 1),
                         0);
        assert_int_equal(exact[0], 0xa5);
        assert_int_equal(
            tt_bus_encode(s_kinds[k], &a, s_symbol, &s_inst, 7, &ts, exact, 0),
            0);
    }
}

/* A frame's string that fills its field without its NUL is refused:
   packing it would read past the field. */
static void test_unterminated_refused(void **state)
{
    (void)state;
    uint8_t buf[TT_BUS_EVENT_MAX];
    int64_t ts = 0;
    s_any_t a;
    s_longest(TT_EVT_LIFECYCLE, &a);
    memset(a.life.path, 'x', sizeof a.life.path);
    assert_int_equal(
        tt_bus_encode(TT_EVT_LIFECYCLE, &a, "", NULL, 1, &ts, buf, sizeof buf),
        0);
    s_longest(TT_EVT_ORDER, &a);
    memset(a.order.order.coid, 'x', sizeof a.order.order.coid);
    assert_int_equal(
        tt_bus_encode(TT_EVT_ORDER, &a, "S", &s_inst, 1, &ts, buf, sizeof buf),
        0);
    s_longest(TT_EVT_FILL, &a);
    memset(a.fill.fill.commission_asset, 'x',
           sizeof a.fill.fill.commission_asset);
    assert_int_equal(
        tt_bus_encode(TT_EVT_FILL, &a, "S", &s_inst, 1, &ts, buf, sizeof buf),
        0);
    /* ... and the same field one byte shorter is taken. */
    a.fill.fill.commission_asset[sizeof a.fill.fill.commission_asset - 1] = 0;
    assert_true(tt_bus_encode(TT_EVT_FILL, &a, "S", &s_inst, 1, &ts, buf,
                              sizeof buf) > 0);
}

/* The published names are orders/order.h's lowered, for every value
   (an unknown one "invalid"), as they were when they were lowered each
   time. */
static void test_names_lowered(void **state)
{
    (void)state;
    for (int state_v = 0; state_v <= TT_OS_MAX + 1; state_v++)
        for (int side = 0; side <= 3; side++) {
            int type = (state_v + side) % 6; /* 0 and 5: none */
            tt_evt_order_t o;
            memset(&o, 0, sizeof o);
            o.order.state = (tt_ord_state_t)state_v;
            o.order.side = (tt_side_t)side;
            o.order.type = (tt_ord_type_t)type;
            uint8_t buf[TT_BUS_EVENT_MAX];
            int64_t ts = 0;
            size_t n = tt_bus_encode(TT_EVT_ORDER, &o, "S", &s_inst, 1, &ts,
                                     buf, sizeof buf);
            assert_true(n > 0);
            Tt__Event *ev = tt__event__unpack(NULL, n, buf);
            assert_non_null(ev);
            const char *want[] = {tt_ord_state_name(o.order.state),
                                  tt_side_name(o.order.side),
                                  tt_ord_type_name(o.order.type)};
            const char *got[] = {ev->order->state, ev->order->side,
                                 ev->order->type};
            for (int i = 0; i < 3; i++) {
                char lower[32];
                size_t j = 0;
                for (; want[i][j] && j + 1 < sizeof lower; j++)
                    lower[j] = (char)tolower((unsigned char)want[i][j]);
                lower[j] = '\0';
                assert_string_equal(got[i], lower);
            }
            tt__event__free_unpacked(ev, NULL);
        }
}

/* A frame type that is no event is not encoded. */
static void test_not_an_event(void **state)
{
    (void)state;
    tt_evt_snapshot_t snap;
    memset(&snap, 0, sizeof snap);
    uint8_t buf[TT_BUS_EVENT_MAX];
    int64_t ts = 0;
    assert_int_equal(tt_bus_encode(TT_EVT_SNAPSHOT, &snap, "S", &s_inst, 1, &ts,
                                   buf, sizeof buf),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_is_protobuf_c),
        cmocka_unit_test(test_short_buffer_refused),
        cmocka_unit_test(test_unterminated_refused),
        cmocka_unit_test(test_names_lowered),
        cmocka_unit_test(test_not_an_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
