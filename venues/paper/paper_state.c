/*  venues/paper/paper_state.c: the paper broker's state to text and back
    (see paper_state.h). Loading trusts nothing: the text comes from a
    file an operator can edit, so every field is checked and a bad one
    is named with its line. */
#include "venues/paper/paper_state.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAGIC "ticktree-paper 1"
#define S_FIELDS 15 /* words on an order line, "order" included */

size_t tt_paper_save(const tt_paper_t *self, char *buf, size_t cap)
{
    assert(self && buf);
    size_t len = 0;
    int n = snprintf(buf, cap, "%s\narrivals %" PRIu64 " fills %" PRIu64 "\n",
                     S_MAGIC, self->arrivals, self->fills);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    len = (size_t)n;
    for (int i = 0; i < self->n; i++) {
        const tt_paper_order_t *o = &self->orders[i];
        n = snprintf(
            buf + len, cap - len,
            "order %s %d %d %d %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
            " %" PRId64 " %d %" PRIu32 " %" PRIu64 " %" PRId64 " %" PRId64 "\n",
            o->coid, (int)o->side, (int)o->type, (int)o->tif, o->qty, o->filled,
            o->limit_px, o->stop_px, o->eligible_ts, o->triggered ? 1 : 0,
            o->fills, o->seq, o->last_px, o->fees);
        if (n < 0 || (size_t)n >= cap - len)
            return 0;
        len += (size_t)n;
    }
    return len;
}

typedef struct {
    tt_paper_t *self;
    int line;
} s_parse_t;

static int s_bad(s_parse_t *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int s_bad(s_parse_t *p, const char *fmt, ...)
{
    char what[120];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(p->self->err, sizeof p->self->err, "paper state line %d: %s",
             p->line, what);
    return -1;
}

/* A signed decimal integer in MIN..MAX, the whole of WORD. */
static int s_int(s_parse_t *p, const char *word, const char *name, int64_t min,
                 int64_t max, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = word ? strtoll(word, &end, 10) : 0;
    if (!word || end == word || *end || errno || v < min || v > max)
        return s_bad(p, "%s \"%s\" is not an integer in %" PRId64 "..%" PRId64,
                     name, word ? word : "", min, max);
    *out = v;
    return 0;
}

/* Splits LINE (modified) into at most CAP words; returns their count. */
static int s_words(char *line, char **words, int cap)
{
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(line, " \t\r", &save); w;
         w = strtok_r(NULL, " \t\r", &save)) {
        if (n == cap)
            return cap + 1;
        words[n++] = w;
    }
    return n;
}

static int s_counters(s_parse_t *p, char *line, tt_paper_t *out)
{
    char *w[5];
    int64_t arrivals = 0, fills = 0;
    if (s_words(line, w, 4) != 4 || strcmp(w[0], "arrivals") ||
        strcmp(w[2], "fills"))
        return s_bad(p, "expected \"arrivals <n> fills <n>\"");
    if (s_int(p, w[1], "arrivals", 0, INT64_MAX, &arrivals) ||
        s_int(p, w[3], "fills", 0, INT64_MAX, &fills))
        return -1;
    out->arrivals = (uint64_t)arrivals;
    out->fills = (uint64_t)fills;
    return 0;
}

/* Fields 1.. of an order line into O, range-checked one by one. */
static int s_order_fields(s_parse_t *p, char **w, tt_paper_order_t *o)
{
    int64_t v[S_FIELDS] = {0};
    static const struct {
        const char *name;
        int64_t min, max;
    } f[S_FIELDS] = {
        {"", 0, 0},
        {"", 0, 0},
        {"side", TT_SIDE_BUY, TT_SIDE_SELL},
        {"type", TT_ORD_MARKET, TT_ORD_STOP_LIMIT},
        {"tif", TT_TIF_DAY, TT_TIF_IOC},
        {"qty", 1, INT64_MAX},
        {"filled", 0, INT64_MAX},
        {"limit_px", 0, INT64_MAX},
        {"stop_px", 0, INT64_MAX},
        {"eligible_ts", INT64_MIN, INT64_MAX},
        {"triggered", 0, 1},
        {"fills", 0, UINT32_MAX},
        {"seq", 1, INT64_MAX},
        {"last_px", 0, INT64_MAX},
        {"fees", 0, INT64_MAX},
    };
    for (int i = 2; i < S_FIELDS; i++)
        if (s_int(p, w[i], f[i].name, f[i].min, f[i].max, &v[i]) != 0)
            return -1;
    memset(o, 0, sizeof *o);
    if (strlen(w[1]) > TT_COID_MAX)
        return s_bad(p, "client id longer than %d characters", TT_COID_MAX);
    snprintf(o->coid, sizeof o->coid, "%s", w[1]);
    o->side = (tt_side_t)v[2];
    o->type = (tt_ord_type_t)v[3];
    o->tif = (tt_tif_t)v[4];
    o->qty = v[5];
    o->filled = v[6];
    o->limit_px = v[7];
    o->stop_px = v[8];
    o->eligible_ts = v[9];
    o->triggered = v[10] != 0;
    o->fills = (uint32_t)v[11];
    o->seq = (uint64_t)v[12];
    o->last_px = v[13];
    o->fees = v[14];
    return 0;
}

/* One order line, checked against the orders before it. */
static int s_order(s_parse_t *p, char *line, tt_paper_t *out)
{
    char *w[S_FIELDS + 1];
    if (s_words(line, w, S_FIELDS) != S_FIELDS || strcmp(w[0], "order"))
        return s_bad(p, "expected \"order\" and %d fields", S_FIELDS - 1);
    if (out->n == TT_PAPER_ORDERS)
        return s_bad(p, "more than %d resting orders", TT_PAPER_ORDERS);
    tt_paper_order_t o;
    if (s_order_fields(p, w, &o) != 0)
        return -1;
    bool limit = o.type == TT_ORD_LIMIT || o.type == TT_ORD_STOP_LIMIT;
    bool stop = o.type == TT_ORD_STOP || o.type == TT_ORD_STOP_LIMIT;
    if (o.filled >= o.qty)
        return s_bad(p, "%s: filled %" PRId64 " is not below qty %" PRId64,
                     o.coid, o.filled, o.qty);
    if ((limit && o.limit_px == 0) || (stop && o.stop_px == 0))
        return s_bad(p, "%s: its type needs its prices", o.coid);
    if ((o.fills == 0) != (o.filled == 0) || (o.fills > 0 && !o.last_px))
        return s_bad(p, "%s: fills, filled and last_px disagree", o.coid);
    if (o.seq > out->arrivals ||
        (out->n && o.seq <= out->orders[out->n - 1].seq))
        return s_bad(p, "%s: seq %" PRIu64 " out of arrival order", o.coid,
                     o.seq);
    if (tt_paper_find(out, o.coid))
        return s_bad(p, "%s: client id rests twice", o.coid);
    out->orders[out->n++] = o;
    return 0;
}

static int s_parse(s_parse_t *p, char *text, tt_paper_t *out)
{
    char *save = NULL;
    int rc = 0;
    for (char *line = strtok_r(text, "\n", &save); line && rc == 0;
         line = strtok_r(NULL, "\n", &save)) {
        p->line++;
        if (p->line == 1)
            rc = strcmp(line, S_MAGIC) ? s_bad(p, "expected \"%s\"", S_MAGIC)
                                       : 0;
        else if (p->line == 2)
            rc = s_counters(p, line, out);
        else
            rc = s_order(p, line, out);
    }
    if (rc == 0 && p->line < 2)
        rc = s_bad(p, "the state ends before its counters");
    return rc;
}

int tt_paper_load(tt_paper_t *self, const void *buf, size_t len)
{
    assert(self);
    s_parse_t p = {.self = self};
    if (!buf || len == 0 || len >= TT_PAPER_STATE_MAX || memchr(buf, '\0', len))
        return s_bad(&p, "%zu bytes: empty, too long or binary", len);
    char *text = malloc(len + 1);
    tt_paper_t *out = malloc(sizeof *out);
    if (!text || !out) {
        free(text);
        free(out);
        return s_bad(&p, "out of memory");
    }
    memcpy(text, buf, len);
    text[len] = '\0';
    *out = *self;
    out->n = 0;
    int rc = s_parse(&p, text, out);
    if (rc == 0) {
        out->err[0] = '\0';
        *self = *out;
    }
    free(text);
    free(out);
    return rc;
}
