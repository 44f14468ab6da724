/*  venues/alpaca/ap_rest_json.c: jansson field readers for the trading API
    (ap_rest_private.h). Numbers arrive as strings; integers are taken too
    because they are exact in jansson. A JSON real is refused: jansson has
    already turned it into a double and its literal is gone. */
#include "venues/alpaca/ap_rest_private.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "marketdata/decimal.h"
#include "venues/alpaca/ap_time.h"

int tt_ap__fail(char *err, size_t errsize, const char *fmt, ...)
{
    if (err && errsize) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsize, fmt, ap);
        va_end(ap);
    }
    return TT_AP_EBAD;
}

json_t *tt_ap__load(const char *buf, size_t len, char *err, size_t errsize)
{
    json_error_t je;
    json_t *root =
        buf ? json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!root)
        tt_ap__fail(err, errsize, "not JSON: %s at byte %d",
                    buf ? je.text : "no body", buf ? je.position : 0);
    return root;
}

const char *tt_ap__str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

int tt_ap__dec(const json_t *obj, const char *key, int decimals, bool round,
               bool required, int64_t *out, char *err, size_t errsize)
{
    const json_t *v = json_object_get(obj, key);
    char tmp[32];
    const char *text;
    size_t len;
    *out = 0;
    if (!v || json_is_null(v))
        return required ? tt_ap__fail(err, errsize, "missing \"%s\"", key) : 0;
    if (json_is_string(v)) {
        text = json_string_value(v);
        len = json_string_length(v);
    } else if (json_is_integer(v)) {
        len = (size_t)snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT,
                               json_integer_value(v));
        text = tmp;
    } else {
        return tt_ap__fail(err, errsize, "\"%s\" is not a decimal string", key);
    }
    int rc = round ? tt_ap_dec_round(text, len, decimals, out)
                   : tt_ap_dec_exact(text, len, decimals, out);
    if (rc != TT_DEC_OK)
        return tt_ap__fail(err, errsize, "\"%s\" %.24s: %s at %d decimals", key,
                           text, tt_decimal_strerror(rc), decimals);
    return 0;
}

int tt_ap__time(const json_t *obj, const char *key, tt_ns_t *out, char *err,
                size_t errsize)
{
    const json_t *v = json_object_get(obj, key);
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) ||
        tt_ap_time_parse(json_string_value(v), json_string_length(v), out) < 0)
        return tt_ap__fail(err, errsize, "\"%s\" is not an RFC 3339 time", key);
    return 0;
}

int tt_ap__copy(const json_t *obj, const char *key, char *out, size_t size,
                char *err, size_t errsize)
{
    const json_t *v = json_object_get(obj, key);
    out[0] = '\0';
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || json_string_length(v) >= size)
        return tt_ap__fail(err, errsize, "\"%s\" is not a string of < %zu", key,
                           size);
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return 0;
}
