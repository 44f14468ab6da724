/*  actors/feed_ws.h: the websocket feed of a sim venue that names
    endpoints (see feed_ws.c). */
#ifndef TT_ACTORS_FEED_WS_H
#define TT_ACTORS_FEED_WS_H

#include "actors/feed_sim.h"

/* Starts the websocket feed of venue VENUE on its own thread; NULL on
   failure (logged). STATS must outlive it. */
zactor_t *tt_feed_ws_start(tt_runtime_t *rt, size_t venue,
                           tt_feed_stats_t *stats);

#endif
