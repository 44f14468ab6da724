/*  venues/binance/bn_ordercount.c: the account's new-order count (see
    bn_ordercount.h). */
#include "venues/binance/bn_ordercount.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

void tt_bn_ordercount_init(tt_bn_ordercount_t *self)
{
    assert(self);
    memset(self, 0, sizeof *self);
    self->w[0].interval_ms = TT_BN_ORDERS_DEFAULT_MS;
    self->w[0].limit = TT_BN_ORDERS_DEFAULT_LIMIT;
    self->n = 1;
}

static tt_bn_order_window_t *s_find(tt_bn_ordercount_t *self,
                                    int64_t interval_ms)
{
    for (size_t i = 0; i < self->n; i++)
        if (self->w[i].interval_ms == interval_ms)
            return &self->w[i];
    return NULL;
}

bool tt_bn_ordercount_limits(tt_bn_ordercount_t *self,
                             const tt_bn_order_limit_t *limits, size_t n)
{
    if (n > TT_BN_ORDER_LIMITS)
        n = TT_BN_ORDER_LIMITS;
    tt_bn_ordercount_t next = {.n = 0};
    for (size_t i = 0; i < n; i++) {
        if (limits[i].interval_ms <= 0 || limits[i].limit <= 0)
            continue;
        tt_bn_order_window_t *old = s_find(self, limits[i].interval_ms);
        tt_bn_order_window_t *w = &next.w[next.n++];
        if (old)
            *w = *old;
        w->interval_ms = limits[i].interval_ms;
        w->limit = limits[i].limit;
    }
    if (next.n == 0)
        return false;
    bool changed = next.n != self->n;
    for (size_t i = 0; !changed && i < next.n; i++)
        changed = next.w[i].interval_ms != self->w[i].interval_ms ||
                  next.w[i].limit != self->w[i].limit;
    *self = next;
    return changed;
}

/* W's count starts again with each of its windows. */
static void s_roll(tt_bn_order_window_t *w, int64_t now_ms)
{
    int64_t window = now_ms / w->interval_ms;
    if (window != w->window) {
        w->window = window;
        w->count = 0;
    }
}

void tt_bn_interval_text(int64_t interval_ms, char *out, size_t size)
{
    static const struct {
        int64_t ms;
        const char *unit;
    } units[] = {
        {86400000, "day"}, {3600000, "h"}, {60000, "min"}, {1000, "s"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (interval_ms >= units[i].ms && interval_ms % units[i].ms == 0) {
            snprintf(out, size, "%lld %s",
                     (long long)(interval_ms / units[i].ms), units[i].unit);
            return;
        }
    snprintf(out, size, "%lld ms", (long long)interval_ms);
}

int64_t tt_bn_ordercount_check(tt_bn_ordercount_t *self, int64_t n,
                               int64_t reserve, int64_t now_ms,
                               const tt_bn_order_window_t **full)
{
    assert(self && n > 0 && reserve >= 0);
    int64_t wait = 0;
    if (full)
        *full = NULL;
    for (size_t i = 0; i < self->n; i++) {
        tt_bn_order_window_t *w = &self->w[i];
        s_roll(w, now_ms);
        int64_t left = (w->window + 1) * w->interval_ms - now_ms;
        int64_t room = w->limit - n < reserve ? w->limit - n : reserve;
        if (w->count + n + (room > 0 ? room : 0) <= w->limit || left <= wait)
            continue;
        wait = left;
        if (full)
            *full = w;
    }
    return wait;
}

void tt_bn_ordercount_add(tt_bn_ordercount_t *self, int64_t n, int64_t now_ms)
{
    for (size_t i = 0; i < self->n; i++) {
        tt_bn_order_window_t *w = &self->w[i];
        s_roll(w, now_ms);
        w->count = w->count + n > 0 ? w->count + n : 0;
    }
}

void tt_bn_ordercount_seen(tt_bn_ordercount_t *self, int64_t interval_ms,
                           int64_t count, int64_t sent_ms, int64_t now_ms)
{
    tt_bn_order_window_t *w = s_find(self, interval_ms);
    if (!w || count < 0 || sent_ms / interval_ms != now_ms / interval_ms)
        return;
    s_roll(w, now_ms);
    w->count = count;
}

int64_t tt_bn_path_orders(const char *method, const char *path)
{
    if (strcmp(method, "POST") != 0)
        return 0;
    if (!strcmp(path, TT_BN_PATH_ORDER))
        return 1;
    /* Two orders, its legs (our reading; the venue's count corrects). */
    if (!strcmp(path, TT_BN_PATH_OCO))
        return 2;
    return 0;
}
