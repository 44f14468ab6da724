/*  venues/history/http.c: see http.h. */
#include "venues/history/http.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void s_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void tt_http_init(void)
{
    pthread_once(&s_once, s_global_init);
}

static size_t s_write(char *data, size_t size, size_t nmemb, void *arg)
{
    tt_http_reply_t *r = arg;
    size_t add = size * nmemb;
    if (add > TT_HTTP_BODY_MAX - r->len)
        return 0; /* curl reports a write error */
    char *grown = realloc(r->body, r->len + add + 1);
    if (!grown)
        return 0;
    r->body = grown;
    memcpy(r->body + r->len, data, add);
    r->len += add;
    r->body[r->len] = '\0';
    return add;
}

/* The value of header line DATA (LEN bytes) when it is NAME (lower
   case, with its colon) and a number >= 0; else *OUT is left alone. */
static void s_number(const char *data, size_t len, const char *name, long *out)
{
    size_t k = strlen(name);
    if (len <= k || strncasecmp(data, name, k) != 0)
        return;
    char value[32];
    size_t n = len - k;
    n = n < sizeof value - 1 ? n : sizeof value - 1;
    memcpy(value, data + k, n);
    value[n] = '\0';
    char *end;
    long v = strtol(value, &end, 10);
    if (end != value && v >= 0)
        *out = v;
}

/* Header line DATA (LEN bytes) when it is X-MBX-ORDER-COUNT-<n><unit>
   (unit S, M, H or D) with a count >= 0: kept in R. */
static void s_order_count(const char *data, size_t len, tt_http_reply_t *r)
{
    static const char name[] = "x-mbx-order-count-";
    size_t k = sizeof name - 1;
    if (len <= k || strncasecmp(data, name, k) != 0 ||
        r->n_order_counts == TT_HTTP_ORDER_COUNTS)
        return;
    char line[64];
    size_t n = len - k < sizeof line - 1 ? len - k : sizeof line - 1;
    memcpy(line, data + k, n);
    line[n] = '\0';
    char *end;
    long num = strtol(line, &end, 10);
    const char *units = "smhd";
    static const long long ms[] = {1000, 60000, 3600000, 86400000};
    const char *u = end != line && *end ? strchr(units, tolower(*end)) : NULL;
    if (!u || num <= 0 || num > 1000 || end[1] != ':')
        return;
    char *vend;
    long count = strtol(end + 2, &vend, 10);
    if (vend == end + 2 || count < 0)
        return;
    tt_http_order_count_t *c = &r->order_counts[r->n_order_counts++];
    c->interval_ms = num * ms[u - units];
    c->count = count;
}

static size_t s_header(char *data, size_t size, size_t nmemb, void *arg)
{
    tt_http_reply_t *r = arg;
    size_t len = size * nmemb;
    s_number(data, len, "retry-after:", &r->retry_after);
    s_number(data, len, "x-mbx-used-weight-1m:", &r->used_weight);
    s_order_count(data, len, r);
    return len;
}

static struct curl_slist *s_headers(const char *const *headers)
{
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers && headers[i]; i++) {
        struct curl_slist *next = curl_slist_append(list, headers[i]);
        if (!next) {
            curl_slist_free_all(list);
            return NULL;
        }
        list = next;
    }
    return list;
}

int tt_http_get(const char *url, const char *const *headers, long timeout_ms,
                tt_http_reply_t *out, char *err, size_t errsize)
{
    return tt_http_request("GET", url, headers, NULL, timeout_ms, out, err,
                           errsize);
}

int tt_http_request(const char *method, const char *url,
                    const char *const *headers, const char *body,
                    long timeout_ms, tt_http_reply_t *out, char *err,
                    size_t errsize)
{
    return tt_http_request_abortable(method, url, headers, body, timeout_ms,
                                     NULL, NULL, out, err, errsize);
}

typedef struct {
    tt_http_abort_fn *fn;
    void *arg;
} s_abort_t;

/* libcurl's progress callback: nonzero ends the transfer. */
static int s_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
                      curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const s_abort_t *abort = arg;
    return abort->fn(abort->arg) ? 1 : 0;
}

int tt_http_request_abortable(const char *method, const char *url,
                              const char *const *headers, const char *body,
                              long timeout_ms, tt_http_abort_fn *abort,
                              void *arg, tt_http_reply_t *out, char *err,
                              size_t errsize)
{
    s_abort_t check = {.fn = abort, .arg = arg};
    struct curl_slist *list = s_headers(headers);
    CURL *curl = headers && headers[0] && !list
                     ? NULL
                     : tt_http_easy_get(url, list, timeout_ms, out);
    if (!curl) {
        snprintf(err, errsize, "out of memory");
        curl_slist_free_all(list);
        return -1;
    }
    if (strcmp(method, "GET") != 0)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (abort) {
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, s_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &check);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    }
    int rc =
        tt_http_easy_done(curl, curl_easy_perform(curl), out, err, errsize);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return rc;
}

CURL *tt_http_easy_get(const char *url, struct curl_slist *list,
                       long timeout_ms, tt_http_reply_t *out)
{
    tt_http_init();
    memset(out, 0, sizeof *out);
    out->retry_after = -1;
    out->used_weight = -1;
    CURL *curl = curl_easy_init();
    if (!curl)
        return NULL;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, s_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    return curl;
}

int tt_http_easy_done(CURL *curl, CURLcode rc, tt_http_reply_t *out, char *err,
                      size_t errsize)
{
    if (rc == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
        return 0;
    }
    snprintf(err, errsize, "%s", curl_easy_strerror(rc));
    tt_http_reply_free(out);
    return -1;
}

void tt_http_reply_free(tt_http_reply_t *reply)
{
    free(reply->body);
    reply->body = NULL;
    reply->len = 0;
}
