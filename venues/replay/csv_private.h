/*  venues/replay/csv_private.h: the CSV reader's state, shared by csv.c
    (file, lines, header, policy) and csvrow.c (one row to one record).
    Not for use outside venues/replay. */
#ifndef TT_REPLAY_CSV_PRIVATE_H
#define TT_REPLAY_CSV_PRIVATE_H

#include <zlib.h>

#include "venues/replay/csv.h"

#define TT_CSV_BUF_SIZE 65536 /* bytes read from the file at a time */
#define TT_CSV_MAX_COLS 64    /* header columns */

typedef enum {
    TT_CSV_COL_TS = 0,
    TT_CSV_COL_SYMBOL,
    TT_CSV_COL_PRICE,
    TT_CSV_COL_SIZE,
    TT_CSV_COL_TRADE_ID,
    TT_CSV_COL_OPEN,
    TT_CSV_COL_HIGH,
    TT_CSV_COL_LOW,
    TT_CSV_COL_CLOSE,
    TT_CSV_COL_VOLUME,
    TT_CSV_COL_TRADES,
    TT_CSV_COL_COUNT
} tt_csv_col_t;

typedef struct {
    const char *text;
    size_t len;
} tt_csv_field_t;

/* A symbol the lookup has answered (csvrow.c): a file of many symbols
   changes symbol on nearly every row, and asking the caller each time
   was a tenth of the parse. */
typedef struct {
    char name[TT_CSV_SYMBOL_MAX]; /* "" = a free slot */
    size_t len;
    int32_t index;
    tt_instrument_t in;
} tt_csv_sym_t;

struct tt_csv_reader_t {
    char *path;
    tt_csv_opts_t opts; /* opts.symbol points at fixed_name */
    gzFile gz;
    char buf[TT_CSV_BUF_SIZE]; /* raw bytes from the file */
    size_t buf_pos, buf_len;
    char line[TT_CSV_LINE_MAX + 1]; /* current line, NUL terminated */
    size_t line_len;
    bool too_long;   /* current line was cut */
    int64_t line_no; /* of the current line */
    char zmsg[128];  /* zlib's message after a read error */
    bool done, failed;
    char error[TT_CSV_MESSAGE_MAX];

    int ncols;                 /* fields per row, from the header */
    int col[TT_CSV_COL_COUNT]; /* field index of each column, or -1 */
    int ts_unit;               /* tt_ts_unit_t of the timestamp column */
    char ts_name[32];          /* its name, for messages */
    int32_t tf_s;              /* bars: timeframe */
    tt_csv_field_t fields[TT_CSV_MAX_COLS];

    char fixed_name[TT_CSV_SYMBOL_MAX]; /* symbol of a symbol-less file */
    int32_t fixed_index;
    tt_instrument_t fixed_in;
    tt_csv_sym_t *syms;          /* symbols looked up, open addressing */
    size_t syms_cap, syms_count; /* cap: 0 or a power of two */

    tt_ns_t *last_ts; /* per symbol index: last time accepted */
    size_t last_cap;
    tt_ns_t file_last_ts; /* last time accepted in the file */
    tt_csv_stats_t stats;
};

/* Reports a bad row of the current line: strict mode stores
   "FILE:LINE: message", marks the reader failed and returns -1; lenient
   mode counts REASON, keeps the first messages and returns 0. */
int tt_csv_problem(tt_csv_reader_t *self, tt_csv_skip_t reason, const char *fmt,
                   ...) __attribute__((format(printf, 3, 4)));

/* Converts the current line into *REC: 1 when it gives a record, 0 when
   it was skipped (lenient), -1 on a strict-mode error. */
int tt_csv_row_parse(tt_csv_reader_t *self, tt_replay_record_t *rec);

#endif
