/*  orders/book.c: order slots, client ids, cancel/replace and the broker
    events of one symbol's order book (see book.h). The bracket logic that
    decides which orders should exist lives in bracket.c. */
#include "orders/book.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "orders/book_priv.h"
#include "orders/money.h"

tt_book_cfg_t tt_book_cfg_default(void)
{
    return (tt_book_cfg_t){.entry_type = TT_ORD_MARKET,
                           .entry_tif = TT_TIF_DAY,
                           .child_tif = TT_TIF_GTC,
                           .answer_ns = TT_BOOK_ANSWER_NS};
}

int tt_book_fail(tt_book_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(self->err, sizeof self->err, fmt, ap);
    va_end(ap);
    return -1;
}

const char *tt_book_error(const tt_book_t *self)
{
    assert(self);
    return self->err;
}

static int s_check_cfg(tt_book_t *self, const tt_book_cfg_t *c)
{
    if (c->entry_type != TT_ORD_MARKET && c->entry_type != TT_ORD_LIMIT)
        return tt_book_fail(self, "entry_type must be MARKET or LIMIT");
    if (c->entry_tif < TT_TIF_DAY || c->entry_tif > TT_TIF_IOC)
        return tt_book_fail(self, "entry_tif must be DAY, GTC or IOC");
    if (c->child_tif != TT_TIF_DAY && c->child_tif != TT_TIF_GTC)
        return tt_book_fail(self, "child_tif must be DAY or GTC");
    if (c->default_stop_ticks < 0 || c->default_target_ticks < 0 ||
        c->trail_ticks < 0 || c->be_trigger_ticks < 0 ||
        c->be_trigger_r_bps < 0 || c->be_offset_ticks < 0)
        return tt_book_fail(self, "tick distances must be >= 0");
    if (c->answer_ns < 0)
        return tt_book_fail(self, "answer_ns must be >= 0");
    return 0;
}

int tt_book_init(tt_book_t *self, const char *symbol,
                 const tt_instrument_t *inst, const tt_book_cfg_t *cfg,
                 uint64_t next_seq)
{
    assert(self);
    memset(self, 0, sizeof *self);
    self->br.entry = self->br.stop = self->br.target = self->br.exit = -1;
    if (!symbol || !*symbol || strlen(symbol) > TT_BOOK_SYMBOL_MAX)
        return tt_book_fail(self, "symbol must have 1..%d characters",
                            TT_BOOK_SYMBOL_MAX);
    if (!inst || inst->tick_size <= 0 || inst->lot_size <= 0 ||
        inst->px_decimals < 0 || inst->px_decimals > 9 ||
        inst->qty_decimals < 0 || inst->qty_decimals > 9)
        return tt_book_fail(self,
                            "%s: instrument needs tick_size > 0, "
                            "lot_size > 0 and decimals 0..9",
                            symbol);
    if (next_seq == 0)
        return tt_book_fail(self, "%s: next_seq must be >= 1", symbol);
    tt_book_cfg_t c = cfg ? *cfg : tt_book_cfg_default();
    if (s_check_cfg(self, &c) != 0)
        return -1;
    snprintf(self->symbol, sizeof self->symbol, "%s", symbol);
    self->inst = *inst;
    self->cfg = c;
    self->next_seq = next_seq;
    tt_position_init(&self->pos, inst->qty_decimals);
    return 0;
}

/* A free slot, else the oldest terminal order the bracket does not
   reference; -1 when every slot holds a live or referenced order. */
static int s_alloc(tt_book_t *self)
{
    int best = -1;
    const tt_bracket_t *b = &self->br;
    for (int i = 0; i < TT_BOOK_ORDERS; i++) {
        if (!self->used[i])
            return i;
        bool ref =
            i == b->entry || i == b->stop || i == b->target || i == b->exit;
        if (ref || !tt_ord_terminal(self->orders[i].state))
            continue;
        if (best < 0 || self->orders[i].seq < self->orders[best].seq)
            best = i;
    }
    return best;
}

static int s_emit(tt_book_t *self, tt_intents_t *out, tt_intent_kind_t kind,
                  const tt_order_t *o, const char *old_coid)
{
    if (out->n >= TT_INTENTS_MAX)
        return tt_book_fail(self, "%s: intent buffer full", self->symbol);
    tt_intent_t *it = &out->v[out->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->order = *o;
    if (old_coid)
        tt_order_copy_text(it->old_coid, sizeof it->old_coid, old_coid);
    return 0;
}

/* Takes a slot and fills in a NEW order with the next client id. */
static int s_new_order(tt_book_t *self, tt_role_t role, tt_ns_t ts)
{
    int slot = s_alloc(self);
    if (slot < 0)
        return tt_book_fail(self, "%s: order book full (%d live orders)",
                            self->symbol, TT_BOOK_ORDERS);
    tt_order_t *o = &self->orders[slot];
    memset(o, 0, sizeof *o);
    o->seq = self->next_seq++;
    o->role = role;
    o->state = TT_OS_NEW;
    o->created_ts = o->updated_ts = ts;
    tt_coid_format(o->coid, self->symbol, o->seq, role);
    self->used[slot] = true;
    return slot;
}

int tt_book_submit(tt_book_t *self, tt_role_t role, tt_side_t side,
                   tt_ord_type_t type, tt_qty_t qty, tt_px_t limit_px,
                   tt_px_t stop_px, tt_tif_t tif, tt_ns_t ts, tt_intents_t *out)
{
    if (qty <= 0)
        return tt_book_fail(self, "%s: order quantity must be > 0",
                            self->symbol);
    if (out->n >= TT_INTENTS_MAX)
        return tt_book_fail(self, "%s: intent buffer full", self->symbol);
    int slot = s_new_order(self, role, ts);
    if (slot < 0)
        return -1;
    tt_order_t *o = &self->orders[slot];
    o->side = side;
    o->type = type;
    o->tif = tif;
    o->qty = qty;
    o->limit_px = limit_px;
    o->stop_px = stop_px;
    s_emit(self, out, TT_INTENT_SUBMIT, o, NULL);
    return slot;
}

/* Every id of one book starts with the same "tt-SYMBOL-" and differs
   near its end (the sequence's last digit, the role), so a slot is
   compared at its length and last and third-to-last characters first,
   and whole only when they match: a strcmp per used slot had been most
   of the worker's string compares (one lookup per broker event). */
static int s_find(const tt_book_t *self, const char *coid)
{
    size_t len = coid ? strlen(coid) : 0;
    if (!coid || len > TT_COID_MAX)
        return -1;
    for (int i = 0; i < TT_BOOK_ORDERS; i++) {
        const char *have = self->orders[i].coid;
        if (!self->used[i] || have[len] != '\0')
            continue;
        if (len >= 3 &&
            (have[len - 1] != coid[len - 1] || have[len - 3] != coid[len - 3]))
            continue;
        if (memcmp(have, coid, len) == 0)
            return i;
    }
    return -1;
}

static int s_find_seq(const tt_book_t *self, uint64_t seq)
{
    for (int i = 0; seq && i < TT_BOOK_ORDERS; i++)
        if (self->used[i] && self->orders[i].seq == seq)
            return i;
    return -1;
}

tt_px_t tt_book_avg_px(tt_book_t *self)
{
    if (self->pos.qty != self->avg_qty || self->pos.cost != self->avg_cost) {
        self->avg_px = tt_position_avg_px(&self->pos);
        self->avg_qty = self->pos.qty;
        self->avg_cost = self->pos.cost;
    }
    return self->avg_px;
}

const tt_order_t *tt_book_find(const tt_book_t *self, const char *coid)
{
    assert(self);
    int slot = s_find(self, coid);
    return slot < 0 ? NULL : &self->orders[slot];
}

int tt_book_cancel_slot(tt_book_t *self, int slot, tt_ns_t ts,
                        tt_intents_t *out)
{
    tt_order_t *o = &self->orders[slot];
    if (!tt_ord_allowed(o->state, TT_OS_PENDING_CANCEL))
        return tt_book_fail(self, "%s: cannot cancel %s in state %s",
                            self->symbol, o->coid, tt_ord_state_name(o->state));
    if (out->n >= TT_INTENTS_MAX)
        return tt_book_fail(self, "%s: intent buffer full", self->symbol);
    tt_order_move(o, TT_OS_PENDING_CANCEL, ts);
    return s_emit(self, out, TT_INTENT_CANCEL, o, NULL);
}

int tt_book_cancel(tt_book_t *self, const char *coid, tt_ns_t ts,
                   tt_intents_t *out)
{
    assert(self && out);
    out->n = 0;
    int slot = s_find(self, coid);
    if (slot < 0)
        return tt_book_fail(self, "%s: no order %s", self->symbol,
                            coid ? coid : "(null)");
    return tt_book_cancel_slot(self, slot, ts, out);
}

int tt_book_replace_slot(tt_book_t *self, int slot, tt_qty_t qty,
                         tt_px_t limit_px, tt_px_t stop_px, tt_ns_t ts,
                         tt_intents_t *out)
{
    tt_order_t *old = &self->orders[slot];
    if (!tt_ord_allowed(old->state, TT_OS_PENDING_REPLACE))
        return tt_book_fail(self, "%s: cannot replace %s in state %s",
                            self->symbol, old->coid,
                            tt_ord_state_name(old->state));
    if (qty <= 0)
        return tt_book_fail(self, "%s: replacement quantity must be > 0",
                            self->symbol);
    if (out->n >= TT_INTENTS_MAX)
        return tt_book_fail(self, "%s: intent buffer full", self->symbol);
    int ns = s_new_order(self, old->role, ts);
    if (ns < 0)
        return -1;
    old = &self->orders[slot];
    tt_order_t *o = &self->orders[ns];
    o->side = old->side;
    o->type = old->type;
    o->tif = old->tif;
    o->qty = qty;
    o->limit_px = limit_px ? limit_px : old->limit_px;
    o->stop_px = stop_px ? stop_px : old->stop_px;
    o->replaces = old->seq;
    tt_order_move(old, TT_OS_PENDING_REPLACE, ts);
    s_emit(self, out, TT_INTENT_REPLACE, o, old->coid);
    return ns;
}

int tt_book_replace(tt_book_t *self, const char *coid, tt_qty_t qty,
                    tt_px_t limit_px, tt_px_t stop_px, tt_ns_t ts,
                    tt_intents_t *out)
{
    assert(self && out);
    out->n = 0;
    int slot = s_find(self, coid);
    if (slot < 0)
        return tt_book_fail(self, "%s: no order %s", self->symbol,
                            coid ? coid : "(null)");
    int ns = tt_book_replace_slot(self, slot, qty, limit_px, stop_px, ts, out);
    if (ns < 0)
        return -1;
    tt_bracket_t *b = &self->br;
    int32_t *ref[] = {&b->entry, &b->stop, &b->target, &b->exit};
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++)
        if (*ref[i] == slot)
            *ref[i] = ns;
    return 0;
}

const tt_position_t *tt_book_position(const tt_book_t *self)
{
    assert(self);
    return &self->pos;
}

bool tt_book_busy(const tt_book_t *self)
{
    assert(self);
    return self->br.active || self->pos.qty != 0;
}

const tt_order_t *tt_book_bracket_order(const tt_book_t *self, tt_role_t role)
{
    assert(self);
    int32_t slot = role == TT_ROLE_ENTRY    ? self->br.entry
                   : role == TT_ROLE_STOP   ? self->br.stop
                   : role == TT_ROLE_TARGET ? self->br.target
                   : role == TT_ROLE_EXIT   ? self->br.exit
                                            : -1;
    return slot < 0 ? NULL : &self->orders[slot];
}

/* ---- broker events --------------------------------------------------- */

static bool s_fill_seen(const tt_book_t *self, const char *id)
{
    for (int i = 0; i < TT_BOOK_FILL_IDS; i++)
        if (self->fill_ids[i][0] && strcmp(self->fill_ids[i], id) == 0)
            return true;
    return false;
}

static void s_fill_remember(tt_book_t *self, const char *id)
{
    tt_order_copy_text(self->fill_ids[self->fill_head],
                       sizeof self->fill_ids[self->fill_head], id);
    self->fill_head = (self->fill_head + 1) % TT_BOOK_FILL_IDS;
}

/* Back to the working state a refused cancel / replace left. */
static tt_ord_state_t s_working(const tt_order_t *o)
{
    return o->filled > 0 ? TT_OS_PARTIALLY_FILLED : TT_OS_ACCEPTED;
}

/* The replacement SLOT is live at the venue: its predecessor is done. */
static void s_replace_done(tt_book_t *self, int slot, tt_ns_t ts)
{
    int old = s_find_seq(self, self->orders[slot].replaces);
    if (old >= 0 && self->orders[old].state == TT_OS_PENDING_REPLACE)
        tt_order_move(&self->orders[old], TT_OS_REPLACED, ts);
}

static int s_move(tt_book_t *self, int slot, tt_ord_state_t to, tt_ns_t ts)
{
    tt_order_t *o = &self->orders[slot];
    if (tt_order_move(o, to, ts) == 0)
        return 0;
    self->refused_events++;
    return tt_book_fail(self, "%s: %s cannot go from %s to %s", self->symbol,
                        o->coid, tt_ord_state_name(o->state),
                        tt_ord_state_name(to));
}

static int s_on_ack(tt_book_t *self, int slot, tt_ns_t ts)
{
    if (self->orders[slot].state != TT_OS_NEW)
        return 1; /* a repeated or late ack changes nothing */
    if (s_move(self, slot, TT_OS_ACCEPTED, ts) != 0)
        return -1;
    s_replace_done(self, slot, ts);
    return 0;
}

static int s_check_fill(tt_book_t *self, const tt_order_t *o,
                        const tt_broker_ev_t *ev)
{
    if (!ev->fill_id[0])
        return tt_book_fail(self, "%s: fill for %s has no venue fill id",
                            self->symbol, o->coid);
    if (!tt_ord_live(o->state)) {
        self->refused_events++;
        return tt_book_fail(self, "%s: fill %s for %s in state %s",
                            self->symbol, ev->fill_id, o->coid,
                            tt_ord_state_name(o->state));
    }
    if (ev->qty <= 0 || ev->px <= 0)
        return tt_book_fail(self, "%s: fill %s has qty %lld px %lld",
                            self->symbol, ev->fill_id, (long long)ev->qty,
                            (long long)ev->px);
    if (ev->fee_qty < 0 || ev->fee_qty >= ev->qty ||
        (ev->fee_qty > 0 && o->side != TT_SIDE_BUY))
        return tt_book_fail(
            self, "%s: fill %s keeps %lld of %lld as commission", self->symbol,
            ev->fill_id, (long long)ev->fee_qty, (long long)ev->qty);
    if (ev->commission_decimals < 0 || ev->commission_decimals > 18 ||
        !memchr(ev->commission_asset, '\0', sizeof ev->commission_asset))
        return tt_book_fail(self,
                            "%s: fill %s has commission decimals %d or an "
                            "asset name too long",
                            self->symbol, ev->fill_id,
                            (int)ev->commission_decimals);
    if (ev->qty > tt_order_leaves(o)) {
        self->refused_events++;
        return tt_book_fail(self, "%s: fill %s overfills %s (%lld > %lld)",
                            self->symbol, ev->fill_id, o->coid,
                            (long long)ev->qty, (long long)tt_order_leaves(o));
    }
    return 0;
}

/* What the venue reported of EV into F: its executed quantity and its
   commission, or the fee when the gateway reported no commission of its
   own (tt_broker_ev_t). */
static void s_fill_venue(const tt_book_t *self, const tt_broker_ev_t *ev,
                         tt_fill_t *f)
{
    f->exec_qty = ev->qty;
    if (ev->commission == 0 && ev->commission_decimals == 0) {
        f->commission = ev->fee;
        f->commission_decimals = self->inst.px_decimals;
    } else {
        f->commission = ev->commission;
        f->commission_decimals = ev->commission_decimals;
    }
    tt_order_copy_text(f->commission_asset, sizeof f->commission_asset,
                       ev->commission_asset);
}

static int s_on_fill(tt_book_t *self, int slot, const tt_broker_ev_t *ev,
                     tt_book_result_t *res)
{
    tt_order_t *o = &self->orders[slot];
    if (ev->fill_id[0] && s_fill_seen(self, ev->fill_id)) {
        self->dup_fills++;
        return 1;
    }
    if (s_check_fill(self, o, ev) != 0)
        return -1;
    /* The ledger's fill is what reached the position: a commission the
       venue kept in the base asset never did (its value is in the fee).
       The order counts what the venue executed. */
    tt_fill_t f = {.side = o->side,
                   .px = ev->px,
                   .qty = ev->qty - ev->fee_qty,
                   .fee = ev->fee,
                   .ts = ev->ts};
    tt_order_copy_text(f.fill_id, sizeof f.fill_id, ev->fill_id);
    tt_order_copy_text(f.coid, sizeof f.coid, o->coid);
    s_fill_venue(self, ev, &f);
    tt_position_delta_t d;
    int64_t value = 0;
    if (tt_notional(f.px, ev->qty, self->inst.qty_decimals, &value) != 0 ||
        tt_position_apply(&self->pos, &f, &d) != 0)
        return tt_book_fail(self, "%s: fill %s overflows the position",
                            self->symbol, f.fill_id);
    o->filled += ev->qty;
    o->fees += f.fee;
    o->fill_cost += value;
    o->updated_ts = ev->ts;
    if (o->filled == o->qty)
        tt_order_move(o, TT_OS_FILLED, ev->ts);
    else if (o->state != TT_OS_PENDING_CANCEL &&
             o->state != TT_OS_PENDING_REPLACE)
        tt_order_move(o, TT_OS_PARTIALLY_FILLED, ev->ts);
    s_replace_done(self, slot, ev->ts);
    s_fill_remember(self, f.fill_id);
    if (res) {
        res->filled = true;
        res->fill = f;
        res->delta = d;
    }
    if (o->state == TT_OS_FILLED)
        tt_book_on_order_done(self, slot);
    return 0;
}

/* The venue refused the replacement NEW_SLOT: its predecessor works on. */
static void s_replace_refused(tt_book_t *self, int new_slot, tt_ns_t ts)
{
    int old = s_find_seq(self, self->orders[new_slot].replaces);
    if (old < 0 || self->orders[old].state != TT_OS_PENDING_REPLACE)
        return;
    tt_order_move(&self->orders[old], s_working(&self->orders[old]), ts);
    tt_book_on_replace_refused(self, new_slot, old);
}

static int s_on_rejected(tt_book_t *self, int slot, const tt_broker_ev_t *ev)
{
    tt_order_t *o = &self->orders[slot];
    if (o->state == TT_OS_PENDING_CANCEL) {
        /* Refused while we cancelled it (an OCO list refused whole: its
           first leg's refusal already had the book cancel the second):
           it never worked, so the cancel is done and the exit may go.
           Left pending, it would hold the exit back for ever. */
        o->reject_code = ev->code;
        tt_order_copy_text(o->reason, sizeof o->reason, ev->reason);
        return s_move(self, slot, TT_OS_CANCELLED, ev->ts);
    }
    if (s_move(self, slot, TT_OS_REJECTED, ev->ts) != 0)
        return -1;
    o->reject_code = ev->code;
    tt_order_copy_text(o->reason, sizeof o->reason, ev->reason);
    /* A replacement refused for a reason that passes is not sent again
       before the wait either: the order it replaces works on. */
    bool held = tt_book_hold_refused(self, slot, ev);
    if (o->replaces && s_find_seq(self, o->replaces) >= 0) {
        if (ev->retry_ms == 0)
            tt_book_on_move_refused(self, slot, ev->reason);
        s_replace_refused(self, slot, ev->ts);
    } else if (!held)
        tt_book_on_order_done(self, slot);
    return 0;
}

static int s_on_cancelled(tt_book_t *self, int slot, const tt_broker_ev_t *ev)
{
    tt_ns_t ts = ev->ts;
    /* Who cancelled it and why ("cancelled before sending": the gateway's
       queue) goes with the state to the store, as an expiry's does. */
    tt_order_copy_text(self->orders[slot].reason,
                       sizeof self->orders[slot].reason, ev->reason);
    /* Venues that replace by cancel-then-new report the old order as
       cancelled: for us that is the end of the replace. */
    tt_ord_state_t to = self->orders[slot].state == TT_OS_PENDING_REPLACE
                            ? TT_OS_REPLACED
                            : TT_OS_CANCELLED;
    self->br.cancel_refusals = 0; /* a cancel took: the next wait is short */
    return s_move(self, slot, to, ts);
}

/* A refused cancel sends the order back to working; what the book still
   wants of it (the cancel, the replacement) waits (tt_book_hold_cancel):
   sent again by the same event it looped at the venue's round trip. */
static int s_on_cancel_rejected(tt_book_t *self, int slot,
                                const tt_broker_ev_t *ev)
{
    tt_order_t *o = &self->orders[slot];
    tt_ns_t ts = ev->ts;
    if (o->state == TT_OS_PENDING_CANCEL || o->state == TT_OS_PENDING_REPLACE)
        tt_book_hold_cancel(self, ev);
    if (o->state == TT_OS_PENDING_CANCEL) {
        tt_order_move(o, s_working(o), ts);
        return 0;
    }
    if (o->state == TT_OS_PENDING_REPLACE) {
        for (int i = 0; i < TT_BOOK_ORDERS; i++)
            if (self->used[i] && self->orders[i].replaces == o->seq &&
                self->orders[i].state == TT_OS_NEW) {
                tt_order_move(&self->orders[i], TT_OS_REJECTED, ts);
                s_replace_refused(self, i, ts);
            }
        return 0;
    }
    return 1; /* already filled or cancelled: the refusal is moot */
}

static int s_dispatch(tt_book_t *self, int slot, const tt_broker_ev_t *ev,
                      tt_book_result_t *res)
{
    switch (ev->kind) {
    case TT_EV_ACCEPTED:
        return s_on_ack(self, slot, ev->ts);
    case TT_EV_FILL:
        return s_on_fill(self, slot, ev, res);
    case TT_EV_CANCELLED:
        return s_on_cancelled(self, slot, ev);
    case TT_EV_REJECTED:
        return s_on_rejected(self, slot, ev);
    case TT_EV_EXPIRED:
        snprintf(self->orders[slot].reason, sizeof self->orders[slot].reason,
                 "%s", ev->reason);
        return s_move(self, slot, TT_OS_EXPIRED, ev->ts);
    case TT_EV_CANCEL_REJECTED:
        return s_on_cancel_rejected(self, slot, ev);
    case TT_EV_RECONCILED: /* for the actor, never the book */
        break;
    }
    return tt_book_fail(self, "%s: unknown broker event kind %d", self->symbol,
                        (int)ev->kind);
}

int tt_book_on_event(tt_book_t *self, const tt_broker_ev_t *ev,
                     tt_intents_t *out, tt_book_result_t *res)
{
    assert(self && ev && out);
    out->n = 0;
    self->err[0] = '\0';
    if (res)
        memset(res, 0, sizeof *res);
    int slot = s_find(self, ev->coid);
    if (slot < 0) {
        self->unknown_events++;
        return tt_book_fail(self, "%s: event for unknown order '%s'",
                            self->symbol, ev->coid);
    }
    int rc = s_dispatch(self, slot, ev, res);
    if (res)
        res->state = self->orders[slot].state;
    if (rc != 0)
        return rc;
    rc = tt_book_sync(self, ev->ts, out);
    tt_book_guard(self, ev->ts);
    return rc;
}
