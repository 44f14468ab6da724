/*  venues/binance/bn_filters.c: a symbol's trading filters from
    exchangeInfo, and fitting an order to them before it is sent (see
    bn_rest.h). Checking locally turns a -1013 round trip (and its request
    weight) into an immediate, explained refusal. */
#include "venues/binance/bn_private.h"
#include "venues/binance/bn_rest.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "marketdata/decimal.h"

__extension__ typedef __int128 s_i128;

/* A filter value; CLAMP turns an overflow into INT64_MAX (an upper bound
   too large to matter at our scale). Absent keys leave *OUT unchanged. */
static int s_val(json_t *f, const char *type, const char *key, int dec,
                 bool clamp, int64_t *out, char *err, size_t es)
{
    json_t *v = json_object_get(f, key);
    if (!v)
        return 0;
    if (!json_is_string(v))
        return tt_bn_errf(err, es, "%s.%s: not a string", type, key);
    int rc =
        tt_decimal_parse(json_string_value(v), json_string_length(v), dec, out);
    if (rc == TT_DEC_OVERFLOW && clamp) {
        *out = INT64_MAX;
        return 0;
    }
    if (rc != TT_DEC_OK)
        return tt_bn_errf(err, es, "%s.%s: \"%.40s\" at %d decimals: %s", type,
                          key, json_string_value(v), dec,
                          tt_decimal_strerror(rc));
    if (*out < 0)
        return tt_bn_errf(err, es, "%s.%s: negative", type, key);
    return 0;
}

static int s_filter(json_t *f, tt_bn_filters_t *out, char *err, size_t es)
{
    const char *t = json_string_value(json_object_get(f, "filterType"));
    int pd = out->px_decimals, qd = out->qty_decimals, nd = pd + qd;
    if (!t)
        return tt_bn_errf(err, es, "filter without filterType");
    if (strcmp(t, "PRICE_FILTER") == 0)
        return s_val(f, t, "tickSize", pd, false, &out->tick_size, err, es) ||
               s_val(f, t, "minPrice", pd, false, &out->min_price, err, es) ||
               s_val(f, t, "maxPrice", pd, true, &out->max_price, err, es);
    if (strcmp(t, "LOT_SIZE") == 0)
        return s_val(f, t, "stepSize", qd, false, &out->step_size, err, es) ||
               s_val(f, t, "minQty", qd, false, &out->min_qty, err, es) ||
               s_val(f, t, "maxQty", qd, true, &out->max_qty, err, es);
    bool old = strcmp(t, "MIN_NOTIONAL") == 0;
    if (!old && strcmp(t, "NOTIONAL") != 0)
        return 0;
    if (nd > 18)
        return tt_bn_errf(err, es, "%s: px + qty decimals above 18", t);
    json_t *apply =
        json_object_get(f, old ? "applyToMarket" : "applyMinToMarket");
    out->notional_applies_to_market = !apply || json_is_true(apply);
    return s_val(f, t, "minNotional", nd, false, &out->min_notional, err, es) ||
           s_val(f, t, "maxNotional", nd, true, &out->max_notional, err, es);
}

static json_t *s_find(json_t *root, const char *symbol)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(root, "symbols"), i, s)
    {
        const char *name = json_string_value(json_object_get(s, "symbol"));
        if (name && strcmp(name, symbol) == 0)
            return s;
    }
    return NULL;
}

/* An asset name of SYM (KEY) into OUT; absent is "", anything else not
   a short alphanumeric string an error. */
static int s_asset(json_t *sym, const char *key, char *out, size_t size,
                   char *err, size_t es)
{
    json_t *v = json_object_get(sym, key);
    if (!v)
        return 0;
    const char *t = json_string_value(v);
    size_t n = t ? strlen(t) : 0;
    bool ok = t && n > 0 && n < size;
    for (size_t i = 0; ok && i < n; i++)
        ok = (t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= '0' && t[i] <= '9');
    if (!ok)
        return tt_bn_errf(err, es, "exchangeInfo: %s: not an asset name", key);
    snprintf(out, size, "%s", t);
    return 0;
}

/* The length of a rateLimits interval, INTERVAL times NUM, in ms; 0
   when the interval is not one of the venue's. */
static int64_t s_interval_ms(const char *interval, json_int_t num)
{
    static const struct {
        const char *name;
        int64_t ms;
    } units[] = {{"SECOND", 1000},
                 {"MINUTE", 60000},
                 {"HOUR", 3600000},
                 {"DAY", 86400000}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(interval, units[i].name))
            return num > 0 && num <= 1000 ? units[i].ms * (int64_t)num : 0;
    return 0;
}

/* One rateLimits entry L: the REQUEST_WEIGHT per minute (the lowest one
   given), an ORDERS limit kept with its interval; anything else (a
   RAW_REQUESTS limit, an interval not known here) is ignored. */
static int s_rate_limit(json_t *l, tt_bn_filters_t *out, char *err, size_t es)
{
    const char *type = json_string_value(json_object_get(l, "rateLimitType"));
    const char *iv = json_string_value(json_object_get(l, "interval"));
    json_t *num = json_object_get(l, "intervalNum");
    json_t *lim = json_object_get(l, "limit");
    bool weight = type && !strcmp(type, "REQUEST_WEIGHT");
    bool orders = type && !strcmp(type, "ORDERS");
    if ((!weight && !orders) || !iv || !json_is_integer(num) ||
        json_integer_value(num) <= 0 || !json_is_integer(lim))
        return 0;
    if (json_integer_value(lim) <= 0)
        return tt_bn_errf(
            err, es, "exchangeInfo: rateLimits: %s limit not positive", type);
    if (weight) {
        int64_t per_min = json_integer_value(lim) / json_integer_value(num);
        if (!strcmp(iv, "MINUTE") && per_min > 0 &&
            (!out->weight_per_min || per_min < out->weight_per_min))
            out->weight_per_min = per_min;
        return 0;
    }
    int64_t ms = s_interval_ms(iv, json_integer_value(num));
    if (ms > 0 && out->n_order_limits < TT_BN_ORDER_LIMITS)
        out->order_limits[out->n_order_limits++] = (tt_bn_order_limit_t){
            .interval_ms = ms, .limit = json_integer_value(lim)};
    return 0;
}

/* baseAsset, quoteAsset, and the rate limits of rateLimits. */
static int s_assets(json_t *root, json_t *sym, tt_bn_filters_t *out, char *err,
                    size_t es)
{
    if (s_asset(sym, "baseAsset", out->base, sizeof out->base, err, es) ||
        s_asset(sym, "quoteAsset", out->quote, sizeof out->quote, err, es))
        return -1;
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(root, "rateLimits"), i, l)
    {
        if (s_rate_limit(l, out, err, es) != 0)
            return -1;
    }
    return 0;
}

int tt_bn_filters_parse(const char *body, size_t len, const char *symbol,
                        const tt_instrument_t *ins, tt_bn_filters_t *out,
                        char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    out->px_decimals = ins->px_decimals;
    out->qty_decimals = ins->qty_decimals;
    out->max_notional = INT64_MAX;
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    if (!json_is_object(root)) {
        tt_bn_errf(err, errsize, "exchangeInfo: %s",
                   root ? "not an object" : jerr.text);
        json_decref(root);
        return -1;
    }
    json_t *sym = s_find(root, symbol);
    json_t *filters = json_object_get(sym, "filters");
    int rc = 0;
    if (!json_is_array(filters))
        rc = tt_bn_errf(err, errsize, "exchangeInfo: symbol %s %s", symbol,
                        sym ? "has no filters array" : "not found");
    size_t i;
    json_t *f;
    json_array_foreach(filters, i, f)
    {
        if (rc == 0 && s_filter(f, out, err, errsize) != 0)
            rc = -1;
    }
    if (rc == 0 && out->max_notional == 0)
        out->max_notional = INT64_MAX;
    if (rc == 0)
        rc = s_assets(root, sym, out, err, errsize);
    json_decref(root);
    return rc;
}

static int s_round(const tt_bn_filters_t *f, tt_side_t side, tt_px_t *price,
                   tt_qty_t *qty, char *reason, size_t size)
{
    if (*price > 0 && f->tick_size > 0) {
        tt_px_t r = *price % f->tick_size;
        if (r && side == TT_SIDE_BUY)
            *price -= r;
        else if (r)
            *price += f->tick_size - r;
    }
    if (*price > 0 && f->min_price > 0 && *price < f->min_price)
        return tt_bn_errf(reason, size, "price below the minimum price");
    if (*price > 0 && f->max_price > 0 && *price > f->max_price)
        return tt_bn_errf(reason, size, "price above the maximum price");
    if (f->step_size > 0)
        *qty -= *qty % f->step_size;
    if (*qty <= 0)
        return tt_bn_errf(reason, size, "quantity below one lot step");
    if (f->min_qty > 0 && *qty < f->min_qty)
        return tt_bn_errf(reason, size, "quantity below the minimum quantity");
    if (f->max_qty > 0 && *qty > f->max_qty)
        return tt_bn_errf(reason, size, "quantity above the maximum quantity");
    return 0;
}

int tt_bn_filters_fit(const tt_bn_filters_t *f, tt_side_t side, tt_px_t *price,
                      tt_qty_t *qty, tt_px_t ref_price, char *reason,
                      size_t size)
{
    if (*price < 0 || *qty <= 0)
        return tt_bn_errf(reason, size,
                          "price negative or quantity not positive");
    if (s_round(f, side, price, qty, reason, size) != 0)
        return -1;
    tt_px_t px = *price;
    if (px == 0)
        px = f->notional_applies_to_market ? ref_price : 0;
    if (px <= 0)
        return 0;
    s_i128 notional = (s_i128)px * *qty;
    char min[48] = "";
    if (notional < f->min_notional) {
        tt_decimal_format(f->min_notional, f->px_decimals + f->qty_decimals,
                          min, sizeof min);
        return tt_bn_errf(reason, size, "notional below the minimum %s", min);
    }
    if (f->max_notional < INT64_MAX && notional > f->max_notional)
        return tt_bn_errf(reason, size, "notional above the maximum");
    return 0;
}
