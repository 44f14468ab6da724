/*  bus/writer.h: a backtest's store writer. A thread of its own that
    applies the bus's store writes (candles, events, order intents and
    updates, fills, snapshots, the paper broker's state) in the order the
    bus made them, so the bus thread, which is on the replay's lockstep
    path, only numbers, encodes and publishes.

    Only a backtest uses it: its store commits in groups anyway (a crash
    loses the open group and the run is made again), nothing in its graph
    reads what the writer has not applied yet except after a barrier or
    a replay request, which wait for it (tt_bus_writer_sync), and its
    results never feed back into the graph, so the ledger is the same
    byte for byte. A live service writes from the bus thread itself:
    there an order intent is durable before the bus answers (invariant
    4), which an asynchronous writer could not promise.

    The bus thread appends writes to a block of its own and hands whole
    blocks over (tt_bus_writer_post); at most 16 blocks of 1024 writes are
    in flight, then the bus waits (backpressure, never a lost write). Between
    tt_bus_writer_sync and the next append the writer is idle and the bus
    thread may use the store itself.

    The writer applies what was posted since it last looked as one
    window, and folds an order's updates into its intent when both are
    in it (one row insert instead of an insert and updates; the store's
    tt_store_order_intent_as), raising the symbols' order sequences once
    per window: the rows end exactly as the writes one by one leave
    them. A window's writes share one store group (tt_store_group_hold),
    so a write that fails loses an intent with the updates folded into
    it, never one without the other. */
#ifndef TT_BUS_WRITER_H
#define TT_BUS_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "store/store.h"

typedef struct tt_bus_writer_t tt_bus_writer_t;

/* Starts the writer thread on STORE (which stays the caller's, and must
   outlive the writer); errors are logged as the bus's and counted in
   STATS. NULL when out of memory or no thread could start. */
tt_bus_writer_t *tt_bus_writer_new(tt_store_t *store, tt_bus_stats_t *stats);

/* Applies every write appended so far, stops the thread and frees SELF;
   accepts NULL and nulls the pointer. The store is left open. */
void tt_bus_writer_destroy(tt_bus_writer_t **self_p);

/* Appends one write (copied); the writer applies it after the next
   post. 0, or -1 when out of memory (logged; the write is lost). */
int tt_bus_writer_candle(tt_bus_writer_t *self, const char *symbol,
                         const tt_candle_t *candle);
int tt_bus_writer_event(tt_bus_writer_t *self, uint64_t seq, int64_t ts,
                        const char *topic, const char *symbol,
                        const void *payload, size_t len);
/* INTENT: tt_store_order_intent, else tt_store_order_update. */
int tt_bus_writer_order(tt_bus_writer_t *self, const tt_store_order_t *rec,
                        bool intent);
int tt_bus_writer_fill(tt_bus_writer_t *self, const char *venue,
                       const char *symbol, int32_t qty_decimals,
                       const tt_fill_t *fill);
/* PAPER: tt_store_paper_put, else tt_store_snapshot_put with KEY. */
int tt_bus_writer_snapshot(tt_bus_writer_t *self, const char *symbol,
                           const char *key, int64_t ts, const void *blob,
                           size_t len, bool paper);

/* Hands what was appended to the writer thread. */
void tt_bus_writer_post(tt_bus_writer_t *self);

/* Posts, then waits until the writer has applied everything and flushed
   the store's queue: the calling thread may then use the store until it
   appends again. */
void tt_bus_writer_sync(tt_bus_writer_t *self);

#endif
