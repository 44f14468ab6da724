/*  venues/binance/bn_private.h: what the files of the Binance REST layer
    (bn_rest.c, bn_order.c, bn_filters.c) share and nobody else needs. */
#ifndef TT_VENUES_BINANCE_BN_PRIVATE_H
#define TT_VENUES_BINANCE_BN_PRIVATE_H

#include <stddef.h>

/* Formats a message into ERR (when given) and returns -1, so a parser can
   `return tt_bn_errf(err, size, "...")`. */
__attribute__((format(printf, 3, 4))) int tt_bn_errf(char *err, size_t errsize,
                                                     const char *fmt, ...);

#endif
