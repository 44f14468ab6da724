/*  venues/alpaca/ap_rest.c: error replies, positions, account and clock
    (ap_rest.h). */
#include "venues/alpaca/ap_rest_private.h"

#include <stdio.h>
#include <string.h>

#include "venues/alpaca/ap_time.h"

const char *tt_ap_reject_name(tt_ap_reject_t cls)
{
    switch (cls) {
    case TT_AP_REJ_AUTH:
        return "auth";
    case TT_AP_REJ_UNPROCESSABLE:
        return "unprocessable";
    case TT_AP_REJ_BUYING_POWER:
        return "insufficient buying power";
    case TT_AP_REJ_NOT_FOUND:
        return "not found";
    case TT_AP_REJ_RATE_LIMIT:
        return "rate limit";
    case TT_AP_REJ_SERVER:
        return "server";
    default:
        return "other";
    }
}

/* 403 carries both "forbidden" and "not enough money or shares"; only the
   text tells them apart (the code 40310000 is shared). */
static bool s_buying_power(const char *msg)
{
    return strstr(msg, "buying power") || strstr(msg, "insufficient");
}

static tt_ap_reject_t s_class(int status, const char *msg)
{
    switch (status) {
    case 401:
        return TT_AP_REJ_AUTH;
    case 403:
        return s_buying_power(msg) ? TT_AP_REJ_BUYING_POWER : TT_AP_REJ_AUTH;
    case 400:
    case 422:
        return TT_AP_REJ_UNPROCESSABLE;
    case 404:
        return TT_AP_REJ_NOT_FOUND;
    case 429:
        return TT_AP_REJ_RATE_LIMIT;
    default:
        return status >= 500 && status <= 599 ? TT_AP_REJ_SERVER
                                              : TT_AP_REJ_OTHER;
    }
}

tt_ap_reject_t tt_ap_error_parse(int http_status, const char *body, size_t len,
                                 tt_ap_error_t *out)
{
    memset(out, 0, sizeof *out);
    out->http_status = http_status;
    json_t *root = body && len ? json_loadb(body, len, 0, NULL) : NULL;
    const char *msg = tt_ap__str(root, "message");
    json_t *code = json_object_get(root, "code");
    if (json_is_integer(code))
        out->code = json_integer_value(code);
    if (msg)
        snprintf(out->message, sizeof out->message, "%s", msg);
    else if (body && len) /* not our JSON: keep the start of the text */
        snprintf(
            out->message, sizeof out->message, "%.*s",
            (int)(len < sizeof out->message ? len : sizeof out->message - 1),
            body);
    json_decref(root);
    out->cls = s_class(http_status, out->message);
    return out->cls;
}

static int s_position(const json_t *o, const tt_ap_scales_t *sc, int money,
                      tt_ap_position_t *p, char *err, size_t es)
{
    tt_instrument_t in;
    memset(p, 0, sizeof *p);
    if (!json_is_object(o) ||
        tt_ap__copy(o, "symbol", p->symbol, sizeof p->symbol, err, es) < 0 ||
        !p->symbol[0])
        return tt_ap__fail(err, es, "position without a symbol");
    if (tt_ap_scales_get(sc, p->symbol, &in) < 0)
        return TT_AP_ESYMBOL;
    int q = in.qty_decimals, px = in.px_decimals;
    if (tt_ap__dec(o, "qty", q, false, true, &p->qty, err, es) < 0 ||
        tt_ap__dec(o, "qty_available", q, false, false, &p->qty_available, err,
                   es) < 0 ||
        tt_ap__dec(o, "avg_entry_price", px, true, true, &p->avg_entry_px, err,
                   es) < 0 ||
        tt_ap__dec(o, "current_price", px, true, false, &p->current_px, err,
                   es) < 0 ||
        tt_ap__dec(o, "market_value", money, true, false, &p->market_value, err,
                   es) < 0 ||
        tt_ap__dec(o, "cost_basis", money, true, false, &p->cost_basis, err,
                   es) < 0 ||
        tt_ap__dec(o, "unrealized_pl", money, true, false, &p->unrealized_pl,
                   err, es) < 0)
        return TT_AP_EBAD;
    /* Alpaca signs short quantities; a bare "short" side is honoured too. */
    const char *side = tt_ap__str(o, "side");
    if (side && !strcmp(side, "short") && p->qty > 0)
        p->qty = -p->qty;
    const char *ac = tt_ap__str(o, "asset_class");
    p->crypto = ac && !strcmp(ac, "crypto");
    return 0;
}

int tt_ap_positions_parse(const char *buf, size_t len, const tt_ap_scales_t *sc,
                          int money_decimals, tt_ap_position_t *out, size_t cap,
                          size_t *n, size_t *skipped, char *err, size_t errsize)
{
    json_t *root = tt_ap__load(buf, len, err, errsize);
    int rc = 0;
    *n = 0;
    if (skipped)
        *skipped = 0;
    if (!root)
        return TT_AP_EBAD;
    bool one = json_is_object(root);
    size_t count = one ? 1 : json_array_size(root);
    if (!one && !json_is_array(root))
        rc = tt_ap__fail(err, errsize, "positions reply is not a list");
    for (size_t i = 0; rc == 0 && i < count; i++) {
        if (*n == cap) {
            rc = tt_ap__fail(err, errsize, "more than %zu positions", cap);
            break;
        }
        int r = s_position(one ? root : json_array_get(root, i), sc,
                           money_decimals, &out[*n], err, errsize);
        if (r == TT_AP_ESYMBOL) {
            if (skipped)
                (*skipped)++;
        } else if (r < 0) {
            rc = TT_AP_EBAD;
        } else {
            (*n)++;
        }
    }
    json_decref(root);
    return rc;
}

static int s_account(const json_t *o, int m, tt_ap_account_t *a, char *err,
                     size_t es)
{
    if (tt_ap__copy(o, "id", a->id, sizeof a->id, err, es) < 0 ||
        tt_ap__copy(o, "status", a->status, sizeof a->status, err, es) < 0 ||
        tt_ap__copy(o, "currency", a->currency, sizeof a->currency, err, es) <
            0)
        return TT_AP_EBAD;
    if (tt_ap__dec(o, "cash", m, true, true, &a->cash, err, es) < 0 ||
        tt_ap__dec(o, "buying_power", m, true, true, &a->buying_power, err,
                   es) < 0 ||
        tt_ap__dec(o, "equity", m, true, true, &a->equity, err, es) < 0 ||
        tt_ap__dec(o, "last_equity", m, true, false, &a->last_equity, err, es) <
            0 ||
        tt_ap__dec(o, "portfolio_value", m, true, false, &a->portfolio_value,
                   err, es) < 0 ||
        tt_ap__dec(o, "daytrade_count", 0, false, false, &a->daytrade_count,
                   err, es) < 0)
        return TT_AP_EBAD;
    a->trading_blocked = json_is_true(json_object_get(o, "trading_blocked"));
    a->account_blocked = json_is_true(json_object_get(o, "account_blocked"));
    a->pattern_day_trader =
        json_is_true(json_object_get(o, "pattern_day_trader"));
    return 0;
}

int tt_ap_account_parse(const char *buf, size_t len, int money_decimals,
                        tt_ap_account_t *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    json_t *root = tt_ap__load(buf, len, err, errsize);
    if (!root)
        return TT_AP_EBAD;
    int rc = json_is_object(root)
                 ? s_account(root, money_decimals, out, err, errsize)
                 : tt_ap__fail(err, errsize, "account is not an object");
    json_decref(root);
    return rc;
}

int tt_ap_clock_parse(const char *buf, size_t len, tt_ap_clock_t *out,
                      char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    json_t *root = tt_ap__load(buf, len, err, errsize);
    int rc = 0;
    if (!root)
        return TT_AP_EBAD;
    json_t *open = json_object_get(root, "is_open");
    if (!json_is_boolean(open))
        rc = tt_ap__fail(err, errsize, "clock without boolean \"is_open\"");
    else if (tt_ap__time(root, "timestamp", &out->timestamp, err, errsize) <
                 0 ||
             tt_ap__time(root, "next_open", &out->next_open, err, errsize) <
                 0 ||
             tt_ap__time(root, "next_close", &out->next_close, err, errsize) <
                 0)
        rc = TT_AP_EBAD;
    else if (!out->next_open || !out->next_close)
        rc = tt_ap__fail(err, errsize, "clock without next_open/next_close");
    out->is_open = json_is_true(open);
    json_decref(root);
    return rc;
}
