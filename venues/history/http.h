/*  venues/history/http.h: one blocking HTTP request with libcurl, for
    the history fetch (history.c) and the broker gateways (actors/
    broker_venue.c), which call it on their own threads. */
#ifndef TT_VENUES_HISTORY_HTTP_H
#define TT_VENUES_HISTORY_HTTP_H

#include <stddef.h>

#define TT_HTTP_BODY_MAX (64u << 20) /* a reply larger than this fails */

typedef struct {
    long status; /* HTTP status, 0 before a reply */
    char *body;  /* NUL-terminated, malloc'd */
    size_t len;
    long retry_after; /* Retry-After seconds; -1 when absent */
    long used_weight; /* Binance's X-MBX-USED-WEIGHT-1M; -1 when absent */
} tt_http_reply_t;

/* GETs URL with HEADERS (NULL-terminated "Name: value" lines, may be
   NULL). 0 with *OUT filled (any status), or -1 with ERR when no reply
   came (connection, timeout, too large). Free with tt_http_reply_free. */
int tt_http_get(const char *url, const char *const *headers, long timeout_ms,
                tt_http_reply_t *out, char *err, size_t errsize);

/* The same for METHOD ("POST", "DELETE", "PATCH"...) with BODY (a C
   string sent as is, or NULL for none). */
int tt_http_request(const char *method, const char *url,
                    const char *const *headers, const char *body,
                    long timeout_ms, tt_http_reply_t *out, char *err,
                    size_t errsize);

void tt_http_reply_free(tt_http_reply_t *reply);

#endif
