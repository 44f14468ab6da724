/*  orders/book_priv.h: helpers shared by book.c (orders, events) and
    bracket.c (signals, stop/target management). Not a public API. */
#ifndef TT_ORDERS_BOOK_PRIV_H
#define TT_ORDERS_BOOK_PRIV_H

#include "orders/book.h"

/* Records an error text for tt_book_error(); returns -1. */
int tt_book_fail(tt_book_t *self, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Creates an order in NEW with the next client id and emits SUBMIT.
   Returns its slot, or -1 (book full, intents full). */
int tt_book_submit(tt_book_t *self, tt_role_t role, tt_side_t side,
                   tt_ord_type_t type, tt_qty_t qty, tt_px_t limit_px,
                   tt_px_t stop_px, tt_tif_t tif, tt_ns_t ts,
                   tt_intents_t *out);

/* Cancel / replace by slot (see tt_book_cancel / tt_book_replace).
   tt_book_replace_slot returns the new slot or -1. */
int tt_book_cancel_slot(tt_book_t *self, int slot, tt_ns_t ts,
                        tt_intents_t *out);
int tt_book_replace_slot(tt_book_t *self, int slot, tt_qty_t qty,
                         tt_px_t limit_px, tt_px_t stop_px, tt_ns_t ts,
                         tt_intents_t *out);

/* tt_position_avg_px(&self->pos), computed again only when the
   position's quantity or cost has changed since the last call. */
tt_px_t tt_book_avg_px(tt_book_t *self);

/* Brings the bracket's orders in line with the position (bracket.c). */
int tt_book_sync(tt_book_t *self, tt_ns_t ts, tt_intents_t *out);

/* Bracket reactions to order events (bracket.c). */
void tt_book_on_order_done(tt_book_t *self, int slot);
/* The broker refused a cancel of the book's (or a replacement's cancel
   half) at EV->ts: cancels and replacements wait (tt_bracket_t
   cancel_at). */
void tt_book_hold_cancel(tt_book_t *self, const tt_broker_ev_t *ev);
/* True while such a wait holds cancels and replacements at TS. */
bool tt_book_cancel_held(tt_book_t *self, tt_ns_t ts);
void tt_book_on_replace_refused(tt_book_t *self, int new_slot, int old_slot);

/* The broker refused for good (REASON) the replacement in SLOT of the
   stop or take-profit: its price and size are not asked for again until
   the bracket wants something else (bracket.c). */
void tt_book_on_move_refused(tt_book_t *self, int slot, const char *reason);

/* The broker refused the stop, take-profit or exit in SLOT for a reason
   that passes (EV->retry_ms): holds the next one until its wait is over
   and returns true; false when the refusal is the bracket's end as
   before (book_guard.c). */
bool tt_book_hold_refused(tt_book_t *self, int slot, const tt_broker_ev_t *ev);

/* True while no new stop, take-profit or exit may go at TS (a refusal's
   wait); clears the wait once it is over. */
bool tt_book_held(tt_book_t *self, tt_ns_t ts);

/* Follows whether the position has a working stop, at TS (book_guard.c);
   called after every change of the book. */
void tt_book_guard(tt_book_t *self, tt_ns_t ts);

#endif
