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

    It runs on the feed's thread: the fetch is one blocking request at a
    time, so for many symbols the live feed starts later (measured in
    docs/VENUES.md); between requests the feed's pipe is read, so a stop
    never waits for more than one request. A failure (HTTP error, 429
    beyond its retries, timeout, bad body) is logged with the symbol and
    the reason and skipped: that symbol warms from live candles. */
#include "actors/feed_history.h"
#include "actors/strategy_ctx.h"
#include "runtime/log.h"
#include "store/store.h"
#include "venues/history/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_RETRIES 2 /* 429s ridden out per request */
#define S_PROGRESS_NS                                                          \
    (5 * TT_NS_PER_SEC) /* progress line at most this often                    \
                         */
#define S_BUSY_MS 1000  /* store reads wait this at most */

typedef struct {
    const tt_feed_history_t *h;
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

/* One symbol at one timeframe: 0, or -1 when the fetch failed (logged). */
static int s_fetch(s_run_t *run, size_t i, int32_t tf_s, int32_t need)
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
        return 0;
    }
    if (!s_range(run, name, tf_s, src, need, &from, &to))
        return 0; /* the store holds them all */
    tt_candle_t *c = NULL;
    size_t n = 0;
    char err[320] = "";
    if (tt_history_fetch(&run->hc, h->syms[i].name, &h->syms[i].instrument, src,
                         from, to, run->now, &c, &n, err, sizeof err) != 0) {
        tt_warn(h->path,
                "%s: history at %d s failed: %s; it warms from live candles",
                name, (int)tf_s, err);
        return -1;
    }
    if (src != tf_s)
        n = tt_history_aggregate(c, n, tf_s);
    s_send(run, i, c, n);
    tt_debug(h->path, "%s: %zu history candles at %d s", name, n, (int)tf_s);
    free(c);
    return 0;
}

/* Every timeframe of symbol I its strategy needs candles of. */
static void s_symbol(s_run_t *run, size_t i)
{
    const tt_config_t *cfg = tt_runtime_config(run->h->rt);
    const tt_symbol_cfg_t *sym = &cfg->symbols[run->h->config_of[i]];
    tt_strategy_t *strategy =
        tt_symbol_strategy_new(cfg, sym, NULL, NULL, NULL);
    bool failed = false;
    for (size_t t = 0; strategy && t < sym->timeframe_count; t++) {
        int32_t need = tt_strategy_warmup(strategy, sym->timeframes[t]);
        if (need > 0 && s_fetch(run, i, sym->timeframes[t], need) != 0)
            failed = true;
    }
    tt_strategy_destroy(&strategy);
    run->failed += failed;
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
    int rc = 0;
    for (size_t i = 0; i < h->count && rc == 0; i++) {
        if (s_term(h))
            rc = 1;
        else {
            s_symbol(&run, i);
            s_progress(&run);
        }
    }
    tt_store_close(&run.store);
    tt_info(h->path,
            "history: %zu candles for %zu of %zu symbols in %lld ms, %zu "
            "failed%s",
            run.candles, run.done, h->count,
            (long long)((tt_mono_ns() - run.started_ns) / TT_NS_PER_MS),
            run.failed, rc ? " (stopped)" : "");
    return rc;
}
