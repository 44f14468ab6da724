/*  strategies/trend_filter.c: higher-timeframe trend agreement (see
    trend_filter.h). */
#include "strategies/trend_filter.h"

#include <math.h>

#include "strategies/price.h"

/* A close within this many scaled units of the MA counts as equal. */
#define S_EQ_EPS 1e-6

tt_ind_spec_t tt_trend_spec(const tt_trend_cfg_t *cfg)
{
    tt_ind_spec_t spec = {0};
    spec.kind = TT_IND_SMA;
    spec.tf_s = cfg->tf_s;
    spec.p1 = cfg->period;
    return spec;
}

void tt_trend_update(tt_trend_state_t *self, const tt_candle_t *candle,
                     const tt_ind_value_t *ma, int px_decimals)
{
    if (!ma->ready || !isfinite(ma->v[0])) {
        self->dir = 0;
        return;
    }
    double diff = (double)candle->close - ma->v[0] * tt_px_scale(px_decimals);
    if (fabs(diff) < S_EQ_EPS)
        self->dir = 0;
    else
        self->dir = diff > 0 ? 1 : -1;
}

bool tt_trend_allows(const tt_trend_cfg_t *cfg, const tt_trend_state_t *self,
                     int side)
{
    if (cfg->tf_s == 0)
        return true;
    return self->dir != 0 && self->dir == side;
}
