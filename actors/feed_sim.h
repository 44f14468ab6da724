/*  actors/feed_sim.h: the feed of a `kind: sim` venue. An edge actor on a
    thread of its own: it runs the simulated market (venues/sim) up to the
    clock's current time every few milliseconds and sends each symbol's new
    ticks, batched, to that symbol's data actor. */
#ifndef TT_ACTORS_FEED_SIM_H
#define TT_ACTORS_FEED_SIM_H

#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "runtime/runtime.h"

/* Counters shared read-only with the root for health. The websocket
   feeds also publish their client's state (actors/feed_stats.h); the
   texts there are guarded by LOCK, which the root initialises. */
typedef struct {
    _Atomic uint64_t ticks;   /* ticks generated and sent */
    _Atomic uint64_t batches; /* frames sent to data actors */
    _Atomic uint64_t queued;  /* frames waiting on a full mailbox (now) */
    _Atomic bool remote;      /* a websocket feed: the fields below count */
    _Atomic uint64_t frames, malformed, unexpected, server_errors;
    _Atomic uint64_t attempts, connects, reconnects, bars, holds;
    _Atomic uint64_t duplicates, subscribes;
    _Atomic uint64_t resubscribes; /* re-subscribe requests carried out */
    pthread_mutex_t lock;
    char status[16];          /* connecting | connected | backoff | held */
    char url[128];            /* endpoint in use, without query */
    char last_error[256];     /* the feed's last connection or venue error */
    char last_malformed[160]; /* why the last malformed message was */
} tt_feed_stats_t;

/* Asks the feed FEED (a running feed's zactor) to re-subscribe SYMBOL:
   the root's answer to a stale symbol. Never blocks for long: the
   command waits in the feed's pipe. */
void tt_feed_resubscribe(zactor_t *feed, const char *symbol);

/* Reads one command from a feed's PIPE: 1 and the symbol in SYMBOL for a
   re-subscribe, 0 for $TERM or anything else (the feed stops). */
int tt_feed_command(zsock_t *pipe, char *symbol, size_t size);

/* Sends BATCH (if not empty) to data actor TO, never dropped, counts it
   in STATS and empties it. Shared by every feed. */
void tt_feed_send_batch(tt_sender_t *sender, uint32_t to,
                        tt_tick_batch_t *batch, tt_feed_stats_t *stats);

/* Retries the feed's queued frames and publishes how many still wait. */
void tt_feed_flush(tt_sender_t *sender, tt_feed_stats_t *stats);

/* At a feed's stop, after its last frames: a fence to every worker that
   hosts a symbol (runtime.h, tt_runtime_fences), so the root stops the
   symbols only once the ticks already sent are handled. Waits (at most
   a second) for the feed's queued frames to leave. */
void tt_feed_fence(tt_runtime_t *rt, tt_sender_t *sender);

/* Checks the params of every sim venue in CFG; reports problems as
   FILE:LINE: message through ERROR_FN and returns their number. */
int tt_feed_sim_check(const tt_config_t *cfg, tt_config_error_fn *error_fn,
                      void *arg);

/* Starts the feed of venue VENUE (an index in cfg->venues) on its own
   thread; NULL on failure. STATS must outlive it. */
zactor_t *tt_feed_sim_start(tt_runtime_t *rt, size_t venue,
                            tt_feed_stats_t *stats);

#endif
