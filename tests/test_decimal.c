/*  tests/test_decimal.c: marketdata/decimal.c, exact decimal text <->
    scaled int64. Table cases with hand-computed expectations (signs,
    zeros, exponents, precision, int64 edges, bad syntax), then format
    round trips checked against strings built independently with
    snprintf. */
#include "tests/harness.h"

#include "marketdata/decimal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *text;
    int decimals;
    int status;
    int64_t value; /* only checked when status is TT_DEC_OK */
} case_t;

static const case_t s_cases[] = {
    /* plain forms */
    {"0", 0, TT_DEC_OK, 0},
    {"-0", 2, TT_DEC_OK, 0},
    {"+0.000", 2, TT_DEC_OK, 0},
    {"189.31", 2, TT_DEC_OK, 18931},
    {"189.31", 4, TT_DEC_OK, 1893100},
    {"-189.31", 2, TT_DEC_OK, -18931},
    {"+189.31", 2, TT_DEC_OK, 18931},
    {"0.00012345", 8, TT_DEC_OK, 12345},
    {"007", 0, TT_DEC_OK, 7},
    {"1.2300", 2, TT_DEC_OK, 123},
    {"1.2301", 2, TT_DEC_PRECISION, 0},
    {"1.23000000000000000000000000", 2, TT_DEC_OK, 123},
    {"1.00000000000000000000000001", 2, TT_DEC_PRECISION, 0},
    {"0.5", 0, TT_DEC_PRECISION, 0},
    /* optional integer or fraction part */
    {".5", 1, TT_DEC_OK, 5},
    {"-.5", 2, TT_DEC_OK, -50},
    {"5.", 0, TT_DEC_OK, 5},
    {"5.e1", 0, TT_DEC_OK, 50},
    /* exponents */
    {"1.5e-3", 4, TT_DEC_OK, 15},
    {"1.5E-3", 4, TT_DEC_OK, 15},
    {"1.5e-3", 3, TT_DEC_PRECISION, 0},
    {"1.5e+3", 0, TT_DEC_OK, 1500},
    {"15e2", 2, TT_DEC_OK, 150000},
    {"12345e-2", 2, TT_DEC_OK, 12345},
    {"12340e-3", 2, TT_DEC_OK, 1234},
    {"0e999999999999999999999", 2, TT_DEC_OK, 0},
    {"0.000e-999999999999", 2, TT_DEC_OK, 0},
    {"1e999999999999999999999", 0, TT_DEC_OVERFLOW, 0},
    {"1e-999999999999999999999", 18, TT_DEC_PRECISION, 0},
    {"1e18", 0, TT_DEC_OK, INT64_C(1000000000000000000)},
    {"1e19", 0, TT_DEC_OVERFLOW, 0},
    {"1", 18, TT_DEC_OK, INT64_C(1000000000000000000)},
    {"10", 18, TT_DEC_OVERFLOW, 0},
    {"-9.223372036854775808", 18, TT_DEC_OK, INT64_MIN},
    {"9.223372036854775807", 18, TT_DEC_OK, INT64_MAX},
    /* int64 edges */
    {"9223372036854775807", 0, TT_DEC_OK, INT64_MAX},
    {"9223372036854775808", 0, TT_DEC_OVERFLOW, 0},
    {"-9223372036854775808", 0, TT_DEC_OK, INT64_MIN},
    {"-9223372036854775809", 0, TT_DEC_OVERFLOW, 0},
    {"922337203685477580.7", 1, TT_DEC_OK, INT64_MAX},
    {"922337203685477580.8", 1, TT_DEC_OVERFLOW, 0},
    {"92233720368547758.07e1", 1, TT_DEC_OK, INT64_MAX},
    {"922337203685477580", 1, TT_DEC_OK, INT64_C(9223372036854775800)},
    {"922337203685477581", 1, TT_DEC_OVERFLOW, 0},
    {"-922337203685477580.8", 1, TT_DEC_OK, INT64_MIN},
    {"00000000000000000000000009223372036854775807", 0, TT_DEC_OK, INT64_MAX},
    {"99999999999999999999999999999", 0, TT_DEC_OVERFLOW, 0},
    /* precision is reported before overflow */
    {"99999999999999999999999.001", 2, TT_DEC_PRECISION, 0},
    /* empty and bad syntax */
    {"", 2, TT_DEC_EMPTY, 0},
    {"+", 2, TT_DEC_EMPTY, 0},
    {"-", 2, TT_DEC_EMPTY, 0},
    {".", 2, TT_DEC_EMPTY, 0},
    {"abc", 2, TT_DEC_SYNTAX, 0},
    {"e5", 2, TT_DEC_SYNTAX, 0},
    {".e5", 2, TT_DEC_SYNTAX, 0},
    {"1e", 2, TT_DEC_SYNTAX, 0},
    {"1e+", 2, TT_DEC_SYNTAX, 0},
    {"1.2.3", 2, TT_DEC_SYNTAX, 0},
    {"--1", 2, TT_DEC_SYNTAX, 0},
    {"+-1", 2, TT_DEC_SYNTAX, 0},
    {" 1", 2, TT_DEC_SYNTAX, 0},
    {"1 ", 2, TT_DEC_SYNTAX, 0},
    {"1,5", 2, TT_DEC_SYNTAX, 0},
    {"0x10", 2, TT_DEC_SYNTAX, 0},
    {"inf", 2, TT_DEC_SYNTAX, 0},
    {"nan", 2, TT_DEC_SYNTAX, 0},
    {"1e5x", 2, TT_DEC_SYNTAX, 0},
    {"1e1.5", 2, TT_DEC_SYNTAX, 0},
    /* scale range */
    {"1", -1, TT_DEC_RANGE, 0},
    {"1", 19, TT_DEC_RANGE, 0},
};

static void test_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_cases / sizeof s_cases[0]; i++) {
        const case_t *c = &s_cases[i];
        int64_t out = INT64_C(0x5a5a5a5a);
        int rc = tt_decimal_parse(c->text, strlen(c->text), c->decimals, &out);
        if (rc != c->status || (rc == TT_DEC_OK && out != c->value)) {
            fail_msg("case %zu \"%s\" @%d: got status %d value %" PRId64
                     ", want %d value %" PRId64,
                     i, c->text, c->decimals, rc, out, c->status, c->value);
        }
        if (rc != TT_DEC_OK)
            assert_int_equal(out, INT64_C(0x5a5a5a5a)); /* untouched */
    }
}

static void test_parse_len_not_nul(void **state)
{
    (void)state;
    /* LEN bounds the text: "12.5" of "12.5xyz" parses, no NUL needed. */
    const char buf[7] = {'1', '2', '.', '5', 'x', 'y', 'z'};
    int64_t out = 0;
    assert_int_equal(tt_decimal_parse(buf, 4, 1, &out), TT_DEC_OK);
    assert_int_equal(out, 125);
    assert_int_equal(tt_decimal_parse(buf, 5, 1, &out), TT_DEC_SYNTAX);
    assert_int_equal(tt_decimal_parse(NULL, 0, 1, &out), TT_DEC_EMPTY);
}

/* The plain form's short cut answers as the general scan does: status,
   value, and *OUT untouched on a refusal. Texts are random strings over
   the syntax's characters (mostly digits, so many are plain, of every
   length around the 18-digit edge) at every scale, seeded. */
static void s_random_text(uint64_t *rng, char *buf, size_t *len)
{
    static const char chars[] = "0123456789012345678901234567890.-+eE";
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    uint64_t r = *rng;
    *len = (size_t)(r % 24);
    for (size_t i = 0; i < *len; i++) {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        /* Mostly digits, now and then a dot, more rarely anything. */
        uint64_t pick = *rng % 100;
        buf[i] = pick < 85   ? chars[*rng / 100 % 10]
                 : pick < 95 ? '.'
                             : chars[*rng / 100 % (sizeof chars - 1)];
    }
    if (*len && r % 7 == 0)
        buf[0] = '-';
}

static void test_plain_short_cut_matches_general(void **state)
{
    (void)state;
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    char buf[32];
    size_t len;
    int plain_ok = 0;
    for (int n = 0; n < 400000; n++) {
        s_random_text(&rng, buf, &len);
        int decimals = (int)(rng >> 40) % 21 - 1; /* -1..19 */
        int64_t fast = INT64_C(0x5a5a5a5a), slow = INT64_C(0x5a5a5a5a);
        int rc_fast = tt_decimal_parse(buf, len, decimals, &fast);
        int rc_slow = tt_decimal_parse_general(buf, len, decimals, &slow);
        if (rc_fast != rc_slow || fast != slow)
            fail_msg("\"%.*s\" @%d: short cut %d %" PRId64
                     ", general %d %" PRId64,
                     (int)len, buf, decimals, rc_fast, fast, rc_slow, slow);
        plain_ok += rc_fast == TT_DEC_OK;
    }
    /* Both sides of the short cut were exercised. */
    assert_true(plain_ok > 10000);
    assert_true(plain_ok < 390000);
}

/* The plain form read before its scale (tt_decimal_scan, then
   tt_decimal_scale) gives what the general scan gives whenever it
   answers, and declines texts that are not plain; the bytes after the
   number (here a random terminator and more text) are not taken. */
static void test_scan_and_scale_match_general(void **state)
{
    (void)state;
    uint64_t rng = 0x2545f4914f6cdd1dull;
    char buf[64];
    size_t len;
    int answered = 0, declined = 0;
    for (int n = 0; n < 400000; n++) {
        s_random_text(&rng, buf, &len);
        int decimals = (int)(rng >> 40) % 21 - 1; /* -1..19 */
        static const char after[] = ",\0 x.-9";
        buf[len] = after[(rng >> 20) % (sizeof after - 1)];
        memcpy(buf + len + 1, "12345678", 8);
        tt_decimal_plain_t plain;
        size_t took = tt_decimal_scan(buf, len + 9, &plain);
        int64_t fast = INT64_C(0x5a5a5a5a), slow = INT64_C(0x5a5a5a5a);
        /* Only a whole text answers for itself: with the terminator a
           digit or '.', the scan went on into it. */
        bool whole = took == len && len > 0;
        if (whole && tt_decimal_scale(&plain, decimals, &fast)) {
            int rc = tt_decimal_parse_general(buf, len, decimals, &slow);
            if (rc != TT_DEC_OK || fast != slow)
                fail_msg("\"%.*s\" @%d: scan %" PRId64 ", general %d %" PRId64,
                         (int)len, buf, decimals, fast, rc, slow);
            answered++;
        } else {
            assert_int_equal(fast, INT64_C(0x5a5a5a5a)); /* untouched */
            declined++;
        }
    }
    assert_true(answered > 10000);
    assert_true(declined > 10000);
}

/* Digits of every run length at every offset, eight at a time where the
   bound allows: the count and the value of a run of up to 19, and never
   a byte past LEN. */
static void test_digits_runs(void **state)
{
    (void)state;
    char buf[48];
    for (size_t run = 0; run <= 24; run++) {
        for (size_t start = 0; start < 8; start++) {
            for (size_t stop = 0; stop <= run + 10; stop++) {
                memset(buf, 'x', sizeof buf);
                uint64_t want = 0;
                for (size_t i = 0; i < run; i++) {
                    buf[start + i] = (char)('0' + (i * 7 + run) % 10);
                    want = want * 10 + (uint64_t)(buf[start + i] - '0');
                }
                /* Past STOP a digit: it must not be counted. */
                buf[start + stop] = '5';
                uint64_t got = 77;
                size_t n = tt_decimal_digits(buf + start, stop, &got);
                size_t expect = run < stop ? run : stop;
                assert_int_equal(n, expect);
                if (expect == run && run <= 19)
                    assert_true(got == want);
            }
        }
    }
    /* Bytes just around the digits: '/' and ':', 0x00, 0xFF. */
    const char edges[] = {'/', ':', 0, (char)0xFF, (char)0xFA, ' '};
    for (size_t e = 0; e < sizeof edges; e++) {
        memcpy(buf, "1234567", 7);
        buf[7] = edges[e];
        memcpy(buf + 8, "99999999", 8);
        uint64_t got = 0;
        assert_int_equal(tt_decimal_digits(buf, 16, &got), 7);
        assert_true(got == 1234567);
    }
}

static void test_format_cases(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(tt_decimal_format(18931, 2, buf, sizeof buf), 6);
    assert_string_equal(buf, "189.31");
    tt_decimal_format(-5, 2, buf, sizeof buf);
    assert_string_equal(buf, "-0.05");
    tt_decimal_format(0, 3, buf, sizeof buf);
    assert_string_equal(buf, "0.000");
    tt_decimal_format(0, 0, buf, sizeof buf);
    assert_string_equal(buf, "0");
    tt_decimal_format(-42, 0, buf, sizeof buf);
    assert_string_equal(buf, "-42");
    tt_decimal_format(INT64_MIN, 0, buf, sizeof buf);
    assert_string_equal(buf, "-9223372036854775808");
    tt_decimal_format(INT64_MIN, 18, buf, sizeof buf);
    assert_string_equal(buf, "-9.223372036854775808");
    tt_decimal_format(INT64_MAX, 18, buf, sizeof buf);
    assert_string_equal(buf, "9.223372036854775807");
    tt_decimal_format(1, 18, buf, sizeof buf);
    assert_string_equal(buf, "0.000000000000000001");
    /* "189.31" needs 7 bytes with its NUL. */
    assert_int_equal(tt_decimal_format(18931, 2, buf, 6), -1);
    assert_int_equal(tt_decimal_format(18931, 2, buf, 7), 6);
    assert_int_equal(tt_decimal_format(1, 19, buf, sizeof buf), -1);
    assert_int_equal(tt_decimal_format(1, -1, buf, sizeof buf), -1);
}

/* xorshift64*: deterministic test values. */
static uint64_t s_rng(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

/* VALUE / 10^D written with snprintf, independently of the formatter. */
static void s_reference(int64_t value, int d, char *buf, size_t size)
{
    uint64_t mag = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    uint64_t p = 1;
    for (int i = 0; i < d; i++)
        p *= 10;
    if (d == 0)
        snprintf(buf, size, "%s%" PRIu64, value < 0 ? "-" : "", mag);
    else
        snprintf(buf, size, "%s%" PRIu64 ".%0*" PRIu64, value < 0 ? "-" : "",
                 mag / p, d, mag % p);
}

static void test_round_trip(void **state)
{
    (void)state;
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
    char got[64], want[64];
    for (int i = 0; i < 200000; i++) {
        uint64_t r = s_rng(&seed);
        int64_t value = (int64_t)(r >> (r % 64)); /* all magnitudes */
        if (i & 1)
            value = -value;
        if (i == 0)
            value = INT64_MIN;
        if (i == 2)
            value = INT64_MAX;
        int d = (int)(s_rng(&seed) % 19);
        int n = tt_decimal_format(value, d, got, sizeof got);
        s_reference(value, d, want, sizeof want);
        assert_string_equal(got, want);
        assert_int_equal(n, (int)strlen(want));
        int64_t back = 0;
        assert_int_equal(tt_decimal_parse(got, (size_t)n, d, &back), TT_DEC_OK);
        assert_true(back == value);
    }
}

static void test_strerror(void **state)
{
    (void)state;
    const int codes[] = {TT_DEC_OK,        TT_DEC_EMPTY,    TT_DEC_SYNTAX,
                         TT_DEC_PRECISION, TT_DEC_OVERFLOW, TT_DEC_RANGE};
    for (size_t i = 0; i < 6; i++)
        for (size_t j = i + 1; j < 6; j++)
            assert_string_not_equal(tt_decimal_strerror(codes[i]),
                                    tt_decimal_strerror(codes[j]));
    assert_non_null(strstr(tt_decimal_strerror(-99), "unknown"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_parse_len_not_nul),
        cmocka_unit_test(test_plain_short_cut_matches_general),
        cmocka_unit_test(test_scan_and_scale_match_general),
        cmocka_unit_test(test_digits_runs),
        cmocka_unit_test(test_format_cases),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
