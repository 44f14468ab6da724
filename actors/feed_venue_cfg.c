/*  actors/feed_venue_cfg.c: the options of a live venue feed
    (venues[].params of a binance or alpaca venue), read from the raw
    config params with their lines, and the start-up check of such a venue:
    params, endpoints and credentials (which are loaded once and wiped, so
    that a missing variable or an open key file is reported by
    `check-config`, never with the secret). See docs/CONFIG.md. Runs on
    the main thread (checks) and on the feed's thread (start). */
#include "actors/feed_proto.h"
#include "actors/feed_venue.h"
#include "venues/binance/bn_stream.h"
#include "venues/common/secrets.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const tt_config_t *cfg;
    size_t v;
    tt_config_error_fn *fn;
    void *arg;
    int errors;
} s_report_t;

__attribute__((format(printf, 3, 4))) static void
s_error(s_report_t *rep, int line, const char *fmt, ...)
{
    char what[320], msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(msg, sizeof msg, "%s:%d: venues[%zu]: %s", rep->cfg->path, line,
             rep->v, what);
    if (rep->fn)
        rep->fn(rep->arg, msg);
    rep->errors++;
}

typedef enum { S_INT, S_BOOL, S_WORD, S_URL } s_type_t;

typedef struct {
    const char *key;
    s_type_t type;
    int kinds; /* bit per tt_venue_kind_t that takes it */
    size_t off;
    size_t size;              /* S_WORD: buffer size */
    int64_t min, max;         /* S_INT range (file units) */
    int64_t scale;            /* S_INT: stored = value * scale */
    const char *const *words; /* S_WORD: allowed values, NULL: any check;
                                 S_URL: allowed schemes */
} s_key_t;

#define S_BN (1 << TT_VENUE_BINANCE)
#define S_AP (1 << TT_VENUE_ALPACA)
#define S_AT(m) offsetof(tt_feed_opts_t, m), sizeof(((tt_feed_opts_t *)0)->m)

static const char *const s_trades[] = {"trade", "aggTrade", NULL};
static const char *const s_feeds[] = {"iex",  "sip",    "delayed_sip",
                                      "test", "crypto", NULL};
static const char *const s_locations[] = {"us", "us-1", "eu-1", NULL};
static const char *const s_orders[] = {"venue", "paper", NULL};
static const char *const s_http[] = {"http://", "https://", NULL};
static const char *const s_ws[] = {"ws://", "wss://", NULL};

static const s_key_t s_keys[] = {
    {"backoff_ms", S_INT, S_BN | S_AP, S_AT(backoff_ms), 1, 60000, 1, NULL},
    {"backoff_max_ms", S_INT, S_BN | S_AP, S_AT(backoff_max_ms), 1, 600000, 1,
     NULL},
    {"auth_retry_s", S_INT, S_BN | S_AP, S_AT(auth_retry_ms), 1, 86400, 1000,
     NULL},
    {"idle_timeout_ms", S_INT, S_BN | S_AP, S_AT(idle_timeout_ms), 0, 3600000,
     1, NULL},
    {"ping_idle_s", S_INT, S_BN | S_AP, S_AT(ping_idle_s), 0, 3600, 1, NULL},
    {"trades", S_WORD, S_BN, S_AT(trades), 0, 0, 0, s_trades},
    {"klines", S_WORD, S_BN, S_AT(klines), 0, 0, 0, NULL},
    {"testnet", S_BOOL, S_BN, S_AT(testnet), 0, 0, 0, NULL},
    {"feed", S_WORD, S_AP, S_AT(feed), 0, 0, 0, s_feeds},
    {"location", S_WORD, S_AP, S_AT(location), 0, 0, 0, s_locations},
    {"bars", S_BOOL, S_AP, S_AT(bars), 0, 0, 0, NULL},
    {"sandbox", S_BOOL, S_AP, S_AT(sandbox), 0, 0, 0, NULL},
    {"orders", S_WORD, S_BN | S_AP, S_AT(orders), 0, 0, 0, s_orders},
    {"trading_url", S_URL, S_BN | S_AP, S_AT(trading_url), 0, 0, 0, s_http},
    {"trading_stream", S_URL, S_BN | S_AP, S_AT(trading_stream), 0, 0, 0, s_ws},
    {"orders_per_min", S_INT, S_BN | S_AP, S_AT(orders_per_min), 1, 10000, 1,
     NULL},
    {"http_timeout_ms", S_INT, S_BN | S_AP, S_AT(http_timeout_ms), 100, 120000,
     1, NULL},
    {"recv_window_ms", S_INT, S_BN, S_AT(recv_window_ms), 1, 60000, 1, NULL},
    {"listen_key_keepalive_s", S_INT, S_BN, S_AT(keepalive_ms), 1, 3000, 1000,
     NULL},
    {"history", S_BOOL, S_BN | S_AP, S_AT(history), 0, 0, 0, NULL},
    {"history_max_bars", S_INT, S_BN | S_AP, S_AT(history_max_bars), 1, 100000,
     1, NULL},
    {"history_timeout_ms", S_INT, S_BN | S_AP, S_AT(history_timeout_ms), 100,
     120000, 1, NULL},
    {"history_parallel", S_INT, S_BN | S_AP, S_AT(history_parallel), 1, 16, 1,
     NULL},
};
#define S_KEY_COUNT (sizeof s_keys / sizeof s_keys[0])

static void s_defaults(tt_feed_opts_t *out)
{
    memset(out, 0, sizeof *out);
    out->backoff_ms = 500;
    out->backoff_max_ms = 30000;
    out->auth_retry_ms = 300000;
    out->ping_idle_s = 30;
    snprintf(out->trades, sizeof out->trades, "trade");
    snprintf(out->feed, sizeof out->feed, "iex");
    snprintf(out->location, sizeof out->location, "us");
    snprintf(out->orders, sizeof out->orders, "venue");
    out->orders_per_min = 200;
    out->http_timeout_ms = 10000;
    out->recv_window_ms = 5000;
    out->keepalive_ms = 1800000; /* the venue's advice: every 30 min */
    out->history = true;
    out->history_max_bars = 5000;
    out->history_timeout_ms = 10000;
    out->history_parallel = 4;
}

static void s_url(s_report_t *rep, const s_key_t *k, const tt_param_t *p,
                  char *dest)
{
    bool ok = false;
    for (size_t i = 0; !ok && k->words[i]; i++)
        ok = strncmp(p->value, k->words[i], strlen(k->words[i])) == 0 &&
             p->value[strlen(k->words[i])] != '\0';
    if (!ok || strlen(p->value) >= k->size || strpbrk(p->value, " ?#")) {
        s_error(rep, p->line,
                "params.%s: '%s' is not a %s URL without query (at most %zu "
                "characters)",
                k->key, p->value, k->words[0], k->size - 1);
        return;
    }
    snprintf(dest, k->size, "%s", p->value);
    size_t len = strlen(dest);
    while (len > 0 && dest[len - 1] == '/')
        dest[--len] = '\0';
}

static int s_int(const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static void s_word(s_report_t *rep, const s_key_t *k, const tt_param_t *p,
                   char *dest)
{
    bool ok = false;
    if (strlen(p->value) >= k->size || p->value[0] == '\0')
        ok = false;
    else if (!k->words) /* klines: an interval Binance knows */
        ok = tt_bn_interval_seconds(p->value, strlen(p->value)) > 0;
    else
        for (size_t i = 0; !ok && k->words[i]; i++)
            ok = strcmp(p->value, k->words[i]) == 0;
    if (!ok) {
        s_error(rep, p->line, "params.%s: '%s' is not %s", k->key, p->value,
                k->words ? "one of the allowed values (docs/CONFIG.md)"
                         : "a kline interval (1s 1m 3m 5m 15m 30m 1h 2h 4h 6h "
                           "8h 12h 1d 3d 1w)");
        return;
    }
    snprintf(dest, k->size, "%s", p->value);
}

static void s_value(s_report_t *rep, const s_key_t *k, const tt_param_t *p,
                    tt_feed_opts_t *out)
{
    char *dest = (char *)out + k->off;
    int64_t v = 0;
    switch (k->type) {
    case S_INT:
        if (s_int(p->value, &v) != 0 || v < k->min || v > k->max) {
            s_error(rep, p->line,
                    "params.%s: expected an integer %lld..%lld, got '%s'",
                    k->key, (long long)k->min, (long long)k->max, p->value);
            return;
        }
        if (k->size == sizeof(int))
            *(int *)(void *)dest = (int)v;
        else
            *(int64_t *)(void *)dest = v * k->scale;
        return;
    case S_BOOL:
        if (strcmp(p->value, "true") && strcmp(p->value, "false")) {
            s_error(rep, p->line, "params.%s: expected true or false, got '%s'",
                    k->key, p->value);
            return;
        }
        *(bool *)(void *)dest = strcmp(p->value, "true") == 0;
        return;
    case S_WORD:
        s_word(rep, k, p, dest);
        return;
    case S_URL:
        s_url(rep, k, p, dest);
        return;
    }
}

static void s_param(s_report_t *rep, const tt_venue_cfg_t *venue,
                    const tt_param_t *p, tt_feed_opts_t *out)
{
    for (size_t i = 0; i < S_KEY_COUNT; i++) {
        if (strcmp(s_keys[i].key, p->key) != 0)
            continue;
        if (!(s_keys[i].kinds & (1 << venue->kind)))
            break;
        s_value(rep, &s_keys[i], p, out);
        return;
    }
    s_error(rep, p->line, "params.%s: unknown parameter for a %s venue", p->key,
            tt_venue_kind_name(venue->kind));
}

int tt_feed_opts_parse(const tt_config_t *cfg, size_t v, tt_feed_opts_t *out,
                       tt_config_error_fn *error_fn, void *arg)
{
    s_report_t rep = {cfg, v, error_fn, arg, 0};
    const tt_venue_cfg_t *venue = &cfg->venues[v];
    s_defaults(out);
    if (venue->kind == TT_VENUE_BINANCE) /* market data alone needs no key */
        snprintf(out->orders, sizeof out->orders, "paper");
    for (size_t i = 0; i < venue->params.count; i++)
        s_param(&rep, venue, &venue->params.items[i], out);
    if (out->backoff_max_ms < out->backoff_ms)
        s_error(&rep, venue->line,
                "params: backoff_max_ms (%lld) is below backoff_ms (%lld)",
                (long long)out->backoff_max_ms, (long long)out->backoff_ms);
    return rep.errors;
}

const char *tt_feed_history_base(const tt_venue_cfg_t *venue,
                                 const tt_feed_opts_t *opts)
{
    if (!opts->history)
        return NULL;
    if (venue->rest_url)
        return venue->rest_url;
    if (venue->endpoint_count > 0)
        return NULL;
    if (venue->kind == TT_VENUE_BINANCE)
        return opts->testnet ? "https://testnet.binance.vision"
                             : "https://api.binance.com";
    return opts->sandbox ? "https://data.sandbox.alpaca.markets"
                         : "https://data.alpaca.markets";
}

bool tt_feed_url_has_path(const char *base)
{
    const char *at = strstr(base, "://");
    const char *slash = at ? strchr(at + 3, '/') : NULL;
    return slash && slash[1] != '\0';
}

const tt_feed_venue_ops_t *tt_feed_venue_ops(tt_venue_kind_t kind)
{
    switch (kind) {
    case TT_VENUE_BINANCE:
        return &tt_feed_binance_ops;
    case TT_VENUE_ALPACA:
        return &tt_feed_alpaca_ops;
    default:
        return NULL;
    }
}

/* Loads and wipes one credential, so that check-config reports a missing
   variable or an unsafe file at the key's line. */
static void s_check_secret(s_report_t *rep, const char *key, const char *text,
                           int line)
{
    char err[256];
    tt_secret_t *secret = tt_secret_resolve(text, err, sizeof err);
    if (!secret)
        s_error(rep, line, "%s: %s", key, err);
    tt_secret_destroy(&secret);
}

static void s_check_venue(s_report_t *rep, const tt_feed_venue_ops_t *ops)
{
    const tt_venue_cfg_t *venue = &rep->cfg->venues[rep->v];
    tt_feed_opts_t opts;
    rep->errors +=
        tt_feed_opts_parse(rep->cfg, rep->v, &opts, rep->fn, rep->arg);
    for (size_t i = 0; i < venue->endpoint_count; i++)
        if (strncmp(venue->endpoints[i], "ws", 2) != 0)
            s_error(rep, venue->line,
                    "endpoints[%zu]: a %s feed needs a ws:// or wss:// URL", i,
                    tt_venue_kind_name(venue->kind));
    bool orders =
        venue->kind == TT_VENUE_BINANCE && strcmp(opts.orders, "venue") == 0;
    if ((ops->needs_keys || orders) && (!venue->key_id || !venue->secret_key))
        s_error(rep, venue->line,
                "a %s venue%s needs key_id and secret_key (env:NAME, "
                "file:PATH or ${NAME})",
                tt_venue_kind_name(venue->kind),
                orders ? " with orders: venue" : "");
    if (venue->key_id)
        s_check_secret(rep, "key_id", venue->key_id,
                       venue->key_id_line > 0 ? venue->key_id_line
                                              : venue->line);
    if (venue->secret_key)
        s_check_secret(rep, "secret_key", venue->secret_key,
                       venue->secret_key_line > 0 ? venue->secret_key_line
                                                  : venue->line);
}

int tt_feed_venue_check(const tt_config_t *cfg, tt_config_error_fn *error_fn,
                        void *arg)
{
    int problems = 0;
    for (size_t v = 0; v < cfg->venue_count; v++) {
        const tt_feed_venue_ops_t *ops = tt_feed_venue_ops(cfg->venues[v].kind);
        if (!ops)
            continue;
        s_report_t rep = {cfg, v, error_fn, arg, 0};
        s_check_venue(&rep, ops);
        problems += rep.errors;
    }
    return problems;
}
