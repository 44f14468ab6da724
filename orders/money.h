/*  orders/money.h: checked scaled-integer arithmetic for prices, quantities
    and money (invariant 7). Used by positions, risk sizing and the paper
    fill model inside the execution actor; pure functions, no state.

    Money (notional, P&L, fees) is int64 in quote currency at the
    instrument's price scale: a notional of 1234.56 USD on an instrument
    with px_decimals = 2 is 123456. A price times a quantity has scale
    10^(px + qty decimals), so it is computed in 128 bits and divided by
    10^qty_decimals with an explicit rounding mode. Every function returns
    -1 instead of overflowing, so no input can cause undefined behaviour. */
#ifndef TT_ORDERS_MONEY_H
#define TT_ORDERS_MONEY_H

#include "marketdata/types.h"

typedef enum {
    TT_RND_FLOOR = 0,   /* towards minus infinity */
    TT_RND_CEIL = 1,    /* towards plus infinity */
    TT_RND_NEAREST = 2, /* nearest, halves away from zero */
} tt_round_t;

/* 10^N for N in 0..18; -1 otherwise. */
int64_t tt_pow10(int n);

/* *OUT = A * B / D rounded by MODE. D must be > 0. Returns 0, or -1 when
   D <= 0 or the result does not fit int64 (*OUT untouched). */
int tt_muldiv(int64_t a, int64_t b, int64_t d, tt_round_t mode, int64_t *out);

/* Money value of QTY at PX: PX * QTY / 10^QTY_DECIMALS, rounded to
   nearest. Signs follow the operands. 0 or -1 (overflow, bad decimals). */
int tt_notional(tt_px_t px, tt_qty_t qty, int32_t qty_decimals, int64_t *out);

/* Re-expresses V from FROM decimals to TO decimals (both 0..18), rounded
   to nearest when precision is lost. 0 or -1 on overflow / bad scale. */
int tt_rescale(int64_t v, int from, int to, int64_t *out);

/* Rounds QTY down to a multiple of LOT; 0 when QTY <= 0; QTY itself
   when LOT <= 0 (no lot constraint). */
tt_qty_t tt_floor_lot(tt_qty_t qty, tt_qty_t lot);

#endif
