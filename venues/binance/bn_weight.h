/*  venues/binance/bn_weight.h: Binance's request weight as Binance counts
    it, for the broker gateway. The venue adds each request's weight
    (klines 2, an order query 4, exchangeInfo 20 ...) to a count per IP
    and clock minute, reports the count after the request in every reply
    (X-MBX-USED-WEIGHT-1M) and answers 429 once it passes the limit of
    exchangeInfo.rateLimits (REQUEST_WEIGHT, 6000 a minute on the live
    venue); ignoring 429s gets the IP banned (418). Other clients on the
    same IP (our market-data feed's history requests, another process)
    spend the same count, so the venue's header is the truth and our own
    sum only fills the gap until the next reply.

    The model keeps the current minute's count, stops taking requests at
    a headroom below the limit (TT_BN_WEIGHT_HEADROOM_PCT of it) until the
    next minute, and holds every request while the venue said to wait (a
    429, a 418, or a -1003 "too many requests" inside a 400). Pure logic:
    wall time (ms) is passed in. One per gateway, on its thread. */
#ifndef TT_VENUES_BINANCE_BN_WEIGHT_H
#define TT_VENUES_BINANCE_BN_WEIGHT_H

#include <stdint.h>

#include "venues/binance/bn_rest.h"

/* The live venue's REQUEST_WEIGHT per minute, until exchangeInfo says. */
#define TT_BN_WEIGHT_DEFAULT 6000
/* Requests stop at this share of the limit until the next minute. */
#define TT_BN_WEIGHT_HEADROOM_PCT 90

typedef struct {
    int64_t limit;      /* the venue's REQUEST_WEIGHT per minute */
    int64_t minute;     /* the clock minute (ms / 60000) of used */
    int64_t used;       /* the venue's count in it, ours until a reply */
    int64_t inflight;   /* taken for requests not answered yet */
    int64_t venue;      /* the venue's highest count seen in minute */
    int64_t hold_until; /* ms: no request before (the venue said wait) */
} tt_bn_weight_t;

/* A fresh count for LIMIT per minute (<= 0: TT_BN_WEIGHT_DEFAULT). */
void tt_bn_weight_init(tt_bn_weight_t *self, int64_t limit);

/* A new limit from exchangeInfo (ignored when <= 0). */
void tt_bn_weight_limit(tt_bn_weight_t *self, int64_t limit);

/* A request of WEIGHT (> 0) at NOW_MS: 0 when it may go (counted), else
   the milliseconds to wait (the hold, or the next minute when it would
   pass the headroom). */
int64_t tt_bn_weight_take(tt_bn_weight_t *self, int64_t weight, int64_t now_ms);

/* The same, stopping at PCT (1..100) of the limit rather than at the
   headroom: a client that must leave the rest to another (the warm-up
   history beside the broker gateway). */
int64_t tt_bn_weight_take_upto(tt_bn_weight_t *self, int64_t weight,
                               int64_t pct, int64_t now_ms);

/* Gives back WEIGHT taken at NOW_MS for a request that was not sent. */
void tt_bn_weight_untake(tt_bn_weight_t *self, int64_t weight, int64_t now_ms);

/* A request of WEIGHT taken before is answered (or ended without a
   reply): no longer in flight. */
void tt_bn_weight_answered(tt_bn_weight_t *self, int64_t weight);

/* The venue's count USED (its X-MBX-USED-WEIGHT-1M) in a reply at
   NOW_MS, plus what is still in flight (requests it may not have counted
   yet, of another thread sharing the count); a count lower than ours in
   the same minute is kept too (the venue knows best), but not one lower
   than the venue said before in it (a reply overtaken by a later one,
   when requests run in parallel); a negative one is ignored. */
void tt_bn_weight_seen(tt_bn_weight_t *self, int64_t used, int64_t now_ms);

/* A rate-limit refusal E (a 429, a 418, or -1003 / -1015 in any status)
   at NOW_MS with RETRY_AFTER_S (-1: none): every request waits until the
   time it names (Retry-After, else an "IP banned until <ms>" in the
   message, else the next minute, when the count starts again). Returns
   that time (ms). */
int64_t tt_bn_weight_refused(tt_bn_weight_t *self, const tt_bn_reject_t *e,
                             long retry_after_s, int64_t now_ms);

/* The weight of METHOD PATH (the path without its query) as the venue
   counts it: GET order 4, exchangeInfo 20, klines 2, myTrades 20,
   openOrders 6, userDataStream 2, anything else 1. */
int64_t tt_bn_path_weight(const char *method, const char *path);

#endif
