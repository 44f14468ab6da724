/*  tests/fakes/binance_ws.c: the fake Binance's websockets: raw
    (/ws/<stream>) and combined (/stream?streams=a/b) market streams with
    SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS, the user data stream
    (/ws/<listenKey>), and server pings with a pong deadline. Runs on the
    service thread (handlers) or the test's thread (events), under the
    server's lock. */
#include "tests/fakes/binance_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool s_stream_ok(const char *s)
{
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n == 0 || n > 64 || !at)
        return false;
    for (const char *p = s; p < at; p++) /* symbols are lowercase */
        if (isupper((unsigned char)*p))
            return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '@' && s[i] != '_')
            return false;
    return true;
}

static bool s_has(const fb_conn_t *st, const char *s)
{
    for (size_t i = 0; i < st->nstreams; i++)
        if (!strcmp(st->streams[i], s))
            return true;
    return false;
}

static void s_add(fb_conn_t *st, const char *s)
{
    if (s_has(st, s))
        return;
    char **v = realloc(st->streams, (st->nstreams + 1) * sizeof *v);
    if (!v)
        abort();
    st->streams = v;
    st->streams[st->nstreams++] = strdup(s);
}

static void s_del(fb_conn_t *st, const char *s)
{
    for (size_t i = 0; i < st->nstreams; i++)
        if (!strcmp(st->streams[i], s)) {
            free(st->streams[i]);
            st->streams[i] = st->streams[--st->nstreams];
            return;
        }
}

static void s_text(fakesrv_conn_t *c, const char *t)
{
    fakesrv_send(c, t, strlen(t), FAKESRV_TEXT);
}

void fb_stream_event(fake_binance_t *self, const char *stream, const char *data)
{
    fkbuf_t wrapped;
    fkbuf_init(&wrapped);
    fkbuf_printf(&wrapped, "{\"stream\":\"%s\",\"data\":%s}", stream, data);
    for (fakesrv_conn_t *c = fakesrv_conn_first(self->srv); c;
         c = fakesrv_conn_next(c)) {
        fb_conn_t *st = fakesrv_conn_state(c);
        if (!st || st->kind == FB_CONN_USER || !s_has(st, stream))
            continue;
        s_text(c, st->kind == FB_CONN_RAW ? data : wrapped.s);
    }
    fkbuf_free(&wrapped);
}

void fb_user_event(fake_binance_t *self, const char *data)
{
    if (self->muted)
        return; /* fake_binance_silent_orders' quiet orders */
    for (fakesrv_conn_t *c = fakesrv_conn_first(self->srv); c;
         c = fakesrv_conn_next(c)) {
        fb_conn_t *st = fakesrv_conn_state(c);
        if (st && st->kind == FB_CONN_USER) {
            s_text(c, data);
            self->stats.events_sent++;
        }
    }
}

/* ---- control messages ---- */

static void s_reply_error(fakesrv_conn_t *c, int code, const char *msg,
                          json_t *id)
{
    json_t *j = json_pack("{s:i,s:s}", "code", code, "msg", msg);
    if (id)
        json_object_set(j, "id", id);
    char *t = json_dumps(j, JSON_COMPACT);
    s_text(c, t);
    free(t);
    json_decref(j);
}

static void s_list(fakesrv_conn_t *c, fb_conn_t *st, json_t *id)
{
    json_t *a = json_array();
    for (size_t i = 0; i < st->nstreams; i++)
        json_array_append_new(a, json_string(st->streams[i]));
    json_t *j = json_pack("{s:o,s:O}", "result", a, "id", id);
    char *t = json_dumps(j, JSON_COMPACT);
    s_text(c, t);
    free(t);
    json_decref(j);
}

static void s_control(fakesrv_conn_t *c, fb_conn_t *st, json_t *m)
{
    const char *method = json_string_value(json_object_get(m, "method"));
    json_t *id = json_object_get(m, "id"),
           *params = json_object_get(m, "params");
    if (!method || !(json_is_integer(id) || json_is_string(id))) {
        s_reply_error(c, 2, "Invalid request: missing method or id", id);
        return;
    }
    if (!strcmp(method, "LIST_SUBSCRIPTIONS")) {
        s_list(c, st, id);
        return;
    }
    bool sub = !strcmp(method, "SUBSCRIBE");
    if (!sub && strcmp(method, "UNSUBSCRIBE")) {
        s_reply_error(c, 2, "Invalid request: unknown method", id);
        return;
    }
    size_t i;
    json_t *v;
    if (!json_is_array(params)) {
        s_reply_error(c, 2, "Invalid request: params must be an array", id);
        return;
    }
    json_array_foreach(params, i, v)
    {
        if (!json_is_string(v) || !s_stream_ok(json_string_value(v))) {
            s_reply_error(c, 2, "Invalid request: invalid stream name", id);
            return;
        }
    }
    json_array_foreach(params, i, v)
    {
        if (sub)
            s_add(st, json_string_value(v));
        else
            s_del(st, json_string_value(v));
    }
    json_t *j = json_pack("{s:n,s:O}", "result", "id", id);
    char *t = json_dumps(j, JSON_COMPACT);
    s_text(c, t);
    free(t);
    json_decref(j);
}

/* ---- handlers ---- */

static bool s_listen_key(fake_binance_t *self, const char *k)
{
    for (size_t i = 0; i < self->nkeys; i++)
        if (!strcmp(self->keys[i], k))
            return true;
    return false;
}

/* Streams named in the path or ?streams=a/b; -1 when one is invalid. */
static int s_initial(fb_conn_t *st, const char *list)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save, *s = strtok_r(buf, "/", &save); s;
         s = strtok_r(NULL, "/", &save)) {
        if (!s_stream_ok(s))
            return -1;
        s_add(st, s);
    }
    return 0;
}

static int s_open(void *venue, fakesrv_conn_t *c, const fakesrv_req_t *req)
{
    fake_binance_t *self = venue;
    fb_conn_t *st = calloc(1, sizeof *st);
    if (!st)
        return -1;
    fakesrv_conn_set(c, st);
    char streams[2048] = "";
    int rc = 0;
    if (!strncmp(req->path, "/ws/", 4) && s_listen_key(self, req->path + 4)) {
        st->kind = FB_CONN_USER;
    } else if (!strcmp(req->path, "/ws") || !strncmp(req->path, "/ws/", 4)) {
        st->kind = FB_CONN_RAW;
        rc = req->path[3] ? s_initial(st, req->path + 4) : 0;
    } else if (!strcmp(req->path, "/stream")) {
        st->kind = FB_CONN_COMBINED;
        if (fkq_get(req->query, "streams", streams, sizeof streams) >= 0)
            rc = s_initial(st, streams);
    } else {
        rc = -1;
    }
    if (st->kind == FB_CONN_USER) {
        self->stats.user_connections++;
        self->stats.user_clients++;
    } else {
        self->stats.md_connections++;
        self->stats.md_clients++;
    }
    fakesrv_conn_timer(c, self->ping_ms);
    return rc;
}

static void s_message(void *venue, fakesrv_conn_t *c, const char *data,
                      size_t len, bool binary)
{
    (void)venue;
    fb_conn_t *st = fakesrv_conn_state(c);
    if (!st || st->kind == FB_CONN_USER)
        return; /* the user stream takes no messages */
    json_error_t e;
    json_t *m = binary ? NULL : json_loadb(data, len, 0, &e);
    if (!json_is_object(m))
        s_reply_error(c, 3, "Invalid JSON: expected an object", NULL);
    else
        s_control(c, st, m);
    json_decref(m);
}

static void s_pong(void *venue, fakesrv_conn_t *c, const void *data, size_t len)
{
    fake_binance_t *self = venue;
    fb_conn_t *st = fakesrv_conn_state(c);
    self->stats.pongs_received++;
    /* Only a pong that echoes the last ping counts (unsolicited ones do
       not keep the connection alive). */
    if (st && len == strlen(st->ping_payload) &&
        !memcmp(data, st->ping_payload, len))
        st->ping_since_ms = 0;
}

static void s_timer(void *venue, fakesrv_conn_t *c)
{
    fake_binance_t *self = venue;
    fb_conn_t *st = fakesrv_conn_state(c);
    if (!st)
        return;
    int64_t now = s_mono_ms();
    if (st->ping_since_ms && now - st->ping_since_ms >= self->pong_ms) {
        fakesrv_close(c, 1008, "pong timeout");
        return;
    }
    snprintf(st->ping_payload, sizeof st->ping_payload, "%llu",
             (unsigned long long)++self->ping_seq);
    if (!st->ping_since_ms)
        st->ping_since_ms = now;
    fakesrv_send(c, st->ping_payload, strlen(st->ping_payload), FAKESRV_PING);
    self->stats.pings_sent++;
    fakesrv_conn_timer(c, self->ping_ms);
}

static void s_close(void *venue, fakesrv_conn_t *c)
{
    fake_binance_t *self = venue;
    fb_conn_t *st = fakesrv_conn_state(c);
    if (!st)
        return;
    if (st->kind == FB_CONN_USER)
        self->stats.user_clients--;
    else
        self->stats.md_clients--;
    for (size_t i = 0; i < st->nstreams; i++)
        free(st->streams[i]);
    free(st->streams);
    free(st);
    fakesrv_conn_set(c, NULL);
}

const fakesrv_handlers_t fb_handlers = {
    .http = fb_http,
    .ws_open = s_open,
    .ws_message = s_message,
    .ws_pong = s_pong,
    .ws_timer = s_timer,
    .ws_close = s_close,
};
