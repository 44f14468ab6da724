/*  tests/test_warmup.c: warm-up from the store (actors/warmup.h) on a real
    SQLite file: the latest snapshot plus the candles stored after it give
    exactly the uninterrupted run; without a usable snapshot the last
    candles of each timeframe give the standard warm-up; too few candles
    leave the set cold and say how cold; an unreadable store is an error
    with its reason; candles from any other source go through the same
    entry, each once. */
#include "tests/harness.h"

#include "actors/warmup.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 (INT64_C(1700000100) * TT_NS_PER_SEC) /* a 300 s boundary */
#define S_SYM "AAA"

static const tt_ind_spec_t s_specs[] = {
    {.kind = TT_IND_SMA, .tf_s = 60, .p1 = 5},
    {.kind = TT_IND_EMA, .tf_s = 60, .p1 = 9},
    {.kind = TT_IND_RSI, .tf_s = 60, .p1 = 14},
    {.kind = TT_IND_ATR, .tf_s = 300, .p1 = 7},
    {.kind = TT_IND_BBANDS, .tf_s = 300, .p1 = 10, .k = 2.0},
};
#define S_NSPECS (sizeof s_specs / sizeof s_specs[0])

static tt_indset_t *s_new(void)
{
    char err[128];
    tt_indset_t *set = tt_indset_new(s_specs, S_NSPECS, 2, 0, err, sizeof err);
    assert_non_null(set);
    return set;
}

/* N candles: 60 s ones, and a 300 s one after every fifth, in the order
   a data actor closes them. GAP_EVERY > 0 skips a minute that often (a
   quiet market makes no candle). */
static int s_candles(tt_candle_t *out, int n, int gap_every)
{
    uint64_t x = 0x9e3779b97f4a7c15u;
    int64_t px = 5000;
    int64_t minute = 0;
    int count = 0;
    while (count < n) {
        if (gap_every && minute % gap_every == gap_every - 1) {
            minute++;
            continue;
        }
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t close = px + (int64_t)(x % 31) - 15;
        tt_candle_t c = {.open_ts = T0 + minute * 60 * TT_NS_PER_SEC,
                         .tf_s = 60,
                         .open = px,
                         .close = close,
                         .high = (px > close ? px : close) + 2,
                         .low = (px < close ? px : close) - 1,
                         .volume = 3,
                         .trades = 2,
                         .closed = true};
        out[count++] = c;
        px = close;
        if (minute % 5 == 4 && count < n) {
            tt_candle_t f = c;
            f.tf_s = 300;
            f.open_ts = T0 + (minute / 5) * 300 * TT_NS_PER_SEC;
            f.high += 3;
            out[count++] = f;
        }
        minute++;
    }
    return count;
}

typedef struct {
    char *dir;
    char *path;
    tt_store_t *store;
} s_db_t;

static void s_db_open(s_db_t *db)
{
    db->dir = tth_tmpdir("tt-warmup");
    size_t len = strlen(db->dir) + 16;
    db->path = malloc(len);
    snprintf(db->path, len, "%s/t.db", db->dir);
    char err[256];
    db->store = tt_store_open(db->path, NULL, err, sizeof err);
    assert_non_null(db->store);
}

static void s_db_put(s_db_t *db, const tt_candle_t *c, int n)
{
    for (int i = 0; i < n; i++)
        assert_int_equal(tt_store_candle_put(db->store, S_SYM, &c[i]), 0);
    assert_int_equal(tt_store_flush(db->store), 0);
}

static void s_db_snapshot(s_db_t *db, const tt_indset_t *set, tt_ns_t ts)
{
    size_t size = tt_indset_snapshot_size(set);
    void *buf = malloc(size);
    assert_int_equal(tt_indset_snapshot(set, buf, size), size);
    assert_int_equal(
        tt_store_snapshot_put(db->store, S_SYM, TT_WARMUP_KEY, ts, buf, size),
        0);
    assert_int_equal(tt_store_flush(db->store), 0);
    free(buf);
}

static void s_db_close(s_db_t *db)
{
    tt_store_close(&db->store);
    tth_rmtree(db->dir);
    free(db->dir);
    free(db->path);
}

/* Two sets hold the same state: snapshots byte for byte. */
static void s_same(const tt_indset_t *a, const tt_indset_t *b)
{
    size_t size = tt_indset_snapshot_size(a);
    assert_int_equal(size, tt_indset_snapshot_size(b));
    unsigned char *x = malloc(size), *y = malloc(size);
    tt_indset_snapshot(a, x, size);
    tt_indset_snapshot(b, y, size);
    assert_memory_equal(x, y, size);
    free(x);
    free(y);
}

static tt_ns_t s_end(const tt_candle_t *c)
{
    return c->open_ts + (tt_ns_t)c->tf_s * TT_NS_PER_SEC;
}

static void test_snapshot_then_stored_candles_continue_exactly(void **state)
{
    (void)state;
    enum { N = 240, CUT = 131 };
    tt_candle_t c[N];
    s_candles(c, N, 0);
    s_db_t db;
    s_db_open(&db);
    /* A run that snapshot after CUT candles, and an older snapshot. */
    tt_indset_t *run = s_new(), *whole = s_new();
    assert_int_equal(tt_warmup_feed(run, c, 40), 40);
    s_db_snapshot(&db, run, s_end(&c[39]));
    assert_int_equal(tt_warmup_feed(run, c + 40, CUT - 40), CUT - 40);
    s_db_snapshot(&db, run, s_end(&c[CUT - 1]));
    s_db_put(&db, c, N);
    assert_int_equal(tt_warmup_feed(whole, c, N), N);
    tt_indset_t *restored = s_new();
    tt_warmup_result_t res;
    char err[256];
    assert_int_equal(tt_warmup_from_store(restored, db.path, S_SYM,
                                          s_end(&c[N - 1]), &res, err,
                                          sizeof err),
                     0);
    assert_true(res.restored);
    assert_false(res.stale_snapshot);
    assert_int_equal(res.snapshot_ts, s_end(&c[CUT - 1]));
    assert_int_equal(res.replayed, N - CUT);
    s_same(restored, whole);
    assert_true(tt_indset_warm(restored));
    /* And it goes on alike. */
    tt_candle_t more[N + 10];
    s_candles(more, N + 10, 0);
    tt_ind_value_t a[8], b[8];
    for (int i = N; i < N + 10; i++) {
        int na = tt_indset_update(whole, &more[i], a, 8);
        int nb = tt_indset_update(restored, &more[i], b, 8);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, (size_t)na * sizeof a[0]);
    }
    tt_indset_destroy(&run);
    tt_indset_destroy(&whole);
    tt_indset_destroy(&restored);
    s_db_close(&db);
}

/* The last candles of each timeframe, however sparse the history. */
static void s_expect_last(const tt_candle_t *c, int n, tt_indset_t *got,
                          const tt_warmup_result_t *res)
{
    tt_indset_t *ref = s_new();
    uint64_t fed = 0;
    for (size_t t = 0; t < tt_indset_tf_count(ref); t++) {
        const tt_indset_tf_t *tf = tt_indset_tf_at(ref, t);
        int want = (int)tf->need * TT_WARMUP_BARS_PER_NEED, seen = 0;
        int first = n;
        for (int i = n - 1; i >= 0 && seen < want; i--)
            if (c[i].tf_s == tf->tf_s)
                first = i, seen++;
        for (int i = first; i < n; i++)
            if (c[i].tf_s == tf->tf_s)
                fed += tt_warmup_feed(ref, &c[i], 1);
    }
    assert_int_equal(res->replayed, fed);
    s_same(got, ref);
    tt_indset_destroy(&ref);
}

static void test_without_snapshot_the_last_candles(void **state)
{
    (void)state;
    enum { N = 400 };
    tt_candle_t c[N];
    /* A minute in seven has no trade: the time window must grow. */
    int n = s_candles(c, N, 7);
    s_db_t db;
    s_db_open(&db);
    s_db_put(&db, c, n);
    char err[256];
    tt_warmup_result_t res;
    /* Now just after the data, and a year later (the windows grow to
       everything). */
    const tt_ns_t nows[] = {s_end(&c[n - 1]),
                            s_end(&c[n - 1]) + 365 * 86400 * TT_NS_PER_SEC};
    for (int k = 0; k < 2; k++) {
        tt_indset_t *set = s_new();
        assert_int_equal(tt_warmup_from_store(set, db.path, S_SYM, nows[k],
                                              &res, err, sizeof err),
                         0);
        assert_false(res.restored);
        assert_false(res.stale_snapshot);
        assert_true(tt_indset_warm(set));
        s_expect_last(c, n, set, &res);
        tt_indset_destroy(&set);
    }
    /* A snapshot of other indicators is ignored, and said so. */
    tt_ind_spec_t other[S_NSPECS];
    memcpy(other, s_specs, sizeof other);
    other[1].p1 = 10;
    tt_indset_t *diff = tt_indset_new(other, S_NSPECS, 2, 0, err, sizeof err);
    s_db_snapshot(&db, diff, s_end(&c[n - 1]));
    tt_indset_destroy(&diff);
    tt_indset_t *set = s_new();
    assert_int_equal(tt_warmup_from_store(set, db.path, S_SYM, nows[0], &res,
                                          err, sizeof err),
                     0);
    assert_false(res.restored);
    assert_true(res.stale_snapshot);
    s_expect_last(c, n, set, &res);
    tt_indset_destroy(&set);
    s_db_close(&db);
}

static void test_too_few_candles_stay_cold(void **state)
{
    (void)state;
    tt_candle_t c[12];
    s_candles(c, 12, 0); /* 10 of 60 s, 2 of 300 s */
    s_db_t db;
    s_db_open(&db);
    s_db_put(&db, c, 12);
    tt_indset_t *set = s_new();
    tt_indset_need(set, 60, 20); /* the strategy needs more */
    tt_warmup_result_t res;
    char err[256];
    assert_int_equal(tt_warmup_from_store(set, db.path, S_SYM, s_end(&c[11]),
                                          &res, err, sizeof err),
                     0);
    assert_int_equal(res.replayed, 12);
    tt_indset_progress_t p = tt_indset_progress(set);
    assert_false(p.warm);
    /* 300 s: 2 of 10 (BBANDS(10)); 60 s: 10 of 20, the furthest. */
    assert_int_equal(p.tf_s, 60);
    assert_int_equal(p.have, 10);
    assert_int_equal(p.need, 20);
    /* Another symbol has nothing at all. */
    tt_indset_t *empty = s_new();
    assert_int_equal(tt_warmup_from_store(empty, db.path, "BBB", s_end(&c[11]),
                                          &res, err, sizeof err),
                     0);
    assert_int_equal(res.replayed, 0);
    assert_int_equal(tt_indset_progress(empty).have, 0);
    tt_indset_destroy(&empty);
    tt_indset_destroy(&set);
    s_db_close(&db);
}

static void test_unreadable_store_is_an_error(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt-warmup");
    char path[512];
    snprintf(path, sizeof path, "%s/missing/t.db", dir);
    tt_indset_t *set = s_new();
    tt_warmup_result_t res;
    char err[256] = "";
    assert_int_equal(
        tt_warmup_from_store(set, path, S_SYM, T0, &res, err, sizeof err), -1);
    assert_non_null(strstr(err, "missing/t.db"));
    assert_int_equal(tt_indset_progress(set).have, 0);
    /* A file that is not a database. */
    free(tth_write_file(dir, "junk.db",
                        "this is not SQLite, not at all....."
                        "................................."));
    snprintf(path, sizeof path, "%s/junk.db", dir);
    err[0] = '\0';
    assert_int_equal(
        tt_warmup_from_store(set, path, S_SYM, T0, &res, err, sizeof err), -1);
    assert_true(err[0] != '\0');
    tt_indset_destroy(&set);
    tth_rmtree(dir);
    free(dir);
}

/* Any source (a venue's history, a file): overlapping lists are consumed
   once, in order. */
static void test_feed_from_any_source_once(void **state)
{
    (void)state;
    enum { N = 120 };
    tt_candle_t c[N];
    s_candles(c, N, 0);
    tt_indset_t *set = s_new(), *ref = s_new();
    assert_int_equal(tt_warmup_feed(ref, c, N), N);
    assert_int_equal(tt_warmup_feed(set, c, 70), 70);
    /* A second source overlapping the first by 30 candles. */
    assert_int_equal(tt_warmup_feed(set, c + 40, N - 40), N - 70);
    s_same(set, ref);
    tt_indset_destroy(&set);
    tt_indset_destroy(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_then_stored_candles_continue_exactly),
        cmocka_unit_test(test_without_snapshot_the_last_candles),
        cmocka_unit_test(test_too_few_candles_stay_cold),
        cmocka_unit_test(test_unreadable_store_is_an_error),
        cmocka_unit_test(test_feed_from_any_source_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
