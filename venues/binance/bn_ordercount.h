/*  venues/binance/bn_ordercount.h: the account's new-order count as
    Binance limits it, for the broker gateway. exchangeInfo.rateLimits
    lists ORDERS limits (so many new orders per 10 s, per day ...);
    every order reply carries the venue's count in the current window
    (X-MBX-ORDER-COUNT-10S, X-MBX-ORDER-COUNT-1D), and going over a limit
    gets a 429, repeated 429s an IP ban (418). So the gateway counts the
    orders it sends, takes the venue's count from each reply (other
    clients of the account spend the same count), and does not send an
    order that would pass a limit: it refuses it locally, with the reason.

    Windows are clock windows (ms / interval since the epoch; a day is a
    UTC day), as the weight count's minute: our window and the venue's
    may differ by the host clock's error, and the first reply in the
    venue's window corrects the count. Until exchangeInfo is read the
    limit is the documented example's, 10 orders a second. Pure logic:
    wall time (ms) is passed in. One per gateway, on its thread. */
#ifndef TT_VENUES_BINANCE_BN_ORDERCOUNT_H
#define TT_VENUES_BINANCE_BN_ORDERCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "venues/binance/bn_rest.h"

/* The ORDERS limit until exchangeInfo says: 10 a second (the example
   of the venue's enums documentation). */
#define TT_BN_ORDERS_DEFAULT_LIMIT 10
#define TT_BN_ORDERS_DEFAULT_MS 1000

typedef struct {
    int64_t interval_ms; /* the window's length */
    int64_t limit;       /* new orders a window allows */
    int64_t window;      /* the window (ms / interval_ms) of count */
    int64_t count;       /* orders in it: ours, the venue's once it said */
} tt_bn_order_window_t;

typedef struct {
    tt_bn_order_window_t w[TT_BN_ORDER_LIMITS];
    size_t n;
} tt_bn_ordercount_t;

/* The default limit, nothing counted. */
void tt_bn_ordercount_init(tt_bn_ordercount_t *self);

/* The ORDERS limits of an exchangeInfo, LIMITS (N of them, the first
   TT_BN_ORDER_LIMITS kept), in place of the current ones; a window of a
   length kept keeps its count. N 0 (none given) keeps the current ones.
   True when the limits changed. */
bool tt_bn_ordercount_limits(tt_bn_ordercount_t *self,
                             const tt_bn_order_limit_t *limits, size_t n);

/* Whether N more orders, with room left for RESERVE more to follow
   (as much of it as a window's limit allows beside N), fit at NOW_MS
   in every window: 0 when they do (nothing is counted), else the
   milliseconds until the window that refuses them longest starts
   again, that window in *FULL (may be NULL; valid until the limits
   change). */
int64_t tt_bn_ordercount_check(tt_bn_ordercount_t *self, int64_t n,
                               int64_t reserve, int64_t now_ms,
                               const tt_bn_order_window_t **full);

/* N orders sent at NOW_MS (negative: N counted that were not sent). */
void tt_bn_ordercount_add(tt_bn_ordercount_t *self, int64_t n, int64_t now_ms);

/* The venue's count COUNT of its window of INTERVAL_MS (a reply's
   X-MBX-ORDER-COUNT-*), in the reply to a request sent at SENT_MS and
   read at NOW_MS: it replaces ours when that window is still the
   current one. Ignored when the window started again since, when no
   limit has that interval, or when COUNT < 0. */
void tt_bn_ordercount_seen(tt_bn_ordercount_t *self, int64_t interval_ms,
                           int64_t count, int64_t sent_ms, int64_t now_ms);

/* The new orders METHOD PATH places: an order 1, an OCO order list 2
   (two orders), anything else 0. */
int64_t tt_bn_path_orders(const char *method, const char *path);

/* INTERVAL_MS as text ("10 s", "1 day", "1 min"). */
void tt_bn_interval_text(int64_t interval_ms, char *out, size_t size);

#endif
