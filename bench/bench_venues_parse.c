/*  bench/bench_venues_parse.c: cost of parsing one live-venue websocket
    frame into a tick or a candle. A Binance raw trade frame and a Binance
    combined kline frame, each parsed 1M times per run, 5 runs; prints the
    median (and min/max) nanoseconds per message. The parsed values are
    folded into a checksum so the compiler cannot drop the work. Build in
    Release to measure. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "venues/binance/bn_stream.h"

#define N_PARSES 1000000u
#define N_RUNS 5

static const char s_trade[] =
    "{\"e\":\"trade\",\"E\":1700000000123,\"s\":\"BTCUSDT\",\"t\":12345,"
    "\"p\":\"64000.10000000\",\"q\":\"0.01500000\",\"T\":1700000000120,"
    "\"m\":true,\"M\":true}";

static const char s_kline[] =
    "{\"stream\":\"btcusdt@kline_1m\",\"data\":{\"e\":\"kline\",\"E\":"
    "1700000061000,\"s\":\"BTCUSDT\",\"k\":{\"t\":1700000040000,\"T\":"
    "1700000099999,\"s\":\"BTCUSDT\",\"i\":\"1m\",\"f\":100,\"L\":200,\"o\":"
    "\"64000.00000000\",\"c\":\"64010.50000000\",\"h\":\"64020.00000000\","
    "\"l\":\"63990.00000000\",\"v\":\"12.34567000\",\"n\":101,\"x\":false,"
    "\"q\":\"790000.00000000\",\"V\":\"6.00000000\",\"Q\":\"384000.00000000\","
    "\"B\":\"0\"}}}";

static const tt_bn_symtab_entry_t s_syms[] = {
    {"ETHUSDT", {.px_decimals = 2, .qty_decimals = 4}},
    {"BTCUSDT", {.px_decimals = 2, .qty_decimals = 5}},
};

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int s_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double s_run(const char *frame, tt_bn_msg_kind_t want, uint64_t *sum)
{
    tt_bn_symtab_t tab = {s_syms, 2};
    tt_bn_stream_t st;
    tt_bn_msg_t m;
    size_t len = strlen(frame);
    tt_bn_stream_init(&st, tt_bn_symtab_lookup, &tab);
    double t0 = s_now();
    for (uint32_t i = 0; i < N_PARSES; i++) {
        if (tt_bn_stream_parse(&st, frame, len, &m) != want) {
            fprintf(stderr, "unexpected parse result: %s\n", m.text);
            exit(1);
        }
        *sum += (uint64_t)m.tick.price + (uint64_t)m.bar.close;
    }
    return (s_now() - t0) / N_PARSES;
}

static void s_report(const char *name, const char *frame, tt_bn_msg_kind_t want,
                     uint64_t *sum)
{
    double ns[N_RUNS];
    for (int r = 0; r < N_RUNS; r++)
        ns[r] = s_run(frame, want, sum);
    qsort(ns, N_RUNS, sizeof *ns, s_cmp);
    printf("%-28s %6zu %8.1f %8.1f %8.1f\n", name, strlen(frame),
           ns[N_RUNS / 2], ns[0], ns[N_RUNS - 1]);
}

int main(void)
{
    uint64_t sum = 0;
    printf("%-28s %6s %8s %8s %8s\n", "frame (1M parses x 5 runs)", "bytes",
           "ns/msg", "min", "max");
    s_report("binance trade (raw)", s_trade, TT_BN_MSG_TICK, &sum);
    s_report("binance kline (combined)", s_kline, TT_BN_MSG_BAR, &sum);
    printf("checksum %" PRIu64 "\n", sum);
    return 0;
}
