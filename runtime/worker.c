/*  runtime/worker.c: one worker thread: a poll loop over one mailbox that
    delivers frames to the actors it hosts, runs their timers and executes
    the root's lifecycle commands. Runs on its own thread (a czmq zactor);
    everything in tt_worker_t below the thread handle is private to it. */
#include "runtime/worker.h"
#include "runtime/bytes.h"
#include "runtime/log.h"

#include <assert.h>
#include <czmq.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_DRAIN_BATCH 256 /* frames taken per poll wake-up */
/* Local frames handled per mailbox frame, at most, before the mailbox
   gets its turn again (a chain of actors answering each other cannot
   starve the root's commands). */
#define S_LOCAL_BATCH 4096
#define S_MAX_WAIT_MS 50 /* poll at least this often (manual clocks) */

struct tt_actor {
    tt_worker_t *worker;
    tt_actor_entry_t *entry;
    void *state;
    bool up;
    bool paused;
    int64_t timer_interval_ns;
    int64_t timer_due_ns;
    char fail_reason[TT_REASON_MAX];
};

struct tt_worker {
    zactor_t *thread;
    tt_runtime_t *rt;
    int index;
    tt_worker_stats_t *stats;
    zsock_t *inbox;
    tt_sender_t *sender;
    tt_actor_t *slots; /* by actor id; only hosted ones are used */
    uint32_t slot_count;
    int64_t next_timer_ns; /* earliest timer due; INT64_MAX when none */
    /* A backtest's market time as this worker has reached it in its
       mailbox (TT_MSG_TIME); from the first on (market_time), the
       runtime's clock is no longer read here. */
    int64_t market_ns;
    bool market_time;
    bool bound_ok;
    /* The watchdog's stamp (busy_since_ns) is read per handler call:
       from the coarse clock when its resolution is at most a hundredth
       of the watchdog's deadline (s_busy_clock_ok), so the root's
       comparison moves by at most that. */
    bool coarse_busy;
    /* Frames between the actors of this worker, oldest first: records
       (s_local_rec_t, then the frame, padded to 8 bytes) in [head, tail)
       of one buffer that is reset whenever it empties. */
    tt_bytes_t local;
    size_t local_frames;
    size_t local_counted; /* of them, those counted in flight */
    /* A mailbox frame is being handled, its chain of local frames
       included, and counts as in flight until it ends: the frames of
       that chain need no count of their own (s_local_put). */
    bool covered;
    int local_hwm;
};

/* --- the calls behaviours make (runtime/actor.h) --- */

uint32_t tt_actor_id(const tt_actor_t *self)
{
    return self->entry->id;
}

const char *tt_actor_path(const tt_actor_t *self)
{
    return self->entry->path;
}

tt_actor_role_t tt_actor_role(const tt_actor_t *self)
{
    return self->entry->role;
}

const tt_config_t *tt_actor_config(const tt_actor_t *self)
{
    return tt_runtime_config(self->worker->rt);
}

const tt_symbol_cfg_t *tt_actor_symbol(const tt_actor_t *self)
{
    if (self->entry->symbol < 0)
        return NULL;
    return &tt_actor_config(self)->symbols[self->entry->symbol];
}

uint32_t tt_actor_sibling(const tt_actor_t *self, tt_actor_role_t role)
{
    return tt_runtime_actor_id(self->entry->symbol, role);
}

bool tt_actor_paused(const tt_actor_t *self)
{
    return self->paused;
}

void *tt_actor_memory(tt_actor_t *self, uint32_t **len)
{
    *len = &self->entry->memory_len;
    return self->entry->memory;
}

bool tt_actor_has_bus(const tt_actor_t *self)
{
    return tt_runtime_has_bus(self->worker->rt);
}

void tt_actor_latency(tt_actor_t *self, tt_latency_kind_t kind)
{
    int64_t origin = tt_origin_get();
    if (origin > 0 && kind < TT_LATENCY_KINDS)
        tt_latency_record(tt_runtime_latency(self->worker->rt, kind),
                          tt_mono_ns() - origin);
}

bool tt_actor_replaying(const tt_actor_t *self)
{
    return tt_runtime_tracking(self->worker->rt);
}

bool tt_actor_local_intents(const tt_actor_t *self)
{
    return tt_runtime_local_intents(self->worker->rt);
}

int64_t tt_actor_trade_from(const tt_actor_t *self)
{
    return tt_runtime_trade_from(self->worker->rt);
}

struct tt_portfolio *tt_actor_portfolio(const tt_actor_t *self)
{
    return tt_runtime_portfolio(self->worker->rt);
}

/* The time this worker's actors see: the runtime's clock, or in a
   backtest the market time the worker has reached in its mailbox. The
   replay feed sends it in band (TT_MSG_TIME) behind the ticks before
   it, so a tick is handled at the time it came in however far ahead
   the feed has gone, and two workers need not agree at any instant:
   their symbols share nothing in a backtest. */
static int64_t s_now(const tt_worker_t *self)
{
    return self->market_time ? self->market_ns
                             : tt_clock_now(tt_runtime_clock(self->rt));
}

int64_t tt_actor_now(const tt_actor_t *self)
{
    return s_now(self->worker);
}

int tt_actor_send(tt_actor_t *self, uint32_t to, uint16_t type,
                  const void *body, uint32_t len)
{
    return tt_sender_send(self->worker->sender, to, self->entry->id, type, body,
                          len, false);
}

int tt_actor_send_critical(tt_actor_t *self, uint32_t to, uint16_t type,
                           const void *body, uint32_t len)
{
    return tt_sender_send(self->worker->sender, to, self->entry->id, type, body,
                          len, true);
}

void tt_actor_timer_every(tt_actor_t *self, int64_t interval_ns)
{
    self->timer_interval_ns = interval_ns > 0 ? interval_ns : 0;
    self->timer_due_ns = interval_ns > 0 ? tt_actor_now(self) + interval_ns : 0;
    if (self->timer_interval_ns &&
        self->timer_due_ns < self->worker->next_timer_ns)
        self->worker->next_timer_ns = self->timer_due_ns;
}

void tt_actor_fail(tt_actor_t *self, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(self->fail_reason, sizeof self->fail_reason, format, args);
    va_end(args);
}

tt_actor_stats_t *tt_actor_stats(tt_actor_t *self)
{
    return &self->entry->stats;
}

void tt_actor_report(tt_actor_t *self, uint16_t type)
{
    tt_sender_send(self->worker->sender, TT_ACTOR_ROOT, self->entry->id, type,
                   NULL, 0, true);
}

void tt_actor_note_tick(tt_actor_t *self, int64_t ts_ns, uint32_t count)
{
    (void)ts_ns;
    tt_actor_stats_t *stats = &self->entry->stats;
    atomic_store_explicit(&stats->last_rx_ns, tt_actor_now(self),
                          memory_order_relaxed);
    atomic_fetch_add_explicit(&stats->ticks, count, memory_order_relaxed);
}

/* --- lifecycle of one hosted actor --- */

static void s_report(tt_worker_t *self, tt_actor_t *actor, uint16_t type,
                     const char *reason)
{
    tt_rep_failed_t failed;
    uint32_t len = 0;
    if (type == TT_REP_FAILED) {
        snprintf(failed.reason, sizeof failed.reason, "%s", reason);
        len = sizeof failed;
    }
    tt_sender_send(self->sender, TT_ACTOR_ROOT, actor->entry->id, type, &failed,
                   len, true);
}

static void s_take_down(tt_worker_t *self, tt_actor_t *actor)
{
    if (actor->entry->behaviour->destroy)
        actor->entry->behaviour->destroy(actor, &actor->state);
    actor->state = NULL;
    actor->up = false;
    actor->timer_interval_ns = 0;
    atomic_fetch_sub(&self->stats->actors_up, 1);
}

static void s_fail(tt_worker_t *self, tt_actor_t *actor)
{
    if (!actor->fail_reason[0])
        snprintf(actor->fail_reason, sizeof actor->fail_reason,
                 "handler returned an error");
    tt_warn(actor->entry->path, "failed: %s", actor->fail_reason);
    s_take_down(self, actor);
    s_report(self, actor, TT_REP_FAILED, actor->fail_reason);
}

static void s_start(tt_worker_t *self, tt_actor_t *actor)
{
    if (actor->up) {
        s_report(self, actor, TT_REP_STARTED, NULL);
        return;
    }
    actor->fail_reason[0] = '\0';
    actor->paused = false;
    actor->timer_interval_ns = 0;
    const tt_behaviour_t *behaviour = actor->entry->behaviour;
    if (behaviour->init && behaviour->init(actor, &actor->state) != 0) {
        if (!actor->fail_reason[0])
            snprintf(actor->fail_reason, sizeof actor->fail_reason,
                     "init failed");
        actor->state = NULL;
        s_report(self, actor, TT_REP_FAILED, actor->fail_reason);
        return;
    }
    actor->up = true;
    atomic_fetch_add(&self->stats->actors_up, 1);
    s_report(self, actor, TT_REP_STARTED, NULL);
}

static void s_stop(tt_worker_t *self, tt_actor_t *actor)
{
    if (actor->up)
        s_take_down(self, actor);
    s_report(self, actor, TT_REP_STOPPED, NULL);
}

/* An injected fault: fail now, or busy the thread as a hung handler would
   (the watchdog must notice; nothing here is allowed to shorten it). */
static void s_fault(tt_worker_t *self, tt_actor_t *actor,
                    const tt_sys_fault_t *fault)
{
    if (!actor->up)
        return;
    if (fault->kind == TT_FAULT_HANG) {
        atomic_store(&self->stats->busy_actor, actor->entry->id);
        atomic_store(&self->stats->busy_since_ns, tt_mono_ns());
        int64_t until = tt_mono_ns() + (int64_t)fault->hang_ms * 1000000;
        while (tt_mono_ns() < until) {
            struct timespec nap = {0, 1000000};
            nanosleep(&nap, NULL);
        }
        atomic_store(&self->stats->busy_since_ns, 0);
        return;
    }
    tt_actor_fail(actor, "injected fault");
    s_fail(self, actor);
}

/* --- frames between this worker's actors --- */

/* The record before each local frame. */
typedef struct {
    uint32_t size;    /* header and body */
    uint32_t counted; /* counted in flight by the sender */
} s_local_rec_t;

/* A frame from one of this worker's actors to another of them never
   touches a socket: it is appended here and handled, in order, right
   after the frame whose handling sent it (s_run_local). A hop between a
   symbol's actors (data, indicator, strategy, execution: one worker)
   costs a copy instead of a socket round (an eventfd write and read,
   polls and libzmq's checks: about ten system calls a hop). Droppable frames
   are dropped past the mailbox's high-water mark, as a full mailbox would;
   critical ones always queue. A frame put while a mailbox frame's chain
   runs (covered) is not counted in flight: the mailbox frame is counted
   handled only after its whole chain, so the count cannot reach zero
   before the chain's end anyway, and two atomic operations a hop on the
   line every thread counts on (tt_runtime_sent, tt_runtime_handled) are
   saved. A frame a timer sends is counted as before. */
static int s_local_put(void *arg, const tt_msg_hdr_t *hdr, const void *body,
                       bool critical)
{
    tt_worker_t *self = arg;
    if (!critical && self->local_frames >= (size_t)self->local_hwm)
        return -1;
    size_t size = sizeof *hdr + hdr->len;
    size_t need = sizeof(s_local_rec_t) + ((size + 7) & ~(size_t)7);
    if (self->local.tail + need > self->local.cap)
        tt_bytes_make_room(&self->local, need);
    unsigned char *at = self->local.buf + self->local.tail;
    s_local_rec_t rec = {.size = (uint32_t)size, .counted = !self->covered};
    memcpy(at, &rec, sizeof rec);
    memcpy(at + sizeof rec, hdr, sizeof *hdr);
    if (hdr->len)
        memcpy(at + sizeof rec + sizeof *hdr, body, hdr->len);
    self->local.tail += need;
    self->local_frames++;
    self->local_counted += rec.counted;
    return self->covered ? 1 : 0;
}

/* Takes the oldest local frame into MSG and whether it was counted in
   flight into *COUNTED; false when none. */
static bool s_local_take(tt_worker_t *self, tt_msg_t *msg, bool *counted)
{
    if (!self->local_frames)
        return false;
    s_local_rec_t rec;
    memcpy(&rec, self->local.buf + self->local.head, sizeof rec);
    memcpy(msg, self->local.buf + self->local.head + sizeof rec, rec.size);
    self->local.head += sizeof rec + ((rec.size + 7) & ~(size_t)7);
    *counted = rec.counted != 0;
    self->local_counted -= rec.counted;
    if (--self->local_frames == 0)
        self->local.head = self->local.tail = 0;
    return true;
}

/* --- dispatch --- */

/* Adds one to a counter only this worker writes (the root reads it): a
   load and a store, not a locked read-modify-write (three a frame). */
static void s_bump(_Atomic uint64_t *counter)
{
    atomic_store_explicit(
        counter, atomic_load_explicit(counter, memory_order_relaxed) + 1,
        memory_order_relaxed);
}

static void s_deliver(tt_worker_t *self, tt_actor_t *actor, const tt_msg_t *msg)
{
    tt_actor_stats_t *stats = &actor->entry->stats;
    if (!actor->up) {
        atomic_fetch_add_explicit(&stats->undeliverable, 1,
                                  memory_order_relaxed);
        return;
    }
    atomic_store_explicit(&self->stats->busy_actor, actor->entry->id,
                          memory_order_relaxed);
    atomic_store_explicit(&self->stats->busy_since_ns,
                          self->coarse_busy ? tt_mono_coarse_ns()
                                            : tt_mono_ns(),
                          memory_order_release);
    actor->fail_reason[0] = '\0';
    tt_origin_set(msg->hdr.origin_ns);
    int rc = actor->entry->behaviour->handle(actor, actor->state, msg);
    tt_origin_set(0);
    atomic_store_explicit(&self->stats->busy_since_ns, 0, memory_order_release);
    s_bump(&stats->handled);
    s_bump(&self->stats->handled);
    if (rc != 0)
        s_fail(self, actor);
}

static void s_unpack(tt_worker_t *self, const tt_msg_t *pack);

static void s_dispatch(tt_worker_t *self, const tt_msg_t *msg)
{
    tt_actor_t *actor =
        msg->hdr.to < self->slot_count ? &self->slots[msg->hdr.to] : NULL;
    if (!actor || !actor->entry || actor->entry->worker != self->index) {
        tt_error("runtime", "worker %d: frame for actor %u it does not host",
                 self->index, msg->hdr.to);
        return;
    }
    s_bump(&actor->entry->stats.dequeued);
    switch (msg->hdr.type) {
    case TT_SYS_START:
        s_start(self, actor);
        break;
    case TT_SYS_STOP:
        s_stop(self, actor);
        break;
    case TT_SYS_PAUSE:
    case TT_SYS_RESUME:
        actor->paused = msg->hdr.type == TT_SYS_PAUSE;
        break;
    case TT_SYS_FAULT:
        s_fault(self, actor, &msg->body.fault);
        break;
    case TT_SYS_FENCE:
        tt_runtime_fence_done(self->rt);
        break;
    case TT_MSG_PACK:
        s_unpack(self, msg);
        break;
    case TT_MSG_TIME:
        if (!self->market_time || msg->body.clock.now > self->market_ns)
            self->market_ns = msg->body.clock.now;
        self->market_time = true;
        break;
    default:
        s_deliver(self, actor, msg);
    }
}

/* Handles the local frames, those their handling sends included, up to
   S_LOCAL_BATCH; in a backtest (tracking on) every one of them: there a
   chain cut short would let the next mailbox frame or pack item (the
   replay's next tick or clock) in before the rest of it, and the order
   an actor sees would no longer be the data's. A backtest's chains end
   (a handler answers a frame from outside, never its own answer); one
   that did not would hold the feed's settle until it gives up. */
static void s_run_local(tt_worker_t *self)
{
    tt_msg_t msg;
    bool counted;
    int limit = tt_runtime_tracking(self->rt) ? INT_MAX : S_LOCAL_BATCH;
    for (int n = 0; n < limit && s_local_take(self, &msg, &counted); n++) {
        s_dispatch(self, &msg);
        if (counted)
            tt_runtime_handled(self->rt, 1);
    }
}

/* A pack (messages/internal.h, checked on receipt): each item is handled
   as a mailbox frame of its own would be, what it causes among this
   worker's actors included, before the next item. The pack counted as
   one frame sent and is one handled; its items are counted on their
   actors as frames sent and taken. */
static void s_unpack(tt_worker_t *self, const tt_msg_t *pack)
{
    tt_msg_t item;
    uint32_t off = 0;
    while (tt_pack_next(pack, &off, &item)) {
        tt_actor_entry_t *entry = item.hdr.to < self->slot_count
                                      ? self->slots[item.hdr.to].entry
                                      : NULL;
        if (entry)
            atomic_fetch_add_explicit(&entry->stats.enqueued, 1,
                                      memory_order_relaxed);
        s_dispatch(self, &item);
        s_run_local(self);
    }
}

static void s_drain(tt_worker_t *self)
{
    void *inbox = zsock_resolve(self->inbox);
    tt_msg_t msg;
    s_run_local(self);
    for (int n = 0; n < S_DRAIN_BATCH; n++) {
        int size = zmq_recv(inbox, &msg, sizeof msg, ZMQ_DONTWAIT);
        if (size < 0)
            return;
        if (tt_msg_check(&msg, (size_t)size) != 0) {
            tt_error("runtime", "worker %d: malformed frame (%d bytes)",
                     self->index, size);
            tt_runtime_handled(self->rt, 1);
            continue;
        }
        /* Counted handled after its chain: see s_local_put. */
        self->covered = true;
        s_dispatch(self, &msg);
        s_run_local(self);
        self->covered = false;
        tt_runtime_handled(self->rt, 1);
    }
}

static long s_wait_ms(int64_t now, int64_t next)
{
    int64_t cap = now + (int64_t)S_MAX_WAIT_MS * 1000000;
    if (next > cap)
        next = cap;
    long wait = (long)((next - now) / 1000000);
    return wait < 1 ? 1 : wait;
}

/* Runs due timers; returns ms until the next one (at most S_MAX_WAIT_MS).
   The scan over hosted actors happens only when a timer is due, so a busy
   worker pays one clock read per wake-up, not one per actor. */
static long s_run_timers(tt_worker_t *self)
{
    int64_t now = s_now(self);
    if (now < self->next_timer_ns)
        return s_wait_ms(now, self->next_timer_ns);
    int64_t next = INT64_MAX;
    for (uint32_t id = 0; id < self->slot_count; id++) {
        tt_actor_t *actor = &self->slots[id];
        if (!actor->up || !actor->timer_interval_ns)
            continue;
        if (actor->timer_due_ns <= now) {
            actor->timer_due_ns = now + actor->timer_interval_ns;
            actor->fail_reason[0] = '\0';
            const tt_behaviour_t *behaviour = actor->entry->behaviour;
            if (behaviour->timer &&
                behaviour->timer(actor, actor->state, now) != 0) {
                s_fail(self, actor);
                continue;
            }
        }
        if (actor->timer_interval_ns && actor->timer_due_ns < next)
            next = actor->timer_due_ns;
    }
    self->next_timer_ns = next;
    return s_wait_ms(now, next);
}

static void s_shutdown_actors(tt_worker_t *self)
{
    for (uint32_t id = 0; id < self->slot_count; id++)
        if (self->slots[id].up)
            s_take_down(self, &self->slots[id]);
}

static void s_worker_task(zsock_t *pipe, void *arg)
{
    tt_worker_t *self = arg;
    char name[16], endpoint[64];
    snprintf(name, sizeof name, "worker-%d", self->index);
    tt_thread_name(name);
    tt_runtime_endpoint_worker(self->rt, endpoint, sizeof endpoint,
                               self->index);
    self->inbox = zsock_new(ZMQ_PULL);
    zsock_set_rcvhwm(self->inbox, tt_runtime_config(self->rt)->mailbox_hwm);
    self->bound_ok = zsock_bind(self->inbox, "%s", endpoint) == 0;
    self->sender = self->bound_ok ? tt_sender_new(self->rt) : NULL;
    self->bound_ok = self->sender != NULL;
    self->local_hwm = tt_runtime_config(self->rt)->mailbox_hwm;
    if (self->sender) {
        tt_sender_local(self->sender, self->index, s_local_put, self);
        tt_sender_hold(self->sender, true);
    }
    zsock_signal(pipe, 0);
    zmq_pollitem_t items[] = {
        {zsock_resolve(pipe), 0, ZMQ_POLLIN, 0},
        {zsock_resolve(self->inbox), 0, ZMQ_POLLIN, 0},
    };
    int64_t spin_ns = (int64_t)tt_runtime_config(self->rt)->spin_us * 1000;
    int64_t last_frame_ns = 0;
    while (self->bound_ok) {
        long wait = s_run_timers(self);
        s_run_local(self);
        if (tt_sender_flush(self->sender) && wait > 1)
            wait = 1;
        if (self->local_frames)
            wait = 0;
        /* Within service.spin_us of its last frame the worker polls
           without sleeping: the next frame then costs no wake-up. */
        int64_t spin_from = 0;
        if (wait > 0 && spin_ns > 0) {
            int64_t now = tt_mono_ns();
            if (now - last_frame_ns < spin_ns) {
                wait = 0;
                spin_from = now;
            }
        }
        if (wait > 0)
            atomic_fetch_add_explicit(&self->stats->sleeps, 1,
                                      memory_order_relaxed);
        if (zmq_poll(items, 2, wait) < 0 && errno != EINTR)
            break;
        if (items[0].revents & ZMQ_POLLIN)
            break; /* $TERM from zactor_destroy */
        if (items[1].revents & ZMQ_POLLIN || self->local_frames) {
            s_drain(self);
            if (spin_ns > 0)
                last_frame_ns = tt_mono_ns();
        } else if (spin_from) {
            atomic_fetch_add_explicit(&self->stats->spun_ns,
                                      (uint64_t)(tt_mono_ns() - spin_from),
                                      memory_order_relaxed);
        }
    }
    s_shutdown_actors(self);
    /* Frames left for actors that are gone: handled, as far as the
       replay's count of frames in flight is concerned. */
    tt_runtime_handled(self->rt, (int64_t)self->local_counted);
    free(self->local.buf);
    tt_sender_destroy(&self->sender);
    zsock_destroy(&self->inbox);
}

/* Whether the coarse clock is fine enough for the watchdog's stamp: a
   handler is stamped up to one resolution early (4 ms on a kernel at
   250 Hz), which must stay within a hundredth of the deadline. A
   stamp per handler call from the precise clock was a vDSO read of
   about 26 ns on this VM, each of half a million frames a 100-symbol
   backtest's workers handle. */
static bool s_busy_clock_ok(const tt_config_t *cfg)
{
    int64_t res = tt_mono_coarse_res_ns();
    return res > 0 && res <= cfg->watchdog_ms * (TT_NS_PER_MS / 100);
}

tt_worker_t *tt_worker_new(tt_runtime_t *rt, int index)
{
    tt_worker_t *self = calloc(1, sizeof *self);
    assert(self);
    self->rt = rt;
    self->index = index;
    self->stats = tt_runtime_worker_stats(rt, index);
    self->slot_count = tt_runtime_actor_count(rt);
    self->next_timer_ns = INT64_MAX;
    self->coarse_busy = s_busy_clock_ok(tt_runtime_config(rt));
    self->slots =
        calloc(self->slot_count ? self->slot_count : 1, sizeof *self->slots);
    assert(self->slots);
    for (uint32_t id = 0; id < self->slot_count; id++) {
        tt_actor_entry_t *entry = tt_runtime_actor(rt, id);
        if (entry->worker == index) {
            self->slots[id].worker = self;
            self->slots[id].entry = entry;
        }
    }
    self->thread = zactor_new(s_worker_task, self);
    if (!self->thread || !self->bound_ok) {
        tt_worker_destroy(&self);
        return NULL;
    }
    return self;
}

void tt_worker_destroy(tt_worker_t **self_p)
{
    assert(self_p);
    tt_worker_t *self = *self_p;
    if (!self)
        return;
    zactor_destroy(&self->thread);
    free(self->slots);
    free(self);
    *self_p = NULL;
}
