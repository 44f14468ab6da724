/*  indicators/indicator.h: one streaming indicator of any kind, built from
    a tt_ind_spec_t (indicators/spec.h). This is the interface the
    indicator actor uses: update with each closed candle of the spec's
    timeframe, read the value, snapshot and restore across restarts.

    Memory: one allocation at tt_indicator_new(), sized by the periods
    (a window of N doubles costs 8 N bytes), none afterwards. The whole
    object is plain bytes, so a snapshot is a copy and a restored
    indicator continues with bit-identical outputs. */
#ifndef TT_INDICATORS_INDICATOR_H
#define TT_INDICATORS_INDICATOR_H

#include <stddef.h>
#include <stdint.h>

#include "indicators/kinds.h"
#include "indicators/spec.h"
#include "marketdata/types.h"

typedef struct tt_indicator_t tt_indicator_t;

/* Checks SPEC; returns 0, or -1 with a message naming the kind and the
   parameter in ERR. */
int tt_ind_spec_validate(const tt_ind_spec_t *spec, char *err, size_t errlen);

/* Updates before the first ready value (TA-Lib's "lookback"), for a valid
   SPEC. */
uint32_t tt_ind_spec_warmup(const tt_ind_spec_t *spec);

/* "sma", "ema", "rsi", "macd", "bbands", "atr", "stoch", "vwap",
   "donchian"; NULL for an unknown kind. */
const char *tt_ind_kind_name(tt_ind_kind_t kind);
/* Parses a kind name (as above). Returns 0, or -1 if unknown. */
int tt_ind_kind_from_name(const char *name, tt_ind_kind_t *out);

/* Converts a candle from scaled integers once, at the edge (invariant 7).
   PX_DECIMALS / QTY_DECIMALS are the instrument's scales (0..18). */
tt_ind_input_t tt_ind_input_from_candle(const tt_candle_t *c, int px_decimals,
                                        int qty_decimals);

/* Creates an indicator; NULL with a message in ERR on a bad spec or out
   of memory. The caller owns it and frees it with tt_indicator_destroy. */
tt_indicator_t *tt_indicator_new(const tt_ind_spec_t *spec, char *err,
                                 size_t errlen);
void tt_indicator_destroy(tt_indicator_t **self_p);

void tt_indicator_update(tt_indicator_t *self, const tt_ind_input_t *in);
tt_ind_value_t tt_indicator_value(const tt_indicator_t *self);
uint32_t tt_indicator_warmup(const tt_indicator_t *self);
uint64_t tt_indicator_updates(const tt_indicator_t *self);
const tt_ind_spec_t *tt_indicator_spec(const tt_indicator_t *self);

/* Snapshot: the indicator's bytes, for the same build and spec only. */
size_t tt_indicator_snapshot_size(const tt_indicator_t *self);
/* Writes the snapshot into BUF; returns its size, or 0 if SIZE is short. */
size_t tt_indicator_snapshot(const tt_indicator_t *self, void *buf,
                             size_t size);
/* Replaces SELF's state by a snapshot of an indicator of the same spec.
   Returns 0, or -1 (SELF unchanged) on any mismatch. */
int tt_indicator_restore(tt_indicator_t *self, const void *buf, size_t size);

#endif
