/*  venues/alpaca/ap_bars.c: historical bars replies and request paths
    (ap_rest.h). Bar prices are JSON numbers, so the reply goes through
    ap_json's literal-keeping cursor rather than jansson (whose doubles
    would lose 189.31); the request path is plain text with URL encoding. */
#include "venues/alpaca/ap_rest_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "venues/alpaca/ap_json.h"
#include "venues/alpaca/ap_time.h"

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
static int s_num(const tt_apj_val_t *v, const char *key, int decimals,
                 int64_t *out, char *err, size_t es)
{
    if (v->type != TT_APJ_NUMBER && v->type != TT_APJ_STRING)
        return tt_ap__fail(err, es, "bar without numeric \"%s\"", key);
    if (tt_ap_dec_exact(v->text.p, v->text.n, decimals, out) != 0)
        return tt_ap__fail(err, es, "bar \"%s\" %.*s not exact at %d decimals",
                           key, (int)(v->text.n > 24 ? 24 : v->text.n),
                           v->text.p, decimals);
    return 0;
}

/* One bar object at the cursor. */
static int s_bar(tt_apj_t *cur, const tt_instrument_t *in, int32_t tf_s,
                 tt_candle_t *b, char *err, size_t es)
{
    static const char keys[] = "tohlcvn";
    tt_apj_val_t v[7] = {0};
    tt_ap_span_t key;
    tt_apj_val_t val;
    bool first = true;
    int more;
    if (tt_apj_expect(cur, '{') < 0)
        return tt_ap__fail(err, es, "bar is not an object");
    while ((more = tt_apj_obj_next(cur, &first, &key)) > 0) {
        if (tt_apj_value(cur, &val) < 0)
            return tt_ap__fail(err, es, "bars: %s", cur->err);
        const char *at = key.n == 1 ? memchr(keys, key.p[0], 7) : NULL;
        if (at)
            v[at - keys] = val;
    }
    if (more < 0)
        return tt_ap__fail(err, es, "bars: %s", cur->err);
    memset(b, 0, sizeof *b);
    int px = in->px_decimals;
    uint64_t n = 0;
    if (v[0].type != TT_APJ_STRING ||
        tt_ap_time_parse(v[0].text.p, v[0].text.n, &b->open_ts) < 0)
        return tt_ap__fail(err, es, "bar without an RFC 3339 \"t\"");
    if (s_num(&v[1], "o", px, &b->open, err, es) < 0 ||
        s_num(&v[2], "h", px, &b->high, err, es) < 0 ||
        s_num(&v[3], "l", px, &b->low, err, es) < 0 ||
        s_num(&v[4], "c", px, &b->close, err, es) < 0 ||
        s_num(&v[5], "v", in->qty_decimals, &b->volume, err, es) < 0)
        return TT_AP_EBAD;
    if (v[6].type && (tt_apj_uint(&v[6], &n) < 0 || n > UINT32_MAX))
        return tt_ap__fail(err, es, "bar \"n\" is not a count");
    if (b->low > b->high || b->open < b->low || b->open > b->high ||
        b->close < b->low || b->close > b->high || b->low <= 0 || b->volume < 0)
        return tt_ap__fail(err, es, "bar prices out of order");
    b->trades = (uint32_t)n;
    b->tf_s = tf_s;
    b->closed = true;
    return 0;
}

/* Appends a series for SYMBOL parsed from the array span ARR. */
static int s_series(tt_ap_bars_page_t *page, const tt_ap_scales_t *sc,
                    const char *symbol, tt_apj_val_t arr, int32_t tf_s,
                    char *err, size_t es)
{
    tt_instrument_t in;
    tt_apj_t cur;
    size_t cap = 0;
    bool first = true;
    int more;
    if (arr.type == TT_APJ_NULL || tt_ap_scales_get(sc, symbol, &in) < 0)
        return 0;
    if (arr.type != TT_APJ_ARRAY)
        return tt_ap__fail(err, es, "bars of %s are not a list", symbol);
    tt_ap_bar_series_t *grown =
        realloc(page->series, (page->n_series + 1) * sizeof *grown);
    if (!grown)
        return tt_ap__fail(err, es, "out of memory");
    page->series = grown;
    tt_ap_bar_series_t *s = &page->series[page->n_series++];
    memset(s, 0, sizeof *s);
    snprintf(s->symbol, sizeof s->symbol, "%s", symbol);
    tt_apj_init(&cur, arr.text.p, arr.text.n);
    cur.pos = 1; /* past '[' (validated when the span was read) */
    while ((more = tt_apj_arr_next(&cur, &first)) > 0) {
        if (s->n == cap) {
            cap = cap ? cap * 2 : 64;
            tt_candle_t *b = realloc(s->bars, cap * sizeof *b);
            if (!b)
                return tt_ap__fail(err, es, "out of memory");
            s->bars = b;
        }
        if (s_bar(&cur, &in, tf_s, &s->bars[s->n], err, es) < 0)
            return TT_AP_EBAD;
        s->n++;
    }
    return 0;
}

/* The multi-symbol shape: {"SYM":[..],..}. */
static int s_multi(tt_ap_bars_page_t *page, const tt_ap_scales_t *sc,
                   tt_apj_val_t obj, int32_t tf_s, char *err, size_t es)
{
    tt_apj_t cur;
    tt_ap_span_t key;
    tt_apj_val_t val;
    bool first = true;
    char sym[TT_AP_SYMBOL_MAX + 1];
    tt_apj_init(&cur, obj.text.p, obj.text.n);
    cur.pos = 1;
    while (tt_apj_obj_next(&cur, &first, &key) > 0) {
        tt_apj_val_t k = {TT_APJ_STRING, memchr(key.p, '\\', key.n) != NULL,
                          key};
        if (tt_apj_value(&cur, &val) < 0 ||
            tt_apj_string_copy(&k, sym, sizeof sym) < 0)
            return tt_ap__fail(err, es, "bad symbol key in bars");
        if (s_series(page, sc, sym, val, tf_s, err, es) < 0)
            return TT_AP_EBAD;
    }
    return 0;
}

/* Reads the root object's three members we use. */
static int s_root(tt_apj_t *cur, tt_apj_val_t *bars, tt_apj_val_t *symbol,
                  tt_apj_val_t *token, char *err, size_t es)
{
    tt_ap_span_t key;
    tt_apj_val_t val;
    bool first = true;
    int more;
    if (tt_apj_expect(cur, '{') < 0)
        return tt_ap__fail(err, es, "bars reply is not an object");
    while ((more = tt_apj_obj_next(cur, &first, &key)) > 0) {
        if (tt_apj_value(cur, &val) < 0)
            break;
        if (tt_apj_eq(key, "bars"))
            *bars = val;
        else if (tt_apj_eq(key, "symbol"))
            *symbol = val;
        else if (tt_apj_eq(key, "next_page_token"))
            *token = val;
    }
    if (more != 0 || !tt_apj_at_end(cur))
        return tt_ap__fail(err, es, "bars reply: %s at byte %zu",
                           cur->err ? cur->err : "data after the object",
                           cur->err ? cur->err_pos : cur->pos);
    return 0;
}

static int s_token(tt_ap_bars_page_t *page, tt_apj_val_t token, char *err,
                   size_t es)
{
    if (token.type == TT_APJ_NONE || token.type == TT_APJ_NULL)
        return 0;
    if (token.type != TT_APJ_STRING)
        return tt_ap__fail(err, es, "next_page_token is not a string");
    page->next_page_token = malloc(token.text.n + 1);
    if (!page->next_page_token ||
        tt_apj_string_copy(&token, page->next_page_token, token.text.n + 1) < 0)
        return tt_ap__fail(err, es, "bad next_page_token");
    return 0;
}

int tt_ap_bars_parse(const char *buf, size_t len, const tt_ap_scales_t *sc,
                     int32_t tf_s, tt_ap_bars_page_t *out, char *err,
                     size_t errsize)
{
    tt_apj_t cur;
    tt_apj_val_t bars = {0}, symbol = {0}, token = {0};
    char sym[TT_AP_SYMBOL_MAX + 1];
    int rc = 0;
    memset(out, 0, sizeof *out);
    tt_apj_init(&cur, buf, len);
    if (tf_s <= 0)
        return tt_ap__fail(err, errsize, "bad timeframe");
    if (s_root(&cur, &bars, &symbol, &token, err, errsize) < 0)
        return TT_AP_EBAD;
    if (bars.type == TT_APJ_OBJECT)
        rc = s_multi(out, sc, bars, tf_s, err, errsize);
    else if (bars.type == TT_APJ_ARRAY &&
             tt_apj_string_copy(&symbol, sym, sizeof sym) < 0)
        rc = tt_ap__fail(err, errsize, "bars list without a \"symbol\"");
    else if (bars.type == TT_APJ_ARRAY)
        rc = s_series(out, sc, sym, bars, tf_s, err, errsize);
    else if (bars.type != TT_APJ_NULL)
        rc = tt_ap__fail(err, errsize, "reply without \"bars\"");
    if (rc == 0)
        rc = s_token(out, token, err, errsize);
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
