/*  tests/symrig.h: one symbol's actors on the real runtime (one worker
    thread, inproc mailboxes) with a manual clock, for the actor tests.
    The test plays the root (it reads the workers' reports on the root
    inbox) and, when asked, the bus (it binds the bus inbox and reads what
    the actors store). A probe behaviour can play the strategy and record
    the indicator values that reach it.

    Everything here runs on the test's thread except the probe's handler,
    which runs on the worker; the probe's record is guarded. */
#ifndef TT_TESTS_SYMRIG_H
#define TT_TESTS_SYMRIG_H

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/runtime.h"

typedef struct {
    char *dir; /* scratch directory, removed by tth_rig_down */
    tt_config_t *cfg;
    tt_clock_t *clock; /* manual */
    tt_runtime_t *rt;
    zsock_t *inbox; /* the root's */
    zsock_t *bus;   /* the bus's inbox; NULL unless started with one */
    tt_sender_t *sender;
    uint32_t data, exec; /* the data and execution actors' ids */
    tt_warmth_t warmth;  /* the last TT_REP_WARMUP read */
    int warmth_reports;  /* how many were read */
} tth_rig_t;

/* Makes the rig's scratch directory (named after PREFIX) and loads the
   config YAML_FMT written there; a "%s" in it, if any, becomes that
   directory (for a store file inside it). */
void tth_rig_config(tth_rig_t *rig, const char *prefix, const char *yaml_fmt);

/* tth_rig_config with the actor tests' plain config: one worker, one
   symbol TST on a sim venue (2 price decimals, sma_cross 2/3), and
   SERVICE (lines of the service section, each "  key: value\n") added. */
void tth_rig_config_one(tth_rig_t *rig, const char *prefix,
                        const char *service);

/* Starts the runtime on the loaded config with ROLES (one behaviour per
   role) and a manual clock at T0_NS; with BUS, binds the bus inbox first
   and turns the bus on. Starts every actor of symbol 0 and reads its
   TT_REP_STARTED. Clears the probe's record. */
void tth_rig_start(tth_rig_t *rig, const tt_behaviour_t *const *roles,
                   int64_t t0_ns, bool bus);

/* Stops and frees everything tth_rig_config and tth_rig_start made. */
void tth_rig_down(tth_rig_t *rig);

/* The next frame on SOCK (the rig's inbox or bus) that is not a warm-up
   report (those are recorded in rig->warmth) into *MSG, checked; its
   type, or -1 after TIMEOUT_MS. */
int tth_rig_next(tth_rig_t *rig, zsock_t *sock, tt_msg_t *msg, int timeout_ms);

/* A trade at TS sent to the data actor as the root sends it. */
void tth_rig_send_tick(tth_rig_t *rig, int64_t ts, int64_t price, uint64_t id);

/* A trade at TS, as the next of *ID (which moves on): the clock moves to
   TS first, and the data actor has handled the trade before this
   returns. A clock moved ahead of trades still queued would let the data
   actor's timer close their candles first and drop them as late. */
void tth_rig_tick_at(tth_rig_t *rig, int64_t ts, int64_t price, uint64_t *id);

/* Polls an actor's statistics COUNTER until it reaches WANT, at most
   5 s; whether it did. */
bool tth_rig_wait_counter(_Atomic uint64_t *counter, uint64_t want);

/* An actor that takes every frame and does nothing with it (a role a
   test does not look at). */
extern const tt_behaviour_t tth_idle_behaviour;

/* The strategy probe: records every TT_MSG_IND_VALUES (up to 64). */
extern const tt_behaviour_t tth_probe_behaviour;

/* Values recorded so far; waits (at most 5 s) for N of them; the I-th
   (once recorded, it does not change). */
int tth_probe_count(void);
bool tth_probe_wait(int n);
const tt_ind_values_t *tth_probe_seen(int i);

#endif
