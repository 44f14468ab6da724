/*  actors/feed_stats.c: see feed_stats.h. */
#include "actors/feed_stats.h"

#include <stdio.h>
#include <string.h>

void tt_feed_stats_init(tt_feed_stats_t *self)
{
    pthread_mutex_init(&self->lock, NULL);
}

void tt_feed_stats_fini(tt_feed_stats_t *self)
{
    pthread_mutex_destroy(&self->lock);
}

static const char *s_status(const tt_wsfeed_stats_t *ws)
{
    if (ws->connected)
        return "connected";
    if (ws->held)
        return "held";
    /* Every attempt ends as a connect or a failure; one more is under
       way. */
    if (ws->attempts > ws->connects + ws->connect_failures)
        return "connecting";
    return "backoff";
}

void tt_feed_stats_publish(tt_feed_stats_t *self, const tt_wsfeed_stats_t *ws,
                           const char *url)
{
    atomic_store(&self->remote, true);
    atomic_store(&self->frames, ws->frames);
    atomic_store(&self->malformed, ws->malformed);
    atomic_store(&self->unexpected, ws->other + ws->unknown_symbol);
    atomic_store(&self->server_errors, ws->server_errors);
    atomic_store(&self->attempts, ws->attempts);
    atomic_store(&self->connects, ws->connects);
    atomic_store(&self->reconnects, ws->reconnects);
    atomic_store(&self->bars, ws->bars);
    atomic_store(&self->holds, ws->holds);
    atomic_store(&self->duplicates, ws->duplicates);
    atomic_store(&self->subscribes, ws->subscribes);
    size_t cut = url ? strcspn(url, "?") : 0;
    pthread_mutex_lock(&self->lock);
    snprintf(self->status, sizeof self->status, "%s", s_status(ws));
    snprintf(self->url, sizeof self->url, "%.*s", (int)cut, url ? url : "");
    snprintf(self->last_error, sizeof self->last_error, "%s", ws->last_error);
    snprintf(self->last_malformed, sizeof self->last_malformed, "%s",
             ws->last_malformed);
    pthread_mutex_unlock(&self->lock);
}

void tt_feed_stats_texts(tt_feed_stats_t *self, tt_feed_texts_t *out)
{
    pthread_mutex_lock(&self->lock);
    memcpy(out->status, self->status, sizeof out->status);
    memcpy(out->url, self->url, sizeof out->url);
    memcpy(out->last_error, self->last_error, sizeof out->last_error);
    memcpy(out->last_malformed, self->last_malformed,
           sizeof out->last_malformed);
    pthread_mutex_unlock(&self->lock);
}
