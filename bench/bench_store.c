/*  bench/bench_store.c: store throughput on a real file in a scratch
    directory. Candle and event rows per second at batch sizes 1, 10, 100
    and 1000 (one transaction per batch), and order intents and fills per
    second (one durable transaction each) with synchronous NORMAL and FULL.
    Prints a table; `bench/run` builds it in release mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char s_dir[256];
static int s_files;

/* A fresh store file for one measurement. */
static tt_store_t *s_fresh(int batch, tt_store_sync_t trade_sync)
{
    char path[320], err[512];
    snprintf(path, sizeof path, "%s/bench-%d.db", s_dir, s_files++);
    tt_store_opts_t o = tt_store_opts_default();
    o.batch_size = batch;
    o.sync_trade = trade_sync;
    tt_store_t *st = tt_store_open(path, &o, err, sizeof err);
    if (!st) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    return st;
}

static void s_check(int rc, tt_store_t *st)
{
    if (rc != 0) {
        fprintf(stderr, "bench_store: %s\n", tt_store_error(st));
        exit(1);
    }
}

static void s_row(const char *what, const char *mode, int n, double secs)
{
    printf("| %-16s | %-12s | %8d | %8.3f | %12.0f |\n", what, mode, n, secs,
           n / secs);
}

static void s_candles(int batch, int n)
{
    tt_store_t *st = s_fresh(batch, TT_STORE_SYNC_FULL);
    double t0 = s_now();
    for (int i = 0; i < n; i++) {
        tt_candle_t c = {.open_ts = (tt_ns_t)i * TT_NS_PER_SEC,
                         .tf_s = 1,
                         .open = 10000 + i % 50,
                         .high = 10100,
                         .low = 9900,
                         .close = 10000,
                         .volume = 1234,
                         .trades = 7,
                         .closed = true};
        s_check(tt_store_candle_put(st, "BTCUSD", &c), st);
    }
    s_check(tt_store_flush(st), st);
    double dt = s_now() - t0;
    char mode[32];
    snprintf(mode, sizeof mode, "batch %d", batch);
    s_row("candle put", mode, n, dt);
    tt_store_close(&st);
}

static void s_events(int batch, int n)
{
    tt_store_t *st = s_fresh(batch, TT_STORE_SYNC_FULL);
    uint8_t payload[96];
    memset(payload, 0x5a, sizeof payload);
    double t0 = s_now();
    for (int i = 0; i < n; i++)
        s_check(tt_store_event_append(st, (uint64_t)i + 1, i, "fill", "BTCUSD",
                                      payload, sizeof payload),
                st);
    s_check(tt_store_flush(st), st);
    double dt = s_now() - t0;
    char mode[32];
    snprintf(mode, sizeof mode, "batch %d", batch);
    s_row("event append", mode, n, dt);
    tt_store_close(&st);
}

static void s_intents(tt_store_sync_t sync, int n)
{
    tt_store_t *st = s_fresh(256, sync);
    tt_store_order_t r;
    memset(&r, 0, sizeof r);
    snprintf(r.symbol, sizeof r.symbol, "BTCUSD");
    r.order = (tt_order_t){.role = TT_ROLE_ENTRY,
                           .side = TT_SIDE_BUY,
                           .type = TT_ORD_LIMIT,
                           .tif = TT_TIF_GTC,
                           .state = TT_OS_NEW,
                           .qty = 1000,
                           .limit_px = 10000};
    double t0 = s_now();
    for (int i = 0; i < n; i++) {
        r.order.seq = (uint64_t)i + 1;
        tt_coid_format(r.order.coid, r.symbol, r.order.seq, TT_ROLE_ENTRY);
        r.order.created_ts = r.order.updated_ts = i;
        s_check(tt_store_order_intent(st, &r), st);
    }
    double dt = s_now() - t0;
    s_row("order intent",
          sync == TT_STORE_SYNC_FULL ? "sync FULL" : "sync NORMAL", n, dt);
    tt_store_close(&st);
}

static void s_fills(tt_store_sync_t sync, int n)
{
    tt_store_t *st = s_fresh(256, sync);
    double t0 = s_now();
    for (int i = 0; i < n; i++) {
        tt_fill_t f = {.side = i % 3 ? TT_SIDE_BUY : TT_SIDE_SELL,
                       .px = 10000 + i % 100,
                       .qty = 100 + i % 7,
                       .fee = 1,
                       .ts = i};
        snprintf(f.fill_id, sizeof f.fill_id, "F-%d", i);
        snprintf(f.coid, sizeof f.coid, "tt-BTCUSD-1-e");
        s_check(tt_store_fill(st, "paper", "BTCUSD", 3, &f, NULL), st);
    }
    double dt = s_now() - t0;
    s_row("fill + position",
          sync == TT_STORE_SYNC_FULL ? "sync FULL" : "sync NORMAL", n, dt);
    tt_store_close(&st);
}

int main(int argc, char **argv)
{
    const char *base = getenv("TMPDIR");
    snprintf(s_dir, sizeof s_dir, "%s/bench_store.XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(s_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int scale = argc > 1 ? atoi(argv[1]) : 1; /* quick runs: 0 */
    int big = scale > 0 ? 200000 : 2000, small = scale > 0 ? 5000 : 200;
    printf("store on %s (WAL; batches at synchronous NORMAL)\n\n", s_dir);
    printf("| %-16s | %-12s | %8s | %8s | %12s |\n", "operation", "mode",
           "rows", "seconds", "rows/s");
    printf("|------------------|--------------|----------|----------|"
           "--------------|\n");
    int batches[] = {1, 10, 100, 1000};
    for (int i = 0; i < 4; i++)
        s_candles(batches[i], batches[i] == 1 ? small : big);
    for (int i = 0; i < 4; i++)
        s_events(batches[i], batches[i] == 1 ? small : big);
    s_intents(TT_STORE_SYNC_NORMAL, small);
    s_intents(TT_STORE_SYNC_FULL, small / 5);
    s_fills(TT_STORE_SYNC_NORMAL, small);
    s_fills(TT_STORE_SYNC_FULL, small / 5);
    for (int i = 0; i < s_files; i++) {
        char path[400];
        const char *sfx[] = {"", "-wal", "-shm"};
        for (int k = 0; k < 3; k++) {
            snprintf(path, sizeof path, "%s/bench-%d.db%s", s_dir, i, sfx[k]);
            unlink(path);
        }
    }
    rmdir(s_dir);
    return 0;
}
