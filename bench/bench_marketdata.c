/*  bench/bench_marketdata.c: cost of the market-data hot path. Ticks
    through the candle builder (1 s + 60/300/900/3600 s) and one update of
    each indicator kind, over 10 million updates per run, 5 runs, printing
    the median (and min/max) nanoseconds per update. A run is one round
    over every case, so each case's runs are spread over the whole bench. Inputs
   are generated before timing; a checksum of every output is printed so the
   compiler cannot drop the work. Build in Release to measure. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "indicators/indicator.h"
#include "marketdata/candles.h"

#define N_UPDATES 10000000u
#define N_RUNS 5
#define N_INPUTS 65536u /* a ring of prepared inputs, reused */

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t s_rng(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static int s_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void s_report(const char *name, double *ns)
{
    qsort(ns, N_RUNS, sizeof *ns, s_cmp);
    printf("%-28s %8.2f %8.2f %8.2f\n", name, ns[N_RUNS / 2], ns[0],
           ns[N_RUNS - 1]);
}

/* About 20 ticks a second with increasing trade ids (the usual venue
   pattern, so duplicate detection takes its fast path). */
static double s_bench_candles(uint64_t *checksum)
{
    tt_candles_config_t cfg = {
        .tfs = {60, 300, 900, 3600}, .ntf = 4, .history = 500};
    tt_candles_t *c = tt_candles_new(&cfg, NULL, 0);
    uint64_t seed = 12345;
    tt_tick_t *ticks = malloc(N_INPUTS * sizeof *ticks);
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    tt_ns_t ts = INT64_C(1700000000) * TT_NS_PER_SEC;
    tt_px_t px = 1000000;
    double t0 = s_now();
    for (uint32_t i = 0; i < N_UPDATES; i++) {
        tt_tick_t *t = &ticks[i % N_INPUTS];
        if (i % N_INPUTS == 0) {
            /* Refill outside the hot loop's steady state: the time is
               included but is a small fraction (one pass per 65536). */
            for (uint32_t k = 0; k < N_INPUTS; k++) {
                uint64_t r = s_rng(&seed);
                ts += (tt_ns_t)(r % (100 * TT_NS_PER_MS));
                px += (tt_px_t)(r >> 60) - 7;
                ticks[k] = (tt_tick_t){ts, px, 1 + (tt_qty_t)(r >> 54),
                                       (uint64_t)i + k + 1};
            }
        }
        int n = tt_candles_tick(c, t, out, TT_CANDLES_MAX_OUT);
        for (int k = 0; k < n; k++)
            *checksum += (uint64_t)out[k].close ^ out[k].trades;
    }
    double ns = (s_now() - t0) / N_UPDATES;
    *checksum += tt_candles_stats(c).ticks;
    free(ticks);
    tt_candles_destroy(&c);
    return ns;
}

static tt_ind_input_t *s_inputs(void)
{
    tt_ind_input_t *in = malloc(N_INPUTS * sizeof *in);
    uint64_t seed = 777;
    double px = 100.0;
    for (uint32_t i = 0; i < N_INPUTS; i++) {
        uint64_t r = s_rng(&seed);
        px += ((double)(r % 201) - 100.0) / 100.0;
        in[i] = (tt_ind_input_t){.high = px + 0.3,
                                 .low = px - 0.3,
                                 .close = px,
                                 .volume = (double)(r >> 50),
                                 .open_ts = (tt_ns_t)i * 60 * TT_NS_PER_SEC};
    }
    return in;
}

static double s_bench_indicator(const tt_ind_spec_t *spec,
                                const tt_ind_input_t *in, double *checksum)
{
    tt_indicator_t *ind = tt_indicator_new(spec, NULL, 0);
    double t0 = s_now();
    for (uint32_t i = 0; i < N_UPDATES; i++) {
        tt_indicator_update(ind, &in[i % N_INPUTS]);
        tt_ind_value_t v = tt_indicator_value(ind);
        *checksum += v.v[0];
    }
    double ns = (s_now() - t0) / N_UPDATES;
    tt_indicator_destroy(&ind);
    return ns;
}

int main(void)
{
    static const tt_ind_spec_t specs[] = {
        {TT_IND_SMA, 60, 20, 0, 0, 0},      {TT_IND_EMA, 60, 20, 0, 0, 0},
        {TT_IND_RSI, 60, 14, 0, 0, 0},      {TT_IND_MACD, 60, 12, 26, 9, 0},
        {TT_IND_BBANDS, 60, 20, 0, 0, 2},   {TT_IND_ATR, 60, 14, 0, 0, 0},
        {TT_IND_STOCH, 60, 14, 3, 3, 0},    {TT_IND_VWAP, 60, 86400, 0, 0, 0},
        {TT_IND_DONCHIAN, 60, 20, 0, 0, 0},
    };
    enum { N_SPECS = sizeof specs / sizeof specs[0] };
    uint64_t csum = 0;
    double fsum = 0.0, cand[N_RUNS], ind[N_SPECS][N_RUNS];
    printf("%u updates per run, %d runs (ns per update)\n", N_UPDATES, N_RUNS);
    printf("%-28s %8s %8s %8s\n", "what", "median", "min", "max");
    /* The runs are rounds over every case, not one case's runs in a row:
       on a VM whose speed changes over seconds (a busy neighbour), a
       case's median then comes from moments across the whole bench
       rather than from one stretch of it. */
    tt_ind_input_t *in = s_inputs();
    for (int r = 0; r < N_RUNS; r++) {
        cand[r] = s_bench_candles(&csum);
        for (size_t k = 0; k < N_SPECS; k++)
            ind[k][r] = s_bench_indicator(&specs[k], in, &fsum);
    }
    s_report("candles 1s+60/300/900/3600", cand);
    for (size_t k = 0; k < N_SPECS; k++) {
        char name[64];
        snprintf(name, sizeof name, "%s(%d,%d,%d)",
                 tt_ind_kind_name(specs[k].kind), specs[k].p1, specs[k].p2,
                 specs[k].p3);
        s_report(name, ind[k]);
    }
    free(in);
    printf("checksum %" PRIu64 " %.6g\n", csum, fsum);
    return 0;
}
