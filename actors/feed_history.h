/*  actors/feed_history.h: the warm-up history of a live venue's symbols
    (binance, alpaca), fetched over REST by the venue's feed at start,
    before its first subscribe (see feed_history.c). Private to actors/;
    runs on the feed's thread. */
#ifndef TT_ACTORS_FEED_HISTORY_H
#define TT_ACTORS_FEED_HISTORY_H

#include "actors/feed_proto.h"
#include "actors/feed_sim.h"

typedef struct {
    tt_runtime_t *rt;
    size_t venue;
    const char *path;           /* log prefix, "feed/NAME" */
    const tt_feed_opts_t *opts; /* the venue's params */
    const tt_feed_sym_t *syms;  /* feed index -> venue name and scales */
    const size_t *config_of;    /* feed index -> config symbol index */
    size_t count;               /* symbols of the venue */
    const char *key_id;         /* Alpaca's keys; NULL for Binance */
    const char *secret;
    tt_sender_t *sender; /* the feed's */
    tt_feed_stats_t *stats;
    zsock_t *pipe; /* the feed's pipe: $TERM ends the fetch */
} tt_feed_history_t;

/* Fetches, per symbol and timeframe, the closed candles its strategy
   needs to be warm that the store does not hold yet (at most
   history_max_bars bars of the venue), and sends them to the symbol's
   data actor as TT_MSG_HISTORY batches. A failed fetch is logged and
   skipped: that symbol warms from live candles. Returns 0 when done (or
   history is off), 1 when $TERM arrived meanwhile (the feed stops). */
int tt_feed_history_run(const tt_feed_history_t *h);

#endif
