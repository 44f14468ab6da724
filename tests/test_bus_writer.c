/*  tests/test_bus_writer.c: bus/writer.h, a backtest's store writer,
    against a real grouped SQLite store in a scratch directory: every kind
    of write lands as the store itself would write it, in order; a sync
    leaves the store to the caller; a writer far behind makes the
    appender wait and loses nothing; refused writes are counted and do
    not stop the ones after them; destroying it applies what is left;
    an order's intent and updates folded together leave the very rows
    (ids included) the store's calls one by one leave, in a grouped store
    (its order_events rows queued) and in a live one. */
#include "tests/harness.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/writer.h"
#include "store/store.h"

typedef struct {
    char *dir;
    char path[512];
    tt_store_t *store;
    tt_bus_stats_t stats;
} fx_t;

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->dir = tth_tmpdir("tt_writer");
    snprintf(fx->path, sizeof fx->path, "%s/store.db", fx->dir);
    tt_store_opts_t o = tt_store_opts_default();
    o.sync_trade = TT_STORE_SYNC_NORMAL;
    o.group_rows = 100000; /* as a backtest's bus opens it */
    char err[512];
    fx->store = tt_store_open(fx->path, &o, err, sizeof err);
    if (!fx->store)
        fail_msg("open failed: %s", err);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    fx_t *fx = *state;
    tt_store_close(&fx->store);
    tth_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

static int64_t s_int(const fx_t *fx, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static tt_store_order_t s_order(uint64_t seq, tt_ord_state_t state)
{
    tt_store_order_t r;
    memset(&r, 0, sizeof r);
    snprintf(r.symbol, sizeof r.symbol, "S1");
    tt_order_t *o = &r.order;
    assert_true(tt_coid_format(o->coid, "S1", seq, TT_ROLE_ENTRY) > 0);
    o->seq = seq;
    o->role = TT_ROLE_ENTRY;
    o->side = TT_SIDE_BUY;
    o->type = TT_ORD_MARKET;
    o->tif = TT_TIF_DAY;
    o->state = state;
    o->qty = 1000;
    o->created_ts = (tt_ns_t)seq;
    o->updated_ts = (tt_ns_t)seq + 1;
    return r;
}

static tt_candle_t s_candle(int i)
{
    return (tt_candle_t){.open_ts = (tt_ns_t)i * TT_NS_PER_SEC,
                         .tf_s = 1,
                         .open = 100 + i,
                         .high = 110 + i,
                         .low = 90 + i,
                         .close = 105 + i,
                         .volume = 7,
                         .trades = 2,
                         .closed = true};
}

static tt_fill_t s_fill(const char *id, const char *coid)
{
    tt_fill_t f;
    memset(&f, 0, sizeof f);
    snprintf(f.fill_id, sizeof f.fill_id, "%s", id);
    snprintf(f.coid, sizeof f.coid, "%s", coid);
    f.side = TT_SIDE_BUY;
    f.px = 10000;
    f.qty = 1000;
    f.fee = 3;
    f.ts = 5;
    return f;
}

/* Every kind, interleaved as the bus sends them; after a sync the test
   thread commits the group and another connection reads it all. */
static void test_every_kind_in_order(void **state)
{
    fx_t *fx = *state;
    tt_bus_writer_t *w = tt_bus_writer_new(fx->store, &fx->stats);
    assert_non_null(w);
    tt_store_order_t o = s_order(1, TT_OS_NEW);
    for (int i = 0; i < 40; i++) {
        tt_candle_t c = s_candle(i);
        assert_int_equal(tt_bus_writer_candle(w, "S1", &c), 0);
        assert_int_equal(tt_bus_writer_event(w, (uint64_t)i + 1, i,
                                             "trade.order.S1",
                                             i % 2 ? "S1" : NULL, "ev", 2),
                         0);
        if (i == 10)
            assert_int_equal(tt_bus_writer_order(w, &o, true), 0);
        if (i == 20) {
            o.order.state = TT_OS_ACCEPTED;
            assert_int_equal(tt_bus_writer_order(w, &o, false), 0);
        }
        if (i == 25) {
            tt_fill_t f = s_fill("F1", o.order.coid);
            assert_int_equal(tt_bus_writer_fill(w, "paper", "S1", 3, &f), 0);
        }
        if (i == 30) {
            o.order.state = TT_OS_FILLED;
            o.order.filled = 1000;
            assert_int_equal(tt_bus_writer_order(w, &o, false), 0);
        }
    }
    assert_int_equal(
        tt_bus_writer_snapshot(w, "S1", "indicators", 9, "blob", 4, false), 0);
    assert_int_equal(tt_bus_writer_snapshot(w, "S1", "paper", 9,
                                            "ticktree-paper 1\n", 17, true),
                     0);
    tt_bus_writer_post(w);
    tt_bus_writer_sync(w);
    assert_int_equal(tt_store_commit_group(fx->store), 0);
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM candles"), 40);
    assert_int_equal(s_int(fx, "SELECT SUM(open) FROM candles"),
                     (100 + 139) * 40 / 2);
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM events"), 40);
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM events WHERE symbol"
                               " IS NULL"),
                     20);
    assert_int_equal(s_int(fx, "SELECT state FROM orders"), TT_OS_FILLED);
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM order_events"), 3);
    assert_int_equal(s_int(fx, "SELECT MAX(to_state) - MIN(to_state) FROM"
                               " order_events WHERE from_state IS NOT NULL"),
                     TT_OS_FILLED - TT_OS_ACCEPTED);
    assert_int_equal(s_int(fx, "SELECT qty FROM ledger"), 1000);
    assert_int_equal(s_int(fx, "SELECT qty FROM positions"), 1000);
    assert_int_equal(s_int(fx, "SELECT length(blob) FROM indicator_snapshots"),
                     4);
    assert_int_equal(s_int(fx, "SELECT length(state) FROM paper_state"), 17);
    assert_int_equal(atomic_load(&fx->stats.intents), 1);
    assert_int_equal(atomic_load(&fx->stats.store_errors), 0);
    /* The store is the test thread's until the next append. */
    uint64_t seq = 0;
    assert_int_equal(tt_store_last_event_seq(fx->store, &seq), 0);
    assert_int_equal(seq, 40);
    tt_bus_writer_destroy(&w);
    assert_null(w);
    tt_bus_writer_destroy(&w); /* NULL is accepted */
}

/* Far more writes than the blocks in flight hold (16 of 1024): the
   appender waits for the writer and nothing is lost; destroying the
   writer applies what was never posted. */
static void test_backpressure_and_destroy(void **state)
{
    fx_t *fx = *state;
    tt_bus_writer_t *w = tt_bus_writer_new(fx->store, &fx->stats);
    assert_non_null(w);
    enum { N = 50000 };
    char payload[300];
    memset(payload, 'p', sizeof payload);
    for (int i = 0; i < N; i++) {
        assert_int_equal(tt_bus_writer_event(w, (uint64_t)i + 1, i, "t", "S1",
                                             payload, sizeof payload),
                         0);
        if (i % 1000 == 999)
            tt_bus_writer_post(w);
    }
    tt_candle_t c = s_candle(1);
    assert_int_equal(tt_bus_writer_candle(w, "S1", &c), 0); /* not posted */
    tt_bus_writer_destroy(&w);
    tt_store_close(&fx->store); /* commits the open group */
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM events"), N);
    assert_int_equal(s_int(fx, "SELECT SUM(length(payload)) FROM events"),
                     (int64_t)N * (int64_t)sizeof payload);
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM candles"), 1);
    assert_int_equal(atomic_load(&fx->stats.store_errors), 0);
}

/* Refused writes are counted (an unknown order, a duplicate intent, a
   fill seen before) and the writes after them still land. */
static void test_refused_writes_counted(void **state)
{
    fx_t *fx = *state;
    tt_bus_writer_t *w = tt_bus_writer_new(fx->store, &fx->stats);
    assert_non_null(w);
    tt_store_order_t unknown = s_order(7, TT_OS_ACCEPTED);
    assert_int_equal(tt_bus_writer_order(w, &unknown, false), 0);
    tt_store_order_t o = s_order(1, TT_OS_NEW);
    assert_int_equal(tt_bus_writer_order(w, &o, true), 0);
    assert_int_equal(tt_bus_writer_order(w, &o, true), 0); /* duplicate */
    tt_fill_t f = s_fill("F1", o.order.coid);
    assert_int_equal(tt_bus_writer_fill(w, "paper", "S1", 3, &f), 0);
    assert_int_equal(tt_bus_writer_fill(w, "paper", "S1", 3, &f), 0);
    tt_candle_t bad = s_candle(2);
    bad.low = bad.high + 1; /* malformed: refused by the store */
    assert_int_equal(tt_bus_writer_candle(w, "S1", &bad), 0);
    tt_candle_t c = s_candle(3);
    assert_int_equal(tt_bus_writer_candle(w, "S1", &c), 0);
    tt_bus_writer_sync(w);
    assert_int_equal(atomic_load(&fx->stats.store_errors), 2);
    assert_int_equal(atomic_load(&fx->stats.duplicates), 2);
    assert_int_equal(atomic_load(&fx->stats.intents), 1);
    tt_bus_writer_destroy(&w);
    tt_store_close(&fx->store);
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM orders"), 1);
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM ledger"), 1);
    assert_int_equal(s_int(fx, "SELECT COUNT(*) FROM candles"), 1);
}

/* What the writer folds against the store's calls one by one. */
typedef struct {
    bool intent;
    const char *symbol; /* the record's */
    const char *coid_symbol;
    uint64_t seq;
    tt_ord_state_t state;
    const char *venue;
    int64_t filled;
    bool malformed;
} s_step_t;

static tt_store_order_t s_step_order(const s_step_t *st)
{
    tt_store_order_t r = s_order(st->seq, st->state);
    snprintf(r.symbol, sizeof r.symbol, "%s", st->symbol);
    assert_true(tt_coid_format(r.order.coid, st->coid_symbol, st->seq,
                               TT_ROLE_ENTRY) > 0);
    snprintf(r.venue_oid, sizeof r.venue_oid, "%s", st->venue);
    r.order.filled = st->filled;
    r.order.fill_cost = st->filled * 7;
    r.order.updated_ts = (tt_ns_t)(st->seq * 100 + (uint64_t)st->state);
    snprintf(r.order.reason, sizeof r.order.reason, "to %d", (int)st->state);
    if (st->malformed)
        r.order.qty = 0;
    return r;
}

static int s_dump_row(void *arg, int n, char **values, char **names)
{
    (void)names;
    FILE *out = arg;
    for (int i = 0; i < n; i++)
        fprintf(out, "%s|", values[i] ? values[i] : "NULL");
    fputc('\n', out);
    return 0;
}

/* Every row of the order tables, row ids included, as text. */
static char *s_dump_orders(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    const char *sql = "SELECT * FROM orders ORDER BY id;"
                      "SELECT * FROM order_events ORDER BY id;"
                      "SELECT rowid, * FROM order_seq ORDER BY rowid;";
    assert_int_equal(sqlite3_exec(db, sql, s_dump_row, out, NULL), SQLITE_OK);
    fclose(out);
    sqlite3_close(db);
    return text;
}

static void test_folded_orders_as_one_by_one(void **state)
{
    fx_t *fx = *state;
    const s_step_t steps[] = {
        {true, "S1", "S1", 1, TT_OS_NEW, "", 0, false},
        {false, "S1", "S1", 1, TT_OS_ACCEPTED, "V1", 0, false},
        {true, "S2", "S2", 1, TT_OS_NEW, "", 0, false},
        {false, "S2", "S2", 1, TT_OS_ACCEPTED, "", 0, false},
        {false, "S1", "S1", 1, TT_OS_PARTIALLY_FILLED, "", 300, false},
        {true, "S1", "S1", 2, TT_OS_NEW, "", 0, false},
        {false, "S1", "S1", 1, TT_OS_FILLED, "", 1000, false},
        {false, "S1", "S1", 1, TT_OS_FILLED, "", 1000, false}, /* same */
        {false, "S1", "S1", 1, TT_OS_ACCEPTED, "", 0, false},  /* illegal */
        {false, "S2", "S2", 1, TT_OS_CANCELLED, "V2", 0, false},
        {true, "S1", "S1", 2, TT_OS_NEW, "", 0, false}, /* duplicate */
        {false, "S1", "S1", 2, TT_OS_ACCEPTED, "V3", 0, false},
        {false, "S1", "S1", 9, TT_OS_ACCEPTED, "", 0, false}, /* unknown */
        {true, "S2", "S2", 5, TT_OS_NEW, "", 0, false},
        {false, "S1", "S2", 5, TT_OS_ACCEPTED, "", 0, false}, /* symbol */
        {false, "S2", "S2", 5, TT_OS_ACCEPTED, "", 0, false},
        {true, "S1", "S1", 3, TT_OS_NEW, "", 0, true}, /* malformed */
        {true, "S1", "S1", 4, TT_OS_NEW, "", 0, false},
        {false, "S1", "S1", 4, TT_OS_ACCEPTED, "", 0, true}, /* malformed */
        {false, "S1", "S1", 4, TT_OS_CANCELLED, "", 0, false},
        {true, "S3", "S3", 1, TT_OS_NEW, "", 0, false},
    };
    enum { N = sizeof steps / sizeof steps[0] };
    char direct_path[600], live_path[600];
    snprintf(direct_path, sizeof direct_path, "%s/direct.db", fx->dir);
    snprintf(live_path, sizeof live_path, "%s/live.db", fx->dir);
    tt_store_opts_t o = tt_store_opts_default();
    o.sync_trade = TT_STORE_SYNC_NORMAL;
    o.group_rows = 100000;
    char err[512];
    tt_store_t *direct = tt_store_open(direct_path, &o, err, sizeof err);
    assert_non_null(direct);
    o.group_rows = 0; /* every write its own transaction */
    tt_store_t *live = tt_store_open(live_path, &o, err, sizeof err);
    assert_non_null(live);
    tt_bus_writer_t *w = tt_bus_writer_new(fx->store, &fx->stats);
    assert_non_null(w);
    uint64_t failed = 0, dups = 0;
    /* The script three times (ids moved on each round), then many orders
       of three symbols: intents, accepts and fills far apart, posted in
       small and large windows. */
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < N; i++) {
            s_step_t st = steps[i];
            st.seq += (uint64_t)round * 100;
            tt_store_order_t r = s_step_order(&st);
            assert_int_equal(tt_bus_writer_order(w, &r, st.intent), 0);
            int rc = st.intent ? tt_store_order_intent(direct, &r)
                               : tt_store_order_update(direct, &r);
            failed += rc < 0;
            dups += rc == TT_STORE_DUP;
            assert_int_equal(st.intent ? tt_store_order_intent(live, &r)
                                       : tt_store_order_update(live, &r),
                             rc);
            if (i % 7 == round)
                tt_bus_writer_post(w);
        }
    static const char *const syms[] = {"S1", "S2", "S3"};
    for (uint64_t k = 1000; k < 4000; k++) {
        const char *sym = syms[k % 3];
        s_step_t moves[] = {
            {true, sym, sym, k, TT_OS_NEW, "", 0, false},
            {false, sym, sym, k - 5, TT_OS_ACCEPTED, "V", 0, false},
            {false, sym, sym, k - 40, TT_OS_FILLED, "", 1000, false},
        };
        for (int m = 0; m < 3; m++) {
            if (moves[m].seq < 1000)
                continue;
            tt_store_order_t r = s_step_order(&moves[m]);
            assert_int_equal(tt_bus_writer_order(w, &r, moves[m].intent), 0);
            int rc = moves[m].intent ? tt_store_order_intent(direct, &r)
                                     : tt_store_order_update(direct, &r);
            failed += rc < 0;
            assert_int_equal(moves[m].intent ? tt_store_order_intent(live, &r)
                                             : tt_store_order_update(live, &r),
                             rc);
        }
        if (k % 500 == 0)
            tt_bus_writer_sync(w);
    }
    tt_bus_writer_destroy(&w);
    tt_store_close(&fx->store);
    tt_store_close(&direct);
    tt_store_close(&live);
    assert_int_equal(atomic_load(&fx->stats.store_errors), failed);
    assert_int_equal(atomic_load(&fx->stats.duplicates), dups);
    assert_true(failed >= 3 * 5 && dups == 3);
    char *folded = s_dump_orders(fx->path);
    char *one_by_one = s_dump_orders(direct_path);
    char *live_rows = s_dump_orders(live_path);
    assert_true(strlen(one_by_one) > 100000);
    assert_string_equal(folded, one_by_one);
    assert_string_equal(live_rows, one_by_one);
    free(folded);
    free(one_by_one);
    free(live_rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)
        T(test_every_kind_in_order),
        T(test_backpressure_and_destroy),
        T(test_refused_writes_counted),
        T(test_folded_orders_as_one_by_one),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
