/*  venues/replay/csv.c: the CSV reader's file handling: gzip or plain
    input through zlib (gzread passes plain files through unchanged), line
    assembly in fixed buffers, the header, and the strict/lenient policy
    (see csv.h). Rows are converted in csvrow.c. */
#include "venues/replay/csv_private.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "venues/replay/timestamp.h"

static const char *const s_skip_names[TT_CSV_SKIP_REASONS] = {
    "wrong field count", "bad number",    "bad value",  "time backwards",
    "unknown symbol",    "line too long", "empty file", "truncated input"};

const char *tt_csv_skip_name(tt_csv_skip_t reason)
{
    return reason < TT_CSV_SKIP_REASONS ? s_skip_names[reason] : "?";
}

int tt_csv_problem(tt_csv_reader_t *self, tt_csv_skip_t reason, const char *fmt,
                   ...)
{
    char msg[TT_CSV_MESSAGE_MAX];
    int n = snprintf(msg, sizeof msg, "%s:%lld: ", self->path,
                     (long long)self->line_no);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof msg)
        vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    if (self->opts.strict) {
        snprintf(self->error, sizeof self->error, "%s", msg);
        self->failed = true;
        return -1;
    }
    self->stats.skipped[reason]++;
    self->stats.skipped_total++;
    if (self->stats.kept < TT_CSV_KEEP_MESSAGES)
        snprintf(self->stats.messages[self->stats.kept++], TT_CSV_MESSAGE_MAX,
                 "%s", msg);
    return 0;
}

/* ---- lines ----------------------------------------------------------------
 */

/* Refills the buffer: >0 bytes, 0 at a clean end, -1 on a read error,
   including a gzip stream that stops early (zlib reports that as
   Z_BUF_ERROR with a zero-length read, not as -1). */
static int s_fill(tt_csv_reader_t *self)
{
    int n = gzread(self->gz, self->buf, TT_CSV_BUF_SIZE);
    int errnum = Z_OK;
    const char *msg = gzerror(self->gz, &errnum);
    if (n < 0 || (n == 0 && errnum != Z_OK)) {
        /* zlib prefixes its message with the path, which ours has. */
        size_t plen = strlen(self->path);
        if (strncmp(msg, self->path, plen) == 0 && msg[plen] == ':')
            msg += plen + (msg[plen + 1] == ' ' ? 2 : 1);
        snprintf(self->zmsg, sizeof self->zmsg, "%s",
                 errnum == Z_ERRNO ? strerror(errno) : msg);
        return -1;
    }
    self->buf_pos = 0;
    self->buf_len = (size_t)n;
    return n;
}

static void s_append(tt_csv_reader_t *self, const char *p, size_t n)
{
    size_t room = TT_CSV_LINE_MAX - self->line_len;
    if (n > room) {
        self->too_long = true;
        n = room;
    }
    memcpy(self->line_buf + self->line_len, p, n);
    self->line_len += n;
}

/* The line's end: counted, a CR before the newline dropped, NUL
   terminated where it lies. */
static int s_line_done(tt_csv_reader_t *self)
{
    self->line_no++;
    if (self->line_len > 0 && self->line[self->line_len - 1] == '\r')
        self->line_len--;
    self->line[self->line_len] = '\0';
    return 1;
}

/* A line across two reads (or more), assembled in line_buf: 1, 0 at the
   end, -1 on a read error. A last line without a newline still counts;
   an incomplete line before a read error is dropped. */
static int s_read_line_across(tt_csv_reader_t *self)
{
    self->line = self->line_buf;
    self->line_len = 0;
    bool any = false;
    for (;;) {
        if (self->buf_pos == self->buf_len) {
            int rc = s_fill(self);
            if (rc < 0)
                return -1;
            if (rc == 0 && !any)
                return 0;
            if (rc == 0)
                break;
        }
        const char *start = self->buf + self->buf_pos;
        size_t avail = self->buf_len - self->buf_pos;
        const char *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;
        s_append(self, start, take);
        self->buf_pos += take + (nl ? 1 : 0);
        any = true;
        if (nl)
            break;
    }
    return s_line_done(self);
}

/* Next line: 1, 0 at the end, -1 on a read error. A line that lies whole
   in the buffer is used where it is, its newline overwritten by the NUL,
   rather than copied (a replay reads 2 M of them in a run); only a line
   that a read cuts is assembled. A line in place longer than
   TT_CSV_LINE_MAX is cut as an assembled one is. */
static int s_read_line(tt_csv_reader_t *self)
{
    self->too_long = false;
    char *start = self->buf + self->buf_pos;
    char *nl = self->buf_pos < self->buf_len
                   ? memchr(start, '\n', self->buf_len - self->buf_pos)
                   : NULL;
    if (!nl)
        return s_read_line_across(self);
    size_t len = (size_t)(nl - start);
    self->buf_pos += len + 1;
    self->too_long = len > TT_CSV_LINE_MAX;
    self->line = start;
    self->line_len = self->too_long ? TT_CSV_LINE_MAX : len;
    return s_line_done(self);
}

static bool s_blank(const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    return *line == '\0';
}

/* ---- header ---------------------------------------------------------------
 */

static const struct {
    const char *name;
    tt_csv_col_t col;
    unsigned kinds; /* bit 0: ticks, bit 1: bars */
} s_columns[] = {
    {"symbol", TT_CSV_COL_SYMBOL, 3}, {"price", TT_CSV_COL_PRICE, 1},
    {"size", TT_CSV_COL_SIZE, 1},     {"trade_id", TT_CSV_COL_TRADE_ID, 1},
    {"open", TT_CSV_COL_OPEN, 2},     {"high", TT_CSV_COL_HIGH, 2},
    {"low", TT_CSV_COL_LOW, 2},       {"close", TT_CSV_COL_CLOSE, 2},
    {"volume", TT_CSV_COL_VOLUME, 2}, {"trades", TT_CSV_COL_TRADES, 2},
};

/* Lower-cased, trimmed copy of LEN bytes of P into OUT (SIZE bytes). */
static void s_name(const char *p, size_t len, char *out, size_t size)
{
    while (len > 0 && (*p == ' ' || *p == '\t'))
        p++, len--;
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    size_t n = len < size - 1 ? len : size - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)p[i]);
    out[n] = '\0';
}

static int s_header_column(tt_csv_reader_t *self, const char *name, int index,
                           char *err, size_t errsize)
{
    int col = -1;
    int unit = tt_ts_unit_of(name);
    if (unit >= 0) {
        col = TT_CSV_COL_TS;
        self->ts_unit = unit;
        snprintf(self->ts_name, sizeof self->ts_name, "%s", name);
    }
    unsigned kind_bit = self->opts.kind == TT_CSV_BARS ? 2u : 1u;
    for (size_t i = 0; col < 0 && i < sizeof s_columns / sizeof *s_columns; i++)
        if ((s_columns[i].kinds & kind_bit) &&
            strcmp(s_columns[i].name, name) == 0)
            col = (int)s_columns[i].col;
    if (col < 0)
        return 0; /* unknown columns are ignored */
    if (self->col[col] >= 0) {
        snprintf(err, errsize, "%s:%lld: %s", self->path,
                 (long long)self->line_no,
                 col == TT_CSV_COL_TS ? "more than one timestamp column"
                                      : "column given twice");
        return -1;
    }
    self->col[col] = index;
    return 0;
}

static int s_header_required(tt_csv_reader_t *self, char *err, size_t errsize)
{
    static const char *const names[TT_CSV_COL_COUNT] = {
        "timestamp (ts, ts_s, ts_ms, ts_us or ts_ns)",
        "symbol",
        "price",
        "size",
        "trade_id",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "trades"};
    static const tt_csv_col_t ticks[] = {TT_CSV_COL_TS, TT_CSV_COL_PRICE,
                                         TT_CSV_COL_SIZE};
    static const tt_csv_col_t bars[] = {TT_CSV_COL_TS,    TT_CSV_COL_OPEN,
                                        TT_CSV_COL_HIGH,  TT_CSV_COL_LOW,
                                        TT_CSV_COL_CLOSE, TT_CSV_COL_VOLUME};
    bool is_bars = self->opts.kind == TT_CSV_BARS;
    const tt_csv_col_t *need = is_bars ? bars : ticks;
    size_t count = is_bars ? 6 : 3;
    for (size_t i = 0; i < count; i++) {
        if (self->col[need[i]] < 0) {
            snprintf(err, errsize, "%s:%lld: missing column %s", self->path,
                     (long long)self->line_no, names[need[i]]);
            return -1;
        }
    }
    return 0;
}

static int s_parse_header(tt_csv_reader_t *self, char *err, size_t errsize)
{
    char *p = self->line;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        p += 3; /* UTF-8 byte order mark, as some spreadsheets write */
    for (int i = 0; i < TT_CSV_COL_COUNT; i++)
        self->col[i] = -1;
    int index = 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (index >= TT_CSV_MAX_COLS) {
            snprintf(err, errsize, "%s:%lld: more than %d columns", self->path,
                     (long long)self->line_no, TT_CSV_MAX_COLS);
            return -1;
        }
        char name[32];
        s_name(p, len, name, sizeof name);
        if (s_header_column(self, name, index++, err, errsize) != 0)
            return -1;
        if (!comma)
            break;
        p = (char *)comma + 1;
    }
    self->ncols = index;
    return s_header_required(self, err, errsize);
}

/* "# timeframe=60", "# timeframe: 5m" before the header: a bar file may
   carry its own timeframe (s, m, h or d; seconds without a unit). */
static int s_directive(tt_csv_reader_t *self, char *err, size_t errsize)
{
    const char *p = self->line + 1;
    while (*p == ' ')
        p++;
    if (strncmp(p, "timeframe", 9) != 0)
        return 0;
    p += 9;
    while (*p == ' ')
        p++;
    if (*p != '=' && *p != ':')
        return 0;
    char *end;
    errno = 0;
    long v = strtol(p + 1, &end, 10);
    while (*end == ' ')
        end++;
    long mult = *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 1;
    if (*end == 's' || mult > 1)
        end++;
    while (*end == ' ')
        end++;
    if (errno != 0 || end == p + 1 || *end != '\0' || v <= 0 ||
        v > 86400 * 366 / mult) {
        snprintf(err, errsize,
                 "%s:%lld: bad timeframe line (want e.g. "
                 "'# timeframe=60s' or '# timeframe=5m')",
                 self->path, (long long)self->line_no);
        return -1;
    }
    self->tf_s = (int32_t)(v * mult);
    return 0;
}

/* Reads up to and including the header line. Returns 1 with the header
   parsed, 0 when the file holds no header at all, -1 on an error. */
static int s_read_header(tt_csv_reader_t *self, char *err, size_t errsize)
{
    for (;;) {
        int rc = s_read_line(self);
        if (rc < 0) {
            snprintf(err, errsize, "%s:%lld: truncated or corrupt input (%s)",
                     self->path, (long long)self->line_no + 1, self->zmsg);
            return -1;
        }
        if (rc == 0)
            return 0;
        if (s_blank(self->line))
            continue;
        if (self->line[0] == '#') {
            if (s_directive(self, err, errsize) != 0)
                return -1;
            continue;
        }
        if (self->too_long) {
            snprintf(err, errsize, "%s:%lld: header line too long", self->path,
                     (long long)self->line_no);
            return -1;
        }
        return s_parse_header(self, err, errsize) == 0 ? 1 : -1;
    }
}

static int s_check_timeframe(tt_csv_reader_t *self, char *err, size_t errsize)
{
    if (self->opts.kind != TT_CSV_BARS) {
        self->tf_s = 0;
        return 0;
    }
    if (self->opts.tf_s > 0 && self->tf_s > 0 &&
        self->opts.tf_s != self->tf_s) {
        snprintf(err, errsize, "%s: timeframe %d s in the file, %d s given",
                 self->path, self->tf_s, self->opts.tf_s);
        return -1;
    }
    if (self->opts.tf_s > 0)
        self->tf_s = self->opts.tf_s;
    if (self->tf_s <= 0 && self->opts.tf_default_s > 0)
        self->tf_s = self->opts.tf_default_s;
    if (self->tf_s <= 0) {
        snprintf(err, errsize,
                 "%s: bars need a timeframe: pass one or put a "
                 "'# timeframe=60s' line before the header",
                 self->path);
        return -1;
    }
    return 0;
}

static int s_resolve_symbol(tt_csv_reader_t *self, char *err, size_t errsize)
{
    if (self->col[TT_CSV_COL_SYMBOL] >= 0)
        return 0;
    if (self->fixed_name[0] == '\0') {
        snprintf(err, errsize,
                 "%s:%lld: no symbol column and no symbol given for the file",
                 self->path, (long long)self->line_no);
        return -1;
    }
    self->fixed_index = self->opts.lookup(self->opts.lookup_arg,
                                          self->fixed_name, &self->fixed_in);
    if (self->fixed_index < 0) {
        snprintf(err, errsize, "%s: unknown symbol '%s'", self->path,
                 self->fixed_name);
        return -1;
    }
    return 0;
}

static tt_csv_reader_t *s_alloc(const char *path, const tt_csv_opts_t *opts,
                                char *err, size_t errsize)
{
    if (opts->symbol && strlen(opts->symbol) >= TT_CSV_SYMBOL_MAX) {
        snprintf(err, errsize, "%s: symbol name too long", path);
        return NULL;
    }
    tt_csv_reader_t *self = calloc(1, sizeof *self);
    if (!self || !(self->path = strdup(path))) {
        free(self);
        snprintf(err, errsize, "%s: out of memory", path);
        return NULL;
    }
    self->opts = *opts;
    if (opts->symbol)
        strcpy(self->fixed_name, opts->symbol);
    self->opts.symbol = self->fixed_name;
    self->line = self->line_buf;
    self->file_last_ts = INT64_MIN;
    return self;
}

/* Header, timeframe and symbol; an empty file is an error only when
   strict (lenient: counted, and the reader is at its end). */
static int s_start(tt_csv_reader_t *self, char *err, size_t errsize)
{
    int rc = s_read_header(self, err, errsize);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        self->line_no = 1;
        if (tt_csv_problem(self, TT_CSV_SKIP_EMPTY_FILE,
                           "empty file: expected a header line") != 0) {
            snprintf(err, errsize, "%s", self->error);
            return -1;
        }
        self->done = true;
        return 0;
    }
    if (s_check_timeframe(self, err, errsize) != 0 ||
        s_resolve_symbol(self, err, errsize) != 0)
        return -1;
    tt_csv_row_setup(self);
    return 0;
}

tt_csv_reader_t *tt_csv_open(const char *path, const tt_csv_opts_t *opts,
                             char *err, size_t errsize)
{
    assert(path && opts && opts->lookup);
    tt_csv_reader_t *self = s_alloc(path, opts, err, errsize);
    if (!self)
        return NULL;
    self->gz = gzopen(path, "rb");
    if (!self->gz) {
        snprintf(err, errsize, "%s: cannot open: %s", path,
                 errno ? strerror(errno) : "out of memory");
        tt_csv_close(&self);
        return NULL;
    }
    /* zlib copies a plain file through its own buffer unless a read asks
       for at least twice that buffer: half of ours lets each refill land
       in ours directly (a copy of every byte fewer; a gzip file is
       inflated straight into ours either way). */
    gzbuffer(self->gz, TT_CSV_BUF_SIZE / 2);
    if (s_start(self, err, errsize) != 0)
        tt_csv_close(&self);
    return self;
}

int tt_csv_next(tt_csv_reader_t *self, tt_replay_record_t *rec)
{
    if (self->failed)
        return -1;
    while (!self->done) {
        int rc = s_read_line(self);
        if (rc < 0) {
            self->line_no++; /* the line that could not be read whole */
            self->done = true;
            return tt_csv_problem(self, TT_CSV_SKIP_TRUNCATED,
                                  "truncated or corrupt input (%s)",
                                  self->zmsg);
        }
        if (rc == 0)
            break;
        if (s_blank(self->line) || self->line[0] == '#')
            continue;
        self->stats.rows++;
        if (self->too_long) {
            if (tt_csv_problem(self, TT_CSV_SKIP_LONG_LINE,
                               "line longer than %d bytes",
                               TT_CSV_LINE_MAX) != 0)
                return -1;
            continue;
        }
        rc = tt_csv_row_parse(self, rec);
        if (rc < 0)
            return -1;
        if (rc > 0) {
            self->stats.records++;
            return 1;
        }
    }
    self->done = true;
    return 0;
}

const char *tt_csv_error(const tt_csv_reader_t *self)
{
    return self->error;
}

const tt_csv_stats_t *tt_csv_stats(const tt_csv_reader_t *self)
{
    return &self->stats;
}

size_t tt_csv_memory(const tt_csv_reader_t *self)
{
    return sizeof *self + strlen(self->path) + 1 +
           self->last_cap * sizeof *self->last_ts;
}

int32_t tt_csv_timeframe(const tt_csv_reader_t *self)
{
    return self->tf_s;
}

void tt_csv_close(tt_csv_reader_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tt_csv_reader_t *self = *self_p;
    if (self->gz)
        gzclose(self->gz);
    free(self->last_ts);
    free(self->syms);
    free(self->path);
    free(self);
    *self_p = NULL;
}
