/*  tests/test_orders.c: the order state machine, client order ids and the
    order book (brackets, OCO, partial fills, cancel, replace, duplicate
    fills, trailing stop, breakeven). Expected values are written out by
    hand from the rules in orders/order.h and orders/book.h. */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orders/book.h"
#include "orders/order.h"

/* ---- state machine --------------------------------------------------- */

/* The legal edges, written independently of orders/order.c. */
static bool s_expected_edge(int from, int to)
{
    static const char *edges[] = {
        "NEW>ACCEPTED",
        "NEW>PARTIALLY_FILLED",
        "NEW>FILLED",
        "NEW>CANCELLED",
        "NEW>REJECTED",
        "NEW>EXPIRED",
        "NEW>PENDING_CANCEL",
        "ACCEPTED>PARTIALLY_FILLED",
        "ACCEPTED>FILLED",
        "ACCEPTED>CANCELLED",
        "ACCEPTED>REJECTED",
        "ACCEPTED>EXPIRED",
        "ACCEPTED>PENDING_CANCEL",
        "ACCEPTED>PENDING_REPLACE",
        "PARTIALLY_FILLED>PARTIALLY_FILLED",
        "PARTIALLY_FILLED>FILLED",
        "PARTIALLY_FILLED>CANCELLED",
        "PARTIALLY_FILLED>EXPIRED",
        "PARTIALLY_FILLED>PENDING_CANCEL",
        "PARTIALLY_FILLED>PENDING_REPLACE",
        "PENDING_CANCEL>ACCEPTED",
        "PENDING_CANCEL>PARTIALLY_FILLED",
        "PENDING_CANCEL>FILLED",
        "PENDING_CANCEL>CANCELLED",
        "PENDING_CANCEL>EXPIRED",
        "PENDING_REPLACE>ACCEPTED",
        "PENDING_REPLACE>PARTIALLY_FILLED",
        "PENDING_REPLACE>FILLED",
        "PENDING_REPLACE>CANCELLED",
        "PENDING_REPLACE>EXPIRED",
        "PENDING_REPLACE>REPLACED",
    };
    char key[64];
    snprintf(key, sizeof key, "%s>%s", tt_ord_state_name((tt_ord_state_t)from),
             tt_ord_state_name((tt_ord_state_t)to));
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        if (strcmp(edges[i], key) == 0)
            return true;
    return false;
}

static void test_every_transition(void **state)
{
    (void)state;
    int legal = 0;
    for (int from = 0; from <= TT_OS_MAX + 1; from++) {
        for (int to = 0; to <= TT_OS_MAX + 1; to++) {
            bool want = from >= TT_OS_MIN && from <= TT_OS_MAX &&
                        to >= TT_OS_MIN && to <= TT_OS_MAX &&
                        s_expected_edge(from, to);
            assert_int_equal(
                tt_ord_allowed((tt_ord_state_t)from, (tt_ord_state_t)to), want);
            tt_order_t o = {.state = (tt_ord_state_t)from, .updated_ts = 1};
            int rc = tt_order_move(&o, (tt_ord_state_t)to, 99);
            assert_int_equal(rc, want ? 0 : -1);
            assert_int_equal(o.state, want ? to : from);
            assert_int_equal(o.updated_ts, want ? 99 : 1);
            legal += want;
        }
    }
    assert_int_equal(legal, 31);
}

static void test_terminal_and_live(void **state)
{
    (void)state;
    const int terminal[] = {TT_OS_FILLED, TT_OS_CANCELLED, TT_OS_REJECTED,
                            TT_OS_EXPIRED, TT_OS_REPLACED};
    for (int s = TT_OS_MIN; s <= TT_OS_MAX; s++) {
        bool t = false;
        for (size_t i = 0; i < 5; i++)
            t = t || terminal[i] == s;
        assert_int_equal(tt_ord_terminal((tt_ord_state_t)s), t);
        assert_int_equal(tt_ord_live((tt_ord_state_t)s), !t);
    }
    assert_false(tt_ord_live((tt_ord_state_t)0));
    assert_false(tt_ord_terminal((tt_ord_state_t)11));
    assert_string_equal(tt_ord_state_name((tt_ord_state_t)42), "INVALID");
    assert_string_equal(tt_ord_state_name(TT_OS_PENDING_REPLACE),
                        "PENDING_REPLACE");
}

/* ---- client order ids ------------------------------------------------ */

static bool s_binance_ok(const char *id)
{
    size_t n = strlen(id);
    if (n < 1 || n > 36)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("./:_-", id[i]) &&
            !((id[i] >= 'A' && id[i] <= 'Z') ||
              (id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9')))
            return false;
    return true;
}

static void test_coid_format(void **state)
{
    (void)state;
    char id[TT_COID_MAX + 1];
    assert_int_equal(tt_coid_format(id, "BTCUSD", 1, TT_ROLE_ENTRY), 13);
    assert_string_equal(id, "tt-BTCUSD-1-e");
    tt_coid_format(id, "AAPL", 35, TT_ROLE_STOP);
    assert_string_equal(id, "tt-AAPL-z-s");
    tt_coid_format(id, "AAPL", 36, TT_ROLE_TARGET);
    assert_string_equal(id, "tt-AAPL-10-t");
    tt_coid_format(id, "BRK.B", 1295, TT_ROLE_EXIT); /* 36^2 - 1 */
    assert_string_equal(id, "tt-BRK.B-zz-x");
    /* 2^64 - 1 in base 36 is 3w5e11264sgsf (13 digits). */
    int n = tt_coid_format(id, "ABCDEFGHIJKLMNOP", UINT64_MAX, TT_ROLE_EXIT);
    assert_string_equal(id, "tt-ABCDEFGHIJKLMNOP-3w5e11264sgsf-x");
    assert_int_equal(n, 35);
    assert_true(s_binance_ok(id));
}

static void test_coid_hashed_symbols(void **state)
{
    (void)state;
    char a[TT_COID_MAX + 1], b[TT_COID_MAX + 1], c[TT_COID_MAX + 1];
    /* Too long, or characters outside [A-Za-z0-9.]: hashed form. */
    tt_coid_format(a, "ABCDEFGHIJKLMNOPQ", UINT64_MAX, TT_ROLE_ENTRY);
    tt_coid_format(b, "ABCDEFGHIJKLMNOPR", UINT64_MAX, TT_ROLE_ENTRY);
    tt_coid_format(c, "BTC/USD", 7, TT_ROLE_ENTRY);
    assert_true(s_binance_ok(a) && s_binance_ok(b) && s_binance_ok(c));
    assert_string_not_equal(a, b);
    assert_int_equal(strncmp(a, "tt-ABCDEFGHI_", 13), 0);
    assert_int_equal(strlen(a), 3 + 16 + 1 + 13 + 2);
    assert_int_equal(strncmp(c, "tt-BTCUSD_", 10), 0);
    /* The hashed form never equals the verbatim one. */
    char d[TT_COID_MAX + 1];
    tt_coid_format(d, "BTCUSD", 7, TT_ROLE_ENTRY);
    assert_string_not_equal(c, d);
    /* Same inputs, same id. */
    char again[TT_COID_MAX + 1];
    tt_coid_format(again, "BTC/USD", 7, TT_ROLE_ENTRY);
    assert_string_equal(c, again);
    assert_int_equal(tt_coid_format(again, "", 1, TT_ROLE_ENTRY), -1);
    assert_string_equal(again, "");
    assert_int_equal(tt_coid_format(again, "X", 1, (tt_role_t)'q'), -1);
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void test_coid_unique_and_parse(void **state)
{
    (void)state;
    enum { N = 3000 };
    const tt_role_t roles[] = {TT_ROLE_ENTRY, TT_ROLE_STOP, TT_ROLE_TARGET,
                               TT_ROLE_EXIT};
    char(*ids)[TT_COID_MAX + 1] = calloc(N * 4, TT_COID_MAX + 1);
    assert_non_null(ids);
    for (int s = 0; s < N; s++)
        for (int r = 0; r < 4; r++) {
            char *id = ids[s * 4 + r];
            uint64_t seq = (uint64_t)s * 7919 + 1;
            tt_coid_format(id, "ETHUSDT", seq, roles[r]);
            uint64_t back = 0;
            tt_role_t role = 0;
            assert_int_equal(tt_coid_parse(id, &back, &role), 0);
            assert_true(back == seq);
            assert_int_equal(role, roles[r]);
        }
    qsort(ids, N * 4, TT_COID_MAX + 1, s_cmp);
    for (int i = 1; i < N * 4; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    free(ids);
    const char *bad[] = {
        "",        "tt-",      "xx-A-1-e", "tt-A-1-q",
        "tt--1-e", "tt-A-!-e", "tt-A-1e",  "tt-A-zzzzzzzzzzzzzz-e"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tt_coid_parse(bad[i], NULL, NULL), -1);
    assert_int_equal(tt_coid_parse(NULL, NULL, NULL), -1);
}

/* Base 36 in lower case, the reference for test_coid_and_copy_like_snprintf. */
static void s_b36_ref(uint64_t v, char *out)
{
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
        v /= 36;
    } while (v);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

/* tt_coid_format assembles what snprintf's "tt-%s-%s-%c" gave, and
   tt_order_copy_text copies as snprintf's "%s" did: cut to the buffer,
   always terminated. */
static void test_coid_and_copy_like_snprintf(void **state)
{
    (void)state;
    const char *syms[] = {"A", "BTCUSD", "ABCDEFGHIJKLMNOP", "BRK.B"};
    const uint64_t seqs[] = {1, 35, 36, 1295, 46656, UINT64_MAX};
    const tt_role_t roles[] = {TT_ROLE_ENTRY, TT_ROLE_EXIT};
    for (size_t s = 0; s < sizeof syms / sizeof syms[0]; s++)
        for (size_t q = 0; q < sizeof seqs / sizeof seqs[0]; q++)
            for (size_t r = 0; r < 2; r++) {
                char id[TT_COID_MAX + 1], ref[TT_COID_MAX + 1], num[16];
                int n = tt_coid_format(id, syms[s], seqs[q], roles[r]);
                s_b36_ref(seqs[q], num);
                int m = snprintf(ref, sizeof ref, "tt-%s-%s-%c", syms[s], num,
                                 (char)roles[r]);
                assert_int_equal(n, m);
                assert_string_equal(id, ref);
            }
    char small[5];
    memset(small, 'x', sizeof small);
    tt_order_copy_text(small, sizeof small, "abcdefgh");
    assert_string_equal(small, "abcd");
    tt_order_copy_text(small, sizeof small, "ab");
    assert_string_equal(small, "ab");
    tt_order_copy_text(small, 1, "ab");
    assert_string_equal(small, "");
    tt_order_copy_text(small, sizeof small, "");
    assert_string_equal(small, "");
}

/* ---- order book ------------------------------------------------------ */

static const tt_instrument_t s_inst = {
    .px_decimals = 2, .qty_decimals = 0, .tick_size = 1, .lot_size = 1};

static void s_book(tt_book_t *b, const tt_book_cfg_t *cfg)
{
    assert_int_equal(tt_book_init(b, "AAPL", &s_inst, cfg, 1), 0);
}

static tt_signal_t s_sig(tt_signal_kind_t kind, tt_px_t ref, tt_px_t stop,
                         tt_px_t target)
{
    return (tt_signal_t){.kind = kind,
                         .ts = 1,
                         .ref_price = ref,
                         .stop = stop,
                         .target = target,
                         .reason = "test"};
}

static int s_event(tt_book_t *b, tt_broker_ev_kind_t kind, const char *coid,
                   tt_ns_t ts, tt_intents_t *out)
{
    tt_broker_ev_t ev = {.kind = kind, .ts = ts};
    snprintf(ev.coid, sizeof ev.coid, "%s", coid);
    return tt_book_on_event(b, &ev, out, NULL);
}

static int s_fill(tt_book_t *b, const char *coid, const char *fill_id,
                  tt_px_t px, tt_qty_t qty, tt_ns_t ts, tt_intents_t *out)
{
    tt_broker_ev_t ev = {.kind = TT_EV_FILL, .ts = ts, .px = px, .qty = qty};
    snprintf(ev.coid, sizeof ev.coid, "%s", coid);
    snprintf(ev.fill_id, sizeof ev.fill_id, "%s", fill_id);
    return tt_book_on_event(b, &ev, out, NULL);
}

/* Finds the intent for ROLE in OUT, or NULL. */
static const tt_intent_t *s_intent(const tt_intents_t *out, tt_role_t role)
{
    for (int i = 0; i < out->n; i++)
        if (out->v[i].order.role == role)
            return &out->v[i];
    return NULL;
}

/* Long 10 @ 100.00, stop 99.00, target 102.00; entry acked. */
static void s_enter_long(tt_book_t *b, tt_intents_t *out)
{
    tt_signal_t sig = s_sig(TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    assert_int_equal(tt_book_on_signal(b, &sig, 10, 1, out), 0);
    assert_int_equal(out->n, 1);
    assert_int_equal(out->v[0].kind, TT_INTENT_SUBMIT);
    assert_string_equal(out->v[0].order.coid, "tt-AAPL-1-e");
    assert_int_equal(s_event(b, TT_EV_ACCEPTED, "tt-AAPL-1-e", 2, out), 0);
    assert_int_equal(out->n, 0);
}

/* A book finds an order by its whole id among orders whose ids share
   their start, end and length, and finds nothing for a prefix, an
   extension or another symbol's id of the same shape. */
static void test_find_by_id(void **state)
{
    (void)state;
    tt_book_t b;
    s_book(&b, NULL);
    const tt_role_t roles[] = {TT_ROLE_STOP, TT_ROLE_TARGET};
    for (int i = 0; i < TT_BOOK_ORDERS; i++) {
        tt_order_t o;
        memset(&o, 0, sizeof o);
        /* Seqs 36 apart share their last digit: only the middle of the
           id tells them apart. */
        o.seq = 37 + (uint64_t)(i / 2) * 36;
        o.role = roles[i % 2];
        o.side = TT_SIDE_SELL;
        o.type = TT_ORD_LIMIT;
        o.qty = 1;
        o.limit_px = 100;
        o.state = TT_OS_ACCEPTED;
        assert_true(tt_coid_format(o.coid, "AAPL", o.seq, o.role) > 0);
        assert_int_equal(tt_book_restore_order(&b, &o), 0);
    }
    for (int i = 0; i < TT_BOOK_ORDERS; i++) {
        char id[TT_COID_MAX + 1];
        uint64_t seq = 37 + (uint64_t)(i / 2) * 36;
        tt_coid_format(id, "AAPL", seq, roles[i % 2]);
        const tt_order_t *o = tt_book_find(&b, id);
        assert_non_null(o);
        assert_true(o->seq == seq);
        assert_int_equal(o->role, roles[i % 2]);
        assert_string_equal(o->coid, id);
        char longer[TT_COID_MAX + 2];
        snprintf(longer, sizeof longer, "%sx", id);
        assert_null(tt_book_find(&b, longer));
        id[strlen(id) - 1] = '\0';
        assert_null(tt_book_find(&b, id));
    }
    char other[TT_COID_MAX + 1];
    tt_coid_format(other, "AAPM", 37, TT_ROLE_STOP);
    assert_null(tt_book_find(&b, other));
    tt_coid_format(other, "AAPL", 37 + 36 * TT_BOOK_ORDERS, TT_ROLE_STOP);
    assert_null(tt_book_find(&b, other));
    assert_null(tt_book_find(&b, ""));
    assert_null(tt_book_find(&b, NULL));
    assert_null(tt_book_find(&b, "tt-AAPL-this-id-is-far-too-long-for-a-c"));
}

static void test_bracket_partial_entry_and_oco(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_book(&b, NULL);
    s_enter_long(&b, &out);
    const tt_order_t *e = tt_book_find(&b, "tt-AAPL-1-e");
    assert_int_equal(e->type, TT_ORD_MARKET);
    assert_int_equal(e->side, TT_SIDE_BUY);
    /* 4 of 10 filled: stop and target for 4 go out. */
    assert_int_equal(s_fill(&b, "tt-AAPL-1-e", "f1", 10000, 4, 3, &out), 0);
    assert_int_equal(e->state, TT_OS_PARTIALLY_FILLED);
    assert_int_equal(out.n, 2);
    const tt_intent_t *st = s_intent(&out, TT_ROLE_STOP);
    const tt_intent_t *tg = s_intent(&out, TT_ROLE_TARGET);
    assert_non_null(st);
    assert_non_null(tg);
    assert_int_equal(st->kind, TT_INTENT_SUBMIT);
    assert_string_equal(st->order.coid, "tt-AAPL-2-s");
    assert_int_equal(st->order.type, TT_ORD_STOP);
    assert_int_equal(st->order.side, TT_SIDE_SELL);
    assert_int_equal(st->order.stop_px, 9900);
    assert_int_equal(st->order.qty, 4);
    assert_string_equal(tg->order.coid, "tt-AAPL-3-t");
    assert_int_equal(tg->order.type, TT_ORD_LIMIT);
    assert_int_equal(tg->order.limit_px, 10200);
    assert_int_equal(tg->order.qty, 4);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-2-s", 4, &out);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-3-t", 4, &out);
    /* The other 6 fill: both children are replaced to cover 10. */
    assert_int_equal(s_fill(&b, "tt-AAPL-1-e", "f2", 10000, 6, 5, &out), 0);
    assert_int_equal(e->state, TT_OS_FILLED);
    assert_int_equal(out.n, 2);
    st = s_intent(&out, TT_ROLE_STOP);
    tg = s_intent(&out, TT_ROLE_TARGET);
    assert_int_equal(st->kind, TT_INTENT_REPLACE);
    assert_string_equal(st->old_coid, "tt-AAPL-2-s");
    assert_string_equal(st->order.coid, "tt-AAPL-4-s");
    assert_true(st->order.replaces == 2);
    assert_int_equal(st->order.qty, 10);
    assert_int_equal(st->order.stop_px, 9900);
    assert_int_equal(tg->order.qty, 10);
    assert_string_equal(tg->order.coid, "tt-AAPL-5-t");
    assert_int_equal(tt_book_find(&b, "tt-AAPL-2-s")->state,
                     TT_OS_PENDING_REPLACE);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-4-s", 6, &out);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-5-t", 6, &out);
    assert_int_equal(tt_book_find(&b, "tt-AAPL-2-s")->state, TT_OS_REPLACED);
    assert_int_equal(tt_book_find(&b, "tt-AAPL-3-t")->state, TT_OS_REPLACED);
    /* Target fills: OCO cancels the stop; then the cycle ends. */
    assert_int_equal(s_fill(&b, "tt-AAPL-5-t", "f3", 10200, 10, 7, &out), 0);
    assert_int_equal(tt_book_position(&b)->qty, 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_CANCEL);
    assert_string_equal(out.v[0].order.coid, "tt-AAPL-4-s");
    assert_true(tt_book_busy(&b));
    s_event(&b, TT_EV_CANCELLED, "tt-AAPL-4-s", 8, &out);
    assert_int_equal(out.n, 0);
    assert_false(tt_book_busy(&b));
    /* 10 * (102.00 - 100.00) = 20.00 */
    assert_int_equal(tt_book_position(&b)->realized, 2000);
    assert_true(b.next_seq == 6);
}

/* A venue that keeps its commission out of the coins a buy delivered
   (Binance, in the base asset): the order counts what was executed, the
   position what arrived, and the exits cover what is held. */
static void test_fill_keeps_commission_qty(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    tt_book_result_t res;
    s_book(&b, NULL);
    s_enter_long(&b, &out);
    tt_broker_ev_t ev = {.kind = TT_EV_FILL,
                         .ts = 3,
                         .px = 10000,
                         .qty = 10,
                         .fee = 100,
                         .fee_qty = 1,
                         .coid = "tt-AAPL-1-e",
                         .fill_id = "f1"};
    /* All of it kept, or a negative part: refused, nothing applied. */
    ev.fee_qty = 10;
    assert_int_equal(tt_book_on_event(&b, &ev, &out, NULL), -1);
    ev.fee_qty = -1;
    assert_int_equal(tt_book_on_event(&b, &ev, &out, NULL), -1);
    assert_int_equal(tt_book_position(&b)->qty, 0);
    /* Commission decimals beyond 18 or an asset name without its end:
       refused too. */
    ev.fee_qty = 1;
    ev.commission_decimals = 19;
    assert_int_equal(tt_book_on_event(&b, &ev, &out, NULL), -1);
    ev.commission_decimals = 8;
    memset(ev.commission_asset, 'B', sizeof ev.commission_asset);
    assert_int_equal(tt_book_on_event(&b, &ev, &out, NULL), -1);
    assert_int_equal(tt_book_position(&b)->qty, 0);
    snprintf(ev.commission_asset, sizeof ev.commission_asset, "AAPL");
    ev.commission = 100000000; /* 1 AAPL at 8 decimals */
    assert_int_equal(tt_book_on_event(&b, &ev, &out, &res), 0);
    /* The ledger's fill keeps what the venue reported as it was. */
    assert_int_equal(res.fill.exec_qty, 10);
    assert_int_equal(res.fill.commission, 100000000);
    assert_int_equal(res.fill.commission_decimals, 8);
    assert_string_equal(res.fill.commission_asset, "AAPL");
    const tt_order_t *e = tt_book_find(&b, "tt-AAPL-1-e");
    assert_int_equal(e->state, TT_OS_FILLED);
    assert_int_equal(e->filled, 10);
    assert_int_equal(e->fees, 100);
    assert_int_equal(res.fill.qty, 9); /* the ledger's: what arrived */
    assert_int_equal(tt_book_position(&b)->qty, 9);
    assert_int_equal(tt_book_position(&b)->cost, 900 * 100);
    assert_int_equal(tt_book_position(&b)->fees, 100);
    assert_int_equal(s_intent(&out, TT_ROLE_STOP)->order.qty, 9);
    assert_int_equal(s_intent(&out, TT_ROLE_TARGET)->order.qty, 9);
    /* A sell never keeps coins this way: refused. */
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-2-s", 4, &out);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-3-t", 4, &out);
    tt_broker_ev_t sell = {.kind = TT_EV_FILL,
                           .ts = 5,
                           .px = 10200,
                           .qty = 9,
                           .fee_qty = 1,
                           .coid = "tt-AAPL-3-t",
                           .fill_id = "f2"};
    assert_int_equal(tt_book_on_event(&b, &sell, &out, NULL), -1);
    sell.fee_qty = 0;
    sell.fee = 37;
    assert_int_equal(tt_book_on_event(&b, &sell, &out, &res), 0);
    assert_int_equal(tt_book_position(&b)->qty, 0);
    /* A gateway that reports no commission of its own (paper): the fee is
       the commission, at the price scale, in no named asset. */
    assert_int_equal(res.fill.exec_qty, 9);
    assert_int_equal(res.fill.commission, 37);
    assert_int_equal(res.fill.commission_decimals, b.inst.px_decimals);
    assert_string_equal(res.fill.commission_asset, "");
    /* 9 * (102.00 - 100.00) = 18.00 */
    assert_int_equal(tt_book_position(&b)->realized, 1800);
}

static void test_oco_partial_child_resizes_sibling(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_book(&b, NULL);
    s_enter_long(&b, &out);
    s_fill(&b, "tt-AAPL-1-e", "f1", 10000, 10, 3, &out);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-2-s", 4, &out);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-3-t", 4, &out);
    /* The stop fills 3: the target shrinks to the 7 left. */
    assert_int_equal(s_fill(&b, "tt-AAPL-2-s", "f2", 9900, 3, 5, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_REPLACE);
    assert_string_equal(out.v[0].old_coid, "tt-AAPL-3-t");
    assert_int_equal(out.v[0].order.qty, 7);
    assert_int_equal(tt_book_position(&b)->qty, 7);
    /* The stop fills the rest: OCO cancels the target's replacement (the
       old target is pending replace and ends when the venue says so). */
    assert_int_equal(s_fill(&b, "tt-AAPL-2-s", "f3", 9900, 7, 6, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_CANCEL);
    assert_string_equal(out.v[0].order.coid, "tt-AAPL-4-t");
    s_event(&b, TT_EV_CANCELLED, "tt-AAPL-3-t", 7, &out); /* replaced */
    assert_int_equal(tt_book_find(&b, "tt-AAPL-3-t")->state, TT_OS_REPLACED);
    s_event(&b, TT_EV_CANCELLED, "tt-AAPL-4-t", 8, &out);
    assert_false(tt_book_busy(&b));
    assert_int_equal(tt_book_position(&b)->realized, -1000);
}

static void test_partial_fill_then_cancel(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    tt_book_cfg_t cfg = tt_book_cfg_default();
    cfg.entry_type = TT_ORD_LIMIT;
    s_book(&b, &cfg);
    s_enter_long(&b, &out);
    const tt_order_t *e = tt_book_find(&b, "tt-AAPL-1-e");
    assert_int_equal(e->type, TT_ORD_LIMIT);
    assert_int_equal(e->limit_px, 10000);
    s_fill(&b, "tt-AAPL-1-e", "f1", 10000, 3, 3, &out);
    assert_int_equal(tt_book_cancel(&b, "tt-AAPL-1-e", 4, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_CANCEL);
    assert_int_equal(e->state, TT_OS_PENDING_CANCEL);
    /* Cancelling twice is refused. */
    assert_int_equal(tt_book_cancel(&b, "tt-AAPL-1-e", 4, &out), -1);
    /* A fill racing the cancel: still pending, filled grows. */
    assert_int_equal(s_fill(&b, "tt-AAPL-1-e", "f2", 10000, 2, 5, &out), 0);
    assert_int_equal(e->state, TT_OS_PENDING_CANCEL);
    assert_int_equal(e->filled, 5);
    assert_int_equal(s_event(&b, TT_EV_CANCELLED, "tt-AAPL-1-e", 6, &out), 0);
    assert_int_equal(e->state, TT_OS_CANCELLED);
    assert_int_equal(tt_book_position(&b)->qty, 5);
    /* The children sized to 3 are still unacknowledged; once acked they
       are resized to the 5 actually held. */
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-2-s", 7, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.role, TT_ROLE_STOP);
    assert_int_equal(out.v[0].order.qty, 5);
    /* A late fill on the cancelled order is refused and counted. */
    assert_int_equal(s_fill(&b, "tt-AAPL-1-e", "f9", 10000, 1, 8, &out), -1);
    assert_true(b.refused_events == 1);
    assert_int_equal(tt_book_position(&b)->qty, 5);
}

/* A cancel's answer with a reason (the gateway's "cancelled before
   sending") is kept on the order, for its stored state. */
static void test_cancel_keeps_its_reason(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    tt_book_cfg_t cfg = tt_book_cfg_default();
    cfg.entry_type = TT_ORD_LIMIT;
    s_book(&b, &cfg);
    s_enter_long(&b, &out);
    const tt_order_t *e = tt_book_find(&b, "tt-AAPL-1-e");
    assert_int_equal(tt_book_cancel(&b, "tt-AAPL-1-e", 4, &out), 0);
    tt_broker_ev_t ev = {.kind = TT_EV_CANCELLED, .ts = 5};
    snprintf(ev.coid, sizeof ev.coid, "tt-AAPL-1-e");
    snprintf(ev.reason, sizeof ev.reason, "cancelled before sending");
    assert_int_equal(tt_book_on_event(&b, &ev, &out, NULL), 0);
    assert_int_equal(e->state, TT_OS_CANCELLED);
    assert_string_equal(e->reason, "cancelled before sending");
}

static void test_cancel_rejected_returns_to_working(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_book(&b, NULL);
    s_enter_long(&b, &out);
    tt_book_cancel(&b, "tt-AAPL-1-e", 3, &out);
    assert_int_equal(s_event(&b, TT_EV_CANCEL_REJECTED, "tt-AAPL-1-e", 4, &out),
                     0);
    assert_int_equal(tt_book_find(&b, "tt-AAPL-1-e")->state, TT_OS_ACCEPTED);
    /* Refusal of a cancel on an order that is no longer pending: moot. */
    assert_int_equal(s_event(&b, TT_EV_CANCEL_REJECTED, "tt-AAPL-1-e", 5, &out),
                     1);
}

static void test_replace_links_and_refusal(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    tt_book_cfg_t cfg = tt_book_cfg_default();
    cfg.entry_type = TT_ORD_LIMIT;
    s_book(&b, &cfg);
    s_enter_long(&b, &out);
    assert_int_equal(tt_book_replace(&b, "tt-AAPL-1-e", 8, 9990, 0, 3, &out),
                     0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_REPLACE);
    assert_string_equal(out.v[0].old_coid, "tt-AAPL-1-e");
    assert_string_equal(out.v[0].order.coid, "tt-AAPL-2-e");
    assert_true(out.v[0].order.replaces == 1);
    assert_int_equal(out.v[0].order.limit_px, 9990);
    assert_int_equal(out.v[0].order.qty, 8);
    /* Replacing again while pending is refused. */
    assert_int_equal(tt_book_replace(&b, "tt-AAPL-1-e", 7, 0, 0, 3, &out), -1);
    /* The venue refuses the replacement: the old order works on and is
       the bracket's entry again. */
    tt_broker_ev_t ev = {.kind = TT_EV_REJECTED, .ts = 4, .code = -2010};
    snprintf(ev.coid, sizeof ev.coid, "tt-AAPL-2-e");
    snprintf(ev.reason, sizeof ev.reason, "would trigger immediately");
    assert_int_equal(tt_book_on_event(&b, &ev, &out, NULL), 0);
    assert_int_equal(tt_book_find(&b, "tt-AAPL-2-e")->state, TT_OS_REJECTED);
    assert_int_equal(tt_book_find(&b, "tt-AAPL-2-e")->reject_code, -2010);
    assert_int_equal(tt_book_find(&b, "tt-AAPL-1-e")->state, TT_OS_ACCEPTED);
    assert_string_equal(tt_book_bracket_order(&b, TT_ROLE_ENTRY)->coid,
                        "tt-AAPL-1-e");
    assert_true(tt_book_busy(&b));
    /* A second replace goes through. */
    assert_int_equal(tt_book_replace(&b, "tt-AAPL-1-e", 8, 9990, 0, 5, &out),
                     0);
    assert_string_equal(out.v[0].order.coid, "tt-AAPL-3-e");
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-3-e", 6, &out);
    assert_int_equal(tt_book_find(&b, "tt-AAPL-1-e")->state, TT_OS_REPLACED);
    assert_string_equal(tt_book_bracket_order(&b, TT_ROLE_ENTRY)->coid,
                        "tt-AAPL-3-e");
}

static void test_duplicate_fill_ignored(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    tt_book_result_t res;
    s_book(&b, NULL);
    s_enter_long(&b, &out);
    tt_broker_ev_t ev = {
        .kind = TT_EV_FILL, .ts = 3, .px = 10000, .qty = 4, .fee = 7};
    snprintf(ev.coid, sizeof ev.coid, "tt-AAPL-1-e");
    snprintf(ev.fill_id, sizeof ev.fill_id, "venue-123");
    assert_int_equal(tt_book_on_event(&b, &ev, &out, &res), 0);
    assert_true(res.filled);
    assert_string_equal(res.fill.fill_id, "venue-123");
    assert_string_equal(res.fill.coid, "tt-AAPL-1-e");
    assert_int_equal(res.fill.side, TT_SIDE_BUY);
    assert_int_equal(res.state, TT_OS_PARTIALLY_FILLED);
    assert_int_equal(tt_book_on_event(&b, &ev, &out, &res), 1);
    assert_false(res.filled);
    assert_int_equal(out.n, 0);
    assert_true(b.dup_fills == 1);
    assert_int_equal(tt_book_position(&b)->qty, 4);
    assert_int_equal(tt_book_position(&b)->fees, 7);
    assert_int_equal(tt_book_find(&b, "tt-AAPL-1-e")->filled, 4);
    /* A fill without an id, an overfill and an unknown order: refused. */
    ev.fill_id[0] = '\0';
    assert_int_equal(tt_book_on_event(&b, &ev, &out, NULL), -1);
    snprintf(ev.fill_id, sizeof ev.fill_id, "venue-124");
    ev.qty = 7;
    assert_int_equal(tt_book_on_event(&b, &ev, &out, NULL), -1);
    assert_non_null(strstr(tt_book_error(&b), "overfills"));
    snprintf(ev.coid, sizeof ev.coid, "tt-AAPL-99-e");
    assert_int_equal(tt_book_on_event(&b, &ev, &out, NULL), -1);
    assert_true(b.unknown_events == 1);
    assert_int_equal(tt_book_position(&b)->qty, 4);
}

/* Long 10 filled at 100.00 with stop and target acknowledged. */
static void s_long_protected(tt_book_t *b, tt_intents_t *out)
{
    s_enter_long(b, out);
    s_fill(b, "tt-AAPL-1-e", "f1", 10000, 10, 3, out);
    s_event(b, TT_EV_ACCEPTED, "tt-AAPL-2-s", 4, out);
    s_event(b, TT_EV_ACCEPTED, "tt-AAPL-3-t", 4, out);
}

static void test_trailing_stop_follows_best_price(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    tt_book_cfg_t cfg = tt_book_cfg_default();
    cfg.trail_ticks = 50; /* 0.50 */
    s_book(&b, &cfg);
    s_long_protected(&b, &out);
    /* 100.30: trail 99.80 beats 99.00. */
    assert_int_equal(tt_book_on_mark(&b, 10030, 5, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_REPLACE);
    assert_int_equal(out.v[0].order.stop_px, 9980);
    assert_int_equal(out.v[0].order.qty, 10);
    s_event(&b, TT_EV_ACCEPTED, out.v[0].order.coid, 6, &out);
    /* Falling back never loosens: 100.10 leaves the stop at 99.80. */
    tt_book_on_mark(&b, 10010, 7, &out);
    assert_int_equal(out.n, 0);
    assert_int_equal(tt_book_bracket_order(&b, TT_ROLE_STOP)->stop_px, 9980);
    /* A new best 100.90 moves it to 100.40. */
    tt_book_on_mark(&b, 10090, 8, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.stop_px, 10040);
    /* While that replace is pending, a higher best is remembered and
       applied once the replacement is acknowledged. */
    tt_book_on_mark(&b, 10100, 9, &out);
    assert_int_equal(out.n, 0);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-5-s", 10, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.stop_px, 10050);
}

static void test_trailing_stop_short(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    tt_book_cfg_t cfg = tt_book_cfg_default();
    cfg.trail_ticks = 20;
    cfg.default_stop_ticks = 100;
    cfg.default_target_ticks = 300;
    s_book(&b, &cfg);
    tt_signal_t sig = s_sig(TT_SIG_ENTER_SHORT, 10000, 0, 0);
    assert_int_equal(tt_book_on_signal(&b, &sig, 5, 1, &out), 0);
    assert_int_equal(out.v[0].order.side, TT_SIDE_SELL);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-1-e", 2, &out);
    s_fill(&b, "tt-AAPL-1-e", "f1", 10000, 5, 3, &out);
    const tt_intent_t *st = s_intent(&out, TT_ROLE_STOP);
    const tt_intent_t *tg = s_intent(&out, TT_ROLE_TARGET);
    assert_int_equal(st->order.stop_px, 10100); /* default 100 ticks */
    assert_int_equal(st->order.side, TT_SIDE_BUY);
    assert_int_equal(tg->order.limit_px, 9700);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-2-s", 4, &out);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-3-t", 4, &out);
    tt_book_on_mark(&b, 9950, 5, &out); /* best 99.50 -> stop 99.70 */
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.stop_px, 9970);
}

static void test_breakeven_after_ticks(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    tt_book_cfg_t cfg = tt_book_cfg_default();
    cfg.be_trigger_ticks = 30;
    cfg.be_offset_ticks = 2;
    s_book(&b, &cfg);
    s_long_protected(&b, &out);
    tt_book_on_mark(&b, 10029, 5, &out); /* 29 ticks: not yet */
    assert_int_equal(out.n, 0);
    tt_book_on_mark(&b, 10030, 6, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.stop_px, 10002);
    assert_true(b.br.be_done);
    s_event(&b, TT_EV_ACCEPTED, out.v[0].order.coid, 7, &out);
    tt_book_on_mark(&b, 10060, 8, &out); /* done once, no trailing */
    assert_int_equal(out.n, 0);
}

static void test_breakeven_after_r(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    tt_book_cfg_t cfg = tt_book_cfg_default();
    cfg.be_trigger_r_bps = 5000; /* 0.5R; R = 100.00 - 99.00 = 1.00 */
    s_book(&b, &cfg);
    s_long_protected(&b, &out);
    tt_book_on_mark(&b, 10049, 5, &out);
    assert_int_equal(out.n, 0);
    tt_book_on_mark(&b, 10050, 6, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.stop_px, 10000);
}

static void test_move_stop_signal(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_book(&b, NULL);
    tt_signal_t mv = s_sig(TT_SIG_MOVE_STOP, 10100, 9950, 0);
    assert_int_equal(tt_book_on_signal(&b, &mv, 0, 1, &out), -1);
    s_long_protected(&b, &out);
    assert_int_equal(tt_book_on_signal(&b, &mv, 0, 5, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_REPLACE);
    assert_int_equal(out.v[0].order.stop_px, 9950);
    tt_signal_t loosen = s_sig(TT_SIG_MOVE_STOP, 10100, 9940, 0);
    assert_int_equal(tt_book_on_signal(&b, &loosen, 0, 6, &out), -1);
    assert_int_equal(out.n, 0);
    assert_non_null(strstr(tt_book_error(&b), "loosen"));
    tt_signal_t through = s_sig(TT_SIG_MOVE_STOP, 10000, 10000, 0);
    assert_int_equal(tt_book_on_signal(&b, &through, 0, 6, &out), -1);
    assert_int_equal(b.br.stop_px, 9950);
}

static void test_exit_cancels_children_then_closes(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_book(&b, NULL);
    s_long_protected(&b, &out);
    tt_signal_t ex = s_sig(TT_SIG_EXIT, 10050, 0, 0);
    assert_int_equal(tt_book_on_signal(&b, &ex, 0, 5, &out), 0);
    /* First the children go; no exit while one of them could fill. */
    assert_int_equal(out.n, 2);
    assert_int_equal(out.v[0].kind, TT_INTENT_CANCEL);
    assert_int_equal(out.v[1].kind, TT_INTENT_CANCEL);
    s_event(&b, TT_EV_CANCELLED, "tt-AAPL-2-s", 6, &out);
    assert_int_equal(out.n, 0);
    s_event(&b, TT_EV_CANCELLED, "tt-AAPL-3-t", 6, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_SUBMIT);
    assert_string_equal(out.v[0].order.coid, "tt-AAPL-4-x");
    assert_int_equal(out.v[0].order.type, TT_ORD_MARKET);
    assert_int_equal(out.v[0].order.side, TT_SIDE_SELL);
    assert_int_equal(out.v[0].order.qty, 10);
    /* A second EXIT changes nothing. */
    assert_int_equal(tt_book_on_signal(&b, &ex, 0, 7, &out), 0);
    assert_int_equal(out.n, 0);
    s_fill(&b, "tt-AAPL-4-x", "f9", 10050, 10, 8, &out);
    assert_false(tt_book_busy(&b));
    assert_int_equal(tt_book_position(&b)->realized, 500);
    /* EXIT when flat: nothing to do. */
    assert_int_equal(tt_book_on_signal(&b, &ex, 0, 9, &out), 0);
    assert_int_equal(out.n, 0);
}

static void test_one_position_per_symbol(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_book(&b, NULL);
    s_enter_long(&b, &out);
    tt_signal_t again = s_sig(TT_SIG_ENTER_SHORT, 10000, 10100, 9900);
    assert_int_equal(tt_book_on_signal(&b, &again, 10, 3, &out), -1);
    assert_int_equal(out.n, 0);
    assert_non_null(strstr(tt_book_error(&b), "one position per symbol"));
    /* The entry is rejected: the symbol is free again. */
    s_event(&b, TT_EV_REJECTED, "tt-AAPL-1-e", 4, &out);
    assert_false(tt_book_busy(&b));
    assert_int_equal(tt_book_on_signal(&b, &again, 10, 5, &out), 0);
    assert_string_equal(out.v[0].order.coid, "tt-AAPL-2-e");
}

static void test_entry_validation(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_book(&b, NULL);
    tt_signal_t nostop = s_sig(TT_SIG_ENTER_LONG, 10000, 0, 10200);
    assert_int_equal(tt_book_on_signal(&b, &nostop, 10, 1, &out), -1);
    tt_signal_t wrong = s_sig(TT_SIG_ENTER_LONG, 10000, 10100, 10200);
    assert_int_equal(tt_book_on_signal(&b, &wrong, 10, 1, &out), -1);
    tt_signal_t ok = s_sig(TT_SIG_ENTER_LONG, 10000, 9900, 10200);
    assert_int_equal(tt_book_on_signal(&b, &ok, 0, 1, &out), -1);
    tt_signal_t bad = s_sig((tt_signal_kind_t)77, 10000, 9900, 10200);
    assert_int_equal(tt_book_on_signal(&b, &bad, 10, 1, &out), -1);
    assert_int_equal(out.n, 0);
    assert_true(b.next_seq == 1); /* no id consumed by a refusal */
    tt_book_t c;
    tt_instrument_t bad_inst = s_inst;
    bad_inst.tick_size = 0;
    assert_int_equal(tt_book_init(&c, "AAPL", &bad_inst, NULL, 1), -1);
    assert_non_null(strstr(tt_book_error(&c), "tick_size"));
    assert_int_equal(tt_book_init(&c, "", &s_inst, NULL, 1), -1);
    assert_int_equal(tt_book_init(&c, "AAPL", &s_inst, NULL, 0), -1);
    tt_book_cfg_t cfg = tt_book_cfg_default();
    cfg.entry_type = TT_ORD_STOP;
    assert_int_equal(tt_book_init(&c, "AAPL", &s_inst, &cfg, 1), -1);
    /* A persisted sequence resumes the ids after a restart. */
    assert_int_equal(tt_book_init(&c, "AAPL", &s_inst, NULL, 500), 0);
    assert_int_equal(tt_book_on_signal(&c, &ok, 10, 1, &out), 0);
    assert_string_equal(out.v[0].order.coid, "tt-AAPL-dw-e"); /* 500 */
}

static void test_rejected_stop_flattens(void **state)
{
    (void)state;
    tt_book_t b;
    tt_intents_t out;
    s_book(&b, NULL);
    s_enter_long(&b, &out);
    s_fill(&b, "tt-AAPL-1-e", "f1", 10000, 10, 3, &out);
    s_event(&b, TT_EV_ACCEPTED, "tt-AAPL-3-t", 4, &out);
    s_event(&b, TT_EV_REJECTED, "tt-AAPL-2-s", 4, &out);
    /* Never unprotected: the target is cancelled, then the position is
       closed at market. */
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, TT_INTENT_CANCEL);
    assert_string_equal(out.v[0].order.coid, "tt-AAPL-3-t");
    s_event(&b, TT_EV_CANCELLED, "tt-AAPL-3-t", 5, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].order.role, TT_ROLE_EXIT);
    assert_int_equal(out.v[0].order.qty, 10);
    /* Exits rejected TT_BOOK_EXIT_RETRIES times: the book stops retrying
       (the operator is alerted through the rejections). */
    char coid[TT_COID_MAX + 1];
    for (int i = 0; i < TT_BOOK_EXIT_RETRIES; i++) {
        assert_int_equal(out.n, 1);
        snprintf(coid, sizeof coid, "%s", out.v[0].order.coid);
        s_event(&b, TT_EV_REJECTED, coid, 6 + i, &out);
    }
    assert_int_equal(out.n, 0);
    assert_true(tt_book_busy(&b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_transition),
        cmocka_unit_test(test_terminal_and_live),
        cmocka_unit_test(test_coid_format),
        cmocka_unit_test(test_coid_hashed_symbols),
        cmocka_unit_test(test_coid_unique_and_parse),
        cmocka_unit_test(test_bracket_partial_entry_and_oco),
        cmocka_unit_test(test_fill_keeps_commission_qty),
        cmocka_unit_test(test_oco_partial_child_resizes_sibling),
        cmocka_unit_test(test_partial_fill_then_cancel),
        cmocka_unit_test(test_cancel_keeps_its_reason),
        cmocka_unit_test(test_cancel_rejected_returns_to_working),
        cmocka_unit_test(test_replace_links_and_refusal),
        cmocka_unit_test(test_duplicate_fill_ignored),
        cmocka_unit_test(test_trailing_stop_follows_best_price),
        cmocka_unit_test(test_trailing_stop_short),
        cmocka_unit_test(test_breakeven_after_ticks),
        cmocka_unit_test(test_breakeven_after_r),
        cmocka_unit_test(test_move_stop_signal),
        cmocka_unit_test(test_exit_cancels_children_then_closes),
        cmocka_unit_test(test_one_position_per_symbol),
        cmocka_unit_test(test_entry_validation),
        cmocka_unit_test(test_rejected_stop_flattens),
        cmocka_unit_test(test_coid_and_copy_like_snprintf),
        cmocka_unit_test(test_find_by_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
