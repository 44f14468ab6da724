/*  venues/common/ratelimit.h: one request-weight budget per venue, shared
    by every symbol that trades there. Venues limit by key or by IP, not by
    symbol, so every worker thread that sends a request to the venue takes
    its weight from the same bucket before sending, and reports the reply
    back. Thread-safe (one mutex); time is passed in, never read.

    The bucket holds CAPACITY units and refills REFILL units per INTERVAL,
    continuously. A 429 (rate limit broken) blocks every take until the
    reply's Retry-After has passed; a 418 (Binance's IP ban for ignoring
    429s) does the same, with a long default hold when no Retry-After came,
    because a ban only grows if we keep knocking. Binance also reports the
    weight used in the current minute (X-MBX-USED-WEIGHT-1M); that can only
    lower our own estimate, since other processes on the same IP spend the
    same budget. */
#ifndef TT_VENUES_COMMON_RATELIMIT_H
#define TT_VENUES_COMMON_RATELIMIT_H

#include <stdint.h>

#include "marketdata/types.h"

typedef struct {
    int64_t capacity;         /* most units the bucket holds (> 0) */
    int64_t refill;           /* units added per interval (> 0) */
    tt_ns_t interval_ns;      /* (> 0) */
    tt_ns_t retry_default_ns; /* 429 hold without Retry-After; 0 = 60 s */
    tt_ns_t ban_default_ns;   /* 418 hold without Retry-After; 0 = 15 min */
    int64_t venue_limit;      /* the venue's own per-minute weight limit,
                                 for the used-weight header; 0 = capacity */
} tt_ratelimit_config_t;

typedef struct {
    uint64_t taken;        /* takes allowed */
    uint64_t refused;      /* takes refused (bucket empty or blocked) */
    uint64_t weight_taken; /* sum of the allowed weights */
    uint64_t replies_429;  /* 429 replies reported */
    uint64_t replies_418;  /* 418 replies reported */
    tt_ns_t blocked_until; /* no take before this time; 0 = not blocked */
    int64_t available;     /* whole units in the bucket at the last call */
} tt_ratelimit_stats_t;

typedef struct tt_ratelimit_t tt_ratelimit_t;

/* A full bucket at time NOW. NULL when CONFIG is invalid (a zero or
   negative capacity, refill or interval). */
tt_ratelimit_t *tt_ratelimit_new(const tt_ratelimit_config_t *config,
                                 tt_ns_t now);

/* Frees *SELF_P (NULL allowed) and sets it to NULL. */
void tt_ratelimit_destroy(tt_ratelimit_t **self_p);

/* Takes WEIGHT units at NOW. Returns 0 when allowed; 1 when refused, with
   *WAIT_NS (may be NULL) the time until the same take can succeed; -1
   when WEIGHT is <= 0 or above the capacity (it never can). A refused
   take takes nothing. NOW may lag slightly behind another thread's NOW;
   the bucket never refills backwards. */
int tt_ratelimit_take(tt_ratelimit_t *self, int64_t weight, tt_ns_t now,
                      tt_ns_t *wait_ns);

/* Reports a reply's HTTP status. 429 and 418 empty the bucket and block
   every take until NOW + Retry-After seconds (RETRY_AFTER is the header's
   value, or NULL), or the configured default when the header is absent or
   not a number of seconds. Other statuses are ignored. A later, shorter
   hold never shortens a longer one. */
void tt_ratelimit_on_reply(tt_ratelimit_t *self, int http_status,
                           const char *retry_after, tt_ns_t now);

/* Applies a used-weight header (e.g. X-MBX-USED-WEIGHT-1M: "1234"): the
   bucket holds at most venue_limit - used, scaled to the capacity. 0, or
   -1 when VALUE is not a non-negative integer (nothing changes). */
int tt_ratelimit_on_used_weight(tt_ratelimit_t *self, const char *value,
                                tt_ns_t now);

/* A consistent copy of the counters, refreshed to NOW. */
void tt_ratelimit_stats(tt_ratelimit_t *self, tt_ns_t now,
                        tt_ratelimit_stats_t *out);

#endif
