/*  tests/venuecheck.c: the live-venue test helpers (venuecheck.h). */
#include "tests/venuecheck.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "tests/storecheck.h"

#define S_POLL_MS 20

char *tth_venue_config(const char *dir, const char *venue_yaml,
                       const char *defaults_yaml, const char *symbols_yaml)
{
    size_t cap = 8192;
    char *text = malloc(cap);
    assert_non_null(text);
    int n =
        snprintf(text, cap,
                 "service:\n  control: ipc://%s/control\n"
                 "  events: ipc://%s/events\n  replay: ipc://%s/replay\n"
                 "  db: %s/ticktree.db\n  workers: 2\n"
                 "  shutdown_timeout_ms: 5000\n"
                 "venues:\n  - name: live\n%s"
                 "symbol_defaults:\n  venue: live\n%s"
                 "symbols:\n%s",
                 dir, dir, dir, dir, venue_yaml, defaults_yaml, symbols_yaml);
    assert_true(n > 0 && (size_t)n < cap);
    return text;
}

/* ---- health ------------------------------------------------------------ */

static void s_copy_edge(const Tt__ActorHealth *edge, tth_venue_seen_t *seen)
{
    seen->edge_state = edge->state;
    snprintf(seen->last_error, sizeof seen->last_error, "%s", edge->last_error);
    seen->handled = edge->handled;
    seen->resubscribes = edge->resubscribes;
    const Tt__FeedHealth *f = edge->feed;
    if (!f)
        return;
    snprintf(seen->status, sizeof seen->status, "%s", f->status);
    snprintf(seen->url, sizeof seen->url, "%s", f->url);
    seen->frames = f->frames;
    seen->malformed = f->malformed;
    seen->unexpected = f->unexpected;
    seen->server_errors = f->server_errors;
    seen->attempts = f->attempts;
    seen->connects = f->connects;
    seen->reconnects = f->reconnects;
    seen->subscribes = f->subscribes;
    seen->holds = f->holds;
    seen->bars = f->bars;
}

static void s_copy_symbol(const Tt__SymbolHealth *sym, tth_venue_seen_t *seen)
{
    seen->sym_state = sym->state;
    seen->warm = sym->warm;
    seen->have = sym->warmup_have;
    seen->need = sym->warmup_need;
    seen->ticks = sym->ticks;
    seen->fills = sym->fills;
    seen->orders = sym->orders;
    snprintf(seen->position, sizeof seen->position, "%s", sym->position);
}

tth_venue_seen_t tth_venue_look(tth_proc_t *proc, const char *edge,
                                const char *symbol)
{
    tth_venue_seen_t seen;
    memset(&seen, 0, sizeof seen);
    seen.tree_state = seen.edge_state = seen.sym_state = -1;
    Tt__Reply *reply = NULL;
    Tt__Health *h = tth_health(proc, &reply);
    if (!h) {
        if (reply)
            tt__reply__free_unpacked(reply, NULL);
        return seen;
    }
    seen.tree_state = h->state;
    seen.n_edges = (int)h->n_edges;
    for (size_t e = 0; e < h->n_edges; e++)
        if (edge ? !strcmp(h->edges[e]->name, edge) : h->n_edges == 1)
            s_copy_edge(h->edges[e], &seen);
    for (size_t i = 0; i < h->n_symbols; i++) {
        const Tt__SymbolHealth *sym = h->symbols[i];
        if (symbol && !strcmp(sym->symbol, symbol)) {
            s_copy_symbol(sym, &seen);
        } else if (!symbol) {
            seen.ticks += sym->ticks;
            seen.fills += sym->fills;
            seen.orders += sym->orders;
        }
    }
    tt__reply__free_unpacked(reply, NULL);
    return seen;
}

tth_venue_seen_t tth_venue_wait(tth_proc_t *proc, const char *edge,
                                const char *symbol, tth_venue_cond_fn *cond,
                                uint64_t want, int timeout_ms, const char *what)
{
    int64_t deadline = tth_now_ms() + timeout_ms;
    tth_venue_seen_t seen = tth_venue_look(proc, edge, symbol);
    while (!cond(&seen, want) && tth_now_ms() < deadline) {
        tth_nap_ms(S_POLL_MS);
        seen = tth_venue_look(proc, edge, symbol);
    }
    if (!cond(&seen, want)) {
        tth_proc_dump_log(proc);
        fail_msg("%s: not reached (status %s, ticks %llu, fills %llu, "
                 "position '%s', subscribes %llu, reconnects %llu, "
                 "malformed %llu, error '%s')",
                 what, seen.status, (unsigned long long)seen.ticks,
                 (unsigned long long)seen.fills, seen.position,
                 (unsigned long long)seen.subscribes,
                 (unsigned long long)seen.reconnects,
                 (unsigned long long)seen.malformed, seen.last_error);
    }
    return seen;
}

tth_venue_seen_t tth_venue_look_after(tth_proc_t *proc, const char *edge,
                                      const char *symbol, int window_ms)
{
    /* A loop: a nap may end early on a signal. */
    int64_t end = tth_now_ms() + window_ms;
    while (tth_now_ms() < end)
        tth_nap_ms(50);
    return tth_venue_look(proc, edge, symbol);
}

bool tth_venue_ticks_at_least(const tth_venue_seen_t *s, uint64_t want)
{
    return s->ticks >= want;
}

bool tth_venue_bars_at_least(const tth_venue_seen_t *s, uint64_t want)
{
    return s->bars >= want;
}

bool tth_venue_malformed_at_least(const tth_venue_seen_t *s, uint64_t want)
{
    return s->malformed >= want;
}

bool tth_venue_reconnected(const tth_venue_seen_t *s, uint64_t want)
{
    return s->reconnects >= want && !strcmp(s->status, "connected") &&
           s->subscribes > want;
}

bool tth_venue_feed_up(const tth_venue_seen_t *s, uint64_t want)
{
    (void)want;
    return s->tree_state == TT__STATE__STATE_RUNNING && s->n_edges == 1 &&
           s->edge_state == TT__STATE__STATE_RUNNING;
}

bool tth_venue_symbol_connected(const tth_venue_seen_t *s, uint64_t want)
{
    (void)want;
    return s->sym_state == TT__STATE__STATE_RUNNING &&
           !strcmp(s->status, "connected");
}

/* ---- the running service's store --------------------------------------- */

void *tth_store_open(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    sqlite3_busy_timeout(db, 2000);
    return db;
}

void tth_store_text(const char *dir, const char *sql, char *out, size_t size)
{
    sqlite3 *db = tth_store_open(dir);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

long tth_store_long(const char *dir, const char *sql)
{
    sqlite3 *db = tth_store_open(dir);
    long v = tth_query_long(db, sql);
    sqlite3_close(db);
    return v;
}

long tth_store_candles_once(const char *dir, const char *symbol)
{
    char sql[256];
    sqlite3 *db = tth_store_open(dir);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM candles WHERE symbol = '%s'", symbol);
    long rows = tth_query_long(db, sql);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM events WHERE topic = 'md.candle.%s'",
             symbol);
    long events = tth_query_long(db, sql);
    sqlite3_close(db);
    assert_int_equal(events, rows);
    return rows;
}

void tth_store_wait_order_state(const char *dir, const char *coid,
                                const char *want)
{
    char sql[160], state[32] = "";
    snprintf(sql, sizeof sql, "SELECT state FROM orders WHERE coid = '%s'",
             coid);
    int64_t deadline = tth_now_ms() + 5000;
    do {
        tth_store_text(dir, sql, state, sizeof state);
        if (strcmp(state, want) != 0)
            tth_nap_ms(S_POLL_MS);
    } while (strcmp(state, want) != 0 && tth_now_ms() < deadline);
    assert_string_equal(state, want);
}

void tth_store_legs_accepted(const char *dir, const char *target,
                             const char *stop)
{
    static const char *const fmt = "SELECT count(*) FROM orders WHERE coid "
                                   "= '%s' AND state = 2 AND venue_oid <> ''";
    tth_store_wait_order_state(dir, target, "2");
    tth_store_wait_order_state(dir, stop, "2");
    assert_int_equal(tth_store_count_for(dir, fmt, target), 1);
    assert_int_equal(tth_store_count_for(dir, fmt, stop), 1);
}

void tth_store_last_coid(const char *dir, const char *pattern, char *out)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT coid FROM orders WHERE coid LIKE '%s' ORDER BY seq DESC "
             "LIMIT 1",
             pattern);
    tth_store_text(dir, sql, out, 64);
}

long tth_store_count_for(const char *dir, const char *fmt, const char *coid)
{
    char sql[256];
    snprintf(sql, sizeof sql, fmt, coid);
    return tth_store_long(dir, sql);
}

/* ---- the service's log and restarts ------------------------------------ */

int tth_log_count_named(const tth_proc_t *proc, const char *suffix,
                        const char *coid)
{
    char *log = tth_read_file(proc->log);
    assert_non_null(log);
    int n = 0;
    for (const char *p = log; (p = strstr(p, suffix)) != NULL; p++) {
        const char *start = p;
        while (start > log && start[-1] != ' ')
            start--;
        if (!coid || ((size_t)(p - start) == strlen(coid) &&
                      !strncmp(start, coid, (size_t)(p - start))))
            n++;
    }
    free(log);
    return n;
}

void tth_proc_term(tth_proc_t *proc)
{
    int rc = tth_proc_signal_wait(proc, SIGTERM, 30000);
    if (rc != 0)
        tth_proc_dump_log(proc);
    assert_int_equal(rc, 0);
}

bool tth_venue_edges_listening(const tth_venue_seen_t *s, uint64_t want)
{
    return s->n_edges == 2 && !strcmp(s->status, "connected") &&
           s->subscribes >= want;
}

bool tth_log_holds(const tth_proc_t *proc, const char *needle)
{
    char *log = tth_read_file(proc->log);
    bool found = log && strstr(log, needle);
    free(log);
    return found;
}

void tth_log_lacks(const tth_proc_t *proc, const char *const *words)
{
    char *log = tth_read_file(proc->log);
    assert_non_null(log);
    for (size_t i = 0; words[i]; i++)
        if (strstr(log, words[i]))
            fail_msg("the log holds \"%s\"", words[i]);
    free(log);
}

void tth_venue_respawn(tth_proc_t *proc, const char *log_name)
{
    size_t len = strlen(proc->dir) + strlen(log_name) + 2;
    free(proc->log);
    proc->log = malloc(len);
    assert_non_null(proc->log);
    snprintf(proc->log, len, "%s/%s", proc->dir, log_name);
    const char *args[] = {"run", "-c", proc->config, NULL};
    proc->reaped = false;
    proc->pid = tth_spawn(args, proc->log);
}

/* ---- local servers ----------------------------------------------------- */

void tth_binance_venue_yaml(const char *dir, int port, const char *env_name,
                            const char *key, const char *secret,
                            const char *more_params, char *out, size_t size)
{
    char line[256];
    snprintf(line, sizeof line, "%s\n", secret);
    char *path = tth_write_file(dir, "binance.secret", line);
    assert_int_equal(chmod(path, 0600), 0);
    setenv(env_name, key, 1);
    /* MORE_PARAMS may name its own auth_retry_s. */
    const char *auth =
        strstr(more_params, "auth_retry_s") ? "" : "auth_retry_s: 300, ";
    int n = snprintf(out, size,
                     "    kind: binance\n"
                     "    endpoints: [\"ws://127.0.0.1:%d\"]\n"
                     "    key_id: env:%s\n"
                     "    secret_key: file:%s\n"
                     "    params: {orders: venue, backoff_ms: 300, "
                     "backoff_max_ms: 600, %s"
                     "trading_url: \"http://127.0.0.1:%d\", "
                     "trading_stream: \"ws://127.0.0.1:%d/ws\", "
                     "orders_per_min: 120, recv_window_ms: 10000%s}\n",
                     port, env_name, path, auth, port, port, more_params);
    assert_true(n > 0 && (size_t)n < size);
    free(path);
}

fake_binance_t *tth_fake_binance_btcusdt(fake_binance_cfg_t cfg)
{
    static const fake_binance_symbol_t sym = {.symbol = "BTCUSDT",
                                              .base = "BTC",
                                              .quote = "USDT",
                                              .tick_size = "0.01",
                                              .step_size = "0.00001"};
    cfg.symbols = &sym;
    cfg.symbol_count = 1;
    if (!cfg.api_key)
        cfg.api_key = "k";
    if (!cfg.secret)
        cfg.secret = "s";
    fake_binance_t *fake = fake_binance_start(&cfg);
    assert_non_null(fake);
    return fake;
}

fake_binance_t *tth_fake_binance_spot(fake_binance_cfg_t cfg)
{
    static const fake_binance_symbol_t sym = {.symbol = "BTCUSDT",
                                              .base = "BTC",
                                              .quote = "USDT",
                                              .min_price = "0.01",
                                              .max_price = "1000000",
                                              .tick_size = "0.01",
                                              .min_qty = "0.001",
                                              .max_qty = "1000",
                                              .step_size = "0.001",
                                              .min_notional = "10"};
    cfg.symbols = &sym;
    cfg.symbol_count = 1;
    fake_binance_t *fake = fake_binance_start(&cfg);
    assert_non_null(fake);
    return fake;
}

tth_proc_t *tth_binance_sma_spawn(fake_binance_t *fake, char *dir,
                                  const char *key, const char *secret,
                                  int stop_pct)
{
    return tth_binance_sma_spawn_params(fake, dir, key, secret, stop_pct, "");
}

tth_proc_t *tth_binance_sma_spawn_params(fake_binance_t *fake, char *dir,
                                         const char *key, const char *secret,
                                         int stop_pct, const char *more_params)
{
    char venue[1024], strategy[512];
    tth_binance_venue_yaml(dir, fake_binance_port(fake), "TT_TEST_BINANCE_KEY",
                           key, secret, more_params, venue, sizeof venue);
    snprintf(strategy, sizeof strategy,
             "  timeframes: [1]\n"
             "  stale_ms: 120000\n"
             "  strategy:\n    kind: sma_cross\n"
             "    params: {fast: 2, slow: 4, stop_pct: %d, target_r: 2}\n"
             "  risk:\n    sizing: fixed_qty\n    qty: \"0.5\"\n",
             stop_pct);
    char *text = tth_venue_config(dir, venue, strategy,
                                  "  - symbol: BTCUSDT\n    px_decimals: 2\n"
                                  "    qty_decimals: 3\n");
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    free(text);
    return proc;
}

bool tth_venue_listening(const tth_venue_seen_t *s, uint64_t want)
{
    return !strcmp(s->status, "connected") &&
           s->subscribes >= (want ? want : 1);
}

void tth_binance_trade(fake_binance_t *fake, int64_t cents)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    char px[32];
    snprintf(px, sizeof px, "%lld.%02lld", (long long)(cents / 100),
             (long long)(cents % 100));
    assert_int_equal(
        fake_binance_push_trade(fake, "BTCUSDT", px, "0.1", wall_ms, true), 0);
}

void tth_store_wait_exited_flat(const tth_proc_t *proc, const char *dir,
                                const char *symbol)
{
    const char *exited = "SELECT count(*) FROM orders WHERE coid LIKE '%-x' "
                         "AND state = 4";
    char held[160];
    snprintf(held, sizeof held, "SELECT qty FROM positions WHERE symbol = '%s'",
             symbol);
    int64_t deadline = tth_now_ms() + 20000;
    while (tth_now_ms() < deadline &&
           (tth_store_long(dir, exited) < 1 || tth_store_long(dir, held) != 0))
        tth_nap_ms(50);
    if (tth_store_long(dir, exited) != 1 || tth_store_long(dir, held) != 0)
        tth_proc_dump_log(proc);
    assert_int_equal(tth_store_long(dir, exited), 1);
    assert_int_equal(tth_store_long(dir, held), 0);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM orders WHERE "
                                         "coid LIKE '%-x'"),
                     1);
}

fake_alpaca_t *tth_fake_alpaca_aapl(const char *key, const char *secret)
{
    static const char *const symbols[] = {"AAPL"};
    fake_alpaca_cfg_t cfg = {.key_id = key,
                             .secret = secret,
                             .symbols = symbols,
                             .symbol_count = 1,
                             .rate_limit_per_min = -1,
                             .allow_short = false};
    fake_alpaca_t *fake = fake_alpaca_start(&cfg);
    assert_non_null(fake);
    return fake;
}

char *tth_alpaca_sma_config(const char *dir, int port, const char *env_name,
                            const char *key, const char *secret,
                            const char *more_params)
{
    char line[256];
    snprintf(line, sizeof line, "%s\n", secret);
    char *path = tth_write_file(dir, "alpaca.secret", line);
    assert_int_equal(chmod(path, 0600), 0);
    setenv(env_name, key, 1);
    char venue[1024];
    int n = snprintf(venue, sizeof venue,
                     "    kind: alpaca\n"
                     "    endpoints: [\"ws://127.0.0.1:%d\"]\n"
                     "    key_id: env:%s\n"
                     "    secret_key: file:%s\n"
                     "    params: {backoff_ms: 300, backoff_max_ms: 600, "
                     "auth_retry_s: 300, trading_url: \"http://127.0.0.1:%d\", "
                     "orders_per_min: 120%s}\n",
                     port, env_name, path, port, more_params);
    assert_true(n > 0 && (size_t)n < sizeof venue);
    free(path);
    return tth_venue_config(dir, venue,
                            "  timeframes: [1]\n"
                            "  stale_ms: 120000\n"
                            "  strategy:\n    kind: sma_cross\n"
                            "    params: {fast: 2, slow: 4, stop_pct: 1, "
                            "target_r: 2}\n"
                            "  risk:\n    sizing: fixed_qty\n    qty: \"10\"\n",
                            "  - symbol: AAPL\n    px_decimals: 2\n"
                            "    qty_decimals: 0\n");
}

void tth_alpaca_trade(fake_alpaca_t *fake, int64_t cents)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char px[32];
    snprintf(px, sizeof px, "%lld.%02lld", (long long)(cents / 100),
             (long long)(cents % 100));
    assert_int_equal(
        fake_alpaca_push_trade(fake, "AAPL", px, "100",
                               (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec),
        0);
}

int64_t tth_binance_drive_entry(tth_proc_t *proc, fake_binance_t *fake)
{
    const char *route = "POST /api/v3/order";
    int64_t cents = 19000;
    for (int i = 0; i < 40; i++, cents -= 2) {
        tth_binance_trade(fake, cents);
        tth_nap_ms(100);
    }
    int64_t deadline = tth_now_ms() + 40000;
    while (tth_now_ms() < deadline && !fake_binance_requests(fake, route)) {
        cents += 5;
        tth_binance_trade(fake, cents);
        tth_nap_ms(100);
    }
    if (!fake_binance_requests(fake, route))
        tth_proc_dump_log(proc);
    assert_true(fake_binance_requests(fake, route) >= 1);
    return cents;
}

void tth_binance_end(tth_proc_t **proc, fake_binance_t **fake, const char *key,
                     const char *secret)
{
    const char *const words[] = {secret, key, NULL};
    tth_log_lacks(*proc, words);
    assert_int_equal(tth_proc_signal_wait(*proc, SIGTERM, 5000), 0);
    tth_proc_destroy(proc);
    fake_binance_stop(fake);
}

bool tth_wait_file_holds(const char *path, const char *needle, int timeout_ms)
{
    int64_t deadline = tth_now_ms() + timeout_ms;
    for (;;) {
        char *text = tth_read_file(path);
        bool found = text && strstr(text, needle);
        free(text);
        if (found)
            return true;
        if (tth_now_ms() >= deadline)
            return false;
        tth_nap_ms(S_POLL_MS);
    }
}

/* The port the tick server printed in LOG_PATH, or -1 after 5 s. */
static int s_port(const char *log_path)
{
    static const char prefix[] = "ws://127.0.0.1:";
    if (!tth_wait_file_holds(log_path, prefix, 5000))
        return -1;
    char *log = tth_read_file(log_path);
    int port = log ? atoi(strstr(log, prefix) + strlen(prefix)) : -1;
    free(log);
    return port;
}

pid_t tth_tickserver_start(const char *dir, int symbols, int *port)
{
    char *text =
        tth_config_text("ipc:///nonexistent/unused", symbols, "", NULL);
    char *config = tth_write_file(dir, "server.yaml", text);
    free(text);
    char log[512];
    snprintf(log, sizeof log, "%s/tickserver.log", dir);
    const char *args[] = {"tickserver", "-c", config, "--port", "0", NULL};
    pid_t server = tth_spawn(args, log);
    free(config);
    *port = s_port(log);
    assert_true(*port > 0);
    return server;
}

int tth_tickserver_stop(pid_t server)
{
    kill(server, SIGTERM);
    int status = 0;
    assert_int_equal(waitpid(server, &status, 0), server);
    return status;
}
