/*  venues/tickserver/subscribe.c: parse client messages and build error
    frames (see subscribe.h). Validation runs over the whole message before
    the filter is written, so a message with one bad symbol changes
    nothing. Error text quotes client input, so it is always escaped by
    jansson on the way back out. */
#include "venues/tickserver/subscribe.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int s_fail(char *err, size_t errsize, const char *fmt, ...)
{
    if (err && errsize > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsize, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Checks every entry of SYMBOLS; returns 0 when all are known. */
static int s_check_symbols(json_t *symbols, const tt_simmarket_t *market,
                           char *err, size_t errsize)
{
    if (!json_is_array(symbols) || json_array_size(symbols) == 0)
        return s_fail(err, errsize,
                      "field \"symbols\": expected a non-empty array of "
                      "symbol names");
    size_t i;
    json_t *v;
    json_array_foreach(symbols, i, v)
    {
        if (!json_is_string(v))
            return s_fail(err, errsize,
                          "field \"symbols\": entry %zu is not a string", i);
        if (tt_simmarket_find(market, json_string_value(v)) < 0)
            return s_fail(err, errsize,
                          "field \"symbols\": unknown symbol '%.40s'",
                          json_string_value(v));
    }
    return 0;
}

static int s_apply(json_t *root, const tt_simmarket_t *market, uint8_t *filter,
                   char *err, size_t errsize)
{
    json_t *action = json_object_get(root, "action");
    if (!json_is_string(action) ||
        strcmp(json_string_value(action), "subscribe") != 0)
        return s_fail(err, errsize, "field \"action\": expected \"subscribe\"");
    json_t *symbols = json_object_get(root, "symbols");
    if (s_check_symbols(symbols, market, err, errsize) != 0)
        return -1;
    memset(filter, 0, tt_simmarket_symbol_count(market));
    size_t i;
    json_t *v;
    json_array_foreach(symbols, i, v)
    {
        filter[tt_simmarket_find(market, json_string_value(v))] = 1;
    }
    return 0;
}

int tt_subscribe_parse(const char *text, size_t len,
                       const tt_simmarket_t *market, uint8_t *filter, char *err,
                       size_t errsize)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return s_fail(err, errsize, "not JSON: %s (column %d)", jerr.text,
                      jerr.column);
    int rc = -1;
    if (!json_is_object(root))
        s_fail(err, errsize, "expected a JSON object");
    else
        rc = s_apply(root, market, filter, err, errsize);
    json_decref(root);
    return rc;
}

int tt_subscribe_error_frame(const char *msg, char *buf, size_t size)
{
    json_t *obj = json_pack("{s:s, s:s}", "T", "error", "msg", msg);
    if (!obj)
        return -1;
    size_t n = json_dumpb(obj, buf, size, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (n == 0 || n >= size)
        return -1;
    buf[n] = '\0';
    return (int)n;
}
