/*  tests/test_replay_fastrow.c: the CSV reader's one-pass tick row
    (venues/replay/csvfast.c) held to the general parse (csvrow.c): the
    same files read both ways give the same records, the same errors
    (strict: the same "FILE:LINE: message") and the same counts and
    messages (lenient), for rows in the plain form and for every way a
    row can leave it (signs, exponents, too many decimals, overflow,
    empty fields, spaces, CRLF, NUL bytes, unknown symbols, a field too
    many or too few), plain and gzip, with lines across the reader's
    buffer. Also the lines read in place: a line cut by a read, one
    longer than TT_CSV_LINE_MAX, a last line without a newline. */
#include "tests/harness.h"
#include "tests/replaycheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "venues/replay/csv_private.h"

static uint64_t s_rand(uint64_t *rng)
{
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    return *rng;
}

/* Writes LEN bytes of TEXT (NUL bytes allowed) to DIR/NAME, gzip when
   NAME ends in ".gz". Returns the path (the caller frees it). */
static char *s_write(const char *dir, const char *name, const char *text,
                     size_t len)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    if (strstr(name, ".gz")) {
        gzFile gz = gzopen(path, "wb1");
        assert_non_null(gz);
        assert_int_equal(gzwrite(gz, text, (unsigned)len), (int)len);
        assert_int_equal(gzclose(gz), Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(text, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
    }
    return path;
}

static void s_same_record(const tt_replay_record_t *a,
                          const tt_replay_record_t *b, const char *path)
{
    if (a->symbol != b->symbol || a->ts != b->ts || a->line != b->line ||
        a->tick.ts != b->tick.ts || a->tick.price != b->tick.price ||
        a->tick.size != b->tick.size || a->tick.trade_id != b->tick.trade_id ||
        memcmp(&a->bar, &b->bar, sizeof a->bar) != 0) {
        print_error("%s line %lld: one pass %d %lld %lld %lld %llu, general "
                    "(line %lld) %d %lld %lld %lld %llu\n",
                    path, (long long)a->line, a->symbol, (long long)a->ts,
                    (long long)a->tick.price, (long long)a->tick.size,
                    (unsigned long long)a->tick.trade_id, (long long)b->line,
                    b->symbol, (long long)b->ts, (long long)b->tick.price,
                    (long long)b->tick.size,
                    (unsigned long long)b->tick.trade_id);
        fail();
    }
}

/* Reads PATH both ways under OPTS and expects the same answers all
   along; returns how many records came out. */
static int s_both_ways(const char *path, const tt_csv_opts_t *opts)
{
    char err_fast[512] = "", err_gen[512] = "";
    tt_csv_reader_t *fast = tt_csv_open(path, opts, err_fast, sizeof err_fast);
    tt_csv_reader_t *gen = tt_csv_open(path, opts, err_gen, sizeof err_gen);
    assert_string_equal(err_fast, err_gen);
    if (!fast || !gen) {
        assert_null(fast);
        assert_null(gen);
        return 0;
    }
    tt_csv_general_only(gen, true);
    tt_replay_record_t a, b;
    int rc_fast, rc_gen, n = 0;
    do {
        memset(&a, 0x5a, sizeof a);
        memset(&b, 0xa5, sizeof b);
        rc_fast = tt_csv_next(fast, &a);
        rc_gen = tt_csv_next(gen, &b);
        assert_int_equal(rc_fast, rc_gen);
        if (rc_fast == 1) {
            s_same_record(&a, &b, path);
            n++;
        }
    } while (rc_fast == 1);
    assert_string_equal(tt_csv_error(fast), tt_csv_error(gen));
    const tt_csv_stats_t *sf = tt_csv_stats(fast), *sg = tt_csv_stats(gen);
    assert_int_equal(sf->rows, sg->rows);
    assert_int_equal(sf->records, sg->records);
    assert_int_equal(sf->skipped_total, sg->skipped_total);
    for (int r = 0; r < TT_CSV_SKIP_REASONS; r++)
        assert_int_equal(sf->skipped[r], sg->skipped[r]);
    assert_int_equal(sf->kept, sg->kept);
    for (int m = 0; m < sf->kept; m++)
        assert_string_equal(sf->messages[m], sg->messages[m]);
    tt_csv_close(&fast);
    tt_csv_close(&gen);
    return n;
}

/* ---- rows in and out of the plain form ----------------------------------- */

/* Values of each kind of column: mostly plain, then each way out of it. */
static const char *const s_prices[] = {"100.02",
                                       "1",
                                       "0.01",
                                       "6543.2",
                                       "00005.10",
                                       ".5",
                                       "5.",
                                       "1.50",
                                       "1.500",
                                       "100.001",
                                       "-1.00",
                                       "+1.00",
                                       "1e2",
                                       "1.2.3",
                                       "",
                                       " 5.5",
                                       "5.5 ",
                                       "\t5",
                                       "0",
                                       "0.00",
                                       ".",
                                       "-",
                                       "x",
                                       "99999999999999999",
                                       "999999999999999999999",
                                       "1.0000000000000000001"};
static const char *const s_sizes[] = {
    "0.859",   "1",       "2.5",         "0.0001", "10",
    "1.00000", "0.00001", "0.000000001", "-0.5",   "+2",
    "1E1",     "",        "0",           "3..",    "12345678901234567890",
    "1 ",      "007"};
static const char *const s_times[] = {"1",
                                      "2",
                                      "3",
                                      "1767571200000702364",
                                      "5",
                                      "9223372036854775807",
                                      "9223372036854775808",
                                      "99999999999999999999",
                                      "",
                                      "-1",
                                      "+1",
                                      "1.5",
                                      " 7",
                                      "007",
                                      "12a"};
static const char *const s_ids[] = {"1",
                                    "42",
                                    "123456",
                                    "",
                                    "18446744073709551615",
                                    "18446744073709551616",
                                    "12345678901234567890",
                                    "-4",
                                    "007",
                                    "1.0",
                                    "9999999999999999999"};
static const char *const s_symbols[] = {"BTCUSD",
                                        "ETHUSD",
                                        "AAPL",
                                        "BTCUSD",
                                        "ETHUSD",
                                        "DOGE",
                                        " AAPL",
                                        "AAPL ",
                                        "",
                                        "BTC USD",
                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ"};

#define S_PICK(rng, table, plain)                                              \
    (table)[s_rand(rng) % 16                                                   \
                ? s_rand(rng) % (plain)                                        \
                : s_rand(rng) % (sizeof(table) / sizeof *(table))]

/* One row in the column order "symbol,ts_ns,price,size,trade_id", its
   fields mostly plain; now and then a field dropped, added, or a CR or a
   NUL put in. */
static size_t s_row(uint64_t *rng, char *out, size_t size, int64_t *ts)
{
    char stamp[32];
    const char *time = S_PICK(rng, s_times, 5);
    if (strcmp(time, "1") == 0) {
        *ts += (int64_t)(s_rand(rng) % 3); /* mostly in order */
        snprintf(stamp, sizeof stamp, "%lld", (long long)*ts);
        time = stamp;
    }
    int n = snprintf(out, size, "%s,%s,%s,%s,%s", S_PICK(rng, s_symbols, 5),
                     time, S_PICK(rng, s_prices, 6), S_PICK(rng, s_sizes, 5),
                     S_PICK(rng, s_ids, 3));
    size_t len = (size_t)n;
    switch (s_rand(rng) % 24) {
    case 0:
        len = strrchr(out, ',') - out; /* a field too few */
        break;
    case 1:
        len += (size_t)snprintf(out + len, size - len, ",9"); /* too many */
        break;
    case 2:
        out[len++] = '\r'; /* CRLF */
        break;
    case 3:
        out[s_rand(rng) % len] = '\0'; /* a NUL ends the line early */
        break;
    default:
        break;
    }
    out[len++] = '\n';
    return len;
}

/* Files of rows in and out of the plain form, strict and lenient, plain
   and gzip: both parses agree on every one. */
static void test_random_rows_both_ways(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_fastrow");
    uint64_t rng = 0x2545f4914f6cdd1dull;
    size_t cap = 1 << 16;
    char *text = malloc(cap);
    int records = 0, files = 0;
    for (int f = 0; f < 400; f++) {
        size_t len =
            (size_t)snprintf(text, cap, "symbol,ts_ns,price,size,trade_id\n");
        int64_t ts = 1000;
        for (int r = 0; r < 12; r++)
            len += s_row(&rng, text + len, cap - len, &ts);
        char *path = s_write(dir, f % 4 == 3 ? "r.csv.gz" : "r.csv", text, len);
        for (int strict = 1; strict >= 0; strict--) {
            tt_csv_opts_t o = {.kind = TT_CSV_TICKS,
                               .strict = strict,
                               .time_ordered = f % 2,
                               .lookup = tth_replay_lookup};
            records += s_both_ways(path, &o);
        }
        files++;
        free(path);
    }
    /* Both sides were exercised: many rows were records, many not. */
    assert_true(records > 1500);
    assert_true(records < files * 2 * 12 * 9 / 10);
    free(text);
    tth_rmtree(dir);
    free(dir);
}

/* ---- every column order and timestamp form ------------------------------- */

typedef struct {
    const char *text;
    const char *symbol; /* the file's symbol, or NULL */
    int records;        /* both ways, strict */
} s_file_t;

static const s_file_t s_files[] = {
    /* columns in another order, one the reader does not use */
    {"ts_ms,price,extra,size,symbol\n"
     "1,100.5,x y z,0.25,BTCUSD\n2,100.50,,1,ETHUSD\n3,7,\"q\",2,AAPL\n",
     NULL, 3},
    /* no symbol column */
    {"ts_us,price,size\n1,1.01,3\n2,1.02,4\n2,1.03,5\n", "AAPL", 3},
    /* decimal seconds and ISO-8601 through tt_ts_parse */
    {"ts_s,price,size\n1.5,1,1\n1.500000001,1,1\n2,1,1\n", "AAPL", 3},
    {"ts,price,size\n2024-01-02T14:30:00Z,1,1\n2024-01-02 14:30:00.5Z,1,1\n"
     "1704205801,1,1\n",
     "AAPL", 3},
    {"time,price,size\n 2024-01-02,1,1\n", "AAPL", 1},
    /* a value the plain form reads but the scale refuses */
    {"ts_ns,price,size\n1,1.001,1\n", "AAPL", 0},
    {"ts_ns,price,size\n1,1.0100,1\n", "BTCUSD", 1},
    {"ts_ns,price,size\n1,1.0010,1\n", "BTCUSD", 0},
    {"ts_ns,price,size\n1,1,0.5\n", "AAPL", 0},
    {"ts_ns,price,size\n1,1,0.000000001\n", "ETHUSD", 0},
    {"ts_ns,price,size\n1,0.00,1\n", "AAPL", 0},
    {"ts_ns,price,size\n1,-5,1\n", "AAPL", 0},
    {"ts_ns,price,size\n1,1,-5\n", "AAPL", 0},
    /* 18 digits once scaled, and one more */
    {"ts_ns,price,size\n1,9999999999999999.99,1\n", "AAPL", 1},
    {"ts_ns,price,size\n1,99999999999999999.99,1\n", "AAPL", 0},
    {"ts_ns,price,size\n1,92233720368547758.07,1\n", "AAPL", 1},
    {"ts_ns,price,size\n1,92233720368547758.08,1\n", "AAPL", 0},
    /* the largest times of each unit, and one past them */
    {"ts_ns,price,size\n9223372036854775807,1,1\n", "AAPL", 1},
    {"ts_ms,price,size\n9223372036854,1,1\n", "AAPL", 1},
    {"ts_ms,price,size\n9223372036855,1,1\n", "AAPL", 0},
    /* a trade id of 20 digits: the general parse's */
    {"ts_ns,price,size,trade_id\n1,1,1,18446744073709551615\n"
     "2,1,1,18446744073709551616\n",
     "AAPL", 1},
    /* empty fields, a row of commas, a blank row, a comment */
    {"symbol,ts_ns,price,size\n,1,1,1\nAAPL,,1,1\n", NULL, 0},
    {"symbol,ts_ns,price,size\n,,,\n\n# note\nAAPL,1,1,1\n", NULL, 0},
    {"symbol,ts_ns,price,size\n\nAAPL,1,1,1\r\n\r\nAAPL,2,1,1", NULL, 2},
};

static void test_column_orders_and_forms(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_fastrow");
    for (size_t i = 0; i < sizeof s_files / sizeof s_files[0]; i++) {
        const s_file_t *c = &s_files[i];
        for (int gz = 0; gz <= 1; gz++) {
            char *path = s_write(dir, gz ? "f.csv.gz" : "f.csv", c->text,
                                 strlen(c->text));
            tt_csv_opts_t o = {.kind = TT_CSV_TICKS,
                               .strict = true,
                               .symbol = c->symbol,
                               .lookup = tth_replay_lookup};
            int n = s_both_ways(path, &o);
            if (n != c->records) {
                print_error("file %zu: %d records, wanted %d\n", i, n,
                            c->records);
                fail();
            }
            o.strict = false;
            s_both_ways(path, &o);
            free(path);
        }
    }
    tth_rmtree(dir);
    free(dir);
}

/* The one-pass parse gives what the general one gives on a plain row,
   and the errors of malformed numbers are still the general parse's,
   naming file, line, column and value. */
static void test_errors_name_file_line_and_value(void **state)
{
    (void)state;
    static const struct {
        const char *row;
        const char *message;
    } cases[] = {
        {"BTCUSD,1,100.001,1,1", "bad price '100.001': more fractional"},
        {"AAPL,1,1,1.5,1", "bad size '1.5': more fractional"},
        {"AAPL,1,1e,1,1", "bad price '1e': not a decimal number"},
        {"AAPL,1,,1,1", "bad price '': no digits"},
        {"AAPL,1,1,99999999999999999999,1",
         "bad size '99999999999999999999': value out of the 64-bit range"},
        {"AAPL,99999999999999999999,1,1,1",
         "bad timestamp '99999999999999999999' in column ts_ns"},
        {"AAPL,-1,1,1,1", "bad timestamp '-1' in column ts_ns"},
        {"AAPL,1,1,1,18446744073709551616",
         "bad trade_id '18446744073709551616'"},
        {"AAPL,1,1,1,", "bad trade_id ''"},
        {"AAPL,1,-1,1,1", "price must be > 0"},
        {"AAPL,1,1,1", "expected 5 fields, got 4"},
        {"DOGE,1,1,1,1", "unknown symbol 'DOGE'"},
    };
    char *dir = tth_tmpdir("tt_fastrow");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        int len = snprintf(text, sizeof text,
                           "symbol,ts_ns,price,size,trade_id\n"
                           "BTCUSD,1,1.5,0.25,7\r\n%s\r\n",
                           cases[i].row);
        char *path = s_write(dir, "e.csv", text, (size_t)len);
        tt_csv_opts_t o = {
            .kind = TT_CSV_TICKS, .strict = true, .lookup = tth_replay_lookup};
        char err[512] = "", want[512];
        tt_csv_reader_t *r = tt_csv_open(path, &o, err, sizeof err);
        assert_non_null(r);
        tt_replay_record_t rec;
        assert_int_equal(tt_csv_next(r, &rec), 1);
        assert_true(rec.ts == 1 && rec.tick.price == 150 &&
                    rec.tick.size == 2500 && rec.tick.trade_id == 7 &&
                    rec.line == 2);
        assert_int_equal(tt_csv_next(r, &rec), -1);
        snprintf(want, sizeof want, "%s:3: %s", path, cases[i].message);
        if (strncmp(tt_csv_error(r), want, strlen(want)) != 0) {
            print_error("got '%s', wanted '%s...'\n", tt_csv_error(r), want);
            fail();
        }
        tt_csv_close(&r);
        free(path);
    }
    tth_rmtree(dir);
    free(dir);
}

/* ---- lines in place and across reads ------------------------------------- */

/* Rows of every length around the reader's buffer, so lines end on, just
   before and just after each read's edge; LF and CRLF, plain and gzip,
   the last line without its newline. */
static void test_lines_across_reads(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_fastrow");
    size_t cap = 4 * TT_CSV_BUF_SIZE, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text, cap, "symbol,ts_ns,price,size,trade_id\n");
    int rows = 0;
    for (; len < 3 * TT_CSV_BUF_SIZE; rows++) {
        len += (size_t)snprintf(text + len, cap - len, "%s,%d,%d.%02d,%d,%d%s",
                                rows % 3 ? "BTCUSD" : "AAPL", 1000 + rows,
                                100 + rows % 50, rows % 100, 1 + rows % 9, rows,
                                rows % 5 == 0 ? "\r\n" : "\n");
    }
    len--; /* the last line without its newline */
    if (text[len - 1] == '\r')
        len--;
    for (int gz = 0; gz <= 1; gz++) {
        char *path = s_write(dir, gz ? "l.csv.gz" : "l.csv", text, len);
        tt_csv_opts_t o = {
            .kind = TT_CSV_TICKS, .strict = true, .lookup = tth_replay_lookup};
        assert_int_equal(s_both_ways(path, &o), rows);
        /* And the values themselves. */
        tt_csv_reader_t *r = tt_csv_open(path, &o, NULL, 0);
        assert_non_null(r);
        tt_replay_record_t rec;
        for (int i = 0; i < rows; i++) {
            assert_int_equal(tt_csv_next(r, &rec), 1);
            if (rec.ts != 1000 + i ||
                rec.tick.price != (100 + i % 50) * 100 + i % 100 ||
                rec.tick.trade_id != (uint64_t)i || rec.line != i + 2)
                fail_msg("row %d: ts %lld price %lld id %llu line %lld", i,
                         (long long)rec.ts, (long long)rec.tick.price,
                         (unsigned long long)rec.tick.trade_id,
                         (long long)rec.line);
        }
        assert_int_equal(tt_csv_next(r, &rec), 0);
        tt_csv_close(&r);
        free(path);
    }
    free(text);
    tth_rmtree(dir);
    free(dir);
}

/* A line in place longer than TT_CSV_LINE_MAX is refused as one
   assembled across reads is, and the rows around it are read. */
static void test_long_line_in_place(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt_fastrow");
    size_t cap = 2 * TT_CSV_LINE_MAX + 256;
    char *text = malloc(cap);
    int n = snprintf(text, cap, "ts_ns,price,size\n1,1,1\n2,1,");
    memset(text + n, '1', TT_CSV_LINE_MAX);
    n += TT_CSV_LINE_MAX;
    n += snprintf(text + n, cap - (size_t)n, "\n3,1,1\n");
    char *path = s_write(dir, "long.csv", text, (size_t)n);
    tt_csv_opts_t o = {.kind = TT_CSV_TICKS,
                       .strict = false,
                       .symbol = "AAPL",
                       .lookup = tth_replay_lookup};
    assert_int_equal(s_both_ways(path, &o), 2);
    tt_csv_reader_t *r = tt_csv_open(path, &o, NULL, 0);
    tt_replay_record_t rec;
    while (tt_csv_next(r, &rec) == 1)
        ;
    assert_true(rec.ts == 3 && rec.line == 4);
    assert_int_equal(tt_csv_stats(r)->skipped[TT_CSV_SKIP_LONG_LINE], 1);
    tt_csv_close(&r);
    free(path);
    free(text);
    tth_rmtree(dir);
    free(dir);
}

/* ---- symbols that differ late ----------------------------------------- */

/* Sixty names, ten each of 2, 3, 7, 8, 9 and 31 bytes, those of one
   length apart only in their last byte or two: in the lookup's table
   (128 slots for them) a name is often probed past others of its length
   that differ in a byte. */
#define S_NAMES 60
static char s_names[S_NAMES][TT_CSV_SYMBOL_MAX];

static void s_make_names(void)
{
    static const int lengths[] = {2, 3, 7, 8, 9, 31};
    for (int l = 0; l < 6; l++) {
        for (int v = 0; v < 10; v++) {
            char *name = s_names[l * 10 + v];
            int n = lengths[l];
            memset(name, 0, TT_CSV_SYMBOL_MAX);
            for (int i = 0; i < n; i++)
                name[i] = (char)('A' + i % 26);
            name[n - 1] = (char)('0' + v);
            if (n > 2)
                name[n - 2] = (char)('0' + v % 3);
        }
    }
}

static int s_lookup_names(void *arg, const char *symbol, tt_instrument_t *in)
{
    (void)arg;
    for (int i = 0; i < S_NAMES; i++) {
        if (strcmp(symbol, s_names[i]) == 0) {
            *in = (tt_instrument_t){2, 0, 1, 1};
            return i;
        }
    }
    return -1;
}

/* Names a byte apart, at every place up to the longest: each row is its
   own symbol's, known ones found again after the first ask, and a name
   one byte short of a known one is unknown. */
static void test_symbols_that_differ_late(void **state)
{
    (void)state;
    s_make_names();
    char *dir = tth_tmpdir("tt_fastrow");
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text, cap, "symbol,ts_ns,price,size\n");
    for (int r = 0; r < 200; r++)
        len += (size_t)snprintf(text + len, cap - len, "%s,%d,1.25,3\n",
                                s_names[(r * 7) % S_NAMES], 10 + r);
    len += (size_t)snprintf(text + len, cap - len, "ABCDEF,999,1,1\n");
    char *path = s_write(dir, "n.csv", text, len);
    tt_csv_opts_t o = {
        .kind = TT_CSV_TICKS, .strict = true, .lookup = s_lookup_names};
    assert_int_equal(s_both_ways(path, &o), 200);
    tt_csv_reader_t *r = tt_csv_open(path, &o, NULL, 0);
    assert_non_null(r);
    tt_replay_record_t rec;
    for (int i = 0; i < 200; i++) {
        assert_int_equal(tt_csv_next(r, &rec), 1);
        assert_int_equal(rec.symbol, (i * 7) % S_NAMES);
        assert_true(rec.tick.price == 125 && rec.tick.size == 3);
    }
    assert_int_equal(tt_csv_next(r, &rec), -1);
    assert_non_null(strstr(tt_csv_error(r), ":202: unknown symbol 'ABCDEF'"));
    tt_csv_close(&r);
    free(path);
    free(text);
    tth_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_rows_both_ways),
        cmocka_unit_test(test_column_orders_and_forms),
        cmocka_unit_test(test_errors_name_file_line_and_value),
        cmocka_unit_test(test_lines_across_reads),
        cmocka_unit_test(test_long_line_in_place),
        cmocka_unit_test(test_symbols_that_differ_late),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
