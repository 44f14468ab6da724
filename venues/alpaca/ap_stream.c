/*  venues/alpaca/ap_stream.c: the market-data frame walker and the client
    messages (see ap_stream.h). One message is read into a table of spans
    (one slot per key we know, a bit per slot seen), then handed to one
    handler per "T". Numbers go from their literal text to scaled int64
    with marketdata/decimal.h, never through a double. */
#include "venues/alpaca/ap_stream.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "marketdata/decimal.h"
#include "venues/alpaca/ap_time.h"

/* Keys we read. Trades and bars share "c" (conditions / close) and "s"
   (size); the handler for "T" decides what each means. */
enum {
    F_T,
    F_S,
    F_I,
    F_X,
    F_P,
    F_SZ,
    F_TS,
    F_Z,
    F_TKS,
    F_O,
    F_H,
    F_L,
    F_C,
    F_V,
    F_N,
    F_MSG,
    F_CODE,
    F_CH, /* F_CH + tt_ap_channel_t */
    F_COUNT = F_CH + TT_AP_CH_COUNT
};

typedef struct {
    uint64_t seen;
    tt_jval_t v[F_COUNT];
} s_msg_t;

static const char *const s_channels[TT_AP_CH_COUNT] = {
    "trades",   "quotes", "bars",        "updatedBars",  "dailyBars",
    "statuses", "lulds",  "corrections", "cancelErrors", "orderbooks"};

static int s_slot(const tt_jval_t *key)
{
    if (key->len == 1) {
        static const char one[] = "TSixpstzohlcvn";
        static const int slot[] = {F_T, F_S, F_I, F_X, F_P, F_SZ, F_TS,
                                   F_Z, F_O, F_H, F_L, F_C, F_V,  F_N};
        const char *at = memchr(one, key->p[0], sizeof one - 1);
        return at ? slot[at - one] : -1;
    }
    if (tt_jval_is(key, "msg"))
        return F_MSG;
    if (tt_jval_is(key, "code"))
        return F_CODE;
    if (tt_jval_is(key, "tks"))
        return F_TKS;
    for (int i = 0; i < TT_AP_CH_COUNT; i++)
        if (tt_jval_is(key, s_channels[i]))
            return F_CH + i;
    return -1;
}

static bool s_has(const s_msg_t *m, int slot)
{
    return (m->seen >> slot) & 1u;
}

/* Turns ITEM into a MALFORMED item naming the message and the problem. */
static int s_bad(tt_ap_item_t *item, const char *fmt, ...)
{
    int n = snprintf(item->msg, sizeof item->msg, "message %u: ", item->index);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(item->msg + n, sizeof item->msg - (size_t)n, fmt, ap);
    va_end(ap);
    item->kind = TT_AP_ITEM_MALFORMED;
    return -1;
}

/* A price or quantity: a JSON number (or, leniently, a numeric string),
   exact at DECIMALS. MIN is the smallest value allowed (0 or 1). */
static int s_dec(tt_ap_item_t *item, const s_msg_t *m, int slot,
                 const char *name, int decimals, int64_t min, int64_t *out)
{
    if (!s_has(m, slot))
        return s_bad(item, "missing \"%s\"", name);
    const tt_jval_t *v = &m->v[slot];
    if (v->type != TT_JS_NUMBER && v->type != TT_JS_STRING)
        return s_bad(item, "\"%s\" is not a number", name);
    int rc = tt_ap_dec_exact(v->p, v->len, decimals, out);
    if (rc != TT_DEC_OK)
        return s_bad(item, "\"%s\" %.*s: %s at %d decimals", name,
                     (int)(v->len > 24 ? 24 : v->len), v->p,
                     tt_decimal_strerror(rc), decimals);
    if (*out < min)
        return s_bad(item, "\"%s\" %.*s: %s", name, (int)v->len, v->p,
                     min > 0 ? "not positive" : "negative");
    return 0;
}

static int s_time(tt_ap_item_t *item, const s_msg_t *m, tt_ns_t *out)
{
    const tt_jval_t *v = &m->v[F_TS];
    if (!s_has(m, F_TS))
        return s_bad(item, "missing \"t\"");
    if (v->type != TT_JS_STRING || v->escaped ||
        tt_ap_time_parse(v->p, v->len, out) < 0)
        return s_bad(item, "\"t\" is not an RFC 3339 time: %.*s",
                     (int)(v->len > 40 ? 40 : v->len), v->p);
    return 0;
}

/* Copies "S" into item->symbol and resolves its scales. Returns 0, -1
   (MALFORMED set) or 1 (SKIPPED: a symbol the caller does not trade). */
static int s_symbol(tt_ap_stream_t *self, tt_ap_item_t *item, const s_msg_t *m,
                    tt_instrument_t *inst)
{
    if (!s_has(m, F_S) ||
        tt_jval_utf8(&m->v[F_S], item->symbol, sizeof item->symbol) < 0 ||
        item->symbol[0] == '\0')
        return s_bad(item, "missing or bad symbol \"S\"");
    for (const char *c = item->symbol; *c; c++)
        if (*c <= ' ' || *c > '~')
            return s_bad(item, "bad character in symbol \"S\"");
    if (tt_ap_scales_get(&self->scales, item->symbol, inst) < 0) {
        item->kind = TT_AP_ITEM_SKIPPED;
        item->skip = TT_AP_SKIP_UNKNOWN_SYMBOL;
        return 1;
    }
    return 0;
}

/* Optional one-letter string field (tape, taker side) into *OUT. */
static int s_letter(tt_ap_item_t *item, const s_msg_t *m, int slot,
                    const char *name, char *out)
{
    *out = 0;
    if (!s_has(m, slot))
        return 0;
    const tt_jval_t *v = &m->v[slot];
    if (v->type != TT_JS_STRING || v->len != 1 || v->escaped)
        return s_bad(item, "\"%s\" is not a one-letter string", name);
    *out = v->p[0];
    return 0;
}

static int s_trade_extras(tt_ap_item_t *item, const s_msg_t *m)
{
    item->tick.trade_id = 0;
    if (s_has(m, F_I) && tt_jval_uint64(&m->v[F_I], &item->tick.trade_id) < 0)
        return s_bad(item, "\"i\" is not a trade id");
    item->exchange[0] = '\0';
    if (s_has(m, F_X) &&
        tt_jval_utf8(&m->v[F_X], item->exchange, sizeof item->exchange) < 0)
        return s_bad(item, "\"x\" is not a short string");
    if (s_letter(item, m, F_Z, "z", &item->tape) < 0 ||
        s_letter(item, m, F_TKS, "tks", &item->taker) < 0)
        return -1;
    return 0;
}

static int s_trade(tt_ap_stream_t *self, tt_ap_item_t *item, const s_msg_t *m)
{
    tt_instrument_t inst;
    int rc = s_symbol(self, item, m, &inst);
    if (rc != 0)
        return rc;
    if (s_dec(item, m, F_P, "p", inst.px_decimals, 1, &item->tick.price) < 0 ||
        s_dec(item, m, F_SZ, "s", inst.qty_decimals, 1, &item->tick.size) < 0 ||
        s_time(item, m, &item->tick.ts) < 0 || s_trade_extras(item, m) < 0)
        return -1;
    item->kind = TT_AP_ITEM_TRADE;
    return 0;
}

static int s_bar_values(tt_ap_item_t *item, const s_msg_t *m,
                        const tt_instrument_t *inst)
{
    tt_candle_t *b = &item->bar;
    int px = inst->px_decimals;
    if (s_dec(item, m, F_O, "o", px, 1, &b->open) < 0 ||
        s_dec(item, m, F_H, "h", px, 1, &b->high) < 0 ||
        s_dec(item, m, F_L, "l", px, 1, &b->low) < 0 ||
        s_dec(item, m, F_C, "c", px, 1, &b->close) < 0 ||
        s_dec(item, m, F_V, "v", inst->qty_decimals, 0, &b->volume) < 0 ||
        s_time(item, m, &b->open_ts) < 0)
        return -1;
    uint64_t n = 0;
    if (s_has(m, F_N) && (tt_jval_uint64(&m->v[F_N], &n) < 0 || n > UINT32_MAX))
        return s_bad(item, "\"n\" is not a trade count");
    b->trades = (uint32_t)n;
    if (b->low > b->high || b->open < b->low || b->open > b->high ||
        b->close < b->low || b->close > b->high)
        return s_bad(item, "bar prices out of order (low..high)");
    return 0;
}

static int s_bar(tt_ap_stream_t *self, tt_ap_item_t *item, const s_msg_t *m,
                 char kind)
{
    tt_instrument_t inst;
    int rc = s_symbol(self, item, m, &inst);
    if (rc != 0)
        return rc;
    if (s_bar_values(item, m, &inst) < 0)
        return -1;
    item->bar_kind = (tt_ap_bar_kind_t)kind;
    item->bar.tf_s = kind == 'd' ? 86400 : 60;
    item->bar.closed = kind != 'd';
    /* Minute bars start on the minute; anything else is not Alpaca's. */
    if (kind != 'd' && item->bar.open_ts % (60 * TT_NS_PER_SEC) != 0)
        return s_bad(item, "minute bar \"t\" is not on a minute");
    item->kind = TT_AP_ITEM_BAR;
    return 0;
}

static int s_text(tt_ap_item_t *item, const s_msg_t *m)
{
    if (!s_has(m, F_MSG))
        return s_bad(item, "missing \"msg\"");
    const tt_jval_t *v = &m->v[F_MSG];
    if (v->type != TT_JS_STRING)
        return s_bad(item, "\"msg\" is not a string");
    if (tt_jval_utf8(v, item->msg, sizeof item->msg) < 0) {
        /* Too long or odd: keep a raw, cut prefix rather than nothing. */
        size_t n = v->len < TT_AP_MSG_MAX ? v->len : TT_AP_MSG_MAX;
        memcpy(item->msg, v->p, n);
        item->msg[n] = '\0';
    }
    return 0;
}

static int s_control(tt_ap_item_t *item, const s_msg_t *m)
{
    if (s_text(item, m) < 0)
        return -1;
    item->control = !strcmp(item->msg, "connected") ? TT_AP_CTRL_CONNECTED
                    : !strcmp(item->msg, "authenticated")
                        ? TT_AP_CTRL_AUTHENTICATED
                        : TT_AP_CTRL_OTHER;
    item->kind = TT_AP_ITEM_CONTROL;
    return 0;
}

static int s_error(tt_ap_item_t *item, const s_msg_t *m)
{
    int64_t code;
    if (!s_has(m, F_CODE) || tt_jval_int64(&m->v[F_CODE], &code) < 0 ||
        code < 0 || code > 99999)
        return s_bad(item, "error without an integer \"code\"");
    if (s_text(item, m) < 0)
        return -1;
    item->code = (int)code;
    item->kind = TT_AP_ITEM_ERROR;
    return 0;
}

/* Counts the strings of one channel list, checking each is a string. */
static int s_count_list(tt_ap_list_t *list)
{
    size_t pos = 0;
    char sym[TT_AP_SYMBOL_MAX + 1];
    int rc;
    list->count = 0;
    while ((rc = tt_ap_list_next(list, &pos, sym, sizeof sym)) > 0)
        list->count++;
    return rc;
}

static int s_subscription(tt_ap_item_t *item, const s_msg_t *m)
{
    for (int ch = 0; ch < TT_AP_CH_COUNT; ch++) {
        tt_ap_list_t *list = &item->lists[ch];
        memset(list, 0, sizeof *list);
        if (!s_has(m, F_CH + ch))
            continue;
        if (m->v[F_CH + ch].type != TT_JS_ARRAY)
            return s_bad(item, "\"%s\" is not a list", s_channels[ch]);
        list->present = true;
        list->json = m->v[F_CH + ch];
        if (s_count_list(list) < 0)
            return s_bad(item, "\"%s\" holds a non-symbol", s_channels[ch]);
    }
    item->kind = TT_AP_ITEM_SUBSCRIPTION;
    return 0;
}

static void s_skip(tt_ap_item_t *item, tt_ap_skip_t why)
{
    item->kind = TT_AP_ITEM_SKIPPED;
    item->skip = why;
}

/* One handler per "T". */
static void s_dispatch(tt_ap_stream_t *self, tt_ap_item_t *item,
                       const s_msg_t *m)
{
    const tt_jval_t *t = &m->v[F_T];
    if (!s_has(m, F_T) || t->type != TT_JS_STRING || t->escaped) {
        s_bad(item, "no \"T\" type");
        return;
    }
    if (t->len == 1) {
        static const char skips[] = "qcxslio";
        const char *at = memchr(skips, t->p[0], sizeof skips - 1);
        char c = t->p[0];
        if (c == 't')
            s_trade(self, item, m);
        else if (c == 'b' || c == 'd' || c == 'u')
            s_bar(self, item, m, c);
        else
            s_skip(item,
                   at ? (tt_ap_skip_t)(at - skips) : TT_AP_SKIP_UNKNOWN_TYPE);
    } else if (tt_jval_is(t, "success")) {
        s_control(item, m);
    } else if (tt_jval_is(t, "error")) {
        s_error(item, m);
    } else if (tt_jval_is(t, "subscription")) {
        s_subscription(item, m);
    } else {
        s_skip(item, TT_AP_SKIP_UNKNOWN_TYPE);
    }
}

/* Reads the members of one message, walked in place, into M. -1 when
   the frame's JSON breaks; 1 when the object is whole but repeats a key
   we read. */
static int s_read(tt_jiter_t *walk, s_msg_t *m)
{
    bool dup = false;
    tt_jval_t key, val;
    int more;
    m->seen = 0;
    while ((more = tt_jiter_member(walk, &key, &val)) > 0) {
        int slot = s_slot(&key);
        if (slot < 0)
            continue;
        dup |= s_has(m, slot);
        m->seen |= UINT64_C(1) << slot;
        m->v[slot] = val;
    }
    return more < 0 ? -1 : dup ? 1 : 0;
}

void tt_ap_stream_init(tt_ap_stream_t *self, const tt_ap_scales_t *scales)
{
    memset(self, 0, sizeof *self);
    self->scales = *scales;
    self->phase = 2;
}

void tt_ap_stream_feed(tt_ap_stream_t *self, const char *buf, size_t len)
{
    /* A frame that is not an array is reported by the first next(). */
    self->phase = tt_jiter_root(&self->walk, buf, len, '[') == 0 ? 1 : 0;
    self->index = 0;
    self->stats.frames++;
}

/* The frame's JSON broke: one last MALFORMED item, then the walk ends. */
static int s_broken(tt_ap_stream_t *self, tt_ap_item_t *item)
{
    const tt_jiter_t *w = &self->walk;
    /* The walk saw the array's closing bracket: what broke is after it. */
    const char *why = w->done ? "data after the array" : w->err;
    item->kind = TT_AP_ITEM_MALFORMED;
    snprintf(item->msg, sizeof item->msg, "frame: %s at byte %zu", why,
             w->err_off);
    self->phase = 2;
    self->stats.malformed++;
    return 1;
}
static void s_count(tt_ap_stream_stats_t *st, const tt_ap_item_t *item)
{
    switch (item->kind) {
    case TT_AP_ITEM_TRADE:
        st->trades++;
        break;
    case TT_AP_ITEM_BAR:
        st->bars++;
        break;
    case TT_AP_ITEM_CONTROL:
        st->controls++;
        break;
    case TT_AP_ITEM_ERROR:
        st->errors++;
        break;
    case TT_AP_ITEM_SUBSCRIPTION:
        st->subscriptions++;
        break;
    case TT_AP_ITEM_SKIPPED:
        st->skipped[item->skip]++;
        break;
    case TT_AP_ITEM_MALFORMED:
        st->malformed++;
        break;
    }
}

/* The next array element into ITEM. Messages are objects, entered in
   place so that each byte is walked once. 1 with an item, 0 at the end
   of the array, -1 when the frame's JSON broke. */
static int s_element(tt_ap_stream_t *self, tt_ap_item_t *item)
{
    s_msg_t m;
    tt_jiter_t msg;
    tt_jval_t val;
    int rc = tt_jiter_enter(&self->walk, '{', &val, &msg);
    if (rc <= 0)
        return rc;
    item->index = self->index++;
    item->msg[0] = '\0';
    if (val.type != TT_JS_OBJECT) {
        s_bad(item, "not an object");
        return 1;
    }
    rc = s_read(&msg, &m);
    if (tt_jiter_leave(&self->walk, &msg) < 0)
        return -1;
    if (rc > 0)
        s_bad(item, "repeated key");
    else
        s_dispatch(self, item, &m);
    return 1;
}

int tt_ap_stream_next(tt_ap_stream_t *self, tt_ap_item_t *item)
{
    if (self->phase == 2)
        return 0;
    int rc = self->phase == 0 ? -1 : s_element(self, item);
    if (rc < 0)
        return s_broken(self, item);
    if (rc == 0) {
        self->phase = 2;
        return 0;
    }
    s_count(&self->stats, item);
    return 1;
}

/* *POS is the offset in the list's text where the previous call stopped,
   so a long list is walked once however it is read. */
int tt_ap_list_next(const tt_ap_list_t *list, size_t *pos, char *out,
                    size_t size)
{
    tt_jiter_t walk;
    tt_jval_t v;
    if (!list->present)
        return 0;
    if (tt_jiter_nested(&walk, list->json.p, &list->json) < 0 ||
        *pos > list->json.len)
        return -1;
    if (*pos > 0) {
        walk.p = list->json.p + *pos;
        walk.first = false;
    }
    int more = tt_jiter_element(&walk, &v);
    *pos = (size_t)(walk.p - list->json.p);
    if (more <= 0)
        return more;
    return tt_jval_utf8(&v, out, size) < 0 ? -1 : 1;
}

tt_ap_err_action_t tt_ap_stream_error_action(int code)
{
    switch (code) {
    case 403: /* already authenticated: harmless */
    case 405: /* symbol limit: earlier subscriptions are kept */
        return TT_AP_ERR_CONTINUE;
    case 402: /* auth failed: the keys are wrong */
    case 409: /* insufficient subscription: the plan lacks this feed */
    case 410: /* invalid subscribe action for this feed */
        return TT_AP_ERR_FATAL;
    default: /* 400, 401, 404, 406, 407, 500 and codes we do not know */
        return TT_AP_ERR_RECONNECT;
    }
}

const char *tt_ap_stream_error_name(int code)
{
    switch (code) {
    case 400:
        return "invalid syntax";
    case 401:
        return "not authenticated";
    case 402:
        return "auth failed";
    case 403:
        return "already authenticated";
    case 404:
        return "auth timeout";
    case 405:
        return "symbol limit exceeded";
    case 406:
        return "connection limit exceeded";
    case 407:
        return "slow client";
    case 409:
        return "insufficient subscription";
    case 410:
        return "invalid subscribe action";
    case 500:
        return "internal error";
    default:
        return "unknown";
    }
}

/* Bounded writer for the client messages. */
typedef struct {
    char *buf;
    size_t size, n;
    bool full;
} s_out_t;

static void s_put(s_out_t *o, const char *s, size_t n)
{
    if (o->full || o->n + n >= o->size) {
        o->full = true;
        return;
    }
    memcpy(o->buf + o->n, s, n);
    o->n += n;
    o->buf[o->n] = '\0';
}

static void s_puts(s_out_t *o, const char *s)
{
    s_put(o, s, strlen(s));
}

/* S as a JSON string, quotes included. */
static void s_put_json(s_out_t *o, const char *s)
{
    s_put(o, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c;
            s_put(o, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            s_put(o, esc, 6);
        } else {
            s_put(o, s, 1);
        }
    }
    s_put(o, "\"", 1);
}

static int s_done(s_out_t *o)
{
    if (o->full) {
        if (o->size)
            o->buf[0] = '\0';
        return -1;
    }
    return (int)o->n;
}

int tt_ap_stream_auth(char *buf, size_t size, const char *key,
                      const char *secret)
{
    s_out_t o = {buf, size, 0, size == 0};
    if (!buf || !key || !secret)
        return -1;
    s_puts(&o, "{\"action\":\"auth\",\"key\":");
    s_put_json(&o, key);
    s_puts(&o, ",\"secret\":");
    s_put_json(&o, secret);
    s_puts(&o, "}");
    return s_done(&o);
}

static void s_put_list(s_out_t *o, const char *name, const char *const *syms,
                       size_t n)
{
    if (!syms && n == 0)
        return;
    s_puts(o, ",\"");
    s_puts(o, name);
    s_puts(o, "\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            s_puts(o, ",");
        if (!syms[i])
            o->full = true;
        else
            s_put_json(o, syms[i]);
    }
    s_puts(o, "]");
}

int tt_ap_stream_subscribe(char *buf, size_t size, bool unsubscribe,
                           const tt_ap_sub_req_t *req)
{
    s_out_t o = {buf, size, 0, size == 0};
    if (!buf || !req)
        return -1;
    s_puts(&o, unsubscribe ? "{\"action\":\"unsubscribe\""
                           : "{\"action\":\"subscribe\"");
    s_put_list(&o, "trades", req->trades, req->n_trades);
    s_put_list(&o, "quotes", req->quotes, req->n_quotes);
    s_put_list(&o, "bars", req->bars, req->n_bars);
    s_put_list(&o, "updatedBars", req->updated_bars, req->n_updated_bars);
    s_put_list(&o, "dailyBars", req->daily_bars, req->n_daily_bars);
    s_puts(&o, "}");
    return s_done(&o);
}
