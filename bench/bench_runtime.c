/*  bench/bench_runtime.c: message round trips between two actors through
    the real runtime (worker threads, inproc mailboxes, senders), on one
    worker and across two, next to raw libzmq inproc PUSH/PULL figures from
    the same run: the floor each runtime figure reads against.

    Latency: one message in flight, round-trip time per exchange (p50, p99,
    p99.9). Throughput: a window of messages in flight, messages per second
    counted at the receiver of the pings. */
#include "runtime/runtime.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_LAT_ROUNDS 100000
#define S_TPUT_MSGS 2000000
#define S_WINDOW 1000

typedef struct {
    int mode; /* 0 latency, 1 throughput */
    uint32_t peer;
    int64_t *rtt;
    _Atomic long done; /* round trips or messages completed */
    _Atomic int finished;
    int64_t sent;
    int64_t start_ns, end_ns;
} s_bench_t;

static s_bench_t s_bench;

static int s_send_ping(tt_actor_t *self, int64_t seq)
{
    tt_tick_t tick = {.ts = tt_mono_ns(), .trade_id = (uint64_t)seq};
    return tt_actor_send_critical(self, s_bench.peer, TT_MSG_TICK, &tick,
                                  sizeof tick);
}

static int s_pinger_init(tt_actor_t *self, void **state_p)
{
    *state_p = &s_bench;
    s_bench.start_ns = tt_mono_ns();
    int first = s_bench.mode == 0 ? 1 : S_WINDOW;
    for (int i = 0; i < first; i++)
        s_send_ping(self, s_bench.sent++);
    return 0;
}

static int s_pinger_handle(tt_actor_t *self, void *state, const tt_msg_t *m)
{
    (void)state;
    long done = atomic_fetch_add(&s_bench.done, 1) + 1;
    long total = s_bench.mode == 0 ? S_LAT_ROUNDS : S_TPUT_MSGS;
    if (s_bench.mode == 0)
        s_bench.rtt[done - 1] = tt_mono_ns() - m->body.tick.ts;
    if (done >= total) {
        s_bench.end_ns = tt_mono_ns();
        atomic_store(&s_bench.finished, 1);
        return 0;
    }
    if (s_bench.sent < total)
        s_send_ping(self, s_bench.sent++);
    return 0;
}

static int s_ponger_init(tt_actor_t *self, void **state_p)
{
    (void)self;
    *state_p = &s_bench;
    return 0;
}

static int s_ponger_handle(tt_actor_t *self, void *state, const tt_msg_t *m)
{
    (void)state;
    return tt_actor_send_critical(self, m->hdr.from, TT_MSG_TICK, &m->body.tick,
                                  sizeof m->body.tick);
}

static void s_noop_destroy(tt_actor_t *self, void **state_p)
{
    (void)self;
    *state_p = NULL;
}

static int s_idle_handle(tt_actor_t *self, void *state, const tt_msg_t *m)
{
    (void)self, (void)state, (void)m;
    return 0;
}

static const tt_behaviour_t s_pinger = {
    "pinger", s_pinger_init, s_pinger_handle, NULL, NULL, s_noop_destroy};
static const tt_behaviour_t s_ponger = {
    "ponger", s_ponger_init, s_ponger_handle, NULL, NULL, s_noop_destroy};
static const tt_behaviour_t s_idle = {"idle", NULL, s_idle_handle,
                                      NULL,   NULL, NULL};

static int s_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void s_print_latency(const char *name, int64_t *rtt, size_t n)
{
    qsort(rtt, n, sizeof *rtt, s_cmp);
    printf("%-38s %10s %9.2f %9.2f %9.2f\n", name, "-",
           (double)rtt[n / 2] / 1000.0, (double)rtt[n * 99 / 100] / 1000.0,
           (double)rtt[n * 999 / 1000] / 1000.0);
}

static void s_print_tput(const char *name, double msgs, double secs)
{
    printf("%-38s %10.0f %9s %9s %9s\n", name, msgs / secs, "-", "-", "-");
}

/* Waits for COUNT reports on the root inbox. */
static void s_reports(zsock_t *inbox, int count)
{
    tt_msg_t msg;
    for (int i = 0; i < count; i++)
        zmq_recv(zsock_resolve(inbox), &msg, sizeof msg, 0);
}

/* One runtime serves every run: inproc endpoints are released
   asynchronously, so binding the same names again at once could fail. */
typedef struct {
    tt_symbol_cfg_t symbols[2];
    tt_config_t cfg;
    tt_clock_t *clock;
    zsock_t *inbox;
    tt_runtime_t *rt;
    tt_sender_t *sender;
} s_rig_t;

static void s_rig_up(s_rig_t *rig)
{
    memset(rig, 0, sizeof *rig);
    snprintf(rig->symbols[0].name, sizeof rig->symbols[0].name, "A");
    snprintf(rig->symbols[1].name, sizeof rig->symbols[1].name, "B");
    rig->cfg = (tt_config_t){.workers = 2,
                             .mailbox_hwm = 100000,
                             .symbol_count = 2,
                             .symbols = rig->symbols};
    static const tt_behaviour_t *roles[TT_ROLE_COUNT] = {&s_idle, &s_pinger,
                                                         &s_ponger, &s_idle};
    rig->clock = tt_clock_new_live();
    rig->rt = tt_runtime_new(&rig->cfg, rig->clock, roles);
    rig->inbox = zsock_new_pull(tt_runtime_endpoint_root(rig->rt));
    zsock_set_rcvhwm(rig->inbox, 100000);
    if (tt_runtime_start(rig->rt) != 0) {
        fprintf(stderr, "bench: cannot start the runtime\n");
        exit(1);
    }
    rig->sender = tt_sender_new(rig->rt);
}

static void s_rig_down(s_rig_t *rig)
{
    tt_sender_destroy(&rig->sender);
    tt_runtime_destroy(&rig->rt);
    zsock_destroy(&rig->inbox);
    tt_clock_destroy(&rig->clock);
}

static void s_command(s_rig_t *rig, uint32_t actor, uint16_t type)
{
    tt_sender_send(rig->sender, actor, TT_ACTOR_ROOT, type, NULL, 0, true);
    s_reports(rig->inbox, 1);
}

static void s_runtime_run(s_rig_t *rig, int mode, bool cross, int64_t *rtt)
{
    memset(&s_bench, 0, sizeof s_bench);
    s_bench.mode = mode;
    s_bench.rtt = rtt;
    uint32_t ping = tt_runtime_actor_id(0, TT_ROLE_DATA);
    /* Same worker: A/data -> A/indicator. Across: A/data -> B/indicator
       (symbol B lives on worker 1). */
    uint32_t pong = tt_runtime_actor_id(cross ? 1 : 0, TT_ROLE_INDICATOR);
    s_bench.peer = pong;
    s_command(rig, pong, TT_SYS_START); /* the ponger first, then the pinger */
    s_command(rig, ping, TT_SYS_START);
    while (!atomic_load(&s_bench.finished)) {
        struct timespec nap = {0, 1000000};
        nanosleep(&nap, NULL);
    }
    double secs = (double)(s_bench.end_ns - s_bench.start_ns) / 1e9;
    char name[64];
    snprintf(name, sizeof name, "runtime actor->actor, %s",
             cross ? "across workers" : "one worker");
    if (mode == 0)
        s_print_latency(name, rtt, S_LAT_ROUNDS);
    else
        s_print_tput(name, S_TPUT_MSGS, secs);
    s_command(rig, ping, TT_SYS_STOP);
    s_command(rig, pong, TT_SYS_STOP);
}

/* Raw libzmq: a PULL/PUSH pair per direction, one thread echoing. */
static void s_echo_task(zsock_t *pipe, void *arg)
{
    int mode = *(int *)arg;
    zsock_t *in = zsock_new(ZMQ_PULL);
    zsock_set_rcvhwm(in, 100000);
    zsock_bind(in, "inproc://bench-ping-%d", mode);
    zsock_t *out = zsock_new(ZMQ_PUSH);
    zsock_connect(out, "inproc://bench-pong-%d", mode);
    zsock_signal(pipe, 0);
    zmq_pollitem_t items[] = {{zsock_resolve(pipe), 0, ZMQ_POLLIN, 0},
                              {zsock_resolve(in), 0, ZMQ_POLLIN, 0}};
    tt_msg_t msg;
    while (zmq_poll(items, 2, -1) >= 0 && !(items[0].revents & ZMQ_POLLIN)) {
        int size;
        while ((size = zmq_recv(zsock_resolve(in), &msg, sizeof msg,
                                ZMQ_DONTWAIT)) > 0)
            zmq_send(zsock_resolve(out), &msg, (size_t)size, 0);
    }
    zsock_destroy(&in);
    zsock_destroy(&out);
}

static void s_raw_run(int mode, int64_t *rtt)
{
    zsock_t *in = zsock_new(ZMQ_PULL);
    zsock_set_rcvhwm(in, 100000);
    zsock_bind(in, "inproc://bench-pong-%d", mode);
    zactor_t *echo = zactor_new(s_echo_task, &mode);
    zsock_t *out = zsock_new(ZMQ_PUSH);
    zsock_connect(out, "inproc://bench-ping-%d", mode);
    void *rin = zsock_resolve(in), *rout = zsock_resolve(out);
    tt_msg_t msg = {.hdr = {.type = TT_MSG_TICK, .len = sizeof(tt_tick_t)}};
    size_t size = sizeof msg.hdr + sizeof(tt_tick_t);
    long total = mode == 0 ? S_LAT_ROUNDS : S_TPUT_MSGS;
    long sent = 0, done = 0;
    int64_t start = tt_mono_ns();
    for (; sent < (mode == 0 ? 1 : S_WINDOW); sent++) {
        msg.body.tick.ts = tt_mono_ns();
        zmq_send(rout, &msg, size, 0);
    }
    while (done < total) {
        zmq_recv(rin, &msg, sizeof msg, 0);
        if (mode == 0)
            rtt[done] = tt_mono_ns() - msg.body.tick.ts;
        done++;
        if (sent < total) {
            msg.body.tick.ts = tt_mono_ns();
            zmq_send(rout, &msg, size, 0);
            sent++;
        }
    }
    double secs = (double)(tt_mono_ns() - start) / 1e9;
    if (mode == 0)
        s_print_latency("raw libzmq inproc PUSH/PULL", rtt, S_LAT_ROUNDS);
    else
        s_print_tput("raw libzmq inproc PUSH/PULL", S_TPUT_MSGS, secs);
    zsock_destroy(&out);
    zactor_destroy(&echo);
    zsock_destroy(&in);
}

int main(void)
{
    zsys_init();
    int64_t *rtt = calloc(S_LAT_ROUNDS, sizeof *rtt);
    printf("round trips: %d one at a time; throughput: %d messages, "
           "%d in flight\n\n",
           S_LAT_ROUNDS, S_TPUT_MSGS, S_WINDOW);
    printf("%-38s %10s %9s %9s %9s\n", "path", "msgs/s", "rtt p50", "p99",
           "p99.9");
    printf("%-38s %10s %9s %9s %9s\n", "", "", "(us)", "(us)", "(us)");
    s_rig_t rig;
    s_rig_up(&rig);
    for (int mode = 1; mode >= 0; mode--) {
        s_raw_run(mode, rtt);
        s_runtime_run(&rig, mode, false, rtt);
        s_runtime_run(&rig, mode, true, rtt);
    }
    s_rig_down(&rig);
    free(rtt);
    return 0;
}
