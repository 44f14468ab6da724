/*  venues/binance/bn_user.c: what the broker gateway's user-data session
    and its recovery read (see bn_rest.h): the listenKey of POST
    /api/v3/userDataStream and the trades of GET /api/v3/myTrades. Both
    come a few times per session or per reconnect, so they are read with
    jansson. Pure parsing; the gateway does the HTTP. */
#include "venues/binance/bn_private.h"
#include "venues/binance/bn_rest.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "marketdata/decimal.h"

int tt_bn_listen_key_parse(const char *body, size_t len, char *out, size_t size,
                           char *err, size_t errsize)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    json_t *key = json_object_get(root, "listenKey");
    int rc = 0;
    if (!json_is_object(root))
        rc = tt_bn_errf(err, errsize, "userDataStream: %s",
                        root ? "not an object" : jerr.text);
    else if (!json_is_string(key) || json_string_length(key) == 0 ||
             json_string_length(key) >= size)
        rc = tt_bn_errf(err, errsize,
                        "userDataStream: \"listenKey\" missing, empty or "
                        "longer than %zu characters",
                        size - 1);
    else if (strspn(json_string_value(key),
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789") != json_string_length(key))
        rc = tt_bn_errf(err, errsize,
                        "userDataStream: \"listenKey\" is not alphanumeric");
    else
        memcpy(out, json_string_value(key), json_string_length(key) + 1);
    json_decref(root);
    return rc;
}

static int s_tdec(json_t *t, const char *key, int dec, int64_t *out, size_t row,
                  char *err, size_t es)
{
    json_t *v = json_object_get(t, key);
    if (!json_is_string(v))
        return tt_bn_errf(err, es,
                          "myTrades[%zu]: field \"%s\": missing or "
                          "not a string",
                          row, key);
    int rc =
        tt_decimal_parse(json_string_value(v), json_string_length(v), dec, out);
    if (rc != TT_DEC_OK)
        return tt_bn_errf(err, es, "myTrades[%zu]: field \"%s\": \"%.40s\": %s",
                          row, key, json_string_value(v),
                          tt_decimal_strerror(rc));
    return 0;
}

static int s_trade(json_t *t, size_t row, const tt_instrument_t *ins,
                   tt_bn_trade_t *x, char *err, size_t es)
{
    json_t *id = json_object_get(t, "id"), *oid = json_object_get(t, "orderId");
    json_t *time = json_object_get(t, "time");
    if (!json_is_object(t) || !json_is_integer(id) || !json_is_integer(oid) ||
        !json_is_integer(time))
        return tt_bn_errf(
            err, es, "myTrades[%zu]: not a trade (id, orderId, time)", row);
    int64_t ms = json_integer_value(time);
    if (ms < 0 || ms > INT64_MAX / TT_NS_PER_MS)
        return tt_bn_errf(err, es, "myTrades[%zu]: bad time", row);
    x->id = json_integer_value(id);
    x->order_id = json_integer_value(oid);
    x->ts = ms * TT_NS_PER_MS;
    if (s_tdec(t, "price", ins->px_decimals, &x->price, row, err, es) ||
        s_tdec(t, "qty", ins->qty_decimals, &x->qty, row, err, es) ||
        s_tdec(t, "commission", TT_BN_ASSET_DECIMALS, &x->commission, row, err,
               es))
        return -1;
    if (x->price <= 0 || x->qty <= 0)
        return tt_bn_errf(err, es, "myTrades[%zu]: price or qty not positive",
                          row);
    json_t *asset = json_object_get(t, "commissionAsset");
    if (!json_is_string(asset) ||
        json_string_length(asset) >= sizeof x->commission_asset)
        return tt_bn_errf(err, es,
                          "myTrades[%zu]: field \"commissionAsset\": missing, "
                          "not a string or too long",
                          row);
    snprintf(x->commission_asset, sizeof x->commission_asset, "%s",
             json_string_value(asset));
    return 0;
}

int tt_bn_trades_parse(const char *body, size_t len, const tt_instrument_t *ins,
                       tt_bn_trade_t *out, size_t cap, size_t *n, char *err,
                       size_t errsize)
{
    *n = 0;
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    int rc = 0;
    if (!json_is_array(root))
        rc = tt_bn_errf(err, errsize, "myTrades: %s",
                        root ? "not an array" : jerr.text);
    else if (json_array_size(root) > cap)
        rc = tt_bn_errf(err, errsize, "myTrades: %zu trades, more than %zu",
                        json_array_size(root), cap);
    size_t i;
    json_t *t;
    json_array_foreach(root, i, t)
    {
        if (rc != 0)
            break;
        rc = s_trade(t, i, ins, &out[i], err, errsize);
        *n = rc == 0 ? i + 1 : 0;
    }
    json_decref(root);
    return rc;
}
