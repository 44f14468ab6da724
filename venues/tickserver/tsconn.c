/*  venues/tickserver/tsconn.c: one tickserver connection, as
    libwebsockets drives it (see tickserver_private.h).

    A connection only reads the shared ring through its own cursor: on each
    writeable callback it sends the error frames it owes first, then as
    many ring frames as the socket takes without blocking. A client that
    does not read therefore stops getting writeable callbacks and simply
    falls behind in the ring, where the overrun drops are counted; the
    other connections never wait for it. Client messages are reassembled
    from fragments into a bounded buffer and parsed when complete. */
#include "venues/tickserver/tickserver_private.h"

#include <stdlib.h>
#include <string.h>

#include "venues/tickserver/subscribe.h"

#define S_WRITE_BURST 64 /* frames per writeable callback at most */

static tt_tickserver_t *s_server(struct lws *wsi)
{
    return lws_context_user(lws_get_context(wsi));
}

static int s_open(tt_tickserver_t *self, tt_tsconn_t *c, struct lws *wsi)
{
    c->filter = calloc(self->symbol_count, 1);
    c->rx = malloc(TT_TSCONN_RX_MAX);
    if (!c->filter || !c->rx) {
        free(c->filter);
        free(c->rx);
        c->filter = NULL;
        c->rx = NULL;
        return -1; /* refuse the connection, the server goes on */
    }
    c->wsi = wsi;
    c->live = true;
    c->reader.filter = NULL; /* every symbol until the client subscribes */
    c->reader.filter_len = self->symbol_count;
    tt_fanout_attach(self->fanout, &c->reader);
    c->prev = NULL;
    c->next = self->conns;
    if (self->conns)
        self->conns->prev = c;
    self->conns = c;
    self->stats.connections++;
    self->stats.clients++;
    return 0;
}

static void s_close(tt_tickserver_t *self, tt_tsconn_t *c)
{
    if (!c->live)
        return;
    c->live = false;
    tt_fanout_detach(self->fanout, &c->reader);
    if (c->prev)
        c->prev->next = c->next;
    else
        self->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c->filter);
    free(c->rx);
    c->filter = NULL;
    c->rx = NULL;
    self->stats.clients--;
}

/* Queues an error frame for this connection only. Past TT_TSCONN_ERRQ
   owed frames further errors are still counted but not sent. */
static void s_queue_error(tt_tickserver_t *self, tt_tsconn_t *c,
                          const char *msg)
{
    self->stats.client_errors++;
    if (c->err_count == TT_TSCONN_ERRQ)
        return;
    tt_tsconn_err_t *e =
        &c->errs[(c->err_head + c->err_count) % TT_TSCONN_ERRQ];
    char *text = (char *)e->buf + LWS_PRE;
    int n = tt_subscribe_error_frame(msg, text, TT_TSCONN_ERR_MAX);
    if (n < 0) /* e.g. the quoted input was cut inside a UTF-8 sequence */
        n = tt_subscribe_error_frame("bad client message", text,
                                     TT_TSCONN_ERR_MAX);
    assert(n > 0);
    e->len = (uint16_t)n;
    c->err_count++;
    lws_callback_on_writable(c->wsi);
}

static void s_message(tt_tickserver_t *self, tt_tsconn_t *c)
{
    if (c->rx_bad) {
        s_queue_error(self, c, c->rx_bad);
        return;
    }
    char err[200];
    if (tt_subscribe_parse(c->rx, c->rx_len, self->market, c->filter, err,
                           sizeof err) != 0) {
        s_queue_error(self, c, err);
        return;
    }
    c->reader.filter = c->filter;
    self->stats.subscribes++;
}

static void s_receive(tt_tickserver_t *self, tt_tsconn_t *c, const void *in,
                      size_t len)
{
    if (!c->in_msg) {
        c->in_msg = true;
        c->rx_len = 0;
        c->rx_bad = NULL;
    }
    if (lws_frame_is_binary(c->wsi))
        c->rx_bad = "binary frames are not accepted";
    else if (len > TT_TSCONN_RX_MAX - c->rx_len)
        c->rx_bad = "message longer than 65536 bytes";
    if (!c->rx_bad) {
        memcpy(c->rx + c->rx_len, in, len);
        c->rx_len += len;
    }
    if (!lws_is_final_fragment(c->wsi))
        return;
    c->in_msg = false;
    s_message(self, c);
}

/* Writes one owed error frame or one ring frame. Returns 1 when it wrote,
   0 when there was nothing to write, -1 when the write failed. */
static int s_write_one(tt_tickserver_t *self, tt_tsconn_t *c)
{
    unsigned char *payload;
    size_t len;
    enum lws_write_protocol kind = LWS_WRITE_TEXT;
    tt_fanout_entry_t *e = NULL;
    if (c->err_count > 0) {
        tt_tsconn_err_t *err = &c->errs[c->err_head];
        payload = err->buf + LWS_PRE;
        len = err->len;
    } else {
        e = tt_fanout_peek(self->fanout, &c->reader);
        if (!e)
            return 0;
        payload = e->buf + TT_FANOUT_PRE;
        len = e->len;
        if (e->binary)
            kind = LWS_WRITE_BINARY;
    }
    if (lws_write(c->wsi, payload, len, kind) < (int)len)
        return -1;
    if (e) {
        tt_fanout_advance(&c->reader);
    } else {
        c->err_head = (c->err_head + 1) % TT_TSCONN_ERRQ;
        c->err_count--;
    }
    self->stats.frames_sent++;
    return 1;
}

static int s_writeable(tt_tickserver_t *self, tt_tsconn_t *c)
{
    for (int n = 0; n < S_WRITE_BURST; n++) {
        if (n > 0 && lws_send_pipe_choked(c->wsi))
            break;
        int rc = s_write_one(self, c);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return 0;
    }
    if (c->err_count > 0 || tt_fanout_peek(self->fanout, &c->reader))
        lws_callback_on_writable(c->wsi);
    return 0;
}

/* Only ws://HOST:PORT/ is served; any other path is refused. */
static int s_filter_path(struct lws *wsi)
{
    char uri[64];
    if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) < 0)
        return 1;
    return strcmp(uri, "/") == 0 ? 0 : 1;
}

int tt_tsconn_callback(struct lws *wsi, enum lws_callback_reasons reason,
                       void *user, void *in, size_t len)
{
    tt_tsconn_t *c = user;
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return s_filter_path(wsi);
    case LWS_CALLBACK_ESTABLISHED:
        return s_open(s_server(wsi), c, wsi);
    case LWS_CALLBACK_CLOSED:
        s_close(s_server(wsi), c);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        if (c->live)
            s_receive(s_server(wsi), c, in, len);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return c->live ? s_writeable(s_server(wsi), c) : 0;
    case LWS_CALLBACK_HTTP:
        /* A plain HTTP request: this server only speaks websocket. */
        if (lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL))
            return -1;
        return lws_http_transaction_completed(wsi);
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}
