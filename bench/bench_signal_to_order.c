/*  bench/bench_signal_to_order.c: the time from a closed candle entering
    a symbol's strategy actor to its order reaching the paper broker,
    through the real actors: the strategy actor (sma_cross), the execution
    actor (risk manager, order book, paper broker) and, in the second run,
    the event bus with its SQLite store, which commits every order intent
    before the broker may see it. 100 symbols on 2 workers, at a steady
    candle rate.

    The bench plays the indicator actor (it sends each symbol's closed
    candle with values that cross, so every candle turns the position:
    an entry, then an exit) and the data actor (half a candle period later
    a trade fills the order). Two monotonic stamps, with nothing added to
    the production code: the strategy actor's handler is wrapped here and
    stamps a candle as it enters, and the link wraps tt_paper_submit()
    (-Wl,--wrap), which stamps the first order of the symbol after it.

    Prints a table; `bench/run` builds it in release mode. */
#include "actors/exec_portfolio.h"
#include "actors/symbol_actors.h"
#include "bus/bus.h"
#include "config/config.h"
#include "risk/portfolio.h"
#include "runtime/clock.h"
#include "runtime/log.h"
#include "runtime/runtime.h"
#include "venues/paper/fill_model.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_SYMBOLS 100
#define S_MAX_SAMPLES 100000
#define S_STAMPS 256 /* candles remembered per symbol */

/* A candle as it entered the strategy: its close (event time, which its
   signal and orders carry) and the monotonic time it came in. */
typedef struct {
    int64_t close_ts;
    int64_t in_ns;
} s_stamp_t;

typedef struct {
    s_stamp_t stamps[S_SYMBOLS][S_STAMPS]; /* ring per symbol */
    uint32_t next[S_SYMBOLS];
    int64_t *lat; /* candle in -> order at the broker */
    _Atomic long n;
} s_bench_t;

static s_bench_t s_bench;

/* ---- the two stamps ----------------------------------------------- */

static int s_symbol_index(const char *name)
{
    return name[0] == 'S' ? atoi(name + 1) : -1;
}

static int s_strategy_handle(tt_actor_t *actor, void *state,
                             const tt_msg_t *msg)
{
    if (msg->hdr.type == TT_MSG_IND_VALUES) {
        int64_t now = tt_mono_ns();
        const tt_candle_t *c = &msg->body.values.candle;
        int sym = s_symbol_index(tt_actor_symbol(actor)->name);
        s_stamp_t *st = &s_bench.stamps[sym][s_bench.next[sym]++ % S_STAMPS];
        st->close_ts = c->open_ts + (int64_t)c->tf_s * TT_NS_PER_SEC;
        st->in_ns = now;
    }
    return tt_strategy_behaviour.handle(actor, state, msg);
}

int __real_tt_paper_submit(tt_paper_t *self, const tt_order_t *order,
                           tt_ns_t ts);
int __wrap_tt_paper_submit(tt_paper_t *self, const tt_order_t *order,
                           tt_ns_t ts);

/* The execution actor hands ORDER to the paper broker at event time TS:
   the time of the signal, which is the close of the candle it was
   decided on. An entry or exit closes that candle's sample (a bracket's
   stop and target, sent when the entry fills, do not). Runs on the
   symbol's worker, like the strategy's stamp. */
int __wrap_tt_paper_submit(tt_paper_t *self, const tt_order_t *order,
                           tt_ns_t ts)
{
    int64_t now = tt_mono_ns();
    int sym = s_symbol_index(order->coid + 3); /* "tt-S042-..." */
    bool decided = order->role == TT_ROLE_ENTRY || order->role == TT_ROLE_EXIT;
    for (int i = 0; decided && sym >= 0 && sym < S_SYMBOLS && i < S_STAMPS;
         i++) {
        s_stamp_t *st = &s_bench.stamps[sym][i];
        if (st->close_ts != ts || st->in_ns == 0)
            continue;
        long n = atomic_fetch_add(&s_bench.n, 1);
        if (n < S_MAX_SAMPLES)
            s_bench.lat[n] = now - st->in_ns;
        st->in_ns = 0;
        break;
    }
    return __real_tt_paper_submit(self, order, ts);
}

/* ---- the rig ------------------------------------------------------ */

static int s_probe_init(tt_actor_t *self, void **state_p)
{
    (void)self;
    *state_p = NULL;
    return 0;
}

static int s_probe_handle(tt_actor_t *self, void *state, const tt_msg_t *msg)
{
    (void)self, (void)state, (void)msg;
    return 0;
}

static const tt_behaviour_t s_probe = {
    .name = "probe", .init = s_probe_init, .handle = s_probe_handle};

static tt_config_t *s_config(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/bench.yaml", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f,
            "service:\n  control: ipc://%s/control\n"
            "  events: ipc://%s/events\n  replay: ipc://%s/replay\n"
            "  db: %s/bench.db\n  workers: 2\n  log_level: warn\n"
            "venues:\n  - name: sim\n    kind: sim\n"
            "symbol_defaults:\n  venue: sim\n  px_decimals: 2\n"
            "  qty_decimals: 0\n  timeframes: [1]\n  stale_ms: 600000\n"
            "  strategy: {kind: sma_cross, params: {fast: 1, slow: 2,\n"
            "             stop_pct: 1, target_r: 2}}\n"
            "  risk: {qty: \"1\"}\n"
            "symbols:\n",
            dir, dir, dir, dir);
    for (int i = 0; i < S_SYMBOLS; i++)
        fprintf(f, "  - symbol: S%03d\n", i);
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    tt_config_t *cfg = tt_config_load(path, NULL, NULL, NULL);
    if (!cfg)
        exit(1);
    return cfg;
}

typedef struct {
    tt_config_t *cfg;
    tt_clock_t *clock;
    tt_runtime_t *rt;
    tt_portfolio_t *pf;
    zactor_t *bus;
    tt_bus_stats_t bus_stats;
    zsock_t *inbox;
    tt_sender_t *sender;
    tt_behaviour_t strategy;
} s_rig_t;

static void s_start_actors(s_rig_t *rig)
{
    for (int i = 0; i < S_SYMBOLS; i++)
        for (int role = 0; role < TT_ROLE_COUNT; role++) {
            tt_sender_send(rig->sender, tt_runtime_actor_id(i, role),
                           TT_ACTOR_ROOT, TT_SYS_START, NULL, 0, true);
            tt_msg_t msg;
            int size = zmq_recv(zsock_resolve(rig->inbox), &msg, sizeof msg, 0);
            if (size < (int)sizeof msg.hdr || msg.hdr.type != TT_REP_STARTED) {
                fprintf(stderr, "bench: actor %d/%d did not start\n", i, role);
                exit(1);
            }
        }
    tt_warmth_t warm = {.warm = 1};
    for (int i = 0; i < S_SYMBOLS; i++)
        tt_sender_send(rig->sender, tt_runtime_actor_id(i, TT_ROLE_EXECUTION),
                       TT_ACTOR_ROOT, TT_MSG_WARMTH, &warm, sizeof warm, true);
    tt_sender_flush(rig->sender);
}

static void s_rig_up(s_rig_t *rig, tt_config_t *cfg, bool bus)
{
    memset(rig, 0, sizeof *rig);
    rig->cfg = cfg;
    char err[160];
    rig->pf = tt_exec_portfolio_new(cfg, err, sizeof err);
    rig->clock = tt_clock_new_live();
    rig->strategy = tt_strategy_behaviour;
    rig->strategy.handle = s_strategy_handle;
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {
        &tt_execution_behaviour, &s_probe, &s_probe, &rig->strategy};
    rig->rt = tt_runtime_new(cfg, rig->clock, roles);
    if (!rig->pf || !rig->rt) {
        fprintf(stderr, "bench: setup failed %s\n", err);
        exit(1);
    }
    tt_runtime_set_portfolio(rig->rt, rig->pf);
    tt_runtime_set_bus(rig->rt, bus);
    rig->inbox = zsock_new_pull(tt_runtime_endpoint_root(rig->rt));
    zsock_set_rcvtimeo(rig->inbox, 5000);
    if (bus)
        rig->bus = tt_bus_start(rig->rt, &rig->bus_stats);
    if (!rig->inbox || (bus && !rig->bus) || tt_runtime_start(rig->rt) != 0) {
        fprintf(stderr, "bench: runtime did not start\n");
        exit(1);
    }
    rig->sender = tt_sender_new(rig->rt);
    s_start_actors(rig);
}

static void s_rig_down(s_rig_t *rig)
{
    tt_sender_destroy(&rig->sender);
    /* Like the root: workers, then the bus, then the runtime. */
    tt_runtime_stop(rig->rt);
    zactor_destroy(&rig->bus);
    tt_runtime_destroy(&rig->rt);
    zsock_destroy(&rig->inbox);
    tt_portfolio_destroy(&rig->pf);
    tt_clock_destroy(&rig->clock);
}

/* ---- the load ----------------------------------------------------- */

/* Symbol SYM's candle number K closes now: its close alternates 100.00
   and 101.00 around a slow average of 100.50, so the fast (the close)
   crosses the slow one on every candle. */
static void s_send_candle(s_rig_t *rig, int sym, long k)
{
    int64_t now = tt_clock_now(rig->clock);
    tt_px_t close = k % 2 ? 10100 : 10000;
    tt_ind_values_t v = {.count = 2};
    v.candle = (tt_candle_t){.open_ts = now - TT_NS_PER_SEC,
                             .tf_s = 1,
                             .open = close,
                             .high = close,
                             .low = close,
                             .close = close,
                             .volume = 1,
                             .trades = 1,
                             .closed = true};
    v.values[0] = (tt_ind_value_t){.ready = true, .v = {close / 100.0}};
    v.values[1] = (tt_ind_value_t){.ready = true, .v = {100.50}};
    tt_sender_send(rig->sender, tt_runtime_actor_id(sym, TT_ROLE_STRATEGY),
                   tt_runtime_actor_id(sym, TT_ROLE_INDICATOR),
                   TT_MSG_IND_VALUES, &v, sizeof v, true);
}

/* A trade of SYM at its last close, which fills the order it caused. */
static void s_send_trade(s_rig_t *rig, int sym, long k, uint64_t id)
{
    tt_tick_batch_t batch = {.count = 1};
    batch.ticks[0] = (tt_tick_t){.ts = tt_clock_now(rig->clock),
                                 .price = k % 2 ? 10100 : 10000,
                                 .size = 100,
                                 .trade_id = id};
    uint32_t len =
        (uint32_t)(offsetof(tt_tick_batch_t, ticks) + sizeof(tt_tick_t));
    tt_sender_send(rig->sender, tt_runtime_actor_id(sym, TT_ROLE_EXECUTION),
                   tt_runtime_actor_id(sym, TT_ROLE_DATA), TT_MSG_TICKS, &batch,
                   len, true);
}

static void s_sleep_until(int64_t mono_ns)
{
    struct timespec ts = {.tv_sec = mono_ns / TT_NS_PER_SEC,
                          .tv_nsec = mono_ns % TT_NS_PER_SEC};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
        ;
}

static int s_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* COUNT candles at RATE per second, round robin over the symbols, one
   trade per symbol half a round after its candle. Prints the orders that
   reached the broker out of those the candles decided, and their
   latencies. A store that falls behind leaves orders unfilled when the
   next candle comes, and the strategy then decides less (an entry it
   cannot place instead of an exit): fewer orders, not a wrong figure. */
static void s_run(s_rig_t *rig, const char *what, long rate, long count)
{
    memset(s_bench.stamps, 0, sizeof s_bench.stamps);
    memset(s_bench.next, 0, sizeof s_bench.next);
    atomic_store(&s_bench.n, 0);
    int64_t step = TT_NS_PER_SEC / rate, t0 = tt_mono_ns();
    for (long i = 0; i < count + S_SYMBOLS / 2; i++) {
        s_sleep_until(t0 + i * step);
        int sym = (int)(i % S_SYMBOLS);
        long k = i / S_SYMBOLS;
        if (i < count)
            s_send_candle(rig, sym, k);
        long j = i - S_SYMBOLS / 2; /* the candle half a round ago */
        if (j >= 0)
            s_send_trade(rig, (int)(j % S_SYMBOLS), j / S_SYMBOLS,
                         (uint64_t)j + 1);
        tt_sender_flush(rig->sender);
    }
    /* Let the last orders arrive: until none came for 200 ms (at most
       30 s; a store that falls behind drains its backlog here). */
    long n = -1;
    for (int w = 0; w < 150 && atomic_load(&s_bench.n) != n; w++) {
        n = atomic_load(&s_bench.n);
        zclock_sleep(200);
    }
    n = atomic_load(&s_bench.n);
    if (n > S_MAX_SAMPLES)
        n = S_MAX_SAMPLES;
    qsort(s_bench.lat, (size_t)n, sizeof *s_bench.lat, s_cmp);
    if (n == 0) {
        printf("| %-30s | %8ld | no orders reached the broker |\n", what, rate);
        return;
    }
    /* Each symbol's first candle only sets the strategy's state. */
    char orders[48];
    snprintf(orders, sizeof orders, "%ld/%ld", n, count - S_SYMBOLS);
    printf("| %-30s | %8ld | %11s | %8.1f | %8.1f | %8.1f | %8.1f |\n", what,
           rate, orders, (double)s_bench.lat[n / 2] / 1e3,
           (double)s_bench.lat[n * 99 / 100] / 1e3,
           (double)s_bench.lat[n * 999 / 1000] / 1e3,
           (double)s_bench.lat[n - 1] / 1e3);
}

/* One run on fresh actors and a fresh store (order ids start at 1). */
static int s_run_fresh(tt_config_t *cfg, const char *dir, bool bus, long rate,
                       long count)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -f %s/bench.db*", dir);
    if (system(cmd) != 0)
        return -1;
    s_rig_t rig;
    s_rig_up(&rig, cfg, bus);
    s_run(&rig,
          bus ? "actors + bus (SQLite commit)" : "actors (strategy, execution)",
          rate, count < rate * 20 ? count : rate * 20); /* at most 20 s */
    s_rig_down(&rig);
    return 0;
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 10000;
    if (count < 2 * S_SYMBOLS || count > S_MAX_SAMPLES)
        count = 10000;
    char dir[] = "/tmp/tt-bench-s2o-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    zsys_init();
    zsys_handler_set(NULL);
    s_bench.lat = calloc(S_MAX_SAMPLES, sizeof *s_bench.lat);
    tt_config_t *cfg = s_config(dir);
    tt_log_setup(cfg->log_level, false, 2);
    printf("closed candle into the strategy -> order at the paper broker, "
           "%d symbols, 2 workers, up to %ld candles or 20 s per run (us)\n\n",
           S_SYMBOLS, count);
    printf("| %-30s | %8s | %11s | %8s | %8s | %8s | %8s |\n", "path",
           "candle/s", "orders", "p50", "p99", "p99.9", "max");
    printf("|%s|%s|%s|%s|%s|%s|%s|\n", "--------------------------------",
           "---------:", "------------:", "---------:", "---------:",
           "---------:", "---------:");
    /* 100 candles/s is a 1-second candle on every symbol, each one an
       order. The bus runs stop at 1000/s: its commits queue there. */
    static const struct {
        bool bus;
        long rate;
    } runs[] = {
        {false, 100}, {false, 1000}, {false, 10000}, {true, 100}, {true, 1000}};
    int rc = 0;
    for (size_t r = 0; r < sizeof runs / sizeof runs[0] && rc == 0; r++)
        rc = s_run_fresh(cfg, dir, runs[r].bus, runs[r].rate, count);
    tt_config_destroy(&cfg);
    free(s_bench.lat);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 && rc == 0 ? 0 : 1;
}
