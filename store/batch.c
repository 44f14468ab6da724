/*  store/batch.c: the write queue for high-volume rows (candles, events,
    indicator snapshots). Rows are copied into a fixed array of batch_size
    slots and an arena for their strings and blobs, and committed in one
    transaction with reused prepared statements: one fsync-worthy commit
    per batch instead of one per row. Runs on the store actor's thread. */
#include "store/store_priv.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The arena of one batch stays below this; a batch of big blobs is
   committed early rather than grown without bound. */
#define S_ARENA_MAX (256u << 20)

static int s_arena_reserve(tt_store_t *self, size_t need)
{
    if (self->arena_len + need <= self->arena_cap)
        return 0;
    size_t cap = self->arena_cap ? self->arena_cap : 4096;
    while (cap < self->arena_len + need)
        cap *= 2;
    char *p = realloc(self->arena, cap);
    if (!p)
        return tt_st_errf(self, "queue: out of memory (%zu bytes)", cap);
    self->arena = p;
    self->arena_cap = cap;
    return 0;
}

/* Copies N bytes of P into the arena (reserved beforehand). */
static tt_st_span_t s_push(tt_store_t *self, const void *p, size_t n)
{
    tt_st_span_t span = {(uint32_t)self->arena_len, (uint32_t)n};
    if (n)
        memcpy(self->arena + self->arena_len, p, n);
    self->arena_len += n;
    return span;
}

/* Makes room for one row with BYTES of strings and blobs: commits the
   queue first when it is full or its arena would pass S_ARENA_MAX. */
static tt_st_row_t *s_slot(tt_store_t *self, size_t bytes)
{
    if (self->nrows == self->opts.batch_size ||
        (self->nrows && self->arena_len + bytes > S_ARENA_MAX))
        if (tt_store_flush(self) != 0)
            return NULL;
    if (s_arena_reserve(self, bytes) != 0)
        return NULL;
    tt_st_row_t *row = &self->rows[self->nrows];
    memset(row, 0, sizeof *row);
    return row;
}

/* Counts the queued row and commits the batch once it is full. */
static int s_queued(tt_store_t *self)
{
    self->nrows++;
    if (self->nrows == self->opts.batch_size)
        return tt_store_flush(self);
    return 0;
}

static bool s_candle_ok(const tt_candle_t *c)
{
    return c->tf_s > 0 && c->low <= c->high && c->open >= c->low &&
           c->open <= c->high && c->close >= c->low && c->close <= c->high &&
           c->volume >= 0;
}

int tt_store_candle_put(tt_store_t *self, const char *symbol,
                        const tt_candle_t *candle)
{
    assert(self && candle);
    if (tt_st_name_ok(self, "candle_put", "symbol", symbol,
                      TT_STORE_SYMBOL_MAX) != 0)
        return -1;
    if (!s_candle_ok(candle))
        return tt_st_errf(self,
                          "candle_put %s tf %d at %lld: malformed "
                          "candle (tf_s <= 0, low > high, open/close "
                          "outside low..high, or negative volume)",
                          symbol, candle->tf_s, (long long)candle->open_ts);
    size_t slen = strlen(symbol);
    tt_st_row_t *row = s_slot(self, slen);
    if (!row)
        return -1;
    row->kind = ST_ROW_CANDLE;
    row->symbol = s_push(self, symbol, slen);
    row->candle = *candle;
    return s_queued(self);
}

static int s_event_ok(tt_store_t *self, uint64_t seq, const char *topic,
                      const char *symbol, const void *payload, size_t len)
{
    if (seq == 0 || seq > (uint64_t)INT64_MAX)
        return tt_st_errf(self,
                          "event_append: seq %llu is not in "
                          "1..2^63-1",
                          (unsigned long long)seq);
    if (tt_st_name_ok(self, "event_append", "topic", topic, TT_STORE_KEY_MAX) !=
        0)
        return -1;
    if (symbol && *symbol &&
        tt_st_name_ok(self, "event_append", "symbol", symbol,
                      TT_STORE_SYMBOL_MAX) != 0)
        return -1;
    if ((!payload && len) || len > TT_STORE_BLOB_MAX)
        return tt_st_errf(self,
                          "event_append seq %llu: payload of %zu "
                          "bytes is missing or over %d bytes",
                          (unsigned long long)seq, len, TT_STORE_BLOB_MAX);
    return 0;
}

int tt_store_event_append(tt_store_t *self, uint64_t seq, tt_ns_t ts,
                          const char *topic, const char *symbol,
                          const void *payload, size_t len)
{
    assert(self);
    if (s_event_ok(self, seq, topic, symbol, payload, len) != 0)
        return -1;
    size_t tlen = strlen(topic), slen = symbol ? strlen(symbol) : 0;
    tt_st_row_t *row = s_slot(self, tlen + slen + len);
    if (!row)
        return -1;
    row->kind = ST_ROW_EVENT;
    row->seq = seq;
    row->ts = ts;
    row->key = s_push(self, topic, tlen);
    row->symbol = s_push(self, symbol, slen);
    row->blob = s_push(self, payload, len);
    return s_queued(self);
}

int tt_store_snapshot_put(tt_store_t *self, const char *symbol, const char *key,
                          tt_ns_t ts, const void *blob, size_t len)
{
    assert(self);
    if (tt_st_name_ok(self, "snapshot_put", "symbol", symbol,
                      TT_STORE_SYMBOL_MAX) != 0 ||
        tt_st_name_ok(self, "snapshot_put", "key", key, TT_STORE_KEY_MAX) != 0)
        return -1;
    if ((!blob && len) || len > TT_STORE_BLOB_MAX)
        return tt_st_errf(self,
                          "snapshot_put %s/%s: blob of %zu bytes is "
                          "missing or over %d bytes",
                          symbol, key, len, TT_STORE_BLOB_MAX);
    size_t slen = strlen(symbol), klen = strlen(key);
    tt_st_row_t *row = s_slot(self, slen + klen + len);
    if (!row)
        return -1;
    row->kind = ST_ROW_SNAP;
    row->ts = ts;
    row->symbol = s_push(self, symbol, slen);
    row->key = s_push(self, key, klen);
    row->blob = s_push(self, blob, len);
    return s_queued(self);
}

int tt_st_move_put(tt_store_t *self, const char *coid, tt_ns_t ts, int from,
                   int to, int64_t filled, const char *venue_oid,
                   const char *reason)
{
    assert(self->opts.group_rows > 0);
    size_t clen = strlen(coid), vlen = strlen(venue_oid), rlen = strlen(reason);
    tt_st_row_t *row = s_slot(self, clen + vlen + rlen);
    if (!row)
        return -1;
    row->kind = ST_ROW_MOVE;
    row->ts = ts;
    row->key = s_push(self, coid, clen);
    row->symbol = s_push(self, venue_oid, vlen);
    row->blob = s_push(self, reason, rlen);
    row->move.from = from;
    row->move.to = to;
    row->move.filled = filled;
    self->moves_queued = true;
    return s_queued(self);
}

void tt_st_moves_drop(tt_store_t *self)
{
    if (!self->moves_queued)
        return;
    int n = 0;
    for (int i = 0; i < self->nrows; i++)
        if (self->rows[i].kind != ST_ROW_MOVE)
            self->rows[n++] = self->rows[i];
    self->nrows = n; /* their bytes stay in the arena until the flush */
    self->moves_queued = false;
}

/* ---- Flush ---- */

static void s_bind_span(tt_store_t *self, sqlite3_stmt *st, int i,
                        tt_st_span_t s, bool text)
{
    const char *p = self->arena + s.off;
    if (text && s.len == 0)
        sqlite3_bind_null(st, i);
    else if (text)
        sqlite3_bind_text(st, i, p, (int)s.len, SQLITE_STATIC);
    else if (s.len == 0)
        sqlite3_bind_zeroblob(st, i, 0);
    else
        sqlite3_bind_blob(st, i, p, (int)s.len, SQLITE_STATIC);
}

/* Binds row R at parameters B+1 onwards, every one of its kind: the
   flush's statements keep their bindings between steps
   (tt_st_stmt_rebind), so a text or blob left bound may point into an
   arena since reused or freed; SQLite reads a binding only when the
   statement steps, and every step binds all of them first. */
static void s_bind_row(tt_store_t *self, sqlite3_stmt *st, int b,
                       const tt_st_row_t *r)
{
    const tt_candle_t *c = &r->candle;
    switch (r->kind) {
    case ST_ROW_CANDLE:
        s_bind_span(self, st, b + 1, r->symbol, true);
        sqlite3_bind_int(st, b + 2, c->tf_s);
        sqlite3_bind_int64(st, b + 3, c->open_ts);
        sqlite3_bind_int64(st, b + 4, c->open);
        sqlite3_bind_int64(st, b + 5, c->high);
        sqlite3_bind_int64(st, b + 6, c->low);
        sqlite3_bind_int64(st, b + 7, c->close);
        sqlite3_bind_int64(st, b + 8, c->volume);
        sqlite3_bind_int64(st, b + 9, c->trades);
        break;
    case ST_ROW_EVENT:
        sqlite3_bind_int64(st, b + 1, (int64_t)r->seq);
        sqlite3_bind_int64(st, b + 2, r->ts);
        s_bind_span(self, st, b + 3, r->key, true);
        s_bind_span(self, st, b + 4, r->symbol, true);
        s_bind_span(self, st, b + 5, r->blob, false);
        break;
    case ST_ROW_SNAP:
        s_bind_span(self, st, b + 1, r->symbol, true);
        s_bind_span(self, st, b + 2, r->key, true);
        sqlite3_bind_int64(st, b + 3, r->ts);
        s_bind_span(self, st, b + 4, r->blob, false);
        break;
    case ST_ROW_MOVE: /* as trades.c binds one, the reason never NULL */
        s_bind_span(self, st, b + 1, r->key, true);
        sqlite3_bind_int64(st, b + 2, r->ts);
        if (r->move.from)
            sqlite3_bind_int(st, b + 3, r->move.from);
        else
            sqlite3_bind_null(st, b + 3);
        sqlite3_bind_int(st, b + 4, r->move.to);
        sqlite3_bind_int64(st, b + 5, r->move.filled);
        s_bind_span(self, st, b + 6, r->symbol, true);
        sqlite3_bind_text(st, b + 7, self->arena + r->blob.off,
                          (int)r->blob.len, SQLITE_STATIC);
        break;
    }
}

/* Names a row in an error message. */
static void s_describe(const tt_store_t *self, const tt_st_row_t *r, int n,
                       char *out, size_t cap)
{
    const char *sym = self->arena + r->symbol.off;
    int slen = (int)r->symbol.len;
    if (r->kind == ST_ROW_CANDLE)
        snprintf(out, cap, "flush of %d rows: candle %.*s tf %d at %lld", n,
                 slen, sym, r->candle.tf_s, (long long)r->candle.open_ts);
    else if (r->kind == ST_ROW_EVENT)
        snprintf(out, cap, "flush of %d rows: event seq %llu", n,
                 (unsigned long long)r->seq);
    else if (r->kind == ST_ROW_MOVE)
        snprintf(out, cap, "flush of %d rows: order_events row of %.*s", n,
                 (int)r->key.len, self->arena + r->key.off);
    else
        snprintf(out, cap, "flush of %d rows: snapshot %.*s/%.*s at %lld", n,
                 slen, sym, (int)r->key.len, self->arena + r->key.off,
                 (long long)r->ts);
}

static const tt_st_id_t s_stmt_of[] = {
    [ST_ROW_CANDLE] = ST_CANDLE_PUT,
    [ST_ROW_EVENT] = ST_EVENT_PUT,
    [ST_ROW_SNAP] = ST_SNAP_PUT,
    [ST_ROW_MOVE] = ST_ORDER_EVENT,
};

/* Statements of TT_ST_MANY rows, and their parameters per row (0: the
   kind has none; snapshots are few and large). */
static const tt_st_id_t s_many_of[] = {
    [ST_ROW_CANDLE] = ST_CANDLE_PUT_MANY,
    [ST_ROW_EVENT] = ST_EVENT_PUT_MANY,
    [ST_ROW_SNAP] = ST_COUNT,
    [ST_ROW_MOVE] = ST_ORDER_EVENT_MANY,
};
static const int s_params_of[] = {
    [ST_ROW_CANDLE] = 9,
    [ST_ROW_EVENT] = 5,
    [ST_ROW_SNAP] = 0,
    [ST_ROW_MOVE] = 7,
};

/* Whether SQLite refused a row for what the row holds, so that writing
   it again can never pass: a constraint (CHECK, NOT NULL, UNIQUE,
   FOREIGN KEY, a trigger's RAISE), a value of the wrong type for its
   column, a value over SQLite's limits. A full disk, an I/O error, a
   busy or locked database, no memory pass once their cause is gone; a
   corrupt file or a missing table refuse every row alike, and setting
   each aside would empty the queue for nothing: those stay failures of
   the flush, which keeps its rows. */
static bool s_refused_for_good(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
        return true;
    default:
        return false;
    }
}

/* Names row R by its table and key, for the log. */
static void s_name_row(const tt_store_t *self, const tt_st_row_t *r, char *out,
                       size_t cap)
{
    const char *sym = self->arena + r->symbol.off;
    const char *key = self->arena + r->key.off;
    int slen = (int)r->symbol.len, klen = (int)r->key.len;
    if (r->kind == ST_ROW_CANDLE)
        snprintf(out, cap, "candles row %.*s tf %d at %lld", slen, sym,
                 r->candle.tf_s, (long long)r->candle.open_ts);
    else if (r->kind == ST_ROW_EVENT)
        snprintf(out, cap, "events row seq %llu (topic %.*s, symbol %.*s)",
                 (unsigned long long)r->seq, klen, key, slen ? slen : 1,
                 slen ? sym : "-");
    else
        snprintf(out, cap, "indicator_snapshots row %.*s/%.*s at %lld", slen,
                 sym, klen, key, (long long)r->ts);
}

/* Sets row R aside: SQLite refused it for good (RC) and undid just its
   statement, so the flush goes on without it. Counted and told once;
   dropped from the queue when the flush ends (s_drop_aside). */
static void s_set_aside(tt_store_t *self, tt_st_row_t *r, int rc)
{
    char what[200];
    s_name_row(self, r, what, sizeof what);
    char op[260];
    snprintf(op, sizeof op, "flush of %d rows: %s refused", self->nrows, what);
    tt_st_fail(self, op, rc);
    size_t len = strlen(self->err);
    snprintf(self->err + len, sizeof self->err - len,
             "; the row is set aside, the rest of the flush is written");
    r->aside = true;
    self->aside = true;
    self->refused++;
    if (self->opts.on_refused)
        self->opts.on_refused(self->err, r->kind == ST_ROW_EVENT ? r->seq : 0,
                              self->opts.refused_arg);
}

/* Drops the rows set aside from the queue, the others kept in order
   (their bytes stay in the arena until the queue is emptied). */
static void s_drop_aside(tt_store_t *self)
{
    if (!self->aside)
        return;
    int n = 0;
    for (int i = 0; i < self->nrows; i++)
        if (!self->rows[i].aside)
            self->rows[n++] = self->rows[i];
    self->nrows = n;
    self->aside = false;
}

/* Writes row R; one refused for good is set aside (0) when SQLite undid
   only its statement, the transaction still open. A grouped store's
   order_events row never is: its order's row is in the group already
   (s_write_queue). */
static int s_write_one(tt_store_t *self, tt_st_row_t *r, const char *op)
{
    sqlite3_stmt *st = tt_st_stmt_rebind(self, s_stmt_of[r->kind], op);
    if (!st)
        return -1;
    s_bind_row(self, st, 0, r); /* every parameter (s_bind_row) */
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (r->kind != ST_ROW_MOVE && s_refused_for_good(rc)) {
        if (!sqlite3_get_autocommit(self->db)) {
            s_set_aside(self, r, rc);
            return 0;
        }
        if (self->opts.group_rows == 0) {
            /* RAISE(ROLLBACK), ON CONFLICT ROLLBACK: SQLite ended the
               transaction; the flush starts again without the row. */
            s_set_aside(self, r, rc);
            self->restart = true;
            return -1;
        }
    }
    char what[160];
    s_describe(self, r, self->nrows, what, sizeof what);
    return tt_st_fail(self, what, rc);
}

/* TT_ST_MANY rows of one kind, the ROWS[IDX[0..]] , in one statement.
   When it fails inside a transaction that is still open (SQLite undid
   just the statement), the rows go again one by one so the error names
   the row at fault, or that row is set aside (s_write_one). */
static int s_write_many(tt_store_t *self, const int *idx, const char *op)
{
    const tt_st_row_t *first = &self->rows[idx[0]];
    sqlite3_stmt *st = tt_st_stmt_rebind(self, s_many_of[first->kind], op);
    if (!st)
        return -1;
    /* A statement with fewer rows than bound would drop the rest (SQLite
       refuses a bind past its parameters, and nothing checks each). */
    assert(sqlite3_bind_parameter_count(st) ==
           TT_ST_MANY * s_params_of[first->kind]);
    for (int i = 0; i < TT_ST_MANY; i++)
        s_bind_row(self, st, i * s_params_of[first->kind], &self->rows[idx[i]]);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (sqlite3_get_autocommit(self->db)) {
        char what[160];
        s_describe(self, first, self->nrows, what, sizeof what);
        tt_st_fail(self, what, rc);
        /* A live flush whose transaction a refusal ended starts again
           row by row, to find the row and set it aside. */
        if (s_refused_for_good(rc) && self->opts.group_rows == 0 &&
            !self->one_by_one)
            self->one_by_one = self->restart = true;
        return -1;
    }
    for (int i = 0; i < TT_ST_MANY; i++)
        if (s_write_one(self, &self->rows[idx[i]], op) != 0)
            return -1;
    return 0;
}

/* Candle A before candle B in the table's key order (symbol, tf_s,
   open_ts); queue order between equal keys (the sort is stable). */
static bool s_candle_before(const tt_store_t *self, const tt_st_row_t *a,
                            const tt_st_row_t *b)
{
    size_t n = a->symbol.len < b->symbol.len ? a->symbol.len : b->symbol.len;
    int c = memcmp(self->arena + a->symbol.off, self->arena + b->symbol.off, n);
    if (c == 0)
        c = (a->symbol.len > b->symbol.len) - (a->symbol.len < b->symbol.len);
    if (c == 0)
        c = (a->candle.tf_s > b->candle.tf_s) -
            (a->candle.tf_s < b->candle.tf_s);
    if (c == 0)
        c = (a->candle.open_ts > b->candle.open_ts) -
            (a->candle.open_ts < b->candle.open_ts);
    return c < 0;
}

/* Stable merge sort of the candle indices IDX[0..N) by key, TMP beside. */
static void s_sort_candles(const tt_store_t *self, int *idx, int *tmp, int n)
{
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n;
            int hi = lo + 2 * width < n ? lo + 2 * width : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = s_candle_before(self, &self->rows[idx[j]],
                                           &self->rows[idx[i]])
                               ? idx[j++]
                               : idx[i++];
            while (i < mid)
                tmp[k++] = idx[i++];
            while (j < hi)
                tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, (size_t)n * sizeof *idx);
    }
}

/* Rows of one kind, IDX[0..N), full runs of TT_ST_MANY in one statement
   each (a kind without a many-row statement goes row by row). */
static int s_write_kind(tt_store_t *self, tt_st_kind_t kind, const int *idx,
                        int n, const char *op)
{
    int i = 0;
    if (s_params_of[kind] > 0 && !self->one_by_one)
        for (; i + TT_ST_MANY <= n; i += TT_ST_MANY)
            if (s_write_many(self, idx + i, op) != 0)
                return -1;
    for (; i < n; i++)
        if (s_write_one(self, &self->rows[idx[i]], op) != 0)
            return -1;
    return 0;
}

/* One kind after the other: the rows commit together, so only the order
   within a table can be seen. Events and snapshots go in the order
   queued; candles in their key order, which keeps the pages a flush
   touches next to each other (a many-symbol backtest queues the candles
   of a thousand symbols side by side). */
static int s_write_rows(tt_store_t *self, const char *op)
{
    const tt_st_kind_t kinds[] = {ST_ROW_CANDLE, ST_ROW_EVENT, ST_ROW_SNAP,
                                  ST_ROW_MOVE};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int n = 0;
        for (int i = 0; i < self->nrows; i++)
            if (self->rows[i].kind == kinds[k])
                self->order[n++] = i;
        if (kinds[k] == ST_ROW_CANDLE)
            s_sort_candles(self, self->order,
                           self->order + self->opts.batch_size, n);
        if (s_write_kind(self, kinds[k], self->order, n, op) != 0)
            return -1;
    }
    return 0;
}

/* Writes the queued rows into the transaction (begun here; a grouped
   store's open group), uncommitted; rolled back on a failure. */
static int s_write_queue(tt_store_t *self, const char *op)
{
    if (tt_st_begin(self, self->opts.sync, op) != 0)
        return -1;
    int rc = s_write_rows(self, op);
    if (rc != 0 && self->moves_queued)
        /* A grouped store's order_events rows belong to orders rows
           earlier units of the group wrote: one refused takes the group,
           or an order would stay in a state with no row for it. */
        tt_st_rollback_group(self);
    else if (rc != 0)
        tt_st_rollback(self);
    return rc;
}

/* Writes the queue, rows set aside dropped from it: 0 with the
   transaction open (none when a live flush set every row aside), or -1
   rolled back. A live flush whose
   transaction a refused row ended (s_write_one) starts again without
   it: each round sets a row aside or goes row by row once, so at most
   twice the queue's rows plus one rounds. */
static int s_write_all(tt_store_t *self, const char *op)
{
    int rc = -1;
    for (int round = 0; round <= 2 * self->nrows + 1; round++) {
        self->restart = false;
        rc = s_write_queue(self, op);
        s_drop_aside(self); /* set aside, whatever became of the rest */
        if (rc == 0 || !self->restart)
            break;
        if (self->nrows == 0) { /* nothing left to write */
            rc = 0;
            break;
        }
    }
    self->one_by_one = false;
    return rc;
}

int tt_store_flush(tt_store_t *self)
{
    assert(self);
    if (self->nrows == 0)
        return 0;
    char op[48];
    snprintf(op, sizeof op, "flush of %d rows", self->nrows);
    int rc = s_write_all(self, op);
    if (rc != 0)
        return -1;
    if (self->opts.group_rows == 0 && sqlite3_get_autocommit(self->db)) {
        tt_store_discard(self); /* every row set aside, nothing begun */
        return 0;
    }
    if (self->opts.group_rows > 0) {
        /* In the group now (a commit it may start flushes nothing
           twice); a failed group commit loses them with the group. */
        tt_store_discard(self);
        return tt_st_commit(self, op);
    }
    if (tt_st_commit(self, op) != 0)
        return -1;
    tt_store_discard(self);
    return 0;
}

int tt_st_flush_before_trade(tt_store_t *self)
{
    return self->opts.group_rows > 0 ? 0 : tt_store_flush(self);
}

int tt_st_flush_into_group(tt_store_t *self)
{
    if (self->nrows == 0)
        return 0;
    char op[48];
    snprintf(op, sizeof op, "flush of %d rows", self->nrows);
    int rc = s_write_queue(self, op);
    s_drop_aside(self);
    if (rc != 0)
        return -1;
    tt_store_discard(self);
    return 0;
}

int tt_store_pending(const tt_store_t *self)
{
    assert(self);
    return self->nrows;
}

void tt_store_discard(tt_store_t *self)
{
    assert(self);
    self->nrows = 0;
    self->arena_len = 0;
    self->moves_queued = false;
    self->aside = false;
}

int64_t tt_store_refused(const tt_store_t *self)
{
    assert(self);
    return self->refused;
}
