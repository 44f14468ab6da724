/*  tests/test_ws_e2e.c: `ticktree tickserver` streams the simulated market
    over a real websocket on 127.0.0.1, and a `ticktree run` whose venue
    points at it receives the ticks through its websocket feed and trades
    them on paper. Two real processes; every wait bounded. */
#include "tests/process.h"
#include "tests/venuecheck.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

static void test_trades_over_a_real_websocket(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt-ws");
    tth_venue_params = "{tick_rate_hz: 100, volatility: 3.0}";
    tth_symbol_extra = "  timeframes: [2]\n";
    tth_strategy_params = "{fast: 2, slow: 4, allow_short: true}";
    int port;
    pid_t server = tth_tickserver_start(dir, 2, &port);
    char params[256];
    snprintf(params, sizeof params,
             "{tick_rate_hz: 100}\n    endpoints: [\"ws://127.0.0.1:%d/\"]",
             port);
    tth_venue_params = params;
    tth_proc_t *proc = tth_proc_start(2, "", NULL);
    tth_venue_params = "{}";
    tth_symbol_extra = "";
    tth_strategy_params = "{fast: 5, slow: 20}";
    /* Ticks arrive through the websocket feed, and the crossover
       strategy on 2-second candles trades them on paper. */
    tth_venue_seen_t seen = {0};
    int64_t deadline = tth_now_ms() + 60000;
    while (tth_now_ms() < deadline) {
        seen = tth_venue_look(proc, NULL, NULL);
        if (seen.fills >= 1 && seen.ticks >= 200)
            break;
        tth_nap_ms(100);
    }
    assert_int_equal(seen.edge_state, TT__STATE__STATE_RUNNING);
    assert_true(seen.ticks >= 200);
    assert_true(seen.handled >= seen.ticks); /* all came via the feed */
    assert_true(seen.fills >= 1);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    int status = tth_tickserver_stop(server);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    tth_proc_destroy(&proc);
    tth_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trades_over_a_real_websocket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
