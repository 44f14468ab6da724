/*  tests/fakes/alpaca.c: the fake Alpaca's lifecycle and the control API
    the test calls from its own thread (see fake_alpaca.h). Each control
    function takes the server's lock, changes the venue's state and
    queues frames; the service thread writes them. */
#include "tests/fakes/alpaca_private.h"

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

int64_t fa_now(fake_alpaca_t *self)
{
    return self->clock(self->clock_arg);
}

int fa_symbol(fake_alpaca_t *self, const char *name)
{
    for (size_t i = 0; i < self->nsyms; i++)
        if (strcmp(self->syms[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int s_config(fake_alpaca_t *self, const fake_alpaca_cfg_t *cfg)
{
    if (!cfg->key_id || !cfg->secret || !cfg->symbols || !cfg->symbol_count ||
        fkdec_parse(cfg->cash ? cfg->cash : "100000", false, &self->cash))
        return -1;
    self->key_id = strdup(cfg->key_id);
    self->secret = strdup(cfg->secret);
    self->clock = cfg->clock ? cfg->clock : s_realtime;
    self->clock_arg = cfg->clock_arg;
    self->auth_timeout_ms = cfg->auth_timeout_ms ? cfg->auth_timeout_ms : 10000;
    self->md_conn_limit = cfg->md_conn_limit;
    self->rate_limit = cfg->rate_limit_per_min;
    self->text_updates = cfg->trade_updates_text;
    self->allow_short = cfg->allow_short;
    self->market_open = -1;
    self->syms = calloc(cfg->symbol_count, sizeof *self->syms);
    if (!self->key_id || !self->secret || !self->syms)
        return -1;
    self->nsyms = cfg->symbol_count;
    for (size_t i = 0; i < cfg->symbol_count; i++) {
        const char *n = cfg->symbols[i];
        if (!n || !n[0] || strlen(n) >= sizeof self->syms[i].name)
            return -1;
        snprintf(self->syms[i].name, sizeof self->syms[i].name, "%s", n);
        self->syms[i].crypto = strchr(n, '/') != NULL;
    }
    return 0;
}

fake_alpaca_t *fake_alpaca_start(const fake_alpaca_cfg_t *cfg)
{
    fake_alpaca_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    if (s_config(self, cfg) != 0) {
        fprintf(stderr, "fake_alpaca: invalid config (keys, symbols, cash)\n");
        fake_alpaca_stop(&self);
        return NULL;
    }
    fakesrv_cfg_t sc = {.handlers = &fa_handlers,
                        .venue = self,
                        .headers = {"apca-api-key-id:", "apca-api-secret-key:"},
                        .name = "fake_alpaca"};
    self->srv = fakesrv_start(&sc);
    if (!self->srv) {
        fake_alpaca_stop(&self);
        return NULL;
    }
    return self;
}

static void s_free_bar(fa_bar_t *b)
{
    free(b->tf);
    free(b->o);
    free(b->h);
    free(b->l);
    free(b->c);
    free(b->v);
    free(b->vw);
}

void fake_alpaca_stop(fake_alpaca_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    fake_alpaca_t *self = *self_p;
    fakesrv_stop(&self->srv); /* closes the websockets first */
    for (size_t i = 0; self->syms && i < self->nsyms; i++) {
        for (size_t k = 0; k < self->syms[i].nbars; k++)
            s_free_bar(&self->syms[i].bars[k]);
        free(self->syms[i].bars);
    }
    free(self->syms);
    free(self->orders);
    free(self->key_id);
    free(self->secret);
    fkcount_free(&self->routes);
    fkcount_free(&self->coids);
    free(self);
    *self_p = NULL;
}

int fake_alpaca_port(const fake_alpaca_t *self)
{
    return fakesrv_port(self->srv);
}

static bool s_num(const char *s)
{
    int64_t v;
    return s && fkdec_parse(s, false, &v) == 0;
}

static void s_trade_frame(fake_alpaca_t *self, fa_symbol_t *s,
                          const char *price, const char *size, int64_t ts,
                          fkbuf_t *b)
{
    char t[48];
    fktime_rfc3339(ts, t, sizeof t);
    long long id = (long long)++s->trade_id;
    (void)self;
    if (s->crypto)
        fkbuf_printf(b,
                     "[{\"T\":\"t\",\"S\":\"%s\",\"p\":%s,\"s\":%s,\"t\":"
                     "\"%s\",\"i\":%lld,\"tks\":\"B\"}]",
                     s->name, price, size, t, id);
    else
        fkbuf_printf(b,
                     "[{\"T\":\"t\",\"S\":\"%s\",\"i\":%lld,\"x\":\"V\","
                     "\"p\":%s,\"s\":%s,\"c\":[\"@\"],\"z\":\"C\",\"t\":"
                     "\"%s\"}]",
                     s->name, id, price, size, t);
}

int fake_alpaca_push_trade(fake_alpaca_t *self, const char *symbol,
                           const char *price, const char *size, int64_t ts_ns)
{
    int64_t px;
    if (!symbol || !s_num(size) || fkdec_parse(price, false, &px) || px <= 0)
        return -1;
    fakesrv_lock(self->srv);
    int i = fa_symbol(self, symbol);
    if (i >= 0) {
        fa_symbol_t *s = &self->syms[i];
        fkbuf_t b;
        fkbuf_init(&b);
        s_trade_frame(self, s, price, size, ts_ns, &b);
        fa_md_broadcast(self, FA_CH_TRADES, symbol, b.s);
        fkbuf_free(&b);
        s->last_px = px;
        s->has_px = true;
        fa_match(self, i, px);
    }
    fakesrv_unlock(self->srv);
    return i >= 0 ? 0 : -1;
}

static bool s_bar_ok(const fake_alpaca_bar_t *b)
{
    return b && s_num(b->o) && s_num(b->h) && s_num(b->l) && s_num(b->c) &&
           s_num(b->v) && (!b->vw || s_num(b->vw));
}

int fake_alpaca_push_bar(fake_alpaca_t *self, const char *symbol,
                         const fake_alpaca_bar_t *bar)
{
    if (!symbol || !s_bar_ok(bar))
        return -1;
    char t[48];
    fkbuf_t b;
    fkbuf_init(&b);
    fkbuf_printf(&b,
                 "[{\"T\":\"b\",\"S\":\"%s\",\"o\":%s,\"h\":%s,\"l\":%s,"
                 "\"c\":%s,\"v\":%s,\"n\":%lld,\"vw\":%s,\"t\":\"%s\"}]",
                 symbol, bar->o, bar->h, bar->l, bar->c, bar->v,
                 (long long)bar->n, bar->vw ? bar->vw : bar->c,
                 fktime_rfc3339(bar->t_ns, t, sizeof t));
    fakesrv_lock(self->srv);
    int i = fa_symbol(self, symbol);
    if (i >= 0)
        fa_md_broadcast(self, FA_CH_BARS, symbol, b.s);
    fakesrv_unlock(self->srv);
    fkbuf_free(&b);
    return i >= 0 ? 0 : -1;
}

static void s_insert_bar(fa_symbol_t *s, fa_bar_t *x)
{
    if (s->nbars == s->capbars) {
        size_t cap = s->capbars ? s->capbars * 2 : 64;
        fa_bar_t *b = realloc(s->bars, cap * sizeof *b);
        if (!b)
            abort();
        s->bars = b;
        s->capbars = cap;
    }
    size_t k = s->nbars;
    while (k > 0 && s->bars[k - 1].t_ns > x->t_ns) {
        s->bars[k] = s->bars[k - 1];
        k--;
    }
    s->bars[k] = *x;
    s->nbars++;
}

int fake_alpaca_seed_bar(fake_alpaca_t *self, const char *symbol,
                         const char *timeframe, const fake_alpaca_bar_t *bar)
{
    char tf[16];
    if (!symbol || !timeframe || !s_bar_ok(bar) ||
        fa_timeframe(timeframe, tf, sizeof tf) != 0)
        return -1;
    fa_bar_t x = {.tf = strdup(tf),
                  .t_ns = bar->t_ns,
                  .o = strdup(bar->o),
                  .h = strdup(bar->h),
                  .l = strdup(bar->l),
                  .c = strdup(bar->c),
                  .v = strdup(bar->v),
                  .vw = strdup(bar->vw ? bar->vw : bar->c),
                  .n = bar->n};
    fakesrv_lock(self->srv);
    int i = fa_symbol(self, symbol);
    if (i >= 0)
        s_insert_bar(&self->syms[i], &x);
    else
        s_free_bar(&x);
    fakesrv_unlock(self->srv);
    return i >= 0 ? 0 : -1;
}

void fake_alpaca_set_market_open(fake_alpaca_t *self, int open)
{
    fakesrv_lock(self->srv);
    self->market_open = open < 0 ? -1 : open != 0;
    fakesrv_unlock(self->srv);
}

int fake_alpaca_fill_while_down(fake_alpaca_t *self,
                                const char *client_order_id, const char *qty,
                                const char *price)
{
    int64_t q, px;
    if (!client_order_id || fkdec_parse(qty, false, &q) ||
        fkdec_parse(price, false, &px) || q <= 0 || px <= 0)
        return -1;
    fakesrv_lock(self->srv);
    fa_order_t *o = fa_order_by_coid(self, client_order_id);
    int rc = -1;
    if (o && fa_order_open(o) && !o->held &&
        (o->notional || q <= o->qty - o->filled_qty)) {
        fa_fill(self, o, q, px);
        rc = 0;
    }
    fakesrv_unlock(self->srv);
    return rc;
}

int fake_alpaca_order_status(fake_alpaca_t *self, const char *client_order_id,
                             char *out, size_t outsize)
{
    fakesrv_lock(self->srv);
    fa_order_t *o = fa_order_by_coid(self, client_order_id);
    if (o)
        snprintf(out, outsize, "%s", o->status);
    fakesrv_unlock(self->srv);
    return o ? 0 : -1;
}

int fake_alpaca_leg_status(fake_alpaca_t *self, const char *client_order_id,
                           char *out, size_t outsize)
{
    fakesrv_lock(self->srv);
    fa_order_t *o = fa_order_by_coid(self, client_order_id);
    int leg = o ? (o->legs[1] >= 0 ? o->legs[1] : o->legs[0]) : -1;
    if (leg >= 0)
        snprintf(out, outsize, "%s", self->orders[leg].status);
    fakesrv_unlock(self->srv);
    return leg >= 0 ? 0 : -1;
}

int fake_alpaca_position(fake_alpaca_t *self, const char *symbol, char *out,
                         size_t outsize)
{
    fakesrv_lock(self->srv);
    int i = fa_symbol(self, symbol);
    if (i >= 0)
        fa_dec(self->syms[i].pos_qty, out, outsize);
    fakesrv_unlock(self->srv);
    return i >= 0 ? 0 : -1;
}

int fake_alpaca_drop_connections(fake_alpaca_t *self)
{
    return fakesrv_drop_ws(self->srv);
}

void fake_alpaca_set_reject_auth(fake_alpaca_t *self, bool reject)
{
    fakesrv_lock(self->srv);
    self->reject_auth = reject;
    fakesrv_unlock(self->srv);
}

void fake_alpaca_rate_limit_storm(fake_alpaca_t *self, int n)
{
    fakesrv_lock(self->srv);
    self->storm = n < 0 ? 0 : n;
    fakesrv_unlock(self->srv);
}

void fake_alpaca_fail_list(fake_alpaca_t *self, int status, int n)
{
    fakesrv_lock(self->srv);
    self->list_fail = n;
    self->list_fail_status = status;
    fakesrv_unlock(self->srv);
}

void fake_alpaca_limit_posts(fake_alpaca_t *self, int n, int retry_after_s)
{
    fakesrv_lock(self->srv);
    self->post_limit = n < 0 ? 0 : n;
    self->post_retry_s = retry_after_s;
    fakesrv_unlock(self->srv);
}

void fake_alpaca_unknown_outcome(fake_alpaca_t *self, int n)
{
    fakesrv_lock(self->srv);
    self->post_unknown = n < 0 ? 0 : n;
    fakesrv_unlock(self->srv);
}

void fake_alpaca_fail_cancels(fake_alpaca_t *self, int status, int n)
{
    fakesrv_lock(self->srv);
    self->cancel_fail = n < 0 ? 0 : n;
    self->cancel_fail_status = status;
    fakesrv_unlock(self->srv);
}

void fake_alpaca_set_delay_ms(fake_alpaca_t *self, int ms)
{
    fakesrv_lock(self->srv);
    fakesrv_set_delay_ms(self->srv, ms);
    fakesrv_unlock(self->srv);
}

int fake_alpaca_send_raw(fake_alpaca_t *self, const void *data, size_t len,
                         bool binary)
{
    int n = 0;
    fakesrv_lock(self->srv);
    for (fakesrv_conn_t *c = fakesrv_conn_first(self->srv); c;
         c = fakesrv_conn_next(c)) {
        fa_conn_t *st = fakesrv_conn_state(c);
        if (st && st->kind == FA_CONN_MD &&
            fakesrv_send(c, data, len,
                         binary ? FAKESRV_BINARY : FAKESRV_TEXT) == 0)
            n++;
    }
    fakesrv_unlock(self->srv);
    return n;
}

void fake_alpaca_stats(fake_alpaca_t *self, fake_alpaca_stats_t *out)
{
    fakesrv_lock(self->srv);
    *out = self->stats;
    fakesrv_stats_t srv;
    fakesrv_stats(self->srv, &srv);
    out->http_max_in_flight = srv.http_max_in_flight;
    fakesrv_unlock(self->srv);
}

uint64_t fake_alpaca_requests(fake_alpaca_t *self, const char *route)
{
    fakesrv_lock(self->srv);
    uint64_t n = fkcount_get(&self->routes, route);
    fakesrv_unlock(self->srv);
    return n;
}

uint64_t fake_alpaca_coid_count(fake_alpaca_t *self,
                                const char *client_order_id)
{
    fakesrv_lock(self->srv);
    uint64_t n = fkcount_get(&self->coids, client_order_id);
    fakesrv_unlock(self->srv);
    return n;
}

uint64_t fake_alpaca_coid_max(fake_alpaca_t *self)
{
    fakesrv_lock(self->srv);
    uint64_t n = fkcount_max(&self->coids);
    fakesrv_unlock(self->srv);
    return n;
}

size_t fake_alpaca_request_log(fake_alpaca_t *self, fake_alpaca_req_t *out,
                               size_t cap)
{
    fakesrv_lock(self->srv);
    uint64_t n = self->nlog < FAKE_ALPACA_LOG ? self->nlog : FAKE_ALPACA_LOG;
    if (n > cap)
        n = cap;
    for (uint64_t i = 0; i < n; i++)
        out[i] = self->log[(self->nlog - n + i) % FAKE_ALPACA_LOG];
    fakesrv_unlock(self->srv);
    return (size_t)n;
}
