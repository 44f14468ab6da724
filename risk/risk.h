/*  risk/risk.h: the per-symbol risk manager, consulted by the execution
    actor before every order it derives from a signal. It sizes entries
    and refuses them with a reason code and a sentence; it never blocks an
    exit or a stop move, because reducing risk must always be possible.

    Portfolio-wide numbers (equity, exposure, open positions, realized
    P&L today, circuit breaker) belong to the portfolio actor; they come
    in as a snapshot struct with every check. Time is the event time
    passed in (invariant 8). Pure logic, fixed size, no allocation.

    Money: symbol money is at the instrument's price scale (orders/money.h);
    account money (snapshot, max_exposure, max_daily_loss) has the
    snapshot's own `decimals`, and the quote currency is assumed to be the
    account currency (the portfolio actor converts otherwise). */
#ifndef TT_RISK_RISK_H
#define TT_RISK_RISK_H

#include <stdbool.h>
#include <stdint.h>

#include "marketdata/types.h"
#include "strategies/signal.h"

#define TT_RISK_RATE_MAX 256 /* largest max_orders_per_min */

/* Rejection reasons, in the order the checks run. */
typedef enum {
    TT_RISK_OK = 0,
    TT_RISK_PAUSED = 1,          /* symbol paused by operator or staleness */
    TT_RISK_STALE_DATA = 2,      /* market data older than its limit */
    TT_RISK_COLD_INDICATORS = 3, /* indicators still warming up */
    TT_RISK_BREAKER = 4,         /* circuit breaker tripped */
    TT_RISK_DAILY_LOSS = 5,      /* daily loss limit reached */
    TT_RISK_COOLDOWN = 6,        /* after max consecutive losses */
    TT_RISK_RATE_LIMIT = 7,      /* max orders per minute */
    TT_RISK_POSITION_OPEN = 8,   /* one open position per symbol */
    TT_RISK_BAD_SIGNAL = 9,      /* no price, stop on the wrong side... */
    TT_RISK_SIZE_ZERO = 10,      /* sized to less than one lot */
    TT_RISK_MAX_POSITION = 11,   /* above the per-symbol maximum */
    TT_RISK_MAX_OPEN_POSITIONS = 12, /* portfolio position count */
    TT_RISK_MAX_EXPOSURE = 13,       /* portfolio notional exposure */
    TT_RISK_SESSION_CLOSED = 14,     /* the venue's market session is shut */
    TT_RISK_UNPROTECTED = 15,        /* an open position has no working stop */
} tt_risk_reason_t;

#define TT_RISK_REASONS 16

typedef enum {
    TT_SIZE_FIXED_QTY = 1,      /* fixed_qty */
    TT_SIZE_FIXED_NOTIONAL = 2, /* fixed_notional / price */
    TT_SIZE_RISK_PCT = 3,       /* equity * risk_bps / 10000 / stop distance */
} tt_sizing_t;

typedef struct {
    tt_sizing_t sizing;
    tt_qty_t fixed_qty;         /* FIXED_QTY */
    int64_t fixed_notional;     /* FIXED_NOTIONAL, symbol money */
    int32_t risk_bps;           /* RISK_PCT: 100 = 1% of equity at risk */
    tt_qty_t max_pos_qty;       /* per-symbol cap; 0 = none */
    int64_t max_pos_notional;   /* per-symbol cap, symbol money; 0 = none */
    bool reject_over_max;       /* true: refuse; false: clamp down to cap */
    int64_t max_exposure;       /* account money; 0 = none */
    int32_t max_open_positions; /* portfolio; 0 = none */
    int64_t max_daily_loss;     /* account money (> 0); 0 = none */
    int32_t max_consec_losses;  /* 0 = none */
    tt_ns_t cooldown_ns;        /* 0 = cool down until the next session */
    int32_t max_orders_per_min; /* 0 = none; at most TT_RISK_RATE_MAX */
} tt_risk_cfg_t;

/* The portfolio actor's numbers at the time of the check. */
typedef struct {
    int64_t equity;         /* account money */
    int64_t exposure;       /* sum of |notional| of open positions */
    int32_t open_positions; /* symbols with a non-zero position */
    int64_t realized_today; /* net realized P&L of the trading day */
    int32_t decimals;       /* scale of the account money above (0..18) */
    bool breaker_tripped;   /* risk/breaker.h state */
} tt_portfolio_snap_t;

/* The symbol's own state at the time of the check. */
typedef struct {
    bool paused;      /* operator pause or stale pause */
    bool stale;       /* last tick older than the staleness limit */
    bool warm;        /* every indicator warmed up */
    bool busy;        /* tt_book_busy(): a position or orders are open */
    bool unprotected; /* tt_book_unprotected_since(): no working stop */
} tt_symbol_view_t;

typedef struct {
    tt_risk_reason_t reason;
    tt_qty_t qty; /* approved size (entries); 0 when refused */
    bool clamped; /* size cut down to a per-symbol cap */
    char text[160];
} tt_risk_decision_t;

typedef struct {
    tt_risk_cfg_t cfg;
    tt_instrument_t inst;
    bool halted;        /* daily loss limit hit: until next session */
    bool cool_session;  /* cooling down until the next session */
    tt_ns_t cool_until; /* cooling down until then; 0 = not */
    int32_t consec_losses;
    uint64_t session_id;
    tt_ns_t sent[TT_RISK_RATE_MAX]; /* ring of order send times */
    int32_t sent_head;
    int32_t sent_n;
    uint64_t refusals[TT_RISK_REASONS]; /* counted by reason */
    char err[160];
} tt_risk_t;

/* Initialises SELF. 0, or -1 with the reason in SELF->err (bad sizing
   mode, negative limits, rate above TT_RISK_RATE_MAX, bad instrument). */
int tt_risk_init(tt_risk_t *self, const tt_risk_cfg_t *cfg,
                 const tt_instrument_t *inst);

/* Checks SIG at NOW. Entries run every check and get a size; EXIT,
   MOVE_STOP and NONE are always approved. Returns 0 (OUT->reason OK,
   OUT->qty set for entries) or -1 (OUT->reason and OUT->text say why). */
int tt_risk_check(tt_risk_t *self, const tt_signal_t *sig,
                  const tt_portfolio_snap_t *pf, const tt_symbol_view_t *sym,
                  tt_ns_t now, tt_risk_decision_t *out);

/* An order (any kind) was sent at TS: feeds the orders-per-minute window,
   which blocks entries only. */
void tt_risk_on_order_sent(tt_risk_t *self, tt_ns_t ts);

/* A round trip closed at TS with net P&L NET (after fees): counts
   consecutive losses (NET < 0) and starts the cooldown. */
void tt_risk_on_trade_closed(tt_risk_t *self, int64_t net, tt_ns_t ts);

/* A new trading session SESSION_ID began: lifts the daily-loss halt and
   a session-long cooldown, and resets the loss streak. */
void tt_risk_new_session(tt_risk_t *self, uint64_t session_id, tt_ns_t ts);

/* "DAILY_LOSS"..., or "INVALID". */
const char *tt_risk_reason_name(tt_risk_reason_t reason);

#endif
