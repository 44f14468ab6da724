/*  tests/test_indicators_cli.c: `ticktree indicators`, through the real
    binary (fork and exec, stdout and stderr captured apart). A small file
    whose SMA and EMA are worked out here by hand; the 3000-bar reference
    series of tests/fixtures/indicators against the values written by the
    independent Python implementation (1e-9), and bit for bit against the
    library run in this process (the printed numbers round-trip); the empty
    cells before each indicator is ready; and every bad input with its
    exact message (FILE:LINE for the data) and exit code. */
#include "tests/harness.h"

#include "indicators/indicator.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FIX_DIR TT_TESTS_DIR "/fixtures/indicators"
#define MAX_COLS 40
#define MAX_ROWS 3100

typedef struct {
    int code;
    char *out, *err;
} run_t;

static char *s_dir;

static int s_setup(void **state)
{
    (void)state;
    s_dir = tth_tmpdir("tt_indcli");
    return s_dir ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    tth_rmtree(s_dir);
    free(s_dir);
    return 0;
}

/* Runs `ticktree indicators ARGS...` (NULL-terminated) to completion. */
static run_t s_run(const char *const *args)
{
    char out_path[512], err_path[512];
    snprintf(out_path, sizeof out_path, "%s/stdout", s_dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", s_dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (out < 0 || err < 0)
            _exit(126);
        dup2(out, 1);
        dup2(err, 2);
        const char *argv[16] = {TT_BINARY, "indicators"};
        for (int i = 0; args[i] && i < 13; i++)
            argv[i + 2] = args[i];
        execv(TT_BINARY, (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    run_t r = {WEXITSTATUS(status), tth_read_file(out_path),
               tth_read_file(err_path)};
    assert_non_null(r.out);
    assert_non_null(r.err);
    return r;
}

static void s_free(run_t *r)
{
    free(r->out);
    free(r->err);
}

static char *s_file(const char *name, const char *content)
{
    return tth_write_file(s_dir, name, content);
}

/* Splits the NUL-terminated LINE (modified) at commas. */
static int s_fields(char *line, char **f, int max)
{
    int n = 0;
    for (char *p = line; p && n < max; n++) {
        f[n] = p;
        p = strchr(p, ',');
        if (p)
            *p++ = '\0';
    }
    return n;
}

/* Next line of *TEXT (modified), or NULL at the end. */
static char *s_line(char **text)
{
    if (!*text || !**text)
        return NULL;
    char *line = *text;
    char *nl = strchr(line, '\n');
    assert_non_null(nl); /* every line ends with a newline */
    *nl = '\0';
    *text = nl + 1;
    return line;
}

static double s_num(const char *text)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end)
        fail_msg("not a number: '%s'", text);
    return v;
}

static void s_near(double got, double want, double tol, const char *what,
                   int row)
{
    double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
    if (!(fabs(got - want) <= tol * scale))
        fail_msg("%s row %d: got %.17g want %.17g", what, row, got, want);
}

/* ---- values worked out by hand -------------------------------------------
 */

static void test_sma_ema_by_hand(void **state)
{
    (void)state;
    static const double close[] = {10, 11, 12.5, 11, 13, 14.25, 12};
    char text[2048] = "# a minute series, RFC 3339 times\n"
                      "time,open,high,low,close,volume\n";
    for (int i = 0; i < 7; i++) {
        char row[128];
        snprintf(row, sizeof row, "2024-01-02T14:%02d:00Z,%g,%g,%g,%g,%d\n",
                 30 + i, close[i], close[i] + 1, close[i] - 1, close[i],
                 100 + i);
        strcat(text, row);
    }
    char *path = s_file("hand.csv", text);
    run_t r =
        s_run((const char *[]){"--data", path, "--ind", "sma:3, ema:3 ", NULL});
    assert_string_equal(r.err, "");
    assert_int_equal(r.code, 0);
    char *p = r.out;
    assert_string_equal(s_line(&p), "ts_ms,sma_3,ema_3");
    /* EMA(3): k = 2 / 4, seeded with the SMA of the first three closes. */
    double ema = (10 + 11 + 12.5) / 3;
    for (int i = 0; i < 7; i++) {
        char *line = s_line(&p), *f[4];
        assert_non_null(line);
        assert_int_equal(s_fields(line, f, 4), 3);
        /* 2024-01-02T14:30:00Z is 1704205800 s after the epoch. */
        assert_int_equal(strtoll(f[0], NULL, 10),
                         (1704205800LL + 60 * i) * 1000);
        if (i < 2) {
            assert_string_equal(f[1], "");
            assert_string_equal(f[2], "");
            continue;
        }
        double sma = (close[i - 2] + close[i - 1] + close[i]) / 3;
        if (i > 2)
            ema = (close[i] - ema) * 0.5 + ema;
        s_near(s_num(f[1]), sma, 1e-15, "sma_3", i);
        s_near(s_num(f[2]), ema, 1e-15, "ema_3", i);
    }
    assert_null(s_line(&p));
    s_free(&r);
    free(path);
}

/* A header and no rows is an empty, valid series. */
static void test_header_only(void **state)
{
    (void)state;
    char *path = s_file("empty.csv", "ts_ms,open,high,low,close,volume\n");
    run_t r =
        s_run((const char *[]){"--data", path, "--ind",
                               "macd:12:26:9,bb:20:2,stoch:14:3:3,vwap", NULL});
    assert_int_equal(r.code, 0);
    assert_string_equal(r.out,
                        "ts_ms,macd_12_26_9_line,macd_12_26_9_signal,"
                        "macd_12_26_9_hist,bb_20_2_upper,bb_20_2_middle,"
                        "bb_20_2_lower,stoch_14_3_3_k,stoch_14_3_3_d,vwap\n");
    s_free(&r);
    free(path);
}

/* ---- the reference series ------------------------------------------------
 */

typedef struct {
    const char *fixture; /* tests/fixtures/indicators/<fixture> */
    const char *spec;    /* the --ind item */
    const char *cols[3]; /* output column names, in the fixture's order */
} ref_t;

static const ref_t s_refs[] = {
    {"sma_20.csv", "sma:20", {"sma_20"}},
    {"ema_10.csv", "ema:10", {"ema_10"}},
    {"rsi_14.csv", "rsi:14", {"rsi_14"}},
    {"macd_12_26_9.csv",
     "macd:12:26:9",
     {"macd_12_26_9_line", "macd_12_26_9_signal", "macd_12_26_9_hist"}},
    {"bbands_20_2.csv",
     "bb:20:2",
     {"bb_20_2_upper", "bb_20_2_middle", "bb_20_2_lower"}},
    {"bbands_5_1.5.csv",
     "bbands:5:1.5",
     {"bbands_5_1.5_upper", "bbands_5_1.5_middle", "bbands_5_1.5_lower"}},
    {"atr_14.csv", "atr:14", {"atr_14"}},
    {"stoch_5_3_3.csv", "stoch:5:3:3", {"stoch_5_3_3_k", "stoch_5_3_3_d"}},
    {"vwap_day.csv", "vwap", {"vwap"}},
    {"vwap_nyse.csv", "vwap:86400:48600", {"vwap_86400_48600"}},
    {"donchian_20.csv",
     "donchian:20",
     {"donchian_20_high", "donchian_20_low", "donchian_20_mid"}},
};
#define NREFS (sizeof s_refs / sizeof s_refs[0])

typedef struct {
    int ncols;
    char *names[MAX_COLS];
    int nrows;
    char **cells; /* nrows * ncols, pointing into text */
    char *text;
} table_t;

static void s_table(table_t *t, char *text)
{
    memset(t, 0, sizeof *t);
    t->text = text;
    t->cells = calloc((size_t)MAX_ROWS * MAX_COLS, sizeof *t->cells);
    assert_non_null(t->cells);
    char *p = text;
    t->ncols = s_fields(s_line(&p), t->names, MAX_COLS);
    for (char *line; (line = s_line(&p));) {
        assert_true(t->nrows < MAX_ROWS);
        char **row = &t->cells[(size_t)t->nrows++ * MAX_COLS];
        assert_int_equal(s_fields(line, row, MAX_COLS), t->ncols);
    }
}

static int s_col(const table_t *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->names[i], name) == 0)
            return i;
    fail_msg("no column %s", name);
    return -1;
}

static const char *s_cell(const table_t *t, int row, int col)
{
    return t->cells[(size_t)row * MAX_COLS + (size_t)col];
}

/* bars.csv (open_ts_ns, ...) rewritten with a ts_ms column; the numbers
   are copied as text. Also returns the bars as the library sees them. */
static char *s_reference_bars(tt_ind_input_t *bars, int *nbars)
{
    char *src = tth_read_file(FIX_DIR "/bars.csv");
    assert_non_null(src);
    size_t cap = strlen(src) + 64;
    char *dst = malloc(cap), *p = src;
    size_t len = (size_t)snprintf(dst, cap,
                                  "# timeframe=1m\n"
                                  "ts_ms,open,high,low,close,"
                                  "volume\n");
    s_line(&p); /* header */
    *nbars = 0;
    for (char *line; (line = s_line(&p));) {
        char *f[6];
        assert_int_equal(s_fields(line, f, 6), 6);
        long long ns = strtoll(f[0], NULL, 10);
        len += (size_t)snprintf(dst + len, cap - len, "%lld,%s,%s,%s,%s,%s\n",
                                ns / 1000000, f[1], f[2], f[3], f[4], f[5]);
        assert_true(len < cap && *nbars < MAX_ROWS);
        bars[(*nbars)++] = (tt_ind_input_t){s_num(f[2]), s_num(f[3]),
                                            s_num(f[4]), s_num(f[5]), ns};
    }
    free(src);
    char *path = s_file("reference.csv", dst);
    free(dst);
    return path;
}

/* One reference: the fixture's values to 1e-9, the library's bit for bit,
   empty cells exactly while the fixture says not ready. */
static void s_check_ref(const table_t *t, const ref_t *ref,
                        const tt_ind_input_t *bars, int nbars)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", FIX_DIR, ref->fixture);
    char *text = tth_read_file(path), *p = text;
    assert_non_null(text);
    s_line(&p);
    tt_ind_spec_t spec = {0};
    char err[256];
    /* The spec the library runs, from the fixture's case line. */
    char *cases = tth_read_file(FIX_DIR "/cases.csv"), *q = cases;
    for (char *line; (line = s_line(&q));) {
        char *f[8];
        if (s_fields(line, f, 8) == 8 && strcmp(f[0], ref->fixture) == 0) {
            assert_int_equal(tt_ind_kind_from_name(f[1], &spec.kind), 0);
            spec = (tt_ind_spec_t){spec.kind,  atoi(f[2]), atoi(f[3]),
                                   atoi(f[4]), atoi(f[5]), s_num(f[6])};
        }
    }
    free(cases);
    tt_indicator_t *ind = tt_indicator_new(&spec, err, sizeof err);
    assert_non_null(ind);
    int cols[3], nout = 0;
    while (nout < 3 && ref->cols[nout]) {
        cols[nout] = s_col(t, ref->cols[nout]);
        nout++;
    }
    assert_int_equal(t->nrows, nbars);
    for (int row = 0; row < nbars; row++) {
        char *line = s_line(&p), *f[4];
        assert_non_null(line);
        assert_int_equal(s_fields(line, f, 4), 4);
        tt_indicator_update(ind, &bars[row]);
        tt_ind_value_t v = tt_indicator_value(ind);
        bool ready = strcmp(f[0], "1") == 0;
        assert_int_equal(v.ready, ready);
        for (int j = 0; j < nout; j++) {
            const char *cell = s_cell(t, row, cols[j]);
            if (!ready) {
                if (*cell)
                    fail_msg("%s row %d: '%s' before ready", ref->cols[j], row,
                             cell);
                continue;
            }
            double got = s_num(cell);
            s_near(got, s_num(f[1 + j]), 1e-9, ref->cols[j], row);
            if (memcmp(&got, &v.v[j], sizeof got) != 0)
                fail_msg("%s row %d: printed '%s', library %.17g", ref->cols[j],
                         row, cell, v.v[j]);
        }
    }
    tt_indicator_destroy(&ind);
    free(text);
}

static void test_reference_series(void **state)
{
    (void)state;
    static tt_ind_input_t bars[MAX_ROWS];
    int nbars = 0;
    char *path = s_reference_bars(bars, &nbars);
    assert_int_equal(nbars, 3000);
    char list[512] = "";
    for (size_t i = 0; i < NREFS; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 i ? "," : "", s_refs[i].spec);
    run_t r = s_run(
        (const char *[]){"--data", path, "--ind", list, "--tf", "60s", NULL});
    assert_string_equal(r.err, "");
    assert_int_equal(r.code, 0);
    table_t t;
    s_table(&t, r.out);
    assert_int_equal(t.ncols, 1 + 1 + 1 + 1 + 3 + 3 + 3 + 1 + 2 + 1 + 1 + 3);
    assert_string_equal(t.names[0], "ts_ms");
    for (int row = 0; row < nbars; row++)
        assert_int_equal(strtoll(s_cell(&t, row, 0), NULL, 10),
                         bars[row].open_ts / 1000000);
    for (size_t i = 0; i < NREFS; i++)
        s_check_ref(&t, &s_refs[i], bars, nbars);
    free(t.cells);
    s_free(&r);
    free(path);
}

/* ---- bad input -----------------------------------------------------------
 */

/* Runs with DATA as the file and IND; expects CODE, stderr exactly
   "ticktree indicators: " + the file's path where %s stands + MESSAGE,
   and stdout STDOUT_WANT (NULL: not checked). */
static void s_bad(const char *data, const char *ind, int code,
                  const char *message, const char *stdout_want)
{
    char *path = s_file("bad.csv", data);
    run_t r = s_run((const char *[]){"--data", path, "--ind", ind, NULL});
    char want[1024];
    snprintf(want, sizeof want, message, path);
    if (r.code != code || strcmp(r.err, want) != 0)
        fail_msg("exit %d, stderr:\n%s\nwanted exit %d, stderr:\n%s", r.code,
                 r.err, code, want);
    if (stdout_want)
        assert_string_equal(r.out, stdout_want);
    s_free(&r);
    free(path);
}

#define HDR "ts_ms,open,high,low,close,volume\n"
#define ROW1 "1704205800000,10,11,9,10,5\n"
#define ROW2 "1704205860000,10,12,10,11,5\n"

static void test_bad_data(void **state)
{
    (void)state;
    const char *out1 = "ts_ms,sma_2\n1704205800000,\n";
    s_bad("ts_ms,open,high,low,close\n" ROW1, "sma:2", 1,
          "ticktree indicators: %s:1: missing column volume\n", "");
    s_bad("# a comment\nopen,high,low,close,volume\n", "sma:2", 1,
          "ticktree indicators: %s:2: missing column timestamp (ts, ts_s, "
          "ts_ms, ts_us or ts_ns)\n",
          "");
    s_bad(HDR ROW1 "1704205860000,10,12,10,1x,5\n", "sma:2", 1,
          "ticktree indicators: %s:3: bad close '1x': not a decimal number "
          "([+-]digits[.digits][e[+-]digits])\n",
          out1);
    s_bad(HDR ROW1 "1704205860000,10,12,10,11,5,7\n", "sma:2", 1,
          "ticktree indicators: %s:3: expected 6 fields, got 7\n", out1);
    s_bad(HDR ROW1 "yesterday,10,12,10,11,5\n", "sma:2", 1,
          "ticktree indicators: %s:3: bad timestamp 'yesterday' in column "
          "ts_ms\n",
          out1);
    s_bad(HDR ROW1 "1704205860000,10,12,10,13,5\n", "sma:2", 1,
          "ticktree indicators: %s:3: inconsistent bar: open and close "
          "must lie within low..high\n",
          out1);
    /* Time going backwards, and a repeated bar time. */
    s_bad(HDR ROW2 "\n" ROW1, "sma:2", 1,
          "ticktree indicators: %s:4: time goes backwards for this symbol "
          "(1704205801000000000 after 1704205861000000000)\n",
          "ts_ms,sma_2\n1704205860000,\n");
    s_bad(HDR ROW1 ROW1, "sma:2", 1,
          "ticktree indicators: %s:3: time goes backwards for this symbol "
          "(1704205801000000000 after 1704205801000000000)\n",
          out1);
    /* Bars must fall on whole seconds unless --tf says otherwise. */
    s_bad(HDR "1704205800500,10,11,9,10,5\n", "sma:2", 1,
          "ticktree indicators: %s:2: bar time not aligned to its 1 s "
          "timeframe\n",
          "ts_ms,sma_2\n");
    s_bad("symbol,ts_ms,open,high,low,close,volume\nA," ROW1 "B," ROW2, "sma:2",
          1,
          "ticktree indicators: %s:3: unknown symbol 'B' (ticktree "
          "indicators reads one symbol per file; this one began with "
          "'A')\n",
          out1);
    s_bad("", "sma:2", 1,
          "ticktree indicators: %s:1: empty file: expected a header line\n",
          "");
    s_bad(HDR "1704205800000,10.123456789,11,9,10,5\n", "sma:2", 1,
          "ticktree indicators: %s:2: bad open '10.123456789': more "
          "fractional digits than the scale allows\n",
          "ts_ms,sma_2\n");
}

static void test_missing_file(void **state)
{
    (void)state;
    run_t r = s_run((const char *[]){"--data", "/nonexistent/bars.csv", "--ind",
                                     "sma:2", NULL});
    assert_int_equal(r.code, 1);
    assert_string_equal(r.err, "ticktree indicators: /nonexistent/bars.csv: "
                               "cannot open: No such file or directory\n");
    assert_string_equal(r.out, "");
    s_free(&r);
}

static void test_bad_specs(void **state)
{
    (void)state;
    static const struct {
        const char *ind, *message;
    } cases[] = {
        {"sma:20,foo:3", "--ind item 2 'foo:3': unknown indicator 'foo' "
                         "(known: sma, ema, rsi, macd, bb, atr, stoch, vwap, "
                         "donchian)"},
        {"sma:1", "--ind item 1 'sma:1': indicator sma(1,0,0,k=0): period "
                  "must be 2..100000"},
        {"rsi", "--ind item 1 'rsi': rsi takes N, got 0 parameters"},
        {"macd:12:26", "--ind item 1 'macd:12:26': macd takes "
                       "FAST:SLOW:SIGNAL, got 2 parameters"},
        {"macd:26:12:9", "--ind item 1 'macd:26:12:9': indicator "
                         "macd(26,12,9,k=0): periods must satisfy 2 <= fast "
                         "< slow <= 100000"},
        {"ema:x", "--ind item 1 'ema:x': parameter 1 'x' is not a whole "
                  "number >= 0"},
        {"ema:-3", "--ind item 1 'ema:-3': parameter 1 '-3' is not a whole "
                   "number >= 0"},
        {"bb:20:wide", "--ind item 1 'bb:20:wide': K 'wide' is not a number"},
        {"bb:20:1000", "--ind item 1 'bb:20:1000': indicator "
                       "bbands(20,0,0,k=1000): k (standard deviations) must "
                       "be 0..100"},
        {"vwap:30", "--ind item 1 'vwap:30': indicator vwap(30,0,0,k=0): "
                    "session length must be 60..2678400 seconds"},
        {"sma:2,,ema:3", "--ind item 2 '': empty item"},
        {"sma:2,ema:2,sma:2", "--ind item 3 'sma:2': given twice"},
        {"atr:14:2", "--ind item 1 'atr:14:2': atr takes N, got 2 "
                     "parameters"},
    };
    char *path = s_file("ok.csv", HDR ROW1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_t r = s_run(
            (const char *[]){"--data", path, "--ind", cases[i].ind, NULL});
        char want[512];
        snprintf(want, sizeof want, "ticktree indicators: %s\n",
                 cases[i].message);
        if (r.code != 2 || strcmp(r.err, want) != 0)
            fail_msg("--ind %s: exit %d, stderr:\n%s", cases[i].ind, r.code,
                     r.err);
        assert_string_equal(r.out, ""); /* nothing read, nothing printed */
        s_free(&r);
    }
    free(path);
}

static void test_bad_usage(void **state)
{
    (void)state;
    char *path = s_file("ok.csv", HDR ROW1);
    static const char *usage = "\nusage: ticktree indicators";
    const char *const *cases[] = {
        (const char *[]){"--ind", "sma:2", NULL},
        (const char *[]){"--data", path, NULL},
        (const char *[]){"--data", path, "--ind", "sma:2", "--bogus", NULL},
        (const char *[]){"--data", path, "--ind", "sma:2", "extra", NULL},
        (const char *[]){"--data", path, "--ind", "sma:2", "--tf", "0", NULL},
        (const char *[]){"--data", path, "--ind", "sma:2", "--tf", "5x", NULL},
        (const char *[]){"--data", path, "--ind", "sma:2", "--px-decimals",
                         "19", NULL},
        (const char *[]){"--data", path, "--ind", NULL},
    };
    static const char *messages[] = {
        "--data FILE is required",
        "--ind SPEC[,SPEC...] is required",
        "unknown or incomplete option '--bogus'",
        "unexpected argument 'extra'",
        "--tf: expected a duration such as 60, 60s, 5m, 1h or 1d (up to 31 "
        "days), got '0'",
        "--tf: expected a duration such as 60, 60s, 5m, 1h or 1d (up to 31 "
        "days), got '5x'",
        "--px-decimals and --qty-decimals take 0..18, got '19'",
        "unknown or incomplete option '--ind'",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_t r = s_run(cases[i]);
        char want[512];
        snprintf(want, sizeof want, "ticktree indicators: %s%s", messages[i],
                 usage);
        if (r.code != 2 || strncmp(r.err, want, strlen(want)) != 0)
            fail_msg("case %zu: exit %d, stderr:\n%s", i, r.code, r.err);
        assert_string_equal(r.out, "");
        s_free(&r);
    }
    free(path);
}

/* --tf and the file's own timeframe line must agree; --px-decimals lets
   finer prices in. */
static void test_timeframe_and_scale(void **state)
{
    (void)state;
    char *path = s_file("tf.csv", "# timeframe=1m\n" HDR ROW1 ROW2);
    run_t r = s_run(
        (const char *[]){"--data", path, "--ind", "sma:2", "--tf", "5m", NULL});
    char want[512];
    snprintf(want, sizeof want,
             "ticktree indicators: %s: timeframe 60 s in the file, 300 s "
             "given\n",
             path);
    assert_int_equal(r.code, 1);
    assert_string_equal(r.err, want);
    s_free(&r);
    free(path);
    path = s_file("fine.csv", HDR "1704205800000,0.000000001,0.000000002,"
                                  "0.000000001,0.000000002,1\n");
    r = s_run((const char *[]){"--data", path, "--ind", "vwap", "--px-decimals",
                               "9", NULL});
    assert_int_equal(r.code, 0);
    /* (2e-9 + 1e-9 + 2e-9) / 3 */
    char *p = r.out, *f[2];
    s_line(&p);
    assert_int_equal(s_fields(s_line(&p), f, 2), 2);
    s_near(s_num(f[1]), 5e-9 / 3, 1e-15, "vwap", 0);
    s_free(&r);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sma_ema_by_hand),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_reference_series),
        cmocka_unit_test(test_bad_data),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_bad_usage),
        cmocka_unit_test(test_timeframe_and_scale),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
