/*  venues/history/http.h: one blocking HTTP request with libcurl, or
    an easy handle for the history fetch's multi interface
    (history_many.c), and the blocking call for the broker gateways (actors/
    broker_venue.c), which call it on their own threads. */
#ifndef TT_VENUES_HISTORY_HTTP_H
#define TT_VENUES_HISTORY_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#define TT_HTTP_BODY_MAX (64u << 20) /* a reply larger than this fails */

/* Binance's X-MBX-ORDER-COUNT-<n><unit> headers kept from one reply
   (the venue sends -10S and -1D). */
#define TT_HTTP_ORDER_COUNTS 4

typedef struct {
    long long interval_ms; /* the header's window: 10S -> 10000 */
    long count;            /* the account's new orders in it */
} tt_http_order_count_t;

typedef struct {
    long status; /* HTTP status, 0 before a reply */
    char *body;  /* NUL-terminated, malloc'd */
    size_t len;
    long retry_after; /* Retry-After seconds; -1 when absent */
    long used_weight; /* Binance's X-MBX-USED-WEIGHT-1M; -1 when absent */
    tt_http_order_count_t order_counts[TT_HTTP_ORDER_COUNTS];
    size_t n_order_counts; /* X-MBX-ORDER-COUNT-* headers read */
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

/* Whether a request under way must end now; asked while it waits (by
   libcurl's progress callback, at least about once a second). */
typedef bool(tt_http_abort_fn)(void *arg);

/* tt_http_request that also ends (-1, "aborted" in ERR) once ABORT(ARG)
   says so: a blocking caller's way out when its thread must stop. ABORT
   may be NULL (then it is tt_http_request). */
int tt_http_request_abortable(const char *method, const char *url,
                              const char *const *headers, const char *body,
                              long timeout_ms, tt_http_abort_fn *abort,
                              void *arg, tt_http_reply_t *out, char *err,
                              size_t errsize);

void tt_http_reply_free(tt_http_reply_t *reply);

/* libcurl's global init, once per process (thread-safe); the calls
   here run it themselves. */
void tt_http_init(void);

/* For libcurl's multi interface (venues/history/history_many.c): an
   easy handle set up as tt_http_get would, writing into OUT (cleared),
   with the caller's header LIST (kept by the caller until the handle is
   cleaned up). NULL when out of memory. */
CURL *tt_http_easy_get(const char *url, struct curl_slist *list,
                       long timeout_ms, tt_http_reply_t *out);

/* The end of that transfer with its result RC: 0 with out->status, or
   -1 with ERR (and OUT freed) when no reply came. */
int tt_http_easy_done(CURL *curl, CURLcode rc, tt_http_reply_t *out, char *err,
                      size_t errsize);

#endif
