/*  tests/fakes/binance_ordercount.c: the fake Binance's ORDERS limits:
    the account's new orders per 10 s and per UTC day, counted on every
    POST of an order (1) or an OCO order list (2, its legs), reported in
    X-MBX-ORDER-COUNT-10S and -1D, and refused with 429 -1015 past a
    limit; a new order while that 429 is in force is a repeated
    violation (418). Runs on the service thread under the lock. */
#include "tests/fakes/binance_private.h"

#include <stdio.h>

#define S_WINDOW_MS 10000
#define S_DAY_MS 86400000

/* The windows of NOW: each count starts again with its window. */
static void s_roll(fake_binance_t *self, int64_t now)
{
    if (now / S_WINDOW_MS != self->order_win10) {
        self->order_win10 = now / S_WINDOW_MS;
        self->order_count10 = 0;
    }
    if (now / S_DAY_MS != self->order_day) {
        self->order_day = now / S_DAY_MS;
        self->order_count1d = 0;
    }
}

static void s_headers(fake_binance_t *self, fakesrv_resp_t *r)
{
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)self->order_count10);
    fakesrv_resp_header(r, "x-mbx-order-count-10s:", v);
    snprintf(v, sizeof v, "%lld", (long long)self->order_count1d);
    fakesrv_resp_header(r, "x-mbx-order-count-1d:", v);
}

/* The 429 (or 418) for orders over LIMIT per PER, whose window ends
   at END_MS. */
static void s_refuse(fake_binance_t *self, int limit, const char *per,
                     int64_t end_ms, int64_t now, fakesrv_resp_t *r)
{
    char v[32];
    if (now < self->orders_warned_until_ms) {
        self->banned_until_ms = now + (int64_t)self->ban_s * 1000;
        self->stats.http_418++;
        fb_error(r, 418, -1003, "IP banned until %lld.",
                 (long long)self->banned_until_ms);
        snprintf(v, sizeof v, "%d", self->ban_s);
    } else {
        self->orders_warned_until_ms = end_ms;
        self->stats.http_429++;
        self->stats.http_429_orders++;
        fb_error(r, 429, -1015,
                 "Too many new orders; current limit is %d orders per %s.",
                 limit, per);
        snprintf(v, sizeof v, "%lld", (long long)((end_ms - now + 999) / 1000));
    }
    fakesrv_resp_header(r, "retry-after:", v);
}

bool fb_orders_count(fake_binance_t *self, int n, fakesrv_resp_t *r)
{
    int64_t now = fb_now_ms(self);
    s_roll(self, now);
    if (self->order_count10 + n > self->order_limit_10s) {
        s_headers(self, r);
        s_refuse(self, self->order_limit_10s, "10 SECOND",
                 (self->order_win10 + 1) * S_WINDOW_MS, now, r);
        return false;
    }
    if (self->order_limit_1d > 0 &&
        self->order_count1d + n > self->order_limit_1d) {
        s_headers(self, r);
        s_refuse(self, self->order_limit_1d, "1 DAY",
                 (self->order_day + 1) * S_DAY_MS, now, r);
        return false;
    }
    self->order_count10 += n;
    self->order_count1d += n;
    if ((uint64_t)self->order_count10 > self->stats.max_orders_10s)
        self->stats.max_orders_10s = (uint64_t)self->order_count10;
    s_headers(self, r);
    return true;
}

void fake_binance_spend_orders(fake_binance_t *self, int n)
{
    fakesrv_lock(self->srv);
    s_roll(self, fb_now_ms(self));
    self->order_count10 += n;
    self->order_count1d += n;
    fakesrv_unlock(self->srv);
}
