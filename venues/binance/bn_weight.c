/*  venues/binance/bn_weight.c: the venue's request-weight count (see
    bn_weight.h). */
#include "venues/binance/bn_weight.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define S_MINUTE_MS 60000

void tt_bn_weight_init(tt_bn_weight_t *self, int64_t limit)
{
    assert(self);
    memset(self, 0, sizeof *self);
    self->limit = limit > 0 ? limit : TT_BN_WEIGHT_DEFAULT;
}

void tt_bn_weight_limit(tt_bn_weight_t *self, int64_t limit)
{
    if (limit > 0)
        self->limit = limit;
}

/* The count starts again at each clock minute. */
static void s_roll(tt_bn_weight_t *self, int64_t now_ms)
{
    int64_t minute = now_ms / S_MINUTE_MS;
    if (minute != self->minute) {
        self->minute = minute;
        self->used = self->venue = 0;
    }
}

int64_t tt_bn_weight_take(tt_bn_weight_t *self, int64_t weight, int64_t now_ms)
{
    return tt_bn_weight_take_upto(self, weight, TT_BN_WEIGHT_HEADROOM_PCT,
                                  now_ms);
}

int64_t tt_bn_weight_take_upto(tt_bn_weight_t *self, int64_t weight,
                               int64_t pct, int64_t now_ms)
{
    assert(self && weight > 0 && pct > 0 && pct <= 100);
    if (now_ms < self->hold_until)
        return self->hold_until - now_ms;
    s_roll(self, now_ms);
    int64_t cap = self->limit / 100 * pct + self->limit % 100 * pct / 100;
    /* A request heavier than the headroom goes alone in a fresh minute. */
    if (self->used > 0 && self->used + weight > cap)
        return (self->minute + 1) * S_MINUTE_MS - now_ms;
    self->used += weight;
    self->inflight += weight;
    return 0;
}

void tt_bn_weight_untake(tt_bn_weight_t *self, int64_t weight, int64_t now_ms)
{
    tt_bn_weight_answered(self, weight);
    if (now_ms / S_MINUTE_MS == self->minute)
        self->used = self->used > weight ? self->used - weight : 0;
}

void tt_bn_weight_answered(tt_bn_weight_t *self, int64_t weight)
{
    self->inflight = self->inflight > weight ? self->inflight - weight : 0;
}

void tt_bn_weight_seen(tt_bn_weight_t *self, int64_t used, int64_t now_ms)
{
    if (used < 0)
        return;
    s_roll(self, now_ms);
    if (used > self->venue)
        self->venue = used;
    self->used = self->venue + self->inflight;
}

/* The time in "... IP banned until 1700000000000. ..." (ms), or 0. */
static int64_t s_banned_until(const char *msg)
{
    const char *p = strstr(msg, "banned until ");
    if (!p)
        return 0;
    char *end;
    long long v = strtoll(p + strlen("banned until "), &end, 10);
    return end != p + strlen("banned until ") && v > 0 ? (int64_t)v : 0;
}

int64_t tt_bn_weight_refused(tt_bn_weight_t *self, const tt_bn_reject_t *e,
                             long retry_after_s, int64_t now_ms)
{
    int64_t until = (now_ms / S_MINUTE_MS + 1) * S_MINUTE_MS;
    int64_t banned = s_banned_until(e->msg);
    if (retry_after_s >= 0 && retry_after_s <= 7 * 86400)
        until = now_ms + (int64_t)retry_after_s * 1000;
    else if (banned > now_ms)
        until = banned;
    if (until > self->hold_until)
        self->hold_until = until;
    return self->hold_until;
}

int64_t tt_bn_path_weight(const char *method, const char *path)
{
    static const struct {
        const char *method, *path;
        int64_t weight;
    } table[] = {
        {"GET", TT_BN_PATH_ORDER, TT_BN_WEIGHT_QUERY_ORDER},
        {"GET", TT_BN_PATH_EXCHANGE_INFO, 20},
        {"GET", TT_BN_PATH_KLINES, TT_BN_WEIGHT_KLINES},
        {"GET", TT_BN_PATH_MY_TRADES, 20},
        {"GET", "/api/v3/openOrders", 6},
        {"POST", TT_BN_PATH_USER_STREAM, 2},
        {"PUT", TT_BN_PATH_USER_STREAM, 2},
        {"DELETE", TT_BN_PATH_USER_STREAM, 2},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(method, table[i].method) && !strcmp(path, table[i].path))
            return table[i].weight;
    return 1;
}
