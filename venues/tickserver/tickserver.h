/*  venues/tickserver/tickserver.h: `ticktree tickserver`, a websocket
    server on loopback that streams a simulated market as JSON ticks.

    One simmarket is generated once and fanned out to every client; each
    client chooses its symbols with a subscribe message and receives one
    tick per text frame in the tickjson format (venues/sim/tickjson.h),
    plus a heartbeat frame at a fixed period. The live feed path (the
    wsfeed client, then the data actors) is exercised on loopback exactly
    as against a live venue. URL, protocol, pacing and the slow-client
    policy: docs/TICKSERVER.md.

    Runs on one thread: whoever calls tt_tickserver_service or
    tt_tickserver_run (the CLI's main thread, or a test). No function here
    is thread-safe. */
#ifndef TT_TICKSERVER_TICKSERVER_H
#define TT_TICKSERVER_TICKSERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"
#include "venues/sim/simmarket.h"

typedef enum {
    TT_TICKSERVER_REALTIME = 0, /* a tick goes out once now() passes its time */
    TT_TICKSERVER_FAST,         /* as fast as the fastest client reads */
} tt_tickserver_pacing_t;

typedef struct {
    const char *name;           /* symbol, as in tickjson */
    tt_instrument_t instrument; /* scales of its prices and sizes */
    tt_px_t start_price;        /* scaled; <= 0: sim.start_price */
} tt_tickserver_symbol_t;

/* The server's clock: UTC nanoseconds. Injectable so that tests decide
   when heartbeats and real-time ticks fall due. */
typedef tt_ns_t(tt_tickserver_now_fn)(void *arg);

typedef struct {
    const char *bind_address; /* NULL: "127.0.0.1" */
    int port;                 /* 0: ephemeral (see tt_tickserver_port) */
    const tt_tickserver_symbol_t *symbols; /* copied by tt_tickserver_new */
    size_t symbol_count;                   /* >= 1 */
    tt_sim_params_t sim;                   /* seed and model */
    tt_tickserver_pacing_t pacing;
    uint64_t max_ticks;        /* stop generating after this many; 0: never */
    tt_ns_t start_ns;          /* the sim's start time; 0: now() at start */
    int64_t heartbeat_ms;      /* heartbeat period; 0: 1000 */
    size_t queue_cap;          /* frames a client may fall behind; 0: 4096 */
    bool start_paused;         /* no ticks until tt_tickserver_pause(false) */
    tt_tickserver_now_fn *now; /* NULL: CLOCK_REALTIME */
    void *now_arg;
} tt_tickserver_cfg_t;

typedef struct {
    uint64_t ticks_generated; /* ticks taken from the sim and queued */
    uint64_t frames_sent;     /* frames written, all clients together */
    uint64_t ticks_dropped;   /* ticks slow clients lost (queue overrun) */
    uint64_t heartbeats;      /* heartbeat frames queued */
    uint64_t subscribes;      /* subscribe messages accepted */
    uint64_t client_errors;   /* error frames queued for bad messages */
    uint64_t connections;     /* websocket connections accepted so far */
    size_t clients;           /* connections open now */
} tt_tickserver_stats_t;

typedef struct tt_tickserver_t tt_tickserver_t;

/* Fills CFG with the defaults: loopback, ephemeral port, real time,
   default sim params, no symbols. */
void tt_tickserver_cfg_default(tt_tickserver_cfg_t *cfg);

/* Builds the market and starts listening. Returns NULL with a message in
   ERR (ERRSIZE bytes) when the config is invalid or the port cannot be
   bound. */
tt_tickserver_t *tt_tickserver_new(const tt_tickserver_cfg_t *cfg, char *err,
                                   size_t errsize);

/* Closes every connection and frees the server; accepts NULL, nulls the
   caller's pointer. */
void tt_tickserver_destroy(tt_tickserver_t **self_p);

/* The TCP port the server listens on (the kernel's pick when cfg.port was
   0). */
int tt_tickserver_port(const tt_tickserver_t *self);

/* One turn: generates the ticks and heartbeats now due, then services the
   sockets, waiting at most TIMEOUT_MS (0: do not wait) for activity.
   Returns 0, or -1 when the event loop failed. */
int tt_tickserver_service(tt_tickserver_t *self, int timeout_ms);

/* Calls tt_tickserver_service until *STOP is nonzero (set it from a signal
   handler; the wait is at most 50 ms so the flag is seen promptly).
   Returns 0 on a stop, -1 when the event loop failed. */
int tt_tickserver_run(tt_tickserver_t *self, volatile sig_atomic_t *stop);

/* Stops (PAUSED true) or resumes tick generation. Heartbeats go on. */
void tt_tickserver_pause(tt_tickserver_t *self, bool paused);

void tt_tickserver_stats(const tt_tickserver_t *self,
                         tt_tickserver_stats_t *out);

/* Failure injection for tests. Closes every client connection at once
   (no close handshake), as a network drop would. */
void tt_tickserver_drop_clients(tt_tickserver_t *self);

/* Failure injection for tests: queues one raw frame of LEN bytes (at most
   480) for every client, text or BINARY, as is. Returns 0 or -1. */
int tt_tickserver_send_raw(tt_tickserver_t *self, const void *data, size_t len,
                           bool binary);

#endif
