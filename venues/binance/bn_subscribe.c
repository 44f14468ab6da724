/*  venues/binance/bn_subscribe.c: stream names, SUBSCRIBE / UNSUBSCRIBE
    requests and combined-stream paths (see bn_stream.h). Only the symbol
    part of a stream name (before '@') is lowercased: the rest is case
    sensitive ("aggTrade", and "kline_1M" is a month where "kline_1m" is a
    minute). */
#include "venues/binance/bn_stream.h"

#include <stdio.h>
#include <string.h>

static bool s_allowed(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '@' || c == '_' || c == '.' ||
           c == '-';
}

/* Appends stream NAME (checked, symbol lowercased) at BUF + *N. */
static int s_put_name(char *buf, size_t size, size_t *n, const char *name)
{
    if (!name || !*name)
        return -1;
    bool symbol = true;
    for (const char *p = name; *p; p++) {
        if (!s_allowed(*p) || *n + 1 >= size)
            return -1;
        if (*p == '@')
            symbol = false;
        char c = *p;
        if (symbol && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        buf[(*n)++] = c;
    }
    buf[*n] = '\0';
    return 0;
}

static int s_put(char *buf, size_t size, size_t *n, const char *text)
{
    size_t len = strlen(text);
    if (*n + len >= size)
        return -1;
    memcpy(buf + *n, text, len + 1);
    *n += len;
    return 0;
}

int tt_bn_stream_name(char *buf, size_t size, const char *symbol,
                      const char *kind)
{
    if (!symbol || !*symbol || strchr(symbol, '@') || !kind || !*kind ||
        strchr(kind, '@') || size == 0)
        return -1;
    size_t n = 0;
    if (s_put_name(buf, size, &n, symbol) || s_put(buf, size, &n, "@") ||
        s_put_name(buf, size, &n, kind))
        return -1;
    return (int)n;
}

int tt_bn_subscribe_json(char *buf, size_t size, const char *method,
                         const char *const *streams, size_t nstreams,
                         int64_t id)
{
    if (!method ||
        (strcmp(method, "SUBSCRIBE") != 0 &&
         strcmp(method, "UNSUBSCRIBE") != 0) ||
        nstreams == 0 || size == 0)
        return -1;
    size_t n = 0;
    if (s_put(buf, size, &n, "{\"method\":\"") ||
        s_put(buf, size, &n, method) || s_put(buf, size, &n, "\",\"params\":["))
        return -1;
    for (size_t i = 0; i < nstreams; i++)
        if ((i > 0 && s_put(buf, size, &n, ",")) ||
            s_put(buf, size, &n, "\"") ||
            s_put_name(buf, size, &n, streams[i]) || s_put(buf, size, &n, "\""))
            return -1;
    char tail[40];
    snprintf(tail, sizeof tail, "],\"id\":%lld}", (long long)id);
    if (s_put(buf, size, &n, tail))
        return -1;
    return (int)n;
}

int tt_bn_combined_path(char *buf, size_t size, const char *const *streams,
                        size_t nstreams)
{
    if (nstreams == 0 || size == 0)
        return -1;
    size_t n = 0;
    if (s_put(buf, size, &n, "/stream?streams="))
        return -1;
    for (size_t i = 0; i < nstreams; i++)
        if ((i > 0 && s_put(buf, size, &n, "/")) ||
            s_put_name(buf, size, &n, streams[i]))
            return -1;
    return (int)n;
}
