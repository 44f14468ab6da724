/*  tests/symrig.c: the one-symbol actor rig (symrig.h). */
#include "tests/symrig.h"

#include "tests/harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PROBE_MAX 64

static struct {
    pthread_mutex_t lock;
    int count;
    tt_ind_values_t seen[S_PROBE_MAX];
} s_probe = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int s_probe_init(tt_actor_t *self, void **state_p)
{
    (void)self;
    *state_p = &s_probe;
    return 0;
}

static int s_probe_handle(tt_actor_t *self, void *state, const tt_msg_t *msg)
{
    (void)self, (void)state;
    if (msg->hdr.type != TT_MSG_IND_VALUES)
        return 0;
    pthread_mutex_lock(&s_probe.lock);
    if (s_probe.count < S_PROBE_MAX)
        s_probe.seen[s_probe.count++] = msg->body.values;
    pthread_mutex_unlock(&s_probe.lock);
    return 0;
}

static int s_idle_init(tt_actor_t *self, void **state_p)
{
    (void)self;
    *state_p = NULL;
    return 0;
}

static int s_idle_handle(tt_actor_t *self, void *state, const tt_msg_t *msg)
{
    (void)self, (void)state, (void)msg;
    return 0;
}

const tt_behaviour_t tth_idle_behaviour = {"idle", s_idle_init, s_idle_handle,
                                           NULL,   NULL,        NULL};

const tt_behaviour_t tth_probe_behaviour = {
    "probe", s_probe_init, s_probe_handle, NULL, NULL, NULL};

int tth_probe_count(void)
{
    pthread_mutex_lock(&s_probe.lock);
    int count = s_probe.count;
    pthread_mutex_unlock(&s_probe.lock);
    return count;
}

bool tth_probe_wait(int n)
{
    int64_t deadline = tth_now_ms() + 5000;
    while (tth_probe_count() < n && tth_now_ms() < deadline)
        tth_nap_ms(2);
    return tth_probe_count() >= n;
}

const tt_ind_values_t *tth_probe_seen(int i)
{
    assert_true(i >= 0 && i < tth_probe_count());
    return &s_probe.seen[i];
}

void tth_rig_config(tth_rig_t *rig, const char *prefix, const char *yaml_fmt)
{
    memset(rig, 0, sizeof *rig);
    rig->dir = tth_tmpdir(prefix);
    char yaml[2048];
    int n = snprintf(yaml, sizeof yaml, yaml_fmt, rig->dir);
    assert_true(n > 0 && (size_t)n < sizeof yaml);
    char *path = tth_write_file(rig->dir, "c.yaml", yaml);
    rig->cfg = tt_config_load(path, NULL, NULL, NULL);
    free(path);
    assert_non_null(rig->cfg);
}

void tth_rig_config_one(tth_rig_t *rig, const char *prefix, const char *service)
{
    char yaml[1024];
    int n = snprintf(yaml, sizeof yaml,
                     "service:\n  workers: 1\n%s"
                     "venues:\n  - name: sim\n    kind: sim\n"
                     "symbols:\n  - symbol: TST\n    venue: sim\n"
                     "    px_decimals: 2\n    qty_decimals: 0\n"
                     "    strategy:\n      kind: sma_cross\n"
                     "      params: {fast: 2, slow: 3}\n"
                     "    risk: {qty: \"1\"}\n",
                     service);
    assert_true(n > 0 && (size_t)n < sizeof yaml);
    tth_rig_config(rig, prefix, yaml);
}

void tth_rig_start(tth_rig_t *rig, const tt_behaviour_t *const *roles,
                   int64_t t0_ns, bool bus)
{
    rig->clock = tt_clock_new_manual(t0_ns);
    rig->rt = tt_runtime_new(rig->cfg, rig->clock, roles);
    assert_non_null(rig->rt);
    rig->inbox = zsock_new_pull(tt_runtime_endpoint_root(rig->rt));
    assert_non_null(rig->inbox);
    if (bus) {
        rig->bus = zsock_new_pull(tt_runtime_endpoint_bus(rig->rt));
        assert_non_null(rig->bus);
        tt_runtime_set_bus(rig->rt, true);
    }
    assert_int_equal(tt_runtime_start(rig->rt), 0);
    rig->sender = tt_sender_new(rig->rt);
    tt_msg_t msg;
    for (int role = 0; role < TT_ROLE_COUNT; role++) {
        tt_sender_send(rig->sender, tt_runtime_actor_id(0, role), TT_ACTOR_ROOT,
                       TT_SYS_START, NULL, 0, true);
        assert_int_equal(tth_rig_next(rig, rig->inbox, &msg, 5000),
                         TT_REP_STARTED);
    }
    rig->data = tt_runtime_actor_id(0, TT_ROLE_DATA);
    rig->exec = tt_runtime_actor_id(0, TT_ROLE_EXECUTION);
    pthread_mutex_lock(&s_probe.lock);
    s_probe.count = 0;
    pthread_mutex_unlock(&s_probe.lock);
}

void tth_rig_down(tth_rig_t *rig)
{
    tt_sender_destroy(&rig->sender);
    tt_runtime_destroy(&rig->rt);
    zsock_destroy(&rig->inbox);
    zsock_destroy(&rig->bus);
    tt_clock_destroy(&rig->clock);
    tt_config_destroy(&rig->cfg);
    tth_rmtree(rig->dir);
    free(rig->dir);
    rig->dir = NULL;
}

int tth_rig_next(tth_rig_t *rig, zsock_t *sock, tt_msg_t *msg, int timeout_ms)
{
    zsock_set_rcvtimeo(sock, timeout_ms);
    for (int n = 0; n < 1024; n++) {
        int size = zmq_recv(zsock_resolve(sock), msg, sizeof *msg, 0);
        if (size < (int)sizeof msg->hdr)
            return -1;
        assert_int_equal(tt_msg_check(msg, (size_t)size), 0);
        if (msg->hdr.type != TT_REP_WARMUP)
            return msg->hdr.type;
        rig->warmth = msg->body.warmth;
        rig->warmth_reports++;
    }
    return -1;
}

void tth_rig_send_tick(tth_rig_t *rig, int64_t ts, int64_t price, uint64_t id)
{
    tt_tick_t tick = {.ts = ts, .price = price, .size = 1, .trade_id = id};
    assert_int_equal(tt_sender_send(rig->sender, rig->data, TT_ACTOR_ROOT,
                                    TT_MSG_TICK, &tick, sizeof tick, true),
                     0);
}

void tth_rig_tick_at(tth_rig_t *rig, int64_t ts, int64_t price, uint64_t *id)
{
    tt_clock_set(rig->clock, ts);
    tth_rig_send_tick(rig, ts, price, (*id)++);
    tt_actor_stats_t *stats = &tt_runtime_actor(rig->rt, rig->data)->stats;
    int64_t deadline = tth_now_ms() + 5000;
    while (atomic_load(&stats->ticks) < *id - 1 && tth_now_ms() < deadline)
        tth_nap_ms(2);
    assert_int_equal(atomic_load(&stats->ticks), *id - 1);
}

bool tth_rig_wait_counter(_Atomic uint64_t *counter, uint64_t want)
{
    int64_t deadline = tth_now_ms() + 5000;
    while (atomic_load(counter) < want && tth_now_ms() < deadline)
        tth_nap_ms(2);
    return atomic_load(counter) >= want;
}
