/*  tests/test_resubscribe_venue.c: a live venue's feed (actors/
    feed_venue.c, Binance protocol) asked to re-subscribe a stale symbol
    reconnects, and its protocol subscribes again on the new connection;
    trades flow again afterwards. Against the local Binance-like server
    (tests/fakes) on 127.0.0.1; every wait bounded. */
#include "tests/harness.h"

#include "actors/feed_stats.h"
#include "actors/feed_venue.h"
#include "runtime/runtime.h"
#include "tests/fakes/fake_binance.h"
#include "tests/venuecheck.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const tt_behaviour_t s_idle = {"idle", NULL, NULL, NULL, NULL, NULL};

static bool s_wait_connections(fake_binance_t *fake, uint64_t want)
{
    int64_t deadline = tth_now_ms() + 5000;
    fake_binance_stats_t st;
    do {
        fake_binance_stats(fake, &st);
        if (st.md_connections >= want && st.md_clients == 1)
            return true;
        tth_nap_ms(5);
    } while (tth_now_ms() < deadline);
    return false;
}

static void test_venue_feed_reconnects_to_subscribe(void **state)
{
    (void)state;
    fake_binance_t *fake = tth_fake_binance_btcusdt((fake_binance_cfg_t){0});
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "service:\n  workers: 1\n"
             "venues:\n  - name: bn\n    kind: binance\n"
             "    endpoints: [\"ws://127.0.0.1:%d\"]\n"
             "    params: {backoff_ms: 20, backoff_max_ms: 100}\n"
             "symbols:\n  - symbol: BTCUSD\n    venue: bn\n"
             "    venue_symbol: BTCUSDT\n"
             "    px_decimals: 2\n    qty_decimals: 5\n"
             "    strategy: {kind: sma_cross, params: {fast: 2, slow: 3}}\n"
             "    risk: {qty: \"1\"}\n",
             fake_binance_port(fake));
    char *dir = tth_tmpdir("tt-resubv");
    char *path = tth_write_file(dir, "c.yaml", yaml);
    tt_config_t *cfg = tt_config_load(path, NULL, NULL, NULL);
    free(path);
    assert_non_null(cfg);
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {&s_idle, &s_idle, &s_idle,
                                                  &s_idle};
    tt_clock_t *clock = tt_clock_new_live();
    tt_runtime_t *rt = tt_runtime_new(cfg, clock, roles);
    zsock_t *root = zsock_new_pull(tt_runtime_endpoint_root(rt));
    assert_int_equal(tt_runtime_start(rt), 0);
    tt_feed_stats_t stats;
    memset(&stats, 0, sizeof stats);
    tt_feed_stats_init(&stats);
    zactor_t *feed = tt_feed_venue_start(rt, 0, &stats);
    assert_non_null(feed);
    assert_true(s_wait_connections(fake, 1));
    tt_feed_resubscribe(feed, "BTCUSD");
    /* A new connection: the protocol's on_open subscribed on it. */
    assert_true(s_wait_connections(fake, 2));
    assert_int_equal(atomic_load(&stats.resubscribes), 1);
    /* And the trades come through it. */
    uint64_t ticks = atomic_load(&stats.ticks);
    int64_t deadline = tth_now_ms() + 5000;
    for (int i = 0;
         atomic_load(&stats.ticks) == ticks && tth_now_ms() < deadline; i++) {
        fake_binance_push_trade(fake, "BTCUSDT", "64000.10", "0.01000",
                                (int64_t)(zclock_time()), i % 2);
        zclock_sleep(20);
    }
    assert_true(atomic_load(&stats.ticks) > ticks);
    zactor_destroy(&feed); /* $TERM still stops it */
    tt_feed_stats_fini(&stats);
    tt_runtime_destroy(&rt);
    zsock_destroy(&root);
    tt_clock_destroy(&clock);
    tt_config_destroy(&cfg);
    fake_binance_stop(&fake);
    tth_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_venue_feed_reconnects_to_subscribe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
