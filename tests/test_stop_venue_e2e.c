/*  tests/test_stop_venue_e2e.c: a graceful stop with an order's REST
    request on the wire at a live venue, through the real `ticktree`
    binary against the local Alpaca-like server (tests/fakes) on
    127.0.0.1.

    The service enters (a market order, filled at the venue) and sends
    the bracket's exits as one OCO order. The fake holds back every HTTP
    answer (fake_alpaca_set_delay_ms): the test waits until the fake has
    taken the OCO's POST, whose answer is then on its way, and stops the
    service right then (SIGTERM). The stop's budget for orders in flight
    is half of shutdown_timeout_ms (5 s here), less the feeds' fences.

    answer in budget   the answer comes 1.5 s later: the stop waits for
                       it. The venue has the order once; the store has
                       both legs accepted with their venue ids; the log
                       names nothing as unsent or unanswered. A restart
                       reconciles and places nothing again.
    answer too late    the answer comes 4 s later: the execution actor
                       stops without it and names both legs as sent and
                       unanswered. The venue has the order (its own
                       records are the truth here). The restart finds it
                       by its client id and adopts it: still one order
                       with that id, no second POST, nothing expired;
                       its later fill reaches the position and the
                       ledger once.

    no answer by the deadline  the answer comes 9.5 s late, past the
                       whole stop budget: the gateway gives the request
                       up when the stop is due, so the service stops in
                       about 5 s, names both legs, and the restart adopts
                       them.
    not a stop         the entry's POST gets no answer within
                       http_timeout_ms though the venue took it: the
                       gateway asks the venue by client id before any
                       second POST and adopts it; the id reaches the
                       venue once.

    Every wait is bounded; the fake's records (requests by route, client
    ids received, order status, position) are what the assertions hold
    the service to. */
#include "tests/fakes/fake_alpaca.h"
#include "tests/process.h"
#include "tests/storecheck.h"
#include "tests/venuecheck.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_KEY "PKTESTSTOP12"
#define S_SECRET "s3cr3t-stop-do-not-log"
#define S_EDGE "broker/live"
#define S_POSTS "POST /v2/orders"
/* What the execution actor logs of an order it did not see through. */
#define S_UNSENT " not sent: the store had not confirmed it"
#define S_UNANSWERED " sent, no answer from the venue when the actor stopped"

static char *s_config_more(const char *dir, int port, const char *more)
{
    return tth_alpaca_sma_config(dir, port, "TT_TEST_STOP_KEY", S_KEY, S_SECRET,
                                 more);
}

static char *s_config(const char *dir, int port)
{
    return s_config_more(dir, port, "");
}

static bool s_flat_after(const tth_venue_seen_t *s, uint64_t want)
{
    return s->fills >= want && !strcmp(s->position, "0");
}

/* Waits at most TIMEOUT_MS for the fake to have taken WANT POSTs of
   orders; asserts it has. */
static void s_wait_posts(tth_proc_t *proc, fake_alpaca_t *fake, uint64_t want,
                         int timeout_ms)
{
    int64_t deadline = tth_now_ms() + timeout_ms;
    while (fake_alpaca_requests(fake, S_POSTS) < want &&
           tth_now_ms() < deadline)
        tth_nap_ms(5);
    if (fake_alpaca_requests(fake, S_POSTS) < want) {
        tth_proc_dump_log(proc);
        fail_msg("the fake took %llu order POSTs, not %llu",
                 (unsigned long long)fake_alpaca_requests(fake, S_POSTS),
                 (unsigned long long)want);
    }
}

/* Up to the OCO's POST at the fake, every answer DELAY_MS late (from
   the entry's POST on, OCO_DELAY_MS): falling prices, then rising ones
   until the entry reaches the venue; the entry's answer and fill, then
   its exits as one OCO. The caller stops the service while the OCO's
   answer is on its way. */
static tth_proc_t *s_up_to_oco_delayed(fake_alpaca_t *fake, char *dir,
                                       int delay_ms, int oco_delay_ms)
{
    char *text = s_config(dir, fake_alpaca_port(fake));
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    free(text);
    tth_venue_wait(proc, S_EDGE, "AAPL", tth_venue_edges_listening, 1, 10000,
                   "order stream listening");
    fake_alpaca_set_delay_ms(fake, delay_ms);
    int64_t cents = 19000;
    for (int i = 0; i < 60; i++, cents -= 2) {
        tth_alpaca_trade(fake, cents);
        tth_nap_ms(100);
    }
    /* Rising until the entry's POST (a cross within a few candles; up
       to 30 s on a loaded machine: 10 s was once not enough at load 5). */
    int64_t deadline = tth_now_ms() + 30000;
    while (fake_alpaca_requests(fake, S_POSTS) < 1 && tth_now_ms() < deadline) {
        cents += 5;
        tth_alpaca_trade(fake, cents);
        tth_nap_ms(100);
    }
    s_wait_posts(proc, fake, 1, 0);
    fake_alpaca_set_delay_ms(fake, oco_delay_ms);
    s_wait_posts(proc, fake, 2, 2 * delay_ms + oco_delay_ms + 10000);
    return proc;
}

static tth_proc_t *s_up_to_oco_on_wire(fake_alpaca_t *fake, char *dir,
                                       int delay_ms)
{
    return s_up_to_oco_delayed(fake, dir, delay_ms, delay_ms);
}

/* Starts the service again on its store (the fake answers at once now)
   and waits until the gateway has reconciled AAPL. */
static void s_restart(tth_proc_t *proc, fake_alpaca_t *fake, const char *log)
{
    fake_alpaca_set_delay_ms(fake, 0);
    tth_venue_respawn(proc, log);
    if (!tth_wait_file_holds(proc->log, "AAPL: restart reconciled", 15000)) {
        tth_proc_dump_log(proc);
        fail_msg("the restart did not reconcile AAPL with the venue");
    }
    tth_venue_wait(proc, S_EDGE, "AAPL", tth_venue_edges_listening, 1, 10000,
                   "order stream listening after the restart");
}

static void test_answer_within_budget(void **state)
{
    (void)state;
    fake_alpaca_t *fake = tth_fake_alpaca_aapl(S_KEY, S_SECRET);
    char *dir = tth_tmpdir("tt-stopwire");
    tth_proc_t *proc = s_up_to_oco_on_wire(fake, dir, 1500);
    tth_proc_term(proc);
    /* The venue took the entry and the OCO, once each. */
    char entry[64], target[64], stop[64], status[32];
    tth_store_last_coid(dir, "%-e", entry);
    tth_store_last_coid(dir, "%-t", target);
    tth_store_last_coid(dir, "%-s", stop);
    assert_int_equal(fake_alpaca_requests(fake, S_POSTS), 2);
    assert_int_equal(fake_alpaca_coid_count(fake, target), 1);
    assert_int_equal(fake_alpaca_coid_max(fake), 1);
    assert_int_equal(
        fake_alpaca_order_status(fake, target, status, sizeof status), 0);
    assert_string_equal(status, "new");
    /* The stop waited for the answer: both legs accepted, with venue
       ids; nothing left NEW, nothing named. */
    tth_store_legs_accepted(dir, target, stop);
    assert_int_equal(
        tth_store_long(dir, "SELECT count(*) FROM orders WHERE state = 1"), 0);
    assert_int_equal(tth_log_count_named(proc, S_UNSENT, NULL), 0);
    assert_int_equal(tth_log_count_named(proc, S_UNANSWERED, NULL), 0);

    /* The restart reconciles and sends nothing. */
    s_restart(proc, fake, "ticktree2.log");
    assert_true(tth_log_holds(proc, "AAPL: restart reconciled, 0 changed"));
    tth_proc_term(proc);
    assert_int_equal(fake_alpaca_requests(fake, S_POSTS), 2);
    tth_store_legs_accepted(dir, target, stop);
    char path[512];
    long orders = 0;
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    assert_int_equal(tth_check_store(path, 0, &orders), 1);
    assert_int_equal(orders, 3);
    assert_int_equal(fake_alpaca_coid_max(fake), 1);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

static void test_answer_after_budget(void **state)
{
    (void)state;
    fake_alpaca_t *fake = tth_fake_alpaca_aapl(S_KEY, S_SECRET);
    char *dir = tth_tmpdir("tt-stopwirelate");
    tth_proc_t *proc = s_up_to_oco_on_wire(fake, dir, 4000);
    tth_proc_term(proc);
    char target[64], stop[64], status[32], line[200];
    tth_store_last_coid(dir, "%-t", target);
    tth_store_last_coid(dir, "%-s", stop);
    /* The venue has the OCO, once; the service stopped without its
       answer and says so for both legs, and for nothing else. */
    assert_int_equal(fake_alpaca_requests(fake, S_POSTS), 2);
    assert_int_equal(fake_alpaca_coid_count(fake, target), 1);
    assert_int_equal(
        fake_alpaca_order_status(fake, target, status, sizeof status), 0);
    assert_string_equal(status, "new");
    if (tth_log_count_named(proc, S_UNANSWERED, target) != 1 ||
        tth_log_count_named(proc, S_UNANSWERED, stop) != 1) {
        tth_proc_dump_log(proc);
        fail_msg("the stop did not name %s and %s as unanswered", target, stop);
    }
    assert_int_equal(tth_log_count_named(proc, S_UNANSWERED, NULL), 2);
    assert_int_equal(tth_log_count_named(proc, S_UNSENT, NULL), 0);
    assert_int_equal(
        tth_store_count_for(dir,
                            "SELECT count(*) FROM orders WHERE coid = '%s' "
                            "AND state = 1",
                            target),
        1);

    /* The restart finds the order at the venue and adopts it. */
    s_restart(proc, fake, "ticktree2.log");
    tth_store_legs_accepted(dir, target, stop);
    snprintf(line, sizeof line,
             "reconcile: adopt_state %s: working at the venue", target);
    assert_true(tth_log_holds(proc, line));
    assert_int_equal(
        tth_store_long(dir, "SELECT count(*) FROM orders WHERE state = 7"), 0);
    assert_int_equal(fake_alpaca_requests(fake, S_POSTS), 2);
    assert_int_equal(fake_alpaca_coid_count(fake, target), 1);

    /* Its fill at the venue comes once to the position and the ledger. */
    long limit = tth_store_count_for(
        dir, "SELECT limit_px FROM orders WHERE coid = '%s'", target);
    tth_alpaca_trade(fake, limit);
    tth_venue_wait(proc, S_EDGE, "AAPL", s_flat_after, 1, 10000,
                   "take-profit filled after the restart");
    tth_store_wait_order_state(dir, target, "4");
    tth_store_wait_order_state(dir, stop, "5");
    tth_proc_term(proc);
    assert_int_equal(
        tth_store_count_for(dir, "SELECT count(*) FROM fills WHERE coid = '%s'",
                            target),
        1);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM ledger WHERE "
                                         "symbol = 'AAPL'"),
                     2);
    assert_int_equal(tth_store_long(dir, "SELECT qty FROM positions WHERE "
                                         "symbol = 'AAPL'"),
                     0);
    char pos[32];
    assert_int_equal(fake_alpaca_position(fake, "AAPL", pos, sizeof pos), 0);
    assert_true(!strcmp(pos, "0") || !strcmp(pos, "0.0"));
    assert_int_equal(fake_alpaca_requests(fake, S_POSTS), 2);
    assert_int_equal(fake_alpaca_coid_max(fake), 1);
    char path[512];
    long orders = 0;
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    assert_int_equal(tth_check_store(path, 0, &orders), 2);
    assert_int_equal(orders, 3);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

/* The venue answers the OCO 9.5 s late, past the stop's whole budget
   (shutdown_timeout_ms, 5 s): the gateway gives the request up once the
   stop is due, so the service exits 0 within the budget (and a little:
   libcurl asks about once a second), not when the venue gets round to
   answering. Both legs are named; the restart adopts them, nothing is
   sent again. */
static void test_no_answer_by_deadline(void **state)
{
    (void)state;
    fake_alpaca_t *fake = tth_fake_alpaca_aapl(S_KEY, S_SECRET);
    char *dir = tth_tmpdir("tt-stopwirehung");
    tth_proc_t *proc = s_up_to_oco_delayed(fake, dir, 300, 9500);
    int64_t start = tth_now_ms();
    tth_proc_term(proc);
    int64_t took = tth_now_ms() - start;
    print_message("the stop took %lld ms\n", (long long)took);
    if (took >= 8000) {
        tth_proc_dump_log(proc);
        fail_msg("the stop took %lld ms, past its 5 s budget", (long long)took);
    }
    char target[64], stop[64];
    tth_store_last_coid(dir, "%-t", target);
    tth_store_last_coid(dir, "%-s", stop);
    assert_int_equal(tth_log_count_named(proc, S_UNANSWERED, target), 1);
    assert_int_equal(tth_log_count_named(proc, S_UNANSWERED, stop), 1);
    assert_true(tth_log_holds(proc, "no answer by the stop's deadline"));
    assert_int_equal(fake_alpaca_requests(fake, S_POSTS), 2);
    assert_int_equal(fake_alpaca_coid_count(fake, target), 1);

    s_restart(proc, fake, "ticktree2.log");
    tth_store_legs_accepted(dir, target, stop);
    tth_proc_term(proc);
    assert_int_equal(fake_alpaca_requests(fake, S_POSTS), 2);
    assert_int_equal(fake_alpaca_coid_max(fake), 1);
    assert_int_equal(
        tth_store_long(dir, "SELECT count(*) FROM orders WHERE state = 7"), 0);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

static bool s_long(const tth_venue_seen_t *s, uint64_t want)
{
    return s->fills >= want && !strcmp(s->position, "10");
}

/* Not a stop: the entry's POST gets no answer within http_timeout_ms
   (500 ms; the fake answers 1.5 s late), though the venue took it and
   filled it. The gateway asks the venue by client id before it would
   POST again: the order is adopted (filled, the position long), never
   sent twice (a second POST of the id would be refused as a duplicate
   and the order, working at the venue, rejected here). */
static void test_post_without_answer_not_resent(void **state)
{
    (void)state;
    fake_alpaca_t *fake = tth_fake_alpaca_aapl(S_KEY, S_SECRET);
    char *dir = tth_tmpdir("tt-postlost");
    char *text =
        s_config_more(dir, fake_alpaca_port(fake), ", http_timeout_ms: 500");
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    free(text);
    tth_venue_wait(proc, S_EDGE, "AAPL", tth_venue_edges_listening, 1, 10000,
                   "order stream listening");
    fake_alpaca_set_delay_ms(fake, 1500);
    int64_t cents = 19000;
    for (int i = 0; i < 60; i++, cents -= 2) {
        tth_alpaca_trade(fake, cents);
        tth_nap_ms(100);
    }
    /* Rising until the entry's POST (a cross within a few candles; up
       to 30 s on a loaded machine: 10 s was once not enough at load 5). */
    int64_t deadline = tth_now_ms() + 30000;
    while (fake_alpaca_requests(fake, S_POSTS) < 1 && tth_now_ms() < deadline) {
        cents += 5;
        tth_alpaca_trade(fake, cents);
        tth_nap_ms(100);
    }
    s_wait_posts(proc, fake, 1, 0);
    fake_alpaca_set_delay_ms(fake, 0);
    tth_venue_wait(proc, S_EDGE, "AAPL", s_long, 1, 10000,
                   "entry adopted and filled");
    char entry[64];
    tth_store_last_coid(dir, "%-e", entry);
    tth_store_wait_order_state(dir, entry, "4");
    /* The gateway settles it one way or the other: adopted, or POSTed
       again and refused as a duplicate. */
    char line[160];
    snprintf(line, sizeof line,
             "%s: at the venue after a POST without an answer", entry);
    deadline = tth_now_ms() + 5000;
    while (!tth_log_holds(proc, line) && !tth_log_holds(proc, "refused") &&
           tth_now_ms() < deadline)
        tth_nap_ms(20);
    if (fake_alpaca_coid_count(fake, entry) != 1 ||
        !tth_log_holds(proc, line)) {
        tth_proc_dump_log(proc);
        fail_msg("%s reached the venue %llu times; not adopted", entry,
                 (unsigned long long)fake_alpaca_coid_count(fake, entry));
    }
    assert_false(tth_log_holds(proc, "must be unique"));
    tth_proc_term(proc);
    assert_int_equal(fake_alpaca_coid_max(fake), 1);
    assert_int_equal(
        tth_store_count_for(dir, "SELECT count(*) FROM fills WHERE coid = '%s'",
                            entry),
        1);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_within_budget),
        cmocka_unit_test(test_answer_after_budget),
        cmocka_unit_test(test_no_answer_by_deadline),
        cmocka_unit_test(test_post_without_answer_not_resent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
