/*  tests/venuecheck.h: what the end-to-end tests of live venues (feeds,
    broker gateways, the tick server) share, so that each test reads as
    its scenario: the service's config around one venue named "live",
    health read into one flat struct and waited on with a bound, the
    running service's store read while it runs, the local Binance-like
    server with one symbol, and a `ticktree tickserver` on a free port.

    Runs on the test's thread; every wait is bounded and fails the test
    with what it saw last. */
#ifndef TT_TESTS_VENUECHECK_H
#define TT_TESTS_VENUECHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tests/fakes/fake_alpaca.h"
#include "tests/fakes/fake_binance.h"
#include "tests/process.h"

/* ---- config ------------------------------------------------------------ */

/* The config of a service in DIR (control, events and replay on ipc://
   endpoints inside it, its store there, two workers) with one venue
   named "live": VENUE_YAML holds the lines under "- name: live",
   DEFAULTS_YAML the lines under symbol_defaults after "venue: live", and
   SYMBOLS_YAML the lines under "symbols:". The caller frees it. */
char *tth_venue_config(const char *dir, const char *venue_yaml,
                       const char *defaults_yaml, const char *symbols_yaml);

/* ---- health ------------------------------------------------------------ */

/* What health shows of one venue edge (a feed or a broker gateway) and
   one symbol: every field a venue test waits on or asserts. */
typedef struct {
    int tree_state; /* the root's; -1 without a reply */
    int n_edges;    /* edges in the tree */
    /* The edge (see tth_venue_look); edge_state -1 when not found. */
    int edge_state;
    char last_error[256];
    uint64_t handled, resubscribes;
    /* Its connection (zero and "" for an edge without one). */
    char status[16], url[256];
    uint64_t frames, malformed, unexpected, server_errors;
    uint64_t attempts, connects, reconnects, subscribes, holds, bars;
    /* The symbol; sym_state -1 when not found. */
    int sym_state;
    bool warm;
    uint32_t have, need; /* warm-up candles */
    uint64_t ticks, fills, orders;
    char position[32];
} tth_venue_seen_t;

/* One health request. EDGE names the edge ("broker/live"); NULL means
   the tree's only edge (none when it has several). SYMBOL names the
   symbol; NULL sums ticks, fills and orders over every symbol. */
tth_venue_seen_t tth_venue_look(tth_proc_t *proc, const char *edge,
                                const char *symbol);

typedef bool(tth_venue_cond_fn)(const tth_venue_seen_t *seen, uint64_t want);

/* Looks until COND(seen, WANT) holds, at most TIMEOUT_MS; returns the
   last look. When it never held: prints the service's log and fails the
   test with WHAT and the last look. */
tth_venue_seen_t tth_venue_wait(tth_proc_t *proc, const char *edge,
                                const char *symbol, tth_venue_cond_fn *cond,
                                uint64_t want, int timeout_ms,
                                const char *what);

/* Lets WINDOW_MS pass, then looks: for what must not happen within a
   window (a retry storm, a second connection). To wait for something
   that must happen, use tth_venue_wait. */
tth_venue_seen_t tth_venue_look_after(tth_proc_t *proc, const char *edge,
                                      const char *symbol, int window_ms);

/* Conditions for tth_venue_wait. */
bool tth_venue_ticks_at_least(const tth_venue_seen_t *s, uint64_t want);
bool tth_venue_bars_at_least(const tth_venue_seen_t *s, uint64_t want);
bool tth_venue_malformed_at_least(const tth_venue_seen_t *s, uint64_t want);
/* Connected after at least WANT reconnects, subscribed more than WANT
   times (WANT 0: the first subscription). */
bool tth_venue_reconnected(const tth_venue_seen_t *s, uint64_t want);
/* The tree and its only edge RUNNING (WANT unused). */
bool tth_venue_feed_up(const tth_venue_seen_t *s, uint64_t want);
/* The symbol RUNNING and its feed connected (WANT unused). */
bool tth_venue_symbol_connected(const tth_venue_seen_t *s, uint64_t want);

/* ---- the running service's store --------------------------------------- */

/* DIR/ticktree.db opened read-only with a busy timeout (the service
   writes it in WAL mode, so readers are welcome while it runs). Returns
   a sqlite3 *; the caller closes it. */
void *tth_store_open(const char *dir);

/* The first column of the first row of SQL on DIR's store, as text into
   OUT (asserting a row) or as an integer. */
void tth_store_text(const char *dir, const char *sql, char *out, size_t size);
long tth_store_long(const char *dir, const char *sql);

/* After the service stopped: asserts one md.candle event per stored
   candle of SYMBOL (the candles table is unique per symbol, timeframe
   and start, so an extra event would be a candle emitted twice).
   Returns the number of stored candles. */
long tth_store_candles_once(const char *dir, const char *symbol);

/* Polls DIR's store until order COID's state is WANT (the number the
   store keeps, e.g. "2" for accepted), at most 5 s; asserts it is. */
void tth_store_wait_order_state(const char *dir, const char *coid,
                                const char *want);

/* Polls DIR's store until orders TARGET and STOP (an OCO's two legs)
   are accepted; asserts each is stored accepted with its venue order id
   once. */
void tth_store_legs_accepted(const char *dir, const char *target,
                             const char *stop);

/* The client id of DIR's highest-numbered order whose id is LIKE
   PATTERN, into OUT (64 bytes); asserts there is one. */
void tth_store_last_coid(const char *dir, const char *pattern, char *out);

/* tth_store_long of the SQL that FMT makes with COID in it. */
long tth_store_count_for(const char *dir, const char *fmt, const char *coid);

/* ---- the service's log and restarts ------------------------------------ */

/* How many times the service's log names COID (NULL: any order) with
   SUFFIX right after it ("tt-X-1-e not sent: ..." names tt-X-1-e). */
int tth_log_count_named(const tth_proc_t *proc, const char *suffix,
                        const char *coid);

/* Stops the service with SIGTERM and asserts it exits 0 within 30 s
   (its log dumped when not). */
void tth_proc_term(tth_proc_t *proc);

/* A venue edge pair (market data and broker) both connected, their
   streams subscribed WANT times at least: tth_venue_cond_fn. */
bool tth_venue_edges_listening(const tth_venue_seen_t *s, uint64_t want);

/* Whether the service's log holds NEEDLE now. */
bool tth_log_holds(const tth_proc_t *proc, const char *needle);

/* Asserts that the service's log holds none of WORDS (NULL-terminated):
   keys and secrets are never printed. */
void tth_log_lacks(const tth_proc_t *proc, const char *const *words);

/* Starts the same service again on PROC's directory, config and store
   (after it stopped or was killed); its log goes to DIR/LOG_NAME, which
   PROC->log then names. Does not wait for anything. */
void tth_venue_respawn(tth_proc_t *proc, const char *log_name);

/* ---- local servers ----------------------------------------------------- */

/* The venue lines (tth_venue_config's VENUE_YAML, into OUT) of a binance
   venue whose market data, REST and user-data stream are the
   Binance-like server on PORT: the key KEY through the environment
   variable ENV_NAME, the secret SECRET in DIR/binance.secret (mode
   0600), short backoffs, and MORE_PARAMS added to its params ("" or
   ", name: value..."). */
void tth_binance_venue_yaml(const char *dir, int port, const char *env_name,
                            const char *key, const char *secret,
                            const char *more_params, char *out, size_t size);

/* Starts the Binance-like server (tests/fakes) on CFG with one symbol,
   BTCUSDT (BTC/USDT, tick 0.01, step 0.00001), and the key "k" with the
   secret "s" unless CFG names its own. Asserts it started. */
fake_binance_t *tth_fake_binance_btcusdt(fake_binance_cfg_t cfg);

/* The same server with BTCUSDT filtered as on the venue: price 0.01 to
   1,000,000 on a 0.01 tick, quantity 0.001 to 1000 on a 0.001 step, a
   notional of 10 at least. CFG names its key and secret. */
fake_binance_t *tth_fake_binance_spot(fake_binance_cfg_t cfg);

/* A service trading BTCUSDT (2 price and 3 quantity decimals) on the
   Binance-like server FAKE (tth_fake_binance_spot) with KEY and SECRET
   (tth_binance_venue_yaml): 1-second candles, sma_cross fast 2, slow 4
   with a stop STOP_PCT % away and a take-profit at 2 R, 0.5 a trade.
   Started in DIR (tth_proc_spawn_text); does not wait for anything. */
tth_proc_t *tth_binance_sma_spawn(fake_binance_t *fake, char *dir,
                                  const char *key, const char *secret,
                                  int stop_pct);
/* The same with MORE_PARAMS added to the venue's params ("" or
   ", name: value...", as for tth_binance_venue_yaml). */
tth_proc_t *tth_binance_sma_spawn_params(fake_binance_t *fake, char *dir,
                                         const char *key, const char *secret,
                                         int stop_pct, const char *more_params);

/* The edge connected and its streams subscribed WANT times at least
   (once when WANT is 0): tth_venue_cond_fn. */
bool tth_venue_listening(const tth_venue_seen_t *s, uint64_t want);

/* A BTCUSDT trade of 0.1 at CENTS on FAKE, stamped now (wall clock), the
   buyer the maker; asserts it was pushed. */
void tth_binance_trade(fake_binance_t *fake, int64_t cents);

/* BTCUSDT trades on FAKE falling for 4 s, then rising until the
   service's entry (the fast average crossing up) reached the server as
   a POST /api/v3/order, at most 40 s; asserts it did (the log first if
   not). Returns the last price pushed, in cents. */
int64_t tth_binance_drive_entry(tth_proc_t *proc, fake_binance_t *fake);

/* The end of a Binance test: the service's log holds neither KEY nor
   SECRET, SIGTERM stops it with exit 0 within 5 s, then the service
   and the server are destroyed. */
void tth_binance_end(tth_proc_t **proc, fake_binance_t **fake, const char *key,
                     const char *secret);

/* Waits at most 20 s for SYMBOL's exit order (client id ending "-x")
   to be filled in DIR's store and its position flat (the two are
   written by separate transactions), the log first if not; asserts
   both, and that one exit order was decided in all. */
void tth_store_wait_exited_flat(const tth_proc_t *proc, const char *dir,
                                const char *symbol);

/* Starts the Alpaca-like server (tests/fakes) with one symbol, AAPL, the
   key KEY and the secret SECRET, no rate limit, on an account that may
   not short (the stop and the take-profit sell the same shares, which
   only one OCO order may do). Asserts it started. */
fake_alpaca_t *tth_fake_alpaca_aapl(const char *key, const char *secret);

/* The config text (malloc'd) of a service trading AAPL (2 price and 0
   quantity decimals) on the Alpaca-like server on PORT: market data,
   orders and order stream there, the key KEY through the environment
   variable ENV_NAME, the secret SECRET in DIR/alpaca.secret (mode 0600),
   short backoffs, MORE_PARAMS added to the venue's params ("" or ",
   name: value..."); 1-second candles, sma_cross fast 2, slow 4 with a
   stop 1 % away and a take-profit at 2 R, 10 shares a trade. */
char *tth_alpaca_sma_config(const char *dir, int port, const char *env_name,
                            const char *key, const char *secret,
                            const char *more_params);

/* An AAPL trade of 100 at CENTS on FAKE, stamped now (wall clock);
   asserts it was pushed. */
void tth_alpaca_trade(fake_alpaca_t *fake, int64_t cents);

/* Waits at most TIMEOUT_MS for the file at PATH to hold NEEDLE. */
bool tth_wait_file_holds(const char *path, const char *needle, int timeout_ms);

/* Starts `ticktree tickserver --port 0` on a sim config of SYMBOLS
   symbols (tth_config_text, so tth_venue_params and friends apply)
   written into DIR; its output goes to DIR/tickserver.log. Waits (5 s
   at most) for the port it prints, asserts one came, and returns it in
   *PORT. */
pid_t tth_tickserver_start(const char *dir, int symbols, int *port);

/* Stops the tick server with SIGTERM and reaps it; returns its wait
   status. */
int tth_tickserver_stop(pid_t server);

#endif
