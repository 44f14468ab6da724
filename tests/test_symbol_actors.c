/*  tests/test_symbol_actors.c: a symbol's real data and indicator actors
    on the real runtime (worker thread, inproc mailboxes), driven with a
    manual clock: scripted ticks in, closed candles and indicator values
    out (checked against values computed here), a quiet feed reported
    stale and fresh ticks reported fresh. The strategy role is a probe
    that records what reaches it. */
#include "tests/harness.h"

#include "actors/symbol_actors.h"
#include "runtime/runtime.h"
#include "tests/symrig.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T0 (INT64_C(1699999980) * TT_NS_PER_SEC) /* a minute boundary */
#define S_MINUTE (60 * TT_NS_PER_SEC)

/* Next report from the workers, or -1 after TIMEOUT_MS. Warm-up progress
   (TT_REP_WARMUP, from the indicator actor) is skipped. */
static int s_report_within(tth_rig_t *rig, uint32_t *from, int timeout_ms)
{
    tt_msg_t msg;
    int type = tth_rig_next(rig, rig->inbox, &msg, timeout_ms);
    if (type >= 0)
        *from = msg.hdr.from;
    return type;
}

static int s_report(tth_rig_t *rig, uint32_t *from)
{
    return s_report_within(rig, from, 5000);
}

static const char *s_yaml =
    "service:\n  workers: 1\n"
    "venues:\n  - name: sim\n    kind: sim\n"
    "symbols:\n  - symbol: TST\n    venue: sim\n    px_decimals: 2\n"
    "    qty_decimals: 0\n    timeframes: [60]\n    stale_ms: 1000\n"
    "    strategy:\n      kind: sma_cross\n"
    "      params: {fast: 2, slow: 3, stop_pct: 1}\n"
    "    risk: {qty: \"1\"}\n";

/* One symbol on a one-worker runtime with a manual clock, its actors
   started; the test plays the root (it reads the reports). */
static void s_rig_up(tth_rig_t *rig, const tt_behaviour_t *const *roles)
{
    tth_rig_config(rig, "tt-actors", s_yaml);
    tth_rig_start(rig, roles, T0, false);
}

static void test_ticks_to_values_and_staleness(void **state)
{
    (void)state;
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {
        &tt_execution_behaviour, &tt_data_behaviour, &tt_indicator_behaviour,
        &tth_probe_behaviour};
    tth_rig_t rig;
    s_rig_up(&rig, roles);
    tt_clock_t *clock = rig.clock;
    uint32_t data = rig.data, from;
    /* Minute m trades at 100+m, 110+m (high), 95+m (low), closes 105+m. */
    int64_t closes[6];
    uint64_t id = 1;
    for (int m = 0; m < 6; m++) {
        int64_t base = T0 + m * S_MINUTE;
        tth_rig_tick_at(&rig, base + 1 * TT_NS_PER_SEC, 10000 + m * 100, &id);
        tth_rig_tick_at(&rig, base + 10 * TT_NS_PER_SEC, 11000 + m * 100, &id);
        tth_rig_tick_at(&rig, base + 20 * TT_NS_PER_SEC, 9500 + m * 100, &id);
        tth_rig_tick_at(&rig, base + 40 * TT_NS_PER_SEC, 10500 + m * 100, &id);
        closes[m] = 10500 + m * 100;
    }
    /* A duplicate (same trade id) changes nothing. */
    tth_rig_send_tick(&rig, T0 + 5 * S_MINUTE + 50 * TT_NS_PER_SEC, 99999, 24);
    /* Five minutes have closed on the next minute's first tick; the sixth
       closes when the clock passes its end, with no tick at all. */
    assert_true(tth_probe_wait(5));
    tt_clock_set(clock, T0 + 6 * S_MINUTE + TT_NS_PER_SEC);
    assert_true(tth_probe_wait(6));
    for (int m = 0; m < 6; m++) {
        const tt_ind_values_t *v = tth_probe_seen(m);
        assert_int_equal(v->candle.open_ts, T0 + m * S_MINUTE);
        assert_int_equal(v->candle.tf_s, 60);
        assert_int_equal(v->candle.open, 10000 + m * 100);
        assert_int_equal(v->candle.high, 11000 + m * 100);
        assert_int_equal(v->candle.low, 9500 + m * 100);
        assert_int_equal(v->candle.close, closes[m]);
        assert_int_equal(v->candle.volume, 4);
        assert_int_equal(v->count, 2); /* fast SMA, slow SMA */
        /* SMA(2) is ready from the second candle, SMA(3) from the third;
           values in price units. */
        assert_int_equal(v->values[0].ready, m >= 1);
        assert_int_equal(v->values[1].ready, m >= 2);
        if (m >= 1)
            assert_float_equal(v->values[0].v[0],
                               (closes[m] + closes[m - 1]) / 200.0, 1e-9);
        if (m >= 2)
            assert_float_equal(
                v->values[1].v[0],
                (closes[m] + closes[m - 1] + closes[m - 2]) / 300.0, 1e-9);
    }
    /* Nothing for a second past stale_ms: the data actor says stale. The
       clock's jumps above may have made it say stale (and fresh) before:
       the reports are read until the last one is this stale. */
    tt_clock_set(clock, T0 + 6 * S_MINUTE + 3 * TT_NS_PER_SEC);
    int last = -1;
    for (int n = 0; n < 64; n++) {
        int type =
            s_report_within(&rig, &from, last == TT_REP_STALE ? 300 : 5000);
        if (type < 0)
            break;
        assert_true(type == TT_REP_STALE || type == TT_REP_FRESH);
        assert_int_equal(from, data);
        last = type;
    }
    assert_int_equal(last, TT_REP_STALE);
    /* A fresh tick: fresh again. */
    tth_rig_send_tick(&rig, T0 + 6 * S_MINUTE + 2 * TT_NS_PER_SEC, 10000, id++);
    assert_int_equal(s_report(&rig, &from), TT_REP_FRESH);
    tt_actor_entry_t *entry = tt_runtime_actor(rig.rt, data);
    assert_int_equal(atomic_load(&entry->stats.ticks), 26);
    tth_rig_down(&rig);
}

/* Waits (at most 5 s) until the published STAT is WANT: a fill's counter
   moves before the position it changes is published. */
static bool s_wait_value(_Atomic int64_t *stat, int64_t want)
{
    int64_t deadline = tth_now_ms() + 5000;
    while (atomic_load(stat) != want && tth_now_ms() < deadline)
        tth_nap_ms(2);
    return atomic_load(stat) == want;
}

/* The whole symbol, all four real actors: a scripted crossover gives an
   entry that the paper broker fills at the next trade with slippage; the
   bracket's stop then fills on a drop. Prices and P&L computed by hand:
   sma_cross fast 2, slow 3, stop 1 % of the signal close, target 2R;
   paper slippage 1 bp rounded outward to the 0.01 grid, fee 1 bp of
   notional rounded up. */
static void test_crossover_trades_on_paper(void **state)
{
    (void)state;
    tth_rig_t rig;
    s_rig_up(&rig, tt_symbol_behaviours);
    tt_clock_t *clock = rig.clock;
    tt_actor_stats_t *exec = &tt_runtime_actor(rig.rt, rig.exec)->stats;
    /* Closes 100, 104, 102, 100: fast below slow. Then 106: fast 103 >
       slow 102.67, the cross. */
    int64_t closes[] = {10000, 10400, 10200, 10000, 10600};
    uint64_t id = 1;
    for (int m = 0; m < 5; m++)
        tth_rig_tick_at(&rig, T0 + m * S_MINUTE + 30 * TT_NS_PER_SEC, closes[m],
                        &id);
    assert_int_equal(atomic_load(&exec->orders), 0);
    /* The first trade of minute 5 closes minute 4: the entry, decided at
       the candle's end, fills on the first trade at or after that end
       (event time, docs/TRADING.md): this one, although the actor matched
       it before the signal arrived. 106.00 + 1 bp = 106.0106, up to
       106.02. */
    int64_t t5 = T0 + 5 * S_MINUTE;
    tt_clock_set(clock, t5 + 31 * TT_NS_PER_SEC);
    tth_rig_send_tick(&rig, t5 + 31 * TT_NS_PER_SEC, 10600, id++);
    assert_true(tth_rig_wait_counter(&exec->fills, 1));
    assert_true(tth_rig_wait_counter(&exec->orders, 3)); /* + stop + target */
    assert_int_equal(atomic_load(&exec->last_fill_px), 10602);
    assert_true(s_wait_value(&exec->position, 1));
    /* A later trade inside the bracket changes nothing. */
    tt_clock_set(clock, t5 + 40 * TT_NS_PER_SEC);
    tth_rig_send_tick(&rig, t5 + 40 * TT_NS_PER_SEC, 10700, id++);
    /* Stop at 106.00 - 1.06 = 104.94. A trade at 104.00 triggers it and
       fills on that trade: 104.00 - 1 bp = 103.9896, down to 103.98. */
    tth_rig_send_tick(&rig, t5 + 50 * TT_NS_PER_SEC, 10400, id++);
    assert_true(tth_rig_wait_counter(&exec->fills, 2));
    assert_int_equal(atomic_load(&exec->last_fill_px), 10398);
    assert_true(s_wait_value(&exec->position, 0));
    /* (103.98 - 106.02) * 1 = -2.04, fees 0.02 + 0.02: -2.08. */
    assert_true(s_wait_value(&exec->realized, -208));
    assert_int_equal(atomic_load(&exec->orders), 3);
    tth_rig_down(&rig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticks_to_values_and_staleness),
        cmocka_unit_test(test_crossover_trades_on_paper),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
