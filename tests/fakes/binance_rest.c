/*  tests/fakes/binance_rest.c: the fake Binance's REST side: request
    weight per minute with 429 then 418, storms, API-key and HMAC-SHA256
    signature checks with timestamp / recvWindow, routing, and the public
    and user-stream endpoints. Order endpoints: binance_orders.c; the
    account's order count: binance_ordercount.c. Runs on the service
    thread under the lock. */
#include "tests/fakes/binance_private.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *fb_dec(int64_t v, char *buf, size_t n)
{
    return fkdec_format(v, 8, buf, n);
}

void fb_json(fakesrv_resp_t *r, int status, json_t *j)
{
    fakesrv_resp_set(r, status, json_dumps(j, JSON_COMPACT));
    json_decref(j);
}

void fb_error(fakesrv_resp_t *r, int status, int code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fb_json(r, status, json_pack("{s:i,s:s}", "code", code, "msg", msg));
}

int fb_param(const fakesrv_req_t *req, const char *name, char *out, size_t n)
{
    int len = fkq_get(req->query, name, out, n);
    return len >= 0 ? len : fkq_get(req->body, name, out, n);
}

/* ---- weight, 429 and 418 ---- */

typedef struct {
    const char *route;
    int weight;
    int security; /* 0 public, 1 API key, 2 signed */
} s_route_t;

static const s_route_t s_routes[] = {
    {"GET /api/v3/ping", 1, 0},
    {"GET /api/v3/time", 1, 0},
    {"GET /api/v3/exchangeInfo", 20, 0},
    {"GET /api/v3/klines", 2, 0},
    {"POST /api/v3/order", 1, 2},
    {"GET /api/v3/order", 4, 2},
    {"DELETE /api/v3/order", 1, 2},
    {"POST /api/v3/orderList/oco", 1, 2},
    {"DELETE /api/v3/orderList", 1, 2},
    {"GET /api/v3/openOrders", 6, 2},
    {"GET /api/v3/myTrades", 20, 2},
    {"POST /api/v3/userDataStream", 2, 1},
    {"PUT /api/v3/userDataStream", 2, 1},
    {"DELETE /api/v3/userDataStream", 2, 1},
};

static void s_limit_error(fake_binance_t *self, fakesrv_resp_t *r, int status,
                          int64_t retry_s)
{
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)(retry_s > 0 ? retry_s : 1));
    if (status == 418) {
        self->stats.http_418++;
        fb_error(r, 418, -1003,
                 "Way too much request weight used; IP banned until %lld. "
                 "Please use WebSocket Streams for live updates to avoid "
                 "bans.",
                 (long long)self->banned_until_ms);
    } else {
        self->stats.http_429++;
        fb_error(r, 429, -1003,
                 "Too much request weight used; current limit is %d request "
                 "weight per 1 MINUTE. Please use WebSocket Streams for live "
                 "updates to avoid polling the API.",
                 self->weight_limit);
    }
    fakesrv_resp_header(r, "retry-after:", v);
}

/* Counts WEIGHT; false (with the reply in R) when over the limit. A
   request while a 429 is still in force is a repeated violation: 418. */
static bool s_weigh(fake_binance_t *self, int weight, fakesrv_resp_t *r)
{
    int64_t now = fb_now_ms(self);
    char v[32];
    if (now < self->banned_until_ms) {
        s_limit_error(self, r, 418, (self->banned_until_ms - now + 999) / 1000);
        return false;
    }
    if (self->storm > 0) {
        self->storm--;
        s_limit_error(self, r, 429, 1);
        return false;
    }
    if (now / 60000 != self->minute) {
        self->minute = now / 60000;
        self->used = 0;
    }
    self->used += weight;
    if (self->used > (int64_t)self->stats.max_used_weight)
        self->stats.max_used_weight = (uint64_t)self->used;
    snprintf(v, sizeof v, "%lld", (long long)self->used);
    fakesrv_resp_header(r, "x-mbx-used-weight-1m:", v);

    if (self->used <= self->weight_limit && now >= self->warned_until_ms)
        return true;
    if (now < self->warned_until_ms) {
        self->banned_until_ms = now + (int64_t)self->ban_s * 1000;
        s_limit_error(self, r, 418, self->ban_s);
        return false;
    }
    self->warned_until_ms = (self->minute + 1) * 60000;
    s_limit_error(self, r, 429, (self->warned_until_ms - now + 999) / 1000);
    return false;
}

/* ---- keys and signatures ---- */

static bool s_key_ok(fake_binance_t *self, const fakesrv_req_t *req,
                     fakesrv_resp_t *r)
{
    const char *key = req->headers[0];
    if (!key || !key[0]) {
        self->stats.auth_failures++;
        fb_error(r, 401, -2014, "API-key format invalid.");
        return false;
    }
    if (self->reject_auth || strcmp(key, self->api_key) != 0) {
        self->stats.auth_failures++;
        fb_error(r, 401, -2015,
                 "Invalid API-key, IP, or permissions for action.");
        return false;
    }
    return true;
}

/* S without its "signature=..." pair (and the '&' that joined it). */
static void s_unsigned(const char *s, fkbuf_t *out, char *sig, size_t n)
{
    const char *p = s;
    bool first = true;
    while (*p) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len >= 10 && strncmp(p, "signature=", 10) == 0) {
            snprintf(sig, n, "%.*s", (int)(len - 10), p + 10);
        } else {
            if (!first)
                fkbuf_append(out, "&", 1);
            fkbuf_append(out, p, len);
            first = false;
        }
        p = end ? end + 1 : p + len;
    }
}

static bool s_signature_ok(fake_binance_t *self, const fakesrv_req_t *req,
                           fakesrv_resp_t *r)
{
    char sig[128] = "", mac[65];
    fkbuf_t payload;
    fkbuf_init(&payload);
    s_unsigned(req->query, &payload, sig, sizeof sig);
    s_unsigned(req->body, &payload, sig, sizeof sig);
    fkbuf_append(&payload, "", 0);
    fk_hmac_sha256_hex(self->secret, payload.s, payload.len, mac);
    fkbuf_free(&payload);
    if (!sig[0]) {
        fb_error(r, 400, -1102,
                 "Mandatory parameter 'signature' was not sent, was "
                 "empty/null, or malformed.");
        return false;
    }
    if (strcasecmp(sig, mac) != 0) {
        self->stats.sig_failures++;
        fb_error(r, 400, -1022, "Signature for this request is not valid.");
        return false;
    }
    return true;
}

static bool s_time_ok(fake_binance_t *self, const fakesrv_req_t *req,
                      fakesrv_resp_t *r)
{
    char v[32];
    long long ts, win = 5000;
    if (fb_param(req, "timestamp", v, sizeof v) <= 0 ||
        sscanf(v, "%lld", &ts) != 1) {
        fb_error(r, 400, -1102,
                 "Mandatory parameter 'timestamp' was not sent, was "
                 "empty/null, or malformed.");
        return false;
    }
    if (fb_param(req, "recvWindow", v, sizeof v) > 0 &&
        (sscanf(v, "%lld", &win) != 1 || win > 60000 || win <= 0)) {
        fb_error(r, 400, -1131, "recvWindow must be less than 60000");
        return false;
    }
    int64_t now = fb_now_ms(self);
    if (ts > now + 1000) {
        self->stats.time_failures++;
        fb_error(r, 400, -1021,
                 "Timestamp for this request was 1000ms ahead of the "
                 "server's time.");
        return false;
    }
    if (now - ts > win) {
        self->stats.time_failures++;
        fb_error(r, 400, -1021,
                 "Timestamp for this request is outside of the recvWindow.");
        return false;
    }
    return true;
}

/* ---- public and user-stream endpoints ---- */

static json_t *s_filters(const fb_symbol_t *s)
{
    char a[40], b[40], c[40], d[40], e[40], f[40], g[40];
    return json_pack(
        "[{s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s},{s:s,s:s,s:b,s:s,s:b,s:i}]",
        "filterType", "PRICE_FILTER", "minPrice", fb_dec(s->min_price, a, 40),
        "maxPrice", fb_dec(s->max_price, b, 40), "tickSize",
        fb_dec(s->tick, c, 40), "filterType", "LOT_SIZE", "minQty",
        fb_dec(s->min_qty, d, 40), "maxQty", fb_dec(s->max_qty, e, 40),
        "stepSize", fb_dec(s->step, f, 40), "filterType", "NOTIONAL",
        "minNotional", fb_dec(s->min_notional, g, 40), "applyMinToMarket", 1,
        "maxNotional", "9000000.00000000", "applyMaxToMarket", 0,
        "avgPriceMins", 5);
}

static json_t *s_symbol_info(const fb_symbol_t *s)
{
    return json_pack(
        "{s:s,s:s,s:s,s:i,s:s,s:i,s:[s,s,s,s,s,s,s],s:o}", "symbol", s->name,
        "status", "TRADING", "baseAsset", s->base, "baseAssetPrecision", 8,
        "quoteAsset", s->quote, "quoteAssetPrecision", 8, "orderTypes", "LIMIT",
        "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT",
        "TAKE_PROFIT_LIMIT", "filters", s_filters(s));
}

static void s_exchange_info(fake_binance_t *self, const fakesrv_req_t *req,
                            fakesrv_resp_t *r)
{
    char one[32];
    bool filter = fb_param(req, "symbol", one, sizeof one) > 0;
    if (filter && fb_symbol(self, one) < 0) {
        fb_error(r, 400, -1121, "Invalid symbol.");
        return;
    }
    json_t *syms = json_array();
    for (size_t i = 0; i < self->nsyms; i++)
        if (!filter || strcmp(one, self->syms[i].name) == 0)
            json_array_append_new(syms, s_symbol_info(&self->syms[i]));
    json_t *limits = json_pack(
        "[{s:s,s:s,s:i,s:i},{s:s,s:s,s:i,s:i}]", "rateLimitType",
        "REQUEST_WEIGHT", "interval", "MINUTE", "intervalNum", 1, "limit",
        self->weight_limit, "rateLimitType", "ORDERS", "interval", "SECOND",
        "intervalNum", 10, "limit", self->order_limit_10s);
    if (self->order_limit_1d > 0)
        json_array_append_new(
            limits, json_pack("{s:s,s:s,s:i,s:i}", "rateLimitType", "ORDERS",
                              "interval", "DAY", "intervalNum", 1, "limit",
                              self->order_limit_1d));
    json_t *j =
        json_pack("{s:s,s:I,s:o,s:[],s:o}", "timezone", "UTC", "serverTime",
                  (json_int_t)fb_now_ms(self), "rateLimits", limits,
                  "exchangeFilters", "symbols", syms);
    fb_json(r, 200, j);
}

int64_t fb_interval_ms(const char *iv)
{
    static const struct {
        const char *name;
        int64_t ms;
    } t[] = {{"1s", 1000},        {"1m", 60000},     {"3m", 180000},
             {"5m", 300000},      {"15m", 900000},   {"30m", 1800000},
             {"1h", 3600000},     {"2h", 7200000},   {"4h", 14400000},
             {"6h", 21600000},    {"8h", 28800000},  {"12h", 43200000},
             {"1d", 86400000},    {"3d", 259200000}, {"1w", 604800000},
             {"1M", 2592000000LL}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(iv, t[i].name) == 0)
            return t[i].ms;
    return 0;
}

static void s_kline_row(fkbuf_t *b, const fb_kline_t *k, int64_t iv_ms,
                        bool comma)
{
    fkbuf_printf(b,
                 "%s[%lld,\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",%lld,\"0\","
                 "%lld,\"0\",\"0\",\"0\"]",
                 comma ? "," : "", (long long)k->open_ms, k->o, k->h, k->l,
                 k->c, k->v, (long long)(k->open_ms + iv_ms - 1),
                 (long long)k->n);
}

static void s_klines(fake_binance_t *self, const fakesrv_req_t *req,
                     fakesrv_resp_t *r)
{
    char sym[32], iv[8], v[32];
    if (fb_param(req, "symbol", sym, sizeof sym) <= 0 ||
        fb_symbol(self, sym) < 0) {
        fb_error(r, 400, -1121, "Invalid symbol.");
        return;
    }
    int64_t iv_ms =
        fb_param(req, "interval", iv, sizeof iv) > 0 ? fb_interval_ms(iv) : 0;
    if (!iv_ms) {
        fb_error(r, 400, -1120, "Invalid interval.");
        return;
    }
    long long start = INT64_MIN, end = INT64_MAX, limit = 500;
    if ((fb_param(req, "startTime", v, sizeof v) > 0 &&
         sscanf(v, "%lld", &start) != 1) ||
        (fb_param(req, "endTime", v, sizeof v) > 0 &&
         sscanf(v, "%lld", &end) != 1) ||
        (fb_param(req, "limit", v, sizeof v) > 0 &&
         (sscanf(v, "%lld", &limit) != 1 || limit < 1 || limit > 1000))) {
        fb_error(r, 400, -1100, "Illegal characters found in a parameter.");
        return;
    }
    const fb_symbol_t *s = &self->syms[fb_symbol(self, sym)];
    size_t lo = 0, hi = 0, cnt = 0;
    for (size_t i = 0; i < s->nklines; i++) {
        const fb_kline_t *k = &s->klines[i];
        if (strcmp(k->interval, iv) || k->open_ms < start || k->open_ms > end)
            continue;
        if (cnt++ == 0)
            lo = i;
        hi = i + 1;
    }
    /* From startTime: the first LIMIT; otherwise the latest LIMIT. */
    size_t skip =
        start == INT64_MIN && cnt > (size_t)limit ? cnt - (size_t)limit : 0;
    fkbuf_t b;
    fkbuf_init(&b);
    fkbuf_printf(&b, "[");
    long long out = 0;
    for (size_t i = lo; i < hi && out < limit; i++) {
        const fb_kline_t *k = &s->klines[i];
        if (strcmp(k->interval, iv) || k->open_ms < start || k->open_ms > end)
            continue;
        if (skip > 0) {
            skip--;
            continue;
        }
        s_kline_row(&b, k, iv_ms, out++ > 0);
    }
    fkbuf_printf(&b, "]");
    fakesrv_resp_set(r, 200, fkbuf_take(&b, NULL));
}

static void s_listen_key(fake_binance_t *self, const fakesrv_req_t *req,
                         fakesrv_resp_t *r)
{
    char key[80];
    if (req->method != FAKESRV_POST) {
        bool known = false;
        if (fb_param(req, "listenKey", key, sizeof key) > 0)
            for (size_t i = 0; i < self->nkeys; i++)
                known = known || strcmp(self->keys[i], key) == 0;
        if (!known) {
            fb_error(r, 400, -1125, "This listenKey does not exist.");
            return;
        }
        {
            fakesrv_resp_set(r, 200, strdup("{}"));
            return;
        }
    }
    snprintf(key, sizeof key, "fakeListenKey%047llu",
             (unsigned long long)self->nkeys + 1);
    char **k = realloc(self->keys, (self->nkeys + 1) * sizeof *k);
    if (!k)
        abort();
    self->keys = k;
    self->keys[self->nkeys++] = strdup(key);
    fb_json(r, 200, json_pack("{s:s}", "listenKey", key));
}

static void s_dispatch(fake_binance_t *self, const s_route_t *rt,
                       const fakesrv_req_t *req, fakesrv_resp_t *r)
{
    const char *n = rt->route;
    if (!strcmp(n, "GET /api/v3/ping"))
        fakesrv_resp_set(r, 200, strdup("{}"));
    else if (!strcmp(n, "GET /api/v3/time"))
        fb_json(r, 200,
                json_pack("{s:I}", "serverTime", (json_int_t)fb_now_ms(self)));
    else if (!strcmp(n, "GET /api/v3/exchangeInfo"))
        s_exchange_info(self, req, r);
    else if (!strcmp(n, "GET /api/v3/klines"))
        s_klines(self, req, r);
    else if (!strcmp(n, "POST /api/v3/order"))
        fb_order_post(self, req, r);
    else if (!strcmp(n, "GET /api/v3/order"))
        fb_order_get(self, req, r, false);
    else if (!strcmp(n, "DELETE /api/v3/order"))
        fb_order_get(self, req, r, true);
    else if (!strcmp(n, "POST /api/v3/orderList/oco"))
        fb_oco_post(self, req, r);
    else if (!strcmp(n, "DELETE /api/v3/orderList"))
        fb_order_list_delete(self, req, r);
    else if (!strcmp(n, "GET /api/v3/openOrders"))
        fb_open_orders(self, req, r);
    else if (!strcmp(n, "GET /api/v3/myTrades"))
        fb_my_trades(self, req, r);
    else
        s_listen_key(self, req, r);
}

void fb_http(void *venue, const fakesrv_req_t *req, fakesrv_resp_t *r)
{
    static const char *const m[] = {"GET",   "POST",   "PUT",
                                    "PATCH", "DELETE", "OTHER"};
    fake_binance_t *self = venue;
    char route[128];
    snprintf(route, sizeof route, "%s %s", m[req->method], req->path);
    self->stats.http_requests++;
    fkcount_add(&self->routes, route, 1);
    const s_route_t *rt = NULL;
    for (size_t i = 0; i < sizeof s_routes / sizeof s_routes[0]; i++)
        if (strcmp(route, s_routes[i].route) == 0)
            rt = &s_routes[i];
    if (!s_weigh(self, rt ? rt->weight : 1, r))
        return;
    if (self->oco_storm > 0 && !strcmp(route, "POST /api/v3/orderList/oco")) {
        self->oco_storm--; /* fake_binance_rate_limit_oco */
        s_limit_error(self, r, 429, self->oco_storm_retry_s);
        return;
    }
    if (self->too_many > 0 && !strcmp(route, "POST /api/v3/order")) {
        self->too_many--; /* the 400 the venue sometimes sends instead */
        self->stats.http_400_1003++;
        fb_error(r, 400, -1003,
                 "Too many requests; current limit is %d requests per "
                 "minute. Please use the websocket for live updates to "
                 "avoid polling the API.",
                 self->weight_limit);
        fakesrv_resp_header(r, "retry-after:", "1");
        return;
    }
    if (!rt) {
        fb_error(r, 404, -1000, "Unknown endpoint %s", route);
        return;
    }
    if (rt->security >= 1 && !s_key_ok(self, req, r))
        return;
    if (rt->security == 2 &&
        (!s_signature_ok(self, req, r) || !s_time_ok(self, req, r)))
        return;
    int orders = !strcmp(route, "POST /api/v3/order")           ? 1
                 : !strcmp(route, "POST /api/v3/orderList/oco") ? 2
                                                                : 0;
    if (orders && !fb_orders_count(self, orders, r))
        return;
    if (self->refuse_cancels > 0 &&
        (!strcmp(route, "DELETE /api/v3/order") ||
         !strcmp(route, "DELETE /api/v3/orderList"))) {
        self->refuse_cancels--; /* fake_binance_refuse_cancels */
        fb_error(r, 400, -1021,
                 "Timestamp for this request is outside of the recvWindow.");
        return;
    }
    s_dispatch(self, rt, req, r);
}
