/*  config/config_paper.c: a symbol's `paper` mapping, how the paper broker
    fills its orders (venues/paper/fill_model.h; docs/CONFIG.md,
    "symbols[].paper").

    It is a sub-mapping of a symbol, so symbol_defaults and the symbol's
    own mapping merge into it key by key, like `risk`. The two amounts
    (fee_per_order in money, max_qty_per_trade in quantity) are kept as
    decimal text while binding and scaled once the symbol's px_decimals,
    qty_decimals and lot_size are known, so that "exact at the scale" is
    reported at the value's own line.

    Runs on the main thread at start-up. */
#include "config/config_bind.h"

#include <stdio.h>
#include <string.h>

#include "marketdata/decimal.h"

#define S_BPS_MAX 10000
#define S_LATENCY_MS_MAX 60000
#define S_NS_PER_MS INT64_C(1000000)

static const tt_cfgb_field_t s_fields[] = {
    {.key = "slippage_bps",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_paper_in_t, cfg.slippage_bps),
     .min = 0,
     .max = S_BPS_MAX,
     .def = 1},
    {.key = "fee_bps",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_paper_in_t, cfg.fee_bps),
     .min = 0,
     .max = S_BPS_MAX,
     .def = 1},
    {.key = "fee_per_order",
     .type = TT_CFGB_DECIMAL,
     TT_CFGB_AT(tt_config_paper_in_t, fee_text),
     TT_CFGB_LINE(tt_config_paper_in_t, fee_line)},
    {.key = "participation_bps",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_paper_in_t, cfg.participation_bps),
     .min = 0,
     .max = S_BPS_MAX,
     .def = 0},
    {.key = "max_qty_per_trade",
     .type = TT_CFGB_DECIMAL,
     TT_CFGB_AT(tt_config_paper_in_t, max_qty_text),
     TT_CFGB_LINE(tt_config_paper_in_t, max_qty_line)},
    {.key = "latency_ms",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_paper_in_t, cfg.latency_ns),
     .min = 0,
     .max = S_LATENCY_MS_MAX,
     .scale = S_NS_PER_MS,
     .def = 0},
};
const tt_cfgb_section_t tt_config_paper_section =
    TT_CFGB_SECTION(s_fields, tt_config_paper_in_t, cfg.line);

/* TEXT scaled by 10^DECIMALS into *OUT: exact, and 0 or more. */
static bool s_amount(tt_cfgb_t *b, const char *text, int line, int decimals,
                     const char *scale, const char *path, int64_t *out)
{
    int64_t v = 0;
    int rc = tt_decimal_parse(text, strlen(text), decimals, &v);
    if (rc == TT_DEC_PRECISION)
        tt_cfgb_error(b, line, "%s: '%s' is not exact at %s %d", path, text,
                      scale, decimals);
    else if (rc != TT_DEC_OK)
        tt_cfgb_error(b, line, "%s: '%s': %s", path, text,
                      tt_decimal_strerror(rc));
    else if (v < 0)
        tt_cfgb_error(b, line, "%s: must be 0 or more, got '%s'", path, text);
    else
        *out = v;
    return rc == TT_DEC_OK && v >= 0;
}

void tt_config_paper_finish(tt_cfgb_t *b, tt_config_paper_in_t *in,
                            const tt_instrument_t *inst, bool scales_ok,
                            const char *path, tt_symbol_paper_cfg_t *out)
{
    *out = in->cfg;
    out->fee_per_order = 0;
    out->max_qty_per_trade = 0;
    if (in->cfg.line < 0 || !scales_ok)
        return; /* not a mapping, or no scale: reported already */
    char sub[320];
    if (in->fee_text && in->fee_line > 0) {
        snprintf(sub, sizeof sub, "%s.paper.fee_per_order", path);
        s_amount(b, in->fee_text, in->fee_line, inst->px_decimals,
                 "px_decimals", sub, &out->fee_per_order);
    }
    if (in->max_qty_text && in->max_qty_line > 0) {
        snprintf(sub, sizeof sub, "%s.paper.max_qty_per_trade", path);
        int64_t q = 0;
        if (s_amount(b, in->max_qty_text, in->max_qty_line, inst->qty_decimals,
                     "qty_decimals", sub, &q) &&
            q > 0 && q < inst->lot_size)
            tt_cfgb_error(b, in->max_qty_line,
                          "%s: '%s' is less than one lot: no order would "
                          "ever fill",
                          sub, in->max_qty_text);
        else
            out->max_qty_per_trade = q;
    }
}
