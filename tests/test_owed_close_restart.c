/*  tests/test_owed_close_restart.c: a session end's force-close owed by
    a live symbol (its venue had not reconciled the restored orders)
    survives a restart of the whole service. The real execution actor on
    the real runtime (one worker, inproc mailboxes, a manual clock) with
    the real bus writing a real SQLite file; the test plays the venue's
    broker gateway (it binds its inbox, reads the intents, sends the
    answers) and the clock actor (it sends the session messages).

    The store holds a long position of S00 (10 at 100.00) with its stop
    and target working, as test_venue_late_eod.c seeds it. A first
    service starts on it, its venue stays silent past
    risk.venue_sync_timeout_s and the session ends: the close is owed,
    and the store says so (owed_closes) as soon as it is. That service
    goes; a second one starts on the same file, its memory rebuilt from
    the store (tt_exec_memory_restore):

    - the venue reconciles before the next session: the close runs (the
      stop and target cancelled, the exit sent once) and the store no
      longer owes it;
    - the next session opened while the service was down: the venue's
      answer runs nothing, the log says the close is dropped, and so
      does the store;
    - a symbol no longer on a live venue (its config changed) drops the
      close at start, saying so, and the store with it. */
#include "tests/harness.h"
#include "tests/symrig.h"

#include "actors/symbol_actors.h"
#include "bus/bus.h"
#include "messages/internal.h"
#include "runtime/log.h"
#include "runtime/runtime.h"
#include "store/store.h"

#include <czmq.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEC TT_NS_PER_SEC
/* 2024-03-11 00:00 UTC, a Monday; the session closes at 20:00 UTC and
   the next opens on Tuesday at 13:30 UTC. */
#define MON (INT64_C(1710115200) * SEC)
#define HOUR (3600 * SEC)
#define S_CLOSE (MON + 20 * HOUR)
#define S_NEXT_OPEN (S_CLOSE + 17 * HOUR + 30 * 60 * SEC)
#define S_SESSION 20240311
/* Frames that must not come: how long the test looks for them. */
#define S_QUIET_MS 300

typedef struct {
    char *dir; /* the service's files: kept across its restarts */
    char *log_path;
    int log_fd;
    tt_config_t *cfg;
    tt_clock_t *clock;
    tt_runtime_t *rt;
    tt_bus_stats_t bus_stats;
    zactor_t *bus;    /* the real bus, on the real store */
    zsock_t *inbox;   /* the root's: the actors' reports */
    zsock_t *gateway; /* the venue's broker gateway's inbox */
    tt_sender_t *sender;
    uint32_t exec;
} s_rig_t;

/* A venue of kind %s named "live"; the bus's file and sockets in the
   scratch directory %s. */
static const char *s_yaml =
    "service:\n  workers: 1\n  db: %s/t.db\n  control: ipc://%s/control\n"
    "  events: ipc://%s/events\n  replay: ipc://%s/replay\n"
    "venues:\n  - name: live\n    kind: %s\n    calendar: us_equity\n"
    "symbol_defaults:\n  venue: live\n  px_decimals: 2\n  qty_decimals: 0\n"
    "  timeframes: [60]\n  stale_ms: 600000\n"
    "  strategy: {kind: sma_cross}\n"
    "  risk: {qty: \"10\", venue_sync_timeout_s: 1}\n"
    "symbols:\n  - symbol: S00\n";

static tt_store_t *s_store(const char *dir)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/t.db", dir);
    tt_store_t *store = tt_store_open(path, NULL, err, sizeof err);
    if (!store)
        fail_msg("store: %s", err);
    return store;
}

/* One working child of the bracket, acknowledged by the venue. */
static void s_seed_child(tt_store_t *store, tt_role_t role, tt_ord_type_t type,
                         tt_px_t px)
{
    tt_store_order_t rec = {.symbol = "S00",
                            .parent_coid = "tt-S00-1-e",
                            .order = {.seq = 1,
                                      .role = role,
                                      .side = TT_SIDE_SELL,
                                      .type = type,
                                      .tif = TT_TIF_GTC,
                                      .state = TT_OS_NEW,
                                      .qty = 10,
                                      .created_ts = S_CLOSE - HOUR,
                                      .updated_ts = S_CLOSE - HOUR}};
    tt_order_t *o = &rec.order;
    assert_true(tt_coid_format(o->coid, "S00", 1, role) > 0);
    if (type == TT_ORD_STOP)
        o->stop_px = px;
    else
        o->limit_px = px;
    if (tt_store_order_intent(store, &rec) != 0)
        fail_msg("intent: %s", tt_store_error(store));
    o->state = TT_OS_ACCEPTED;
    snprintf(rec.venue_oid, sizeof rec.venue_oid, "venue-%c", (char)role);
    assert_int_equal(tt_store_order_update(store, &rec), 0);
}

/* Long 10 at 100.00, stop 99.00, target 102.00. */
static void s_seed_store(const char *dir)
{
    tt_store_t *store = s_store(dir);
    tt_store_order_t entry = {.symbol = "S00",
                              .order = {.coid = "tt-S00-1-e",
                                        .seq = 1,
                                        .role = TT_ROLE_ENTRY,
                                        .side = TT_SIDE_BUY,
                                        .type = TT_ORD_MARKET,
                                        .tif = TT_TIF_DAY,
                                        .state = TT_OS_NEW,
                                        .qty = 10,
                                        .created_ts = S_CLOSE - HOUR,
                                        .updated_ts = S_CLOSE - HOUR}};
    if (tt_store_order_intent(store, &entry) != 0)
        fail_msg("entry: %s", tt_store_error(store));
    snprintf(entry.venue_oid, sizeof entry.venue_oid, "venue-e");
    entry.order.state = TT_OS_FILLED;
    entry.order.filled = 10;
    entry.order.fill_cost = 100000;
    assert_int_equal(tt_store_order_update(store, &entry), 0);
    tt_fill_t fill = {.fill_id = "venue-e:10",
                      .coid = "tt-S00-1-e",
                      .side = TT_SIDE_BUY,
                      .px = 10000,
                      .qty = 10,
                      .ts = S_CLOSE - HOUR};
    assert_int_equal(tt_store_fill(store, "live", "S00", 0, &fill, NULL), 0);
    s_seed_child(store, TT_ROLE_STOP, TT_ORD_STOP, 9900);
    s_seed_child(store, TT_ROLE_TARGET, TT_ORD_LIMIT, 10200);
    assert_int_equal(tt_store_order_seq_set(store, "S00", 2), 0);
    tt_store_close(&store);
}

/* What the store says S00 owes, read by a connection of its own while
   the service runs: 0 owed (*SESSION, *END), 1 none. */
static int s_owed_in_store(const char *dir, int32_t *session, int64_t *end)
{
    tt_store_t *store = s_store(dir);
    int rc = tt_store_owed_close_get(store, "S00", session, end);
    if (rc < 0)
        fail_msg("owed close: %s", tt_store_error(store));
    tt_store_close(&store);
    return rc;
}

/* Polls the store until S00 owes a close (WANT true) or none, at most
   5 s; the bus writes it a moment after the actor decided. */
static bool s_store_owes(const char *dir, bool want)
{
    int32_t session = 0;
    int64_t end = 0;
    int64_t deadline = tth_now_ms() + 5000;
    for (;;) {
        int rc = s_owed_in_store(dir, &session, &end);
        if ((rc == 0) == want)
            return !want || (session == S_SESSION && end == S_CLOSE);
        if (tth_now_ms() >= deadline)
            return false;
        tth_nap_ms(5);
    }
}

/* The next frame on SOCK into *MSG, checked; its type, or -1 after
   TIMEOUT_MS. */
static int s_next(zsock_t *sock, tt_msg_t *msg, int timeout_ms)
{
    zmq_pollitem_t item = {zsock_resolve(sock), 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, timeout_ms) <= 0)
        return -1;
    int size = zmq_recv(zsock_resolve(sock), msg, sizeof *msg, ZMQ_DONTWAIT);
    if (size < (int)sizeof msg->hdr)
        return -1;
    assert_int_equal(tt_msg_check(msg, (size_t)size), 0);
    return msg->hdr.type;
}

/* Reads the root's inbox until report TYPE, at most 5 s. */
static bool s_report(s_rig_t *rig, uint16_t type)
{
    tt_msg_t msg;
    int64_t deadline = tth_now_ms() + 5000;
    while (tth_now_ms() < deadline)
        if (s_next(rig->inbox, &msg, 10) == type)
            return true;
    return false;
}

/* The next intent for the gateway into *IT; false after 5 s. */
static bool s_gateway_intent(s_rig_t *rig, tt_intent_t *it)
{
    tt_msg_t msg;
    int64_t deadline = tth_now_ms() + 5000;
    while (tth_now_ms() < deadline)
        if (s_next(rig->gateway, &msg, 10) == TT_MSG_BROKER_INTENT) {
            *it = msg.body.intent;
            return true;
        }
    return false;
}

/* Whether the gateway gets nothing for S_QUIET_MS. */
static bool s_gateway_quiet(s_rig_t *rig)
{
    tt_msg_t msg;
    return s_next(rig->gateway, &msg, S_QUIET_MS) < 0;
}

/* Whether the log holds NEEDLE within 5 s. */
static bool s_log_holds(s_rig_t *rig, const char *needle)
{
    int64_t deadline = tth_now_ms() + 5000;
    for (;;) {
        char *text = tth_read_file(rig->log_path);
        bool found = text && strstr(text, needle);
        free(text);
        if (found || tth_now_ms() >= deadline)
            return found;
        tth_nap_ms(5);
    }
}

static void s_send(s_rig_t *rig, uint32_t from, uint16_t type, const void *body,
                   uint32_t len)
{
    assert_int_equal(
        tt_sender_send(rig->sender, rig->exec, from, type, body, len, true), 0);
    tt_sender_flush(rig->sender);
}

/* The gateway's answer about COID (KIND); an empty COID with
   TT_EV_RECONCILED ends its reconciliation. */
static void s_gateway_says(s_rig_t *rig, tt_broker_ev_kind_t kind,
                           const char *coid)
{
    tt_broker_ev_t ev = {.kind = kind, .ts = tt_clock_now(rig->clock)};
    snprintf(ev.coid, sizeof ev.coid, "%s", coid);
    s_send(rig, TT_ACTOR_BROKER(0), TT_MSG_BROKER_EVENT, &ev, sizeof ev);
}

/* A start of the service on DIR's store at START, with a venue of KIND:
   the bus opens the store, the root's restore fills the execution
   actor's memory from it, and S00's actors start. */
static void s_service_up(s_rig_t *rig, char *dir, const char *kind,
                         int64_t start)
{
    memset(rig, 0, sizeof *rig);
    rig->dir = dir;
    char name[32];
    snprintf(name, sizeof name, "log-%lld.txt", (long long)start);
    rig->log_path = tth_write_file(dir, name, "");
    rig->log_fd = open(rig->log_path, O_WRONLY | O_APPEND);
    assert_true(rig->log_fd >= 0);
    tt_log_setup(TT_LOG_INFO, false, rig->log_fd);
    char yaml[1024];
    snprintf(yaml, sizeof yaml, s_yaml, dir, dir, dir, dir, kind);
    char *cfg_path = tth_write_file(dir, "c.yaml", yaml);
    rig->cfg = tt_config_load(cfg_path, NULL, NULL, NULL);
    free(cfg_path);
    assert_non_null(rig->cfg);
    rig->clock = tt_clock_new_manual(start);
    /* Data, indicator and strategy: not in these scenarios. */
    static const tt_behaviour_t *const roles[TT_ROLE_COUNT] = {
        &tt_execution_behaviour, &tth_idle_behaviour, &tth_idle_behaviour,
        &tth_idle_behaviour};
    rig->rt = tt_runtime_new(rig->cfg, rig->clock, roles);
    assert_non_null(rig->rt);
    tt_runtime_set_bus(rig->rt, true);
    rig->bus = tt_bus_start(rig->rt, &rig->bus_stats);
    assert_non_null(rig->bus);
    assert_int_equal(tt_exec_memory_restore(rig->rt, rig->cfg->db_path), 0);
    rig->inbox = zsock_new_pull(tt_runtime_endpoint_root(rig->rt));
    char endpoint[256];
    tt_runtime_endpoint_broker(rig->rt, endpoint, sizeof endpoint, 0);
    rig->gateway = zsock_new_pull(endpoint);
    assert_non_null(rig->inbox);
    assert_non_null(rig->gateway);
    assert_int_equal(tt_runtime_start(rig->rt), 0);
    rig->sender = tt_sender_new(rig->rt);
    rig->exec = tt_runtime_actor_id(0, TT_ROLE_EXECUTION);
    for (int role = 0; role < TT_ROLE_COUNT; role++) {
        tt_sender_send(rig->sender, tt_runtime_actor_id(0, role), TT_ACTOR_ROOT,
                       TT_SYS_START, NULL, 0, true);
        assert_true(s_report(rig, TT_REP_STARTED));
    }
}

/* The service goes: the workers stop, then the bus, then the runtime.
   The store's file stays for the next start. */
static void s_service_down(s_rig_t *rig)
{
    tt_sender_destroy(&rig->sender);
    tt_runtime_stop(rig->rt);
    zactor_destroy(&rig->bus);
    tt_runtime_destroy(&rig->rt);
    zsock_destroy(&rig->gateway);
    zsock_destroy(&rig->inbox);
    tt_clock_destroy(&rig->clock);
    tt_config_destroy(&rig->cfg);
    tt_log_setup(TT_LOG_INFO, false, 2);
    close(rig->log_fd);
    free(rig->log_path);
}

/* The live symbol asks the gateway about its stop and target, then ends
   its list. */
static void s_expect_queries(s_rig_t *rig)
{
    tt_intent_t it;
    for (int i = 0; i < 3; i++) {
        assert_true(s_gateway_intent(rig, &it));
        assert_int_equal(it.kind, TT_INTENT_QUERY);
        if (i < 2)
            assert_true(it.order.role == TT_ROLE_STOP ||
                        it.order.role == TT_ROLE_TARGET);
        else
            assert_string_equal(it.order.coid, "");
    }
}

/* The first service: the venue stays silent past its bound and session
   S_SESSION ends, so the close is owed; the store says so while the
   service still runs (a crash from here on keeps it). Returns the
   scratch directory, the store in it. */
static char *s_first_service_owes(void)
{
    char *dir = tth_tmpdir("tt-owedclose");
    s_seed_store(dir);
    s_rig_t rig;
    s_service_up(&rig, dir, "alpaca", S_CLOSE - 60 * SEC);
    s_expect_queries(&rig);
    tt_clock_advance(rig.clock, 2 * SEC);
    assert_true(s_report(&rig, TT_REP_VENUE_LATE));
    assert_true(s_store_owes(dir, false));
    tt_clock_set(rig.clock, S_CLOSE);
    tt_session_msg_t end = {.ts = S_CLOSE,
                            .kind = TT_SESSION_CLOSE,
                            .session_id = S_SESSION,
                            .force_close = 1};
    s_send(&rig, TT_ACTOR_ROOT, TT_MSG_SESSION, &end, sizeof end);
    assert_true(s_log_holds(&rig, "session 20240311 ended: position not "
                                  "closed"));
    assert_true(s_store_owes(dir, true));
    assert_true(s_gateway_quiet(&rig));
    s_service_down(&rig);
    return dir;
}

/* The restored memory owes session S_SESSION's close (the second start's
   restore, before its actors start). */
static void s_expect_memory_owes(s_rig_t *rig)
{
    tt_exec_memory_t mem;
    tt_actor_entry_t *entry = tt_runtime_actor(rig->rt, rig->exec);
    assert_int_equal(entry->memory_len, sizeof mem);
    memcpy(&mem, entry->memory, sizeof mem);
    assert_int_equal(mem.pos.qty, 10);
    assert_int_equal(mem.close_owed, 1);
    assert_int_equal(mem.close_session, S_SESSION);
    assert_int_equal(mem.close_ts, S_CLOSE);
}

static void s_cleanup(char *dir)
{
    tth_rmtree(dir);
    free(dir);
}

/* The second service starts the same evening; the venue answers: the
   close runs on the book as the venue left it (stop and target
   cancelled, then the exit, once) and the store owes nothing more. */
static void test_owed_close_runs_after_service_restart(void **state)
{
    (void)state;
    char *dir = s_first_service_owes();
    s_rig_t rig;
    s_service_up(&rig, dir, "alpaca", S_CLOSE + 10 * 60 * SEC);
    assert_true(s_log_holds(&rig, "restored: the close owed since session "
                                  "20240311 ended"));
    assert_true(s_log_holds(&rig, "session 20240311 ended before the "
                                  "restart with the close still owed"));
    s_expect_queries(&rig);
    s_gateway_says(&rig, TT_EV_RECONCILED, "");
    assert_true(s_report(&rig, TT_REP_VENUE_OK));
    tt_intent_t it;
    for (int i = 0; i < 2; i++) {
        assert_true(s_gateway_intent(&rig, &it));
        assert_int_equal(it.kind, TT_INTENT_CANCEL);
        s_gateway_says(&rig, TT_EV_CANCELLED, it.order.coid);
    }
    assert_true(s_gateway_intent(&rig, &it));
    assert_int_equal(it.kind, TT_INTENT_SUBMIT);
    assert_int_equal(it.order.role, TT_ROLE_EXIT);
    assert_int_equal(it.order.side, TT_SIDE_SELL);
    assert_int_equal(it.order.type, TT_ORD_MARKET);
    assert_int_equal(it.order.qty, 10);
    assert_true(s_gateway_quiet(&rig)); /* once */
    assert_true(s_log_holds(&rig, "session 20240311 ended: closing the "
                                  "position"));
    assert_true(s_store_owes(dir, false));
    /* The exit's intent reached the store before it reached the venue. */
    tt_store_t *store = s_store(dir);
    tt_ord_state_t st;
    int64_t fills;
    assert_int_equal(tt_store_order_status(store, it.order.coid, &st, &fills),
                     0);
    tt_store_close(&store);
    s_service_down(&rig);
    s_cleanup(dir);
}

/* The restore alone: a fresh runtime's memory, rebuilt from the store,
   owes the close (what the first start then acts on). */
static void test_restore_puts_the_owed_close_in_memory(void **state)
{
    (void)state;
    char *dir = s_first_service_owes();
    s_rig_t rig;
    s_service_up(&rig, dir, "alpaca", S_CLOSE + 10 * 60 * SEC);
    s_expect_queries(&rig);
    /* The actor published its memory since (fresh 0), the debt kept. */
    s_expect_memory_owes(&rig);
    s_service_down(&rig);
    s_cleanup(dir);
}

/* The next session opened while the service was down (no open message
   ever reaches the new service): the venue's calendar says so at its
   answer, the close is dropped, logged, and cleared in the store. */
static void test_owed_close_dropped_when_next_session_opened(void **state)
{
    (void)state;
    char *dir = s_first_service_owes();
    s_rig_t rig;
    s_service_up(&rig, dir, "alpaca", S_NEXT_OPEN + HOUR);
    s_expect_queries(&rig);
    s_gateway_says(&rig, TT_EV_RECONCILED, "");
    assert_true(s_report(&rig, TT_REP_VENUE_OK));
    assert_true(s_log_holds(&rig, "session 20240312 opened: the close owed "
                                  "since session 20240311 ended is dropped"));
    assert_true(s_gateway_quiet(&rig));
    assert_true(s_store_owes(dir, false));
    s_service_down(&rig);
    s_cleanup(dir);
}

/* The symbol's venue became the paper broker's between the two starts:
   nothing waits for a venue, so the close is dropped at start, said in
   the log, and cleared in the store. */
static void test_owed_close_dropped_when_no_longer_live(void **state)
{
    (void)state;
    char *dir = s_first_service_owes();
    s_rig_t rig;
    s_service_up(&rig, dir, "sim", S_CLOSE + 10 * 60 * SEC);
    assert_true(s_log_holds(&rig, "session 20240311 ended with its close "
                                  "owed, but the symbol no longer trades on "
                                  "a live venue: the close is dropped"));
    assert_true(s_store_owes(dir, false));
    s_service_down(&rig);
    s_cleanup(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owed_close_runs_after_service_restart),
        cmocka_unit_test(test_restore_puts_the_owed_close_in_memory),
        cmocka_unit_test(test_owed_close_dropped_when_next_session_opened),
        cmocka_unit_test(test_owed_close_dropped_when_no_longer_live),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
