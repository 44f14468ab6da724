/*  bus/writer.c: a backtest's store writer (see writer.h). The bus thread
    fills blocks of writes; the writer thread applies posted blocks in
    order and returns them to a free list. One mutex guards the two lists
    and the counters; nothing else is shared. */
#include "bus/writer.h"
#include "bus/bus_internal.h"
#include "runtime/log.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_BLOCK_OPS 1024 /* writes per block */
#define S_BLOCKS_MAX 16  /* blocks in flight before the bus waits */
/* Failed writes logged one by one; past this they are only counted (a
   full disk fails every write after it). */
#define S_ERRORS_LOGGED 10

typedef enum {
    S_CANDLE,
    S_EVENT,
    S_INTENT,
    S_UPDATE,
    S_FILL,
    S_SNAPSHOT,
    S_PAPER,
} s_kind_t;

/* One write. Strings are copied into the fixed fields; payloads and
   blobs into the block's arena (OFF, LEN). */
typedef struct {
    s_kind_t kind;
    size_t off, len;
    char symbol[TT_STORE_SYMBOL_MAX + 1];
    union {
        tt_candle_t candle;
        struct {
            uint64_t seq;
            int64_t ts;
            char topic[TT_BUS_TOPIC_MAX];
        } event;
        tt_store_order_t order;
        struct {
            char venue[TT_STORE_VENUE_MAX + 1];
            int32_t qty_decimals;
            tt_fill_t fill;
        } fill;
        struct {
            char key[TT_STORE_KEY_MAX + 1];
            int64_t ts;
        } snap;
    } u;
} s_op_t;

typedef struct s_block_t {
    struct s_block_t *next;
    int n;
    char *arena;
    size_t len, cap;
    s_op_t ops[S_BLOCK_OPS];
} s_block_t;

struct tt_bus_writer_t {
    tt_store_t *store;
    tt_bus_stats_t *stats;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work;    /* a block was posted, or stop */
    pthread_cond_t done;    /* a block was applied */
    s_block_t *head, *tail; /* posted, oldest first */
    s_block_t *free;        /* applied, for reuse */
    s_block_t *cur;         /* being filled: the bus thread's own */
    int blocks;             /* allocated */
    uint64_t posted, applied;
    bool stop;
    uint64_t writes; /* applied: the writer thread's own */
};

/* Copies S (NULL: "") into DST of CAP bytes, cut to fit: snprintf's
   "%s" without its formatting, which was a fifth of the bus thread. */
static void s_copy(char *dst, size_t cap, const char *s)
{
    size_t n = s ? strnlen(s, cap - 1) : 0;
    memcpy(dst, s ? s : "", n);
    dst[n] = '\0';
}

/* --- the writer thread ------------------------------------------------ */

/* A write failed: its rows, or the whole open group's, are lost. The
   backtest fails at its end for it (cli/backtest_cmd.c). */
static void s_failed(tt_bus_writer_t *self)
{
    uint64_t n = atomic_fetch_add(&self->stats->store_errors, 1) + 1;
    if (n <= S_ERRORS_LOGGED)
        tt_error("bus", "store writer: %s", tt_store_error(self->store));
    if (n == S_ERRORS_LOGGED)
        tt_error("bus", "store writer: further failed writes are counted, "
                        "not logged");
}

static void s_apply_order(tt_bus_writer_t *self, const s_op_t *op)
{
    const tt_store_order_t *rec = &op->u.order;
    int rc = op->kind == S_INTENT ? tt_store_order_intent(self->store, rec)
                                  : tt_store_order_update(self->store, rec);
    if (rc < 0)
        s_failed(self);
    else if (rc == TT_STORE_DUP) {
        /* A backtest's store is new: a duplicate is a bug to see. */
        atomic_fetch_add(&self->stats->duplicates, 1);
        tt_error("bus", "%s", tt_store_error(self->store));
    } else if (op->kind == S_INTENT)
        atomic_fetch_add(&self->stats->intents, 1);
}

static void s_apply_fill(tt_bus_writer_t *self, const s_op_t *op)
{
    int rc = tt_store_fill(self->store, op->u.fill.venue, op->symbol,
                           op->u.fill.qty_decimals, &op->u.fill.fill, NULL);
    if (rc < 0)
        s_failed(self);
    else if (rc == TT_STORE_DUP) {
        atomic_fetch_add(&self->stats->duplicates, 1);
        tt_info("bus", "%s: fill %s already recorded; ignored", op->symbol,
                op->u.fill.fill.fill_id);
    }
}

static void s_apply(tt_bus_writer_t *self, const s_block_t *block,
                    const s_op_t *op)
{
    const char *bytes = block->arena + op->off;
    const char *sym = op->symbol[0] ? op->symbol : NULL;
    int rc = 0;
    switch (op->kind) {
    case S_CANDLE:
        rc = tt_store_candle_put(self->store, sym, &op->u.candle);
        break;
    case S_EVENT:
        rc = tt_store_event_append(self->store, op->u.event.seq, op->u.event.ts,
                                   op->u.event.topic, sym, bytes, op->len);
        break;
    case S_INTENT:
    case S_UPDATE:
        s_apply_order(self, op);
        break;
    case S_FILL:
        s_apply_fill(self, op);
        break;
    case S_SNAPSHOT:
        rc = tt_store_snapshot_put(self->store, sym, op->u.snap.key,
                                   op->u.snap.ts, bytes, op->len);
        break;
    case S_PAPER:
        rc =
            tt_store_paper_put(self->store, sym, op->u.snap.ts, bytes, op->len);
        break;
    }
    if (rc != 0)
        s_failed(self);
}

/* Takes the oldest posted block, waiting for one; NULL once stopped and
   empty. Called with the lock held. */
static s_block_t *s_take(tt_bus_writer_t *self)
{
    while (!self->head && !self->stop)
        pthread_cond_wait(&self->work, &self->lock);
    s_block_t *block = self->head;
    if (block) {
        self->head = block->next;
        if (!self->head)
            self->tail = NULL;
    }
    return block;
}

static void *s_thread(void *arg)
{
    tt_bus_writer_t *self = arg;
    pthread_mutex_lock(&self->lock);
    s_block_t *block;
    while ((block = s_take(self))) {
        pthread_mutex_unlock(&self->lock);
        for (int i = 0; i < block->n; i++)
            s_apply(self, block, &block->ops[i]);
        self->writes += (uint64_t)block->n;
        block->n = 0;
        block->len = 0;
        pthread_mutex_lock(&self->lock);
        block->next = self->free;
        self->free = block;
        self->applied++;
        pthread_cond_broadcast(&self->done);
    }
    pthread_mutex_unlock(&self->lock);
    /* The last group, the queue's rows included, is committed here, so
       a failure is counted with the others. */
    if (tt_store_commit_group(self->store) != 0)
        s_failed(self);
    /* What the run's store cost, beside what its lockstep did. */
    struct timespec cpu = {0, 0};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    tt_info("bus", "store writer: %llu writes in %.2f s of CPU",
            (unsigned long long)self->writes,
            (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9);
    return NULL;
}

/* --- the bus thread's side -------------------------------------------- */

static s_block_t *s_block_new(void)
{
    s_block_t *block = calloc(1, sizeof *block);
    return block;
}

/* A block to fill: a free one, a new one while under S_BLOCKS_MAX, else
   the writer's next free one (the bus waits). */
static s_block_t *s_block_get(tt_bus_writer_t *self)
{
    pthread_mutex_lock(&self->lock);
    while (!self->free && self->blocks >= S_BLOCKS_MAX)
        pthread_cond_wait(&self->done, &self->lock);
    s_block_t *block = self->free;
    if (block)
        self->free = block->next;
    else if ((block = s_block_new()))
        self->blocks++;
    pthread_mutex_unlock(&self->lock);
    if (block)
        block->next = NULL;
    return block;
}

void tt_bus_writer_post(tt_bus_writer_t *self)
{
    assert(self);
    s_block_t *block = self->cur;
    if (!block || block->n == 0)
        return;
    self->cur = NULL;
    pthread_mutex_lock(&self->lock);
    if (self->tail)
        self->tail->next = block;
    else
        self->head = block;
    self->tail = block;
    self->posted++;
    pthread_cond_signal(&self->work);
    pthread_mutex_unlock(&self->lock);
}

void tt_bus_writer_sync(tt_bus_writer_t *self)
{
    assert(self);
    tt_bus_writer_post(self);
    pthread_mutex_lock(&self->lock);
    while (self->applied < self->posted)
        pthread_cond_wait(&self->done, &self->lock);
    pthread_mutex_unlock(&self->lock);
    /* The writer is idle until the next post: the store's queue goes
       into the open group from this thread. */
    if (tt_store_flush(self->store) != 0)
        s_failed(self);
}

/* The next op of the current block, with BYTES of arena reserved; a
   full block is posted first. NULL when out of memory (logged). */
static s_op_t *s_op(tt_bus_writer_t *self, s_kind_t kind, const char *symbol,
                    size_t bytes)
{
    if (self->cur && self->cur->n == S_BLOCK_OPS)
        tt_bus_writer_post(self);
    if (!self->cur && !(self->cur = s_block_get(self)))
        goto oom;
    s_block_t *block = self->cur;
    if (block->len + bytes > block->cap) {
        size_t cap = block->cap ? block->cap : 65536;
        while (cap < block->len + bytes)
            cap *= 2;
        char *arena = realloc(block->arena, cap);
        if (!arena)
            goto oom;
        block->arena = arena;
        block->cap = cap;
    }
    s_op_t *op = &block->ops[block->n++];
    op->kind = kind;
    op->off = block->len;
    op->len = bytes;
    s_copy(op->symbol, sizeof op->symbol, symbol);
    block->len += bytes;
    return op;
oom:
    atomic_fetch_add(&self->stats->store_errors, 1);
    tt_error("bus", "store writer: out of memory; a write is lost");
    return NULL;
}

int tt_bus_writer_candle(tt_bus_writer_t *self, const char *symbol,
                         const tt_candle_t *candle)
{
    s_op_t *op = s_op(self, S_CANDLE, symbol, 0);
    if (!op)
        return -1;
    op->u.candle = *candle;
    return 0;
}

int tt_bus_writer_event(tt_bus_writer_t *self, uint64_t seq, int64_t ts,
                        const char *topic, const char *symbol,
                        const void *payload, size_t len)
{
    s_op_t *op = s_op(self, S_EVENT, symbol, len);
    if (!op)
        return -1;
    op->u.event.seq = seq;
    op->u.event.ts = ts;
    s_copy(op->u.event.topic, sizeof op->u.event.topic, topic);
    if (len)
        memcpy(self->cur->arena + op->off, payload, len);
    return 0;
}

int tt_bus_writer_order(tt_bus_writer_t *self, const tt_store_order_t *rec,
                        bool intent)
{
    s_op_t *op = s_op(self, intent ? S_INTENT : S_UPDATE, rec->symbol, 0);
    if (!op)
        return -1;
    op->u.order = *rec;
    return 0;
}

int tt_bus_writer_fill(tt_bus_writer_t *self, const char *venue,
                       const char *symbol, int32_t qty_decimals,
                       const tt_fill_t *fill)
{
    s_op_t *op = s_op(self, S_FILL, symbol, 0);
    if (!op)
        return -1;
    s_copy(op->u.fill.venue, sizeof op->u.fill.venue, venue);
    op->u.fill.qty_decimals = qty_decimals;
    op->u.fill.fill = *fill;
    return 0;
}

int tt_bus_writer_snapshot(tt_bus_writer_t *self, const char *symbol,
                           const char *key, int64_t ts, const void *blob,
                           size_t len, bool paper)
{
    s_op_t *op = s_op(self, paper ? S_PAPER : S_SNAPSHOT, symbol, len);
    if (!op)
        return -1;
    s_copy(op->u.snap.key, sizeof op->u.snap.key, key);
    op->u.snap.ts = ts;
    if (len)
        memcpy(self->cur->arena + op->off, blob, len);
    return 0;
}

/* --- lifetime --------------------------------------------------------- */

tt_bus_writer_t *tt_bus_writer_new(tt_store_t *store, tt_bus_stats_t *stats)
{
    assert(store && stats);
    tt_bus_writer_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->store = store;
    self->stats = stats;
    pthread_mutex_init(&self->lock, NULL);
    pthread_cond_init(&self->work, NULL);
    pthread_cond_init(&self->done, NULL);
    if (pthread_create(&self->thread, NULL, s_thread, self) != 0) {
        pthread_cond_destroy(&self->done);
        pthread_cond_destroy(&self->work);
        pthread_mutex_destroy(&self->lock);
        free(self);
        return NULL;
    }
    return self;
}

static void s_free_list(s_block_t *block)
{
    while (block) {
        s_block_t *next = block->next;
        free(block->arena);
        free(block);
        block = next;
    }
}

void tt_bus_writer_destroy(tt_bus_writer_t **self_p)
{
    assert(self_p);
    tt_bus_writer_t *self = *self_p;
    if (!self)
        return;
    tt_bus_writer_post(self);
    pthread_mutex_lock(&self->lock);
    self->stop = true; /* the thread applies what is posted first */
    pthread_cond_signal(&self->work);
    pthread_mutex_unlock(&self->lock);
    pthread_join(self->thread, NULL);
    s_free_list(self->free);
    s_free_list(self->cur);
    pthread_cond_destroy(&self->done);
    pthread_cond_destroy(&self->work);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}
