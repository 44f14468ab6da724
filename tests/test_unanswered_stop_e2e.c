/*  tests/test_unanswered_stop_e2e.c: a stop that never gets its answer
    (orders/book_guard.c, tt_book_answer_due), end to end: the real
    `ticktree` binary trades BTCUSDT through the Binance broker gateway
    against the local Binance-like server (tests/fakes).

    The entry goes and fills; the server answers the exits' OCO list 429
    with Retry-After: 8, so the gateway holds it (and every request) for
    8 s: the stop is sent and not answered, and there is no stop at the
    venue. Past the book's 5 s bound the position counts as bare: health
    says UNPROTECTED, the event stream carries trade.protection with "no
    answer", the log says it once at ERROR. Nothing is sent again for it
    (the held list may still reach the venue, and does): once the hold
    is over the same list goes, is accepted, and the flag clears. One
    stop and one take-profit in all, no market exit. Every wait is
    bounded. */
#include "tests/fakes/fake_binance.h"
#include "tests/process.h"
#include "tests/venuecheck.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_KEY "bnTESTKEYguard13"
#define S_SECRET "bn-s3cr3t-guard13-do-not-log"
#define S_EDGE "broker/live"
#define S_OCO "POST /api/v3/orderList/oco"
#define S_ORDER "POST /api/v3/order"
#define S_SYM "BTCUSDT"
#define S_HOLD_S 8
#define S_WHY "stop sent, no answer from the venue"
#define S_BARE_LOG "UNPROTECTED: position 0.500 has no working stop (" S_WHY
#define S_BACK_LOG "the position has a working stop again"

/* The entry driven to the venue (tth_binance_drive_entry), sent once. No
   trade after it, so the exits can neither fill nor move. */
static void s_drive(tth_proc_t *proc, fake_binance_t *fake)
{
    tth_binance_drive_entry(proc, fake);
    assert_int_equal(fake_binance_requests(fake, S_ORDER), 1);
}

/* The symbol's unprotected flag in health (-1 without a reply). */
static int s_bare(tth_proc_t *proc, uint64_t *ms)
{
    Tt__Reply *reply = NULL;
    Tt__Health *h = tth_health(proc, &reply);
    int bare = -1;
    for (size_t i = 0; h && i < h->n_symbols; i++)
        if (!strcmp(h->symbols[i]->symbol, S_SYM)) {
            bare = h->symbols[i]->unprotected;
            if (ms)
                *ms = h->symbols[i]->unprotected_ms;
        }
    if (reply)
        tt__reply__free_unpacked(reply, NULL);
    return bare;
}

static void s_wait_bare(tth_proc_t *proc, int want, int timeout_ms)
{
    int64_t deadline = tth_now_ms() + timeout_ms;
    while (s_bare(proc, NULL) != want && tth_now_ms() < deadline)
        tth_nap_ms(50);
    if (s_bare(proc, NULL) != want)
        tth_proc_dump_log(proc);
    assert_int_equal(s_bare(proc, NULL), want);
}

/* GOT == WANT, else the service's log first (what happened, when). */
static void s_expect(const tth_proc_t *proc, long got, long want,
                     const char *what)
{
    if (got == want)
        return;
    tth_proc_dump_log(proc);
    fail_msg("%s: %ld, not %ld", what, got, want);
}

/* The protection events in order: bare for want of an answer, then
   back. */
static void s_events_show(const char *dir)
{
    char events[512], replay[512];
    snprintf(events, sizeof events, "ipc://%s/events", dir);
    snprintf(replay, sizeof replay, "ipc://%s/replay", dir);
    const char *args[] = {"events",
                          "--endpoint",
                          events,
                          "--replay",
                          replay,
                          "--from",
                          "1",
                          "--count",
                          "2",
                          "--idle-timeout",
                          "15000",
                          "--topic",
                          "trade.protection." S_SYM,
                          NULL};
    char *out = NULL;
    int rc = tth_run_binary(args, &out);
    if (rc != 0)
        fail_msg("ticktree events exited %d:\n%s", rc, out);
    const char *bare = strstr(out, "UNPROTECTED: no working stop (" S_WHY);
    const char *back = bare ? strstr(bare, "protected: a working stop") : NULL;
    if (!bare || !back)
        fail_msg("no bare-then-protected events:\n%s", out);
    free(out);
}

static long s_count(const char *hay, const char *needle)
{
    long n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_held_stop_is_bare_past_the_bound(void **state)
{
    (void)state;
    fake_binance_t *fake = tth_fake_binance_spot((fake_binance_cfg_t){
        .api_key = S_KEY, .secret = S_SECRET, .enforce_balance = true});
    fake_binance_rate_limit_oco(fake, 1, S_HOLD_S);
    char *dir = tth_tmpdir("tt-bnanswer");
    tth_proc_t *proc = tth_binance_sma_spawn(fake, dir, S_KEY, S_SECRET, 1);
    tth_venue_wait(proc, S_EDGE, S_SYM, tth_venue_listening, 1, 10000,
                   "user-data stream open");

    s_drive(proc, fake);
    int64_t entry_at = tth_now_ms();
    /* The list was answered 429 and is held: bare once 5 s have passed
       since it was sent, well before the 8 s hold is over. */
    s_wait_bare(proc, 1, S_HOLD_S * 1000);
    uint64_t bare_ms = 0;
    assert_int_equal(s_bare(proc, &bare_ms), 1);
    assert_true(bare_ms >= 4500);
    assert_true(tth_now_ms() - entry_at >= 4500);
    s_expect(proc, (long)fake_binance_requests(fake, S_OCO), 1, "OCO lists");
    s_expect(proc, (long)fake_binance_requests(fake, S_ORDER), 1, "orders");
    /* The stop is still the one sent, unanswered (NEW), and alone. */
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM orders WHERE "
                                         "coid LIKE '%-s' AND state = 1"),
                     1);

    /* The hold over, the same list goes and is accepted: protected. */
    s_wait_bare(proc, 0, S_HOLD_S * 1000 + 5000);
    s_expect(proc, (long)fake_binance_requests(fake, S_OCO), 2, "OCO lists");
    s_expect(proc, (long)fake_binance_requests(fake, S_ORDER), 1, "orders");
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM orders WHERE "
                                         "coid LIKE '%-s' OR coid LIKE '%-t'"),
                     2);
    assert_int_equal(tth_store_long(dir, "SELECT count(*) FROM orders WHERE "
                                         "(coid LIKE '%-s' OR coid LIKE "
                                         "'%-t') AND state = 2"),
                     2);
    assert_int_equal(
        tth_store_long(dir,
                       "SELECT count(*) FROM orders WHERE coid LIKE '%-x'"),
        0);
    fake_binance_stats_t st;
    fake_binance_stats(fake, &st);
    assert_int_equal(st.http_429, 1);
    assert_int_equal(st.http_418, 0);
    s_events_show(dir);
    /* Said once in the log, and why. */
    char *log = tth_read_file(proc->log);
    assert_non_null(log);
    s_expect(proc, s_count(log, S_BARE_LOG), 1, "UNPROTECTED lines");
    assert_non_null(strstr(log, "not answered"));
    s_expect(proc, s_count(log, S_BACK_LOG), 1, "protected-again lines");
    free(log);
    /* The 429 is named (method and path), never the signed query. */
    assert_true(tth_log_holds(proc, "/api/v3/orderList/oco: 429"));
    static const char *const words[] = {"signature=", "timestamp=", NULL};
    tth_log_lacks(proc, words);
    tth_binance_end(&proc, &fake, S_KEY, S_SECRET);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_held_stop_is_bare_past_the_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
