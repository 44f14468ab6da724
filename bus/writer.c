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
/* Slots of the tables that fold a window's orders and raise its
   symbols' sequences (powers of two, kept at most half full: a window's
   intents past that are not folded, its sequences past that are raised
   early, in order). */
#define S_FOLD_SLOTS 8192
#define S_SEQ_SLOTS 4096
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
    S_MOVED, /* an S_UPDATE folded into its intent's row (s_fold) */
} s_kind_t;

/* One write. Strings are copied into the fixed fields; payloads, blobs
   and the large records (an order, a fill) into the block's arena (OFF,
   LEN; a record's OFF aligned), so a block of candles stays small. */
typedef struct {
    s_kind_t kind;
    size_t off, len;
    /* Folding (s_fold), the writer thread's own. An intent: the last
       update folded into it and the last of those with a venue id, NULL
       when none (records in the window's arenas), and its slot in the
       fold table (-1: none). A folded update: the state before it and
       its intent's slot. */
    const tt_store_order_t *last, *venue;
    int from, slot;
    char symbol[TT_STORE_SYMBOL_MAX + 1];
    union {
        tt_candle_t candle;
        struct {
            uint64_t seq;
            int64_t ts;
            char topic[TT_BUS_TOPIC_MAX];
        } event;
        struct {
            char venue[TT_STORE_VENUE_MAX + 1];
            int32_t qty_decimals;
        } fill; /* the tt_fill_t in the arena */
        struct {
            char key[TT_STORE_KEY_MAX + 1];
            int64_t ts;
        } snap;
    } u;
} s_op_t;

/* An intent of the window being applied, by client order id. */
typedef struct {
    uint32_t gen; /* the window's: else a free slot */
    int state;    /* of its row once what was folded is */
    bool dead;    /* no more folding (a refused move, a second intent) */
    bool stored;  /* applied: its folded updates only add their events */
    s_op_t *intent;
    const tt_store_order_t *rec; /* the intent's */
} s_fold_t;

/* A symbol's next order sequence after the window's stored intents. */
typedef struct {
    uint32_t gen;
    uint64_t next;
    char symbol[TT_STORE_SYMBOL_MAX + 1];
} s_seq_t;

typedef struct s_block_t {
    struct s_block_t *next;
    int n;
    char *arena;
    size_t len, cap;
    s_op_t ops[S_BLOCK_OPS];
} s_block_t;

/* The record of an order or fill OP of BLOCK, in its arena. */
static void *s_rec(const s_block_t *block, const s_op_t *op)
{
    return block->arena + op->off;
}

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
    /* The writer thread's own: the window's folding (s_fold). */
    uint32_t gen;
    s_fold_t *fold; /* S_FOLD_SLOTS */
    int fold_count; /* intents in it */
    s_seq_t *seq;   /* S_SEQ_SLOTS */
    uint32_t seq_gen;
    int *seq_order; /* slots of seq in first-stored order */
    int seq_count;
    uint64_t folded; /* updates folded, for the log */
};

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

/* --- folding a window's orders ---------------------------------------- */

/* The writer applies the blocks posted since it last looked as one
   window. An order's intent and the updates that follow it in the window
   are stored as one row in its last state (tt_store_order_intent_as),
   each update adding only its order_events row (tt_store_order_moved):
   one UPDATE fewer per update. The symbols' order sequences are raised
   once per window, after its intents (s_raise_seqs). Every row ends as
   the writes one by one leave it. */

static uint32_t s_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* COID's slot in the fold table: its intent's, or the free one where it
   goes. */
static int s_fold_slot(tt_bus_writer_t *self, const char *coid)
{
    uint32_t i = s_hash(coid) & (S_FOLD_SLOTS - 1);
    while (self->fold[i].gen == self->gen &&
           strcmp(self->fold[i].rec->order.coid, coid) != 0)
        i = (i + 1) & (S_FOLD_SLOTS - 1);
    return (int)i;
}

/* An update the store would take from the state its slot is in: the
   same symbol, a legal edge or the same state, a well-formed record. */
static bool s_foldable(tt_bus_writer_t *self, const s_fold_t *f,
                       const tt_store_order_t *rec)
{
    int to = (int)rec->order.state;
    return strcmp(rec->symbol, f->rec->symbol) == 0 &&
           (f->state == to ||
            tt_ord_allowed((tt_ord_state_t)f->state, (tt_ord_state_t)to)) &&
           tt_store_order_check(self->store, rec) == 0;
}

static void s_fold_op(tt_bus_writer_t *self, s_op_t *op,
                      const tt_store_order_t *rec)
{
    int i = s_fold_slot(self, rec->order.coid);
    s_fold_t *f = &self->fold[i];
    if (op->kind == S_INTENT) {
        op->last = op->venue = NULL;
        op->slot = -1;
        if (f->gen == self->gen) { /* a second intent: the store refuses it */
            f->dead = true;
        } else if (self->fold_count < S_FOLD_SLOTS / 2) {
            *f = (s_fold_t){self->gen, (int)TT_OS_NEW, false, false, op, rec};
            self->fold_count++;
            op->slot = i;
        }
        return;
    }
    if (f->gen != self->gen || f->dead)
        return;
    if (!s_foldable(self, f, rec)) {
        f->dead = true; /* applied as it came, and what follows too */
        return;
    }
    op->kind = S_MOVED;
    op->from = f->state;
    op->slot = i;
    f->intent->last = rec;
    if (rec->venue_oid[0])
        f->intent->venue = rec;
    f->state = (int)rec->order.state;
    self->folded++;
}

static void s_fold(tt_bus_writer_t *self, s_block_t *window)
{
    if (++self->gen == 0) { /* wrapped: every slot is free again */
        memset(self->fold, 0, S_FOLD_SLOTS * sizeof *self->fold);
        self->gen = 1;
    }
    self->fold_count = 0;
    uint64_t folded = self->folded;
    for (s_block_t *block = window; block; block = block->next)
        for (int i = 0; i < block->n; i++)
            if (block->ops[i].kind == S_INTENT ||
                block->ops[i].kind == S_UPDATE)
                s_fold_op(self, &block->ops[i], s_rec(block, &block->ops[i]));
    atomic_fetch_add(&self->stats->folded, self->folded - folded);
}

static void s_raise_seqs(tt_bus_writer_t *self);

/* A stored intent raises its symbol's sequence at the window's end. */
static void s_seq_note(tt_bus_writer_t *self, const tt_store_order_t *rec)
{
    uint32_t i = s_hash(rec->symbol) & (S_SEQ_SLOTS - 1);
    while (self->seq[i].gen == self->seq_gen &&
           strcmp(self->seq[i].symbol, rec->symbol) != 0)
        i = (i + 1) & (S_SEQ_SLOTS - 1);
    s_seq_t *q = &self->seq[i];
    uint64_t next = rec->order.seq + 1;
    if (q->gen != self->seq_gen && self->seq_count == S_SEQ_SLOTS / 2) {
        s_raise_seqs(self); /* full: the symbols so far first */
        s_seq_note(self, rec);
        return;
    }
    if (q->gen != self->seq_gen) {
        q->gen = self->seq_gen;
        q->next = next;
        tt_bus_copy(q->symbol, sizeof q->symbol, rec->symbol);
        self->seq_order[self->seq_count++] = (int)i;
    } else if (next > q->next) {
        q->next = next;
    }
}

static void s_raise_seqs(tt_bus_writer_t *self)
{
    for (int k = 0; k < self->seq_count; k++) {
        const s_seq_t *q = &self->seq[self->seq_order[k]];
        if (tt_store_order_seq_set(self->store, q->symbol, q->next) != 0)
            s_failed(self);
    }
    self->seq_count = 0;
    if (++self->seq_gen == 0) { /* wrapped: every slot is free again */
        memset(self->seq, 0, S_SEQ_SLOTS * sizeof *self->seq);
        self->seq_gen = 1;
    }
}

static int s_intent(tt_bus_writer_t *self, const s_op_t *op,
                    const tt_store_order_t *rec)
{
    if (!op->last) {
        int rc = tt_store_order_intent_as(self->store, rec, NULL);
        if (rc == 0)
            s_seq_note(self, rec);
        return rc;
    }
    tt_store_order_t now = *op->last;
    if (op->venue != op->last)
        tt_bus_copy(now.venue_oid, sizeof now.venue_oid,
                    op->venue ? op->venue->venue_oid : "");
    int rc = tt_store_order_intent_as(self->store, rec, &now);
    if (rc == 0) {
        s_seq_note(self, rec);
        /* By its index: the table's other intents may be in blocks
           handed back already, their records not to be read. */
        self->fold[op->slot].stored = true;
    }
    return rc;
}

static void s_apply_order(tt_bus_writer_t *self, const s_op_t *op,
                          const tt_store_order_t *rec)
{
    int rc;
    if (op->kind == S_INTENT)
        rc = s_intent(self, op, rec);
    else if (op->kind == S_MOVED && self->fold[op->slot].stored)
        rc = tt_store_order_moved(self->store, rec, op->from);
    else /* an update, or one folded into an intent the store refused */
        rc = tt_store_order_update(self->store, rec);
    if (rc < 0)
        s_failed(self);
    else if (rc == TT_STORE_DUP) {
        /* A backtest's store is new: a duplicate is a bug to see. */
        atomic_fetch_add(&self->stats->duplicates, 1);
        tt_error("bus", "%s", tt_store_error(self->store));
    } else if (op->kind == S_INTENT)
        atomic_fetch_add(&self->stats->intents, 1);
}

static void s_apply_fill(tt_bus_writer_t *self, const s_op_t *op,
                         const tt_fill_t *fill)
{
    int rc = tt_store_fill(self->store, op->u.fill.venue, op->symbol,
                           op->u.fill.qty_decimals, fill, NULL);
    if (rc < 0)
        s_failed(self);
    else if (rc == TT_STORE_DUP) {
        atomic_fetch_add(&self->stats->duplicates, 1);
        tt_info("bus", "%s: fill %s already recorded; ignored", op->symbol,
                fill->fill_id);
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
    case S_MOVED:
        s_apply_order(self, op, s_rec(block, op));
        break;
    case S_FILL:
        s_apply_fill(self, op, s_rec(block, op));
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

/* Takes every posted block, oldest first (a window), waiting for one;
   NULL once stopped and empty. Called with the lock held. */
static s_block_t *s_take(tt_bus_writer_t *self)
{
    while (!self->head && !self->stop)
        pthread_cond_wait(&self->work, &self->lock);
    s_block_t *window = self->head;
    self->head = self->tail = NULL;
    return window;
}

/* Applies a window, handing each block back once applied; the last
   after the sequences are raised, so a sync finds the store complete.
   The window's rows share one group: an intent stored in the state of
   updates folded into it must not be committed without their
   order_events rows, nor its symbol's sequence, so a write that fails
   rolls them back together, as one by one an update's row goes with
   its order_events row. */
static void s_apply_window(tt_bus_writer_t *self, s_block_t *window)
{
    s_fold(self, window);
    tt_store_group_hold(self->store, true);
    for (s_block_t *block = window, *next; block; block = next) {
        next = block->next;
        for (int i = 0; i < block->n; i++)
            s_apply(self, block, &block->ops[i]);
        if (!next) {
            s_raise_seqs(self);
            if (tt_store_group_hold(self->store, false) != 0)
                s_failed(self);
        }
        self->writes += (uint64_t)block->n;
        block->n = 0;
        block->len = 0;
        pthread_mutex_lock(&self->lock);
        block->next = self->free;
        self->free = block;
        self->applied++;
        pthread_cond_broadcast(&self->done);
        pthread_mutex_unlock(&self->lock);
    }
}

static void *s_thread(void *arg)
{
    tt_bus_writer_t *self = arg;
    tt_thread_name("store-writer");
    pthread_mutex_lock(&self->lock);
    s_block_t *window;
    while ((window = s_take(self))) {
        pthread_mutex_unlock(&self->lock);
        s_apply_window(self, window);
        pthread_mutex_lock(&self->lock);
    }
    pthread_mutex_unlock(&self->lock);
    /* The last group, the queue's rows included, is committed here, so
       a failure is counted with the others. */
    if (tt_store_commit_group(self->store) != 0)
        s_failed(self);
    /* Then the indexes it deferred, sorted once (store/indexes.c). */
    if (tt_store_indexes_build(self->store) != 0)
        s_failed(self);
    /* What the run's store cost, beside what its lockstep did. */
    struct timespec cpu = {0, 0};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    tt_info("bus",
            "store writer: %llu writes (%llu order updates folded) in "
            "%.2f s of CPU",
            (unsigned long long)self->writes, (unsigned long long)self->folded,
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
    block->len = (block->len + 7) & ~(size_t)7; /* records are aligned */
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
    tt_bus_copy(op->symbol, sizeof op->symbol, symbol);
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
    tt_bus_copy(op->u.event.topic, sizeof op->u.event.topic, topic);
    if (len)
        memcpy(self->cur->arena + op->off, payload, len);
    return 0;
}

int tt_bus_writer_order(tt_bus_writer_t *self, const tt_store_order_t *rec,
                        bool intent)
{
    s_op_t *op =
        s_op(self, intent ? S_INTENT : S_UPDATE, rec->symbol, sizeof *rec);
    if (!op)
        return -1;
    memcpy(self->cur->arena + op->off, rec, sizeof *rec);
    return 0;
}

int tt_bus_writer_fill(tt_bus_writer_t *self, const char *venue,
                       const char *symbol, int32_t qty_decimals,
                       const tt_fill_t *fill)
{
    s_op_t *op = s_op(self, S_FILL, symbol, sizeof *fill);
    if (!op)
        return -1;
    tt_bus_copy(op->u.fill.venue, sizeof op->u.fill.venue, venue);
    op->u.fill.qty_decimals = qty_decimals;
    memcpy(self->cur->arena + op->off, fill, sizeof *fill);
    return 0;
}

int tt_bus_writer_snapshot(tt_bus_writer_t *self, const char *symbol,
                           const char *key, int64_t ts, const void *blob,
                           size_t len, bool paper)
{
    s_op_t *op = s_op(self, paper ? S_PAPER : S_SNAPSHOT, symbol, len);
    if (!op)
        return -1;
    tt_bus_copy(op->u.snap.key, sizeof op->u.snap.key, key);
    op->u.snap.ts = ts;
    if (len)
        memcpy(self->cur->arena + op->off, blob, len);
    return 0;
}

/* --- lifetime --------------------------------------------------------- */

/* Frees the fold tables and SELF. */
static void s_free_tables(tt_bus_writer_t *self)
{
    free(self->fold);
    free(self->seq);
    free(self->seq_order);
    free(self);
}

tt_bus_writer_t *tt_bus_writer_new(tt_store_t *store, tt_bus_stats_t *stats)
{
    assert(store && stats);
    tt_bus_writer_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->store = store;
    self->stats = stats;
    self->fold = calloc(S_FOLD_SLOTS, sizeof *self->fold);
    self->seq = calloc(S_SEQ_SLOTS, sizeof *self->seq);
    self->seq_order = calloc(S_SEQ_SLOTS / 2, sizeof *self->seq_order);
    self->seq_gen = 1;
    if (!self->fold || !self->seq || !self->seq_order) {
        s_free_tables(self);
        return NULL;
    }
    pthread_mutex_init(&self->lock, NULL);
    pthread_cond_init(&self->work, NULL);
    pthread_cond_init(&self->done, NULL);
    if (pthread_create(&self->thread, NULL, s_thread, self) != 0) {
        pthread_cond_destroy(&self->done);
        pthread_cond_destroy(&self->work);
        pthread_mutex_destroy(&self->lock);
        s_free_tables(self);
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
    s_free_tables(self);
    *self_p = NULL;
}
