/*  actors/warmup.h: how a symbol's indicator set (indicators/set.h) is
    filled before the symbol trades, and how it is kept for a restart.
    Used by the indicator actor on the symbol's worker.

    At start, from the store (a read connection of its own; WAL lets it
    read while the bus writes):
    1. the latest snapshot of the set (key TT_WARMUP_KEY), if it is one of
       a set with the same specs, then every candle stored after it, per
       timeframe: the values continue exactly as if the service had run
       through;
    2. without a usable snapshot, the last candles of each timeframe
       (TT_WARMUP_BARS_PER_NEED times its need): the standard warm-up,
       the values a fresh run over those candles gives.
    Whatever still lacks comes as candles from any source of history
    through the data actor (TT_MSG_HISTORY: a venue's history endpoint,
    the sim venue's generated past), each consumed once
    (tt_indset_update skips candles the set has seen). In-process callers
    feed a list of candles with tt_warmup_feed.

    While running, the indicator actor sends the set's snapshot to the bus
    in pieces (TT_EVT_SNAPSHOT); the bus stores it. */
#ifndef TT_ACTORS_WARMUP_H
#define TT_ACTORS_WARMUP_H

#include <stdbool.h>
#include <stddef.h>

#include "indicators/set.h"
#include "runtime/actor.h"

#define TT_WARMUP_KEY "indicators"
/* Without a snapshot, candles read per timeframe for each one of need:
   seeded averages (EMA, Wilder's RSI and ATR) forget their seed
   geometrically, and four times the period leaves a weight below 1e-3
   (EMA) to 2 % (Wilder) on it. */
#define TT_WARMUP_BARS_PER_NEED 4

typedef struct {
    bool restored;       /* a usable snapshot was restored */
    bool stale_snapshot; /* a snapshot was found but not usable */
    tt_ns_t snapshot_ts; /* its time (restored only) */
    uint64_t replayed;   /* stored candles the set consumed */
} tt_warmup_result_t;

/* Fills SET for SYMBOL from the store at DB_PATH as described above;
   NOW_NS (the clock) bounds the search for the last candles. OUT gets
   what was done. Returns 0, or -1 with the reason in ERR when the store
   cannot be read (SET may then hold part of the replay: it is still
   consistent, only less warm). */
int tt_warmup_from_store(tt_indset_t *set, const char *db_path,
                         const char *symbol, tt_ns_t now_ns,
                         tt_warmup_result_t *out, char *err, size_t errlen);

/* The warm-up entry for candles from any source: feeds COUNT closed
   candles (ascending per timeframe) into SET; returns how many it
   consumed (the others it had seen already). */
size_t tt_warmup_feed(tt_indset_t *set, const tt_candle_t *candles,
                      size_t count);

/* Sends SET's snapshot, taken at TS, to the bus in TT_EVT_SNAPSHOT pieces,
   using BUF (CAP >= tt_indset_snapshot_size) for the bytes. Droppable
   like candles: a lost piece loses this snapshot, not the next. Returns
   0, or -1 when a piece was dropped. */
int tt_warmup_send_snapshot(tt_actor_t *actor, const tt_indset_t *set,
                            tt_ns_t ts, void *buf, size_t cap);

#endif
