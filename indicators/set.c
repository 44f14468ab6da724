/*  indicators/set.c: a symbol's indicators as one object (see set.h).

    Snapshot layout (native byte order; the same build reads it back):
        header   magic, version, indicator count, timeframe count
        per tf   tf_s, pad, have, last_open_ts
        per ind  its tt_indicator_snapshot bytes (sizes follow from the
                 specs, which the restoring set has too)
    Restore goes through the scratch copies first, so a snapshot that
    fails half-way leaves the set as it was. */
#include "indicators/set.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAGIC UINT32_C(0x53494454) /* "TDIS" */
#define S_VERSION 1

typedef struct {
    uint32_t magic, version, count, ntf;
} s_head_t;

typedef struct {
    int32_t tf_s, pad;
    uint64_t have;
    int64_t last_open_ts;
} s_tf_rec_t;

struct tt_indset {
    size_t count;
    int px_decimals, qty_decimals;
    tt_indicator_t **ind;     /* declared order */
    tt_indicator_t **scratch; /* same specs: previews and restore checks */
    unsigned char *buf;       /* one indicator's snapshot, the largest */
    size_t buf_size;
    size_t ntf;
    tt_indset_tf_t tf[TT_INDSET_TF_MAX];
};

static tt_indset_tf_t *s_tf(tt_indset_t *self, int32_t tf_s)
{
    for (size_t i = 0; i < self->ntf; i++)
        if (self->tf[i].tf_s == tf_s)
            return &self->tf[i];
    return NULL;
}

int tt_indset_need(tt_indset_t *self, int32_t tf_s, uint32_t need)
{
    assert(self);
    if (tf_s <= 0)
        return -1;
    tt_indset_tf_t *tf = s_tf(self, tf_s);
    if (!tf) {
        if (self->ntf == TT_INDSET_TF_MAX)
            return -1;
        tf = &self->tf[self->ntf++];
        *tf = (tt_indset_tf_t){.tf_s = tf_s, .last_open_ts = -1};
    }
    if (need > tf->need)
        tf->need = need;
    return 0;
}

static int s_build(tt_indset_t *self, const tt_ind_spec_t *specs, char *err,
                   size_t errlen)
{
    for (size_t i = 0; i < self->count; i++) {
        self->ind[i] = tt_indicator_new(&specs[i], err, errlen);
        if (!self->ind[i])
            return -1;
        self->scratch[i] = tt_indicator_new(&specs[i], err, errlen);
        if (!self->scratch[i])
            return -1;
        size_t size = tt_indicator_snapshot_size(self->ind[i]);
        if (size > self->buf_size)
            self->buf_size = size;
        if (tt_indset_need(self, specs[i].tf_s,
                           tt_indicator_warmup(self->ind[i]) + 1) != 0) {
            snprintf(err, errlen, "more than %d timeframes", TT_INDSET_TF_MAX);
            return -1;
        }
    }
    self->buf = malloc(self->buf_size ? self->buf_size : 1);
    if (!self->buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

tt_indset_t *tt_indset_new(const tt_ind_spec_t *specs, size_t count,
                           int px_decimals, int qty_decimals, char *err,
                           size_t errlen)
{
    tt_indset_t *self = calloc(1, sizeof *self);
    if (self) {
        self->count = count;
        self->px_decimals = px_decimals;
        self->qty_decimals = qty_decimals;
        self->ind = calloc(count + 1, sizeof *self->ind);
        self->scratch = calloc(count + 1, sizeof *self->scratch);
    }
    if (!self || !self->ind || !self->scratch) {
        snprintf(err, errlen, "out of memory");
        tt_indset_destroy(&self);
        return NULL;
    }
    if (s_build(self, specs, err, errlen) != 0)
        tt_indset_destroy(&self);
    return self;
}

void tt_indset_destroy(tt_indset_t **self_p)
{
    assert(self_p);
    tt_indset_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++) {
        if (self->ind)
            tt_indicator_destroy(&self->ind[i]);
        if (self->scratch)
            tt_indicator_destroy(&self->scratch[i]);
    }
    free(self->ind);
    free(self->scratch);
    free(self->buf);
    free(self);
    *self_p = NULL;
}

size_t tt_indset_count(const tt_indset_t *self)
{
    return self->count;
}

const tt_indicator_t *tt_indset_indicator(const tt_indset_t *self, size_t i)
{
    return i < self->count ? self->ind[i] : NULL;
}

size_t tt_indset_count_on(const tt_indset_t *self, int32_t tf_s)
{
    size_t n = 0;
    for (size_t i = 0; i < self->count; i++)
        n += tt_indicator_spec(self->ind[i])->tf_s == tf_s;
    return n;
}

size_t tt_indset_tf_count(const tt_indset_t *self)
{
    return self->ntf;
}

const tt_indset_tf_t *tt_indset_tf_at(const tt_indset_t *self, size_t i)
{
    return i < self->ntf ? &self->tf[i] : NULL;
}

const tt_indset_tf_t *tt_indset_tf(const tt_indset_t *self, int32_t tf_s)
{
    return s_tf((tt_indset_t *)self, tf_s);
}

int tt_indset_update(tt_indset_t *self, const tt_candle_t *c,
                     tt_ind_value_t *out, size_t cap)
{
    tt_indset_tf_t *tf = s_tf(self, c->tf_s);
    if (tf && c->open_ts <= tf->last_open_ts)
        return TT_INDSET_OLD;
    if (tf) {
        tf->last_open_ts = c->open_ts;
        tf->have++;
    }
    tt_ind_input_t in =
        tt_ind_input_from_candle(c, self->px_decimals, self->qty_decimals);
    size_t n = 0;
    for (size_t i = 0; i < self->count; i++) {
        if (tt_indicator_spec(self->ind[i])->tf_s != c->tf_s)
            continue;
        assert(n < cap);
        tt_indicator_update(self->ind[i], &in);
        out[n++] = tt_indicator_value(self->ind[i]);
    }
    return (int)n;
}

int tt_indset_preview(tt_indset_t *self, const tt_candle_t *c,
                      tt_ind_value_t *out, size_t cap)
{
    tt_ind_input_t in =
        tt_ind_input_from_candle(c, self->px_decimals, self->qty_decimals);
    size_t n = 0;
    for (size_t i = 0; i < self->count; i++) {
        if (tt_indicator_spec(self->ind[i])->tf_s != c->tf_s)
            continue;
        assert(n < cap);
        size_t len =
            tt_indicator_snapshot(self->ind[i], self->buf, self->buf_size);
        int rc = tt_indicator_restore(self->scratch[i], self->buf, len);
        assert(len && rc == 0);
        (void)rc;
        tt_indicator_update(self->scratch[i], &in);
        out[n++] = tt_indicator_value(self->scratch[i]);
    }
    return (int)n;
}

int tt_indset_values(const tt_indset_t *self, int32_t tf_s, tt_ind_value_t *out,
                     size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < self->count; i++) {
        if (tt_indicator_spec(self->ind[i])->tf_s != tf_s)
            continue;
        assert(n < cap);
        out[n++] = tt_indicator_value(self->ind[i]);
    }
    return (int)n;
}

bool tt_indset_warm(const tt_indset_t *self)
{
    return tt_indset_progress(self).warm;
}

tt_indset_progress_t tt_indset_progress(const tt_indset_t *self)
{
    tt_indset_progress_t best = {.warm = true};
    uint64_t best_short = 0;
    for (size_t i = 0; i < self->ntf; i++) {
        const tt_indset_tf_t *tf = &self->tf[i];
        uint64_t have = tf->have < tf->need ? tf->have : tf->need;
        uint64_t short_by = tf->need - have;
        if (short_by)
            best.warm = false;
        /* The furthest from its need; among the warm, the slowest that
           needs anything. */
        bool better =
            best.tf_s == 0 || short_by > best_short ||
            (short_by == best_short && (tf->need > 0) > (best.need > 0)) ||
            (short_by == best_short && (tf->need > 0) == (best.need > 0) &&
             tf->tf_s > best.tf_s);
        if (better) {
            best.have = (uint32_t)have;
            best.need = tf->need;
            best.tf_s = tf->tf_s;
            best_short = short_by;
        }
    }
    return best;
}

size_t tt_indset_snapshot_size(const tt_indset_t *self)
{
    size_t size = sizeof(s_head_t) + self->ntf * sizeof(s_tf_rec_t);
    for (size_t i = 0; i < self->count; i++)
        size += tt_indicator_snapshot_size(self->ind[i]);
    return size;
}

size_t tt_indset_snapshot(const tt_indset_t *self, void *buf, size_t size)
{
    size_t need = tt_indset_snapshot_size(self);
    if (!buf || size < need)
        return 0;
    unsigned char *p = buf;
    s_head_t head = {S_MAGIC, S_VERSION, (uint32_t)self->count,
                     (uint32_t)self->ntf};
    memcpy(p, &head, sizeof head);
    p += sizeof head;
    for (size_t i = 0; i < self->ntf; i++) {
        s_tf_rec_t rec = {.tf_s = self->tf[i].tf_s,
                          .have = self->tf[i].have,
                          .last_open_ts = self->tf[i].last_open_ts};
        memcpy(p, &rec, sizeof rec);
        p += sizeof rec;
    }
    for (size_t i = 0; i < self->count; i++)
        p += tt_indicator_snapshot(self->ind[i], p,
                                   need - (size_t)(p - (unsigned char *)buf));
    assert((size_t)(p - (unsigned char *)buf) == need);
    return need;
}

/* Checks the header and the timeframes of a snapshot against SELF. */
static int s_check(const tt_indset_t *self, const unsigned char *p, size_t size,
                   s_tf_rec_t *recs)
{
    s_head_t head;
    if (size != tt_indset_snapshot_size(self))
        return -1;
    memcpy(&head, p, sizeof head);
    if (head.magic != S_MAGIC || head.version != S_VERSION ||
        head.count != self->count || head.ntf != self->ntf)
        return -1;
    p += sizeof head;
    for (size_t i = 0; i < self->ntf; i++, p += sizeof *recs) {
        memcpy(&recs[i], p, sizeof *recs);
        if (!s_tf((tt_indset_t *)self, recs[i].tf_s))
            return -1;
        for (size_t j = 0; j < i; j++)
            if (recs[j].tf_s == recs[i].tf_s)
                return -1;
    }
    return 0;
}

int tt_indset_restore(tt_indset_t *self, const void *buf, size_t size)
{
    s_tf_rec_t recs[TT_INDSET_TF_MAX];
    if (!buf || s_check(self, buf, size, recs) != 0)
        return -1;
    const unsigned char *base = (const unsigned char *)buf + sizeof(s_head_t) +
                                self->ntf * sizeof(s_tf_rec_t);
    const unsigned char *p = base;
    for (size_t i = 0; i < self->count; i++) {
        size_t len = tt_indicator_snapshot_size(self->ind[i]);
        if (tt_indicator_restore(self->scratch[i], p, len) != 0)
            return -1;
        p += len;
    }
    /* Every part checked: now apply. */
    p = base;
    for (size_t i = 0; i < self->count; i++) {
        size_t len = tt_indicator_snapshot_size(self->ind[i]);
        int rc = tt_indicator_restore(self->ind[i], p, len);
        assert(rc == 0);
        (void)rc;
        p += len;
    }
    for (size_t i = 0; i < self->ntf; i++) {
        tt_indset_tf_t *tf = s_tf(self, recs[i].tf_s);
        tf->have = recs[i].have;
        tf->last_open_ts = recs[i].last_open_ts;
    }
    return 0;
}
