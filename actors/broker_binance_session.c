/*  actors/broker_binance_session.c: Binance's user-data session for the
    broker gateway (see broker_binance.c): the listenKey (POST, kept alive
    with PUT, replaced when the venue forgets it), the stream at
    /ws/<listenKey> and its executionReports, and the recovery that every
    (re)connect starts: each order still open here is re-queried (GET
    /api/v3/order) and, when the venue counts more filled than was
    reported, its trades are fetched (GET /api/v3/myTrades?orderId=).
    Runs on the broker gateway's thread. */
#include "actors/broker_binance.h"
#include "messages/internal.h"
#include "runtime/clock.h"
#include "runtime/log.h"

#include <stdio.h>
#include <string.h>

#define S_KEEPALIVE_RETRY_NS (60 * 1000000000LL)

/* ---- recovery ---------------------------------------------------------------
 */

/* O's trades (GET /api/v3/myTrades?orderId=) not yet reported. */
static int s_fetch_trades(tt_bnb_t *self, tt_bnb_order_t *o)
{
    char buf[TT_BNB_QUERY], err[160];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_bn_query_add(&q, "symbol", self->syms[o->sym].name);
    tt_bn_query_add_int(&q, "orderId", o->id);
    tt_bn_query_add_int(&q, "limit", TT_BNB_TRADES);
    tt_http_reply_t r;
    int rc = tt_bnb_call(self, "GET", TT_BN_PATH_MY_TRADES, &q, true, &r);
    if (rc != TT_BROKER_DONE)
        return rc < 0 ? TT_BROKER_DONE : TT_BROKER_LATER;
    size_t n = 0;
    if (r.status != 200) {
        tt_bn_reject_t e;
        char reason[200];
        tt_bnb_reply_error(self, &r, "trades query", &e, reason, sizeof reason);
    } else if (tt_bn_trades_parse(r.body, r.len, &self->syms[o->sym].instrument,
                                  self->trades, TT_BNB_TRADES, &n, err,
                                  sizeof err) != 0) {
        tt_error(tt_bnb_path(self), "%s: %s", o->coid, err);
    }
    tt_http_reply_free(&r);
    tt_qty_t cum = 0;
    for (size_t i = 0; i < n; i++) {
        if (self->trades[i].order_id != o->id)
            continue;
        const tt_bn_trade_t *t = &self->trades[i];
        cum += t->qty;
        tt_bnb_fill_t f = {.trade_id = t->id,
                           .px = t->price,
                           .qty = t->qty,
                           .cum_after = cum,
                           .ts = t->ts,
                           .commission = t->commission,
                           .asset = t->commission_asset};
        tt_bnb_trade(self, o, &f);
    }
    return TT_BROKER_DONE;
}

/* Brings O up to date with the venue: its state, then its trades. */
static int s_requery(tt_bnb_t *self, tt_bnb_order_t *o)
{
    bool missing = false;
    if (o->venue_cum <= o->cum || !o->id) {
        if (tt_bnb_query_order(self, o, &missing) == TT_BROKER_LATER)
            return TT_BROKER_LATER;
        if (missing && !o->acked) {
            tt_bnb_emit(self, o, TT_EV_REJECTED, 0, "unknown to the venue");
            o->done = true;
        } else if (missing && o->restored) {
            /* Open in the store, never heard of at the venue. */
            tt_bnb_emit(self, o, TT_EV_EXPIRED, 0, "unknown to broker");
            o->done = true;
        }
    }
    if (!o->done && o->id && o->venue_cum > o->cum &&
        s_fetch_trades(self, o) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    if (o->venue_cum > o->cum)
        tt_error(tt_bnb_path(self),
                 "%s: the venue counts %lld filled, %lld found", o->coid,
                 (long long)o->venue_cum, (long long)o->cum);
    tt_bnb_settle(self, o);
    return TT_BROKER_DONE;
}

static int s_sync(tt_bnb_t *self)
{
    if (self->sync_all) {
        /* Orders the venue has (or had before a restart); not one still
           in the queue, such as an exit waiting for its OCO partner: the
           venue would not know it yet. */
        for (size_t i = 0; i < TT_BNB_ORDERS; i++) {
            tt_bnb_order_t *o = &self->orders[i];
            if (o->used && !o->done && !o->unsure && (o->acked || o->restored))
                o->sync = true;
        }
        self->sync_all = false;
    }
    size_t n = 0;
    for (size_t i = 0; i < TT_BNB_ORDERS; i++) {
        tt_bnb_order_t *o = &self->orders[i];
        if (!o->used || !o->sync)
            continue;
        o->sync = false; /* the re-query may ask for another */
        if (!o->done && s_requery(self, o) == TT_BROKER_LATER) {
            o->sync = true;
            return TT_BROKER_LATER;
        }
        n++;
    }
    if (n)
        tt_info(tt_bnb_path(self), "%zu orders re-queried", n);
    return TT_BROKER_DONE;
}

/* Re-queries symbol SYM's restored orders due for it; a pass may mark
   more (an OCO leg's expiry waiting for its partner), so a few passes. */
static int s_requery_restored(tt_bnb_t *self, size_t sym)
{
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < TT_BNB_ORDERS; i++) {
            tt_bnb_order_t *o = &self->orders[i];
            if (!o->used || !o->restored || o->sym != sym || !o->sync ||
                o->done)
                continue;
            o->sync = false;
            if (s_requery(self, o) == TT_BROKER_LATER) {
                o->sync = true;
                return TT_BROKER_LATER;
            }
        }
    return TT_BROKER_DONE;
}

int tt_bnb_reconcile(tt_bnb_t *self, size_t sym)
{
    if (s_requery_restored(self, sym) == TT_BROKER_LATER)
        return TT_BROKER_LATER;
    int changed = 0;
    for (size_t i = 0; i < TT_BNB_ORDERS; i++) {
        tt_bnb_order_t *o = &self->orders[i];
        if (!o->used || !o->restored || o->sym != sym)
            continue;
        o->restored = false;
        const char *why = NULL;
        int32_t action = TT_RECON_ADOPT_STATE;
        if (o->cum > o->seed_cum) {
            tt_broker_gw_note(self->gw, sym, o->coid, TT_RECON_ADOPT_FILL, NULL,
                              "filled at the venue while down");
            changed++;
        }
        if (o->done && o->last == TT_EV_EXPIRED && !o->id)
            why = "unknown to broker", action = TT_RECON_RESOLVE;
        else if (o->done && o->last == TT_EV_CANCELLED)
            why = "cancelled at the venue";
        else if (o->done && o->last == TT_EV_EXPIRED)
            why = "expired at the venue";
        else if (o->done && o->last == TT_EV_REJECTED)
            why = "rejected at the venue";
        else if (!o->done && o->acked && !o->seed_acked)
            why = "working at the venue: acknowledged";
        if (why)
            tt_broker_gw_note(self->gw, sym, o->coid, action, NULL, why);
        changed += why != NULL;
    }
    tt_info(tt_bnb_path(self), "%s: restart reconciled, %d changed",
            self->syms[sym].name, changed);
    tt_broker_gw_note(self->gw, sym, "", 0, NULL, "");
    return TT_BROKER_DONE;
}

/* ---- the user-data session --------------------------------------------------
 */

static void s_session_lost(tt_bnb_t *self, tt_ns_t retry_ns)
{
    self->listen_key[0] = '\0';
    tt_broker_gw_stream_to(self->gw, "");
    self->key_at = tt_mono_ns() + retry_ns;
}

/* POST /api/v3/userDataStream: a listenKey, and the stream at it. */
static void s_open_session(tt_bnb_t *self)
{
    char buf[8];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_http_reply_t r;
    int rc = tt_bnb_call(self, "POST", TT_BN_PATH_USER_STREAM, &q, false, &r);
    if (rc != TT_BROKER_DONE) {
        if (rc != TT_BROKER_LATER)
            self->key_at = tt_mono_ns() + self->opts->backoff_max_ms * 1000000;
        return;
    }
    char err[160];
    if (r.status != 200) {
        tt_bn_reject_t e;
        char reason[200];
        tt_bnb_reply_error(self, &r, "userDataStream", &e, reason,
                           sizeof reason);
        if (!tt_bnb_bad_key(&e))
            self->key_at = tt_mono_ns() + self->opts->backoff_max_ms * 1000000;
    } else if (tt_bn_listen_key_parse(r.body, r.len, self->listen_key,
                                      sizeof self->listen_key, err,
                                      sizeof err) != 0) {
        tt_error(tt_bnb_path(self), "%s", err);
        self->key_at = tt_mono_ns() + self->opts->backoff_max_ms * 1000000;
    } else {
        char url[sizeof self->stream_base + TT_BN_LISTEN_KEY_MAX + 2];
        snprintf(url, sizeof url, "%s/%s", self->stream_base, self->listen_key);
        self->keepalive_at = tt_mono_ns() + self->opts->keepalive_ms * 1000000;
        tt_broker_gw_error(self->gw, "");
        tt_broker_gw_stream_to(self->gw, url);
    }
    tt_http_reply_free(&r);
}

/* PUT /api/v3/userDataStream: the key lives 60 more minutes. */
static void s_keepalive(tt_bnb_t *self)
{
    char buf[TT_BN_LISTEN_KEY_MAX + 32];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_bn_query_add(&q, "listenKey", self->listen_key);
    tt_http_reply_t r;
    int rc = tt_bnb_call(self, "PUT", TT_BN_PATH_USER_STREAM, &q, false, &r);
    if (rc == TT_BROKER_LATER)
        return;
    if (rc != TT_BROKER_DONE) {
        self->keepalive_at = tt_mono_ns() + S_KEEPALIVE_RETRY_NS;
        return;
    }
    if (r.status == 200) {
        self->keepalive_at = tt_mono_ns() + self->opts->keepalive_ms * 1000000;
    } else {
        tt_bn_reject_t e;
        char reason[200];
        tt_bnb_reply_error(self, &r, "listenKey keepalive", &e, reason,
                           sizeof reason);
        if (!tt_bnb_bad_key(&e)) /* expired: a new session, re-queried */
            s_session_lost(self, 0);
        else
            self->keepalive_at =
                tt_mono_ns() + self->opts->auth_retry_ms * 1000000;
    }
    tt_http_reply_free(&r);
}

int tt_bnb_work(void *arg)
{
    tt_bnb_t *self = arg;
    tt_ns_t now = tt_mono_ns();
    if (self->key_expired) {
        self->key_expired = false;
        tt_warn(tt_bnb_path(self), "listenKey expired: a new session");
        s_session_lost(self, 0);
    }
    if (!self->listen_key[0] && now >= self->key_at)
        s_open_session(self);
    else if (self->listen_key[0] && now >= self->keepalive_at)
        s_keepalive(self);
    if (self->need_sync) {
        self->need_sync = false;
        self->sync_all = true;
    }
    return s_sync(self);
}

/* ---- the stream -------------------------------------------------------------
 */

void tt_bnb_on_open(void *arg, tt_wsfeed_t *feed)
{
    tt_bnb_t *self = arg;
    /* The stream needs no message from us: it is live once open. What
       happened while it was not is re-queried. */
    tt_wsfeed_note(feed, TT_WSFEED_NOTE_SUBSCRIBED, NULL);
    self->need_sync = true;
}

static void s_on_exec(tt_bnb_t *self, const tt_bn_exec_t *x)
{
    tt_instrument_t ins;
    int sym = tt_bnb_lookup_sym(self, x->symbol, &ins);
    if (sym < 0 || tt_coid_parse(x->client_order_id, NULL, NULL) != 0)
        return; /* not one of ours */
    tt_bnb_order_t *o = tt_bnb_track(self, x->client_order_id, (size_t)sym);
    if (x->order_id)
        o->id = x->order_id;
    if (x->side)
        o->side = x->side;
    if (x->exec_type == TT_BN_EXEC_TRADE) {
        tt_bnb_fill_t f = {.trade_id = x->trade_id,
                           .px = x->last_px,
                           .qty = x->last_qty,
                           .cum_after = x->cum_qty,
                           .ts = x->transact_ts,
                           .commission = x->commission,
                           .asset = x->commission_asset};
        tt_bnb_trade(self, o, &f);
    }
    const char *reason =
        x->exec_type == TT_BN_EXEC_REJECTED ? x->reject_reason : NULL;
    tt_bnb_view(self, o, x->state, x->cum_qty, reason);
}

void tt_bnb_on_message(void *arg, tt_wsfeed_t *feed, const char *buf,
                       size_t len, bool binary)
{
    (void)binary;
    tt_bnb_t *self = arg;
    tt_bn_exec_t x;
    char err[160];
    switch (tt_bn_userdata_parse(buf, len, tt_bnb_lookup_sym, self, &x, err,
                                 sizeof err)) {
    case TT_BN_UD_EXEC:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_OTHER, NULL);
        s_on_exec(self, &x);
        return;
    case TT_BN_UD_KEY_EXPIRED:
        self->key_expired = true;
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_SERVER_ERROR, "listenKeyExpired");
        return;
    case TT_BN_UD_UNKNOWN_SYMBOL:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_UNKNOWN_SYMBOL, NULL);
        return;
    case TT_BN_UD_MALFORMED:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_MALFORMED, err);
        return;
    default:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_OTHER, NULL);
        return;
    }
}
