/*  actors/broker_venue.c: the broker gateway of a live venue. An edge
    actor on its own thread, like the venue's market-data feed
    (feed_venue.c): it binds its inbox (tt_runtime_endpoint_broker), where
    the execution actors of the venue's symbols send their order intents,
    and runs the venue's order stream on the same websocket client as the
    feeds (venues/wsfeed: reconnect, backoff, holds).

    Intents wait in one queue, in arrival order, and go to the venue's
    protocol (broker_proto.h) one at a time. Every REST request takes a
    unit from one token bucket per venue (venues/common/ratelimit.h),
    shared by all symbols: the venue limits by key, not by symbol. A 429
    empties the bucket and holds every request until its Retry-After; the
    intent in hand stays at the head of the queue and is tried again then,
    so a storm of 429s costs one request per hold, never a retry loop.
    A 5xx or no reply pauses every request for a second.

    Requests are blocking libcurl calls (with the venue's timeout) on this
    thread: the gateway does one thing at a time, in order, which is what
    the venue's own per-key ordering wants, and the order stream is
    serviced between requests. A cancel of an order still in the queue
    never reaches the venue: the order is answered cancelled here, unless
    it may be at the venue already (tt_broker_gw_unsure: sent without an
    answer, alone or as an OCO's leg), when the cancel waits behind it. */
#include "actors/broker_proto.h"
#include "actors/broker_venue.h"
#include "actors/feed_stats.h"
#include "runtime/log.h"
#include "venues/common/ratelimit.h"
#include "venues/common/secrets.h"

#include <libwebsockets.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_QUEUE 256            /* intents waiting for the venue, at most */
#define S_TURN 16              /* intents carried out per loop turn, at most */
#define S_DRAIN 256            /* inbox frames taken per loop turn, at most */
#define S_SERVICE_MS 5         /* stream service wait when idle */
#define S_DOWN_NS 1000000000LL /* pause after no reply or a 5xx */

typedef struct {
    tt_intent_t it;
    size_t sym; /* gateway index */
    int attempt;
    bool unsure; /* tt_broker_gw_unsure: it may be at the venue */
    bool held;   /* waiting out a keys' hold (said once in the log) */
} s_job_t;

struct tt_broker_gw {
    tt_runtime_t *rt;
    size_t venue;
    tt_feed_stats_t *stats;
    const tt_broker_ops_t *ops;
    tt_feed_opts_t opts;
    void *proto;
    tt_sender_t *sender;
    zsock_t *inbox;
    tt_wsfeed_t *stream;
    tt_ratelimit_t *budget;
    size_t count;        /* symbols of this venue */
    size_t *config_of;   /* gateway index -> config symbol index */
    tt_feed_sym_t *syms; /* gateway index -> venue name and scales */
    tt_secret_t *key_id, *secret;
    char rest[256], stream_url[256];
    char shown_url[256];    /* for health: a session's key left out */
    tt_wsfeed_stats_t past; /* counters of the streams replaced */
    s_job_t queue[S_QUEUE];
    size_t head, n;
    tt_ns_t paused_until; /* mono: after no reply or a 5xx */
    tt_ns_t refuse_until; /* mono: new orders refused locally */
    s_job_t *in_hand;     /* the intent ops->intent carries out */
    char refuse_reason[64];
    char error[200]; /* the order path's last error */
    char path[48];
    bool ok;
};

bool tt_broker_venue_wanted(const tt_config_t *cfg, size_t v)
{
    if (v >= cfg->venue_count || (cfg->venues[v].kind != TT_VENUE_ALPACA &&
                                  cfg->venues[v].kind != TT_VENUE_BINANCE))
        return false;
    tt_feed_opts_t opts;
    if (tt_feed_opts_parse(cfg, v, &opts, NULL, NULL) != 0)
        return false; /* check-config refuses such a config */
    return strcmp(opts.orders, "venue") == 0;
}

/* ---- services for the protocol ------------------------------------------ */

/* A request under way ends once the service's stop is due: the stop
   waited for its answer as long as its budget allowed (the execution
   actors name the orders left unanswered), and the process must not
   outlive service.shutdown_timeout_ms on a venue that does not answer. */
static bool s_stop_due(void *arg)
{
    const tt_broker_gw_t *gw = arg;
    return tt_runtime_stop_due(gw->rt);
}

int tt_broker_gw_http(tt_broker_gw_t *gw, const char *method, const char *path,
                      const char *const *headers, const char *body,
                      tt_http_reply_t *out, char *err, size_t errsize)
{
    tt_ns_t now = tt_mono_ns();
    if (tt_runtime_stop_due(gw->rt) || now < gw->paused_until ||
        tt_ratelimit_take(gw->budget, 1, now, NULL) != 0)
        return TT_BROKER_LATER;
    char url[2048]; /* a signed Binance query is long */
    if ((size_t)snprintf(url, sizeof url, "%s%s", gw->rest, path) >=
        sizeof url) {
        snprintf(err, errsize, "%s %.40s...: URL too long", method, path);
        return -1;
    }
    atomic_fetch_add(&gw->stats->ticks, 1); /* requests, for health */
    if (tt_http_request_abortable(method, url, headers, body,
                                  gw->opts.http_timeout_ms, s_stop_due, gw, out,
                                  err, errsize) != 0) {
        if (tt_runtime_stop_due(gw->rt))
            snprintf(err, errsize,
                     "no answer by the stop's deadline (the venue may have "
                     "it)");
        gw->paused_until = tt_mono_ns() + S_DOWN_NS;
        return -1;
    }
    char retry[24] = "";
    if (out->retry_after >= 0)
        snprintf(retry, sizeof retry, "%ld", out->retry_after);
    tt_ratelimit_on_reply(gw->budget, (int)out->status, retry[0] ? retry : NULL,
                          tt_mono_ns());
    /* A venue in trouble is not asked again at the budget's pace: a 5xx
       pauses every request as no reply does. */
    if (out->status >= 500)
        gw->paused_until = tt_mono_ns() + S_DOWN_NS;
    /* The path without its query: a signed one (Binance) carries the
       request's signature, the account's order, its timestamp. */
    if (out->status == 429)
        tt_warn(gw->path, "%s %.*s: 429 rate limited; holding requests %s%s",
                method, (int)strcspn(path, "?"), path,
                retry[0] ? "for " : "(no Retry-After)", retry[0] ? retry : "");
    return TT_BROKER_DONE;
}

void tt_broker_gw_emit(tt_broker_gw_t *gw, size_t sym, const tt_broker_ev_t *ev)
{
    assert(sym < gw->count);
    uint32_t to =
        tt_runtime_actor_id((int)gw->config_of[sym], TT_ROLE_EXECUTION);
    tt_sender_send(gw->sender, to, TT_ACTOR_BROKER(gw->venue),
                   TT_MSG_BROKER_EVENT, ev, sizeof *ev, true);
    atomic_fetch_add(&gw->stats->batches, 1);
}

void tt_broker_gw_note(tt_broker_gw_t *gw, size_t sym, const char *coid,
                       int32_t action, const char *fill_id, const char *reason)
{
    tt_broker_ev_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TT_EV_RECONCILED;
    ev.ts = tt_broker_gw_now(gw);
    ev.code = action;
    snprintf(ev.coid, sizeof ev.coid, "%.*s", (int)sizeof ev.coid - 1, coid);
    snprintf(ev.fill_id, sizeof ev.fill_id, "%.*s", (int)sizeof ev.fill_id - 1,
             fill_id ? fill_id : "");
    snprintf(ev.reason, sizeof ev.reason, "%.*s", (int)sizeof ev.reason - 1,
             reason ? reason : "");
    tt_broker_gw_emit(gw, sym, &ev);
}

void tt_broker_gw_refuse(tt_broker_gw_t *gw, int64_t hold_ms,
                         const char *reason)
{
    gw->refuse_until = tt_mono_ns() + hold_ms * 1000000;
    snprintf(gw->refuse_reason, sizeof gw->refuse_reason, "%s", reason);
    tt_broker_gw_error(gw, reason);
    tt_error(gw->path, "%s: new orders refused for %lld s", reason,
             (long long)(hold_ms / 1000));
}

void tt_broker_gw_unsure(tt_broker_gw_t *gw)
{
    if (gw->in_hand)
        gw->in_hand->unsure = true;
}

void tt_broker_gw_unsure_also(tt_broker_gw_t *gw, size_t sym, const char *coid)
{
    for (size_t i = 0; i < gw->n; i++) {
        s_job_t *job = &gw->queue[(gw->head + i) % S_QUEUE];
        if (job->attempt >= 0 && job->sym == sym &&
            (job->it.kind == TT_INTENT_SUBMIT ||
             job->it.kind == TT_INTENT_REPLACE) &&
            strcmp(job->it.order.coid, coid) == 0)
            job->unsure = true;
    }
}

void tt_broker_gw_error(tt_broker_gw_t *gw, const char *text)
{
    snprintf(gw->error, sizeof gw->error, "%s", text);
}

tt_ns_t tt_broker_gw_now(const tt_broker_gw_t *gw)
{
    return tt_clock_now(tt_runtime_clock(gw->rt));
}

const char *tt_broker_gw_path(const tt_broker_gw_t *gw)
{
    return gw->path;
}

static int s_stream(tt_broker_gw_t *gw);

/* Adds the counters of FROM to TO: a stream replaced (a new session)
   and the one after it count as one, so health's counters only grow. */
static void s_add_counts(tt_wsfeed_stats_t *to, const tt_wsfeed_stats_t *from)
{
    to->reconnects += from->reconnects + (to->connects && from->connects);
    to->frames += from->frames;
    to->malformed += from->malformed;
    to->other += from->other;
    to->unknown_symbol += from->unknown_symbol;
    to->server_errors += from->server_errors;
    to->attempts += from->attempts;
    to->connects += from->connects;
    to->bars += from->bars;
    to->holds += from->holds;
    to->duplicates += from->duplicates;
    to->subscribes += from->subscribes;
}

int tt_broker_gw_stream_to(tt_broker_gw_t *gw, const char *url)
{
    if (gw->stream) {
        tt_wsfeed_stats_t ws;
        tt_wsfeed_stats(gw->stream, &ws);
        s_add_counts(&gw->past, &ws);
    }
    tt_wsfeed_destroy(&gw->stream);
    snprintf(gw->stream_url, sizeof gw->stream_url, "%s", url);
    /* The last segment names the session (a listenKey reads the
       account's events): neither logged nor shown. */
    const char *slash = strrchr(url, '/');
    snprintf(gw->shown_url, sizeof gw->shown_url, "%.*s%s",
             (int)(slash ? slash - url : 0), url, url[0] ? "/..." : "");
    if (!url[0])
        return 0;
    tt_info(gw->path, "order stream now %s", gw->shown_url);
    return s_stream(gw);
}

/* ---- the queue ------------------------------------------------------------
 */

/* RETRY_MS: a refusal that passes (tt_broker_ev_t), 0 otherwise. */
static void s_answer(tt_broker_gw_t *gw, const s_job_t *job,
                     tt_broker_ev_kind_t kind, const char *reason,
                     int32_t retry_ms)
{
    tt_broker_ev_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.retry_ms = kind == TT_EV_REJECTED ? retry_ms : 0;
    ev.ts = tt_broker_gw_now(gw);
    snprintf(ev.coid, sizeof ev.coid, "%s", job->it.order.coid);
    snprintf(ev.reason, sizeof ev.reason, "%s", reason);
    tt_broker_gw_emit(gw, job->sym, &ev);
}

bool tt_broker_gw_take(tt_broker_gw_t *gw, size_t sym, tt_intent_kind_t kind,
                       tt_role_t role, bool take, tt_intent_t *out)
{
    for (size_t i = 1; i < gw->n; i++) {
        s_job_t *job = &gw->queue[(gw->head + i) % S_QUEUE];
        tt_role_t r;
        if (job->attempt < 0 || job->sym != sym || job->it.kind != kind ||
            tt_coid_parse(job->it.order.coid, NULL, &r) != 0 || r != role)
            continue;
        *out = job->it;
        if (take) {
            job->it.kind = TT_INTENT_CANCEL; /* now a no-op, answered by */
            job->attempt = -1;               /* the protocol with the other */
        }
        return true;
    }
    return false;
}

/* A cancel of an order that has not left the queue: it never will. */
static bool s_cancel_queued(tt_broker_gw_t *gw, const s_job_t *cancel)
{
    for (size_t i = 0; i < gw->n; i++) {
        s_job_t *job = &gw->queue[(gw->head + i) % S_QUEUE];
        if ((job->it.kind != TT_INTENT_SUBMIT &&
             job->it.kind != TT_INTENT_REPLACE) ||
            strcmp(job->it.order.coid, cancel->it.order.coid) != 0)
            continue;
        if (job->unsure) { /* maybe at the venue: the cancel goes there */
            tt_info(gw->path,
                    "cancel of %s waits behind it: it may be at the venue",
                    job->it.order.coid);
            return false;
        }
        job->it.kind = TT_INTENT_CANCEL; /* now a no-op: answered here */
        job->attempt = -1;
        s_answer(gw, cancel, TT_EV_CANCELLED, "cancelled before sending", 0);
        return true;
    }
    return false;
}

static void s_enqueue(tt_broker_gw_t *gw, const tt_msg_t *msg)
{
    tt_actor_entry_t *entry = tt_runtime_actor(gw->rt, msg->hdr.from);
    size_t sym = gw->count;
    for (size_t i = 0; entry && i < gw->count; i++)
        if (gw->config_of[i] == (size_t)entry->symbol)
            sym = i;
    s_job_t job = {.it = msg->body.intent, .sym = sym};
    if (sym == gw->count ||
        !memchr(job.it.order.coid, '\0', sizeof job.it.order.coid)) {
        tt_error(gw->path,
                 "intent from actor %u, not a symbol of this "
                 "venue's, ignored",
                 msg->hdr.from);
        return;
    }
    if (job.it.kind == TT_INTENT_CANCEL && s_cancel_queued(gw, &job))
        return;
    if (gw->n == S_QUEUE) {
        s_answer(gw, &job,
                 job.it.kind == TT_INTENT_CANCEL ? TT_EV_CANCEL_REJECTED
                                                 : TT_EV_REJECTED,
                 "gateway queue full", TT_EV_RETRY_UNNAMED);
        return;
    }
    gw->queue[(gw->head + gw->n++) % S_QUEUE] = job;
    atomic_store(&gw->stats->queued, gw->n);
}

static void s_drain(tt_broker_gw_t *gw)
{
    void *sock = zsock_resolve(gw->inbox);
    tt_msg_t msg;
    for (int i = 0; i < S_DRAIN; i++) {
        int size = zmq_recv(sock, &msg, sizeof msg, ZMQ_DONTWAIT);
        if (size < 0)
            return;
        tt_runtime_handled(gw->rt, 1);
        if (tt_msg_check(&msg, (size_t)size) != 0 ||
            msg.hdr.type != TT_MSG_BROKER_INTENT) {
            tt_error(gw->path, "malformed message (%d bytes) ignored", size);
            continue;
        }
        s_enqueue(gw, &msg);
    }
}

/* Carries out the head of the queue: false when it must wait. */
static bool s_run_one(tt_broker_gw_t *gw)
{
    s_job_t *job = &gw->queue[gw->head];
    bool order =
        job->it.kind == TT_INTENT_SUBMIT || job->it.kind == TT_INTENT_REPLACE;
    if (job->attempt < 0) { /* cancelled in the queue */
    } else if (order && job->unsure && tt_mono_ns() < gw->refuse_until) {
        /* Maybe at the venue: not refused here (tt_broker_gw_unsure); it
           waits at the head for the hold's end, then its lookup. */
        if (!job->held)
            tt_warn(gw->path,
                    "%s: keys refused while the venue may hold it: waits "
                    "for the hold's end, then is looked up",
                    job->it.order.coid);
        job->held = true;
        return false;
    } else if (order && tt_mono_ns() < gw->refuse_until) {
        /* Keys held: the order may go again once the hold is over. */
        int64_t ms = (gw->refuse_until - tt_mono_ns()) / 1000000 + 1;
        s_answer(gw, job, TT_EV_REJECTED, gw->refuse_reason,
                 ms > INT32_MAX ? INT32_MAX : (int32_t)ms);
    } else {
        gw->in_hand = job;
        int rc = gw->ops->intent(gw->proto, job->sym, &job->it, job->attempt);
        gw->in_hand = NULL;
        if (rc == TT_BROKER_LATER) {
            job->attempt++;
            return false;
        }
    }
    gw->head = (gw->head + 1) % S_QUEUE;
    gw->n--;
    atomic_store(&gw->stats->queued, gw->n);
    return true;
}

/* True when work is left that can be done now (no wait for the stream). */
static bool s_work(tt_broker_gw_t *gw)
{
    if (gw->ops->work(gw->proto) == TT_BROKER_LATER)
        return false; /* its re-query goes before new intents */
    for (int i = 0; i < S_TURN && gw->n; i++)
        if (!s_run_one(gw))
            return false;
    return gw->n > 0;
}

/* ---- setup ------------------------------------------------------------------
 */

static int s_symbols(tt_broker_gw_t *gw, const tt_config_t *cfg)
{
    gw->config_of = calloc(cfg->symbol_count + 1, sizeof *gw->config_of);
    gw->syms = calloc(cfg->symbol_count + 1, sizeof *gw->syms);
    if (!gw->config_of || !gw->syms)
        return -1;
    for (size_t i = 0; i < cfg->symbol_count; i++)
        if (cfg->symbols[i].venue == gw->venue) {
            gw->config_of[gw->count] = i;
            gw->syms[gw->count].name = cfg->symbols[i].venue_symbol;
            gw->syms[gw->count++].instrument = cfg->symbols[i].instrument;
        }
    return 0;
}

static int s_keys(tt_broker_gw_t *gw, const tt_venue_cfg_t *venue)
{
    char err[256] = "";
    if (!venue->key_id || !venue->secret_key)
        tt_error(gw->path, "key_id and secret_key are required for orders");
    else if (!(gw->key_id = tt_secret_resolve(venue->key_id, err, sizeof err)))
        tt_error(gw->path, "key_id: %s", err);
    else if (!(gw->secret =
                   tt_secret_resolve(venue->secret_key, err, sizeof err)))
        tt_error(gw->path, "secret_key: %s", err);
    else
        return 0;
    return -1;
}

static void s_no_tick(void *arg, int index, const tt_tick_t *tick)
{
    (void)arg;
    (void)index;
    (void)tick;
}

static int s_stream(tt_broker_gw_t *gw)
{
    tt_wsfeed_cfg_t wcfg;
    tt_wsfeed_cfg_default(&wcfg);
    const char *urls[] = {gw->stream_url};
    wcfg.urls = urls;
    wcfg.url_count = 1;
    wcfg.on_tick = s_no_tick;
    wcfg.proto = &gw->ops->stream;
    wcfg.proto_arg = gw->proto;
    wcfg.backoff_initial_ms = gw->opts.backoff_ms;
    wcfg.backoff_max_ms = gw->opts.backoff_max_ms;
    wcfg.idle_timeout_ms = 0; /* the order stream is quiet between orders */
    wcfg.ping_idle_s = gw->opts.ping_idle_s;
    wcfg.seed = (uint64_t)tt_mono_ns() ^ 0xb70c3e5u;
    char err[200];
    gw->stream = tt_wsfeed_new(&wcfg, err, sizeof err);
    if (!gw->stream)
        tt_error(gw->path, "order stream: %s", err);
    return gw->stream ? 0 : -1;
}

/* A bucket that never lets more than the venue's per-minute budget into
   any clock minute: a burst of a tenth of it, the rest refilled evenly. */
static int s_budget(tt_broker_gw_t *gw)
{
    int64_t per_min = gw->opts.orders_per_min;
    int64_t burst = per_min / 10 > 0 ? per_min / 10 : 1;
    tt_ratelimit_config_t rc = {
        .capacity = burst,
        .refill = per_min - burst > 0 ? per_min - burst : 1,
        .interval_ns = 60 * 1000000000LL,
    };
    gw->budget = tt_ratelimit_new(&rc, tt_mono_ns());
    return gw->budget ? 0 : -1;
}

static int s_inbox(tt_broker_gw_t *gw)
{
    char endpoint[64];
    tt_runtime_endpoint_broker(gw->rt, endpoint, sizeof endpoint, gw->venue);
    gw->inbox = zsock_new(ZMQ_PULL);
    if (!gw->inbox)
        return -1;
    zsock_set_rcvhwm(gw->inbox, tt_runtime_config(gw->rt)->mailbox_hwm);
    if (zsock_bind(gw->inbox, "%s", endpoint) != 0) {
        tt_error(gw->path, "cannot bind %s", endpoint);
        return -1;
    }
    return 0;
}

static int s_setup(tt_broker_gw_t *gw)
{
    const tt_config_t *cfg = tt_runtime_config(gw->rt);
    const tt_venue_cfg_t *venue = &cfg->venues[gw->venue];
    gw->ops = venue->kind == TT_VENUE_ALPACA    ? &tt_broker_alpaca_ops
              : venue->kind == TT_VENUE_BINANCE ? &tt_broker_binance_ops
                                                : NULL;
    gw->sender = tt_sender_new(gw->rt);
    if (!gw->ops || !gw->sender || s_symbols(gw, cfg) != 0 || s_inbox(gw) != 0)
        return -1;
    if (tt_feed_opts_parse(cfg, gw->venue, &gw->opts, NULL, NULL) != 0) {
        tt_error(gw->path, "bad params (run check-config)");
        return -1;
    }
    if (s_keys(gw, venue) != 0 || s_budget(gw) != 0)
        return -1;
    gw->ops->urls(&gw->opts, gw->rest, gw->stream_url, sizeof gw->rest);
    snprintf(gw->shown_url, sizeof gw->shown_url, "%s", gw->stream_url);
    tt_broker_setup_t setup = {.venue_name = venue->name,
                               .opts = &gw->opts,
                               .symbols = gw->syms,
                               .count = gw->count,
                               .key_id = tt_secret_value(gw->key_id),
                               .secret = tt_secret_value(gw->secret)};
    char err[200];
    gw->proto = gw->ops->create(gw, &setup, err, sizeof err);
    if (!gw->proto) {
        tt_error(gw->path, "%s", err);
        return -1;
    }
    tt_info(gw->path, "orders to %s, order stream %s, %lld requests/min",
            gw->rest, gw->stream_url[0] ? gw->stream_url : "(per session)",
            (long long)gw->opts.orders_per_min);
    /* A venue whose stream URL names a session (Binance's listenKey)
       starts it later, through tt_broker_gw_stream_to. */
    return gw->stream_url[0] ? s_stream(gw) : 0;
}

static void s_teardown(tt_broker_gw_t *gw)
{
    tt_wsfeed_destroy(&gw->stream);
    if (gw->ops && gw->proto)
        gw->ops->destroy(&gw->proto);
    if (gw->sender) {
        tt_sender_flush(gw->sender);
        tt_sender_destroy(&gw->sender);
    }
    zsock_destroy(&gw->inbox);
    tt_ratelimit_destroy(&gw->budget);
    tt_secret_destroy(&gw->key_id);
    tt_secret_destroy(&gw->secret);
    free(gw->config_of);
    free(gw->syms);
}

/* The order stream's state for health; the order path's own error (a
   refused key, a venue that does not answer) comes first. */
static void s_publish(tt_broker_gw_t *gw)
{
    tt_wsfeed_stats_t ws;
    memset(&ws, 0, sizeof ws);
    if (gw->stream)
        tt_wsfeed_stats(gw->stream, &ws);
    s_add_counts(&ws, &gw->past);
    tt_feed_stats_publish(gw->stats, &ws, gw->shown_url);
    if (!gw->error[0])
        return;
    pthread_mutex_lock(&gw->stats->lock);
    snprintf(gw->stats->last_error, sizeof gw->stats->last_error,
             "orders: %.150s%s%.90s", gw->error, ws.last_error[0] ? "; " : "",
             ws.last_error);
    pthread_mutex_unlock(&gw->stats->lock);
}

static void s_task(zsock_t *pipe, void *arg)
{
    tt_broker_gw_t *start = arg;
    tt_broker_gw_t *gw = calloc(1, sizeof *gw);
    bool ok = false;
    if (gw) {
        gw->rt = start->rt;
        gw->venue = start->venue;
        gw->stats = start->stats;
        snprintf(gw->path, sizeof gw->path, "broker/%s",
                 tt_runtime_config(gw->rt)->venues[gw->venue].name);
        tt_thread_name(gw->path);
        ok = s_setup(gw) == 0;
    }
    start->ok = ok; /* START belongs to the starter after the signal */
    zsock_signal(pipe, 0);
    zpoller_t *poller = ok ? zpoller_new(pipe, gw->inbox, NULL) : NULL;
    bool busy = false;
    while (poller) {
        void *which =
            zpoller_wait(poller, gw->stream || busy ? 0 : S_SERVICE_MS);
        char symbol[TT_SYMBOL_NAME_MAX + 1];
        if (which == pipe && tt_feed_command(pipe, symbol, sizeof symbol))
            continue; /* a stale symbol: nothing to re-subscribe here */
        if (which == pipe || zpoller_terminated(poller))
            break; /* $TERM */
        s_drain(gw);
        if (gw->stream)
            tt_wsfeed_service(gw->stream, busy ? 0 : S_SERVICE_MS);
        busy = s_work(gw);
        tt_sender_flush(gw->sender);
        s_publish(gw);
    }
    zpoller_destroy(&poller);
    if (gw)
        s_teardown(gw);
    free(gw);
}

zactor_t *tt_broker_venue_start(tt_runtime_t *rt, size_t venue,
                                tt_feed_stats_t *stats)
{
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    tt_broker_gw_t start = {.rt = rt, .venue = venue, .stats = stats};
    zactor_t *actor = zactor_new(s_task, &start);
    if (actor && !start.ok)
        zactor_destroy(&actor);
    return actor;
}
