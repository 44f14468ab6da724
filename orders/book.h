/*  orders/book.h: the order book of one symbol. It turns a strategy signal
    plus a risk-approved size into order intents (what the execution actor
    persists first and then sends, invariant 4), applies the broker's
    events (acks, fills, cancels, rejections, expiries), keeps the
    symbol's one position (invariant 3) and manages the bracket around it:
    a protective stop and a take-profit that always cover exactly the open
    quantity, OCO between them, trailing and move-to-breakeven.

    Pure logic, fixed capacity: no allocation after init, no clock (every
    call takes the event time), no I/O. One book per symbol, owned by that
    symbol's execution actor.

    Every mutating call resets OUT and appends the intents it produced:
    SUBMIT a new order, CANCEL an order, REPLACE an order by a new one
    (new client id, `replaces` = the old seq). The order's state has
    already moved (NEW, PENDING_CANCEL, PENDING_REPLACE) when the intent
    is handed out. */
#ifndef TT_ORDERS_BOOK_H
#define TT_ORDERS_BOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "marketdata/types.h"
#include "orders/order.h"
#include "orders/position.h"
#include "strategies/signal.h"

#define TT_BOOK_ORDERS 32    /* order slots (terminal ones are recycled) */
#define TT_BOOK_FILL_IDS 256 /* recent venue fill ids kept for dedupe */
#define TT_INTENTS_MAX 16
#define TT_BOOK_SYMBOL_MAX 31
/* Exits refused for good (a filter, the balance) before the book gives
   up; a refusal that passes (tt_broker_ev_t.retry_ms) never counts. */
#define TT_BOOK_EXIT_RETRIES 3
/* The wait after a passing refusal that names no time: 1 s, doubled at
   every refusal in a row, at most 30 s. A named wait is kept to at least
   the minimum and at most a day. */
#define TT_BOOK_RETRY_FIRST_NS 1000000000LL
#define TT_BOOK_RETRY_MAX_NS 30000000000LL
#define TT_BOOK_RETRY_MIN_NS 100000000LL
#define TT_BOOK_RETRY_NAMED_MAX_NS 86400000000000LL
/* tt_broker_ev_t.retry_ms of a passing refusal that names no time. */
#define TT_EV_RETRY_UNNAMED (-1)
/* A stop or exit sent and not answered for longer than this (event
   time) leaves the position bare (book_guard.c): the default of
   tt_book_cfg_t.answer_ns. */
#define TT_BOOK_ANSWER_NS 5000000000LL

typedef enum {
    TT_INTENT_SUBMIT = 1,
    TT_INTENT_CANCEL = 2,
    TT_INTENT_REPLACE = 3,
    /* Not from the book: after a restart the execution actor asks a live
       venue's gateway what became of a restored open order (`order`, as
       the store has it); an empty client id ends the symbol's list and
       starts the gateway's reconciliation (actors/exec_venue.h). */
    TT_INTENT_QUERY = 4,
} tt_intent_kind_t;

typedef struct {
    tt_intent_kind_t kind;
    tt_order_t order;               /* SUBMIT/REPLACE: the new order;
                                       CANCEL: the order to cancel */
    char old_coid[TT_COID_MAX + 1]; /* REPLACE: the order replaced */
} tt_intent_t;

typedef struct {
    tt_intent_t v[TT_INTENTS_MAX];
    int n;
} tt_intents_t;

typedef struct {
    tt_ord_type_t entry_type;     /* MARKET, or LIMIT at the signal price */
    tt_tif_t entry_tif;           /* DAY, GTC or IOC */
    tt_tif_t child_tif;           /* stop, target and exit: DAY or GTC */
    int32_t default_stop_ticks;   /* stop distance when a signal has none */
    int32_t default_target_ticks; /* target distance when it has none */
    int32_t trail_ticks;      /* trailing distance from the best price; 0 off */
    int32_t be_trigger_ticks; /* breakeven after N ticks in favour; 0 off */
    int32_t be_trigger_r_bps; /* ... or after this much R (10000 = 1R); 0 off */
    int32_t be_offset_ticks;  /* breakeven stop = entry + offset */
    /* A stop or exit unanswered this long leaves the position bare; 0
       never (the paper broker answers in the same call). */
    int64_t answer_ns;
} tt_book_cfg_t;

typedef enum {
    TT_EV_ACCEPTED = 1,
    TT_EV_FILL = 2,
    TT_EV_CANCELLED = 3,
    TT_EV_REJECTED = 4,
    TT_EV_EXPIRED = 5,
    TT_EV_CANCEL_REJECTED = 6, /* the venue refused our cancel */
    /* Not for the book: a gateway's reconciliation decision after a
       restart (code: tt_recon_action_t, reason; fill_id for an adopted
       fill), to publish; an empty client id ends the reconciliation. */
    TT_EV_RECONCILED = 7,
} tt_broker_ev_kind_t;

/* A venue's order id, at most (Alpaca's UUID, Binance's orderId). */
#define TT_BROKER_VENUE_OID_MAX 63

/* One event from the broker gateway about one of our orders. */
typedef struct {
    tt_broker_ev_kind_t kind;
    char coid[TT_COID_MAX + 1];
    tt_ns_t ts;
    char fill_id[TT_FILL_ID_MAX + 1]; /* FILL: venue fill id */
    tt_px_t px;                       /* FILL: execution price */
    tt_qty_t qty;                     /* FILL: executed quantity */
    int64_t fee;                      /* FILL: money */
    /* FILL: quantity the venue kept as its commission out of what a BUY
       delivered (a commission paid in the base asset, rounded up to the
       lot): the position grows by qty - fee_qty. 0 otherwise. */
    tt_qty_t fee_qty;
    int32_t code;    /* REJECTED: venue code */
    char reason[64]; /* REJECTED / EXPIRED: venue text */
    /* REJECTED: a refusal that passes (a rate or order-count limit, a
       429 or 5xx, no reply, a full queue, keys held): the order may go
       again after RETRY_MS, or after the book's own backoff when it is
       TT_EV_RETRY_UNNAMED. 0: the refusal stands (a filter, the
       balance, a malformed order). */
    int32_t retry_ms;
    /* The venue's id of the order, "" when not known (the paper broker,
       an answer before the venue named one): the store keeps it. */
    char venue_oid[TT_BROKER_VENUE_OID_MAX + 1];
    /* FILL: the commission exactly as the venue charged it, for the
       ledger (tt_fill_t): COMMISSION at COMMISSION_DECIMALS (0..18) in
       COMMISSION_ASSET. A gateway that leaves both numbers 0 reports its
       fee as the commission (quote money at the price scale), in the
       asset it names ("" when it does not know the quote currency). */
    int64_t commission;
    int32_t commission_decimals;
    char commission_asset[TT_FILL_ASSET_MAX + 1];
} tt_broker_ev_t;

/* What tt_book_on_event did, for the actor to persist and publish. */
typedef struct {
    bool filled;               /* a fill was applied: see fill, delta */
    tt_fill_t fill;            /* the ledger row */
    tt_position_delta_t delta; /* its effect on the position */
    tt_ord_state_t state;      /* the order's state afterwards */
} tt_book_result_t;

typedef struct {
    bool active;    /* an entry / position / exit cycle is running */
    bool exiting;   /* flatten: cancel everything, then exit */
    bool be_done;   /* breakeven move already made */
    tt_side_t side; /* entry side */
    int32_t entry, stop, target, exit; /* order slots; -1 = none */
    tt_px_t stop_px;                   /* desired protective stop */
    tt_px_t target_px;                 /* desired take-profit */
    tt_px_t init_stop_px; /* stop at entry: 1R = |entry - init stop| */
    tt_px_t best_px;      /* best mark in favour since the first entry fill */
    int32_t exit_rejects; /* exits refused for good */
    /* A stop, take-profit or exit refused for a reason that passes: no
       new one is sent before RETRY_AT (0: none owed). RETRIES counts
       such refusals in a row, for the backoff. */
    tt_ns_t retry_at;
    int32_t retries;
    /* A cancel, or the cancel half of a replacement, the broker refused
       (the order filled meanwhile, is unknown to the venue for a moment,
       the venue is unreachable): no cancel or replacement is asked
       before CANCEL_AT (0: none), which CANCEL_REFUSALS in a row double
       as RETRIES do. Asked again at once, such a refusal looped at the
       venue's round trip. */
    tt_ns_t cancel_at;
    int32_t cancel_refusals;
    /* The last replacement of the stop (STOP_NO_*) or take-profit
       (TARGET_NO_*) the broker refused for good, and why: that price and
       size are not asked for again (0: none). */
    tt_px_t stop_no_px, target_no_px;
    tt_qty_t stop_no_qty, target_no_qty;
    char no_why[64];
} tt_bracket_t;

typedef struct {
    char symbol[TT_BOOK_SYMBOL_MAX + 1];
    tt_instrument_t inst;
    tt_book_cfg_t cfg;
    uint64_t next_seq; /* next client-id sequence number (persist it) */
    tt_order_t orders[TT_BOOK_ORDERS];
    bool used[TT_BOOK_ORDERS];
    tt_position_t pos;
    /* The average entry price of pos as last computed, and the quantity
       and cost it was computed from (tt_book_avg_px): a mark reads it on
       every trade, and it changes only when a fill does. */
    tt_qty_t avg_qty;
    int64_t avg_cost;
    tt_px_t avg_px;
    tt_bracket_t br;
    char fill_ids[TT_BOOK_FILL_IDS][TT_FILL_ID_MAX + 1];
    int32_t fill_head;       /* next slot of the fill-id ring */
    uint64_t dup_fills;      /* duplicate fills ignored */
    uint64_t unknown_events; /* events for orders we do not know */
    uint64_t refused_events; /* events refused (illegal transition...) */
    char err[160];           /* text of the last error */
    /* Since when the position has had no working stop (book_guard.c);
       0 while it has one or is flat. WHY: the refusal that left it so. */
    tt_ns_t unprotected_since;
    char unprotected_why[64];
    /* Since when a stop or exit has been on its way with no working stop
       (0: none); UNANSWERED: the bare period began because it stayed
       unanswered past cfg.answer_ns. */
    tt_ns_t onway_since;
    bool unanswered;
} tt_book_t;

/* Default configuration: market entry (DAY), GTC children, no defaults
   for stop/target, no trailing, no breakeven, TT_BOOK_ANSWER_NS. */
tt_book_cfg_t tt_book_cfg_default(void);

/* Initialises SELF for SYMBOL (1..31 characters) and INST (tick and lot
   > 0, decimals 0..9). NEXT_SEQ is the persisted next sequence number
   (>= 1) so ids stay unique across restarts. 0, or -1 with the reason in
   tt_book_error(). */
int tt_book_init(tt_book_t *self, const char *symbol,
                 const tt_instrument_t *inst, const tt_book_cfg_t *cfg,
                 uint64_t next_seq);

/* Text of the last error ("" when none). */
const char *tt_book_error(const tt_book_t *self);

/* Handles a strategy signal at TS. ENTER_* needs QTY > 0 (the risk
   manager's size), a flat symbol and no running bracket; it submits the
   entry and arms its stop/target, sent as the entry fills. EXIT cancels
   the entry and children and, once they are gone, closes what is open
   with a market order. MOVE_STOP tightens the stop (never loosens it).
   0, or -1 with the reason in tt_book_error() and nothing emitted. */
int tt_book_on_signal(tt_book_t *self, const tt_signal_t *sig, tt_qty_t qty,
                      tt_ns_t ts, tt_intents_t *out);

/* A new mark price (last trade) at TS: trailing stop and breakeven. */
int tt_book_on_mark(tt_book_t *self, tt_px_t px, tt_ns_t ts, tt_intents_t *out);

/* Applies a broker event at its own ev->ts. RES may be NULL. Returns 0 when
   applied, 1 when ignored as a duplicate (fill id already seen, repeated ack),
   -1 on error (unknown order, illegal transition, overfill; counted). */
int tt_book_on_event(tt_book_t *self, const tt_broker_ev_t *ev,
                     tt_intents_t *out, tt_book_result_t *res);

/* Asks to cancel the live order COID. 0, or -1 (not found, not
   cancellable in its state). */
int tt_book_cancel(tt_book_t *self, const char *coid, tt_ns_t ts,
                   tt_intents_t *out);

/* Cancel-and-replace COID (ACCEPTED or PARTIALLY_FILLED) by a fresh order
   for QTY with LIMIT_PX / STOP_PX (0 keeps the old price). The old order
   goes PENDING_REPLACE, the new one gets the next client id and
   `replaces` = old seq; fills of the old order stay with it. 0 or -1. */
int tt_book_replace(tt_book_t *self, const char *coid, tt_qty_t qty,
                    tt_px_t limit_px, tt_px_t stop_px, tt_ns_t ts,
                    tt_intents_t *out);

/* The order with client id COID, or NULL. Borrowed. */
const tt_order_t *tt_book_find(const tt_book_t *self, const char *coid);

/* The current order in a bracket role (entry, stop, target, exit), or
   NULL. Borrowed. */
const tt_order_t *tt_book_bracket_order(const tt_book_t *self, tt_role_t role);

/* The symbol's position. Borrowed. */
const tt_position_t *tt_book_position(const tt_book_t *self);

/* True while an entry, position or exit cycle is running. */
bool tt_book_busy(const tt_book_t *self);

/* ---- Protection (book_guard.c). A position is protected while a stop
   the broker acknowledged covers it. A stop, take-profit or exit the
   broker refused for a reason that passes (tt_broker_ev_t.retry_ms) is
   sent again, under a new client id, once the refusal's wait is over,
   for as long as the position is open: never two exits at once, never
   before the wait. A refusal that stands is handled as before (a
   refused child flattens, TT_BOOK_EXIT_RETRIES exits, then nothing). */

/* When a refused stop, take-profit or exit is due again (event time);
   0 when none is owed. */
tt_ns_t tt_book_retry_at(const tt_book_t *self);

/* When the book next has something a wait held back: a refused stop,
   take-profit or exit (tt_book_retry_at), or a cancel or replacement
   whose cancel the broker refused; 0 when nothing waits. The actor
   calls tt_book_on_time then. */
tt_ns_t tt_book_due_at(const tt_book_t *self);

/* Time passed to NOW without any other input: sends what a refusal's
   wait held back (tt_book_due_at), once it is over. 0 or -1. */
int tt_book_on_time(tt_book_t *self, tt_ns_t now, tt_intents_t *out);

/* Since when (event time) the open position has had no working stop:
   none sent, or the one sent not acknowledged yet after a refusal, and
   no exit on its way; 0 while protected or flat. A stop sent with the
   entry's fill does not count as missing until it is refused. */
tt_ns_t tt_book_unprotected_since(const tt_book_t *self);

/* The refusal that left the position unprotected ("" when none). */
const char *tt_book_unprotected_why(const tt_book_t *self);

/* When (event time) the stop or exit on its way, unanswered, makes the
   position bare: cfg.answer_ns after it was sent while no stop works;
   0 when nothing waits so, or the position is bare already. The actor
   calls tt_book_on_time then. Nothing is sent again for it: the order
   held may still reach the venue. */
tt_ns_t tt_book_answer_due(const tt_book_t *self);

/* Since when (event time) the stop or exit that left the position bare
   by going unanswered was sent; 0 when the position is not bare for
   that reason. */
tt_ns_t tt_book_unanswered_since(const tt_book_t *self);

/* Why the broker refused for good the stop's or take-profit's last
   replacement (a move, a resize), which the book holds back until the
   price or size it wants changes ("" when none). The order replaced
   works on. */
const char *tt_book_refused_move(const tt_book_t *self);

/* The stop price of that refused move; 0 when none (or the refused
   replacement was the take-profit's). */
tt_px_t tt_book_refused_stop_px(const tt_book_t *self);

/* ---- Warm restart (book_restore.c). The execution actor restores the
   position (pos) and next_seq, then each open order, then the bracket;
   broker events that reconcile the book with the broker follow through
   tt_book_on_event, and tt_book_resync emits what is still missing. */

/* Puts ORDER, live and with a client id of this book, into a free slot
   as it is; raises next_seq above its seq. 0, or -1 (not live, not one
   of ours, already there, book full). */
int tt_book_restore_order(tt_book_t *self, const tt_order_t *order);

/* Rebuilds the bracket from the restored live orders and the position:
   the stop's and target's prices become the bracket's; breakeven counts
   as done when the stop is at or past the average entry. A position or
   an entry without both children, a live exit or two live orders in one
   role make the bracket flatten. */
void tt_book_restore_bracket(tt_book_t *self);

/* Emits the intents that bring the orders in line with the bracket now
   (a lost child is sent again, a flatten starts). 0 or -1. */
int tt_book_resync(tt_book_t *self, tt_ns_t ts, tt_intents_t *out);

#endif
