/*  actors/indicator.c: a symbol's indicator actor. Runs on the symbol's
    worker. It builds the indicators the symbol's strategy declares, as
    one set (indicators/set.h), updates those of a candle's timeframe on
    every closed candle, and sends the candle with their values, in the
    declared order, to the strategy actor.

    Warm-up (actors/warmup.h): with a bus (the service), init restores
    the set from the store, the latest snapshot and the candles stored
    after it, or the last stored candles when there is no usable
    snapshot. How warm the set is goes to the execution actor (which
    trades only when warm) and to the root (health) at start and on each
    candle until warm.

    Snapshots go to the bus after a closed candle of the slowest timeframe
    that has indicators, or after S_SNAPSHOT_EVERY candles of any
    timeframe, but never closer than service.snapshot_every_s of event
    time (60 s by default) to the last one. The slowest timeframe's candle
    is the moment the whole set has moved on; the count bounds what a
    restart replays when the slowest timeframe is long (an hour, a day)
    next to a fast one; the interval bounds the store's growth: a snapshot
    is about 1 KiB, and one per 1-second candle was 1 KiB a second per
    symbol (97 MB of a 140 MB backtest store of 100 symbols).

    Previews (TT_MSG_PREVIEW from the data actor, with the forming
    candle) are answered with values computed on copies: the set's state
    is never changed by a preview. */
#include "actors/strategy_ctx.h"
#include "actors/symbol_actors.h"
#include "actors/warmup.h"
#include "runtime/log.h"

#include <stdlib.h>
#include <string.h>

#define S_SNAPSHOT_EVERY 64 /* candles between snapshots, at most */

typedef struct {
    const tt_symbol_cfg_t *sym;
    tt_indset_t *set;
    uint32_t strategy, execution; /* actor ids */
    bool bus;
    int32_t slowest_tf;      /* with indicators; 0 when none */
    uint32_t since_snapshot; /* candles consumed since the last one */
    int64_t snapshot_ts;     /* event time of the last one; 0 = none */
    int64_t snapshot_every;  /* least event time between two (ns) */
    unsigned char *snap;     /* snapshot bytes */
    size_t snap_size;
    tt_warmth_t warmth; /* as last reported */
    bool reported;
} s_ind_t;

static void s_free(s_ind_t *self)
{
    tt_indset_destroy(&self->set);
    free(self->snap);
    free(self);
}

static int s_build(tt_actor_t *actor, s_ind_t *self,
                   const tt_strategy_t *strategy)
{
    const tt_ind_spec_t *specs;
    size_t count = tt_strategy_indicators(strategy, &specs);
    char err[128];
    self->set =
        tt_indset_new(specs, count, self->sym->instrument.px_decimals,
                      self->sym->instrument.qty_decimals, err, sizeof err);
    if (!self->set) {
        tt_actor_fail(actor, "indicators: %s", err);
        return -1;
    }
    for (size_t t = 0; t < self->sym->timeframe_count; t++) {
        int32_t tf = self->sym->timeframes[t];
        int32_t need = tt_strategy_warmup(strategy, tf);
        if (tt_indset_need(self->set, tf, need > 0 ? (uint32_t)need : 0)) {
            tt_actor_fail(actor, "indicators: too many timeframes");
            return -1;
        }
    }
    for (size_t t = 0; t < tt_indset_tf_count(self->set); t++) {
        int32_t tf = tt_indset_tf_at(self->set, t)->tf_s;
        size_t on = tt_indset_count_on(self->set, tf);
        if (on > TT_IND_VALUES_MAX) {
            tt_actor_fail(actor, "more than %d indicators on %ds",
                          TT_IND_VALUES_MAX, tf);
            return -1;
        }
        if (on && tf > self->slowest_tf)
            self->slowest_tf = tf;
    }
    self->snap_size = tt_indset_snapshot_size(self->set);
    self->snap = malloc(self->snap_size);
    return self->snap ? 0 : -1;
}

/* Tells the execution actor and the root how warm the set is, when that
   changed since the last report. */
static void s_report_warmth(tt_actor_t *actor, s_ind_t *self)
{
    tt_indset_progress_t p = tt_indset_progress(self->set);
    tt_warmth_t w = {
        .warm = p.warm, .have = p.have, .need = p.need, .tf_s = p.tf_s};
    if (self->reported && !memcmp(&w, &self->warmth, sizeof w))
        return;
    self->warmth = w;
    self->reported = true;
    tt_actor_send_critical(actor, self->execution, TT_MSG_WARMTH, &w, sizeof w);
    tt_actor_send_critical(actor, TT_ACTOR_ROOT, TT_REP_WARMUP, &w, sizeof w);
}

static void s_warm_up(tt_actor_t *actor, s_ind_t *self)
{
    const char *path = tt_actor_path(actor);
    tt_warmup_result_t res;
    char err[256];
    if (tt_warmup_from_store(self->set, tt_actor_config(actor)->db_path,
                             self->sym->name, tt_actor_now(actor), &res, err,
                             sizeof err) != 0) {
        /* A store that cannot be read now is no reason to stop the
           symbol: it warms up from the history its feed sends. */
        tt_warn(path, "warm-up from the store failed: %s", err);
    } else if (res.restored) {
        tt_info(path,
                "indicators restored from the snapshot at %lld ms and %llu "
                "candles stored after it",
                (long long)(res.snapshot_ts / TT_NS_PER_MS),
                (unsigned long long)res.replayed);
    } else if (res.replayed) {
        tt_info(path, "%sindicators warmed up from %llu stored candles",
                res.stale_snapshot ? "snapshot of other indicators ignored; "
                                   : "",
                (unsigned long long)res.replayed);
    } else {
        tt_info(path, "no snapshot%s or candles stored for the indicators",
                res.stale_snapshot ? " of these indicators" : "");
    }
    tt_indset_progress_t p = tt_indset_progress(self->set);
    if (!p.warm)
        tt_info(path, "warming up: %u of %u candles of %ds", p.have, p.need,
                p.tf_s);
}

static int s_init(tt_actor_t *actor, void **state_p)
{
    s_ind_t *self = calloc(1, sizeof *self);
    if (!self)
        return -1;
    self->sym = tt_actor_symbol(actor);
    self->strategy = tt_actor_sibling(actor, TT_ROLE_STRATEGY);
    self->execution = tt_actor_sibling(actor, TT_ROLE_EXECUTION);
    self->bus = tt_actor_has_bus(actor);
    self->snapshot_every =
        (int64_t)tt_actor_config(actor)->snapshot_every_s * TT_NS_PER_SEC;
    tt_strategy_t *strategy = tt_symbol_strategy_new(
        tt_actor_config(actor), self->sym, NULL, NULL, NULL);
    int rc = strategy ? s_build(actor, self, strategy) : -1;
    tt_strategy_destroy(&strategy);
    if (rc != 0) {
        s_free(self);
        return -1;
    }
    /* A backtest's store is new (cli/backtest_cmd.c removes the file), so
       at the actor's first start it holds nothing to warm up from: not
       opened then (a connection per symbol was 7 % of the workers' CPU
       at 1000 symbols). A restart later in the run warms up as live. */
    uint32_t *started; /* its memory's length: 0 until its first start */
    (void)tt_actor_memory(actor, &started);
    bool first = *started == 0;
    *started = 1;
    if (self->bus && !(first && tt_actor_replaying(actor)))
        s_warm_up(actor, self);
    s_report_warmth(actor, self);
    *state_p = self;
    return 0;
}

static void s_maybe_snapshot(tt_actor_t *actor, s_ind_t *self,
                             const tt_candle_t *candle)
{
    self->since_snapshot++;
    if (!self->bus || (candle->tf_s != self->slowest_tf &&
                       self->since_snapshot < S_SNAPSHOT_EVERY))
        return;
    tt_ns_t ts = candle->open_ts + (tt_ns_t)candle->tf_s * TT_NS_PER_SEC;
    if (self->snapshot_ts && ts - self->snapshot_ts < self->snapshot_every)
        return;
    self->since_snapshot = 0;
    self->snapshot_ts = ts;
    if (tt_warmup_send_snapshot(actor, self->set, ts, self->snap,
                                self->snap_size) != 0)
        tt_debug(tt_actor_path(actor), "snapshot dropped at a full bus");
}

static int s_on_candle(tt_actor_t *actor, s_ind_t *self,
                       const tt_candle_t *candle)
{
    tt_ind_values_t out = {.candle = *candle};
    int n = tt_indset_update(self->set, candle, out.values, TT_IND_VALUES_MAX);
    if (n == TT_INDSET_OLD)
        return 0; /* consumed already (a replay or history overlap) */
    out.count = (uint32_t)n;
    /* Warmth first: the execution actor knows it before any signal this
       candle leads to. */
    s_report_warmth(actor, self);
    s_maybe_snapshot(actor, self, candle);
    return tt_actor_send_critical(actor, self->strategy, TT_MSG_IND_VALUES,
                                  &out, sizeof out);
}

static int s_on_preview(tt_actor_t *actor, s_ind_t *self,
                        const tt_preview_t *req)
{
    tt_preview_t ans = *req;
    /* The asker is the root or an actor of this runtime; anything else is
       a malformed request, answered to no one. */
    const tt_config_t *cfg = tt_actor_config(actor);
    if (ans.reply_to != TT_ACTOR_ROOT &&
        ans.reply_to >= cfg->symbol_count * TT_ROLE_COUNT) {
        tt_warn(tt_actor_path(actor), "preview for unknown asker %u ignored",
                ans.reply_to);
        return 0;
    }
    tt_ind_values_t *v = &ans.values;
    int n = ans.status == TT_PREVIEW_OK
                ? tt_indset_preview(self->set, &v->candle, v->values,
                                    TT_IND_VALUES_MAX)
                : tt_indset_values(self->set, ans.tf_s, v->values,
                                   TT_IND_VALUES_MAX);
    v->count = (uint32_t)n;
    tt_actor_send(actor, ans.reply_to, TT_MSG_PREVIEW, &ans, sizeof ans);
    return 0;
}

static int s_handle(tt_actor_t *actor, void *state, const tt_msg_t *msg)
{
    switch (msg->hdr.type) {
    case TT_MSG_CANDLE:
        return s_on_candle(actor, state, &msg->body.candle);
    case TT_MSG_PREVIEW:
        return s_on_preview(actor, state, &msg->body.preview);
    default:
        tt_actor_fail(actor, "unexpected message type %u", msg->hdr.type);
        return -1;
    }
}

static void s_destroy(tt_actor_t *actor, void **state_p)
{
    (void)actor;
    if (*state_p)
        s_free(*state_p);
    *state_p = NULL;
}

const tt_behaviour_t tt_indicator_behaviour = {.name = "indicator",
                                               .init = s_init,
                                               .handle = s_handle,
                                               .destroy = s_destroy};
