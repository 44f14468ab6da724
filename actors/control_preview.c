/*  actors/control_preview.c: `ticktree preview SYMBOL [--tf N]` on the
    control socket. Runs on the root thread, beside actors/control.c.

    The request goes to the symbol's data actor, which takes the forming
    candle without changing its builder and hands it to the indicator
    actor, which computes the values on copies and answers the root. The
    control socket is a REP: its reply must go out before it reads the
    next request, so the root stops reading it until the answer arrives
    or S_TIMEOUT_MS passes (then the client gets an error). Other
    clients' requests wait in the socket meanwhile; the rest of the root
    (reports, restarts, the watchdog) carries on. */
#include "actors/control.h"
#include "actors/strategy_ctx.h"
#include "indicators/indicator.h"
#include "marketdata/decimal.h"
#include "runtime/log.h"
#include "supervisor/root_internal.h"

#include <stdio.h>
#include <string.h>

#define S_TIMEOUT_MS 1000

int tt_control_preview_start(tt_root_t *self, const Tt__PreviewRequest *req,
                             char *err, size_t size)
{
    tt_symbol_rec_t *sym =
        req && req->symbol ? tt_root_find_symbol(self, req->symbol) : NULL;
    if (!sym) {
        snprintf(err, size, "unknown symbol '%.64s'",
                 req && req->symbol ? req->symbol : "");
        return TT__STATUS__STATUS_UNKNOWN_SYMBOL;
    }
    if (req->tf_s < 0) {
        snprintf(err, size, "tf_s must be 0 (the first timeframe) or more");
        return TT__STATUS__STATUS_BAD_REQUEST;
    }
    if (!tt_state_is_up(sym->actors[TT_ROLE_DATA].life.state) ||
        !tt_state_is_up(sym->actors[TT_ROLE_INDICATOR].life.state)) {
        snprintf(err, size, "%s: its data and indicator actors are not up",
                 sym->name);
        return TT__STATUS__STATUS_BAD_STATE;
    }
    tt_preview_req_t body = {.req_id = ++self->preview_req, .tf_s = req->tf_s};
    tt_sender_send(self->sender, tt_runtime_actor_id(sym->index, TT_ROLE_DATA),
                   TT_ACTOR_ROOT, TT_MSG_PREVIEW_REQ, &body, sizeof body, true);
    self->preview_pending = true;
    self->preview_symbol = sym->index;
    self->preview_deadline_ns = tt_root_now(self) + S_TIMEOUT_MS * TT_NS_PER_MS;
    return TT__STATUS__STATUS_OK;
}

static size_t s_outputs(tt_ind_kind_t kind)
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

static void s_name(const tt_ind_spec_t *s, char *buf, size_t size)
{
    const char *kind = tt_ind_kind_name(s->kind);
    switch (s->kind) {
    case TT_IND_MACD:
    case TT_IND_STOCH:
        snprintf(buf, size, "%s(%d,%d,%d)", kind, s->p1, s->p2, s->p3);
        break;
    case TT_IND_BBANDS:
        snprintf(buf, size, "%s(%d,%g)", kind, s->p1, s->k);
        break;
    default:
        snprintf(buf, size, "%s(%d)", kind, s->p1);
    }
}

/* The reply's storage: everything lives on the stack of one call. */
typedef struct {
    Tt__Preview preview;
    Tt__IndicatorValue values[TT_IND_VALUES_MAX];
    Tt__IndicatorValue *ptrs[TT_IND_VALUES_MAX];
    char names[TT_IND_VALUES_MAX][48];
    double v[TT_IND_VALUES_MAX][TT_IND_MAX_OUTPUTS];
    char px[4][32], volume[32];
} s_out_t;

/* The values with their names: the strategy's specs on the timeframe, in
   declared order, as the indicator actor sent them. */
static void s_values(tt_root_t *self, const tt_symbol_cfg_t *cfg,
                     const tt_preview_t *ans, s_out_t *out)
{
    tt_strategy_t *strategy =
        tt_symbol_strategy_new(self->cfg, cfg, NULL, NULL, NULL);
    const tt_ind_spec_t *specs = NULL;
    size_t count = strategy ? tt_strategy_indicators(strategy, &specs) : 0;
    size_t n = 0;
    for (size_t i = 0; i < count && n < ans->values.count; i++) {
        if (specs[i].tf_s != ans->tf_s)
            continue;
        Tt__IndicatorValue *v = &out->values[n];
        tt__indicator_value__init(v);
        s_name(&specs[i], out->names[n], sizeof out->names[n]);
        v->name = out->names[n];
        v->ready = ans->values.values[n].ready;
        if (v->ready) {
            v->n_v = s_outputs(specs[i].kind);
            memcpy(out->v[n], ans->values.values[n].v, sizeof out->v[n]);
            v->v = out->v[n];
        }
        out->ptrs[n] = v;
        n++;
    }
    tt_strategy_destroy(&strategy);
    out->preview.n_values = n;
    out->preview.values = out->ptrs;
}

static void s_candle(const tt_symbol_cfg_t *cfg, const tt_candle_t *c,
                     s_out_t *out)
{
    const tt_px_t px[4] = {c->open, c->high, c->low, c->close};
    char **fields[4] = {&out->preview.open, &out->preview.high,
                        &out->preview.low, &out->preview.close};
    for (int i = 0; i < 4; i++) {
        tt_decimal_format(px[i], cfg->instrument.px_decimals, out->px[i],
                          sizeof out->px[i]);
        *fields[i] = out->px[i];
    }
    tt_decimal_format(c->volume, cfg->instrument.qty_decimals, out->volume,
                      sizeof out->volume);
    out->preview.volume = out->volume;
    out->preview.open_ts = c->open_ts;
    out->preview.trades = c->trades;
}

void tt_control_preview_answer(tt_root_t *self, const tt_preview_t *ans)
{
    if (!self->preview_pending || ans->req_id != self->preview_req)
        return; /* an answer that came after its deadline */
    self->preview_pending = false;
    const tt_symbol_cfg_t *cfg = &self->cfg->symbols[self->preview_symbol];
    Tt__Reply reply = TT__REPLY__INIT;
    char err[160];
    if (ans->status == TT_PREVIEW_BAD_TF) {
        snprintf(err, sizeof err, "%s has no timeframe of %ds", cfg->name,
                 ans->tf_s);
        reply.status = TT__STATUS__STATUS_BAD_REQUEST;
        reply.error = err;
        tt_warn("control", "request refused: %s", err);
        tt_control_reply(self, &reply);
        return;
    }
    s_out_t out;
    memset(&out, 0, sizeof out);
    tt__preview__init(&out.preview);
    out.preview.symbol = (char *)cfg->name;
    out.preview.tf_s = ans->tf_s;
    out.preview.forming = ans->status == TT_PREVIEW_OK;
    if (out.preview.forming)
        s_candle(cfg, &ans->values.candle, &out);
    s_values(self, cfg, ans, &out);
    reply.preview = &out.preview;
    tt_control_reply(self, &reply);
}

void tt_control_preview_expire(tt_root_t *self)
{
    if (!self->preview_pending || tt_root_now(self) < self->preview_deadline_ns)
        return;
    self->preview_pending = false;
    char err[160];
    snprintf(err, sizeof err, "%s: no preview from its actors within %d ms",
             self->cfg->symbols[self->preview_symbol].name, S_TIMEOUT_MS);
    Tt__Reply reply = TT__REPLY__INIT;
    reply.status = TT__STATUS__STATUS_BAD_STATE;
    reply.error = err;
    tt_warn("control", "request refused: %s", err);
    tt_control_reply(self, &reply);
}
