/*  venues/history/history_many.c: tt_history_fetch_many (history.h).
    Many history requests on one thread through libcurl's multi
    interface: up to `parallel` transfers at once, each page taking its
    weight from the venue's budget (venues/common/ratelimit.h, or the
    caller's: Binance's weight shared with the broker gateway) before it
    starts. A 429 puts its request back to wait for the Retry-After (1 to
    5 s, at most max_retries times, as the blocking fetch always did) and
    blocks the budget for as long, so the other requests hold back too
    rather than knocking during the venue's hold. Requests start lowest
    index first, and a request's next page goes before requests not yet
    started, so the first symbols complete first. */
#include "venues/history/history_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_URL_MAX 2048
/* opts->stop is asked at least this often (ms) */
#define S_TICK_MS 100

typedef enum { S_WAITING, S_ACTIVE, S_ENDED } s_state_t;

typedef struct {
    tt_hjob_t job;
    s_state_t state;
    CURL *easy; /* while S_ACTIVE */
    struct curl_slist *hdrs;
    tt_http_reply_t reply;
    int retries;        /* 429s ridden out on the current page */
    int64_t not_before; /* monotonic ns: a 429's wait */
} s_slot_t;

typedef struct {
    const tt_history_cfg_t *cfg;
    const tt_history_many_t *opts;
    CURLM *multi;
    s_slot_t *slots;
    size_t n, active, ended, parallel;
    char *url;
} s_many_t;

static int64_t s_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * TT_NS_PER_SEC + ts.tv_nsec;
}

static void s_end(s_many_t *m, s_slot_t *s, int rc)
{
    tt_hjob_end(&s->job, rc);
    s->state = S_ENDED;
    m->ended++;
    if (m->opts->done)
        m->opts->done(s->job.req, m->opts->arg);
}

static void s_start(s_many_t *m, s_slot_t *s)
{
    tt_history_req_t *q = s->job.req;
    long timeout = m->cfg->timeout_ms > 0 ? m->cfg->timeout_ms : 10000;
    if (tt_hjob_url(&s->job, m->url, S_URL_MAX) != 0) {
        s_end(m, s, -1);
        return;
    }
    s->hdrs = tt_hjob_headers(&s->job);
    if (m->cfg->venue == TT_HISTORY_ALPACA && !s->hdrs)
        s->easy = NULL;
    else
        s->easy = tt_http_easy_get(m->url, s->hdrs, timeout, &s->reply);
    if (!s->easy || curl_multi_add_handle(m->multi, s->easy) != CURLM_OK) {
        snprintf(q->err, sizeof q->err, "history: out of memory");
        curl_easy_cleanup(s->easy);
        s->easy = NULL;
        curl_slist_free_all(s->hdrs);
        s->hdrs = NULL;
        s_end(m, s, -1);
        return;
    }
    curl_easy_setopt(s->easy, CURLOPT_PRIVATE, (void *)s);
    s->state = S_ACTIVE;
    m->active++;
}

static int64_t s_weight(const s_many_t *m)
{
    return m->opts->weight > 0 ? m->opts->weight : 1;
}

/* Starts waiting requests, lowest index first, while there is room and
   budget. Returns the ms to wait before trying again at most. */
static long s_fill(s_many_t *m)
{
    long wait_ms = S_TICK_MS;
    for (size_t i = 0; i < m->n && m->active < m->parallel; i++) {
        s_slot_t *s = &m->slots[i];
        int64_t now = s_mono();
        if (s->state != S_WAITING)
            continue;
        if (s->not_before > now) {
            long ms = (long)((s->not_before - now) / TT_NS_PER_MS) + 1;
            wait_ms = ms < wait_ms ? ms : wait_ms;
            continue;
        }
        tt_ns_t wait_ns = 0;
        int64_t weight = s_weight(m);
        const tt_history_budget_t *b = m->opts->budget;
        bool held =
            b ? (wait_ns = b->take(b->arg, weight)) > 0
              : m->opts->limit && tt_ratelimit_take(m->opts->limit, weight, now,
                                                    &wait_ns) == 1;
        if (held) {
            long ms = (long)(wait_ns / TT_NS_PER_MS) + 1;
            return ms < wait_ms ? ms : wait_ms;
        }
        s_start(m, s);
    }
    return wait_ms;
}

/* Tells the budget what the reply said about it. */
static void s_budget(s_many_t *m, const tt_http_reply_t *r, long wait_s)
{
    char v[32];
    int64_t now = s_mono();
    if (m->opts->budget) {
        m->opts->budget->reply(m->opts->budget->arg, s_weight(m), r);
        return;
    }
    if (!m->opts->limit)
        return;
    if (r->used_weight >= 0) {
        snprintf(v, sizeof v, "%ld", r->used_weight);
        tt_ratelimit_on_used_weight(m->opts->limit, v, now);
    }
    long hold = r->status == 429 ? wait_s : r->retry_after;
    snprintf(v, sizeof v, "%ld", hold);
    tt_ratelimit_on_reply(m->opts->limit, (int)r->status, hold >= 0 ? v : NULL,
                          now);
}

static void s_finished(s_many_t *m, s_slot_t *s, CURLcode code)
{
    tt_history_req_t *q = s->job.req;
    tt_http_reply_t *r = &s->reply;
    curl_multi_remove_handle(m->multi, s->easy);
    m->active--;
    int rc = tt_http_easy_done(s->easy, code, r, q->err, sizeof q->err);
    curl_easy_cleanup(s->easy);
    s->easy = NULL;
    curl_slist_free_all(s->hdrs);
    s->hdrs = NULL;
    long wait = r->retry_after < 1   ? 1
                : r->retry_after > 5 ? 5
                                     : r->retry_after;
    if (rc == 0 || m->opts->budget)
        s_budget(m, r, wait); /* a caller's budget hears of no reply too */
    if (rc == 0 && r->status == 429 && s->retries < m->cfg->max_retries) {
        s->retries++;
        s->not_before = s_mono() + (int64_t)wait * TT_NS_PER_SEC;
        s->state = S_WAITING;
        tt_http_reply_free(r);
        return;
    }
    if (rc == 0)
        rc = tt_hjob_reply(&s->job, r);
    tt_http_reply_free(r);
    if (rc == 1) {
        s->retries = 0;
        s->state = S_WAITING;
        return;
    }
    s_end(m, s, rc);
}

static void s_read(s_many_t *m)
{
    int left = 0;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        void *slot = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &slot);
        s_finished(m, slot, msg->data.result);
    }
}

/* Ends what is left after a stop (no done call: the caller is
   stopping) or an allocation failure (reported as each request's). */
static void s_abandon(s_many_t *m, bool stopped, const char *why)
{
    for (size_t i = 0; m->slots && i < m->n; i++) {
        s_slot_t *s = &m->slots[i];
        if (s->state == S_ENDED)
            continue;
        if (s->easy) {
            curl_multi_remove_handle(m->multi, s->easy);
            curl_easy_cleanup(s->easy);
            tt_http_reply_free(&s->reply);
            tt_http_reply_t none = {.retry_after = -1, .used_weight = -1};
            if (m->opts->budget)
                s_budget(m, &none, 0);
        }
        curl_slist_free_all(s->hdrs);
        tt_hjob_end(&s->job, -1);
        snprintf(s->job.req->err, sizeof s->job.req->err, "%s", why);
        s->state = S_ENDED;
        if (!stopped && m->opts->done)
            m->opts->done(s->job.req, m->opts->arg);
    }
}

int tt_history_fetch_many(const tt_history_cfg_t *cfg, tt_history_req_t *reqs,
                          size_t n, tt_ns_t now, const tt_history_many_t *opts)
{
    tt_http_init();
    s_many_t m = {.cfg = cfg, .opts = opts, .n = n};
    m.parallel = opts->parallel ? opts->parallel : 4;
    m.slots = calloc(n ? n : 1, sizeof *m.slots);
    m.url = malloc(S_URL_MAX);
    m.multi = curl_multi_init();
    for (size_t i = 0; m.slots && i < n; i++)
        if (tt_hjob_init(&m.slots[i].job, cfg, &reqs[i], now) != 0)
            s_end(&m, &m.slots[i], -1);
    int stopped = 0;
    while (m.slots && m.url && m.multi && m.ended < n) {
        if (opts->stop && opts->stop(opts->arg)) {
            stopped = 1;
            break;
        }
        long wait = s_fill(&m);
        int running = 0;
        curl_multi_perform(m.multi, &running);
        s_read(&m);
        if (m.ended < n)
            curl_multi_poll(m.multi, NULL, 0, (int)wait, NULL);
    }
    s_abandon(&m, stopped, stopped ? "stopped" : "history: out of memory");
    for (size_t i = 0; !m.slots && i < n; i++) {
        reqs[i].rc = -1;
        reqs[i].candles = NULL;
        reqs[i].n = 0;
        snprintf(reqs[i].err, sizeof reqs[i].err, "history: out of memory");
    }
    curl_multi_cleanup(m.multi);
    free(m.url);
    free(m.slots);
    return stopped;
}
