/*  supervisor/root_internal.h: the root's records, shared by the files
    that make up the root (root.c, symbols.c, health.c, and the control
    actor that runs on the root thread). Nothing outside the main thread
    may touch these. */
#ifndef TT_SUPERVISOR_ROOT_INTERNAL_H
#define TT_SUPERVISOR_ROOT_INTERNAL_H

#include <czmq.h>

#include "actors/clock_actor.h"
#include "actors/feed_sim.h"
#include "bus/bus.h"
#include "control.pb-c.h"
#include "runtime/runtime.h"
#include "supervisor/lifecycle.h"
#include "supervisor/policy.h"
#include "supervisor/root.h"
#include "actors/feed_replay.h"

#define TT_ERROR_TEXT_MAX 192

typedef struct {
    tt_lifecycle_t life;
    uint32_t restarts;
    bool restart_pending; /* STOP sent; START follows its STOPPED report */
    char last_error[TT_ERROR_TEXT_MAX];
} tt_actor_rec_t;

typedef enum {
    TT_PENDING_NONE = 0,
    TT_PENDING_ACTORS, /* restart from_role.. after the backoff */
    TT_PENDING_SYMBOL, /* restart the whole symbol after the backoff */
} tt_pending_kind_t;

typedef struct {
    int index; /* in config symbols */
    const char *name;
    tt_lifecycle_t life;
    tt_actor_rec_t actors[TT_ROLE_COUNT];
    tt_symsup_t sup;
    tt_pending_kind_t pending;
    tt_actor_role_t pending_from;
    tt_actor_role_t failed_role;
    int64_t pending_due_ns;
    bool paused;          /* paused for any reason (below) */
    bool paused_operator; /* operator asked; survives restarts */
    bool paused_stale;    /* the data actor reported stale data */
    bool paused_venue;    /* its venue has not reconciled a restart in time */
    bool venue_waiting;   /* ... and is still within the bound */
    bool store_waiting;   /* its restarted execution actor awaits the store */
    bool quarantined;     /* budget exhausted; only an operator restart helps */
    bool restart_after_stop; /* operator restart of a running symbol */
    uint32_t restarts;
    char last_error[TT_ERROR_TEXT_MAX];
    char pause_reason[48];
    tt_warmth_t warmth; /* the indicator actor's last word (warm-up) */
    bool warmth_known;  /* it has reported since the process started */
    bool orders_wait;   /* stopping: its execution actor finishes orders */
} tt_symbol_rec_t;

typedef struct {
    int64_t busy_since_ns; /* the busy episode already reported */
} tt_watch_rec_t;

/* An edge actor on a thread of its own (a venue feed). */
typedef struct {
    char name[48]; /* "feed/sim", "broker/alpaca" */
    size_t venue;
    bool broker; /* the venue's broker gateway (actors/broker_venue.h) */
    tt_lifecycle_t life;
    zactor_t *thread;
    tt_feed_stats_t stats;
    char last_error[TT_ERROR_TEXT_MAX];
} tt_edge_rec_t;

struct tt_root {
    const tt_config_t *cfg;
    tt_clock_t *clock;
    tt_runtime_t *rt;
    tt_sender_t *sender;
    zactor_t *bus; /* events, the store, the publisher: bus/bus.h */
    tt_bus_stats_t bus_stats;
    zsock_t *inbox;   /* reports from workers */
    zsock_t *control; /* REP, see actors/control.c */
    int signal_fd;
    tt_lifecycle_t life;
    tt_symbol_rec_t *symbols;
    tt_watch_rec_t *watch;
    tt_edge_rec_t *edges;
    size_t edge_count;
    bool edges_started;
    struct tt_portfolio *portfolio; /* limits shared by execution actors */
    zactor_t *sessions;             /* the clock actor: actors/clock_actor.h */
    tt_clock_stats_t clock_stats;
    bool stop_requested;
    int64_t stop_deadline_ns;
    bool draining;              /* stopping: the feeds' fences outstanding */
    int64_t drain_deadline_ns;  /* symbols stop by then regardless */
    bool finishing;             /* stopping: execution actors finish orders */
    int orders_waiting;         /* stopping: execution actors not drained */
    int64_t orders_deadline_ns; /* ...the symbols stop by then regardless */
    uint64_t transitions;
    tt_clock_t *market; /* the actors' time: the wall clock or a replay's */
    tt_root_opts_t opts;
    tt_replay_stats_t *replay; /* backtest: the replay feed's counters */
    /* A preview request from the control socket waits for the symbol's
       actors to answer (actors/control_preview.c); the control socket is
       not read meanwhile, as its REP must answer first. */
    bool preview_pending;
    uint32_t preview_req; /* id of the request in flight */
    int preview_symbol;   /* its symbol */
    int64_t preview_deadline_ns;
};

/* Preview requests of the control socket (actors/control_preview.c). */
/* Sends the request on to the symbol's data actor; returns a tt.Status
   value (OK: the reply is owed, sent by tt_control_preview_answer or
   tt_control_preview_expire) and fills ERR otherwise. */
int tt_control_preview_start(tt_root_t *self, const Tt__PreviewRequest *req,
                             char *err, size_t size);
/* The indicator (or data) actor's answer: replies on the control
   socket if it is the one waited for. */
void tt_control_preview_answer(tt_root_t *self, const tt_preview_t *ans);
/* Replies with an error once the pending request's deadline passed. */
void tt_control_preview_expire(tt_root_t *self);

/* Moves LIFE to TO, logging PATH and REASON; -1 (logged) if illegal. */
int tt_root_move(tt_root_t *self, tt_lifecycle_t *life, const char *path,
                 tt_state_t to, const char *reason);

int64_t tt_root_now(const tt_root_t *self);

/* Symbol supervision (supervisor/symbols.c). */
void tt_symbols_start_all(tt_root_t *self);
void tt_symbols_on_report(tt_root_t *self, const tt_msg_t *msg);
void tt_symbols_on_failure(tt_root_t *self, tt_symbol_rec_t *sym,
                           tt_actor_role_t role, const char *reason);
void tt_symbols_run_due(tt_root_t *self);
int64_t tt_symbols_next_due(const tt_root_t *self);
void tt_symbols_stop_all(tt_root_t *self);
bool tt_symbols_all_stopped(const tt_root_t *self);

/* Operator commands; return a tt.Status value and fill ERR on failure. */
int tt_symbols_pause(tt_root_t *self, tt_symbol_rec_t *sym, char *err,
                     size_t size);
int tt_symbols_resume(tt_root_t *self, tt_symbol_rec_t *sym, char *err,
                      size_t size);
int tt_symbols_restart(tt_root_t *self, tt_symbol_rec_t *sym, char *err,
                       size_t size);
int tt_symbols_fault(tt_root_t *self, tt_symbol_rec_t *sym,
                     tt_actor_role_t role, const tt_sys_fault_t *fault,
                     char *err, size_t size);

tt_symbol_rec_t *tt_root_find_symbol(tt_root_t *self, const char *name);

/* Resets the circuit breaker of SYMBOL, or of every symbol when SYMBOL is
   empty; each reset is logged and sent to the bus
   (supervisor/breaker_cmd.c). A tt.Status value, ERR filled if not OK. */
int tt_root_breaker_reset(tt_root_t *self, const char *symbol, char *err,
                          size_t size);

/* Starts the graceful shutdown (idempotent). */
void tt_root_request_stop(tt_root_t *self);

#endif
