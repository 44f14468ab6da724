/*  tests/test_venue_hold_e2e.c: the time bound of a live symbol's restart
    hold, through the real binary against the local Alpaca-like server
    (tests/fakes) on 127.0.0.1.

    The store holds one open order of AAPL (written here before the
    service starts), so the service's start restores it and has the
    broker gateway reconcile it with the venue; until the gateway
    answers, the symbol holds its inputs. The fake refuses every order
    listing (503), so the gateway keeps retrying and never answers:

    - at first health says "waiting for venue" for the symbol;
    - past risk.venue_sync_timeout_s (2 s here) on a market that sends
      nothing, the symbol is PAUSED with the reason "venue not
      reconciled" (it does not trade on the store's view) and the log
      says so;
    - once the fake lists orders again, the gateway's answer arrives:
      the pause clears, the symbol RUNS, health's venue text is empty,
      and the restored order is resolved by the reconciliation.

    Every wait is bounded. */
#include "tests/fakes/fake_alpaca.h"
#include "tests/process.h"
#include "tests/storecheck.h"
#include "tests/venuecheck.h"

#include "orders/order.h"
#include "store/store.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define S_KEY "PKTESTHOLD3"
#define S_SECRET "s3cr3t-hold-do-not-log"

static fake_alpaca_t *s_fake(void)
{
    static const char *const symbols[] = {"AAPL"};
    fake_alpaca_cfg_t fcfg = {.key_id = S_KEY,
                              .secret = S_SECRET,
                              .symbols = symbols,
                              .symbol_count = 1,
                              .rate_limit_per_min = -1};
    fake_alpaca_t *fake = fake_alpaca_start(&fcfg);
    assert_non_null(fake);
    return fake;
}

static char *s_config(const char *dir, int port)
{
    char *secret = tth_write_file(dir, "alpaca.secret", S_SECRET "\n");
    assert_int_equal(chmod(secret, 0600), 0);
    setenv("TT_TEST_HOLD_KEY", S_KEY, 1);
    char venue[1024];
    snprintf(venue, sizeof venue,
             "    kind: alpaca\n"
             "    endpoints: [\"ws://127.0.0.1:%d\"]\n"
             "    key_id: env:TT_TEST_HOLD_KEY\n"
             "    secret_key: file:%s\n"
             "    params: {backoff_ms: 200, backoff_max_ms: 400, "
             "trading_url: \"http://127.0.0.1:%d\"}\n",
             port, secret, port);
    free(secret);
    return tth_venue_config(dir, venue,
                            "  timeframes: [1]\n"
                            "  stale_ms: 120000\n"
                            "  strategy:\n    kind: sma_cross\n"
                            "    params: {fast: 2, slow: 4}\n"
                            "  risk:\n    sizing: fixed_qty\n    qty: \"10\"\n"
                            "    venue_sync_timeout_s: 2\n",
                            "  - symbol: AAPL\n    px_decimals: 2\n"
                            "    qty_decimals: 0\n");
}

/* One working limit buy of AAPL in a new store at DIR/ticktree.db, as a
   service killed after sending it would have left it. Writes its client
   order id into COID. */
static void s_seed_store(const char *dir, char *coid, size_t size)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/ticktree.db", dir);
    tt_store_t *store = tt_store_open(path, NULL, err, sizeof err);
    if (!store)
        fail_msg("store: %s", err);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    tt_store_order_t rec = {.symbol = "AAPL"};
    tt_order_t *o = &rec.order;
    assert_true(tt_coid_format(o->coid, "AAPL", 1, TT_ROLE_ENTRY) > 0);
    o->seq = 1;
    o->role = TT_ROLE_ENTRY;
    o->side = TT_SIDE_BUY;
    o->type = TT_ORD_LIMIT;
    o->tif = TT_TIF_DAY;
    o->state = TT_OS_NEW;
    o->qty = 10;
    o->limit_px = 10000;
    o->created_ts = o->updated_ts =
        (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    assert_int_equal(tt_store_order_intent(store, &rec), 0);
    o->state = TT_OS_ACCEPTED;
    snprintf(rec.venue_oid, sizeof rec.venue_oid, "%s", "venue-1");
    assert_int_equal(tt_store_order_update(store, &rec), 0);
    tt_store_close(&store);
    snprintf(coid, size, "%s", o->coid);
}

typedef struct {
    int state;
    char pause_reason[64];
    char venue_sync[64];
} s_look_t;

static s_look_t s_look(tth_proc_t *proc)
{
    s_look_t out = {.state = -1};
    Tt__Reply *reply = NULL;
    Tt__Health *h = tth_health(proc, &reply);
    for (size_t i = 0; h && i < h->n_symbols; i++) {
        const Tt__SymbolHealth *s = h->symbols[i];
        if (strcmp(s->symbol, "AAPL") != 0)
            continue;
        out.state = s->state;
        snprintf(out.pause_reason, sizeof out.pause_reason, "%s",
                 s->pause_reason);
        snprintf(out.venue_sync, sizeof out.venue_sync, "%s", s->venue_sync);
    }
    if (reply)
        tt__reply__free_unpacked(reply, NULL);
    return out;
}

/* Polls health until AAPL is in STATE with PAUSE and VENUE texts. */
static void s_wait_look(tth_proc_t *proc, int state, const char *pause,
                        const char *venue, int timeout_ms)
{
    s_look_t seen = {.state = -1};
    int64_t deadline = tth_now_ms() + timeout_ms;
    while (tth_now_ms() < deadline) {
        seen = s_look(proc);
        if (seen.state == state && !strcmp(seen.pause_reason, pause) &&
            !strcmp(seen.venue_sync, venue))
            return;
        tth_nap_ms(20);
    }
    tth_proc_dump_log(proc);
    fail_msg("AAPL: state %d, pause \"%s\", venue \"%s\"; wanted %d, \"%s\", "
             "\"%s\"",
             seen.state, seen.pause_reason, seen.venue_sync, state, pause,
             venue);
}

static void test_hold_is_bounded_then_paused_until_reconciled(void **state)
{
    (void)state;
    fake_alpaca_t *fake = s_fake();
    char *dir = tth_tmpdir("tt-venuehold");
    char coid[64];
    s_seed_store(dir, coid, sizeof coid);
    fake_alpaca_fail_list(fake, 503, 1000000);
    char *text = s_config(dir, fake_alpaca_port(fake));
    tth_proc_t *proc = tth_proc_spawn_text(dir, text);
    free(text);

    /* Held: waiting for the venue, not yet paused. */
    s_wait_look(proc, TT__STATE__STATE_RUNNING, "", "waiting for venue", 10000);
    /* Past the bound: paused, and it says why. */
    s_wait_look(proc, TT__STATE__STATE_PAUSED, "venue not reconciled",
                "venue not reconciled", 10000);
    assert_true(tth_wait_file_holds(proc->log,
                                    "AAPL/execution: the venue's gateway has "
                                    "not reconciled the restored orders "
                                    "(time bound passed)",
                                    1000));
    assert_true(fake_alpaca_requests(fake, "GET /v2/orders") >= 1);

    /* The venue answers again: the gateway's answer clears the pause. */
    fake_alpaca_fail_list(fake, 503, 0);
    s_wait_look(proc, TT__STATE__STATE_RUNNING, "", "", 15000);
    assert_true(
        tth_wait_file_holds(proc->log, "AAPL: restart reconciled", 1000));
    assert_true(tth_wait_file_holds(
        proc->log, "AAPL/execution: the venue reconciled the restored orders",
        1000));
    /* The venue never knew the order: the reconciliation resolved it
       (its new state reaches the store through the bus after the log
       line: polled, at most 5 s). */
    char sql[160], got[32] = "";
    snprintf(sql, sizeof sql, "SELECT state FROM orders WHERE coid = '%s'",
             coid);
    int64_t deadline = tth_now_ms() + 5000;
    do {
        tth_store_text(dir, sql, got, sizeof got);
        if (strcmp(got, "2") == 0)
            tth_nap_ms(10);
    } while (strcmp(got, "2") == 0 && tth_now_ms() < deadline);
    assert_string_not_equal(got, "2");

    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 10000), 0);
    static const char *const secrets[] = {S_SECRET, S_KEY, NULL};
    tth_log_lacks(proc, secrets);
    tth_proc_destroy(&proc);
    fake_alpaca_stop(&fake);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hold_is_bounded_then_paused_until_reconciled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
