/*  indicators/set.h: a symbol's indicators as one object. Pure logic, used
    by the indicator actor (actors/indicator.c) on the symbol's worker.

    The set holds the indicators a strategy declared, in declared order,
    and per timeframe how many closed candles it has consumed, the latest
    one, and how many it needs before it counts as warm. Three rules live
    here so that every source of candles obeys them alike (live candles,
    candles replayed from the store at start, a venue's history):

    - Candles of one timeframe are consumed in strictly increasing open
      time. A candle not newer than the last one consumed on its
      timeframe is skipped, so a source that overlaps what the set has
      already seen (the store replay and a venue's history after a
      restart, the sim venue's regenerated past) cannot apply a candle
      twice.
    - The set is warm once every timeframe has consumed its need (the
      strategy's warm-up on it, at least every indicator's own).
    - A preview computes what a forming candle would give on copies of
      the indicators: the set itself never changes.

    The snapshot is the whole set (the indicators' bytes, the counts and
    the latest open time per timeframe) in one blob, for the same build
    and the same specs; the indicator actor stores it through the bus and
    restores it at start (actors/warmup.h). Memory: everything is
    allocated at tt_indset_new(); updates, previews and snapshots
    allocate nothing. */
#ifndef TT_INDICATORS_SET_H
#define TT_INDICATORS_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "indicators/indicator.h"

#define TT_INDSET_TF_MAX 8 /* distinct timeframes, like a symbol's config */
#define TT_INDSET_OLD (-1) /* tt_indset_update: candle skipped */

typedef struct tt_indset tt_indset_t;

/* One timeframe of the set. */
typedef struct {
    int32_t tf_s;
    uint32_t need;        /* candles before the set is warm on it */
    uint64_t have;        /* candles consumed (restored ones included) */
    tt_ns_t last_open_ts; /* latest candle consumed; -1 before the first */
} tt_indset_tf_t;

/* How far the set is from warm: the timeframe furthest from its need
   (the slowest one once warm). */
typedef struct {
    bool warm;
    uint32_t have; /* candles consumed on TF_S, at most NEED */
    uint32_t need;
    int32_t tf_s; /* 0 when the set tracks no timeframe */
} tt_indset_progress_t;

/* Creates the set of COUNT indicators from SPECS (their timeframes are
   tracked, each needing its slowest indicator's warm-up plus one), for an
   instrument with the given scales. NULL with the reason in ERR (a bad
   spec, more than TT_INDSET_TF_MAX timeframes, out of memory). The caller
   owns it: tt_indset_destroy. */
tt_indset_t *tt_indset_new(const tt_ind_spec_t *specs, size_t count,
                           int px_decimals, int qty_decimals, char *err,
                           size_t errlen);
void tt_indset_destroy(tt_indset_t **self_p);

/* Tracks TF_S (if new) and raises its need to at least NEED candles.
   0, or -1 when TF_S <= 0 or the set already tracks TT_INDSET_TF_MAX. */
int tt_indset_need(tt_indset_t *self, int32_t tf_s, uint32_t need);

size_t tt_indset_count(const tt_indset_t *self);
const tt_indicator_t *tt_indset_indicator(const tt_indset_t *self, size_t i);
/* Indicators on TF_S. */
size_t tt_indset_count_on(const tt_indset_t *self, int32_t tf_s);

size_t tt_indset_tf_count(const tt_indset_t *self);
const tt_indset_tf_t *tt_indset_tf_at(const tt_indset_t *self, size_t i);
/* The entry of TF_S, or NULL when not tracked. */
const tt_indset_tf_t *tt_indset_tf(const tt_indset_t *self, int32_t tf_s);

/* Consumes closed candle C: updates the indicators on C's timeframe and
   writes their values, in declared order, into OUT (CAP must be at least
   tt_indset_count_on(C's timeframe)). Returns the number of values, or
   TT_INDSET_OLD when C is not newer than the last candle consumed on its
   timeframe (nothing changed). A candle of an untracked timeframe with no
   indicator returns 0 and changes nothing. */
int tt_indset_update(tt_indset_t *self, const tt_candle_t *c,
                     tt_ind_value_t *out, size_t cap);

/* What candle C (a forming one, usually) would give: the values the
   indicators on C's timeframe would have after it, computed on copies.
   The set's state is not changed (only its scratch copies are). Returns
   the number of values written into OUT. */
int tt_indset_preview(tt_indset_t *self, const tt_candle_t *c,
                      tt_ind_value_t *out, size_t cap);

/* Current values of the indicators on TF_S (no candle applied). */
int tt_indset_values(const tt_indset_t *self, int32_t tf_s, tt_ind_value_t *out,
                     size_t cap);

bool tt_indset_warm(const tt_indset_t *self);
tt_indset_progress_t tt_indset_progress(const tt_indset_t *self);

/* The snapshot: its size (fixed for a set), and the bytes into BUF
   (returns the size, or 0 if SIZE is short). */
size_t tt_indset_snapshot_size(const tt_indset_t *self);
size_t tt_indset_snapshot(const tt_indset_t *self, void *buf, size_t size);
/* Replaces the set's state (indicators, counts, latest open times of the
   timeframes in the snapshot) by BUF's. Returns 0, or -1 with SELF
   unchanged when BUF is not a snapshot of a set with the same specs and
   timeframes from this build. */
int tt_indset_restore(tt_indset_t *self, const void *buf, size_t size);

#endif
