/*  actors/exec_venue.h: the restart of a symbol that trades at a live
    venue (its orders go through the venue's broker gateway,
    actors/exec_broker.h). Runs on the symbol's worker, inside the
    execution actor's start (or its restart by the supervisor, after the
    bus's barrier).

    The gateway's table of orders lives in memory, so after a restart
    nothing but the store knows what was open. The execution actor puts
    the store's open orders back into its book (and the bracket around
    them) and hands each to the gateway (TT_INTENT_QUERY, with what the
    store knows: filled quantity, cost, acknowledged), then an empty one
    to end the list. The gateway lists the venue's recent orders
    (status=all, nested, from just before the oldest restored one),
    matches them by client order id (an OCO's stop leg by being the leg
    of our take-profit), asks for the rest by client order id, and sends
    the difference as ordinary broker events: fills (ids as ever, so one
    the store has is dropped), cancels, expiries ("unknown to broker"
    for an order the venue does not know); an order of ours the venue
    works that the store does not have open is cancelled at the venue.
    Each decision also comes as a TT_EV_RECONCILED event that the actor
    publishes (trade.reconcile.<SYM>, as the paper broker's warm restart
    does), and the empty one ends the reconciliation: the book then
    sends what its bracket lacks. Inputs wait meanwhile. */
#ifndef TT_ACTORS_EXEC_VENUE_H
#define TT_ACTORS_EXEC_VENUE_H

#include <stddef.h>
#include <stdint.h>

#include "orders/book.h"
#include "runtime/actor.h"

/* Restores BOOK's open orders (BOOK holds the restored position and
   next_seq already) and bracket from the store at DB_PATH and sends
   them to GATEWAY, then the end of the list. The number of orders
   restored, or -1 with ERR filled (a store that cannot be read, an
   order the book refuses). */
int tt_exec_venue_restore(tt_actor_t *actor, const char *db_path,
                          tt_book_t *book, uint32_t gateway, char *err,
                          size_t errlen);

/* The id of the first session of the actor's venue that opened after
   SINCE (a session's end), if it opened by NOW; 0 when none did (or the
   venue's calendar cannot be built, logged). */
int32_t tt_exec_venue_opened_since(tt_actor_t *actor, int64_t since,
                                   int64_t now);

/* Publishes and logs the gateway's reconciliation decision EV (a
   TT_EV_RECONCILED with a client id). */
void tt_exec_venue_note(tt_actor_t *actor, const tt_broker_ev_t *ev);

#endif
