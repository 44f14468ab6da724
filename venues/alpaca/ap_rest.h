/*  venues/alpaca/ap_rest.h: Alpaca Trading API v2 and historical bars as
    pure building and parsing (venues/alpaca; no I/O). The gateway actor
    does the HTTP and the trading WebSocket; it calls these on its thread.

    Ownership: bodies are returned malloc'd (free() them); parsed results
    go into caller-owned structs, except tt_ap_bars_page_t whose arrays are
    freed with tt_ap_bars_page_free(). ERR/ERRSIZE, where present, receive
    a one-line reason naming the field on failure (ERR may be NULL).

    Numbers: the trading API sends them as strings. Quantities and prices
    the venue states (qty, filled_qty, limit/stop, a fill's price and qty)
    are exact at the symbol's scale or refused; values it derives
    (filled_avg_price, avg_entry_price, money, P&L) are rounded half away
    from zero to the scale (ap_common.h). */
#ifndef TT_ALPACA_AP_REST_H
#define TT_ALPACA_AP_REST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"
#include "orders/order.h"
#include "venues/alpaca/ap_common.h"

/* ---- order requests ---------------------------------------------------- */

typedef enum {
    TT_AP_TYPE_MARKET = 1,
    TT_AP_TYPE_LIMIT,
    TT_AP_TYPE_STOP,
    TT_AP_TYPE_STOP_LIMIT,
    TT_AP_TYPE_TRAILING_STOP,
} tt_ap_ord_type_t;

typedef enum {
    TT_AP_TIF_DAY = 1,
    TT_AP_TIF_GTC,
    TT_AP_TIF_OPG,
    TT_AP_TIF_CLS,
    TT_AP_TIF_IOC,
    TT_AP_TIF_FOK,
} tt_ap_tif_t;

typedef enum {
    TT_AP_CLASS_SIMPLE = 0,
    TT_AP_CLASS_BRACKET,
    TT_AP_CLASS_OCO,
    TT_AP_CLASS_OTO,
} tt_ap_class_t;

/* Prices and notional are scaled by px_decimals, quantities by
   qty_decimals. A zero price means "not set". */
typedef struct {
    const char *symbol;
    tt_side_t side;
    tt_ap_ord_type_t type;
    tt_ap_tif_t tif;
    int px_decimals;
    int qty_decimals;
    tt_qty_t qty;                /* exactly one of qty and notional */
    int64_t notional;            /* money, market + day only */
    tt_px_t limit_px;            /* limit, stop_limit */
    tt_px_t stop_px;             /* stop, stop_limit */
    tt_px_t trail_px;            /* trailing_stop: this or trail_percent */
    int64_t trail_percent;       /* hundredths of a percent: 150 = 1.5% */
    bool extended_hours;         /* limit + day only */
    const char *client_order_id; /* NULL: Alpaca makes one; <= 48 chars */
    tt_ap_class_t order_class;
    tt_px_t tp_limit_px; /* take_profit.limit_price */
    tt_px_t sl_stop_px;  /* stop_loss.stop_price */
    tt_px_t sl_limit_px; /* stop_loss.limit_price (stop-limit leg) */
} tt_ap_order_req_t;

/* Validates REQ against Alpaca's rules and returns the POST /v2/orders
   body (malloc'd, caller frees), or NULL with ERR set. An OCO (an exit:
   SIDE is the exit's) has type limit and tp_limit_px / sl_stop_px (and
   sl_limit_px for a stop-limit leg); its limit_px is 0 or tp_limit_px
   and goes out only as take_profit.limit_price, with the client order
   id on the order, which the venue reports as the take-profit, the
   stop-loss being its leg with ids of the venue's. */
char *tt_ap_order_body(const tt_ap_order_req_t *req, char *err, size_t errsize);

/* PATCH /v2/orders/{id}. Zero / NULL fields are left out; at least one
   must be set. */
typedef struct {
    int px_decimals;
    int qty_decimals;
    tt_qty_t qty;
    tt_ap_tif_t tif; /* 0: unchanged */
    tt_px_t limit_px;
    tt_px_t stop_px;
    tt_px_t trail; /* trail price or percent, as the order has it */
    const char *client_order_id;
} tt_ap_replace_req_t;

char *tt_ap_replace_body(const tt_ap_replace_req_t *req, char *err,
                         size_t errsize);

/* ticktree -> Alpaca names. */
tt_ap_ord_type_t tt_ap_type_from_tt(tt_ord_type_t type);
tt_ap_tif_t tt_ap_tif_from_tt(tt_tif_t tif);
const char *tt_ap_type_name(tt_ap_ord_type_t type); /* "stop_limit" */
const char *tt_ap_tif_name(tt_ap_tif_t tif);        /* "gtc" */

/* ---- order objects ----------------------------------------------------- */

typedef enum {
    TT_AP_ST_NEW = 1,
    TT_AP_ST_PARTIALLY_FILLED,
    TT_AP_ST_FILLED,
    TT_AP_ST_DONE_FOR_DAY,
    TT_AP_ST_CANCELED,
    TT_AP_ST_EXPIRED,
    TT_AP_ST_REPLACED,
    TT_AP_ST_PENDING_CANCEL,
    TT_AP_ST_PENDING_REPLACE,
    TT_AP_ST_ACCEPTED,
    TT_AP_ST_PENDING_NEW,
    TT_AP_ST_ACCEPTED_FOR_BIDDING,
    TT_AP_ST_STOPPED,
    TT_AP_ST_REJECTED,
    TT_AP_ST_SUSPENDED,
    TT_AP_ST_CALCULATED,
} tt_ap_status_t;

/* Status text -> enum; 0 when unknown. */
tt_ap_status_t tt_ap_status_parse(const char *text);

/* The ticktree state for an Alpaca status. Statuses that say "alive but
   idle" (done_for_day, stopped, suspended, calculated) map to
   PARTIALLY_FILLED when something is filled, ACCEPTED otherwise. */
tt_ord_state_t tt_ap_status_state(tt_ap_status_t status, bool any_filled);

#define TT_AP_ID_MAX 47
#define TT_AP_COID_MAX 128
#define TT_AP_LEGS_MAX 3

typedef struct {
    char id[TT_AP_ID_MAX + 1];
    char client_order_id[TT_AP_COID_MAX + 1];
    char symbol[TT_AP_SYMBOL_MAX + 1];
    char replaced_by[TT_AP_ID_MAX + 1]; /* "" when null */
    char replaces[TT_AP_ID_MAX + 1];    /* "" when null */
    tt_ap_status_t status;
    tt_ord_state_t state; /* tt_ap_status_state(status, filled_qty > 0) */
    tt_side_t side;
    tt_ap_ord_type_t type;
    tt_ap_tif_t tif;
    tt_ap_class_t order_class;
    bool crypto; /* asset_class "crypto" */
    bool extended_hours;
    tt_qty_t qty;          /* 0 for notional orders */
    int64_t notional;      /* px scale; 0 unless a notional order */
    tt_qty_t filled_qty;   /* exact */
    tt_px_t filled_avg_px; /* rounded; 0 when null */
    tt_px_t limit_px;      /* 0 when null */
    tt_px_t stop_px;       /* 0 when null */
    tt_ns_t created_at, updated_at, submitted_at, filled_at; /* 0: null */
} tt_ap_order_t;

/* An order with its legs (bracket / oco / oto children). */
typedef struct {
    tt_ap_order_t order;
    tt_ap_order_t legs[TT_AP_LEGS_MAX];
    size_t n_legs;
} tt_ap_order_tree_t;

/* Return codes of the order parsers. */
#define TT_AP_EBAD (-1)    /* malformed: ERR says what */
#define TT_AP_ESYMBOL (-2) /* a symbol the scales do not know */

/* One Order object (POST/GET/PATCH reply). 0 or TT_AP_E*. */
int tt_ap_order_parse(const char *buf, size_t len, const tt_ap_scales_t *sc,
                      tt_ap_order_tree_t *out, char *err, size_t errsize);

/* GET /v2/orders: up to CAP orders into OUT, *N of them. Orders for
   unknown symbols are left out and counted in *SKIPPED (may be NULL).
   0, or TT_AP_EBAD (also when more than CAP orders came). */
int tt_ap_orders_parse(const char *buf, size_t len, const tt_ap_scales_t *sc,
                       tt_ap_order_tree_t *out, size_t cap, size_t *n,
                       size_t *skipped, char *err, size_t errsize);

/* ---- trading stream (trade_updates) ------------------------------------ */

typedef enum {
    TT_AP_EV_UNKNOWN = 0,
    TT_AP_EV_NEW,
    TT_AP_EV_FILL,
    TT_AP_EV_PARTIAL_FILL,
    TT_AP_EV_CANCELED,
    TT_AP_EV_EXPIRED,
    TT_AP_EV_DONE_FOR_DAY,
    TT_AP_EV_REPLACED,
    TT_AP_EV_ACCEPTED,
    TT_AP_EV_REJECTED,
    TT_AP_EV_PENDING_NEW,
    TT_AP_EV_STOPPED,
    TT_AP_EV_PENDING_CANCEL,
    TT_AP_EV_PENDING_REPLACE,
    TT_AP_EV_CALCULATED,
    TT_AP_EV_SUSPENDED,
    TT_AP_EV_ORDER_REPLACE_REJECTED,
    TT_AP_EV_ORDER_CANCEL_REJECTED,
} tt_ap_event_t;

typedef struct {
    tt_ap_event_t event;
    char event_name[32]; /* as sent, also for unknown events */
    char execution_id[64];
    tt_ns_t ts;            /* "timestamp"; 0 when absent */
    bool has_fill;         /* fill / partial_fill: price, qty, position_qty */
    tt_px_t price;         /* this execution only, exact */
    tt_qty_t qty;          /* this execution only, exact */
    tt_qty_t position_qty; /* signed position after it */
    tt_ap_order_tree_t order;
} tt_ap_exec_t;

typedef enum {
    TT_AP_TMSG_AUTHORIZED = 1,
    TT_AP_TMSG_UNAUTHORIZED, /* action says which request was refused */
    TT_AP_TMSG_LISTENING,    /* trade_updates says whether it is on */
    TT_AP_TMSG_TRADE_UPDATE, /* exec */
    TT_AP_TMSG_ERROR,        /* error: the server closes next */
    TT_AP_TMSG_OTHER,        /* another stream name; ignore */
} tt_ap_tmsg_kind_t;

typedef struct {
    tt_ap_tmsg_kind_t kind;
    char action[24];
    bool trade_updates;
    char error[128];
    tt_ap_exec_t exec;
} tt_ap_tmsg_t;

/* One trading-stream frame, text or binary opcode alike (bytes, not a C
   string). 0, TT_AP_EBAD or TT_AP_ESYMBOL. */
int tt_ap_tstream_parse(const char *buf, size_t len, const tt_ap_scales_t *sc,
                        tt_ap_tmsg_t *out, char *err, size_t errsize);

/* Client messages into BUF; length, or -1 if they do not fit. LEGACY
   picks {"action":"authenticate","data":{"key_id",..}} (alpaca-py's
   form) over {"action":"auth","key",..}. */
int tt_ap_tstream_auth(char *buf, size_t size, const char *key,
                       const char *secret, bool legacy);
int tt_ap_tstream_listen(char *buf, size_t size, bool trade_updates);

/* ---- errors ------------------------------------------------------------- */

typedef enum {
    TT_AP_REJ_AUTH = 1,      /* 401, 403 other than buying power */
    TT_AP_REJ_UNPROCESSABLE, /* 422 (and 400): the request is wrong */
    TT_AP_REJ_BUYING_POWER,  /* 403 insufficient buying power / shares */
    TT_AP_REJ_NOT_FOUND,     /* 404: unknown order, no position */
    TT_AP_REJ_RATE_LIMIT,    /* 429: back off, then retry */
    TT_AP_REJ_SERVER,        /* 5xx: retry may help */
    TT_AP_REJ_OTHER,
} tt_ap_reject_t;

typedef struct {
    tt_ap_reject_t cls;
    int http_status;
    int64_t code;      /* body "code" (e.g. 40310000); 0 when absent */
    char message[128]; /* body "message", or the raw body cut short */
} tt_ap_error_t;

/* Classifies an HTTP error reply; BODY may be empty or not JSON. */
tt_ap_reject_t tt_ap_error_parse(int http_status, const char *body, size_t len,
                                 tt_ap_error_t *out);
const char *tt_ap_reject_name(tt_ap_reject_t cls);

/* ---- positions, account, clock ------------------------------------------ */

typedef struct {
    char symbol[TT_AP_SYMBOL_MAX + 1];
    bool crypto;
    tt_qty_t qty; /* signed: negative when short */
    tt_qty_t qty_available;
    tt_px_t avg_entry_px; /* rounded */
    tt_px_t current_px;   /* rounded; 0 when null */
    int64_t market_value; /* money, rounded */
    int64_t cost_basis;
    int64_t unrealized_pl;
} tt_ap_position_t;

/* GET /v2/positions (array) or /v2/positions/{sym} (one object).
   Positions in unknown symbols are counted in *SKIPPED (may be NULL).
   0, or TT_AP_EBAD (also when more than CAP came). */
int tt_ap_positions_parse(const char *buf, size_t len, const tt_ap_scales_t *sc,
                          int money_decimals, tt_ap_position_t *out, size_t cap,
                          size_t *n, size_t *skipped, char *err,
                          size_t errsize);

typedef struct {
    char id[TT_AP_ID_MAX + 1];
    char status[24]; /* "ACTIVE" */
    char currency[8];
    int64_t cash, buying_power, equity, last_equity, portfolio_value;
    bool trading_blocked, account_blocked, pattern_day_trader;
    int64_t daytrade_count;
} tt_ap_account_t;

int tt_ap_account_parse(const char *buf, size_t len, int money_decimals,
                        tt_ap_account_t *out, char *err, size_t errsize);

typedef struct {
    tt_ns_t timestamp, next_open, next_close; /* UTC ns */
    bool is_open;
} tt_ap_clock_t;

int tt_ap_clock_parse(const char *buf, size_t len, tt_ap_clock_t *out,
                      char *err, size_t errsize);

/* ---- historical bars ---------------------------------------------------- */

typedef struct {
    char symbol[TT_AP_SYMBOL_MAX + 1];
    tt_candle_t *bars; /* n bars, in the order sent */
    size_t n;
} tt_ap_bar_series_t;

typedef struct {
    tt_ap_bar_series_t *series;
    size_t n_series;
    char *next_page_token; /* NULL when this is the last page */
} tt_ap_bars_page_t;

/* Parses a bars reply: {"bars":{"SYM":[..]},"next_page_token":..} or the
   single-symbol {"bars":[..],"symbol":"SYM",..}. Prices are JSON numbers
   and are read exactly (venues/common/jscan.h). TF_S is the requested timeframe
   in seconds (tt_ap_timeframe_seconds); bars are marked closed. Symbols the
   scales refuse are left out. On success *OUT owns arrays to free with
   tt_ap_bars_page_free; on failure *OUT is empty. 0 or TT_AP_EBAD. */
int tt_ap_bars_parse(const char *buf, size_t len, const tt_ap_scales_t *sc,
                     int32_t tf_s, tt_ap_bars_page_t *out, char *err,
                     size_t errsize);

void tt_ap_bars_page_free(tt_ap_bars_page_t *page);

/* "1Min", "15T", "1Hour", "4H", "1Day", "1D", "1Week", "1W" -> seconds;
   -1 for months or bad text. */
int32_t tt_ap_timeframe_seconds(const char *timeframe);

typedef struct {
    const char *const *symbols; /* one stock: /v2/stocks/{sym}/bars */
    size_t n_symbols;
    bool crypto;            /* /v1beta3/crypto/{loc}/bars?symbols= */
    const char *crypto_loc; /* NULL: "us" */
    const char *timeframe;  /* required, e.g. "1Min" */
    tt_ns_t start, end;     /* 0: left out */
    int limit;              /* 0: left out; else 1..10000 */
    const char *page_token; /* NULL: first page */
    const char *feed;       /* stocks: iex, sip...; NULL: left out */
    const char *adjustment; /* NULL: left out */
} tt_ap_bars_req_t;

/* Path and query (URL-encoded) into BUF. Length, or -1 when REQ is
   invalid or BUF too small. */
int tt_ap_bars_path(char *buf, size_t size, const tt_ap_bars_req_t *req);

#endif
