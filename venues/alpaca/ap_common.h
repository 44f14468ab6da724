/*  venues/alpaca/ap_common.h: what the Alpaca decoders share: where the
    per-symbol scales come from, and the two number policies (exact for
    prices and quantities the venue states, rounded for values it derives).
    Part of the Alpaca protocol layer (venues/alpaca); pure logic. */
#ifndef TT_ALPACA_AP_COMMON_H
#define TT_ALPACA_AP_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"

/* Longest symbol kept ("BTC/USD", "BRK.B", option-like names fit). */
#define TT_AP_SYMBOL_MAX 31

/* Scales for SYMBOL into *OUT. Return 0, or -1 when the symbol is not
   one the caller trades (its data is then skipped, not an error). */
typedef int (*tt_ap_scale_fn)(void *ctx, const char *symbol,
                              tt_instrument_t *out);

/* How prices and quantities are scaled. With LOOKUP NULL every symbol
   uses PX_DECIMALS and QTY_DECIMALS. */
typedef struct {
    int px_decimals;  /* 0..9 */
    int qty_decimals; /* 0..9 */
    tt_ap_scale_fn lookup;
    void *ctx;
} tt_ap_scales_t;

/* Resolves SYMBOL through SELF. 0, or -1 for an unknown symbol. */
int tt_ap_scales_get(const tt_ap_scales_t *self, const char *symbol,
                     tt_instrument_t *out);

/* Exact decimal: TEXT at DECIMALS must be representable without loss
   (tt_decimal_parse). Returns TT_DEC_OK (0) or a negative status. */
int tt_ap_dec_exact(const char *text, size_t len, int decimals, int64_t *out);

/* Rounded decimal, for values the venue derives (average prices, money,
   P&L): digits beyond DECIMALS are rounded half away from zero. Text with
   an exponent must be exact. Returns TT_DEC_OK or a negative status. */
int tt_ap_dec_round(const char *text, size_t len, int decimals, int64_t *out);

#endif
