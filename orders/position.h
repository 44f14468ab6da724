/*  orders/position.h: the one position a symbol holds (invariant 3), kept
    incrementally from fills and rebuildable from the ledger (invariant 6).
    Pure logic owned by the order book (orders/book.h) inside the symbol's
    execution actor.

    Conventions (docs/TRADING.md, "P&L and fees"):
    - qty is signed: > 0 long, < 0 short, 0 flat.
    - Money (cost, realized, fees, unrealized) is int64 in quote currency
      at the instrument's price scale. A fill's money value is
      round_nearest(px * qty / 10^qty_decimals) (orders/money.h).
    - cost is the money value of the open quantity at its entry prices.
      Closing q of an open Q releases round_nearest(cost * q / Q) of it;
      realized gains (exit value - released cost) for a long and the
      negative of that for a short. realized is gross: fees are kept
      apart in fees, and net = realized - fees.
    - A fill larger than the open quantity on the other side closes the
      position and opens the remainder the other way (a flip); the two
      parts are valued separately. */
#ifndef TT_ORDERS_POSITION_H
#define TT_ORDERS_POSITION_H

#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"
#include "orders/order.h"

#define TT_FILL_ID_MAX 47
/* An asset's name as a venue spells it ("BTC", "USDT", "BNB"). */
#define TT_FILL_ASSET_MAX 19

/* One execution as the ledger records it. */
typedef struct {
    char fill_id[TT_FILL_ID_MAX + 1]; /* venue fill id (dedupe key) */
    char coid[TT_COID_MAX + 1];       /* client id of the order filled */
    tt_side_t side;
    tt_px_t px;   /* execution price */
    tt_qty_t qty; /* executed quantity, > 0 */
    int64_t fee;  /* money; > 0 paid, < 0 rebate */
    tt_ns_t ts;   /* venue execution time */
    /* What the venue reported, for reconciling with its statements; the
       position reads none of it. qty is what reached the position: less
       than exec_qty when the venue kept its commission in the base
       asset. */
    tt_qty_t exec_qty;           /* the venue's executed quantity; 0: qty */
    int64_t commission;          /* at commission_decimals, exact */
    int32_t commission_decimals; /* 0..18 */
    char commission_asset[TT_FILL_ASSET_MAX + 1]; /* "" when unknown */
} tt_fill_t;

typedef struct {
    tt_qty_t qty;          /* signed open quantity */
    int64_t cost;          /* money value of the open quantity, >= 0 */
    int64_t realized;      /* gross realized P&L, money */
    int64_t fees;          /* fees paid, money */
    int64_t trip_realized; /* realized P&L of the current / last trip */
    int64_t trip_fees;     /* fees of the current / last trip */
    uint64_t fills;        /* fills applied */
    uint64_t trips;        /* round trips closed (back to flat or flipped) */
    int32_t qty_decimals;
    tt_ns_t opened_ts; /* when the current trip opened; 0 when flat */
    tt_ns_t updated_ts;
} tt_position_t;

/* What one fill did to the position. */
typedef struct {
    bool closed_trip;    /* the fill flattened (or flipped) a position */
    int64_t trip_net;    /* that trip's realized - fees, when closed */
    tt_qty_t closed_qty; /* quantity the fill closed */
    int64_t realized;    /* realized P&L of this fill, money */
} tt_position_delta_t;

/* A flat position for an instrument quoted with QTY_DECIMALS (0..18). */
void tt_position_init(tt_position_t *self, int32_t qty_decimals);

/* Applies FILL. DELTA may be NULL. 0, or -1 (position unchanged) when
   the fill is malformed (qty <= 0, px <= 0, bad side) or a money value
   would overflow. */
int tt_position_apply(tt_position_t *self, const tt_fill_t *fill,
                      tt_position_delta_t *delta);

/* Average entry price (cost * 10^qty_decimals / |qty|, nearest); 0 when
   flat. */
tt_px_t tt_position_avg_px(const tt_position_t *self);

/* Unrealized P&L at MARK into *OUT: value(MARK, |qty|) - cost for a long,
   cost - value for a short; 0 when flat. 0, or -1 on overflow. */
int tt_position_unrealized(const tt_position_t *self, tt_px_t mark,
                           int64_t *out);

/* Rebuilds SELF from N ledger fills in order. 0, or -1 at the first bad
   fill (SELF then holds the fills before it). */
int tt_position_rebuild(tt_position_t *self, int32_t qty_decimals,
                        const tt_fill_t *fills, size_t n);

/* True when every field of A and B is equal. */
bool tt_position_equal(const tt_position_t *a, const tt_position_t *b);

#endif
