/*  runtime/latency.h: where a frame's cause came from, and how long the
    service took to act on it (tick to order, docs/ARCHITECTURE.md).

    A feed stamps the frames it sends with the monotonic time at which
    the outside event (a venue frame, a batch of sim ticks) entered the
    service: tt_origin_set() on its thread before it sends. Every frame
    carries the stamp of the frame its sender was handling when it sent
    (tt_msg_hdr_t.origin_ns, copied from this thread's origin by the
    sender), and workers and the bus set the thread's origin from each
    frame they handle. So an order knows which tick caused it, through
    candles, indicators, the strategy, risk and the store's answer,
    without any actor passing it on by hand. 0 means no outside cause
    (a timer, a command). The cost: one thread-local read per send.

    tt_latency_t is a log-linear histogram (16 buckets per power of two:
    at most 6.25 % above the true value), lock-free, for any thread. */
#ifndef TT_RUNTIME_LATENCY_H
#define TT_RUNTIME_LATENCY_H

#include <stdatomic.h>
#include <stdint.h>

void tt_origin_set(int64_t mono_ns);
int64_t tt_origin_get(void);

#define TT_LATENCY_BUCKETS (16 * 48)

typedef struct {
    _Atomic uint64_t bucket[TT_LATENCY_BUCKETS];
    _Atomic uint64_t count;
    _Atomic int64_t max_ns;
} tt_latency_t;

/* Records NS (negative counts as 0). */
void tt_latency_record(tt_latency_t *self, int64_t ns);

/* The value at quantile Q (0..1): the upper bound of its bucket, capped
   at the largest value seen; 0 with no samples. */
int64_t tt_latency_quantile(tt_latency_t *self, double q);

uint64_t tt_latency_count(tt_latency_t *self);

/* Tick to signal and tick to order, from the origin of the frame in
   hand:
   - SIGNAL: a signal of the live market (not of warm-up history, which
     is never traded) arriving at the execution actor, before any hold:
     the pipeline of candles, indicators and the strategy's decision;
   - DECIDED: an order decided on such a signal, its intent leaving the
     execution actor for the store (after risk). A signal held while an
     earlier order waits for the store counts from its own origin, so the
     wait is included;
   - DECIDED_OTHER: an order decided on anything else that came from
     outside: a trade that filled an entry (its stop and target), moved
     a trailing stop, or crossed a risk limit. Such a trade has usually
     waited behind the entry's intent in the store (the execution actor
     holds its inputs meanwhile, so the book decides in data order, the
     same in a backtest), so this counts the store's fsync too;
   - AT_BROKER: any order reaching its broker, after the store committed
     the intent (a live store fsyncs it first). */
typedef enum {
    TT_LATENCY_SIGNAL = 0,
    TT_LATENCY_DECIDED,
    TT_LATENCY_DECIDED_OTHER,
    TT_LATENCY_AT_BROKER,
    TT_LATENCY_KINDS
} tt_latency_kind_t;

#endif
