/*  indicators/oscillators.c: RSI, ATR (Wilder smoothing), the stochastic
    oscillator and the Donchian channel. Pure streaming logic run by the
    indicator actor on its worker thread; definitions and seeding follow
    TA-Lib's defaults (docs/MARKETDATA.md). */
#include "indicators/kinds.h"

#include <math.h>
#include <stddef.h>

const char *tt_rsi_init(tt_rsi_t *s, int32_t period)
{
    if (period < 2 || period > TT_IND_MAX_PERIOD)
        return "period must be 2..100000";
    *s = (tt_rsi_t){.n = (uint32_t)period, .inv_n = 1.0 / period};
    return NULL;
}

void tt_rsi_update(tt_rsi_t *s, const tt_ind_input_t *in)
{
    double x = in->close;
    if (s->count == 0) {
        s->prev = x;
        s->count = 1;
        return;
    }
    double diff = x - s->prev;
    s->prev = x;
    if (s->count <= s->n) {
        /* Seed: plain sums over the first n changes, averaged at the end. */
        if (diff > 0)
            s->gain += diff;
        else
            s->loss -= diff;
        if (s->count++ == s->n) {
            s->gain /= s->n;
            s->loss /= s->n;
        }
        return;
    }
    /* Wilder smoothing as TA-Lib orders it, but multiplying by 1/n rather
       than dividing: a division sat on the loop-carried chain and cost
       the 15 ns budget; the difference is an ulp or two. */
    double up = diff > 0 ? diff : 0.0;
    double down = diff < 0 ? -diff : 0.0;
    s->gain = (s->gain * (s->n - 1) + up) * s->inv_n;
    s->loss = (s->loss * (s->n - 1) + down) * s->inv_n;
}

tt_ind_value_t tt_rsi_value(const tt_rsi_t *s)
{
    tt_ind_value_t v = {.ready = s->count > s->n};
    if (v.ready) {
        double sum = s->gain + s->loss;
        v.v[0] = sum != 0.0 ? 100.0 * (s->gain / sum) : 0.0;
    }
    return v;
}

const char *tt_atr_init(tt_atr_t *s, int32_t period)
{
    if (period < 1 || period > TT_IND_MAX_PERIOD)
        return "period must be 1..100000";
    *s = (tt_atr_t){.n = (uint32_t)period};
    return NULL;
}

void tt_atr_update(tt_atr_t *s, const tt_ind_input_t *in)
{
    if (s->count == 0) {
        s->prev_close = in->close;
        s->count = 1;
        return;
    }
    double tr = in->high - in->low;
    double up = fabs(in->high - s->prev_close);
    double down = fabs(in->low - s->prev_close);
    tr = up > tr ? up : tr;
    tr = down > tr ? down : tr;
    s->prev_close = in->close;
    if (s->count <= s->n) {
        s->sum += tr;
        if (s->count++ == s->n)
            s->atr = s->sum / s->n;
        return;
    }
    s->atr = (s->atr * (s->n - 1) + tr) / s->n;
}

tt_ind_value_t tt_atr_value(const tt_atr_t *s)
{
    tt_ind_value_t v = {.ready = s->count > s->n};
    v.v[0] = v.ready ? s->atr : 0.0;
    return v;
}

uint32_t tt_stoch_ws(int32_t fastk, int32_t slowk, int32_t slowd)
{
    if (fastk < 1 || slowk < 1 || slowd < 1)
        return 0;
    return 4 * (uint32_t)fastk + (uint32_t)slowk + (uint32_t)slowd;
}

const char *tt_stoch_init(tt_stoch_t *s, int32_t fastk, int32_t slowk,
                          int32_t slowd, uint32_t off)
{
    if (fastk < 1 || fastk > TT_IND_MAX_PERIOD)
        return "fast %K period must be 1..100000";
    if (slowk < 1 || slowk > TT_IND_MAX_PERIOD)
        return "%K slowing period must be 1..100000";
    if (slowd < 1 || slowd > TT_IND_MAX_PERIOD)
        return "%D period must be 1..100000";
    *s = (tt_stoch_t){.fastk = (uint32_t)fastk};
    off += tt_range_init(&s->range, off, (uint32_t)fastk);
    off += tt_win_init(&s->k, off, (uint32_t)slowk);
    tt_win_init(&s->d, off, (uint32_t)slowd);
    return NULL;
}

void tt_stoch_update(tt_stoch_t *s, double *ws, const tt_ind_input_t *in)
{
    tt_range_push(&s->range, ws, in->high, in->low);
    if (s->count < s->fastk && ++s->count < s->fastk)
        return;
    double hh, ll;
    tt_range_get(&s->range, ws, &hh, &ll);
    /* TA-Lib's flat-range rule: 0 when the highest high equals the
       lowest low. */
    double range = hh - ll;
    tt_win_push(&s->k, ws,
                range != 0.0 ? (in->close - ll) * 100.0 / range : 0.0);
    if (tt_win_full(&s->k))
        tt_win_push(&s->d, ws, tt_win_mean(&s->k));
}

tt_ind_value_t tt_stoch_value(const tt_stoch_t *s)
{
    tt_ind_value_t v = {.ready = tt_win_full(&s->d)};
    if (v.ready) {
        v.v[0] = tt_win_mean(&s->k);
        v.v[1] = tt_win_mean(&s->d);
    }
    return v;
}

uint32_t tt_donchian_ws(int32_t period)
{
    return period > 0 ? 4 * (uint32_t)period : 0;
}

const char *tt_donchian_init(tt_donchian_t *s, int32_t period, uint32_t off)
{
    if (period < 1 || period > TT_IND_MAX_PERIOD)
        return "period must be 1..100000";
    tt_range_init(&s->range, off, (uint32_t)period);
    return NULL;
}

void tt_donchian_update(tt_donchian_t *s, double *ws, const tt_ind_input_t *in)
{
    tt_range_push(&s->range, ws, in->high, in->low);
}

tt_ind_value_t tt_donchian_value(const tt_donchian_t *s, const double *ws)
{
    tt_ind_value_t v = {.ready = s->range.seq >= s->range.n};
    if (v.ready) {
        tt_range_get(&s->range, ws, &v.v[0], &v.v[1]);
        v.v[2] = (v.v[0] + v.v[1]) / 2.0;
    }
    return v;
}
