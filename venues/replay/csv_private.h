/*  venues/replay/csv_private.h: the CSV reader's state, shared by csv.c
    (file, lines, header, policy) and csvrow.c (one row to one record).
    Not for use outside venues/replay. */
#ifndef TT_REPLAY_CSV_PRIVATE_H
#define TT_REPLAY_CSV_PRIVATE_H

#include <zlib.h>

#include "venues/replay/csv.h"

#define TT_CSV_BUF_SIZE 65536 /* bytes read from the file at a time */
#define TT_CSV_MAX_COLS 64    /* header columns */
/* Bytes readable past a line's NUL: numbers are read eight bytes at a
   time (tt_decimal_digits) up to the first byte that is not a digit. */
#define TT_CSV_PAD 8

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
    char buf[TT_CSV_BUF_SIZE + TT_CSV_PAD]; /* raw bytes from the file */
    size_t buf_pos, buf_len;
    char *line; /* current line, NUL terminated: in buf when it lies there
                   whole (its newline overwritten), else in line_buf */
    char line_buf[TT_CSV_LINE_MAX + 1 + TT_CSV_PAD]; /* across two reads */
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
    signed char role[TT_CSV_MAX_COLS]; /* tt_csv_col_t of each field, -1 */
    bool fast;         /* tick rows try the one-pass parse (csvfast.c) */
    bool general_only; /* tests: every row by the general parse */

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
   it was skipped (lenient), -1 on a strict-mode error. A tick row in the
   plain form goes through tt_csv_row_fast, any other row (and any row
   that one declines) through the general parse, which alone reports. */
int tt_csv_row_parse(tt_csv_reader_t *self, tt_replay_record_t *rec);

/* After the header: each field's role, and whether rows may take the
   one-pass parse. */
void tt_csv_row_setup(tt_csv_reader_t *self);

/* The one-pass parse of a tick row in the plain form (csvfast.c): 1 with
   *REC filled exactly as the general parse would fill it, or 0 when the
   row is anything else (spaces, signs, exponents, quotes, a field too
   many or too few, a value out of the short form's range, an unknown
   symbol, a value the general parse refuses), with nothing changed:
   the general parse then answers. Time order is not checked here. */
int tt_csv_row_fast(const tt_csv_reader_t *self, tt_replay_record_t *rec);

/* The symbol NAME (LEN bytes, readable for at least eight: a name in
   the line, which is padded, or in a TT_CSV_SYMBOL_MAX array) as the
   lookup answered it, or NULL when it has not been asked yet. */
const tt_csv_sym_t *tt_csv_sym_find(const tt_csv_reader_t *self,
                                    const char *name, size_t len);

/* Tests: every row of SELF through the general parse, so the two can be
   held to each other. */
void tt_csv_general_only(tt_csv_reader_t *self, bool on);

#endif
