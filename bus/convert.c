/*  bus/convert.c: internal event frames (messages/internal.h) into the
    published protobuf Event (messages/events.proto) and its topic. The one
    place where an event body leaves the process, so the one place that
    turns scaled integers into decimal strings. */
#include "bus/bus_internal.h"
#include "marketdata/decimal.h"
#include "orders/money.h"
#include "risk/risk.h"
#include "events.pb-c.h"

#include <ctype.h>
#include <stdio.h>
#include <assert.h>
#include <string.h>

void tt_bus_copy(char *dst, size_t cap, const char *s)
{
    assert(dst && cap > 0);
    size_t n = s ? strnlen(s, cap - 1) : 0;
    memcpy(dst, s ? s : "", n);
    dst[n] = '\0';
}

void tt_bus_topic(char *buf, size_t size, uint16_t type, const char *symbol)
{
    const char *family = type == TT_EVT_ORDER        ? "trade.order."
                         : type == TT_EVT_FILL       ? "trade.fill."
                         : type == TT_EVT_REJECTION  ? "trade.rejection."
                         : type == TT_EVT_CANDLE     ? "md.candle."
                         : type == TT_EVT_LIFECYCLE  ? "life."
                         : type == TT_EVT_POSITION_T ? "trade.position."
                         : type == TT_EVT_BREAKER    ? "trade.breaker."
                         : type == TT_EVT_EOD        ? "trade.eod."
                         : type == TT_EVT_RECONCILE  ? "trade.reconcile."
                         : type == TT_EVT_PROTECTION ? "trade.protection."
                                                     : "other.";
    /* family + symbol, cut to fit (a copy, not snprintf: this runs for
       every event on the bus thread). */
    assert(buf && size > 0);
    const char *sym = symbol && *symbol ? symbol : "root";
    size_t f = strnlen(family, size - 1);
    size_t n = strnlen(sym, size - 1 - f);
    memcpy(buf, family, f);
    memcpy(buf + f, sym, n);
    buf[f + n] = '\0';
}

/* Lower-case copy of a state or type name ("PARTIALLY_FILLED"). */
static void s_lower(char *out, size_t size, const char *in)
{
    size_t i = 0;
    for (; in[i] && i + 1 < size; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = '\0';
}

typedef struct {
    char qty[32], filled[32], limit[32], stop[32];
    char side[8], type[16], state[24];
} s_order_text_t;

static void s_order(const tt_evt_order_t *in, const tt_instrument_t *inst,
                    s_order_text_t *t, Tt__Order *out)
{
    const tt_order_t *o = &in->order;
    tt_decimal_format(o->qty, inst->qty_decimals, t->qty, sizeof t->qty);
    tt_decimal_format(o->filled, inst->qty_decimals, t->filled,
                      sizeof t->filled);
    t->limit[0] = t->stop[0] = '\0';
    if (o->limit_px)
        tt_decimal_format(o->limit_px, inst->px_decimals, t->limit,
                          sizeof t->limit);
    if (o->stop_px)
        tt_decimal_format(o->stop_px, inst->px_decimals, t->stop,
                          sizeof t->stop);
    s_lower(t->side, sizeof t->side, tt_side_name(o->side));
    s_lower(t->type, sizeof t->type, tt_ord_type_name(o->type));
    s_lower(t->state, sizeof t->state, tt_ord_state_name(o->state));
    out->client_order_id = (char *)o->coid;
    out->side = t->side;
    out->type = t->type;
    /* protobuf-c only reads the strings it packs. */
    out->role = (char *)(o->role == TT_ROLE_ENTRY    ? "entry"
                         : o->role == TT_ROLE_STOP   ? "stop"
                         : o->role == TT_ROLE_TARGET ? "target"
                                                     : "exit");
    out->state = t->state;
    out->qty = t->qty;
    out->filled = t->filled;
    out->limit_price = t->limit;
    out->stop_price = t->stop;
    out->reason = (char *)o->reason;
    out->replaces = (char *)in->parent_coid;
}

typedef struct {
    char px[32], qty[32], fee[32], side[8], exec_qty[32], commission[32];
} s_fill_text_t;

static void s_fill(const tt_fill_t *f, const tt_instrument_t *inst,
                   s_fill_text_t *t, Tt__Fill *out)
{
    tt_decimal_format(f->px, inst->px_decimals, t->px, sizeof t->px);
    tt_decimal_format(f->qty, inst->qty_decimals, t->qty, sizeof t->qty);
    tt_decimal_format(f->fee, inst->px_decimals, t->fee, sizeof t->fee);
    s_lower(t->side, sizeof t->side, tt_side_name(f->side));
    out->client_order_id = (char *)f->coid;
    out->fill_id = (char *)f->fill_id;
    out->side = t->side;
    out->price = t->px;
    out->qty = t->qty;
    out->fee = t->fee;
    tt_decimal_format(f->exec_qty ? f->exec_qty : f->qty, inst->qty_decimals,
                      t->exec_qty, sizeof t->exec_qty);
    if (tt_decimal_format(f->commission, f->commission_decimals, t->commission,
                          sizeof t->commission) < 0)
        t->commission[0] = '\0'; /* decimals out of range: unknown */
    out->executed_qty = t->exec_qty;
    out->commission = t->commission;
    out->commission_asset = (char *)f->commission_asset;
}

typedef struct {
    char qty[32], avg[32], realized[32], fees[32];
} s_pos_text_t;

static void s_position(const tt_position_t *p, const tt_instrument_t *inst,
                       s_pos_text_t *t, Tt__Position *out)
{
    tt_decimal_format(p->qty, inst->qty_decimals, t->qty, sizeof t->qty);
    tt_decimal_format(tt_position_avg_px(p), inst->px_decimals, t->avg,
                      sizeof t->avg);
    tt_decimal_format(p->realized, inst->px_decimals, t->realized,
                      sizeof t->realized);
    tt_decimal_format(p->fees, inst->px_decimals, t->fees, sizeof t->fees);
    out->qty = t->qty;
    out->avg_price = t->avg;
    out->realized_pnl = t->realized;
    out->fees = t->fees;
    out->trips = p->trips;
}

typedef struct {
    char o[32], h[32], l[32], c[32], v[32];
} s_candle_text_t;

static void s_candle(const tt_candle_t *c, const tt_instrument_t *inst,
                     s_candle_text_t *t, Tt__Candle *out)
{
    int px = inst->px_decimals;
    tt_decimal_format(c->open, px, t->o, sizeof t->o);
    tt_decimal_format(c->high, px, t->h, sizeof t->h);
    tt_decimal_format(c->low, px, t->l, sizeof t->l);
    tt_decimal_format(c->close, px, t->c, sizeof t->c);
    tt_decimal_format(c->volume, inst->qty_decimals, t->v, sizeof t->v);
    out->timeframe_s = c->tf_s;
    out->open_ts_ns = c->open_ts;
    out->open = t->o;
    out->high = t->h;
    out->low = t->l;
    out->close = t->c;
    out->volume = t->v;
    out->trades = c->trades;
}

static const char *s_signal_name(int32_t kind)
{
    switch (kind) {
    case TT_SIG_ENTER_LONG:
        return "enter_long";
    case TT_SIG_ENTER_SHORT:
        return "enter_short";
    case TT_SIG_EXIT:
        return "exit";
    case TT_SIG_MOVE_STOP:
        return "move_stop";
    default:
        return "none";
    }
}

/* The event's own time: when it happened, not when the bus saw it. */
static int64_t s_event_ts(uint16_t type, const void *body)
{
    switch (type) {
    case TT_EVT_ORDER:
        return ((const tt_evt_order_t *)body)->order.updated_ts;
    case TT_EVT_FILL:
    case TT_EVT_POSITION_T:
        return ((const tt_evt_fill_t *)body)->fill.ts;
    case TT_EVT_CANDLE: {
        const tt_candle_t *c = body;
        return c->open_ts + (int64_t)c->tf_s * TT_NS_PER_SEC;
    }
    case TT_EVT_LIFECYCLE:
        return ((const tt_evt_lifecycle_t *)body)->ts;
    case TT_EVT_REJECTION:
        return ((const tt_evt_rejection_t *)body)->ts;
    case TT_EVT_BREAKER:
        return ((const tt_evt_breaker_t *)body)->ts;
    case TT_EVT_EOD:
        return ((const tt_evt_eod_t *)body)->ts;
    case TT_EVT_RECONCILE:
        return ((const tt_evt_reconcile_t *)body)->ts;
    case TT_EVT_PROTECTION:
        return ((const tt_evt_protection_t *)body)->ts;
    default:
        return 0;
    }
}

typedef struct {
    char gross[32], fees[32], net[32], dd[32];
} s_eod_text_t;

static void s_eod(const tt_evt_eod_t *in, s_eod_text_t *t, Tt__EodSummary *out)
{
    tt_decimal_format(in->gross, in->decimals, t->gross, sizeof t->gross);
    tt_decimal_format(in->fees, in->decimals, t->fees, sizeof t->fees);
    tt_decimal_format(in->net, in->decimals, t->net, sizeof t->net);
    tt_decimal_format(in->max_drawdown, in->decimals, t->dd, sizeof t->dd);
    out->venue = (char *)in->venue;
    out->session = in->session_id;
    out->symbol = (char *)in->symbol;
    out->trades = in->trades;
    out->wins = in->wins;
    out->win_rate_bp = (uint32_t)in->win_rate_bp;
    out->gross_pnl = t->gross;
    out->fees = t->fees;
    out->net_pnl = t->net;
    out->max_drawdown = t->dd;
}

size_t tt_bus_encode(uint16_t type, const void *body, const char *symbol,
                     const tt_instrument_t *inst, uint64_t seq, int64_t *ts,
                     uint8_t *out, size_t cap)
{
    Tt__Event ev = TT__EVENT__INIT;
    ev.seq = seq;
    ev.ts_ns = s_event_ts(type, body);
    *ts = ev.ts_ns;
    ev.symbol = (char *)(symbol ? symbol : "");
    Tt__Order order = TT__ORDER__INIT;
    Tt__Fill fill = TT__FILL__INIT;
    Tt__Position pos = TT__POSITION__INIT;
    Tt__Candle candle = TT__CANDLE__INIT;
    Tt__Lifecycle life = TT__LIFECYCLE__INIT;
    Tt__Rejection rej = TT__REJECTION__INIT;
    Tt__Breaker brk = TT__BREAKER__INIT;
    Tt__EodSummary eod = TT__EOD_SUMMARY__INIT;
    Tt__Reconcile rec = TT__RECONCILE__INIT;
    Tt__Protection prot = TT__PROTECTION__INIT;
    s_eod_text_t et;
    s_order_text_t ot;
    s_fill_text_t ft;
    s_pos_text_t pt;
    s_candle_text_t ct;
    switch (type) {
    case TT_EVT_ORDER:
        s_order(body, inst, &ot, &order);
        ev.body_case = TT__EVENT__BODY_ORDER;
        ev.order = &order;
        break;
    case TT_EVT_FILL:
        s_fill(&((const tt_evt_fill_t *)body)->fill, inst, &ft, &fill);
        ev.body_case = TT__EVENT__BODY_FILL;
        ev.fill = &fill;
        break;
    case TT_EVT_POSITION_T:
        s_position(&((const tt_evt_fill_t *)body)->pos, inst, &pt, &pos);
        ev.body_case = TT__EVENT__BODY_POSITION;
        ev.position = &pos;
        break;
    case TT_EVT_CANDLE:
        s_candle(body, inst, &ct, &candle);
        ev.body_case = TT__EVENT__BODY_CANDLE;
        ev.candle = &candle;
        break;
    case TT_EVT_LIFECYCLE: {
        const tt_evt_lifecycle_t *l = body;
        life.path = (char *)l->path;
        life.from = (Tt__State)l->from;
        life.to = (Tt__State)l->to;
        life.reason = (char *)l->reason;
        ev.body_case = TT__EVENT__BODY_LIFECYCLE;
        ev.lifecycle = &life;
        break;
    }
    case TT_EVT_REJECTION: {
        const tt_evt_rejection_t *r = body;
        rej.signal = (char *)s_signal_name(r->kind);
        rej.reason = (char *)tt_risk_reason_name((tt_risk_reason_t)r->reason);
        rej.text = (char *)r->text;
        ev.body_case = TT__EVENT__BODY_REJECTION;
        ev.rejection = &rej;
        break;
    }
    case TT_EVT_BREAKER: {
        const tt_evt_breaker_t *b = body;
        brk.tripped = b->tripped != 0;
        brk.errors = b->errors;
        brk.reason = (char *)b->reason;
        ev.body_case = TT__EVENT__BODY_BREAKER;
        ev.breaker = &brk;
        break;
    }
    case TT_EVT_EOD:
        s_eod(body, &et, &eod);
        ev.body_case = TT__EVENT__BODY_EOD;
        ev.eod = &eod;
        break;
    case TT_EVT_RECONCILE: {
        const tt_evt_reconcile_t *r = body;
        rec.action = (char *)tt_recon_action_name(r->action);
        rec.client_order_id = (char *)r->coid;
        rec.fill_id = (char *)r->fill_id;
        rec.reason = (char *)r->reason;
        ev.body_case = TT__EVENT__BODY_RECONCILE;
        ev.reconcile = &rec;
        break;
    }
    case TT_EVT_PROTECTION: {
        const tt_evt_protection_t *p = body;
        prot.unprotected = p->unprotected != 0;
        prot.since_ns = p->since;
        prot.reason = (char *)p->reason;
        prot.retry_ns = p->retry_at;
        ev.body_case = TT__EVENT__BODY_PROTECTION;
        ev.protection = &prot;
        break;
    }
    default:
        return 0;
    }
    size_t need = tt__event__get_packed_size(&ev);
    if (need > cap)
        return 0;
    return tt__event__pack(&ev, out);
}
