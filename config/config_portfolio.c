/*  config/config_portfolio.c: the `portfolio` section (limits across every
    symbol, risk/portfolio.h) and the venues' market-session keys
    (`calendar`, `holidays`, `early_closes`; clock/sessions.h). See
    docs/CONFIG.md for the reference.

    Amounts are written as decimal text (quoted or not) in the account
    currency and scaled here to `portfolio.decimals`, so that the rule
    "exact at the scale" is checked at the value's own line.

    Runs on the main thread at start-up. */
#include "config/config_bind.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/sessions.h"
#include "marketdata/decimal.h"

static const tt_cfgb_field_t s_fields[] = {
    {.key = "decimals",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_portfolio_t, decimals),
     .min = 0,
     .max = 8,
     .def = 2},
    {.key = "equity",
     .type = TT_CFGB_DECIMAL,
     TT_CFGB_AT(tt_config_portfolio_t, equity_text)},
    {.key = "max_exposure",
     .type = TT_CFGB_DECIMAL,
     TT_CFGB_AT(tt_config_portfolio_t, max_exposure_text)},
    {.key = "max_open_positions",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_portfolio_t, max_open_positions),
     .min = 0,
     .max = 100000,
     .def = 0},
    {.key = "max_daily_loss",
     .type = TT_CFGB_DECIMAL,
     TT_CFGB_AT(tt_config_portfolio_t, max_daily_loss_text)},
    {.key = "breaker_max_errors",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_portfolio_t, breaker_max_errors),
     .min = 1,
     .max = 64,
     .def = 5},
    {.key = "breaker_window_s",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_portfolio_t, breaker_window_ms),
     .min = 1,
     .max = 86400,
     .scale = 1000,
     .def = 60},
};
static const tt_cfgb_section_t s_section =
    TT_CFGB_SECTION(s_fields, tt_config_portfolio_t, line);

void tt_config_portfolio_defaults(tt_config_portfolio_t *pf)
{
    tt_cfgb_defaults(&s_section, pf);
    pf->equity = 100000 * 100; /* 100,000.00 at the default 2 decimals */
}

/* Scales TEXT (already known to be a decimal) to DECIMALS into *OUT;
   reports at KEY's line when it is negative, inexact or too large. */
static void s_amount(tt_cfgb_t *b, yaml_node_t *map, const char *key,
                     const char *text, int decimals, int64_t *out)
{
    if (!text)
        return;
    yaml_node_t *node = tt_cfgb_lookup(b, map, key);
    int line = node ? tt_cfgb_line(node) : tt_cfgb_line(map);
    int64_t v = 0;
    if (tt_decimal_parse(text, strlen(text), decimals, &v) != 0 || v < 0) {
        tt_cfgb_error(b, line,
                      "portfolio.%s: '%s' is not an amount >= 0 with at "
                      "most %d decimals (portfolio.decimals)",
                      key, text, decimals);
        return;
    }
    *out = v;
}

void tt_config_portfolio_load(tt_cfgb_t *b, tt_config_t *cfg, yaml_node_t *map)
{
    tt_config_portfolio_t *pf = &cfg->portfolio;
    tt_cfgb_bind(b, &s_section, map, 0, pf, "portfolio");
    int d = pf->decimals;
    int64_t unit = 1;
    for (int i = 0; i < d; i++)
        unit *= 10;
    pf->equity = 100000 * unit;
    s_amount(b, map, "equity", pf->equity_text, d, &pf->equity);
    s_amount(b, map, "max_exposure", pf->max_exposure_text, d,
             &pf->max_exposure);
    s_amount(b, map, "max_daily_loss", pf->max_daily_loss_text, d,
             &pf->max_daily_loss);
    if (pf->equity_text && pf->equity == 0)
        tt_cfgb_error(b, tt_cfgb_line(tt_cfgb_lookup(b, map, "equity")),
                      "portfolio.equity: must be above 0");
}

void tt_config_portfolio_free(tt_config_portfolio_t *pf)
{
    tt_cfgb_free(&s_section, pf);
}

static void s_free_list(char ***list, size_t *count)
{
    for (size_t i = 0; *list && i < *count; i++)
        free((*list)[i]);
    free(*list);
    *list = NULL;
    *count = 0;
}

/* holidays / early_closes: a list of "YYYY-MM-DD" dates. */
void tt_config_bind_dates(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                          yaml_node_t *node, void *dest, const char *path)
{
    tt_venue_cfg_t *venue = dest;
    bool early = strcmp(f->key, "early_closes") == 0;
    char ***list = early ? &venue->early_closes : &venue->holidays;
    size_t *count = early ? &venue->early_close_count : &venue->holiday_count;
    if (!tt_cfgb_expect(b, node, YAML_SEQUENCE_NODE, path))
        return;
    size_t n = tt_cfgb_length(node);
    if (n > TT_CAL_MAX_DATES) {
        tt_cfgb_error(b, tt_cfgb_line(node), "%s: at most %d dates, got %zu",
                      path, TT_CAL_MAX_DATES, n);
        return;
    }
    s_free_list(list, count); /* a repeated key: the last wins */
    *list = calloc(n ? n : 1, sizeof **list);
    assert(*list);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = tt_cfgb_item(b, node, i);
        char item_path[256];
        snprintf(item_path, sizeof item_path, "%s[%zu]", path, i);
        if (!tt_cfgb_expect(b, item, YAML_SCALAR_NODE, item_path))
            continue;
        const char *text = tt_cfgb_text(b, item);
        int32_t ymd;
        if (!text || tt_calendar_parse_date(text, &ymd) != TT_CAL_OK) {
            tt_cfgb_error(b, tt_cfgb_line(item),
                          "%s: '%s' is not a date YYYY-MM-DD", item_path,
                          text ? text : "");
            continue;
        }
        (*list)[(*count)++] = strdup(text);
        assert((*list)[*count - 1]);
    }
}

void tt_config_venue_dates_free(tt_venue_cfg_t *venue)
{
    s_free_list(&venue->holidays, &venue->holiday_count);
    s_free_list(&venue->early_closes, &venue->early_close_count);
}

void tt_config_venue_check_calendar(tt_cfgb_t *b, const tt_venue_cfg_t *venue,
                                    yaml_node_t *map, const char *path)
{
    yaml_node_t *kind = tt_cfgb_lookup(b, map, "calendar");
    const char *text = kind ? tt_cfgb_text(b, kind) : NULL;
    if (venue->calendar == TT_CAL_US_EQUITY ||
        (kind && (!text || strcmp(text, "always_open") != 0)))
        return; /* a bad calendar is reported already */
    const char *keys[] = {"holidays", "early_closes"};
    for (size_t i = 0; i < 2; i++) {
        yaml_node_t *node = tt_cfgb_lookup(b, map, keys[i]);
        if (node && tt_cfgb_length(node) > 0)
            tt_cfgb_error(b, tt_cfgb_line(node),
                          "%s.%s: the always_open calendar has no %s "
                          "(set calendar: us_equity)",
                          path, keys[i], keys[i]);
    }
}
