/*  indicators/averages.c: SMA, EMA, MACD, Bollinger bands and VWAP.
    Pure streaming logic run by the indicator actor on its worker thread;
    definitions and seeding follow TA-Lib's defaults (docs/MARKETDATA.md).
    Running sums in double are fine here: the outputs are statistics, and
    every window sum is resynchronised exactly once per window length. */
#include "indicators/kinds.h"

#include <math.h>
#include <stddef.h>

static const char *s_period(int32_t p, int32_t min)
{
    if (p < min || p > TT_IND_MAX_PERIOD)
        return min == 1 ? "period must be 1..100000"
                        : "period must be 2..100000";
    return NULL;
}

uint32_t tt_sma_ws(int32_t period)
{
    return period > 0 ? (uint32_t)period : 0;
}

const char *tt_sma_init(tt_sma_t *s, int32_t period, uint32_t off)
{
    const char *err = s_period(period, 2);
    if (!err)
        tt_win_init(&s->w, off, (uint32_t)period);
    return err;
}

void tt_sma_update(tt_sma_t *s, double *ws, const tt_ind_input_t *in)
{
    tt_win_push(&s->w, ws, in->close);
}

tt_ind_value_t tt_sma_value(const tt_sma_t *s)
{
    tt_ind_value_t v = {.ready = tt_win_full(&s->w)};
    v.v[0] = v.ready ? tt_win_mean(&s->w) : 0.0;
    return v;
}

const char *tt_ema_init(tt_ema_t *s, int32_t period, uint32_t skip)
{
    const char *err = s_period(period, 2);
    if (err)
        return err;
    *s = (tt_ema_t){.n = (uint32_t)period, .skip = skip};
    s->k = 2.0 / (period + 1);
    return NULL;
}

void tt_ema_push(tt_ema_t *s, double x)
{
    if (s->skip > 0) {
        s->skip--;
    } else if (s->count < s->n) {
        s->sum += x;
        if (++s->count == s->n)
            s->e = s->sum / s->n;
    } else {
        s->e = (x - s->e) * s->k + s->e; /* TA-Lib's operation order */
    }
}

tt_ind_value_t tt_ema_value(const tt_ema_t *s)
{
    tt_ind_value_t v = {.ready = tt_ema_ready(s)};
    v.v[0] = v.ready ? s->e : 0.0;
    return v;
}

const char *tt_macd_init(tt_macd_t *s, int32_t fast, int32_t slow,
                         int32_t signal)
{
    if (fast < 2 || slow > TT_IND_MAX_PERIOD || fast >= slow)
        return "periods must satisfy 2 <= fast < slow <= 100000";
    if (signal < 1 || signal > TT_IND_MAX_PERIOD)
        return "signal period must be 1..100000";
    tt_ema_init(&s->fast, fast, (uint32_t)(slow - fast));
    tt_ema_init(&s->slow, slow, 0);
    /* A signal EMA of period 1 is the line itself; tt_ema_init refuses 1
       for users, so build it by hand (k = 2 / 2 = 1). */
    s->signal = (tt_ema_t){.n = (uint32_t)signal, .k = 2.0 / (signal + 1)};
    s->line = 0.0;
    return NULL;
}

void tt_macd_update(tt_macd_t *s, const tt_ind_input_t *in)
{
    tt_ema_push(&s->fast, in->close);
    tt_ema_push(&s->slow, in->close);
    if (!tt_ema_ready(&s->slow))
        return;
    s->line = s->fast.e - s->slow.e;
    tt_ema_push(&s->signal, s->line);
}

tt_ind_value_t tt_macd_value(const tt_macd_t *s)
{
    tt_ind_value_t v = {.ready = tt_ema_ready(&s->signal)};
    if (v.ready) {
        v.v[0] = s->line;
        v.v[1] = s->signal.e;
        v.v[2] = s->line - s->signal.e;
    }
    return v;
}

uint32_t tt_bbands_ws(int32_t period)
{
    return period > 0 ? (uint32_t)period : 0;
}

const char *tt_bbands_init(tt_bbands_t *s, int32_t period, double k,
                           uint32_t off)
{
    const char *err = s_period(period, 2);
    if (err)
        return err;
    if (!isfinite(k) || k < 0.0 || k > 100.0)
        return "k (standard deviations) must be 0..100";
    tt_win_init(&s->w, off, (uint32_t)period);
    s->k = k;
    return NULL;
}

void tt_bbands_update(tt_bbands_t *s, double *ws, const tt_ind_input_t *in)
{
    tt_win_push_var(&s->w, ws, in->close);
}

tt_ind_value_t tt_bbands_value(const tt_bbands_t *s)
{
    tt_ind_value_t v = {.ready = tt_win_full(&s->w)};
    if (!v.ready)
        return v;
    if (tt_win_flat(&s->w)) {
        v.v[0] = v.v[1] = v.v[2] = s->w.last;
        return v;
    }
    double mid = tt_win_mean(&s->w);
    double var = s->w.m2 > 0.0 ? s->w.m2 / s->w.n : 0.0;
    double band = s->k * sqrt(var);
    v.v[0] = mid + band;
    v.v[1] = mid;
    v.v[2] = mid - band;
    return v;
}

const char *tt_vwap_init(tt_vwap_t *s, int32_t len_s, int32_t offset_s)
{
    if (len_s < 60 || len_s > 31 * 86400)
        return "session length must be 60..2678400 seconds";
    if (offset_s < 0 || offset_s >= len_s)
        return "session offset must be 0..length-1 seconds";
    *s = (tt_vwap_t){.len_ns = len_s * TT_NS_PER_SEC,
                     .off_ns = offset_s * TT_NS_PER_SEC};
    return NULL;
}

/* Start of the session holding TS: off + floor((ts - off) / len) * len,
   correct for times before the first offset too. */
static tt_ns_t s_session_start(const tt_vwap_t *s, tt_ns_t ts)
{
    tt_ns_t t = ts - s->off_ns;
    tt_ns_t q = t / s->len_ns;
    if (t % s->len_ns < 0)
        q--;
    return q * s->len_ns + s->off_ns;
}

void tt_vwap_update(tt_vwap_t *s, const tt_ind_input_t *in)
{
    /* The bounds are cached: a 64-bit division per candle was most of the
       cost, and sessions change rarely. */
    if (!s->started || in->open_ts < s->start || in->open_ts >= s->end) {
        s->started = true;
        s->start = s_session_start(s, in->open_ts);
        s->end = s->start + s->len_ns;
        s->pv = 0.0;
        s->vol = 0.0;
    }
    double tp = (in->high + in->low + in->close) / 3.0;
    s->pv += tp * in->volume;
    s->vol += in->volume;
    s->last_tp = tp;
}

tt_ind_value_t tt_vwap_value(const tt_vwap_t *s)
{
    tt_ind_value_t v = {.ready = s->started};
    /* Without volume yet in the session the price itself is the average. */
    if (v.ready)
        v.v[0] = s->vol > 0.0 ? s->pv / s->vol : s->last_tp;
    return v;
}
