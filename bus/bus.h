/*  bus/bus.h: the event bus. One thread of its own, the only writer of the
    store, and the publisher.

    Every actor and the root send their events (orders, fills, candles,
    lifecycle changes, rejections) to the bus's inbox as internal frames
    (messages/internal.h, TT_EVT_*). The bus gives each one the next global
    sequence number, appends it to the store, commits, and only then
    publishes it on the PUB socket as [topic, Event] (docs/EVENTS.md): an
    event a subscriber has seen is always in the store, so the replay
    endpoint can serve any range a subscriber missed.

    Order intents are committed (durably, sync_trade) before the bus
    answers TT_MSG_INTENT_DONE to the execution actor, which sends the
    order to its broker only then (invariant 4). A backtest instead hands
    every store write to a writer thread of its own (bus/writer.h) and
    answers at once: its grouped store promised no durability anyway, and
    the replay's lockstep no longer waits for SQLite. Fills are recorded in the
    ledger exactly once (the venue fill id is unique). The paper broker's
    state (a snapshot of key "paper") replaces the symbol's paper_state
    row at once, and so does a live symbol's owed force-close
    (TT_EVT_OWED_CLOSE, owed_closes). A barrier (TT_EVT_BARRIER) is
    answered with an empty TT_MSG_INTENT_DONE once every frame before it
    is handled: a restarted execution actor then reads the store knowing
    it is complete. The bus also records each run and applies
    service.retention (housekeeping.c).

    A subscriber at its high-water mark never slows the bus: the send is
    non-blocking, and an event that could not be delivered is counted
    (tt_bus_stats_t.dropped) and stays available from the replay
    endpoint. */
#ifndef TT_BUS_BUS_H
#define TT_BUS_BUS_H

#include <czmq.h>
#include <stdatomic.h>
#include <stdint.h>

#include "runtime/runtime.h"

typedef struct {
    _Atomic uint64_t events;     /* events numbered and stored */
    _Atomic uint64_t published;  /* events sent on the PUB socket */
    _Atomic uint64_t dropped;    /* events a subscriber's HWM refused */
    _Atomic uint64_t intents;    /* order intents committed */
    _Atomic uint64_t duplicates; /* intents / fills already stored */
    _Atomic uint64_t store_errors;
    _Atomic uint64_t rows_refused; /* queued rows the store set aside */
    _Atomic uint64_t folded;       /* backtest: updates folded into an intent */
    _Atomic uint64_t replays;      /* replay requests answered */
    _Atomic uint64_t bad_requests;
    _Atomic uint64_t last_seq;
    _Atomic int subscribers; /* current subscriptions on the PUB socket */
} tt_bus_stats_t;

/* Opens the store (cfg->db_path), binds the inbox, the PUB socket
   (cfg->events_endpoint) and the replay REP (cfg->replay_endpoint), and
   starts the bus thread. Returns NULL after logging why (a store that will
   not open, an endpoint in use). Destroying the actor drains the inbox,
   commits and closes the store. */
zactor_t *tt_bus_start(tt_runtime_t *rt, tt_bus_stats_t *stats);

#endif
