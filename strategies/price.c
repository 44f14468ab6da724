/*  strategies/price.c: doubles to scaled tick-rounded prices (see
    price.h for the rounding directions and why). */
#include "strategies/price.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>

/* Tick multiples closer than this are "exactly on a tick". */
#define S_TICK_EPS 1e-6

double tt_px_scale(int decimals)
{
    assert(decimals >= 0 && decimals <= 18);
    double s = 1.0;
    for (int i = 0; i < decimals; i++)
        s *= 10.0;
    return s;
}

static tt_px_t s_round_tick(double x, tt_px_t tick, int up)
{
    assert(tick > 0);
    double ticks = x / (double)tick;
    double near = nearbyint(ticks);
    if (fabs(ticks - near) < S_TICK_EPS)
        ticks = near;
    else
        ticks = up ? ceil(ticks) : floor(ticks);
    /* Nonsense inputs (a huge ATR) must not overflow the conversion. */
    double lim = (double)(INT64_MAX / tick / 2);
    if (!(ticks < lim))
        ticks = lim;
    if (!(ticks > -lim))
        ticks = -lim;
    return (tt_px_t)ticks * tick;
}

tt_px_t tt_px_ceil_tick(double x, tt_px_t tick)
{
    return s_round_tick(x, tick, 1);
}

tt_px_t tt_px_floor_tick(double x, tt_px_t tick)
{
    return s_round_tick(x, tick, 0);
}

tt_px_t tt_px_stop(const tt_instrument_t *inst, int side, tt_px_t ref,
                   double dist)
{
    tt_px_t tick = inst->tick_size;
    assert(side == 1 || side == -1);
    if (side > 0) {
        tt_px_t stop = tt_px_ceil_tick((double)ref - dist, tick);
        if (stop > ref - tick)
            stop = ref - tick;
        return stop < tick ? tick : stop;
    }
    tt_px_t stop = tt_px_floor_tick((double)ref + dist, tick);
    return stop < ref + tick ? ref + tick : stop;
}

tt_px_t tt_px_target(const tt_instrument_t *inst, int side, tt_px_t ref,
                     double dist)
{
    tt_px_t tick = inst->tick_size;
    assert(side == 1 || side == -1);
    if (side > 0) {
        tt_px_t target = tt_px_floor_tick((double)ref + dist, tick);
        return target < ref + tick ? ref + tick : target;
    }
    tt_px_t target = tt_px_ceil_tick((double)ref - dist, tick);
    if (target > ref - tick)
        target = ref - tick;
    return target < tick ? 0 : target;
}
