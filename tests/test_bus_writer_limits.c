/*  tests/test_bus_writer_limits.c: bus/writer.h at the edges of its
    folding, against real grouped SQLite stores in a scratch directory,
    each compared with a second store given the same writes one by one:
    a window of more intents than the fold table takes (its real size),
    a window of more symbols than the sequence table takes, and an
    order_events row the store refuses (a trigger in the file) under a
    folded update and under the same update one by one.

    A window is made deterministic by a gate: an SQL function registered
    on every connection (sqlite3_auto_extension) that a trigger on the
    writer's store calls when the gate order's row is inserted. The writer
    thread stops there, inside its first window; the test appends the
    next one whole and opens the gate, and the writer takes it as one. */
#include "tests/harness.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/writer.h"
#include "store/store.h"

/* What the writer's tables take in one window (bus/writer.c: 8192 and
   4096 slots, kept at most half full). */
#define S_FOLD_MAX 4096
#define S_SEQ_MAX 2048
/* Writes a window can hold while the writer sits in the gate: 16 blocks
   of 1024 in flight, one of them the gate's. */
#define S_WINDOW_MAX (15 * 1024)

/* ---- the gate ---------------------------------------------------------- */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool entered, released;
} s_gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false};

static struct timespec s_deadline(int seconds)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += seconds;
    return t;
}

/* tt_test_gate(): says it was entered, then waits (at most 60 s) for the
   test to release it. */
static void s_gate_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    struct timespec until = s_deadline(60);
    pthread_mutex_lock(&s_gate.lock);
    s_gate.entered = true;
    pthread_cond_broadcast(&s_gate.cond);
    while (!s_gate.released)
        if (pthread_cond_timedwait(&s_gate.cond, &s_gate.lock, &until) ==
            ETIMEDOUT)
            break;
    pthread_mutex_unlock(&s_gate.lock);
    sqlite3_result_null(ctx);
}

static int s_gate_register(sqlite3 *db, char **err,
                           const sqlite3_api_routines *api)
{
    (void)err;
    (void)api;
    return sqlite3_create_function(db, "tt_test_gate", 0, SQLITE_UTF8, NULL,
                                   s_gate_fn, NULL, NULL);
}

static void s_gate_reset(void)
{
    pthread_mutex_lock(&s_gate.lock);
    s_gate.entered = s_gate.released = false;
    pthread_mutex_unlock(&s_gate.lock);
}

/* Waits (at most 30 s) until the writer thread is in the gate. */
static void s_gate_wait(void)
{
    struct timespec until = s_deadline(30);
    pthread_mutex_lock(&s_gate.lock);
    while (!s_gate.entered)
        if (pthread_cond_timedwait(&s_gate.cond, &s_gate.lock, &until) ==
            ETIMEDOUT)
            break;
    bool entered = s_gate.entered;
    pthread_mutex_unlock(&s_gate.lock);
    assert_true(entered);
}

static void s_gate_release(void)
{
    pthread_mutex_lock(&s_gate.lock);
    s_gate.released = true;
    pthread_cond_broadcast(&s_gate.cond);
    pthread_mutex_unlock(&s_gate.lock);
}

/* ---- stores ------------------------------------------------------------ */

typedef struct {
    char *dir;
    tt_bus_stats_t stats;
} fx_t;

static int s_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->dir = tth_tmpdir("tt_writer_limits");
    s_gate_reset();
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    fx_t *fx = *state;
    s_gate_release(); /* a failed test leaves no writer waiting */
    tth_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

/* A grouped store at DIR/NAME, as a backtest's bus opens one; its path in
   PATH. BATCH 0: the default queue. */
static tt_store_t *s_open(const fx_t *fx, const char *name, int64_t group_rows,
                          int batch, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", fx->dir, name);
    tt_store_opts_t o = tt_store_opts_default();
    o.sync_trade = TT_STORE_SYNC_NORMAL;
    o.group_rows = group_rows;
    if (batch)
        o.batch_size = batch;
    char err[512];
    tt_store_t *st = tt_store_open(path, &o, err, sizeof err);
    if (!st)
        fail_msg("open %s: %s", path, err);
    return st;
}

/* Runs SQL on PATH through a connection of its own. */
static void s_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
    sqlite3_close(db);
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

static int s_dump_row(void *arg, int n, char **values, char **names)
{
    (void)names;
    FILE *out = arg;
    for (int i = 0; i < n; i++)
        fprintf(out, "%s|", values[i] ? values[i] : "NULL");
    fputc('\n', out);
    return 0;
}

/* The rows of SQL's queries on PATH, row ids included, as text. */
static char *s_dump(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_int_equal(sqlite3_exec(db, sql, s_dump_row, out, NULL), SQLITE_OK);
    fclose(out);
    sqlite3_close(db);
    return text;
}

#define S_TRADES                                                               \
    "SELECT * FROM orders ORDER BY id;"                                        \
    "SELECT * FROM order_events ORDER BY id;"                                  \
    "SELECT * FROM fills ORDER BY id;"                                         \
    "SELECT * FROM ledger ORDER BY id;"                                        \
    "SELECT * FROM positions ORDER BY symbol;"
#define S_SEQS "SELECT rowid, * FROM order_seq ORDER BY rowid;"

/* Asserts the two stores' rows of SQL are the same. */
static void s_same(const char *a, const char *b, const char *sql)
{
    char *x = s_dump(a, sql), *y = s_dump(b, sql);
    assert_string_equal(x, y);
    free(x);
    free(y);
}

/* No order in a state its last order_events row does not name, none
   without its intent's row. */
static void s_consistent(const char *path)
{
    assert_int_equal(
        s_int(path, "SELECT COUNT(*) FROM orders o WHERE state IS NOT"
                    " (SELECT to_state FROM order_events e WHERE e.coid ="
                    " o.coid ORDER BY id DESC LIMIT 1)"),
        0);
    assert_int_equal(s_int(path, "SELECT COUNT(*) FROM orders o WHERE NOT"
                                 " EXISTS (SELECT 1 FROM order_events e"
                                 " WHERE e.coid = o.coid AND reason ="
                                 " 'intent' AND from_state IS NULL)"),
                     0);
}

/* ---- the writes ---------------------------------------------------------- */

static tt_store_order_t s_rec(const char *sym, uint64_t seq,
                              tt_ord_state_t state)
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
    o->state = state;
    o->qty = 1000;
    o->filled = state == TT_OS_FILLED ? 1000 : 0;
    o->fill_cost = o->filled * 7;
    o->created_ts = (tt_ns_t)seq;
    o->updated_ts = (tt_ns_t)(seq * 100 + (uint64_t)state);
    if (state == TT_OS_ACCEPTED)
        snprintf(r.venue_oid, sizeof r.venue_oid, "V%llu",
                 (unsigned long long)seq);
    snprintf(o->reason, sizeof o->reason, "to %d", (int)state);
    return r;
}

/* The writer under test and the store given the same writes one by one;
   what the one-by-one calls refused, for the writer's counters. */
typedef struct {
    tt_bus_writer_t *w;
    tt_store_t *direct;
    uint64_t failed, dups;
} s_pair_t;

static void s_count(s_pair_t *p, int rc)
{
    p->failed += rc < 0;
    p->dups += rc == TT_STORE_DUP;
}

static void s_intent(s_pair_t *p, const tt_store_order_t *r)
{
    assert_int_equal(tt_bus_writer_order(p->w, r, true), 0);
    s_count(p, tt_store_order_intent(p->direct, r));
}

static void s_update(s_pair_t *p, const tt_store_order_t *r)
{
    assert_int_equal(tt_bus_writer_order(p->w, r, false), 0);
    s_count(p, tt_store_order_update(p->direct, r));
}

/* An update of SYM's order SEQ to STATE. */
static void s_move(s_pair_t *p, const char *sym, uint64_t seq,
                   tt_ord_state_t state)
{
    tt_store_order_t r = s_rec(sym, seq, state);
    s_update(p, &r);
}

static void s_fill(s_pair_t *p, const tt_store_order_t *r)
{
    tt_fill_t f;
    memset(&f, 0, sizeof f);
    snprintf(f.fill_id, sizeof f.fill_id, "F-%s", r->order.coid);
    snprintf(f.coid, sizeof f.coid, "%s", r->order.coid);
    f.side = TT_SIDE_BUY;
    f.px = 10000;
    f.qty = 1000;
    f.fee = 3;
    f.ts = r->order.updated_ts;
    assert_int_equal(tt_bus_writer_fill(p->w, "paper", r->symbol, 3, &f), 0);
    s_count(p, tt_store_fill(p->direct, "paper", r->symbol, 3, &f, NULL));
}

/* Syncs the writer; the one-by-one store flushes its queue as a sync
   has the writer's flushed. */
static void s_sync(s_pair_t *p)
{
    tt_bus_writer_sync(p->w);
    s_count(p, tt_store_flush(p->direct));
}

/* The gate order's intent, alone in the writer's first window; returns
   once the writer thread is in the gate. WPATH is the writer's store. */
static void s_hold(s_pair_t *p, const char *wpath)
{
    tt_store_order_t g = s_rec("G", 1, TT_OS_NEW);
    char sql[256];
    snprintf(sql, sizeof sql,
             "CREATE TRIGGER gate BEFORE INSERT ON orders WHEN NEW.coid ="
             " '%s' BEGIN SELECT tt_test_gate(); END",
             g.order.coid);
    s_sql(wpath, sql);
    s_intent(p, &g);
    tt_bus_writer_post(p->w);
    s_gate_wait();
}

/* Posts what was appended, so the writer takes it as one window, and
   lets the writer out of the gate. */
static void s_open_gate(s_pair_t *p)
{
    tt_bus_writer_post(p->w);
    s_gate_release();
}

/* ---- the tests ------------------------------------------------------------
 */

/* Order K of a script: symbol S0..S4, its own seq. */
static tt_store_order_t s_nth(int k, tt_ord_state_t state)
{
    char sym[8];
    snprintf(sym, sizeof sym, "S%d", k % 5);
    return s_rec(sym, (uint64_t)(k / 5 + 1), state);
}

/* One window of 4150 intents, each accepted three writes and filled
   seven writes after it (every fifth with a fill), one of them stored
   twice: the first 4096 intents fold their updates, the 54 after them
   go one by one. Every row (ids included) is the one-by-one store's. */
static void test_fold_table_full(void **state)
{
    fx_t *fx = *state;
    enum { N = S_FOLD_MAX + 54 };
    char wpath[600], dpath[600];
    tt_store_t *ws = s_open(fx, "writer.db", 100000, 0, wpath, sizeof wpath);
    s_pair_t p = {tt_bus_writer_new(ws, &fx->stats),
                  s_open(fx, "direct.db", 100000, 0, dpath, sizeof dpath), 0,
                  0};
    assert_non_null(p.w);
    s_hold(&p, wpath);
    int writes = 0;
    for (int k = 0; k < N + 7; k++) {
        if (k < N) {
            tt_store_order_t r = s_nth(k, TT_OS_NEW);
            s_intent(&p, &r);
            writes++;
        }
        if (k == 20) { /* order 10 again: refused, nothing changes */
            tt_store_order_t r = s_nth(10, TT_OS_NEW);
            s_intent(&p, &r);
            writes++;
        }
        if (k >= 3 && k - 3 < N) {
            tt_store_order_t r = s_nth(k - 3, TT_OS_ACCEPTED);
            s_update(&p, &r);
            writes++;
        }
        if (k >= 7) {
            tt_store_order_t r = s_nth(k - 7, TT_OS_FILLED);
            s_update(&p, &r);
            writes++;
            if ((k - 7) % 5 == 0) {
                s_fill(&p, &r);
                writes++;
            }
        }
    }
    assert_true(writes < S_WINDOW_MAX);
    s_open_gate(&p);
    s_sync(&p);
    /* The 4096 intents in the table folded both their updates, the
       others none. */
    assert_int_equal(atomic_load(&fx->stats.folded), 2 * S_FOLD_MAX);
    tt_bus_writer_destroy(&p.w);
    tt_store_close(&ws);
    tt_store_close(&p.direct);
    assert_int_equal(p.failed, 0);
    assert_int_equal(p.dups, 1);
    assert_int_equal(atomic_load(&fx->stats.store_errors), 0);
    assert_int_equal(atomic_load(&fx->stats.duplicates), 1);
    assert_int_equal(atomic_load(&fx->stats.intents), N + 1);
    s_same(wpath, dpath, S_TRADES S_SEQS);
    assert_int_equal(s_int(wpath, "SELECT COUNT(*) FROM orders"), N + 1);
    assert_int_equal(s_int(wpath, "SELECT COUNT(*) FROM orders WHERE state ="
                                  " 4 AND filled = 1000"),
                     N);
    assert_int_equal(s_int(wpath, "SELECT COUNT(*) FROM order_events"),
                     3 * N + 1);
    assert_int_equal(s_int(wpath, "SELECT COUNT(DISTINCT coid ||"
                                  " to_state) FROM order_events"),
                     3 * N + 1);
    assert_int_equal(s_int(wpath, "SELECT COUNT(*) FROM fills"), N / 5);
    assert_int_equal(s_int(wpath, "SELECT SUM(next_seq) FROM order_seq"),
                     2 + 5 * (N / 5 + 1));
    s_consistent(wpath);
}

/* One window of intents of 4500 symbols: the sequence table fills twice
   and its symbols are raised early, in order. A raised early, and again
   later in the window twice; B raised to 10 early, then given a lower
   seq (the store keeps the higher). */
static void test_seq_table_full(void **state)
{
    fx_t *fx = *state;
    enum { N = 4500 };
    char wpath[600], dpath[600];
    tt_store_t *ws = s_open(fx, "writer.db", 100000, 0, wpath, sizeof wpath);
    s_pair_t p = {tt_bus_writer_new(ws, &fx->stats),
                  s_open(fx, "direct.db", 100000, 0, dpath, sizeof dpath), 0,
                  0};
    assert_non_null(p.w);
    s_hold(&p, wpath);
    tt_store_order_t a1 = s_rec("A", 1, TT_OS_NEW);
    tt_store_order_t b9 = s_rec("B", 9, TT_OS_NEW);
    s_intent(&p, &a1);
    s_intent(&p, &b9);
    for (int i = 0; i < N; i++) {
        char sym[16];
        snprintf(sym, sizeof sym, "Y%04d", i);
        tt_store_order_t r = s_rec(sym, 1, TT_OS_NEW);
        s_intent(&p, &r);
        if (i == 3000) { /* after the first early raise, before the next */
            tt_store_order_t a5 = s_rec("A", 5, TT_OS_NEW);
            tt_store_order_t b3 = s_rec("B", 3, TT_OS_NEW);
            s_intent(&p, &a5);
            s_intent(&p, &b3);
        }
    }
    tt_store_order_t a7 = s_rec("A", 7, TT_OS_NEW);
    s_intent(&p, &a7);
    s_open_gate(&p);
    s_sync(&p);
    tt_bus_writer_destroy(&p.w);
    tt_store_close(&ws);
    tt_store_close(&p.direct);
    assert_int_equal(p.failed, 0);
    assert_int_equal(atomic_load(&fx->stats.store_errors), 0);
    assert_int_equal(atomic_load(&fx->stats.intents), N + 6);
    s_same(wpath, dpath, S_TRADES S_SEQS);
    assert_int_equal(s_int(wpath, "SELECT COUNT(*) FROM order_seq"), N + 3);
    assert_int_equal(
        s_int(wpath, "SELECT next_seq FROM order_seq WHERE symbol = 'A'"), 8);
    assert_int_equal(
        s_int(wpath, "SELECT next_seq FROM order_seq WHERE symbol = 'B'"), 10);
    assert_int_equal(s_int(wpath, "SELECT COUNT(*) FROM order_seq WHERE"
                                  " symbol LIKE 'Y%' AND next_seq = 2"),
                     N);
    /* Rows in the order of their symbols' first intents. */
    assert_int_equal(
        s_int(wpath, "SELECT rowid FROM order_seq WHERE symbol = 'Y4499'"),
        N + 3);
    s_consistent(wpath);
}

/* Store files whose order_events refuse X's ACCEPTED row. */
static void s_refuse(const char *path, const tt_store_order_t *x)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "CREATE TRIGGER refuse BEFORE INSERT ON order_events WHEN"
             " NEW.coid = '%s' AND NEW.to_state = %d BEGIN SELECT"
             " RAISE(ABORT, 'test: order_events row refused'); END",
             x->order.coid, (int)TT_OS_ACCEPTED);
    s_sql(path, sql);
}

/* A group committed (A), a window whose X's ACCEPTED row the store
   refuses (B, behind the gate: its updates fold), then writes after it
   (C). Against the same writes one by one, for each place X's row can
   take in a flush of eight queued rows (PAD intents before it): the
   writer's rows are the one-by-one store's, and so are its failed
   writes; the group that held the refused row is rolled back whole and
   no order is left in a state its order_events rows do not reach. */
static void s_refused_run(fx_t *fx, int pad)
{
    char wname[32], dname[32], wpath[600], dpath[600];
    snprintf(wname, sizeof wname, "writer%d.db", pad);
    snprintf(dname, sizeof dname, "direct%d.db", pad);
    tt_bus_stats_t stats;
    memset(&stats, 0, sizeof stats);
    s_gate_reset();
    tt_store_t *ws = s_open(fx, wname, 100000, 8, wpath, sizeof wpath);
    s_pair_t p = {tt_bus_writer_new(ws, &stats),
                  s_open(fx, dname, 100000, 8, dpath, sizeof dpath), 0, 0};
    assert_non_null(p.w);
    tt_store_order_t x = s_rec("X", 1, TT_OS_NEW);
    s_refuse(wpath, &x);
    s_refuse(dpath, &x);
    /* A: committed before the failure. */
    tt_store_order_t a1 = s_rec("S1", 1, TT_OS_NEW);
    tt_store_order_t a2 = s_rec("S1", 2, TT_OS_NEW);
    s_intent(&p, &a1);
    s_intent(&p, &a2);
    s_move(&p, "S1", 1, TT_OS_ACCEPTED);
    tt_store_order_t a1f = s_rec("S1", 1, TT_OS_FILLED);
    s_update(&p, &a1f);
    s_fill(&p, &a1f);
    s_sync(&p);
    assert_int_equal(tt_store_commit_group(ws), 0);
    assert_int_equal(tt_store_commit_group(p.direct), 0);
    uint64_t folded = atomic_load(&stats.folded);
    /* B: one window. */
    s_hold(&p, wpath);
    for (int i = 0; i < pad; i++) {
        tt_store_order_t r = s_rec("S2", (uint64_t)i + 1, TT_OS_NEW);
        s_intent(&p, &r);
    }
    tt_store_order_t q = s_rec("X", 2, TT_OS_NEW);
    tt_store_order_t r = s_rec("X", 3, TT_OS_NEW);
    s_intent(&p, &x);
    s_intent(&p, &q);
    s_move(&p, "X", 1, TT_OS_ACCEPTED);
    s_move(&p, "X", 2, TT_OS_ACCEPTED);
    tt_store_order_t xf = s_rec("X", 1, TT_OS_FILLED);
    s_update(&p, &xf);
    s_fill(&p, &xf);
    s_move(&p, "X", 2, TT_OS_CANCELLED);
    s_intent(&p, &r);
    s_move(&p, "X", 3, TT_OS_ACCEPTED);
    s_open_gate(&p);
    s_sync(&p);
    /* Every update of B folded into its intent. */
    assert_int_equal(atomic_load(&stats.folded) - folded, 5);
    /* C: after it. */
    tt_store_order_t c1 = s_rec("S1", 3, TT_OS_NEW);
    s_intent(&p, &c1);
    s_move(&p, "S1", 3, TT_OS_ACCEPTED);
    s_move(&p, "X", 1, TT_OS_CANCELLED);
    s_sync(&p);
    tt_bus_writer_destroy(&p.w);
    s_count(&p, tt_store_commit_group(p.direct));
    tt_store_close(&ws);
    tt_store_close(&p.direct);
    /* The run says it lost rows, as many failed writes as one by one. */
    assert_true(p.failed >= 1);
    assert_int_equal(atomic_load(&stats.store_errors), p.failed);
    s_same(wpath, dpath, S_TRADES);
    s_consistent(wpath);
    s_consistent(dpath);
    /* A and C are kept; X, and what B wrote before its row failed, not. */
    assert_int_equal(s_int(wpath, "SELECT COUNT(*) FROM orders WHERE symbol"
                                  " = 'S1'"),
                     3);
    assert_int_equal(s_int(wpath, "SELECT state FROM orders WHERE coid ="
                                  " 'tt-S1-3-e'"),
                     TT_OS_ACCEPTED);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM orders WHERE coid = '%s'",
             x.order.coid);
    assert_int_equal(s_int(wpath, sql), 0);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM order_events WHERE coid = '%s'",
             x.order.coid);
    assert_int_equal(s_int(wpath, sql), 0);
    /* The sequences never fall below what the one-by-one store keeps. */
    char attach[700];
    snprintf(attach, sizeof attach,
             "SELECT COUNT(*) FROM order_seq d WHERE next_seq > COALESCE("
             "(SELECT next_seq FROM w.order_seq s WHERE s.symbol = d.symbol),"
             " 0)");
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(dpath, &db), SQLITE_OK);
    char att[700];
    snprintf(att, sizeof att, "ATTACH '%s' AS w", wpath);
    assert_int_equal(sqlite3_exec(db, att, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, attach, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_refused_order_event(void **state)
{
    for (int pad = 0; pad < 8; pad++)
        s_refused_run(*state, pad);
}

/* A store that commits after every write (group_rows 1): the writer
   keeps a window in one group, so X, stored filled by its intent, is
   lost with the group when its ACCEPTED row is refused, not kept filled
   without that row. One by one, each write its own group, only the
   refused update is lost: X goes from NEW to FILLED. */
static void test_refused_order_event_small_groups(void **state)
{
    fx_t *fx = *state;
    char wpath[600], dpath[600];
    tt_store_t *ws = s_open(fx, "writer.db", 1, 0, wpath, sizeof wpath);
    s_pair_t p = {tt_bus_writer_new(ws, &fx->stats),
                  s_open(fx, "direct.db", 1, 0, dpath, sizeof dpath), 0, 0};
    assert_non_null(p.w);
    tt_store_order_t x = s_rec("X", 1, TT_OS_NEW);
    s_refuse(wpath, &x);
    s_refuse(dpath, &x);
    tt_store_order_t a = s_rec("S1", 1, TT_OS_NEW);
    s_intent(&p, &a);
    s_sync(&p);
    s_hold(&p, wpath);
    s_intent(&p, &x);
    s_move(&p, "X", 1, TT_OS_ACCEPTED);
    s_move(&p, "X", 1, TT_OS_FILLED);
    s_move(&p, "S1", 1, TT_OS_ACCEPTED);
    s_open_gate(&p);
    s_sync(&p);
    assert_int_equal(atomic_load(&fx->stats.folded), 2);
    tt_bus_writer_destroy(&p.w);
    tt_store_close(&ws);
    tt_store_close(&p.direct);
    assert_true(atomic_load(&fx->stats.store_errors) >= 1);
    assert_true(p.failed >= 1);
    s_consistent(wpath);
    s_consistent(dpath);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM orders WHERE coid = '%s'",
             x.order.coid);
    assert_int_equal(s_int(wpath, sql), 0);
    snprintf(sql, sizeof sql, "SELECT state FROM orders WHERE coid = '%s'",
             x.order.coid);
    assert_int_equal(s_int(dpath, sql), TT_OS_FILLED);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM order_events WHERE coid = '%s'",
             x.order.coid);
    assert_int_equal(s_int(dpath, sql), 2); /* NEW, then NEW -> FILLED */
    /* Before the window: kept. */
    assert_int_equal(s_int(wpath, "SELECT COUNT(*) FROM orders WHERE symbol"
                                  " = 'S1'"),
                     1);
}

int main(void)
{
    sqlite3_auto_extension((void (*)(void))s_gate_register);
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)
        T(test_fold_table_full),
        T(test_seq_table_full),
        T(test_refused_order_event),
        T(test_refused_order_event_small_groups),
#undef T
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    sqlite3_reset_auto_extension();
    return rc;
}
