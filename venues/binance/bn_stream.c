/*  venues/binance/bn_stream.c: market-stream frames to ticks and candles
    (see bn_stream.h). One validating walk collects the fields of the
    frame; a combined-stream wrapper costs a second, shorter walk over its
    "data" object, and a kline one more over "k". Field order is never
    assumed. */
#include "venues/binance/bn_stream.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "marketdata/decimal.h"
#include "venues/common/jscan.h"

/* Fields of an event or control frame, in the order of s_keys. */
enum {
    F_E_TYPE,
    F_E_TIME,
    F_SYM,
    F_TID,
    F_PX,
    F_QTY,
    F_TTIME,
    F_AGG,
    F_MKR,
    F_K,
    F_STREAM,
    F_DATA,
    F_RESULT,
    F_ID,
    F_CODE,
    F_MSG,
    F_N
};
static const char *const s_keys[F_N] = {
    "e", "E", "s",      "t",    "p",      "q",  "T",    "a",
    "m", "k", "stream", "data", "result", "id", "code", "msg"};

/* Fields of a kline's "k" object. */
enum { K_OPEN_T, K_CLOSE_T, K_IV, K_O, K_H, K_L, K_C, K_V, K_N, K_X, K_N_ };
static const char *const s_kkeys[K_N_] = {"t", "T", "i", "o", "h",
                                          "l", "c", "v", "n", "x"};

__attribute__((format(printf, 2, 3))) static tt_bn_msg_kind_t
s_bad(tt_bn_msg_t *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->text, sizeof out->text, fmt, ap);
    va_end(ap);
    return out->kind = TT_BN_MSG_MALFORMED;
}

static tt_bn_msg_kind_t s_json_bad(tt_bn_msg_t *out, const tt_jiter_t *it)
{
    return s_bad(out, "bad JSON at byte %zu: %s", it->err_off, it->err);
}

void tt_bn_stream_init(tt_bn_stream_t *self, tt_bn_lookup_fn *lookup, void *arg)
{
    memset(self, 0, sizeof *self);
    self->lookup = lookup;
    self->arg = arg;
}

/* Epoch milliseconds field to ns; -1 when absent, negative or too big. */
static int s_ms(const tt_jval_t *v, tt_ns_t *out)
{
    int64_t ms;
    if (tt_jval_int64(v, &ms) != 0 || ms < 0 || ms > INT64_MAX / TT_NS_PER_MS)
        return -1;
    *out = ms * TT_NS_PER_MS;
    return 0;
}

/* A decimal-string field scaled by 10^DECIMALS. */
static int s_dec(const char *what, const char *key, const tt_jval_t *v,
                 int decimals, int64_t *out, tt_bn_msg_t *msg)
{
    if (v->type != TT_JS_STRING) {
        s_bad(msg, "%s: field \"%s\": missing or not a string", what, key);
        return -1;
    }
    int rc = tt_decimal_parse(v->p, v->len, decimals, out);
    if (rc != TT_DEC_OK) {
        s_bad(msg, "%s: field \"%s\": \"%.*s\" at %d decimals: %s", what, key,
              (int)(v->len > 40 ? 40 : v->len), v->p, decimals,
              tt_decimal_strerror(rc));
        return -1;
    }
    return 0;
}

/* Copies "s" and looks it up; fills INS. */
static tt_bn_msg_kind_t s_symbol(tt_bn_stream_t *self, const char *what,
                                 const tt_jval_t *v, tt_instrument_t *ins,
                                 tt_bn_msg_t *out)
{
    if (v->type != TT_JS_STRING || v->escaped || v->len == 0 ||
        v->len >= sizeof out->symbol)
        return s_bad(out, "%s: field \"s\": missing or not a symbol", what);
    memcpy(out->symbol, v->p, v->len);
    out->symbol[v->len] = '\0';
    out->symbol_index = self->lookup(self->arg, out->symbol, ins);
    if (out->symbol_index < 0) {
        snprintf(out->text, sizeof out->text, "%s: unknown symbol %s", what,
                 out->symbol);
        return out->kind = TT_BN_MSG_UNKNOWN_SYMBOL;
    }
    return out->kind = TT_BN_MSG_TICK; /* provisional: "looked up" */
}

static tt_bn_msg_kind_t s_trade(tt_bn_stream_t *self, const tt_jval_t *f,
                                bool agg, tt_bn_msg_t *out)
{
    const char *what = agg ? "aggTrade" : "trade";
    tt_instrument_t ins;
    if (s_symbol(self, what, &f[F_SYM], &ins, out) != TT_BN_MSG_TICK)
        return out->kind;
    int64_t id;
    const tt_jval_t *idv = &f[agg ? F_AGG : F_TID];
    if (tt_jval_int64(idv, &id) != 0 || id < 0)
        return s_bad(out, "%s: field \"%s\": missing or not an id", what,
                     agg ? "a" : "t");
    if (s_ms(&f[F_TTIME], &out->tick.ts) != 0)
        return s_bad(out, "%s: field \"T\": missing or not a time", what);
    if (s_dec(what, "p", &f[F_PX], ins.px_decimals, &out->tick.price, out) ||
        s_dec(what, "q", &f[F_QTY], ins.qty_decimals, &out->tick.size, out))
        return out->kind;
    if (out->tick.price <= 0 || out->tick.size < 0)
        return s_bad(out, "%s: price not positive or size negative", what);
    out->tick.trade_id = (uint64_t)id;
    out->agg = agg;
    out->buyer_maker = f[F_MKR].type == TT_JS_TRUE;
    return out->kind = TT_BN_MSG_TICK;
}

static tt_bn_msg_kind_t
s_kline_prices(const tt_jval_t *k, const tt_instrument_t *ins, tt_bn_msg_t *out)
{
    tt_candle_t *b = &out->bar;
    int pd = ins->px_decimals;
    if (s_dec("kline", "o", &k[K_O], pd, &b->open, out) ||
        s_dec("kline", "h", &k[K_H], pd, &b->high, out) ||
        s_dec("kline", "l", &k[K_L], pd, &b->low, out) ||
        s_dec("kline", "c", &k[K_C], pd, &b->close, out) ||
        s_dec("kline", "v", &k[K_V], ins->qty_decimals, &b->volume, out))
        return out->kind;
    if (b->low > b->high || b->open > b->high || b->close > b->high ||
        b->open < b->low || b->close < b->low || b->volume < 0)
        return s_bad(out, "kline: o/h/l/c/v inconsistent");
    int64_t n;
    if (tt_jval_int64(&k[K_N], &n) != 0 || n < 0 || n > UINT32_MAX)
        return s_bad(out, "kline: field \"n\": missing or not a count");
    b->trades = (uint32_t)n;
    return out->kind = TT_BN_MSG_BAR;
}

static tt_bn_msg_kind_t s_kline(tt_bn_stream_t *self, const char *base,
                                const tt_jval_t *f, tt_bn_msg_t *out)
{
    tt_instrument_t ins;
    if (s_symbol(self, "kline", &f[F_SYM], &ins, out) != TT_BN_MSG_TICK)
        return out->kind;
    if (f[F_K].type != TT_JS_OBJECT)
        return s_bad(out, "kline: field \"k\": missing or not an object");
    tt_jiter_t it;
    tt_jval_t k[K_N_];
    tt_jiter_nested(&it, base, &f[F_K]);
    if (tt_jiter_fields(&it, s_kkeys, K_N_, k) != 0)
        return s_json_bad(out, &it);
    if (k[K_IV].type != TT_JS_STRING)
        return s_bad(out, "kline: field \"i\": missing or not a string");
    int32_t tf = tt_bn_interval_seconds(k[K_IV].p, k[K_IV].len);
    if (tf < 0) {
        snprintf(out->text, sizeof out->text,
                 "kline interval %.*s: no "
                 "fixed length or unknown",
                 (int)(k[K_IV].len & 15), k[K_IV].p);
        return out->kind = TT_BN_MSG_UNKNOWN;
    }
    tt_ns_t close_ts;
    if (s_ms(&k[K_OPEN_T], &out->bar.open_ts) != 0 ||
        s_ms(&k[K_CLOSE_T], &close_ts) != 0)
        return s_bad(out, "kline: field \"t\" or \"T\": missing or not a "
                          "time");
    if (close_ts != out->bar.open_ts + tf * TT_NS_PER_SEC - TT_NS_PER_MS)
        return s_bad(out, "kline: close time does not match interval %.*s",
                     (int)(k[K_IV].len & 15), k[K_IV].p);
    if (k[K_X].type != TT_JS_TRUE && k[K_X].type != TT_JS_FALSE)
        return s_bad(out, "kline: field \"x\": missing or not a boolean");
    out->bar.tf_s = tf;
    out->bar.closed = k[K_X].type == TT_JS_TRUE;
    return s_kline_prices(k, &ins, out);
}

/* An event object whose fields are in F (walked from BASE). */
static tt_bn_msg_kind_t s_event(tt_bn_stream_t *self, const char *base,
                                const tt_jval_t *f, tt_bn_msg_t *out)
{
    const tt_jval_t *e = &f[F_E_TYPE];
    if (e->type != TT_JS_STRING)
        return s_bad(out, "event: field \"e\": not a string");
    if (f[F_E_TIME].type != TT_JS_NONE && s_ms(&f[F_E_TIME], &out->event_ts))
        return s_bad(out, "event: field \"E\": not a time");
    if (tt_jval_is(e, "trade"))
        return s_trade(self, f, false, out);
    if (tt_jval_is(e, "aggTrade"))
        return s_trade(self, f, true, out);
    if (tt_jval_is(e, "kline"))
        return s_kline(self, base, f, out);
    if (tt_jval_is(e, "serverShutdown"))
        return out->kind = TT_BN_MSG_SHUTDOWN;
    snprintf(out->text, sizeof out->text, "event type %.*s",
             (int)(e->len > 40 ? 40 : e->len), e->p);
    return out->kind = TT_BN_MSG_UNKNOWN;
}

/* A frame without "e": a reply, an error, or something we do not know. */
static tt_bn_msg_kind_t s_control(const tt_jval_t *f, tt_bn_msg_t *out)
{
    if (f[F_ID].type != TT_JS_NONE && f[F_ID].type != TT_JS_NULL &&
        tt_jval_int64(&f[F_ID], &out->id) != 0)
        return s_bad(out, "control: field \"id\": not an integer");
    if (f[F_CODE].type != TT_JS_NONE) {
        if (tt_jval_int64(&f[F_CODE], &out->code) != 0)
            return s_bad(out, "error: field \"code\": not an integer");
        if (tt_jval_copy(&f[F_MSG], out->text, sizeof out->text) < 0 &&
            f[F_MSG].type != TT_JS_STRING)
            snprintf(out->text, sizeof out->text, "(no message)");
        return out->kind = TT_BN_MSG_VENUE_ERROR;
    }
    if (f[F_RESULT].type != TT_JS_NONE && f[F_ID].type == TT_JS_NUMBER)
        return out->kind = TT_BN_MSG_REPLY;
    snprintf(out->text, sizeof out->text, "frame without event type");
    return out->kind = TT_BN_MSG_UNKNOWN;
}

static tt_bn_msg_kind_t s_parse(tt_bn_stream_t *self, const char *buf,
                                size_t len, tt_bn_msg_t *out)
{
    tt_jiter_t it;
    tt_jval_t f[F_N];
    if (tt_jiter_root(&it, buf, len, '{') != 0 ||
        tt_jiter_fields(&it, s_keys, F_N, f) != 0)
        return s_json_bad(out, &it);
    if (f[F_DATA].type == TT_JS_NONE)
        return f[F_E_TYPE].type != TT_JS_NONE ? s_event(self, buf, f, out)
                                              : s_control(f, out);
    if (f[F_DATA].type != TT_JS_OBJECT || f[F_STREAM].type != TT_JS_STRING)
        return s_bad(out, "combined: \"stream\" or \"data\" of wrong type");
    tt_jval_t d[F_N];
    tt_jiter_nested(&it, buf, &f[F_DATA]);
    if (tt_jiter_fields(&it, s_keys, F_N, d) != 0)
        return s_json_bad(out, &it);
    return s_event(self, buf, d, out);
}

tt_bn_msg_kind_t tt_bn_stream_parse(tt_bn_stream_t *self, const char *buf,
                                    size_t len, tt_bn_msg_t *out)
{
    out->symbol[0] = '\0';
    out->text[0] = '\0';
    out->symbol_index = -1;
    out->id = -1;
    out->code = 0;
    out->agg = out->buyer_maker = false;
    out->event_ts = 0;
    tt_bn_stream_stats_t *st = &self->stats;
    switch (s_parse(self, buf, len, out)) {
    case TT_BN_MSG_TICK:
        st->ticks++;
        break;
    case TT_BN_MSG_BAR:
        st->bars++;
        break;
    case TT_BN_MSG_REPLY:
        st->replies++;
        break;
    case TT_BN_MSG_VENUE_ERROR:
        st->venue_errors++;
        break;
    case TT_BN_MSG_SHUTDOWN:
        st->shutdowns++;
        break;
    case TT_BN_MSG_UNKNOWN:
        st->unknown++;
        break;
    case TT_BN_MSG_UNKNOWN_SYMBOL:
        st->unknown_symbol++;
        break;
    case TT_BN_MSG_MALFORMED:
        st->malformed++;
        break;
    }
    return out->kind;
}

int32_t tt_bn_interval_seconds(const char *iv, size_t len)
{
    static const struct {
        const char *name;
        int32_t s;
    } table[] = {{"1s", 1},     {"1m", 60},     {"3m", 180},   {"5m", 300},
                 {"15m", 900},  {"30m", 1800},  {"1h", 3600},  {"2h", 7200},
                 {"4h", 14400}, {"6h", 21600},  {"8h", 28800}, {"12h", 43200},
                 {"1d", 86400}, {"3d", 259200}, {"1w", 604800}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strlen(table[i].name) == len && memcmp(table[i].name, iv, len) == 0)
            return table[i].s;
    return -1;
}

int tt_bn_symtab_lookup(void *arg, const char *symbol,
                        tt_instrument_t *instrument)
{
    const tt_bn_symtab_t *t = arg;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->entries[i].symbol, symbol) == 0) {
            *instrument = t->entries[i].instrument;
            return (int)i;
        }
    return -1;
}
