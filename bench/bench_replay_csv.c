/*  bench/bench_replay_csv.c: the backtest's reading floor. A replay feed
    turns CSV lines into tick records before anything else happens
    (venues/replay/csv.h); this times that alone, over a file in the
    format `ticktree simulate` writes (symbol,ts_ns,price,size,trade_id),
    2 million rows over 100 symbols, plain and gzip. 5 runs each, the
    median (min/max) nanoseconds per row and rows per second; a checksum
    of every record keeps the work. Build in Release to measure.
    Usage: bench_replay_csv [ROWS] [SYMBOLS] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "venues/replay/csv.h"

#define N_RUNS 5

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

/* Symbols are "S0".."S<n-1>", two decimals for prices, three for sizes. */
static int s_lookup(void *arg, const char *symbol, tt_instrument_t *inst)
{
    long symbols = *(const long *)arg;
    char *end;
    long i = symbol[0] == 'S' ? strtol(symbol + 1, &end, 10) : -1;
    if (i < 0 || i >= symbols || *end)
        return -1;
    *inst = (tt_instrument_t){.px_decimals = 2, .qty_decimals = 3};
    return (int)i;
}

/* Writes ROWS rows as `ticktree simulate` would: time ordered, each row
   a random symbol's trade near 100.00. */
static int s_write(const char *path, long rows, long symbols, bool gz)
{
    FILE *plain = gz ? NULL : fopen(path, "w");
    gzFile zipped = gz ? gzopen(path, "wb1") : NULL;
    if (!plain && !zipped)
        return -1;
    uint64_t s = 88172645463325252ull, ts = 1767571200000000000ull;
    char line[128];
    int n = snprintf(line, sizeof line, "symbol,ts_ns,price,size,trade_id\n");
    plain ? (void)fwrite(line, 1, (size_t)n, plain)
          : (void)gzwrite(zipped, line, (unsigned)n);
    for (long r = 0; r < rows; r++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        ts += 1 + s % 500000;
        unsigned px = 9900 + (unsigned)(s >> 20) % 200;
        unsigned qty = 1 + (unsigned)(s >> 40) % 2000;
        n = snprintf(line, sizeof line,
                     "S%ld,%" PRIu64 ",%u.%02u,%u.%03u,%ld\n",
                     (long)(s % (uint64_t)symbols), ts, px / 100, px % 100,
                     qty / 1000, qty % 1000, r + 1);
        plain ? (void)fwrite(line, 1, (size_t)n, plain)
              : (void)gzwrite(zipped, line, (unsigned)n);
    }
    return plain ? fclose(plain) : gzclose(zipped) == Z_OK ? 0 : -1;
}

/* One full read; returns ns per row, or a negative number on an error. */
static double s_read(const char *path, long symbols, long rows, uint64_t *sum)
{
    tt_csv_opts_t opts = {.kind = TT_CSV_TICKS,
                          .strict = true,
                          .lookup = s_lookup,
                          .lookup_arg = &symbols};
    char err[512];
    double t0 = s_now();
    tt_csv_reader_t *csv = tt_csv_open(path, &opts, err, sizeof err);
    if (!csv) {
        fprintf(stderr, "bench_replay_csv: %s\n", err);
        return -1;
    }
    tt_replay_record_t rec;
    long got = 0;
    int rc;
    while ((rc = tt_csv_next(csv, &rec)) == 1) {
        *sum += (uint64_t)rec.ts ^ (uint64_t)rec.tick.price ^
                (uint64_t)rec.tick.size ^ (uint64_t)rec.symbol;
        got++;
    }
    double ns = s_now() - t0;
    if (rc < 0 || got != rows) {
        fprintf(stderr, "bench_replay_csv: %ld of %ld rows: %s\n", got, rows,
                tt_csv_error(csv));
        tt_csv_close(&csv);
        return -1;
    }
    tt_csv_close(&csv);
    return ns / (double)rows;
}

int main(int argc, char **argv)
{
    long rows = argc > 1 ? atol(argv[1]) : 2000000;
    long symbols = argc > 2 ? atol(argv[2]) : 100;
    if (rows <= 0 || symbols <= 0) {
        fprintf(stderr, "usage: bench_replay_csv [ROWS] [SYMBOLS]\n");
        return 2;
    }
    char dir[] = "/tmp/bench_csv_XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    printf("CSV reading (tt_csv_next), %ld rows over %ld symbols, %d runs\n",
           rows, symbols, N_RUNS);
    printf("%-8s %10s %14s %14s\n", "file", "ns/row", "(min..max)", "M rows/s");
    uint64_t sum = 0;
    int status = 0;
    for (int gz = 0; gz <= 1; gz++) {
        char path[64];
        snprintf(path, sizeof path, "%s/t.csv%s", dir, gz ? ".gz" : "");
        if (s_write(path, rows, symbols, gz) != 0) {
            fprintf(stderr, "bench_replay_csv: cannot write %s\n", path);
            status = 1;
            break;
        }
        double ns[N_RUNS];
        for (int r = 0; r < N_RUNS && status == 0; r++)
            if ((ns[r] = s_read(path, symbols, rows, &sum)) < 0)
                status = 1;
        unlink(path);
        if (status)
            break;
        qsort(ns, N_RUNS, sizeof ns[0], s_cmp);
        printf("%-8s %10.1f %6.1f..%-6.1f %14.2f\n", gz ? "gzip" : "plain",
               ns[N_RUNS / 2], ns[0], ns[N_RUNS - 1], 1e3 / ns[N_RUNS / 2]);
    }
    rmdir(dir);
    printf("checksum %016" PRIx64 "\n", sum);
    return status;
}
