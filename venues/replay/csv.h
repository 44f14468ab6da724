/*  venues/replay/csv.h: streaming reader of historical ticks and bars from
    CSV files (plain or gzip), the input of backtests and of the replay
    venue.

    A file starts with a header line naming its columns (order free):
      ticks: a timestamp column, price, size [, trade_id] [, symbol]
      bars:  a timestamp column, open, high, low, close, volume [, trades]
             [, symbol]
    The timestamp column's name gives its unit (venues/replay/timestamp.h).
    Without a symbol column every row belongs to the symbol the caller
    names. Numbers are exact decimals, scaled with the instrument the
    caller's lookup returns for the row's symbol.

    The reader holds one fixed buffer and one line, whatever the file size;
    it returns one record at a time. Bad rows either stop the read with
    "FILE:LINE: message" (strict) or are skipped and counted per reason,
    keeping the first few messages (lenient). Formats and policy:
    docs/DATA.md. Pure logic apart from reading the file; runs on the
    thread of the replay venue or of `ticktree backtest`. */
#ifndef TT_REPLAY_CSV_H
#define TT_REPLAY_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"

#define TT_CSV_LINE_MAX 4096   /* longest line accepted, bytes */
#define TT_CSV_KEEP_MESSAGES 8 /* lenient: messages kept */
#define TT_CSV_MESSAGE_MAX 256 /* bytes per message, NUL included */
#define TT_CSV_SYMBOL_MAX 32   /* symbol bytes, NUL included */

typedef enum {
    TT_CSV_TICKS = 0,
    TT_CSV_BARS = 1,
} tt_csv_kind_t;

/* Why a row was refused (lenient mode counts each). */
typedef enum {
    TT_CSV_SKIP_FIELDS = 0, /* more or fewer fields than the header */
    TT_CSV_SKIP_NUMBER,     /* unparsable number or timestamp */
    TT_CSV_SKIP_VALUE,      /* parsed but invalid (price <= 0, bad bar) */
    TT_CSV_SKIP_BACKWARDS,  /* time goes backwards */
    TT_CSV_SKIP_SYMBOL,     /* symbol not in the caller's table */
    TT_CSV_SKIP_LONG_LINE,  /* line longer than TT_CSV_LINE_MAX */
    TT_CSV_SKIP_EMPTY_FILE, /* no header line at all */
    TT_CSV_SKIP_TRUNCATED,  /* compressed stream ends early or is corrupt */
    TT_CSV_SKIP_REASONS
} tt_csv_skip_t;

/* Maps a symbol to its instrument: returns the caller's index for it
   (>= 0, its interned id) and fills *INSTRUMENT, or -1 when unknown. A
   reader asks once per known symbol and keeps the answer (an unknown
   one is asked again). */
typedef int(tt_replay_lookup_fn)(void *arg, const char *symbol,
                                 tt_instrument_t *instrument);

typedef struct {
    tt_csv_kind_t kind;
    bool strict;        /* stop at the first bad row (else skip, count) */
    bool time_ordered;  /* time must not go backwards across symbols
                           either (needed to merge a multi-symbol file) */
    const char *symbol; /* every row's symbol when there is no column */
    int32_t tf_s;       /* bars: timeframe, seconds; 0 = from the file */
    tt_replay_lookup_fn *lookup;
    void *lookup_arg;
    int32_t tf_default_s; /* bars: timeframe when neither tf_s nor the
                             file gives one; 0 = none (an error) */
} tt_csv_opts_t;

typedef struct {
    int32_t symbol;  /* index the lookup returned */
    tt_ns_t ts;      /* event time: the trade's, or a bar's close time */
    tt_tick_t tick;  /* ticks */
    tt_candle_t bar; /* bars (closed = true) */
    int64_t line;    /* line of the file it came from */
} tt_replay_record_t;

typedef struct {
    int64_t rows;    /* data lines seen (not header, comment, blank) */
    int64_t records; /* records returned */
    int64_t skipped[TT_CSV_SKIP_REASONS];
    int64_t skipped_total;
    int kept; /* messages kept (first TT_CSV_KEEP_MESSAGES) */
    char messages[TT_CSV_KEEP_MESSAGES][TT_CSV_MESSAGE_MAX];
} tt_csv_stats_t;

typedef struct tt_csv_reader_t tt_csv_reader_t;

/* Opens PATH (gzip or plain, told apart by content) and reads its header.
   Returns NULL with "FILE[:LINE]: message" in ERR when the file cannot be
   read or its header is unusable (and, in strict mode, when it is empty).
   OPTS is copied; LOOKUP is required. */
tt_csv_reader_t *tt_csv_open(const char *path, const tt_csv_opts_t *opts,
                             char *err, size_t errsize);

/* Reads the next record into *REC. Returns 1, 0 at the end of the file,
   or -1 on an error (tt_csv_error), after which it keeps returning -1. */
int tt_csv_next(tt_csv_reader_t *self, tt_replay_record_t *rec);

/* The error that stopped the read ("FILE:LINE: message"), or "". */
const char *tt_csv_error(const tt_csv_reader_t *self);

const tt_csv_stats_t *tt_csv_stats(const tt_csv_reader_t *self);

/* Bytes this reader has allocated itself (fixed after open apart from one
   timestamp per distinct symbol seen). */
size_t tt_csv_memory(const tt_csv_reader_t *self);

/* Timeframe of a bar file, seconds (0 for ticks). */
int32_t tt_csv_timeframe(const tt_csv_reader_t *self);

/* Name of a skip reason, e.g. "bad number". */
const char *tt_csv_skip_name(tt_csv_skip_t reason);

/* Closes the file; accepts NULL and nulls the caller's pointer. */
void tt_csv_close(tt_csv_reader_t **self_p);

#endif
