/*  tests/test_resubscribe.c: a stale symbol's feed re-subscribes it. The
    real websocket feed actor (actors/feed_ws.c, its own thread) connects
    to a real tick server on 127.0.0.1 serviced by this thread; asked to
    re-subscribe (tt_feed_resubscribe, what the root does on a stale
    report), it sends its subscribe message again on the open connection,
    which the server counts. The in-process sim feed has nothing to
    re-subscribe and says so; both still stop on $TERM. */
#include "tests/harness.h"

#include "actors/feed_stats.h"
#include "actors/feed_ws.h"
#include "runtime/runtime.h"
#include "venues/tickserver/tickserver.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const tt_behaviour_t s_idle = {"idle", NULL, NULL, NULL, NULL, NULL};

typedef struct {
    char *dir;
    tt_config_t *cfg;
    tt_clock_t *clock;
    tt_runtime_t *rt;
    zsock_t *root;
    tt_feed_stats_t stats;
} s_rig_t;

static void s_rig_up(s_rig_t *rig, int port)
{
    char yaml[1024], endpoints[128] = "";
    if (port > 0)
        snprintf(endpoints, sizeof endpoints,
                 "    endpoints: [\"ws://127.0.0.1:%d/\"]\n", port);
    snprintf(yaml, sizeof yaml,
             "service:\n  workers: 1\n"
             "venues:\n  - name: sim\n    kind: sim\n%s"
             "symbols:\n  - symbol: AAA\n    venue: sim\n"
             "    px_decimals: 2\n    qty_decimals: 0\n"
             "    strategy: {kind: sma_cross, params: {fast: 2, slow: 3}}\n"
             "    risk: {qty: \"1\"}\n",
             endpoints);
    rig->dir = tth_tmpdir("tt-resub");
    char *path = tth_write_file(rig->dir, "c.yaml", yaml);
    rig->cfg = tt_config_load(path, NULL, NULL, NULL);
    free(path);
    assert_non_null(rig->cfg);
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {&s_idle, &s_idle, &s_idle,
                                                  &s_idle};
    rig->clock = tt_clock_new_live();
    rig->rt = tt_runtime_new(rig->cfg, rig->clock, roles);
    rig->root = zsock_new_pull(tt_runtime_endpoint_root(rig->rt));
    assert_non_null(rig->root);
    assert_int_equal(tt_runtime_start(rig->rt), 0);
    tt_feed_stats_init(&rig->stats);
}

static void s_rig_down(s_rig_t *rig)
{
    tt_feed_stats_fini(&rig->stats);
    tt_runtime_destroy(&rig->rt);
    zsock_destroy(&rig->root);
    tt_clock_destroy(&rig->clock);
    tt_config_destroy(&rig->cfg);
    tth_rmtree(rig->dir);
    free(rig->dir);
}

static tt_tickserver_t *s_server(void)
{
    static const tt_tickserver_symbol_t symbols[] = {
        {.name = "AAA",
         .instrument = {.px_decimals = 2,
                        .qty_decimals = 0,
                        .tick_size = 1,
                        .lot_size = 1}}};
    tt_tickserver_cfg_t cfg;
    tt_tickserver_cfg_default(&cfg);
    cfg.symbols = symbols;
    cfg.symbol_count = 1;
    cfg.sim.model.tick_rate_hz = 20;
    char err[200] = "";
    tt_tickserver_t *srv = tt_tickserver_new(&cfg, err, sizeof err);
    if (!srv)
        fail_msg("tickserver: %s", err);
    return srv;
}

/* Services the server until it has accepted WANT subscribes, at most
   5 s. */
static bool s_wait_subscribes(tt_tickserver_t *srv, uint64_t want)
{
    int64_t deadline = tth_now_ms() + 5000;
    tt_tickserver_stats_t st;
    do {
        assert_int_equal(tt_tickserver_service(srv, 10), 0);
        tt_tickserver_stats(srv, &st);
    } while (st.subscribes < want && tth_now_ms() < deadline);
    return st.subscribes >= want;
}

static void test_ws_feed_subscribes_again(void **state)
{
    (void)state;
    tt_tickserver_t *srv = s_server();
    s_rig_t rig = {0};
    s_rig_up(&rig, tt_tickserver_port(srv));
    zactor_t *feed = tt_feed_ws_start(rig.rt, 0, &rig.stats);
    assert_non_null(feed);
    assert_true(s_wait_subscribes(srv, 1));
    /* Once connected and subscribed: nothing more without a request. */
    for (int i = 0; i < 20; i++)
        assert_int_equal(tt_tickserver_service(srv, 5), 0);
    tt_tickserver_stats_t st;
    tt_tickserver_stats(srv, &st);
    assert_int_equal(st.subscribes, 1);
    tt_feed_resubscribe(feed, "AAA");
    assert_true(s_wait_subscribes(srv, 2));
    assert_int_equal(atomic_load(&rig.stats.resubscribes), 1);
    /* The connection stayed: one connection, two subscribes. */
    tt_tickserver_stats(srv, &st);
    assert_int_equal(st.connections, 1);
    zactor_destroy(&feed); /* $TERM still stops it */
    assert_null(feed);
    s_rig_down(&rig);
    tt_tickserver_destroy(&srv);
}

static void test_ws_feed_not_connected(void **state)
{
    (void)state;
    /* A port nothing listens on: the request is noted, and the next
       connection will subscribe anyway. */
    s_rig_t rig = {0};
    s_rig_up(&rig, 9);
    zactor_t *feed = tt_feed_ws_start(rig.rt, 0, &rig.stats);
    assert_non_null(feed);
    tt_feed_resubscribe(feed, "AAA");
    int64_t deadline = tth_now_ms() + 5000;
    while (atomic_load(&rig.stats.resubscribes) < 1 && tth_now_ms() < deadline)
        tth_nap_ms(5);
    assert_int_equal(atomic_load(&rig.stats.resubscribes), 1);
    zactor_destroy(&feed);
    s_rig_down(&rig);
}

static void test_sim_feed_has_nothing_to_do(void **state)
{
    (void)state;
    s_rig_t rig = {0};
    s_rig_up(&rig, 0);
    zactor_t *feed = tt_feed_sim_start(rig.rt, 0, &rig.stats);
    assert_non_null(feed);
    tt_feed_resubscribe(feed, "AAA");
    tt_feed_resubscribe(feed, "AAA");
    int64_t deadline = tth_now_ms() + 5000;
    while (atomic_load(&rig.stats.resubscribes) < 2 && tth_now_ms() < deadline)
        tth_nap_ms(5);
    assert_int_equal(atomic_load(&rig.stats.resubscribes), 2);
    /* It still generates the market, and stops on $TERM. */
    uint64_t ticks = atomic_load(&rig.stats.ticks);
    deadline = tth_now_ms() + 5000;
    while (atomic_load(&rig.stats.ticks) == ticks && tth_now_ms() < deadline)
        tth_nap_ms(5);
    assert_true(atomic_load(&rig.stats.ticks) > ticks);
    zactor_destroy(&feed);
    s_rig_down(&rig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ws_feed_subscribes_again),
        cmocka_unit_test(test_ws_feed_not_connected),
        cmocka_unit_test(test_sim_feed_has_nothing_to_do),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
