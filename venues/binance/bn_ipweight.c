/*  venues/binance/bn_ipweight.c: the request weight per API host, shared
    (see bn_ipweight.h). */
#include "venues/binance/bn_ipweight.h"

#include <assert.h>
#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_KEY_MAX 256

struct tt_bn_ipweight {
    char key[S_KEY_MAX]; /* "https://api.binance.com:443" */
    int refs;            /* under s_lock */
    pthread_mutex_t mu;  /* guards count */
    tt_bn_weight_t count;
    tt_bn_ipweight_t *next; /* the registry's list, under s_lock */
};

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static tt_bn_ipweight_t *s_views;

/* URL's scheme, host (lower case) and port (the scheme's default when
   none is given) into OUT; -1 when it names no host. */
static int s_key(const char *url, char *out, size_t size)
{
    const char *sep = strstr(url, "://");
    if (!sep || sep == url)
        return -1;
    size_t scheme = (size_t)(sep - url);
    const char *host = sep + 3;
    size_t hl = strcspn(host, "/?#");
    if (hl == 0 || scheme + hl + 16 >= size)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < scheme + 3; i++)
        out[n++] = (char)tolower((unsigned char)url[i]);
    for (size_t i = 0; i < hl; i++)
        out[n++] = (char)tolower((unsigned char)host[i]);
    out[n] = '\0';
    const char *colon = memchr(host, ':', hl);
    if (!colon && !strncmp(out, "https://", 8))
        snprintf(out + n, size - n, ":443");
    else if (!colon && !strncmp(out, "http://", 7))
        snprintf(out + n, size - n, ":80");
    return 0;
}

tt_bn_ipweight_t *tt_bn_ipweight_get(const char *url)
{
    char key[S_KEY_MAX];
    if (!url || s_key(url, key, sizeof key) != 0)
        return NULL;
    pthread_mutex_lock(&s_lock);
    tt_bn_ipweight_t *v = s_views;
    while (v && strcmp(v->key, key) != 0)
        v = v->next;
    if (!v && (v = calloc(1, sizeof *v)) != NULL) {
        snprintf(v->key, sizeof v->key, "%s", key);
        pthread_mutex_init(&v->mu, NULL);
        tt_bn_weight_init(&v->count, TT_BN_WEIGHT_DEFAULT);
        v->next = s_views;
        s_views = v;
    }
    if (v)
        v->refs++;
    pthread_mutex_unlock(&s_lock);
    return v;
}

void tt_bn_ipweight_release(tt_bn_ipweight_t **self_p)
{
    tt_bn_ipweight_t *self = *self_p;
    if (!self)
        return;
    *self_p = NULL;
    pthread_mutex_lock(&s_lock);
    bool last = --self->refs == 0;
    if (last) {
        tt_bn_ipweight_t **p = &s_views;
        while (*p != self)
            p = &(*p)->next;
        *p = self->next;
    }
    pthread_mutex_unlock(&s_lock);
    if (last) {
        pthread_mutex_destroy(&self->mu);
        free(self);
    }
}

int64_t tt_bn_ipweight_take(tt_bn_ipweight_t *self, int64_t weight, int64_t pct,
                            int64_t now_ms)
{
    pthread_mutex_lock(&self->mu);
    int64_t wait = tt_bn_weight_take_upto(&self->count, weight, pct, now_ms);
    pthread_mutex_unlock(&self->mu);
    return wait;
}

void tt_bn_ipweight_untake(tt_bn_ipweight_t *self, int64_t weight,
                           int64_t now_ms)
{
    pthread_mutex_lock(&self->mu);
    tt_bn_weight_untake(&self->count, weight, now_ms);
    pthread_mutex_unlock(&self->mu);
}

void tt_bn_ipweight_seen(tt_bn_ipweight_t *self, int64_t weight, int64_t used,
                         int64_t now_ms)
{
    pthread_mutex_lock(&self->mu);
    tt_bn_weight_answered(&self->count, weight);
    tt_bn_weight_seen(&self->count, used, now_ms);
    pthread_mutex_unlock(&self->mu);
}

void tt_bn_ipweight_limit(tt_bn_ipweight_t *self, int64_t limit)
{
    pthread_mutex_lock(&self->mu);
    tt_bn_weight_limit(&self->count, limit);
    pthread_mutex_unlock(&self->mu);
}

int64_t tt_bn_ipweight_refused(tt_bn_ipweight_t *self, const tt_bn_reject_t *e,
                               long retry_after_s, int64_t now_ms)
{
    pthread_mutex_lock(&self->mu);
    int64_t until =
        tt_bn_weight_refused(&self->count, e, retry_after_s, now_ms);
    pthread_mutex_unlock(&self->mu);
    return until;
}

tt_bn_weight_t tt_bn_ipweight_get_count(tt_bn_ipweight_t *self)
{
    pthread_mutex_lock(&self->mu);
    tt_bn_weight_t copy = self->count;
    pthread_mutex_unlock(&self->mu);
    return copy;
}
