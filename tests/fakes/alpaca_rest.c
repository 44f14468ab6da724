/*  tests/fakes/alpaca_rest.c: the fake Alpaca's REST side: key-header
    auth, the per-minute rate limit and storms, routing, and the trading
    (orders, positions, account, clock) endpoints. The bars endpoints are
    in alpaca_bars.c. Runs on the service thread under the lock. */
#include "tests/fakes/alpaca_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *fa_dec(int64_t v, char *buf, size_t n)
{
    return fkdec_format(v, 0, buf, n);
}

void fa_json(fakesrv_resp_t *r, int status, json_t *j)
{
    fakesrv_resp_set(r, status, json_dumps(j, JSON_COMPACT));
    json_decref(j);
}

void fa_error(fakesrv_resp_t *r, int status, long code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fa_json(r, status,
            json_pack("{s:I,s:s}", "code", (json_int_t)code, "message", msg));
}

/* ---- auth and limits ---- */

static bool s_authorized(fake_alpaca_t *self, const fakesrv_req_t *req,
                         fakesrv_resp_t *r)
{
    const char *key = req->headers[0], *secret = req->headers[1];
    if (!key || !secret) {
        self->stats.auth_failures++;
        fa_error(r, 401, 40110000, "request is not authorized");
        return false;
    }
    if (self->reject_auth || strcmp(key, self->key_id) ||
        strcmp(secret, self->secret)) {
        self->stats.auth_failures++;
        fa_error(r, 403, 40310000, "forbidden");
        return false;
    }
    return true;
}

static bool s_within_limit(fake_alpaca_t *self, fakesrv_resp_t *r)
{
    char v[32];
    if (self->storm > 0) {
        self->storm--;
        self->stats.http_429++;
        fa_error(r, 429, 42910000, "rate limit exceeded");
        fakesrv_resp_header(r, "retry-after:", "1");
        return false;
    }
    if (self->rate_limit < 0)
        return true;
    int64_t minute = fa_now(self) / (60 * 1000000000LL);
    if (minute != self->rl_minute) {
        self->rl_minute = minute;
        self->rl_used = 0;
    }
    int limit = self->rate_limit ? self->rate_limit : 200;
    bool ok = self->rl_used < limit;
    if (ok)
        self->rl_used++;
    snprintf(v, sizeof v, "%d", limit);
    fakesrv_resp_header(r, "x-ratelimit-limit:", v);
    snprintf(v, sizeof v, "%d", limit - self->rl_used);
    fakesrv_resp_header(r, "x-ratelimit-remaining:", v);
    snprintf(v, sizeof v, "%lld", (long long)(minute + 1) * 60);
    fakesrv_resp_header(r, "x-ratelimit-reset:", v);
    if (!ok) {
        self->stats.http_429++;
        fa_error(r, 429, 42910000, "rate limit exceeded");
    }
    return ok;
}

/* ---- trading endpoints ---- */

static void s_account(fake_alpaca_t *self, fakesrv_resp_t *r)
{
    int64_t lmv = 0, smv = 0;
    for (size_t i = 0; i < self->nsyms; i++) {
        const fa_symbol_t *s = &self->syms[i];
        int64_t mv = fkdec_mul(s->pos_qty, s->last_px);
        if (mv > 0)
            lmv += mv;
        else
            smv += mv;
    }
    char cash[40], eq[40], l[40], sh[40], ts[48];
    fa_dec(self->cash, cash, sizeof cash);
    fa_dec(self->cash + lmv + smv, eq, sizeof eq);
    json_t *j = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,"
        "s:b,s:b,s:b,s:b,s:b,s:i,s:s}",
        "id", "fa4e0000-0000-4000-8000-000000000001", "account_number",
        "PA0FAKE0001", "status", "ACTIVE", "currency", "USD", "cash", cash,
        "buying_power", cash, "regt_buying_power", cash,
        "daytrading_buying_power", cash, "non_marginable_buying_power", cash,
        "equity", eq, "last_equity", eq, "portfolio_value", eq,
        "long_market_value", fa_dec(lmv, l, sizeof l), "short_market_value",
        fa_dec(smv, sh, sizeof sh), "initial_margin", "0", "maintenance_margin",
        "0", "multiplier", "1", "pattern_day_trader", 0, "trading_blocked", 0,
        "account_blocked", 0, "shorting_enabled", self->allow_short,
        "transfers_blocked", 0, "daytrade_count", 0, "created_at",
        fktime_rfc3339(0, ts, sizeof ts));
    fa_json(r, 200, j);
}

static json_t *s_position_json(const fa_symbol_t *s, int idx)
{
    char q[40], avg[40], mv[40], cb[40], pl[40], px[40], asset[48];
    int64_t qty = s->pos_qty;
    int64_t mkt = fkdec_mul(qty, s->last_px);
    snprintf(asset, sizeof asset, "a55e7000-0000-4000-8000-%012d", idx);
    fa_dec(qty, q, sizeof q);
    fa_dec(fkdec_div(s->pos_cost, qty), avg, sizeof avg);
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "asset_id",
        asset, "symbol", s->name, "exchange", s->crypto ? "CRYPTO" : "NASDAQ",
        "asset_class", s->crypto ? "crypto" : "us_equity", "avg_entry_price",
        avg, "qty", q, "qty_available", q, "side", qty > 0 ? "long" : "short",
        "market_value", fa_dec(mkt, mv, sizeof mv), "cost_basis",
        fa_dec(s->pos_cost, cb, sizeof cb), "unrealized_pl",
        fa_dec(mkt - s->pos_cost, pl, sizeof pl), "current_price",
        fa_dec(s->last_px, px, sizeof px), "lastday_price", px, "change_today",
        "0");
}

static void s_positions(fake_alpaca_t *self, const char *one, fakesrv_resp_t *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < self->nsyms; i++) {
        const fa_symbol_t *s = &self->syms[i];
        if (s->pos_qty == 0 || (one && strcmp(one, s->name)))
            continue;
        if (one) {
            json_decref(a);
            fa_json(r, 200, s_position_json(s, (int)i));
            return;
        }
        json_array_append_new(a, s_position_json(s, (int)i));
    }
    if (one) {
        json_decref(a);
        fa_error(r, 404, 40410000, "position does not exist");
        return;
    }
    fa_json(r, 200, a);
}

static bool s_status_match(const fa_order_t *o, const char *status)
{
    if (strcmp(status, "all") == 0)
        return true;
    bool open = fa_order_open(o);
    return strcmp(status, "open") == 0 ? open : !open;
}

static void s_list(fake_alpaca_t *self, const char *q, fakesrv_resp_t *r)
{
    char status[16] = "open", v[64], syms[512] = "";
    fkq_get(q, "status", status, sizeof status);
    int64_t after = INT64_MIN, until = INT64_MAX, limit = 50;
    if ((fkq_get(q, "after", v, sizeof v) >= 0 && fktime_parse(v, &after)) ||
        (fkq_get(q, "until", v, sizeof v) >= 0 && fktime_parse(v, &until)) ||
        (strcmp(status, "open") && strcmp(status, "closed") &&
         strcmp(status, "all"))) {
        fa_error(r, 422, 40010001, "invalid query parameters");
        return;
    }
    if (fkq_get(q, "limit", v, sizeof v) >= 0)
        limit = atoll(v);
    if (limit < 1 || limit > 500) {
        fa_error(r, 422, 40010001, "limit must be 1..500");
        return;
    }
    bool asc = fkq_get(q, "direction", v, sizeof v) >= 0 && !strcmp(v, "asc");
    bool nested = fkq_get(q, "nested", v, sizeof v) >= 0 && !strcmp(v, "true");
    fkq_get(q, "symbols", syms, sizeof syms);
    json_t *a = json_array();
    for (size_t k = 0; k < self->norders && (int64_t)json_array_size(a) < limit;
         k++) {
        const fa_order_t *o = &self->orders[asc ? k : self->norders - 1 - k];
        char needle[40];
        snprintf(needle, sizeof needle, ",%s,", self->syms[o->sym].name);
        char hay[520];
        snprintf(hay, sizeof hay, ",%s,", syms);
        if (!s_status_match(o, status) || o->created_ns <= after ||
            o->created_ns >= until || (nested && o->parent >= 0) ||
            (syms[0] && !strstr(hay, needle)))
            continue;
        json_array_append_new(a, fa_order_json(self, o, nested));
    }
    fa_json(r, 200, a);
}

static void s_cancel_all(fake_alpaca_t *self, fakesrv_resp_t *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < self->norders; i++) {
        fa_order_t *o = &self->orders[i];
        if (!fa_order_open(o) || o->parent >= 0)
            continue;
        fakesrv_resp_t one;
        memset(&one, 0, sizeof one);
        fa_order_cancel(self, o, &one);
        free(one.body);
        json_array_append_new(a, json_pack("{s:s,s:i,s:o}", "id", o->id,
                                           "status", 200, "body",
                                           fa_order_json(self, o, true)));
    }
    fa_json(r, 207, a);
}

static void s_one_order(fake_alpaca_t *self, const fakesrv_req_t *req,
                        const char *id, fakesrv_resp_t *r)
{
    fa_order_t *o = fa_order_by_id(self, id);
    if (!o) {
        fa_error(r, 404, 40410000, "order not found for %s", id);
        return;
    }
    if (req->method == FAKESRV_GET) {
        fa_json(r, 200, fa_order_json(self, o, true));
    } else if (req->method == FAKESRV_DELETE && self->cancel_fail > 0) {
        self->cancel_fail--; /* fake_alpaca_fail_cancels */
        if (self->cancel_fail_status == 422)
            fa_error(r, 422, 42210000, "order is not cancelable");
        else
            fa_error(r, self->cancel_fail_status, 50010000,
                     "internal server error");
    } else if (req->method == FAKESRV_DELETE) {
        fa_order_cancel(self, o, r);
    } else if (req->method == FAKESRV_PATCH) {
        json_t *b = json_loadb(req->body, req->body_len, 0, NULL);
        if (!json_is_object(b))
            fa_error(r, 400, 40010000, "request body format is invalid");
        else
            fa_order_replace(self, o, b, r);
        json_decref(b);
    } else {
        fa_error(r, 405, 40510000, "method not allowed");
    }
}

static void s_post_order(fake_alpaca_t *self, const fakesrv_req_t *req,
                         fakesrv_resp_t *r)
{
    if (self->post_limit > 0) { /* fake_alpaca_limit_posts */
        self->post_limit--;
        self->stats.http_429++;
        fa_error(r, 429, 42910000, "rate limit exceeded");
        char v[16];
        snprintf(v, sizeof v, "%d", self->post_retry_s);
        if (self->post_retry_s >= 0)
            fakesrv_resp_header(r, "retry-after:", v);
        return;
    }
    json_t *b = json_loadb(req->body, req->body_len, 0, NULL);
    if (!json_is_object(b)) {
        self->stats.orders_received++;
        fa_error(r, 400, 40010000, "request body format is invalid");
    } else {
        fa_order_submit(self, b, r);
        if (self->post_unknown > 0 && r->status == 200) {
            self->post_unknown--; /* fake_alpaca_unknown_outcome */
            fa_error(r, 503, 50010000, "internal server error");
        }
    }
    json_decref(b);
}

static void s_by_coid(fake_alpaca_t *self, const char *q, fakesrv_resp_t *r)
{
    char coid[128];
    fa_order_t *o = fkq_get(q, "client_order_id", coid, sizeof coid) >= 0
                        ? fa_order_by_coid(self, coid)
                        : NULL;
    if (!o)
        fa_error(r, 404, 40410000, "order not found");
    else
        fa_json(r, 200, fa_order_json(self, o, true));
}

/* ---- routing ---- */

static const char *s_route(const fakesrv_req_t *req, char *route, size_t n)
{
    static const char *const m[] = {"GET",   "POST",   "PUT",
                                    "PATCH", "DELETE", "OTHER"};
    const char *p = req->path;
    const char *tmpl = p;
    if (strncmp(p, "/v2/orders/", 11) == 0)
        tmpl = "/v2/orders/{id}";
    else if (strncmp(p, "/v2/positions/", 14) == 0)
        tmpl = "/v2/positions/{symbol}";
    else if (strncmp(p, "/v2/stocks/", 11) == 0 && strcmp(p, "/v2/stocks/bars"))
        tmpl = "/v2/stocks/{symbol}/bars";
    snprintf(route, n, "%s %s", m[req->method], tmpl);
    return route;
}

static void s_dispatch(fake_alpaca_t *self, const fakesrv_req_t *req,
                       const char *route, fakesrv_resp_t *r)
{
    const char *p = req->path;
    if (!strcmp(route, "GET /v2/account"))
        s_account(self, r);
    else if (!strcmp(route, "GET /v2/clock"))
        fa_clock(self, r);
    else if (!strcmp(route, "GET /v2/positions"))
        s_positions(self, NULL, r);
    else if (!strcmp(route, "GET /v2/positions/{symbol}"))
        s_positions(self, p + 14, r);
    else if (!strcmp(route, "POST /v2/orders"))
        s_post_order(self, req, r);
    else if (!strcmp(route, "GET /v2/orders") && self->list_fail > 0) {
        self->list_fail--;
        fa_error(r, self->list_fail_status, 50010000, "internal server error");
    } else if (!strcmp(route, "GET /v2/orders"))
        s_list(self, req->query, r);
    else if (!strcmp(route, "DELETE /v2/orders"))
        s_cancel_all(self, r);
    else if (!strcmp(route, "GET /v2/orders:by_client_order_id"))
        s_by_coid(self, req->query, r);
    else if (!strcmp(route + strcspn(route, " "), " /v2/orders/{id}"))
        s_one_order(self, req, p + 11, r);
    else if (!strcmp(route, "GET /v2/stocks/bars"))
        fa_bars_multi(self, req, r);
    else if (!strcmp(route, "GET /v2/stocks/{symbol}/bars")) {
        char sym[40];
        const char *end = strstr(p + 11, "/bars");
        if (!end || strcmp(end, "/bars") || end - (p + 11) >= 40)
            return;
        snprintf(sym, sizeof sym, "%.*s", (int)(end - (p + 11)), p + 11);
        fa_bars_single(self, sym, req, r);
    }
}

void fa_http(void *venue, const fakesrv_req_t *req, fakesrv_resp_t *r)
{
    fake_alpaca_t *self = venue;
    char route[96];
    s_route(req, route, sizeof route);
    self->stats.http_requests++;
    fkcount_add(&self->routes, route, 1);
    if (s_authorized(self, req, r) && s_within_limit(self, r)) {
        s_dispatch(self, req, route, r);
        if (r->status == 0)
            fa_error(r, 404, 40410000, "endpoint not found");
    }
    fake_alpaca_req_t *entry = &self->log[self->nlog++ % FAKE_ALPACA_LOG];
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    entry->mono_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    entry->status = r->status;
    snprintf(entry->route, sizeof entry->route, "%.47s", route);
}
