/*  venues/wsfeed/wsfeed_private.h: what wsfeed.c (set-up, connection
    state machine) and wsconn.c (the libwebsockets callback) share. Not for
    use outside venues/wsfeed. Runs on the client's thread. */
#ifndef TT_WSFEED_PRIVATE_H
#define TT_WSFEED_PRIVATE_H

#include <libwebsockets.h>

#include "venues/wsfeed/backoff.h"
#include "venues/wsfeed/feedmsg.h"
#include "venues/wsfeed/wsfeed.h"

#define TT_WSFEED_PROTOCOL "ticktree-wsfeed"
#define TT_WSFEED_RX_MAX 65536 /* longest message accepted, bytes */
#define TT_WSFEED_TXQ 8        /* proto messages queued at most */

typedef struct {
    char *host;
    char *path; /* starts with '/' */
    int port;
    bool tls; /* wss:// */
} tt_wsurl_t;

typedef enum {
    TT_WSFEED_IDLE = 0,   /* waiting for next_attempt */
    TT_WSFEED_CONNECTING, /* TCP / TLS / HTTP upgrade in progress */
    TT_WSFEED_OPEN,       /* websocket established */
} tt_wsfeed_state_t;

struct tt_wsfeed_t {
    struct lws_context *ctx;
    struct lws *wsi;
    lws_sorted_usec_list_t wake; /* ends a service wait on time */
    tt_wsurl_t *urls;
    size_t url_count;
    tt_tickjson_lookup_fn *lookup;
    void *lookup_arg;
    tt_wsfeed_tick_fn *on_tick;
    void *tick_arg;
    tt_wsfeed_now_fn *now;
    void *now_arg;
    tt_backoff_t backoff;
    uint32_t rotate_after;
    uint32_t url_failures; /* failures in a row on the current URL */
    tt_ns_t idle_ns;
    tt_wsfeed_state_t state;
    bool good;       /* this connection delivered a valid message */
    bool sub_owed;   /* the subscribe message is still to be sent */
    bool destroying; /* closes now are ours, not failures */
    char *sub_json;  /* the subscribe message, or NULL */
    size_t sub_len;
    unsigned char *tx; /* LWS_PRE + sub_len: lws masks in place */
    uint64_t *last_id; /* per symbol index, for dedupe; or NULL */
    size_t last_id_len;
    char rx[TT_WSFEED_RX_MAX];
    size_t rx_len;
    bool in_msg;        /* between first and final fragment */
    const char *rx_bad; /* why the current message will be skipped */
    tt_ns_t last_rx_ns; /* for the idle timeout */
    const tt_wsfeed_proto_t *proto;
    void *proto_arg;
    lws_retry_bo_t retry;     /* ping / hang-up policy with a proto */
    char *txq[TT_WSFEED_TXQ]; /* proto messages waiting to be written */
    size_t txq_len[TT_WSFEED_TXQ];
    size_t txq_head, txq_count;
    unsigned char *txbuf; /* LWS_PRE + the longest queued message */
    size_t txbuf_cap;
    tt_ns_t hold_ns; /* > 0: the next wait, ordered by tt_wsfeed_close */
    char close_why[160];
    tt_wsfeed_stats_t stats;
};

/* Sends the head of the proto queue; 0, or -1 when the write failed. */
int tt_wsfeed_write_queued(tt_wsfeed_t *self, struct lws *wsi);

/* Drops every queued proto message (the connection is gone). */
void tt_wsfeed_txq_clear(tt_wsfeed_t *self);

/* Marks the connection good: backoff and URL failures start again. */
void tt_wsfeed_good(tt_wsfeed_t *self);

/* The libwebsockets callback of the client protocol (wsconn.c). */
int tt_wsconn_callback(struct lws *wsi, enum lws_callback_reasons reason,
                       void *user, void *in, size_t len);

/* The connection attempt failed or the open connection closed: counts it,
   maybe moves to the next URL, and schedules the next attempt. */
void tt_wsfeed_lost(tt_wsfeed_t *self, const char *why);

#endif
