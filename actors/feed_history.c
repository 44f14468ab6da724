/*  actors/feed_history.c: a live venue's warm-up history (see
    feed_history.h). At start, before the feed's first connection, each
    symbol of the venue gets, per timeframe its strategy needs, the
    closed candles from `need + 2` intervals back to the last closed one,
    less what the store already holds (the indicator actor reads that
    itself): fetched with tt_history_fetch (venues/history: Binance
    klines, Alpaca bars, paged) at the timeframe, or at the venue's
    largest bar size that divides it and aggregated, and sent to the
    symbol's data actor as TT_MSG_HISTORY batches, which bypass the
    candle builder (docs/ARCHITECTURE.md, "Where the candles come from").

    It runs on the feed's thread: every symbol's requests go to
    tt_history_fetch_many at once, `history_parallel` in flight (libcurl's
    multi interface) within the venue's budget (Alpaca 200 requests a
    minute; Binance klines weight 2 from the API host's request-weight
    count shared with the broker gateway, up to half of it: bn_ipweight.h),
    and the feed's pipe is read between events, so a stop does not wait
    for a request. A symbol's candles are sent once all its timeframes
    are in, in the order of its timeframes, as the one-at-a-time fetch
    did (measured in docs/VENUES.md). A failure (HTTP error, 429
    beyond its retries, timeout, bad body) is logged with the symbol and
    the reason and skipped: that symbol warms from live candles. */
#include "actors/feed_history.h"
#include "actors/strategy_ctx.h"
#include "runtime/log.h"
#include "runtime/clock.h"
#include "store/store.h"
#include "venues/binance/bn_ipweight.h"
#include "venues/history/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_RETRIES 2 /* 429s ridden out per request */
#define S_PROGRESS_NS                                                          \
    (5 * TT_NS_PER_SEC) /* progress line at most this often                    \
                         */
#define S_BUSY_MS 1000  /* store reads wait this at most */

/* One request (reqs[k] for jobs[k]): symbol SYM at timeframe TF_S, from
   the venue's bars of reqs[k].tf_s. */
typedef struct {
    size_t sym;
    int32_t tf_s;
} s_job_t;

typedef struct {
    const tt_feed_history_t *h;
    s_job_t *jobs;
    tt_history_req_t *reqs;
    size_t njobs;
    size_t *left;     /* per symbol: its requests not ended */
    size_t *first;    /* per symbol: the index of its first job */
    bool *failed_sym; /* per symbol */
    tt_history_cfg_t hc;
    tt_store_t *store; /* NULL: the store could not be read */
    tt_ns_t now;       /* wall clock, UTC */
    size_t candles, failed, done;
    int64_t started_ns, logged_ns; /* monotonic */
} s_run_t;

/* Stops at $TERM; a re-subscribe asked before the first connection has
   nothing to do (that connection subscribes). */
static bool s_term(const tt_feed_history_t *h)
{
    while (zsock_events(h->pipe) & ZMQ_POLLIN) {
        char symbol[TT_SYMBOL_NAME_MAX + 1];
        if (!tt_feed_command(h->pipe, symbol, sizeof symbol))
            return true;
    }
    return false;
}

typedef struct {
    tt_ns_t last; /* open time of the last stored candle; -1: none */
} s_stored_t;

static int s_on_stored(const char *symbol, const tt_candle_t *c, void *arg)
{
    (void)symbol;
    ((s_stored_t *)arg)->last = c->open_ts;
    return 0;
}

/* Moves *FROM past the candles the store holds at TF_S from *FROM on:
   those reach the indicators through their own warm-up. */
static void s_skip_stored(s_run_t *run, const char *name, int32_t tf_s,
                          tt_ns_t *from)
{
    s_stored_t st = {-1};
    if (!run->store || tt_store_candles_since(run->store, name, tf_s, *from, 0,
                                              s_on_stored, &st) != 0)
        return;
    if (st.last >= *from)
        *from = st.last + (tt_ns_t)tf_s * TT_NS_PER_SEC;
}

static void s_send(s_run_t *run, size_t i, const tt_candle_t *c, size_t n)
{
    const tt_feed_history_t *h = run->h;
    uint32_t to = tt_runtime_actor_id((int)h->config_of[i], TT_ROLE_DATA);
    tt_candle_batch_t batch;
    memset(&batch, 0, sizeof batch);
    for (size_t off = 0; off < n; off += batch.count) {
        batch.count =
            (uint32_t)(n - off < TT_CANDLE_BATCH ? n - off : TT_CANDLE_BATCH);
        memcpy(batch.candles, c + off, batch.count * sizeof *c);
        tt_sender_send(h->sender, to, TT_ACTOR_ROOT, TT_MSG_HISTORY, &batch,
                       (uint32_t)(offsetof(tt_candle_batch_t, candles) +
                                  batch.count * sizeof *c),
                       true);
    }
    tt_feed_flush(h->sender, h->stats);
    run->candles += n;
}

/* The range [*FROM, TO) of TF_S candles to fetch for NEED of them, at
   most max_bars bars of SRC seconds; false when there is nothing to
   fetch. */
static bool s_range(s_run_t *run, const char *name, int32_t tf_s, int32_t src,
                    int32_t need, tt_ns_t *from, tt_ns_t *to)
{
    tt_ns_t tf_ns = (tt_ns_t)tf_s * TT_NS_PER_SEC;
    int64_t want = (int64_t)need + 2;
    int64_t cap = run->h->opts->history_max_bars * src / tf_s;
    if (want > cap) {
        tt_warn(run->h->path,
                "%s: history at %d s capped at %lld candles of the %lld "
                "needed (params.history_max_bars)",
                name, (int)tf_s, (long long)cap, (long long)want);
        want = cap;
    }
    *to = run->now - run->now % tf_ns;
    *from = *to - want * tf_ns;
    s_skip_stored(run, name, tf_s, from);
    return *from < *to;
}

/* Adds the request for symbol I at TF_S (NEED candles), unless the
   venue has no bars for it or the store holds them all. */
static void s_plan(s_run_t *run, size_t i, int32_t tf_s, int32_t need)
{
    const tt_feed_history_t *h = run->h;
    const tt_config_t *cfg = tt_runtime_config(h->rt);
    const char *name = cfg->symbols[h->config_of[i]].name;
    int32_t src = tt_history_source_tf(run->hc.venue, tf_s);
    tt_ns_t from, to;
    if (src < 0) {
        tt_info(h->path,
                "%s: the venue has no bars that make %d s candles: "
                "it warms from live candles",
                name, (int)tf_s);
        return;
    }
    if (!s_range(run, name, tf_s, src, need, &from, &to))
        return; /* the store holds them all */
    s_job_t *j = &run->jobs[run->njobs];
    j->sym = i;
    j->tf_s = tf_s;
    run->reqs[run->njobs++] = (tt_history_req_t){.symbol = h->syms[i].name,
                                                 .ins = &h->syms[i].instrument,
                                                 .tf_s = src,
                                                 .from = from,
                                                 .to = to};
    run->left[i]++;
}

/* Every timeframe of symbol I its strategy needs candles of. */
static void s_symbol(s_run_t *run, size_t i)
{
    const tt_config_t *cfg = tt_runtime_config(run->h->rt);
    const tt_symbol_cfg_t *sym = &cfg->symbols[run->h->config_of[i]];
    tt_strategy_t *strategy =
        tt_symbol_strategy_new(cfg, sym, NULL, NULL, NULL);
    run->first[i] = run->njobs;
    for (size_t t = 0; strategy && t < sym->timeframe_count; t++) {
        int32_t need = tt_strategy_warmup(strategy, sym->timeframes[t]);
        if (need > 0)
            s_plan(run, i, sym->timeframes[t], need);
    }
    tt_strategy_destroy(&strategy);
}

/* Symbol I's requests have all ended: its candles go out, timeframe by
   timeframe in its config's order. */
static void s_deliver(s_run_t *run, size_t i)
{
    const tt_feed_history_t *h = run->h;
    const char *name = tt_runtime_config(h->rt)->symbols[h->config_of[i]].name;
    for (size_t k = run->first[i]; k < run->njobs && run->jobs[k].sym == i;
         k++) {
        tt_history_req_t *q = &run->reqs[k];
        size_t n = q->n;
        if (q->rc != 0)
            continue;
        if (q->tf_s != run->jobs[k].tf_s)
            n = tt_history_aggregate(q->candles, n, run->jobs[k].tf_s);
        s_send(run, i, q->candles, n);
        tt_debug(h->path, "%s: %zu history candles at %d s", name, n,
                 (int)run->jobs[k].tf_s);
        free(q->candles);
        q->candles = NULL;
    }
    run->failed += run->failed_sym[i];
    run->done++;
}
static void s_progress(s_run_t *run)
{
    int64_t mono = tt_mono_ns();
    if (mono - run->logged_ns < S_PROGRESS_NS || run->done == run->h->count)
        return;
    run->logged_ns = mono;
    tt_info(run->h->path,
            "history: %zu of %zu symbols, %zu candles, %zu failed", run->done,
            run->h->count, run->candles, run->failed);
}

static void s_config(s_run_t *run, const char *base)
{
    const tt_feed_history_t *h = run->h;
    const tt_config_t *cfg = tt_runtime_config(h->rt);
    bool alpaca = cfg->venues[h->venue].kind == TT_VENUE_ALPACA;
    const char *feed = h->opts->feed;
    run->hc = (tt_history_cfg_t){
        .venue = alpaca ? TT_HISTORY_ALPACA : TT_HISTORY_BINANCE,
        .base_url = base,
        .key_id = h->key_id,
        .secret = h->secret,
        /* "test" is a stream of its own with no REST bars */
        .feed = alpaca && strcmp(feed, "test") ? feed : NULL,
        .crypto_loc = h->opts->location,
        .timeout_ms = (long)h->opts->history_timeout_ms,
        .max_retries = S_RETRIES,
    };
    char err[256] = "";
    tt_store_opts_t opts = tt_store_opts_default();
    opts.busy_timeout_ms = S_BUSY_MS;
    run->store = cfg->db_path
                     ? tt_store_open(cfg->db_path, &opts, err, sizeof err)
                     : NULL;
    if (cfg->db_path && !run->store)
        tt_warn(h->path,
                "history: cannot read the store (%s): fetching "
                "every candle needed",
                err);
    run->now = tt_clock_now(tt_runtime_clock(h->rt));
}

/* A request ended (tt_history_fetch_many's callback): a failure is
   logged now; the symbol's candles go once its last request ends. */
static void s_ended(tt_history_req_t *req, void *arg)
{
    s_run_t *run = arg;
    s_job_t *j = &run->jobs[req - run->reqs];
    const tt_feed_history_t *h = run->h;
    if (req->rc != 0) {
        tt_warn(h->path,
                "%s: history at %d s failed: %s; it warms from live candles",
                tt_runtime_config(h->rt)->symbols[h->config_of[j->sym]].name,
                (int)j->tf_s, req->err);
        run->failed_sym[j->sym] = true;
    }
    if (--run->left[j->sym] == 0)
        s_deliver(run, j->sym);
    s_progress(run);
}

static bool s_stop(void *arg)
{
    return s_term(((s_run_t *)arg)->h);
}

/* A budget of the fetch's own (docs/VENUES.md, "History for warm-up"):
   Alpaca's data API allows 200 requests a minute on the free plan.
   Binance's history takes from the weight count it shares with the
   broker gateway (s_fetch_all); this is its fallback when that view
   cannot be had: half the IP's 6000 a minute. */
static tt_ratelimit_t *s_budget(const s_run_t *run, int64_t *weight)
{
    bool alpaca = run->hc.venue == TT_HISTORY_ALPACA;
    int64_t per_min = alpaca ? 200 : 3000;
    tt_ratelimit_config_t rl = {
        .capacity = per_min,
        .refill = per_min,
        .interval_ns = 60 * TT_NS_PER_SEC,
        .retry_default_ns = 5 * TT_NS_PER_SEC,
        .venue_limit = alpaca ? 0 : 6000,
    };
    *weight = alpaca ? 1 : 2;
    return tt_ratelimit_new(&rl, tt_mono_ns());
}

static tt_ns_t s_wall(void *arg)
{
    return tt_clock_now(tt_runtime_clock(((const s_run_t *)arg)->h->rt));
}

/* Plans every symbol's requests, then runs them all: 0, or 1 at $TERM. */
static int s_fetch_all(s_run_t *run)
{
    const tt_feed_history_t *h = run->h;
    const tt_config_t *cfg = tt_runtime_config(h->rt);
    size_t most = 0;
    for (size_t i = 0; i < h->count; i++)
        most += cfg->symbols[h->config_of[i]].timeframe_count;
    run->jobs = calloc(most ? most : 1, sizeof *run->jobs);
    run->reqs = calloc(most ? most : 1, sizeof *run->reqs);
    run->left = calloc(h->count ? h->count : 1, sizeof *run->left);
    run->first = calloc(h->count ? h->count : 1, sizeof *run->first);
    run->failed_sym = calloc(h->count ? h->count : 1, sizeof(bool));
    if (!run->jobs || !run->reqs || !run->left || !run->first ||
        !run->failed_sym) {
        tt_warn(h->path, "history: out of memory: every symbol warms from "
                         "live candles");
        return 0;
    }
    for (size_t i = 0; i < h->count; i++) {
        s_symbol(run, i);
        if (run->left[i] == 0)
            s_deliver(run, i);
    }
    int64_t weight = 1;
    tt_ratelimit_t *limit = NULL;
    /* Binance: the API host's weight, one count with the broker gateway
       (bn_ipweight.h); Alpaca, or a view not to be had: a budget of its
       own. */
    tt_history_bn_weight_t shared = {.now = s_wall, .now_arg = run};
    if (run->hc.venue == TT_HISTORY_BINANCE)
        shared.view = tt_bn_ipweight_get(run->hc.base_url);
    tt_history_budget_t budget = tt_history_bn_budget(&shared);
    if (shared.view)
        weight = TT_BN_WEIGHT_KLINES;
    else
        limit = s_budget(run, &weight);
    tt_history_many_t opts = {.parallel = (size_t)h->opts->history_parallel,
                              .limit = limit,
                              .budget = shared.view ? &budget : NULL,
                              .weight = weight,
                              .stop = s_stop,
                              .done = s_ended,
                              .arg = run};
    int rc =
        tt_history_fetch_many(&run->hc, run->reqs, run->njobs, run->now, &opts);
    tt_ratelimit_destroy(&limit);
    tt_bn_ipweight_release(&shared.view);
    for (size_t k = 0; k < run->njobs; k++)
        free(run->reqs[k].candles); /* a stop's: never sent */
    return rc;
}

int tt_feed_history_run(const tt_feed_history_t *h)
{
    const tt_config_t *cfg = tt_runtime_config(h->rt);
    const tt_venue_cfg_t *venue = &cfg->venues[h->venue];
    const char *base = tt_feed_history_base(venue, h->opts);
    if (!base) {
        tt_info(h->path, "history: off%s",
                h->opts->history ? " (endpoints set without rest_url)" : "");
        return 0;
    }
    s_run_t run = {.h = h};
    run.started_ns = run.logged_ns = tt_mono_ns();
    s_config(&run, base);
    tt_info(h->path, "history: fetching for %zu symbols from %s", h->count,
            base);
    int rc = s_term(h) ? 1 : s_fetch_all(&run);
    tt_store_close(&run.store);
    free(run.jobs);
    free(run.reqs);
    free(run.left);
    free(run.first);
    free(run.failed_sym);
    tt_info(h->path,
            "history: %zu candles for %zu of %zu symbols in %lld ms, %zu "
            "failed%s",
            run.candles, run.done, h->count,
            (long long)((tt_mono_ns() - run.started_ns) / TT_NS_PER_MS),
            run.failed, rc ? " (stopped)" : "");
    return rc;
}
