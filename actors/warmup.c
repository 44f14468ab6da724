/*  actors/warmup.c: filling and keeping a symbol's indicator set (see
    warmup.h). Runs on the symbol's worker, inside the indicator actor's
    init (the store reads) and candle handler (the snapshots). */
#include "actors/warmup.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_BUSY_MS 1000 /* a reader waits this long at most for a lock */

/* Walks stored candles into the set, or into a ring of the last CAP. */
typedef struct {
    tt_indset_t *set;
    tt_ind_value_t *values; /* scratch for tt_indset_update */
    size_t nvalues;
    tt_candle_t *ring; /* NULL: feed the set directly */
    size_t cap;
    uint64_t seen;
    uint64_t consumed;
} s_walk_t;

static int s_on_candle(const char *symbol, const tt_candle_t *c, void *arg)
{
    (void)symbol;
    s_walk_t *walk = arg;
    if (walk->ring)
        walk->ring[walk->seen % walk->cap] = *c;
    else if (tt_indset_update(walk->set, c, walk->values, walk->nvalues) >= 0)
        walk->consumed++;
    walk->seen++;
    return 0;
}

size_t tt_warmup_feed(tt_indset_t *set, const tt_candle_t *candles,
                      size_t count)
{
    size_t nvalues = tt_indset_count(set) + 1;
    tt_ind_value_t *values = calloc(nvalues, sizeof *values);
    if (!values)
        return 0;
    size_t consumed = 0;
    for (size_t i = 0; i < count; i++)
        consumed += tt_indset_update(set, &candles[i], values, nvalues) >= 0;
    free(values);
    return consumed;
}

/* The latest snapshot into SET: 0 restored, 1 none or unusable, -1
   error. */
static int s_restore(tt_store_t *store, tt_indset_t *set, const char *symbol,
                     tt_warmup_result_t *out)
{
    size_t cap = tt_indset_snapshot_size(set), len = 0;
    void *buf = malloc(cap);
    if (!buf)
        return -1;
    int rc = tt_store_snapshot_latest(store, symbol, TT_WARMUP_KEY, buf, cap,
                                      &len, &out->snapshot_ts);
    if (rc < 0 && len > cap)
        rc = 2; /* a snapshot of another set: larger than ours */
    else if (rc == 0 && tt_indset_restore(set, buf, len) != 0)
        rc = 2;
    free(buf);
    out->restored = rc == 0;
    out->stale_snapshot = rc == 2;
    return rc < 0 ? -1 : rc == 0 ? 0 : 1;
}

/* The candles stored after the snapshot, per timeframe. */
static int s_replay(tt_store_t *store, s_walk_t *walk, const char *symbol)
{
    for (size_t i = 0; i < tt_indset_tf_count(walk->set); i++) {
        const tt_indset_tf_t *tf = tt_indset_tf_at(walk->set, i);
        tt_ns_t from = tf->last_open_ts < 0 ? 0 : tf->last_open_ts + 1;
        if (tt_store_candles_since(store, symbol, tf->tf_s, from, 0,
                                   s_on_candle, walk) != 0)
            return -1;
    }
    return 0;
}

/* The last WALK->cap candles of TF_S: windows growing fourfold back from
   NOW, then everything, until one holds enough. */
static int s_last_candles(tt_store_t *store, s_walk_t *walk, const char *symbol,
                          int32_t tf_s, tt_ns_t now)
{
    static const int64_t factors[] = {1, 4, 16, 0};
    for (size_t k = 0; k < sizeof factors / sizeof factors[0]; k++) {
        int64_t span_s = (int64_t)walk->cap * tf_s * factors[k];
        tt_ns_t from = factors[k] && span_s < now / TT_NS_PER_SEC
                           ? now - span_s * TT_NS_PER_SEC
                           : 0;
        walk->seen = 0;
        if (tt_store_candles_since(store, symbol, tf_s, from, 0, s_on_candle,
                                   walk) != 0)
            return -1;
        if (walk->seen >= walk->cap || from == 0)
            break;
    }
    return 0;
}

static int s_from_candles(tt_store_t *store, s_walk_t *walk, const char *symbol,
                          tt_ns_t now)
{
    for (size_t i = 0; i < tt_indset_tf_count(walk->set); i++) {
        const tt_indset_tf_t *tf = tt_indset_tf_at(walk->set, i);
        if (tf->need == 0)
            continue;
        walk->cap = (size_t)tf->need * TT_WARMUP_BARS_PER_NEED;
        walk->ring = calloc(walk->cap, sizeof *walk->ring);
        if (!walk->ring ||
            s_last_candles(store, walk, symbol, tf->tf_s, now) != 0) {
            free(walk->ring);
            walk->ring = NULL;
            return -1;
        }
        size_t n = walk->seen < walk->cap ? walk->seen : walk->cap;
        size_t start = walk->seen > walk->cap ? walk->seen % walk->cap : 0;
        for (size_t j = 0; j < n; j++)
            walk->consumed +=
                tt_indset_update(walk->set,
                                 &walk->ring[(start + j) % walk->cap],
                                 walk->values, walk->nvalues) >= 0;
        free(walk->ring);
        walk->ring = NULL;
    }
    return 0;
}

int tt_warmup_from_store(tt_indset_t *set, const char *db_path,
                         const char *symbol, tt_ns_t now_ns,
                         tt_warmup_result_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    tt_store_opts_t opts = tt_store_opts_default();
    opts.busy_timeout_ms = S_BUSY_MS;
    tt_store_t *store = tt_store_open(db_path, &opts, err, errlen);
    if (!store)
        return -1;
    s_walk_t walk = {.set = set, .nvalues = tt_indset_count(set) + 1};
    walk.values = calloc(walk.nvalues, sizeof *walk.values);
    int rc = walk.values ? s_restore(store, set, symbol, out) : -1;
    if (rc == 0)
        rc = s_replay(store, &walk, symbol);
    else if (rc == 1)
        rc = s_from_candles(store, &walk, symbol, now_ns);
    if (rc != 0)
        snprintf(err, errlen, "%s",
                 walk.values ? tt_store_error(store) : "out of memory");
    out->replayed = walk.consumed;
    free(walk.values);
    tt_store_close(&store);
    return rc;
}

int tt_warmup_send_snapshot(tt_actor_t *actor, const tt_indset_t *set,
                            tt_ns_t ts, void *buf, size_t cap)
{
    size_t size = tt_indset_snapshot(set, buf, cap);
    if (size == 0)
        return -1;
    tt_evt_snapshot_t piece = {.ts = ts, .total = (uint32_t)size};
    snprintf(piece.key, sizeof piece.key, "%s", TT_WARMUP_KEY);
    for (size_t off = 0; off < size; off += piece.len) {
        piece.offset = (uint32_t)off;
        piece.len =
            (uint32_t)(size - off < TT_SNAPSHOT_CHUNK ? size - off
                                                      : TT_SNAPSHOT_CHUNK);
        memcpy(piece.data, (const unsigned char *)buf + off, piece.len);
        if (tt_actor_send(actor, TT_ACTOR_BUS, TT_EVT_SNAPSHOT, &piece,
                          sizeof piece) != 0)
            return -1;
    }
    return 0;
}
