/*  config/config_bind.c: the binding half of the config binder. Walks a
    YAML mapping against a table of fields (config_bind.h) and stores each
    converted value at its offset in a C struct: strings, integers with a
    range, booleans, enumerations, numbers, decimal text, nested sections
    and free-form parameters. Every problem is reported and binding carries
    on, so that one pass shows the user everything wrong in the file.

    Runs on the main thread at start-up. */
#include "config/config_bind.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marketdata/decimal.h"

#define S_PATH_MAX 256
#define S_SHOW_MAX 120
#define S_STR_MAX 4096
#define S_SUGGEST_DISTANCE 2

static void *s_at(void *dest, size_t off)
{
    return (char *)dest + off;
}

static void s_join(char *out, size_t size, const char *path, const char *key)
{
    if (*path)
        snprintf(out, size, "%s.%s", path, key);
    else
        snprintf(out, size, "%s", key);
}

static void s_store_int(void *slot, size_t size, int64_t v)
{
    if (size == sizeof(bool)) {
        bool flag = v != 0;
        memcpy(slot, &flag, sizeof(flag));
    } else if (size == sizeof(int32_t)) {
        int32_t v32 = (int32_t)v;
        memcpy(slot, &v32, sizeof(v32));
    } else {
        assert(size == sizeof(int64_t));
        memcpy(slot, &v, sizeof(v));
    }
}

static void s_set_line(void *dest, size_t line_off, int line)
{
    if (line_off)
        memcpy(s_at(dest, line_off - 1), &line, sizeof(line));
}

static int s_get_line(const void *dest, size_t line_off)
{
    int line = 0;
    memcpy(&line, (const char *)dest + line_off - 1, sizeof(line));
    return line;
}

static void s_remember(tt_cfgb_t *b, const void *slot)
{
    if (b->seen_count == b->seen_cap) {
        b->seen_cap = b->seen_cap ? b->seen_cap * 2 : 32;
        b->seen = realloc(b->seen, b->seen_cap * sizeof(*b->seen));
        assert(b->seen);
    }
    b->seen[b->seen_count++] = slot;
}

static bool s_was_seen(const tt_cfgb_t *b, const void *slot)
{
    for (size_t i = 0; i < b->seen_count; i++)
        if (b->seen[i] == slot)
            return true;
    return false;
}

/* Character class such as "A-Za-z0-9_.-": ranges, else literals. */
static bool s_charset_has(const char *set, char c)
{
    for (const char *p = set; *p; p++) {
        if (p[1] == '-' && p[2]) {
            if (c >= p[0] && c <= p[2])
                return true;
            p += 2;
        } else if (*p == c) {
            return true;
        }
    }
    return false;
}

static int s_find_name(const char *const *names, const char *text)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], text) == 0)
            return i;
    return -1;
}

static void s_list_names(const char *const *names, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; names[i] && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "|" : "",
                                 names[i]);
}

/* Scalar text of a value node, reporting a wrong kind. */
static const char *s_scalar(tt_cfgb_t *b, yaml_node_t *node, const char *path)
{
    if (!tt_cfgb_expect(b, node, YAML_SCALAR_NODE, path))
        return NULL;
    return tt_cfgb_text(b, node);
}

static bool s_secret_ok(const char *text)
{
    if (!*text || strlen(text) > S_STR_MAX)
        return false;
    for (const char *p = text; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return false;
    return true;
}

static bool s_str_ok(tt_cfgb_t *b, const tt_cfgb_field_t *f, yaml_node_t *node,
                     const char *text, const char *path)
{
    char shown[S_SHOW_MAX], list[S_SHOW_MAX];
    tt_cfgb_show(b, node, f->flags, shown, sizeof(shown));
    int line = tt_cfgb_line(node);
    size_t len = strlen(text), maxlen = f->maxlen ? f->maxlen : S_STR_MAX;
    if (f->flags & TT_CFGB_SECRET) {
        if (s_secret_ok(text))
            return true;
        tt_cfgb_error(b, line,
                      "%s: invalid value (empty, too long or with "
                      "spaces; not shown: secret)",
                      path);
        return false;
    }
    if (f->names && s_find_name(f->names, text) < 0) {
        s_list_names(f->names, list, sizeof(list));
        tt_cfgb_error(b, line, "%s: expected one of %s, got %s", path, list,
                      shown);
        return false;
    }
    if (f->charset) {
        bool ok = len >= 1 && len <= maxlen;
        for (const char *p = text; ok && *p; p++)
            ok = s_charset_has(f->charset, *p);
        if (!ok)
            tt_cfgb_error(b, line, "%s: %s is not valid (1 to %zu of %s)", path,
                          shown, maxlen, f->charset);
        return ok;
    }
    if (f->flags & TT_CFGB_ENDPOINT && !tt_cfgb_endpoint_ok(text)) {
        tt_cfgb_error(b, line,
                      "%s: %s is not a valid endpoint (expected "
                      "tcp://host:port or ipc://path)",
                      path, shown);
        return false;
    }
    if ((f->flags & TT_CFGB_NONEMPTY && len == 0) || len > maxlen) {
        tt_cfgb_error(b, line, "%s: must be 1 to %zu characters", path, maxlen);
        return false;
    }
    return true;
}

static bool s_bind_str(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                       yaml_node_t *node, void *dest, const char *path)
{
    const char *text = s_scalar(b, node, path);
    if (!text || !s_str_ok(b, f, node, text, path))
        return false;
    char **slot = s_at(dest, f->off);
    free(*slot);
    *slot = strdup(text);
    assert(*slot);
    return true;
}

static bool s_bind_int(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                       yaml_node_t *node, void *dest, const char *path)
{
    int64_t v = 0;
    if (!tt_cfgb_int(b, node, f->min, f->max, path, &v))
        return false;
    s_store_int(s_at(dest, f->off), f->size, v * (f->scale ? f->scale : 1));
    return true;
}

static bool s_bind_choice(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                          yaml_node_t *node, void *dest, const char *path)
{
    static const char *const bools[] = {"false", "true", NULL};
    const char *const *names = f->type == TT_CFGB_BOOL ? bools : f->names;
    const char *text = s_scalar(b, node, path);
    if (!text)
        return false;
    int index = s_find_name(names, text);
    if (index < 0) {
        char shown[S_SHOW_MAX], list[S_SHOW_MAX];
        tt_cfgb_show(b, node, f->flags, shown, sizeof(shown));
        s_list_names(names, list, sizeof(list));
        tt_cfgb_error(b, tt_cfgb_line(node), "%s: expected %s%s, got %s", path,
                      f->type == TT_CFGB_BOOL ? "" : "one of ",
                      f->type == TT_CFGB_BOOL ? "true or false" : list, shown);
        return false;
    }
    s_store_int(s_at(dest, f->off), f->size, index);
    return true;
}

static bool s_bind_double(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                          yaml_node_t *node, void *dest, const char *path)
{
    const char *text = s_scalar(b, node, path);
    if (!text)
        return false;
    char shown[S_SHOW_MAX];
    tt_cfgb_show(b, node, f->flags, shown, sizeof(shown));
    /* strtod also takes "inf", "nan" and hex; a config number does not. */
    char *end = NULL;
    double v = strspn(text, "0123456789+-.eE") == strlen(text) && *text
                   ? strtod(text, &end)
                   : NAN;
    if (!end || *end || !isfinite(v)) {
        tt_cfgb_error(b, tt_cfgb_line(node), "%s: expected a number, got %s",
                      path, shown);
        return false;
    }
    if (!(v > f->dmin && v <= f->dmax)) {
        tt_cfgb_error(b, tt_cfgb_line(node),
                      "%s: %s is out of range (greater than %g, at most %g)",
                      path, text, f->dmin, f->dmax);
        return false;
    }
    memcpy(s_at(dest, f->off), &v, sizeof(v));
    return true;
}

/* Only the syntax is checked here: the scale (px_decimals, qty_decimals)
   may come later in the file or from symbol_defaults. */
static bool s_bind_decimal(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                           yaml_node_t *node, void *dest, const char *path)
{
    const char *text = s_scalar(b, node, path);
    if (!text)
        return false;
    int64_t ignored;
    int rc = tt_decimal_parse(text, strlen(text), 0, &ignored);
    if (rc == TT_DEC_SYNTAX || rc == TT_DEC_EMPTY) {
        char shown[S_SHOW_MAX];
        tt_cfgb_show(b, node, f->flags, shown, sizeof(shown));
        tt_cfgb_error(b, tt_cfgb_line(node),
                      "%s: expected a decimal number, got %s", path, shown);
        return false;
    }
    char **slot = s_at(dest, f->off);
    free(*slot);
    *slot = strdup(text);
    assert(*slot);
    return true;
}

static bool s_bind_node(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                        yaml_node_t *node, void *dest, const char *path)
{
    if (!tt_cfgb_expect(b, node, (yaml_node_type_t)f->node_kind, path))
        return false;
    yaml_node_t **slot = s_at(dest, f->off);
    *slot = node;
    return true;
}

static void s_bind_field(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                         yaml_node_t *node, int key_line, void *dest,
                         const char *path)
{
    bool ok = false;
    /* A MAP's address is also that of its first field: not remembered. */
    if (f->type != TT_CFGB_MAP)
        s_remember(b, s_at(dest, f->off));
    switch (f->type) {
    case TT_CFGB_STR:
        ok = s_bind_str(b, f, node, dest, path);
        break;
    case TT_CFGB_INT:
        ok = s_bind_int(b, f, node, dest, path);
        break;
    case TT_CFGB_BOOL:
    case TT_CFGB_ENUM:
        ok = s_bind_choice(b, f, node, dest, path);
        break;
    case TT_CFGB_DOUBLE:
        ok = s_bind_double(b, f, node, dest, path);
        break;
    case TT_CFGB_DECIMAL:
        ok = s_bind_decimal(b, f, node, dest, path);
        break;
    case TT_CFGB_MAP:
        /* A wrong kind still marks the section present (-line), so that
           it is not also reported as missing. */
        if (node->type != YAML_MAPPING_NODE)
            s_set_line(s_at(dest, f->off), f->sub->line_off, -key_line);
        tt_cfgb_bind(b, f->sub, node, key_line, s_at(dest, f->off), path);
        break;
    case TT_CFGB_NODE:
        ok = s_bind_node(b, f, node, dest, path);
        break;
    case TT_CFGB_CUSTOM:
        f->custom(b, f, node, dest, path);
        break;
    }
    /* A bad value leaves -line: the key was there (not "missing") but
       later cross-field checks must not use the value. */
    s_set_line(dest, f->line_off,
               ok ? tt_cfgb_line(node) : -tt_cfgb_line(node));
}

static size_t s_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static void s_unknown_key(tt_cfgb_t *b, const tt_cfgb_section_t *s,
                          const char *key, int line, const char *path)
{
    const char *best = NULL;
    size_t best_d = S_SUGGEST_DISTANCE + 1;
    for (size_t i = 0; i < s->count; i++) {
        size_t d = s_distance(key, s->fields[i].key);
        if (d < best_d && d < strlen(key)) {
            best = s->fields[i].key;
            best_d = d;
        }
    }
    char where[S_PATH_MAX + 8];
    snprintf(where, sizeof(where), *path ? "in %s" : "at top level", path);
    if (best)
        tt_cfgb_error(b, line, "unknown key '%s' %s (did you mean '%s'?)", key,
                      where, best);
    else
        tt_cfgb_error(b, line, "unknown key '%s' %s", key, where);
}

static const tt_cfgb_field_t *s_field(const tt_cfgb_section_t *s,
                                      const char *key)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->fields[i].key, key) == 0)
            return &s->fields[i];
    return NULL;
}

/* The key text of pair P, or NULL (reported) when the key is no scalar or
   repeats an earlier key of the same mapping. */
static const char *s_pair_key(tt_cfgb_t *b, yaml_node_t *map,
                              yaml_node_pair_t *p, const char *path)
{
    yaml_node_t *key = yaml_document_get_node(&b->doc, p->key);
    const char *text = tt_cfgb_text(b, key);
    if (key->type != YAML_SCALAR_NODE) {
        tt_cfgb_error(b, tt_cfgb_line(key), "%s: a key must be a scalar",
                      *path ? path : "top level");
        return NULL;
    }
    for (yaml_node_pair_t *q = map->data.mapping.pairs.start; text && q < p;
         q++) {
        yaml_node_t *prev = yaml_document_get_node(&b->doc, q->key);
        const char *prev_text = tt_cfgb_text(b, prev);
        if (prev_text && strcmp(prev_text, text) == 0) {
            tt_cfgb_error(b, tt_cfgb_line(key),
                          "duplicate key '%s' (first at line %d)", text,
                          tt_cfgb_line(prev));
            return NULL;
        }
    }
    return text;
}

void tt_cfgb_bind(tt_cfgb_t *b, const tt_cfgb_section_t *s, yaml_node_t *map,
                  int line, void *dest, const char *path)
{
    if (!tt_cfgb_expect(b, map, YAML_MAPPING_NODE, path))
        return;
    s_set_line(dest, s->line_off, line);
    yaml_node_pair_t *p = map->data.mapping.pairs.start;
    for (; p < map->data.mapping.pairs.top; p++) {
        const char *key = s_pair_key(b, map, p, path);
        if (!key)
            continue;
        int key_line = tt_cfgb_line(yaml_document_get_node(&b->doc, p->key));
        const tt_cfgb_field_t *f = s_field(s, key);
        if (!f) {
            s_unknown_key(b, s, key, key_line, path);
            continue;
        }
        char child[S_PATH_MAX];
        s_join(child, sizeof(child), path, key);
        s_bind_field(b, f, yaml_document_get_node(&b->doc, p->value), key_line,
                     dest, child);
    }
}

static bool s_present(const tt_cfgb_t *b, const tt_cfgb_field_t *f,
                      const void *dest)
{
    const void *slot = (const char *)dest + f->off;
    if (f->type == TT_CFGB_MAP)
        return s_get_line(slot, f->sub->line_off) != 0;
    if (s_was_seen(b, slot))
        return true;
    if (f->type == TT_CFGB_STR || f->type == TT_CFGB_DECIMAL ||
        f->type == TT_CFGB_NODE) {
        const void *ptr = NULL;
        memcpy(&ptr, slot, sizeof(ptr));
        return ptr != NULL;
    }
    return !f->line_off || s_get_line(dest, f->line_off) != 0;
}

static void s_check_required(tt_cfgb_t *b, const tt_cfgb_section_t *s,
                             const void *dest, int line, const char *path)
{
    for (size_t i = 0; i < s->count; i++) {
        const tt_cfgb_field_t *f = &s->fields[i];
        const void *slot = (const char *)dest + f->off;
        bool present = s_present(b, f, dest);
        if (!present && f->flags & TT_CFGB_REQUIRED) {
            tt_cfgb_error(b, line, "%s: missing required key '%s'",
                          *path ? path : "top level", f->key);
        } else if (f->type == TT_CFGB_MAP &&
                   s_get_line(slot, f->sub->line_off) > 0) {
            char child[S_PATH_MAX];
            s_join(child, sizeof(child), path, f->key);
            s_check_required(b, f->sub, slot,
                             s_get_line(slot, f->sub->line_off), child);
        }
    }
}

void tt_cfgb_check_required(tt_cfgb_t *b, const tt_cfgb_section_t *s,
                            const void *dest, int line, const char *path)
{
    s_check_required(b, s, dest, line, path);
    tt_cfgb_forget(b);
}

void tt_cfgb_forget(tt_cfgb_t *b)
{
    b->seen_count = 0;
}

void tt_cfgb_defaults(const tt_cfgb_section_t *s, void *dest)
{
    for (size_t i = 0; i < s->count; i++) {
        const tt_cfgb_field_t *f = &s->fields[i];
        void *slot = s_at(dest, f->off);
        switch (f->type) {
        case TT_CFGB_INT:
        case TT_CFGB_BOOL:
        case TT_CFGB_ENUM:
            s_store_int(slot, f->size, f->def * (f->scale ? f->scale : 1));
            break;
        case TT_CFGB_STR:
            if (f->def_str) {
                char *copy = strdup(f->def_str);
                assert(copy);
                memcpy(slot, &copy, sizeof(copy));
            }
            break;
        case TT_CFGB_MAP:
            tt_cfgb_defaults(f->sub, slot);
            break;
        default:
            break;
        }
    }
}

void tt_cfgb_free(const tt_cfgb_section_t *s, void *dest)
{
    for (size_t i = 0; i < s->count; i++) {
        const tt_cfgb_field_t *f = &s->fields[i];
        void *slot = s_at(dest, f->off);
        if (f->type == TT_CFGB_STR || f->type == TT_CFGB_DECIMAL) {
            char **str = slot;
            free(*str);
            *str = NULL;
        } else if (f->type == TT_CFGB_MAP) {
            tt_cfgb_free(f->sub, slot);
        }
    }
}

static void s_params_set(tt_params_t *params, const char *key,
                         const char *value, int line)
{
    tt_param_t *item = NULL;
    for (size_t i = 0; i < params->count && !item; i++)
        if (strcmp(params->items[i].key, key) == 0)
            item = &params->items[i];
    if (!item) {
        size_t n = params->count + 1;
        params->items = realloc(params->items, n * sizeof(*params->items));
        assert(params->items);
        item = &params->items[params->count++];
        item->key = strdup(key);
        assert(item->key);
    } else {
        free(item->value);
    }
    item->value = strdup(value);
    assert(item->value);
    item->line = line;
}

/* Later mappings add keys and replace same-named ones, which is how
   symbol_defaults strategy params merge under a symbol's own. */
void tt_cfgb_bind_params(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                         yaml_node_t *node, void *dest, const char *path)
{
    tt_params_t *params = s_at(dest, f->off);
    if (!tt_cfgb_expect(b, node, YAML_MAPPING_NODE, path))
        return;
    yaml_node_pair_t *p = node->data.mapping.pairs.start;
    for (; p < node->data.mapping.pairs.top; p++) {
        const char *key = s_pair_key(b, node, p, path);
        if (!key)
            continue;
        char child[S_PATH_MAX];
        s_join(child, sizeof(child), path, key);
        yaml_node_t *value = yaml_document_get_node(&b->doc, p->value);
        const char *text = s_scalar(b, value, child);
        if (text)
            s_params_set(params, key, text, tt_cfgb_line(value));
    }
}

void tt_cfgb_params_free(tt_params_t *params)
{
    for (size_t i = 0; i < params->count; i++) {
        free(params->items[i].key);
        free(params->items[i].value);
    }
    free(params->items);
    params->items = NULL;
    params->count = 0;
}
