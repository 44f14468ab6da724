/*  venues/wsfeed/wsfeed.h: the websocket market-data client.

    Connects to a ws:// (or wss://) URL, sends one subscribe message for
    its symbols, parses every frame (venues/wsfeed/feedmsg.h) and hands each
    trade to a callback. When the connection fails or drops it reconnects
    after a capped, jittered exponential backoff and subscribes again;
    when one URL keeps failing it moves on to the next of its list. Every
    decision that depends on time reads an injectable clock, so tests drive
    reconnects by setting the time, not by sleeping. Behaviour and
    counters: docs/TICKSERVER.md.

    Runs on the thread that owns it (the venue's feed edge actor), which
    calls tt_wsfeed_service in its loop. Not thread-safe. */
#ifndef TT_WSFEED_WSFEED_H
#define TT_WSFEED_WSFEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"
#include "venues/sim/tickjson.h"

/* Monotonic nanoseconds; NULL in the config means CLOCK_MONOTONIC. */
typedef tt_ns_t(tt_wsfeed_now_fn)(void *arg);

/* One trade for SYMBOL_INDEX (what the lookup returned). TICK is valid
   only during the call. */
typedef void(tt_wsfeed_tick_fn)(void *arg, int symbol_index,
                                const tt_tick_t *tick);

typedef struct tt_wsfeed_t tt_wsfeed_t;

/* A venue protocol riding on the client (Binance, Alpaca: actors/
   feed_binance.c, actors/feed_alpaca.c). When the config names one, each
   opened connection is announced to on_open and every complete message
   (text or binary) goes to on_message instead of the tickserver parser.
   Both are called from inside tt_wsfeed_service, on the client's thread;
   they answer through tt_wsfeed_send, tt_wsfeed_deliver, tt_wsfeed_note
   and tt_wsfeed_close. */
typedef struct {
    void (*on_open)(void *arg, tt_wsfeed_t *feed);
    void (*on_message)(void *arg, tt_wsfeed_t *feed, const char *buf,
                       size_t len, bool binary);
} tt_wsfeed_proto_t;

typedef struct {
    const char *const *urls;       /* ws://host:port/path, tried in turn */
    size_t url_count;              /* >= 1 */
    const char *const *symbols;    /* sent in the subscribe message */
    size_t symbol_count;           /* 0: no subscribe (the server's default) */
    tt_tickjson_lookup_fn *lookup; /* symbol -> index and instrument */
    void *lookup_arg;
    tt_wsfeed_tick_fn *on_tick;
    void *tick_arg;
    tt_wsfeed_now_fn *now; /* NULL: CLOCK_MONOTONIC */
    void *now_arg;
    int64_t backoff_initial_ms; /* first reconnect delay (default 100) */
    int64_t backoff_max_ms;     /* cap (default 30000) */
    double backoff_jitter;      /* 0 .. 1 (default 0.2) */
    uint64_t seed;              /* of the jitter stream */
    uint32_t rotate_after;      /* failures in a row before the next URL
                                   (default 3) */
    bool dedupe;             /* drop a tick whose trade id is not above the last
                                one delivered for its symbol (index < symbol_count) */
    int64_t idle_timeout_ms; /* reconnect after this long without a frame;
                                0: never */
    const tt_wsfeed_proto_t *proto; /* NULL: the tickserver format */
    void *proto_arg;
    int ping_idle_s; /* with a proto: ping after this long without
                        traffic, hang up 3x later; 0: never */
} tt_wsfeed_cfg_t;

typedef struct {
    uint64_t frames; /* messages received, of every kind */
    uint64_t ticks;  /* ticks handed to on_tick */
    uint64_t heartbeats;
    uint64_t server_errors;  /* error frames from the server */
    uint64_t malformed;      /* skipped: bad JSON or fields, binary, too long */
    uint64_t unknown_symbol; /* ticks for symbols the lookup does not know */
    uint64_t other;          /* well-formed messages of another type */
    uint64_t duplicates;     /* ticks dropped by dedupe */
    uint64_t attempts;       /* connection attempts started */
    uint64_t connects;       /* handshakes completed */
    uint64_t reconnects;     /* handshakes after the first */
    uint64_t connect_failures; /* attempts that never completed */
    uint64_t disconnects;      /* open connections that closed */
    uint64_t rotations;        /* moves to the next URL */
    uint64_t idle_timeouts;    /* connections closed for silence */
    uint64_t bars;             /* venue bars parsed (proto) */
    uint64_t controls;         /* control messages: connected, auth (proto) */
    uint64_t subscribes;       /* subscriptions acknowledged (proto) */
    uint64_t holds;            /* long waits ordered by the proto (auth) */
    bool held;                 /* waiting out such a hold now */
    uint64_t resubscribes;     /* subscribe messages sent again on request */
    tt_ns_t last_frame_ns;     /* now() at the last message; 0: none yet */
    tt_ns_t next_attempt_ns;   /* when not connected: next attempt time */
    tt_ns_t last_delay_ns;     /* the last backoff delay chosen */
    size_t url_index;          /* URL in use, or to be tried next */
    bool connected;            /* handshake done, not closed */
    char last_error[256];      /* last server error frame or connection error */
    char last_malformed[160];  /* why the last malformed message was */
} tt_wsfeed_stats_t;

/* Fills CFG with the defaults above (no URLs, symbols or callbacks). */
void tt_wsfeed_cfg_default(tt_wsfeed_cfg_t *cfg);

/* Validates CFG (URLs, callbacks, backoff) and creates the client; it
   connects on the first tt_wsfeed_service. The strings of CFG are copied.
   Returns NULL with a message in ERR (ERRSIZE bytes). */
tt_wsfeed_t *tt_wsfeed_new(const tt_wsfeed_cfg_t *cfg, char *err,
                           size_t errsize);

/* Closes the connection and frees; accepts NULL, nulls *SELF_P. */
void tt_wsfeed_destroy(tt_wsfeed_t **self_p);

/* One turn of the client: starts a connection attempt when one is due,
   then runs the socket event loop, waiting at most TIMEOUT_MS (0: not at
   all). Ticks are delivered from inside this call. Returns 0, or -1 when
   the event loop failed. */
int tt_wsfeed_service(tt_wsfeed_t *self, int timeout_ms);

void tt_wsfeed_stats(const tt_wsfeed_t *self, tt_wsfeed_stats_t *out);

/* ---- for protocols (tt_wsfeed_proto_t), from inside their callbacks -- */

/* Queues one text message (copied) to be written on the open
   connection, in order. Returns 0, or -1 when not connected, the queue
   (8 messages) is full or out of memory. */
int tt_wsfeed_send(tt_wsfeed_t *self, const char *text, size_t len);

/* Hands one trade to on_tick (after dedupe, when configured) and counts
   it; the connection is now known good. */
void tt_wsfeed_deliver(tt_wsfeed_t *self, int index, const tt_tick_t *tick);

/* What else a message was, for the counters. TEXT (may be NULL) becomes
   last_error (SERVER_ERROR) or last_malformed (MALFORMED). */
typedef enum {
    TT_WSFEED_NOTE_BAR = 1,        /* a venue bar (good) */
    TT_WSFEED_NOTE_CONTROL,        /* connected / authenticated */
    TT_WSFEED_NOTE_SUBSCRIBED,     /* subscription acknowledged (good) */
    TT_WSFEED_NOTE_HEARTBEAT,      /* good */
    TT_WSFEED_NOTE_OTHER,          /* well formed, not used (good) */
    TT_WSFEED_NOTE_UNKNOWN_SYMBOL, /* good */
    TT_WSFEED_NOTE_SERVER_ERROR,   /* the venue's error message */
    TT_WSFEED_NOTE_MALFORMED,      /* skipped: bad JSON, field, truncated */
} tt_wsfeed_note_t;

void tt_wsfeed_note(tt_wsfeed_t *self, tt_wsfeed_note_t note, const char *text);

/* Closes the open connection now, with WHY as last_error. HOLD_MS 0: the
   next attempt follows the usual backoff; > 0: it waits HOLD_MS instead
   (for failures that retrying soon cannot fix, such as refused
   credentials: no reconnect storm). */
void tt_wsfeed_close(tt_wsfeed_t *self, const char *why, int64_t hold_ms);
/* Subscribes again (a symbol went quiet: the server may have lost our
   subscription). The tickserver format: the subscribe message goes out
   again on the open connection. A venue protocol: the connection is
   closed and reopened (its on_open authenticates and subscribes), after
   the usual backoff. Returns 0 when done so, 1 when not connected (the
   next connection subscribes anyway) or there is nothing to send. */
int tt_wsfeed_resubscribe(tt_wsfeed_t *self);

#endif
