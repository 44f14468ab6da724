/*  tests/test_stop_orders_e2e.c: what a graceful stop does with the
    orders on their way through the bus, through the real binary.

    One symbol on a sim venue that trades every few seconds, with a store
    made slow by the drill knob service.store_intent_delay_ms: the bus
    commits each order intent at once but answers it only after the
    delay. The test polls the store until an intent is recorded and not
    yet answered (state NEW), and stops the service right then (SIGTERM).

    fast stop   the delay (300 ms) fits the stop's budget: the execution
                actor waits for the answer and sends the order, so the
                store holds it past NEW and no log line names it. A
                restart expires nothing ("unknown to broker").
    slow stop   the delay (6 s) is longer than the budget: the actor
                stops without sending the order and names it in the log.
                Every order left NEW is named; a restart expires exactly
                the named ones and no other.

    Both runs leave the store straight (tests/storecheck.h): no order was
    recorded, hence sent, twice. */
#include "tests/harness.h"
#include "tests/process.h"
#include "tests/storecheck.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_NAMES_MAX 64
#define S_UNSENT " not sent: the store had not confirmed it"

typedef struct {
    char v[S_NAMES_MAX][48];
    int n;
} s_names_t;

static char *s_path(const tth_proc_t *proc, const char *name)
{
    size_t len = strlen(proc->dir) + strlen(name) + 2;
    char *path = malloc(len);
    assert_non_null(path);
    snprintf(path, len, "%s/%s", proc->dir, name);
    return path;
}

static sqlite3 *s_open(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    sqlite3_busy_timeout(db, 1000);
    return db;
}

/* The client id of an order intent recorded and not yet answered, polled
   while the service runs (at most 60 s). */
static void s_wait_intent(tth_proc_t *proc, const char *path, char *coid,
                          size_t size)
{
    int64_t deadline = tth_now_ms() + 60000;
    while (tth_now_ms() < deadline) {
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        bool found = false;
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
                SQLITE_OK &&
            sqlite3_prepare_v2(db,
                               "SELECT coid FROM orders WHERE state = 1 "
                               "ORDER BY id DESC LIMIT 1",
                               -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
            snprintf(coid, size, "%s",
                     (const char *)sqlite3_column_text(st, 0));
            found = true;
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
        if (found)
            return;
        tth_nap_ms(10);
    }
    tth_proc_dump_log(proc);
    fail_msg("no order intent was recorded within 60 s");
}

static void s_stop(tth_proc_t *proc)
{
    int rc = tth_proc_signal_wait(proc, SIGTERM, 30000);
    if (rc != 0)
        tth_proc_dump_log(proc);
    assert_int_equal(rc, 0);
}

/* The orders the log names as not sent. */
static void s_unsent(const tth_proc_t *proc, s_names_t *out)
{
    out->n = 0;
    char *log = tth_read_file(proc->log);
    assert_non_null(log);
    for (const char *p = log; (p = strstr(p, S_UNSENT)) != NULL; p++) {
        const char *end = p;
        const char *start = end;
        while (start > log && start[-1] != ' ')
            start--;
        assert_true(end > start && end - start < 48);
        assert_true(out->n < S_NAMES_MAX);
        snprintf(out->v[out->n++], 48, "%.*s", (int)(end - start), start);
    }
    free(log);
}

static bool s_named(const s_names_t *names, const char *coid)
{
    for (int i = 0; i < names->n; i++)
        if (!strcmp(names->v[i], coid))
            return true;
    return false;
}

/* Every order the store holds in state STATE (and, when REASON is not
   NULL, with that reason) is named; returns how many there are. */
static int s_all_named(const char *path, int state, const char *reason,
                       const s_names_t *names)
{
    sqlite3 *db = s_open(path);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT coid FROM orders WHERE "
                                        "state = ?1 AND (?2 IS NULL OR "
                                        "reason = ?2)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(st, 1, state);
    if (reason)
        sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *coid = (const char *)sqlite3_column_text(st, 0);
        if (!s_named(names, coid))
            fail_msg("order %s is in state %d (%s) but the log does not "
                     "name it",
                     coid, state, reason ? reason : "any reason");
        n++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* State of order COID in the store; 0 when it is not there. */
static int s_state(const char *path, const char *coid)
{
    sqlite3 *db = s_open(path);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT state FROM orders WHERE "
                                        "coid = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, coid, -1, SQLITE_STATIC);
    int state = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return state;
}

/* Starts the service again on the same config and store, logging into
   NAME, waits until S0 runs (the warm restart is done), and stops it. */
static void s_restart(tth_proc_t *proc, const char *name)
{
    const char *args[] = {"run", "-c", proc->config, NULL};
    free(proc->log);
    proc->log = s_path(proc, name);
    proc->pid = tth_spawn(args, proc->log);
    proc->reaped = false;
    if (!tth_wait_state(proc, "S0", NULL, TT__STATE__STATE_RUNNING, 30000)) {
        tth_proc_dump_log(proc);
        fail_msg("S0 did not run again after the restart");
    }
    s_stop(proc);
}

/* One run stopped with an intent in flight, checked; then a restart.
   Returns the orders named as not sent. */
static void s_stop_in_flight(int delay_ms, s_names_t *named, char *coid,
                             size_t size, char **path_p, tth_proc_t **proc_p)
{
    tth_venue_params = "{tick_rate_hz: 50, volatility: 3.0}";
    tth_symbol_extra = "  timeframes: [1]\n";
    tth_strategy_params = "{fast: 2, slow: 4, allow_short: true}";
    char extra[128];
    snprintf(extra, sizeof extra,
             "  fault_injection: true\n  store_intent_delay_ms: %d\n",
             delay_ms);
    tth_proc_t *proc = tth_proc_start(1, extra, NULL);
    char *path = s_path(proc, "ticktree.db");
    s_wait_intent(proc, path, coid, size);
    s_stop(proc);
    s_unsent(proc, named);
    /* Every intent left unsent is named; a named one was never sent. */
    s_all_named(path, 1, NULL, named);
    for (int i = 0; i < named->n; i++) {
        int state = s_state(path, named->v[i]);
        assert_true(state == 0 || state == 1);
    }
    long orders = 0;
    tth_check_store(path, 1, &orders);
    assert_true(orders >= 1);
    *path_p = path;
    *proc_p = proc;
}

static void test_fast_stop_sends_orders_in_flight(void **state)
{
    (void)state;
    s_names_t named;
    long orders = 0;
    char coid[48];
    char *path;
    tth_proc_t *proc;
    s_stop_in_flight(300, &named, coid, sizeof coid, &path, &proc);
    /* The intent seen in flight was answered during the stop and sent. */
    int st = s_state(path, coid);
    if (st <= 1 || s_named(&named, coid)) {
        tth_proc_dump_log(proc);
        fail_msg("order %s was in flight at the stop and not sent (state "
                 "%d)",
                 coid, st);
    }
    s_restart(proc, "run2.log");
    s_names_t none = {.n = 0};
    assert_int_equal(s_all_named(path, 7, "unknown to broker", &none), 0);
    tth_check_store(path, 1, &orders);
    free(path);
    tth_proc_destroy(&proc);
}

static void test_slow_stop_names_orders_not_sent(void **state)
{
    (void)state;
    s_names_t named;
    long orders = 0;
    char coid[48];
    char *path;
    tth_proc_t *proc;
    s_stop_in_flight(6000, &named, coid, sizeof coid, &path, &proc);
    if (!s_named(&named, coid)) {
        tth_proc_dump_log(proc);
        fail_msg("order %s waited for the store past the stop's budget "
                 "and the log does not name it",
                 coid);
    }
    assert_int_equal(s_state(path, coid), 1);
    /* The restart expires the named orders the store recorded, only. */
    s_restart(proc, "run2.log");
    int expired = s_all_named(path, 7, "unknown to broker", &named);
    assert_true(expired >= 1 && expired <= named.n);
    assert_int_equal(s_all_named(path, 1, NULL, &named), 0);
    tth_check_store(path, 1, &orders);
    free(path);
    tth_proc_destroy(&proc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_stop_sends_orders_in_flight),
        cmocka_unit_test(test_slow_stop_names_orders_not_sent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
