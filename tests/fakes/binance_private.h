/*  tests/fakes/binance_private.h: what the fake Binance's files share.
    Everything here runs under the server's lock (fakesrv.h).
    Test-only code. */
#ifndef TT_TESTS_FAKES_BINANCE_PRIVATE_H
#define TT_TESTS_FAKES_BINANCE_PRIVATE_H

#include <jansson.h>

#include "tests/fakes/fake_binance.h"
#include "tests/fakes/fakesrv.h"
#include "tests/fakes/fakeutil.h"

typedef struct {
    char *interval;
    int64_t open_ms;
    char *o, *h, *l, *c, *v;
    int64_t n;
} fb_kline_t;

typedef struct {
    char name[24];  /* "BTCUSDT" */
    char lower[24]; /* "btcusdt", for stream names */
    char base[12], quote[12];
    int64_t min_price, max_price, tick, min_qty, max_qty, step, min_notional;
    bool has_px;
    int64_t last_px;
    int64_t trade_id;
    fb_kline_t *klines;
    size_t nklines, capklines;
} fb_symbol_t;

typedef struct {
    int64_t id;
    char coid[40];
    int sym;
    bool buy;
    char type[20], tif[4];
    int64_t qty, quote_qty, price, stop;
    int64_t executed, cum_quote;
    char status[20];
    int64_t time_ms, update_ms;
    int64_t list_id;    /* an OCO leg's orderListId; 0: a lone order */
    char list_coid[40]; /* its listClientOrderId */
    bool locks;         /* holds base coins while open (a list: one leg) */
} fb_order_t;

typedef struct {
    int64_t id, order_id;
    int sym;
    bool buy;
    int64_t price, qty, time_ms;
    int64_t commission; /* 8 decimals, in asset */
    char asset[12];
} fb_fill_t;

typedef enum { FB_CONN_RAW, FB_CONN_COMBINED, FB_CONN_USER } fb_conn_kind_t;

typedef struct {
    fb_conn_kind_t kind;
    char **streams;
    size_t nstreams;
    char ping_payload[24];
    int64_t ping_since_ms; /* oldest unanswered ping; 0: none */
} fb_conn_t;

struct fake_binance_t {
    fakesrv_t *srv;
    char *api_key, *secret;
    fake_clock_fn *clock;
    void *clock_arg;
    int weight_limit, ban_s, ping_ms, pong_ms;
    fb_symbol_t *syms;
    size_t nsyms;
    fb_order_t *orders;
    size_t norders, caporders;
    fb_fill_t *fills;
    size_t nfills, capfills;
    char **keys; /* listen keys */
    size_t nkeys;
    bool reject_auth;
    int storm;
    int oco_storm, oco_storm_retry_s; /* fake_binance_rate_limit_oco */
    int unknown_outcome;              /* new orders executed, answered 503 */
    bool enforce_balance;             /* sells need free base coins (-2010) */
    int split_fills;                  /* market orders to fill in two trades */
    int commission, commission_bps;   /* fake_binance_cfg_t's */
    int too_many;                     /* requests to answer 400 -1003 */
    int refuse_cancels;               /* cancels to answer 400 -1021 */
    fake_binance_silent_t silent;     /* new orders left unanswered */
    bool muted;                       /* no user-data events now */
    int64_t next_list_id;
    int64_t minute, used;
    int order_limit_10s, order_limit_1d; /* 0: no daily limit */
    int64_t order_win10, order_count10;  /* the 10 s window (ms / 10000) */
    int64_t order_day, order_count1d;    /* the UTC day (ms / 86400000) */
    int64_t orders_warned_until_ms;      /* a 429 for orders until then */
    int64_t warned_until_ms, banned_until_ms;
    uint64_t ping_seq;
    fkcount_t routes, coids;
    fake_binance_stats_t stats;
};

int64_t fb_now_ms(fake_binance_t *self);
int fb_symbol(fake_binance_t *self, const char *name);
char *fb_dec(int64_t v, char *buf, size_t n);
void fb_error(fakesrv_resp_t *r, int status, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void fb_json(fakesrv_resp_t *r, int status, json_t *j);
/* A parameter from the query string, else the body. -1 when absent. */
int fb_param(const fakesrv_req_t *req, const char *name, char *out, size_t n);

/* binance.c: fake_binance_silent_orders */
#define FB_ANSWERED 0 /* a new order answered as usual */
#define FB_SILENT 1   /* carried out, the answer never sent */
#define FB_LOST 2     /* not carried out, the connection closed */
/* Called when a new order (or list) has passed every check, before it
   is booked: FB_LOST (R set to close the connection; book nothing),
   FB_SILENT (user-data events muted when the fault is quiet) or
   FB_ANSWERED. */
int fb_silent_begin(fake_binance_t *self, fakesrv_resp_t *r);
/* After the order of KIND (fb_silent_begin's) was carried out and R
   filled: events unmuted, R's answer dropped or held when silent. */
void fb_silent_end(fake_binance_t *self, int kind, fakesrv_resp_t *r);

/* binance_ordercount.c */
/* N new orders of a POST: counted, with the X-MBX-ORDER-COUNT-10S and
   -1D headers in R; false (R answered 429 -1015, or 418 when a 429 for
   orders is still in force) when they would pass an ORDERS limit. */
bool fb_orders_count(fake_binance_t *self, int n, fakesrv_resp_t *r);

/* binance_rest.c */
/* Milliseconds in a kline interval ("1m" -> 60000); 0 if unknown. */
int64_t fb_interval_ms(const char *iv);
void fb_http(void *venue, const fakesrv_req_t *req, fakesrv_resp_t *r);

/* binance_orders.c */
void fb_order_post(fake_binance_t *self, const fakesrv_req_t *req,
                   fakesrv_resp_t *r);
void fb_order_get(fake_binance_t *self, const fakesrv_req_t *req,
                  fakesrv_resp_t *r, bool cancel);
void fb_open_orders(fake_binance_t *self, const fakesrv_req_t *req,
                    fakesrv_resp_t *r);
void fb_my_trades(fake_binance_t *self, const fakesrv_req_t *req,
                  fakesrv_resp_t *r);
fb_order_t *fb_order_by_coid(fake_binance_t *self, const char *coid);
bool fb_order_open(const fb_order_t *o);
void fb_fill(fake_binance_t *self, fb_order_t *o, int64_t qty, int64_t px);
/* New order O (its fields parsed) booked: id, times, status NEW. */
fb_order_t *fb_book(fake_binance_t *self, const fb_order_t *tmpl);
json_t *fb_order_json(fake_binance_t *self, const fb_order_t *o);
void fb_exec_report(fake_binance_t *self, const fb_order_t *o, const char *x,
                    int64_t lqty, int64_t lpx, int64_t trade_id);
void fb_set_status(fake_binance_t *self, fb_order_t *o, const char *status,
                   const char *x);
/* SYM's free base coins: bought minus sold minus what open sells hold. */
int64_t fb_free_base(fake_binance_t *self, int sym);
/* PRICE_FILTER, LOT_SIZE, NOTIONAL of O; NULL when they pass. */
const char *fb_filters(const fb_symbol_t *s, const fb_order_t *o);
/* The other open legs of O's list, cancelled (CANCELED) or expired. */
void fb_end_siblings(fake_binance_t *self, const fb_order_t *o,
                     const char *status);

/* binance_oco.c */
void fb_oco_post(fake_binance_t *self, const fakesrv_req_t *req,
                 fakesrv_resp_t *r);
void fb_order_list_delete(fake_binance_t *self, const fakesrv_req_t *req,
                          fakesrv_resp_t *r);
void fb_match(fake_binance_t *self, int sym, int64_t px);

/* binance_ws.c */
extern const fakesrv_handlers_t fb_handlers;
/* DATA (a JSON object) to every market client on STREAM. */
void fb_stream_event(fake_binance_t *self, const char *stream,
                     const char *data);
void fb_user_event(fake_binance_t *self, const char *data);

#endif
