/*  clock/session_watch.h: turns a calendar (clock/sessions.h) and a clock
    that moves forward into a sequence of session edges: OPEN, then CLOSE,
    then the next OPEN... The clock actor steps one watch per venue every
    few milliseconds and acts on each edge; a clock that jumps over whole
    sessions still yields every edge, in order, so no end-of-day is lost.
    Pure logic: time is what the caller passes in. */
#ifndef TT_CLOCK_SESSION_WATCH_H
#define TT_CLOCK_SESSION_WATCH_H

#include <stdbool.h>

#include "clock/sessions.h"

typedef enum {
    TT_EDGE_NONE = 0,
    TT_EDGE_OPEN = 1,
    TT_EDGE_CLOSE = 2,
} tt_session_edge_t;

typedef struct {
    const tt_calendar_t *cal; /* borrowed, read-only */
    tt_session_t cur;         /* the session in progress or the next one */
    bool open;                /* inside cur (its OPEN was given) */
    bool valid;               /* a session exists (else nothing ever) */
} tt_session_watch_t;

/* Starts watching CAL at NOW. A session in progress at NOW gives its
   OPEN on the first step (so daily state is reset at start-up too). */
void tt_session_watch_init(tt_session_watch_t *self, const tt_calendar_t *cal,
                           tt_ns_t now);

/* The next edge at or before NOW, or TT_EDGE_NONE; *OUT receives the
   session concerned. Call until it returns TT_EDGE_NONE. */
tt_session_edge_t tt_session_watch_step(tt_session_watch_t *self, tt_ns_t now,
                                        tt_session_t *out);

/* When the next edge falls (a step at or after it returns it); INT64_MAX
   when no session ever comes. */
tt_ns_t tt_session_watch_next(const tt_session_watch_t *self);

/* True when the session after S opens the instant S closes (24/7). */
bool tt_session_watch_seamless(const tt_session_watch_t *self,
                               const tt_session_t *s);

#endif
