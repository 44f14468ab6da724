/*  supervisor/lifecycle.c: the lifecycle state machine (see lifecycle.h).
    The edges are a table, so the rules read in one place and a test can
    walk every pair. */
#include "supervisor/lifecycle.h"

#include <assert.h>
#include <strings.h>

static const char *s_names[] = {
    [TT_STATE_CREATED] = "CREATED",   [TT_STATE_STARTING] = "STARTING",
    [TT_STATE_RUNNING] = "RUNNING",   [TT_STATE_PAUSED] = "PAUSED",
    [TT_STATE_STOPPING] = "STOPPING", [TT_STATE_STOPPED] = "STOPPED",
    [TT_STATE_ERROR] = "ERROR",       [TT_STATE_RECOVERING] = "RECOVERING",
};

/* s_edges[from] is a bit set of the states reachable from `from`. */
#define S_BIT(state) (1u << (state))
static const unsigned s_edges[TT_STATE_MAX + 1] = {
    [TT_STATE_CREATED] = S_BIT(TT_STATE_STARTING) | S_BIT(TT_STATE_STOPPING),
    [TT_STATE_STARTING] = S_BIT(TT_STATE_RUNNING) | S_BIT(TT_STATE_ERROR) |
                          S_BIT(TT_STATE_STOPPING),
    [TT_STATE_RUNNING] = S_BIT(TT_STATE_PAUSED) | S_BIT(TT_STATE_ERROR) |
                         S_BIT(TT_STATE_STOPPING),
    [TT_STATE_PAUSED] = S_BIT(TT_STATE_RUNNING) | S_BIT(TT_STATE_ERROR) |
                        S_BIT(TT_STATE_STOPPING),
    [TT_STATE_STOPPING] = S_BIT(TT_STATE_STOPPED),
    [TT_STATE_STOPPED] = S_BIT(TT_STATE_STARTING),
    [TT_STATE_ERROR] = S_BIT(TT_STATE_RECOVERING) | S_BIT(TT_STATE_STOPPING),
    [TT_STATE_RECOVERING] = S_BIT(TT_STATE_RUNNING) | S_BIT(TT_STATE_ERROR) |
                            S_BIT(TT_STATE_STOPPING),
};

static bool s_valid(int state)
{
    return state >= TT_STATE_MIN && state <= TT_STATE_MAX;
}

const char *tt_state_name(tt_state_t state)
{
    return s_valid((int)state) ? s_names[state] : "INVALID";
}

int tt_state_parse(const char *name)
{
    for (int state = TT_STATE_MIN; state <= TT_STATE_MAX; state++)
        if (name && strcasecmp(name, s_names[state]) == 0)
            return state;
    return -1;
}

bool tt_lifecycle_allowed(tt_state_t from, tt_state_t to)
{
    if (!s_valid((int)from) || !s_valid((int)to))
        return false;
    return (s_edges[from] & S_BIT(to)) != 0;
}

void tt_lifecycle_init(tt_lifecycle_t *self, int64_t now_ns)
{
    assert(self);
    *self = (tt_lifecycle_t){.state = TT_STATE_CREATED, .since_ns = now_ns};
}

int tt_lifecycle_move(tt_lifecycle_t *self, tt_state_t to, int64_t now_ns)
{
    assert(self);
    if (!tt_lifecycle_allowed(self->state, to)) {
        self->refused++;
        return -1;
    }
    self->state = to;
    self->since_ns = now_ns;
    if (to == TT_STATE_RUNNING)
        self->running_since_ns = now_ns;
    self->transitions++;
    return 0;
}

bool tt_state_is_up(tt_state_t state)
{
    return state == TT_STATE_RUNNING || state == TT_STATE_PAUSED;
}
