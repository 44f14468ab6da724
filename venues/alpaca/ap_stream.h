/*  venues/alpaca/ap_stream.h: Alpaca market-data WebSocket frames, stocks
    v2 (iex, sip, delayed_sip, test) and crypto v1beta3. Part of the Alpaca
    protocol layer (venues/alpaca): pure parsing and building, no I/O. The
    gateway actor that owns the socket feeds each text frame here and
    forwards the items; everything runs on that actor's thread.

    Every server frame is a JSON array of messages keyed by "T". A frame is
    walked one message at a time:

        tt_ap_stream_feed(&st, buf, len);
        while (tt_ap_stream_next(&st, &item) > 0)
            switch (item.kind) { ... }

    Nothing is allocated. BUF must stay alive and unchanged until the walk
    ends (subscription lists point into it). A message that is wrong in
    itself (bad price, missing field) becomes one MALFORMED item and the
    walk goes on; a frame whose JSON breaks (truncated, not an array) ends
    with a MALFORMED item after the messages before the break. */
#ifndef TT_ALPACA_AP_STREAM_H
#define TT_ALPACA_AP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"
#include "venues/alpaca/ap_common.h"
#include "venues/common/jscan.h"

#define TT_AP_MSG_MAX 127

typedef enum {
    TT_AP_ITEM_TRADE = 1,    /* symbol + tick */
    TT_AP_ITEM_BAR,          /* symbol + bar (see bar_kind) */
    TT_AP_ITEM_CONTROL,      /* T:"success": control + msg */
    TT_AP_ITEM_ERROR,        /* T:"error": code + msg */
    TT_AP_ITEM_SUBSCRIPTION, /* T:"subscription": sub */
    TT_AP_ITEM_SKIPPED,      /* recognised but not used: skip */
    TT_AP_ITEM_MALFORMED,    /* msg says what and where */
} tt_ap_item_kind_t;

typedef enum {
    TT_AP_CTRL_CONNECTED = 1, /* msg "connected" */
    TT_AP_CTRL_AUTHENTICATED, /* msg "authenticated" */
    TT_AP_CTRL_OTHER,         /* any other success text */
} tt_ap_ctrl_t;

/* Why a message was skipped; also the index of the skip counters. */
typedef enum {
    TT_AP_SKIP_QUOTE = 0,      /* "q" */
    TT_AP_SKIP_CORRECTION,     /* "c" */
    TT_AP_SKIP_CANCEL_ERROR,   /* "x" */
    TT_AP_SKIP_STATUS,         /* "s" */
    TT_AP_SKIP_LULD,           /* "l" */
    TT_AP_SKIP_IMBALANCE,      /* "i" */
    TT_AP_SKIP_ORDERBOOK,      /* "o" (crypto) */
    TT_AP_SKIP_UNKNOWN_TYPE,   /* any other "T" */
    TT_AP_SKIP_UNKNOWN_SYMBOL, /* trade/bar for a symbol the scales refuse */
    TT_AP_SKIP_COUNT
} tt_ap_skip_t;

typedef enum {
    TT_AP_BAR_MINUTE = 'b',  /* closed minute, tf_s 60 */
    TT_AP_BAR_UPDATED = 'u', /* late correction of a minute already sent */
    TT_AP_BAR_DAILY = 'd',   /* running day so far: tf_s 86400, not closed */
} tt_ap_bar_kind_t;

/* Subscription channels, in the order Alpaca lists them. */
typedef enum {
    TT_AP_CH_TRADES = 0,
    TT_AP_CH_QUOTES,
    TT_AP_CH_BARS,
    TT_AP_CH_UPDATED_BARS,
    TT_AP_CH_DAILY_BARS,
    TT_AP_CH_STATUSES,
    TT_AP_CH_LULDS,
    TT_AP_CH_CORRECTIONS,
    TT_AP_CH_CANCEL_ERRORS,
    TT_AP_CH_ORDERBOOKS,
    TT_AP_CH_COUNT
} tt_ap_channel_t;

/* One channel's list in a subscription ack: the JSON array text (inside
   the frame buffer) and how many symbols it holds. */
typedef struct {
    bool present;
    uint32_t count;
    tt_jval_t json; /* e.g. ["AAPL","*"]; read with tt_ap_list_next */
} tt_ap_list_t;

typedef struct {
    tt_ap_item_kind_t kind;
    uint32_t index;                     /* position in the frame's array */
    char symbol[TT_AP_SYMBOL_MAX + 1];  /* TRADE, BAR */
    tt_tick_t tick;                     /* TRADE */
    char exchange[8];                   /* TRADE: "x" (stocks), else "" */
    char tape;                          /* TRADE: "z" (stocks), else 0 */
    char taker;                         /* TRADE: "tks" B/S (crypto), else 0 */
    tt_candle_t bar;                    /* BAR */
    tt_ap_bar_kind_t bar_kind;          /* BAR */
    tt_ap_ctrl_t control;               /* CONTROL */
    int code;                           /* ERROR */
    char msg[TT_AP_MSG_MAX + 1];        /* CONTROL, ERROR, MALFORMED */
    tt_ap_list_t lists[TT_AP_CH_COUNT]; /* SUBSCRIPTION */
    tt_ap_skip_t skip;                  /* SKIPPED */
} tt_ap_item_t;

/* Counters since init, by item kind; skipped by reason. */
typedef struct {
    uint64_t frames, trades, bars, controls, errors, subscriptions;
    uint64_t malformed;
    uint64_t skipped[TT_AP_SKIP_COUNT];
} tt_ap_stream_stats_t;

/* Caller-owned decoder state; no destroy needed. */
typedef struct {
    tt_ap_scales_t scales;
    tt_jiter_t walk; /* over the frame's array */
    int phase;       /* 0 not an array, 1 inside, 2 done */
    uint32_t index;
    tt_ap_stream_stats_t stats;
} tt_ap_stream_t;

void tt_ap_stream_init(tt_ap_stream_t *self, const tt_ap_scales_t *scales);

/* Starts walking one frame (text or binary opcode alike). */
void tt_ap_stream_feed(tt_ap_stream_t *self, const char *buf, size_t len);

/* Fills *ITEM with the next message. Returns 1 when an item was produced,
   0 when the frame is exhausted. */
int tt_ap_stream_next(tt_ap_stream_t *self, tt_ap_item_t *item);

/* Walks a subscription list: reads the symbol after *POS (start at 0) into
   OUT. Returns 1 with a symbol, 0 at the end, -1 on bad input or a symbol
   longer than SIZE - 1. */
int tt_ap_list_next(const tt_ap_list_t *list, size_t *pos, char *out,
                    size_t size);

/* What the gateway should do after a T:"error" with CODE. */
typedef enum {
    TT_AP_ERR_CONTINUE = 1, /* connection stays usable (403, 405) */
    TT_AP_ERR_RECONNECT,    /* drop and reconnect with backoff */
    TT_AP_ERR_FATAL,        /* stop: retrying cannot help (402, 409, 410) */
} tt_ap_err_action_t;

tt_ap_err_action_t tt_ap_stream_error_action(int code);

/* Short name of a stream error code ("auth failed"), or "unknown". */
const char *tt_ap_stream_error_name(int code);

/* Client messages, written into BUF (SIZE bytes, NUL-terminated). They
   return the length, or -1 when it does not fit or an argument is NULL.
   Strings are JSON-escaped. */
int tt_ap_stream_auth(char *buf, size_t size, const char *key,
                      const char *secret);

/* Symbol lists per channel for subscribe/unsubscribe; a NULL list with
   count 0 leaves the channel out of the message. */
typedef struct {
    const char *const *trades;
    size_t n_trades;
    const char *const *quotes;
    size_t n_quotes;
    const char *const *bars;
    size_t n_bars;
    const char *const *updated_bars;
    size_t n_updated_bars;
    const char *const *daily_bars;
    size_t n_daily_bars;
} tt_ap_sub_req_t;

int tt_ap_stream_subscribe(char *buf, size_t size, bool unsubscribe,
                           const tt_ap_sub_req_t *req);

#endif
