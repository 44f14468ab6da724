/*  strategies/strategy_run.c: the strategy wrapper, running side. Routes
    each closed candle's values (trend filter or strategy), enforces
    invariant 2 (no signal while any of the strategy's values is cold),
    tracks the position from fills, and snapshots/restores the whole
    state. No allocation: signals go to the caller's array. Runs on the
    strategy actor's worker thread. */
#include "strategies/strategy_impl.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#define S_SNAP_MAGIC UINT32_C(0x54545354) /* "TTST" */
#define S_SNAP_VERSION 1

typedef struct {
    uint32_t magic;
    uint32_t version;
    uint64_t fingerprint;
    uint64_t body_size; /* core + behaviour state */
} s_snap_hdr_t;

static bool s_pos_valid(const tt_strat_pos_t *p)
{
    if (p->side < -1 || p->side > 1 || p->qty < 0)
        return false;
    return p->side != 0 ? p->qty > 0 : p->qty == 0;
}

/* Adopts the execution actor's view of the position. A change of side is
   a trade opening, closing or reversing: the behaviour hears of it. */
static void s_adopt(tt_strategy_t *self, const tt_strat_pos_t *pos, tt_ns_t ts)
{
    tt_strat_pos_t prev = self->core.pos;
    self->core.pos.side = pos->side;
    self->core.pos.qty = pos->qty;
    self->core.pos.entry_px = pos->entry_px;
    if (prev.side == pos->side)
        return;
    self->core.entry_ts = pos->side != 0 ? ts : 0;
    if (self->def->on_position)
        self->def->on_position(self->state, self->params, &prev,
                               &self->core.pos);
}

static int s_outputs(tt_ind_kind_t kind)
{
    switch (kind) {
    case TT_IND_MACD:
    case TT_IND_BBANDS:
    case TT_IND_DONCHIAN:
        return 3;
    case TT_IND_STOCH:
        return 2;
    default:
        return 1;
    }
}

/* The behaviour's values are usable: ready, and finite in every output
   its kind defines (a NaN from a broken feed counts as cold). */
static bool s_all_ready(const tt_strategy_t *self, const tt_ind_value_t *v)
{
    for (size_t i = 0; i < self->own_spec_count; i++) {
        if (!v[i].ready)
            return false;
        for (int k = 0; k < s_outputs(self->specs[i].kind); k++)
            if (!isfinite(v[i].v[k]))
                return false;
    }
    return true;
}

static int s_fail(tt_strategy_t *self, const char *why)
{
    self->last_error = why;
    return -1;
}

static int s_check_input(tt_strategy_t *self, const tt_candle_t *candle,
                         const tt_ind_value_t *values, size_t n,
                         const tt_strat_pos_t *pos)
{
    if (candle->tf_s <= 0)
        return s_fail(self, "candle has no timeframe");
    if (n != tt_strategy_value_count(self, candle->tf_s))
        return s_fail(self, "wrong number of indicator values for the "
                            "candle's timeframe");
    if (n > 0 && !values)
        return s_fail(self, "indicator values missing");
    if (pos && !s_pos_valid(pos))
        return s_fail(self, "invalid position (side/qty)");
    return 0;
}

static int s_evaluate(tt_strategy_t *self, const tt_candle_t *candle,
                      const tt_ind_value_t *values, tt_ns_t close_ts,
                      tt_signal_t *out, size_t cap)
{
    tt_strat_eval_t ev = {0};
    ev.params = self->params;
    ev.state = self->state;
    ev.candle = candle;
    ev.values = values;
    ev.n = self->own_spec_count;
    ev.pos = &self->core.pos;
    ev.inst = &self->inst;
    ev.fresh = self->core.fresh != 0;
    ev.allow_long = tt_trend_allows(&self->trend_cfg, &self->core.trend, 1);
    ev.allow_short = self->common.allow_short &&
                     tt_trend_allows(&self->trend_cfg, &self->core.trend, -1);
    ev.ts = close_ts;
    ev.out = out;
    ev.cap = cap;
    self->def->on_candle(&ev);
    self->core.fresh = 0;
    return (int)ev.count;
}

int tt_strategy_on_candle(tt_strategy_t *self, const tt_candle_t *candle,
                          const tt_ind_value_t *values, size_t n,
                          const tt_strat_pos_t *pos, tt_signal_t *out,
                          size_t cap)
{
    assert(self && candle && out && cap >= TT_STRATEGY_MAX_SIGNALS);
    if (!candle->closed)
        return 0;
    if (s_check_input(self, candle, values, n, pos) < 0)
        return -1;
    tt_ns_t close_ts = candle->open_ts + candle->tf_s * TT_NS_PER_SEC;
    const tt_strat_common_t *c = &self->common;
    if (c->trend_tf > 0 && candle->tf_s == c->trend_tf) {
        size_t at = c->trend_tf == c->tf ? self->own_spec_count : 0;
        tt_trend_update(&self->core.trend, candle, &values[at],
                        self->inst.px_decimals);
    }
    if (candle->tf_s != c->tf)
        return 0;
    if (pos)
        s_adopt(self, pos, close_ts);
    self->core.last_close = candle->close;
    if (!s_all_ready(self, values)) {
        self->core.fresh = 1;
        return 0;
    }
    return s_evaluate(self, candle, values, close_ts, out, cap);
}

int tt_strategy_on_fill(tt_strategy_t *self, tt_ns_t ts,
                        const tt_strat_pos_t *after)
{
    assert(self && after);
    if (!s_pos_valid(after))
        return s_fail(self, "invalid position (side/qty)");
    s_adopt(self, after, ts);
    return 0;
}

int tt_strategy_on_timer(tt_strategy_t *self, tt_ns_t now, tt_signal_t *out,
                         size_t cap)
{
    assert(self && out && cap >= TT_STRATEGY_MAX_SIGNALS);
    (void)cap;
    const tt_strat_core_t *core = &self->core;
    int64_t hold = (int64_t)self->common.max_hold_s * TT_NS_PER_SEC;
    if (hold == 0 || core->pos.side == 0 || now - core->entry_ts < hold)
        return 0;
    tt_signal_t sig = {0};
    sig.kind = TT_SIG_EXIT;
    sig.ts = now;
    sig.ref_price = core->last_close;
    sig.reason = "max_hold_s reached";
    out[0] = sig;
    return 1;
}

tt_strat_pos_t tt_strategy_position(const tt_strategy_t *self)
{
    return self->core.pos;
}

bool tt_strat_emit(tt_strat_eval_t *ev, tt_signal_kind_t kind, tt_px_t stop,
                   tt_px_t target, const char *reason)
{
    if (kind == TT_SIG_ENTER_LONG && !ev->allow_long)
        return false;
    if (kind == TT_SIG_ENTER_SHORT && !ev->allow_short)
        return false;
    assert(ev->count < ev->cap);
    tt_signal_t *s = &ev->out[ev->count++];
    s->kind = kind;
    s->ts = ev->ts;
    s->ref_price = ev->candle->close;
    s->stop = stop;
    s->target = target;
    s->reason = reason;
    return true;
}

size_t tt_strategy_snapshot_size(const tt_strategy_t *self)
{
    return sizeof(s_snap_hdr_t) + sizeof(tt_strat_core_t) +
           self->def->state_size;
}

int tt_strategy_snapshot(const tt_strategy_t *self, void *buf, size_t size)
{
    size_t need = tt_strategy_snapshot_size(self);
    if (!buf || size < need)
        return -1;
    s_snap_hdr_t hdr = {0};
    hdr.magic = S_SNAP_MAGIC;
    hdr.version = S_SNAP_VERSION;
    hdr.fingerprint = self->fingerprint;
    hdr.body_size = sizeof(tt_strat_core_t) + self->def->state_size;
    unsigned char *p = buf;
    memcpy(p, &hdr, sizeof hdr);
    memcpy(p + sizeof hdr, &self->core, sizeof self->core);
    memcpy(p + sizeof hdr + sizeof self->core, self->state,
           self->def->state_size);
    return (int)need;
}

int tt_strategy_restore(tt_strategy_t *self, const void *buf, size_t size)
{
    s_snap_hdr_t hdr;
    tt_strat_core_t core;
    const unsigned char *p = buf;
    if (!buf || size != tt_strategy_snapshot_size(self))
        return s_fail(self, "snapshot has the wrong size");
    memcpy(&hdr, p, sizeof hdr);
    memcpy(&core, p + sizeof hdr, sizeof core);
    if (hdr.magic != S_SNAP_MAGIC || hdr.version != S_SNAP_VERSION ||
        hdr.body_size != sizeof core + self->def->state_size)
        return s_fail(self, "not a strategy snapshot of this version");
    if (hdr.fingerprint != self->fingerprint)
        return s_fail(self, "snapshot was taken with other settings");
    if (!s_pos_valid(&core.pos) || core.trend.dir < -1 || core.trend.dir > 1)
        return s_fail(self, "snapshot holds an invalid state");
    self->core = core;
    memcpy(self->state, p + sizeof hdr + sizeof core, self->def->state_size);
    return 0;
}
