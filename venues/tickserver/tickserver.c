/*  venues/tickserver/tickserver.c: the tickserver's market, pacing and
    websocket glue (see tickserver.h).

    Each service turn first produces (heartbeats due, then ticks due under
    the pacing mode) into the fan-out ring, then lets libwebsockets run the
    sockets. The next tick is always drawn one ahead into `pending`, so the
    real-time mode knows exactly how long it may sleep. Per-connection
    handling (subscribe messages, writes, closes) lives in tsconn.c. */
#include "venues/tickserver/tickserver_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "venues/sim/tickjson.h"

_Static_assert(LWS_PRE <= TT_FANOUT_PRE, "fan-out slots need LWS_PRE room");

#define S_DEFAULT_QUEUE 4096
#define S_MAX_QUEUE (1u << 20)
#define S_DEFAULT_HB_MS 1000
#define S_RUN_WAIT_MS 50

static tt_ns_t s_realtime(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (tt_ns_t)ts.tv_sec * TT_NS_PER_SEC + ts.tv_nsec;
}

void tt_tickserver_cfg_default(tt_tickserver_cfg_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->bind_address = "127.0.0.1";
    cfg->pacing = TT_TICKSERVER_REALTIME;
    tt_sim_params_default(&cfg->sim);
}

static int s_fail(char *err, size_t errsize, const char *msg)
{
    if (err && errsize > 0)
        snprintf(err, errsize, "tickserver: %s", msg);
    return -1;
}

static int s_check_cfg(const tt_tickserver_cfg_t *cfg, char *err,
                       size_t errsize)
{
    if (!cfg->symbols || cfg->symbol_count == 0)
        return s_fail(err, errsize, "no symbols configured");
    if (cfg->symbol_count > INT32_MAX)
        return s_fail(err, errsize, "too many symbols");
    if (cfg->port < 0 || cfg->port > 65535)
        return s_fail(err, errsize, "port must be 0..65535");
    if (cfg->pacing != TT_TICKSERVER_REALTIME &&
        cfg->pacing != TT_TICKSERVER_FAST)
        return s_fail(err, errsize, "unknown pacing mode");
    if (cfg->heartbeat_ms < 0)
        return s_fail(err, errsize, "heartbeat_ms must be >= 0");
    if (cfg->queue_cap == 1 || cfg->queue_cap > S_MAX_QUEUE)
        return s_fail(err, errsize, "queue_cap must be 2..1048576 (0: 4096)");
    return 0;
}

/* The market and the copy of each symbol's instrument. */
static int s_build_market(tt_tickserver_t *self, const tt_tickserver_cfg_t *cfg,
                          char *err, size_t errsize)
{
    self->market = tt_simmarket_new(&cfg->sim, self->start_ns);
    if (!self->market)
        return s_fail(err, errsize, "invalid sim parameters");
    self->instruments = calloc(cfg->symbol_count, sizeof *self->instruments);
    if (!self->instruments)
        return s_fail(err, errsize, "out of memory");
    for (size_t i = 0; i < cfg->symbol_count; i++) {
        const tt_tickserver_symbol_t *s = &cfg->symbols[i];
        char probe[TT_TICKJSON_MAX];
        tt_tick_t t = {.ts = 0, .price = 1, .size = 1, .trade_id = 0};
        if (!s->name ||
            tt_tickjson_format(s->name, &s->instrument, &t, probe,
                               sizeof probe) < 0 ||
            tt_simmarket_add(self->market, s->name, &s->instrument,
                             s->start_price) != (int)i) {
            if (err && errsize > 0)
                snprintf(err, errsize,
                         "tickserver: symbol %zu ('%.40s'): bad or duplicate "
                         "name, or invalid instrument",
                         i, s->name ? s->name : "(null)");
            return -1;
        }
        self->instruments[i] = s->instrument;
    }
    self->symbol_count = cfg->symbol_count;
    return 0;
}

static const struct lws_protocols s_protocols[] = {
    {TT_TICKSERVER_PROTOCOL, tt_tsconn_callback, sizeof(tt_tsconn_t), 0, 0,
     NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static int s_listen(tt_tickserver_t *self, const tt_tickserver_cfg_t *cfg,
                    char *err, size_t errsize)
{
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = cfg->port;
    info.iface = cfg->bind_address ? cfg->bind_address : "127.0.0.1";
    info.protocols = s_protocols;
    info.user = self;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    self->ctx = lws_create_context(&info);
    if (!self->ctx)
        return s_fail(err, errsize, "cannot listen (address in use?)");
    struct lws_vhost *vh = lws_get_vhost_by_name(self->ctx, "default");
    self->port = vh ? lws_get_vhost_listen_port(vh) : -1;
    if (self->port <= 0)
        return s_fail(err, errsize, "listening socket has no port");
    return 0;
}

tt_tickserver_t *tt_tickserver_new(const tt_tickserver_cfg_t *cfg, char *err,
                                   size_t errsize)
{
    if (s_check_cfg(cfg, err, errsize) != 0)
        return NULL;
    tt_tickserver_t *self = calloc(1, sizeof *self);
    if (!self) {
        s_fail(err, errsize, "out of memory");
        return NULL;
    }
    self->now = cfg->now ? cfg->now : s_realtime;
    self->now_arg = cfg->now_arg;
    self->pacing = cfg->pacing;
    self->max_ticks = cfg->max_ticks;
    self->paused = cfg->start_paused;
    int64_t hb_ms = cfg->heartbeat_ms ? cfg->heartbeat_ms : S_DEFAULT_HB_MS;
    self->hb_ns = hb_ms * TT_NS_PER_MS;
    self->start_ns = cfg->start_ns ? cfg->start_ns : self->now(self->now_arg);
    self->next_hb = self->now(self->now_arg) + self->hb_ns;
    self->fanout =
        tt_fanout_new(cfg->queue_cap ? cfg->queue_cap : S_DEFAULT_QUEUE);
    if (!self->fanout || s_build_market(self, cfg, err, errsize) != 0 ||
        s_listen(self, cfg, err, errsize) != 0) {
        if (!self->fanout)
            s_fail(err, errsize, "out of memory");
        tt_tickserver_destroy(&self);
        return NULL;
    }
    return self;
}

void tt_tickserver_destroy(tt_tickserver_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tt_tickserver_t *self = *self_p;
    /* The context first: closing its connections calls back into the
       connection code, which still needs the ring and the market. */
    if (self->ctx) {
        lws_sul_cancel(&self->wake);
        lws_context_destroy(self->ctx);
    }
    tt_fanout_destroy(&self->fanout);
    tt_simmarket_destroy(&self->market);
    free(self->instruments);
    free(self);
    *self_p = NULL;
}

int tt_tickserver_port(const tt_tickserver_t *self)
{
    return self->port;
}

static void s_push(tt_tickserver_t *self, int32_t symbol, bool binary,
                   const void *data, size_t len)
{
    int dropped = tt_fanout_push(self->fanout, symbol, binary, data, len);
    assert(dropped >= 0);
    self->stats.ticks_dropped += (uint64_t)dropped;
    self->pushed = true;
}

static void s_heartbeat(tt_tickserver_t *self, tt_ns_t now)
{
    if (now < self->next_hb)
        return;
    char buf[64];
    int n = snprintf(buf, sizeof buf, "{\"T\":\"hb\",\"t\":%" PRId64 "}", now);
    s_push(self, TT_FANOUT_ALL, false, buf, (size_t)n);
    self->stats.heartbeats++;
    self->next_hb = now + self->hb_ns;
}

static bool s_may_emit(tt_tickserver_t *self, tt_ns_t now)
{
    if (self->paused ||
        (self->max_ticks && self->stats.ticks_generated >= self->max_ticks))
        return false;
    if (self->pacing == TT_TICKSERVER_FAST) {
        /* As fast as the fastest client reads: never run more than half a
           ring ahead of it, and not at all with nobody connected. */
        size_t lag = tt_fanout_min_lag(self->fanout);
        return lag < tt_fanout_cap(self->fanout) / 2;
    }
    return self->pending.tick.ts <= now;
}

/* Queues the ticks now due; at most half a ring per turn so that one turn
   never overruns a client that was up to date. */
static void s_generate(tt_tickserver_t *self, tt_ns_t now)
{
    size_t budget = tt_fanout_cap(self->fanout) / 2;
    while (budget-- > 0) {
        if (!self->has_pending) {
            if (tt_simmarket_next(self->market, INT64_MAX, &self->pending, 1) !=
                1)
                return;
            self->has_pending = true;
        }
        if (!s_may_emit(self, now))
            return;
        const tt_sim_tick_t *st = &self->pending;
        char buf[TT_TICKJSON_MAX];
        int n = tt_tickjson_format(
            tt_simmarket_symbol_name(self->market, st->symbol),
            &self->instruments[st->symbol], &st->tick, buf, sizeof buf);
        assert(n > 0); /* names and instruments were checked at start */
        s_push(self, (int32_t)st->symbol, false, buf, (size_t)n);
        self->stats.ticks_generated++;
        self->has_pending = false;
    }
}

/* How long the event loop may sleep before something falls due. */
static int s_wait_ms(const tt_tickserver_t *self, tt_ns_t now, int timeout_ms)
{
    tt_ns_t due = self->next_hb;
    if (self->pacing == TT_TICKSERVER_REALTIME && self->has_pending &&
        !self->paused && self->pending.tick.ts < due)
        due = self->pending.tick.ts;
    tt_ns_t left = due - now;
    if (left <= 0)
        return 0;
    int64_t ms = (left + TT_NS_PER_MS - 1) / TT_NS_PER_MS;
    return ms < timeout_ms ? (int)ms : timeout_ms;
}

static void s_wake(lws_sorted_usec_list_t *sul)
{
    (void)sul; /* only there to end the poll wait */
}

int tt_tickserver_service(tt_tickserver_t *self, int timeout_ms)
{
    tt_ns_t now = self->now(self->now_arg);
    self->pushed = false;
    s_heartbeat(self, now);
    s_generate(self, now);
    if (self->pushed)
        lws_callback_on_writable_all_protocol(self->ctx, &s_protocols[0]);
    int wait = s_wait_ms(self, now, timeout_ms);
    int rc;
    if (wait <= 0) {
        rc = lws_service(self->ctx, -1); /* negative: poll without waiting */
    } else {
        lws_sul_schedule(self->ctx, 0, &self->wake, s_wake,
                         (lws_usec_t)wait * LWS_US_PER_MS);
        rc = lws_service(self->ctx, 0);
        lws_sul_cancel(&self->wake);
    }
    return rc < 0 ? -1 : 0;
}

int tt_tickserver_run(tt_tickserver_t *self, volatile sig_atomic_t *stop)
{
    while (!*stop) {
        if (tt_tickserver_service(self, S_RUN_WAIT_MS) != 0)
            return -1;
    }
    return 0;
}

void tt_tickserver_pause(tt_tickserver_t *self, bool paused)
{
    self->paused = paused;
}

void tt_tickserver_stats(const tt_tickserver_t *self,
                         tt_tickserver_stats_t *out)
{
    *out = self->stats;
}

void tt_tickserver_drop_clients(tt_tickserver_t *self)
{
    for (tt_tsconn_t *c = self->conns; c; c = c->next)
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

int tt_tickserver_send_raw(tt_tickserver_t *self, const void *data, size_t len,
                           bool binary)
{
    if (len > TT_FANOUT_FRAME_MAX)
        return -1;
    s_push(self, TT_FANOUT_ALL, binary, data, len);
    lws_callback_on_writable_all_protocol(self->ctx, &s_protocols[0]);
    return 0;
}
