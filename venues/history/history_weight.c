/*  venues/history/history_weight.c: the history fetch's budget on
    Binance's request weight shared per API host (history.h,
    tt_history_bn_budget; venues/binance/bn_ipweight.h). Called on the
    fetch's thread; the view itself is thread-safe. */
#include "venues/binance/bn_ipweight.h"
#include "venues/history/history.h"

static int64_t s_now_ms(const tt_history_bn_weight_t *w)
{
    return w->now(w->now_arg) / TT_NS_PER_MS;
}

static int64_t s_take(void *arg, int64_t weight)
{
    tt_history_bn_weight_t *w = arg;
    return tt_bn_ipweight_take(w->view, weight, TT_BN_HISTORY_WEIGHT_PCT,
                               s_now_ms(w)) *
           TT_NS_PER_MS;
}

static void s_reply(void *arg, int64_t weight, const tt_http_reply_t *r)
{
    tt_history_bn_weight_t *w = arg;
    int64_t now_ms = s_now_ms(w);
    tt_bn_ipweight_seen(w->view, weight, r->status ? r->used_weight : -1,
                        now_ms);
    if (r->status < 400 || r->status >= 500)
        return;
    tt_bn_reject_t e;
    tt_bn_error_parse((int)r->status, r->body ? r->body : "", r->len, &e);
    if (e.cls == TT_BN_REJ_RATE_LIMIT)
        tt_bn_ipweight_refused(w->view, &e, r->retry_after, now_ms);
}

tt_history_budget_t tt_history_bn_budget(tt_history_bn_weight_t *state)
{
    return (tt_history_budget_t){
        .take = s_take, .reply = s_reply, .arg = state};
}
