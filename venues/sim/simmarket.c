/*  venues/sim/simmarket.c: the simulated market (see simmarket.h).

    Each symbol keeps its next candidate event time in a binary min-heap
    keyed by (time, index). Popping the heap yields ticks in event-time
    order; a candidate that falls in closed market time is not a tick, it
    just moves the symbol's clock on. All per-symbol randomness comes from
    that symbol's own generator, drawn in a fixed order per event, so the
    stream of one symbol is a function of (seed, name, model, instrument,
    start) only. Floating point is confined to the model; what leaves this
    file is scaled int64. */
#include "venues/sim/simmarket.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "venues/sim/simrng.h"

/* Prices are held below this many scaled units so that every conversion
   to int64 stays exact and far from overflow. */
#define S_PX_CEILING 1e15
#define S_QTY_CEILING 1e15

typedef struct {
    char name[TT_SIM_NAME_MAX];
    tt_instrument_t instrument;
    tt_sim_model_t model;
    tt_simrng_t rng;
    double log_mid;     /* log of the mid price in scaled units */
    double log_floor;   /* log of one tick: the mid never goes below */
    double log_ceiling; /* log of S_PX_CEILING */
    double mean_size;   /* mean trade size in scaled units */
    double pending_s;   /* open time since the last tick, seconds */
    double jump_wait_s; /* open time left until the next jump, seconds */
    tt_ns_t cand;       /* next candidate event time */
    uint64_t trade_id;  /* last trade id issued */
    uint64_t jumps;     /* jumps applied */
} s_symbol_t;

struct tt_simmarket_t {
    tt_sim_params_t params;
    tt_ns_t clock; /* new symbols start here */
    s_symbol_t *symbols;
    uint32_t *heap; /* symbol indices, min-heap on (cand, index) */
    size_t count;
    size_t capacity;
};

void tt_sim_params_default(tt_sim_params_t *params)
{
    memset(params, 0, sizeof *params);
    params->seed = 1;
    params->start_price = 100.0;
    params->model.tick_rate_hz = 2.0;
    params->model.drift = 0.0;
    params->model.volatility = 0.5;
    params->model.spread_bps = 2.0;
    params->model.jump_rate_per_hour = 0.5;
    params->model.jump_bps = 30.0;
    params->model.mean_size = 1.0;
    params->model.size_sigma = 0.8;
    params->model.year_seconds = 31557600.0; /* 365.25 days */
}

const char *tt_sim_model_check(const tt_sim_model_t *m)
{
    if (!(m->tick_rate_hz >= 1e-6 && m->tick_rate_hz <= 1e6))
        return "tick_rate_hz must be between 0.000001 and 1000000";
    if (!(fabs(m->drift) <= 100.0))
        return "drift must be between -100 and 100";
    if (!(m->volatility >= 0.0 && m->volatility <= 100.0))
        return "volatility must be between 0 and 100";
    if (!(m->spread_bps >= 0.0 && m->spread_bps <= 5000.0))
        return "spread_bps must be between 0 and 5000";
    if (!(m->jump_rate_per_hour >= 0.0 && m->jump_rate_per_hour <= 1e6))
        return "jump_rate_per_hour must be between 0 and 1000000";
    if (!(m->jump_bps >= 0.0 && m->jump_bps <= 5000.0))
        return "jump_bps must be between 0 and 5000";
    if (!(m->mean_size > 0.0 && m->mean_size <= 1e9))
        return "mean_size must be > 0 and <= 1000000000";
    if (!(m->size_sigma >= 0.0 && m->size_sigma <= 5.0))
        return "size_sigma must be between 0 and 5";
    if (!(m->year_seconds >= 1.0 && m->year_seconds <= 1e9))
        return "year_seconds must be between 1 and 1000000000";
    return NULL;
}

static bool s_params_valid(const tt_sim_params_t *p)
{
    return tt_sim_model_check(&p->model) == NULL && p->start_price > 0.0 &&
           p->start_price <= 1e12 && isfinite(p->start_price);
}

tt_simmarket_t *tt_simmarket_new(const tt_sim_params_t *params, tt_ns_t start)
{
    if (!params || !s_params_valid(params))
        return NULL;
    tt_simmarket_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->params = *params;
    self->clock = start;
    return self;
}

void tt_simmarket_destroy(tt_simmarket_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tt_simmarket_t *self = *self_p;
    free(self->symbols);
    free(self->heap);
    free(self);
    *self_p = NULL;
}

/* ---- heap on (cand, index) ---------------------------------------------- */

static bool s_before(const tt_simmarket_t *self, uint32_t a, uint32_t b)
{
    tt_ns_t ta = self->symbols[a].cand, tb = self->symbols[b].cand;
    return ta < tb || (ta == tb && a < b);
}

static void s_sift_up(tt_simmarket_t *self, size_t pos)
{
    uint32_t *h = self->heap;
    while (pos > 0) {
        size_t parent = (pos - 1) / 2;
        if (!s_before(self, h[pos], h[parent]))
            break;
        uint32_t tmp = h[pos];
        h[pos] = h[parent];
        h[parent] = tmp;
        pos = parent;
    }
}

static void s_sift_down(tt_simmarket_t *self, size_t pos)
{
    uint32_t *h = self->heap;
    for (;;) {
        size_t best = pos, l = 2 * pos + 1, r = l + 1;
        if (l < self->count && s_before(self, h[l], h[best]))
            best = l;
        if (r < self->count && s_before(self, h[r], h[best]))
            best = r;
        if (best == pos)
            return;
        uint32_t tmp = h[pos];
        h[pos] = h[best];
        h[best] = tmp;
        pos = best;
    }
}

/* ---- one symbol's model ------------------------------------------------- */

/* Draws the next candidate event time after T (exponential inter-arrival,
   at least 1 ns so a symbol's times are strictly increasing). */
static void s_draw_arrival(s_symbol_t *sym, tt_ns_t t)
{
    double dt_s = tt_simrng_exponential(&sym->rng) / sym->model.tick_rate_hz;
    double dt_ns = nearbyint(dt_s * 1e9);
    int64_t step = dt_ns < 1.0 ? 1 : (int64_t)dt_ns;
    sym->cand = t + step;
    sym->pending_s += (double)step * 1e-9;
}

/* Applies the jumps whose time came during the last PENDING seconds of
   open time: a Poisson clock of its own, with Laplace-distributed sizes
   (random sign, exponential magnitude with mean jump_bps). */
static void s_apply_jumps(s_symbol_t *sym, double pending)
{
    if (sym->model.jump_rate_per_hour <= 0.0)
        return;
    double mean_wait = 3600.0 / sym->model.jump_rate_per_hour;
    sym->jump_wait_s -= pending;
    while (sym->jump_wait_s <= 0.0) {
        double size =
            tt_simrng_exponential(&sym->rng) * sym->model.jump_bps * 1e-4;
        double sign = tt_simrng_uniform(&sym->rng) < 0.5 ? -1.0 : 1.0;
        sym->log_mid += sign * size;
        sym->jumps++;
        sym->jump_wait_s += tt_simrng_exponential(&sym->rng) * mean_wait;
    }
}

/* Advances the log mid by the diffusion over PENDING seconds, then jumps.
   The normal is drawn even when volatility is zero so that the rest of
   the stream does not depend on whether the diffusion is switched on. */
static void s_move_mid(s_symbol_t *sym, double pending)
{
    const tt_sim_model_t *m = &sym->model;
    double years = pending / m->year_seconds;
    double z = tt_simrng_normal(&sym->rng);
    double sigma = m->volatility;
    sym->log_mid +=
        (m->drift - 0.5 * sigma * sigma) * years + sigma * sqrt(years) * z;
    s_apply_jumps(sym, pending);
    if (sym->log_mid < sym->log_floor)
        sym->log_mid = sym->log_floor;
    if (sym->log_mid > sym->log_ceiling)
        sym->log_mid = sym->log_ceiling;
}

/* The quote around the mid, on the tick grid: the bid rounds down and the
   ask rounds up, so the spread is never narrower than asked; a zero spread
   quotes the mid rounded to the nearest tick on both sides. */
static void s_quote(const s_symbol_t *sym, tt_px_t *bid, tt_px_t *ask)
{
    double tick = (double)sym->instrument.tick_size;
    double mid = exp(sym->log_mid);
    double half = mid * sym->model.spread_bps * 0.5e-4;
    tt_px_t ts = sym->instrument.tick_size;
    if (half <= 0.0) {
        *bid = *ask = (tt_px_t)nearbyint(mid / tick) * ts;
    } else {
        *bid = (tt_px_t)floor((mid - half) / tick) * ts;
        *ask = (tt_px_t)ceil((mid + half) / tick) * ts;
    }
    if (*bid < ts)
        *bid = ts;
    if (*ask < *bid)
        *ask = *bid;
    if (half > 0.0 && *ask == *bid)
        *ask = *bid + ts;
}

/* Log-normal size with mean mean_size, rounded to whole lots, >= 1 lot. */
static tt_qty_t s_size(s_symbol_t *sym)
{
    double s = sym->model.size_sigma;
    double z = tt_simrng_normal(&sym->rng);
    double size = sym->mean_size * exp(s * z - 0.5 * s * s);
    if (size > S_QTY_CEILING)
        size = S_QTY_CEILING;
    tt_qty_t lot = sym->instrument.lot_size;
    int64_t lots = (int64_t)nearbyint(size / (double)lot);
    return (lots < 1 ? 1 : lots) * lot;
}

/* Turns the symbol's current candidate into a tick and draws the next. */
static void s_emit(s_symbol_t *sym, uint32_t index, tt_sim_tick_t *out)
{
    s_move_mid(sym, sym->pending_s);
    sym->pending_s = 0.0;
    tt_px_t bid, ask;
    s_quote(sym, &bid, &ask);
    int32_t side = tt_simrng_uniform(&sym->rng) < 0.5 ? -1 : 1;
    out->symbol = index;
    out->side = side;
    out->bid = bid;
    out->ask = ask;
    out->tick.ts = sym->cand;
    out->tick.price = side > 0 ? ask : bid;
    out->tick.size = s_size(sym);
    out->tick.trade_id = ++sym->trade_id;
    s_draw_arrival(sym, sym->cand);
}

/* The candidate fell in closed time: the time drawn so far carries no
   diffusion (the walk pauses while closed) and the clock restarts at the
   next open, which the memoryless arrivals make exact. */
static void s_skip_closed(const tt_simmarket_t *self, s_symbol_t *sym)
{
    tt_ns_t t = sym->cand;
    if (self->params.next_open) {
        tt_ns_t open = self->params.next_open(self->params.calendar_arg, t);
        if (open > t)
            t = open;
    }
    sym->pending_s = 0.0;
    s_draw_arrival(sym, t);
}

static bool s_is_open(const tt_simmarket_t *self, tt_ns_t t)
{
    return !self->params.is_open ||
           self->params.is_open(self->params.calendar_arg, t);
}

size_t tt_simmarket_next(tt_simmarket_t *self, tt_ns_t until,
                         tt_sim_tick_t *out, size_t cap)
{
    assert(self);
    size_t n = 0;
    while (n < cap && self->count > 0) {
        uint32_t top = self->heap[0];
        s_symbol_t *sym = &self->symbols[top];
        if (sym->cand > until)
            break;
        if (s_is_open(self, sym->cand)) {
            s_emit(sym, top, &out[n]);
            if (out[n].tick.ts > self->clock)
                self->clock = out[n].tick.ts;
            n++;
        } else {
            s_skip_closed(self, sym);
        }
        s_sift_down(self, 0);
    }
    /* Fully drained up to UNTIL: a symbol added now starts there. */
    if (n < cap && until > self->clock)
        self->clock = until;
    return n;
}

/* ---- symbols ------------------------------------------------------------- */

static bool s_instrument_valid(const tt_instrument_t *in)
{
    return in && in->px_decimals >= 0 && in->px_decimals <= 9 &&
           in->qty_decimals >= 0 && in->qty_decimals <= 9 &&
           in->tick_size > 0 && in->lot_size > 0 &&
           (double)in->tick_size < S_PX_CEILING;
}

static int s_reserve(tt_simmarket_t *self)
{
    if (self->count < self->capacity)
        return 0;
    size_t cap = self->capacity ? self->capacity * 2 : 8;
    if (cap > UINT32_MAX)
        return -1;
    s_symbol_t *symbols = realloc(self->symbols, cap * sizeof *symbols);
    if (!symbols)
        return -1;
    self->symbols = symbols;
    uint32_t *heap = realloc(self->heap, cap * sizeof *heap);
    if (!heap)
        return -1;
    self->heap = heap;
    self->capacity = cap;
    return 0;
}

static double s_pow10(int n)
{
    double p = 1.0;
    while (n-- > 0)
        p *= 10.0;
    return p;
}

/* Scaled start price: the caller's, or the default converted at this
   instrument's scale; either way on the tick grid and at least one tick. */
static double s_start_mid(const tt_simmarket_t *self, const tt_instrument_t *in,
                          tt_px_t start)
{
    double mid = start > 0
                     ? (double)start
                     : self->params.start_price * s_pow10(in->px_decimals);
    double tick = (double)in->tick_size;
    mid = nearbyint(mid / tick) * tick;
    if (mid < tick)
        mid = tick;
    if (mid > S_PX_CEILING)
        mid = S_PX_CEILING;
    return mid;
}

static void s_symbol_init(tt_simmarket_t *self, s_symbol_t *sym,
                          const char *name, const tt_instrument_t *in,
                          tt_px_t start, const tt_sim_model_t *model)
{
    memset(sym, 0, sizeof *sym);
    strcpy(sym->name, name);
    sym->instrument = *in;
    sym->model = *model;
    tt_simrng_seed(&sym->rng, tt_simrng_stream_seed(self->params.seed, name));
    sym->log_mid = log(s_start_mid(self, in, start));
    sym->log_floor = log((double)in->tick_size);
    sym->log_ceiling = log(S_PX_CEILING);
    sym->mean_size = model->mean_size * s_pow10(in->qty_decimals);
    sym->jump_wait_s = INFINITY;
    if (model->jump_rate_per_hour > 0.0)
        sym->jump_wait_s = tt_simrng_exponential(&sym->rng) * 3600.0 /
                           model->jump_rate_per_hour;
    s_draw_arrival(sym, self->clock);
}

int tt_simmarket_add_model(tt_simmarket_t *self, const char *name,
                           const tt_instrument_t *instrument,
                           tt_px_t start_price, const tt_sim_model_t *model)
{
    assert(self);
    if (!name || !*name || strlen(name) >= TT_SIM_NAME_MAX ||
        tt_simmarket_find(self, name) >= 0)
        return -1;
    if (!s_instrument_valid(instrument) || !model ||
        tt_sim_model_check(model) != NULL)
        return -1;
    if (s_reserve(self) != 0)
        return -1;
    uint32_t index = (uint32_t)self->count;
    s_symbol_init(self, &self->symbols[index], name, instrument, start_price,
                  model);
    self->heap[self->count++] = index;
    s_sift_up(self, self->count - 1);
    return (int)index;
}

int tt_simmarket_add(tt_simmarket_t *self, const char *name,
                     const tt_instrument_t *instrument, tt_px_t start_price)
{
    assert(self);
    return tt_simmarket_add_model(self, name, instrument, start_price,
                                  &self->params.model);
}

size_t tt_simmarket_symbol_count(const tt_simmarket_t *self)
{
    return self->count;
}

const char *tt_simmarket_symbol_name(const tt_simmarket_t *self, size_t index)
{
    return index < self->count ? self->symbols[index].name : NULL;
}

int tt_simmarket_find(const tt_simmarket_t *self, const char *name)
{
    /* Linear: called when symbols are added, never per tick. */
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->symbols[i].name, name) == 0)
            return (int)i;
    return -1;
}

uint64_t tt_simmarket_jumps(const tt_simmarket_t *self, size_t index)
{
    return index < self->count ? self->symbols[index].jumps : 0;
}
