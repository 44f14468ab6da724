/*  tests/test_backtest_e2e.c: `ticktree backtest`, the real binary.

    - Determinism: two backtests of the same files give the same ledger,
      row for row, and the same ledger hash; the hash is recomputed here
      from the ledger by its documented definition (store/report.h).
    - Parity: a live service on the simulated market records its ticks
      (service.record_ticks); a backtest of the recording from the live
      run's trading-from time places the same orders and gets the same
      fills, compared row by row.
    - The report: JSON totals agree with the symbols' lines and the
      ledger; the report is kept in the backtest's store.
    - Bad data and bad arguments: FILE:LINE errors and exit codes, and
      the lenient policy's count in the report.

    The data files are written here from a random walk of the test's own
    (not the simulator's), so the expected values never come from the
    code under test. */
#include "tests/harness.h"
#include "tests/process.h"
#include "tests/storecheck.h"

#include <jansson.h>
#include <math.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_CONFIG                                                               \
    "service:\n  control: ipc://%s/ctl\n  events: ipc://%s/ev\n"               \
    "  replay: ipc://%s/rep\n  db: %s/unused.db\n  workers: 2\n"               \
    "  log_level: warn\n%s"                                                    \
    "venues:\n  - name: sim\n    kind: sim\n%s"                                \
    "symbol_defaults:\n  venue: sim\n  px_decimals: 2\n  qty_decimals: 0\n"    \
    "  tick_size: \"0.01\"\n  lot_size: \"1\"\n  timeframes: %s\n"             \
    "  stale_ms: %d\n"                                                         \
    "  strategy:\n    kind: sma_cross\n    params: %s\n"                       \
    "  risk:\n    sizing: fixed_qty\n    qty: \"10\"\n"                        \
    "    max_orders_per_min: 100\n"                                            \
    "symbols:\n  - symbol: AAA\n  - symbol: BBB\n  - symbol: CCC\n"

static char *s_dir;

static int s_setup(void **state)
{
    (void)state;
    s_dir = tth_tmpdir("backtest");
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    tth_rmtree(s_dir);
    free(s_dir);
    return 0;
}

#define S_PARAMS "{fast: 3, slow: 8}"
static const char *s_params = S_PARAMS;
static const char *s_venue_extra = "";   /* more keys of the venue */
static const char *s_service_extra = ""; /* more keys of the service */
static int s_stale_ms = 600000;
static const char *s_timeframes = "[1]";
/* s_walk_file leaves AAA without ticks from the S_GAP_FROM-th to before
   the S_GAP_TO-th (a quiet symbol while the others trade); none: -1. */
static int s_gap_from = -1, s_gap_to = -1;

static char *s_config(void)
{
    char text[2048];
    snprintf(text, sizeof text, S_CONFIG, s_dir, s_dir, s_dir, s_dir,
             s_service_extra, s_venue_extra, s_timeframes, s_stale_ms,
             s_params);
    return tth_write_file(s_dir, "bt.yaml", text);
}

/* A random walk per symbol (a 64-bit LCG of the test's own): COUNT ticks
   of each of three symbols, 5 per second, merged in time order, with a
   symbol column. */
static char *s_walk_file(const char *name, int count)
{
    char *path = NULL;
    size_t cap = (size_t)count * 3 * 48 + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = (size_t)snprintf(text, cap, "symbol,ts_ns,price,size\n");
    const char *names[3] = {"AAA", "BBB", "CCC"};
    long px[3] = {10000, 20000, 5000};
    uint64_t rng = 88172645463325252u;
    int64_t t0 = INT64_C(1700000000) * 1000000000;
    for (int i = 0; i < count; i++)
        for (int s = 0; s < 3; s++) {
            rng = rng * 6364136223846793005u + 1442695040888963407u;
            int step = (int)((rng >> 33) % 21) - 10; /* -10..10 cents */
            px[s] += step;
            if (px[s] < 100)
                px[s] = 100;
            int64_t ts = t0 + (int64_t)i * 200000000 + s * 1000;
            if (s == 0 && i >= s_gap_from && i < s_gap_to)
                continue;
            len += (size_t)snprintf(text + len, cap - len,
                                    "%s,%lld,%ld.%02ld,%d\n", names[s],
                                    (long long)ts, px[s] / 100, px[s] % 100,
                                    1 + (int)((rng >> 20) % 50));
        }
    path = tth_write_file(s_dir, name, text);
    free(text);
    return path;
}

static int s_backtest(const char *data, const char *db, const char *report,
                      const char *extra, char **out)
{
    char *config = s_config();
    const char *args[16] = {"backtest", "-c",   config, "--data",
                            data,       "--db", db,     "--quiet"};
    int n = 8;
    if (report) {
        args[n++] = "--report";
        args[n++] = report;
    }
    if (extra)
        args[n++] = extra;
    args[n] = NULL;
    int code = tth_run_binary(args, out);
    free(config);
    return code;
}

/* The ledger as text lines in the order the hash covers. */
static char *s_ledger_text(const char *db_path, long *rows)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT symbol, venue, fill_id, coid, side, qty,"
                           " px, fee, ts, realized, pos_qty, exec_qty,"
                           " commission, commission_decimals,"
                           " COALESCE(commission_asset, '') FROM ledger"
                           " ORDER BY symbol, id",
                           -1, &st, NULL),
        SQLITE_OK);
    size_t cap = 1 << 20, len = 0;
    char *text = calloc(1, cap);
    *rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_true(len + 512 < cap);
        len += (size_t)snprintf(
            text + len, cap - len,
            "%s,%s,%s,%s,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,"
            "%s\n",
            sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
            sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
            (long long)sqlite3_column_int64(st, 4),
            (long long)sqlite3_column_int64(st, 5),
            (long long)sqlite3_column_int64(st, 6),
            (long long)sqlite3_column_int64(st, 7),
            (long long)sqlite3_column_int64(st, 8),
            (long long)sqlite3_column_int64(st, 9),
            (long long)sqlite3_column_int64(st, 10),
            (long long)sqlite3_column_int64(st, 11),
            (long long)sqlite3_column_int64(st, 12),
            (long long)sqlite3_column_int64(st, 13),
            sqlite3_column_text(st, 14));
        (*rows)++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return text;
}

static void s_sha256_hex(const char *text, char hex[65])
{
    unsigned char digest[32];
    unsigned int len = 0;
    EVP_Digest(text, strlen(text), digest, &len, EVP_sha256(), NULL);
    assert_int_equal(len, 32);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

static json_t *s_load_json(const char *path)
{
    json_error_t error;
    json_t *doc = json_load_file(path, 0, &error);
    if (!doc)
        fail_msg("%s: %s", path, error.text);
    return doc;
}

static void test_deterministic_ledger(void **state)
{
    (void)state;
    char *data = s_walk_file("walk.csv", 6000);
    char db1[512], db2[512], rep1[512], rep2[512];
    snprintf(db1, sizeof db1, "%s/one.db", s_dir);
    snprintf(db2, sizeof db2, "%s/two.db", s_dir);
    snprintf(rep1, sizeof rep1, "%s/one.json", s_dir);
    snprintf(rep2, sizeof rep2, "%s/two.json", s_dir);
    char *out1 = NULL, *out2 = NULL;
    assert_int_equal(s_backtest(data, db1, rep1, NULL, &out1), 0);
    assert_int_equal(s_backtest(data, db2, rep2, NULL, &out2), 0);
    long rows1, rows2;
    char *l1 = s_ledger_text(db1, &rows1);
    char *l2 = s_ledger_text(db2, &rows2);
    assert_true(rows1 >= 10); /* it traded */
    assert_int_equal(rows1, rows2);
    assert_string_equal(l1, l2);
    char hex[65];
    s_sha256_hex(l1, hex);
    json_t *r1 = s_load_json(rep1), *r2 = s_load_json(rep2);
    assert_string_equal(json_string_value(json_object_get(r1, "ledger_sha256")),
                        hex);
    assert_string_equal(json_string_value(json_object_get(r2, "ledger_sha256")),
                        hex);
    assert_non_null(strstr(out1, hex)); /* printed too */
    assert_int_equal(json_integer_value(json_object_get(r1, "ledger_rows")),
                     rows1);
    json_decref(r1), json_decref(r2);
    free(l1), free(l2), free(out1), free(out2), free(data);
}

/* Time-driven exits (max_hold_s) in a backtest happen at a point the
   data fixes (actors/strategy.c), so they too give the same ledger run
   after run; and they do act: the ledger differs from the run without. */
static void test_time_exits_deterministic(void **state)
{
    (void)state;
    char *data = s_walk_file("walk3.csv", 3000);
    char db0[512], db1[512], db2[512];
    snprintf(db0, sizeof db0, "%s/hold0.db", s_dir);
    snprintf(db1, sizeof db1, "%s/hold1.db", s_dir);
    snprintf(db2, sizeof db2, "%s/hold2.db", s_dir);
    char *out0 = NULL, *out1 = NULL, *out2 = NULL;
    assert_int_equal(s_backtest(data, db0, NULL, NULL, &out0), 0);
    s_params = "{fast: 3, slow: 8, max_hold_s: 2}";
    assert_int_equal(s_backtest(data, db1, NULL, NULL, &out1), 0);
    assert_int_equal(s_backtest(data, db2, NULL, NULL, &out2), 0);
    s_params = S_PARAMS;
    long rows0, rows1, rows2;
    char *l0 = s_ledger_text(db0, &rows0);
    char *l1 = s_ledger_text(db1, &rows1);
    char *l2 = s_ledger_text(db2, &rows2);
    assert_true(rows1 >= 10);
    assert_int_equal(rows1, rows2);
    assert_string_equal(l1, l2);
    assert_true(strcmp(l0, l1) != 0);
    free(l0), free(l1), free(l2), free(out0), free(out1), free(out2);
    free(data);
}

static long s_query(const char *path, const char *sql);

/* The replay's count of steps and settles, from its info line. */
static void s_settles(const char *out, long *steps, long *settles)
{
    for (const char *line = out; (line = strstr(line, "feed/replay: ")); line++)
        if (sscanf(line, "feed/replay: %ld steps, %ld settles", steps,
                   settles) == 2)
            return;
    fail_msg("no count of settles in: %s", out);
}

/* The replay sends the market time in band and waits for the graph
   (settles) only where something crosses threads and comes back, or to
   bound what is in flight (actors/feed_replay.c): 600 s of data, 600
   boundaries, at most one settle in 16 of them (a settle every 32
   boundaries, the first and the last), and the ledger of a run that
   logs no more. */
static void test_boundaries_in_flight(void **state)
{
    (void)state;
    char *data = s_walk_file("walk5.csv", 3000);
    char db1[512], db2[512];
    snprintf(db1, sizeof db1, "%s/once1.db", s_dir);
    snprintf(db2, sizeof db2, "%s/once2.db", s_dir);
    char *out1 = NULL, *out2 = NULL;
    assert_int_equal(s_backtest(data, db1, NULL, "--log-level=info", &out1), 0);
    assert_int_equal(s_backtest(data, db2, NULL, NULL, &out2), 0);
    long steps, settles;
    s_settles(out1, &steps, &settles);
    assert_true(steps >= 600);
    assert_true(settles * 16 <= steps);
    long rows1, rows2;
    char *l1 = s_ledger_text(db1, &rows1);
    char *l2 = s_ledger_text(db2, &rows2);
    assert_true(rows1 >= 10);
    assert_string_equal(l1, l2);
    free(l1), free(l2), free(out1), free(out2), free(data);
}

/* A symbol quiet for a minute while the others trade goes stale (its
   data actor reports to the root, which pauses it) and fresh again when
   its ticks return (the root resumes it). Both go through the root, off
   the symbol's worker: the clock that finds it stale settles at once,
   the clock after its first ticks waits for them first, so the resume
   is in force before that clock's signals, and the
   ledger is the same run after run, and the symbol trades again after
   its gap. */
static void test_stale_symbol_deterministic(void **state)
{
    (void)state;
    s_stale_ms = 3000;
    s_gap_from = 1000; /* 200 s to 260 s */
    s_gap_to = 1300;
    char *data = s_walk_file("walk-gap.csv", 3000);
    s_gap_from = s_gap_to = -1;
    char db[3][512];
    char *out[3] = {NULL, NULL, NULL};
    char *ledger[3];
    long rows[3];
    for (int r = 0; r < 3; r++) {
        snprintf(db[r], sizeof db[r], "%s/gap%d.db", s_dir, r);
        assert_int_equal(s_backtest(data, db[r], NULL,
                                    r ? NULL : "--log-level=info", &out[r]),
                         0);
        ledger[r] = s_ledger_text(db[r], &rows[r]);
    }
    s_stale_ms = 600000;
    assert_true(rows[0] >= 10);
    assert_string_equal(ledger[0], ledger[1]);
    assert_string_equal(ledger[0], ledger[2]);
    assert_non_null(strstr(out[0], "AAA/data: no tick for"));
    /* Each clock of the gap past stale_ms settles at once (57 of them),
       beside the two dozen of a run without the gap. */
    long steps, settles;
    s_settles(out[0], &steps, &settles);
    assert_true(settles >= 70);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM orders WHERE symbol = 'AAA' AND "
             "created_ts >= %lld",
             (long long)(INT64_C(1700000260) * 1000000000));
    assert_true(s_query(db[0], sql) > 0);
    for (int r = 0; r < 3; r++)
        free(ledger[r]), free(out[r]);
    free(data);
}

/* Minute bars of the three symbols (a walk of the test's own), 600 of
   each, with the timeframe line the bar reader needs. */
static char *s_bar_file(void)
{
    size_t cap = 600 * 3 * 64 + 128, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap,
                            "# timeframe=60s\n"
                            "symbol,ts_ns,open,high,low,close,"
                            "volume\n");
    const char *names[3] = {"AAA", "BBB", "CCC"};
    long px[3] = {10000, 20000, 5000};
    uint64_t rng = 88172645463325252u;
    int64_t t0 = INT64_C(1700000040) * 1000000000; /* a minute's start */
    for (int i = 0; i < 600; i++)
        for (int k = 0; k < 3; k++) {
            rng = rng * 6364136223846793005u + 1442695040888963407u;
            long open = px[k];
            long close = open + (long)((rng >> 33) % 21) - 10;
            long hi = (open > close ? open : close) + 2;
            long lo = (open < close ? open : close) - 2;
            px[k] = close;
            len += (size_t)snprintf(
                text + len, cap - len,
                "%s,%lld,%ld.%02ld,%ld.%02ld,%ld.%02ld,%ld.%02ld,%d\n",
                names[k], (long long)(t0 + (int64_t)i * 60000000000),
                open / 100, open % 100, hi / 100, hi % 100, lo / 100, lo % 100,
                close / 100, close % 100, 5 + (int)((rng >> 20) % 40));
        }
    char *path = tth_write_file(s_dir, "bars.csv", text);
    free(text);
    return path;
}

/* A bar decides signals by itself, on any step: a replay of bars waits
   for the graph before and after every clock, as every replay once did,
   and gives the same ledger run after run. */
static void test_bars_settle_every_boundary(void **state)
{
    (void)state;
    char *data = s_bar_file();
    char db1[512], db2[512];
    snprintf(db1, sizeof db1, "%s/bars1.db", s_dir);
    snprintf(db2, sizeof db2, "%s/bars2.db", s_dir);
    char *out1 = NULL, *out2 = NULL;
    s_timeframes = "[60]";
    assert_int_equal(s_backtest(data, db1, NULL, "--log-level=info", &out1), 0);
    assert_int_equal(s_backtest(data, db2, NULL, NULL, &out2), 0);
    s_timeframes = "[1]";
    long steps, settles;
    s_settles(out1, &steps, &settles);
    assert_true(steps >= 599);
    assert_true(settles >= 2 * steps - 2);
    long rows1, rows2;
    char *l1 = s_ledger_text(db1, &rows1);
    char *l2 = s_ledger_text(db2, &rows2);
    assert_true(rows1 >= 10);
    assert_string_equal(l1, l2);
    free(l1), free(l2), free(out1), free(out2), free(data);
}

static void test_report_totals_and_store(void **state)
{
    (void)state;
    char *data = s_walk_file("walk2.csv", 4000);
    char db[512], rep[512];
    snprintf(db, sizeof db, "%s/r.db", s_dir);
    snprintf(rep, sizeof rep, "%s/r.json", s_dir);
    char *out = NULL;
    assert_int_equal(s_backtest(data, db, rep, NULL, &out), 0);
    json_t *doc = s_load_json(rep);
    json_t *symbols = json_object_get(doc, "symbols");
    json_t *total = json_object_get(doc, "total");
    assert_true(json_array_size(symbols) >= 1);
    long trades = 0, fills = 0;
    double net = 0, fees = 0, gross = 0;
    for (size_t i = 0; i < json_array_size(symbols); i++) {
        json_t *l = json_array_get(symbols, i);
        trades += (long)json_integer_value(json_object_get(l, "trades"));
        fills += (long)json_integer_value(json_object_get(l, "fills"));
        net += json_real_value(json_object_get(l, "net_pnl"));
        fees += json_real_value(json_object_get(l, "fees"));
        gross += json_real_value(json_object_get(l, "gross_pnl"));
        double wr = json_real_value(json_object_get(l, "win_rate"));
        assert_true(wr >= 0 && wr <= 1);
    }
    assert_int_equal(json_integer_value(json_object_get(total, "trades")),
                     trades);
    assert_int_equal(json_integer_value(json_object_get(total, "fills")),
                     fills);
    assert_true(fabs(json_real_value(json_object_get(total, "net_pnl")) - net) <
                1e-6);
    assert_true(fabs(gross - fees - net) < 1e-6);
    /* The ledger agrees: net = sum(realized - fee) / 100. */
    sqlite3 *sdb;
    assert_int_equal(sqlite3_open(db, &sdb), SQLITE_OK);
    assert_int_equal(tth_query_long(sdb, "SELECT count(*) FROM ledger"), fills);
    long cents = tth_query_long(sdb, "SELECT sum(realized - fee) FROM ledger");
    assert_true(fabs((double)cents / 100.0 - net) < 1e-6);
    assert_int_equal(
        tth_query_long(sdb, "SELECT count(*) FROM kv WHERE k = 'report'"), 1);
    /* Exits by signal (the stop and target cancelled, then a market
       exit) are no unprotected position: no trade.protection event, no
       UNPROTECTED line (each such exit raised both). */
    assert_true(tth_query_long(sdb, "SELECT count(*) FROM orders"
                                    " WHERE role = 'x' AND state = 4") >= 3);
    assert_int_equal(tth_query_long(sdb, "SELECT count(*) FROM events WHERE"
                                         " topic LIKE 'trade.protection.%'"),
                     0);
    assert_null(strstr(out, "UNPROTECTED"));
    sqlite3_close(sdb);
    json_decref(doc);
    free(out), free(data);
}

static long s_count(const char *db_path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    long n = tth_query_long(db, sql);
    sqlite3_close(db);
    return n;
}

/* The live run's tick-to-signal and tick-to-order figures, logged by the
   root at stop (runtime/latency.h): signals at least one; orders decided
   on a signal at least one; those decided on other input (a fill's stop
   and target) may be none, when no entry filled; all decided no more than
   the stored orders; those at the broker no more than those decided; the
   quantiles in order. */
static void s_check_latency_line(const char *log_path, long orders)
{
    char *log = tth_read_file(log_path);
    assert_non_null(log);
    enum { N_STAGES = 4 };
    long n[N_STAGES] = {-1, -1, 0, -1};
    const char *stage[N_STAGES] = {
        "tick to signal: ", "tick to order (decided on a signal): ",
        "tick to order (decided on other input): ",
        "tick to order (at the broker): "};
    const char *noun[N_STAGES] = {"signals", "orders", "orders", "orders"};
    for (int k = 0; k < N_STAGES; k++) {
        const char *at = strstr(log, stage[k]);
        if (!at && k == 2)
            continue; /* no entry filled: the root logs no empty stage */
        if (!at)
            fail_msg("no '%s' line in the log", stage[k]);
        char what[16] = "";
        double p50, p99, p999, max;
        assert_int_equal(sscanf(at + strlen(stage[k]),
                                "%ld %15s p50 %lf us, p99 %lf us, p99.9 "
                                "%lf us, max %lf us",
                                &n[k], what, &p50, &p99, &p999, &max),
                         6);
        assert_int_equal(strncmp(what, noun[k], strlen(noun[k])), 0);
        assert_true(p50 > 0 && p50 <= p99 && p99 <= p999 && p999 <= max);
    }
    assert_true(n[0] >= 1);
    assert_true(n[1] >= 1 && n[1] + n[2] <= orders);
    assert_true(n[3] >= 1 && n[3] <= n[1] + n[2]);
    free(log);
}

/* A portfolio limit couples the symbols (one slot for three here): on
   two workers, which of two entries decided at the same moment took the
   slot was the threads' choice. The backtest runs them on one worker and
   says so, and two runs give the same ledger; the limit did refuse
   entries. */
static void test_coupled_symbols_deterministic(void **state)
{
    (void)state;
    char *data = s_walk_file("walk4.csv", 6000);
    char db1[512], db2[512];
    snprintf(db1, sizeof db1, "%s/pf1.db", s_dir);
    snprintf(db2, sizeof db2, "%s/pf2.db", s_dir);
    s_service_extra = "portfolio:\n  max_open_positions: 1\n";
    char *out1 = NULL, *out2 = NULL;
    assert_int_equal(s_backtest(data, db1, NULL, NULL, &out1), 0);
    assert_int_equal(s_backtest(data, db2, NULL, NULL, &out2), 0);
    s_service_extra = "";
    const char *note = "portfolio.max_open_positions couples the symbols: "
                       "they run on one worker (not 2)";
    if (!strstr(out1, note) || !strstr(out2, note))
        fail_msg("no one-worker note:\n%s", out1);
    long rows1, rows2;
    char *l1 = s_ledger_text(db1, &rows1);
    char *l2 = s_ledger_text(db2, &rows2);
    assert_true(rows1 >= 10);
    assert_int_equal(rows1, rows2);
    assert_string_equal(l1, l2);
    assert_true(s_count(db1, "SELECT count(*) FROM events"
                             " WHERE topic LIKE 'trade.rejection.%'") > 0);
    free(l1), free(l2), free(out1), free(out2), free(data);
}

/* The live run's trading-from time, from the recording's first line. */
static char *s_trading_from(const char *ticks)
{
    char *text = tth_read_file(ticks);
    assert_non_null(text);
    long long from = 0;
    assert_int_equal(sscanf(text, "# trading from %lld", &from), 1);
    free(text);
    char *out = malloc(32);
    snprintf(out, 32, "%lld.%09lld", from / 1000000000, from % 1000000000);
    return out;
}

static char *s_table(const char *db_path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    size_t cap = 1 << 20, len = 0;
    char *text = calloc(1, cap);
    while (sqlite3_step(st) == SQLITE_ROW && len + 256 < cap) {
        for (int c = 0; c < sqlite3_column_count(st); c++)
            len += (size_t)snprintf(text + len, cap - len, "%s,",
                                    sqlite3_column_text(st, c));
        text[len++] = '\n';
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return text;
}

static void test_parity_with_a_live_run(void **state)
{
    (void)state;
    char ticks[512], extra[600];
    snprintf(ticks, sizeof ticks, "%s/live-ticks.csv", s_dir);
    snprintf(extra, sizeof extra, "  record_ticks: %s\n", ticks);
    tth_venue_params = "{seed: 11, tick_rate_hz: 50, volatility: 2.0}";
    tth_strategy_params = "{fast: 3, slow: 8}";
    tth_symbol_extra = "  timeframes: [1]\n";
    tth_proc_t *proc = tth_proc_start(3, extra, NULL);
    char live_db[512];
    snprintf(live_db, sizeof live_db, "%s/ticktree.db", proc->dir);
    /* Until enough fills happened (bounded), then a clean stop: the
       comparison below needs most of them before the cut. Under the
       sanitizers on a loaded machine 6 fills once left fewer than 4
       before it, so the run goes on to 8. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(live_db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 1000);
    int64_t deadline = tth_now_ms() + 60000;
    long live_fills_n = 0;
    while ((live_fills_n = tth_query_long(db, "SELECT count(*) FROM ledger")) <
               8 &&
           tth_now_ms() < deadline)
        tth_nap_ms(100);
    sqlite3_close(db);
    if (live_fills_n < 6)
        tth_proc_dump_log(proc);
    assert_true(live_fills_n >= 6);
    assert_int_equal(tth_proc_signal_wait(proc, SIGINT, 10000), 0);
    char *from = s_trading_from(ticks);
    char bt_db[512];
    snprintf(bt_db, sizeof bt_db, "%s/parity.db", s_dir);
    const char *args[] = {"backtest", "-c",      proc->config, "--data",
                          ticks,      "--from",  from,         "--db",
                          bt_db,      "--quiet", NULL};
    char *out = NULL;
    int code = tth_run_binary(args, &out);
    if (code != 0)
        fail_msg("backtest failed (%d):\n%s", code, out);
    /* The recording holds every tick the feed sent, but at the stop the
       last of them may not have been handled yet (the feed stops first,
       then the symbols, on another pipe). The live run handled every
       tick before the open of the last candle it stored for each
       symbol: up to there the two runs must agree exactly. */
    long cut = s_count(live_db, "SELECT min(last) FROM (SELECT"
                                " max(open_ts) AS last FROM candles"
                                " WHERE tf_s = 1 GROUP BY symbol)");
    assert_true(cut > 0);
    char fills_sql[256], orders_sql[256];
    snprintf(fills_sql, sizeof fills_sql,
             "SELECT symbol, coid, fill_id, side, qty, px, fee, ts, pos_qty"
             " FROM ledger WHERE ts < %ld ORDER BY symbol, id",
             cut);
    snprintf(orders_sql, sizeof orders_sql,
             "SELECT coid, symbol, role, side, type, qty, limit_px, stop_px"
             " FROM orders WHERE created_ts < %ld ORDER BY coid",
             cut);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM ledger WHERE ts < %ld",
             cut);
    assert_true(s_count(live_db, sql) >= 4); /* most of the run compared */
    char *live_fills = s_table(live_db, fills_sql);
    char *bt_fills = s_table(bt_db, fills_sql);
    char *live_orders = s_table(live_db, orders_sql);
    char *bt_orders = s_table(bt_db, orders_sql);
    assert_true(strlen(live_fills) > 0);
    assert_string_equal(live_fills, bt_fills);
    assert_string_equal(live_orders, bt_orders);
    s_check_latency_line(proc->log, s_count(live_db, "SELECT COUNT(*) FROM "
                                                     "orders"));
    free(live_fills), free(bt_fills), free(live_orders), free(bt_orders);
    free(out), free(from);
    tth_proc_destroy(&proc);
}

static void s_expect_fail(const char *data, const char *extra, int code,
                          const char *message)
{
    char db[512];
    snprintf(db, sizeof db, "%s/bad.db", s_dir);
    char *out = NULL;
    int rc = s_backtest(data, db, NULL, extra, &out);
    if (rc != code || !strstr(out, message))
        fail_msg("expected exit %d with '%s', got %d:\n%s", code, message, rc,
                 out);
    free(out);
}

/* A backtest's store is new: the indicator actors' first start does not
   open it to warm up (nothing there), so none of them says what it found
   in it; the run still trades. */
static void test_no_store_warm_up_at_first_start(void **state)
{
    (void)state;
    char *data = s_walk_file("walk-warm.csv", 3000);
    char db[512];
    snprintf(db, sizeof db, "%s/warm.db", s_dir);
    char *out = NULL;
    assert_int_equal(s_backtest(data, db, NULL, "--log-level=info", &out), 0);
    assert_non_null(strstr(out, "replayed "));
    /* The summary says what the run cost: CPU beside the wall time, and
       at most every core busy (CPU is the process's, all threads). */
    const char *cost = strstr(out, ", CPU ");
    double cpu = 0, cores = 0;
    assert_non_null(cost);
    assert_int_equal(sscanf(cost, ", CPU %lf s (%lf cores busy)", &cpu, &cores),
                     2);
    assert_true(cpu > 0 && cores > 0);
    assert_true(cores <= (double)sysconf(_SC_NPROCESSORS_ONLN) + 0.05);
    assert_null(strstr(out, "stored for the indicators"));
    assert_null(strstr(out, "warm-up from the store"));
    long rows;
    char *ledger = s_ledger_text(db, &rows);
    assert_true(rows >= 1);
    free(ledger), free(out), free(data);
}

/* A store that fills up (service.store_max_pages: a file capped a little
   above its empty schema, as a full disk would be) fails a write after
   the open group had changed rows: the group is rolled back and its rows
   are lost. The run must not pass for a good one: exit 1, and the report
   and the error say that the store lost rows. The same run without the
   cap passes and keeps its fills (the loss is the cap's). */
static void test_lost_rows_fail_the_run(void **state)
{
    (void)state;
    char *data = s_walk_file("lost.csv", 3000);
    char db[512];
    snprintf(db, sizeof db, "%s/lost.db", s_dir);
    char *out = NULL;
    assert_int_equal(s_backtest(data, db, NULL, NULL, &out), 0);
    assert_null(strstr(out, "lost rows"));
    long kept = s_count(db, "SELECT COUNT(*) FROM ledger");
    assert_true(kept >= 5);
    long pages = s_count(db, "PRAGMA page_count");
    free(out);
    s_service_extra = "  store_max_pages: 40\n";
    assert_true(pages > 40 + 20);
    int code = s_backtest(data, db, NULL, NULL, &out);
    s_service_extra = "";
    if (code != 1 || !strstr(out, "ticktree backtest: the store lost rows: "))
        fail_msg("expected exit 1 and the lost rows, got %d:\n%s", code, out);
    /* said in the report too, before its table */
    assert_non_null(strstr(out, "\nthe store lost rows: "));
    assert_non_null(strstr(out, "rolled back"));
    assert_true(s_count(db, "SELECT COUNT(*) FROM ledger") < kept);
    free(out), free(data);
}

static void test_bad_data(void **state)
{
    (void)state;
    char *missing = tth_write_file(s_dir, "AAA.csv", "ts_ns,price\n1,2\n");
    char msg[600];
    snprintf(msg, sizeof msg, "%s:1: missing column size", missing);
    s_expect_fail(missing, NULL, 1, msg);
    char *bad = tth_write_file(s_dir, "BBB.csv",
                               "ts_ns,price,size\n"
                               "1700000000000000000,10.00,1\n"
                               "1700000000100000000,1x.00,1\n"
                               "1700000000200000000,10.01,1\n");
    snprintf(msg, sizeof msg, "%s:3: bad price '1x.00'", bad);
    s_expect_fail(bad, NULL, 1, msg);
    char *back = tth_write_file(s_dir, "CCC.csv",
                                "ts_ns,price,size\n"
                                "1700000000200000000,10.00,1\n"
                                "1700000000100000000,10.01,1\n");
    snprintf(msg, sizeof msg, "%s:3: time goes backwards", back);
    s_expect_fail(back, NULL, 1, msg);
    /* Lenient: the bad row is skipped and counted in the report. */
    char db[512];
    snprintf(db, sizeof db, "%s/lenient.db", s_dir);
    char *out = NULL;
    assert_int_equal(s_backtest(bad, db, NULL, "--lenient", &out), 0);
    assert_non_null(strstr(out, "skipped 1 bad row(s): bad number 1;"));
    assert_non_null(strstr(out, "replayed 2 events"));
    free(out);
    char *unknown = tth_write_file(s_dir, "ZZZ.csv", "ts_ns,price,size\n");
    s_expect_fail(unknown, NULL, 1, "unknown symbol 'ZZZ'");
    free(missing), free(bad), free(back), free(unknown);
}

/* 2023-11-14 (a Tuesday): 16:00 New York is 21:00 UTC; the next day
   opens at 14:30 UTC. */
#define S_CLOSE_NS (INT64_C(1699995600) * 1000000000)
#define S_NEXT_OPEN_NS (INT64_C(1700058600) * 1000000000)

/* Ticks of AAA from 15:50 to the close and for ten minutes after the next
   open, 5 a second: flat, falling for 20 s from 2 min 20 s before the
   close, then rising two cents a tick, so the strategy goes long once on
   the cross and is still long at the bell; flat again the next morning
   (no cross: held, unless something else closes it). */
static char *s_session_file(void)
{
    size_t cap = 6000 * 48 + 64, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "symbol,ts_ns,price,size\n");
    long px = 10000;
    for (int day = 0; day < 2; day++) {
        int64_t t0 = day ? S_NEXT_OPEN_NS : S_CLOSE_NS - INT64_C(600000000000);
        for (int i = 0; i < 3000; i++) {
            if (day == 0 && i >= 2300)
                px += i < 2400 ? -1 : 2;
            long at = px + (i % 2 ? 2 : -2);
            len += (size_t)snprintf(
                text + len, cap - len, "AAA,%lld,%ld.%02ld,10\n",
                (long long)(t0 + (int64_t)i * 200000000), at / 100, at % 100);
        }
    }
    char *path = tth_write_file(s_dir, "session.csv", text);
    free(text);
    return path;
}

static long s_query(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    long n = tth_query_long(db, sql);
    sqlite3_close(db);
    return n;
}

/* Market sessions in a backtest are stepped inside the replay's
   lockstep (actors/feed_replay.h): the position held at the close is
   force-closed by an exit decided at the close and filled at the next
   open's first trade, nothing else is decided between the two, the
   end-of-day summary is stored, and all of it the same run after run.
   Without a calendar (always open, the default) the position rides
   through the night: the ledgers differ. */
static void test_sessions_in_backtest(void **state)
{
    (void)state;
    char *data = s_session_file();
    char db0[512], db1[512], db2[512];
    snprintf(db0, sizeof db0, "%s/sess0.db", s_dir);
    snprintf(db1, sizeof db1, "%s/sess1.db", s_dir);
    snprintf(db2, sizeof db2, "%s/sess2.db", s_dir);
    char *out0 = NULL, *out1 = NULL, *out2 = NULL;
    s_params = "{fast: 3, slow: 8, stop_pct: 5, target_r: 3}";
    assert_int_equal(s_backtest(data, db0, NULL, NULL, &out0), 0);
    s_venue_extra = "    calendar: us_equity\n";
    assert_int_equal(s_backtest(data, db1, NULL, NULL, &out1), 0);
    assert_int_equal(s_backtest(data, db2, NULL, NULL, &out2), 0);
    s_venue_extra = "";
    s_params = S_PARAMS;
    long rows0, rows1, rows2;
    char *l0 = s_ledger_text(db0, &rows0);
    char *l1 = s_ledger_text(db1, &rows1);
    char *l2 = s_ledger_text(db2, &rows2);
    assert_string_equal(l1, l2);
    assert_true(strcmp(l0, l1) != 0);
    /* Long at the close: one exit, created at the close, filled at the
       next open's first tick, and no other order in between. */
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM orders WHERE role = 'x' AND created_ts = "
             "%lld AND state = 4",
             (long long)S_CLOSE_NS);
    assert_int_equal(s_query(db1, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM orders WHERE created_ts > %lld AND "
             "created_ts < %lld",
             (long long)S_CLOSE_NS, (long long)S_NEXT_OPEN_NS);
    assert_int_equal(s_query(db1, sql), 0);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM ledger WHERE ts = %lld AND pos_qty = 0",
             (long long)S_NEXT_OPEN_NS);
    assert_int_equal(s_query(db1, sql), 1);
    assert_int_equal(s_query(db1, "SELECT count(*) FROM events WHERE "
                                  "topic = 'trade.eod.total'"),
                     1);
    /* Always open: held through the night, no force-close. */
    assert_int_equal(s_query(db0, sql), 0);
    free(l0), free(l1), free(l2), free(out0), free(out1), free(out2);
    free(data);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    char *config = s_config();
    struct {
        const char *args[10];
        const char *message;
    } cases[] = {
        {{"backtest", "-c", config, NULL}, "--data FILE is required"},
        {{"backtest", "-c", config, "--data", "x.csv", "--speed", "fast", NULL},
         "--speed 'fast'"},
        {{"backtest", "-c", config, "--data", "x.csv", "--from", "yesterday",
          NULL},
         "--from 'yesterday' is not a time"},
        {{"backtest", "-c", config, "--data", "x.csv", "--from", "2000",
          "--to"},
         "requires an argument"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL;
        int rc = tth_run_binary(cases[i].args, &out);
        if (rc != 2 || !strstr(out, cases[i].message))
            fail_msg("case %zu: expected exit 2 with '%s', got %d:\n%s", i,
                     cases[i].message, rc, out);
        free(out);
    }
    free(config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic_ledger),
        cmocka_unit_test(test_time_exits_deterministic),
        cmocka_unit_test(test_boundaries_in_flight),
        cmocka_unit_test(test_stale_symbol_deterministic),
        cmocka_unit_test(test_bars_settle_every_boundary),
        cmocka_unit_test(test_coupled_symbols_deterministic),
        cmocka_unit_test(test_sessions_in_backtest),
        cmocka_unit_test(test_report_totals_and_store),
        cmocka_unit_test(test_bad_data),
        cmocka_unit_test(test_no_store_warm_up_at_first_start),
        cmocka_unit_test(test_lost_rows_fail_the_run),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_parity_with_a_live_run),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
