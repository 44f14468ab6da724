/*  venues/replay/csvfast.c: a tick row in one pass (tt_csv_row_fast, see
    csv_private.h), the form `ticktree simulate` writes and exchanges
    export: each field read once, from its first byte straight to its
    value, without splitting the line first. The row's symbol may come
    after its prices, so a price is read as its digits and scaled once
    the symbol is known. Anything else it declines, changing nothing, so
    every refusal and its message (file, line, column, value) still
    comes from the general parse in csvrow.c. Runs on the reader's
    thread. */
#include "venues/replay/csv_private.h"

#include <string.h>

#include "marketdata/decimal.h"
#include "venues/replay/timestamp.h"

/* What one row's fields gave, before the symbol's scale applies. */
typedef struct {
    const tt_csv_sym_t *sym; /* NULL: the file's own symbol */
    tt_ns_t ts;
    tt_decimal_plain_t price, size;
    uint64_t trade_id; /* 0 without the column */
} s_row_t;

/* The end of the field at P: the ',' or the NUL after it. */
static const char *s_skip(const char *p)
{
    while (*p != ',' && *p != '\0')
        p++;
    return p;
}

/* An unsigned integer of 1 to 19 digits (they fit 64 bits) at P, before
   LIMIT, into *OUT: the byte after it, or NULL. */
static const char *s_digits(const char *p, const char *limit, uint64_t *out)
{
    size_t n = tt_decimal_digits(p, (size_t)(limit - p), out);
    return n > 0 && n <= 19 ? p + n : NULL;
}

/* The timestamp at P in the column's unit. Integer units are read here,
   with the general parse's range; the others by tt_ts_parse over the
   field as it stands (a space around it fails there, and the general
   parse, which trims, answers). */
static const char *s_time(const tt_csv_reader_t *self, const char *p,
                          const char *limit, tt_ns_t *ts)
{
    static const int64_t scale[] = {
        [TT_TS_NS] = 1, [TT_TS_US] = 1000, [TT_TS_MS] = TT_NS_PER_MS};
    if (self->ts_unit <= TT_TS_MS) {
        uint64_t v;
        int64_t unit = scale[self->ts_unit];
        if (!(p = s_digits(p, limit, &v)) || v > (uint64_t)(INT64_MAX / unit))
            return NULL;
        *ts = (int64_t)v * unit;
        return p;
    }
    const char *end = s_skip(p);
    if (tt_ts_parse(p, (size_t)(end - p), (tt_ts_unit_t)self->ts_unit, ts))
        return NULL;
    return end;
}

/* The symbol at P, among those the lookup has answered; a name it has
   not been asked yet, or one with a space, is the general parse's. */
static const char *s_symbol(const tt_csv_reader_t *self, const char *p,
                            const tt_csv_sym_t **sym)
{
    const char *start = p;
    for (; *p != ',' && *p != '\0'; p++)
        if (*p == ' ' || *p == '\t')
            return NULL;
    size_t len = (size_t)(p - start);
    if (len == 0 || len >= TT_CSV_SYMBOL_MAX)
        return NULL;
    *sym = tt_csv_sym_find(self, start, len);
    return *sym ? p : NULL;
}

static const char *s_number(const char *p, const char *limit,
                            tt_decimal_plain_t *out)
{
    size_t n = tt_decimal_scan(p, (size_t)(limit - p), out);
    return n ? p + n : NULL;
}

/* Field I at P: the byte after it, or NULL when the row is declined.
   Numbers stop at the first byte that is not theirs, the line's NUL at
   the latest, and may read up to LIMIT: TT_CSV_PAD bytes past it. */
static const char *s_field(const tt_csv_reader_t *self, int i, const char *p,
                           s_row_t *row)
{
    const char *limit = self->line + self->line_len + TT_CSV_PAD;
    switch (self->role[i]) {
    case TT_CSV_COL_TS:
        return s_time(self, p, limit, &row->ts);
    case TT_CSV_COL_SYMBOL:
        return s_symbol(self, p, &row->sym);
    case TT_CSV_COL_PRICE:
        return s_number(p, limit, &row->price);
    case TT_CSV_COL_SIZE:
        return s_number(p, limit, &row->size);
    case TT_CSV_COL_TRADE_ID:
        return s_digits(p, limit, &row->trade_id);
    default:
        return s_skip(p); /* a column the reader does not use */
    }
}

int tt_csv_row_fast(const tt_csv_reader_t *self, tt_replay_record_t *rec)
{
    s_row_t row = {.sym = NULL, .trade_id = 0};
    const char *p = self->line;
    for (int i = 0; i < self->ncols; i++) {
        if (i > 0 && *p++ != ',')
            return 0; /* fewer fields than the header */
        if (!(p = s_field(self, i, p, &row)))
            return 0;
    }
    if (*p != '\0')
        return 0; /* more fields, or a byte after a number */
    const tt_instrument_t *in = row.sym ? &row.sym->in : &self->fixed_in;
    int64_t price, size;
    if (!tt_decimal_scale(&row.price, in->px_decimals, &price) || price <= 0 ||
        !tt_decimal_scale(&row.size, in->qty_decimals, &size) || size <= 0)
        return 0;
    memset(rec, 0, sizeof *rec);
    rec->symbol = row.sym ? row.sym->index : self->fixed_index;
    rec->ts = row.ts;
    rec->line = self->line_no;
    rec->tick = (tt_tick_t){row.ts, price, size, row.trade_id};
    return 1;
}
