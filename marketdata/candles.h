/*  marketdata/candles.h: the per-symbol candle builder. Ticks become 1 s
    candles, 1 s candles (and venue bars) become every configured
    timeframe. Pure logic owned by a symbol's data actor; that actor's
    worker thread is the only one that touches it.

    Rules (docs/MARKETDATA.md has the long form):
    - Intervals are aligned to UTC: open_ts = floor(ts / tf) * tf.
    - Time is event time only: ticks, bars and tt_candles_advance() move
      it forward; a candle closes once time reaches its end. A tick at
      exactly a boundary belongs to the new candle.
    - No fake candles (invariant 1): an interval without trades produces
      no candle at any timeframe, however long the gap.
    - A tick whose second has already closed is late and dropped; a
      non-zero trade id seen among the last TT_CANDLES_DUP_WINDOW accepted
      ticks is a duplicate and dropped. Both are counted.
    - Inside the forming second, open is the earliest tick by timestamp and
      close the latest (ties: first / last to arrive), so arrival order
      inside a second does not change the candle.
    - Closed candles are written to a caller array (at most
      TT_CANDLES_MAX_OUT per call), in closing order; candles closing at
      the same moment come smallest timeframe first.
    - Volume and trade counts saturate at their type's maximum, counted in
      the stats. */
#ifndef TT_MARKETDATA_CANDLES_H
#define TT_MARKETDATA_CANDLES_H

#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"

#define TT_CANDLES_MAX_TF 8 /* timeframes above the implicit 1 s one */
#define TT_CANDLES_LEVELS (TT_CANDLES_MAX_TF + 1)
/* A bar can close every level once before it and once at its own end. */
#define TT_CANDLES_MAX_OUT (2 * TT_CANDLES_LEVELS)
#define TT_CANDLES_DUP_WINDOW 32 /* recent trade ids kept for dedup */
#define TT_CANDLES_MAX_TF_S (31 * 86400)
/* Latest accepted timestamp: leaves room to add two of the largest
   timeframes without overflow (about the year 2262). */
#define TT_CANDLES_MAX_TS                                                      \
    (INT64_MAX - 2 * (int64_t)TT_CANDLES_MAX_TF_S * TT_NS_PER_SEC)

typedef struct {
    int32_t tfs[TT_CANDLES_MAX_TF]; /* seconds, > 1, strictly increasing */
    uint32_t ntf;                   /* entries used in tfs */
    uint32_t history;               /* closed candles kept per timeframe */
} tt_candles_config_t;

typedef struct {
    uint64_t ticks;        /* accepted ticks */
    uint64_t duplicates;   /* dropped: trade id seen recently */
    uint64_t late;         /* dropped: their second had already closed */
    uint64_t invalid;      /* refused: size <= 0 or ts out of range */
    uint64_t bars;         /* accepted venue bars */
    uint64_t bars_late;    /* dropped: overlap data already taken */
    uint64_t bars_empty;   /* dropped: volume 0, i.e. no trades */
    uint64_t bars_unused;  /* dropped: no timeframe is a multiple of it */
    uint64_t bars_invalid; /* refused: misaligned or inconsistent OHLC */
    uint64_t emitted;      /* closed candles written out, all levels */
    uint64_t saturated;    /* volume or trade count hit its maximum */
} tt_candles_stats_t;

typedef struct tt_candles_t tt_candles_t;

/* Creates a builder; one allocation holds it and its history rings.
   Returns NULL and writes a message into ERR on a bad config. The caller
   owns the result and frees it with tt_candles_destroy(). */
tt_candles_t *tt_candles_new(const tt_candles_config_t *cfg, char *err,
                             size_t errlen);
void tt_candles_destroy(tt_candles_t **self_p);

/* Feeds one trade. Writes the candles it closes into OUT (CAP must be at
   least TT_CANDLES_MAX_OUT) and returns their number, or -1 for an
   invalid tick (size <= 0, ts < 0 or ts > TT_CANDLES_MAX_TS). Late and
   duplicate ticks return 0 and are counted. */
int tt_candles_tick(tt_candles_t *self, const tt_tick_t *tick, tt_candle_t *out,
                    size_t cap);

/* Moves event time to NOW and writes the candles whose end is <= NOW.
   A NOW earlier than the builder's time changes nothing. Live callers
   pass their clock minus a lateness allowance for feed latency. */
int tt_candles_advance(tt_candles_t *self, tt_ns_t now, tt_candle_t *out,
                       size_t cap);

/* Feeds a closed venue bar (bar->tf_s seconds, open_ts aligned to it).
   It is emitted as-is at its own timeframe if configured and merged into
   every configured timeframe that is a multiple of it; the 1 s level and
   the others get nothing from it. It moves time to its end. Returns the
   number of candles written, or -1 for an invalid bar; late, empty and
   unusable bars return 0 and are counted. */
int tt_candles_bar(tt_candles_t *self, const tt_candle_t *bar, tt_candle_t *out,
                   size_t cap);

/* The candle forming at TF_S (1 or a configured timeframe), closed =
   false, without changing any state. Returns 0, or -1 if no trade has
   happened in the current interval (or TF_S is not configured). */
int tt_candles_forming(const tt_candles_t *self, int32_t tf_s,
                       tt_candle_t *out);

/* The INDEX-th most recent closed candle at TF_S (0 = latest). Returns 0,
   or -1 if there is no such candle. */
int tt_candles_history(const tt_candles_t *self, int32_t tf_s, uint32_t index,
                       tt_candle_t *out);
/* Number of closed candles currently held at TF_S (0 if unknown tf). */
uint32_t tt_candles_history_count(const tt_candles_t *self, int32_t tf_s);

tt_ns_t tt_candles_now(const tt_candles_t *self);
tt_candles_stats_t tt_candles_stats(const tt_candles_t *self);

/* Snapshot: the whole state (forming candles, clocks, dedup ring, stats,
   history) as bytes for a restart. The format is for the same build and
   config only; restore refuses anything else. */
size_t tt_candles_snapshot_size(const tt_candles_t *self);
/* Writes the snapshot into BUF; returns its size, or 0 if SIZE is short. */
size_t tt_candles_snapshot(const tt_candles_t *self, void *buf, size_t size);
/* Replaces SELF's state with a snapshot taken from a builder of the same
   config. Returns 0, or -1 (SELF unchanged) on a mismatch. */
int tt_candles_restore(tt_candles_t *self, const void *buf, size_t size);

#endif
