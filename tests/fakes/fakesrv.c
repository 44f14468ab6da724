/*  tests/fakes/fakesrv.c: the fake venues' libwebsockets server (see
    fakesrv.h).

    One protocol serves both roles: plain HTTP requests arrive as
    LWS_CALLBACK_HTTP (+ BODY / BODY_COMPLETION), are handed whole to the
    venue, and the response is written from HTTP_WRITEABLE (after the
    injected delay, by the connection's timer); websocket upgrades become
    connections in a list with a queue of outgoing frames each. The whole
    callback runs under the server's recursive lock, so the venue's state
    is only ever touched by one thread at a time. */
#include "tests/fakes/fakesrv.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/fakes/fakeutil.h"

#define S_CHUNK 16384 /* HTTP body bytes per writeable callback */
#define S_BURST 32    /* ws frames per writeable callback */
#define S_DROP_WAIT_MS 2000

typedef struct s_frame_t {
    struct s_frame_t *next;
    fakesrv_kind_t kind;
    bool close; /* a close frame: CODE and the payload as reason */
    int code;
    size_t len;
    unsigned char buf[]; /* LWS_PRE + len */
} s_frame_t;

/* One connection: libwebsockets' per-session user data, zeroed. */
struct fakesrv_conn_t {
    fakesrv_t *srv;
    struct lws *wsi;
    /* HTTP request being received / answered. */
    fakesrv_method_t method;
    char *path, *query;
    char *hdrs[FAKESRV_MAX_HDRS];
    fkbuf_t body;
    bool body_too_long;
    bool resp_ready; /* response computed, waiting to be written */
    bool delayed;    /* waiting for the delay timer */
    bool hdr_sent;
    size_t body_off;
    fakesrv_resp_t resp;
    /* Websocket. */
    bool live;
    bool kick;    /* wants a writeable callback (set off-thread) */
    bool dropped; /* drop requested; closes asynchronously */
    fakesrv_conn_t *next, *prev;
    void *state;
    s_frame_t *head, *tail;
    fkbuf_t rx;
    bool rx_bad, rx_binary;
};

struct fakesrv_t {
    struct lws_context *ctx;
    int port;
    pthread_t thread;
    bool thread_started;
    pthread_t svc;
    bool svc_known;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    atomic_bool stop;
    fakesrv_cfg_t cfg;
    fakesrv_conn_t *conns;
    int delay_ms;
    bool kicked;
    unsigned drop_req, drop_done;
    int dropping; /* dropped connections not yet closed */
    fakesrv_stats_t stats;
};

static int s_callback(struct lws *wsi, enum lws_callback_reasons reason,
                      void *user, void *in, size_t len);

static const struct lws_protocols s_protocols[] = {
    {"fakevenue", s_callback, sizeof(fakesrv_conn_t), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static bool s_on_service_thread(fakesrv_t *self)
{
    return self->svc_known && pthread_equal(self->svc, pthread_self());
}

/* ---- HTTP ---- */

static void s_http_reset(fakesrv_conn_t *c)
{
    if (c->resp_ready && c->srv && c->srv->stats.http_in_flight > 0)
        c->srv->stats.http_in_flight--; /* answered, or its connection gone */
    free(c->path);
    free(c->query);
    for (int i = 0; i < FAKESRV_MAX_HDRS; i++)
        free(c->hdrs[i]);
    fkbuf_free(&c->body);
    free(c->resp.body);
    c->path = c->query = NULL;
    memset(c->hdrs, 0, sizeof c->hdrs);
    memset(&c->resp, 0, sizeof c->resp);
    c->body_too_long = c->resp_ready = c->delayed = c->hdr_sent = false;
    c->body_off = 0;
}

static char *s_custom_header(struct lws *wsi, const char *name)
{
    int n = lws_hdr_custom_length(wsi, name, (int)strlen(name));
    if (n < 0)
        return NULL;
    char *v = malloc((size_t)n + 1);
    if (!v || lws_hdr_custom_copy(wsi, v, n + 1, name, (int)strlen(name)) < 0) {
        free(v);
        return NULL;
    }
    return v;
}

/* The query as the client most likely sent it: lws hands the arguments
   over decoded and split at '&', so each is encoded again. */
static char *s_query(struct lws *wsi)
{
    fkbuf_t q;
    fkbuf_init(&q);
    char frag[4096];
    for (int i = 0;; i++) {
        int n = lws_hdr_copy_fragment(wsi, frag, sizeof frag,
                                      WSI_TOKEN_HTTP_URI_ARGS, i);
        if (n < 0)
            break;
        if (i > 0)
            fkbuf_append(&q, "&", 1);
        char *eq = strchr(frag, '=');
        if (!eq) {
            fkq_encode(&q, frag, (size_t)n);
            continue;
        }
        fkq_encode(&q, frag, (size_t)(eq - frag));
        fkbuf_append(&q, "=", 1);
        fkq_encode(&q, eq + 1, strlen(eq + 1));
    }
    fkbuf_append(&q, "", 0);
    return fkbuf_take(&q, NULL);
}

static void s_capture(fakesrv_t *self, fakesrv_conn_t *c, struct lws *wsi)
{
    c->query = s_query(wsi);
    for (int i = 0; i < FAKESRV_MAX_HDRS; i++)
        if (self->cfg.headers[i])
            c->hdrs[i] = s_custom_header(wsi, self->cfg.headers[i]);
}

static void s_fill_req(fakesrv_conn_t *c, fakesrv_req_t *req)
{
    memset(req, 0, sizeof *req);
    req->method = c->method;
    req->path = c->path ? c->path : "";
    req->query = c->query ? c->query : "";
    req->body = c->body.s ? c->body.s : "";
    req->body_len = c->body.len;
    for (int i = 0; i < FAKESRV_MAX_HDRS; i++)
        req->headers[i] = c->hdrs[i];
}

/* Computes C's response; -1 closes the connection unanswered (the
   venue's resp.drop). */
static int s_respond(fakesrv_t *self, fakesrv_conn_t *c)
{
    fakesrv_req_t req;
    s_fill_req(c, &req);
    self->stats.http_requests++;
    if (++self->stats.http_in_flight > self->stats.http_max_in_flight)
        self->stats.http_max_in_flight = self->stats.http_in_flight;
    if (c->body_too_long)
        fakesrv_resp_set(&c->resp, 413, strdup("{\"message\":\"too long\"}"));
    else
        self->cfg.handlers->http(self->cfg.venue, &req, &c->resp);
    if (c->resp.status == 0)
        fakesrv_resp_set(&c->resp, 404, strdup("{\"message\":\"not found\"}"));
    c->resp_ready = true;
    if (c->resp.drop)
        return -1; /* closed without a byte of response */
    int hold = c->resp.hold_ms > 0 ? c->resp.hold_ms : self->delay_ms;
    if (hold > 0) {
        c->delayed = true;
        lws_set_timer_usecs(c->wsi, (lws_usec_t)hold * 1000);
    } else {
        lws_callback_on_writable(c->wsi);
    }
    return 0;
}

static fakesrv_method_t s_method(int m)
{
    switch (m) {
    case LWSHUMETH_GET:
        return FAKESRV_GET;
    case LWSHUMETH_POST:
        return FAKESRV_POST;
    case LWSHUMETH_PUT:
        return FAKESRV_PUT;
    case LWSHUMETH_PATCH:
        return FAKESRV_PATCH;
    case LWSHUMETH_DELETE:
        return FAKESRV_DELETE;
    default:
        return FAKESRV_OTHER;
    }
}

static int s_http_start(fakesrv_t *self, fakesrv_conn_t *c, struct lws *wsi)
{
    s_http_reset(c);
    c->srv = self;
    c->wsi = wsi;
    char *uri = NULL;
    int ulen = 0;
    int m = lws_http_get_uri_and_method(wsi, &uri, &ulen);
    c->method = s_method(m);
    c->path = strndup(uri ? uri : "", uri ? (size_t)ulen : 0);
    s_capture(self, c, wsi);
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
        char cl[32];
        lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH);
        if (atol(cl) > 0)
            return 0; /* the body follows */
    }
    return s_respond(self, c);
}

static void s_http_body(fakesrv_conn_t *c, const void *in, size_t len)
{
    if (c->body.len + len > FAKESRV_BODY_MAX)
        c->body_too_long = true;
    else
        fkbuf_append(&c->body, in, len);
}

static int s_http_headers(fakesrv_conn_t *c, struct lws *wsi)
{
    unsigned char buf[LWS_PRE + 2048];
    unsigned char *start = buf + LWS_PRE, *p = start;
    unsigned char *end = buf + sizeof buf - 1;
    const fakesrv_resp_t *r = &c->resp;
    if (lws_add_http_common_headers(wsi, (unsigned)r->status,
                                    r->content_type ? r->content_type
                                                    : "application/json",
                                    r->body_len, &p, end))
        return -1;
    for (int i = 0; i < r->nhdr; i++)
        if (lws_add_http_header_by_name(wsi,
                                        (const unsigned char *)r->hdr[i].name,
                                        (const unsigned char *)r->hdr[i].value,
                                        (int)strlen(r->hdr[i].value), &p, end))
            return -1;
    if (lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    c->hdr_sent = true;
    return 0;
}

static int s_http_writeable(fakesrv_conn_t *c, struct lws *wsi)
{
    if (!c->resp_ready || c->delayed)
        return 0;
    if (!c->hdr_sent) {
        if (s_http_headers(c, wsi) != 0)
            return -1;
        if (c->resp.body_len > 0) {
            lws_callback_on_writable(wsi);
            return 0;
        }
    } else {
        unsigned char buf[LWS_PRE + S_CHUNK];
        size_t n = c->resp.body_len - c->body_off;
        if (n > S_CHUNK)
            n = S_CHUNK;
        bool final = c->body_off + n == c->resp.body_len;
        memcpy(buf + LWS_PRE, c->resp.body + c->body_off, n);
        if (lws_write(wsi, buf + LWS_PRE, n,
                      final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < (int)n)
            return -1;
        c->body_off += n;
        if (!final) {
            lws_callback_on_writable(wsi);
            return 0;
        }
    }
    s_http_reset(c);
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* ---- websocket ---- */

static void s_ws_free_frames(fakesrv_conn_t *c)
{
    while (c->head) {
        s_frame_t *f = c->head;
        c->head = f->next;
        free(f);
    }
    c->tail = NULL;
}

static int s_ws_open(fakesrv_t *self, fakesrv_conn_t *c, struct lws *wsi)
{
    s_http_reset(c);
    memset(c, 0, sizeof *c);
    c->srv = self;
    c->wsi = wsi;
    char path[512];
    if (lws_hdr_copy(wsi, path, sizeof path, WSI_TOKEN_GET_URI) < 0)
        return -1;
    c->path = strdup(path);
    s_capture(self, c, wsi);
    c->live = true;
    c->next = self->conns;
    if (self->conns)
        self->conns->prev = c;
    self->conns = c;
    self->stats.ws_connections++;
    self->stats.ws_open++;
    fakesrv_req_t req;
    s_fill_req(c, &req);
    int rc = self->cfg.handlers->ws_open(self->cfg.venue, c, &req);
    s_http_reset(c);
    return rc;
}

static void s_ws_closed(fakesrv_t *self, fakesrv_conn_t *c)
{
    if (!c->live)
        return;
    c->live = false;
    self->cfg.handlers->ws_close(self->cfg.venue, c);
    if (c->prev)
        c->prev->next = c->next;
    else
        self->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s_ws_free_frames(c);
    fkbuf_free(&c->rx);
    self->stats.ws_open--;
    if (c->dropped) {
        self->dropping--;
        pthread_cond_broadcast(&self->cond);
    }
}

static void s_ws_receive(fakesrv_t *self, fakesrv_conn_t *c, struct lws *wsi,
                         const void *in, size_t len)
{
    if (lws_is_first_fragment(wsi)) {
        c->rx.len = 0;
        c->rx_bad = false;
        c->rx_binary = lws_frame_is_binary(wsi);
    }
    if (c->rx.len + len > FAKESRV_BODY_MAX)
        c->rx_bad = true;
    else
        fkbuf_append(&c->rx, in, len);
    if (!lws_is_final_fragment(wsi))
        return;
    self->stats.ws_messages_received++;
    fkbuf_append(&c->rx, "", 0);
    if (!c->rx_bad)
        self->cfg.handlers->ws_message(self->cfg.venue, c, c->rx.s, c->rx.len,
                                       c->rx_binary);
    c->rx.len = 0;
}

/* Writes one queued frame. 1: wrote, 0: nothing queued, -1: close. */
static int s_ws_write_one(fakesrv_t *self, fakesrv_conn_t *c, struct lws *wsi)
{
    s_frame_t *f = c->head;
    if (!f)
        return 0;
    if (f->close) {
        lws_close_reason(wsi, (enum lws_close_status)f->code, f->buf + LWS_PRE,
                         f->len);
        return -1;
    }
    enum lws_write_protocol kind = f->kind == FAKESRV_BINARY ? LWS_WRITE_BINARY
                                   : f->kind == FAKESRV_PING ? LWS_WRITE_PING
                                                             : LWS_WRITE_TEXT;
    if (lws_write(wsi, f->buf + LWS_PRE, f->len, kind) < (int)f->len)
        return -1;
    c->head = f->next;
    if (!c->head)
        c->tail = NULL;
    free(f);
    self->stats.ws_frames_sent++;
    return 1;
}

static int s_ws_writeable(fakesrv_t *self, fakesrv_conn_t *c, struct lws *wsi)
{
    for (int n = 0; n < S_BURST; n++) {
        if (n > 0 && lws_send_pipe_choked(wsi))
            break;
        int rc = s_ws_write_one(self, c, wsi);
        if (rc <= 0)
            return rc;
    }
    if (c->head)
        lws_callback_on_writable(wsi);
    return 0;
}

/* The test's thread asked for something only this thread may do. */
static void s_cancelled(fakesrv_t *self)
{
    for (fakesrv_conn_t *c = self->conns; c; c = c->next) {
        if (self->drop_done != self->drop_req && !c->dropped) {
            c->dropped = true;
            self->dropping++;
            lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        }
        if (c->kick && !c->dropped)
            lws_callback_on_writable(c->wsi);
        c->kick = false;
    }
    self->drop_done = self->drop_req;
    self->kicked = false;
    pthread_cond_broadcast(&self->cond);
}

static int s_dispatch(fakesrv_t *self, fakesrv_conn_t *c, struct lws *wsi,
                      enum lws_callback_reasons reason, void *in, size_t len)
{
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return s_http_start(self, c, wsi);
    case LWS_CALLBACK_HTTP_BODY:
        s_http_body(c, in, len);
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return s_respond(self, c);
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return s_http_writeable(c, wsi);
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        if (c && !c->live)
            s_http_reset(c);
        return 0;
    case LWS_CALLBACK_ESTABLISHED:
        return s_ws_open(self, c, wsi);
    case LWS_CALLBACK_CLOSED:
        s_ws_closed(self, c);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        if (c->live)
            s_ws_receive(self, c, wsi, in, len);
        return 0;
    case LWS_CALLBACK_RECEIVE_PONG:
        if (c->live && self->cfg.handlers->ws_pong)
            self->cfg.handlers->ws_pong(self->cfg.venue, c, in, len);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return c->live ? s_ws_writeable(self, c, wsi) : 0;
    default:
        return 1; /* not handled here */
    }
}

static int s_callback(struct lws *wsi, enum lws_callback_reasons reason,
                      void *user, void *in, size_t len)
{
    fakesrv_t *self = lws_context_user(lws_get_context(wsi));
    fakesrv_conn_t *c = user;
    pthread_mutex_lock(&self->lock);
    int rc = 0;
    if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
        s_cancelled(self);
    } else if (reason == LWS_CALLBACK_TIMER && c) {
        if (c->live && self->cfg.handlers->ws_timer)
            self->cfg.handlers->ws_timer(self->cfg.venue, c);
        else if (!c->live && c->delayed) {
            c->delayed = false;
            lws_callback_on_writable(wsi);
        }
    } else {
        rc = s_dispatch(self, c, wsi, reason, in, len);
        if (rc == 1)
            rc = lws_callback_http_dummy(wsi, reason, user, in, len);
    }
    pthread_mutex_unlock(&self->lock);
    return rc;
}

/* ---- lifecycle ---- */

static void *s_thread(void *arg)
{
    fakesrv_t *self = arg;
    pthread_mutex_lock(&self->lock);
    self->svc = pthread_self();
    self->svc_known = true;
    pthread_mutex_unlock(&self->lock);
    while (!atomic_load(&self->stop))
        if (lws_service(self->ctx, 0) < 0)
            break;
    return NULL;
}

fakesrv_t *fakesrv_start(const fakesrv_cfg_t *cfg)
{
    fakesrv_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = *cfg;
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&self->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    pthread_cond_init(&self->cond, NULL);
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = 0;
    info.iface = "127.0.0.1";
    info.protocols = s_protocols;
    info.user = self;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    self->ctx = lws_create_context(&info);
    struct lws_vhost *vh =
        self->ctx ? lws_get_vhost_by_name(self->ctx, "default") : NULL;
    self->port = vh ? lws_get_vhost_listen_port(vh) : -1;
    if (self->port <= 0 ||
        pthread_create(&self->thread, NULL, s_thread, self) != 0) {
        fprintf(stderr, "%s: cannot start the fake server\n",
                cfg->name ? cfg->name : "fakesrv");
        fakesrv_stop(&self);
        return NULL;
    }
    self->thread_started = true;
    return self;
}

void fakesrv_stop(fakesrv_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    fakesrv_t *self = *self_p;
    if (self->thread_started) {
        atomic_store(&self->stop, true);
        lws_cancel_service(self->ctx);
        pthread_join(self->thread, NULL);
    }
    /* Closing the connections calls ws_close on this thread. */
    if (self->ctx)
        lws_context_destroy(self->ctx);
    pthread_cond_destroy(&self->cond);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

int fakesrv_port(const fakesrv_t *self)
{
    return self->port;
}

void fakesrv_lock(fakesrv_t *self)
{
    pthread_mutex_lock(&self->lock);
}

void fakesrv_unlock(fakesrv_t *self)
{
    pthread_mutex_unlock(&self->lock);
}

void fakesrv_set_delay_ms(fakesrv_t *self, int ms)
{
    self->delay_ms = ms < 0 ? 0 : ms;
}

void fakesrv_stats(fakesrv_t *self, fakesrv_stats_t *out)
{
    *out = self->stats;
}

static void s_deadline(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

int fakesrv_drop_ws(fakesrv_t *self)
{
    struct timespec until;
    s_deadline(&until, S_DROP_WAIT_MS);
    pthread_mutex_lock(&self->lock);
    int n = (int)self->stats.ws_open;
    unsigned want = ++self->drop_req;
    lws_cancel_service(self->ctx);
    int rc = 0;
    while (rc == 0 && ((int)(self->drop_done - want) < 0 || self->dropping > 0))
        rc = pthread_cond_timedwait(&self->cond, &self->lock, &until);
    pthread_mutex_unlock(&self->lock);
    return n;
}

fakesrv_conn_t *fakesrv_conn_first(fakesrv_t *self)
{
    return self->conns;
}

fakesrv_conn_t *fakesrv_conn_next(fakesrv_conn_t *c)
{
    return c->next;
}

void *fakesrv_conn_state(fakesrv_conn_t *c)
{
    return c->state;
}

void fakesrv_conn_set(fakesrv_conn_t *c, void *state)
{
    c->state = state;
}

fakesrv_t *fakesrv_conn_server(fakesrv_conn_t *c)
{
    return c->srv;
}

static void s_enqueue(fakesrv_conn_t *c, s_frame_t *f)
{
    f->next = NULL;
    if (c->tail)
        c->tail->next = f;
    else
        c->head = f;
    c->tail = f;
    fakesrv_t *self = c->srv;
    if (s_on_service_thread(self)) {
        lws_callback_on_writable(c->wsi);
    } else {
        c->kick = true;
        if (!self->kicked) {
            self->kicked = true;
            lws_cancel_service(self->ctx);
        }
    }
}

static s_frame_t *s_frame(const void *data, size_t len)
{
    s_frame_t *f = calloc(1, sizeof *f + LWS_PRE + len + 1);
    if (!f)
        return NULL;
    if (len)
        memcpy(f->buf + LWS_PRE, data, len);
    f->len = len;
    return f;
}

int fakesrv_send(fakesrv_conn_t *c, const void *data, size_t len,
                 fakesrv_kind_t kind)
{
    if (!c->live || c->dropped || (kind == FAKESRV_PING && len > 125))
        return -1;
    s_frame_t *f = s_frame(data, len);
    if (!f)
        return -1;
    f->kind = kind;
    s_enqueue(c, f);
    return 0;
}

void fakesrv_close(fakesrv_conn_t *c, int code, const char *reason)
{
    size_t len = reason ? strlen(reason) : 0;
    if (!c->live || c->dropped || len > 120)
        return;
    s_frame_t *f = s_frame(reason, len);
    if (!f)
        return;
    f->close = true;
    f->code = code;
    s_enqueue(c, f);
}

void fakesrv_conn_timer(fakesrv_conn_t *c, int64_t ms)
{
    lws_set_timer_usecs(c->wsi, ms < 0 ? -1 : (lws_usec_t)ms * 1000);
}

void fakesrv_resp_header(fakesrv_resp_t *r, const char *name, const char *value)
{
    if (r->nhdr >= FAKESRV_RESP_HDRS)
        return;
    snprintf(r->hdr[r->nhdr].name, sizeof r->hdr[0].name, "%s", name);
    snprintf(r->hdr[r->nhdr].value, sizeof r->hdr[0].value, "%s", value);
    r->nhdr++;
}

void fakesrv_resp_set(fakesrv_resp_t *r, int status, char *body)
{
    free(r->body);
    r->status = status;
    r->body = body;
    r->body_len = body ? strlen(body) : 0;
}
