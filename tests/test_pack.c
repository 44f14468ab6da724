/*  tests/test_pack.c: packs (messages/internal.h), several small frames
    for the actors of one worker in one mailbox frame, as the replay feed
    sends a step's last ticks and its clock. The encoding round-trips
    item by item; a pack fills up and says so; every malformed pack is
    refused by the frame check. On the real runtime a worker handles each
    item as a mailbox frame of its own: what an item causes among the
    worker's actors is handled before the next item, a malformed pack is
    dropped without harm, and the count of frames in flight returns to
    zero. */
#include "tests/harness.h"

#include "messages/internal.h"
#include "runtime/runtime.h"

#include <czmq.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the encoding ------------------------------------------------------ */

static tt_tick_batch_t s_batch(uint32_t count, int64_t ts)
{
    tt_tick_batch_t batch;
    memset(&batch, 0, sizeof batch);
    batch.count = count;
    for (uint32_t i = 0; i < count; i++) {
        batch.ticks[i].ts = ts + i;
        batch.ticks[i].price = 10000 + i;
        batch.ticks[i].size = 1;
        batch.ticks[i].trade_id = i + 1;
    }
    return batch;
}

static uint32_t s_batch_len(uint32_t count)
{
    return (uint32_t)(offsetof(tt_tick_batch_t, ticks) +
                      count * sizeof(tt_tick_t));
}

/* A frame holding PACK, as a sender would send it. */
static size_t s_frame(tt_msg_t *msg, const tt_pack_t *pack, uint32_t to)
{
    memset(msg, 0, sizeof *msg);
    msg->hdr.to = to;
    msg->hdr.from = TT_ACTOR_ROOT;
    msg->hdr.type = TT_MSG_PACK;
    msg->hdr.len = tt_pack_len(pack);
    msg->hdr.origin_ns = 42;
    memcpy(&msg->body, pack, msg->hdr.len);
    return sizeof msg->hdr + msg->hdr.len;
}

static void test_round_trip(void **state)
{
    (void)state;
    tt_pack_t pack;
    tt_pack_reset(&pack);
    int added = 0;
    /* Two-tick batches and clocks in turn, to actors 3, 7, 11, ... */
    for (uint32_t i = 0; i < 100; i++) {
        tt_tick_batch_t batch = s_batch(2, 1000 * i);
        tt_clock_msg_t clock = {.now = 5000 + i};
        int rc = i % 2 ? tt_pack_add(&pack, 3 + 4 * i, TT_MSG_CLOCK, &clock,
                                     sizeof clock)
                       : tt_pack_add(&pack, 3 + 4 * i, TT_MSG_TICKS, &batch,
                                     s_batch_len(2));
        if (rc != 0)
            break;
        added++;
    }
    assert_true(added > 10 && added < 100);
    assert_int_equal(pack.count, (uint32_t)added);
    tt_msg_t msg, item;
    size_t size = s_frame(&msg, &pack, 3);
    assert_true(size <= sizeof(tt_msg_t));
    assert_int_equal(tt_msg_check(&msg, size), 0);
    uint32_t off = 0;
    for (int i = 0; i < added; i++) {
        assert_true(tt_pack_next(&msg, &off, &item));
        assert_int_equal(item.hdr.to, 3 + 4 * i);
        assert_int_equal(item.hdr.from, TT_ACTOR_ROOT);
        assert_int_equal(item.hdr.origin_ns, 42);
        if (i % 2) {
            assert_int_equal(item.hdr.type, TT_MSG_CLOCK);
            assert_int_equal(item.hdr.len, sizeof(tt_clock_msg_t));
            assert_int_equal(item.body.clock.now, 5000 + i);
        } else {
            tt_tick_batch_t want = s_batch(2, 1000 * i);
            assert_int_equal(item.hdr.type, TT_MSG_TICKS);
            assert_int_equal(item.hdr.len, s_batch_len(2));
            assert_memory_equal(&item.body.ticks, &want, s_batch_len(2));
        }
        assert_int_equal(tt_msg_check(&item, sizeof item.hdr + item.hdr.len),
                         0);
    }
    assert_false(tt_pack_next(&msg, &off, &item));
}

/* A full batch never fits (it goes as a frame of its own); a pack says
   when it is full and stays valid. */
static void test_full(void **state)
{
    (void)state;
    tt_pack_t pack;
    tt_pack_reset(&pack);
    tt_tick_batch_t full = s_batch(TT_TICK_BATCH, 1);
    assert_int_equal(
        tt_pack_add(&pack, 1, TT_MSG_TICKS, &full, s_batch_len(TT_TICK_BATCH)),
        -1);
    assert_int_equal(pack.count, 0);
    tt_tick_batch_t most = s_batch(TT_TICK_BATCH - 1, 1);
    assert_int_equal(tt_pack_add(&pack, 1, TT_MSG_TICKS, &most,
                                 s_batch_len(TT_TICK_BATCH - 1)),
                     0);
    tt_clock_msg_t clock = {.now = 9};
    while (tt_pack_add(&pack, 2, TT_MSG_CLOCK, &clock, sizeof clock) == 0)
        ;
    assert_true(pack.count > 1);
    assert_true(tt_pack_len(&pack) <= sizeof(tt_pack_t));
    tt_msg_t msg;
    assert_int_equal(tt_msg_check(&msg, s_frame(&msg, &pack, 1)), 0);
}

/* A good pack of three items, then one flaw at a time. */
static tt_pack_t s_good(void)
{
    tt_pack_t pack;
    tt_pack_reset(&pack);
    tt_tick_batch_t batch = s_batch(3, 1);
    tt_clock_msg_t clock = {.now = 7};
    assert_int_equal(
        tt_pack_add(&pack, 1, TT_MSG_TICKS, &batch, s_batch_len(3)), 0);
    assert_int_equal(tt_pack_add(&pack, 2, TT_MSG_CLOCK, &clock, sizeof clock),
                     0);
    assert_int_equal(tt_pack_add(&pack, 3, TT_MSG_CLOCK, &clock, sizeof clock),
                     0);
    return pack;
}

/* The first item's header, rewritten. */
static void s_set_item(tt_pack_t *pack, uint32_t off, uint16_t type,
                       uint16_t len)
{
    tt_pack_item_t item;
    memcpy(&item, pack->items + off, sizeof item);
    item.type = type;
    item.len = len;
    memcpy(pack->items + off, &item, sizeof item);
}

static int s_check(const tt_pack_t *pack, uint32_t len)
{
    tt_msg_t msg;
    memset(&msg, 0, sizeof msg);
    msg.hdr.type = TT_MSG_PACK;
    msg.hdr.len = len;
    memcpy(&msg.body, pack, len);
    return tt_msg_check(&msg, sizeof msg.hdr + len);
}

static void test_malformed(void **state)
{
    (void)state;
    tt_pack_t good = s_good(), bad;
    uint32_t len = tt_pack_len(&good);
    assert_int_equal(s_check(&good, len), 0);
    /* the count says more or fewer items than there are */
    bad = good, bad.count = 4;
    assert_int_equal(s_check(&bad, len), -1);
    bad = good, bad.count = 2;
    assert_int_equal(s_check(&bad, len), -1);
    bad = good, bad.count = 0, bad.used = 0;
    assert_int_equal(s_check(&bad, tt_pack_len(&bad)), -1);
    /* the length in use disagrees with the frame's */
    bad = good, bad.used -= 8;
    assert_int_equal(s_check(&bad, len), -1);
    assert_int_equal(s_check(&good, len - 8), -1);
    assert_int_equal(s_check(&good, 4), -1);
    /* an item cut short: the last one's body is missing */
    bad = good, bad.used -= 8, bad.count = 3;
    assert_int_equal(s_check(&bad, len - 8), -1);
    /* an item of the wrong size for its type */
    bad = good;
    s_set_item(&bad, 0, TT_MSG_TICKS, (uint16_t)s_batch_len(2));
    assert_int_equal(s_check(&bad, len), -1);
    /* a batch that claims no ticks */
    bad = good;
    memset(bad.items + sizeof(tt_pack_item_t), 0, sizeof(uint32_t));
    assert_int_equal(s_check(&bad, len), -1);
    /* a pack, a command, a report or an unknown type as an item */
    uint16_t refused[] = {TT_MSG_PACK, TT_SYS_START, TT_SYS_FENCE,
                          TT_REP_FAILED, 999};
    uint32_t second =
        (uint32_t)sizeof(tt_pack_item_t) + ((s_batch_len(3) + 7u) & ~7u);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        bad = good;
        s_set_item(&bad, second, refused[i], sizeof(tt_clock_msg_t));
        assert_int_equal(s_check(&bad, len), -1);
    }
    /* an item that claims more bytes than the pack holds */
    bad = good;
    s_set_item(&bad, second, TT_MSG_CLOCK, 60000);
    assert_int_equal(s_check(&bad, len), -1);
}

/* --- on the runtime ---------------------------------------------------- */

/* A ping (a TT_MSG_TICK to a data actor) makes it send BURST frames to
   its strategy sibling, which records them: local frames, handled before
   the worker's next mailbox frame, or the next item of a pack. */
typedef struct {
    uint32_t burst, round;
} s_ping_t;

typedef struct {
    uint32_t symbol, round, seq;
} s_seen_t;

#define S_SEEN_MAX 64

static struct {
    pthread_mutex_t lock;
    int count;
    s_seen_t seen[S_SEEN_MAX];
} s_probe = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int s_init(tt_actor_t *self, void **state_p)
{
    (void)self;
    *state_p = &s_probe;
    return 0;
}

static tt_tick_t s_body(const void *what, size_t len)
{
    tt_tick_t body;
    memset(&body, 0, sizeof body);
    memcpy(&body, what, len);
    return body;
}

static int s_ping_handle(tt_actor_t *self, void *state, const tt_msg_t *msg)
{
    (void)state;
    if (msg->hdr.type != TT_MSG_TICK)
        return 0;
    s_ping_t ping;
    memcpy(&ping, &msg->body, sizeof ping);
    for (uint32_t i = 0; i < ping.burst; i++) {
        s_seen_t seen = {.round = ping.round, .seq = i};
        tt_tick_t body = s_body(&seen, sizeof seen);
        tt_actor_send_critical(self, tt_actor_sibling(self, TT_ROLE_STRATEGY),
                               TT_MSG_TICK, &body, sizeof body);
    }
    return 0;
}

static int s_probe_handle(tt_actor_t *self, void *state, const tt_msg_t *msg)
{
    (void)state;
    if (msg->hdr.type != TT_MSG_TICK)
        return 0;
    s_seen_t seen;
    memcpy(&seen, &msg->body, sizeof seen);
    seen.symbol = (uint32_t)tt_actor_symbol(self)->instrument.px_decimals;
    pthread_mutex_lock(&s_probe.lock);
    if (s_probe.count < S_SEEN_MAX)
        s_probe.seen[s_probe.count++] = seen;
    pthread_mutex_unlock(&s_probe.lock);
    return 0;
}

static int s_idle_handle(tt_actor_t *self, void *state, const tt_msg_t *msg)
{
    (void)self, (void)state, (void)msg;
    return 0;
}

static const tt_behaviour_t s_ping_b = {"ping", s_init, s_ping_handle,
                                        NULL,   NULL,   NULL};
static const tt_behaviour_t s_probe_b = {"probe", s_init, s_probe_handle,
                                         NULL,    NULL,   NULL};
static const tt_behaviour_t s_idle = {"idle", s_init, s_idle_handle,
                                      NULL,   NULL,   NULL};

static int s_count(void)
{
    pthread_mutex_lock(&s_probe.lock);
    int count = s_probe.count;
    pthread_mutex_unlock(&s_probe.lock);
    return count;
}

typedef struct {
    char *dir;
    tt_config_t *cfg;
    tt_clock_t *clock;
    tt_runtime_t *rt;
    zsock_t *inbox;
    tt_sender_t *sender;
} s_rig_t;

/* Two symbols on one worker; a symbol's price decimals (1, 2) tell the
   probe which symbol it is. */
static void s_rig_up(s_rig_t *rig)
{
    const char *yaml =
        "service:\n  workers: 1\n"
        "venues:\n  - name: sim\n    kind: sim\n"
        "symbol_defaults:\n  venue: sim\n  qty_decimals: 0\n"
        "  strategy: {kind: sma_cross, params: {fast: 2, slow: 3}}\n"
        "  risk: {qty: \"1\"}\n"
        "symbols:\n  - symbol: ONE\n    px_decimals: 1\n"
        "  - symbol: TWO\n    px_decimals: 2\n";
    rig->dir = tth_tmpdir("tt-pack");
    char *path = tth_write_file(rig->dir, "c.yaml", yaml);
    rig->cfg = tt_config_load(path, NULL, NULL, NULL);
    free(path);
    assert_non_null(rig->cfg);
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {&s_idle, &s_idle, &s_idle,
                                                  &s_idle};
    roles[TT_ROLE_DATA] = &s_ping_b;
    roles[TT_ROLE_STRATEGY] = &s_probe_b;
    rig->clock = tt_clock_new_manual(INT64_C(1700000000) * TT_NS_PER_SEC);
    rig->rt = tt_runtime_new(rig->cfg, rig->clock, roles);
    assert_non_null(rig->rt);
    rig->inbox = zsock_new_pull(tt_runtime_endpoint_root(rig->rt));
    assert_non_null(rig->inbox);
    assert_int_equal(tt_runtime_start(rig->rt), 0);
    rig->sender = tt_sender_new(rig->rt);
    assert_non_null(rig->sender);
    zsock_set_rcvtimeo(rig->inbox, 5000);
    for (int sym = 0; sym < 2; sym++)
        for (int role = 0; role < TT_ROLE_COUNT; role++) {
            tt_sender_send(rig->sender, tt_runtime_actor_id(sym, role),
                           TT_ACTOR_ROOT, TT_SYS_START, NULL, 0, true);
            tt_msg_t msg;
            int size = zmq_recv(zsock_resolve(rig->inbox), &msg, sizeof msg, 0);
            assert_true(size >= (int)sizeof msg.hdr);
            assert_int_equal(msg.hdr.type, TT_REP_STARTED);
        }
    tt_runtime_track_inflight(rig->rt, true);
}

static void s_rig_down(s_rig_t *rig)
{
    tt_sender_destroy(&rig->sender);
    tt_runtime_destroy(&rig->rt);
    zsock_destroy(&rig->inbox);
    tt_clock_destroy(&rig->clock);
    tt_config_destroy(&rig->cfg);
    tth_rmtree(rig->dir);
    free(rig->dir);
}

static void s_add_ping(tt_pack_t *pack, int symbol, uint32_t round,
                       uint32_t burst)
{
    s_ping_t ping = {.burst = burst, .round = round};
    tt_tick_t body = s_body(&ping, sizeof ping);
    assert_int_equal(tt_pack_add(pack,
                                 tt_runtime_actor_id(symbol, TT_ROLE_DATA),
                                 TT_MSG_TICK, &body, sizeof body),
                     0);
}

static void s_expect(int i, uint32_t symbol, uint32_t round, uint32_t seq)
{
    assert_int_equal(s_probe.seen[i].symbol, symbol);
    assert_int_equal(s_probe.seen[i].round, round);
    assert_int_equal(s_probe.seen[i].seq, seq);
}

static void test_worker_handles_items_in_turn(void **state)
{
    (void)state;
    s_rig_t rig;
    s_rig_up(&rig);
    /* ONE pings three times, TWO's probe gets a frame straight, TWO
       pings twice: each burst lands before the next item. */
    tt_pack_t pack;
    tt_pack_reset(&pack);
    s_add_ping(&pack, 0, 1, 3);
    s_seen_t direct = {.round = 2, .seq = 0};
    tt_tick_t body = s_body(&direct, sizeof direct);
    assert_int_equal(tt_pack_add(&pack,
                                 tt_runtime_actor_id(1, TT_ROLE_STRATEGY),
                                 TT_MSG_TICK, &body, sizeof body),
                     0);
    s_add_ping(&pack, 1, 3, 2);
    uint32_t first = tt_runtime_actor_id(0, TT_ROLE_DATA);
    assert_int_equal(tt_sender_send(rig.sender, first, TT_ACTOR_ROOT,
                                    TT_MSG_PACK, &pack, tt_pack_len(&pack),
                                    true),
                     0);
    assert_true(tt_runtime_wait_idle(rig.rt, 5 * TT_NS_PER_SEC));
    assert_int_equal(tt_runtime_inflight(rig.rt), 0);
    assert_int_equal(s_count(), 6);
    s_expect(0, 1, 1, 0);
    s_expect(1, 1, 1, 1);
    s_expect(2, 1, 1, 2);
    s_expect(3, 2, 2, 0);
    s_expect(4, 2, 3, 0);
    s_expect(5, 2, 3, 1);
    /* Every actor's queue is empty again: as many taken as sent. */
    for (int sym = 0; sym < 2; sym++)
        for (int role = 0; role < TT_ROLE_COUNT; role++) {
            tt_actor_stats_t *st =
                &tt_runtime_actor(rig.rt, tt_runtime_actor_id(sym, role))
                     ->stats;
            assert_int_equal(atomic_load(&st->enqueued),
                             atomic_load(&st->dequeued));
        }
    assert_int_equal(
        atomic_load(
            &tt_runtime_actor(rig.rt, tt_runtime_actor_id(1, TT_ROLE_STRATEGY))
                 ->stats.handled),
        3);
    s_rig_down(&rig);
}

/* A malformed pack is dropped by the worker (logged), counted handled,
   and the worker goes on with the next frame. */
static void test_worker_drops_malformed(void **state)
{
    (void)state;
    s_rig_t rig;
    s_rig_up(&rig);
    pthread_mutex_lock(&s_probe.lock);
    s_probe.count = 0;
    pthread_mutex_unlock(&s_probe.lock);
    tt_pack_t pack;
    tt_pack_reset(&pack);
    s_add_ping(&pack, 0, 8, 2);
    s_add_ping(&pack, 1, 8, 2);
    pack.count = 3; /* one more than there is */
    uint32_t first = tt_runtime_actor_id(0, TT_ROLE_DATA);
    assert_int_equal(tt_sender_send(rig.sender, first, TT_ACTOR_ROOT,
                                    TT_MSG_PACK, &pack, tt_pack_len(&pack),
                                    true),
                     0);
    pack.count = 2;
    assert_int_equal(tt_sender_send(rig.sender, first, TT_ACTOR_ROOT,
                                    TT_MSG_PACK, &pack, tt_pack_len(&pack),
                                    true),
                     0);
    assert_true(tt_runtime_wait_idle(rig.rt, 5 * TT_NS_PER_SEC));
    assert_int_equal(tt_runtime_inflight(rig.rt), 0);
    assert_int_equal(s_count(), 4); /* the good pack's only */
    s_expect(0, 1, 8, 0);
    s_expect(3, 2, 8, 1);
    s_rig_down(&rig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_worker_handles_items_in_turn),
        cmocka_unit_test(test_worker_drops_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
