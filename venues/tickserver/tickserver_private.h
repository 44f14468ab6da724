/*  venues/tickserver/tickserver_private.h: what tickserver.c and tsconn.c
    share: the server's state and one connection's state. Not for use
    outside venues/tickserver. Runs on the tickserver's thread. */
#ifndef TT_TICKSERVER_PRIVATE_H
#define TT_TICKSERVER_PRIVATE_H

#include <assert.h>
#include <inttypes.h>
#include <libwebsockets.h>

#include "venues/tickserver/fanout.h"
#include "venues/tickserver/tickserver.h"

#define TT_TICKSERVER_PROTOCOL "ticktree-ticks"
#define TT_TSCONN_RX_MAX 65536 /* longest client message, bytes */
#define TT_TSCONN_ERRQ 4       /* error frames a connection may owe */
#define TT_TSCONN_ERR_MAX 256  /* longest error frame, bytes */

typedef struct {
    uint16_t len;
    unsigned char buf[LWS_PRE + TT_TSCONN_ERR_MAX];
} tt_tsconn_err_t;

/* One websocket connection: libwebsockets allocates it zeroed as the
   session's user data. */
typedef struct tt_tsconn_t {
    tt_fanout_reader_t reader;       /* cursor into the shared ring */
    struct tt_tsconn_t *next, *prev; /* the server's open connections */
    struct lws *wsi;
    bool live;       /* established, not yet closed */
    uint8_t *filter; /* per-symbol subscription */
    char *rx;        /* message being reassembled */
    size_t rx_len;
    bool in_msg;        /* between first and final fragment */
    const char *rx_bad; /* why the current message is refused */
    tt_tsconn_err_t errs[TT_TSCONN_ERRQ]; /* owed error frames, FIFO */
    unsigned err_head, err_count;
} tt_tsconn_t;

struct tt_tickserver_t {
    struct lws_context *ctx;
    int port;
    lws_sorted_usec_list_t wake; /* ends a service wait on time */
    tt_simmarket_t *market;
    tt_instrument_t *instruments; /* per symbol index */
    size_t symbol_count;
    tt_fanout_t *fanout;
    tt_tsconn_t *conns; /* open connections */
    tt_tickserver_now_fn *now;
    void *now_arg;
    tt_tickserver_pacing_t pacing;
    uint64_t max_ticks;
    bool paused;
    bool pushed;           /* this turn queued frames */
    tt_sim_tick_t pending; /* next tick, drawn one ahead */
    bool has_pending;
    tt_ns_t start_ns;
    tt_ns_t hb_ns;   /* heartbeat period */
    tt_ns_t next_hb; /* when the next heartbeat is due */
    tt_tickserver_stats_t stats;
};

/* The libwebsockets callback of the tick protocol (tsconn.c). */
int tt_tsconn_callback(struct lws *wsi, enum lws_callback_reasons reason,
                       void *user, void *in, size_t len);

#endif
