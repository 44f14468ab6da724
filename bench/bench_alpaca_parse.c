/*  bench/bench_alpaca_parse.c: cost of decoding Alpaca market-data frames
    (venues/alpaca/ap_stream.h): one trade per frame and one minute bar per
    frame, 1 million frames per run, 5 runs, median (min, max) ns per
    message. For comparison the same frames through jansson (parse the
    tree, read the double, print it with %.15g, scale it) — the approach
    ap_stream avoids — and a count of literals that the jansson route gets
    wrong. Frames are prepared before timing; a checksum keeps the work.
    Build in Release to measure. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "marketdata/decimal.h"
#include "venues/alpaca/ap_stream.h"
#include "venues/alpaca/ap_time.h"

#define N_MSGS 1000000u
#define N_RUNS 5
#define N_FRAMES 1024u

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

static void s_report(const char *name, double *ns)
{
    qsort(ns, N_RUNS, sizeof *ns, s_cmp);
    printf("%-34s %8.1f %8.1f %8.1f\n", name, ns[N_RUNS / 2], ns[0],
           ns[N_RUNS - 1]);
}

typedef struct {
    char text[256];
    size_t len;
} s_frame_t;

/* Realistic variety: prices, sizes, ids and times change per frame. */
static void s_make(s_frame_t *f, bool bar)
{
    for (uint32_t i = 0; i < N_FRAMES; i++) {
        int cents = 18900 + (int)(i * 7 % 500);
        int n =
            bar ? snprintf(f[i].text, sizeof f[i].text,
                           "[{\"T\":\"b\",\"S\":\"AAPL\",\"o\":%d.%02d,"
                           "\"h\":%d.%02d,\"l\":%d.%02d,\"c\":%d.%02d,"
                           "\"v\":%u,\"n\":%u,\"vw\":189.2217,"
                           "\"t\":\"2024-05-06T14:%02u:00Z\"}]",
                           cents / 100, cents % 100, cents / 100 + 1,
                           cents % 100, cents / 100 - 1, cents % 100,
                           cents / 100, cents % 100, 10000 + i, 300 + i, i % 60)
                : snprintf(f[i].text, sizeof f[i].text,
                           "[{\"T\":\"t\",\"S\":\"AAPL\",\"i\":%u,"
                           "\"x\":\"V\",\"p\":%d.%02d,\"s\":%u,"
                           "\"c\":[\"@\"],\"z\":\"C\",\"t\":"
                           "\"2024-05-06T14:32:01.%06uZ\"}]",
                           52011 + i, cents / 100, cents % 100, 1 + i % 400,
                           i * 977 % 1000000);
        f[i].len = (size_t)n;
    }
}

static double s_bench_ap(const s_frame_t *f, uint64_t *sum)
{
    tt_ap_scales_t sc = {2, 0, NULL, NULL};
    tt_ap_stream_t st;
    tt_ap_item_t it;
    tt_ap_stream_init(&st, &sc);
    double t0 = s_now();
    for (uint32_t i = 0; i < N_MSGS; i++) {
        const s_frame_t *fr = &f[i % N_FRAMES];
        tt_ap_stream_feed(&st, fr->text, fr->len);
        while (tt_ap_stream_next(&st, &it) > 0)
            *sum += (uint64_t)(it.kind == TT_AP_ITEM_TRADE ? it.tick.price
                                                           : it.bar.close);
    }
    double ns = (s_now() - t0) / N_MSGS;
    if (st.stats.trades + st.stats.bars != N_MSGS)
        fprintf(stderr, "bench: unexpected items\n"), exit(1);
    return ns;
}

/* The jansson route for one number: double -> %.15g -> scaled int. */
static int64_t s_jdec(json_t *v, int decimals)
{
    char tmp[40];
    int64_t out = 0;
    if (json_is_integer(v))
        snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(v));
    else
        snprintf(tmp, sizeof tmp, "%.15g", json_real_value(v));
    tt_decimal_parse(tmp, strlen(tmp), decimals, &out);
    return out;
}

static double s_bench_jansson(const s_frame_t *f, bool bar, uint64_t *sum)
{
    double t0 = s_now();
    for (uint32_t i = 0; i < N_MSGS; i++) {
        const s_frame_t *fr = &f[i % N_FRAMES];
        json_t *root = json_loadb(fr->text, fr->len, 0, NULL);
        json_t *m = json_array_get(root, 0);
        const char *t = json_string_value(json_object_get(m, "t"));
        tt_ns_t ts = 0;
        tt_ap_time_parse(t, strlen(t), &ts);
        int64_t v = s_jdec(json_object_get(m, bar ? "c" : "p"), 2);
        v += s_jdec(json_object_get(m, bar ? "v" : "s"), 0);
        if (bar)
            v += s_jdec(json_object_get(m, "o"), 2) +
                 s_jdec(json_object_get(m, "h"), 2) +
                 s_jdec(json_object_get(m, "l"), 2);
        *sum += (uint64_t)(v + ts);
        json_decref(root);
    }
    return (s_now() - t0) / N_MSGS;
}

/* Literals with 16-17 significant digits (8-decimal crypto amounts in
   the millions, say): how many the double route turns into another
   value. The literal route is exact by construction. */
static void s_exactness(void)
{
    uint64_t seed = 88172645463325252u;
    int wrong = 0, total = 100000;
    for (int i = 0; i < total; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        int64_t units = (int64_t)(seed % INT64_C(9000000000000000)) +
                        INT64_C(1000000000000000);
        char lit[32], tmp[40];
        tt_decimal_format(units, 8, lit, sizeof lit);
        json_t *v = json_loads(lit, JSON_DECODE_ANY, NULL);
        snprintf(tmp, sizeof tmp, "%.15g", json_real_value(v));
        int64_t back = 0;
        if (tt_decimal_parse(tmp, strlen(tmp), 8, &back) != 0 || back != units)
            wrong++;
        json_decref(v);
    }
    printf("\n16-17 digit literals wrong via jansson double: %d of %d\n", wrong,
           total);
}

int main(void)
{
    static s_frame_t trades[N_FRAMES], bars[N_FRAMES];
    double ns[4][N_RUNS];
    uint64_t sum = 0;
    s_make(trades, false);
    s_make(bars, true);
    for (int r = 0; r < N_RUNS; r++) {
        ns[0][r] = s_bench_ap(trades, &sum);
        ns[1][r] = s_bench_ap(bars, &sum);
        ns[2][r] = s_bench_jansson(trades, false, &sum);
        ns[3][r] = s_bench_jansson(bars, true, &sum);
    }
    printf("%-34s %8s %8s %8s\n", "ns per message (1M, 5 runs)", "median",
           "min", "max");
    s_report("ap_stream trade frame", ns[0]);
    s_report("ap_stream bar frame", ns[1]);
    s_report("jansson + %.15g trade (baseline)", ns[2]);
    s_report("jansson + %.15g bar (baseline)", ns[3]);
    s_exactness();
    printf("checksum %" PRIu64 "\n", sum);
    return 0;
}
