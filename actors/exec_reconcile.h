/*  actors/exec_reconcile.h: the execution actor's warm restart and the
    paper broker's persistence. Runs on the symbol's worker, inside the
    execution actor's init and handlers.

    The paper broker keeps its own state in the store (paper_state),
    saved through the bus whenever it changes, so a restarted service
    finds the broker as a real broker that stayed up would be: its
    resting orders (the protective stop and the take-profit around an
    open position) still there and still working.

    At the first start of a service on an existing store (and when the
    supervisor restarts the execution actor, once the bus has handled
    what the previous instance sent), the store's view (open orders,
    their fills) and the broker's (its saved state) are compared,
    because a crash can fall between the two writes:
    - an order or fill the broker knows and the store does not is
      adopted: recorded in the store, put in the book;
    - an order the store has open and the broker does not know is asked
      about by client order id; the paper broker answers "unknown", and
      the order is resolved as EXPIRED with reason "unknown to broker";
    - a pending cancel or replace the broker never saw takes the broker's
      state; a NEW order the broker holds is acknowledged;
    - an order the broker still rests but the store has done (or that is
      not one of this symbol's) is cancelled at the broker;
    - fills the store recorded and the broker's saved state lacks are
      taken by the broker (its state was saved after them).
    Each of these is logged and published (TT_EVT_RECONCILE, topic
    trade.reconcile.<SYM>), followed by the order and fill events that
    carry the change. The book then rebuilds its bracket from the orders
    (orders/book.h, tt_book_restore_bracket). A saved state that does not
    parse fails the actor's start with the reason: the symbol stays in
    ERROR under its supervisor's policy, the others start. */
#ifndef TT_ACTORS_EXEC_RECONCILE_H
#define TT_ACTORS_EXEC_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>

#include "messages/internal.h"
#include "orders/book.h"
#include "runtime/actor.h"
#include "store/store.h"
#include "venues/paper/fill_model.h"

/* One decision of the reconciliation. */
typedef struct {
    int32_t action;       /* tt_recon_action_t; 0: store and broker agree */
    tt_order_t order;     /* the order as it is restored (or recorded) */
    tt_broker_ev_t ev;    /* ADOPT_FILL: the fill; RESOLVE: the expiry */
    uint32_t store_fills; /* BROKER_BEHIND: fills the store has */
    bool direct;          /* RESOLVE: recorded as expired, not via the book */
    char reason[96];
} tt_recon_item_t;

#define TT_RECON_MAX (2 * TT_BOOK_ORDERS + 2 * TT_PAPER_ORDERS)
typedef struct {
    tt_recon_item_t v[TT_RECON_MAX];
    int n;
} tt_recon_plan_t;

/* What the store knows of a client order id the store's open orders do
   not hold: 0 unknown, 1 known (*STATE set), -1 error. */
typedef int(tt_recon_lookup_fn)(const char *coid, tt_ord_state_t *state,
                                uint32_t *fills, void *arg);

/* Compares the open orders STORED (N, with their stored fill counts in
   FILLS) of SYMBOL with the PAPER broker's state; fills OUT with one
   item per order and per fill to adopt, in the order to apply them.
   LOOKUP asks the store about orders only the broker has. NOW times
   the events. Pure: nothing changes. 0, or -1 with ERR filled (a
   lookup failed, the plan is too long). */
int tt_recon_plan(const char *symbol, const tt_store_order_t *stored,
                  const uint32_t *fills, int n, const tt_paper_t *paper,
                  tt_recon_lookup_fn *lookup, void *arg, tt_ns_t now,
                  tt_recon_plan_t *out, char *err, size_t errlen);

/* Broker events the book must see after the restore, in order. */
typedef struct {
    tt_broker_ev_t v[TT_RECON_MAX];
    int n;
} tt_recon_events_t;

/* The warm restart of ACTOR's symbol from the store at DB_PATH: loads
   the paper broker's saved state into PAPER, restores BOOK's open
   orders (BOOK holds the restored position and next_seq already) and
   bracket, applies the plan's direct changes (sending the events) and
   leaves in EVENTS what the book must still be fed. 0, or -1 with ERR
   filled (a store that cannot be read, a corrupt saved state, an order
   the book refuses). */
int tt_exec_reconcile(tt_actor_t *actor, const char *db_path, tt_book_t *book,
                      tt_paper_t *paper, tt_ns_t now, tt_recon_events_t *events,
                      char *err, size_t errlen);

/* The last paper broker state sent, to send only changes. */
typedef struct {
    tt_paper_order_t orders[TT_PAPER_ORDERS];
    int32_t n;
    uint64_t arrivals, fills;
    bool sent;
    char *text; /* TT_PAPER_STATE_MAX bytes, allocated on first use */
} tt_exec_paper_saver_t;

/* Sends PAPER's state to the bus (a TT_EVT_SNAPSHOT of key "paper", at
   event time TS) when it differs from the last one sent. 0, or -1 when
   it could not be encoded (logged). */
int tt_exec_paper_save(tt_actor_t *actor, tt_exec_paper_saver_t *self,
                       const tt_paper_t *paper, tt_ns_t ts);

/* Frees what the saver holds; accepts a saver never used. */
void tt_exec_paper_saver_fini(tt_exec_paper_saver_t *self);

#endif
