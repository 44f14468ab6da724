/*  tests/test_store_refused.c: the write queue (store/batch.c) when SQLite
    refuses one queued row for good, against real SQLite files made to
    refuse chosen rows (triggers with RAISE(ABORT) added to the file by a
    second connection). A live store sets the row aside, says which and
    why once, counts it and writes the rest of the flush in the order
    queued, inside a run of 64 rows written by one statement and outside
    it, also when the refusal ended the whole transaction (RAISE
    (ROLLBACK)); later flushes and an intent behind it are written. A full file
    (a page cap) is still a failure that keeps the whole queue and loses
    nothing once space is freed. A grouped store (a backtest's) sets a
    refused candle aside without rolling its group back. */
#include "tests/harness.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

typedef struct {
    char *dir;
    char path[512];
    int told;          /* on_refused calls */
    char what[4][600]; /* their texts, the first four */
    uint64_t seqs[4];  /* their event seqs */
} fx_t;

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->dir = tth_tmpdir("tt_store_refused");
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

static void s_on_refused(const char *what, uint64_t event_seq, void *arg)
{
    fx_t *fx = arg;
    if (fx->told < 4) {
        snprintf(fx->what[fx->told], sizeof fx->what[0], "%s", what);
        fx->seqs[fx->told] = event_seq;
    }
    fx->told++;
}

/* A store told of the rows it sets aside; BATCH queued rows a flush. */
static tt_store_t *s_open(fx_t *fx, int batch, int64_t group_rows,
                          int64_t max_pages)
{
    tt_store_opts_t o = tt_store_opts_default();
    o.batch_size = batch;
    o.group_rows = group_rows;
    o.max_page_count = max_pages;
    o.on_refused = s_on_refused;
    o.refused_arg = fx;
    char err[512];
    tt_store_t *st = tt_store_open(fx->path, &o, err, sizeof err);
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

static void s_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
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

static tt_candle_t s_candle(tt_ns_t open_ts, tt_px_t px)
{
    return (tt_candle_t){.open_ts = open_ts,
                         .tf_s = 60,
                         .open = px,
                         .high = px + 5,
                         .low = px - 5,
                         .close = px + 1,
                         .volume = 100,
                         .trades = 3,
                         .closed = true};
}

static tt_store_order_t s_order(const char *symbol, uint64_t seq)
{
    tt_store_order_t r;
    memset(&r, 0, sizeof r);
    snprintf(r.symbol, sizeof r.symbol, "%s", symbol);
    tt_order_t *o = &r.order;
    assert_true(tt_coid_format(o->coid, symbol, seq, TT_ROLE_ENTRY) > 0);
    o->seq = seq;
    o->role = TT_ROLE_ENTRY;
    o->side = TT_SIDE_BUY;
    o->type = TT_ORD_LIMIT;
    o->tif = TT_TIF_DAY;
    o->state = TT_OS_NEW;
    o->qty = 1000;
    o->limit_px = 10000;
    o->created_ts = 1;
    o->updated_ts = 1;
    return r;
}

/* Events row SEQ (topic "t.SEQ", symbol "E", payload the seq). */
static void s_event(tt_store_t *st, uint64_t seq)
{
    char topic[32];
    snprintf(topic, sizeof topic, "t.%llu", (unsigned long long)seq);
    assert_int_equal(tt_store_event_append(st, seq, (tt_ns_t)seq, topic, "E",
                                           &seq, sizeof seq),
                     0);
}

/* The file refuses events row 70, the candle of BAD and the snapshot
   key "bad". */
static void s_refuse(fx_t *fx)
{
    sqlite3 *db = s_raw(fx);
    s_exec(db, "CREATE TRIGGER r_event BEFORE INSERT ON events WHEN"
               " NEW.seq = 70 BEGIN SELECT RAISE(ABORT, 'test: event"
               " refused'); END;"
               "CREATE TRIGGER r_candle BEFORE INSERT ON candles WHEN"
               " NEW.symbol = 'BAD' BEGIN SELECT RAISE(ABORT, 'test: candle"
               " refused'); END;"
               "CREATE TRIGGER r_snap BEFORE INSERT ON indicator_snapshots"
               " WHEN NEW.key = 'bad' BEGIN SELECT RAISE(ABORT, 'test:"
               " snapshot refused'); END;");
    sqlite3_close(db);
}

/* 130 events (70 inside the second run of 64 one statement writes),
   five candles and three snapshots, one of each refused: each is set
   aside and named once, every other row is stored in the order queued,
   and the flushes and intent after it are written. */
static void test_live_sets_refused_rows_aside(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, 1000, 0, 0);
    s_refuse(fx);
    for (uint64_t seq = 1; seq <= 130; seq++)
        s_event(st, seq);
    const char *syms[] = {"A", "BAD", "C", "D", "E"};
    for (int i = 0; i < 5; i++) {
        tt_candle_t c = s_candle(60 * TT_NS_PER_SEC, 100 + i);
        assert_int_equal(tt_store_candle_put(st, syms[i], &c), 0);
    }
    assert_int_equal(tt_store_snapshot_put(st, "A", "k1", 5, "x", 1), 0);
    assert_int_equal(tt_store_snapshot_put(st, "A", "bad", 6, "y", 1), 0);
    assert_int_equal(tt_store_snapshot_put(st, "A", "k2", 7, "z", 1), 0);
    assert_int_equal(tt_store_pending(st), 138);
    assert_int_equal(tt_store_flush(st), 0);
    assert_int_equal(tt_store_pending(st), 0);
    assert_int_equal(tt_store_refused(st), 3);
    assert_int_equal(fx->told, 3);
    /* Named once each, by table and key, with SQLite's reason; candles
       go first in a flush, then events, then snapshots. */
    assert_non_null(
        strstr(fx->what[0], "candles row BAD tf 60 at 60000000000"));
    assert_non_null(strstr(fx->what[0], "test: candle refused"));
    assert_non_null(strstr(fx->what[0], "SQLITE_CONSTRAINT"));
    assert_non_null(strstr(fx->what[0], "set aside"));
    assert_int_equal(fx->seqs[0], 0);
    assert_non_null(
        strstr(fx->what[1], "events row seq 70 (topic t.70, symbol E)"));
    assert_non_null(strstr(fx->what[1], "test: event refused"));
    assert_int_equal(fx->seqs[1], 70);
    assert_non_null(strstr(fx->what[2], "indicator_snapshots row A/bad at 6"));
    assert_non_null(strstr(fx->what[2], "test: snapshot refused"));
    assert_int_equal(fx->seqs[2], 0);
    sqlite3 *db = s_raw(fx);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 129);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events WHERE seq = 70"),
                     0);
    assert_int_equal(s_int(db, "SELECT SUM(seq) FROM events"),
                     130 * 131 / 2 - 70);
    /* Each row its own (the runs of 64 bound row by row again). */
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events WHERE topic <>"
                               " 't.' || seq"),
                     0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM candles"), 4);
    assert_int_equal(
        s_int(db, "SELECT COUNT(*) FROM candles WHERE symbol = 'BAD'"), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM indicator_snapshots"), 2);
    assert_int_equal(s_int(db, "SELECT group_concat(key, ',') = 'k1,k2' FROM"
                               " (SELECT key FROM indicator_snapshots ORDER"
                               " BY rowid)"),
                     1);
    /* Later flushes and an intent (which flushes first) are written. */
    for (uint64_t seq = 131; seq <= 140; seq++)
        s_event(st, seq);
    tt_store_order_t r = s_order("A", 1);
    assert_int_equal(tt_store_order_intent(st, &r), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 139);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 1);
    assert_int_equal(tt_store_refused(st), 3);
    sqlite3_close(db);
    tt_store_close(&st);
}

/* Triggers that end the whole transaction (RAISE(ROLLBACK)) on events
   70 (inside a run of 64 written by one statement) and 130 (row by
   row): SQLite no longer says what stood, so the flush starts again,
   row by row, without each row it names; the others are all written. */
static void test_live_refusal_that_rolls_back(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, 1000, 0, 0);
    sqlite3 *db = s_raw(fx);
    s_exec(db, "CREATE TRIGGER r_event BEFORE INSERT ON events WHEN"
               " NEW.seq IN (70, 130) BEGIN SELECT RAISE(ROLLBACK, 'test:"
               " event refused, transaction gone'); END;");
    for (uint64_t seq = 1; seq <= 140; seq++)
        s_event(st, seq);
    assert_int_equal(tt_store_flush(st), 0);
    assert_int_equal(tt_store_pending(st), 0);
    assert_int_equal(tt_store_refused(st), 2);
    assert_int_equal(fx->told, 2);
    assert_non_null(strstr(fx->what[0], "events row seq 70 "));
    assert_non_null(strstr(fx->what[0], "transaction gone"));
    assert_int_equal(fx->seqs[1], 130);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 138);
    assert_int_equal(s_int(db, "SELECT SUM(seq) FROM events"),
                     140 * 141 / 2 - 70 - 130);
    /* A queue of nothing but such rows leaves nothing open behind it. */
    s_event(st, 70);
    assert_int_equal(tt_store_flush(st), 0);
    assert_int_equal(tt_store_refused(st), 3);
    tt_store_order_t r = s_order("A", 1);
    assert_int_equal(tt_store_order_intent(st, &r), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 1);
    sqlite3_close(db);
    tt_store_close(&st);
}

/* A file that fills up (a page cap; another connection holds 256 KiB of
   it): the flush fails, the queue is kept whole but for the row set
   aside before the disk was found full (said once, not again on the
   retry), an intent behind it fails; once the other connection frees
   its pages the same queue is written, nothing lost. */
static void test_full_is_retried_and_loses_nothing(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, 1000, 0, 0);
    tt_store_close(&st);
    sqlite3 *db = s_raw(fx);
    s_exec(db, "INSERT INTO kv (k, v) VALUES ('filler',"
               " hex(zeroblob(131072)))");
    s_exec(db, "CREATE TRIGGER r_event BEFORE INSERT ON events WHEN"
               " NEW.seq = 3 BEGIN SELECT RAISE(ABORT, 'test: event"
               " refused'); END;");
    s_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    int64_t pages = s_int(db, "PRAGMA page_count");
    st = s_open(fx, 1000, 0, pages + 4);
    char payload[2048];
    memset(payload, 'z', sizeof payload);
    for (uint64_t seq = 1; seq <= 60; seq++)
        assert_int_equal(tt_store_event_append(st, seq, (tt_ns_t)seq, "t", NULL,
                                               payload, sizeof payload),
                         0);
    assert_int_equal(tt_store_flush(st), -1);
    assert_non_null(strstr(tt_store_error(st), "SQLITE_FULL"));
    assert_int_equal(tt_store_pending(st), 59); /* all but seq 3 */
    assert_int_equal(tt_store_refused(st), 1);
    assert_int_equal(fx->told, 1);
    tt_store_order_t r = s_order("A", 1);
    assert_int_equal(tt_store_order_intent(st, &r), -1);
    assert_int_equal(tt_store_pending(st), 59);
    assert_int_equal(fx->told, 1); /* told once, not at each retry */
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 0);
    /* Space again: the same queue goes through. */
    s_exec(db, "DELETE FROM kv WHERE k = 'filler'");
    assert_int_equal(tt_store_flush(st), 0);
    assert_int_equal(tt_store_pending(st), 0);
    assert_int_equal(tt_store_order_intent(st, &r), 0);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM events"), 59);
    assert_int_equal(s_int(db, "SELECT SUM(seq) FROM events"), 60 * 61 / 2 - 3);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 1);
    assert_int_equal(tt_store_refused(st), 1);
    assert_int_equal(fx->told, 1);
    sqlite3_close(db);
    tt_store_close(&st);
}

/* A grouped store: an intent in the open group, then a queue of candles
   one of which is refused. The candle is set aside and the group is not
   rolled back: the intent, the other candles and a later group are
   committed. */
static void test_grouped_sets_refused_candle_aside(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, 1000, 100000, 0);
    s_refuse(fx);
    tt_store_order_t r = s_order("A", 1);
    assert_int_equal(tt_store_order_intent(st, &r), 0);
    const char *syms[] = {"A", "BAD", "C"};
    for (int i = 0; i < 3; i++) {
        tt_candle_t c = s_candle(60 * TT_NS_PER_SEC, 100 + i);
        assert_int_equal(tt_store_candle_put(st, syms[i], &c), 0);
    }
    assert_int_equal(tt_store_commit_group(st), 0);
    assert_int_equal(tt_store_refused(st), 1);
    assert_int_equal(fx->told, 1);
    assert_non_null(strstr(fx->what[0], "candles row BAD"));
    tt_candle_t c = s_candle(120 * TT_NS_PER_SEC, 100);
    assert_int_equal(tt_store_candle_put(st, "A", &c), 0);
    assert_int_equal(tt_store_commit_group(st), 0);
    sqlite3 *db = s_raw(fx);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM orders"), 1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM order_events"), 1);
    assert_int_equal(s_int(db, "SELECT COUNT(*) FROM candles"), 3);
    assert_int_equal(
        s_int(db, "SELECT COUNT(*) FROM candles WHERE symbol = 'BAD'"), 0);
    sqlite3_close(db);
    tt_store_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)
        T(test_live_sets_refused_rows_aside),
        T(test_live_refusal_that_rolls_back),
        T(test_full_is_retried_and_loses_nothing),
        T(test_grouped_sets_refused_candle_aside),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
