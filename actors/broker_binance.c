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
    sent again: never twice.

    A bracket's stop and take-profit go as one OCO order list, each leg
    under our client id (broker_binance_oco.c): two lone sells of the
    same coins would be refused for balance, or both fill.

    This file: setup and the intents (filters, submit, cancel, replace);
    broker_binance_orders.c: the orders followed, the rule for fills, the
    requests; broker_binance_session.c: the user-data session and the
    recovery; broker_binance_oco.c: the exits' order lists. */
#include "actors/broker_binance.h"
#include "runtime/clock.h"
#include "runtime/log.h"
#include "venues/common/secrets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_FILTER_RETRY_NS (60 * 1000000000LL) /* after a bad exchangeInfo */

static void s_urls(const tt_feed_opts_t *opts, char *rest, char *stream,
                   size_t size)
{
    const char *def = opts->testnet ? "https://testnet.binance.vision"
                                    : "https://api.binance.com";
    snprintf(rest, size, "%s", opts->trading_url[0] ? opts->trading_url : def);
    stream[0] = '\0'; /* /ws/<listenKey>: known once the session opens */
}

static void s_destroy(void **self_p)
{
    tt_bnb_t *self = *self_p;
    if (!self)
        return;
    tt_bn_ipweight_release(&self->weight);
    tt_secret_text_free(&self->key_hdr);
    tt_secret_text_free(&self->secret);
    free(self->filters);
    free(self->trades);
    free(self);
    *self_p = NULL;
}

static void *s_create(tt_broker_gw_t *gw, const tt_broker_setup_t *setup,
                      char *err, size_t errsize)
{
    tt_bnb_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    self->gw = gw;
    self->syms = setup->symbols;
    self->count = setup->count;
    self->opts = setup->opts;
    self->key_hdr = tt_secret_text("X-MBX-APIKEY: ", setup->key_id);
    self->secret = tt_secret_text("", setup->secret);
    char rest[256], stream[256];
    s_urls(setup->opts, rest, stream, sizeof rest);
    self->weight = tt_bn_ipweight_get(rest);
    tt_bn_ordercount_init(&self->ocount);
    self->filters = calloc(setup->count + 1, sizeof *self->filters);
    self->trades = calloc(TT_BNB_TRADES, sizeof *self->trades);
    const char *def = setup->opts->testnet
                          ? "wss://stream.testnet.binance.vision/ws"
                          : "wss://stream.binance.com:9443/ws";
    snprintf(self->stream_base, sizeof self->stream_base, "%s",
             setup->opts->trading_stream[0] ? setup->opts->trading_stream
                                            : def);
    if (!self->key_hdr || !self->secret || !self->filters || !self->trades ||
        !self->weight) {
        snprintf(err, errsize, "%s",
                 self->weight ? "out of memory"
                              : "trading_url: no host, or out of memory");
        void *p = self;
        s_destroy(&p);
        return NULL;
    }
    return self;
}

/* ---- filters ----------------------------------------------------------------
 */

/* The account's ORDERS limits of an exchangeInfo F, logged when they
   change. */
static void s_order_limits(tt_bnb_t *self, const tt_bn_filters_t *f)
{
    if (!tt_bn_ordercount_limits(&self->ocount, f->order_limits,
                                 f->n_order_limits))
        return;
    char text[160] = "", per[32];
    size_t len = 0;
    for (size_t i = 0; i < self->ocount.n && len < sizeof text; i++) {
        tt_bn_interval_text(self->ocount.w[i].interval_ms, per, sizeof per);
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%lld per %s",
                                i ? ", " : "",
                                (long long)self->ocount.w[i].limit, per);
    }
    tt_info(tt_bnb_path(self), "order limits %s", text);
}

/* SYM's filters, fetched once. DONE (F->loaded, or F->error), LATER. */
int tt_bnb_filters(tt_bnb_t *self, size_t sym, tt_bnb_filters_t **out)
{
    tt_bnb_filters_t *f = *out = &self->filters[sym];
    if (f->loaded || tt_mono_ns() < f->retry_at)
        return TT_BROKER_DONE;
    char buf[TT_BNB_QUERY];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_bn_query_add(&q, "symbol", self->syms[sym].name);
    tt_http_reply_t r;
    int rc = tt_bnb_call(self, "GET", TT_BN_PATH_EXCHANGE_INFO, &q, false, &r);
    if (rc != TT_BROKER_DONE)
        return TT_BROKER_LATER;
    char err[160] = "";
    if (r.status != 200)
        snprintf(err, sizeof err, "HTTP %d", (int)r.status);
    else if (tt_bn_filters_parse(r.body, r.len, self->syms[sym].name,
                                 &self->syms[sym].instrument, &f->f, err,
                                 sizeof err) == 0) {
        f->loaded = true;
        if (f->f.weight_per_min > 0 &&
            f->f.weight_per_min !=
                tt_bn_ipweight_get_count(self->weight).limit) {
            tt_bn_ipweight_limit(self->weight, f->f.weight_per_min);
            tt_info(tt_bnb_path(self), "request weight limit %lld a minute",
                    (long long)f->f.weight_per_min);
        }
        s_order_limits(self, &f->f);
    }
    tt_http_reply_free(&r);
    if (!f->loaded) {
        snprintf(f->error, sizeof f->error, "exchangeInfo: %.80s", err);
        f->retry_at = tt_mono_ns() + S_FILTER_RETRY_NS;
        tt_error(tt_bnb_path(self), "%s: %s", self->syms[sym].name, f->error);
    }
    return TT_BROKER_DONE;
}

/* ORD fitted to SYM's filters into REQ; -1 with REASON when it cannot
   be without changing what the book asked for. */
static int s_fit(const tt_bnb_filters_t *f, const tt_order_t *ord,
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

int tt_bnb_fit(const tt_bnb_filters_t *f, const tt_order_t *ord, tt_px_t *price,
               tt_px_t *stop, char *reason, size_t size)
{
    tt_bn_order_req_t req = {
        .qty = ord->qty, .price = *price, .stop_price = *stop};
    if (s_fit(f, ord, &req, reason, size) != 0)
        return -1;
    *price = req.price;
    *stop = req.stop_price;
    return 0;
}

/* ---- intents ----------------------------------------------------------------
 */

/* The POST parameters of ORD for symbol SYM, fitted; -1 with REASON. */
static int s_order_query(tt_bnb_t *self, size_t sym, const tt_order_t *ord,
                         const tt_bnb_filters_t *f, tt_bn_query_t *q,
                         char *reason, size_t size)
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
static int s_resolve_unsure(tt_bnb_t *self, tt_bnb_order_t *o, bool *send)
{
    *send = false;
    bool missing = false;
    if (tt_bnb_lookup(self, o, &missing) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    o->unsure = false;
    *send = missing;
    if (!missing)
        tt_info(tt_bnb_path(self), "%s: found at the venue, not sent again",
                o->coid);
    return TT_BROKER_DONE;
}

static int s_submit(tt_bnb_t *self, size_t sym, const tt_order_t *ord)
{
    tt_role_t role = 0;
    tt_coid_parse(ord->coid, NULL, &role);
    if (role == TT_ROLE_STOP || role == TT_ROLE_TARGET) {
        int rc = tt_bnb_submit_exit(self, sym, ord, role);
        if (rc != TT_BNB_ALONE)
            return rc;
    }
    tt_bnb_order_t *o = tt_bnb_track(self, ord->coid, sym);
    o->side = ord->side;
    bool send = true;
    if (o->done)
        return TT_BROKER_DONE;
    if (o->unsure && s_resolve_unsure(self, o, &send) == TT_BROKER_LATER)
        return tt_bnb_give_up(self, o, false);
    tt_bnb_filters_t *f = NULL;
    if (!send)
        return TT_BROKER_DONE;
    if (tt_bnb_filters(self, sym, &f) == TT_BROKER_LATER)
        return tt_bnb_give_up(self, o, false);
    char buf[TT_BNB_QUERY], reason[160];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    int64_t wait = 0;
    if (s_order_query(self, sym, ord, f, &q, reason, sizeof reason) != 0 ||
        (wait = tt_bnb_order_room(self, o->coid, 1, reason, sizeof reason))) {
        tt_warn(tt_bnb_path(self), "%s refused locally: %s", o->coid, reason);
        if (wait > 0) /* the order limit's window: it passes */
            tt_bnb_refuse_for(self, o, 0, reason, wait);
        else
            tt_bnb_emit(self, o, TT_EV_REJECTED, 0, reason);
        o->done = true;
        return TT_BROKER_DONE;
    }
    tt_http_reply_t r;
    int rc = tt_bnb_call(self, "POST", TT_BN_PATH_ORDER, &q, true, &r);
    if (rc == TT_BNB_UNKNOWN) {
        o->unsure = true;
        tt_broker_gw_unsure(self->gw);
    }
    if (rc < 0) {
        tt_bnb_emit(self, o, TT_EV_REJECTED, 0, "request too long");
        o->done = true;
        return TT_BROKER_DONE;
    }
    if (rc != TT_BROKER_DONE)
        return tt_bnb_give_up(self, o, false);
    if (r.status == 200)
        tt_bnb_order_reply(self, o, &r);
    else
        tt_bnb_refused(self, o, &r, false, "order");
    tt_http_reply_free(&r);
    return TT_BROKER_DONE;
}

/* DELETE /api/v3/order of O (its list for an OCO leg). */
int tt_bnb_cancel(tt_bnb_t *self, tt_bnb_order_t *o, bool *gone)
{
    *gone = o->final == TT_OS_CANCELLED;
    if (o->done || *gone)
        return TT_BROKER_DONE;
    if (o->list)
        return tt_bnb_cancel_list(self, o, gone);
    char buf[TT_BNB_QUERY];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_bn_order_ref_query(&q, self->syms[o->sym].name, o->coid);
    tt_http_reply_t r;
    int rc = tt_bnb_call(self, "DELETE", TT_BN_PATH_ORDER, &q, true, &r);
    if (rc < 0)
        tt_bnb_emit(self, o, TT_EV_CANCEL_REJECTED, 0, "request too long");
    if (rc != TT_BROKER_DONE)
        return rc < 0 ? TT_BROKER_DONE : tt_bnb_give_up(self, o, true);
    if (r.status == 200) {
        tt_bnb_order_reply(self, o, &r);
        *gone = true;
    } else {
        tt_bnb_refused(self, o, &r, true, "cancel");
    }
    tt_http_reply_free(&r);
    return TT_BROKER_DONE;
}

static int s_cancel(tt_bnb_t *self, size_t sym, const tt_intent_t *it)
{
    tt_bnb_order_t *o = tt_bnb_track(self, it->order.coid, sym);
    bool gone = false;
    if (o->done)
        return TT_BROKER_DONE; /* ended at the venue: its event went out
                                  (an OCO leg its partner's trade expired,
                                  or its list's cancel took) */
    return tt_bnb_cancel(self, o, &gone);
}

/* Cancel, then new: Binance spot's order amend only lowers a quantity,
   and cancelReplace would be one more request shape for the same two
   steps. The new order goes out only once the old one is cancelled; a
   refused cancel (the old one filled meanwhile) refuses the replace,
   which the book reads as the replacement rejected. An old order the
   venue expired meanwhile (an OCO leg whose partner traded) is gone
   anyway: the new one goes, as the book asked. */
static int s_replace(tt_bnb_t *self, size_t sym, const tt_intent_t *it)
{
    tt_bnb_order_t *old = tt_bnb_track(self, it->old_coid, sym);
    tt_bnb_order_t *o = tt_bnb_track(self, it->order.coid, sym);
    if (o->done || o->acked || o->unsure)
        return s_submit(self, sym, &it->order); /* cancel done before */
    if (old->final == TT_OS_EXPIRED && !old->done)
        return TT_BROKER_LATER; /* its expiry waits for its partner's trade */
    if (old->done && old->final == TT_OS_EXPIRED)
        return s_submit(self, sym, &it->order); /* gone: the new one goes */
    if (old->done && old->final != TT_OS_CANCELLED) {
        /* Filled or expired meanwhile: nothing to replace. */
        tt_bnb_emit(self, old, TT_EV_CANCEL_REJECTED, 0,
                    "order already finished");
        o->done = true;
        return TT_BROKER_DONE;
    }
    bool gone = false;
    if (!old->done && tt_bnb_cancel(self, old, &gone) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    if (!gone && !old->done) { /* refused: answered CANCEL_REJECTED */
        o->done = true;
        return TT_BROKER_DONE;
    }
    return s_submit(self, sym, &it->order);
}

/* After a restart (actors/exec_venue.h): a restored open order is
   followed again from what the store knows of it and marked to be
   brought up to date; the end of the symbol's list (an empty client id)
   does that and ends the reconciliation. The store is the truth about
   our orders, the venue about what became of them. Unlike Alpaca's, a
   fill's id here (SYMBOL:tradeId) is the same after a restart, so a
   trade the store has is dropped by the store and the book anyway. */
static int s_query(tt_bnb_t *self, size_t sym, const tt_intent_t *it)
{
    const tt_order_t *ord = &it->order;
    if (!ord->coid[0])
        return tt_bnb_reconcile(self, sym);
    tt_bnb_order_t *o = tt_bnb_track(self, ord->coid, sym);
    o->cum = o->seed_cum = ord->filled;
    o->acked = o->seed_acked = ord->state != TT_OS_NEW;
    o->restored = true;
    o->side = ord->side;
    o->sync = true;
    o->done = false;
    return TT_BROKER_DONE;
}

static int s_intent(void *arg, size_t sym, const tt_intent_t *it, int attempt)
{
    (void)attempt;
    tt_bnb_t *self = arg;
    switch (it->kind) {
    case TT_INTENT_SUBMIT:
        return s_submit(self, sym, &it->order);
    case TT_INTENT_CANCEL:
        return s_cancel(self, sym, it);
    case TT_INTENT_REPLACE:
        return s_replace(self, sym, it);
    case TT_INTENT_QUERY:
        return s_query(self, sym, it);
    }
    return TT_BROKER_DONE;
}

const tt_broker_ops_t tt_broker_binance_ops = {
    .kind = TT_VENUE_BINANCE,
    .urls = s_urls,
    .create = s_create,
    .destroy = s_destroy,
    .intent = s_intent,
    .work = tt_bnb_work,
    .stream = {.on_open = tt_bnb_on_open, .on_message = tt_bnb_on_message},
};
