/*  actors/feed_venue.c: the market-data gateway of a live venue. An edge
    actor on its own thread, like the sim websocket feed (feed_ws.c): a
    loop over the websocket client (venues/wsfeed), which connects,
    reconnects with capped jittered backoff and rotates across the
    venue's endpoints. The venue's protocol (feed_proto.h: Binance or
    Alpaca) says what to send and reads each message; trades come back as
    ticks in the symbol's scales and are batched per symbol to the
    symbols' data actors; closed venue bars go to them one by one
    (TT_MSG_CANDLE), after the symbol's ticks that came before. Every
    frame is stamped with the monotonic time it arrived (the origin of
    what it causes, runtime/latency.h), so tick-to-order latency counts
    from the venue's frame. Before the first connection, the symbols'
    warm-up history is fetched over REST (feed_history.c). Malformed,
    truncated and unexpected messages are counted and skipped: one bad
    frame never costs a symbol or the feed. The client's counters are
    published for health every turn. */
#include "actors/feed_history.h"
#include "actors/feed_proto.h"
#include "actors/feed_stats.h"
#include "actors/feed_venue.h"
#include "runtime/latency.h"
#include "runtime/log.h"
#include "venues/common/secrets.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_SERVICE_MS 5

typedef struct {
    tt_runtime_t *rt;
    size_t venue;
    tt_feed_stats_t *stats;
    const tt_feed_venue_ops_t *ops;
    tt_feed_opts_t opts;
    tt_wsfeed_t *feed;
    void *proto; /* the venue protocol's state */
    tt_sender_t *sender;
    size_t count;        /* symbols of this venue */
    size_t *config_of;   /* feed index -> config symbol index */
    tt_feed_sym_t *syms; /* feed index -> venue name and scales */
    tt_tick_batch_t *batch;
    int64_t *origin;  /* feed index -> arrival of its batch's first tick */
    int64_t frame_ns; /* arrival of the frame being read */
    tt_wsfeed_proto_t wrap; /* the venue's protocol, behind the stamp */
    tt_secret_t *key_id;
    tt_secret_t *secret;
    char *urls[TT_CONFIG_MAX_ENDPOINTS];
    size_t url_count;
    char path[48];
    bool ok; /* start-up result, read by the starter */
} s_feed_t;

/* A batch carries the arrival of its first (oldest) tick: what it causes
   is timed from the earliest frame in it. */
static void s_flush(s_feed_t *self, size_t i)
{
    if (!self->batch[i].count)
        return;
    tt_origin_set(self->origin[i]);
    tt_feed_send_batch(
        self->sender,
        tt_runtime_actor_id((int)self->config_of[i], TT_ROLE_DATA),
        &self->batch[i], self->stats);
    tt_origin_set(0);
}

static void s_on_tick(void *arg, int index, const tt_tick_t *tick)
{
    s_feed_t *self = arg;
    tt_tick_batch_t *batch = &self->batch[index];
    if (!batch->count)
        self->origin[index] = self->frame_ns;
    batch->ticks[batch->count++] = *tick;
    if (batch->count == TT_TICK_BATCH)
        s_flush(self, (size_t)index);
}

/* A closed venue bar, after the symbol's earlier ticks; never dropped
   (it may be the only data of its interval). */
static void s_on_bar(void *arg, int index, const tt_candle_t *bar)
{
    s_feed_t *self = arg;
    s_flush(self, (size_t)index);
    tt_origin_set(self->frame_ns);
    tt_sender_send(
        self->sender,
        tt_runtime_actor_id((int)self->config_of[index], TT_ROLE_DATA),
        TT_ACTOR_ROOT, TT_MSG_CANDLE, bar, sizeof *bar, true);
    tt_origin_set(0);
}

static void s_on_open(void *arg, tt_wsfeed_t *feed)
{
    s_feed_t *self = arg;
    self->ops->proto.on_open(self->proto, feed);
}

static void s_on_message(void *arg, tt_wsfeed_t *feed, const char *buf,
                         size_t len, bool binary)
{
    s_feed_t *self = arg;
    self->frame_ns = tt_mono_ns();
    self->ops->proto.on_message(self->proto, feed, buf, len, binary);
}

static int s_symbols(s_feed_t *self, const tt_config_t *cfg)
{
    self->config_of = calloc(cfg->symbol_count + 1, sizeof *self->config_of);
    self->syms = calloc(cfg->symbol_count + 1, sizeof *self->syms);
    self->batch = calloc(cfg->symbol_count + 1, sizeof *self->batch);
    self->origin = calloc(cfg->symbol_count + 1, sizeof *self->origin);
    if (!self->config_of || !self->syms || !self->batch || !self->origin)
        return -1;
    for (size_t i = 0; i < cfg->symbol_count; i++)
        if (cfg->symbols[i].venue == self->venue) {
            self->config_of[self->count] = i;
            self->syms[self->count].name = cfg->symbols[i].venue_symbol;
            self->syms[self->count++].instrument = cfg->symbols[i].instrument;
        }
    return 0;
}

static int s_keys(s_feed_t *self, const tt_venue_cfg_t *venue)
{
    char err[256] = "";
    if (venue->key_id &&
        !(self->key_id = tt_secret_resolve(venue->key_id, err, sizeof err)))
        tt_error(self->path, "key_id: %s", err);
    else if (venue->secret_key && !(self->secret = tt_secret_resolve(
                                        venue->secret_key, err, sizeof err)))
        tt_error(self->path, "secret_key: %s", err);
    else if (self->ops->needs_keys && (!self->key_id || !self->secret))
        tt_error(self->path, "key_id and secret_key are required");
    else
        return 0;
    return -1;
}

/* The URL of each endpoint (or of the venue's default). */
static int s_urls(s_feed_t *self, const tt_venue_cfg_t *venue,
                  const tt_feed_setup_t *setup)
{
    size_t n = venue->endpoint_count ? venue->endpoint_count : 1;
    char *url = malloc(TT_FEED_URL_MAX);
    char err[200];
    for (size_t i = 0; url && i < n; i++) {
        const char *base = venue->endpoint_count
                               ? venue->endpoints[i]
                               : self->ops->default_base(&self->opts);
        if (self->ops->url(base, setup, url, err, sizeof err) != 0) {
            tt_error(self->path, "endpoint %zu: %s", i, err);
            free(url);
            return -1;
        }
        if (!(self->urls[self->url_count++] = strdup(url)))
            break;
    }
    free(url);
    return self->url_count == n ? 0 : -1;
}

static int s_client(s_feed_t *self)
{
    tt_wsfeed_cfg_t wcfg;
    tt_wsfeed_cfg_default(&wcfg);
    wcfg.urls = (const char *const *)self->urls;
    wcfg.url_count = self->url_count;
    wcfg.on_tick = s_on_tick;
    wcfg.tick_arg = self;
    self->wrap = (tt_wsfeed_proto_t){s_on_open, s_on_message};
    wcfg.proto = &self->wrap;
    wcfg.proto_arg = self;
    wcfg.backoff_initial_ms = self->opts.backoff_ms;
    wcfg.backoff_max_ms = self->opts.backoff_max_ms;
    wcfg.idle_timeout_ms = self->opts.idle_timeout_ms;
    wcfg.ping_idle_s = self->opts.ping_idle_s;
    wcfg.seed = (uint64_t)tt_mono_ns() ^ (uint64_t)self->venue;
    const char **names = calloc(self->count + 1, sizeof *names);
    if (!names)
        return -1;
    for (size_t i = 0; i < self->count; i++)
        names[i] = self->syms[i].name;
    if (self->ops->dedupe) { /* sizes the per-symbol last trade ids */
        wcfg.symbols = names;
        wcfg.symbol_count = self->count;
        wcfg.dedupe = true;
    }
    char err[200];
    self->feed = tt_wsfeed_new(&wcfg, err, sizeof err);
    free(names);
    if (!self->feed)
        tt_error(self->path, "%s", err);
    return self->feed ? 0 : -1;
}

static int s_setup(s_feed_t *self)
{
    const tt_config_t *cfg = tt_runtime_config(self->rt);
    const tt_venue_cfg_t *venue = &cfg->venues[self->venue];
    self->ops = tt_feed_venue_ops(venue->kind);
    self->sender = tt_sender_new(self->rt);
    if (!self->ops || !self->sender || s_symbols(self, cfg) != 0)
        return -1;
    if (tt_feed_opts_parse(cfg, self->venue, &self->opts, NULL, NULL) != 0) {
        tt_error(self->path, "bad params (run check-config)");
        return -1;
    }
    if (s_keys(self, venue) != 0)
        return -1;
    tt_feed_setup_t setup = {
        .venue_name = venue->name,
        .opts = &self->opts,
        .symbols = self->syms,
        .count = self->count,
        .key_id = self->key_id ? tt_secret_value(self->key_id) : NULL,
        .secret = self->secret ? tt_secret_value(self->secret) : NULL,
        .on_bar = s_on_bar,
        .bar_arg = self,
    };
    if (s_urls(self, venue, &setup) != 0)
        return -1;
    char err[200];
    self->proto = self->ops->create(&setup, err, sizeof err);
    if (!self->proto) {
        tt_error(self->path, "%s", err);
        return -1;
    }
    return s_client(self);
}

static void s_teardown(s_feed_t *self)
{
    tt_wsfeed_destroy(&self->feed);
    if (self->ops)
        self->ops->destroy(&self->proto);
    tt_sender_destroy(&self->sender);
    tt_secret_destroy(&self->key_id);
    tt_secret_destroy(&self->secret);
    for (size_t i = 0; i < self->url_count; i++)
        free(self->urls[i]);
    free(self->config_of);
    free(self->syms);
    free(self->batch);
    free(self->origin);
}

static void s_publish(s_feed_t *self)
{
    tt_wsfeed_stats_t ws;
    tt_wsfeed_stats(self->feed, &ws);
    tt_feed_stats_publish(self->stats, &ws, self->urls[ws.url_index]);
}

/* A stale symbol: the venue's subscription is renewed by reconnecting
   (the protocol authenticates and subscribes on every connection; a
   second subscribe on a live one is not something every venue
   accepts). */
static void s_resubscribe(s_feed_t *self, const char *symbol)
{
    int rc = tt_wsfeed_resubscribe(self->feed);
    tt_info(self->path, "%s stale: %s", symbol,
            rc == 0 ? "reconnecting to subscribe again"
                    : "not connected; the next connection subscribes");
    atomic_fetch_add(&self->stats->resubscribes, 1);
}

/* The warm-up history, before the first connection: 0, or 1 when the
   feed was told to stop meanwhile. */
static int s_history(s_feed_t *self, zsock_t *pipe)
{
    tt_feed_history_t h = {
        .rt = self->rt,
        .venue = self->venue,
        .path = self->path,
        .opts = &self->opts,
        .syms = self->syms,
        .config_of = self->config_of,
        .count = self->count,
        .key_id = self->key_id ? tt_secret_value(self->key_id) : NULL,
        .secret = self->secret ? tt_secret_value(self->secret) : NULL,
        .sender = self->sender,
        .stats = self->stats,
        .pipe = pipe,
    };
    return tt_feed_history_run(&h);
}

static void s_task(zsock_t *pipe, void *arg)
{
    s_feed_t *start = arg;
    s_feed_t self = {
        .rt = start->rt, .venue = start->venue, .stats = start->stats};
    snprintf(self.path, sizeof self.path, "feed/%s",
             tt_runtime_config(self.rt)->venues[self.venue].name);
    tt_thread_name(self.path);
    start->ok = s_setup(&self) == 0;
    bool ok = start->ok; /* START belongs to the starter after the signal */
    zsock_signal(pipe, 0);
    if (ok && s_history(&self, pipe) != 0)
        ok = false; /* $TERM came during the fetch */
    zpoller_t *poller = ok ? zpoller_new(pipe, NULL) : NULL;
    while (poller) {
        void *which = zpoller_wait(poller, 0);
        char symbol[TT_SYMBOL_NAME_MAX + 1];
        if (which == pipe && tt_feed_command(pipe, symbol, sizeof symbol)) {
            s_resubscribe(&self, symbol);
            continue;
        }
        if (which == pipe || zpoller_terminated(poller))
            break; /* $TERM */
        tt_wsfeed_service(self.feed, S_SERVICE_MS);
        for (size_t i = 0; i < self.count; i++)
            s_flush(&self, i);
        tt_feed_flush(self.sender, self.stats);
        s_publish(&self);
    }
    if (poller)
        tt_feed_fence(self.rt, self.sender);
    zpoller_destroy(&poller);
    s_teardown(&self);
}

zactor_t *tt_feed_venue_start(tt_runtime_t *rt, size_t venue,
                              tt_feed_stats_t *stats)
{
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    s_feed_t start = {.rt = rt, .venue = venue, .stats = stats};
    zactor_t *actor = zactor_new(s_task, &start);
    if (actor && !start.ok)
        zactor_destroy(&actor);
    return actor;
}
