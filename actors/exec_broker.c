/*  actors/exec_broker.c: see exec_broker.h. */
#include "actors/exec_broker.h"
#include "actors/broker_venue.h"

#include <string.h>

bool tt_exec_broker_route(tt_actor_t *actor, uint32_t *gateway)
{
    const tt_symbol_cfg_t *sym = tt_actor_symbol(actor);
    const tt_config_t *cfg = tt_actor_config(actor);
    /* A backtest replays the venue's data against the paper broker: its
       orders never leave the process. */
    if (!sym || tt_actor_replaying(actor) ||
        !tt_broker_venue_wanted(cfg, sym->venue))
        return false;
    *gateway = TT_ACTOR_BROKER(sym->venue);
    return true;
}

void tt_exec_broker_send(tt_actor_t *actor, uint32_t gateway,
                         const tt_intent_t *it)
{
    tt_actor_send_critical(actor, gateway, TT_MSG_BROKER_INTENT, it,
                           sizeof *it);
}

int tt_exec_broker_check(const tt_broker_ev_t *ev)
{
    if (ev->kind < TT_EV_ACCEPTED || ev->kind > TT_EV_RECONCILED)
        return -1;
    if (!memchr(ev->coid, '\0', sizeof ev->coid) ||
        !memchr(ev->fill_id, '\0', sizeof ev->fill_id) ||
        !memchr(ev->reason, '\0', sizeof ev->reason) ||
        !memchr(ev->commission_asset, '\0', sizeof ev->commission_asset))
        return -1;
    if (ev->commission_decimals < 0 || ev->commission_decimals > 18 ||
        ev->retry_ms < TT_EV_RETRY_UNNAMED)
        return -1;
    if (ev->kind == TT_EV_FILL && (ev->qty <= 0 || ev->px <= 0 ||
                                   ev->fee_qty < 0 || ev->fee_qty >= ev->qty))
        return -1;
    return 0;
}
