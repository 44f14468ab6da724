/*  tests/test_venue_late_eod.c: the end-of-session force-close of a live
    symbol restarted onto a venue that has not reconciled its restored
    orders, through the real execution actor on the real runtime (one
    worker, inproc mailboxes) with a manual clock.

    The store holds a long position of S00 (10 at 100.00) with its stop
    (99.00) and target (102.00) working, as a service stopped while
    holding it would have left it; the execution actor restores them at
    its start and asks the venue's gateway about them. The test plays
    that gateway (it binds the gateway's inbox, reads the intents and
    sends its answers), the clock actor (it sends the session messages)
    and the bus (it records the order events and commits each intent).

    - Reconciled in time, a session end force-closes as ever: the stop
      and target are cancelled at the venue, then the exit goes out.
    - Past risk.venue_sync_timeout_s (1 s here) the symbol is late: a
      session end then sends nothing (the book's view of the venue may
      be wrong) and says why in the log; the gateway's answer closes the
      position the same way, once.
    - A session that opens before the answer drops the owed close.
    - An actor restarted inside the service (not its first start) waits
      for the bus's answer to its barrier. When it does not come within
      the bound on held inputs, a live symbol closes nothing at the
      market on the store's view: it is late as above, restores once the
      bus answers, and the gateway's answer lifts the pause and runs the
      owed close. The paper broker's position is closed at the market,
      as ever (its state is ours), past the time bound too in a quiet
      market; either symbol reports the wait (health).
    - A fill of a restored order that the venue reports while the
      restarted actor waits for the store (held, or past the bound only
      logged) is applied once, by the venue's reconciliation.
    - A close owed when the execution actor fails is owed by the next
      instance, and still dropped by the next session's open, whether
      its message was lost while the actor was down or held. */
#include "tests/harness.h"
#include "tests/symrig.h"

#include "actors/symbol_actors.h"
#include "messages/internal.h"
#include "risk/risk.h"
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
/* 2024-03-11 00:00 UTC, a Monday; the session closes at 20:00 UTC. */
#define MON (INT64_C(1710115200) * SEC)
#define HOUR (3600 * SEC)
#define S_CLOSE (MON + 20 * HOUR)
/* Frames that must not come: how long the test looks for them (a frame
   that does come arrives within a millisecond of its cause). */
#define S_QUIET_MS 300
#define S_MAX 64

typedef struct {
    char *dir;
    char *log_path;
    int log_fd;
    tt_config_t *cfg;
    tt_clock_t *clock;
    tt_runtime_t *rt;
    zsock_t *inbox;   /* the root's: the actors' reports */
    zsock_t *bus;     /* the bus's inbox: the test plays the bus */
    zsock_t *gateway; /* the venue's broker gateway's inbox */
    tt_sender_t *sender;
    uint32_t exec;
    int norders, nrej, nfills;
    tt_evt_order_t orders[S_MAX];  /* order events the bus got */
    tt_evt_rejection_t rej[S_MAX]; /* refused signals */
    tt_evt_fill_t fills[S_MAX];    /* fills the bus got (the ledger's) */
    int reports[S_MAX];            /* reports read, by type - TT_REP_STARTED */
} s_rig_t;

/* The config, with a venue of kind %s (alpaca, or sim for the paper
   broker) named "live". */
static const char *s_yaml =
    "service:\n  workers: 1\n  db: %s/t.db\n"
    "venues:\n  - name: live\n    kind: %s\n    calendar: us_equity\n"
    "symbol_defaults:\n  venue: live\n  px_decimals: 2\n  qty_decimals: 0\n"
    "  timeframes: [60]\n  stale_ms: 600000\n"
    "  strategy: {kind: sma_cross}\n"
    "  risk: {qty: \"10\", venue_sync_timeout_s: 1}\n"
    "symbols:\n  - symbol: S00\n";

/* One working child of the restored bracket into the store. */
static void s_seed_child(tt_store_t *store, tt_role_t role, tt_ord_type_t type,
                         tt_px_t px)
{
    tt_store_order_t rec = {.symbol = "S00"};
    tt_order_t *o = &rec.order;
    assert_true(tt_coid_format(o->coid, "S00", 1, role) > 0);
    snprintf(rec.parent_coid, sizeof rec.parent_coid, "tt-S00-1-e");
    o->seq = 1;
    o->role = role;
    o->side = TT_SIDE_SELL;
    o->type = type;
    o->tif = TT_TIF_GTC;
    o->state = TT_OS_NEW;
    o->qty = 10;
    if (type == TT_ORD_STOP)
        o->stop_px = px;
    else
        o->limit_px = px;
    o->created_ts = o->updated_ts = S_CLOSE - HOUR;
    if (tt_store_order_intent(store, &rec) != 0)
        fail_msg("intent: %s", tt_store_error(store));
    o->state = TT_OS_ACCEPTED;
    snprintf(rec.venue_oid, sizeof rec.venue_oid, "venue-%c", (char)role);
    assert_int_equal(tt_store_order_update(store, &rec), 0);
}

/* Long 10 at 100.00, stop 99.00, target 102.00: the store a service
   stopped while holding it leaves. */
static void s_seed_store(const char *dir)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/t.db", dir);
    tt_store_t *store = tt_store_open(path, NULL, err, sizeof err);
    if (!store)
        fail_msg("store: %s", err);
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
    entry.order.state = TT_OS_ACCEPTED;
    assert_int_equal(tt_store_order_update(store, &entry), 0);
    entry.order.state = TT_OS_FILLED;
    entry.order.filled = 10;
    entry.order.fill_cost = 100000;
    entry.order.fees = 1;
    assert_int_equal(tt_store_order_update(store, &entry), 0);
    tt_fill_t fill = {.fill_id = "venue-e:1",
                      .coid = "tt-S00-1-e",
                      .side = TT_SIDE_BUY,
                      .px = 10000,
                      .qty = 10,
                      .fee = 1,
                      .ts = S_CLOSE - HOUR};
    tt_position_t pos;
    assert_int_equal(tt_store_fill(store, "live", "S00", 0, &fill, &pos), 0);
    assert_int_equal(pos.qty, 10);
    s_seed_child(store, TT_ROLE_STOP, TT_ORD_STOP, 9900);
    s_seed_child(store, TT_ROLE_TARGET, TT_ORD_LIMIT, 10200);
    assert_int_equal(tt_store_order_seq_set(store, "S00", 2), 0);
    tt_store_close(&store);
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

/* Plays the bus for up to MS milliseconds: records order events and
   commits every intent. */
static void s_pump_bus(s_rig_t *rig, int ms)
{
    tt_msg_t msg;
    int64_t deadline = tth_now_ms() + ms;
    for (int n = 0; n < 1024; n++) {
        int wait = (int)(deadline - tth_now_ms());
        if (s_next(rig->bus, &msg, wait > 0 ? wait : 0) < 0)
            break;
        if (msg.hdr.type == TT_EVT_REJECTION) {
            assert_true(rig->nrej < S_MAX);
            rig->rej[rig->nrej++] = msg.body.rejection;
        }
        if (msg.hdr.type == TT_EVT_FILL) {
            assert_true(rig->nfills < S_MAX);
            rig->fills[rig->nfills++] = msg.body.fill;
        }
        if (msg.hdr.type != TT_EVT_ORDER)
            continue;
        assert_true(rig->norders < S_MAX);
        rig->orders[rig->norders++] = msg.body.order;
        if (!msg.body.order.intent)
            continue;
        tt_intent_done_t done = {.status = 0};
        snprintf(done.coid, sizeof done.coid, "%s", msg.body.order.order.coid);
        tt_sender_send(rig->sender, rig->exec, TT_ACTOR_BUS, TT_MSG_INTENT_DONE,
                       &done, sizeof done, true);
        tt_sender_flush(rig->sender);
    }
}

/* The next intent the actor sent its gateway into *IT, playing the bus
   meanwhile (an order reaches the gateway once the bus committed it);
   false after 5 s. */
static bool s_gateway_intent(s_rig_t *rig, tt_intent_t *it)
{
    tt_msg_t msg;
    int64_t deadline = tth_now_ms() + 5000;
    while (tth_now_ms() < deadline) {
        if (s_next(rig->gateway, &msg, 2) == TT_MSG_BROKER_INTENT) {
            *it = msg.body.intent;
            return true;
        }
        s_pump_bus(rig, 0);
    }
    return false;
}

/* Whether the gateway gets nothing for S_QUIET_MS, the bus playing. */
static bool s_gateway_quiet(s_rig_t *rig)
{
    tt_msg_t msg;
    int64_t deadline = tth_now_ms() + S_QUIET_MS;
    while (tth_now_ms() < deadline) {
        if (s_next(rig->gateway, &msg, 2) >= 0)
            return false;
        s_pump_bus(rig, 0);
    }
    return true;
}

/* The next report on the root's inbox, counted; its type, or -1 after
   TIMEOUT_MS. */
static int s_next_report(s_rig_t *rig, tt_msg_t *msg, int timeout_ms)
{
    int got = s_next(rig->inbox, msg, timeout_ms);
    if (got >= TT_REP_STARTED && got < TT_REP_STARTED + S_MAX)
        rig->reports[got - TT_REP_STARTED]++;
    return got;
}

/* Reads the root's inbox until report TYPE, at most 5 s. */
static bool s_report(s_rig_t *rig, uint16_t type)
{
    tt_msg_t msg;
    int64_t deadline = tth_now_ms() + 5000;
    while (tth_now_ms() < deadline)
        if (s_next_report(rig, &msg, 10) == type)
            return true;
    return false;
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

/* The clock actor's message: session SESSION_ID of KIND at TS. */
static void s_session(s_rig_t *rig, tt_session_kind_t kind, int32_t session_id,
                      int64_t ts)
{
    tt_session_msg_t m = {.ts = ts,
                          .kind = (int32_t)kind,
                          .session_id = session_id,
                          .force_close = kind == TT_SESSION_CLOSE};
    s_send(rig, TT_ACTOR_ROOT, TT_MSG_SESSION, &m, sizeof m);
}

/* The gateway's answer about COID (KIND), or with an empty COID and
   TT_EV_RECONCILED, the end of its reconciliation. */
static void s_gateway_says(s_rig_t *rig, tt_broker_ev_kind_t kind,
                           const char *coid)
{
    tt_broker_ev_t ev = {.kind = kind, .ts = tt_clock_now(rig->clock)};
    snprintf(ev.coid, sizeof ev.coid, "%s", coid);
    s_send(rig, TT_ACTOR_BROKER(0), TT_MSG_BROKER_EVENT, &ev, sizeof ev);
}

/* Starts S00's actors at START on the seeded store, with a venue of
   KIND. FRESH: the service's first start; otherwise the supervisor's
   restart of the execution actor inside it (its memory says so). */
static void s_rig_boot(s_rig_t *rig, const char *kind, int64_t start,
                       bool fresh)
{
    memset(rig, 0, sizeof *rig);
    rig->dir = tth_tmpdir("tt-venueeod");
    char *path = tth_write_file(rig->dir, "log.txt", "");
    rig->log_path = path;
    rig->log_fd = open(path, O_WRONLY | O_APPEND);
    assert_true(rig->log_fd >= 0);
    tt_log_setup(TT_LOG_INFO, false, rig->log_fd);
    char yaml[1024];
    snprintf(yaml, sizeof yaml, s_yaml, rig->dir, kind);
    char *cfg_path = tth_write_file(rig->dir, "c.yaml", yaml);
    rig->cfg = tt_config_load(cfg_path, NULL, NULL, NULL);
    free(cfg_path);
    assert_non_null(rig->cfg);
    s_seed_store(rig->dir);
    rig->clock = tt_clock_new_manual(start);
    /* Data, indicator and strategy: not in these scenarios. */
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {
        &tt_execution_behaviour, &tth_idle_behaviour, &tth_idle_behaviour,
        &tth_idle_behaviour};
    rig->rt = tt_runtime_new(rig->cfg, rig->clock, roles);
    assert_non_null(rig->rt);
    tt_runtime_set_bus(rig->rt, true);
    assert_int_equal(tt_exec_memory_restore(rig->rt, rig->cfg->db_path), 0);
    tt_actor_entry_t *entry =
        tt_runtime_actor(rig->rt, tt_runtime_actor_id(0, TT_ROLE_EXECUTION));
    tt_exec_memory_t mem;
    assert_int_equal(entry->memory_len, sizeof mem);
    memcpy(&mem, entry->memory, sizeof mem);
    assert_int_equal(mem.pos.qty, 10);
    mem.fresh = fresh;
    memcpy(entry->memory, &mem, sizeof mem);
    rig->inbox = zsock_new_pull(tt_runtime_endpoint_root(rig->rt));
    rig->bus = zsock_new_pull(tt_runtime_endpoint_bus(rig->rt));
    char endpoint[256];
    tt_runtime_endpoint_broker(rig->rt, endpoint, sizeof endpoint, 0);
    rig->gateway = zsock_new_pull(endpoint);
    assert_non_null(rig->inbox);
    assert_non_null(rig->bus);
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

/* The execution actor asks the gateway about its stop and target, then
   ends its list. */
static void s_expect_queries(s_rig_t *rig)
{
    tt_intent_t it;
    static const tt_role_t asked[] = {TT_ROLE_STOP, TT_ROLE_TARGET};
    bool seen[2] = {false, false};
    for (int i = 0; i < 3; i++) {
        assert_true(s_gateway_intent(rig, &it));
        assert_int_equal(it.kind, TT_INTENT_QUERY);
        if (i == 2) {
            assert_string_equal(it.order.coid, "");
            continue;
        }
        for (int r = 0; r < 2; r++)
            seen[r] = seen[r] || it.order.role == asked[r];
    }
    assert_true(seen[0] && seen[1]);
}

/* The service's first start, live: the restored orders go to the
   gateway. */
static void s_rig_up(s_rig_t *rig, int64_t start)
{
    s_rig_boot(rig, "alpaca", start, true);
    s_expect_queries(rig);
}

static void s_rig_down(s_rig_t *rig)
{
    tt_sender_destroy(&rig->sender);
    tt_runtime_stop(rig->rt);
    tt_runtime_destroy(&rig->rt);
    zsock_destroy(&rig->gateway);
    zsock_destroy(&rig->bus);
    zsock_destroy(&rig->inbox);
    tt_clock_destroy(&rig->clock);
    tt_config_destroy(&rig->cfg);
    tt_log_setup(TT_LOG_INFO, false, 2);
    close(rig->log_fd);
    tth_rmtree(rig->dir);
    free(rig->log_path);
    free(rig->dir);
}

/* The clock passes the venue's bound: the actor reports the symbol late. */
static void s_go_late(s_rig_t *rig)
{
    tt_clock_advance(rig->clock, 2 * SEC);
    assert_true(s_report(rig, TT_REP_VENUE_LATE));
}

/* The book's force-close at the venue: the stop and target cancelled
   (the gateway answers), then the exit, a market sell of the 10 held,
   sent once. */
static void s_expect_close(s_rig_t *rig)
{
    tt_intent_t it;
    bool cancelled[2] = {false, false};
    for (int i = 0; i < 2; i++) {
        assert_true(s_gateway_intent(rig, &it));
        assert_int_equal(it.kind, TT_INTENT_CANCEL);
        assert_true(it.order.role == TT_ROLE_STOP ||
                    it.order.role == TT_ROLE_TARGET);
        cancelled[it.order.role == TT_ROLE_TARGET] = true;
        s_gateway_says(rig, TT_EV_CANCELLED, it.order.coid);
    }
    assert_true(cancelled[0] && cancelled[1]);
    assert_true(s_gateway_intent(rig, &it));
    assert_int_equal(it.kind, TT_INTENT_SUBMIT);
    assert_int_equal(it.order.role, TT_ROLE_EXIT);
    assert_int_equal(it.order.side, TT_SIDE_SELL);
    assert_int_equal(it.order.type, TT_ORD_MARKET);
    assert_int_equal(it.order.qty, 10);
    assert_true(s_gateway_quiet(rig)); /* once */
}

/* How many order intents (new orders asked of the store) the bus got. */
static int s_intents(const s_rig_t *rig)
{
    int n = 0;
    for (int i = 0; i < rig->norders; i++)
        n += rig->orders[i].intent != 0;
    return n;
}

static void test_reconciled_in_time_closes_at_session_end(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, S_CLOSE - 60 * SEC);
    s_gateway_says(rig, TT_EV_RECONCILED, "");
    assert_true(s_report(rig, TT_REP_VENUE_OK));
    tt_clock_set(rig->clock, S_CLOSE);
    s_session(rig, TT_SESSION_CLOSE, 20240311, S_CLOSE);
    s_expect_close(rig);
    assert_int_equal(s_intents(rig), 1);
    assert_true(s_log_holds(rig, "session 20240311 ended: closing"));
    s_rig_down(rig);
    free(rig);
}

static void test_late_venue_closes_once_it_answers(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, S_CLOSE - 60 * SEC);
    s_go_late(rig);
    tt_clock_set(rig->clock, S_CLOSE);
    s_session(rig, TT_SESSION_CLOSE, 20240311, S_CLOSE);
    assert_true(s_log_holds(rig, "session 20240311 ended: position not "
                                 "closed: the venue has not reconciled the "
                                 "restored orders; it closes once it does"));
    /* Nothing for the venue, nothing for the store. */
    assert_true(s_gateway_quiet(rig));
    assert_int_equal(rig->norders, 0);
    /* The gateway's answer: the close runs. */
    tt_clock_advance(rig->clock, 5 * SEC);
    s_gateway_says(rig, TT_EV_RECONCILED, "");
    assert_true(s_report(rig, TT_REP_VENUE_OK));
    s_expect_close(rig);
    assert_int_equal(s_intents(rig), 1);
    s_rig_down(rig);
    free(rig);
}

static void test_new_session_drops_the_owed_close(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, S_CLOSE - 60 * SEC);
    s_go_late(rig);
    tt_clock_set(rig->clock, S_CLOSE);
    s_session(rig, TT_SESSION_CLOSE, 20240311, S_CLOSE);
    assert_true(s_log_holds(rig, "session 20240311 ended: position not "
                                 "closed"));
    /* The next day opens (13:30 UTC), then the venue answers. */
    int64_t open = S_CLOSE + 17 * HOUR + 30 * 60 * SEC;
    tt_clock_set(rig->clock, open);
    s_session(rig, TT_SESSION_OPEN, 20240312, open);
    assert_true(s_log_holds(rig, "session 20240312 opened: the close owed "
                                 "since session 20240311 ended is dropped"));
    tt_clock_advance(rig->clock, SEC);
    s_gateway_says(rig, TT_EV_RECONCILED, "");
    assert_true(s_report(rig, TT_REP_VENUE_OK));
    assert_true(s_gateway_quiet(rig));
    assert_int_equal(s_intents(rig), 0);
    s_rig_down(rig);
    free(rig);
}

/* The strategy's signal KIND, decided now. */
static void s_signal(s_rig_t *rig, tt_signal_kind_t kind, tt_px_t stop)
{
    tt_signal_t sig = {.kind = kind,
                       .ts = tt_clock_now(rig->clock),
                       .ref_price = 10000,
                       .stop = stop,
                       .reason = "test"};
    s_send(rig, tt_runtime_actor_id(0, TT_ROLE_STRATEGY), TT_MSG_SIGNAL, &sig,
           sizeof sig);
}

/* Pumps the bus until N refusals came, at most 5 s. */
static bool s_until_rejections(s_rig_t *rig, int n)
{
    int64_t deadline = tth_now_ms() + 5000;
    while (rig->nrej < n && tth_now_ms() < deadline)
        s_pump_bus(rig, 2);
    return rig->nrej >= n;
}

/* The risk manager lets exits and stop moves through a paused symbol;
   on a venue that has not reconciled they are refused all the same,
   and not owed: the gateway's answer sends nothing. */
static void test_late_venue_refuses_exit_and_stop_move(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, S_CLOSE - 60 * SEC);
    s_go_late(rig);
    s_signal(rig, TT_SIG_EXIT, 0);
    s_signal(rig, TT_SIG_MOVE_STOP, 9950);
    assert_true(s_until_rejections(rig, 2));
    assert_int_equal(rig->rej[0].kind, TT_SIG_EXIT);
    assert_int_equal(rig->rej[0].reason, TT_RISK_PAUSED);
    assert_string_equal(rig->rej[0].text,
                        "exit not sent: the venue has not reconciled the "
                        "restored orders");
    assert_int_equal(rig->rej[1].kind, TT_SIG_MOVE_STOP);
    assert_int_equal(rig->rej[1].reason, TT_RISK_PAUSED);
    assert_true(s_gateway_quiet(rig));
    assert_int_equal(rig->norders, 0);
    assert_true(s_log_holds(rig, "exit not sent: the venue has not "
                                 "reconciled the restored orders"));
    s_gateway_says(rig, TT_EV_RECONCILED, "");
    assert_true(s_report(rig, TT_REP_VENUE_OK));
    assert_true(s_gateway_quiet(rig));
    assert_int_equal(s_intents(rig), 0);
    s_rig_down(rig);
    free(rig);
}

/* Reads the bus until frame TYPE, at most 5 s, answering nothing: the
   bus that does not answer. A new order's intent is recorded. */
static bool s_bus_sees(s_rig_t *rig, uint16_t type)
{
    tt_msg_t msg;
    int64_t deadline = tth_now_ms() + 5000;
    while (tth_now_ms() < deadline) {
        int got = s_next(rig->bus, &msg, 10);
        if (got == TT_EVT_ORDER) {
            assert_true(rig->norders < S_MAX);
            rig->orders[rig->norders++] = msg.body.order;
        }
        if (got == TT_EVT_FILL) {
            assert_true(rig->nfills < S_MAX);
            rig->fills[rig->nfills++] = msg.body.fill;
        }
        if (got == type)
            return true;
    }
    return false;
}

/* N trades at 101.00, each its own batch, as the data actor sends them. */
static void s_trades(s_rig_t *rig, int n)
{
    tt_tick_batch_t batch = {.count = 1};
    int64_t now = tt_clock_now(rig->clock);
    for (int i = 0; i < n; i++) {
        batch.ticks[0] = (tt_tick_t){.ts = now - n + i,
                                     .price = 10100,
                                     .size = 1,
                                     .trade_id = (uint64_t)i + 1};
        assert_int_equal(
            tt_sender_send(rig->sender, rig->exec,
                           tt_runtime_actor_id(0, TT_ROLE_DATA), TT_MSG_TICKS,
                           &batch,
                           (uint32_t)(offsetof(tt_tick_batch_t, ticks) +
                                      sizeof(tt_tick_t)),
                           true),
            0);
    }
    tt_sender_flush(rig->sender);
}

/* Reads the root's inbox until report WANT, at most 5 s; false if report
   UNWANTED comes first. */
static bool s_report_before(s_rig_t *rig, uint16_t want, uint16_t unwanted)
{
    tt_msg_t msg;
    int64_t deadline = tth_now_ms() + 5000;
    while (tth_now_ms() < deadline) {
        int got = s_next_report(rig, &msg, 10);
        if (got == unwanted)
            return false;
        if (got == want)
            return true;
    }
    return false;
}

/* The bus's answer to the restart's barrier. */
static void s_bus_answers_barrier(s_rig_t *rig)
{
    tt_intent_done_t done = {.status = 0};
    s_send(rig, TT_ACTOR_BUS, TT_MSG_INTENT_DONE, &done, sizeof done);
}

/* A live symbol's execution actor restarted inside the service; the bus
   does not answer its barrier while more inputs come than it holds: no
   market close on the store's view (nothing reaches the store or the
   venue), the symbol is paused as a venue that has not reconciled. The
   bus's answer restores the orders and asks the gateway; the gateway's
   answer lifts the pause and runs the close the session end owed. */
static void test_live_restart_store_late_does_not_flatten(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_boot(rig, "alpaca", S_CLOSE - 60 * SEC, false);
    assert_true(s_bus_sees(rig, TT_EVT_BARRIER));
    s_trades(rig, TT_EXEC_HELD_MAX + 8);
    assert_true(s_report(rig, TT_REP_VENUE_LATE));
    assert_true(s_log_holds(rig, "the store has not answered the restart "
                                 "(held inputs bound passed)"));
    assert_true(s_gateway_quiet(rig));
    assert_int_equal(rig->norders, 0);
    /* Paused on an unknown state: an exit is refused, a session end's
       close is owed. */
    tt_clock_set(rig->clock, S_CLOSE);
    s_signal(rig, TT_SIG_EXIT, 0);
    assert_true(s_until_rejections(rig, 1));
    assert_int_equal(rig->rej[0].kind, TT_SIG_EXIT);
    assert_int_equal(rig->rej[0].reason, TT_RISK_PAUSED);
    s_session(rig, TT_SESSION_CLOSE, 20240311, S_CLOSE);
    assert_true(s_log_holds(rig, "session 20240311 ended: position not "
                                 "closed"));
    s_trades(rig, 4);
    assert_true(s_gateway_quiet(rig));
    assert_int_equal(rig->norders, 0);
    /* The bus answers: the restore asks the venue, still paused (no
       wait report, which would lift the pause at the root). */
    s_bus_answers_barrier(rig);
    s_expect_queries(rig);
    assert_true(s_log_holds(rig, "the store answered the restart"));
    s_gateway_says(rig, TT_EV_RECONCILED, "");
    assert_true(s_report_before(rig, TT_REP_VENUE_OK, TT_REP_VENUE_WAIT));
    s_expect_close(rig);
    assert_int_equal(s_intents(rig), 1);
    assert_int_equal(rig->nrej, 1);
    s_rig_down(rig);
    free(rig);
}

/* The same restart in a quiet market: no input comes to pass the bound
   on held inputs, so the time bound (risk.venue_sync_timeout_s) makes the
   symbol late, as for a venue that does not answer: paused, nothing sent;
   the store's answer and then the venue's lift it. */
static void test_live_restart_store_silent_late_by_time(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_boot(rig, "alpaca", S_CLOSE - 60 * SEC, false);
    assert_true(s_bus_sees(rig, TT_EVT_BARRIER));
    s_go_late(rig);
    assert_true(s_log_holds(rig, "the store has not answered the restart "
                                 "(time bound passed)"));
    assert_true(s_gateway_quiet(rig));
    assert_int_equal(rig->norders, 0);
    s_bus_answers_barrier(rig);
    s_expect_queries(rig);
    s_gateway_says(rig, TT_EV_RECONCILED, "");
    assert_true(s_report_before(rig, TT_REP_VENUE_OK, TT_REP_VENUE_WAIT));
    assert_true(s_gateway_quiet(rig));
    assert_int_equal(rig->norders, 0);
    s_rig_down(rig);
    free(rig);
}

/* The paper broker's symbol in the same case: its state is ours, so the
   restored position is closed at the market, as before. */
static void test_paper_restart_store_late_flattens(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_boot(rig, "sim", S_CLOSE - 60 * SEC, false);
    assert_true(s_bus_sees(rig, TT_EVT_BARRIER));
    s_trades(rig, TT_EXEC_HELD_MAX + 8);
    assert_true(s_bus_sees(rig, TT_EVT_ORDER));
    assert_int_equal(rig->norders, 1);
    const tt_evt_order_t *exit = &rig->orders[0];
    assert_true(exit->intent);
    assert_int_equal(exit->order.role, TT_ROLE_EXIT);
    assert_int_equal(exit->order.side, TT_SIDE_SELL);
    assert_int_equal(exit->order.type, TT_ORD_MARKET);
    assert_int_equal(exit->order.qty, 10);
    assert_true(s_log_holds(rig, "the store did not answer the restart"));
    assert_true(s_log_holds(rig, "restored position without its protective "
                                 "orders: closing it at the market"));
    s_rig_down(rig);
    free(rig);
}

/* The supervisor's restart of the execution actor after it failed: the
   runtime keeps the actor's memory; messages sent while it is down are
   lost, as they would be. */
static void s_crash_exec(s_rig_t *rig)
{
    tt_sys_fault_t fault = {.kind = TT_FAULT_ERROR};
    s_send(rig, TT_ACTOR_ROOT, TT_SYS_FAULT, &fault, sizeof fault);
    assert_true(s_report(rig, TT_REP_FAILED));
}

static void s_start_exec(s_rig_t *rig)
{
    s_send(rig, TT_ACTOR_ROOT, TT_SYS_START, NULL, 0);
    assert_true(s_report(rig, TT_REP_STARTED));
}

/* The venue's fill of the whole restored stop (10 at 99.00), as its
   gateway reports it: named by the venue's order id and the quantity it
   brings the order to, so the same fill has the same id whichever path
   brings it (the stream, or a reconciliation's listing). */
static void s_gateway_stop_fill(s_rig_t *rig)
{
    tt_broker_ev_t ev = {.kind = TT_EV_FILL,
                         .ts = tt_clock_now(rig->clock),
                         .px = 9900,
                         .qty = 10,
                         .fee = 1};
    assert_true(tt_coid_format(ev.coid, "S00", 1, TT_ROLE_STOP) > 0);
    snprintf(ev.fill_id, sizeof ev.fill_id, "venue-s:10");
    s_send(rig, TT_ACTOR_BROKER(0), TT_MSG_BROKER_EVENT, &ev, sizeof ev);
}

/* The gateway's reconciliation of a stop that filled while the actor
   waited: its table is seeded again from the store, which has no fill,
   so the venue's listing brings the fill again (same id), the target
   the venue cancelled with it (one OCO), and the end of the list. */
static void s_gateway_reconciles_stop_fill(s_rig_t *rig)
{
    char target[TT_COID_MAX + 1];
    assert_true(tt_coid_format(target, "S00", 1, TT_ROLE_TARGET) > 0);
    s_gateway_stop_fill(rig);
    s_gateway_says(rig, TT_EV_CANCELLED, target);
    s_gateway_says(rig, TT_EV_RECONCILED, "");
}

/* The execution actor's position, as it publishes it. */
static int64_t s_position(s_rig_t *rig)
{
    return atomic_load(&tt_runtime_actor(rig->rt, rig->exec)->stats.position);
}

/* Polls the published position until it is WANT, at most 5 s. */
static bool s_position_is(s_rig_t *rig, int64_t want)
{
    int64_t deadline = tth_now_ms() + 5000;
    while (s_position(rig) != want && tth_now_ms() < deadline)
        tth_nap_ms(1);
    return s_position(rig) == want;
}

/* What the gateway gets for S_QUIET_MS, the bus playing: up to MAX
   intents into V; how many came. */
static int s_gateway_drain(s_rig_t *rig, tt_intent_t *v, int max)
{
    tt_msg_t msg;
    int n = 0;
    int64_t deadline = tth_now_ms() + S_QUIET_MS;
    while (tth_now_ms() < deadline) {
        if (s_next(rig->gateway, &msg, 2) == TT_MSG_BROKER_INTENT) {
            assert_true(n < max);
            v[n++] = msg.body.intent;
        }
        s_pump_bus(rig, 0);
    }
    return n;
}

/* The stop's fill reached the book, the position and the ledger once:
   one fill for the bus (which stores it), the position flat, no new
   order, and at most the target's cancel for the venue, once. */
static void s_expect_stop_fill_once(s_rig_t *rig)
{
    tt_intent_t got[8];
    int n = s_gateway_drain(rig, got, 8);
    assert_true(n <= 1);
    for (int i = 0; i < n; i++) {
        assert_int_equal(got[i].kind, TT_INTENT_CANCEL);
        assert_int_equal(got[i].order.role, TT_ROLE_TARGET);
    }
    assert_int_equal(rig->nfills, 1);
    assert_string_equal(rig->fills[0].fill.fill_id, "venue-s:10");
    assert_int_equal(rig->fills[0].fill.qty, 10);
    assert_int_equal(rig->fills[0].pos.qty, 0);
    assert_int_equal(s_position(rig), 0);
    assert_int_equal(s_intents(rig), 0);
    /* The stop's state for the store: filled, once (a repeat would add a
       row of the same state). */
    int filled = 0;
    for (int i = 0; i < rig->norders; i++)
        filled += rig->orders[i].order.role == TT_ROLE_STOP &&
                  rig->orders[i].order.state == TT_OS_FILLED;
    assert_int_equal(filled, 1);
}

/* A live symbol's execution actor restarted, the store slow to answer
   its barrier (within the bounds): the venue fills the restored stop
   meanwhile. Its event is held with the inputs; the store's answer
   restores the orders, the venue's reconciliation brings the fill again
   and the held event, handled after it, is a repeat the book drops. */
static void test_fill_while_store_waits_applies_once(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_boot(rig, "alpaca", S_CLOSE - 60 * SEC, false);
    assert_true(s_bus_sees(rig, TT_EVT_BARRIER));
    s_gateway_stop_fill(rig);
    assert_true(s_gateway_quiet(rig));
    assert_int_equal(rig->nfills, 0);
    s_bus_answers_barrier(rig);
    s_expect_queries(rig);
    assert_true(s_position_is(rig, 10)); /* restored, the fill held */
    s_gateway_reconciles_stop_fill(rig);
    assert_true(s_report(rig, TT_REP_VENUE_OK));
    s_expect_stop_fill_once(rig);
    s_rig_down(rig);
    free(rig);
}

/* The same fill when the store's wait has passed its time bound: the
   symbol is paused and handles inputs as they come, so the gateway's
   event finds no order (none restored yet) and is only logged; the
   venue's reconciliation after the store's answer applies it, once, and
   lifts the pause. */
static void test_fill_while_store_late_applies_once(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_boot(rig, "alpaca", S_CLOSE - 60 * SEC, false);
    assert_true(s_bus_sees(rig, TT_EVT_BARRIER));
    s_go_late(rig);
    s_gateway_stop_fill(rig);
    assert_true(s_log_holds(rig, "order event refused"));
    assert_true(s_gateway_quiet(rig));
    assert_int_equal(rig->nfills, 0);
    assert_int_equal(s_position(rig), 10);
    s_bus_answers_barrier(rig);
    s_expect_queries(rig);
    s_gateway_reconciles_stop_fill(rig);
    assert_true(s_report_before(rig, TT_REP_VENUE_OK, TT_REP_VENUE_WAIT));
    assert_true(s_log_holds(rig, "the venue reconciled the restored orders: "
                                 "trading again"));
    s_expect_stop_fill_once(rig);
    s_rig_down(rig);
    free(rig);
}

/* A rig late at the session end of 20240311, its close owed, whose
   execution actor has just failed (the supervisor's restart is the
   test's next step). */
static s_rig_t *s_late_close_then_crash(void)
{
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, S_CLOSE - 60 * SEC);
    s_go_late(rig);
    tt_clock_set(rig->clock, S_CLOSE);
    s_session(rig, TT_SESSION_CLOSE, 20240311, S_CLOSE);
    assert_true(s_log_holds(rig, "session 20240311 ended: position not "
                                 "closed"));
    s_crash_exec(rig);
    return rig;
}

/* The bus answers the restarted actor's barrier and the venue
   reconciles: the symbol reports the venue in sync. */
static void s_restore_reconcile(s_rig_t *rig)
{
    s_bus_answers_barrier(rig);
    s_expect_queries(rig);
    s_gateway_says(rig, TT_EV_RECONCILED, "");
    assert_true(s_report(rig, TT_REP_VENUE_OK));
}

/* Late at a session end, the close owed: the execution actor fails and
   the supervisor restarts it. The new instance keeps the owed close (the
   actor's memory), restores after the bus's barrier, and runs the close
   once the venue reconciles: sent once. */
static void test_owed_close_survives_exec_restart(void **state)
{
    (void)state;
    s_rig_t *rig = s_late_close_then_crash();
    s_start_exec(rig);
    assert_true(s_log_holds(rig, "session 20240311 ended before the restart "
                                 "with the close still owed"));
    assert_true(s_bus_sees(rig, TT_EVT_BARRIER));
    s_restore_reconcile(rig);
    s_expect_close(rig);
    assert_int_equal(s_intents(rig), 1);
    s_rig_down(rig);
    free(rig);
}

/* The next session opens while the execution actor is down: its message
   never reaches the actor, but the venue's calendar says it opened, so
   the owed close is dropped all the same. */
static void test_owed_close_dropped_by_open_while_down(void **state)
{
    (void)state;
    s_rig_t *rig = s_late_close_then_crash();
    int64_t open = S_CLOSE + 17 * HOUR + 30 * 60 * SEC;
    tt_clock_set(rig->clock, open);
    s_session(rig, TT_SESSION_OPEN, 20240312, open); /* lost */
    tt_clock_advance(rig->clock, SEC);
    s_start_exec(rig);
    assert_true(s_bus_sees(rig, TT_EVT_BARRIER));
    s_restore_reconcile(rig);
    assert_true(s_log_holds(rig, "session 20240312 opened: the close owed "
                                 "since session 20240311 ended is dropped"));
    assert_true(s_gateway_quiet(rig));
    assert_int_equal(s_intents(rig), 0);
    s_rig_down(rig);
    free(rig);
}

/* The next session opens after the restart, while the new instance
   holds its inputs for the store: the open is held behind the venue's
   answer, which must not run the close first. */
static void test_owed_close_dropped_by_held_open(void **state)
{
    (void)state;
    s_rig_t *rig = s_late_close_then_crash();
    s_start_exec(rig);
    assert_true(s_bus_sees(rig, TT_EVT_BARRIER));
    int64_t open = S_CLOSE + 17 * HOUR + 30 * 60 * SEC;
    tt_clock_set(rig->clock, open);
    s_session(rig, TT_SESSION_OPEN, 20240312, open); /* held */
    s_restore_reconcile(rig);
    assert_true(s_log_holds(rig, "session 20240312 opened: the close owed "
                                 "since session 20240311 ended is dropped"));
    assert_true(s_gateway_quiet(rig));
    assert_int_equal(s_intents(rig), 0);
    s_rig_down(rig);
    free(rig);
}

/* Reads (and counts) the root's reports for MS milliseconds. */
static void s_read_reports(s_rig_t *rig, int ms)
{
    tt_msg_t msg;
    int64_t deadline = tth_now_ms() + ms;
    while (tth_now_ms() < deadline)
        s_next_report(rig, &msg, 10);
}

/* How many reports of TYPE the rig has read. */
static int s_reports(const s_rig_t *rig, uint16_t type)
{
    return rig->reports[type - TT_REP_STARTED];
}

/* A paper symbol's execution actor restarted while the store does not
   answer, in a quiet market: the wait shows (a report for health) and
   is bounded in time as a live symbol's is (risk.venue_sync_timeout_s),
   not only by held inputs. Past it the held trades are handled, in
   order, and the restored position, without its protective orders, is
   closed at the market. */
static void test_paper_restart_store_silent_flattens_by_time(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_boot(rig, "sim", S_CLOSE - 60 * SEC, false);
    assert_true(s_bus_sees(rig, TT_EVT_BARRIER));
    assert_int_equal(s_reports(rig, TT_REP_STORE_WAIT), 1);
    s_trades(rig, 4);
    assert_true(s_gateway_quiet(rig));
    assert_int_equal(rig->norders, 0);
    s_read_reports(rig, S_QUIET_MS);
    assert_int_equal(s_reports(rig, TT_REP_STORE_OK), 0);
    tt_clock_advance(rig->clock, 2 * SEC);
    assert_true(s_report(rig, TT_REP_STORE_OK));
    assert_true(s_log_holds(rig, "the store did not answer the restart "
                                 "(time bound passed)"));
    assert_true(s_bus_sees(rig, TT_EVT_ORDER));
    assert_int_equal(rig->norders, 1);
    const tt_evt_order_t *exit = &rig->orders[0];
    assert_true(exit->intent);
    assert_int_equal(exit->order.role, TT_ROLE_EXIT);
    assert_int_equal(exit->order.side, TT_SIDE_SELL);
    assert_int_equal(exit->order.qty, 10);
    assert_int_equal(s_reports(rig, TT_REP_VENUE_LATE), 0);
    s_rig_down(rig);
    free(rig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reconciled_in_time_closes_at_session_end),
        cmocka_unit_test(test_late_venue_closes_once_it_answers),
        cmocka_unit_test(test_new_session_drops_the_owed_close),
        cmocka_unit_test(test_late_venue_refuses_exit_and_stop_move),
        cmocka_unit_test(test_live_restart_store_late_does_not_flatten),
        cmocka_unit_test(test_live_restart_store_silent_late_by_time),
        cmocka_unit_test(test_paper_restart_store_late_flattens),
        cmocka_unit_test(test_fill_while_store_waits_applies_once),
        cmocka_unit_test(test_fill_while_store_late_applies_once),
        cmocka_unit_test(test_owed_close_survives_exec_restart),
        cmocka_unit_test(test_owed_close_dropped_by_open_while_down),
        cmocka_unit_test(test_owed_close_dropped_by_held_open),
        cmocka_unit_test(test_paper_restart_store_silent_flattens_by_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
