/*  tests/test_crash_e2e.c: kill -9 and restart, several rounds.

    The real binary trades three symbols on the paper broker; it is killed
    with SIGKILL at a random moment (a seeded, bounded delay), restarted on
    the same store, and so on. Afterwards, in the store:
    - no client order id was sent twice: each order has exactly one NEW
      row (its intent, committed before the broker saw it), and no restart
      ever found an intent already stored (health: events.duplicates 0);
    - every fill is in the fills table and the ledger exactly once;
    - each position rebuilt from the ledger equals the stored position;
    - event sequence numbers run 1..N with no gap and no repeat. */
#include "tests/harness.h"
#include "tests/process.h"
#include "tests/storecheck.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define S_ROUNDS 4
#define S_SYMBOLS 3

typedef struct {
    uint64_t fills, duplicates, last_seq;
} s_seen_t;

static s_seen_t s_health(tth_proc_t *proc)
{
    s_seen_t seen = {0};
    Tt__Reply *reply = NULL;
    Tt__Health *h = tth_health(proc, &reply);
    if (h) {
        for (size_t i = 0; i < h->n_symbols; i++)
            seen.fills += h->symbols[i]->fills;
        if (h->events) {
            seen.duplicates = h->events->duplicates;
            seen.last_seq = h->events->last_seq;
        }
    }
    if (reply)
        tt__reply__free_unpacked(reply, NULL);
    return seen;
}

/* Restarts the service of PROC on its own config and store. */
static void s_restart(tth_proc_t *proc)
{
    const char *args[] = {"run", "-c", proc->config, NULL};
    char log[600];
    snprintf(log, sizeof log, "%s.%d", proc->log, (int)proc->pid);
    proc->pid = tth_spawn(args, log);
}

static void s_wait_up(tth_proc_t *proc)
{
    int64_t deadline = tth_now_ms() + 15000;
    while (tth_now_ms() < deadline) {
        Tt__Reply *reply = NULL;
        Tt__Health *h = tth_health(proc, &reply);
        bool up = h && h->state == TT__STATE__STATE_RUNNING;
        if (reply)
            tt__reply__free_unpacked(reply, NULL);
        if (up)
            return;
        usleep(50000);
    }
    fail_msg("the restarted service did not come up within 15 s");
}

static void test_kill_9_rounds_keep_the_books_straight(void **state)
{
    (void)state;
    unsigned seed = (unsigned)time(NULL);
    print_message("crash test seed %u\n", seed);
    srand(seed);
    tth_venue_params = "{tick_rate_hz: 50, volatility: 3.0}";
    tth_symbol_extra = "  timeframes: [1]\n";
    tth_strategy_params = "{fast: 2, slow: 4, allow_short: true}";
    tth_proc_t *proc = tth_proc_start(S_SYMBOLS, "", NULL);
    for (int round = 0; round < S_ROUNDS; round++) {
        /* Let this process trade a little (two fills, bounded in time),
           then kill it at a random moment in the next 0..1.5 s. */
        int64_t deadline = tth_now_ms() + 20000;
        s_seen_t seen = s_health(proc);
        while (seen.fills < 2 && tth_now_ms() < deadline) {
            usleep(50000);
            seen = s_health(proc);
        }
        if (seen.fills < 1)
            fail_msg("round %d: no fill within 20 s", round);
        assert_int_equal(seen.duplicates, 0);
        usleep((useconds_t)(rand() % 1500) * 1000);
        assert_int_equal(kill(proc->pid, SIGKILL), 0);
        int status = 0;
        assert_int_equal(waitpid(proc->pid, &status, 0), proc->pid);
        assert_true(WIFSIGNALED(status));
        s_restart(proc);
        s_wait_up(proc);
    }
    s_seen_t last = s_health(proc);
    assert_int_equal(last.duplicates, 0);
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 10000), 0);

    char path[600];
    snprintf(path, sizeof path, "%s/ticktree.db", proc->dir);
    long orders = 0;
    assert_true(tth_check_store(path, S_SYMBOLS, &orders) >= S_ROUNDS);
    assert_true(orders >= S_ROUNDS);
    tth_proc_destroy(&proc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_9_rounds_keep_the_books_straight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
