/*  indicators/indicator.c: the generic indicator wrapper (spec -> one
    kind, single update/value API, snapshots). Pure logic owned by a
    symbol's indicator actor, run on that actor's worker thread.

    Layout: a header (magic, normalised spec, counters), a union of the
    kinds' state structs, then the double workspace the windows use, all
    in one allocation. Nothing in it is a pointer, so snapshot and restore
    are byte copies guarded by the header. */
#include "indicators/indicator.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAGIC 0x746b4931u /* "tkI1" */
#define S_VERSION 1u

typedef union {
    tt_sma_t sma;
    tt_ema_t ema;
    tt_rsi_t rsi;
    tt_macd_t macd;
    tt_bbands_t bbands;
    tt_atr_t atr;
    tt_stoch_t stoch;
    tt_vwap_t vwap;
    tt_donchian_t donchian;
} s_state_t;

struct tt_indicator_t {
    uint32_t magic;
    uint32_t version;
    tt_ind_spec_t spec; /* normalised: padding zeroed */
    uint32_t nws;       /* doubles in ws */
    uint32_t warmup;
    uint64_t updates;
    s_state_t u;
    double ws[]; /* window storage */
};

static const char *const s_names[TT_IND_KIND_COUNT] = {
    "sma", "ema", "rsi", "macd", "bbands", "atr", "stoch", "vwap", "donchian"};

const char *tt_ind_kind_name(tt_ind_kind_t kind)
{
    return (unsigned)kind < TT_IND_KIND_COUNT ? s_names[kind] : NULL;
}

int tt_ind_kind_from_name(const char *name, tt_ind_kind_t *out)
{
    for (int i = 0; name && i < TT_IND_KIND_COUNT; i++) {
        if (strcmp(name, s_names[i]) == 0) {
            *out = (tt_ind_kind_t)i;
            return 0;
        }
    }
    return -1;
}

/* Initialises the kind in U with its workspace at offset 0. Returns NULL
   or the kind's error. Also used for validation (no workspace needed). */
static const char *s_init(s_state_t *u, const tt_ind_spec_t *sp)
{
    switch (sp->kind) {
    case TT_IND_SMA:
        return tt_sma_init(&u->sma, sp->p1, 0);
    case TT_IND_EMA:
        return tt_ema_init(&u->ema, sp->p1, 0);
    case TT_IND_RSI:
        return tt_rsi_init(&u->rsi, sp->p1);
    case TT_IND_MACD:
        return tt_macd_init(&u->macd, sp->p1, sp->p2, sp->p3);
    case TT_IND_BBANDS:
        return tt_bbands_init(&u->bbands, sp->p1, sp->k, 0);
    case TT_IND_ATR:
        return tt_atr_init(&u->atr, sp->p1);
    case TT_IND_STOCH:
        return tt_stoch_init(&u->stoch, sp->p1, sp->p2, sp->p3, 0);
    case TT_IND_VWAP:
        return tt_vwap_init(&u->vwap, sp->p1, sp->p2);
    case TT_IND_DONCHIAN:
        return tt_donchian_init(&u->donchian, sp->p1, 0);
    default:
        return "unknown indicator kind";
    }
}

int tt_ind_spec_validate(const tt_ind_spec_t *spec, char *err, size_t errlen)
{
    assert(spec);
    s_state_t u;
    const char *msg = s_init(&u, spec);
    if (!msg && (spec->tf_s < 1 || spec->tf_s > 31 * 86400))
        msg = "timeframe must be 1..2678400 seconds";
    if (!msg)
        return 0;
    if (err && errlen) {
        const char *name = tt_ind_kind_name(spec->kind);
        snprintf(err, errlen, "indicator %s(%d,%d,%d,k=%g): %s",
                 name ? name : "?", spec->p1, spec->p2, spec->p3, spec->k, msg);
    }
    return -1;
}

uint32_t tt_ind_spec_warmup(const tt_ind_spec_t *sp)
{
    switch (sp->kind) {
    case TT_IND_SMA:
    case TT_IND_EMA:
    case TT_IND_BBANDS:
    case TT_IND_DONCHIAN:
        return (uint32_t)sp->p1 - 1;
    case TT_IND_RSI:
    case TT_IND_ATR:
        return (uint32_t)sp->p1;
    case TT_IND_MACD:
        return (uint32_t)(sp->p2 - 1 + sp->p3 - 1);
    case TT_IND_STOCH:
        return (uint32_t)(sp->p1 - 1 + sp->p2 - 1 + sp->p3 - 1);
    default:
        return 0; /* VWAP: ready from its first candle */
    }
}

static uint32_t s_workspace(const tt_ind_spec_t *sp)
{
    switch (sp->kind) {
    case TT_IND_SMA:
        return tt_sma_ws(sp->p1);
    case TT_IND_BBANDS:
        return tt_bbands_ws(sp->p1);
    case TT_IND_STOCH:
        return tt_stoch_ws(sp->p1, sp->p2, sp->p3);
    case TT_IND_DONCHIAN:
        return tt_donchian_ws(sp->p1);
    default:
        return 0;
    }
}

tt_ind_input_t tt_ind_input_from_candle(const tt_candle_t *c, int px_decimals,
                                        int qty_decimals)
{
    assert(px_decimals >= 0 && px_decimals <= 18);
    assert(qty_decimals >= 0 && qty_decimals <= 18);
    /* Division by an exact power of ten gives the correctly rounded
       double of the decimal value (both operands are exact below 2^53). */
    double px = 1.0, qty = 1.0;
    for (int i = 0; i < px_decimals; i++)
        px *= 10.0;
    for (int i = 0; i < qty_decimals; i++)
        qty *= 10.0;
    return (tt_ind_input_t){.high = (double)c->high / px,
                            .low = (double)c->low / px,
                            .close = (double)c->close / px,
                            .volume = (double)c->volume / qty,
                            .open_ts = c->open_ts};
}

tt_indicator_t *tt_indicator_new(const tt_ind_spec_t *spec, char *err,
                                 size_t errlen)
{
    if (tt_ind_spec_validate(spec, err, errlen) != 0)
        return NULL;
    uint32_t nws = s_workspace(spec);
    tt_indicator_t *self = calloc(1, sizeof *self + nws * sizeof(double));
    if (!self) {
        if (err && errlen)
            snprintf(err, errlen, "indicator: out of memory");
        return NULL;
    }
    self->magic = S_MAGIC;
    self->version = S_VERSION;
    self->spec.kind = spec->kind; /* field by field: padding stays zero */
    self->spec.tf_s = spec->tf_s;
    self->spec.p1 = spec->p1;
    self->spec.p2 = spec->p2;
    self->spec.p3 = spec->p3;
    self->spec.k = spec->k;
    self->nws = nws;
    self->warmup = tt_ind_spec_warmup(spec);
    const char *msg = s_init(&self->u, spec);
    assert(!msg);
    (void)msg;
    return self;
}

void tt_indicator_destroy(tt_indicator_t **self_p)
{
    if (self_p && *self_p) {
        free(*self_p);
        *self_p = NULL;
    }
}

void tt_indicator_update(tt_indicator_t *self, const tt_ind_input_t *in)
{
    s_state_t *u = &self->u;
    switch (self->spec.kind) {
    case TT_IND_SMA:
        tt_sma_update(&u->sma, self->ws, in);
        break;
    case TT_IND_EMA:
        tt_ema_push(&u->ema, in->close);
        break;
    case TT_IND_RSI:
        tt_rsi_update(&u->rsi, in);
        break;
    case TT_IND_MACD:
        tt_macd_update(&u->macd, in);
        break;
    case TT_IND_BBANDS:
        tt_bbands_update(&u->bbands, self->ws, in);
        break;
    case TT_IND_ATR:
        tt_atr_update(&u->atr, in);
        break;
    case TT_IND_STOCH:
        tt_stoch_update(&u->stoch, self->ws, in);
        break;
    case TT_IND_VWAP:
        tt_vwap_update(&u->vwap, in);
        break;
    default:
        tt_donchian_update(&u->donchian, self->ws, in);
        break;
    }
    self->updates++;
}

tt_ind_value_t tt_indicator_value(const tt_indicator_t *self)
{
    const s_state_t *u = &self->u;
    switch (self->spec.kind) {
    case TT_IND_SMA:
        return tt_sma_value(&u->sma);
    case TT_IND_EMA:
        return tt_ema_value(&u->ema);
    case TT_IND_RSI:
        return tt_rsi_value(&u->rsi);
    case TT_IND_MACD:
        return tt_macd_value(&u->macd);
    case TT_IND_BBANDS:
        return tt_bbands_value(&u->bbands);
    case TT_IND_ATR:
        return tt_atr_value(&u->atr);
    case TT_IND_STOCH:
        return tt_stoch_value(&u->stoch);
    case TT_IND_VWAP:
        return tt_vwap_value(&u->vwap);
    default:
        return tt_donchian_value(&u->donchian, self->ws);
    }
}

uint32_t tt_indicator_warmup(const tt_indicator_t *self)
{
    return self->warmup;
}

uint64_t tt_indicator_updates(const tt_indicator_t *self)
{
    return self->updates;
}

const tt_ind_spec_t *tt_indicator_spec(const tt_indicator_t *self)
{
    return &self->spec;
}

size_t tt_indicator_snapshot_size(const tt_indicator_t *self)
{
    return sizeof *self + self->nws * sizeof(double);
}

size_t tt_indicator_snapshot(const tt_indicator_t *self, void *buf, size_t size)
{
    size_t need = tt_indicator_snapshot_size(self);
    if (!buf || size < need)
        return 0;
    memcpy(buf, self, need);
    return need;
}

int tt_indicator_restore(tt_indicator_t *self, const void *buf, size_t size)
{
    tt_indicator_t head;
    if (!buf || size != tt_indicator_snapshot_size(self))
        return -1;
    memcpy(&head, buf, sizeof head);
    /* Same build (magic, version) and same spec: then the layout of the
       union and the workspace is the same too. */
    if (head.magic != S_MAGIC || head.version != S_VERSION ||
        head.nws != self->nws ||
        memcmp(&head.spec, &self->spec, sizeof head.spec) != 0)
        return -1;
    memcpy(self, buf, size);
    return 0;
}
