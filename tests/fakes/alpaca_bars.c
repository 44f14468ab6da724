/*  tests/fakes/alpaca_bars.c: the fake Alpaca's historical bars
    (GET /v2/stocks/{symbol}/bars and /v2/stocks/bars, paged with
    next_page_token) from the bars the test seeds, and GET /v2/clock
    (US Eastern time with its DST rules, weekdays 09:30-16:00, no
    holidays). Runs on the service thread under the lock. */
#include "tests/fakes/alpaca_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_NS 1000000000LL

int fa_timeframe(const char *in, char *out, size_t n)
{
    char *end;
    long k = strtol(in, &end, 10);
    if (end == in || k < 1)
        return -1;
    const char *u = end;
    if ((!strcmp(u, "Min") || !strcmp(u, "T")) && k <= 59)
        snprintf(out, n, "%ldMin", k);
    else if ((!strcmp(u, "Hour") || !strcmp(u, "H")) && k <= 23)
        snprintf(out, n, "%ldHour", k);
    else if ((!strcmp(u, "Day") || !strcmp(u, "D")) && k == 1)
        snprintf(out, n, "1Day");
    else if ((!strcmp(u, "Week") || !strcmp(u, "W")) && k == 1)
        snprintf(out, n, "1Week");
    else if ((!strcmp(u, "Month") || !strcmp(u, "M")) &&
             (k <= 4 || k == 6 || k == 12))
        snprintf(out, n, "%ldMonth", k);
    else
        return -1;
    return 0;
}

typedef struct {
    char tf[16];
    int64_t start, end;
    long limit;
    bool desc;
    char token[64];
} s_query_t;

static int s_query(const char *q, s_query_t *p, fakesrv_resp_t *r)
{
    char v[64];
    memset(p, 0, sizeof *p);
    p->start = INT64_MIN;
    p->end = INT64_MAX;
    p->limit = 1000;
    if (fkq_get(q, "timeframe", v, sizeof v) < 0 ||
        fa_timeframe(v, p->tf, sizeof p->tf) != 0)
        return fa_error(r, 422, 42210000, "invalid timeframe"), -1;
    if (fkq_get(q, "start", v, sizeof v) >= 0 && fktime_parse(v, &p->start))
        return fa_error(r, 422, 42210000, "invalid start"), -1;
    if (fkq_get(q, "end", v, sizeof v) >= 0 && fktime_parse(v, &p->end))
        return fa_error(r, 422, 42210000, "invalid end"), -1;
    if (fkq_get(q, "limit", v, sizeof v) >= 0) {
        char *e;
        p->limit = strtol(v, &e, 10);
        if (*e || p->limit < 1 || p->limit > 10000)
            return fa_error(r, 422, 42210000, "invalid limit"), -1;
    }
    if (fkq_get(q, "sort", v, sizeof v) >= 0) {
        if (strcmp(v, "asc") && strcmp(v, "desc"))
            return fa_error(r, 422, 42210000, "invalid sort"), -1;
        p->desc = v[0] == 'd';
    }
    fkq_get(q, "page_token", p->token, sizeof p->token);
    return 0;
}

static void s_bar_json(fkbuf_t *b, const fa_bar_t *x, bool comma)
{
    char t[48];
    fkbuf_printf(b,
                 "%s{\"t\":\"%s\",\"o\":%s,\"h\":%s,\"l\":%s,\"c\":%s,"
                 "\"v\":%s,\"n\":%lld,\"vw\":%s}",
                 comma ? "," : "", fktime_rfc3339(x->t_ns, t, sizeof t), x->o,
                 x->h, x->l, x->c, x->v, (long long)x->n, x->vw);
}

/* Appends SYM's bars from the cursor FROM_NS on (inclusive; INT64_MIN /
   MAX: from the first) while *LEFT allows. Returns the time of the bar
   that did not fit, or 0 when all fitted. */
static int64_t s_emit(const fa_symbol_t *s, const s_query_t *p, int64_t from_ns,
                      long *left, fkbuf_t *b, bool *comma)
{
    size_t n = s->nbars;
    for (size_t k = 0; k < n; k++) {
        const fa_bar_t *x = &s->bars[p->desc ? n - 1 - k : k];
        if (strcmp(x->tf, p->tf) || x->t_ns < p->start || x->t_ns > p->end ||
            (p->desc ? x->t_ns > from_ns : x->t_ns < from_ns))
            continue;
        if (*left == 0)
            return x->t_ns;
        s_bar_json(b, x, *comma);
        *comma = true;
        (*left)--;
    }
    return 0;
}

void fake_alpaca_fail_bars(fake_alpaca_t *self, int status, int n)
{
    fakesrv_lock(self->srv);
    self->bars_fail = n;
    self->bars_fail_status = status;
    fakesrv_unlock(self->srv);
}

/* A refusal ordered by fake_alpaca_fail_bars: true when R got it. */
static bool s_failing(fake_alpaca_t *self, fakesrv_resp_t *r)
{
    if (self->bars_fail <= 0)
        return false;
    self->bars_fail--;
    fa_error(r, self->bars_fail_status, 50010000, "internal server error");
    return true;
}

void fa_bars_single(fake_alpaca_t *self, const char *sym,
                    const fakesrv_req_t *req, fakesrv_resp_t *r)
{
    s_query_t p;
    if (s_failing(self, r))
        return;
    if (s_query(req->query, &p, r) != 0)
        return;
    long long from = p.desc ? INT64_MAX : INT64_MIN;
    if (p.token[0] && sscanf(p.token, "t%lld", &from) != 1) {
        fa_error(r, 422, 42210000, "invalid page_token");
        return;
    }
    fkbuf_t b;
    fkbuf_init(&b);
    fkbuf_printf(&b, "{\"bars\":[");
    int i = fa_symbol(self, sym);
    long left = p.limit;
    bool comma = false;
    int64_t next =
        i < 0 ? 0 : s_emit(&self->syms[i], &p, from, &left, &b, &comma);
    fkbuf_printf(&b, "],\"symbol\":\"%s\",\"next_page_token\":", sym);
    if (next)
        fkbuf_printf(&b, "\"t%lld\"}", (long long)next);
    else
        fkbuf_printf(&b, "null}");
    fakesrv_resp_set(r, 200, fkbuf_take(&b, NULL));
}

/* One symbol of the multi-symbol reply; returns its next cursor or 0. */
static int64_t s_multi_one(fake_alpaca_t *self, const char *sym,
                           const s_query_t *p, int64_t from, long *left,
                           fkbuf_t *b, bool *first)
{
    int i = fa_symbol(self, sym);
    if (i < 0)
        return 0;
    fkbuf_t one;
    fkbuf_init(&one);
    bool comma = false;
    int64_t next = s_emit(&self->syms[i], p, from, left, &one, &comma);
    if (one.len) {
        fkbuf_printf(b, "%s\"%s\":[%s]", *first ? "" : ",", sym, one.s);
        *first = false;
    }
    fkbuf_free(&one);
    return next;
}

void fa_bars_multi(fake_alpaca_t *self, const fakesrv_req_t *req,
                   fakesrv_resp_t *r)
{
    s_query_t p;
    char list[1024];
    if (s_failing(self, r))
        return;
    if (s_query(req->query, &p, r) != 0)
        return;
    if (fkq_get(req->query, "symbols", list, sizeof list) <= 0) {
        fa_error(r, 422, 42210000, "symbols is required");
        return;
    }
    int start_sym = 0;
    long long from = p.desc ? INT64_MAX : INT64_MIN;
    if (p.token[0] && sscanf(p.token, "%d_%lld", &start_sym, &from) != 2) {
        fa_error(r, 422, 42210000, "invalid page_token");
        return;
    }
    fkbuf_t b;
    fkbuf_init(&b);
    fkbuf_printf(&b, "{\"bars\":{");
    long left = p.limit;
    bool first = true;
    int k = 0;
    int64_t next = 0;
    for (char *save, *sym = strtok_r(list, ",", &save); sym && !next;
         sym = strtok_r(NULL, ",", &save), k++) {
        if (k < start_sym)
            continue;
        int64_t f = k == start_sym ? from : p.desc ? INT64_MAX : INT64_MIN;
        next = s_multi_one(self, sym, &p, f, &left, &b, &first);
    }
    fkbuf_printf(&b, "},\"next_page_token\":");
    if (next)
        fkbuf_printf(&b, "\"%d_%lld\"}", k - 1, (long long)next);
    else
        fkbuf_printf(&b, "null}");
    fakesrv_resp_set(r, 200, fkbuf_take(&b, NULL));
}

/* ---- clock ---- */

static int64_t s_floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* 0 = Sunday. */
static int s_weekday(int64_t days)
{
    return (int)(((days % 7) + 11) % 7);
}

static int64_t s_nth_sunday(int y, int m, int nth)
{
    int64_t d = fktime_days_from_civil(y, m, 1);
    d += (7 - s_weekday(d)) % 7;
    return d + 7 * (nth - 1);
}

/* Eastern time's offset in minutes at UTC second SECS: DST from the
   second Sunday of March 02:00 EST to the first Sunday of November 02:00
   EDT. */
static int s_et_offset(int64_t secs)
{
    int y, m, d;
    fktime_civil_from_days(s_floor_div(secs, 86400), &y, &m, &d);
    int64_t on = s_nth_sunday(y, 3, 2) * 86400 + 7 * 3600;
    int64_t off = s_nth_sunday(y, 11, 1) * 86400 + 6 * 3600;
    return secs >= on && secs < off ? -240 : -300;
}

/* The UTC second of local time SOD on local day DAY. */
static int64_t s_local_to_utc(int64_t day, int64_t sod)
{
    int64_t guess = day * 86400 + sod + 5 * 3600;
    return day * 86400 + sod - (int64_t)s_et_offset(guess) * 60;
}

/* The next weekday session edge (SOD local) strictly after NOW. */
static int64_t s_next_edge(int64_t now, int64_t sod)
{
    int64_t today = s_floor_div(now + s_et_offset(now) * 60, 86400);
    for (int k = 0; k < 10; k++) {
        int wd = s_weekday(today + k);
        int64_t t = s_local_to_utc(today + k, sod);
        if (wd >= 1 && wd <= 5 && t > now)
            return t;
    }
    return now;
}

void fa_clock(fake_alpaca_t *self, fakesrv_resp_t *r)
{
    int64_t ns = fa_now(self), now = s_floor_div(ns, S_NS);
    int off = s_et_offset(now);
    int64_t local = now + off * 60;
    int64_t sod = local - s_floor_div(local, 86400) * 86400;
    int wd = s_weekday(s_floor_div(local, 86400));
    bool open = wd >= 1 && wd <= 5 && sod >= 9 * 3600 + 1800 && sod < 16 * 3600;
    if (self->market_open >= 0)
        open = self->market_open != 0;
    int64_t nopen = s_next_edge(now, 9 * 3600 + 1800);
    int64_t nclose = s_next_edge(now, 16 * 3600);
    char ts[48], o[48], c[48];
    fktime_rfc3339_off(ns, off, ts, sizeof ts);
    fktime_rfc3339_off(nopen * S_NS, s_et_offset(nopen), o, sizeof o);
    fktime_rfc3339_off(nclose * S_NS, s_et_offset(nclose), c, sizeof c);
    fa_json(r, 200,
            json_pack("{s:s,s:b,s:s,s:s}", "timestamp", ts, "is_open", open,
                      "next_open", o, "next_close", c));
}
