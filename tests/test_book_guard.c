/*  tests/test_book_guard.c: a position left without its exits
    (orders/book_guard.c). A stop, take-profit or exit refused for a
    reason that passes is sent again once the refusal's wait is over
    (the named one, else a doubling backoff to 30 s), under a new client
    id, for as long as the position is open, never two exits at once;
    a refusal that stands keeps the old rule; and the book says, from
    the first refusal to the acknowledged stop, that the position has no
    working stop. Time is the event time each call takes: no clock. */
#include "tests/harness.h"

#include <stdio.h>
#include <string.h>

#include "orders/book.h"

#define S_SEC 1000000000LL
#define S_LIMIT "not sent: order limit 3 per 10 s, next in 7 s"

static const tt_instrument_t s_inst = {
    .px_decimals = 2, .qty_decimals = 0, .tick_size = 1, .lot_size = 1};

static int s_event(tt_book_t *b, tt_broker_ev_kind_t kind, const char *coid,
                   tt_ns_t ts, tt_intents_t *out)
{
    tt_broker_ev_t ev = {.kind = kind, .ts = ts};
    snprintf(ev.coid, sizeof ev.coid, "%s", coid);
    if (kind == TT_EV_FILL) {
        ev.px = 10000;
        ev.qty = 10;
        snprintf(ev.fill_id, sizeof ev.fill_id, "f-%s", coid);
    }
    return tt_book_on_event(b, &ev, out, NULL);
}

/* A refusal of COID at TS: RETRY_MS as the gateway classified it. */
static int s_refuse(tt_book_t *b, const char *coid, tt_ns_t ts,
                    int32_t retry_ms, const char *reason, tt_intents_t *out)
{
    tt_broker_ev_t ev = {
        .kind = TT_EV_REJECTED, .ts = ts, .retry_ms = retry_ms};
    snprintf(ev.coid, sizeof ev.coid, "%s", coid);
    snprintf(ev.reason, sizeof ev.reason, "%s", reason);
    return tt_book_on_event(b, &ev, out, NULL);
}

/* Long 10 @ 100.00 (stop 99.00, target 102.00), filled at 3 s: the stop
   tt-AAPL-2-s and the target tt-AAPL-3-t are on their way. */
static void s_long_filled(tt_book_t *b, tt_intents_t *out)
{
    assert_int_equal(tt_book_init(b, "AAPL", &s_inst, NULL, 1), 0);
    tt_signal_t sig = {.kind = TT_SIG_ENTER_LONG,
                       .ts = S_SEC,
                       .ref_price = 10000,
                       .stop = 9900,
                       .target = 10200};
    assert_int_equal(tt_book_on_signal(b, &sig, 10, S_SEC, out), 0);
    assert_int_equal(s_event(b, TT_EV_ACCEPTED, "tt-AAPL-1-e", 2 * S_SEC, out),
                     0);
    assert_int_equal(s_event(b, TT_EV_FILL, "tt-AAPL-1-e", 3 * S_SEC, out), 0);
    assert_int_equal(out->n, 2);
    assert_string_equal(out->v[0].order.coid, "tt-AAPL-2-s");
    assert_string_equal(out->v[1].order.coid, "tt-AAPL-3-t");
    /* A stop on its way is no alarm. */
    assert_int_equal(tt_book_unprotected_since(b), 0);
}

/* s_long_filled, its stop and target accepted at 4 s: a protected long. */
static void s_long_protected(tt_book_t *b, tt_intents_t *out)
{
    s_long_filled(b, out);
    s_event(b, TT_EV_ACCEPTED, "tt-AAPL-2-s", 4 * S_SEC, out);
    s_event(b, TT_EV_ACCEPTED, "tt-AAPL-3-t", 4 * S_SEC, out);
}

/* The strategy's EXIT on a protected long (s_long_filled, its stop and
   target accepted at 4 s): at 5 s, both cancelled at 6 s; the market
   exit then goes, its client id into COID (TT_COID_MAX + 1 bytes). */
static void s_flatten_to_exit(tt_book_t *b, tt_intents_t *out, char *coid)
{
    s_long_protected(b, out);
    tt_signal_t exit = {.kind = TT_SIG_EXIT, .ts = 5 * S_SEC};
    assert_int_equal(tt_book_on_signal(b, &exit, 0, 5 * S_SEC, out), 0);
    s_event(b, TT_EV_CANCELLED, "tt-AAPL-2-s", 6 * S_SEC, out);
    s_event(b, TT_EV_CANCELLED, "tt-AAPL-3-t", 6 * S_SEC, out);
    assert_int_equal(out->n, 1);
    assert_int_equal(out->v[0].order.role, TT_ROLE_EXIT);
    snprintf(coid, TT_COID_MAX + 1, "%s", out->v[0].order.coid);
}

/* s_long_filled, its stop and target accepted at 4 s, and the
   strategy's MOVE_STOP to 99.50 at 5 s: the replacement on its way in
   OUT. The signal into *MV. */
static void s_stop_move_sent(tt_book_t *b, tt_intents_t *out, tt_signal_t *mv)
{
    s_long_protected(b, out);
    *mv =
        (tt_signal_t){.kind = TT_SIG_MOVE_STOP, .ts = 5 * S_SEC, .stop = 9950};
    assert_int_equal(tt_book_on_signal(b, mv, 0, 5 * S_SEC, out), 0);
    assert_int_equal(out->n, 1);
    assert_int_equal(out->v[0].kind, TT_INTENT_REPLACE);
}

/* Every client id the book ever handed out is new. */
static void s_remember(char ids[][TT_COID_MAX + 1], int *n,
                       const tt_intents_t *out)
{
    for (int i = 0; i < out->n; i++) {
        for (int j = 0; j < *n; j++)
            assert_string_not_equal(ids[j], out->v[i].order.coid);
        snprintf(ids[(*n)++], TT_COID_MAX + 1, "%s", out->v[i].order.coid);
    }
}

static void test_refused_exits_wait_for_the_named_time(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_long_filled(&b, &out);
    /* The OCO list's two legs refused at 4 s: the window ends in 7 s. */
    assert_int_equal(
        s_refuse(&b, "tt-AAPL-2-s", 4 * S_SEC, 7000, S_LIMIT, &out), 0);
    assert_int_equal(out.n, 0); /* no flatten, no market exit */
    assert_int_equal(
        s_refuse(&b, "tt-AAPL-3-t", 4 * S_SEC, 7000, S_LIMIT, &out), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_unprotected_since(&b), 4 * S_SEC);
    assert_string_equal(tt_book_unprotected_why(&b), S_LIMIT);
    assert_int_equal(tt_book_retry_at(&b), 11 * S_SEC);
    /* Nothing goes before the window's end: not on time, not on a mark. */
    assert_int_equal(tt_book_on_time(&b, 11 * S_SEC - 1, &out), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_on_mark(&b, 10050, 10 * S_SEC, &out), 0);
    assert_int_equal(out.n, 0);
    /* At its end both go again, under new ids, as one stop and one
       target (the gateway pairs them into one OCO list). */
    assert_int_equal(tt_book_on_time(&b, 11 * S_SEC, &out), 0);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.v[0].kind, TT_INTENT_SUBMIT);
    assert_string_equal(out.v[0].order.coid, "tt-AAPL-4-s");
    assert_int_equal(out.v[0].order.stop_px, 9900);
    assert_int_equal(out.v[0].order.qty, 10);
    assert_string_equal(out.v[1].order.coid, "tt-AAPL-5-t");
    assert_int_equal(out.v[1].order.limit_px, 10200);
    assert_int_equal(tt_book_retry_at(&b), 0);
    /* Time passing again sends nothing more: both are on their way. */
    assert_int_equal(tt_book_on_time(&b, 12 * S_SEC, &out), 0);
    assert_int_equal(out.n, 0);
    /* Still bare until the stop is acknowledged: refused again (2 s). */
    assert_int_equal(tt_book_unprotected_since(&b), 4 * S_SEC);
    s_refuse(&b, "tt-AAPL-4-s", 12 * S_SEC, 2000, "429 rate limited", &out);
    s_refuse(&b, "tt-AAPL-5-t", 12 * S_SEC, 2000, "429 rate limited", &out);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_unprotected_since(&b), 4 * S_SEC);
    assert_int_equal(tt_book_retry_at(&b), 14 * S_SEC);
    assert_int_equal(tt_book_on_time(&b, 14 * S_SEC, &out), 0);
    assert_int_equal(out.n, 2);
    assert_string_equal(out.v[0].order.coid, "tt-AAPL-6-s");
    assert_string_equal(out.v[1].order.coid, "tt-AAPL-7-t");
    /* The stop acknowledged: protected again. */
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-6-s", 15 * S_SEC, &out);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
    assert_string_equal(tt_book_unprotected_why(&b), "");
    assert_int_equal(tt_book_bracket_order(&b, TT_ROLE_STOP)->state,
                     TT_OS_ACCEPTED);
}

/* A market exit refused for a reason that names no time: 1, 2, 4 ... 30
   s apart, as long as it takes, one exit at a time, each a new id. */
static void test_unnamed_backoff_never_gives_up(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_long_filled(&b, &out);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-3-t", 4 * S_SEC, &out);
    /* The stop refused for good (a filter): the book flattens. */
    s_refuse(&b, "tt-AAPL-2-s", 4 * S_SEC, 0, "400 -1013 Filter failure", &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_CANCEL);
    assert_int_equal(tt_book_unprotected_since(&b), 4 * S_SEC);
    s_event(&b, TT_EV_CANCELLED, "tt-AAPL-3-t", 5 * S_SEC, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.role, TT_ROLE_EXIT);
    char ids[32][TT_COID_MAX + 1];
    int nids = 0;
    s_remember(ids, &nids, &out);
    static const int waits_s[] = {1, 2, 4, 8, 16, 30, 30, 30};
    tt_ns_t now = 5 * S_SEC;
    for (size_t i = 0; i < sizeof waits_s / sizeof waits_s[0]; i++) {
        char coid[TT_COID_MAX + 1];
        snprintf(coid, sizeof coid, "%s", out.v[0].order.coid);
        assert_int_equal(s_refuse(&b, coid, now, TT_EV_RETRY_UNNAMED,
                                  "venue unreachable", &out),
                         0);
        assert_int_equal(out.n, 0);
        tt_ns_t due = now + waits_s[i] * S_SEC;
        assert_int_equal(tt_book_retry_at(&b), due);
        assert_int_equal(tt_book_on_time(&b, due - 1, &out), 0);
        assert_int_equal(out.n, 0);
        assert_int_equal(tt_book_on_time(&b, due, &out), 0);
        assert_int_equal(out.n, 1); /* one exit, never two */
        assert_int_equal(out.v[0].order.role, TT_ROLE_EXIT);
        assert_int_equal(out.v[0].order.qty, 10);
        s_remember(ids, &nids, &out);
        assert_int_equal(tt_book_unprotected_since(&b), 4 * S_SEC);
        now = due;
    }
    /* Well past TT_BOOK_EXIT_RETRIES tries, the exit finally fills. */
    assert_true(nids > TT_BOOK_EXIT_RETRIES + 1);
    s_event(&b, TT_EV_FILL, out.v[0].order.coid, now + 1, &out);
    assert_int_equal(tt_book_position(&b)->qty, 0);
    assert_false(tt_book_busy(&b));
    assert_int_equal(tt_book_unprotected_since(&b), 0);
    assert_int_equal(tt_book_retry_at(&b), 0);
}

/* Refusals that stand keep the old rule (three exits, then nothing),
   and the bare position stays flagged with the reason. */
static void test_standing_refusals_stay_visible(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_long_filled(&b, &out);
    s_refuse(&b, "tt-AAPL-2-s", 4 * S_SEC, 0, "400 -2010 insufficient", &out);
    s_event(&b, TT_EV_CANCELLED, "tt-AAPL-3-t", 5 * S_SEC, &out);
    for (int i = 0; i < TT_BOOK_EXIT_RETRIES; i++) {
        assert_int_equal(out.n, 1);
        char coid[TT_COID_MAX + 1];
        snprintf(coid, sizeof coid, "%s", out.v[0].order.coid);
        s_refuse(&b, coid, (6 + i) * S_SEC, 0, "400 -2010 insufficient", &out);
    }
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_retry_at(&b), 0);
    assert_int_equal(tt_book_on_time(&b, 600 * S_SEC, &out), 0);
    assert_int_equal(out.n, 0);
    assert_true(tt_book_busy(&b));
    assert_int_equal(tt_book_unprotected_since(&b), 4 * S_SEC);
    assert_string_equal(tt_book_unprotected_why(&b), "400 -2010 insufficient");
}

/* An OCO list refused whole for good: the stop's refusal has the book
   cancel the target, whose own refusal then ends that cancel, and the
   market exit goes (before, the target stayed PENDING_CANCEL and held
   the exit back for ever). */
static void test_oco_refused_for_good_still_exits(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_long_filled(&b, &out);
    s_refuse(&b, "tt-AAPL-2-s", 4 * S_SEC, 0, "400 -1013 Filter failure", &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_CANCEL);
    assert_string_equal(out.v[0].order.coid, "tt-AAPL-3-t");
    assert_int_equal(s_refuse(&b, "tt-AAPL-3-t", 4 * S_SEC, 0,
                              "400 -1013 Filter failure", &out),
                     0);
    assert_int_equal(tt_book_find(&b, "tt-AAPL-3-t")->state, TT_OS_CANCELLED);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.role, TT_ROLE_EXIT);
    assert_int_equal(out.v[0].order.qty, 10);
    /* The exit on its way: still flagged until the position is closed. */
    assert_int_equal(tt_book_unprotected_since(&b), 4 * S_SEC);
    s_event(&b, TT_EV_FILL, out.v[0].order.coid, 5 * S_SEC, &out);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
    assert_false(tt_book_busy(&b));
}

/* A strategy's EXIT during the wait: the target is cancelled at once,
   the market exit waits for the window like any other new order. */
static void test_exit_signal_waits_for_the_window(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_long_filled(&b, &out);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-3-t", 4 * S_SEC, &out);
    s_refuse(&b, "tt-AAPL-2-s", 4 * S_SEC, 5000, S_LIMIT, &out);
    assert_int_equal(out.n, 0);
    tt_signal_t exit = {.kind = TT_SIG_EXIT, .ts = 5 * S_SEC};
    assert_int_equal(tt_book_on_signal(&b, &exit, 0, 5 * S_SEC, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_CANCEL);
    s_event(&b, TT_EV_CANCELLED, "tt-AAPL-3-t", 6 * S_SEC, &out);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_on_time(&b, 9 * S_SEC - 1, &out), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_on_time(&b, 9 * S_SEC, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.role, TT_ROLE_EXIT);
    assert_int_equal(tt_book_on_time(&b, 10 * S_SEC, &out), 0);
    assert_int_equal(out.n, 0);
}

/* An ordinary trade never raises the flag: the stop goes with the fill,
   moves by replace (the old one works until the new one is live). */
static void test_no_alarm_in_an_ordinary_trade(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    tt_signal_t mv;
    s_stop_move_sent(&b, &out, &mv);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
    /* The replacement refused for a passing reason: the old stop works
       on, still protected; the move goes again after the wait, not in
       a loop of refusals. */
    s_refuse(&b, out.v[0].order.coid, 6 * S_SEC, 3000, S_LIMIT, &out);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
    assert_int_equal(tt_book_bracket_order(&b, TT_ROLE_STOP)->state,
                     TT_OS_ACCEPTED);
    assert_int_equal(tt_book_retry_at(&b), 9 * S_SEC);
    assert_int_equal(tt_book_on_time(&b, 9 * S_SEC, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_REPLACE);
    assert_int_equal(out.v[0].order.stop_px, 9950);
    s_event(&b, TT_EV_FILL, "tt-AAPL-3-t", 7 * S_SEC, &out);
    assert_int_equal(tt_book_position(&b)->qty, 0);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
}

/* The strategy's EXIT in an ordinary trade: the stop and the target are
   cancelled on purpose, then the position closes at the market. Between
   the stop's cancel and the exit's fill nothing is refused and nothing
   is missing: no alarm (every exit by signal raised it, an ERROR line
   and a trade.protection pair per trade), in either order of the two
   cancels. */
static void test_exit_by_signal_is_no_alarm(void **state)
{
    (void)state;
    for (int stop_first = 0; stop_first < 2; stop_first++) {
        tt_book_t b;
        tt_intents_t out;
        s_long_protected(&b, &out);
        tt_signal_t exit = {.kind = TT_SIG_EXIT, .ts = 5 * S_SEC};
        assert_int_equal(tt_book_on_signal(&b, &exit, 0, 5 * S_SEC, &out), 0);
        assert_int_equal(out.n, 2);
        assert_int_equal(out.v[0].kind, TT_INTENT_CANCEL);
        assert_int_equal(out.v[1].kind, TT_INTENT_CANCEL);
        assert_int_equal(tt_book_unprotected_since(&b), 0);
        const char *first = stop_first ? "tt-AAPL-2-s" : "tt-AAPL-3-t";
        const char *second = stop_first ? "tt-AAPL-3-t" : "tt-AAPL-2-s";
        s_event(&b, TT_EV_CANCELLED, first, 6 * S_SEC, &out);
        assert_int_equal(out.n, 0);
        assert_int_equal(tt_book_unprotected_since(&b), 0);
        s_event(&b, TT_EV_CANCELLED, second, 6 * S_SEC, &out);
        assert_int_equal(out.n, 1);
        assert_int_equal(out.v[0].order.role, TT_ROLE_EXIT);
        assert_int_equal(tt_book_unprotected_since(&b), 0);
        char coid[TT_COID_MAX + 1];
        snprintf(coid, sizeof coid, "%s", out.v[0].order.coid);
        s_event(&b, TT_EV_ACCEPTED, coid, 7 * S_SEC, &out);
        assert_int_equal(tt_book_unprotected_since(&b), 0);
        s_event(&b, TT_EV_FILL, coid, 8 * S_SEC, &out);
        assert_int_equal(tt_book_position(&b)->qty, 0);
        assert_int_equal(tt_book_unprotected_since(&b), 0);
        assert_false(tt_book_busy(&b));
    }
}

/* The exit of that flatten refused: now the position is bare (the stop
   was cancelled, the exit did not go), and the book says so until the
   exit sent again fills. */
static void test_exit_refused_after_the_cancels_is_bare(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    char coid[TT_COID_MAX + 1];
    s_flatten_to_exit(&b, &out, coid);
    s_refuse(&b, coid, 7 * S_SEC, 2000, S_LIMIT, &out);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_unprotected_since(&b), 7 * S_SEC);
    assert_string_equal(tt_book_unprotected_why(&b), S_LIMIT);
    assert_int_equal(tt_book_on_time(&b, 9 * S_SEC, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.role, TT_ROLE_EXIT);
    assert_int_equal(tt_book_unprotected_since(&b), 7 * S_SEC);
    s_event(&b, TT_EV_FILL, out.v[0].order.coid, 10 * S_SEC, &out);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
}

/* A stop the venue cancels on its own (the book asked for no cancel):
   the book places the stop again at once, so the position is never
   bare, and the flag stays down. */
static void test_stop_cancelled_by_the_venue_goes_again(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_long_protected(&b, &out);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
    s_event(&b, TT_EV_CANCELLED, "tt-AAPL-2-s", 5 * S_SEC, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.role, TT_ROLE_STOP);
    assert_string_equal(out.v[0].order.coid, "tt-AAPL-4-s");
    assert_int_equal(out.v[0].order.stop_px, 9900);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
}

/* A stop move the venue refuses for good (a price filter): the old stop
   works on, and the same move is not sent again, neither at once nor on
   the next marks; a different stop price goes. */
static void test_move_refused_for_good_is_not_sent_again(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    tt_signal_t mv;
    s_stop_move_sent(&b, &out, &mv);
    char coid[TT_COID_MAX + 1];
    snprintf(coid, sizeof coid, "%s", out.v[0].order.coid);
    assert_int_equal(
        s_refuse(&b, coid, 6 * S_SEC, 0, "400 -1013 Filter failure", &out), 0);
    assert_int_equal(out.n, 0); /* not sent again at once */
    const tt_order_t *stop = tt_book_bracket_order(&b, TT_ROLE_STOP);
    assert_string_equal(stop->coid, "tt-AAPL-2-s");
    assert_int_equal(stop->state, TT_OS_ACCEPTED);
    assert_int_equal(stop->stop_px, 9900);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
    assert_string_equal(tt_book_refused_move(&b), "400 -1013 Filter failure");
    /* Neither on the next marks, nor on time, nor on the same signal. */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(tt_book_on_mark(&b, 10010 + i, (7 + i) * S_SEC, &out),
                         0);
        assert_int_equal(out.n, 0);
    }
    assert_int_equal(tt_book_on_time(&b, 20 * S_SEC, &out), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_on_signal(&b, &mv, 0, 21 * S_SEC, &out), 0);
    assert_int_equal(out.n, 0);
    /* A different stop price from the strategy goes, and once it is
       live the refusal is forgotten. */
    mv.stop = 9940;
    assert_int_equal(tt_book_on_signal(&b, &mv, 0, 22 * S_SEC, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_REPLACE);
    assert_int_equal(out.v[0].order.stop_px, 9940);
    s_event(&b, TT_EV_ACCEPTED, out.v[0].order.coid, 23 * S_SEC, &out);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_bracket_order(&b, TT_ROLE_STOP)->stop_px, 9940);
    assert_string_equal(tt_book_refused_move(&b), "");
}

/* The trail's move refused for good: not again on every mark while the
   trail asks for the same price; a better price moves the trail on and
   that move goes. A short position, so the trail runs downwards. */
static void test_trail_refused_for_good_waits_for_a_new_price(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    tt_book_cfg_t cfg = tt_book_cfg_default();
    cfg.trail_ticks = 50;
    assert_int_equal(tt_book_init(&b, "AAPL", &s_inst, &cfg, 1), 0);
    tt_signal_t sig = {.kind = TT_SIG_ENTER_SHORT,
                       .ts = S_SEC,
                       .ref_price = 10000,
                       .stop = 10100,
                       .target = 9800};
    assert_int_equal(tt_book_on_signal(&b, &sig, 10, S_SEC, &out), 0);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-1-e", 2 * S_SEC, &out);
    s_event(&b, TT_EV_FILL, "tt-AAPL-1-e", 3 * S_SEC, &out);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-2-s", 4 * S_SEC, &out);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-3-t", 4 * S_SEC, &out);
    /* 99.00: the trail asks for 99.50. */
    assert_int_equal(tt_book_on_mark(&b, 9900, 5 * S_SEC, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.stop_px, 9950);
    char coid[TT_COID_MAX + 1];
    snprintf(coid, sizeof coid, "%s", out.v[0].order.coid);
    s_refuse(&b, coid, 6 * S_SEC, 0, "400 -1013 PRICE_FILTER", &out);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_bracket_order(&b, TT_ROLE_STOP)->stop_px, 10100);
    /* Marks that leave the best price where it is ask for 99.50 again:
       nothing goes. */
    for (int i = 0; i < 10; i++) {
        assert_int_equal(
            tt_book_on_mark(&b, 9900 + i * 5, (7 + i) * S_SEC, &out), 0);
        assert_int_equal(out.n, 0);
    }
    /* A new best (98.90): the trail asks for 99.40, which goes. */
    assert_int_equal(tt_book_on_mark(&b, 9890, 20 * S_SEC, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_REPLACE);
    assert_int_equal(out.v[0].order.stop_px, 9940);
}

/* A stop move whose cancel half the venue refuses (a venue replacing
   by cancel-then-new: the old stop unknown to it for a moment, its
   clock outside the window, the venue unreachable): the old stop works
   on; the move is not sent again at once, which looped at the venue's
   round trip for as long as the refusal lasted, but after a doubling
   wait, as any refusal that passes. */
static void test_move_whose_cancel_is_refused_waits(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    tt_signal_t mv;
    s_stop_move_sent(&b, &out, &mv);
    s_event(&b, TT_EV_CANCEL_REJECTED, "tt-AAPL-2-s", 6 * S_SEC, &out);
    assert_int_equal(out.n, 0);
    const tt_order_t *stop = tt_book_bracket_order(&b, TT_ROLE_STOP);
    assert_string_equal(stop->coid, "tt-AAPL-2-s");
    assert_int_equal(stop->state, TT_OS_ACCEPTED);
    assert_int_equal(stop->stop_px, 9900);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
    assert_int_equal(tt_book_on_mark(&b, 10010, 6 * S_SEC + 1, &out), 0);
    assert_int_equal(out.n, 0);
    tt_ns_t at = tt_book_due_at(&b);
    assert_int_equal(at, 6 * S_SEC + TT_BOOK_RETRY_FIRST_NS);
    assert_int_equal(tt_book_retry_at(&b), 0); /* no order refused */
    assert_int_equal(tt_book_on_time(&b, at - 1, &out), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_on_time(&b, at, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_REPLACE);
    assert_int_equal(out.v[0].order.stop_px, 9950);
    /* Refused again: the wait doubles. */
    s_event(&b, TT_EV_CANCEL_REJECTED, "tt-AAPL-2-s", at, &out);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_due_at(&b), at + 2 * TT_BOOK_RETRY_FIRST_NS);
}

/* The strategy's EXIT whose stop cancel the venue refuses: the stop
   works on (the position is protected), the exit waits for the cancel,
   and the cancel is asked again after a wait, not at once in a loop. */
static void test_exit_whose_cancel_is_refused_waits(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_long_protected(&b, &out);
    tt_signal_t exit = {.kind = TT_SIG_EXIT, .ts = 5 * S_SEC};
    assert_int_equal(tt_book_on_signal(&b, &exit, 0, 5 * S_SEC, &out), 0);
    assert_int_equal(out.n, 2);
    s_event(&b, TT_EV_CANCELLED, "tt-AAPL-3-t", 6 * S_SEC, &out);
    assert_int_equal(out.n, 0);
    s_event(&b, TT_EV_CANCEL_REJECTED, "tt-AAPL-2-s", 6 * S_SEC, &out);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_bracket_order(&b, TT_ROLE_STOP)->state,
                     TT_OS_ACCEPTED);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
    tt_ns_t at = tt_book_due_at(&b);
    assert_true(at > 6 * S_SEC);
    assert_int_equal(tt_book_on_time(&b, at - 1, &out), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_on_time(&b, at, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_CANCEL);
    s_event(&b, TT_EV_CANCELLED, "tt-AAPL-2-s", at + 1, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.role, TT_ROLE_EXIT);
}

/* The stop of a new position sent, and the gateway holds it (a 429's
   Retry-After) or the venue never answers: past TT_BOOK_ANSWER_NS the
   position counts as bare, from when the stop was sent; nothing is sent
   again because of it (the first may still reach the venue); the stop's
   acknowledgement ends it. */
static void test_unanswered_stop_is_bare_after_the_bound(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_long_filled(&b, &out); /* stop and target sent at 3 s */
    tt_ns_t due = 3 * S_SEC + TT_BOOK_ANSWER_NS;
    assert_int_equal(tt_book_answer_due(&b), due);
    assert_int_equal(tt_book_on_time(&b, due - 1, &out), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
    assert_int_equal(tt_book_on_time(&b, due, &out), 0);
    assert_int_equal(out.n, 0); /* no duplicate stop */
    assert_int_equal(tt_book_unprotected_since(&b), 3 * S_SEC);
    assert_int_equal(tt_book_unanswered_since(&b), 3 * S_SEC);
    assert_string_equal(tt_book_unprotected_why(&b),
                        "stop sent, no answer from the venue");
    assert_int_equal(tt_book_answer_due(&b), 0);
    assert_int_equal(tt_book_retry_at(&b), 0);
    /* Marks and more time send nothing either. */
    assert_int_equal(tt_book_on_mark(&b, 10050, 60 * S_SEC, &out), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_on_time(&b, 120 * S_SEC, &out), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_unprotected_since(&b), 3 * S_SEC);
    /* The held stop reaches the venue after the hold: protected. */
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-2-s", 121 * S_SEC, &out);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
    assert_int_equal(tt_book_unanswered_since(&b), 0);
    assert_string_equal(tt_book_unprotected_why(&b), "");
    assert_int_equal(tt_book_answer_due(&b), 0);
}

/* An answer inside the bound raises nothing, and a bound of 0 (the paper
   broker, which answers in the same call) never raises it. */
static void test_answer_within_the_bound_is_no_alarm(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_long_filled(&b, &out);
    tt_ns_t due = 3 * S_SEC + TT_BOOK_ANSWER_NS;
    assert_int_equal(tt_book_on_time(&b, due - 1, &out), 0);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-2-s", due - 1, &out);
    assert_int_equal(tt_book_on_time(&b, due + 100 * S_SEC, &out), 0);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
    assert_int_equal(tt_book_answer_due(&b), 0);

    tt_book_cfg_t cfg = tt_book_cfg_default();
    cfg.answer_ns = 0;
    assert_int_equal(tt_book_init(&b, "AAPL", &s_inst, &cfg, 1), 0);
    tt_signal_t sig = {.kind = TT_SIG_ENTER_LONG,
                       .ts = S_SEC,
                       .ref_price = 10000,
                       .stop = 9900,
                       .target = 10200};
    assert_int_equal(tt_book_on_signal(&b, &sig, 10, S_SEC, &out), 0);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-1-e", 2 * S_SEC, &out);
    s_event(&b, TT_EV_FILL, "tt-AAPL-1-e", 3 * S_SEC, &out);
    assert_int_equal(tt_book_answer_due(&b), 0);
    assert_int_equal(tt_book_on_time(&b, 600 * S_SEC, &out), 0);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
}

/* A flatten's market exit that is not answered: the stop was cancelled
   on purpose, so the position is bare once the exit has waited past the
   bound; its fill ends it. */
static void test_unanswered_exit_is_bare_after_the_bound(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    char coid[TT_COID_MAX + 1];
    s_flatten_to_exit(&b, &out, coid);
    assert_int_equal(tt_book_answer_due(&b), 6 * S_SEC + TT_BOOK_ANSWER_NS);
    assert_int_equal(tt_book_on_time(&b, 30 * S_SEC, &out), 0);
    assert_int_equal(out.n, 0); /* never a second exit */
    assert_int_equal(tt_book_unprotected_since(&b), 6 * S_SEC);
    assert_string_equal(tt_book_unprotected_why(&b),
                        "exit sent, no answer from the venue");
    s_event(&b, TT_EV_FILL, coid, 31 * S_SEC, &out);
    assert_int_equal(tt_book_position(&b)->qty, 0);
    assert_int_equal(tt_book_unprotected_since(&b), 0);
    assert_false(tt_book_busy(&b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_exits_wait_for_the_named_time),
        cmocka_unit_test(test_unnamed_backoff_never_gives_up),
        cmocka_unit_test(test_standing_refusals_stay_visible),
        cmocka_unit_test(test_oco_refused_for_good_still_exits),
        cmocka_unit_test(test_exit_signal_waits_for_the_window),
        cmocka_unit_test(test_no_alarm_in_an_ordinary_trade),
        cmocka_unit_test(test_exit_by_signal_is_no_alarm),
        cmocka_unit_test(test_exit_refused_after_the_cancels_is_bare),
        cmocka_unit_test(test_stop_cancelled_by_the_venue_goes_again),
        cmocka_unit_test(test_move_refused_for_good_is_not_sent_again),
        cmocka_unit_test(test_trail_refused_for_good_waits_for_a_new_price),
        cmocka_unit_test(test_move_whose_cancel_is_refused_waits),
        cmocka_unit_test(test_exit_whose_cancel_is_refused_waits),
        cmocka_unit_test(test_unanswered_stop_is_bare_after_the_bound),
        cmocka_unit_test(test_answer_within_the_bound_is_no_alarm),
        cmocka_unit_test(test_unanswered_exit_is_bare_after_the_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
