/*  venues/sim/tickjson.h: the JSON tick format `ticktree tickserver`
    streams over its websocket, and the parser a client uses to read it.

        {"T":"t","S":"BTCUSD","p":"65000.12","s":"0.0021",
         "t":1700000000123456789,"i":42}

    T is the message type ("t" = trade), S the symbol, p and s the price and
    size as exact decimal strings (never JSON numbers, so no float ever
    touches them), t the event time in integer UTC nanoseconds and i the
    trade id. Full specification: docs/DATA.md. Pure functions; the
    formatter writes into a caller buffer and does not allocate. */
#ifndef TT_SIM_TICKJSON_H
#define TT_SIM_TICKJSON_H

#include <stddef.h>

#include "marketdata/types.h"
#include "venues/sim/simmarket.h"

/* Longest message the formatter can produce, NUL included. */
#define TT_TICKJSON_MAX 160

/* Maps a symbol name to its instrument: returns the caller's index for the
   symbol (>= 0) and fills *INSTRUMENT, or -1 when the symbol is unknown. */
typedef int(tt_tickjson_lookup_fn)(void *arg, const char *symbol,
                                   tt_instrument_t *instrument);

typedef struct {
    char symbol[TT_SIM_NAME_MAX]; /* as sent */
    int symbol_index;             /* what the lookup returned */
    tt_tick_t tick;               /* scaled with that symbol's instrument */
} tt_tickjson_msg_t;

/* Writes TICK of SYMBOL as one JSON object (no newline) into BUF. Returns
   the length (excluding the NUL) or -1 when SIZE is too small, SYMBOL is
   empty, too long or holds a character other than [A-Za-z0-9._/:-], or
   the decimals of INSTRUMENT are out of range. */
int tt_tickjson_format(const char *symbol, const tt_instrument_t *instrument,
                       const tt_tick_t *tick, char *buf, size_t size);

/* Parses one message of LEN bytes. Unknown fields are ignored (the format
   may grow); "i" is optional (0 when absent). Returns 0, or -1 with a
   message in ERR (ERRSIZE bytes) naming the field that was wrong. */
int tt_tickjson_parse(const char *text, size_t len,
                      tt_tickjson_lookup_fn *lookup, void *arg,
                      tt_tickjson_msg_t *out, char *err, size_t errsize);

#endif
