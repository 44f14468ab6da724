/*  venues/replay/csvrow.c: one CSV row to one record (see csv.h): fields,
    symbol, timestamp, exact decimals at the symbol's scale, the checks on
    values and on time order. Every refusal goes through tt_csv_problem so
    the strict/lenient policy lives in one place. */
#include "venues/replay/csv_private.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "marketdata/decimal.h"
#include "venues/replay/timestamp.h"

/* Field values quoted in messages are cut to this many bytes. */
#define S_QUOTE 40
#define S_QLEN(f) ((int)((f)->len < S_QUOTE ? (f)->len : S_QUOTE))

/* Splits the current line into trimmed fields; returns how many there
   are (only the first TT_CSV_MAX_COLS are kept). The line's length is
   known, so each comma is found by memchr, not a byte at a time; a NUL
   inside the line ends it, as it always did. */
static int s_split(tt_csv_reader_t *self)
{
    const char *p = self->line;
    const char *stop = self->line + strlen(self->line);
    int n = 0;
    for (;;) {
        const char *end = memchr(p, ',', (size_t)(stop - p));
        if (!end)
            end = stop;
        const char *b = p;
        while (b < end && (*b == ' ' || *b == '\t'))
            b++;
        const char *e = end;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (n < TT_CSV_MAX_COLS)
            self->fields[n] = (tt_csv_field_t){b, (size_t)(e - b)};
        n++;
        if (!*end)
            return n;
        p = end + 1;
    }
}

static const tt_csv_field_t *s_field(const tt_csv_reader_t *self,
                                     tt_csv_col_t col)
{
    int index = self->col[col];
    return index >= 0 ? &self->fields[index] : NULL;
}

/* --- symbols looked up, by name (FNV-1a, open addressing) --- */

static size_t s_sym_hash(const char *text, size_t len)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * UINT64_C(1099511628211);
    return (size_t)h;
}

/* Whether SLOT holds the name TEXT (LEN bytes, readable eight bytes
   from its start: a name in the line, padded, or in a symbol array). A
   name of up to eight bytes (most tickers) is one compare: the slot's
   name is NUL padded, so the bytes past LEN are masked off TEXT only.
   A call to memcmp, or a loop over a few bytes whose end the branch
   predictor misses, cost more than the rest of the lookup. */
static bool s_same(const tt_csv_sym_t *slot, const char *text, size_t len)
{
    if (slot->len != len)
        return false;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (len <= 8) {
        uint64_t a, b;
        memcpy(&a, slot->name, 8);
        memcpy(&b, text, 8);
        uint64_t keep = len == 8 ? ~UINT64_C(0) : (UINT64_C(1) << 8 * len) - 1;
        return ((a ^ b) & keep) == 0;
    }
#endif
    return memcmp(slot->name, text, len) == 0;
}

/* The slot of the name TEXT: its entry, or the free slot where it goes
   (the table is never full). */
static tt_csv_sym_t *s_sym_slot(const tt_csv_reader_t *self, const char *text,
                                size_t len)
{
    size_t mask = self->syms_cap - 1;
    for (size_t i = s_sym_hash(text, len) & mask;; i = (i + 1) & mask) {
        tt_csv_sym_t *slot = &self->syms[i];
        if (!slot->name[0] || s_same(slot, text, len))
            return slot;
    }
}

const tt_csv_sym_t *tt_csv_sym_find(const tt_csv_reader_t *self,
                                    const char *name, size_t len)
{
    if (!self->syms_cap)
        return NULL;
    const tt_csv_sym_t *slot = s_sym_slot(self, name, len);
    return slot->name[0] ? slot : NULL;
}

/* Keeps what the lookup said of NAME; forgets nothing, and when out of
   memory simply does not keep it (the lookup is asked again). */
static void s_sym_keep(tt_csv_reader_t *self, const char *name, size_t len,
                       int32_t index, const tt_instrument_t *in)
{
    if (2 * (self->syms_count + 1) > self->syms_cap) {
        size_t cap = self->syms_cap ? 2 * self->syms_cap : 64;
        tt_csv_sym_t *old = self->syms, *grown = calloc(cap, sizeof *grown);
        if (!grown)
            return;
        size_t old_cap = self->syms_cap;
        self->syms = grown;
        self->syms_cap = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].name[0])
                *s_sym_slot(self, old[i].name, old[i].len) = old[i];
        free(old);
    }
    tt_csv_sym_t *slot = s_sym_slot(self, name, len);
    memcpy(slot->name, name, len + 1);
    slot->len = len;
    slot->index = index;
    slot->in = *in;
    self->syms_count++;
}

/* Symbol of the row: the file's own, or the column's through the
   caller's lookup (each name asked once). */
static int s_symbol(tt_csv_reader_t *self, int32_t *index, tt_instrument_t *in)
{
    const tt_csv_field_t *f = s_field(self, TT_CSV_COL_SYMBOL);
    if (!f) {
        *index = self->fixed_index;
        *in = self->fixed_in;
        return 1;
    }
    if (f->len == 0 || f->len >= TT_CSV_SYMBOL_MAX)
        return tt_csv_problem(self, TT_CSV_SKIP_SYMBOL, "bad symbol '%.*s'",
                              S_QLEN(f), f->text);
    const tt_csv_sym_t *known = tt_csv_sym_find(self, f->text, f->len);
    if (known) {
        *index = known->index;
        *in = known->in;
        return 1;
    }
    char name[TT_CSV_SYMBOL_MAX];
    memcpy(name, f->text, f->len);
    name[f->len] = '\0';
    tt_instrument_t found;
    int idx = self->opts.lookup(self->opts.lookup_arg, name, &found);
    if (idx < 0)
        return tt_csv_problem(self, TT_CSV_SKIP_SYMBOL, "unknown symbol '%s'",
                              name);
    s_sym_keep(self, name, f->len, idx, &found);
    *index = idx;
    *in = found;
    return 1;
}

static int s_decimal(tt_csv_reader_t *self, tt_csv_col_t col, const char *what,
                     int decimals, int64_t *out)
{
    const tt_csv_field_t *f = s_field(self, col);
    int rc = tt_decimal_parse(f->text, f->len, decimals, out);
    if (rc != TT_DEC_OK)
        return tt_csv_problem(self, TT_CSV_SKIP_NUMBER, "bad %s '%.*s': %s",
                              what, S_QLEN(f), f->text,
                              tt_decimal_strerror(rc));
    return 1;
}

/* Optional unsigned integer column; 0 when the column is absent. */
static int s_unsigned(tt_csv_reader_t *self, tt_csv_col_t col, const char *what,
                      uint64_t max, uint64_t *out)
{
    const tt_csv_field_t *f = s_field(self, col);
    *out = 0;
    if (!f)
        return 1;
    /* 19 digits fit 64 bits unchecked: the range is checked once at the
       end, a twentieth digit (and only it) before it is added. */
    uint64_t v = 0;
    bool ok = f->len > 0 && f->len <= 20;
    for (size_t i = 0; ok && i < f->len; i++) {
        unsigned d = (unsigned)(f->text[i] - '0');
        ok = d <= 9 && (i < 19 || v <= (UINT64_MAX - d) / 10);
        v = v * 10 + d;
    }
    ok = ok && v <= max;
    if (!ok)
        return tt_csv_problem(self, TT_CSV_SKIP_NUMBER, "bad %s '%.*s'", what,
                              S_QLEN(f), f->text);
    *out = v;
    return 1;
}

static int s_time(tt_csv_reader_t *self, tt_ns_t *ts)
{
    const tt_csv_field_t *f = s_field(self, TT_CSV_COL_TS);
    if (tt_ts_parse(f->text, f->len, (tt_ts_unit_t)self->ts_unit, ts) != 0)
        return tt_csv_problem(self, TT_CSV_SKIP_NUMBER,
                              "bad timestamp '%.*s' in column %s", S_QLEN(f),
                              f->text, self->ts_name);
    return 1;
}

static int s_tick(tt_csv_reader_t *self, const tt_instrument_t *in,
                  tt_replay_record_t *rec)
{
    tt_tick_t *t = &rec->tick;
    int rc;
    if ((rc = s_decimal(self, TT_CSV_COL_PRICE, "price", in->px_decimals,
                        &t->price)) != 1 ||
        (rc = s_decimal(self, TT_CSV_COL_SIZE, "size", in->qty_decimals,
                        &t->size)) != 1 ||
        (rc = s_unsigned(self, TT_CSV_COL_TRADE_ID, "trade_id", UINT64_MAX,
                         &t->trade_id)) != 1)
        return rc;
    if (t->price <= 0)
        return tt_csv_problem(self, TT_CSV_SKIP_VALUE, "price must be > 0");
    if (t->size <= 0)
        return tt_csv_problem(self, TT_CSV_SKIP_VALUE, "size must be > 0");
    t->ts = rec->ts;
    return 1;
}

static int s_bar_values(tt_csv_reader_t *self, const tt_instrument_t *in,
                        tt_candle_t *b)
{
    int rc, px = in->px_decimals;
    uint64_t trades;
    if ((rc = s_decimal(self, TT_CSV_COL_OPEN, "open", px, &b->open)) != 1 ||
        (rc = s_decimal(self, TT_CSV_COL_HIGH, "high", px, &b->high)) != 1 ||
        (rc = s_decimal(self, TT_CSV_COL_LOW, "low", px, &b->low)) != 1 ||
        (rc = s_decimal(self, TT_CSV_COL_CLOSE, "close", px, &b->close)) != 1 ||
        (rc = s_decimal(self, TT_CSV_COL_VOLUME, "volume", in->qty_decimals,
                        &b->volume)) != 1 ||
        (rc = s_unsigned(self, TT_CSV_COL_TRADES, "trades", UINT32_MAX,
                         &trades)) != 1)
        return rc;
    b->trades = (uint32_t)trades;
    return 1;
}

static int s_bar(tt_csv_reader_t *self, const tt_instrument_t *in,
                 tt_replay_record_t *rec)
{
    tt_candle_t *b = &rec->bar;
    int rc = s_bar_values(self, in, b);
    if (rc != 1)
        return rc;
    if (b->low <= 0)
        return tt_csv_problem(self, TT_CSV_SKIP_VALUE, "prices must be > 0");
    if (b->low > b->high || b->open < b->low || b->open > b->high ||
        b->close < b->low || b->close > b->high)
        return tt_csv_problem(self, TT_CSV_SKIP_VALUE,
                              "inconsistent bar: open and close must lie "
                              "within low..high");
    if (b->volume < 0)
        return tt_csv_problem(self, TT_CSV_SKIP_VALUE, "volume must be >= 0");
    int64_t tf_ns = (int64_t)self->tf_s * TT_NS_PER_SEC;
    if (rec->ts % tf_ns != 0)
        return tt_csv_problem(self, TT_CSV_SKIP_VALUE,
                              "bar time not aligned to its %d s timeframe",
                              self->tf_s);
    if (rec->ts > INT64_MAX - tf_ns)
        return tt_csv_problem(self, TT_CSV_SKIP_VALUE, "bar time too large");
    b->open_ts = rec->ts;
    b->tf_s = self->tf_s;
    b->closed = true;
    rec->ts += tf_ns; /* a bar is an event when it closes */
    return 1;
}

/* Slot holding the last time accepted for symbol INDEX. The table grows
   with the number of distinct symbols, never with the number of rows. */
static tt_ns_t *s_last_slot(tt_csv_reader_t *self, int32_t index)
{
    assert(index >= 0 && index < (1 << 24));
    if ((size_t)index >= self->last_cap) {
        size_t cap = self->last_cap ? self->last_cap : 16;
        while (cap <= (size_t)index)
            cap *= 2;
        tt_ns_t *grown = realloc(self->last_ts, cap * sizeof *grown);
        if (!grown)
            return NULL;
        for (size_t i = self->last_cap; i < cap; i++)
            grown[i] = INT64_MIN;
        self->last_ts = grown;
        self->last_cap = cap;
    }
    return &self->last_ts[index];
}

/* Ticks may share a timestamp; bars of one symbol may not. */
static int s_order(tt_csv_reader_t *self, const tt_replay_record_t *rec)
{
    tt_ns_t *last = s_last_slot(self, rec->symbol);
    assert(last); /* a few bytes per symbol: out of memory is fatal */
    bool bars = self->opts.kind == TT_CSV_BARS;
    if (rec->ts < *last || (bars && rec->ts == *last))
        return tt_csv_problem(self, TT_CSV_SKIP_BACKWARDS,
                              "time goes backwards for this symbol "
                              "(%lld after %lld)",
                              (long long)rec->ts, (long long)*last);
    if (self->opts.time_ordered && rec->ts < self->file_last_ts)
        return tt_csv_problem(self, TT_CSV_SKIP_BACKWARDS,
                              "time goes backwards across symbols (%lld "
                              "after %lld): a merged file must be sorted "
                              "by time",
                              (long long)rec->ts,
                              (long long)self->file_last_ts);
    *last = rec->ts;
    self->file_last_ts = rec->ts;
    return 1;
}

void tt_csv_row_setup(tt_csv_reader_t *self)
{
    for (int i = 0; i < TT_CSV_MAX_COLS; i++)
        self->role[i] = -1;
    for (int c = 0; c < TT_CSV_COL_COUNT; c++)
        if (self->col[c] >= 0)
            self->role[self->col[c]] = (signed char)c;
    self->fast = self->opts.kind == TT_CSV_TICKS && !self->general_only;
}

void tt_csv_general_only(tt_csv_reader_t *self, bool on)
{
    self->general_only = on;
    tt_csv_row_setup(self);
}

/* Every row the one-pass parse declines, and every bar. */
static int s_parse_general(tt_csv_reader_t *self, tt_replay_record_t *rec)
{
    int n = s_split(self);
    if (n != self->ncols)
        return tt_csv_problem(self, TT_CSV_SKIP_FIELDS,
                              "expected %d fields, got %d", self->ncols, n);
    memset(rec, 0, sizeof *rec);
    rec->line = self->line_no;
    tt_instrument_t in = {0, 0, 0, 0};
    int rc;
    if ((rc = s_symbol(self, &rec->symbol, &in)) != 1 ||
        (rc = s_time(self, &rec->ts)) != 1)
        return rc;
    rc = self->opts.kind == TT_CSV_BARS ? s_bar(self, &in, rec)
                                        : s_tick(self, &in, rec);
    if (rc != 1)
        return rc;
    return s_order(self, rec);
}

int tt_csv_row_parse(tt_csv_reader_t *self, tt_replay_record_t *rec)
{
    if (self->fast && tt_csv_row_fast(self, rec))
        return s_order(self, rec);
    return s_parse_general(self, rec);
}
