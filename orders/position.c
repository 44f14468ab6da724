/*  orders/position.c: signed position with exact integer P&L (see
    position.h). Every fill is computed into a copy first and committed
    only when no step overflowed, so a bad fill leaves the position as it
    was. */
#include "orders/position.h"

#include <assert.h>
#include <string.h>

#include "orders/money.h"

void tt_position_init(tt_position_t *self, int32_t qty_decimals)
{
    assert(self);
    memset(self, 0, sizeof *self);
    self->qty_decimals = qty_decimals;
}

static bool s_add(int64_t *acc, int64_t v)
{
    return !__builtin_add_overflow(*acc, v, acc);
}

/* Opens or adds QTY (> 0) in direction SIGN at PX with FEE. */
static int s_open(tt_position_t *p, int sign, tt_px_t px, tt_qty_t qty,
                  int64_t fee, tt_ns_t ts)
{
    int64_t value;
    if (tt_notional(px, qty, p->qty_decimals, &value) != 0)
        return -1;
    if (p->qty == 0) {
        p->opened_ts = ts;
        p->trip_realized = 0;
        p->trip_fees = 0;
    }
    int64_t dq = sign > 0 ? qty : -qty;
    if (!s_add(&p->cost, value) || !s_add(&p->qty, dq) ||
        !s_add(&p->trip_fees, fee))
        return -1;
    return 0;
}

/* Closes CLOSE (0 < CLOSE <= |qty|) at PX with FEE; fills DELTA. */
static int s_close(tt_position_t *p, tt_px_t px, tt_qty_t close, int64_t fee,
                   tt_position_delta_t *d)
{
    tt_qty_t open = p->qty > 0 ? p->qty : -p->qty;
    int64_t released, exit_value;
    if (tt_muldiv(p->cost, close, open, TT_RND_NEAREST, &released) != 0 ||
        tt_notional(px, close, p->qty_decimals, &exit_value) != 0)
        return -1;
    int64_t r;
    if (__builtin_sub_overflow(exit_value, released, &r) || r == INT64_MIN)
        return -1;
    if (p->qty < 0)
        r = -r;
    p->cost -= released;
    p->qty += p->qty > 0 ? -close : close;
    if (!s_add(&p->realized, r) || !s_add(&p->trip_realized, r) ||
        !s_add(&p->trip_fees, fee))
        return -1;
    d->closed_qty = close;
    d->realized = r;
    if (p->qty == 0) {
        d->closed_trip = true;
        d->trip_net = p->trip_realized - p->trip_fees;
        p->trips++;
        p->opened_ts = 0;
    }
    return 0;
}

static bool s_fill_ok(const tt_fill_t *f)
{
    return f && f->qty > 0 && f->px > 0 &&
           (f->side == TT_SIDE_BUY || f->side == TT_SIDE_SELL);
}

int tt_position_apply(tt_position_t *self, const tt_fill_t *fill,
                      tt_position_delta_t *delta)
{
    assert(self);
    if (!s_fill_ok(fill))
        return -1;
    tt_position_t p = *self;
    tt_position_delta_t d = {0};
    int sign = fill->side == TT_SIDE_BUY ? 1 : -1;
    bool reducing = (p.qty > 0 && sign < 0) || (p.qty < 0 && sign > 0);
    if (!reducing) {
        if (s_open(&p, sign, fill->px, fill->qty, fill->fee, fill->ts) != 0)
            return -1;
    } else {
        tt_qty_t open = p.qty > 0 ? p.qty : -p.qty;
        tt_qty_t close = fill->qty < open ? fill->qty : open;
        tt_qty_t rest = fill->qty - close;
        /* A flip splits the fee pro rata between the trip it closes and
           the one it opens; the two parts always sum to the fee. */
        int64_t fee_close = fill->fee;
        if (rest > 0 && tt_muldiv(fill->fee, close, fill->qty, TT_RND_NEAREST,
                                  &fee_close) != 0)
            return -1;
        if (s_close(&p, fill->px, close, fee_close, &d) != 0)
            return -1;
        if (rest > 0 && s_open(&p, sign, fill->px, rest, fill->fee - fee_close,
                               fill->ts) != 0)
            return -1;
    }
    if (!s_add(&p.fees, fill->fee))
        return -1;
    p.fills++;
    p.updated_ts = fill->ts;
    *self = p;
    if (delta)
        *delta = d;
    return 0;
}

tt_px_t tt_position_avg_px(const tt_position_t *self)
{
    assert(self);
    if (self->qty == 0)
        return 0;
    tt_qty_t open = self->qty > 0 ? self->qty : -self->qty;
    int64_t avg = 0;
    if (tt_muldiv(self->cost, tt_pow10(self->qty_decimals), open,
                  TT_RND_NEAREST, &avg) != 0)
        return 0;
    return avg;
}

int tt_position_unrealized(const tt_position_t *self, tt_px_t mark,
                           int64_t *out)
{
    assert(self && out);
    if (self->qty == 0) {
        *out = 0;
        return 0;
    }
    tt_qty_t open = self->qty > 0 ? self->qty : -self->qty;
    int64_t value, u;
    if (tt_notional(mark, open, self->qty_decimals, &value) != 0 ||
        __builtin_sub_overflow(value, self->cost, &u) || u == INT64_MIN)
        return -1;
    *out = self->qty > 0 ? u : -u;
    return 0;
}

int tt_position_rebuild(tt_position_t *self, int32_t qty_decimals,
                        const tt_fill_t *fills, size_t n)
{
    assert(self);
    tt_position_init(self, qty_decimals);
    for (size_t i = 0; i < n; i++)
        if (tt_position_apply(self, &fills[i], NULL) != 0)
            return -1;
    return 0;
}

bool tt_position_equal(const tt_position_t *a, const tt_position_t *b)
{
    assert(a && b);
    return a->qty == b->qty && a->cost == b->cost &&
           a->realized == b->realized && a->fees == b->fees &&
           a->trip_realized == b->trip_realized &&
           a->trip_fees == b->trip_fees && a->fills == b->fills &&
           a->trips == b->trips && a->qty_decimals == b->qty_decimals &&
           a->opened_ts == b->opened_ts && a->updated_ts == b->updated_ts;
}
