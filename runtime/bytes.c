/*  runtime/bytes.c: see bytes.h. */
#include "runtime/bytes.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void tt_bytes_make_room(tt_bytes_t *self, size_t need)
{
    size_t used = self->tail - self->head;
    if (self->head)
        memmove(self->buf, self->buf + self->head, used);
    self->head = 0;
    self->tail = used;
    if (used + need <= self->cap)
        return;
    size_t cap = self->cap ? self->cap : 16384;
    while (cap < used + need)
        cap *= 2;
    unsigned char *grown = realloc(self->buf, cap);
    assert(grown);
    self->buf = grown;
    self->cap = cap;
}
