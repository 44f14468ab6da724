/*  tests/fakes/fake_binance.h: a local stand-in for Binance Spot, for
    tests.

    One server on 127.0.0.1 (ephemeral port) speaks, as documented in
    /work/shared/protocols.md section 3:
      - market streams: /ws/<stream> (raw), /stream?streams=a/b (combined),
        SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS, trade / aggTrade /
        kline events the test pushes, server pings with a pong deadline;
      - REST: ping, time, exchangeInfo (PRICE_FILTER, LOT_SIZE, NOTIONAL),
        klines, and the SIGNED order endpoints (HMAC-SHA256 over the query
        string and body, timestamp / recvWindow), with request-weight
        and new-order accounting (X-MBX-ORDER-COUNT-10S / -1D), 429 and
        then 418;
      - the user data stream: POST /api/v3/userDataStream, then
        /ws/<listenKey> carrying executionReport events.
    Orders fill against the trades the test pushes. Differences from the
    real venue: tests/fakes/README.md.

    Runs its own service thread; every function here is thread-safe.
    Test-only code (tt_fakevenue). */
#ifndef TT_TESTS_FAKES_FAKE_BINANCE_H
#define TT_TESTS_FAKES_FAKE_BINANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/fakes/fakeclock.h"

/* One tradable symbol and its filters (decimal strings; NULL or "0"
   turns a rule off, as on the venue). */
typedef struct {
    const char *symbol; /* "BTCUSDT" */
    const char *base, *quote;
    const char *min_price, *max_price, *tick_size; /* PRICE_FILTER */
    const char *min_qty, *max_qty, *step_size;     /* LOT_SIZE */
    const char *min_notional;                      /* NOTIONAL */
} fake_binance_symbol_t;

typedef struct {
    const char *api_key; /* the X-MBX-APIKEY accepted */
    const char *secret;  /* its HMAC secret */
    const fake_binance_symbol_t *symbols;
    size_t symbol_count;
    fake_clock_fn *clock; /* NULL: CLOCK_REALTIME */
    void *clock_arg;
    int weight_limit; /* REQUEST_WEIGHT per minute; 0: 6000 */
    /* ORDERS limits of the account: new orders per 10 s (0: 100) and
       per UTC day (0: none listed or enforced). */
    int order_limit_10s;
    int order_limit_1d;
    int ban_seconds;      /* 418 duration; 0: 120 */
    int ping_interval_ms; /* server pings; 0: 20000 */
    int pong_timeout_ms;  /* no pong this long: dropped; 0: 60000 */
    /* Sells need free base coins: bought minus sold minus what open sells
       hold (an OCO list holds them once); else -2010 insufficient
       balance, as at the venue. Off: any sell is accepted. */
    bool enforce_balance;
    /* Commission on every trade, commission_bps of it (0: none, reported
       as "0" in the quote asset). FAKE_BINANCE_FEE_DELIVERED: in the
       asset the trade delivered, as the venue charges by default (the base
       coins of a buy, which the balance then lacks; the quote of a sell);
       FAKE_BINANCE_FEE_QUOTE: always in the quote asset (of the trade's
       value); FAKE_BINANCE_FEE_BNB: in BNB (commission_bps of the trade's
       quantity, a made-up amount: nobody here prices BNB). */
    int commission;
    int commission_bps;
} fake_binance_cfg_t;

#define FAKE_BINANCE_FEE_DELIVERED 1
#define FAKE_BINANCE_FEE_QUOTE 2
#define FAKE_BINANCE_FEE_BNB 3

typedef struct {
    int64_t open_ms;
    const char *o, *h, *l, *c, *v; /* decimal strings */
    int64_t n;                     /* trade count */
    bool closed;                   /* the stream's "x" */
} fake_binance_kline_t;

typedef struct {
    uint64_t http_requests;
    uint64_t http_429, http_418;
    uint64_t auth_failures; /* -2014 / -2015 and refused listen keys */
    uint64_t sig_failures;  /* -1022 */
    uint64_t time_failures; /* -1021 */
    uint64_t md_clients, user_clients; /* websockets open now */
    uint64_t md_connections, user_connections;
    uint64_t orders_received, orders_accepted, fills;
    uint64_t events_sent; /* executionReport frames queued */
    uint64_t pings_sent, pongs_received;
    uint64_t max_used_weight;    /* the highest count in any minute */
    uint64_t http_400_1003;      /* fake_binance_too_many's answers */
    uint64_t http_max_in_flight; /* most requests at once, not answered */
    uint64_t http_429_orders;    /* new orders over an ORDERS limit */
    uint64_t max_orders_10s;     /* the highest order count in 10 s */
    uint64_t orders_unanswered;  /* fake_binance_silent_orders' orders */
} fake_binance_stats_t;

typedef struct fake_binance_t fake_binance_t;

fake_binance_t *fake_binance_start(const fake_binance_cfg_t *cfg);
void fake_binance_stop(fake_binance_t **self_p);
int fake_binance_port(const fake_binance_t *self);

/* A trade: trade and aggTrade events to their subscribers, the symbol's
   last price, fills for the orders it crosses. */
int fake_binance_push_trade(fake_binance_t *self, const char *symbol,
                            const char *price, const char *qty, int64_t ts_ms,
                            bool buyer_is_maker);
/* A kline event on <symbol>@kline_<interval>. */
int fake_binance_push_kline(fake_binance_t *self, const char *symbol,
                            const char *interval,
                            const fake_binance_kline_t *k);
/* History served by GET /api/v3/klines (kept sorted by open time). */
int fake_binance_seed_kline(fake_binance_t *self, const char *symbol,
                            const char *interval,
                            const fake_binance_kline_t *k);

/* Fills QTY of the open order CLIENT_ORDER_ID at PRICE now, connected
   user-data clients or not. 0 or -1. */
int fake_binance_fill_while_down(fake_binance_t *self,
                                 const char *client_order_id, const char *qty,
                                 const char *price);
/* The order's status ("NEW", "FILLED"...) into OUT. 0 or -1. */
int fake_binance_order_status(fake_binance_t *self, const char *client_order_id,
                              char *out, size_t outsize);

/* The venue forgets order CLIENT_ORDER_ID (as if it had never been
   placed), with the other legs of its OCO list: queries by its id answer
   -2013, cancels -2011. 0 or -1. */
int fake_binance_forget_order(fake_binance_t *self,
                              const char *client_order_id);
/* The orderListId of order CLIENT_ORDER_ID: 0 for a lone order, -1 when
   there is no such order. */
int64_t fake_binance_order_list_id(fake_binance_t *self,
                                   const char *client_order_id);

/* Fault injection. reject_auth refuses every API key (-2015). */
int fake_binance_drop_connections(fake_binance_t *self);
void fake_binance_set_reject_auth(fake_binance_t *self, bool reject);
void fake_binance_rate_limit_storm(fake_binance_t *self, int n);
/* The next N OCO list requests (POST /api/v3/orderList/oco) are answered
   429 -1003 with Retry-After: RETRY_S (at least 1), nothing carried out:
   a stop held by the gateway for that long. */
void fake_binance_rate_limit_oco(fake_binance_t *self, int n, int retry_s);
/* The next N requests under the limit are counted and then answered 400
   -1003 "Too many requests" with Retry-After: 1 (the venue's other way
   of saying it; nothing is carried out). */
void fake_binance_too_many(fake_binance_t *self, int n);
/* Every listenKey expires now: a listenKeyExpired event to each
   user-data client, then the keys are forgotten (a keepalive gets -1125,
   a new connection with one is refused). Returns how many expired. */
int fake_binance_expire_listen_keys(fake_binance_t *self);
/* The next N new orders are executed but answered 503 -1007 ("execution
   status unknown"), as the venue does when its backend times out. */
void fake_binance_unknown_outcome(fake_binance_t *self, int n);
/* A new order whose answer never reaches the client: the case a
   service must not meet by sending the order again blindly. */
typedef struct {
    int n;     /* new orders left unanswered (an OCO list is one); 0 ends */
    int skip;  /* new orders answered as usual before the first of them */
    bool lost; /* not carried out: the request died before the venue took
                  it (the connection closed, nothing booked) */
    /* Else the order is carried out exactly as usual (booked, filled if
       marketable) and then: 0, the connection is closed without a byte of
       response; above 0, the response is held this long (more than the
       client's timeout, so that it gives up first). */
    int hold_ms;
    bool quiet; /* no executionReport of it on the user-data stream either
                   (as if the stream lost them): only a query tells */
} fake_binance_silent_t;
/* The next HOW->n new orders that pass every check (POST /api/v3/order
   and POST /api/v3/orderList/oco) get no answer, as HOW says. They are
   counted in fake_binance_coid_count like any submission, and in the
   stats' orders_unanswered. */
void fake_binance_silent_orders(fake_binance_t *self,
                                const fake_binance_silent_t *how);
/* The next N market orders fill in two trades at the last price (half
   the quantity on the lot step, then the rest), both in the reply. */
void fake_binance_split_fills(fake_binance_t *self, int n);
/* The next N cancels (DELETE /api/v3/order or /api/v3/orderList, past
   the key and signature checks) are answered 400 -1021, the venue's
   answer to a request stamped outside its recvWindow; nothing is
   cancelled. 0 ends it. */
void fake_binance_refuse_cancels(fake_binance_t *self, int n);
void fake_binance_set_delay_ms(fake_binance_t *self, int ms);
/* N new orders placed now by another client of the account: counted in
   the current 10 s and day windows (as the venue counts per account). */
void fake_binance_spend_orders(fake_binance_t *self, int n);
/* One raw frame to every market-stream client; returns how many. */
int fake_binance_send_raw(fake_binance_t *self, const void *data, size_t len,
                          bool binary);

void fake_binance_stats(fake_binance_t *self, fake_binance_stats_t *out);
/* Requests to one route, "METHOD /path", e.g. "POST /api/v3/order". */
uint64_t fake_binance_requests(fake_binance_t *self, const char *route);
/* Times CLIENT_ORDER_ID reached order handling as newClientOrderId in
   POST /api/v3/order (past key, weight and signature checks, so a retry
   after a 429 is not counted but a second real submission is). */
uint64_t fake_binance_coid_count(fake_binance_t *self,
                                 const char *client_order_id);
uint64_t fake_binance_coid_max(fake_binance_t *self);

#endif
