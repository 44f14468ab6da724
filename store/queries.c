/*  store/queries.c: reads for warm restart and gap replay (events, open
    orders, positions, candles, snapshots, sequence numbers), the paper
    broker's state, runs, key/value and retention. Reads of batched tables
    flush the queue first so they see every row written before them. Runs
    on the store actor's thread. */
#include "store/store_priv.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* One-off statements (restore-time reads, retention) are prepared per
   call: they run rarely, and keeping them would only hold memory. */
static sqlite3_stmt *s_prepare(tt_store_t *self, const char *sql,
                               const char *op)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(self->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        tt_st_fail(self, op, rc);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Steps the end of a walk: 0 when it ended (or FN stopped it). */
static int s_walk_end(tt_store_t *self, sqlite3_stmt *st, int rc,
                      const char *op, bool own)
{
    int ret =
        (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : tt_st_fail(self, op, rc);
    if (own)
        sqlite3_finalize(st);
    else
        sqlite3_reset(st);
    return ret;
}

/* ---- Events ---- */

int tt_store_events_range(tt_store_t *self, uint64_t from, uint64_t to,
                          tt_store_event_fn *fn, void *arg)
{
    assert(self && fn);
    const char *op = "events_range";
    if (from > (uint64_t)INT64_MAX)
        return 0;
    if (to > (uint64_t)INT64_MAX)
        to = (uint64_t)INT64_MAX;
    if (tt_store_flush(self) != 0)
        return -1;
    sqlite3_stmt *st = tt_st_stmt(self, ST_EVENTS_RANGE, op);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, (int64_t)from);
    sqlite3_bind_int64(st, 2, (int64_t)to);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *sym = sqlite3_column_text(st, 3);
        const void *payload = sqlite3_column_blob(st, 4);
        size_t len = (size_t)sqlite3_column_bytes(st, 4);
        if (!payload)
            payload = ""; /* an empty blob comes back as NULL */
        if (fn((uint64_t)sqlite3_column_int64(st, 0),
               sqlite3_column_int64(st, 1),
               (const char *)sqlite3_column_text(st, 2),
               sym ? (const char *)sym : "", payload, len, arg) != 0)
            break;
    }
    return s_walk_end(self, st, rc, op, false);
}

int tt_store_last_event_seq(tt_store_t *self, uint64_t *seq)
{
    assert(self && seq);
    const char *op = "last_event_seq";
    if (tt_store_flush(self) != 0)
        return -1;
    sqlite3_stmt *st = tt_st_stmt(self, ST_EVENTS_MAX, op);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    *seq = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    return s_walk_end(self, st, rc, op, false);
}

/* ---- Orders and positions ---- */

/* Columns as tt_store_open_orders selects them. */
static void s_order_read(sqlite3_stmt *st, tt_store_order_t *r)
{
    memset(r, 0, sizeof *r);
    tt_order_t *o = &r->order;
    tt_st_col_text(st, 0, o->coid, sizeof o->coid);
    tt_st_col_text(st, 1, r->symbol, sizeof r->symbol);
    o->seq = (uint64_t)sqlite3_column_int64(st, 2);
    const unsigned char *role = sqlite3_column_text(st, 3);
    o->role = (tt_role_t)(role ? role[0] : 0);
    o->side = (tt_side_t)sqlite3_column_int(st, 4);
    o->type = (tt_ord_type_t)sqlite3_column_int(st, 5);
    o->tif = (tt_tif_t)sqlite3_column_int(st, 6);
    o->qty = sqlite3_column_int64(st, 7);
    o->limit_px = sqlite3_column_int64(st, 8);
    o->stop_px = sqlite3_column_int64(st, 9);
    o->state = (tt_ord_state_t)sqlite3_column_int(st, 10);
    o->filled = sqlite3_column_int64(st, 11);
    o->fill_cost = sqlite3_column_int64(st, 12);
    o->fees = sqlite3_column_int64(st, 13);
    tt_st_col_text(st, 14, r->venue_oid, sizeof r->venue_oid);
    tt_st_col_text(st, 15, r->parent_coid, sizeof r->parent_coid);
    o->replaces = (uint64_t)sqlite3_column_int64(st, 16);
    o->reject_code = sqlite3_column_int(st, 17);
    tt_st_col_text(st, 18, o->reason, sizeof o->reason);
    o->created_ts = sqlite3_column_int64(st, 19);
    o->updated_ts = sqlite3_column_int64(st, 20);
}

int tt_store_open_orders(tt_store_t *self, const char *symbol,
                         tt_store_order_fn *fn, void *arg)
{
    assert(self && fn);
    const char *op = "open_orders";
    /* Terminal states: FILLED 4, CANCELLED 5, REJECTED 6, EXPIRED 7,
       REPLACED 10 (orders/order.h). */
    sqlite3_stmt *st = s_prepare(
        self,
        "SELECT coid, symbol, seq, role, side, type, tif, qty, limit_px,"
        " stop_px, state, filled, fill_cost, fees, venue_oid, parent_coid,"
        " replaces, reject_code, reason, created_ts, updated_ts FROM orders"
        " WHERE state IN (1, 2, 3, 8, 9) AND (?1 IS NULL OR symbol = ?1)"
        " ORDER BY id",
        op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, symbol, true);
    int rc;
    tt_store_order_t rec;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        s_order_read(st, &rec);
        if (fn(&rec, arg) != 0)
            break;
    }
    return s_walk_end(self, st, rc, op, true);
}

int tt_store_positions(tt_store_t *self, tt_store_position_fn *fn, void *arg)
{
    assert(self && fn);
    const char *op = "positions";
    sqlite3_stmt *st = s_prepare(
        self,
        "SELECT qty, cost, realized, fees, trip_realized, trip_fees, fills,"
        " trips, qty_decimals, opened_ts, updated_ts, symbol FROM positions"
        " ORDER BY symbol",
        op);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        tt_position_t p;
        tt_position_init(&p, sqlite3_column_int(st, 8));
        p.qty = sqlite3_column_int64(st, 0);
        p.cost = sqlite3_column_int64(st, 1);
        p.realized = sqlite3_column_int64(st, 2);
        p.fees = sqlite3_column_int64(st, 3);
        p.trip_realized = sqlite3_column_int64(st, 4);
        p.trip_fees = sqlite3_column_int64(st, 5);
        p.fills = (uint64_t)sqlite3_column_int64(st, 6);
        p.trips = (uint64_t)sqlite3_column_int64(st, 7);
        p.opened_ts = sqlite3_column_int64(st, 9);
        p.updated_ts = sqlite3_column_int64(st, 10);
        if (fn((const char *)sqlite3_column_text(st, 11), &p, arg) != 0)
            break;
    }
    return s_walk_end(self, st, rc, op, true);
}

/* ---- Candles and snapshots ---- */

int tt_store_candles_since(tt_store_t *self, const char *symbol, int32_t tf_s,
                           tt_ns_t from_ts, int64_t limit,
                           tt_store_candle_fn *fn, void *arg)
{
    assert(self && fn);
    const char *op = "candles_since";
    if (tt_st_name_ok(self, op, "symbol", symbol, TT_STORE_SYMBOL_MAX) != 0)
        return -1;
    if (tt_store_flush(self) != 0)
        return -1;
    sqlite3_stmt *st = s_prepare(
        self,
        "SELECT open_ts, open, high, low, close, volume, trades FROM candles"
        " WHERE symbol = ?1 AND tf_s = ?2 AND open_ts >= ?3"
        " ORDER BY open_ts LIMIT ?4",
        op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, symbol, false);
    sqlite3_bind_int(st, 2, tf_s);
    sqlite3_bind_int64(st, 3, from_ts);
    sqlite3_bind_int64(st, 4, limit > 0 ? limit : -1);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        tt_candle_t c = {.open_ts = sqlite3_column_int64(st, 0),
                         .tf_s = tf_s,
                         .open = sqlite3_column_int64(st, 1),
                         .high = sqlite3_column_int64(st, 2),
                         .low = sqlite3_column_int64(st, 3),
                         .close = sqlite3_column_int64(st, 4),
                         .volume = sqlite3_column_int64(st, 5),
                         .trades = (uint32_t)sqlite3_column_int64(st, 6),
                         .closed = true};
        if (fn(symbol, &c, arg) != 0)
            break;
    }
    return s_walk_end(self, st, rc, op, true);
}

/* Runs ST (bound) expecting at most one row with the blob in column 0
   and a time in column 1: 0 found, 1 none, -1 error. */
static int s_blob_row(tt_store_t *self, sqlite3_stmt *st, void *buf, size_t cap,
                      size_t *len, tt_ns_t *ts, const char *op)
{
    int rc = sqlite3_step(st), ret;
    *len = 0;
    if (rc == SQLITE_ROW) {
        ret = tt_st_col_blob(self, st, 0, buf, cap, len, op);
        if (ts)
            *ts = sqlite3_column_int64(st, 1);
    } else {
        ret = rc == SQLITE_DONE ? 1 : tt_st_fail(self, op, rc);
    }
    sqlite3_finalize(st);
    return ret;
}

int tt_store_snapshot_latest(tt_store_t *self, const char *symbol,
                             const char *key, void *buf, size_t cap,
                             size_t *len, tt_ns_t *ts)
{
    assert(self && len && (buf || !cap));
    const char *op = "snapshot_latest";
    if (tt_st_name_ok(self, op, "symbol", symbol, TT_STORE_SYMBOL_MAX) ||
        tt_st_name_ok(self, op, "key", key, TT_STORE_KEY_MAX) ||
        tt_store_flush(self) != 0)
        return -1;
    sqlite3_stmt *st = s_prepare(
        self,
        "SELECT blob, ts FROM indicator_snapshots WHERE symbol = ?1 AND"
        " key = ?2 ORDER BY ts DESC LIMIT 1",
        op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, symbol, false);
    tt_st_bind_text(st, 2, key, false);
    return s_blob_row(self, st, buf, cap, len, ts, op);
}

/* ---- Paper broker state ---- */

/* Runs one prepared write in its own transaction at LEVEL. */
static int s_write_one(tt_store_t *self, sqlite3_stmt *st,
                       tt_store_sync_t level, const char *op)
{
    int ret = -1;
    if (tt_store_flush(self) == 0 && tt_st_begin(self, level, op) == 0) {
        if (tt_st_done(self, st, op) == 0)
            ret = tt_st_commit(self, op);
        else
            tt_st_rollback(self);
    }
    sqlite3_finalize(st);
    return ret;
}

int tt_store_paper_put(tt_store_t *self, const char *symbol, tt_ns_t ts,
                       const void *blob, size_t len)
{
    assert(self);
    const char *op = "paper_put";
    if (tt_st_name_ok(self, op, "symbol", symbol, TT_STORE_SYMBOL_MAX) != 0)
        return -1;
    if ((!blob && len) || len > TT_STORE_BLOB_MAX)
        return tt_st_errf(self,
                          "%s %s: state of %zu bytes is missing or "
                          "over %d bytes",
                          op, symbol, len, TT_STORE_BLOB_MAX);
    sqlite3_stmt *st = s_prepare(self,
                                 "INSERT OR REPLACE INTO paper_state (symbol,"
                                 " ts, state) VALUES (?1, ?2, ?3)",
                                 op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, symbol, false);
    sqlite3_bind_int64(st, 2, ts);
    if (len)
        sqlite3_bind_blob(st, 3, blob, (int)len, SQLITE_STATIC);
    else
        sqlite3_bind_zeroblob(st, 3, 0);
    return s_write_one(self, st, self->opts.sync_trade, op);
}

int tt_store_paper_get(tt_store_t *self, const char *symbol, void *buf,
                       size_t cap, size_t *len)
{
    assert(self && len && (buf || !cap));
    const char *op = "paper_get";
    if (tt_st_name_ok(self, op, "symbol", symbol, TT_STORE_SYMBOL_MAX) != 0)
        return -1;
    sqlite3_stmt *st = s_prepare(
        self, "SELECT state, ts FROM paper_state WHERE symbol = ?1", op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, symbol, false);
    return s_blob_row(self, st, buf, cap, len, NULL, op);
}

int tt_store_order_status(tt_store_t *self, const char *coid,
                          tt_ord_state_t *state, int64_t *fills)
{
    assert(self && coid && state && fills);
    const char *op = "order_status";
    sqlite3_stmt *st = s_prepare(self,
                                 "SELECT o.state, (SELECT count(*) FROM fills"
                                 " f WHERE f.coid = o.coid) FROM orders o"
                                 " WHERE o.coid = ?1",
                                 op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, coid, false);
    int rc = sqlite3_step(st);
    int ret = rc == SQLITE_ROW ? 0 : 1;
    if (rc == SQLITE_ROW) {
        *state = (tt_ord_state_t)sqlite3_column_int(st, 0);
        *fills = sqlite3_column_int64(st, 1);
    }
    if (s_walk_end(self, st, rc, op, true) != 0)
        return -1;
    return ret;
}

/* ---- Runs and key/value ---- */

int tt_store_run_start(tt_store_t *self, tt_ns_t start_ts,
                       const char *config_hash, const char *version,
                       int64_t *id)
{
    assert(self && id);
    const char *op = "run_start";
    if (tt_st_name_ok(self, op, "config hash", config_hash, 128) ||
        tt_st_name_ok(self, op, "version", version, 64))
        return -1;
    sqlite3_stmt *st = s_prepare(self,
                                 "INSERT INTO runs (start_ts, config_hash,"
                                 " version) VALUES (?1, ?2, ?3)",
                                 op);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, start_ts);
    tt_st_bind_text(st, 2, config_hash, false);
    tt_st_bind_text(st, 3, version, false);
    if (s_write_one(self, st, self->opts.sync, op) != 0)
        return -1;
    *id = sqlite3_last_insert_rowid(self->db);
    return 0;
}

int tt_store_run_stop(tt_store_t *self, int64_t id, tt_ns_t stop_ts,
                      const char *exit_reason)
{
    assert(self);
    const char *op = "run_stop";
    if (tt_st_name_ok(self, op, "exit reason", exit_reason, 256) != 0)
        return -1;
    sqlite3_stmt *st = s_prepare(self,
                                 "UPDATE runs SET stop_ts = ?2,"
                                 " exit_reason = ?3 WHERE id = ?1",
                                 op);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, stop_ts);
    tt_st_bind_text(st, 3, exit_reason, false);
    if (s_write_one(self, st, self->opts.sync, op) != 0)
        return -1;
    if (sqlite3_changes(self->db) == 0)
        return tt_st_errf(self, "%s: no run with id %lld", op, (long long)id);
    return 0;
}

int tt_store_runs_unfinished(tt_store_t *self, const char *exit_reason,
                             int64_t *count)
{
    assert(self && count);
    const char *op = "runs_unfinished";
    if (tt_st_name_ok(self, op, "exit reason", exit_reason, 256) != 0)
        return -1;
    sqlite3_stmt *st = s_prepare(self,
                                 "UPDATE runs SET exit_reason = ?1 WHERE"
                                 " stop_ts IS NULL AND exit_reason IS NULL",
                                 op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, exit_reason, false);
    if (s_write_one(self, st, self->opts.sync, op) != 0)
        return -1;
    *count = sqlite3_changes(self->db);
    return 0;
}

int tt_store_kv_put(tt_store_t *self, const char *key, const char *value)
{
    assert(self);
    const char *op = "kv_put";
    if (tt_st_name_ok(self, op, "key", key, TT_STORE_KEY_MAX) != 0)
        return -1;
    if (!value || strnlen(value, TT_STORE_BLOB_MAX + 1) > TT_STORE_BLOB_MAX)
        return tt_st_errf(self, "%s %s: value missing or over %d bytes", op,
                          key, TT_STORE_BLOB_MAX);
    sqlite3_stmt *st =
        s_prepare(self, "INSERT OR REPLACE INTO kv (k, v) VALUES (?1, ?2)", op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, key, false);
    tt_st_bind_text(st, 2, value, false);
    return s_write_one(self, st, self->opts.sync, op);
}

int tt_store_kv_get(tt_store_t *self, const char *key, char *buf, size_t cap)
{
    assert(self && buf && cap);
    const char *op = "kv_get";
    buf[0] = '\0';
    if (tt_st_name_ok(self, op, "key", key, TT_STORE_KEY_MAX) != 0)
        return -1;
    sqlite3_stmt *st = s_prepare(self, "SELECT v FROM kv WHERE k = ?1", op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, key, false);
    int rc = sqlite3_step(st), ret = 1;
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        if (n >= cap)
            ret = tt_st_errf(self,
                             "%s %s: buffer of %zu bytes is too short "
                             "for %zu",
                             op, key, cap, n + 1);
        else
            ret = (tt_st_col_text(st, 0, buf, cap), 0);
    } else if (rc != SQLITE_DONE) {
        ret = tt_st_fail(self, op, rc);
    }
    sqlite3_finalize(st);
    return ret;
}
