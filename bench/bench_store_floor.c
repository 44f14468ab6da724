/*  bench/bench_store_floor.c: floor (f), the store alone. The rows a
    backtest writes, in its counts and order, written through the calls
    its store writer makes (bus/writer.c) on a store opened as the bus
    opens a backtest's (bus/bus.c), on one thread with no actors, no
    sockets and no bus: what is left is SQLite and the store module.

    The rows follow the two shapes of bench/backtest (2 M ticks each):
    100 symbols at 20 ticks/s and 1000 symbols at 2 ticks/s, 1000 s of
    market time. Per symbol, as a run of that shape stores them: a 1 s
    candle for each second with a trade (all of them at 20 ticks/s, 86 %
    at 2), a 60 s candle and an indicator snapshot (960 bytes) a minute,
    four lifecycle events per actor at the start, and round trips of the
    sma_cross strategy: an entry filled at once, its stop and target
    accepted, both cancelled at the exit, an exit filled at once (4
    orders, 12 order_events rows, 2 fills with their ledger rows and
    positions; events: 12 trade.order, 2 fills, 2 positions). The writes
    are applied as the writer applies them: in windows (4096 writes, five
    of its blocks), each under one group hold, an order's updates in the
    window of its intent folded into it (tt_store_order_intent_as, then
    tt_store_order_moved), the others one by one
    (tt_store_order_update), the sequences of the symbols with an intent in the
    window raised at its end, each symbol name made once (the
    writer has them as strings).

    It prints the writes made, the store's CPU and wall time for them
    (median of 3; generating the writes is not counted), writes per CPU
    second, and the ceiling that puts on a replay of that shape in ticks
    per CPU second of the store: a backtest cannot finish before its
    store has every row. Build in Release to
    measure (bench/run); an argument 0 runs a tenth of the time. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

#define N_RUNS 3
/* As the bus opens a backtest's store (bus/bus.c: S_GROUP_ROWS,
   S_GROUP_BATCH). */
#define S_GROUP_ROWS 1000000
#define S_GROUP_BATCH 32768
#define S_WINDOW 4096 /* writes the writer applies as one window */
#define S_SNAPSHOT_BYTES 960
#define S_ORDER_EVENT_BYTES 79 /* a trade.order event's payload, mean */
#define S_OTHER_EVENT_BYTES 54 /* fill, position, lifecycle events */

typedef struct {
    int symbols;
    int rate;       /* ticks per second per symbol */
    int seconds;    /* of market time */
    int active_pct; /* seconds with a trade, so with a 1 s candle */
    int trips;      /* round trips per symbol */
} s_shape_t;

typedef enum {
    S_CANDLE,
    S_EVENT,
    S_INTENT,
    S_UPDATE,
    S_MOVED, /* an update folded into its intent */
    S_FILL,
    S_SNAP,
} s_kind_t;

typedef struct {
    s_kind_t kind;
    int sym;
    int slot;       /* S_INTENT: the window's op with its last state, -1 */
    int from;       /* S_MOVED: the state before */
    int64_t ord;    /* orders: the order's number */
    tt_ns_t ts;     /* events, snapshots */
    size_t len;     /* events */
    char topic[48]; /* events */
    union {
        tt_candle_t candle;
        tt_store_order_t rec;
        tt_fill_t fill;
    } u;
} s_op_t;

/* One symbol's current round trip: its four orders. */
typedef struct {
    tt_store_order_t o[4]; /* entry, stop, target, exit */
    int64_t ord[4];        /* their numbers */
    uint64_t next_seq;     /* the symbol's next order sequence */
    bool open;             /* entered, not yet exited */
    char name[16];         /* "S<n>", made once: the writer's are strings */
    int64_t noted;         /* the window whose intents raise its sequence */
} s_sym_t;

typedef struct {
    tt_store_t *st;
    const s_shape_t *shape;
    s_op_t *ops; /* the window: S_WINDOW */
    int nops;
    int64_t *intent_at; /* per order: its intent's op in the window, -1 */
    s_sym_t *syms;
    int *raise; /* the window's symbols with an intent, first seen */
    int nraise;
    int64_t window;  /* windows applied, from 1 */
    uint64_t seq;    /* last event seq */
    int64_t orders;  /* numbered so far */
    int64_t fill_no; /* fills so far */
    int64_t rows;    /* store calls */
    int64_t by_kind[S_SNAP + 1];
    int64_t folded;
    double cpu, wall; /* in the store */
    uint8_t blob[S_SNAPSHOT_BYTES];
} s_run_t;

static double s_now(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void s_check(int rc, tt_store_t *st, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "bench_store_floor: %s: %s\n", what,
                tt_store_error(st));
        exit(1);
    }
}

static void s_symbol(char *out, size_t cap, int sym)
{
    snprintf(out, cap, "S%d", sym);
}

/* ---- applying a window, as bus/writer.c does ---- */

static void s_apply_order(s_run_t *r, const s_op_t *op)
{
    tt_store_t *st = r->st;
    if (op->kind == S_INTENT) {
        const tt_store_order_t *now =
            op->slot >= 0 ? &r->ops[op->slot].u.rec : NULL;
        s_check(tt_store_order_intent_as(st, &op->u.rec, now), st, "intent");
        s_sym_t *s = &r->syms[op->sym];
        if (op->u.rec.order.seq + 1 > s->next_seq)
            s->next_seq = op->u.rec.order.seq + 1;
        if (s->noted != r->window) {
            s->noted = r->window;
            r->raise[r->nraise++] = op->sym;
        }
    } else if (op->kind == S_MOVED) {
        s_check(tt_store_order_moved(st, &op->u.rec, op->from), st, "moved");
    } else {
        s_check(tt_store_order_update(st, &op->u.rec), st, "update");
    }
}

static void s_apply_op(s_run_t *r, const s_op_t *op)
{
    tt_store_t *st = r->st;
    const char *sym = op->sym >= 0 ? r->syms[op->sym].name : NULL;
    switch (op->kind) {
    case S_CANDLE:
        s_check(tt_store_candle_put(st, sym, &op->u.candle), st, "candle");
        break;
    case S_EVENT:
        s_check(tt_store_event_append(st, ++r->seq, op->ts, op->topic,
                                      op->sym >= 0 ? sym : NULL, r->blob,
                                      op->len),
                st, "event");
        break;
    case S_INTENT:
    case S_UPDATE:
    case S_MOVED:
        s_apply_order(r, op);
        break;
    case S_FILL:
        s_check(tt_store_fill(st, "paper", sym, 3, &op->u.fill, NULL), st,
                "fill");
        break;
    case S_SNAP:
        s_check(tt_store_snapshot_put(st, sym, "indicators", op->ts, r->blob,
                                      sizeof r->blob),
                st, "snapshot");
        break;
    }
}

/* The sequences of the symbols with an intent in the window, raised
   once each at its end in the order first seen (the writer's
   s_raise_seqs). */
static void s_raise_seqs(s_run_t *r)
{
    for (int k = 0; k < r->nraise; k++) {
        const s_sym_t *s = &r->syms[r->raise[k]];
        s_check(tt_store_order_seq_set(r->st, s->name, s->next_seq), r->st,
                "order_seq_set");
    }
    r->nraise = 0;
}

/* Applies the window's writes, timed. */
static void s_apply_window(s_run_t *r)
{
    double c0 = s_now(CLOCK_THREAD_CPUTIME_ID), w0 = s_now(CLOCK_MONOTONIC);
    tt_store_group_hold(r->st, true);
    for (int i = 0; i < r->nops; i++)
        s_apply_op(r, &r->ops[i]);
    s_raise_seqs(r);
    s_check(tt_store_group_hold(r->st, false), r->st, "group commit");
    r->cpu += s_now(CLOCK_THREAD_CPUTIME_ID) - c0;
    r->wall += s_now(CLOCK_MONOTONIC) - w0;
    r->rows += r->nops;
    for (int i = 0; i < r->nops; i++) {
        r->by_kind[r->ops[i].kind]++;
        if (r->ops[i].kind == S_INTENT)
            r->intent_at[r->ops[i].ord] = -1;
    }
    r->nops = 0;
    r->window++;
}

/* ---- generating the writes ---- */

static s_op_t *s_next(s_run_t *r, s_kind_t kind, int sym)
{
    if (r->nops == S_WINDOW)
        s_apply_window(r);
    s_op_t *op = &r->ops[r->nops++];
    memset(op, 0, offsetof(s_op_t, u));
    op->kind = kind;
    op->sym = sym;
    op->slot = -1;
    return op;
}

static void s_event(s_run_t *r, const char *kind, int sym, tt_ns_t ts,
                    size_t len)
{
    s_op_t *op = s_next(r, S_EVENT, sym);
    char name[16];
    s_symbol(name, sizeof name, sym);
    snprintf(op->topic, sizeof op->topic, "%s.%s", kind, name);
    op->ts = ts;
    op->len = len;
}

/* Order K of SYM's trip moves to STATE at TS (NEW: its intent), with
   its trade.order event; an update in its intent's window is folded. */
static void s_order(s_run_t *r, int sym, int k, tt_ord_state_t state,
                    tt_ns_t ts)
{
    s_sym_t *s = &r->syms[sym];
    tt_store_order_t *o = &s->o[k];
    tt_ord_state_t from = o->order.state;
    o->order.state = state;
    o->order.updated_ts = ts;
    if (state == TT_OS_FILLED) {
        o->order.filled = o->order.qty;
        o->order.fill_cost = o->order.qty * 100;
        o->order.fees = 2;
    }
    int64_t at = r->intent_at[s->ord[k]];
    s_kind_t kind = state == TT_OS_NEW ? S_INTENT
                    : at >= 0          ? S_MOVED
                                       : S_UPDATE;
    s_op_t *op = s_next(r, kind, sym);
    op->ord = s->ord[k];
    op->from = (int)from;
    op->u.rec = *o;
    if (kind == S_INTENT)
        r->intent_at[op->ord] = r->nops - 1;
    else if (kind == S_MOVED && at < r->nops - 1) {
        r->ops[at].slot = r->nops - 1;
        r->folded++;
    } else if (kind == S_MOVED) { /* the window turned: applied already */
        op->kind = S_UPDATE;
    }
    s_event(r, "trade.order", sym, ts, S_ORDER_EVENT_BYTES);
}

static void s_order_new(s_run_t *r, int sym, int k, tt_role_t role,
                        tt_ord_type_t type, tt_side_t side, tt_ns_t ts)
{
    s_sym_t *s = &r->syms[sym];
    tt_store_order_t *o = &s->o[k];
    memset(o, 0, sizeof *o);
    s_symbol(o->symbol, sizeof o->symbol, sym);
    o->order = (tt_order_t){.seq = s->next_seq++,
                            .role = role,
                            .side = side,
                            .type = type,
                            .tif = TT_TIF_GTC,
                            .state = TT_OS_NEW,
                            .qty = 1000,
                            .limit_px = type == TT_ORD_LIMIT ? 10100 : 0,
                            .stop_px = type == TT_ORD_STOP ? 9900 : 0,
                            .created_ts = ts};
    tt_coid_format(o->order.coid, o->symbol, o->order.seq, role);
    if (k > 0 && k < 3)
        memcpy(o->parent_coid, s->o[0].order.coid, sizeof o->parent_coid);
    s->ord[k] = r->orders++;
    r->intent_at[s->ord[k]] = -1;
    s_order(r, sym, k, TT_OS_NEW, ts);
}

/* Order K of SYM fills whole at TS: the order, its fill, the events. */
static void s_fill(s_run_t *r, int sym, int k, tt_ns_t ts)
{
    s_order(r, sym, k, TT_OS_FILLED, ts);
    const tt_store_order_t *o = &r->syms[sym].o[k];
    s_op_t *op = s_next(r, S_FILL, sym);
    op->u.fill = (tt_fill_t){.side = o->order.side,
                             .px = 10000 + (int64_t)(r->fill_no % 50),
                             .qty = o->order.qty,
                             .fee = 2,
                             .ts = ts};
    snprintf(op->u.fill.fill_id, sizeof op->u.fill.fill_id, "%s:1",
             o->order.coid);
    memcpy(op->u.fill.coid, o->order.coid, sizeof op->u.fill.coid);
    r->fill_no++;
    s_event(r, "trade.fill", sym, ts, S_OTHER_EVENT_BYTES);
    s_event(r, "trade.position", sym, ts, S_OTHER_EVENT_BYTES);
}

static void s_enter(s_run_t *r, int sym, tt_ns_t ts)
{
    s_order_new(r, sym, 0, TT_ROLE_ENTRY, TT_ORD_MARKET, TT_SIDE_BUY, ts);
    s_order(r, sym, 0, TT_OS_ACCEPTED, ts);
    s_fill(r, sym, 0, ts + 1000);
    s_order_new(r, sym, 1, TT_ROLE_STOP, TT_ORD_STOP, TT_SIDE_SELL, ts + 1000);
    s_order_new(r, sym, 2, TT_ROLE_TARGET, TT_ORD_LIMIT, TT_SIDE_SELL,
                ts + 1000);
    s_order(r, sym, 1, TT_OS_ACCEPTED, ts + 1000);
    s_order(r, sym, 2, TT_OS_ACCEPTED, ts + 1000);
    r->syms[sym].open = true;
}

static void s_exit(s_run_t *r, int sym, tt_ns_t ts)
{
    s_order(r, sym, 1, TT_OS_CANCELLED, ts);
    s_order(r, sym, 2, TT_OS_CANCELLED, ts);
    s_order_new(r, sym, 3, TT_ROLE_EXIT, TT_ORD_MARKET, TT_SIDE_SELL, ts);
    s_order(r, sym, 3, TT_OS_ACCEPTED, ts);
    s_fill(r, sym, 3, ts + 1000);
    r->syms[sym].open = false;
}

static void s_candle(s_run_t *r, int sym, int tf, tt_ns_t open_ts)
{
    s_op_t *op = s_next(r, S_CANDLE, sym);
    op->u.candle = (tt_candle_t){.open_ts = open_ts,
                                 .tf_s = tf,
                                 .open = 10000 + (open_ts / TT_NS_PER_SEC) % 7,
                                 .high = 10010,
                                 .low = 9990,
                                 .close = 10003,
                                 .volume = 1234,
                                 .trades = 20,
                                 .closed = true};
}

/* What SYM writes at second T: its candles (those that closed), a
   snapshot a minute, and the trip's entry or exit when due. */
static void s_second(s_run_t *r, int sym, int t, tt_ns_t t0)
{
    const s_shape_t *sh = r->shape;
    tt_ns_t ts = t0 + (tt_ns_t)t * TT_NS_PER_SEC;
    unsigned h = (unsigned)(sym * 7919 + t * 104729);
    if ((int)(h % 100) < sh->active_pct)
        s_candle(r, sym, 1, ts - TT_NS_PER_SEC);
    if (t % 60 == 0 && t > 0) {
        s_candle(r, sym, 60, ts - 60 * TT_NS_PER_SEC);
        s_op_t *op = s_next(r, S_SNAP, sym);
        op->ts = ts;
    }
    int period = sh->seconds / sh->trips;
    int phase = (t + sym) % period;
    if (phase == 0 && !r->syms[sym].open)
        s_enter(r, sym, ts);
    else if (phase == 5 && r->syms[sym].open)
        s_exit(r, sym, ts);
}

static void s_lifecycle(s_run_t *r, tt_ns_t t0)
{
    const char *paths[] = {"", "/data", "/execution", "/indicator",
                           "/strategy"};
    for (int sym = 0; sym < r->shape->symbols; sym++)
        for (int k = 0; k < 5; k++)
            for (int i = 0; i < 4; i++) {
                s_op_t *op = s_next(r, S_EVENT, -1);
                snprintf(op->topic, sizeof op->topic, "life.S%d%s", sym,
                         paths[k]);
                op->ts = t0;
                op->len = S_OTHER_EVENT_BYTES;
            }
}

/* ---- one shape ---- */

static char s_dir[256];

static void s_unlink(const char *path)
{
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int k = 0; k < 3; k++) {
        char p[400];
        snprintf(p, sizeof p, "%s%s", path, sfx[k]);
        unlink(p);
    }
}

/* Writes SHAPE's rows into a new store; R holds the figures. */
static void s_run(s_run_t *r, const s_shape_t *shape)
{
    char path[320], err[512];
    snprintf(path, sizeof path, "%s/floor.db", s_dir);
    s_unlink(path);
    tt_store_opts_t o = tt_store_opts_default();
    o.sync_trade = TT_STORE_SYNC_NORMAL;
    o.group_rows = S_GROUP_ROWS;
    o.batch_size = S_GROUP_BATCH;
    o.defer_indexes = getenv("TT_FLOOR_INDEXES_ROW_BY_ROW") == NULL;
    double c0 = s_now(CLOCK_THREAD_CPUTIME_ID), w0 = s_now(CLOCK_MONOTONIC);
    tt_store_t *st = tt_store_open(path, &o, err, sizeof err);
    if (!st) {
        fprintf(stderr, "bench_store_floor: %s\n", err);
        exit(1);
    }
    size_t orders = (size_t)shape->symbols * (size_t)(shape->trips + 2) * 4;
    *r = (s_run_t){.st = st,
                   .shape = shape,
                   .ops = calloc(S_WINDOW, sizeof *r->ops),
                   .intent_at = calloc(orders, sizeof *r->intent_at),
                   .syms = calloc((size_t)shape->symbols, sizeof *r->syms),
                   .raise = calloc((size_t)shape->symbols, sizeof *r->raise),
                   .window = 1,
                   .cpu = s_now(CLOCK_THREAD_CPUTIME_ID) - c0,
                   .wall = s_now(CLOCK_MONOTONIC) - w0};
    if (!r->ops || !r->intent_at || !r->syms || !r->raise) {
        fprintf(stderr, "bench_store_floor: out of memory\n");
        exit(1);
    }
    memset(r->blob, 0x5a, sizeof r->blob);
    for (int i = 0; i < shape->symbols; i++) {
        r->syms[i].next_seq = 1;
        s_symbol(r->syms[i].name, sizeof r->syms[i].name, i);
    }
    tt_ns_t t0 = (tt_ns_t)1767571200 * TT_NS_PER_SEC; /* 2026-01-05 */
    s_lifecycle(r, t0);
    for (int t = 1; t <= shape->seconds; t++)
        for (int sym = 0; sym < shape->symbols; sym++)
            s_second(r, sym, t, t0);
    s_apply_window(r);
    /* The writer's tail: the last group, the queue's rows with it. */
    c0 = s_now(CLOCK_THREAD_CPUTIME_ID);
    w0 = s_now(CLOCK_MONOTONIC);
    s_check(tt_store_commit_group(st), st, "last group commit");
    s_check(tt_store_indexes_build(st), st, "build indexes");
    tt_store_close(&st);
    r->cpu += s_now(CLOCK_THREAD_CPUTIME_ID) - c0;
    r->wall += s_now(CLOCK_MONOTONIC) - w0;
    free(r->ops);
    free(r->intent_at);
    free(r->syms);
    free(r->raise);
    s_unlink(path);
}

static int s_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs SHAPE N_RUNS times; prints its line; the ceiling in ticks/s. */
static double s_shape(const s_shape_t *shape)
{
    double cpu[N_RUNS], wall[N_RUNS];
    s_run_t r;
    for (int i = 0; i < N_RUNS; i++) {
        s_run(&r, shape);
        cpu[i] = r.cpu;
        wall[i] = r.wall;
    }
    qsort(cpu, N_RUNS, sizeof *cpu, s_cmp);
    qsort(wall, N_RUNS, sizeof *wall, s_cmp);
    double c = cpu[N_RUNS / 2], w = wall[N_RUNS / 2];
    double ticks = (double)shape->symbols * shape->rate * shape->seconds;
    /* On its CPU time: the wall time beside it adds the disk's writes,
       which move with the neighbours on a shared machine. */
    double t = c;
    printf("  %7d %8.2f M %9.0f %7.2f %7.2f %8.3f M %8.2f M\n", shape->symbols,
           ticks / 1e6, (double)r.rows, c, w, (double)r.rows / t / 1e6,
           ticks / t / 1e6);
    printf("  %7s candles %lld, events %lld, intents %lld, updates %lld "
           "(%lld folded), fills %lld, snapshots %lld\n",
           "", (long long)r.by_kind[S_CANDLE], (long long)r.by_kind[S_EVENT],
           (long long)r.by_kind[S_INTENT],
           (long long)(r.by_kind[S_UPDATE] + r.by_kind[S_MOVED]),
           (long long)r.by_kind[S_MOVED], (long long)r.by_kind[S_FILL],
           (long long)r.by_kind[S_SNAP]);
    return ticks / t;
}

int main(int argc, char **argv)
{
    const char *base = getenv("TMPDIR");
    snprintf(s_dir, sizeof s_dir, "%s/bench_store_floor.XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(s_dir)) {
        perror("mkdtemp");
        return 1;
    }
    /* As ticktree's main does (store.h). */
    (void)tt_store_global_init();
    int scale = argc > 1 ? atoi(argv[1]) : 1; /* quick runs: 0 */
    int secs = scale > 0 ? 1000 : 100;
    /* bench/backtest's shapes; round trips and active seconds as a run
       of each stores them (4478 and 33,700 trades). */
    const s_shape_t shapes[] = {{100, 20, secs, 100, secs * 45 / 1000},
                                {1000, 2, secs, 86, secs * 34 / 1000}};
    printf("(f) the store alone: a backtest's rows through its writer's "
           "store calls, one thread, median of %d\n",
           N_RUNS);
    printf("  %7s %10s %9s %7s %7s %10s %10s\n", "symbols", "ticks", "writes",
           "cpu s", "wall s", "writes/s", "ceiling");
    double ceiling[2];
    for (int i = 0; i < 2; i++)
        ceiling[i] = s_shape(&shapes[i]);
    for (int i = 0; i < 2; i++)
        printf("the store alone caps the %d-symbol replay at %.2f M "
               "ticks/s\n",
               shapes[i].symbols, ceiling[i] / 1e6);
    rmdir(s_dir);
    return 0;
}
