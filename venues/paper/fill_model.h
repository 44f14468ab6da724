/*  venues/paper/fill_model.h: the paper broker's fill model. Given the
    resting orders and the symbol's own trade prints, it decides fills,
    deterministically: the same orders and the same tick stream give the
    same fills, byte for byte (invariant 8). The paper broker gateway
    (venues/paper) drives it and turns its events into broker events for
    the order book; this file is pure logic with fixed capacity.

    Rules (docs/TRADING.md, "Paper fills"):
    - An order is eligible only for ticks with ts >= submit ts + latency.
    - MARKET fills at the next eligible trade price moved against the
      order by slippage_bps, rounded outward to the tick grid.
    - LIMIT fills at its limit price when a trade prints strictly through
      it (buy: trade < limit, sell: trade > limit); a trade at exactly
      the limit does not fill, because the queue position is unknown.
    - STOP triggers when a trade prints at or through the stop (buy:
      >= stop, sell: <= stop) and then fills like MARKET on that same
      tick; STOP_LIMIT then behaves like LIMIT from that tick on.
    - Liquidity per tick: all orders together take at most
      participation_bps of the tick's size (0 = unlimited) and at most
      max_qty_per_tick (0 = unlimited), rounded down to the lot; orders
      are served in arrival order. Leftovers wait for later ticks.
    - IOC orders get one eligible tick (after the trigger for stops);
      whatever is left then expires. DAY orders expire at
      tt_paper_end_session().
    - Fee per fill: ceil(notional * fee_bps / 10000) plus fee_fixed on
      the order's first fill, in money at the price scale.
    - Fill ids: "<client id>:<n>" with n the order's 1-based fill count,
      unique because client ids are. */
#ifndef TT_VENUES_PAPER_FILL_MODEL_H
#define TT_VENUES_PAPER_FILL_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "marketdata/types.h"
#include "orders/order.h"
#include "orders/position.h"

#define TT_PAPER_ORDERS 64
/* Events one tick can produce at most: a fill and an expiry per order. */
#define TT_PAPER_EVENTS_MAX (2 * TT_PAPER_ORDERS)

typedef struct {
    int32_t slippage_bps;      /* adverse, market and triggered stop fills */
    int32_t fee_bps;           /* of notional, per fill */
    int64_t fee_fixed;         /* money per order, on its first fill */
    int32_t participation_bps; /* share of a tick's size; 0 = unlimited */
    tt_qty_t max_qty_per_tick; /* 0 = unlimited */
    tt_ns_t latency_ns;        /* submit -> eligible */
} tt_paper_cfg_t;

typedef enum { TT_PAPER_FILL = 1, TT_PAPER_EXPIRED = 2 } tt_paper_ev_kind_t;

typedef struct {
    tt_paper_ev_kind_t kind;
    char coid[TT_COID_MAX + 1];
    char fill_id[TT_FILL_ID_MAX + 1]; /* FILL */
    tt_side_t side;
    tt_px_t px;   /* FILL: execution price */
    tt_qty_t qty; /* FILL: executed quantity */
    int64_t fee;  /* FILL: money */
    tt_ns_t ts;   /* the tick's (or session end's) time */
} tt_paper_event_t;

typedef struct {
    char coid[TT_COID_MAX + 1];
    tt_side_t side;
    tt_ord_type_t type;
    tt_tif_t tif;
    tt_qty_t qty;
    tt_qty_t filled;
    tt_px_t limit_px;
    tt_px_t stop_px;
    tt_ns_t eligible_ts; /* submit ts + latency */
    bool triggered;      /* stop touched */
    uint32_t fills;
    uint64_t seq;    /* arrival number, from 1 */
    tt_px_t last_px; /* price of its latest fill; 0 before the first */
    int64_t fees;    /* money charged on its fills so far */
} tt_paper_order_t;

typedef struct {
    tt_paper_cfg_t cfg;
    tt_instrument_t inst;
    tt_paper_order_t orders[TT_PAPER_ORDERS]; /* resting, arrival order */
    int32_t n;
    uint64_t fills;
    uint64_t arrivals; /* orders ever rested */
    char err[160];
} tt_paper_t;

/* 0, or -1 with the reason in SELF->err (negative settings, bps above
   10000, bad instrument). */
int tt_paper_init(tt_paper_t *self, const tt_paper_cfg_t *cfg,
                  const tt_instrument_t *inst);

/* Rests ORDER (as the book emitted it) from TS. Returns 0; 1 when an
   order with that client id already rests (a retried send: ignored);
   -1 with SELF->err when malformed or the model is full. */
int tt_paper_submit(tt_paper_t *self, const tt_order_t *order, tt_ns_t ts);

/* Removes the resting order COID. 0, or -1 when it does not rest (filled,
   expired, unknown). */
int tt_paper_cancel(tt_paper_t *self, const char *coid);

/* Cancel-and-replace: removes OLD_COID and rests ORDER from TS. 0 or -1
   (nothing changes when OLD_COID does not rest). */
int tt_paper_replace(tt_paper_t *self, const char *old_coid,
                     const tt_order_t *order, tt_ns_t ts);

/* Matches TICK against the resting orders; writes up to CAP events
   (CAP >= TT_PAPER_EVENTS_MAX) into OUT. Returns the count, or -1 for a
   malformed tick or a too small CAP (nothing changes). */
int tt_paper_on_tick(tt_paper_t *self, const tt_tick_t *tick,
                     tt_paper_event_t *out, int cap);

/* Like tt_paper_on_tick, for the resting orders that arrived as number
   MIN_SEQ or later only. The execution actor uses it to let an order that
   reached the broker after some of the trades its decision preceded catch
   up on exactly those trades (docs/TRADING.md, "Event time"); older orders
   have seen them already. Liquidity limits apply to the late orders
   among themselves. */
int tt_paper_on_tick_since(tt_paper_t *self, const tt_tick_t *tick,
                           uint64_t min_seq, tt_paper_event_t *out, int cap);

/* The arrival number the next resting order will get. */
uint64_t tt_paper_next_seq(const tt_paper_t *self);

/* The session ended at TS: DAY orders expire. Returns the event count,
   or -1 when CAP < TT_PAPER_ORDERS. */
int tt_paper_end_session(tt_paper_t *self, tt_ns_t ts, tt_paper_event_t *out,
                         int cap);

/* The resting order COID, or NULL. Borrowed. */
const tt_paper_order_t *tt_paper_find(const tt_paper_t *self, const char *coid);

#endif
