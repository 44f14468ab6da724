/*  supervisor/root.h: the root supervisor. It runs on the main thread and
    owns the tree: the lifecycle records of the root, every symbol and every
    actor, the restart policy of each symbol supervisor, the control socket
    and the signals. Workers run the actors; the root only sends them
    commands and reads their reports, so all supervision state lives on
    this one thread and needs no lock. */
#ifndef TT_SUPERVISOR_ROOT_H
#define TT_SUPERVISOR_ROOT_H

#include "config/config.h"
#include "runtime/actor.h"
#include "runtime/clock.h"

typedef struct tt_root tt_root_t;

struct tt_replay_spec;
struct tt_replay_stats;
typedef struct {
    /* Backtest (ticktree backtest): the actors run on MARKET_CLOCK (a
       manual clock the replay feed moves), the replay feed of REPLAY
       replaces every venue's feed, and the service stops by itself once
       the replay is done. The root keeps the wall clock for supervision
       (backoff, shutdown budget). NULL: a live service. */
    const struct tt_replay_spec *replay;
    tt_clock_t *market_clock;
} tt_root_opts_t;

/* Builds the tree for CFG (not started). ROLES gives the behaviour of each
   symbol actor. Returns NULL on failure (logged). */
tt_root_t *tt_root_new(const tt_config_t *cfg,
                       const tt_behaviour_t *const roles[TT_ROLE_COUNT]);
tt_root_t *tt_root_new_opts(const tt_config_t *cfg,
                            const tt_behaviour_t *const roles[TT_ROLE_COUNT],
                            const tt_root_opts_t *opts);

/* The replay feed's counters (backtest), or NULL. */
const struct tt_replay_stats *tt_root_replay_stats(const tt_root_t *self);
/* Store writes the event bus saw fail (final once tt_root_run has
   returned): a backtest with any has lost rows. */
uint64_t tt_root_store_errors(const tt_root_t *self);
void tt_root_destroy(tt_root_t **self_p);

/* Starts everything and runs until SIGINT, SIGTERM or a stop command, then
   shuts down gracefully. Returns the process exit code: 0 after a clean
   stop within the shutdown budget, 1 otherwise. The caller must have
   blocked SIGINT and SIGTERM in every thread (tt_root_block_signals)
   before any thread was created. */
int tt_root_run(tt_root_t *self);

/* Blocks SIGINT/SIGTERM for this thread and the threads it will create,
   and stops czmq from installing its own handlers. Call first in main. */
void tt_root_block_signals(void);

#endif
