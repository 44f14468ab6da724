/*  venues/binance/bn_ipweight.h: one view of Binance's request weight per
    API host, shared by every client of it in the process. The venue
    counts weight per IP, whoever sends: the broker gateway's orders and
    queries and the feed's warm-up history (klines) spend the same count,
    and a 429 or 418 answers every one of them. So both take their
    requests' weight from the same count (bn_weight.h's model: kept in
    step with each reply's X-MBX-USED-WEIGHT-1M, held while the venue
    said wait) rather than each its own, which let either push the other
    over the limit between two replies.

    Each client stops at its own share of the limit: the gateway at the
    headroom (90 %), the history at half, so a warm-up never leaves the
    orders without weight. Thread-safe (one mutex per view, one for the
    registry): the gateway and the feed run on their own threads. Time is
    wall-clock ms, passed in, as the venue's minute is. */
#ifndef TT_VENUES_BINANCE_BN_IPWEIGHT_H
#define TT_VENUES_BINANCE_BN_IPWEIGHT_H

#include <stdint.h>

#include "venues/binance/bn_weight.h"

/* The history's share of the limit, in percent. */
#define TT_BN_HISTORY_WEIGHT_PCT 50

typedef struct tt_bn_ipweight tt_bn_ipweight_t;

/* The view of the API host of URL ("https://api.binance.com/api/v3"
   and "https://API.binance.com" are one host: scheme, host and port),
   made at its first use with the default limit. The caller releases it;
   the view lives while anyone holds it. NULL when out of memory or URL
   names no host. */
tt_bn_ipweight_t *tt_bn_ipweight_get(const char *url);

/* Releases *SELF_P (NULL allowed) and sets it to NULL. */
void tt_bn_ipweight_release(tt_bn_ipweight_t **self_p);

/* tt_bn_weight_take_upto on the shared count: 0 when a request of
   WEIGHT may go at NOW_MS (counted), else the ms to wait. */
int64_t tt_bn_ipweight_take(tt_bn_ipweight_t *self, int64_t weight, int64_t pct,
                            int64_t now_ms);

/* tt_bn_weight_untake, _limit and _refused on the shared count. */
void tt_bn_ipweight_untake(tt_bn_ipweight_t *self, int64_t weight,
                           int64_t now_ms);
/* The reply to a request of WEIGHT taken before (tt_bn_weight_answered)
   with the venue's count USED (-1: none, or no reply) at NOW_MS
   (tt_bn_weight_seen). */
void tt_bn_ipweight_seen(tt_bn_ipweight_t *self, int64_t weight, int64_t used,
                         int64_t now_ms);
void tt_bn_ipweight_limit(tt_bn_ipweight_t *self, int64_t limit);
int64_t tt_bn_ipweight_refused(tt_bn_ipweight_t *self, const tt_bn_reject_t *e,
                               long retry_after_s, int64_t now_ms);

/* A consistent copy of the count. */
tt_bn_weight_t tt_bn_ipweight_get_count(tt_bn_ipweight_t *self);

#endif
