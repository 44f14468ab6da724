/*  runtime/runtime.h: the actor runtime. It owns the directory of actors
    (one entry per actor, fixed at start), the worker threads that host the
    symbol actors, and the per-thread senders through which every message
    travels.

    Mailboxes. Each worker thread binds one inproc PULL socket; an actor's
    mailbox is its slot behind that socket, and every frame names its
    destination actor. A symbol therefore costs no thread, no socket and no
    file descriptor of its own: 1000 symbols on 2 workers use the same
    handful of sockets as 4 symbols do, and one zmq_poll per worker covers
    them all. Actor addresses are still endpoint names from one place
    (inproc://sym/BTCUSD/data, runtime_endpoint_*), resolved through the
    directory, so an actor can move without its code changing.

    Thread safety: the directory is built before any thread starts and is
    read-only afterwards, except the per-actor counters, which are atomics
    written by the hosting worker (or by senders, for enqueued) and read by
    the root for health. Nothing else is shared. */
#ifndef TT_RUNTIME_RUNTIME_H
#define TT_RUNTIME_RUNTIME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "runtime/actor.h"
#include "runtime/clock.h"
#include "runtime/latency.h"

typedef struct tt_runtime tt_runtime_t;
typedef struct tt_sender tt_sender_t;

#define TT_ACTOR_MEMORY_MAX 256

/* Counters of one actor, shared read-only with the root. */
typedef struct {
    _Atomic uint64_t enqueued;      /* frames sent to it */
    _Atomic uint64_t dequeued;      /* frames its worker took off the queue */
    _Atomic uint64_t handled;       /* messages its handler returned from */
    _Atomic uint64_t drops;         /* its sends dropped at a full mailbox */
    _Atomic uint64_t backpressured; /* its critical sends that had to wait */
    _Atomic uint64_t undeliverable; /* frames that arrived while it was down */
    _Atomic uint64_t watchdog_misses;
    _Atomic int64_t last_rx_ns; /* clock time of its last tick; 0 = none */
    _Atomic uint64_t ticks;
    /* Execution actors: the position and what it took. */
    _Atomic int64_t position; /* signed, scaled quantity */
    _Atomic int64_t realized; /* realized P&L less fees, price scale */
    _Atomic uint64_t orders;  /* orders sent (entries, children, exits) */
    _Atomic uint64_t fills;
    _Atomic uint64_t rejects;     /* signals the risk manager refused */
    _Atomic int64_t last_fill_px; /* price of the latest fill, scaled */
    /* Event time since which the open position has had no working stop
       (orders/book_guard.c); 0 while protected or flat. */
    _Atomic int64_t unprotected_since;
} tt_actor_stats_t;

typedef struct {
    uint32_t id;
    char path[TT_SYMBOL_NAME_MAX + 16];     /* "BTCUSD/data" */
    char endpoint[TT_SYMBOL_NAME_MAX + 32]; /* "inproc://sym/BTCUSD/data" */
    int worker;                             /* hosting worker */
    int symbol;                             /* index in config symbols */
    tt_actor_role_t role;
    const tt_behaviour_t *behaviour;
    tt_actor_stats_t stats;
    /* What the actor keeps across its own restarts (the execution actor:
       its next order sequence and its position). Written by the actor on
       its worker, or by the root before the actor first starts (restored
       from the store); never by both at once. */
    unsigned char memory[TT_ACTOR_MEMORY_MAX];
    uint32_t memory_len; /* 0: nothing kept */
} tt_actor_entry_t;

/* Counters of one worker thread, shared read-only with the root. */
typedef struct {
    _Atomic int64_t busy_since_ns; /* monotonic; 0 while idle */
    _Atomic uint32_t busy_actor;   /* actor whose handler is running */
    _Atomic uint64_t handled;
    _Atomic uint32_t actors_up;
    _Atomic uint64_t sleeps;  /* polls that waited with a timeout */
    _Atomic uint64_t spun_ns; /* time polled without sleeping, no frame */
} tt_worker_stats_t;

/* Builds the directory: four actors per configured symbol, with the
   behaviours given per role, spread over cfg->workers workers (symbol i
   on worker i % workers, all four of its actors together so that a
   symbol's internal traffic never crosses threads). */
tt_runtime_t *tt_runtime_new(const tt_config_t *cfg, tt_clock_t *clock,
                             const tt_behaviour_t *const roles[TT_ROLE_COUNT]);
void tt_runtime_destroy(tt_runtime_t **self_p);

/* Starts the worker threads; 0 or -1. The root must have bound
   tt_runtime_endpoint_root() first so no report is lost. */
int tt_runtime_start(tt_runtime_t *self);

/* Stops the worker threads (each destroys the actors it still hosts). */
void tt_runtime_stop(tt_runtime_t *self);

const tt_config_t *tt_runtime_config(const tt_runtime_t *self);
tt_clock_t *tt_runtime_clock(const tt_runtime_t *self);
int tt_runtime_workers(const tt_runtime_t *self);
uint32_t tt_runtime_actor_count(const tt_runtime_t *self);
tt_actor_entry_t *tt_runtime_actor(tt_runtime_t *self, uint32_t id);
tt_worker_stats_t *tt_runtime_worker_stats(tt_runtime_t *self, int worker);

/* The counters of the actor behind SELF (for behaviours that publish
   more than the runtime counts itself). */
tt_actor_stats_t *tt_actor_stats(tt_actor_t *self);

/* Actor id for SYMBOL (config index) and ROLE. */
uint32_t tt_runtime_actor_id(int symbol, tt_actor_role_t role);

/* Resolves an endpoint name to an actor id; -1 when unknown. */
int64_t tt_runtime_lookup(const tt_runtime_t *self, const char *endpoint);

/* Endpoint names, in one place. The mailboxes of each runtime get names of
   their own ("inproc://rt3/worker/0"): inproc endpoints are released
   asynchronously when a socket closes, so a second runtime in the same
   process (tests, benchmarks) must not depend on reusing the first's. */
void tt_runtime_endpoint_actor(char *buf, size_t size, const char *symbol,
                               const char *role);
void tt_runtime_endpoint_worker(const tt_runtime_t *self, char *buf,
                                size_t size, int worker);
/* The inbox of venue VENUE's broker gateway (actors/broker_venue.h),
   bound by the gateway; senders connect to it on their first message to
   TT_ACTOR_BROKER(VENUE). */
void tt_runtime_endpoint_broker(const tt_runtime_t *self, char *buf,
                                size_t size, size_t venue);
/* The root supervisor's report mailbox (bound by whoever supervises). */
const char *tt_runtime_endpoint_root(const tt_runtime_t *self);
/* The event bus's inbox (bus/bus.h). A runtime without a bus (actor
   tests) has actors that trade without persistence: the one who binds the
   bus says so with tt_runtime_set_bus() before actors start. */
const char *tt_runtime_endpoint_bus(const tt_runtime_t *self);
void tt_runtime_set_bus(tt_runtime_t *self, bool present);
bool tt_runtime_has_bus(const tt_runtime_t *self);

/* Quiescence, for backtests (invariant 8). With tracking on, every frame
   a sender accepts counts as in flight until its receiver (worker, root or
   bus) has handled it, and a receiver sends what a frame causes before it
   counts the frame handled (a worker's local frames inside a mailbox
   frame's chain are covered by that frame's count: runtime/worker.c),
   so tt_runtime_inflight() == 0 means the whole graph is idle: the replay feed
   waits for it before time moves on. Off (the default, live), senders pay one
   untaken branch. Turn it on before any thread sends. */
void tt_runtime_track_inflight(tt_runtime_t *self, bool on);
bool tt_runtime_tracking(const tt_runtime_t *self);
void tt_runtime_sent(tt_runtime_t *self);
void tt_runtime_handled(tt_runtime_t *self, int64_t frames);
int64_t tt_runtime_inflight(const tt_runtime_t *self);

/* Frames to the bus set aside (a backtest whose intents are answered
   locally, tt_runtime_set_local_intents): candles, events, intents,
   order updates, fills and snapshots cause nothing the graph sees, so
   they do not count in flight; senders mark them TT_MSG_F_ASIDE and the
   bus counts them handled apart. The graph is idle (tt_runtime_wait_idle)
   while the bus is at most MAX_LAG such frames behind; a barrier, and an
   intent whose sender waits for the answer, still count in flight.
   MAX_LAG 0 (the default) sets nothing aside. Set before any thread
   sends, with tracking on. */
void tt_runtime_set_bus_aside(tt_runtime_t *self, int64_t max_lag);
bool tt_runtime_bus_aside(const tt_runtime_t *self);
void tt_runtime_sent_aside(tt_runtime_t *self);
void tt_runtime_handled_aside(tt_runtime_t *self, int64_t frames);
int64_t tt_runtime_aside(const tt_runtime_t *self);

/* A graceful stop handles what the feeds already sent: a stopping feed
   sends each worker a fence (TT_SYS_FENCE) behind its last frames, on
   the same pipe, and counts it sent; the worker counts it done; the root
   stops the symbols once none is outstanding (or after a bound). */
void tt_runtime_fence_sent(tt_runtime_t *self, int64_t n);
void tt_runtime_fence_done(tt_runtime_t *self);
int64_t tt_runtime_fences(const tt_runtime_t *self);
/* The stop's deadline, set once by the root as a stop starts: a thread
   that blocks outside the runtime's reach (a broker gateway's REST
   request) ends its wait when the stop is due rather than hold the
   process past service.shutdown_timeout_ms. MONO_NS is tt_mono_ns()
   time; 0 (the start) means none. */
void tt_runtime_set_stop_by(tt_runtime_t *self, int64_t mono_ns);
bool tt_runtime_stop_due(const tt_runtime_t *self);
/* Waits until nothing is in flight and the bus is at most its lag behind
   (tt_runtime_set_bus_aside), at most TIMEOUT_NS; true when idle. */
bool tt_runtime_wait_idle(tt_runtime_t *self, int64_t timeout_ns);
/* The same, and the bus has handled every frame set aside: every row is
   on its way to the store (a backtest's end). */
bool tt_runtime_wait_drained(tt_runtime_t *self, int64_t timeout_ns);

/* Whether execution actors answer their own order intents (a
   backtest's: its store is new and private, so the bus's answer could
   only say yes). The intent still goes to the bus first, which stores
   it in order (TT_EVT_INTENT_LOCAL), but the order goes to the paper
   broker at once instead of a thread's round trip later. Off (live and
   paper services): an order waits until its intent is durable
   (invariant 4). Set by the root from a backtest's options, before the
   actors start. */
void tt_runtime_set_local_intents(tt_runtime_t *self, bool on);
bool tt_runtime_local_intents(const tt_runtime_t *self);

/* Trading starts at this event time: a signal decided before it comes from
   warm-up history and is not traded (live: the service's start; backtest:
   --from). Set before the workers start; 0 = no such limit. */
void tt_runtime_set_trade_from(tt_runtime_t *self, int64_t ts_ns);
int64_t tt_runtime_trade_from(const tt_runtime_t *self);

/* The portfolio-wide limits (risk/portfolio.h) that every execution
   actor consults, owned by whoever owns the runtime and set before the
   actors start; NULL (the default) and each symbol trades on its own. */
struct tt_portfolio;
void tt_runtime_set_portfolio(tt_runtime_t *self, struct tt_portfolio *pf);
struct tt_portfolio *tt_runtime_portfolio(const tt_runtime_t *self);

/* The service's tick-to-order histograms (runtime/latency.h). */
tt_latency_t *tt_runtime_latency(tt_runtime_t *self, tt_latency_kind_t kind);
struct tt_portfolio *tt_actor_portfolio(const tt_actor_t *self);

const char *tt_role_name(tt_actor_role_t role);
int tt_role_parse(const char *name); /* -1 when unknown */

/* Names the calling thread "tt-" NAME (cut to the 15 bytes Linux keeps),
   so `top -H`, `ps -L`, perf and gdb tell the service's threads apart. */
void tt_thread_name(const char *name);

/* A sender belongs to one thread. It connects a PUSH socket to every
   worker's mailbox, to the root's and to the bus's. */
tt_sender_t *tt_sender_new(tt_runtime_t *rt);
void tt_sender_destroy(tt_sender_t **self_p);

/* Sends one frame to actor TO (or TT_ACTOR_ROOT, TT_ACTOR_BUS) on behalf
   of FROM.
   Never blocks. Returns 0 when sent or queued, -1 when dropped. */
int tt_sender_send(tt_sender_t *self, uint32_t to, uint32_t from, uint16_t type,
                   const void *body, uint32_t len, bool critical);

/* Frames from this sender to an actor hosted by worker WORKER go to
   DELIVER instead of a socket: a worker's own sender hands frames between
   its actors in memory (runtime/worker.c). DELIVER gets the frame's
   header and its body (HDR->len bytes, which it copies where it keeps
   the frame: the frame is never assembled first) and returns 0 (the
   sender counts it in flight), 1 (taken, and covered by a frame the
   worker counts handled only after it: not counted), or -1 when it
   dropped a droppable frame. */
typedef int (*tt_sender_local_fn)(void *arg, const tt_msg_hdr_t *hdr,
                                  const void *body, bool critical);
void tt_sender_local(tt_sender_t *self, int worker, tt_sender_local_fn deliver,
                     void *arg);

/* With HOLD, frames to other threads are queued, not sent, until the
   next tt_sender_flush: a worker sends what its actors caused once its
   mailbox is drained, so waking another thread (a system call that
   costs 100 us and more on a VM) is never on a chain's path, nor
   between the chains of a burst, and a drain's frames to one thread
   wake it once. A droppable frame meets the
   mailbox at the flush: dropped (and counted) if it is full, and at once,
   not queued, while a critical frame left by the last flush waits for
   that mailbox. */
void tt_sender_hold(tt_sender_t *self, bool hold);

/* Retries queued critical frames, in order; returns how many remain. */
size_t tt_sender_flush(tt_sender_t *self);
size_t tt_sender_pending(const tt_sender_t *self);

#endif
