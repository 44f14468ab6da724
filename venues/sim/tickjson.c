/*  venues/sim/tickjson.c: format and parse the tickserver's JSON ticks
    (see tickjson.h). Formatting is snprintf plus tt_decimal_format, with no
    allocation; parsing uses jansson with integers kept as integers (no
    JSON_DECODE_INT_AS_REAL), and prices and sizes are read from their
    string form with tt_decimal_parse so that they stay exact. */
#include "venues/sim/tickjson.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "marketdata/decimal.h"

static bool s_symbol_ok(const char *symbol)
{
    size_t len = strlen(symbol);
    if (len == 0 || len >= TT_SIM_NAME_MAX)
        return false;
    for (const char *c = symbol; *c; c++) {
        bool ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                  (*c >= '0' && *c <= '9') || strchr("._/:-", *c);
        if (!ok)
            return false;
    }
    return true;
}

int tt_tickjson_format(const char *symbol, const tt_instrument_t *instrument,
                       const tt_tick_t *tick, char *buf, size_t size)
{
    if (!symbol || !s_symbol_ok(symbol))
        return -1;
    char px[32], qty[32];
    if (tt_decimal_format(tick->price, instrument->px_decimals, px, sizeof px) <
            0 ||
        tt_decimal_format(tick->size, instrument->qty_decimals, qty,
                          sizeof qty) < 0)
        return -1;
    int n = snprintf(buf, size,
                     "{\"T\":\"t\",\"S\":\"%s\",\"p\":\"%s\",\"s\":\"%s\","
                     "\"t\":%" PRId64 ",\"i\":%" PRIu64 "}",
                     symbol, px, qty, tick->ts, tick->trade_id);
    if (n < 0 || (size_t)n >= size)
        return -1;
    return n;
}

static int s_fail(char *err, size_t errsize, const char *fmt, ...)
{
    if (err && errsize > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsize, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Reads decimal string field KEY of OBJ at DECIMALS into *OUT. */
static int s_decimal_field(json_t *obj, const char *key, int decimals,
                           int64_t *out, char *err, size_t errsize)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return s_fail(err, errsize, "field \"%s\": missing or not a string",
                      key);
    int rc = tt_decimal_parse(json_string_value(v), json_string_length(v),
                              decimals, out);
    if (rc != TT_DEC_OK)
        return s_fail(err, errsize, "field \"%s\": '%s': %s", key,
                      json_string_value(v), tt_decimal_strerror(rc));
    return 0;
}

static int s_header(json_t *root, tt_tickjson_msg_t *out, char *err,
                    size_t errsize)
{
    json_t *type = json_object_get(root, "T");
    if (!json_is_string(type) || strcmp(json_string_value(type), "t") != 0)
        return s_fail(err, errsize, "field \"T\": expected \"t\" (trade)");
    json_t *sym = json_object_get(root, "S");
    if (!json_is_string(sym) || json_string_length(sym) == 0 ||
        json_string_length(sym) >= TT_SIM_NAME_MAX ||
        strlen(json_string_value(sym)) != json_string_length(sym))
        return s_fail(err, errsize,
                      "field \"S\": missing, empty or too long a symbol");
    memcpy(out->symbol, json_string_value(sym), json_string_length(sym) + 1);
    return 0;
}

static int s_ids(json_t *root, tt_tick_t *tick, char *err, size_t errsize)
{
    json_t *t = json_object_get(root, "t");
    if (!json_is_integer(t) || json_integer_value(t) < 0)
        return s_fail(err, errsize,
                      "field \"t\": missing or not a non-negative integer");
    tick->ts = (tt_ns_t)json_integer_value(t);
    json_t *i = json_object_get(root, "i");
    tick->trade_id = 0;
    if (i) {
        if (!json_is_integer(i) || json_integer_value(i) < 0)
            return s_fail(err, errsize,
                          "field \"i\": not a non-negative integer");
        tick->trade_id = (uint64_t)json_integer_value(i);
    }
    return 0;
}

static int s_body(json_t *root, tt_tickjson_lookup_fn *lookup, void *arg,
                  tt_tickjson_msg_t *out, char *err, size_t errsize)
{
    if (s_header(root, out, err, errsize) != 0)
        return -1;
    tt_instrument_t in;
    out->symbol_index = lookup(arg, out->symbol, &in);
    if (out->symbol_index < 0)
        return s_fail(err, errsize, "unknown symbol '%s'", out->symbol);
    if (s_decimal_field(root, "p", in.px_decimals, &out->tick.price, err,
                        errsize) != 0 ||
        s_decimal_field(root, "s", in.qty_decimals, &out->tick.size, err,
                        errsize) != 0)
        return -1;
    if (out->tick.price <= 0)
        return s_fail(err, errsize, "field \"p\": price must be > 0");
    if (out->tick.size < 0)
        return s_fail(err, errsize, "field \"s\": size must be >= 0");
    return s_ids(root, &out->tick, err, errsize);
}

int tt_tickjson_parse(const char *text, size_t len,
                      tt_tickjson_lookup_fn *lookup, void *arg,
                      tt_tickjson_msg_t *out, char *err, size_t errsize)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return s_fail(err, errsize, "not JSON: %s (column %d)", jerr.text,
                      jerr.column);
    int rc = -1;
    if (!json_is_object(root))
        s_fail(err, errsize, "not a JSON object");
    else
        rc = s_body(root, lookup, arg, out, err, errsize);
    json_decref(root);
    return rc;
}
