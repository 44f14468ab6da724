/*  supervisor/health.c: the health reply: the whole tree as the root sees
    it, plus the counters the workers keep (runtime.h). Built on the root
    thread for each health request. */
#include "supervisor/health.h"
#include "actors/feed_stats.h"
#include "marketdata/decimal.h"
#include "risk/portfolio.h"
#include "supervisor/root_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t s_uptime_ms(const tt_lifecycle_t *life, int64_t now)
{
    if (!tt_state_is_up(life->state) || !life->running_since_ns)
        return 0;
    return (uint64_t)((now - life->running_since_ns) / 1000000);
}

static uint64_t s_load(_Atomic uint64_t *counter)
{
    return atomic_load_explicit(counter, memory_order_relaxed);
}

static void s_fill_actor(tt_root_t *self, const tt_symbol_rec_t *sym,
                         tt_actor_role_t role, Tt__ActorHealth *out,
                         int64_t now)
{
    const tt_actor_rec_t *rec = &sym->actors[role];
    tt_actor_entry_t *entry =
        tt_runtime_actor(self->rt, tt_runtime_actor_id(sym->index, role));
    tt_actor_stats_t *stats = &entry->stats;
    tt__actor_health__init(out);
    out->name = (char *)tt_role_name(role);
    out->state = (Tt__State)rec->life.state;
    out->uptime_ms = s_uptime_ms(&rec->life, now);
    out->restarts = rec->restarts;
    out->last_error = (char *)rec->last_error;
    uint64_t enq = s_load(&stats->enqueued), deq = s_load(&stats->dequeued);
    out->queue_depth = enq > deq ? enq - deq : 0;
    out->drops = s_load(&stats->drops);
    out->handled = s_load(&stats->handled);
    out->worker = (uint32_t)entry->worker;
    out->transitions = rec->life.transitions;
    out->watchdog_misses = s_load(&stats->watchdog_misses);
    out->undeliverable = s_load(&stats->undeliverable);
    out->backpressured = s_load(&stats->backpressured);
}

/* Decimal text of a symbol's numbers; lives as long as the reply. */
typedef struct {
    char position[32];
    char pnl[32];
} s_text_t;

static void s_fill_symbol(tt_root_t *self, const tt_symbol_rec_t *sym,
                          Tt__SymbolHealth *out, Tt__ActorHealth *actors,
                          Tt__ActorHealth **actor_ptrs, s_text_t *text,
                          int64_t now)
{
    tt__symbol_health__init(out);
    const tt_symbol_cfg_t *cfg = &self->cfg->symbols[sym->index];
    out->symbol = (char *)sym->name;
    out->state = (Tt__State)sym->life.state;
    out->uptime_ms = s_uptime_ms(&sym->life, now);
    out->restarts = sym->restarts;
    out->last_error = (char *)sym->last_error;
    out->pause_reason = (char *)sym->pause_reason;
    out->venue_sync = sym->paused_venue    ? "venue not reconciled"
                      : sym->venue_waiting ? "waiting for venue"
                      : sym->store_waiting ? "waiting for store"
                                           : "";
    out->venue = self->cfg->venues[cfg->venue].name;
    for (int role = 0; role < TT_ROLE_COUNT; role++) {
        s_fill_actor(self, sym, role, &actors[role], now);
        actor_ptrs[role] = &actors[role];
    }
    out->n_actors = TT_ROLE_COUNT;
    out->actors = actor_ptrs;
    tt_actor_entry_t *data = tt_runtime_actor(
        self->rt, tt_runtime_actor_id(sym->index, TT_ROLE_DATA));
    int64_t last = atomic_load(&data->stats.last_rx_ns);
    out->last_tick_age_ms = last ? (now - last) / 1000000 : -1;
    out->ticks = s_load(&data->stats.ticks);
    out->worker = (uint32_t)data->worker;
    tt_actor_entry_t *exec = tt_runtime_actor(
        self->rt, tt_runtime_actor_id(sym->index, TT_ROLE_EXECUTION));
    tt_decimal_format(atomic_load(&exec->stats.position),
                      cfg->instrument.qty_decimals, text->position,
                      sizeof text->position);
    tt_decimal_format(atomic_load(&exec->stats.realized),
                      cfg->instrument.px_decimals, text->pnl, sizeof text->pnl);
    out->position = text->position;
    out->realized_pnl = text->pnl;
    out->orders = s_load(&exec->stats.orders);
    out->fills = s_load(&exec->stats.fills);
    out->rejected_signals = s_load(&exec->stats.rejects);
    int64_t bare = atomic_load(&exec->stats.unprotected_since);
    out->unprotected = bare != 0;
    out->unprotected_ms =
        bare && now > bare ? (uint64_t)(now - bare) / 1000000 : 0;
    out->breaker_tripped =
        self->portfolio &&
        tt_portfolio_breaker_tripped(self->portfolio, (size_t)sym->index);
    /* Until the indicator actor has said otherwise, a symbol is cold. */
    out->warm = sym->warmth_known && sym->warmth.warm;
    out->warmup_have = sym->warmth.have;
    out->warmup_need = sym->warmth.need;
    out->warmup_tf_s = sym->warmth.tf_s;
}

/* Everything the reply points at lives in one block, freed at once. */
typedef struct {
    Tt__Health health;
    Tt__EventsHealth events;
    Tt__PortfolioHealth portfolio;
    char exposure[32], realized[32], max_exposure[32];
    Tt__SymbolHealth *symbols;
    Tt__SymbolHealth **symbol_ptrs;
    Tt__ActorHealth *actors;
    Tt__ActorHealth **actor_ptrs;
    Tt__WorkerHealth *workers;
    Tt__WorkerHealth **worker_ptrs;
    Tt__ActorHealth *edges;
    Tt__ActorHealth **edge_ptrs;
    Tt__FeedHealth *feeds;
    tt_feed_texts_t *feed_texts;
    s_text_t *texts;
} s_block_t;

/* A websocket feed's connection and counters (feed_stats.h). */
static void s_fill_feed(tt_feed_stats_t *stats, Tt__FeedHealth *out,
                        tt_feed_texts_t *texts)
{
    tt__feed_health__init(out);
    tt_feed_stats_texts(stats, texts);
    out->status = texts->status;
    out->url = texts->url;
    out->last_malformed = texts->last_malformed;
    out->frames = s_load(&stats->frames);
    out->malformed = s_load(&stats->malformed);
    out->unexpected = s_load(&stats->unexpected);
    out->server_errors = s_load(&stats->server_errors);
    out->attempts = s_load(&stats->attempts);
    out->connects = s_load(&stats->connects);
    out->reconnects = s_load(&stats->reconnects);
    out->bars = s_load(&stats->bars);
    out->holds = s_load(&stats->holds);
    out->duplicates = s_load(&stats->duplicates);
    out->subscribes = s_load(&stats->subscribes);
}

static void s_fill_edges(tt_root_t *self, s_block_t *block, int64_t now)
{
    size_t n = self->edge_count + 1;
    block->edges = calloc(n, sizeof *block->edges);
    block->edge_ptrs = calloc(n, sizeof *block->edge_ptrs);
    block->feeds = calloc(n, sizeof *block->feeds);
    block->feed_texts = calloc(n, sizeof *block->feed_texts);
    assert(block->edges && block->edge_ptrs && block->feeds &&
           block->feed_texts);
    for (size_t e = 0; e < self->edge_count; e++) {
        tt_edge_rec_t *edge = &self->edges[e];
        Tt__ActorHealth *out = &block->edges[e];
        tt__actor_health__init(out);
        out->name = edge->name;
        out->state = (Tt__State)edge->life.state;
        out->uptime_ms = s_uptime_ms(&edge->life, now);
        out->last_error = edge->last_error;
        out->handled = s_load(&edge->stats.ticks);
        out->queue_depth = s_load(&edge->stats.queued);
        out->resubscribes = s_load(&edge->stats.resubscribes);
        out->transitions = edge->life.transitions;
        if (atomic_load(&edge->stats.remote)) {
            s_fill_feed(&edge->stats, &block->feeds[e], &block->feed_texts[e]);
            out->feed = &block->feeds[e];
            /* The root's own error (the feed did not start) comes first;
               otherwise the feed's last connection or venue error. */
            if (!edge->last_error[0])
                out->last_error = block->feed_texts[e].last_error;
        }
        block->edge_ptrs[e] = out;
    }
    block->health.n_edges = self->edge_count;
    block->health.edges = block->edge_ptrs;
}

static void s_fill_workers(tt_root_t *self, s_block_t *block)
{
    int count = tt_runtime_workers(self->rt);
    int64_t mono = tt_mono_ns();
    for (int w = 0; w < count; w++) {
        tt_worker_stats_t *stats = tt_runtime_worker_stats(self->rt, w);
        Tt__WorkerHealth *out = &block->workers[w];
        tt__worker_health__init(out);
        out->id = (uint32_t)w;
        out->actors = atomic_load(&stats->actors_up);
        out->handled = s_load(&stats->handled);
        int64_t since = atomic_load(&stats->busy_since_ns);
        out->busy_ms = since ? (uint64_t)((mono - since) / 1000000) : 0;
        out->sleeps = s_load(&stats->sleeps);
        out->spun_ms = s_load(&stats->spun_ns) / 1000000;
        block->worker_ptrs[w] = out;
    }
    block->health.n_workers = (size_t)count;
    block->health.workers = block->worker_ptrs;
}

static void s_fill_events(tt_bus_stats_t *stats, Tt__EventsHealth *out)
{
    tt__events_health__init(out);
    out->last_seq = atomic_load(&stats->last_seq);
    out->published = atomic_load(&stats->published);
    out->dropped = atomic_load(&stats->dropped);
    out->intents = atomic_load(&stats->intents);
    out->duplicates = atomic_load(&stats->duplicates);
    out->store_errors = atomic_load(&stats->store_errors);
    out->rows_refused = atomic_load(&stats->rows_refused);
    out->replays = atomic_load(&stats->replays);
    out->subscribers = atomic_load(&stats->subscribers);
}

static void s_fill_portfolio(tt_root_t *self, s_block_t *block)
{
    Tt__PortfolioHealth *out = &block->portfolio;
    tt__portfolio_health__init(out);
    tt_portfolio_stats_t st;
    tt_portfolio_stats(self->portfolio, &st);
    const tt_portfolio_cfg_t *cfg = tt_portfolio_cfg(self->portfolio);
    tt_decimal_format(st.exposure, cfg->decimals, block->exposure,
                      sizeof block->exposure);
    tt_decimal_format(st.realized_today, cfg->decimals, block->realized,
                      sizeof block->realized);
    tt_decimal_format(cfg->max_exposure, cfg->decimals, block->max_exposure,
                      sizeof block->max_exposure);
    out->exposure = block->exposure;
    out->realized_today = block->realized;
    out->max_exposure = block->max_exposure;
    out->open_positions = (uint32_t)st.open;
    out->max_open_positions = (uint32_t)cfg->max_open_positions;
    out->halted = st.halted;
    block->health.portfolio = out;
}

Tt__Health *tt_health_build(tt_root_t *self)
{
    size_t nsym = self->cfg->symbol_count;
    int nworkers = tt_runtime_workers(self->rt);
    s_block_t *block = calloc(1, sizeof *block);
    assert(block);
    block->symbols = calloc(nsym ? nsym : 1, sizeof *block->symbols);
    block->symbol_ptrs = calloc(nsym ? nsym : 1, sizeof *block->symbol_ptrs);
    block->actors = calloc(nsym * TT_ROLE_COUNT + 1, sizeof *block->actors);
    block->actor_ptrs =
        calloc(nsym * TT_ROLE_COUNT + 1, sizeof *block->actor_ptrs);
    block->workers = calloc((size_t)nworkers, sizeof *block->workers);
    block->worker_ptrs = calloc((size_t)nworkers, sizeof *block->worker_ptrs);
    block->texts = calloc(nsym ? nsym : 1, sizeof *block->texts);
    assert(block->symbols && block->symbol_ptrs && block->actors &&
           block->actor_ptrs && block->workers && block->worker_ptrs &&
           block->texts);
    Tt__Health *health = &block->health;
    tt__health__init(health);
    int64_t now = tt_root_now(self);
    health->name = self->cfg->name;
    health->state = (Tt__State)self->life.state;
    health->uptime_ms = s_uptime_ms(&self->life, now);
    health->version = (char *)TT_VERSION;
    health->pid = (uint32_t)getpid();
    health->now_ns = now;
    uint64_t drops = 0;
    for (size_t i = 0; i < nsym; i++) {
        s_fill_symbol(self, &self->symbols[i], &block->symbols[i],
                      &block->actors[i * TT_ROLE_COUNT],
                      &block->actor_ptrs[i * TT_ROLE_COUNT], &block->texts[i],
                      now);
        for (int role = 0; role < TT_ROLE_COUNT; role++)
            drops += block->actors[i * TT_ROLE_COUNT + role].drops;
        block->symbol_ptrs[i] = &block->symbols[i];
    }
    health->n_symbols = nsym;
    health->symbols = block->symbol_ptrs;
    health->mailbox_drops = drops;
    s_fill_events(&self->bus_stats, &block->events);
    health->events = &block->events;
    if (self->portfolio)
        s_fill_portfolio(self, block);
    s_fill_workers(self, block);
    s_fill_edges(self, block, now);
    return health;
}

void tt_health_free(Tt__Health *health)
{
    if (!health)
        return;
    s_block_t *block = (s_block_t *)health; /* health is its first member */
    free(block->symbols);
    free(block->symbol_ptrs);
    free(block->actors);
    free(block->actor_ptrs);
    free(block->workers);
    free(block->worker_ptrs);
    free(block->edges);
    free(block->edge_ptrs);
    free(block->feeds);
    free(block->feed_texts);
    free(block->texts);
    free(block);
}
