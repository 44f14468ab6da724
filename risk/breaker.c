/*  risk/breaker.c: sliding-window circuit breaker (see breaker.h). The
    ring keeps the last max_errors error times; the breaker trips when the
    oldest of them is still inside the window. */
#include "risk/breaker.h"

#include <assert.h>
#include <string.h>

int tt_breaker_init(tt_breaker_t *self, const tt_breaker_cfg_t *cfg,
                    uint64_t session_id)
{
    assert(self);
    memset(self, 0, sizeof *self);
    self->session_id = session_id;
    if (!cfg || cfg->max_errors < 1 || cfg->max_errors > TT_BREAKER_MAX ||
        cfg->window_ns <= 0)
        return -1;
    self->cfg = *cfg;
    return 0;
}

bool tt_breaker_record(tt_breaker_t *self, tt_ns_t ts)
{
    assert(self);
    int32_t cap = self->cfg.max_errors;
    self->errors_seen++;
    if (cap < 1 || self->tripped)
        return false;
    self->errors[self->head] = ts;
    self->head = (self->head + 1) % cap;
    if (self->n < cap)
        self->n++;
    if (self->n < cap)
        return false;
    /* Full ring: head now points at the oldest of the last cap errors. */
    tt_ns_t oldest = self->errors[self->head];
    if (ts - oldest >= self->cfg.window_ns)
        return false;
    self->tripped = true;
    self->tripped_ts = ts;
    self->trips++;
    return true;
}

bool tt_breaker_allows(const tt_breaker_t *self, bool is_entry)
{
    assert(self);
    return !is_entry || !self->tripped;
}

void tt_breaker_reset(tt_breaker_t *self, tt_ns_t ts)
{
    assert(self);
    (void)ts;
    self->tripped = false;
    self->tripped_ts = 0;
    self->n = 0;
    self->head = 0;
}

void tt_breaker_new_session(tt_breaker_t *self, uint64_t session_id, tt_ns_t ts)
{
    assert(self);
    if (session_id == self->session_id)
        return;
    self->session_id = session_id;
    tt_breaker_reset(self, ts);
}
