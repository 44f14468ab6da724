/*  strategies/signal.h: what a strategy returns. Produced by pure strategy
    logic (strategies/), consumed by the risk manager and order manager
    (risk/, orders/) inside the execution actor. */
#ifndef TT_STRATEGIES_SIGNAL_H
#define TT_STRATEGIES_SIGNAL_H

#include "marketdata/types.h"

typedef enum {
    TT_SIG_NONE = 0,
    TT_SIG_ENTER_LONG,  /* open a long position */
    TT_SIG_ENTER_SHORT, /* open a short position */
    TT_SIG_EXIT,        /* close the open position */
    TT_SIG_MOVE_STOP,   /* move the protective stop to `stop` (trail) */
} tt_signal_kind_t;

typedef struct {
    tt_signal_kind_t kind;
    tt_ns_t ts;         /* event time of the candle that produced it */
    tt_px_t ref_price;  /* price the strategy saw (candle close), scaled */
    tt_px_t stop;       /* suggested protective stop; 0 = none */
    tt_px_t target;     /* suggested take-profit; 0 = none */
    const char *reason; /* static string, for logs and events */
} tt_signal_t;

#endif
