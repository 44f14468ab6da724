/*  venues/common/ratelimit.c: the shared weight bucket (see ratelimit.h).

    Units are kept multiplied by the interval ("unit-nanoseconds"), so a
    continuous refill of REFILL units per INTERVAL is exact integer
    arithmetic: each elapsed nanosecond adds REFILL. A bucket of 6000 units
    per minute holds at most 3.6e14 of them, far from int64's limit. */
#include "venues/common/ratelimit.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#define S_RETRY_DEFAULT_NS (60 * TT_NS_PER_SEC)
#define S_BAN_DEFAULT_NS (15 * 60 * TT_NS_PER_SEC)
/* Retry-After beyond this is treated as garbage (Binance bans last at
   most 3 days). */
#define S_RETRY_MAX_S (7 * 86400)

struct tt_ratelimit_t {
    pthread_mutex_t lock;
    tt_ratelimit_config_t cfg;
    int64_t level; /* units * interval_ns */
    int64_t full;  /* capacity * interval_ns */
    tt_ns_t last;  /* time of the last refill */
    tt_ratelimit_stats_t stats;
};

tt_ratelimit_t *tt_ratelimit_new(const tt_ratelimit_config_t *config,
                                 tt_ns_t now)
{
    if (!config || config->capacity <= 0 || config->refill <= 0 ||
        config->interval_ns <= 0 ||
        config->capacity > INT64_MAX / config->interval_ns)
        return NULL;
    tt_ratelimit_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    if (pthread_mutex_init(&self->lock, NULL) != 0) {
        free(self);
        return NULL;
    }
    self->cfg = *config;
    if (self->cfg.retry_default_ns <= 0)
        self->cfg.retry_default_ns = S_RETRY_DEFAULT_NS;
    if (self->cfg.ban_default_ns <= 0)
        self->cfg.ban_default_ns = S_BAN_DEFAULT_NS;
    if (self->cfg.venue_limit <= 0)
        self->cfg.venue_limit = self->cfg.capacity;
    self->full = config->capacity * config->interval_ns;
    self->level = self->full;
    self->last = now;
    return self;
}

void tt_ratelimit_destroy(tt_ratelimit_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pthread_mutex_destroy(&(*self_p)->lock);
    free(*self_p);
    *self_p = NULL;
}

/* Adds what has dripped in since the last call. Caller holds the lock. */
static void s_refill(tt_ratelimit_t *self, tt_ns_t now)
{
    if (now <= self->last)
        return;
    tt_ns_t elapsed = now - self->last;
    self->last = now;
    int64_t room = self->full - self->level;
    if (elapsed >= room / self->cfg.refill + 1)
        self->level = self->full;
    else
        self->level += elapsed * self->cfg.refill;
    self->stats.available = self->level / self->cfg.interval_ns;
}

int tt_ratelimit_take(tt_ratelimit_t *self, int64_t weight, tt_ns_t now,
                      tt_ns_t *wait_ns)
{
    if (weight <= 0 || weight > self->cfg.capacity)
        return -1;
    pthread_mutex_lock(&self->lock);
    s_refill(self, now);
    int64_t need = weight * self->cfg.interval_ns;
    tt_ns_t wait = 0;
    if (now < self->stats.blocked_until)
        wait = self->stats.blocked_until - now;
    else if (self->level < need)
        wait = (need - self->level + self->cfg.refill - 1) / self->cfg.refill;
    if (wait == 0) {
        self->level -= need;
        self->stats.taken++;
        self->stats.weight_taken += (uint64_t)weight;
    } else {
        self->stats.refused++;
    }
    self->stats.available = self->level / self->cfg.interval_ns;
    pthread_mutex_unlock(&self->lock);
    if (wait_ns)
        *wait_ns = wait;
    return wait == 0 ? 0 : 1;
}

/* Retry-After in whole seconds, or -1 (absent, an HTTP date, garbage). */
static int64_t s_retry_after_s(const char *value)
{
    if (!value || *value < '0' || *value > '9')
        return -1;
    char *end;
    errno = 0;
    long long s = strtoll(value, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (errno || *end != '\0' || s > S_RETRY_MAX_S)
        return -1;
    return (int64_t)s;
}

void tt_ratelimit_on_reply(tt_ratelimit_t *self, int http_status,
                           const char *retry_after, tt_ns_t now)
{
    if (http_status != 429 && http_status != 418)
        return;
    int64_t s = s_retry_after_s(retry_after);
    tt_ns_t hold = s >= 0               ? s * TT_NS_PER_SEC
                   : http_status == 418 ? self->cfg.ban_default_ns
                                        : self->cfg.retry_default_ns;
    pthread_mutex_lock(&self->lock);
    s_refill(self, now);
    if (http_status == 429)
        self->stats.replies_429++;
    else
        self->stats.replies_418++;
    self->level = 0;
    self->stats.available = 0;
    if (now + hold > self->stats.blocked_until)
        self->stats.blocked_until = now + hold;
    pthread_mutex_unlock(&self->lock);
}

int tt_ratelimit_on_used_weight(tt_ratelimit_t *self, const char *value,
                                tt_ns_t now)
{
    if (!value || *value < '0' || *value > '9')
        return -1;
    char *end;
    errno = 0;
    long long used = strtoll(value, &end, 10);
    if (errno || *end != '\0')
        return -1;
    pthread_mutex_lock(&self->lock);
    s_refill(self, now);
    int64_t limit = self->cfg.venue_limit;
    int64_t left = used >= limit ? 0 : limit - used;
    /* Scale the venue's remaining weight to our capacity, rounding down,
       in two steps so that the product cannot overflow. */
    int64_t cap = left / limit * self->cfg.capacity +
                  left % limit * self->cfg.capacity / limit;
    int64_t cap_level = cap * self->cfg.interval_ns;
    if (self->level > cap_level)
        self->level = cap_level;
    self->stats.available = self->level / self->cfg.interval_ns;
    pthread_mutex_unlock(&self->lock);
    return 0;
}

void tt_ratelimit_stats(tt_ratelimit_t *self, tt_ns_t now,
                        tt_ratelimit_stats_t *out)
{
    pthread_mutex_lock(&self->lock);
    s_refill(self, now);
    *out = self->stats;
    if (out->blocked_until <= now)
        out->blocked_until = 0;
    pthread_mutex_unlock(&self->lock);
}
