/*  runtime/latency.c: origin stamps and the latency histogram. */
#include "runtime/latency.h"

static _Thread_local int64_t s_origin;

void tt_origin_set(int64_t mono_ns)
{
    s_origin = mono_ns;
}

int64_t tt_origin_get(void)
{
    return s_origin;
}

/* Values below 16 have a bucket each; above, 16 per power of two. */
static int s_bucket(uint64_t v)
{
    if (v < 16)
        return (int)v;
    int e = 63 - __builtin_clzll(v); /* >= 4 */
    int sub = (int)((v >> (e - 4)) & 15);
    int index = (e - 3) * 16 + sub;
    return index < TT_LATENCY_BUCKETS ? index : TT_LATENCY_BUCKETS - 1;
}

static uint64_t s_upper(int index)
{
    if (index < 16)
        return (uint64_t)index;
    int e = index / 16 + 3;
    uint64_t sub = (uint64_t)(index % 16);
    return ((16 + sub + 1) << (e - 4)) - 1;
}

void tt_latency_record(tt_latency_t *self, int64_t ns)
{
    uint64_t v = ns > 0 ? (uint64_t)ns : 0;
    atomic_fetch_add_explicit(&self->bucket[s_bucket(v)], 1,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&self->count, 1, memory_order_relaxed);
    int64_t max = atomic_load_explicit(&self->max_ns, memory_order_relaxed);
    while ((int64_t)v > max &&
           !atomic_compare_exchange_weak(&self->max_ns, &max, (int64_t)v))
        ;
}

uint64_t tt_latency_count(tt_latency_t *self)
{
    return atomic_load(&self->count);
}

int64_t tt_latency_quantile(tt_latency_t *self, double q)
{
    uint64_t total = 0;
    for (int i = 0; i < TT_LATENCY_BUCKETS; i++)
        total += atomic_load_explicit(&self->bucket[i], memory_order_relaxed);
    if (!total)
        return 0;
    /* The rank of the sample at Q, counted from 1. */
    uint64_t rank = (uint64_t)(q * (double)total + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > total)
        rank = total;
    uint64_t seen = 0;
    int64_t max = atomic_load(&self->max_ns);
    for (int i = 0; i < TT_LATENCY_BUCKETS; i++) {
        seen += atomic_load_explicit(&self->bucket[i], memory_order_relaxed);
        if (seen >= rank) {
            int64_t up = (int64_t)s_upper(i);
            return up < max ? up : max;
        }
    }
    return max;
}
