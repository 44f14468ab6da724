/*  actors/feed_venue.h: the market-data feed of a live venue (kind
    binance or alpaca): an edge actor on its own thread (see
    feed_venue.c). */
#ifndef TT_ACTORS_FEED_VENUE_H
#define TT_ACTORS_FEED_VENUE_H

#include "actors/feed_sim.h"

/* Starts the feed of venue VENUE (a binance or alpaca venue) on its own
   thread; NULL on failure (logged). STATS must outlive it and be
   initialised (tt_feed_stats_init). */
zactor_t *tt_feed_venue_start(tt_runtime_t *rt, size_t venue,
                              tt_feed_stats_t *stats);

/* Checks every binance and alpaca venue of CFG: params, endpoints and
   credentials (loaded and wiped, never shown). Reports problems as
   FILE:LINE: message through ERROR_FN and returns their number. */
int tt_feed_venue_check(const tt_config_t *cfg, tt_config_error_fn *error_fn,
                        void *arg);

#endif
