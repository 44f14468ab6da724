/*  tests/test_refused_cancel_e2e.c: a cancel the venue refuses is asked
    again after a wait, not in a loop (orders/book_guard.c,
    tt_book_hold_cancel), end to end: the real `ticktree` binary trades
    BTCUSDT through the Binance broker gateway against the local
    Binance-like server (tests/fakes) on 127.0.0.1.

    An sma_cross entry fills and its stop and take-profit go as one OCO
    list. Then the venue answers every cancel 400 -1021 (a request
    stamped outside its recvWindow) and the prices turn, so the strategy
    exits: the book cancels the list first. Before, each refusal had the
    book ask again at once: a loop at the loopback's round trip, hundreds
    of DELETEs a second. Now the cancel goes again after 1 s, 2 s, ...:
    a handful in 3.5 s, the stop working meanwhile. Once the venue takes
    cancels again, the list is cancelled and the exit goes, once. Every
    wait is bounded. */
#include "tests/fakes/fake_binance.h"
#include "tests/process.h"
#include "tests/venuecheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_KEY "bnTESTKEYcancel15"
#define S_SECRET "bn-s3cr3t-cancel-do-not-log"
#define S_EDGE "broker/live"
#define S_SYM "BTCUSDT"
#define S_ORDER "POST /api/v3/order"
#define S_OCO "POST /api/v3/orderList/oco"
#define S_DEL_LIST "DELETE /api/v3/orderList"
#define S_DEL_ORDER "DELETE /api/v3/order"
/* The window the cancels are refused in, and the most DELETEs in it:
   the first two (one per leg) at once, again after 1 s and 3 s. */
#define S_REFUSED_MS 3500
#define S_MOST_DELETES 8

static long s_deletes(fake_binance_t *fake)
{
    return (long)(fake_binance_requests(fake, S_DEL_LIST) +
                  fake_binance_requests(fake, S_DEL_ORDER));
}

/* GOT <= MOST, else the service's log first. */
static void s_at_most(const tth_proc_t *proc, long got, long most,
                      const char *what)
{
    if (got <= most)
        return;
    tth_proc_dump_log(proc);
    fail_msg("%s: %ld, more than %ld", what, got, most);
}

static void test_refused_cancel_waits_then_exits_once(void **state)
{
    (void)state;
    fake_binance_t *fake = tth_fake_binance_spot((fake_binance_cfg_t){
        .api_key = S_KEY, .secret = S_SECRET, .enforce_balance = true});
    char *dir = tth_tmpdir("tt-bncancel");
    tth_proc_t *proc = tth_binance_sma_spawn(fake, dir, S_KEY, S_SECRET, 2);
    tth_venue_wait(proc, S_EDGE, S_SYM, tth_venue_listening, 1, 10000,
                   "user-data stream open");

    /* Falling for 4 s, then rising until the entry's stop and
       take-profit are acknowledged (at most 40 s). */
    int64_t cents = 19000;
    for (int i = 0; i < 40; i++, cents -= 2) {
        tth_binance_trade(fake, cents);
        tth_nap_ms(100);
    }
    const char *legs_working = "SELECT count(*) FROM orders WHERE (coid LIKE "
                               "'%-s' OR coid LIKE '%-t') AND state = 2";
    int64_t deadline = tth_now_ms() + 40000;
    while (tth_now_ms() < deadline && tth_store_long(dir, legs_working) < 2) {
        cents += 5;
        tth_binance_trade(fake, cents);
        tth_nap_ms(100);
    }
    if (tth_store_long(dir, legs_working) != 2)
        tth_proc_dump_log(proc);
    assert_int_equal(tth_store_long(dir, legs_working), 2);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 1);
    assert_int_equal(fake_binance_requests(fake, S_OCO), 1);

    /* Every cancel refused; falling prices until the exit's cancel of
       the list comes (a cross down within a few candles, well above the
       stop 2 % under the entry). */
    fake_binance_refuse_cancels(fake, 100000);
    deadline = tth_now_ms() + 40000;
    while (tth_now_ms() < deadline && s_deletes(fake) == 0) {
        cents -= 3;
        tth_binance_trade(fake, cents);
        tth_nap_ms(100);
    }
    if (s_deletes(fake) == 0)
        tth_proc_dump_log(proc);
    assert_true(s_deletes(fake) > 0);
    /* The refusals' window: a handful of DELETEs, not a loop; the cancel
       was asked again after its wait; the stop works on meanwhile. */
    tth_nap_ms(S_REFUSED_MS);
    long deletes = s_deletes(fake);
    s_at_most(proc, deletes, S_MOST_DELETES, "DELETEs while refused");
    assert_true(deletes >= 3);
    assert_int_equal(tth_store_long(dir, legs_working), 2);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 1); /* no exit */
    char status[32];
    assert_int_equal(fake_binance_order_status(fake, "tt-" S_SYM "-2-s", status,
                                               sizeof status),
                     0);
    assert_string_equal(status, "NEW");

    /* The venue takes cancels again: the list is cancelled at the next
       try (at most 4 s more, bounded here by 20 s), then the exit goes
       once and closes the position. */
    fake_binance_refuse_cancels(fake, 0);
    tth_store_wait_exited_flat(proc, dir, S_SYM);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 2);
    tth_binance_end(&proc, &fake, S_KEY, S_SECRET);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_cancel_waits_then_exits_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
