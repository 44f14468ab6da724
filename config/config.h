/*  config/config.h: the service configuration, loaded from one YAML file.

    tt_config_load() parses and validates the whole file and reports every
    problem it finds (not just the first), each as "FILE:LINE: message", then
    refuses the file. A loaded config is immutable and owned by the caller.
    Runs on the main thread at start-up and in `ticktree check-config`.

    Secrets: any scalar may be written as ${NAME}; it is replaced by the
    environment variable NAME (an unset variable is an error at its line).
    Fields that hold secrets are flagged so that nothing ever logs them. */
#ifndef TT_CONFIG_H
#define TT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"

#define TT_CONFIG_MAX_TIMEFRAMES 8
#define TT_CONFIG_MAX_ENDPOINTS 4
#define TT_SYMBOL_NAME_MAX 32
#define TT_VENUE_SYMBOL_MAX 32

typedef enum {
    TT_LOG_DEBUG = 0,
    TT_LOG_INFO,
    TT_LOG_WARN,
    TT_LOG_ERROR,
} tt_log_level_t;

typedef enum {
    TT_VENUE_SIM = 0, /* built-in simulated market (default) */
    TT_VENUE_REPLAY,  /* historical files or store */
    TT_VENUE_ALPACA,
    TT_VENUE_BINANCE,
} tt_venue_kind_t;

/* A free-form parameter (strategy or venue settings): key, raw scalar text
   and the line it came from, so that the module that owns the meaning can
   validate it later and still point at the right line. */
typedef struct {
    char *key;
    char *value;
    int line;
} tt_param_t;

typedef struct {
    size_t count;
    tt_param_t *items;
} tt_params_t;

typedef struct {
    int max_restarts;        /* actor failures allowed in window (3) */
    int64_t window_ms;       /* restart intensity window (60000) */
    int64_t backoff_ms;      /* first restart delay (100), doubles */
    int64_t backoff_max_ms;  /* cap on the delay (5000) */
    int jitter_pct;          /* +/- jitter on each delay, percent (20) */
    int symbol_max_restarts; /* symbol restarts allowed in window (2) */
} tt_supervision_cfg_t;

typedef struct {
    char *name; /* unique, referenced by symbols */
    tt_venue_kind_t kind;
    size_t endpoint_count;
    char *endpoints[TT_CONFIG_MAX_ENDPOINTS]; /* ws/http URLs; NULL = default */
    char *key_id;       /* secret: never logged; "env:NAME", "file:PATH" or
                           the value itself (see venues/common/secrets.h) */
    char *secret_key;   /* secret: never logged; same forms as key_id */
    char *rest_url;     /* market-data REST base (history); NULL = default */
    tt_params_t params; /* kind-specific settings, validated by the venue */
    int calendar;       /* tt_calendar_kind_t: 0 always_open, 1 us_equity */
    size_t holiday_count;
    char **holidays; /* "YYYY-MM-DD", validated */
    size_t early_close_count;
    char **early_closes; /* "YYYY-MM-DD", validated */
    int line;
    int key_id_line;     /* line of key_id, 0 when absent */
    int secret_key_line; /* line of secret_key, 0 when absent */
} tt_venue_cfg_t;

/* portfolio: the limits across every symbol (risk/portfolio.h). Money is
   in the account currency, scaled to `decimals`. */
typedef struct {
    int decimals;              /* account money decimals (2) */
    int64_t equity;            /* scaled; 100000 by default */
    int64_t max_exposure;      /* scaled; 0 = none */
    int max_open_positions;    /* 0 = none */
    int64_t max_daily_loss;    /* scaled, > 0; 0 = none */
    int breaker_max_errors;    /* broker errors that trip a breaker (5) */
    int64_t breaker_window_ms; /* ... within this window (60000) */
    char *equity_text;         /* as written; scaled into the fields above */
    char *max_exposure_text;
    char *max_daily_loss_text;
    int line;
} tt_config_portfolio_t;

typedef struct {
    char *kind;         /* e.g. "sma_cross"; validated by the strategy module */
    tt_params_t params; /* strategy parameters */
    int line;
} tt_strategy_cfg_t;

typedef struct {
    char *sizing;           /* "fixed_qty" | "fixed_notional" | "risk_pct" */
    char *qty;              /* decimal string, for fixed_qty */
    char *notional;         /* decimal string, for fixed_notional */
    double risk_pct;        /* for risk_pct: percent of equity at risk */
    char *max_position;     /* decimal string, quantity */
    int max_orders_per_min; /* 0 = unlimited */
    int max_consecutive_losses; /* 0 = unlimited */
    /* A restarted live symbol waits this long for its venue's
       reconciliation, then stays paused until it comes (30). */
    int venue_sync_timeout_s;
    int line;
} tt_symbol_risk_cfg_t;

/* paper: how the paper broker fills this symbol's orders
   (venues/paper/fill_model.h; docs/TRADING.md, "Paper fills"). The
   defaults are 1 bp of slippage, a 1 bp fee, no fixed fee, no liquidity
   limit and no latency. */
typedef struct {
    int32_t slippage_bps;      /* 0..10000 (1) */
    int32_t fee_bps;           /* 0..10000 (1) */
    int64_t fee_per_order;     /* money at the price scale, first fill (0) */
    int32_t participation_bps; /* share of a trade's size; 0 = no limit */
    int64_t max_qty_per_trade; /* at the quantity scale; 0 = no limit */
    int64_t latency_ns;        /* written as latency_ms (0) */
    int line;
} tt_symbol_paper_cfg_t;

typedef struct {
    char name[TT_SYMBOL_NAME_MAX]; /* e.g. "BTCUSD"; [A-Z0-9._-], unique */
    size_t venue;                  /* index into tt_config_t.venues */
    tt_instrument_t instrument;    /* scales and increments */
    size_t timeframe_count;
    int32_t timeframes[TT_CONFIG_MAX_TIMEFRAMES]; /* seconds, ascending */
    int64_t stale_ms; /* last-tick age that pauses the symbol */
    tt_strategy_cfg_t strategy;
    tt_symbol_risk_cfg_t risk;
    int line;
    /* The symbol's name at its venue ("BTCUSDT", "BTC/USD"); the symbol
       name when not configured. Appended last: existing fields keep
       their place. */
    char venue_symbol[TT_VENUE_SYMBOL_MAX];
    tt_symbol_paper_cfg_t paper;
} tt_symbol_cfg_t;

/* service.retention: how long the store keeps what can be rebuilt. */
typedef struct {
    int line;
    int candles_days; /* candles and older indicator snapshots; 0 = ever */
    int events_days;  /* published events; 0 = for ever */
    int interval_s;   /* how often the bus prunes (86400: daily) */
} tt_retention_cfg_t;

typedef struct {
    char *path; /* file it was loaded from */

    /* service: */
    char *name;             /* instance name ("ticktree") */
    char *control_endpoint; /* REP socket, e.g. tcp://127.0.0.1:7780 */
    char *control_token;    /* secret; required when control is not local */
    char *events_endpoint;  /* PUB socket for trade events */
    char *replay_endpoint;  /* REP socket: events by sequence range */
    char *db_path;          /* SQLite file */
    char *record_ticks;     /* CSV every sim tick is written to; NULL */
    int snapshot_every_s;   /* indicator snapshots, event time apart (60) */
    int workers;            /* symbol worker threads; 0 in file = cores */
    tt_log_level_t log_level;
    bool log_json;
    bool fault_injection; /* allow `ticktree fault` */
    int store_max_pages;  /* cap on the store file's pages (drills); 0 */
    /* Drills (with fault_injection): the bus answers each order intent
       this long after committing it, as a slow store would. */
    int store_intent_delay_ms;
    int64_t watchdog_ms;         /* max time one handler may run (1000) */
    int64_t shutdown_timeout_ms; /* graceful stop budget (5000) */
    int mailbox_hwm;             /* per-worker mailbox high-water mark */
    int events_hwm;              /* events queued per subscriber before drops */
    /* A worker polls without sleeping for this long after its last
       frame before it sleeps (0: it sleeps at once; docs/CONFIG.md). */
    int spin_us;
    tt_retention_cfg_t retention;

    tt_supervision_cfg_t supervision;
    tt_config_portfolio_t portfolio;

    size_t venue_count;
    tt_venue_cfg_t *venues;

    size_t symbol_count;
    tt_symbol_cfg_t *symbols;
    /* Name index (open addressing, symbol index + 1, 0 = empty) built by
       tt_config_load; NULL in a config built by hand (linear search). */
    int32_t *symbol_slots;
    uint32_t symbol_mask;
} tt_config_t;

/* Receives one validation message, already formatted "FILE:LINE: text". */
typedef void(tt_config_error_fn)(void *arg, const char *message);

/* Parses and validates PATH. Returns the config, or NULL after reporting
   every error through ERROR_FN (or to stderr when ERROR_FN is NULL).
   *ERROR_COUNT, when not NULL, receives the number of errors reported. */
tt_config_t *tt_config_load(const char *path, tt_config_error_fn *error_fn,
                            void *arg, int *error_count);

/* Frees a config; accepts NULL and nulls the caller's pointer. */
void tt_config_destroy(tt_config_t **self_p);

/* Index of symbol NAME, or -1. A hash lookup: per tick for replayed
   files with a symbol column. */
int tt_config_symbol_index(const tt_config_t *self, const char *name);

/* Value of parameter KEY, or NULL. */
const tt_param_t *tt_params_get(const tt_params_t *params, const char *key);

/* Name of a venue kind ("sim", "replay", "alpaca", "binance"). */
const char *tt_venue_kind_name(tt_venue_kind_t kind);

/* Name of a log level ("debug", "info", "warn", "error"). */
const char *tt_log_level_name(tt_log_level_t level);

/* True when a value under KEY must never be printed or logged: the secret
   fields (control_token, key_id, secret_key) and any key ending in token,
   secret, password, _key or key_id (for venue and strategy params). */
bool tt_config_is_secret_key(const char *key);

/* Compares a presented token with the configured one in constant time
   (a check must not leak how much of a prefix was right). */
bool tt_config_token_ok(const char *expected, const char *given);

#endif
