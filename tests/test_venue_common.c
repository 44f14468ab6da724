/*  tests/test_venue_common.c: the venue-common pieces. The JSON scanner
    against well-formed, truncated and malformed text; the shared rate
    limiter with injected time (refill, 429/418 holds, the used-weight
    header, two threads hammering one bucket); secrets from the environment
    and from files with good and bad modes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/harness.h"
#include "venues/common/jscan.h"
#include "venues/common/ratelimit.h"
#include "venues/common/secrets.h"

#define SEC TT_NS_PER_SEC

/* ---- jscan ---------------------------------------------------------- */

/* Walks TEXT as an object to its end; returns the walk's final code. */
static int s_walk(const char *text, const char **why)
{
    tt_jiter_t it;
    if (tt_jiter_root(&it, text, strlen(text), '{') != 0) {
        *why = it.err;
        return -1;
    }
    tt_jval_t k, v;
    int rc;
    while ((rc = tt_jiter_member(&it, &k, &v)) == 1)
        ;
    *why = it.err;
    return rc;
}

static void test_jscan_valid(void **state)
{
    (void)state;
    const char *why;
    const char *ok[] = {
        "{}",
        " { \"a\" : 1 } \n",
        "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\\\"y\\u0041\",\"d\":-0.5e+3}",
        "{\"t\":true,\"f\":false,\"n\":null,\"e\":[]}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(s_walk(ok[i], &why), 0);
}

static void test_jscan_malformed(void **state)
{
    (void)state;
    const char *why;
    struct {
        const char *text;
        const char *reason;
    } bad[] = {
        {"", "empty frame"},
        {"[1]", "expected an object"},
        {"{\"a\":1", "truncated"},
        {"{\"a\":\"abc", "truncated: unterminated string"},
        {"{\"a\":", "truncated: value expected"},
        {"{\"a\" 1}", "expected ':'"},
        {"{\"a\":1,}", "expected a member name"},
        {"{\"a\":01}", "bad number"},
        {"{\"a\":1.}", "bad number"},
        {"{\"a\":tru}", "unexpected token"},
        {"{\"a\":1} x", "bytes after the end"},
        {"{\"a\":[1,2}", "expected ',' or a closing bracket"},
        {"{\"a\":\"\\x\"}", "bad escape"},
        {"{\"a\":\"\x01\"}", "control character"},
        {"{a:1}", "expected a member name"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(s_walk(bad[i].text, &why), -1);
        assert_non_null(why);
        if (!strstr(why, bad[i].reason))
            fail_msg("'%s': got '%s', want '%s'", bad[i].text, why,
                     bad[i].reason);
    }
    /* Deep nesting is refused, not recursed into without bound. */
    char deep[200] = "{\"a\":";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    assert_int_equal(s_walk(deep, &why), -1);
    assert_string_equal(why, "nested too deeply");
}

static void test_jscan_fields_and_values(void **state)
{
    (void)state;
    const char *text =
        "{\"E\":123,\"e\":\"trade\",\"x\":\"a\\nb\\u00e9\","
        "\"big\":9223372036854775807,\"neg\":-9223372036854775808,"
        "\"over\":9223372036854775808,\"frac\":1.5}";
    static const char *const keys[] = {"e",   "E",    "x",    "big",
                                       "neg", "over", "frac", "missing"};
    tt_jval_t v[8];
    tt_jiter_t it;
    assert_int_equal(tt_jiter_root(&it, text, strlen(text), '{'), 0);
    assert_int_equal(tt_jiter_fields(&it, keys, 8, v), 0);
    assert_true(tt_jval_is(&v[0], "trade"));
    assert_false(tt_jval_is(&v[0], "trad"));
    int64_t n;
    assert_int_equal(tt_jval_int64(&v[1], &n), 0);
    assert_int_equal(n, 123);
    char buf[16];
    assert_int_equal(tt_jval_copy(&v[2], buf, sizeof buf), 4);
    assert_string_equal(buf, "a\nb?");
    assert_true(v[2].escaped);
    assert_int_equal(tt_jval_copy(&v[2], buf, 3), -1);
    assert_int_equal(tt_jval_int64(&v[3], &n), 0);
    assert_true(n == INT64_MAX);
    assert_int_equal(tt_jval_int64(&v[4], &n), 0);
    assert_true(n == INT64_MIN);
    assert_int_equal(tt_jval_int64(&v[5], &n), -1);
    assert_int_equal(tt_jval_int64(&v[6], &n), -1);
    assert_int_equal(v[7].type, TT_JS_NONE);
}

/* ---- ratelimit ------------------------------------------------------ */

static tt_ratelimit_t *s_bucket(int64_t cap, int64_t refill, tt_ns_t now)
{
    tt_ratelimit_config_t cfg = {
        .capacity = cap, .refill = refill, .interval_ns = 60 * SEC};
    tt_ratelimit_t *rl = tt_ratelimit_new(&cfg, now);
    assert_non_null(rl);
    return rl;
}

static void test_ratelimit_refill(void **state)
{
    (void)state;
    tt_ratelimit_config_t bad = {
        .capacity = 0, .refill = 1, .interval_ns = SEC};
    assert_null(tt_ratelimit_new(&bad, 0));
    tt_ratelimit_t *rl = s_bucket(6000, 6000, 0);
    tt_ns_t wait = -1;
    assert_int_equal(tt_ratelimit_take(rl, 6001, 0, &wait), -1);
    assert_int_equal(tt_ratelimit_take(rl, 0, 0, &wait), -1);
    assert_int_equal(tt_ratelimit_take(rl, 5000, 0, &wait), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(tt_ratelimit_take(rl, 1000, 0, &wait), 0);
    /* Empty: 20 units refill at 100 per second, so 0.2 s. */
    assert_int_equal(tt_ratelimit_take(rl, 20, 0, &wait), 1);
    assert_int_equal(wait, 200 * TT_NS_PER_MS);
    assert_int_equal(tt_ratelimit_take(rl, 20, 199 * TT_NS_PER_MS, &wait), 1);
    assert_int_equal(wait, TT_NS_PER_MS);
    assert_int_equal(tt_ratelimit_take(rl, 20, 200 * TT_NS_PER_MS, &wait), 0);
    /* Time running backwards (another thread's older reading) neither
       refills nor breaks anything. */
    assert_int_equal(tt_ratelimit_take(rl, 1, 100 * TT_NS_PER_MS, &wait), 1);
    /* A long idle fills the bucket to its capacity, no further. */
    assert_int_equal(tt_ratelimit_take(rl, 6000, 3600 * SEC, &wait), 0);
    assert_int_equal(tt_ratelimit_take(rl, 1, 3600 * SEC, &wait), 1);
    tt_ratelimit_stats_t st;
    tt_ratelimit_stats(rl, 3600 * SEC, &st);
    assert_int_equal(st.taken, 4);
    assert_int_equal(st.refused, 4);
    assert_int_equal(st.weight_taken, 5000 + 1000 + 20 + 6000);
    tt_ratelimit_destroy(&rl);
    assert_null(rl);
    tt_ratelimit_destroy(&rl);
}

static void test_ratelimit_429_418(void **state)
{
    (void)state;
    tt_ratelimit_t *rl = s_bucket(100, 100, 0);
    tt_ns_t wait;
    tt_ratelimit_on_reply(rl, 200, "30", 0); /* ignored */
    tt_ratelimit_on_reply(rl, 429, "7", 10 * SEC);
    assert_int_equal(tt_ratelimit_take(rl, 1, 10 * SEC, &wait), 1);
    assert_int_equal(wait, 7 * SEC);
    assert_int_equal(tt_ratelimit_take(rl, 1, 17 * SEC - 1, &wait), 1);
    assert_int_equal(wait, 1);
    /* After the hold the bucket starts from empty (refilled since 10 s:
       7 s at 100/min is 11 units). */
    assert_int_equal(tt_ratelimit_take(rl, 11, 17 * SEC, &wait), 0);
    assert_int_equal(tt_ratelimit_take(rl, 1, 17 * SEC, &wait), 1);

    /* 418 without Retry-After: the conservative default (15 min). */
    tt_ratelimit_on_reply(rl, 418, NULL, 100 * SEC);
    assert_int_equal(tt_ratelimit_take(rl, 1, 100 * SEC, &wait), 1);
    assert_int_equal(wait, 900 * SEC);
    /* A shorter 429 hold does not shorten the ban. */
    tt_ratelimit_on_reply(rl, 429, "1", 101 * SEC);
    assert_int_equal(tt_ratelimit_take(rl, 1, 101 * SEC, &wait), 1);
    assert_int_equal(wait, 899 * SEC);
    /* 418 with Retry-After beyond the current hold extends it. */
    tt_ratelimit_on_reply(rl, 418, "3600", 200 * SEC);
    assert_int_equal(tt_ratelimit_take(rl, 1, 200 * SEC, &wait), 1);
    assert_int_equal(wait, 3600 * SEC);
    tt_ratelimit_stats_t st;
    tt_ratelimit_stats(rl, 200 * SEC, &st);
    assert_int_equal(st.replies_429, 2);
    assert_int_equal(st.replies_418, 2);
    assert_int_equal(st.blocked_until, 3800 * SEC);
    tt_ratelimit_destroy(&rl);

    /* 429 with an unusable Retry-After falls back to 60 s. */
    rl = s_bucket(100, 100, 0);
    tt_ratelimit_on_reply(rl, 429, "soon", 0);
    assert_int_equal(tt_ratelimit_take(rl, 1, 0, &wait), 1);
    assert_int_equal(wait, 60 * SEC);
    tt_ratelimit_destroy(&rl);
}

static void test_ratelimit_used_weight(void **state)
{
    (void)state;
    tt_ratelimit_config_t cfg = {.capacity = 600,
                                 .refill = 600,
                                 .interval_ns = 60 * SEC,
                                 .venue_limit = 6000};
    tt_ratelimit_t *rl = tt_ratelimit_new(&cfg, 0);
    tt_ns_t wait;
    assert_int_equal(tt_ratelimit_on_used_weight(rl, "x1", 0), -1);
    assert_int_equal(tt_ratelimit_on_used_weight(rl, "", 0), -1);
    /* Someone else on our IP used 5000 of 6000: we keep 1/6 of 600. */
    assert_int_equal(tt_ratelimit_on_used_weight(rl, "5000", 0), 0);
    assert_int_equal(tt_ratelimit_take(rl, 100, 0, &wait), 0);
    assert_int_equal(tt_ratelimit_take(rl, 1, 0, &wait), 1);
    /* A header reporting less use never raises the bucket. */
    assert_int_equal(tt_ratelimit_on_used_weight(rl, "0", 0), 0);
    assert_int_equal(tt_ratelimit_take(rl, 1, 0, &wait), 1);
    assert_int_equal(tt_ratelimit_on_used_weight(rl, "999999", 0), 0);
    tt_ratelimit_destroy(&rl);
}

typedef struct {
    tt_ratelimit_t *rl;
    uint64_t got;
} s_hammer_t;

static void *s_hammer(void *arg)
{
    s_hammer_t *h = arg;
    /* Time advances 1 ms per attempt: 200 s in all, refilling 1 unit a
       second (capacity 50), so at most 50 + 200 units can be taken. */
    for (int64_t i = 0; i < 200000; i++) {
        tt_ns_t wait;
        if (tt_ratelimit_take(h->rl, 1, i * TT_NS_PER_MS, &wait) == 0)
            h->got++;
        else
            assert_true(wait > 0);
    }
    return NULL;
}

static void test_ratelimit_threads(void **state)
{
    (void)state;
    tt_ratelimit_config_t cfg = {
        .capacity = 50, .refill = 1, .interval_ns = SEC};
    tt_ratelimit_t *rl = tt_ratelimit_new(&cfg, 0);
    s_hammer_t a = {rl, 0}, b = {rl, 0};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, s_hammer, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, s_hammer, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    uint64_t total = a.got + b.got;
    /* 50 at start plus one per second for 199.999 s. */
    assert_true(total <= 50 + 200);
    assert_true(total >= 50 + 199);
    tt_ratelimit_stats_t st;
    tt_ratelimit_stats(rl, 0, &st);
    assert_int_equal(st.taken, total);
    assert_int_equal(st.taken + st.refused, 400000);
    tt_ratelimit_destroy(&rl);
}

/* ---- secrets -------------------------------------------------------- */

static void test_secret_env(void **state)
{
    (void)state;
    char err[256];
    setenv("TT_TEST_SECRET", "s3cr3t\n", 1);
    tt_secret_t *s = tt_secret_from_env("TT_TEST_SECRET", err, sizeof err);
    assert_non_null(s);
    assert_string_equal(tt_secret_value(s), "s3cr3t");
    assert_int_equal(tt_secret_len(s), 6);
    tt_secret_destroy(&s);
    assert_null(s);
    s = tt_secret_load("env:TT_TEST_SECRET", err, sizeof err);
    assert_non_null(s);
    tt_secret_destroy(&s);
    unsetenv("TT_TEST_SECRET_NONE");
    assert_null(tt_secret_from_env("TT_TEST_SECRET_NONE", err, sizeof err));
    assert_non_null(strstr(err, "TT_TEST_SECRET_NONE"));
    assert_non_null(strstr(err, "unset"));
    assert_null(tt_secret_load("s3cr3t", err, sizeof err));
    assert_null(strstr(err, "s3cr3t"));
    unsetenv("TT_TEST_SECRET");
}

static void test_secret_file(void **state)
{
    (void)state;
    char err[512];
    char *dir = tth_tmpdir("secret");
    char *path = tth_write_file(dir, "key", "hunter2-secret\r\n");
    assert_int_equal(chmod(path, 0600), 0);
    tt_secret_t *s = tt_secret_from_file(path, err, sizeof err);
    assert_non_null(s);
    assert_string_equal(tt_secret_value(s), "hunter2-secret");
    tt_secret_destroy(&s);

    /* Mode 0644: refused, naming the file and the mode, never the value. */
    assert_int_equal(chmod(path, 0644), 0);
    assert_null(tt_secret_from_file(path, err, sizeof err));
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "0644"));
    assert_null(strstr(err, "hunter2"));
    assert_int_equal(chmod(path, 0640), 0);
    char spec[600];
    snprintf(spec, sizeof spec, "file:%s", path);
    assert_null(tt_secret_load(spec, err, sizeof err));
    assert_non_null(strstr(err, "0640"));

    /* Missing file. */
    char missing[600];
    snprintf(missing, sizeof missing, "%s/nope", dir);
    assert_null(tt_secret_from_file(missing, err, sizeof err));
    assert_non_null(strstr(err, missing));
    assert_non_null(strstr(err, "No such file"));

    /* Empty (only a newline) and a directory. */
    char *empty = tth_write_file(dir, "empty", "\n");
    assert_int_equal(chmod(empty, 0600), 0);
    assert_null(tt_secret_from_file(empty, err, sizeof err));
    assert_non_null(strstr(err, "empty"));
    assert_int_equal(chmod(dir, 0700), 0);
    assert_null(tt_secret_from_file(dir, err, sizeof err));
    assert_non_null(strstr(err, "not a regular file"));
    free(empty);
    free(path);
    tth_rmtree(dir);
    free(dir);
}

/* The config's key fields: env:/file: load from there, anything else
   is the value itself; errors never show the value. */
static void test_secret_resolve(void **state)
{
    (void)state;
    char err[256] = "";
    tt_secret_t *s = tt_secret_resolve("PKLITERAL42", err, sizeof err);
    assert_non_null(s);
    assert_string_equal(tt_secret_value(s), "PKLITERAL42");
    assert_int_equal(tt_secret_len(s), 11);
    tt_secret_destroy(&s);
    assert_null(s);
    setenv("TT_TEST_RESOLVE", "fromenv", 1);
    s = tt_secret_resolve("env:TT_TEST_RESOLVE", err, sizeof err);
    assert_non_null(s);
    assert_string_equal(tt_secret_value(s), "fromenv");
    tt_secret_destroy(&s);
    unsetenv("TT_TEST_RESOLVE");
    assert_null(tt_secret_resolve("env:TT_TEST_RESOLVE", err, sizeof err));
    assert_non_null(strstr(err, "TT_TEST_RESOLVE"));
    assert_null(tt_secret_resolve("file:/nonexistent/key", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/key"));
    assert_null(tt_secret_resolve("", err, sizeof err));
    assert_non_null(strstr(err, "empty"));
    char big[TT_SECRET_MAX + 2];
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_null(tt_secret_from_value(big, err, sizeof err));
    assert_non_null(strstr(err, "too long"));
    assert_null(strstr(err, "kkkk"));
}

/* A key in a request header: built whole, and gone when freed. */
static void test_secret_text(void **state)
{
    (void)state;
    char *h = tt_secret_text("X-MBX-APIKEY: ", "k3y");
    assert_non_null(h);
    assert_string_equal(h, "X-MBX-APIKEY: k3y");
    tt_secret_text_free(&h);
    assert_null(h);
    tt_secret_text_free(&h); /* NULL is fine */
    char *bare = tt_secret_text("", "");
    assert_non_null(bare);
    assert_string_equal(bare, "");
    tt_secret_text_free(&bare);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jscan_valid),
        cmocka_unit_test(test_jscan_malformed),
        cmocka_unit_test(test_jscan_fields_and_values),
        cmocka_unit_test(test_ratelimit_refill),
        cmocka_unit_test(test_ratelimit_429_418),
        cmocka_unit_test(test_ratelimit_used_weight),
        cmocka_unit_test(test_ratelimit_threads),
        cmocka_unit_test(test_secret_env),
        cmocka_unit_test(test_secret_file),
        cmocka_unit_test(test_secret_resolve),
        cmocka_unit_test(test_secret_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
