/*  tests/test_indset.c: the indicator set (indicators/set.h), pure logic:
    candles consumed once and in order per timeframe, warm-up progress,
    previews that change nothing, and a snapshot taken midway that,
    restored into a fresh set, continues bit-identically to an
    uninterrupted run. */
#include "tests/harness.h"

#include "indicators/set.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define T0 (INT64_C(1700000040) * TT_NS_PER_SEC) /* a 60 s boundary */
#define S_N 400

/* Every kind, on two timeframes. */
static const tt_ind_spec_t s_specs[] = {
    {.kind = TT_IND_SMA, .tf_s = 60, .p1 = 10},
    {.kind = TT_IND_EMA, .tf_s = 60, .p1 = 12},
    {.kind = TT_IND_RSI, .tf_s = 60, .p1 = 14},
    {.kind = TT_IND_MACD, .tf_s = 60, .p1 = 12, .p2 = 26, .p3 = 9},
    {.kind = TT_IND_BBANDS, .tf_s = 300, .p1 = 20, .k = 2.0},
    {.kind = TT_IND_ATR, .tf_s = 60, .p1 = 14},
    {.kind = TT_IND_STOCH, .tf_s = 300, .p1 = 14, .p2 = 3, .p3 = 3},
    {.kind = TT_IND_VWAP, .tf_s = 60, .p1 = 86400},
    {.kind = TT_IND_DONCHIAN, .tf_s = 300, .p1 = 20},
};
#define S_NSPECS (sizeof s_specs / sizeof s_specs[0])

static tt_indset_t *s_new(void)
{
    char err[128];
    tt_indset_t *set = tt_indset_new(s_specs, S_NSPECS, 2, 0, err, sizeof err);
    assert_non_null(set);
    return set;
}

/* A deterministic walk of candles: every fifth is a 300 s candle (the
   merge is not the point here, only the two streams). */
static void s_candles(tt_candle_t *out, int n)
{
    uint64_t x = 88172645463325252u;
    int64_t px = 10000;
    int m60 = 0, m300 = 0;
    for (int i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t step = (int64_t)(x % 41) - 20;
        int32_t tf = i % 5 == 4 ? 300 : 60;
        int idx = tf == 60 ? m60++ : m300++;
        tt_candle_t c = {.open_ts = T0 + (int64_t)idx * tf * TT_NS_PER_SEC,
                         .tf_s = tf,
                         .open = px,
                         .close = px + step,
                         .volume = 1 + (int64_t)(x % 7),
                         .trades = 3,
                         .closed = true};
        c.high = (c.open > c.close ? c.open : c.close) + (int64_t)(x % 5);
        c.low = (c.open < c.close ? c.open : c.close) - (int64_t)(x % 3);
        px = c.close;
        out[i] = c;
    }
}

static void s_values_equal(const tt_ind_value_t *a, const tt_ind_value_t *b,
                           int n)
{
    for (int i = 0; i < n; i++) {
        assert_int_equal(a[i].ready, b[i].ready);
        if (a[i].ready)
            assert_memory_equal(a[i].v, b[i].v, sizeof a[i].v);
    }
}

static void test_candles_once_and_in_order(void **state)
{
    (void)state;
    tt_indset_t *set = s_new();
    assert_int_equal(tt_indset_tf_count(set), 2);
    assert_int_equal(tt_indset_count_on(set, 60), 6);
    assert_int_equal(tt_indset_count_on(set, 300), 3);
    tt_ind_value_t out[16];
    tt_candle_t c[10];
    s_candles(c, 10);
    assert_int_equal(tt_indset_update(set, &c[0], out, 16), 6);
    assert_int_equal(tt_indset_update(set, &c[1], out, 16), 6);
    /* The same candle again, and an older one: skipped, nothing moves. */
    assert_int_equal(tt_indset_update(set, &c[1], out, 16), TT_INDSET_OLD);
    assert_int_equal(tt_indset_update(set, &c[0], out, 16), TT_INDSET_OLD);
    const tt_indset_tf_t *tf = tt_indset_tf(set, 60);
    assert_int_equal(tf->have, 2);
    assert_int_equal(tf->last_open_ts, c[1].open_ts);
    assert_int_equal(tt_indicator_updates(tt_indset_indicator(set, 0)), 2);
    /* A 300 s candle does not touch the 60 s indicators. */
    assert_int_equal(tt_indset_update(set, &c[4], out, 16), 3);
    assert_int_equal(tt_indicator_updates(tt_indset_indicator(set, 0)), 2);
    /* A timeframe with no indicator and not tracked: nothing at all. */
    tt_candle_t other = c[0];
    other.tf_s = 3600;
    assert_int_equal(tt_indset_update(set, &other, out, 16), 0);
    assert_null(tt_indset_tf(set, 3600));
    tt_indset_destroy(&set);
    assert_null(set);
}

static void test_warm_up_progress(void **state)
{
    (void)state;
    tt_indset_t *set = s_new();
    /* Defaults: the slowest indicator's warm-up + 1. MACD(12,26,9) has
       a lookback of 33 on 60 s; BBANDS/Donchian(20) 19, STOCH(14,3,3)
       17 on 300 s. */
    assert_int_equal(tt_indset_tf(set, 60)->need, 34);
    assert_int_equal(tt_indset_tf(set, 300)->need, 20);
    /* A strategy may need more, and a tracked timeframe without
       indicators. */
    assert_int_equal(tt_indset_need(set, 300, 25), 0);
    assert_int_equal(tt_indset_need(set, 300, 5), 0); /* never lowers */
    assert_int_equal(tt_indset_tf(set, 300)->need, 25);
    assert_int_equal(tt_indset_need(set, 900, 0), 0);
    assert_int_equal(tt_indset_need(set, 0, 1), -1);
    tt_indset_progress_t p = tt_indset_progress(set);
    assert_false(p.warm);
    assert_int_equal(p.have, 0);
    assert_int_equal(p.need, 34);
    assert_int_equal(p.tf_s, 60);
    tt_candle_t *c = calloc(S_N, sizeof *c);
    tt_ind_value_t out[16];
    s_candles(c, S_N);
    int fed = 0;
    while (!tt_indset_warm(set) && fed < S_N)
        tt_indset_update(set, &c[fed++], out, 16);
    /* 300 s needs 25, which come with the 125th candle; 60 s has 100. */
    assert_int_equal(fed, 125);
    p = tt_indset_progress(set);
    assert_true(p.warm);
    assert_int_equal(p.tf_s, 300); /* the slowest that needs anything */
    assert_int_equal(p.have, 25);
    assert_int_equal(p.need, 25);
    /* Every indicator is ready once warm. */
    for (size_t i = 0; i < tt_indset_count(set); i++)
        assert_true(tt_indicator_value(tt_indset_indicator(set, i)).ready);
    free(c);
    tt_indset_destroy(&set);
}

/* Too many timeframes is a clear error. */
static void test_bad_sets(void **state)
{
    (void)state;
    tt_ind_spec_t specs[TT_INDSET_TF_MAX + 1];
    for (int i = 0; i <= TT_INDSET_TF_MAX; i++)
        specs[i] =
            (tt_ind_spec_t){.kind = TT_IND_SMA, .tf_s = 60 * (i + 1), .p1 = 3};
    char err[128] = "";
    assert_null(
        tt_indset_new(specs, TT_INDSET_TF_MAX + 1, 2, 0, err, sizeof err));
    assert_non_null(strstr(err, "timeframes"));
    specs[0].p1 = 0;
    assert_null(tt_indset_new(specs, 1, 2, 0, err, sizeof err));
    assert_true(err[0] != '\0');
    tt_indset_t *set =
        tt_indset_new(specs + 1, TT_INDSET_TF_MAX, 2, 0, err, sizeof err);
    assert_non_null(set);
    assert_int_equal(tt_indset_need(set, 7, 1), -1); /* full */
    tt_indset_destroy(&set);
}

/* Previews between candles change nothing: the closed candles give the
   same values as a run that never previewed. */
static void test_preview_changes_nothing(void **state)
{
    (void)state;
    tt_indset_t *plain = s_new(), *peeked = s_new();
    tt_candle_t *c = calloc(S_N, sizeof *c);
    s_candles(c, S_N);
    tt_ind_value_t a[16], b[16], p[16], q[16];
    for (int i = 0; i < S_N; i++) {
        /* The forming candle: this one, half-way. */
        tt_candle_t forming = c[i];
        forming.close = (c[i].open + c[i].close) / 2;
        forming.closed = false;
        int np = tt_indset_preview(peeked, &forming, p, 16);
        int nq = tt_indset_preview(peeked, &forming, q, 16);
        assert_int_equal(np, nq);
        s_values_equal(p, q, np); /* twice the same */
        int na = tt_indset_update(plain, &c[i], a, 16);
        int nb = tt_indset_update(peeked, &c[i], b, 16);
        assert_int_equal(na, nb);
        assert_int_equal(na, np);
        s_values_equal(a, b, na);
    }
    /* And the preview of a candle equal to the next closed one is what
       that candle then gives. */
    tt_candle_t next = c[S_N - 5];
    next.open_ts += 100 * 60 * TT_NS_PER_SEC;
    int np = tt_indset_preview(peeked, &next, p, 16);
    int na = tt_indset_update(plain, &next, a, 16);
    assert_int_equal(np, na);
    s_values_equal(p, a, na);
    /* Current values, no candle applied. */
    int nv = tt_indset_values(plain, 60, q, 16);
    assert_int_equal(nv, na);
    s_values_equal(q, a, na);
    free(c);
    tt_indset_destroy(&plain);
    tt_indset_destroy(&peeked);
}

/* Snapshot at every point of a run; a fresh set restored from it and fed
   the rest gives exactly the uninterrupted run's values. */
static void test_snapshot_restore_continues_exactly(void **state)
{
    (void)state;
    tt_candle_t *c = calloc(S_N, sizeof *c);
    s_candles(c, S_N);
    static const int cuts[] = {0, 1, 7, 33, 124, 125, 250, S_N - 1};
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        tt_indset_t *whole = s_new(), *first = s_new(), *second = s_new();
        tt_ind_value_t a[16], b[16];
        for (int i = 0; i < cuts[k]; i++) {
            tt_indset_update(whole, &c[i], a, 16);
            tt_indset_update(first, &c[i], b, 16);
        }
        size_t size = tt_indset_snapshot_size(first);
        unsigned char *buf = malloc(size);
        assert_int_equal(tt_indset_snapshot(first, buf, size - 1), 0);
        assert_int_equal(tt_indset_snapshot(first, buf, size), size);
        tt_indset_destroy(&first);
        assert_int_equal(tt_indset_restore(second, buf, size), 0);
        /* The candles before the cut are refused by the restored set. */
        if (cuts[k] > 0)
            assert_int_equal(tt_indset_update(second, &c[cuts[k] - 1], b, 16),
                             TT_INDSET_OLD);
        for (int i = cuts[k]; i < S_N; i++) {
            int na = tt_indset_update(whole, &c[i], a, 16);
            int nb = tt_indset_update(second, &c[i], b, 16);
            assert_int_equal(na, nb);
            s_values_equal(a, b, na);
        }
        assert_true(tt_indset_progress(whole).warm ==
                    tt_indset_progress(second).warm);
        assert_int_equal(tt_indset_tf(whole, 60)->have,
                         tt_indset_tf(second, 60)->have);
        free(buf);
        tt_indset_destroy(&whole);
        tt_indset_destroy(&second);
    }
    free(c);
}

/* A snapshot of other specs, a truncated or corrupted one: refused, and
   the set is unchanged. */
static void test_restore_refuses_mismatches(void **state)
{
    (void)state;
    tt_indset_t *set = s_new();
    tt_candle_t c[20];
    tt_ind_value_t out[16];
    s_candles(c, 20);
    for (int i = 0; i < 10; i++)
        tt_indset_update(set, &c[i], out, 16);
    size_t size = tt_indset_snapshot_size(set);
    unsigned char *before = malloc(size), *buf = malloc(size);
    tt_indset_snapshot(set, before, size);
    /* Another set: the same kinds with one period changed. */
    tt_ind_spec_t other[S_NSPECS];
    memcpy(other, s_specs, sizeof other);
    other[0].p1 = 11;
    char err[64];
    tt_indset_t *diff = tt_indset_new(other, S_NSPECS, 2, 0, err, sizeof err);
    assert_non_null(diff);
    size_t dsize = tt_indset_snapshot_size(diff);
    unsigned char *dbuf = malloc(dsize);
    tt_indset_snapshot(diff, dbuf, dsize);
    assert_int_equal(tt_indset_restore(set, dbuf, dsize), -1);
    /* Truncated, and a flipped byte in the last indicator's spec area. */
    memcpy(buf, before, size);
    assert_int_equal(tt_indset_restore(set, buf, size - 8), -1);
    assert_int_equal(tt_indset_restore(set, NULL, size), -1);
    buf[0] ^= 0xff; /* the magic */
    assert_int_equal(tt_indset_restore(set, buf, size), -1);
    /* A timeframe the set does not track. */
    memcpy(buf, before, size);
    int32_t bogus = 7;
    memcpy(buf + 16, &bogus, sizeof bogus); /* the first tf record */
    assert_int_equal(tt_indset_restore(set, buf, size), -1);
    /* Nothing changed. */
    tt_indset_snapshot(set, buf, size);
    assert_memory_equal(buf, before, size);
    free(before);
    free(buf);
    free(dbuf);
    tt_indset_destroy(&diff);
    tt_indset_destroy(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_candles_once_and_in_order),
        cmocka_unit_test(test_warm_up_progress),
        cmocka_unit_test(test_bad_sets),
        cmocka_unit_test(test_preview_changes_nothing),
        cmocka_unit_test(test_snapshot_restore_continues_exactly),
        cmocka_unit_test(test_restore_refuses_mismatches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
