/*  actors/feed_proto.h: the seam between the live venue feed gateway
    (actors/feed_venue.c: the edge actor, its thread, batching, health)
    and each venue's protocol (actors/feed_binance.c, feed_alpaca.c: what
    to connect to, what to send, how to read a message). A venue is one
    small table of functions; the websocket client under both is
    venues/wsfeed. Everything here runs on the feed's thread, except the
    option and URL checks, which `check-config` also runs on the main
    thread. Private to actors/. */
#ifndef TT_ACTORS_FEED_PROTO_H
#define TT_ACTORS_FEED_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "venues/wsfeed/wsfeed.h"

/* A venue's feed options: venues[].params, checked (feed_venue_cfg.c). */
typedef struct {
    int64_t backoff_ms;      /* first reconnect delay */
    int64_t backoff_max_ms;  /* cap of the reconnect delay */
    int64_t auth_retry_ms;   /* wait after refused credentials */
    int64_t idle_timeout_ms; /* reconnect after silence; 0: never */
    int ping_idle_s;         /* ping after this much quiet; 0: never */
    /* binance */
    char trades[16]; /* "trade" or "aggTrade" */
    char klines[8];  /* kline interval ("1m"), "" for none */
    bool testnet;
    /* alpaca */
    char feed[16];    /* iex, sip, delayed_sip, test, crypto */
    char location[8]; /* crypto: us, us-1, eu-1 */
    bool bars;        /* subscribe minute bars too */
    bool sandbox;     /* stream.data.sandbox.alpaca.markets */
    /* orders (the broker gateway, actors/broker_venue.c) */
    char orders[8]; /* "venue": the gateway; "paper": in-process (binance's
                       default: its orders are opt-in) */
    char trading_url[256];    /* trading REST base; "": paper-api */
    char trading_stream[256]; /* trade_updates URL; "": from trading_url */
    int64_t orders_per_min;   /* REST requests per minute, all symbols */
    int64_t http_timeout_ms;  /* one REST request, at most */
    int64_t recv_window_ms;   /* binance: signed requests' recvWindow */
    int64_t keepalive_ms;     /* binance: listenKey keepalive period */
    /* warm-up history over REST at start (feed_history.c) */
    bool history;               /* fetch what the store lacks */
    int64_t history_max_bars;   /* per symbol and timeframe, at most */
    int64_t history_timeout_ms; /* one REST request, at most */
    int64_t history_parallel;   /* REST requests in flight at most */
} tt_feed_opts_t;

/* One symbol as the venue names it, with the scales its numbers use. */
typedef struct {
    const char *name;
    tt_instrument_t instrument;
} tt_feed_sym_t;

/* A closed venue bar for symbol INDEX (an Alpaca minute bar, a closed
   Binance kline), valid only during the call. */
typedef void(tt_feed_bar_fn)(void *arg, int index, const tt_candle_t *bar);

/* What a venue protocol is built from; valid while the protocol lives. */
typedef struct {
    const char *venue_name;
    const tt_feed_opts_t *opts;
    const tt_feed_sym_t *symbols; /* index = what the protocol delivers */
    size_t count;
    const char *key_id; /* NULL when the venue has none */
    const char *secret;
    tt_feed_bar_fn *on_bar; /* NULL: bars are only counted */
    void *bar_arg;
} tt_feed_setup_t;

#define TT_FEED_URL_MAX 4096

typedef struct {
    tt_venue_kind_t kind;
    bool needs_keys; /* key_id and secret_key are required */
    bool dedupe;     /* trade ids rise per symbol: drop repeats */
    /* The default base URL of the stream (OPTS may choose: testnet). */
    const char *(*default_base)(const tt_feed_opts_t *opts);
    /* Writes into OUT (TT_FEED_URL_MAX) the URL to connect to on BASE
       (an endpoint, or the default). 0, or -1 with ERR. */
    int (*url)(const char *base, const tt_feed_setup_t *setup, char *out,
               char *err, size_t errsize);
    /* The protocol's state; NULL with ERR on failure. */
    void *(*create)(const tt_feed_setup_t *setup, char *err, size_t errsize);
    void (*destroy)(void **self_p);
    tt_wsfeed_proto_t proto; /* called with the state as arg */
} tt_feed_venue_ops_t;

extern const tt_feed_venue_ops_t tt_feed_binance_ops;
extern const tt_feed_venue_ops_t tt_feed_alpaca_ops;

/* The ops of KIND, or NULL when it has no live feed. */
const tt_feed_venue_ops_t *tt_feed_venue_ops(tt_venue_kind_t kind);

/* Reads and checks venue V's params into OUT, reporting each problem as
   FILE:LINE through ERROR_FN (NULL: none); returns the number. */
int tt_feed_opts_parse(const tt_config_t *cfg, size_t v, tt_feed_opts_t *out,
                       tt_config_error_fn *error_fn, void *arg);

/* The REST base the warm-up history of VENUE (with its params OPTS)
   comes from: its rest_url, else the venue's own host when it sets no
   endpoints; NULL when history is off (params.history: false, or
   endpoints without rest_url: the REST host of a stream we do not know
   is not guessed). */
const char *tt_feed_history_base(const tt_venue_cfg_t *venue,
                                 const tt_feed_opts_t *opts);

/* True when BASE (ws:// or wss://...) has a path beyond "/". */
bool tt_feed_url_has_path(const char *base);

#endif
