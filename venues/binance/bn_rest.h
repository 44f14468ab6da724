/*  venues/binance/bn_rest.h: Binance spot REST and user-data messages,
    as pure building and parsing for the broker gateway (which does the
    HTTP and holds the rate limiter, venues/common/ratelimit.h).

    Building: order, cancel, query and klines parameters go into a
    tt_bn_query_t (bn_sign.h) in a caller buffer; the gateway then signs
    it where the endpoint needs it. Parsing: order responses (ACK, RESULT
    and FULL with fills), user-data events (executionReport,
    outboundAccountPosition), error bodies, klines arrays and exchangeInfo
    filters, each from (buf, len) into caller structs. Prices and
    quantities are scaled int64 at the instrument's decimals; asset amounts
    (commission, quote quantities) at TT_BN_ASSET_DECIMALS. Implemented in
    bn_rest.c (requests, errors, klines), bn_order.c (orders, user data)
    and bn_filters.c (filters). */
#ifndef TT_VENUES_BINANCE_BN_REST_H
#define TT_VENUES_BINANCE_BN_REST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"
#include "orders/order.h"
#include "venues/binance/bn_sign.h"
#include "venues/binance/bn_stream.h"

/* Binance reports asset amounts with 8 decimals. */
#define TT_BN_ASSET_DECIMALS 8
#define TT_BN_FILLS_MAX 16

#define TT_BN_PATH_ORDER "/api/v3/order"   /* POST new, DELETE, GET */
#define TT_BN_PATH_KLINES "/api/v3/klines" /* GET, weight 2 */
#define TT_BN_PATH_EXCHANGE_INFO "/api/v3/exchangeInfo" /* weight 20 */
#define TT_BN_PATH_OCO "/api/v3/orderList/oco"          /* POST, weight 1 */
#define TT_BN_PATH_ORDER_LIST "/api/v3/orderList"       /* DELETE, GET */
#define TT_BN_WEIGHT_ORDER 1
#define TT_BN_WEIGHT_QUERY_ORDER 4
#define TT_BN_WEIGHT_KLINES 2
#define TT_BN_KLINES_LIMIT_MAX 1000

typedef enum {
    TT_BN_TYPE_MARKET = 1,
    TT_BN_TYPE_LIMIT,
    TT_BN_TYPE_STOP_LOSS,       /* market once the stop triggers */
    TT_BN_TYPE_STOP_LOSS_LIMIT, /* limit once the stop triggers */
    TT_BN_TYPE_TAKE_PROFIT,
    TT_BN_TYPE_TAKE_PROFIT_LIMIT,
    TT_BN_TYPE_LIMIT_MAKER, /* rejected if it would take */
} tt_bn_type_t;

typedef enum { TT_BN_TIF_GTC = 1, TT_BN_TIF_IOC, TT_BN_TIF_FOK } tt_bn_tif_t;

/* ticktree's order type -> Binance's (STOP -> STOP_LOSS, STOP_LIMIT ->
   STOP_LOSS_LIMIT); 0 when there is none. */
tt_bn_type_t tt_bn_type_from_tt(tt_ord_type_t type);
/* ticktree's TIF -> Binance's; 0 for DAY (Binance spot has none). */
tt_bn_tif_t tt_bn_tif_from_tt(tt_tif_t tif);
/* Binance's order status ("PARTIALLY_FILLED"...) -> tt_ord_state_t: NEW
   and PENDING_NEW -> ACCEPTED, CANCELED -> CANCELLED, EXPIRED and
   EXPIRED_IN_MATCH -> EXPIRED. 0 when unknown. */
tt_ord_state_t tt_bn_status_to_tt(const char *status, size_t len);

typedef struct {
    const char *symbol; /* "BTCUSDT" */
    tt_side_t side;
    tt_bn_type_t type;
    tt_bn_tif_t tif;    /* limit kinds only; 0 otherwise */
    tt_qty_t qty;       /* > 0, scaled at qty_decimals */
    tt_px_t price;      /* limit kinds; 0 otherwise */
    tt_px_t stop_price; /* stop / take-profit kinds; 0 otherwise */
    int32_t px_decimals;
    int32_t qty_decimals;
    const char *client_order_id; /* newClientOrderId; NULL = venue's */
} tt_bn_order_req_t;

/* Adds the POST /api/v3/order parameters of REQ to Q (before signing),
   with newOrderRespType=FULL. 0, or -1 with a reason in ERR when a field
   a type needs is missing or one it forbids is set, or Q overflowed. */
int tt_bn_order_query(const tt_bn_order_req_t *req, tt_bn_query_t *q, char *err,
                      size_t errsize);

/* A bracket's exits as one OCO order list (POST /api/v3/orderList/oco):
   a take-profit and a stop for the same quantity on the side that closes
   the position, each leg with our client id, so the venue's events for a
   leg name our order. The take-profit is a LIMIT_MAKER (the venue's only
   plain limit leg; it rests, never takes), the stop a STOP_LOSS, or a
   STOP_LOSS_LIMIT with STOP_LIMIT_PRICE (GTC). For a SELL the take-profit
   is the above leg and the stop the below one; for a BUY the reverse. */
typedef struct {
    const char *symbol;
    tt_side_t side;
    tt_qty_t qty;
    tt_px_t target_price;     /* the take-profit's limit */
    tt_px_t stop_price;       /* the stop's trigger */
    tt_px_t stop_limit_price; /* 0: a stop-market leg */
    int32_t px_decimals;
    int32_t qty_decimals;
    const char *list_client_order_id; /* listClientOrderId */
    const char *target_client_order_id;
    const char *stop_client_order_id;
} tt_bn_oco_req_t;

/* Adds the POST /api/v3/orderList/oco parameters of REQ to Q (before
   signing), with newOrderRespType=RESULT. 0, or -1 with a reason in ERR
   (a field missing, prices on the wrong sides, Q overflowed). */
int tt_bn_oco_query(const tt_bn_oco_req_t *req, tt_bn_query_t *q, char *err,
                    size_t errsize);

/* symbol and orderListId, for DELETE /api/v3/orderList (cancels every
   leg still open). 0 or -1. */
int tt_bn_order_list_ref_query(tt_bn_query_t *q, const char *symbol,
                               int64_t order_list_id);

/* symbol and origClientOrderId, for DELETE (cancel) and GET (query)
   /api/v3/order. 0 or -1. */
int tt_bn_order_ref_query(tt_bn_query_t *q, const char *symbol,
                          const char *client_order_id);

/* GET /api/v3/klines parameters (unsigned). START_MS / END_MS <= 0 are
   left out; LIMIT is clamped to 1..1000. 0 or -1. */
int tt_bn_klines_query(tt_bn_query_t *q, const char *symbol,
                       const char *interval, int64_t start_ms, int64_t end_ms,
                       int limit);

/* ---- errors -------------------------------------------------------- */

typedef enum {
    TT_BN_REJ_NONE = 0,        /* a 2xx status */
    TT_BN_REJ_AUTH,            /* key, permission, signature, timestamp */
    TT_BN_REJ_FUNDS,           /* insufficient balance */
    TT_BN_REJ_UNKNOWN_ORDER,   /* cancel or query of an unknown order */
    TT_BN_REJ_RATE_LIMIT,      /* 429, 418 or -1003 / -1015 */
    TT_BN_REJ_FILTER,          /* price, lot or notional filter failure */
    TT_BN_REJ_UNKNOWN_OUTCOME, /* 5xx: the order may or may not exist */
    TT_BN_REJ_OTHER,
} tt_bn_rej_class_t;

typedef struct {
    int http_status;
    int64_t code; /* venue code (-2010...); 0 without a body */
    tt_bn_rej_class_t cls;
    char msg[128]; /* venue's message, or a description */
} tt_bn_reject_t;

/* Classifies a reply from its HTTP status and body ({"code","msg"}; may
   be empty or not JSON). Returns out->cls. */
tt_bn_rej_class_t tt_bn_error_parse(int http_status, const char *body,
                                    size_t len, tt_bn_reject_t *out);

/* "auth", "insufficient_funds"... */
const char *tt_bn_rej_class_name(tt_bn_rej_class_t cls);

/* ---- orders and user data ------------------------------------------ */

typedef struct {
    tt_px_t price;
    tt_qty_t qty;
    int64_t commission; /* at TT_BN_ASSET_DECIMALS */
    char commission_asset[16];
    int64_t trade_id;
} tt_bn_fill_t;

typedef struct {
    char symbol[TT_BN_SYMBOL_MAX];
    int64_t order_id;
    char client_order_id[TT_COID_MAX + 1];
    int64_t order_list_id; /* an OCO leg's list; -1 for a lone order */
    tt_ns_t transact_ts;
    bool has_status; /* false for an ACK response */
    tt_ord_state_t state;
    tt_side_t side;
    tt_qty_t orig_qty;
    tt_qty_t executed_qty;
    int64_t cum_quote; /* cummulativeQuoteQty, TT_BN_ASSET_DECIMALS */
    size_t nfills;
    bool fills_truncated; /* more than TT_BN_FILLS_MAX fills */
    tt_bn_fill_t fills[TT_BN_FILLS_MAX];
} tt_bn_order_resp_t;

/* Parses a POST/DELETE/GET /api/v3/order 200 body with INS's scales.
   0, or -1 with the reason in ERR. */
int tt_bn_order_resp_parse(const char *body, size_t len,
                           const tt_instrument_t *ins, tt_bn_order_resp_t *out,
                           char *err, size_t errsize);

/* The legs of an order list reply (POST orderList/oco, DELETE
   orderList): its orderListId and each entry of "orderReports" (as
   tt_bn_order_resp_parse reads an order) into OUT[0..MAX), *N set. 0,
   or -1 with the reason in ERR. */
int tt_bn_order_list_parse(const char *body, size_t len,
                           const tt_instrument_t *ins, int64_t *list_id,
                           tt_bn_order_resp_t *out, size_t max, size_t *n,
                           char *err, size_t errsize);

typedef enum {
    TT_BN_EXEC_NEW = 1,
    TT_BN_EXEC_CANCELED,
    TT_BN_EXEC_REPLACED,
    TT_BN_EXEC_REJECTED,
    TT_BN_EXEC_TRADE,
    TT_BN_EXEC_EXPIRED,
    TT_BN_EXEC_TRADE_PREVENTION,
    TT_BN_EXEC_OTHER,
} tt_bn_exec_type_t;

/* One executionReport. For a cancel, client_order_id is the original
   order's id ("C"), not the cancel request's ("c"). */
typedef struct {
    char symbol[TT_BN_SYMBOL_MAX];
    char client_order_id[TT_COID_MAX + 1];
    int64_t order_id;
    tt_side_t side;
    tt_bn_exec_type_t exec_type;
    tt_ord_state_t state;
    tt_qty_t order_qty; /* "q" */
    tt_px_t order_px;   /* "p" */
    tt_qty_t last_qty;  /* "l": this fill */
    tt_px_t last_px;    /* "L" */
    tt_qty_t cum_qty;   /* "z" */
    int64_t commission; /* "n", TT_BN_ASSET_DECIMALS */
    char commission_asset[16];
    int64_t trade_id;       /* "t"; -1 when not a trade */
    bool maker;             /* "m" */
    tt_ns_t event_ts;       /* "E" */
    tt_ns_t transact_ts;    /* "T" */
    char reject_reason[64]; /* "r"; "NONE" when none */
} tt_bn_exec_t;

typedef enum {
    TT_BN_UD_EXEC = 1,        /* executionReport: out->exec */
    TT_BN_UD_ACCOUNT = 2,     /* outboundAccountPosition (recognised) */
    TT_BN_UD_OTHER = 3,       /* balanceUpdate, listStatus, ... */
    TT_BN_UD_KEY_EXPIRED = 4, /* listenKeyExpired: the stream ends */
    TT_BN_UD_MALFORMED = -1,  /* ERR says what */
    TT_BN_UD_UNKNOWN_SYMBOL = -2,
} tt_bn_ud_kind_t;

/* Parses one user-data-stream frame: a bare event or the WebSocket API's
   {"subscriptionId":N,"event":{...}} wrapper. LOOKUP gives the symbol's
   scales. */
tt_bn_ud_kind_t tt_bn_userdata_parse(const char *buf, size_t len,
                                     tt_bn_lookup_fn *lookup, void *arg,
                                     tt_bn_exec_t *exec, char *err,
                                     size_t errsize);

/* ---- the user-data session and its recovery ------------------------ */

#define TT_BN_PATH_USER_STREAM "/api/v3/userDataStream" /* POST, PUT */
#define TT_BN_PATH_MY_TRADES "/api/v3/myTrades"
#define TT_BN_LISTEN_KEY_MAX 96

/* The listenKey of a POST /api/v3/userDataStream 200 body into OUT
   (SIZE bytes). 0, or -1 with ERR (missing, too long, not alphanumeric:
   it goes into the stream's URL). */
int tt_bn_listen_key_parse(const char *body, size_t len, char *out, size_t size,
                           char *err, size_t errsize);

/* One trade of ours (GET /api/v3/myTrades). */
typedef struct {
    int64_t id;       /* the trade id ("t" of executionReport) */
    int64_t order_id; /* the venue's order id */
    tt_px_t price;
    tt_qty_t qty;
    int64_t commission; /* TT_BN_ASSET_DECIMALS */
    char commission_asset[16];
    tt_ns_t ts;
} tt_bn_trade_t;

/* Parses a GET /api/v3/myTrades body (an array, oldest first) into OUT
   (CAP trades) with INS's scales, *N the count. 0, or -1 with ERR naming
   the element (and *N 0). */
int tt_bn_trades_parse(const char *body, size_t len, const tt_instrument_t *ins,
                       tt_bn_trade_t *out, size_t cap, size_t *n, char *err,
                       size_t errsize);

/* ---- commissions ---------------------------------------------------- */

/* How a trade's commission is booked (docs/VENUES.md, "Commissions"). */
typedef enum {
    TT_BN_FEE_QUOTE = 1, /* in the quote asset: the fee itself */
    TT_BN_FEE_BASE,      /* in the base asset: out of what a buy delivered */
    TT_BN_FEE_OTHER,     /* in a third asset (BNB): not valued here */
} tt_bn_fee_kind_t;

typedef struct {
    tt_bn_fee_kind_t kind;
    int64_t fee;      /* money at the price scale (0 for OTHER) */
    tt_qty_t fee_qty; /* BASE: what the position does not get, lots */
} tt_bn_fee_t;

/* Books COMMISSION (TT_BN_ASSET_DECIMALS) in ASSET of a trade of QTY at
   PX on SIDE of a symbol of BASE / QUOTE assets with INS's scales and
   lot LOT (> 0). QUOTE: the fee is the commission at the price scale
   (nearest). BASE on a buy: fee_qty is the commission rounded up to the
   instrument's quantity scale and then to the lot (an exit sized to what
   is left never asks for coins we lack), the fee its value at PX (the
   sub-lot rest stays at the venue as dust and is counted in it). BASE on
   a sell took the coins beyond QTY: valued at PX as a fee. OTHER: fee 0.
   A zero commission is a QUOTE fee of 0. 0, or -1 with ERR (negative,
   overflow, fee_qty not below QTY). */
int tt_bn_commission(const char *asset, int64_t commission, const char *base,
                     const char *quote, tt_side_t side, tt_px_t px,
                     tt_qty_t qty, const tt_instrument_t *ins, tt_qty_t lot,
                     tt_bn_fee_t *out, char *err, size_t errsize);

/* The base and quote assets of SYMBOL when exchangeInfo did not say:
   QUOTE the longest of the usual quote assets SYMBOL ends with, BASE
   the rest. false when none fits. */
bool tt_bn_split_symbol(const char *symbol, char *base, char *quote,
                        size_t size);

/* ---- klines (warm-up history) -------------------------------------- */

/* Parses a GET /api/v3/klines body (array of arrays) into OUT (CAP
   candles, caller-owned), *N set to the count. TF_S is the requested
   interval's length; a candle is closed when its close time is before
   NOW (the last one of the latest page is usually still forming).
   0, or -1 with ERR naming the element and field.

   Paging: request with startTime and limit=1000; if the page is full,
   ask again with startTime = tt_bn_klines_next_start_ms(last candle)
   until a page comes back shorter than the limit or reaches the end. */
int tt_bn_klines_parse(const char *body, size_t len, const tt_instrument_t *ins,
                       int32_t tf_s, tt_ns_t now, tt_candle_t *out, size_t cap,
                       size_t *n, char *err, size_t errsize);

/* startTime (ms) for the page after the one ending with LAST. */
int64_t tt_bn_klines_next_start_ms(const tt_candle_t *last);

/* ---- exchangeInfo filters ------------------------------------------ */

/* One ORDERS rate limit of exchangeInfo.rateLimits: at most LIMIT new
   orders per INTERVAL_MS (10 s, a day ...) per account. */
typedef struct {
    int64_t interval_ms;
    int64_t limit;
} tt_bn_order_limit_t;

/* ORDERS limits kept from one exchangeInfo (the venue lists two). */
#define TT_BN_ORDER_LIMITS 4

typedef struct {
    tt_px_t tick_size, min_price, max_price; /* 0 = rule off */
    tt_qty_t step_size, min_qty, max_qty;    /* 0 = rule off */
    /* price*qty bounds, scaled by 10^(px_decimals + qty_decimals) so they
       compare with the product of scaled values; max INT64_MAX = none. */
    int64_t min_notional, max_notional;
    bool notional_applies_to_market;
    int32_t px_decimals, qty_decimals;
    char base[16], quote[16]; /* baseAsset, quoteAsset; "" when absent */
    int64_t weight_per_min;   /* rateLimits REQUEST_WEIGHT per minute; 0 */
    /* rateLimits ORDERS, in the venue's order; none when n_order_limits
       is 0 */
    tt_bn_order_limit_t order_limits[TT_BN_ORDER_LIMITS];
    size_t n_order_limits;
} tt_bn_filters_t;

/* Finds SYMBOL in an exchangeInfo body and reads PRICE_FILTER, LOT_SIZE
   and MIN_NOTIONAL or NOTIONAL at INS's scales, its baseAsset and
   quoteAsset, the REQUEST_WEIGHT limit of rateLimits (per minute) and its
   ORDERS limits (a positive limit per a known interval). 0, or -1
   with ERR (the symbol is absent, a value is finer than the instrument's
   decimals...). */
int tt_bn_filters_parse(const char *body, size_t len, const char *symbol,
                        const tt_instrument_t *ins, tt_bn_filters_t *out,
                        char *err, size_t errsize);

/* Makes an order fit the filters: *PRICE (0 for a market order) is
   rounded to the tick toward the passive side (a buy down, a sell up, so
   the rounding never costs the trader), *QTY down to the step. Refuses,
   returning -1 with a reason, a price outside min/max, a quantity below
   the minimum after rounding or above the maximum, and a notional below
   the minimum (for a market order: at REF_PRICE, when the filter applies
   to market orders) or above the maximum. 0 when the (adjusted) order
   passes. */
int tt_bn_filters_fit(const tt_bn_filters_t *f, tt_side_t side, tt_px_t *price,
                      tt_qty_t *qty, tt_px_t ref_price, char *reason,
                      size_t size);

#endif
