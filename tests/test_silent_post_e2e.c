/*  tests/test_silent_post_e2e.c: a Binance order whose POST gets no
    answer is never sent twice (actors/broker_binance.c, "Never twice" in
    docs/VENUES.md), end to end: the real `ticktree` binary trades BTCUSDT
    through the Binance broker gateway against the local Binance-like
    server (tests/fakes) on 127.0.0.1.

    The sma_cross entry is a market buy. Its POST gets no answer
    (fake_binance_silent_orders):
      - taken: the venue fills it, then holds the answer past the
        gateway's http_timeout_ms, and the user-data stream says nothing
        of it either. A service that sent the order again would buy twice:
        the venue takes a client id again once its order is no longer
        open (as Binance does). The gateway asks GET /api/v3/order by
        client id first, finds the order filled, fetches its trade and
        adopts it: one fill, one ledger row, the position as the venue
        has it; the exits then go as one OCO list, once, and the
        take-profit closes the position.
      - lost: the connection closes before the venue takes it. The GET
        answers -2013, and the order is sent then, once more, and filled.
      - lost, and the lookups refused 400 -1021 for a while: asked again
        (not read as found, which gave the order up; nor as missing), sent
        once the venue answers -2013.
      - the exits' OCO list taken and unanswered: both legs looked up and
        adopted, the list not sent again;
      - taken and unanswered, and our keys refused at the lookup (401):
        not answered REJECTED under the keys' hold (it may work at the
        venue), but held until the hold ends, then looked up and adopted;
      - the exits' OCO list taken and unanswered, its lookups refused
        (-1021) while prices fall to the exit: neither leg's cancel
        answered from the queue, the exit held, then the list adopted,
        cancelled at the venue and the exit sold once.
    Checked against a gateway that resends blindly (the lookup skipped in
    s_submit, or in the OCO's s_post): the first case then fails on the
    entry's second POST, the last on its legs. Every wait is bounded. */
#include "tests/fakes/fake_binance.h"
#include "tests/process.h"
#include "tests/storecheck.h"
#include "tests/venuecheck.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_KEY "bnTESTKEYsilent16"
#define S_SECRET "bn-s3cr3t-silent-do-not-log"
#define S_EDGE "broker/live"
#define S_SYM "BTCUSDT"
#define S_ORDER "POST /api/v3/order"
#define S_OCO "POST /api/v3/orderList/oco"
#define S_QUERY "GET /api/v3/order"
#define S_TRADES "GET /api/v3/myTrades"
/* The smallest http_timeout_ms the config allows (docs/CONFIG.md), so a
   held answer costs the gateway 0.1 s; the fake holds it far longer. */
#define S_PARAMS ", http_timeout_ms: 100"
#define S_HOLD_MS 3000

/* The fake's clock: the wall clock less g_behind_ms, which a test sets
   to have the fake refuse every signed request as stamped ahead of its
   time (400 -1021), as the venue does when the host's clock is ahead. */
static _Atomic int64_t g_behind_ms;

static int64_t s_fake_clock(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec -
           atomic_load(&g_behind_ms) * 1000000LL;
}

/* The fake (balance enforced for sells, as the venue does), the service
   trading on it with a stop 2 % away, its user-data stream open; then
   the next new order gets no answer, as HOW says. */
static tth_proc_t *s_start(fake_binance_t **fake, const char *name,
                           const fake_binance_silent_t *how, char **dir)
{
    atomic_store(&g_behind_ms, 0);
    *fake =
        tth_fake_binance_spot((fake_binance_cfg_t){.api_key = S_KEY,
                                                   .secret = S_SECRET,
                                                   .clock = s_fake_clock,
                                                   .enforce_balance = true});
    *dir = tth_tmpdir(name);
    tth_proc_t *proc =
        tth_binance_sma_spawn_params(*fake, *dir, S_KEY, S_SECRET, 2, S_PARAMS);
    tth_venue_wait(proc, S_EDGE, S_SYM, tth_venue_listening, 1, 10000,
                   "user-data stream open");
    fake_binance_silent_orders(*fake, how);
    return proc;
}

static bool s_long(const tth_venue_seen_t *s, uint64_t want)
{
    return s->fills >= want && !strcmp(s->position, "0.500");
}

static bool s_flat(const tth_venue_seen_t *s, uint64_t want)
{
    return s->fills >= want && !strcmp(s->position, "0.000");
}

/* Polls DIR's store until SQL counts WANT, at most 10 s; asserts it. */
static void s_wait_count(tth_proc_t *proc, const char *dir, const char *sql,
                         long want)
{
    int64_t deadline = tth_now_ms() + 10000;
    while (tth_now_ms() < deadline && tth_store_long(dir, sql) != want)
        tth_nap_ms(50);
    if (tth_store_long(dir, sql) != want) {
        tth_proc_dump_log(proc);
        fail_msg("%s: %ld, wanted %ld", sql, tth_store_long(dir, sql), want);
    }
}

/* The entry filled once (one fill, one ledger row, 0.5 held), then its
   stop and take-profit working at the venue as one list, sent once. */
static void s_entry_then_exits(tth_proc_t *proc, fake_binance_t *fake,
                               const char *dir, char *entry)
{
    tth_venue_wait(proc, S_EDGE, S_SYM, s_long, 1, 10000, "entry adopted");
    tth_store_text(dir, "SELECT coid FROM orders WHERE coid LIKE '%-e'", entry,
                   64);
    s_wait_count(proc, dir,
                 "SELECT count(*) FROM orders WHERE coid LIKE '%-s' OR coid "
                 "LIKE '%-t'",
                 2);
    char stop[64], target[64];
    tth_store_text(dir, "SELECT coid FROM orders WHERE coid LIKE '%-s'", stop,
                   sizeof stop);
    tth_store_text(dir, "SELECT coid FROM orders WHERE coid LIKE '%-t'", target,
                   sizeof target);
    tth_store_legs_accepted(dir, target, stop);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);
    assert_int_equal(
        tth_store_count_for(dir, "SELECT count(*) FROM fills WHERE coid = '%s'",
                            entry),
        1);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM ledger WHERE "
                                         "symbol = '" S_SYM "'"),
                     1);
    char status[32];
    assert_int_equal(
        fake_binance_order_status(fake, entry, status, sizeof status), 0);
    assert_string_equal(status, "FILLED");
}

/* A trade at the take-profit's limit fills it; the venue expires the
   stop; the position is flat, with two fills and two ledger rows. */
static void s_take_profit(tth_proc_t *proc, fake_binance_t *fake,
                          const char *dir)
{
    long limit = tth_store_long(
        dir, "SELECT limit_px FROM orders WHERE coid LIKE '%-t'");
    tth_binance_trade(fake, limit);
    tth_venue_wait(proc, S_EDGE, S_SYM, s_flat, 2, 10000, "take-profit filled");
    s_wait_count(proc, dir,
                 "SELECT count(*) FROM ledger WHERE symbol = '" S_SYM "'", 2);
    s_wait_count(proc, dir,
                 "SELECT count(*) FROM positions WHERE symbol = '" S_SYM
                 "' AND qty = 0",
                 1);
}

/* The end: no key or secret in the log, stopped by SIGTERM (exit 0),
   then its store checked: every order recorded once, every fill once with
   its ledger row; NFILLS fills and NORDERS orders in all. */
static void s_end(tth_proc_t **proc, fake_binance_t **fake, const char *dir,
                  long nfills, long norders)
{
    const char *const words[] = {S_SECRET, S_KEY, NULL};
    tth_log_lacks(*proc, words);
    assert_int_equal(tth_proc_signal_wait(*proc, SIGTERM, 5000), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    long orders = 0;
    assert_int_equal(tth_check_store(path, 0, &orders), nfills);
    assert_int_equal(orders, norders);
    tth_proc_destroy(proc); /* removes DIR */
    fake_binance_stop(fake);
}

/* Taken at the venue (filled), the answer held past the gateway's
   timeout, the stream silent: looked up, adopted, never sent again. */
static void test_taken_unanswered_adopted_once(void **state)
{
    (void)state;
    fake_binance_t *fake = NULL;
    char *dir = NULL;
    fake_binance_silent_t how = {.n = 1, .hold_ms = S_HOLD_MS, .quiet = true};
    tth_proc_t *proc = s_start(&fake, "tt-bnsilent", &how, &dir);
    tth_binance_drive_entry(proc, fake);
    char entry[64];
    s_entry_then_exits(proc, fake, dir, entry);
    /* Bought once at the venue: the entry's client id came once. */
    assert_int_equal(fake_binance_coid_count(fake, entry), 1);
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(st.fills, 1);
    /* Only a query could tell: the order by client id, then its trade. */
    assert_true(fake_binance_requests(fake, S_QUERY) >= 1);
    assert_true(fake_binance_requests(fake, S_TRADES) >= 1);
    assert_true(tth_log_holds(proc, "found at the venue, not sent again"));
    s_take_profit(proc, fake, dir);
    /* Every client id reached the venue once: the entry too. */
    assert_int_equal(fake_binance_coid_count(fake, entry), 1);
    assert_int_equal(fake_binance_coid_max(fake), 1);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 1);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);
    fake_binance_stats(fake, &st);
    assert_int_equal(st.orders_unanswered, 1);
    assert_int_equal(st.fills, 2);
    s_end(&proc, &fake, dir, 2, 3);
}

/* Lost before the venue took it: the lookup answers -2013, and the order
   goes then, once more. */
static void test_lost_sent_after_lookup(void **state)
{
    (void)state;
    fake_binance_t *fake = NULL;
    char *dir = NULL;
    fake_binance_silent_t how = {.n = 1, .lost = true};
    tth_proc_t *proc = s_start(&fake, "tt-bnlost", &how, &dir);
    tth_binance_drive_entry(proc, fake);
    char entry[64];
    s_entry_then_exits(proc, fake, dir, entry);
    assert_true(fake_binance_requests(fake, S_QUERY) >= 1);
    assert_int_equal(fake_binance_coid_count(fake, entry), 2);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 2);
    s_take_profit(proc, fake, dir);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 2);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(st.orders_unanswered, 1);
    assert_int_equal(st.fills, 2);
    s_end(&proc, &fake, dir, 2, 3);
}

/* Lost, and the lookup refused for a reason that says nothing of the
   order (400 -1021: the venue's clock 5 s behind ours): the order is not
   taken as found, nor sent; it is looked up again once the venue
   answers, and sent then, once more. */
static void test_lookup_refused_asked_again(void **state)
{
    (void)state;
    fake_binance_t *fake = NULL;
    char *dir = NULL;
    fake_binance_silent_t how = {.n = 1, .lost = true};
    tth_proc_t *proc = s_start(&fake, "tt-bnlookup", &how, &dir);
    tth_binance_drive_entry(proc, fake);
    /* The lookup comes a pause (1 s) after the POST without a reply. */
    atomic_store(&g_behind_ms, 5000);
    int64_t deadline = tth_now_ms() + 10000;
    fake_binance_stats_t st;
    do {
        tth_nap_ms(50);
        fake_binance_stats(fake, &st);
    } while (
        tth_now_ms() < deadline &&
        (st.time_failures < 2 || fake_binance_requests(fake, S_QUERY) < 2));
    if (st.time_failures < 2)
        tth_proc_dump_log(proc);
    /* Refused twice (asked again, not taken as found): still not sent. */
    assert_true(st.time_failures >= 2);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 1);
    atomic_store(&g_behind_ms, 0);
    char entry[64];
    s_entry_then_exits(proc, fake, dir, entry);
    assert_int_equal(fake_binance_coid_count(fake, entry), 2);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 2);
    s_take_profit(proc, fake, dir);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 2);
    assert_int_equal(fake_binance_coid_max(fake), 2);
    s_end(&proc, &fake, dir, 2, 3);
}

/* The exits' OCO list taken with its connection closed, quiet on the
   stream: both legs looked up and adopted as working, the list not sent
   again; the take-profit then fills and the venue expires the stop. */
static void test_exits_list_unanswered_adopted(void **state)
{
    (void)state;
    fake_binance_t *fake = NULL;
    char *dir = NULL;
    fake_binance_silent_t how = {.n = 1, .skip = 1, .quiet = true};
    tth_proc_t *proc = s_start(&fake, "tt-bnsilentoco", &how, &dir);
    tth_binance_drive_entry(proc, fake);
    char entry[64];
    s_entry_then_exits(proc, fake, dir, entry);
    assert_true(tth_log_holds(proc, "list found at the venue, not sent again"));
    s_take_profit(proc, fake, dir);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 1);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);
    assert_int_equal(fake_binance_coid_max(fake), 1);
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(st.orders_unanswered, 1);
    assert_int_equal(st.fills, 2);
    s_end(&proc, &fake, dir, 2, 3);
}

/* Taken and unanswered (the stream silent), and the venue refuses our
   keys at the lookup (401): the gateway holds new orders for
   auth_retry_s, but this one may be at the venue, so it is not answered
   REJECTED (the symbol could decide it again under a new client id while
   it works there): it waits for the hold's end and is looked up then,
   found filled and adopted. Fails without tt_broker_gw_unsure's hold:
   the entry is answered REJECTED under the hold. */
static void test_unanswered_waits_out_refused_keys(void **state)
{
    (void)state;
    fake_binance_t *fake = NULL;
    char *dir = NULL;
    fake_binance_silent_t how = {.n = 1, .hold_ms = S_HOLD_MS, .quiet = true};
    atomic_store(&g_behind_ms, 0);
    fake = tth_fake_binance_spot((fake_binance_cfg_t){.api_key = S_KEY,
                                                      .secret = S_SECRET,
                                                      .clock = s_fake_clock,
                                                      .enforce_balance = true});
    dir = tth_tmpdir("tt-bnsilentkeys");
    tth_proc_t *proc = tth_binance_sma_spawn_params(
        fake, dir, S_KEY, S_SECRET, 2, S_PARAMS ", auth_retry_s: 3");
    tth_venue_wait(proc, S_EDGE, S_SYM, tth_venue_listening, 1, 10000,
                   "user-data stream open");
    fake_binance_silent_orders(fake, &how);
    tth_binance_drive_entry(proc, fake);
    /* The lookup comes a pause (1 s) after the POST without a reply. */
    fake_binance_set_reject_auth(fake, true);
    int64_t deadline = tth_now_ms() + 10000;
    while (tth_now_ms() < deadline &&
           !tth_log_holds(proc, "keys refused while the venue may hold it"))
        tth_nap_ms(50);
    if (!tth_log_holds(proc, "keys refused while the venue may hold it"))
        tth_proc_dump_log(proc);
    assert_true(
        tth_log_holds(proc, "keys refused while the venue may hold it"));
    fake_binance_set_reject_auth(fake, false);
    char entry[64];
    s_entry_then_exits(proc, fake, dir, entry);
    assert_int_equal(
        tth_store_count_for(dir,
                            "SELECT count(*) FROM order_events WHERE coid = "
                            "'%s' AND to_state = 6",
                            entry),
        0);
    assert_int_equal(fake_binance_coid_count(fake, entry), 1);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 1);
    s_take_profit(proc, fake, dir);
    assert_int_equal(fake_binance_coid_max(fake), 1);
    s_end(&proc, &fake, dir, 2, 3);
}

/* Polls the service's log until it holds NEEDLE, at most TIMEOUT_MS,
   trading one more tick of a fall every 100 ms from *CENTS (the
   sma_cross exit comes within a few 1 s candles); asserts it. */
static void s_fall_until_log(tth_proc_t *proc, fake_binance_t *fake,
                             int64_t *cents, const char *needle, int timeout_ms)
{
    int64_t deadline = tth_now_ms() + timeout_ms;
    while (tth_now_ms() < deadline && !tth_log_holds(proc, needle)) {
        *cents -= 3;
        tth_binance_trade(fake, *cents);
        tth_nap_ms(100);
    }
    if (!tth_log_holds(proc, needle))
        tth_proc_dump_log(proc);
    assert_true(tth_log_holds(proc, needle));
}

/* The service on a new fake (NAME: its directory, into *DIR), its entry
   filled and the exits' OCO list taken by the venue with its connection
   closed, quiet on the stream; then every lookup refused (400 -1021: the
   fake's clock 5 s behind), so both legs stay in doubt; then prices fall
   from where the entry's drive left them until the exit's cancel of the
   stop waits behind the list (at most 8 s). */
static tth_proc_t *s_list_in_doubt(fake_binance_t **fake, const char *name,
                                   char **dir)
{
    fake_binance_silent_t how = {.n = 1, .skip = 1, .quiet = true};
    tth_proc_t *proc = s_start(fake, name, &how, dir);
    int64_t cents = tth_binance_drive_entry(proc, *fake);
    int64_t deadline = tth_now_ms() + 10000;
    while (tth_now_ms() < deadline && fake_binance_requests(*fake, S_OCO) == 0)
        tth_nap_ms(20);
    assert_int_equal(fake_binance_requests(*fake, S_OCO), 1);
    atomic_store(&g_behind_ms, 5000);
    s_fall_until_log(proc, *fake, &cents, "-s waits behind it", 8000);
    return proc;
}

/* The exits' OCO list taken with its connection closed (quiet on the
   stream), and its lookups refused (400 -1021) for as long as the test
   likes: both legs are in doubt, the stop's job at the head of the
   gateway's queue, the take-profit's behind it. Prices fall until the
   exit comes and the book cancels both legs. Neither cancel is answered
   in the queue ("cancelled before sending": the list works at the
   venue, and the book would think its take-profit gone); both wait
   behind the list, and so does the exit, which the book sends only once
   its legs are cancelled: held for as long as the venue refuses us,
   while the stop works there. Once the venue answers, the list is found
   and adopted, cancelled there (both legs reported by the venue), and
   the exit sells once. Fails without tt_broker_gw_unsure_also in the
   OCO's s_post: the take-profit is answered "cancelled before sending"
   from the queue about 2 s after the list, while it works at the venue
   (and the book later refuses the venue's EXPIRED for it). */
static void test_cancel_waits_for_list_in_doubt(void **state)
{
    (void)state;
    fake_binance_t *fake = NULL;
    char *dir = NULL;
    tth_proc_t *proc = s_list_in_doubt(&fake, "tt-bnsilentcancel", &dir);

    /* The exit's cancels waited behind the list: the stop's, then the
       take-profit's (it went out with the list), never answered from the
       queue, which would show as a CANCELLED row. */
    const char *answered = "SELECT count(*) FROM order_events WHERE coid "
                           "LIKE '%-t' AND to_state = 5";
    int64_t deadline = tth_now_ms() + 2000;
    while (tth_now_ms() < deadline && !tth_log_holds(proc, "-t waits behind") &&
           tth_store_long(dir, answered) == 0)
        tth_nap_ms(20);
    assert_int_equal(tth_store_long(dir, answered), 0);
    assert_true(tth_log_holds(proc, "-t waits behind it"));

    /* Held: two more lookups refused, and still no exit, no cancel sent,
       no leg answered; the position as the venue has it. */
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    uint64_t refused = st.time_failures;
    deadline = tth_now_ms() + 10000;
    do {
        tth_nap_ms(50);
        fake_binance_stats(fake, &st);
    } while (tth_now_ms() < deadline && st.time_failures < refused + 2);
    assert_true(st.time_failures >= refused + 2);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 1);
    assert_int_equal(fake_binance_requests(fake, "DELETE /api/v3/orderList"),
                     0);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM order_events "
                                         "WHERE (coid LIKE '%-s' OR coid LIKE "
                                         "'%-t') AND to_state <> 1"),
                     0);
    assert_int_equal(
        tth_store_long(dir, "SELECT count(*) FROM positions WHERE symbol = "
                            "'" S_SYM "' AND qty = 500"),
        1);

    /* The venue answers again: the list is adopted, then cancelled there,
       then the exit sells once. */
    atomic_store(&g_behind_ms, 0);
    tth_venue_wait(proc, S_EDGE, S_SYM, s_flat, 2, 15000, "exit filled");
    s_wait_count(proc, dir,
                 "SELECT count(*) FROM positions WHERE symbol = '" S_SYM
                 "' AND qty = 0",
                 1);
    assert_true(tth_log_holds(proc, "list found at the venue, not sent again"));
    assert_int_equal(fake_binance_requests(fake, "DELETE /api/v3/orderList"),
                     1);
    /* Each leg cancelled once, as the venue reported it; nothing
       answered from the queue, no event refused by the book. */
    s_wait_count(proc, dir,
                 "SELECT count(*) FROM order_events WHERE (coid LIKE '%-s' "
                 "OR coid LIKE '%-t') AND to_state = 5",
                 2);
    assert_false(tth_log_holds(proc, "order event refused"));
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 2);
    assert_int_equal(fake_binance_coid_max(fake), 1);
    fake_binance_stats(fake, &st);
    assert_int_equal(st.fills, 2);
    s_end(&proc, &fake, dir, 2, 4);
}

/* As above, but the venue keeps refusing us, and prices fall through
   the stop: the stop trades at the venue while its list is in doubt and
   the exit is held. The user-data stream reports the stop's trade and
   the take-profit's expiry, and the book takes both from the venue (the
   take-profit was pending its cancel, never answered from the queue):
   flat by the stop alone, no exit sent, no event refused. Without
   tt_broker_gw_unsure_also the take-profit was CANCELLED from the queue
   and the venue's EXPIRED for it refused by the book. */
static void test_stop_trades_while_list_in_doubt(void **state)
{
    (void)state;
    fake_binance_t *fake = NULL;
    char *dir = NULL;
    tth_proc_t *proc = s_list_in_doubt(&fake, "tt-bnsilentstop", &dir);

    /* Through the stop: the venue fills it and expires its partner. */
    long stop =
        tth_store_long(dir, "SELECT stop_px FROM orders WHERE coid LIKE '%-s'");
    assert_true(stop > 0);
    tth_binance_trade(fake, stop - 10);
    tth_venue_wait(proc, S_EDGE, S_SYM, s_flat, 2, 10000, "stop filled");
    s_wait_count(proc, dir,
                 "SELECT count(*) FROM order_events WHERE coid LIKE '%-t' "
                 "AND to_state = 7",
                 1);
    s_wait_count(proc, dir,
                 "SELECT count(*) FROM positions WHERE symbol = '" S_SYM
                 "' AND qty = 0",
                 1);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM order_events "
                                         "WHERE coid LIKE '%-t' AND to_state "
                                         "= 5"),
                     0);
    assert_false(tth_log_holds(proc, "order event refused"));
    /* Still refused: nothing was learnt by a lookup, nothing sent. */
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 1);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);
    assert_int_equal(fake_binance_requests(fake, "DELETE /api/v3/orderList"),
                     0);
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(st.fills, 2);
    s_end(&proc, &fake, dir, 2, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taken_unanswered_adopted_once),
        cmocka_unit_test(test_lost_sent_after_lookup),
        cmocka_unit_test(test_lookup_refused_asked_again),
        cmocka_unit_test(test_exits_list_unanswered_adopted),
        cmocka_unit_test(test_unanswered_waits_out_refused_keys),
        cmocka_unit_test(test_cancel_waits_for_list_in_doubt),
        cmocka_unit_test(test_stop_trades_while_list_in_doubt),
    };
    /* TT_TEST_FILTER=test_cancel_* runs a subset while iterating. */
    if (getenv("TT_TEST_FILTER"))
        cmocka_set_test_filter(getenv("TT_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
