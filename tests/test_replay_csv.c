/*  tests/test_replay_csv.c: historical CSV readers (venues/replay): each
    format and timestamp form, gzip, multi-symbol files, the event-time
    merge, every bad-data case in strict mode (exact FILE:LINE) and in
    lenient mode (counts per reason), and fixed memory on a large file. */
#include "tests/harness.h"
#include "tests/replaycheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "venues/replay/csv.h"
#include "venues/replay/merge.h"
#include "venues/replay/timestamp.h"

#define FIXTURES TT_TESTS_DIR "/fixtures/replay"

static tt_csv_opts_t s_opts(tt_csv_kind_t kind, bool strict, const char *symbol)
{
    tt_csv_opts_t o = {.kind = kind,
                       .strict = strict,
                       .symbol = symbol,
                       .lookup = tth_replay_lookup};
    return o;
}

/* Opens PATH and expects success. */
static tt_csv_reader_t *s_open(const char *path, const tt_csv_opts_t *o)
{
    char err[256] = "";
    tt_csv_reader_t *r = tt_csv_open(path, o, err, sizeof err);
    if (!r) {
        print_error("open %s: %s\n", path, err);
        fail();
    }
    return r;
}

/* ---- timestamps -----------------------------------------------------------
 */

static void s_ts_ok(const char *text, tt_ts_unit_t unit, tt_ns_t expect)
{
    tt_ns_t got = -1;
    int rc = tt_ts_parse(text, strlen(text), unit, &got);
    if (rc != 0 || got != expect) {
        print_error("'%s': rc %d, got %lld, expected %lld\n", text, rc,
                    (long long)got, (long long)expect);
        fail();
    }
}

static void s_ts_bad(const char *text, tt_ts_unit_t unit)
{
    tt_ns_t got = 77;
    if (tt_ts_parse(text, strlen(text), unit, &got) != -1 || got != 77) {
        print_error("'%s' accepted as %lld\n", text, (long long)got);
        fail();
    }
}

static void test_timestamp_forms(void **state)
{
    (void)state;
    const tt_ns_t s = TT_NS_PER_SEC;
    s_ts_ok("1700000000123456789", TT_TS_NS, INT64_C(1700000000123456789));
    s_ts_ok("1700000000123456", TT_TS_US, INT64_C(1700000000123456000));
    s_ts_ok("1700000000123", TT_TS_MS, INT64_C(1700000000123000000));
    s_ts_ok("1700000000", TT_TS_S, INT64_C(1700000000) * s);
    s_ts_ok("1700000000.5", TT_TS_S, INT64_C(1700000000500000000));
    s_ts_ok("1700000000.000000001", TT_TS_AUTO, INT64_C(1700000000000000001));
    /* 2024-01-01T00:00:00Z is 1704067200 (19723 days after the epoch). */
    s_ts_ok("2024-01-02T14:30:00Z", TT_TS_AUTO, INT64_C(1704205800) * s);
    s_ts_ok("2024-01-02 14:30:00.25Z", TT_TS_AUTO,
            INT64_C(1704205800) * s + 250000000);
    s_ts_ok("2024-01-02T14:30:00.123456789+00:00", TT_TS_AUTO,
            INT64_C(1704205800123456789));
    s_ts_ok("2024-01-02T14:30:00+0000", TT_TS_AUTO, INT64_C(1704205800) * s);
    s_ts_ok("2024-02-29", TT_TS_AUTO, INT64_C(1709164800) * s); /* leap */
    s_ts_ok("1970-01-01T00:00:00Z", TT_TS_AUTO, 0);
    s_ts_ok("2000-03-01T00:00:00Z", TT_TS_AUTO, INT64_C(951868800) * s);
    s_ts_bad("2023-02-29", TT_TS_AUTO);
    s_ts_bad("2024-13-01T00:00:00Z", TT_TS_AUTO);
    s_ts_bad("2024-01-02T24:00:00Z", TT_TS_AUTO);
    s_ts_bad("2024-01-02T14:30:00", TT_TS_AUTO);       /* no zone */
    s_ts_bad("2024-01-02T14:30:00+01:00", TT_TS_AUTO); /* not UTC */
    s_ts_bad("2024-01-02T14:30:00.Z", TT_TS_AUTO);
    s_ts_bad("2024-01-02T14:30:00.1234567891Z", TT_TS_AUTO);
    s_ts_bad("1700000000.5", TT_TS_MS);
    s_ts_bad("-5", TT_TS_NS);
    s_ts_bad("-5", TT_TS_S);
    s_ts_bad("", TT_TS_NS);
    s_ts_bad("12x", TT_TS_MS);
    s_ts_bad("99999999999999999999", TT_TS_NS);
    s_ts_bad("9300000000000000000", TT_TS_MS); /* overflows as ns */
    /* the edges of the range, 19 digits and one too many */
    s_ts_ok("9223372036854775807", TT_TS_NS, INT64_MAX);
    s_ts_bad("9223372036854775808", TT_TS_NS);
    s_ts_bad("9999999999999999999", TT_TS_NS);
    s_ts_ok("0000000000000000001", TT_TS_NS, 1);
    s_ts_ok("9223372036854775", TT_TS_US, INT64_C(9223372036854775000));
    s_ts_bad("9223372036854776", TT_TS_US);
    assert_int_equal(tt_ts_unit_of("ts_ms"), TT_TS_MS);
    assert_int_equal(tt_ts_unit_of("time"), TT_TS_AUTO);
    assert_int_equal(tt_ts_unit_of("price"), -1);
}

/* Integer columns are read eight digits at a time: every length from 1
   to 19 gives the value strtoull does, and a non-digit anywhere (just
   below '0', just above '9', a byte with the high bit set) is refused,
   whichever eight it falls in. */
static void test_timestamp_digits_every_length_and_place(void **state)
{
    (void)state;
    const char digits[] = "9123456780123456789";
    for (size_t len = 1; len <= 19; len++) {
        char text[24];
        memcpy(text, digits + 19 - len, len);
        text[len] = '\0';
        unsigned long long want = strtoull(text, NULL, 10);
        if (want <= (unsigned long long)INT64_MAX)
            s_ts_ok(text, TT_TS_NS, (tt_ns_t)want);
        else
            s_ts_bad(text, TT_TS_NS);
        const char bad[] = {'/', ':', ' ', '.', (char)0xB5, (char)0xFA};
        for (size_t at = 0; at < len; at++)
            for (size_t b = 0; b < sizeof bad; b++) {
                char wrong[24];
                memcpy(wrong, text, len + 1);
                wrong[at] = bad[b];
                tt_ns_t got = 77;
                if (tt_ts_parse(wrong, len, TT_TS_NS, &got) != -1 ||
                    got != 77) {
                    print_error("'%.*s' (byte %zu) accepted as %lld\n",
                                (int)len, wrong, at, (long long)got);
                    fail();
                }
            }
    }
}

/* ---- formats --------------------------------------------------------------
 */

static void test_ticks_one_file_per_symbol(void **state)
{
    (void)state;
    tt_csv_opts_t o = s_opts(TT_CSV_TICKS, true, "BTCUSD");
    tt_csv_reader_t *r = s_open(FIXTURES "/btcusd_ticks.csv", &o);
    tt_replay_record_t rec;
    assert_int_equal(tt_csv_next(r, &rec), 1);
    assert_int_equal(rec.symbol, 0);
    assert_true(rec.ts == INT64_C(1700000000123456789));
    assert_true(rec.tick.ts == rec.ts);
    assert_true(rec.tick.price == 6500012 && rec.tick.size == 21);
    assert_true(rec.tick.trade_id == 42);
    assert_int_equal(rec.line, 3);
    assert_int_equal(tt_csv_next(r, &rec), 1);
    assert_true(rec.tick.price == 6500013 && rec.tick.size == 5000);
    assert_int_equal(tt_csv_next(r, &rec), 1); /* same ts: allowed */
    assert_true(rec.tick.price == 6499999 && rec.tick.size == 10000);
    assert_int_equal(rec.line, 6); /* the blank line 5 is skipped */
    assert_int_equal(tt_csv_next(r, &rec), 0);
    assert_int_equal(tt_csv_next(r, &rec), 0);
    assert_int_equal(tt_csv_stats(r)->rows, 3);
    assert_int_equal(tt_csv_stats(r)->records, 3);
    assert_int_equal(tt_csv_stats(r)->skipped_total, 0);
    tt_csv_close(&r);
    assert_null(r);
}

static void test_bars_multi_symbol_with_timeframe_line(void **state)
{
    (void)state;
    int calls = 0;
    tt_csv_opts_t o = s_opts(TT_CSV_BARS, true, NULL);
    o.lookup_arg = &calls;
    tt_csv_reader_t *r = s_open(FIXTURES "/multi_bars_1m.csv", &o);
    assert_int_equal(tt_csv_timeframe(r), 60);
    tt_replay_record_t rec;
    const tt_ns_t open = INT64_C(1704205800) * TT_NS_PER_SEC;
    assert_int_equal(tt_csv_next(r, &rec), 1);
    assert_int_equal(rec.symbol, 2);
    assert_true(rec.bar.open_ts == open && rec.bar.tf_s == 60);
    assert_true(rec.ts == open + 60 * TT_NS_PER_SEC); /* close time */
    assert_true(rec.bar.open == 18715 && rec.bar.high == 18750);
    assert_true(rec.bar.low == 18700 && rec.bar.close == 18740);
    assert_true(rec.bar.volume == 12000 && rec.bar.trades == 85);
    assert_true(rec.bar.closed);
    assert_int_equal(tt_csv_next(r, &rec), 1);
    assert_int_equal(rec.symbol, 0);
    assert_true(rec.bar.close == 4500525 && rec.bar.volume == 12345);
    assert_int_equal(tt_csv_next(r, &rec), 1);
    assert_int_equal(rec.symbol, 2);
    assert_true(rec.bar.open_ts == open + 60 * TT_NS_PER_SEC);
    assert_int_equal(rec.line, 5);
    assert_int_equal(tt_csv_next(r, &rec), 0);
    assert_int_equal(calls, 2); /* one lookup per symbol, kept */
    tt_csv_close(&r);
}

/* "S<n>" is symbol n (n < 1000); anything else is unknown. Counts. */
static int s_many_lookup(void *arg, const char *symbol, tt_instrument_t *in)
{
    int *calls = arg;
    (*calls)++;
    char *end = NULL;
    long n = symbol[0] == 'S' ? strtol(symbol + 1, &end, 10) : -1;
    if (n < 0 || n >= 1000 || !end || *end)
        return -1;
    *in = (tt_instrument_t){2, 0, 1, 1};
    return (int)n;
}

/* Many symbols, each row another one: every row gets its own symbol's
   index, and the reader asks once per symbol (it keeps the answers, past
   several growths of its table); an unknown symbol is asked again each
   time it appears, and skipped (lenient). */
static void test_many_symbols_asked_once(void **state)
{
    (void)state;
    enum { S_SYMS = 300, S_ROUNDS = 3 };
    size_t cap = (size_t)S_SYMS * S_ROUNDS * 40 + 200;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = (size_t)snprintf(text, cap, "symbol,ts_ns,price,size\n");
    for (int r = 0; r < S_ROUNDS; r++) {
        for (int i = 0; i < S_SYMS; i++)
            len += (size_t)snprintf(text + len, cap - len, "S%d,%d,1.%02d,1\n",
                                    (i * 7) % S_SYMS, 1000 + r, i % 100);
        len +=
            (size_t)snprintf(text + len, cap - len, "ZZ,%d,1.00,1\n", 1000 + r);
    }
    char *dir = tth_tmpdir("tt_csv");
    char *path = tth_write_file(dir, "many.csv", text);
    int calls = 0;
    tt_csv_opts_t o = s_opts(TT_CSV_TICKS, false, NULL);
    o.lookup = s_many_lookup;
    o.lookup_arg = &calls;
    tt_csv_reader_t *r = s_open(path, &o);
    tt_replay_record_t rec;
    for (int round = 0; round < S_ROUNDS; round++)
        for (int i = 0; i < S_SYMS; i++) {
            assert_int_equal(tt_csv_next(r, &rec), 1);
            assert_int_equal(rec.symbol, (i * 7) % S_SYMS);
            assert_int_equal(rec.tick.price, 100 + i % 100);
        }
    assert_int_equal(tt_csv_next(r, &rec), 0);
    assert_int_equal(tt_csv_stats(r)->skipped_total, S_ROUNDS);
    assert_int_equal(calls, S_SYMS + S_ROUNDS);
    tt_csv_close(&r);
    tth_rmtree(dir);
    free(dir), free(path), free(text);
}

static void test_bars_timeframe_from_caller(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_csv");
    char *path = tth_write_file(dir, "spy.csv",
                                "ts_s,open,high,low,close,volume\n"
                                "1704205800,1,2,0.5,1.5,100\n"
                                "1704206100,1.5,1.5,1.5,1.5,0\n");
    tt_csv_opts_t o = s_opts(TT_CSV_BARS, true, "AAPL");
    char err[256] = "";
    /* No timeframe anywhere: refused at open. */
    assert_null(tt_csv_open(path, &o, err, sizeof err));
    assert_non_null(strstr(err, "bars need a timeframe"));
    o.tf_s = 300;
    tt_csv_reader_t *r = s_open(path, &o);
    tt_replay_record_t rec;
    assert_int_equal(tt_csv_next(r, &rec), 1);
    assert_true(rec.bar.tf_s == 300 && rec.bar.low == 50);
    assert_int_equal(tt_csv_next(r, &rec), 1);
    assert_int_equal(tt_csv_next(r, &rec), 0);
    tt_csv_close(&r);
    /* A file that says 1m while the caller says 5m. */
    free(path);
    path = tth_write_file(dir, "spy2.csv",
                          "# timeframe: 1m\nts_s,open,high,low,close,volume\n");
    assert_null(tt_csv_open(path, &o, err, sizeof err));
    assert_non_null(strstr(err, "timeframe 60 s in the file, 300 s given"));
    free(path);
    tth_rmtree(dir);
    free(dir);
}

static void test_timestamp_columns_in_files(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_csv");
    const char *files[] = {
        "ts_ms,price,size\n1704205800250,1,1\n",
        "ts_us,price,size\n1704205800250000,1,1\n",
        "TS_NS , Price , Size\n1704205800250000000 , 1 , 1\n",
        "time,price,size\n2024-01-02T14:30:00.25Z,1,1\n",
        "\xEF\xBB\xBFts,price,size\n1704205800.25,1,1\n",
        "price,ts_s,size,venue\n1,1704205800.250,1,XNAS\n",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = tth_write_file(dir, "t.csv", files[i]);
        tt_csv_opts_t o = s_opts(TT_CSV_TICKS, true, "AAPL");
        tt_csv_reader_t *r = s_open(path, &o);
        tt_replay_record_t rec;
        assert_int_equal(tt_csv_next(r, &rec), 1);
        assert_true(rec.ts == INT64_C(1704205800250000000));
        assert_true(rec.tick.price == 100 && rec.tick.size == 1);
        assert_int_equal(tt_csv_next(r, &rec), 0);
        tt_csv_close(&r);
        free(path);
    }
    tth_rmtree(dir);
    free(dir);
}

/* ---- gzip -----------------------------------------------------------------
 */

static char *s_write_gz(const char *dir, const char *name, const char *text)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    snprintf(path, len, "%s/%s", dir, name);
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, text, (unsigned)strlen(text)),
                     (int)strlen(text));
    assert_int_equal(gzclose(gz), Z_OK);
    return path;
}

static void test_gzip(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_csv");
    char *plain = tth_read_file(FIXTURES "/btcusd_ticks.csv");
    char *path = s_write_gz(dir, "btc.csv.gz", plain);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    tt_csv_opts_t o = s_opts(TT_CSV_TICKS, true, "BTCUSD");
    tt_csv_reader_t *gz = s_open(path, &o);
    tt_csv_reader_t *txt = s_open(FIXTURES "/btcusd_ticks.csv", &o);
    tt_replay_record_t a, b;
    int n = 0, rc;
    while ((rc = tt_csv_next(txt, &a)) == 1) {
        assert_int_equal(tt_csv_next(gz, &b), 1);
        assert_true(memcmp(&a, &b, sizeof a) == 0);
        n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, 3);
    assert_int_equal(tt_csv_next(gz, &b), 0);
    tt_csv_close(&gz);
    tt_csv_close(&txt);
    free(plain);
    free(path);
    tth_rmtree(dir);
    free(dir);
}

/* A gzip file cut short: every record before the cut, then an error
   (strict) or a counted skip (lenient). */
static void test_gzip_truncated(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_csv");
    /* Enough rows that the cut falls well inside the data. */
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text, cap, "ts_ns,price,size\n");
    for (int i = 0; i < 20000; i++)
        len += (size_t)snprintf(text + len, cap - len, "%d,%d.%02d,1\n",
                                1000 + i, 100 + i % 7, i % 100);
    char *path = s_write_gz(dir, "cut.csv.gz", text);
    char *whole = tth_read_file(path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    FILE *f = fopen(path, "wb");
    fwrite(whole, 1, (size_t)st.st_size / 2, f);
    fclose(f);
    for (int strict = 1; strict >= 0; strict--) {
        tt_csv_opts_t o = s_opts(TT_CSV_TICKS, strict, "AAPL");
        tt_csv_reader_t *r = s_open(path, &o);
        tt_replay_record_t rec;
        int rc, n = 0;
        while ((rc = tt_csv_next(r, &rec)) == 1) {
            assert_true(rec.ts == 1000 + n); /* intact up to the cut */
            n++;
        }
        assert_true(n > 1000 && n < 20000);
        char prefix[512];
        snprintf(prefix, sizeof prefix, "%s:%d: truncated or corrupt input",
                 path, n + 2); /* header, n rows, then the partial line */
        if (strict) {
            assert_int_equal(rc, -1);
            if (!strstr(tt_csv_error(r), prefix)) {
                print_error("got '%s', wanted '%s'\n", tt_csv_error(r), prefix);
                fail();
            }
            assert_int_equal(tt_csv_next(r, &rec), -1);
        } else {
            assert_int_equal(rc, 0);
            const tt_csv_stats_t *s = tt_csv_stats(r);
            assert_int_equal(s->skipped[TT_CSV_SKIP_TRUNCATED], 1);
            assert_int_equal(s->skipped_total, 1);
            assert_non_null(strstr(s->messages[0], prefix));
        }
        tt_csv_close(&r);
    }
    free(whole);
    free(text);
    free(path);
    tth_rmtree(dir);
    free(dir);
}

/* ---- merge ----------------------------------------------------------------
 */

static void test_merge_event_time_order(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_csv");
    char *btc = tth_write_file(dir, "btc.csv",
                               "ts_ns,price,size\n10,1,1\n20,2,1\n20,3,1\n"
                               "40,4,1\n");
    char *eth = tth_write_file(dir, "eth.csv",
                               "ts_ns,price,size\n5,5,1\n20,6,1\n30,7,1\n");
    char *mix = tth_write_file(dir, "mix.csv",
                               "symbol,ts_ns,price,size\nAAPL,1,8,1\n"
                               "BTCUSD,20,9,1\nAAPL,50,10,1\n");
    tt_replay_merge_t *m = tt_replay_merge_new();
    char err[256];
    tt_csv_opts_t o = s_opts(TT_CSV_TICKS, true, "BTCUSD");
    assert_int_equal(tt_replay_merge_add(m, btc, &o, err, sizeof err), 0);
    o.symbol = "ETHUSD";
    assert_int_equal(tt_replay_merge_add(m, eth, &o, err, sizeof err), 1);
    o.symbol = NULL;
    assert_int_equal(tt_replay_merge_add(m, mix, &o, err, sizeof err), 2);
    assert_int_equal(tt_replay_merge_count(m), 3);
    /* Expected by hand: time, then file order, then order in the file. */
    const int64_t want_price[] = {8, 5, 1, 2, 3, 6, 9, 7, 4, 10};
    const size_t want_src[] = {2, 1, 0, 0, 0, 1, 2, 1, 0, 2};
    tt_replay_record_t rec;
    size_t src, n = 0;
    while (tt_replay_merge_next(m, &rec, &src) == 1) {
        assert_true(n < 10);
        assert_int_equal(rec.tick.price, want_price[n] * 100); /* 0.01 */
        assert_int_equal(src, want_src[n]);
        n++;
    }
    assert_int_equal(n, 10);
    assert_int_equal(tt_replay_merge_next(m, &rec, &src), 0);
    assert_non_null(tt_replay_merge_reader(m, 2));
    tt_replay_merge_destroy(&m);
    assert_null(m);
    free(btc);
    free(eth);
    free(mix);
    tth_rmtree(dir);
    free(dir);
}

static void test_merge_unsorted_multi_symbol_file(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_csv");
    /* Sorted per symbol, not by time: fine alone, refused in a merge. */
    char *path = tth_write_file(dir, "bysym.csv",
                                "symbol,ts_ns,price,size\nAAPL,10,1,1\n"
                                "AAPL,30,1,1\nBTCUSD,20,1,1\n");
    tt_csv_opts_t o = s_opts(TT_CSV_TICKS, true, NULL);
    tt_csv_reader_t *r = s_open(path, &o);
    tt_replay_record_t rec;
    int n = 0;
    while (tt_csv_next(r, &rec) == 1)
        n++;
    assert_int_equal(n, 3);
    tt_csv_close(&r);
    tt_replay_merge_t *m = tt_replay_merge_new();
    char err[256];
    assert_int_equal(tt_replay_merge_add(m, path, &o, err, sizeof err), 0);
    assert_int_equal(tt_replay_merge_next(m, &rec, NULL), 1);
    assert_int_equal(tt_replay_merge_next(m, &rec, NULL), -1);
    char want[512];
    snprintf(want, sizeof want, "%s:4: time goes backwards across symbols",
             path);
    assert_non_null(strstr(tt_replay_merge_error(m), want));
    assert_int_equal(tt_replay_merge_next(m, &rec, NULL), -1);
    tt_replay_merge_destroy(&m);
    /* A file that cannot be opened is refused when added. */
    m = tt_replay_merge_new();
    assert_int_equal(
        tt_replay_merge_add(m, "/nonexistent/x.csv", &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/x.csv: cannot open"));
    tt_replay_merge_destroy(&m);
    free(path);
    tth_rmtree(dir);
    free(dir);
}

/* ---- bad data -------------------------------------------------------------
 */

typedef struct {
    const char *name;
    const char *text;
    tt_csv_kind_t kind;
    const char *symbol;
    int line;            /* where strict mode stops */
    const char *message; /* after "FILE:LINE: " */
    int reason;          /* lenient: the one reason counted */
    int good;            /* lenient: records still returned */
} s_bad_t;

static const s_bad_t s_bad_rows[] = {
    {"number", "ts_ns,price,size\n1,1,1\n2,1.x,1\n3,1,1\n", TT_CSV_TICKS,
     "AAPL", 3, "bad price '1.x'", TT_CSV_SKIP_NUMBER, 2},
    {"precision", "ts_ns,price,size\n1,1.001,1\n", TT_CSV_TICKS, "AAPL", 2,
     "bad price '1.001'", TT_CSV_SKIP_NUMBER, 0},
    {"size", "ts_ns,price,size\n1,1,1.5\n", TT_CSV_TICKS, "AAPL", 2,
     "bad size '1.5'", TT_CSV_SKIP_NUMBER, 0},
    {"timestamp", "ts_ms,price,size\n1,1,1\nnow,1,1\n", TT_CSV_TICKS, "AAPL", 3,
     "bad timestamp 'now' in column ts_ms", TT_CSV_SKIP_NUMBER, 1},
    {"trade_id", "ts_ns,price,size,trade_id\n1,1,1,-4\n", TT_CSV_TICKS, "AAPL",
     2, "bad trade_id '-4'", TT_CSV_SKIP_NUMBER, 0},
    {"extra", "ts_ns,price,size\n1,1,1\n2,1,1,9\n", TT_CSV_TICKS, "AAPL", 3,
     "expected 3 fields, got 4", TT_CSV_SKIP_FIELDS, 1},
    {"missing", "ts_ns,price,size\n\n1,1\n2,1,1\n", TT_CSV_TICKS, "AAPL", 3,
     "expected 3 fields, got 2", TT_CSV_SKIP_FIELDS, 1},
    {"backwards", "ts_ns,price,size\n5,1,1\n4,1,1\n6,1,1\n", TT_CSV_TICKS,
     "AAPL", 3, "time goes backwards for this symbol (4 after 5)",
     TT_CSV_SKIP_BACKWARDS, 2},
    {"backwards_sym",
     "symbol,ts_ns,price,size\nAAPL,5,1,1\nBTCUSD,3,1,1\nAAPL,4,1,1\n",
     TT_CSV_TICKS, NULL, 4, "time goes backwards for this symbol",
     TT_CSV_SKIP_BACKWARDS, 2},
    {"unknown_symbol", "symbol,ts_ns,price,size\nAAPL,1,1,1\nDOGE,2,1,1\n",
     TT_CSV_TICKS, NULL, 3, "unknown symbol 'DOGE'", TT_CSV_SKIP_SYMBOL, 1},
    {"zero_price", "ts_ns,price,size\n1,0,1\n", TT_CSV_TICKS, "AAPL", 2,
     "price must be > 0", TT_CSV_SKIP_VALUE, 0},
    {"bar_shape", "ts_s,open,high,low,close,volume\n60,1,2,1,3,1\n",
     TT_CSV_BARS, "AAPL", 2, "inconsistent bar", TT_CSV_SKIP_VALUE, 0},
    {"bar_align", "ts_s,open,high,low,close,volume\n90,1,1,1,1,1\n",
     TT_CSV_BARS, "AAPL", 2, "bar time not aligned to its 60 s timeframe",
     TT_CSV_SKIP_VALUE, 0},
    {"bar_repeat",
     "ts_s,open,high,low,close,volume\n60,1,1,1,1,1\n"
     "60,1,1,1,1,1\n",
     TT_CSV_BARS, "AAPL", 3, "time goes backwards", TT_CSV_SKIP_BACKWARDS, 1},
    {"empty", "", TT_CSV_TICKS, "AAPL", 1, "empty file: expected a header line",
     TT_CSV_SKIP_EMPTY_FILE, 0},
    {"comments_only", "# nothing here\n\n", TT_CSV_TICKS, "AAPL", 1,
     "empty file", TT_CSV_SKIP_EMPTY_FILE, 0},
};

static void s_bad_strict(const char *dir, const s_bad_t *c)
{
    char *path = tth_write_file(dir, c->name, c->text);
    tt_csv_opts_t o = s_opts(c->kind, true, c->symbol);
    o.tf_s = 60;
    char want[512], err[512] = "";
    snprintf(want, sizeof want, "%s:%d: %s", path, c->line, c->message);
    tt_csv_reader_t *r = tt_csv_open(path, &o, err, sizeof err);
    const char *got = err;
    if (r) {
        tt_replay_record_t rec;
        int rc;
        while ((rc = tt_csv_next(r, &rec)) == 1)
            ;
        assert_int_equal(rc, -1);
        got = tt_csv_error(r);
    }
    if (strncmp(got, want, strlen(want)) != 0) {
        print_error("case %s: got '%s', wanted '%s...'\n", c->name, got, want);
        fail();
    }
    tt_csv_close(&r);
    free(path);
}

static void s_bad_lenient(const char *dir, const s_bad_t *c)
{
    char *path = tth_write_file(dir, c->name, c->text);
    tt_csv_opts_t o = s_opts(c->kind, false, c->symbol);
    o.tf_s = 60;
    tt_csv_reader_t *r = s_open(path, &o);
    tt_replay_record_t rec;
    int rc, n = 0;
    while ((rc = tt_csv_next(r, &rec)) == 1)
        n++;
    assert_int_equal(rc, 0);
    const tt_csv_stats_t *s = tt_csv_stats(r);
    char want[512];
    snprintf(want, sizeof want, "%s:%d: %s", path, c->line, c->message);
    if (n != c->good || s->skipped[c->reason] != 1 || s->skipped_total != 1 ||
        s->kept != 1 || strncmp(s->messages[0], want, strlen(want)) != 0) {
        print_error("case %s: %d records, %lld %s, %lld total, '%s'\n", c->name,
                    n, (long long)s->skipped[c->reason],
                    tt_csv_skip_name((tt_csv_skip_t)c->reason),
                    (long long)s->skipped_total, s->messages[0]);
        fail();
    }
    tt_csv_close(&r);
    free(path);
}

static void test_bad_rows_strict_and_lenient(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_csv");
    for (size_t i = 0; i < sizeof s_bad_rows / sizeof s_bad_rows[0]; i++) {
        s_bad_strict(dir, &s_bad_rows[i]);
        s_bad_lenient(dir, &s_bad_rows[i]);
    }
    tth_rmtree(dir);
    free(dir);
}

static void test_long_line(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_csv");
    size_t len = 3 * TT_CSV_LINE_MAX;
    char *text = malloc(len + 64);
    int n = snprintf(text, len + 64, "ts_ns,price,size\n1,1,1\n2,1,");
    memset(text + n, '1', len);
    strcpy(text + n + len, "\n3,1,1\n");
    for (int strict = 1; strict >= 0; strict--) {
        char *path = tth_write_file(dir, "long.csv", text);
        tt_csv_opts_t o = s_opts(TT_CSV_TICKS, strict, "AAPL");
        tt_csv_reader_t *r = s_open(path, &o);
        tt_replay_record_t rec;
        int rc, got = 0;
        while ((rc = tt_csv_next(r, &rec)) == 1)
            got++;
        char want[512];
        snprintf(want, sizeof want, "%s:3: line longer than %d bytes", path,
                 TT_CSV_LINE_MAX);
        if (strict) {
            assert_int_equal(rc, -1);
            assert_string_equal(tt_csv_error(r), want);
        } else {
            assert_int_equal(got, 2); /* the row after it is read */
            assert_true(rec.ts == 3 && rec.line == 4);
            assert_int_equal(tt_csv_stats(r)->skipped[TT_CSV_SKIP_LONG_LINE],
                             1);
            assert_string_equal(tt_csv_stats(r)->messages[0], want);
        }
        tt_csv_close(&r);
        free(path);
    }
    free(text);
    tth_rmtree(dir);
    free(dir);
}

static void s_header_error(const char *dir, const char *text,
                           const char *symbol, const char *message)
{
    char *path = tth_write_file(dir, "h.csv", text);
    for (int strict = 1; strict >= 0; strict--) {
        tt_csv_opts_t o = s_opts(TT_CSV_TICKS, strict, symbol);
        char err[512] = "", want[512];
        snprintf(want, sizeof want, "%s%s", path, message);
        assert_null(tt_csv_open(path, &o, err, sizeof err));
        if (strcmp(err, want) != 0) {
            print_error("got '%s', wanted '%s'\n", err, want);
            fail();
        }
    }
    free(path);
}

/* A default timeframe applies only when neither the caller nor the file
   gives one. */
static void test_bars_default_timeframe(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_csv");
    char *plain = tth_write_file(dir, "plain.csv",
                                 "ts_s,open,high,low,close,volume\n"
                                 "1704205801,1,2,0.5,1.5,100\n");
    char *marked = tth_write_file(dir, "marked.csv",
                                  "# timeframe=1m\n"
                                  "ts_s,open,high,low,close,volume\n"
                                  "1704205800,1,2,0.5,1.5,100\n");
    tt_csv_opts_t o = s_opts(TT_CSV_BARS, true, "AAPL");
    o.tf_default_s = 1;
    tt_replay_record_t rec;
    tt_csv_reader_t *r = s_open(plain, &o);
    assert_int_equal(tt_csv_timeframe(r), 1);
    assert_int_equal(tt_csv_next(r, &rec), 1);
    assert_true(rec.bar.tf_s == 1 && rec.ts == 1704205802 * TT_NS_PER_SEC);
    tt_csv_close(&r);
    r = s_open(marked, &o); /* the file's line wins over the default */
    assert_int_equal(tt_csv_timeframe(r), 60);
    assert_int_equal(tt_csv_next(r, &rec), 1);
    assert_int_equal(rec.bar.tf_s, 60);
    tt_csv_close(&r);
    o.tf_s = 60; /* the caller's timeframe wins too */
    r = s_open(plain, &o);
    assert_int_equal(tt_csv_timeframe(r), 60);
    assert_int_equal(tt_csv_next(r, &rec), -1);
    assert_non_null(strstr(tt_csv_error(r), "plain.csv:2: bar time not "
                                            "aligned to its 60 s timeframe"));
    tt_csv_close(&r);
    free(plain);
    free(marked);
    tth_rmtree(dir);
    free(dir);
}

static void test_header_errors_always_stop(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_csv");
    s_header_error(dir, "ts_ns,price\n1,1\n", "AAPL",
                   ":1: missing column size");
    s_header_error(dir, "# c\nprice,size\n1,1\n", "AAPL",
                   ":2: missing column timestamp (ts, ts_s, ts_ms, ts_us or "
                   "ts_ns)");
    s_header_error(dir, "ts,ts_ms,price,size\n", "AAPL",
                   ":1: more than one timestamp column");
    s_header_error(dir, "ts,price,price,size\n", "AAPL",
                   ":1: column given twice");
    s_header_error(dir, "ts,price,size\n", NULL,
                   ":1: no symbol column and no symbol given for the file");
    s_header_error(dir, "ts,price,size\n", "DOGE", ": unknown symbol 'DOGE'");
    s_header_error(dir, "# timeframe=soon\nts,price,size\n", "AAPL",
                   ":1: bad timeframe line (want e.g. '# timeframe=60s' or "
                   "'# timeframe=5m')");
    char err[256];
    tt_csv_opts_t o = s_opts(TT_CSV_TICKS, true, "AAPL");
    assert_null(tt_csv_open("/nonexistent/t.csv", &o, err, sizeof err));
    assert_string_equal(err, "/nonexistent/t.csv: cannot open: No such file "
                             "or directory");
    tth_rmtree(dir);
    free(dir);
}

static void test_lenient_counts_and_keeps_first_messages(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_csv");
    /* 30 rows: every third one bad in some way, 10 bad in total. */
    char text[4096];
    size_t len =
        (size_t)snprintf(text, sizeof text, "symbol,ts_ns,price,size\n");
    for (int i = 0; i < 30; i++) {
        const char *row = "AAPL,%d,1,1\n";
        if (i % 3 == 2)
            row = i % 2 ? "DOGE,%d,1,1\n" : "AAPL,%d,x,1\n";
        len += (size_t)snprintf(text + len, sizeof text - len, row, 100 + i);
    }
    char *path = tth_write_file(dir, "mixed.csv", text);
    tt_csv_opts_t o = s_opts(TT_CSV_TICKS, false, NULL);
    tt_csv_reader_t *r = s_open(path, &o);
    tt_replay_record_t rec;
    int n = 0;
    while (tt_csv_next(r, &rec) == 1)
        n++;
    const tt_csv_stats_t *s = tt_csv_stats(r);
    assert_int_equal(n, 20);
    assert_int_equal(s->rows, 30);
    assert_int_equal(s->records, 20);
    /* i = 2, 8, 14, 20, 26 (even) bad price; 5, 11, 17, 23, 29 unknown. */
    assert_int_equal(s->skipped[TT_CSV_SKIP_NUMBER], 5);
    assert_int_equal(s->skipped[TT_CSV_SKIP_SYMBOL], 5);
    assert_int_equal(s->skipped_total, 10);
    assert_int_equal(s->kept, TT_CSV_KEEP_MESSAGES);
    char want[512];
    snprintf(want, sizeof want, "%s:4: bad price 'x'", path); /* i = 2 */
    assert_non_null(strstr(s->messages[0], want));
    snprintf(want, sizeof want, "%s:7: unknown symbol 'DOGE'", path);
    assert_string_equal(s->messages[1], want);
    tt_csv_close(&r);
    free(path);
    tth_rmtree(dir);
    free(dir);
}

/* ---- memory ---------------------------------------------------------------
 */

static void test_large_file_fixed_memory(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_csv");
    const int rows = 1000000;
    char path[512];
    snprintf(path, sizeof path, "%s/big.csv.gz", dir);
    gzFile gz = gzopen(path, "wb1");
    assert_non_null(gz);
    gzprintf(gz, "symbol,ts_ns,price,size,trade_id\n");
    for (int i = 0; i < rows; i++)
        gzprintf(gz, "%s,%d,%d.%02d,0.%04d,%d\n", i % 2 ? "BTCUSD" : "ETHUSD",
                 1000000 + i, 60000 + i % 1000, i % 100, 1 + i % 9999, i);
    assert_int_equal(gzclose(gz), Z_OK);
    tt_csv_opts_t o = s_opts(TT_CSV_TICKS, true, NULL);
    tt_csv_reader_t *r = s_open(path, &o);
    tt_replay_record_t rec;
    assert_int_equal(tt_csv_next(r, &rec), 1);
    assert_int_equal(tt_csv_next(r, &rec), 1);
    size_t mem = tt_csv_memory(r);
    /* The whole text is about 40 MB; the reader holds < 128 KiB. */
    assert_true(mem < 128 * 1024);
    int n = 2, rc;
    while ((rc = tt_csv_next(r, &rec)) == 1) {
        n++;
        if (n % 100000 == 0)
            assert_int_equal(tt_csv_memory(r), mem);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, rows);
    assert_true(rec.tick.trade_id == (uint64_t)rows - 1);
    assert_int_equal(rec.line, rows + 1);
    assert_int_equal(tt_csv_memory(r), mem);
    tt_csv_close(&r);
    tth_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timestamp_forms),
        cmocka_unit_test(test_timestamp_digits_every_length_and_place),
        cmocka_unit_test(test_ticks_one_file_per_symbol),
        cmocka_unit_test(test_bars_multi_symbol_with_timeframe_line),
        cmocka_unit_test(test_many_symbols_asked_once),
        cmocka_unit_test(test_bars_timeframe_from_caller),
        cmocka_unit_test(test_bars_default_timeframe),
        cmocka_unit_test(test_timestamp_columns_in_files),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_gzip_truncated),
        cmocka_unit_test(test_merge_event_time_order),
        cmocka_unit_test(test_merge_unsorted_multi_symbol_file),
        cmocka_unit_test(test_bad_rows_strict_and_lenient),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_header_errors_always_stop),
        cmocka_unit_test(test_lenient_counts_and_keeps_first_messages),
        cmocka_unit_test(test_large_file_fixed_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
