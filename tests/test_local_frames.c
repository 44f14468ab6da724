/*  tests/test_local_frames.c: frames between the actors of one worker
    (runtime/worker.c: an in-memory queue, not the worker's socket), and
    a holding sender's frames to other threads, on the real runtime: a pinger
   actor answers each frame from the test by sending a burst to a sibling on the
   same worker. Critical frames all arrive, in the order sent, and each burst is
   handled before the next mailbox frame; droppable frames past the mailbox
   high-water mark are dropped and counted on the sender, exactly at the mark;
   the count of frames in flight (what a replay waits on) comes back to zero. A
    holding sender sends nothing before its flush, everything after, in
    order and whole across its buffer's growth and a full mailbox. In a
    backtest a chain runs to its end, however long, before the next item
    of a pack; live, the mailbox gets its turn after 4096 frames; and the
    actors read the market time their worker has reached in band. A
    backtest's frames to the bus are set aside (runtime.h): counted apart,
    not holding the graph's idle past the bus's lag. */
#include "tests/harness.h"

#include "runtime/runtime.h"
#include "tests/symrig.h"

#include <czmq.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_HWM 1000
#define S_MAX 8192

typedef struct {
    uint32_t burst; /* frames to send */
    uint32_t critical;
    uint32_t round;
} s_ping_t;

typedef struct {
    uint32_t round, seq;
} s_pong_t;

static struct {
    pthread_mutex_t lock;
    int count;
    s_pong_t seen[S_MAX];
} s_probe = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int s_init(tt_actor_t *self, void **state_p)
{
    (void)self;
    *state_p = &s_probe;
    return 0;
}

/* The pinger: a burst of numbered frames to the strategy slot. */
static int s_ping_handle(tt_actor_t *self, void *state, const tt_msg_t *msg)
{
    (void)state;
    if (msg->hdr.type != TT_MSG_TICK)
        return 0;
    s_ping_t ping;
    memcpy(&ping, &msg->body, sizeof ping);
    uint32_t to = tt_actor_sibling(self, TT_ROLE_STRATEGY);
    for (uint32_t i = 0; i < ping.burst; i++) {
        s_pong_t pong = {.round = ping.round, .seq = i};
        tt_tick_t body;
        memset(&body, 0, sizeof body);
        memcpy(&body, &pong, sizeof pong);
        if (ping.critical)
            tt_actor_send_critical(self, to, TT_MSG_TICK, &body, sizeof body);
        else
            tt_actor_send(self, to, TT_MSG_TICK, &body, sizeof body);
    }
    return 0;
}

static int s_probe_handle(tt_actor_t *self, void *state, const tt_msg_t *msg)
{
    (void)self, (void)state;
    if (msg->hdr.type != TT_MSG_TICK)
        return 0;
    pthread_mutex_lock(&s_probe.lock);
    if (s_probe.count < S_MAX)
        memcpy(&s_probe.seen[s_probe.count++], &msg->body, sizeof(s_pong_t));
    pthread_mutex_unlock(&s_probe.lock);
    return 0;
}

static const tt_behaviour_t s_ping = {"ping", s_init, s_ping_handle,
                                      NULL,   NULL,   NULL};
static const tt_behaviour_t s_probe_b = {"probe", s_init, s_probe_handle,
                                         NULL,    NULL,   NULL};

static int s_count(void)
{
    pthread_mutex_lock(&s_probe.lock);
    int count = s_probe.count;
    pthread_mutex_unlock(&s_probe.lock);
    return count;
}

/* The rig of tests/symrig.h with a pinger as the data actor and the
   probe as the strategy; every frame counted in flight once started. */
static void s_rig_up(tth_rig_t *rig)
{
    char service[64];
    snprintf(service, sizeof service, "  mailbox_hwm: %d\n", S_HWM);
    tth_rig_config_one(rig, "tt-local", service);
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {
        &tth_idle_behaviour, &s_ping, &tth_idle_behaviour, &s_probe_b};
    tth_rig_start(rig, roles, INT64_C(1700000000) * TT_NS_PER_SEC, false);
    /* From here every frame is between the test and the actors or among
       the actors: the count in flight returns to zero when all are
       handled. */
    tt_runtime_track_inflight(rig->rt, true);
}

static void s_ping_send(tth_rig_t *rig, uint32_t round, uint32_t burst,
                        bool critical)
{
    s_ping_t ping = {.burst = burst, .critical = critical, .round = round};
    tt_tick_t body;
    memset(&body, 0, sizeof body);
    memcpy(&body, &ping, sizeof ping);
    assert_int_equal(
        tt_sender_send(rig->sender, tt_runtime_actor_id(0, TT_ROLE_DATA),
                       TT_ACTOR_ROOT, TT_MSG_TICK, &body, sizeof body, true),
        0);
}

static void test_critical_in_order_droppable_at_the_mark(void **state)
{
    (void)state;
    tth_rig_t rig;
    s_rig_up(&rig);
    tt_actor_stats_t *pinger =
        &tt_runtime_actor(rig.rt, tt_runtime_actor_id(0, TT_ROLE_DATA))->stats;
    /* Three rounds of critical bursts larger than the mark: all arrive,
       round by round, each in its order. */
    uint32_t burst = 1500;
    for (uint32_t round = 0; round < 3; round++)
        s_ping_send(&rig, round, burst, true);
    assert_true(tt_runtime_wait_idle(rig.rt, 5 * TT_NS_PER_SEC));
    assert_int_equal(s_count(), 3 * burst);
    for (int i = 0; i < s_count(); i++) {
        assert_int_equal(s_probe.seen[i].round, (uint32_t)i / burst);
        assert_int_equal(s_probe.seen[i].seq, (uint32_t)i % burst);
    }
    assert_int_equal(atomic_load(&pinger->drops), 0);
    /* A droppable burst: the first S_HWM queue, the rest are dropped and
       counted on the sender. */
    s_ping_send(&rig, 3, 1500, false);
    assert_true(tt_runtime_wait_idle(rig.rt, 5 * TT_NS_PER_SEC));
    assert_int_equal(s_count(), 3 * burst + S_HWM);
    assert_int_equal(atomic_load(&pinger->drops), 1500 - S_HWM);
    for (int i = 0; i < S_HWM; i++) {
        assert_int_equal(s_probe.seen[3 * burst + i].round, 3);
        assert_int_equal(s_probe.seen[3 * burst + i].seq, (uint32_t)i);
    }
    assert_int_equal(tt_runtime_inflight(rig.rt), 0);
    tth_rig_down(&rig);
}

/* A pack whose first item starts a chain longer than the worker's turn
   of local frames (S_LOCAL_BATCH, 4096) and whose second goes straight
   to the chain's end. In a backtest (tracking on) the chain runs to its
   end before the second item, so the probe sees the item last, as the
   data's order says; a live worker gives the mailbox its turn at 4096,
   so the item comes in between (the probe sees it after 4096 frames). */
static int s_chain_then_item(bool tracking)
{
    tth_rig_t rig;
    s_rig_up(&rig);
    tt_runtime_track_inflight(rig.rt, tracking);
    pthread_mutex_lock(&s_probe.lock);
    s_probe.count = 0;
    pthread_mutex_unlock(&s_probe.lock);
    uint32_t burst = 5000;
    s_ping_t ping = {.burst = burst, .critical = 1, .round = 0};
    s_pong_t last = {.round = 1, .seq = 0};
    tt_tick_t a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memcpy(&a, &ping, sizeof ping);
    memcpy(&b, &last, sizeof last);
    tt_pack_t pack;
    tt_pack_reset(&pack);
    uint32_t data = tt_runtime_actor_id(0, TT_ROLE_DATA);
    uint32_t probe = tt_runtime_actor_id(0, TT_ROLE_STRATEGY);
    assert_int_equal(tt_pack_add(&pack, data, TT_MSG_TICK, &a, sizeof a), 0);
    assert_int_equal(tt_pack_add(&pack, probe, TT_MSG_TICK, &b, sizeof b), 0);
    assert_int_equal(tt_sender_send(rig.sender, data, TT_ACTOR_ROOT,
                                    TT_MSG_PACK, &pack, tt_pack_len(&pack),
                                    true),
                     0);
    int64_t deadline = tth_now_ms() + 10000;
    while (s_count() < (int)burst + 1 && tth_now_ms() < deadline)
        zclock_sleep(1);
    assert_int_equal(s_count(), burst + 1);
    int at = -1;
    for (int i = 0; i < s_count(); i++)
        if (s_probe.seen[i].round == 1)
            at = i;
    tth_rig_down(&rig);
    return at;
}

static void test_chain_ends_before_the_next_item(void **state)
{
    (void)state;
    assert_int_equal(s_chain_then_item(true), 5000);
    assert_int_equal(s_chain_then_item(false), 4096);
}

/* What a probe actor read from tt_actor_now, frame by frame. */
static struct {
    pthread_mutex_t lock;
    int count;
    int64_t now[8];
} s_times = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int s_time_handle(tt_actor_t *self, void *state, const tt_msg_t *msg)
{
    (void)state, (void)msg;
    pthread_mutex_lock(&s_times.lock);
    if (s_times.count < 8)
        s_times.now[s_times.count++] = tt_actor_now(self);
    pthread_mutex_unlock(&s_times.lock);
    return 0;
}

static const tt_behaviour_t s_time_b = {"time", s_init, s_time_handle,
                                        NULL,   NULL,   NULL};

static int s_times_seen(void)
{
    pthread_mutex_lock(&s_times.lock);
    int count = s_times.count;
    pthread_mutex_unlock(&s_times.lock);
    return count;
}

/* Sends a pack of a tick to the probe behind a TT_MSG_TIME at NOW (none
   when NOW is 0) and waits for the probe to have seen SEEN frames. */
static void s_time_then_tick(tth_rig_t *rig, int64_t now, int seen)
{
    uint32_t data = tt_runtime_actor_id(0, TT_ROLE_DATA);
    uint32_t probe = tt_runtime_actor_id(0, TT_ROLE_STRATEGY);
    tt_clock_msg_t time = {.now = now};
    tt_tick_t tick;
    memset(&tick, 0, sizeof tick);
    tt_pack_t pack;
    tt_pack_reset(&pack);
    if (now)
        assert_int_equal(
            tt_pack_add(&pack, data, TT_MSG_TIME, &time, sizeof time), 0);
    assert_int_equal(tt_pack_add(&pack, probe, TT_MSG_TICK, &tick, sizeof tick),
                     0);
    assert_int_equal(tt_sender_send(rig->sender, data, TT_ACTOR_ROOT,
                                    TT_MSG_PACK, &pack, tt_pack_len(&pack),
                                    true),
                     0);
    int64_t deadline = tth_now_ms() + 5000;
    while (s_times_seen() < seen && tth_now_ms() < deadline)
        zclock_sleep(1);
    assert_int_equal(s_times_seen(), seen);
}

/* A backtest's market time in band: a worker's actors read the runtime's
   clock until the first TT_MSG_TIME, then the time their worker has
   reached in its mailbox, whatever the clock says meanwhile; it never
   moves back. */
static void test_market_time_in_band(void **state)
{
    (void)state;
    tth_rig_t rig;
    tth_rig_config_one(&rig, "tt-time", "");
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {
        &tth_idle_behaviour, &tth_idle_behaviour, &tth_idle_behaviour,
        &s_time_b};
    int64_t t0 = INT64_C(1700000000) * TT_NS_PER_SEC;
    tth_rig_start(&rig, roles, t0, false);
    tt_runtime_track_inflight(rig.rt, true);
    s_times.count = 0;
    s_time_then_tick(&rig, 0, 1);
    assert_int_equal(s_times.now[0], t0);
    s_time_then_tick(&rig, t0 + 5 * TT_NS_PER_SEC, 2);
    assert_int_equal(s_times.now[1], t0 + 5 * TT_NS_PER_SEC);
    tt_clock_set(rig.clock, t0 + 60 * TT_NS_PER_SEC);
    s_time_then_tick(&rig, 0, 3);
    assert_int_equal(s_times.now[2], t0 + 5 * TT_NS_PER_SEC);
    s_time_then_tick(&rig, t0 + 2 * TT_NS_PER_SEC, 4);
    assert_int_equal(s_times.now[3], t0 + 5 * TT_NS_PER_SEC);
    s_time_then_tick(&rig, t0 + 6 * TT_NS_PER_SEC, 5);
    assert_int_equal(s_times.now[4], t0 + 6 * TT_NS_PER_SEC);
    assert_true(tt_runtime_wait_idle(rig.rt, 5 * TT_NS_PER_SEC));
    tth_rig_down(&rig);
}

/* A sender that holds (a worker's) queues frames to other threads until
   it is flushed: nothing reaches the mailbox before, all of it in order
   after, and the count in flight covers them meanwhile. */
static void test_held_until_flush(void **state)
{
    (void)state;
    tth_rig_t rig;
    s_rig_up(&rig);
    pthread_mutex_lock(&s_probe.lock);
    s_probe.count = 0;
    pthread_mutex_unlock(&s_probe.lock);
    tt_sender_t *held = tt_sender_new(rig.rt);
    assert_non_null(held);
    tt_sender_hold(held, true);
    uint32_t probe = tt_runtime_actor_id(0, TT_ROLE_STRATEGY);
    for (uint32_t i = 0; i < 10; i++) {
        s_pong_t pong = {.round = 9, .seq = i};
        tt_tick_t body;
        memset(&body, 0, sizeof body);
        memcpy(&body, &pong, sizeof pong);
        assert_int_equal(tt_sender_send(held, probe, TT_ACTOR_ROOT, TT_MSG_TICK,
                                        &body, sizeof body, i % 2 == 0),
                         0);
    }
    assert_int_equal(tt_sender_pending(held), 10);
    assert_int_equal(tt_runtime_inflight(rig.rt), 10);
    assert_int_equal(s_count(), 0);
    assert_int_equal(tt_sender_flush(held), 0);
    assert_true(tt_runtime_wait_idle(rig.rt, 5 * TT_NS_PER_SEC));
    assert_int_equal(s_count(), 10);
    for (int i = 0; i < 10; i++)
        assert_int_equal(s_probe.seen[i].seq, (uint32_t)i);
    tt_sender_destroy(&held);
    tth_rig_down(&rig);
}

/* While a mailbox stays full (nobody reads this rig's bus endpoint),
   a holding sender keeps its critical frames for it and drops the
   droppable ones at once, counted on the sender, instead of queueing
   them without bound. */
static void test_held_droppable_dropped_while_full(void **state)
{
    (void)state;
    tth_rig_t rig;
    s_rig_up(&rig);
    tt_sender_t *held = tt_sender_new(rig.rt);
    assert_non_null(held);
    tt_sender_hold(held, true);
    uint32_t from = tt_runtime_actor_id(0, TT_ROLE_DATA);
    tt_actor_stats_t *st = &tt_runtime_actor(rig.rt, from)->stats;
    tt_tick_t body;
    memset(&body, 0, sizeof body);
    for (int i = 0; i < 3 * S_HWM; i++)
        assert_int_equal(tt_sender_send(held, TT_ACTOR_BUS, from, TT_MSG_TICK,
                                        &body, sizeof body, true),
                         0);
    size_t left = tt_sender_flush(held);
    assert_true(left > 0 && left < 3 * S_HWM);
    uint64_t drops = atomic_load(&st->drops);
    assert_int_equal(tt_sender_send(held, TT_ACTOR_BUS, from, TT_MSG_TICK,
                                    &body, sizeof body, false),
                     -1);
    assert_int_equal(atomic_load(&st->drops), drops + 1);
    assert_int_equal(tt_sender_pending(held), left);
    assert_int_equal(tt_sender_send(held, TT_ACTOR_BUS, from, TT_MSG_TICK,
                                    &body, sizeof body, true),
                     0);
    assert_int_equal(tt_sender_pending(held), left + 1);
    tt_sender_destroy(&held);
    tth_rig_down(&rig);
}

/* Frame SEQ to the bus: a tick, or every third one a batch of SEQ % 32
   + 1 ticks (up to 1 KiB), each tick carrying SEQ. */
static void s_held_send(tt_sender_t *held, uint32_t from, uint32_t seq,
                        bool critical, int expect)
{
    tt_tick_batch_t batch;
    memset(&batch, 0, sizeof batch);
    batch.count = seq % 3 == 0 ? seq % TT_TICK_BATCH + 1 : 1;
    for (uint32_t i = 0; i < batch.count; i++)
        batch.ticks[i] = (tt_tick_t){.ts = seq, .price = seq + i, .size = 1};
    uint32_t len = (uint32_t)(offsetof(tt_tick_batch_t, ticks) +
                              batch.count * sizeof(tt_tick_t));
    int rc = seq % 3 == 0
                 ? tt_sender_send(held, TT_ACTOR_BUS, from, TT_MSG_TICKS,
                                  &batch, len, critical)
                 : tt_sender_send(held, TT_ACTOR_BUS, from, TT_MSG_TICK,
                                  &batch.ticks[0], sizeof(tt_tick_t), critical);
    assert_int_equal(rc, expect);
}

/* Checks frame SEQ as it arrived (SIZE bytes): header, type and every
   tick as s_held_send made it. */
static void s_held_check(const tt_msg_t *msg, int size, uint32_t seq)
{
    assert_int_equal(tt_msg_check(msg, (size_t)size), 0);
    const tt_tick_t *ticks =
        msg->hdr.type == TT_MSG_TICKS ? msg->body.ticks.ticks : &msg->body.tick;
    uint32_t count = msg->hdr.type == TT_MSG_TICKS ? msg->body.ticks.count : 1;
    assert_int_equal(msg->hdr.type, seq % 3 == 0 ? TT_MSG_TICKS : TT_MSG_TICK);
    assert_int_equal(count, seq % 3 == 0 ? seq % TT_TICK_BATCH + 1 : 1);
    for (uint32_t i = 0; i < count; i++) {
        assert_int_equal(ticks[i].ts, seq);
        assert_int_equal(ticks[i].price, seq + i);
    }
}

/* A holding sender keeps its frames for another thread in one buffer
   that grows and slides: frames of mixed sizes (past the first 16 KiB),
   a flush cut short by a full mailbox, more frames queued behind the
   rest (the unread part slides to the front, the buffer grows), and a
   droppable frame refused meanwhile; once the mailbox is read, every
   critical frame arrives whole and in the order sent. */
static void test_held_queue_in_order_across_growth(void **state)
{
    (void)state;
    tth_rig_t rig;
    s_rig_up(&rig);
    tt_sender_t *held = tt_sender_new(rig.rt);
    assert_non_null(held);
    tt_sender_hold(held, true);
    uint32_t from = tt_runtime_actor_id(0, TT_ROLE_DATA);
    uint32_t total = 3 * S_HWM;
    for (uint32_t seq = 0; seq < total; seq++)
        s_held_send(held, from, seq, true, 0);
    size_t left = tt_sender_flush(held);
    assert_true(left > 0 && left < total);
    s_held_send(held, from, 99999, false, -1);
    for (uint32_t seq = total; seq < 2 * total; seq++)
        s_held_send(held, from, seq, true, 0);
    assert_int_equal(tt_sender_pending(held), left + total);
    zsock_t *bus = zsock_new_pull(tt_runtime_endpoint_bus(rig.rt));
    assert_non_null(bus);
    void *sock = zsock_resolve(bus);
    uint32_t got = 0;
    int64_t deadline = tt_mono_ns() + 10 * TT_NS_PER_SEC;
    tt_msg_t msg;
    while (got < 2 * total && tt_mono_ns() < deadline) {
        int size = zmq_recv(sock, &msg, sizeof msg, ZMQ_DONTWAIT);
        if (size < 0) {
            tt_sender_flush(held);
            zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
            zmq_poll(&item, 1, 10);
            continue;
        }
        s_held_check(&msg, size, got++);
    }
    assert_int_equal(got, 2 * total);
    assert_int_equal(tt_sender_pending(held), 0);
    assert_int_equal(zmq_recv(sock, &msg, sizeof msg, ZMQ_DONTWAIT), -1);
    tt_sender_destroy(&held);
    zsock_destroy(&bus);
    tth_rig_down(&rig);
}

/* A fence counts as outstanding from its send until the worker has
   handled every frame before it on the same pipe. */
static void test_fence_behind_frames(void **state)
{
    (void)state;
    tth_rig_t rig;
    s_rig_up(&rig);
    pthread_mutex_lock(&s_probe.lock);
    s_probe.count = 0;
    pthread_mutex_unlock(&s_probe.lock);
    uint32_t probe = tt_runtime_actor_id(0, TT_ROLE_STRATEGY);
    tt_tick_t body;
    memset(&body, 0, sizeof body);
    for (uint32_t i = 0; i < 500; i++) {
        s_pong_t pong = {.round = 7, .seq = i};
        memcpy(&body, &pong, sizeof pong);
        assert_int_equal(tt_sender_send(rig.sender, probe, TT_ACTOR_ROOT,
                                        TT_MSG_TICK, &body, sizeof body, true),
                         0);
    }
    tt_runtime_fence_sent(rig.rt, 1);
    assert_int_equal(tt_sender_send(rig.sender, probe, TT_ACTOR_ROOT,
                                    TT_SYS_FENCE, NULL, 0, true),
                     0);
    int64_t deadline = tth_now_ms() + 5000;
    while (tt_runtime_fences(rig.rt) > 0 && tth_now_ms() < deadline)
        tth_nap_ms(1);
    assert_int_equal(tt_runtime_fences(rig.rt), 0);
    assert_int_equal(s_count(), 500); /* all of them before the fence */
    tth_rig_down(&rig);
}

/* Sends the bus one frame of TYPE (an order with INTENT for
   TT_EVT_ORDER) and reads it back: returns its flags. */
static uint16_t s_to_bus(tth_rig_t *rig, uint16_t type, int32_t intent)
{
    tt_evt_order_t order;
    memset(&order, 0, sizeof order);
    order.intent = intent;
    tt_candle_t candle;
    memset(&candle, 0, sizeof candle);
    const void *body = type == TT_EVT_ORDER    ? (const void *)&order
                       : type == TT_EVT_CANDLE ? (const void *)&candle
                                               : NULL;
    uint32_t len = type == TT_EVT_ORDER    ? sizeof order
                   : type == TT_EVT_CANDLE ? sizeof candle
                                           : 0;
    assert_int_equal(tt_sender_send(rig->sender, TT_ACTOR_BUS, rig->data, type,
                                    body, len, true),
                     0);
    tt_msg_t msg;
    assert_int_equal(tth_rig_next(rig, rig->bus, &msg, 5000), type);
    return msg.hdr.flags;
}

typedef struct {
    tt_runtime_t *rt;
    bool idle;
    int64_t waited_ms;
} s_waiter_t;

static void *s_wait_idle(void *arg)
{
    s_waiter_t *w = arg;
    int64_t start = tth_now_ms();
    w->idle = tt_runtime_wait_idle(w->rt, 10 * TT_NS_PER_SEC);
    w->waited_ms = tth_now_ms() - start;
    return NULL;
}

/* A symbol of idle actors on a runtime that tracks its frames in
   flight, as a backtest's does. */
static void s_idle_rig(tth_rig_t *rig)
{
    tth_rig_config_one(rig, "tt-aside", "");
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {
        &tth_idle_behaviour, &tth_idle_behaviour, &tth_idle_behaviour,
        &tth_idle_behaviour};
    tth_rig_start(rig, roles, INT64_C(1700000000) * TT_NS_PER_SEC, true);
    tt_runtime_track_inflight(rig->rt, true);
}

/* A backtest's frames to the bus that cause nothing back are set aside:
   they do not count in flight, the graph is idle while the bus is at
   most its lag behind, and drained once the bus has handled them all.
   A barrier and an intent whose sender waits still count in flight.
   The test plays the bus (it reads the frames and counts them handled,
   as bus/bus.c does). */
static void test_bus_frames_set_aside(void **state)
{
    (void)state;
    tth_rig_t rig;
    s_idle_rig(&rig);
    tt_runtime_set_bus_aside(rig.rt, 2);
    assert_true(tt_runtime_bus_aside(rig.rt));
    for (int i = 0; i < 3; i++)
        assert_int_equal(s_to_bus(&rig, TT_EVT_CANDLE, 0), TT_MSG_F_ASIDE);
    assert_int_equal(s_to_bus(&rig, TT_EVT_ORDER, 0), TT_MSG_F_ASIDE);
    assert_int_equal(s_to_bus(&rig, TT_EVT_ORDER, TT_EVT_INTENT_LOCAL),
                     TT_MSG_F_ASIDE);
    assert_int_equal(tt_runtime_inflight(rig.rt), 0);
    assert_int_equal(tt_runtime_aside(rig.rt), 5);
    /* Five behind, the lag is two: not idle until the bus catches up. */
    s_waiter_t w = {.rt = rig.rt};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, s_wait_idle, &w), 0);
    tt_runtime_handled_aside(rig.rt, 2);
    assert_false(tt_runtime_wait_idle(rig.rt, 1000000));
    tt_runtime_handled_aside(rig.rt, 1); /* two behind: idle, woken */
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_true(w.idle);
    assert_true(w.waited_ms < 5000);
    assert_false(tt_runtime_wait_drained(rig.rt, 1000000));
    /* Answered frames count in flight, never aside. */
    assert_int_equal(s_to_bus(&rig, TT_EVT_BARRIER, 0), 0);
    assert_int_equal(s_to_bus(&rig, TT_EVT_ORDER, 1), 0);
    assert_int_equal(tt_runtime_inflight(rig.rt), 2);
    assert_int_equal(tt_runtime_aside(rig.rt), 2);
    assert_false(tt_runtime_wait_idle(rig.rt, 1000000));
    tt_runtime_handled(rig.rt, 2);
    assert_true(tt_runtime_wait_idle(rig.rt, 1000000));
    assert_false(tt_runtime_wait_drained(rig.rt, 1000000));
    tt_runtime_handled_aside(rig.rt, 2);
    assert_true(tt_runtime_wait_drained(rig.rt, 1000000));
    tth_rig_down(&rig);
}

/* Outside a backtest (no lag set) a frame to the bus counts in flight,
   as any other. */
static void test_bus_frames_count_without_aside(void **state)
{
    (void)state;
    tth_rig_t rig;
    s_idle_rig(&rig);
    assert_false(tt_runtime_bus_aside(rig.rt));
    assert_int_equal(s_to_bus(&rig, TT_EVT_CANDLE, 0), 0);
    assert_int_equal(s_to_bus(&rig, TT_EVT_ORDER, TT_EVT_INTENT_LOCAL), 0);
    assert_int_equal(tt_runtime_inflight(rig.rt), 2);
    assert_int_equal(tt_runtime_aside(rig.rt), 0);
    assert_false(tt_runtime_wait_idle(rig.rt, 1000000));
    tt_runtime_handled(rig.rt, 2);
    assert_true(tt_runtime_wait_drained(rig.rt, 1000000));
    tth_rig_down(&rig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_critical_in_order_droppable_at_the_mark),
        cmocka_unit_test(test_held_until_flush),
        cmocka_unit_test(test_held_droppable_dropped_while_full),
        cmocka_unit_test(test_held_queue_in_order_across_growth),
        cmocka_unit_test(test_fence_behind_frames),
        cmocka_unit_test(test_bus_frames_set_aside),
        cmocka_unit_test(test_bus_frames_count_without_aside),
        cmocka_unit_test(test_chain_ends_before_the_next_item),
        cmocka_unit_test(test_market_time_in_band),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
