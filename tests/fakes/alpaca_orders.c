/*  tests/fakes/alpaca_orders.c: the fake Alpaca's broker: order
    validation (POST /v2/orders), the order book, fills against pushed
    trades, brackets, cancel and replace, positions and cash.

    The fill model is deliberately simple so a test can predict it: a
    market order fills whole at the last trade price; a limit order fills
    whole at its limit price once a trade reaches it; a stop becomes a
    market (stop_limit: a limit) once a trade reaches the stop. Runs under
    the server's lock.

    An OCO order (order_class "oco", an exit only) is booked as Alpaca
    reports it: the take-profit limit is the parent and carries the
    client order id, the stop-loss is its one leg with an id and a client
    order id of the venue's. Both work at once; a complete fill of one
    cancels the other in the same step (so no later trade can fill it), a
    partial fill shrinks the other to what is left, and cancelling either
    cancels both. A leg can be replaced (PATCH) and the group follows the
    replacement. */
#include "tests/fakes/alpaca_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_types[] = {"market", "limit", "stop", "stop_limit",
                                      "trailing_stop"};

fa_order_t *fa_order_by_coid(fake_alpaca_t *self, const char *coid)
{
    for (size_t i = 0; i < self->norders; i++)
        if (strcmp(self->orders[i].coid, coid) == 0)
            return &self->orders[i];
    return NULL;
}

fa_order_t *fa_order_by_id(fake_alpaca_t *self, const char *id)
{
    for (size_t i = 0; i < self->norders; i++)
        if (strcmp(self->orders[i].id, id) == 0)
            return &self->orders[i];
    return NULL;
}

bool fa_order_open(const fa_order_t *o)
{
    return strcmp(o->status, "new") == 0 ||
           strcmp(o->status, "partially_filled") == 0 ||
           strcmp(o->status, "held") == 0 || strcmp(o->status, "accepted") == 0;
}

static void s_set_time(json_t *j, const char *key, int64_t ns)
{
    char t[48];
    json_object_set_new(j, key,
                        ns ? json_string(fktime_rfc3339(ns, t, sizeof t))
                           : json_null());
}

static void s_set_dec(json_t *j, const char *key, int64_t v, bool present)
{
    char b[40];
    json_object_set_new(
        j, key, present ? json_string(fa_dec(v, b, sizeof b)) : json_null());
}

static void s_set_id(json_t *j, const char *key, const char *id)
{
    json_object_set_new(j, key, id[0] ? json_string(id) : json_null());
}

static json_t *s_legs(fake_alpaca_t *self, const fa_order_t *o)
{
    if (o->legs[0] < 0 && o->legs[1] < 0)
        return json_null();
    json_t *a = json_array();
    for (int i = 0; i < 2; i++)
        if (o->legs[i] >= 0)
            json_array_append_new(
                a, fa_order_json(self, &self->orders[o->legs[i]], false));
    return a;
}

static bool s_is_oco(const fa_order_t *o)
{
    return strcmp(o->order_class, "oco") == 0;
}

/* The other order of O's OCO group (parent <-> its stop leg), or NULL. */
static fa_order_t *s_oco_other(fake_alpaca_t *self, const fa_order_t *o)
{
    if (!s_is_oco(o))
        return NULL;
    if (o->parent >= 0)
        return &self->orders[o->parent];
    return o->legs[1] >= 0 ? &self->orders[o->legs[1]] : NULL;
}

json_t *fa_order_json(fake_alpaca_t *self, const fa_order_t *o, bool nested)
{
    const fa_symbol_t *s = &self->syms[o->sym];
    json_t *j = json_object();
    char asset[48];
    snprintf(asset, sizeof asset, "a55e7000-0000-4000-8000-%012d", o->sym);
    json_object_set_new(j, "id", json_string(o->id));
    json_object_set_new(j, "client_order_id", json_string(o->coid));
    s_set_time(j, "created_at", o->created_ns);
    s_set_time(j, "updated_at", o->updated_ns);
    s_set_time(j, "submitted_at", o->created_ns);
    s_set_time(j, "filled_at", o->filled_ns);
    s_set_time(j, "expired_at", 0);
    s_set_time(j, "canceled_at", o->canceled_ns);
    s_set_time(j, "failed_at", 0);
    s_set_time(j, "replaced_at", o->replaced_ns);
    s_set_id(j, "replaced_by", o->replaced_by);
    s_set_id(j, "replaces", o->replaces);
    json_object_set_new(j, "asset_id", json_string(asset));
    json_object_set_new(j, "symbol", json_string(s->name));
    json_object_set_new(j, "asset_class",
                        json_string(s->crypto ? "crypto" : "us_equity"));
    s_set_dec(j, "notional", o->notional, o->notional != 0);
    s_set_dec(j, "qty", o->qty, o->notional == 0);
    s_set_dec(j, "filled_qty", o->filled_qty, true);
    s_set_dec(j, "filled_avg_price",
              o->filled_qty ? fkdec_div(o->filled_cost, o->filled_qty) : 0,
              o->filled_qty != 0);
    json_object_set_new(j, "order_class", json_string(o->order_class));
    json_object_set_new(j, "order_type", json_string(s_types[o->type]));
    json_object_set_new(j, "type", json_string(s_types[o->type]));
    json_object_set_new(j, "side", json_string(o->buy ? "buy" : "sell"));
    json_object_set_new(j, "time_in_force", json_string(o->tif));
    s_set_dec(j, "limit_price", o->limit, o->limit != 0);
    s_set_dec(j, "stop_price", o->stop, o->stop != 0);
    json_object_set_new(j, "status", json_string(o->status));
    json_object_set_new(j, "extended_hours", json_boolean(o->extended_hours));
    json_object_set_new(j, "legs", nested ? s_legs(self, o) : json_null());
    s_set_dec(j, "trail_percent", o->trail_percent, o->trail_percent != 0);
    s_set_dec(j, "trail_price", o->trail_price, o->trail_price != 0);
    s_set_dec(j, "hwm", o->hwm, o->type == FA_TRAILING_STOP && o->hwm);
    return j;
}

/* ---- positions and fills ---- */

static void s_position(fa_symbol_t *s, bool buy, int64_t qty, int64_t px)
{
    int64_t signed_qty = buy ? qty : -qty;
    int64_t before = s->pos_qty, after = before + signed_qty;
    if (before == 0 || (before > 0) == (signed_qty > 0)) {
        s->pos_cost += fkdec_mul(signed_qty, px);
    } else if ((after > 0) == (before > 0) && after != 0) {
        /* Reduced: the cost basis shrinks at the average entry price. */
        s->pos_cost -= fkdec_mul(fkdec_div(s->pos_cost, before), -signed_qty);
    } else {
        s->pos_cost = fkdec_mul(after, px); /* closed or flipped */
    }
    s->pos_qty = after;
}

static void s_cancel_one(fake_alpaca_t *self, fa_order_t *o)
{
    if (!fa_order_open(o))
        return;
    snprintf(o->status, sizeof o->status, "canceled");
    o->canceled_ns = o->updated_ns = fa_now(self);
    fa_trade_event(self, "canceled", o, 0, 0);
}

/* A bracket's entry filled: its exits start working. */
static void s_activate_legs(fake_alpaca_t *self, fa_order_t *o)
{
    for (int i = 0; i < 2; i++) {
        fa_order_t *leg = &self->orders[o->legs[i]];
        if (!leg->held)
            continue;
        leg->held = false;
        snprintf(leg->status, sizeof leg->status, "new");
        leg->updated_ns = fa_now(self);
        fa_trade_event(self, "new", leg, 0, 0);
    }
}

void fa_fill(fake_alpaca_t *self, fa_order_t *o, int64_t qty, int64_t px)
{
    if (o->notional && o->qty == 0)
        o->qty = fkdec_div(o->notional, px);
    if (qty <= 0 || qty > o->qty - o->filled_qty)
        qty = o->qty - o->filled_qty;
    fa_symbol_t *s = &self->syms[o->sym];
    int64_t cost = fkdec_mul(qty, px);
    o->filled_qty += qty;
    o->filled_cost += cost;
    self->cash += o->buy ? -cost : cost;
    s_position(s, o->buy, qty, px);
    bool full = o->filled_qty == o->qty;
    snprintf(o->status, sizeof o->status, "%s",
             full ? "filled" : "partially_filled");
    o->updated_ns = fa_now(self);
    if (full)
        o->filled_ns = o->updated_ns;
    self->stats.fills++;
    fa_trade_event(self, full ? "fill" : "partial_fill", o, qty, px);
    fa_order_t *other = s_oco_other(self, o);
    if (other && fa_order_open(other)) {
        if (full) /* atomically: no later trade can fill it */
            s_cancel_one(self, other);
        else /* Alpaca adjusts the other leg to what is left */
            other->qty = other->filled_qty + (o->qty - o->filled_qty);
        return;
    }
    if (!full || s_is_oco(o))
        return;
    if (o->legs[0] >= 0)
        s_activate_legs(self, o);
    if (o->parent >= 0) { /* one exit filled: the other is canceled */
        fa_order_t *p = &self->orders[o->parent];
        for (int i = 0; i < 2; i++)
            if (&self->orders[p->legs[i]] != o)
                s_cancel_one(self, &self->orders[p->legs[i]]);
    }
}

/* The price at which O executes against a trade at PX, or 0. */
static int64_t s_cross(fa_order_t *o, int64_t px)
{
    if (o->type == FA_TRAILING_STOP) {
        if (!o->hwm || (o->buy ? px < o->hwm : px > o->hwm))
            o->hwm = px;
        int64_t off = o->trail_price
                          ? o->trail_price
                          : fkdec_mul(o->hwm, o->trail_percent) / 100;
        o->stop = o->buy ? o->hwm + off : o->hwm - off;
    }
    if ((o->type == FA_STOP || o->type == FA_STOP_LIMIT ||
         o->type == FA_TRAILING_STOP) &&
        !o->triggered)
        o->triggered = o->buy ? px >= o->stop : px <= o->stop;
    switch (o->type) {
    case FA_MARKET:
        return px;
    case FA_STOP:
    case FA_TRAILING_STOP:
        return o->triggered ? px : 0;
    case FA_STOP_LIMIT:
        if (!o->triggered)
            return 0;
        /* fall through */
    case FA_LIMIT:
        return (o->buy ? px <= o->limit : px >= o->limit) ? o->limit : 0;
    }
    return 0;
}

void fa_match(fake_alpaca_t *self, int sym, int64_t px)
{
    /* Fills can add legs' events but never orders, so indices hold. */
    for (size_t i = 0; i < self->norders; i++) {
        fa_order_t *o = &self->orders[i];
        if (o->sym != sym || o->held || !fa_order_open(o))
            continue;
        int64_t at = s_cross(o, px);
        if (at > 0)
            fa_fill(self, o, 0, at);
    }
}

/* ---- submission ---- */

/* A decimal field given as a string (as documented) or a number. -1: bad;
   0: absent; 1: present. */
static int s_dec(json_t *obj, const char *key, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    char buf[64];
    if (json_is_string(v))
        snprintf(buf, sizeof buf, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, sizeof buf, "%.8f", json_real_value(v));
    else
        return -1;
    return fkdec_parse(buf, false, out) == 0 && *out > 0 ? 1 : -1;
}

static const char *s_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int s_lookup(const char *const *names, int n, const char *v)
{
    for (int i = 0; v && i < n; i++)
        if (strcmp(names[i], v) == 0)
            return i;
    return -1;
}

static fa_order_t *s_new_order(fake_alpaca_t *self)
{
    if (self->norders == self->caporders) {
        size_t cap = self->caporders ? self->caporders * 2 : 64;
        fa_order_t *o = realloc(self->orders, cap * sizeof *o);
        if (!o)
            abort();
        self->orders = o;
        self->caporders = cap;
    }
    fa_order_t *o = &self->orders[self->norders];
    memset(o, 0, sizeof *o);
    snprintf(o->id, sizeof o->id, "0e7de400-0000-4000-8000-%012zu",
             self->norders + 1);
    o->parent = o->legs[0] = o->legs[1] = -1;
    o->created_ns = o->updated_ns = fa_now(self);
    snprintf(o->order_class, sizeof o->order_class, "simple");
    self->norders++;
    return o;
}

/* The fields of one order; RESP gets the 422 on the first bad one. */
static int s_parse(fake_alpaca_t *self, json_t *b, fa_order_t *o,
                   fakesrv_resp_t *r)
{
    static const char *const tifs[] = {"day", "gtc", "opg",
                                       "cls", "ioc", "fok"};
    const char *sym = s_str(b, "symbol"), *side = s_str(b, "side");
    const char *tif = s_str(b, "time_in_force");
    int type = s_lookup(s_types, 5, s_str(b, "type"));
    if (!sym || (o->sym = fa_symbol(self, sym)) < 0)
        return fa_error(r, 422, 40010001, "asset \"%s\" not found",
                        sym ? sym : ""),
               -1;
    if (!side || (strcmp(side, "buy") && strcmp(side, "sell")))
        return fa_error(r, 422, 40010001, "invalid side"), -1;
    if (type < 0)
        return fa_error(r, 422, 40010001, "invalid order type"), -1;
    if (s_lookup(tifs, 6, tif) < 0)
        return fa_error(r, 422, 40010001, "invalid time_in_force"), -1;
    if (self->syms[o->sym].crypto && strcmp(tif, "gtc") && strcmp(tif, "ioc"))
        return fa_error(r, 422, 40010001, "invalid crypto time_in_force"), -1;
    o->buy = side[0] == 'b';
    o->type = (fa_type_t)type;
    snprintf(o->tif, sizeof o->tif, "%s", tif);
    int q = s_dec(b, "qty", &o->qty), n = s_dec(b, "notional", &o->notional);
    if (q < 0 || n < 0 || q + n != 1)
        return fa_error(r, 422, 40010001,
                        "qty or notional is required, not both"),
               -1;
    if (n && (o->type != FA_MARKET || strcmp(tif, "day")))
        return fa_error(r, 422, 40010001,
                        "notional orders must be market and day"),
               -1;
    bool lim = o->type == FA_LIMIT || o->type == FA_STOP_LIMIT;
    bool stp = o->type == FA_STOP || o->type == FA_STOP_LIMIT;
    if (s_dec(b, "limit_price", &o->limit) != (lim ? 1 : 0))
        return fa_error(r, 422, 40010001,
                        lim ? "limit_price is required"
                            : "limit_price is not allowed"),
               -1;
    if (s_dec(b, "stop_price", &o->stop) != (stp ? 1 : 0))
        return fa_error(r, 422, 40010001,
                        stp ? "stop_price is required"
                            : "stop_price is not allowed"),
               -1;
    if (o->type == FA_TRAILING_STOP &&
        s_dec(b, "trail_price", &o->trail_price) +
                s_dec(b, "trail_percent", &o->trail_percent) !=
            1)
        return fa_error(r, 422, 40010001,
                        "one of trail_price or trail_percent is required"),
               -1;
    o->extended_hours = json_is_true(json_object_get(b, "extended_hours"));
    if (o->extended_hours && (o->type != FA_LIMIT || strcmp(tif, "day")))
        return fa_error(r, 422, 40010001,
                        "extended hours order must be DAY limit orders"),
               -1;
    return 0;
}

/* take_profit and stop_loss of a bracket; LEGS get price fields. */
static int s_bracket(json_t *b, const fa_order_t *o, fa_order_t legs[2],
                     fakesrv_resp_t *r)
{
    json_t *tp = json_object_get(b, "take_profit");
    json_t *sl = json_object_get(b, "stop_loss");
    if (!json_is_object(tp) || !json_is_object(sl) ||
        s_dec(tp, "limit_price", &legs[0].limit) != 1 ||
        s_dec(sl, "stop_price", &legs[1].stop) != 1 ||
        s_dec(sl, "limit_price", &legs[1].limit) < 0)
        return fa_error(r, 422, 40010001,
                        "bracket orders require take_profit.limit_price and "
                        "stop_loss.stop_price"),
               -1;
    if (strcmp(o->tif, "day") && strcmp(o->tif, "gtc"))
        return fa_error(r, 422, 40010001, "bracket orders must be day or gtc"),
               -1;
    if (o->extended_hours)
        return fa_error(r, 422, 40010001,
                        "extended hours not allowed for bracket orders"),
               -1;
    if (o->buy ? legs[0].limit <= legs[1].stop : legs[0].limit >= legs[1].stop)
        return fa_error(r, 422, 40010001,
                        "take_profit.limit_price must be %s "
                        "stop_loss.stop_price",
                        o->buy ? ">" : "<"),
               -1;
    int64_t base = o->limit ? o->limit : 0;
    if (base && (o->buy ? base - legs[1].stop : legs[1].stop - base) <
                    FK_DEC_SCALE / 100)
        return fa_error(r, 422, 40010001,
                        "stop_loss.stop_price must be at least 0.01 away "
                        "from the base price"),
               -1;
    return 0;
}

/* An OCO's legs: the type is limit (the take-profit), take_profit's
   limit_price is the order's, stop_loss needs stop_price; the stop is at
   least 0.01 on the losing side of the take-profit (the base price). */
static int s_oco(json_t *b, const fa_order_t *o, fa_order_t legs[2],
                 fakesrv_resp_t *r)
{
    json_t *tp = json_object_get(b, "take_profit");
    json_t *sl = json_object_get(b, "stop_loss");
    if (o->type != FA_LIMIT)
        return fa_error(r, 422, 40010001, "oco orders must be limit orders"),
               -1;
    if (!json_is_object(tp) || !json_is_object(sl) ||
        s_dec(tp, "limit_price", &legs[0].limit) != 1 ||
        s_dec(sl, "stop_price", &legs[1].stop) != 1 ||
        s_dec(sl, "limit_price", &legs[1].limit) < 0)
        return fa_error(r, 422, 40010001,
                        "oco orders require take_profit.limit_price and "
                        "stop_loss.stop_price"),
               -1;
    if (legs[0].limit != o->limit)
        return fa_error(r, 422, 40010001,
                        "limit_price must equal take_profit.limit_price"),
               -1;
    if (strcmp(o->tif, "day") && strcmp(o->tif, "gtc"))
        return fa_error(r, 422, 40010001, "oco orders must be day or gtc"), -1;
    if (o->extended_hours)
        return fa_error(r, 422, 40010001,
                        "extended hours not allowed for oco orders"),
               -1;
    int64_t gap = o->buy ? legs[1].stop - o->limit : o->limit - legs[1].stop;
    if (gap < FK_DEC_SCALE / 100)
        return fa_error(r, 422, 40010001,
                        "stop_loss.stop_price must be at least 0.01 %s "
                        "the base price",
                        o->buy ? "above" : "below"),
               -1;
    return 0;
}

/* An OCO body may leave the order's limit_price to take_profit. */
static void s_oco_limit(json_t *b)
{
    json_t *tp = json_object_get(b, "take_profit");
    json_t *lim = json_is_object(tp) ? json_object_get(tp, "limit_price") : 0;
    json_t *own = json_object_get(b, "limit_price");
    if (lim && (!own || json_is_null(own)))
        json_object_set(b, "limit_price", lim);
}

/* Buying power and shares; 403 as documented. */
static int s_afford(fake_alpaca_t *self, const fa_order_t *o, fakesrv_resp_t *r)
{
    const fa_symbol_t *s = &self->syms[o->sym];
    int64_t px = o->limit ? o->limit : s->last_px;
    int64_t reserved = 0, selling = 0;
    for (size_t i = 0; i < self->norders; i++) {
        const fa_order_t *x = &self->orders[i];
        if (!fa_order_open(x) || x->held ||
            (s_is_oco(x) && x->parent >= 0)) /* the group sells once */
            continue;
        int64_t left = x->qty - x->filled_qty;
        int64_t xpx = x->limit ? x->limit : self->syms[x->sym].last_px;
        if (x->buy)
            reserved += x->notional ? x->notional : fkdec_mul(left, xpx);
        else if (x->sym == o->sym)
            selling += left;
    }
    char a[40], b[40];
    if (o->buy) {
        int64_t cost = o->notional ? o->notional : fkdec_mul(o->qty, px);
        if (cost > self->cash - reserved)
            return fa_error(r, 403, 40310000, "insufficient buying power"), -1;
    } else if (!self->allow_short && o->qty > s->pos_qty - selling) {
        return fa_error(r, 403, 40310000,
                        "insufficient qty available for order (requested: "
                        "%s, available: %s)",
                        fa_dec(o->qty, a, sizeof a),
                        fa_dec(s->pos_qty - selling, b, sizeof b)),
               -1;
    }
    return 0;
}

/* The stop-loss leg of the OCO parent at IDX, working at once; one
   "new" event for each (the parent's first). */
static fa_order_t *s_book_oco(fake_alpaca_t *self, size_t idx,
                              const fa_order_t *sl)
{
    fa_order_t *leg = s_new_order(self); /* may move the array */
    fa_order_t *o = &self->orders[idx];
    leg->sym = o->sym;
    leg->buy = o->buy;
    leg->type = sl->limit ? FA_STOP_LIMIT : FA_STOP;
    leg->qty = o->qty;
    leg->limit = sl->limit;
    leg->stop = sl->stop;
    snprintf(leg->tif, sizeof leg->tif, "%s", o->tif);
    snprintf(leg->order_class, sizeof leg->order_class, "oco");
    snprintf(leg->coid, sizeof leg->coid, "fake-%s", leg->id + 24);
    snprintf(leg->status, sizeof leg->status, "new");
    leg->parent = (int)idx;
    o->legs[1] = (int)(leg - self->orders);
    fa_trade_event(self, "new", o, 0, 0);
    fa_trade_event(self, "new", leg, 0, 0);
    return o;
}

/* Books the order (and a bracket's legs, held) and fires "new". */
static fa_order_t *s_book(fake_alpaca_t *self, const fa_order_t *tmpl,
                          const fa_order_t *legs, const char *coid)
{
    fa_order_t *o = s_new_order(self);
    char id[FA_ID_LEN];
    snprintf(id, sizeof id, "%s", o->id);
    *o = *tmpl;
    snprintf(o->id, sizeof o->id, "%s", id);
    o->created_ns = o->updated_ns = fa_now(self);
    o->parent = o->legs[0] = o->legs[1] = -1;
    if (coid)
        snprintf(o->coid, sizeof o->coid, "%s", coid);
    else
        snprintf(o->coid, sizeof o->coid, "fake-%s", id + 24);
    snprintf(o->status, sizeof o->status, "new");
    size_t idx = (size_t)(o - self->orders);
    if (!legs) {
        fa_trade_event(self, "new", o, 0, 0);
        return o;
    }
    if (legs[0].limit && !legs[0].stop && tmpl->type == FA_LIMIT &&
        strcmp(tmpl->order_class, "oco") == 0)
        return s_book_oco(self, idx, &legs[1]);
    snprintf(self->orders[idx].order_class, sizeof o->order_class, "bracket");
    for (int i = 0; i < 2; i++) {
        fa_order_t *leg = s_new_order(self); /* may move the array */
        o = &self->orders[idx];
        leg->sym = o->sym;
        leg->buy = !o->buy;
        leg->type = i == 0 ? FA_LIMIT : legs[1].limit ? FA_STOP_LIMIT : FA_STOP;
        leg->qty = o->qty;
        leg->limit = legs[i].limit;
        leg->stop = legs[i].stop;
        snprintf(leg->tif, sizeof leg->tif, "%s", o->tif);
        snprintf(leg->order_class, sizeof leg->order_class, "bracket");
        snprintf(leg->coid, sizeof leg->coid, "%.40s-%s", o->coid,
                 i ? "sl" : "tp");
        snprintf(leg->status, sizeof leg->status, "held");
        leg->held = true;
        leg->parent = (int)idx;
        o->legs[i] = (int)(leg - self->orders);
    }
    fa_trade_event(self, "new", &self->orders[idx], 0, 0);
    return &self->orders[idx];
}

static int s_coid(fake_alpaca_t *self, json_t *b, const char **coid,
                  fakesrv_resp_t *r)
{
    json_t *v = json_object_get(b, "client_order_id");
    *coid = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return fa_error(r, 422, 40010001, "invalid client_order_id"), -1;
    *coid = json_string_value(v);
    fkcount_add(&self->coids, *coid, 1);
    if (json_string_length(v) > FA_COID_MAX)
        return fa_error(r, 422, 40010001,
                        "client_order_id must be no more than 48 characters"),
               -1;
    if (fa_order_by_coid(self, *coid))
        return fa_error(r, 422, 40010001, "client_order_id must be unique"), -1;
    return 0;
}

void fa_order_submit(fake_alpaca_t *self, json_t *b, fakesrv_resp_t *r)
{
    self->stats.orders_received++;
    const char *coid;
    fa_order_t o, legs[2];
    memset(&o, 0, sizeof o);
    memset(legs, 0, sizeof legs);
    if (s_coid(self, b, &coid, r) != 0)
        return;
    const char *cls = s_str(b, "order_class");
    bool bracket = cls && strcmp(cls, "bracket") == 0;
    bool oco = cls && strcmp(cls, "oco") == 0;
    if (cls && !bracket && !oco && strcmp(cls, "simple") && strcmp(cls, "")) {
        fa_error(r, 422, 40010001, "order_class %s is not supported", cls);
        return;
    }
    if (oco)
        s_oco_limit(b);
    if (s_parse(self, b, &o, r) != 0)
        return;
    if (oco)
        snprintf(o.order_class, sizeof o.order_class, "oco");
    if ((bracket && s_bracket(b, &o, legs, r) != 0) ||
        (oco && s_oco(b, &o, legs, r) != 0) || s_afford(self, &o, r) != 0)
        return;
    fa_order_t *booked = s_book(self, &o, bracket || oco ? legs : NULL, coid);
    size_t idx = (size_t)(booked - self->orders);
    self->stats.orders_accepted++;
    fa_json(r, 200, fa_order_json(self, booked, true));
    fa_symbol_t *s = &self->syms[booked->sym];
    if (s->has_px) /* executes now against the last trade if it crosses */
        fa_match(self, booked->sym, s->last_px);
    booked = &self->orders[idx];
    if (fa_order_open(booked) &&
        (!strcmp(booked->tif, "ioc") || !strcmp(booked->tif, "fok")))
        s_cancel_one(self, booked);
}

void fa_order_cancel(fake_alpaca_t *self, fa_order_t *o, fakesrv_resp_t *r)
{
    if (!fa_order_open(o)) {
        fa_error(r, 422, 42210000, "order is already in \"%s\" state",
                 o->status);
        return;
    }
    int legs[2] = {o->legs[0], o->legs[1]};
    fa_order_t *other = s_oco_other(self, o);
    s_cancel_one(self, o);
    if (other) /* either leg of an OCO cancels the group */
        s_cancel_one(self, other);
    for (int i = 0; i < 2; i++)
        if (legs[i] >= 0)
            s_cancel_one(self, &self->orders[legs[i]]);
    fakesrv_resp_set(r, 204, NULL);
}

/* The replacement NW of an OCO order O takes its place in the group. */
static void s_oco_relink(fake_alpaca_t *self, fa_order_t *o, fa_order_t *nw)
{
    if (!s_is_oco(o))
        return;
    int at = (int)(nw - self->orders);
    if (o->parent >= 0) {
        nw->parent = o->parent;
        self->orders[o->parent].legs[1] = at;
    } else if (o->legs[1] >= 0) {
        nw->legs[1] = o->legs[1];
        self->orders[o->legs[1]].parent = at;
        o->legs[1] = -1;
    }
    o->parent = -1;
}

void fa_order_replace(fake_alpaca_t *self, fa_order_t *o, json_t *b,
                      fakesrv_resp_t *r)
{
    if (!fa_order_open(o) || o->held) {
        fa_error(r, 422, 42210000, "order is not open (\"%s\")", o->status);
        return;
    }
    fa_order_t n = *o;
    const char *tif = s_str(b, "time_in_force");
    if (s_dec(b, "qty", &n.qty) < 0 || s_dec(b, "limit_price", &n.limit) < 0 ||
        s_dec(b, "stop_price", &n.stop) < 0 ||
        s_dec(b, "trail", &n.trail_price) < 0 || (n.limit && !o->limit) ||
        (n.stop && !o->stop) || n.qty <= o->filled_qty) {
        fa_error(r, 422, 40010001, "invalid replace parameters");
        return;
    }
    if (tif)
        snprintf(n.tif, sizeof n.tif, "%s", tif);
    const char *coid;
    if (s_coid(self, b, &coid, r) != 0)
        return;
    size_t old = (size_t)(o - self->orders);
    n.filled_qty = n.filled_cost = 0;
    n.qty -= o->filled_qty;
    n.legs[0] = n.legs[1] = -1;
    fa_order_t *nw = s_book(self, &n, NULL, coid);
    o = &self->orders[old];
    s_oco_relink(self, o, nw);
    snprintf(nw->replaces, sizeof nw->replaces, "%s", o->id);
    snprintf(o->replaced_by, sizeof o->replaced_by, "%s", nw->id);
    snprintf(o->status, sizeof o->status, "replaced");
    o->replaced_ns = o->updated_ns = fa_now(self);
    fa_trade_event(self, "replaced", o, 0, 0);
    fa_json(r, 200, fa_order_json(self, nw, true));
    if (self->syms[nw->sym].has_px)
        fa_match(self, nw->sym, self->syms[nw->sym].last_px);
}
