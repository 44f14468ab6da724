/*  store/store.c: opening and closing the store, its connection settings
    and migrations, the prepared statement cache, transactions and error
    messages. Runs on the store actor's thread (store/store.h). */
#include "store/store_priv.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TT_ST_MANY (64) value rows of N parameters each. */
#define S_ROW9 "(?,?,?,?,?,?,?,?,?)"
#define S_ROW9_4 S_ROW9 "," S_ROW9 "," S_ROW9 "," S_ROW9
#define S_ROW9_16 S_ROW9_4 "," S_ROW9_4 "," S_ROW9_4 "," S_ROW9_4
#define S_ROW5 "(?,?,?,?,?)"
#define S_ROW5_4 S_ROW5 "," S_ROW5 "," S_ROW5 "," S_ROW5
#define S_ROW5_16 S_ROW5_4 "," S_ROW5_4 "," S_ROW5_4 "," S_ROW5_4
#define S_ROW7 "(?,?,?,?,?,?,?)"
#define S_ROW7_4 S_ROW7 "," S_ROW7 "," S_ROW7 "," S_ROW7
#define S_ROW7_16 S_ROW7_4 "," S_ROW7_4 "," S_ROW7_4 "," S_ROW7_4
#define S_CANDLE_UPSERT                                                        \
    " ON CONFLICT (symbol, tf_s, open_ts) DO UPDATE SET"                       \
    " open = excluded.open, high = excluded.high, low = excluded.low,"         \
    " close = excluded.close, volume = excluded.volume,"                       \
    " trades = excluded.trades"

/* Indexed by tt_st_id_t. */
static const char *const s_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_CANDLE_PUT] =
        "INSERT INTO candles (symbol, tf_s, open_ts, open, high, low, close,"
        " volume, trades) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
        "?9)" S_CANDLE_UPSERT,
    [ST_CANDLE_PUT_MANY] =
        "INSERT INTO candles (symbol, tf_s, open_ts, open, high, low, close,"
        " volume, trades) VALUES " S_ROW9_16 "," S_ROW9_16 "," S_ROW9_16
        "," S_ROW9_16 S_CANDLE_UPSERT,
    [ST_EVENT_PUT_MANY] =
        "INSERT INTO events (seq, ts, topic, symbol, payload)"
        " VALUES " S_ROW5_16 "," S_ROW5_16 "," S_ROW5_16 "," S_ROW5_16,
    [ST_ORDER_EVENT_MANY] =
        "INSERT INTO order_events (coid, ts, from_state, to_state, filled,"
        " venue_oid, reason) VALUES " S_ROW7_16 "," S_ROW7_16 "," S_ROW7_16
        "," S_ROW7_16,
    [ST_EVENT_PUT] = "INSERT INTO events (seq, ts, topic, symbol, payload)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_SNAP_PUT] = "INSERT INTO indicator_snapshots (symbol, key, ts, blob)"
                    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (symbol, key, ts)"
                    " DO UPDATE SET blob = excluded.blob",
    [ST_ORDER_INSERT] =
        "INSERT INTO orders (coid, symbol, seq, role, side, type, tif, qty,"
        " limit_px, stop_px, state, filled, fill_cost, fees, venue_oid,"
        " parent_coid, replaces, reject_code, reason, created_ts,"
        " updated_ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
        " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
    [ST_ORDER_STATE] = "SELECT state, symbol, id FROM orders WHERE coid = ?1",
    [ST_ORDER_UPDATE] =
        "UPDATE orders SET state = ?2, filled = ?3, fill_cost = ?4,"
        " fees = ?5, venue_oid = COALESCE(?6, venue_oid),"
        " reject_code = ?7, reason = ?8, updated_ts = ?9 WHERE coid = ?1",
    [ST_ORDER_UPDATE_ID] =
        "UPDATE orders SET state = ?2, filled = ?3, fill_cost = ?4,"
        " fees = ?5, venue_oid = COALESCE(?6, venue_oid),"
        " reject_code = ?7, reason = ?8, updated_ts = ?9"
        " WHERE id = ?10 AND coid = ?1 AND symbol = ?11 AND state = ?12",
    [ST_ORDER_EVENT] =
        "INSERT INTO order_events (coid, ts, from_state, to_state, filled,"
        " venue_oid, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_SEQ_RAISE] = "INSERT INTO order_seq (symbol, next_seq) VALUES (?1, ?2)"
                     " ON CONFLICT (symbol) DO UPDATE SET"
                     " next_seq = MAX(next_seq, excluded.next_seq)",
    [ST_SEQ_GET] = "SELECT next_seq FROM order_seq WHERE symbol = ?1",
    [ST_FILL_INSERT] =
        "INSERT INTO fills (venue, fill_id, coid, symbol, side, qty, px,"
        " fee, ts, exec_qty, commission, commission_decimals,"
        " commission_asset) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
        " ?10, ?11, ?12, ?13)"
        " ON CONFLICT (venue, fill_id) DO NOTHING",
    [ST_LEDGER_INSERT] =
        "INSERT INTO ledger (fill, symbol, venue, fill_id, coid, side, qty,"
        " px, fee, ts, qty_decimals, realized, pos_qty, exec_qty, commission,"
        " commission_decimals, commission_asset) VALUES (?1, ?2, ?3,"
        " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    [ST_POS_GET] =
        "SELECT qty, cost, realized, fees, trip_realized, trip_fees, fills,"
        " trips, qty_decimals, opened_ts, updated_ts FROM positions"
        " WHERE symbol = ?1",
    [ST_POS_PUT] =
        "INSERT OR REPLACE INTO positions (symbol, qty, cost, avg_px,"
        " realized, fees, trip_realized, trip_fees, fills, trips,"
        " qty_decimals, opened_ts, updated_ts) VALUES (?1, ?2, ?3, ?4, ?5,"
        " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [ST_LEDGER_WALK] =
        "SELECT side, px, qty, fee, ts, fill_id, coid, qty_decimals"
        " FROM ledger WHERE symbol = ?1 ORDER BY id",
    [ST_EVENTS_RANGE] = "SELECT seq, ts, topic, symbol, payload FROM events"
                        " WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
    [ST_EVENTS_MAX] = "SELECT MAX(COALESCE((SELECT MAX(seq) FROM events), 0),"
                      " COALESCE((SELECT CAST(v AS INTEGER) FROM kv"
                      " WHERE k = 'store.events.max_seq'), 0))",
};

tt_store_opts_t tt_store_opts_default(void)
{
    return (tt_store_opts_t){.batch_size = 256,
                             .busy_timeout_ms = 5000,
                             .sync = TT_STORE_SYNC_NORMAL,
                             .sync_trade = TT_STORE_SYNC_FULL,
                             .max_page_count = 0,
                             .schema_version = 0};
}

int tt_store_global_init(void)
{
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK ? 0 : -1;
}

int tt_store_schema_latest(void)
{
    return tt_st_migration_count;
}

const char *tt_store_error(const tt_store_t *self)
{
    assert(self);
    return self->err;
}

int tt_store_schema_version(const tt_store_t *self)
{
    assert(self);
    return self->version;
}

/* ---- Errors ---- */

static const char *s_code_name(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
        return "SQLITE_BUSY";
    case SQLITE_LOCKED:
        return "SQLITE_LOCKED";
    case SQLITE_FULL:
        return "SQLITE_FULL";
    case SQLITE_CONSTRAINT:
        return "SQLITE_CONSTRAINT";
    case SQLITE_IOERR:
        return "SQLITE_IOERR";
    case SQLITE_CORRUPT:
        return "SQLITE_CORRUPT";
    case SQLITE_NOTADB:
        return "SQLITE_NOTADB";
    case SQLITE_READONLY:
        return "SQLITE_READONLY";
    case SQLITE_CANTOPEN:
        return "SQLITE_CANTOPEN";
    case SQLITE_NOMEM:
        return "SQLITE_NOMEM";
    case SQLITE_TOOBIG:
        return "SQLITE_TOOBIG";
    case SQLITE_MISMATCH:
        return "SQLITE_MISMATCH";
    default:
        return "SQLite error";
    }
}

int tt_st_fail(tt_store_t *self, const char *op, int rc)
{
    const char *msg = self->db ? sqlite3_errmsg(self->db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
        snprintf(self->err, sizeof self->err,
                 "store: %s: %s (SQLITE_BUSY: another connection still held "
                 "the write lock after the %d ms busy timeout; nothing "
                 "written)",
                 op, msg, self->opts.busy_timeout_ms);
        break;
    case SQLITE_FULL:
        snprintf(self->err, sizeof self->err,
                 "store: %s: %s (SQLITE_FULL: the disk or the file's page "
                 "cap is full; the transaction was rolled back)",
                 op, msg);
        break;
    default:
        snprintf(self->err, sizeof self->err, "store: %s: %s (%s %d)", op, msg,
                 s_code_name(rc), rc);
    }
    return -1;
}

int tt_st_errf(tt_store_t *self, const char *fmt, ...)
{
    int n = snprintf(self->err, sizeof self->err, "store: ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(self->err + n, sizeof self->err - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* Appends at most MAX bytes of S at *AT in OUT of CAP bytes. */
static void s_append(char *out, size_t cap, size_t *at, const char *s,
                     size_t max)
{
    size_t n = strnlen(s, max);
    if (n > cap - 1 - *at)
        n = cap - 1 - *at;
    memcpy(out + *at, s, n);
    *at += n;
}

void tt_st_op_name(char *out, size_t cap, const char *prefix, const char *a,
                   size_t amax, const char *b, size_t bmax)
{
    assert(out && cap > 0 && prefix && a);
    size_t at = 0;
    s_append(out, cap, &at, prefix, cap);
    s_append(out, cap, &at, a, amax);
    if (b) {
        s_append(out, cap, &at, "/", 1);
        s_append(out, cap, &at, b, bmax);
    }
    out[at] = '\0';
}

int tt_st_name_ok(tt_store_t *self, const char *op, const char *what,
                  const char *s, size_t max)
{
    if (!s || !*s)
        return tt_st_errf(self, "%s: %s is missing or empty", op, what);
    size_t len = strnlen(s, max + 1);
    if (len > max)
        return tt_st_errf(self, "%s: %s \"%.24s...\" is longer than %zu bytes",
                          op, what, s, max);
    return 0;
}

/* ---- Statements and transactions ---- */

sqlite3_stmt *tt_st_stmt(tt_store_t *self, tt_st_id_t id, const char *op)
{
    sqlite3_stmt *st = tt_st_stmt_rebind(self, id, op);
    if (st)
        sqlite3_clear_bindings(st);
    return st;
}

sqlite3_stmt *tt_st_stmt_rebind(tt_store_t *self, tt_st_id_t id, const char *op)
{
    assert(id >= 0 && id < ST_COUNT);
    sqlite3_stmt *st = self->stmt[id];
    if (st) {
        sqlite3_reset(st);
        return st;
    }
    int rc = sqlite3_prepare_v3(self->db, s_sql[id], -1,
                                SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        tt_st_fail(self, op, rc);
        return NULL;
    }
    self->stmt[id] = st;
    return st;
}

int tt_st_done(tt_store_t *self, sqlite3_stmt *stmt, const char *op)
{
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) {
        tt_st_fail(self, op, rc);
        sqlite3_reset(stmt);
        return -1;
    }
    sqlite3_reset(stmt);
    return 0;
}

/* Sets the connection's synchronous level; only issued on a change. A
   grouped store stays at OFF (s_settings): it never syncs. */
static int s_set_sync(tt_store_t *self, tt_store_sync_t sync, const char *op)
{
    if (self->sync == sync || self->opts.group_rows > 0)
        return 0;
    const char *sql = sync == TT_STORE_SYNC_FULL
                          ? "PRAGMA synchronous = FULL"
                          : "PRAGMA synchronous = NORMAL";
    int rc = sqlite3_exec(self->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return tt_st_fail(self, op, rc);
    self->sync = sync;
    return 0;
}

/* Steps a cached statement that returns no rows. */
static int s_run(tt_store_t *self, tt_st_id_t id, const char *op)
{
    sqlite3_stmt *st = tt_st_stmt(self, id, op);
    return st ? tt_st_done(self, st, op) : -1;
}

/* Ends the open transaction, whatever it holds. Its error is not kept:
   the caller's is the one to report. */
static void s_rollback_now(tt_store_t *self)
{
    if (sqlite3_get_autocommit(self->db))
        return;
    sqlite3_stmt *st = self->stmt[ST_ROLLBACK];
    if (!st &&
        sqlite3_prepare_v3(self->db, s_sql[ST_ROLLBACK], -1,
                           SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return;
    self->stmt[ST_ROLLBACK] = st;
    sqlite3_step(st);
    sqlite3_reset(st);
}

int tt_st_begin(tt_store_t *self, tt_store_sync_t sync, const char *op)
{
    if (self->opts.group_rows > 0) {
        if (!self->group_open) {
            if (s_set_sync(self, sync, op) != 0 ||
                s_run(self, ST_BEGIN, op) != 0)
                return -1;
            self->group_open = true;
            self->group_base = sqlite3_total_changes64(self->db);
        }
        self->unit_base = sqlite3_total_changes64(self->db);
        return 0;
    }
    if (s_set_sync(self, sync, op) != 0)
        return -1;
    return s_run(self, ST_BEGIN, op);
}

int tt_store_commit_group(tt_store_t *self)
{
    assert(self);
    /* The group holds every row written before: the queue's too. */
    if (self->opts.group_rows > 0 && tt_st_flush_into_group(self) != 0)
        return -1;
    if (!self->group_open)
        return 0;
    self->group_open = false;
    if (sqlite3_get_autocommit(self->db))
        return 0; /* SQLite ended it already (after an I/O error) */
    sqlite3_stmt *st = tt_st_stmt(self, ST_COMMIT, "group commit");
    if (!st)
        return -1;
    if (tt_st_done(self, st, "group commit") != 0) {
        s_rollback_now(self); /* nothing half-written remains */
        tt_st_memo_free(&self->memo);
        return -1;
    }
    return 0;
}

int tt_store_group_hold(tt_store_t *self, bool hold)
{
    assert(self);
    self->group_hold = hold;
    if (hold || self->opts.group_rows <= 0 || !self->group_open ||
        sqlite3_total_changes64(self->db) - self->group_base <
            self->opts.group_rows)
        return 0;
    return tt_store_commit_group(self);
}

int tt_st_commit(tt_store_t *self, const char *op)
{
    if (self->opts.group_rows > 0) {
        (void)op;
        if (!self->group_hold &&
            sqlite3_total_changes64(self->db) - self->group_base >=
                self->opts.group_rows)
            return tt_store_commit_group(self);
        return 0;
    }
    sqlite3_stmt *st = tt_st_stmt(self, ST_COMMIT, op);
    if (!st)
        return -1;
    if (tt_st_done(self, st, op) != 0) {
        /* A failed COMMIT (SQLITE_BUSY, SQLITE_FULL) leaves the
           transaction open; end it so nothing half-written remains. */
        tt_st_rollback(self);
        return -1;
    }
    return 0;
}

/* The open group was rolled back: the order_events rows queued for its
   orders go too (else the next flush would fail on them, and every one
   after), and so does what the memo knows, some of whose orders went
   with it (an order it forgets is read again when next moved). */
static void s_group_lost(tt_store_t *self)
{
    self->group_open = false;
    tt_st_moves_drop(self);
    tt_st_memo_free(&self->memo);
}

/* Ends the unit that failed; GROUP: a grouped store's whole group
   whatever the unit changed itself. */
static void s_rollback(tt_store_t *self, bool group)
{
    if (sqlite3_get_autocommit(self->db)) {
        if (self->group_open)
            s_group_lost(self); /* SQLite rolled back (e.g. SQLITE_FULL) */
        return;
    }
    if (self->opts.group_rows > 0) {
        /* A unit refused before it changed a row (a duplicate id, a
           constraint: SQLite undid the failed statement) leaves the group
           as it was. One that had changed rows can only be undone with
           the whole group: the group is rolled back and the loss said. */
        if (!group && sqlite3_total_changes64(self->db) == self->unit_base)
            return;
        size_t len = strlen(self->err);
        snprintf(
            self->err + len, sizeof self->err - len,
            " (grouped store: the %lld row changes since the last "
            "group commit are rolled back with it)",
            (long long)(sqlite3_total_changes64(self->db) - self->group_base));
        s_group_lost(self);
    }
    s_rollback_now(self);
}

void tt_st_rollback(tt_store_t *self)
{
    s_rollback(self, false);
}

void tt_st_rollback_group(tt_store_t *self)
{
    s_rollback(self, true);
}

/* ---- Bind and column helpers ---- */

int tt_st_bind_text(sqlite3_stmt *stmt, int i, const char *s, bool nullable)
{
    if (!s || (nullable && !*s))
        return sqlite3_bind_null(stmt, i);
    return sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
}

void tt_st_col_text(sqlite3_stmt *stmt, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(stmt, i);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

int tt_st_col_blob(tt_store_t *self, sqlite3_stmt *stmt, int i, void *buf,
                   size_t cap, size_t *len, const char *op)
{
    const void *b = sqlite3_column_blob(stmt, i);
    size_t n = (size_t)sqlite3_column_bytes(stmt, i);
    *len = n;
    if (n > cap)
        return tt_st_errf(self,
                          "%s: buffer of %zu bytes is too short for "
                          "%zu bytes",
                          op, cap, n);
    if (n)
        memcpy(buf, b, n);
    return 0;
}

/* ---- Open, migrate, close ---- */

static int s_pragma_int(tt_store_t *self, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(self->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        }
    }
    if (rc != SQLITE_OK)
        tt_st_fail(self, sql, rc);
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}

/* WAL lets other connections read while we write, and makes a commit
   one append to the log. The answer names the mode actually set: a file
   system that cannot do WAL (no shared memory) keeps another one, which
   we refuse rather than run with different crash semantics. */
static int s_settings(tt_store_t *self)
{
    /* A grouped store never syncs (below), from its first write on: the
       switch of a new file to WAL included. */
    int rc = SQLITE_OK;
    if (self->opts.group_rows > 0 &&
        (rc = sqlite3_exec(self->db, "PRAGMA synchronous = OFF", NULL, NULL,
                           NULL)) != SQLITE_OK)
        return tt_st_fail(self, "open: PRAGMA synchronous = OFF", rc);
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(self->db, "PRAGMA journal_mode = WAL", -1, &st,
                            NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *mode = (const char *)sqlite3_column_text(st, 0);
        if (!mode || strcmp(mode, "wal") != 0) {
            tt_st_errf(self, "open: journal_mode is \"%s\", not \"wal\"",
                       mode ? mode : "?");
            sqlite3_finalize(st);
            return -1;
        }
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return tt_st_fail(self, "open: PRAGMA journal_mode = WAL", rc);
    self->sync = (tt_store_sync_t)-1;
    if (s_set_sync(self, self->opts.sync, "open: PRAGMA synchronous") != 0)
        return -1;
    rc = sqlite3_exec(self->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return tt_st_fail(self, "open: PRAGMA foreign_keys = ON", rc);
    /* A group's dirty pages stay in memory until it commits instead of
       spilling to the WAL page by page (SQLite's default cache is 2 MiB),
       and statement journals stay in memory too (in temp files they were
       a quarter of a 100-symbol backtest's time). The log is copied back
       into the file once it holds 64 MiB instead of 4: a checkpoint
       after every group copied each page a group had touched (a 1000-
       symbol backtest's candles touch most of their pages in every
       group), 10 % of its store's time. Debian's SQLite is built with
       secure_delete on, which zeroes every byte a row leaves behind (a
       cell moved when a page splits, a position or an order rewritten):
       a backtest's file holds nothing to hide, so it is off there; a
       live store keeps the build's setting. Nor does a grouped store
       sync (synchronous OFF, set first): a crash loses its open group
       anyway and leaves the run unfinished, to be run again on a new
       file, so the fsyncs of each checkpoint (the log's and the file's)
       bought nothing; a power cut may then leave the file unreadable,
       which a rerun replaces. */
    if (self->opts.group_rows > 0) {
        rc = sqlite3_exec(self->db,
                          "PRAGMA temp_store = MEMORY;"
                          " PRAGMA cache_size = -65536;"
                          " PRAGMA wal_autocheckpoint = 16384;"
                          " PRAGMA secure_delete = OFF",
                          NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return tt_st_fail(self,
                              "open: PRAGMA temp_store, cache_size, "
                              "wal_autocheckpoint, secure_delete",
                              rc);
    }
    if (self->opts.max_page_count > 0) {
        char sql[64];
        int64_t got = 0;
        snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld",
                 (long long)self->opts.max_page_count);
        if (s_pragma_int(self, sql, &got) != 0)
            return -1;
    }
    return 0;
}

/* Applies migration N (1-based) in its own transaction. Another process
   may have migrated meanwhile, so the version is read again under the
   write lock. */
static int s_migrate_one(tt_store_t *self, int n)
{
    char op[64];
    snprintf(op, sizeof op, "migration to schema version %d", n);
    if (tt_st_begin(self, self->opts.sync, op) != 0)
        return -1;
    int64_t cur = 0;
    if (s_pragma_int(self, "PRAGMA user_version", &cur) != 0)
        goto err;
    if (cur >= n) {
        tt_st_rollback(self);
        self->version = (int)cur;
        return 0;
    }
    int rc = sqlite3_exec(self->db, tt_st_migrations[n - 1], NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        tt_st_fail(self, op, rc);
        goto err;
    }
    char sql[48];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", n);
    rc = sqlite3_exec(self->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        tt_st_fail(self, op, rc);
        goto err;
    }
    if (tt_st_commit(self, op) != 0)
        return -1;
    self->version = n;
    return 0;
err:
    tt_st_rollback(self);
    return -1;
}

/* A file written by a newer build is refused before anything (even the
   journal mode) touches it. */
static int s_check_version(tt_store_t *self, const char *path)
{
    int64_t cur = 0;
    if (s_pragma_int(self, "PRAGMA user_version", &cur) != 0)
        return -1;
    int latest = tt_st_migration_count;
    if (cur > latest || cur < 0)
        return tt_st_errf(self,
                          "open %s: schema version %lld is newer than "
                          "this build's %d; refusing to open it (run the "
                          "ticktree that wrote it, or a newer one)",
                          path, (long long)cur, latest);
    self->version = (int)cur;
    return 0;
}

static int s_migrate(tt_store_t *self)
{
    int latest = tt_st_migration_count;
    int target = self->opts.schema_version ? self->opts.schema_version : latest;
    while (self->version < target)
        if (s_migrate_one(self, self->version + 1) != 0)
            return -1;
    return 0;
}

static int s_opts_ok(tt_store_t *self, const tt_store_opts_t *o)
{
    if (o->batch_size < 1 || o->batch_size > 1000000)
        return tt_st_errf(self, "open: batch_size %d is not in 1..1000000",
                          o->batch_size);
    if (o->busy_timeout_ms < 0)
        return tt_st_errf(self, "open: busy_timeout_ms %d is negative",
                          o->busy_timeout_ms);
    if (o->sync != TT_STORE_SYNC_NORMAL && o->sync != TT_STORE_SYNC_FULL)
        return tt_st_errf(self, "open: sync %d is not NORMAL or FULL",
                          (int)o->sync);
    if (o->sync_trade != TT_STORE_SYNC_NORMAL &&
        o->sync_trade != TT_STORE_SYNC_FULL)
        return tt_st_errf(self, "open: sync_trade %d is not NORMAL or FULL",
                          (int)o->sync_trade);
    if (o->schema_version < 0 || o->schema_version > tt_st_migration_count)
        return tt_st_errf(self, "open: schema_version %d is not in 0..%d",
                          o->schema_version, tt_st_migration_count);
    if (o->max_page_count < 0)
        return tt_st_errf(self, "open: max_page_count is negative");
    if (o->group_rows < 0)
        return tt_st_errf(self, "open: group_rows is negative");
    if (o->defer_indexes && o->group_rows == 0)
        return tt_st_errf(self, "open: defer_indexes needs group_rows");
    return 0;
}

static int s_open(tt_store_t *self, const char *path)
{
    if (!path || !*path)
        return tt_st_errf(self, "open: no path given");
    if (s_opts_ok(self, &self->opts) != 0)
        return -1;
    self->rows = calloc((size_t)self->opts.batch_size, sizeof *self->rows);
    self->order =
        calloc(2 * (size_t)self->opts.batch_size, sizeof *self->order);
    if (!self->rows || !self->order)
        return tt_st_errf(self, "open: out of memory for the write queue");
    /* One thread uses the connection at a time, so SQLite's own mutexes
       would only cost time. */
    int rc = sqlite3_open_v2(
        path, &self->db,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        char op[300];
        snprintf(op, sizeof op, "open %s", path);
        return tt_st_fail(self, op, rc);
    }
    sqlite3_extended_result_codes(self->db, 1);
    sqlite3_busy_timeout(self->db, self->opts.busy_timeout_ms);
    if (s_check_version(self, path) != 0 || s_settings(self) != 0)
        return -1;
    bool created = self->version == 0;
    /* The schema is committed at once, grouped or not: other connections
       read the file from the start. */
    if (s_migrate(self) != 0)
        return -1;
    if (tt_store_commit_group(self) != 0)
        return -1;
    /* Only a file this open created: one with rows keeps its indexes. */
    if (self->opts.defer_indexes && self->opts.group_rows > 0 && created)
        return tt_st_indexes_defer(self);
    return 0;
}

tt_store_t *tt_store_open(const char *path, const tt_store_opts_t *opts,
                          char *err, size_t errlen)
{
    tt_store_t *self = calloc(1, sizeof *self);
    if (!self) {
        if (err && errlen)
            snprintf(err, errlen, "store: open: out of memory");
        return NULL;
    }
    self->opts = opts ? *opts : tt_store_opts_default();
    if (s_open(self, path) != 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s", self->err);
        tt_store_close(&self);
        return NULL;
    }
    if (err && errlen)
        err[0] = '\0';
    return self;
}

void tt_store_close(tt_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tt_store_t *self = *self_p;
    if (self->db) {
        if (self->nrows)
            tt_store_flush(self);
        tt_store_commit_group(self);
        tt_store_indexes_build(self);
        for (int i = 0; i < ST_COUNT; i++)
            sqlite3_finalize(self->stmt[i]);
        sqlite3_close(self->db);
    }
    free(self->rows);
    free(self->order);
    tt_st_memo_free(&self->memo);
    free(self->deferred);
    free(self->arena);
    free(self);
    *self_p = NULL;
}
