/*  venues/binance/bn_stream.h: Binance spot market-stream frames. Parses
    what the websocket delivers (raw `/ws/<stream>` events and combined
    `/stream?streams=` wrappers) into tt_tick_t / tt_candle_t, and builds
    the SUBSCRIBE / UNSUBSCRIBE requests and combined-stream paths.

    Runs on the feed gateway's thread, once per frame: parsing allocates
    nothing (venues/common/jscan.h) and prices go from the decimal strings
    straight to scaled integers (marketdata/decimal.h), never via double.
    A parser object only holds the symbol lookup and the counters. */
#ifndef TT_VENUES_BINANCE_BN_STREAM_H
#define TT_VENUES_BINANCE_BN_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"

/* Longest symbol kept (Binance symbols are up to 20 characters). */
#define TT_BN_SYMBOL_MAX 32

typedef enum {
    TT_BN_MSG_TICK = 1,            /* trade or aggTrade: msg.tick */
    TT_BN_MSG_BAR = 2,             /* kline: msg.bar (bar.closed = "x") */
    TT_BN_MSG_REPLY = 3,           /* {"result":..,"id":N}: msg.id */
    TT_BN_MSG_VENUE_ERROR = 4,     /* {"code":N,"msg":".."}: code, text, id */
    TT_BN_MSG_SHUTDOWN = 5,        /* serverShutdown: reconnect soon */
    TT_BN_MSG_UNKNOWN = 6,         /* another event type: skip (counted) */
    TT_BN_MSG_UNKNOWN_SYMBOL = -1, /* well formed, symbol not ours */
    TT_BN_MSG_MALFORMED = -2,      /* bad JSON or field: msg.text says what */
} tt_bn_msg_kind_t;

/* Maps a symbol ("BTCUSDT", as the venue sends it) to the caller's index
   (>= 0) and its scales, or returns -1 when the symbol is unknown. */
typedef int(tt_bn_lookup_fn)(void *arg, const char *symbol,
                             tt_instrument_t *instrument);

typedef struct {
    tt_bn_msg_kind_t kind;
    char symbol[TT_BN_SYMBOL_MAX]; /* "s" of a tick or bar */
    int symbol_index;              /* what the lookup returned */
    bool agg;                      /* the tick is an aggTrade */
    bool buyer_maker;              /* "m": the seller was the taker */
    tt_ns_t event_ts;              /* "E", the venue's send time */
    tt_tick_t tick;                /* ts = trade time "T" */
    tt_candle_t bar;
    int64_t id;     /* reply / error request id; -1 none */
    int64_t code;   /* venue error code */
    char text[160]; /* error text, or why it was malformed */
} tt_bn_msg_t;

typedef struct {
    uint64_t ticks, bars, replies, venue_errors, shutdowns;
    uint64_t unknown;        /* event types we do not use */
    uint64_t unknown_symbol; /* symbols the lookup refused */
    uint64_t malformed;
} tt_bn_stream_stats_t;

typedef struct {
    tt_bn_lookup_fn *lookup;
    void *arg;
    tt_bn_stream_stats_t stats;
} tt_bn_stream_t;

/* A parser over LOOKUP (called with ARG). */
void tt_bn_stream_init(tt_bn_stream_t *self, tt_bn_lookup_fn *lookup,
                       void *arg);

/* Parses one frame of LEN bytes into *OUT and returns OUT->kind (also
   counted in self->stats). */
tt_bn_msg_kind_t tt_bn_stream_parse(tt_bn_stream_t *self, const char *buf,
                                    size_t len, tt_bn_msg_t *out);

/* Seconds in a kline interval ("1s", "1m" ... "1w"), or -1 for "1M" (a
   calendar month has no fixed length) and anything else. */
int32_t tt_bn_interval_seconds(const char *iv, size_t len);

/* A small symbol table usable as a tt_bn_lookup_fn (ARG = the table). */
typedef struct {
    const char *symbol;
    tt_instrument_t instrument;
} tt_bn_symtab_entry_t;

typedef struct {
    const tt_bn_symtab_entry_t *entries; /* caller-owned */
    size_t n;
} tt_bn_symtab_t;

int tt_bn_symtab_lookup(void *arg, const char *symbol,
                        tt_instrument_t *instrument);

/* Writes {"method":METHOD,"params":[...],"id":ID} into BUF, where METHOD
   is "SUBSCRIBE" or "UNSUBSCRIBE" and the params are the NSTREAMS stream
   names with their symbol part lowercased ("BTCUSDT@kline_1m" ->
   "btcusdt@kline_1m"; the part after '@' is case sensitive). Returns
   the length (BUF NUL-terminated), or -1 when it does not fit or a name
   is empty or holds a character other than [A-Za-z0-9@_.-]. */
int tt_bn_subscribe_json(char *buf, size_t size, const char *method,
                         const char *const *streams, size_t nstreams,
                         int64_t id);

/* Writes "/stream?streams=a/b/c" (symbols lowercased, same checks) into
   BUF. Returns the length or -1. */
int tt_bn_combined_path(char *buf, size_t size, const char *const *streams,
                        size_t nstreams);

/* Writes the stream name for SYMBOL and KIND ("trade", "aggTrade",
   "kline_1m"), lowercasing the symbol: "btcusdt@kline_1m". Returns the
   length or -1. */
int tt_bn_stream_name(char *buf, size_t size, const char *symbol,
                      const char *kind);

#endif
