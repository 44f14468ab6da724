/*  risk/portfolio.h: the portfolio-wide limits, shared by every symbol's
    execution actor (on whatever worker it runs) and read by the root for
    health and control.

    The limits: max total exposure, max open positions, a daily loss limit
    across the portfolio, and one open position (or entry in flight) per
    symbol. An execution actor RESERVES its slot before it sends an entry:
    the reservation checks every limit and takes the exposure in one step
    under the portfolio's lock, so two symbols on two workers signalling
    at the same moment can never both take the last room. The slot holds
    its exposure while the entry works and the position is open (updated
    on fills) and is RELEASED when the symbol is flat with nothing
    working (cancel, reject, expiry, close). docs/ARCHITECTURE.md says
    why this is a shared object with a lock rather than an actor with a
    round trip per order.

    The portfolio also holds each symbol's circuit breaker (risk/breaker.h)
    and the day's closed trades, per calendar group (a venue), for the
    end-of-day summary (clock/eod.h) and the daily loss.

    Money here is account money at the config's `decimals`; callers
    convert symbol money (orders/money.h tt_rescale) before calling.

    Thread safety: every function takes the lock; the object is created
    and destroyed by one owner (the root, or a test) while no actor runs. */
#ifndef TT_RISK_PORTFOLIO_H
#define TT_RISK_PORTFOLIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock/eod.h"
#include "risk/breaker.h"
#include "risk/risk.h"

typedef struct {
    int64_t equity;             /* account equity (risk_pct sizing) */
    int32_t decimals;           /* scale of the account money, 0..18 */
    int64_t max_exposure;       /* sum of |notional| held; 0 = none */
    int32_t max_open_positions; /* slots held at once; 0 = none */
    int64_t max_daily_loss;     /* > 0: halt entries at -this; 0 = none */
    tt_breaker_cfg_t breaker;   /* per symbol */
} tt_portfolio_cfg_t;

/* What the portfolio holds now (and the most it ever held), for health
   and tests. */
typedef struct {
    int64_t exposure;
    int32_t open; /* slots held */
    int64_t realized_today;
    bool halted;           /* daily loss limit reached */
    int64_t max_exposure;  /* highest exposure ever reserved */
    int32_t max_open;      /* highest count of slots ever held */
    uint64_t reservations; /* granted */
    uint64_t refusals;     /* refused, any reason */
} tt_portfolio_stats_t;

typedef struct tt_portfolio tt_portfolio_t;

/* A portfolio of SLOTS symbols in GROUPS calendar groups (each symbol's
   group is 0 until tt_portfolio_slot_set). NULL with the reason in ERR
   when CFG is out of range (negative limits, decimals outside 0..18, a
   bad breaker config) or memory runs out. The caller owns it. */
tt_portfolio_t *tt_portfolio_new(const tt_portfolio_cfg_t *cfg, size_t slots,
                                 size_t groups, char *err, size_t err_size);
void tt_portfolio_destroy(tt_portfolio_t **self_p);

/* Names slot SLOT (its symbol, for the EOD lines) and puts it in GROUP.
   Before any actor runs. 0, or -1 when out of range. */
int tt_portfolio_slot_set(tt_portfolio_t *self, size_t slot, const char *symbol,
                          size_t group);

const tt_portfolio_cfg_t *tt_portfolio_cfg(const tt_portfolio_t *self);
size_t tt_portfolio_slots(const tt_portfolio_t *self);

/* Reserves SLOT for an entry of EXPOSURE (account money, > 0) at TS.
   Refuses (-1, OUT->reason and OUT->text) when the slot is already held
   (POSITION_OPEN), its group's session is closed (SESSION_CLOSED), its
   breaker is tripped (BREAKER), the daily loss limit
   is reached (DAILY_LOSS), the open count (MAX_OPEN_POSITIONS) or the
   exposure (MAX_EXPOSURE) would go over its limit. 0 on success. */
int tt_portfolio_reserve(tt_portfolio_t *self, size_t slot, int64_t exposure,
                         tt_ns_t ts, tt_risk_decision_t *out);

/* The slot's position changed: it now holds EXPOSURE (>= 0, the
   position's notional at its average price). While ENTRY_WORKING (part
   of the entry may still fill) the slot keeps at least what it reserved.
   The slot stays held. */
void tt_portfolio_update(tt_portfolio_t *self, size_t slot, int64_t exposure,
                         bool entry_working);

/* The symbol is flat with nothing working: frees its slot (no-op when
   not held). */
void tt_portfolio_release(tt_portfolio_t *self, size_t slot);

bool tt_portfolio_held(const tt_portfolio_t *self, size_t slot);

/* A round trip of SLOT closed at TS with GROSS P&L and FEES (>= 0, a
   cost), account money: counts toward the day's loss and its group's
   end-of-day summary. Returns true when this trade reached the daily
   loss limit (entries halt until a session opens). */
bool tt_portfolio_trade_closed(tt_portfolio_t *self, size_t slot, int64_t gross,
                               int64_t fees, tt_ns_t ts);

/* A broker error or rejection for SLOT at TS. True when it tripped the
   slot's breaker. */
bool tt_portfolio_broker_error(tt_portfolio_t *self, size_t slot, tt_ns_t ts);

/* Resets SLOT's breaker, or every slot's when SLOT is SIZE_MAX. Returns
   how many were tripped and are now reset. */
size_t tt_portfolio_breaker_reset(tt_portfolio_t *self, size_t slot,
                                  tt_ns_t ts);
bool tt_portfolio_breaker_tripped(const tt_portfolio_t *self, size_t slot);

/* The numbers SLOT's own risk check sees (tt_risk_check). */
void tt_portfolio_snap(const tt_portfolio_t *self, size_t slot,
                       tt_portfolio_snap_t *out);

void tt_portfolio_stats(const tt_portfolio_t *self, tt_portfolio_stats_t *out);

/* Session SESSION_ID of GROUP opened at TS: the group's day P&L starts
   again, its symbols' breakers reset, and the daily
   loss halt is lifted (recomputed on the next reservation), and entries
   are allowed again. Returns how
   many breakers were tripped and are now reset. */
size_t tt_portfolio_session_open(tt_portfolio_t *self, size_t group,
                                 int32_t session_id, tt_ns_t ts);

/* GROUP's session ended: entries are refused until it opens again.
   Groups start open, so a portfolio without a clock trades always. */
void tt_portfolio_session_close(tt_portfolio_t *self, size_t group);
bool tt_portfolio_session_is_open(const tt_portfolio_t *self, size_t group);
size_t tt_portfolio_group_of(const tt_portfolio_t *self, size_t slot);

/* The end-of-day summary of GROUP so far: up to CAP per-symbol lines
   into LINES (in order of first trade) and the total into *TOTAL.
   Returns the number of symbols with trades (may exceed CAP). */
size_t tt_portfolio_eod(const tt_portfolio_t *self, size_t group,
                        tt_eod_line_t *lines, size_t cap, tt_eod_line_t *total);

/* Starts GROUP's summary again for session SESSION_ID (after it was
   read at a session's end: trades closing later count in the next). */
void tt_portfolio_eod_reset(tt_portfolio_t *self, size_t group,
                            int32_t session_id);

#endif
