/*  actors/feed_binance.c: Binance spot market streams as a live venue
    feed (feed_proto.h). One combined-stream connection
    (/stream?streams=btcusdt@trade/...) carries every symbol of the venue,
    so subscribing again after a reconnect is the connection itself.
    Frames are parsed by venues/binance/bn_stream (prices straight to
    scaled integers); trades become ticks, klines are counted as venue
    bars and the closed ones (k.x) handed to the gateway for the symbol's
    data actor (a kline still forming changes until it closes),
    serverShutdown reconnects at once. Server pings are answered by
   libwebsockets with the same payload, as Binance requires. Runs on the feed's
   thread. */
#include "actors/feed_proto.h"
#include "venues/binance/bn_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    const tt_feed_sym_t *symbols;
    size_t count;
    tt_bn_stream_t parser;
    tt_feed_bar_fn *on_bar;
    void *bar_arg;
} s_binance_t;

static const char *s_default_base(const tt_feed_opts_t *opts)
{
    return opts->testnet ? "wss://stream.testnet.binance.vision"
                         : "wss://stream.binance.com:9443";
}

static int s_url(const char *base, const tt_feed_setup_t *setup, char *out,
                 char *err, size_t errsize)
{
    if (tt_feed_url_has_path(base)) {
        snprintf(err, errsize,
                 "'%.100s': give the stream base URL without a path "
                 "(ticktree adds /stream?streams=...)",
                 base);
        return -1;
    }
    size_t per = setup->opts->klines[0] ? 2 : 1;
    size_t n = setup->count * per;
    char(*names)[64] = calloc(n + 1, sizeof *names);
    const char **list = calloc(n + 1, sizeof *list);
    int rc = names && list ? 0 : -1;
    char kline[24];
    snprintf(kline, sizeof kline, "kline_%s", setup->opts->klines);
    for (size_t i = 0; rc == 0 && i < setup->count; i++) {
        const char *sym = setup->symbols[i].name;
        list[i * per] = names[i * per];
        rc = tt_bn_stream_name(names[i * per], 64, sym, setup->opts->trades);
        if (rc >= 0 && per == 2) {
            list[i * per + 1] = names[i * per + 1];
            rc = tt_bn_stream_name(names[i * per + 1], 64, sym, kline);
        }
        rc = rc < 0 ? -1 : 0;
    }
    size_t blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/')
        blen--;
    int plen = -1;
    if (rc == 0 && blen < TT_FEED_URL_MAX) {
        memcpy(out, base, blen);
        plen = tt_bn_combined_path(out + blen, TT_FEED_URL_MAX - blen, list, n);
    }
    free(names);
    free(list);
    if (plen < 0)
        snprintf(err, errsize,
                 "cannot build the stream URL (a symbol name Binance cannot "
                 "take, or too many symbols for one connection)");
    return plen < 0 ? -1 : 0;
}

/* Binance sends symbols upper case; the config may say either. */
static int s_lookup(void *arg, const char *symbol, tt_instrument_t *inst)
{
    s_binance_t *self = arg;
    for (size_t i = 0; i < self->count; i++)
        if (!strcasecmp(self->symbols[i].name, symbol)) {
            *inst = self->symbols[i].instrument;
            return (int)i;
        }
    return -1;
}

static void *s_create(const tt_feed_setup_t *setup, char *err, size_t errsize)
{
    s_binance_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    self->symbols = setup->symbols;
    self->count = setup->count;
    self->on_bar = setup->on_bar;
    self->bar_arg = setup->bar_arg;
    tt_bn_stream_init(&self->parser, s_lookup, self);
    return self;
}

static void s_destroy(void **self_p)
{
    free(*self_p);
    *self_p = NULL;
}

static void s_on_open(void *arg, tt_wsfeed_t *feed)
{
    (void)arg; /* the URL names the streams: nothing to send */
    (void)feed;
}

static void s_on_message(void *arg, tt_wsfeed_t *feed, const char *buf,
                         size_t len, bool binary)
{
    s_binance_t *self = arg;
    if (binary) {
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_MALFORMED,
                       "binary frame (Binance streams send text)");
        return;
    }
    tt_bn_msg_t msg;
    char text[200];
    switch (tt_bn_stream_parse(&self->parser, buf, len, &msg)) {
    case TT_BN_MSG_TICK:
        tt_wsfeed_deliver(feed, msg.symbol_index, &msg.tick);
        break;
    case TT_BN_MSG_BAR:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_BAR, NULL);
        if (msg.bar.closed && self->on_bar)
            self->on_bar(self->bar_arg, msg.symbol_index, &msg.bar);
        break;
    case TT_BN_MSG_REPLY:
    case TT_BN_MSG_UNKNOWN:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_OTHER, NULL);
        break;
    case TT_BN_MSG_VENUE_ERROR:
        snprintf(text, sizeof text, "code %lld: %.150s", (long long)msg.code,
                 msg.text);
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_SERVER_ERROR, text);
        break;
    case TT_BN_MSG_SHUTDOWN:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_OTHER, NULL);
        tt_wsfeed_close(feed, "serverShutdown announced: reconnecting", 0);
        break;
    case TT_BN_MSG_UNKNOWN_SYMBOL:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_UNKNOWN_SYMBOL, NULL);
        break;
    case TT_BN_MSG_MALFORMED:
        tt_wsfeed_note(feed, TT_WSFEED_NOTE_MALFORMED, msg.text);
        break;
    }
}

const tt_feed_venue_ops_t tt_feed_binance_ops = {
    .kind = TT_VENUE_BINANCE,
    .needs_keys = false, /* market streams are public */
    .dedupe = true,
    .default_base = s_default_base,
    .url = s_url,
    .create = s_create,
    .destroy = s_destroy,
    .proto = {s_on_open, s_on_message},
};
