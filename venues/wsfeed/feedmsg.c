/*  venues/wsfeed/feedmsg.c: classify and parse one feed message (see
    feedmsg.h). The caller's lookup is wrapped so that a tick refused only
    because its symbol is unknown can be told apart from a broken one: the
    first is normal right after a (re)connect, before the server has
    applied our subscription; the second is a fault worth counting. */
#include "venues/wsfeed/feedmsg.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    tt_tickjson_lookup_fn *lookup;
    void *arg;
    bool unknown; /* the lookup refused the symbol */
} s_lookup_t;

static int s_lookup(void *arg, const char *symbol, tt_instrument_t *in)
{
    s_lookup_t *l = arg;
    int index = l->lookup(l->arg, symbol, in);
    if (index < 0)
        l->unknown = true;
    return index;
}

static tt_feedmsg_kind_t s_tick(const char *text, size_t len,
                                tt_tickjson_lookup_fn *lookup, void *arg,
                                tt_feedmsg_t *out)
{
    s_lookup_t l = {.lookup = lookup, .arg = arg, .unknown = false};
    if (tt_tickjson_parse(text, len, s_lookup, &l, &out->tick, out->text,
                          sizeof out->text) == 0)
        return out->kind = TT_FEEDMSG_TICK;
    return out->kind =
               l.unknown ? TT_FEEDMSG_UNKNOWN_SYMBOL : TT_FEEDMSG_MALFORMED;
}

static tt_feedmsg_kind_t s_malformed(tt_feedmsg_t *out, const char *why)
{
    snprintf(out->text, sizeof out->text, "%s", why);
    return out->kind = TT_FEEDMSG_MALFORMED;
}

static tt_feedmsg_kind_t s_typed(json_t *root, const char *type,
                                 tt_feedmsg_t *out)
{
    if (strcmp(type, "hb") == 0) {
        json_t *t = json_object_get(root, "t");
        if (!json_is_integer(t) || json_integer_value(t) < 0)
            return s_malformed(out, "heartbeat: field \"t\": missing or not "
                                    "a non-negative integer");
        out->hb_ts = (tt_ns_t)json_integer_value(t);
        return out->kind = TT_FEEDMSG_HEARTBEAT;
    }
    if (strcmp(type, "error") == 0) {
        json_t *msg = json_object_get(root, "msg");
        if (!json_is_string(msg))
            return s_malformed(out, "error: field \"msg\": missing or not a "
                                    "string");
        snprintf(out->text, sizeof out->text, "%s", json_string_value(msg));
        return out->kind = TT_FEEDMSG_ERROR;
    }
    out->text[0] = '\0';
    return out->kind = TT_FEEDMSG_OTHER;
}

tt_feedmsg_kind_t tt_feedmsg_parse(const char *text, size_t len,
                                   tt_tickjson_lookup_fn *lookup, void *arg,
                                   tt_feedmsg_t *out)
{
    static const char tick_prefix[] = "{\"T\":\"t\",";
    if (len >= sizeof tick_prefix - 1 &&
        memcmp(text, tick_prefix, sizeof tick_prefix - 1) == 0)
        return s_tick(text, len, lookup, arg, out);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(out->text, sizeof out->text, "not JSON: %.120s (column %d)",
                 jerr.text, jerr.column);
        return out->kind = TT_FEEDMSG_MALFORMED;
    }
    json_t *type = json_object_get(root, "T");
    tt_feedmsg_kind_t kind;
    if (!json_is_object(root))
        kind = s_malformed(out, "not a JSON object");
    else if (!json_is_string(type))
        kind = s_malformed(out, "field \"T\": missing or not a string");
    else if (strcmp(json_string_value(type), "t") == 0)
        kind = s_tick(text, len, lookup, arg, out);
    else
        kind = s_typed(root, json_string_value(type), out);
    json_decref(root);
    return kind;
}
