/*  venues/alpaca/ap_rest_order.c: POST/PATCH order bodies and Order
    objects (ap_rest.h). Bodies are built with jansson so that every string
    is escaped correctly; every number goes out as a decimal string made by
    tt_decimal_format, as Alpaca asks. */
#include "venues/alpaca/ap_rest_private.h"

#include <stdlib.h>
#include <string.h>

#include "marketdata/decimal.h"

static const char *const s_types[] = {NULL,   "market",     "limit",
                                      "stop", "stop_limit", "trailing_stop"};
static const char *const s_tifs[] = {NULL,  "day", "gtc", "opg",
                                     "cls", "ioc", "fok"};
static const char *const s_classes[] = {"simple", "bracket", "oco", "oto"};
static const char *const s_statuses[] = {NULL,
                                         "new",
                                         "partially_filled",
                                         "filled",
                                         "done_for_day",
                                         "canceled",
                                         "expired",
                                         "replaced",
                                         "pending_cancel",
                                         "pending_replace",
                                         "accepted",
                                         "pending_new",
                                         "accepted_for_bidding",
                                         "stopped",
                                         "rejected",
                                         "suspended",
                                         "calculated"};

#define S_COUNT(a) (sizeof(a) / sizeof *(a))

/* Index of TEXT in NAMES (from FIRST), or 0 / -1 when absent. */
static int s_lookup(const char *const *names, size_t n, size_t first,
                    const char *text, int none)
{
    for (size_t i = first; text && i < n; i++)
        if (!strcmp(names[i], text))
            return (int)i;
    return none;
}

const char *tt_ap_type_name(tt_ap_ord_type_t type)
{
    return type >= 1 && (size_t)type < S_COUNT(s_types) ? s_types[type]
                                                        : "invalid";
}

const char *tt_ap_tif_name(tt_ap_tif_t tif)
{
    return tif >= 1 && (size_t)tif < S_COUNT(s_tifs) ? s_tifs[tif] : "invalid";
}

tt_ap_ord_type_t tt_ap_type_from_tt(tt_ord_type_t type)
{
    switch (type) {
    case TT_ORD_LIMIT:
        return TT_AP_TYPE_LIMIT;
    case TT_ORD_STOP:
        return TT_AP_TYPE_STOP;
    case TT_ORD_STOP_LIMIT:
        return TT_AP_TYPE_STOP_LIMIT;
    default:
        return TT_AP_TYPE_MARKET;
    }
}

tt_ap_tif_t tt_ap_tif_from_tt(tt_tif_t tif)
{
    switch (tif) {
    case TT_TIF_GTC:
        return TT_AP_TIF_GTC;
    case TT_TIF_IOC:
        return TT_AP_TIF_IOC;
    default:
        return TT_AP_TIF_DAY;
    }
}

tt_ap_status_t tt_ap_status_parse(const char *text)
{
    return (tt_ap_status_t)s_lookup(s_statuses, S_COUNT(s_statuses), 1, text,
                                    0);
}

tt_ord_state_t tt_ap_status_state(tt_ap_status_t status, bool any_filled)
{
    tt_ord_state_t idle = any_filled ? TT_OS_PARTIALLY_FILLED : TT_OS_ACCEPTED;
    switch (status) {
    case TT_AP_ST_PARTIALLY_FILLED:
        return TT_OS_PARTIALLY_FILLED;
    case TT_AP_ST_FILLED:
        return TT_OS_FILLED;
    case TT_AP_ST_CANCELED:
        return TT_OS_CANCELLED;
    case TT_AP_ST_EXPIRED:
        return TT_OS_EXPIRED;
    case TT_AP_ST_REPLACED:
        return TT_OS_REPLACED;
    case TT_AP_ST_PENDING_CANCEL:
        return TT_OS_PENDING_CANCEL;
    case TT_AP_ST_PENDING_REPLACE:
        return TT_OS_PENDING_REPLACE;
    case TT_AP_ST_REJECTED:
        return TT_OS_REJECTED;
    case TT_AP_ST_NEW:
    case TT_AP_ST_ACCEPTED:
    case TT_AP_ST_PENDING_NEW:
    case TT_AP_ST_ACCEPTED_FOR_BIDDING:
        return TT_OS_ACCEPTED;
    default:
        return idle; /* done_for_day, stopped, suspended, calculated */
    }
}

/* Sets KEY to VALUE at DECIMALS as a decimal string. */
static int s_set_dec(json_t *obj, const char *key, int64_t value, int decimals)
{
    char text[32];
    if (tt_decimal_format(value, decimals, text, sizeof text) < 0)
        return -1;
    return json_object_set_new(obj, key, json_string(text));
}

/* Alpaca's per-type rules for prices, quantity and time in force. */
static int s_check_simple(const tt_ap_order_req_t *r, char *err, size_t es)
{
    bool lim = r->type == TT_AP_TYPE_LIMIT || r->type == TT_AP_TYPE_STOP_LIMIT;
    bool stp = r->type == TT_AP_TYPE_STOP || r->type == TT_AP_TYPE_STOP_LIMIT;
    if (!r->symbol || !*r->symbol || strlen(r->symbol) > TT_AP_SYMBOL_MAX)
        return tt_ap__fail(err, es, "symbol missing or too long");
    if (r->side != TT_SIDE_BUY && r->side != TT_SIDE_SELL)
        return tt_ap__fail(err, es, "bad side");
    if (!strcmp(tt_ap_type_name(r->type), "invalid") ||
        !strcmp(tt_ap_tif_name(r->tif), "invalid"))
        return tt_ap__fail(err, es, "bad type or time_in_force");
    if ((r->qty > 0) == (r->notional > 0) || r->qty < 0 || r->notional < 0)
        return tt_ap__fail(err, es, "exactly one of qty and notional > 0");
    if (r->notional &&
        (r->type != TT_AP_TYPE_MARKET || r->tif != TT_AP_TIF_DAY))
        return tt_ap__fail(err, es, "notional needs a market day order");
    if (lim != (r->limit_px > 0) || stp != (r->stop_px > 0))
        return tt_ap__fail(err, es, "limit/stop price does not match %s",
                           tt_ap_type_name(r->type));
    if (r->type == TT_AP_TYPE_TRAILING_STOP &&
        ((r->trail_px > 0) == (r->trail_percent > 0) ||
         (r->tif != TT_AP_TIF_DAY && r->tif != TT_AP_TIF_GTC)))
        return tt_ap__fail(err, es,
                           "trailing_stop needs one of trail price/"
                           "percent and day or gtc");
    if (r->type != TT_AP_TYPE_TRAILING_STOP &&
        (r->trail_px || r->trail_percent))
        return tt_ap__fail(err, es, "trail given on a non-trailing order");
    if (r->extended_hours &&
        (r->type != TT_AP_TYPE_LIMIT || r->tif != TT_AP_TIF_DAY))
        return tt_ap__fail(err, es, "extended_hours needs a limit day order");
    if (r->client_order_id && strlen(r->client_order_id) > 48)
        return tt_ap__fail(err, es, "client_order_id longer than 48");
    return 0;
}

/* Bracket, OCO and OTO leg rules. */
static int s_check_class(const tt_ap_order_req_t *r, char *err, size_t es)
{
    bool tp = r->tp_limit_px > 0, sl = r->sl_stop_px > 0;
    switch (r->order_class) {
    case TT_AP_CLASS_SIMPLE:
        if (tp || sl || r->sl_limit_px)
            return tt_ap__fail(err, es, "legs on a simple order");
        return 0;
    case TT_AP_CLASS_BRACKET:
    case TT_AP_CLASS_OCO:
        if (!tp || !sl)
            return tt_ap__fail(err, es, "%s needs take_profit and stop_loss",
                               s_classes[r->order_class]);
        break;
    case TT_AP_CLASS_OTO:
        if (tp == sl)
            return tt_ap__fail(err, es, "oto needs exactly one exit leg");
        break;
    default:
        return tt_ap__fail(err, es, "bad order_class");
    }
    if (r->sl_limit_px && !sl)
        return tt_ap__fail(err, es, "stop_loss limit without stop price");
    if (r->tif != TT_AP_TIF_DAY && r->tif != TT_AP_TIF_GTC)
        return tt_ap__fail(err, es, "advanced orders need day or gtc");
    if (r->extended_hours)
        return tt_ap__fail(err, es, "advanced orders exclude extended hours");
    /* A bracket's side is the entry's, an OCO's the exit's: a buy bracket
       and a sell OCO both close a long, take-profit above the stop. */
    bool above =
        (r->side == TT_SIDE_BUY) != (r->order_class == TT_AP_CLASS_OCO);
    if (tp && sl &&
        (above ? r->tp_limit_px <= r->sl_stop_px
               : r->tp_limit_px >= r->sl_stop_px))
        return tt_ap__fail(err, es, "take_profit on the wrong side of stop");
    return 0;
}

/* An OCO is a limit order whose limit is the take-profit's: its own
   limit_price, when given, must say the same. */
static int s_check_oco(const tt_ap_order_req_t *r, char *err, size_t es)
{
    if (r->type != TT_AP_TYPE_LIMIT)
        return tt_ap__fail(err, es, "oco must be a limit order");
    if (r->limit_px && r->limit_px != r->tp_limit_px)
        return tt_ap__fail(err, es, "oco limit_price is take_profit's");
    if (r->stop_px)
        return tt_ap__fail(err, es, "oco stop_price belongs in stop_loss");
    return 0;
}

static int s_add_legs(json_t *o, const tt_ap_order_req_t *r)
{
    int px = r->px_decimals, rc = 0;
    if (r->order_class == TT_AP_CLASS_SIMPLE)
        return 0;
    rc |= json_object_set_new(o, "order_class",
                              json_string(s_classes[r->order_class]));
    if (r->tp_limit_px) {
        json_t *tp = json_object();
        rc |= s_set_dec(tp, "limit_price", r->tp_limit_px, px);
        rc |= json_object_set_new(o, "take_profit", tp);
    }
    if (r->sl_stop_px) {
        json_t *sl = json_object();
        rc |= s_set_dec(sl, "stop_price", r->sl_stop_px, px);
        if (r->sl_limit_px)
            rc |= s_set_dec(sl, "limit_price", r->sl_limit_px, px);
        rc |= json_object_set_new(o, "stop_loss", sl);
    }
    return rc;
}

static int s_fill_body(json_t *o, const tt_ap_order_req_t *r)
{
    int px = r->px_decimals, rc = 0;
    rc |= json_object_set_new(o, "symbol", json_string(r->symbol));
    if (r->qty)
        rc |= s_set_dec(o, "qty", r->qty, r->qty_decimals);
    else
        rc |= s_set_dec(o, "notional", r->notional, px);
    rc |= json_object_set_new(
        o, "side", json_string(r->side == TT_SIDE_BUY ? "buy" : "sell"));
    rc |= json_object_set_new(o, "type", json_string(s_types[r->type]));
    rc |= json_object_set_new(o, "time_in_force", json_string(s_tifs[r->tif]));
    if (r->limit_px)
        rc |= s_set_dec(o, "limit_price", r->limit_px, px);
    if (r->stop_px)
        rc |= s_set_dec(o, "stop_price", r->stop_px, px);
    if (r->trail_px)
        rc |= s_set_dec(o, "trail_price", r->trail_px, px);
    if (r->trail_percent)
        rc |= s_set_dec(o, "trail_percent", r->trail_percent, 2);
    if (r->extended_hours)
        rc |= json_object_set_new(o, "extended_hours", json_true());
    if (r->client_order_id)
        rc |= json_object_set_new(o, "client_order_id",
                                  json_string(r->client_order_id));
    return rc | s_add_legs(o, r);
}

/* Serialises O (stolen) compactly; NULL on failure. */
static char *s_dump(json_t *o, int rc, char *err, size_t errsize)
{
    char *text = rc == 0 ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        tt_ap__fail(err, errsize, "could not encode (bad scale or string)");
    return text;
}

char *tt_ap_order_body(const tt_ap_order_req_t *req, char *err, size_t errsize)
{
    if (!req) {
        tt_ap__fail(err, errsize, "no request");
        return NULL;
    }
    /* An OCO's limit is sent once, as take_profit.limit_price (Alpaca's
       own example); the type rules see it as the order's. */
    tt_ap_order_req_t r = *req;
    bool oco = r.order_class == TT_AP_CLASS_OCO;
    if (oco && s_check_oco(&r, err, errsize) < 0)
        return NULL;
    if (oco)
        r.limit_px = r.tp_limit_px;
    if (s_check_simple(&r, err, errsize) < 0 ||
        s_check_class(&r, err, errsize) < 0)
        return NULL;
    if (oco)
        r.limit_px = 0;
    json_t *o = json_object();
    return s_dump(o, s_fill_body(o, &r), err, errsize);
}

char *tt_ap_replace_body(const tt_ap_replace_req_t *req, char *err,
                         size_t errsize)
{
    if (!req || req->qty < 0 || req->limit_px < 0 || req->stop_px < 0 ||
        req->trail < 0 ||
        (req->tif && !strcmp(tt_ap_tif_name(req->tif), "invalid")) ||
        (req->client_order_id && strlen(req->client_order_id) > 48)) {
        tt_ap__fail(err, errsize, "bad replace request");
        return NULL;
    }
    json_t *o = json_object();
    int rc = 0, px = req->px_decimals;
    if (req->qty)
        rc |= s_set_dec(o, "qty", req->qty, req->qty_decimals);
    if (req->tif)
        rc |= json_object_set_new(o, "time_in_force",
                                  json_string(s_tifs[req->tif]));
    if (req->limit_px)
        rc |= s_set_dec(o, "limit_price", req->limit_px, px);
    if (req->stop_px)
        rc |= s_set_dec(o, "stop_price", req->stop_px, px);
    if (req->trail)
        rc |= s_set_dec(o, "trail", req->trail, px);
    if (req->client_order_id)
        rc |= json_object_set_new(o, "client_order_id",
                                  json_string(req->client_order_id));
    if (json_object_size(o) == 0) {
        json_decref(o);
        tt_ap__fail(err, errsize, "replace changes nothing");
        return NULL;
    }
    return s_dump(o, rc, err, errsize);
}
