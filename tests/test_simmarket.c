/*  tests/test_simmarket.c: the simulated market (venues/sim): generator
    determinism and independence of symbols, tick invariants, the model's
    statistics against its parameters, the calendar hook, parameter
    validation and the tickserver JSON format. */
#include "tests/harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "venues/sim/simmarket.h"
#include "venues/sim/simparams.h"
#include "venues/sim/simrng.h"
#include "venues/sim/tickjson.h"

#define T0 (INT64_C(1700000000) * TT_NS_PER_SEC)
#define HOUR (INT64_C(3600) * TT_NS_PER_SEC)

static const tt_instrument_t s_btc = {2, 4, 1, 1};  /* 0.01, 0.0001 */
static const tt_instrument_t s_eq = {2, 0, 5, 100}; /* 0.05, 100 shares */

/* Fails with both numbers printed when |ACTUAL - EXPECTED| > TOL. */
static void s_near(double actual, double expected, double tol, const char *what)
{
    if (fabs(actual - expected) > tol) {
        print_error("%s: %.9g, expected %.9g +/- %.9g\n", what, actual,
                    expected, tol);
        fail();
    }
}

static uint64_t s_fnv(uint64_t h, int64_t v)
{
    for (int i = 0; i < 8; i++) {
        h ^= (uint64_t)(v >> (8 * i)) & 0xff;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static uint64_t s_hash_tick(uint64_t h, const tt_sim_tick_t *t)
{
    h = s_fnv(h, t->tick.ts);
    h = s_fnv(h, t->tick.price);
    h = s_fnv(h, t->tick.size);
    h = s_fnv(h, (int64_t)t->tick.trade_id);
    h = s_fnv(h, t->symbol);
    h = s_fnv(h, t->side);
    h = s_fnv(h, t->bid);
    return s_fnv(h, t->ask);
}

/* Runs M to UNTIL in chunks of CAP ticks and STEP ns; hashes every field
   of the ticks of symbol ONLY (or of all ticks when ONLY < 0). */
static uint64_t s_run_hash(tt_simmarket_t *m, tt_ns_t until, tt_ns_t step,
                           size_t cap, int only, size_t *count)
{
    tt_sim_tick_t buf[64];
    assert_true(cap <= 64);
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    *count = 0;
    for (tt_ns_t t = T0 + step; t <= until; t += step) {
        size_t n;
        while ((n = tt_simmarket_next(m, t, buf, cap)) > 0) {
            for (size_t i = 0; i < n; i++) {
                if (only >= 0 && (int)buf[i].symbol != only)
                    continue;
                if (only >= 0)
                    buf[i].symbol = 0; /* index differs between markets */
                h = s_hash_tick(h, &buf[i]);
                (*count)++;
            }
            if (n < cap)
                break;
        }
    }
    return h;
}

static tt_simmarket_t *s_market(uint64_t seed, const char *const *names)
{
    tt_sim_params_t p;
    tt_sim_params_default(&p);
    p.seed = seed;
    p.model.tick_rate_hz = 5.0;
    p.model.jump_rate_per_hour = 20.0;
    tt_simmarket_t *m = tt_simmarket_new(&p, T0);
    assert_non_null(m);
    for (size_t i = 0; names[i]; i++)
        assert_int_equal(tt_simmarket_add(m, names[i], &s_btc, 0), (int)i);
    return m;
}

/* ---- generator ----------------------------------------------------------- */

static void test_splitmix64_reference(void **state)
{
    (void)state;
    /* Published reference outputs of splitmix64 seeded with 1234567. */
    uint64_t s = 1234567;
    assert_true(tt_splitmix64(&s) == UINT64_C(6457827717110365317));
    assert_true(tt_splitmix64(&s) == UINT64_C(3203168211198807973));
    assert_true(tt_splitmix64(&s) == UINT64_C(9817491932198370423));
    assert_true(tt_splitmix64(&s) == UINT64_C(4593380528125082431));
    assert_true(tt_splitmix64(&s) == UINT64_C(16408922859458223821));
}

static void test_variates(void **state)
{
    (void)state;
    tt_simrng_t r;
    tt_simrng_seed(&r, 42);
    const int n = 400000;
    double su = 0, se = 0, sn = 0, sn2 = 0;
    for (int i = 0; i < n; i++) {
        double u = tt_simrng_uniform(&r);
        assert_true(u > 0.0 && u < 1.0);
        su += u;
        se += tt_simrng_exponential(&r);
        double z = tt_simrng_normal(&r);
        sn += z;
        sn2 += z * z;
    }
    /* Five standard errors: sd(U)=0.289, sd(Exp)=1, sd(N)=1, sd(N^2)=1.41 */
    double k = 5.0 / sqrt(n);
    s_near(su / n, 0.5, 0.289 * k, "uniform mean");
    s_near(se / n, 1.0, 1.0 * k, "exponential mean");
    s_near(sn / n, 0.0, 1.0 * k, "normal mean");
    s_near(sn2 / n, 1.0, 1.415 * k, "normal variance");
}

static void test_same_seed_same_stream(void **state)
{
    (void)state;
    const char *names[] = {"BTCUSD", "ETHUSD", "SOLUSD", NULL};
    tt_simmarket_t *a = s_market(7, names);
    tt_simmarket_t *b = s_market(7, names);
    size_t na, nb;
    uint64_t ha = s_run_hash(a, T0 + HOUR, HOUR / 4, 64, -1, &na);
    /* Different chunking (small batches, odd steps) must not matter. */
    uint64_t hb = s_run_hash(b, T0 + HOUR, HOUR / 997, 3, -1, &nb);
    assert_true(na > 3 * 5 * 3600 * 0.9);
    assert_int_equal(na, nb);
    assert_true(ha == hb);
    tt_simmarket_destroy(&a);
    tt_simmarket_destroy(&b);
    assert_null(a);
    tt_simmarket_destroy(&a); /* NULL is accepted */
}

static void test_different_seed_differs(void **state)
{
    (void)state;
    const char *names[] = {"BTCUSD", NULL};
    tt_simmarket_t *a = s_market(7, names);
    tt_simmarket_t *b = s_market(8, names);
    size_t na, nb;
    uint64_t ha = s_run_hash(a, T0 + HOUR, HOUR, 64, -1, &na);
    uint64_t hb = s_run_hash(b, T0 + HOUR, HOUR, 64, -1, &nb);
    assert_true(ha != hb);
    tt_simmarket_destroy(&a);
    tt_simmarket_destroy(&b);
}

static void test_symbol_streams_independent(void **state)
{
    (void)state;
    const char *alone[] = {"ETHUSD", NULL};
    const char *crowd[] = {"AAA", "ETHUSD", "ZZZ", "BTCUSD", NULL};
    const char *other[] = {"BTCUSD", NULL};
    tt_simmarket_t *a = s_market(99, alone);
    tt_simmarket_t *b = s_market(99, crowd);
    tt_simmarket_t *c = s_market(99, other);
    size_t na, nb, nc;
    uint64_t ha = s_run_hash(a, T0 + HOUR, HOUR / 8, 64, 0, &na);
    uint64_t hb = s_run_hash(b, T0 + HOUR, HOUR / 8, 64, 1, &nb);
    uint64_t hc = s_run_hash(c, T0 + HOUR, HOUR / 8, 64, 0, &nc);
    assert_true(na > 1000);
    assert_int_equal(na, nb);
    assert_true(ha == hb);
    assert_true(ha != hc); /* another name is another stream */
    tt_simmarket_destroy(&a);
    tt_simmarket_destroy(&b);
    tt_simmarket_destroy(&c);
}

static void test_symbol_added_mid_run(void **state)
{
    (void)state;
    const char *names[] = {"BTCUSD", NULL};
    tt_simmarket_t *m = s_market(3, names);
    tt_sim_tick_t buf[64];
    assert_int_equal(tt_simmarket_next(m, T0 + HOUR, buf, 0), 0);
    size_t n;
    tt_ns_t last = T0;
    while ((n = tt_simmarket_next(m, T0 + HOUR, buf, 64)) > 0)
        last = buf[n - 1].tick.ts;
    assert_true(last > T0 + HOUR - 10 * TT_NS_PER_SEC && last <= T0 + HOUR);
    /* A late symbol starts at the market's clock: its ticks never land
       before ticks already handed out, and it gets trade id 1. */
    assert_int_equal(tt_simmarket_add(m, "LATE", &s_btc, 0), 1);
    bool seen_late = false;
    tt_ns_t prev = last;
    while ((n = tt_simmarket_next(m, T0 + 2 * HOUR, buf, 64)) > 0) {
        for (size_t i = 0; i < n; i++) {
            assert_true(buf[i].tick.ts >= prev);
            prev = buf[i].tick.ts;
            if (buf[i].symbol == 1 && !seen_late) {
                assert_true(buf[i].tick.ts > T0 + HOUR);
                assert_true(buf[i].tick.trade_id == 1);
                seen_late = true;
            }
        }
    }
    assert_true(seen_late);
    tt_simmarket_destroy(&m);
}

static void s_check_tick(const tt_sim_tick_t *t, const tt_instrument_t *in,
                         double spread_bps)
{
    assert_true(t->tick.price > 0);
    assert_int_equal(t->tick.price % in->tick_size, 0);
    assert_true(t->tick.size >= in->lot_size);
    assert_int_equal(t->tick.size % in->lot_size, 0);
    assert_true(t->bid > 0 && t->bid <= t->ask);
    if (spread_bps > 0)
        assert_true(t->bid < t->ask);
    assert_true(t->side == 1 || t->side == -1);
    assert_true(t->tick.price == (t->side > 0 ? t->ask : t->bid));
}

static void test_tick_invariants(void **state)
{
    (void)state;
    tt_sim_params_t p;
    tt_sim_params_default(&p);
    p.model.tick_rate_hz = 20.0;
    p.model.volatility = 3.0; /* wild, to reach low prices */
    p.model.jump_rate_per_hour = 60.0;
    p.model.jump_bps = 500.0;
    tt_simmarket_t *m = tt_simmarket_new(&p, T0);
    assert_int_equal(tt_simmarket_add(m, "BTCUSD", &s_btc, 0), 0);
    assert_int_equal(tt_simmarket_add(m, "SPY", &s_eq, 45000), 1);
    /* A penny stock one tick from the floor: prices must stay >= 1 tick. */
    assert_int_equal(tt_simmarket_add(m, "PENNY", &s_eq, 5), 2);
    const tt_instrument_t *ins[] = {&s_btc, &s_eq, &s_eq};
    tt_ns_t last[3] = {T0, T0, T0}, prev = T0;
    uint64_t ids[3] = {0, 0, 0};
    tt_sim_tick_t buf[64];
    size_t n, total = 0;
    while ((n = tt_simmarket_next(m, T0 + 2 * HOUR, buf, 64)) > 0) {
        for (size_t i = 0; i < n; i++) {
            uint32_t s = buf[i].symbol;
            assert_true(s < 3);
            s_check_tick(&buf[i], ins[s], p.model.spread_bps);
            assert_true(buf[i].tick.ts > last[s]); /* strictly, per sym */
            assert_true(buf[i].tick.ts >= prev);   /* merged order */
            assert_true(buf[i].tick.ts <= T0 + 2 * HOUR);
            assert_true(buf[i].tick.trade_id == ++ids[s]);
            last[s] = prev = buf[i].tick.ts;
        }
        total += n;
    }
    assert_true(total > 3 * 20 * 7200 * 0.95);
    assert_string_equal(tt_simmarket_symbol_name(m, 1), "SPY");
    assert_int_equal(tt_simmarket_find(m, "PENNY"), 2);
    assert_int_equal(tt_simmarket_find(m, "NOPE"), -1);
    tt_simmarket_destroy(&m);
}

static void test_add_rejects(void **state)
{
    (void)state;
    tt_sim_params_t p;
    tt_sim_params_default(&p);
    p.model.volatility = -1;
    assert_null(tt_simmarket_new(&p, T0));
    tt_sim_params_default(&p);
    p.start_price = 0;
    assert_null(tt_simmarket_new(&p, T0));
    tt_sim_params_default(&p);
    tt_simmarket_t *m = tt_simmarket_new(&p, T0);
    assert_int_equal(tt_simmarket_add(m, "X", &s_btc, 0), 0);
    assert_int_equal(tt_simmarket_add(m, "X", &s_btc, 0), -1);
    assert_int_equal(tt_simmarket_add(m, "", &s_btc, 0), -1);
    assert_int_equal(
        tt_simmarket_add(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", &s_btc, 0),
        -1);
    tt_instrument_t bad = {2, 4, 0, 1};
    assert_int_equal(tt_simmarket_add(m, "Y", &bad, 0), -1);
    bad = (tt_instrument_t){12, 4, 1, 1};
    assert_int_equal(tt_simmarket_add(m, "Y", &bad, 0), -1);
    tt_sim_model_t model = p.model;
    model.tick_rate_hz = 0;
    assert_int_equal(tt_simmarket_add_model(m, "Y", &s_btc, 0, &model), -1);
    assert_int_equal(tt_simmarket_symbol_count(m), 1);
    tt_simmarket_destroy(&m);
}

/* ---- statistics against the parameters ---------------------------------- */

typedef struct {
    size_t n;
    double sum_dt; /* seconds */
    double sum_r2; /* squared log returns */
    double sum_size;
    tt_px_t first, last, min, max;
} s_stats_t;

static s_stats_t s_collect(const tt_sim_params_t *p, const tt_instrument_t *in,
                           tt_px_t start, tt_ns_t span)
{
    tt_simmarket_t *m = tt_simmarket_new(p, T0);
    assert_int_equal(tt_simmarket_add(m, "X", in, start), 0);
    s_stats_t st = {0, 0, 0, 0, 0, 0, INT64_MAX, 0};
    tt_sim_tick_t buf[64];
    tt_ns_t prev_ts = T0;
    size_t n;
    while ((n = tt_simmarket_next(m, T0 + span, buf, 64)) > 0) {
        for (size_t i = 0; i < n; i++) {
            const tt_tick_t *t = &buf[i].tick;
            st.sum_dt += (double)(t->ts - prev_ts) * 1e-9;
            if (st.n > 0)
                st.sum_r2 += pow(log((double)t->price / (double)st.last), 2);
            else
                st.first = t->price;
            st.sum_size += (double)t->size;
            st.last = t->price;
            st.min = t->price < st.min ? t->price : st.min;
            st.max = t->price > st.max ? t->price : st.max;
            prev_ts = t->ts;
            st.n++;
        }
    }
    tt_simmarket_destroy(&m);
    return st;
}

static void test_arrival_rate_and_volatility(void **state)
{
    (void)state;
    tt_sim_params_t p;
    tt_sim_params_default(&p);
    p.model.tick_rate_hz = 10.0;
    p.model.volatility = 0.8;
    p.model.spread_bps = 0;         /* no bid/ask bounce in the returns */
    p.model.jump_rate_per_hour = 0; /* pure diffusion */
    p.model.mean_size = 2.5;
    /* 1,000,000.00 at 0.01: ticks are 1e-8 of the price, negligible. */
    s_stats_t st = s_collect(&p, &s_btc, INT64_C(100000000), 4 * HOUR);
    double n = (double)st.n;
    /* Count of a Poisson process: mean = sd^2 = rate * T. */
    double expect_n = 10.0 * 4 * 3600;
    s_near(n, expect_n, 5.0 * sqrt(expect_n), "tick count");
    s_near(st.sum_dt / n, 0.1, 5.0 * 0.1 / sqrt(n), "mean inter-arrival");
    /* Realised variance per unit of (open) time: r^2 = sigma^2 dt Z^2 with
       exponential dt has relative sd sqrt(5 / n). */
    double var = st.sum_r2 / (st.sum_dt / p.model.year_seconds);
    s_near(var, 0.64, 0.64 * 5.0 * sqrt(5.0 / n), "variance of log returns");
    /* Log-normal sizes, sigma 0.8: relative sd 0.9 per trade. */
    s_near(st.sum_size / n, 25000.0, 25000.0 * 5.0 * 0.9 / sqrt(n),
           "mean size");
}

static void test_no_vol_no_jumps_price_still(void **state)
{
    (void)state;
    tt_sim_params_t p;
    tt_sim_params_default(&p);
    p.model.volatility = 0;
    p.model.drift = 0;
    p.model.jump_rate_per_hour = 0;
    p.model.spread_bps = 0;
    p.model.tick_rate_hz = 50;
    s_stats_t st = s_collect(&p, &s_btc, 6500012, HOUR);
    assert_true(st.n > 100000);
    assert_int_equal(st.min, 6500012);
    assert_int_equal(st.max, 6500012);
}

static void test_drift_alone(void **state)
{
    (void)state;
    tt_sim_params_t p;
    tt_sim_params_default(&p);
    p.model.volatility = 0;
    p.model.drift = 1.0;
    p.model.year_seconds = 3600; /* one "year" per hour: e-fold per hour */
    p.model.jump_rate_per_hour = 0;
    p.model.spread_bps = 0;
    p.model.tick_rate_hz = 20;
    s_stats_t st = s_collect(&p, &s_btc, 1000000, HOUR);
    /* The last tick lands within a few 50 ms gaps of the hour. */
    double growth = log((double)st.last / 1000000.0);
    s_near(growth, 1.0, 0.002, "log growth over one year of drift 1");
    assert_true(st.min == st.first && st.max == st.last); /* monotone */
}

static void test_jumps_only(void **state)
{
    (void)state;
    tt_sim_params_t p;
    tt_sim_params_default(&p);
    p.model.volatility = 0;
    p.model.drift = 0;
    p.model.spread_bps = 0;
    p.model.jump_rate_per_hour = 30;
    p.model.jump_bps = 100;
    p.model.tick_rate_hz = 5;
    tt_simmarket_t *m = tt_simmarket_new(&p, T0);
    assert_int_equal(tt_simmarket_add(m, "X", &s_btc, 10000000), 0);
    tt_sim_tick_t buf[64];
    size_t n, changes = 0;
    tt_px_t last = 10000000;
    while ((n = tt_simmarket_next(m, T0 + 20 * HOUR, buf, 64)) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (buf[i].tick.price != last)
                changes++;
            last = buf[i].tick.price;
        }
    }
    uint64_t jumps = tt_simmarket_jumps(m, 0);
    /* Poisson(600): five standard deviations. */
    s_near((double)jumps, 600.0, 5.0 * sqrt(600.0), "jump count");
    /* Only jumps move the price; a jump of < half a tick may not show. */
    assert_true(changes <= jumps);
    assert_true(changes >= jumps * 9 / 10);
    tt_simmarket_destroy(&m);
}

/* ---- calendar ------------------------------------------------------------ */

/* Open 09:30-16:00 of each UTC day (a stand-in for an exchange session). */
static bool s_open(void *arg, tt_ns_t t)
{
    int *calls = arg;
    (*calls)++;
    int64_t sod = (t / TT_NS_PER_SEC) % 86400;
    return sod >= 34200 && sod < 57600;
}

static tt_ns_t s_next_open(void *arg, tt_ns_t t)
{
    (void)arg;
    int64_t day = t / (86400 * TT_NS_PER_SEC);
    tt_ns_t open = (day * 86400 + 34200) * TT_NS_PER_SEC;
    return t < open ? open : open + 86400 * TT_NS_PER_SEC;
}

static void s_calendar_run(bool with_next_open)
{
    int calls = 0;
    tt_sim_params_t p;
    tt_sim_params_default(&p);
    p.model.tick_rate_hz = 1.0;
    p.is_open = s_open;
    p.next_open = with_next_open ? s_next_open : NULL;
    p.calendar_arg = &calls;
    tt_simmarket_t *m = tt_simmarket_new(&p, T0);
    tt_simmarket_add(m, "SPY", &s_eq, 45000);
    tt_sim_tick_t buf[64];
    size_t n, total = 0;
    while ((n = tt_simmarket_next(m, T0 + 72 * HOUR, buf, 64)) > 0) {
        for (size_t i = 0; i < n; i++) {
            int64_t sod = (buf[i].tick.ts / TT_NS_PER_SEC) % 86400;
            assert_true(sod >= 34200 && sod < 57600);
        }
        total += n;
    }
    /* Three sessions of 6.5 h at 1 Hz: 70200 expected. */
    s_near((double)total, 70200.0, 5.0 * sqrt(70200.0), "session ticks");
    assert_true(calls > 0);
    if (with_next_open) /* closed nights are skipped in one step */
        assert_true(calls < (int)total + 100);
    tt_simmarket_destroy(&m);
}

static void test_calendar_hook(void **state)
{
    (void)state;
    s_calendar_run(true);
    s_calendar_run(false);
}

/* ---- parameters ---------------------------------------------------------- */

typedef struct {
    int count;
    char msgs[8][256];
} s_errors_t;

static void s_collect_error(void *arg, const char *message)
{
    s_errors_t *e = arg;
    if (e->count < 8)
        snprintf(e->msgs[e->count], sizeof e->msgs[0], "%s", message);
    e->count++;
}

static void test_params_parse(void **state)
{
    (void)state;
    tt_param_t items[] = {
        {"seed", "12345678901234567890", 3}, {"tick_rate_hz", "12.5", 4},
        {"volatility", "0.25", 5},           {"spread_bps", "1e1", 6},
        {"start_price", "65000.5", 7},
    };
    tt_params_t params = {5, items};
    tt_sim_params_t out;
    s_errors_t e = {0};
    assert_int_equal(
        tt_sim_params_parse(&params, "ok.yaml", &out, s_collect_error, &e), 0);
    assert_int_equal(e.count, 0);
    assert_true(out.seed == UINT64_C(12345678901234567890));
    assert_true(out.model.tick_rate_hz == 12.5);
    assert_true(out.model.volatility == 0.25);
    assert_true(out.model.spread_bps == 10.0);
    assert_true(out.start_price == 65000.5);
    assert_true(out.model.drift == 0.0); /* untouched: default */
    assert_true(out.model.mean_size == 1.0);
    assert_null(out.is_open);
    assert_int_equal(tt_sim_params_parse(NULL, NULL, &out, NULL, NULL), 0);
    assert_true(out.seed == 1);
}

static void test_params_errors_carry_lines(void **state)
{
    (void)state;
    tt_param_t items[] = {
        {"seed", "-1", 11},        {"volatility", "abc", 12},
        {"spread_bps", "-2", 13},  {"volatilty", "0.2", 14},
        {"tick_rate_hz", "5", 15}, {"tick_rate_hz", "6", 16},
        {"mean_size", "0", 17},    {"drift", "0.1", 18},
    };
    tt_params_t params = {8, items};
    tt_sim_params_t out;
    memset(&out, 0x5a, sizeof out);
    s_errors_t e = {0};
    int n = tt_sim_params_parse(&params, "cfg.yaml", &out, s_collect_error, &e);
    assert_int_equal(n, 6);
    assert_int_equal(e.count, 6);
    assert_non_null(strstr(e.msgs[0], "cfg.yaml:11: sim: seed: must be"));
    assert_non_null(strstr(e.msgs[1], "cfg.yaml:12: sim: volatility: must"));
    assert_non_null(strstr(e.msgs[1], "'abc'"));
    assert_non_null(strstr(e.msgs[2], "cfg.yaml:13: sim: spread_bps:"));
    assert_non_null(strstr(e.msgs[3], "cfg.yaml:14: sim: volatilty: unknown"));
    assert_non_null(strstr(e.msgs[4], "cfg.yaml:16: sim: tick_rate_hz: given"));
    assert_non_null(strstr(e.msgs[5], "cfg.yaml:17: sim: mean_size: must"));
    /* Nothing written on failure. */
    assert_true(out.seed == UINT64_C(0x5a5a5a5a5a5a5a5a));
}

/* ---- JSON tick format ---------------------------------------------------- */

static int s_lookup(void *arg, const char *symbol, tt_instrument_t *in)
{
    (void)arg;
    if (strcmp(symbol, "BTCUSD") == 0) {
        *in = (tt_instrument_t){2, 4, 1, 1};
        return 0;
    }
    if (strcmp(symbol, "ETHUSD") == 0) {
        *in = (tt_instrument_t){2, 8, 1, 1};
        return 1;
    }
    return -1;
}

static void test_json_format_and_round_trip(void **state)
{
    (void)state;
    tt_tick_t t = {INT64_C(1700000000123456789), 6500012, 21, 42};
    char buf[TT_TICKJSON_MAX];
    int len = tt_tickjson_format("BTCUSD", &s_btc, &t, buf, sizeof buf);
    const char *expect = "{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":\"65000.12\","
                         "\"s\":\"0.0021\",\"t\":1700000000123456789,"
                         "\"i\":42}";
    assert_string_equal(buf, expect);
    assert_int_equal(len, (int)strlen(expect));
    tt_tickjson_msg_t msg;
    char err[128] = "";
    assert_int_equal(tt_tickjson_parse(buf, (size_t)len, s_lookup, NULL, &msg,
                                       err, sizeof err),
                     0);
    assert_string_equal(msg.symbol, "BTCUSD");
    assert_int_equal(msg.symbol_index, 0);
    assert_true(memcmp(&msg.tick, &t, sizeof t) == 0);
    /* Too small a buffer, and a symbol that would need escaping. */
    assert_int_equal(tt_tickjson_format("BTCUSD", &s_btc, &t, buf, 20), -1);
    assert_int_equal(tt_tickjson_format("BT\"C", &s_btc, &t, buf, sizeof buf),
                     -1);
}

static void test_json_round_trip_sim_stream(void **state)
{
    (void)state;
    const char *names[] = {"BTCUSD", "ETHUSD", NULL};
    tt_sim_params_t p;
    tt_sim_params_default(&p);
    tt_simmarket_t *m = tt_simmarket_new(&p, T0);
    tt_instrument_t eth = {2, 8, 1, 1};
    assert_int_equal(tt_simmarket_add(m, names[0], &s_btc, 0), 0);
    assert_int_equal(tt_simmarket_add(m, names[1], &eth, 0), 1);
    const tt_instrument_t *ins[] = {&s_btc, &eth};
    tt_sim_tick_t buf[64];
    size_t n, seen = 0;
    while ((n = tt_simmarket_next(m, T0 + HOUR / 4, buf, 64)) > 0) {
        for (size_t i = 0; i < n; i++, seen++) {
            char text[TT_TICKJSON_MAX];
            uint32_t s = buf[i].symbol;
            int len = tt_tickjson_format(names[s], ins[s], &buf[i].tick, text,
                                         sizeof text);
            assert_true(len > 0);
            tt_tickjson_msg_t msg;
            char err[128];
            assert_int_equal(tt_tickjson_parse(text, (size_t)len, s_lookup,
                                               NULL, &msg, err, sizeof err),
                             0);
            assert_int_equal(msg.symbol_index, (int)s);
            assert_true(memcmp(&msg.tick, &buf[i].tick, sizeof msg.tick) == 0);
        }
    }
    assert_true(seen > 1000);
    tt_simmarket_destroy(&m);
}

static void s_parse_fails(const char *text, const char *needle)
{
    tt_tickjson_msg_t msg;
    char err[256] = "";
    int rc = tt_tickjson_parse(text, strlen(text), s_lookup, NULL, &msg, err,
                               sizeof err);
    if (rc != -1 || !strstr(err, needle)) {
        print_error("input %s: rc %d, error '%s', wanted '%s'\n", text, rc, err,
                    needle);
        fail();
    }
}

static void test_json_parse_errors(void **state)
{
    (void)state;
    s_parse_fails("{\"T\":\"t\",", "not JSON");
    s_parse_fails("[1,2]", "not a JSON object");
    s_parse_fails("{\"T\":\"q\",\"S\":\"BTCUSD\"}", "field \"T\"");
    s_parse_fails("{\"T\":\"t\",\"p\":\"1\"}", "field \"S\"");
    s_parse_fails("{\"T\":\"t\",\"S\":\"DOGE\",\"p\":\"1\",\"s\":\"1\","
                  "\"t\":1}",
                  "unknown symbol 'DOGE'");
    s_parse_fails("{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":65000.12,\"s\":\"1\","
                  "\"t\":1}",
                  "field \"p\"");
    s_parse_fails("{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":\"65000.123\","
                  "\"s\":\"1\",\"t\":1}",
                  "field \"p\": '65000.123'");
    s_parse_fails("{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":\"0\",\"s\":\"1\","
                  "\"t\":1}",
                  "price must be > 0");
    s_parse_fails("{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":\"1\",\"s\":\"1\"}",
                  "field \"t\"");
    s_parse_fails("{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":\"1\",\"s\":\"1\","
                  "\"t\":1.7e18}",
                  "field \"t\"");
    s_parse_fails("{\"T\":\"t\",\"S\":\"BTCUSD\",\"p\":\"1\",\"s\":\"1\","
                  "\"t\":5,\"i\":-3}",
                  "field \"i\"");
    s_parse_fails("{\"T\":\"t\",\"T\":\"t\"}", "not JSON");
    /* Without "i", and with an unknown extra field: accepted. */
    const char *ok = "{\"T\":\"t\",\"S\":\"ETHUSD\",\"p\":\"3000.5\","
                     "\"s\":\"0.00000001\",\"t\":17,\"x\":[1]}";
    tt_tickjson_msg_t msg;
    char err[128];
    assert_int_equal(
        tt_tickjson_parse(ok, strlen(ok), s_lookup, NULL, &msg, err, 128), 0);
    assert_int_equal(msg.symbol_index, 1);
    assert_true(msg.tick.price == 300050 && msg.tick.size == 1);
    assert_true(msg.tick.ts == 17 && msg.tick.trade_id == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_splitmix64_reference),
        cmocka_unit_test(test_variates),
        cmocka_unit_test(test_same_seed_same_stream),
        cmocka_unit_test(test_different_seed_differs),
        cmocka_unit_test(test_symbol_streams_independent),
        cmocka_unit_test(test_symbol_added_mid_run),
        cmocka_unit_test(test_tick_invariants),
        cmocka_unit_test(test_add_rejects),
        cmocka_unit_test(test_arrival_rate_and_volatility),
        cmocka_unit_test(test_no_vol_no_jumps_price_still),
        cmocka_unit_test(test_drift_alone),
        cmocka_unit_test(test_jumps_only),
        cmocka_unit_test(test_calendar_hook),
        cmocka_unit_test(test_params_parse),
        cmocka_unit_test(test_params_errors_carry_lines),
        cmocka_unit_test(test_json_format_and_round_trip),
        cmocka_unit_test(test_json_round_trip_sim_stream),
        cmocka_unit_test(test_json_parse_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
