/*  tests/fakes/binance_oco.c: the fake Binance's OCO order lists: POST
    /api/v3/orderList/oco (two legs, each with the caller's client id,
    booked as ordinary orders of one list that hold the base coins once)
    and DELETE /api/v3/orderList. A trade of either leg expires the other
    (binance_orders.c, fb_fill), and cancelling either leg by DELETE
    /api/v3/order cancels the list, as the venue documents. Only the
    combinations a bracket's exits use are accepted: for a SELL a
    LIMIT_MAKER or TAKE_PROFIT(_LIMIT) above and a STOP_LOSS(_LIMIT)
    below, for a BUY the reverse. Runs under the server's lock. */
#include "tests/fakes/binance_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_ERR_BAD(r, what)                                                     \
    fb_error(r, 400, -1102,                                                    \
             "Mandatory parameter '%s' was not sent, was empty/null, or "      \
             "malformed.",                                                     \
             what)

static bool s_stop_type(const char *t)
{
    return !strcmp(t, "STOP_LOSS") || !strcmp(t, "STOP_LOSS_LIMIT");
}

static bool s_profit_type(const char *t)
{
    return !strcmp(t, "LIMIT_MAKER") || !strcmp(t, "TAKE_PROFIT") ||
           !strcmp(t, "TAKE_PROFIT_LIMIT");
}

/* A decimal parameter PFX+NAME: 1 present, 0 absent, -1 malformed. */
static int s_dec(const fakesrv_req_t *req, const char *pfx, const char *name,
                 int64_t *out)
{
    char key[48], v[64];
    snprintf(key, sizeof key, "%s%s", pfx, name);
    *out = 0;
    if (fb_param(req, key, v, sizeof v) <= 0)
        return 0;
    return fkdec_parse(v, false, out) == 0 && *out > 0 ? 1 : -1;
}

/* Leg PFX ("above" / "below") into O; the name of a bad field, or NULL. */
static const char *s_leg(const fakesrv_req_t *req, const char *pfx,
                         fb_order_t *o)
{
    static char bad[48];
    char key[48];
    snprintf(key, sizeof key, "%sType", pfx);
    if (fb_param(req, key, o->type, sizeof o->type) <= 0 ||
        (!s_stop_type(o->type) && !s_profit_type(o->type)))
        return snprintf(bad, sizeof bad, "%s", key), bad;
    bool limit = strstr(o->type, "LIMIT") != NULL;
    bool stop = strcmp(o->type, "LIMIT_MAKER") != 0;
    snprintf(bad, sizeof bad, "%sPrice", pfx);
    if (s_dec(req, pfx, "Price", &o->price) != (limit ? 1 : 0))
        return bad;
    snprintf(bad, sizeof bad, "%sStopPrice", pfx);
    if (s_dec(req, pfx, "StopPrice", &o->stop) != (stop ? 1 : 0))
        return bad;
    snprintf(key, sizeof key, "%sTimeInForce", pfx);
    bool needs_tif = limit && strcmp(o->type, "LIMIT_MAKER") != 0;
    if ((fb_param(req, key, o->tif, sizeof o->tif) > 0) != needs_tif)
        return snprintf(bad, sizeof bad, "%s", key), bad;
    snprintf(key, sizeof key, "%sClientOrderId", pfx);
    fb_param(req, key, o->coid, sizeof o->coid);
    return NULL;
}

/* The list's two legs from REQ; 0, or -1 with the error in R. */
static int s_parse(fake_binance_t *self, const fakesrv_req_t *req,
                   fb_order_t *above, fb_order_t *below, fakesrv_resp_t *r)
{
    char v[64];
    if (fb_param(req, "symbol", v, sizeof v) <= 0)
        return S_ERR_BAD(r, "symbol"), -1;
    if ((above->sym = below->sym = fb_symbol(self, v)) < 0)
        return fb_error(r, 400, -1121, "Invalid symbol."), -1;
    if (fb_param(req, "side", v, sizeof v) <= 0 ||
        (strcmp(v, "BUY") && strcmp(v, "SELL")))
        return S_ERR_BAD(r, "side"), -1;
    above->buy = below->buy = v[0] == 'B';
    if (s_dec(req, "", "quantity", &above->qty) != 1)
        return S_ERR_BAD(r, "quantity"), -1;
    below->qty = above->qty;
    const char *bad = s_leg(req, "above", above);
    if (!bad)
        bad = s_leg(req, "below", below);
    if (bad)
        return S_ERR_BAD(r, bad), -1;
    bool sell = !above->buy;
    if (sell ? !s_profit_type(above->type) || !s_stop_type(below->type)
             : !s_stop_type(above->type) || !s_profit_type(below->type))
        return fb_error(r, 400, -1102,
                        "Unsupported order combination for an OCO."),
               -1;
    return 0;
}

/* The trigger or limit that decides where leg O sits. */
static int64_t s_level(const fb_order_t *o)
{
    return !strcmp(o->type, "LIMIT_MAKER") ? o->price : o->stop;
}

/* The venue's rules a list must pass before it is booked. */
static int s_check(fake_binance_t *self, const fb_order_t *above,
                   const fb_order_t *below, fakesrv_resp_t *r)
{
    const fb_symbol_t *s = &self->syms[above->sym];
    const fb_order_t *legs[] = {above, below};
    for (int i = 0; i < 2; i++) {
        const char *f = fb_filters(s, legs[i]);
        if (f)
            return fb_error(r, 400, -1013, "Filter failure: %s", f), -1;
        const fb_order_t *dup =
            legs[i]->coid[0] ? fb_order_by_coid(self, legs[i]->coid) : NULL;
        if (dup && fb_order_open(dup))
            return fb_error(r, 400, -2010, "Duplicate order sent."), -1;
    }
    if (s->has_px &&
        !(s_level(above) > s->last_px && s->last_px > s_level(below)))
        return fb_error(r, 400, -2010,
                        "The relationship of the prices for the orders is "
                        "not correct."),
               -1;
    if (self->enforce_balance && !above->buy &&
        above->qty > fb_free_base(self, above->sym))
        return fb_error(r, 400, -2010,
                        "Account has insufficient balance for requested "
                        "action."),
               -1;
    return 0;
}

static json_t *s_list_json(fake_binance_t *self, int64_t list_id, bool all_done)
{
    json_t *orders = json_array(), *reports = json_array();
    const fb_order_t *any = NULL;
    for (size_t i = 0; i < self->norders; i++) {
        const fb_order_t *o = &self->orders[i];
        if (o->list_id != list_id)
            continue;
        any = o;
        json_array_append_new(orders, json_pack("{s:s,s:I,s:s}", "symbol",
                                                self->syms[o->sym].name,
                                                "orderId", (json_int_t)o->id,
                                                "clientOrderId", o->coid));
        json_t *j = fb_order_json(self, o);
        json_object_set_new(j, "transactTime", json_integer(o->update_ms));
        if (all_done) { /* a cancel: the order by its original id */
            char cid[40];
            snprintf(cid, sizeof cid, "fakecancel%lld", (long long)o->id);
            json_object_set_new(j, "origClientOrderId", json_string(o->coid));
            json_object_set_new(j, "clientOrderId", json_string(cid));
        }
        json_array_append_new(reports, j);
    }
    const char *st = all_done ? "ALL_DONE" : "EXEC_STARTED";
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:o,s:o}", "orderListId",
                     (json_int_t)list_id, "contingencyType", "OCO",
                     "listStatusType", st, "listOrderStatus",
                     all_done ? "ALL_DONE" : "EXECUTING", "listClientOrderId",
                     any ? any->list_coid : "", "transactionTime",
                     (json_int_t)fb_now_ms(self), "symbol",
                     any ? self->syms[any->sym].name : "", "orders", orders,
                     "orderReports", reports);
}

void fb_oco_post(fake_binance_t *self, const fakesrv_req_t *req,
                 fakesrv_resp_t *r)
{
    self->stats.orders_received++;
    fb_order_t above, below;
    memset(&above, 0, sizeof above);
    memset(&below, 0, sizeof below);
    if (s_parse(self, req, &above, &below, r) != 0)
        return;
    if (above.coid[0])
        fkcount_add(&self->coids, above.coid, 1);
    if (below.coid[0])
        fkcount_add(&self->coids, below.coid, 1);
    if (s_check(self, &above, &below, r) != 0)
        return;
    int silent = fb_silent_begin(self, r);
    if (silent == FB_LOST)
        return;
    int64_t list_id = ++self->next_list_id;
    char lc[40] = "";
    if (fb_param(req, "listClientOrderId", lc, sizeof lc) <= 0)
        snprintf(lc, sizeof lc, "fakelist%lld", (long long)list_id);
    above.list_id = below.list_id = list_id;
    snprintf(above.list_coid, sizeof above.list_coid, "%s", lc);
    snprintf(below.list_coid, sizeof below.list_coid, "%s", lc);
    above.locks = true; /* the coins are held once for the list */
    /* fb_book may move the table: legs are found again by index. */
    size_t ia = fb_book(self, &above) - self->orders;
    size_t ib = fb_book(self, &below) - self->orders;
    self->stats.orders_accepted += 2;
    fb_exec_report(self, &self->orders[ia], "NEW", 0, 0, -1);
    fb_exec_report(self, &self->orders[ib], "NEW", 0, 0, -1);
    fb_json(r, 200, s_list_json(self, list_id, false));
    fb_silent_end(self, silent, r);
}

void fb_order_list_delete(fake_binance_t *self, const fakesrv_req_t *req,
                          fakesrv_resp_t *r)
{
    char sym[32], v[64];
    int si;
    if (fb_param(req, "symbol", sym, sizeof sym) <= 0) {
        S_ERR_BAD(r, "symbol");
        return;
    }
    if ((si = fb_symbol(self, sym)) < 0) {
        fb_error(r, 400, -1121, "Invalid symbol.");
        return;
    }
    bool by_id = fb_param(req, "orderListId", v, sizeof v) > 0;
    if (!by_id && fb_param(req, "listClientOrderId", v, sizeof v) <= 0) {
        S_ERR_BAD(r, "orderListId");
        return;
    }
    int64_t list_id = 0;
    bool open = false;
    for (size_t i = 0; i < self->norders; i++) {
        const fb_order_t *o = &self->orders[i];
        if (o->list_id && o->sym == si &&
            (by_id ? o->list_id == atoll(v) : !strcmp(o->list_coid, v))) {
            list_id = o->list_id;
            open = open || fb_order_open(o);
        }
    }
    if (!open) {
        fb_error(r, 400, -2011, "Unknown order list sent.");
        return;
    }
    for (size_t i = 0; i < self->norders; i++) {
        fb_order_t *o = &self->orders[i];
        if (o->list_id == list_id && fb_order_open(o))
            fb_set_status(self, o, "CANCELED", "CANCELED");
    }
    fb_json(r, 200, s_list_json(self, list_id, true));
}
