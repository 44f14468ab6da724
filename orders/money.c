/*  orders/money.c: checked 128-bit multiply-divide with explicit rounding
    (see money.h). GCC and Clang provide __int128 on every 64-bit target
    we build for; __extension__ keeps -Wpedantic quiet about it. */
#include "orders/money.h"

__extension__ typedef __int128 s_i128;

int64_t tt_pow10(int n)
{
    if (n < 0 || n > 18)
        return -1;
    int64_t v = 1;
    while (n-- > 0)
        v *= 10;
    return v;
}

/* Quotient of N / D (D > 0) rounded by MODE, in 128 bits. */
static s_i128 s_div(s_i128 n, s_i128 d, tt_round_t mode)
{
    s_i128 q = n / d;
    s_i128 r = n % d; /* has the sign of n */
    switch (mode) {
    case TT_RND_FLOOR:
        if (r < 0)
            q--;
        break;
    case TT_RND_CEIL:
        if (r > 0)
            q++;
        break;
    case TT_RND_NEAREST: {
        s_i128 twice = r < 0 ? -2 * r : 2 * r;
        if (twice >= d)
            q += n < 0 ? -1 : 1;
        break;
    }
    }
    return q;
}

int tt_muldiv(int64_t a, int64_t b, int64_t d, tt_round_t mode, int64_t *out)
{
    if (d <= 0 || !out)
        return -1;
    /* |a*b| < 2^126, so the product itself never overflows 128 bits. */
    s_i128 q = s_div((s_i128)a * b, d, mode);
    if (q > INT64_MAX || q < INT64_MIN)
        return -1;
    *out = (int64_t)q;
    return 0;
}

int tt_notional(tt_px_t px, tt_qty_t qty, int32_t qty_decimals, int64_t *out)
{
    int64_t scale = tt_pow10(qty_decimals);
    if (scale < 0)
        return -1;
    return tt_muldiv(px, qty, scale, TT_RND_NEAREST, out);
}

int tt_rescale(int64_t v, int from, int to, int64_t *out)
{
    if (from < 0 || from > 18 || to < 0 || to > 18)
        return -1;
    if (to >= from)
        return tt_muldiv(v, tt_pow10(to - from), 1, TT_RND_NEAREST, out);
    return tt_muldiv(v, 1, tt_pow10(from - to), TT_RND_NEAREST, out);
}

tt_qty_t tt_floor_lot(tt_qty_t qty, tt_qty_t lot)
{
    if (qty <= 0)
        return 0;
    if (lot <= 0) /* no lot constraint */
        return qty;
    return qty - qty % lot;
}
