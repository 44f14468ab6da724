/*  venues/sim/simparams.c: sim venue settings from raw config parameters
    (see simparams.h). A table maps each key to its field and its range,
    so adding a parameter is one line here and one row in docs/DATA.md. */
#include "venues/sim/simparams.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *key;
    size_t offset; /* of the double in tt_sim_params_t; seed is special */
    double min;
    double max;
    bool above_min; /* the value must be strictly greater than min */
} s_key_t;

#define S_MODEL(field) offsetof(tt_sim_params_t, model.field)

static const s_key_t s_keys[] = {
    {"seed", 0, 0, 0, false},
    {"start_price", offsetof(tt_sim_params_t, start_price), 0, 1e12, true},
    {"tick_rate_hz", S_MODEL(tick_rate_hz), 1e-6, 1e6, false},
    {"drift", S_MODEL(drift), -100, 100, false},
    {"volatility", S_MODEL(volatility), 0, 100, false},
    {"spread_bps", S_MODEL(spread_bps), 0, 5000, false},
    {"jump_rate_per_hour", S_MODEL(jump_rate_per_hour), 0, 1e6, false},
    {"jump_bps", S_MODEL(jump_bps), 0, 5000, false},
    {"mean_size", S_MODEL(mean_size), 0, 1e9, true},
    {"size_sigma", S_MODEL(size_sigma), 0, 5, false},
    {"year_seconds", S_MODEL(year_seconds), 1, 1e9, false},
};
#define S_KEY_COUNT (sizeof s_keys / sizeof s_keys[0])

typedef struct {
    const char *file;
    tt_config_error_fn *fn;
    void *arg;
    int errors;
} s_report_t;

static void s_error(s_report_t *rep, int line, const char *key,
                    const char *what, const char *value)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s%s%d: sim: %s: %s (got '%s')",
             rep->file ? rep->file : "", rep->file ? ":" : "line ", line, key,
             what, value ? value : "");
    if (rep->fn)
        rep->fn(rep->arg, msg);
    else
        fprintf(stderr, "%s\n", msg);
    rep->errors++;
}

static int s_parse_seed(const char *text, uint64_t *out)
{
    if (!text || *text < '0' || *text > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static int s_parse_double(const char *text, double *out)
{
    if (!text || !*text)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static void s_range_message(const s_key_t *k, char *buf, size_t size)
{
    snprintf(buf, size, "must be a number %s %g and <= %g",
             k->above_min ? ">" : ">=", k->min, k->max);
}

static void s_apply(const s_key_t *k, const tt_param_t *p, tt_sim_params_t *out,
                    s_report_t *rep)
{
    if (k->offset == 0) {
        if (s_parse_seed(p->value, &out->seed) != 0)
            s_error(rep, p->line, p->key,
                    "must be an integer between 0 and 18446744073709551615",
                    p->value);
        return;
    }
    double v;
    bool ok = s_parse_double(p->value, &v) == 0 && v <= k->max &&
              (k->above_min ? v > k->min : v >= k->min);
    if (!ok) {
        char what[96];
        s_range_message(k, what, sizeof what);
        s_error(rep, p->line, p->key, what, p->value);
        return;
    }
    memcpy((char *)out + k->offset, &v, sizeof v);
}

static const s_key_t *s_find_key(const char *key)
{
    for (size_t i = 0; i < S_KEY_COUNT; i++)
        if (key && strcmp(s_keys[i].key, key) == 0)
            return &s_keys[i];
    return NULL;
}

static bool s_seen_before(const tt_params_t *params, size_t index)
{
    for (size_t j = 0; j < index; j++)
        if (params->items[j].key &&
            strcmp(params->items[j].key, params->items[index].key) == 0)
            return true;
    return false;
}

int tt_sim_params_parse(const tt_params_t *params, const char *file,
                        tt_sim_params_t *out, tt_config_error_fn *error_fn,
                        void *arg)
{
    s_report_t rep = {file, error_fn, arg, 0};
    tt_sim_params_t result;
    tt_sim_params_default(&result);
    size_t count = params ? params->count : 0;
    for (size_t i = 0; i < count; i++) {
        const tt_param_t *p = &params->items[i];
        const s_key_t *k = s_find_key(p->key);
        if (!k)
            s_error(&rep, p->line, p->key ? p->key : "?",
                    "unknown sim parameter (see docs/DATA.md)", p->value);
        else if (s_seen_before(params, i))
            s_error(&rep, p->line, p->key, "given twice", p->value);
        else
            s_apply(k, p, &result, &rep);
    }
    if (rep.errors == 0)
        *out = result;
    return rep.errors;
}
