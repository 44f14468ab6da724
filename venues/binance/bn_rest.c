/*  venues/binance/bn_rest.c: REST request parameters, error bodies and
    klines history (see bn_rest.h). REST bodies are parsed with jansson:
    they are rare next to stream frames, and nested arrays read more
    clearly as a DOM. */
#include "venues/binance/bn_private.h"
#include "venues/binance/bn_rest.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "marketdata/decimal.h"

int tt_bn_errf(char *err, size_t errsize, const char *fmt, ...)
{
    if (err && errsize) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsize, fmt, ap);
        va_end(ap);
    }
    return -1;
}

tt_bn_type_t tt_bn_type_from_tt(tt_ord_type_t type)
{
    switch (type) {
    case TT_ORD_MARKET:
        return TT_BN_TYPE_MARKET;
    case TT_ORD_LIMIT:
        return TT_BN_TYPE_LIMIT;
    case TT_ORD_STOP:
        return TT_BN_TYPE_STOP_LOSS;
    case TT_ORD_STOP_LIMIT:
        return TT_BN_TYPE_STOP_LOSS_LIMIT;
    }
    return 0;
}

tt_bn_tif_t tt_bn_tif_from_tt(tt_tif_t tif)
{
    return tif == TT_TIF_GTC   ? TT_BN_TIF_GTC
           : tif == TT_TIF_IOC ? TT_BN_TIF_IOC
                               : 0;
}

static const char *s_type_name(tt_bn_type_t t)
{
    static const char *const names[] = {NULL,
                                        "MARKET",
                                        "LIMIT",
                                        "STOP_LOSS",
                                        "STOP_LOSS_LIMIT",
                                        "TAKE_PROFIT",
                                        "TAKE_PROFIT_LIMIT",
                                        "LIMIT_MAKER"};
    return t >= TT_BN_TYPE_MARKET && t <= TT_BN_TYPE_LIMIT_MAKER ? names[t]
                                                                 : NULL;
}

/* Which fields each type needs: price, stop price, time in force. */
static void s_needs(tt_bn_type_t t, bool *px, bool *stop, bool *tif)
{
    *px = t == TT_BN_TYPE_LIMIT || t == TT_BN_TYPE_STOP_LOSS_LIMIT ||
          t == TT_BN_TYPE_TAKE_PROFIT_LIMIT || t == TT_BN_TYPE_LIMIT_MAKER;
    *stop = t == TT_BN_TYPE_STOP_LOSS || t == TT_BN_TYPE_STOP_LOSS_LIMIT ||
            t == TT_BN_TYPE_TAKE_PROFIT || t == TT_BN_TYPE_TAKE_PROFIT_LIMIT;
    /* LIMIT_MAKER takes no timeInForce: it is GTC by nature. */
    *tif = *px && t != TT_BN_TYPE_LIMIT_MAKER;
}

int tt_bn_add_dec(tt_bn_query_t *q, const char *key, int64_t v, int dec)
{
    char num[32];
    if (tt_decimal_format(v, dec, num, sizeof num) < 0)
        return -1;
    tt_bn_query_add(q, key, num);
    return 0;
}

static int s_check_req(const tt_bn_order_req_t *r, char *err, size_t es)
{
    bool px, stop, tif;
    if (!r->symbol || !*r->symbol)
        return tt_bn_errf(err, es, "order: no symbol");
    if (r->side != TT_SIDE_BUY && r->side != TT_SIDE_SELL)
        return tt_bn_errf(err, es, "order: bad side %d", (int)r->side);
    if (!s_type_name(r->type))
        return tt_bn_errf(err, es, "order: bad type %d", (int)r->type);
    if (r->qty <= 0)
        return tt_bn_errf(err, es, "order: quantity must be positive");
    s_needs(r->type, &px, &stop, &tif);
    const char *tn = s_type_name(r->type);
    if (px != (r->price > 0))
        return tt_bn_errf(err, es, "order: %s %s price", tn,
                          px ? "needs a" : "takes no");
    if (stop != (r->stop_price > 0))
        return tt_bn_errf(err, es, "order: %s %s stop price", tn,
                          stop ? "needs a" : "takes no");
    if (tif != (r->tif >= TT_BN_TIF_GTC && r->tif <= TT_BN_TIF_FOK))
        return tt_bn_errf(err, es, "order: %s %s time in force", tn,
                          tif ? "needs a" : "takes no");
    if (r->client_order_id && strlen(r->client_order_id) > TT_COID_MAX)
        return tt_bn_errf(err, es, "order: client order id longer than %d",
                          TT_COID_MAX);
    return 0;
}

int tt_bn_order_query(const tt_bn_order_req_t *r, tt_bn_query_t *q, char *err,
                      size_t errsize)
{
    static const char *const tifs[] = {NULL, "GTC", "IOC", "FOK"};
    if (s_check_req(r, err, errsize) != 0)
        return -1;
    tt_bn_query_add(q, "symbol", r->symbol);
    tt_bn_query_add(q, "side", r->side == TT_SIDE_BUY ? "BUY" : "SELL");
    tt_bn_query_add(q, "type", s_type_name(r->type));
    if (r->tif)
        tt_bn_query_add(q, "timeInForce", tifs[r->tif]);
    if (tt_bn_add_dec(q, "quantity", r->qty, r->qty_decimals) ||
        (r->price > 0 && tt_bn_add_dec(q, "price", r->price, r->px_decimals)) ||
        (r->stop_price > 0 &&
         tt_bn_add_dec(q, "stopPrice", r->stop_price, r->px_decimals)))
        return tt_bn_errf(err, errsize, "order: decimals out of range");
    if (r->client_order_id && *r->client_order_id)
        tt_bn_query_add(q, "newClientOrderId", r->client_order_id);
    tt_bn_query_add(q, "newOrderRespType", "FULL");
    if (tt_bn_query_finish(q) < 0)
        return tt_bn_errf(err, errsize, "order: query buffer too small");
    return 0;
}

int tt_bn_order_ref_query(tt_bn_query_t *q, const char *symbol,
                          const char *client_order_id)
{
    if (!symbol || !*symbol || !client_order_id || !*client_order_id)
        return -1;
    tt_bn_query_add(q, "symbol", symbol);
    tt_bn_query_add(q, "origClientOrderId", client_order_id);
    return tt_bn_query_finish(q) < 0 ? -1 : 0;
}

int tt_bn_klines_query(tt_bn_query_t *q, const char *symbol,
                       const char *interval, int64_t start_ms, int64_t end_ms,
                       int limit)
{
    if (!symbol || !*symbol || !interval ||
        tt_bn_interval_seconds(interval, strlen(interval)) < 0)
        return -1;
    tt_bn_query_add(q, "symbol", symbol);
    tt_bn_query_add(q, "interval", interval);
    if (start_ms > 0)
        tt_bn_query_add_int(q, "startTime", start_ms);
    if (end_ms > 0)
        tt_bn_query_add_int(q, "endTime", end_ms);
    limit = limit < 1 ? 1 : limit > 1000 ? 1000 : limit;
    tt_bn_query_add_int(q, "limit", limit);
    return tt_bn_query_finish(q) < 0 ? -1 : 0;
}

/* ---- errors -------------------------------------------------------- */

static tt_bn_rej_class_t s_classify(int status, int64_t code, const char *msg)
{
    if (status == 429 || status == 418 || code == -1003 || code == -1015)
        return TT_BN_REJ_RATE_LIMIT;
    if (status >= 500)
        return TT_BN_REJ_UNKNOWN_OUTCOME;
    if (status == 401 || code == -2014 || code == -2015 || code == -1022 ||
        code == -1021 || code == -1002)
        return TT_BN_REJ_AUTH;
    if (code == -2013 || (code == -2011 && strstr(msg, "Unknown order")))
        return TT_BN_REJ_UNKNOWN_ORDER;
    if (code == -1013 || strstr(msg, "Filter failure"))
        return TT_BN_REJ_FILTER;
    if (code == -2010 && strstr(msg, "insufficient balance"))
        return TT_BN_REJ_FUNDS;
    return TT_BN_REJ_OTHER;
}

tt_bn_rej_class_t tt_bn_error_parse(int http_status, const char *body,
                                    size_t len, tt_bn_reject_t *out)
{
    memset(out, 0, sizeof *out);
    out->http_status = http_status;
    if (http_status >= 200 && http_status < 300)
        return out->cls = TT_BN_REJ_NONE;
    json_t *root = len ? json_loadb(body, len, 0, NULL) : NULL;
    json_t *code = json_object_get(root, "code");
    json_t *msg = json_object_get(root, "msg");
    if (json_is_integer(code) && json_is_string(msg)) {
        out->code = json_integer_value(code);
        snprintf(out->msg, sizeof out->msg, "%s", json_string_value(msg));
    } else {
        snprintf(out->msg, sizeof out->msg,
                 "HTTP %d without a venue error "
                 "body",
                 http_status);
    }
    json_decref(root);
    return out->cls = s_classify(http_status, out->code, out->msg);
}

const char *tt_bn_rej_class_name(tt_bn_rej_class_t cls)
{
    static const char *const names[] = {
        "none",       "auth",   "insufficient_funds", "unknown_order",
        "rate_limit", "filter", "unknown_outcome",    "other"};
    return cls <= TT_BN_REJ_OTHER ? names[cls] : "invalid";
}

/* ---- klines -------------------------------------------------------- */

static int s_kdec(json_t *a, size_t i, int dec, int64_t *out, size_t row,
                  char *err, size_t es)
{
    json_t *v = json_array_get(a, i);
    if (!json_is_string(v))
        return tt_bn_errf(err, es, "klines[%zu][%zu]: not a string", row, i);
    int rc =
        tt_decimal_parse(json_string_value(v), json_string_length(v), dec, out);
    if (rc != TT_DEC_OK)
        return tt_bn_errf(err, es, "klines[%zu][%zu]: \"%.40s\": %s", row, i,
                          json_string_value(v), tt_decimal_strerror(rc));
    return 0;
}

static int s_krow(json_t *a, size_t row, const tt_instrument_t *ins,
                  int32_t tf_s, tt_ns_t now, tt_candle_t *c, char *err,
                  size_t es)
{
    json_t *t0 = json_array_get(a, 0), *t1 = json_array_get(a, 6);
    json_t *n = json_array_get(a, 8);
    if (!json_is_array(a) || json_array_size(a) < 9 || !json_is_integer(t0) ||
        !json_is_integer(t1) || !json_is_integer(n))
        return tt_bn_errf(err, es, "klines[%zu]: not a kline array", row);
    int64_t open_ms = json_integer_value(t0), close_ms = json_integer_value(t1);
    if (open_ms < 0 || open_ms > INT64_MAX / TT_NS_PER_MS ||
        close_ms != open_ms + (int64_t)tf_s * 1000 - 1)
        return tt_bn_errf(err, es,
                          "klines[%zu]: times do not match a %d s "
                          "interval",
                          row, (int)tf_s);
    int pd = ins->px_decimals;
    if (s_kdec(a, 1, pd, &c->open, row, err, es) ||
        s_kdec(a, 2, pd, &c->high, row, err, es) ||
        s_kdec(a, 3, pd, &c->low, row, err, es) ||
        s_kdec(a, 4, pd, &c->close, row, err, es) ||
        s_kdec(a, 5, ins->qty_decimals, &c->volume, row, err, es))
        return -1;
    json_int_t trades = json_integer_value(n);
    if (trades < 0 || trades > UINT32_MAX)
        return tt_bn_errf(err, es, "klines[%zu][8]: bad trade count", row);
    c->open_ts = open_ms * TT_NS_PER_MS;
    c->tf_s = tf_s;
    c->trades = (uint32_t)trades;
    c->closed = close_ms * TT_NS_PER_MS < now;
    return 0;
}

int tt_bn_klines_parse(const char *body, size_t len, const tt_instrument_t *ins,
                       int32_t tf_s, tt_ns_t now, tt_candle_t *out, size_t cap,
                       size_t *n, char *err, size_t errsize)
{
    *n = 0;
    if (tf_s <= 0)
        return tt_bn_errf(err, errsize, "klines: bad interval %d", (int)tf_s);
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    if (!json_is_array(root)) {
        tt_bn_errf(err, errsize, "klines: %s",
                   root ? "not an array" : jerr.text);
        json_decref(root);
        return -1;
    }
    int rc = 0;
    if (json_array_size(root) > cap)
        rc = tt_bn_errf(err, errsize, "klines: %zu rows for room for %zu",
                        json_array_size(root), cap);
    for (size_t i = 0; rc == 0 && i < json_array_size(root); i++)
        rc = s_krow(json_array_get(root, i), i, ins, tf_s, now, &out[i], err,
                    errsize);
    for (size_t i = 1; rc == 0 && i < json_array_size(root); i++)
        if (out[i].open_ts <= out[i - 1].open_ts)
            rc = tt_bn_errf(err, errsize,
                            "klines[%zu]: not after the one before", i);
    if (rc == 0)
        *n = json_array_size(root);
    json_decref(root);
    return rc;
}

int64_t tt_bn_klines_next_start_ms(const tt_candle_t *last)
{
    return last->open_ts / TT_NS_PER_MS + (int64_t)last->tf_s * 1000;
}
