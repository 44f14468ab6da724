/*  venues/history/history.c: see history.h. One loop per venue: build
    the page's request with the protocol layer, GET it (retrying a 429
    after its Retry-After), parse it, keep the closed candles inside the
    range, and move to the next page until the venue says there is none
    or the page bound is reached. */
#include "venues/history/history.h"
#include "venues/alpaca/ap_rest.h"
#include "venues/binance/bn_rest.h"
#include "venues/binance/bn_sign.h"
#include "venues/binance/bn_stream.h"
#include "venues/history/http.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_URL_MAX 2048
#define S_BN_LIMIT 1000
#define S_AP_LIMIT 10000

/* The growing result. */
typedef struct {
    tt_candle_t *items;
    size_t n, cap;
} s_out_t;

static int s_keep(s_out_t *o, const tt_candle_t *c, tt_ns_t from, tt_ns_t to,
                  tt_ns_t now)
{
    tt_ns_t end = c->open_ts + (tt_ns_t)c->tf_s * TT_NS_PER_SEC;
    if (c->open_ts < from || c->open_ts >= to || end > now)
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

static void s_sleep_s(long s)
{
    struct timespec ts = {s > 5 ? 5 : s < 1 ? 1 : s, 0};
    nanosleep(&ts, NULL);
}

/* GETs URL; a 429 is retried after Retry-After (1..5 s), at most
   MAX_RETRIES times. 0 with a 2xx reply in R, else -1 with ERR. */
static int s_get(const tt_history_cfg_t *cfg, const char *url,
                 const char *const *headers, tt_http_reply_t *r, char *err,
                 size_t errsize)
{
    long timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : 10000;
    for (int attempt = 0;; attempt++) {
        if (tt_http_get(url, headers, timeout, r, err, errsize) != 0)
            return -1;
        if (r->status / 100 == 2)
            return 0;
        if (r->status != 429 || attempt >= cfg->max_retries)
            break;
        long wait = r->retry_after;
        tt_http_reply_free(r);
        s_sleep_s(wait);
    }
    return -1; /* the caller explains the status with the body */
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

static int s_bn_page(const tt_history_cfg_t *cfg, const char *url,
                     const tt_instrument_t *ins, int32_t tf_s, tt_ns_t now,
                     tt_candle_t *page, size_t cap, size_t *n, char *err,
                     size_t errsize)
{
    tt_http_reply_t r;
    if (s_get(cfg, url, NULL, &r, err, errsize) != 0) {
        if (r.status) {
            tt_bn_reject_t rej;
            tt_bn_error_parse((int)r.status, r.body ? r.body : "", r.len, &rej);
            snprintf(err, errsize, "klines: HTTP %ld: %s (code %lld)", r.status,
                     rej.msg, (long long)rej.code);
        }
        tt_http_reply_free(&r);
        return -1;
    }
    int rc = tt_bn_klines_parse(r.body ? r.body : "", r.len, ins, tf_s, now,
                                page, cap, n, err, errsize);
    tt_http_reply_free(&r);
    return rc;
}

static int s_binance(const tt_history_cfg_t *cfg, const char *symbol,
                     const tt_instrument_t *ins, int32_t tf_s, tt_ns_t from,
                     tt_ns_t to, tt_ns_t now, s_out_t *o, char *err,
                     size_t errsize)
{
    const char *iv = s_bn_interval(tf_s);
    if (!iv) {
        snprintf(err, errsize, "klines: Binance has no %d s interval",
                 (int)tf_s);
        return -1;
    }
    int limit = cfg->page_limit > 0 && cfg->page_limit < S_BN_LIMIT
                    ? cfg->page_limit
                    : S_BN_LIMIT;
    size_t pages = cfg->max_pages ? cfg->max_pages : 1000;
    tt_candle_t *page = malloc((size_t)limit * sizeof *page);
    char *url = malloc(S_URL_MAX);
    int rc = page && url ? 0 : -1;
    int64_t start_ms = from / TT_NS_PER_MS;
    for (size_t p = 0; rc == 0 && p < pages; p++) {
        int len = snprintf(url, S_URL_MAX, "%s/api/v3/klines?", cfg->base_url);
        tt_bn_query_t q;
        tt_bn_query_init(&q, url + len, S_URL_MAX - (size_t)len);
        size_t n = 0;
        rc = tt_bn_klines_query(&q, symbol, iv, start_ms,
                                (to - 1) / TT_NS_PER_MS, limit);
        if (rc == 0)
            rc = s_bn_page(cfg, url, ins, tf_s, now, page, (size_t)limit, &n,
                           err, errsize);
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = s_keep(o, &page[i], from, to, now);
        if (rc != 0 || n < (size_t)limit)
            break;
        start_ms = tt_bn_klines_next_start_ms(&page[n - 1]);
    }
    free(page);
    free(url);
    return rc;
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

/* One page: parsed into PAGE (free with tt_ap_bars_page_free). */
static int s_ap_page(const tt_history_cfg_t *cfg, const char *url,
                     const tt_instrument_t *ins, int32_t tf_s,
                     tt_ap_bars_page_t *page, char *err, size_t errsize)
{
    char key[320], secret[320];
    snprintf(key, sizeof key, "APCA-API-KEY-ID: %s",
             cfg->key_id ? cfg->key_id : "");
    snprintf(secret, sizeof secret, "APCA-API-SECRET-KEY: %s",
             cfg->secret ? cfg->secret : "");
    const char *headers[] = {key, secret, NULL};
    tt_http_reply_t r;
    int rc = s_get(cfg, url, headers, &r, err, errsize);
    explicit_bzero(key, sizeof key);
    explicit_bzero(secret, sizeof secret);
    if (rc != 0) {
        if (r.status) {
            tt_ap_error_t e;
            tt_ap_error_parse((int)r.status, r.body ? r.body : "", r.len, &e);
            snprintf(err, errsize, "bars: HTTP %ld: %s (code %lld)", r.status,
                     e.message, (long long)e.code);
        }
        tt_http_reply_free(&r);
        return -1;
    }
    s_ap_scale_t sc = {ins};
    tt_ap_scales_t scales = {0, 0, s_ap_scales, &sc};
    rc = tt_ap_bars_parse(r.body ? r.body : "", r.len, &scales, tf_s, page, err,
                          errsize);
    tt_http_reply_free(&r);
    return rc == 0 ? 0 : -1;
}

static int s_ap_url(const tt_history_cfg_t *cfg, const char *symbol,
                    const char *tf, tt_ns_t from, tt_ns_t to, const char *token,
                    char *url)
{
    bool crypto = cfg->feed && !strcmp(cfg->feed, "crypto");
    const char *syms[] = {symbol};
    tt_ap_bars_req_t req = {
        .symbols = syms,
        .n_symbols = 1,
        .crypto = crypto,
        .crypto_loc = cfg->crypto_loc,
        .timeframe = tf,
        .start = from,
        .end = to - 1,
        .limit = cfg->page_limit > 0 && cfg->page_limit < S_AP_LIMIT
                     ? cfg->page_limit
                     : S_AP_LIMIT,
        .page_token = token,
        .feed = crypto ? NULL : cfg->feed,
    };
    int len = snprintf(url, S_URL_MAX, "%s", cfg->base_url);
    return len < S_URL_MAX &&
                   tt_ap_bars_path(url + len, S_URL_MAX - (size_t)len, &req) > 0
               ? 0
               : -1;
}

static int s_alpaca(const tt_history_cfg_t *cfg, const char *symbol,
                    const tt_instrument_t *ins, int32_t tf_s, tt_ns_t from,
                    tt_ns_t to, tt_ns_t now, s_out_t *o, char *err,
                    size_t errsize)
{
    char tf[16];
    if (s_ap_timeframe(tf_s, tf, sizeof tf) != 0) {
        snprintf(err, errsize, "bars: Alpaca has no %d s timeframe", (int)tf_s);
        return -1;
    }
    size_t pages = cfg->max_pages ? cfg->max_pages : 1000;
    char *url = malloc(S_URL_MAX);
    char *token = NULL;
    int rc = url ? 0 : -1;
    for (size_t p = 0; rc == 0 && p < pages; p++) {
        tt_ap_bars_page_t page;
        memset(&page, 0, sizeof page);
        rc = s_ap_url(cfg, symbol, tf, from, to, token, url);
        if (rc != 0)
            snprintf(err, errsize, "bars: cannot build the request URL");
        if (rc == 0)
            rc = s_ap_page(cfg, url, ins, tf_s, &page, err, errsize);
        for (size_t s = 0; rc == 0 && s < page.n_series; s++)
            for (size_t i = 0; rc == 0 && i < page.series[s].n; i++)
                rc = s_keep(o, &page.series[s].bars[i], from, to, now);
        free(token);
        token = page.next_page_token ? strdup(page.next_page_token) : NULL;
        tt_ap_bars_page_free(&page);
        if (!token)
            break;
    }
    free(token);
    free(url);
    return rc;
}

int tt_history_fetch(const tt_history_cfg_t *cfg, const char *symbol,
                     const tt_instrument_t *ins, int32_t tf_s, tt_ns_t from,
                     tt_ns_t to, tt_ns_t now, tt_candle_t **out, size_t *n,
                     char *err, size_t errsize)
{
    *out = NULL;
    *n = 0;
    if (!cfg || !cfg->base_url || !symbol || !*symbol || !ins || tf_s <= 0 ||
        to <= from) {
        snprintf(err, errsize, "history: bad arguments");
        return -1;
    }
    s_out_t o = {0};
    int rc =
        cfg->venue == TT_HISTORY_BINANCE
            ? s_binance(cfg, symbol, ins, tf_s, from, to, now, &o, err, errsize)
        : cfg->venue == TT_HISTORY_ALPACA
            ? s_alpaca(cfg, symbol, ins, tf_s, from, to, now, &o, err, errsize)
            : -1;
    if (rc != 0) {
        if (cfg->venue != TT_HISTORY_BINANCE && cfg->venue != TT_HISTORY_ALPACA)
            snprintf(err, errsize, "history: unknown venue");
        free(o.items);
        return -1;
    }
    *out = o.items;
    *n = o.n;
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
