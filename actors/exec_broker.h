/*  actors/exec_broker.h: the execution actor's side of a live venue's
    broker gateway (actors/broker_venue.h). A symbol whose venue trades
    through a gateway sends its order intents there instead of to the
    in-process paper broker; the gateway's answers come back as
    TT_MSG_BROKER_EVENT and take the paper broker's path into the book.
    Runs on the symbol's worker, inside the execution actor. */
#ifndef TT_ACTORS_EXEC_BROKER_H
#define TT_ACTORS_EXEC_BROKER_H

#include <stdbool.h>
#include <stdint.h>

#include "orders/book.h"
#include "runtime/actor.h"

/* True when ACTOR's symbol trades through its venue's broker gateway,
   whose address goes to *GATEWAY; false for the paper broker (also in a
   backtest, whatever the venue). */
bool tt_exec_broker_route(tt_actor_t *actor, uint32_t *gateway);

/* Hands IT to GATEWAY (never dropped). Its answer comes later, as a
   TT_MSG_BROKER_EVENT. */
void tt_exec_broker_send(tt_actor_t *actor, uint32_t gateway,
                         const tt_intent_t *it);

/* Checks a TT_MSG_BROKER_EVENT body before the book sees it: an order id
   that is a C string and a known kind. 0, or -1 (log it, drop it). */
int tt_exec_broker_check(const tt_broker_ev_t *ev);

#endif
