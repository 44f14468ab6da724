/*  clock/session_watch.c: session edges from a calendar (see
    session_watch.h). */
#include "clock/session_watch.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

void tt_session_watch_init(tt_session_watch_t *self, const tt_calendar_t *cal,
                           tt_ns_t now)
{
    assert(self && cal);
    memset(self, 0, sizeof *self);
    self->cal = cal;
    self->valid = tt_calendar_session(cal, now, &self->cur) == 0;
}

tt_session_edge_t tt_session_watch_step(tt_session_watch_t *self, tt_ns_t now,
                                        tt_session_t *out)
{
    assert(self && out);
    if (!self->valid)
        return TT_EDGE_NONE;
    if (!self->open && now >= self->cur.open) {
        self->open = true;
        *out = self->cur;
        return TT_EDGE_OPEN;
    }
    if (self->open && now >= self->cur.close) {
        *out = self->cur;
        self->open = false;
        /* The next session: the one containing or following the close
           (close is exclusive, so this is never the same session). */
        self->valid =
            tt_calendar_session(self->cal, self->cur.close, &self->cur) == 0;
        return TT_EDGE_CLOSE;
    }
    return TT_EDGE_NONE;
}

tt_ns_t tt_session_watch_next(const tt_session_watch_t *self)
{
    assert(self);
    if (!self->valid)
        return INT64_MAX;
    return self->open ? self->cur.close : self->cur.open;
}

bool tt_session_watch_seamless(const tt_session_watch_t *self,
                               const tt_session_t *s)
{
    assert(self && s);
    tt_session_t next;
    return tt_calendar_session(self->cal, s->close, &next) == 0 &&
           next.open == s->close;
}
