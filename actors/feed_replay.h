/*  actors/feed_replay.h: the replay feed, the venue of a backtest. An edge
    actor on a thread of its own, like the sim feed, in front of the very
    same symbol actors: it reads historical files (venues/replay: CSV,
    gzip, one file per symbol or one with a symbol column), merges them in
    event time, and sends each symbol's ticks to its data actor.

    Time comes from the data (invariant 8). The feed owns the runtime's
    manual clock and moves the replay on in steps: it sends a step's
    events, then, when the step ends on a boundary of the shortest
    timeframe, sets the clock and sends each worker the market time in
    band (TT_MSG_TIME, which its actors read from there on, in their
    mailbox's order: runtime/actor.h, tt_actor_now) and every data actor
    a TT_MSG_CLOCK (so candles close at their end on a quiet symbol).
    A worker handles each frame, and everything it causes among the
    symbol's actors, before the next, and a backtest's symbols share
    nothing across workers, so the feed need not wait for the graph at
    every boundary: it waits until the whole graph is idle
    (tt_runtime_inflight() == 0: strategy, risk, orders and paper fills
    included) where the root's answer to a worker must land at its place
    in the data (a symbol turning stale or fresh: the root pauses or
    resumes it), around a session edge, with bars, at the end, and at
    least every 32 boundaries. The bus, which sends nothing back into a
    backtest's graph, may stay a bounded number of frames behind
    (tt_runtime_set_bus_aside); the end of the replay waits until it
    has every frame. Between two waits at most TT_REPLAY_STEP_TICKS
    ticks of any one symbol are in flight, fewer than the execution
    actor's trade ring, so a late order always finds the trades it
    missed, and TT_REPLAY_STEP_TOTAL in all. The same files and config
    therefore give the same orders and fills, byte for byte, run after
    run.

    Bars enter the data actor's candle builder as venue bars
    (TT_MSG_CANDLE), delivered at their close.

    Market sessions are stepped here, inside the lockstep, not by the
    clock actor's own beat (actors/clock_actor.h, tt_sessions_*): a step
    also ends at each session edge (and at an end-of-day summary's
    deadline), where the feed acts on it and waits for what it caused (a
    force-close at the close, the daily resets at the open) before the
    next record. So a backtest opens, closes and flattens at the same
    places in the data as the live service, every run. */
#ifndef TT_ACTORS_FEED_REPLAY_H
#define TT_ACTORS_FEED_REPLAY_H

#include <czmq.h>
#include <stdbool.h>

#include "actors/clock_actor.h"
#include "actors/feed_sim.h"
#include "runtime/runtime.h"
#include "venues/replay/csv.h"

#define TT_REPLAY_STEP_TICKS 512
#define TT_REPLAY_STEP_TOTAL 32768
#define TT_REPLAY_FILES_MAX 256

typedef struct tt_replay_spec {
    /* Each "PATH" or "SYMBOL=PATH"; without a symbol column or a SYMBOL=
       prefix, the symbol is the file name up to its first dot. */
    const char *files[TT_REPLAY_FILES_MAX];
    size_t file_count;
    int64_t from_ns; /* trading starts here (earlier data warms up); 0 */
    int64_t to_ns;   /* events at or after this are not replayed; 0 = all */
    double speed;    /* 0 = as fast as possible; N = N times real time */
    bool lenient;    /* skip and count bad rows instead of stopping */
    bool progress;   /* a progress line on stderr */
} tt_replay_spec_t;

/* Counters, written by the feed's thread, read by anyone. */
typedef struct tt_replay_stats {
    tt_feed_stats_t feed;
    _Atomic uint64_t records; /* ticks and bars replayed */
    _Atomic uint64_t bars;
    _Atomic uint64_t steps;
    _Atomic uint64_t settles; /* waits for the graph to go idle */
    _Atomic uint64_t skipped; /* bad rows skipped (lenient) */
    _Atomic int64_t first_ts, last_ts;
    _Atomic bool done;   /* every record sent and the graph idle */
    _Atomic bool failed; /* stopped on an error (see error) */
    int64_t wall_ns;     /* replay duration, set when done */
    int64_t wall_start;  /* tt_mono_ns() when the replay began */
    int64_t cpu_start;   /* the process's CPU time then, ns */
    char error[512];     /* FILE:LINE: message, set before failed */
    int kept;            /* lenient: first messages of skipped rows */
    char messages[TT_CSV_KEEP_MESSAGES][TT_CSV_MESSAGE_MAX];
    int64_t skip_reasons[TT_CSV_SKIP_REASONS];
    tt_clock_stats_t sessions; /* session edges and summaries acted on */
} tt_replay_stats_t;

/* Starts the replay of SPEC (copied) on its own thread against RT, whose
   clock must be manual and whose in-flight tracking must be on. When the
   last record has been handled (or on an error), it reports
   TT_REP_REPLAY_DONE to the root. NULL when a file cannot be opened
   (STATS->error says which and why). */
zactor_t *tt_feed_replay_start(tt_runtime_t *rt, const tt_replay_spec_t *spec,
                               tt_replay_stats_t *stats);

#endif
