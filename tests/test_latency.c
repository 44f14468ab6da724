/*  tests/test_latency.c: the latency histogram and origin stamps
    (runtime/latency.h), and the coarse clock beside the precise one
    (runtime/clock.h). Quantiles are checked against the exact order
    statistics of the same samples, within the histogram's documented
    resolution (at most 6.25 % above). */
#include "tests/harness.h"

#include "runtime/clock.h"
#include "runtime/latency.h"

#include <pthread.h>
#include <stdlib.h>

static int s_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void s_check(tt_latency_t *lat, int64_t *sorted, size_t n, double q)
{
    size_t rank = (size_t)(q * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    int64_t exact = sorted[rank - 1];
    int64_t got = tt_latency_quantile(lat, q);
    assert_true(got >= exact);
    assert_true((double)got <= (double)exact * 1.0625 + 1.0);
}

static void test_quantiles_against_exact(void **state)
{
    (void)state;
    static tt_latency_t lat;
    enum { N = 100000 };
    int64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    uint64_t rng = 12345;
    for (size_t i = 0; i < N; i++) {
        rng = rng * 6364136223846793005u + 1442695040888963407u;
        /* a long tail: mostly 1-100 us, some up to ~50 ms */
        int64_t x = 1000 + (int64_t)((rng >> 33) % 99000);
        if ((rng >> 20) % 1000 == 0)
            x *= 500;
        v[i] = x;
        tt_latency_record(&lat, x);
    }
    qsort(v, N, sizeof *v, s_cmp);
    assert_int_equal(tt_latency_count(&lat), N);
    s_check(&lat, v, N, 0.5);
    s_check(&lat, v, N, 0.99);
    s_check(&lat, v, N, 0.999);
    s_check(&lat, v, N, 1.0);
    assert_int_equal(tt_latency_quantile(&lat, 1.0), v[N - 1]); /* the max */
    free(v);
}

static void test_small_values_and_empty(void **state)
{
    (void)state;
    static tt_latency_t lat;
    assert_int_equal(tt_latency_quantile(&lat, 0.5), 0);
    tt_latency_record(&lat, -5); /* a clock step back counts as 0 */
    tt_latency_record(&lat, 3);
    tt_latency_record(&lat, 7);
    assert_int_equal(tt_latency_quantile(&lat, 0.0), 0);
    assert_int_equal(tt_latency_quantile(&lat, 0.5), 3);
    assert_int_equal(tt_latency_quantile(&lat, 1.0), 7);
}

static void *s_other(void *arg)
{
    int64_t *seen = arg;
    *seen = tt_origin_get();
    tt_origin_set(99);
    return NULL;
}

static void test_origin_is_per_thread(void **state)
{
    (void)state;
    tt_origin_set(42);
    pthread_t t;
    int64_t seen = -1;
    assert_int_equal(pthread_create(&t, NULL, s_other, &seen), 0);
    pthread_join(t, NULL);
    assert_int_equal(seen, 0);
    assert_int_equal(tt_origin_get(), 42);
    tt_origin_set(0);
}

/* The coarse monotonic clock (a worker's watchdog stamp) is the same
   clock as tt_mono_ns, never ahead of it, and behind by about its
   resolution at most (twice, for a tick the kernel ran late). */
static void test_coarse_clock_behind_precise(void **state)
{
    (void)state;
    int64_t res = tt_mono_coarse_res_ns();
    assert_true(res > 0 && res <= 100 * INT64_C(1000000));
    for (int i = 0; i < 10000; i++) {
        int64_t before = tt_mono_ns();
        int64_t coarse = tt_mono_coarse_ns();
        int64_t after = tt_mono_ns();
        assert_true(coarse <= after);
        assert_true(coarse >= before - 2 * res);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles_against_exact),
        cmocka_unit_test(test_small_values_and_empty),
        cmocka_unit_test(test_origin_is_per_thread),
        cmocka_unit_test(test_coarse_clock_behind_precise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
