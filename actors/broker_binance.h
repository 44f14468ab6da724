/*  actors/broker_binance.h: what the files of Binance's order protocol
    share (broker_binance.c: setup and intents; broker_binance_orders.c:
    the orders followed, the one rule for fills, the requests;
    broker_binance_session.c: the user-data session, its stream and the
    recovery; broker_binance_oco.c: a bracket's exits as one order
    list). Runs on the broker gateway's thread. Private to actors/. */
#ifndef TT_ACTORS_BROKER_BINANCE_H
#define TT_ACTORS_BROKER_BINANCE_H

#include "actors/broker_proto.h"
#include "venues/binance/bn_ipweight.h"
#include "venues/binance/bn_ordercount.h"
#include "venues/binance/bn_rest.h"
#include "venues/binance/bn_weight.h"

/* Orders followed (the oldest finished recycled); trades per order in
   the recovery (the venue's maximum); a signed query string, at most. */
#define TT_BNB_ORDERS 512
#define TT_BNB_TRADES 1000
#define TT_BNB_QUERY 1024
/* tt_bnb_call: no reply or a 5xx, the outcome unknown. */
#define TT_BNB_UNKNOWN 2
/* tt_bnb_submit_exit: no OCO, the exit goes as a lone order. */
#define TT_BNB_ALONE 3
/* tt_bnb_query_order: refused for a reason that says nothing of the
   order (a clock outside the receive window, refused keys). */
#define TT_BNB_UNTOLD 4
/* New orders an entry leaves room for in the account's order count: its
   stop and take-profit, one OCO list of two orders, so that a full
   window refuses the next entry rather than the exits of the last. */
#define TT_BNB_EXIT_ORDERS 2

typedef struct {
    bool used;
    char coid[TT_COID_MAX + 1];
    int64_t id; /* the venue's orderId; 0 until known */
    size_t sym;
    bool acked, done;
    bool unsure;          /* sent, outcome unknown: look up before resending */
    tt_ns_t lookup_at;    /* mono: its next lookup, after a refused one */
    bool sync;            /* to re-query (reconnect, gap, refused cancel) */
    tt_qty_t cum;         /* filled quantity reported */
    tt_qty_t venue_cum;   /* filled quantity the venue reported */
    tt_ord_state_t final; /* terminal state seen, held until the fills */
    uint64_t touch;       /* recycling order */
    bool restored;        /* from the store after a restart, not yet
                             reconciled (actors/exec_venue.h) */
    bool seed_acked;      /* what the store knew of it */
    tt_qty_t seed_cum;
    tt_broker_ev_kind_t last; /* the last state event emitted */
    int64_t list;             /* the venue's orderListId of an OCO leg; 0 */
    bool held;                /* its expiry waits for its partner's trade */
    tt_ns_t hold_until;       /* an exit waiting for its OCO partner (wall) */
    tt_side_t side;           /* 0 until known (a commission's meaning) */
} tt_bnb_order_t;

/* One trade of an order, from whichever path brought it. */
typedef struct {
    int64_t trade_id;
    tt_px_t px;
    tt_qty_t qty;
    tt_qty_t cum_after; /* the order's filled quantity after it */
    tt_ns_t ts;         /* 0: now */
    int64_t commission; /* TT_BN_ASSET_DECIMALS */
    const char *asset;  /* the commission's asset ("" or NULL: none) */
} tt_bnb_fill_t;

typedef struct {
    bool loaded;
    tt_ns_t retry_at; /* mono: after a failed fetch */
    char error[96];   /* why the filters could not be read */
    tt_bn_filters_t f;
    bool fee_warned; /* a commission in a third asset was reported */
} tt_bnb_filters_t;

typedef struct {
    tt_broker_gw_t *gw;
    const tt_feed_sym_t *syms;
    size_t count;
    const tt_feed_opts_t *opts;
    char *key_hdr; /* "X-MBX-APIKEY: value", wiped at the end */
    char *secret;  /* wiped at the end */
    char stream_base[256];
    char listen_key[TT_BN_LISTEN_KEY_MAX];
    tt_ns_t key_at;       /* mono: next listenKey request */
    tt_ns_t keepalive_at; /* mono: next keepalive */
    bool key_expired;     /* the stream said listenKeyExpired */
    bool need_sync, sync_all;
    int down; /* requests in a row without a reply */
    tt_bnb_filters_t *filters;
    tt_bnb_order_t orders[TT_BNB_ORDERS];
    uint64_t touches;
    tt_bn_ipweight_t *weight;  /* the API host's request weight this
                                  minute, shared with the history */
    tt_bn_ordercount_t ocount; /* the account's new orders per window */
    int64_t held_logged;       /* the hold (ms) last logged */
    tt_bn_trade_t *trades;
} tt_bnb_t;

/* The gateway's log path. */
const char *tt_bnb_path(const tt_bnb_t *self);
/* SYMBOL's gateway index and scales; -1 when not one of ours. */
int tt_bnb_lookup_sym(void *arg, const char *symbol, tt_instrument_t *out);

/* ---- broker_binance.c: filters ---- */

/* SYM's exchange filters into *OUT (fetched once): DONE (loaded, or
   (*OUT)->error says why not) or LATER. */
int tt_bnb_filters(tt_bnb_t *self, size_t sym, tt_bnb_filters_t **out);
/* ORD's *PRICE and *STOP (0: none) fitted to F; -1 with REASON. */
int tt_bnb_fit(const tt_bnb_filters_t *f, const tt_order_t *ord, tt_px_t *price,
               tt_px_t *stop, char *reason, size_t size);

/* Cancels O at the venue (by its list when it is an OCO leg): DONE
   (answered: *GONE when it ended cancelled) or LATER. */
int tt_bnb_cancel(tt_bnb_t *self, tt_bnb_order_t *o, bool *gone);

/* ---- broker_binance_oco.c: a bracket's exits as one order list ---- */

/* Exit ORD (ROLE stop or target) of symbol SYM with its partner from
   the queue as one OCO list: DONE, LATER (the partner has not come yet,
   or the venue must be waited for) or TT_BNB_ALONE (to go as a lone
   order: no partner came in time, or the two do not pair). */
int tt_bnb_submit_exit(tt_bnb_t *self, size_t sym, const tt_order_t *ord,
                       tt_role_t role);
/* Cancels the OCO list leg O belongs to (both legs): DONE (*GONE when O
   ended cancelled) or LATER. */
int tt_bnb_cancel_list(tt_bnb_t *self, tt_bnb_order_t *o, bool *gone);

/* ---- broker_binance_orders.c: orders followed and their fills ---- */

/* The order COID of symbol SYM, followed from now on if it was not. */
tt_bnb_order_t *tt_bnb_track(tt_bnb_t *self, const char *coid, size_t sym);
void tt_bnb_emit(tt_bnb_t *self, tt_bnb_order_t *o, tt_broker_ev_kind_t kind,
                 int32_t code, const char *reason);
/* O refused (REJECTED, CODE, REASON) for a reason that passes: the book
   may send its order again after RETRY_MS (TT_EV_RETRY_UNNAMED: no time
   named). */
void tt_bnb_refuse_for(tt_bnb_t *self, tt_bnb_order_t *o, int32_t code,
                       const char *reason, int64_t retry_ms);
/* A terminal state held for the fills before it: out once they are in. */
void tt_bnb_settle(tt_bnb_t *self, tt_bnb_order_t *o);
/* Trade F of O, applied (with its commission booked as the fee,
   docs/VENUES.md) when it continues what was reported; a gap marks O to
   sync. */
void tt_bnb_trade(tt_bnb_t *self, tt_bnb_order_t *o, const tt_bnb_fill_t *f);
/* The venue's view of O: its state and filled quantity (REASON for a
   rejection, may be NULL). */
void tt_bnb_view(tt_bnb_t *self, tt_bnb_order_t *o, tt_ord_state_t state,
                 tt_qty_t executed, const char *reason);
/* A 200 order body (new, cancel, query) into O's view. */
void tt_bnb_order_reply(tt_bnb_t *self, tt_bnb_order_t *o,
                        const tt_http_reply_t *r);
/* One order as the venue reports it into O's view (fills first). */
void tt_bnb_order_apply(tt_bnb_t *self, tt_bnb_order_t *o,
                        const tt_bn_order_resp_t *v);
/* A 200 order list body (new OCO, list cancel) of symbol SYM into the
   views of the legs it names; false when unreadable (LEGS then marked to
   re-query). */
bool tt_bnb_list_reply(tt_bnb_t *self, size_t sym, const tt_http_reply_t *r,
                       tt_bnb_order_t *const *legs, size_t nlegs);

/* ---- broker_binance_orders.c: requests ---- */

/* One request: PATH with query Q (signed when SIGN). TT_BROKER_DONE with
   *R to read and free; TT_BROKER_LATER (the budget, a 429 or 418);
   TT_BNB_UNKNOWN (no reply, a 5xx: it may or may not have taken
   effect); -1 (cannot build it). */
int tt_bnb_call(tt_bnb_t *self, const char *method, const char *path,
                tt_bn_query_t *q, bool sign, tt_http_reply_t *r);
/* Whether new order COID, placing N orders at the venue (an entry also
   needs room for its exits), fits the account's order limits now: 0
   when it does, else the milliseconds until the window that refuses it
   starts again, with REASON (the order is then refused here, never
   sent, and may go again then). */
int64_t tt_bnb_order_room(tt_bnb_t *self, const char *coid, int64_t n,
                          char *reason, size_t size);
/* Refused credentials: 401, -2014, -2015, -1022. */
bool tt_bnb_bad_key(const tt_bn_reject_t *e);
/* A refused reply into *E and REASON, logged and shown in health;
   refused keys also refuse new orders and hold the session. */
void tt_bnb_reply_error(tt_bnb_t *self, const tt_http_reply_t *r,
                        const char *what, tt_bn_reject_t *e, char *reason,
                        size_t size);
/* A refused order (REJECTED) or cancel (CANCEL_REJECTED) of O. */
void tt_bnb_refused(tt_bnb_t *self, tt_bnb_order_t *o, const tt_http_reply_t *r,
                    bool cancel, const char *what);
/* LATER, or DONE after refusing the intent once the venue has not
   answered several requests in a row (never an order of unknown
   outcome). */
int tt_bnb_give_up(tt_bnb_t *self, tt_bnb_order_t *o, bool cancel);
/* GET /api/v3/order of O into its view: DONE (*MISSING when the venue
   does not know it), TT_BNB_UNTOLD (refused for another reason: nothing
   learnt of O) or LATER. */
int tt_bnb_query_order(tt_bnb_t *self, tt_bnb_order_t *o, bool *missing);
/* An order whose POST had no answer (O->unsure), looked up by client id:
   DONE (its view read, or *MISSING when the venue does not know it, so
   sending is safe) or LATER (no answer, or a refusal that says nothing
   of it: asked again after a pause, never taken as found or missing). */
int tt_bnb_lookup(tt_bnb_t *self, tt_bnb_order_t *o, bool *missing);

/* ---- broker_binance_session.c ---- */

/* After a restart: brings symbol SYM's restored orders up to date with
   the venue (their state, then their trades), publishes each change as a
   reconciliation decision and ends the symbol's list. DONE or LATER. */
int tt_bnb_reconcile(tt_bnb_t *self, size_t sym);

/* The protocol's own work: the session (listenKey, keepalive) and the
   re-query of orders to sync. */
int tt_bnb_work(void *arg);
void tt_bnb_on_open(void *arg, tt_wsfeed_t *feed);
void tt_bnb_on_message(void *arg, tt_wsfeed_t *feed, const char *buf,
                       size_t len, bool binary);

#endif
