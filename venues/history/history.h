/*  venues/history/history.h: a venue's past candles over REST, for
    warming a symbol up before live data: Binance spot klines
    (GET /api/v3/klines, paged by start time) and Alpaca bars (stocks
    GET /v2/stocks/{symbol}/bars or crypto /v1beta3/crypto/{loc}/bars,
    paged by next_page_token). libcurl does the HTTP; the venue protocol
    layers (venues/binance, venues/alpaca) build the requests and parse the
    replies, numbers straight to scaled integers.

    tt_history_fetch_many runs many requests at once within the venue's
    budget (docs/VENUES.md, "History for warm-up").

    Blocking: call it from the thread that warms up (an edge actor or a
    helper thread), never from a symbol's worker. Thread-safe as long as
    curl_global_init ran first (the function calls it once itself). */
#ifndef TT_VENUES_HISTORY_HISTORY_H
#define TT_VENUES_HISTORY_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"
#include "venues/common/ratelimit.h"
#include "venues/history/http.h"

typedef enum {
    TT_HISTORY_BINANCE = 1,
    TT_HISTORY_ALPACA,
} tt_history_venue_t;

typedef struct {
    tt_history_venue_t venue;
    const char *base_url;   /* "https://api.binance.com",
                               "https://data.alpaca.markets", a fake... */
    const char *key_id;     /* Alpaca: APCA-API-KEY-ID (never logged) */
    const char *secret;     /* Alpaca: APCA-API-SECRET-KEY */
    const char *feed;       /* Alpaca: "iex", "sip"...; "crypto" for crypto
                               bars; NULL: the venue's default (stocks) */
    const char *crypto_loc; /* Alpaca crypto location; NULL: "us" */
    long timeout_ms;        /* per request; 0: 10000 */
    int page_limit;         /* bars per request; 0: the venue's maximum */
    size_t max_pages;       /* pages at most; 0: 1000 */
    int max_retries;        /* on 429 (after Retry-After, at most 5 s);
                               0: none */
} tt_history_cfg_t;

/* Closed candles of SYMBOL (the venue's name: "BTCUSDT", "AAPL",
   "BTC/USD") at TF_S seconds whose start lies in [FROM, TO) (UTC ns),
   oldest first, across every page. A candle still forming at NOW (its
   end after NOW) is left out. INS gives the scales; a price with more
   decimals than the instrument takes is an error, never rounded.

   TF_S must be one the venue has: Binance 1 s, 1/3/5/15/30 min, 1/2/4/
   6/8/12 h, 1/3 d, 1 w; Alpaca 1..59 min, 1..23 h, 1 d, 1 w.

   On success *OUT is a malloc'd array of *N candles (free() it; NULL
   when *N is 0) and 0 is returned; otherwise -1 with ERR saying what
   (the HTTP status and the venue's message, never a key). */
int tt_history_fetch(const tt_history_cfg_t *cfg, const char *symbol,
                     const tt_instrument_t *ins, int32_t tf_s, tt_ns_t from,
                     tt_ns_t to, tt_ns_t now, tt_candle_t **out, size_t *n,
                     char *err, size_t errsize);

/* One request of tt_history_fetch_many: what to fetch (as for
   tt_history_fetch), then what came. */
typedef struct {
    const char *symbol; /* the venue's name */
    const tt_instrument_t *ins;
    int32_t tf_s; /* a bar size the venue has */
    tt_ns_t from, to;
    int rc;               /* out: 0, or -1 with err */
    tt_candle_t *candles; /* out: malloc'd, the caller frees (rc 0) */
    size_t n;
    char err[320];
} tt_history_req_t;

/* A budget of the caller's, in place of a tt_ratelimit_t (Binance's
   request weight shared with the broker gateway, venues/binance/
   bn_ipweight.h): TAKE gives 0 when a request of WEIGHT may start now
   (it is then counted), else the ns to wait; REPLY is told the end of
   each request taken, of WEIGHT: its reply (status and rate headers),
   or status 0 when none came (failed, or abandoned at a stop). Called
   on the fetch's thread. */
typedef struct {
    int64_t (*take)(void *arg, int64_t weight);
    void (*reply)(void *arg, int64_t weight, const tt_http_reply_t *r);
    void *arg;
} tt_history_budget_t;

/* A tt_history_budget_t on Binance's request weight of the API host,
   shared with the broker gateway (venues/binance/bn_ipweight.h): its
   arg. Each request takes from VIEW, up to the history's share
   (TT_BN_HISTORY_WEIGHT_PCT), at the wall time NOW gives; each reply's
   X-MBX-USED-WEIGHT-1M and rate-limit refusal (429, 418, -1003) go to
   VIEW, which then holds the gateway too. */
typedef struct {
    struct tt_bn_ipweight *view;
    tt_ns_t (*now)(void *arg); /* wall clock, UTC ns */
    void *now_arg;
} tt_history_bn_weight_t;

/* The budget of STATE (which must outlive the fetch). */
tt_history_budget_t tt_history_bn_budget(tt_history_bn_weight_t *state);

typedef struct {
    size_t parallel;       /* requests in flight at most; 0: 4 */
    tt_ratelimit_t *limit; /* the venue's budget, times in CLOCK_MONOTONIC
                              ns (tt_mono_ns); NULL: none */
    const tt_history_budget_t *budget; /* when set, used instead of LIMIT */
    int64_t weight;          /* taken from the budget per request; 0: 1 */
    bool (*stop)(void *arg); /* asked between events; true ends the run */
    void (*done)(tt_history_req_t *req, void *arg); /* each as it ends */
    void *arg;
} tt_history_many_t;

/* The N requests at REQS, at most opts->parallel at once on one thread
   (libcurl's multi interface), each page taking opts->weight from
   opts->limit first. A 429 is ridden out as tt_history_fetch does, and
   it also blocks the budget until its Retry-After, so the other requests
   wait too. Requests start in index order; each one's result is in its
   slot, and opts->done (when set) is called as each ends, in the order
   they end. Returns 0 when all ended, 1 when opts->stop said so (the
   requests not ended have rc -1 and err "stopped"). */
int tt_history_fetch_many(const tt_history_cfg_t *cfg, tt_history_req_t *reqs,
                          size_t n, tt_ns_t now, const tt_history_many_t *opts);

/* The bar size to fetch for candles of TF_S seconds: TF_S itself when
   VENUE has it, else the largest size it has that divides TF_S (its bars
   then aggregate exactly into TF_S), else -1 (no history at TF_S). */
int32_t tt_history_source_tf(tt_history_venue_t venue, int32_t tf_s);

/* Aggregates the N closed candles at C (ascending, one timeframe that
   divides TF_S, aligned) into closed candles of TF_S, in place: every
   group of one TF_S interval becomes one candle (open of the first,
   close of the last, extremes, summed volume and trades). An interval
   the venue has no bar for stays without a candle. Returns the number
   of candles now at C. */
size_t tt_history_aggregate(tt_candle_t *c, size_t n, int32_t tf_s);

#endif
