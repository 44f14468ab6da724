/*  actors/broker_alpaca.c: Alpaca's order protocol for the broker
    gateway (broker_proto.h): orders over the Trading API v2 (POST
    /v2/orders with our client order id, DELETE to cancel, PATCH to
    replace) and the trade_updates stream for what happens to them. Runs
    on the gateway's thread; the request bodies and the parsing are the
    pure venues/alpaca layer.

    The book sends a bracket's stop and take-profit as two orders once
    the entry fills. Sent as two orders, both could fill (the book's
    cancel of one races the venue's fill of the other) and reverse the
    position; and Alpaca holds the shares for the first sell, refusing
    the second unless the account may short. So the pair goes as one OCO
    order (order_class "oco"): the stop, which the book sends first,
    waits at the head of the queue (at most S_PAIR_WAIT_NS) for its
    take-profit, and both leave in one POST. The venue reports the
    take-profit as the order, with our client id, and the stop as its
    leg, with an id and a client id of its own: this gateway follows the
    leg by its venue id, so its events reach our stop. When one fills,
    the venue cancels the other in the same step; that cancel reaches the
    book as a cancel, and the book's own cancel of it, arriving after,
    asks nothing more of the venue. A stop move is a PATCH of the leg.
    An exit whose partner does not come (or cannot pair: another
    quantity) goes alone, as before.

    One path for every report. A trade_updates event, a POST or PATCH
    reply and the re-query after a reconnect all carry an Order object;
    each goes through s_reconcile, which compares it with what this
    gateway already told the symbol (acknowledged, the filled quantity
    and its cost, terminal) and emits only the difference. So a fill is
    applied once whichever way it arrives, and in whatever order. The
    REST order carries no execution ids, so a fill's id is the venue
    order id and the cumulative quantity it brings the order to: the same
    fill gets the same id from either path, and the store and the book
    (both idempotent by fill id) drop a repeat.

    Every (re)connect of the stream, once listening, re-queries the
    orders (GET /v2/orders?status=all&after=...) from just before the
    oldest order still open here, so a fill or cancel during an outage is
    recovered; it reports only orders this gateway follows.

    After a restart the symbols hand their restored open orders over
    (TT_INTENT_QUERY, actors/exec_venue.h): each is followed from what
    the store knows of it, and the empty one that ends a symbol's list
    reconciles them with the venue (its listing, nested so an OCO's leg
    comes with its take-profit, then by client id), reporting the
    difference as usual plus a TT_EV_RECONCILED per decision. */
#include "actors/broker_proto.h"
#include "messages/internal.h"
#include "runtime/log.h"
#include "venues/alpaca/ap_rest.h"
#include "venues/alpaca/ap_time.h"
#include "venues/common/secrets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_ORDERS 512 /* orders followed (the oldest finished recycled) */
#define S_PAGE 500   /* orders per re-query page (the venue's maximum) */
#define S_PAGES 8    /* pages per re-query, at most */
#define S_DOWN_MAX 3 /* requests without reply before an order fails */
#define S_SLACK_NS 1000000000LL /* re-query from this long before */
#define S_DEFAULT_REST "https://paper-api.alpaca.markets"
#define S_PAIR_WAIT_NS 2000000000LL /* an exit waits for its partner */
#define S_ALONE 2 /* s_submit_exit: send it as a simple order */

/* One of our orders as this gateway has reported it. */
typedef struct {
    bool used;
    char coid[TT_COID_MAX + 1];
    char id[TT_AP_ID_MAX + 1]; /* the venue's; "" until known */
    size_t sym;
    bool acked, done;
    tt_qty_t cum;       /* filled quantity reported */
    int64_t cost;       /* sum of px * qty reported (px x qty scales) */
    tt_ns_t since;      /* submitted_at, or when we sent it */
    uint64_t touch;     /* recycling order */
    tt_ns_t hold_until; /* an exit waiting for its OCO partner */
    bool restored;      /* open in the store at a restart, not yet settled */
    bool seed_acked;    /* acknowledged, as the store had it */
    tt_qty_t seed_cum;  /* filled, as the store had it */
    tt_ord_state_t seed_state; /* the store's state */
    uint64_t replaces;         /* seq of the order it replaces; 0 none */
    tt_broker_ev_kind_t last;  /* the last event emitted */
    bool unanswered; /* a POST of it got no answer: ask before another */
} s_order_t;

typedef struct {
    tt_broker_gw_t *gw;
    const tt_feed_sym_t *syms;
    size_t count;
    int64_t auth_retry_ms;
    char *key_hdr, *secret_hdr; /* "APCA-API-...: value", wiped at the end */
    const char *key, *secret;   /* the gateway's, for the stream's auth */
    tt_ap_scales_t scales;
    s_order_t orders[S_ORDERS];
    uint64_t touches;
    tt_ns_t last_seen; /* latest updated_at seen */
    bool need_sync;
    int down;              /* requests in a row without a reply */
    bool unknown;          /* the last request may have reached the venue (no
                              reply, a 5xx): its outcome is not known */
    char server_error[64]; /* the last request's 5xx ("503 ..."), else "" */
    tt_ap_order_tree_t *page;
    int restore_phase; /* 0: list the venue's orders, 1: ask the rest */
} s_ap_t;

static void s_urls(const tt_feed_opts_t *opts, char *rest, char *stream,
                   size_t size)
{
    snprintf(rest, size, "%s",
             opts->trading_url[0] ? opts->trading_url : S_DEFAULT_REST);
    if (opts->trading_stream[0]) {
        snprintf(stream, size, "%s", opts->trading_stream);
        return;
    }
    /* https://host -> wss://host/stream, http://host -> ws://host/stream */
    bool tls = strncmp(rest, "https://", 8) == 0;
    snprintf(stream, size, "%s://%s/stream", tls ? "wss" : "ws",
             rest + (tls ? 8 : 7));
}

static int s_scale(void *ctx, const char *symbol, tt_instrument_t *out)
{
    s_ap_t *self = ctx;
    for (size_t i = 0; i < self->count; i++)
        if (!strcmp(self->syms[i].name, symbol)) {
            *out = self->syms[i].instrument;
            return 0;
        }
    return -1;
}

static int s_sym_index(const s_ap_t *self, const char *symbol)
{
    for (size_t i = 0; i < self->count; i++)
        if (!strcmp(self->syms[i].name, symbol))
            return (int)i;
    return -1;
}

static void s_destroy(void **self_p)
{
    s_ap_t *self = *self_p;
    if (!self)
        return;
    tt_secret_text_free(&self->key_hdr);
    tt_secret_text_free(&self->secret_hdr);
    free(self->page);
    free(self);
    *self_p = NULL;
}

static void *s_create(tt_broker_gw_t *gw, const tt_broker_setup_t *setup,
                      char *err, size_t errsize)
{
    s_ap_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    self->gw = gw;
    self->syms = setup->symbols;
    self->count = setup->count;
    self->auth_retry_ms = setup->opts->auth_retry_ms;
    self->key = setup->key_id;
    self->secret = setup->secret;
    self->key_hdr = tt_secret_text("APCA-API-KEY-ID: ", setup->key_id);
    self->secret_hdr = tt_secret_text("APCA-API-SECRET-KEY: ", setup->secret);
    self->page = calloc(S_PAGE, sizeof *self->page);
    self->scales = (tt_ap_scales_t){.lookup = s_scale, .ctx = self};
    if (!self->key_hdr || !self->secret_hdr || !self->page) {
        snprintf(err, errsize, "out of memory");
        void *p = self;
        s_destroy(&p);
        return NULL;
    }
    return self;
}

/* ---- orders followed ------------------------------------------------------
 */

static s_order_t *s_find(s_ap_t *self, const char *coid)
{
    for (size_t i = 0; i < S_ORDERS; i++)
        if (self->orders[i].used && !strcmp(self->orders[i].coid, coid))
            return &self->orders[i];
    return NULL;
}

/* The order whose venue id is ID (an OCO's stop leg is known by it). */
static s_order_t *s_find_id(s_ap_t *self, const char *id)
{
    for (size_t i = 0; id[0] && i < S_ORDERS; i++)
        if (self->orders[i].used && !strcmp(self->orders[i].id, id))
            return &self->orders[i];
    return NULL;
}

/* A slot for COID of symbol SYM: a free one, else the finished order
   touched longest ago, else the oldest of all (logged). */
static s_order_t *s_track(s_ap_t *self, const char *coid, size_t sym)
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
        tt_warn(tt_broker_gw_path(self->gw),
                "following more than %d open orders: %s forgotten", S_ORDERS,
                pick->coid);
    memset(pick, 0, sizeof *pick);
    pick->used = true;
    snprintf(pick->coid, sizeof pick->coid, "%s", coid);
    pick->sym = sym;
    pick->since = tt_broker_gw_now(self->gw);
    pick->touch = ++self->touches;
    return pick;
}

static void s_emit(s_ap_t *self, s_order_t *o, tt_broker_ev_kind_t kind,
                   tt_ns_t ts, const char *reason)
{
    o->last = kind;
    tt_broker_ev_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.ts = ts ? ts : tt_broker_gw_now(self->gw);
    snprintf(ev.coid, sizeof ev.coid, "%s", o->coid);
    snprintf(ev.venue_oid, sizeof ev.venue_oid, "%s", o->id);
    /* A venue message longer than the event's reason is cut. */
    snprintf(ev.reason, sizeof ev.reason, "%.*s", (int)sizeof ev.reason - 1,
             reason ? reason : "");
    tt_broker_gw_emit(self->gw, o->sym, &ev);
}

/* O refused because the venue did not answer: that passes, and the book
   may send its order again after a backoff (tt_broker_ev_t.retry_ms). */
static void s_unreachable(s_ap_t *self, s_order_t *o)
{
    o->last = TT_EV_REJECTED;
    tt_broker_ev_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TT_EV_REJECTED;
    ev.ts = tt_broker_gw_now(self->gw);
    ev.retry_ms = TT_EV_RETRY_UNNAMED;
    snprintf(ev.coid, sizeof ev.coid, "%s", o->coid);
    snprintf(ev.reason, sizeof ev.reason, "venue unreachable");
    tt_broker_gw_emit(self->gw, o->sym, &ev);
}

/* The fill id both paths compute: the venue order id without dashes and
   the cumulative filled quantity in base 36 (at most 32 + 1 + 13). */
static void s_fill_id(const s_order_t *o, tt_qty_t cum, char *out)
{
    size_t n = 0;
    for (const char *c = o->id; *c && n < 32; c++)
        if (*c != '-')
            out[n++] = *c;
    out[n++] = ':';
    char digits[16];
    int d = 0;
    uint64_t v = (uint64_t)cum;
    do {
        digits[d++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
        v /= 36;
    } while (v);
    while (d)
        out[n++] = digits[--d];
    out[n] = '\0';
}

/* What the order's new filled quantity adds: one fill. Its price is the
   execution's when the event brought exactly it, else what the average
   price says the new part cost. */
static void s_fill(s_ap_t *self, s_order_t *o, const tt_ap_order_t *v,
                   const tt_ap_exec_t *ex, tt_ns_t ts)
{
    tt_qty_t qty = v->filled_qty - o->cum;
    tt_px_t px;
    int64_t total;
    if (ex && ex->has_fill && ex->qty == qty)
        px = ex->price;
    else if (__builtin_mul_overflow(v->filled_avg_px, v->filled_qty, &total))
        px = v->filled_avg_px; /* too large to split: the average */
    else
        px = (total - o->cost + qty / 2) / qty;
    if (px <= 0) {
        tt_error(tt_broker_gw_path(self->gw),
                 "%s: fill of %lld without a price; not applied", o->coid,
                 (long long)qty);
        return;
    }
    tt_broker_ev_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TT_EV_FILL;
    ev.ts = ts;
    snprintf(ev.coid, sizeof ev.coid, "%s", o->coid);
    snprintf(ev.venue_oid, sizeof ev.venue_oid, "%s", o->id);
    s_fill_id(o, v->filled_qty, ev.fill_id);
    ev.px = px;
    ev.qty = qty;
    /* The fee (0: the order updates carry none) is the commission, in
       the quote currency: a crypto pair's second half, else US dollars
       (tt_broker_ev_t). */
    const char *slash = strchr(self->syms[o->sym].name, '/');
    snprintf(ev.commission_asset, sizeof ev.commission_asset, "%s",
             slash ? slash + 1 : "USD");
    o->cum = v->filled_qty;
    o->cost += (int64_t)px * qty;
    o->last = TT_EV_FILL;
    tt_broker_gw_emit(self->gw, o->sym, &ev);
}

/* Brings the symbol up to date with V, the venue's view of one of our
   orders (EX: the stream event that carried it, or NULL). */
/* The order V is, as followed here: by the venue's id first (an OCO's
   stop leg carries a client id of the venue's), else by our client id;
   NULL when it is not one of ours. */
static s_order_t *s_ours(s_ap_t *self, const tt_ap_order_t *v)
{
    s_order_t *o = s_find_id(self, v->id);
    if (o)
        return o;
    int sym = s_sym_index(self, v->symbol);
    if (sym < 0 || tt_coid_parse(v->client_order_id, NULL, NULL) != 0 ||
        strlen(v->client_order_id) > TT_COID_MAX)
        return NULL;
    return s_track(self, v->client_order_id, (size_t)sym);
}

static void s_reconcile(s_ap_t *self, const tt_ap_order_t *v,
                        const tt_ap_exec_t *ex)
{
    s_order_t *o = s_ours(self, v);
    if (!o)
        return;
    if (v->updated_at > self->last_seen)
        self->last_seen = v->updated_at;
    if (o->done)
        return;
    if (v->id[0])
        snprintf(o->id, sizeof o->id, "%s", v->id);
    if (v->submitted_at)
        o->since = v->submitted_at;
    tt_ns_t ts = ex && ex->ts    ? ex->ts
                 : v->updated_at ? v->updated_at
                                 : tt_broker_gw_now(self->gw);
    if (ex && ex->event == TT_AP_EV_ORDER_CANCEL_REJECTED) {
        s_emit(self, o, TT_EV_CANCEL_REJECTED, ts, "cancel refused by venue");
        return;
    }
    if (v->state == TT_OS_REJECTED) {
        s_emit(self, o, TT_EV_REJECTED, ts, "rejected by the venue");
        o->done = true;
        return;
    }
    if (!o->acked && v->state != TT_OS_NEW) {
        s_emit(self, o, TT_EV_ACCEPTED, ts, NULL);
        o->acked = true;
    }
    if (v->filled_qty > o->cum)
        s_fill(self, o, v, ex, ts);
    if (v->state == TT_OS_CANCELLED)
        s_emit(self, o, TT_EV_CANCELLED, ts, NULL);
    else if (v->state == TT_OS_EXPIRED)
        s_emit(self, o, TT_EV_EXPIRED, ts, "expired at the venue");
    o->done = tt_ord_terminal(v->state);
}

/* ---- requests ---------------------------------------------------------------
 */

/* A reply that is not a success, as the symbol sees it: REJECTED (or
   CANCEL_REJECTED) with the venue's status and message. Refused keys
   also stop new orders for auth_retry_s. */
static void s_refused(s_ap_t *self, s_order_t *o, const tt_http_reply_t *r,
                      bool cancel, const char *what)
{
    tt_ap_error_t e;
    tt_ap_reject_t cls =
        tt_ap_error_parse((int)r->status, r->body ? r->body : "", r->len, &e);
    char reason[64];
    snprintf(reason, sizeof reason, "%d %.58s", (int)r->status, e.message);
    tt_warn(tt_broker_gw_path(self->gw), "%s %s refused: %d %s (%s)", what,
            o->coid, (int)r->status, e.message, tt_ap_reject_name(cls));
    tt_broker_ev_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = cancel ? TT_EV_CANCEL_REJECTED : TT_EV_REJECTED;
    ev.ts = tt_broker_gw_now(self->gw);
    ev.code = (int32_t)(e.code ? e.code : r->status);
    /* Refused keys are held for auth_retry_s, a 429 or 5xx passes; the
       rest (422, buying power) stands. */
    if (!cancel && cls == TT_AP_REJ_AUTH)
        ev.retry_ms = self->auth_retry_ms > INT32_MAX
                          ? INT32_MAX
                          : (int32_t)self->auth_retry_ms;
    else if (!cancel &&
             (cls == TT_AP_REJ_RATE_LIMIT || cls == TT_AP_REJ_SERVER))
        ev.retry_ms = TT_EV_RETRY_UNNAMED;
    snprintf(ev.coid, sizeof ev.coid, "%s", o->coid);
    snprintf(ev.reason, sizeof ev.reason, "%s", reason);
    tt_broker_gw_emit(self->gw, o->sym, &ev);
    if (!cancel)
        o->done = true;
    if (cls == TT_AP_REJ_AUTH) {
        char why[96];
        snprintf(why, sizeof why, "%s: check key_id and secret_key", reason);
        tt_broker_gw_refuse(self->gw, self->auth_retry_ms, why);
    }
}

/* A 5xx to METHOD PATH: kept (the status and the venue's message) for
   a cancel to be answered with, logged and shown in health. */
static void s_server_error(s_ap_t *self, const char *method, const char *path,
                           const tt_http_reply_t *r)
{
    tt_ap_error_t e;
    tt_ap_error_parse((int)r->status, r->body ? r->body : "", r->len, &e);
    snprintf(self->server_error, sizeof self->server_error, "%d %.58s",
             (int)r->status, e.message);
    char text[200];
    snprintf(text, sizeof text, "%s %.*s: %s", method, (int)strcspn(path, "?"),
             path, self->server_error);
    tt_warn(tt_broker_gw_path(self->gw), "%s", text);
    tt_broker_gw_error(self->gw, text);
}

/* One request; TT_BROKER_LATER when it must be tried again (the budget,
   a 429, a 5xx, no reply), else DONE with *R to read and free. */
static int s_request(s_ap_t *self, const char *method, const char *path,
                     const char *body, tt_http_reply_t *r)
{
    const char *headers[] = {self->key_hdr, self->secret_hdr,
                             "Content-Type: application/json", NULL};
    char err[160];
    self->unknown = false;
    self->server_error[0] = '\0';
    int rc = tt_broker_gw_http(self->gw, method, path, headers, body, r, err,
                               sizeof err);
    if (rc == TT_BROKER_LATER)
        return rc;
    if (rc < 0) {
        self->unknown = true;
        self->down++;
        char text[200];
        snprintf(text, sizeof text, "%s %s: no reply: %s", method, path, err);
        tt_warn(tt_broker_gw_path(self->gw), "%s", text);
        tt_broker_gw_error(self->gw, text);
        return TT_BROKER_LATER;
    }
    self->down = 0;
    self->unknown = r->status >= 500;
    if (r->status >= 500)
        s_server_error(self, method, path, r);
    if (r->status == 429 || r->status >= 500) {
        tt_http_reply_free(r);
        return TT_BROKER_LATER;
    }
    return TT_BROKER_DONE;
}

/* LEG, the stop of an OCO, gets the venue id of the tree's stop leg. */
static void s_bind_leg(s_order_t *leg, const tt_ap_order_tree_t *t)
{
    for (size_t i = 0; i < t->n_legs; i++)
        if (t->legs[i].type == TT_AP_TYPE_STOP ||
            t->legs[i].type == TT_AP_TYPE_STOP_LIMIT)
            snprintf(leg->id, sizeof leg->id, "%s", t->legs[i].id);
}

/* Reads an Order reply (and its legs) into the symbol's view; LEG, when
   not NULL, is the OCO stop leg the reply names. */
static void s_order_reply(s_ap_t *self, const tt_http_reply_t *r,
                          s_order_t *leg)
{
    char err[160];
    tt_ap_order_tree_t *t = &self->page[0];
    if (tt_ap_order_parse(r->body, r->len, &self->scales, t, err, sizeof err) !=
        0) {
        tt_error(tt_broker_gw_path(self->gw), "order reply: %s", err);
        return;
    }
    if (leg)
        s_bind_leg(leg, t);
    s_reconcile(self, &t->order, NULL);
    for (size_t i = 0; i < t->n_legs; i++)
        s_reconcile(self, &t->legs[i], NULL);
}

/* After S_DOWN_MAX requests without a reply, an order waiting to be sent
   is rejected rather than held forever (the venue may be gone). */
static int s_give_up(s_ap_t *self, s_order_t *o, bool cancel)
{
    if (self->down < S_DOWN_MAX)
        return TT_BROKER_LATER;
    if (cancel)
        s_emit(self, o, TT_EV_CANCEL_REJECTED, 0, "venue unreachable");
    else
        s_unreachable(self, o);
    if (!cancel)
        o->done = true;
    self->down = 0;
    return TT_BROKER_DONE;
}

/* ORD of symbol SYM as a simple order. */
static tt_ap_order_req_t s_req(const s_ap_t *self, size_t sym,
                               const tt_order_t *ord)
{
    const tt_instrument_t *inst = &self->syms[sym].instrument;
    bool crypto = strchr(self->syms[sym].name, '/') != NULL;
    tt_ap_order_req_t req = {
        .symbol = self->syms[sym].name,
        .side = ord->side,
        .type = tt_ap_type_from_tt(ord->type),
        .tif = tt_ap_tif_from_tt(ord->tif),
        .px_decimals = inst->px_decimals,
        .qty_decimals = inst->qty_decimals,
        .qty = ord->qty,
        .limit_px = ord->limit_px,
        .stop_px = ord->stop_px,
        .client_order_id = ord->coid,
    };
    if (crypto && req.tif == TT_AP_TIF_DAY)
        req.tif = TT_AP_TIF_GTC; /* crypto takes gtc and ioc only */
    return req;
}

/* The stop leg of the OCO order O when its POST reply named none: asked
   once, nested, so its fills are not missed. */
static void s_find_leg(s_ap_t *self, s_order_t *o, s_order_t *leg)
{
    char path[128];
    snprintf(path, sizeof path, "/v2/orders/%s?nested=true", o->id);
    tt_http_reply_t r;
    if (o->id[0] && s_request(self, "GET", path, NULL, &r) == TT_BROKER_DONE) {
        if (r.status == 200)
            s_order_reply(self, &r, leg);
        tt_http_reply_free(&r);
    }
    if (!leg->id[0])
        tt_error(tt_broker_gw_path(self->gw),
                 "%s: the venue named no stop leg of OCO %s", leg->coid,
                 o->coid);
}

/* O was POSTed without an answer (no reply, a 5xx): it may be at the
   venue, and a second POST of its client id would be refused as a
   duplicate while it works there. So the venue is asked first: DONE when
   it has O (adopted, with its leg LEG when not NULL), S_ALONE when it
   does not (404) or says something else (POST it, as before), LATER
   when it did not answer. */
static int s_recheck(s_ap_t *self, s_order_t *o, s_order_t *leg)
{
    char path[128];
    snprintf(path, sizeof path,
             "/v2/orders:by_client_order_id?client_order_id=%s", o->coid);
    tt_http_reply_t r;
    if (s_request(self, "GET", path, NULL, &r) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    long status = r.status;
    if (status == 200) {
        tt_info(tt_broker_gw_path(self->gw),
                "%s: at the venue after a POST without an answer; adopted",
                o->coid);
        s_order_reply(self, &r, leg);
    }
    tt_http_reply_free(&r);
    o->unanswered = false;
    if (status != 200)
        return S_ALONE;
    if (leg && !leg->id[0])
        s_find_leg(self, o, leg);
    return TT_BROKER_DONE;
}

/* POSTs REQ for O and, for an OCO, its stop leg LEG (else NULL): both
   get the answer. */
static int s_post(s_ap_t *self, s_order_t *o, s_order_t *leg,
                  const tt_ap_order_req_t *req)
{
    if (o->unanswered) { /* held until the venue says (never given up) */
        int rc = s_recheck(self, o, leg);
        if (rc != S_ALONE)
            return rc;
    }
    char err[160];
    char *body = tt_ap_order_body(req, err, sizeof err);
    if (!body) {
        for (s_order_t *x = o; x; x = x == o ? leg : NULL) {
            s_emit(self, x, TT_EV_REJECTED, 0, err);
            x->done = true;
        }
        return TT_BROKER_DONE;
    }
    tt_http_reply_t r;
    int rc = s_request(self, "POST", "/v2/orders", body, &r);
    free(body);
    if (rc == TT_BROKER_LATER && self->unknown) {
        o->unanswered = true;
        /* The intent in hand, and an OCO's partner still queued behind
           it (either leg may be the one in hand): both may work at the
           venue now. */
        tt_broker_gw_unsure(self->gw);
        for (s_order_t *x = o; x; x = x == o ? leg : NULL)
            tt_broker_gw_unsure_also(self->gw, x->sym, x->coid);
    }
    if (rc == TT_BROKER_LATER) {
        if (o->unanswered || s_give_up(self, o, false) == TT_BROKER_LATER)
            return TT_BROKER_LATER;
        if (leg)
            s_unreachable(self, leg);
        if (leg)
            leg->done = true;
        return TT_BROKER_DONE;
    }
    bool ok = r.status == 200 || r.status == 201;
    if (ok)
        s_order_reply(self, &r, leg);
    for (s_order_t *x = o; !ok && x; x = x == o ? leg : NULL)
        s_refused(self, x, &r, false, "order");
    tt_http_reply_free(&r);
    if (ok && leg && !leg->id[0])
        s_find_leg(self, o, leg);
    return TT_BROKER_DONE;
}

static tt_role_t s_role(const char *coid)
{
    tt_role_t role = 0;
    return tt_coid_parse(coid, NULL, &role) == 0 ? role : 0;
}

/* True when an exit of ROLE of symbol SYM works at the venue now. */
static bool s_exit_live(const s_ap_t *self, size_t sym, tt_role_t role)
{
    for (size_t i = 0; i < S_ORDERS; i++) {
        const s_order_t *o = &self->orders[i];
        if (o->used && !o->done && o->sym == sym && s_role(o->coid) == role)
            return true;
    }
    return false;
}

/* STOP and TARGET as one OCO: same side and quantity, a plain limit
   take-profit, a stop or stop-limit. */
static bool s_pairs(const tt_order_t *stop, const tt_order_t *target)
{
    return stop->side == target->side && stop->qty == target->qty &&
           stop->tif == target->tif && target->type == TT_ORD_LIMIT &&
           (stop->type == TT_ORD_STOP || stop->type == TT_ORD_STOP_LIMIT);
}

/* An exit (ROLE stop or target) with its partner from the queue as one
   OCO; LATER while the partner has not come (S_PAIR_WAIT_NS at most),
   S_ALONE when it goes as a simple order. */
static int s_submit_exit(s_ap_t *self, size_t sym, const tt_intent_t *it,
                         tt_role_t role)
{
    tt_role_t other = role == TT_ROLE_STOP ? TT_ROLE_TARGET : TT_ROLE_STOP;
    s_order_t *o = s_track(self, it->order.coid, sym);
    tt_intent_t sib;
    if (!tt_broker_gw_take(self->gw, sym, TT_INTENT_SUBMIT, other, false,
                           &sib)) {
        tt_ns_t now = tt_broker_gw_now(self->gw);
        if (!o->hold_until)
            o->hold_until = now + S_PAIR_WAIT_NS;
        if (s_exit_live(self, sym, other))
            return S_ALONE; /* a lost exit sent again beside a live one */
        if (now < o->hold_until)
            return TT_BROKER_LATER;
        tt_warn(tt_broker_gw_path(self->gw),
                "%s: its OCO partner did not come: sent alone", o->coid);
        return S_ALONE;
    }
    bool stop_first = role == TT_ROLE_STOP;
    const tt_order_t *stop = stop_first ? &it->order : &sib.order;
    const tt_order_t *target = stop_first ? &sib.order : &it->order;
    if (!s_pairs(stop, target))
        return S_ALONE;
    tt_ap_order_req_t req = s_req(self, sym, target);
    req.order_class = TT_AP_CLASS_OCO;
    req.limit_px = 0;
    req.tp_limit_px = target->limit_px;
    req.sl_stop_px = stop->stop_px;
    req.sl_limit_px = stop->type == TT_ORD_STOP_LIMIT ? stop->limit_px : 0;
    s_order_t *t = s_track(self, target->coid, sym);
    s_order_t *sl = s_track(self, stop->coid, sym);
    int rc = s_post(self, t, sl, &req);
    if (rc == TT_BROKER_DONE)
        tt_broker_gw_take(self->gw, sym, TT_INTENT_SUBMIT, other, true, &sib);
    return rc;
}

static int s_submit(s_ap_t *self, size_t sym, const tt_intent_t *it)
{
    tt_role_t role = s_role(it->order.coid);
    if (role == TT_ROLE_STOP || role == TT_ROLE_TARGET) {
        int rc = s_submit_exit(self, sym, it, role);
        if (rc != S_ALONE)
            return rc;
    }
    tt_ap_order_req_t req = s_req(self, sym, &it->order);
    return s_post(self, s_track(self, it->order.coid, sym), NULL, &req);
}

/* The venue's id of O, asked by client order id when this gateway never
   saw it (an order sent before a restart). DONE with O->id set, DONE
   with "" when the venue does not know it, or LATER. */
static int s_lookup(s_ap_t *self, s_order_t *o)
{
    if (o->id[0])
        return TT_BROKER_DONE;
    char path[128];
    snprintf(path, sizeof path,
             "/v2/orders:by_client_order_id?"
             "client_order_id=%s",
             o->coid);
    tt_http_reply_t r;
    if (s_request(self, "GET", path, NULL, &r) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    if (r.status == 200)
        s_order_reply(self, &r, NULL);
    tt_http_reply_free(&r);
    return TT_BROKER_DONE;
}

/* After a 422 to a cancel: true when the venue has ended O meanwhile
   (the OCO partner filled or was cancelled), which the re-read order
   brought to the symbol; the refusal is no error then. */
static bool s_ended(s_ap_t *self, s_order_t *o, const tt_http_reply_t *r)
{
    if (r->status != 422)
        return false;
    char path[96];
    snprintf(path, sizeof path, "/v2/orders/%s", o->id);
    tt_http_reply_t g;
    if (s_request(self, "GET", path, NULL, &g) != TT_BROKER_DONE)
        return false;
    if (g.status == 200)
        s_order_reply(self, &g, NULL);
    tt_http_reply_free(&g);
    return o->done;
}

/* A cancel of O that could not be asked now. A 5xx is answered as a
   refused cancel: the order is as working as it was for all we know (if
   the venue did cancel it, its event says so), and the book asks again
   after its doubling wait (orders/book_guard.c). Held here instead, it
   went again at the budget's pace, every intent of the venue queued
   behind it. The budget or a 429 waits here; no reply counts toward
   S_DOWN_MAX. */
static int s_cancel_later(s_ap_t *self, s_order_t *o)
{
    if (!self->server_error[0])
        return s_give_up(self, o, true);
    s_emit(self, o, TT_EV_CANCEL_REJECTED, 0, self->server_error);
    return TT_BROKER_DONE;
}

static int s_cancel(s_ap_t *self, size_t sym, const tt_intent_t *it)
{
    s_order_t *o = s_track(self, it->order.coid, sym);
    if (o->done)
        return TT_BROKER_DONE; /* ended at the venue: its event went out */
    if (s_lookup(self, o) == TT_BROKER_LATER)
        return s_cancel_later(self, o);
    if (!o->id[0]) {
        s_emit(self, o, TT_EV_CANCEL_REJECTED, 0, "unknown order");
        return TT_BROKER_DONE;
    }
    char path[96];
    snprintf(path, sizeof path, "/v2/orders/%s", o->id);
    tt_http_reply_t r;
    if (s_request(self, "DELETE", path, NULL, &r) == TT_BROKER_LATER)
        return s_cancel_later(self, o);
    /* 204: asked; the stream (or the next re-query) says cancelled. */
    if (r.status != 204 && r.status != 200 && !s_ended(self, o, &r))
        s_refused(self, o, &r, true, "cancel");
    tt_http_reply_free(&r);
    return TT_BROKER_DONE;
}

static int s_replace(s_ap_t *self, size_t sym, const tt_intent_t *it)
{
    s_order_t *old = s_track(self, it->old_coid, sym);
    if (s_lookup(self, old) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    s_order_t *o = s_track(self, it->order.coid, sym);
    if (!old->id[0]) {
        s_emit(self, o, TT_EV_REJECTED, 0, "replaced order unknown");
        o->done = true;
        return TT_BROKER_DONE;
    }
    const tt_instrument_t *inst = &self->syms[sym].instrument;
    tt_ap_replace_req_t req = {.px_decimals = inst->px_decimals,
                               .qty_decimals = inst->qty_decimals,
                               .qty = it->order.qty,
                               .limit_px = it->order.limit_px,
                               .stop_px = it->order.stop_px,
                               .client_order_id = it->order.coid};
    char err[160], path[96];
    char *body = tt_ap_replace_body(&req, err, sizeof err);
    if (!body) {
        s_emit(self, o, TT_EV_REJECTED, 0, err);
        o->done = true;
        return TT_BROKER_DONE;
    }
    snprintf(path, sizeof path, "/v2/orders/%s", old->id);
    tt_http_reply_t r;
    int rc = s_request(self, "PATCH", path, body, &r);
    free(body);
    if (rc == TT_BROKER_LATER)
        return s_give_up(self, o, false);
    if (r.status == 200)
        s_order_reply(self, &r, NULL);
    else
        s_refused(self, o, &r, false, "replace");
    tt_http_reply_free(&r);
    return TT_BROKER_DONE;
}

/* ---- restart: the store's open orders against the venue ----------------
 */

/* A restored open order, as the store has it: followed from here on as
   if this gateway had reported that much (a restarted actor's orders
   too, whose last events may have died with it: they are sent again). */
static void s_seed(s_ap_t *self, size_t sym, const tt_order_t *ord)
{
    s_order_t *o = s_track(self, ord->coid, sym);
    int64_t scale = 1, cost = 0;
    for (int i = 0; i < self->syms[sym].instrument.qty_decimals; i++)
        scale *= 10;
    if (__builtin_mul_overflow(ord->fill_cost, scale, &cost))
        cost = 0; /* only the split of a later fill's price suffers */
    o->cum = o->seed_cum = ord->filled;
    o->cost = cost;
    o->acked = o->seed_acked = ord->state != TT_OS_NEW;
    o->seed_state = ord->state;
    o->replaces = ord->replaces;
    o->done = false;
    o->since = ord->created_ts ? ord->created_ts : o->since;
    o->restored = true;
    o->last = 0;
}

/* The restored stop of SYM the venue named no leg for yet. */
static s_order_t *s_unbound_stop(s_ap_t *self, size_t sym)
{
    for (size_t i = 0; i < S_ORDERS; i++) {
        s_order_t *o = &self->orders[i];
        if (o->used && o->restored && !o->done && o->sym == sym && !o->id[0] &&
            s_role(o->coid) == TT_ROLE_STOP)
            return o;
    }
    return NULL;
}

/* An order of ours the venue still works that the store does not have
   open (done there, or never this symbol's): cancelled at the venue, as
   the paper broker's reconciliation does. */
static void s_foreign(s_ap_t *self, size_t sym, const tt_ap_order_t *v)
{
    char path[96], why[96];
    snprintf(path, sizeof path, "/v2/orders/%s", v->id);
    tt_http_reply_t r;
    int rc = s_request(self, "DELETE", path, NULL, &r);
    if (rc == TT_BROKER_DONE)
        tt_http_reply_free(&r);
    snprintf(why, sizeof why, "working at the venue, not open in the store%s",
             rc == TT_BROKER_DONE ? "" : " (cancel not sent)");
    tt_broker_gw_note(self->gw, sym, v->client_order_id,
                      TT_RECON_CANCEL_AT_BROKER, NULL, why);
}

/* One order of the venue's listing, with its legs, for symbol SYM. */
static void s_restore_tree(s_ap_t *self, size_t sym,
                           const tt_ap_order_tree_t *t)
{
    const tt_ap_order_t *list[1 + TT_AP_LEGS_MAX];
    size_t n = 0;
    list[n++] = &t->order;
    for (size_t i = 0; i < t->n_legs; i++)
        list[n++] = &t->legs[i];
    s_order_t *parent = NULL;
    for (size_t i = 0; i < n; i++) {
        const tt_ap_order_t *v = list[i];
        s_order_t *o = s_find_id(self, v->id);
        if (!o && strlen(v->client_order_id) <= TT_COID_MAX)
            o = s_find(self, v->client_order_id);
        bool stop_leg = i > 0 && (v->type == TT_AP_TYPE_STOP ||
                                  v->type == TT_AP_TYPE_STOP_LIMIT);
        if (!o && stop_leg && parent && s_role(parent->coid) == TT_ROLE_TARGET)
            o = s_unbound_stop(self, sym);
        if (o) {
            snprintf(o->id, sizeof o->id, "%s", v->id);
            s_reconcile(self, v, NULL);
        } else if (tt_coid_parse(v->client_order_id, NULL, NULL) == 0 &&
                   !tt_ord_terminal(v->state)) {
            s_foreign(self, sym, v);
        }
        if (i == 0)
            parent = o;
    }
}

/* The venue's orders (nested: an OCO's leg under its take-profit) from
   just before the oldest restored order of SYM. */
static int s_restore_list(s_ap_t *self, size_t sym)
{
    tt_ns_t from = 0;
    for (size_t i = 0; i < S_ORDERS; i++) {
        const s_order_t *o = &self->orders[i];
        if (o->used && o->restored && o->sym == sym &&
            (!from || o->since < from))
            from = o->since;
    }
    for (int p = 0; from && p < S_PAGES; p++) {
        char after[40], path[200], err[160];
        tt_ap_time_format(from > S_SLACK_NS ? from - S_SLACK_NS : from, after,
                          sizeof after);
        snprintf(path, sizeof path,
                 "/v2/orders?status=all&direction=asc&nested=true&limit=%d&"
                 "after=%s",
                 S_PAGE, after);
        tt_http_reply_t r;
        if (s_request(self, "GET", path, NULL, &r) == TT_BROKER_LATER)
            return TT_BROKER_LATER;
        size_t n = 0;
        if (r.status != 200 ||
            tt_ap_orders_parse(r.body, r.len, &self->scales, self->page, S_PAGE,
                               &n, NULL, err, sizeof err) != 0) {
            tt_error(tt_broker_gw_path(self->gw), "restart listing: %s",
                     r.status != 200 ? "refused" : err);
            n = 0;
        }
        tt_http_reply_free(&r);
        tt_ns_t last = 0;
        for (size_t i = 0; i < n; i++) {
            if (s_sym_index(self, self->page[i].order.symbol) == (int)sym)
                s_restore_tree(self, sym, &self->page[i]);
            if (self->page[i].order.submitted_at > last)
                last = self->page[i].order.submitted_at;
        }
        if (n < S_PAGE || last <= from)
            break;
        from = last + S_SLACK_NS; /* the next page starts after LAST */
    }
    return TT_BROKER_DONE;
}

/* Restored orders of SYM the store had pending a cancel or a replace and
   the venue still works: the request never reached it. The book takes
   them back to working (a refused cancel); a replacement the venue never
   saw is refused with it, so it is not asked about. */
static void s_restore_pending(s_ap_t *self, size_t sym)
{
    for (size_t i = 0; i < S_ORDERS; i++) {
        s_order_t *o = &self->orders[i];
        uint64_t seq = 0;
        if (!o->used || !o->restored || o->done || o->sym != sym || !o->id[0] ||
            (o->seed_state != TT_OS_PENDING_CANCEL &&
             o->seed_state != TT_OS_PENDING_REPLACE) ||
            tt_coid_parse(o->coid, &seq, NULL) != 0)
            continue;
        s_emit(self, o, TT_EV_CANCEL_REJECTED, 0, "never reached the venue");
        tt_broker_gw_note(
            self->gw, sym, o->coid, TT_RECON_ADOPT_STATE, NULL,
            "working at the venue: the cancel or replace never reached it");
        for (size_t k = 0; k < S_ORDERS; k++) {
            s_order_t *r = &self->orders[k];
            if (r->used && r->restored && r->sym == sym && !r->id[0] &&
                r->replaces == seq)
                r->done = true, r->restored = false;
        }
    }
}

/* Restored orders of SYM the listing did not show, asked one by one by
   client order id; one the venue does not know (404) is expired, one it
   would not say anything about (a refused key) stays as it is. */
static int s_restore_ask(s_ap_t *self, size_t sym)
{
    for (size_t i = 0; i < S_ORDERS; i++) {
        s_order_t *o = &self->orders[i];
        if (!o->used || !o->restored || o->done || o->sym != sym || o->id[0])
            continue;
        char path[128];
        snprintf(path, sizeof path,
                 "/v2/orders:by_client_order_id?client_order_id=%s", o->coid);
        tt_http_reply_t r;
        if (s_request(self, "GET", path, NULL, &r) == TT_BROKER_LATER)
            return TT_BROKER_LATER;
        if (r.status == 200)
            s_order_reply(self, &r, NULL);
        if (r.status == 404) { /* only a 404 says "unknown" */
            s_emit(self, o, TT_EV_EXPIRED, 0, "unknown to broker");
            o->done = true;
        } else if (r.status != 200) {
            tt_error(tt_broker_gw_path(self->gw),
                     "%s: the venue did not say (%d): kept as the store has "
                     "it",
                     o->coid, (int)r.status);
        }
        tt_http_reply_free(&r);
    }
    return TT_BROKER_DONE;
}

/* What the reconciliation changed for each restored order of SYM, then
   the end of the list. */
static void s_restore_notes(s_ap_t *self, size_t sym)
{
    int changed = 0;
    for (size_t i = 0; i < S_ORDERS; i++) {
        s_order_t *o = &self->orders[i];
        if (!o->used || !o->restored || o->sym != sym)
            continue;
        o->restored = false;
        char fill_id[TT_FILL_ID_MAX + 1];
        const char *why = NULL;
        int32_t action = TT_RECON_ADOPT_STATE;
        if (o->cum > o->seed_cum) {
            s_fill_id(o, o->cum, fill_id);
            tt_broker_gw_note(self->gw, sym, o->coid, TT_RECON_ADOPT_FILL,
                              fill_id, "filled at the venue while down");
            changed++;
        }
        if (o->done && o->last == TT_EV_CANCELLED)
            why = "cancelled at the venue";
        else if (o->done && o->last == TT_EV_EXPIRED && !o->id[0])
            why = "unknown to broker", action = TT_RECON_RESOLVE;
        else if (o->done && o->last == TT_EV_EXPIRED)
            why = "expired at the venue";
        else if (o->done && o->last == TT_EV_REJECTED)
            why = "rejected at the venue";
        else if (!o->done && o->acked && !o->seed_acked)
            why = "working at the venue: acknowledged";
        if (why)
            tt_broker_gw_note(self->gw, sym, o->coid, action, NULL, why);
        changed += why != NULL;
    }
    tt_info(tt_broker_gw_path(self->gw), "%s: restart reconciled, %d changed",
            self->syms[sym].name, changed);
    tt_broker_gw_note(self->gw, sym, "", 0, NULL, "");
}

/* A restored order to follow, or (empty client id) the end of the
   symbol's list: reconcile them with the venue now. */
static int s_query(s_ap_t *self, size_t sym, const tt_intent_t *it)
{
    if (it->order.coid[0]) {
        s_seed(self, sym, &it->order);
        return TT_BROKER_DONE;
    }
    if (self->restore_phase == 0 &&
        s_restore_list(self, sym) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    if (self->restore_phase == 0)
        s_restore_pending(self, sym);
    self->restore_phase = 1;
    if (s_restore_ask(self, sym) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    self->restore_phase = 0;
    s_restore_notes(self, sym);
    return TT_BROKER_DONE;
}

static int s_intent(void *arg, size_t sym, const tt_intent_t *it, int attempt)
{
    (void)attempt;
    s_ap_t *self = arg;
    switch (it->kind) {
    case TT_INTENT_SUBMIT:
        return s_submit(self, sym, it);
    case TT_INTENT_CANCEL:
        return s_cancel(self, sym, it);
    case TT_INTENT_REPLACE:
        return s_replace(self, sym, it);
    case TT_INTENT_QUERY:
        return s_query(self, sym, it);
    }
    return TT_BROKER_DONE;
}

/* ---- recovery after a reconnect ------------------------------------------ */

/* Where the re-query starts: just before the oldest order still open
   here, or the latest update seen when none is; 0 when there is nothing
   this gateway could have missed. */
static tt_ns_t s_sync_from(const s_ap_t *self)
{
    tt_ns_t from = self->last_seen;
    for (size_t i = 0; i < S_ORDERS; i++) {
        const s_order_t *o = &self->orders[i];
        if (o->used && !o->done && (!from || o->since < from))
            from = o->since;
    }
    return from > S_SLACK_NS ? from - S_SLACK_NS : from;
}

/* One page of orders after FROM, oldest first; *LAST gets the newest
   submitted_at and *N how many came. */
static int s_sync_page(s_ap_t *self, tt_ns_t from, tt_ns_t *last, size_t *n)
{
    char after[40], path[160], err[160];
    tt_ap_time_format(from, after, sizeof after);
    snprintf(path, sizeof path,
             "/v2/orders?status=all&direction=asc&limit=%d&after=%s", S_PAGE,
             after);
    tt_http_reply_t r;
    if (s_request(self, "GET", path, NULL, &r) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    *n = 0;
    if (r.status != 200 ||
        tt_ap_orders_parse(r.body, r.len, &self->scales, self->page, S_PAGE, n,
                           NULL, err, sizeof err) != 0) {
        tt_error(tt_broker_gw_path(self->gw), "order re-query: %s",
                 r.status != 200 ? "refused" : err);
        *n = 0;
    }
    tt_http_reply_free(&r);
    for (size_t i = 0; i < *n; i++) {
        /* Only orders followed here: an older one of ours (a finished
           order of a previous run) is no news to the symbol. */
        const tt_ap_order_t *v = &self->page[i].order;
        if (s_find_id(self, v->id) ||
            (strlen(v->client_order_id) <= TT_COID_MAX &&
             s_find(self, v->client_order_id)))
            s_reconcile(self, v, NULL);
        if (self->page[i].order.submitted_at > *last)
            *last = self->page[i].order.submitted_at;
    }
    return TT_BROKER_DONE;
}

static int s_work(void *arg)
{
    s_ap_t *self = arg;
    if (!self->need_sync)
        return TT_BROKER_DONE;
    tt_ns_t from = s_sync_from(self);
    size_t total = 0;
    for (int p = 0; from && p < S_PAGES; p++) {
        tt_ns_t last = 0;
        size_t n = 0;
        if (s_sync_page(self, from, &last, &n) == TT_BROKER_LATER)
            return TT_BROKER_LATER;
        total += n;
        if (n < S_PAGE || last <= from)
            break;
        from = last;
    }
    tt_info(tt_broker_gw_path(self->gw),
            "order stream listening: %zu orders re-queried", total);
    self->need_sync = false;
    return TT_BROKER_DONE;
}

/* ---- trade_updates --------------------------------------------------------
 */

static void s_on_open(void *arg, tt_wsfeed_t *feed)
{
    s_ap_t *self = arg;
    char buf[TT_SECRET_MAX * 2 + 128];
    int len =
        tt_ap_tstream_auth(buf, sizeof buf, self->key, self->secret, false);
    if (len < 0 || tt_wsfeed_send(feed, buf, (size_t)len) != 0)
        tt_wsfeed_close(feed, "trade_updates: cannot send auth", 0);
    volatile char *p = buf; /* the secret does not stay on the stack */
    for (size_t i = 0; i < sizeof buf; i++)
        p[i] = '\0';
}

static void s_on_control(s_ap_t *self, tt_wsfeed_t *feed, const tt_ap_tmsg_t *m)
{
    char buf[128];
    switch (m->kind) {
    case TT_AP_TMSG_AUTHORIZED: {
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_CONTROL, NULL);
        int len = tt_ap_tstream_listen(buf, sizeof buf, true);
        if (len < 0 || tt_wsfeed_send(feed, buf, (size_t)len) != 0)
            tt_wsfeed_close(feed, "trade_updates: cannot send listen", 0);
        return;
    }
    case TT_AP_TMSG_UNAUTHORIZED:
        snprintf(buf, sizeof buf,
                 "trade_updates: %s unauthorized (check key_id and "
                 "secret_key); next attempt in %lld s",
                 m->action, (long long)(self->auth_retry_ms / 1000));
        tt_error(tt_broker_gw_path(self->gw), "%s", buf);
        tt_wsfeed_close(feed, buf, self->auth_retry_ms);
        return;
    case TT_AP_TMSG_LISTENING:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_SUBSCRIBED, NULL);
        self->need_sync = true; /* whatever happened while not listening */
        return;
    case TT_AP_TMSG_ERROR:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_SERVER_ERROR, m->error);
        return;
    default:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_OTHER, NULL);
        return;
    }
}

static void s_on_message(void *arg, tt_wsfeed_t *feed, const char *buf,
                         size_t len, bool binary)
{
    (void)binary; /* the paper server sends JSON in binary frames */
    s_ap_t *self = arg;
    tt_ap_tmsg_t *m = malloc(sizeof *m);
    if (!m)
        return;
    char err[160];
    int rc = tt_ap_tstream_parse(buf, len, &self->scales, m, err, sizeof err);
    if (rc == TT_AP_ESYMBOL)
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_UNKNOWN_SYMBOL, NULL);
    else if (rc != 0)
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_MALFORMED, err);
    else if (m->kind == TT_AP_TMSG_TRADE_UPDATE)
        s_reconcile(self, &m->exec.order.order, &m->exec);
    else
        s_on_control(self, feed, m);
    free(m);
}

const tt_broker_ops_t tt_broker_alpaca_ops = {
    .kind = TT_VENUE_ALPACA,
    .urls = s_urls,
    .create = s_create,
    .destroy = s_destroy,
    .intent = s_intent,
    .work = s_work,
    .stream = {.on_open = s_on_open, .on_message = s_on_message},
};
