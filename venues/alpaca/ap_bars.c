/*  venues/alpaca/ap_bars.c: historical bars replies and request paths
    (ap_rest.h). Bar prices are JSON numbers, so the reply goes through
    the literal-keeping scanner venues/common/jscan rather than jansson
    (whose doubles would lose 189.31); the request path is plain text with
    URL encoding. */
#include "venues/alpaca/ap_rest_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "venues/alpaca/ap_time.h"
#include "venues/common/jscan.h"

void tt_ap_bars_page_free(tt_ap_bars_page_t *page)
{
    if (!page)
        return;
    for (size_t i = 0; i < page->n_series; i++)
        free(page->series[i].bars);
    free(page->series);
    free(page->next_page_token);
    memset(page, 0, sizeof *page);
}

/* A bar's number at KEY (a literal span) into *OUT, exact. */
static int s_num(const tt_jval_t *v, const char *key, int decimals,
                 int64_t *out, char *err, size_t es)
{
    if (v->type != TT_JS_NUMBER && v->type != TT_JS_STRING)
        return tt_ap__fail(err, es, "bar without numeric \"%s\"", key);
    if (tt_ap_dec_exact(v->p, v->len, decimals, out) != 0)
        return tt_ap__fail(err, es, "bar \"%s\" %.*s not exact at %d decimals",
                           key, (int)(v->len > 24 ? 24 : v->len), v->p,
                           decimals);
    return 0;
}

/* One bar object (validated when the reply was walked). */
static int s_bar(const char *base, const tt_jval_t *obj,
                 const tt_instrument_t *in, int32_t tf_s, tt_candle_t *b,
                 char *err, size_t es)
{
    static const char *const keys[] = {"t", "o", "h", "l", "c", "v", "n"};
    tt_jval_t v[7];
    tt_jiter_t walk;
    if (obj->type != TT_JS_OBJECT || tt_jiter_nested(&walk, base, obj) < 0 ||
        tt_jiter_fields(&walk, keys, 7, v) < 0)
        return tt_ap__fail(err, es, "bar is not an object");
    memset(b, 0, sizeof *b);
    int px = in->px_decimals;
    uint64_t n = 0;
    if (v[0].type != TT_JS_STRING ||
        tt_ap_time_parse(v[0].p, v[0].len, &b->open_ts) < 0)
        return tt_ap__fail(err, es, "bar without an RFC 3339 \"t\"");
    if (s_num(&v[1], "o", px, &b->open, err, es) < 0 ||
        s_num(&v[2], "h", px, &b->high, err, es) < 0 ||
        s_num(&v[3], "l", px, &b->low, err, es) < 0 ||
        s_num(&v[4], "c", px, &b->close, err, es) < 0 ||
        s_num(&v[5], "v", in->qty_decimals, &b->volume, err, es) < 0)
        return TT_AP_EBAD;
    if (v[6].type && (tt_jval_uint64(&v[6], &n) < 0 || n > UINT32_MAX))
        return tt_ap__fail(err, es, "bar \"n\" is not a count");
    if (b->low > b->high || b->open < b->low || b->open > b->high ||
        b->close < b->low || b->close > b->high || b->low <= 0 || b->volume < 0)
        return tt_ap__fail(err, es, "bar prices out of order");
    b->trades = (uint32_t)n;
    b->tf_s = tf_s;
    b->closed = true;
    return 0;
}

/* Room for one more bar in S. */
static int s_grow(tt_ap_bar_series_t *s, size_t *cap, char *err, size_t es)
{
    if (s->n < *cap)
        return 0;
    *cap = *cap ? *cap * 2 : 64;
    tt_candle_t *b = realloc(s->bars, *cap * sizeof *b);
    if (!b)
        return tt_ap__fail(err, es, "out of memory");
    s->bars = b;
    return 0;
}

/* Appends a series for SYMBOL parsed from the array ARR. */
static int s_series(tt_ap_bars_page_t *page, const tt_ap_scales_t *sc,
                    const char *symbol, const char *base, const tt_jval_t *arr,
                    int32_t tf_s, char *err, size_t es)
{
    tt_instrument_t in;
    tt_jiter_t walk;
    tt_jval_t bar;
    size_t cap = 0;
    if (arr->type == TT_JS_NULL || tt_ap_scales_get(sc, symbol, &in) < 0)
        return 0;
    if (arr->type != TT_JS_ARRAY)
        return tt_ap__fail(err, es, "bars of %s are not a list", symbol);
    tt_ap_bar_series_t *grown =
        realloc(page->series, (page->n_series + 1) * sizeof *grown);
    if (!grown)
        return tt_ap__fail(err, es, "out of memory");
    page->series = grown;
    tt_ap_bar_series_t *s = &page->series[page->n_series++];
    memset(s, 0, sizeof *s);
    snprintf(s->symbol, sizeof s->symbol, "%s", symbol);
    tt_jiter_nested(&walk, base, arr);
    while (tt_jiter_element(&walk, &bar) > 0) {
        if (s_grow(s, &cap, err, es) < 0 ||
            s_bar(base, &bar, &in, tf_s, &s->bars[s->n], err, es) < 0)
            return TT_AP_EBAD;
        s->n++;
    }
    return 0;
}

/* The multi-symbol shape: {"SYM":[..],..}. */
static int s_multi(tt_ap_bars_page_t *page, const tt_ap_scales_t *sc,
                   const char *base, const tt_jval_t *obj, int32_t tf_s,
                   char *err, size_t es)
{
    tt_jiter_t walk;
    tt_jval_t key, val;
    char sym[TT_AP_SYMBOL_MAX + 1];
    tt_jiter_nested(&walk, base, obj);
    while (tt_jiter_member(&walk, &key, &val) > 0) {
        if (tt_jval_utf8(&key, sym, sizeof sym) < 0)
            return tt_ap__fail(err, es, "bad symbol key in bars");
        if (s_series(page, sc, sym, base, &val, tf_s, err, es) < 0)
            return TT_AP_EBAD;
    }
    return 0;
}

static int s_token(tt_ap_bars_page_t *page, const tt_jval_t *token, char *err,
                   size_t es)
{
    if (token->type == TT_JS_NONE || token->type == TT_JS_NULL)
        return 0;
    if (token->type != TT_JS_STRING)
        return tt_ap__fail(err, es, "next_page_token is not a string");
    page->next_page_token = malloc(token->len + 1);
    if (!page->next_page_token ||
        tt_jval_utf8(token, page->next_page_token, token->len + 1) < 0)
        return tt_ap__fail(err, es, "bad next_page_token");
    return 0;
}

int tt_ap_bars_parse(const char *buf, size_t len, const tt_ap_scales_t *sc,
                     int32_t tf_s, tt_ap_bars_page_t *out, char *err,
                     size_t errsize)
{
    /* The root walk checks the whole reply, so the nested walks below
       read text already known to be well formed. */
    static const char *const keys[] = {"bars", "symbol", "next_page_token"};
    tt_jval_t v[3];
    tt_jiter_t walk;
    char sym[TT_AP_SYMBOL_MAX + 1];
    int rc = 0;
    memset(out, 0, sizeof *out);
    if (tf_s <= 0)
        return tt_ap__fail(err, errsize, "bad timeframe");
    if (tt_jiter_root(&walk, buf, len, '{') < 0 ||
        tt_jiter_fields(&walk, keys, 3, v) < 0)
        return tt_ap__fail(err, errsize, "bars reply: %s at byte %zu", walk.err,
                           walk.err_off);
    const tt_jval_t *bars = &v[0];
    if (bars->type == TT_JS_OBJECT)
        rc = s_multi(out, sc, buf, bars, tf_s, err, errsize);
    else if (bars->type == TT_JS_ARRAY &&
             tt_jval_utf8(&v[1], sym, sizeof sym) < 0)
        rc = tt_ap__fail(err, errsize, "bars list without a \"symbol\"");
    else if (bars->type == TT_JS_ARRAY)
        rc = s_series(out, sc, sym, buf, bars, tf_s, err, errsize);
    else if (bars->type != TT_JS_NULL)
        rc = tt_ap__fail(err, errsize, "reply without \"bars\"");
    if (rc == 0)
        rc = s_token(out, &v[2], err, errsize);
    if (rc < 0)
        tt_ap_bars_page_free(out);
    return rc;
}

int32_t tt_ap_timeframe_seconds(const char *tf)
{
    static const struct {
        const char *unit;
        int32_t secs, max;
    } units[] = {{"Min", 60, 59},     {"T", 60, 59},     {"Hour", 3600, 23},
                 {"H", 3600, 23},     {"Day", 86400, 1}, {"D", 86400, 1},
                 {"Week", 604800, 1}, {"W", 604800, 1}};
    int32_t n = 0;
    size_t i = 0;
    if (!tf)
        return -1;
    for (; tf[i] >= '0' && tf[i] <= '9' && i < 3; i++)
        n = n * 10 + (tf[i] - '0');
    if (i == 0 || tf[0] == '0')
        return -1;
    for (size_t u = 0; u < sizeof units / sizeof *units; u++)
        if (!strcmp(tf + i, units[u].unit))
            return n <= units[u].max ? n * units[u].secs : -1;
    return -1; /* months have no fixed length; bad text */
}

/* Appends S percent-encoded (RFC 3986 unreserved kept). */
static void s_enc(char *buf, size_t size, size_t *o, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                     (c >= '0' && c <= '9') || strchr("-._~", c);
        char tmp[3] = {(char)c, 0, 0};
        size_t n = plain ? 1 : 3;
        if (!plain)
            tmp[0] = '%', tmp[1] = hex[c >> 4], tmp[2] = hex[c & 15];
        if (*o + n < size)
            memcpy(buf + *o, tmp, n);
        *o += n;
    }
}

/* Appends "&NAME=" (or "?NAME=") and VALUE encoded. */
static void s_param(char *buf, size_t size, size_t *o, const char *name,
                    const char *value)
{
    if (!value)
        return;
    int n = snprintf(*o < size ? buf + *o : NULL, *o < size ? size - *o : 0,
                     "%c%s=", strchr(buf, '?') ? '&' : '?', name);
    *o += (size_t)n;
    s_enc(buf, size, o, value);
    if (*o < size)
        buf[*o] = '\0';
}

static bool s_req_ok(const tt_ap_bars_req_t *r)
{
    if (!r || !r->symbols || r->n_symbols == 0 ||
        tt_ap_timeframe_seconds(r->timeframe) < 0 || r->limit < 0 ||
        r->limit > 10000 || r->start < 0 || r->end < 0 ||
        (r->start && r->end && r->end < r->start))
        return false;
    for (size_t i = 0; i < r->n_symbols; i++)
        if (!r->symbols[i] || !*r->symbols[i] || strchr(r->symbols[i], ','))
            return false;
    return true;
}

/* The symbols as one comma-separated, encoded parameter. */
static void s_symbols(char *buf, size_t size, size_t *o,
                      const tt_ap_bars_req_t *r)
{
    s_param(buf, size, o, "symbols", r->symbols[0]);
    for (size_t i = 1; i < r->n_symbols; i++) {
        s_enc(buf, size, o, ",");
        s_enc(buf, size, o, r->symbols[i]);
    }
    if (*o < size)
        buf[*o] = '\0';
}

int tt_ap_bars_path(char *buf, size_t size, const tt_ap_bars_req_t *r)
{
    char start[40], end[40], limit[16];
    size_t o = 0;
    if (!buf || size == 0 || !s_req_ok(r))
        return -1;
    buf[0] = '\0';
    if (r->crypto) {
        o = (size_t)snprintf(buf, size, "/v1beta3/crypto/%s/bars",
                             r->crypto_loc ? r->crypto_loc : "us");
        s_symbols(buf, size, &o, r);
    } else if (r->n_symbols == 1) {
        o = (size_t)snprintf(buf, size, "/v2/stocks/");
        s_enc(buf, size, &o, r->symbols[0]);
        o += (size_t)snprintf(o < size ? buf + o : NULL,
                              o < size ? size - o : 0, "/bars");
    } else {
        o = (size_t)snprintf(buf, size, "/v2/stocks/bars");
        s_symbols(buf, size, &o, r);
    }
    snprintf(limit, sizeof limit, "%d", r->limit);
    s_param(buf, size, &o, "timeframe", r->timeframe);
    if (r->start)
        tt_ap_time_format(r->start, start, sizeof start);
    if (r->end)
        tt_ap_time_format(r->end, end, sizeof end);
    s_param(buf, size, &o, "start", r->start ? start : NULL);
    s_param(buf, size, &o, "end", r->end ? end : NULL);
    s_param(buf, size, &o, "limit", r->limit ? limit : NULL);
    s_param(buf, size, &o, "page_token", r->page_token);
    s_param(buf, size, &o, "feed", r->crypto ? NULL : r->feed);
    s_param(buf, size, &o, "adjustment", r->crypto ? NULL : r->adjustment);
    if (o >= size) {
        buf[0] = '\0';
        return -1;
    }
    return (int)o;
}
