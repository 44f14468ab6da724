/*  strategies/strategy.c: the strategy wrapper, creation side. Finds the
    behaviour, validates the common and the strategy's own parameters,
    builds the indicator list (the behaviour's specs, then the trend
    filter's) and answers questions about it (warm-up, value counts). The
    running side (candles, fills, timers, snapshots) is in
    strategy_run.c. Runs on the strategy actor's worker thread. */
#include "strategies/strategy_impl.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_TF_S (31 * 86400)

static const tt_param_def_t s_common_params[] = {
    {"tf", TT_PARAM_INT, offsetof(tt_strat_common_t, tf), 0, 1, S_MAX_TF_S,
     NULL},
    {"trend_tf", TT_PARAM_INT, offsetof(tt_strat_common_t, trend_tf), 0, 0,
     S_MAX_TF_S, NULL},
    {"trend_ma", TT_PARAM_INT, offsetof(tt_strat_common_t, trend_ma), 50, 2,
     10000, NULL},
    {"allow_short", TT_PARAM_BOOL, offsetof(tt_strat_common_t, allow_short), 0,
     0, 0, NULL},
    {"force_close_eod", TT_PARAM_BOOL,
     offsetof(tt_strat_common_t, force_close_eod), 1, 0, 0, NULL},
    {"max_hold_s", TT_PARAM_INT, offsetof(tt_strat_common_t, max_hold_s), 0, 0,
     366 * 86400, NULL},
};

enum {
    S_P_TF,
    S_P_TREND_TF,
    S_P_TREND_MA,
    S_P_COUNT = sizeof s_common_params / sizeof s_common_params[0]
};

static void s_known(const tt_strategy_def_t *def, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < def->param_count && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                                 def->params[i].name);
    for (size_t i = 0; i < S_P_COUNT && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, ", %s",
                                 s_common_params[i].name);
}

static bool s_ctx_ok(const tt_strategy_ctx_t *ctx, tt_strat_report_t *r)
{
    const tt_instrument_t *in = &ctx->instrument;
    if (in->px_decimals < 0 || in->px_decimals > 9)
        tt_strat_report(r, 0, "instrument px_decimals must be 0..9, got %d",
                        (int)in->px_decimals);
    if (in->tick_size <= 0)
        tt_strat_report(r, 0, "instrument tick_size must be positive");
    if (ctx->base_tf_s <= 0)
        tt_strat_report(r, 0, "the symbol has no trading timeframe");
    return r->errors == 0;
}

static bool s_tf_known(const tt_strategy_ctx_t *ctx, int32_t tf)
{
    if (ctx->timeframe_count == 0)
        return true;
    for (size_t i = 0; i < ctx->timeframe_count; i++)
        if (ctx->timeframes[i] == tf)
            return true;
    return false;
}

static void s_check_tf(const tt_strategy_ctx_t *ctx, const char *key,
                       int32_t tf, int line, tt_strat_report_t *r)
{
    if (s_tf_known(ctx, tf))
        return;
    char list[160] = "";
    size_t used = 0;
    for (size_t i = 0; i < ctx->timeframe_count && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%d",
                                 i ? ", " : "", (int)ctx->timeframes[i]);
    tt_strat_report(r, line,
                    "%s %d is not one of the symbol's timeframes "
                    "(%s)",
                    key, (int)tf, list);
}

static void s_resolve_common(tt_strategy_t *self, const tt_strategy_ctx_t *ctx,
                             const int *lines, tt_strat_report_t *r)
{
    tt_strat_common_t *c = &self->common;
    if (lines[S_P_TF] == 0)
        c->tf = ctx->base_tf_s;
    s_check_tf(ctx, "tf", c->tf, lines[S_P_TF], r);
    if (c->trend_tf == 0) {
        if (lines[S_P_TREND_MA] != 0)
            tt_strat_report(r, lines[S_P_TREND_MA],
                            "parameter 'trend_ma' needs 'trend_tf'");
        return;
    }
    if (c->trend_tf < c->tf || c->trend_tf % c->tf != 0)
        tt_strat_report(r, lines[S_P_TREND_TF],
                        "trend_tf %d must be a multiple of tf %d",
                        (int)c->trend_tf, (int)c->tf);
    else
        s_check_tf(ctx, "trend_tf", c->trend_tf, lines[S_P_TREND_TF], r);
    self->trend_cfg.tf_s = c->trend_tf;
    self->trend_cfg.period = c->trend_ma;
}

static void s_parse_all(tt_strategy_t *self, const tt_strategy_ctx_t *ctx,
                        const tt_params_t *params, bool *used,
                        tt_strat_report_t *r)
{
    const tt_strategy_def_t *def = self->def;
    int clines[S_P_COUNT];
    int blines[TT_STRAT_MAX_PARAMS];
    tt_param_table_parse(s_common_params, S_P_COUNT, params, &self->common,
                         clines, used, r);
    tt_param_table_parse(def->params, def->param_count, params, self->params,
                         blines, used, r);
    for (size_t j = 0; params && j < params->count; j++) {
        if (used[j])
            continue;
        char known[400];
        s_known(def, known, sizeof known);
        tt_strat_report(
            r, params->items[j].line, "unknown parameter '%s' (known: %s)",
            params->items[j].key ? params->items[j].key : "", known);
    }
    s_resolve_common(self, ctx, clines, r);
    if (def->resolve)
        def->resolve(self->params, blines, r);
}

static void s_build_specs(tt_strategy_t *self)
{
    const tt_strategy_def_t *def = self->def;
    self->own_spec_count =
        def->indicators(self->params, self->common.tf, self->specs);
    assert(self->own_spec_count < TT_STRATEGY_MAX_SPECS);
    self->spec_count = self->own_spec_count;
    if (self->trend_cfg.tf_s > 0)
        self->specs[self->spec_count++] = tt_trend_spec(&self->trend_cfg);
}

/* FNV-1a over everything that shapes the state's meaning, so a snapshot
   is never restored into a strategy configured differently. */
static uint64_t s_hash(uint64_t h, const void *data, size_t size)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < size; i++) {
        h ^= p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

static uint64_t s_fingerprint(const tt_strategy_t *self)
{
    uint64_t h = UINT64_C(14695981039346656037);
    h = s_hash(h, self->def->name, strlen(self->def->name));
    h = s_hash(h, &self->common, sizeof self->common);
    h = s_hash(h, self->params, self->def->params_size);
    h = s_hash(h, &self->inst.px_decimals, sizeof self->inst.px_decimals);
    return s_hash(h, &self->inst.tick_size, sizeof self->inst.tick_size);
}

static void s_report_unknown(const char *name, tt_strat_report_t *r)
{
    char known[256];
    tt_strategy_names(known, sizeof known);
    r->strategy = name ? name : "";
    r->errors++;
    char msg[400];
    snprintf(msg, sizeof msg, "unknown strategy '%s' (known: %s)", r->strategy,
             known);
    if (r->fn)
        r->fn(r->arg, r->fallback_line, msg);
    else
        fprintf(stderr, "line %d: %s\n", r->fallback_line, msg);
}

static tt_strategy_t *s_create(const tt_strategy_def_t *def,
                               const tt_strategy_ctx_t *ctx,
                               const tt_params_t *params, tt_strat_report_t *r)
{
    tt_strategy_t *self = calloc(1, sizeof *self);
    bool *used =
        calloc(params && params->count ? params->count : 1, sizeof *used);
    if (!self || !used) {
        tt_strat_report(r, 0, "out of memory");
        free(used);
        return self;
    }
    self->def = def;
    self->inst = ctx->instrument;
    s_parse_all(self, ctx, params, used, r);
    free(used);
    if (r->errors == 0) {
        s_build_specs(self);
        self->fingerprint = s_fingerprint(self);
        self->core.fresh = 1;
        self->last_error = "";
    }
    return self;
}

tt_strategy_t *tt_strategy_new(const char *name, const tt_strategy_ctx_t *ctx,
                               const tt_params_t *params,
                               tt_strategy_error_fn *error_fn, void *arg,
                               int *error_count)
{
    assert(ctx);
    tt_strat_report_t r = {error_fn, arg, name, ctx->line, 0};
    const tt_strategy_def_t *def = tt_strategy_find(name);
    tt_strategy_t *self = NULL;
    if (!def)
        s_report_unknown(name, &r);
    else if (s_ctx_ok(ctx, &r))
        self = s_create(def, ctx, params, &r);
    if (error_count)
        *error_count = r.errors;
    if (r.errors)
        tt_strategy_destroy(&self);
    return self;
}

void tt_strategy_destroy(tt_strategy_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free(*self_p);
    *self_p = NULL;
}

const char *tt_strategy_name(const tt_strategy_t *self)
{
    return self->def->name;
}

size_t tt_strategy_indicators(const tt_strategy_t *self,
                              const tt_ind_spec_t **specs)
{
    *specs = self->specs;
    return self->spec_count;
}

size_t tt_strategy_value_count(const tt_strategy_t *self, int32_t tf_s)
{
    size_t n = 0;
    for (size_t i = 0; i < self->spec_count; i++)
        n += self->specs[i].tf_s == tf_s;
    return n;
}

/* Closed candles until a spec reports ready: an upper bound that holds for
   the usual seeding (SMA-seeded EMA and Wilder averages, RSI and ATR
   needing one extra close for the first change / true range). */
static int32_t s_spec_warmup(const tt_ind_spec_t *s)
{
    switch (s->kind) {
    case TT_IND_RSI:
    case TT_IND_ATR:
        return s->p1 + 1;
    case TT_IND_MACD:
        return s->p2 + s->p3;
    case TT_IND_STOCH:
        return s->p1 + s->p2 + s->p3;
    case TT_IND_VWAP:
        return 1;
    default:
        return s->p1;
    }
}

int32_t tt_strategy_warmup(const tt_strategy_t *self, int32_t tf_s)
{
    int32_t need = 0;
    for (size_t i = 0; i < self->spec_count; i++) {
        int32_t w = s_spec_warmup(&self->specs[i]);
        if (self->specs[i].tf_s == tf_s && w > need)
            need = w;
    }
    if (tf_s == self->common.tf)
        need += self->def->extra_warmup;
    return need;
}

int32_t tt_strategy_tf(const tt_strategy_t *self)
{
    return self->common.tf;
}

bool tt_strategy_force_close_eod(const tt_strategy_t *self)
{
    return self->common.force_close_eod;
}

const char *tt_strategy_last_error(const tt_strategy_t *self)
{
    return self->last_error;
}
