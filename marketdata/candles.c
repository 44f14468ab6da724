/*  marketdata/candles.c: the candle builder (ticks -> 1 s -> timeframes).

    Pure logic run by a symbol's data actor on its worker thread. Level 0
    is the 1 s candle built from ticks; levels 1..ntf are the configured
    timeframes, each fed directly by closed 1 s candles (or venue bars), so
    timeframes need not divide one another. Each level holds at most one
    forming candle, and time only moves forward, which is what keeps every
    update O(1) and bounds the output of one call.

    Invariant kept after every call: every forming candle ends after
    `now`. It is why a closed 1 s candle always lands in the forming slot
    of each higher level (or starts it), never in an older one.

    All state except the history rings lives in one plain struct, so a
    snapshot is that struct plus the rings, copied as bytes. */
#include "marketdata/candles.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAGIC 0x746b4331u /* "tkC1" */
#define S_VERSION 1u

typedef struct {
    tt_ns_t tf_ns;
    int32_t tf_s;
    bool has;            /* the forming candle holds at least one trade */
    tt_candle_t forming; /* valid when has */
    uint32_t head;       /* next history slot to write */
    uint32_t count;      /* closed candles held, <= history */
} s_level_t;

typedef struct {
    uint32_t magic;
    uint32_t version;
    tt_candles_config_t cfg;
    uint32_t nlevels;
    s_level_t lv[TT_CANDLES_LEVELS];
    tt_ns_t now;        /* event-time high-water mark */
    tt_ns_t next_close; /* earliest end of a forming candle, or INT64_MAX */
    tt_ns_t data_end;   /* no data may be taken before this (bars) */
    tt_ns_t first_ts;   /* earliest tick of the forming 1 s candle */
    tt_ns_t last_ts;    /* latest tick of the forming 1 s candle */
    uint64_t dup_ids[TT_CANDLES_DUP_WINDOW];
    uint64_t dup_max; /* largest trade id ever accepted */
    uint32_t dup_head;
    tt_candles_stats_t stats;
} s_state_t;

struct tt_candles_t {
    s_state_t st;
    tt_candle_t *hist; /* nlevels rings of cfg.history candles */
};

typedef struct {
    tt_candle_t *out;
    size_t n;
    size_t cap;
} s_out_t;

static int s_fail(char *err, size_t errlen, const char *msg, uint32_t i)
{
    if (err && errlen)
        snprintf(err, errlen, "candles config: %s (tfs[%u])", msg, i);
    return -1;
}

static int s_validate(const tt_candles_config_t *cfg, char *err, size_t errlen)
{
    if (cfg->ntf > TT_CANDLES_MAX_TF)
        return s_fail(err, errlen, "more than 8 timeframes", cfg->ntf);
    if (cfg->history == 0 || cfg->history > 1000000)
        return s_fail(err, errlen, "history must be 1..1000000", 0);
    for (uint32_t i = 0; i < cfg->ntf; i++) {
        if (cfg->tfs[i] <= 1 || cfg->tfs[i] > TT_CANDLES_MAX_TF_S)
            return s_fail(err, errlen, "timeframe must be 2..2678400 s", i);
        if (i > 0 && cfg->tfs[i] <= cfg->tfs[i - 1])
            return s_fail(err, errlen, "timeframes must increase", i);
    }
    return 0;
}

tt_candles_t *tt_candles_new(const tt_candles_config_t *cfg, char *err,
                             size_t errlen)
{
    assert(cfg);
    if (s_validate(cfg, err, errlen) != 0)
        return NULL;
    uint32_t nlevels = cfg->ntf + 1;
    size_t bytes = sizeof(tt_candles_t) +
                   (size_t)nlevels * cfg->history * sizeof(tt_candle_t);
    tt_candles_t *self = calloc(1, bytes);
    if (!self) {
        s_fail(err, errlen, "out of memory", 0);
        return NULL;
    }
    self->hist = (tt_candle_t *)(self + 1);
    s_state_t *st = &self->st;
    st->magic = S_MAGIC;
    st->version = S_VERSION;
    st->cfg = *cfg;
    for (uint32_t i = cfg->ntf; i < TT_CANDLES_MAX_TF; i++)
        st->cfg.tfs[i] = 0; /* so restore can compare configs bytewise */
    st->nlevels = nlevels;
    for (uint32_t i = 0; i < nlevels; i++) {
        st->lv[i].tf_s = i == 0 ? 1 : cfg->tfs[i - 1];
        st->lv[i].tf_ns = st->lv[i].tf_s * TT_NS_PER_SEC;
    }
    st->next_close = INT64_MAX;
    return self;
}

void tt_candles_destroy(tt_candles_t **self_p)
{
    if (self_p && *self_p) {
        free(*self_p);
        *self_p = NULL;
    }
}

static void s_add_sat(tt_candles_t *self, tt_qty_t *acc, tt_qty_t v)
{
    if (v > INT64_MAX - *acc) {
        *acc = INT64_MAX;
        self->st.stats.saturated++;
    } else {
        *acc += v;
    }
}

static void s_add_trades(tt_candles_t *self, uint32_t *acc, uint32_t v)
{
    if (v > UINT32_MAX - *acc) {
        *acc = UINT32_MAX;
        self->st.stats.saturated++;
    } else {
        *acc += v;
    }
}

/* Merges SRC, which is later in time, into DST. */
static void s_merge(tt_candles_t *self, tt_candle_t *dst,
                    const tt_candle_t *src)
{
    if (src->high > dst->high)
        dst->high = src->high;
    if (src->low < dst->low)
        dst->low = src->low;
    dst->close = src->close;
    s_add_sat(self, &dst->volume, src->volume);
    s_add_trades(self, &dst->trades, src->trades);
}

static void s_emit(tt_candles_t *self, uint32_t level, const tt_candle_t *c,
                   s_out_t *o)
{
    s_state_t *st = &self->st;
    s_level_t *lv = &st->lv[level];
    assert(o->n < o->cap);
    tt_candle_t *dst = &o->out[o->n++];
    *dst = *c;
    dst->tf_s = lv->tf_s;
    dst->closed = true;
    self->hist[(size_t)level * st->cfg.history + lv->head] = *dst;
    lv->head = (lv->head + 1) % st->cfg.history;
    if (lv->count < st->cfg.history)
        lv->count++;
    st->stats.emitted++;
}

/* Puts closed sub-candle C (1 s or a bar) into LEVEL's forming slot. */
static void s_absorb(tt_candles_t *self, uint32_t level, const tt_candle_t *c)
{
    s_level_t *lv = &self->st.lv[level];
    tt_ns_t slot = c->open_ts - c->open_ts % lv->tf_ns;
    if (lv->has) {
        /* Guaranteed by the forming-ends-after-now invariant. */
        assert(slot == lv->forming.open_ts);
        s_merge(self, &lv->forming, c);
        return;
    }
    lv->forming = *c;
    lv->forming.open_ts = slot;
    lv->forming.tf_s = lv->tf_s;
    lv->forming.closed = false;
    lv->has = true;
}

static void s_update_next_close(s_state_t *st)
{
    st->next_close = INT64_MAX;
    for (uint32_t i = 0; i < st->nlevels; i++) {
        const s_level_t *lv = &st->lv[i];
        tt_ns_t end = lv->forming.open_ts + lv->tf_ns;
        if (lv->has && end < st->next_close)
            st->next_close = end;
    }
}

/* Moves time to NOW (>= st->now) and closes every candle ending <= NOW:
   the 1 s candle first (feeding the levels above), then each level. */
static void s_close_until(tt_candles_t *self, tt_ns_t now, s_out_t *o)
{
    s_state_t *st = &self->st;
    if (now > st->now)
        st->now = now;
    if (now < st->next_close)
        return;
    s_level_t *lv0 = &st->lv[0];
    if (lv0->has && now >= lv0->forming.open_ts + lv0->tf_ns) {
        s_emit(self, 0, &lv0->forming, o);
        for (uint32_t i = 1; i < st->nlevels; i++)
            s_absorb(self, i, &lv0->forming);
        lv0->has = false;
    }
    for (uint32_t i = 1; i < st->nlevels; i++) {
        s_level_t *lv = &st->lv[i];
        if (lv->has && now >= lv->forming.open_ts + lv->tf_ns) {
            s_emit(self, i, &lv->forming, o);
            lv->has = false;
        }
    }
    s_update_next_close(st);
}

static bool s_is_duplicate(const s_state_t *st, uint64_t id)
{
    if (id > st->dup_max)
        return false; /* monotonic venues never scan */
    bool found = false;
    for (int i = 0; i < TT_CANDLES_DUP_WINDOW; i++)
        found |= st->dup_ids[i] == id;
    return found;
}

static void s_remember(s_state_t *st, uint64_t id)
{
    st->dup_ids[st->dup_head] = id;
    st->dup_head = (st->dup_head + 1) % TT_CANDLES_DUP_WINDOW;
    if (id > st->dup_max)
        st->dup_max = id;
}

static void s_start_second(s_state_t *st, const tt_tick_t *t)
{
    s_level_t *lv0 = &st->lv[0];
    tt_candle_t *c = &lv0->forming;
    c->open_ts = t->ts - t->ts % TT_NS_PER_SEC;
    c->tf_s = 1;
    c->open = c->high = c->low = c->close = t->price;
    c->volume = t->size;
    c->trades = 1;
    c->closed = false;
    lv0->has = true;
    st->first_ts = st->last_ts = t->ts;
    if (c->open_ts + TT_NS_PER_SEC < st->next_close)
        st->next_close = c->open_ts + TT_NS_PER_SEC;
}

static void s_add_to_second(tt_candles_t *self, const tt_tick_t *t)
{
    s_state_t *st = &self->st;
    tt_candle_t *c = &st->lv[0].forming;
    if (t->price > c->high)
        c->high = t->price;
    if (t->price < c->low)
        c->low = t->price;
    if (t->ts < st->first_ts) {
        st->first_ts = t->ts;
        c->open = t->price;
    }
    if (t->ts >= st->last_ts) {
        st->last_ts = t->ts;
        c->close = t->price;
    }
    s_add_sat(self, &c->volume, t->size);
    s_add_trades(self, &c->trades, 1);
}

int tt_candles_tick(tt_candles_t *self, const tt_tick_t *tick, tt_candle_t *out,
                    size_t cap)
{
    assert(self && tick && out && cap >= TT_CANDLES_MAX_OUT);
    s_state_t *st = &self->st;
    if (tick->size <= 0 || tick->ts < 0 || tick->ts > TT_CANDLES_MAX_TS) {
        st->stats.invalid++;
        return -1;
    }
    if (tick->trade_id != 0 && s_is_duplicate(st, tick->trade_id)) {
        st->stats.duplicates++;
        return 0;
    }
    if (tick->ts < st->now - st->now % TT_NS_PER_SEC) {
        st->stats.late++;
        return 0;
    }
    s_out_t o = {out, 0, cap};
    if (tick->ts > st->now)
        s_close_until(self, tick->ts, &o);
    if (tick->trade_id != 0)
        s_remember(st, tick->trade_id);
    if (tick->ts >= st->data_end)
        st->data_end = tick->ts + 1;
    if (st->lv[0].has)
        s_add_to_second(self, tick);
    else
        s_start_second(st, tick);
    st->stats.ticks++;
    return (int)o.n;
}

int tt_candles_advance(tt_candles_t *self, tt_ns_t now, tt_candle_t *out,
                       size_t cap)
{
    assert(self && out && cap >= TT_CANDLES_MAX_OUT);
    s_out_t o = {out, 0, cap};
    if (now > self->st.now)
        s_close_until(self, now, &o);
    return (int)o.n;
}

static bool s_bar_valid(const tt_candle_t *b)
{
    if (b->tf_s < 1 || b->tf_s > TT_CANDLES_MAX_TF_S || b->open_ts < 0 ||
        b->open_ts > TT_CANDLES_MAX_TS)
        return false;
    if (b->open_ts % (b->tf_s * TT_NS_PER_SEC) != 0 || b->volume < 0)
        return false;
    return b->low <= b->open && b->low <= b->close && b->high >= b->open &&
           b->high >= b->close;
}

/* Whether some level is the bar's timeframe or a multiple of it. */
static bool s_bar_used(const s_state_t *st, int32_t tf_s)
{
    for (uint32_t i = 0; i < st->nlevels; i++)
        if (st->lv[i].tf_s % tf_s == 0)
            return true;
    return false;
}

/* A bar is accepted only when no data at or after its start was taken:
   whichever of trades and bars reaches the builder first for an interval
   wins it, and nothing is counted twice. A live venue sends its bar after
   the interval's end, when the data actor's timer has already moved time
   past it; such a bar still fills an interval no trade reached (its own
   timeframe had no candle there, see tt_candles_bar). */
static int s_bar_check(s_state_t *st, const tt_candle_t *bar)
{
    if (!s_bar_valid(bar)) {
        st->stats.bars_invalid++;
        return -1;
    }
    if (bar->volume == 0) {
        st->stats.bars_empty++;
        return 0;
    }
    if (!s_bar_used(st, bar->tf_s)) {
        st->stats.bars_unused++;
        return 0;
    }
    if (bar->open_ts < st->data_end) {
        st->stats.bars_late++;
        return 0;
    }
    return 1;
}

/* Whether LEVEL's candle containing the bar that starts at OPEN_TS is
   still to close: a multiple whose interval time has passed was emitted
   (or had nothing) and cannot take the bar any more. */
static bool s_level_open(const s_state_t *st, uint32_t level, tt_ns_t open_ts)
{
    const s_level_t *lv = &st->lv[level];
    return open_ts - open_ts % lv->tf_ns + lv->tf_ns > st->now;
}

int tt_candles_bar(tt_candles_t *self, const tt_candle_t *bar, tt_candle_t *out,
                   size_t cap)
{
    assert(self && bar && out && cap >= TT_CANDLES_MAX_OUT);
    s_state_t *st = &self->st;
    int rc = s_bar_check(st, bar);
    if (rc <= 0)
        return rc;
    s_out_t o = {out, 0, cap};
    s_close_until(self, bar->open_ts, &o);
    for (uint32_t i = 0; i < st->nlevels; i++) {
        if (st->lv[i].tf_s == bar->tf_s)
            s_emit(self, i, bar, &o);
        else if (st->lv[i].tf_s % bar->tf_s == 0 &&
                 s_level_open(st, i, bar->open_ts))
            s_absorb(self, i, bar);
    }
    tt_ns_t end = bar->open_ts + bar->tf_s * TT_NS_PER_SEC;
    s_update_next_close(st);
    s_close_until(self, end, &o);
    st->data_end = end;
    st->stats.bars++;
    return (int)o.n;
}

static int s_level_of(const s_state_t *st, int32_t tf_s)
{
    for (uint32_t i = 0; i < st->nlevels; i++)
        if (st->lv[i].tf_s == tf_s)
            return (int)i;
    return -1;
}

int tt_candles_forming(const tt_candles_t *self, int32_t tf_s, tt_candle_t *out)
{
    assert(self && out);
    const s_state_t *st = &self->st;
    int level = s_level_of(st, tf_s);
    if (level < 0)
        return -1;
    const s_level_t *lv = &st->lv[level];
    const s_level_t *lv0 = &st->lv[0];
    if (!lv->has && !lv0->has)
        return -1;
    tt_candle_t c = lv->has ? lv->forming : lv0->forming;
    c.open_ts = c.open_ts - c.open_ts % lv->tf_ns;
    c.tf_s = lv->tf_s;
    if (level > 0 && lv->has && lv0->has) {
        /* A const merge: saturation here is not counted (nothing emitted). */
        const tt_candle_t *s = &lv0->forming;
        c.high = s->high > c.high ? s->high : c.high;
        c.low = s->low < c.low ? s->low : c.low;
        c.close = s->close;
        c.volume =
            s->volume > INT64_MAX - c.volume ? INT64_MAX : c.volume + s->volume;
        c.trades = s->trades > UINT32_MAX - c.trades ? UINT32_MAX
                                                     : c.trades + s->trades;
    }
    c.closed = false;
    *out = c;
    return 0;
}

int tt_candles_history(const tt_candles_t *self, int32_t tf_s, uint32_t index,
                       tt_candle_t *out)
{
    assert(self && out);
    const s_state_t *st = &self->st;
    int level = s_level_of(st, tf_s);
    if (level < 0 || index >= st->lv[level].count)
        return -1;
    uint32_t cap = st->cfg.history;
    uint32_t pos = (st->lv[level].head + cap - 1 - index) % cap;
    *out = self->hist[(size_t)level * cap + pos];
    return 0;
}

uint32_t tt_candles_history_count(const tt_candles_t *self, int32_t tf_s)
{
    int level = s_level_of(&self->st, tf_s);
    return level < 0 ? 0 : self->st.lv[level].count;
}

tt_ns_t tt_candles_now(const tt_candles_t *self)
{
    return self->st.now;
}

tt_candles_stats_t tt_candles_stats(const tt_candles_t *self)
{
    return self->st.stats;
}

size_t tt_candles_snapshot_size(const tt_candles_t *self)
{
    return sizeof(s_state_t) + (size_t)self->st.nlevels * self->st.cfg.history *
                                   sizeof(tt_candle_t);
}

size_t tt_candles_snapshot(const tt_candles_t *self, void *buf, size_t size)
{
    size_t need = tt_candles_snapshot_size(self);
    if (!buf || size < need)
        return 0;
    memcpy(buf, &self->st, sizeof(s_state_t));
    memcpy((char *)buf + sizeof(s_state_t), self->hist,
           need - sizeof(s_state_t));
    return need;
}

int tt_candles_restore(tt_candles_t *self, const void *buf, size_t size)
{
    assert(self);
    s_state_t st;
    if (!buf || size != tt_candles_snapshot_size(self))
        return -1;
    memcpy(&st, buf, sizeof st);
    if (st.magic != S_MAGIC || st.version != S_VERSION ||
        st.nlevels != self->st.nlevels ||
        memcmp(&st.cfg, &self->st.cfg, sizeof st.cfg) != 0)
        return -1;
    self->st = st;
    memcpy(self->hist, (const char *)buf + sizeof(s_state_t),
           size - sizeof(s_state_t));
    return 0;
}
