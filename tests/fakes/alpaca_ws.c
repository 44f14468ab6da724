/*  tests/fakes/alpaca_ws.c: the fake Alpaca's two websockets.

    Market data (/v2/{feed}, /v1beta3/crypto/{loc}): every server frame is
    a JSON array; "connected" on open, then auth (message or upgrade
    headers) within the auth timeout, subscribe / unsubscribe replying
    with the whole set, and the error codes of protocols.md section 1.
    trade_updates (/stream): one JSON object per frame, binary by default
    as the paper server sends, auth in either documented form, listen.
    Runs on the service thread (handlers) or the test's thread (pushes),
    always under the server's lock. */
#include "tests/fakes/alpaca_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_channels[FA_CH_COUNT] = {
    "trades",    "quotes",   "bars",  "updatedBars",
    "dailyBars", "statuses", "lulds", "orderbooks"};

static void s_set_free(fa_set_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

static bool s_set_has(const fa_set_t *s, const char *sym)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], sym) == 0 || strcmp(s->v[i], "*") == 0)
            return true;
    return false;
}

static void s_set_add(fa_set_t *s, const char *sym)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], sym) == 0)
            return;
    char **v = realloc(s->v, (s->n + 1) * sizeof *v);
    if (!v)
        abort();
    s->v = v;
    s->v[s->n++] = strdup(sym);
}

static void s_set_del(fa_set_t *s, const char *sym)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], sym) == 0) {
            free(s->v[i]);
            s->v[i] = s->v[--s->n];
            return;
        }
}

static void s_send_text(fakesrv_conn_t *c, const char *text)
{
    fakesrv_send(c, text, strlen(text), FAKESRV_TEXT);
}

static void s_md_error(fakesrv_conn_t *c, int code, const char *msg)
{
    char buf[160];
    snprintf(buf, sizeof buf, "[{\"T\":\"error\",\"code\":%d,\"msg\":\"%s\"}]",
             code, msg);
    s_send_text(c, buf);
}

static bool s_keys_ok(fake_alpaca_t *self, const char *key, const char *secret)
{
    return !self->reject_auth && key && secret &&
           strcmp(key, self->key_id) == 0 && strcmp(secret, self->secret) == 0;
}

/* Other authenticated connections on the same endpoint. */
static int s_md_peers(fake_alpaca_t *self, fakesrv_conn_t *me)
{
    int n = 0;
    for (fakesrv_conn_t *c = fakesrv_conn_first(self->srv); c;
         c = fakesrv_conn_next(c)) {
        fa_conn_t *st = fakesrv_conn_state(c);
        if (c != me && st && st->kind == FA_CONN_MD && st->authed &&
            !st->closing &&
            strcmp(st->path, ((fa_conn_t *)fakesrv_conn_state(me))->path) == 0)
            n++;
    }
    return n;
}

static void s_md_auth(fake_alpaca_t *self, fakesrv_conn_t *c, fa_conn_t *st,
                      const char *key, const char *secret)
{
    if (st->authed) {
        s_md_error(c, 403, "already authenticated");
        return;
    }
    if (!s_keys_ok(self, key, secret)) {
        self->stats.auth_failures++;
        s_md_error(c, 402, "auth failed");
        st->closing = true;
        fakesrv_close(c, 1008, "auth failed");
        return;
    }
    int limit = self->md_conn_limit ? self->md_conn_limit : 1;
    if (limit > 0 && s_md_peers(self, c) >= limit) {
        s_md_error(c, 406, "connection limit exceeded");
        st->closing = true;
        fakesrv_close(c, 1008, "connection limit exceeded");
        return;
    }
    st->authed = true;
    fakesrv_conn_timer(c, -1);
    s_send_text(c, "[{\"T\":\"success\",\"msg\":\"authenticated\"}]");
}

static bool s_symbol_ok(const char *s, bool crypto)
{
    if (strcmp(s, "*") == 0)
        return true;
    size_t n = strlen(s);
    if (n == 0 || n > 24)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
            s[i] != '.' && !(crypto && s[i] == '/'))
            return false;
    return true;
}

static bool s_channel_ok(int ch, bool crypto)
{
    if (crypto)
        return ch != FA_CH_STATUSES && ch != FA_CH_LULDS;
    return ch != FA_CH_ORDERBOOKS;
}

static void s_set_json(fkbuf_t *b, const char *key, const fa_set_t *s)
{
    fkbuf_printf(b, ",\"%s\":[", key);
    for (size_t i = 0; i < s->n; i++)
        fkbuf_printf(b, "%s\"%s\"", i ? "," : "", s->v[i]);
    fkbuf_printf(b, "]");
}

static void s_subscription_reply(fakesrv_conn_t *c, fa_conn_t *st)
{
    static const int stock[] = {FA_CH_TRADES,  FA_CH_QUOTES, FA_CH_BARS,
                                FA_CH_UPDATED, FA_CH_DAILY,  FA_CH_STATUSES,
                                FA_CH_LULDS};
    static const int crypto[] = {FA_CH_TRADES, FA_CH_QUOTES,  FA_CH_ORDERBOOKS,
                                 FA_CH_BARS,   FA_CH_UPDATED, FA_CH_DAILY};
    fkbuf_t b;
    fkbuf_init(&b);
    fkbuf_printf(&b, "[{\"T\":\"subscription\"");
    const int *list = st->crypto ? crypto : stock;
    int n = st->crypto ? 6 : 7;
    for (int i = 0; i < n; i++)
        s_set_json(&b, s_channels[list[i]], &st->ch[list[i]]);
    if (!st->crypto) { /* trades bring corrections and cancel errors */
        s_set_json(&b, "corrections", &st->ch[FA_CH_TRADES]);
        s_set_json(&b, "cancelErrors", &st->ch[FA_CH_TRADES]);
    }
    fkbuf_printf(&b, "}]");
    s_send_text(c, b.s);
    fkbuf_free(&b);
}

/* Checks every channel list first, so a bad message changes nothing. */
static int s_md_check_sub(json_t *m, bool crypto)
{
    for (int ch = 0; ch < FA_CH_COUNT; ch++) {
        json_t *a = json_object_get(m, s_channels[ch]);
        if (!a)
            continue;
        if (!json_is_array(a))
            return 400;
        if (!s_channel_ok(ch, crypto))
            return 410;
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
        {
            if (!json_is_string(v) ||
                !s_symbol_ok(json_string_value(v), crypto))
                return 400;
        }
    }
    return 0;
}

static void s_md_subscribe(fakesrv_conn_t *c, fa_conn_t *st, json_t *m,
                           bool add)
{
    if (!st->authed) {
        s_md_error(c, 401, "not authenticated");
        return;
    }
    int bad = s_md_check_sub(m, st->crypto);
    if (bad) {
        s_md_error(c, bad,
                   bad == 400 ? "invalid syntax"
                              : "invalid subscribe action for this "
                                "feed");
        return;
    }
    for (int ch = 0; ch < FA_CH_COUNT; ch++) {
        json_t *a = json_object_get(m, s_channels[ch]), *v;
        size_t i;
        json_array_foreach(a, i, v)
        {
            if (add)
                s_set_add(&st->ch[ch], json_string_value(v));
            else
                s_set_del(&st->ch[ch], json_string_value(v));
        }
    }
    s_subscription_reply(c, st);
}

static void s_md_message(fake_alpaca_t *self, fakesrv_conn_t *c, fa_conn_t *st,
                         json_t *m)
{
    const char *action = json_string_value(json_object_get(m, "action"));
    if (!action) {
        s_md_error(c, 400, "invalid syntax");
    } else if (strcmp(action, "auth") == 0) {
        s_md_auth(self, c, st, json_string_value(json_object_get(m, "key")),
                  json_string_value(json_object_get(m, "secret")));
    } else if (strcmp(action, "subscribe") == 0 ||
               strcmp(action, "unsubscribe") == 0) {
        s_md_subscribe(c, st, m, action[0] == 's');
    } else {
        s_md_error(c, 400, "invalid syntax");
    }
}

/* ---- trade_updates ---- */

static void s_stream_send(fake_alpaca_t *self, fakesrv_conn_t *c,
                          const char *text)
{
    fakesrv_send(c, text, strlen(text),
                 self->text_updates ? FAKESRV_TEXT : FAKESRV_BINARY);
}

static void s_stream_auth(fake_alpaca_t *self, fakesrv_conn_t *c, fa_conn_t *st,
                          json_t *m)
{
    const char *key = json_string_value(json_object_get(m, "key"));
    const char *secret = json_string_value(json_object_get(m, "secret"));
    json_t *data = json_object_get(m, "data");
    if (!key && json_is_object(data)) { /* the older form */
        key = json_string_value(json_object_get(data, "key_id"));
        secret = json_string_value(json_object_get(data, "secret_key"));
    }
    bool ok = s_keys_ok(self, key, secret);
    if (!ok)
        self->stats.auth_failures++;
    st->authed = ok;
    char buf[128];
    snprintf(buf, sizeof buf,
             "{\"stream\":\"authorization\",\"data\":{\"status\":\"%s\","
             "\"action\":\"authenticate\"}}",
             ok ? "authorized" : "unauthorized");
    s_stream_send(self, c, buf);
}

static void s_stream_listen(fake_alpaca_t *self, fakesrv_conn_t *c,
                            fa_conn_t *st, json_t *m)
{
    if (!st->authed) {
        s_stream_send(self, c,
                      "{\"stream\":\"authorization\",\"data\":{\"status\":"
                      "\"unauthorized\",\"action\":\"listen\"}}");
        return;
    }
    json_t *streams = json_object_get(json_object_get(m, "data"), "streams");
    st->listening = false;
    size_t i;
    json_t *v;
    json_array_foreach(streams, i, v)
    {
        if (json_is_string(v) &&
            strcmp(json_string_value(v), "trade_updates") == 0)
            st->listening = true;
    }
    s_stream_send(self, c,
                  st->listening ? "{\"stream\":\"listening\",\"data\":{"
                                  "\"streams\":[\"trade_updates\"]}}"
                                : "{\"stream\":\"listening\",\"data\":{"
                                  "\"streams\":[]}}");
}

static void s_stream_message(fake_alpaca_t *self, fakesrv_conn_t *c,
                             fa_conn_t *st, json_t *m)
{
    const char *action = json_string_value(json_object_get(m, "action"));
    if (action &&
        (strcmp(action, "auth") == 0 || strcmp(action, "authenticate") == 0)) {
        s_stream_auth(self, c, st, m);
    } else if (action && strcmp(action, "listen") == 0) {
        s_stream_listen(self, c, st, m);
    } else {
        s_stream_send(self, c,
                      "{\"action\":\"error\",\"data\":{\"error_message\":"
                      "\"invalid message\"}}");
        st->closing = true;
        fakesrv_close(c, 1008, "invalid message");
    }
}

void fa_trade_event(fake_alpaca_t *self, const char *event, const fa_order_t *o,
                    int64_t qty, int64_t px)
{
    json_t *data = json_object();
    json_object_set_new(data, "event", json_string(event));
    char buf[48];
    if (strcmp(event, "new") != 0)
        json_object_set_new(
            data, "timestamp",
            json_string(fktime_rfc3339(fa_now(self), buf, sizeof buf)));
    if (qty > 0) {
        snprintf(buf, sizeof buf, "e-%llu",
                 (unsigned long long)++self->next_exec);
        json_object_set_new(data, "execution_id", json_string(buf));
        json_object_set_new(data, "price", json_string(fa_dec(px, buf, 48)));
        json_object_set_new(data, "qty", json_string(fa_dec(qty, buf, 48)));
        json_object_set_new(
            data, "position_qty",
            json_string(fa_dec(self->syms[o->sym].pos_qty, buf, 48)));
    }
    json_object_set_new(data, "order", fa_order_json(self, o, true));
    json_t *ev =
        json_pack("{s:s,s:o}", "stream", "trade_updates", "data", data);
    char *text = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    for (fakesrv_conn_t *c = fakesrv_conn_first(self->srv); c;
         c = fakesrv_conn_next(c)) {
        fa_conn_t *st = fakesrv_conn_state(c);
        if (st && st->kind == FA_CONN_STREAM && st->listening) {
            s_stream_send(self, c, text);
            self->stats.events_sent++;
        }
    }
    free(text);
}

void fa_md_broadcast(fake_alpaca_t *self, int channel, const char *symbol,
                     const char *frame)
{
    bool crypto = strchr(symbol, '/') != NULL;
    for (fakesrv_conn_t *c = fakesrv_conn_first(self->srv); c;
         c = fakesrv_conn_next(c)) {
        fa_conn_t *st = fakesrv_conn_state(c);
        if (st && st->kind == FA_CONN_MD && st->authed && !st->closing &&
            st->crypto == crypto && s_set_has(&st->ch[channel], symbol)) {
            s_send_text(c, frame);
            self->stats.md_frames_sent++;
        }
    }
}

/* ---- handlers ---- */

static int s_open(void *venue, fakesrv_conn_t *c, const fakesrv_req_t *req)
{
    fake_alpaca_t *self = venue;
    static const char *const feeds[] = {"/v2/iex", "/v2/sip", "/v2/delayed_sip",
                                        "/v2/test"};
    fa_conn_t st = {.kind = FA_CONN_MD};
    if (strcmp(req->path, "/stream") == 0)
        st.kind = FA_CONN_STREAM;
    else if (strncmp(req->path, "/v1beta3/crypto/", 16) == 0 && req->path[16] &&
             !strchr(req->path + 16, '/'))
        st.crypto = true;
    else {
        bool known = false;
        for (int i = 0; i < 4; i++)
            known = known || strcmp(req->path, feeds[i]) == 0;
        if (!known)
            return -1;
    }
    snprintf(st.path, sizeof st.path, "%s", req->path);
    fa_conn_t *p = malloc(sizeof *p);
    if (!p)
        return -1;
    *p = st;
    fakesrv_conn_set(c, p);
    if (st.kind == FA_CONN_STREAM) {
        self->stats.stream_connections++;
        self->stats.stream_clients++;
        return 0;
    }
    self->stats.md_connections++;
    self->stats.md_clients++;
    s_send_text(c, "[{\"T\":\"success\",\"msg\":\"connected\"}]");
    if (req->headers[0] || req->headers[1])
        s_md_auth(self, c, p, req->headers[0], req->headers[1]);
    else
        fakesrv_conn_timer(c, self->auth_timeout_ms);
    return 0;
}

static void s_message(void *venue, fakesrv_conn_t *c, const char *data,
                      size_t len, bool binary)
{
    fake_alpaca_t *self = venue;
    fa_conn_t *st = fakesrv_conn_state(c);
    if (!st || st->closing)
        return;
    json_t *m = json_loadb(data, len, 0, NULL);
    if (st->kind == FA_CONN_MD) {
        if (!json_is_object(m) || binary)
            s_md_error(c, 400, "invalid syntax");
        else
            s_md_message(self, c, st, m);
    } else {
        s_stream_message(self, c, st, json_is_object(m) ? m : NULL);
    }
    json_decref(m);
}

static void s_timer(void *venue, fakesrv_conn_t *c)
{
    (void)venue;
    fa_conn_t *st = fakesrv_conn_state(c);
    if (st && st->kind == FA_CONN_MD && !st->authed && !st->closing) {
        s_md_error(c, 404, "auth timeout");
        st->closing = true;
        fakesrv_close(c, 1008, "auth timeout");
    }
}

static void s_close(void *venue, fakesrv_conn_t *c)
{
    fake_alpaca_t *self = venue;
    fa_conn_t *st = fakesrv_conn_state(c);
    if (!st)
        return;
    if (st->kind == FA_CONN_MD)
        self->stats.md_clients--;
    else
        self->stats.stream_clients--;
    for (int i = 0; i < FA_CH_COUNT; i++)
        s_set_free(&st->ch[i]);
    free(st);
    fakesrv_conn_set(c, NULL);
}

const fakesrv_handlers_t fa_handlers = {
    .http = fa_http,
    .ws_open = s_open,
    .ws_message = s_message,
    .ws_pong = NULL,
    .ws_timer = s_timer,
    .ws_close = s_close,
};
