/*  tests/test_reconcile.c: the pure parts of a warm restart. The paper
    broker's saved state (venues/paper/paper_state.h): a round trip keeps
    every field and matching goes on as before; every malformed state is
    refused with its line, the broker unchanged. The book's restore
    (orders/book.h): the bracket read back from the orders, a lost stop
    sent again at its price, an unprotected position flattened. The
    reconciliation plan (actors/exec_reconcile.h): each case of store
    against broker gives its action. */
#include "tests/harness.h"

#include <stdio.h>
#include <string.h>

#include "actors/exec_reconcile.h"
#include "venues/paper/paper_state.h"

static const tt_instrument_t s_inst = {
    .px_decimals = 2, .qty_decimals = 0, .tick_size = 1, .lot_size = 1};

static tt_paper_t *s_paper(void)
{
    static tt_paper_t p;
    tt_paper_cfg_t cfg = {.fee_bps = 10};
    assert_int_equal(tt_paper_init(&p, &cfg, &s_inst), 0);
    return &p;
}

static tt_order_t s_ord(const char *coid, tt_side_t side, tt_ord_type_t type,
                        tt_qty_t qty, tt_px_t limit, tt_px_t stop)
{
    tt_order_t o = {.side = side,
                    .type = type,
                    .tif = TT_TIF_GTC,
                    .qty = qty,
                    .limit_px = limit,
                    .stop_px = stop};
    snprintf(o.coid, sizeof o.coid, "%s", coid);
    return o;
}

/* ---- paper state ------------------------------------------------------ */

static void test_state_round_trip(void **state)
{
    (void)state;
    tt_paper_t *p = s_paper();
    tt_order_t a = s_ord("tt-X-1-e", TT_SIDE_BUY, TT_ORD_LIMIT, 10, 1000, 0);
    tt_order_t b =
        s_ord("tt-X-2-s", TT_SIDE_SELL, TT_ORD_STOP_LIMIT, 4, 900, 950);
    assert_int_equal(tt_paper_submit(p, &a, 5), 0);
    assert_int_equal(tt_paper_submit(p, &b, 6), 0);
    tt_paper_event_t ev[TT_PAPER_EVENTS_MAX];
    tt_tick_t t = {.ts = 10, .price = 940, .size = 3};
    tt_paper_cfg_t cfg = {.fee_bps = 10, .max_qty_per_tick = 3};
    p->cfg = cfg;
    /* 940 is through both: the limit buy takes the 3 available, the
       stop-limit triggers and waits. */
    assert_int_equal(tt_paper_on_tick(p, &t, ev, TT_PAPER_EVENTS_MAX), 1);
    assert_true(p->orders[1].triggered);
    char text[TT_PAPER_STATE_MAX];
    size_t len = tt_paper_save(p, text, sizeof text);
    assert_true(len > 0);
    tt_paper_t q;
    assert_int_equal(tt_paper_init(&q, &cfg, &s_inst), 0);
    assert_int_equal(tt_paper_load(&q, text, len), 0);
    assert_int_equal(q.n, 2);
    assert_int_equal(q.arrivals, 2);
    assert_int_equal(q.fills, 1);
    assert_memory_equal(q.orders, p->orders, 2 * sizeof q.orders[0]);
    assert_int_equal(q.orders[0].filled, 3);
    assert_int_equal(q.orders[0].last_px, 1000);
    assert_int_equal(q.orders[0].fees, 3);
    /* Both go on alike: the next trade fills the same in each. */
    tt_paper_event_t ev2[TT_PAPER_EVENTS_MAX];
    t = (tt_tick_t){.ts = 11, .price = 960, .size = 100};
    int n = tt_paper_on_tick(p, &t, ev, TT_PAPER_EVENTS_MAX);
    assert_int_equal(tt_paper_on_tick(&q, &t, ev2, TT_PAPER_EVENTS_MAX), n);
    assert_int_equal(n, 1); /* the buy takes the tick's 3 again */
    assert_memory_equal(ev, ev2, (size_t)n * sizeof ev[0]);
    assert_int_equal(tt_paper_next_seq(&q), 3);
    /* Too small a buffer says so. */
    assert_int_equal(tt_paper_save(p, text, 10), 0);
}

static void s_refused(const char *text, const char *why)
{
    tt_paper_t *p = s_paper();
    tt_order_t a = s_ord("keep", TT_SIDE_BUY, TT_ORD_LIMIT, 1, 100, 0);
    assert_int_equal(tt_paper_submit(p, &a, 0), 0);
    assert_int_equal(tt_paper_load(p, text, strlen(text)), -1);
    if (!strstr(p->err, why))
        fail_msg("\"%s\": error \"%s\" lacks \"%s\"", text, p->err, why);
    assert_int_equal(p->n, 1); /* unchanged */
    assert_string_equal(p->orders[0].coid, "keep");
}

static void test_state_refuses_malformed(void **state)
{
    (void)state;
    const char *hdr = "ticktree-paper 1\narrivals 2 fills 0\n";
    char text[512];
    s_refused("", "empty");
    s_refused("ticktree-paper 2\narrivals 0 fills 0\n", "line 1");
    s_refused("ticktree-paper 1\n", "ends before its counters");
    s_refused("ticktree-paper 1\narrivals -1 fills 0\n", "arrivals");
    s_refused("ticktree-paper 1\narrivals 1 fills 0 x\n", "line 2");
    snprintf(text, sizeof text, "%sorder a 1 2 2 5 0 100 0 0 0 0 1 0\n", hdr);
    s_refused(text, "fields");
    snprintf(text, sizeof text, "%sorder a 3 2 2 5 0 100 0 0 0 0 1 0 0\n", hdr);
    s_refused(text, "side");
    snprintf(text, sizeof text, "%sorder a 1 2 2 5 5 100 0 0 0 1 1 9 0\n", hdr);
    s_refused(text, "not below qty");
    snprintf(text, sizeof text, "%sorder a 1 2 2 5 0 0 0 0 0 0 1 0 0\n", hdr);
    s_refused(text, "needs its prices");
    snprintf(text, sizeof text, "%sorder a 1 2 2 5 2 100 0 0 0 0 1 0 0\n", hdr);
    s_refused(text, "disagree");
    snprintf(text, sizeof text,
             "%sorder a 1 2 2 5 0 100 0 0 0 0 2 0 0\n"
             "order b 1 2 2 5 0 100 0 0 0 0 1 0 0\n",
             hdr);
    s_refused(text, "arrival order");
    snprintf(text, sizeof text,
             "%sorder a 1 2 2 5 0 100 0 0 0 0 1 0 0\n"
             "order a 1 2 2 5 0 100 0 0 0 0 2 0 0\n",
             hdr);
    s_refused(text, "rests twice");
    snprintf(text, sizeof text, "%sorder a 1 2 2 5 0 100 0 0 0 0 3 0 0\n", hdr);
    s_refused(text, "arrival order");
    s_refused("ticktree-paper 1\narrivals 99999999999999999999 fills 0\n",
              "arrivals");
    assert_int_equal(tt_paper_load(s_paper(), "a\0b", 3), -1);
}

/* ---- the book's restore ------------------------------------------------ */

static tt_book_t s_book;

/* A long of 10 at 100.00 with its stop (90.00) and target (120.00),
   as the store keeps them. */
static void s_long_book(bool with_stop)
{
    tt_book_cfg_t cfg = tt_book_cfg_default();
    assert_int_equal(tt_book_init(&s_book, "X", &s_inst, &cfg, 1), 0);
    tt_fill_t f = {.side = TT_SIDE_BUY, .px = 10000, .qty = 10, .ts = 1};
    snprintf(f.fill_id, sizeof f.fill_id, "f1");
    assert_int_equal(tt_position_apply(&s_book.pos, &f, NULL), 0);
    tt_order_t stop = s_ord("tt-X-2-s", TT_SIDE_SELL, TT_ORD_STOP, 10, 0, 9000);
    stop.seq = 2;
    stop.role = TT_ROLE_STOP;
    stop.state = TT_OS_ACCEPTED;
    tt_order_t target =
        s_ord("tt-X-3-t", TT_SIDE_SELL, TT_ORD_LIMIT, 10, 12000, 0);
    target.seq = 3;
    target.role = TT_ROLE_TARGET;
    target.state = TT_OS_ACCEPTED;
    if (with_stop)
        assert_int_equal(tt_book_restore_order(&s_book, &stop), 0);
    assert_int_equal(tt_book_restore_order(&s_book, &target), 0);
    tt_book_restore_bracket(&s_book);
}

static void test_book_restores_bracket(void **state)
{
    (void)state;
    s_long_book(true);
    const tt_bracket_t *b = &s_book.br;
    assert_true(b->active);
    assert_false(b->exiting);
    assert_int_equal(b->side, TT_SIDE_BUY);
    assert_int_equal(b->stop_px, 9000);
    assert_int_equal(b->target_px, 12000);
    assert_int_equal(s_book.next_seq, 4);
    tt_intents_t out;
    assert_int_equal(tt_book_resync(&s_book, 2, &out), 0);
    assert_int_equal(out.n, 0); /* everything is in place */
    /* The broker never had the stop: it expires, and goes out again at
       its price for the open quantity. */
    tt_broker_ev_t ev = {.kind = TT_EV_EXPIRED, .ts = 3};
    snprintf(ev.coid, sizeof ev.coid, "tt-X-2-s");
    assert_int_equal(tt_book_on_event(&s_book, &ev, &out, NULL), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_SUBMIT);
    assert_int_equal(out.v[0].order.role, TT_ROLE_STOP);
    assert_int_equal(out.v[0].order.stop_px, 9000);
    assert_int_equal(out.v[0].order.qty, 10);
    assert_string_equal(out.v[0].order.coid, "tt-X-4-s");
    /* A client id that is not this book's is refused. */
    tt_order_t other = s_ord("tt-Y-9-s", TT_SIDE_SELL, TT_ORD_STOP, 1, 0, 1);
    other.seq = 9;
    other.role = TT_ROLE_STOP;
    other.state = TT_OS_ACCEPTED;
    assert_int_equal(tt_book_restore_order(&s_book, &other), -1);
    other.state = TT_OS_FILLED;
    assert_int_equal(tt_book_restore_order(&s_book, &other), -1);
}

static void test_book_unprotected_position_flattens(void **state)
{
    (void)state;
    s_long_book(false);
    assert_true(s_book.br.exiting);
    tt_intents_t out;
    assert_int_equal(tt_book_resync(&s_book, 2, &out), 0);
    assert_int_equal(out.n, 1); /* cancel the target first */
    assert_int_equal(out.v[0].kind, TT_INTENT_CANCEL);
    tt_broker_ev_t ev = {.kind = TT_EV_CANCELLED, .ts = 3};
    snprintf(ev.coid, sizeof ev.coid, "tt-X-3-t");
    assert_int_equal(tt_book_on_event(&s_book, &ev, &out, NULL), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.role, TT_ROLE_EXIT);
    assert_int_equal(out.v[0].order.type, TT_ORD_MARKET);
    assert_int_equal(out.v[0].order.qty, 10);
}

/* ---- the plan ------------------------------------------------------------ */

typedef struct {
    const char *coid;
    tt_ord_state_t state;
} s_known_t;

static int s_lookup(const char *coid, tt_ord_state_t *state, uint32_t *fills,
                    void *arg)
{
    const s_known_t *known = arg;
    *fills = 0;
    for (; known && known->coid; known++)
        if (strcmp(known->coid, coid) == 0) {
            *state = known->state;
            return 1;
        }
    return 0;
}

static tt_store_order_t s_stored(const char *coid, uint64_t seq, tt_role_t role,
                                 tt_ord_state_t state, tt_qty_t filled)
{
    tt_store_order_t r;
    memset(&r, 0, sizeof r);
    snprintf(r.symbol, sizeof r.symbol, "X");
    r.order = s_ord(coid, TT_SIDE_SELL, TT_ORD_LIMIT, 10, 12000, 0);
    r.order.seq = seq;
    r.order.role = role;
    r.order.state = state;
    r.order.filled = filled;
    r.order.fill_cost = filled * 12000;
    return r;
}

static void s_rest(tt_paper_t *p, const char *coid, tt_qty_t filled)
{
    tt_order_t o = s_ord(coid, TT_SIDE_SELL, TT_ORD_LIMIT, 10, 12000, 0);
    assert_int_equal(tt_paper_submit(p, &o, 0), 0);
    tt_paper_order_t *po = &p->orders[p->n - 1];
    po->filled = filled;
    po->fills = filled ? 2 : 0;
    po->last_px = filled ? 12000 : 0;
    po->fees = filled ? 7 : 0;
}

static const tt_recon_item_t *s_find(const tt_recon_plan_t *plan,
                                     const char *coid, int32_t action)
{
    for (int i = 0; i < plan->n; i++)
        if (!strcmp(plan->v[i].order.coid, coid) && plan->v[i].action == action)
            return &plan->v[i];
    fail_msg("no action %s for %s", tt_recon_action_name(action), coid);
    return NULL;
}

static void test_plan_cases(void **state)
{
    (void)state;
    tt_store_order_t stored[] = {
        s_stored("tt-X-1-t", 1, TT_ROLE_TARGET, TT_OS_ACCEPTED, 0), /* keep */
        s_stored("tt-X-2-t", 2, TT_ROLE_TARGET, TT_OS_ACCEPTED, 0), /* lost */
        s_stored("tt-X-3-t", 3, TT_ROLE_TARGET, TT_OS_NEW, 0),      /* ack */
        s_stored("tt-X-4-t", 4, TT_ROLE_TARGET, TT_OS_PENDING_CANCEL, 0),
        s_stored("tt-X-5-t", 5, TT_ROLE_TARGET, TT_OS_PARTIALLY_FILLED, 2),
        s_stored("tt-X-6-t", 6, TT_ROLE_TARGET, TT_OS_PARTIALLY_FILLED, 6),
        s_stored("tt-X-7-s", 7, TT_ROLE_STOP, TT_OS_PENDING_REPLACE, 0),
        s_stored("tt-X-8-s", 8, TT_ROLE_STOP, TT_OS_NEW, 0),
        s_stored("tt-X-b-t", 11, TT_ROLE_TARGET, TT_OS_NEW, 0),
    };
    stored[7].order.replaces = 7;
    stored[8].order.replaces = 1; /* tt-X-1-t still rests */
    uint32_t fills[9] = {0, 0, 0, 0, 1, 3, 0, 0, 0};
    tt_paper_t *p = s_paper();
    s_rest(p, "tt-X-1-t", 0);
    s_rest(p, "tt-X-3-t", 0);
    s_rest(p, "tt-X-4-t", 0);
    s_rest(p, "tt-X-5-t", 5); /* 3 more than the store knows */
    s_rest(p, "tt-X-6-t", 4); /* the store knows 2 more */
    s_rest(p, "tt-X-8-s", 0);
    s_rest(p, "tt-X-9-e", 3);  /* unknown to the store */
    s_rest(p, "tt-X-10-x", 0); /* done in the store */
    s_rest(p, "alien", 0);     /* not ours */
    s_known_t known[] = {{"tt-X-10-x", TT_OS_CANCELLED}, {NULL, 0}};
    static tt_recon_plan_t plan;
    char err[128];
    assert_int_equal(tt_recon_plan("X", stored, fills, 9, p, s_lookup, known,
                                   50, &plan, err, sizeof err),
                     0);
    assert_int_equal(s_find(&plan, "tt-X-1-t", 0)->order.state, TT_OS_ACCEPTED);
    const tt_recon_item_t *it = s_find(&plan, "tt-X-2-t", TT_RECON_RESOLVE);
    assert_int_equal(it->ev.kind, TT_EV_EXPIRED);
    assert_string_equal(it->ev.reason, "unknown to broker");
    assert_false(it->direct); /* through the book: a lost child is resent */
    it = s_find(&plan, "tt-X-b-t", TT_RECON_RESOLVE);
    assert_true(it->direct); /* its predecessor works on */
    assert_int_equal(it->order.state, TT_OS_EXPIRED);
    assert_string_equal(it->order.reason, "unknown to broker");
    it = s_find(&plan, "tt-X-3-t", TT_RECON_ADOPT_STATE);
    assert_int_equal(it->ev.kind, TT_EV_ACCEPTED);
    it = s_find(&plan, "tt-X-4-t", TT_RECON_ADOPT_STATE);
    assert_int_equal(it->order.state, TT_OS_ACCEPTED);
    assert_int_equal(it->ev.kind, 0);
    it = s_find(&plan, "tt-X-5-t", TT_RECON_ADOPT_FILL);
    assert_int_equal(it->ev.qty, 3);
    assert_int_equal(it->ev.px, 12000);
    assert_string_equal(it->ev.fill_id, "tt-X-5-t:2");
    it = s_find(&plan, "tt-X-6-t", TT_RECON_BROKER_BEHIND);
    assert_int_equal(it->store_fills, 3);
    assert_int_equal(s_find(&plan, "tt-X-7-s", TT_RECON_REPLACED)->order.state,
                     TT_OS_REPLACED);
    s_find(&plan, "tt-X-8-s", TT_RECON_ADOPT_STATE);
    it = s_find(&plan, "tt-X-9-e", TT_RECON_ADOPT_ORDER);
    assert_int_equal(it->order.state, TT_OS_NEW);
    assert_int_equal(it->order.seq, 9);
    assert_int_equal(it->order.role, TT_ROLE_ENTRY);
    it = s_find(&plan, "tt-X-9-e", TT_RECON_ADOPT_FILL);
    assert_int_equal(it->ev.qty, 3);
    assert_int_equal(it->ev.fee, 7);
    assert_true(
        strstr(s_find(&plan, "tt-X-10-x", TT_RECON_CANCEL_AT_BROKER)->reason,
               "CANCELLED"));
    assert_true(strstr(
        s_find(&plan, "alien", TT_RECON_CANCEL_AT_BROKER)->reason, "not a"));
    /* Adoptions come after the order they adopt a fill of. */
    for (int i = 0; i < plan.n; i++)
        if (plan.v[i].action == TT_RECON_ADOPT_FILL &&
            !strcmp(plan.v[i].order.coid, "tt-X-9-e"))
            assert_int_equal(plan.v[i - 1].action, TT_RECON_ADOPT_ORDER);
    assert_string_equal(tt_recon_action_name(TT_RECON_BROKER_BEHIND),
                        "broker_behind");
    assert_string_equal(tt_recon_action_name(99), "unknown");
}

static int s_lookup_fails(const char *coid, tt_ord_state_t *state,
                          uint32_t *fills, void *arg)
{
    (void)coid, (void)state, (void)fills, (void)arg;
    return -1;
}

static void test_plan_lookup_failure(void **state)
{
    (void)state;
    tt_paper_t *p = s_paper();
    s_rest(p, "tt-X-1-t", 0);
    static tt_recon_plan_t plan;
    char err[128] = "";
    assert_int_equal(tt_recon_plan("X", NULL, NULL, 0, p, s_lookup_fails, NULL,
                                   1, &plan, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "tt-X-1-t"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_round_trip),
        cmocka_unit_test(test_state_refuses_malformed),
        cmocka_unit_test(test_book_restores_bracket),
        cmocka_unit_test(test_book_unprotected_position_flattens),
        cmocka_unit_test(test_plan_cases),
        cmocka_unit_test(test_plan_lookup_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
