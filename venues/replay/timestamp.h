/*  venues/replay/timestamp.h: the timestamp forms accepted in historical
    CSV files, converted to UTC nanoseconds (tt_ns_t).

    The unit comes from the column's name, never from guessing at the size
    of a number: ts_ns, ts_us and ts_ms hold non-negative integers in that
    unit; ts_s holds decimal seconds (up to 9 fractional digits); ts (or
    time) holds either ISO-8601 UTC ("2024-01-02T14:30:00Z", optional
    fraction, "+00:00" accepted for "Z", or a bare date for midnight) or
    decimal seconds. Pure functions, see docs/DATA.md. */
#ifndef TT_REPLAY_TIMESTAMP_H
#define TT_REPLAY_TIMESTAMP_H

#include <stddef.h>

#include "marketdata/types.h"

typedef enum {
    TT_TS_NS = 0, /* column ts_ns */
    TT_TS_US,     /* column ts_us */
    TT_TS_MS,     /* column ts_ms */
    TT_TS_S,      /* column ts_s: decimal seconds */
    TT_TS_AUTO,   /* column ts / time: ISO-8601 UTC or decimal seconds */
} tt_ts_unit_t;

/* The unit a column NAME (lower case) stands for, or -1 if it is not a
   timestamp column. */
int tt_ts_unit_of(const char *name);

/* Parses LEN bytes of TEXT in UNIT into *OUT (UTC ns since the epoch,
   1970-01-01 to 2262-04-11). Returns 0, or -1 without touching *OUT. */
int tt_ts_parse(const char *text, size_t len, tt_ts_unit_t unit, tt_ns_t *out);

#endif
