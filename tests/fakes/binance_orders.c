/*  tests/fakes/binance_orders.c: the fake Binance's order book: POST /
    GET / DELETE /api/v3/order, openOrders, myTrades, the symbol filters,
    fills against pushed trades and the executionReport events.

    The fill model matches the fake Alpaca's: MARKET fills whole at the
    last trade price (EXPIRED when there has been none); LIMIT fills whole
    at its price once a trade reaches it; IOC / FOK that do not fill at
    once expire; LIMIT_MAKER that would take is rejected. Runs under the
    server's lock. */
#include "tests/fakes/binance_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_ERR_BAD(r, what)                                                     \
    fb_error(r, 400, -1102,                                                    \
             "Mandatory parameter '%s' was not sent, was empty/null, or "      \
             "malformed.",                                                     \
             what)

fb_order_t *fb_order_by_coid(fake_binance_t *self, const char *coid)
{
    for (size_t i = self->norders; i > 0; i--)
        if (strcmp(self->orders[i - 1].coid, coid) == 0)
            return &self->orders[i - 1];
    return NULL;
}

bool fb_order_open(const fb_order_t *o)
{
    return !strcmp(o->status, "NEW") || !strcmp(o->status, "PARTIALLY_FILLED");
}

/* The trade TRADE_ID, or NULL. */
static const fb_fill_t *s_fill_by_id(const fake_binance_t *self,
                                     int64_t trade_id)
{
    for (size_t i = self->nfills; trade_id >= 0 && i > 0; i--)
        if (self->fills[i - 1].id == trade_id)
            return &self->fills[i - 1];
    return NULL;
}

/* The commission of a trade of QTY at PX for O: amount and asset. */
static void s_commission(const fake_binance_t *self, const fb_order_t *o,
                         int64_t qty, int64_t px, fb_fill_t *f)
{
    const fb_symbol_t *s = &self->syms[o->sym];
    int64_t rate = (int64_t)self->commission_bps * 10000; /* 8 decimals */
    snprintf(f->asset, sizeof f->asset, "%s", s->quote);
    if (!self->commission || !rate)
        return;
    if (self->commission == FAKE_BINANCE_FEE_BNB) {
        snprintf(f->asset, sizeof f->asset, "BNB");
        f->commission = fkdec_mul(qty, rate);
    } else if (self->commission == FAKE_BINANCE_FEE_DELIVERED && o->buy) {
        snprintf(f->asset, sizeof f->asset, "%s", s->base);
        f->commission = fkdec_mul(qty, rate);
    } else {
        f->commission = fkdec_mul(fkdec_mul(qty, px), rate);
    }
}

void fb_exec_report(fake_binance_t *self, const fb_order_t *o, const char *x,
                    int64_t lqty, int64_t lpx, int64_t trade_id)
{
    const fb_symbol_t *s = &self->syms[o->sym];
    const fb_fill_t *fill = s_fill_by_id(self, trade_id);
    char q[40], p[40], P[40], l[40], z[40], L[40], Z[40], Y[40], Q[40], n[40];
    json_t *j = json_pack(
        "{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,"
        "s:s,s:s,s:s,s:n,s:I,s:I,s:b,s:b,s:I,s:s,s:s,s:s,s:I,s:s}",
        "e", "executionReport", "E", (json_int_t)fb_now_ms(self), "s", s->name,
        "c", o->coid, "S", o->buy ? "BUY" : "SELL", "o", o->type, "f",
        o->tif[0] ? o->tif : "GTC", "q", fb_dec(o->qty, q, 40), "p",
        fb_dec(o->price, p, 40), "P", fb_dec(o->stop, P, 40), "C", "", "x", x,
        "X", o->status, "r", "NONE", "i", (json_int_t)o->id, "l",
        fb_dec(lqty, l, 40), "z", fb_dec(o->executed, z, 40), "L",
        fb_dec(lpx, L, 40), "n", fb_dec(fill ? fill->commission : 0, n, 40),
        "N", "T", (json_int_t)o->update_ms, "t", (json_int_t)trade_id, "w",
        fb_order_open(o), "m", 0, "O", (json_int_t)o->time_ms, "Z",
        fb_dec(o->cum_quote, Z, 40), "Y", fb_dec(fkdec_mul(lqty, lpx), Y, 40),
        "Q", fb_dec(o->quote_qty, Q, 40), "W", (json_int_t)o->time_ms, "V",
        "EXPIRE_MAKER");
    json_object_set_new(j, "g", json_integer(o->list_id ? o->list_id : -1));
    if (fill) /* "N" is null until the order has a fill */
        json_object_set_new(j, "N", json_string(fill->asset));
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    fb_user_event(self, text);
    free(text);
}

void fb_set_status(fake_binance_t *self, fb_order_t *o, const char *status,
                   const char *x)
{
    snprintf(o->status, sizeof o->status, "%s", status);
    o->update_ms = fb_now_ms(self);
    fb_exec_report(self, o, x, 0, 0, -1);
}

void fb_fill(fake_binance_t *self, fb_order_t *o, int64_t qty, int64_t px)
{
    if (o->qty == 0 && o->quote_qty)
        o->qty = fkdec_div(o->quote_qty, px);
    if (qty <= 0 || qty > o->qty - o->executed)
        qty = o->qty - o->executed;
    fb_symbol_t *s = &self->syms[o->sym];
    o->executed += qty;
    o->cum_quote += fkdec_mul(qty, px);
    snprintf(o->status, sizeof o->status, "%s",
             o->executed == o->qty ? "FILLED" : "PARTIALLY_FILLED");
    o->update_ms = fb_now_ms(self);
    if (self->nfills == self->capfills) {
        size_t cap = self->capfills ? self->capfills * 2 : 64;
        fb_fill_t *f = realloc(self->fills, cap * sizeof *f);
        if (!f)
            abort();
        self->fills = f;
        self->capfills = cap;
    }
    fb_fill_t *f = &self->fills[self->nfills++];
    *f = (fb_fill_t){.id = ++s->trade_id + 1000000,
                     .order_id = o->id,
                     .sym = o->sym,
                     .buy = o->buy,
                     .price = px,
                     .qty = qty,
                     .time_ms = o->update_ms};
    s_commission(self, o, qty, px, f);
    self->stats.fills++;
    fb_exec_report(self, o, "TRADE", qty, px, f->id);
    /* A trade of one leg of an OCO expires the other at once. */
    fb_end_siblings(self, o, "EXPIRED");
}

void fb_end_siblings(fake_binance_t *self, const fb_order_t *o,
                     const char *status)
{
    if (!o->list_id)
        return;
    for (size_t i = 0; i < self->norders; i++) {
        fb_order_t *x = &self->orders[i];
        if (x != o && x->list_id == o->list_id && fb_order_open(x))
            fb_set_status(self, x, status, status);
    }
}

int64_t fb_free_base(fake_binance_t *self, int sym)
{
    int64_t held = 0;
    const char *base = self->syms[sym].base;
    for (size_t i = 0; i < self->nfills; i++) {
        const fb_fill_t *f = &self->fills[i];
        if (f->sym != sym)
            continue;
        held += f->buy ? f->qty : -f->qty;
        if (!strcmp(f->asset, base)) /* a commission kept in the coins */
            held -= f->commission;
    }
    for (size_t i = 0; i < self->norders; i++) {
        const fb_order_t *o = &self->orders[i];
        if (o->sym == sym && !o->buy && o->locks && fb_order_open(o))
            held -= o->qty - o->executed;
    }
    return held;
}

/* The price O executes at against a trade at PX, or 0. */
static int64_t s_cross(fb_order_t *o, int64_t px)
{
    bool stop = strstr(o->type, "STOP_LOSS") || strstr(o->type, "TAKE_PROFIT");
    if (stop && o->stop) {
        bool loss = strstr(o->type, "STOP_LOSS") != NULL;
        /* A buy stop-loss triggers on a rise, a buy take-profit on a fall. */
        bool hit = (o->buy == loss) ? px >= o->stop : px <= o->stop;
        if (!hit)
            return 0;
        o->stop = 0; /* triggered: now a market or a limit */
    }
    if (!strcmp(o->type, "MARKET") || !strcmp(o->type, "STOP_LOSS") ||
        !strcmp(o->type, "TAKE_PROFIT"))
        return px;
    return (o->buy ? px <= o->price : px >= o->price) ? o->price : 0;
}

void fb_match(fake_binance_t *self, int sym, int64_t px)
{
    for (size_t i = 0; i < self->norders; i++) {
        fb_order_t *o = &self->orders[i];
        if (o->sym != sym || !fb_order_open(o))
            continue;
        int64_t at = s_cross(o, px);
        if (at > 0)
            fb_fill(self, o, 0, at);
    }
}

/* ---- JSON ---- */

json_t *fb_order_json(fake_binance_t *self, const fb_order_t *o)
{
    char p[40], q[40], e[40], cq[40], sp[40], qq[40];
    return json_pack(
        "{s:s,s:I,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,"
        "s:b,s:I,s:s,s:s}",
        "symbol", self->syms[o->sym].name, "orderId", (json_int_t)o->id,
        "orderListId", o->list_id ? (int)o->list_id : -1, "clientOrderId",
        o->coid, "price", fb_dec(o->price, p, 40), "origQty",
        fb_dec(o->qty, q, 40), "executedQty", fb_dec(o->executed, e, 40),
        "cummulativeQuoteQty", fb_dec(o->cum_quote, cq, 40), "status",
        o->status, "timeInForce", o->tif[0] ? o->tif : "GTC", "type", o->type,
        "side", o->buy ? "BUY" : "SELL", "stopPrice", fb_dec(o->stop, sp, 40),
        "icebergQty", "0.00000000", "time", (json_int_t)o->time_ms,
        "updateTime", (json_int_t)o->update_ms, "isWorking", 1, "workingTime",
        (json_int_t)o->time_ms, "origQuoteOrderQty",
        fb_dec(o->quote_qty, qq, 40), "selfTradePreventionMode", "NONE");
}

static json_t *s_new_order_reply(fake_binance_t *self, const fb_order_t *o,
                                 const char *resp_type, size_t first_fill)
{
    json_t *j = fb_order_json(self, o);
    json_object_set_new(j, "transactTime", json_integer(o->time_ms));
    if (!strcmp(resp_type, "ACK")) {
        json_t *ack = json_pack(
            "{s:O,s:O,s:i,s:O,s:O}", "symbol", json_object_get(j, "symbol"),
            "orderId", json_object_get(j, "orderId"), "orderListId", -1,
            "clientOrderId", json_object_get(j, "clientOrderId"),
            "transactTime", json_object_get(j, "transactTime"));
        json_decref(j);
        return ack;
    }
    if (strcmp(resp_type, "FULL"))
        return j;
    json_t *fills = json_array();
    for (size_t i = first_fill; i < self->nfills; i++) {
        const fb_fill_t *f = &self->fills[i];
        char p[40], q[40], c[40];
        json_array_append_new(
            fills,
            json_pack("{s:s,s:s,s:s,s:s,s:I}", "price", fb_dec(f->price, p, 40),
                      "qty", fb_dec(f->qty, q, 40), "commission",
                      fb_dec(f->commission, c, 40), "commissionAsset", f->asset,
                      "tradeId", (json_int_t)f->id));
    }
    json_object_set_new(j, "fills", fills);
    return j;
}

/* ---- POST /api/v3/order ---- */

static bool s_multiple(int64_t v, int64_t step)
{
    return step == 0 || v % step == 0;
}

/* PRICE_FILTER, LOT_SIZE, NOTIONAL. NULL when they pass. */
const char *fb_filters(const fb_symbol_t *s, const fb_order_t *o)
{
    if (o->price && ((s->min_price && o->price < s->min_price) ||
                     (s->max_price && o->price > s->max_price) ||
                     !s_multiple(o->price - s->min_price, s->tick)))
        return "PRICE_FILTER";
    if (o->qty && ((s->min_qty && o->qty < s->min_qty) ||
                   (s->max_qty && o->qty > s->max_qty) ||
                   !s_multiple(o->qty - s->min_qty, s->step)))
        return "LOT_SIZE";
    int64_t px = o->price ? o->price : s->last_px;
    int64_t notional = o->quote_qty ? o->quote_qty : fkdec_mul(o->qty, px);
    if (s->min_notional && px && notional < s->min_notional)
        return "NOTIONAL";
    return NULL;
}

static int s_dec_param(const fakesrv_req_t *req, const char *name, int64_t *out)
{
    char v[64];
    if (fb_param(req, name, v, sizeof v) <= 0)
        return 0;
    return fkdec_parse(v, false, out) == 0 && *out > 0 ? 1 : -1;
}

static int s_parse(fake_binance_t *self, const fakesrv_req_t *req,
                   fb_order_t *o, fakesrv_resp_t *r)
{
    static const char *const types[] = {"LIMIT",       "MARKET",
                                        "STOP_LOSS",   "STOP_LOSS_LIMIT",
                                        "TAKE_PROFIT", "TAKE_PROFIT_LIMIT",
                                        "LIMIT_MAKER"};
    char v[64];
    if (fb_param(req, "symbol", v, sizeof v) <= 0)
        return S_ERR_BAD(r, "symbol"), -1;
    if ((o->sym = fb_symbol(self, v)) < 0)
        return fb_error(r, 400, -1121, "Invalid symbol."), -1;
    if (fb_param(req, "side", v, sizeof v) <= 0 ||
        (strcmp(v, "BUY") && strcmp(v, "SELL")))
        return S_ERR_BAD(r, "side"), -1;
    o->buy = v[0] == 'B';
    bool known = false;
    if (fb_param(req, "type", o->type, sizeof o->type) > 0)
        for (size_t i = 0; i < 7; i++)
            known = known || !strcmp(o->type, types[i]);
    if (!known)
        return S_ERR_BAD(r, "type"), -1;
    bool limit = strstr(o->type, "LIMIT") != NULL;
    bool stop = !strncmp(o->type, "STOP", 4) || !strncmp(o->type, "TAKE", 4);
    int q = s_dec_param(req, "quantity", &o->qty);
    int qq = s_dec_param(req, "quoteOrderQty", &o->quote_qty);
    if (q < 0 || qq < 0 || q + qq != 1 || (qq && strcmp(o->type, "MARKET")))
        return S_ERR_BAD(r, "quantity"), -1;
    if (s_dec_param(req, "price", &o->price) != (limit ? 1 : 0))
        return S_ERR_BAD(r, "price"), -1;
    if (s_dec_param(req, "stopPrice", &o->stop) != (stop ? 1 : 0))
        return S_ERR_BAD(r, "stopPrice"), -1;
    bool needs_tif = limit && strcmp(o->type, "LIMIT_MAKER");
    if (fb_param(req, "timeInForce", o->tif, sizeof o->tif) > 0
            ? (strcmp(o->tif, "GTC") && strcmp(o->tif, "IOC") &&
               strcmp(o->tif, "FOK"))
            : needs_tif)
        return S_ERR_BAD(r, "timeInForce"), -1;
    return 0;
}

fb_order_t *fb_book(fake_binance_t *self, const fb_order_t *tmpl)
{
    if (self->norders == self->caporders) {
        size_t cap = self->caporders ? self->caporders * 2 : 64;
        fb_order_t *o = realloc(self->orders, cap * sizeof *o);
        if (!o)
            abort();
        self->orders = o;
        self->caporders = cap;
    }
    fb_order_t *o = &self->orders[self->norders++];
    *o = *tmpl;
    o->id = (int64_t)self->norders + 1000;
    o->time_ms = o->update_ms = fb_now_ms(self);
    if (!o->coid[0])
        snprintf(o->coid, sizeof o->coid, "fake%018lld", (long long)o->id);
    snprintf(o->status, sizeof o->status, "NEW");
    return o;
}

/* The order as it meets the last trade at once. */
static void s_execute_now(fake_binance_t *self, fb_order_t *o)
{
    const fb_symbol_t *s = &self->syms[o->sym];
    if (!strcmp(o->type, "MARKET") && !s->has_px) {
        fb_set_status(self, o, "EXPIRED", "EXPIRED");
        return;
    }
    if (s->has_px) {
        int64_t at = s_cross(o, s->last_px);
        if (at > 0 && self->split_fills > 0 && !strcmp(o->type, "MARKET") &&
            o->qty >= 2 * s->step) {
            self->split_fills--; /* two trades: a half, then the rest */
            fb_fill(self, o, o->qty / 2 - (o->qty / 2) % s->step, at);
        }
        if (at > 0 && fb_order_open(o))
            fb_fill(self, o, 0, at);
    }
    if (fb_order_open(o) && (!strcmp(o->tif, "IOC") || !strcmp(o->tif, "FOK")))
        fb_set_status(self, o, "EXPIRED", "EXPIRED");
}

void fb_order_post(fake_binance_t *self, const fakesrv_req_t *req,
                   fakesrv_resp_t *r)
{
    self->stats.orders_received++;
    fb_order_t o;
    memset(&o, 0, sizeof o);
    if (fb_param(req, "newClientOrderId", o.coid, sizeof o.coid) > 0) {
        fkcount_add(&self->coids, o.coid, 1);
        fb_order_t *dup = fb_order_by_coid(self, o.coid);
        if (dup && fb_order_open(dup)) {
            fb_error(r, 400, -2010, "Duplicate order sent.");
            return;
        }
    }
    if (s_parse(self, req, &o, r) != 0)
        return;
    const fb_symbol_t *s = &self->syms[o.sym];
    const char *bad = fb_filters(s, &o);
    if (bad) {
        fb_error(r, 400, -1013, "Filter failure: %s", bad);
        return;
    }
    if (self->enforce_balance && !o.buy && o.qty > fb_free_base(self, o.sym)) {
        fb_error(r, 400, -2010,
                 "Account has insufficient balance for requested action.");
        return;
    }
    o.locks = true;
    if (!strcmp(o.type, "LIMIT_MAKER") && s->has_px &&
        (o.buy ? s->last_px <= o.price : s->last_px >= o.price)) {
        fb_error(r, 400, -2010, "Order would immediately match and take.");
        return;
    }
    char rt[16] = "";
    if (fb_param(req, "newOrderRespType", rt, sizeof rt) <= 0)
        snprintf(rt, sizeof rt, "%s",
                 !strcmp(o.type, "MARKET") || !strcmp(o.type, "LIMIT") ? "FULL"
                                                                       : "ACK");
    int silent = fb_silent_begin(self, r);
    if (silent == FB_LOST)
        return;
    fb_order_t *b = fb_book(self, &o);
    size_t idx = (size_t)(b - self->orders), first_fill = self->nfills;
    self->stats.orders_accepted++;
    fb_exec_report(self, b, "NEW", 0, 0, -1);
    s_execute_now(self, b);
    if (self->unknown_outcome > 0) {
        self->unknown_outcome--;
        fb_error(r, 503, -1007,
                 "Timeout waiting for response from backend server. Send "
                 "status unknown; execution status unknown.");
    } else {
        fb_json(r, 200,
                s_new_order_reply(self, &self->orders[idx], rt, first_fill));
    }
    fb_silent_end(self, silent, r);
}

/* ---- GET / DELETE /api/v3/order, openOrders, myTrades ---- */

static fb_order_t *s_find(fake_binance_t *self, const fakesrv_req_t *req,
                          fakesrv_resp_t *r, bool cancel)
{
    char sym[32], v[64];
    int i;
    if (fb_param(req, "symbol", sym, sizeof sym) <= 0)
        return S_ERR_BAD(r, "symbol"), NULL;
    if ((i = fb_symbol(self, sym)) < 0)
        return fb_error(r, 400, -1121, "Invalid symbol."), NULL;
    fb_order_t *o = NULL;
    if (fb_param(req, "orderId", v, sizeof v) > 0) {
        long long id = atoll(v);
        for (size_t k = 0; k < self->norders; k++)
            if (self->orders[k].id == id)
                o = &self->orders[k];
    } else if (fb_param(req, "origClientOrderId", v, sizeof v) > 0) {
        o = fb_order_by_coid(self, v);
    } else {
        return S_ERR_BAD(r, "orderId"), NULL;
    }
    if (!o || o->sym != i || (cancel && !fb_order_open(o))) {
        if (cancel)
            fb_error(r, 400, -2011, "Unknown order sent.");
        else
            fb_error(r, 400, -2013, "Order does not exist.");
        return NULL;
    }
    return o;
}

void fb_order_get(fake_binance_t *self, const fakesrv_req_t *req,
                  fakesrv_resp_t *r, bool cancel)
{
    fb_order_t *o = s_find(self, req, r, cancel);
    if (!o)
        return;
    if (cancel) { /* one leg of an OCO cancels the whole list */
        fb_set_status(self, o, "CANCELED", "CANCELED");
        fb_end_siblings(self, o, "CANCELED");
    }
    json_t *j = fb_order_json(self, o);
    if (cancel)
        json_object_set_new(j, "origClientOrderId", json_string(o->coid));
    fb_json(r, 200, j);
}

void fb_open_orders(fake_binance_t *self, const fakesrv_req_t *req,
                    fakesrv_resp_t *r)
{
    char sym[32];
    bool one = fb_param(req, "symbol", sym, sizeof sym) > 0;
    if (one && fb_symbol(self, sym) < 0) {
        fb_error(r, 400, -1121, "Invalid symbol.");
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < self->norders; i++) {
        const fb_order_t *o = &self->orders[i];
        if (fb_order_open(o) && (!one || !strcmp(self->syms[o->sym].name, sym)))
            json_array_append_new(a, fb_order_json(self, o));
    }
    fb_json(r, 200, a);
}

void fb_my_trades(fake_binance_t *self, const fakesrv_req_t *req,
                  fakesrv_resp_t *r)
{
    char sym[32];
    int i;
    if (fb_param(req, "symbol", sym, sizeof sym) <= 0) {
        S_ERR_BAD(r, "symbol");
        return;
    }
    if ((i = fb_symbol(self, sym)) < 0) {
        fb_error(r, 400, -1121, "Invalid symbol.");
        return;
    }
    char oid[32];
    long long only =
        fb_param(req, "orderId", oid, sizeof oid) > 0 ? atoll(oid) : -1;
    json_t *a = json_array();
    for (size_t k = 0; k < self->nfills; k++) {
        const fb_fill_t *f = &self->fills[k];
        if (f->sym != i || (only >= 0 && f->order_id != only))
            continue;
        char p[40], q[40], qq[40], c[40];
        json_array_append_new(
            a, json_pack(
                   "{s:s,s:I,s:I,s:i,s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:b,"
                   "s:b}",
                   "symbol", sym, "id", (json_int_t)f->id, "orderId",
                   (json_int_t)f->order_id, "orderListId", -1, "price",
                   fb_dec(f->price, p, 40), "qty", fb_dec(f->qty, q, 40),
                   "quoteQty", fb_dec(fkdec_mul(f->qty, f->price), qq, 40),
                   "commission", fb_dec(f->commission, c, 40),
                   "commissionAsset", f->asset, "time", (json_int_t)f->time_ms,
                   "isBuyer", f->buy, "isMaker", 0, "isBestMatch", 1));
    }
    fb_json(r, 200, a);
}
