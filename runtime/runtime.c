/*  runtime/runtime.c: the actor directory and the worker pool (see
    runtime.h). Runs on the main thread; workers are started and stopped
    from here. */
#include "runtime/runtime.h"
#include "runtime/worker.h"

#include <assert.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tt_runtime {
    char root_endpoint[48];
    char bus_endpoint[48];
    bool bus;                       /* a bus is bound at bus_endpoint */
    struct tt_portfolio *portfolio; /* see tt_runtime_set_portfolio */
    unsigned instance; /* distinguishes this runtime's endpoint names */
    const tt_config_t *cfg;
    tt_clock_t *clock;
    int worker_count;
    uint32_t actor_count;
    tt_actor_entry_t *actors;
    tt_worker_stats_t *worker_stats;
    tt_worker_t **workers;
    bool track;                /* count frames in flight (backtests) */
    _Atomic int64_t inflight;  /* accepted by a sender, not yet handled */
    _Atomic int64_t aside;     /* ... of them to the bus, set aside */
    int64_t aside_max;         /* the bus's lag the graph waits past; 0 */
    _Atomic int64_t fences;    /* sent by stopping feeds, not yet handled */
    _Atomic int64_t stop_by;   /* mono ns the stop is due by; 0: none */
    pthread_mutex_t idle_lock; /* signals inflight reaching zero */
    pthread_cond_t idle;
    int64_t trade_from_ns; /* signals decided earlier are history */
    bool local_intents;    /* execution answers its own intents */
    tt_latency_t latency[TT_LATENCY_KINDS];
};

static const char *s_role_names[TT_ROLE_COUNT] = {"execution", "data",
                                                  "indicator", "strategy"};

const char *tt_role_name(tt_actor_role_t role)
{
    return role < TT_ROLE_COUNT ? s_role_names[role] : "?";
}

int tt_role_parse(const char *name)
{
    for (int role = 0; role < TT_ROLE_COUNT; role++)
        if (name && strcmp(name, s_role_names[role]) == 0)
            return role;
    return -1;
}

void tt_runtime_endpoint_actor(char *buf, size_t size, const char *symbol,
                               const char *role)
{
    snprintf(buf, size, "inproc://sym/%s/%s", symbol, role);
}

void tt_runtime_endpoint_worker(const tt_runtime_t *self, char *buf,
                                size_t size, int worker)
{
    snprintf(buf, size, "inproc://rt%u/worker/%d", self->instance, worker);
}

void tt_runtime_endpoint_broker(const tt_runtime_t *self, char *buf,
                                size_t size, size_t venue)
{
    snprintf(buf, size, "inproc://rt%u/broker/%zu", self->instance, venue);
}

const char *tt_runtime_endpoint_root(const tt_runtime_t *self)
{
    return self->root_endpoint;
}

const char *tt_runtime_endpoint_bus(const tt_runtime_t *self)
{
    return self->bus_endpoint;
}

void tt_runtime_set_bus(tt_runtime_t *self, bool present)
{
    self->bus = present;
}

bool tt_runtime_has_bus(const tt_runtime_t *self)
{
    return self->bus;
}

void tt_runtime_set_portfolio(tt_runtime_t *self, struct tt_portfolio *pf)
{
    self->portfolio = pf;
}

tt_latency_t *tt_runtime_latency(tt_runtime_t *self, tt_latency_kind_t kind)
{
    return &self->latency[kind];
}

struct tt_portfolio *tt_runtime_portfolio(const tt_runtime_t *self)
{
    return self->portfolio;
}

uint32_t tt_runtime_actor_id(int symbol, tt_actor_role_t role)
{
    return (uint32_t)symbol * TT_ROLE_COUNT + (uint32_t)role;
}

tt_runtime_t *tt_runtime_new(const tt_config_t *cfg, tt_clock_t *clock,
                             const tt_behaviour_t *const roles[TT_ROLE_COUNT])
{
    assert(cfg && clock && cfg->workers > 0);
    static _Atomic unsigned instances = 0;
    tt_runtime_t *self = calloc(1, sizeof *self);
    assert(self);
    pthread_mutex_init(&self->idle_lock, NULL);
    pthread_cond_init(&self->idle, NULL);
    assert(self);
    self->instance = atomic_fetch_add(&instances, 1);
    snprintf(self->root_endpoint, sizeof self->root_endpoint,
             "inproc://rt%u/root", self->instance);
    snprintf(self->bus_endpoint, sizeof self->bus_endpoint, "inproc://rt%u/bus",
             self->instance);
    self->cfg = cfg;
    self->clock = clock;
    self->worker_count = cfg->workers;
    self->actor_count = (uint32_t)cfg->symbol_count * TT_ROLE_COUNT;
    self->actors = calloc(self->actor_count, sizeof *self->actors);
    self->worker_stats =
        calloc((size_t)self->worker_count, sizeof *self->worker_stats);
    self->workers = calloc((size_t)self->worker_count, sizeof *self->workers);
    assert(self->actors && self->worker_stats && self->workers);
    for (size_t sym = 0; sym < cfg->symbol_count; sym++) {
        for (int role = 0; role < TT_ROLE_COUNT; role++) {
            uint32_t id = tt_runtime_actor_id((int)sym, role);
            tt_actor_entry_t *entry = &self->actors[id];
            entry->id = id;
            entry->symbol = (int)sym;
            entry->role = role;
            entry->worker = (int)(sym % (size_t)self->worker_count);
            entry->behaviour = roles[role];
            snprintf(entry->path, sizeof entry->path, "%s/%s",
                     cfg->symbols[sym].name, s_role_names[role]);
            tt_runtime_endpoint_actor(entry->endpoint, sizeof entry->endpoint,
                                      cfg->symbols[sym].name,
                                      s_role_names[role]);
        }
    }
    return self;
}

void tt_runtime_destroy(tt_runtime_t **self_p)
{
    assert(self_p);
    tt_runtime_t *self = *self_p;
    if (!self)
        return;
    tt_runtime_stop(self);
    free(self->workers);
    free(self->worker_stats);
    free(self->actors);
    pthread_cond_destroy(&self->idle);
    pthread_mutex_destroy(&self->idle_lock);
    free(self);
    *self_p = NULL;
}

int tt_runtime_start(tt_runtime_t *self)
{
    for (int w = 0; w < self->worker_count; w++) {
        self->workers[w] = tt_worker_new(self, w);
        if (!self->workers[w])
            return -1;
    }
    return 0;
}

void tt_runtime_stop(tt_runtime_t *self)
{
    for (int w = 0; w < self->worker_count; w++)
        tt_worker_destroy(&self->workers[w]);
}

const tt_config_t *tt_runtime_config(const tt_runtime_t *self)
{
    return self->cfg;
}

tt_clock_t *tt_runtime_clock(const tt_runtime_t *self)
{
    return self->clock;
}

int tt_runtime_workers(const tt_runtime_t *self)
{
    return self->worker_count;
}

uint32_t tt_runtime_actor_count(const tt_runtime_t *self)
{
    return self->actor_count;
}

tt_actor_entry_t *tt_runtime_actor(tt_runtime_t *self, uint32_t id)
{
    return id < self->actor_count ? &self->actors[id] : NULL;
}

tt_worker_stats_t *tt_runtime_worker_stats(tt_runtime_t *self, int worker)
{
    assert(worker >= 0 && worker < self->worker_count);
    return &self->worker_stats[worker];
}

int64_t tt_runtime_lookup(const tt_runtime_t *self, const char *endpoint)
{
    for (uint32_t id = 0; id < self->actor_count; id++)
        if (strcmp(self->actors[id].endpoint, endpoint) == 0)
            return id;
    return -1;
}

void tt_runtime_track_inflight(tt_runtime_t *self, bool on)
{
    self->track = on;
}

bool tt_runtime_tracking(const tt_runtime_t *self)
{
    return self->track;
}

void tt_runtime_sent(tt_runtime_t *self)
{
    if (self->track)
        atomic_fetch_add_explicit(&self->inflight, 1, memory_order_relaxed);
}

void tt_runtime_handled(tt_runtime_t *self, int64_t frames)
{
    if (!self->track || !frames)
        return;
    /* The thread that brings the count to zero wakes the waiter; taking
       the lock orders the wake-up after a waiter's check. */
    if (atomic_fetch_sub_explicit(&self->inflight, frames,
                                  memory_order_acq_rel) == frames) {
        pthread_mutex_lock(&self->idle_lock);
        pthread_cond_broadcast(&self->idle);
        pthread_mutex_unlock(&self->idle_lock);
    }
}

void tt_runtime_set_bus_aside(tt_runtime_t *self, int64_t max_lag)
{
    assert(max_lag >= 0);
    self->aside_max = max_lag;
}

bool tt_runtime_bus_aside(const tt_runtime_t *self)
{
    return self->track && self->aside_max > 0;
}

void tt_runtime_sent_aside(tt_runtime_t *self)
{
    atomic_fetch_add_explicit(&self->aside, 1, memory_order_relaxed);
}

/* Wakes a waiter when the bus catches up to its lag, or entirely. */
void tt_runtime_handled_aside(tt_runtime_t *self, int64_t frames)
{
    if (!frames)
        return;
    int64_t was =
        atomic_fetch_sub_explicit(&self->aside, frames, memory_order_acq_rel);
    int64_t now = was - frames;
    if (now == 0 || (was > self->aside_max && now <= self->aside_max)) {
        pthread_mutex_lock(&self->idle_lock);
        pthread_cond_broadcast(&self->idle);
        pthread_mutex_unlock(&self->idle_lock);
    }
}

int64_t tt_runtime_aside(const tt_runtime_t *self)
{
    return atomic_load_explicit(&self->aside, memory_order_acquire);
}

static bool s_idle(tt_runtime_t *self, int64_t lag)
{
    return atomic_load(&self->inflight) == 0 &&
           atomic_load(&self->aside) <= lag;
}

/* Waits until nothing is in flight and at most LAG frames are set aside. */
static bool s_wait(tt_runtime_t *self, int64_t timeout_ns, int64_t lag)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ns / 1000000000;
    until.tv_nsec += timeout_ns % 1000000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&self->idle_lock);
    while (!s_idle(self, lag))
        if (pthread_cond_timedwait(&self->idle, &self->idle_lock, &until))
            break;
    bool idle = s_idle(self, lag);
    pthread_mutex_unlock(&self->idle_lock);
    return idle;
}

bool tt_runtime_wait_idle(tt_runtime_t *self, int64_t timeout_ns)
{
    return s_wait(self, timeout_ns, self->aside_max);
}

bool tt_runtime_wait_drained(tt_runtime_t *self, int64_t timeout_ns)
{
    return s_wait(self, timeout_ns, 0);
}

void tt_runtime_fence_sent(tt_runtime_t *self, int64_t n)
{
    atomic_fetch_add(&self->fences, n);
}

void tt_runtime_fence_done(tt_runtime_t *self)
{
    atomic_fetch_sub(&self->fences, 1);
}

int64_t tt_runtime_fences(const tt_runtime_t *self)
{
    return atomic_load(&self->fences);
}

void tt_runtime_set_stop_by(tt_runtime_t *self, int64_t mono_ns)
{
    atomic_store(&self->stop_by, mono_ns);
}

bool tt_runtime_stop_due(const tt_runtime_t *self)
{
    int64_t by = atomic_load(&self->stop_by);
    return by != 0 && tt_mono_ns() >= by;
}

int64_t tt_runtime_inflight(const tt_runtime_t *self)
{
    return atomic_load_explicit(&self->inflight, memory_order_acquire);
}

void tt_runtime_set_trade_from(tt_runtime_t *self, int64_t ts_ns)
{
    self->trade_from_ns = ts_ns;
}

int64_t tt_runtime_trade_from(const tt_runtime_t *self)
{
    return self->trade_from_ns;
}

void tt_runtime_set_local_intents(tt_runtime_t *self, bool on)
{
    self->local_intents = on;
}

bool tt_runtime_local_intents(const tt_runtime_t *self)
{
    return self->local_intents;
}

void tt_thread_name(const char *name)
{
    char full[16]; /* the kernel's TASK_COMM_LEN */
    snprintf(full, sizeof full, "tt-%s", name);
    pthread_setname_np(pthread_self(), full); /* cosmetic: errors ignored */
}
