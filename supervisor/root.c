/*  supervisor/root.c: the root supervisor's loop (see root.h). One
    zmq_poll over the workers' reports, the control socket and a signalfd;
    timers for pending restarts and the watchdog come from the same loop.
    Runs on the main thread. */
#include "supervisor/root_internal.h"
#include "actors/control.h"
#include "actors/exec_portfolio.h"
#include "actors/feed_stats.h"
#include "actors/broker_venue.h"
#include "actors/feed_venue.h"
#include "actors/feed_ws.h"
#include "actors/symbol_actors.h"
#include "runtime/log.h"

#include <assert.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define S_WATCHDOG_ABORT_FACTOR 10 /* busy this many deadlines: abort */
/* How long a stop waits for the feeds' fences before the symbols stop. */
#define S_DRAIN_NS (1000 * 1000000LL)
/* A backtest's bus may be this many frames behind its actors (frames set
   aside, runtime.h): a few steps' candles and events at 1000 symbols. */
#define S_BUS_LAG 32768

void tt_root_block_signals(void)
{
    zsys_handler_set(NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int64_t tt_root_now(const tt_root_t *self)
{
    return tt_clock_now(self->clock);
}

int tt_root_move(tt_root_t *self, tt_lifecycle_t *life, const char *path,
                 tt_state_t to, const char *reason)
{
    tt_state_t from = life->state;
    if (tt_lifecycle_move(life, to, tt_root_now(self)) != 0) {
        tt_error(path, "illegal transition %s -> %s refused (%s)",
                 tt_state_name(from), tt_state_name(to), reason);
        return -1;
    }
    self->transitions++;
    tt_log(to == TT_STATE_ERROR ? TT_LOG_WARN : TT_LOG_INFO, path,
           "%s -> %s (%s)", tt_state_name(from), tt_state_name(to), reason);
    if (self->sender) {
        tt_evt_lifecycle_t ev = {
            .ts = tt_root_now(self), .from = (int32_t)from, .to = (int32_t)to};
        snprintf(ev.path, sizeof ev.path, "%s", path);
        snprintf(ev.reason, sizeof ev.reason, "%s", reason);
        tt_sender_send(self->sender, TT_ACTOR_BUS, TT_ACTOR_ROOT,
                       TT_EVT_LIFECYCLE, &ev, sizeof ev, true);
    }
    return 0;
}

tt_root_t *tt_root_new(const tt_config_t *cfg,
                       const tt_behaviour_t *const roles[TT_ROLE_COUNT])
{
    tt_root_opts_t opts = {0};
    return tt_root_new_opts(cfg, roles, &opts);
}

const tt_replay_stats_t *tt_root_replay_stats(const tt_root_t *self)
{
    return self->replay;
}

uint64_t tt_root_store_errors(const tt_root_t *self)
{
    return atomic_load(&self->bus_stats.store_errors);
}

tt_root_t *tt_root_new_opts(const tt_config_t *cfg,
                            const tt_behaviour_t *const roles[TT_ROLE_COUNT],
                            const tt_root_opts_t *opts)
{
    tt_root_t *self = calloc(1, sizeof *self);
    assert(self);
    self->cfg = cfg;
    self->opts = *opts;
    self->signal_fd = -1;
    self->clock = tt_clock_new_live();
    self->market = opts->market_clock ? opts->market_clock : self->clock;
    int64_t now = tt_root_now(self);
    tt_lifecycle_init(&self->life, now);
    self->rt = tt_runtime_new(cfg, self->market, roles);
    if (opts->replay) {
        self->replay = calloc(1, sizeof *self->replay);
        assert(self->replay);
        tt_runtime_track_inflight(self->rt, true);
        /* A backtest's store is new and its own: an order does not wait
           for the bus to say its intent is stored (docs/ARCHITECTURE.md,
           "an intent in a backtest is answered locally"). */
        tt_runtime_set_local_intents(self->rt, true);
        /* ... so what the actors send the bus causes nothing back, and
           the replay's steps need not wait for it: the bus works beside
           the next step, at most S_BUS_LAG frames behind. */
        tt_runtime_set_bus_aside(self->rt, S_BUS_LAG);
    }
    /* The bus comes first: it owns the store, and a store that will not
       open (or an events endpoint in use) stops the start here. */
    self->bus = tt_bus_start(self->rt, &self->bus_stats);
    self->symbols = calloc(cfg->symbol_count, sizeof *self->symbols);
    self->watch = calloc((size_t)cfg->workers, sizeof *self->watch);
    self->edges = calloc(2 * cfg->venue_count + 1, sizeof *self->edges);
    assert(self->symbols && self->watch && self->edges);
    if (!self->bus || tt_exec_memory_restore(self->rt, cfg->db_path) != 0) {
        tt_root_destroy(&self);
        return NULL;
    }
    char err[160];
    self->portfolio = tt_exec_portfolio_new(cfg, err, sizeof err);
    if (!self->portfolio) {
        tt_error("root", "%s", err);
        tt_root_destroy(&self);
        return NULL;
    }
    tt_runtime_set_portfolio(self->rt, self->portfolio);
    if (opts->replay) { /* one replay feed stands in for every venue */
        tt_edge_rec_t *edge = &self->edges[self->edge_count++];
        snprintf(edge->name, sizeof edge->name, "feed/replay");
        tt_feed_stats_init(&edge->stats);
        tt_lifecycle_init(&edge->life, now);
    }
    for (size_t v = 0; v < cfg->venue_count && !opts->replay; v++) {
        tt_venue_kind_t kind = cfg->venues[v].kind;
        if (kind != TT_VENUE_SIM && kind != TT_VENUE_BINANCE &&
            kind != TT_VENUE_ALPACA)
            continue; /* other venue kinds bring their own feeds later */
        tt_edge_rec_t *edge = &self->edges[self->edge_count++];
        snprintf(edge->name, sizeof edge->name, "feed/%s", cfg->venues[v].name);
        edge->venue = v;
        tt_feed_stats_init(&edge->stats);
        tt_lifecycle_init(&edge->life, now);
        if (!tt_broker_venue_wanted(cfg, v))
            continue;
        edge = &self->edges[self->edge_count++];
        snprintf(edge->name, sizeof edge->name, "broker/%s",
                 cfg->venues[v].name);
        edge->venue = v;
        edge->broker = true;
        tt_feed_stats_init(&edge->stats);
        tt_lifecycle_init(&edge->life, now);
    }
    for (size_t i = 0; i < cfg->symbol_count; i++) {
        tt_symbol_rec_t *sym = &self->symbols[i];
        sym->index = (int)i;
        sym->name = cfg->symbols[i].name;
        tt_lifecycle_init(&sym->life, now);
        for (int role = 0; role < TT_ROLE_COUNT; role++)
            tt_lifecycle_init(&sym->actors[role].life, now);
        tt_symsup_init(&sym->sup, (uint64_t)now ^ (i * 0x9e3779b97f4a7c15u));
    }
    self->inbox = zsock_new(ZMQ_PULL);
    assert(self->inbox);
    zsock_set_rcvhwm(self->inbox, cfg->mailbox_hwm);
    const char *endpoint = tt_runtime_endpoint_root(self->rt);
    if (zsock_bind(self->inbox, "%s", endpoint) != 0) {
        tt_error("root", "cannot bind %s", endpoint);
        tt_root_destroy(&self);
        return NULL;
    }
    self->control = tt_control_bind(cfg);
    if (!self->control) {
        tt_root_destroy(&self);
        return NULL;
    }
    return self;
}

void tt_root_destroy(tt_root_t **self_p)
{
    assert(self_p);
    tt_root_t *self = *self_p;
    if (!self)
        return;
    for (size_t e = 0; e < self->edge_count; e++) {
        zactor_destroy(&self->edges[e].thread);
        tt_feed_stats_fini(&self->edges[e].stats);
    }
    free(self->edges);
    zactor_destroy(&self->sessions);
    tt_sender_destroy(&self->sender);
    zactor_destroy(&self->bus);
    tt_runtime_destroy(&self->rt);
    tt_portfolio_destroy(&self->portfolio);
    zsock_destroy(&self->control);
    zsock_destroy(&self->inbox);
    if (self->signal_fd >= 0)
        close(self->signal_fd);
    tt_clock_destroy(&self->clock);
    free(self->replay);
    free(self->watch);
    free(self->symbols);
    free(self);
    *self_p = NULL;
}

/* A stale symbol: its venue's feed is asked to re-subscribe it. The
   symbol is paused too (supervisor/symbols.c). A backtest's replay feed
   has nothing to subscribe: its data is a file. */
static void s_resubscribe(tt_root_t *self, int symbol)
{
    if (self->opts.replay)
        return;
    const tt_symbol_cfg_t *sym = &self->cfg->symbols[symbol];
    for (size_t e = 0; e < self->edge_count; e++) {
        tt_edge_rec_t *edge = &self->edges[e];
        if (edge->venue != sym->venue || !edge->thread || edge->broker)
            continue;
        tt_info(sym->name, "stale: asking %s to re-subscribe", edge->name);
        tt_feed_resubscribe(edge->thread, sym->name);
    }
}

/* An execution actor has no order in flight left (a stop). */
static void s_on_drained(tt_root_t *self, tt_symbol_rec_t *sym)
{
    if (!sym->orders_wait)
        return;
    sym->orders_wait = false;
    self->orders_waiting--;
}

/* Reports the root handles beside supervision: warm-up progress, preview
   answers, and the re-subscribe route of a stale symbol. True when the
   report needs nothing more. */
static bool s_on_symbol_news(tt_root_t *self, const tt_msg_t *msg)
{
    tt_actor_entry_t *entry = tt_runtime_actor(self->rt, msg->hdr.from);
    switch (msg->hdr.type) {
    case TT_REP_WARMUP:
        if (entry) {
            self->symbols[entry->symbol].warmth = msg->body.warmth;
            self->symbols[entry->symbol].warmth_known = true;
        }
        return true;
    case TT_MSG_PREVIEW:
        tt_control_preview_answer(self, &msg->body.preview);
        return true;
    case TT_REP_DRAINED:
        if (entry)
            s_on_drained(self, &self->symbols[entry->symbol]);
        return true;
    case TT_REP_STALE:
        if (entry)
            s_resubscribe(self, entry->symbol);
        return false;
    default:
        return false;
    }
}

static void s_drain_reports(tt_root_t *self)
{
    void *inbox = zsock_resolve(self->inbox);
    tt_msg_t msg;
    for (int n = 0; n < 1024; n++) {
        int size = zmq_recv(inbox, &msg, sizeof msg, ZMQ_DONTWAIT);
        if (size < 0)
            return;
        if (tt_msg_check(&msg, (size_t)size) != 0) {
            tt_error("root", "malformed report (%d bytes) ignored", size);
            tt_runtime_handled(self->rt, 1);
            continue;
        }
        if (msg.hdr.type == TT_REP_REPLAY_DONE)
            tt_root_request_stop(self); /* the backtest is over */
        else if (!s_on_symbol_news(self, &msg))
            tt_symbols_on_report(self, &msg);
        tt_runtime_handled(self->rt, 1);
    }
}

/* A handler busy past the deadline is a failure of its actor. C cannot
   stop the thread, so the restart takes effect when the handler returns;
   a handler busy for S_WATCHDOG_ABORT_FACTOR deadlines takes the process
   down, and systemd (the top of the tree) restarts it. */
static void s_watchdog(tt_root_t *self)
{
    int64_t deadline = self->cfg->watchdog_ms * 1000000;
    int64_t mono = tt_mono_ns();
    for (int w = 0; w < tt_runtime_workers(self->rt); w++) {
        tt_worker_stats_t *stats = tt_runtime_worker_stats(self->rt, w);
        int64_t since = atomic_load(&stats->busy_since_ns);
        if (!since || mono - since <= deadline)
            continue;
        uint32_t id = atomic_load(&stats->busy_actor);
        tt_actor_entry_t *entry = tt_runtime_actor(self->rt, id);
        if (mono - since > deadline * S_WATCHDOG_ABORT_FACTOR) {
            tt_error("root",
                     "watchdog: %s busy for %lld ms; aborting so the "
                     "OS supervisor restarts ticktree",
                     entry ? entry->path : "?",
                     (long long)((mono - since) / 1000000));
            abort();
        }
        if (self->watch[w].busy_since_ns == since || !entry)
            continue;
        self->watch[w].busy_since_ns = since;
        atomic_fetch_add(&entry->stats.watchdog_misses, 1);
        char reason[TT_REASON_MAX];
        snprintf(reason, sizeof reason,
                 "watchdog: handler busy for more than %lld ms",
                 (long long)self->cfg->watchdog_ms);
        tt_symbols_on_failure(self, &self->symbols[entry->symbol], entry->role,
                              reason);
    }
}

static void s_on_signal(tt_root_t *self)
{
    struct signalfd_siginfo info;
    if (read(self->signal_fd, &info, sizeof info) != sizeof info)
        return;
    tt_info("root", "received %s: stopping", strsignal((int)info.ssi_signo));
    tt_root_request_stop(self);
}

/* A live venue has its gateway; a sim venue reads a tickserver when it
   names endpoints and runs its market in-process otherwise. */
static zactor_t *s_start_feed(tt_root_t *self, tt_edge_rec_t *edge)
{
    const tt_venue_cfg_t *venue = &self->cfg->venues[edge->venue];
    if (edge->broker)
        return tt_broker_venue_start(self->rt, edge->venue, &edge->stats);
    if (venue->kind == TT_VENUE_BINANCE || venue->kind == TT_VENUE_ALPACA)
        return tt_feed_venue_start(self->rt, edge->venue, &edge->stats);
    if (venue->endpoint_count > 0)
        return tt_feed_ws_start(self->rt, edge->venue, &edge->stats);
    return tt_feed_sim_start(self->rt, edge->venue, &edge->stats);
}

/* Feeds start once every symbol has come up, so that no tick arrives at a
   data actor that does not exist yet. */
static void s_start_edges(tt_root_t *self)
{
    for (size_t i = 0; i < self->cfg->symbol_count; i++)
        if (self->symbols[i].life.state == TT_STATE_STARTING)
            return;
    self->edges_started = true;
    /* The clock first: a session edge finds every symbol up. Not in a
       backtest: there the replay feed steps the sessions inside its
       lockstep (actors/feed_replay.h), so an edge lands at the same place
       in the data every run; the clock actor's own beat would not. */
    if (!self->opts.replay)
        self->sessions = tt_clock_actor_start(self->rt, &self->clock_stats);
    for (size_t e = 0; e < self->edge_count; e++) {
        tt_edge_rec_t *edge = &self->edges[e];
        tt_root_move(self, &edge->life, edge->name, TT_STATE_STARTING, "start");
        if (self->opts.replay)
            edge->thread =
                tt_feed_replay_start(self->rt, self->opts.replay, self->replay);
        else
            edge->thread = s_start_feed(self, edge);
        if (!edge->thread) {
            snprintf(edge->last_error, sizeof edge->last_error, "%.190s",
                     self->replay && self->replay->error[0]
                         ? self->replay->error
                         : "the feed could not start (see the log above)");
            if (self->replay) { /* nothing to replay: the backtest ends */
                tt_error("root", "%s", edge->last_error);
                atomic_store(&self->replay->failed, true);
                tt_root_request_stop(self);
            }
            tt_root_move(self, &edge->life, edge->name, TT_STATE_ERROR,
                         edge->last_error);
            continue;
        }
        tt_root_move(self, &edge->life, edge->name, TT_STATE_RUNNING,
                     "started");
    }
}

/* Tick to signal and tick to order over the run (runtime/latency.h), for
   bench/latency and for anyone reading the log. */
static void s_log_latency(tt_root_t *self)
{
    static const char *names[TT_LATENCY_KINDS] = {
        "tick to signal", "tick to order (decided on a signal)",
        "tick to order (decided on other input)",
        "tick to order (at the broker)"};
    for (int k = 0; k < TT_LATENCY_KINDS; k++) {
        tt_latency_t *lat = tt_runtime_latency(self->rt, (tt_latency_kind_t)k);
        uint64_t n = tt_latency_count(lat);
        if (!n)
            continue;
        tt_info("root",
                "%s: %llu %s, p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max "
                "%.1f us",
                names[k], (unsigned long long)n,
                k == TT_LATENCY_SIGNAL ? "signals" : "orders",
                (double)tt_latency_quantile(lat, 0.50) / 1e3,
                (double)tt_latency_quantile(lat, 0.99) / 1e3,
                (double)tt_latency_quantile(lat, 0.999) / 1e3,
                (double)atomic_load(&lat->max_ns) / 1e3);
    }
}

/* Feeds stop first: nothing new flows in while symbols wind down. The
   broker gateways (BROKERS) stop last, once the symbols have: an order
   committed during the stop still reaches its venue. */
static void s_stop_edges(tt_root_t *self, bool brokers)
{
    if (!brokers)
        zactor_destroy(&self->sessions);
    for (size_t e = 0; e < self->edge_count; e++) {
        tt_edge_rec_t *edge = &self->edges[e];
        if (edge->broker != brokers || edge->life.state == TT_STATE_STOPPED ||
            edge->life.state == TT_STATE_CREATED)
            continue;
        tt_root_move(self, &edge->life, edge->name, TT_STATE_STOPPING,
                     "shutdown");
        zactor_destroy(&edge->thread);
        tt_root_move(self, &edge->life, edge->name, TT_STATE_STOPPED,
                     "stopped");
    }
}

void tt_root_request_stop(tt_root_t *self)
{
    if (self->stop_requested)
        return;
    self->stop_requested = true;
    self->stop_deadline_ns =
        tt_root_now(self) + self->cfg->shutdown_timeout_ms * 1000000;
    tt_runtime_set_stop_by(
        self->rt, tt_mono_ns() + self->cfg->shutdown_timeout_ms * 1000000);
    tt_root_move(self, &self->life, "root", TT_STATE_STOPPING, "stop");
    s_stop_edges(self, false);
    /* The symbols stop once they have handled what the feeds sent before
       they stopped (runtime.h, fences), at most a second later. */
    self->draining = true;
    self->drain_deadline_ns = tt_root_now(self) + S_DRAIN_NS;
}

/* Asks every running execution actor to finish the orders on their way
   through the bus (TT_MSG_DRAIN): an order decided and stored before the
   stop reaches its broker instead of being expired at the next start,
   and a live venue's answer to it reaches the store.
   They have half of what is left of the stop's budget; the rest is for
   the symbols to stop. */
static void s_finish_orders(tt_root_t *self)
{
    int64_t now = tt_root_now(self);
    self->orders_waiting = 0;
    self->orders_deadline_ns = now + (self->stop_deadline_ns - now) / 2;
    for (size_t i = 0; i < self->cfg->symbol_count; i++) {
        tt_symbol_rec_t *sym = &self->symbols[i];
        tt_state_t state = sym->actors[TT_ROLE_EXECUTION].life.state;
        sym->orders_wait =
            state == TT_STATE_RUNNING || state == TT_STATE_PAUSED;
        if (!sym->orders_wait)
            continue;
        self->orders_waiting++;
        tt_sender_send(self->sender,
                       tt_runtime_actor_id((int)i, TT_ROLE_EXECUTION),
                       TT_ACTOR_ROOT, TT_MSG_DRAIN, NULL, 0, true);
    }
}

/* Once the feeds' fences are all handled, the execution actors finish
   their orders in flight; then the symbols stop. */
static void s_check_drained(tt_root_t *self)
{
    int64_t now = tt_root_now(self);
    if (self->draining &&
        (tt_runtime_fences(self->rt) == 0 || now >= self->drain_deadline_ns)) {
        if (tt_runtime_fences(self->rt) > 0)
            tt_warn("root",
                    "stopping the symbols with %lld feed fence(s) "
                    "still unhandled",
                    (long long)tt_runtime_fences(self->rt));
        self->draining = false;
        s_finish_orders(self);
        self->finishing = true;
    }
    if (!self->finishing ||
        (self->orders_waiting > 0 && now < self->orders_deadline_ns))
        return;
    if (self->orders_waiting > 0)
        tt_warn("root",
                "stopping %d symbol(s) with orders still waiting for the "
                "store or the venue: each is named in its execution "
                "actor's log",
                self->orders_waiting);
    self->finishing = false;
    tt_symbols_stop_all(self);
}

static long s_poll_timeout(tt_root_t *self)
{
    int64_t now = tt_root_now(self);
    int64_t next = now + self->cfg->watchdog_ms * 1000000 / 4;
    int64_t due = tt_symbols_next_due(self);
    if (due < next)
        next = due;
    if (self->stop_requested && self->stop_deadline_ns < next)
        next = self->stop_deadline_ns;
    if (self->draining)
        next = now + 1000000; /* the fences are counted, not reported */
    if (self->finishing && self->orders_deadline_ns < next)
        next = self->orders_deadline_ns;
    if (self->preview_pending && self->preview_deadline_ns < next)
        next = self->preview_deadline_ns;
    long wait = (long)((next - now) / 1000000);
    if (tt_sender_pending(self->sender) && wait > 1)
        wait = 1;
    return wait < 1 ? 1 : wait;
}

static int s_open_signals(tt_root_t *self)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    self->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    return self->signal_fd < 0 ? -1 : 0;
}

static int s_start(tt_root_t *self)
{
    self->sender = tt_sender_new(self->rt);
    if (!self->sender)
        return -1;
    tt_root_move(self, &self->life, "root", TT_STATE_STARTING, "start");
    /* Candles of the warm-up history close before this: their signals
       are not traded. */
    tt_runtime_set_trade_from(self->rt, self->opts.replay
                                            ? self->opts.replay->from_ns
                                            : tt_clock_now(self->clock));
    if (s_open_signals(self) != 0 || tt_runtime_start(self->rt) != 0) {
        tt_error("root", "cannot start the worker threads");
        return -1;
    }
    tt_symbols_start_all(self);
    tt_root_move(self, &self->life, "root", TT_STATE_RUNNING,
                 "symbols started");
    tt_info("root", "%zu symbols on %d workers; control on %s",
            self->cfg->symbol_count, self->cfg->workers,
            self->cfg->control_endpoint);
    return 0;
}

int tt_root_run(tt_root_t *self)
{
    if (s_start(self) != 0)
        return 1;
    zmq_pollitem_t items[] = {
        {zsock_resolve(self->inbox), 0, ZMQ_POLLIN, 0},
        {zsock_resolve(self->control), 0, ZMQ_POLLIN, 0},
        {NULL, self->signal_fd, ZMQ_POLLIN, 0},
    };
    int code = 0;
    while (true) {
        tt_sender_flush(self->sender);
        items[1].events = self->preview_pending ? 0 : ZMQ_POLLIN;
        if (zmq_poll(items, 3, s_poll_timeout(self)) < 0 && errno != EINTR)
            break;
        if (items[0].revents & ZMQ_POLLIN)
            s_drain_reports(self);
        /* A REP socket answers before it reads again: while a preview
           waits for its answer, requests wait in the socket. */
        if (self->preview_pending)
            tt_control_preview_expire(self);
        else if (items[1].revents & ZMQ_POLLIN)
            tt_control_handle(self);
        if (items[2].revents & ZMQ_POLLIN)
            s_on_signal(self);
        if (self->stop_requested) {
            s_check_drained(self);
            if (!self->draining && !self->finishing &&
                tt_symbols_all_stopped(self) &&
                !tt_sender_pending(self->sender))
                break;
            if (tt_root_now(self) >= self->stop_deadline_ns) {
                tt_error("root", "shutdown took longer than %lld ms",
                         (long long)self->cfg->shutdown_timeout_ms);
                code = 1;
                break;
            }
            continue;
        }
        tt_symbols_run_due(self);
        s_watchdog(self);
        if (!self->edges_started)
            s_start_edges(self);
    }
    s_stop_edges(self, true);
    tt_runtime_stop(self->rt);
    s_log_latency(self);
    tt_root_move(self, &self->life, "root", TT_STATE_STOPPED,
                 code == 0 ? "clean stop" : "stop timed out");
    /* The bus stops last, so the final events are numbered and stored. */
    for (int n = 0; n < 1000 && tt_sender_flush(self->sender); n++)
        zclock_sleep(1);
    zactor_destroy(&self->bus);
    return code;
}
