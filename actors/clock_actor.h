/*  actors/clock_actor.h: market sessions. An edge actor on a thread of its
    own: every few milliseconds it reads the runtime's clock (live, or the
    manual clock of a test or a replay; never the wall clock itself) and
    steps one session watch per venue (clock/session_watch.h, over the
    venue's calendar from the config).

    At a session's OPEN: the venue's symbols may enter again, the day's
    P&L and loss halt start over, tripped breakers reset, and each of its
    execution actors is told (TT_MSG_SESSION), so its own daily risk
    state resets.
    At a session's CLOSE: entries stop (SESSION_CLOSED), and each
    execution actor is told; one whose strategy force-closes cancels its
    working orders and closes its position at the market. Once those
    symbols are flat (or after a minute of clock time), the end-of-day
    summary (per symbol and total: trades, win rate, P&L, fees, max
    drawdown) is logged and sent to the bus, and tripped breakers reset.
    A 24/7 calendar (a session opening the instant the last one closed)
    gets the summary and the resets at each UTC midnight, without a
    force-close.

    It needs the runtime's portfolio (tt_runtime_set_portfolio). */
#ifndef TT_ACTORS_CLOCK_ACTOR_H
#define TT_ACTORS_CLOCK_ACTOR_H

#include <czmq.h>
#include <stdatomic.h>

#include "clock/sessions.h"
#include "runtime/runtime.h"

/* Clock time a session's end waits for force-closed symbols to be flat
   before the summary goes out anyway. */
#define TT_CLOCK_EOD_GRACE_NS (60 * TT_NS_PER_SEC)

/* Counters shared read-only with the root for health. */
typedef struct {
    _Atomic uint64_t opens;           /* session opens handled */
    _Atomic uint64_t closes;          /* session ends handled */
    _Atomic uint64_t summaries;       /* end-of-day summaries emitted */
    _Atomic int64_t last_eod_session; /* yyyymmdd of the latest summary */
} tt_clock_stats_t;

/* The sessions of every venue, stepped by whoever owns time: the clock
   actor on its beat in a live run, the replay feed inside its lockstep in
   a backtest (so an edge lands at the same place in the data every run).
   Frames go out through the caller's SENDER, which the caller flushes. */
typedef struct tt_sessions tt_sessions_t;

/* Watches from NOW (a session in progress then opens on the first step);
   NULL on failure (logged). RT must have a portfolio; STATS and SENDER
   must outlive it. */
tt_sessions_t *tt_sessions_new(tt_runtime_t *rt, tt_sender_t *sender,
                               tt_clock_stats_t *stats, tt_ns_t now);
void tt_sessions_destroy(tt_sessions_t **self_p);

/* Acts on every session edge up to NOW and on a summary now due; returns
   how many (0: nothing was sent). */
int tt_sessions_step(tt_sessions_t *self, tt_ns_t now);

/* The earliest time at which a step would act: the next session edge, or
   a summary's deadline; INT64_MAX when none. */
tt_ns_t tt_sessions_next(const tt_sessions_t *self);

/* The calendar of venue VC (its kind, holidays and early closes, as
   validated by the config) into *CAL: the clock actor's, for whoever
   else must reason about the venue's sessions (an execution actor
   restarted between a session's end and the next open). 0, or -1 for a
   date the calendar refuses. */
int tt_sessions_calendar(const tt_venue_cfg_t *vc, tt_calendar_t *cal);

/* Starts the clock actor over RT (which must have a portfolio) on its own
   thread; NULL on failure (logged). STATS must outlive it. */
zactor_t *tt_clock_actor_start(tt_runtime_t *rt, tt_clock_stats_t *stats);

#endif
