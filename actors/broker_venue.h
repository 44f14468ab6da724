/*  actors/broker_venue.h: the broker gateway of a live venue (kind
    alpaca or binance): an edge actor on its own thread that takes the order
   intents of the venue's symbols (TT_MSG_BROKER_INTENT, to TT_ACTOR_BROKER(v)),
    sends them to the venue over REST, follows the venue's order stream
    and answers each symbol's execution actor with broker events
    (TT_MSG_BROKER_EVENT). See broker_venue.c. */
#ifndef TT_ACTORS_BROKER_VENUE_H
#define TT_ACTORS_BROKER_VENUE_H

#include <stdbool.h>
#include <stddef.h>

#include "actors/feed_sim.h"

/* True when venue V of CFG trades through a broker gateway: an alpaca
   venue, unless its params say `orders: paper`; a binance venue whose
   params say `orders: venue`. */
bool tt_broker_venue_wanted(const tt_config_t *cfg, size_t v);

/* Starts venue VENUE's broker gateway on its own thread; NULL on failure
   (logged). STATS (initialised, outliving it) receives the order
   stream's state for health, as a feed's does. */
zactor_t *tt_broker_venue_start(tt_runtime_t *rt, size_t venue,
                                tt_feed_stats_t *stats);

#endif
