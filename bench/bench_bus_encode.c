/*  bench/bench_bus_encode.c: the bus thread's encoding of one event
    (bus/convert.c, tt_bus_encode) per kind, as a backtest's bus does it
    for every order, fill and position event: the published protobuf
    Event that the events table stores and the PUB socket sends.

    Prints ns per event for each kind; `bench_bus_encode KIND` runs only
    that kind (order, fill, position, candle, lifecycle), for callgrind:
        valgrind --tool=callgrind --toggle-collect=tt_bus_encode \
            build-rel/bench/bench_bus_encode order
    whose instruction count divided by S_ROUNDS is the cost per event. */
#include "bus/bus_internal.h"

#include <czmq.h>
#include <stdio.h>
#include <string.h>

#define S_ROUNDS 200000

static const tt_instrument_t s_inst = {
    .px_decimals = 2, .qty_decimals = 3, .tick_size = 1, .lot_size = 1};

typedef union {
    tt_evt_order_t order;
    tt_evt_fill_t fill;
    tt_candle_t candle;
    tt_evt_lifecycle_t life;
} s_body_t;

/* A body as a 100-symbol backtest makes them: a bracket's stop order
   accepted, its fill and the position after it, a 1 s candle, an
   actor started. */
static uint16_t s_body(const char *kind, s_body_t *b)
{
    memset(b, 0, sizeof *b);
    if (strcmp(kind, "order") == 0) {
        tt_order_t *o = &b->order.order;
        snprintf(o->coid, sizeof o->coid, "tt-S42-17-s");
        snprintf(b->order.parent_coid, sizeof b->order.parent_coid,
                 "tt-S42-17-e");
        o->side = TT_SIDE_SELL;
        o->type = TT_ORD_STOP;
        o->role = TT_ROLE_STOP;
        o->state = TT_OS_ACCEPTED;
        o->qty = 1000;
        o->stop_px = 10012;
        o->updated_ts = 1767571200 * TT_NS_PER_SEC;
        return TT_EVT_ORDER;
    }
    if (strcmp(kind, "fill") == 0 || strcmp(kind, "position") == 0) {
        tt_fill_t *f = &b->fill.fill;
        snprintf(f->coid, sizeof f->coid, "tt-S42-17-e");
        snprintf(f->fill_id, sizeof f->fill_id, "tt-S42-17-e:1");
        f->side = TT_SIDE_BUY;
        f->px = 10037;
        f->qty = 1000;
        f->exec_qty = 1000;
        f->fee = 3;
        f->commission = 3;
        f->commission_decimals = 2;
        f->ts = 1767571200 * TT_NS_PER_SEC;
        tt_position_init(&b->fill.pos, 3);
        b->fill.pos.qty = 1000;
        b->fill.pos.realized = -131;
        b->fill.pos.fees = 129;
        b->fill.pos.trips = 44;
        return strcmp(kind, "fill") == 0 ? TT_EVT_FILL : TT_EVT_POSITION_T;
    }
    if (strcmp(kind, "candle") == 0) {
        b->candle = (tt_candle_t){.open_ts = 1767571200 * TT_NS_PER_SEC,
                                  .tf_s = 1,
                                  .open = 10037,
                                  .high = 10041,
                                  .low = 10030,
                                  .close = 10033,
                                  .volume = 20000,
                                  .trades = 20,
                                  .closed = true};
        return TT_EVT_CANDLE;
    }
    if (strcmp(kind, "lifecycle") == 0) {
        snprintf(b->life.path, sizeof b->life.path, "S42/execution");
        b->life.from = 1;
        b->life.to = 2;
        snprintf(b->life.reason, sizeof b->life.reason, "start");
        return TT_EVT_LIFECYCLE;
    }
    return 0;
}

/* Encodes KIND S_ROUNDS times; ns per event, the size in *SIZE. */
static double s_run(const char *kind, size_t *size)
{
    s_body_t body;
    uint16_t type = s_body(kind, &body);
    uint8_t out[TT_BUS_EVENT_MAX];
    int64_t ts = 0;
    int64_t t0 = zclock_usecs();
    for (uint64_t seq = 1; seq <= S_ROUNDS; seq++)
        *size = tt_bus_encode(type, &body, "S42", &s_inst, seq, &ts, out,
                              sizeof out);
    return (double)(zclock_usecs() - t0) * 1e3 / S_ROUNDS;
}

int main(int argc, char **argv)
{
    static const char *const kinds[] = {"order", "fill", "position", "candle",
                                        "lifecycle"};
    printf("%-10s %8s %6s\n", "event", "ns/event", "bytes");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (argc > 1 && strcmp(argv[1], kinds[i]) != 0)
            continue;
        size_t size = 0;
        double ns = s_run(kinds[i], &size);
        if (size == 0) {
            fprintf(stderr, "%s: not encoded\n", kinds[i]);
            return 1;
        }
        printf("%-10s %8.1f %6zu\n", kinds[i], ns, size);
    }
    return 0;
}
