/*  tests/test_events_e2e.c: the event stream of the real binary.

    A service trades three symbols on the paper broker. `ticktree events`
    and the Python reference client (examples/python) each start late,
    replay from sequence 1 and continue live: the sequence numbers they
    print must be exactly 1..N, no gap, no duplicate, across the switch
    from replay to live. A subscriber that never reads (high-water mark 5)
    must not stop the trading, and its drops must show in health. After a
    clean stop, the store holds every event once with no gap, every fill
    once, and positions rebuilt from the ledger equal the stored ones. */
#include "tests/harness.h"
#include "tests/process.h"
#include "tests/storecheck.h"
#include "events.pb-c.h"

#include <czmq.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tth_proc_t *s_start(void)
{
    tth_venue_params = "{tick_rate_hz: 50, volatility: 3.0}";
    tth_symbol_extra = "  timeframes: [1]\n";
    tth_strategy_params = "{fast: 2, slow: 4, allow_short: true}";
    return tth_proc_start(3, "  events_hwm: 5\n", NULL);
}

static uint64_t s_health_u64(tth_proc_t *proc, const char *what)
{
    Tt__Reply *reply = NULL;
    Tt__Health *h = tth_health(proc, &reply);
    uint64_t v = 0;
    if (h && h->events && !strcmp(what, "last_seq"))
        v = h->events->last_seq;
    else if (h && h->events && !strcmp(what, "dropped"))
        v = h->events->dropped;
    else if (h && !strcmp(what, "fills"))
        for (size_t i = 0; i < h->n_symbols; i++)
            v += h->symbols[i]->fills;
    if (reply)
        tt__reply__free_unpacked(reply, NULL);
    return v;
}

/* Waits (bounded) until WHAT in health reaches AT_LEAST. */
static uint64_t s_wait_health(tth_proc_t *proc, const char *what,
                              uint64_t at_least, int timeout_ms)
{
    int64_t deadline = tth_now_ms() + timeout_ms;
    uint64_t v = 0;
    while ((v = s_health_u64(proc, what)) < at_least && tth_now_ms() < deadline)
        zclock_sleep(50);
    return v;
}

/* Checks that OUTPUT is JSON lines with seq exactly 1..COUNT. */
static void s_check_sequence(const char *output, long count, const char *who)
{
    long expected = 1;
    const char *line = output;
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        json_error_t err;
        json_t *obj = json_loadb(line, len, 0, &err);
        if (!obj)
            fail_msg("%s: not a JSON line: %.*s", who, (int)len, line);
        long seq = (long)json_integer_value(json_object_get(obj, "seq"));
        if (seq != expected)
            fail_msg("%s: seq %ld where %ld was expected (gap or duplicate)",
                     who, seq, expected);
        assert_non_null(json_object_get(obj, "topic"));
        json_decref(obj);
        expected++;
        line = nl ? nl + 1 : NULL;
    }
    assert_int_equal(expected - 1, count);
}

static void s_endpoints(tth_proc_t *proc, char *events, char *replay,
                        size_t size)
{
    snprintf(events, size, "ipc://%s/events", proc->dir);
    snprintf(replay, size, "ipc://%s/replay", proc->dir);
}

/* Sends BYTES to the replay endpoint; returns the reply's status (-1: no
   reply within 3 s), and its error text into ERR. */
static int s_replay_raw(const char *endpoint, const void *bytes, size_t len,
                        char *err, size_t size)
{
    zsock_t *req = zsock_new(ZMQ_REQ);
    assert_non_null(req);
    zsock_set_linger(req, 0);
    assert_int_equal(zsock_connect(req, "%s", endpoint), 0);
    zmq_send(zsock_resolve(req), bytes, len, 0);
    zmq_pollitem_t item = {zsock_resolve(req), 0, ZMQ_POLLIN, 0};
    int status = -1;
    if (zmq_poll(&item, 1, 3000) == 1) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        zmq_msg_recv(&msg, zsock_resolve(req), 0);
        Tt__ReplayReply *reply = tt__replay_reply__unpack(
            NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
        zmq_msg_close(&msg);
        assert_non_null(reply);
        status = (int)reply->status;
        snprintf(err, size, "%s", reply->error);
        tt__replay_reply__free_unpacked(reply, NULL);
    }
    zsock_destroy(&req);
    return status;
}

/* Garbage and nonsense ranges get an error reply; the service goes on. */
static void s_check_bad_replay_requests(tth_proc_t *proc, const char *replay)
{
    char err[256];
    assert_int_equal(
        s_replay_raw(replay, "\xff\xff\x01garbage", 10, err, sizeof err),
        TT__STATUS__STATUS_BAD_REQUEST);
    assert_non_null(strstr(err, "ReplayRequest"));
    Tt__ReplayRequest rq = TT__REPLAY_REQUEST__INIT;
    rq.from_seq = 10;
    rq.to_seq = 5;
    uint8_t buf[64];
    size_t n = tt__replay_request__pack(&rq, buf);
    assert_int_equal(s_replay_raw(replay, buf, n, err, sizeof err),
                     TT__STATUS__STATUS_BAD_REQUEST);
    assert_non_null(strstr(err, "below"));
    Tt__Reply *reply = NULL;
    Tt__Health *h = tth_health(proc, &reply);
    assert_non_null(h);
    assert_int_equal(h->state, TT__STATE__STATE_RUNNING);
    assert_true(h->events->last_seq > 0);
    tt__reply__free_unpacked(reply, NULL);
}

static void test_late_subscribers_get_replay_then_live(void **state)
{
    (void)state;
    tth_proc_t *proc = s_start();
    /* Some history first, so that the replay has work to do. */
    uint64_t seq = s_wait_health(proc, "last_seq", 200, 20000);
    assert_true(seq >= 200);
    char events[512], replay[512], count[32];
    s_endpoints(proc, events, replay, sizeof events);
    /* More than is stored now: the tail must come from the live stream. */
    snprintf(count, sizeof count, "%llu", (unsigned long long)seq + 100);
    const char *args[] = {"events", "--endpoint",     events,  "--replay",
                          replay,   "--from",         "1",     "--count",
                          count,    "--idle-timeout", "15000", "--json",
                          NULL};
    char *out = NULL;
    int rc = tth_run_binary(args, &out);
    if (rc != 0)
        fail_msg("ticktree events exited %d:\n%s", rc, out);
    s_check_sequence(out, (long)seq + 100, "ticktree events");
    free(out);

    /* The Python reference client, the same way. */
    seq = s_health_u64(proc, "last_seq");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/examples/python/ticktree_events.py "
             "--endpoint %s --replay %s --from 1 --count %llu "
             "--idle-timeout-ms 15000 2>&1",
             TT_SOURCE_DIR, events, replay, (unsigned long long)seq + 100);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[len] = '\0';
    int status = pclose(p);
    if (status != 0)
        fail_msg("python client exited %d:\n%.2000s", status, buf);
    s_check_sequence(buf, (long)seq + 100, "python client");
    free(buf);
    s_check_bad_replay_requests(proc, replay);
    tth_proc_destroy(&proc);
}

static void test_stalled_subscriber_and_the_store(void **state)
{
    (void)state;
    tth_proc_t *proc = s_start();
    char events[512], replay[512];
    s_endpoints(proc, events, replay, sizeof events);
    /* A subscriber that never reads, with the smallest queue. */
    zsock_t *stalled = zsock_new(ZMQ_SUB);
    assert_non_null(stalled);
    zsock_set_rcvhwm(stalled, 1);
    zsock_set_subscribe(stalled, "");
    assert_int_equal(zsock_connect(stalled, "%s", events), 0);
    uint64_t fills0 = s_health_u64(proc, "fills");
    uint64_t dropped = s_wait_health(proc, "dropped", 1, 30000);
    assert_true(dropped >= 1);
    /* Trading goes on while the subscriber stalls. */
    uint64_t fills = s_wait_health(proc, "fills", fills0 + 4, 30000);
    assert_true(fills >= fills0 + 4);
    zsock_destroy(&stalled);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 10000), 0);

    char path[512];
    snprintf(path, sizeof path, "%s/ticktree.db", proc->dir);
    long orders = 0;
    assert_true(tth_check_store(path, 3, &orders) >= 4);
    tth_proc_destroy(&proc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_late_subscribers_get_replay_then_live),
        cmocka_unit_test(test_stalled_subscriber_and_the_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
