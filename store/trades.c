/*  store/trades.c: orders, fills, positions and the ledger. Each write is
    a transaction of its own at the sync_trade level, committed before the
    call returns, after the batch queue has been flushed so rows reach the
    file in the order they were written (invariants 4, 5 and 6). Runs on
    the store actor's thread. */
#include "store/store_priv.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "orders/money.h"

/* ---- Orders ---- */

static bool s_fits(const char *s, size_t size)
{
    return strnlen(s, size) < size;
}

static int s_order_ok(tt_store_t *self, const char *op,
                      const tt_store_order_t *rec)
{
    const tt_order_t *o = &rec->order;
    if (tt_st_name_ok(self, op, "symbol", rec->symbol, TT_STORE_SYMBOL_MAX) ||
        tt_st_name_ok(self, op, "client order id", o->coid, TT_COID_MAX))
        return -1;
    if (!s_fits(rec->venue_oid, sizeof rec->venue_oid) ||
        !s_fits(rec->parent_coid, sizeof rec->parent_coid) ||
        !s_fits(o->reason, sizeof o->reason))
        return tt_st_errf(self,
                          "%s %s: venue id, parent id or reason is "
                          "not NUL-terminated",
                          op, o->coid);
    if (o->side < TT_SIDE_BUY || o->side > TT_SIDE_SELL ||
        o->type < TT_ORD_MARKET || o->type > TT_ORD_STOP_LIMIT ||
        o->tif < TT_TIF_DAY || o->tif > TT_TIF_IOC || o->state < TT_OS_MIN ||
        o->state > TT_OS_MAX)
        return tt_st_errf(self,
                          "%s %s: side %d, type %d, tif %d or state "
                          "%d out of range",
                          op, o->coid, (int)o->side, (int)o->type, (int)o->tif,
                          (int)o->state);
    if (o->qty <= 0 || o->filled < 0 || o->filled > o->qty ||
        o->seq >= (uint64_t)INT64_MAX)
        return tt_st_errf(self,
                          "%s %s: qty %lld, filled %lld or seq %llu "
                          "out of range",
                          op, o->coid, (long long)o->qty, (long long)o->filled,
                          (unsigned long long)o->seq);
    if (o->role != TT_ROLE_ENTRY && o->role != TT_ROLE_STOP &&
        o->role != TT_ROLE_TARGET && o->role != TT_ROLE_EXIT)
        return tt_st_errf(self, "%s %s: role %d is not e, s, t or x", op,
                          o->coid, (int)o->role);
    return 0;
}

static int s_insert_order(tt_store_t *self, const tt_store_order_t *rec,
                          const char *op)
{
    const tt_order_t *o = &rec->order;
    sqlite3_stmt *st = tt_st_stmt(self, ST_ORDER_INSERT, op);
    if (!st)
        return -1;
    char role[2] = {(char)o->role, 0};
    tt_st_bind_text(st, 1, o->coid, false);
    tt_st_bind_text(st, 2, rec->symbol, false);
    sqlite3_bind_int64(st, 3, (int64_t)o->seq);
    sqlite3_bind_text(st, 4, role, 1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 5, (int)o->side);
    sqlite3_bind_int(st, 6, (int)o->type);
    sqlite3_bind_int(st, 7, (int)o->tif);
    sqlite3_bind_int64(st, 8, o->qty);
    sqlite3_bind_int64(st, 9, o->limit_px);
    sqlite3_bind_int64(st, 10, o->stop_px);
    sqlite3_bind_int(st, 11, (int)o->state);
    sqlite3_bind_int64(st, 12, o->filled);
    sqlite3_bind_int64(st, 13, o->fill_cost);
    sqlite3_bind_int64(st, 14, o->fees);
    tt_st_bind_text(st, 15, rec->venue_oid, true);
    tt_st_bind_text(st, 16, rec->parent_coid, true);
    sqlite3_bind_int64(st, 17, (int64_t)o->replaces);
    sqlite3_bind_int(st, 18, o->reject_code);
    tt_st_bind_text(st, 19, o->reason, false);
    sqlite3_bind_int64(st, 20, o->created_ts);
    sqlite3_bind_int64(st, 21, o->updated_ts);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return TT_STORE_DUP;
    return rc == SQLITE_DONE ? 0 : tt_st_fail(self, op, rc);
}

/* FROM is 0 for the intent (no previous state: NULL). A grouped store
   queues the row (the orders row it names is written already). */
static int s_order_event(tt_store_t *self, const tt_store_order_t *rec,
                         int from, tt_ns_t ts, const char *op)
{
    if (self->opts.group_rows > 0)
        return tt_st_move_put(self, rec->order.coid, ts, from,
                              (int)rec->order.state, rec->order.filled,
                              rec->venue_oid,
                              from ? rec->order.reason : "intent");
    sqlite3_stmt *st = tt_st_stmt(self, ST_ORDER_EVENT, op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, rec->order.coid, false);
    sqlite3_bind_int64(st, 2, ts);
    if (from)
        sqlite3_bind_int(st, 3, from);
    sqlite3_bind_int(st, 4, (int)rec->order.state);
    sqlite3_bind_int64(st, 5, rec->order.filled);
    tt_st_bind_text(st, 6, rec->venue_oid, true);
    tt_st_bind_text(st, 7, from ? rec->order.reason : "intent", false);
    return tt_st_done(self, st, op);
}

static int s_seq_raise(tt_store_t *self, const char *symbol, uint64_t next,
                       const char *op)
{
    sqlite3_stmt *st = tt_st_stmt(self, ST_SEQ_RAISE, op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, symbol, false);
    sqlite3_bind_int64(st, 2, (int64_t)next);
    return tt_st_done(self, st, op);
}

/* REC's row as it is once NOW (NULL: none) has moved it: the columns an
   update sets are NOW's, the venue id kept when NOW has none (the
   COALESCE of ST_ORDER_UPDATE_ID). */
static void s_merge(tt_store_order_t *row, const tt_store_order_t *rec,
                    const tt_store_order_t *now)
{
    *row = *rec;
    if (!now)
        return;
    row->order.state = now->order.state;
    row->order.filled = now->order.filled;
    row->order.fill_cost = now->order.fill_cost;
    row->order.fees = now->order.fees;
    row->order.reject_code = now->order.reject_code;
    row->order.updated_ts = now->order.updated_ts;
    memcpy(row->order.reason, now->order.reason, sizeof row->order.reason);
    if (now->venue_oid[0])
        memcpy(row->venue_oid, now->venue_oid, sizeof row->venue_oid);
}

/* The intent REC, its row in NOW's state (NULL: NEW), the symbol's
   sequence raised when SEQ. */
static int s_intent(tt_store_t *self, const tt_store_order_t *rec,
                    const tt_store_order_t *now, bool seq)
{
    assert(self && rec);
    char op[64];
    tt_st_op_name(op, sizeof op, "order_intent ", rec->order.coid, 36, NULL, 0);
    if (s_order_ok(self, "order_intent", rec) != 0)
        return -1; /* NOW was checked by the caller (store.h) */
    if (rec->order.state != TT_OS_NEW)
        return tt_st_errf(self, "%s: state is %s; an intent is NEW", op,
                          tt_ord_state_name(rec->order.state));
    if (tt_st_flush_before_trade(self) != 0 ||
        tt_st_begin(self, self->opts.sync_trade, op) != 0)
        return -1;
    tt_store_order_t row;
    s_merge(&row, rec, now);
    int rc = s_insert_order(self, &row, op);
    if (rc == TT_STORE_DUP) {
        tt_st_rollback(self);
        tt_st_errf(self,
                   "%s: client order id already stored; ask the "
                   "broker about it, never send it again",
                   op);
        return TT_STORE_DUP;
    }
    int64_t rowid = sqlite3_last_insert_rowid(self->db);
    if (rc != 0 ||
        s_order_event(self, rec, 0, rec->order.created_ts, op) != 0 ||
        (seq && s_seq_raise(self, rec->symbol, rec->order.seq + 1, op) != 0)) {
        tt_st_rollback(self);
        return -1;
    }
    tt_st_memo_put(&self->memo, rec->order.coid, rowid, TT_OS_NEW);
    return tt_st_commit(self, op);
}

int tt_store_order_intent(tt_store_t *self, const tt_store_order_t *rec)
{
    return s_intent(self, rec, NULL, true);
}

int tt_store_order_intent_as(tt_store_t *self, const tt_store_order_t *rec,
                             const tt_store_order_t *now)
{
    return s_intent(self, rec, now, false);
}

int tt_store_order_check(tt_store_t *self, const tt_store_order_t *rec)
{
    assert(self && rec);
    return s_order_ok(self, "order_update", rec);
}

/* Runs SQL (a savepoint statement, no parameters) for OP. */
static int s_exec(tt_store_t *self, const char *sql, const char *op)
{
    int rc = sqlite3_exec(self->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : tt_st_fail(self, op, rc);
}

/* One intent of a group, inside the open transaction, under a savepoint:
   0, TT_STORE_DUP or -1, with nothing of it left unless 0. *ROWID is its
   row. */
static int s_intent_in_group(tt_store_t *self, const tt_store_order_t *rec,
                             int64_t *rowid)
{
    char op[64];
    tt_st_op_name(op, sizeof op, "order_intent ", rec->order.coid, 36, NULL, 0);
    if (s_order_ok(self, "order_intent", rec) != 0)
        return -1;
    if (rec->order.state != TT_OS_NEW)
        return tt_st_errf(self, "%s: state is %s; an intent is NEW", op,
                          tt_ord_state_name(rec->order.state));
    if (s_exec(self, "SAVEPOINT intent", op) != 0)
        return -1;
    int rc = s_insert_order(self, rec, op);
    if (rc == 0) {
        *rowid = sqlite3_last_insert_rowid(self->db);
        if (s_order_event(self, rec, 0, rec->order.created_ts, op) != 0 ||
            s_seq_raise(self, rec->symbol, rec->order.seq + 1, op) != 0)
            rc = -1;
    }
    if (rc != 0) {
        char err[sizeof self->err];
        snprintf(err, sizeof err, "%s", self->err);
        s_exec(self, "ROLLBACK TO intent", op);
        snprintf(self->err, sizeof self->err, "%s", err);
        if (rc == TT_STORE_DUP)
            tt_st_errf(self,
                       "%s: client order id already stored; ask the "
                       "broker about it, never send it again",
                       op);
    }
    if (s_exec(self, "RELEASE intent", op) != 0 && rc == 0)
        rc = -1;
    return rc;
}

size_t tt_store_order_intents(tt_store_t *self, const tt_store_order_t *recs,
                              size_t n, int *rc)
{
    assert(self && (recs || !n) && (rc || !n));
    size_t stored = 0;
    if (n > TT_STORE_INTENTS_MAX)
        return tt_store_order_intents(self, recs, TT_STORE_INTENTS_MAX, rc) +
               tt_store_order_intents(self, recs + TT_STORE_INTENTS_MAX,
                                      n - TT_STORE_INTENTS_MAX,
                                      rc + TT_STORE_INTENTS_MAX);
    if (n <= 1 || self->opts.group_rows > 0) {
        for (size_t i = 0; i < n; i++)
            stored += (rc[i] = tt_store_order_intent(self, &recs[i])) == 0;
        return stored;
    }
    if (tt_st_flush_before_trade(self) != 0 ||
        tt_st_begin(self, self->opts.sync_trade, "order_intents") != 0) {
        for (size_t i = 0; i < n; i++)
            rc[i] = -1;
        return 0;
    }
    int64_t rowid[TT_STORE_INTENTS_MAX];
    for (size_t i = 0; i < n; i++) {
        /* An I/O error can end the transaction under us: nothing more
           may then be written outside it. */
        if (sqlite3_get_autocommit(self->db)) {
            rc[i] = tt_st_errf(self, "order_intents: the transaction ended");
            continue;
        }
        stored += (rc[i] = s_intent_in_group(self, &recs[i], &rowid[i])) == 0;
    }
    if (tt_st_commit(self, "order_intents") != 0) {
        for (size_t i = 0; i < n; i++)
            if (rc[i] == 0)
                rc[i] = -1;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (rc[i] == 0)
            tt_st_memo_put(&self->memo, recs[i].order.coid, rowid[i],
                           TT_OS_NEW);
    return stored;
}

/* The stored state of REC's order, checked against its new one. */
static int s_check_move(tt_store_t *self, const tt_store_order_t *rec,
                        int *from, int64_t *rowid, const char *op)
{
    sqlite3_stmt *st = tt_st_stmt(self, ST_ORDER_STATE, op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, rec->order.coid, false);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return tt_st_errf(self, "%s: unknown client order id", op);
    if (rc != SQLITE_ROW)
        return tt_st_fail(self, op, rc);
    *from = sqlite3_column_int(st, 0);
    char sym[TT_STORE_SYMBOL_MAX + 1];
    tt_st_col_text(st, 1, sym, sizeof sym);
    *rowid = sqlite3_column_int64(st, 2);
    sqlite3_reset(st);
    tt_ord_state_t to = rec->order.state;
    if (strcmp(sym, rec->symbol) != 0)
        return tt_st_errf(self, "%s: stored for symbol %s, not %s", op, sym,
                          rec->symbol);
    if (*from != (int)to && !tt_ord_allowed((tt_ord_state_t)*from, to))
        return tt_st_errf(self, "%s: illegal transition %s -> %s", op,
                          tt_ord_state_name((tt_ord_state_t)*from),
                          tt_ord_state_name(to));
    return 0;
}

/* Binds the new state of REC's order to ST (?1 to ?9). */
static void s_bind_update(sqlite3_stmt *st, const tt_store_order_t *rec)
{
    const tt_order_t *o = &rec->order;
    tt_st_bind_text(st, 1, o->coid, false);
    sqlite3_bind_int(st, 2, (int)o->state);
    sqlite3_bind_int64(st, 3, o->filled);
    sqlite3_bind_int64(st, 4, o->fill_cost);
    sqlite3_bind_int64(st, 5, o->fees);
    tt_st_bind_text(st, 6, rec->venue_oid, true);
    sqlite3_bind_int(st, 7, o->reject_code);
    tt_st_bind_text(st, 8, o->reason, false);
    sqlite3_bind_int64(st, 9, o->updated_ts);
}

static int s_update_row(tt_store_t *self, const tt_store_order_t *rec,
                        const char *op)
{
    sqlite3_stmt *st = tt_st_stmt(self, ST_ORDER_UPDATE, op);
    if (!st)
        return -1;
    s_bind_update(st, rec);
    return tt_st_done(self, st, op);
}

/* The quick way: the memo knows the order's row and state, the move
   from it is legal, and one UPDATE by row id finds the row still in
   that state. 1 done (*FROM the state before), 0 not so (the slow way
   reads the row and says what is wrong), -1 on an SQLite error. */
static int s_update_known(tt_store_t *self, const tt_store_order_t *rec,
                          int64_t rowid, int from, const char *op)
{
    tt_ord_state_t to = rec->order.state;
    if (from != (int)to && !tt_ord_allowed((tt_ord_state_t)from, to))
        return 0;
    sqlite3_stmt *st = tt_st_stmt(self, ST_ORDER_UPDATE_ID, op);
    if (!st)
        return -1;
    s_bind_update(st, rec);
    sqlite3_bind_int64(st, 10, rowid);
    tt_st_bind_text(st, 11, rec->symbol, false);
    sqlite3_bind_int(st, 12, from);
    if (tt_st_done(self, st, op) != 0)
        return -1;
    return sqlite3_changes(self->db) == 1 ? 1 : 0;
}

/* Moves the stored order to REC's state: the quick way, else after
   reading and checking its row. *FROM and *ROWID receive what it was. */
static int s_move(tt_store_t *self, const tt_store_order_t *rec, int *from,
                  int64_t *rowid, const char *op)
{
    if (tt_st_memo_get(&self->memo, rec->order.coid, rowid, from)) {
        int rc = s_update_known(self, rec, *rowid, *from, op);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
    if (s_check_move(self, rec, from, rowid, op) != 0)
        return -1;
    return s_update_row(self, rec, op);
}

int tt_store_order_update(tt_store_t *self, const tt_store_order_t *rec)
{
    assert(self && rec);
    char op[64];
    tt_st_op_name(op, sizeof op, "order_update ", rec->order.coid, 36, NULL, 0);
    if (s_order_ok(self, "order_update", rec) != 0)
        return -1;
    if (tt_st_flush_before_trade(self) != 0 ||
        tt_st_begin(self, self->opts.sync_trade, op) != 0)
        return -1;
    int from = 0;
    int64_t rowid = 0;
    if (s_move(self, rec, &from, &rowid, op) != 0 ||
        s_order_event(self, rec, from, rec->order.updated_ts, op) != 0) {
        tt_st_rollback(self);
        return -1;
    }
    if (tt_ord_terminal(rec->order.state))
        tt_st_memo_drop(&self->memo, rec->order.coid);
    else
        tt_st_memo_put(&self->memo, rec->order.coid, rowid,
                       (int)rec->order.state);
    return tt_st_commit(self, op);
}

/* 0 when COID's row is stored; -1 with the error set. */
static int s_stored(tt_store_t *self, const char *coid, const char *op)
{
    sqlite3_stmt *st = tt_st_stmt(self, ST_ORDER_STATE, op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, coid, false);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return tt_st_errf(self, "%s: unknown client order id", op);
    return rc == SQLITE_ROW ? 0 : tt_st_fail(self, op, rc);
}

int tt_store_order_moved(tt_store_t *self, const tt_store_order_t *rec,
                         int from)
{
    assert(self && rec);
    char op[64];
    tt_st_op_name(op, sizeof op, "order_update ", rec->order.coid, 36, NULL, 0);
    if (tt_st_begin(self, self->opts.sync_trade, op) != 0)
        return -1;
    int64_t rowid = 0;
    int was = 0;
    bool known = tt_st_memo_get(&self->memo, rec->order.coid, &rowid, &was);
    /* An order the memo forgot may have gone with a group rolled back
       since its intent: its order_events row would then fail the next
       flush, and that flush's group with it. Refused as an update of an
       unknown order is, nothing changed. */
    if (!known && s_stored(self, rec->order.coid, op) != 0) {
        tt_st_rollback(self);
        return -1;
    }
    /* The order's row, in this state already, is in the open group (its
       intent's): without its order_events row it goes with the group, as
       an update's row would (store.h). */
    if (s_order_event(self, rec, from, rec->order.updated_ts, op) != 0) {
        tt_st_rollback_group(self);
        return -1;
    }
    if (tt_ord_terminal(rec->order.state))
        tt_st_memo_drop(&self->memo, rec->order.coid);
    else if (known)
        tt_st_memo_put(&self->memo, rec->order.coid, rowid,
                       (int)rec->order.state);
    return tt_st_commit(self, op);
}

/* ---- Order sequence numbers ---- */

int tt_store_order_seq_get(tt_store_t *self, const char *symbol, uint64_t *next)
{
    assert(self && next);
    if (tt_st_name_ok(self, "order_seq_get", "symbol", symbol,
                      TT_STORE_SYMBOL_MAX) != 0)
        return -1;
    sqlite3_stmt *st = tt_st_stmt(self, ST_SEQ_GET, "order_seq_get");
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, symbol, false);
    int rc = sqlite3_step(st);
    *next = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 1;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return tt_st_fail(self, "order_seq_get", rc);
    return 0;
}

int tt_store_order_seq_set(tt_store_t *self, const char *symbol, uint64_t next)
{
    assert(self);
    const char *op = "order_seq_set";
    if (tt_st_name_ok(self, op, "symbol", symbol, TT_STORE_SYMBOL_MAX) != 0)
        return -1;
    if (next < 1 || next > (uint64_t)INT64_MAX)
        return tt_st_errf(self, "%s %s: %llu is not in 1..2^63-1", op, symbol,
                          (unsigned long long)next);
    if (tt_st_flush_before_trade(self) != 0 ||
        tt_st_begin(self, self->opts.sync_trade, op) != 0)
        return -1;
    if (s_seq_raise(self, symbol, next, op) != 0) {
        tt_st_rollback(self);
        return -1;
    }
    return tt_st_commit(self, op);
}
