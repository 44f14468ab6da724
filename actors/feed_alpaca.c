/*  actors/feed_alpaca.c: Alpaca market data v2 (stocks: iex, sip,
    delayed_sip, test) and crypto v1beta3 as a live venue feed
    (feed_proto.h). Each connection runs the documented sequence:

        S: connected  ->  C: auth  ->  S: authenticated  ->  C: subscribe
        S: subscription (the whole set)  ->  S: trades, bars ...

    so every reconnect authenticates and subscribes again. Frames are
    walked by venues/alpaca/ap_stream (numbers kept as text, scaled
    exactly). Errors follow tt_ap_stream_error_action: a connection that
    stays usable carries on; one that does not is dropped and retried
    with the usual backoff; one that retrying cannot fix (402 auth failed,
    409 insufficient subscription, 410) is dropped and the next attempt
    waits auth_retry_s (default 300 s), so bad credentials never turn into
    a reconnect storm, and the reason stays in health. Minute bars ("b",
    with `bars: true`) are counted and handed to the gateway, which sends
    them to the symbol's data actor; updated and daily bars are not used.
    Runs on the feed's thread. */
#include "actors/feed_proto.h"
#include "venues/alpaca/ap_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MSG_MAX 65536

typedef struct {
    const tt_feed_sym_t *symbols;
    size_t count;
    const tt_feed_opts_t *opts;
    char *key_id; /* wiped on destroy */
    char *secret;
    tt_ap_stream_t parser;
    char *msg; /* S_MSG_MAX: the auth and subscribe messages */
    tt_feed_bar_fn *on_bar;
    void *bar_arg;
} s_alpaca_t;

static const char *s_default_base(const tt_feed_opts_t *opts)
{
    return opts->sandbox ? "wss://stream.data.sandbox.alpaca.markets"
                         : "wss://stream.data.alpaca.markets";
}

/* A base with a path is used as given; otherwise the feed's path. */
static int s_url(const char *base, const tt_feed_setup_t *setup, char *out,
                 char *err, size_t errsize)
{
    const tt_feed_opts_t *o = setup->opts;
    size_t blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/')
        blen--;
    int n;
    if (tt_feed_url_has_path(base))
        n = snprintf(out, TT_FEED_URL_MAX, "%s", base);
    else if (!strcmp(o->feed, "crypto"))
        n = snprintf(out, TT_FEED_URL_MAX, "%.*s/v1beta3/crypto/%s", (int)blen,
                     base, o->location);
    else
        n = snprintf(out, TT_FEED_URL_MAX, "%.*s/v2/%s", (int)blen, base,
                     o->feed);
    if (n < 0 || n >= TT_FEED_URL_MAX) {
        snprintf(err, errsize, "URL too long");
        return -1;
    }
    return 0;
}

static int s_find(const s_alpaca_t *self, const char *symbol)
{
    for (size_t i = 0; i < self->count; i++)
        if (!strcmp(self->symbols[i].name, symbol))
            return (int)i;
    return -1;
}

static int s_scales(void *ctx, const char *symbol, tt_instrument_t *out)
{
    const s_alpaca_t *self = ctx;
    int i = s_find(self, symbol);
    if (i < 0)
        return -1;
    *out = self->symbols[i].instrument;
    return 0;
}

static void s_destroy(void **self_p)
{
    s_alpaca_t *self = *self_p;
    if (!self)
        return;
    if (self->key_id)
        explicit_bzero(self->key_id, strlen(self->key_id));
    if (self->secret)
        explicit_bzero(self->secret, strlen(self->secret));
    if (self->msg)
        explicit_bzero(self->msg, S_MSG_MAX);
    free(self->key_id);
    free(self->secret);
    free(self->msg);
    free(self);
    *self_p = NULL;
}

static void *s_create(const tt_feed_setup_t *setup, char *err, size_t errsize)
{
    s_alpaca_t *self = calloc(1, sizeof *self);
    if (self) {
        self->symbols = setup->symbols;
        self->count = setup->count;
        self->opts = setup->opts;
        self->on_bar = setup->on_bar;
        self->bar_arg = setup->bar_arg;
        self->key_id = setup->key_id ? strdup(setup->key_id) : NULL;
        self->secret = setup->secret ? strdup(setup->secret) : NULL;
        self->msg = malloc(S_MSG_MAX);
        tt_ap_scales_t scales = {0, 0, s_scales, self};
        tt_ap_stream_init(&self->parser, &scales);
    }
    if (!self || !self->key_id || !self->secret || !self->msg) {
        snprintf(err, errsize,
                 self && self->msg ? "key_id and secret_key "
                                     "are required"
                                   : "out of memory");
        void *p = self;
        s_destroy(&p);
        return NULL;
    }
    return self;
}

static void s_on_open(void *arg, tt_wsfeed_t *feed)
{
    (void)arg; /* the server speaks first ("connected") */
    (void)feed;
}

static void s_send(s_alpaca_t *self, tt_wsfeed_t *feed, int len,
                   const char *what)
{
    if (len < 0 || tt_wsfeed_send(feed, self->msg, (size_t)len) != 0) {
        char why[80];
        snprintf(why, sizeof why, "cannot send the %s message", what);
        tt_wsfeed_close(feed, why, 0);
    }
    explicit_bzero(self->msg, len > 0 ? (size_t)len : 0);
}

static void s_subscribe(s_alpaca_t *self, tt_wsfeed_t *feed)
{
    const char **names = calloc(self->count + 1, sizeof *names);
    int len = -1;
    if (names) {
        for (size_t i = 0; i < self->count; i++)
            names[i] = self->symbols[i].name;
        tt_ap_sub_req_t req = {.trades = names, .n_trades = self->count};
        if (self->opts->bars) {
            req.bars = names;
            req.n_bars = self->count;
        }
        len = tt_ap_stream_subscribe(self->msg, S_MSG_MAX, false, &req);
    }
    free(names);
    s_send(self, feed, len, "subscribe");
}

static void s_control(s_alpaca_t *self, tt_wsfeed_t *feed,
                      const tt_ap_item_t *it)
{
    if (it->control == TT_AP_CTRL_CONNECTED) {
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_CONTROL, NULL);
        s_send(
            self, feed,
            tt_ap_stream_auth(self->msg, S_MSG_MAX, self->key_id, self->secret),
            "auth");
    } else if (it->control == TT_AP_CTRL_AUTHENTICATED) {
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_CONTROL, NULL);
        s_subscribe(self, feed);
    } else {
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_OTHER, NULL);
    }
}

static void s_error(s_alpaca_t *self, tt_wsfeed_t *feed, const tt_ap_item_t *it)
{
    char text[200];
    snprintf(text, sizeof text, "code %d (%s): %.100s", it->code,
             tt_ap_stream_error_name(it->code), it->msg);
    tt_wsfeed_note(feed, TT_WSFEED_NOTE_SERVER_ERROR, text);
    switch (tt_ap_stream_error_action(it->code)) {
    case TT_AP_ERR_CONTINUE:
        return;
    case TT_AP_ERR_RECONNECT:
        tt_wsfeed_close(feed, text, 0);
        return;
    case TT_AP_ERR_FATAL: {
        char why[320];
        snprintf(why, sizeof why,
                 "%s; check key_id/secret_key and the data plan; next "
                 "attempt in %lld s",
                 text, (long long)(self->opts->auth_retry_ms / 1000));
        tt_wsfeed_close(feed, why, self->opts->auth_retry_ms);
        return;
    }
    }
}

/* A closed minute bar goes on; a late correction ("u") or the running
   day ("d") would count an interval twice or is not closed. */
static void s_bar(s_alpaca_t *self, tt_wsfeed_t *feed, const tt_ap_item_t *it)
{
    int index = s_find(self, it->symbol);
    if (index < 0) {
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_UNKNOWN_SYMBOL, NULL);
        return;
    }
    tt_wsfeed_note(feed, TT_WSFEED_NOTE_BAR, NULL);
    if (it->bar_kind == TT_AP_BAR_MINUTE && self->on_bar)
        self->on_bar(self->bar_arg, index, &it->bar);
}

static void s_item(s_alpaca_t *self, tt_wsfeed_t *feed, const tt_ap_item_t *it)
{
    switch (it->kind) {
    case TT_AP_ITEM_TRADE: {
        int index = s_find(self, it->symbol);
        if (index >= 0)
            tt_wsfeed_deliver(feed, index, &it->tick);
        else
            tt_wsfeed_note(feed, TT_WSFEED_NOTE_UNKNOWN_SYMBOL, NULL);
        break;
    }
    case TT_AP_ITEM_BAR:
        s_bar(self, feed, it);
        break;
    case TT_AP_ITEM_CONTROL:
        s_control(self, feed, it);
        break;
    case TT_AP_ITEM_ERROR:
        s_error(self, feed, it);
        break;
    case TT_AP_ITEM_SUBSCRIPTION:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_SUBSCRIBED, NULL);
        break;
    case TT_AP_ITEM_SKIPPED:
        tt_wsfeed_note(feed,
                       it->skip == TT_AP_SKIP_UNKNOWN_SYMBOL
                           ? TT_WSFEED_NOTE_UNKNOWN_SYMBOL
                           : TT_WSFEED_NOTE_OTHER,
                       NULL);
        break;
    case TT_AP_ITEM_MALFORMED:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_MALFORMED, it->msg);
        break;
    }
}

/* Alpaca may send JSON in binary frames (msgpack only when asked for),
   so both opcodes are read the same way. */
static void s_on_message(void *arg, tt_wsfeed_t *feed, const char *buf,
                         size_t len, bool binary)
{
    (void)binary;
    s_alpaca_t *self = arg;
    tt_ap_stream_feed(&self->parser, buf, len);
    tt_ap_item_t it;
    for (int n = 0; n < 100000 && tt_ap_stream_next(&self->parser, &it) > 0;
         n++)
        s_item(self, feed, &it);
}

const tt_feed_venue_ops_t tt_feed_alpaca_ops = {
    .kind = TT_VENUE_ALPACA,
    .needs_keys = true,
    .dedupe = false, /* trade ids are not ordered across exchanges */
    .default_base = s_default_base,
    .url = s_url,
    .create = s_create,
    .destroy = s_destroy,
    .proto = {s_on_open, s_on_message},
};
