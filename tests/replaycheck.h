/*  tests/replaycheck.h: what the replay reader tests share. */
#ifndef TT_TESTS_REPLAYCHECK_H
#define TT_TESTS_REPLAYCHECK_H
#include "marketdata/types.h"

/* The callers' instrument table, a tt_csv_lookup_fn: BTCUSD 0.01/0.0001,
   ETHUSD 0.01/1e-8, AAPL 0.01/1 share (indexes 0, 1, 2), -1 for any
   other name. ARG, when not NULL, is an int counting the calls. */
int tth_replay_lookup(void *arg, const char *symbol, tt_instrument_t *in);

#endif
