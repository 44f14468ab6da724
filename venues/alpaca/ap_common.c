/*  venues/alpaca/ap_common.c: scales lookup and number policies (see
    ap_common.h). */
#include "venues/alpaca/ap_common.h"

#include <stdbool.h>
#include <string.h>

#include "marketdata/decimal.h"

int tt_ap_scales_get(const tt_ap_scales_t *self, const char *symbol,
                     tt_instrument_t *out)
{
    memset(out, 0, sizeof *out);
    out->px_decimals = self->px_decimals;
    out->qty_decimals = self->qty_decimals;
    if (self->lookup)
        return self->lookup(self->ctx, symbol, out);
    return 0;
}

int tt_ap_dec_exact(const char *text, size_t len, int decimals, int64_t *out)
{
    return tt_decimal_parse(text, len, decimals, out);
}

int tt_ap_dec_round(const char *text, size_t len, int decimals, int64_t *out)
{
    int rc = tt_decimal_parse(text, len, decimals, out);
    if (rc != TT_DEC_PRECISION || decimals < 0)
        return rc;
    const char *dot = memchr(text, '.', len);
    if (!dot || memchr(text, 'e', len) || memchr(text, 'E', len))
        return rc;
    /* Cut after DECIMALS fractional digits; the next digit decides. */
    size_t keep = (size_t)(dot - text) + 1 + (size_t)decimals;
    int64_t v;
    rc = tt_decimal_parse(text, keep, decimals, &v);
    if (rc != TT_DEC_OK)
        return rc;
    if (text[keep] >= '5') {
        bool neg = text[0] == '-';
        if (neg ? v == INT64_MIN : v == INT64_MAX)
            return TT_DEC_OVERFLOW;
        v += neg ? -1 : 1;
    }
    *out = v;
    return TT_DEC_OK;
}
