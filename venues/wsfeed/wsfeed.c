/*  venues/wsfeed/wsfeed.c: the wsfeed client's set-up and its connection
    state machine (see wsfeed.h and wsfeed_private.h).

        IDLE --(now >= next_attempt)--> CONNECTING --(handshake)--> OPEN
          ^                                 |                        |
          +------- failure: backoff --------+---- closed: backoff ---+

    Backoff and URL rotation count failures in a row; a connection only
    stops the count once it has delivered a valid message, so a server
    that accepts and then drops at once is backed off like one that
    refuses. */
#include "venues/wsfeed/wsfeed_private.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_DEFAULT_INITIAL_MS 100
#define S_DEFAULT_MAX_MS 30000
#define S_DEFAULT_JITTER 0.2
#define S_DEFAULT_ROTATE 3

static tt_ns_t s_monotonic(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (tt_ns_t)ts.tv_sec * TT_NS_PER_SEC + ts.tv_nsec;
}

void tt_wsfeed_cfg_default(tt_wsfeed_cfg_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->backoff_initial_ms = S_DEFAULT_INITIAL_MS;
    cfg->backoff_max_ms = S_DEFAULT_MAX_MS;
    cfg->backoff_jitter = S_DEFAULT_JITTER;
    cfg->rotate_after = S_DEFAULT_ROTATE;
    cfg->seed = 1;
}

static int s_fail(char *err, size_t errsize, const char *fmt, const char *arg)
{
    if (err && errsize > 0) {
        char msg[200];
        snprintf(msg, sizeof msg, fmt, arg ? arg : "");
        snprintf(err, errsize, "wsfeed: %s", msg);
    }
    return -1;
}

/* Splits ws[s]://host[:port][/path] into URL. */
static int s_parse_url(const char *text, tt_wsurl_t *url, char *err,
                       size_t errsize)
{
    char *copy = strdup(text);
    const char *prot, *host, *path;
    int port = 0;
    if (!copy)
        return s_fail(err, errsize, "out of memory", NULL);
    int rc = -1;
    if (lws_parse_uri(copy, &prot, &host, &port, &path) != 0 || !*host)
        s_fail(err, errsize, "bad URL '%.120s'", text);
    else if (strcmp(prot, "ws") != 0 && strcmp(prot, "wss") != 0)
        s_fail(err, errsize, "URL '%.120s': scheme must be ws or wss", text);
    else if (port <= 0 || port > 65535)
        s_fail(err, errsize, "URL '%.120s': bad port", text);
    else
        rc = 0;
    if (rc == 0) {
        url->tls = strcmp(prot, "wss") == 0;
        url->port = port;
        url->host = strdup(host);
        url->path = malloc(strlen(path) + 2);
        if (url->path)
            snprintf(url->path, strlen(path) + 2, "/%s", path);
        if (!url->host || !url->path)
            rc = s_fail(err, errsize, "out of memory", NULL);
    }
    free(copy);
    return rc;
}

static int s_check_cfg(const tt_wsfeed_cfg_t *cfg, char *err, size_t errsize)
{
    if (!cfg->urls || cfg->url_count == 0)
        return s_fail(err, errsize, "no URL configured", NULL);
    if ((!cfg->lookup && !cfg->proto) || !cfg->on_tick)
        return s_fail(err, errsize, "lookup and on_tick are required", NULL);
    if (cfg->proto && (!cfg->proto->on_open || !cfg->proto->on_message))
        return s_fail(err, errsize, "a protocol needs on_open and on_message",
                      NULL);
    if (cfg->ping_idle_s < 0 || cfg->ping_idle_s > 3600)
        return s_fail(err, errsize, "ping_idle_s must be 0..3600", NULL);
    if (cfg->symbol_count > 0 && !cfg->symbols)
        return s_fail(err, errsize, "symbol_count without symbols", NULL);
    if (cfg->idle_timeout_ms < 0)
        return s_fail(err, errsize, "idle_timeout_ms must be >= 0", NULL);
    if (cfg->backoff_initial_ms <= 0 ||
        cfg->backoff_max_ms < cfg->backoff_initial_ms ||
        cfg->backoff_max_ms > INT64_MAX / TT_NS_PER_MS ||
        !(cfg->backoff_jitter >= 0.0 && cfg->backoff_jitter <= 1.0))
        return s_fail(err, errsize,
                      "backoff: need 0 < initial <= max and jitter in 0..1",
                      NULL);
    return 0;
}

/* The subscribe message, built once (jansson escapes the names). */
static int s_build_subscribe(tt_wsfeed_t *self, const tt_wsfeed_cfg_t *cfg,
                             char *err, size_t errsize)
{
    if (cfg->symbol_count == 0)
        return 0;
    json_t *list = json_array();
    for (size_t i = 0; list && i < cfg->symbol_count; i++) {
        json_t *s = cfg->symbols[i] ? json_string(cfg->symbols[i]) : NULL;
        if (!s || json_array_append_new(list, s) != 0) {
            json_decref(list);
            return s_fail(err, errsize, "bad symbol name", NULL);
        }
    }
    json_t *msg =
        json_pack("{s:s, s:o}", "action", "subscribe", "symbols", list);
    self->sub_json = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    if (!self->sub_json)
        return s_fail(err, errsize, "out of memory", NULL);
    self->sub_len = strlen(self->sub_json);
    self->tx = malloc(LWS_PRE + self->sub_len);
    self->last_id =
        cfg->dedupe ? calloc(cfg->symbol_count, sizeof(uint64_t)) : NULL;
    self->last_id_len = cfg->dedupe ? cfg->symbol_count : 0;
    if (!self->tx || (cfg->dedupe && !self->last_id))
        return s_fail(err, errsize, "out of memory", NULL);
    return 0;
}

static const struct lws_protocols s_protocols[] = {
    {TT_WSFEED_PROTOCOL, tt_wsconn_callback, 0, TT_WSFEED_RX_MAX, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static int s_context(tt_wsfeed_t *self, char *err, size_t errsize)
{
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = s_protocols;
    info.user = self;
    for (size_t i = 0; i < self->url_count; i++)
        if (self->urls[i].tls)
            info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    self->ctx = lws_create_context(&info);
    if (!self->ctx)
        return s_fail(err, errsize, "cannot create the websocket context",
                      NULL);
    return 0;
}

static int s_setup(tt_wsfeed_t *self, const tt_wsfeed_cfg_t *cfg, char *err,
                   size_t errsize)
{
    self->urls = calloc(cfg->url_count, sizeof *self->urls);
    if (!self->urls)
        return s_fail(err, errsize, "out of memory", NULL);
    self->url_count = cfg->url_count;
    for (size_t i = 0; i < cfg->url_count; i++)
        if (!cfg->urls[i] ||
            s_parse_url(cfg->urls[i], &self->urls[i], err, errsize) != 0)
            return cfg->urls[i] ? -1 : s_fail(err, errsize, "NULL URL", NULL);
    if (tt_backoff_init(&self->backoff, cfg->backoff_initial_ms * TT_NS_PER_MS,
                        cfg->backoff_max_ms * TT_NS_PER_MS, cfg->backoff_jitter,
                        cfg->seed) != 0)
        return s_fail(err, errsize, "bad backoff", NULL);
    if (s_build_subscribe(self, cfg, err, errsize) != 0)
        return -1;
    return s_context(self, err, errsize);
}

tt_wsfeed_t *tt_wsfeed_new(const tt_wsfeed_cfg_t *cfg, char *err,
                           size_t errsize)
{
    if (s_check_cfg(cfg, err, errsize) != 0)
        return NULL;
    tt_wsfeed_t *self = calloc(1, sizeof *self);
    if (!self) {
        s_fail(err, errsize, "out of memory", NULL);
        return NULL;
    }
    self->lookup = cfg->lookup;
    self->lookup_arg = cfg->lookup_arg;
    self->on_tick = cfg->on_tick;
    self->tick_arg = cfg->tick_arg;
    self->now = cfg->now ? cfg->now : s_monotonic;
    self->now_arg = cfg->now_arg;
    self->rotate_after = cfg->rotate_after ? cfg->rotate_after : 1;
    self->idle_ns = cfg->idle_timeout_ms * TT_NS_PER_MS;
    self->proto = cfg->proto;
    self->proto_arg = cfg->proto_arg;
    self->retry.secs_since_valid_ping = (uint16_t)cfg->ping_idle_s;
    self->retry.secs_since_valid_hangup = (uint16_t)(cfg->ping_idle_s * 3);
    if (s_setup(self, cfg, err, errsize) != 0) {
        tt_wsfeed_destroy(&self);
        return NULL;
    }
    return self;
}

void tt_wsfeed_destroy(tt_wsfeed_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tt_wsfeed_t *self = *self_p;
    self->destroying = true;
    if (self->ctx) {
        lws_sul_cancel(&self->wake);
        lws_context_destroy(self->ctx);
    }
    for (size_t i = 0; self->urls && i < self->url_count; i++) {
        free(self->urls[i].host);
        free(self->urls[i].path);
    }
    free(self->urls);
    free(self->sub_json);
    free(self->tx);
    free(self->last_id);
    tt_wsfeed_txq_clear(self);
    free(self->txbuf);
    free(self);
    *self_p = NULL;
}

/* Moves to the next URL once the current one has failed rotate_after
   times in a row. */
static void s_maybe_rotate(tt_wsfeed_t *self)
{
    if (self->good)
        return;
    self->url_failures++;
    if (self->url_failures < self->rotate_after || self->url_count < 2)
        return;
    self->stats.url_index = (self->stats.url_index + 1) % self->url_count;
    self->stats.rotations++;
    self->url_failures = 0;
}

void tt_wsfeed_lost(tt_wsfeed_t *self, const char *why)
{
    if (self->destroying || self->state == TT_WSFEED_IDLE)
        return;
    if (self->state == TT_WSFEED_OPEN)
        self->stats.disconnects++;
    else
        self->stats.connect_failures++;
    snprintf(self->stats.last_error, sizeof self->stats.last_error, "%s: %s",
             self->urls[self->stats.url_index].host, why);
    if (self->close_why[0])
        snprintf(self->stats.last_error, sizeof self->stats.last_error,
                 "%.60s: %s", self->urls[self->stats.url_index].host,
                 self->close_why);
    self->close_why[0] = '\0';
    if (self->hold_ns <= 0)
        s_maybe_rotate(self);
    self->state = TT_WSFEED_IDLE;
    self->wsi = NULL;
    self->stats.connected = false;
    tt_wsfeed_txq_clear(self);
    tt_ns_t delay =
        self->hold_ns > 0 ? self->hold_ns : tt_backoff_next(&self->backoff);
    self->stats.held = self->hold_ns > 0;
    self->hold_ns = 0;
    self->stats.last_delay_ns = delay;
    self->stats.next_attempt_ns = self->now(self->now_arg) + delay;
}

static void s_connect(tt_wsfeed_t *self)
{
    const tt_wsurl_t *url = &self->urls[self->stats.url_index];
    struct lws_client_connect_info i;
    memset(&i, 0, sizeof i);
    i.context = self->ctx;
    i.address = url->host;
    i.port = url->port;
    i.path = url->path;
    i.host = url->host;
    i.origin = url->host;
    i.ssl_connection = url->tls ? LCCSCF_USE_SSL : 0;
    if (self->proto && self->retry.secs_since_valid_ping > 0)
        i.retry_and_idle_policy = &self->retry;
    i.local_protocol_name = TT_WSFEED_PROTOCOL;
    i.pwsi = &self->wsi;
    self->state = TT_WSFEED_CONNECTING;
    self->good = false;
    self->stats.attempts++;
    /* A refusal may be reported through the callback before this returns
       (then the state is IDLE already) or only by the NULL result. */
    if (!lws_client_connect_via_info(&i) && self->state == TT_WSFEED_CONNECTING)
        tt_wsfeed_lost(self, "cannot start connection");
}

/* Closes a connection that has been silent for longer than idle_ns. */
static void s_check_idle(tt_wsfeed_t *self, tt_ns_t now)
{
    if (self->state != TT_WSFEED_OPEN || self->idle_ns <= 0 ||
        now - self->last_rx_ns <= self->idle_ns)
        return;
    self->stats.idle_timeouts++;
    self->last_rx_ns = now; /* count it once */
    lws_set_timeout(self->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void s_wake(lws_sorted_usec_list_t *sul)
{
    (void)sul; /* only there to end the poll wait */
}

int tt_wsfeed_service(tt_wsfeed_t *self, int timeout_ms)
{
    tt_ns_t now = self->now(self->now_arg);
    if (self->state == TT_WSFEED_IDLE && now >= self->stats.next_attempt_ns) {
        self->stats.held = false;
        s_connect(self);
    }
    s_check_idle(self, now);
    int64_t wait = timeout_ms;
    if (self->state == TT_WSFEED_IDLE) {
        tt_ns_t left = self->stats.next_attempt_ns - now;
        int64_t ms = left > 0 ? (left + TT_NS_PER_MS - 1) / TT_NS_PER_MS : 0;
        wait = ms < wait ? ms : wait;
    }
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

int tt_wsfeed_resubscribe(tt_wsfeed_t *self)
{
    if (self->state != TT_WSFEED_OPEN || !self->wsi)
        return 1;
    if (self->proto) {
        /* The protocol subscribes in on_open (after authenticating, for
           some venues): a new connection is its re-subscribe. */
        self->stats.resubscribes++;
        tt_wsfeed_close(self, "re-subscribe asked (a symbol went stale)", 0);
        return 0;
    }
    if (!self->sub_json)
        return 1;
    self->sub_owed = true;
    self->stats.resubscribes++;
    lws_callback_on_writable(self->wsi);
    return 0;
}

void tt_wsfeed_stats(const tt_wsfeed_t *self, tt_wsfeed_stats_t *out)
{
    *out = self->stats;
}

/* ---- for protocols ---------------------------------------------------- */

void tt_wsfeed_txq_clear(tt_wsfeed_t *self)
{
    for (size_t n = 0; n < self->txq_count; n++) {
        size_t at = (self->txq_head + n) % TT_WSFEED_TXQ;
        explicit_bzero(self->txq[at], self->txq_len[at]);
        free(self->txq[at]);
        self->txq[at] = NULL;
    }
    self->txq_head = 0;
    self->txq_count = 0;
}

int tt_wsfeed_send(tt_wsfeed_t *self, const char *text, size_t len)
{
    if (self->state != TT_WSFEED_OPEN || !self->wsi ||
        self->txq_count == TT_WSFEED_TXQ)
        return -1;
    if (LWS_PRE + len > self->txbuf_cap) {
        unsigned char *grown = realloc(self->txbuf, LWS_PRE + len);
        if (!grown)
            return -1;
        self->txbuf = grown;
        self->txbuf_cap = LWS_PRE + len;
    }
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    memcpy(copy, text, len);
    size_t at = (self->txq_head + self->txq_count) % TT_WSFEED_TXQ;
    self->txq[at] = copy;
    self->txq_len[at] = len;
    self->txq_count++;
    lws_callback_on_writable(self->wsi);
    return 0;
}

int tt_wsfeed_write_queued(tt_wsfeed_t *self, struct lws *wsi)
{
    if (self->txq_count == 0)
        return 0;
    size_t at = self->txq_head;
    size_t len = self->txq_len[at];
    /* A client masks its payload in place, so write from a copy. */
    memcpy(self->txbuf + LWS_PRE, self->txq[at], len);
    /* Messages may carry credentials (Alpaca's auth): wiped after use. */
    explicit_bzero(self->txq[at], len);
    free(self->txq[at]);
    self->txq[at] = NULL;
    self->txq_head = (at + 1) % TT_WSFEED_TXQ;
    self->txq_count--;
    int wrote = lws_write(wsi, self->txbuf + LWS_PRE, len, LWS_WRITE_TEXT);
    explicit_bzero(self->txbuf + LWS_PRE, len);
    if (wrote < (int)len)
        return -1;
    if (self->txq_count > 0)
        lws_callback_on_writable(wsi);
    return 0;
}

void tt_wsfeed_deliver(tt_wsfeed_t *self, int index, const tt_tick_t *tick)
{
    if (self->last_id && index >= 0 && (size_t)index < self->last_id_len &&
        tick->trade_id != 0) {
        if (tick->trade_id <= self->last_id[index]) {
            self->stats.duplicates++;
            return;
        }
        self->last_id[index] = tick->trade_id;
    }
    self->stats.ticks++;
    tt_wsfeed_good(self);
    self->on_tick(self->tick_arg, index, tick);
}

void tt_wsfeed_note(tt_wsfeed_t *self, tt_wsfeed_note_t note, const char *text)
{
    bool good = true;
    switch (note) {
    case TT_WSFEED_NOTE_BAR:
        self->stats.bars++;
        break;
    case TT_WSFEED_NOTE_CONTROL:
        self->stats.controls++;
        good = false;
        break;
    case TT_WSFEED_NOTE_SUBSCRIBED:
        self->stats.subscribes++;
        break;
    case TT_WSFEED_NOTE_HEARTBEAT:
        self->stats.heartbeats++;
        break;
    case TT_WSFEED_NOTE_OTHER:
        self->stats.other++;
        break;
    case TT_WSFEED_NOTE_UNKNOWN_SYMBOL:
        self->stats.unknown_symbol++;
        break;
    case TT_WSFEED_NOTE_SERVER_ERROR:
        self->stats.server_errors++;
        snprintf(self->stats.last_error, sizeof self->stats.last_error,
                 "server: %.140s", text ? text : "error");
        good = false;
        break;
    case TT_WSFEED_NOTE_MALFORMED:
        self->stats.malformed++;
        snprintf(self->stats.last_malformed, sizeof self->stats.last_malformed,
                 "%s", text ? text : "malformed");
        good = false;
        break;
    }
    if (good)
        tt_wsfeed_good(self);
}

void tt_wsfeed_close(tt_wsfeed_t *self, const char *why, int64_t hold_ms)
{
    if (self->state != TT_WSFEED_OPEN || !self->wsi)
        return;
    snprintf(self->close_why, sizeof self->close_why, "%s",
             why ? why : "closed by the protocol");
    self->hold_ns = hold_ms > 0 ? hold_ms * TT_NS_PER_MS : 0;
    if (hold_ms > 0)
        self->stats.holds++;
    lws_set_timeout(self->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}
