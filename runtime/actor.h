/*  runtime/actor.h: what an actor behaviour implements, and the calls it
    may make on the runtime.

    An actor is private state plus a mailbox. It handles one message at a
    time, never blocks, and talks to other actors only by messages. A
    behaviour is a small vtable; the runtime decides which thread runs it.
    Symbol actors run on a shared worker thread (runtime/worker.c): their
    handlers must return quickly, and the watchdog reports any that do not.

    Error tiers: a handler returns 0, or -1 after tt_actor_fail() said why.
    The worker then destroys the actor's state and reports the failure to
    the root supervisor, which applies the restart policy. */
#ifndef TT_RUNTIME_ACTOR_H
#define TT_RUNTIME_ACTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "messages/internal.h"
#include "runtime/latency.h"

/* The four actors of a symbol, in start order (rest_for_one). */
typedef enum {
    TT_ROLE_EXECUTION = 0,
    TT_ROLE_DATA,
    TT_ROLE_INDICATOR,
    TT_ROLE_STRATEGY,
    TT_ROLE_COUNT
} tt_actor_role_t;

typedef struct tt_actor tt_actor_t; /* the runtime's handle on one actor */

typedef struct {
    const char *name; /* "data", ... */
    /* Builds the private state into *STATE_P. 0 or -1 (say why with
       tt_actor_fail). */
    int (*init)(tt_actor_t *self, void **state_p);
    /* Handles one message addressed to the actor. */
    int (*handle)(tt_actor_t *self, void *state, const tt_msg_t *msg);
    /* Periodic timer, when the actor asked for one; NOW_NS from the clock. */
    int (*timer)(tt_actor_t *self, void *state, int64_t now_ns);
    /* Writes a snapshot of its state into BUF (CAP bytes); returns the
       length, or 0 when it has nothing worth keeping. May be NULL. */
    size_t (*snapshot)(const void *state, void *buf, size_t cap);
    /* Releases the state; cancels anything the actor owns outside itself
       (working orders). Accepts a NULL state and nulls the pointer. */
    void (*destroy)(tt_actor_t *self, void **state_p);
} tt_behaviour_t;

/* Identity. */
uint32_t tt_actor_id(const tt_actor_t *self);
const char *tt_actor_path(const tt_actor_t *self); /* "BTCUSD/data" */
tt_actor_role_t tt_actor_role(const tt_actor_t *self);
const tt_config_t *tt_actor_config(const tt_actor_t *self);
/* The symbol's config, or NULL for an actor that is not a symbol's. */
const tt_symbol_cfg_t *tt_actor_symbol(const tt_actor_t *self);

/* The id of the actor with the given role in the same symbol. */
uint32_t tt_actor_sibling(const tt_actor_t *self, tt_actor_role_t role);

/* True while the symbol is paused: keep data current, emit no orders. */
bool tt_actor_paused(const tt_actor_t *self);

/* Time from the runtime's clock (UTC ns): live or replayed. */
/* The actor's memory across restarts (see tt_actor_entry_t.memory):
   TT_ACTOR_MEMORY_MAX bytes, *LEN bytes of it in use (0 when none). */
void *tt_actor_memory(tt_actor_t *self, uint32_t **len);

/* True when a bus takes this runtime's events (bus/bus.h): orders then
   wait for their intent to be committed before they are sent. */
bool tt_actor_has_bus(const tt_actor_t *self);

/* True in a backtest: time moves in band with the replayed data, so an
   actor that acts on time (not only on messages) must do it at a point
   the data fixes, not when its worker's timer happens to run. */
bool tt_actor_replaying(const tt_actor_t *self);

/* True when orders need not wait for the bus's answer to their intent
   (a backtest's; tt_runtime_set_local_intents). */
bool tt_actor_local_intents(const tt_actor_t *self);

/* Event time from which signals are traded (tt_runtime_set_trade_from). */
int64_t tt_actor_trade_from(const tt_actor_t *self);

/* The time now: the runtime's clock, live. In a backtest, the market
   time the actor's worker has reached in its mailbox (TT_MSG_TIME from
   the replay feed, behind the ticks before it): what the runtime's
   clock said when those frames were handled one step at a time, while
   the feed may be boundaries ahead. */
int64_t tt_actor_now(const tt_actor_t *self);

/* Records the time since the origin of the frame in hand (when it has
   one) as latency KIND (runtime/latency.h). */
void tt_actor_latency(tt_actor_t *self, tt_latency_kind_t kind);

/* Sends a message without blocking. A droppable send to a full mailbox is
   dropped and counted (returns -1); a critical one (trade messages) is
   queued by the sending thread and retried in order, and counted as
   backpressure (returns 0). */
int tt_actor_send(tt_actor_t *self, uint32_t to, uint16_t type,
                  const void *body, uint32_t len);
int tt_actor_send_critical(tt_actor_t *self, uint32_t to, uint16_t type,
                           const void *body, uint32_t len);

/* Asks for the timer callback every INTERVAL_NS (0 cancels). */
void tt_actor_timer_every(tt_actor_t *self, int64_t interval_ns);

/* Records why the current handler is about to return -1. */
void tt_actor_fail(tt_actor_t *self, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Sends a report of TYPE (TT_REP_STALE, TT_REP_FRESH) about this actor to
   the root supervisor; never dropped. */
void tt_actor_report(tt_actor_t *self, uint16_t type);

/* Observability for data actors: a tick arrived with event time TS_NS. */
void tt_actor_note_tick(tt_actor_t *self, int64_t ts_ns, uint32_t count);

#endif
