/*  bus/convert.c: internal event frames (messages/internal.h) into the
    published protobuf Event (messages/events.proto) and its topic. The one
    place where an event body leaves the process, so the one place that
    turns scaled integers into decimal strings. */
#include "bus/bus_internal.h"
#include "marketdata/decimal.h"
#include "orders/money.h"
#include "risk/risk.h"
#include "events.pb-c.h"

#include <assert.h>
#include <stdbool.h>
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

/* The most an Event packs to, counted while its fields are set, so that
   it is packed in one walk: protobuf-c's own sizing
   (get_packed_size) walks the whole message once more, a third of the
   encoding's instructions. A string field counts its bytes, a tag and
   a length; any other field a tag and a ten-byte varint; the body a tag
   and a length. The bytes are protobuf-c's either way: only the check
   that they fit the caller's buffer is cheaper. */
#define S_TAG_LEN 5 /* a tag (fields below 2048) and a length below 2 MiB */
#define S_VARINT 12 /* a tag and the longest varint */

typedef struct {
    size_t max;
    bool bad; /* a string without its NUL within its field */
} s_bound_t;

/* S, a string of at most CAP bytes with its NUL (a frame's field, or a
   buffer of ours), counted in B; a string that fills its field without
   its NUL makes the event malformed (packing it would read past it). */
static char *s_str(s_bound_t *b, const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == cap)
        b->bad = true;
    b->max += n + S_TAG_LEN;
    return (char *)s; /* protobuf-c only reads the strings it packs */
}

/* A name of ours (a literal, a configured symbol), counted in B. */
static char *s_name(s_bound_t *b, const char *s)
{
    b->max += strlen(s) + S_TAG_LEN;
    return (char *)s;
}

/* VALUE at DECIMALS as text into BUF (our own, 32 bytes: any int64 at
   any scale fits), counted in B by the length the formatting returns;
   "" when DECIMALS is out of range. */
static char *s_dec(s_bound_t *b, int64_t value, int decimals, char *buf,
                   size_t cap)
{
    int n = tt_decimal_format(value, decimals, buf, cap);
    if (n < 0) {
        buf[0] = '\0';
        n = 0;
    }
    b->max += (size_t)n + S_TAG_LEN;
    return buf;
}

/* The published names, lower case ("partially_filled"): as the upper-case
   names of orders/order.h lowered, without lowering each time. */
static const char *s_side_name(tt_side_t side)
{
    return side == TT_SIDE_BUY    ? "buy"
           : side == TT_SIDE_SELL ? "sell"
                                  : "invalid";
}

static const char *s_type_name(tt_ord_type_t type)
{
    switch (type) {
    case TT_ORD_MARKET:
        return "market";
    case TT_ORD_LIMIT:
        return "limit";
    case TT_ORD_STOP:
        return "stop";
    case TT_ORD_STOP_LIMIT:
        return "stop_limit";
    }
    return "invalid";
}

static const char *s_state_name(tt_ord_state_t state)
{
    static const char *const names[] = {
        [TT_OS_NEW] = "new",
        [TT_OS_ACCEPTED] = "accepted",
        [TT_OS_PARTIALLY_FILLED] = "partially_filled",
        [TT_OS_FILLED] = "filled",
        [TT_OS_CANCELLED] = "cancelled",
        [TT_OS_REJECTED] = "rejected",
        [TT_OS_EXPIRED] = "expired",
        [TT_OS_PENDING_CANCEL] = "pending_cancel",
        [TT_OS_PENDING_REPLACE] = "pending_replace",
        [TT_OS_REPLACED] = "replaced",
    };
    return (int)state >= TT_OS_MIN && (int)state <= TT_OS_MAX ? names[state]
                                                              : "invalid";
}

typedef struct {
    char qty[32], filled[32], limit[32], stop[32];
} s_order_text_t;

static void s_order(const tt_evt_order_t *in, const tt_instrument_t *inst,
                    s_order_text_t *t, Tt__Order *out, s_bound_t *b)
{
    const tt_order_t *o = &in->order;
    int px = inst->px_decimals, qty = inst->qty_decimals;
    t->limit[0] = t->stop[0] = '\0'; /* "" when none */
    out->client_order_id = s_str(b, o->coid, sizeof o->coid);
    out->side = s_name(b, s_side_name(o->side));
    out->type = s_name(b, s_type_name(o->type));
    out->role = s_name(b, o->role == TT_ROLE_ENTRY    ? "entry"
                          : o->role == TT_ROLE_STOP   ? "stop"
                          : o->role == TT_ROLE_TARGET ? "target"
                                                      : "exit");
    out->state = s_name(b, s_state_name(o->state));
    out->qty = s_dec(b, o->qty, qty, t->qty, sizeof t->qty);
    out->filled = s_dec(b, o->filled, qty, t->filled, sizeof t->filled);
    out->limit_price =
        o->limit_px ? s_dec(b, o->limit_px, px, t->limit, sizeof t->limit)
                    : t->limit;
    out->stop_price = o->stop_px
                          ? s_dec(b, o->stop_px, px, t->stop, sizeof t->stop)
                          : t->stop;
    out->reason = s_str(b, o->reason, sizeof o->reason);
    out->replaces = s_str(b, in->parent_coid, sizeof in->parent_coid);
}

typedef struct {
    char px[32], qty[32], fee[32], exec_qty[32], commission[32];
} s_fill_text_t;

static void s_fill(const tt_fill_t *f, const tt_instrument_t *inst,
                   s_fill_text_t *t, Tt__Fill *out, s_bound_t *b)
{
    int px = inst->px_decimals, qty = inst->qty_decimals;
    out->client_order_id = s_str(b, f->coid, sizeof f->coid);
    out->fill_id = s_str(b, f->fill_id, sizeof f->fill_id);
    out->side = s_name(b, s_side_name(f->side));
    out->price = s_dec(b, f->px, px, t->px, sizeof t->px);
    out->qty = s_dec(b, f->qty, qty, t->qty, sizeof t->qty);
    out->fee = s_dec(b, f->fee, px, t->fee, sizeof t->fee);
    out->executed_qty = s_dec(b, f->exec_qty ? f->exec_qty : f->qty, qty,
                              t->exec_qty, sizeof t->exec_qty);
    /* Decimals out of range: unknown (""). */
    out->commission = s_dec(b, f->commission, f->commission_decimals,
                            t->commission, sizeof t->commission);
    out->commission_asset =
        s_str(b, f->commission_asset, sizeof f->commission_asset);
}

typedef struct {
    char qty[32], avg[32], realized[32], fees[32];
} s_pos_text_t;

static void s_position(const tt_position_t *p, const tt_instrument_t *inst,
                       s_pos_text_t *t, Tt__Position *out, s_bound_t *b)
{
    int px = inst->px_decimals;
    out->qty = s_dec(b, p->qty, inst->qty_decimals, t->qty, sizeof t->qty);
    out->avg_price = s_dec(b, tt_position_avg_px(p), px, t->avg, sizeof t->avg);
    out->realized_pnl =
        s_dec(b, p->realized, px, t->realized, sizeof t->realized);
    out->fees = s_dec(b, p->fees, px, t->fees, sizeof t->fees);
    out->trips = p->trips;
    b->max += S_VARINT;
}

typedef struct {
    char o[32], h[32], l[32], c[32], v[32];
} s_candle_text_t;

static void s_candle(const tt_candle_t *c, const tt_instrument_t *inst,
                     s_candle_text_t *t, Tt__Candle *out, s_bound_t *b)
{
    int px = inst->px_decimals;
    out->timeframe_s = c->tf_s;
    out->open_ts_ns = c->open_ts;
    out->open = s_dec(b, c->open, px, t->o, sizeof t->o);
    out->high = s_dec(b, c->high, px, t->h, sizeof t->h);
    out->low = s_dec(b, c->low, px, t->l, sizeof t->l);
    out->close = s_dec(b, c->close, px, t->c, sizeof t->c);
    out->volume = s_dec(b, c->volume, inst->qty_decimals, t->v, sizeof t->v);
    out->trades = c->trades;
    b->max += 3 * S_VARINT;
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

static void s_eod(const tt_evt_eod_t *in, s_eod_text_t *t, Tt__EodSummary *out,
                  s_bound_t *b)
{
    int dec = in->decimals;
    out->venue = s_str(b, in->venue, sizeof in->venue);
    out->session = in->session_id;
    out->symbol = s_str(b, in->symbol, sizeof in->symbol);
    out->trades = in->trades;
    out->wins = in->wins;
    out->win_rate_bp = (uint32_t)in->win_rate_bp;
    out->gross_pnl = s_dec(b, in->gross, dec, t->gross, sizeof t->gross);
    out->fees = s_dec(b, in->fees, dec, t->fees, sizeof t->fees);
    out->net_pnl = s_dec(b, in->net, dec, t->net, sizeof t->net);
    out->max_drawdown = s_dec(b, in->max_drawdown, dec, t->dd, sizeof t->dd);
    b->max += 4 * S_VARINT;
}

/* One Event's body message (only the one its case names is set) and the
   text its fields point into. */
typedef struct {
    union {
        Tt__Order order;
        Tt__Fill fill;
        Tt__Position pos;
        Tt__Candle candle;
        Tt__Lifecycle life;
        Tt__Rejection rej;
        Tt__Breaker brk;
        Tt__EodSummary eod;
        Tt__Reconcile rec;
        Tt__Protection prot;
    } msg;
    union {
        s_order_text_t order;
        s_fill_text_t fill;
        s_pos_text_t pos;
        s_candle_text_t candle;
        s_eod_text_t eod;
    } text;
} s_body_t;

/* The bodies of the trade and market data events (decimal text in the
   instrument's scale). False when TYPE is none of them. */
static bool s_trade_body(uint16_t type, const void *body,
                         const tt_instrument_t *inst, s_body_t *p,
                         Tt__Event *ev, s_bound_t *b)
{
    switch (type) {
    case TT_EVT_ORDER:
        p->msg.order = (Tt__Order)TT__ORDER__INIT;
        s_order(body, inst, &p->text.order, &p->msg.order, b);
        ev->body_case = TT__EVENT__BODY_ORDER;
        ev->order = &p->msg.order;
        return true;
    case TT_EVT_FILL:
        p->msg.fill = (Tt__Fill)TT__FILL__INIT;
        s_fill(&((const tt_evt_fill_t *)body)->fill, inst, &p->text.fill,
               &p->msg.fill, b);
        ev->body_case = TT__EVENT__BODY_FILL;
        ev->fill = &p->msg.fill;
        return true;
    case TT_EVT_POSITION_T:
        p->msg.pos = (Tt__Position)TT__POSITION__INIT;
        s_position(&((const tt_evt_fill_t *)body)->pos, inst, &p->text.pos,
                   &p->msg.pos, b);
        ev->body_case = TT__EVENT__BODY_POSITION;
        ev->position = &p->msg.pos;
        return true;
    case TT_EVT_CANDLE:
        p->msg.candle = (Tt__Candle)TT__CANDLE__INIT;
        s_candle(body, inst, &p->text.candle, &p->msg.candle, b);
        ev->body_case = TT__EVENT__BODY_CANDLE;
        ev->candle = &p->msg.candle;
        return true;
    default:
        return false;
    }
}

static void s_lifecycle(const tt_evt_lifecycle_t *l, s_body_t *p, Tt__Event *ev,
                        s_bound_t *b)
{
    p->msg.life = (Tt__Lifecycle)TT__LIFECYCLE__INIT;
    p->msg.life.path = s_str(b, l->path, sizeof l->path);
    p->msg.life.from = (Tt__State)l->from;
    p->msg.life.to = (Tt__State)l->to;
    p->msg.life.reason = s_str(b, l->reason, sizeof l->reason);
    b->max += 2 * S_VARINT;
    ev->body_case = TT__EVENT__BODY_LIFECYCLE;
    ev->lifecycle = &p->msg.life;
}

static void s_rejection(const tt_evt_rejection_t *r, s_body_t *p, Tt__Event *ev,
                        s_bound_t *b)
{
    p->msg.rej = (Tt__Rejection)TT__REJECTION__INIT;
    p->msg.rej.signal = s_name(b, s_signal_name(r->kind));
    p->msg.rej.reason =
        s_name(b, tt_risk_reason_name((tt_risk_reason_t)r->reason));
    p->msg.rej.text = s_str(b, r->text, sizeof r->text);
    ev->body_case = TT__EVENT__BODY_REJECTION;
    ev->rejection = &p->msg.rej;
}

static void s_breaker(const tt_evt_breaker_t *k, s_body_t *p, Tt__Event *ev,
                      s_bound_t *b)
{
    p->msg.brk = (Tt__Breaker)TT__BREAKER__INIT;
    p->msg.brk.tripped = k->tripped != 0;
    p->msg.brk.errors = k->errors;
    p->msg.brk.reason = s_str(b, k->reason, sizeof k->reason);
    b->max += 2 * S_VARINT;
    ev->body_case = TT__EVENT__BODY_BREAKER;
    ev->breaker = &p->msg.brk;
}

static void s_reconcile(const tt_evt_reconcile_t *r, s_body_t *p, Tt__Event *ev,
                        s_bound_t *b)
{
    p->msg.rec = (Tt__Reconcile)TT__RECONCILE__INIT;
    p->msg.rec.action = s_name(b, tt_recon_action_name(r->action));
    p->msg.rec.client_order_id = s_str(b, r->coid, sizeof r->coid);
    p->msg.rec.fill_id = s_str(b, r->fill_id, sizeof r->fill_id);
    p->msg.rec.reason = s_str(b, r->reason, sizeof r->reason);
    ev->body_case = TT__EVENT__BODY_RECONCILE;
    ev->reconcile = &p->msg.rec;
}

static void s_protection(const tt_evt_protection_t *r, s_body_t *p,
                         Tt__Event *ev, s_bound_t *b)
{
    p->msg.prot = (Tt__Protection)TT__PROTECTION__INIT;
    p->msg.prot.unprotected = r->unprotected != 0;
    p->msg.prot.since_ns = r->since;
    p->msg.prot.reason = s_str(b, r->reason, sizeof r->reason);
    p->msg.prot.retry_ns = r->retry_at;
    b->max += 3 * S_VARINT;
    ev->body_case = TT__EVENT__BODY_PROTECTION;
    ev->protection = &p->msg.prot;
}

/* The bodies of the service's own events. False when TYPE is none. */
static bool s_service_body(uint16_t type, const void *body, s_body_t *p,
                           Tt__Event *ev, s_bound_t *b)
{
    switch (type) {
    case TT_EVT_LIFECYCLE:
        s_lifecycle(body, p, ev, b);
        return true;
    case TT_EVT_REJECTION:
        s_rejection(body, p, ev, b);
        return true;
    case TT_EVT_BREAKER:
        s_breaker(body, p, ev, b);
        return true;
    case TT_EVT_EOD:
        p->msg.eod = (Tt__EodSummary)TT__EOD_SUMMARY__INIT;
        s_eod(body, &p->text.eod, &p->msg.eod, b);
        ev->body_case = TT__EVENT__BODY_EOD;
        ev->eod = &p->msg.eod;
        return true;
    case TT_EVT_RECONCILE:
        s_reconcile(body, p, ev, b);
        return true;
    case TT_EVT_PROTECTION:
        s_protection(body, p, ev, b);
        return true;
    default:
        return false;
    }
}

size_t tt_bus_encode(uint16_t type, const void *body, const char *symbol,
                     const tt_instrument_t *inst, uint64_t seq, int64_t *ts,
                     uint8_t *out, size_t cap)
{
    Tt__Event ev = TT__EVENT__INIT;
    ev.seq = seq;
    ev.ts_ns = s_event_ts(type, body);
    *ts = ev.ts_ns;
    /* seq, ts_ns, the body's tag and length, then the fields set. */
    s_bound_t b = {.max = 2 * S_VARINT + S_TAG_LEN};
    ev.symbol = s_name(&b, symbol ? symbol : "");
    s_body_t parts;
    if (!s_trade_body(type, body, inst, &parts, &ev, &b) &&
        !s_service_body(type, body, &parts, &ev, &b))
        return 0;
    if (b.bad)
        return 0;
    /* Sized exactly only when the bound does not fit (never at
       TT_BUS_EVENT_MAX: test_bus_encode). */
    if (b.max > cap && tt__event__get_packed_size(&ev) > cap)
        return 0;
    return tt__event__pack(&ev, out);
}
