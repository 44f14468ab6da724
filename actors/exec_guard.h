/*  actors/exec_guard.h: the execution actor's report of a position left
    without a working stop (orders/book_guard.c). When the book's view
    changes, it says so once: in the log, on the event stream
    (TT_EVT_PROTECTION, topic trade.protection.SYMBOL) and in health
    (the actor's unprotected_since counter), including a stop or exit
    left unanswered past the book's bound. Runs on the symbol's worker,
    inside the execution actor. */
#ifndef TT_ACTORS_EXEC_GUARD_H
#define TT_ACTORS_EXEC_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "orders/book.h"
#include "runtime/runtime.h"

typedef struct {
    int64_t since;     /* bare since, as last reported; 0 reported protected */
    bool move_refused; /* a refused stop/target move, as last reported */
} tt_exec_guard_t;

/* Compares BOOK's protection with what SELF last reported and, on a
   change, logs it, sets STATS->unprotected_since and (with BUS) sends
   the event, timed TS (the time now, also for "sent N s ago"). Says
   once, at WARN, that a stop or take-profit replacement was refused for
   good and is held back (tt_book_refused_move). */
void tt_exec_guard_report(tt_actor_t *actor, tt_exec_guard_t *self,
                          const tt_book_t *book, tt_actor_stats_t *stats,
                          bool bus, int64_t ts);

#endif
