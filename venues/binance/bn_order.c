/*  venues/binance/bn_order.c: order responses and user-data events (see
    bn_rest.h). Both arrive a few times per order, not per tick, so they
    are read with jansson. */
#include "venues/binance/bn_private.h"
#include "venues/binance/bn_rest.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "marketdata/decimal.h"

tt_ord_state_t tt_bn_status_to_tt(const char *status, size_t len)
{
    static const struct {
        const char *name;
        tt_ord_state_t state;
    } map[] = {{"NEW", TT_OS_ACCEPTED},
               {"PENDING_NEW", TT_OS_ACCEPTED},
               {"PARTIALLY_FILLED", TT_OS_PARTIALLY_FILLED},
               {"FILLED", TT_OS_FILLED},
               {"CANCELED", TT_OS_CANCELLED},
               {"PENDING_CANCEL", TT_OS_PENDING_CANCEL},
               {"REJECTED", TT_OS_REJECTED},
               {"EXPIRED", TT_OS_EXPIRED},
               {"EXPIRED_IN_MATCH", TT_OS_EXPIRED}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].name) == len && memcmp(map[i].name, status, len) == 0)
            return map[i].state;
    return 0;
}

/* A decimal-string member KEY of OBJ at DEC decimals into *OUT. */
static int s_dec(json_t *obj, const char *key, int dec, int64_t *out,
                 const char *what, char *err, size_t es)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return tt_bn_errf(err, es, "%s: field \"%s\": missing or not a string",
                          what, key);
    int rc =
        tt_decimal_parse(json_string_value(v), json_string_length(v), dec, out);
    if (rc != TT_DEC_OK)
        return tt_bn_errf(err, es,
                          "%s: field \"%s\": \"%.40s\" at %d decimals: "
                          "%s",
                          what, key, json_string_value(v), dec,
                          tt_decimal_strerror(rc));
    return 0;
}

static int s_str(json_t *obj, const char *key, char *buf, size_t size,
                 const char *what, char *err, size_t es)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || json_string_length(v) >= size)
        return tt_bn_errf(err, es,
                          "%s: field \"%s\": missing, not a string or "
                          "too long",
                          what, key);
    memcpy(buf, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static int s_int(json_t *obj, const char *key, int64_t *out, const char *what,
                 char *err, size_t es)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        return tt_bn_errf(
            err, es, "%s: field \"%s\": missing or not an integer", what, key);
    *out = json_integer_value(v);
    return 0;
}

static int s_side(json_t *obj, const char *key, tt_side_t *out,
                  const char *what, char *err, size_t es)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (s && strcmp(s, "BUY") == 0)
        *out = TT_SIDE_BUY;
    else if (s && strcmp(s, "SELL") == 0)
        *out = TT_SIDE_SELL;
    else
        return tt_bn_errf(err, es, "%s: field \"%s\": not BUY or SELL", what,
                          key);
    return 0;
}

static int s_status(json_t *obj, const char *key, tt_ord_state_t *out,
                    const char *what, char *err, size_t es)
{
    json_t *v = json_object_get(obj, key);
    *out = json_is_string(v)
               ? tt_bn_status_to_tt(json_string_value(v), json_string_length(v))
               : 0;
    if (!*out)
        return tt_bn_errf(err, es, "%s: field \"%s\": unknown order status",
                          what, key);
    return 0;
}

static int s_fills(json_t *arr, const tt_instrument_t *ins,
                   tt_bn_order_resp_t *out, char *err, size_t es)
{
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return tt_bn_errf(err, es, "order: field \"fills\": not an array");
    size_t i;
    json_t *f;
    json_array_foreach(arr, i, f)
    {
        if (i >= TT_BN_FILLS_MAX) {
            out->fills_truncated = true;
            break;
        }
        tt_bn_fill_t *x = &out->fills[i];
        if (s_dec(f, "price", ins->px_decimals, &x->price, "fill", err, es) ||
            s_dec(f, "qty", ins->qty_decimals, &x->qty, "fill", err, es) ||
            s_dec(f, "commission", TT_BN_ASSET_DECIMALS, &x->commission, "fill",
                  err, es) ||
            s_str(f, "commissionAsset", x->commission_asset,
                  sizeof x->commission_asset, "fill", err, es) ||
            s_int(f, "tradeId", &x->trade_id, "fill", err, es))
            return -1;
        out->nfills = i + 1;
    }
    return 0;
}

int tt_bn_order_from_json(json_t *o, const tt_instrument_t *ins,
                          tt_bn_order_resp_t *out, char *err, size_t es)
{
    const char *w = "order";
    int64_t ms = 0;
    /* A cancel's reply names the order by origClientOrderId; its
       clientOrderId is then the cancel request's own id. */
    const char *orig =
        json_string_value(json_object_get(o, "origClientOrderId"));
    const char *key = orig && *orig ? "origClientOrderId" : "clientOrderId";
    if (s_str(o, "symbol", out->symbol, sizeof out->symbol, w, err, es) ||
        s_int(o, "orderId", &out->order_id, w, err, es) ||
        s_str(o, key, out->client_order_id, sizeof out->client_order_id, w, err,
              es))
        return -1;
    if (s_int(o, "orderListId", &out->order_list_id, w, NULL, 0) != 0 ||
        out->order_list_id < 0)
        out->order_list_id = -1;
    /* transactTime on new orders and cancels, updateTime on queries. */
    if (s_int(o, "transactTime", &ms, w, NULL, 0) != 0)
        s_int(o, "updateTime", &ms, w, NULL, 0);
    out->transact_ts =
        ms > 0 && ms < INT64_MAX / TT_NS_PER_MS ? ms * TT_NS_PER_MS : 0;
    if (!json_object_get(o, "status"))
        return 0; /* ACK */
    out->has_status = true;
    if (s_status(o, "status", &out->state, w, err, es) ||
        s_side(o, "side", &out->side, w, err, es) ||
        s_dec(o, "origQty", ins->qty_decimals, &out->orig_qty, w, err, es) ||
        s_dec(o, "executedQty", ins->qty_decimals, &out->executed_qty, w, err,
              es) ||
        s_dec(o, "cummulativeQuoteQty", TT_BN_ASSET_DECIMALS, &out->cum_quote,
              w, err, es))
        return -1;
    return s_fills(json_object_get(o, "fills"), ins, out, err, es);
}

int tt_bn_order_resp_parse(const char *body, size_t len,
                           const tt_instrument_t *ins, tt_bn_order_resp_t *out,
                           char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    int rc;
    if (!json_is_object(root))
        rc = tt_bn_errf(err, errsize, "order: %s",
                        root ? "not an object" : jerr.text);
    else
        rc = tt_bn_order_from_json(root, ins, out, err, errsize);
    json_decref(root);
    return rc;
}

/* ---- user data ----------------------------------------------------- */

static tt_bn_exec_type_t s_exec_type(const char *x)
{
    static const char *const names[] = {
        NULL,       "NEW",   "CANCELED", "REPLACED",
        "REJECTED", "TRADE", "EXPIRED",  "TRADE_PREVENTION"};
    for (int i = TT_BN_EXEC_NEW; x && i <= TT_BN_EXEC_TRADE_PREVENTION; i++)
        if (strcmp(names[i], x) == 0)
            return (tt_bn_exec_type_t)i;
    return TT_BN_EXEC_OTHER;
}

static int s_ms(json_t *o, const char *key, tt_ns_t *out, char *err, size_t es)
{
    int64_t ms = 0;
    if (s_int(o, key, &ms, "executionReport", err, es))
        return -1;
    if (ms < 0 || ms > INT64_MAX / TT_NS_PER_MS)
        return tt_bn_errf(err, es, "executionReport: field \"%s\": bad time",
                          key);
    *out = ms * TT_NS_PER_MS;
    return 0;
}

/* Client id: "C" (the original order's) on cancels, else "c". */
static int s_exec_ids(json_t *e, tt_bn_exec_t *x, char *err, size_t es)
{
    const char *w = "executionReport";
    const char *orig = json_string_value(json_object_get(e, "C"));
    const char *key = orig && *orig ? "C" : "c";
    if (s_str(e, key, x->client_order_id, sizeof x->client_order_id, w, err,
              es) ||
        s_int(e, "i", &x->order_id, w, err, es) ||
        s_int(e, "t", &x->trade_id, w, err, es) ||
        s_side(e, "S", &x->side, w, err, es) ||
        s_status(e, "X", &x->state, w, err, es) ||
        s_ms(e, "E", &x->event_ts, err, es) ||
        s_ms(e, "T", &x->transact_ts, err, es))
        return -1;
    const char *xt = json_string_value(json_object_get(e, "x"));
    x->exec_type = s_exec_type(xt);
    const char *r = json_string_value(json_object_get(e, "r"));
    snprintf(x->reject_reason, sizeof x->reject_reason, "%s", r ? r : "");
    x->maker = json_is_true(json_object_get(e, "m"));
    return 0;
}

static int s_exec(json_t *e, const tt_instrument_t *ins, tt_bn_exec_t *x,
                  char *err, size_t es)
{
    const char *w = "executionReport";
    int pd = ins->px_decimals, qd = ins->qty_decimals;
    if (s_exec_ids(e, x, err, es) ||
        s_dec(e, "q", qd, &x->order_qty, w, err, es) ||
        s_dec(e, "p", pd, &x->order_px, w, err, es) ||
        s_dec(e, "l", qd, &x->last_qty, w, err, es) ||
        s_dec(e, "L", pd, &x->last_px, w, err, es) ||
        s_dec(e, "z", qd, &x->cum_qty, w, err, es) ||
        s_dec(e, "n", TT_BN_ASSET_DECIMALS, &x->commission, w, err, es))
        return -1;
    /* "N" is null until the order has a fill. */
    const char *asset = json_string_value(json_object_get(e, "N"));
    snprintf(x->commission_asset, sizeof x->commission_asset, "%s",
             asset ? asset : "");
    if (x->exec_type == TT_BN_EXEC_TRADE &&
        (x->last_qty <= 0 || x->last_px <= 0 || x->trade_id < 0))
        return tt_bn_errf(err, es, "executionReport: TRADE without a fill");
    return 0;
}

static tt_bn_ud_kind_t s_userdata(json_t *ev, tt_bn_lookup_fn *lookup,
                                  void *arg, tt_bn_exec_t *x, char *err,
                                  size_t es)
{
    const char *e = json_string_value(json_object_get(ev, "e"));
    if (!e)
        return tt_bn_errf(err, es, "user data: no event type \"e\""),
               TT_BN_UD_MALFORMED;
    if (strcmp(e, "outboundAccountPosition") == 0)
        return TT_BN_UD_ACCOUNT;
    if (strcmp(e, "listenKeyExpired") == 0)
        return TT_BN_UD_KEY_EXPIRED;
    if (strcmp(e, "executionReport") != 0)
        return TT_BN_UD_OTHER;
    if (s_str(ev, "s", x->symbol, sizeof x->symbol, "executionReport", err, es))
        return TT_BN_UD_MALFORMED;
    tt_instrument_t ins;
    if (lookup(arg, x->symbol, &ins) < 0) {
        tt_bn_errf(err, es, "executionReport: unknown symbol %s", x->symbol);
        return TT_BN_UD_UNKNOWN_SYMBOL;
    }
    return s_exec(ev, &ins, x, err, es) == 0 ? TT_BN_UD_EXEC
                                             : TT_BN_UD_MALFORMED;
}

tt_bn_ud_kind_t tt_bn_userdata_parse(const char *buf, size_t len,
                                     tt_bn_lookup_fn *lookup, void *arg,
                                     tt_bn_exec_t *exec, char *err,
                                     size_t errsize)
{
    memset(exec, 0, sizeof *exec);
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, 0, &jerr);
    if (!json_is_object(root)) {
        tt_bn_errf(err, errsize, "user data: %s",
                   root ? "not an object" : jerr.text);
        json_decref(root);
        return TT_BN_UD_MALFORMED;
    }
    json_t *ev = json_object_get(root, "event");
    tt_bn_ud_kind_t kind = s_userdata(json_is_object(ev) ? ev : root, lookup,
                                      arg, exec, err, errsize);
    json_decref(root);
    return kind;
}
