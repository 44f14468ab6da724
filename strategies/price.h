/*  strategies/price.h: where a strategy's double arithmetic (indicator
    values, percentages, ATR multiples) becomes a scaled int64 price
    (invariant 7). Pure functions, used by every strategy.

    Distances are given already scaled (price units * 10^px_decimals, as a
    double). Rounding to the tick goes towards the reference price, the
    safe direction for both kinds of level:
    - a stop rounded towards the price never risks more than computed (a
      long stop rounds up, a short stop rounds down), so risk-based sizing
      stays an upper bound;
    - a target rounded towards the price is never further than computed
      (a long target rounds down, a short target rounds up).
    A value within 1e-6 of a tick multiple counts as on it, so that 2.46 *
    100 = 245.99999999999997 is not pushed a whole tick away. */
#ifndef TT_STRATEGIES_PRICE_H
#define TT_STRATEGIES_PRICE_H

#include "marketdata/types.h"

/* 10^decimals as a double (decimals 0..18). */
double tt_px_scale(int decimals);

/* X (scaled, double) rounded up / down to a multiple of TICK (> 0). */
tt_px_t tt_px_ceil_tick(double x, tt_px_t tick);
tt_px_t tt_px_floor_tick(double x, tt_px_t tick);

/* Protective stop for a position of SIDE (+1/-1) entered at REF, DIST away
   (scaled, >= 0), rounded towards REF. At least one tick from REF, and a
   long stop is at least one tick above zero. */
tt_px_t tt_px_stop(const tt_instrument_t *inst, int side, tt_px_t ref,
                   double dist);

/* Take-profit for SIDE at REF, DIST away, rounded towards REF, at least one
   tick from it. 0 (none) when a short target would not be above zero. */
tt_px_t tt_px_target(const tt_instrument_t *inst, int side, tt_px_t ref,
                     double dist);

#endif
