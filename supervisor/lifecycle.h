/*  supervisor/lifecycle.h: the one state machine shared by every actor,
    every symbol and the root (design: Lifecycle and recovery).

        CREATED -> STARTING -> RUNNING <-> PAUSED
                                |  ^
                                v  |
                              ERROR -> RECOVERING -> RUNNING
        any -> STOPPING -> STOPPED

    Two edges are spelled out beyond the sketch, because the supervisor
    needs them and they keep the graph honest rather than bent:
    - STARTING, PAUSED and RECOVERING may fail into ERROR (init can fail,
      a paused actor still handles market data, a restart can fail);
    - STOPPED -> STARTING: a supervisor starts a stopped child again (a
      rest_for_one sibling, or a symbol restarted by an operator).
    ERROR -> RECOVERING is the only way out of ERROR, so a quarantined
    symbol stays in ERROR until an operator restarts it.

    Pure logic: no I/O, no clock of its own (time is passed in). */
#ifndef TT_SUPERVISOR_LIFECYCLE_H
#define TT_SUPERVISOR_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

/* Values match tt.State in messages/common.proto. */
typedef enum {
    TT_STATE_CREATED = 1,
    TT_STATE_STARTING = 2,
    TT_STATE_RUNNING = 3,
    TT_STATE_PAUSED = 4,
    TT_STATE_STOPPING = 5,
    TT_STATE_STOPPED = 6,
    TT_STATE_ERROR = 7,
    TT_STATE_RECOVERING = 8,
} tt_state_t;

#define TT_STATE_MIN TT_STATE_CREATED
#define TT_STATE_MAX TT_STATE_RECOVERING

typedef struct {
    tt_state_t state;
    int64_t since_ns;         /* when the current state was entered */
    int64_t running_since_ns; /* when it last entered RUNNING; 0 = never */
    uint64_t transitions;     /* accepted transitions */
    uint64_t refused;         /* illegal transitions asked for and refused */
} tt_lifecycle_t;

/* Upper-case name ("RUNNING"), or "INVALID". */
const char *tt_state_name(tt_state_t state);

/* Parses a name as printed by tt_state_name (case-insensitive); -1 if not
   a state. */
int tt_state_parse(const char *name);

/* True when FROM -> TO is an edge of the machine above. */
bool tt_lifecycle_allowed(tt_state_t from, tt_state_t to);

/* A fresh machine in CREATED at NOW_NS. */
void tt_lifecycle_init(tt_lifecycle_t *self, int64_t now_ns);

/* Moves to TO at NOW_NS. Returns 0, or -1 (state unchanged, refused
   counted) when the edge is illegal. Moving to the current state is
   illegal too: callers must know what they are doing. */
int tt_lifecycle_move(tt_lifecycle_t *self, tt_state_t to, int64_t now_ns);

/* True for RUNNING and PAUSED: the actor is up and handles messages. */
bool tt_state_is_up(tt_state_t state);

#endif
