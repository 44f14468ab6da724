/*  actors/execution.c: a symbol's execution actor. Runs on the symbol's
    worker, first of the symbol's actors to start and last to stop: it
    holds the symbol's orders and position.

    A signal from the strategy passes the risk manager (risk/risk.h); an
    approved one goes to the order book (orders/book.h), which turns it
    into order intents: an entry with its protective stop and take-profit,
    an exit, a stop move. For a sim venue the broker is the paper broker
    (venues/paper/fill_model.h), which runs here against the symbol's own
    trades: every tick batch the data actor forwards is matched against the
    resting orders, and the fills go back into the book and the position.
    A live venue's symbol (alpaca) sends the same intents to its venue's
    broker gateway instead (actors/exec_broker.h) and applies the
    gateway's events through the same path.

    Signals older than two of the symbol's first timeframe are not traded:
    they come from candles of the warm-up history, not from the market as
    it is now; nor are signals decided before the runtime's trade-from
    time (the service's start; a backtest's --from).

    Event time (invariant 8): orders, risk and fills are timed by the
    events that caused them, never by when this actor got to them. An
    order decided at T is eligible for the first trade at or after T even
    when it reaches the paper broker (after the store, or behind a queue)
    once later trades have been matched: the last S_RING trades are kept,
    and a late order catches up on exactly the trades it missed. So the
    same ticks give the same orders and fills whatever the threads did:
    live paper trading and a backtest of its recorded ticks agree.

    With a bus (the service; bus/bus.h), a new order goes to the broker
    only after the bus has committed its intent to the store and answered
    (TT_MSG_INTENT_DONE): until then it waits here, in order. A
    backtest's actor (tt_actor_local_intents) answers its intents itself,
    right after the input that decided them: the bus still stores each
    first (TT_EVT_INTENT_LOCAL), but its answer could only say yes, and
    its round trip was the lockstep's. Every order
    state change and every fill goes to the bus as an event; fills reach
    the ledger exactly once. The next order sequence number and the
    position are kept in the actor's memory, so a restarted actor (or a
    restarted service: the root restores them from the store) never
    reuses a client order id. A stopping service first asks for the
    orders still waiting for the bus (TT_MSG_DRAIN): they go to the broker
    as their answers come, and the actor reports TT_REP_DRAINED once none
    waits and, for a live venue, once the venue has answered every
    request the gateway took (its answer reaches the store); one still
    waiting for the store when the actor is destroyed is not sent, one
    still waiting for the venue is at the venue or on its way (the next
    start asks the venue), and each is named in the log.

    The paper broker's state goes to the store (through the bus) whenever
    it changes. At every start with a bus (the service's first on its
    store, or a restart by the supervisor) the book takes back its open
    orders and the broker its resting ones, reconciled
    (actors/exec_reconcile.h): a position keeps its protective orders.
    A live venue's symbol restores its open orders the same way and has
    its gateway reconcile them with the venue (actors/exec_venue.h),
    holding its inputs until the gateway's answer, at most
    risk.venue_sync_timeout_s: past it the symbol is paused ("venue not
    reconciled", by its supervisor) until the answer comes, and a session
    end's force-close waits for that answer too (kept in the actor's
    memory across its restarts and, through the bus, in the store across
    the service's; the venue's next open drops it). A
    restarted actor reports its wait for the store's answer to its
    barrier (health: "waiting for store"); one whose store does not
    answer within the bound on held inputs or risk.venue_sync_timeout_s
    closes a paper position at the market; a live symbol does not close
    blind on the store's view: it is paused the same way, restores when
    the store answers, and trades again on the gateway's answer. The
    gateway's events while it waits are applied by that reconciliation
    (held ones, handled after it, are repeats). */
#include "actors/exec_broker.h"
#include "actors/exec_guard.h"
#include "actors/exec_portfolio.h"
#include "actors/exec_reconcile.h"
#include "actors/exec_venue.h"
#include "actors/symbol_actors.h"
#include "marketdata/decimal.h"
#include "orders/book.h"
#include "orders/money.h"
#include "risk/risk.h"
#include "runtime/runtime.h"
#include "store/store.h"
#include "runtime/log.h"
#include "venues/paper/fill_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PASSES 8   /* event -> intents -> event rounds per input, at most */
#define S_PENDING 64 /* intents waiting for the store, at most */
/* Reject code of an order refused here, before the store recorded it:
   there is no stored order to update. */
#define S_LOCAL_REJECT (-1)
#define S_RING 1024 /* recent trades kept for late orders (power of two) */
/* Inputs held while an order waits for the store, at most: past this (a
   store that stopped answering) inputs are handled as they come, which
   keeps trading safe but no longer in the exact order. */
#define S_DEFER_MAX TT_EXEC_HELD_MAX
/* How long a restarted live symbol waits for its venue's reconciliation
   when its risk section says nothing (risk.venue_sync_timeout_s). */
#define S_VENUE_SYNC_S 30
/* The timer's period while a refused stop or exit waits to go again
   (orders/book_guard.c): how late after its time it may go, at most. */
#define S_RETRY_TICK_NS (100 * 1000000LL)

/* A new order waiting for the store, with the event time and the trade
   (tick index) it was decided after. */
typedef struct {
    tt_intent_t it;
    int64_t ts;
    uint64_t after;
} s_pending_t;

typedef struct {
    const tt_symbol_cfg_t *sym;
    tt_book_t book;
    tt_risk_t risk;
    tt_paper_t paper;
    tt_exec_pf_t pf; /* portfolio-wide limits and breaker */
    tt_actor_stats_t *stats;
    int64_t max_signal_age_ns;
    int64_t equity; /* paper account, symbol money (price scale) */
    tt_px_t last_px;
    bool bus;
    bool live;          /* orders go to the venue's broker gateway */
    uint32_t gateway;   /* ...at this address */
    bool warm;          /* the indicator actor says every indicator is warm */
    bool on_signal;     /* the input in hand is a strategy's signal */
    bool flatten;       /* a restored position waits to be closed */
    bool tell_pos;      /* a restored position: the strategy learns it */
    bool restoring;     /* an actor restart waits for the store (barrier) */
    bool persist;       /* the paper broker lives in the store (a service) */
    bool local_intents; /* a backtest's: intents are answered here */
    bool venue_restore; /* a live venue's orders come back from the store */
    bool venue_sync;    /* ... and wait for the venue's reconciliation */
    bool venue_late;    /* ... past the bound: paused, inputs not held
                           (or, live, past the store's restart bound) */
    bool close_owed;    /* ... a session end's force-close waits for it */
    int32_t close_session;       /* ...that session */
    int64_t close_ts;            /* ...its end (kept across restarts) */
    int64_t venue_sync_ns;       /* the bound */
    int64_t venue_sync_deadline; /* clock time it passes */
    tt_exec_guard_t guard;       /* the position's protection, as reported */
    int64_t timer_ns;            /* the timer's period now; 0 off */
    bool stopping; /* the service stops: finish the orders in flight */
    bool drained;  /* ... done, and the root was told */
    tt_exec_paper_saver_t saver;    /* the broker's state last saved */
    s_pending_t pending[S_PENDING]; /* awaiting the store, oldest first */
    int pending_head, pending_n;
    int64_t trade_from;     /* signals decided before are history */
    tt_tick_t ring[S_RING]; /* tick i (from 1) at ring[(i - 1) % S_RING] */
    uint64_t ticks;         /* ticks seen: the index of the last one */
    int64_t ctx_ts;         /* event time of the work in hand */
    uint64_t ctx_after;     /* ...and the last trade it comes after */
    bool catching_up;
    uint64_t ring_misses; /* late orders older than the ring */
    struct s_deferred *deferred, *deferred_tail; /* inputs held, oldest first */
    int deferred_n;
    bool defer_warned;
} s_exec_t;

/* An input that arrived while an order waited for the store. */
typedef struct s_deferred {
    struct s_deferred *next;
    tt_msg_t msg; /* header + the body's own length only */
} s_deferred_t;

static int s_decimal(const char *text, int decimals, int64_t *out)
{
    if (!text)
        return 0;
    return tt_decimal_parse(text, strlen(text), decimals, out);
}

/* The config's risk section, in the risk manager's terms. */
static int s_risk_cfg(const tt_symbol_cfg_t *sym, tt_risk_cfg_t *out)
{
    memset(out, 0, sizeof *out);
    const tt_instrument_t *inst = &sym->instrument;
    const char *sizing = sym->risk.sizing ? sym->risk.sizing : "fixed_qty";
    out->sizing = !strcmp(sizing, "fixed_notional") ? TT_SIZE_FIXED_NOTIONAL
                  : !strcmp(sizing, "risk_pct")     ? TT_SIZE_RISK_PCT
                                                    : TT_SIZE_FIXED_QTY;
    out->risk_bps = (int32_t)(sym->risk.risk_pct * 100.0);
    out->max_orders_per_min = sym->risk.max_orders_per_min;
    out->max_consec_losses = sym->risk.max_consecutive_losses;
    if (s_decimal(sym->risk.qty, inst->qty_decimals, &out->fixed_qty) ||
        s_decimal(sym->risk.notional, inst->px_decimals,
                  &out->fixed_notional) ||
        s_decimal(sym->risk.max_position, inst->qty_decimals,
                  &out->max_pos_qty))
        return -1;
    return 0;
}

static void s_publish(tt_actor_t *actor, s_exec_t *self);

/* Tells the bus whether a session end's close is owed, in the order of
   the actor's other writes: the store keeps it for the next start. */
static void s_owed_store(tt_actor_t *actor, const s_exec_t *self)
{
    if (!self->bus)
        return;
    tt_evt_owed_close_t ev = {.end_ts = self->close_ts,
                              .session_id = self->close_session,
                              .owed = self->close_owed};
    tt_actor_send_critical(actor, TT_ACTOR_BUS, TT_EVT_OWED_CLOSE, &ev,
                           sizeof ev);
}

/* Records whether a session end's close is owed (SESSION, which ended
   at TS), in the actor's memory and in the store: a restart of the
   actor or of the whole service then owes the same close. */
static void s_owe_close(tt_actor_t *actor, s_exec_t *self, bool owed,
                        int32_t session, int64_t ts)
{
    self->close_owed = owed;
    if (owed) {
        self->close_session = session;
        self->close_ts = ts;
    }
    s_owed_store(actor, self);
    s_publish(actor, self);
}

/* A close a session end owed before the restart (s_on_session), from
   the memory: the previous instance's, or the store's at the service's
   start (tt_exec_memory_restore). Only a live symbol waits for its
   venue; one that is not live now (its config changed) drops it. */
static void s_owed_restore(tt_actor_t *actor, s_exec_t *self,
                           const tt_exec_memory_t *mem)
{
    if (!mem->close_owed)
        return;
    self->close_session = mem->close_session;
    self->close_ts = mem->close_ts;
    if (!self->venue_restore) {
        tt_warn(tt_actor_path(actor),
                "session %d ended with its close owed, but the symbol no "
                "longer trades on a live venue: the close is dropped",
                (int)self->close_session);
        s_owed_store(actor, self); /* close_owed is false */
        return;
    }
    self->close_owed = true;
    tt_info(tt_actor_path(actor),
            "session %d ended before the restart with the close still "
            "owed: it runs once the venue reconciles the restored orders",
            (int)self->close_session);
}

static int s_init(tt_actor_t *actor, void **state_p)
{
    s_exec_t *self = calloc(1, sizeof *self);
    if (!self)
        return -1;
    self->sym = tt_actor_symbol(actor);
    const tt_instrument_t *inst = &self->sym->instrument;
    tt_book_cfg_t book_cfg = tt_book_cfg_default();
    /* The paper broker answers in the same call: only a live venue's
       stop or exit can stay unanswered (orders/book_guard.c). */
    self->live = tt_exec_broker_route(actor, &self->gateway);
    book_cfg.answer_ns = self->live ? TT_BOOK_ANSWER_NS : 0;
    tt_risk_cfg_t risk_cfg;
    const tt_symbol_paper_cfg_t *pc = &self->sym->paper;
    tt_paper_cfg_t paper_cfg = {.slippage_bps = pc->slippage_bps,
                                .fee_bps = pc->fee_bps,
                                .fee_fixed = pc->fee_per_order,
                                .participation_bps = pc->participation_bps,
                                .max_qty_per_tick = pc->max_qty_per_trade,
                                .latency_ns = pc->latency_ns};
    if (s_risk_cfg(self->sym, &risk_cfg) != 0 ||
        tt_risk_init(&self->risk, &risk_cfg, inst) != 0 ||
        tt_book_init(&self->book, self->sym->name, inst, &book_cfg, 1) != 0 ||
        tt_paper_init(&self->paper, &paper_cfg, inst) != 0) {
        tt_actor_fail(actor, "execution setup: %s %s %s", self->risk.err,
                      tt_book_error(&self->book), self->paper.err);
        free(self);
        return -1;
    }
    self->stats = tt_actor_stats(actor);
    /* A new instance's book says afresh whether the position is bare. */
    atomic_store(&self->stats->unprotected_since, 0);
    self->bus = tt_actor_has_bus(actor);
    /* A backtest's store is new and its own: nothing to restore. */
    self->persist = self->bus && !self->live && !tt_actor_replaying(actor);
    self->venue_restore = self->bus && self->live && !tt_actor_replaying(actor);
    self->local_intents =
        self->bus && !self->live && tt_actor_local_intents(actor);
    tt_exec_pf_init(&self->pf, actor);
    uint32_t *len;
    tt_exec_memory_t *mem = tt_actor_memory(actor, &len);
    if (*len == sizeof *mem) {
        self->book.next_seq = mem->next_seq;
        self->book.pos = mem->pos;
        /* In a service, the open orders and the paper broker's resting
           ones (or a live venue's view of them) come back from the store
           (s_warm_restart). Without a bus nothing kept them: an
           unprotected position is closed at the market on the first
           trade. */
        self->flatten =
            mem->pos.qty != 0 && !self->persist && !self->venue_restore;
        self->tell_pos = mem->pos.qty != 0;
        s_owed_restore(actor, self, mem);
    }
    self->max_signal_age_ns =
        2 * (int64_t)self->sym->timeframes[0] * TT_NS_PER_SEC;
    self->equity = 100000 * tt_pow10(inst->px_decimals);
    self->trade_from = tt_actor_trade_from(actor);
    int sync_s = self->sym->risk.venue_sync_timeout_s;
    self->venue_sync_ns =
        (int64_t)(sync_s > 0 ? sync_s : S_VENUE_SYNC_S) * TT_NS_PER_SEC;
    *state_p = self;
    return 0;
}

static void s_destroy(tt_actor_t *actor, void **state_p);
static int s_warm_restart(tt_actor_t *actor, s_exec_t *self);
static void s_timer_arm(tt_actor_t *actor, s_exec_t *self);

/* The first start of a service on its store restores and reconciles at
   once: nothing of this symbol's can be on its way to the store. An
   actor restarted inside the service first lets the bus handle what its
   previous instance sent (a barrier, answered in order) and restores on
   the answer; inputs wait until then. */
static int s_start(tt_actor_t *actor, void **state_p)
{
    if (s_init(actor, state_p) != 0)
        return -1;
    uint32_t *len;
    tt_exec_memory_t *mem = tt_actor_memory(actor, &len);
    s_exec_t *self = *state_p;
    if ((!self->persist && !self->venue_restore) || *len != sizeof *mem)
        return 0;
    if (!mem->fresh) {
        self->restoring = true;
        tt_actor_send_critical(actor, TT_ACTOR_BUS, TT_EVT_BARRIER, NULL, 0);
        /* The wait for the store is bounded in time as for a venue
           (s_timer), not only by held inputs: a quiet market brings no
           input that would notice. Health shows it meanwhile. */
        self->venue_sync_deadline = tt_actor_now(actor) + self->venue_sync_ns;
        s_timer_arm(actor, self);
        tt_actor_report(actor, TT_REP_STORE_WAIT);
        return 0;
    }
    if (s_warm_restart(actor, self) != 0) {
        s_destroy(actor, state_p);
        return -1;
    }
    return 0;
}

/* The timer runs while a restart waits for the store or the venue (the
   bound, every second) and while a refused stop or exit waits to go
   again or one sent waits for its answer (S_RETRY_TICK_NS); off
   otherwise. */
static void s_timer_arm(tt_actor_t *actor, s_exec_t *self)
{
    int64_t want = self->restoring || self->venue_sync ? TT_NS_PER_SEC : 0;
    if (tt_book_due_at(&self->book) || tt_book_answer_due(&self->book))
        want = S_RETRY_TICK_NS;
    if (want == self->timer_ns)
        return;
    self->timer_ns = want;
    tt_actor_timer_every(actor, want);
}

static void s_publish(tt_actor_t *actor, s_exec_t *self)
{
    tt_exec_guard_report(actor, &self->guard, &self->book, self->stats,
                         self->bus, self->ctx_ts);
    s_timer_arm(actor, self);
    const tt_position_t *pos = tt_book_position(&self->book);
    atomic_store(&self->stats->position, pos->qty);
    atomic_store(&self->stats->realized, pos->realized - pos->fees);
    uint32_t *len;
    tt_exec_memory_t *mem = tt_actor_memory(actor, &len);
    mem->next_seq = self->book.next_seq;
    mem->pos = *pos;
    mem->fresh = 0;
    mem->close_owed = self->close_owed;
    mem->close_session = self->close_session;
    mem->close_ts = self->close_ts;
    *len = sizeof *mem;
}

/* The order's state now, to the bus (stored, then published). */
static void s_order_event(tt_actor_t *actor, s_exec_t *self, const char *coid)
{
    const tt_order_t *order = tt_book_find(&self->book, coid);
    if (!self->bus || !order)
        return;
    tt_evt_order_t ev = {.order = *order};
    tt_actor_send_critical(actor, TT_ACTOR_BUS, TT_EVT_ORDER, &ev, sizeof ev);
}

/* The order as broker event EV left it (RES), before the bracket's
   answer to it: an acknowledgement that at once makes the book resize
   the order (a replace) is stored as ACCEPTED, then PENDING_REPLACE when
   the replace goes out, not as a jump the store refuses. */
static void s_event_state(tt_actor_t *actor, s_exec_t *self,
                          const tt_broker_ev_t *ev, const tt_book_result_t *res)
{
    const tt_order_t *order = tt_book_find(&self->book, ev->coid);
    if (!self->bus || !order)
        return;
    tt_evt_order_t out = {.order = *order};
    if (res->state)
        out.order.state = res->state;
    tt_order_copy_text(out.venue_oid, sizeof out.venue_oid, ev->venue_oid);
    tt_actor_send_critical(actor, TT_ACTOR_BUS, TT_EVT_ORDER, &out, sizeof out);
}

/* The order COID replaces, while the book still holds it; or NULL. */
static const tt_order_t *s_replaced(const s_exec_t *self, const char *coid)
{
    const tt_order_t *o = tt_book_find(&self->book, coid);
    char old[TT_COID_MAX + 1];
    if (!o || !o->replaces ||
        tt_coid_format(old, self->sym->name, o->replaces, o->role) < 0)
        return NULL;
    return tt_book_find(&self->book, old);
}

/* An answer to a replacement moves its predecessor inside the book
   without an answer of its own: to REPLACED once the replacement is
   live, back to working when it is refused. That move goes to the bus
   just before the answer's (from WAS, its state before), or the store
   would keep the old order pending or open. */
static void s_replaced_event(tt_actor_t *actor, s_exec_t *self,
                             const char *coid, tt_ord_state_t was)
{
    const tt_order_t *old = s_replaced(self, coid);
    if (old && old->state != was)
        s_order_event(actor, self, old->coid);
}

/* The strategy learns its position from every fill. */
static void s_tell_strategy(tt_actor_t *actor, s_exec_t *self, int64_t ts)
{
    const tt_position_t *pos = tt_book_position(&self->book);
    tt_position_msg_t msg = {.ts = ts,
                             .side = pos->qty > 0   ? 1
                                     : pos->qty < 0 ? -1
                                                    : 0,
                             .qty = pos->qty < 0 ? -pos->qty : pos->qty,
                             .entry_px = tt_position_avg_px(pos)};
    tt_actor_send_critical(actor, tt_actor_sibling(actor, TT_ROLE_STRATEGY),
                           TT_MSG_POSITION, &msg, sizeof msg);
}

static void s_feed_events(tt_actor_t *actor, s_exec_t *self,
                          tt_broker_ev_t *events, int count, int pass);

/* Sends one intent to the broker at the event time of the work in hand.
   The paper broker answers at once into *EV (true); a gateway answers
   later, with a TT_MSG_BROKER_EVENT (false). */
static bool s_to_broker(tt_actor_t *actor, s_exec_t *self,
                        const tt_intent_t *it, tt_broker_ev_t *ev)
{
    int64_t ts = self->ctx_ts;
    if (it->kind == TT_INTENT_SUBMIT)
        tt_actor_latency(actor, TT_LATENCY_AT_BROKER);
    if (self->live) {
        tt_exec_broker_send(actor, self->gateway, it);
        if (it->kind != TT_INTENT_CANCEL) {
            atomic_fetch_add(&self->stats->orders, 1);
            tt_risk_on_order_sent(&self->risk, ts);
        }
        return false;
    }
    memset(ev, 0, sizeof *ev);
    tt_order_copy_text(ev->coid, sizeof ev->coid, it->order.coid);
    ev->ts = ts;
    int rc = it->kind == TT_INTENT_SUBMIT
                 ? tt_paper_submit(&self->paper, &it->order, ts)
             : it->kind == TT_INTENT_CANCEL
                 ? tt_paper_cancel(&self->paper, it->order.coid)
                 : tt_paper_replace(&self->paper, it->old_coid, &it->order, ts);
    if (it->kind != TT_INTENT_CANCEL) {
        atomic_fetch_add(&self->stats->orders, 1);
        tt_risk_on_order_sent(&self->risk, ts);
    }
    if (rc < 0) {
        ev->kind = it->kind == TT_INTENT_CANCEL ? TT_EV_CANCEL_REJECTED
                                                : TT_EV_REJECTED;
        snprintf(ev->reason, sizeof ev->reason, "%.60s", self->paper.err);
    } else {
        ev->kind =
            it->kind == TT_INTENT_CANCEL ? TT_EV_CANCELLED : TT_EV_ACCEPTED;
    }
    return true;
}

static void s_reject_locally(tt_broker_ev_t *ev, const char *coid, int64_t now,
                             const char *reason)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = TT_EV_REJECTED;
    ev->code = S_LOCAL_REJECT;
    ev->ts = now;
    tt_order_copy_text(ev->coid, sizeof ev->coid, coid);
    tt_order_copy_text(ev->reason, sizeof ev->reason, reason);
}

/* Queues IT behind the orders waiting for the store, with the event time
   and trade it was decided after. -1 when the queue is full. */
static int s_queue(s_exec_t *self, const tt_intent_t *it)
{
    if (self->pending_n == S_PENDING)
        return -1;
    int slot = (self->pending_head + self->pending_n) % S_PENDING;
    self->pending[slot] =
        (s_pending_t){.it = *it, .ts = self->ctx_ts, .after = self->ctx_after};
    self->pending_n++;
    return 0;
}

/* Asks the bus to commit a new order before it is sent. Returns 0, or -1
   when too many already wait (the order is then rejected here). */
static int s_send_intent(tt_actor_t *actor, s_exec_t *self,
                         const tt_intent_t *it)
{
    if (s_queue(self, it) != 0)
        return -1;
    tt_evt_order_t ev = {.order = it->order,
                         .intent =
                             self->local_intents ? TT_EVT_INTENT_LOCAL : 1};
    if (it->kind == TT_INTENT_SUBMIT)
        tt_actor_latency(actor, self->on_signal ? TT_LATENCY_DECIDED
                                                : TT_LATENCY_DECIDED_OTHER);
    if (it->kind == TT_INTENT_REPLACE)
        tt_order_copy_text(ev.parent_coid, sizeof ev.parent_coid, it->old_coid);
    tt_actor_send_critical(actor, TT_ACTOR_BUS, TT_EVT_ORDER, &ev, sizeof ev);
    return 0;
}

static void s_catch_up(tt_actor_t *actor, s_exec_t *self, uint64_t after,
                       uint64_t min_seq);

/* Sends intents on: new orders through the store first (with a bus),
   cancels straight to the broker, whose answers go back to the book. */
static void s_apply(tt_actor_t *actor, s_exec_t *self,
                    const tt_intents_t *intents, int pass)
{
    tt_broker_ev_t events[TT_INTENTS_MAX];
    int count = 0;
    uint64_t first_seq = tt_paper_next_seq(&self->paper);
    uint64_t after = self->ctx_after;
    for (int i = 0; i < intents->n; i++) {
        const tt_intent_t *it = &intents->v[i];
        if (it->kind == TT_INTENT_REPLACE) /* now PENDING_REPLACE */
            s_order_event(actor, self, it->old_coid);
        if (self->bus && it->kind != TT_INTENT_CANCEL) {
            if (s_send_intent(actor, self, it) != 0)
                s_reject_locally(&events[count++], it->order.coid, self->ctx_ts,
                                 "too many orders awaiting the store");
            continue;
        }
        /* A cancel never overtakes the orders still waiting for the store:
           it may be for one of them. */
        if (self->pending_n && s_queue(self, it) == 0)
            continue;
        if (s_to_broker(actor, self, it, &events[count]))
            count++;
    }
    s_feed_events(actor, self, events, count, pass + 1);
    s_catch_up(actor, self, after, first_seq);
}

/* The bus committed (or refused) the oldest waiting intent: it goes to
   the broker in the event time it was decided in. */
static int s_on_intent_done(tt_actor_t *actor, s_exec_t *self,
                            const tt_intent_done_t *done)
{
    if (!self->pending_n ||
        strcmp(self->pending[self->pending_head].it.order.coid, done->coid)) {
        tt_error(tt_actor_path(actor),
                 "store answered for %s, which is not "
                 "the order waiting; ignored",
                 done->coid);
        return 0;
    }
    s_pending_t p = self->pending[self->pending_head];
    self->pending_head = (self->pending_head + 1) % S_PENDING;
    self->pending_n--;
    self->ctx_ts = p.ts;
    self->ctx_after = p.after;
    uint64_t seq = tt_paper_next_seq(&self->paper);
    tt_broker_ev_t ev;
    bool answered = true;
    if (done->status == 0)
        answered = s_to_broker(actor, self, &p.it, &ev);
    else
        s_reject_locally(&ev, p.it.order.coid, p.ts,
                         done->status > 0 ? "client order id already stored"
                                          : "the store could not record it");
    if (answered)
        s_feed_events(actor, self, &ev, 1, 0);
    s_catch_up(actor, self, p.after, seq);
    /* Cancels that waited behind it go now, in order. */
    while (self->pending_n &&
           self->pending[self->pending_head].it.kind == TT_INTENT_CANCEL) {
        p = self->pending[self->pending_head];
        self->pending_head = (self->pending_head + 1) % S_PENDING;
        self->pending_n--;
        self->ctx_ts = p.ts;
        self->ctx_after = p.after;
        if (s_to_broker(actor, self, &p.it, &ev))
            s_feed_events(actor, self, &ev, 1, 0);
    }
    return 0;
}

/* A fill in the log at info; its numbers are formatted only when the
   line is written (a backtest logs at warn). */
static void s_log_fill(tt_actor_t *actor, const s_exec_t *self,
                       const tt_fill_t *fill)
{
    if (tt_log_level() > TT_LOG_INFO)
        return;
    char qty[32], px[32];
    tt_decimal_format(fill->qty, self->sym->instrument.qty_decimals, qty,
                      sizeof qty);
    tt_decimal_format(fill->px, self->sym->instrument.px_decimals, px,
                      sizeof px);
    tt_info(tt_actor_path(actor), "fill %s %s %s @ %s", fill->coid,
            tt_side_name(fill->side), qty, px);
}

static void s_feed_events(tt_actor_t *actor, s_exec_t *self,
                          tt_broker_ev_t *events, int count, int pass)
{
    if (pass > S_PASSES) {
        tt_error(tt_actor_path(actor), "order events did not settle");
        return;
    }
    for (int i = 0; i < count; i++) {
        tt_intents_t more = {.n = 0};
        tt_book_result_t res;
        memset(&res, 0, sizeof res);
        if (events[i].kind == TT_EV_REJECTED ||
            events[i].kind == TT_EV_CANCEL_REJECTED)
            tt_exec_pf_on_reject(&self->pf, actor, &events[i]);
        const tt_order_t *old = s_replaced(self, events[i].coid);
        tt_ord_state_t was = old ? old->state : TT_OS_REPLACED;
        /* A repeat (a fill whose id the book has, an ack again) changed
           nothing: the store would only get another row of the same
           state. A restarted live symbol gets one whenever a gateway
           event held during the restore is also in the venue's
           reconciliation, which comes first. */
        int rc = tt_book_on_event(&self->book, &events[i], &more, &res);
        if (rc < 0) {
            tt_warn(tt_actor_path(actor), "order event refused: %s",
                    tt_book_error(&self->book));
        } else if (rc == 0) {
            s_replaced_event(actor, self, events[i].coid, was);
            if (events[i].code != S_LOCAL_REJECT)
                s_event_state(actor, self, &events[i], &res);
        }
        if (res.filled && self->bus) {
            tt_evt_fill_t ev = {.fill = res.fill,
                                .pos = *tt_book_position(&self->book)};
            tt_actor_send_critical(actor, TT_ACTOR_BUS, TT_EVT_FILL, &ev,
                                   sizeof ev);
        }
        if (res.filled) {
            atomic_store(&self->stats->last_fill_px, res.fill.px);
            atomic_fetch_add(&self->stats->fills, 1);
            s_log_fill(actor, self, &res.fill);
            if (res.delta.closed_trip) {
                tt_risk_on_trade_closed(&self->risk, res.delta.trip_net,
                                        res.fill.ts);
                tt_exec_pf_trade_closed(&self->pf, actor,
                                        tt_book_position(&self->book),
                                        res.fill.ts);
            }
            s_tell_strategy(actor, self, res.fill.ts);
        }
        if (more.n)
            s_apply(actor, self, &more, pass);
    }
    tt_exec_pf_sync(&self->pf, &self->book);
    s_publish(actor, self);
}

/* Restores the book and the paper broker from the store and feeds the
   book what reconciling them decided; the bracket then sends what is
   missing (a stop the broker never had). */
static int s_venue_restart(tt_actor_t *actor, s_exec_t *self)
{
    char err[200];
    if (tt_exec_venue_restore(actor, tt_actor_config(actor)->db_path,
                              &self->book, self->gateway, err,
                              sizeof err) < 0) {
        tt_actor_fail(actor, "warm restart: %s", err);
        return -1;
    }
    /* Until the gateway's answer, bounded in time: a quiet market may
       bring no input that would notice. */
    self->venue_sync = true;
    self->venue_sync_deadline = tt_actor_now(actor) + self->venue_sync_ns;
    s_timer_arm(actor, self);
    /* Already paused (the store answered late): it stays so until the
       gateway's answer, which a wait report would lift at the root. */
    if (self->venue_late)
        tt_info(tt_actor_path(actor), "the store answered the restart: the "
                                      "venue reconciles the restored orders, "
                                      "paused until it does");
    else
        tt_actor_report(actor, TT_REP_VENUE_WAIT);
    tt_exec_pf_sync(&self->pf, &self->book);
    s_publish(actor, self);
    return 0;
}

static void s_force_close(tt_actor_t *actor, s_exec_t *self, int32_t session,
                          int64_t ts);

/* Whether the venue's next session opened after the owed close's session
   ended, by NOW. Its open message normally drops the close (s_on_session),
   but one sent while the actor was down (a restart) never arrived, and
   one that arrived while the restarted actor held its inputs is still
   held behind this answer: the venue's calendar says it all the same. */
static bool s_owed_close_dropped(tt_actor_t *actor, s_exec_t *self, int64_t now)
{
    int32_t next = tt_exec_venue_opened_since(actor, self->close_ts, now);
    if (next)
        tt_info(tt_actor_path(actor),
                "session %d opened: the close owed since session %d "
                "ended is dropped",
                (int)next, (int)self->close_session);
    return next != 0;
}

/* The gateway reconciled the restored orders (or never answered): the
   bracket sends what it lacks now, and a close owed runs. */
static void s_venue_synced(tt_actor_t *actor, s_exec_t *self)
{
    self->venue_sync = false;
    s_timer_arm(actor, self);
    if (self->venue_late)
        tt_info(tt_actor_path(actor),
                "the venue reconciled the restored orders: trading again");
    self->venue_late = false;
    tt_actor_report(actor, TT_REP_VENUE_OK);
    tt_ns_t now = tt_actor_now(actor);
    self->ctx_ts = now;
    self->ctx_after = self->ticks;
    tt_intents_t intents = {.n = 0};
    if (tt_book_resync(&self->book, now, &intents) == 0 && intents.n)
        s_apply(actor, self, &intents, 0);
    /* A session end that came while the venue was late: on the book as
       the venue left it (flat if the stop filled meanwhile). Cleared in
       the actor's memory before the exit is decided: a restart from here
       on finds the exit in the store, never a close still owed. */
    bool owed = self->close_owed && !s_owed_close_dropped(actor, self, now);
    if (self->close_owed)
        s_owe_close(actor, self, false, 0, 0);
    if (owed && tt_book_busy(&self->book))
        s_force_close(actor, self, self->close_session, now);
    else if (owed)
        tt_info(tt_actor_path(actor),
                "session %d ended with its close owed: the venue left the "
                "position flat, nothing to close",
                (int)self->close_session);
    tt_exec_pf_sync(&self->pf, &self->book);
    s_publish(actor, self);
}

static int s_warm_restart(tt_actor_t *actor, s_exec_t *self)
{
    if (self->live)
        return s_venue_restart(actor, self);
    tt_recon_events_t *events = malloc(sizeof *events);
    char err[200];
    tt_ns_t now = tt_actor_now(actor);
    if (!events ||
        tt_exec_reconcile(actor, tt_actor_config(actor)->db_path, &self->book,
                          &self->paper, now, events, err, sizeof err) != 0) {
        tt_actor_fail(actor, "warm restart: %s",
                      events ? err : "out of memory");
        free(events);
        return -1;
    }
    self->ctx_ts = now;
    s_feed_events(actor, self, events->v, events->n, 0);
    free(events);
    tt_intents_t intents = {.n = 0};
    if (tt_book_resync(&self->book, now, &intents) == 0 && intents.n)
        s_apply(actor, self, &intents, 0);
    tt_exec_pf_sync(&self->pf, &self->book);
    s_publish(actor, self);
    tt_exec_paper_save(actor, &self->saver, &self->paper, now);
    return 0;
}

/* The last trade before T: the one a decision taken at T comes after. */
static uint64_t s_trade_before(const s_exec_t *self, int64_t t)
{
    uint64_t oldest = self->ticks > S_RING ? self->ticks - S_RING : 0;
    uint64_t i = self->ticks;
    while (i > oldest && self->ring[(i - 1) % S_RING].ts >= t)
        i--;
    return i;
}

/* While the venue has not reconciled the restored orders, the risk
   manager refuses entries (the symbol is paused) but lets exits and stop
   moves through, as they reduce risk on a book that is right. Here the
   book may be wrong (a stop that filled while we were down: a market
   exit would open the other way), so they are refused too. */
static bool s_venue_refuses(tt_actor_t *actor, s_exec_t *self,
                            const tt_signal_t *sig)
{
    if (!self->venue_late || sig->kind == TT_SIG_ENTER_LONG ||
        sig->kind == TT_SIG_ENTER_SHORT)
        return false;
    tt_risk_decision_t d = {.reason = TT_RISK_PAUSED};
    snprintf(d.text, sizeof d.text,
             "%s not sent: the venue has not reconciled the restored orders",
             sig->kind == TT_SIG_EXIT ? "exit" : "stop move");
    tt_warn(tt_actor_path(actor), "%s", d.text);
    atomic_fetch_add(&self->stats->rejects, 1);
    tt_exec_send_rejection(actor, (int32_t)sig->kind, &d, sig->ts);
    return true;
}

static int s_on_signal(tt_actor_t *actor, s_exec_t *self,
                       const tt_signal_t *sig)
{
    if (tt_actor_now(actor) - sig->ts > self->max_signal_age_ns ||
        sig->ts < self->trade_from)
        return 0; /* from the warm-up history */
    if (s_venue_refuses(actor, self, sig))
        return 0;
    self->ctx_ts = sig->ts;
    self->ctx_after = s_trade_before(self, sig->ts);
    const tt_position_t *pos = tt_book_position(&self->book);
    tt_portfolio_snap_t pf;
    tt_exec_pf_snap(&self->pf, self->equity, pos, &pf);
    tt_symbol_view_t view = {
        .paused = tt_actor_paused(actor) || self->venue_late,
        .warm = self->warm,
        .busy = tt_book_busy(&self->book),
        .unprotected = tt_book_unprotected_since(&self->book) != 0};
    tt_risk_decision_t decision;
    if (tt_risk_check(&self->risk, sig, &pf, &view, sig->ts, &decision) != 0) {
        atomic_fetch_add(&self->stats->rejects, 1);
        tt_debug(tt_actor_path(actor), "signal refused: %s", decision.text);
        if (self->bus) { /* information, not trading: droppable */
            tt_evt_rejection_t ev = {.ts = sig->ts,
                                     .kind = (int32_t)sig->kind,
                                     .reason = (int32_t)decision.reason};
            snprintf(ev.text, sizeof ev.text, "%.119s", decision.text);
            tt_actor_send(actor, TT_ACTOR_BUS, TT_EVT_REJECTION, &ev,
                          sizeof ev);
        }
        return 0;
    }
    if (decision.qty > 0 &&
        tt_exec_pf_reserve(&self->pf, sig, decision.qty, sig->ts, &decision)) {
        atomic_fetch_add(&self->stats->rejects, 1);
        tt_exec_send_rejection(actor, (int32_t)sig->kind, &decision, sig->ts);
        return 0;
    }
    tt_intents_t intents = {.n = 0};
    if (tt_book_on_signal(&self->book, sig, decision.qty, sig->ts, &intents) <
        0) {
        tt_debug(tt_actor_path(actor), "book refused the signal: %s",
                 tt_book_error(&self->book));
        tt_exec_pf_sync(&self->pf, &self->book); /* frees a reservation */
        return 0;
    }
    s_apply(actor, self, &intents, 0);
    return 0;
}

/* A paper broker event in the book's terms. */
static void s_paper_event(const tt_paper_event_t *in, tt_broker_ev_t *out)
{
    memset(out, 0, sizeof *out);
    out->kind = in->kind == TT_PAPER_FILL ? TT_EV_FILL : TT_EV_EXPIRED;
    tt_order_copy_text(out->coid, sizeof out->coid, in->coid);
    tt_order_copy_text(out->fill_id, sizeof out->fill_id, in->fill_id);
    out->ts = in->ts;
    out->px = in->px;
    out->qty = in->qty;
    out->fee = in->fee;
}

/* One trade against the resting orders that arrived as MIN_SEQ or later
   (0: all), then the marks (trailing stops, breakeven) at its price. */
static void s_trade(tt_actor_t *actor, s_exec_t *self, const tt_tick_t *tick,
                    uint64_t index, uint64_t min_seq, bool mark)
{
    tt_paper_event_t paper[TT_PAPER_EVENTS_MAX];
    tt_broker_ev_t events[TT_PAPER_EVENTS_MAX];
    self->ctx_ts = tick->ts;
    self->ctx_after = index;
    int count = tt_paper_on_tick_since(&self->paper, tick, min_seq, paper,
                                       TT_PAPER_EVENTS_MAX);
    for (int i = 0; i < count; i++)
        s_paper_event(&paper[i], &events[i]);
    if (count > 0)
        s_feed_events(actor, self, events, count, 0);
    if (!mark)
        return;
    /* Not zeroed: 4 KiB a trade; the book fills each intent it adds. */
    tt_intents_t intents;
    intents.n = 0;
    if (tt_book_on_mark(&self->book, tick->price, tick->ts, &intents) == 0 &&
        intents.n)
        s_apply(actor, self, &intents, 0);
}

/* Orders from MIN_SEQ on reached the broker after trades AFTER+1..last had
   been matched: they meet those trades now, in order, and so does what
   they cause (brackets of an entry that fills here). Marks are replayed
   only for a position this catch-up opened: an older one saw them. */
static void s_catch_up(tt_actor_t *actor, s_exec_t *self, uint64_t after,
                       uint64_t min_seq)
{
    if (self->catching_up || after >= self->ticks ||
        min_seq >= tt_paper_next_seq(&self->paper))
        return;
    uint64_t oldest = self->ticks > S_RING ? self->ticks - S_RING : 0;
    if (after < oldest) {
        if (self->ring_misses++ == 0)
            tt_warn(tt_actor_path(actor),
                    "an order arrived %llu trades after its decision, more "
                    "than the %d kept: it skips the oldest",
                    (unsigned long long)(self->ticks - after), S_RING);
        after = oldest;
    }
    int64_t ts = self->ctx_ts;
    uint64_t ctx = self->ctx_after;
    bool mark = tt_book_position(&self->book)->qty == 0;
    self->catching_up = true;
    for (uint64_t i = after + 1; i <= self->ticks; i++)
        s_trade(actor, self, &self->ring[(i - 1) % S_RING], i, min_seq, mark);
    self->catching_up = false;
    self->ctx_ts = ts;
    self->ctx_after = ctx;
}

static int s_on_ticks(tt_actor_t *actor, s_exec_t *self,
                      const tt_tick_batch_t *batch)
{
    for (uint32_t t = 0; t < batch->count; t++) {
        const tt_tick_t *tick = &batch->ticks[t];
        self->ring[self->ticks % S_RING] = *tick;
        self->ticks++;
        s_trade(actor, self, tick, self->ticks, 0,
                !self->venue_sync && !self->venue_late);
        self->last_px = tick->price;
        if (self->tell_pos) {
            self->tell_pos = false;
            s_tell_strategy(actor, self, tick->ts);
        }
        if (self->flatten) {
            self->flatten = false;
            tt_warn(tt_actor_path(actor),
                    "restored position without its "
                    "protective orders: closing it at the market");
            tt_signal_t exit = {.kind = TT_SIG_EXIT, .ts = tick->ts};
            tt_intents_t intents = {.n = 0};
            if (tt_book_on_signal(&self->book, &exit, 0, exit.ts, &intents) ==
                0)
                s_apply(actor, self, &intents, 0);
        }
    }
    return 0;
}

/* The venue's day ended at TS: the paper broker's DAY orders expire, as a
   stock venue's do at the close (before a force-close, which then finds
   them gone). A 24/7 calendar's UTC midnight is no close: there DAY
   orders live on, as at a crypto venue, which has no DAY time in force. */
static void s_paper_day_ends(tt_actor_t *actor, s_exec_t *self, int64_t ts)
{
    tt_paper_event_t paper[TT_PAPER_ORDERS];
    tt_broker_ev_t events[TT_PAPER_ORDERS];
    int count = tt_paper_end_session(&self->paper, ts, paper, TT_PAPER_ORDERS);
    if (count <= 0)
        return;
    tt_info(tt_actor_path(actor), "session ended: %d DAY order(s) expired",
            count);
    self->ctx_ts = ts;
    self->ctx_after = s_trade_before(self, ts);
    for (int i = 0; i < count; i++)
        s_paper_event(&paper[i], &events[i]);
    s_feed_events(actor, self, events, count, 0);
}

/* The book's exit for the position, at the market, decided at TS for
   the end of SESSION. */
static void s_force_close(tt_actor_t *actor, s_exec_t *self, int32_t session,
                          int64_t ts)
{
    tt_info(tt_actor_path(actor), "session %d ended: closing the position",
            (int)session);
    self->ctx_ts = ts;
    self->ctx_after = s_trade_before(self, ts);
    tt_signal_t exit = {
        .kind = TT_SIG_EXIT, .ts = ts, .reason = "end of session"};
    tt_intents_t intents = {.n = 0};
    if (tt_book_on_signal(&self->book, &exit, 0, ts, &intents) == 0)
        s_apply(actor, self, &intents, 0);
}

/* The clock actor: a session opened (daily risk state resets) or ended
   (a strategy that force-closes gets its orders cancelled and its
   position closed at the market). While the venue has not reconciled
   the restored orders, the book's view of them may be wrong (a stop
   that filled while we were down: a market exit would open the other
   way), so the close waits for the gateway's answer (s_venue_synced);
   the next session's open drops it, as that day trades as usual. */
static int s_on_session(tt_actor_t *actor, s_exec_t *self,
                        const tt_session_msg_t *m)
{
    if (m->kind == TT_SESSION_OPEN) {
        tt_risk_new_session(&self->risk, (uint64_t)m->session_id, m->ts);
        if (self->close_owed) {
            tt_info(tt_actor_path(actor),
                    "session %d opened: the close owed since session %d "
                    "ended is dropped",
                    (int)m->session_id, (int)self->close_session);
            s_owe_close(actor, self, false, 0, 0);
        }
        return 0;
    }
    if (!self->live && !m->seamless)
        s_paper_day_ends(actor, self, m->ts);
    if (!m->force_close || !tt_book_busy(&self->book))
        return 0;
    if (self->venue_late) {
        /* Owed by the next instance too, and by the next start. */
        s_owe_close(actor, self, true, m->session_id, m->ts);
        tt_warn(tt_actor_path(actor),
                "session %d ended: position not closed: the venue has not "
                "reconciled the restored orders; it closes once it does",
                (int)m->session_id);
        return 0;
    }
    s_force_close(actor, self, m->session_id, m->ts);
    return 0;
}

/* An answer of the venue's broker gateway: the paper broker's path. */
static int s_on_gateway(tt_actor_t *actor, s_exec_t *self,
                        const tt_broker_ev_t *in)
{
    tt_broker_ev_t ev = *in;
    if (tt_exec_broker_check(&ev) != 0) {
        tt_error(tt_actor_path(actor), "malformed broker event ignored");
        return 0;
    }
    if (ev.kind == TT_EV_RECONCILED && ev.coid[0]) {
        tt_exec_venue_note(actor, &ev);
        return 0;
    }
    if (ev.kind == TT_EV_RECONCILED) {
        if (self->venue_sync)
            s_venue_synced(actor, self);
        return 0;
    }
    self->ctx_ts = ev.ts;
    self->ctx_after = self->ticks;
    s_feed_events(actor, self, &ev, 1, 0);
    return 0;
}

static int s_input(tt_actor_t *actor, s_exec_t *self, const tt_msg_t *msg)
{
    switch (msg->hdr.type) {
    case TT_MSG_SIGNAL: {
        self->on_signal = true;
        int rc = s_on_signal(actor, self, &msg->body.signal);
        self->on_signal = false;
        return rc;
    }
    case TT_MSG_TICKS:
        return s_on_ticks(actor, self, &msg->body.ticks);
    case TT_MSG_SESSION:
        return s_on_session(actor, self, &msg->body.session);
    case TT_MSG_WARMTH:
        self->warm = msg->body.warmth.warm != 0;
        return 0;
    case TT_MSG_BROKER_EVENT:
        return s_on_gateway(actor, self, &msg->body.broker_ev);
    default:
        tt_actor_fail(actor, "unexpected message type %u", msg->hdr.type);
        return -1;
    }
}

/* Holds MSG until no order waits for the store. The commit is part of
   handling the input that caused the order: what arrives meanwhile is
   handled after it, in arrival order, so how long the store took never
   changes what the book decides (a backtest is the same run every time).
   Allocates only while an order waits, not per trade. */
static int s_defer(tt_actor_t *actor, s_exec_t *self, const tt_msg_t *msg)
{
    size_t size = offsetof(s_deferred_t, msg.body) + msg->hdr.len;
    s_deferred_t *d = malloc(size);
    if (!d) {
        tt_actor_fail(actor, "out of memory holding an input");
        return -1;
    }
    memcpy(&d->msg, msg, sizeof msg->hdr + msg->hdr.len);
    d->next = NULL;
    if (self->deferred_tail)
        self->deferred_tail->next = d;
    else
        self->deferred = d;
    self->deferred_tail = d;
    self->deferred_n++;
    return 0;
}

/* Inputs wait for the venue's reconciliation only until its bound. */
static bool s_venue_holds(const s_exec_t *self)
{
    return self->venue_sync && !self->venue_late;
}

/* Inputs wait for the store's answer to a restart: a live symbol's only
   until the bound on held inputs (s_venue_late). */
static bool s_restore_holds(const s_exec_t *self)
{
    return self->restoring && !self->venue_late;
}

/* The venue has not reconciled the restored orders within its bound
   (WHAT: the time or the held inputs), or, restoring, the store has not
   even answered the restart, so they are not restored yet: the symbol
   trades nothing on an unknown state. Its supervisor pauses it ("venue
   not reconciled") until the gateway's answer; inputs are handled as
   they come meanwhile (the book follows the market, the risk manager
   refuses every signal). A restore still runs on the store's answer. */
static void s_venue_late(tt_actor_t *actor, s_exec_t *self, const char *what)
{
    self->venue_late = true;
    if (self->restoring)
        tt_warn(tt_actor_path(actor),
                "the store has not answered the restart (%s bound passed): "
                "the open orders are not restored and the venue's state is "
                "unknown, so the position is not closed at the market; "
                "paused until the store answers and the venue reconciles "
                "the orders",
                what);
    else
        tt_warn(tt_actor_path(actor),
                "the venue's gateway has not reconciled the restored orders "
                "(%s bound passed): paused until it does",
                what);
    tt_actor_report(actor, TT_REP_VENUE_LATE);
}
/* A paper symbol's store has not answered the restart within the bound
   (WHAT: the time or the held inputs): its broker's state is ours, so
   the restored position is closed at the market on the next trade, and
   the inputs are handled from now on (the held ones first, in order). */
static void s_store_gave_up(tt_actor_t *actor, s_exec_t *self, const char *what)
{
    self->restoring = false;
    self->flatten = tt_book_position(&self->book)->qty != 0;
    s_timer_arm(actor, self);
    tt_warn(tt_actor_path(actor),
            "the store did not answer the restart (%s bound passed): its "
            "orders are not restored",
            what);
    tt_actor_report(actor, TT_REP_STORE_OK);
}

/* The held inputs, until one of them makes an order wait again. */
static int s_resume(tt_actor_t *actor, s_exec_t *self)
{
    if (!self->deferred)
        self->defer_warned = false;
    while (self->deferred && !self->pending_n && !s_restore_holds(self) &&
           !s_venue_holds(self)) {
        s_deferred_t *d = self->deferred;
        self->deferred = d->next;
        if (!self->deferred)
            self->deferred_tail = NULL;
        self->deferred_n--;
        /* A held input acts for its own cause (runtime/latency.h). */
        int64_t origin = tt_origin_get();
        tt_origin_set(d->msg.hdr.origin_ns);
        int rc = s_input(actor, self, &d->msg);
        tt_origin_set(origin);
        free(d);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* An input that may have to wait (for the store, or for the venue), up
   to the bound on held inputs. Past it, a live symbol does not close
   blind on the store's view: it is paused (s_venue_late) and keeps
   waiting for the store's answer, the held inputs handled first, in
   order; the paper broker's position, whose state is ours, is closed
   at the market. */
static int s_hold_or_handle(tt_actor_t *actor, s_exec_t *self,
                            const tt_msg_t *msg)
{
    if ((s_venue_holds(self) || s_restore_holds(self)) &&
        self->deferred_n >= S_DEFER_MAX) {
        if (s_restore_holds(self) && !self->venue_restore)
            s_store_gave_up(actor, self, "held inputs");
        else
            s_venue_late(actor, self, "held inputs");
        int rc = s_resume(actor, self);
        if (rc != 0)
            return rc;
    }
    bool hold = self->pending_n || self->deferred || s_restore_holds(self) ||
                s_venue_holds(self);
    if (hold && self->deferred_n < S_DEFER_MAX)
        return s_defer(actor, self, msg);
    if (hold && !self->defer_warned) {
        self->defer_warned = true;
        tt_warn(tt_actor_path(actor),
                "the store has not answered while %d inputs came: handling "
                "them as they come",
                S_DEFER_MAX);
    }
    return s_input(actor, self, msg);
}

static int s_dispatch(tt_actor_t *actor, s_exec_t *self, const tt_msg_t *msg)
{
    if (msg->hdr.type == TT_MSG_DRAIN) { /* never held: it is no input */
        self->stopping = true;
        return 0;
    }
    if (msg->hdr.type == TT_MSG_INTENT_DONE && self->restoring) {
        if (msg->body.done.coid[0]) /* for the previous instance */
            return 0;
        self->restoring = false;
        tt_actor_report(actor, TT_REP_STORE_OK);
        if (!self->live) /* a live one's timer goes on for the venue */
            s_timer_arm(actor, self);
        if (s_warm_restart(actor, self) != 0)
            return -1;
        return s_resume(actor, self);
    }
    if (msg->hdr.type == TT_MSG_INTENT_DONE) {
        s_on_intent_done(actor, self, &msg->body.done);
        return s_resume(actor, self);
    }
    if (msg->hdr.type == TT_MSG_BROKER_EVENT && self->venue_sync) {
        int rc = s_input(actor, self, msg); /* the reconciliation itself */
        return rc != 0 ? rc : s_resume(actor, self);
    }
    /* Tick to signal: as the signal arrives, before any hold; only those
       of the live market (s_on_signal's test). */
    if (msg->hdr.type == TT_MSG_SIGNAL &&
        tt_actor_now(actor) - msg->body.signal.ts <= self->max_signal_age_ns &&
        msg->body.signal.ts >= self->trade_from)
        tt_actor_latency(actor, TT_LATENCY_SIGNAL);
    return s_hold_or_handle(actor, self, msg);
}

/* Whether COID, or its replacement, waits for the store (then nothing
   was sent for it). */
static bool s_pending_has(const s_exec_t *self, const char *coid)
{
    for (int i = 0; i < self->pending_n; i++) {
        const tt_intent_t *it =
            &self->pending[(self->pending_head + i) % S_PENDING].it;
        if (!strcmp(it->order.coid, coid) ||
            (it->kind == TT_INTENT_REPLACE && !strcmp(it->old_coid, coid)))
            return true;
    }
    return false;
}

/* A live symbol's requests its gateway took and the venue has not
   answered: an order still NEW, a cancel or a replace asked. Each is in
   the gateway's queue or on the wire. Counted once the venue has
   reconciled a restart (before, the restored orders are the gateway's
   question, not ours). When ACTOR is not NULL, each is named in its log
   (the actor stops without the answer). Returns how many. */
static int s_unanswered(tt_actor_t *actor, const s_exec_t *self)
{
    if (!self->live || self->venue_sync)
        return 0;
    int n = 0;
    for (int i = 0; i < TT_BOOK_ORDERS; i++) {
        const tt_order_t *o = &self->book.orders[i];
        if (!self->book.used[i] ||
            (o->state != TT_OS_NEW && o->state != TT_OS_PENDING_CANCEL &&
             o->state != TT_OS_PENDING_REPLACE) ||
            s_pending_has(self, o->coid))
            continue;
        n++;
        if (actor)
            tt_warn(tt_actor_path(actor),
                    "%s %s sent, no answer from the venue when the actor "
                    "stopped: the next start asks the venue for it",
                    o->state == TT_OS_NEW              ? "order"
                    : o->state == TT_OS_PENDING_CANCEL ? "cancel of"
                                                       : "replace of",
                    o->coid);
    }
    return n;
}

/* A stopping service waits for its execution actors (supervisor/root.c):
   one has finished once no order waits for the bus, a live symbol's
   requests have the venue's answer, and no held input could still
   decide one. Inputs held for a venue that has not answered decide
   nothing before the stop. */
static void s_check_drained(tt_actor_t *actor, s_exec_t *self)
{
    if (!self->stopping || self->drained || self->pending_n ||
        s_restore_holds(self) || (self->deferred && !s_venue_holds(self)) ||
        s_unanswered(NULL, self) > 0)
        return;
    self->drained = true;
    tt_actor_report(actor, TT_REP_DRAINED);
}

/* Every change of the paper broker's state is saved, after the order and
   fill events that go with it. */
static int s_handle_one(tt_actor_t *actor, s_exec_t *self, const tt_msg_t *msg)
{
    int rc = s_dispatch(actor, self, msg);
    if (rc == 0)
        s_check_drained(actor, self);
    /* Until a restarted actor has its broker back, its empty one must
       not overwrite the saved state. */
    if (self->persist && !self->restoring)
        tt_exec_paper_save(actor, &self->saver, &self->paper, self->ctx_ts);
    return rc;
}

/* A backtest answers its intents here, each as the bus's TT_MSG_INTENT_DONE
   (status 0) would have, oldest first, right after the input that sent
   them and before any other: the order the held inputs give anyway,
   without a wake-up of the bus and of this worker in between. The bus
   still stores each intent before the updates that follow it. */
static int s_handle(tt_actor_t *actor, void *state, const tt_msg_t *msg)
{
    s_exec_t *self = state;
    int rc = s_handle_one(actor, self, msg);
    while (rc == 0 && self->local_intents && self->pending_n &&
           !self->restoring) {
        /* Only the header and the answer are set: zeroing a whole
           tt_msg_t (1 KiB) per order had been most of the actor's
           memset. */
        tt_msg_t done;
        done.hdr = (tt_msg_hdr_t){.to = tt_actor_id(actor),
                                  .from = TT_ACTOR_BUS,
                                  .type = TT_MSG_INTENT_DONE,
                                  .len = sizeof(tt_intent_done_t),
                                  .origin_ns = msg->hdr.origin_ns};
        memset(&done.body.done, 0, sizeof done.body.done);
        tt_order_copy_text(done.body.done.coid, sizeof done.body.done.coid,
                           self->pending[self->pending_head].it.order.coid);
        rc = s_handle_one(actor, self, &done);
    }
    return rc;
}

/* The orders that still waited for the bus as the actor went down: none
   of them was sent (the bus never confirmed it), and each is named, as
   a restart expires the ones the store did record ("unknown to
   broker"). */
static void s_log_unsent(tt_actor_t *actor, const s_exec_t *self)
{
    for (int i = 0; i < self->pending_n; i++) {
        const tt_intent_t *it =
            &self->pending[(self->pending_head + i) % S_PENDING].it;
        tt_warn(tt_actor_path(actor),
                "%s %s not sent: the store had not confirmed it when the "
                "actor stopped",
                it->kind == TT_INTENT_CANCEL ? "cancel of" : "order",
                it->order.coid);
    }
}

/* A stop or exit the broker refused for a reason that passes goes again
   once its wait is over (orders/book_guard.c), at NOW: not while the
   book waits for the store or the venue, nor on a venue's state that
   is not reconciled. One sent and still unanswered at its bound makes
   the position bare then (reported by s_publish); nothing is sent for
   it. */
static void s_retry_due(tt_actor_t *actor, s_exec_t *self, int64_t now)
{
    tt_ns_t at = tt_book_due_at(&self->book);
    tt_ns_t answer = tt_book_answer_due(&self->book);
    if (self->restoring || self->venue_sync || self->venue_late ||
        !((at && now >= at) || (answer && now >= answer)))
        return;
    self->ctx_ts = now;
    self->ctx_after = self->ticks;
    tt_intents_t intents;
    intents.n = 0;
    if (tt_book_on_time(&self->book, now, &intents) != 0)
        tt_warn(tt_actor_path(actor), "retry of a refused order: %s",
                tt_book_error(&self->book));
    if (intents.n)
        s_apply(actor, self, &intents, 0);
    tt_exec_pf_sync(&self->pf, &self->book);
    s_publish(actor, self);
}

/* A refused stop or exit due again; while a live symbol waits for its
   venue, or a symbol for the store's answer to its restart: the time
   bound. */
static int s_timer(tt_actor_t *actor, void *state, int64_t now_ns)
{
    s_exec_t *self = state;
    s_retry_due(actor, self, now_ns);
    if (!(s_venue_holds(self) || s_restore_holds(self)) ||
        now_ns < self->venue_sync_deadline)
        return 0;
    if (s_restore_holds(self) && !self->venue_restore)
        s_store_gave_up(actor, self, "time");
    else
        s_venue_late(actor, self, "time");
    int rc = s_resume(actor, self);
    if (rc == 0)
        s_check_drained(actor, self);
    return rc;
}

static void s_destroy(tt_actor_t *actor, void **state_p)
{
    s_exec_t *self = *state_p;
    if (self) {
        s_log_unsent(actor, self);
        s_unanswered(actor, self);
        tt_exec_paper_saver_fini(&self->saver);
    }
    while (self && self->deferred) {
        s_deferred_t *d = self->deferred;
        self->deferred = d->next;
        free(d);
    }
    free(self);
    *state_p = NULL;
}

_Static_assert(sizeof(tt_exec_memory_t) <= TT_ACTOR_MEMORY_MAX,
               "the execution actor's memory outgrows the runtime's");

/* SYM's memory from STORE: its next order sequence, its position and
   the close a session end owed it. 0 or -1 (logged). */
static int s_memory_of(tt_store_t *store, const tt_symbol_cfg_t *sym,
                       tt_exec_memory_t *mem)
{
    int found, owed;
    int32_t session = 0;
    tt_ns_t end = 0;
    if (tt_store_order_seq_get(store, sym->name, &mem->next_seq) != 0 ||
        (found = tt_store_position_get(store, sym->name, &mem->pos)) < 0 ||
        (owed = tt_store_owed_close_get(store, sym->name, &session, &end)) <
            0) {
        tt_error("root", "restore %s: %s", sym->name, tt_store_error(store));
        return -1;
    }
    if (found == 1)
        tt_position_init(&mem->pos, sym->instrument.qty_decimals);
    if (owed == 0) {
        mem->close_owed = 1;
        mem->close_session = session;
        mem->close_ts = end;
        tt_info(sym->name, "restored: the close owed since session %d ended",
                (int)session);
    }
    return 0;
}

int tt_exec_memory_restore(tt_runtime_t *rt, const char *path)
{
    char err[256];
    tt_store_t *store = tt_store_open(path, NULL, err, sizeof err);
    if (!store) {
        tt_error("root", "restore: %s", err);
        return -1;
    }
    const tt_config_t *cfg = tt_runtime_config(rt);
    int rc = 0;
    for (size_t i = 0; i < cfg->symbol_count && rc == 0; i++) {
        const tt_symbol_cfg_t *sym = &cfg->symbols[i];
        tt_exec_memory_t mem = {.next_seq = 1, .fresh = 1};
        if (s_memory_of(store, sym, &mem) != 0) {
            rc = -1;
            break;
        }
        tt_actor_entry_t *entry = tt_runtime_actor(
            rt, tt_runtime_actor_id((int)i, TT_ROLE_EXECUTION));
        memcpy(entry->memory, &mem, sizeof mem);
        entry->memory_len = sizeof mem;
        if (mem.pos.qty != 0 || mem.next_seq > 1)
            tt_info(sym->name, "restored: next order #%llu, position %lld",
                    (unsigned long long)mem.next_seq, (long long)mem.pos.qty);
    }
    tt_store_close(&store);
    return rc;
}

const tt_behaviour_t tt_execution_behaviour = {.name = "execution",
                                               .init = s_start,
                                               .handle = s_handle,
                                               .timer = s_timer,
                                               .destroy = s_destroy};
