/*  tests/test_reconcile_e2e.c: a warm restart reconciles the store with
    the paper broker's saved state, through the real binary.

    Four symbols on a sim venue whose price never moves, so the strategy
    never sees a cross and every order comes from the test:

    run 1  starts on an empty store and stops: each symbol's paper broker
           state is saved (empty).
    edit   with SQLite while ticktree is down, the broker's state of S0,
           S1 and S3 gets a bracket the store has never seen: an entry
           partly filled, its stop and its target. S3's stop sits above
           the market, so it must fire on the first trade.
    run 2  adopts each of those orders and the entry's fill (log line and
           trade.reconcile event each): S0 and S1 hold 1.000 protected by
           their adopted stop and target; S3's adopted stop fires and
           flattens it, its target is cancelled (OCO). Nothing is closed
           at the market.
    edit   S0's stop is removed from the broker's state; S1's target gets
           a fill the store does not know; S2's state is made corrupt.
    run 3  resolves S0's stop as expired "unknown to broker" and sends a
           new stop at the same price; adopts S1's fill (position 0.600,
           stop resized); S2 is held in ERROR with the reason while the
           others run. Then S0's execution actor is made to fail: its
           supervisor restarts it, and the restarted actor takes its
           orders back from the store too instead of closing the
           position. The store's books stay straight throughout. */
#include "tests/harness.h"
#include "tests/process.h"
#include "tests/storecheck.h"

#include "events.pb-c.h"
#include "orders/order.h"
#include "store/store.h"
#include "venues/paper/paper_state.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_SYMBOLS 4
#define S_QTY 1000         /* 1.000 at qty_decimals 3 */
#define S_ENTRY_PX 10000   /* 100.00 */
#define S_LOW_STOP 100     /* 1.00: far below the market */
#define S_HIGH_STOP 100000 /* 1000.00: above it, fires at once */
#define S_TARGET 10000000  /* 100000.00: never reached */

static char *s_db_path(tth_proc_t *proc)
{
    size_t len = strlen(proc->dir) + 16;
    char *path = malloc(len);
    assert_non_null(path);
    snprintf(path, len, "%s/ticktree.db", proc->dir);
    return path;
}

/* ---- the broker's state, edited while ticktree is down --------------- */

static void s_paper_new(tt_paper_t *paper)
{
    tt_instrument_t inst = {
        .tick_size = 1, .lot_size = 1, .px_decimals = 2, .qty_decimals = 3};
    tt_paper_cfg_t cfg = {.slippage_bps = 1, .fee_bps = 1};
    assert_int_equal(tt_paper_init(paper, &cfg, &inst), 0);
}

static void s_coid(char *out, const char *symbol, uint64_t seq, tt_role_t role)
{
    assert_true(tt_coid_format(out, symbol, seq, role) > 0);
}

/* Rests an order of SYMBOL as the broker would keep it. */
static void s_rest(tt_paper_t *paper, const char *symbol, uint64_t seq,
                   tt_role_t role, tt_side_t side, tt_ord_type_t type,
                   tt_px_t limit_px, tt_px_t stop_px, tt_qty_t filled)
{
    assert_true(paper->n < TT_PAPER_ORDERS);
    tt_paper_order_t *o = &paper->orders[paper->n++];
    memset(o, 0, sizeof *o);
    s_coid(o->coid, symbol, seq, role);
    o->side = side;
    o->type = type;
    o->tif = TT_TIF_GTC;
    o->qty = role == TT_ROLE_ENTRY ? 2 * S_QTY : S_QTY;
    o->filled = filled;
    o->limit_px = limit_px;
    o->stop_px = stop_px;
    o->seq = seq;
    if (filled) {
        o->fills = 1;
        o->last_px = role == TT_ROLE_ENTRY ? S_ENTRY_PX : limit_px;
        o->fees = 10;
    }
    paper->arrivals = seq;
}

/* A long bracket the store has never seen: an entry for 2.000 filled
   1.000, a stop at STOP_PX and a target, each for the open 1.000. */
static void s_bracket(tt_paper_t *paper, const char *symbol, tt_px_t stop_px)
{
    s_paper_new(paper);
    s_rest(paper, symbol, 1, TT_ROLE_ENTRY, TT_SIDE_BUY, TT_ORD_LIMIT, 100, 0,
           S_QTY);
    s_rest(paper, symbol, 2, TT_ROLE_STOP, TT_SIDE_SELL, TT_ORD_STOP, 0,
           stop_px, 0);
    s_rest(paper, symbol, 3, TT_ROLE_TARGET, TT_SIDE_SELL, TT_ORD_LIMIT,
           S_TARGET, 0, 0);
    paper->fills = 1;
}

static void s_put_text(sqlite3 *db, const char *symbol, const void *text,
                       size_t len)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "UPDATE paper_state SET state = ?1 "
                                        "WHERE symbol = ?2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(st, 1, text, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, symbol, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_changes(db), 1);
}

static void s_put(sqlite3 *db, const char *symbol, const tt_paper_t *paper)
{
    char *text = malloc(TT_PAPER_STATE_MAX);
    assert_non_null(text);
    size_t len = tt_paper_save(paper, text, TT_PAPER_STATE_MAX);
    assert_true(len > 0);
    s_put_text(db, symbol, text, len);
    free(text);
}

/* The broker's saved state of SYMBOL, as ticktree left it. */
static void s_get(sqlite3 *db, const char *symbol, tt_paper_t *paper)
{
    s_paper_new(paper);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT state FROM paper_state "
                                        "WHERE symbol = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, symbol, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int rc = tt_paper_load(paper, sqlite3_column_blob(st, 0),
                           (size_t)sqlite3_column_bytes(st, 0));
    if (rc != 0)
        fail_msg("%s: %s", symbol, paper->err);
    sqlite3_finalize(st);
}

/* ---- runs -------------------------------------------------------------- */

static void s_run(tth_proc_t *proc, const char *name)
{
    const char *args[] = {"run", "-c", proc->config, NULL};
    size_t len = strlen(proc->dir) + 32;
    free(proc->log);
    proc->log = malloc(len);
    assert_non_null(proc->log);
    snprintf(proc->log, len, "%s/%s.log", proc->dir, name);
    proc->pid = tth_spawn(args, proc->log);
    proc->reaped = false;
}

/* The sim feed has sent the symbols' history (every indicator warm):
   a stop now does not wait on it. */
static void s_wait_warm(tth_proc_t *proc)
{
    int64_t deadline = tth_now_ms() + 20000;
    while (tth_now_ms() < deadline) {
        Tt__Reply *reply = NULL;
        Tt__Health *h = tth_health(proc, &reply);
        bool warm = h != NULL;
        for (size_t i = 0; h && i < h->n_symbols; i++)
            warm = warm && (h->symbols[i]->warm ||
                            h->symbols[i]->state == TT__STATE__STATE_ERROR);
        if (reply)
            tt__reply__free_unpacked(reply, NULL);
        if (warm)
            return;
        tth_nap_ms(50);
    }
    fail_msg("the symbols did not warm up within 20 s");
}

static void s_stop(tth_proc_t *proc)
{
    s_wait_warm(proc);
    int rc = tth_proc_signal_wait(proc, SIGTERM, 10000);
    if (rc != 0) {
        char *log = tth_read_file(proc->log);
        print_error("exit %d; log:\n%s\n", rc, log ? log : "(none)");
        free(log);
    }
    assert_int_equal(rc, 0);
}

static void s_wait_running(tth_proc_t *proc, const char *symbol)
{
    if (!tth_wait_state(proc, symbol, NULL, TT__STATE__STATE_RUNNING, 15000)) {
        char *log = tth_read_file(proc->log);
        print_error("log:\n%s\n", log ? log : "(none)");
        free(log);
        fail_msg("%s did not reach RUNNING", symbol);
    }
}

static void s_expect_log(tth_proc_t *proc, const char *line)
{
    char *log = tth_read_file(proc->log);
    assert_non_null(log);
    if (!strstr(log, line))
        fail_msg("log lacks \"%s\":\n%s", line, log);
    free(log);
}

static int s_occurrences(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p++)
        n++;
    return n;
}

/* Polls the log until WHAT appears COUNT times. */
static void s_wait_log(tth_proc_t *proc, const char *what, int count)
{
    int64_t deadline = tth_now_ms() + 15000;
    int seen = 0;
    while (tth_now_ms() < deadline) {
        char *log = tth_read_file(proc->log);
        seen = log ? s_occurrences(log, what) : 0;
        free(log);
        if (seen >= count)
            return;
        tth_nap_ms(50);
    }
    fail_msg("\"%s\" logged %d times, %d wanted", what, seen, count);
}

/* Polls SYMBOL's health until it has at least FILLS fills and POSITION. */
static void s_wait_position(tth_proc_t *proc, const char *symbol,
                            uint64_t fills, const char *position)
{
    char last[64] = "";
    int64_t deadline = tth_now_ms() + 15000;
    while (tth_now_ms() < deadline) {
        Tt__Reply *reply = NULL;
        Tt__Health *h = tth_health(proc, &reply);
        bool done = false;
        for (size_t i = 0; h && i < h->n_symbols; i++) {
            Tt__SymbolHealth *s = h->symbols[i];
            if (strcmp(s->symbol, symbol) != 0)
                continue;
            snprintf(last, sizeof last, "%s, %llu fills", s->position,
                     (unsigned long long)s->fills);
            done = s->fills >= fills && strcmp(s->position, position) == 0;
        }
        if (reply)
            tt__reply__free_unpacked(reply, NULL);
        if (done)
            return;
        tth_nap_ms(50);
    }
    fail_msg("%s: position %s, %llu fills wanted; last %s", symbol, position,
             (unsigned long long)fills, last);
}

/* ---- what the store says afterwards ------------------------------------- */

/* The reconciliation events of SYMBOL, one "action coid fill_id: reason"
   line each, in order. */
static void s_reconcile_events(sqlite3 *db, const char *symbol, char *out,
                               size_t cap)
{
    char topic[64];
    snprintf(topic, sizeof topic, "trade.reconcile.%s", symbol);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT payload FROM events WHERE "
                                        "topic = ?1 ORDER BY seq",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, topic, -1, SQLITE_TRANSIENT);
    size_t len = 0;
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        Tt__Event *ev =
            tt__event__unpack(NULL, (size_t)sqlite3_column_bytes(st, 0),
                              sqlite3_column_blob(st, 0));
        assert_non_null(ev);
        assert_int_equal(ev->body_case, TT__EVENT__BODY_RECONCILE);
        assert_string_equal(ev->symbol, symbol);
        len += (size_t)snprintf(out + len, cap - len, "%s %s %s: %s\n",
                                ev->reconcile->action,
                                ev->reconcile->client_order_id,
                                ev->reconcile->fill_id, ev->reconcile->reason);
        tt__event__free_unpacked(ev, NULL);
        assert_true(len < cap);
    }
    sqlite3_finalize(st);
}

static void s_expect_event(const char *events, const char *line)
{
    if (!strstr(events, line))
        fail_msg("no event \"%s\" among:\n%s", line, events);
}

static long s_count(sqlite3 *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static long s_count(sqlite3 *db, const char *fmt, ...)
{
    char sql[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    return tth_query_long(db, sql);
}

static void s_expect_position(const char *path, const char *symbol,
                              tt_qty_t qty)
{
    char err[256];
    tt_store_t *store = tt_store_open(path, NULL, err, sizeof err);
    if (!store)
        fail_msg("%s", err);
    tt_position_t pos;
    assert_int_equal(tt_store_position_get(store, symbol, &pos), 0);
    assert_int_equal(pos.qty, qty);
    tt_store_close(&store);
}

/* ---- the test ------------------------------------------------------------ */

static void s_edit_adopt(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    tt_paper_t *paper = malloc(sizeof *paper);
    assert_non_null(paper);
    assert_int_equal(s_count(db, "SELECT count(*) FROM paper_state"),
                     S_SYMBOLS);
    assert_int_equal(s_count(db, "SELECT count(*) FROM orders"), 0);
    s_bracket(paper, "S0", S_LOW_STOP);
    s_put(db, "S0", paper);
    s_bracket(paper, "S1", S_LOW_STOP);
    s_put(db, "S1", paper);
    s_bracket(paper, "S3", S_HIGH_STOP);
    s_put(db, "S3", paper);
    free(paper);
    sqlite3_close(db);
}

static void s_check_adopted(tth_proc_t *proc, const char *path)
{
    s_expect_log(proc, "reconcile: adopt_order tt-S0-1-e: resting at the "
                       "broker, unknown to the store");
    s_expect_log(proc, "reconcile: adopt_fill tt-S0-1-e fill tt-S0-1-e:1: "
                       "filled at the broker");
    s_expect_log(proc, "reconcile: adopt_order tt-S0-2-s");
    s_expect_log(proc, "reconcile: adopt_order tt-S1-3-t");
    char *log = tth_read_file(proc->log);
    assert_null(strstr(log, "closing it at the market"));
    free(log);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char events[4096];
    s_reconcile_events(db, "S1", events, sizeof events);
    s_expect_event(events, "adopt_order tt-S1-1-e : resting at the broker, "
                           "unknown to the store\n");
    s_expect_event(events, "adopt_fill tt-S1-1-e tt-S1-1-e:1: filled at the "
                           "broker\n");
    s_expect_event(events, "adopt_order tt-S1-2-s : ");
    s_expect_event(events, "adopt_order tt-S1-3-t : ");
    /* The adopted orders work: S0's stop and target rest, S3's stop
       fired and its target went with it. */
    assert_int_equal(s_count(db, "SELECT state FROM orders WHERE coid = "
                                 "'tt-S0-2-s'"),
                     TT_OS_ACCEPTED);
    assert_int_equal(s_count(db, "SELECT state FROM orders WHERE coid = "
                                 "'tt-S3-2-s'"),
                     TT_OS_FILLED);
    assert_int_equal(s_count(db, "SELECT state FROM orders WHERE coid = "
                                 "'tt-S3-3-t'"),
                     TT_OS_CANCELLED);
    assert_int_equal(s_count(db,
                             "SELECT count(*) FROM fills WHERE fill_id "
                             "= 'tt-S1-1-e:1' AND qty = %d AND px = %d",
                             S_QTY, S_ENTRY_PX),
                     1);
    sqlite3_close(db);
    s_expect_position(path, "S0", S_QTY);
    s_expect_position(path, "S1", S_QTY);
    s_expect_position(path, "S3", 0);
}

static void s_edit_resolve(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    tt_paper_t *paper = malloc(sizeof *paper);
    assert_non_null(paper);
    /* S0: the broker lost its stop. */
    s_get(db, "S0", paper);
    assert_int_equal(tt_paper_cancel(paper, "tt-S0-2-s"), 0);
    s_put(db, "S0", paper);
    /* S1: its target filled 0.400 that the store never heard of. */
    s_get(db, "S1", paper);
    tt_paper_order_t *target = NULL;
    for (int i = 0; i < paper->n; i++)
        if (!strcmp(paper->orders[i].coid, "tt-S1-3-t"))
            target = &paper->orders[i];
    assert_non_null(target);
    target->filled = 400;
    target->fills = 1;
    target->last_px = target->limit_px;
    target->fees = 40;
    s_put(db, "S1", paper);
    /* S2: garbage. */
    s_put_text(db, "S2", "ticktree-paper 1\narrivals many\n", 31);
    free(paper);
    sqlite3_close(db);
}

static void s_check_resolved(tth_proc_t *proc, const char *path)
{
    s_expect_log(proc, "reconcile: resolve tt-S0-2-s: unknown to broker");
    s_expect_log(proc, "reconcile: adopt_fill tt-S1-3-t fill tt-S1-3-t:1: "
                       "filled at the broker");
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char events[4096];
    s_reconcile_events(db, "S0", events, sizeof events);
    s_expect_event(events, "resolve tt-S0-2-s : unknown to broker\n");
    s_reconcile_events(db, "S1", events, sizeof events);
    s_expect_event(events, "adopt_fill tt-S1-3-t tt-S1-3-t:1: filled at the "
                           "broker\n");
    assert_int_equal(s_count(db, "SELECT state FROM orders WHERE coid = "
                                 "'tt-S0-2-s' AND reason = "
                                 "'unknown to broker'"),
                     TT_OS_EXPIRED);
    /* S0 is protected again: a new stop at the same price, resting. */
    assert_int_equal(s_count(db,
                             "SELECT count(*) FROM orders WHERE symbol = "
                             "'S0' AND role = 's' AND state = %d AND "
                             "stop_px = %d AND qty = %d AND coid != "
                             "'tt-S0-2-s'",
                             TT_OS_ACCEPTED, S_LOW_STOP, S_QTY),
                     1);
    /* S1's stop covers the 0.600 left. */
    assert_int_equal(s_count(db,
                             "SELECT count(*) FROM orders WHERE symbol = "
                             "'S1' AND role = 's' AND state = %d AND "
                             "qty = 600",
                             TT_OS_ACCEPTED),
                     1);
    assert_int_equal(s_count(db, "SELECT filled FROM orders WHERE coid = "
                                 "'tt-S1-3-t'"),
                     400);
    tt_paper_t *paper = malloc(sizeof *paper);
    assert_non_null(paper);
    s_get(db, "S0", paper);
    assert_int_equal(paper->n, 3); /* entry, target and the new stop */
    free(paper);
    sqlite3_close(db);
    s_expect_position(path, "S0", S_QTY);
    s_expect_position(path, "S1", 600);
    char *log = tth_read_file(proc->log);
    assert_null(strstr(log, "closing it at the market"));
    free(log);
}

/* S2 is held in ERROR with the reason; the others run. */
static void s_check_corrupt_alone(tth_proc_t *proc)
{
    assert_true(
        tth_wait_state(proc, "S2", NULL, TT__STATE__STATE_ERROR, 15000));
    Tt__Reply *reply = NULL;
    Tt__Health *h = tth_health(proc, &reply);
    assert_non_null(h);
    for (size_t i = 0; i < h->n_symbols; i++) {
        Tt__SymbolHealth *s = h->symbols[i];
        if (strcmp(s->symbol, "S2") == 0) {
            if (!strstr(s->last_error, "paper broker state is corrupt"))
                fail_msg("S2's last error: %s", s->last_error);
        } else {
            assert_int_equal(s->state, TT__STATE__STATE_RUNNING);
        }
    }
    tt__reply__free_unpacked(reply, NULL);
    s_expect_log(proc, "paper state line 2");
}

static void test_warm_restart_reconciles_store_and_broker(void **state)
{
    (void)state;
    tth_venue_params = "{tick_rate_hz: 50, start_price: 100, volatility: 0, "
                       "drift: 0, spread_bps: 0, jump_rate_per_hour: 0}";
    tth_symbol_extra = "  timeframes: [1]\n";
    tth_strategy_params = "{fast: 2, slow: 4}";
    tth_proc_t *proc =
        tth_proc_start(S_SYMBOLS, "  fault_injection: true\n", NULL);
    char *path = s_db_path(proc);
    s_stop(proc);

    s_edit_adopt(path);
    s_run(proc, "run2");
    for (int i = 0; i < S_SYMBOLS; i++) {
        char sym[8];
        snprintf(sym, sizeof sym, "S%d", i);
        s_wait_running(proc, sym);
    }
    s_wait_position(proc, "S3", 2, "0.000");
    s_stop(proc);
    s_check_adopted(proc, path);

    s_edit_resolve(path);
    s_run(proc, "run3");
    s_wait_running(proc, "S0");
    s_wait_running(proc, "S1");
    s_check_corrupt_alone(proc);
    s_wait_position(proc, "S1", 1, "0.600");
    /* An actor restart inside the service restores from the store. */
    s_wait_log(proc, "S0/execution: warm restart: ", 1);
    char err[256];
    assert_int_equal(tth_fault(proc, "S0", "execution", 0, err, sizeof err),
                     TT__STATUS__STATUS_OK);
    s_wait_log(proc,
               "S0/execution: warm restart: 3 open orders in the "
               "store, 3 resting at the broker, 0 reconciled",
               1);
    s_wait_running(proc, "S0");
    s_stop(proc);
    s_check_resolved(proc, path);

    long orders = 0;
    tth_check_store(path, S_SYMBOLS, &orders);
    assert_true(orders >= 10);
    free(path);
    tth_proc_destroy(&proc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warm_restart_reconciles_store_and_broker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
