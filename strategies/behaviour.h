/*  strategies/behaviour.h: what one strategy implements (the vtable behind
    tt_strategy_t), and the helpers it may use. Only strategy sources and
    the registry include this; the actor sees strategies/strategy.h.

    The wrapper (strategy.c) does everything common, once: parameter
    parsing from the table below, the common parameters (tf, trend filter,
    allow_short, force_close_eod, max_hold_s), position tracking, the
    "no signal on cold indicators" rule, the trend filter, snapshots. A
    behaviour only declares its parameters and indicators and turns ready
    values into signals through tt_strat_emit().

    To add a strategy: write strategies/<name>.c defining a
    `const tt_strategy_def_t tt_strategy_<name>`, declare it below, add it
    to the table in strategies/registry.c, the source to
    strategies/CMakeLists.txt, and document it in docs/STRATEGIES.md. */
#ifndef TT_STRATEGIES_BEHAVIOUR_H
#define TT_STRATEGIES_BEHAVIOUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strategies/strategy.h"

/* Upper bounds on a behaviour's POD params and state (checked with
   _Static_assert in each behaviour). */
#define TT_STRAT_PARAMS_MAX 128
#define TT_STRAT_STATE_MAX 128
#define TT_STRAT_MAX_PARAMS 16

typedef enum {
    TT_PARAM_INT,  /* int32_t field, decimal integer */
    TT_PARAM_NUM,  /* double field, finite decimal number */
    TT_PARAM_BOOL, /* bool field, true/false */
    TT_PARAM_ENUM, /* int32_t field, index into choices */
} tt_param_type_t;

/* One parameter: its key, type, where it lives in the params struct, its
   default (for BOOL 0/1, for ENUM the choice index) and, for INT and NUM,
   the inclusive range. */
typedef struct {
    const char *name;
    tt_param_type_t type;
    size_t offset;
    double def;
    double min;
    double max;
    const char *const *choices; /* ENUM: NULL-terminated names */
} tt_param_def_t;

/* Validation reporting shared by the wrapper and the behaviours. */
typedef struct {
    tt_strategy_error_fn *fn;
    void *arg;
    const char *strategy; /* name, for the message prefix */
    int fallback_line;    /* ctx.line */
    int errors;
} tt_strat_report_t;

void tt_strat_report(tt_strat_report_t *r, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parses the parameters of TABLE (N entries) out of PARAMS into the struct
   at OUT, writing defaults first. LINES[i] receives the line of table entry
   i, or 0 when it was omitted. USED[j] is set for every params item whose
   key belongs to TABLE. Problems go to R. */
void tt_param_table_parse(const tt_param_def_t *table, size_t n,
                          const tt_params_t *params, void *out, int *lines,
                          bool *used, tt_strat_report_t *r);

/* One evaluation of a closed candle of the trading timeframe, with every
   value ready. Built by the wrapper, passed to the behaviour. */
typedef struct {
    const void *params;           /* the behaviour's resolved params */
    void *state;                  /* the behaviour's POD state */
    const tt_candle_t *candle;    /* closed, on the trading timeframe */
    const tt_ind_value_t *values; /* the behaviour's specs, all ready */
    size_t n;                     /* number of values */
    const tt_strat_pos_t *pos;    /* current position */
    const tt_instrument_t *inst;  /* scales and tick size */
    bool fresh;                   /* no previous ready candle to compare with */
    bool allow_long;              /* entries the filters let through */
    bool allow_short;
    tt_ns_t ts; /* event time for signals: the candle's close */
    tt_signal_t *out;
    size_t count;
    size_t cap;
} tt_strat_eval_t;

/* Appends a signal (ref_price = candle close). Entries that the filters
   (allow_short, trend) refuse are dropped; returns whether it was
   emitted. */
bool tt_strat_emit(tt_strat_eval_t *ev, tt_signal_kind_t kind, tt_px_t stop,
                   tt_px_t target, const char *reason);

struct tt_strategy_def {
    const char *name;
    const char *summary;
    const tt_param_def_t *params;
    size_t param_count;
    size_t params_size; /* sizeof the behaviour's params struct */
    size_t state_size;  /* sizeof its POD state */
    /* Cross-parameter checks and defaults that depend on other parameters;
       LINES as from tt_param_table_parse. May be NULL. */
    void (*resolve)(void *params, const int *lines, tt_strat_report_t *r);
    /* Writes its specs (all on TF_S) to OUT, returns how many (at most
       TT_STRATEGY_MAX_SPECS - 1). */
    size_t (*indicators)(const void *params, int32_t tf_s, tt_ind_spec_t *out);
    /* Candles the rules look back beyond the indicators' own warm-up. */
    int32_t extra_warmup;
    void (*on_candle)(tt_strat_eval_t *ev);
    /* The position changed side (a trade opened, closed or reversed).
       May be NULL. */
    void (*on_position)(void *state, const void *params,
                        const tt_strat_pos_t *prev, const tt_strat_pos_t *now);
};

/* The strategies in the registry. */
extern const tt_strategy_def_t tt_strategy_sma_cross;
extern const tt_strategy_def_t tt_strategy_rsi_reversion;
extern const tt_strategy_def_t tt_strategy_donchian_breakout;

#endif
