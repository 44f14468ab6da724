/*  actors/symbol_actors.h: the behaviours of a symbol's four actors, in
    start order. Each lives in its own file (execution.c, data.c,
    indicator.c, strategy.c); the runtime hosts them on a worker thread. */
#ifndef TT_ACTORS_SYMBOL_ACTORS_H
#define TT_ACTORS_SYMBOL_ACTORS_H

#include "orders/position.h"
#include "runtime/actor.h"
#include "runtime/runtime.h"

extern const tt_behaviour_t tt_execution_behaviour;
extern const tt_behaviour_t tt_data_behaviour;
extern const tt_behaviour_t tt_indicator_behaviour;
extern const tt_behaviour_t tt_strategy_behaviour;

/* The four, indexed by tt_actor_role_t. */
extern const tt_behaviour_t *const tt_symbol_behaviours[TT_ROLE_COUNT];

/* What the execution actor keeps across restarts (tt_actor_memory): the
   next client order sequence number and the position. The root writes it
   from the store before the first start (tt_exec_memory_restore), with
   FRESH set: that start restores the open orders and the paper broker
   from the store too (actors/exec_reconcile.h). A live symbol's close
   that a session end owed (its venue had not reconciled) is kept too,
   and in the store (owed_closes), which the root reads back with the
   rest: the next instance, or the next start of the service, runs it
   once the venue reconciles, unless the venue's next session has opened
   by then. */
typedef struct {
    uint64_t next_seq;
    tt_position_t pos;
    uint32_t fresh;        /* 1 until a start has restored from the store */
    uint32_t close_owed;   /* 1: a session end's force-close waits */
    int32_t close_session; /* ...that session's id (yyyymmdd) */
    uint32_t pad;
    int64_t close_ts; /* ...and its end (clock time) */
} tt_exec_memory_t;

/* Inputs an execution actor holds while it waits for the store (an
   order's commit, a restart's barrier), at most: past this a store that
   stopped answering no longer delays them (actors/execution.c). */
#define TT_EXEC_HELD_MAX 4096

/* Fills every execution actor's memory from the store at PATH: the next
   order sequence, the stored position and the close a session end owed
   of each symbol. Returns 0, or -1 (logged) when the store cannot be
   read. */
int tt_exec_memory_restore(tt_runtime_t *rt, const char *path);

#endif
