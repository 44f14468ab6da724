/*  actors/feed_replay.c: the replay feed of a backtest (see
    feed_replay.h). Runs on its own thread (a czmq zactor); its state is
    private to that thread apart from the counters. */
#include "actors/feed_replay.h"
#include "runtime/log.h"
#include "venues/replay/merge.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define S_SETTLE_LIMIT_NS (60 * TT_NS_PER_SEC) /* a graph that never idles */
#define S_PROGRESS_NS (500 * TT_NS_PER_MS)
#define S_AHEAD_MAX 8192  /* records read ahead while the graph works */
#define S_AHEAD_CHUNK 256 /* ... between two looks at the graph */
#define S_PIPELINE 32     /* boundaries in flight, at most */

/* A record read ahead, with the file it came from. */
typedef struct {
    tt_replay_record_t rec;
    size_t src;
} s_ahead_t;

typedef struct {
    tt_runtime_t *rt;
    tt_replay_spec_t spec;
    tt_replay_stats_t *stats;
    tt_sender_t *sender;
    tt_replay_merge_t *merge;
    tt_sessions_t *sessions; /* from the first record on */
    zsock_t *pipe;
    const tt_config_t *cfg;
    tt_tick_batch_t *batch; /* per config symbol, pending ticks */
    tt_pack_t *pack;        /* per worker, being filled */
    uint32_t *pack_to;      /* per worker: its first item's actor */
    int workers;
    int64_t tf_ns;          /* shortest timeframe: the clock's step */
    int64_t step_end;       /* the boundary the current step ends on */
    int step_ticks;         /* in the step, all symbols */
    uint16_t *symbol_ticks; /* in the step, per config symbol */
    int64_t total; /* data lines in every file (progress only, else 0) */
    int64_t wall_start, next_progress;
    int64_t *seen;      /* per config symbol: event time of its last tick */
    bool *quiet;        /* per config symbol: past stale_ms at a clock */
    uint32_t *time_to;  /* per worker: the actor its time items name */
    int64_t last_clock; /* the last boundary the clock went out for */
    int unsettled;      /* boundaries since the last settle */
    bool bars;          /* a file holds bars: every clock is settled */
    s_ahead_t *ahead;   /* ring of S_AHEAD_MAX records read ahead */
    int ahead_first, ahead_count;
    int ahead_rc; /* the merge's answer after the last one: 1 more */
    bool stop;    /* $TERM from the root */
    char path[16];
} s_replay_t;

/* --- files ------------------------------------------------------------ */

static int s_lookup(void *arg, const char *symbol, tt_instrument_t *inst)
{
    const tt_config_t *cfg = arg;
    int i = tt_config_symbol_index(cfg, symbol);
    if (i >= 0)
        *inst = cfg->symbols[i].instrument;
    return i;
}

/* "SYMBOL=PATH" or PATH; the symbol defaults to the file's name up to its
   first dot ("data/BTCUSD.csv.gz" -> "BTCUSD"). */
static const char *s_split(const char *arg, char *symbol, size_t size)
{
    const char *eq = strchr(arg, '=');
    const char *slash = strrchr(arg, '/');
    if (eq && (!slash || eq < slash)) {
        snprintf(symbol, size, "%.*s", (int)(eq - arg), arg);
        return eq + 1;
    }
    const char *base = slash ? slash + 1 : arg;
    snprintf(symbol, size, "%.*s", (int)strcspn(base, "."), base);
    return arg;
}

/* Data lines of PATH (gzip or plain), for the progress line only. */
static int64_t s_count_lines(const char *path)
{
    enum { S_BUF = 1 << 16 };
    gzFile in = gzopen(path, "rb");
    char *buf = in ? malloc(S_BUF) : NULL;
    int64_t lines = 0;
    int n;
    while (buf && (n = gzread(in, buf, S_BUF)) > 0)
        for (char *p = buf; (p = memchr(p, '\n', (size_t)(buf + n - p))); p++)
            lines++;
    free(buf);
    if (in)
        gzclose(in);
    return lines > 0 ? lines - 1 : 0; /* the header */
}

/* Opens one file as ticks, else as bars. */
static int s_add(s_replay_t *self, const char *arg)
{
    char symbol[TT_CSV_SYMBOL_MAX];
    const char *path = s_split(arg, symbol, sizeof symbol);
    tt_csv_opts_t opts = {.kind = TT_CSV_TICKS,
                          .strict = !self->spec.lenient,
                          .symbol = symbol[0] ? symbol : NULL,
                          .lookup = s_lookup,
                          .lookup_arg = (void *)self->cfg};
    char err[512], err_bars[512];
    if (tt_replay_merge_add(self->merge, path, &opts, err, sizeof err) >= 0)
        goto added;
    opts.kind = TT_CSV_BARS;
    if (tt_replay_merge_add(self->merge, path, &opts, err_bars,
                            sizeof err_bars) >= 0)
        goto added;
    /* Neither: the bar reader's complaint is the better one only when
       the file looks like bars (it has an open column). */
    snprintf(self->stats->error, sizeof self->stats->error, "%s",
             strstr(err, "missing column price") ? err_bars : err);
    return -1;
added:
    /* A bar decides signals by itself, on any step: a replay with bars
       settles at every boundary, from its first on (s_step). */
    if (opts.kind == TT_CSV_BARS)
        self->bars = true;
    /* Only the progress line needs the total: counting reads the whole
       file once more (30 ms for 2 M rows). */
    if (self->spec.progress)
        self->total += s_count_lines(path);
    return 0;
}

/* --- reading ahead ---------------------------------------------------- */

/* Reads up to N records into the ring while the actors work on the step
   before: parsing is this thread's own work, and done between two steps
   it was on the lockstep's path. Returns how many were read. */
static int s_read_ahead(s_replay_t *self, int n)
{
    int got = 0;
    while (got < n && self->ahead_rc == 1 && self->ahead_count < S_AHEAD_MAX) {
        s_ahead_t *slot =
            &self->ahead[(self->ahead_first + self->ahead_count) % S_AHEAD_MAX];
        self->ahead_rc =
            tt_replay_merge_next(self->merge, &slot->rec, &slot->src);
        if (self->ahead_rc != 1)
            break;
        self->ahead_count++;
        got++;
        /* Nothing past --to is read: the run ends there, and a lenient
           run counts only the bad lines it replayed through. */
        if (self->spec.to_ns && slot->rec.ts >= self->spec.to_ns)
            self->ahead_rc = 0;
    }
    return got;
}

/* The next record, read ahead or now: as tt_replay_merge_next. */
static int s_next(s_replay_t *self, tt_replay_record_t *rec, size_t *src)
{
    if (self->ahead_count == 0)
        s_read_ahead(self, 1);
    if (self->ahead_count == 0)
        return self->ahead_rc;
    s_ahead_t *slot = &self->ahead[self->ahead_first];
    *rec = slot->rec;
    *src = slot->src;
    self->ahead_first = (self->ahead_first + 1) % S_AHEAD_MAX;
    self->ahead_count--;
    return 1;
}

/* --- time ------------------------------------------------------------- */

/* After a settle nothing the feed sent is in flight: the bounds on what
   may be (ticks of a symbol, ticks in all, boundaries) start again. */
static void s_settled(s_replay_t *self)
{
    if (self->step_ticks)
        memset(self->symbol_ticks, 0,
               self->cfg->symbol_count * sizeof *self->symbol_ticks);
    self->step_ticks = 0;
    self->unsettled = 0;
}

/* Waits until every frame sent so far has been handled, the frames this
   thread still has queued included: the thread that handles the last one
   wakes this one (tt_runtime_wait_idle). */
static int s_settle(s_replay_t *self)
{
    int64_t start = tt_mono_ns();
    while (true) {
        tt_feed_flush(self->sender, &self->stats->feed);
        bool queued = tt_sender_pending(self->sender) != 0;
        if (!queued && tt_runtime_inflight(self->rt) != 0 &&
            s_read_ahead(self, S_AHEAD_CHUNK) > 0)
            continue;
        /* Wakes at zero in flight; a short bound while this thread still
           has frames of its own queued, to retry them. */
        if (tt_runtime_wait_idle(self->rt, queued ? 100000 : 50000000) &&
            !queued) {
            atomic_fetch_add(&self->stats->settles, 1);
            s_settled(self);
            return 0;
        }
        if (zsock_events(self->pipe) & ZMQ_POLLIN) {
            self->stop = true;
            return -1;
        }
        if (tt_mono_ns() - start > S_SETTLE_LIMIT_NS) {
            snprintf(self->stats->error, sizeof self->stats->error,
                     "the actors did not settle within %d s (%lld frames "
                     "in flight)",
                     (int)(S_SETTLE_LIMIT_NS / TT_NS_PER_SEC),
                     (long long)tt_runtime_inflight(self->rt));
            return -1;
        }
    }
}

/* Waits until the bus has handled every frame set aside: the run is
   over only once every row is on its way to the store (its report is
   read from there). The actors are idle already. */
static int s_settle_bus(s_replay_t *self)
{
    int64_t start = tt_mono_ns();
    while (!tt_runtime_wait_drained(self->rt, 50000000)) {
        if (zsock_events(self->pipe) & ZMQ_POLLIN) {
            self->stop = true;
            return -1;
        }
        if (tt_mono_ns() - start > S_SETTLE_LIMIT_NS) {
            snprintf(self->stats->error, sizeof self->stats->error,
                     "the bus did not catch up within %d s (%lld frames "
                     "behind)",
                     (int)(S_SETTLE_LIMIT_NS / TT_NS_PER_SEC),
                     (long long)tt_runtime_aside(self->rt));
            return -1;
        }
    }
    return 0;
}

/* --- packs ------------------------------------------------------------ */

/* Sends worker W's pack: one item as a frame of its own, more as one
   pack (messages/internal.h). Ticks and clocks are critical. */
static void s_pack_send(s_replay_t *self, int w)
{
    tt_pack_t *pack = &self->pack[w];
    if (pack->count == 1) {
        tt_msg_t one, whole = {.hdr = {.type = TT_MSG_PACK}};
        whole.body.pack = *pack;
        uint32_t off = 0;
        bool ok = tt_pack_next(&whole, &off, &one);
        assert(ok);
        (void)ok;
        tt_sender_send(self->sender, one.hdr.to, TT_ACTOR_ROOT, one.hdr.type,
                       &one.body, one.hdr.len, true);
    } else if (pack->count > 1)
        tt_sender_send(self->sender, self->pack_to[w], TT_ACTOR_ROOT,
                       TT_MSG_PACK, pack, tt_pack_len(pack), true);
    tt_pack_reset(pack);
}

/* Adds a frame for data actor TO to its worker's pack; a full pack goes
   first, and a frame too big for any pack goes alone. */
static void s_pack_put(s_replay_t *self, uint32_t to, uint16_t type,
                       const void *body, uint32_t len)
{
    int w = tt_runtime_actor(self->rt, to)->worker;
    tt_pack_t *pack = &self->pack[w];
    if (tt_pack_add(pack, to, type, body, len) == 0)
        goto added;
    s_pack_send(self, w);
    if (tt_pack_add(pack, to, type, body, len) == 0)
        goto added;
    tt_sender_send(self->sender, to, TT_ACTOR_ROOT, type, body, len, true);
    return;
added:
    if (pack->count == 1)
        self->pack_to[w] = to;
}

static void s_pack_send_all(s_replay_t *self)
{
    for (int w = 0; w < self->workers; w++)
        s_pack_send(self, w);
}

/* Every symbol's pending ticks, packed per worker in symbol order: the
   order each worker sees is the one separate frames had. */
static void s_flush_all(s_replay_t *self)
{
    for (size_t i = 0; i < self->cfg->symbol_count; i++) {
        tt_tick_batch_t *batch = &self->batch[i];
        if (!batch->count)
            continue;
        uint32_t len = (uint32_t)(offsetof(tt_tick_batch_t, ticks) +
                                  batch->count * sizeof(tt_tick_t));
        s_pack_put(self, tt_runtime_actor_id((int)i, TT_ROLE_DATA),
                   TT_MSG_TICKS, batch, len);
        atomic_fetch_add(&self->stats->feed.batches, 1);
        atomic_fetch_add(&self->stats->feed.ticks, batch->count);
        batch->count = 0;
    }
    s_pack_send_all(self);
}

static void s_send_clock(s_replay_t *self, int64_t now)
{
    tt_clock_msg_t msg = {.now = now};
    for (size_t i = 0; i < self->cfg->symbol_count; i++)
        s_pack_put(self, tt_runtime_actor_id((int)i, TT_ROLE_DATA),
                   TT_MSG_CLOCK, &msg, sizeof msg);
    s_pack_send_all(self);
}

/* The market time NOW in band, one item for each worker, behind the
   ticks before it and ahead of the clocks (runtime/worker.c). */
static void s_put_time(s_replay_t *self, int64_t now)
{
    tt_clock_msg_t msg = {.now = now};
    for (int w = 0; w < self->workers; w++)
        if (self->time_to[w] != UINT32_MAX)
            s_pack_put(self, self->time_to[w], TT_MSG_TIME, &msg, sizeof msg);
}

/* The first event: the workers take the market time in band from here
   on, at the clock's value still (the clock first moves at the first
   boundary, once the ticks before it are on their way), and the data
   actors' timers stand down. */
static int s_tell_time(s_replay_t *self, int64_t now)
{
    s_put_time(self, tt_clock_now(tt_runtime_clock(self->rt)));
    s_send_clock(self, now);
    return s_settle(self);
}

/* Whether the clock at NOW may find a symbol stale: its data actor then
   reports to the root, whose pause must be in force before anything
   after this clock can decide a signal. The data actor's own test
   (actors/data.c), from the last tick the feed sent it or the replay's
   first event; it may say yes where the actor said so before (a long
   gap): then every clock of the gap settles. */
static bool s_may_turn_stale(s_replay_t *self, int64_t now)
{
    bool any = false;
    for (size_t i = 0; i < self->cfg->symbol_count; i++)
        if (now - self->seen[i] >
            self->cfg->symbols[i].stale_ms * TT_NS_PER_MS) {
            self->quiet[i] = true;
            any = true;
        }
    return any;
}

/* Whether a symbol a clock may have found stale has had ticks since the
   last clock: its data actor reports it fresh to the root, whose resume
   must be in force before this clock's signals. */
static bool s_may_turn_fresh(s_replay_t *self)
{
    bool any = false;
    for (size_t i = 0; i < self->cfg->symbol_count; i++)
        if (self->quiet[i] && self->seen[i] >= self->last_clock) {
            self->quiet[i] = false;
            any = true;
        }
    return any;
}

/* Ends a step: what was read is sent, and on a BOUNDARY time moves to
   NOW in band (each worker's actors read the market time their mailbox
   has reached, runtime/worker.c), the session edges up to NOW are acted
   on and the clock goes out. Each worker handles its frames in the
   data's order, a frame's chain among a symbol's actors before the next
   frame, and a backtest's symbols share nothing across workers (a
   portfolio limit puts them on one; the bus sends nothing back): so the
   ticks' effects (a fill, the position it tells the strategy) reach the
   strategy before the boundary's closed candles without the feed
   waiting between them, nor after the clock. It settles (waits until
   the graph is idle) only where something crosses threads and comes
   back, or to bound what is in flight: before a clock when a symbol
   that may be stale had ticks (the root's resume), after a clock that
   may find a symbol stale (the root's pause), around a session edge
   and with bars (as every boundary once did), at the end, and every
   S_PIPELINE boundaries, TT_REPLAY_STEP_TICKS ticks of a symbol or
   TT_REPLAY_STEP_TOTAL in all. Sessions go before the clock: a session
   is [open, close), so a candle ending at the close is decided on after
   the market closed (its entries are refused, a force-close has already
   gone out). */
static int s_step(s_replay_t *self, int64_t now, bool boundary, bool last)
{
    s_flush_all(self);
    atomic_fetch_add(&self->stats->steps, 1);
    if (!boundary)
        return s_settle(self);
    bool move = now > tt_clock_now(tt_runtime_clock(self->rt));
    bool edge = self->sessions && tt_sessions_next(self->sessions) <= now;
    bool fresh = s_may_turn_fresh(self);
    if ((!move || edge || fresh || self->bars) && s_settle(self) != 0)
        return -1;
    if (move) {
        tt_clock_set(tt_runtime_clock(self->rt), now);
        s_put_time(self, now);
        self->last_clock = now;
    }
    if (edge) {
        s_pack_send_all(self);
        if (tt_sessions_step(self->sessions, now) > 0 && s_settle(self) != 0)
            return -1;
    }
    if (!move)
        return 0;
    s_send_clock(self, now);
    bool stale = s_may_turn_stale(self, now); /* marks every quiet symbol */
    if (last || edge || self->bars || stale || ++self->unsettled >= S_PIPELINE)
        return s_settle(self);
    return 0;
}

/* --speed N: the replay keeps N times the pace of its event time. */
static void s_pace(s_replay_t *self, int64_t ts)
{
    if (self->spec.speed <= 0)
        return;
    int64_t first = atomic_load(&self->stats->first_ts);
    int64_t due =
        self->wall_start + (int64_t)((double)(ts - first) / self->spec.speed);
    int64_t wait = due - tt_mono_ns();
    if (wait <= 0)
        return;
    if (wait > 100 * TT_NS_PER_MS)
        wait = 100 * TT_NS_PER_MS; /* stay responsive to $TERM */
    struct timespec nap = {wait / TT_NS_PER_SEC, wait % TT_NS_PER_SEC};
    nanosleep(&nap, NULL);
}

static void s_progress(s_replay_t *self, bool last)
{
    if (!self->spec.progress)
        return;
    int64_t now = tt_mono_ns();
    if (!last && now < self->next_progress)
        return;
    self->next_progress = now + S_PROGRESS_NS;
    double done = (double)atomic_load(&self->stats->records);
    double secs = (double)(now - self->wall_start) / 1e9;
    double rate = secs > 0 ? done / secs : 0;
    double pct = self->total > 0 ? 100.0 * done / (double)self->total : 100;
    if (pct > 100)
        pct = 100;
    double eta = rate > 0 && self->total > done
                     ? ((double)self->total - done) / rate
                     : 0;
    fprintf(stderr,
            "\rbacktest: %5.1f%%  %.0f events  %.2f M events/s  ETA %.0f s ",
            pct, done, rate / 1e6, eta);
    if (last)
        fputc('\n', stderr);
    fflush(stderr);
}

/* --- records ---------------------------------------------------------- */

/* Counts N ticks of SYMBOL into the step; 1 when the step is full. */
static int s_count(s_replay_t *self, int32_t symbol, int n)
{
    self->step_ticks += n;
    self->symbol_ticks[symbol] += (uint16_t)n;
    return self->symbol_ticks[symbol] >= TT_REPLAY_STEP_TICKS ||
                   self->step_ticks >= TT_REPLAY_STEP_TOTAL
               ? 1
               : 0;
}

static int s_tick(s_replay_t *self, const tt_replay_record_t *rec)
{
    tt_tick_batch_t *batch = &self->batch[rec->symbol];
    batch->ticks[batch->count++] = rec->tick;
    self->seen[rec->symbol] = rec->tick.ts;
    if (batch->count == TT_TICK_BATCH)
        tt_feed_send_batch(self->sender,
                           tt_runtime_actor_id(rec->symbol, TT_ROLE_DATA),
                           batch, &self->stats->feed);
    return s_count(self, rec->symbol, 1);
}

static int s_bar(s_replay_t *self, const tt_replay_record_t *rec)
{
    uint32_t data = tt_runtime_actor_id(rec->symbol, TT_ROLE_DATA);
    tt_feed_send_batch(self->sender, data, &self->batch[rec->symbol],
                       &self->stats->feed);
    tt_sender_send(self->sender, data, TT_ACTOR_ROOT, TT_MSG_CANDLE, &rec->bar,
                   sizeof rec->bar, true);
    atomic_fetch_add(&self->stats->bars, 1);
    /* the trades the data actor makes of it */
    return s_count(self, rec->symbol, 4);
}

/* Where the step holding TS ends: the next boundary of the shortest
   timeframe, or a session edge before it. */
static int64_t s_boundary_after(const s_replay_t *self, int64_t ts)
{
    int64_t end = (ts / self->tf_ns + 1) * self->tf_ns;
    int64_t edge = self->sessions ? tt_sessions_next(self->sessions) : end;
    return edge < end ? edge : end;
}

/* Replays every record; 0 at the end, -1 on an error or a stop. */
static int s_run(s_replay_t *self)
{
    tt_replay_record_t rec;
    size_t src = 0;
    int rc;
    while (!self->stop && (rc = s_next(self, &rec, &src)) == 1) {
        if (self->spec.to_ns && rec.ts >= self->spec.to_ns)
            break;
        if (!atomic_load(&self->stats->records)) {
            atomic_store(&self->stats->first_ts, rec.ts);
            for (size_t i = 0; i < self->cfg->symbol_count; i++)
                self->seen[i] = rec.ts; /* the data actors' start */
            /* Time is in band from the first event on: the data actors'
               timers stand down before the clock first moves. */
            if (s_tell_time(self, rec.ts) != 0)
                return -1;
            /* The sessions start at the data's present: one in progress
               opens now. */
            self->sessions = tt_sessions_new(self->rt, self->sender,
                                             &self->stats->sessions, rec.ts);
            if (!self->sessions) {
                snprintf(self->stats->error, sizeof self->stats->error,
                         "the market sessions could not be set up");
                return -1;
            }
            if (tt_sessions_step(self->sessions, rec.ts) && s_settle(self))
                return -1;
            self->step_end = s_boundary_after(self, rec.ts);
        }
        /* A boundary of the shortest timeframe, or a session edge, lies
           behind this record: candles that ended there close first,
           everywhere, and the edge is acted on. A gap in the data may
           hold several edges: each gets its step, in order. */
        if (rec.ts >= self->step_end) {
            for (int n = 0; n < 4096 && rec.ts >= self->step_end; n++) {
                if (s_step(self, self->step_end, true, false) != 0)
                    return -1;
                self->step_end = s_boundary_after(self, rec.ts);
            }
            s_pace(self, rec.ts);
        }
        atomic_store(&self->stats->last_ts, rec.ts);
        atomic_fetch_add(&self->stats->records, 1);
        int full =
            tt_csv_timeframe(tt_replay_merge_reader(self->merge, src)) > 0
                ? s_bar(self, &rec)
                : s_tick(self, &rec);
        if (full && s_step(self, rec.ts, false, false) != 0)
            return -1;
        s_progress(self, false);
    }
    if (self->stop)
        return -1;
    if (rc < 0) {
        snprintf(self->stats->error, sizeof self->stats->error, "%s",
                 tt_replay_merge_error(self->merge));
        return -1;
    }
    if (s_step(self, atomic_load(&self->stats->last_ts), true, true) != 0)
        return -1;
    return s_settle_bus(self);
}

/* --- lifetime --------------------------------------------------------- */

static int64_t s_shortest_tf(const tt_config_t *cfg)
{
    int64_t tf = 60;
    for (size_t i = 0; i < cfg->symbol_count; i++)
        for (size_t t = 0; t < cfg->symbols[i].timeframe_count; t++)
            if (cfg->symbols[i].timeframes[t] < tf)
                tf = cfg->symbols[i].timeframes[t];
    return (tf > 0 ? tf : 1) * TT_NS_PER_SEC;
}

static int s_setup(s_replay_t *self)
{
    self->cfg = tt_runtime_config(self->rt);
    self->tf_ns = s_shortest_tf(self->cfg);
    self->merge = tt_replay_merge_new();
    self->sender = tt_sender_new(self->rt);
    self->batch = calloc(self->cfg->symbol_count + 1, sizeof *self->batch);
    self->symbol_ticks =
        calloc(self->cfg->symbol_count + 1, sizeof *self->symbol_ticks);
    self->ahead = malloc(S_AHEAD_MAX * sizeof *self->ahead);
    self->seen = calloc(self->cfg->symbol_count + 1, sizeof *self->seen);
    self->quiet = calloc(self->cfg->symbol_count + 1, sizeof *self->quiet);
    self->ahead_rc = 1;
    self->workers = tt_runtime_workers(self->rt);
    self->pack = calloc((size_t)self->workers, sizeof *self->pack);
    self->pack_to = calloc((size_t)self->workers, sizeof *self->pack_to);
    self->time_to = malloc((size_t)self->workers * sizeof *self->time_to);
    if (!self->merge || !self->sender || !self->batch || !self->symbol_ticks ||
        !self->ahead || !self->seen || !self->quiet || !self->pack ||
        !self->pack_to || !self->time_to) {
        snprintf(self->stats->error, sizeof self->stats->error,
                 "out of memory");
        return -1;
    }
    for (int w = 0; w < self->workers; w++)
        self->time_to[w] = UINT32_MAX;
    for (size_t i = 0; i < self->cfg->symbol_count; i++) {
        uint32_t id = tt_runtime_actor_id((int)i, TT_ROLE_DATA);
        int w = tt_runtime_actor(self->rt, id)->worker;
        if (self->time_to[w] == UINT32_MAX)
            self->time_to[w] = id;
    }
    for (size_t f = 0; f < self->spec.file_count; f++)
        if (s_add(self, self->spec.files[f]) != 0)
            return -1;
    return 0;
}

/* Lenient mode: what was skipped, for the report. */
static void s_collect_skips(s_replay_t *self)
{
    tt_replay_stats_t *st = self->stats;
    for (size_t f = 0; f < tt_replay_merge_count(self->merge); f++) {
        const tt_csv_stats_t *cs =
            tt_csv_stats(tt_replay_merge_reader(self->merge, f));
        if (!cs)
            continue;
        atomic_fetch_add(&st->skipped, (uint64_t)cs->skipped_total);
        for (int r = 0; r < TT_CSV_SKIP_REASONS; r++)
            st->skip_reasons[r] += cs->skipped[r];
        for (int m = 0; m < cs->kept && st->kept < TT_CSV_KEEP_MESSAGES; m++)
            snprintf(st->messages[st->kept++], sizeof st->messages[0], "%s",
                     cs->messages[m]);
    }
}

static void s_teardown(s_replay_t *self)
{
    tt_sessions_destroy(&self->sessions);
    tt_replay_merge_destroy(&self->merge);
    tt_sender_destroy(&self->sender);
    free(self->batch);
    free(self->symbol_ticks);
    free(self->ahead);
    free(self->seen);
    free(self->quiet);
    free(self->time_to);
    free(self->pack);
    free(self->pack_to);
}

static void s_task(zsock_t *pipe, void *arg)
{
    /* ARG belongs to the starter: read before the handshake, its result
       written into it, never touched after. */
    s_replay_t *start = arg;
    s_replay_t self = {.rt = start->rt,
                       .spec = start->spec,
                       .stats = start->stats,
                       .pipe = pipe};
    snprintf(self.path, sizeof self.path, "feed/replay");
    tt_thread_name(self.path);
    int rc = s_setup(&self);
    start->merge = rc == 0 ? self.merge : NULL; /* success marker */
    zsock_signal(pipe, 0);
    if (rc == 0) {
        self.wall_start = tt_mono_ns();
        self.stats->wall_start = self.wall_start;
        self.stats->cpu_start = tt_process_cpu_ns();
        tt_info(self.path, "replaying %zu file(s)", self.spec.file_count);
        rc = s_run(&self);
        tt_info(self.path, "%llu steps, %llu settles",
                (unsigned long long)atomic_load(&self.stats->steps),
                (unsigned long long)atomic_load(&self.stats->settles));
        s_collect_skips(&self);
        self.stats->wall_ns = tt_mono_ns() - self.wall_start;
        s_progress(&self, true);
        if (rc != 0 && !self.stop) {
            tt_error(self.path, "%s", self.stats->error);
            atomic_store(&self.stats->failed, true);
        }
        atomic_store(&self.stats->done, true);
        if (!self.stop) {
            tt_sender_send(self.sender, TT_ACTOR_ROOT, TT_ACTOR_ROOT,
                           TT_REP_REPLAY_DONE, NULL, 0, true);
            for (int n = 0; n < 1000 && tt_sender_flush(self.sender); n++)
                zclock_sleep(1);
        }
    }
    while (!self.stop) { /* until $TERM */
        char *command = zstr_recv(pipe);
        self.stop = !command || strcmp(command, "$TERM") == 0;
        free(command);
    }
    s_teardown(&self);
}

zactor_t *tt_feed_replay_start(tt_runtime_t *rt, const tt_replay_spec_t *spec,
                               tt_replay_stats_t *stats)
{
    s_replay_t start = {.rt = rt, .spec = *spec, .stats = stats};
    zactor_t *actor = zactor_new(s_task, &start); /* waits for the task */
    if (actor && !start.merge)
        zactor_destroy(&actor);
    return actor;
}
