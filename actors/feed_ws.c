/*  actors/feed_ws.c: the feed of a sim venue that names endpoints: ticks
    arrive over a real websocket from `ticktree tickserver` (or anything
    speaking its format, docs/TICKSERVER.md) instead of from an
    in-process market. An edge actor on its own thread: a loop over the
    websocket client (venues/wsfeed), which reconnects, re-subscribes and
    rotates across the endpoints by itself; ticks are batched per symbol
    and sent to the symbols' data actors like the in-process feed does. */
#include "actors/feed_stats.h"
#include "actors/feed_ws.h"
#include "runtime/log.h"
#include "venues/wsfeed/wsfeed.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_SERVICE_MS 5

typedef struct {
    tt_runtime_t *rt;
    size_t venue;
    tt_feed_stats_t *stats;
    tt_wsfeed_t *feed;
    tt_sender_t *sender;
    size_t count;       /* symbols of this venue */
    size_t *config_of;  /* feed index -> config symbol index */
    const char **names; /* feed index -> symbol name */
    tt_tick_batch_t *batch;
    char path[48];
    bool ok; /* start-up result, read by the starter */
} s_feed_t;

static int s_lookup(void *arg, const char *symbol, tt_instrument_t *inst)
{
    s_feed_t *self = arg;
    const tt_config_t *cfg = tt_runtime_config(self->rt);
    for (size_t i = 0; i < self->count; i++)
        if (!strcmp(self->names[i], symbol)) {
            *inst = cfg->symbols[self->config_of[i]].instrument;
            return (int)i;
        }
    return -1;
}

static void s_flush(s_feed_t *self, size_t i)
{
    tt_feed_send_batch(
        self->sender,
        tt_runtime_actor_id((int)self->config_of[i], TT_ROLE_DATA),
        &self->batch[i], self->stats);
}

static void s_on_tick(void *arg, int index, const tt_tick_t *tick)
{
    s_feed_t *self = arg;
    tt_tick_batch_t *batch = &self->batch[index];
    batch->ticks[batch->count++] = *tick;
    if (batch->count == TT_TICK_BATCH)
        s_flush(self, (size_t)index);
}

/* A stale symbol: the subscribe message (all of this feed's symbols: a
   subscription replaces the previous one, docs/TICKSERVER.md) goes out
   again on the open connection. Without one, the next connection
   subscribes anyway. */
static void s_resubscribe(s_feed_t *self, const char *symbol)
{
    int rc = tt_wsfeed_resubscribe(self->feed);
    tt_info(self->path, "%s stale: %s", symbol,
            rc == 0 ? "subscribe sent again"
                    : "not connected; the next connection subscribes");
    atomic_fetch_add(&self->stats->resubscribes, 1);
}

static int s_setup(s_feed_t *self)
{
    const tt_config_t *cfg = tt_runtime_config(self->rt);
    const tt_venue_cfg_t *venue = &cfg->venues[self->venue];
    self->config_of = calloc(cfg->symbol_count + 1, sizeof *self->config_of);
    self->names = calloc(cfg->symbol_count + 1, sizeof *self->names);
    self->batch = calloc(cfg->symbol_count + 1, sizeof *self->batch);
    self->sender = tt_sender_new(self->rt);
    if (!self->config_of || !self->names || !self->batch || !self->sender)
        return -1;
    for (size_t i = 0; i < cfg->symbol_count; i++)
        if (cfg->symbols[i].venue == self->venue) {
            self->config_of[self->count] = i;
            self->names[self->count++] = cfg->symbols[i].name;
        }
    tt_wsfeed_cfg_t wcfg;
    tt_wsfeed_cfg_default(&wcfg);
    wcfg.urls = (const char *const *)venue->endpoints;
    wcfg.url_count = venue->endpoint_count;
    wcfg.symbols = self->names;
    wcfg.symbol_count = self->count;
    wcfg.lookup = s_lookup;
    wcfg.lookup_arg = self;
    wcfg.on_tick = s_on_tick;
    wcfg.tick_arg = self;
    char err[160];
    self->feed = tt_wsfeed_new(&wcfg, err, sizeof err);
    if (!self->feed) {
        tt_error(self->path, "%s", err);
        return -1;
    }
    return 0;
}

static void s_teardown(s_feed_t *self)
{
    tt_wsfeed_destroy(&self->feed);
    tt_sender_destroy(&self->sender);
    free(self->config_of);
    free(self->names);
    free(self->batch);
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
        tt_wsfeed_stats_t ws;
        tt_wsfeed_stats(self.feed, &ws);
        const tt_venue_cfg_t *venue =
            &tt_runtime_config(self.rt)->venues[self.venue];
        tt_feed_stats_publish(self.stats, &ws, venue->endpoints[ws.url_index]);
    }
    if (poller)
        tt_feed_fence(self.rt, self.sender);
    zpoller_destroy(&poller);
    s_teardown(&self);
}

zactor_t *tt_feed_ws_start(tt_runtime_t *rt, size_t venue,
                           tt_feed_stats_t *stats)
{
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    s_feed_t start = {.rt = rt, .venue = venue, .stats = stats};
    zactor_t *actor = zactor_new(s_task, &start);
    if (actor && !start.ok)
        zactor_destroy(&actor);
    return actor;
}
