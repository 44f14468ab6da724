/*  tests/test_supervision_e2e.c: three-strike recovery through the real
    binary: injected faults restart actors (rest_for_one), escalate to a
    symbol restart, quarantine a symbol past its budget while the others
    keep running, and an operator restart brings it back. The watchdog
    notices a hung handler. Every wait is bounded. */
#include "tests/process.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_FAULTS "  fault_injection: true\n"
#define S_WAIT_MS 5000

typedef struct {
    int state;
    uint32_t restarts;       /* symbol restarts */
    uint32_t actor_restarts; /* of the named actor */
    uint64_t watchdog_misses;
    int actor_state;
    char last_error[256];
} s_view_t;

static bool s_view(tth_proc_t *proc, const char *symbol, const char *actor,
                   s_view_t *view)
{
    Tt__Reply *reply = NULL;
    Tt__Health *health = tth_health(proc, &reply);
    bool found = false;
    for (size_t i = 0; health && i < health->n_symbols; i++) {
        Tt__SymbolHealth *sym = health->symbols[i];
        if (strcmp(sym->symbol, symbol) != 0)
            continue;
        view->state = sym->state;
        view->restarts = sym->restarts;
        snprintf(view->last_error, sizeof view->last_error, "%s",
                 sym->last_error);
        for (size_t a = 0; a < sym->n_actors; a++) {
            if (strcmp(sym->actors[a]->name, actor) != 0)
                continue;
            view->actor_restarts = sym->actors[a]->restarts;
            view->actor_state = sym->actors[a]->state;
            view->watchdog_misses = sym->actors[a]->watchdog_misses;
            found = true;
        }
    }
    if (reply)
        tt__reply__free_unpacked(reply, NULL);
    return found;
}

/* Waits until the actor has been restarted RESTARTS times and its symbol
   is RUNNING again (or until the symbol reaches STATE, when not 0). */
static s_view_t s_wait(tth_proc_t *proc, const char *symbol, const char *actor,
                       uint32_t restarts, int state)
{
    s_view_t view = {0};
    int64_t deadline = tth_now_ms() + S_WAIT_MS;
    while (tth_now_ms() < deadline) {
        if (s_view(proc, symbol, actor, &view) &&
            view.actor_restarts >= restarts &&
            view.state == (state ? state : TT__STATE__STATE_RUNNING) &&
            (state || view.actor_state == TT__STATE__STATE_RUNNING))
            return view;
        tth_nap_ms(10);
    }
    fail_msg("%s/%s: wanted %u restarts and state %d; have %u, state %d",
             symbol, actor, restarts, state, view.actor_restarts, view.state);
    return view;
}

static void s_fault(tth_proc_t *proc, const char *symbol, const char *actor)
{
    char err[256];
    int status = tth_fault(proc, symbol, actor, 0, err, sizeof err);
    if (status != TT__STATUS__STATUS_OK)
        fail_msg("fault %s %s: status %d: %s", symbol, actor, status, err);
}

static void s_others_untouched(tth_proc_t *proc, const char *a, const char *b)
{
    const char *others[] = {a, b};
    for (int i = 0; i < 2; i++) {
        s_view_t view;
        assert_true(s_view(proc, others[i], "data", &view));
        assert_int_equal(view.state, TT__STATE__STATE_RUNNING);
        assert_int_equal(view.restarts, 0);
        assert_int_equal(view.actor_restarts, 0);
    }
}

static void test_rest_for_one(void **state)
{
    (void)state;
    tth_proc_t *proc = tth_proc_start(2, S_FAULTS, NULL);
    s_fault(proc, "S0", "indicator");
    s_wait(proc, "S0", "indicator", 1, 0);
    s_view_t view;
    /* Started after the indicator: restarted with it. */
    assert_true(s_view(proc, "S0", "strategy", &view));
    assert_int_equal(view.actor_restarts, 1);
    /* Started before it: left alone (execution holds live orders). */
    assert_true(s_view(proc, "S0", "execution", &view));
    assert_int_equal(view.actor_restarts, 0);
    assert_true(s_view(proc, "S0", "data", &view));
    assert_int_equal(view.actor_restarts, 0);
    assert_int_equal(view.restarts, 0); /* no symbol restart */
    tth_proc_destroy(&proc);
}

static void test_escalation_quarantine_and_operator_restart(void **state)
{
    (void)state;
    tth_proc_t *proc = tth_proc_start(3, S_FAULTS, NULL);
    /* Strikes one and two restart the actor. */
    s_fault(proc, "S1", "data");
    s_wait(proc, "S1", "data", 1, 0);
    s_fault(proc, "S1", "data");
    s_view_t view = s_wait(proc, "S1", "data", 2, 0);
    assert_int_equal(view.restarts, 0);
    /* The third inside the window restarts the whole symbol. */
    s_fault(proc, "S1", "data");
    view = s_wait(proc, "S1", "data", 3, 0);
    assert_true(s_view(proc, "S1", "execution", &view));
    assert_int_equal(view.restarts, 1);
    assert_int_equal(view.actor_restarts, 1); /* execution restarted too */
    assert_non_null(strstr(view.last_error, "escalated"));
    s_others_untouched(proc, "S0", "S2");
    /* Three more: the symbol budget (1) is spent, so it is quarantined. */
    for (uint32_t n = 4; n <= 5; n++) {
        s_fault(proc, "S1", "data");
        s_wait(proc, "S1", "data", n, 0);
    }
    s_fault(proc, "S1", "data");
    view = s_wait(proc, "S1", "data", 5, TT__STATE__STATE_ERROR);
    assert_non_null(strstr(view.last_error, "quarantined"));
    assert_int_equal(tth_state(proc, "S1", "data"), TT__STATE__STATE_ERROR);
    assert_int_equal(tth_state(proc, "S1", "execution"),
                     TT__STATE__STATE_STOPPED);
    /* It stays there: quarantine is terminal until an operator acts. */
    tth_nap_ms(300);
    assert_int_equal(tth_state(proc, "S1", NULL), TT__STATE__STATE_ERROR);
    char err[256];
    assert_int_equal(tth_fault(proc, "S1", "data", 0, err, sizeof err),
                     TT__STATUS__STATUS_BAD_STATE);
    assert_int_equal(tth_symbol_cmd(proc, "pause", "S1", err, sizeof err),
                     TT__STATUS__STATUS_BAD_STATE);
    s_others_untouched(proc, "S0", "S2");
    /* An operator restart brings it back with a fresh budget. */
    assert_int_equal(tth_symbol_cmd(proc, "restart", "S1", err, sizeof err),
                     TT__STATUS__STATUS_OK);
    assert_true(
        tth_wait_state(proc, "S1", NULL, TT__STATE__STATE_RUNNING, S_WAIT_MS));
    for (int i = 0; i < 4; i++)
        assert_true(tth_wait_state(
            proc, "S1",
            (const char *[]){"execution", "data", "indicator", "strategy"}[i],
            TT__STATE__STATE_RUNNING, S_WAIT_MS));
    s_fault(proc, "S1", "data");
    view = s_wait(proc, "S1", "data", 7, 0);
    assert_int_equal(view.state, TT__STATE__STATE_RUNNING);
    tth_proc_destroy(&proc);
}

static void test_restart_running_symbol(void **state)
{
    (void)state;
    tth_proc_t *proc = tth_proc_start(2, "", NULL);
    char err[256];
    assert_int_equal(tth_symbol_cmd(proc, "restart", "S0", err, sizeof err),
                     TT__STATUS__STATUS_OK);
    s_view_t view = {0};
    int64_t deadline = tth_now_ms() + S_WAIT_MS;
    while (tth_now_ms() < deadline &&
           !(s_view(proc, "S0", "strategy", &view) && view.restarts == 1 &&
             view.state == TT__STATE__STATE_RUNNING &&
             view.actor_state == TT__STATE__STATE_RUNNING))
        tth_nap_ms(10);
    assert_int_equal(view.restarts, 1);
    assert_int_equal(view.state, TT__STATE__STATE_RUNNING);
    s_others_untouched(proc, "S1", "S1");
    tth_proc_destroy(&proc);
}

static void test_watchdog_notices_hung_handler(void **state)
{
    (void)state;
    tth_proc_t *proc = tth_proc_start(2, S_FAULTS "  watchdog_ms: 100\n", NULL);
    char err[256];
    assert_int_equal(tth_fault(proc, "S1", "data", 800, err, sizeof err),
                     TT__STATUS__STATUS_OK);
    s_view_t view = s_wait(proc, "S1", "data", 1, 0);
    assert_int_equal(view.watchdog_misses, 1);
    assert_int_equal(view.restarts, 0);
    assert_true(s_view(proc, "S1", "data", &view));
    s_others_untouched(proc, "S0", "S0");
    tth_proc_destroy(&proc);
}

static void test_stale_feed_pauses_symbol(void **state)
{
    (void)state;
    /* A market that almost never trades: the symbols go stale. */
    tth_venue_params = "{tick_rate_hz: 0.00001}";
    tth_symbol_extra = "  stale_ms: 300\n";
    tth_proc_t *proc = tth_proc_start(2, "", NULL);
    tth_venue_params = "{}";
    tth_symbol_extra = "";
    assert_true(
        tth_wait_state(proc, "S0", NULL, TT__STATE__STATE_PAUSED, S_WAIT_MS));
    Tt__Reply *reply = NULL;
    Tt__Health *health = tth_health(proc, &reply);
    assert_non_null(health);
    assert_string_equal(health->symbols[0]->pause_reason, "stale");
    /* Data and indicators stay up; the trading actors are paused. */
    assert_int_equal(health->symbols[0]->actors[1]->state,
                     TT__STATE__STATE_RUNNING);
    assert_int_equal(health->symbols[0]->actors[3]->state,
                     TT__STATE__STATE_PAUSED);
    tt__reply__free_unpacked(reply, NULL);
    /* An operator pause on top of it, then resume: still stale-paused. */
    char err[256];
    assert_int_equal(tth_symbol_cmd(proc, "pause", "S0", err, sizeof err),
                     TT__STATUS__STATUS_OK);
    assert_int_equal(tth_symbol_cmd(proc, "resume", "S0", err, sizeof err),
                     TT__STATUS__STATUS_OK);
    assert_int_equal(tth_state(proc, "S0", NULL), TT__STATE__STATE_PAUSED);
    tth_proc_destroy(&proc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rest_for_one),
        cmocka_unit_test(test_escalation_quarantine_and_operator_restart),
        cmocka_unit_test(test_restart_running_symbol),
        cmocka_unit_test(test_watchdog_notices_hung_handler),
        cmocka_unit_test(test_stale_feed_pauses_symbol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
