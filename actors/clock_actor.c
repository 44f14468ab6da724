/*  actors/clock_actor.c: market sessions (see clock_actor.h). Runs on its
    own thread (a czmq zactor); its state is private to that thread. The
    portfolio it acts on is shared with the execution actors
    (risk/portfolio.h, locked inside). */
#include "actors/clock_actor.h"
#include "actors/exec_portfolio.h"
#include "actors/strategy_ctx.h"
#include "clock/session_watch.h"
#include "marketdata/decimal.h"
#include "risk/portfolio.h"
#include "runtime/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PERIOD_MS 10 /* how often the clock is read */
#define S_PATH "clock"

typedef struct {
    tt_calendar_t cal;
    tt_session_watch_t watch;
    bool closing;       /* a session ended; its summary waits */
    tt_session_t ended; /* that session */
    tt_ns_t eod_due;    /* the summary goes out by then at the latest */
} s_venue_t;

struct tt_sessions {
    tt_runtime_t *rt;
    const tt_config_t *cfg;
    tt_portfolio_t *pf;
    tt_clock_stats_t *stats;
    tt_sender_t *sender; /* the caller's */
    s_venue_t *venues;
    bool *force_close;    /* per symbol: its strategy closes at the end */
    tt_eod_line_t *lines; /* scratch for a summary, one per symbol */
    int acted;            /* edges and summaries of the current step */
};

typedef tt_sessions_t s_clock_t;

/* The clock actor's thread. */
typedef struct {
    tt_runtime_t *rt;
    tt_clock_stats_t *stats;
    bool ok; /* set up (the starter reads it) */
} s_start_t;

static uint32_t s_exec_id(size_t symbol)
{
    return tt_runtime_actor_id((int)symbol, TT_ROLE_EXECUTION);
}

/* Tells every execution actor of venue V about a session edge. */
static void s_tell(s_clock_t *self, size_t v, tt_session_kind_t kind,
                   const tt_session_t *s, bool force)
{
    for (size_t i = 0; i < self->cfg->symbol_count; i++) {
        if (self->cfg->symbols[i].venue != v)
            continue;
        tt_session_msg_t m = {.ts =
                                  kind == TT_SESSION_OPEN ? s->open : s->close,
                              .kind = (int32_t)kind,
                              .session_id = s->date,
                              .force_close = force && self->force_close[i],
                              .seamless = kind == TT_SESSION_CLOSE && !force};
        tt_sender_send(self->sender, s_exec_id(i), TT_ACTOR_ROOT,
                       TT_MSG_SESSION, &m, sizeof m, true);
    }
}

/* Resets the tripped breakers of venue V's symbols, each with an event. */
static void s_reset_breakers(s_clock_t *self, size_t v, tt_ns_t ts,
                             const char *why)
{
    for (size_t i = 0; i < self->cfg->symbol_count; i++) {
        if (self->cfg->symbols[i].venue != v ||
            !tt_portfolio_breaker_tripped(self->pf, i) ||
            tt_portfolio_breaker_reset(self->pf, i, ts) == 0)
            continue;
        tt_info(self->cfg->symbols[i].name, "circuit breaker reset (%s)", why);
        if (!tt_runtime_has_bus(self->rt))
            continue;
        tt_evt_breaker_t ev;
        tt_exec_breaker_event(&ev, false, 0, ts, why);
        tt_sender_send(self->sender, TT_ACTOR_BUS, s_exec_id(i), TT_EVT_BREAKER,
                       &ev, sizeof ev, true);
    }
}

static void s_eod_line(s_clock_t *self, size_t v, const tt_eod_line_t *line,
                       const tt_session_t *s)
{
    int d = tt_portfolio_cfg(self->pf)->decimals;
    char net[32], fees[32], dd[32];
    tt_decimal_format(line->net, d, net, sizeof net);
    tt_decimal_format(line->fees, d, fees, sizeof fees);
    tt_decimal_format(line->max_drawdown, d, dd, sizeof dd);
    int32_t win = tt_eod_win_rate_bp(line);
    tt_info(S_PATH,
            "end of day %d %s %s: %u trades, win rate %d.%02d%%, net %s, "
            "fees %s, max drawdown %s",
            (int)s->date, self->cfg->venues[v].name,
            line->symbol[0] ? line->symbol : "total", line->trades,
            (int)(win / 100), (int)(win % 100), net, fees, dd);
    if (!tt_runtime_has_bus(self->rt))
        return;
    tt_evt_eod_t ev = {.ts = s->close,
                       .session_id = s->date,
                       .decimals = d,
                       .trades = line->trades,
                       .wins = line->wins,
                       .win_rate_bp = win,
                       .gross = line->gross,
                       .fees = line->fees,
                       .net = line->net,
                       .max_drawdown = line->max_drawdown};
    snprintf(ev.venue, sizeof ev.venue, "%s", self->cfg->venues[v].name);
    snprintf(ev.symbol, sizeof ev.symbol, "%s", line->symbol);
    tt_sender_send(self->sender, TT_ACTOR_BUS, TT_ACTOR_ROOT, TT_EVT_EOD, &ev,
                   sizeof ev, true);
}

/* True while a symbol of venue V that force-closes still holds its slot
   (a position or orders). */
static bool s_closing_busy(s_clock_t *self, size_t v)
{
    for (size_t i = 0; i < self->cfg->symbol_count; i++)
        if (self->cfg->symbols[i].venue == v && self->force_close[i] &&
            tt_portfolio_held(self->pf, i))
            return true;
    return false;
}

/* Emits venue V's summary once its force-closed symbols are flat, at
   the deadline, or at once when FORCE (the next session opens). */
static void s_check_eod(s_clock_t *self, size_t v, tt_ns_t now, bool force)
{
    s_venue_t *venue = &self->venues[v];
    if (!venue->closing)
        return;
    if (!force && now < venue->eod_due && s_closing_busy(self, v))
        return;
    venue->closing = false;
    tt_eod_line_t total;
    size_t n = tt_portfolio_eod(self->pf, v, self->lines,
                                self->cfg->symbol_count, &total);
    for (size_t i = 0; i < n && i < self->cfg->symbol_count; i++)
        s_eod_line(self, v, &self->lines[i], &venue->ended);
    s_eod_line(self, v, &total, &venue->ended);
    tt_portfolio_eod_reset(self->pf, v, venue->ended.date);
    self->acted++;
    atomic_fetch_add(&self->stats->summaries, 1);
    atomic_store(&self->stats->last_eod_session, venue->ended.date);
    s_reset_breakers(self, v, now, "session ended");
}

static void s_on_open(s_clock_t *self, size_t v, const tt_session_t *s)
{
    s_check_eod(self, v, s->open, true);
    s_reset_breakers(self, v, s->open, "new session");
    tt_portfolio_session_open(self->pf, v, s->date, s->open);
    s_tell(self, v, TT_SESSION_OPEN, s, false);
    self->acted++;
    atomic_fetch_add(&self->stats->opens, 1);
    tt_info(S_PATH, "%s: session %d open", self->cfg->venues[v].name,
            (int)s->date);
}

static void s_on_close(s_clock_t *self, size_t v, const tt_session_t *s)
{
    s_venue_t *venue = &self->venues[v];
    bool seamless = tt_session_watch_seamless(&venue->watch, s);
    if (!seamless)
        tt_portfolio_session_close(self->pf, v);
    s_tell(self, v, TT_SESSION_CLOSE, s, !seamless);
    venue->closing = true;
    venue->ended = *s;
    venue->eod_due = seamless ? s->close : s->close + TT_CLOCK_EOD_GRACE_NS;
    self->acted++;
    atomic_fetch_add(&self->stats->closes, 1);
    tt_info(S_PATH, "%s: session %d ended%s", self->cfg->venues[v].name,
            (int)s->date, seamless ? "" : "; force-closing");
}

int tt_sessions_step(tt_sessions_t *self, tt_ns_t now)
{
    self->acted = 0;
    for (size_t v = 0; v < self->cfg->venue_count; v++) {
        tt_session_t s;
        tt_session_edge_t edge;
        /* Every edge up to now, in order (bounded: a clock that jumped
           years ahead still ends, a few hundred edges a year). */
        for (int n = 0; n < 4096; n++) {
            edge = tt_session_watch_step(&self->venues[v].watch, now, &s);
            if (edge == TT_EDGE_NONE)
                break;
            if (edge == TT_EDGE_OPEN)
                s_on_open(self, v, &s);
            else
                s_on_close(self, v, &s);
        }
        s_check_eod(self, v, now, false);
    }
    return self->acted;
}

tt_ns_t tt_sessions_next(const tt_sessions_t *self)
{
    tt_ns_t next = INT64_MAX;
    for (size_t v = 0; v < self->cfg->venue_count; v++) {
        const s_venue_t *venue = &self->venues[v];
        tt_ns_t at = tt_session_watch_next(&venue->watch);
        if (at < next)
            next = at;
        if (venue->closing && venue->eod_due < next)
            next = venue->eod_due;
    }
    return next;
}

int tt_sessions_calendar(const tt_venue_cfg_t *vc, tt_calendar_t *cal)
{
    tt_calendar_init(cal, (tt_calendar_kind_t)vc->calendar);
    for (size_t i = 0; i < vc->holiday_count; i++)
        if (tt_calendar_add_holiday(cal, vc->holidays[i]) != TT_CAL_OK)
            return -1;
    for (size_t i = 0; i < vc->early_close_count; i++)
        if (tt_calendar_add_early_close(cal, vc->early_closes[i]) != TT_CAL_OK)
            return -1;
    return 0;
}

void tt_sessions_destroy(tt_sessions_t **self_p)
{
    tt_sessions_t *self = *self_p;
    if (!self)
        return;
    free(self->venues);
    free(self->force_close);
    free(self->lines);
    free(self);
    *self_p = NULL;
}

tt_sessions_t *tt_sessions_new(tt_runtime_t *rt, tt_sender_t *sender,
                               tt_clock_stats_t *stats, tt_ns_t now)
{
    tt_sessions_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    const tt_config_t *cfg = tt_runtime_config(rt);
    *self = (tt_sessions_t){.rt = rt,
                            .cfg = cfg,
                            .pf = tt_runtime_portfolio(rt),
                            .stats = stats,
                            .sender = sender};
    size_t n = cfg->symbol_count ? cfg->symbol_count : 1;
    self->venues =
        calloc(cfg->venue_count ? cfg->venue_count : 1, sizeof *self->venues);
    self->force_close = calloc(n, sizeof *self->force_close);
    self->lines = calloc(n, sizeof *self->lines);
    if (!self->pf || !self->venues || !self->force_close || !self->lines) {
        tt_error(S_PATH, "sessions: %s",
                 self->pf ? "out of memory" : "the runtime has no portfolio");
        tt_sessions_destroy(&self);
        return NULL;
    }
    for (size_t v = 0; v < cfg->venue_count; v++) {
        if (tt_sessions_calendar(&cfg->venues[v], &self->venues[v].cal) != 0) {
            tt_error(S_PATH, "%s: bad calendar dates", cfg->venues[v].name);
            tt_sessions_destroy(&self);
            return NULL;
        }
        tt_session_watch_init(&self->venues[v].watch, &self->venues[v].cal,
                              now);
    }
    for (size_t i = 0; i < cfg->symbol_count; i++) {
        tt_strategy_t *strategy =
            tt_symbol_strategy_new(cfg, &cfg->symbols[i], NULL, NULL, NULL);
        self->force_close[i] =
            !strategy || tt_strategy_force_close_eod(strategy);
        tt_strategy_destroy(&strategy);
    }
    return self;
}

static void s_task(zsock_t *pipe, void *arg)
{
    /* ARG belongs to the starter: read before the handshake, the result
       written into it, never touched after. */
    s_start_t *start = arg;
    tt_runtime_t *rt = start->rt;
    tt_thread_name("clock");
    tt_sender_t *sender = tt_sender_new(rt);
    tt_sessions_t *sessions =
        sender ? tt_sessions_new(rt, sender, start->stats,
                                 tt_clock_now(tt_runtime_clock(rt)))
               : NULL;
    start->ok = sessions != NULL;
    zsock_signal(pipe, 0);
    zpoller_t *poller = sessions ? zpoller_new(pipe, NULL) : NULL;
    while (poller) {
        tt_sessions_step(sessions, tt_clock_now(tt_runtime_clock(rt)));
        tt_sender_flush(sender);
        void *which = zpoller_wait(poller, S_PERIOD_MS);
        if (which == pipe || zpoller_terminated(poller))
            break; /* $TERM */
    }
    zpoller_destroy(&poller);
    tt_sessions_destroy(&sessions);
    tt_sender_destroy(&sender);
}

zactor_t *tt_clock_actor_start(tt_runtime_t *rt, tt_clock_stats_t *stats)
{
    s_start_t start = {.rt = rt, .stats = stats};
    zactor_t *actor = zactor_new(s_task, &start); /* waits for the task */
    if (actor && !start.ok) {
        tt_error(S_PATH, "the clock actor could not start");
        zactor_destroy(&actor);
    }
    return actor;
}
