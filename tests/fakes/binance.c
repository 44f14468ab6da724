/*  tests/fakes/binance.c: the fake Binance's lifecycle and the control
    API the test calls from its own thread (see fake_binance.h). Each
    function takes the server's lock; frames are written by the service
    thread. */
#include "tests/fakes/binance_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t s_realtime(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t fb_now_ms(fake_binance_t *self)
{
    return self->clock(self->clock_arg) / 1000000;
}

int fb_symbol(fake_binance_t *self, const char *name)
{
    for (size_t i = 0; i < self->nsyms; i++)
        if (!strcmp(self->syms[i].name, name))
            return (int)i;
    return -1;
}

static int s_dec(const char *s, int64_t *out)
{
    *out = 0;
    return !s || fkdec_parse(s, false, out) == 0 ? 0 : -1;
}

static int s_symbol(fb_symbol_t *d, const fake_binance_symbol_t *s)
{
    if (!s->symbol || !s->base || !s->quote ||
        strlen(s->symbol) >= sizeof d->name ||
        strlen(s->base) >= sizeof d->base ||
        strlen(s->quote) >= sizeof d->quote)
        return -1;
    snprintf(d->name, sizeof d->name, "%s", s->symbol);
    for (size_t i = 0; s->symbol[i]; i++)
        d->lower[i] = (char)tolower((unsigned char)s->symbol[i]);
    snprintf(d->base, sizeof d->base, "%s", s->base);
    snprintf(d->quote, sizeof d->quote, "%s", s->quote);
    return s_dec(s->min_price, &d->min_price) |
           s_dec(s->max_price, &d->max_price) | s_dec(s->tick_size, &d->tick) |
           s_dec(s->min_qty, &d->min_qty) | s_dec(s->max_qty, &d->max_qty) |
           s_dec(s->step_size, &d->step) |
           s_dec(s->min_notional, &d->min_notional);
}

static int s_config(fake_binance_t *self, const fake_binance_cfg_t *cfg)
{
    if (!cfg->api_key || !cfg->secret || !cfg->symbols || !cfg->symbol_count)
        return -1;
    self->api_key = strdup(cfg->api_key);
    self->secret = strdup(cfg->secret);
    self->clock = cfg->clock ? cfg->clock : s_realtime;
    self->clock_arg = cfg->clock_arg;
    self->weight_limit = cfg->weight_limit ? cfg->weight_limit : 6000;
    self->ban_s = cfg->ban_seconds ? cfg->ban_seconds : 120;
    self->order_limit_10s = cfg->order_limit_10s ? cfg->order_limit_10s : 100;
    self->order_limit_1d = cfg->order_limit_1d;
    self->ping_ms = cfg->ping_interval_ms ? cfg->ping_interval_ms : 20000;
    self->pong_ms = cfg->pong_timeout_ms ? cfg->pong_timeout_ms : 60000;
    self->minute = -1;
    self->order_win10 = self->order_day = -1;
    self->enforce_balance = cfg->enforce_balance;
    self->commission = cfg->commission;
    self->commission_bps = cfg->commission_bps;
    self->syms = calloc(cfg->symbol_count, sizeof *self->syms);
    if (!self->api_key || !self->secret || !self->syms)
        return -1;
    self->nsyms = cfg->symbol_count;
    for (size_t i = 0; i < cfg->symbol_count; i++)
        if (s_symbol(&self->syms[i], &cfg->symbols[i]) != 0)
            return -1;
    return 0;
}

fake_binance_t *fake_binance_start(const fake_binance_cfg_t *cfg)
{
    fake_binance_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    if (s_config(self, cfg) != 0) {
        fprintf(stderr, "fake_binance: invalid config (keys, symbols, "
                        "filters)\n");
        fake_binance_stop(&self);
        return NULL;
    }
    fakesrv_cfg_t sc = {.handlers = &fb_handlers,
                        .venue = self,
                        .headers = {"x-mbx-apikey:"},
                        .name = "fake_binance"};
    self->srv = fakesrv_start(&sc);
    if (!self->srv)
        fake_binance_stop(&self);
    return self;
}

static void s_free_kline(fb_kline_t *k)
{
    free(k->interval);
    free(k->o);
    free(k->h);
    free(k->l);
    free(k->c);
    free(k->v);
}

void fake_binance_stop(fake_binance_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    fake_binance_t *self = *self_p;
    fakesrv_stop(&self->srv);
    for (size_t i = 0; self->syms && i < self->nsyms; i++) {
        for (size_t k = 0; k < self->syms[i].nklines; k++)
            s_free_kline(&self->syms[i].klines[k]);
        free(self->syms[i].klines);
    }
    for (size_t i = 0; i < self->nkeys; i++)
        free(self->keys[i]);
    free(self->keys);
    free(self->syms);
    free(self->orders);
    free(self->fills);
    free(self->api_key);
    free(self->secret);
    fkcount_free(&self->routes);
    fkcount_free(&self->coids);
    free(self);
    *self_p = NULL;
}

int fake_binance_port(const fake_binance_t *self)
{
    return fakesrv_port(self->srv);
}

static bool s_num(const char *s)
{
    int64_t v;
    return s && fkdec_parse(s, false, &v) == 0;
}

static void s_trade_events(fb_symbol_t *s, const char *price, const char *qty,
                           int64_t ts_ms, bool maker, fake_binance_t *self)
{
    char stream[48], data[512];
    long long id = (long long)++s->trade_id;
    snprintf(data, sizeof data,
             "{\"e\":\"trade\",\"E\":%lld,\"s\":\"%s\",\"t\":%lld,\"p\":"
             "\"%s\",\"q\":\"%s\",\"T\":%lld,\"m\":%s,\"M\":true}",
             (long long)ts_ms, s->name, id, price, qty, (long long)ts_ms,
             maker ? "true" : "false");
    snprintf(stream, sizeof stream, "%s@trade", s->lower);
    fb_stream_event(self, stream, data);
    snprintf(data, sizeof data,
             "{\"e\":\"aggTrade\",\"E\":%lld,\"s\":\"%s\",\"a\":%lld,\"p\":"
             "\"%s\",\"q\":\"%s\",\"f\":%lld,\"l\":%lld,\"T\":%lld,\"m\":%s,"
             "\"M\":true}",
             (long long)ts_ms, s->name, id, price, qty, id, id,
             (long long)ts_ms, maker ? "true" : "false");
    snprintf(stream, sizeof stream, "%s@aggTrade", s->lower);
    fb_stream_event(self, stream, data);
}

int fake_binance_push_trade(fake_binance_t *self, const char *symbol,
                            const char *price, const char *qty, int64_t ts_ms,
                            bool buyer_is_maker)
{
    int64_t px;
    if (!symbol || !s_num(qty) || fkdec_parse(price, false, &px) || px <= 0)
        return -1;
    fakesrv_lock(self->srv);
    int i = fb_symbol(self, symbol);
    if (i >= 0) {
        fb_symbol_t *s = &self->syms[i];
        s_trade_events(s, price, qty, ts_ms, buyer_is_maker, self);
        s->last_px = px;
        s->has_px = true;
        fb_match(self, i, px);
    }
    fakesrv_unlock(self->srv);
    return i >= 0 ? 0 : -1;
}

static bool s_kline_ok(const char *interval, const fake_binance_kline_t *k)
{
    return interval && interval[0] && strlen(interval) < 8 && k &&
           s_num(k->o) && s_num(k->h) && s_num(k->l) && s_num(k->c) &&
           s_num(k->v);
}

int fake_binance_push_kline(fake_binance_t *self, const char *symbol,
                            const char *interval, const fake_binance_kline_t *k)
{
    if (!symbol || !s_kline_ok(interval, k))
        return -1;
    fakesrv_lock(self->srv);
    int i = fb_symbol(self, symbol);
    if (i >= 0) {
        fb_symbol_t *s = &self->syms[i];
        char stream[48], data[768];
        snprintf(stream, sizeof stream, "%s@kline_%s", s->lower, interval);
        int64_t iv = fb_interval_ms(interval);
        snprintf(data, sizeof data,
                 "{\"e\":\"kline\",\"E\":%lld,\"s\":\"%s\",\"k\":{\"t\":%lld,"
                 "\"T\":%lld,\"s\":\"%s\",\"i\":\"%s\",\"f\":0,\"L\":0,"
                 "\"o\":\"%s\",\"c\":\"%s\",\"h\":\"%s\",\"l\":\"%s\","
                 "\"v\":\"%s\",\"n\":%lld,\"x\":%s,\"q\":\"0\",\"V\":\"0\","
                 "\"Q\":\"0\",\"B\":\"0\"}}",
                 (long long)fb_now_ms(self), s->name, (long long)k->open_ms,
                 (long long)(k->open_ms + (iv ? iv : 60000) - 1), s->name,
                 interval, k->o, k->c, k->h, k->l, k->v, (long long)k->n,
                 k->closed ? "true" : "false");
        fb_stream_event(self, stream, data);
    }
    fakesrv_unlock(self->srv);
    return i >= 0 ? 0 : -1;
}

int fake_binance_seed_kline(fake_binance_t *self, const char *symbol,
                            const char *interval, const fake_binance_kline_t *k)
{
    if (!symbol || !s_kline_ok(interval, k))
        return -1;
    fb_kline_t x = {.interval = strdup(interval),
                    .open_ms = k->open_ms,
                    .o = strdup(k->o),
                    .h = strdup(k->h),
                    .l = strdup(k->l),
                    .c = strdup(k->c),
                    .v = strdup(k->v),
                    .n = k->n};
    fakesrv_lock(self->srv);
    int i = fb_symbol(self, symbol);
    if (i >= 0) {
        fb_symbol_t *s = &self->syms[i];
        if (s->nklines == s->capklines) {
            size_t cap = s->capklines ? s->capklines * 2 : 64;
            fb_kline_t *v = realloc(s->klines, cap * sizeof *v);
            if (!v)
                abort();
            s->klines = v;
            s->capklines = cap;
        }
        size_t at = s->nklines++;
        while (at > 0 && s->klines[at - 1].open_ms > x.open_ms) {
            s->klines[at] = s->klines[at - 1];
            at--;
        }
        s->klines[at] = x;
    } else {
        s_free_kline(&x);
    }
    fakesrv_unlock(self->srv);
    return i >= 0 ? 0 : -1;
}

int fake_binance_fill_while_down(fake_binance_t *self,
                                 const char *client_order_id, const char *qty,
                                 const char *price)
{
    int64_t q, px;
    if (!client_order_id || fkdec_parse(qty, false, &q) ||
        fkdec_parse(price, false, &px) || q <= 0 || px <= 0)
        return -1;
    fakesrv_lock(self->srv);
    fb_order_t *o = fb_order_by_coid(self, client_order_id);
    int rc = -1;
    if (o && fb_order_open(o) && (o->qty == 0 || q <= o->qty - o->executed)) {
        fb_fill(self, o, q, px);
        rc = 0;
    }
    fakesrv_unlock(self->srv);
    return rc;
}

int fake_binance_order_status(fake_binance_t *self, const char *client_order_id,
                              char *out, size_t outsize)
{
    fakesrv_lock(self->srv);
    fb_order_t *o = fb_order_by_coid(self, client_order_id);
    if (o)
        snprintf(out, outsize, "%s", o->status);
    fakesrv_unlock(self->srv);
    return o ? 0 : -1;
}

/* Gone from every lookup, and never matched again. */
static void s_forget(fb_order_t *o)
{
    snprintf(o->coid, sizeof o->coid, "forgotten%lld", (long long)o->id);
    snprintf(o->status, sizeof o->status, "EXPIRED");
}

int fake_binance_forget_order(fake_binance_t *self, const char *client_order_id)
{
    fakesrv_lock(self->srv);
    fb_order_t *o = fb_order_by_coid(self, client_order_id);
    int64_t list = o ? o->list_id : 0;
    for (size_t i = 0; list && i < self->norders; i++)
        if (self->orders[i].list_id == list && &self->orders[i] != o)
            s_forget(&self->orders[i]);
    if (o)
        s_forget(o);
    fakesrv_unlock(self->srv);
    return o ? 0 : -1;
}

int64_t fake_binance_order_list_id(fake_binance_t *self,
                                   const char *client_order_id)
{
    fakesrv_lock(self->srv);
    fb_order_t *o = fb_order_by_coid(self, client_order_id);
    int64_t id = o ? o->list_id : -1;
    fakesrv_unlock(self->srv);
    return id;
}

int fake_binance_drop_connections(fake_binance_t *self)
{
    return fakesrv_drop_ws(self->srv);
}

void fake_binance_set_reject_auth(fake_binance_t *self, bool reject)
{
    fakesrv_lock(self->srv);
    self->reject_auth = reject;
    fakesrv_unlock(self->srv);
}

int fake_binance_expire_listen_keys(fake_binance_t *self)
{
    fakesrv_lock(self->srv);
    int n = (int)self->nkeys;
    for (size_t i = 0; i < self->nkeys; i++) {
        char ev[256];
        snprintf(ev, sizeof ev,
                 "{\"e\":\"listenKeyExpired\",\"E\":%lld,"
                 "\"listenKey\":\"%s\"}",
                 (long long)fb_now_ms(self), self->keys[i]);
        fb_user_event(self, ev);
        free(self->keys[i]);
    }
    self->nkeys = 0;
    fakesrv_unlock(self->srv);
    return n;
}

void fake_binance_split_fills(fake_binance_t *self, int n)
{
    fakesrv_lock(self->srv);
    self->split_fills = n < 0 ? 0 : n;
    fakesrv_unlock(self->srv);
}

void fake_binance_unknown_outcome(fake_binance_t *self, int n)
{
    fakesrv_lock(self->srv);
    self->unknown_outcome = n < 0 ? 0 : n;
    fakesrv_unlock(self->srv);
}

void fake_binance_silent_orders(fake_binance_t *self,
                                const fake_binance_silent_t *how)
{
    fakesrv_lock(self->srv);
    self->silent = *how;
    if (self->silent.n < 0)
        self->silent.n = 0;
    if (self->silent.skip < 0)
        self->silent.skip = 0;
    fakesrv_unlock(self->srv);
}

int fb_silent_begin(fake_binance_t *self, fakesrv_resp_t *r)
{
    if (self->silent.n <= 0)
        return FB_ANSWERED;
    if (self->silent.skip > 0) {
        self->silent.skip--;
        return FB_ANSWERED;
    }
    self->silent.n--;
    self->stats.orders_unanswered++;
    if (self->silent.lost) {
        r->drop = true;
        return FB_LOST;
    }
    self->muted = self->silent.quiet;
    return FB_SILENT;
}

void fb_silent_end(fake_binance_t *self, int kind, fakesrv_resp_t *r)
{
    self->muted = false;
    if (kind != FB_SILENT)
        return;
    r->hold_ms = self->silent.hold_ms;
    r->drop = self->silent.hold_ms <= 0;
}

void fake_binance_rate_limit_storm(fake_binance_t *self, int n)
{
    fakesrv_lock(self->srv);
    self->storm = n < 0 ? 0 : n;
    fakesrv_unlock(self->srv);
}

void fake_binance_rate_limit_oco(fake_binance_t *self, int n, int retry_s)
{
    fakesrv_lock(self->srv);
    self->oco_storm = n < 0 ? 0 : n;
    self->oco_storm_retry_s = retry_s;
    fakesrv_unlock(self->srv);
}

void fake_binance_too_many(fake_binance_t *self, int n)
{
    fakesrv_lock(self->srv);
    self->too_many = n < 0 ? 0 : n;
    fakesrv_unlock(self->srv);
}

void fake_binance_refuse_cancels(fake_binance_t *self, int n)
{
    fakesrv_lock(self->srv);
    self->refuse_cancels = n < 0 ? 0 : n;
    fakesrv_unlock(self->srv);
}

void fake_binance_set_delay_ms(fake_binance_t *self, int ms)
{
    fakesrv_lock(self->srv);
    fakesrv_set_delay_ms(self->srv, ms);
    fakesrv_unlock(self->srv);
}

int fake_binance_send_raw(fake_binance_t *self, const void *data, size_t len,
                          bool binary)
{
    int n = 0;
    fakesrv_lock(self->srv);
    for (fakesrv_conn_t *c = fakesrv_conn_first(self->srv); c;
         c = fakesrv_conn_next(c)) {
        fb_conn_t *st = fakesrv_conn_state(c);
        if (st && st->kind != FB_CONN_USER &&
            fakesrv_send(c, data, len,
                         binary ? FAKESRV_BINARY : FAKESRV_TEXT) == 0)
            n++;
    }
    fakesrv_unlock(self->srv);
    return n;
}

void fake_binance_stats(fake_binance_t *self, fake_binance_stats_t *out)
{
    fakesrv_lock(self->srv);
    *out = self->stats;
    fakesrv_stats_t srv;
    fakesrv_stats(self->srv, &srv);
    out->http_max_in_flight = srv.http_max_in_flight;
    fakesrv_unlock(self->srv);
}

uint64_t fake_binance_requests(fake_binance_t *self, const char *route)
{
    fakesrv_lock(self->srv);
    uint64_t n = fkcount_get(&self->routes, route);
    fakesrv_unlock(self->srv);
    return n;
}

uint64_t fake_binance_coid_count(fake_binance_t *self,
                                 const char *client_order_id)
{
    fakesrv_lock(self->srv);
    uint64_t n = fkcount_get(&self->coids, client_order_id);
    fakesrv_unlock(self->srv);
    return n;
}

uint64_t fake_binance_coid_max(fake_binance_t *self)
{
    fakesrv_lock(self->srv);
    uint64_t n = fkcount_max(&self->coids);
    fakesrv_unlock(self->srv);
    return n;
}
