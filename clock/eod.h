/*  clock/eod.h: the end-of-day summary arithmetic. The clock actor feeds
    it every trade closed during a session and, at the session's end,
    reads one line per symbol plus a total (for the EOD event, the
    Discord report and the dashboard), then resets it for the next
    session. Pure logic, no I/O.

    Amounts are scaled int64 in ONE money scale (the account currency's,
    e.g. cents): the caller converts each trade's P&L and fees to it
    before adding, so that symbols quoted at different scales can be
    summed. Definitions:
    - a trade is a win when its net P&L (gross - fees) is > 0; a
      break-even trade counts as a trade but not as a win;
    - win rate = wins / trades, in basis points (0 when no trades);
    - net = gross - fees; fees are given as a positive cost;
    - max drawdown is measured on the closed-trade equity curve: equity
      starts at 0 at the start of the session and moves by each trade's
      net P&L in the order fed; drawdown is the largest fall from a
      running peak (the peak starts at 0, so a losing first trade is a
      drawdown). Intra-trade excursions are not seen. */
#ifndef TT_CLOCK_EOD_H
#define TT_CLOCK_EOD_H

#include <stddef.h>
#include <stdint.h>

#define TT_EOD_SYMBOL_MAX 32

typedef struct {
    char symbol[TT_EOD_SYMBOL_MAX]; /* "" for the total */
    uint32_t trades;
    uint32_t wins;
    int64_t gross;        /* sum of gross P&L */
    int64_t fees;         /* sum of fees (positive = cost) */
    int64_t net;          /* gross - fees */
    int64_t peak;         /* highest closed-trade equity so far (>= 0) */
    int64_t max_drawdown; /* >= 0 */
} tt_eod_line_t;

typedef struct tt_eod tt_eod_t;

/* A summary with room for CAPACITY symbols; NULL on allocation failure.
   The caller owns it. */
tt_eod_t *tt_eod_new(size_t capacity);
void tt_eod_destroy(tt_eod_t **self_p);

/* Empties the summary for session SESSION_ID (yyyymmdd). */
void tt_eod_reset(tt_eod_t *self, int32_t session_id);
int32_t tt_eod_session_id(const tt_eod_t *self);

/* Adds one closed trade. Returns 0, or -1 when SYMBOL is empty or too
   long, FEES is negative, or a new symbol finds the summary full. */
int tt_eod_add_trade(tt_eod_t *self, const char *symbol, int64_t gross,
                     int64_t fees);

/* Per-symbol lines, in order of first trade. */
size_t tt_eod_count(const tt_eod_t *self);
const tt_eod_line_t *tt_eod_at(const tt_eod_t *self, size_t i);
/* The line of SYMBOL, or NULL when it has no trade. */
const tt_eod_line_t *tt_eod_find(const tt_eod_t *self, const char *symbol);
/* All symbols together, in the order trades were fed. */
const tt_eod_line_t *tt_eod_total(const tt_eod_t *self);

/* wins / trades in basis points (10000 = 100%), rounded down; 0 when
   there are no trades. */
int32_t tt_eod_win_rate_bp(const tt_eod_line_t *line);

#endif
