/*  venues/binance/bn_oco.c: a bracket's exits as one OCO order list (see
    bn_rest.h): the request (POST /api/v3/orderList/oco), the reference
    for its cancel (DELETE /api/v3/orderList) and the legs of the reply.
    Pure building and parsing; any thread.

    Why one list: two independent SELL orders for the same coins need the
    balance twice (the venue locks the coins for the first and refuses the
    second with -2010), and were both accepted, both could fill. In a list
    the venue locks the coins once and expires the other leg as soon as
    one trades. */
#include "venues/binance/bn_private.h"
#include "venues/binance/bn_rest.h"

#include <stdio.h>
#include <string.h>

/* The take-profit's limit, trigger and stop-limit on their sides. */
static int s_check(const tt_bn_oco_req_t *r, char *err, size_t es)
{
    if (!r->symbol || !*r->symbol)
        return tt_bn_errf(err, es, "oco: no symbol");
    if (r->side != TT_SIDE_BUY && r->side != TT_SIDE_SELL)
        return tt_bn_errf(err, es, "oco: bad side %d", (int)r->side);
    if (r->qty <= 0 || r->target_price <= 0 || r->stop_price <= 0 ||
        r->stop_limit_price < 0)
        return tt_bn_errf(err, es, "oco: quantity and prices must be positive");
    bool sell = r->side == TT_SIDE_SELL;
    if (sell ? r->target_price <= r->stop_price
             : r->target_price >= r->stop_price)
        return tt_bn_errf(err, es, "oco: a %s take-profit must be %s its stop",
                          sell ? "sell" : "buy", sell ? "above" : "below");
    const char *ids[] = {r->list_client_order_id, r->target_client_order_id,
                         r->stop_client_order_id};
    for (size_t i = 0; i < 3; i++)
        if (!ids[i] || !*ids[i] || strlen(ids[i]) > TT_COID_MAX)
            return tt_bn_errf(err, es,
                              "oco: client ids must be 1 to %d characters",
                              TT_COID_MAX);
    return 0;
}

/* The stop leg as side PFX ("above" / "below"). */
static int s_stop_leg(const tt_bn_oco_req_t *r, tt_bn_query_t *q,
                      const char *pfx)
{
    char key[32];
    bool lim = r->stop_limit_price > 0;
    snprintf(key, sizeof key, "%sType", pfx);
    tt_bn_query_add(q, key, lim ? "STOP_LOSS_LIMIT" : "STOP_LOSS");
    snprintf(key, sizeof key, "%sClientOrderId", pfx);
    tt_bn_query_add(q, key, r->stop_client_order_id);
    snprintf(key, sizeof key, "%sStopPrice", pfx);
    if (tt_bn_add_dec(q, key, r->stop_price, r->px_decimals) != 0)
        return -1;
    if (!lim)
        return 0;
    snprintf(key, sizeof key, "%sPrice", pfx);
    if (tt_bn_add_dec(q, key, r->stop_limit_price, r->px_decimals) != 0)
        return -1;
    snprintf(key, sizeof key, "%sTimeInForce", pfx);
    tt_bn_query_add(q, key, "GTC");
    return 0;
}

static int s_target_leg(const tt_bn_oco_req_t *r, tt_bn_query_t *q,
                        const char *pfx)
{
    char key[32];
    snprintf(key, sizeof key, "%sType", pfx);
    tt_bn_query_add(q, key, "LIMIT_MAKER");
    snprintf(key, sizeof key, "%sClientOrderId", pfx);
    tt_bn_query_add(q, key, r->target_client_order_id);
    snprintf(key, sizeof key, "%sPrice", pfx);
    return tt_bn_add_dec(q, key, r->target_price, r->px_decimals);
}

int tt_bn_oco_query(const tt_bn_oco_req_t *r, tt_bn_query_t *q, char *err,
                    size_t errsize)
{
    if (s_check(r, err, errsize) != 0)
        return -1;
    bool sell = r->side == TT_SIDE_SELL;
    tt_bn_query_add(q, "symbol", r->symbol);
    tt_bn_query_add(q, "listClientOrderId", r->list_client_order_id);
    tt_bn_query_add(q, "side", sell ? "SELL" : "BUY");
    if (tt_bn_add_dec(q, "quantity", r->qty, r->qty_decimals) != 0 ||
        (sell ? s_target_leg(r, q, "above") || s_stop_leg(r, q, "below")
              : s_stop_leg(r, q, "above") || s_target_leg(r, q, "below")))
        return tt_bn_errf(err, errsize, "oco: decimals out of range");
    tt_bn_query_add(q, "newOrderRespType", "RESULT");
    if (tt_bn_query_finish(q) < 0)
        return tt_bn_errf(err, errsize, "oco: query buffer too small");
    return 0;
}

int tt_bn_order_list_ref_query(tt_bn_query_t *q, const char *symbol,
                               int64_t order_list_id)
{
    if (!symbol || !*symbol || order_list_id < 0)
        return -1;
    tt_bn_query_add(q, "symbol", symbol);
    tt_bn_query_add_int(q, "orderListId", order_list_id);
    return tt_bn_query_finish(q) < 0 ? -1 : 0;
}

static int s_reports(json_t *root, const tt_instrument_t *ins,
                     tt_bn_order_resp_t *out, size_t max, size_t *n, char *err,
                     size_t es)
{
    json_t *a = json_object_get(root, "orderReports");
    if (!json_is_array(a))
        return tt_bn_errf(err, es, "order list: no \"orderReports\" array");
    if (json_array_size(a) > max)
        return tt_bn_errf(err, es, "order list: %zu legs, at most %zu",
                          json_array_size(a), max);
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *leg = json_array_get(a, i);
        memset(&out[i], 0, sizeof out[i]);
        if (!json_is_object(leg))
            return tt_bn_errf(err, es, "order list: leg %zu not an object", i);
        if (tt_bn_order_from_json(leg, ins, &out[i], err, es) != 0)
            return -1;
        *n = i + 1;
    }
    return 0;
}

int tt_bn_order_list_parse(const char *body, size_t len,
                           const tt_instrument_t *ins, int64_t *list_id,
                           tt_bn_order_resp_t *out, size_t max, size_t *n,
                           char *err, size_t errsize)
{
    *n = 0;
    *list_id = -1;
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    int rc = 0;
    json_t *id = json_object_get(root, "orderListId");
    if (!json_is_object(root))
        rc = tt_bn_errf(err, errsize, "order list: %s",
                        root ? "not an object" : jerr.text);
    else if (!json_is_integer(id) || json_integer_value(id) < 0)
        rc = tt_bn_errf(err, errsize, "order list: bad \"orderListId\"");
    else
        *list_id = json_integer_value(id);
    if (rc == 0)
        rc = s_reports(root, ins, out, max, n, err, errsize);
    json_decref(root);
    return rc;
}
