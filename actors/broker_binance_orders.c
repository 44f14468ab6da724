/*  actors/broker_binance_orders.c: Binance's order protocol (see
    broker_binance.c): the orders followed, the one rule for fills (a
    trade is applied when it continues the quantity already reported,
    whichever path brings it) and the REST requests with their errors.
    Runs on the broker gateway's thread. */
#include "actors/broker_binance.h"
#include "runtime/clock.h"
#include "marketdata/decimal.h"
#include "runtime/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_DOWN_MAX 3 /* requests without reply before an intent fails */
/* An unsure order's lookup, after the venue refused one. */
#define S_LOOKUP_WAIT_NS 1000000000LL

const char *tt_bnb_path(const tt_bnb_t *self)
{
    return tt_broker_gw_path(self->gw);
}

int tt_bnb_lookup_sym(void *arg, const char *symbol, tt_instrument_t *out)
{
    tt_bnb_t *self = arg;
    for (size_t i = 0; i < self->count; i++)
        if (!strcmp(self->syms[i].name, symbol)) {
            *out = self->syms[i].instrument;
            return (int)i;
        }
    return -1;
}

/* ---- orders followed ------------------------------------------------------
 */

static tt_bnb_order_t *s_find(tt_bnb_t *self, const char *coid)
{
    for (size_t i = 0; i < TT_BNB_ORDERS; i++)
        if (self->orders[i].used && !strcmp(self->orders[i].coid, coid))
            return &self->orders[i];
    return NULL;
}

/* A slot for COID of symbol SYM: a free one, else the finished order
   touched longest ago, else the oldest of all (logged). */
tt_bnb_order_t *tt_bnb_track(tt_bnb_t *self, const char *coid, size_t sym)
{
    tt_bnb_order_t *o = s_find(self, coid);
    if (o)
        return o;
    tt_bnb_order_t *pick = NULL;
    for (size_t i = 0; i < TT_BNB_ORDERS && !(pick && !pick->used); i++) {
        tt_bnb_order_t *c = &self->orders[i];
        if (!c->used || !pick || (c->done && !pick->done) ||
            (c->done == pick->done && c->touch < pick->touch))
            pick = c;
    }
    if (pick->used && !pick->done)
        tt_warn(tt_bnb_path(self),
                "following more than %d open orders: %s forgotten",
                TT_BNB_ORDERS, pick->coid);
    memset(pick, 0, sizeof *pick);
    pick->used = true;
    snprintf(pick->coid, sizeof pick->coid, "%s", coid);
    pick->sym = sym;
    pick->touch = ++self->touches;
    return pick;
}

static void s_emit(tt_bnb_t *self, tt_bnb_order_t *o, tt_broker_ev_kind_t kind,
                   int32_t code, const char *reason, int64_t retry_ms)
{
    tt_broker_ev_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.ts = tt_broker_gw_now(self->gw);
    o->last = kind;
    ev.code = code;
    ev.retry_ms = retry_ms > INT32_MAX ? INT32_MAX : (int32_t)retry_ms;
    snprintf(ev.coid, sizeof ev.coid, "%s", o->coid);
    if (o->id)
        snprintf(ev.venue_oid, sizeof ev.venue_oid, "%lld", (long long)o->id);
    snprintf(ev.reason, sizeof ev.reason, "%.*s", (int)sizeof ev.reason - 1,
             reason ? reason : "");
    tt_broker_gw_emit(self->gw, o->sym, &ev);
}

void tt_bnb_emit(tt_bnb_t *self, tt_bnb_order_t *o, tt_broker_ev_kind_t kind,
                 int32_t code, const char *reason)
{
    s_emit(self, o, kind, code, reason, 0);
}

void tt_bnb_refuse_for(tt_bnb_t *self, tt_bnb_order_t *o, int32_t code,
                       const char *reason, int64_t retry_ms)
{
    s_emit(self, o, TT_EV_REJECTED, code, reason,
           retry_ms > 0 ? retry_ms : TT_EV_RETRY_UNNAMED);
}

static void s_ack(tt_bnb_t *self, tt_bnb_order_t *o)
{
    if (!o->acked && !o->done) {
        tt_bnb_emit(self, o, TT_EV_ACCEPTED, 0, NULL);
        o->acked = true;
    }
}

static tt_role_t s_role(const char *coid)
{
    tt_role_t r = 0;
    tt_coid_parse(coid, NULL, &r);
    return r;
}

/* The other leg of O's OCO list, when followed here and still open: by
   the list, or an exit of the other kind whose list is not known yet
   (restored after a restart, its query still to come). */
static tt_bnb_order_t *s_open_partner(tt_bnb_t *self, const tt_bnb_order_t *o)
{
    tt_role_t r = s_role(o->coid);
    tt_role_t other = r == TT_ROLE_STOP     ? TT_ROLE_TARGET
                      : r == TT_ROLE_TARGET ? TT_ROLE_STOP
                                            : 0;
    for (size_t i = 0; o->list && other && i < TT_BNB_ORDERS; i++) {
        tt_bnb_order_t *p = &self->orders[i];
        if (p != o && p->used && !p->done && p->sym == o->sym &&
            (p->list == o->list ||
             (!p->list && p->sync && s_role(p->coid) == other)))
            return p;
    }
    return NULL;
}

/* A leg the venue expired because its partner traded: the partner's
   trade goes to the book first, or the book would see its stop gone
   with the position still open and send another. While the partner is
   open here and due for a re-query, both are re-queried and the expiry
   waits for it. */
static bool s_hold_expiry(tt_bnb_t *self, tt_bnb_order_t *o)
{
    tt_bnb_order_t *p =
        o->final == TT_OS_EXPIRED ? s_open_partner(self, o) : NULL;
    if (!p || (o->held && !p->sync))
        return false; /* no partner left, or it was re-queried: open */
    o->held = p->sync = o->sync = true;
    return true;
}

/* A terminal state held for the fills before it: out once they are in. */
void tt_bnb_settle(tt_bnb_t *self, tt_bnb_order_t *o)
{
    if (o->done || !o->final || o->cum < o->venue_cum || s_hold_expiry(self, o))
        return;
    s_ack(self, o);
    if (o->final == TT_OS_CANCELLED)
        tt_bnb_emit(self, o, TT_EV_CANCELLED, 0, NULL);
    else if (o->final == TT_OS_EXPIRED)
        tt_bnb_emit(self, o, TT_EV_EXPIRED, 0, "expired at the venue");
    o->done = true;
}

/* O's symbol's base and quote assets (exchangeInfo's, else from its
   name) and the lot a base-asset commission is rounded up to: the
   instrument's, or the venue's step when coarser. */
static tt_qty_t s_assets(tt_bnb_t *self, const tt_bnb_order_t *o, char *base,
                         char *quote, size_t size)
{
    const tt_bnb_filters_t *f = &self->filters[o->sym];
    const tt_feed_sym_t *s = &self->syms[o->sym];
    tt_qty_t lot = s->instrument.lot_size > 0 ? s->instrument.lot_size : 1;
    base[0] = quote[0] = '\0';
    if (f->loaded && f->f.base[0] && f->f.quote[0]) {
        snprintf(base, size, "%s", f->f.base);
        snprintf(quote, size, "%s", f->f.quote);
    } else {
        tt_bn_split_symbol(s->name, base, quote, size);
    }
    if (f->loaded && f->f.step_size > lot && f->f.step_size % lot == 0)
        lot = f->f.step_size;
    return lot;
}

/* An asset amount as text, without trailing zeros ("0.001"). */
static void s_amount(int64_t v, char *out, size_t size)
{
    int n = tt_decimal_format(v, TT_BN_ASSET_DECIMALS, out, size);
    while (n > 1 && out[n - 1] == '0')
        out[--n] = '\0';
    if (n > 1 && out[n - 1] == '.')
        out[--n] = '\0';
}

/* F's commission into EV's fee (and, in the base asset of a buy, the
   quantity the position does not get), logged. */
static void s_fee(tt_bnb_t *self, tt_bnb_order_t *o, const tt_bnb_fill_t *f,
                  tt_broker_ev_t *ev)
{
    /* The ledger keeps the commission as charged, whatever is booked. */
    ev->commission = f->commission;
    ev->commission_decimals = TT_BN_ASSET_DECIMALS;
    snprintf(ev->commission_asset, sizeof ev->commission_asset, "%s",
             f->asset ? f->asset : "");
    if (f->commission == 0)
        return;
    char base[16], quote[16], err[160], amount[40];
    tt_qty_t lot = s_assets(self, o, base, quote, sizeof base);
    const tt_instrument_t *ins = &self->syms[o->sym].instrument;
    const char *asset = f->asset ? f->asset : "";
    s_amount(f->commission, amount, sizeof amount);
    tt_bn_fee_t fee;
    if (tt_bn_commission(asset, f->commission, base, quote, o->side, f->px,
                         f->qty, ins, lot, &fee, err, sizeof err) != 0) {
        tt_error(tt_bnb_path(self), "%s: commission %s %s not booked: %s",
                 ev->fill_id, amount, asset, err);
        return;
    }
    ev->fee = fee.fee;
    ev->fee_qty = fee.fee_qty;
    if (fee.kind == TT_BN_FEE_BASE)
        tt_info(tt_bnb_path(self),
                "%s: commission %s %s kept by the venue: %lld lots less "
                "held",
                ev->fill_id, amount, asset, (long long)(fee.fee_qty / lot));
    if (fee.kind != TT_BN_FEE_OTHER)
        return;
    tt_bnb_filters_t *fl = &self->filters[o->sym];
    if (!fl->fee_warned)
        tt_warn(tt_bnb_path(self),
                "%s: commissions paid in %s are booked as a fee of 0 (no "
                "%s price here); each is logged",
                self->syms[o->sym].name, asset[0] ? asset : "another asset",
                asset[0] ? asset : "its");
    fl->fee_warned = true;
    tt_info(tt_bnb_path(self), "%s: commission %s %s, not valued", ev->fill_id,
            amount, asset);
}

/* Trade F of O. */
void tt_bnb_trade(tt_bnb_t *self, tt_bnb_order_t *o, const tt_bnb_fill_t *f)
{
    if (f->cum_after > o->venue_cum)
        o->venue_cum = f->cum_after;
    if (o->done || f->cum_after <= o->cum)
        return; /* reported already, by this path or another */
    if (f->cum_after - f->qty != o->cum || f->qty <= 0 || f->px <= 0) {
        o->sync = true; /* a trade before it was missed: fetch them all */
        return;
    }
    s_ack(self, o);
    tt_broker_ev_t ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = TT_EV_FILL;
    ev.ts = f->ts ? f->ts : tt_broker_gw_now(self->gw);
    snprintf(ev.coid, sizeof ev.coid, "%s", o->coid);
    if (o->id)
        snprintf(ev.venue_oid, sizeof ev.venue_oid, "%lld", (long long)o->id);
    snprintf(ev.fill_id, sizeof ev.fill_id, "%.24s:%lld",
             self->syms[o->sym].name, (long long)f->trade_id);
    ev.px = f->px;
    ev.qty = f->qty;
    s_fee(self, o, f, &ev);
    o->cum = f->cum_after;
    tt_broker_gw_emit(self->gw, o->sym, &ev);
}

/* The venue's view of O: its state and filled quantity. */
void tt_bnb_view(tt_bnb_t *self, tt_bnb_order_t *o, tt_ord_state_t state,
                 tt_qty_t executed, const char *reason)
{
    if (o->done)
        return;
    if (executed > o->venue_cum)
        o->venue_cum = executed;
    if (state == TT_OS_REJECTED) {
        tt_bnb_emit(self, o, TT_EV_REJECTED, 0,
                    reason && reason[0] ? reason : "rejected by the venue");
        o->done = true;
        return;
    }
    s_ack(self, o);
    if (tt_ord_terminal(state))
        o->final = state;
    if (o->venue_cum > o->cum)
        o->sync = true;
    tt_bnb_settle(self, o);
}

/* One order as the venue reports it (a reply, an order list's leg) into
   O's view; FILLS of a FULL reply are applied first. */
void tt_bnb_order_apply(tt_bnb_t *self, tt_bnb_order_t *o,
                        const tt_bn_order_resp_t *v)
{
    if (v->order_id)
        o->id = v->order_id;
    if (v->order_list_id >= 0)
        o->list = v->order_list_id;
    if (v->side)
        o->side = v->side;
    tt_qty_t cum = 0;
    for (size_t i = 0; i < v->nfills; i++) {
        const tt_bn_fill_t *x = &v->fills[i];
        cum += x->qty;
        tt_bnb_fill_t f = {.trade_id = x->trade_id,
                           .px = x->price,
                           .qty = x->qty,
                           .cum_after = cum,
                           .ts = v->transact_ts,
                           .commission = x->commission,
                           .asset = x->commission_asset};
        tt_bnb_trade(self, o, &f);
    }
    if (v->has_status)
        tt_bnb_view(self, o, v->state, v->executed_qty, NULL);
    else
        s_ack(self, o);
}

/* A 200 order body (new, cancel, query) into O's view. */
void tt_bnb_order_reply(tt_bnb_t *self, tt_bnb_order_t *o,
                        const tt_http_reply_t *r)
{
    tt_bn_order_resp_t *v = malloc(sizeof *v);
    char err[160];
    if (!v ||
        tt_bn_order_resp_parse(r->body, r->len, &self->syms[o->sym].instrument,
                               v, err, sizeof err) != 0) {
        tt_error(tt_bnb_path(self), "%s: order reply: %s", o->coid,
                 v ? err : "out of memory");
        o->sync = true; /* the re-query will tell */
        free(v);
        return;
    }
    tt_bnb_order_apply(self, o, v);
    free(v);
}

/* A 200 order list body (a new OCO, a list cancel) of symbol SYM: each
   leg into the view of the order it names. False when it cannot be read
   (the legs named in LEGS, NLEGS of them, are then marked to re-query). */
bool tt_bnb_list_reply(tt_bnb_t *self, size_t sym, const tt_http_reply_t *r,
                       tt_bnb_order_t *const *legs, size_t nlegs)
{
    tt_bn_order_resp_t *v = malloc(2 * sizeof *v);
    char err[160];
    size_t n = 0;
    int64_t list = -1;
    if (!v ||
        tt_bn_order_list_parse(r->body, r->len, &self->syms[sym].instrument,
                               &list, v, 2, &n, err, sizeof err) != 0) {
        tt_error(tt_bnb_path(self), "order list reply: %s",
                 v ? err : "out of memory");
        for (size_t i = 0; i < nlegs; i++)
            legs[i]->sync = true; /* the re-query will tell */
        free(v);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        tt_instrument_t ins;
        if (tt_bnb_lookup_sym(self, v[i].symbol, &ins) != (int)sym ||
            tt_coid_parse(v[i].client_order_id, NULL, NULL) != 0)
            continue; /* not a leg of ours */
        tt_bnb_order_apply(self, tt_bnb_track(self, v[i].client_order_id, sym),
                           &v[i]);
    }
    free(v);
    return true;
}

/* ---- requests ---------------------------------------------------------------
 */

/* One request: PATH with query Q (signed when SIGN, timestamp now).
   TT_BROKER_DONE with *R to read and free; TT_BROKER_LATER (the budget,
   a 429 or 418: nothing to read); TT_BNB_UNKNOWN (no reply, a 5xx: the
   request may or may not have taken effect); -1 (cannot build it). */
/* Logs a hold until UNTIL (wall ms) once. */
static void s_hold_note(tt_bnb_t *self, int64_t until, int64_t now_ms,
                        const char *why)
{
    if (until == self->held_logged)
        return;
    self->held_logged = until;
    tt_warn(tt_bnb_path(self), "requests held %lld ms: %s",
            (long long)(until - now_ms), why);
}

/* A reply's rate-limit facts: the venue's count, and a refusal for too
   many requests (429, 418, or -1003 / -1015 in a 400) held until the
   venue's wait is over. True for such a refusal (R then freed). */
static bool s_rate_reply(tt_bnb_t *self, tt_http_reply_t *r, int64_t weight,
                         int64_t sent_ms, int64_t now_ms)
{
    tt_bn_ipweight_seen(self->weight, weight, r->used_weight, now_ms);
    for (size_t i = 0; i < r->n_order_counts; i++)
        tt_bn_ordercount_seen(&self->ocount, r->order_counts[i].interval_ms,
                              r->order_counts[i].count, sent_ms, now_ms);
    if (r->status < 400 || r->status >= 500)
        return false;
    tt_bn_reject_t e;
    tt_bn_error_parse((int)r->status, r->body ? r->body : "", r->len, &e);
    if (e.cls != TT_BN_REJ_RATE_LIMIT)
        return false;
    int64_t until =
        tt_bn_ipweight_refused(self->weight, &e, r->retry_after, now_ms);
    char why[200];
    snprintf(why, sizeof why, "%d %lld %.120s", (int)r->status,
             (long long)e.code, e.msg);
    s_hold_note(self, until, now_ms, why);
    tt_http_reply_free(r);
    return true;
}

int tt_bnb_call(tt_bnb_t *self, const char *method, const char *path,
                tt_bn_query_t *q, bool sign, tt_http_reply_t *r)
{
    int32_t window = (int32_t)self->opts->recv_window_ms;
    int64_t now_ms = tt_broker_gw_now(self->gw) / TT_NS_PER_MS;
    int64_t weight = tt_bn_path_weight(method, path);
    int64_t wait = tt_bn_ipweight_take(self->weight, weight,
                                       TT_BN_WEIGHT_HEADROOM_PCT, now_ms);
    if (wait > 0) {
        if (now_ms >= tt_bn_ipweight_get_count(self->weight).hold_until)
            s_hold_note(self, now_ms + wait, now_ms,
                        "the venue's request weight for this minute is "
                        "nearly spent");
        return TT_BROKER_LATER;
    }
    if ((sign ? tt_bn_query_sign(q, self->secret, strlen(self->secret), now_ms,
                                 window)
              : tt_bn_query_finish(q)) < 0) {
        tt_error(tt_bnb_path(self), "%s %s: query too long", method, path);
        tt_bn_ipweight_untake(self->weight, weight, now_ms); /* not sent */
        return -1;
    }
    char full[TT_BNB_QUERY + 64], err[160];
    snprintf(full, sizeof full, "%s%s%s", path, q->len ? "?" : "", q->buf);
    const char *headers[] = {self->key_hdr, NULL};
    int64_t orders = tt_bn_path_orders(method, path);
    tt_bn_ordercount_add(&self->ocount, orders, now_ms);
    int rc = tt_broker_gw_http(self->gw, method, full, headers, NULL, r, err,
                               sizeof err);
    if (rc == TT_BROKER_LATER) {
        tt_bn_ipweight_untake(self->weight, weight, now_ms); /* not sent */
        tt_bn_ordercount_add(&self->ocount, -orders, now_ms);
        return rc;
    }
    if (rc < 0) {
        tt_bn_ipweight_seen(self->weight, weight, -1, now_ms); /* ended */
        self->down++;
        char text[200];
        snprintf(text, sizeof text, "%s %s: no reply: %s", method, path, err);
        tt_warn(tt_bnb_path(self), "%s", text);
        tt_broker_gw_error(self->gw, text);
        return TT_BNB_UNKNOWN;
    }
    self->down = 0;
    if (s_rate_reply(self, r, weight, now_ms,
                     tt_broker_gw_now(self->gw) / TT_NS_PER_MS))
        return TT_BROKER_LATER; /* not a refusal: the same request later */
    if (r->status >= 500) {
        tt_http_reply_free(r);
        return TT_BNB_UNKNOWN;
    }
    return TT_BROKER_DONE;
}

int64_t tt_bnb_order_room(tt_bnb_t *self, const char *coid, int64_t n,
                          char *reason, size_t size)
{
    tt_role_t role = 0;
    tt_coid_parse(coid, NULL, &role);
    int64_t reserve = role == TT_ROLE_ENTRY ? TT_BNB_EXIT_ORDERS : 0;
    int64_t now_ms = tt_broker_gw_now(self->gw) / TT_NS_PER_MS;
    const tt_bn_order_window_t *w = NULL;
    int64_t wait =
        tt_bn_ordercount_check(&self->ocount, n, reserve, now_ms, &w);
    if (wait <= 0)
        return 0;
    char per[32];
    tt_bn_interval_text(w->interval_ms, per, sizeof per);
    /* Short: an order's reason holds 63 characters. */
    snprintf(reason, size, "not sent: order limit %lld per %s, next in %lld s",
             (long long)w->limit, per, (long long)((wait + 999) / 1000));
    tt_info(tt_bnb_path(self),
            "%s: %lld orders counted in this %s window, %lld asked%s: the "
            "account's order limit would be passed",
            coid, (long long)w->count, per, (long long)n,
            reserve ? " with room for its exits" : "");
    return wait;
}

/* Refused credentials: -2014 / -2015 (key, IP, permissions), -1022 (a
   signature made with another secret) or a bare 401. Retrying soon
   cannot help, and a storm of refused requests gets a key blocked. */
bool tt_bnb_bad_key(const tt_bn_reject_t *e)
{
    return e->http_status == 401 || e->code == -2014 || e->code == -2015 ||
           e->code == -1022;
}

/* What a refused reply means for health and, for refused keys, for
   every new order (tt_broker_gw_refuse) and the session. REASON gets
   the status, code and venue message. */
void tt_bnb_reply_error(tt_bnb_t *self, const tt_http_reply_t *r,
                        const char *what, tt_bn_reject_t *e, char *reason,
                        size_t size)
{
    tt_bn_error_parse((int)r->status, r->body ? r->body : "", r->len, e);
    snprintf(reason, size, "%d %lld %s%s", (int)r->status, (long long)e->code,
             e->msg, e->code == -1021 ? " (check the host clock)" : "");
    tt_warn(tt_bnb_path(self), "%s refused: %s (%s)", what, reason,
            tt_bn_rej_class_name(e->cls));
    char text[200];
    snprintf(text, sizeof text, "%s: %s", what, reason);
    tt_broker_gw_error(self->gw, text);
    if (tt_bnb_bad_key(e)) {
        char why[160];
        snprintf(why, sizeof why, "%.100s: check key_id and secret_key",
                 reason);
        tt_broker_gw_refuse(self->gw, self->opts->auth_retry_ms, why);
        self->key_at = tt_mono_ns() + self->opts->auth_retry_ms * 1000000;
    }
}

/* A refused order or cancel, as the symbol sees it. */
void tt_bnb_refused(tt_bnb_t *self, tt_bnb_order_t *o, const tt_http_reply_t *r,
                    bool cancel, const char *what)
{
    tt_bn_reject_t e;
    char reason[200], head[64];
    snprintf(head, sizeof head, "%s %s", what, o->coid);
    tt_bnb_reply_error(self, r, head, &e, reason, sizeof reason);
    int32_t code = (int32_t)(e.code ? e.code : r->status);
    /* Refused keys (held for auth_retry_s) and a clock outside the
       receive window pass; a filter, the balance and the rest stand. */
    if (!cancel && e.cls == TT_BN_REJ_AUTH)
        tt_bnb_refuse_for(self, o, code, reason,
                          tt_bnb_bad_key(&e) ? self->opts->auth_retry_ms
                                             : TT_EV_RETRY_UNNAMED);
    else
        tt_bnb_emit(self, o, cancel ? TT_EV_CANCEL_REJECTED : TT_EV_REJECTED,
                    code, reason);
    if (!cancel)
        o->done = true;
    else if (e.cls == TT_BN_REJ_UNKNOWN_ORDER)
        o->sync = true; /* finished meanwhile: the re-query says how */
}

/* After S_DOWN_MAX requests without a reply, an intent is refused rather
   than held forever (the venue may be gone); not a new order whose
   outcome is unknown, which is looked up once the venue answers. */
int tt_bnb_give_up(tt_bnb_t *self, tt_bnb_order_t *o, bool cancel)
{
    if (self->down < S_DOWN_MAX || (!cancel && o->unsure))
        return TT_BROKER_LATER;
    if (cancel)
        tt_bnb_emit(self, o, TT_EV_CANCEL_REJECTED, 0, "venue unreachable");
    else
        tt_bnb_refuse_for(self, o, 0, "venue unreachable", 0);
    if (!cancel)
        o->done = true;
    self->down = 0;
    return TT_BROKER_DONE;
}

/* GET /api/v3/order of O by client order id into its view. DONE (found,
   or *MISSING set when the venue does not know it), TT_BNB_UNTOLD (any
   other refusal) or LATER. */
int tt_bnb_query_order(tt_bnb_t *self, tt_bnb_order_t *o, bool *missing)
{
    char buf[TT_BNB_QUERY];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_bn_order_ref_query(&q, self->syms[o->sym].name, o->coid);
    tt_http_reply_t r;
    int rc = tt_bnb_call(self, "GET", TT_BN_PATH_ORDER, &q, true, &r);
    if (rc != TT_BROKER_DONE)
        return rc < 0 ? TT_BROKER_DONE : TT_BROKER_LATER;
    *missing = false;
    if (r.status == 200) {
        tt_bnb_order_reply(self, o, &r);
    } else {
        tt_bn_reject_t e;
        char reason[200];
        tt_bnb_reply_error(self, &r, "order query", &e, reason, sizeof reason);
        *missing = e.cls == TT_BN_REJ_UNKNOWN_ORDER;
        if (!*missing)
            rc = TT_BNB_UNTOLD;
    }
    tt_http_reply_free(&r);
    return rc;
}

/* A refused lookup (a clock outside the receive window, refused keys) is
   no answer: read as "found", the order would be given up, neither
   placed nor followed; read as "missing", sent a second time. So it is
   asked again a pause later, as long as it takes. */
int tt_bnb_lookup(tt_bnb_t *self, tt_bnb_order_t *o, bool *missing)
{
    *missing = false;
    if (tt_mono_ns() < o->lookup_at)
        return TT_BROKER_LATER;
    int rc = tt_bnb_query_order(self, o, missing);
    if (rc != TT_BNB_UNTOLD)
        return rc;
    o->lookup_at = tt_mono_ns() + S_LOOKUP_WAIT_NS;
    tt_warn(tt_bnb_path(self),
            "%s: outcome still unknown (its query refused): not sent, asked "
            "again in 1 s",
            o->coid);
    return TT_BROKER_LATER;
}
