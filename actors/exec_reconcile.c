/*  actors/exec_reconcile.c: the warm restart of a symbol's execution
    actor against the paper broker's saved state, and the saving of that
    state (see exec_reconcile.h). Runs on the symbol's worker. The plan
    is pure (tt_recon_plan); applying it restores the book and sends
    the reconciliation's events to the bus, which records them. */
#include "actors/exec_reconcile.h"
#include "orders/money.h"
#include "runtime/log.h"
#include "venues/paper/paper_state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_BUSY_MS 2000 /* wait for the bus's own writes, at most */
#define S_OPEN_MAX 64  /* open orders of one symbol read at a restart */
#define S_REASON "unknown to broker"

static int s_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int s_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- the plan -------------------------------------------------------- */

static tt_recon_item_t *s_item(tt_recon_plan_t *out, int32_t action,
                               const tt_order_t *order, const char *reason)
{
    if (out->n == TT_RECON_MAX)
        return NULL;
    tt_recon_item_t *it = &out->v[out->n++];
    memset(it, 0, sizeof *it);
    it->action = action;
    it->order = *order;
    snprintf(it->reason, sizeof it->reason, "%s", reason);
    return it;
}

/* The fills P made that the store's order (FILLED, FEES) lacks, as one
   fill at the broker's latest fill price. */
static int s_adopt_fill(tt_recon_plan_t *out, const tt_order_t *order,
                        const tt_paper_order_t *p, tt_ns_t now)
{
    tt_recon_item_t *it =
        s_item(out, TT_RECON_ADOPT_FILL, order, "filled at the broker");
    if (!it)
        return -1;
    tt_broker_ev_t *ev = &it->ev;
    ev->kind = TT_EV_FILL;
    snprintf(ev->coid, sizeof ev->coid, "%s", p->coid);
    snprintf(ev->fill_id, sizeof ev->fill_id, "%s:%u", p->coid, p->fills);
    ev->ts = now;
    ev->px = p->last_px;
    ev->qty = p->filled - order->filled;
    ev->fee = p->fees > order->fees ? p->fees - order->fees : 0;
    return 0;
}

/* True when a live order of STORED replaces SEQ and rests at PAPER. */
static bool s_replacement_rests(const tt_store_order_t *stored, int n,
                                uint64_t seq, const tt_paper_t *paper)
{
    for (int i = 0; i < n; i++)
        if (stored[i].order.replaces == seq &&
            tt_paper_find(paper, stored[i].order.coid))
            return true;
    return false;
}

/* True when the order of STORED with seq SEQ rests at PAPER. */
static bool s_seq_rests(const tt_store_order_t *stored, int n, uint64_t seq,
                        const tt_paper_t *paper)
{
    for (int i = 0; seq && i < n; i++)
        if (stored[i].order.seq == seq &&
            tt_paper_find(paper, stored[i].order.coid))
            return true;
    return false;
}

/* An open order of the store the broker does not know. A pending
   replace whose replacement rests was replaced; a replacement whose
   predecessor still rests never reached the broker and is expired
   directly (the book keeps working the predecessor); any other goes
   through the book, which sends a lost stop or target again. */
static int s_plan_missing(const tt_store_order_t *stored, int n, int i,
                          const tt_paper_t *paper, tt_ns_t now,
                          tt_recon_plan_t *out)
{
    tt_order_t o = stored[i].order;
    if (o.state == TT_OS_PENDING_REPLACE &&
        s_replacement_rests(stored, n, o.seq, paper)) {
        o.state = TT_OS_REPLACED;
        o.updated_ts = now;
        return s_item(out, TT_RECON_REPLACED, &o, "replaced at the broker")
                   ? 0
                   : -1;
    }
    tt_recon_item_t *it = s_item(out, TT_RECON_RESOLVE, &o, S_REASON);
    if (!it)
        return -1;
    it->direct = s_seq_rests(stored, n, o.replaces, paper);
    if (it->direct) {
        it->order.state = TT_OS_EXPIRED;
        it->order.updated_ts = now;
        snprintf(it->order.reason, sizeof it->order.reason, "%s", S_REASON);
    }
    it->ev.kind = TT_EV_EXPIRED;
    snprintf(it->ev.coid, sizeof it->ev.coid, "%s", o.coid);
    snprintf(it->ev.reason, sizeof it->ev.reason, "%s", S_REASON);
    it->ev.ts = now;
    return 0;
}

/* One open order of the store against the broker. */
static int s_plan_stored(const tt_store_order_t *stored, const uint32_t *fills,
                         int n, int i, const tt_paper_t *paper, tt_ns_t now,
                         tt_recon_plan_t *out)
{
    tt_order_t o = stored[i].order;
    const tt_paper_order_t *p = tt_paper_find(paper, o.coid);
    if (!p)
        return s_plan_missing(stored, n, i, paper, now, out);
    tt_recon_item_t *it;
    if (p->filled < o.filled) {
        if (!(it = s_item(out, TT_RECON_BROKER_BEHIND, &o,
                          "the store has fills the broker's state lacks")))
            return -1;
        it->store_fills = fills[i];
    }
    int32_t action = 0;
    const char *why = "store and broker agree";
    if (o.state == TT_OS_PENDING_CANCEL || o.state == TT_OS_PENDING_REPLACE) {
        o.state = o.filled > 0 ? TT_OS_PARTIALLY_FILLED : TT_OS_ACCEPTED;
        o.updated_ts = now;
        action = TT_RECON_ADOPT_STATE;
        why = "working at the broker: the cancel or replace never reached it";
    } else if (o.state == TT_OS_NEW) {
        action = TT_RECON_ADOPT_STATE;
        why = "working at the broker: acknowledged";
    }
    if (!(it = s_item(out, action, &o, why)))
        return -1;
    if (o.state == TT_OS_NEW) { /* acknowledged through the book */
        it->ev = (tt_broker_ev_t){.kind = TT_EV_ACCEPTED, .ts = now};
        snprintf(it->ev.coid, sizeof it->ev.coid, "%s", o.coid);
    }
    return p->filled > o.filled ? s_adopt_fill(out, &o, p, now) : 0;
}

/* One resting order of the broker the store's open orders lack. */
static int s_plan_resting(const char *symbol, const tt_paper_order_t *p,
                          tt_recon_lookup_fn *lookup, void *arg, tt_ns_t now,
                          tt_recon_plan_t *out, char *err, size_t errlen)
{
    tt_order_t o = {.side = p->side,
                    .type = p->type,
                    .tif = p->tif,
                    .qty = p->qty,
                    .limit_px = p->limit_px,
                    .stop_px = p->stop_px,
                    .state = TT_OS_NEW,
                    .created_ts = now,
                    .updated_ts = now};
    snprintf(o.coid, sizeof o.coid, "%s", p->coid);
    tt_ord_state_t state;
    uint32_t fills = 0;
    int known = lookup(p->coid, &state, &fills, arg);
    if (known < 0)
        return s_err(err, errlen, "asking the store about %s failed", p->coid);
    char why[96];
    char coid[TT_COID_MAX + 1];
    if (known) {
        snprintf(why, sizeof why, "%s in the store", tt_ord_state_name(state));
        return s_item(out, TT_RECON_CANCEL_AT_BROKER, &o, why) ? 0 : -1;
    }
    if (tt_coid_parse(p->coid, &o.seq, &o.role) != 0 ||
        tt_coid_format(coid, symbol, o.seq, o.role) < 0 ||
        strcmp(coid, p->coid) != 0) {
        snprintf(why, sizeof why, "not a client order id of %s", symbol);
        return s_item(out, TT_RECON_CANCEL_AT_BROKER, &o, why) ? 0 : -1;
    }
    tt_recon_item_t *it = s_item(out, TT_RECON_ADOPT_ORDER, &o,
                                 "resting at the broker, unknown to the store");
    if (!it)
        return -1;
    it->ev = (tt_broker_ev_t){.kind = TT_EV_ACCEPTED, .ts = now};
    snprintf(it->ev.coid, sizeof it->ev.coid, "%s", o.coid);
    return p->filled > 0 ? s_adopt_fill(out, &o, p, now) : 0;
}

static bool s_stored(const tt_store_order_t *stored, int n, const char *coid)
{
    for (int i = 0; i < n; i++)
        if (strcmp(stored[i].order.coid, coid) == 0)
            return true;
    return false;
}

int tt_recon_plan(const char *symbol, const tt_store_order_t *stored,
                  const uint32_t *fills, int n, const tt_paper_t *paper,
                  tt_recon_lookup_fn *lookup, void *arg, tt_ns_t now,
                  tt_recon_plan_t *out, char *err, size_t errlen)
{
    out->n = 0;
    for (int i = 0; i < n; i++)
        if (s_plan_stored(stored, fills, n, i, paper, now, out) != 0)
            return s_err(err, errlen, "reconciliation plan too long");
    for (int i = 0; i < paper->n; i++) {
        const tt_paper_order_t *p = &paper->orders[i];
        if (s_stored(stored, n, p->coid))
            continue;
        if (s_plan_resting(symbol, p, lookup, arg, now, out, err, errlen)) {
            if (out->n == TT_RECON_MAX)
                s_err(err, errlen, "reconciliation plan too long");
            return -1;
        }
    }
    return 0;
}

/* ---- reading the store ----------------------------------------------- */

typedef struct {
    tt_store_t *store;
    tt_store_order_t orders[S_OPEN_MAX];
    uint32_t fills[S_OPEN_MAX];
    int n;
    bool overflow;
} s_read_t;

static int s_collect(const tt_store_order_t *rec, void *arg)
{
    s_read_t *r = arg;
    if (r->n == S_OPEN_MAX) {
        r->overflow = true;
        return 1;
    }
    r->orders[r->n++] = *rec;
    return 0;
}

static int s_lookup(const char *coid, tt_ord_state_t *state, uint32_t *fills,
                    void *arg)
{
    s_read_t *r = arg;
    int64_t count = 0;
    int rc = tt_store_order_status(r->store, coid, state, &count);
    *fills = (uint32_t)count;
    return rc < 0 ? -1 : rc == 0 ? 1 : 0;
}

/* The saved paper state into PAPER (none: an empty broker), the open
   orders of SYMBOL and their fill counts into R. */
static int s_read(s_read_t *r, const char *symbol, tt_paper_t *paper, char *err,
                  size_t errlen)
{
    char *text = malloc(TT_PAPER_STATE_MAX);
    size_t len = 0;
    int rc = text ? tt_store_paper_get(r->store, symbol, text,
                                       TT_PAPER_STATE_MAX, &len)
                  : -1;
    if (rc < 0)
        s_err(err, errlen, "reading the paper broker's state: %s",
              text ? tt_store_error(r->store) : "out of memory");
    else if (rc == 0 && tt_paper_load(paper, text, len) != 0)
        rc = s_err(err, errlen, "the stored paper broker state is corrupt: %s",
                   paper->err);
    free(text);
    if (rc < 0)
        return -1;
    if (tt_store_open_orders(r->store, symbol, s_collect, r) != 0)
        return s_err(err, errlen, "reading open orders: %s",
                     tt_store_error(r->store));
    if (r->overflow)
        return s_err(err, errlen, "more than %d open orders in the store",
                     S_OPEN_MAX);
    for (int i = 0; i < r->n; i++) {
        tt_ord_state_t state;
        if (s_lookup(r->orders[i].order.coid, &state, &r->fills[i], r) < 0)
            return s_err(err, errlen, "counting fills: %s",
                         tt_store_error(r->store));
    }
    return 0;
}

/* ---- applying it ----------------------------------------------------- */

static void s_send_order(tt_actor_t *actor, const tt_order_t *order,
                         int32_t intent)
{
    tt_evt_order_t ev = {.order = *order, .intent = intent};
    tt_actor_send_critical(actor, TT_ACTOR_BUS, TT_EVT_ORDER, &ev, sizeof ev);
}

static void s_announce(tt_actor_t *actor, const tt_recon_item_t *it,
                       tt_ns_t now)
{
    tt_evt_reconcile_t ev = {.ts = now, .action = it->action};
    snprintf(ev.coid, sizeof ev.coid, "%s", it->order.coid);
    if (it->action == TT_RECON_ADOPT_FILL)
        snprintf(ev.fill_id, sizeof ev.fill_id, "%s", it->ev.fill_id);
    snprintf(ev.reason, sizeof ev.reason, "%s", it->reason);
    tt_warn(tt_actor_path(actor), "reconcile: %s %s%s%s: %s",
            tt_recon_action_name(it->action), it->order.coid,
            ev.fill_id[0] ? " fill " : "", ev.fill_id, it->reason);
    tt_actor_send_critical(actor, TT_ACTOR_BUS, TT_EVT_RECONCILE, &ev,
                           sizeof ev);
}

/* The broker's saved order takes the store's fills (its state was saved
   before them). */
static void s_broker_behind(tt_paper_t *paper, const tt_recon_item_t *it,
                            int32_t qty_decimals)
{
    for (int i = 0; i < paper->n; i++) {
        tt_paper_order_t *p = &paper->orders[i];
        if (strcmp(p->coid, it->order.coid) != 0)
            continue;
        p->filled = it->order.filled;
        p->fees = it->order.fees;
        p->fills = it->store_fills > p->fills ? it->store_fills : p->fills;
        int64_t px = 0;
        if (it->order.filled > 0 &&
            tt_muldiv(it->order.fill_cost, tt_pow10(qty_decimals),
                      it->order.filled, TT_RND_NEAREST, &px) == 0 &&
            px > 0)
            p->last_px = px;
    }
}

static int s_apply(tt_actor_t *actor, const tt_recon_item_t *it,
                   tt_book_t *book, tt_paper_t *paper, tt_recon_events_t *out)
{
    bool restore = false, event = false;
    switch (it->action) {
    case 0:
        restore = true;
        break;
    case TT_RECON_ADOPT_ORDER:
        s_send_order(actor, &it->order, TT_EVT_ADOPTED);
        restore = event = true;
        break;
    case TT_RECON_ADOPT_STATE:
        restore = true;
        event = it->ev.kind != 0; /* NEW: acknowledged by an event */
        if (!event)
            s_send_order(actor, &it->order, 0);
        break;
    case TT_RECON_RESOLVE:
        if (it->direct)
            s_send_order(actor, &it->order, 0);
        restore = event = !it->direct;
        break;
    case TT_RECON_ADOPT_FILL:
        event = true;
        break;
    case TT_RECON_REPLACED:
        s_send_order(actor, &it->order, 0);
        break;
    case TT_RECON_CANCEL_AT_BROKER:
        tt_paper_cancel(paper, it->order.coid);
        break;
    case TT_RECON_BROKER_BEHIND:
        s_broker_behind(paper, it, book->inst.qty_decimals);
        break;
    }
    if (restore && tt_book_restore_order(book, &it->order) != 0)
        return -1;
    if (event)
        out->v[out->n++] = it->ev;
    return 0;
}

int tt_exec_reconcile(tt_actor_t *actor, const char *db_path, tt_book_t *book,
                      tt_paper_t *paper, tt_ns_t now, tt_recon_events_t *events,
                      char *err, size_t errlen)
{
    const char *symbol = book->symbol;
    events->n = 0;
    tt_store_opts_t opts = tt_store_opts_default();
    opts.busy_timeout_ms = S_BUSY_MS;
    char why[200];
    s_read_t *r = calloc(1, sizeof *r);
    tt_recon_plan_t *plan = malloc(sizeof *plan);
    if (!r || !plan ||
        !(r->store = tt_store_open(db_path, &opts, why, sizeof why))) {
        s_err(err, errlen, "opening the store: %s",
              r && plan ? why : "out of memory");
        free(r);
        free(plan);
        return -1;
    }
    int rc = s_read(r, symbol, paper, err, errlen);
    if (rc == 0)
        rc = tt_recon_plan(symbol, r->orders, r->fills, r->n, paper, s_lookup,
                           r, now, plan, err, errlen);
    tt_store_close(&r->store);
    int changes = 0;
    for (int i = 0; rc == 0 && i < plan->n; i++) {
        const tt_recon_item_t *it = &plan->v[i];
        if (it->action)
            s_announce(actor, it, now);
        changes += it->action != 0;
        if (s_apply(actor, it, book, paper, events) != 0)
            rc = s_err(err, errlen, "%s", tt_book_error(book));
    }
    if (rc == 0) {
        tt_book_restore_bracket(book);
        tt_info(tt_actor_path(actor),
                "warm restart: %d open orders in the store, %d resting at "
                "the broker, %d reconciled",
                r->n, paper->n, changes);
    }
    free(r);
    free(plan);
    return rc;
}

/* ---- saving the broker's state --------------------------------------- */

static bool s_changed(const tt_exec_paper_saver_t *self,
                      const tt_paper_t *paper)
{
    return !self->sent || self->n != paper->n ||
           self->arrivals != paper->arrivals || self->fills != paper->fills ||
           memcmp(self->orders, paper->orders,
                  (size_t)paper->n * sizeof paper->orders[0]) != 0;
}

int tt_exec_paper_save(tt_actor_t *actor, tt_exec_paper_saver_t *self,
                       const tt_paper_t *paper, tt_ns_t ts)
{
    if (!s_changed(self, paper))
        return 0;
    if (!self->text && !(self->text = malloc(TT_PAPER_STATE_MAX)))
        return -1;
    size_t size = tt_paper_save(paper, self->text, TT_PAPER_STATE_MAX);
    if (size == 0) {
        tt_error(tt_actor_path(actor),
                 "paper broker state over %d bytes: "
                 "not saved",
                 TT_PAPER_STATE_MAX);
        return -1;
    }
    tt_evt_snapshot_t piece = {.ts = ts, .total = (uint32_t)size};
    snprintf(piece.key, sizeof piece.key, "%s", TT_SNAPSHOT_KEY_PAPER);
    for (size_t off = 0; off < size; off += piece.len) {
        piece.offset = (uint32_t)off;
        piece.len =
            (uint32_t)(size - off < TT_SNAPSHOT_CHUNK ? size - off
                                                      : TT_SNAPSHOT_CHUNK);
        memcpy(piece.data, self->text + off, piece.len);
        tt_actor_send_critical(actor, TT_ACTOR_BUS, TT_EVT_SNAPSHOT, &piece,
                               sizeof piece);
    }
    memcpy(self->orders, paper->orders,
           (size_t)paper->n * sizeof paper->orders[0]);
    self->n = paper->n;
    self->arrivals = paper->arrivals;
    self->fills = paper->fills;
    self->sent = true;
    return 0;
}

void tt_exec_paper_saver_fini(tt_exec_paper_saver_t *self)
{
    if (!self)
        return;
    free(self->text);
    self->text = NULL;
}
