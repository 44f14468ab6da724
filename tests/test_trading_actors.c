/*  tests/test_trading_actors.c: trading scenarios through the real
    execution actors (order book, risk manager, paper broker) on the real
    runtime (worker threads, inproc mailboxes), with the real portfolio
    and, for the end of day, the real clock actor; time is a manual clock.

    The test plays the symbols' strategy (it sends the signals), their
    data actor (it sends the trades) and the event bus (it binds the
    bus's inbox, records every order, fill, refusal, breaker and summary
    event, and answers each order intent: committed, or refused as a
    store failure when a scenario asks, or not at all when it mutes the
    bus). Every price, fee and P&L below
    is worked out by hand: prices at 2 decimals, whole quantities, the
    paper broker's 1 bp slippage rounded outward to the 0.01 grid and
    its 1 bp fee rounded up to the cent. */
#include "tests/harness.h"

#include "actors/clock_actor.h"
#include "actors/exec_portfolio.h"
#include "actors/symbol_actors.h"
#include "bus/bus.h"
#include "risk/portfolio.h"
#include "runtime/log.h"
#include "runtime/runtime.h"
#include "store/store.h"

#include <czmq.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEC TT_NS_PER_SEC
/* 2024-03-11 00:00 UTC: the Monday after the switch to daylight time. */
#define MON (INT64_C(1710115200) * SEC)
#define HOUR (3600 * SEC)
#define S_MAX 512

/* ---- the rig ------------------------------------------------------ */

typedef struct {
    tt_order_t order;
    int symbol;
    bool intent;
    int32_t kind; /* tt_evt_order_t.intent */
} s_order_rec_t;

typedef struct {
    tt_fill_t fill;
    int symbol;
} s_fill_rec_t;

typedef struct {
    tt_evt_rejection_t ev;
    int symbol;
} s_rej_rec_t;

typedef struct {
    char *dir;
    tt_config_t *cfg;
    tt_clock_t *clock;
    tt_runtime_t *rt;
    tt_portfolio_t *pf;
    zsock_t *inbox;     /* reports from the workers */
    zsock_t *bus;       /* the bus's inbox: the test plays the bus */
    zactor_t *real_bus; /* or the real one, with its store */
    tt_bus_stats_t bus_stats;
    tt_sender_t *sender;
    zactor_t *sessions;
    tt_clock_stats_t cstats;
    uint64_t trade_id;
    int refuse; /* the next intents refused as store failures */
    bool mute;  /* intents are recorded, never answered */
    int norders, nfills, nrej, nbrk, neod;
    s_order_rec_t orders[S_MAX];
    s_fill_rec_t fills[S_MAX];
    s_rej_rec_t rej[S_MAX];
    tt_evt_breaker_t brk[16];
    tt_evt_eod_t eod[16];
} s_rig_t;

static int s_probe_init(tt_actor_t *self, void **state_p)
{
    (void)self;
    *state_p = NULL;
    return 0;
}

static int s_probe_handle(tt_actor_t *self, void *state, const tt_msg_t *msg)
{
    (void)self, (void)state, (void)msg;
    return 0;
}

/* Data, indicator and strategy are played by the test. */
static const tt_behaviour_t s_probe = {"probe", s_probe_init, s_probe_handle,
                                       NULL,    NULL,         NULL};

/* The symbols' strategy (its only part the execution actor reads is
   whether it force-closes at the end of the day). */
#define S_STRATEGY "{kind: sma_cross}"
static const char *s_strategy = S_STRATEGY;

static const char *s_yaml_head = "service:\n  workers: %d\n%s"
                                 "portfolio:\n%s"
                                 "venues:\n  - name: nyse\n    kind: sim\n"
                                 "    calendar: us_equity\n"
                                 "symbol_defaults:\n  venue: nyse\n"
                                 "  px_decimals: 2\n  qty_decimals: 0\n"
                                 "  timeframes: [60]\n  stale_ms: 600000\n"
                                 "  strategy: %s\n"
                                 "  risk: {qty: \"10\"}\n"
                                 "%s"
                                 "symbols:\n";

static void s_on_frame(s_rig_t *rig, const tt_msg_t *msg)
{
    int sym = (int)(msg->hdr.from / TT_ROLE_COUNT);
    switch (msg->hdr.type) {
    case TT_EVT_ORDER: {
        const tt_evt_order_t *o = &msg->body.order;
        if (getenv("TT_DEBUG_ORDERS"))
            fprintf(stderr, "order %s %s intent %d stop %lld refuse %d\n",
                    o->order.coid, tt_ord_state_name(o->order.state), o->intent,
                    (long long)o->order.stop_px, rig->refuse);
        assert_true(rig->norders < S_MAX);
        rig->orders[rig->norders++] = (s_order_rec_t){.order = o->order,
                                                      .symbol = sym,
                                                      .intent = o->intent != 0,
                                                      .kind = o->intent};
        if (!o->intent || rig->mute)
            break;
        tt_intent_done_t done = {.status = rig->refuse > 0 ? -1 : 0};
        if (rig->refuse > 0)
            rig->refuse--;
        snprintf(done.coid, sizeof done.coid, "%s", o->order.coid);
        tt_sender_send(rig->sender, msg->hdr.from, TT_ACTOR_BUS,
                       TT_MSG_INTENT_DONE, &done, sizeof done, true);
        break;
    }
    case TT_EVT_FILL:
        assert_true(rig->nfills < S_MAX);
        rig->fills[rig->nfills++] =
            (s_fill_rec_t){.fill = msg->body.fill.fill, .symbol = sym};
        break;
    case TT_EVT_REJECTION:
        if (getenv("TT_DEBUG_ORDERS"))
            fprintf(stderr, "refused S%02d: %s\n", sym,
                    msg->body.rejection.text);
        assert_true(rig->nrej < S_MAX);
        rig->rej[rig->nrej++] =
            (s_rej_rec_t){.ev = msg->body.rejection, .symbol = sym};
        break;
    case TT_EVT_BREAKER:
        assert_true(rig->nbrk < 16);
        rig->brk[rig->nbrk++] = msg->body.breaker;
        break;
    case TT_EVT_EOD:
        assert_true(rig->neod < 16);
        rig->eod[rig->neod++] = msg->body.eod;
        break;
    default:
        break;
    }
}

/* Plays the bus for up to MS milliseconds (or until nothing is left
   when MS is 0). */
static void s_pump(s_rig_t *rig, int ms)
{
    zmq_pollitem_t item = {zsock_resolve(rig->bus), 0, ZMQ_POLLIN, 0};
    tt_msg_t msg;
    tt_sender_flush(rig->sender);
    if (zmq_poll(&item, 1, ms) <= 0)
        return;
    for (int n = 0; n < 4096; n++) {
        int size =
            zmq_recv(zsock_resolve(rig->bus), &msg, sizeof msg, ZMQ_DONTWAIT);
        if (size < 0)
            break;
        assert_int_equal(tt_msg_check(&msg, (size_t)size), 0);
        s_on_frame(rig, &msg);
    }
    tt_sender_flush(rig->sender);
}

/* Pumps until *COUNTER >= WANT, at most 5 s. */
static bool s_until(s_rig_t *rig, const int *counter, int want)
{
    int64_t deadline = tth_now_ms() + 5000;
    while (*counter < want && tth_now_ms() < deadline)
        s_pump(rig, 2);
    return *counter >= want;
}

static tt_actor_stats_t *s_exec(s_rig_t *rig, int sym)
{
    return &tt_runtime_actor(rig->rt,
                             tt_runtime_actor_id(sym, TT_ROLE_EXECUTION))
                ->stats;
}

static bool s_until_stat(s_rig_t *rig, _Atomic int64_t *stat, int64_t want)
{
    int64_t deadline = tth_now_ms() + 5000;
    while (atomic_load(stat) != want && tth_now_ms() < deadline)
        s_pump(rig, 2);
    return atomic_load(stat) == want;
}

/* The latest event of the order in ROLE of symbol SYM, or NULL. */
static const tt_order_t *s_last(s_rig_t *rig, int sym, tt_role_t role)
{
    for (int i = rig->norders - 1; i >= 0; i--)
        if (rig->orders[i].symbol == sym && rig->orders[i].order.role == role)
            return &rig->orders[i].order;
    return NULL;
}

/* Pumps until the order in ROLE of SYM reaches STATE, at most 5 s. */
static const tt_order_t *s_until_state(s_rig_t *rig, int sym, tt_role_t role,
                                       tt_ord_state_t state)
{
    int64_t deadline = tth_now_ms() + 5000;
    const tt_order_t *o;
    while (!((o = s_last(rig, sym, role)) && o->state == state) &&
           tth_now_ms() < deadline)
        s_pump(rig, 2);
    return o && o->state == state ? o : NULL;
}

static void s_rig_up_bus(s_rig_t *rig, int workers, int symbols,
                         const char *portfolio, const char *paper,
                         int64_t start, bool real_bus);

/* The next rig's execution actors answer their own intents, as in a
   backtest (tt_runtime_set_local_intents). */
static bool s_local_intents;
/* The next rig's runtime is a backtest's too: frames in flight counted,
   frames to the bus set aside, and a real bus there writes through its
   store writer. */
static bool s_backtest_rig;

/* The rig with PAPER (symbol_defaults lines, e.g. a paper: mapping) in
   its config. */
static void s_rig_up_with(s_rig_t *rig, int workers, int symbols,
                          const char *portfolio, const char *paper,
                          int64_t start)
{
    s_rig_up_bus(rig, workers, symbols, portfolio, paper, start, false);
}

static void s_rig_up_bus(s_rig_t *rig, int workers, int symbols,
                         const char *portfolio, const char *paper,
                         int64_t start, bool real_bus)
{
    memset(rig, 0, sizeof *rig);
    rig->dir = tth_tmpdir("tt-trading");
    char service[1024] = "";
    if (real_bus) /* its file and sockets in the scratch directory */
        snprintf(service, sizeof service,
                 "  db: %s/t.db\n  control: ipc://%s/control\n"
                 "  events: ipc://%s/events\n  replay: ipc://%s/replay\n",
                 rig->dir, rig->dir, rig->dir, rig->dir);
    char yaml[8192];
    int len = snprintf(yaml, sizeof yaml, s_yaml_head, workers, service,
                       portfolio, s_strategy, paper);
    for (int i = 0; i < symbols; i++)
        len += snprintf(yaml + len, sizeof yaml - (size_t)len,
                        "  - symbol: S%02d\n", i);
    char *path = tth_write_file(rig->dir, "c.yaml", yaml);
    rig->cfg = tt_config_load(path, NULL, NULL, NULL);
    free(path);
    assert_non_null(rig->cfg);
    char err[160];
    rig->pf = tt_exec_portfolio_new(rig->cfg, err, sizeof err);
    assert_non_null(rig->pf);
    rig->clock = tt_clock_new_manual(start);
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {&tt_execution_behaviour,
                                                  &s_probe, &s_probe, &s_probe};
    rig->rt = tt_runtime_new(rig->cfg, rig->clock, roles);
    tt_runtime_set_portfolio(rig->rt, rig->pf);
    tt_runtime_set_bus(rig->rt, true);
    tt_runtime_set_local_intents(rig->rt, s_local_intents);
    if (s_backtest_rig) {
        tt_runtime_track_inflight(rig->rt, true);
        tt_runtime_set_bus_aside(rig->rt, 64);
    }
    rig->inbox = zsock_new_pull(tt_runtime_endpoint_root(rig->rt));
    assert_non_null(rig->inbox);
    if (real_bus) {
        rig->real_bus = tt_bus_start(rig->rt, &rig->bus_stats);
        assert_non_null(rig->real_bus);
    } else {
        rig->bus = zsock_new_pull(tt_runtime_endpoint_bus(rig->rt));
        assert_non_null(rig->bus);
    }
    assert_int_equal(tt_runtime_start(rig->rt), 0);
    rig->sender = tt_sender_new(rig->rt);
    zsock_set_rcvtimeo(rig->inbox, 5000);
    for (int i = 0; i < symbols; i++)
        for (int role = 0; role < TT_ROLE_COUNT; role++) {
            tt_sender_send(rig->sender, tt_runtime_actor_id(i, role),
                           TT_ACTOR_ROOT, TT_SYS_START, NULL, 0, true);
            tt_msg_t msg;
            int size = zmq_recv(zsock_resolve(rig->inbox), &msg, sizeof msg, 0);
            assert_true(size >= (int)sizeof msg.hdr);
            assert_int_equal(msg.hdr.type, TT_REP_STARTED);
        }
    /* The test plays the indicator actor too: the symbols' indicators
       are warm, so the risk view lets entries through. */
    tt_warmth_t warm = {.warm = 1};
    for (int i = 0; i < symbols; i++)
        tt_sender_send(rig->sender, tt_runtime_actor_id(i, TT_ROLE_EXECUTION),
                       TT_ACTOR_ROOT, TT_MSG_WARMTH, &warm, sizeof warm, true);
}

static void s_rig_up(s_rig_t *rig, int workers, int symbols,
                     const char *portfolio, int64_t start)
{
    s_rig_up_with(rig, workers, symbols, portfolio, "", start);
}

static void s_rig_down(s_rig_t *rig)
{
    zactor_destroy(&rig->sessions);
    tt_sender_destroy(&rig->sender);
    /* Like the root: the workers stop, then the bus (which numbers and
       stores what they sent last), then the runtime goes. */
    tt_runtime_stop(rig->rt);
    zactor_destroy(&rig->real_bus);
    tt_runtime_destroy(&rig->rt);
    zsock_destroy(&rig->bus);
    zsock_destroy(&rig->inbox);
    tt_portfolio_destroy(&rig->pf);
    tt_clock_destroy(&rig->clock);
    tt_config_destroy(&rig->cfg);
    tth_rmtree(rig->dir);
    free(rig->dir);
}

static tt_ns_t s_now(s_rig_t *rig)
{
    return tt_clock_now(rig->clock);
}

/* A signal of SYM, decided a millisecond after the last trade (a
   decision comes after the trades it saw: the next trade fills it). */
static void s_signal(s_rig_t *rig, int sym, tt_signal_kind_t kind, tt_px_t ref,
                     tt_px_t stop, tt_px_t target)
{
    tt_clock_advance(rig->clock, TT_NS_PER_SEC / 1000);
    tt_signal_t sig = {.kind = kind,
                       .ts = s_now(rig),
                       .ref_price = ref,
                       .stop = stop,
                       .target = target,
                       .reason = "test"};
    assert_int_equal(tt_sender_send(rig->sender,
                                    tt_runtime_actor_id(sym, TT_ROLE_EXECUTION),
                                    tt_runtime_actor_id(sym, TT_ROLE_STRATEGY),
                                    TT_MSG_SIGNAL, &sig, sizeof sig, true),
                     0);
}

/* One trade of SYM at PX for SIZE, at the clock's time. */
static void s_trade_sized(s_rig_t *rig, int sym, tt_px_t px, tt_qty_t size)
{
    tt_tick_batch_t batch = {.count = 1};
    batch.ticks[0] = (tt_tick_t){.ts = s_now(rig),
                                 .price = px,
                                 .size = size,
                                 .trade_id = ++rig->trade_id};
    uint32_t len =
        (uint32_t)(offsetof(tt_tick_batch_t, ticks) + sizeof(tt_tick_t));
    assert_int_equal(tt_sender_send(rig->sender,
                                    tt_runtime_actor_id(sym, TT_ROLE_EXECUTION),
                                    tt_runtime_actor_id(sym, TT_ROLE_DATA),
                                    TT_MSG_TICKS, &batch, len, true),
                     0);
}

/* One trade of SYM at PX (for 100), at the clock's time. */
static void s_trade_now(s_rig_t *rig, int sym, tt_px_t px)
{
    s_trade_sized(rig, sym, px, 100);
}

/* One trade of SYM at PX, one second after the last: the clock moves
   with it. The paper broker fills an order only on trades at or after
   the time it was sent, so a trade is sent after its order was. */
static void s_trade(s_rig_t *rig, int sym, tt_px_t px)
{
    tt_clock_advance(rig->clock, SEC);
    s_trade_now(rig, sym, px);
}

/* Long 10 of SYM at REF with STOP and TARGET; the next trade at REF
   fills it and the bracket's stop and target are working. */
static void s_enter_long(s_rig_t *rig, int sym, tt_px_t ref, tt_px_t stop,
                         tt_px_t target)
{
    int fills = rig->nfills;
    s_signal(rig, sym, TT_SIG_ENTER_LONG, ref, stop, target);
    assert_non_null(s_until_state(rig, sym, TT_ROLE_ENTRY, TT_OS_ACCEPTED));
    s_trade(rig, sym, ref);
    assert_true(s_until(rig, &rig->nfills, fills + 1));
    assert_non_null(s_until_state(rig, sym, TT_ROLE_STOP, TT_OS_ACCEPTED));
    assert_non_null(s_until_state(rig, sym, TT_ROLE_TARGET, TT_OS_ACCEPTED));
}

static const s_fill_rec_t *s_fill(s_rig_t *rig, int i)
{
    assert_true(i < rig->nfills);
    return &rig->fills[i];
}

/* ---- scenarios ---------------------------------------------------- */

/* The index of the first record of COID from I on, or -1. */
static int s_find(const s_rig_t *rig, const char *coid, int i)
{
    for (; i < rig->norders; i++)
        if (!strcmp(rig->orders[i].order.coid, coid))
            return i;
    return -1;
}

/* A backtest's order does not wait for the bus: here the bus never
   answers, and the entry is still accepted, filled on the next trade
   and protected by its stop and target, with the prices an answered
   entry gets (test_bracket_then_stop_loss). The bus still gets each
   intent, marked as one nobody waits for, before the order's updates. */
static void test_backtest_order_needs_no_answer(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_local_intents = true;
    s_rig_up(rig, 1, 1, "  max_open_positions: 5\n", MON + 15 * HOUR);
    s_local_intents = false;
    rig->mute = true;
    s_enter_long(rig, 0, 10000, 9900, 10200);
    assert_int_equal(s_fill(rig, 0)->fill.px, 10001);
    int intents = 0;
    for (int i = 0; i < rig->norders; i++) {
        if (!rig->orders[i].intent)
            continue;
        intents++;
        assert_int_equal(rig->orders[i].kind, TT_EVT_INTENT_LOCAL);
        /* The intent is the order's first record, and updates follow. */
        assert_int_equal(s_find(rig, rig->orders[i].order.coid, 0), i);
        assert_true(s_find(rig, rig->orders[i].order.coid, i + 1) > i);
    }
    assert_int_equal(intents, 3); /* entry, stop, target */
    s_rig_down(rig);
    free(rig);
}

/* The state and the filled quantity of order COID in the store at DB. */
static void s_stored_order(sqlite3 *db, const char *coid, int *state,
                           int64_t *filled)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT state, filled FROM orders"
                                        " WHERE coid = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, coid, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *state = sqlite3_column_int(st, 0);
    *filled = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
}

/* The same through a backtest's real bus and store writer: the orders
   go on without an answer, every intent and update the actor sent is
   stored (the entry filled, its stop and target working), nothing is
   refused, and every frame set aside for the bus was handled by it. */
static void test_backtest_orders_through_real_bus(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_local_intents = true;
    s_backtest_rig = true;
    s_rig_up_bus(rig, 1, 1, "  max_open_positions: 5\n", "", MON + 15 * HOUR,
                 true);
    s_local_intents = false;
    s_backtest_rig = false;
    s_signal(rig, 0, TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    s_trade(rig, 0, 10000);
    tt_sender_flush(rig->sender);
    _Atomic int64_t *pos = &s_exec(rig, 0)->position;
    int64_t deadline = tth_now_ms() + 5000;
    while (atomic_load(pos) != 10 && tth_now_ms() < deadline)
        tth_nap_ms(2);
    assert_int_equal(atomic_load(pos), 10);
    /* Like the root: the workers stop, then the bus, which applies and
       commits everything it was sent. */
    tt_runtime_stop(rig->rt);
    zactor_destroy(&rig->real_bus);
    assert_int_equal(tt_runtime_aside(rig->rt), 0);
    assert_int_equal(atomic_load(&rig->bus_stats.store_errors), 0);
    assert_int_equal(atomic_load(&rig->bus_stats.duplicates), 0);
    assert_int_equal(atomic_load(&rig->bus_stats.intents), 3);
    char path[512];
    snprintf(path, sizeof path, "%s/t.db", rig->dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    int st;
    int64_t filled;
    s_stored_order(db, "tt-S00-1-e", &st, &filled);
    assert_int_equal(st, TT_OS_FILLED);
    assert_int_equal(filled, 10);
    s_stored_order(db, "tt-S00-2-s", &st, &filled);
    assert_int_equal(st, TT_OS_ACCEPTED);
    assert_int_equal(filled, 0);
    s_stored_order(db, "tt-S00-3-t", &st, &filled);
    assert_int_equal(st, TT_OS_ACCEPTED);
    assert_int_equal(filled, 0);
    sqlite3_close(db);
    s_rig_down(rig);
    free(rig);
}

/* A service's order (live or paper) waits for the bus's answer to its
   intent before the broker sees it (invariant 4): unanswered, the entry
   stays NEW; answered, it is accepted. */
static void test_service_order_waits_for_answer(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, 1, 1, "  max_open_positions: 5\n", MON + 15 * HOUR);
    rig->mute = true;
    s_signal(rig, 0, TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    assert_true(s_until(rig, &rig->norders, 1));
    assert_true(rig->orders[0].intent);
    assert_int_equal(rig->orders[0].kind, 1);
    /* Bounded: nothing may come while the answer is missing. */
    for (int n = 0; n < 10; n++)
        s_pump(rig, 20);
    assert_int_equal(rig->norders, 1);
    assert_int_equal(s_last(rig, 0, TT_ROLE_ENTRY)->state, TT_OS_NEW);
    tt_intent_done_t done = {.status = 0};
    snprintf(done.coid, sizeof done.coid, "%s", rig->orders[0].order.coid);
    tt_sender_send(rig->sender, tt_runtime_actor_id(0, TT_ROLE_EXECUTION),
                   TT_ACTOR_BUS, TT_MSG_INTENT_DONE, &done, sizeof done, true);
    assert_non_null(s_until_state(rig, 0, TT_ROLE_ENTRY, TT_OS_ACCEPTED));
    s_rig_down(rig);
    free(rig);
}

/* Entry with its bracket, then the stop-loss. Entry: market buy 10 at
   the next trade, 100.00 + 1 bp = 100.01; fee 1000.10 * 1 bp = 0.10001,
   up to 0.11. Stop 99.00 and target 102.00 sell 10. A trade at 98.90
   triggers the stop: 98.90 - 1 bp = 98.89011, down to 98.89; fee 0.10.
   P&L (98.89 - 100.01) * 10 = -11.20, less 0.21 of fees: -11.41. */
static void test_bracket_then_stop_loss(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, 1, 1, "  max_open_positions: 5\n", MON + 15 * HOUR);
    s_enter_long(rig, 0, 10000, 9900, 10200);
    const tt_order_t *entry = s_last(rig, 0, TT_ROLE_ENTRY);
    assert_int_equal(entry->side, TT_SIDE_BUY);
    assert_int_equal(entry->type, TT_ORD_MARKET);
    assert_int_equal(entry->qty, 10);
    assert_int_equal(entry->state, TT_OS_FILLED);
    const s_fill_rec_t *f = s_fill(rig, 0);
    assert_int_equal(f->fill.px, 10001);
    assert_int_equal(f->fill.qty, 10);
    assert_int_equal(f->fill.fee, 11);
    const tt_order_t *stop = s_last(rig, 0, TT_ROLE_STOP);
    assert_int_equal(stop->side, TT_SIDE_SELL);
    assert_int_equal(stop->type, TT_ORD_STOP);
    assert_int_equal(stop->stop_px, 9900);
    assert_int_equal(stop->qty, 10);
    const tt_order_t *target = s_last(rig, 0, TT_ROLE_TARGET);
    assert_int_equal(target->type, TT_ORD_LIMIT);
    assert_int_equal(target->limit_px, 10200);
    assert_int_equal(atomic_load(&s_exec(rig, 0)->position), 10);
    tt_portfolio_stats_t st;
    tt_portfolio_stats(rig->pf, &st);
    assert_int_equal(st.open, 1);
    assert_int_equal(st.exposure, 100010); /* 1000.10 at the fill */
    s_trade(rig, 0, 9890);
    assert_true(s_until(rig, &rig->nfills, 2));
    assert_int_equal(s_fill(rig, 1)->fill.px, 9889);
    assert_int_equal(s_fill(rig, 1)->fill.fee, 10);
    assert_true(s_until_stat(rig, &s_exec(rig, 0)->realized, -1141));
    assert_int_equal(atomic_load(&s_exec(rig, 0)->position), 0);
    /* OCO: the target is cancelled; the slot is free again. */
    assert_non_null(s_until_state(rig, 0, TT_ROLE_TARGET, TT_OS_CANCELLED));
    assert_int_equal(s_last(rig, 0, TT_ROLE_STOP)->state, TT_OS_FILLED);
    tt_portfolio_stats(rig->pf, &st);
    assert_int_equal(st.open, 0);
    assert_int_equal(st.exposure, 0);
    assert_int_equal(st.realized_today, -1141);
    s_rig_down(rig);
    free(rig);
}

/* The take-profit: a trade at 102.01 prints through the 102.00 limit,
   which fills at 102.00; fee 1020.00 * 1 bp = 0.102, up to 0.11.
   P&L (102.00 - 100.01) * 10 = 19.90, less 0.22: 19.68. */
static void test_take_profit(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, 1, 1, "  max_open_positions: 5\n", MON + 15 * HOUR);
    s_enter_long(rig, 0, 10000, 9900, 10200);
    s_trade(rig, 0, 10200); /* at the limit: no fill (queue unknown) */
    s_trade(rig, 0, 10201);
    assert_true(s_until(rig, &rig->nfills, 2));
    assert_int_equal(s_fill(rig, 1)->fill.px, 10200);
    assert_int_equal(s_fill(rig, 1)->fill.fee, 11);
    assert_int_equal(s_last(rig, 0, TT_ROLE_TARGET)->state, TT_OS_FILLED);
    assert_non_null(s_until_state(rig, 0, TT_ROLE_STOP, TT_OS_CANCELLED));
    assert_true(s_until_stat(rig, &s_exec(rig, 0)->realized, 1968));
    s_rig_down(rig);
    free(rig);
}

/* Breakeven, then a trailing stop that follows the price: each move
   replaces the stop order; a looser stop is refused by the book. The
   trade at 100.40 triggers the 100.50 stop: 100.40 - 1 bp = 100.38996,
   down to 100.38; fee 0.11. P&L (100.38 - 100.01) * 10 = 3.70 - 0.22 =
   3.48. */
static void test_breakeven_and_trailing_stop(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, 1, 1, "  max_open_positions: 5\n", MON + 15 * HOUR);
    s_enter_long(rig, 0, 10000, 9900, 10500);
    s_trade(rig, 0, 10100);
    /* Breakeven: the stop moves to the entry price. */
    s_signal(rig, 0, TT_SIG_MOVE_STOP, 10100, 10001, 0);
    assert_non_null(s_until_state(rig, 0, TT_ROLE_STOP, TT_OS_ACCEPTED));
    const tt_order_t *stop;
    int64_t deadline = tth_now_ms() + 5000;
    while ((stop = s_last(rig, 0, TT_ROLE_STOP))->stop_px != 10001 &&
           tth_now_ms() < deadline)
        s_pump(rig, 2);
    stop = s_until_state(rig, 0, TT_ROLE_STOP, TT_OS_ACCEPTED);
    assert_non_null(stop);
    assert_int_equal(stop->stop_px, 10001);
    assert_true(stop->replaces > 0);
    /* The price rises; the stop trails to 100.50. */
    s_trade(rig, 0, 10150);
    s_signal(rig, 0, TT_SIG_MOVE_STOP, 10150, 10050, 0);
    deadline = tth_now_ms() + 5000;
    while (!((stop = s_last(rig, 0, TT_ROLE_STOP))->stop_px == 10050 &&
             stop->state == TT_OS_ACCEPTED) &&
           tth_now_ms() < deadline)
        s_pump(rig, 2);
    assert_int_equal(stop->stop_px, 10050);
    assert_int_equal(stop->state, TT_OS_ACCEPTED);
    int orders = rig->norders;
    /* Looser: refused, nothing sent. */
    s_signal(rig, 0, TT_SIG_MOVE_STOP, 10150, 10020, 0);
    s_trade(rig, 0, 10140);
    s_pump(rig, 20);
    assert_int_equal(rig->norders, orders);
    s_trade(rig, 0, 10040);
    assert_true(s_until(rig, &rig->nfills, 2));
    assert_int_equal(s_fill(rig, 1)->fill.px, 10038);
    assert_int_equal(s_fill(rig, 1)->fill.fee, 11);
    assert_true(s_until_stat(rig, &s_exec(rig, 0)->realized, 348));
    assert_non_null(s_until_state(rig, 0, TT_ROLE_TARGET, TT_OS_CANCELLED));
    s_rig_down(rig);
    free(rig);
}

/* An order the store refuses is rejected before any broker sees it; the
   portfolio slot it reserved is free again and the next entry goes. */
static void test_rejected_order(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, 1, 1, "  max_open_positions: 1\n", MON + 15 * HOUR);
    rig->refuse = 1;
    s_signal(rig, 0, TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    assert_true(s_until(rig, &rig->norders, 1));
    assert_true(rig->orders[0].intent);
    int64_t deadline = tth_now_ms() + 5000;
    while (tt_portfolio_held(rig->pf, 0) && tth_now_ms() < deadline)
        s_pump(rig, 2);
    assert_false(tt_portfolio_held(rig->pf, 0));
    assert_int_equal(atomic_load(&s_exec(rig, 0)->orders), 0); /* not sent */
    s_enter_long(rig, 0, 10000, 9900, 10200);
    assert_int_equal(s_fill(rig, 0)->fill.px, 10001);
    s_rig_down(rig);
    free(rig);
}

/* The daily loss limit (10.00) across the portfolio: S00's stop-loss
   loses 11.41, so entries halt everywhere, while S01's exit still goes
   out: 50.00 + 1 bp = 50.005, up to 50.01 (fee 500.10 * 1 bp = 0.05001,
   up to 0.06); exit at 50.50 - 1 bp = 50.49495, down to 50.49 (fee
   0.06); P&L (50.49 - 50.01) * 10 = 4.80 - 0.12 = 4.68. */
static void test_daily_loss_halts_entries_not_exits(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, 2, 3, "  max_daily_loss: \"10\"\n", MON + 15 * HOUR);
    s_enter_long(rig, 1, 5000, 4900, 5200);
    assert_int_equal(s_fill(rig, 0)->fill.px, 5001);
    assert_int_equal(s_fill(rig, 0)->fill.fee, 6);
    s_enter_long(rig, 0, 10000, 9900, 10200);
    s_trade(rig, 0, 9890);
    assert_true(s_until_stat(rig, &s_exec(rig, 0)->realized, -1141));
    tt_portfolio_stats_t st;
    tt_portfolio_stats(rig->pf, &st);
    assert_true(st.halted);
    /* New entries: refused with the reason, on every symbol. */
    s_signal(rig, 2, TT_SIG_ENTER_LONG, 3000, 2900, 3200);
    assert_true(s_until(rig, &rig->nrej, 1));
    assert_int_equal(rig->rej[0].symbol, 2);
    assert_int_equal(rig->rej[0].ev.reason, TT_RISK_DAILY_LOSS);
    assert_int_equal(rig->rej[0].ev.kind, TT_SIG_ENTER_LONG);
    assert_non_null(strstr(rig->rej[0].ev.text, "daily loss"));
    /* The exit of S01 goes out: stop and target cancelled, then a
       market sell filled at the next trade. */
    s_signal(rig, 1, TT_SIG_EXIT, 5050, 0, 0);
    assert_non_null(s_until_state(rig, 1, TT_ROLE_EXIT, TT_OS_ACCEPTED));
    s_trade(rig, 1, 5050);
    assert_true(s_until_stat(rig, &s_exec(rig, 1)->position, 0));
    assert_true(s_until_stat(rig, &s_exec(rig, 1)->realized, 468));
    const tt_order_t *exit = s_last(rig, 1, TT_ROLE_EXIT);
    assert_int_equal(exit->side, TT_SIDE_SELL);
    assert_int_equal(exit->type, TT_ORD_MARKET);
    int64_t until = tth_now_ms() + 5000;
    int s01 = 0;
    while (s01 < 2 && tth_now_ms() < until) {
        s_pump(rig, 2);
        s01 = 0;
        for (int i = 0; i < rig->nfills; i++)
            s01 += rig->fills[i].symbol == 1;
    }
    assert_int_equal(s01, 2);
    for (int i = rig->nfills - 1; i >= 0; i--)
        if (rig->fills[i].symbol == 1) {
            assert_int_equal(rig->fills[i].fill.px, 5049);
            assert_int_equal(rig->fills[i].fill.fee, 6);
            break;
        }
    assert_int_equal(s_last(rig, 1, TT_ROLE_STOP)->state, TT_OS_CANCELLED);
    tt_portfolio_stats(rig->pf, &st);
    assert_int_equal(st.realized_today, -1141 + 468);
    assert_int_equal(st.open, 0);
    /* Still halted: -6.73 is above the limit now, but the halt holds
       until the next session. */
    int nrej = rig->nrej;
    s_signal(rig, 0, TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    assert_true(s_until(rig, &rig->nrej, nrej + 1));
    assert_int_equal(rig->rej[nrej].ev.reason, TT_RISK_DAILY_LOSS);
    s_rig_down(rig);
    free(rig);
}

/* Three refused replacements of the stop trip the breaker (max 3 in 60
   s): entries halt, the exit and a stop move still go out; an operator
   reset lets the next entry through. Exit at 100.50 - 1 bp = 100.48995, down to
   100.48; P&L (100.48 - 100.01) * 10 = 4.70 - 0.22 = 4.48. */
static void test_breaker_trips_and_resets(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, 1, 1, "  breaker_max_errors: 3\n  breaker_window_s: 60\n",
             MON + 15 * HOUR);
    s_enter_long(rig, 0, 10000, 9900, 10200);
    /* Three stop moves, each refused by the store (a move refused for
       good is not asked again at the same price: the strategy moves it
       further each time): the third refusal trips. */
    rig->refuse = 3;
    s_signal(rig, 0, TT_SIG_MOVE_STOP, 10000, 9950, 0);
    s_signal(rig, 0, TT_SIG_MOVE_STOP, 10000, 9960, 0);
    s_signal(rig, 0, TT_SIG_MOVE_STOP, 10000, 9970, 0);
    assert_true(s_until(rig, &rig->nbrk, 1));
    assert_int_equal(rig->brk[0].tripped, 1);
    assert_int_equal(rig->brk[0].errors, 3);
    assert_true(tt_portfolio_breaker_tripped(rig->pf, 0));
    assert_int_equal(rig->refuse, 0);
    /* Protective orders still go out while tripped: the next move is
       committed and works at 99.80. */
    s_signal(rig, 0, TT_SIG_MOVE_STOP, 10000, 9980, 0);
    const tt_order_t *stop = NULL;
    int64_t deadline = tth_now_ms() + 5000;
    while (!((stop = s_last(rig, 0, TT_ROLE_STOP)) && stop->stop_px == 9980 &&
             stop->state == TT_OS_ACCEPTED) &&
           tth_now_ms() < deadline)
        s_pump(rig, 2);
    assert_int_equal(stop->stop_px, 9980);
    assert_int_equal(stop->state, TT_OS_ACCEPTED);
    /* The exit goes out while tripped. */
    s_signal(rig, 0, TT_SIG_EXIT, 10050, 0, 0);
    assert_non_null(s_until_state(rig, 0, TT_ROLE_EXIT, TT_OS_ACCEPTED));
    s_trade(rig, 0, 10050);
    assert_true(s_until_stat(rig, &s_exec(rig, 0)->realized, 448));
    /* An entry is refused: BREAKER. */
    s_signal(rig, 0, TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    assert_true(s_until(rig, &rig->nrej, 1));
    assert_int_equal(rig->rej[0].ev.reason, TT_RISK_BREAKER);
    assert_non_null(strstr(rig->rej[0].ev.text, "circuit breaker"));
    /* Reset (what `ticktree breaker reset S00` does): entries again. */
    assert_int_equal(tt_portfolio_breaker_reset(rig->pf, 0, s_now(rig)), 1);
    int entries = 0;
    for (int i = 0; i < rig->norders; i++)
        entries +=
            rig->orders[i].intent && rig->orders[i].order.role == TT_ROLE_ENTRY;
    assert_int_equal(entries, 1);
    s_signal(rig, 0, TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    deadline = tth_now_ms() + 5000;
    while (s_last(rig, 0, TT_ROLE_ENTRY)->seq == rig->orders[0].order.seq &&
           tth_now_ms() < deadline)
        s_pump(rig, 2);
    assert_true(s_last(rig, 0, TT_ROLE_ENTRY)->seq > rig->orders[0].order.seq);
    s_rig_down(rig);
    free(rig);
}

/* A paused symbol emits no order: its entry is refused (PAUSED). */
static void test_paused_symbol_emits_nothing(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, 1, 1, "  max_open_positions: 5\n", MON + 15 * HOUR);
    tt_sender_send(rig->sender, tt_runtime_actor_id(0, TT_ROLE_EXECUTION),
                   TT_ACTOR_ROOT, TT_SYS_PAUSE, NULL, 0, true);
    s_signal(rig, 0, TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    assert_true(s_until(rig, &rig->nrej, 1));
    assert_int_equal(rig->rej[0].ev.reason, TT_RISK_PAUSED);
    s_trade(rig, 0, 10000);
    s_pump(rig, 20);
    assert_int_equal(rig->norders, 0);
    assert_int_equal(atomic_load(&s_exec(rig, 0)->orders), 0);
    assert_false(tt_portfolio_held(rig->pf, 0));
    /* Resumed, it trades. */
    tt_sender_send(rig->sender, tt_runtime_actor_id(0, TT_ROLE_EXECUTION),
                   TT_ACTOR_ROOT, TT_SYS_RESUME, NULL, 0, true);
    s_enter_long(rig, 0, 10000, 9900, 10200);
    s_rig_down(rig);
    free(rig);
}

/* End of day on the first session after the switch to daylight time:
   16:00 New York is 20:00 UTC (not 21:00 as the Friday before). The
   clock actor closes the position (stop and target cancelled, a market
   sell), and once the symbol is flat the summary goes out. Exit at
   101.00 - 1 bp = 100.9899, down to 100.98, fee 0.11; P&L (100.98 -
   100.01) * 10 = 9.70, fees 0.22, net 9.48. */
static void test_eod_force_close_on_dst_day(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    tt_ns_t close = MON + 20 * HOUR;
    s_rig_up(rig, 1, 2, "  max_open_positions: 5\n", close - 10 * 60 * SEC);
    rig->sessions = tt_clock_actor_start(rig->rt, &rig->cstats);
    assert_non_null(rig->sessions);
    int64_t deadline = tth_now_ms() + 5000;
    while (atomic_load(&rig->cstats.opens) < 1 && tth_now_ms() < deadline)
        s_pump(rig, 2);
    assert_int_equal(atomic_load(&rig->cstats.opens), 1);
    s_enter_long(rig, 0, 10000, 9900, 10200);
    assert_int_equal(atomic_load(&rig->cstats.closes), 0);
    tt_clock_set(rig->clock, close);
    const tt_order_t *exit =
        s_until_state(rig, 0, TT_ROLE_EXIT, TT_OS_ACCEPTED);
    assert_non_null(exit);
    assert_int_equal(exit->side, TT_SIDE_SELL);
    assert_int_equal(exit->qty, 10);
    /* The clock actor counts the close after telling the symbols. */
    deadline = tth_now_ms() + 5000;
    while (atomic_load(&rig->cstats.closes) < 1 && tth_now_ms() < deadline)
        s_pump(rig, 2);
    assert_int_equal(atomic_load(&rig->cstats.closes), 1);
    assert_int_equal(s_last(rig, 0, TT_ROLE_STOP)->state, TT_OS_CANCELLED);
    assert_int_equal(s_last(rig, 0, TT_ROLE_TARGET)->state, TT_OS_CANCELLED);
    /* The market is shut for entries: S01 is refused. */
    s_signal(rig, 1, TT_SIG_ENTER_LONG, 5000, 4900, 5200);
    assert_true(s_until(rig, &rig->nrej, 1));
    assert_int_equal(rig->rej[0].ev.reason, TT_RISK_SESSION_CLOSED);
    assert_int_equal(rig->neod, 0); /* S00 is not flat yet */
    s_trade(rig, 0, 10100);
    assert_true(s_until(rig, &rig->neod, 2));
    assert_true(s_until(rig, &rig->nfills, 2));
    assert_int_equal(s_fill(rig, 1)->fill.px, 10098);
    assert_int_equal(atomic_load(&s_exec(rig, 0)->position), 0);
    /* One line for S00, then the total; S01 had no trade. */
    const tt_evt_eod_t *line = &rig->eod[0];
    assert_string_equal(line->symbol, "S00");
    assert_string_equal(line->venue, "nyse");
    assert_int_equal(line->session_id, 20240311);
    assert_int_equal(line->ts, close);
    assert_int_equal(line->decimals, 2);
    assert_int_equal(line->trades, 1);
    assert_int_equal(line->wins, 1);
    assert_int_equal(line->win_rate_bp, 10000);
    assert_int_equal(line->gross, 970);
    assert_int_equal(line->fees, 22);
    assert_int_equal(line->net, 948);
    assert_int_equal(line->max_drawdown, 0);
    const tt_evt_eod_t *total = &rig->eod[1];
    assert_string_equal(total->symbol, "");
    assert_int_equal(total->trades, 1);
    assert_int_equal(total->net, 948);
    /* The clock actor counts the summary after sending its lines. */
    deadline = tth_now_ms() + 5000;
    while (atomic_load(&rig->cstats.last_eod_session) != 20240311 &&
           tth_now_ms() < deadline)
        s_pump(rig, 2);
    assert_int_equal(atomic_load(&rig->cstats.summaries), 1);
    assert_int_equal(atomic_load(&rig->cstats.last_eod_session), 20240311);
    s_rig_down(rig);
    free(rig);
}

/* Pumps until the order COID's latest event shows STATE, at most 5 s. */
static bool s_until_coid(s_rig_t *rig, const char *coid, tt_ord_state_t state)
{
    int64_t deadline = tth_now_ms() + 5000;
    for (;;) {
        const tt_order_t *o = NULL;
        for (int i = rig->norders - 1; i >= 0 && !o; i--)
            if (!strcmp(rig->orders[i].order.coid, coid))
                o = &rig->orders[i].order;
        if (o && o->state == state)
            return true;
        if (tth_now_ms() >= deadline)
            return false;
        s_pump(rig, 2);
    }
}

/* Pumps until the order in ROLE of SYM works (ACCEPTED) with QTY, at
   most 5 s: a child replaced by one of another size. */
static const tt_order_t *s_until_working(s_rig_t *rig, int sym, tt_role_t role,
                                         tt_qty_t qty)
{
    int64_t deadline = tth_now_ms() + 5000;
    const tt_order_t *o;
    while (!((o = s_last(rig, sym, role)) && o->state == TT_OS_ACCEPTED &&
             o->qty == qty) &&
           tth_now_ms() < deadline)
        s_pump(rig, 2);
    return o && o->state == TT_OS_ACCEPTED && o->qty == qty ? o : NULL;
}

/* Pumps until the execution actor of SYM has handled WANT messages. */
static bool s_until_handled(s_rig_t *rig, int sym, uint64_t want)
{
    _Atomic uint64_t *handled = &s_exec(rig, sym)->handled;
    int64_t deadline = tth_now_ms() + 5000;
    while (atomic_load(handled) < want && tth_now_ms() < deadline)
        s_pump(rig, 2);
    return atomic_load(handled) >= want;
}

/* Partial fills, then the rest cancelled. With participation_bps 5000 a
   trade fills at most half its size: the market entry of 10 fills 4 on
   a trade of 8 (100.00 + 1 bp, up to 100.01; fee 400.04 * 1 bp =
   0.040004, up to 0.05); the stop and target go out for the 4 held.
   The next trade of 8 fills 4 more at 100.01 (fee 0.05): the stop and
   target are replaced by orders for 8. The exit then cancels the
   entry's last 2 with both children and sells the 8 held: 100.50 - 1 bp
   = 100.48995, down to 100.48; fee 803.84 * 1 bp = 0.080384, up to
   0.09. P&L (100.48 - 100.01) * 8 = 3.76, fees 0.19, net 3.57. */
static void test_partial_fill_then_cancel(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up_with(rig, 1, 1, "  max_open_positions: 5\n",
                  "  paper: {participation_bps: 5000}\n", MON + 15 * HOUR);
    s_signal(rig, 0, TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    assert_non_null(s_until_state(rig, 0, TT_ROLE_ENTRY, TT_OS_ACCEPTED));
    tt_clock_advance(rig->clock, SEC);
    s_trade_sized(rig, 0, 10000, 8);
    const tt_order_t *entry =
        s_until_state(rig, 0, TT_ROLE_ENTRY, TT_OS_PARTIALLY_FILLED);
    assert_non_null(entry);
    assert_int_equal(entry->qty, 10);
    assert_int_equal(entry->filled, 4);
    assert_true(s_until(rig, &rig->nfills, 1));
    assert_string_equal(s_fill(rig, 0)->fill.fill_id, "tt-S00-1-e:1");
    assert_int_equal(s_fill(rig, 0)->fill.px, 10001);
    assert_int_equal(s_fill(rig, 0)->fill.qty, 4);
    assert_int_equal(s_fill(rig, 0)->fill.fee, 5);
    assert_true(s_until_stat(rig, &s_exec(rig, 0)->position, 4));
    /* The bracket covers what is held, not what was ordered. */
    const tt_order_t *stop = s_until_working(rig, 0, TT_ROLE_STOP, 4);
    assert_non_null(stop);
    assert_int_equal(stop->stop_px, 9900);
    const tt_order_t *target = s_until_working(rig, 0, TT_ROLE_TARGET, 4);
    assert_non_null(target);
    assert_int_equal(target->limit_px, 10200);
    /* More of the entry fills: the children grow with it. */
    tt_clock_advance(rig->clock, SEC);
    s_trade_sized(rig, 0, 10000, 8);
    assert_true(s_until(rig, &rig->nfills, 2));
    assert_string_equal(s_fill(rig, 1)->fill.fill_id, "tt-S00-1-e:2");
    assert_int_equal(s_fill(rig, 1)->fill.px, 10001);
    assert_int_equal(s_fill(rig, 1)->fill.qty, 4);
    assert_int_equal(s_fill(rig, 1)->fill.fee, 5);
    stop = s_until_working(rig, 0, TT_ROLE_STOP, 8);
    assert_non_null(stop);
    assert_string_equal(stop->coid, "tt-S00-4-s");
    assert_int_equal(stop->replaces, 2);
    /* The orders for 4 are finished (REPLACED), in the store too. */
    assert_true(s_until_coid(rig, "tt-S00-2-s", TT_OS_REPLACED));
    assert_true(s_until_coid(rig, "tt-S00-3-t", TT_OS_REPLACED));
    assert_int_equal(stop->stop_px, 9900);
    assert_non_null(s_until_working(rig, 0, TT_ROLE_TARGET, 8));
    assert_true(s_until_stat(rig, &s_exec(rig, 0)->position, 8));
    entry = s_last(rig, 0, TT_ROLE_ENTRY);
    assert_int_equal(entry->state, TT_OS_PARTIALLY_FILLED);
    assert_int_equal(entry->filled, 8);
    /* While the entry works its slot holds the entry's notional. */
    tt_portfolio_stats_t st;
    tt_portfolio_stats(rig->pf, &st);
    assert_int_equal(st.open, 1);
    /* The exit: the entry's remaining 2 are cancelled, never filled. */
    s_signal(rig, 0, TT_SIG_EXIT, 10050, 0, 0);
    const tt_order_t *exit =
        s_until_state(rig, 0, TT_ROLE_EXIT, TT_OS_ACCEPTED);
    assert_non_null(exit);
    assert_int_equal(exit->side, TT_SIDE_SELL);
    assert_int_equal(exit->type, TT_ORD_MARKET);
    assert_int_equal(exit->qty, 8);
    entry = s_last(rig, 0, TT_ROLE_ENTRY);
    assert_int_equal(entry->state, TT_OS_CANCELLED);
    assert_int_equal(entry->filled, 8);
    assert_int_equal(s_last(rig, 0, TT_ROLE_STOP)->state, TT_OS_CANCELLED);
    assert_int_equal(s_last(rig, 0, TT_ROLE_TARGET)->state, TT_OS_CANCELLED);
    s_trade(rig, 0, 10050);
    assert_true(s_until(rig, &rig->nfills, 3));
    assert_string_equal(s_fill(rig, 2)->fill.coid, exit->coid);
    assert_int_equal(s_fill(rig, 2)->fill.px, 10048);
    assert_int_equal(s_fill(rig, 2)->fill.qty, 8);
    assert_int_equal(s_fill(rig, 2)->fill.fee, 9);
    assert_true(s_until_stat(rig, &s_exec(rig, 0)->realized, 357));
    assert_int_equal(atomic_load(&s_exec(rig, 0)->position), 0);
    assert_non_null(s_until_state(rig, 0, TT_ROLE_EXIT, TT_OS_FILLED));
    /* Nothing else filled: a later trade meets no order. */
    uint64_t handled = atomic_load(&s_exec(rig, 0)->handled);
    s_trade(rig, 0, 9000);
    assert_true(s_until_handled(rig, 0, handled + 1));
    s_pump(rig, 20);
    assert_int_equal(rig->nfills, 3);
    tt_portfolio_stats(rig->pf, &st);
    assert_int_equal(st.open, 0);
    assert_int_equal(st.exposure, 0);
    assert_int_equal(st.realized_today, 357);
    s_rig_down(rig);
    free(rig);
}

/* The end of the day ends what is left of a partly filled entry and
   closes only what was filled. The entry of 10 (DAY) fills 4 on a trade
   of 8 (participation_bps 5000) at 100.01, fee 0.05; at 16:00 New York
   the entry's last 6 expire with the day and the clock actor
   force-closes: the stop and the target are cancelled and a market sell
   of 4 goes out, filled at 101.00 - 1 bp
   = 100.9899, down to 100.98 (fee 403.92 * 1 bp = 0.040392, up to
   0.05). Gross (100.98 - 100.01) * 4 = 3.88, fees 0.10, net 3.78. */
static void test_partial_fill_then_eod(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    tt_ns_t close = MON + 20 * HOUR;
    s_rig_up_with(rig, 1, 1, "  max_open_positions: 5\n",
                  "  paper: {participation_bps: 5000}\n",
                  close - 10 * 60 * SEC);
    rig->sessions = tt_clock_actor_start(rig->rt, &rig->cstats);
    assert_non_null(rig->sessions);
    int64_t deadline = tth_now_ms() + 5000;
    while (atomic_load(&rig->cstats.opens) < 1 && tth_now_ms() < deadline)
        s_pump(rig, 2);
    assert_int_equal(atomic_load(&rig->cstats.opens), 1);
    s_signal(rig, 0, TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    assert_non_null(s_until_state(rig, 0, TT_ROLE_ENTRY, TT_OS_ACCEPTED));
    tt_clock_advance(rig->clock, SEC);
    s_trade_sized(rig, 0, 10000, 8);
    assert_true(s_until(rig, &rig->nfills, 1));
    assert_int_equal(s_fill(rig, 0)->fill.qty, 4);
    assert_int_equal(s_fill(rig, 0)->fill.px, 10001);
    assert_non_null(s_until_working(rig, 0, TT_ROLE_STOP, 4));
    assert_non_null(s_until_working(rig, 0, TT_ROLE_TARGET, 4));
    tt_clock_set(rig->clock, close);
    const tt_order_t *exit =
        s_until_state(rig, 0, TT_ROLE_EXIT, TT_OS_ACCEPTED);
    assert_non_null(exit);
    assert_int_equal(exit->side, TT_SIDE_SELL);
    assert_int_equal(exit->qty, 4);
    const tt_order_t *entry = s_last(rig, 0, TT_ROLE_ENTRY);
    assert_int_equal(entry->state, TT_OS_EXPIRED);
    assert_int_equal(entry->qty, 10);
    assert_int_equal(entry->filled, 4);
    assert_int_equal(s_last(rig, 0, TT_ROLE_STOP)->state, TT_OS_CANCELLED);
    assert_int_equal(s_last(rig, 0, TT_ROLE_TARGET)->state, TT_OS_CANCELLED);
    s_trade(rig, 0, 10100);
    assert_true(s_until(rig, &rig->neod, 2));
    assert_true(s_until(rig, &rig->nfills, 2));
    assert_string_equal(s_fill(rig, 1)->fill.coid, exit->coid);
    assert_int_equal(s_fill(rig, 1)->fill.qty, 4);
    assert_int_equal(s_fill(rig, 1)->fill.px, 10098);
    assert_int_equal(s_fill(rig, 1)->fill.fee, 5);
    assert_true(s_until_stat(rig, &s_exec(rig, 0)->realized, 378));
    assert_int_equal(atomic_load(&s_exec(rig, 0)->position), 0);
    const tt_evt_eod_t *line = &rig->eod[0];
    assert_string_equal(line->symbol, "S00");
    assert_int_equal(line->trades, 1);
    assert_int_equal(line->wins, 1);
    assert_int_equal(line->gross, 388);
    assert_int_equal(line->fees, 10);
    assert_int_equal(line->net, 378);
    assert_int_equal(rig->eod[1].net, 378);
    tt_portfolio_stats_t st;
    tt_portfolio_stats(rig->pf, &st);
    assert_int_equal(st.open, 0);
    assert_int_equal(st.exposure, 0);
    s_rig_down(rig);
    free(rig);
}

/* Without a force-close the day's end still ends a DAY entry: of 10, 4
   fill (participation_bps 5000), the other 6 expire at 16:00 New York;
   the position of 4 stays, its stop and target (GTC) keep working, and a
   trade through the target the next morning closes it. */
static void test_day_entry_expires_at_close(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    tt_ns_t close = MON + 20 * HOUR;
    s_strategy = "{kind: sma_cross, params: {force_close_eod: false}}";
    s_rig_up_with(rig, 1, 1, "  max_open_positions: 5\n",
                  "  paper: {participation_bps: 5000}\n",
                  close - 10 * 60 * SEC);
    s_strategy = S_STRATEGY;
    rig->sessions = tt_clock_actor_start(rig->rt, &rig->cstats);
    assert_non_null(rig->sessions);
    int64_t deadline = tth_now_ms() + 5000;
    while (atomic_load(&rig->cstats.opens) < 1 && tth_now_ms() < deadline)
        s_pump(rig, 2);
    assert_int_equal(atomic_load(&rig->cstats.opens), 1);
    s_signal(rig, 0, TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    assert_non_null(s_until_state(rig, 0, TT_ROLE_ENTRY, TT_OS_ACCEPTED));
    tt_clock_advance(rig->clock, SEC);
    s_trade_sized(rig, 0, 10000, 8);
    assert_true(s_until(rig, &rig->nfills, 1));
    assert_int_equal(s_fill(rig, 0)->fill.qty, 4);
    assert_non_null(s_until_working(rig, 0, TT_ROLE_STOP, 4));
    assert_non_null(s_until_working(rig, 0, TT_ROLE_TARGET, 4));
    tt_clock_set(rig->clock, close);
    const tt_order_t *entry =
        s_until_state(rig, 0, TT_ROLE_ENTRY, TT_OS_EXPIRED);
    assert_non_null(entry);
    assert_int_equal(entry->filled, 4);
    assert_true(s_until(rig, &rig->neod, 1)); /* the summary: no trade */
    assert_null(s_last(rig, 0, TT_ROLE_EXIT));
    assert_int_equal(atomic_load(&s_exec(rig, 0)->position), 4);
    assert_int_equal(s_last(rig, 0, TT_ROLE_STOP)->state, TT_OS_ACCEPTED);
    assert_int_equal(s_last(rig, 0, TT_ROLE_TARGET)->state, TT_OS_ACCEPTED);
    /* The next morning: the target fills the 4 held overnight. */
    tt_clock_set(rig->clock, close + 17 * HOUR + 31 * 60 * SEC);
    s_trade_sized(rig, 0, 10250, 8);
    assert_true(s_until(rig, &rig->nfills, 2));
    assert_int_equal(s_fill(rig, 1)->fill.qty, 4);
    assert_true(s_until_stat(rig, &s_exec(rig, 0)->position, 0));
    s_rig_down(rig);
    free(rig);
}

/* ---- with the real bus and store ---------------------------------- */

typedef struct {
    int n;
    tt_store_order_t v[16];
} s_open_t;

static int s_collect_open(const tt_store_order_t *rec, void *arg)
{
    s_open_t *open = arg;
    assert_true(open->n < 16);
    open->v[open->n++] = *rec;
    return 0;
}

/* The stored order COID among OPEN, or NULL. */
static const tt_order_t *s_open_find(const s_open_t *open, const char *coid)
{
    for (int i = 0; i < open->n; i++)
        if (!strcmp(open->v[i].order.coid, coid))
            return &open->v[i].order;
    return NULL;
}

/* Polls the store (at most 5 s) until its open orders are exactly WANT:
   "coid:STATE:qty:filled" each, in any order. */
static bool s_until_open(tt_store_t *store, s_open_t *open,
                         const char *const *want, int nwant)
{
    int64_t deadline = tth_now_ms() + 5000;
    for (;;) {
        open->n = 0;
        assert_int_equal(
            tt_store_open_orders(store, "S00", s_collect_open, open), 0);
        bool same = open->n == nwant;
        for (int i = 0; same && i < nwant; i++) {
            char coid[64], state[32];
            long long qty, filled;
            assert_int_equal(sscanf(want[i], "%63[^:]:%31[^:]:%lld:%lld", coid,
                                    state, &qty, &filled),
                             4);
            const tt_order_t *o = s_open_find(open, coid);
            same = o && !strcmp(tt_ord_state_name(o->state), state) &&
                   o->qty == qty && o->filled == filled;
        }
        if (same)
            return true;
        if (tth_now_ms() >= deadline) {
            for (int i = 0; i < open->n; i++)
                print_message("open: %s %s %lld/%lld\n", open->v[i].order.coid,
                              tt_ord_state_name(open->v[i].order.state),
                              (long long)open->v[i].order.filled,
                              (long long)open->v[i].order.qty);
            return false;
        }
        tth_nap_ms(2);
    }
}

/* Through the real bus into the real store, every order's state is the
   book's: the replaced stops and targets are REPLACED (not left open),
   the entry's cancelled rest is CANCELLED, and the store refuses none of
   the moves. The partial fills of test_partial_fill_then_cancel, then a
   stop move (a second replacement), then the exit. */
static void test_store_keeps_order_states(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up_bus(rig, 1, 1, "  max_open_positions: 5\n",
                 "  paper: {participation_bps: 5000}\n", MON + 15 * HOUR, true);
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/t.db", rig->dir);
    tt_store_t *store = tt_store_open(path, NULL, err, sizeof err);
    assert_non_null(store);
    s_open_t open;
    s_signal(rig, 0, TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    tt_sender_flush(rig->sender);
    const char *const entry[] = {"tt-S00-1-e:ACCEPTED:10:0"};
    assert_true(s_until_open(store, &open, entry, 1));
    tt_clock_advance(rig->clock, SEC);
    s_trade_sized(rig, 0, 10000, 8);
    tt_sender_flush(rig->sender);
    const char *const first[] = {"tt-S00-1-e:PARTIALLY_FILLED:10:4",
                                 "tt-S00-2-s:ACCEPTED:4:0",
                                 "tt-S00-3-t:ACCEPTED:4:0"};
    assert_true(s_until_open(store, &open, first, 3));
    tt_clock_advance(rig->clock, SEC);
    s_trade_sized(rig, 0, 10000, 8);
    tt_sender_flush(rig->sender);
    const char *const grown[] = {"tt-S00-1-e:PARTIALLY_FILLED:10:8",
                                 "tt-S00-4-s:ACCEPTED:8:0",
                                 "tt-S00-5-t:ACCEPTED:8:0"};
    assert_true(s_until_open(store, &open, grown, 3));
    s_signal(rig, 0, TT_SIG_MOVE_STOP, 10000, 9950, 0);
    tt_sender_flush(rig->sender);
    const char *const moved[] = {"tt-S00-1-e:PARTIALLY_FILLED:10:8",
                                 "tt-S00-6-s:ACCEPTED:8:0",
                                 "tt-S00-5-t:ACCEPTED:8:0"};
    assert_true(s_until_open(store, &open, moved, 3));
    assert_int_equal(s_open_find(&open, "tt-S00-6-s")->stop_px, 9950);
    s_signal(rig, 0, TT_SIG_EXIT, 10050, 0, 0);
    tt_sender_flush(rig->sender);
    const char *const exiting[] = {"tt-S00-7-x:ACCEPTED:8:0"};
    assert_true(s_until_open(store, &open, exiting, 1));
    s_trade(rig, 0, 10050);
    tt_sender_flush(rig->sender);
    assert_true(s_until_open(store, &open, NULL, 0));
    int64_t deadline = tth_now_ms() + 5000;
    _Atomic int64_t *realized = &s_exec(rig, 0)->realized;
    while (atomic_load(realized) != 357 && tth_now_ms() < deadline)
        tth_nap_ms(2);
    assert_int_equal(atomic_load(realized), 357);
    assert_int_equal(atomic_load(&rig->bus_stats.store_errors), 0);
    assert_int_equal(atomic_load(&rig->bus_stats.duplicates), 0);
    assert_int_equal(atomic_load(&rig->bus_stats.intents), 7);
    tt_store_close(&store);
    s_rig_down(rig);
    free(rig);
}

static int s_count_event(uint64_t seq, tt_ns_t ts, const char *topic,
                         const char *symbol, const void *payload, size_t len,
                         void *arg)
{
    (void)seq, (void)ts, (void)topic, (void)symbol, (void)payload, (void)len;
    (*(int64_t *)arg)++;
    return 0;
}

static int s_count_candle(const char *symbol, const tt_candle_t *c, void *arg)
{
    (void)symbol, (void)c;
    (*(int64_t *)arg)++;
    return 0;
}

/* Events stored in FROM..TO. */
static int64_t s_stored_events(tt_store_t *store, uint64_t from, uint64_t to)
{
    int64_t n = 0;
    assert_int_equal(tt_store_events_range(store, from, to, s_count_event, &n),
                     0);
    return n;
}

/* A rig with the real bus on a live store file whose events rows the
   trigger WHEN (an SQL condition on NEW) refuses for good, added by a
   second connection, and the log in a file of its own; an entry sent,
   accepted and half filled, its stop and target accepted, as the store
   shows it (STORE, opened here). */
typedef struct {
    s_rig_t *rig;
    tt_store_t *store;
    char *logdir; /* outlives the rig's */
    char logpath[512];
    int log_fd;
} s_refusing_t;

static void s_refusing_up(s_refusing_t *r, const char *when)
{
    r->rig = calloc(1, sizeof *r->rig);
    s_rig_up_bus(r->rig, 1, 1, "  max_open_positions: 5\n",
                 "  paper: {participation_bps: 5000}\n", MON + 15 * HOUR, true);
    char path[512], sql[256], err[256];
    snprintf(path, sizeof path, "%s/t.db", r->rig->dir);
    r->logdir = tth_tmpdir("tt-refused-log");
    snprintf(r->logpath, sizeof r->logpath, "%s/log", r->logdir);
    r->log_fd = open(r->logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(r->log_fd >= 0);
    tt_log_setup(TT_LOG_INFO, false, r->log_fd);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 2000);
    snprintf(sql, sizeof sql,
             "CREATE TRIGGER refuse BEFORE INSERT ON events %s BEGIN SELECT"
             " RAISE(ABORT, 'test: events row refused'); END",
             when);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    r->store = tt_store_open(path, NULL, err, sizeof err);
    assert_non_null(r->store);
    s_open_t open;
    s_signal(r->rig, 0, TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    tt_sender_flush(r->rig->sender);
    const char *const entry[] = {"tt-S00-1-e:ACCEPTED:10:0"};
    assert_true(s_until_open(r->store, &open, entry, 1));
    tt_clock_advance(r->rig->clock, SEC);
    s_trade_sized(r->rig, 0, 10000, 8);
    tt_sender_flush(r->rig->sender);
    const char *const first[] = {"tt-S00-1-e:PARTIALLY_FILLED:10:4",
                                 "tt-S00-2-s:ACCEPTED:4:0",
                                 "tt-S00-3-t:ACCEPTED:4:0"};
    assert_true(s_until_open(r->store, &open, first, 3));
}

/* Takes it all down; returns the log's text (caller frees). */
static char *s_refusing_down(s_refusing_t *r)
{
    tt_store_close(&r->store);
    s_rig_down(r->rig);
    free(r->rig);
    tt_log_setup(TT_LOG_INFO, false, 2);
    close(r->log_fd);
    char *text = tth_read_file(r->logpath);
    assert_non_null(text);
    tth_rmtree(r->logdir);
    free(r->logdir);
    return text;
}

/* A live store file that refuses events row 1 for good: the real bus
   sets the row aside, names it in the log and counts it, and goes on:
   the entry's intent, its acceptance, the fill and the stop's and
   target's intents after it are committed and the orders sent; every
   other event is stored and published, the refused one neither. */
static void test_refused_event_row_keeps_trading(void **state)
{
    (void)state;
    s_refusing_t r;
    s_refusing_up(&r, "WHEN NEW.seq = 1");
    s_rig_t *rig = r.rig;
    /* Every event numbered is published and stored, but the one set
       aside (at most 5 s for the bus to publish the last). */
    int64_t deadline = tth_now_ms() + 5000;
    uint64_t last = 0;
    for (;;) {
        last = atomic_load(&rig->bus_stats.last_seq);
        if ((last >= 8 && atomic_load(&rig->bus_stats.published) == last - 1 &&
             s_stored_events(r.store, 1, last) == (int64_t)last - 1) ||
            tth_now_ms() >= deadline)
            break;
        tth_nap_ms(2);
    }
    assert_true(last >= 8);
    assert_int_equal(atomic_load(&rig->bus_stats.published), last - 1);
    assert_int_equal(atomic_load(&rig->bus_stats.dropped), 0);
    assert_int_equal(s_stored_events(r.store, 1, 1), 0);
    assert_int_equal(s_stored_events(r.store, 2, last), (int64_t)last - 1);
    assert_int_equal(atomic_load(&rig->bus_stats.rows_refused), 1);
    assert_int_equal(atomic_load(&rig->bus_stats.store_errors), 0);
    assert_int_equal(atomic_load(&rig->bus_stats.intents), 3);
    char *text = s_refusing_down(&r);
    const char *line = strstr(text, "events row seq 1 (topic ");
    if (!line)
        fail_msg("no refused row in the log:\n%s", text);
    assert_non_null(strstr(line, "test: events row refused"));
    assert_non_null(strstr(line, "set aside"));
    assert_null(strstr(line + 1, "events row seq 1 (topic ")); /* once */
    assert_null(strstr(text, "retrying"));
    free(text);
}

/* Every events row refused: trading goes on and every refusal is
   counted, but the log names only the first few a minute (bus.c's
   gate), so a bug refusing every row cannot bury it. */
static void test_refused_rows_do_not_flood_the_log(void **state)
{
    (void)state;
    s_refusing_t r;
    s_refusing_up(&r, "");
    int64_t deadline = tth_now_ms() + 5000;
    while (atomic_load(&r.rig->bus_stats.rows_refused) < 8 &&
           tth_now_ms() < deadline)
        tth_nap_ms(2);
    uint64_t refused = atomic_load(&r.rig->bus_stats.rows_refused);
    assert_true(refused >= 8);
    assert_int_equal(s_stored_events(r.store, 1, 1000), 0);
    char *text = s_refusing_down(&r);
    int lines = 0;
    for (const char *at = text; (at = strstr(at, "set aside")); at++)
        lines++;
    if (lines != 5)
        fail_msg("%d refused rows named, 5 expected (%llu refused):\n%s", lines,
                 (unsigned long long)refused, text);
    free(text);
}

/* A transient failure through the real bus: another connection holds
   the store's write lock (SQLITE_BUSY after the bus's 5 s busy timeout)
   while closed candles arrive. The flush fails and is retried, nothing
   is set aside; once the lock is gone every candle and its event is
   stored and published. */
static void test_busy_store_is_retried(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up_bus(rig, 1, 1, "  max_open_positions: 5\n", "", MON + 15 * HOUR,
                 true);
    char path[512], logpath[512], err[256];
    snprintf(path, sizeof path, "%s/t.db", rig->dir);
    char *logdir = tth_tmpdir("tt-busy-log"); /* outlives the rig's */
    snprintf(logpath, sizeof logpath, "%s/log", logdir);
    tt_store_t *store = tt_store_open(path, NULL, err, sizeof err);
    assert_non_null(store);
    /* The paper broker's first state is stored (a durable write of its
       own, not the queue's) before the lock is taken. */
    char paper[4096];
    size_t len = 0;
    int64_t deadline = tth_now_ms() + 5000;
    while (tt_store_paper_get(store, "S00", paper, sizeof paper, &len) != 0 &&
           tth_now_ms() < deadline)
        tth_nap_ms(2);
    assert_int_equal(
        tt_store_paper_get(store, "S00", paper, sizeof paper, &len), 0);
    int log_fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(log_fd >= 0);
    tt_log_setup(TT_LOG_INFO, false, log_fd);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
                     SQLITE_OK);
    uint32_t data = tt_runtime_actor_id(0, TT_ROLE_DATA);
    for (int i = 0; i < 3; i++) {
        tt_candle_t c = {.open_ts = MON + 15 * HOUR + i * 60 * SEC,
                         .tf_s = 60,
                         .open = 10000,
                         .high = 10010,
                         .low = 9990,
                         .close = 10005,
                         .volume = 7,
                         .trades = 2,
                         .closed = true};
        tt_sender_send(rig->sender, TT_ACTOR_BUS, data, TT_EVT_CANDLE, &c,
                       sizeof c, true);
    }
    tt_sender_flush(rig->sender);
    deadline = tth_now_ms() + 20000;
    while (atomic_load(&rig->bus_stats.store_errors) == 0 &&
           tth_now_ms() < deadline)
        tth_nap_ms(10);
    assert_true(atomic_load(&rig->bus_stats.store_errors) >= 1);
    assert_int_equal(atomic_load(&rig->bus_stats.published), 0);
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    deadline = tth_now_ms() + 20000;
    while (atomic_load(&rig->bus_stats.published) < 3 &&
           tth_now_ms() < deadline)
        tth_nap_ms(10);
    assert_int_equal(atomic_load(&rig->bus_stats.published), 3);
    assert_int_equal(atomic_load(&rig->bus_stats.rows_refused), 0);
    assert_int_equal(s_stored_events(store, 1, 3), 3);
    int64_t candles = 0;
    assert_int_equal(tt_store_candles_since(store, "S00", 60, 0, 0,
                                            s_count_candle, &candles),
                     0);
    assert_int_equal(candles, 3);
    tt_store_close(&store);
    s_rig_down(rig);
    tt_log_setup(TT_LOG_INFO, false, 2);
    close(log_fd);
    char *text = tth_read_file(logpath);
    assert_non_null(text);
    if (!strstr(text, "SQLITE_BUSY") || !strstr(text, "; retrying") ||
        !strstr(text, "store writes again") || strstr(text, "set aside"))
        fail_msg("the log does not show the retry:\n%s", text);
    free(text);
    tth_rmtree(logdir);
    free(logdir);
    free(rig);
}

/* The paper settings reach the execution actor: no slippage or
   percentage fee, 1.25 per order, and 1.5 s of latency in event time.
   The entry, decided at T, skips the trade at T + 0.999 s and fills at
   T + 1.999 s at that trade's 100.10; its stop at 99.00 is eligible 1.5 s
   after the fill, so the trades at 98.00 before that do not touch it and
   the one at 97.90 triggers it. P&L (97.90 - 100.10) * 10 = -22.00,
   fees 2.50, net -24.50. */
static void test_paper_latency_and_fixed_fee(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up_with(rig, 1, 1, "  max_open_positions: 5\n",
                  "  paper: {slippage_bps: 0, fee_bps: 0,\n"
                  "          fee_per_order: \"1.25\", latency_ms: 1500}\n",
                  MON + 15 * HOUR);
    s_signal(rig, 0, TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    assert_non_null(s_until_state(rig, 0, TT_ROLE_ENTRY, TT_OS_ACCEPTED));
    s_trade(rig, 0, 10000); /* 0.999 s after the signal: too early */
    s_trade(rig, 0, 10010);
    assert_true(s_until(rig, &rig->nfills, 1));
    assert_int_equal(s_fill(rig, 0)->fill.px, 10010);
    assert_int_equal(s_fill(rig, 0)->fill.qty, 10);
    assert_int_equal(s_fill(rig, 0)->fill.fee, 125);
    assert_int_equal(s_fill(rig, 0)->fill.ts, s_now(rig));
    assert_non_null(s_until_working(rig, 0, TT_ROLE_STOP, 10));
    assert_non_null(s_until_working(rig, 0, TT_ROLE_TARGET, 10));
    s_trade_now(rig, 0, 9800); /* the fill's own instant */
    s_trade(rig, 0, 9800);     /* 1 s after it */
    tt_clock_advance(rig->clock, SEC / 2);
    s_trade_now(rig, 0, 9790); /* 1.5 s after: eligible */
    assert_true(s_until(rig, &rig->nfills, 2));
    assert_int_equal(s_fill(rig, 1)->fill.px, 9790);
    assert_int_equal(s_fill(rig, 1)->fill.fee, 125);
    assert_true(s_until_stat(rig, &s_exec(rig, 0)->realized, -2450));
    assert_non_null(s_until_state(rig, 0, TT_ROLE_TARGET, TT_OS_CANCELLED));
    s_rig_down(rig);
    free(rig);
}

/* Many symbols on four workers signal entries at the same moment, round
   after round. The limits hold, counted from the positions the paper
   broker filled: at most 3 open (max_open_positions) when each entry is
   1000.00, and at most 2 when each is 2000.00 (max_exposure 4500.00);
   and exactly that many get through, the rest refused with the reason. */
#define S_SYMBOLS 16
#define S_ROUNDS 12

static void s_race_round(s_rig_t *rig, tt_px_t px, int want)
{
    int orders = rig->norders, nrej = rig->nrej;
    for (int s = 0; s < S_SYMBOLS; s++)
        s_signal(rig, s, TT_SIG_ENTER_LONG, px, px - 100, px + 200);
    /* Every symbol answers: an entry intent or a refusal. */
    int64_t deadline = tth_now_ms() + 5000;
    int intents = 0;
    while (tth_now_ms() < deadline) {
        s_pump(rig, 2);
        intents = 0;
        for (int i = orders; i < rig->norders; i++)
            intents += rig->orders[i].intent &&
                       rig->orders[i].order.role == TT_ROLE_ENTRY;
        if (intents + rig->nrej - nrej == S_SYMBOLS)
            break;
    }
    assert_int_equal(intents, want);
    assert_int_equal(rig->nrej - nrej, S_SYMBOLS - want);
    for (int i = nrej; i < rig->nrej; i++)
        assert_true(rig->rej[i].ev.reason == TT_RISK_MAX_OPEN_POSITIONS ||
                    rig->rej[i].ev.reason == TT_RISK_MAX_EXPOSURE);
    /* One instant for every symbol: the clock does not move while the
       workers still send the orders just committed. */
    for (int s = 0; s < S_SYMBOLS; s++)
        s_trade_now(rig, s, px);
    /* Measured from the positions the fills left: how many, and their
       notional (fills of the last round's exits may still be in flight
       to the bus, so the positions are what counts). */
    int open = 0;
    int64_t exposure = 0;
    int64_t deadline2 = tth_now_ms() + 5000;
    do {
        s_pump(rig, 2);
        open = 0;
        exposure = 0;
        for (int s = 0; s < S_SYMBOLS; s++) {
            int64_t q = atomic_load(&s_exec(rig, s)->position);
            if (q == 0)
                continue;
            open++;
            exposure += q * atomic_load(&s_exec(rig, s)->last_fill_px);
        }
    } while (open < want && tth_now_ms() < deadline2);
    assert_int_equal(open, want);
    assert_true(open <= 3);
    assert_true(exposure <= 450000);
    tt_clock_advance(rig->clock, SEC);
    /* Everybody out, once the brackets work (a cancel must find its
       order at the broker), and the portfolio is empty again. */
    for (int s = 0; s < S_SYMBOLS; s++)
        if (atomic_load(&s_exec(rig, s)->position) != 0) {
            assert_non_null(
                s_until_state(rig, s, TT_ROLE_STOP, TT_OS_ACCEPTED));
            assert_non_null(
                s_until_state(rig, s, TT_ROLE_TARGET, TT_OS_ACCEPTED));
        }
    for (int s = 0; s < S_SYMBOLS; s++)
        if (atomic_load(&s_exec(rig, s)->position) != 0)
            s_signal(rig, s, TT_SIG_EXIT, px, 0, 0);
    deadline = tth_now_ms() + 5000;
    tt_portfolio_stats_t st;
    do {
        s_pump(rig, 2);
        for (int s = 0; s < S_SYMBOLS; s++)
            if (atomic_load(&s_exec(rig, s)->position) != 0) {
                const tt_order_t *x = s_last(rig, s, TT_ROLE_EXIT);
                if (x && x->state == TT_OS_ACCEPTED)
                    s_trade(rig, s, px);
            }
        tt_portfolio_stats(rig->pf, &st);
    } while (st.open != 0 && tth_now_ms() < deadline);
    assert_int_equal(st.open, 0);
    assert_int_equal(st.exposure, 0);
}

static void test_limits_hold_across_workers(void **state)
{
    (void)state;
    s_rig_t *rig = calloc(1, sizeof *rig);
    s_rig_up(rig, 4, S_SYMBOLS,
             "  max_open_positions: 3\n  max_exposure: \"4500\"\n",
             MON + 15 * HOUR);
    for (int r = 0; r < S_ROUNDS; r++)
        s_race_round(rig, r % 2 ? 20000 : 10000, r % 2 ? 2 : 3);
    tt_portfolio_stats_t st;
    tt_portfolio_stats(rig->pf, &st);
    assert_true(st.max_open <= 3);
    assert_true(st.max_exposure <= 450000);
    assert_int_equal(st.reservations, S_ROUNDS / 2 * 5);
    s_rig_down(rig);
    free(rig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bracket_then_stop_loss),
        cmocka_unit_test(test_backtest_order_needs_no_answer),
        cmocka_unit_test(test_service_order_waits_for_answer),
        cmocka_unit_test(test_backtest_orders_through_real_bus),
        cmocka_unit_test(test_take_profit),
        cmocka_unit_test(test_breakeven_and_trailing_stop),
        cmocka_unit_test(test_rejected_order),
        cmocka_unit_test(test_daily_loss_halts_entries_not_exits),
        cmocka_unit_test(test_breaker_trips_and_resets),
        cmocka_unit_test(test_paused_symbol_emits_nothing),
        cmocka_unit_test(test_eod_force_close_on_dst_day),
        cmocka_unit_test(test_limits_hold_across_workers),
        cmocka_unit_test(test_partial_fill_then_cancel),
        cmocka_unit_test(test_partial_fill_then_eod),
        cmocka_unit_test(test_day_entry_expires_at_close),
        cmocka_unit_test(test_store_keeps_order_states),
        cmocka_unit_test(test_refused_event_row_keeps_trading),
        cmocka_unit_test(test_refused_rows_do_not_flood_the_log),
        cmocka_unit_test(test_busy_store_is_retried),
        cmocka_unit_test(test_paper_latency_and_fixed_fee),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
