/*  cli/indicators_cmd.c: `ticktree indicators`, an offline tool. It reads
    an OHLCV bar file with the replay venue's CSV reader (strict mode, so
    the first bad row stops it with FILE:LINE), feeds every bar to the
    indicators named by --ind (the same tt_indicator_t objects the
    indicator actor runs), and prints one CSV row per bar: the bar's open
    time in epoch milliseconds, then one column per indicator output,
    empty until that indicator is ready.

    Numbers are printed as the shortest decimal (15 to 17 significant
    digits) that reads back as the same double, so the output round-trips
    exactly. Runs on the main thread; nothing is shared. The format is in
    docs/MARKETDATA.md ("ticktree indicators"). */
#include "cli/commands.h"
#include "indicators/indicator.h"
#include "venues/replay/csv.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_IND 32   /* indicators in one --ind */
#define S_LABEL_MAX 64 /* bytes of a column's base name */
#define S_DEFAULT_DECIMALS 8

static const char *s_usage_text =
    "usage: ticktree indicators --data FILE --ind SPEC[,SPEC...] [--tf DUR]\n"
    "                           [--px-decimals N] [--qty-decimals N]\n"
    "  SPEC: sma:N ema:N rsi:N macd:FAST:SLOW:SIGNAL bb:N:K atr:N\n"
    "        stoch:K:SLOWING:D vwap[:SESSION_S[:OFFSET_S]] donchian:N\n";

/* The --ind grammar: a name, then exactly the listed parameters (vwap's
   are optional). The last parameter of bb is a real number. */
static const struct {
    const char *name;
    tt_ind_kind_t kind;
    int min, max;       /* parameter count */
    const char *params; /* for messages */
    const char *out[3]; /* column suffixes, NULL for a single output */
} s_kinds[] = {
    {"sma", TT_IND_SMA, 1, 1, "N", {NULL}},
    {"ema", TT_IND_EMA, 1, 1, "N", {NULL}},
    {"rsi", TT_IND_RSI, 1, 1, "N", {NULL}},
    {"macd", TT_IND_MACD, 3, 3, "FAST:SLOW:SIGNAL", {"line", "signal", "hist"}},
    {"bb", TT_IND_BBANDS, 2, 2, "N:K", {"upper", "middle", "lower"}},
    {"bbands", TT_IND_BBANDS, 2, 2, "N:K", {"upper", "middle", "lower"}},
    {"atr", TT_IND_ATR, 1, 1, "N", {NULL}},
    {"stoch", TT_IND_STOCH, 3, 3, "K:SLOWING:D", {"k", "d"}},
    {"vwap", TT_IND_VWAP, 0, 2, "[SESSION_S[:OFFSET_S]]", {NULL}},
    {"donchian", TT_IND_DONCHIAN, 1, 1, "N", {"high", "low", "mid"}},
};
#define S_KINDS (sizeof s_kinds / sizeof s_kinds[0])

typedef struct {
    size_t kind;             /* index in s_kinds */
    tt_ind_spec_t spec;      /* tf_s filled once the file is open */
    char label[S_LABEL_MAX]; /* base column name: the item, ':' -> '_' */
    tt_indicator_t *ind;
} s_column_t;

typedef struct {
    const char *data, *ind;
    int32_t tf_s; /* 0: the file's, else 1 s */
    int px_decimals, qty_decimals;
    s_column_t cols[S_MAX_IND];
    int ncols;
    /* the file's one symbol (a symbol column may name only one) */
    char symbol[TT_CSV_SYMBOL_MAX];
    bool refused; /* the lookup refused a second symbol */
} s_cmd_t;

/* ---- arguments ------------------------------------------------------------
 */

static int s_usage(const char *fmt, const char *what)
    __attribute__((format(printf, 1, 0)));
static int s_usage(const char *fmt, const char *what)
{
    fprintf(stderr, "ticktree indicators: ");
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\n%s", s_usage_text);
    return TT_EXIT_USAGE;
}

/* A whole-string integer in MIN..MAX. */
static int s_int(const char *text, long min, long max, long *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* "60", "60s", "5m", "1h", "1d": seconds, 1..31 days. */
static int s_duration(const char *text, int32_t *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    long mult = 1;
    if (*end == 'm')
        mult = 60;
    else if (*end == 'h')
        mult = 3600;
    else if (*end == 'd')
        mult = 86400;
    if (*end == 's' || mult > 1)
        end++;
    if (end == text || *end || v < 1 || v > 31 * 86400 / mult)
        return -1;
    *out = (int32_t)(v * mult);
    return 0;
}

static int s_parse_args(int argc, char **argv, s_cmd_t *c)
{
    static const struct option options[] = {
        {"data", required_argument, NULL, 'd'},
        {"ind", required_argument, NULL, 'i'},
        {"tf", required_argument, NULL, 't'},
        {"px-decimals", required_argument, NULL, 'p'},
        {"qty-decimals", required_argument, NULL, 'q'},
        {NULL, 0, NULL, 0}};
    long v;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'd')
            c->data = optarg;
        else if (opt == 'i')
            c->ind = optarg;
        else if (opt == 't' && s_duration(optarg, &c->tf_s) != 0)
            return s_usage("--tf: expected a duration such as 60, 60s, 5m, "
                           "1h or 1d (up to 31 days), got '%s'",
                           optarg);
        else if ((opt == 'p' || opt == 'q') && s_int(optarg, 0, 18, &v) != 0)
            return s_usage("--px-decimals and --qty-decimals take 0..18, got "
                           "'%s'",
                           optarg);
        else if (opt == 'p')
            c->px_decimals = (int)v;
        else if (opt == 'q')
            c->qty_decimals = (int)v;
        else if (opt == '?')
            return s_usage("unknown or incomplete option '%s'",
                           argv[optind - 1]);
    }
    if (optind < argc)
        return s_usage("unexpected argument '%s'", argv[optind]);
    if (!c->data)
        return s_usage("%s", "--data FILE is required");
    if (!c->ind)
        return s_usage("%s", "--ind SPEC[,SPEC...] is required");
    return 0;
}

/* ---- --ind ----------------------------------------------------------------
 */

/* Fills COL's spec from the ':'-separated PARTS (name first). Returns 0,
   or -1 with a message in ERR. */
static int s_spec(s_column_t *col, char **parts, int n, char *err, size_t size)
{
    size_t k = 0;
    while (k < S_KINDS && strcmp(s_kinds[k].name, parts[0]) != 0)
        k++;
    if (k == S_KINDS) {
        snprintf(err, size,
                 "unknown indicator '%s' (known: sma, ema, rsi, macd, bb, "
                 "atr, stoch, vwap, donchian)",
                 parts[0]);
        return -1;
    }
    if (n - 1 < s_kinds[k].min || n - 1 > s_kinds[k].max) {
        snprintf(err, size, "%s takes %s, got %d parameter%s", s_kinds[k].name,
                 s_kinds[k].params, n - 1, n == 2 ? "" : "s");
        return -1;
    }
    col->kind = k;
    tt_ind_spec_t *sp = &col->spec;
    *sp = (tt_ind_spec_t){.kind = s_kinds[k].kind, .tf_s = 60};
    if (sp->kind == TT_IND_VWAP)
        sp->p1 = 86400; /* UTC days unless told otherwise */
    int32_t *ints[3] = {&sp->p1, &sp->p2, &sp->p3};
    for (int i = 1; i < n; i++) {
        long v;
        char *end;
        if (sp->kind == TT_IND_BBANDS && i == 2) {
            sp->k = strtod(parts[i], &end);
            if (end == parts[i] || *end || !isfinite(sp->k)) {
                snprintf(err, size, "K '%s' is not a number", parts[i]);
                return -1;
            }
        } else if (s_int(parts[i], 0, INT32_MAX, &v) != 0) {
            snprintf(err, size, "parameter %d '%s' is not a whole number >= 0",
                     i, parts[i]);
            return -1;
        } else {
            *ints[i - 1] = (int32_t)v;
        }
    }
    return tt_ind_spec_validate(sp, err, size);
}

/* Splits ITEM (modified) at ':' and fills COL. */
static int s_item(s_column_t *col, char *item, char *err, size_t size)
{
    char *parts[8];
    int n = 0;
    for (char *p = item; n < 8; n++) {
        parts[n] = p;
        p = strchr(p, ':');
        if (!p) {
            n++;
            break;
        }
        *p++ = '\0';
    }
    if (n == 8) {
        snprintf(err, size, "too many parameters");
        return -1;
    }
    return s_spec(col, parts, n, err, size);
}

/* One item of --ind (ITEM, modified) into the next column. */
static int s_add(s_cmd_t *c, int index, char *item)
{
    char shown[S_LABEL_MAX];
    if (snprintf(shown, sizeof shown, "%s", item) >= (int)sizeof shown) {
        fprintf(stderr, "ticktree indicators: --ind item %d: too long\n",
                index);
        return TT_EXIT_USAGE;
    }
    if (c->ncols == S_MAX_IND) {
        fprintf(stderr, "ticktree indicators: --ind: at most %d items\n",
                S_MAX_IND);
        return TT_EXIT_USAGE;
    }
    s_column_t *col = &c->cols[c->ncols];
    char err[256] = "empty item";
    if (*item == '\0' || s_item(col, item, err, sizeof err) != 0) {
        fprintf(stderr, "ticktree indicators: --ind item %d '%s': %s\n", index,
                shown, err);
        return TT_EXIT_USAGE;
    }
    snprintf(col->label, sizeof col->label, "%s", shown);
    for (char *p = col->label; *p; p++)
        if (*p == ':')
            *p = '_';
    for (int i = 0; i < c->ncols; i++) {
        if (strcmp(c->cols[i].label, col->label) == 0) {
            fprintf(stderr,
                    "ticktree indicators: --ind item %d '%s': given twice\n",
                    index, shown);
            return TT_EXIT_USAGE;
        }
    }
    c->ncols++;
    return 0;
}

static int s_parse_specs(s_cmd_t *c)
{
    char list[1024];
    if (snprintf(list, sizeof list, "%s", c->ind) >= (int)sizeof list)
        return s_usage("%s", "--ind: list too long");
    char *rest = list;
    for (int index = 1; rest; index++) {
        char *item = strsep(&rest, ",");
        item += strspn(item, " \t"); /* "sma:20, ema:20" reads as meant */
        size_t len = strlen(item);
        while (len > 0 && (item[len - 1] == ' ' || item[len - 1] == '\t'))
            item[--len] = '\0';
        int code = s_add(c, index, item);
        if (code != 0)
            return code;
    }
    return 0;
}

/* ---- output ---------------------------------------------------------------
 */

/* The shortest of %.15g, %.16g, %.17g that reads back as V. */
static void s_number(FILE *out, double v)
{
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (prec == 17 || strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, out);
}

static int s_outputs(const s_column_t *col)
{
    int n = 0;
    while (n < 3 && s_kinds[col->kind].out[n])
        n++;
    return n > 0 ? n : 1;
}

static void s_header(FILE *out, const s_cmd_t *c)
{
    fputs("ts_ms", out);
    for (int i = 0; i < c->ncols; i++) {
        const s_column_t *col = &c->cols[i];
        if (!s_kinds[col->kind].out[0])
            fprintf(out, ",%s", col->label);
        for (int j = 0; j < 3 && s_kinds[col->kind].out[j]; j++)
            fprintf(out, ",%s_%s", col->label, s_kinds[col->kind].out[j]);
    }
    fputc('\n', out);
}

static void s_row(FILE *out, s_cmd_t *c, const tt_candle_t *bar)
{
    tt_ind_input_t in =
        tt_ind_input_from_candle(bar, c->px_decimals, c->qty_decimals);
    fprintf(out, "%lld", (long long)(bar->open_ts / TT_NS_PER_MS));
    for (int i = 0; i < c->ncols; i++) {
        tt_indicator_update(c->cols[i].ind, &in);
        tt_ind_value_t v = tt_indicator_value(c->cols[i].ind);
        for (int j = 0; j < s_outputs(&c->cols[i]); j++) {
            fputc(',', out);
            if (v.ready)
                s_number(out, v.v[j]);
        }
    }
    fputc('\n', out);
}

/* ---- the file -------------------------------------------------------------
 */

/* The reader's instrument lookup: every row gets the command's scales;
   a symbol column may name one symbol only, since the indicators of two
   interleaved series would be meaningless. */
static int s_lookup(void *arg, const char *symbol, tt_instrument_t *in)
{
    s_cmd_t *c = arg;
    if (c->symbol[0] == '\0')
        snprintf(c->symbol, sizeof c->symbol, "%s", symbol);
    else if (strcmp(c->symbol, symbol) != 0) {
        c->refused = true;
        return -1;
    }
    *in = (tt_instrument_t){c->px_decimals, c->qty_decimals, 1, 1};
    return 0;
}

static tt_csv_reader_t *s_open(s_cmd_t *c)
{
    tt_csv_opts_t opts = {.kind = TT_CSV_BARS,
                          .strict = true,
                          .symbol = "-",
                          .tf_s = c->tf_s,
                          .tf_default_s = 1,
                          .lookup = s_lookup,
                          .lookup_arg = c};
    char err[TT_CSV_MESSAGE_MAX + 64];
    tt_csv_reader_t *r = tt_csv_open(c->data, &opts, err, sizeof err);
    if (!r) {
        fprintf(stderr, "ticktree indicators: %s\n", err);
        return NULL;
    }
    c->symbol[0] = '\0'; /* "-" stood for the file's own symbol */
    for (int i = 0; i < c->ncols; i++) {
        c->cols[i].spec.tf_s = tt_csv_timeframe(r);
        c->cols[i].ind = tt_indicator_new(&c->cols[i].spec, err, sizeof err);
        if (!c->cols[i].ind) {
            fprintf(stderr, "ticktree indicators: %s: %s\n", c->data, err);
            tt_csv_close(&r);
            return NULL;
        }
    }
    return r;
}

static int s_run(s_cmd_t *c)
{
    tt_csv_reader_t *r = s_open(c);
    if (!r)
        return TT_EXIT_FAIL;
    s_header(stdout, c);
    tt_replay_record_t rec;
    int rc;
    while ((rc = tt_csv_next(r, &rec)) == 1)
        s_row(stdout, c, &rec.bar);
    int code = TT_EXIT_OK;
    if (rc < 0) {
        fprintf(stderr, "ticktree indicators: %s%s%s%s\n", tt_csv_error(r),
                c->refused ? " (ticktree indicators reads one symbol per "
                             "file; this one began with '"
                           : "",
                c->refused ? c->symbol : "", c->refused ? "')" : "");
        code = TT_EXIT_FAIL;
    }
    tt_csv_close(&r);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("ticktree indicators: writing the output");
        code = TT_EXIT_FAIL;
    }
    return code;
}

int tt_cmd_indicators(int argc, char **argv)
{
    s_cmd_t c = {.px_decimals = S_DEFAULT_DECIMALS,
                 .qty_decimals = S_DEFAULT_DECIMALS};
    int code = s_parse_args(argc, argv, &c);
    if (code == 0)
        code = s_parse_specs(&c);
    if (code == 0)
        code = s_run(&c);
    for (int i = 0; i < c.ncols; i++)
        tt_indicator_destroy(&c.cols[i].ind);
    return code;
}
