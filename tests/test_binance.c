/*  tests/test_binance.c: the Binance spot protocol layer against sample
    messages shaped as in the official docs (binance-spot-api-docs, values
    made up) and against broken ones: stream frames (raw and combined
    trade, aggTrade, kline; replies, errors, unknown events, truncation),
    decimal edge cases, the signature known-answer vectors, order request
    building, order responses, executionReport, error classes, klines
    history and exchangeInfo filters, the user-data session's listenKey
    and the recovery's myTrades. */
#include <stdio.h>
#include <string.h>

#include "tests/harness.h"
#include "venues/binance/bn_ordercount.h"
#include "venues/binance/bn_rest.h"
#include "venues/binance/bn_weight.h"
#include "venues/binance/bn_sign.h"
#include "venues/binance/bn_stream.h"

static const tt_bn_symtab_entry_t s_syms[] = {
    {"BTCUSDT", {.px_decimals = 2, .qty_decimals = 5}},
    {"ETHBTC", {.px_decimals = 6, .qty_decimals = 4}},
};
static tt_bn_symtab_t s_tab = {s_syms, 2};

static tt_bn_msg_kind_t s_parse(tt_bn_stream_t *st, const char *frame,
                                tt_bn_msg_t *m)
{
    return tt_bn_stream_parse(st, frame, strlen(frame), m);
}

#define TRADE                                                                  \
    "{\"e\":\"trade\",\"E\":1700000000123,\"s\":\"BTCUSDT\",\"t\":12345,"      \
    "\"p\":\"64000.10\",\"q\":\"0.01500\",\"T\":1700000000120,\"m\":true,"     \
    "\"M\":true}"

#define KLINE(x)                                                               \
    "{\"stream\":\"btcusdt@kline_1m\",\"data\":{\"e\":\"kline\",\"E\":"        \
    "1700000061000,\"s\":\"BTCUSDT\",\"k\":{\"t\":1700000040000,\"T\":"        \
    "1700000099999,\"s\":\"BTCUSDT\",\"i\":\"1m\",\"f\":100,\"L\":200,\"o\":"  \
    "\"64000.00\",\"c\":\"64010.50\",\"h\":\"64020.00\",\"l\":\"63990.00\","   \
    "\"v\":\"12.34567\",\"n\":101,\"x\":" x ",\"q\":\"790000.0\",\"V\":"       \
    "\"6.0\",\"Q\":\"384000.0\",\"B\":\"0\"}}}"

static void test_stream_trade(void **state)
{
    (void)state;
    tt_bn_stream_t st;
    tt_bn_msg_t m;
    tt_bn_stream_init(&st, tt_bn_symtab_lookup, &s_tab);
    assert_int_equal(s_parse(&st, TRADE, &m), TT_BN_MSG_TICK);
    assert_string_equal(m.symbol, "BTCUSDT");
    assert_int_equal(m.symbol_index, 0);
    assert_int_equal(m.tick.price, 6400010);
    assert_int_equal(m.tick.size, 1500);
    assert_int_equal(m.tick.trade_id, 12345);
    assert_int_equal(m.tick.ts, INT64_C(1700000000120) * 1000000);
    assert_int_equal(m.event_ts, INT64_C(1700000000123) * 1000000);
    assert_true(m.buyer_maker);
    assert_false(m.agg);

    /* Combined aggTrade, fields in another order, other symbol. */
    const char *agg =
        "{\"stream\":\"ethbtc@aggTrade\",\"data\":{\"T\":1700000000500,"
        "\"a\":777,\"p\":\"0.051234\",\"q\":\"1.5\",\"f\":1,\"l\":3,"
        "\"m\":false,\"M\":true,\"s\":\"ETHBTC\",\"E\":1700000000501,"
        "\"e\":\"aggTrade\"}}";
    assert_int_equal(s_parse(&st, agg, &m), TT_BN_MSG_TICK);
    assert_true(m.agg);
    assert_false(m.buyer_maker);
    assert_int_equal(m.symbol_index, 1);
    assert_int_equal(m.tick.price, 51234);
    assert_int_equal(m.tick.size, 15000);
    assert_int_equal(m.tick.trade_id, 777);
    assert_int_equal(st.stats.ticks, 2);
}

static void test_stream_kline(void **state)
{
    (void)state;
    tt_bn_stream_t st;
    tt_bn_msg_t m;
    tt_bn_stream_init(&st, tt_bn_symtab_lookup, &s_tab);
    assert_int_equal(s_parse(&st, KLINE("false"), &m), TT_BN_MSG_BAR);
    assert_false(m.bar.closed);
    assert_int_equal(m.bar.tf_s, 60);
    assert_int_equal(m.bar.open_ts, INT64_C(1700000040000) * 1000000);
    assert_int_equal(m.bar.open, 6400000);
    assert_int_equal(m.bar.high, 6402000);
    assert_int_equal(m.bar.low, 6399000);
    assert_int_equal(m.bar.close, 6401050);
    assert_int_equal(m.bar.volume, 1234567);
    assert_int_equal(m.bar.trades, 101);
    assert_int_equal(s_parse(&st, KLINE("true"), &m), TT_BN_MSG_BAR);
    assert_true(m.bar.closed);
    assert_int_equal(st.stats.bars, 2);

    /* Interval table. */
    assert_int_equal(tt_bn_interval_seconds("1s", 2), 1);
    assert_int_equal(tt_bn_interval_seconds("15m", 3), 900);
    assert_int_equal(tt_bn_interval_seconds("12h", 3), 43200);
    assert_int_equal(tt_bn_interval_seconds("1w", 2), 604800);
    assert_int_equal(tt_bn_interval_seconds("1M", 2), -1);
    assert_int_equal(tt_bn_interval_seconds("7m", 2), -1);
}

static void test_stream_control(void **state)
{
    (void)state;
    tt_bn_stream_t st;
    tt_bn_msg_t m;
    tt_bn_stream_init(&st, tt_bn_symtab_lookup, &s_tab);
    assert_int_equal(s_parse(&st, "{\"result\":null,\"id\":7}", &m),
                     TT_BN_MSG_REPLY);
    assert_int_equal(m.id, 7);
    assert_int_equal(
        s_parse(&st, "{\"code\":2,\"msg\":\"Invalid request: \\\"x\\\"\"}", &m),
        TT_BN_MSG_VENUE_ERROR);
    assert_int_equal(m.code, 2);
    assert_string_equal(m.text, "Invalid request: \"x\"");
    assert_int_equal(
        s_parse(&st, "{\"code\":3,\"msg\":\"Invalid JSON\",\"id\":9}", &m),
        TT_BN_MSG_VENUE_ERROR);
    assert_int_equal(m.id, 9);
    assert_int_equal(
        s_parse(&st, "{\"e\":\"serverShutdown\",\"E\":1700000000000}", &m),
        TT_BN_MSG_SHUTDOWN);
    assert_int_equal(
        s_parse(&st,
                "{\"e\":\"24hrTicker\",\"E\":1,\"s\":\"BTCUSDT\",\"c\":\"1\"}",
                &m),
        TT_BN_MSG_UNKNOWN);
    assert_non_null(strstr(m.text, "24hrTicker"));
    /* A month kline is skipped, not mistaken for a minute. */
    const char *month =
        "{\"e\":\"kline\",\"E\":1,\"s\":\"BTCUSDT\",\"k\":{\"t\":0,\"T\":1,"
        "\"i\":\"1M\",\"o\":\"1\",\"c\":\"1\",\"h\":\"1\",\"l\":\"1\",\"v\":"
        "\"1\",\"n\":1,\"x\":true}}";
    assert_int_equal(s_parse(&st, month, &m), TT_BN_MSG_UNKNOWN);
    const char *other =
        "{\"e\":\"trade\",\"E\":1,\"s\":\"XRPUSDT\",\"t\":1,\"p\":\"1\","
        "\"q\":\"1\",\"T\":1}";
    assert_int_equal(s_parse(&st, other, &m), TT_BN_MSG_UNKNOWN_SYMBOL);
    assert_string_equal(m.symbol, "XRPUSDT");
    assert_int_equal(st.stats.replies, 1);
    assert_int_equal(st.stats.venue_errors, 2);
    assert_int_equal(st.stats.shutdowns, 1);
    assert_int_equal(st.stats.unknown, 2);
    assert_int_equal(st.stats.unknown_symbol, 1);
}

static void s_expect_bad(tt_bn_stream_t *st, const char *frame, const char *why)
{
    tt_bn_msg_t m;
    tt_bn_msg_kind_t k = tt_bn_stream_parse(st, frame, strlen(frame), &m);
    if (k != TT_BN_MSG_MALFORMED || !strstr(m.text, why))
        fail_msg("%s: kind %d text '%s', want malformed '%s'", frame, k, m.text,
                 why);
}

static void test_stream_malformed(void **state)
{
    (void)state;
    tt_bn_stream_t st;
    tt_bn_stream_init(&st, tt_bn_symtab_lookup, &s_tab);
    /* Every truncation of a valid trade frame is reported, none parsed. */
    const char *t = TRADE;
    for (size_t n = 0; n < strlen(t); n++) {
        tt_bn_msg_t m;
        assert_int_equal(tt_bn_stream_parse(&st, t, n, &m),
                         TT_BN_MSG_MALFORMED);
        assert_true(strlen(m.text) > 0);
    }
    const char *k = KLINE("true");
    for (size_t n = 0; n < strlen(k); n += 7) {
        tt_bn_msg_t m;
        assert_int_equal(tt_bn_stream_parse(&st, k, n, &m),
                         TT_BN_MSG_MALFORMED);
    }
    s_expect_bad(&st, "[1,2]", "expected an object");
    s_expect_bad(&st, "not json", "bad JSON");
#define TR(p, q, T)                                                            \
    "{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":" p ",\"q\":" q  \
    ",\"T\":" T "}"
    s_expect_bad(&st, TR("64000.1", "\"1\"", "1"), "field \"p\"");
    s_expect_bad(&st, TR("\"64000.123\"", "\"1\"", "1"), "fractional digits");
    s_expect_bad(&st, TR("\"\"", "\"1\"", "1"), "\"p\"");
    s_expect_bad(&st, TR("\"1e\"", "\"1\"", "1"), "\"p\"");
    s_expect_bad(&st, TR("\"-5.00\"", "\"1\"", "1"), "price not positive");
    s_expect_bad(&st, TR("\"99999999999999999999.00\"", "\"1\"", "1"), "\"p\"");
    s_expect_bad(&st, TR("\"1\"", "\"1\"", "-1"), "field \"T\"");
    s_expect_bad(&st, TR("\"1\"", "\"1\"", "\"1\""), "field \"T\"");
    s_expect_bad(&st, TR("\"1\"", "\"1\"", "99999999999999999"), "\"T\"");
    s_expect_bad(&st,
                 "{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"p\":\"1\",\"q\":\"1\","
                 "\"T\":1}",
                 "field \"t\"");
    s_expect_bad(&st, "{\"e\":5}", "field \"e\"");
    s_expect_bad(&st, "{\"stream\":\"x\",\"data\":[1]}", "combined");
    s_expect_bad(&st,
                 "{\"e\":\"kline\",\"E\":1,\"s\":\"BTCUSDT\",\"k\":{\"t\":0,"
                 "\"T\":5,\"i\":\"1m\",\"o\":\"1\",\"c\":\"1\",\"h\":\"1\","
                 "\"l\":\"1\",\"v\":\"1\",\"n\":1,\"x\":true}}",
                 "close time");
    s_expect_bad(&st,
                 "{\"e\":\"kline\",\"E\":1,\"s\":\"BTCUSDT\",\"k\":{\"t\":0,"
                 "\"T\":59999,\"i\":\"1m\",\"o\":\"1\",\"c\":\"1\",\"h\":"
                 "\"0.5\",\"l\":\"1\",\"v\":\"1\",\"n\":1,\"x\":true}}",
                 "inconsistent");
    assert_true(st.stats.malformed > strlen(t));
    assert_int_equal(st.stats.ticks, 0);
}

static void test_stream_decimals(void **state)
{
    (void)state;
    /* Many decimals, trailing zeros beyond the scale, long exponent-free
       strings, exponents: exact, never via double. */
    static const tt_bn_symtab_entry_t e[] = {
        {"SHIBUSDT", {.px_decimals = 8, .qty_decimals = 0}}};
    tt_bn_symtab_t tab = {e, 1};
    tt_bn_stream_t st;
    tt_bn_msg_t m;
    tt_bn_stream_init(&st, tt_bn_symtab_lookup, &tab);
    char f[256];
#define SHIB(p, q)                                                             \
    snprintf(f, sizeof f,                                                      \
             "{\"e\":\"trade\",\"E\":1,\"s\":\"SHIBUSDT\",\"t\":1,\"p\":"      \
             "\"%s\",\"q\":\"%s\",\"T\":1}",                                   \
             p, q)
    SHIB("0.00000812", "123456789012.00000000");
    assert_int_equal(s_parse(&st, f, &m), TT_BN_MSG_TICK);
    assert_int_equal(m.tick.price, 812);
    assert_int_equal(m.tick.size, INT64_C(123456789012));
    SHIB("0.000008120000000000000000", "1");
    assert_int_equal(s_parse(&st, f, &m), TT_BN_MSG_TICK);
    assert_int_equal(m.tick.price, 812);
    SHIB("8.12e-6", "1");
    assert_int_equal(s_parse(&st, f, &m), TT_BN_MSG_TICK);
    assert_int_equal(m.tick.price, 812);
    SHIB("0.000008121", "1");
    assert_int_equal(s_parse(&st, f, &m), TT_BN_MSG_MALFORMED);
    SHIB("92233720368.54775808", "1"); /* INT64_MAX + 1 once scaled */
    assert_int_equal(s_parse(&st, f, &m), TT_BN_MSG_MALFORMED);
    SHIB("92233720368.54775807", "1");
    assert_int_equal(s_parse(&st, f, &m), TT_BN_MSG_TICK);
    assert_true(m.tick.price == INT64_MAX);
}

static void test_subscribe_build(void **state)
{
    (void)state;
    char buf[256];
    const char *streams[] = {"BTCUSDT@trade", "EthBtc@kline_1M",
                             "btcusdt@aggTrade"};
    int n = tt_bn_subscribe_json(buf, sizeof buf, "SUBSCRIBE", streams, 3, 1);
    assert_int_equal(n, (int)strlen(buf));
    assert_string_equal(buf, "{\"method\":\"SUBSCRIBE\",\"params\":["
                             "\"btcusdt@trade\",\"ethbtc@kline_1M\","
                             "\"btcusdt@aggTrade\"],\"id\":1}");
    assert_true(tt_bn_subscribe_json(buf, sizeof buf, "UNSUBSCRIBE", streams, 1,
                                     42) > 0);
    assert_string_equal(buf, "{\"method\":\"UNSUBSCRIBE\",\"params\":["
                             "\"btcusdt@trade\"],\"id\":42}");
    assert_int_equal(
        tt_bn_subscribe_json(buf, sizeof buf, "LIST", streams, 1, 1), -1);
    assert_int_equal(tt_bn_subscribe_json(buf, 20, "SUBSCRIBE", streams, 3, 1),
                     -1);
    const char *evil[] = {"btc\"usdt@trade"};
    assert_int_equal(
        tt_bn_subscribe_json(buf, sizeof buf, "SUBSCRIBE", evil, 1, 1), -1);
    assert_true(tt_bn_combined_path(buf, sizeof buf, streams, 2) > 0);
    assert_string_equal(buf, "/stream?streams=btcusdt@trade/ethbtc@kline_1M");
    assert_true(tt_bn_stream_name(buf, sizeof buf, "BTCUSDT", "kline_1m") > 0);
    assert_string_equal(buf, "btcusdt@kline_1m");
    assert_int_equal(tt_bn_stream_name(buf, sizeof buf, "", "trade"), -1);
}

/* ---- signing ------------------------------------------------------- */

static void test_sign_vectors(void **state)
{
    (void)state;
    char hex[TT_BN_SIG_HEX];
    const char *k1 =
        "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
    const char *p1 = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&"
                     "quantity=1&price=0.1&recvWindow=5000&timestamp="
                     "1499827319559";
    assert_int_equal(tt_bn_sign_hex(k1, strlen(k1), p1, strlen(p1), hex), 0);
    assert_string_equal(
        hex,
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");

    /* Our own vector, built through the order builder and signer. */
    const char *k2 = "testsecret123";
    char buf[512];
    tt_bn_query_t q;
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_bn_query_add(&q, "symbol", "BTCUSDT");
    tt_bn_query_add(&q, "side", "BUY");
    tt_bn_query_add(&q, "type", "LIMIT");
    tt_bn_query_add(&q, "timeInForce", "GTC");
    tt_bn_query_add(&q, "quantity", "0.01");
    tt_bn_query_add(&q, "price", "25000.00");
    tt_bn_query_add(&q, "newClientOrderId", "orch-0001");
    int n = tt_bn_query_sign(&q, k2, strlen(k2), INT64_C(1700000000000), 5000);
    assert_int_equal(n, (int)strlen(buf));
    assert_string_equal(
        buf, "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity="
             "0.01&price=25000.00&newClientOrderId=orch-0001&recvWindow=5000&"
             "timestamp=1700000000000&signature=641b51d70df25625c1ccde8878cd"
             "2f566a2aa0d9c26f8f9160bbaeb4ff9b56cd");

    /* Percent-encoding, overflow, recvWindow bound. */
    tt_bn_query_init(&q, buf, sizeof buf);
    tt_bn_query_add(&q, "a", "x y&z=1/é~_.-");
    assert_string_equal(buf, "a=x%20y%26z%3D1%2F%C3%A9~_.-");
    char small[16];
    tt_bn_query_init(&q, small, sizeof small);
    tt_bn_query_add(&q, "symbol", "BTCUSDT");
    tt_bn_query_add(&q, "side", "BUY");
    assert_int_equal(tt_bn_query_finish(&q), -1);
    assert_int_equal(tt_bn_query_sign(&q, k2, strlen(k2), 1, 0), -1);
    tt_bn_query_init(&q, buf, sizeof buf);
    assert_int_equal(tt_bn_query_sign(&q, k2, strlen(k2), 1, 60001), -1);
}

/* ---- orders -------------------------------------------------------- */

static void test_order_build(void **state)
{
    (void)state;
    char buf[512], err[128];
    tt_bn_query_t q;
    tt_bn_order_req_t r = {.symbol = "BTCUSDT",
                           .side = TT_SIDE_SELL,
                           .type = TT_BN_TYPE_STOP_LOSS_LIMIT,
                           .tif = TT_BN_TIF_GTC,
                           .qty = 1500,
                           .price = 6390000,
                           .stop_price = 6395050,
                           .px_decimals = 2,
                           .qty_decimals = 5,
                           .client_order_id = "tt-BTCUSDT-1-s"};
    tt_bn_query_init(&q, buf, sizeof buf);
    assert_int_equal(tt_bn_order_query(&r, &q, err, sizeof err), 0);
    assert_string_equal(buf, "symbol=BTCUSDT&side=SELL&type=STOP_LOSS_LIMIT&"
                             "timeInForce=GTC&quantity=0.01500&price=63900.00&"
                             "stopPrice=63950.50&newClientOrderId="
                             "tt-BTCUSDT-1-s&newOrderRespType=FULL");
    tt_bn_order_req_t mkt = {.symbol = "BTCUSDT",
                             .side = TT_SIDE_BUY,
                             .type = tt_bn_type_from_tt(TT_ORD_MARKET),
                             .qty = 100000,
                             .qty_decimals = 5};
    tt_bn_query_init(&q, buf, sizeof buf);
    assert_int_equal(tt_bn_order_query(&mkt, &q, err, sizeof err), 0);
    assert_string_equal(buf, "symbol=BTCUSDT&side=BUY&type=MARKET&quantity="
                             "1.00000&newOrderRespType=FULL");
    /* Missing and forbidden fields. */
    tt_bn_order_req_t bad = r;
    bad.stop_price = 0;
    tt_bn_query_init(&q, buf, sizeof buf);
    assert_int_equal(tt_bn_order_query(&bad, &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "needs a stop price"));
    bad = mkt;
    bad.price = 5;
    assert_int_equal(tt_bn_order_query(&bad, &q, err, sizeof err), -1);
    if (!strstr(err, "takes no price"))
        fail_msg("got %s", err);
    bad = r;
    bad.tif = 0;
    assert_int_equal(tt_bn_order_query(&bad, &q, err, sizeof err), -1);
    bad = r;
    bad.qty = 0;
    assert_int_equal(tt_bn_order_query(&bad, &q, err, sizeof err), -1);
    char tiny[40];
    tt_bn_query_init(&q, tiny, sizeof tiny);
    assert_int_equal(tt_bn_order_query(&r, &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "too small"));

    tt_bn_query_init(&q, buf, sizeof buf);
    assert_int_equal(tt_bn_order_ref_query(&q, "BTCUSDT", "tt-a b"), 0);
    assert_string_equal(buf, "symbol=BTCUSDT&origClientOrderId=tt-a%20b");
    tt_bn_query_init(&q, buf, sizeof buf);
    assert_int_equal(tt_bn_klines_query(&q, "BTCUSDT", "1m",
                                        INT64_C(1700000000000), 0, 5000),
                     0);
    assert_string_equal(buf, "symbol=BTCUSDT&interval=1m&startTime="
                             "1700000000000&limit=1000");
    assert_int_equal(tt_bn_klines_query(&q, "BTCUSDT", "2m", 0, 0, 1), -1);

    assert_int_equal(tt_bn_type_from_tt(TT_ORD_STOP), TT_BN_TYPE_STOP_LOSS);
    assert_int_equal(tt_bn_tif_from_tt(TT_TIF_DAY), 0);
    assert_int_equal(tt_bn_tif_from_tt(TT_TIF_IOC), TT_BN_TIF_IOC);
}

static const char s_full[] =
    "{\"symbol\":\"BTCUSDT\",\"orderId\":28,\"orderListId\":-1,"
    "\"clientOrderId\":\"tt-BTCUSDT-1-e\",\"transactTime\":1507725176595,"
    "\"price\":\"0.00000000\",\"origQty\":\"0.02000000\",\"executedQty\":"
    "\"0.02000000\",\"origQuoteOrderQty\":\"0.00000000\","
    "\"cummulativeQuoteQty\":\"1280.10000000\",\"status\":\"FILLED\","
    "\"timeInForce\":\"GTC\",\"type\":\"MARKET\",\"side\":\"BUY\","
    "\"workingTime\":1507725176595,\"selfTradePreventionMode\":\"NONE\","
    "\"fills\":[{\"price\":\"64000.00000000\",\"qty\":\"0.01500000\","
    "\"commission\":\"0.00001500\",\"commissionAsset\":\"BTC\",\"tradeId\":"
    "56},{\"price\":\"64020.00000000\",\"qty\":\"0.00500000\",\"commission\":"
    "\"0.00000500\",\"commissionAsset\":\"BTC\",\"tradeId\":57}]}";

static void test_order_response(void **state)
{
    (void)state;
    tt_instrument_t ins = {.px_decimals = 2, .qty_decimals = 5};
    tt_bn_order_resp_t r;
    char err[160];
    assert_int_equal(tt_bn_order_resp_parse(s_full, strlen(s_full), &ins, &r,
                                            err, sizeof err),
                     0);
    assert_string_equal(r.symbol, "BTCUSDT");
    assert_int_equal(r.order_id, 28);
    assert_string_equal(r.client_order_id, "tt-BTCUSDT-1-e");
    assert_true(r.has_status);
    assert_int_equal(r.state, TT_OS_FILLED);
    assert_int_equal(r.side, TT_SIDE_BUY);
    assert_int_equal(r.orig_qty, 2000);
    assert_int_equal(r.executed_qty, 2000);
    assert_int_equal(r.cum_quote, INT64_C(128010000000));
    assert_int_equal(r.transact_ts, INT64_C(1507725176595) * 1000000);
    assert_int_equal(r.nfills, 2);
    assert_int_equal(r.fills[0].price, 6400000);
    assert_int_equal(r.fills[0].qty, 1500);
    assert_int_equal(r.fills[0].commission, 1500);
    assert_string_equal(r.fills[0].commission_asset, "BTC");
    assert_int_equal(r.fills[1].trade_id, 57);
    assert_int_equal(r.fills[1].price, 6402000);

    const char *ack = "{\"symbol\":\"BTCUSDT\",\"orderId\":28,\"orderListId\":"
                      "-1,\"clientOrderId\":\"x1\",\"transactTime\":1}";
    assert_int_equal(
        tt_bn_order_resp_parse(ack, strlen(ack), &ins, &r, err, sizeof err), 0);
    assert_false(r.has_status);
    assert_int_equal(r.nfills, 0);

    const char *bad = "{\"symbol\":\"BTCUSDT\",\"orderId\":28,"
                      "\"clientOrderId\":\"x1\",\"status\":\"WEIRD\"}";
    assert_int_equal(
        tt_bn_order_resp_parse(bad, strlen(bad), &ins, &r, err, sizeof err),
        -1);
    assert_non_null(strstr(err, "status"));
    /* Truncated FULL response. */
    assert_int_equal(tt_bn_order_resp_parse(s_full, strlen(s_full) - 3, &ins,
                                            &r, err, sizeof err),
                     -1);
    /* A fill price finer than the instrument allows. */
    tt_instrument_t coarse = {.px_decimals = 0, .qty_decimals = 5};
    const char *fine = "{\"symbol\":\"BTCUSDT\",\"orderId\":1,"
                       "\"clientOrderId\":\"x\",\"status\":\"FILLED\","
                       "\"side\":\"BUY\",\"origQty\":\"1\",\"executedQty\":"
                       "\"1\",\"cummulativeQuoteQty\":\"1\",\"fills\":[{"
                       "\"price\":\"1.5\",\"qty\":\"1\",\"commission\":\"0\","
                       "\"commissionAsset\":\"BNB\",\"tradeId\":1}]}";
    assert_int_equal(tt_bn_order_resp_parse(fine, strlen(fine), &coarse, &r,
                                            err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "price"));
    assert_int_equal(tt_bn_status_to_tt("EXPIRED_IN_MATCH", 16), TT_OS_EXPIRED);
    assert_int_equal(tt_bn_status_to_tt("NEW", 3), TT_OS_ACCEPTED);
    assert_int_equal(tt_bn_status_to_tt("CANCELED", 8), TT_OS_CANCELLED);
}

#define EXEC(x, X, c, C, l, L, t, N)                                           \
    "{\"e\":\"executionReport\",\"E\":1499405658658,\"s\":\"BTCUSDT\","        \
    "\"c\":\"" c "\",\"S\":\"BUY\",\"o\":\"LIMIT\",\"f\":\"GTC\",\"q\":"       \
    "\"1.00000000\",\"p\":\"64000.00000000\",\"P\":\"0.00000000\",\"F\":"      \
    "\"0.00000000\",\"g\":-1,\"C\":\"" C "\",\"x\":\"" x "\",\"X\":\"" X       \
    "\",\"r\":\"NONE\",\"i\":4293153,\"l\":\"" l "\",\"z\":\"" l "\",\"L\":"   \
    "\"" L "\",\"n\":\"0.00000000\",\"N\":" N ",\"T\":1499405658657,\"t\":" t  \
    ",\"I\":8641984,\"w\":true,\"m\":false,\"M\":false,\"O\":"                 \
    "1499405658657,\"Z\":\"0.00000000\",\"Y\":\"0.00000000\",\"Q\":"           \
    "\"0.00000000\",\"W\":1499405658657,\"V\":\"NONE\"}"

static void test_execution_report(void **state)
{
    (void)state;
    tt_bn_exec_t x;
    char err[160];
    const char *trade = EXEC("TRADE", "PARTIALLY_FILLED", "tt-BTCUSDT-1-e", "",
                             "0.25000000", "63999.50000000", "77", "\"BNB\"");
    assert_int_equal(tt_bn_userdata_parse(trade, strlen(trade),
                                          tt_bn_symtab_lookup, &s_tab, &x, err,
                                          sizeof err),
                     TT_BN_UD_EXEC);
    assert_int_equal(x.exec_type, TT_BN_EXEC_TRADE);
    assert_int_equal(x.state, TT_OS_PARTIALLY_FILLED);
    assert_string_equal(x.client_order_id, "tt-BTCUSDT-1-e");
    assert_int_equal(x.order_id, 4293153);
    assert_int_equal(x.side, TT_SIDE_BUY);
    assert_int_equal(x.last_qty, 25000);
    assert_int_equal(x.cum_qty, 25000);
    assert_int_equal(x.last_px, 6399950);
    assert_int_equal(x.order_qty, 100000);
    assert_int_equal(x.trade_id, 77);
    assert_string_equal(x.commission_asset, "BNB");
    assert_int_equal(x.event_ts, INT64_C(1499405658658) * 1000000);

    /* A cancel names the original order in "C"; wrapped as the WebSocket
       API sends it. */
    char wrapped[2048];
    snprintf(wrapped, sizeof wrapped, "{\"subscriptionId\":0,\"event\":%s}",
             EXEC("CANCELED", "CANCELED", "cancel-77", "tt-BTCUSDT-1-e",
                  "0.00000000", "0.00000000", "-1", "null"));
    assert_int_equal(tt_bn_userdata_parse(wrapped, strlen(wrapped),
                                          tt_bn_symtab_lookup, &s_tab, &x, err,
                                          sizeof err),
                     TT_BN_UD_EXEC);
    assert_int_equal(x.state, TT_OS_CANCELLED);
    assert_string_equal(x.client_order_id, "tt-BTCUSDT-1-e");
    assert_int_equal(x.trade_id, -1);

    const char *nofill = EXEC("TRADE", "FILLED", "a", "", "0.00000000",
                              "0.00000000", "-1", "null");
    assert_int_equal(tt_bn_userdata_parse(nofill, strlen(nofill),
                                          tt_bn_symtab_lookup, &s_tab, &x, err,
                                          sizeof err),
                     TT_BN_UD_MALFORMED);
    assert_non_null(strstr(err, "TRADE without a fill"));
    const char *acct =
        "{\"e\":\"outboundAccountPosition\",\"E\":1564034571105,\"u\":"
        "1564034571073,\"B\":[{\"a\":\"ETH\",\"f\":\"10000.000000\",\"l\":"
        "\"0.000000\"}]}";
    assert_int_equal(tt_bn_userdata_parse(acct, strlen(acct),
                                          tt_bn_symtab_lookup, &s_tab, &x, err,
                                          sizeof err),
                     TT_BN_UD_ACCOUNT);
    const char *bal = "{\"e\":\"balanceUpdate\",\"E\":1,\"a\":\"BTC\"}";
    assert_int_equal(tt_bn_userdata_parse(bal, strlen(bal), tt_bn_symtab_lookup,
                                          &s_tab, &x, err, sizeof err),
                     TT_BN_UD_OTHER);
    assert_int_equal(tt_bn_userdata_parse(trade, 50, tt_bn_symtab_lookup,
                                          &s_tab, &x, err, sizeof err),
                     TT_BN_UD_MALFORMED);
    assert_int_equal(tt_bn_userdata_parse("{}", 2, tt_bn_symtab_lookup, &s_tab,
                                          &x, err, sizeof err),
                     TT_BN_UD_MALFORMED);
}

static void test_errors(void **state)
{
    (void)state;
    struct {
        int status;
        const char *body;
        tt_bn_rej_class_t cls;
        int64_t code;
    } cases[] = {
        {400,
         "{\"code\":-2010,\"msg\":\"Account has insufficient balance for "
         "requested action.\"}",
         TT_BN_REJ_FUNDS, -2010},
        {400, "{\"code\":-2010,\"msg\":\"Duplicate order sent.\"}",
         TT_BN_REJ_OTHER, -2010},
        {400, "{\"code\":-2011,\"msg\":\"Unknown order sent.\"}",
         TT_BN_REJ_UNKNOWN_ORDER, -2011},
        {400, "{\"code\":-2013,\"msg\":\"Order does not exist.\"}",
         TT_BN_REJ_UNKNOWN_ORDER, -2013},
        {401,
         "{\"code\":-2015,\"msg\":\"Invalid API-key, IP, or "
         "permissions for action.\"}",
         TT_BN_REJ_AUTH, -2015},
        {400,
         "{\"code\":-1022,\"msg\":\"Signature for this request is not "
         "valid.\"}",
         TT_BN_REJ_AUTH, -1022},
        {400, "{\"code\":-1013,\"msg\":\"Filter failure: LOT_SIZE\"}",
         TT_BN_REJ_FILTER, -1013},
        {429, "{\"code\":-1003,\"msg\":\"Too many requests.\"}",
         TT_BN_REJ_RATE_LIMIT, -1003},
        {418, "", TT_BN_REJ_RATE_LIMIT, 0},
        {503, "<html>", TT_BN_REJ_UNKNOWN_OUTCOME, 0},
        {400, "{\"code\":-1102,\"msg\":\"Mandatory parameter missing\"}",
         TT_BN_REJ_OTHER, -1102},
        {200, "{}", TT_BN_REJ_NONE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tt_bn_reject_t r;
        tt_bn_rej_class_t c = tt_bn_error_parse(cases[i].status, cases[i].body,
                                                strlen(cases[i].body), &r);
        if (c != cases[i].cls || r.code != cases[i].code)
            fail_msg("case %zu: class %s code %lld", i, tt_bn_rej_class_name(c),
                     (long long)r.code);
        assert_int_equal(r.http_status, cases[i].status);
    }
    tt_bn_reject_t r;
    const char *b = "{\"code\":-2010,\"msg\":\"Duplicate order sent.\"}";
    tt_bn_error_parse(400, b, strlen(b), &r);
    assert_string_equal(r.msg, "Duplicate order sent.");
    tt_bn_error_parse(502, "", 0, &r);
    assert_non_null(strstr(r.msg, "502"));
    assert_string_equal(tt_bn_rej_class_name(TT_BN_REJ_FUNDS),
                        "insufficient_funds");
}

static void test_klines_history(void **state)
{
    (void)state;
    tt_instrument_t ins = {.px_decimals = 2, .qty_decimals = 5};
    const char *body =
        "[[1700000040000,\"64000.00\",\"64020.00\",\"63990.00\",\"64010.50\","
        "\"12.34567\",1700000099999,\"790000.0\",101,\"6.0\",\"384000.0\","
        "\"0\"],[1700000100000,\"64010.50\",\"64011.00\",\"64001.00\","
        "\"64005.00\",\"1.00000\",1700000159999,\"64000.0\",7,\"0.5\","
        "\"32000.0\",\"0\"]]";
    tt_candle_t c[4];
    size_t n;
    char err[160];
    /* At 1700000130 s the second bar is still forming. */
    tt_ns_t now = INT64_C(1700000130) * TT_NS_PER_SEC;
    assert_int_equal(tt_bn_klines_parse(body, strlen(body), &ins, 60, now, c, 4,
                                        &n, err, sizeof err),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(c[0].open_ts, INT64_C(1700000040000) * 1000000);
    assert_int_equal(c[0].close, 6401050);
    assert_int_equal(c[0].volume, 1234567);
    assert_int_equal(c[0].trades, 101);
    assert_true(c[0].closed);
    assert_false(c[1].closed);
    assert_int_equal(c[1].tf_s, 60);
    assert_int_equal(tt_bn_klines_next_start_ms(&c[1]), INT64_C(1700000160000));
    /* Too little room, wrong interval, truncation, bad element. */
    assert_int_equal(tt_bn_klines_parse(body, strlen(body), &ins, 60, now, c, 1,
                                        &n, err, sizeof err),
                     -1);
    assert_int_equal(n, 0);
    assert_int_equal(tt_bn_klines_parse(body, strlen(body), &ins, 300, now, c,
                                        4, &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "klines[0]"));
    assert_int_equal(tt_bn_klines_parse(body, strlen(body) - 2, &ins, 60, now,
                                        c, 4, &n, err, sizeof err),
                     -1);
    const char *bad = "[[1700000040000,\"x\",\"1\",\"1\",\"1\",\"1\","
                      "1700000099999,\"1\",1]]";
    assert_int_equal(tt_bn_klines_parse(bad, strlen(bad), &ins, 60, now, c, 4,
                                        &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "klines[0][1]"));
    assert_int_equal(
        tt_bn_klines_parse("[]", 2, &ins, 60, now, c, 4, &n, err, sizeof err),
        0);
    assert_int_equal(n, 0);
}

static const char s_info[] =
    "{\"timezone\":\"UTC\",\"serverTime\":1,\"rateLimits\":[],\"symbols\":[{"
    "\"symbol\":\"BTCUSDT\",\"status\":\"TRADING\",\"filters\":["
    "{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"0.01000000\","
    "\"maxPrice\":\"1000000.00000000\",\"tickSize\":\"0.01000000\"},"
    "{\"filterType\":\"LOT_SIZE\",\"minQty\":\"0.00001000\",\"maxQty\":"
    "\"9000.00000000\",\"stepSize\":\"0.00001000\"},"
    "{\"filterType\":\"ICEBERG_PARTS\",\"limit\":10},"
    "{\"filterType\":\"NOTIONAL\",\"minNotional\":\"5.00000000\","
    "\"applyMinToMarket\":true,\"maxNotional\":\"9000000.00000000\","
    "\"applyMaxToMarket\":false,\"avgPriceMins\":5}]}]}";

static void test_filters(void **state)
{
    (void)state;
    tt_instrument_t ins = {.px_decimals = 2, .qty_decimals = 5};
    tt_bn_filters_t f;
    char err[160];
    assert_int_equal(tt_bn_filters_parse(s_info, strlen(s_info), "BTCUSDT",
                                         &ins, &f, err, sizeof err),
                     0);
    assert_int_equal(f.tick_size, 1);
    assert_int_equal(f.min_price, 1);
    assert_int_equal(f.max_price, 100000000);
    assert_int_equal(f.step_size, 1);
    assert_int_equal(f.max_qty, 900000000);
    assert_int_equal(f.min_notional, 50000000); /* 5 at 10^7 */
    assert_int_equal(f.max_notional, INT64_C(90000000000000));
    assert_true(f.notional_applies_to_market);
    assert_string_equal(f.base, ""); /* not in this reply */
    assert_int_equal(f.weight_per_min, 0);
    /* The assets and the request weight the venue allows a minute. */
    const char *named =
        "{\"rateLimits\":[{\"rateLimitType\":\"ORDERS\",\"interval\":"
        "\"SECOND\",\"intervalNum\":10,\"limit\":100},{\"rateLimitType\":"
        "\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\",\"intervalNum\":1,"
        "\"limit\":6000}],\"symbols\":[{\"symbol\":\"BTCUSDT\","
        "\"baseAsset\":\"BTC\",\"quoteAsset\":\"USDT\",\"filters\":[]}]}";
    assert_int_equal(tt_bn_filters_parse(named, strlen(named), "BTCUSDT", &ins,
                                         &f, err, sizeof err),
                     0);
    assert_string_equal(f.base, "BTC");
    assert_string_equal(f.quote, "USDT");
    assert_int_equal(f.weight_per_min, 6000);
    assert_int_equal(f.n_order_limits, 1);
    assert_int_equal(f.order_limits[0].interval_ms, 10000);
    assert_int_equal(f.order_limits[0].limit, 100);
    /* Both ORDERS limits of the venue, in its order; RAW_REQUESTS and an
       unknown interval ignored; a limit not positive refused. */
    const char *orders =
        "{\"rateLimits\":[{\"rateLimitType\":\"RAW_REQUESTS\",\"interval\":"
        "\"MINUTE\",\"intervalNum\":5,\"limit\":61000},{\"rateLimitType\":"
        "\"ORDERS\",\"interval\":\"DAY\",\"intervalNum\":1,\"limit\":"
        "200000},{\"rateLimitType\":\"ORDERS\",\"interval\":\"WEEK\","
        "\"intervalNum\":1,\"limit\":5},{\"rateLimitType\":\"ORDERS\","
        "\"interval\":\"SECOND\",\"intervalNum\":1,\"limit\":10}],"
        "\"symbols\":[{\"symbol\":\"BTCUSDT\",\"filters\":[]}]}";
    assert_int_equal(tt_bn_filters_parse(orders, strlen(orders), "BTCUSDT",
                                         &ins, &f, err, sizeof err),
                     0);
    assert_int_equal(f.weight_per_min, 0);
    assert_int_equal(f.n_order_limits, 2);
    assert_int_equal(f.order_limits[0].interval_ms, 86400000);
    assert_int_equal(f.order_limits[0].limit, 200000);
    assert_int_equal(f.order_limits[1].interval_ms, 1000);
    assert_int_equal(f.order_limits[1].limit, 10);
    const char *zero =
        "{\"rateLimits\":[{\"rateLimitType\":\"ORDERS\",\"interval\":"
        "\"SECOND\",\"intervalNum\":10,\"limit\":0}],\"symbols\":[{"
        "\"symbol\":\"BTCUSDT\",\"filters\":[]}]}";
    assert_int_equal(tt_bn_filters_parse(zero, strlen(zero), "BTCUSDT", &ins,
                                         &f, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "rateLimits: ORDERS limit not positive"));
    const char *badasset = "{\"symbols\":[{\"symbol\":\"BTCUSDT\","
                           "\"baseAsset\":\"b\\\"c\",\"filters\":[]}]}";
    assert_int_equal(tt_bn_filters_parse(badasset, strlen(badasset), "BTCUSDT",
                                         &ins, &f, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "baseAsset: not an asset name"));
    assert_int_equal(tt_bn_filters_parse(s_info, strlen(s_info), "ETHUSDT",
                                         &ins, &f, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "ETHUSDT not found"));
    /* The instrument is coarser than the venue's tick: refused. */
    tt_instrument_t coarse = {.px_decimals = 1, .qty_decimals = 5};
    assert_int_equal(tt_bn_filters_parse(s_info, strlen(s_info), "BTCUSDT",
                                         &coarse, &f, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "PRICE_FILTER.tickSize"));

    /* Fitting, with the older MIN_NOTIONAL filter and coarser steps. */
    const char *old =
        "{\"symbols\":[{\"symbol\":\"X\",\"filters\":[{\"filterType\":"
        "\"PRICE_FILTER\",\"minPrice\":\"1.00\",\"maxPrice\":\"0\","
        "\"tickSize\":\"0.05\"},{\"filterType\":\"LOT_SIZE\",\"minQty\":"
        "\"0.010\",\"maxQty\":\"100\",\"stepSize\":\"0.005\"},{\"filterType\":"
        "\"MIN_NOTIONAL\",\"minNotional\":\"10\",\"applyToMarket\":false}]}]}";
    tt_instrument_t xi = {.px_decimals = 2, .qty_decimals = 3};
    assert_int_equal(
        tt_bn_filters_parse(old, strlen(old), "X", &xi, &f, err, sizeof err),
        0);
    assert_int_equal(f.tick_size, 5);
    assert_int_equal(f.max_price, 0);
    assert_false(f.notional_applies_to_market);
    tt_px_t px = 10012;  /* 100.12 */
    tt_qty_t qty = 1234; /* 1.234 */
    assert_int_equal(
        tt_bn_filters_fit(&f, TT_SIDE_BUY, &px, &qty, 0, err, sizeof err), 0);
    assert_int_equal(px, 10010); /* buy rounds down */
    assert_int_equal(qty, 1230); /* step 0.005, down */
    px = 10012;
    qty = 1234;
    assert_int_equal(
        tt_bn_filters_fit(&f, TT_SIDE_SELL, &px, &qty, 0, err, sizeof err), 0);
    assert_int_equal(px, 10015); /* sell rounds up */
    px = 10000;
    qty = 50; /* 100 * 0.05 = 5 < 10 */
    assert_int_equal(
        tt_bn_filters_fit(&f, TT_SIDE_BUY, &px, &qty, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "notional below the minimum 10.00000"));
    px = 10000;
    qty = 4; /* below one step after rounding */
    assert_int_equal(
        tt_bn_filters_fit(&f, TT_SIDE_BUY, &px, &qty, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "lot step"));
    px = 10000;
    qty = 100005;
    assert_int_equal(
        tt_bn_filters_fit(&f, TT_SIDE_BUY, &px, &qty, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "maximum quantity"));
    px = 50;
    qty = 1000;
    assert_int_equal(
        tt_bn_filters_fit(&f, TT_SIDE_BUY, &px, &qty, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "minimum price"));
    /* Market order: the notional rule is off for MIN_NOTIONAL here. */
    px = 0;
    qty = 50;
    assert_int_equal(
        tt_bn_filters_fit(&f, TT_SIDE_BUY, &px, &qty, 10000, err, sizeof err),
        0);
    assert_int_equal(px, 0);
    f.notional_applies_to_market = true;
    assert_int_equal(
        tt_bn_filters_fit(&f, TT_SIDE_BUY, &px, &qty, 10000, err, sizeof err),
        -1);
}

/* POST /api/v3/userDataStream's key, and listenKeyExpired on the stream. */
static void test_listen_key(void **state)
{
    (void)state;
    char key[TT_BN_LISTEN_KEY_MAX], err[160];
    const char *ok = "{\"listenKey\":"
                     "\"pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf"
                     "19v8a65a1\"}";
    assert_int_equal(tt_bn_listen_key_parse(ok, strlen(ok), key, sizeof key,
                                            err, sizeof err),
                     0);
    assert_string_equal(key, "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81v"
                             "a65sdf19v8a65a1");
    static const char *const bad[] = {"{}",
                                      "{\"listenKey\":\"\"}",
                                      "{\"listenKey\":7}",
                                      "{\"listenKey\":\"ab/../cd\"}",
                                      "[1]",
                                      "not json"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(tt_bn_listen_key_parse(bad[i], strlen(bad[i]), key,
                                                sizeof key, err, sizeof err),
                         -1);
        assert_non_null(strstr(err, "userDataStream"));
    }
    /* Longer than the caller's buffer: refused, not cut. */
    assert_int_equal(
        tt_bn_listen_key_parse(ok, strlen(ok), key, 16, err, sizeof err), -1);
    assert_non_null(strstr(err, "longer than 15"));

    tt_bn_exec_t x;
    const char *expired =
        "{\"e\":\"listenKeyExpired\",\"E\":1576653824250,"
        "\"listenKey\":\"OfYGbUzi3PraNagEkdKuFwUHn48brFsItTdsu"
        "iIXrucEvD0rhRXZ7I6URWfE8YE8\"}";
    assert_int_equal(tt_bn_userdata_parse(expired, strlen(expired),
                                          tt_bn_symtab_lookup, &s_tab, &x, err,
                                          sizeof err),
                     TT_BN_UD_KEY_EXPIRED);
}

#define MYTRADE(id, oid, px, qty)                                              \
    "{\"symbol\":\"BTCUSDT\",\"id\":" id ",\"orderId\":" oid                   \
    ",\"orderListId\":-1,\"price\":\"" px "\",\"qty\":\"" qty "\","            \
    "\"quoteQty\":\"48.000012\",\"commission\":\"10.10000000\","               \
    "\"commissionAsset\":\"BNB\",\"time\":1499865549590,\"isBuyer\":true,"     \
    "\"isMaker\":false,\"isBestMatch\":true}"

/* GET /api/v3/myTrades: the trades of an order, oldest first. */
static void test_my_trades(void **state)
{
    (void)state;
    tt_bn_trade_t t[4];
    size_t n = 9;
    char err[160];
    const tt_instrument_t ins = {.px_decimals = 2, .qty_decimals = 5};
    const char *two =
        "[" MYTRADE("28457", "100234", "64000.10", "0.01000") "," MYTRADE(
            "28458", "100234", "64000.20", "0.00500") "]";
    assert_int_equal(
        tt_bn_trades_parse(two, strlen(two), &ins, t, 4, &n, err, sizeof err),
        0);
    assert_int_equal(n, 2);
    assert_int_equal(t[0].id, 28457);
    assert_int_equal(t[0].order_id, 100234);
    assert_int_equal(t[0].price, 6400010);
    assert_int_equal(t[0].qty, 1000);
    assert_int_equal(t[0].commission, 1010000000);
    assert_string_equal(t[0].commission_asset, "BNB");
    assert_int_equal(t[0].ts, INT64_C(1499865549590) * 1000000);
    assert_int_equal(t[1].qty, 500);
    assert_int_equal(
        tt_bn_trades_parse("[]", 2, &ins, t, 4, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);

    /* Too many for the caller, a field missing, a price finer than the
       instrument's decimals, a zero quantity, not an array. */
    assert_int_equal(
        tt_bn_trades_parse(two, strlen(two), &ins, t, 1, &n, err, sizeof err),
        -1);
    assert_non_null(strstr(err, "more than 1"));
    const char *noid = "[{\"orderId\":1,\"time\":1,\"price\":\"1\","
                       "\"qty\":\"1\",\"commission\":\"0\"}]";
    assert_int_equal(
        tt_bn_trades_parse(noid, strlen(noid), &ins, t, 4, &n, err, sizeof err),
        -1);
    assert_non_null(strstr(err, "myTrades[0]"));
    const char *fine = "[" MYTRADE("1", "2", "3", "0.1") "," MYTRADE(
        "2", "2", "64000.123", "0.1") "]";
    assert_int_equal(
        tt_bn_trades_parse(fine, strlen(fine), &ins, t, 4, &n, err, sizeof err),
        -1);
    assert_non_null(strstr(err, "myTrades[1]: field \"price\""));
    assert_int_equal(n, 0);
    const char *zero = "[" MYTRADE("1", "2", "3", "0") "]";
    assert_int_equal(
        tt_bn_trades_parse(zero, strlen(zero), &ins, t, 4, &n, err, sizeof err),
        -1);
    assert_non_null(strstr(err, "not positive"));
    assert_int_equal(tt_bn_trades_parse("{\"code\":-1}", 11, &ins, t, 4, &n,
                                        err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "not an array"));
    const char *noasset = "[{\"id\":1,\"orderId\":1,\"time\":1,\"price\":"
                          "\"1\",\"qty\":\"1\",\"commission\":\"0\"}]";
    assert_int_equal(tt_bn_trades_parse(noasset, strlen(noasset), &ins, t, 4,
                                        &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "myTrades[0]: field \"commissionAsset\""));
}

/* Commissions in ticktree's terms (BTCUSDT at 2 price and 3 quantity
   decimals, a lot of 0.001). */
static void test_commission(void **state)
{
    (void)state;
    const tt_instrument_t ins = {
        .px_decimals = 2, .qty_decimals = 3, .lot_size = 1, .tick_size = 1};
    tt_bn_fee_t f;
    char err[160];
    /* USDT: the fee itself, to the cent (0.19398126 -> 0.19; 0.195 ->
       0.20, half away from zero). */
    assert_int_equal(tt_bn_commission("USDT", 19398126, "BTC", "USDT",
                                      TT_SIDE_SELL, 19437, 499, &ins, 1, &f,
                                      err, sizeof err),
                     0);
    assert_int_equal(f.kind, TT_BN_FEE_QUOTE);
    assert_int_equal(f.fee, 19);
    assert_int_equal(f.fee_qty, 0);
    assert_int_equal(tt_bn_commission("USDT", 19500000, "BTC", "USDT",
                                      TT_SIDE_BUY, 19437, 499, &ins, 1, &f, err,
                                      sizeof err),
                     0);
    assert_int_equal(f.fee, 20);
    /* BTC on a buy of 0.500 at 190.55: 0.001 BTC kept, one lot, worth
       0.19055 -> 0.19. */
    assert_int_equal(tt_bn_commission("BTC", 100000, "BTC", "USDT", TT_SIDE_BUY,
                                      19055, 500, &ins, 1, &f, err, sizeof err),
                     0);
    assert_int_equal(f.kind, TT_BN_FEE_BASE);
    assert_int_equal(f.fee_qty, 1);
    assert_int_equal(f.fee, 19);
    /* 0.0005 BTC (10 bps) is half a lot: a whole lot is taken off the
       position, never less than the venue kept; its value is the fee. */
    assert_int_equal(tt_bn_commission("BTC", 50000, "BTC", "USDT", TT_SIDE_BUY,
                                      19055, 500, &ins, 1, &f, err, sizeof err),
                     0);
    assert_int_equal(f.fee_qty, 1);
    assert_int_equal(f.fee, 19);
    /* ... and up to the venue's coarser step (0.005). */
    assert_int_equal(tt_bn_commission("BTC", 100001, "BTC", "USDT", TT_SIDE_BUY,
                                      19055, 500, &ins, 5, &f, err, sizeof err),
                     0);
    assert_int_equal(f.fee_qty, 5);
    assert_int_equal(f.fee, 95); /* 0.005 x 190.55 = 0.95275 */
    /* All of it kept: refused, nothing would be held. */
    assert_int_equal(tt_bn_commission("BTC", 100000, "BTC", "USDT", TT_SIDE_BUY,
                                      19055, 1, &ins, 1, &f, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "leaves nothing"));
    /* BTC on a sell: coins beyond what was sold, valued. */
    assert_int_equal(tt_bn_commission("BTC", 100000, "BTC", "USDT",
                                      TT_SIDE_SELL, 19055, 500, &ins, 1, &f,
                                      err, sizeof err),
                     0);
    assert_int_equal(f.kind, TT_BN_FEE_BASE);
    assert_int_equal(f.fee_qty, 0);
    assert_int_equal(f.fee, 19);
    /* BNB, or an unknown asset: not valued. */
    assert_int_equal(tt_bn_commission("BNB", 100000, "BTC", "USDT", TT_SIDE_BUY,
                                      19055, 500, &ins, 1, &f, err, sizeof err),
                     0);
    assert_int_equal(f.kind, TT_BN_FEE_OTHER);
    assert_int_equal(f.fee, 0);
    assert_int_equal(f.fee_qty, 0);
    /* None at all: a quote fee of 0, whatever the asset says. */
    assert_int_equal(tt_bn_commission("", 0, "BTC", "USDT", TT_SIDE_BUY, 19055,
                                      500, &ins, 1, &f, err, sizeof err),
                     0);
    assert_int_equal(f.kind, TT_BN_FEE_QUOTE);
    assert_int_equal(f.fee, 0);
    assert_int_equal(tt_bn_commission("USDT", -1, "BTC", "USDT", TT_SIDE_BUY,
                                      19055, 500, &ins, 1, &f, err, sizeof err),
                     -1);
    /* Out of range: refused, not wrapped. */
    assert_int_equal(tt_bn_commission("BTC", INT64_MAX, "BTC", "USDT",
                                      TT_SIDE_BUY, INT64_MAX, INT64_MAX, &ins,
                                      3, &f, err, sizeof err),
                     -1);

    char base[16], quote[16];
    assert_true(tt_bn_split_symbol("BTCUSDT", base, quote, sizeof base));
    assert_string_equal(base, "BTC");
    assert_string_equal(quote, "USDT");
    assert_true(tt_bn_split_symbol("ETHFDUSD", base, quote, sizeof base));
    assert_string_equal(quote, "FDUSD");
    assert_true(tt_bn_split_symbol("ETHBTC", base, quote, sizeof base));
    assert_string_equal(base, "ETH");
    assert_false(tt_bn_split_symbol("USDT", base, quote, sizeof base));
    assert_false(tt_bn_split_symbol("ABCXYZ", base, quote, sizeof base));
}

/* The venue's request weight as it counts it: per clock minute, its
   header the truth, requests stopped at 90 % of the limit, every request
   held while the venue says wait. */
static void test_weight(void **state)
{
    (void)state;
    tt_bn_weight_t w;
    tt_bn_weight_init(&w, 0);
    assert_int_equal(w.limit, 6000);
    tt_bn_weight_limit(&w, -5);
    assert_int_equal(w.limit, 6000);
    tt_bn_weight_limit(&w, 100);
    const int64_t t0 = INT64_C(1700000080000); /* 40 s into a minute */
    int n = 0;
    while (n < 100 && tt_bn_weight_take(&w, 4, t0) == 0)
        n++;
    assert_int_equal(n, 22); /* 88 of the 90 allowed */
    assert_int_equal(w.used, 88);
    assert_int_equal(tt_bn_weight_take(&w, 4, t0), 20000); /* next minute */
    assert_int_equal(tt_bn_weight_take(&w, 2, t0), 0);
    tt_bn_weight_untake(&w, 2, t0);
    assert_int_equal(w.used, 88);
    assert_int_equal(w.inflight, 88);
    tt_bn_weight_answered(&w, 88); /* the 22 requests answered */
    /* The venue counts more (others on the IP): its count wins. */
    tt_bn_weight_seen(&w, 89, t0 + 1);
    assert_int_equal(tt_bn_weight_take(&w, 2, t0 + 1), 19999);
    tt_bn_weight_seen(&w, -1, t0 + 1); /* no header: nothing changes */
    assert_int_equal(w.used, 89);
    /* A new minute starts from nothing; a heavy request goes alone. */
    assert_int_equal(tt_bn_weight_take(&w, 4, t0 + 20000), 0);
    assert_int_equal(w.used, 4);
    tt_bn_weight_init(&w, 10);
    assert_int_equal(tt_bn_weight_take(&w, 20, t0), 0);
    assert_int_equal(tt_bn_weight_take(&w, 1, t0), 20000);

    /* Told to wait: Retry-After, else "banned until", else the minute. */
    tt_bn_weight_init(&w, 6000);
    tt_bn_reject_t e;
    const char *body = "{\"code\":-1003,\"msg\":\"Too many requests.\"}";
    tt_bn_error_parse(400, body, strlen(body), &e);
    assert_int_equal(e.cls, TT_BN_REJ_RATE_LIMIT);
    assert_true(tt_bn_weight_refused(&w, &e, 2, t0) == t0 + 2000);
    assert_int_equal(tt_bn_weight_take(&w, 1, t0 + 500), 1500);
    assert_int_equal(tt_bn_weight_take(&w, 1, t0 + 2000), 0);
    assert_true(tt_bn_weight_refused(&w, &e, -1, t0 + 2000) ==
                INT64_C(1700000100000));
    const char *ban = "{\"code\":-1003,\"msg\":\"Way too much request "
                      "weight used; IP banned until 1700000200000. Please "
                      "use WebSocket Streams.\"}";
    tt_bn_error_parse(418, ban, strlen(ban), &e);
    assert_true(tt_bn_weight_refused(&w, &e, -1, t0) == INT64_C(1700000200000));
    /* A shorter wait never shortens a longer one. */
    assert_true(tt_bn_weight_refused(&w, &e, 1, t0) == INT64_C(1700000200000));

    /* Requests in parallel (the history beside the gateway): what is in
       flight counts on top of the venue's count, a reply overtaken by a
       later one does not lower it, and a client may stop at its share. */
    tt_bn_weight_init(&w, 100);
    for (int i = 0; i < 3; i++)
        assert_int_equal(tt_bn_weight_take(&w, 2, t0), 0);
    assert_int_equal(w.inflight, 6);
    tt_bn_weight_answered(&w, 2);
    tt_bn_weight_seen(&w, 10, t0); /* others on the IP spent 8 */
    assert_int_equal(w.used, 14);  /* 10 + the 4 still in flight */
    tt_bn_weight_answered(&w, 2);
    tt_bn_weight_seen(&w, 8, t0); /* an earlier count, overtaken */
    assert_int_equal(w.used, 12);
    tt_bn_weight_answered(&w, 2);
    tt_bn_weight_seen(&w, 12, t0);
    assert_int_equal(w.used, 12);
    assert_int_equal(w.inflight, 0);
    assert_int_equal(tt_bn_weight_take_upto(&w, 40, 50, t0), 20000);
    assert_int_equal(tt_bn_weight_take_upto(&w, 38, 50, t0), 0);
    assert_int_equal(tt_bn_weight_take_upto(&w, 1, 50, t0), 20000);
    assert_int_equal(tt_bn_weight_take(&w, 1, t0), 0); /* the headroom's */
    tt_bn_weight_answered(&w, 1000);
    assert_int_equal(w.inflight, 0);

    assert_int_equal(tt_bn_path_weight("GET", TT_BN_PATH_ORDER), 4);
    assert_int_equal(tt_bn_path_weight("POST", TT_BN_PATH_ORDER), 1);
    assert_int_equal(tt_bn_path_weight("GET", TT_BN_PATH_EXCHANGE_INFO), 20);
    assert_int_equal(tt_bn_path_weight("GET", TT_BN_PATH_KLINES), 2);
    assert_int_equal(tt_bn_path_weight("GET", TT_BN_PATH_MY_TRADES), 20);
    assert_int_equal(tt_bn_path_weight("PUT", TT_BN_PATH_USER_STREAM), 2);
    assert_int_equal(tt_bn_path_weight("DELETE", TT_BN_PATH_ORDER_LIST), 1);
}

/* The account's new orders as the venue counts them: per clock window
   of each ORDERS limit, its headers the truth within the window they
   were sent in, an order that would pass a limit refused with the time
   until its window starts again. */
static void test_order_count(void **state)
{
    (void)state;
    tt_bn_ordercount_t c;
    tt_bn_ordercount_init(&c);
    assert_int_equal(c.n, 1); /* the documented example: 10 a second */
    assert_int_equal(c.w[0].interval_ms, 1000);
    assert_int_equal(c.w[0].limit, 10);
    const int64_t t0 = INT64_C(1700000004000); /* 4 s into a 10 s window */
    const tt_bn_order_window_t *full = NULL;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(tt_bn_ordercount_check(&c, 1, 0, t0, &full), 0);
        tt_bn_ordercount_add(&c, 1, t0);
    }
    assert_int_equal(tt_bn_ordercount_check(&c, 1, 0, t0 + 250, &full), 750);
    assert_ptr_equal(full, &c.w[0]);
    assert_int_equal(tt_bn_ordercount_check(&c, 1, 0, t0 + 1000, &full), 0);
    assert_null(full);

    /* exchangeInfo's limits replace the default; none given: kept. */
    const tt_bn_order_limit_t lim[] = {{10000, 3}, {86400000, 5}, {0, 7}};
    assert_false(tt_bn_ordercount_limits(&c, lim, 0));
    assert_int_equal(c.w[0].limit, 10);
    assert_true(tt_bn_ordercount_limits(&c, lim, 3));
    assert_int_equal(c.n, 2); /* the one without an interval dropped */
    assert_false(tt_bn_ordercount_limits(&c, lim, 2)); /* the same */
    /* An entry leaves room for its two exits: 1 + 2 of 3. */
    assert_int_equal(tt_bn_ordercount_check(&c, 1, 2, t0, NULL), 0);
    tt_bn_ordercount_add(&c, 1, t0);
    assert_int_equal(tt_bn_ordercount_check(&c, 1, 2, t0, &full), 6000);
    assert_int_equal(full->interval_ms, 10000);
    assert_int_equal(full->count, 1);
    assert_int_equal(tt_bn_ordercount_check(&c, 2, 0, t0, NULL), 0);
    tt_bn_ordercount_add(&c, 2, t0); /* its OCO list */
    assert_int_equal(tt_bn_ordercount_check(&c, 1, 0, t0, NULL), 6000);
    /* Not sent after all: given back. */
    tt_bn_ordercount_add(&c, -2, t0);
    assert_int_equal(c.w[0].count, 1);
    tt_bn_ordercount_add(&c, -5, t0);
    assert_int_equal(c.w[0].count, 0);
    tt_bn_ordercount_add(&c, 3, t0);
    /* The next 10 s window: the day still counts 3 of 5; an entry then
       asks only the room the limit leaves beside it. */
    assert_int_equal(tt_bn_ordercount_check(&c, 1, 2, t0 + 6000, NULL),
                     INT64_C(86400000) - (t0 + 6000) % 86400000);
    assert_int_equal(tt_bn_ordercount_check(&c, 2, 0, t0 + 6000, NULL), 0);
    tt_bn_ordercount_add(&c, 1, t0 + 6000);
    const tt_bn_order_limit_t one[] = {{10000, 1}};
    assert_true(tt_bn_ordercount_limits(&c, one, 1));
    assert_int_equal(c.n, 1);
    assert_int_equal(c.w[0].count, 1); /* the 10 s window's count kept */
    assert_int_equal(tt_bn_ordercount_check(&c, 1, 2, t0 + 6000, NULL), 10000);
    /* A limit of 1 leaves no room beside an entry: it goes alone. */
    assert_int_equal(tt_bn_ordercount_check(&c, 1, 2, t0 + 16000, NULL), 0);

    /* The venue's count wins within the window the request went in; a
       reply to a request of the window before, or of an interval not
       limited, or without a count, changes nothing. */
    tt_bn_ordercount_seen(&c, 10000, 1, t0 + 6000, t0 + 6100);
    assert_int_equal(c.w[0].count, 1);
    assert_int_equal(tt_bn_ordercount_check(&c, 1, 0, t0 + 6100, NULL), 9900);
    tt_bn_ordercount_seen(&c, 10000, 1, t0 + 15999, t0 + 16001);
    assert_int_equal(tt_bn_ordercount_check(&c, 1, 0, t0 + 16001, NULL), 0);
    tt_bn_ordercount_seen(&c, 86400000, 9, t0 + 16001, t0 + 16002);
    tt_bn_ordercount_seen(&c, 10000, -1, t0 + 16001, t0 + 16002);
    assert_int_equal(c.w[0].count, 0);
    tt_bn_ordercount_seen(&c, 10000, 1, t0 + 16001, t0 + 16002);
    assert_int_equal(c.w[0].count, 1);

    assert_int_equal(tt_bn_path_orders("POST", TT_BN_PATH_ORDER), 1);
    assert_int_equal(tt_bn_path_orders("POST", TT_BN_PATH_OCO), 2);
    assert_int_equal(tt_bn_path_orders("DELETE", TT_BN_PATH_ORDER), 0);
    assert_int_equal(tt_bn_path_orders("GET", TT_BN_PATH_ORDER), 0);
    assert_int_equal(tt_bn_path_orders("POST", TT_BN_PATH_USER_STREAM), 0);
    char text[32];
    tt_bn_interval_text(10000, text, sizeof text);
    assert_string_equal(text, "10 s");
    tt_bn_interval_text(86400000, text, sizeof text);
    assert_string_equal(text, "1 day");
    tt_bn_interval_text(300000, text, sizeof text);
    assert_string_equal(text, "5 min");
    tt_bn_interval_text(1500, text, sizeof text);
    assert_string_equal(text, "1500 ms");
}

/* A long position's exits as one OCO list: the take-profit above as
   LIMIT_MAKER, the stop below, each leg with our client id. */
static void test_oco_build(void **state)
{
    (void)state;
    char buf[768], err[128];
    tt_bn_query_t q;
    tt_bn_oco_req_t r = {.symbol = "BTCUSDT",
                         .side = TT_SIDE_SELL,
                         .qty = 50000,
                         .target_price = 6600000,
                         .stop_price = 6300050,
                         .px_decimals = 2,
                         .qty_decimals = 5,
                         .list_client_order_id = "tt-BTCUSDT-2-s.l",
                         .target_client_order_id = "tt-BTCUSDT-3-t",
                         .stop_client_order_id = "tt-BTCUSDT-2-s"};
    tt_bn_query_init(&q, buf, sizeof buf);
    assert_int_equal(tt_bn_oco_query(&r, &q, err, sizeof err), 0);
    assert_string_equal(
        buf, "symbol=BTCUSDT&listClientOrderId=tt-BTCUSDT-2-s.l&side=SELL&"
             "quantity=0.50000&aboveType=LIMIT_MAKER&aboveClientOrderId="
             "tt-BTCUSDT-3-t&abovePrice=66000.00&belowType=STOP_LOSS&"
             "belowClientOrderId=tt-BTCUSDT-2-s&belowStopPrice=63000.50&"
             "newOrderRespType=RESULT");
    /* A short's exits: the stop above (here a stop-limit), the
       take-profit below. */
    tt_bn_oco_req_t b = r;
    b.side = TT_SIDE_BUY;
    b.target_price = 6000000;
    b.stop_price = 6300000;
    b.stop_limit_price = 6310000;
    tt_bn_query_init(&q, buf, sizeof buf);
    assert_int_equal(tt_bn_oco_query(&b, &q, err, sizeof err), 0);
    assert_string_equal(
        buf, "symbol=BTCUSDT&listClientOrderId=tt-BTCUSDT-2-s.l&side=BUY&"
             "quantity=0.50000&aboveType=STOP_LOSS_LIMIT&aboveClientOrderId="
             "tt-BTCUSDT-2-s&aboveStopPrice=63000.00&abovePrice=63100.00&"
             "aboveTimeInForce=GTC&belowType=LIMIT_MAKER&belowClientOrderId="
             "tt-BTCUSDT-3-t&belowPrice=60000.00&newOrderRespType=RESULT");
    /* Prices on the wrong sides, missing ids, a full buffer. */
    tt_bn_oco_req_t bad = r;
    bad.target_price = 6200000;
    tt_bn_query_init(&q, buf, sizeof buf);
    assert_int_equal(tt_bn_oco_query(&bad, &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "must be above its stop"));
    bad = b;
    bad.stop_price = 5900000;
    assert_int_equal(tt_bn_oco_query(&bad, &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "must be below its stop"));
    bad = r;
    bad.stop_client_order_id = NULL;
    assert_int_equal(tt_bn_oco_query(&bad, &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "client ids"));
    bad = r;
    bad.qty = 0;
    assert_int_equal(tt_bn_oco_query(&bad, &q, err, sizeof err), -1);
    char tiny[64];
    tt_bn_query_init(&q, tiny, sizeof tiny);
    assert_int_equal(tt_bn_oco_query(&r, &q, err, sizeof err), -1);
    assert_non_null(strstr(err, "too small"));

    tt_bn_query_init(&q, buf, sizeof buf);
    assert_int_equal(tt_bn_order_list_ref_query(&q, "BTCUSDT", 7), 0);
    assert_string_equal(buf, "symbol=BTCUSDT&orderListId=7");
    assert_int_equal(tt_bn_order_list_ref_query(&q, "BTCUSDT", -1), -1);
}

static const char s_list[] =
    "{\"orderListId\":7,\"contingencyType\":\"OCO\",\"listStatusType\":"
    "\"EXEC_STARTED\",\"listOrderStatus\":\"EXECUTING\",\"listClientOrderId\":"
    "\"tt-BTCUSDT-2-s.l\",\"transactionTime\":1700000000000,\"symbol\":"
    "\"BTCUSDT\",\"orders\":[{\"symbol\":\"BTCUSDT\",\"orderId\":11,"
    "\"clientOrderId\":\"tt-BTCUSDT-2-s\"},{\"symbol\":\"BTCUSDT\",\"orderId\":"
    "12,\"clientOrderId\":\"tt-BTCUSDT-3-t\"}],\"orderReports\":[{\"symbol\":"
    "\"BTCUSDT\",\"orderId\":11,\"orderListId\":7,\"clientOrderId\":"
    "\"tt-BTCUSDT-2-s\",\"transactTime\":1700000000000,\"price\":\"0.00\","
    "\"origQty\":\"0.50000\",\"executedQty\":\"0.00000\","
    "\"cummulativeQuoteQty\":\"0.00\",\"status\":\"NEW\",\"timeInForce\":"
    "\"GTC\",\"type\":\"STOP_LOSS\",\"side\":\"SELL\",\"stopPrice\":"
    "\"63000.50\"},{\"symbol\":\"BTCUSDT\",\"orderId\":12,\"orderListId\":7,"
    "\"clientOrderId\":\"tt-BTCUSDT-3-t\",\"transactTime\":1700000000000,"
    "\"price\":\"66000.00\",\"origQty\":\"0.50000\",\"executedQty\":"
    "\"0.00000\",\"cummulativeQuoteQty\":\"0.00\",\"status\":\"NEW\","
    "\"timeInForce\":\"GTC\",\"type\":\"LIMIT_MAKER\",\"side\":\"SELL\"}]}";

static void test_order_list_response(void **state)
{
    (void)state;
    tt_instrument_t ins = {.px_decimals = 2, .qty_decimals = 5};
    tt_bn_order_resp_t legs[2];
    size_t n = 9;
    int64_t id = 0;
    char err[160];
    assert_int_equal(tt_bn_order_list_parse(s_list, strlen(s_list), &ins, &id,
                                            legs, 2, &n, err, sizeof err),
                     0);
    assert_int_equal(id, 7);
    assert_int_equal(n, 2);
    assert_string_equal(legs[0].client_order_id, "tt-BTCUSDT-2-s");
    assert_int_equal(legs[0].order_id, 11);
    assert_int_equal(legs[0].order_list_id, 7);
    assert_int_equal(legs[0].state, TT_OS_ACCEPTED);
    assert_int_equal(legs[0].orig_qty, 50000);
    assert_string_equal(legs[1].client_order_id, "tt-BTCUSDT-3-t");
    assert_int_equal(legs[1].order_id, 12);
    /* A lone order has no list. */
    tt_bn_order_resp_t one;
    assert_int_equal(tt_bn_order_resp_parse(s_full, strlen(s_full), &ins, &one,
                                            err, sizeof err),
                     0);
    assert_int_equal(one.order_list_id, -1);
    /* More legs than room, no reports, truncated, a bad list id. */
    assert_int_equal(tt_bn_order_list_parse(s_list, strlen(s_list), &ins, &id,
                                            legs, 1, &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "at most 1"));
    const char *none = "{\"orderListId\":7}";
    assert_int_equal(tt_bn_order_list_parse(none, strlen(none), &ins, &id, legs,
                                            2, &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "orderReports"));
    assert_int_equal(tt_bn_order_list_parse(s_list, strlen(s_list) - 4, &ins,
                                            &id, legs, 2, &n, err, sizeof err),
                     -1);
    /* A list cancel's legs: the order by origClientOrderId (clientOrderId
       is the cancel's own). */
    const char *cancel =
        "{\"orderListId\":7,\"orderReports\":[{\"symbol\":\"BTCUSDT\","
        "\"origClientOrderId\":\"tt-BTCUSDT-2-s\",\"orderId\":11,"
        "\"orderListId\":7,\"clientOrderId\":\"unfWT8ig8i0uj6lPuYLez6\","
        "\"price\":\"0.00\",\"origQty\":\"0.50000\",\"executedQty\":"
        "\"0.00000\",\"cummulativeQuoteQty\":\"0.00\",\"status\":"
        "\"CANCELED\",\"side\":\"SELL\"}]}";
    assert_int_equal(tt_bn_order_list_parse(cancel, strlen(cancel), &ins, &id,
                                            legs, 2, &n, err, sizeof err),
                     0);
    assert_int_equal(n, 1);
    assert_string_equal(legs[0].client_order_id, "tt-BTCUSDT-2-s");
    assert_int_equal(legs[0].state, TT_OS_CANCELLED);
    const char *neg = "{\"orderListId\":-1,\"orderReports\":[]}";
    assert_int_equal(tt_bn_order_list_parse(neg, strlen(neg), &ins, &id, legs,
                                            2, &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "orderListId"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_trade),
        cmocka_unit_test(test_stream_kline),
        cmocka_unit_test(test_stream_control),
        cmocka_unit_test(test_stream_malformed),
        cmocka_unit_test(test_stream_decimals),
        cmocka_unit_test(test_subscribe_build),
        cmocka_unit_test(test_sign_vectors),
        cmocka_unit_test(test_order_build),
        cmocka_unit_test(test_order_response),
        cmocka_unit_test(test_execution_report),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_klines_history),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_listen_key),
        cmocka_unit_test(test_my_trades),
        cmocka_unit_test(test_commission),
        cmocka_unit_test(test_weight),
        cmocka_unit_test(test_order_count),
        cmocka_unit_test(test_oco_build),
        cmocka_unit_test(test_order_list_response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
