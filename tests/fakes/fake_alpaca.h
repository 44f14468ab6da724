/*  tests/fakes/fake_alpaca.h: a local stand-in for Alpaca, for tests.

    One server on 127.0.0.1 (ephemeral port) speaks, as documented in
    /work/shared/protocols.md sections 1, 2 and 5:
      - the market-data websocket (ws://HOST:PORT/v2/{feed} and
        /v1beta3/crypto/{loc}): connected / auth / subscribe, trades and
        bars the test pushes, the documented error codes;
      - the trading REST API v2 (orders, positions, account, clock) with
        key headers, and the historical bars REST API;
      - the trade_updates websocket (/stream), binary frames by default as
        the paper server sends them.
    Orders fill against the trades the test pushes. The test scripts the
    market and the broker through the functions below; what the fake does
    not do is listed in tests/fakes/README.md.

    Runs its own service thread; every function here is thread-safe and
    may be called from the test's thread. Test-only code (tt_fakevenue). */
#ifndef TT_TESTS_FAKES_FAKE_ALPACA_H
#define TT_TESTS_FAKES_FAKE_ALPACA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/fakes/fakeclock.h"

typedef struct {
    const char *key_id;         /* the one APCA-API-KEY-ID accepted */
    const char *secret;         /* its APCA-API-SECRET-KEY */
    const char *const *symbols; /* "AAPL"; a '/' makes it crypto ("BTC/USD") */
    size_t symbol_count;
    const char *cash;     /* starting cash, decimal; NULL: "100000" */
    fake_clock_fn *clock; /* NULL: CLOCK_REALTIME */
    void *clock_arg;
    int auth_timeout_ms;     /* market-data auth deadline; 0: 10000 */
    int md_conn_limit;       /* authenticated md connections per path;
                                0: 1 (the usual plan), < 0: unlimited */
    int rate_limit_per_min;  /* REST requests per minute; 0: 200, < 0: off */
    bool trade_updates_text; /* false: binary frames, as paper sends */
    bool allow_short;        /* sells beyond the position are accepted */
} fake_alpaca_cfg_t;

/* A bar; decimals are strings sent verbatim as JSON numbers. */
typedef struct {
    int64_t t_ns; /* start of the bar */
    const char *o, *h, *l, *c;
    const char *v;  /* volume (integer for stocks, fractional for crypto) */
    int64_t n;      /* trade count */
    const char *vw; /* NULL: the close */
} fake_alpaca_bar_t;

typedef struct {
    uint64_t http_requests;      /* every REST request */
    uint64_t http_429;           /* 429s sent (limit or storm) */
    uint64_t http_max_in_flight; /* most requests at once, not answered */
    uint64_t auth_failures;      /* REST 401/403 for keys + ws auth refused */
    uint64_t md_clients;         /* market-data websockets open now */
    uint64_t stream_clients;     /* trade_updates websockets open now */
    uint64_t md_connections;     /* md handshakes so far */
    uint64_t stream_connections;
    uint64_t orders_received; /* POST /v2/orders requests */
    uint64_t orders_accepted;
    uint64_t fills;          /* executions (fill + partial_fill) */
    uint64_t events_sent;    /* trade_updates frames queued */
    uint64_t md_frames_sent; /* market-data frames queued */
} fake_alpaca_stats_t;

typedef struct fake_alpaca_t fake_alpaca_t;

/* Starts listening. NULL (and a message on stderr) on a bad config. */
fake_alpaca_t *fake_alpaca_start(const fake_alpaca_cfg_t *cfg);
/* Stops and frees; accepts NULL, nulls the caller's pointer. */
void fake_alpaca_stop(fake_alpaca_t **self_p);
int fake_alpaca_port(const fake_alpaca_t *self);

/* The market. A trade goes to every authenticated md client subscribed
   to it, becomes the symbol's last price and fills the orders it
   crosses. PRICE and SIZE are decimal strings. Returns 0 or -1. */
int fake_alpaca_push_trade(fake_alpaca_t *self, const char *symbol,
                           const char *price, const char *size, int64_t ts_ns);
/* A minute bar ("b") to the clients subscribed to bars. */
int fake_alpaca_push_bar(fake_alpaca_t *self, const char *symbol,
                         const fake_alpaca_bar_t *bar);
/* Adds a bar to the history served by GET /v2/stocks/.../bars for
   TIMEFRAME ("1Min", "5Min", "1Hour", "1Day"...). Bars are kept sorted. */
int fake_alpaca_seed_bar(fake_alpaca_t *self, const char *symbol,
                         const char *timeframe, const fake_alpaca_bar_t *bar);
/* The next N historical bars requests get HTTP STATUS (500, 503...)
   with an Alpaca error body, as a venue in trouble answers. */
void fake_alpaca_fail_bars(fake_alpaca_t *self, int status, int n);
/* The same for the next N order listings (GET /v2/orders); N 0 stops
   refusing them. */
void fake_alpaca_fail_list(fake_alpaca_t *self, int status, int n);
/* Forces GET /v2/clock's is_open (1 open, 0 closed, -1: from the clock,
   weekdays 09:30-16:00 ET, no holidays). */
void fake_alpaca_set_market_open(fake_alpaca_t *self, int open);

/* The broker. Fills QTY of the open order CLIENT_ORDER_ID at PRICE now,
   whether or not a trade_updates client is connected (one that is gets
   the event; one that is not sees the fill only through REST). */
int fake_alpaca_fill_while_down(fake_alpaca_t *self,
                                const char *client_order_id, const char *qty,
                                const char *price);
/* Copies the order's status ("new", "filled"...) into OUT. 0 or -1. */
int fake_alpaca_order_status(fake_alpaca_t *self, const char *client_order_id,
                             char *out, size_t outsize);
/* The status of the stop-loss leg (a bracket's or an OCO's) of the
   order CLIENT_ORDER_ID, whose own client order id is the venue's. 0 or
   -1 (no such order, no leg). */
int fake_alpaca_leg_status(fake_alpaca_t *self, const char *client_order_id,
                           char *out, size_t outsize);
/* The signed position in SYMBOL as a decimal string. 0 or -1. */
int fake_alpaca_position(fake_alpaca_t *self, const char *symbol, char *out,
                         size_t outsize);

/* Fault injection. */
int fake_alpaca_drop_connections(fake_alpaca_t *self); /* every websocket */
void fake_alpaca_set_reject_auth(fake_alpaca_t *self, bool reject);
void fake_alpaca_rate_limit_storm(fake_alpaca_t *self, int n);
/* The next N POST /v2/orders (past the key check) are answered 429 with
   "Retry-After: RETRY_AFTER_S" (< 0: no such header, as Alpaca's own
   429s often come), and nothing is placed; other requests are answered
   as usual. N 0 stops it. */
void fake_alpaca_limit_posts(fake_alpaca_t *self, int n, int retry_after_s);
/* The next N order POSTs the fake places are answered 503 all the same,
   as a venue whose backend timed out after taking the order: the client
   cannot tell whether it was placed. */
void fake_alpaca_unknown_outcome(fake_alpaca_t *self, int n);
/* The next N DELETE /v2/orders/{id} of an order the fake has are
   answered STATUS and cancel nothing: 422 "order is not cancelable" (the
   venue's answer for an order in a state it will not cancel from), a 5xx
   a server error. A large N refuses every cancel until the next call
   with N 0. */
void fake_alpaca_fail_cancels(fake_alpaca_t *self, int status, int n);
void fake_alpaca_set_delay_ms(fake_alpaca_t *self, int ms);
/* Sends LEN raw bytes as one frame to every market-data client. */
int fake_alpaca_send_raw(fake_alpaca_t *self, const void *data, size_t len,
                         bool binary);

/* The REST requests seen, for tests that check a budget over time: the
   last FAKE_ALPACA_LOG of them, oldest first. */
#define FAKE_ALPACA_LOG 1024
typedef struct {
    int64_t mono_ns; /* CLOCK_MONOTONIC when answered */
    int status;      /* the reply's HTTP status */
    char route[48];  /* "POST /v2/orders" */
} fake_alpaca_req_t;

/* Copies up to CAP logged requests into OUT; returns how many. */
size_t fake_alpaca_request_log(fake_alpaca_t *self, fake_alpaca_req_t *out,
                               size_t cap);

/* Counters. */
void fake_alpaca_stats(fake_alpaca_t *self, fake_alpaca_stats_t *out);
/* Requests to one route, named "METHOD /template" as in the README,
   e.g. "POST /v2/orders", "GET /v2/orders/{id}". */
uint64_t fake_alpaca_requests(fake_alpaca_t *self, const char *route);
/* Times CLIENT_ORDER_ID reached order handling in POST /v2/orders or
   PATCH bodies (past key and rate-limit checks). */
uint64_t fake_alpaca_coid_count(fake_alpaca_t *self,
                                const char *client_order_id);
/* The largest of those counts (1 means no id was ever sent twice). */
uint64_t fake_alpaca_coid_max(fake_alpaca_t *self);

#endif
