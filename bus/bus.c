/*  bus/bus.c: the event bus thread (see bus.h).

    One loop: drain up to S_DRAIN_MAX frames from the inbox, numbering
    each event and queueing it in the store; commit; publish what was
    committed; answer replay requests. A live order intent is committed
    durably at the end of the drain it arrived in, with the others of that
    drain under one commit (one fsync), and answered at once; a frame that
    writes or reads the store durably (an order update, a fill, a
    snapshot, a barrier) commits the waiting intents first, so the store
    keeps the order frames arrived in. A backtest's intent
    (TT_EVT_INTENT_LOCAL) goes to the store writer like any order write
    and is never answered: its sender did not wait. */
#include "bus/bus.h"
#include "bus/bus_internal.h"
#include "bus/writer.h"
#include "runtime/clock.h"
#include "runtime/log.h"
#include "store/store.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define S_DRAIN_MAX 512          /* frames per loop, and staged events */
#define S_REQUEST_MAX 4096       /* a replay request is a few bytes */
#define S_STORE_RETRY_MS 100     /* a failed commit is retried this often */
#define S_SNAPSHOT_MAX (4 << 20) /* largest snapshot blob joined */
#define S_GROUP_ROWS 1000000     /* backtest: rows per commit */
#define S_GROUP_BATCH 32768      /* backtest: queued rows per flush */
#define S_INTENTS TT_STORE_INTENTS_MAX /* live intents under one commit */

/* A live order intent waiting for the commit it shares with the others
   that arrived in the same drain. */
typedef struct {
    uint32_t from;
    int64_t origin; /* its frame's (the answer carries it) */
    const tt_symbol_cfg_t *sym;
    tt_evt_order_t evt;
} s_intent_t;

typedef struct {
    char topic[TT_BUS_TOPIC_MAX];
    size_t len;
    uint64_t seq;
    bool refused; /* the store set its row aside: never published */
    uint8_t data[TT_BUS_EVENT_MAX];
} s_staged_t;

/* A snapshot blob being joined from its pieces (one per sending actor). */
typedef struct {
    unsigned char *data;
    uint32_t total, got;
    int64_t ts;
} s_snap_t;

typedef struct {
    tt_runtime_t *rt;
    const tt_config_t *cfg;
    tt_bus_stats_t *stats;
    zsock_t *inbox, *pub, *replay;
    tt_store_t *store;
    tt_bus_writer_t *writer; /* a backtest's: the store's only user */
    tt_sender_t *sender;
    uint64_t seq; /* last sequence number given */
    s_staged_t *staged;
    int nstaged;
    bool store_failing;
    bool backtest;             /* the runtime tracks quiescence: a backtest */
    tt_log_gate_t refused_log; /* rows set aside: lines per minute */
    int64_t taken;             /* frames read, not yet counted handled */
    int64_t taken_aside;       /* ... of them set aside (TT_MSG_F_ASIDE) */
    s_snap_t *snaps;           /* by actor id */
    int64_t run_id;            /* this run's row in `runs`; 0 none */
    int64_t next_retain;       /* clock time of the next pruning */
    s_intent_t *intents; /* live intents of this drain, not yet committed */
    tt_store_order_t *intent_recs;
    size_t nintents;
} s_bus_t;

typedef struct {
    tt_runtime_t *rt;
    tt_bus_stats_t *stats;
    bool ok;
} s_start_t;

/* The symbol an actor id belongs to; NULL for the root. */
static const tt_symbol_cfg_t *s_symbol_of(s_bus_t *self, uint32_t from)
{
    if (!tt_runtime_actor(self->rt, from))
        return NULL;
    return &self->cfg->symbols[from / TT_ROLE_COUNT];
}

/* Numbers an event, queues it in the store and stages it for publishing.
   The store's queue commits with the next flush. */
static void s_stage(s_bus_t *self, uint16_t type, const void *body,
                    const tt_symbol_cfg_t *sym)
{
    s_staged_t *st = &self->staged[self->nstaged];
    const char *name = sym ? sym->name : "";
    if (type == TT_EVT_LIFECYCLE)
        name = ((const tt_evt_lifecycle_t *)body)->path;
    if (type == TT_EVT_EOD) /* one line per symbol, or the total */
        name = ((const tt_evt_eod_t *)body)->symbol[0]
                   ? ((const tt_evt_eod_t *)body)->symbol
                   : "total";
    tt_bus_topic(st->topic, sizeof st->topic, type, name);
    uint64_t seq = self->seq + 1;
    st->seq = seq;
    st->refused = false;
    int64_t ts = 0;
    st->len = tt_bus_encode(type, body, sym ? sym->name : "",
                            sym ? &sym->instrument : NULL, seq, &ts, st->data,
                            sizeof st->data);
    if (st->len == 0) {
        tt_error("bus", "event type %u could not be encoded; skipped", type);
        return;
    }
    int rc =
        self->writer
            ? tt_bus_writer_event(self->writer, seq, ts, st->topic,
                                  sym ? sym->name : NULL, st->data, st->len)
            : tt_store_event_append(self->store, seq, ts, st->topic,
                                    sym ? sym->name : NULL, st->data, st->len);
    if (rc != 0) {
        if (self->writer)
            return; /* logged and counted */
        atomic_fetch_add(&self->stats->store_errors, 1);
        tt_error("bus", "%s", tt_store_error(self->store));
        return;
    }
    self->seq = seq;
    self->nstaged++;
}

static void s_answer_intent(s_bus_t *self, uint32_t to, const char *coid,
                            int status)
{
    tt_intent_done_t done = {.status = status};
    tt_bus_copy(done.coid, sizeof done.coid, coid);
    tt_sender_send(self->sender, to, TT_ACTOR_BUS, TT_MSG_INTENT_DONE, &done,
                   sizeof done, true);
}

_Static_assert(TT_BROKER_VENUE_OID_MAX <= TT_STORE_VENUE_OID_MAX,
               "a venue's order id must fit the store's column");

static void s_order_rec(tt_store_order_t *rec, const tt_evt_order_t *in,
                        const tt_symbol_cfg_t *sym)
{
    memset(rec, 0, sizeof *rec);
    tt_bus_copy(rec->symbol, sizeof rec->symbol, sym->name);
    rec->order = in->order;
    tt_bus_copy(rec->parent_coid, sizeof rec->parent_coid, in->parent_coid);
    tt_bus_copy(rec->venue_oid, sizeof rec->venue_oid, in->venue_oid);
}

/* The live intents of this drain, stored under one commit (one fsync for
   all of them, not one each: at a candle boundary many symbols decide at
   once) and answered, each with its own frame's origin. */
static void s_intents_commit(s_bus_t *self)
{
    size_t n = self->nintents;
    if (!n)
        return;
    self->nintents = 0;
    int rc[S_INTENTS];
    tt_store_order_intents(self->store, self->intent_recs, n, rc);
    if (self->cfg->fault_injection && self->cfg->store_intent_delay_ms)
        zclock_sleep(self->cfg->store_intent_delay_ms); /* a slow store */
    int64_t origin = tt_origin_get();
    bool logged = false;
    for (size_t i = 0; i < n; i++) {
        s_intent_t *it = &self->intents[i];
        if (rc[i] < 0) {
            atomic_fetch_add(&self->stats->store_errors, 1);
            if (!logged)
                tt_error("bus", "%s", tt_store_error(self->store));
            logged = true;
        } else if (rc[i] == TT_STORE_DUP) {
            atomic_fetch_add(&self->stats->duplicates, 1);
            tt_warn("bus",
                    "%s: client order id %s is already stored; it is "
                    "not sent again",
                    it->sym->name, it->evt.order.coid);
        } else {
            atomic_fetch_add(&self->stats->intents, 1);
        }
        tt_origin_set(it->origin);
        if (it->evt.intent != TT_EVT_INTENT_LOCAL)
            s_answer_intent(self, it->from, it->evt.order.coid, rc[i]);
        if (rc[i] == 0)
            s_stage(self, TT_EVT_ORDER, &it->evt, it->sym);
    }
    tt_origin_set(origin);
}

/* Stores an order event at once, or hands it to a backtest's writer,
   which applies it later: then the answer is 0 (its store is new) and a
   failure is logged and counted when applied. */
static int s_store_order(s_bus_t *self, const tt_evt_order_t *in,
                         const tt_symbol_cfg_t *sym)
{
    tt_store_order_t rec;
    s_order_rec(&rec, in, sym);
    if (self->writer)
        return tt_bus_writer_order(self->writer, &rec, in->intent);
    int rc = in->intent ? tt_store_order_intent(self->store, &rec)
                        : tt_store_order_update(self->store, &rec);
    if (rc < 0) {
        atomic_fetch_add(&self->stats->store_errors, 1);
        tt_error("bus", "%s", tt_store_error(self->store));
    }
    if (rc == TT_STORE_DUP)
        atomic_fetch_add(&self->stats->duplicates, 1);
    if (rc == 0 && in->intent && in->intent != TT_EVT_ADOPTED)
        atomic_fetch_add(&self->stats->intents, 1);
    return rc;
}

static void s_on_order(s_bus_t *self, const tt_msg_t *msg,
                       const tt_symbol_cfg_t *sym)
{
    const tt_evt_order_t *in = &msg->body.order;
    if (!self->writer && in->intent == TT_EVT_INTENT_LOCAL)
        tt_error("bus",
                 "%s: order %s was not held for its intent's commit, which "
                 "only a backtest may do; stored now",
                 sym->name, in->order.coid);
    if (!self->writer && in->intent && in->intent != TT_EVT_ADOPTED) {
        /* A live intent: committed with the others of this drain. */
        s_intent_t *it = &self->intents[self->nintents];
        *it = (s_intent_t){.from = msg->hdr.from,
                           .origin = msg->hdr.origin_ns,
                           .sym = sym,
                           .evt = *in};
        s_order_rec(&self->intent_recs[self->nintents], in, sym);
        if (++self->nintents == S_INTENTS)
            s_intents_commit(self);
        return;
    }
    int rc = s_store_order(self, in, sym);
    if (!in->intent) {
        s_stage(self, TT_EVT_ORDER, in, sym);
        return;
    }
    /* Nobody waits: a reconciliation's adopted order, or a backtest's
       intent, already on its way to the paper broker (a failure to store
       it is counted and fails the run at its end). */
    if (in->intent == TT_EVT_ADOPTED || in->intent == TT_EVT_INTENT_LOCAL) {
        if (rc == 0)
            s_stage(self, TT_EVT_ORDER, in, sym);
        return;
    }
    s_answer_intent(self, msg->hdr.from, in->order.coid, rc);
    if (rc == 0) {
        s_stage(self, TT_EVT_ORDER, in, sym);
    } else if (rc == TT_STORE_DUP) {
        tt_warn("bus",
                "%s: client order id %s is already stored; it is "
                "not sent again",
                sym->name, in->order.coid);
    }
}

static const char *s_venue_name(s_bus_t *self, const tt_symbol_cfg_t *sym)
{
    const tt_venue_cfg_t *venue = &self->cfg->venues[sym->venue];
    return venue->kind == TT_VENUE_SIM || venue->kind == TT_VENUE_REPLAY
               ? "paper"
               : venue->name;
}

static void s_on_fill(s_bus_t *self, const tt_msg_t *msg,
                      const tt_symbol_cfg_t *sym)
{
    const tt_evt_fill_t *in = &msg->body.fill;
    if (self->writer) { /* a backtest's: staged as recorded, like orders */
        tt_bus_writer_fill(self->writer, s_venue_name(self, sym), sym->name,
                           sym->instrument.qty_decimals, &in->fill);
        s_stage(self, TT_EVT_FILL, in, sym);
        if (self->nstaged < S_DRAIN_MAX)
            s_stage(self, TT_EVT_POSITION_T, in, sym);
        return;
    }
    int rc = tt_store_fill(self->store, s_venue_name(self, sym), sym->name,
                           sym->instrument.qty_decimals, &in->fill, NULL);
    if (rc == TT_STORE_DUP) {
        atomic_fetch_add(&self->stats->duplicates, 1);
        tt_info("bus", "%s: fill %s already recorded; ignored", sym->name,
                in->fill.fill_id);
        return;
    }
    if (rc < 0) {
        atomic_fetch_add(&self->stats->store_errors, 1);
        tt_error("bus", "%s", tt_store_error(self->store));
    }
    s_stage(self, TT_EVT_FILL, in, sym);
    if (self->nstaged < S_DRAIN_MAX)
        s_stage(self, TT_EVT_POSITION_T, in, sym);
}

/* Joins the pieces of a snapshot and queues the whole blob in the store
   (committed with the batch, like candles). Snapshots are state for a
   restart, not events: they are neither numbered nor published. */
static void s_on_snapshot(s_bus_t *self, const tt_msg_t *msg,
                          const tt_symbol_cfg_t *sym)
{
    const tt_evt_snapshot_t *in = &msg->body.snapshot;
    s_snap_t *snap = &self->snaps[msg->hdr.from];
    if (in->offset == 0) {
        unsigned char *data =
            in->total <= S_SNAPSHOT_MAX
                ? realloc(snap->data, in->total ? in->total : 1)
                : NULL;
        if (!data) {
            tt_error("bus", "%s: snapshot of %u bytes refused", sym->name,
                     in->total);
            return;
        }
        *snap = (s_snap_t){.data = data, .total = in->total, .ts = in->ts};
    }
    if (!snap->data || in->offset != snap->got || in->total != snap->total ||
        in->ts != snap->ts || in->len > TT_SNAPSHOT_CHUNK ||
        in->len > snap->total - snap->got) {
        if (snap->data && snap->got <= snap->total)
            tt_warn("bus", "%s: snapshot piece missing; snapshot dropped",
                    sym->name);
        snap->got = snap->total + 1; /* nothing joins until offset 0 */
        return;
    }
    memcpy(snap->data + snap->got, in->data, in->len);
    snap->got += in->len;
    if (snap->got < snap->total)
        return;
    char key[TT_SNAPSHOT_KEY_MAX + 1];
    snprintf(key, sizeof key, "%.*s", TT_SNAPSHOT_KEY_MAX, in->key);
    /* The paper broker's state is trade-critical: it replaces the
       symbol's row at once, durably, after everything sent before it. */
    bool paper = strcmp(key, TT_SNAPSHOT_KEY_PAPER) == 0;
    int rc = self->writer ? tt_bus_writer_snapshot(self->writer, sym->name, key,
                                                   snap->ts, snap->data,
                                                   snap->total, paper)
             : paper      ? tt_store_paper_put(self->store, sym->name, snap->ts,
                                               snap->data, snap->total)
                          : tt_store_snapshot_put(self->store, sym->name, key,
                                                  snap->ts, snap->data, snap->total);
    if (rc != 0 && !self->writer) {
        atomic_fetch_add(&self->stats->store_errors, 1);
        tt_error("bus", "%s", tt_store_error(self->store));
    }
    snap->got = snap->total + 1;
}

/* A live symbol's owed force-close, or its end: the store's row at once,
   durably, after everything sent before it (the order frames that
   preceded it included), so a restart of the service owes what the
   actor owed. A backtest never owes one (its symbols are paper). */
static void s_on_owed_close(s_bus_t *self, const tt_msg_t *msg,
                            const tt_symbol_cfg_t *sym)
{
    const tt_evt_owed_close_t *in = &msg->body.owed_close;
    if (self->writer) {
        tt_error("bus", "%s: owed close in a backtest ignored", sym->name);
        return;
    }
    int rc = in->owed ? tt_store_owed_close_put(self->store, sym->name,
                                                in->session_id, in->end_ts)
                      : tt_store_owed_close_clear(self->store, sym->name);
    if (rc != 0) {
        atomic_fetch_add(&self->stats->store_errors, 1);
        tt_error("bus", "%s", tt_store_error(self->store));
    }
}

/* Whether MSG may be handled while live intents wait for their commit. */
static bool s_passes_intents(const tt_msg_t *msg)
{
    switch (msg->hdr.type) {
    case TT_EVT_ORDER:
        return msg->body.order.intent &&
               msg->body.order.intent != TT_EVT_ADOPTED;
    case TT_EVT_CANDLE:
    case TT_EVT_LIFECYCLE:
    case TT_EVT_REJECTION:
    case TT_EVT_BREAKER:
    case TT_EVT_EOD:
    case TT_EVT_RECONCILE:
    case TT_EVT_PROTECTION:
        return true;
    default:
        return false;
    }
}

static void s_on_frame(s_bus_t *self, const tt_msg_t *msg)
{
    tt_origin_set(msg->hdr.origin_ns); /* the intent's answer carries it */
    const tt_symbol_cfg_t *sym = s_symbol_of(self, msg->hdr.from);
    bool symbolic =
        msg->hdr.type == TT_EVT_ORDER || msg->hdr.type == TT_EVT_FILL ||
        msg->hdr.type == TT_EVT_CANDLE || msg->hdr.type == TT_EVT_REJECTION ||
        msg->hdr.type == TT_EVT_BREAKER || msg->hdr.type == TT_EVT_SNAPSHOT ||
        msg->hdr.type == TT_EVT_RECONCILE ||
        msg->hdr.type == TT_EVT_PROTECTION ||
        msg->hdr.type == TT_EVT_OWED_CLOSE;
    if (symbolic && !sym) {
        tt_error("bus", "event type %u from %u names no symbol; ignored",
                 msg->hdr.type, msg->hdr.from);
        return;
    }
    /* Waiting intents are committed before any frame that writes to the
       store durably or reads it (an order's update, a fill, a snapshot,
       an owed close, a barrier): the store keeps the order frames
       arrived in. Candles
       and events that are only staged go by. */
    if (self->nintents && !s_passes_intents(msg))
        s_intents_commit(self);
    switch (msg->hdr.type) {
    case TT_EVT_ORDER:
        s_on_order(self, msg, sym);
        break;
    case TT_EVT_FILL:
        s_on_fill(self, msg, sym);
        break;
    case TT_EVT_CANDLE:
        if (self->writer)
            tt_bus_writer_candle(self->writer, sym->name, &msg->body.candle);
        else if (tt_store_candle_put(self->store, sym->name, &msg->body.candle))
            tt_error("bus", "%s", tt_store_error(self->store));
        /* A backtest's candles are in its candles table; as events they
           would only be published where nobody can subscribe (its
           endpoints are private) and stored a second time: half the rows
           of a many-symbol backtest. */
        if (!self->backtest)
            s_stage(self, msg->hdr.type, &msg->body, sym);
        break;
    case TT_EVT_SNAPSHOT:
        s_on_snapshot(self, msg, sym);
        break;
    case TT_EVT_OWED_CLOSE:
        s_on_owed_close(self, msg, sym);
        break;
    case TT_EVT_BARRIER:
        /* Trade rows commit as they come (a backtest's group at once
           here, once its writer has applied them): the sender can read
           all it sent before. */
        if (self->writer)
            tt_bus_writer_sync(self->writer);
        if (tt_store_commit_group(self->store) != 0)
            tt_error("bus", "%s", tt_store_error(self->store));
        s_answer_intent(self, msg->hdr.from, "", 0);
        break;
    case TT_EVT_LIFECYCLE:
    case TT_EVT_REJECTION:
    case TT_EVT_BREAKER:
    case TT_EVT_EOD:
    case TT_EVT_RECONCILE:
    case TT_EVT_PROTECTION:
        s_stage(self, msg->hdr.type, &msg->body, sym);
        break;
    default:
        tt_error("bus", "unexpected frame type %u ignored", msg->hdr.type);
    }
}

/* Sends what is committed. A subscriber at its high-water mark refuses
   the whole message (ZMQ_XPUB_NODROP), which is counted, never waited
   for; the event stays in the store for the replay endpoint. */
static void s_publish(s_bus_t *self)
{
    void *pub = zsock_resolve(self->pub);
    /* A backtest's endpoints are private to its run: with nobody
       subscribed, a send would only be dropped by the socket (a tenth of
       the bus thread), so none is made; the event counts as published,
       as the send that dropped it did. */
    bool quiet = self->backtest && atomic_load(&self->stats->subscribers) == 0;
    int refused = 0;
    for (int i = 0; i < self->nstaged; i++) {
        s_staged_t *st = &self->staged[i];
        if (st->refused) { /* not in the store: never seen either */
            refused++;
            continue;
        }
        if (quiet)
            atomic_fetch_add(&self->stats->published, 1);
        else if (zmq_send(pub, st->topic, strlen(st->topic),
                          ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
                 zmq_send(pub, st->data, st->len, ZMQ_DONTWAIT) < 0)
            atomic_fetch_add(&self->stats->dropped, 1);
        else
            atomic_fetch_add(&self->stats->published, 1);
    }
    atomic_fetch_add(&self->stats->events, (uint64_t)(self->nstaged - refused));
    atomic_store(&self->stats->last_seq, self->seq);
    self->nstaged = 0;
}

/* Commits the queued rows; publishes only once they are durable. A
   failing commit keeps the rows and the staged events, and the inbox is
   not read until it succeeds: senders back up rather than lose events. */
static void s_commit(s_bus_t *self)
{
    if (self->writer) {
        /* A backtest: handed to its writer in whole blocks, as they
           fill (the writer folds more of an order's writes together in
           a larger window), or at a sync; published at once (its
           endpoints are private to the run). */
        s_publish(self);
        return;
    }
    if (tt_store_flush(self->store) != 0) {
        if (!self->store_failing)
            tt_error("bus", "%s; retrying", tt_store_error(self->store));
        self->store_failing = true;
        atomic_fetch_add(&self->stats->store_errors, 1);
        return;
    }
    if (self->store_failing)
        tt_info("bus", "store writes again");
    self->store_failing = false;
    s_publish(self);
}

static void s_drain(s_bus_t *self)
{
    void *inbox = zsock_resolve(self->inbox);
    tt_msg_t msg;
    /* Each frame stages at most two events; a waiting intent one. */
    while (!self->store_failing &&
           self->nstaged + (int)self->nintents + 2 <= S_DRAIN_MAX) {
        int size = zmq_recv(inbox, &msg, sizeof msg, ZMQ_DONTWAIT);
        if (size < 0)
            break;
        if ((size_t)size >= sizeof msg.hdr && msg.hdr.flags & TT_MSG_F_ASIDE)
            self->taken_aside++;
        else
            self->taken++;
        if (tt_msg_check(&msg, (size_t)size) != 0) {
            tt_error("bus", "malformed frame (%d bytes) ignored", size);
            continue;
        }
        s_on_frame(self, &msg);
        tt_origin_set(0);
    }
    s_intents_commit(self);
    if (self->nstaged || self->writer || tt_store_pending(self->store))
        s_commit(self);
    /* Frames count as handled (quiescence, runtime.h) once what they
       caused is committed and sent (a backtest's: handed to its writer). */
    if (!self->store_failing) {
        tt_runtime_handled(self->rt, self->taken);
        tt_runtime_handled_aside(self->rt, self->taken_aside);
        self->taken = 0;
        self->taken_aside = 0;
    }
}

/* XPUB delivers subscribe (1) and unsubscribe (0) messages; the bus
   counts them for health. */
static void s_subscriptions(s_bus_t *self)
{
    void *pub = zsock_resolve(self->pub);
    unsigned char buf[256];
    for (int n = 0; n < 256; n++) {
        int size = zmq_recv(pub, buf, sizeof buf, ZMQ_DONTWAIT);
        if (size < 1)
            return;
        atomic_fetch_add(&self->stats->subscribers, buf[0] == 1 ? 1 : -1);
    }
}

static void s_replay(s_bus_t *self)
{
    /* Replies read committed rows only: flush whatever is queued. */
    s_commit(self);
    if (self->writer)
        tt_bus_writer_sync(self->writer);
    if (tt_store_commit_group(self->store) != 0)
        tt_error("bus", "%s", tt_store_error(self->store));
    tt_bus_replay_serve(self->replay, self->store, self->cfg->control_token,
                        self->seq, self->stats);
}

/* The store set a queued row aside (refused for good: a constraint).
   Said and counted once; the rest of its flush is written, so events go
   on being published and intents committed. A live event set aside is
   not published either: what a subscriber sees is always in the store,
   and the gap in the numbers is the one replay shows. A backtest counts
   the row among its failed writes too: its run then says it lost rows
   and exits 1 (docs/BACKTEST.md). Runs on the thread that flushed (a
   backtest's store writer's too: its events are published already, and
   the staged ones are the bus thread's). */
static void s_on_refused(const char *what, uint64_t event_seq, void *arg)
{
    s_bus_t *self = arg;
    atomic_fetch_add(&self->stats->rows_refused, 1);
    /* A bug that has every candle refused must not bury the log: a few
       lines a minute, then how many were not written (health counts
       every one). */
    int64_t held = 0, since = 0, now = tt_mono_ns();
    if (tt_log_gate_pass(&self->refused_log, now, &held, &since)) {
        if (held)
            tt_error("bus",
                     "%lld more row(s) refused for good in the last %lld s "
                     "were not logged (health: rows refused)",
                     (long long)held,
                     (long long)((now - since) / TT_NS_PER_SEC));
        tt_error("bus", "%s", what);
    }
    if (self->backtest) {
        atomic_fetch_add(&self->stats->store_errors, 1);
        return;
    }
    for (int i = 0; event_seq && i < self->nstaged; i++)
        if (self->staged[i].seq == event_seq)
            self->staged[i].refused = true;
}

static int s_setup(s_bus_t *self)
{
    char err[256];
    /* A backtest (the runtime tracks quiescence) fsyncs no commit: a
       crashed backtest is simply run again, while a live service must
       never lose an intent it acted on. */
    tt_store_opts_t opts = tt_store_opts_default();
    self->backtest = tt_runtime_tracking(self->rt);
    self->refused_log =
        (tt_log_gate_t){.per_window = 5, .window_ns = 60 * TT_NS_PER_SEC};
    if (self->backtest) {
        opts.sync_trade = TT_STORE_SYNC_NORMAL;
        /* ... and commits in large groups: a backtest writes about ten
           rows per fill and one per candle, and one transaction each
           cost more than the whole replay besides. */
        opts.group_rows = S_GROUP_ROWS;
        /* ... and flushes its queue in large sorted batches, so the
           candles of many symbols reach their pages in key order. */
        opts.batch_size = S_GROUP_BATCH;
        /* ... and builds its secondary indexes once, at the end (its
           file is new: the command removes it first). */
        opts.defer_indexes = true;
    }
    opts.max_page_count = self->cfg->store_max_pages;
    opts.on_refused = s_on_refused;
    opts.refused_arg = self;
    self->store = tt_store_open(self->cfg->db_path, &opts, err, sizeof err);
    if (!self->store) {
        tt_error("bus", "%s", err);
        return -1;
    }
    if (tt_store_last_event_seq(self->store, &self->seq) != 0) {
        tt_error("bus", "%s", tt_store_error(self->store));
        return -1;
    }
    if (!self->backtest) {
        int64_t now = tt_clock_now(tt_runtime_clock(self->rt));
        tt_bus_run_start(self->store, self->cfg, now, &self->run_id);
        tt_bus_retain(self->store, &self->cfg->retention, now);
        self->next_retain =
            now + (int64_t)self->cfg->retention.interval_s * TT_NS_PER_SEC;
    }
    self->staged = calloc(S_DRAIN_MAX, sizeof *self->staged);
    self->intents = calloc(S_INTENTS, sizeof *self->intents);
    self->intent_recs = calloc(S_INTENTS, sizeof *self->intent_recs);
    self->snaps =
        calloc(tt_runtime_actor_count(self->rt) + 1, sizeof *self->snaps);
    self->inbox = zsock_new(ZMQ_PULL);
    self->pub = zsock_new(ZMQ_XPUB);
    self->replay = zsock_new(ZMQ_REP);
    assert(self->staged && self->intents && self->intent_recs && self->snaps &&
           self->inbox && self->pub && self->replay);
    zsock_set_rcvhwm(self->inbox, self->cfg->mailbox_hwm);
    zsock_set_sndhwm(self->pub, self->cfg->events_hwm);
    zsock_set_xpub_nodrop(self->pub, 1);
    zsock_set_linger(self->pub, 0);
    zsock_set_linger(self->replay, 0);
    zsock_set_maxmsgsize(self->replay, S_REQUEST_MAX);
    const char *inbox = tt_runtime_endpoint_bus(self->rt);
    const struct {
        zsock_t *sock;
        const char *endpoint, *what;
    } binds[] = {{self->inbox, inbox, "inbox"},
                 {self->pub, self->cfg->events_endpoint, "service.events"},
                 {self->replay, self->cfg->replay_endpoint, "service.replay"}};
    for (size_t i = 0; i < sizeof binds / sizeof binds[0]; i++)
        if (zsock_bind(binds[i].sock, "%s", binds[i].endpoint) < 0) {
            tt_error("bus", "%s: cannot bind %s: %s", binds[i].what,
                     binds[i].endpoint, zmq_strerror(zmq_errno()));
            return -1;
        }
    self->sender = tt_sender_new(self->rt);
    if (self->backtest &&
        !(self->writer = tt_bus_writer_new(self->store, self->stats))) {
        tt_error("bus", "the store writer could not start");
        return -1;
    }
    atomic_store(&self->stats->last_seq, self->seq);
    tt_info("bus",
            "store %s; last event seq %llu; events on %s, replay "
            "on %s",
            self->cfg->db_path, (unsigned long long)self->seq,
            self->cfg->events_endpoint, self->cfg->replay_endpoint);
    return self->sender ? 0 : -1;
}

static void s_teardown(s_bus_t *self)
{
    tt_bus_writer_destroy(&self->writer); /* applies what it still has */
    if (self->store && tt_store_flush(self->store) != 0)
        tt_error("bus", "final commit: %s", tt_store_error(self->store));
    if (self->store && !self->backtest)
        tt_bus_run_stop(self->store, self->run_id,
                        tt_clock_now(tt_runtime_clock(self->rt)));
    tt_store_close(&self->store);
    tt_sender_destroy(&self->sender);
    zsock_destroy(&self->inbox);
    zsock_destroy(&self->pub);
    zsock_destroy(&self->replay);
    free(self->staged);
    free(self->intents);
    free(self->intent_recs);
    for (uint32_t i = 0; self->snaps && i < tt_runtime_actor_count(self->rt);
         i++)
        free(self->snaps[i].data);
    free(self->snaps);
}

/* Retention every interval (service.retention), between two drains. */
static void s_housekeeping(s_bus_t *self)
{
    if (self->backtest || self->store_failing)
        return;
    int64_t now = tt_clock_now(tt_runtime_clock(self->rt));
    if (now < self->next_retain)
        return;
    self->next_retain =
        now + (int64_t)self->cfg->retention.interval_s * TT_NS_PER_SEC;
    tt_bus_retain(self->store, &self->cfg->retention, now);
}

static void s_loop(s_bus_t *self, zsock_t *pipe)
{
    zmq_pollitem_t items[] = {
        {zsock_resolve(pipe), 0, ZMQ_POLLIN, 0},
        {zsock_resolve(self->inbox), 0, ZMQ_POLLIN, 0},
        {zsock_resolve(self->pub), 0, ZMQ_POLLIN, 0},
        {zsock_resolve(self->replay), 0, ZMQ_POLLIN, 0},
    };
    while (true) {
        tt_sender_flush(self->sender);
        long wait = tt_sender_pending(self->sender) ? 1
                    : self->store_failing           ? S_STORE_RETRY_MS
                                                    : 100;
        if (zmq_poll(items, 4, wait) < 0 && zmq_errno() != EINTR)
            break;
        if (items[0].revents & ZMQ_POLLIN)
            break; /* $TERM: the root stops the bus after every symbol */
        if (self->store_failing)
            s_commit(self);
        s_drain(self);
        s_housekeeping(self);
        if (items[2].revents & ZMQ_POLLIN)
            s_subscriptions(self);
        if (items[3].revents & ZMQ_POLLIN)
            s_replay(self);
    }
    /* Whatever the stopped actors sent last is still numbered and kept. */
    for (int round = 0; round < 64; round++) {
        uint64_t before = self->seq;
        s_drain(self);
        if (self->seq == before && !self->nstaged)
            break;
    }
    tt_sender_flush(self->sender);
}

static void s_task(zsock_t *pipe, void *arg)
{
    /* ARG lives on the starter's stack: it is read and written before the
       handshake, never after (the starter may have returned by then). */
    s_start_t *start = arg;
    tt_thread_name("bus");
    s_bus_t self = {.rt = start->rt,
                    .cfg = tt_runtime_config(start->rt),
                    .stats = start->stats};
    bool ok = s_setup(&self) == 0;
    start->ok = ok;
    zsock_signal(pipe, 0);
    if (ok)
        s_loop(&self, pipe);
    s_teardown(&self);
}

zactor_t *tt_bus_start(tt_runtime_t *rt, tt_bus_stats_t *stats)
{
    s_start_t start = {.rt = rt, .stats = stats};
    zactor_t *actor = zactor_new(s_task, &start);
    if (actor && !start.ok)
        zactor_destroy(&actor);
    if (actor)
        tt_runtime_set_bus(rt, true);
    return actor;
}
