/*  bench/bench_bus.c: the event bus as the service runs it (bus/bus.c):
    real inbox, real SQLite file, real PUB socket with one subscriber
    reading everything.

    - events: candle events pushed as fast as the inbox takes them; the
      rate at which they are numbered, committed (batches of up to 512)
      and received by the subscriber;
    - intents: order intents one at a time, each answered only after its
      durable commit (synchronous=FULL), the round trip an order waits
      before it may be sent.
    Prints a table; `bench/run` builds it in release mode. */
#include "bus/bus.h"
#include "config/config.h"
#include "runtime/clock.h"
#include "runtime/runtime.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_EVENTS 200000
#define S_INTENTS 2000

static double s_now(void)
{
    return (double)zclock_usecs() * 1e-6;
}

static tt_config_t *s_config(const char *dir)
{
    char path[512], text[1536];
    snprintf(path, sizeof path, "%s/bench.yaml", dir);
    snprintf(text, sizeof text,
             "service:\n  control: ipc://%s/control\n"
             "  events: ipc://%s/events\n  replay: ipc://%s/replay\n"
             "  db: %s/bench.db\n  workers: 1\n  events_hwm: 1000000\n"
             "venues:\n  - name: sim\n    kind: sim\n"
             "symbols:\n  - symbol: BENCH\n    venue: sim\n"
             "    px_decimals: 2\n    qty_decimals: 0\n"
             "    tick_size: \"0.01\"\n    lot_size: \"1\"\n"
             "    strategy: {kind: sma_cross, params: {fast: 2, slow: 4}}\n"
             "    risk: {sizing: fixed_qty, qty: \"1\"}\n",
             dir, dir, dir, dir);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    tt_config_t *cfg = tt_config_load(path, NULL, NULL, NULL);
    if (!cfg)
        exit(1);
    return cfg;
}

static void s_bench_events(tt_sender_t *sender, zsock_t *sub)
{
    tt_candle_t c = {.open_ts = 1700000000 * TT_NS_PER_SEC,
                     .tf_s = 60,
                     .open = 10000,
                     .high = 10100,
                     .low = 9900,
                     .close = 10050,
                     .volume = 7,
                     .trades = 3,
                     .closed = true};
    double t0 = s_now();
    long received = 0;
    for (long i = 0; i < S_EVENTS; i++) {
        c.open_ts += 60 * TT_NS_PER_SEC;
        tt_sender_send(sender, TT_ACTOR_BUS, 0, TT_EVT_CANDLE, &c, sizeof c,
                       true);
        tt_sender_flush(sender);
        while (zsock_events(sub) & ZMQ_POLLIN) {
            zmsg_t *msg = zmsg_recv(sub);
            zmsg_destroy(&msg);
            received++;
        }
    }
    while (received < S_EVENTS && tt_sender_flush(sender) == 0) {
        zmsg_t *msg = zmsg_recv(sub);
        if (!msg)
            break;
        zmsg_destroy(&msg);
        received++;
    }
    double secs = s_now() - t0;
    printf("| %-34s | %9ld | %8.3f | %12.0f |\n",
           "candle events stored + published", received, secs,
           (double)received / secs);
}

static void s_bench_intents(tt_sender_t *sender, zsock_t *mailbox)
{
    double *rtt = calloc(S_INTENTS, sizeof *rtt);
    double t0 = s_now();
    for (int i = 0; i < S_INTENTS; i++) {
        tt_evt_order_t ev = {.intent = 1};
        tt_order_t *o = &ev.order;
        o->seq = (uint64_t)i + 1;
        snprintf(o->coid, sizeof o->coid, "tt-BENCH-%d-e", i + 1);
        o->role = TT_ROLE_ENTRY;
        o->side = TT_SIDE_BUY;
        o->type = TT_ORD_MARKET;
        o->tif = TT_TIF_DAY;
        o->state = TT_OS_NEW;
        o->qty = 1;
        o->created_ts = o->updated_ts = 1700000000 * TT_NS_PER_SEC + i;
        double t = s_now();
        tt_sender_send(sender, TT_ACTOR_BUS, 0, TT_EVT_ORDER, &ev, sizeof ev,
                       true);
        tt_sender_flush(sender);
        tt_msg_t msg;
        if (zmq_recv(zsock_resolve(mailbox), &msg, sizeof msg, 0) < 0 ||
            msg.hdr.type != TT_MSG_INTENT_DONE || msg.body.done.status != 0) {
            fprintf(stderr, "bench_bus: intent %d not committed\n", i);
            exit(1);
        }
        rtt[i] = s_now() - t;
    }
    double secs = s_now() - t0;
    printf("| %-34s | %9d | %8.3f | %12.0f |\n",
           "order intents (FULL), one by one", S_INTENTS, secs,
           S_INTENTS / secs);
    /* p50 and p99: insertion sort (2000 values). */
    for (int i = 1; i < S_INTENTS; i++) {
        double v = rtt[i];
        int j = i - 1;
        for (; j >= 0 && rtt[j] > v; j--)
            rtt[j + 1] = rtt[j];
        rtt[j + 1] = v;
    }
    printf("\nintent round trip (commit before send): p50 %.1f us, "
           "p99 %.1f us, max %.1f us\n",
           rtt[S_INTENTS / 2] * 1e6, rtt[S_INTENTS * 99 / 100] * 1e6,
           rtt[S_INTENTS - 1] * 1e6);
    free(rtt);
}

int main(void)
{
    char dir[] = "/tmp/tt-bench-bus-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    zsys_init();
    zsys_handler_set(NULL);
    tt_config_t *cfg = s_config(dir);
    tt_clock_t *clock = tt_clock_new_live();
    static const tt_behaviour_t *const none[TT_ROLE_COUNT] = {0};
    tt_runtime_t *rt = tt_runtime_new(cfg, clock, none);
    /* The bench stands in for worker 0: intent answers arrive here. */
    char endpoint[128];
    tt_runtime_endpoint_worker(rt, endpoint, sizeof endpoint, 0);
    zsock_t *mailbox = zsock_new_pull(endpoint);
    tt_bus_stats_t stats = {0};
    zactor_t *bus = tt_bus_start(rt, &stats);
    zsock_t *sub = zsock_new(ZMQ_SUB);
    zsock_set_rcvhwm(sub, 1000000);
    zsock_set_subscribe(sub, "");
    zsock_connect(sub, "%s", cfg->events_endpoint);
    if (!bus || !mailbox || !sub)
        return 1;
    /* Wait (bounded) until the subscription reached the bus. */
    for (int i = 0; i < 200 && atomic_load(&stats.subscribers) == 0; i++)
        zclock_sleep(5);
    tt_sender_t *sender = tt_sender_new(rt);
    printf("| %-34s | %9s | %8s | %12s |\n", "what", "events", "seconds",
           "per second");
    printf("|%s|%s|%s|%s|\n", "------------------------------------",
           "-----------", "----------", "--------------");
    s_bench_events(sender, sub);
    s_bench_intents(sender, mailbox);
    printf("bus counters: events %llu, published %llu, dropped %llu\n",
           (unsigned long long)atomic_load(&stats.events),
           (unsigned long long)atomic_load(&stats.published),
           (unsigned long long)atomic_load(&stats.dropped));
    tt_sender_destroy(&sender);
    zactor_destroy(&bus);
    zsock_destroy(&sub);
    zsock_destroy(&mailbox);
    tt_runtime_destroy(&rt);
    tt_clock_destroy(&clock);
    tt_config_destroy(&cfg);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
