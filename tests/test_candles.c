/*  tests/test_candles.c: marketdata/candles.c, the candle builder.
    Boundaries, gaps (no fake candles), late and duplicate ticks, bars and
    their mix with ticks, multi-timeframe consistency against a naive
    aggregation written here, quiet-market closing, preview purity,
    history wraparound, snapshot/restore, saturation and bad input. */
#include "tests/harness.h"

#include "marketdata/candles.h"

#include <stdlib.h>
#include <string.h>

#define SEC TT_NS_PER_SEC
#define MS TT_NS_PER_MS

static tt_candles_t *s_new(const int32_t *tfs, uint32_t ntf, uint32_t hist)
{
    tt_candles_config_t cfg = {.ntf = ntf, .history = hist};
    memcpy(cfg.tfs, tfs, ntf * sizeof *tfs);
    char err[128] = "";
    tt_candles_t *c = tt_candles_new(&cfg, err, sizeof err);
    assert_non_null(c);
    return c;
}

static int s_tick(tt_candles_t *c, tt_ns_t ts, tt_px_t px, tt_qty_t sz,
                  uint64_t id, tt_candle_t *out)
{
    tt_tick_t t = {.ts = ts, .price = px, .size = sz, .trade_id = id};
    return tt_candles_tick(c, &t, out, TT_CANDLES_MAX_OUT);
}

static void s_expect(const tt_candle_t *c, int32_t tf, tt_ns_t open_ts,
                     tt_px_t o, tt_px_t h, tt_px_t l, tt_px_t cl, tt_qty_t v,
                     uint32_t n)
{
    assert_int_equal(c->tf_s, tf);
    assert_int_equal(c->open_ts, open_ts);
    assert_int_equal(c->open, o);
    assert_int_equal(c->high, h);
    assert_int_equal(c->low, l);
    assert_int_equal(c->close, cl);
    assert_int_equal(c->volume, v);
    assert_int_equal(c->trades, n);
}

static void test_config_errors(void **state)
{
    (void)state;
    char err[128];
    tt_candles_config_t cfg = {.tfs = {60, 60}, .ntf = 2, .history = 10};
    assert_null(tt_candles_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "increase"));
    cfg = (tt_candles_config_t){.tfs = {1}, .ntf = 1, .history = 10};
    assert_null(tt_candles_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "tfs[0]"));
    cfg = (tt_candles_config_t){.tfs = {60}, .ntf = 1, .history = 0};
    assert_null(tt_candles_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "history"));
    cfg = (tt_candles_config_t){.ntf = 9, .history = 1};
    assert_null(tt_candles_new(&cfg, err, sizeof err));
    tt_candles_t *c = NULL;
    tt_candles_destroy(&c); /* accepts NULL */
    tt_candles_destroy(NULL);
}

static void test_boundary(void **state)
{
    (void)state;
    tt_candles_t *c = s_new((int32_t[]){60}, 1, 10);
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    tt_ns_t t0 = 1700000040 * SEC; /* a multiple of 60 s */
    assert_int_equal(s_tick(c, t0 + 59 * SEC + 999999999, 100, 1, 0, out), 0);
    /* Exactly on the boundary: belongs to the new second and minute. */
    int n = s_tick(c, t0 + 60 * SEC, 101, 2, 0, out);
    assert_int_equal(n, 2);
    s_expect(&out[0], 1, t0 + 59 * SEC, 100, 100, 100, 100, 1, 1);
    s_expect(&out[1], 60, t0, 100, 100, 100, 100, 1, 1);
    assert_true(out[0].closed && out[1].closed);
    tt_candle_t f;
    assert_int_equal(tt_candles_forming(c, 60, &f), 0);
    s_expect(&f, 60, t0 + 60 * SEC, 101, 101, 101, 101, 2, 1);
    assert_false(f.closed);
    tt_candles_destroy(&c);
    assert_null(c);
}

static void test_gap_no_fake_candles(void **state)
{
    (void)state;
    tt_candles_t *c = s_new((int32_t[]){60, 300}, 2, 100);
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    assert_int_equal(s_tick(c, 10 * SEC, 50, 1, 0, out), 0);
    /* Three days of silence, then one trade. */
    int n = s_tick(c, 3 * 86400 * SEC + 7 * SEC, 60, 1, 0, out);
    assert_int_equal(n, 3);
    s_expect(&out[0], 1, 10 * SEC, 50, 50, 50, 50, 1, 1);
    s_expect(&out[1], 60, 0, 50, 50, 50, 50, 1, 1);
    s_expect(&out[2], 300, 0, 50, 50, 50, 50, 1, 1);
    n = tt_candles_advance(c, 4 * 86400 * SEC, out, TT_CANDLES_MAX_OUT);
    assert_int_equal(n, 3);
    assert_int_equal(out[0].open_ts, 3 * 86400 * SEC + 7 * SEC);
    assert_int_equal(out[1].open_ts, 3 * 86400 * SEC);
    assert_int_equal(out[2].open_ts, 3 * 86400 * SEC);
    /* Nothing for the silent intervals, at any level. */
    assert_int_equal(tt_candles_history_count(c, 1), 2);
    assert_int_equal(tt_candles_history_count(c, 60), 2);
    assert_int_equal(tt_candles_history_count(c, 300), 2);
    assert_int_equal(tt_candles_advance(c, 5 * 86400 * SEC, out, 18), 0);
    assert_int_equal(tt_candles_stats(c).emitted, 6);
    tt_candles_destroy(&c);
}

static void test_quiet_market_advance(void **state)
{
    (void)state;
    tt_candles_t *c = s_new((int32_t[]){60}, 1, 10);
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    s_tick(c, 10 * SEC + 500 * MS, 7, 3, 0, out);
    assert_int_equal(tt_candles_advance(c, 11 * SEC - 1, out, 18), 0);
    assert_int_equal(tt_candles_advance(c, 11 * SEC, out, 18), 1);
    s_expect(&out[0], 1, 10 * SEC, 7, 7, 7, 7, 3, 1);
    assert_int_equal(tt_candles_advance(c, 60 * SEC - 1, out, 18), 0);
    /* Time going backwards changes nothing. */
    assert_int_equal(tt_candles_advance(c, 5 * SEC, out, 18), 0);
    assert_int_equal(tt_candles_now(c), 60 * SEC - 1);
    assert_int_equal(tt_candles_advance(c, 60 * SEC, out, 18), 1);
    s_expect(&out[0], 60, 0, 7, 7, 7, 7, 3, 1);
    tt_candles_destroy(&c);
}

static void test_late_and_duplicates(void **state)
{
    (void)state;
    tt_candles_t *c = s_new((int32_t[]){60}, 1, 10);
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    s_tick(c, 5 * SEC + 500 * MS, 100, 1, 11, out);
    /* Earlier inside the same second: accepted, becomes the open. */
    assert_int_equal(s_tick(c, 5 * SEC + 100 * MS, 90, 1, 12, out), 0);
    /* Same timestamp as the latest: last to arrive is the close. */
    s_tick(c, 5 * SEC + 500 * MS, 95, 1, 13, out);
    s_tick(c, 5 * SEC + 200 * MS, 120, 1, 14, out);
    /* Duplicate trade id: dropped. */
    assert_int_equal(s_tick(c, 5 * SEC + 600 * MS, 1000, 1, 12, out), 0);
    tt_candle_t f;
    tt_candles_forming(c, 1, &f);
    s_expect(&f, 1, 5 * SEC, 90, 120, 90, 95, 4, 4);
    /* Next second closes 5 s; a tick for 5 s is then late. */
    assert_int_equal(s_tick(c, 6 * SEC, 101, 1, 15, out), 1);
    s_expect(&out[0], 1, 5 * SEC, 90, 120, 90, 95, 4, 4);
    assert_int_equal(s_tick(c, 5 * SEC + 900 * MS, 1, 1, 16, out), 0);
    /* Trade id 0 means "none": never a duplicate. */
    s_tick(c, 6 * SEC, 102, 1, 0, out);
    s_tick(c, 6 * SEC, 103, 1, 0, out);
    /* A duplicate of an id pushed out of the window is accepted again. */
    for (uint64_t id = 100; id < 100 + TT_CANDLES_DUP_WINDOW; id++)
        s_tick(c, 6 * SEC, 104, 1, id, out);
    s_tick(c, 6 * SEC, 105, 1, 15, out);
    /* Invalid input. */
    assert_int_equal(s_tick(c, 6 * SEC, 1, 0, 0, out), -1);
    assert_int_equal(s_tick(c, -1, 1, 1, 0, out), -1);
    assert_int_equal(s_tick(c, INT64_MAX, 1, 1, 0, out), -1);
    tt_candles_stats_t st = tt_candles_stats(c);
    assert_int_equal(st.duplicates, 1);
    assert_int_equal(st.late, 1);
    assert_int_equal(st.invalid, 3);
    assert_int_equal(st.ticks, 5 + 2 + TT_CANDLES_DUP_WINDOW + 1);
    tt_candles_forming(c, 1, &f);
    s_expect(&f, 1, 6 * SEC, 101, 105, 101, 105, 3 + TT_CANDLES_DUP_WINDOW + 1,
             3 + TT_CANDLES_DUP_WINDOW + 1);
    tt_candles_destroy(&c);
}

static tt_candle_t s_bar(int32_t tf, tt_ns_t open_ts, tt_px_t o, tt_px_t h,
                         tt_px_t l, tt_px_t cl, tt_qty_t v)
{
    return (tt_candle_t){.tf_s = tf,
                         .open_ts = open_ts,
                         .open = o,
                         .high = h,
                         .low = l,
                         .close = cl,
                         .volume = v,
                         .trades = 1};
}

static int s_feed_bar(tt_candles_t *c, tt_candle_t b, tt_candle_t *out)
{
    return tt_candles_bar(c, &b, out, TT_CANDLES_MAX_OUT);
}

static void test_bars(void **state)
{
    (void)state;
    tt_candles_t *c = s_new((int32_t[]){30, 60, 120, 180}, 4, 10);
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    /* Minute bars: emitted at 60, merged into 120 and 180, never into 30
       or 1 s (which a bar cannot produce). */
    assert_int_equal(s_feed_bar(c, s_bar(60, 0, 10, 12, 9, 11, 5), out), 1);
    s_expect(&out[0], 60, 0, 10, 12, 9, 11, 5, 1);
    int n = s_feed_bar(c, s_bar(60, 60 * SEC, 11, 15, 11, 14, 7), out);
    assert_int_equal(n, 2);
    s_expect(&out[0], 60, 60 * SEC, 11, 15, 11, 14, 7, 1);
    s_expect(&out[1], 120, 0, 10, 15, 9, 14, 12, 2);
    n = s_feed_bar(c, s_bar(60, 120 * SEC, 14, 14, 8, 8, 1), out);
    assert_int_equal(n, 2);
    s_expect(&out[1], 180, 0, 10, 15, 8, 8, 13, 3);
    assert_int_equal(tt_candles_history_count(c, 30), 0);
    assert_int_equal(tt_candles_history_count(c, 1), 0);
    assert_int_equal(tt_candles_now(c), 180 * SEC);
    /* A bar overlapping taken data, an empty one, a misaligned one, an
       inconsistent one, one no level can use. */
    assert_int_equal(s_feed_bar(c, s_bar(60, 120 * SEC, 1, 1, 1, 1, 1), out),
                     0);
    assert_int_equal(s_feed_bar(c, s_bar(60, 240 * SEC, 1, 1, 1, 1, 0), out),
                     0);
    assert_int_equal(s_feed_bar(c, s_bar(60, 241 * SEC, 1, 1, 1, 1, 1), out),
                     -1);
    assert_int_equal(s_feed_bar(c, s_bar(60, 240 * SEC, 1, 1, 2, 1, 1), out),
                     -1);
    assert_int_equal(s_feed_bar(c, s_bar(7, 245 * SEC, 1, 1, 1, 1, 1), out), 0);
    tt_candles_stats_t st = tt_candles_stats(c);
    assert_int_equal(st.bars, 3);
    assert_int_equal(st.bars_late, 1);
    assert_int_equal(st.bars_empty, 1);
    assert_int_equal(st.bars_invalid, 2);
    assert_int_equal(st.bars_unused, 1);
    tt_candles_destroy(&c);
}

/* A live venue sends a bar after its interval, when the data actor's
   timer has already moved time past it: the bar still fills an interval
   no trade reached, at its own timeframe and at the multiples still
   forming; once taken, a resent bar is late, and an interval a trade
   reached first belongs to the trades. */
static void test_bar_after_its_end(void **state)
{
    (void)state;
    tt_candles_t *c = s_new((int32_t[]){60, 300}, 2, 10);
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    assert_int_equal(tt_candles_advance(c, 130 * SEC, out, TT_CANDLES_MAX_OUT),
                     0);
    assert_int_equal(s_feed_bar(c, s_bar(60, 60 * SEC, 10, 12, 9, 11, 5), out),
                     1);
    s_expect(&out[0], 60, 60 * SEC, 10, 12, 9, 11, 5, 1);
    tt_candle_t f;
    assert_int_equal(tt_candles_forming(c, 300, &f), 0);
    s_expect(&f, 300, 0, 10, 12, 9, 11, 5, 1);
    /* The same bar again (a resend after a reconnect): late. */
    assert_int_equal(s_feed_bar(c, s_bar(60, 60 * SEC, 10, 12, 9, 11, 5), out),
                     0);
    assert_int_equal(tt_candles_stats(c).bars_late, 1);
    assert_int_equal(tt_candles_advance(c, 700 * SEC, out, TT_CANDLES_MAX_OUT),
                     1);
    s_expect(&out[0], 300, 0, 10, 12, 9, 11, 5, 1);
    /* Its 5-minute candle has closed: the bar reaches its minute only. */
    assert_int_equal(
        s_feed_bar(c, s_bar(60, 360 * SEC, 20, 22, 19, 21, 3), out), 1);
    s_expect(&out[0], 60, 360 * SEC, 20, 22, 19, 21, 3, 1);
    assert_int_equal(tt_candles_forming(c, 300, &f), -1);
    /* A trade reached 12:00 first: the bar of that minute is refused. */
    assert_int_equal(s_tick(c, 721 * SEC, 30, 1, 0, out), 0);
    assert_int_equal(tt_candles_advance(c, 790 * SEC, out, TT_CANDLES_MAX_OUT),
                     2);
    s_expect(&out[1], 60, 720 * SEC, 30, 30, 30, 30, 1, 1);
    assert_int_equal(
        s_feed_bar(c, s_bar(60, 720 * SEC, 30, 40, 29, 35, 9), out), 0);
    tt_candles_stats_t st = tt_candles_stats(c);
    assert_int_equal(st.bars, 2);
    assert_int_equal(st.bars_late, 2);
    assert_int_equal(tt_candles_history_count(c, 60), 3);
    tt_candles_destroy(&c);
}

static void test_bar_tick_mix(void **state)
{
    (void)state;
    tt_candles_t *c = s_new((int32_t[]){60, 300}, 2, 10);
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    /* Warm-up history from bars for 10:00..10:02, then live ticks. */
    s_feed_bar(c, s_bar(60, 0, 100, 110, 95, 105, 10), out);
    s_feed_bar(c, s_bar(60, 60 * SEC, 105, 106, 90, 91, 20), out);
    /* A tick inside the last bar's minute is late. */
    assert_int_equal(s_tick(c, 119 * SEC, 1, 1, 0, out), 0);
    assert_int_equal(tt_candles_stats(c).late, 1);
    s_tick(c, 150 * SEC, 92, 2, 0, out);
    s_tick(c, 170 * SEC, 120, 3, 0, out);
    tt_candle_t f;
    assert_int_equal(tt_candles_forming(c, 300, &f), 0);
    s_expect(&f, 300, 0, 100, 120, 90, 120, 35, 4);
    /* A bar overlapping the ticks' minute is refused... */
    assert_int_equal(s_feed_bar(c, s_bar(60, 120 * SEC, 1, 1, 1, 1, 1), out),
                     0);
    /* ...but the next minute's bar is taken, after closing the ticks. */
    int n = s_feed_bar(c, s_bar(60, 180 * SEC, 120, 130, 119, 125, 4), out);
    assert_int_equal(n, 3);
    s_expect(&out[0], 1, 170 * SEC, 120, 120, 120, 120, 3, 1);
    s_expect(&out[1], 60, 120 * SEC, 92, 120, 92, 120, 5, 2);
    s_expect(&out[2], 60, 180 * SEC, 120, 130, 119, 125, 4, 1);
    n = tt_candles_advance(c, 300 * SEC, out, TT_CANDLES_MAX_OUT);
    assert_int_equal(n, 1);
    s_expect(&out[0], 300, 0, 100, 130, 90, 125, 39, 5);
    tt_candles_destroy(&c);
}

/* ---- long random series against a naive aggregation ---------------- */

typedef struct {
    tt_tick_t *ticks;
    size_t n;
} series_t;

static uint64_t s_rng(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

/* Ticks in non-decreasing seconds, shuffled inside a second, with bursts,
   silent minutes and silent hours, and some duplicate resends. */
static series_t s_series(size_t n, uint64_t seed)
{
    series_t s = {calloc(n, sizeof(tt_tick_t)), n};
    assert_non_null(s.ticks);
    tt_ns_t sec = 1600000000 * SEC;
    tt_px_t px = 100000;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = s_rng(&seed);
        if (r % 50 == 0)
            sec += (tt_ns_t)(r % 7200) * SEC; /* gap up to 2 h */
        else if (r % 3 == 0)
            sec += (tt_ns_t)(1 + r % 4) * SEC;
        px += (tt_px_t)(s_rng(&seed) % 21) - 10;
        s.ticks[i].ts = sec + (tt_ns_t)(s_rng(&seed) % SEC);
        s.ticks[i].price = px;
        s.ticks[i].size = 1 + (tt_qty_t)(s_rng(&seed) % 1000);
        s.ticks[i].trade_id = i + 1;
    }
    return s;
}

/* Naive reference: for one timeframe, group every tick by its aligned
   interval in a single pass over the whole series (ticks never go back a
   second here). Open/close by timestamp, ties by arrival. */
static size_t s_naive(const series_t *s, int32_t tf, tt_candle_t *out)
{
    size_t n = 0;
    tt_ns_t first = 0, last = 0;
    tt_ns_t tf_ns = tf * SEC;
    for (size_t i = 0; i < s->n; i++) {
        const tt_tick_t *t = &s->ticks[i];
        tt_ns_t slot = t->ts / tf_ns * tf_ns;
        if (n == 0 || out[n - 1].open_ts != slot) {
            out[n++] =
                (tt_candle_t){slot,     tf,      t->price, t->price, t->price,
                              t->price, t->size, 1,        true};
            first = last = t->ts;
            continue;
        }
        tt_candle_t *c = &out[n - 1];
        c->high = t->price > c->high ? t->price : c->high;
        c->low = t->price < c->low ? t->price : c->low;
        if (t->ts < first) {
            first = t->ts;
            c->open = t->price;
        }
        if (t->ts >= last) {
            last = t->ts;
            c->close = t->price;
        }
        c->volume += t->size;
        c->trades++;
    }
    return n;
}

static void s_assert_same(const tt_candle_t *a, const tt_candle_t *b)
{
    s_expect(a, b->tf_s, b->open_ts, b->open, b->high, b->low, b->close,
             b->volume, b->trades);
    assert_int_equal(a->closed, b->closed);
}

static void test_multi_timeframe_consistency(void **state)
{
    (void)state;
    const int32_t tfs[] = {60, 120, 180, 300, 3600, 86400};
    const size_t ntick = 200000;
    series_t s = s_series(ntick, 42);
    tt_candles_t *c = s_new(tfs, 6, 8);
    tt_candle_t *got[7], *want[7];
    size_t ngot[7] = {0};
    for (int l = 0; l < 7; l++) {
        got[l] = calloc(ntick, sizeof(tt_candle_t));
        want[l] = calloc(ntick, sizeof(tt_candle_t));
    }
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    for (size_t i = 0; i <= ntick; i++) {
        int n = i < ntick ? tt_candles_tick(c, &s.ticks[i], out, 18)
                          : tt_candles_advance(c, INT64_MAX, out, 18);
        assert_true(n >= 0);
        for (int k = 0; k < n; k++) {
            int l = 0;
            while (l < 6 && tfs[l] != out[k].tf_s)
                l++;
            l = out[k].tf_s == 1 ? 0 : l + 1;
            assert_true(l < 7);
            /* Output order: closing time, then timeframe. */
            if (k > 0 && out[k - 1].tf_s >= out[k].tf_s)
                assert_true(out[k - 1].open_ts + out[k - 1].tf_s * SEC <
                            out[k].open_ts + out[k].tf_s * SEC);
            got[l][ngot[l]++] = out[k];
        }
    }
    for (int l = 0; l < 7; l++) {
        size_t nw = s_naive(&s, l == 0 ? 1 : tfs[l - 1], want[l]);
        assert_int_equal(ngot[l], nw);
        for (size_t k = 0; k < nw; k++)
            s_assert_same(&got[l][k], &want[l][k]);
    }
    /* And the 300 s candles are the merge of the 60 s ones inside them. */
    size_t j = 0;
    for (size_t k = 0; k < ngot[4]; k++) {
        const tt_candle_t *big = &got[4][k];
        tt_candle_t m = {0};
        uint32_t parts = 0;
        for (; j < ngot[1] && got[1][j].open_ts < big->open_ts + 300 * SEC;
             j++, parts++) {
            const tt_candle_t *x = &got[1][j];
            assert_true(x->open_ts >= big->open_ts);
            if (parts == 0) {
                m = *x;
                continue;
            }
            m.high = x->high > m.high ? x->high : m.high;
            m.low = x->low < m.low ? x->low : m.low;
            m.close = x->close;
            m.volume += x->volume;
            m.trades += x->trades;
        }
        assert_true(parts >= 1 && parts <= 5);
        m.open_ts = big->open_ts;
        m.tf_s = 300;
        s_assert_same(big, &m);
    }
    assert_int_equal(tt_candles_stats(c).ticks, ntick);
    for (int l = 0; l < 7; l++) {
        free(got[l]);
        free(want[l]);
    }
    free(s.ticks);
    tt_candles_destroy(&c);
}

static void test_preview_is_pure(void **state)
{
    (void)state;
    tt_candles_t *c = s_new((int32_t[]){60, 300}, 2, 16);
    series_t s = s_series(5000, 7);
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    size_t size = tt_candles_snapshot_size(c);
    unsigned char *before = malloc(size), *after = malloc(size);
    for (size_t i = 0; i < s.n; i++) {
        tt_candles_tick(c, &s.ticks[i], out, 18);
        tt_candles_snapshot(c, before, size);
        tt_candle_t f1, f60, f300, h;
        int r1 = tt_candles_forming(c, 1, &f1);
        int r60 = tt_candles_forming(c, 60, &f60);
        int r300 = tt_candles_forming(c, 300, &f300);
        tt_candles_history(c, 60, 0, &h);
        assert_int_equal(tt_candles_forming(c, 77, &f1), -1);
        tt_candles_snapshot(c, after, size);
        assert_memory_equal(before, after, size);
        /* A tick was just taken, so every level has a forming candle that
           contains the forming second. */
        assert_int_equal(r1 | r60 | r300, 0);
        assert_true(f60.high >= f1.high && f60.low <= f1.low);
        assert_int_equal(f60.close, f1.close);
        assert_true(f300.volume >= f60.volume && f60.volume >= f1.volume);
        assert_int_equal(f300.open_ts % (300 * SEC), 0);
        assert_false(f300.closed);
    }
    free(before);
    free(after);
    free(s.ticks);
    tt_candles_destroy(&c);
}

static void test_history_wraparound(void **state)
{
    (void)state;
    tt_candles_t *c = s_new((int32_t[]){60}, 1, 3);
    tt_candle_t out[TT_CANDLES_MAX_OUT], h;
    for (int i = 0; i < 5; i++)
        s_tick(c, i * 60 * SEC, 10 + i, 1, 0, out);
    tt_candles_advance(c, 300 * SEC, out, 18);
    assert_int_equal(tt_candles_history_count(c, 60), 3);
    for (uint32_t k = 0; k < 3; k++) {
        assert_int_equal(tt_candles_history(c, 60, k, &h), 0);
        assert_int_equal(h.open_ts, (4 - (tt_ns_t)k) * 60 * SEC);
        assert_int_equal(h.close, 14 - (tt_px_t)k);
    }
    assert_int_equal(tt_candles_history(c, 60, 3, &h), -1);
    assert_int_equal(tt_candles_history(c, 61, 0, &h), -1);
    tt_candles_destroy(&c);
}

static void test_snapshot_restore(void **state)
{
    (void)state;
    const int32_t tfs[] = {60, 300, 900, 3600};
    series_t s = s_series(50000, 99);
    tt_candles_t *a = s_new(tfs, 4, 50);
    tt_candles_t *b = NULL;
    tt_candle_t oa[TT_CANDLES_MAX_OUT], ob[TT_CANDLES_MAX_OUT];
    unsigned char *snap = NULL;
    size_t size = tt_candles_snapshot_size(a);
    for (size_t i = 0; i < s.n; i++) {
        if (i == s.n / 2) {
            snap = malloc(size);
            assert_int_equal(tt_candles_snapshot(a, snap, size - 1), 0);
            assert_int_equal(tt_candles_snapshot(a, snap, size), size);
            b = s_new(tfs, 4, 50);
            assert_int_equal(tt_candles_restore(b, snap, size - 1), -1);
            assert_int_equal(tt_candles_restore(b, snap, size), 0);
        }
        int na = tt_candles_tick(a, &s.ticks[i], oa, 18);
        if (!b)
            continue;
        int nb = tt_candles_tick(b, &s.ticks[i], ob, 18);
        assert_int_equal(na, nb);
        assert_memory_equal(oa, ob, (size_t)na * sizeof(tt_candle_t));
    }
    unsigned char *sa = malloc(size), *sb = malloc(size);
    tt_candles_snapshot(a, sa, size);
    tt_candles_snapshot(b, sb, size);
    assert_memory_equal(sa, sb, size);
    /* A builder of another config refuses the snapshot. */
    tt_candles_t *other = s_new((int32_t[]){60, 300, 900, 1800}, 4, 50);
    assert_int_equal(tt_candles_restore(other, snap, size), -1);
    snap[0] ^= 0xff;
    assert_int_equal(tt_candles_restore(b, snap, size), -1);
    free(snap);
    free(sa);
    free(sb);
    free(s.ticks);
    tt_candles_destroy(&a);
    tt_candles_destroy(&b);
    tt_candles_destroy(&other);
}

static void test_volume_saturates(void **state)
{
    (void)state;
    tt_candles_t *c = s_new((int32_t[]){60}, 1, 4);
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    s_tick(c, 0, 1, INT64_MAX - 5, 0, out);
    s_tick(c, 1, 1, 10, 0, out);
    s_tick(c, 2 * SEC, 1, 10, 0, out); /* 60 s level merges both seconds */
    tt_candles_advance(c, 60 * SEC, out, 18);
    assert_int_equal(out[1].tf_s, 60);
    assert_true(out[1].volume == INT64_MAX);
    assert_int_equal(out[1].trades, 3);
    assert_int_equal(tt_candles_stats(c).saturated, 2);
    tt_candles_destroy(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_gap_no_fake_candles),
        cmocka_unit_test(test_quiet_market_advance),
        cmocka_unit_test(test_late_and_duplicates),
        cmocka_unit_test(test_bars),
        cmocka_unit_test(test_bar_tick_mix),
        cmocka_unit_test(test_bar_after_its_end),
        cmocka_unit_test(test_multi_timeframe_consistency),
        cmocka_unit_test(test_preview_is_pure),
        cmocka_unit_test(test_history_wraparound),
        cmocka_unit_test(test_snapshot_restore),
        cmocka_unit_test(test_volume_saturates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
