/*  risk/breaker.h: the circuit breaker. N broker errors or rejections
    within a time window trip it; while tripped, new entries halt and
    exits (and protective orders) still go out. It is reset by an
    operator command or by the start of the next session.

    Owned by the portfolio actor (global risk), which passes its state to
    every symbol's risk check (tt_portfolio_snap_t.breaker_tripped). Pure
    logic; time is the event time passed in. */
#ifndef TT_RISK_BREAKER_H
#define TT_RISK_BREAKER_H

#include <stdbool.h>
#include <stdint.h>

#include "marketdata/types.h"

#define TT_BREAKER_MAX 64 /* largest max_errors */

typedef struct {
    int32_t max_errors; /* errors within window_ns that trip; 1..64 */
    tt_ns_t window_ns;  /* > 0 */
} tt_breaker_cfg_t;

typedef struct {
    tt_breaker_cfg_t cfg;
    tt_ns_t errors[TT_BREAKER_MAX]; /* ring of error times */
    int32_t head;
    int32_t n;
    bool tripped;
    tt_ns_t tripped_ts;
    uint64_t session_id; /* current session */
    uint64_t trips;      /* times tripped */
    uint64_t errors_seen;
} tt_breaker_t;

/* 0, or -1 when CFG is out of range (SELF is left disarmed). */
int tt_breaker_init(tt_breaker_t *self, const tt_breaker_cfg_t *cfg,
                    uint64_t session_id);

/* Records one broker error or rejection at TS. Returns true when this
   error tripped the breaker. */
bool tt_breaker_record(tt_breaker_t *self, tt_ns_t ts);

/* True when an order may go out: always for exits and protective orders
   (IS_ENTRY false); for entries only while not tripped. */
bool tt_breaker_allows(const tt_breaker_t *self, bool is_entry);

/* Operator reset: untrips and forgets the recorded errors. */
void tt_breaker_reset(tt_breaker_t *self, tt_ns_t ts);

/* The session SESSION_ID started at TS: a breaker tripped in an earlier
   session resets; within the same session nothing changes. */
void tt_breaker_new_session(tt_breaker_t *self, uint64_t session_id,
                            tt_ns_t ts);

#endif
