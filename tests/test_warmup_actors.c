/*  tests/test_warmup_actors.c: a symbol's real data, indicator and
    execution actors on the real runtime (worker thread, inproc mailboxes)
    with a manual clock; the test plays the root (it reads the reports)
    and the bus (it binds the bus inbox and reads what the actors store),
    and a probe plays the strategy.

    - Restart: the indicator actor restores the latest snapshot from a
      real store file and replays the candles stored after it; the next
      live candle gives exactly the values of an uninterrupted run, and
      its snapshot reaches the bus in pieces that join into exactly the
      uninterrupted set's bytes.
    - Previews: the forming candle and its values arrive at the asker;
      the closed candle afterwards gives the values of a run without
      previews; an unknown timeframe is answered as such.
    - History: a cold symbol (empty store) says how cold, is warmed by
      candles from another source (TT_MSG_HISTORY), which also go to the
      store; candles it has seen and malformed ones are skipped.
    - The execution actor refuses signals until the indicators say warm. */
#include "tests/harness.h"

#include "actors/strategy_ctx.h"
#include "actors/symbol_actors.h"
#include "actors/warmup.h"
#include "runtime/runtime.h"
#include "store/store.h"
#include "tests/symrig.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T0 (INT64_C(1699999980) * TT_NS_PER_SEC) /* a minute boundary */
#define S_MINUTE (60 * TT_NS_PER_SEC)
#define S_SYM "TST"
#define S_STORED 40 /* candles in the store before start */
#define S_CUT 25    /* the stored snapshot is after this many */

/* ---- the rig: one symbol, the test as root and bus ---- */

static const char *s_yaml_fmt =
    "service:\n  workers: 1\n  db: %s/t.db\n"
    "venues:\n  - name: sim\n    kind: sim\n"
    "symbols:\n  - symbol: " S_SYM "\n    venue: sim\n    px_decimals: 2\n"
    "    qty_decimals: 0\n    timeframes: [60]\n    stale_ms: 600000\n"
    "    strategy:\n      kind: sma_cross\n"
    "      params: {fast: 2, slow: 3, stop_pct: 1}\n"
    "    risk: {qty: \"1\"}\n";

/* Reads the root's reports until the last warm-up report says warm, at
   most 5 s. */
static bool s_wait_warm(tth_rig_t *rig)
{
    int64_t deadline = tth_now_ms() + 5000;
    zsock_set_rcvtimeo(rig->inbox, 50);
    tt_msg_t msg;
    while (!rig->warmth.warm && tth_now_ms() < deadline) {
        int size = zmq_recv(zsock_resolve(rig->inbox), &msg, sizeof msg, 0);
        if (size < 0)
            continue;
        assert_int_equal(tt_msg_check(&msg, (size_t)size), 0);
        assert_int_equal(msg.hdr.type, TT_REP_WARMUP);
        rig->warmth = msg.body.warmth;
        rig->warmth_reports++;
    }
    return rig->warmth.warm;
}

/* The symbol's set as the indicator actor builds it. */
static tt_indset_t *s_reference(const tth_rig_t *rig)
{
    const tt_symbol_cfg_t *sym = &rig->cfg->symbols[0];
    tt_strategy_t *strategy =
        tt_symbol_strategy_new(rig->cfg, sym, NULL, NULL, NULL);
    assert_non_null(strategy);
    const tt_ind_spec_t *specs;
    size_t count = tt_strategy_indicators(strategy, &specs);
    char err[128];
    tt_indset_t *set = tt_indset_new(specs, count, 2, 0, err, sizeof err);
    assert_non_null(set);
    tt_indset_need(set, 60, (uint32_t)tt_strategy_warmup(strategy, 60));
    tt_strategy_destroy(&strategy);
    return set;
}

/* Candle I of a stored history that ends at T0. */
static tt_candle_t s_past(int i)
{
    int64_t px = 10000 + (i * 37) % 23 * 10 - 110;
    return (tt_candle_t){.open_ts = T0 - (S_STORED - i) * S_MINUTE,
                         .tf_s = 60,
                         .open = px,
                         .high = px + 40,
                         .low = px - 30,
                         .close = px + 10 * (i % 3) - 10,
                         .volume = 4,
                         .trades = 4,
                         .closed = true};
}

/* Minute M of the live market: three trades, the candle it makes. The
   clock follows the trades, and each trade is handled before the clock
   moves on: the data actor's timer would otherwise move the candle
   builder past a trade still queued, which it would then drop as late. */
static tt_candle_t s_live_minute(tth_rig_t *rig, int m, uint64_t *id)
{
    int64_t base = T0 + m * S_MINUTE;
    int64_t px = 10100 + m * 20;
    const int64_t at[] = {5, 10, 20};
    const int64_t price[] = {px, px + 50, px - 20};
    for (int i = 0; i < 3; i++)
        tth_rig_tick_at(rig, base + at[i] * TT_NS_PER_SEC, price[i], id);
    return (tt_candle_t){.open_ts = base,
                         .tf_s = 60,
                         .open = px,
                         .high = px + 50,
                         .low = px - 20,
                         .close = px - 20,
                         .volume = 3,
                         .trades = 3,
                         .closed = true};
}

static void s_values_equal(const tt_ind_value_t *a, const tt_ind_value_t *b,
                           uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(a[i].ready, b[i].ready);
        assert_memory_equal(a[i].v, b[i].v, sizeof a[i].v);
    }
}

/* Reads the bus inbox until a whole snapshot has joined; candles seen on
   the way are counted. Returns its size (0: none in 5 s). */
static size_t s_bus_snapshot(tth_rig_t *rig, unsigned char *buf, size_t cap,
                             int64_t *ts, int *candles)
{
    tt_msg_t msg;
    size_t got = 0;
    while (tth_rig_next(rig, rig->bus, &msg, 5000) >= 0) {
        if (msg.hdr.type == TT_EVT_CANDLE) {
            (*candles)++;
            continue;
        }
        assert_int_equal(msg.hdr.type, TT_EVT_SNAPSHOT);
        const tt_evt_snapshot_t *p = &msg.body.snapshot;
        if (strcmp(p->key, TT_SNAPSHOT_KEY_PAPER) == 0)
            continue; /* the execution actor's paper broker state */
        assert_string_equal(p->key, TT_WARMUP_KEY);
        assert_int_equal(p->offset, got);
        assert_true(p->total <= cap && got + p->len <= p->total);
        memcpy(buf + got, p->data, p->len);
        got += p->len;
        *ts = p->ts;
        if (got == p->total)
            return got;
    }
    return 0;
}

static void s_store_history(const tth_rig_t *rig, tt_indset_t *ref)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/t.db", rig->dir);
    tt_store_t *store = tt_store_open(path, NULL, err, sizeof err);
    assert_non_null(store);
    for (int i = 0; i < S_STORED; i++) {
        tt_candle_t c = s_past(i);
        assert_int_equal(tt_store_candle_put(store, S_SYM, &c), 0);
        tt_warmup_feed(ref, &c, 1);
        if (i == S_CUT - 1) {
            size_t size = tt_indset_snapshot_size(ref);
            void *buf = malloc(size);
            tt_indset_snapshot(ref, buf, size);
            assert_int_equal(tt_store_snapshot_put(store, S_SYM, TT_WARMUP_KEY,
                                                   c.open_ts + S_MINUTE, buf,
                                                   size),
                             0);
            free(buf);
        }
    }
    assert_int_equal(tt_store_flush(store), 0);
    tt_store_close(&store);
}

static void test_restart_continues_exactly(void **state)
{
    (void)state;
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {
        &tt_execution_behaviour, &tt_data_behaviour, &tt_indicator_behaviour,
        &tth_probe_behaviour};
    tth_rig_t rig = {0};
    tth_rig_config(&rig, "tt-warmact", s_yaml_fmt);
    tt_indset_t *ref = s_reference(&rig);
    s_store_history(&rig, ref);
    tth_rig_start(&rig, roles, T0, true);
    /* The start-up report: warm from the snapshot and the replay. */
    assert_int_equal(rig.warmth_reports, 1);
    assert_int_equal(rig.warmth.warm, 1);
    assert_int_equal(rig.warmth.tf_s, 60);
    assert_int_equal(rig.warmth.have, rig.warmth.need);
    /* Minute 0 closes on minute 1's first trade. */
    uint64_t id = 1;
    tt_candle_t live = s_live_minute(&rig, 0, &id);
    s_live_minute(&rig, 1, &id);
    assert_true(tth_probe_wait(1));
    tt_ind_values_t want = {.candle = live};
    want.count =
        (uint32_t)tt_indset_update(ref, &live, want.values, TT_IND_VALUES_MAX);
    const tt_ind_values_t *got = tth_probe_seen(0);
    assert_int_equal(got->candle.open_ts, live.open_ts);
    assert_int_equal(got->candle.close, live.close);
    assert_int_equal(got->count, want.count);
    assert_int_equal(got->count, 2); /* fast, slow */
    s_values_equal(got->values, want.values, want.count);
    /* The candle, then the snapshot, reach the bus; the snapshot's bytes
       are exactly the uninterrupted set's. */
    size_t size = tt_indset_snapshot_size(ref);
    unsigned char *buf = malloc(size), *mine = malloc(size);
    int64_t ts = 0;
    int candles = 0;
    assert_int_equal(s_bus_snapshot(&rig, buf, size, &ts, &candles), size);
    assert_int_equal(candles, 1);
    assert_int_equal(ts, live.open_ts + S_MINUTE);
    tt_indset_snapshot(ref, mine, size);
    assert_memory_equal(buf, mine, size);
    /* The stored history again (a venue resending it): all seen, none
       reaches the strategy. */
    tt_candle_batch_t hist = {.count = TT_CANDLE_BATCH};
    for (int i = 0; i < TT_CANDLE_BATCH; i++)
        hist.candles[i] = s_past(S_STORED - TT_CANDLE_BATCH + i);
    tt_sender_send(rig.sender, rig.data, TT_ACTOR_ROOT, TT_MSG_HISTORY, &hist,
                   sizeof hist, true);
    s_live_minute(&rig, 2, &id);
    assert_true(tth_probe_wait(2));
    assert_int_equal(tth_probe_seen(1)->candle.open_ts, T0 + S_MINUTE);
    free(buf);
    free(mine);
    tt_indset_destroy(&ref);
    tth_rig_down(&rig);
}

/* Asks for a preview as the root; returns the answer's status. */
static int s_preview(tth_rig_t *rig, int32_t tf_s, uint32_t req_id,
                     tt_preview_t *out)
{
    tt_preview_req_t req = {.req_id = req_id, .tf_s = tf_s};
    tt_sender_send(rig->sender, rig->data, TT_ACTOR_ROOT, TT_MSG_PREVIEW_REQ,
                   &req, sizeof req, true);
    tt_msg_t msg;
    assert_int_equal(tth_rig_next(rig, rig->inbox, &msg, 5000), TT_MSG_PREVIEW);
    *out = msg.body.preview;
    assert_int_equal(out->req_id, req_id);
    assert_int_equal(out->reply_to, TT_ACTOR_ROOT);
    return out->status;
}

static void test_preview_changes_nothing(void **state)
{
    (void)state;
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {
        &tt_execution_behaviour, &tt_data_behaviour, &tt_indicator_behaviour,
        &tth_probe_behaviour};
    tth_rig_t rig = {0};
    tth_rig_config(&rig, "tt-warmact", s_yaml_fmt);
    tt_indset_t *ref = s_reference(&rig);
    s_store_history(&rig, ref);
    tth_rig_start(&rig, roles, T0, true);
    uint64_t id = 1;
    tt_preview_t ans;
    /* Nothing traded yet in the interval: the current values. */
    assert_int_equal(s_preview(&rig, 0, 1, &ans), TT_PREVIEW_NO_CANDLE);
    assert_int_equal(ans.tf_s, 60);
    tt_ind_value_t cur[TT_IND_VALUES_MAX];
    int n = tt_indset_values(ref, 60, cur, TT_IND_VALUES_MAX);
    assert_int_equal(ans.values.count, n);
    s_values_equal(ans.values.values, cur, (uint32_t)n);
    for (int m = 0; m < 4; m++) {
        tt_candle_t live = s_live_minute(&rig, m, &id);
        /* The forming candle, twice (asking changes nothing). */
        for (uint32_t k = 0; k < 2; k++) {
            assert_int_equal(
                s_preview(&rig, 60, 10 + 2 * (uint32_t)m + k, &ans),
                TT_PREVIEW_OK);
            assert_false(ans.values.candle.closed);
            assert_int_equal(ans.values.candle.open_ts, live.open_ts);
            assert_int_equal(ans.values.candle.high, live.high);
            assert_int_equal(ans.values.candle.close, live.close);
            tt_ind_value_t pv[TT_IND_VALUES_MAX];
            int np = tt_indset_preview(ref, &ans.values.candle, pv,
                                       TT_IND_VALUES_MAX);
            assert_int_equal(ans.values.count, np);
            s_values_equal(ans.values.values, pv, (uint32_t)np);
        }
        /* An unknown timeframe is answered by the data actor. */
        assert_int_equal(s_preview(&rig, 300, 99, &ans), TT_PREVIEW_BAD_TF);
        assert_int_equal(ans.tf_s, 300);
        /* The closed candle is the same as in a run without previews. */
        s_live_minute(&rig, m + 1, &id);
        assert_true(tth_probe_wait(m + 1));
        tt_ind_value_t want[TT_IND_VALUES_MAX];
        int nw = tt_indset_update(ref, &live, want, TT_IND_VALUES_MAX);
        assert_int_equal(tth_probe_seen(m)->count, nw);
        s_values_equal(tth_probe_seen(m)->values, want, (uint32_t)nw);
    }
    /* A request from no actor of this runtime is answered to no one, and
       the actors go on answering the others. */
    tt_preview_req_t stray = {.req_id = 500, .tf_s = 60};
    tt_sender_send(rig.sender, rig.data, TT_ACTOR_BUS, TT_MSG_PREVIEW_REQ,
                   &stray, sizeof stray, true);
    assert_int_equal(s_preview(&rig, 60, 501, &ans), TT_PREVIEW_OK);
    tt_indset_destroy(&ref);
    tth_rig_down(&rig);
}

static void test_cold_symbol_warms_from_history(void **state)
{
    (void)state;
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {
        &tt_execution_behaviour, &tt_data_behaviour, &tt_indicator_behaviour,
        &tth_probe_behaviour};
    tth_rig_t rig = {0};
    tth_rig_config(&rig, "tt-warmact", s_yaml_fmt);
    tt_indset_t *ref = s_reference(&rig);
    uint32_t need = tt_indset_tf(ref, 60)->need;
    tth_rig_start(&rig, roles, T0, true); /* an empty store */
    assert_int_equal(rig.warmth.warm, 0);
    assert_int_equal(rig.warmth.have, 0);
    assert_int_equal(rig.warmth.need, need);
    assert_int_equal(rig.warmth.tf_s, 60);
    /* History from another source, in batches; one malformed candle (low
       above high) in the first, skipped. */
    int sent = 0;
    tt_candle_batch_t batch = {0};
    for (int i = S_STORED - 30; i < S_STORED; i++) {
        batch.candles[batch.count++] = s_past(i);
        if (i == S_STORED - 30) {
            batch.candles[batch.count] = s_past(i);
            batch.candles[batch.count].open_ts += 7; /* unaligned */
            batch.count++;
        }
        if (batch.count >= TT_CANDLE_BATCH - 1 || i == S_STORED - 1) {
            tt_sender_send(rig.sender, rig.data, TT_ACTOR_ROOT, TT_MSG_HISTORY,
                           &batch,
                           (uint32_t)(offsetof(tt_candle_batch_t, candles) +
                                      batch.count * sizeof(tt_candle_t)),
                           true);
            batch.count = 0;
        }
        sent++;
    }
    assert_true(tth_probe_wait(sent));
    for (int i = 0; i < sent; i++) {
        tt_candle_t c = s_past(S_STORED - 30 + i);
        tt_ind_value_t want[TT_IND_VALUES_MAX];
        int nw = tt_indset_update(ref, &c, want, TT_IND_VALUES_MAX);
        assert_int_equal(tth_probe_seen(i)->candle.open_ts, c.open_ts);
        s_values_equal(tth_probe_seen(i)->values, want, (uint32_t)nw);
    }
    /* Every history candle also went to the bus, to be stored. */
    tt_msg_t msg;
    int stored = 0;
    while (stored < sent && tth_rig_next(&rig, rig.bus, &msg, 5000) >= 0)
        stored += msg.hdr.type == TT_EVT_CANDLE;
    assert_int_equal(stored, sent);
    /* The reports counted up to warm, and stopped there. */
    assert_true(s_wait_warm(&rig));
    assert_int_equal(rig.warmth.warm, 1);
    assert_int_equal(rig.warmth.have, need);
    assert_int_equal(rig.warmth_reports, (int)need + 1);
    tt_indset_destroy(&ref);
    tth_rig_down(&rig);
}

static void s_signal(tth_rig_t *rig)
{
    tt_signal_t sig = {.kind = TT_SIG_ENTER_LONG,
                       .ts = tt_clock_now(rig->clock),
                       .ref_price = 10000,
                       .stop = 9900,
                       .target = 10200};
    tt_sender_send(rig->sender, rig->exec, TT_ACTOR_ROOT, TT_MSG_SIGNAL, &sig,
                   sizeof sig, true);
}

/* The risk view's `warm` is the indicator actor's word: a signal before
   the indicators are warm is refused, the same signal once warm goes. */
static void test_execution_trades_only_when_warm(void **state)
{
    (void)state;
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {
        &tt_execution_behaviour, &tt_data_behaviour, &tt_indicator_behaviour,
        &tth_probe_behaviour};
    tth_rig_t rig = {0};
    tth_rig_config(&rig, "tt-warmact", s_yaml_fmt);
    tth_rig_start(&rig, roles, T0, false); /* no bus: orders go out at once */
    tt_actor_stats_t *exec = &tt_runtime_actor(rig.rt, rig.exec)->stats;
    s_signal(&rig);
    assert_true(tth_rig_wait_counter(&exec->rejects, 1));
    assert_int_equal(atomic_load(&exec->orders), 0);
    /* Candles until warm: the history path, no store needed. */
    tt_indset_t *ref = s_reference(&rig);
    uint32_t need = tt_indset_tf(ref, 60)->need;
    tt_indset_destroy(&ref);
    for (uint32_t i = 0; i < need; i++) {
        tt_candle_batch_t one = {.count = 1, .candles = {s_past((int)i)}};
        tt_sender_send(rig.sender, rig.data, TT_ACTOR_ROOT, TT_MSG_HISTORY,
                       &one,
                       (uint32_t)(offsetof(tt_candle_batch_t, candles) +
                                  sizeof(tt_candle_t)),
                       true);
        if (i + 2 == need) {
            /* One short of warm: still refused. */
            assert_true(tth_probe_wait((int)i + 1));
            s_signal(&rig);
            assert_true(tth_rig_wait_counter(&exec->rejects, 2));
        }
    }
    assert_true(tth_probe_wait((int)need));
    s_signal(&rig);
    assert_true(tth_rig_wait_counter(&exec->orders, 1));
    assert_int_equal(atomic_load(&exec->rejects), 2);
    tth_rig_down(&rig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_restart_continues_exactly),
        cmocka_unit_test(test_preview_changes_nothing),
        cmocka_unit_test(test_cold_symbol_warms_from_history),
        cmocka_unit_test(test_execution_trades_only_when_warm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
