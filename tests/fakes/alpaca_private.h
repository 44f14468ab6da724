/*  tests/fakes/alpaca_private.h: what the fake Alpaca's files share:
    its state, its orders and its websocket connections. Everything here
    runs under the server's lock (fakesrv.h). Test-only code. */
#ifndef TT_TESTS_FAKES_ALPACA_PRIVATE_H
#define TT_TESTS_FAKES_ALPACA_PRIVATE_H

#include <jansson.h>

#include "tests/fakes/fake_alpaca.h"
#include "tests/fakes/fakesrv.h"
#include "tests/fakes/fakeutil.h"

#define FA_ID_LEN 40
#define FA_COID_MAX 48

typedef struct {
    char *tf; /* canonical timeframe: "1Min", "1Hour", "1Day" */
    int64_t t_ns;
    char *o, *h, *l, *c, *v, *vw;
    int64_t n;
} fa_bar_t;

typedef struct {
    char name[32];
    bool crypto;
    bool has_px;
    int64_t last_px;  /* scaled */
    int64_t pos_qty;  /* signed, scaled */
    int64_t pos_cost; /* signed cost basis, scaled */
    int64_t trade_id; /* last id sent on the md stream */
    fa_bar_t *bars;
    size_t nbars, capbars;
} fa_symbol_t;

typedef enum {
    FA_MARKET,
    FA_LIMIT,
    FA_STOP,
    FA_STOP_LIMIT,
    FA_TRAILING_STOP,
} fa_type_t;

typedef struct {
    char id[FA_ID_LEN];
    char coid[FA_COID_MAX + 1];
    int sym;
    bool buy;
    fa_type_t type;
    char tif[8];
    char order_class[8];   /* "simple", "bracket" */
    int64_t qty, notional; /* one is 0 */
    int64_t limit, stop;   /* 0: none */
    int64_t trail_price, trail_percent, hwm;
    bool triggered; /* stop reached (stop_limit acts as a limit) */
    bool held;      /* a bracket leg waiting for its parent */
    bool extended_hours;
    int64_t filled_qty, filled_cost;
    char status[20];
    int64_t created_ns, updated_ns, filled_ns, canceled_ns, replaced_ns;
    int parent;  /* index of the bracket parent, -1 */
    int legs[2]; /* take profit, stop loss; -1 */
    char replaced_by[FA_ID_LEN], replaces[FA_ID_LEN];
} fa_order_t;

typedef enum { FA_CONN_MD, FA_CONN_STREAM } fa_conn_kind_t;

typedef struct {
    char **v;
    size_t n;
} fa_set_t;

enum {
    FA_CH_TRADES,
    FA_CH_QUOTES,
    FA_CH_BARS,
    FA_CH_UPDATED,
    FA_CH_DAILY,
    FA_CH_STATUSES,
    FA_CH_LULDS,
    FA_CH_ORDERBOOKS,
    FA_CH_COUNT
};

typedef struct {
    fa_conn_kind_t kind;
    char path[64];
    bool crypto;
    bool authed;
    bool listening; /* trade_updates */
    bool closing;
    fa_set_t ch[FA_CH_COUNT];
} fa_conn_t;

struct fake_alpaca_t {
    fakesrv_t *srv;
    char *key_id, *secret;
    fake_clock_fn *clock;
    void *clock_arg;
    int auth_timeout_ms, md_conn_limit, rate_limit;
    bool text_updates, allow_short;
    fa_symbol_t *syms;
    size_t nsyms;
    int64_t cash;
    fa_order_t *orders;
    size_t norders, caporders;
    uint64_t next_exec;
    bool reject_auth;
    int storm;
    int bars_fail, bars_fail_status; /* the next bars requests refused */
    int list_fail, list_fail_status; /* ... GET /v2/orders listings */
    int post_limit, post_retry_s;    /* the next order POSTs answered 429 */
    int post_unknown; /* the next order POSTs placed but answered 503 */
    int cancel_fail, cancel_fail_status; /* ... DELETEs of one order */
    int market_open;                     /* -1: from the clock */
    int64_t rl_minute;
    int rl_used;
    fkcount_t routes, coids;
    fake_alpaca_stats_t stats;
    fake_alpaca_req_t log[FAKE_ALPACA_LOG]; /* the last requests, a ring */
    uint64_t nlog;                          /* requests logged so far */
};

int64_t fa_now(fake_alpaca_t *self);
int fa_symbol(fake_alpaca_t *self, const char *name);

/* alpaca_orders.c */
fa_order_t *fa_order_by_coid(fake_alpaca_t *self, const char *coid);
fa_order_t *fa_order_by_id(fake_alpaca_t *self, const char *id);
bool fa_order_open(const fa_order_t *o);
json_t *fa_order_json(fake_alpaca_t *self, const fa_order_t *o, bool nested);
/* Validates and books a POST /v2/orders body. */
void fa_order_submit(fake_alpaca_t *self, json_t *body, fakesrv_resp_t *r);
void fa_order_cancel(fake_alpaca_t *self, fa_order_t *o, fakesrv_resp_t *r);
void fa_order_replace(fake_alpaca_t *self, fa_order_t *o, json_t *body,
                      fakesrv_resp_t *r);
void fa_fill(fake_alpaca_t *self, fa_order_t *o, int64_t qty, int64_t px);
void fa_match(fake_alpaca_t *self, int sym, int64_t px);

/* alpaca_ws.c */
extern const fakesrv_handlers_t fa_handlers;
void fa_md_broadcast(fake_alpaca_t *self, int channel, const char *symbol,
                     const char *frame);
void fa_trade_event(fake_alpaca_t *self, const char *event, const fa_order_t *o,
                    int64_t qty, int64_t px);

/* alpaca_rest.c */
void fa_http(void *venue, const fakesrv_req_t *req, fakesrv_resp_t *r);
void fa_error(fakesrv_resp_t *r, int status, long code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void fa_json(fakesrv_resp_t *r, int status, json_t *j);
char *fa_dec(int64_t v, char *buf, size_t n);

/* alpaca_bars.c: historical bars and the market clock */
void fa_bars_single(fake_alpaca_t *self, const char *sym,
                    const fakesrv_req_t *req, fakesrv_resp_t *r);
void fa_bars_multi(fake_alpaca_t *self, const fakesrv_req_t *req,
                   fakesrv_resp_t *r);
void fa_clock(fake_alpaca_t *self, fakesrv_resp_t *r);
/* Canonical timeframe ("5T" -> "5Min"); 0 or -1. */
int fa_timeframe(const char *in, char *out, size_t n);

#endif
