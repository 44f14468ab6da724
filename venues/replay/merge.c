/*  venues/replay/merge.c: k-way merge of CSV readers by event time (see
    merge.h). A binary min-heap of the sources that hold a pending record,
    keyed by (ts, source index). */
#include "venues/replay/merge.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    tt_csv_reader_t *reader;
    tt_replay_record_t pending; /* next record of this source */
} s_source_t;

struct tt_replay_merge_t {
    s_source_t *sources;
    size_t *heap; /* indices of sources with a pending record */
    size_t count, heap_len, capacity;
    bool started, failed;
    char error[TT_CSV_MESSAGE_MAX];
};

tt_replay_merge_t *tt_replay_merge_new(void)
{
    return calloc(1, sizeof(tt_replay_merge_t));
}

void tt_replay_merge_destroy(tt_replay_merge_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tt_replay_merge_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++)
        tt_csv_close(&self->sources[i].reader);
    free(self->sources);
    free(self->heap);
    free(self);
    *self_p = NULL;
}

static int s_grow(tt_replay_merge_t *self)
{
    if (self->count < self->capacity)
        return 0;
    size_t cap = self->capacity ? self->capacity * 2 : 8;
    s_source_t *sources = realloc(self->sources, cap * sizeof *sources);
    if (!sources)
        return -1;
    self->sources = sources;
    size_t *heap = realloc(self->heap, cap * sizeof *heap);
    if (!heap)
        return -1;
    self->heap = heap;
    self->capacity = cap;
    return 0;
}

int tt_replay_merge_add(tt_replay_merge_t *self, const char *path,
                        const tt_csv_opts_t *opts, char *err, size_t errsize)
{
    assert(self && !self->started);
    if (s_grow(self) != 0) {
        snprintf(err, errsize, "%s: out of memory", path);
        return -1;
    }
    tt_csv_opts_t o = *opts;
    o.time_ordered = true;
    tt_csv_reader_t *reader = tt_csv_open(path, &o, err, errsize);
    if (!reader)
        return -1;
    self->sources[self->count].reader = reader;
    return (int)self->count++;
}

static bool s_before(const tt_replay_merge_t *self, size_t a, size_t b)
{
    tt_ns_t ta = self->sources[a].pending.ts;
    tt_ns_t tb = self->sources[b].pending.ts;
    return ta < tb || (ta == tb && a < b);
}

static void s_swap(size_t *h, size_t i, size_t j)
{
    size_t tmp = h[i];
    h[i] = h[j];
    h[j] = tmp;
}

static void s_sift_up(tt_replay_merge_t *self, size_t pos)
{
    while (pos > 0 &&
           s_before(self, self->heap[pos], self->heap[(pos - 1) / 2])) {
        s_swap(self->heap, pos, (pos - 1) / 2);
        pos = (pos - 1) / 2;
    }
}

static void s_sift_down(tt_replay_merge_t *self, size_t pos)
{
    for (;;) {
        size_t best = pos, l = 2 * pos + 1, r = l + 1;
        if (l < self->heap_len &&
            s_before(self, self->heap[l], self->heap[best]))
            best = l;
        if (r < self->heap_len &&
            s_before(self, self->heap[r], self->heap[best]))
            best = r;
        if (best == pos)
            return;
        s_swap(self->heap, pos, best);
        pos = best;
    }
}

/* Reads the next record of source I: 1 (pending set), 0 (done), -1. */
static int s_pull(tt_replay_merge_t *self, size_t i)
{
    int rc = tt_csv_next(self->sources[i].reader, &self->sources[i].pending);
    if (rc < 0) {
        snprintf(self->error, sizeof self->error, "%s",
                 tt_csv_error(self->sources[i].reader));
        self->failed = true;
    }
    return rc;
}

static int s_start(tt_replay_merge_t *self)
{
    self->started = true;
    for (size_t i = 0; i < self->count; i++) {
        int rc = s_pull(self, i);
        if (rc < 0)
            return -1;
        if (rc > 0) {
            self->heap[self->heap_len++] = i;
            s_sift_up(self, self->heap_len - 1);
        }
    }
    return 0;
}

int tt_replay_merge_next(tt_replay_merge_t *self, tt_replay_record_t *rec,
                         size_t *source)
{
    if (self->failed)
        return -1;
    if (!self->started && s_start(self) != 0)
        return -1;
    if (self->heap_len == 0)
        return 0;
    size_t top = self->heap[0];
    *rec = self->sources[top].pending;
    if (source)
        *source = top;
    int rc = s_pull(self, top);
    if (rc < 0)
        return -1;
    if (rc == 0)
        self->heap[0] = self->heap[--self->heap_len];
    if (self->heap_len > 0)
        s_sift_down(self, 0);
    return 1;
}

const char *tt_replay_merge_error(const tt_replay_merge_t *self)
{
    return self->error;
}

size_t tt_replay_merge_count(const tt_replay_merge_t *self)
{
    return self->count;
}

const tt_csv_reader_t *tt_replay_merge_reader(const tt_replay_merge_t *self,
                                              size_t index)
{
    return index < self->count ? self->sources[index].reader : NULL;
}
