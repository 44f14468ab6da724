/*  risk/portfolio.c: the portfolio-wide limits (see portfolio.h). One
    mutex guards everything; each call holds it for a few additions and
    comparisons, never across I/O or a message, so a contended reserve
    costs a fraction of a microsecond. */
#include "risk/portfolio.h"

#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char symbol[TT_EOD_SYMBOL_MAX];
    size_t group;
    bool held;        /* an entry works or a position is open */
    int64_t exposure; /* account money held by this slot */
    int64_t reserved; /* what the entry reserved */
    tt_breaker_t breaker;
} s_slot_t;

typedef struct {
    int64_t realized; /* net closed P&L of the group's current session */
    bool closed;      /* between a session's end and the next open */
    tt_eod_t *eod;
} s_group_t;

struct tt_portfolio {
    pthread_mutex_t lock;
    tt_portfolio_cfg_t cfg;
    size_t slot_count, group_count;
    s_slot_t *slots;
    s_group_t *groups;
    int64_t exposure;
    int32_t open;
    bool halted;
    tt_portfolio_stats_t peak; /* max_exposure, max_open and counters */
};

static tt_portfolio_t *s_fail(tt_portfolio_t **self_p, char *err,
                              size_t err_size, const char *text)
{
    if (err && err_size)
        snprintf(err, err_size, "portfolio: %s", text);
    tt_portfolio_destroy(self_p);
    return NULL;
}

tt_portfolio_t *tt_portfolio_new(const tt_portfolio_cfg_t *cfg, size_t slots,
                                 size_t groups, char *err, size_t err_size)
{
    assert(cfg);
    tt_portfolio_t *self = calloc(1, sizeof *self);
    if (!self)
        return s_fail(&self, err, err_size, "out of memory");
    pthread_mutex_init(&self->lock, NULL);
    self->cfg = *cfg;
    if (cfg->decimals < 0 || cfg->decimals > 18 || cfg->equity < 0 ||
        cfg->max_exposure < 0 || cfg->max_open_positions < 0 ||
        cfg->max_daily_loss < 0)
        return s_fail(&self, err, err_size,
                      "limits must be >= 0 and decimals 0..18");
    groups = groups ? groups : 1;
    self->slots = calloc(slots ? slots : 1, sizeof *self->slots);
    self->groups = calloc(groups, sizeof *self->groups);
    if (!self->slots || !self->groups)
        return s_fail(&self, err, err_size, "out of memory");
    self->slot_count = slots;
    self->group_count = groups;
    for (size_t g = 0; g < groups; g++)
        if (!(self->groups[g].eod = tt_eod_new(slots)))
            return s_fail(&self, err, err_size, "out of memory");
    for (size_t i = 0; i < slots; i++)
        if (tt_breaker_init(&self->slots[i].breaker, &cfg->breaker, 0) != 0)
            return s_fail(&self, err, err_size,
                          "breaker needs max_errors 1..64 and a window > 0");
    return self;
}

void tt_portfolio_destroy(tt_portfolio_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tt_portfolio_t *self = *self_p;
    for (size_t g = 0; self->groups && g < self->group_count; g++)
        tt_eod_destroy(&self->groups[g].eod);
    free(self->groups);
    free(self->slots);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

int tt_portfolio_slot_set(tt_portfolio_t *self, size_t slot, const char *symbol,
                          size_t group)
{
    if (slot >= self->slot_count || group >= self->group_count || !symbol ||
        !*symbol || strlen(symbol) >= TT_EOD_SYMBOL_MAX)
        return -1;
    pthread_mutex_lock(&self->lock);
    snprintf(self->slots[slot].symbol, TT_EOD_SYMBOL_MAX, "%s", symbol);
    self->slots[slot].group = group;
    pthread_mutex_unlock(&self->lock);
    return 0;
}

const tt_portfolio_cfg_t *tt_portfolio_cfg(const tt_portfolio_t *self)
{
    return &self->cfg;
}

size_t tt_portfolio_slots(const tt_portfolio_t *self)
{
    return self->slot_count;
}

/* Locked: the day's net P&L across every group. */
static int64_t s_realized(const tt_portfolio_t *self)
{
    int64_t sum = 0;
    for (size_t g = 0; g < self->group_count; g++)
        sum += self->groups[g].realized;
    return sum;
}

static int s_refuse(tt_portfolio_t *self, tt_risk_decision_t *out,
                    tt_risk_reason_t reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int s_refuse(tt_portfolio_t *self, tt_risk_decision_t *out,
                    tt_risk_reason_t reason, const char *fmt, ...)
{
    self->peak.refusals++;
    if (!out)
        return -1;
    out->reason = reason;
    out->qty = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->text, sizeof out->text, fmt, ap);
    va_end(ap);
    return -1;
}

/* Locked: every limit, in the order of tt_risk_reason_t. */
static int s_check(tt_portfolio_t *self, const s_slot_t *s, int64_t exposure,
                   tt_risk_decision_t *out)
{
    const tt_portfolio_cfg_t *c = &self->cfg;
    if (self->groups[s->group].closed)
        return s_refuse(self, out, TT_RISK_SESSION_CLOSED,
                        "the market session of %s is closed", s->symbol);
    if (s->breaker.tripped)
        return s_refuse(self, out, TT_RISK_BREAKER,
                        "circuit breaker of %s is tripped", s->symbol);
    if (c->max_daily_loss > 0 && s_realized(self) <= -c->max_daily_loss)
        self->halted = true; /* until a session opens */
    if (self->halted)
        return s_refuse(self, out, TT_RISK_DAILY_LOSS,
                        "portfolio daily loss %lld reached the limit %lld; "
                        "entries halted until the next session",
                        (long long)s_realized(self),
                        (long long)c->max_daily_loss);
    if (s->held)
        return s_refuse(self, out, TT_RISK_POSITION_OPEN,
                        "%s already has a position or an entry working",
                        s->symbol);
    if (c->max_open_positions > 0 && self->open >= c->max_open_positions)
        return s_refuse(self, out, TT_RISK_MAX_OPEN_POSITIONS,
                        "%d positions open (portfolio max %d)", (int)self->open,
                        (int)c->max_open_positions);
    int64_t total;
    if (c->max_exposure > 0 &&
        (__builtin_add_overflow(self->exposure, exposure, &total) ||
         total > c->max_exposure))
        return s_refuse(self, out, TT_RISK_MAX_EXPOSURE,
                        "portfolio exposure %lld + %lld above the maximum "
                        "%lld",
                        (long long)self->exposure, (long long)exposure,
                        (long long)c->max_exposure);
    return 0;
}

int tt_portfolio_reserve(tt_portfolio_t *self, size_t slot, int64_t exposure,
                         tt_ns_t ts, tt_risk_decision_t *out)
{
    (void)ts;
    assert(self && slot < self->slot_count);
    if (exposure < 0)
        exposure = 0;
    pthread_mutex_lock(&self->lock);
    s_slot_t *s = &self->slots[slot];
    int rc = s_check(self, s, exposure, out);
    if (rc == 0) {
        s->held = true;
        s->exposure = s->reserved = exposure;
        self->exposure += exposure;
        self->open++;
        self->peak.reservations++;
        if (self->exposure > self->peak.max_exposure)
            self->peak.max_exposure = self->exposure;
        if (self->open > self->peak.max_open)
            self->peak.max_open = self->open;
    }
    pthread_mutex_unlock(&self->lock);
    return rc;
}

void tt_portfolio_update(tt_portfolio_t *self, size_t slot, int64_t exposure,
                         bool entry_working)
{
    assert(self && slot < self->slot_count);
    pthread_mutex_lock(&self->lock);
    s_slot_t *s = &self->slots[slot];
    if (exposure < 0)
        exposure = 0;
    if (entry_working && exposure < s->reserved)
        exposure = s->reserved;
    if (s->held) {
        self->exposure += exposure - s->exposure;
        s->exposure = exposure;
        if (self->exposure > self->peak.max_exposure)
            self->peak.max_exposure = self->exposure;
    }
    pthread_mutex_unlock(&self->lock);
}

void tt_portfolio_release(tt_portfolio_t *self, size_t slot)
{
    assert(self && slot < self->slot_count);
    pthread_mutex_lock(&self->lock);
    s_slot_t *s = &self->slots[slot];
    if (s->held) {
        self->exposure -= s->exposure;
        self->open--;
        s->exposure = s->reserved = 0;
        s->held = false;
    }
    pthread_mutex_unlock(&self->lock);
}

bool tt_portfolio_held(const tt_portfolio_t *self, size_t slot)
{
    assert(self && slot < self->slot_count);
    tt_portfolio_t *me = (tt_portfolio_t *)self; /* the lock only */
    pthread_mutex_lock(&me->lock);
    bool held = self->slots[slot].held;
    pthread_mutex_unlock(&me->lock);
    return held;
}

bool tt_portfolio_trade_closed(tt_portfolio_t *self, size_t slot, int64_t gross,
                               int64_t fees, tt_ns_t ts)
{
    (void)ts;
    assert(self && slot < self->slot_count);
    pthread_mutex_lock(&self->lock);
    s_slot_t *s = &self->slots[slot];
    s_group_t *g = &self->groups[s->group];
    int64_t before = s_realized(self);
    g->realized += gross - fees;
    if (s->symbol[0])
        tt_eod_add_trade(g->eod, s->symbol, gross, fees < 0 ? 0 : fees);
    int64_t limit = self->cfg.max_daily_loss;
    bool breached = limit > 0 && !self->halted && before > -limit &&
                    s_realized(self) <= -limit;
    if (breached)
        self->halted = true;
    pthread_mutex_unlock(&self->lock);
    return breached;
}

bool tt_portfolio_broker_error(tt_portfolio_t *self, size_t slot, tt_ns_t ts)
{
    assert(self && slot < self->slot_count);
    pthread_mutex_lock(&self->lock);
    bool tripped = tt_breaker_record(&self->slots[slot].breaker, ts);
    pthread_mutex_unlock(&self->lock);
    return tripped;
}

/* Locked. */
static size_t s_reset(s_slot_t *s, tt_ns_t ts)
{
    bool was = s->breaker.tripped;
    tt_breaker_reset(&s->breaker, ts);
    return was ? 1 : 0;
}

size_t tt_portfolio_breaker_reset(tt_portfolio_t *self, size_t slot, tt_ns_t ts)
{
    assert(self && (slot < self->slot_count || slot == SIZE_MAX));
    size_t n = 0;
    pthread_mutex_lock(&self->lock);
    for (size_t i = 0; i < self->slot_count; i++)
        if (slot == SIZE_MAX || slot == i)
            n += s_reset(&self->slots[i], ts);
    pthread_mutex_unlock(&self->lock);
    return n;
}

bool tt_portfolio_breaker_tripped(const tt_portfolio_t *self, size_t slot)
{
    assert(self && slot < self->slot_count);
    tt_portfolio_t *me = (tt_portfolio_t *)self;
    pthread_mutex_lock(&me->lock);
    bool tripped = self->slots[slot].breaker.tripped;
    pthread_mutex_unlock(&me->lock);
    return tripped;
}

void tt_portfolio_snap(const tt_portfolio_t *self, size_t slot,
                       tt_portfolio_snap_t *out)
{
    assert(self && out && slot < self->slot_count);
    tt_portfolio_t *me = (tt_portfolio_t *)self;
    pthread_mutex_lock(&me->lock);
    *out = (tt_portfolio_snap_t){.equity = self->cfg.equity,
                                 .exposure = self->exposure,
                                 .open_positions = self->open,
                                 .realized_today = s_realized(self),
                                 .decimals = self->cfg.decimals,
                                 .breaker_tripped =
                                     self->slots[slot].breaker.tripped};
    pthread_mutex_unlock(&me->lock);
}

void tt_portfolio_stats(const tt_portfolio_t *self, tt_portfolio_stats_t *out)
{
    assert(self && out);
    tt_portfolio_t *me = (tt_portfolio_t *)self;
    pthread_mutex_lock(&me->lock);
    *out = self->peak;
    out->exposure = self->exposure;
    out->open = self->open;
    out->realized_today = s_realized(self);
    out->halted = self->halted;
    pthread_mutex_unlock(&me->lock);
}

size_t tt_portfolio_session_open(tt_portfolio_t *self, size_t group,
                                 int32_t session_id, tt_ns_t ts)
{
    assert(self && group < self->group_count);
    size_t n = 0;
    pthread_mutex_lock(&self->lock);
    s_group_t *g = &self->groups[group];
    g->realized = 0;
    g->closed = false;
    (void)session_id;
    self->halted = false;
    for (size_t i = 0; i < self->slot_count; i++)
        if (self->slots[i].group == group)
            n += s_reset(&self->slots[i], ts);
    pthread_mutex_unlock(&self->lock);
    return n;
}

void tt_portfolio_session_close(tt_portfolio_t *self, size_t group)
{
    assert(self && group < self->group_count);
    pthread_mutex_lock(&self->lock);
    self->groups[group].closed = true;
    pthread_mutex_unlock(&self->lock);
}

bool tt_portfolio_session_is_open(const tt_portfolio_t *self, size_t group)
{
    assert(self && group < self->group_count);
    tt_portfolio_t *me = (tt_portfolio_t *)self;
    pthread_mutex_lock(&me->lock);
    bool open = !self->groups[group].closed;
    pthread_mutex_unlock(&me->lock);
    return open;
}

size_t tt_portfolio_group_of(const tt_portfolio_t *self, size_t slot)
{
    assert(self && slot < self->slot_count);
    return self->slots[slot].group; /* set before any actor runs */
}

size_t tt_portfolio_eod(const tt_portfolio_t *self, size_t group,
                        tt_eod_line_t *lines, size_t cap, tt_eod_line_t *total)
{
    assert(self && group < self->group_count);
    tt_portfolio_t *me = (tt_portfolio_t *)self;
    pthread_mutex_lock(&me->lock);
    const tt_eod_t *eod = self->groups[group].eod;
    size_t n = tt_eod_count(eod);
    for (size_t i = 0; i < n && i < cap; i++)
        lines[i] = *tt_eod_at(eod, i);
    if (total)
        *total = *tt_eod_total(eod);
    pthread_mutex_unlock(&me->lock);
    return n;
}

void tt_portfolio_eod_reset(tt_portfolio_t *self, size_t group,
                            int32_t session_id)
{
    assert(self && group < self->group_count);
    pthread_mutex_lock(&self->lock);
    tt_eod_reset(self->groups[group].eod, session_id);
    pthread_mutex_unlock(&self->lock);
}
