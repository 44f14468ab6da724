/*  marketdata/types.h: the value types every market-data and trading module
    shares. Pure data, no behaviour, no dependencies beyond <stdint.h>.

    Prices and quantities are scaled int64 (invariant 7): a price of 189.31
    on an instrument with px_decimals = 2 is stored as 18931. Conversion to
    and from decimal strings happens at the edges (marketdata/decimal.h).
    Time is UTC nanoseconds since the Unix epoch, taken from events, never
    from the wall clock inside logic (invariant 8).

    Fields may be added at the end of these structs; existing fields keep
    their meaning. */
#ifndef TT_MARKETDATA_TYPES_H
#define TT_MARKETDATA_TYPES_H

#include <stdbool.h>
#include <stdint.h>

typedef int64_t tt_px_t;  /* price, scaled by 10^px_decimals */
typedef int64_t tt_qty_t; /* quantity, scaled by 10^qty_decimals */
typedef int64_t tt_ns_t;  /* UTC nanoseconds since the Unix epoch */

#define TT_NS_PER_SEC INT64_C(1000000000)
#define TT_NS_PER_MS INT64_C(1000000)

/* Per-instrument scales and increments. */
typedef struct {
    int32_t px_decimals;  /* price scale exponent (0..9) */
    int32_t qty_decimals; /* quantity scale exponent (0..9) */
    tt_px_t tick_size;    /* smallest price increment, scaled */
    tt_qty_t lot_size;    /* smallest quantity increment, scaled */
} tt_instrument_t;

/* One trade print from a venue. */
typedef struct {
    tt_ns_t ts;        /* venue event time */
    tt_px_t price;     /* scaled */
    tt_qty_t size;     /* scaled */
    uint64_t trade_id; /* venue trade id; 0 when the venue gives none */
} tt_tick_t;

/* One OHLCV candle. open_ts is aligned to a UTC multiple of tf_s. */
typedef struct {
    tt_ns_t open_ts; /* start of the interval (inclusive) */
    int32_t tf_s;    /* timeframe in seconds (1, 60, 300, 3600, 86400...) */
    tt_px_t open;
    tt_px_t high;
    tt_px_t low;
    tt_px_t close;
    tt_qty_t volume; /* sum of trade sizes, scaled like quantities */
    uint32_t trades; /* number of trades merged into this candle */
    bool closed;     /* false while forming (preview), true once closed */
} tt_candle_t;

#endif
