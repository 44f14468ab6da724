/*  orders/book_restore.c: a warm restart puts the symbol's open orders
    back into its book and rebuilds the bracket around them (see
    tt_book_restore_order in book.h). The store keeps orders and the
    position, not the bracket, so the bracket is read back from the
    orders themselves: the live stop's price is the protective price, the
    live target's is the take-profit. Where that cannot be done safely (a
    position without both children, an entry whose children were never
    sent, two live orders in one role) the book flattens, as it would for
    a child that filled. */
#include <string.h>

#include "orders/book.h"
#include "orders/book_priv.h"

int tt_book_restore_order(tt_book_t *self, const tt_order_t *order)
{
    if (!self || !order)
        return -1;
    char coid[TT_COID_MAX + 1];
    if (!tt_ord_live(order->state))
        return tt_book_fail(self, "%s: %s is %s, not live", self->symbol,
                            order->coid, tt_ord_state_name(order->state));
    if (tt_coid_format(coid, self->symbol, order->seq, order->role) < 0 ||
        strcmp(coid, order->coid) != 0)
        return tt_book_fail(self, "%s: %s is not a client id of this book",
                            self->symbol, order->coid);
    if (tt_book_find(self, order->coid))
        return tt_book_fail(self, "%s: %s restored twice", self->symbol,
                            order->coid);
    for (int i = 0; i < TT_BOOK_ORDERS; i++) {
        if (self->used[i])
            continue;
        self->orders[i] = *order;
        self->used[i] = true;
        if (order->seq >= self->next_seq)
            self->next_seq = order->seq + 1;
        return 0;
    }
    return tt_book_fail(self, "%s: order book full (%d live orders)",
                        self->symbol, TT_BOOK_ORDERS);
}

/* The live order of ROLE with the highest seq into *SLOT (-1: none);
   returns how many live orders have that role. */
static int s_role(const tt_book_t *self, tt_role_t role, int32_t *slot)
{
    int count = 0;
    *slot = -1;
    for (int i = 0; i < TT_BOOK_ORDERS; i++) {
        const tt_order_t *o = &self->orders[i];
        if (!self->used[i] || o->role != role || !tt_ord_live(o->state))
            continue;
        count++;
        if (*slot < 0 || o->seq > self->orders[*slot].seq)
            *slot = i;
    }
    return count;
}

/* The side of the position the live orders work around. */
static tt_side_t s_side(const tt_book_t *self)
{
    const tt_bracket_t *b = &self->br;
    if (self->pos.qty != 0)
        return self->pos.qty > 0 ? TT_SIDE_BUY : TT_SIDE_SELL;
    if (b->entry >= 0)
        return self->orders[b->entry].side;
    int32_t any = b->stop >= 0 ? b->stop : b->target >= 0 ? b->target : b->exit;
    return tt_side_opposite(self->orders[any].side);
}

void tt_book_restore_bracket(tt_book_t *self)
{
    tt_bracket_t *b = &self->br;
    memset(b, 0, sizeof *b);
    b->entry = b->stop = b->target = b->exit = -1;
    int dups = (s_role(self, TT_ROLE_ENTRY, &b->entry) > 1) +
               (s_role(self, TT_ROLE_STOP, &b->stop) > 1) +
               (s_role(self, TT_ROLE_TARGET, &b->target) > 1) +
               (s_role(self, TT_ROLE_EXIT, &b->exit) > 1);
    bool any = b->entry >= 0 || b->stop >= 0 || b->target >= 0 || b->exit >= 0;
    if (!any && self->pos.qty == 0)
        return;
    b->active = true;
    b->side = s_side(self);
    b->stop_px = b->init_stop_px =
        b->stop >= 0 ? self->orders[b->stop].stop_px : 0;
    b->target_px = b->target >= 0 ? self->orders[b->target].limit_px : 0;
    bool exposed = self->pos.qty != 0 || b->entry >= 0;
    b->exiting = dups > 0 || b->exit >= 0 ||
                 (exposed && (b->stop_px <= 0 || b->target_px <= 0));
    if (self->pos.qty == 0)
        return;
    tt_px_t avg = tt_position_avg_px(&self->pos);
    b->best_px = avg;
    b->be_done = b->stop_px > 0 && (b->side == TT_SIDE_BUY ? b->stop_px >= avg
                                                           : b->stop_px <= avg);
}

int tt_book_resync(tt_book_t *self, tt_ns_t ts, tt_intents_t *out)
{
    if (!self || !out)
        return -1;
    out->n = 0;
    self->err[0] = '\0';
    int rc = tt_book_sync(self, ts, out);
    tt_book_guard(self, ts);
    return rc;
}
