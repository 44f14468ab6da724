/*  venues/history/history.c: see history.h. The protocol half of a
    fetch, one job per request (history_job.h): build the current page's
    URL with the venue's protocol layer, read the page's reply, keep the
    closed candles inside the range, and say whether another page is
    due (Binance: a full page; Alpaca: a next_page_token), within the
    page bound. The transport (libcurl's multi interface, the budget, the
    429 waits) is history_many.c. */
#include "venues/alpaca/ap_rest.h"
#include "venues/binance/bn_rest.h"
#include "venues/binance/bn_sign.h"
#include "venues/binance/bn_stream.h"
#include "venues/history/history_job.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_BN_LIMIT 1000
#define S_AP_LIMIT 10000

static int s_keep(tt_hjob_t *o, const tt_candle_t *c)
{
    const tt_history_req_t *q = o->req;
    tt_ns_t end = c->open_ts + (tt_ns_t)c->tf_s * TT_NS_PER_SEC;
    if (c->open_ts < q->from || c->open_ts >= q->to || end > o->now)
        return 0;
    if (o->n > 0 && c->open_ts <= o->items[o->n - 1].open_ts)
        return 0; /* a page overlapping the last one */
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 256;
        tt_candle_t *grown = realloc(o->items, cap * sizeof *grown);
        if (!grown)
            return -1;
        o->items = grown;
        o->cap = cap;
    }
    o->items[o->n] = *c;
    o->items[o->n++].closed = true;
    return 0;
}

static int s_fail(tt_hjob_t *job, const char *fmt, const char *what)
{
    snprintf(job->req->err, sizeof job->req->err, fmt, what);
    return -1;
}

/* ---- Binance ------------------------------------------------------------ */

static const char *s_bn_interval(int32_t tf_s)
{
    static const struct {
        int32_t s;
        const char *iv;
    } t[] = {{1, "1s"},     {60, "1m"},     {180, "3m"},   {300, "5m"},
             {900, "15m"},  {1800, "30m"},  {3600, "1h"},  {7200, "2h"},
             {14400, "4h"}, {21600, "6h"},  {28800, "8h"}, {43200, "12h"},
             {86400, "1d"}, {259200, "3d"}, {604800, "1w"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].s == tf_s)
            return t[i].iv;
    return NULL;
}

static int s_bn_limit(const tt_history_cfg_t *cfg)
{
    return cfg->page_limit > 0 && cfg->page_limit < S_BN_LIMIT ? cfg->page_limit
                                                               : S_BN_LIMIT;
}

static int s_bn_url(tt_hjob_t *job, char *url, size_t size)
{
    const tt_history_req_t *q = job->req;
    int len = snprintf(url, size, "%s/api/v3/klines?", job->cfg->base_url);
    if (len < 0 || (size_t)len >= size)
        return s_fail(job, "%s: cannot build the request URL", "klines");
    tt_bn_query_t qs;
    tt_bn_query_init(&qs, url + len, size - (size_t)len);
    if (tt_bn_klines_query(&qs, q->symbol, s_bn_interval(q->tf_s),
                           job->start_ms, (q->to - 1) / TT_NS_PER_MS,
                           s_bn_limit(job->cfg)) != 0)
        return s_fail(job, "%s: cannot build the request URL", "klines");
    return 0;
}

static int s_bn_reply(tt_hjob_t *job, const tt_http_reply_t *r)
{
    tt_history_req_t *q = job->req;
    const char *body = r->body ? r->body : "";
    if (r->status / 100 != 2) {
        tt_bn_reject_t rej;
        tt_bn_error_parse((int)r->status, body, r->len, &rej);
        snprintf(q->err, sizeof q->err, "klines: HTTP %ld: %s (code %lld)",
                 r->status, rej.msg, (long long)rej.code);
        return -1;
    }
    size_t limit = (size_t)s_bn_limit(job->cfg), n = 0;
    tt_candle_t *page = malloc(limit * sizeof *page);
    int rc = page ? 0 : s_fail(job, "%s: out of memory", "klines");
    if (rc == 0)
        rc = tt_bn_klines_parse(body, r->len, q->ins, q->tf_s, job->now, page,
                                limit, &n, q->err, sizeof q->err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (s_keep(job, &page[i]) != 0)
            rc = s_fail(job, "%s: out of memory", "klines");
    if (rc == 0 && n == limit)
        job->start_ms = tt_bn_klines_next_start_ms(&page[n - 1]);
    free(page);
    return rc != 0 ? -1 : n == limit ? 1 : 0;
}

/* ---- Alpaca ------------------------------------------------------------- */

static int s_ap_timeframe(int32_t tf_s, char *buf, size_t size)
{
    if (tf_s % 60 == 0 && tf_s / 60 >= 1 && tf_s / 60 <= 59)
        snprintf(buf, size, "%dMin", (int)(tf_s / 60));
    else if (tf_s % 3600 == 0 && tf_s / 3600 >= 1 && tf_s / 3600 <= 23)
        snprintf(buf, size, "%dHour", (int)(tf_s / 3600));
    else if (tf_s == 86400)
        snprintf(buf, size, "1Day");
    else if (tf_s == 604800)
        snprintf(buf, size, "1Week");
    else
        return -1;
    return 0;
}

typedef struct {
    const tt_instrument_t *ins;
} s_ap_scale_t;

static int s_ap_scales(void *ctx, const char *symbol, tt_instrument_t *out)
{
    (void)symbol; /* one symbol per request */
    *out = *((const s_ap_scale_t *)ctx)->ins;
    return 0;
}

static int s_ap_url(tt_hjob_t *job, char *url, size_t size)
{
    const tt_history_cfg_t *cfg = job->cfg;
    const tt_history_req_t *q = job->req;
    bool crypto = cfg->feed && !strcmp(cfg->feed, "crypto");
    char tf[16];
    s_ap_timeframe(q->tf_s, tf, sizeof tf);
    const char *syms[] = {q->symbol};
    tt_ap_bars_req_t req = {
        .symbols = syms,
        .n_symbols = 1,
        .crypto = crypto,
        .crypto_loc = cfg->crypto_loc,
        .timeframe = tf,
        .start = q->from,
        .end = q->to - 1,
        .limit = cfg->page_limit > 0 && cfg->page_limit < S_AP_LIMIT
                     ? cfg->page_limit
                     : S_AP_LIMIT,
        .page_token = job->token,
        .feed = crypto ? NULL : cfg->feed,
    };
    int len = snprintf(url, size, "%s", cfg->base_url);
    if (len < 0 || (size_t)len >= size ||
        tt_ap_bars_path(url + len, size - (size_t)len, &req) <= 0)
        return s_fail(job, "%s: cannot build the request URL", "bars");
    return 0;
}

static int s_ap_reply(tt_hjob_t *job, const tt_http_reply_t *r)
{
    tt_history_req_t *q = job->req;
    const char *body = r->body ? r->body : "";
    if (r->status / 100 != 2) {
        tt_ap_error_t e;
        tt_ap_error_parse((int)r->status, body, r->len, &e);
        snprintf(q->err, sizeof q->err, "bars: HTTP %ld: %s (code %lld)",
                 r->status, e.message, (long long)e.code);
        return -1;
    }
    tt_ap_bars_page_t page;
    memset(&page, 0, sizeof page);
    s_ap_scale_t sc = {q->ins};
    tt_ap_scales_t scales = {0, 0, s_ap_scales, &sc};
    int rc = tt_ap_bars_parse(body, r->len, &scales, q->tf_s, &page, q->err,
                              sizeof q->err) == 0
                 ? 0
                 : -1;
    for (size_t s = 0; rc == 0 && s < page.n_series; s++)
        for (size_t i = 0; rc == 0 && i < page.series[s].n; i++)
            if (s_keep(job, &page.series[s].bars[i]) != 0)
                rc = s_fail(job, "%s: out of memory", "bars");
    free(job->token);
    job->token =
        rc == 0 && page.next_page_token ? strdup(page.next_page_token) : NULL;
    tt_ap_bars_page_free(&page);
    return rc != 0 ? -1 : job->token ? 1 : 0;
}

/* ---- Jobs --------------------------------------------------------------- */

int tt_hjob_init(tt_hjob_t *job, const tt_history_cfg_t *cfg,
                 tt_history_req_t *req, tt_ns_t now)
{
    memset(job, 0, sizeof *job);
    job->cfg = cfg;
    job->req = req;
    job->now = now;
    req->rc = -1;
    req->candles = NULL;
    req->n = 0;
    req->err[0] = '\0';
    char tf[16];
    if (!cfg->base_url || !req->symbol || !*req->symbol || !req->ins ||
        req->tf_s <= 0 || req->to <= req->from)
        return s_fail(job, "%s: bad arguments", "history");
    if (cfg->venue == TT_HISTORY_BINANCE && !s_bn_interval(req->tf_s)) {
        snprintf(req->err, sizeof req->err,
                 "klines: Binance has no %d s interval", (int)req->tf_s);
        return -1;
    }
    if (cfg->venue == TT_HISTORY_ALPACA &&
        s_ap_timeframe(req->tf_s, tf, sizeof tf) != 0) {
        snprintf(req->err, sizeof req->err,
                 "bars: Alpaca has no %d s timeframe", (int)req->tf_s);
        return -1;
    }
    if (cfg->venue != TT_HISTORY_BINANCE && cfg->venue != TT_HISTORY_ALPACA)
        return s_fail(job, "%s: unknown venue", "history");
    job->start_ms = req->from / TT_NS_PER_MS;
    return 0;
}

int tt_hjob_url(tt_hjob_t *job, char *url, size_t size)
{
    return job->cfg->venue == TT_HISTORY_BINANCE ? s_bn_url(job, url, size)
                                                 : s_ap_url(job, url, size);
}

struct curl_slist *tt_hjob_headers(const tt_hjob_t *job)
{
    if (job->cfg->venue != TT_HISTORY_ALPACA)
        return NULL;
    const tt_history_cfg_t *cfg = job->cfg;
    char line[320];
    snprintf(line, sizeof line, "APCA-API-KEY-ID: %s",
             cfg->key_id ? cfg->key_id : "");
    struct curl_slist *list = curl_slist_append(NULL, line);
    snprintf(line, sizeof line, "APCA-API-SECRET-KEY: %s",
             cfg->secret ? cfg->secret : "");
    struct curl_slist *both = list ? curl_slist_append(list, line) : NULL;
    explicit_bzero(line, sizeof line);
    if (!both)
        curl_slist_free_all(list);
    return both;
}

int tt_hjob_reply(tt_hjob_t *job, const tt_http_reply_t *r)
{
    int rc = job->cfg->venue == TT_HISTORY_BINANCE ? s_bn_reply(job, r)
                                                   : s_ap_reply(job, r);
    size_t pages = job->cfg->max_pages ? job->cfg->max_pages : 1000;
    if (rc == 1 && ++job->pages >= pages)
        rc = 0; /* the page bound: what came so far */
    return rc;
}

void tt_hjob_end(tt_hjob_t *job, int rc)
{
    tt_history_req_t *q = job->req;
    q->rc = rc == 0 ? 0 : -1;
    if (rc == 0) {
        q->candles = job->items;
        q->n = job->n;
    } else
        free(job->items);
    free(job->token);
    job->items = NULL;
    job->token = NULL;
    job->n = job->cap = 0;
}

int tt_history_fetch(const tt_history_cfg_t *cfg, const char *symbol,
                     const tt_instrument_t *ins, int32_t tf_s, tt_ns_t from,
                     tt_ns_t to, tt_ns_t now, tt_candle_t **out, size_t *n,
                     char *err, size_t errsize)
{
    *out = NULL;
    *n = 0;
    if (!cfg) {
        snprintf(err, errsize, "history: bad arguments");
        return -1;
    }
    tt_history_req_t req = {
        .symbol = symbol, .ins = ins, .tf_s = tf_s, .from = from, .to = to};
    tt_history_many_t one = {.parallel = 1};
    tt_history_fetch_many(cfg, &req, 1, now, &one);
    if (req.rc != 0) {
        snprintf(err, errsize, "%s", req.err);
        return -1;
    }
    *out = req.candles;
    *n = req.n;
    return 0;
}

/* ---- Choosing and aggregating bar sizes -----------------------------------
 */

static bool s_native(tt_history_venue_t venue, int32_t tf_s)
{
    char buf[16];
    if (venue == TT_HISTORY_BINANCE)
        return s_bn_interval(tf_s) != NULL;
    return venue == TT_HISTORY_ALPACA &&
           s_ap_timeframe(tf_s, buf, sizeof buf) == 0;
}

int32_t tt_history_source_tf(tt_history_venue_t venue, int32_t tf_s)
{
    if (tf_s <= 0)
        return -1;
    for (int32_t d = tf_s; d >= 1; d--)
        if (tf_s % d == 0 && s_native(venue, d))
            return d;
    return -1;
}

size_t tt_history_aggregate(tt_candle_t *c, size_t n, int32_t tf_s)
{
    tt_ns_t tf_ns = (tt_ns_t)tf_s * TT_NS_PER_SEC;
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        tt_candle_t b = c[i];
        tt_ns_t slot = b.open_ts - b.open_ts % tf_ns;
        tt_candle_t *g = out > 0 ? &c[out - 1] : NULL;
        if (g && g->open_ts == slot) {
            g->high = b.high > g->high ? b.high : g->high;
            g->low = b.low < g->low ? b.low : g->low;
            g->close = b.close;
            g->volume = b.volume > INT64_MAX - g->volume ? INT64_MAX
                                                         : g->volume + b.volume;
            g->trades = b.trades > UINT32_MAX - g->trades
                            ? UINT32_MAX
                            : g->trades + b.trades;
            continue;
        }
        b.open_ts = slot;
        b.tf_s = tf_s;
        b.closed = true;
        c[out++] = b;
    }
    return out;
}
