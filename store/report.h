/*  store/report.h: the trading report of a run, read from its store's
    ledger: what `ticktree backtest` prints, writes as JSON and keeps in its
    database. Works on any store (a live one too).

    Definitions (docs/BACKTEST.md, "The report"):
    - A trade is a round trip: from a flat position to flat again (a fill
      that flips the side closes one trade and opens the next). Its gross
      P&L is the realized P&L of its fills, its net P&L that less their
      fees. Only closed trades count in trades, win rate, best, worst,
      Sharpe and Sortino; a position still open at the end is reported
      apart (open_qty).
    - Win rate: trades with net P&L > 0 over trades.
    - Max drawdown: the largest fall of cumulative net P&L (realized, after
      fees, fill by fill) from its running peak, in money.
    - Sharpe and Sortino, per trade, not annualised: with r_i = net P&L of
      trade i / starting equity, Sharpe = mean(r) / stdev(r) (sample
      standard deviation), Sortino = mean(r) / sqrt(mean(min(r_i, 0)^2));
      0 when undefined (fewer than two trades, no spread, no loss).
    - Exposure: the share of the run's event time (first to last event
      replayed) during which the position was not flat; the total's is
      the mean over the symbols, and its open_qty counts the symbols
      still open.
    - The ledger hash: SHA-256 over the ledger rows, one text line each
      (symbol, venue, fill id, client order id, side, qty, price, fee,
      time, realized, position, executed qty, commission, its decimals,
      its asset; the last four 0 and empty in rows older than store
      schema 3), ordered by symbol and then by the order
      each symbol's rows were written. Row ids are left out: symbols on
      different workers interleave their rows differently, their content
      does not. Two runs with the same hash have the same ledger. */
#ifndef TT_STORE_REPORT_H
#define TT_STORE_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

typedef struct {
    char symbol[32];
    int px_decimals; /* money scale of this symbol */
    int64_t fills;
    int64_t trades, wins;
    double gross, fees, net; /* money */
    double best, worst;      /* net P&L of one trade */
    double max_drawdown;     /* money, >= 0 */
    double sharpe, sortino;
    double exposure; /* 0..1 */
    int64_t open_qty;
    int qty_decimals;
} tt_report_line_t;

typedef struct {
    tt_report_line_t *lines; /* one per symbol with fills, by name */
    size_t count;
    tt_report_line_t total; /* exposure: any symbol not flat */
    double start_equity;
    int64_t first_ts, last_ts; /* the run's event time span */
    int64_t ledger_rows;
    char ledger_sha256[65];
} tt_report_t;

/* Looks up a symbol's money and quantity scales. 0, or -1 when unknown
   (the ledger's own qty_decimals and 2 price decimals are then used). */
typedef int(tt_report_scale_fn)(void *arg, const char *symbol,
                                int *px_decimals);

/* Builds the report from STORE's ledger. START_EQUITY (money) is the base
   of the returns; FIRST_TS..LAST_TS the run's event time span. 0, or -1
   with the reason in ERR. Free with tt_report_free. */
int tt_report_build(tt_store_t *store, double start_equity, int64_t first_ts,
                    int64_t last_ts, tt_report_scale_fn *scale, void *arg,
                    tt_report_t *out, char *err, size_t errsize);
void tt_report_free(tt_report_t *self);

/* The report as a table, for people. */
void tt_report_print(const tt_report_t *self, FILE *out);

/* The report as one JSON document. 0 or -1. */
int tt_report_write_json(const tt_report_t *self, FILE *out);

/* Keeps the report's JSON in the store's kv table under "report". */
int tt_report_store(const tt_report_t *self, tt_store_t *store);

#endif
