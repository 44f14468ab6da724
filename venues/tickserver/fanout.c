/*  venues/tickserver/fanout.c: the frame ring (see fanout.h).

    Sequence numbers grow forever (64 bits do not wrap in practice); slot
    SEQ lives at SEQ % CAP. A reader is behind by head - cursor frames, and
    never by more than CAP: the push that would make it CAP + 1 behind moves
    its cursor on first, which is where drops are counted. */
#include "venues/tickserver/fanout.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct tt_fanout_t {
    tt_fanout_entry_t *slots;
    size_t cap;
    uint64_t head;               /* sequence number of the next push */
    tt_fanout_reader_t *readers; /* attached readers, newest first */
};

tt_fanout_t *tt_fanout_new(size_t cap)
{
    if (cap < 2)
        return NULL;
    tt_fanout_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->slots = calloc(cap, sizeof *self->slots);
    if (!self->slots) {
        tt_fanout_destroy(&self);
        return NULL;
    }
    self->cap = cap;
    return self;
}

void tt_fanout_destroy(tt_fanout_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->slots);
    free(*self_p);
    *self_p = NULL;
}

size_t tt_fanout_cap(const tt_fanout_t *self)
{
    return self->cap;
}

uint64_t tt_fanout_head(const tt_fanout_t *self)
{
    return self->head;
}

void tt_fanout_attach(tt_fanout_t *self, tt_fanout_reader_t *reader)
{
    reader->cursor = self->head;
    reader->prev = NULL;
    reader->next = self->readers;
    if (self->readers)
        self->readers->prev = reader;
    self->readers = reader;
}

void tt_fanout_detach(tt_fanout_t *self, tt_fanout_reader_t *reader)
{
    if (reader->prev)
        reader->prev->next = reader->next;
    else if (self->readers == reader)
        self->readers = reader->next;
    if (reader->next)
        reader->next->prev = reader->prev;
    reader->next = reader->prev = NULL;
}

static bool s_wants(const tt_fanout_reader_t *reader, int32_t symbol)
{
    if (symbol < 0 || !reader->filter)
        return true;
    return (size_t)symbol < reader->filter_len && reader->filter[symbol];
}

/* Moves every reader that is a whole ring behind past the slot about to be
   overwritten; returns how many subscribed ticks that cost. */
static int s_overrun(tt_fanout_t *self)
{
    int dropped = 0;
    for (tt_fanout_reader_t *r = self->readers; r; r = r->next) {
        if (self->head - r->cursor < self->cap)
            continue;
        const tt_fanout_entry_t *e = &self->slots[r->cursor % self->cap];
        if (e->symbol >= 0 && s_wants(r, e->symbol)) {
            r->dropped++;
            dropped++;
        }
        r->cursor++;
    }
    return dropped;
}

int tt_fanout_push(tt_fanout_t *self, int32_t symbol, bool binary,
                   const void *data, size_t len)
{
    if (len > TT_FANOUT_FRAME_MAX)
        return -1;
    int dropped = s_overrun(self);
    tt_fanout_entry_t *e = &self->slots[self->head % self->cap];
    e->symbol = symbol;
    e->binary = binary;
    e->len = (uint16_t)len;
    memcpy(e->buf + TT_FANOUT_PRE, data, len);
    self->head++;
    return dropped;
}

tt_fanout_entry_t *tt_fanout_peek(tt_fanout_t *self, tt_fanout_reader_t *reader)
{
    assert(self->head - reader->cursor <= self->cap);
    while (reader->cursor < self->head) {
        tt_fanout_entry_t *e = &self->slots[reader->cursor % self->cap];
        if (s_wants(reader, e->symbol))
            return e;
        reader->cursor++;
    }
    return NULL;
}

void tt_fanout_advance(tt_fanout_reader_t *reader)
{
    reader->cursor++;
}

size_t tt_fanout_min_lag(const tt_fanout_t *self)
{
    size_t best = SIZE_MAX;
    for (const tt_fanout_reader_t *r = self->readers; r; r = r->next) {
        size_t lag = (size_t)(self->head - r->cursor);
        if (lag < best)
            best = lag;
    }
    return best;
}
