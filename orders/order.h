/*  orders/order.h: one order and its state machine, plus the deterministic
    client order id (invariant 4). Pure logic used by the order book
    (orders/book.h) inside each symbol's execution actor.

    States (docs/TRADING.md has the full table):

        NEW ----------> ACCEPTED ---> PARTIALLY_FILLED ---> FILLED
         |  \              |   \            |   \
         |   REJECTED      |    PENDING_CANCEL -> CANCELLED
         |                 |    PENDING_REPLACE -> REPLACED
         +-> (fills, cancel and expiry may arrive before the ack)

    ACCEPTED -> REJECTED is legal too: some venues acknowledge an order
    before routing it and may still reject it.
    NEW means the intent is recorded (and, once the actor has persisted
    it, sent). FILLED, CANCELLED, REJECTED, EXPIRED and REPLACED are
    terminal. A pending state goes back to ACCEPTED / PARTIALLY_FILLED
    when the venue refuses the cancel or the replace. A partial fill
    while pending keeps the pending state (only the filled quantity
    grows), so PARTIALLY_FILLED -> PARTIALLY_FILLED is the one self-edge. */
#ifndef TT_ORDERS_ORDER_H
#define TT_ORDERS_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"

typedef enum { TT_SIDE_BUY = 1, TT_SIDE_SELL = 2 } tt_side_t;

typedef enum {
    TT_ORD_MARKET = 1,
    TT_ORD_LIMIT = 2,
    TT_ORD_STOP = 3,       /* becomes a market order once triggered */
    TT_ORD_STOP_LIMIT = 4, /* becomes a limit order once triggered */
} tt_ord_type_t;

typedef enum {
    TT_TIF_DAY = 1, /* expires at the end of the session */
    TT_TIF_GTC = 2, /* good till cancelled */
    TT_TIF_IOC = 3, /* fill what is possible at once, expire the rest */
} tt_tif_t;

typedef enum {
    TT_OS_NEW = 1,
    TT_OS_ACCEPTED = 2,
    TT_OS_PARTIALLY_FILLED = 3,
    TT_OS_FILLED = 4,
    TT_OS_CANCELLED = 5,
    TT_OS_REJECTED = 6,
    TT_OS_EXPIRED = 7,
    TT_OS_PENDING_CANCEL = 8,
    TT_OS_PENDING_REPLACE = 9,
    TT_OS_REPLACED = 10,
} tt_ord_state_t;

#define TT_OS_MIN TT_OS_NEW
#define TT_OS_MAX TT_OS_REPLACED

/* What an order is for inside a bracket; the letter ends its client id. */
typedef enum {
    TT_ROLE_ENTRY = 'e',
    TT_ROLE_STOP = 's',
    TT_ROLE_TARGET = 't',
    TT_ROLE_EXIT = 'x',
} tt_role_t;

/* Longest client id we produce: fits Binance's 36 (Alpaca allows 128). */
#define TT_COID_MAX 36
/* Longest symbol used verbatim inside a client id. */
#define TT_COID_SYMBOL_MAX 16

typedef struct {
    char coid[TT_COID_MAX + 1]; /* client order id */
    uint64_t seq;               /* per-symbol sequence number in the id */
    tt_role_t role;
    tt_side_t side;
    tt_ord_type_t type;
    tt_tif_t tif;
    tt_ord_state_t state;
    tt_qty_t qty;      /* ordered quantity */
    tt_qty_t filled;   /* cumulative filled quantity */
    tt_px_t limit_px;  /* LIMIT and STOP_LIMIT; 0 otherwise */
    tt_px_t stop_px;   /* STOP and STOP_LIMIT; 0 otherwise */
    int64_t fill_cost; /* money value of the fills so far */
    int64_t fees;      /* money paid on this order's fills */
    tt_ns_t created_ts;
    tt_ns_t updated_ts;
    uint64_t replaces;   /* seq of the order this one replaces; 0 = none */
    int32_t reject_code; /* venue's code when REJECTED; 0 otherwise */
    char reason[64];     /* venue's text when REJECTED / EXPIRED */
} tt_order_t;

/* Upper-case names ("PARTIALLY_FILLED"), or "INVALID". */
const char *tt_ord_state_name(tt_ord_state_t state);
const char *tt_ord_type_name(tt_ord_type_t type);
const char *tt_side_name(tt_side_t side);
const char *tt_tif_name(tt_tif_t tif);

/* True when FROM -> TO is an edge of the order state machine. */
bool tt_ord_allowed(tt_ord_state_t from, tt_ord_state_t to);

/* True for FILLED, CANCELLED, REJECTED, EXPIRED, REPLACED. */
bool tt_ord_terminal(tt_ord_state_t state);

/* True while the venue may still fill the order (NEW, ACCEPTED,
   PARTIALLY_FILLED, PENDING_CANCEL, PENDING_REPLACE). */
bool tt_ord_live(tt_ord_state_t state);

/* Moves SELF to TO at TS. 0, or -1 (state unchanged) when illegal. */
int tt_order_move(tt_order_t *self, tt_ord_state_t to, tt_ns_t ts);

/* Quantity still open: qty - filled. */
tt_qty_t tt_order_leaves(const tt_order_t *self);

/* Opposite side. */
tt_side_t tt_side_opposite(tt_side_t side);

/* Copies the string SRC into DST of CAP bytes, cut to CAP - 1 and
   always terminated: snprintf(DST, CAP, "%s", SRC) without the format
   machinery (client ids, fill ids and reasons are copied several times
   per order event, on the execution actor's path). */
void tt_order_copy_text(char *dst, size_t cap, const char *src);

/* Deterministic client order id for SYMBOL, SEQ and ROLE:
       tt-<SYM>-<seq in base 36, lower case>-<role letter>
   SYM is SYMBOL itself when it has 1..16 characters from [A-Za-z0-9.];
   otherwise its first (up to) 9 such characters, '_' and 6 base-36
   digits of a 64-bit FNV-1a hash of the whole symbol, so a hashed form
   can never equal a verbatim one. At most 35 characters, all within
   Binance's [.A-Z:/a-z0-9_-]. Writes into OUT (TT_COID_MAX + 1 bytes).
   Returns the length, or -1 (OUT set to "") when SYMBOL is NULL/empty
   or ROLE is not a tt_role_t. */
int tt_coid_format(char *out, const char *symbol, uint64_t seq, tt_role_t role);

/* Parses an id made by tt_coid_format: *SEQ and *ROLE (either may be
   NULL). 0, or -1 when ID is not one of ours. */
int tt_coid_parse(const char *id, uint64_t *seq, tt_role_t *role);

#endif
