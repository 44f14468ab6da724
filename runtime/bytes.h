/*  runtime/bytes.h: a growable byte queue of records, written at TAIL and
    read from HEAD, for the frames a thread holds in memory (a sender's
    overflow per destination, a worker's local frames). Records are the
    owner's; this only makes room. */
#ifndef TT_RUNTIME_BYTES_H
#define TT_RUNTIME_BYTES_H
#include <stddef.h>

typedef struct {
    unsigned char *buf; /* records in [head, tail) */
    size_t head, tail, cap;
} tt_bytes_t;

/* Room for NEED more bytes at SELF's tail: the unread part slides to the
   front, and the buffer grows (doubling from 16 KiB) if that is not
   enough. Aborts when memory runs out. Callers test tail + need > cap
   first: the common case costs no call. */
void tt_bytes_make_room(tt_bytes_t *self, size_t need);

#endif
