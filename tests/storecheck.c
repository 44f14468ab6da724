/*  tests/storecheck.c: the store invariants after a run (see storecheck.h). */
#include "tests/storecheck.h"
#include "store/store.h"
#include "tests/harness.h"

#include <sqlite3.h>
#include <stdio.h>

long tth_query_long(void *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void s_check_rows(sqlite3 *db, long *fills, long *orders)
{
    long events = tth_query_long(db, "SELECT count(*) FROM events");
    assert_true(events > 0);
    assert_int_equal(tth_query_long(db, "SELECT min(seq) FROM events"), 1);
    assert_int_equal(tth_query_long(db, "SELECT max(seq) FROM events"), events);
    assert_int_equal(
        tth_query_long(db, "SELECT count(DISTINCT seq) FROM events"), events);
    *orders = tth_query_long(db, "SELECT count(*) FROM orders");
    assert_int_equal(tth_query_long(db, "SELECT count(*) FROM order_events "
                                        "WHERE from_state IS NULL"),
                     *orders);
    assert_int_equal(
        tth_query_long(db, "SELECT count(*) FROM (SELECT coid FROM "
                           "order_events WHERE from_state IS NULL GROUP BY "
                           "coid HAVING count(*) > 1)"),
        0);
    *fills = tth_query_long(db, "SELECT count(*) FROM fills");
    assert_int_equal(
        tth_query_long(db, "SELECT count(DISTINCT venue || '/' || fill_id) "
                           "FROM fills"),
        *fills);
    assert_int_equal(tth_query_long(db, "SELECT count(*) FROM ledger"), *fills);
    assert_int_equal(tth_query_long(db, "SELECT count(*) FROM events WHERE "
                                        "topic LIKE 'trade.fill.%'"),
                     *fills);
}

long tth_check_store(const char *path, int symbols, long *orders)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    long fills = 0;
    s_check_rows(db, &fills, orders);
    sqlite3_close(db);
    char err[256];
    tt_store_t *store = tt_store_open(path, NULL, err, sizeof err);
    if (!store)
        fail_msg("%s", err);
    for (int i = 0; i < symbols; i++) {
        char sym[16];
        snprintf(sym, sizeof sym, "S%d", i);
        if (tt_store_check_position(store, sym) != 0)
            fail_msg("%s: %s", sym, tt_store_error(store));
    }
    tt_store_close(&store);
    return fills;
}
