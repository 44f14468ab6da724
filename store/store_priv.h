/*  store/store_priv.h: what the store's source files share and nobody else
    sees: the object, the prepared statement cache, transaction helpers and
    error formatting. Same thread as store.h (the store actor's). */
#ifndef TT_STORE_STORE_PRIV_H
#define TT_STORE_STORE_PRIV_H

#include <sqlite3.h>

#include "store/store.h"

/* Every statement the store runs more than once, prepared on first use
   (so a file held at an old schema version for a test only prepares what
   exists) and reused until close. */
typedef enum {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_CANDLE_PUT,
    ST_EVENT_PUT,
    ST_SNAP_PUT,
    ST_ORDER_INSERT,
    ST_ORDER_STATE,
    ST_ORDER_UPDATE,
    ST_ORDER_UPDATE_ID, /* by row id, if the state is still the memo's */
    ST_ORDER_EVENT,
    ST_SEQ_RAISE,
    ST_SEQ_GET,
    ST_FILL_INSERT,
    ST_LEDGER_INSERT,
    ST_POS_GET,
    ST_POS_PUT,
    ST_LEDGER_WALK,
    ST_EVENTS_RANGE,
    ST_EVENTS_MAX,
    ST_CANDLE_PUT_MANY, /* TT_ST_MANY rows in one statement */
    ST_EVENT_PUT_MANY,
    ST_ORDER_EVENT_MANY,
    ST_COUNT
} tt_st_id_t;

/* Rows per multi-row INSERT of a flush (candles, events): one statement
   step instead of many. */
#define TT_ST_MANY 64

/* One queued row of a batch. Strings and blobs live in the queue's arena
   (offsets, so the arena may grow), copied once when queued. */
typedef enum {
    ST_ROW_CANDLE,
    ST_ROW_EVENT,
    ST_ROW_SNAP,
    ST_ROW_MOVE, /* an order_events row (a grouped store's) */
} tt_st_kind_t;

typedef struct {
    uint32_t off, len;
} tt_st_span_t;

typedef struct {
    tt_st_kind_t kind;
    tt_st_span_t symbol; /* all kinds; len 0 = none (events); MOVE: the
                            venue's order id */
    tt_st_span_t key;    /* SNAP: key; EVENT: topic; MOVE: client id */
    tt_st_span_t blob;   /* SNAP: blob; EVENT: payload; MOVE: reason */
    uint64_t seq;        /* EVENT */
    tt_ns_t ts;          /* EVENT, SNAP, MOVE */
    bool aside;          /* refused for good by this flush: dropped */
    union {
        tt_candle_t candle; /* CANDLE */
        struct {
            int from, to; /* from 0: none (the intent) */
            int64_t filled;
        } move; /* MOVE */
    };
} tt_st_row_t;

/* What the store last wrote of each order not yet terminal (memo.c). */
typedef struct {
    char coid[TT_COID_MAX + 1];
    int64_t rowid;
    int state; /* 0: a free slot */
} tt_st_memo_slot_t;

typedef struct {
    tt_st_memo_slot_t *slots;
    size_t cap, count; /* cap: 0 or a power of two */
} tt_st_memo_t;

/* COID's row id and state as last written: true, or false when not
   remembered. */
bool tt_st_memo_get(const tt_st_memo_t *m, const char *coid, int64_t *rowid,
                    int *state);
/* Remembers (or updates) COID; nothing when out of memory. */
void tt_st_memo_put(tt_st_memo_t *m, const char *coid, int64_t rowid,
                    int state);
void tt_st_memo_drop(tt_st_memo_t *m, const char *coid);
void tt_st_memo_free(tt_st_memo_t *m);

struct tt_store_t {
    sqlite3 *db;
    tt_store_opts_t opts;
    int version;          /* schema version of the file */
    tt_store_sync_t sync; /* level the connection is at now */
    bool group_open;      /* grouped: the outer transaction is open */
    int64_t group_base;   /* grouped: total changes when it began */
    int64_t unit_base;    /* grouped: total changes when the unit began */
    bool group_hold;      /* grouped: no commit (tt_store_group_hold) */
    sqlite3_stmt *stmt[ST_COUNT];
    tt_st_row_t *rows; /* batch_size slots */
    int *order;        /* 2 x batch_size: a flush's row order, scratch */
    tt_st_memo_t memo; /* orders' row ids and states, as last written */
    int nrows;
    bool moves_queued; /* MOVE rows are in the queue */
    bool aside;        /* rows set aside in the queue (row.aside) */
    bool restart;      /* live flush: its transaction ended; again */
    bool one_by_one;   /* live flush: no multi-row statements */
    int64_t refused;   /* rows set aside since open */
    char *deferred;    /* CREATE statements of the indexes dropped at
                          open (opts.defer_indexes); NULL: none */
    char *arena;       /* strings and blobs of queued rows */
    size_t arena_len, arena_cap;
    char err[512];
};

/* A new grouped store (opts.defer_indexes): drops the indexes that
   enforce nothing, keeping their CREATE statements for
   tt_store_indexes_build (store/indexes.c). 0 or -1. */
int tt_st_indexes_defer(tt_store_t *self);

/* Migration scripts, in order; version N is scripts[0..N-1] applied. */
extern const char *const tt_st_migrations[];
extern const int tt_st_migration_count;

/* The prepared statement ID, reset and unbound; NULL with the error set. */
sqlite3_stmt *tt_st_stmt(tt_store_t *self, tt_st_id_t id, const char *op);
/* The same, reset with the bindings of its last use left in place: for
   a caller that binds every parameter before each step (a flush's rows).
   Unbinding a 64-row statement's 576 parameters twice per step was a
   fortieth of a backtest store writer's instructions. */
sqlite3_stmt *tt_st_stmt_rebind(tt_store_t *self, tt_st_id_t id,
                                const char *op);

/* Formats "store: OP: <sqlite3_errmsg> (<code>)" into self->err, with a
   note for SQLITE_BUSY and SQLITE_FULL. Returns -1. */
int tt_st_fail(tt_store_t *self, const char *op, int rc);
/* Formats a message of our own (bad input): "store: ...". Returns -1. */
int tt_st_errf(tt_store_t *self, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* BEGIN IMMEDIATE at sync level SYNC; COMMIT; ROLLBACK (never fails the
   caller: the first error is the one kept). 0 or -1. */
int tt_st_begin(tt_store_t *self, tt_store_sync_t sync, const char *op);
int tt_st_commit(tt_store_t *self, const char *op);
void tt_st_rollback(tt_store_t *self);
/* A grouped store's unit that failed after rows of earlier units it
   depends on (an order's row for its order_events row): rolls back the
   whole open group even when the unit itself changed nothing. */
void tt_st_rollback_group(tt_store_t *self);

/* Before a trade write: flushes the queue so rows reach the file in the
   order they were written. A grouped store commits every row of a group
   at once, so the order between its tables cannot be seen: its queue
   fills on (to batch_size rows, written with few statements). 0 or -1. */
int tt_st_flush_before_trade(tt_store_t *self);

/* Grouped store: writes the queued rows into the open group without
   committing (before the group commits). 0 or -1. */
int tt_st_flush_into_group(tt_store_t *self);

/* Grouped store: queues an order_events row (written with the queue, in
   the order queued, so row ids are those written one by one give), the
   order's row being written already. 0 or -1. */
int tt_st_move_put(tt_store_t *self, const char *coid, tt_ns_t ts, int from,
                   int to, int64_t filled, const char *venue_oid,
                   const char *reason);
/* Grouped store whose group was rolled back: drops the queued
   order_events rows, whose orders may have gone with it. */
void tt_st_moves_drop(tt_store_t *self);

/* Runs STMT to completion (SQLITE_DONE); 0, or -1 via tt_st_fail. */
int tt_st_done(tt_store_t *self, sqlite3_stmt *stmt, const char *op);

/* Writes PREFIX, at most AMAX bytes of A and, when B is not NULL, "/"
   and at most BMAX bytes of B into OUT of CAP bytes (cut to fit, always
   terminated): the name a write gives its error messages, made on every
   write, so without snprintf (a seventieth of a backtest store writer's
   instructions). */
void tt_st_op_name(char *out, size_t cap, const char *prefix, const char *a,
                   size_t amax, const char *b, size_t bmax);

/* Checks a name argument: non-NULL, 1..MAX bytes. 0 or -1 naming WHAT. */
int tt_st_name_ok(tt_store_t *self, const char *op, const char *what,
                  const char *s, size_t max);

/* Binds S (length strlen) as text at I; "" binds NULL when NULLABLE. */
int tt_st_bind_text(sqlite3_stmt *stmt, int i, const char *s, bool nullable);

/* Copies column I (text or NULL) into OUT of CAP bytes. */
void tt_st_col_text(sqlite3_stmt *stmt, int i, char *out, size_t cap);

/* Copies blob column I into BUF: 0, or -1 with *LEN the size needed when
   CAP is short. */
int tt_st_col_blob(tt_store_t *self, sqlite3_stmt *stmt, int i, void *buf,
                   size_t cap, size_t *len, const char *op);

#endif
