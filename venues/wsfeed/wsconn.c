/*  venues/wsfeed/wsconn.c: the wsfeed client's side of libwebsockets:
    handshake done, subscribe written, messages reassembled and dispatched,
    connection lost (see wsfeed_private.h).

    A message is reassembled from fragments into a fixed buffer; one that
    is binary or longer than TT_WSFEED_RX_MAX is skipped whole and counted
    as malformed, and the connection stays up: one bad frame from a venue
    must not cost the feed. */
#include "venues/wsfeed/wsfeed_private.h"

#include <stdio.h>
#include <string.h>

static tt_wsfeed_t *s_feed(struct lws *wsi)
{
    return lws_context_user(lws_get_context(wsi));
}

static void s_established(tt_wsfeed_t *self, struct lws *wsi)
{
    self->wsi = wsi;
    self->state = TT_WSFEED_OPEN;
    self->good = false;
    self->in_msg = false;
    self->last_rx_ns = self->now(self->now_arg);
    self->stats.connected = true;
    self->stats.connects++;
    if (self->stats.connects > 1)
        self->stats.reconnects++;
    self->sub_owed = self->sub_json != NULL && !self->proto;
    if (self->sub_owed)
        lws_callback_on_writable(wsi);
    if (self->proto)
        self->proto->on_open(self->proto_arg, self);
}

static int s_writeable(tt_wsfeed_t *self, struct lws *wsi)
{
    if (self->proto)
        return tt_wsfeed_write_queued(self, wsi);
    if (!self->sub_owed)
        return 0;
    /* A client masks its payload in place, so write from a fresh copy. */
    memcpy(self->tx + LWS_PRE, self->sub_json, self->sub_len);
    if (lws_write(wsi, self->tx + LWS_PRE, self->sub_len, LWS_WRITE_TEXT) <
        (int)self->sub_len)
        return -1;
    self->sub_owed = false;
    return 0;
}

/* A message was valid: the connection is good, so the backoff and the
   URL's failure count start again. */
void tt_wsfeed_good(tt_wsfeed_t *self)
{
    if (self->good)
        return;
    self->good = true;
    self->url_failures = 0;
    tt_backoff_reset(&self->backoff);
}

static void s_tick(tt_wsfeed_t *self, const tt_tickjson_msg_t *m)
{
    int i = m->symbol_index;
    if (self->last_id && (size_t)i < self->last_id_len &&
        m->tick.trade_id != 0) {
        if (m->tick.trade_id <= self->last_id[i]) {
            self->stats.duplicates++;
            return;
        }
        self->last_id[i] = m->tick.trade_id;
    }
    self->stats.ticks++;
    self->on_tick(self->tick_arg, i, &m->tick);
}

static void s_dispatch(tt_wsfeed_t *self)
{
    tt_feedmsg_t m;
    if (self->rx_bad) {
        m.kind = TT_FEEDMSG_MALFORMED;
        snprintf(m.text, sizeof m.text, "%s", self->rx_bad);
    } else {
        tt_feedmsg_parse(self->rx, self->rx_len, self->lookup, self->lookup_arg,
                         &m);
    }
    self->stats.frames++;
    self->stats.last_frame_ns = self->last_rx_ns;
    switch (m.kind) {
    case TT_FEEDMSG_TICK:
        s_tick(self, &m.tick);
        break;
    case TT_FEEDMSG_HEARTBEAT:
        self->stats.heartbeats++;
        break;
    case TT_FEEDMSG_ERROR:
        self->stats.server_errors++;
        snprintf(self->stats.last_error, sizeof self->stats.last_error,
                 "server: %.140s", m.text);
        break;
    case TT_FEEDMSG_OTHER:
        self->stats.other++;
        break;
    case TT_FEEDMSG_UNKNOWN_SYMBOL:
        self->stats.unknown_symbol++;
        break;
    case TT_FEEDMSG_MALFORMED:
        self->stats.malformed++;
        snprintf(self->stats.last_malformed, sizeof self->stats.last_malformed,
                 "%s", m.text);
        return;
    }
    tt_wsfeed_good(self);
}

static void s_receive(tt_wsfeed_t *self, struct lws *wsi, const void *in,
                      size_t len)
{
    if (!self->in_msg) {
        self->in_msg = true;
        self->rx_len = 0;
        self->rx_bad = NULL;
    }
    self->last_rx_ns = self->now(self->now_arg);
    if (lws_frame_is_binary(wsi) && !self->proto)
        self->rx_bad = "binary frame";
    else if (len > TT_WSFEED_RX_MAX - self->rx_len)
        self->rx_bad = "message longer than 65536 bytes";
    if (!self->rx_bad) {
        memcpy(self->rx + self->rx_len, in, len);
        self->rx_len += len;
    }
    if (!lws_is_final_fragment(wsi))
        return;
    self->in_msg = false;
    if (!self->proto) {
        s_dispatch(self);
        return;
    }
    self->stats.frames++;
    self->stats.last_frame_ns = self->last_rx_ns;
    if (self->rx_bad)
        tt_wsfeed_note(self, TT_WSFEED_NOTE_MALFORMED, self->rx_bad);
    else
        self->proto->on_message(self->proto_arg, self, self->rx, self->rx_len,
                                lws_frame_is_binary(wsi));
}

int tt_wsconn_callback(struct lws *wsi, enum lws_callback_reasons reason,
                       void *user, void *in, size_t len)
{
    tt_wsfeed_t *self = s_feed(wsi);
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        s_established(self, wsi);
        return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return s_writeable(self, wsi);
    case LWS_CALLBACK_CLIENT_RECEIVE:
        s_receive(self, wsi, in, len);
        return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        tt_wsfeed_lost(self, in ? (const char *)in : "connection error");
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        tt_wsfeed_lost(self, "connection closed");
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}
