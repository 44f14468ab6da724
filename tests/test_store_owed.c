/*  tests/test_store_owed.c: the force-closes a session end owed
    (store/store.h, owed_closes) against real SQLite files: one per
    symbol, replaced by a later one, cleared (also when none is owed),
    seen committed from a second connection as soon as the call returns,
    bad input refused with a message, a version-3 file upgraded, and a
    file held at version 3 refusing the calls with SQLite's reason. */
#include "tests/harness.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

#define SEC TT_NS_PER_SEC
#define S_END (INT64_C(1710187200) * SEC) /* 2024-03-11 20:00 UTC */

typedef struct {
    char *dir;
    char path[512];
} fx_t;

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->dir = tth_tmpdir("tt_store_owed");
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

static tt_store_t *s_open(const fx_t *fx, int version)
{
    char err[512];
    tt_store_opts_t o = tt_store_opts_default();
    o.schema_version = version;
    tt_store_t *st = tt_store_open(fx->path, &o, err, sizeof err);
    if (!st)
        fail_msg("open failed: %s", err);
    return st;
}

/* SQL's single integer answer, from a second connection (another
   process's view: only committed rows). */
static int64_t s_int(const fx_t *fx, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void test_put_get_replace_clear(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, 0);
    int32_t session = -1;
    tt_ns_t end = -1;
    assert_int_equal(tt_store_owed_close_get(st, "AAPL", &session, &end), 1);
    assert_int_equal(tt_store_owed_close_put(st, "AAPL", 20240311, S_END), 0);
    assert_int_equal(tt_store_owed_close_put(st, "MSFT", 20240311, S_END), 0);
    /* Committed on return: another connection sees it. */
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM owed_closes"), 2);
    assert_int_equal(tt_store_owed_close_get(st, "AAPL", &session, &end), 0);
    assert_int_equal(session, 20240311);
    assert_int_equal(end, S_END);
    /* A later session's replaces it: one per symbol. */
    int64_t next = S_END + 24 * 3600 * SEC;
    assert_int_equal(tt_store_owed_close_put(st, "AAPL", 20240312, next), 0);
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM owed_closes"), 2);
    assert_int_equal(tt_store_owed_close_get(st, "AAPL", &session, &end), 0);
    assert_int_equal(session, 20240312);
    assert_int_equal(end, next);
    assert_int_equal(tt_store_owed_close_clear(st, "AAPL"), 0);
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM owed_closes WHERE "
                               "symbol = 'AAPL'"),
                     0);
    assert_int_equal(tt_store_owed_close_get(st, "AAPL", &session, &end), 1);
    assert_int_equal(tt_store_owed_close_clear(st, "AAPL"), 0); /* none */
    /* The other symbol's is untouched, and kept across a reopen. */
    tt_store_close(&st);
    st = s_open(fx, 0);
    assert_int_equal(tt_store_owed_close_get(st, "MSFT", &session, &end), 0);
    assert_int_equal(session, 20240311);
    assert_int_equal(end, S_END);
    tt_store_close(&st);
}

/* Rows queued before the owed close are committed with it or before,
   never after: the store keeps the bus's order. */
static void test_queued_rows_go_first(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, 0);
    tt_candle_t c = {.open_ts = 60 * SEC,
                     .tf_s = 60,
                     .open = 100,
                     .high = 101,
                     .low = 99,
                     .close = 100,
                     .volume = 5,
                     .trades = 2,
                     .closed = true};
    assert_int_equal(tt_store_candle_put(st, "AAPL", &c), 0);
    assert_int_equal(tt_store_pending(st), 1);
    assert_int_equal(tt_store_owed_close_put(st, "AAPL", 20240311, S_END), 0);
    assert_int_equal(tt_store_pending(st), 0);
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM candles"), 1);
    tt_store_close(&st);
}

static void test_bad_input_refused(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, 0);
    int32_t session;
    tt_ns_t end;
    assert_int_equal(tt_store_owed_close_put(st, "AAPL", 0, S_END), -1);
    assert_non_null(strstr(tt_store_error(st), "owed_close_put AAPL: "
                                               "session id 0 is not a "
                                               "trading date"));
    assert_int_equal(tt_store_owed_close_put(st, "", 20240311, S_END), -1);
    assert_non_null(strstr(tt_store_error(st), "owed_close_put"));
    assert_non_null(strstr(tt_store_error(st), "symbol"));
    assert_int_equal(tt_store_owed_close_clear(st, NULL), -1);
    assert_non_null(strstr(tt_store_error(st), "owed_close_clear"));
    char longname[64];
    memset(longname, 'X', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(tt_store_owed_close_get(st, longname, &session, &end), -1);
    assert_non_null(strstr(tt_store_error(st), "owed_close_get"));
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM owed_closes"), 0);
    tt_store_close(&st);
}

/* A version-3 file (the build before) gains the table on open; one held
   at version 3 answers the calls with SQLite's reason, not a crash. */
static void test_from_v3(void **state)
{
    fx_t *fx = *state;
    tt_store_t *st = s_open(fx, 3);
    int32_t session;
    tt_ns_t end;
    assert_int_equal(tt_store_owed_close_get(st, "AAPL", &session, &end), -1);
    assert_non_null(strstr(tt_store_error(st), "no such table: owed_closes"));
    assert_int_equal(tt_store_owed_close_put(st, "AAPL", 20240311, S_END), -1);
    assert_non_null(strstr(tt_store_error(st), "owed_close_put"));
    tt_store_close(&st);
    st = s_open(fx, 0);
    assert_int_equal(tt_store_schema_version(st), 4);
    assert_int_equal(tt_store_owed_close_get(st, "AAPL", &session, &end), 1);
    assert_int_equal(tt_store_owed_close_put(st, "AAPL", 20240311, S_END), 0);
    assert_int_equal(tt_store_owed_close_get(st, "AAPL", &session, &end), 0);
    tt_store_close(&st);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)
    const struct CMUnitTest tests[] = {
        T(test_put_get_replace_clear),
        T(test_queued_rows_go_first),
        T(test_bad_input_refused),
        T(test_from_v3),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
