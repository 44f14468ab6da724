/*  tests/fakes/wsclient.c: the self-test's websocket client (see
    wsclient.h). Messages are reassembled and kept in a FIFO until
    wsc_recv takes them; every wait is bounded by the monotonic clock and
    each service call by a scheduled wake-up, so nothing blocks longer
    than asked. */
#include "tests/fakes/wsclient.h"

#include <libwebsockets.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/fakes/fakeutil.h"

#define S_TICK_MS 10

typedef struct s_msg_t {
    struct s_msg_t *next;
    bool binary;
    char *data;
} s_msg_t;

struct wsc_t {
    struct lws_context *ctx;
    struct lws *wsi;
    lws_sorted_usec_list_t wake;
    const char *const *headers;
    bool established, closed, failed;
    fkbuf_t rx;
    bool rx_binary;
    s_msg_t *head, *tail;
    unsigned char *tx; /* LWS_PRE + message being sent */
    size_t tx_len;
    bool tx_binary, tx_pending;
};

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void s_wake(lws_sorted_usec_list_t *sul)
{
    (void)sul;
}

static void s_service(wsc_t *self)
{
    lws_sul_schedule(self->ctx, 0, &self->wake, s_wake,
                     S_TICK_MS * LWS_US_PER_MS);
    lws_service(self->ctx, 0);
    lws_sul_cancel(&self->wake);
}

static int s_headers(wsc_t *self, unsigned char **p, size_t len)
{
    unsigned char *end = *p + len;
    for (size_t i = 0; self->headers && self->headers[i]; i += 2)
        if (lws_add_http_header_by_name(
                self->wsi, (const unsigned char *)self->headers[i],
                (const unsigned char *)self->headers[i + 1],
                (int)strlen(self->headers[i + 1]), p, end))
            return -1;
    return 0;
}

static void s_receive(wsc_t *self, struct lws *wsi, const void *in, size_t len)
{
    if (lws_is_first_fragment(wsi)) {
        self->rx.len = 0;
        self->rx_binary = lws_frame_is_binary(wsi);
    }
    fkbuf_append(&self->rx, in, len);
    if (!lws_is_final_fragment(wsi))
        return;
    s_msg_t *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    fkbuf_append(&self->rx, "", 0);
    m->binary = self->rx_binary;
    m->data = fkbuf_take(&self->rx, NULL);
    if (self->tail)
        self->tail->next = m;
    else
        self->head = m;
    self->tail = m;
}

static int s_callback(struct lws *wsi, enum lws_callback_reasons reason,
                      void *user, void *in, size_t len)
{
    wsc_t *self = lws_context_user(lws_get_context(wsi));
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        self->wsi = wsi;
        return s_headers(self, (unsigned char **)in, len);
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        self->established = true;
        return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        self->failed = self->closed = true;
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        self->closed = true;
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        s_receive(self, wsi, in, len);
        return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (!self->tx_pending)
            return 0;
        self->tx_pending = false;
        return lws_write(wsi, self->tx + LWS_PRE, self->tx_len,
                         self->tx_binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) <
                       (int)self->tx_len
                   ? -1
                   : 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static const struct lws_protocols s_protocols[] = {
    {"wsc", s_callback, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

wsc_t *wsc_connect(int port, const char *path, const char *const *headers,
                   int timeout_ms)
{
    wsc_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->headers = headers;
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = s_protocols;
    info.user = self;
    self->ctx = lws_create_context(&info);
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = self->ctx;
    ci.address = "127.0.0.1";
    ci.port = port;
    ci.path = path;
    ci.host = "127.0.0.1";
    ci.origin = "127.0.0.1";
    ci.pwsi = &self->wsi;
    if (!self->ctx || !lws_client_connect_via_info(&ci)) {
        wsc_destroy(&self);
        return NULL;
    }
    int64_t until = s_now_ms() + timeout_ms;
    while (!self->established && !self->closed && s_now_ms() < until)
        s_service(self);
    if (!self->established)
        wsc_destroy(&self);
    return self;
}

void wsc_destroy(wsc_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    wsc_t *self = *self_p;
    if (self->ctx)
        lws_context_destroy(self->ctx);
    while (self->head) {
        s_msg_t *m = self->head;
        self->head = m->next;
        free(m->data);
        free(m);
    }
    fkbuf_free(&self->rx);
    free(self->tx);
    free(self);
    *self_p = NULL;
}

int wsc_send(wsc_t *self, const char *data, size_t len, bool binary)
{
    if (self->closed || self->tx_pending)
        return -1;
    free(self->tx);
    self->tx = malloc(LWS_PRE + len + 1);
    if (!self->tx)
        return -1;
    memcpy(self->tx + LWS_PRE, data, len);
    self->tx_len = len;
    self->tx_binary = binary;
    self->tx_pending = true;
    lws_callback_on_writable(self->wsi);
    int64_t until = s_now_ms() + 2000;
    while (self->tx_pending && !self->closed && s_now_ms() < until)
        s_service(self);
    return self->tx_pending ? -1 : 0;
}

char *wsc_recv(wsc_t *self, int timeout_ms, bool *binary)
{
    int64_t until = s_now_ms() + timeout_ms;
    while (!self->head && !self->closed && s_now_ms() < until)
        s_service(self);
    s_msg_t *m = self->head;
    if (!m)
        return NULL;
    self->head = m->next;
    if (!self->head)
        self->tail = NULL;
    if (binary)
        *binary = m->binary;
    char *d = m->data;
    free(m);
    return d;
}

bool wsc_wait_closed(wsc_t *self, int timeout_ms)
{
    int64_t until = s_now_ms() + timeout_ms;
    while (!self->closed && s_now_ms() < until)
        s_service(self);
    return self->closed;
}
