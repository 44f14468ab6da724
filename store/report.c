/*  store/report.c: a run's trading report from its ledger (see
    report.h). Two passes over the ledger: per symbol in write order
    (trades, exposure, the hash), then in event time across symbols (the
    portfolio's drawdown). */
#include "store/report.h"
#include "store/store_priv.h"

#include <jansson.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    tt_report_line_t *line;
    double scale;
    int64_t pos;
    double trip_gross, trip_fees;
    int64_t open_ts;
    double cum, peak;
    double sum_r, sum_r2, sum_down2;
    int64_t exposure_ns;
} s_acc_t;

typedef struct {
    double sum_r, sum_r2, sum_down2;
    int64_t n;
} s_moments_t;

static double s_pow10(int n)
{
    double v = 1;
    while (n-- > 0)
        v *= 10;
    return v;
}

static void s_ratios(const s_moments_t *m, double *sharpe, double *sortino)
{
    *sharpe = *sortino = 0;
    if (m->n < 2)
        return;
    double n = (double)m->n, mean = m->sum_r / n;
    double var = (m->sum_r2 - n * mean * mean) / (n - 1);
    if (var > 0)
        *sharpe = mean / sqrt(var);
    double down = sqrt(m->sum_down2 / n);
    if (down > 0)
        *sortino = mean / down;
}

static void s_close_trip(s_acc_t *a, s_moments_t *all, double equity,
                         int64_t ts)
{
    tt_report_line_t *l = a->line;
    double net = a->trip_gross - a->trip_fees;
    if (l->trades == 0 || net > l->best)
        l->best = net;
    if (l->trades == 0 || net < l->worst)
        l->worst = net;
    l->trades++;
    l->wins += net > 0;
    double r = equity > 0 ? net / equity : 0;
    a->sum_r += r, a->sum_r2 += r * r;
    all->sum_r += r, all->sum_r2 += r * r, all->n++;
    if (r < 0)
        a->sum_down2 += r * r, all->sum_down2 += r * r;
    a->exposure_ns += ts - a->open_ts;
    a->trip_gross = a->trip_fees = 0;
}

/* One ledger row into its symbol's line. */
static void s_row(s_acc_t *a, s_moments_t *all, double equity, int64_t ts,
                  double realized, double fee, int64_t pos)
{
    tt_report_line_t *l = a->line;
    l->fills++;
    l->gross += realized, l->fees += fee, l->net += realized - fee;
    a->trip_gross += realized, a->trip_fees += fee;
    a->cum += realized - fee;
    if (a->cum > a->peak)
        a->peak = a->cum;
    if (a->peak - a->cum > l->max_drawdown)
        l->max_drawdown = a->peak - a->cum;
    bool flip = (a->pos > 0 && pos < 0) || (a->pos < 0 && pos > 0);
    if (a->pos != 0 && (pos == 0 || flip))
        s_close_trip(a, all, equity, ts);
    if (pos != 0 && (a->pos == 0 || flip))
        a->open_ts = ts;
    a->pos = pos;
}

static void s_finish(s_acc_t *a, const tt_report_t *r)
{
    tt_report_line_t *l = a->line;
    if (a->pos != 0 && r->last_ts > a->open_ts)
        a->exposure_ns += r->last_ts - a->open_ts;
    l->open_qty = a->pos;
    s_moments_t m = {a->sum_r, a->sum_r2, a->sum_down2, l->trades};
    s_ratios(&m, &l->sharpe, &l->sortino);
    int64_t span = r->last_ts - r->first_ts;
    l->exposure = span > 0 ? (double)a->exposure_ns / (double)span : 0;
    if (l->exposure > 1)
        l->exposure = 1;
}

static int s_grow(tt_report_t *r, const char *symbol)
{
    tt_report_line_t *lines =
        realloc(r->lines, (r->count + 1) * sizeof *r->lines);
    if (!lines)
        return -1;
    r->lines = lines;
    tt_report_line_t *l = &r->lines[r->count++];
    memset(l, 0, sizeof *l);
    snprintf(l->symbol, sizeof l->symbol, "%s", symbol);
    return 0;
}

static int s_hash_row(EVP_MD_CTX *md, sqlite3_stmt *st)
{
    char line[1024];
    int n = snprintf(line, sizeof line,
                     "%s,%s,%s,%s,%lld,%lld,%lld,%lld,%lld,%lld,%lld,"
                     "%lld,%lld,%lld,%s\n",
                     (const char *)sqlite3_column_text(st, 0),
                     (const char *)sqlite3_column_text(st, 1),
                     (const char *)sqlite3_column_text(st, 2),
                     (const char *)sqlite3_column_text(st, 3),
                     (long long)sqlite3_column_int64(st, 4),
                     (long long)sqlite3_column_int64(st, 5),
                     (long long)sqlite3_column_int64(st, 6),
                     (long long)sqlite3_column_int64(st, 7),
                     (long long)sqlite3_column_int64(st, 8),
                     (long long)sqlite3_column_int64(st, 9),
                     (long long)sqlite3_column_int64(st, 10),
                     (long long)sqlite3_column_int64(st, 12),
                     (long long)sqlite3_column_int64(st, 13),
                     (long long)sqlite3_column_int64(st, 14),
                     (const char *)sqlite3_column_text(st, 15));
    /* The store bounds every text column well below this; a row that
       does not fit fails the report rather than leave the hash. */
    if (n < 0 || n >= (int)sizeof line)
        return -1;
    return EVP_DigestUpdate(md, line, (size_t)n) == 1 ? 0 : -1;
}

/* Pass one: per symbol, in write order. */
static int s_symbols(sqlite3 *db, tt_report_t *r, tt_report_scale_fn *scale,
                     void *arg, s_moments_t *all, EVP_MD_CTX *md)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT symbol, venue, fill_id, coid, side, qty,"
                           " px, fee, ts, realized, pos_qty, qty_decimals,"
                           " exec_qty, commission, commission_decimals,"
                           " COALESCE(commission_asset, '')"
                           " FROM ledger ORDER BY symbol, id",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    s_acc_t a = {0};
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *symbol = (const char *)sqlite3_column_text(st, 0);
        if (s_hash_row(md, st) != 0)
            break;
        r->ledger_rows++;
        if (!a.line || strcmp(a.line->symbol, symbol) != 0) {
            if (a.line)
                s_finish(&a, r);
            if (s_grow(r, symbol) != 0)
                break;
            memset(&a, 0, sizeof a);
            a.line = &r->lines[r->count - 1];
            int px = 2;
            if (scale && scale(arg, symbol, &px) != 0)
                px = 2;
            a.line->px_decimals = px;
            a.line->qty_decimals = sqlite3_column_int(st, 11);
            a.scale = s_pow10(px);
        }
        s_row(&a, all, r->start_equity, sqlite3_column_int64(st, 8),
              (double)sqlite3_column_int64(st, 9) / a.scale,
              (double)sqlite3_column_int64(st, 7) / a.scale,
              sqlite3_column_int64(st, 10));
    }
    if (a.line)
        s_finish(&a, r);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static const tt_report_line_t *s_line(const tt_report_t *r, const char *sym)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->lines[i].symbol, sym) == 0)
            return &r->lines[i];
    return NULL;
}

/* Pass two: the portfolio's net P&L in event time, for its drawdown. */
static int s_portfolio_drawdown(sqlite3 *db, tt_report_t *r)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT symbol, realized - fee FROM ledger"
                           " ORDER BY ts, symbol, id",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    double cum = 0, peak = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const tt_report_line_t *l =
            s_line(r, (const char *)sqlite3_column_text(st, 0));
        cum += (double)sqlite3_column_int64(st, 1) /
               s_pow10(l ? l->px_decimals : 2);
        if (cum > peak)
            peak = cum;
        if (peak - cum > r->total.max_drawdown)
            r->total.max_drawdown = peak - cum;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static void s_totals(tt_report_t *r, const s_moments_t *all)
{
    tt_report_line_t *t = &r->total;
    snprintf(t->symbol, sizeof t->symbol, "TOTAL");
    t->px_decimals = 2;
    for (size_t i = 0; i < r->count; i++) {
        const tt_report_line_t *l = &r->lines[i];
        if (l->trades && (t->trades == 0 || l->best > t->best))
            t->best = l->best;
        if (l->trades && (t->trades == 0 || l->worst < t->worst))
            t->worst = l->worst;
        t->fills += l->fills, t->trades += l->trades, t->wins += l->wins;
        t->gross += l->gross, t->fees += l->fees, t->net += l->net;
        t->exposure += l->exposure / (double)r->count;
        t->open_qty += l->open_qty != 0;
    }
    s_ratios(all, &t->sharpe, &t->sortino);
}

int tt_report_build(tt_store_t *store, double start_equity, int64_t first_ts,
                    int64_t last_ts, tt_report_scale_fn *scale, void *arg,
                    tt_report_t *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    out->start_equity = start_equity;
    out->first_ts = first_ts;
    out->last_ts = last_ts;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    s_moments_t all = {0};
    int rc = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? 0 : -1;
    if (rc == 0)
        rc = s_symbols(store->db, out, scale, arg, &all, md);
    if (rc == 0)
        rc = s_portfolio_drawdown(store->db, out);
    unsigned char digest[32];
    unsigned int len = 0;
    if (rc == 0 && EVP_DigestFinal_ex(md, digest, &len) == 1 && len == 32)
        for (unsigned i = 0; i < 32; i++)
            snprintf(out->ledger_sha256 + 2 * i, 3, "%02x", digest[i]);
    else if (rc == 0)
        rc = -1;
    EVP_MD_CTX_free(md);
    if (rc != 0) {
        snprintf(err, errsize, "report: %s", sqlite3_errmsg(store->db));
        tt_report_free(out);
        return -1;
    }
    s_totals(out, &all);
    return 0;
}

void tt_report_free(tt_report_t *self)
{
    free(self->lines);
    self->lines = NULL;
    self->count = 0;
}

static void s_print_line(const tt_report_line_t *l, FILE *out)
{
    double win = l->trades ? 100.0 * (double)l->wins / (double)l->trades : 0;
    fprintf(out,
            "%-10s %6lld %6.1f%% %12.2f %10.2f %12.2f %10.2f %6.2f %6.2f "
            "%5.1f%% %10.2f %10.2f%s\n",
            l->symbol, (long long)l->trades, win, l->gross, l->fees, l->net,
            l->max_drawdown, l->sharpe, l->sortino, 100 * l->exposure, l->best,
            l->worst, l->open_qty ? "  (open)" : "");
}

void tt_report_print(const tt_report_t *self, FILE *out)
{
    fprintf(out, "%-10s %6s %7s %12s %10s %12s %10s %6s %6s %6s %10s %10s\n",
            "symbol", "trades", "win", "gross", "fees", "net", "max dd",
            "sharpe", "sortino", "expo", "best", "worst");
    for (size_t i = 0; i < self->count; i++)
        s_print_line(&self->lines[i], out);
    s_print_line(&self->total, out);
    fprintf(out, "ledger: %lld fills, sha256 %s\n",
            (long long)self->ledger_rows, self->ledger_sha256);
}

static json_t *s_line_json(const tt_report_line_t *l)
{
    return json_pack(
        "{s:s, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, "
        "s:f, s:I}",
        "symbol", l->symbol, "fills", (json_int_t)l->fills, "trades",
        (json_int_t)l->trades, "wins", (json_int_t)l->wins, "win_rate",
        l->trades ? (double)l->wins / (double)l->trades : 0.0, "gross_pnl",
        l->gross, "fees", l->fees, "net_pnl", l->net, "max_drawdown",
        l->max_drawdown, "sharpe", l->sharpe, "sortino", l->sortino, "exposure",
        l->exposure, "best_trade", l->best, "worst_trade", l->worst, "open_qty",
        (json_int_t)l->open_qty);
}

static json_t *s_json(const tt_report_t *self)
{
    json_t *symbols = json_array();
    for (size_t i = 0; i < self->count; i++)
        json_array_append_new(symbols, s_line_json(&self->lines[i]));
    return json_pack(
        "{s:o, s:o, s:f, s:I, s:I, s:I, s:s}", "symbols", symbols, "total",
        s_line_json(&self->total), "start_equity", self->start_equity,
        "first_ts_ns", (json_int_t)self->first_ts, "last_ts_ns",
        (json_int_t)self->last_ts, "ledger_rows", (json_int_t)self->ledger_rows,
        "ledger_sha256", self->ledger_sha256);
}

int tt_report_write_json(const tt_report_t *self, FILE *out)
{
    json_t *doc = s_json(self);
    int rc = doc && json_dumpf(doc, out, JSON_INDENT(2) | JSON_SORT_KEYS) == 0
                 ? 0
                 : -1;
    fputc('\n', out);
    json_decref(doc);
    return rc;
}

int tt_report_store(const tt_report_t *self, tt_store_t *store)
{
    json_t *doc = s_json(self);
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    int rc = text ? tt_store_kv_put(store, "report", text) : -1;
    free(text);
    json_decref(doc);
    return rc;
}
