/*  venues/binance/bn_private.h: what the files of the Binance REST layer
    (bn_rest.c, bn_order.c, bn_oco.c, bn_filters.c) share and nobody else needs.
 */
#ifndef TT_VENUES_BINANCE_BN_PRIVATE_H
#define TT_VENUES_BINANCE_BN_PRIVATE_H

#include <jansson.h>
#include <stddef.h>

#include "venues/binance/bn_rest.h"

/* Formats a message into ERR (when given) and returns -1, so a parser can
   `return tt_bn_errf(err, size, "...")`. */
__attribute__((format(printf, 3, 4))) int tt_bn_errf(char *err, size_t errsize,
                                                     const char *fmt, ...);

/* bn_rest.c: a decimal parameter KEY of V at DEC decimals; 0 or -1. */
int tt_bn_add_dec(tt_bn_query_t *q, const char *key, int64_t v, int dec);

/* bn_order.c: an order object (a reply, or one leg of an order list's
   reply) into OUT, which the caller zeroed. 0 or -1 with ERR. */
int tt_bn_order_from_json(json_t *o, const tt_instrument_t *ins,
                          tt_bn_order_resp_t *out, char *err, size_t es);

#endif
