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
    tt_ns_t last_frame_ns;     /* now() at the last message; 0: none yet */
    tt_ns_t next_attempt_ns;   /* when not connected: next attempt time */
    tt_ns_t last_delay_ns;     /* the last backoff delay chosen */
    size_t url_index;          /* URL in use, or to be tried next */
    bool connected;            /* handshake done, not closed */
    char last_error[160];      /* last server error frame or connection error */
    char last_malformed[160];  /* why the last malformed message was */
} tt_wsfeed_stats_t;

typedef struct tt_wsfeed_t tt_wsfeed_t;

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

#endif
