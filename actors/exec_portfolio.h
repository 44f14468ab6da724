/*  actors/exec_portfolio.h: the execution actor's side of the portfolio
    (risk/portfolio.h) and of its circuit breaker. Runs on the symbol's
    worker, inside the execution actor's handlers: it converts the
    symbol's money to account money, reserves a slot before an entry,
    keeps the slot's exposure in step with the book after every event,
    feeds closed trades and broker rejections in, and sends the refusals
    and breaker trips to the bus.

    Without a portfolio (a runtime nobody gave one: actor tests, benches)
    every call degrades to what the actor did before: a snapshot of a
    paper account holding this symbol only, no reservation. */
#ifndef TT_ACTORS_EXEC_PORTFOLIO_H
#define TT_ACTORS_EXEC_PORTFOLIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "orders/book.h"
#include "risk/portfolio.h"
#include "runtime/actor.h"

typedef struct {
    tt_portfolio_t *pf; /* shared, not owned; NULL: no portfolio */
    size_t slot;        /* the symbol's index */
    const tt_instrument_t *inst;
    uint32_t self_id; /* the execution actor (events name the symbol) */
} tt_exec_pf_t;

/* Binds SELF to the runtime's portfolio (if any) for ACTOR's symbol. */
void tt_exec_pf_init(tt_exec_pf_t *self, tt_actor_t *actor);

/* The numbers the symbol's risk check sees. Without a portfolio: EQUITY
   (symbol money) and this symbol's position only. */
void tt_exec_pf_snap(const tt_exec_pf_t *self, int64_t equity,
                     const tt_position_t *pos, tt_portfolio_snap_t *out);

/* Reserves the slot for an approved entry SIG of QTY at TS. 0 (or no
   portfolio), or -1 with OUT->reason and OUT->text. */
int tt_exec_pf_reserve(tt_exec_pf_t *self, const tt_signal_t *sig, tt_qty_t qty,
                       tt_ns_t ts, tt_risk_decision_t *out);

/* After the book changed: the slot follows the position (released once
   the symbol is flat with nothing working). */
void tt_exec_pf_sync(tt_exec_pf_t *self, const tt_book_t *book);

/* A fill closed a round trip (POS holds its trip_realized and
   trip_fees): into the day's P&L and the EOD summary. Logs a breach of
   the daily loss limit. */
void tt_exec_pf_trade_closed(tt_exec_pf_t *self, tt_actor_t *actor,
                             const tt_position_t *pos, tt_ns_t ts);

/* An order of ours was rejected (EV: TT_EV_REJECTED or
   TT_EV_CANCEL_REJECTED): counts toward the breaker; a trip is logged
   and sent to the bus. */
void tt_exec_pf_on_reject(tt_exec_pf_t *self, tt_actor_t *actor,
                          const tt_broker_ev_t *ev);

/* A refused signal of KIND at TS, to the bus (droppable: information). */
void tt_exec_send_rejection(tt_actor_t *actor, int32_t kind,
                            const tt_risk_decision_t *d, tt_ns_t ts);

/* Builds the portfolio of CFG: one slot per symbol, one calendar group
   per venue, limits from the portfolio section. NULL with ERR filled
   when the section is out of range. The caller owns it. */
tt_portfolio_t *tt_exec_portfolio_new(const tt_config_t *cfg, char *err,
                                      size_t err_size);

/* A breaker event of SYMBOL (config index) with TRIPPED, ERRORS and
   REASON, ready to send to the bus with `from` = the symbol's execution
   actor. */
void tt_exec_breaker_event(tt_evt_breaker_t *ev, bool tripped, uint32_t errors,
                           tt_ns_t ts, const char *reason);

#endif
