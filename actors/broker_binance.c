/*  actors/broker_binance.c: Binance spot's order protocol for the broker
    gateway (broker_proto.h): signed REST orders (POST /api/v3/order with
    our client order id, DELETE by origClientOrderId to cancel; a replace
    is a cancel then a new order, as spot has no amend that moves a price)
    and the user-data stream (a listenKey from POST /api/v3/userDataStream,
    kept alive with PUT, read at /ws/<listenKey>) for what happens to
    them. Runs on the gateway's thread; building, signing and parsing are
    the pure venues/binance layer.

    Exchange filters come from the venue itself: the first order of a
    symbol fetches GET /api/v3/exchangeInfo?symbol=X, and every order is
    fitted before it is sent (bn_filters.c): a price is rounded to the
    tick toward the passive side, which never costs the trader; anything
    else that breaks a filter (a quantity off the lot step, under the
    minimum quantity or notional) is rejected here with the reason, never
    sent to be refused. A quantity is not rounded: the book would then
    expect fills the venue will never make.

    One rule for fills. Every path that reports a trade of ours (the FULL
    reply to a new order, a TRADE executionReport, GET /api/v3/myTrades
    in the recovery) gives its trade id and the order's filled quantity
    after it; the fill's id is the symbol and the trade id, the same from
    every path, and a trade is applied only when it starts exactly where
    the quantity already reported ends. One that starts further on means
    a trade was missed: the order is marked and the recovery fetches its
    trades. So a fill is applied once, whichever path brings it, and a
    cancel or expiry waits until the fills before it are in.

    Every (re)connect of the user-data stream re-queries each order still
    open here (GET /api/v3/order, then its trades when the venue counts
    more filled than we do), so a fill or cancel during an outage is
    recovered. A new order whose reply never came (no reply, a 5xx: the
    outcome is unknown) is looked up by client order id before it is
    sent again: never twice. */
#include "actors/broker_proto.h"
#include "runtime/log.h"
#include "runtime/clock.h"
#include "venues/binance/bn_rest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_ORDERS 512  /* orders followed (the oldest finished recycled) */
#define S_TRADES 1000 /* trades per order in the recovery (the maximum) */
#define S_QUERY 1024  /* a signed query string, at most */
#define S_DOWN_MAX 3  /* requests without reply before an order fails */
#define S_UNKNOWN 2   /* s_call: no reply or a 5xx, outcome unknown */
#define S_FILTER_RETRY_NS (60 * 1000000000LL) /* after a bad exchangeInfo */
#define S_KEEPALIVE_RETRY_NS (60 * 1000000000LL)

/* One of our orders as this gateway has reported it. */
typedef struct {
    bool used;
    char coid[TT_COID_MAX + 1];
    int64_t id; /* the venue's orderId; 0 until known */
    size_t sym;
    bool acked, done;
    bool unsure;          /* sent, outcome unknown: look up before resending */
    bool sync;            /* to re-query (reconnect, gap, refused cancel) */
    tt_qty_t cum;         /* filled quantity reported */
    tt_qty_t venue_cum;   /* filled quantity the venue reported */
    tt_ord_state_t final; /* terminal state seen, held until the fills */
    uint64_t touch;       /* recycling order */
} s_order_t;

typedef struct {
    bool loaded;
    tt_ns_t retry_at; /* mono: after a failed fetch */
    char error[96];   /* why the filters could not be read */
    tt_bn_filters_t f;
} s_filters_t;

typedef struct {
    tt_broker_gw_t *gw;
    const tt_feed_sym_t *syms;
    size_t count;
    const tt_feed_opts_t *opts;
    char *key_hdr; /* "X-MBX-APIKEY: value", wiped at the end */
    char *secret;  /* wiped at the end */
    char stream_base[256];
    char listen_key[TT_BN_LISTEN_KEY_MAX];
    tt_ns_t key_at;       /* mono: next listenKey request */
    tt_ns_t keepalive_at; /* mono: next keepalive */
    bool key_expired;     /* the stream said listenKeyExpired */
    bool need_sync, sync_all;
    int down; /* requests in a row without a reply */
    s_filters_t *filters;
    s_order_t orders[S_ORDERS];
    uint64_t touches;
    tt_bn_trade_t *trades;
} s_bn_t;

static const char *s_path(const s_bn_t *self)
{
    return tt_broker_gw_path(self->gw);
}

static void s_urls(const tt_feed_opts_t *opts, char *rest, char *stream,
                   size_t size)
{
    const char *def = opts->testnet ? "https://testnet.binance.vision"
                                    : "https://api.binance.com";
    snprintf(rest, size, "%s", opts->trading_url[0] ? opts->trading_url : def);
    stream[0] = '\0'; /* /ws/<listenKey>: known once the session opens */
}

static int s_lookup_sym(void *arg, const char *symbol, tt_instrument_t *out)
{
    s_bn_t *self = arg;
    for (size_t i = 0; i < self->count; i++)
        if (!strcmp(self->syms[i].name, symbol)) {
            *out = self->syms[i].instrument;
            return (int)i;
        }
    return -1;
}

static char *s_dup(const char *prefix, const char *value)
{
    size_t len = strlen(prefix) + strlen(value) + 1;
    char *h = malloc(len);
    if (h)
        snprintf(h, len, "%s%s", prefix, value);
    return h;
}

static void s_wipe(char **text_p)
{
    if (*text_p) {
        volatile char *p = *text_p;
        while (*p)
            *p++ = '\0';
        free(*text_p);
        *text_p = NULL;
    }
}

static void s_destroy(void **self_p)
{
    s_bn_t *self = *self_p;
    if (!self)
        return;
    s_wipe(&self->key_hdr);
    s_wipe(&self->secret);
    free(self->filters);
    free(self->trades);
    free(self);
    *self_p = NULL;
}

static void *s_create(tt_broker_gw_t *gw, const tt_broker_setup_t *setup,
                      char *err, size_t errsize)
{
    s_bn_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    self->gw = gw;
    self->syms = setup->symbols;
    self->count = setup->count;
    self->opts = setup->opts;
    self->key_hdr = s_dup("X-MBX-APIKEY: ", setup->key_id);
    self->secret = s_dup("", setup->secret);
    self->filters = calloc(setup->count + 1, sizeof *self->filters);
    self->trades = calloc(S_TRADES, sizeof *self->trades);
    const char *def = setup->opts->testnet
                          ? "wss://stream.testnet.binance.vision/ws"
                          : "wss://stream.binance.com:9443/ws";
    snprintf(self->stream_base, sizeof self->stream_base, "%s",
             setup->opts->trading_stream[0] ? setup->opts->trading_stream
                                            : def);
    if (!self->key_hdr || !self->secret || !self->filters || !self->trades) {
        snprintf(err, errsize, "out of memory");
        void *p = self;
        s_destroy(&p);
        return NULL;
    }
    return self;
}

/* ---- orders followed ------------------------------------------------------
 */

static s_order_t *s_find(s_bn_t *self, const char *coid)
{
    for (size_t i = 0; i < S_ORDERS; i++)
        if (self->orders[i].used && !strcmp(self->orders[i].coid, coid))
            return &self->orders[i];
    return NULL;
}

/* A slot for COID of symbol SYM: a free one, else the finished order
   touched longest ago, else the oldest of all (logged). */
static s_order_t *s_track(s_bn_t *self, const char *coid, size_t sym)
{
    s_order_t *o = s_find(self, coid);
    if (o)
        return o;
    s_order_t *pick = NULL;
    for (size_t i = 0; i < S_ORDERS && !(pick && !pick->used); i++) {
        s_order_t *c = &self->orders[i];
        if (!c->used || !pick || (c->done && !pick->done) ||
            (c->done == pick->done && c->touch < pick->touch))
            pick = c;
    }
    if (pick->used && !pick->done)
        tt_warn(s_path(self),
                "following more than %d open orders: %s forgotten", S_ORDERS,
                pick->coid);
    memset(pick, 0, sizeof *pick);
    pick->used = true;
    snprintf(pick->coid, sizeof pick->coid, "%s", coid);
    pick->sym = sym;
    pick->touch = ++self->touches;
    return pick;
}

static void s_emit(s_bn_t *self, const s_order_t *o, tt_broker_ev_kind_t kind,
                   int32_t code, const char *reason)
{
    tt_broker_ev_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.ts = tt_broker_gw_now(self->gw);
    ev.code = code;
    snprintf(ev.coid, sizeof ev.coid, "%s", o->coid);
    snprintf(ev.reason, sizeof ev.reason, "%.*s", (int)sizeof ev.reason - 1,
             reason ? reason : "");
    tt_broker_gw_emit(self->gw, o->sym, &ev);
}

static void s_ack(s_bn_t *self, s_order_t *o)
{
    if (!o->acked && !o->done) {
        s_emit(self, o, TT_EV_ACCEPTED, 0, NULL);
        o->acked = true;
    }
}

/* A terminal state held for the fills before it: out once they are in. */
static void s_settle(s_bn_t *self, s_order_t *o)
{
    if (o->done || !o->final || o->cum < o->venue_cum)
        return;
    s_ack(self, o);
    if (o->final == TT_OS_CANCELLED)
        s_emit(self, o, TT_EV_CANCELLED, 0, NULL);
    else if (o->final == TT_OS_EXPIRED)
        s_emit(self, o, TT_EV_EXPIRED, 0, "expired at the venue");
    o->done = true;
}

/* Trade TRADE_ID of O: QTY at PX, bringing the order to CUM_AFTER. */
static void s_trade(s_bn_t *self, s_order_t *o, int64_t trade_id, tt_px_t px,
                    tt_qty_t qty, tt_qty_t cum_after, tt_ns_t ts)
{
    if (cum_after > o->venue_cum)
        o->venue_cum = cum_after;
    if (o->done || cum_after <= o->cum)
        return; /* reported already, by this path or another */
    if (cum_after - qty != o->cum || qty <= 0 || px <= 0) {
        o->sync = true; /* a trade before it was missed: fetch them all */
        return;
    }
    s_ack(self, o);
    tt_broker_ev_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TT_EV_FILL;
    ev.ts = ts ? ts : tt_broker_gw_now(self->gw);
    snprintf(ev.coid, sizeof ev.coid, "%s", o->coid);
    snprintf(ev.fill_id, sizeof ev.fill_id, "%.24s:%lld",
             self->syms[o->sym].name, (long long)trade_id);
    ev.px = px;
    ev.qty = qty;
    o->cum = cum_after;
    tt_broker_gw_emit(self->gw, o->sym, &ev);
}

/* The venue's view of O: its state and filled quantity. */
static void s_view(s_bn_t *self, s_order_t *o, tt_ord_state_t state,
                   tt_qty_t executed, const char *reason)
{
    if (o->done)
        return;
    if (executed > o->venue_cum)
        o->venue_cum = executed;
    if (state == TT_OS_REJECTED) {
        s_emit(self, o, TT_EV_REJECTED, 0,
               reason && reason[0] ? reason : "rejected by the venue");
        o->done = true;
        return;
    }
    s_ack(self, o);
    if (tt_ord_terminal(state))
        o->final = state;
    if (o->venue_cum > o->cum)
        o->sync = true;
    s_settle(self, o);
}

/* A 200 order body (new, cancel, query) into O's view; FILLS of a FULL
   reply are applied first. */
static void s_order_reply(s_bn_t *self, s_order_t *o, const tt_http_reply_t *r)
{
    tt_bn_order_resp_t *v = malloc(sizeof *v);
    char err[160];
    if (!v ||
        tt_bn_order_resp_parse(r->body, r->len, &self->syms[o->sym].instrument,
                               v, err, sizeof err) != 0) {
        tt_error(s_path(self), "%s: order reply: %s", o->coid,
                 v ? err : "out of memory");
        o->sync = true; /* the re-query will tell */
        free(v);
        return;
    }
    if (v->order_id)
        o->id = v->order_id;
    tt_qty_t cum = 0;
    for (size_t i = 0; i < v->nfills; i++) {
        cum += v->fills[i].qty;
        s_trade(self, o, v->fills[i].trade_id, v->fills[i].price,
                v->fills[i].qty, cum, v->transact_ts);
    }
    if (v->has_status)
        s_view(self, o, v->state, v->executed_qty, NULL);
    else
        s_ack(self, o);
    free(v);
}

/* ---- requests ---------------------------------------------------------------
 */

/* One request: PATH with query Q (signed when SIGN, timestamp now).
   TT_BROKER_DONE with *R to read and free; TT_BROKER_LATER (the budget,
   a 429 or 418: nothing to read); S_UNKNOWN (no reply, a 5xx: the
   request may or may not have taken effect); -1 (cannot build it). */
static int s_call(s_bn_t *self, const char *method, const char *path,
                  tt_bn_query_t *q, bool sign, tt_http_reply_t *r)
{
    int32_t window = (int32_t)self->opts->recv_window_ms;
    int64_t now_ms = tt_broker_gw_now(self->gw) / TT_NS_PER_MS;
    if ((sign ? tt_bn_query_sign(q, self->secret, strlen(self->secret), now_ms,
                                 window)
              : tt_bn_query_finish(q)) < 0) {
        tt_error(s_path(self), "%s %s: query too long", method, path);
        return -1;
    }
    char full[S_QUERY + 64], err[160];
    snprintf(full, sizeof full, "%s%s%s", path, q->len ? "?" : "", q->buf);
    const char *headers[] = {self->key_hdr, NULL};
    int rc = tt_broker_gw_http(self->gw, method, full, headers, NULL, r, err,
                               sizeof err);
    if (rc == TT_BROKER_LATER)
        return rc;
    if (rc < 0) {
        self->down++;
        char text[200];
        snprintf(text, sizeof text, "%s %s: no reply: %s", method, path, err);
        tt_warn(s_path(self), "%s", text);
        tt_broker_gw_error(self->gw, text);
        return S_UNKNOWN;
    }
    self->down = 0;
    if (r->status == 429 || r->status == 418 || r->status >= 500) {
        int status = (int)r->status;
        tt_http_reply_free(r);
        return status >= 500 ? S_UNKNOWN : TT_BROKER_LATER;
    }
    return TT_BROKER_DONE;
}

/* Refused credentials: -2014 / -2015 (key, IP, permissions), -1022 (a
   signature made with another secret) or a bare 401. Retrying soon
   cannot help, and a storm of refused requests gets a key blocked. */
static bool s_bad_key(const tt_bn_reject_t *e)
{
    return e->http_status == 401 || e->code == -2014 || e->code == -2015 ||
           e->code == -1022;
}

/* What a refused reply means for health and, for refused keys, for
   every new order (tt_broker_gw_refuse) and the session. REASON gets
   the status, code and venue message. */
static void s_reply_error(s_bn_t *self, const tt_http_reply_t *r,
                          const char *what, tt_bn_reject_t *e, char *reason,
                          size_t size)
{
    tt_bn_error_parse((int)r->status, r->body ? r->body : "", r->len, e);
    snprintf(reason, size, "%d %lld %s%s", (int)r->status, (long long)e->code,
             e->msg, e->code == -1021 ? " (check the host clock)" : "");
    tt_warn(s_path(self), "%s refused: %s (%s)", what, reason,
            tt_bn_rej_class_name(e->cls));
    char text[200];
    snprintf(text, sizeof text, "%s: %s", what, reason);
    tt_broker_gw_error(self->gw, text);
    if (s_bad_key(e)) {
        char why[160];
        snprintf(why, sizeof why, "%.100s: check key_id and secret_key",
                 reason);
        tt_broker_gw_refuse(self->gw, self->opts->auth_retry_ms, why);
        self->key_at = tt_mono_ns() + self->opts->auth_retry_ms * 1000000;
    }
}

/* A refused order or cancel, as the symbol sees it. */
static void s_refused(s_bn_t *self, s_order_t *o, const tt_http_reply_t *r,
                      bool cancel, const char *what)
{
    tt_bn_reject_t e;
    char reason[200], head[64];
    snprintf(head, sizeof head, "%s %s", what, o->coid);
    s_reply_error(self, r, head, &e, reason, sizeof reason);
    s_emit(self, o, cancel ? TT_EV_CANCEL_REJECTED : TT_EV_REJECTED,
           (int32_t)(e.code ? e.code : r->status), reason);
    if (!cancel)
        o->done = true;
    else if (e.cls == TT_BN_REJ_UNKNOWN_ORDER)
        o->sync = true; /* finished meanwhile: the re-query says how */
}

/* After S_DOWN_MAX requests without a reply, an intent is refused rather
   than held forever (the venue may be gone); not a new order whose
   outcome is unknown, which is looked up once the venue answers. */
static int s_give_up(s_bn_t *self, s_order_t *o, bool cancel)
{
    if (self->down < S_DOWN_MAX || (!cancel && o->unsure))
        return TT_BROKER_LATER;
    s_emit(self, o, cancel ? TT_EV_CANCEL_REJECTED : TT_EV_REJECTED, 0,
           "venue unreachable");
    if (!cancel)
        o->done = true;
    self->down = 0;
    return TT_BROKER_DONE;
}

/* GET /api/v3/order of O by client order id into its view. DONE (found,
   or *MISSING set when the venue does not know it) or LATER. */
static int s_query_order(s_bn_t *self, s_order_t *o, bool *missing)
{
    char buf[S_QUERY];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_bn_order_ref_query(&q, self->syms[o->sym].name, o->coid);
    tt_http_reply_t r;
    int rc = s_call(self, "GET", TT_BN_PATH_ORDER, &q, true, &r);
    if (rc != TT_BROKER_DONE)
        return rc < 0 ? TT_BROKER_DONE : TT_BROKER_LATER;
    *missing = false;
    if (r.status == 200) {
        s_order_reply(self, o, &r);
    } else {
        tt_bn_reject_t e;
        char reason[200];
        s_reply_error(self, &r, "order query", &e, reason, sizeof reason);
        *missing = e.cls == TT_BN_REJ_UNKNOWN_ORDER;
    }
    tt_http_reply_free(&r);
    return TT_BROKER_DONE;
}

/* ---- filters ----------------------------------------------------------------
 */

/* SYM's filters, fetched once. DONE (F->loaded, or F->error), LATER. */
static int s_filters(s_bn_t *self, size_t sym, s_filters_t **out)
{
    s_filters_t *f = *out = &self->filters[sym];
    if (f->loaded || tt_mono_ns() < f->retry_at)
        return TT_BROKER_DONE;
    char buf[S_QUERY];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_bn_query_add(&q, "symbol", self->syms[sym].name);
    tt_http_reply_t r;
    int rc = s_call(self, "GET", TT_BN_PATH_EXCHANGE_INFO, &q, false, &r);
    if (rc != TT_BROKER_DONE)
        return TT_BROKER_LATER;
    char err[160] = "";
    if (r.status != 200)
        snprintf(err, sizeof err, "HTTP %d", (int)r.status);
    else if (tt_bn_filters_parse(r.body, r.len, self->syms[sym].name,
                                 &self->syms[sym].instrument, &f->f, err,
                                 sizeof err) == 0)
        f->loaded = true;
    tt_http_reply_free(&r);
    if (!f->loaded) {
        snprintf(f->error, sizeof f->error, "exchangeInfo: %.80s", err);
        f->retry_at = tt_mono_ns() + S_FILTER_RETRY_NS;
        tt_error(s_path(self), "%s: %s", self->syms[sym].name, f->error);
    }
    return TT_BROKER_DONE;
}

/* ORD fitted to SYM's filters into REQ; -1 with REASON when it cannot
   be without changing what the book asked for. */
static int s_fit(const s_filters_t *f, const tt_order_t *ord,
                 tt_bn_order_req_t *req, char *reason, size_t size)
{
    if (!f->loaded)
        return snprintf(reason, size, "%s", f->error), -1;
    tt_qty_t qty = req->qty;
    if (tt_bn_filters_fit(&f->f, ord->side, &req->price, &qty, 0, reason,
                          size) != 0)
        return -1;
    if (qty != req->qty)
        return snprintf(reason, size,
                        "quantity is not a multiple of the lot step"),
               -1;
    if (req->stop_price > 0) {
        tt_qty_t q2 = req->qty;
        if (tt_bn_filters_fit(&f->f, ord->side, &req->stop_price, &q2, 0,
                              reason, size) != 0)
            return -1;
    }
    return 0;
}

/* ---- intents ----------------------------------------------------------------
 */

/* The POST parameters of ORD for symbol SYM, fitted; -1 with REASON. */
static int s_order_query(s_bn_t *self, size_t sym, const tt_order_t *ord,
                         const s_filters_t *f, tt_bn_query_t *q, char *reason,
                         size_t size)
{
    const tt_instrument_t *inst = &self->syms[sym].instrument;
    tt_bn_order_req_t req = {
        .symbol = self->syms[sym].name,
        .side = ord->side,
        .type = tt_bn_type_from_tt(ord->type),
        .tif = tt_bn_tif_from_tt(ord->tif),
        .qty = ord->qty,
        .price = ord->type == TT_ORD_LIMIT || ord->type == TT_ORD_STOP_LIMIT
                     ? ord->limit_px
                     : 0,
        .stop_price = ord->type == TT_ORD_STOP || ord->type == TT_ORD_STOP_LIMIT
                          ? ord->stop_px
                          : 0,
        .px_decimals = inst->px_decimals,
        .qty_decimals = inst->qty_decimals,
        .client_order_id = ord->coid,
    };
    if (!req.type)
        return snprintf(reason, size, "order type not supported by Binance"),
               -1;
    if (req.price == 0)
        req.tif = 0; /* market and stop-market orders take none */
    else if (!req.tif)
        req.tif = TT_BN_TIF_GTC; /* spot has no DAY: good till cancelled */
    if (s_fit(f, ord, &req, reason, size) != 0)
        return -1;
    return tt_bn_order_query(&req, q, reason, size);
}

/* A new order whose earlier POST had no answer: does the venue have it?
   DONE with *SEND true when it does not (sending is safe), else LATER. */
static int s_resolve_unsure(s_bn_t *self, s_order_t *o, bool *send)
{
    *send = false;
    bool missing = false;
    if (s_query_order(self, o, &missing) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    o->unsure = false;
    *send = missing;
    if (!missing)
        tt_info(s_path(self), "%s: found at the venue, not sent again",
                o->coid);
    return TT_BROKER_DONE;
}

static int s_submit(s_bn_t *self, size_t sym, const tt_order_t *ord)
{
    s_order_t *o = s_track(self, ord->coid, sym);
    bool send = true;
    if (o->done)
        return TT_BROKER_DONE;
    if (o->unsure && s_resolve_unsure(self, o, &send) == TT_BROKER_LATER)
        return s_give_up(self, o, false);
    s_filters_t *f = NULL;
    if (!send)
        return TT_BROKER_DONE;
    if (s_filters(self, sym, &f) == TT_BROKER_LATER)
        return s_give_up(self, o, false);
    char buf[S_QUERY], reason[160];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    if (s_order_query(self, sym, ord, f, &q, reason, sizeof reason) != 0) {
        tt_warn(s_path(self), "%s refused locally: %s", o->coid, reason);
        s_emit(self, o, TT_EV_REJECTED, 0, reason);
        o->done = true;
        return TT_BROKER_DONE;
    }
    tt_http_reply_t r;
    int rc = s_call(self, "POST", TT_BN_PATH_ORDER, &q, true, &r);
    if (rc == S_UNKNOWN)
        o->unsure = true;
    if (rc < 0) {
        s_emit(self, o, TT_EV_REJECTED, 0, "request too long");
        o->done = true;
        return TT_BROKER_DONE;
    }
    if (rc != TT_BROKER_DONE)
        return s_give_up(self, o, false);
    if (r.status == 200)
        s_order_reply(self, o, &r);
    else
        s_refused(self, o, &r, false, "order");
    tt_http_reply_free(&r);
    return TT_BROKER_DONE;
}

/* DELETE /api/v3/order of O. DONE (answered: *GONE when cancelled or
   already cancelled here) or LATER. */
static int s_delete(s_bn_t *self, s_order_t *o, bool *gone)
{
    *gone = o->final == TT_OS_CANCELLED;
    if (o->done || *gone)
        return TT_BROKER_DONE;
    char buf[S_QUERY];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_bn_order_ref_query(&q, self->syms[o->sym].name, o->coid);
    tt_http_reply_t r;
    int rc = s_call(self, "DELETE", TT_BN_PATH_ORDER, &q, true, &r);
    if (rc < 0)
        s_emit(self, o, TT_EV_CANCEL_REJECTED, 0, "request too long");
    if (rc != TT_BROKER_DONE)
        return rc < 0 ? TT_BROKER_DONE : s_give_up(self, o, true);
    if (r.status == 200) {
        s_order_reply(self, o, &r);
        *gone = true;
    } else {
        s_refused(self, o, &r, true, "cancel");
    }
    tt_http_reply_free(&r);
    return TT_BROKER_DONE;
}

static int s_cancel(s_bn_t *self, size_t sym, const tt_intent_t *it)
{
    s_order_t *o = s_track(self, it->order.coid, sym);
    bool gone = false;
    if (o->done) {
        s_emit(self, o, TT_EV_CANCEL_REJECTED, 0, "order already finished");
        return TT_BROKER_DONE;
    }
    return s_delete(self, o, &gone);
}

/* Cancel, then new: Binance spot's order amend only lowers a quantity,
   and cancelReplace would be one more request shape for the same two
   steps. The new order goes out only once the old one is cancelled; a
   refused cancel (the old one filled meanwhile) refuses the replace,
   which the book reads as the replacement rejected. */
static int s_replace(s_bn_t *self, size_t sym, const tt_intent_t *it)
{
    s_order_t *old = s_track(self, it->old_coid, sym);
    s_order_t *o = s_track(self, it->order.coid, sym);
    if (o->done || o->acked || o->unsure)
        return s_submit(self, sym, &it->order); /* cancel done before */
    bool gone = false;
    if (!old->done && s_delete(self, old, &gone) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    if (!gone && !old->done) { /* refused: answered CANCEL_REJECTED */
        o->done = true;
        return TT_BROKER_DONE;
    }
    return s_submit(self, sym, &it->order);
}

static int s_intent(void *arg, size_t sym, const tt_intent_t *it, int attempt)
{
    (void)attempt;
    s_bn_t *self = arg;
    switch (it->kind) {
    case TT_INTENT_SUBMIT:
        return s_submit(self, sym, &it->order);
    case TT_INTENT_CANCEL:
        return s_cancel(self, sym, it);
    case TT_INTENT_REPLACE:
        return s_replace(self, sym, it);
    }
    return TT_BROKER_DONE;
}

/* ---- recovery ---------------------------------------------------------------
 */

/* O's trades (GET /api/v3/myTrades?orderId=) not yet reported. */
static int s_fetch_trades(s_bn_t *self, s_order_t *o)
{
    char buf[S_QUERY], err[160];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_bn_query_add(&q, "symbol", self->syms[o->sym].name);
    tt_bn_query_add_int(&q, "orderId", o->id);
    tt_bn_query_add_int(&q, "limit", S_TRADES);
    tt_http_reply_t r;
    int rc = s_call(self, "GET", TT_BN_PATH_MY_TRADES, &q, true, &r);
    if (rc != TT_BROKER_DONE)
        return rc < 0 ? TT_BROKER_DONE : TT_BROKER_LATER;
    size_t n = 0;
    if (r.status != 200) {
        tt_bn_reject_t e;
        char reason[200];
        s_reply_error(self, &r, "trades query", &e, reason, sizeof reason);
    } else if (tt_bn_trades_parse(r.body, r.len, &self->syms[o->sym].instrument,
                                  self->trades, S_TRADES, &n, err,
                                  sizeof err) != 0) {
        tt_error(s_path(self), "%s: %s", o->coid, err);
    }
    tt_http_reply_free(&r);
    tt_qty_t cum = 0;
    for (size_t i = 0; i < n; i++) {
        if (self->trades[i].order_id != o->id)
            continue;
        cum += self->trades[i].qty;
        s_trade(self, o, self->trades[i].id, self->trades[i].price,
                self->trades[i].qty, cum, self->trades[i].ts);
    }
    return TT_BROKER_DONE;
}

/* Brings O up to date with the venue: its state, then its trades. */
static int s_requery(s_bn_t *self, s_order_t *o)
{
    bool missing = false;
    if (o->venue_cum <= o->cum || !o->id) {
        if (s_query_order(self, o, &missing) == TT_BROKER_LATER)
            return TT_BROKER_LATER;
        if (missing && !o->acked) {
            s_emit(self, o, TT_EV_REJECTED, 0, "unknown to the venue");
            o->done = true;
        }
    }
    if (!o->done && o->id && o->venue_cum > o->cum &&
        s_fetch_trades(self, o) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    if (o->venue_cum > o->cum)
        tt_error(s_path(self), "%s: the venue counts %lld filled, %lld found",
                 o->coid, (long long)o->venue_cum, (long long)o->cum);
    s_settle(self, o);
    return TT_BROKER_DONE;
}

static int s_sync(s_bn_t *self)
{
    if (self->sync_all) {
        for (size_t i = 0; i < S_ORDERS; i++)
            if (self->orders[i].used && !self->orders[i].done &&
                !self->orders[i].unsure)
                self->orders[i].sync = true;
        self->sync_all = false;
    }
    size_t n = 0;
    for (size_t i = 0; i < S_ORDERS; i++) {
        s_order_t *o = &self->orders[i];
        if (!o->used || !o->sync)
            continue;
        if (!o->done && s_requery(self, o) == TT_BROKER_LATER)
            return TT_BROKER_LATER;
        o->sync = false;
        n++;
    }
    if (n)
        tt_info(s_path(self), "%zu orders re-queried", n);
    return TT_BROKER_DONE;
}

/* ---- the user-data session --------------------------------------------------
 */

static void s_session_lost(s_bn_t *self, tt_ns_t retry_ns)
{
    self->listen_key[0] = '\0';
    tt_broker_gw_stream_to(self->gw, "");
    self->key_at = tt_mono_ns() + retry_ns;
}

/* POST /api/v3/userDataStream: a listenKey, and the stream at it. */
static void s_open_session(s_bn_t *self)
{
    char buf[8];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_http_reply_t r;
    int rc = s_call(self, "POST", TT_BN_PATH_USER_STREAM, &q, false, &r);
    if (rc != TT_BROKER_DONE) {
        if (rc != TT_BROKER_LATER)
            self->key_at = tt_mono_ns() + self->opts->backoff_max_ms * 1000000;
        return;
    }
    char err[160];
    if (r.status != 200) {
        tt_bn_reject_t e;
        char reason[200];
        s_reply_error(self, &r, "userDataStream", &e, reason, sizeof reason);
        if (!s_bad_key(&e))
            self->key_at = tt_mono_ns() + self->opts->backoff_max_ms * 1000000;
    } else if (tt_bn_listen_key_parse(r.body, r.len, self->listen_key,
                                      sizeof self->listen_key, err,
                                      sizeof err) != 0) {
        tt_error(s_path(self), "%s", err);
        self->key_at = tt_mono_ns() + self->opts->backoff_max_ms * 1000000;
    } else {
        char url[sizeof self->stream_base + TT_BN_LISTEN_KEY_MAX + 2];
        snprintf(url, sizeof url, "%s/%s", self->stream_base, self->listen_key);
        self->keepalive_at = tt_mono_ns() + self->opts->keepalive_ms * 1000000;
        tt_broker_gw_error(self->gw, "");
        tt_broker_gw_stream_to(self->gw, url);
    }
    tt_http_reply_free(&r);
}

/* PUT /api/v3/userDataStream: the key lives 60 more minutes. */
static void s_keepalive(s_bn_t *self)
{
    char buf[TT_BN_LISTEN_KEY_MAX + 32];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_bn_query_add(&q, "listenKey", self->listen_key);
    tt_http_reply_t r;
    int rc = s_call(self, "PUT", TT_BN_PATH_USER_STREAM, &q, false, &r);
    if (rc == TT_BROKER_LATER)
        return;
    if (rc != TT_BROKER_DONE) {
        self->keepalive_at = tt_mono_ns() + S_KEEPALIVE_RETRY_NS;
        return;
    }
    if (r.status == 200) {
        self->keepalive_at = tt_mono_ns() + self->opts->keepalive_ms * 1000000;
    } else {
        tt_bn_reject_t e;
        char reason[200];
        s_reply_error(self, &r, "listenKey keepalive", &e, reason,
                      sizeof reason);
        if (!s_bad_key(&e)) /* expired: a new session, re-queried */
            s_session_lost(self, 0);
        else
            self->keepalive_at =
                tt_mono_ns() + self->opts->auth_retry_ms * 1000000;
    }
    tt_http_reply_free(&r);
}

static int s_work(void *arg)
{
    s_bn_t *self = arg;
    tt_ns_t now = tt_mono_ns();
    if (self->key_expired) {
        self->key_expired = false;
        tt_warn(s_path(self), "listenKey expired: a new session");
        s_session_lost(self, 0);
    }
    if (!self->listen_key[0] && now >= self->key_at)
        s_open_session(self);
    else if (self->listen_key[0] && now >= self->keepalive_at)
        s_keepalive(self);
    if (self->need_sync) {
        self->need_sync = false;
        self->sync_all = true;
    }
    return s_sync(self);
}

/* ---- the stream -------------------------------------------------------------
 */

static void s_on_open(void *arg, tt_wsfeed_t *feed)
{
    s_bn_t *self = arg;
    /* The stream needs no message from us: it is live once open. What
       happened while it was not is re-queried. */
    tt_wsfeed_note(feed, TT_WSFEED_NOTE_SUBSCRIBED, NULL);
    self->need_sync = true;
}

static void s_on_exec(s_bn_t *self, const tt_bn_exec_t *x)
{
    tt_instrument_t ins;
    int sym = s_lookup_sym(self, x->symbol, &ins);
    if (sym < 0 || tt_coid_parse(x->client_order_id, NULL, NULL) != 0)
        return; /* not one of ours */
    s_order_t *o = s_track(self, x->client_order_id, (size_t)sym);
    if (x->order_id)
        o->id = x->order_id;
    if (x->exec_type == TT_BN_EXEC_TRADE)
        s_trade(self, o, x->trade_id, x->last_px, x->last_qty, x->cum_qty,
                x->transact_ts);
    const char *reason =
        x->exec_type == TT_BN_EXEC_REJECTED ? x->reject_reason : NULL;
    s_view(self, o, x->state, x->cum_qty, reason);
}

static void s_on_message(void *arg, tt_wsfeed_t *feed, const char *buf,
                         size_t len, bool binary)
{
    (void)binary;
    s_bn_t *self = arg;
    tt_bn_exec_t x;
    char err[160];
    switch (tt_bn_userdata_parse(buf, len, s_lookup_sym, self, &x, err,
                                 sizeof err)) {
    case TT_BN_UD_EXEC:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_OTHER, NULL);
        s_on_exec(self, &x);
        return;
    case TT_BN_UD_KEY_EXPIRED:
        self->key_expired = true;
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_SERVER_ERROR, "listenKeyExpired");
        return;
    case TT_BN_UD_UNKNOWN_SYMBOL:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_UNKNOWN_SYMBOL, NULL);
        return;
    case TT_BN_UD_MALFORMED:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_MALFORMED, err);
        return;
    default:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_OTHER, NULL);
        return;
    }
}

const tt_broker_ops_t tt_broker_binance_ops = {
    .kind = TT_VENUE_BINANCE,
    .urls = s_urls,
    .create = s_create,
    .destroy = s_destroy,
    .intent = s_intent,
    .work = s_work,
    .stream = {.on_open = s_on_open, .on_message = s_on_message},
};
