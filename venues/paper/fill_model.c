/*  venues/paper/fill_model.c: deterministic paper fills (rules in
    fill_model.h). Resting orders are kept compacted in arrival order, so
    serving "first come, first filled" is a plain loop. */
#include "venues/paper/fill_model.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "orders/money.h"

static int s_fail(tt_paper_t *self, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int s_fail(tt_paper_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(self->err, sizeof self->err, fmt, ap);
    va_end(ap);
    return -1;
}

int tt_paper_init(tt_paper_t *self, const tt_paper_cfg_t *cfg,
                  const tt_instrument_t *inst)
{
    assert(self);
    memset(self, 0, sizeof *self);
    if (!cfg || !inst)
        return s_fail(self, "paper: missing config or instrument");
    if (inst->tick_size <= 0 || inst->lot_size <= 0 || inst->px_decimals < 0 ||
        inst->px_decimals > 9 || inst->qty_decimals < 0 ||
        inst->qty_decimals > 9)
        return s_fail(self, "paper: instrument needs tick_size > 0, "
                            "lot_size > 0 and decimals 0..9");
    if (cfg->slippage_bps < 0 || cfg->slippage_bps > 10000 ||
        cfg->fee_bps < 0 || cfg->fee_bps > 10000 ||
        cfg->participation_bps < 0 || cfg->participation_bps > 10000)
        return s_fail(self, "paper: slippage_bps, fee_bps and "
                            "participation_bps must be 0..10000");
    if (cfg->fee_fixed < 0 || cfg->max_qty_per_tick < 0 || cfg->latency_ns < 0)
        return s_fail(self, "paper: fee_fixed, max_qty_per_tick and "
                            "latency_ns must be >= 0");
    self->cfg = *cfg;
    self->inst = *inst;
    return 0;
}

/* SRC into DST of CAP bytes, cut to fit: snprintf's "%s" without its
   formatting (once per order and twice per fill). */
static void s_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* "COID:N" into DST of CAP bytes, cut to fit, as snprintf's "%s:%u". */
static void s_fill_id(char *dst, size_t cap, const char *coid, unsigned n)
{
    char digits[16];
    size_t d = sizeof digits;
    do {
        digits[--d] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    size_t at = strnlen(coid, cap - 1);
    memcpy(dst, coid, at);
    if (at < cap - 1)
        dst[at++] = ':';
    size_t take = sizeof digits - d;
    if (take > cap - 1 - at)
        take = cap - 1 - at;
    memcpy(dst + at, digits + d, take);
    dst[at + take] = '\0';
}

static int s_find(const tt_paper_t *self, const char *coid)
{
    for (int i = 0; coid && i < self->n; i++)
        if (strcmp(self->orders[i].coid, coid) == 0)
            return i;
    return -1;
}

const tt_paper_order_t *tt_paper_find(const tt_paper_t *self, const char *coid)
{
    assert(self);
    int i = s_find(self, coid);
    return i < 0 ? NULL : &self->orders[i];
}

static void s_remove(tt_paper_t *self, int i)
{
    memmove(&self->orders[i], &self->orders[i + 1],
            (size_t)(self->n - i - 1) * sizeof self->orders[0]);
    self->n--;
}

static int s_check_order(tt_paper_t *self, const tt_order_t *o)
{
    bool limit = o->type == TT_ORD_LIMIT || o->type == TT_ORD_STOP_LIMIT;
    bool stop = o->type == TT_ORD_STOP || o->type == TT_ORD_STOP_LIMIT;
    if (!o->coid[0])
        return s_fail(self, "paper: order without a client id");
    if (o->side != TT_SIDE_BUY && o->side != TT_SIDE_SELL)
        return s_fail(self, "paper: %s has no valid side", o->coid);
    if (o->type < TT_ORD_MARKET || o->type > TT_ORD_STOP_LIMIT ||
        o->tif < TT_TIF_DAY || o->tif > TT_TIF_IOC)
        return s_fail(self, "paper: %s has a bad type or tif", o->coid);
    if (o->qty <= 0 || (limit && o->limit_px <= 0) || (stop && o->stop_px <= 0))
        return s_fail(self, "paper: %s needs qty > 0 and its prices", o->coid);
    return 0;
}

int tt_paper_submit(tt_paper_t *self, const tt_order_t *order, tt_ns_t ts)
{
    assert(self);
    if (!order)
        return s_fail(self, "paper: no order");
    if (s_find(self, order->coid) >= 0)
        return 1;
    if (s_check_order(self, order) != 0)
        return -1;
    if (self->n >= TT_PAPER_ORDERS)
        return s_fail(self, "paper: %d orders already rest", TT_PAPER_ORDERS);
    tt_paper_order_t *p = &self->orders[self->n++];
    memset(p, 0, sizeof *p);
    s_copy(p->coid, sizeof p->coid, order->coid);
    p->side = order->side;
    p->type = order->type;
    p->tif = order->tif;
    p->qty = order->qty;
    p->limit_px = order->limit_px;
    p->stop_px = order->stop_px;
    p->eligible_ts = ts + self->cfg.latency_ns;
    p->seq = ++self->arrivals;
    return 0;
}

int tt_paper_cancel(tt_paper_t *self, const char *coid)
{
    assert(self);
    int i = s_find(self, coid);
    if (i < 0)
        return s_fail(self, "paper: no resting order %s",
                      coid ? coid : "(null)");
    s_remove(self, i);
    return 0;
}

int tt_paper_replace(tt_paper_t *self, const char *old_coid,
                     const tt_order_t *order, tt_ns_t ts)
{
    assert(self);
    int i = s_find(self, old_coid);
    if (i < 0)
        return s_fail(self, "paper: no resting order %s",
                      old_coid ? old_coid : "(null)");
    if (!order || s_check_order(self, order) != 0)
        return -1;
    s_remove(self, i);
    return tt_paper_submit(self, order, ts) < 0 ? -1 : 0;
}

/* ---- matching -------------------------------------------------------- */

/* Liquidity one tick offers to all resting orders together. */
static tt_qty_t s_liquidity(const tt_paper_t *self, const tt_tick_t *t)
{
    tt_qty_t avail = INT64_MAX;
    if (self->cfg.participation_bps > 0) {
        int64_t share = 0;
        tt_muldiv(t->size, self->cfg.participation_bps, 10000, TT_RND_FLOOR,
                  &share);
        avail = tt_floor_lot(share, self->inst.lot_size);
    }
    if (self->cfg.max_qty_per_tick > 0 && self->cfg.max_qty_per_tick < avail)
        avail = tt_floor_lot(self->cfg.max_qty_per_tick, self->inst.lot_size);
    return avail;
}

/* PX moved against SIDE by slippage_bps, rounded outward to the grid. */
static tt_px_t s_slipped(const tt_paper_t *self, tt_side_t side, tt_px_t px)
{
    tt_px_t tick = self->inst.tick_size;
    int64_t bps = self->cfg.slippage_bps, p = px;
    if (side == TT_SIDE_BUY) {
        if (tt_muldiv(px, 10000 + bps, 10000, TT_RND_CEIL, &p) != 0)
            return px;
        return p % tick ? p + (tick - p % tick) : p;
    }
    tt_muldiv(px, 10000 - bps, 10000, TT_RND_FLOOR, &p);
    p -= p % tick;
    return p > 0 ? p : tick;
}

/* The price O fills at against trade price PX, or 0 when it does not. */
static tt_px_t s_fill_price(const tt_paper_t *self, tt_paper_order_t *o,
                            tt_px_t px)
{
    bool buy = o->side == TT_SIDE_BUY;
    if ((o->type == TT_ORD_STOP || o->type == TT_ORD_STOP_LIMIT) &&
        !o->triggered) {
        if (buy ? px < o->stop_px : px > o->stop_px)
            return 0;
        o->triggered = true;
    }
    if (o->type == TT_ORD_MARKET || o->type == TT_ORD_STOP)
        return s_slipped(self, o->side, px);
    bool through = buy ? px < o->limit_px : px > o->limit_px;
    return through ? o->limit_px : 0;
}

static int s_fill(tt_paper_t *self, tt_paper_order_t *o, tt_px_t px,
                  tt_qty_t qty, tt_ns_t ts, tt_paper_event_t *ev)
{
    int64_t notional, fee;
    if (tt_notional(px, qty, self->inst.qty_decimals, &notional) != 0 ||
        tt_muldiv(notional, self->cfg.fee_bps, 10000, TT_RND_CEIL, &fee) != 0)
        return -1;
    if (o->fills == 0)
        fee += self->cfg.fee_fixed;
    o->fills++;
    o->filled += qty;
    o->last_px = px;
    o->fees += fee;
    self->fills++;
    memset(ev, 0, sizeof *ev);
    ev->kind = TT_PAPER_FILL;
    s_copy(ev->coid, sizeof ev->coid, o->coid);
    s_fill_id(ev->fill_id, sizeof ev->fill_id, o->coid, o->fills);
    ev->side = o->side;
    ev->px = px;
    ev->qty = qty;
    ev->fee = fee;
    ev->ts = ts;
    return 0;
}

static void s_expired(const tt_paper_order_t *o, tt_ns_t ts,
                      tt_paper_event_t *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = TT_PAPER_EXPIRED;
    s_copy(ev->coid, sizeof ev->coid, o->coid);
    ev->side = o->side;
    ev->ts = ts;
}

/* Matches order I against tick T; appends events at OUT + *N. Returns
   true when the order is done (filled or expired) and must go. */
static bool s_match(tt_paper_t *self, int i, const tt_tick_t *t,
                    tt_qty_t *avail, tt_paper_event_t *out, int *n)
{
    tt_paper_order_t *o = &self->orders[i];
    if (t->ts < o->eligible_ts)
        return false;
    tt_px_t px = s_fill_price(self, o, t->price);
    bool armed =
        o->type == TT_ORD_MARKET || o->type == TT_ORD_LIMIT || o->triggered;
    tt_qty_t leaves = o->qty - o->filled;
    tt_qty_t qty = leaves < *avail ? leaves : *avail;
    if (px > 0 && qty > 0 && s_fill(self, o, px, qty, t->ts, &out[*n]) == 0) {
        (*n)++;
        *avail -= qty;
    }
    if (o->filled == o->qty)
        return true;
    if (o->tif == TT_TIF_IOC && armed) {
        s_expired(o, t->ts, &out[(*n)++]);
        return true;
    }
    return false;
}

int tt_paper_on_tick(tt_paper_t *self, const tt_tick_t *tick,
                     tt_paper_event_t *out, int cap)
{
    return tt_paper_on_tick_since(self, tick, 0, out, cap);
}

int tt_paper_on_tick_since(tt_paper_t *self, const tt_tick_t *tick,
                           uint64_t min_seq, tt_paper_event_t *out, int cap)
{
    assert(self);
    if (!tick || tick->price <= 0 || tick->size < 0)
        return s_fail(self, "paper: malformed tick");
    if (!out || cap < TT_PAPER_EVENTS_MAX)
        return s_fail(self, "paper: event buffer below %d",
                      TT_PAPER_EVENTS_MAX);
    tt_qty_t avail = s_liquidity(self, tick);
    int n = 0;
    for (int i = 0; i < self->n;) {
        if (self->orders[i].seq >= min_seq &&
            s_match(self, i, tick, &avail, out, &n))
            s_remove(self, i);
        else
            i++;
    }
    return n;
}

uint64_t tt_paper_next_seq(const tt_paper_t *self)
{
    return self->arrivals + 1;
}

int tt_paper_end_session(tt_paper_t *self, tt_ns_t ts, tt_paper_event_t *out,
                         int cap)
{
    assert(self);
    if (!out || cap < TT_PAPER_ORDERS)
        return s_fail(self, "paper: event buffer below %d", TT_PAPER_ORDERS);
    int n = 0;
    for (int i = 0; i < self->n;) {
        if (self->orders[i].tif == TT_TIF_DAY) {
            s_expired(&self->orders[i], ts, &out[n++]);
            s_remove(self, i);
        } else {
            i++;
        }
    }
    return n;
}
