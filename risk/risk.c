/*  risk/risk.c: entry checks and position sizing (see risk.h). The checks
    are a list of short predicates run in order; the first that refuses
    decides the reason. */
#include "risk/risk.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "orders/money.h"
#include "orders/order.h"

#define S_MINUTE (60 * TT_NS_PER_SEC)

static const char *s_reason_names[TT_RISK_REASONS] = {
    [TT_RISK_OK] = "OK",
    [TT_RISK_PAUSED] = "PAUSED",
    [TT_RISK_STALE_DATA] = "STALE_DATA",
    [TT_RISK_COLD_INDICATORS] = "COLD_INDICATORS",
    [TT_RISK_BREAKER] = "BREAKER",
    [TT_RISK_DAILY_LOSS] = "DAILY_LOSS",
    [TT_RISK_COOLDOWN] = "COOLDOWN",
    [TT_RISK_RATE_LIMIT] = "RATE_LIMIT",
    [TT_RISK_POSITION_OPEN] = "POSITION_OPEN",
    [TT_RISK_BAD_SIGNAL] = "BAD_SIGNAL",
    [TT_RISK_SIZE_ZERO] = "SIZE_ZERO",
    [TT_RISK_MAX_POSITION] = "MAX_POSITION",
    [TT_RISK_MAX_OPEN_POSITIONS] = "MAX_OPEN_POSITIONS",
    [TT_RISK_MAX_EXPOSURE] = "MAX_EXPOSURE",
    [TT_RISK_SESSION_CLOSED] = "SESSION_CLOSED",
    [TT_RISK_UNPROTECTED] = "UNPROTECTED",
};

const char *tt_risk_reason_name(tt_risk_reason_t reason)
{
    return (int)reason >= 0 && reason < TT_RISK_REASONS ? s_reason_names[reason]
                                                        : "INVALID";
}

static int s_err(tt_risk_t *self, const char *text)
{
    snprintf(self->err, sizeof self->err, "%s", text);
    return -1;
}

static int s_check_cfg(tt_risk_t *self, const tt_risk_cfg_t *c)
{
    if (c->sizing < TT_SIZE_FIXED_QTY || c->sizing > TT_SIZE_RISK_PCT)
        return s_err(self, "risk: sizing must be fixed_qty, "
                           "fixed_notional or risk_pct");
    if ((c->sizing == TT_SIZE_FIXED_QTY && c->fixed_qty <= 0) ||
        (c->sizing == TT_SIZE_FIXED_NOTIONAL && c->fixed_notional <= 0) ||
        (c->sizing == TT_SIZE_RISK_PCT &&
         (c->risk_bps <= 0 || c->risk_bps > 10000)))
        return s_err(self, "risk: the chosen sizing needs a positive "
                           "amount (risk_bps 1..10000)");
    if (c->max_pos_qty < 0 || c->max_pos_notional < 0 || c->max_exposure < 0 ||
        c->max_open_positions < 0 || c->max_daily_loss < 0 ||
        c->max_consec_losses < 0 || c->cooldown_ns < 0)
        return s_err(self, "risk: limits must be >= 0 (0 = none)");
    if (c->max_orders_per_min < 0 || c->max_orders_per_min > TT_RISK_RATE_MAX)
        return s_err(self, "risk: max_orders_per_min must be 0..256");
    return 0;
}

int tt_risk_init(tt_risk_t *self, const tt_risk_cfg_t *cfg,
                 const tt_instrument_t *inst)
{
    assert(self);
    memset(self, 0, sizeof *self);
    if (!cfg || !inst)
        return s_err(self, "risk: missing config or instrument");
    if (inst->tick_size <= 0 || inst->lot_size <= 0 || inst->px_decimals < 0 ||
        inst->px_decimals > 9 || inst->qty_decimals < 0 ||
        inst->qty_decimals > 9)
        return s_err(self, "risk: instrument needs tick_size > 0, "
                           "lot_size > 0 and decimals 0..9");
    if (s_check_cfg(self, cfg) != 0)
        return -1;
    self->cfg = *cfg;
    self->inst = *inst;
    return 0;
}

static int s_refuse(tt_risk_t *self, tt_risk_decision_t *out,
                    tt_risk_reason_t reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int s_refuse(tt_risk_t *self, tt_risk_decision_t *out,
                    tt_risk_reason_t reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->text, sizeof out->text, fmt, ap);
    va_end(ap);
    out->reason = reason;
    out->qty = 0;
    self->refusals[reason]++;
    return -1;
}

/* Orders sent within the last minute before NOW. */
static int32_t s_recent_orders(const tt_risk_t *self, tt_ns_t now)
{
    int32_t n = 0;
    for (int32_t i = 0; i < self->sent_n; i++)
        if (self->sent[i] > now - S_MINUTE)
            n++;
    return n;
}

/* Clears an expired timed cooldown; true while cooling down. */
static bool s_cooling(tt_risk_t *self, tt_ns_t now)
{
    if (self->cool_session)
        return true;
    if (self->cool_until == 0)
        return false;
    if (now < self->cool_until)
        return true;
    self->cool_until = 0;
    self->consec_losses = 0;
    return false;
}

/* Gates that depend on state, not on the size. */
static int s_gates(tt_risk_t *self, const tt_portfolio_snap_t *pf,
                   const tt_symbol_view_t *sym, tt_ns_t now,
                   tt_risk_decision_t *out)
{
    const tt_risk_cfg_t *c = &self->cfg;
    if (sym->paused)
        return s_refuse(self, out, TT_RISK_PAUSED, "symbol is paused");
    /* Before everything the operator can lift: the symbol's open
       position has no stop the broker acknowledged (book_guard.c). */
    if (sym->unprotected)
        return s_refuse(self, out, TT_RISK_UNPROTECTED,
                        "the open position has no working stop");
    if (sym->stale)
        return s_refuse(self, out, TT_RISK_STALE_DATA, "market data is stale");
    if (!sym->warm)
        return s_refuse(self, out, TT_RISK_COLD_INDICATORS,
                        "indicators are still warming up");
    if (pf->breaker_tripped)
        return s_refuse(self, out, TT_RISK_BREAKER,
                        "circuit breaker is tripped");
    if (c->max_daily_loss > 0 && pf->realized_today <= -c->max_daily_loss)
        self->halted = true; /* latched until the next session */
    if (self->halted)
        return s_refuse(self, out, TT_RISK_DAILY_LOSS,
                        "daily loss limit %lld reached; entries halted "
                        "until the next session",
                        (long long)c->max_daily_loss);
    if (s_cooling(self, now))
        return s_refuse(self, out, TT_RISK_COOLDOWN,
                        "cooling down after %d consecutive losses",
                        (int)self->consec_losses);
    if (c->max_orders_per_min > 0 &&
        s_recent_orders(self, now) >= c->max_orders_per_min)
        return s_refuse(self, out, TT_RISK_RATE_LIMIT,
                        "%d orders in the last minute",
                        (int)c->max_orders_per_min);
    if (sym->busy)
        return s_refuse(self, out, TT_RISK_POSITION_OPEN,
                        "a position or orders are already open");
    return 0;
}

static int s_check_signal(tt_risk_t *self, const tt_signal_t *sig,
                          tt_risk_decision_t *out)
{
    int dir = sig->kind == TT_SIG_ENTER_LONG ? 1 : -1;
    if (sig->ref_price <= 0)
        return s_refuse(self, out, TT_RISK_BAD_SIGNAL,
                        "entry signal without a reference price");
    if (sig->stop != 0 &&
        (sig->stop < 0 ||
         (dir > 0 ? sig->stop >= sig->ref_price : sig->stop <= sig->ref_price)))
        return s_refuse(self, out, TT_RISK_BAD_SIGNAL,
                        "stop %lld on the wrong side of price %lld",
                        (long long)sig->stop, (long long)sig->ref_price);
    if (self->cfg.sizing == TT_SIZE_RISK_PCT && sig->stop == 0)
        return s_refuse(self, out, TT_RISK_BAD_SIGNAL,
                        "risk_pct sizing needs the signal's stop");
    return 0;
}

/* Raw size by the configured rule, before lot rounding; -1 on overflow. */
static int s_raw_size(const tt_risk_t *self, const tt_signal_t *sig,
                      const tt_portfolio_snap_t *pf, tt_qty_t *qty)
{
    const tt_risk_cfg_t *c = &self->cfg;
    int64_t unit = tt_pow10(self->inst.qty_decimals);
    switch (c->sizing) {
    case TT_SIZE_FIXED_QTY:
        *qty = c->fixed_qty;
        return 0;
    case TT_SIZE_FIXED_NOTIONAL:
        return tt_muldiv(c->fixed_notional, unit, sig->ref_price, TT_RND_FLOOR,
                         qty);
    case TT_SIZE_RISK_PCT: {
        int64_t equity, at_risk;
        int64_t dist = sig->ref_price - sig->stop;
        dist = dist < 0 ? -dist : dist;
        if (tt_rescale(pf->equity, pf->decimals, self->inst.px_decimals,
                       &equity) != 0 ||
            tt_muldiv(equity, c->risk_bps, 10000, TT_RND_FLOOR, &at_risk) != 0)
            return -1;
        return tt_muldiv(at_risk, unit, dist, TT_RND_FLOOR, qty);
    }
    }
    return -1;
}

/* Applies the per-symbol caps to *QTY (clamp or refuse). */
static int s_caps(tt_risk_t *self, const tt_signal_t *sig, tt_qty_t *qty,
                  tt_risk_decision_t *out)
{
    const tt_risk_cfg_t *c = &self->cfg;
    tt_qty_t cap = c->max_pos_qty > 0 ? c->max_pos_qty : INT64_MAX;
    tt_qty_t by_notional;
    if (c->max_pos_notional > 0 &&
        tt_muldiv(c->max_pos_notional, tt_pow10(self->inst.qty_decimals),
                  sig->ref_price, TT_RND_FLOOR, &by_notional) == 0 &&
        by_notional < cap)
        cap = by_notional;
    if (*qty <= cap)
        return 0;
    if (c->reject_over_max)
        return s_refuse(self, out, TT_RISK_MAX_POSITION,
                        "size %lld above the per-symbol maximum %lld",
                        (long long)*qty, (long long)cap);
    *qty = tt_floor_lot(cap, self->inst.lot_size);
    out->clamped = true;
    return 0;
}

static int s_size(tt_risk_t *self, const tt_signal_t *sig,
                  const tt_portfolio_snap_t *pf, tt_risk_decision_t *out)
{
    tt_qty_t qty = 0;
    if (s_raw_size(self, sig, pf, &qty) != 0)
        return s_refuse(self, out, TT_RISK_BAD_SIGNAL,
                        "size out of range for price %lld",
                        (long long)sig->ref_price);
    qty = tt_floor_lot(qty, self->inst.lot_size);
    if (s_caps(self, sig, &qty, out) != 0)
        return -1;
    if (qty <= 0)
        return s_refuse(self, out, TT_RISK_SIZE_ZERO,
                        "size rounds down to zero lots (lot %lld)",
                        (long long)self->inst.lot_size);
    out->qty = qty;
    return 0;
}

static int s_portfolio(tt_risk_t *self, const tt_signal_t *sig,
                       const tt_portfolio_snap_t *pf, tt_risk_decision_t *out)
{
    const tt_risk_cfg_t *c = &self->cfg;
    if (c->max_open_positions > 0 &&
        pf->open_positions >= c->max_open_positions)
        return s_refuse(self, out, TT_RISK_MAX_OPEN_POSITIONS,
                        "%d positions open (max %d)", (int)pf->open_positions,
                        (int)c->max_open_positions);
    if (c->max_exposure == 0)
        return 0;
    int64_t notional, add, total;
    if (tt_notional(sig->ref_price, out->qty, self->inst.qty_decimals,
                    &notional) != 0 ||
        tt_rescale(notional, self->inst.px_decimals, pf->decimals, &add) != 0 ||
        __builtin_add_overflow(pf->exposure, add, &total) ||
        total > c->max_exposure)
        return s_refuse(self, out, TT_RISK_MAX_EXPOSURE,
                        "exposure %lld + %lld above the maximum %lld",
                        (long long)pf->exposure, (long long)add,
                        (long long)c->max_exposure);
    return 0;
}

int tt_risk_check(tt_risk_t *self, const tt_signal_t *sig,
                  const tt_portfolio_snap_t *pf, const tt_symbol_view_t *sym,
                  tt_ns_t now, tt_risk_decision_t *out)
{
    assert(self && out);
    memset(out, 0, sizeof *out);
    if (!sig || !pf || !sym)
        return s_refuse(self, out, TT_RISK_BAD_SIGNAL,
                        "missing signal, portfolio or symbol state");
    if (sig->kind != TT_SIG_ENTER_LONG && sig->kind != TT_SIG_ENTER_SHORT) {
        /* Exits and stop moves reduce risk: never blocked. */
        tt_order_copy_text(out->text, sizeof out->text,
                           "risk-reducing: allowed");
        return 0;
    }
    if (pf->decimals < 0 || pf->decimals > 18)
        return s_refuse(self, out, TT_RISK_BAD_SIGNAL,
                        "portfolio snapshot decimals %d outside 0..18",
                        (int)pf->decimals);
    if (s_gates(self, pf, sym, now, out) != 0 ||
        s_check_signal(self, sig, out) != 0 ||
        s_size(self, sig, pf, out) != 0 || s_portfolio(self, sig, pf, out) != 0)
        return -1;
    /* The size is in OUT->qty: no formatting on the way to an order. */
    tt_order_copy_text(out->text, sizeof out->text,
                       out->clamped ? "approved (clamped)" : "approved");
    return 0;
}

void tt_risk_on_order_sent(tt_risk_t *self, tt_ns_t ts)
{
    assert(self);
    int32_t cap = self->cfg.max_orders_per_min;
    if (cap <= 0)
        return;
    self->sent[self->sent_head] = ts;
    self->sent_head = (self->sent_head + 1) % cap;
    if (self->sent_n < cap)
        self->sent_n++;
}

void tt_risk_on_trade_closed(tt_risk_t *self, int64_t net, tt_ns_t ts)
{
    assert(self);
    if (net >= 0) {
        self->consec_losses = 0;
        return;
    }
    self->consec_losses++;
    int32_t max = self->cfg.max_consec_losses;
    if (max == 0 || self->consec_losses < max)
        return;
    if (self->cfg.cooldown_ns > 0)
        self->cool_until = ts + self->cfg.cooldown_ns;
    else
        self->cool_session = true;
}

void tt_risk_new_session(tt_risk_t *self, uint64_t session_id, tt_ns_t ts)
{
    assert(self);
    (void)ts;
    self->session_id = session_id;
    self->halted = false;
    self->cool_session = false;
    self->cool_until = 0;
    self->consec_losses = 0;
}
