/*  tests/test_warmup_e2e.c: warm-up and restarts through the real binary.

    - Restart continues exactly: the service runs one symbol on the sim
      market (1 s and 3 s candles), is stopped, restarted and killed with
      SIGKILL, restarted and stopped again, on the same store. After each
      round the latest indicator snapshot in the store equals, byte for
      byte, an indicator set computed here with the indicators library
      from the candles in the store (each round's candles newer than the
      previous round's: the sim venue regenerates a past at every start,
      which the indicators skip as already seen).
    - Health says warm, and `ticktree preview` prints the forming candle
      and the values; bad previews get clear errors.
    - A symbol that cannot warm up (its feed never connects) says so in
      health, text and JSON; it goes stale and its feed is asked to
      re-subscribe it.
    - A live websocket feed (a real `ticktree tickserver` process) that
      goes quiet (the server stopped with SIGSTOP): the symbol is paused
      as stale, its feed sends its subscribe message again on the open
      connection, and when ticks flow again (SIGCONT) the symbol resumes
      and stays warm. */
#include "tests/harness.h"
#include "tests/process.h"
#include "tests/venuecheck.h"

#include "actors/strategy_ctx.h"
#include "actors/warmup.h"
#include "config/config.h"
#include "store/store.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#define S_MAXC 4096

/* The candles of S0, both timeframes, as one list by timeframe. */
typedef struct {
    int n;
    tt_candle_t c[S_MAXC];
} s_list_t;

static int s_collect(const char *symbol, const tt_candle_t *c, void *arg)
{
    (void)symbol;
    s_list_t *list = arg;
    assert_true(list->n < S_MAXC);
    list->c[list->n++] = *c;
    return 0;
}

static char *s_db(tth_proc_t *proc)
{
    size_t len = strlen(proc->dir) + 16;
    char *path = malloc(len);
    snprintf(path, len, "%s/ticktree.db", proc->dir);
    return path;
}

/* What the store holds now: candles and the latest snapshot. */
typedef struct {
    s_list_t *candles;
    unsigned char *blob;
    size_t len;
    int64_t ts; /* 0: none */
} s_stored_t;

static void s_read_store(tth_proc_t *proc, s_stored_t *out)
{
    char *path = s_db(proc), err[256];
    tt_store_t *store = tt_store_open(path, NULL, err, sizeof err);
    assert_non_null(store);
    out->candles->n = 0;
    const int32_t tfs[] = {1, 3};
    for (int t = 0; t < 2; t++)
        assert_int_equal(tt_store_candles_since(store, "S0", tfs[t], 0, 0,
                                                s_collect, out->candles),
                         0);
    out->blob = malloc(1 << 16);
    out->ts = 0;
    int rc = tt_store_snapshot_latest(store, "S0", TT_WARMUP_KEY, out->blob,
                                      1 << 16, &out->len, &out->ts);
    assert_true(rc == 0 || rc == 1);
    if (rc == 1)
        out->ts = 0;
    tt_store_close(&store);
    free(path);
}

/* The latest snapshot time while the service runs (a second reader). */
static int64_t s_latest_ts(tth_proc_t *proc)
{
    s_list_t *none = calloc(1, sizeof *none);
    s_stored_t now = {.candles = none};
    s_read_store(proc, &now);
    free(now.blob);
    free(none);
    return now.ts;
}

static bool s_wait_snapshot_after(tth_proc_t *proc, int64_t ts)
{
    int64_t deadline = tth_now_ms() + 15000;
    while (tth_now_ms() < deadline) {
        if (s_latest_ts(proc) > ts)
            return true;
        tth_nap_ms(100);
    }
    return false;
}

/* Waits until the store holds a 1 s candle newer than the latest
   snapshot: a restart then has candles to replay after it. */
static bool s_wait_candle_after_snapshot(tth_proc_t *proc)
{
    s_list_t *list = calloc(1, sizeof *list);
    bool found = false;
    int64_t deadline = tth_now_ms() + 15000;
    while (!found && tth_now_ms() < deadline) {
        s_stored_t now = {.candles = list};
        s_read_store(proc, &now);
        free(now.blob);
        for (int i = 0; i < list->n && now.ts; i++)
            found |= list->c[i].tf_s == 1 &&
                     list->c[i].open_ts + TT_NS_PER_SEC > now.ts;
        if (!found)
            tth_nap_ms(20);
    }
    free(list);
    return found;
}

/* The indicator set of S0 exactly as the service builds it. */
static tt_indset_t *s_set(tth_proc_t *proc)
{
    tt_config_t *cfg = tt_config_load(proc->config, NULL, NULL, NULL);
    assert_non_null(cfg);
    const tt_symbol_cfg_t *sym = &cfg->symbols[0];
    tt_strategy_t *strategy =
        tt_symbol_strategy_new(cfg, sym, NULL, NULL, NULL);
    assert_non_null(strategy);
    const tt_ind_spec_t *specs;
    size_t count = tt_strategy_indicators(strategy, &specs);
    char err[128];
    tt_indset_t *set =
        tt_indset_new(specs, count, sym->instrument.px_decimals,
                      sym->instrument.qty_decimals, err, sizeof err);
    assert_non_null(set);
    for (size_t t = 0; t < sym->timeframe_count; t++) {
        int32_t need = tt_strategy_warmup(strategy, sym->timeframes[t]);
        tt_indset_need(set, sym->timeframes[t], need > 0 ? (uint32_t)need : 0);
    }
    tt_strategy_destroy(&strategy);
    tt_config_destroy(&cfg);
    return set;
}

/* Appends to REF the candles of NOW newer, per timeframe, than what REF
   holds: what the indicators of the next round consumed. */
static void s_extend(s_list_t *ref, const s_list_t *now)
{
    int64_t last[2] = {-1, -1};
    for (int i = 0; i < ref->n; i++) {
        int t = ref->c[i].tf_s == 1 ? 0 : 1;
        if (ref->c[i].open_ts > last[t])
            last[t] = ref->c[i].open_ts;
    }
    for (int i = 0; i < now->n; i++) {
        int t = now->c[i].tf_s == 1 ? 0 : 1;
        if (now->c[i].open_ts > last[t]) {
            assert_true(ref->n < S_MAXC);
            ref->c[ref->n++] = now->c[i];
        }
    }
}

/* The stored snapshot equals a set fed the reference candles up to the
   snapshot's own latest candle on each timeframe. */
static void s_check_snapshot(tth_proc_t *proc, const s_stored_t *st,
                             const s_list_t *ref)
{
    assert_true(st->ts > 0);
    tt_indset_t *got = s_set(proc), *want = s_set(proc);
    assert_int_equal(tt_indset_restore(got, st->blob, st->len), 0);
    uint64_t fed = 0;
    for (int i = 0; i < ref->n; i++) {
        const tt_indset_tf_t *tf = tt_indset_tf(got, ref->c[i].tf_s);
        if (tf && ref->c[i].open_ts <= tf->last_open_ts)
            fed += tt_warmup_feed(want, &ref->c[i], 1);
    }
    assert_true(fed > 20);
    assert_true(tt_indset_warm(got));
    size_t size = tt_indset_snapshot_size(want);
    assert_int_equal(size, st->len);
    unsigned char *mine = malloc(size);
    tt_indset_snapshot(want, mine, size);
    assert_memory_equal(mine, st->blob, size);
    print_message("snapshot at %lld: %llu candles of 1 s, %llu of 3 s\n",
                  (long long)st->ts,
                  (unsigned long long)tt_indset_tf(got, 1)->have,
                  (unsigned long long)tt_indset_tf(got, 3)->have);
    free(mine);
    tt_indset_destroy(&got);
    tt_indset_destroy(&want);
}

static void s_restart(tth_proc_t *proc, int round)
{
    const char *args[] = {"run", "-c", proc->config, NULL};
    char log[600];
    snprintf(log, sizeof log, "%s.%d", proc->log, round);
    proc->pid = tth_spawn(args, log);
    proc->reaped = false;
    int64_t deadline = tth_now_ms() + 15000;
    while (tth_state(proc, "S0", NULL) != TT__STATE__STATE_RUNNING) {
        if (tth_now_ms() > deadline)
            fail_msg("the restarted service did not come up within 15 s");
        tth_nap_ms(50);
    }
    char *text = tth_read_file(log);
    assert_non_null(text);
    const char *line = strstr(text, "indicators restored from the snapshot");
    assert_non_null(line);
    print_message("round %d: %.*s\n", round, (int)strcspn(line, "\n"), line);
    free(text);
}

static void s_kill9(tth_proc_t *proc)
{
    kill(proc->pid, SIGKILL);
    waitpid(proc->pid, &proc->status, 0);
    proc->reaped = true;
}

/* Health of S0: warm, and the counts. */
static bool s_warm(tth_proc_t *proc, uint32_t *have, uint32_t *need)
{
    Tt__Reply *reply = NULL;
    Tt__Health *h = tth_health(proc, &reply);
    bool warm = h && h->n_symbols == 1 && h->symbols[0]->warm;
    if (h && h->n_symbols == 1) {
        *have = h->symbols[0]->warmup_have;
        *need = h->symbols[0]->warmup_need;
    }
    if (reply)
        tt__reply__free_unpacked(reply, NULL);
    return warm;
}

static void s_check_preview(tth_proc_t *proc)
{
    char *out = NULL;
    const char *text[] = {"preview", "S0", "-c", proc->config, NULL};
    assert_int_equal(tth_run_binary(text, &out), 0);
    assert_non_null(strstr(out, "S0 1s"));
    assert_non_null(strstr(out, "sma(5)"));
    assert_non_null(strstr(out, "sma(20)"));
    free(out);
    const char *json[] = {"preview", "S0", "--json", "-c", proc->config, NULL};
    assert_int_equal(tth_run_binary(json, &out), 0);
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_object_get(doc, "tf_s")), 1);
    json_t *values = json_object_get(doc, "values");
    assert_true(json_array_size(values) >= 2);
    json_t *first = json_array_get(values, 0);
    assert_string_equal(json_string_value(json_object_get(first, "name")),
                        "sma(5)");
    assert_true(json_is_true(json_object_get(first, "ready")));
    assert_int_equal(json_array_size(json_object_get(first, "v")), 1);
    json_decref(doc);
    free(out);
    /* The trend filter's SMA on 3 s. */
    const char *tf3[] = {"preview", "S0", "--tf",       "3",
                         "--json",  "-c", proc->config, NULL};
    assert_int_equal(tth_run_binary(tf3, &out), 0);
    assert_non_null(strstr(out, "\"tf_s\":3"));
    assert_non_null(strstr(out, "\"name\":\"sma(3)\""));
    free(out);
    const char *bad_tf[] = {"preview", "S0",         "--tf", "7",
                            "-c",      proc->config, NULL};
    assert_int_equal(tth_run_binary(bad_tf, &out), 1);
    assert_non_null(strstr(out, "S0 has no timeframe of 7s"));
    free(out);
    const char *bad_sym[] = {"preview", "NOPE", "-c", proc->config, NULL};
    assert_int_equal(tth_run_binary(bad_sym, &out), 1);
    assert_non_null(strstr(out, "unknown symbol 'NOPE'"));
    free(out);
    const char *usage[] = {"preview", "-c", proc->config, NULL};
    assert_int_equal(tth_run_binary(usage, &out), 2);
    free(out);
    const char *bad_arg[] = {"preview", "S0",         "--tf", "x",
                             "-c",      proc->config, NULL};
    assert_int_equal(tth_run_binary(bad_arg, &out), 2);
    assert_non_null(strstr(out, "--tf"));
    free(out);
}

static void test_restarts_continue_exactly(void **state)
{
    (void)state;
    tth_venue_params = "{tick_rate_hz: 20}";
    tth_symbol_extra = "  timeframes: [1, 3]\n";
    /* A trend filter on 3 s: snapshots come with each 3 s candle, so a
       restart replays the 1 s candles stored after the last one. */
    tth_strategy_params = "{fast: 5, slow: 20, trend_tf: 3, trend_ma: 3}";
    tth_proc_t *proc = tth_proc_start(1, "  snapshot_every_s: 0\n", NULL);
    uint32_t have = 0, need = 0;
    int64_t deadline = tth_now_ms() + 10000;
    while (!s_warm(proc, &have, &need) && tth_now_ms() < deadline)
        tth_nap_ms(50);
    assert_true(s_warm(proc, &have, &need));
    assert_int_equal(have, need);
    assert_int_equal(need, 3); /* warm: the slowest, SMA(3) on 3 s */
    assert_true(s_wait_snapshot_after(proc, 0));
    s_check_preview(proc);
    /* Round 1: a few live candles, then a clean stop. */
    int64_t first = s_latest_ts(proc);
    assert_true(s_wait_snapshot_after(proc, first + 2 * TT_NS_PER_SEC));
    assert_true(s_wait_candle_after_snapshot(proc));
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 10000), 0);
    s_list_t *ref = calloc(1, sizeof *ref), *now = calloc(1, sizeof *now);
    s_stored_t st = {.candles = now};
    s_read_store(proc, &st);
    s_extend(ref, now);
    s_check_snapshot(proc, &st, ref);
    /* Round 2: restart, a few candles, SIGKILL. */
    int64_t before = st.ts;
    free(st.blob);
    s_restart(proc, 2);
    assert_true(s_wait_snapshot_after(proc, before + 2 * TT_NS_PER_SEC));
    assert_true(s_wait_candle_after_snapshot(proc));
    s_kill9(proc);
    s_read_store(proc, &st);
    s_extend(ref, now);
    s_check_snapshot(proc, &st, ref);
    /* Round 3: restart after the crash, a clean stop. */
    before = st.ts;
    free(st.blob);
    s_restart(proc, 3);
    assert_true(s_wait_snapshot_after(proc, before + 2 * TT_NS_PER_SEC));
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 10000), 0);
    s_read_store(proc, &st);
    s_extend(ref, now);
    s_check_snapshot(proc, &st, ref);
    free(st.blob);
    free(ref);
    free(now);
    tth_proc_destroy(&proc);
    tth_venue_params = "{}";
    tth_symbol_extra = "";
    tth_strategy_params = "{fast: 5, slow: 20}";
}

static void test_cold_symbol_says_so(void **state)
{
    (void)state;
    /* The venue's feed points at a port nothing listens on: no data. */
    tth_venue_params = "{}\n    endpoints: [\"ws://127.0.0.1:9/\"]";
    tth_symbol_extra = "  timeframes: [1, 3]\n  stale_ms: 300\n";
    tth_proc_t *proc = tth_proc_start(1, "  snapshot_every_s: 0\n", NULL);
    Tt__Reply *reply = NULL;
    Tt__Health *h = tth_health(proc, &reply);
    assert_non_null(h);
    assert_false(h->symbols[0]->warm);
    assert_int_equal(h->symbols[0]->warmup_have, 0);
    assert_int_equal(h->symbols[0]->warmup_need, 21);
    assert_int_equal(h->symbols[0]->warmup_tf_s, 1);
    tt__reply__free_unpacked(reply, NULL);
    char *out = NULL;
    const char *text[] = {"health", "-c", proc->config, NULL};
    assert_int_equal(tth_run_binary(text, &out), 0);
    assert_non_null(strstr(out, "warming up: 0 of 21 candles of 1s"));
    free(out);
    const char *json[] = {"health", "--json", "-c", proc->config, NULL};
    assert_int_equal(tth_run_binary(json, &out), 0);
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    assert_non_null(doc);
    json_t *sym = json_array_get(json_object_get(doc, "symbols"), 0);
    assert_true(json_is_false(json_object_get(sym, "warm")));
    json_t *w = json_object_get(sym, "warmup");
    assert_int_equal(json_integer_value(json_object_get(w, "need")), 21);
    assert_int_equal(json_integer_value(json_object_get(w, "have")), 0);
    json_decref(doc);
    free(out);
    /* No tick for stale_ms: paused as stale, and the feed is asked to
       re-subscribe the symbol. */
    assert_true(
        tth_wait_state(proc, "S0", NULL, TT__STATE__STATE_PAUSED, 10000));
    uint64_t resubscribes = 0;
    int64_t deadline = tth_now_ms() + 10000;
    while (resubscribes == 0 && tth_now_ms() < deadline) {
        h = tth_health(proc, &reply);
        if (h && h->n_edges == 1)
            resubscribes = h->edges[0]->resubscribes;
        if (reply)
            tt__reply__free_unpacked(reply, NULL);
        tth_nap_ms(50);
    }
    assert_int_equal(resubscribes, 1);
    char *log = tth_read_file(proc->log);
    assert_non_null(strstr(log, "S0: stale: asking feed/sim to re-subscribe"));
    assert_non_null(strstr(log, "S0 stale: not connected"));
    free(log);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 10000), 0);
    tth_proc_destroy(&proc);
    tth_venue_params = "{}";
    tth_symbol_extra = "";
}

/* Re-subscriptions the feed (the tree's only edge) asked for. */
static uint64_t s_resubscribes(tth_proc_t *proc)
{
    return tth_venue_look(proc, NULL, NULL).resubscribes;
}

static void test_quiet_feed_resubscribes_then_resumes(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt-wsq");
    tth_venue_params = "{tick_rate_hz: 50}";
    tth_symbol_extra = "  timeframes: [1]\n  stale_ms: 400\n";
    /* A websocket venue has no generated past: warm after 4 live
       candles. */
    tth_strategy_params = "{fast: 2, slow: 3, stop_pct: 1}";
    int port;
    pid_t server = tth_tickserver_start(dir, 1, &port);
    char params[256];
    snprintf(params, sizeof params,
             "{tick_rate_hz: 50}\n    endpoints: [\"ws://127.0.0.1:%d/\"]",
             port);
    tth_venue_params = params;
    tth_proc_t *proc = tth_proc_start(1, "  snapshot_every_s: 0\n", NULL);
    tth_venue_params = "{}";
    tth_symbol_extra = "";
    tth_strategy_params = "{fast: 5, slow: 20}";
    uint32_t have = 0, need = 0;
    int64_t deadline = tth_now_ms() + 20000;
    while (!s_warm(proc, &have, &need) && tth_now_ms() < deadline)
        tth_nap_ms(100);
    assert_true(s_warm(proc, &have, &need));
    assert_int_equal(tth_state(proc, "S0", NULL), TT__STATE__STATE_RUNNING);
    assert_int_equal(s_resubscribes(proc), 0);
    /* The server stops: no tick, the connection stays open. */
    assert_int_equal(kill(server, SIGSTOP), 0);
    assert_true(
        tth_wait_state(proc, "S0", NULL, TT__STATE__STATE_PAUSED, 10000));
    deadline = tth_now_ms() + 10000;
    while (s_resubscribes(proc) < 1 && tth_now_ms() < deadline)
        tth_nap_ms(20);
    assert_int_equal(s_resubscribes(proc), 1);
    /* It goes on: ticks again, fresh, resumed, still warm. */
    assert_int_equal(kill(server, SIGCONT), 0);
    assert_true(
        tth_wait_state(proc, "S0", NULL, TT__STATE__STATE_RUNNING, 10000));
    assert_true(s_warm(proc, &have, &need));
    char *text_log = tth_read_file(proc->log);
    assert_non_null(strstr(text_log, "S0: stale: asking feed/sim to "
                                     "re-subscribe"));
    assert_non_null(strstr(text_log, "S0 stale: subscribe sent again"));
    free(text_log);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 10000), 0);
    tth_tickserver_stop(server);
    tth_proc_destroy(&proc);
    tth_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_restarts_continue_exactly),
        cmocka_unit_test(test_cold_symbol_says_so),
        cmocka_unit_test(test_quiet_feed_resubscribes_then_resumes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
