/*  orders/bracket.c: the bracket around a symbol's position (see book.h).

    One rule drives everything: after every signal, event and mark, the
    book compares the orders that exist with the orders that should exist
    and emits the difference (tt_book_sync). While a position is open and
    no exit is under way, a protective stop and a take-profit each cover
    exactly the open quantity at the desired prices; a partial entry fill
    therefore resizes them, and a partial fill of one resizes the other
    (OCO). A child that fills completely, or is rejected, ends the trade:
    the book flattens (cancels everything, then closes any remainder with
    a market order once no child can still fill, so the position can
    never be closed twice). */
#include <stdio.h>
#include <string.h>

#include "orders/book.h"
#include "orders/book_priv.h"

static bool s_long(const tt_bracket_t *b)
{
    return b->side == TT_SIDE_BUY;
}

/* True when NEW is a tighter (more protective) stop than CUR. */
static bool s_tighter(const tt_bracket_t *b, tt_px_t stop, tt_px_t cur)
{
    return s_long(b) ? stop > cur : stop < cur;
}

static bool s_is_child(const tt_order_t *o)
{
    return o->role == TT_ROLE_STOP || o->role == TT_ROLE_TARGET;
}

static bool s_slot_live(const tt_book_t *self, int32_t slot)
{
    return slot >= 0 && tt_ord_live(self->orders[slot].state);
}

static bool s_any_child_live(const tt_book_t *self)
{
    for (int i = 0; i < TT_BOOK_ORDERS; i++)
        if (self->used[i] && s_is_child(&self->orders[i]) &&
            tt_ord_live(self->orders[i].state))
            return true;
    return false;
}

static void s_finish(tt_bracket_t *b)
{
    memset(b, 0, sizeof *b);
    b->entry = b->stop = b->target = b->exit = -1;
}

static tt_qty_t s_open_qty(const tt_book_t *self)
{
    return self->pos.qty > 0 ? self->pos.qty : -self->pos.qty;
}

/* Cancels SLOT if it can be cancelled now (pending orders wait, and
   every cancel while a refused one's wait runs). */
static int s_cancel_if(tt_book_t *self, int32_t slot, tt_ns_t ts,
                       tt_intents_t *out)
{
    if (slot < 0 ||
        !tt_ord_allowed(self->orders[slot].state, TT_OS_PENDING_CANCEL) ||
        tt_book_cancel_held(self, ts))
        return 0;
    return tt_book_cancel_slot(self, slot, ts, out);
}

static int s_cancel_children(tt_book_t *self, tt_ns_t ts, tt_intents_t *out)
{
    for (int i = 0; i < TT_BOOK_ORDERS; i++)
        if (self->used[i] && s_is_child(&self->orders[i]) &&
            s_cancel_if(self, i, ts, out) != 0)
            return -1;
    return 0;
}

/* Flattening: cancel what can fill, then close the remainder. */
static int s_sync_exit(tt_book_t *self, tt_ns_t ts, tt_intents_t *out)
{
    tt_bracket_t *b = &self->br;
    if (s_cancel_if(self, b->entry, ts, out) != 0 ||
        s_cancel_children(self, ts, out) != 0)
        return -1;
    tt_qty_t open = s_open_qty(self);
    bool busy = s_any_child_live(self) || s_slot_live(self, b->exit);
    if (open > 0 && !busy && b->exit_rejects < TT_BOOK_EXIT_RETRIES &&
        !tt_book_held(self, ts)) {
        tt_side_t side = self->pos.qty > 0 ? TT_SIDE_SELL : TT_SIDE_BUY;
        int slot = tt_book_submit(self, TT_ROLE_EXIT, side, TT_ORD_MARKET, open,
                                  0, 0, self->cfg.child_tif, ts, out);
        if (slot < 0)
            return -1;
        b->exit = slot;
        return 0;
    }
    if (open == 0 && !busy && !s_slot_live(self, b->entry))
        s_finish(b);
    return 0;
}

/* The working child in SLOT wants PX for OPEN: replaces it unless it is
   in line, a refusal's wait holds it, or it would ask again what the
   broker refused for good (NO_PX / NO_QTY). A price refused for good is
   left at the working one, so a resize still goes. */
static int s_replace_child(tt_book_t *self, int32_t *slot, tt_px_t px,
                           tt_qty_t open, tt_px_t *no_px, tt_qty_t *no_qty,
                           tt_ns_t ts, tt_intents_t *out)
{
    const tt_order_t *o = &self->orders[*slot];
    bool stop = o->role == TT_ROLE_STOP;
    tt_px_t cur = stop ? o->stop_px : o->limit_px;
    bool in_line = tt_order_leaves(o) == open;
    if (in_line && cur == px && *no_px) {
        *no_px = 0; /* what the bracket wants works: the refusal is moot */
        *no_qty = 0;
    }
    tt_px_t want = *no_px && px == *no_px ? cur : px;
    if ((in_line && cur == want) || (want == *no_px && open == *no_qty) ||
        tt_book_held(self, ts) || tt_book_cancel_held(self, ts))
        return 0;
    int ns = tt_book_replace_slot(self, *slot, open, stop ? 0 : want,
                                  stop ? want : 0, ts, out);
    if (ns < 0)
        return -1;
    *slot = ns;
    return 0;
}

/* Keeps the child in *SLOT at PX for OPEN: submit, replace or leave. */
static int s_sync_child(tt_book_t *self, tt_role_t role, int32_t *slot,
                        tt_px_t px, tt_qty_t open, tt_ns_t ts,
                        tt_intents_t *out)
{
    tt_bracket_t *b = &self->br;
    bool stop = role == TT_ROLE_STOP;
    tt_px_t lim = stop ? 0 : px, stp = stop ? px : 0;
    if (s_slot_live(self, *slot)) {
        const tt_order_t *o = &self->orders[*slot];
        if (o->state != TT_OS_ACCEPTED && o->state != TT_OS_PARTIALLY_FILLED)
            return 0; /* unacknowledged or pending: decide later */
        return s_replace_child(
            self, slot, px, open, stop ? &b->stop_no_px : &b->target_no_px,
            stop ? &b->stop_no_qty : &b->target_no_qty, ts, out);
    }
    if (tt_book_held(self, ts))
        return 0; /* refused for a reason that passes: not yet */
    tt_side_t side = tt_side_opposite(self->br.side);
    int ns = tt_book_submit(self, role, side, stop ? TT_ORD_STOP : TT_ORD_LIMIT,
                            open, lim, stp, self->cfg.child_tif, ts, out);
    if (ns < 0)
        return -1;
    *slot = ns;
    return 0;
}

int tt_book_sync(tt_book_t *self, tt_ns_t ts, tt_intents_t *out)
{
    tt_bracket_t *b = &self->br;
    if (!b->active)
        return 0;
    if (b->exiting)
        return s_sync_exit(self, ts, out);
    tt_qty_t open = s_open_qty(self);
    if (open == 0) {
        if (s_slot_live(self, b->entry))
            return 0; /* nothing filled yet: nothing to protect */
        if (s_cancel_children(self, ts, out) != 0)
            return -1;
        if (!s_any_child_live(self) && !s_slot_live(self, b->exit))
            s_finish(b);
        return 0;
    }
    if (b->best_px == 0)
        b->best_px = tt_book_avg_px(self);
    if (s_sync_child(self, TT_ROLE_STOP, &b->stop, b->stop_px, open, ts, out) !=
        0)
        return -1;
    return s_sync_child(self, TT_ROLE_TARGET, &b->target, b->target_px, open,
                        ts, out);
}

void tt_book_on_order_done(tt_book_t *self, int slot)
{
    const tt_order_t *o = &self->orders[slot];
    if (!self->br.active)
        return;
    if (s_is_child(o) &&
        (o->state == TT_OS_FILLED || o->state == TT_OS_REJECTED))
        self->br.exiting = true;
    if (o->role == TT_ROLE_EXIT && o->state == TT_OS_REJECTED)
        self->br.exit_rejects++;
}

void tt_book_on_move_refused(tt_book_t *self, int slot, const char *reason)
{
    tt_bracket_t *b = &self->br;
    const tt_order_t *o = &self->orders[slot];
    if (!b->active || !s_is_child(o))
        return;
    if (o->role == TT_ROLE_STOP) {
        b->stop_no_px = o->stop_px;
        b->stop_no_qty = o->qty;
    } else {
        b->target_no_px = o->limit_px;
        b->target_no_qty = o->qty;
    }
    snprintf(b->no_why, sizeof b->no_why, "%.63s", reason);
}

const char *tt_book_refused_move(const tt_book_t *self)
{
    const tt_bracket_t *b = &self->br;
    return b->active && (b->stop_no_px || b->target_no_px) ? b->no_why : "";
}

tt_px_t tt_book_refused_stop_px(const tt_book_t *self)
{
    return self->br.active ? self->br.stop_no_px : 0;
}

void tt_book_on_replace_refused(tt_book_t *self, int new_slot, int old_slot)
{
    tt_bracket_t *b = &self->br;
    int32_t *ref[] = {&b->entry, &b->stop, &b->target, &b->exit};
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++)
        if (*ref[i] == new_slot)
            *ref[i] = old_slot;
}

/* ---- signals --------------------------------------------------------- */

/* REF moved DIR * N ticks (checked); 0 when N is 0 or on overflow. */
static tt_px_t s_offset(const tt_book_t *self, tt_px_t ref, int dir, int32_t n)
{
    int64_t d, px;
    if (n == 0 ||
        __builtin_mul_overflow((int64_t)n, self->inst.tick_size, &d) ||
        __builtin_add_overflow(ref, dir * d, &px) || px <= 0)
        return 0;
    return px;
}

/* Validates an entry; fills *STOP and *TARGET. 0 or -1. */
static int s_entry_prices(tt_book_t *self, const tt_signal_t *sig, tt_qty_t qty,
                          tt_px_t *stop, tt_px_t *target)
{
    int dir = sig->kind == TT_SIG_ENTER_LONG ? 1 : -1;
    tt_px_t ref = sig->ref_price;
    if (tt_book_busy(self))
        return tt_book_fail(self,
                            "%s: position or orders already open "
                            "(one position per symbol)",
                            self->symbol);
    if (qty <= 0 || qty % self->inst.lot_size != 0)
        return tt_book_fail(self,
                            "%s: entry quantity %lld is not a "
                            "positive multiple of the lot size %lld",
                            self->symbol, (long long)qty,
                            (long long)self->inst.lot_size);
    if (ref <= 0)
        return tt_book_fail(self,
                            "%s: entry signal without a reference "
                            "price",
                            self->symbol);
    *stop = sig->stop ? sig->stop
                      : s_offset(self, ref, -dir, self->cfg.default_stop_ticks);
    *target = sig->target
                  ? sig->target
                  : s_offset(self, ref, dir, self->cfg.default_target_ticks);
    if (*stop <= 0 || *target <= 0)
        return tt_book_fail(self,
                            "%s: entry needs a protective stop and "
                            "a take-profit",
                            self->symbol);
    bool ok = dir > 0 ? (*stop < ref && ref < *target)
                      : (*target < ref && ref < *stop);
    if (!ok)
        return tt_book_fail(self,
                            "%s: stop %lld / target %lld on the "
                            "wrong side of price %lld",
                            self->symbol, (long long)*stop, (long long)*target,
                            (long long)ref);
    return 0;
}

static int s_enter(tt_book_t *self, const tt_signal_t *sig, tt_qty_t qty,
                   tt_ns_t ts, tt_intents_t *out)
{
    tt_px_t stop = 0, target = 0;
    if (s_entry_prices(self, sig, qty, &stop, &target) != 0)
        return -1;
    tt_side_t side =
        sig->kind == TT_SIG_ENTER_LONG ? TT_SIDE_BUY : TT_SIDE_SELL;
    tt_ord_type_t type = self->cfg.entry_type;
    int slot = tt_book_submit(self, TT_ROLE_ENTRY, side, type, qty,
                              type == TT_ORD_LIMIT ? sig->ref_price : 0, 0,
                              self->cfg.entry_tif, ts, out);
    if (slot < 0)
        return -1;
    tt_bracket_t *b = &self->br;
    s_finish(b);
    b->active = true;
    b->side = side;
    b->entry = slot;
    b->stop_px = b->init_stop_px = stop;
    b->target_px = target;
    return 0;
}

static int s_exit(tt_book_t *self, tt_ns_t ts, tt_intents_t *out)
{
    tt_bracket_t *b = &self->br;
    if (!tt_book_busy(self))
        return 0;
    if (!b->active) {
        /* A position without a bracket (restored from the ledger):
           adopt it so it can be flattened like any other. */
        s_finish(b);
        b->active = true;
        b->side = self->pos.qty > 0 ? TT_SIDE_BUY : TT_SIDE_SELL;
    }
    b->exiting = true;
    return tt_book_sync(self, ts, out);
}

/* The stop price in force: the bracket's, or the working stop's while
   the bracket's was refused for good (a move back between the two is
   still a tightening). */
static tt_px_t s_stop_in_force(const tt_book_t *self)
{
    const tt_bracket_t *b = &self->br;
    if (b->stop_no_px && b->stop_px == b->stop_no_px &&
        s_slot_live(self, b->stop))
        return self->orders[b->stop].stop_px;
    return b->stop_px;
}

static int s_move_stop(tt_book_t *self, const tt_signal_t *sig, tt_ns_t ts,
                       tt_intents_t *out)
{
    tt_bracket_t *b = &self->br;
    if (!b->active || b->exiting)
        return tt_book_fail(self,
                            "%s: no protected position to move the "
                            "stop of",
                            self->symbol);
    if (sig->stop <= 0)
        return tt_book_fail(self, "%s: MOVE_STOP without a stop price",
                            self->symbol);
    if (sig->stop == b->stop_px)
        return 0;
    tt_px_t now = s_stop_in_force(self);
    if (!s_tighter(b, sig->stop, now))
        return tt_book_fail(self,
                            "%s: MOVE_STOP to %lld would loosen the "
                            "stop at %lld",
                            self->symbol, (long long)sig->stop, (long long)now);
    if (sig->ref_price > 0 && !s_tighter(b, sig->ref_price, sig->stop))
        return tt_book_fail(self,
                            "%s: MOVE_STOP to %lld is at or through "
                            "the price %lld",
                            self->symbol, (long long)sig->stop,
                            (long long)sig->ref_price);
    b->stop_px = sig->stop;
    return tt_book_sync(self, ts, out);
}

static int s_on_signal(tt_book_t *self, const tt_signal_t *sig, tt_qty_t qty,
                       tt_ns_t ts, tt_intents_t *out)
{
    switch (sig->kind) {
    case TT_SIG_NONE:
        return 0;
    case TT_SIG_ENTER_LONG:
    case TT_SIG_ENTER_SHORT:
        return s_enter(self, sig, qty, ts, out);
    case TT_SIG_EXIT:
        return s_exit(self, ts, out);
    case TT_SIG_MOVE_STOP:
        return s_move_stop(self, sig, ts, out);
    }
    return tt_book_fail(self, "%s: unknown signal kind %d", self->symbol,
                        (int)sig->kind);
}

int tt_book_on_signal(tt_book_t *self, const tt_signal_t *sig, tt_qty_t qty,
                      tt_ns_t ts, tt_intents_t *out)
{
    if (!self || !sig || !out)
        return -1;
    out->n = 0;
    self->err[0] = '\0';
    int rc = s_on_signal(self, sig, qty, ts, out);
    tt_book_guard(self, ts);
    return rc;
}

/* ---- marks: trailing stop and breakeven ------------------------------ */

/* True once the mark PX is far enough in favour of the average entry. */
static bool s_be_reached(const tt_book_t *self, tt_px_t px, tt_px_t avg)
{
    const tt_book_cfg_t *c = &self->cfg;
    const tt_bracket_t *b = &self->br;
    int64_t move = s_long(b) ? px - avg : avg - px;
    if (move <= 0)
        return false;
    int64_t lhs, rhs;
    if (c->be_trigger_ticks > 0 &&
        !__builtin_mul_overflow((int64_t)c->be_trigger_ticks,
                                self->inst.tick_size, &rhs) &&
        move >= rhs)
        return true;
    int64_t risk = avg - b->init_stop_px;
    risk = risk < 0 ? -risk : risk;
    return c->be_trigger_r_bps > 0 && risk > 0 &&
           !__builtin_mul_overflow(move, (int64_t)10000, &lhs) &&
           !__builtin_mul_overflow((int64_t)c->be_trigger_r_bps, risk, &rhs) &&
           lhs >= rhs;
}

/* Breakeven stop: entry + offset in favour, on the tick grid, rounded
   so the stop never locks in less than the offset. */
static tt_px_t s_be_price(const tt_book_t *self, tt_px_t avg)
{
    tt_px_t tick = self->inst.tick_size;
    int dir = s_long(&self->br) ? 1 : -1;
    tt_px_t px = s_offset(self, avg, dir, self->cfg.be_offset_ticks);
    if (px == 0)
        px = avg;
    tt_px_t down = px - px % tick;
    return dir > 0 && down != px ? down + tick : down;
}

static int s_on_mark(tt_book_t *self, tt_px_t px, tt_ns_t ts, tt_intents_t *out)
{
    tt_bracket_t *b = &self->br;
    if (!b->active || b->exiting || self->pos.qty == 0 || px <= 0)
        return 0;
    int dir = s_long(b) ? 1 : -1;
    if (b->best_px == 0 || (dir > 0 ? px > b->best_px : px < b->best_px))
        b->best_px = px;
    tt_px_t cand = b->stop_px;
    tt_px_t trail = s_offset(self, b->best_px, -dir, self->cfg.trail_ticks);
    if (trail > 0 && s_tighter(b, trail, cand) && s_tighter(b, px, trail))
        cand = trail;
    tt_px_t avg = tt_book_avg_px(self);
    if (!b->be_done && s_be_reached(self, px, avg)) {
        tt_px_t be = s_be_price(self, avg);
        if (s_tighter(b, px, be)) {
            b->be_done = true;
            if (s_tighter(b, be, cand))
                cand = be;
        }
    }
    b->stop_px = cand;
    return tt_book_sync(self, ts, out);
}

int tt_book_on_mark(tt_book_t *self, tt_px_t px, tt_ns_t ts, tt_intents_t *out)
{
    if (!self || !out)
        return -1;
    out->n = 0;
    int rc = s_on_mark(self, px, ts, out);
    /* A mark that sent nothing changed no order and no position, so the
       guard's answer stands (a mark comes with every trade: the scan of
       every order slot was a third of a one-symbol backtest's time). */
    if (rc != 0 || out->n > 0)
        tt_book_guard(self, ts);
    return rc;
}
