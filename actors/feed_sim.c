/*  actors/feed_sim.c: the sim venue's feed (see feed_sim.h). Runs on its
    own thread (a czmq zactor); its state is private to that thread. */
#include "actors/feed_sim.h"
#include "actors/strategy_ctx.h"
#include "runtime/log.h"
#include "marketdata/decimal.h"
#include "venues/sim/simparams.h"

#include <pthread.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PERIOD_MS 5 /* how often the market is advanced */
#define S_CHUNK 256   /* ticks drawn per call */

typedef struct {
    tt_runtime_t *rt;
    size_t venue;
    tt_feed_stats_t *stats;
    tt_simmarket_t *market;
    tt_sender_t *sender;
    uint32_t *actor_of;     /* sim symbol index -> data actor id */
    size_t *symbol_of;      /* sim symbol index -> config symbol index */
    tt_tick_batch_t *batch; /* per sim symbol, pending ticks */
    char path[48];
    FILE *record; /* service.record_ticks: every tick, as a replay file */
} s_feed_t;

/* Several sim venues share the one recording. */
static pthread_mutex_t s_record_lock = PTHREAD_MUTEX_INITIALIZER;

int tt_feed_sim_check(const tt_config_t *cfg, tt_config_error_fn *error_fn,
                      void *arg)
{
    int problems = 0;
    for (size_t v = 0; v < cfg->venue_count; v++) {
        if (cfg->venues[v].kind != TT_VENUE_SIM)
            continue;
        tt_sim_params_t params;
        problems += tt_sim_params_parse(&cfg->venues[v].params, cfg->path,
                                        &params, error_fn, arg);
    }
    return problems;
}

void tt_feed_send_batch(tt_sender_t *sender, uint32_t to,
                        tt_tick_batch_t *batch, tt_feed_stats_t *stats)
{
    if (!batch->count)
        return;
    uint32_t len = (uint32_t)(offsetof(tt_tick_batch_t, ticks) +
                              batch->count * sizeof(tt_tick_t));
    /* Ticks feed candles: never dropped, queued on a full mailbox. */
    tt_sender_send(sender, to, TT_ACTOR_ROOT, TT_MSG_TICKS, batch, len, true);
    atomic_fetch_add(&stats->batches, 1);
    atomic_fetch_add(&stats->ticks, batch->count);
    batch->count = 0;
}

#define S_RESUBSCRIBE "RESUBSCRIBE"

void tt_feed_resubscribe(zactor_t *feed, const char *symbol)
{
    zstr_sendx(feed, S_RESUBSCRIBE, symbol, NULL);
}

int tt_feed_command(zsock_t *pipe, char *symbol, size_t size)
{
    char *cmd = NULL, *arg = NULL;
    if (zstr_recvx(pipe, &cmd, &arg, NULL) < 0)
        return 0;
    int rc = cmd && arg && !strcmp(cmd, S_RESUBSCRIBE);
    if (rc)
        snprintf(symbol, size, "%s", arg);
    zstr_free(&cmd);
    zstr_free(&arg);
    return rc;
}

void tt_feed_flush(tt_sender_t *sender, tt_feed_stats_t *stats)
{
    atomic_store(&stats->queued, tt_sender_flush(sender));
}

void tt_feed_fence(tt_runtime_t *rt, tt_sender_t *sender)
{
    const tt_config_t *cfg = tt_runtime_config(rt);
    int workers = tt_runtime_workers(rt);
    /* Symbol W lives on worker W: any actor of it names the worker. */
    for (int w = 0; w < workers && (size_t)w < cfg->symbol_count; w++) {
        tt_runtime_fence_sent(rt, 1);
        if (tt_sender_send(sender, tt_runtime_actor_id(w, TT_ROLE_DATA),
                           TT_ACTOR_ROOT, TT_SYS_FENCE, NULL, 0, true) != 0)
            tt_runtime_fence_done(rt); /* never to arrive */
    }
    for (int n = 0; n < 1000 && tt_sender_flush(sender); n++)
        zclock_sleep(1);
}

static void s_flush(s_feed_t *self, size_t sym)
{
    tt_feed_send_batch(self->sender, self->actor_of[sym], &self->batch[sym],
                       self->stats);
}

/* One line of the recording (docs/DATA.md tick format, symbol column). */
static void s_record(s_feed_t *self, const tt_sim_tick_t *t)
{
    const tt_symbol_cfg_t *sym =
        &tt_runtime_config(self->rt)->symbols[self->symbol_of[t->symbol]];
    char px[40], qty[40];
    tt_decimal_format(t->tick.price, sym->instrument.px_decimals, px,
                      sizeof px);
    tt_decimal_format(t->tick.size, sym->instrument.qty_decimals, qty,
                      sizeof qty);
    fprintf(self->record, "%s,%lld,%s,%s,%llu\n", sym->name,
            (long long)t->tick.ts, px, qty,
            (unsigned long long)t->tick.trade_id);
}

static void s_record_all(s_feed_t *self, const tt_sim_tick_t *ticks,
                         size_t count)
{
    pthread_mutex_lock(&s_record_lock);
    for (size_t i = 0; i < count; i++)
        s_record(self, &ticks[i]);
    fflush(self->record);
    pthread_mutex_unlock(&s_record_lock);
}

/* The first sim feed of the process starts the recording afresh; any
   other appends to it. */
static int s_open_record(s_feed_t *self, const tt_config_t *cfg)
{
    static bool started;
    pthread_mutex_lock(&s_record_lock);
    self->record = fopen(cfg->record_ticks, started ? "a" : "w");
    if (self->record && !started) {
        /* The live run trades from here: a backtest of the recording
           given this as --from trades exactly as it did. */
        fprintf(self->record, "# trading from %lld\n",
                (long long)tt_runtime_trade_from(self->rt));
        fprintf(self->record, "symbol,ts_ns,price,size,trade_id\n");
        started = true;
    }
    pthread_mutex_unlock(&s_record_lock);
    if (!self->record)
        tt_error(self->path, "cannot write %s: %s", cfg->record_ticks,
                 strerror(errno));
    return self->record ? 0 : -1;
}

static void s_advance(s_feed_t *self)
{
    tt_sim_tick_t ticks[S_CHUNK];
    int64_t now = tt_clock_now(tt_runtime_clock(self->rt));
    size_t count;
    /* The ticks enter the service now: what they cause is timed from
       here (runtime/latency.h). */
    tt_origin_set(tt_mono_ns());
    do {
        count = tt_simmarket_next(self->market, now, ticks, S_CHUNK);
        if (self->record && count)
            s_record_all(self, ticks, count);
        for (size_t i = 0; i < count; i++) {
            tt_tick_batch_t *batch = &self->batch[ticks[i].symbol];
            batch->ticks[batch->count++] = ticks[i].tick;
            if (batch->count == TT_TICK_BATCH)
                s_flush(self, ticks[i].symbol);
        }
    } while (count == S_CHUNK);
    for (size_t sym = 0; sym < tt_simmarket_symbol_count(self->market); sym++)
        s_flush(self, sym);
    tt_feed_flush(self->sender, self->stats);
    tt_origin_set(0);
}

/* Warm-up. A simulated market has a past: the feed starts it early enough
   that the history it generates at once fills every symbol's slowest
   indicators, so the symbols can trade within seconds of start. The
   candles of that past are built, and closed, like any others. */
static int64_t s_history_ns(const tt_config_t *cfg, size_t venue)
{
    int64_t longest = 0;
    for (size_t i = 0; i < cfg->symbol_count; i++) {
        const tt_symbol_cfg_t *sym = &cfg->symbols[i];
        if (sym->venue != venue)
            continue;
        tt_strategy_t *strategy =
            tt_symbol_strategy_new(cfg, sym, NULL, NULL, NULL);
        for (size_t t = 0; strategy && t < sym->timeframe_count; t++) {
            int32_t tf = sym->timeframes[t];
            int64_t need = (int64_t)(tt_strategy_warmup(strategy, tf) + 2) *
                           tf * TT_NS_PER_SEC;
            if (need > longest)
                longest = need;
        }
        tt_strategy_destroy(&strategy);
    }
    return longest;
}

static int s_setup(s_feed_t *self)
{
    const tt_config_t *cfg = tt_runtime_config(self->rt);
    tt_sim_params_t params;
    if (tt_sim_params_parse(&cfg->venues[self->venue].params, cfg->path,
                            &params, NULL, NULL) != 0)
        return -1;
    int64_t now = tt_clock_now(tt_runtime_clock(self->rt));
    int64_t history = s_history_ns(cfg, self->venue);
    tt_info(self->path, "warming up from %lld s of simulated history",
            (long long)(history / TT_NS_PER_SEC));
    self->market = tt_simmarket_new(&params, now - history);
    self->sender = tt_sender_new(self->rt);
    self->actor_of = calloc(cfg->symbol_count + 1, sizeof *self->actor_of);
    self->batch = calloc(cfg->symbol_count + 1, sizeof *self->batch);
    self->symbol_of = calloc(cfg->symbol_count + 1, sizeof *self->symbol_of);
    if (!self->market || !self->sender || !self->actor_of || !self->batch ||
        !self->symbol_of)
        return -1;
    if (cfg->record_ticks && s_open_record(self, cfg) != 0)
        return -1;
    for (size_t i = 0; i < cfg->symbol_count; i++) {
        const tt_symbol_cfg_t *sym = &cfg->symbols[i];
        if (sym->venue != self->venue)
            continue;
        int index =
            tt_simmarket_add(self->market, sym->name, &sym->instrument, 0);
        if (index < 0) {
            tt_error(self->path, "cannot add %s to the sim market", sym->name);
            return -1;
        }
        self->actor_of[index] = tt_runtime_actor_id((int)i, TT_ROLE_DATA);
        self->symbol_of[index] = i;
    }
    return 0;
}

static void s_teardown(s_feed_t *self)
{
    tt_simmarket_destroy(&self->market);
    tt_sender_destroy(&self->sender);
    free(self->actor_of);
    free(self->symbol_of);
    free(self->batch);
    if (self->record)
        fclose(self->record);
}

static void s_task(zsock_t *pipe, void *arg)
{
    /* ARG belongs to the starter; it is read before the handshake and the
       result written into it, never touched after. */
    s_feed_t *start = arg;
    s_feed_t self = {
        .rt = start->rt, .venue = start->venue, .stats = start->stats};
    const tt_config_t *cfg = tt_runtime_config(self.rt);
    snprintf(self.path, sizeof self.path, "feed/%s",
             cfg->venues[self.venue].name);
    tt_thread_name(self.path);
    int rc = s_setup(&self);
    start->market = rc == 0 ? self.market : NULL; /* success marker */
    zsock_signal(pipe, 0);
    zpoller_t *poller = rc == 0 ? zpoller_new(pipe, NULL) : NULL;
    while (poller) {
        void *which = zpoller_wait(poller, S_PERIOD_MS);
        char symbol[TT_SYMBOL_NAME_MAX + 1];
        if (which == pipe && tt_feed_command(pipe, symbol, sizeof symbol)) {
            /* The in-process market has no subscription to lose. */
            tt_info(self.path,
                    "%s: re-subscribe asked; the simulated market "
                    "streams every symbol, nothing to do",
                    symbol);
            atomic_fetch_add(&self.stats->resubscribes, 1);
            continue;
        }
        if (which == pipe || zpoller_terminated(poller))
            break; /* $TERM */
        s_advance(&self);
    }
    if (poller)
        tt_feed_fence(self.rt, self.sender);
    zpoller_destroy(&poller);
    s_teardown(&self);
}

zactor_t *tt_feed_sim_start(tt_runtime_t *rt, size_t venue,
                            tt_feed_stats_t *stats)
{
    s_feed_t start = {.rt = rt, .venue = venue, .stats = stats};
    zactor_t *actor = zactor_new(s_task, &start); /* waits for the task */
    if (actor && !start.market)
        zactor_destroy(&actor);
    return actor;
}
