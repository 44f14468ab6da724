/*  actors/exec_portfolio.c: the execution actor's side of the portfolio
    (see exec_portfolio.h). Runs on the symbol's worker. */
#include "actors/exec_portfolio.h"
#include "orders/money.h"
#include "runtime/log.h"
#include "runtime/runtime.h"

#include <stdio.h>
#include <string.h>

void tt_exec_pf_init(tt_exec_pf_t *self, tt_actor_t *actor)
{
    memset(self, 0, sizeof *self);
    self->pf = tt_actor_portfolio(actor);
    self->inst = &tt_actor_symbol(actor)->instrument;
    self->self_id = tt_actor_id(actor);
    self->slot = self->self_id / TT_ROLE_COUNT; /* runtime_actor_id layout */
    if (self->pf && self->slot >= tt_portfolio_slots(self->pf))
        self->pf = NULL;
}

/* Symbol money to account money; saturates rather than fail, so that an
   absurd size is refused by the limit instead of slipping through. */
static int64_t s_account(const tt_exec_pf_t *self, int64_t money)
{
    int64_t out;
    int to = tt_portfolio_cfg(self->pf)->decimals;
    if (tt_rescale(money < 0 ? -money : money, self->inst->px_decimals, to,
                   &out) != 0)
        return INT64_MAX / 4;
    return out;
}

void tt_exec_pf_snap(const tt_exec_pf_t *self, int64_t equity,
                     const tt_position_t *pos, tt_portfolio_snap_t *out)
{
    if (self->pf) {
        tt_portfolio_snap(self->pf, self->slot, out);
        return;
    }
    *out = (tt_portfolio_snap_t){.equity = equity,
                                 .open_positions = pos->qty != 0,
                                 .decimals = self->inst->px_decimals};
}

int tt_exec_pf_reserve(tt_exec_pf_t *self, const tt_signal_t *sig, tt_qty_t qty,
                       tt_ns_t ts, tt_risk_decision_t *out)
{
    if (!self->pf)
        return 0;
    int64_t notional;
    if (tt_notional(sig->ref_price, qty, self->inst->qty_decimals, &notional) !=
        0)
        notional = INT64_MAX / 4;
    return tt_portfolio_reserve(self->pf, self->slot, s_account(self, notional),
                                ts, out);
}

void tt_exec_pf_sync(tt_exec_pf_t *self, const tt_book_t *book)
{
    if (!self->pf)
        return;
    if (!tt_book_busy(book)) {
        tt_portfolio_release(self->pf, self->slot);
        return;
    }
    const tt_order_t *entry = tt_book_bracket_order(book, TT_ROLE_ENTRY);
    bool working = entry && !tt_ord_terminal(entry->state);
    tt_portfolio_update(self->pf, self->slot,
                        s_account(self, tt_book_position(book)->cost), working);
}

void tt_exec_pf_trade_closed(tt_exec_pf_t *self, tt_actor_t *actor,
                             const tt_position_t *pos, tt_ns_t ts)
{
    if (!self->pf)
        return;
    /* After a flip the trip fields describe the new trip: count the
       closed one's net as gross, without fees. */
    int64_t gross = pos->qty == 0 ? pos->trip_realized : 0;
    int64_t fees = pos->qty == 0 ? pos->trip_fees : 0;
    int64_t g = s_account(self, gross), f = s_account(self, fees);
    if (gross < 0)
        g = -g;
    if (tt_portfolio_trade_closed(self->pf, self->slot, g, f, ts))
        tt_warn(tt_actor_path(actor),
                "portfolio daily loss limit reached: new entries halt "
                "until the next session; exits still go out");
}

void tt_exec_breaker_event(tt_evt_breaker_t *ev, bool tripped, uint32_t errors,
                           tt_ns_t ts, const char *reason)
{
    memset(ev, 0, sizeof *ev);
    ev->ts = ts;
    ev->tripped = tripped ? 1 : 0;
    ev->errors = errors;
    snprintf(ev->reason, sizeof ev->reason, "%s", reason);
}

void tt_exec_pf_on_reject(tt_exec_pf_t *self, tt_actor_t *actor,
                          const tt_broker_ev_t *ev)
{
    if (!self->pf || !tt_portfolio_broker_error(self->pf, self->slot, ev->ts))
        return;
    const tt_breaker_cfg_t *b = &tt_portfolio_cfg(self->pf)->breaker;
    char reason[TT_EVT_TEXT_MAX];
    snprintf(reason, sizeof reason,
             "%d order rejections within %lld s; last: %.60s",
             (int)b->max_errors, (long long)(b->window_ns / TT_NS_PER_SEC),
             ev->reason);
    tt_warn(tt_actor_path(actor),
            "circuit breaker tripped (%s): entries halt, exits still go out",
            reason);
    if (!tt_actor_has_bus(actor))
        return;
    tt_evt_breaker_t out;
    tt_exec_breaker_event(&out, true, (uint32_t)b->max_errors, ev->ts, reason);
    tt_actor_send_critical(actor, TT_ACTOR_BUS, TT_EVT_BREAKER, &out,
                           sizeof out);
}

void tt_exec_send_rejection(tt_actor_t *actor, int32_t kind,
                            const tt_risk_decision_t *d, tt_ns_t ts)
{
    tt_debug(tt_actor_path(actor), "signal refused: %s", d->text);
    if (!tt_actor_has_bus(actor))
        return;
    tt_evt_rejection_t ev = {
        .ts = ts, .kind = kind, .reason = (int32_t)d->reason};
    snprintf(ev.text, sizeof ev.text, "%.119s", d->text);
    tt_actor_send(actor, TT_ACTOR_BUS, TT_EVT_REJECTION, &ev, sizeof ev);
}

tt_portfolio_t *tt_exec_portfolio_new(const tt_config_t *cfg, char *err,
                                      size_t err_size)
{
    const tt_config_portfolio_t *in = &cfg->portfolio;
    tt_portfolio_cfg_t pc = {
        .equity = in->equity,
        .decimals = in->decimals,
        .max_exposure = in->max_exposure,
        .max_open_positions = in->max_open_positions,
        .max_daily_loss = in->max_daily_loss,
        .breaker = {.max_errors = in->breaker_max_errors,
                    .window_ns = in->breaker_window_ms * 1000000}};
    tt_portfolio_t *pf = tt_portfolio_new(&pc, cfg->symbol_count,
                                          cfg->venue_count, err, err_size);
    for (size_t i = 0; pf && i < cfg->symbol_count; i++)
        tt_portfolio_slot_set(pf, i, cfg->symbols[i].name,
                              cfg->symbols[i].venue);
    return pf;
}
