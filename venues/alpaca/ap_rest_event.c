/*  venues/alpaca/ap_rest_event.c: Order objects, order lists and the
    trading stream (trade_updates) messages (ap_rest.h). */
#include "venues/alpaca/ap_rest_private.h"

#include <stdio.h>
#include <string.h>

static const char *const s_events[] = {NULL,
                                       "new",
                                       "fill",
                                       "partial_fill",
                                       "canceled",
                                       "expired",
                                       "done_for_day",
                                       "replaced",
                                       "accepted",
                                       "rejected",
                                       "pending_new",
                                       "stopped",
                                       "pending_cancel",
                                       "pending_replace",
                                       "calculated",
                                       "suspended",
                                       "order_replace_rejected",
                                       "order_cancel_rejected"};

static int s_index(const char *const *names, size_t n, const char *text)
{
    for (size_t i = 1; text && i < n; i++)
        if (!strcmp(names[i], text))
            return (int)i;
    return 0;
}

/* Enumerated text fields: side, type, time_in_force, order_class. */
static int s_enums(const json_t *obj, tt_ap_order_t *o, char *err, size_t es)
{
    static const char *const types[] = {NULL,   "market",     "limit",
                                        "stop", "stop_limit", "trailing_stop"};
    static const char *const tifs[] = {NULL,  "day", "gtc", "opg",
                                       "cls", "ioc", "fok"};
    static const char *const classes[] = {"", "bracket", "oco", "oto"};
    const char *side = tt_ap__str(obj, "side");
    const char *cls = tt_ap__str(obj, "order_class");
    if (!side || (strcmp(side, "buy") && strcmp(side, "sell")))
        return tt_ap__fail(err, es, "\"side\" is not buy or sell");
    o->side = side[0] == 'b' ? TT_SIDE_BUY : TT_SIDE_SELL;
    o->type = (tt_ap_ord_type_t)s_index(types, 6, tt_ap__str(obj, "type"));
    if (!o->type)
        o->type =
            (tt_ap_ord_type_t)s_index(types, 6, tt_ap__str(obj, "order_type"));
    o->tif = (tt_ap_tif_t)s_index(tifs, 7, tt_ap__str(obj, "time_in_force"));
    if (!o->type || !o->tif)
        return tt_ap__fail(err, es, "unknown \"type\" or \"time_in_force\"");
    o->order_class = TT_AP_CLASS_SIMPLE;
    if (cls && strcmp(cls, "simple"))
        o->order_class = (tt_ap_class_t)s_index(classes, 4, cls);
    if (cls && strcmp(cls, "simple") && strcmp(cls, "") && !o->order_class)
        return tt_ap__fail(err, es, "unknown \"order_class\" %.16s", cls);
    return 0;
}

static int s_ids(const json_t *obj, tt_ap_order_t *o, char *err, size_t es)
{
    if (tt_ap__copy(obj, "id", o->id, sizeof o->id, err, es) < 0 ||
        tt_ap__copy(obj, "client_order_id", o->client_order_id,
                    sizeof o->client_order_id, err, es) < 0 ||
        tt_ap__copy(obj, "symbol", o->symbol, sizeof o->symbol, err, es) < 0 ||
        tt_ap__copy(obj, "replaced_by", o->replaced_by, sizeof o->replaced_by,
                    err, es) < 0 ||
        tt_ap__copy(obj, "replaces", o->replaces, sizeof o->replaces, err, es) <
            0)
        return TT_AP_EBAD;
    if (!o->id[0] || !o->symbol[0])
        return tt_ap__fail(err, es, "order without \"id\" or \"symbol\"");
    return 0;
}

static int s_numbers(const json_t *obj, const tt_instrument_t *in,
                     tt_ap_order_t *o, char *err, size_t es)
{
    int px = in->px_decimals, q = in->qty_decimals;
    if (tt_ap__dec(obj, "qty", q, false, false, &o->qty, err, es) < 0 ||
        tt_ap__dec(obj, "notional", px, true, false, &o->notional, err, es) <
            0 ||
        tt_ap__dec(obj, "filled_qty", q, false, true, &o->filled_qty, err, es) <
            0 ||
        tt_ap__dec(obj, "filled_avg_price", px, true, false, &o->filled_avg_px,
                   err, es) < 0 ||
        tt_ap__dec(obj, "limit_price", px, false, false, &o->limit_px, err,
                   es) < 0 ||
        tt_ap__dec(obj, "stop_price", px, false, false, &o->stop_px, err, es) <
            0)
        return TT_AP_EBAD;
    if (tt_ap__time(obj, "created_at", &o->created_at, err, es) < 0 ||
        tt_ap__time(obj, "updated_at", &o->updated_at, err, es) < 0 ||
        tt_ap__time(obj, "submitted_at", &o->submitted_at, err, es) < 0 ||
        tt_ap__time(obj, "filled_at", &o->filled_at, err, es) < 0)
        return TT_AP_EBAD;
    return 0;
}

static int s_one(const json_t *obj, const tt_ap_scales_t *sc, tt_ap_order_t *o,
                 char *err, size_t es)
{
    tt_instrument_t in;
    memset(o, 0, sizeof *o);
    if (!json_is_object(obj))
        return tt_ap__fail(err, es, "order is not an object");
    if (s_ids(obj, o, err, es) < 0 || s_enums(obj, o, err, es) < 0)
        return TT_AP_EBAD;
    if (tt_ap_scales_get(sc, o->symbol, &in) < 0) {
        tt_ap__fail(err, es, "no scales for symbol %s", o->symbol);
        return TT_AP_ESYMBOL;
    }
    if (s_numbers(obj, &in, o, err, es) < 0)
        return TT_AP_EBAD;
    o->status = tt_ap_status_parse(tt_ap__str(obj, "status"));
    if (!o->status)
        return tt_ap__fail(err, es, "unknown \"status\"");
    o->state = tt_ap_status_state(o->status, o->filled_qty > 0);
    const char *ac = tt_ap__str(obj, "asset_class");
    o->crypto = ac && !strcmp(ac, "crypto");
    o->extended_hours = json_is_true(json_object_get(obj, "extended_hours"));
    return 0;
}

int tt_ap__order(const json_t *obj, const tt_ap_scales_t *sc,
                 tt_ap_order_tree_t *out, char *err, size_t errsize)
{
    out->n_legs = 0;
    int rc = s_one(obj, sc, &out->order, err, errsize);
    if (rc < 0)
        return rc;
    const json_t *legs = json_object_get(obj, "legs");
    if (!legs || json_is_null(legs))
        return 0;
    if (!json_is_array(legs) || json_array_size(legs) > TT_AP_LEGS_MAX)
        return tt_ap__fail(err, errsize, "\"legs\" is not a short list");
    for (size_t i = 0; i < json_array_size(legs); i++) {
        rc = s_one(json_array_get(legs, i), sc, &out->legs[i], err, errsize);
        if (rc < 0)
            return rc;
        out->n_legs++;
    }
    return 0;
}

int tt_ap_order_parse(const char *buf, size_t len, const tt_ap_scales_t *sc,
                      tt_ap_order_tree_t *out, char *err, size_t errsize)
{
    json_t *root = tt_ap__load(buf, len, err, errsize);
    if (!root)
        return TT_AP_EBAD;
    int rc = tt_ap__order(root, sc, out, err, errsize);
    json_decref(root);
    return rc;
}

int tt_ap_orders_parse(const char *buf, size_t len, const tt_ap_scales_t *sc,
                       tt_ap_order_tree_t *out, size_t cap, size_t *n,
                       size_t *skipped, char *err, size_t errsize)
{
    json_t *root = tt_ap__load(buf, len, err, errsize);
    int rc = 0;
    *n = 0;
    if (skipped)
        *skipped = 0;
    if (!root)
        return TT_AP_EBAD;
    if (!json_is_array(root))
        rc = tt_ap__fail(err, errsize, "orders reply is not a list");
    for (size_t i = 0; rc == 0 && i < json_array_size(root); i++) {
        if (*n == cap) {
            rc = tt_ap__fail(err, errsize, "more than %zu orders", cap);
            break;
        }
        int one =
            tt_ap__order(json_array_get(root, i), sc, &out[*n], err, errsize);
        if (one == TT_AP_ESYMBOL && skipped)
            (*skipped)++;
        else if (one < 0)
            rc = TT_AP_EBAD;
        else
            (*n)++;
    }
    json_decref(root);
    return rc;
}

/* data of a trade_updates message. */
static int s_exec(const json_t *data, const tt_ap_scales_t *sc, tt_ap_exec_t *x,
                  char *err, size_t es)
{
    memset(x, 0, sizeof *x);
    const char *ev = tt_ap__str(data, "event");
    if (!ev)
        return tt_ap__fail(err, es, "trade update without \"event\"");
    snprintf(x->event_name, sizeof x->event_name, "%s", ev);
    x->event = (tt_ap_event_t)s_index(s_events, 18, ev);
    if (tt_ap__copy(data, "execution_id", x->execution_id,
                    sizeof x->execution_id, err, es) < 0 ||
        tt_ap__time(data, "timestamp", &x->ts, err, es) < 0)
        return TT_AP_EBAD;
    int rc =
        tt_ap__order(json_object_get(data, "order"), sc, &x->order, err, es);
    if (rc < 0)
        return rc;
    x->has_fill =
        x->event == TT_AP_EV_FILL || x->event == TT_AP_EV_PARTIAL_FILL;
    if (!x->has_fill)
        return 0;
    tt_instrument_t in;
    tt_ap_scales_get(sc, x->order.order.symbol, &in);
    if (tt_ap__dec(data, "price", in.px_decimals, false, true, &x->price, err,
                   es) < 0 ||
        tt_ap__dec(data, "qty", in.qty_decimals, false, true, &x->qty, err,
                   es) < 0 ||
        tt_ap__dec(data, "position_qty", in.qty_decimals, false, false,
                   &x->position_qty, err, es) < 0)
        return TT_AP_EBAD;
    if (x->price <= 0 || x->qty <= 0)
        return tt_ap__fail(err, es, "fill with a non-positive price or qty");
    return 0;
}

static int s_tmsg(const json_t *root, const tt_ap_scales_t *sc, tt_ap_tmsg_t *m,
                  char *err, size_t es)
{
    const char *stream = tt_ap__str(root, "stream");
    const json_t *data = json_object_get(root, "data");
    const char *action = tt_ap__str(root, "action");
    if (action && !strcmp(action, "error")) {
        m->kind = TT_AP_TMSG_ERROR;
        snprintf(m->error, sizeof m->error, "%s",
                 tt_ap__str(data, "error_message")
                     ? tt_ap__str(data, "error_message")
                     : "(no error_message)");
        return 0;
    }
    if (!stream || !json_is_object(data))
        return tt_ap__fail(err, es, "no \"stream\" and \"data\" object");
    if (!strcmp(stream, "authorization")) {
        const char *st = tt_ap__str(data, "status");
        snprintf(m->action, sizeof m->action, "%s",
                 tt_ap__str(data, "action") ? tt_ap__str(data, "action") : "");
        m->kind = st && !strcmp(st, "authorized") ? TT_AP_TMSG_AUTHORIZED
                                                  : TT_AP_TMSG_UNAUTHORIZED;
        return 0;
    }
    if (!strcmp(stream, "listening")) {
        const json_t *list = json_object_get(data, "streams"), *s;
        size_t i;
        m->kind = TT_AP_TMSG_LISTENING;
        json_array_foreach(list, i, s) m->trade_updates |=
            json_is_string(s) && !strcmp(json_string_value(s), "trade_updates");
        return 0;
    }
    if (!strcmp(stream, "trade_updates")) {
        m->kind = TT_AP_TMSG_TRADE_UPDATE;
        return s_exec(data, sc, &m->exec, err, es);
    }
    m->kind = TT_AP_TMSG_OTHER;
    return 0;
}

int tt_ap_tstream_parse(const char *buf, size_t len, const tt_ap_scales_t *sc,
                        tt_ap_tmsg_t *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    json_t *root = tt_ap__load(buf, len, err, errsize);
    if (!root)
        return TT_AP_EBAD;
    int rc = json_is_object(root)
                 ? s_tmsg(root, sc, out, err, errsize)
                 : tt_ap__fail(err, errsize, "message is not an object");
    json_decref(root);
    return rc;
}

/* Dumps O (stolen) into BUF. */
static int s_emit(json_t *o, char *buf, size_t size)
{
    size_t n = o ? json_dumpb(o, buf, size, JSON_COMPACT) : 0;
    json_decref(o);
    if (n == 0 || n >= size) {
        if (size)
            buf[0] = '\0';
        return -1;
    }
    buf[n] = '\0';
    return (int)n;
}

int tt_ap_tstream_auth(char *buf, size_t size, const char *key,
                       const char *secret, bool legacy)
{
    if (!buf || !key || !secret)
        return -1;
    json_t *o = legacy
                    ? json_pack("{s:s,s:{s:s,s:s}}", "action", "authenticate",
                                "data", "key_id", key, "secret_key", secret)
                    : json_pack("{s:s,s:s,s:s}", "action", "auth", "key", key,
                                "secret", secret);
    return s_emit(o, buf, size);
}

int tt_ap_tstream_listen(char *buf, size_t size, bool trade_updates)
{
    if (!buf)
        return -1;
    json_t *streams = json_array();
    if (trade_updates)
        json_array_append_new(streams, json_string("trade_updates"));
    return s_emit(json_pack("{s:s,s:{s:o}}", "action", "listen", "data",
                            "streams", streams),
                  buf, size);
}
