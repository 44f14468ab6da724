/*  tests/test_store_indexes.c: a new grouped store's deferred indexes
    (opts.defer_indexes, store/indexes.c) on real files: the indexes that
    enforce nothing are gone while it is written and come back, from
    their own CREATE statements, once built; the constraints hold
    meanwhile and queries answer; a file with rows keeps its indexes; a
    store closed without the build gets them at close; a live store may
    not ask for it; a build that fails (the file's page cap) says so and
    keeps the rows. */
#include "tests/harness.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

typedef struct {
    char *dir;
    char path[512], plain[512]; /* deferred; written with its indexes */
} fx_t;

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->dir = tth_tmpdir("tt_indexes");
    snprintf(fx->path, sizeof fx->path, "%s/deferred.db", fx->dir);
    snprintf(fx->plain, sizeof fx->plain, "%s/plain.db", fx->dir);
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

/* Removes the file PATH with its WAL and shared-memory files. */
static void s_remove(const char *path)
{
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
}

static tt_store_t *s_open(const char *path, bool defer, int64_t max_pages)
{
    tt_store_opts_t o = tt_store_opts_default();
    o.sync_trade = TT_STORE_SYNC_NORMAL;
    o.group_rows = 1000000; /* as a backtest's bus opens it */
    o.batch_size = 4096;
    o.defer_indexes = defer;
    o.max_page_count = max_pages;
    char err[512];
    tt_store_t *st = tt_store_open(path, &o, err, sizeof err);
    if (!st)
        fail_msg("open %s: %s", path, err);
    return st;
}

/* The file's explicit indexes as "name|sql" lines, sorted, read by a
   connection of its own (the caller frees). */
static char *s_indexes(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name || '|' || sql FROM "
                                        "sqlite_master WHERE type = 'index'"
                                        " AND sql IS NOT NULL ORDER BY name",
                                        -1, &st, NULL),
                     SQLITE_OK);
    size_t cap = 4096, len = 0;
    char *out = calloc(1, cap);
    assert_non_null(out);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        assert_true(len + strlen(line) + 2 < cap);
        len += (size_t)snprintf(out + len, cap - len, "%s\n", line);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

static int64_t s_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static tt_store_order_t s_order(const char *sym, uint64_t seq)
{
    tt_store_order_t r;
    memset(&r, 0, sizeof r);
    snprintf(r.symbol, sizeof r.symbol, "%s", sym);
    tt_order_t *o = &r.order;
    assert_true(tt_coid_format(o->coid, sym, seq, TT_ROLE_ENTRY) > 0);
    o->seq = seq;
    o->role = TT_ROLE_ENTRY;
    o->side = TT_SIDE_BUY;
    o->type = TT_ORD_MARKET;
    o->tif = TT_TIF_DAY;
    o->state = TT_OS_NEW;
    o->qty = 1000;
    o->created_ts = o->updated_ts = (tt_ns_t)seq * 1000;
    return r;
}

static tt_fill_t s_fill(const char *coid, int i)
{
    tt_fill_t f = {.side = TT_SIDE_BUY,
                   .px = 10000 + i,
                   .qty = 1000,
                   .fee = 1,
                   .ts = (tt_ns_t)i * 1000};
    snprintf(f.fill_id, sizeof f.fill_id, "%s:%d", coid, i);
    snprintf(f.coid, sizeof f.coid, "%s", coid);
    return f;
}

/* N orders accepted (one left working every fifth), a fill each, an
   event and a candle each: rows in every table with a deferred index. */
static void s_write(tt_store_t *st, int n)
{
    uint8_t payload[40];
    memset(payload, 7, sizeof payload);
    for (int i = 1; i <= n; i++) {
        tt_store_order_t r = s_order(i % 2 ? "AAA" : "BBB", (uint64_t)i);
        assert_int_equal(tt_store_order_intent(st, &r), 0);
        r.order.state = TT_OS_ACCEPTED;
        assert_int_equal(tt_store_order_update(st, &r), 0);
        if (i % 5 != 0) {
            r.order.state = TT_OS_FILLED;
            r.order.filled = r.order.qty;
            assert_int_equal(tt_store_order_update(st, &r), 0);
            tt_fill_t f = s_fill(r.order.coid, i);
            assert_int_equal(tt_store_fill(st, "paper", r.symbol, 3, &f, NULL),
                             0);
        }
        assert_int_equal(tt_store_event_append(st, (uint64_t)i, i, "trade.x",
                                               r.symbol, payload,
                                               sizeof payload),
                         0);
        tt_candle_t c = {.open_ts = (tt_ns_t)i * TT_NS_PER_SEC,
                         .tf_s = 1,
                         .open = 1,
                         .high = 2,
                         .low = 1,
                         .close = 2,
                         .volume = 3,
                         .trades = 1,
                         .closed = true};
        assert_int_equal(tt_store_candle_put(st, r.symbol, &c), 0);
    }
}

static int s_count_open(const tt_store_order_t *rec, void *arg)
{
    (void)rec;
    (*(int *)arg)++;
    return 0;
}

/* Deferred while written, the constraints and queries working; built:
   the very indexes a store written with them has. */
static void test_deferred_then_built(void **state)
{
    fx_t *fx = *state;
    tt_store_t *plain = s_open(fx->plain, false, 0);
    s_write(plain, 50);
    tt_store_close(&plain);
    char *want = s_indexes(fx->plain);
    assert_non_null(strstr(want, "orders_by_state|"));
    assert_non_null(strstr(want, "order_events_by_coid|"));
    assert_non_null(strstr(want, "ledger_by_symbol|"));
    assert_non_null(strstr(want, "events_by_ts|"));

    tt_store_t *st = s_open(fx->path, true, 0);
    char *during = s_indexes(fx->path);
    assert_string_equal(during, ""); /* every one enforces nothing */
    free(during);
    s_write(st, 50);
    /* The constraints hold: a client id or a fill id seen before. */
    tt_store_order_t dup = s_order("AAA", 1);
    assert_int_equal(tt_store_order_intent(st, &dup), TT_STORE_DUP);
    tt_fill_t f = s_fill(dup.order.coid, 1);
    assert_int_equal(tt_store_fill(st, "paper", "AAA", 3, &f, NULL),
                     TT_STORE_DUP);
    /* And what a restarted actor reads is there (orders 5, 10, ...). */
    int open = 0;
    assert_int_equal(tt_store_open_orders(st, NULL, s_count_open, &open), 0);
    assert_int_equal(open, 10);
    assert_int_equal(tt_store_indexes_build(st), 0);
    assert_int_equal(tt_store_indexes_build(st), 0); /* once is enough */
    char *got = s_indexes(fx->path);
    assert_string_equal(got, want);
    assert_int_equal(s_int(fx->path, "SELECT COUNT(*) FROM order_events"),
                     s_int(fx->plain, "SELECT COUNT(*) FROM order_events"));
    tt_store_close(&st);
    assert_int_equal(s_int(fx->path, "SELECT COUNT(*) FROM pragma_integrity_"
                                     "check WHERE integrity_check = 'ok'"),
                     1);
    free(got);
    free(want);
}

/* Closed without the build: the indexes are built at close. */
static void test_built_at_close(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx->path, true, 0);
    s_write(st, 20);
    tt_store_close(&st);
    char *got = s_indexes(fx->path);
    assert_non_null(strstr(got, "order_events_by_coid|"));
    assert_non_null(strstr(got, "events_by_ts|"));
    free(got);
    assert_int_equal(s_int(fx->path, "SELECT COUNT(*) FROM orders"), 20);
}

/* A file that already has its schema (rows or not) keeps its indexes. */
static void test_existing_file_kept(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx->path, false, 0);
    s_write(st, 5);
    tt_store_close(&st);
    char *before = s_indexes(fx->path);
    st = s_open(fx->path, true, 0);
    char *during = s_indexes(fx->path);
    assert_string_equal(during, before);
    tt_store_close(&st);
    free(during);
    free(before);
}

/* Deferring needs a grouped store: a live one is refused at open. */
static void test_live_refused(void **state)
{
    fx_t *fx = *state;
    tt_store_opts_t o = tt_store_opts_default();
    o.defer_indexes = true;
    char err[512];
    tt_store_t *st = tt_store_open(fx->path, &o, err, sizeof err);
    assert_null(st);
    assert_non_null(strstr(err, "defer_indexes needs group_rows"));
}

/* The file's page cap reached by the build: -1 naming it, the rows
   kept, the indexes still to build. */
static void test_build_full(void **state)
{
    fx_t *fx = *state;
    /* The same writes without the build: the pages they take. */
    tt_store_t *st = s_open(fx->path, true, 0);
    s_write(st, 2000);
    assert_int_equal(tt_store_commit_group(st), 0);
    int64_t rows_only = s_int(fx->path, "PRAGMA page_count");
    tt_store_close(&st);
    assert_true(s_int(fx->path, "PRAGMA page_count") > rows_only + 8);
    s_remove(fx->path);

    st = s_open(fx->path, true, rows_only + 2);
    s_write(st, 2000);
    assert_int_equal(tt_store_indexes_build(st), -1);
    assert_non_null(strstr(tt_store_error(st), "build indexes"));
    assert_non_null(strstr(tt_store_error(st), "SQLITE_FULL"));
    assert_int_equal(s_int(fx->path, "SELECT COUNT(*) FROM orders"), 2000);
    char *got = s_indexes(fx->path);
    assert_null(strstr(got, "order_events_by_coid|"));
    free(got);
    tt_store_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deferred_then_built, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_built_at_close, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_existing_file_kept, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_live_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_build_full, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
