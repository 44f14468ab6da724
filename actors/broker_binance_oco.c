/*  actors/broker_binance_oco.c: a bracket's exits at Binance spot as one
    OCO order list (see broker_binance.c). Runs on the broker gateway's
    thread.

    The book sends a filled entry's stop and take-profit as two orders
    that sell the same coins. Sent apart, the venue locks the coins for
    the first and refuses the second (-2010 insufficient balance), and
    were both accepted both could fill. So the stop, which the book sends
    first, waits at the head of the queue (at most S_PAIR_WAIT_NS) for
    its take-profit, and both leave in one POST /api/v3/orderList/oco.
    Unlike Alpaca's OCO, each leg carries our own client id
    (aboveClientOrderId, belowClientOrderId), so every executionReport,
    query and trade of a leg names our order and the rest of the gateway
    follows legs like any order. The venue expires the other leg as soon
    as one trades.

    Cancelling either leg cancels the whole list at the venue (documented
    for DELETE /api/v3/order), so a leg is cancelled explicitly by its
    list (DELETE /api/v3/orderList?orderListId=), and the reply reports
    both legs: the book reads the partner's cancel like any cancel and
    sends what its bracket lacks. A stop move (a replace) therefore
    cancels the list, and the new stop waits for the book's new
    take-profit (or its replacement) to leave with it as a new list. An
    exit whose partner does not come in time, or cannot pair (another
    quantity), goes alone. An exit sent while its partner still works at
    the venue alone (what is left of a list after a partial trade, or a
    lone exit) would be refused for balance and the book would flatten:
    the partner is cancelled first and the exit waits for the book's
    replacement of it, to leave together as a new list. */
#include "actors/broker_binance.h"
#include "runtime/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PAIR_WAIT_NS (2 * 1000000000LL) /* an exit waits for its partner */

static tt_role_t s_role(const char *coid)
{
    tt_role_t r = 0;
    tt_coid_parse(coid, NULL, &r);
    return r;
}

/* An exit of ROLE for symbol SYM that is still open here, or NULL. */
static tt_bnb_order_t *s_exit_live(tt_bnb_t *self, size_t sym, tt_role_t role)
{
    for (size_t i = 0; i < TT_BNB_ORDERS; i++) {
        tt_bnb_order_t *o = &self->orders[i];
        if (o->used && !o->done && o->sym == sym && s_role(o->coid) == role)
            return o;
    }
    return NULL;
}

/* Exit O would go beside LIVE, its partner working at the venue alone
   (or as what is left of a list whose other leg ended: a partial trade
   of the take-profit expires the stop). The venue holds the coins for
   LIVE and would refuse O for balance, and the book would then flatten
   at the market. So LIVE is cancelled first; the book, told, sends its
   replacement, and O waits for it to leave with it as one list. LATER
   while that goes on; TT_BNB_ALONE when LIVE cannot be cancelled (not
   acknowledged yet, or the venue refused: it filled meanwhile). */
static int s_clear_partner(tt_bnb_t *self, tt_bnb_order_t *o,
                           tt_bnb_order_t *live)
{
    if (live->final == TT_OS_CANCELLED)
        return TT_BROKER_LATER; /* cancelled, its fills still to come */
    if (!live->acked || live->final)
        return TT_BNB_ALONE;
    tt_info(tt_bnb_path(self),
            "%s: its partner %s works alone at the venue: cancelled first, "
            "to pair with the book's replacement",
            o->coid, live->coid);
    bool gone = false;
    if (tt_bnb_cancel(self, live, &gone) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    if (!gone)
        return TT_BNB_ALONE;
    o->hold_until = tt_broker_gw_now(self->gw) + S_PAIR_WAIT_NS;
    return TT_BROKER_LATER;
}

/* STOP and TARGET as one list: same side and quantity, a plain limit
   take-profit, a stop or stop-limit. */
static bool s_pairs(const tt_order_t *stop, const tt_order_t *target)
{
    return stop->side == target->side && stop->qty == target->qty &&
           target->type == TT_ORD_LIMIT &&
           (stop->type == TT_ORD_STOP || stop->type == TT_ORD_STOP_LIMIT);
}

/* The partner of ROLE queued behind the exit in hand: a new order, or
   the replacement of a leg whose list is already cancelled (the book
   moving both). With TAKE it leaves the queue. */
static bool s_partner(tt_bnb_t *self, size_t sym, tt_role_t role, bool take,
                      tt_intent_t *out)
{
    if (tt_broker_gw_take(self->gw, sym, TT_INTENT_SUBMIT, role, take, out))
        return true;
    if (!tt_broker_gw_take(self->gw, sym, TT_INTENT_REPLACE, role, false, out))
        return false;
    tt_bnb_order_t *old = tt_bnb_track(self, out->old_coid, sym);
    if (!old->done || old->final != TT_OS_CANCELLED)
        return false;
    if (take)
        tt_broker_gw_take(self->gw, sym, TT_INTENT_REPLACE, role, true, out);
    return true;
}

/* Both legs refused with REASON; they were never sent, or the venue
   refused the list whole. */
static void s_refuse(tt_bnb_t *self, tt_bnb_order_t *const legs[2],
                     int32_t code, const char *reason, int64_t retry_ms)
{
    for (int i = 0; i < 2; i++) {
        if (retry_ms)
            tt_bnb_refuse_for(self, legs[i], code, reason, retry_ms);
        else
            tt_bnb_emit(self, legs[i], TT_EV_REJECTED, code, reason);
        legs[i]->done = true;
    }
}

static int s_give_up(tt_bnb_t *self, tt_bnb_order_t *const legs[2])
{
    int rc = tt_bnb_give_up(self, legs[0], false);
    if (rc == TT_BROKER_DONE) {
        tt_bnb_refuse_for(self, legs[1], 0, "venue unreachable", 0);
        legs[1]->done = true;
    }
    return rc;
}

/* The list's parameters into Q: prices fitted to the filters, the list's
   client id the stop's with the role letter 'l' (never an order id of
   ours, unique as the stop's). -1 with REASON. */
static int s_query(tt_bnb_t *self, size_t sym, const tt_order_t *stop,
                   const tt_order_t *target, tt_bn_query_t *q, char *reason,
                   size_t size)
{
    tt_bnb_filters_t *f = &self->filters[sym];
    tt_px_t tp = target->limit_px, none = 0;
    tt_px_t sp = stop->stop_px;
    tt_px_t sl = stop->type == TT_ORD_STOP_LIMIT ? stop->limit_px : 0;
    if (tt_bnb_fit(f, target, &tp, &none, reason, size) != 0 ||
        tt_bnb_fit(f, stop, &sl, &sp, reason, size) != 0)
        return -1;
    char list[TT_COID_MAX + 1];
    snprintf(list, sizeof list, "%s", stop->coid);
    list[strlen(list) - 1] = 'l';
    const tt_instrument_t *inst = &self->syms[sym].instrument;
    tt_bn_oco_req_t req = {.symbol = self->syms[sym].name,
                           .side = stop->side,
                           .qty = stop->qty,
                           .target_price = tp,
                           .stop_price = sp,
                           .stop_limit_price = sl,
                           .px_decimals = inst->px_decimals,
                           .qty_decimals = inst->qty_decimals,
                           .list_client_order_id = list,
                           .target_client_order_id = target->coid,
                           .stop_client_order_id = stop->coid};
    return tt_bn_oco_query(&req, q, reason, size);
}

/* A list whose POST had no answer: does the venue have it? DONE with
   *SEND true when it does not, else DONE (both legs' views read) or
   LATER. */
static int s_resolve(tt_bnb_t *self, tt_bnb_order_t *const legs[2], bool *send)
{
    bool missing = false;
    *send = false;
    if (tt_bnb_lookup(self, legs[0], &missing) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    if (!missing && tt_bnb_lookup(self, legs[1], &missing) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    legs[0]->unsure = legs[1]->unsure = false;
    *send = missing;
    if (!missing)
        tt_info(tt_bnb_path(self),
                "%s: list found at the venue, not sent again", legs[0]->coid);
    return TT_BROKER_DONE;
}

/* POST /api/v3/orderList/oco of STOP and TARGET. */
static int s_post(tt_bnb_t *self, size_t sym, const tt_order_t *stop,
                  const tt_order_t *target)
{
    tt_bnb_order_t *const legs[2] = {tt_bnb_track(self, stop->coid, sym),
                                     tt_bnb_track(self, target->coid, sym)};
    legs[0]->side = stop->side;
    legs[1]->side = target->side;
    bool send = true;
    if ((legs[0]->unsure || legs[1]->unsure) &&
        s_resolve(self, legs, &send) == TT_BROKER_LATER)
        return s_give_up(self, legs);
    tt_bnb_filters_t *f = NULL;
    if (!send)
        return TT_BROKER_DONE;
    if (tt_bnb_filters(self, sym, &f) == TT_BROKER_LATER)
        return s_give_up(self, legs);
    char buf[TT_BNB_QUERY], reason[160];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    int64_t wait = 0;
    if (s_query(self, sym, stop, target, &q, reason, sizeof reason) != 0 ||
        (wait =
             tt_bnb_order_room(self, stop->coid, 2, reason, sizeof reason))) {
        tt_warn(tt_bnb_path(self), "%s and %s refused locally: %s", stop->coid,
                target->coid, reason);
        s_refuse(self, legs, 0, reason, wait);
        return TT_BROKER_DONE;
    }
    tt_http_reply_t r;
    int rc = tt_bnb_call(self, "POST", TT_BN_PATH_OCO, &q, true, &r);
    if (rc == TT_BNB_UNKNOWN) {
        /* Both legs may work at the venue: the one in hand, and its
           partner still queued behind it until the list is resolved. */
        legs[0]->unsure = legs[1]->unsure = true;
        tt_broker_gw_unsure(self->gw);
        tt_broker_gw_unsure_also(self->gw, sym, stop->coid);
        tt_broker_gw_unsure_also(self->gw, sym, target->coid);
    }
    if (rc < 0) {
        s_refuse(self, legs, 0, "request too long", 0);
        return TT_BROKER_DONE;
    }
    if (rc != TT_BROKER_DONE)
        return s_give_up(self, legs);
    if (r.status == 200) {
        tt_bnb_list_reply(self, sym, &r, legs, 2);
    } else {
        tt_bnb_refused(self, legs[0], &r, false, "oco");
        tt_bnb_refused(self, legs[1], &r, false, "oco");
    }
    tt_http_reply_free(&r);
    return TT_BROKER_DONE;
}

int tt_bnb_submit_exit(tt_bnb_t *self, size_t sym, const tt_order_t *ord,
                       tt_role_t role)
{
    tt_role_t other = role == TT_ROLE_STOP ? TT_ROLE_TARGET : TT_ROLE_STOP;
    tt_bnb_order_t *o = tt_bnb_track(self, ord->coid, sym);
    if (o->done || o->acked)
        return TT_BROKER_DONE; /* at the venue already (a list's leg) */
    tt_intent_t sib;
    if (!s_partner(self, sym, other, false, &sib)) {
        tt_ns_t now = tt_broker_gw_now(self->gw);
        if (!o->hold_until)
            o->hold_until = now + S_PAIR_WAIT_NS;
        if (o->unsure)
            return TT_BNB_ALONE; /* sent alone before */
        tt_bnb_order_t *live = s_exit_live(self, sym, other);
        if (live)
            return s_clear_partner(self, o, live);
        if (now < o->hold_until)
            return TT_BROKER_LATER;
        tt_warn(tt_bnb_path(self),
                "%s: its OCO partner did not come: "
                "sent alone",
                o->coid);
        return TT_BNB_ALONE;
    }
    bool stop_first = role == TT_ROLE_STOP;
    const tt_order_t *stop = stop_first ? ord : &sib.order;
    const tt_order_t *target = stop_first ? &sib.order : ord;
    if (!s_pairs(stop, target))
        return TT_BNB_ALONE;
    int rc = s_post(self, sym, stop, target);
    if (rc == TT_BROKER_DONE)
        s_partner(self, sym, other, true, &sib);
    return rc;
}

/* After a refused list cancel: true when the venue has ended O meanwhile
   (its partner traded), which the re-query brought to the symbol. */
static bool s_ended(tt_bnb_t *self, tt_bnb_order_t *o, const tt_http_reply_t *r)
{
    tt_bn_reject_t e;
    tt_bn_error_parse((int)r->status, r->body ? r->body : "", r->len, &e);
    bool missing = false;
    return e.cls == TT_BN_REJ_UNKNOWN_ORDER &&
           tt_bnb_query_order(self, o, &missing) == TT_BROKER_DONE && o->done;
}

int tt_bnb_cancel_list(tt_bnb_t *self, tt_bnb_order_t *o, bool *gone)
{
    char buf[TT_BNB_QUERY];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_bn_order_list_ref_query(&q, self->syms[o->sym].name, o->list);
    tt_http_reply_t r;
    int rc = tt_bnb_call(self, "DELETE", TT_BN_PATH_ORDER_LIST, &q, true, &r);
    if (rc < 0)
        tt_bnb_emit(self, o, TT_EV_CANCEL_REJECTED, 0, "request too long");
    if (rc != TT_BROKER_DONE)
        return rc < 0 ? TT_BROKER_DONE : tt_bnb_give_up(self, o, true);
    tt_bnb_order_t *const legs[1] = {o};
    if (r.status == 200)
        tt_bnb_list_reply(self, o->sym, &r, legs, 1);
    else if (!s_ended(self, o, &r))
        tt_bnb_refused(self, o, &r, true, "cancel");
    tt_http_reply_free(&r);
    *gone = o->final == TT_OS_CANCELLED;
    return TT_BROKER_DONE;
}
