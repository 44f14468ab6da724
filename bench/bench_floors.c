/*  bench/bench_floors.c: the floors under the end-to-end figures. Each
    end-to-end figure (replay throughput, tick-to-order latency) is a
    fraction of what the machine can do at all; this measures the two
    limits it is a fraction of:

    (a) raw libzmq: inproc PUSH/PULL between two threads, with messages
        the size of a mailbox frame holding one tick and one full tick
        batch (messages/internal.h), at the mailboxes' high-water mark;
    (b) the bare logic: a loop over simulated ticks doing only what a
        symbol's data and indicator actors compute: the candle builder
        (1 s + 60/300/900/3600 s) and, on every closed 60 s candle, the
        indicators of the default strategy (config/ticktree.yaml:
        sma_cross fast 10, slow 30, with its default ATR(14) stop);
    (c) a wake-up: one message from one thread to another that sleeps in
        zmq_poll between messages, as a worker sleeps between ticks, at a
        steady rate; the one-way time from just before the send to just
        after the receive, p50/p99/p99.9. Every live tick crosses at least
        one such hop (feed thread to worker), so no live tick-to-order
        figure can be below it;
    (d) the same hop to a thread that polls without sleeping
        (zmq_poll with no timeout, as a worker does within
        service.spin_us of its last frame): the floor under a spinning
        worker's figures.

    The ticks come from the seeded sim market (venues/sim), generated into
    memory before any timing, 10 million per case. Every figure is the
    median of 5 runs. Build in Release to measure (bench/run). */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "indicators/indicator.h"
#include "marketdata/candles.h"
#include "messages/internal.h"
#include "venues/sim/simmarket.h"

#define N_RUNS 5
#define N_TICKS 10000000u
#define HWM 100000 /* service.mailbox_hwm's default */
#define ENDPOINT "inproc://floors"
#define STRAT_TF 60 /* the default strategy's timeframe, seconds */
#define N_IND 3

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int s_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double s_median(double *v)
{
    qsort(v, N_RUNS, sizeof *v, s_cmp);
    return v[N_RUNS / 2];
}

/* ---- (a) raw libzmq inproc ------------------------------------------------
 */

typedef struct {
    void *ctx;
    size_t size; /* bytes per message */
    uint64_t count;
} s_pusher_t;

static void *s_push(void *arg)
{
    s_pusher_t *p = arg;
    void *push = zmq_socket(p->ctx, ZMQ_PUSH);
    int hwm = HWM;
    zmq_setsockopt(push, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_connect(push, ENDPOINT) != 0)
        abort();
    tt_msg_t msg;
    memset(&msg, 0, sizeof msg);
    for (uint64_t i = 0; i < p->count; i++) {
        msg.hdr.flags = (uint16_t)i;
        if (zmq_send(push, &msg, p->size, 0) != (int)p->size)
            abort();
    }
    zmq_close(push);
    return NULL;
}

/* One run: COUNT messages of SIZE bytes from a second thread; seconds
   from before the sender starts until the last message is received. */
static double s_zmq_run(size_t size, uint64_t count)
{
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    int hwm = HWM;
    zmq_setsockopt(pull, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_bind(pull, ENDPOINT) != 0)
        abort();
    s_pusher_t p = {ctx, size, count};
    pthread_t thread;
    tt_msg_t msg;
    double t0 = s_now();
    if (pthread_create(&thread, NULL, s_push, &p) != 0)
        abort();
    for (uint64_t i = 0; i < count; i++)
        if (zmq_recv(pull, &msg, sizeof msg, 0) != (int)size)
            abort();
    double secs = s_now() - t0;
    pthread_join(thread, NULL);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    return secs;
}

static void s_zmq_case(const char *name, size_t size, uint32_t ticks,
                       uint64_t count)
{
    double rate[N_RUNS];
    for (int r = 0; r < N_RUNS; r++)
        rate[r] = (double)count / s_zmq_run(size, count);
    double msgs = s_median(rate);
    printf("  %-22s %6zu %10.2f M %9.0f %10.2f M\n", name, size, msgs / 1e6,
           msgs * (double)size / 1e6, msgs * ticks / 1e6);
}

static void s_zmq(void)
{
    size_t one = sizeof(tt_msg_hdr_t) + sizeof(tt_tick_t);
    size_t batch = sizeof(tt_msg_hdr_t) + sizeof(tt_tick_batch_t);
    printf("(a) libzmq inproc PUSH/PULL, two threads, hwm %d\n", HWM);
    printf("  %-22s %6s %12s %9s %12s\n", "message", "bytes", "msgs/s", "MB/s",
           "ticks/s");
    s_zmq_case("one tick (TICK)", one, 1, 5000000);
    s_zmq_case("tick batch (TICKS x32)", batch, TT_TICK_BATCH, 1000000);
}

/* ---- (b) the bare loop ----------------------------------------------------
 */

typedef struct {
    tt_tick_t tick;
    uint32_t symbol;
} s_tick_t;

typedef struct {
    tt_candles_t *candles;
    tt_indicator_t *ind[N_IND];
} s_symbol_t;

static const tt_instrument_t s_instrument = {2, 6, 1, 1}; /* like BTCUSD */

/* N_TICKS ticks of NSYM symbols from the sim market at the default
   config's 20 ticks a second per symbol, seed 42. */
static s_tick_t *s_generate(int nsym)
{
    tt_sim_params_t params;
    tt_sim_params_default(&params);
    params.seed = 42;
    params.model.tick_rate_hz = 20;
    tt_ns_t start = INT64_C(1700000000) * TT_NS_PER_SEC;
    tt_simmarket_t *m = tt_simmarket_new(&params, start);
    for (int i = 0; i < nsym; i++) {
        char name[16];
        snprintf(name, sizeof name, "S%d", i);
        if (tt_simmarket_add(m, name, &s_instrument, 0) != i)
            abort();
    }
    s_tick_t *ticks = malloc(N_TICKS * sizeof *ticks);
    tt_sim_tick_t chunk[4096];
    tt_ns_t until = start + INT64_C(10) * 365 * 86400 * TT_NS_PER_SEC;
    for (uint32_t n = 0; ticks && n < N_TICKS;) {
        size_t want = N_TICKS - n < 4096 ? N_TICKS - n : 4096;
        size_t got = tt_simmarket_next(m, until, chunk, want);
        if (got == 0)
            abort();
        for (size_t i = 0; i < got; i++, n++)
            ticks[n] = (s_tick_t){chunk[i].tick, chunk[i].symbol};
    }
    tt_simmarket_destroy(&m);
    return ticks;
}

static void s_symbols_new(s_symbol_t *syms, int nsym)
{
    tt_candles_config_t cfg = {
        .tfs = {60, 300, 900, 3600}, .ntf = 4, .history = 500};
    static const tt_ind_spec_t specs[N_IND] = {
        {.kind = TT_IND_SMA, .tf_s = STRAT_TF, .p1 = 10},
        {.kind = TT_IND_SMA, .tf_s = STRAT_TF, .p1 = 30},
        {.kind = TT_IND_ATR, .tf_s = STRAT_TF, .p1 = 14}};
    for (int s = 0; s < nsym; s++) {
        syms[s].candles = tt_candles_new(&cfg, NULL, 0);
        for (int k = 0; k < N_IND; k++)
            syms[s].ind[k] = tt_indicator_new(&specs[k], NULL, 0);
        if (!syms[s].candles || !syms[s].ind[N_IND - 1])
            abort();
    }
}

static void s_symbols_destroy(s_symbol_t *syms, int nsym)
{
    for (int s = 0; s < nsym; s++) {
        tt_candles_destroy(&syms[s].candles);
        for (int k = 0; k < N_IND; k++)
            tt_indicator_destroy(&syms[s].ind[k]);
    }
}

/* A closed candle into the strategy's indicators, as the indicator actor
   does it: only the strategy's timeframe, values read after each update. */
static double s_indicators(s_symbol_t *sym, const tt_candle_t *c)
{
    if (c->tf_s != STRAT_TF)
        return 0.0;
    tt_ind_input_t in = tt_ind_input_from_candle(c, s_instrument.px_decimals,
                                                 s_instrument.qty_decimals);
    double sum = 0.0;
    for (int k = 0; k < N_IND; k++) {
        tt_indicator_update(sym->ind[k], &in);
        tt_ind_value_t v = tt_indicator_value(sym->ind[k]);
        sum += v.ready ? v.v[0] : 0.0;
    }
    return sum;
}

/* One timed pass over TICKS with fresh state; returns seconds. */
static double s_loop_run(const s_tick_t *ticks, int nsym, double *checksum,
                         uint64_t *candles)
{
    s_symbol_t *syms = calloc((size_t)nsym, sizeof *syms);
    s_symbols_new(syms, nsym);
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    double sum = 0.0;
    uint64_t closed = 0;
    double t0 = s_now();
    for (uint32_t i = 0; i < N_TICKS; i++) {
        s_symbol_t *sym = &syms[ticks[i].symbol];
        int n = tt_candles_tick(sym->candles, &ticks[i].tick, out,
                                TT_CANDLES_MAX_OUT);
        for (int k = 0; k < n; k++)
            sum += s_indicators(sym, &out[k]);
        closed += (uint64_t)(n > 0 ? n : 0);
    }
    double secs = s_now() - t0;
    *checksum += sum;
    *candles = closed;
    s_symbols_destroy(syms, nsym);
    free(syms);
    return secs;
}

static void s_loop(void)
{
    static const int cases[] = {1, 10, 100, 1000};
    printf("\n(b) bare loop: candles 1s+60/300/900/3600 and sma(10), "
           "sma(30), atr(14)\n    on each closed %d s candle, %u sim ticks "
           "in memory\n",
           STRAT_TF, N_TICKS);
    printf("  %7s %12s %9s %9s %9s %11s\n", "symbols", "ticks/s", "ns/tick",
           "min", "max", "candles");
    double checksum = 0.0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        s_tick_t *ticks = s_generate(cases[c]);
        if (!ticks)
            abort();
        double ns[N_RUNS];
        uint64_t closed = 0;
        for (int r = 0; r < N_RUNS; r++)
            ns[r] =
                s_loop_run(ticks, cases[c], &checksum, &closed) * 1e9 / N_TICKS;
        double med = s_median(ns);
        printf("  %7d %10.2f M %9.2f %9.2f %9.2f %11" PRIu64 "\n", cases[c],
               1e3 / med, med, ns[0], ns[N_RUNS - 1], closed);
        free(ticks);
    }
    printf("checksum %.6g\n", checksum);
}

/* ---- (c) a wake-up ---------------------------------------------------------
 */

typedef struct {
    void *ctx;
    int rate_hz;
    int count;
} s_waker_t;

static int64_t s_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Sends COUNT stamps at RATE_HZ, each after an absolute sleep to its
   slot, so the receiver has gone back to sleep before the next one. */
static void *s_wake_send(void *arg)
{
    s_waker_t *w = arg;
    void *push = zmq_socket(w->ctx, ZMQ_PUSH);
    if (zmq_connect(push, ENDPOINT) != 0)
        abort();
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    long step = 1000000000L / w->rate_hz;
    for (int i = 0; i < w->count; i++) {
        next.tv_nsec += step;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        int64_t stamp = s_mono_ns();
        if (zmq_send(push, &stamp, sizeof stamp, 0) != (int)sizeof stamp)
            abort();
    }
    zmq_close(push);
    return NULL;
}

static int s_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void s_wake_case(int rate_hz, int count, bool spin)
{
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    if (zmq_bind(pull, ENDPOINT) != 0)
        abort();
    int64_t *lat = malloc((size_t)count * sizeof *lat);
    if (!lat)
        abort();
    s_waker_t w = {ctx, rate_hz, count};
    pthread_t thread;
    if (pthread_create(&thread, NULL, s_wake_send, &w) != 0)
        abort();
    zmq_pollitem_t item = {pull, 0, ZMQ_POLLIN, 0};
    for (int i = 0; i < count; i++) {
        int64_t stamp;
        int rc;
        while ((rc = zmq_poll(&item, 1, spin ? 0 : -1)) == 0)
            ;
        if (rc < 0 ||
            zmq_recv(pull, &stamp, sizeof stamp, 0) != (int)sizeof stamp)
            abort();
        lat[i] = s_mono_ns() - stamp;
    }
    pthread_join(thread, NULL);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    qsort(lat, (size_t)count, sizeof *lat, s_cmp_i64);
    printf("  %8d %8d %9.1f %9.1f %9.1f %9.1f\n", rate_hz, count,
           (double)lat[count / 2] / 1e3, (double)lat[count * 99 / 100] / 1e3,
           (double)lat[count * 999 / 1000] / 1e3, (double)lat[count - 1] / 1e3);
    free(lat);
}

/* Cases (c) (SPIN false) and (d) (SPIN true), under TITLE. */
static void s_wake(const char *title, bool spin)
{
    printf("\n%s, one way (us)\n", title);
    printf("  %8s %8s %9s %9s %9s %9s\n", "msgs/s", "samples", "p50", "p99",
           "p99.9", "max");
    s_wake_case(200, 2000, spin);
    s_wake_case(2000, 10000, spin);
}

int main(void)
{
    printf("floors: the limits under the end-to-end figures (median of %d "
           "runs)\n\n",
           N_RUNS);
    s_zmq();
    s_loop();
    s_wake("(c) a wake-up: inproc PUSH to a thread asleep in zmq_poll", false);
    s_wake("(d) the same hop to a thread polling without sleeping "
           "(service.spin_us)",
           true);
    return 0;
}
