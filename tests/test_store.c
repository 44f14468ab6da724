/*  tests/test_store.c: store/store.h against real SQLite files in a
    scratch directory. Migrations (fresh, from version 1, a newer file
    refused), the append-only ledger, intent before send seen from a
    second connection, duplicate intents and fills, positions rebuilt from
    a long random ledger, event replay with gaps, batching and a crash
    (SIGKILL) between batches, retention, a full database and a busy one.
    Expected values are computed here from the inputs, never read back
    from the store first. */
#include "tests/harness.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"

typedef struct {
    char *dir;
    char path[512];
} fx_t;

/* Every fsync and fdatasync of the process, SQLite's included: these
   take the place of libc's (the executable's symbols come first), count
   the call and make it as libc would. */
static int s_syncs;

int fsync(int fd)
{
    s_syncs++;
    return (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd)
{
    s_syncs++;
    return (int)syscall(SYS_fdatasync, fd);
}

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->dir = tth_tmpdir("tt_store");
    snprintf(fx->path, sizeof fx->path, "%s/store.db", fx->dir);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    fx_t *fx = *state;
    tth_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

static tt_store_t *s_open(const fx_t *fx, const tt_store_opts_t *opts)
{
    char err[512];
    tt_store_t *st = tt_store_open(fx->path, opts, err, sizeof err);
    if (!st)
        fail_msg("open failed: %s", err);
    return st;
}

/* A second, independent connection, as another process would have. */
static sqlite3 *s_raw(const fx_t *fx)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 2000);
    return db;
}

static int64_t s_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void s_text(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

static void s_integrity_ok(sqlite3 *db)
{
    char res[256];
    s_text(db, "PRAGMA integrity_check", res, sizeof res);
    assert_string_equal(res, "ok");
}

static tt_store_order_t s_order(const char *symbol, uint64_t seq,
                                tt_role_t role, tt_ns_t ts)
{
    tt_store_order_t r;
    memset(&r, 0, sizeof r);
    snprintf(r.symbol, sizeof r.symbol, "%s", symbol);
    tt_order_t *o = &r.order;
    assert_true(tt_coid_format(o->coid, symbol, seq, role) > 0);
    o->seq = seq;
    o->role = role;
    o->side = TT_SIDE_BUY;
    o->type = TT_ORD_LIMIT;
    o->tif = TT_TIF_DAY;
    o->state = TT_OS_NEW;
    o->qty = 1000;
    o->limit_px = 10000;
    o->created_ts = ts;
    o->updated_ts = ts;
    return r;
}

static tt_fill_t s_fill(const char *id, tt_side_t side, tt_px_t px,
                        tt_qty_t qty, int64_t fee, tt_ns_t ts)
{
    tt_fill_t f;
    memset(&f, 0, sizeof f);
    snprintf(f.fill_id, sizeof f.fill_id, "%s", id);
    snprintf(f.coid, sizeof f.coid, "tt-X-1-e");
    f.side = side;
    f.px = px;
    f.qty = qty;
    f.fee = fee;
    f.ts = ts;
    return f;
}

static tt_candle_t s_candle(tt_ns_t open_ts, tt_px_t px)
{
    return (tt_candle_t){.open_ts = open_ts,
                         .tf_s = 60,
                         .open = px,
                         .high = px + 5,
                         .low = px - 5,
                         .close = px + 1,
                         .volume = 100 + px,
                         .trades = 3,
                         .closed = true};
}

/* ---- Migrations ---- */

static const char *const s_tables[] = {"candles",    "indicator_snapshots",
                                       "orders",     "order_events",
                                       "fills",      "positions",
                                       "ledger",     "events",
                                       "runs",       "kv",
                                       "order_seq",  "paper_state",
                                       "owed_closes"};

static int64_t s_has_table(sqlite3 *db, const char *name)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
             "name = '%s'",
             name);
    return s_int(db, sql);
}

static void test_migrate_from_empty(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    assert_int_equal(tt_store_schema_latest(), 4);
    assert_int_equal(tt_store_schema_version(st), 4);
    sqlite3 *db = s_raw(fx);
    for (size_t i = 0; i < sizeof s_tables / sizeof s_tables[0]; i++)
        assert_int_equal(s_has_table(db, s_tables[i]), 1);
    assert_int_equal(s_int(db, "PRAGMA user_version"), 4);
    char mode[32];
    s_text(db, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal");
    sqlite3_close(db);
    tt_store_close(&st);
    assert_null(st);
    tt_store_close(&st); /* NULL is fine */
    /* Reopening a current file applies nothing and keeps the version. */
    st = s_open(fx, NULL);
    assert_int_equal(tt_store_schema_version(st), 4);
    tt_store_close(&st);
}

static void test_migrate_from_v1(void **state)
{
    fx_t *fx = *state;
    tt_store_opts_t o = tt_store_opts_default();
    o.schema_version = 1;
    tt_store_t *st = s_open(fx, &o);
    assert_int_equal(tt_store_schema_version(st), 1);
    tt_candle_t c = s_candle(60 * TT_NS_PER_SEC, 500);
    assert_int_equal(tt_store_candle_put(st, "BTCUSD", &c), 0);
    assert_int_equal(tt_store_kv_put(st, "note", "from v1"), 0);
    tt_store_close(&st);

    sqlite3 *db = s_raw(fx);
    assert_int_equal(s_int(db, "PRAGMA user_version"), 1);
    assert_int_equal(s_has_table(db, "order_seq"), 0);
    assert_int_equal(s_has_table(db, "paper_state"), 0);
    assert_int_equal(s_has_table(db, "ledger"), 1);
    sqlite3_close(db);

    st = s_open(fx, NULL);
    assert_int_equal(tt_store_schema_version(st), 4);
    char buf[32];
    assert_int_equal(tt_store_kv_get(st, "note", buf, sizeof buf), 0);
    assert_string_equal(buf, "from v1");
    assert_int_equal(tt_store_order_seq_set(st, "BTCUSD", 7), 0);
    uint64_t next = 0;
    assert_int_equal(tt_store_order_seq_get(st, "BTCUSD", &next), 0);
    assert_int_equal(next, 7);
    tt_store_close(&st);
    db = s_raw(fx);
    assert_int_equal(s_int(db, "PRAGMA user_version"), 4);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM candles WHERE "
                               "symbol = 'BTCUSD' AND close = 501"),
                     1);
    s_integrity_ok(db);
    sqlite3_close(db);
}

/* A version-2 file with a fill in its ledger, written as the build
   before version 3 wrote it (its INSERTs, its columns), opens and gains
   the venue columns: its old rows say NULL (not recorded), not a made-up
   figure, its position still rebuilds from them, and a new fill records
   the venue's executed quantity and commission in fills and ledger. */
static void test_migrate_from_v2_keeps_ledger(void **state)
{
    fx_t *fx = *state;
    tt_store_opts_t o = tt_store_opts_default();
    o.schema_version = 2;
    tt_store_t *st = s_open(fx, &o);
    tt_store_close(&st);
    sqlite3 *db = s_raw(fx);
    assert_int_equal(
        sqlite3_exec(
            db,
            "INSERT INTO fills (venue, fill_id, coid, symbol, side, qty, px,"
            " fee, ts) VALUES ('binance', 'BTCUSDT:1', 'tt-BTCUSDT-1-e',"
            " 'BTCUSDT', 1, 499, 5000000, 500, 10);"
            "INSERT INTO ledger (fill, symbol, venue, fill_id, coid, side,"
            " qty, px, fee, ts, qty_decimals, realized, pos_qty) VALUES"
            " (1, 'BTCUSDT', 'binance', 'BTCUSDT:1', 'tt-BTCUSDT-1-e', 1,"
            " 499, 5000000, 500, 10, 3, 0, 499);"
            "INSERT INTO positions VALUES ('BTCUSDT', 499, 2495000, 5000000,"
            " 0, 500, 0, 500, 1, 0, 3, 10, 10);",
            NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    st = s_open(fx, NULL);
    assert_int_equal(tt_store_schema_version(st), 4);
    assert_int_equal(tt_store_check_position(st, "BTCUSDT"), 0);
    tt_fill_t f = s_fill("BTCUSDT:2", TT_SIDE_SELL, 5100000, 499, 255, 20);
    snprintf(f.coid, sizeof f.coid, "tt-BTCUSDT-1-t");
    f.exec_qty = 499;
    f.commission = 254490;
    f.commission_decimals = 8;
    snprintf(f.commission_asset, sizeof f.commission_asset, "USDT");
    tt_position_t p;
    assert_int_equal(tt_store_fill(st, "binance", "BTCUSDT", 3, &f, &p), 0);
    assert_int_equal(p.qty, 0);
    assert_int_equal(tt_store_check_position(st, "BTCUSDT"), 0);
    tt_store_close(&st);

    db = s_raw(fx);
    assert_int_equal(s_int(db, "PRAGMA user_version"), 4);
    static const char *const cols[] = {
        "exec_qty", "commission", "commission_decimals", "commission_asset"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT %s IS NULL FROM fills WHERE id = 1) +"
                 " (SELECT %s IS NULL FROM ledger WHERE fill = 1)",
                 cols[i], cols[i]);
        assert_int_equal(s_int(db, sql), 2);
    }
    assert_int_equal(s_int(db, "SELECT exec_qty FROM ledger WHERE fill = 2"),
                     499);
    assert_int_equal(s_int(db, "SELECT commission FROM ledger WHERE fill = 2"),
                     254490);
    assert_int_equal(s_int(db, "SELECT commission_decimals FROM fills"
                               " WHERE id = 2"),
                     8);
    char asset[16];
    s_text(db, "SELECT commission_asset FROM ledger WHERE fill = 2", asset,
           sizeof asset);
    assert_string_equal(asset, "USDT");
    s_text(db, "SELECT commission_asset FROM fills WHERE id = 2", asset,
           sizeof asset);
    assert_string_equal(asset, "USDT");
    s_integrity_ok(db);
    sqlite3_close(db);
}

/* A fill whose venue figures are out of range is refused whole; one that
   leaves exec_qty 0 (a caller with nothing more to say) records qty. */
static void test_fill_venue_fields(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    tt_fill_t f = s_fill("T-1", TT_SIDE_BUY, 10000, 2000, 10, 100);
    f.commission_decimals = 19;
    assert_int_equal(tt_store_fill(st, "paper", "AAPL", 3, &f, NULL), -1);
    assert_non_null(strstr(tt_store_error(st), "commission_decimals 19"));
    f.commission_decimals = 2;
    f.exec_qty = -1;
    assert_int_equal(tt_store_fill(st, "paper", "AAPL", 3, &f, NULL), -1);
    assert_non_null(strstr(tt_store_error(st), "exec_qty -1"));
    f.exec_qty = 0;
    memset(f.commission_asset, 'X', sizeof f.commission_asset);
    assert_int_equal(tt_store_fill(st, "paper", "AAPL", 3, &f, NULL), -1);
    assert_non_null(strstr(tt_store_error(st), "commission asset"));
    f.commission_asset[0] = '\0';
    f.commission = 10;
    assert_int_equal(tt_store_fill(st, "paper", "AAPL", 3, &f, NULL), 0);
    tt_store_close(&st);
    sqlite3 *db = s_raw(fx);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM ledger"), 1);
    assert_int_equal(s_int(db, "SELECT exec_qty FROM ledger"), 2000);
    assert_int_equal(s_int(db, "SELECT commission FROM ledger"), 10);
    assert_int_equal(s_int(db, "SELECT commission_decimals FROM ledger"), 2);
    assert_int_equal(s_int(db, "SELECT commission_asset = '' FROM ledger"), 1);
    sqlite3_close(db);
}

static void test_newer_version_refused(void **state)
{
    fx_t *fx = *state;
    sqlite3 *db = s_raw(fx);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE future(x); "
                                  "PRAGMA user_version = 99",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    char err[512];
    tt_store_t *st = tt_store_open(fx->path, NULL, err, sizeof err);
    assert_null(st);
    assert_non_null(strstr(err, "schema version 99 is newer than this "
                                "build's 4; refusing to open it"));
    db = s_raw(fx);
    assert_int_equal(s_int(db, "PRAGMA user_version"), 99);
    char mode[32];
    s_text(db, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "delete"); /* untouched */
    sqlite3_close(db);
}

static void test_bad_options_and_path(void **state)
{
    fx_t *fx = *state;
    char err[512];
    tt_store_opts_t o = tt_store_opts_default();
    o.batch_size = 0;
    assert_null(tt_store_open(fx->path, &o, err, sizeof err));
    assert_non_null(strstr(err, "batch_size 0"));
    o = tt_store_opts_default();
    o.schema_version = 5;
    assert_null(tt_store_open(fx->path, &o, err, sizeof err));
    assert_non_null(strstr(err, "schema_version 5"));
    assert_null(tt_store_open(NULL, NULL, err, sizeof err));
    assert_non_null(strstr(err, "no path"));
    char bad[600];
    snprintf(bad, sizeof bad, "%s/no/such/dir/x.db", fx->dir);
    assert_null(tt_store_open(bad, NULL, err, sizeof err));
    assert_non_null(strstr(err, "SQLITE_CANTOPEN"));
    assert_non_null(strstr(err, "no/such/dir"));
}

/* ---- Ledger, intents, orders ---- */

static void s_exec_err(sqlite3 *db, const char *sql, const char *want)
{
    char *msg = NULL;
    assert_int_not_equal(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK);
    assert_non_null(msg);
    if (!strstr(msg, want))
        fail_msg("%s: got \"%s\", want \"%s\"", sql, msg, want);
    sqlite3_free(msg);
}

static void test_ledger_append_only(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    tt_fill_t f = s_fill("F1", TT_SIDE_BUY, 10000, 2000, 10, 100);
    assert_int_equal(tt_store_fill(st, "paper", "BTCUSD", 3, &f, NULL), 0);
    tt_store_order_t r = s_order("BTCUSD", 1, TT_ROLE_ENTRY, 50);
    assert_int_equal(tt_store_order_intent(st, &r), 0);
    sqlite3 *db = s_raw(fx);
    s_exec_err(db, "UPDATE ledger SET qty = 1",
               "ledger is append-only: UPDATE refused");
    s_exec_err(db, "DELETE FROM ledger",
               "ledger is append-only: DELETE "
               "refused");
    s_exec_err(db, "DELETE FROM order_events",
               "order_events is append-only: DELETE refused");
    assert_int_equal(s_int(db, "SELECT qty FROM ledger"), 2000);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM ledger"), 1);
    sqlite3_close(db);
    tt_store_close(&st);
}

static void test_intent_committed_before_return(void **state)
{
    fx_t *fx = *state;
    tt_store_opts_t o = tt_store_opts_default();
    o.batch_size = 1000;
    tt_store_t *st = s_open(fx, &o);
    /* An event queued before the intent must reach the file first. */
    assert_int_equal(
        tt_store_event_append(st, 1, 10, "order", "BTCUSD", "x", 1), 0);
    assert_int_equal(tt_store_pending(st), 1);
    sqlite3 *db = s_raw(fx);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 0);
    tt_store_order_t r = s_order("BTCUSD", 41, TT_ROLE_ENTRY, 1000);
    snprintf(r.parent_coid, sizeof r.parent_coid, "%s", "");
    assert_int_equal(tt_store_order_intent(st, &r), 0);
    /* The other connection sees the committed row at once. */
    char sql[160], got[64];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM orders WHERE coid = '%s' AND state = 1 "
             "AND qty = 1000 AND limit_px = 10000",
             r.order.coid);
    assert_int_equal(s_int(db, sql), 1);
    s_text(db, "SELECT coid FROM orders", got, sizeof got);
    assert_string_equal(got, "tt-BTCUSD-15-e"); /* 41 in base 36 */
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 1);
    assert_int_equal(tt_store_pending(st), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events WHERE "
                               "from_state IS NULL AND to_state = 1"),
                     1);
    assert_int_equal(s_int(db, "SELECT next_seq FROM order_seq WHERE "
                               "symbol = 'BTCUSD'"),
                     42);
    uint64_t next = 0;
    assert_int_equal(tt_store_order_seq_get(st, "BTCUSD", &next), 0);
    assert_int_equal(next, 42);
    assert_int_equal(tt_store_order_seq_get(st, "ETHUSD", &next), 0);
    assert_int_equal(next, 1);
    /* The sequence never goes down. */
    assert_int_equal(tt_store_order_seq_set(st, "BTCUSD", 5), 0);
    assert_int_equal(tt_store_order_seq_get(st, "BTCUSD", &next), 0);
    assert_int_equal(next, 42);
    sqlite3_close(db);
    tt_store_close(&st);
}

static void test_duplicate_intent_refused(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    tt_store_order_t r = s_order("ETHUSD", 3, TT_ROLE_ENTRY, 1000);
    assert_int_equal(tt_store_order_intent(st, &r), 0);
    tt_store_order_t again = r;
    again.order.qty = 5000; /* even a different order under the same id */
    assert_int_equal(tt_store_order_intent(st, &again), TT_STORE_DUP);
    assert_non_null(strstr(tt_store_error(st), "already stored"));
    assert_non_null(strstr(tt_store_error(st), r.order.coid));
    sqlite3 *db = s_raw(fx);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 1);
    assert_int_equal(s_int(db, "SELECT qty FROM orders"), 1000);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events"), 1);
    /* A bracket child linked to its entry is a new id: accepted. */
    tt_store_order_t child = s_order("ETHUSD", 4, TT_ROLE_STOP, 1001);
    snprintf(child.parent_coid, sizeof child.parent_coid, "%s", r.order.coid);
    assert_int_equal(tt_store_order_intent(st, &child), 0);
    /* A child whose parent is unknown is an error, not a duplicate. */
    tt_store_order_t orphan = s_order("ETHUSD", 5, TT_ROLE_STOP, 1002);
    snprintf(orphan.parent_coid, sizeof orphan.parent_coid, "tt-NOPE-1-e");
    assert_int_equal(tt_store_order_intent(st, &orphan), -1);
    assert_non_null(strstr(tt_store_error(st), "FOREIGN KEY"));
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 2);
    /* Not NEW: refused. */
    tt_store_order_t acc = s_order("ETHUSD", 6, TT_ROLE_ENTRY, 1003);
    acc.order.state = TT_OS_ACCEPTED;
    assert_int_equal(tt_store_order_intent(st, &acc), -1);
    assert_non_null(strstr(tt_store_error(st), "an intent is NEW"));
    sqlite3_close(db);
    tt_store_close(&st);
}

/* Intents that arrive together share one commit (the bus's live path):
   each is stored whole or not at all, with the answer it would have had
   alone; a bracket child finds its entry from the same group. */
static void test_intents_under_one_commit(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    tt_store_order_t old = s_order("ETHUSD", 3, TT_ROLE_ENTRY, 1000);
    assert_int_equal(tt_store_order_intent(st, &old), 0);
    tt_store_order_t recs[5];
    recs[0] = s_order("ETHUSD", 7, TT_ROLE_ENTRY, 2000);
    recs[1] = old; /* already stored */
    recs[2] = s_order("ETHUSD", 8, TT_ROLE_STOP, 2001);
    snprintf(recs[2].parent_coid, sizeof recs[2].parent_coid, "tt-NOPE-1-e");
    recs[3] = s_order("BTCUSD", 2, TT_ROLE_ENTRY, 2002);
    recs[3].order.state = TT_OS_ACCEPTED; /* not an intent */
    recs[4] = s_order("ETHUSD", 9, TT_ROLE_TARGET, 2003);
    snprintf(recs[4].parent_coid, sizeof recs[4].parent_coid, "%s",
             recs[0].order.coid);
    int rc[5];
    assert_int_equal(tt_store_order_intents(st, recs, 5, rc), 2);
    assert_int_equal(rc[0], 0);
    assert_int_equal(rc[1], TT_STORE_DUP);
    assert_int_equal(rc[2], -1);
    assert_int_equal(rc[3], -1);
    assert_int_equal(rc[4], 0);
    sqlite3 *db = s_raw(fx);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 3);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events"), 3);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders WHERE symbol = "
                               "'BTCUSD'"),
                     0);
    assert_int_equal(s_int(db, "SELECT next_seq FROM order_seq WHERE "
                               "symbol = 'ETHUSD'"),
                     10);
    /* Stored as any intent is: its next state moves it. */
    recs[4].order.state = TT_OS_ACCEPTED;
    recs[4].order.updated_ts = 2100;
    assert_int_equal(tt_store_order_update(st, &recs[4]), 0);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT state FROM orders WHERE coid = '%s'",
             recs[4].order.coid);
    assert_int_equal(s_int(db, sql), TT_OS_ACCEPTED);
    /* More than one commit holds: split, all stored. */
    tt_store_order_t many[TT_STORE_INTENTS_MAX + 6];
    int mrc[TT_STORE_INTENTS_MAX + 6];
    for (int i = 0; i < TT_STORE_INTENTS_MAX + 6; i++)
        many[i] = s_order("SOLUSD", (uint64_t)i + 1, TT_ROLE_ENTRY, 3000 + i);
    assert_int_equal(
        tt_store_order_intents(st, many, TT_STORE_INTENTS_MAX + 6, mrc),
        TT_STORE_INTENTS_MAX + 6);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders WHERE symbol = "
                               "'SOLUSD'"),
                     TT_STORE_INTENTS_MAX + 6);
    sqlite3_close(db);
    tt_store_close(&st);
}

/* A grouped store (backtests): writes join one transaction, committed
   at group_rows changed rows, on demand and at close; a refused write
   undoes only itself. */
static void test_grouped_commits(void **state)
{
    fx_t *fx = *state;
    tt_store_opts_t o = tt_store_opts_default();
    o.batch_size = 1000;
    o.group_rows = 50;
    tt_store_t *st = s_open(fx, &o);
    sqlite3 *db = s_raw(fx);
    /* The schema is committed at open: another reader sees the tables. */
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 0);
    tt_store_order_t r1 = s_order("ETHUSD", 1, TT_ROLE_ENTRY, 1000);
    assert_int_equal(tt_store_order_intent(st, &r1), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 0);
    /* Refused writes inside the group undo themselves, not the group. */
    assert_int_equal(tt_store_order_intent(st, &r1), TT_STORE_DUP);
    tt_store_order_t orphan = s_order("ETHUSD", 2, TT_ROLE_STOP, 1001);
    snprintf(orphan.parent_coid, sizeof orphan.parent_coid, "tt-NOPE-1-e");
    assert_int_equal(tt_store_order_intent(st, &orphan), -1);
    uint64_t next = 0;
    assert_int_equal(tt_store_order_seq_get(st, "ETHUSD", &next), 0);
    assert_int_equal(next, 2);
    /* 60 more rows pass group_rows: the group commits by itself. */
    for (int i = 0; i < 60; i++)
        assert_int_equal(tt_store_event_append(st, (uint64_t)i + 1, i, "order",
                                               "ETHUSD", "x", 1),
                         0);
    assert_int_equal(tt_store_flush(st), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 60);
    /* On demand, and at close. */
    tt_store_order_t r2 = s_order("ETHUSD", 3, TT_ROLE_ENTRY, 1002);
    assert_int_equal(tt_store_order_intent(st, &r2), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 1);
    assert_int_equal(tt_store_commit_group(st), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 2);
    assert_int_equal(tt_store_commit_group(st), 0); /* none open: no-op */
    tt_store_order_t r3 = s_order("ETHUSD", 4, TT_ROLE_ENTRY, 1003);
    assert_int_equal(tt_store_order_intent(st, &r3), 0);
    tt_store_close(&st);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 3);
    assert_int_equal(s_int(db, "SELECT next_seq FROM order_seq"), 5);
    s_integrity_ok(db);
    sqlite3_close(db);
    /* A negative group size is refused at open. */
    o.group_rows = -1;
    char err[256];
    assert_null(tt_store_open(fx->path, &o, err, sizeof err));
    assert_non_null(strstr(err, "group_rows"));
}

/* A grouped store (a backtest's) never syncs, its trade writes at
   sync_trade FULL included, nor do its checkpoints; every row is still
   in the file. A live store on the same file syncs a trade write. */
static void test_grouped_store_never_syncs(void **state)
{
    fx_t *fx = *state;
    tt_store_opts_t o = tt_store_opts_default();
    assert_int_equal(o.sync_trade, TT_STORE_SYNC_FULL);
    o.batch_size = 100;
    o.group_rows = 150;
    int before = s_syncs;
    tt_store_t *st = s_open(fx, &o);
    tt_store_order_t r1 = s_order("ETHUSD", 1, TT_ROLE_ENTRY, 1000);
    assert_int_equal(tt_store_order_intent(st, &r1), 0);
    for (int i = 0; i < 400; i++) /* two group commits on the way */
        assert_int_equal(tt_store_event_append(st, (uint64_t)i + 1, i, "order",
                                               "ETHUSD", "x", 1),
                         0);
    tt_store_close(&st); /* the last group, the checkpoint */
    assert_int_equal(s_syncs, before);
    sqlite3 *db = s_raw(fx);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 400);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 1);
    sqlite3_close(db);
    st = s_open(fx, NULL);
    before = s_syncs;
    tt_store_order_t r2 = s_order("ETHUSD", 2, TT_ROLE_ENTRY, 1001);
    assert_int_equal(tt_store_order_intent(st, &r2), 0);
    assert_true(s_syncs > before);
    tt_store_close(&st);
}

/* A grouped store's trade writes leave the queue alone (its rows commit
   with the group anyway); a group commit writes the queue first. */
static void test_grouped_queue_commits_with_group(void **state)
{
    fx_t *fx = *state;
    tt_store_opts_t o = tt_store_opts_default();
    o.batch_size = 100;
    o.group_rows = 1000;
    tt_store_t *st = s_open(fx, &o);
    sqlite3 *db = s_raw(fx);
    for (int i = 0; i < 5; i++) {
        tt_candle_t c = s_candle((tt_ns_t)i * 60 * TT_NS_PER_SEC, 100 + i);
        assert_int_equal(tt_store_candle_put(st, "AAPL", &c), 0);
    }
    tt_store_order_t r1 = s_order("AAPL", 1, TT_ROLE_ENTRY, 1000);
    assert_int_equal(tt_store_order_intent(st, &r1), 0);
    /* Not flushed by the intent, whose order_events row is queued too. */
    assert_int_equal(tt_store_pending(st), 6);
    assert_int_equal(tt_store_commit_group(st), 0);
    assert_int_equal(tt_store_pending(st), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM candles"), 5);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events WHERE"
                               " reason = 'intent' AND from_state IS NULL"),
                     1);
    /* A read of a batched table still sees what was queued. */
    tt_candle_t c = s_candle(5 * 60 * TT_NS_PER_SEC, 105);
    assert_int_equal(tt_store_candle_put(st, "AAPL", &c), 0);
    uint64_t seq = 99;
    assert_int_equal(tt_store_event_append(st, 7, 1, "t", "AAPL", "x", 1), 0);
    assert_int_equal(tt_store_last_event_seq(st, &seq), 0);
    assert_int_equal(seq, 7);
    tt_store_close(&st);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM candles"), 6);
    s_integrity_ok(db);
    sqlite3_close(db);
}

/* A grouped store queues its order_events rows. A unit that fails after
   changing rows rolls the group back, orders included: their queued
   order_events rows go too, so the next flush does not fail on them
   (and with it every group after). */
static void test_grouped_rollback_drops_queued_moves(void **state)
{
    fx_t *fx = *state;
    tt_store_opts_t o = tt_store_opts_default();
    o.group_rows = 100000;
    tt_store_t *st = s_open(fx, &o);
    sqlite3 *db = s_raw(fx);
    /* The BAD symbol's sequence cannot be raised: its intent fails after
       its order row was inserted. */
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TRIGGER no_seq BEFORE INSERT ON"
                                  " order_seq WHEN NEW.symbol = 'BAD' BEGIN"
                                  " SELECT RAISE(ABORT, 'no sequence'); END",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    tt_store_order_t good = s_order("AAPL", 1, TT_ROLE_ENTRY, 1);
    tt_store_order_t bad = s_order("BAD", 1, TT_ROLE_ENTRY, 2);
    tt_store_order_t after = s_order("AAPL", 2, TT_ROLE_ENTRY, 3);
    assert_int_equal(tt_store_order_intent(st, &good), 0);
    assert_int_equal(tt_store_pending(st), 1);
    assert_int_equal(tt_store_order_intent(st, &bad), -1);
    assert_non_null(strstr(tt_store_error(st), "rolled back with it"));
    assert_int_equal(tt_store_pending(st), 0);
    assert_int_equal(tt_store_order_intent(st, &after), 0);
    assert_int_equal(tt_store_commit_group(st), 0);
    tt_store_close(&st);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events"), 1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events WHERE"
                               " coid = (SELECT coid FROM orders)"),
                     1);
    sqlite3_close(db);
}

/* A flush writes full runs of 64 candles or events in one statement:
   the rows are the same as one by one (a candle queued twice keeps the
   later values), and a row refused inside a run is named, with the whole
   batch rolled back and kept. */
static void test_batch_many_rows(void **state)
{
    fx_t *fx = *state;
    tt_store_opts_t o = tt_store_opts_default();
    o.batch_size = 400;
    tt_store_t *st = s_open(fx, &o);
    sqlite3 *db = s_raw(fx);
    for (int i = 0; i < 160; i++) { /* interleaved: 160 candles and events */
        tt_candle_t c = s_candle((tt_ns_t)i * 60 * TT_NS_PER_SEC, 100 + i);
        assert_int_equal(tt_store_candle_put(st, "AAPL", &c), 0);
        char payload[8];
        snprintf(payload, sizeof payload, "p%d", i);
        assert_int_equal(tt_store_event_append(st, (uint64_t)i + 1, i, "t",
                                               i % 2 ? "AAPL" : NULL, payload,
                                               strlen(payload)),
                         0);
    }
    tt_candle_t again = s_candle(3 * 60 * TT_NS_PER_SEC, 900);
    assert_int_equal(tt_store_candle_put(st, "AAPL", &again), 0);
    assert_int_equal(tt_store_flush(st), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM candles"), 160);
    assert_int_equal(s_int(db, "SELECT SUM(open) FROM candles"),
                     (100 + 259) * 160 / 2 - 103 + 900);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 160);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events WHERE symbol IS"
                               " NULL AND seq % 2 = 1"),
                     80);
    char text[64];
    s_text(db, "SELECT CAST(payload AS TEXT) FROM events WHERE seq = 33", text,
           sizeof text);
    assert_string_equal(text, "p32");
    /* Seq 172 is queued twice in a run of 64: the second is refused,
       named and set aside, the rest of the run written. */
    for (int i = 0; i < 80; i++)
        assert_int_equal(tt_store_event_append(st,
                                               (uint64_t)(161 + i) - (i == 12),
                                               i, "t", NULL, "y", 1),
                         0);
    assert_int_equal(tt_store_flush(st), 0);
    assert_non_null(strstr(tt_store_error(st), "events row seq 172"));
    assert_non_null(strstr(tt_store_error(st), "UNIQUE"));
    assert_int_equal(tt_store_refused(st), 1);
    assert_int_equal(tt_store_pending(st), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 160 + 79);
    assert_int_equal(s_int(db, "SELECT ts FROM events WHERE seq = 172"), 11);
    tt_store_close(&st);
    s_integrity_ok(db);
    sqlite3_close(db);
}

/* A flush's statements keep their bindings between steps
   (tt_st_stmt_rebind): every row binds all of its parameters, so nothing
   of an earlier flush's rows (a symbol, a payload) reaches a later one,
   in runs of 64 rows and one by one alike, after the arena was reused. */
static void test_flush_rebinds_every_row(void **state)
{
    fx_t *fx = *state;
    tt_store_opts_t o = tt_store_opts_default();
    o.batch_size = 400;
    tt_store_t *st = s_open(fx, &o);
    sqlite3 *db = s_raw(fx);
    for (int i = 0; i < 67; i++) { /* a run of 64, then 3 one by one */
        assert_int_equal(tt_store_event_append(st, (uint64_t)i + 1, i, "t",
                                               "LONGSYMBOL", "payload", 7),
                         0);
        tt_candle_t c = s_candle((tt_ns_t)i * 60 * TT_NS_PER_SEC, 100 + i);
        assert_int_equal(tt_store_candle_put(st, "LONGSYMBOL", &c), 0);
    }
    assert_int_equal(tt_store_flush(st), 0);
    for (int i = 0; i < 67; i++) {
        assert_int_equal(
            tt_store_event_append(st, (uint64_t)i + 101, i, "u", NULL, NULL, 0),
            0);
        tt_candle_t c = s_candle((tt_ns_t)i * 60 * TT_NS_PER_SEC, 200 + i);
        assert_int_equal(tt_store_candle_put(st, "B", &c), 0);
    }
    assert_int_equal(tt_store_flush(st), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events WHERE seq > 100"
                               " AND symbol IS NULL AND topic = 'u'"
                               " AND length(payload) = 0"),
                     67);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events WHERE seq <= 67"
                               " AND symbol = 'LONGSYMBOL' AND topic = 't'"
                               " AND CAST(payload AS TEXT) = 'payload'"),
                     67);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM candles WHERE symbol"
                               " = 'B' AND open >= 200"),
                     67);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM candles WHERE symbol"
                               " = 'LONGSYMBOL' AND open < 200"),
                     67);
    tt_store_close(&st);
    s_integrity_ok(db);
    sqlite3_close(db);
}

/* SQLite's memory statistics can only be turned off before SQLite
   starts: main() did (0), and once a store was opened it says -1, the
   store working either way. */
static void test_global_init_once(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    assert_int_equal(tt_store_global_init(), -1);
    tt_candle_t c = s_candle(0, 100);
    assert_int_equal(tt_store_candle_put(st, "AAPL", &c), 0);
    assert_int_equal(tt_store_flush(st), 0);
    tt_store_close(&st);
}

/* A write's name in its errors (made without snprintf, tt_st_op_name):
   the fill's venue and id, the order's client id, whole. */
static void test_write_names_in_errors(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    tt_fill_t f = s_fill("T-1", TT_SIDE_BUY, 10000, 2000, 10, 100);
    assert_int_equal(tt_store_fill(st, "alpaca", "AAPL", 3, &f, NULL), 0);
    tt_fill_t g = s_fill("T-2-with-a-long-fill-id-of-47-bytes-xxxxxxxxxxx",
                         TT_SIDE_SELL, 10000, 1000, 10, 200);
    assert_int_equal(strlen(g.fill_id), 47);
    assert_int_equal(tt_store_fill(st, "alpaca", "AAPL", 4, &g, NULL), -1);
    assert_non_null(strstr(tt_store_error(st),
                           "store: fill alpaca/T-2-with-a-long-fill-id-of-"
                           "47-bytes-xxxxxxxxxxx: qty_decimals 4 differs"));
    tt_store_order_t r = s_order("AAPL", 7, TT_ROLE_ENTRY, 100);
    assert_int_equal(tt_store_order_intent(st, &r), 0);
    r.order.state = TT_OS_FILLED;
    r.order.filled = r.order.qty;
    assert_int_equal(tt_store_order_update(st, &r), 0);
    r.order.state = TT_OS_ACCEPTED;
    assert_int_equal(tt_store_order_update(st, &r), -1);
    char want[96];
    snprintf(want, sizeof want, "store: order_update %s: illegal transition",
             r.order.coid);
    assert_non_null(strstr(tt_store_error(st), want));
    tt_store_close(&st);
}

/* Order updates name a row the store remembers by id, checking the
   remembered state in the same UPDATE: thousands of orders (the memo
   grows, collides and forgets terminal ones) keep exact from_states, and
   a state changed behind the store's back is noticed, not overwritten. */
static void test_order_updates_remembered(void **state)
{
    fx_t *fx = *state;
    tt_store_opts_t o = tt_store_opts_default();
    o.sync_trade = TT_STORE_SYNC_NORMAL;
    o.group_rows = 100000;
    tt_store_t *st = s_open(fx, &o);
    enum { N = 3000 };
    static tt_store_order_t recs[N];
    for (int i = 0; i < N; i++) {
        recs[i] =
            s_order(i % 2 ? "AAPL" : "MSFT", (uint64_t)i + 1, TT_ROLE_ENTRY, i);
        assert_int_equal(tt_store_order_intent(st, &recs[i]), 0);
    }
    /* ACCEPTED, then in a scrambled order: a partial fill twice (same
       state), then FILLED or CANCELLED (terminal: forgotten). */
    const tt_ord_state_t moves[] = {TT_OS_ACCEPTED, TT_OS_PARTIALLY_FILLED,
                                    TT_OS_PARTIALLY_FILLED, TT_OS_FILLED};
    for (size_t m = 0; m < sizeof moves / sizeof moves[0]; m++)
        for (int k = 0; k < N; k++) {
            int i = (k * 7919) % N;
            tt_store_order_t *r = &recs[i];
            r->order.state = moves[m];
            if (m == 3 && i % 3 == 0)
                r->order.state = TT_OS_CANCELLED;
            r->order.filled = m == 0 ? 0 : (int64_t)m * 100;
            r->order.updated_ts = (tt_ns_t)(m * N + (size_t)k);
            assert_int_equal(tt_store_order_update(st, r), 0);
        }
    /* A repeat of a terminal state goes the slow way and is refused
       nothing; an illegal move out of it is refused. */
    assert_int_equal(tt_store_order_update(st, &recs[0]), 0);
    recs[0].order.state = TT_OS_ACCEPTED;
    assert_int_equal(tt_store_order_update(st, &recs[0]), -1);
    assert_non_null(strstr(tt_store_error(st), "CANCELLED -> ACCEPTED"));
    tt_store_close(&st);
    sqlite3 *db = s_raw(fx);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events"), N * 5 + 1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events WHERE"
                               " from_state = 3 AND to_state = 3"),
                     N);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events WHERE"
                               " from_state = 3 AND to_state IN (4, 5)"),
                     N);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events WHERE"
                               " from_state = 5 AND to_state = 5"),
                     1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders WHERE state = 5"),
                     N / 3);
    assert_int_equal(s_int(db, "SELECT SUM(filled) FROM orders"), N * 300);
    sqlite3_close(db);

    /* Behind the store's back: another connection cancels an order the
       store remembers as ACCEPTED; the store's FILLED is refused. */
    st = s_open(fx, NULL);
    tt_store_order_t r = s_order("AAPL", N + 1, TT_ROLE_ENTRY, 1);
    assert_int_equal(tt_store_order_intent(st, &r), 0);
    r.order.state = TT_OS_ACCEPTED;
    assert_int_equal(tt_store_order_update(st, &r), 0);
    db = s_raw(fx);
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE orders SET state = 5 WHERE coid = '%s'",
             r.order.coid);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    r.order.state = TT_OS_FILLED;
    r.order.filled = r.order.qty;
    assert_int_equal(tt_store_order_update(st, &r), -1);
    assert_non_null(strstr(tt_store_error(st), "CANCELLED -> FILLED"));
    snprintf(sql, sizeof sql, "SELECT state FROM orders WHERE coid = '%s'",
             r.order.coid);
    assert_int_equal(s_int(db, sql), TT_OS_CANCELLED);
    sqlite3_close(db);
    tt_store_close(&st);
}

static int s_collect_order(const tt_store_order_t *rec, void *arg)
{
    tt_store_order_t *out = arg;
    int i = 0;
    while (out[i].symbol[0])
        i++;
    out[i] = *rec;
    return 0;
}

static void test_order_updates_and_open_orders(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    tt_store_order_t a = s_order("AAPL", 1, TT_ROLE_ENTRY, 100);
    tt_store_order_t b = s_order("AAPL", 2, TT_ROLE_ENTRY, 110);
    tt_store_order_t c = s_order("MSFT", 1, TT_ROLE_ENTRY, 120);
    assert_int_equal(tt_store_order_intent(st, &a), 0);
    assert_int_equal(tt_store_order_intent(st, &b), 0);
    assert_int_equal(tt_store_order_intent(st, &c), 0);
    a.order.state = TT_OS_ACCEPTED;
    a.order.updated_ts = 200;
    snprintf(a.venue_oid, sizeof a.venue_oid, "V-777");
    assert_int_equal(tt_store_order_update(st, &a), 0);
    a.order.state = TT_OS_PARTIALLY_FILLED;
    a.order.filled = 400;
    a.order.updated_ts = 300;
    a.venue_oid[0] = '\0'; /* "" keeps the stored venue id */
    assert_int_equal(tt_store_order_update(st, &a), 0);
    b.order.state = TT_OS_REJECTED;
    snprintf(b.order.reason, sizeof b.order.reason, "insufficient funds");
    assert_int_equal(tt_store_order_update(st, &b), 0);
    /* A terminal order cannot go back. */
    b.order.state = TT_OS_ACCEPTED;
    assert_int_equal(tt_store_order_update(st, &b), -1);
    assert_non_null(strstr(tt_store_error(st), "illegal transition "
                                               "REJECTED -> ACCEPTED"));
    tt_store_order_t u = s_order("AAPL", 99, TT_ROLE_ENTRY, 1);
    u.order.state = TT_OS_ACCEPTED;
    assert_int_equal(tt_store_order_update(st, &u), -1);
    assert_non_null(strstr(tt_store_error(st), "unknown client order id"));

    tt_store_order_t got[4];
    memset(got, 0, sizeof got);
    assert_int_equal(tt_store_open_orders(st, "AAPL", s_collect_order, got), 0);
    assert_string_equal(got[0].order.coid, a.order.coid);
    assert_int_equal(got[0].order.state, TT_OS_PARTIALLY_FILLED);
    assert_int_equal(got[0].order.filled, 400);
    assert_string_equal(got[0].venue_oid, "V-777");
    assert_int_equal(got[0].order.role, TT_ROLE_ENTRY);
    assert_int_equal(got[0].order.updated_ts, 300);
    assert_int_equal(got[1].symbol[0], '\0'); /* b is terminal */
    memset(got, 0, sizeof got);
    assert_int_equal(tt_store_open_orders(st, NULL, s_collect_order, got), 0);
    assert_string_equal(got[1].symbol, "MSFT");
    assert_int_equal(got[2].symbol[0], '\0');

    sqlite3 *db = s_raw(fx);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events"), 6);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events WHERE "
                               "from_state = 2 AND to_state = 3 AND "
                               "filled = 400"),
                     1);
    sqlite3_close(db);
    tt_store_close(&st);
}

/* ---- Fills and positions ---- */

static void test_duplicate_fill_ignored(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    tt_fill_t f = s_fill("T-1", TT_SIDE_BUY, 10000, 2000, 10, 100);
    tt_position_t p1, p2, p3;
    assert_int_equal(tt_store_fill(st, "alpaca", "AAPL", 3, &f, &p1), 0);
    /* 2.000 at 100.00 = 200.00 of cost */
    assert_int_equal(p1.qty, 2000);
    assert_int_equal(p1.cost, 20000);
    assert_int_equal(p1.fees, 10);
    tt_fill_t dup = f;
    dup.qty = 9000; /* a replayed id is ignored whatever it says */
    assert_int_equal(tt_store_fill(st, "alpaca", "AAPL", 3, &dup, &p3),
                     TT_STORE_DUP);
    assert_non_null(strstr(tt_store_error(st), "duplicate"));
    assert_int_equal(tt_store_position_get(st, "AAPL", &p2), 0);
    assert_true(tt_position_equal(&p1, &p2));
    sqlite3 *db = s_raw(fx);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM ledger"), 1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM fills"), 1);
    assert_int_equal(s_int(db, "SELECT qty FROM positions"), 2000);
    /* The same id from another venue is another fill. */
    assert_int_equal(tt_store_fill(st, "binance", "AAPL", 3, &f, &p3), 0);
    assert_int_equal(p3.qty, 4000);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM ledger"), 2);
    /* Malformed: nothing written. */
    tt_fill_t bad = s_fill("T-2", TT_SIDE_BUY, 10000, 0, 0, 200);
    assert_int_equal(tt_store_fill(st, "alpaca", "AAPL", 3, &bad, NULL), -1);
    assert_non_null(strstr(tt_store_error(st), "qty 0"));
    tt_fill_t other_scale = s_fill("T-3", TT_SIDE_BUY, 10000, 10, 0, 200);
    assert_int_equal(tt_store_fill(st, "alpaca", "AAPL", 2, &other_scale, NULL),
                     -1);
    assert_non_null(strstr(tt_store_error(st), "qty_decimals 2 differs"));
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM fills"), 2);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM ledger"), 2);
    sqlite3_close(db);
    tt_store_close(&st);
}

/* Reconciliation asks about one client order id: its state and fills. */
static void test_order_status(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    tt_store_order_t rec = s_order("X", 1, TT_ROLE_ENTRY, 100);
    assert_int_equal(tt_store_order_intent(st, &rec), 0);
    tt_ord_state_t state_out = 0;
    int64_t fills = -1;
    assert_int_equal(
        tt_store_order_status(st, rec.order.coid, &state_out, &fills), 0);
    assert_int_equal(state_out, TT_OS_NEW);
    assert_int_equal(fills, 0);
    tt_fill_t f = s_fill("tt-X-1-e:1", TT_SIDE_BUY, 10000, 400, 1, 110);
    assert_int_equal(tt_store_fill(st, "paper", "X", 3, &f, NULL), 0);
    f = s_fill("tt-X-1-e:2", TT_SIDE_BUY, 10000, 600, 1, 120);
    assert_int_equal(tt_store_fill(st, "paper", "X", 3, &f, NULL), 0);
    rec.order.state = TT_OS_FILLED;
    rec.order.filled = 1000;
    assert_int_equal(tt_store_order_update(st, &rec), 0);
    assert_int_equal(
        tt_store_order_status(st, rec.order.coid, &state_out, &fills), 0);
    assert_int_equal(state_out, TT_OS_FILLED);
    assert_int_equal(fills, 2);
    assert_int_equal(tt_store_order_status(st, "tt-X-9-e", &state_out, &fills),
                     1);
    tt_store_close(&st);
}

static uint64_t s_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A side that pulls the position back towards flat two times in three,
   so the walk keeps crossing zero: longs, shorts and flips. */
static tt_side_t s_side(uint64_t *rnd, tt_qty_t qty)
{
    bool back = s_rand(rnd) % 3 != 0;
    if (qty == 0)
        return s_rand(rnd) % 2 ? TT_SIDE_BUY : TT_SIDE_SELL;
    return (qty > 0) == back ? TT_SIDE_SELL : TT_SIDE_BUY;
}

static void s_random_fills(tt_store_t *st, tt_position_t *mine, tt_qty_t *lo,
                           tt_qty_t *hi, int n)
{
    uint64_t rnd = 0x9e3779b97f4a7c15u;
    const char *syms[2] = {"BTCUSD", "ETHUSD"};
    for (int i = 0; i < n; i++) {
        int k = (int)(s_rand(&rnd) % 2);
        char id[32];
        snprintf(id, sizeof id, "R-%d", i);
        tt_fill_t f = s_fill(id, s_side(&rnd, mine[k].qty),
                             5000 + (tt_px_t)(s_rand(&rnd) % 5000),
                             1 + (tt_qty_t)(s_rand(&rnd) % 3000),
                             (int64_t)(s_rand(&rnd) % 7) - 1, 1000 + i);
        tt_position_t got;
        assert_int_equal(tt_store_fill(st, "paper", syms[k], 3, &f, &got), 0);
        assert_int_equal(tt_position_apply(&mine[k], &f, NULL), 0);
        assert_true(tt_position_equal(&got, &mine[k]));
        lo[k] = mine[k].qty < lo[k] ? mine[k].qty : lo[k];
        hi[k] = mine[k].qty > hi[k] ? mine[k].qty : hi[k];
        if (i % 7 == 0) /* replays of old ids change nothing */
            assert_int_equal(tt_store_fill(st, "paper", syms[k], 3, &f, NULL),
                             TT_STORE_DUP);
    }
}

static void test_rebuild_after_random_fills(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    tt_position_t mine[2];
    tt_position_init(&mine[0], 3);
    tt_position_init(&mine[1], 3);
    tt_qty_t lo[2] = {0, 0}, hi[2] = {0, 0};
    s_random_fills(st, mine, lo, hi, 600);
    /* Longs, shorts and many round trips / flips really happened. */
    for (int k = 0; k < 2; k++)
        assert_true(mine[k].trips > 20 && lo[k] < 0 && hi[k] > 0);
    const char *syms[2] = {"BTCUSD", "ETHUSD"};
    for (int k = 0; k < 2; k++) {
        tt_position_t built, stored;
        assert_int_equal(tt_store_rebuild_position(st, syms[k], &built), 0);
        assert_int_equal(tt_store_position_get(st, syms[k], &stored), 0);
        assert_true(tt_position_equal(&built, &mine[k]));
        assert_true(tt_position_equal(&stored, &mine[k]));
        assert_int_equal(tt_store_check_position(st, syms[k]), 0);
    }
    tt_position_t none;
    assert_int_equal(tt_store_rebuild_position(st, "NOPE", &none), 0);
    assert_int_equal(none.fills, 0);
    assert_int_equal(tt_store_position_get(st, "NOPE", &none), 1);
    assert_int_equal(tt_store_check_position(st, "NOPE"), 0);
    /* A tampered position row is caught by the check. */
    sqlite3 *db = s_raw(fx);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE positions SET realized = "
                                  "realized + 1 WHERE symbol = 'ETHUSD'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(tt_store_check_position(st, "ETHUSD"), 1);
    assert_non_null(strstr(tt_store_error(st), "check_position ETHUSD"));
    assert_int_equal(tt_store_check_position(st, "BTCUSD"), 0);
    tt_store_close(&st);
}

/* ---- Events ---- */

typedef struct {
    uint64_t seqs[16];
    char payloads[16][16];
    int n, stop_after;
} ev_seen_t;

static int s_on_event(uint64_t seq, tt_ns_t ts, const char *topic,
                      const char *symbol, const void *payload, size_t len,
                      void *arg)
{
    ev_seen_t *s = arg;
    assert_int_equal(ts, (tt_ns_t)seq * 10);
    assert_string_equal(topic, "fill");
    assert_string_equal(symbol, seq % 2 ? "BTCUSD" : "");
    assert_true(len < sizeof s->payloads[0]);
    memcpy(s->payloads[s->n], payload, len);
    s->payloads[s->n][len] = '\0';
    s->seqs[s->n++] = seq;
    return s->stop_after && s->n == s->stop_after;
}

static void test_events_range_gaps_last_seq(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    uint64_t last = 99;
    assert_int_equal(tt_store_last_event_seq(st, &last), 0);
    assert_int_equal(last, 0);
    for (uint64_t s = 1; s <= 10; s++) {
        if (s == 5 || s == 8)
            continue;
        char p[16];
        int len =
            s == 6 ? 0 : snprintf(p, sizeof p, "p%llu", (unsigned long long)s);
        assert_int_equal(tt_store_event_append(st, s, (tt_ns_t)s * 10, "fill",
                                               s % 2 ? "BTCUSD" : NULL, p,
                                               (size_t)len),
                         0);
    }
    ev_seen_t seen = {.n = 0};
    assert_int_equal(tt_store_events_range(st, 3, 9, s_on_event, &seen), 0);
    uint64_t want[] = {3, 4, 6, 7, 9};
    assert_int_equal(seen.n, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(seen.seqs[i], want[i]);
    assert_string_equal(seen.payloads[0], "p3");
    assert_string_equal(seen.payloads[2], ""); /* empty payload kept */
    assert_string_equal(seen.payloads[4], "p9");
    memset(&seen, 0, sizeof seen);
    seen.stop_after = 2;
    assert_int_equal(tt_store_events_range(st, 1, 100, s_on_event, &seen), 0);
    assert_int_equal(seen.n, 2);
    assert_int_equal(tt_store_last_event_seq(st, &last), 0);
    assert_int_equal(last, 10);
    /* A seq stored twice is refused for good: named and set aside
       (tests/test_store_refused.c has the rest). */
    assert_int_equal(tt_store_event_append(st, 7, 70, "fill", NULL, "x", 1), 0);
    assert_int_equal(tt_store_flush(st), 0);
    assert_non_null(strstr(tt_store_error(st), "events row seq 7"));
    assert_non_null(strstr(tt_store_error(st), "SQLITE_CONSTRAINT"));
    assert_int_equal(tt_store_pending(st), 0);
    assert_int_equal(tt_store_refused(st), 1);
    assert_int_equal(tt_store_event_append(st, 0, 0, "fill", NULL, "x", 1), -1);
    assert_non_null(strstr(tt_store_error(st), "seq 0"));
    assert_int_equal(tt_store_event_append(st, 11, 0, "", NULL, "x", 1), -1);
    assert_non_null(strstr(tt_store_error(st), "topic is missing"));
    tt_store_close(&st);
}

/* ---- Batches and a crash ---- */

static void test_batch_auto_flush(void **state)
{
    fx_t *fx = *state;
    tt_store_opts_t o = tt_store_opts_default();
    o.batch_size = 10;
    tt_store_t *st = s_open(fx, &o);
    sqlite3 *db = s_raw(fx);
    for (int i = 0; i < 9; i++) {
        tt_candle_t c = s_candle((tt_ns_t)i * 60 * TT_NS_PER_SEC, 100 + i);
        assert_int_equal(tt_store_candle_put(st, "AAPL", &c), 0);
    }
    assert_int_equal(tt_store_pending(st), 9);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM candles"), 0);
    tt_candle_t c = s_candle(9 * 60 * TT_NS_PER_SEC, 109);
    assert_int_equal(tt_store_candle_put(st, "AAPL", &c), 0);
    assert_int_equal(tt_store_pending(st), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM candles"), 10);
    /* The same candle again replaces it (a re-warmed bar). */
    c.close = c.high;
    assert_int_equal(tt_store_candle_put(st, "AAPL", &c), 0);
    assert_int_equal(tt_store_flush(st), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM candles"), 10);
    assert_int_equal(s_int(db, "SELECT close FROM candles WHERE open_ts = "
                               "540000000000"),
                     c.high);
    tt_candle_t bad = c;
    bad.low = bad.high + 1;
    assert_int_equal(tt_store_candle_put(st, "AAPL", &bad), -1);
    assert_non_null(strstr(tt_store_error(st), "malformed candle"));
    assert_int_equal(tt_store_candle_put(st, NULL, &c), -1);
    assert_non_null(strstr(tt_store_error(st), "symbol is missing"));
    assert_int_equal(
        tt_store_candle_put(st, "A_SYMBOL_LONGER_THAN_31_BYTES_XYZ", &c), -1);
    assert_non_null(strstr(tt_store_error(st), "longer than 31"));
    sqlite3_close(db);
    tt_store_close(&st);
}

/* The child writes one committed batch and one queued batch, then dies
   by SIGKILL: no close, no flush, no atexit. */
static void s_child_crash(const fx_t *fx)
{
    tt_store_opts_t o = tt_store_opts_default();
    o.batch_size = 1000;
    tt_store_t *st = tt_store_open(fx->path, &o, NULL, 0);
    if (!st)
        _exit(2);
    for (int i = 0; i < 80; i++) {
        tt_candle_t c = s_candle((tt_ns_t)i * 60 * TT_NS_PER_SEC, 100 + i);
        if (tt_store_candle_put(st, "AAPL", &c) != 0)
            _exit(3);
        if (i == 49 && tt_store_flush(st) != 0)
            _exit(4);
        if (tt_store_event_append(st, (uint64_t)i + 1, i, "candle", "AAPL",
                                  "payload", 7) != 0)
            _exit(5);
    }
    if (tt_store_pending(st) != 61)
        _exit(6);
    kill(getpid(), SIGKILL);
    _exit(7);
}

static void test_crash_between_batches(void **state)
{
    fx_t *fx = *state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        s_child_crash(fx);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFSIGNALED(status))
        fail_msg("child exited with %d", WEXITSTATUS(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    sqlite3 *db = s_raw(fx);
    s_integrity_ok(db);
    /* Rows 0..49 and events 1..50 were committed; the rest was queued. */
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM candles"), 50);
    assert_int_equal(s_int(db, "SELECT MAX(open_ts) FROM candles"),
                     49 * 60 * TT_NS_PER_SEC);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 49);
    sqlite3_close(db);
    tt_store_t *st = s_open(fx, NULL);
    uint64_t last = 0;
    assert_int_equal(tt_store_last_event_seq(st, &last), 0);
    assert_int_equal(last, 49);
    tt_store_close(&st);
}

/* ---- Restore reads ---- */

static int s_count_candle(const char *symbol, const tt_candle_t *c, void *arg)
{
    int64_t *v = arg;
    assert_string_equal(symbol, "AAPL");
    assert_true(c->closed);
    assert_int_equal(c->high, c->open + 5);
    v[1 + v[0]++] = c->open_ts / (60 * TT_NS_PER_SEC);
    return 0;
}

static int s_count_pos(const char *symbol, const tt_position_t *p, void *arg)
{
    int *n = arg;
    assert_string_equal(symbol, *n == 0 ? "AAPL" : "MSFT");
    assert_int_equal(p->qty, *n == 0 ? 10 : -20);
    (*n)++;
    return 0;
}

static void test_restore_reads(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    for (int i = 9; i >= 0; i--) { /* written out of order */
        tt_candle_t c = s_candle((tt_ns_t)i * 60 * TT_NS_PER_SEC, 100 + i);
        assert_int_equal(tt_store_candle_put(st, "AAPL", &c), 0);
    }
    int64_t v[16] = {0};
    assert_int_equal(tt_store_candles_since(st, "AAPL", 60,
                                            4 * 60 * TT_NS_PER_SEC, 3,
                                            s_count_candle, v),
                     0);
    assert_int_equal(v[0], 3);
    assert_int_equal(v[1], 4);
    assert_int_equal(v[2], 5);
    assert_int_equal(v[3], 6);
    memset(v, 0, sizeof v);
    assert_int_equal(
        tt_store_candles_since(st, "AAPL", 300, 0, 0, s_count_candle, v), 0);
    assert_int_equal(v[0], 0);

    uint8_t blob[64];
    size_t len = 0;
    tt_ns_t ts = 0;
    assert_int_equal(tt_store_snapshot_put(st, "AAPL", "rsi14", 100, "old", 3),
                     0);
    assert_int_equal(tt_store_snapshot_put(st, "AAPL", "rsi14", 300, "new", 3),
                     0);
    assert_int_equal(tt_store_snapshot_put(st, "AAPL", "sma20", 200, "s", 1),
                     0);
    assert_int_equal(tt_store_snapshot_latest(st, "AAPL", "rsi14", blob,
                                              sizeof blob, &len, &ts),
                     0);
    assert_int_equal(len, 3);
    assert_memory_equal(blob, "new", 3);
    assert_int_equal(ts, 300);
    assert_int_equal(tt_store_snapshot_latest(st, "AAPL", "ema", blob,
                                              sizeof blob, &len, &ts),
                     1);
    assert_int_equal(
        tt_store_snapshot_latest(st, "AAPL", "rsi14", blob, 2, &len, NULL), -1);
    assert_int_equal(len, 3);
    assert_non_null(strstr(tt_store_error(st), "too short"));

    tt_fill_t f1 = s_fill("A", TT_SIDE_BUY, 100, 10, 0, 1);
    tt_fill_t f2 = s_fill("B", TT_SIDE_SELL, 100, 20, 0, 2);
    assert_int_equal(tt_store_fill(st, "paper", "MSFT", 0, &f2, NULL), 0);
    assert_int_equal(tt_store_fill(st, "paper", "AAPL", 0, &f1, NULL), 0);
    int n = 0;
    assert_int_equal(tt_store_positions(st, s_count_pos, &n), 0);
    assert_int_equal(n, 2);

    assert_int_equal(tt_store_paper_get(st, "AAPL", blob, sizeof blob, &len),
                     1);
    assert_int_equal(tt_store_paper_put(st, "AAPL", 5, "state-1", 7), 0);
    assert_int_equal(tt_store_paper_put(st, "AAPL", 6, "state-22", 8), 0);
    assert_int_equal(tt_store_paper_get(st, "AAPL", blob, sizeof blob, &len),
                     0);
    assert_int_equal(len, 8);
    assert_memory_equal(blob, "state-22", 8);

    int64_t run = 0;
    assert_int_equal(tt_store_run_start(st, 1000, "abc123", "0.1.0", &run), 0);
    assert_true(run > 0);
    assert_int_equal(tt_store_run_stop(st, run, 2000, "signal"), 0);
    assert_int_equal(tt_store_run_stop(st, run + 5, 2000, "signal"), -1);
    assert_non_null(strstr(tt_store_error(st), "no run with id"));
    sqlite3 *db = s_raw(fx);
    assert_int_equal(s_int(db, "SELECT stop_ts - start_ts FROM runs"), 1000);
    sqlite3_close(db);
    char kv[8];
    assert_int_equal(tt_store_kv_get(st, "missing", kv, sizeof kv), 1);
    assert_int_equal(tt_store_kv_put(st, "k", "a long value"), 0);
    assert_int_equal(tt_store_kv_get(st, "k", kv, sizeof kv), -1);
    assert_non_null(strstr(tt_store_error(st), "too short"));
    /* A large value (a 1000-symbol backtest report is about 200 KB). */
    size_t big_len = 300000;
    char *big = malloc(big_len + 1), *back = malloc(big_len + 1);
    assert_non_null(big);
    assert_non_null(back);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (char)('a' + i % 26);
    big[big_len] = '\0';
    assert_int_equal(tt_store_kv_put(st, "report", big), 0);
    assert_int_equal(tt_store_kv_get(st, "report", back, big_len + 1), 0);
    assert_string_equal(back, big);
    free(big), free(back);
    tt_store_close(&st);
}

/* ---- Retention ---- */

static void test_retention(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    for (int i = 0; i < 10; i++) {
        tt_candle_t c = s_candle((tt_ns_t)i * 60, 100 + i);
        assert_int_equal(tt_store_candle_put(st, "AAPL", &c), 0);
        assert_int_equal(tt_store_event_append(st, (uint64_t)i + 1, i * 60,
                                               "candle", "AAPL", "p", 1),
                         0);
        assert_int_equal(
            tt_store_snapshot_put(st, "AAPL", "rsi", i * 60, "s", 1), 0);
    }
    tt_fill_t f = s_fill("F", TT_SIDE_BUY, 100, 10, 0, 1);
    assert_int_equal(tt_store_fill(st, "paper", "AAPL", 0, &f, NULL), 0);
    tt_store_order_t o = s_order("AAPL", 1, TT_ROLE_ENTRY, 1);
    assert_int_equal(tt_store_order_intent(st, &o), 0);
    tt_store_retention_t r = {.candles_before = 4 * 60,
                              .events_before = 6 * 60,
                              .snapshots_before = 0};
    tt_store_deleted_t d;
    assert_int_equal(tt_store_retain(st, &r, &d), 0);
    assert_int_equal(d.candles, 4);
    assert_int_equal(d.events, 6);
    assert_int_equal(d.snapshots, 0);
    sqlite3 *db = s_raw(fx);
    assert_int_equal(s_int(db, "SELECT MIN(open_ts) FROM candles"), 240);
    assert_int_equal(s_int(db, "SELECT MIN(seq) FROM events"), 7);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM indicator_snapshots"), 10);
    /* Everything old goes; snapshots keep the latest; the event seq
       survives; trading records stay. */
    r = (tt_store_retention_t){INT64_MAX, INT64_MAX, INT64_MAX};
    assert_int_equal(tt_store_retain(st, &r, &d), 0);
    assert_int_equal(d.candles, 6);
    assert_int_equal(d.events, 4);
    assert_int_equal(d.snapshots, 9);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM candles"), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 0);
    assert_int_equal(s_int(db, "SELECT ts FROM indicator_snapshots"), 540);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM ledger"), 1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM fills"), 1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events"), 1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM positions"), 1);
    sqlite3_close(db);
    uint64_t last = 0;
    assert_int_equal(tt_store_last_event_seq(st, &last), 0);
    assert_int_equal(last, 10);
    tt_store_close(&st);
}

/* ---- Anomalies: a full database, a busy one ---- */

static void test_full_database(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, NULL);
    assert_int_equal(tt_store_event_append(st, 1, 1, "t", NULL, "x", 1), 0);
    tt_store_close(&st);
    sqlite3 *db = s_raw(fx);
    /* Fold the WAL into the file so page_count is the real size. */
    assert_int_equal(
        sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
        SQLITE_OK);
    int64_t pages = s_int(db, "PRAGMA page_count");
    sqlite3_close(db);

    tt_store_opts_t o = tt_store_opts_default();
    o.batch_size = 1000;
    o.max_page_count = pages + 4;
    st = s_open(fx, &o);
    char payload[2048];
    memset(payload, 'z', sizeof payload);
    for (int i = 0; i < 200; i++)
        assert_int_equal(tt_store_event_append(st, (uint64_t)i + 2, i, "t",
                                               NULL, payload, sizeof payload),
                         0);
    assert_int_equal(tt_store_flush(st), -1);
    const char *err = tt_store_error(st);
    assert_non_null(strstr(err, "flush of 200 rows"));
    assert_non_null(strstr(err, "SQLITE_FULL"));
    assert_non_null(strstr(err, "rolled back"));
    assert_int_equal(tt_store_pending(st), 200); /* kept for a retry */
    /* A trade write behind a failing queue fails too (order holds). */
    tt_store_order_t r = s_order("AAPL", 1, TT_ROLE_ENTRY, 1);
    assert_int_equal(tt_store_order_intent(st, &r), -1);
    db = s_raw(fx);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 0);
    s_integrity_ok(db);
    /* Dropping the queue lets small writes through again. */
    tt_store_discard(st);
    assert_int_equal(tt_store_order_intent(st, &r), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 1);
    sqlite3_close(db);
    tt_store_close(&st);
}

static void test_busy_writer(void **state)
{
    fx_t *fx = *state;
    tt_store_opts_t o = tt_store_opts_default();
    o.busy_timeout_ms = 50;
    tt_store_t *st = s_open(fx, &o);
    sqlite3 *db = s_raw(fx);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(tt_store_event_append(st, 1, 1, "t", NULL, "x", 1), 0);
    int64_t t0 = tth_now_ms();
    assert_int_equal(tt_store_flush(st), -1);
    const char *err = tt_store_error(st);
    assert_non_null(strstr(err, "SQLITE_BUSY"));
    assert_non_null(strstr(err, "50 ms busy timeout"));
    assert_non_null(strstr(err, "database is locked"));
    tt_store_order_t r = s_order("AAPL", 1, TT_ROLE_ENTRY, 1);
    tt_store_discard(st);
    assert_int_equal(tt_store_order_intent(st, &r), -1);
    assert_non_null(strstr(tt_store_error(st), "order_intent"));
    assert_non_null(strstr(tt_store_error(st), "SQLITE_BUSY"));
    assert_true(tth_now_ms() - t0 < 5000); /* bounded by the timeout */
    /* Reads still work while another connection writes (WAL). */
    uint64_t last = 9;
    assert_int_equal(tt_store_last_event_seq(st, &last), 0);
    assert_int_equal(last, 0);
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(tt_store_order_intent(st, &r), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 1);
    sqlite3_close(db);
    tt_store_close(&st);
}

int main(void)
{
    /* As ticktree's main does, before anything starts SQLite. */
    if (tt_store_global_init() != 0) {
        fprintf(stderr, "test_store: tt_store_global_init failed first\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)
        T(test_migrate_from_empty),
        T(test_migrate_from_v1),
        T(test_migrate_from_v2_keeps_ledger),
        T(test_fill_venue_fields),
        T(test_newer_version_refused),
        T(test_bad_options_and_path),
        T(test_ledger_append_only),
        T(test_intent_committed_before_return),
        T(test_duplicate_intent_refused),
        T(test_intents_under_one_commit),
        T(test_grouped_commits),
        T(test_grouped_store_never_syncs),
        T(test_grouped_queue_commits_with_group),
        T(test_grouped_rollback_drops_queued_moves),
        T(test_batch_many_rows),
        T(test_flush_rebinds_every_row),
        T(test_write_names_in_errors),
        T(test_global_init_once),
        T(test_order_updates_remembered),
        T(test_order_updates_and_open_orders),
        T(test_duplicate_fill_ignored),
        T(test_order_status),
        T(test_rebuild_after_random_fills),
        T(test_events_range_gaps_last_seq),
        T(test_batch_auto_flush),
        T(test_crash_between_batches),
        T(test_restore_reads),
        T(test_retention),
        T(test_full_database),
        T(test_busy_writer),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
