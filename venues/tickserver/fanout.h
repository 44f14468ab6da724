/*  venues/tickserver/fanout.h: the tickserver's one-writer, many-reader
    frame ring.

    Every frame the server sends (ticks, heartbeats, test frames) is
    formatted once into a ring of CAP slots. Each connection is a reader
    with its own cursor into that ring, so fan-out costs no copy per
    client. A reader that falls CAP frames behind is overrun: the frame
    about to be overwritten is skipped for it and, if it is a tick the
    reader subscribed to, counted as dropped. That is the bounded
    per-connection queue of docs/TICKSERVER.md: a slow client loses ticks,
    it never holds back the writer or the other readers.

    Pure logic (no sockets), run by the tickserver's thread. The slots keep
    TT_FANOUT_PRE spare bytes before each payload so that the websocket
    layer can write its frame header in place. */
#ifndef TT_TICKSERVER_FANOUT_H
#define TT_TICKSERVER_FANOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TT_FANOUT_PRE 32        /* header room before each payload */
#define TT_FANOUT_FRAME_MAX 480 /* longest payload, bytes */
#define TT_FANOUT_ALL (-1)      /* symbol of a frame every reader gets */

typedef struct {
    int32_t symbol; /* symbol index, or TT_FANOUT_ALL */
    bool binary;    /* send as a binary frame (tests only) */
    uint16_t len;   /* payload bytes */
    unsigned char buf[TT_FANOUT_PRE + TT_FANOUT_FRAME_MAX];
} tt_fanout_entry_t;

/* One reader. The caller owns it (it lives in the connection's state) and
   keeps it attached between tt_fanout_attach and tt_fanout_detach. */
typedef struct tt_fanout_reader_t {
    struct tt_fanout_reader_t *next, *prev; /* the ring's reader list */
    uint64_t cursor;       /* sequence number of the next frame to read */
    uint64_t dropped;      /* subscribed ticks lost to overruns */
    const uint8_t *filter; /* per-symbol 0/1, or NULL: every symbol */
    size_t filter_len;     /* entries in filter */
} tt_fanout_reader_t;

typedef struct tt_fanout_t tt_fanout_t;

/* A ring of CAP (>= 2) slots, or NULL. */
tt_fanout_t *tt_fanout_new(size_t cap);

/* Frees the ring (readers are the caller's); accepts NULL, nulls *SELF_P. */
void tt_fanout_destroy(tt_fanout_t **self_p);

size_t tt_fanout_cap(const tt_fanout_t *self);

/* Sequence number the next pushed frame will get (0 at the start). */
uint64_t tt_fanout_head(const tt_fanout_t *self);

/* Starts READER at the head: it sees only frames pushed from now on. */
void tt_fanout_attach(tt_fanout_t *self, tt_fanout_reader_t *reader);

void tt_fanout_detach(tt_fanout_t *self, tt_fanout_reader_t *reader);

/* Appends one frame of LEN (<= TT_FANOUT_FRAME_MAX) bytes for SYMBOL,
   overrunning readers that are CAP frames behind. Returns the number of
   ticks this push made readers drop, or -1 when LEN is too long. */
int tt_fanout_push(tt_fanout_t *self, int32_t symbol, bool binary,
                   const void *data, size_t len);

/* The next frame READER should send (frames of other symbols are skipped
   over), or NULL when it is up to date. The entry stays valid until the
   next push; the caller may write into its TT_FANOUT_PRE header room. */
tt_fanout_entry_t *tt_fanout_peek(tt_fanout_t *self,
                                  tt_fanout_reader_t *reader);

/* Marks the frame returned by tt_fanout_peek as sent. */
void tt_fanout_advance(tt_fanout_reader_t *reader);

/* Frames the least-behind reader still has to read (a reader may skip some
   of them by its filter), or SIZE_MAX when no reader is attached. */
size_t tt_fanout_min_lag(const tt_fanout_t *self);

#endif
