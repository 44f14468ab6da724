/*  config/config_market.c: the venues, symbol_defaults and symbols
    sections of the configuration (see config.h for the schema and
    docs/CONFIG.md for the reference).

    A symbol is bound into a staging struct that keeps the raw decimal
    text and the line of each value: first symbol_defaults (quietly, since
    it was checked once on its own), then the symbol's own mapping over it,
    which merges them key by key. Only then are the cross-field rules
    applied (tick_size exact at px_decimals, venue known, sizing needs),
    because the scale may come from either mapping.

    Runs on the main thread at start-up. */
#include "config/config_bind.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marketdata/decimal.h"

#define S_PATH_MAX 256
#define S_TF_MAX_S 604800
#define S_NOTIONAL_DECIMALS 2

/* ---- venues ----------------------------------------------------------- */

static const char *const s_venue_kinds[] = {"sim", "replay", "alpaca",
                                            "binance", NULL};
static const char *const s_calendars[] = {"always_open", "us_equity", NULL};

static void s_bind_endpoints(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                             yaml_node_t *node, void *dest, const char *path)
{
    (void)f;
    tt_venue_cfg_t *venue = dest;
    if (!tt_cfgb_expect(b, node, YAML_SEQUENCE_NODE, path))
        return;
    size_t n = tt_cfgb_length(node);
    if (n > TT_CONFIG_MAX_ENDPOINTS) {
        tt_cfgb_error(b, tt_cfgb_line(node),
                      "%s: at most %d endpoints, got %zu", path,
                      TT_CONFIG_MAX_ENDPOINTS, n);
        return;
    }
    static const char *const schemes[] = {"ws://", "wss://", "http://",
                                          "https://"};
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = tt_cfgb_item(b, node, i);
        char item_path[S_PATH_MAX];
        snprintf(item_path, sizeof(item_path), "%s[%zu]", path, i);
        if (!tt_cfgb_expect(b, item, YAML_SCALAR_NODE, item_path))
            continue;
        const char *url = tt_cfgb_text(b, item);
        bool ok = false;
        for (size_t s = 0; url && s < 4 && !ok; s++) {
            size_t len = strlen(schemes[s]);
            ok = strncmp(url, schemes[s], len) == 0 && url[len] != '\0' &&
                 url[len] != '/' && !strpbrk(url, " \t\r\n");
        }
        if (url && !ok) {
            char shown[128];
            tt_cfgb_show(b, item, 0, shown, sizeof(shown));
            tt_cfgb_error(b, tt_cfgb_line(item),
                          "%s: %s is not a ws://, wss://, http:// or "
                          "https:// URL",
                          item_path, shown);
        } else if (url) {
            free(venue->endpoints[venue->endpoint_count]);
            venue->endpoints[venue->endpoint_count] = strdup(url);
            assert(venue->endpoints[venue->endpoint_count]);
            venue->endpoint_count++;
        }
    }
}

/* http:// or https:// with a host, no spaces; kept without a trailing
   '/' so that paths can be appended. */
static void s_bind_rest_url(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                            yaml_node_t *node, void *dest, const char *path)
{
    (void)f;
    tt_venue_cfg_t *venue = dest;
    if (!tt_cfgb_expect(b, node, YAML_SCALAR_NODE, path))
        return;
    const char *url = tt_cfgb_text(b, node);
    if (!url)
        return;
    size_t skip = strncmp(url, "https://", 8) == 0  ? 8
                  : strncmp(url, "http://", 7) == 0 ? 7
                                                    : 0;
    if (skip == 0 || url[skip] == '\0' || url[skip] == '/' ||
        strpbrk(url, " \t\r\n?#")) {
        char shown[128];
        tt_cfgb_show(b, node, 0, shown, sizeof(shown));
        tt_cfgb_error(b, tt_cfgb_line(node),
                      "%s: %s is not an http:// or https:// base URL "
                      "(no query)",
                      path, shown);
        return;
    }
    free(venue->rest_url);
    venue->rest_url = strdup(url);
    assert(venue->rest_url);
    size_t len = strlen(venue->rest_url);
    while (len > skip + 1 && venue->rest_url[len - 1] == '/')
        venue->rest_url[--len] = '\0';
}

static const tt_cfgb_field_t s_venue_fields[] = {
    {.key = "name",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(tt_venue_cfg_t, name),
     .flags = TT_CFGB_REQUIRED,
     .charset = "a-z0-9_-",
     .maxlen = 32},
    {.key = "kind",
     .type = TT_CFGB_ENUM,
     TT_CFGB_AT(tt_venue_cfg_t, kind),
     .names = s_venue_kinds,
     .def = TT_VENUE_SIM},
    {.key = "endpoints",
     .type = TT_CFGB_CUSTOM,
     TT_CFGB_AT(tt_venue_cfg_t, endpoints),
     .custom = s_bind_endpoints},
    {.key = "key_id",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(tt_venue_cfg_t, key_id),
     TT_CFGB_LINE(tt_venue_cfg_t, key_id_line),
     .flags = TT_CFGB_SECRET},
    {.key = "secret_key",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(tt_venue_cfg_t, secret_key),
     TT_CFGB_LINE(tt_venue_cfg_t, secret_key_line),
     .flags = TT_CFGB_SECRET},
    {.key = "rest_url",
     .type = TT_CFGB_CUSTOM,
     TT_CFGB_AT(tt_venue_cfg_t, rest_url),
     .custom = s_bind_rest_url},
    {.key = "params",
     .type = TT_CFGB_CUSTOM,
     TT_CFGB_AT(tt_venue_cfg_t, params),
     .custom = tt_cfgb_bind_params},
    {.key = "calendar",
     .type = TT_CFGB_ENUM,
     TT_CFGB_AT(tt_venue_cfg_t, calendar),
     .names = s_calendars,
     .def = 0},
    {.key = "holidays",
     .type = TT_CFGB_CUSTOM,
     TT_CFGB_AT(tt_venue_cfg_t, holidays),
     .custom = tt_config_bind_dates},
    {.key = "early_closes",
     .type = TT_CFGB_CUSTOM,
     TT_CFGB_AT(tt_venue_cfg_t, early_closes),
     .custom = tt_config_bind_dates},
};
static const tt_cfgb_section_t s_venue =
    TT_CFGB_SECTION(s_venue_fields, tt_venue_cfg_t, line);

void tt_config_venue_free(tt_venue_cfg_t *venue)
{
    if (venue->key_id)
        explicit_bzero(venue->key_id, strlen(venue->key_id));
    if (venue->secret_key)
        explicit_bzero(venue->secret_key, strlen(venue->secret_key));
    tt_cfgb_free(&s_venue, venue);
    free(venue->rest_url);
    venue->rest_url = NULL;
    for (size_t i = 0; i < TT_CONFIG_MAX_ENDPOINTS; i++) {
        free(venue->endpoints[i]);
        venue->endpoints[i] = NULL;
    }
    tt_cfgb_params_free(&venue->params);
    tt_config_venue_dates_free(venue);
}

static int s_venue_index(const tt_config_t *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->venue_count; i++)
        if (cfg->venues[i].name && strcmp(cfg->venues[i].name, name) == 0)
            return (int)i;
    return -1;
}

void tt_config_venues_load(tt_cfgb_t *b, tt_config_t *cfg, yaml_node_t *seq)
{
    size_t n = tt_cfgb_length(seq);
    if (n == 0) {
        tt_cfgb_error(b, tt_cfgb_line(seq),
                      "venues: at least one venue is "
                      "required");
        return;
    }
    cfg->venues = calloc(n, sizeof(*cfg->venues));
    assert(cfg->venues);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = tt_cfgb_item(b, seq, i);
        tt_venue_cfg_t *venue = &cfg->venues[i];
        char path[S_PATH_MAX];
        snprintf(path, sizeof(path), "venues[%zu]", i);
        tt_cfgb_defaults(&s_venue, venue);
        cfg->venue_count++;
        if (item->type != YAML_MAPPING_NODE) {
            tt_cfgb_expect(b, item, YAML_MAPPING_NODE, path);
            continue;
        }
        tt_cfgb_bind(b, &s_venue, item, tt_cfgb_line(item), venue, path);
        tt_cfgb_check_required(b, &s_venue, venue, venue->line, path);
        tt_config_venue_check_calendar(b, venue, item, path);
        int first = venue->name ? s_venue_index(cfg, venue->name) : -1;
        if (first >= 0 && (size_t)first < i)
            tt_cfgb_error(b, venue->line,
                          "duplicate venue '%s' (first at "
                          "line %d)",
                          venue->name, cfg->venues[first].line);
    }
}

/* ---- symbols ---------------------------------------------------------- */

typedef struct {
    tt_symbol_risk_cfg_t cfg;
    int qty_line;
    int notional_line;
    int pct_line;
    int max_position_line;
} s_risk_in_t;

typedef struct {
    int line;
    char *symbol;
    char *venue;
    int venue_line;
    char *venue_symbol;
    int32_t px_decimals;
    int32_t qty_decimals;
    int px_line;  /* > 0 once a valid px_decimals was bound */
    int qty_line; /* same for qty_decimals */
    char *tick_size;
    char *lot_size;
    int tick_line;
    int lot_line;
    size_t timeframe_count;
    int32_t timeframes[TT_CONFIG_MAX_TIMEFRAMES];
    int64_t stale_ms;
    tt_strategy_cfg_t strategy;
    s_risk_in_t risk;
    tt_config_paper_in_t paper;
} s_symbol_in_t;

static int s_cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void s_bind_timeframes(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                              yaml_node_t *node, void *dest, const char *path)
{
    (void)f;
    s_symbol_in_t *sym = dest;
    if (!tt_cfgb_expect(b, node, YAML_SEQUENCE_NODE, path))
        return;
    size_t n = tt_cfgb_length(node), count = 0;
    if (n == 0 || n > TT_CONFIG_MAX_TIMEFRAMES) {
        tt_cfgb_error(b, tt_cfgb_line(node),
                      "%s: expected 1 to %d "
                      "timeframes, got %zu",
                      path, TT_CONFIG_MAX_TIMEFRAMES, n);
        return;
    }
    int32_t tf[TT_CONFIG_MAX_TIMEFRAMES];
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = tt_cfgb_item(b, node, i);
        char item_path[S_PATH_MAX];
        snprintf(item_path, sizeof(item_path), "%s[%zu]", path, i);
        int64_t v = 0;
        if (!tt_cfgb_int(b, item, 1, S_TF_MAX_S, item_path, &v)) {
            ok = false;
            continue;
        }
        for (size_t j = 0; j < count && ok; j++)
            if (tf[j] == v) {
                tt_cfgb_error(b, tt_cfgb_line(item),
                              "%s: duplicate "
                              "timeframe %lld",
                              path, (long long)v);
                ok = false;
            }
        tf[count++] = (int32_t)v;
    }
    if (!ok)
        return;
    qsort(tf, count, sizeof(tf[0]), s_cmp_i32);
    memcpy(sym->timeframes, tf, count * sizeof(tf[0]));
    sym->timeframe_count = count;
}

static const tt_cfgb_field_t s_strategy_fields[] = {
    {.key = "kind",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(tt_strategy_cfg_t, kind),
     .flags = TT_CFGB_REQUIRED,
     .charset = "a-z0-9_",
     .maxlen = 32},
    {.key = "params",
     .type = TT_CFGB_CUSTOM,
     TT_CFGB_AT(tt_strategy_cfg_t, params),
     .custom = tt_cfgb_bind_params},
};
static const tt_cfgb_section_t s_strategy =
    TT_CFGB_SECTION(s_strategy_fields, tt_strategy_cfg_t, line);

static const char *const s_sizings[] = {"fixed_qty", "fixed_notional",
                                        "risk_pct", NULL};

static const tt_cfgb_field_t s_risk_fields[] = {
    {.key = "sizing",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(s_risk_in_t, cfg.sizing),
     .names = s_sizings,
     .def_str = "fixed_qty"},
    {.key = "qty",
     .type = TT_CFGB_DECIMAL,
     TT_CFGB_AT(s_risk_in_t, cfg.qty),
     TT_CFGB_LINE(s_risk_in_t, qty_line)},
    {.key = "notional",
     .type = TT_CFGB_DECIMAL,
     TT_CFGB_AT(s_risk_in_t, cfg.notional),
     TT_CFGB_LINE(s_risk_in_t, notional_line)},
    {.key = "risk_pct",
     .type = TT_CFGB_DOUBLE,
     TT_CFGB_AT(s_risk_in_t, cfg.risk_pct),
     TT_CFGB_LINE(s_risk_in_t, pct_line),
     .dmin = 0.0,
     .dmax = 100.0},
    {.key = "max_position",
     .type = TT_CFGB_DECIMAL,
     TT_CFGB_AT(s_risk_in_t, cfg.max_position),
     TT_CFGB_LINE(s_risk_in_t, max_position_line)},
    {.key = "max_orders_per_min",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(s_risk_in_t, cfg.max_orders_per_min),
     .min = 0,
     .max = 256}, /* the risk manager's window (TT_RISK_RATE_MAX) */
    {.key = "max_consecutive_losses",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(s_risk_in_t, cfg.max_consecutive_losses),
     .min = 0,
     .max = 1000},
    {.key = "venue_sync_timeout_s",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(s_risk_in_t, cfg.venue_sync_timeout_s),
     .min = 1,
     .max = 86400,
     .def = 30},
};
static const tt_cfgb_section_t s_risk =
    TT_CFGB_SECTION(s_risk_fields, s_risk_in_t, cfg.line);

static const tt_cfgb_field_t s_symbol_fields[] = {
    {.key = "symbol",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(s_symbol_in_t, symbol),
     .flags = TT_CFGB_REQUIRED,
     .charset = "A-Z0-9._-",
     .maxlen = TT_SYMBOL_NAME_MAX - 1},
    {.key = "venue",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(s_symbol_in_t, venue),
     TT_CFGB_LINE(s_symbol_in_t, venue_line),
     .flags = TT_CFGB_REQUIRED | TT_CFGB_NONEMPTY,
     .maxlen = 32},
    {.key = "venue_symbol",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(s_symbol_in_t, venue_symbol),
     .flags = TT_CFGB_NONEMPTY,
     .charset = "A-Za-z0-9/._-",
     .maxlen = TT_VENUE_SYMBOL_MAX - 1},
    {.key = "px_decimals",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(s_symbol_in_t, px_decimals),
     TT_CFGB_LINE(s_symbol_in_t, px_line),
     .flags = TT_CFGB_REQUIRED,
     .min = 0,
     .max = 9},
    {.key = "qty_decimals",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(s_symbol_in_t, qty_decimals),
     TT_CFGB_LINE(s_symbol_in_t, qty_line),
     .flags = TT_CFGB_REQUIRED,
     .min = 0,
     .max = 9},
    {.key = "tick_size",
     .type = TT_CFGB_DECIMAL,
     TT_CFGB_AT(s_symbol_in_t, tick_size),
     TT_CFGB_LINE(s_symbol_in_t, tick_line)},
    {.key = "lot_size",
     .type = TT_CFGB_DECIMAL,
     TT_CFGB_AT(s_symbol_in_t, lot_size),
     TT_CFGB_LINE(s_symbol_in_t, lot_line)},
    {.key = "timeframes",
     .type = TT_CFGB_CUSTOM,
     TT_CFGB_AT(s_symbol_in_t, timeframes),
     .custom = s_bind_timeframes},
    {.key = "stale_ms",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(s_symbol_in_t, stale_ms),
     .min = 100,
     .max = 86400000,
     .def = 30000},
    {.key = "strategy",
     .type = TT_CFGB_MAP,
     TT_CFGB_AT(s_symbol_in_t, strategy),
     .flags = TT_CFGB_REQUIRED,
     .sub = &s_strategy},
    {.key = "risk",
     .type = TT_CFGB_MAP,
     TT_CFGB_AT(s_symbol_in_t, risk),
     .sub = &s_risk},
    {.key = "paper",
     .type = TT_CFGB_MAP,
     TT_CFGB_AT(s_symbol_in_t, paper),
     .sub = &tt_config_paper_section},
};
static const tt_cfgb_section_t s_symbol =
    TT_CFGB_SECTION(s_symbol_fields, s_symbol_in_t, line);

static void s_symbol_in_init(s_symbol_in_t *in)
{
    memset(in, 0, sizeof(*in));
    tt_cfgb_defaults(&s_symbol, in);
    in->timeframe_count = 1;
    in->timeframes[0] = 60;
}

static void s_symbol_in_free(s_symbol_in_t *in)
{
    tt_cfgb_free(&s_symbol, in);
    tt_cfgb_params_free(&in->strategy.params);
}

void tt_config_symbol_free(tt_symbol_cfg_t *symbol)
{
    free(symbol->strategy.kind);
    tt_cfgb_params_free(&symbol->strategy.params);
    free(symbol->risk.sizing);
    free(symbol->risk.qty);
    free(symbol->risk.notional);
    free(symbol->risk.max_position);
    memset(&symbol->strategy, 0, sizeof(symbol->strategy));
    memset(&symbol->risk, 0, sizeof(symbol->risk));
}

/* Scales TEXT (a positive decimal) by 10^DECIMALS into *OUT. WHAT names
   the scale in the message ("px_decimals 2"). */
static void s_scaled(tt_cfgb_t *b, const char *text, int line, int decimals,
                     const char *what, const char *path, int64_t *out)
{
    int64_t v = 0;
    int rc = tt_decimal_parse(text, strlen(text), decimals, &v);
    if (rc == TT_DEC_PRECISION)
        tt_cfgb_error(b, line, "%s: '%s' is not exact at %s %d", path, text,
                      what, decimals);
    else if (rc != TT_DEC_OK)
        tt_cfgb_error(b, line, "%s: '%s': %s", path, text,
                      tt_decimal_strerror(rc));
    else if (v <= 0)
        tt_cfgb_error(b, line, "%s: must be greater than 0, got '%s'", path,
                      text);
    else
        *out = v;
}

static void s_finish_instrument(tt_cfgb_t *b, s_symbol_in_t *in,
                                tt_symbol_cfg_t *out, const char *path)
{
    char sub[S_PATH_MAX + 32];
    out->instrument.px_decimals = in->px_decimals;
    out->instrument.qty_decimals = in->qty_decimals;
    out->instrument.tick_size = 1;
    out->instrument.lot_size = 1;
    if (in->tick_size && in->px_line > 0) {
        snprintf(sub, sizeof(sub), "%s.tick_size", path);
        s_scaled(b, in->tick_size, in->tick_line, in->px_decimals,
                 "px_decimals", sub, &out->instrument.tick_size);
    }
    if (in->lot_size && in->qty_line > 0) {
        snprintf(sub, sizeof(sub), "%s.lot_size", path);
        s_scaled(b, in->lot_size, in->lot_line, in->qty_decimals,
                 "qty_decimals", sub, &out->instrument.lot_size);
    }
}

/* The sizing method decides which of qty, notional, risk_pct is needed;
   every decimal given is checked at its scale either way. */
static void s_finish_risk(tt_cfgb_t *b, s_symbol_in_t *in, const char *path)
{
    s_risk_in_t *r = &in->risk;
    if (r->cfg.line < 0)
        return; /* risk was not a mapping: reported already */
    int line = r->cfg.line ? r->cfg.line : in->line;
    char sub[S_PATH_MAX + 32];
    int64_t ignored;
    const char *sizing = r->cfg.sizing ? r->cfg.sizing : "";
    const char *need = NULL;
    if (strcmp(sizing, "fixed_qty") == 0 && r->qty_line == 0)
        need = "qty";
    else if (strcmp(sizing, "fixed_notional") == 0 && r->notional_line == 0)
        need = "notional";
    else if (strcmp(sizing, "risk_pct") == 0 && r->pct_line == 0)
        need = "risk_pct";
    if (need)
        tt_cfgb_error(b, line, "%s.risk: sizing %s requires '%s'", path, sizing,
                      need);
    if (r->cfg.qty && in->qty_line > 0) {
        snprintf(sub, sizeof(sub), "%s.risk.qty", path);
        s_scaled(b, r->cfg.qty, r->qty_line, in->qty_decimals, "qty_decimals",
                 sub, &ignored);
    }
    if (r->cfg.max_position && in->qty_line > 0) {
        snprintf(sub, sizeof(sub), "%s.risk.max_position", path);
        s_scaled(b, r->cfg.max_position, r->max_position_line, in->qty_decimals,
                 "qty_decimals", sub, &ignored);
    }
    if (r->cfg.notional) {
        snprintf(sub, sizeof(sub), "%s.risk.notional", path);
        s_scaled(b, r->cfg.notional, r->notional_line, S_NOTIONAL_DECIMALS,
                 "decimals", sub, &ignored);
    }
}

/* Checks the merged staging symbol and moves it into OUT. */
static void s_finish_symbol(tt_cfgb_t *b, const tt_config_t *cfg,
                            s_symbol_in_t *in, tt_symbol_cfg_t *out,
                            const char *path)
{
    if (in->symbol)
        snprintf(out->name, sizeof(out->name), "%s", in->symbol);
    snprintf(out->venue_symbol, sizeof(out->venue_symbol), "%s",
             in->venue_symbol ? in->venue_symbol : out->name);
    out->line = in->line;
    if (in->venue) {
        int index = s_venue_index(cfg, in->venue);
        if (index < 0)
            tt_cfgb_error(b, in->venue_line ? in->venue_line : in->line,
                          "%s.venue: unknown venue '%s'", path, in->venue);
        out->venue = index < 0 ? 0 : (size_t)index;
    }
    s_finish_instrument(b, in, out, path);
    out->timeframe_count = in->timeframe_count;
    memcpy(out->timeframes, in->timeframes, sizeof(out->timeframes));
    out->stale_ms = in->stale_ms;
    s_finish_risk(b, in, path);
    tt_config_paper_finish(b, &in->paper, &out->instrument,
                           in->px_line > 0 && in->qty_line > 0, path,
                           &out->paper);
    out->strategy = in->strategy;
    memset(&in->strategy, 0, sizeof(in->strategy));
    out->risk = in->risk.cfg;
    memset(&in->risk.cfg, 0, sizeof(in->risk.cfg));
}

/* symbol_defaults is checked once on its own, so that a mistake in it is
   reported once rather than once per symbol. */
static void s_check_defaults(tt_cfgb_t *b, yaml_node_t *defaults)
{
    static const char *const own[] = {"symbol", "venue_symbol"};
    for (size_t i = 0; i < 2; i++) {
        yaml_node_t *node = tt_cfgb_lookup(b, defaults, own[i]);
        if (node)
            tt_cfgb_error(b, tt_cfgb_line(node),
                          "symbol_defaults: '%s' cannot have a default",
                          own[i]);
    }
    s_symbol_in_t scratch;
    s_symbol_in_init(&scratch);
    tt_cfgb_bind(b, &s_symbol, defaults, tt_cfgb_line(defaults), &scratch,
                 "symbol_defaults");
    tt_cfgb_forget(b);
    s_symbol_in_free(&scratch);
}

static void s_load_symbol(tt_cfgb_t *b, tt_config_t *cfg, yaml_node_t *item,
                          yaml_node_t *defaults, const char *path)
{
    tt_symbol_cfg_t *out = &cfg->symbols[cfg->symbol_count++];
    if (!tt_cfgb_expect(b, item, YAML_MAPPING_NODE, path))
        return;
    s_symbol_in_t in;
    s_symbol_in_init(&in);
    if (defaults) {
        b->quiet++;
        tt_cfgb_bind(b, &s_symbol, defaults, tt_cfgb_line(defaults), &in, "");
        b->quiet--;
    }
    tt_cfgb_bind(b, &s_symbol, item, tt_cfgb_line(item), &in, path);
    tt_cfgb_check_required(b, &s_symbol, &in, in.line, path);
    s_finish_symbol(b, cfg, &in, out, path);
    s_symbol_in_free(&in);
    int first = out->name[0] ? tt_config_symbol_index(cfg, out->name) : -1;
    if (first >= 0 && &cfg->symbols[first] != out)
        tt_cfgb_error(b, out->line, "duplicate symbol '%s' (first at line %d)",
                      out->name, cfg->symbols[first].line);
}

void tt_config_symbols_load(tt_cfgb_t *b, tt_config_t *cfg, yaml_node_t *seq,
                            yaml_node_t *defaults)
{
    if (defaults)
        s_check_defaults(b, defaults);
    size_t n = tt_cfgb_length(seq);
    if (n == 0) {
        tt_cfgb_error(b, tt_cfgb_line(seq),
                      "symbols: at least one symbol is "
                      "required");
        return;
    }
    cfg->symbols = calloc(n, sizeof(*cfg->symbols));
    assert(cfg->symbols);
    for (size_t i = 0; i < n; i++) {
        char path[S_PATH_MAX];
        snprintf(path, sizeof(path), "symbols[%zu]", i);
        s_load_symbol(b, cfg, tt_cfgb_item(b, seq, i), defaults, path);
    }
}
