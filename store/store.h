/*  store/store.h: the SQLite persistence layer of ticktree. The store actor
    (its own thread, an edge actor) owns one tt_store_t and calls it; every
    function here is synchronous and single-threaded. Other connections and
    processes may read the same file at the same time (WAL mode).

    What it keeps (docs/STORE.md has the schema and the reasons):
    - candles, indicator snapshots and published events, written in
      batches (queued in memory, one transaction per batch);
    - orders, their state changes, fills, positions and the append-only
      trade ledger, each written in a transaction of its own, at once;
    - runs, per-symbol order sequence numbers, paper broker state, the
      force-closes owed at a session end, and a small key/value table.

    Invariant 4 (intent before send): tt_store_order_intent() returns only
    after the order row is committed. Invariant 5 (fills exactly once):
    tt_store_fill() ignores a venue fill id it has already recorded.
    Invariant 6 (append-only ledger): triggers refuse UPDATE and DELETE,
    and positions can be rebuilt from it.

    Return codes: 0 done; TT_STORE_DUP (1) when a duplicate was refused
    (intent) or ignored (fill); -1 on error, with a message naming the
    operation and SQLite's own text in tt_store_error(). Reads flush the
    write queue first, so they see every row written before them. */
#ifndef TT_STORE_STORE_H
#define TT_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"
#include "orders/order.h"
#include "orders/position.h"

#define TT_STORE_DUP 1

#define TT_STORE_SYMBOL_MAX 31     /* like the order book's symbols */
#define TT_STORE_KEY_MAX 63        /* snapshot keys, kv keys, topics */
#define TT_STORE_VENUE_MAX 31      /* venue names ("paper", "alpaca") */
#define TT_STORE_VENUE_OID_MAX 63  /* venue order ids */
#define TT_STORE_BLOB_MAX 16777216 /* largest blob accepted (16 MiB) */

typedef struct tt_store_t tt_store_t;

/* Told of a queued row a flush set aside (see tt_store_flush): WHAT names
   it (table, symbol, key) with SQLite's reason; EVENT_SEQ is the seq of
   an events row, 0 for a row of another table. Called on the thread that
   flushed, during the flush; WHAT is borrowed for the call. */
typedef void(tt_store_refused_fn)(const char *what, uint64_t event_seq,
                                  void *arg);

typedef enum {
    TT_STORE_SYNC_NORMAL = 0, /* WAL fsync at checkpoints only */
    TT_STORE_SYNC_FULL = 1,   /* WAL fsync at every commit */
} tt_store_sync_t;

typedef struct {
    int batch_size;                  /* queued rows per transaction (>= 1) */
    int busy_timeout_ms;             /* wait for another writer's lock (>= 0) */
    tt_store_sync_t sync;            /* every transaction */
    tt_store_sync_t sync_trade;      /* intents, order updates, fills */
    int64_t max_page_count;          /* cap on the file's pages; 0 = SQLite's */
    int schema_version;              /* migrate up to this; 0 = the latest.
                                        For tests and tools only. */
    int64_t group_rows;              /* 0 (live): every write commits on its
                                        own. > 0 (backtests): writes join one
                                        open transaction, committed once this
                                        many rows changed, at
                                        tt_store_commit_group and at close. A
                                        write refused before it changed a row
                                        (a duplicate) leaves the group alone;
                                        one that fails halfway rolls back the
                                        whole group (logged). A crash loses
                                        the open group, and a grouped store
                                        never fsyncs (synchronous OFF, sync
                                        and sync_trade unused): never for a
                                        live store. */
    bool defer_indexes;              /* grouped, on a new file: the indexes
                                        that enforce nothing (by state, by
                                        client id, by symbol, by time) are
                                        built once by tt_store_indexes_build
                                        (at close at the latest), not row by
                                        row; queries work meanwhile, by
                                        reading the tables */
    tt_store_refused_fn *on_refused; /* a row set aside; NULL: counted */
    void *refused_arg;               /* for on_refused */
} tt_store_opts_t;

/* batch_size 256, busy timeout 5000 ms, sync NORMAL, sync_trade FULL,
   no page cap, latest schema. */
tt_store_opts_t tt_store_opts_default(void);

/* Schema version this build writes (the number of migrations). */
int tt_store_schema_latest(void);

/* Commits the open group of a grouped store (opts.group_rows); 0 when
   there is none. 0 or -1. */
int tt_store_commit_group(tt_store_t *self);

/* Grouped store: while HOLD, no write commits the open group however
   many rows it holds, so writes that depend on each other (a backtest
   writer's window: an intent stored in its last state, the updates
   folded into it, its symbol's sequence) are kept or lost together.
   Ending the hold commits the group when it is over group_rows. 0, or
   -1 when that commit failed. */
int tt_store_group_hold(tt_store_t *self, bool hold);

/* Builds the indexes a new grouped store deferred (opts.defer_indexes)
   from their own CREATE statements, after committing the open group: the
   file then has the schema's every index. 0 (also when none was
   deferred) or -1, the indexes still deferred (tt_store_close tries
   again). */
int tt_store_indexes_build(tt_store_t *self);

/* Once at the start of a process, before any other thread runs and
   before any other SQLite call: turns SQLite's memory statistics off
   (nothing in ticktree reads them). With them on, every allocation
   SQLite makes takes a global mutex and counts itself, and Debian's
   SQLite has no lookaside, so every small allocation of a statement
   step is one (a twentieth of a backtest store writer's instructions).
   0, or -1 when SQLite was initialised already: the statistics stay
   on, which costs time and changes nothing else. */
int tt_store_global_init(void);

/* Opens or creates the file at PATH, sets WAL, the sync level, foreign
   keys and the busy timeout, and applies pending migrations (each in
   its own transaction). OPTS may be NULL (defaults). Returns the store
   (the caller owns it: tt_store_close), or NULL with the reason in ERR:
   SQLite's error, a bad option, or a file from a newer version. */
tt_store_t *tt_store_open(const char *path, const tt_store_opts_t *opts,
                          char *err, size_t errlen);

/* Flushes the queue, closes the file and frees SELF; accepts NULL and
   nulls the pointer. A failing final flush loses the queued rows: call
   tt_store_flush() first to see its error. */
void tt_store_close(tt_store_t **self_p);

/* Text of the last error ("" when none). Borrowed, valid until the next
   call on SELF. */
const char *tt_store_error(const tt_store_t *self);

/* Schema version of the open file. */
int tt_store_schema_version(const tt_store_t *self);

/* ---- Batched writes: queued, committed by tt_store_flush() or when the
   queue reaches batch_size. On a failed flush the transaction is rolled
   back and the queue is kept (retry later, or tt_store_discard()); an
   append to a full queue whose flush fails returns -1, row not queued.

   A queued row SQLite refuses for a reason no retry can change (a
   constraint: CHECK, UNIQUE, FOREIGN KEY, a trigger's RAISE(ABORT); a
   datatype mismatch; a value too big) is set aside instead: dropped from
   the queue, counted (tt_store_refused), given to opts.on_refused, and
   the rest of the flush is written as if it had never been queued. A
   grouped store's order_events rows are never set aside (their refusal
   rolls the group back, as before). Any other failure (a full disk, an
   I/O error, a busy or locked database) keeps the whole queue. */

int tt_store_candle_put(tt_store_t *self, const char *symbol,
                        const tt_candle_t *candle);
int tt_store_event_append(tt_store_t *self, uint64_t seq, tt_ns_t ts,
                          const char *topic, const char *symbol,
                          const void *payload, size_t len);
int tt_store_snapshot_put(tt_store_t *self, const char *symbol, const char *key,
                          tt_ns_t ts, const void *blob, size_t len);
/* Commits every queued row in one transaction, but those set aside
   (above). 0 or -1. */
int tt_store_flush(tt_store_t *self);
/* Rows waiting in the queue. */
int tt_store_pending(const tt_store_t *self);
/* Drops the queued rows (after a flush that cannot succeed). */
void tt_store_discard(tt_store_t *self);
/* Queued rows set aside since open (refused for good by SQLite). */
int64_t tt_store_refused(const tt_store_t *self);

/* ---- Orders and fills: each call flushes the queue, then commits its own
   transaction at the sync_trade level before returning. */

/* An order as the store keeps it: the order book's order plus what the
   book does not carry. */
typedef struct {
    char symbol[TT_STORE_SYMBOL_MAX + 1];
    tt_order_t order;
    char venue_oid[TT_STORE_VENUE_OID_MAX + 1]; /* "" until acknowledged */
    char parent_coid[TT_COID_MAX + 1]; /* bracket child: its entry; "" */
} tt_store_order_t;

/* Inserts REC (its NEW state becomes the first order_events row) and
   raises the symbol's next order sequence to above REC's seq, in one
   durable transaction. 0 once committed; TT_STORE_DUP when the client
   order id is already stored (nothing written: ask the broker about that
   id, never send again); -1 on error. */
int tt_store_order_intent(tt_store_t *self, const tt_store_order_t *rec);

/* N intents under one durable commit (one fsync for all: the bus passes
   those that arrived together). Each is stored whole or not at all (a
   savepoint of its own), and RC[i] is what tt_store_order_intent would
   have answered for RECS[i]; if the commit itself fails, every one that
   was to be stored gets -1. Returns how many were stored. A store that
   commits in groups (a backtest's) stores them one by one. */
#define TT_STORE_INTENTS_MAX 64 /* per commit; more are split */
size_t tt_store_order_intents(tt_store_t *self, const tt_store_order_t *recs,
                              size_t n, int *rc);

/* Records REC's new state (and filled, fees, venue id, reason) and
   appends an order_events row. The move from the stored state must be a
   legal edge (orders/order.h) or keep the same state. 0 or -1 (unknown
   client order id, illegal transition, SQLite error). */
int tt_store_order_update(tt_store_t *self, const tt_store_order_t *rec);

/* For a grouped store's writer (bus/writer.c), which sees an order's
   intent and the updates that follow it together: the intent REC stored
   with its row already in the state of NOW (its last update; NULL: NEW)
   and without raising the symbol's sequence (the writer raises it once
   for many intents with tt_store_order_seq_set); each of those updates
   then goes to tt_store_order_moved, FROM being the state before it,
   which appends its order_events row and moves nothing. Every row ends
   as tt_store_order_intent and tt_store_order_update one by one leave
   it, with one UPDATE fewer per update. The writer folds only updates
   that tt_store_order_update would take: the same symbol, a legal edge
   or the same state, and tt_store_order_check's 0 (REC well formed; -1
   with the error set). Answers as tt_store_order_intent.
   tt_store_order_moved refuses (-1, nothing written) an order no longer
   stored (its group rolled back since its intent), and rolls the open
   group back, the order's row with it, when its order_events row cannot
   be queued. */
int tt_store_order_intent_as(tt_store_t *self, const tt_store_order_t *rec,
                             const tt_store_order_t *now);
int tt_store_order_moved(tt_store_t *self, const tt_store_order_t *rec,
                         int from);
int tt_store_order_check(tt_store_t *self, const tt_store_order_t *rec);

/* Records FILL of SYMBOL from VENUE (quantities with QTY_DECIMALS): the
   fills row, a ledger row and the updated position, in one transaction.
   POS (may be NULL) receives the position afterwards. TT_STORE_DUP when
   VENUE already reported fill->fill_id (nothing touched); -1 on a
   malformed fill or SQLite error (nothing written). */
int tt_store_fill(tt_store_t *self, const char *venue, const char *symbol,
                  int32_t qty_decimals, const tt_fill_t *fill,
                  tt_position_t *pos);

/* ---- Positions and the ledger. */

/* The stored position of SYMBOL into *POS. 0 found, 1 none (POS flat
   with qty_decimals 0), -1 on error. */
int tt_store_position_get(tt_store_t *self, const char *symbol,
                          tt_position_t *pos);

/* Recomputes SYMBOL's position from its ledger rows in order. 0 (flat
   when the ledger has none), or -1 (SQLite error or a ledger row the
   position refuses). */
int tt_store_rebuild_position(tt_store_t *self, const char *symbol,
                              tt_position_t *pos);

/* Compares the rebuilt position with the stored one. 0 equal, 1 they
   differ (details in tt_store_error()), -1 on error. */
int tt_store_check_position(tt_store_t *self, const char *symbol);

/* ---- Events (the publisher's replay source). */

typedef int(tt_store_event_fn)(uint64_t seq, tt_ns_t ts, const char *topic,
                               const char *symbol, const void *payload,
                               size_t len, void *arg);

/* Calls FN for each stored event with FROM <= seq <= TO, ascending; a
   missing seq is simply absent (the caller sees the gap). SYMBOL is ""
   when none, PAYLOAD never NULL (even when LEN is 0); both borrowed for
   the call. FN returning non-zero stops the walk. 0 or -1. */
int tt_store_events_range(tt_store_t *self, uint64_t from, uint64_t to,
                          tt_store_event_fn *fn, void *arg);

/* Highest event seq ever stored (kept even when retention deleted the
   events), 0 when none, into *SEQ. 0 or -1. */
int tt_store_last_event_seq(tt_store_t *self, uint64_t *seq);

/* ---- Restore queries (warm restart). */

typedef int(tt_store_order_fn)(const tt_store_order_t *rec, void *arg);
typedef int(tt_store_position_fn)(const char *symbol, const tt_position_t *pos,
                                  void *arg);
typedef int(tt_store_candle_fn)(const char *symbol, const tt_candle_t *c,
                                void *arg);

/* Orders of SYMBOL (NULL: every symbol) in a non-terminal state, by
   creation. */
int tt_store_open_orders(tt_store_t *self, const char *symbol,
                         tt_store_order_fn *fn, void *arg);
/* Every stored position, by symbol. */
int tt_store_positions(tt_store_t *self, tt_store_position_fn *fn, void *arg);
/* Candles of SYMBOL and TF_S with open_ts >= FROM_TS, ascending, at most
   LIMIT (0: no limit). Candles come back closed. */
int tt_store_candles_since(tt_store_t *self, const char *symbol, int32_t tf_s,
                           tt_ns_t from_ts, int64_t limit,
                           tt_store_candle_fn *fn, void *arg);

/* Latest snapshot of SYMBOL + KEY into BUF (CAP bytes): *LEN its size,
   *TS its time (TS may be NULL). 0 found, 1 none, -1 on error or when
   CAP is short (*LEN then holds the size needed). */
int tt_store_snapshot_latest(tt_store_t *self, const char *symbol,
                             const char *key, void *buf, size_t cap,
                             size_t *len, tt_ns_t *ts);

/* Next client-order sequence number of SYMBOL into *NEXT (1 when none). */
int tt_store_order_seq_get(tt_store_t *self, const char *symbol,
                           uint64_t *next);
/* Raises SYMBOL's next sequence to NEXT; it never goes down, so a client
   order id is never reused. 0 or -1. */
int tt_store_order_seq_set(tt_store_t *self, const char *symbol, uint64_t next);

/* The stored state of the order COID and how many fills it has: 0
   found, 1 no such order, -1 on error. */
int tt_store_order_status(tt_store_t *self, const char *coid,
                          tt_ord_state_t *state, int64_t *fills);

/* ---- Paper broker state, runs, key/value. */

/* Replaces SYMBOL's paper broker state by BLOB at TS. 0 or -1. */
int tt_store_paper_put(tt_store_t *self, const char *symbol, tt_ns_t ts,
                       const void *blob, size_t len);
/* Like tt_store_snapshot_latest: 0 found, 1 none, -1 error/short CAP. */
int tt_store_paper_get(tt_store_t *self, const char *symbol, void *buf,
                       size_t cap, size_t *len);

/* Starts a run at START_TS; *ID receives its id. 0 or -1. */
int tt_store_run_start(tt_store_t *self, tt_ns_t start_ts,
                       const char *config_hash, const char *version,
                       int64_t *id);
/* Ends run ID at STOP_TS with EXIT_REASON ("signal", "stop", ...). */
int tt_store_run_stop(tt_store_t *self, int64_t id, tt_ns_t stop_ts,
                      const char *exit_reason);

/* Gives every run that never stopped (no stop_ts, no exit reason: the
   process died) EXIT_REASON; *COUNT receives how many. 0 or -1. */
int tt_store_runs_unfinished(tt_store_t *self, const char *exit_reason,
                             int64_t *count);

/* Text values up to TT_STORE_BLOB_MAX (a backtest's report: about 200
   bytes per symbol). get: 0 found, 1 none, -1 error. */
int tt_store_kv_put(tt_store_t *self, const char *key, const char *value);
int tt_store_kv_get(tt_store_t *self, const char *key, char *buf, size_t cap);

/* ---- A session end's close owed (store/owed.c): a live symbol's
   force-close that waits for its venue's reconciliation, kept for the
   next start of the service. At most one per symbol. */

/* Records that SYMBOL owes the close of session SESSION_ID (yyyymmdd,
   > 0), which ended at END_TS; replaces one owed before. Durable
   (sync_trade) on return, after the rows queued before it. 0 or -1. */
int tt_store_owed_close_put(tt_store_t *self, const char *symbol,
                            int32_t session_id, tt_ns_t end_ts);
/* SYMBOL owes no close any more (it ran, or was dropped); 0 also when
   none was owed. Durable as above. 0 or -1. */
int tt_store_owed_close_clear(tt_store_t *self, const char *symbol);
/* The close SYMBOL owes: 0 found (*SESSION_ID, *END_TS set), 1 none,
   -1 on error. */
int tt_store_owed_close_get(tt_store_t *self, const char *symbol,
                            int32_t *session_id, tt_ns_t *end_ts);

/* ---- Retention. */

typedef struct {
    tt_ns_t candles_before;   /* delete candles with open_ts < this; 0 off */
    tt_ns_t events_before;    /* delete events with ts < this; 0 off */
    tt_ns_t snapshots_before; /* delete older snapshots, never the latest
                                 of a symbol + key; 0 off */
} tt_store_retention_t;

typedef struct {
    int64_t candles, events, snapshots; /* rows deleted */
} tt_store_deleted_t;

/* Deletes old rows in one transaction; never orders, order events,
   fills, positions or the ledger. DELETED may be NULL. 0 or -1. */
int tt_store_retain(tt_store_t *self, const tt_store_retention_t *ret,
                    tt_store_deleted_t *deleted);

#endif
