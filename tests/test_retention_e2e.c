/*  tests/test_retention_e2e.c: service.retention and the runs table,
    through the real binary.

    run 1  keeps everything (no retention configured) and stops.
    edit   while ticktree is down, a candle three days old is added and
           the first five events are dated three days back.
    run 2  with retention {candles_days: 1, events_days: 1, interval_s: 1}
           prunes them at start (logged), and a second old candle written
           while it runs is gone within the next interval. Sequence
           numbers go on after the pruned ones.
    run 3  is killed (SIGKILL); run 4 starts, marks it "died", and stops.
    Every run is in `runs`: its start and stop, "stop" (or "died"), the
    version, and the config hashes, which differ since the config did. */
#include "tests/harness.h"
#include "tests/process.h"
#include "tests/storecheck.h"

#include "runtime/version.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_RETAIN                                                               \
    "  retention: {candles_days: 1, events_days: 1, interval_s: 1}\n"

static int64_t s_days_ago(int days)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec - (int64_t)days * 86400) * 1000000000;
}

static sqlite3 *s_open(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static void s_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err ? err : "?");
}

static void s_old_candle(sqlite3 *db, const char *symbol)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO candles VALUES ('%s', 60, %lld, 1, 1, 1, 1, 1, 1)",
             symbol, (long long)s_days_ago(3));
    s_exec(db, sql);
}

static long s_old_candles(const char *path)
{
    sqlite3 *db = s_open(path);
    char sql[128];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM candles WHERE open_ts < %lld",
             (long long)s_days_ago(1));
    long n = tth_query_long(db, sql);
    sqlite3_close(db);
    return n;
}

static void s_rewrite_config(tth_proc_t *proc, const char *extra)
{
    char *text = tth_config_text(proc->endpoint, 1, extra, NULL);
    FILE *f = fopen(proc->config, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    fclose(f);
    free(text);
}

static void s_restart(tth_proc_t *proc, const char *name)
{
    const char *args[] = {"run", "-c", proc->config, NULL};
    size_t len = strlen(proc->dir) + 32;
    free(proc->log);
    proc->log = malloc(len);
    assert_non_null(proc->log);
    snprintf(proc->log, len, "%s/%s.log", proc->dir, name);
    proc->pid = tth_spawn(args, proc->log);
    proc->reaped = false;
    assert_true(
        tth_wait_state(proc, "S0", NULL, TT__STATE__STATE_RUNNING, 15000));
}

static void test_retention_and_runs(void **state)
{
    (void)state;
    tth_venue_params = "{tick_rate_hz: 50}";
    tth_symbol_extra = "  timeframes: [1]\n";
    tth_strategy_params = "{fast: 2, slow: 4}";
    tth_proc_t *proc = tth_proc_start(1, "", NULL);
    char path[600];
    snprintf(path, sizeof path, "%s/ticktree.db", proc->dir);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 10000), 0);

    sqlite3 *db = s_open(path);
    long events = tth_query_long(db, "SELECT count(*) FROM events");
    long last = tth_query_long(db, "SELECT max(seq) FROM events");
    assert_true(events >= 5);
    s_old_candle(db, "S0");
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE events SET ts = %lld WHERE seq <= 5",
             (long long)s_days_ago(3));
    s_exec(db, sql);
    sqlite3_close(db);

    s_rewrite_config(proc, S_RETAIN);
    s_restart(proc, "run2");
    char *log = tth_read_file(proc->log);
    assert_non_null(log);
    if (!strstr(log, "retention: 1 candles, 0 snapshots and 5 events deleted"))
        fail_msg("no retention line in:\n%s", log);
    free(log);
    assert_int_equal(s_old_candles(path), 0);
    /* The interval: an old candle written now goes within a second or
       two (bounded wait). */
    db = s_open(path);
    s_old_candle(db, "ZZ");
    sqlite3_close(db);
    int64_t deadline = tth_now_ms() + 10000;
    while (s_old_candles(path) > 0 && tth_now_ms() < deadline)
        tth_nap_ms(100);
    assert_int_equal(s_old_candles(path), 0);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 10000), 0);
    s_restart(proc, "run3");
    assert_int_equal(tth_proc_signal_wait(proc, SIGKILL, 10000), 128 + SIGKILL);
    s_restart(proc, "run4");
    log = tth_read_file(proc->log);
    assert_non_null(strstr(log, "1 earlier run(s) never stopped"));
    free(log);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 10000), 0);

    db = s_open(path);
    assert_int_equal(tth_query_long(db, "SELECT min(seq) FROM events"), 6);
    assert_true(tth_query_long(db, "SELECT max(seq) FROM events") > last);
    assert_int_equal(tth_query_long(db, "SELECT count(*) FROM runs"), 4);
    assert_int_equal(tth_query_long(db, "SELECT id FROM runs WHERE "
                                        "exit_reason = 'died' AND stop_ts "
                                        "IS NULL"),
                     3);
    assert_int_equal(tth_query_long(db, "SELECT count(*) FROM runs WHERE "
                                        "stop_ts >= start_ts AND exit_reason "
                                        "= 'stop' AND version = '" TT_VERSION
                                        "' AND length(config_hash) = 16"),
                     3);
    assert_int_equal(
        tth_query_long(db, "SELECT count(DISTINCT config_hash) FROM runs"), 2);
    sqlite3_close(db);
    tth_proc_destroy(&proc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retention_and_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
