/*  tests/test_ws_e2e.c: `ticktree tickserver` streams the simulated market
    over a real websocket on 127.0.0.1, and a `ticktree run` whose venue
    points at it receives the ticks through its websocket feed and trades
    them on paper. Two real processes; every wait bounded. */
#include "tests/process.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

/* The port the tickserver printed, or -1 after 5 s. */
static int s_port(const char *log_path)
{
    int64_t deadline = tth_now_ms() + 5000;
    while (tth_now_ms() < deadline) {
        char *log = tth_read_file(log_path);
        const char *at = log ? strstr(log, "ws://127.0.0.1:") : NULL;
        int port = at ? atoi(at + strlen("ws://127.0.0.1:")) : -1;
        free(log);
        if (port > 0)
            return port;
        tth_nap_ms(20);
    }
    return -1;
}

typedef struct {
    uint64_t ticks, fills, feed_ticks;
    int feed_state;
} s_seen_t;

static s_seen_t s_look(tth_proc_t *proc)
{
    s_seen_t seen = {0};
    Tt__Reply *reply = NULL;
    Tt__Health *health = tth_health(proc, &reply);
    for (size_t i = 0; health && i < health->n_symbols; i++) {
        seen.ticks += health->symbols[i]->ticks;
        seen.fills += health->symbols[i]->fills;
    }
    if (health && health->n_edges == 1) {
        seen.feed_ticks = health->edges[0]->handled;
        seen.feed_state = health->edges[0]->state;
    }
    if (reply)
        tt__reply__free_unpacked(reply, NULL);
    return seen;
}

static void test_trades_over_a_real_websocket(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt-ws");
    tth_venue_params = "{tick_rate_hz: 100, volatility: 3.0}";
    tth_symbol_extra = "  timeframes: [2]\n";
    tth_strategy_params = "{fast: 2, slow: 4, allow_short: true}";
    char *text = tth_config_text("ipc:///nonexistent/unused", 2, "", NULL);
    char *server_cfg = tth_write_file(dir, "server.yaml", text);
    free(text);
    char log[512];
    snprintf(log, sizeof log, "%s/tickserver.log", dir);
    const char *args[] = {"tickserver", "-c", server_cfg, "--port", "0", NULL};
    pid_t server = tth_spawn(args, log);
    int port = s_port(log);
    assert_true(port > 0);
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
    s_seen_t seen = {0};
    int64_t deadline = tth_now_ms() + 60000;
    while (tth_now_ms() < deadline) {
        seen = s_look(proc);
        if (seen.fills >= 1 && seen.ticks >= 200)
            break;
        tth_nap_ms(100);
    }
    assert_int_equal(seen.feed_state, TT__STATE__STATE_RUNNING);
    assert_true(seen.ticks >= 200);
    assert_true(seen.feed_ticks >= seen.ticks); /* all came via the feed */
    assert_true(seen.fills >= 1);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    kill(server, SIGTERM);
    int status = 0;
    assert_int_equal(waitpid(server, &status, 0), server);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    tth_proc_destroy(&proc);
    tth_rmtree(dir);
    free(dir);
    free(server_cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trades_over_a_real_websocket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
