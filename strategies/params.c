/*  strategies/params.c: table-driven validation of strategy parameters.
    The config loader hands over raw key/value text with line numbers; the
    meaning lives here, so every strategy gets the same checks and the
    same messages: wrong type, out of range, given twice, each with the
    line it came from. Runs once, at strategy creation. */
#include "strategies/behaviour.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tt_strat_report(tt_strat_report_t *r, int line, const char *fmt, ...)
{
    char body[320];
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    snprintf(msg, sizeof msg, "strategy '%s': %s", r->strategy, body);
    if (line <= 0)
        line = r->fallback_line;
    r->errors++;
    if (r->fn)
        r->fn(r->arg, line, msg);
    else
        fprintf(stderr, "line %d: %s\n", line, msg);
}

static bool s_parse_int(const char *text, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE)
        return false;
    *out = v;
    return true;
}

static bool s_parse_num(const char *text, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* YAML 1.2 core schema booleans. */
static bool s_parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE"};
    static const char *const no[] = {"false", "False", "FALSE"};
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(text, yes[i]) == 0 || strcmp(text, no[i]) == 0) {
            *out = strcmp(text, yes[i]) == 0;
            return true;
        }
    }
    return false;
}

static void s_choices(const char *const *choices, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; choices[i] && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                                 choices[i]);
}

static void s_write_default(const tt_param_def_t *d, unsigned char *base)
{
    if (d->type == TT_PARAM_NUM) {
        double v = d->def;
        memcpy(base + d->offset, &v, sizeof v);
    } else if (d->type == TT_PARAM_BOOL) {
        bool v = d->def != 0;
        memcpy(base + d->offset, &v, sizeof v);
    } else {
        int32_t v = (int32_t)d->def;
        memcpy(base + d->offset, &v, sizeof v);
    }
}

static void s_parse_int_param(const tt_param_def_t *d, const tt_param_t *p,
                              unsigned char *base, tt_strat_report_t *r)
{
    long long v = 0;
    if (!s_parse_int(p->value, &v)) {
        tt_strat_report(r, p->line,
                        "parameter '%s' must be an integer, "
                        "got '%s'",
                        d->name, p->value);
        return;
    }
    if ((double)v < d->min || (double)v > d->max) {
        tt_strat_report(r, p->line,
                        "parameter '%s' must be between %.0f "
                        "and %.0f, got %lld",
                        d->name, d->min, d->max, v);
        return;
    }
    int32_t iv = (int32_t)v;
    memcpy(base + d->offset, &iv, sizeof iv);
}

static void s_parse_num_param(const tt_param_def_t *d, const tt_param_t *p,
                              unsigned char *base, tt_strat_report_t *r)
{
    double v = 0;
    if (!s_parse_num(p->value, &v)) {
        tt_strat_report(r, p->line,
                        "parameter '%s' must be a number, "
                        "got '%s'",
                        d->name, p->value);
        return;
    }
    if (v < d->min || v > d->max) {
        tt_strat_report(r, p->line,
                        "parameter '%s' must be between %g "
                        "and %g, got %s",
                        d->name, d->min, d->max, p->value);
        return;
    }
    memcpy(base + d->offset, &v, sizeof v);
}

static void s_parse_other_param(const tt_param_def_t *d, const tt_param_t *p,
                                unsigned char *base, tt_strat_report_t *r)
{
    if (d->type == TT_PARAM_BOOL) {
        bool v = false;
        if (!s_parse_bool(p->value, &v))
            tt_strat_report(r, p->line,
                            "parameter '%s' must be true or "
                            "false, got '%s'",
                            d->name, p->value);
        else
            memcpy(base + d->offset, &v, sizeof v);
        return;
    }
    for (int32_t i = 0; d->choices[i]; i++) {
        if (strcmp(p->value, d->choices[i]) == 0) {
            memcpy(base + d->offset, &i, sizeof i);
            return;
        }
    }
    char known[160];
    s_choices(d->choices, known, sizeof known);
    tt_strat_report(r, p->line, "parameter '%s' must be one of %s; got '%s'",
                    d->name, known, p->value);
}

static void s_parse_one(const tt_param_def_t *d, const tt_param_t *p,
                        unsigned char *base, tt_strat_report_t *r)
{
    if (!p->value || !p->value[0]) {
        tt_strat_report(r, p->line, "parameter '%s' has no value", d->name);
        return;
    }
    if (d->type == TT_PARAM_INT)
        s_parse_int_param(d, p, base, r);
    else if (d->type == TT_PARAM_NUM)
        s_parse_num_param(d, p, base, r);
    else
        s_parse_other_param(d, p, base, r);
}

void tt_param_table_parse(const tt_param_def_t *table, size_t n,
                          const tt_params_t *params, void *out, int *lines,
                          bool *used, tt_strat_report_t *r)
{
    unsigned char *base = out;
    for (size_t i = 0; i < n; i++) {
        s_write_default(&table[i], base);
        lines[i] = 0;
    }
    size_t count = params ? params->count : 0;
    for (size_t j = 0; j < count; j++) {
        const tt_param_t *p = &params->items[j];
        for (size_t i = 0; i < n && p->key; i++) {
            if (strcmp(p->key, table[i].name) != 0)
                continue;
            used[j] = true;
            if (lines[i] != 0) {
                tt_strat_report(r, p->line,
                                "parameter '%s' is given twice "
                                "(first at line %d)",
                                p->key, lines[i]);
                break;
            }
            /* A line of 0 would read as "omitted"; keep it positive. */
            lines[i] = p->line > 0 ? p->line : -1;
            s_parse_one(&table[i], p, base, r);
            break;
        }
    }
}
