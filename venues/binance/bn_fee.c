/*  venues/binance/bn_fee.c: a trade's commission in ticktree's terms (see
    bn_rest.h). Binance charges it in the asset the trade delivered (the
    base coins of a buy, the quote of a sell) unless the account pays fees
    in BNB; ticktree's money is the quote asset at the instrument's price
    scale, so each asset is booked differently. Pure arithmetic in 128
    bits through orders/money.h: no doubles. */
#include "venues/binance/bn_private.h"
#include "venues/binance/bn_rest.h"

#include <stdio.h>
#include <string.h>

#include "orders/money.h"

/* V (at TT_BN_ASSET_DECIMALS) at DEC decimals, rounded by MODE. */
static int s_rescale(int64_t v, int32_t dec, tt_round_t mode, int64_t *out)
{
    if (dec <= TT_BN_ASSET_DECIMALS)
        return tt_muldiv(v, 1, tt_pow10(TT_BN_ASSET_DECIMALS - dec), mode, out);
    return tt_muldiv(v, tt_pow10(dec - TT_BN_ASSET_DECIMALS), 1, mode, out);
}

/* A base-asset commission on a buy: the coins the position does not get,
   rounded up to the lot, and their value at PX. */
static int s_base(int64_t commission, tt_px_t px, tt_qty_t qty,
                  const tt_instrument_t *ins, tt_qty_t lot, tt_bn_fee_t *out,
                  char *err, size_t es)
{
    tt_qty_t q;
    if (s_rescale(commission, ins->qty_decimals, TT_RND_CEIL, &q) != 0 ||
        tt_muldiv(q, 1, lot, TT_RND_CEIL, &q) != 0 ||
        __builtin_mul_overflow(q, lot, &q))
        return tt_bn_errf(err, es, "commission: out of range");
    if (q >= qty)
        return tt_bn_errf(err, es,
                          "commission: %lld of a trade of %lld (lots of "
                          "%lld) leaves nothing",
                          (long long)q, (long long)qty, (long long)lot);
    out->fee_qty = q;
    if (tt_notional(px, q, ins->qty_decimals, &out->fee) != 0)
        return tt_bn_errf(err, es, "commission: value out of range");
    return 0;
}

int tt_bn_commission(const char *asset, int64_t commission, const char *base,
                     const char *quote, tt_side_t side, tt_px_t px,
                     tt_qty_t qty, const tt_instrument_t *ins, tt_qty_t lot,
                     tt_bn_fee_t *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    out->kind = TT_BN_FEE_QUOTE;
    if (commission < 0 || px <= 0 || qty <= 0 || lot <= 0)
        return tt_bn_errf(err, errsize, "commission: negative, or a bad trade");
    if (commission == 0)
        return 0;
    if (asset && quote[0] && !strcmp(asset, quote)) {
        if (s_rescale(commission, ins->px_decimals, TT_RND_NEAREST,
                      &out->fee) != 0)
            return tt_bn_errf(err, errsize, "commission: out of range");
        return 0;
    }
    if (!asset || !base[0] || strcmp(asset, base) != 0) {
        out->kind = TT_BN_FEE_OTHER;
        return 0;
    }
    out->kind = TT_BN_FEE_BASE;
    if (side == TT_SIDE_BUY)
        return s_base(commission, px, qty, ins, lot, out, err, errsize);
    /* Coins taken beyond what the sell delivered: only their value. */
    int64_t q;
    if (s_rescale(commission, ins->qty_decimals, TT_RND_CEIL, &q) != 0 ||
        tt_notional(px, q, ins->qty_decimals, &out->fee) != 0)
        return tt_bn_errf(err, errsize, "commission: out of range");
    return 0;
}

bool tt_bn_split_symbol(const char *symbol, char *base, char *quote,
                        size_t size)
{
    static const char *const quotes[] = {"FDUSD", "USDT", "USDC", "TUSD",
                                         "BUSD",  "EUR",  "TRY",  "BTC",
                                         "ETH",   "BNB"};
    size_t n = strlen(symbol), best = 0;
    for (size_t i = 0; i < sizeof quotes / sizeof quotes[0]; i++) {
        size_t k = strlen(quotes[i]);
        if (k < n && k > best && k < size && !strcmp(symbol + n - k, quotes[i]))
            best = k;
    }
    if (!best || n - best >= size)
        return false;
    snprintf(quote, size, "%s", symbol + n - best);
    snprintf(base, size, "%.*s", (int)(n - best), symbol);
    return true;
}
