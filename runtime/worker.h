/*  runtime/worker.h: a worker thread hosting symbol actors (see
    runtime.h). Internal to the runtime: the root talks to workers only by
    messages (TT_SYS_*), and hears back by reports (TT_REP_*). */
#ifndef TT_RUNTIME_WORKER_H
#define TT_RUNTIME_WORKER_H

#include "runtime/runtime.h"

typedef struct tt_worker tt_worker_t;

/* Starts worker INDEX; returns once its mailbox is bound, or NULL. */
tt_worker_t *tt_worker_new(tt_runtime_t *rt, int index);

/* Stops the thread; actors still up are destroyed first. */
void tt_worker_destroy(tt_worker_t **self_p);

#endif
