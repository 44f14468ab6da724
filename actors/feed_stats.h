/*  actors/feed_stats.h: how a websocket feed (feed_ws, feed_venue)
    publishes its client's state into the tt_feed_stats_t the root reads
    for health. Counters are atomics; the texts are copied under the
    stats' lock. Publish runs on the feed's thread, read on the root's. */
#ifndef TT_ACTORS_FEED_STATS_H
#define TT_ACTORS_FEED_STATS_H

#include "actors/feed_sim.h"
#include "venues/wsfeed/wsfeed.h"

/* Before the feed starts / after it stopped (root thread). */
void tt_feed_stats_init(tt_feed_stats_t *self);
void tt_feed_stats_fini(tt_feed_stats_t *self);

/* Copies WS (the client's counters) into SELF; URL is the endpoint in
   use, shown without its query string. */
void tt_feed_stats_publish(tt_feed_stats_t *self, const tt_wsfeed_stats_t *ws,
                           const char *url);

/* The texts, copied out under the lock. */
typedef struct {
    char status[16];
    char url[128];
    char last_error[256];
    char last_malformed[160];
} tt_feed_texts_t;

void tt_feed_stats_texts(tt_feed_stats_t *self, tt_feed_texts_t *out);

#endif
