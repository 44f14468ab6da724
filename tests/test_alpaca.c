/*  tests/test_alpaca.c: the Alpaca market-data side of venues/alpaca: the
    JSON scanner (venues/common/jscan) as Alpaca relies on it, RFC 3339 times
   (expected instants computed by hand from known epoch dates), and market-data
   frames: the documented samples from docs (shared/protocols.md section 1),
   batched, crypto, number policy, malformed and truncated frames, and the
   client messages checked by parsing them back with jansson. */
#include "tests/harness.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "venues/alpaca/ap_stream.h"
#include "venues/alpaca/ap_time.h"
#include "venues/common/jscan.h"

/* 2024-05-06T00:00:00Z: 2024-01-01 is 1704067200, plus 126 days. */
#define DAY_20240506 INT64_C(1714953600)
#define NS(s) ((int64_t)(s)*INT64_C(1000000000))

/* ---- JSON scanner ----------------------------------------------------- */

/* Reads TEXT as one JSON value with nothing after it into *V. An object or
   array is walked as the root (so nesting counts from it); any other
   value is read as the one element of a copy in brackets. */
static int s_one_value(const char *text, tt_jval_t *v)
{
    static char wrap[256];
    tt_jiter_t it;
    size_t n = strlen(text);
    int rc;
    if (text[0] == '{' || text[0] == '[') {
        bool obj = text[0] == '{';
        tt_jval_t key, val;
        if (tt_jiter_root(&it, text, n, text[0]) < 0)
            return -1;
        do
            rc = obj ? tt_jiter_member(&it, &key, &val)
                     : tt_jiter_element(&it, &val);
        while (rc == 1);
        v->type = obj ? TT_JS_OBJECT : TT_JS_ARRAY;
        v->p = text;
        v->len = n;
        return rc;
    }
    assert_true(n + 3 <= sizeof wrap);
    snprintf(wrap, sizeof wrap, "[%s]", text);
    if (tt_jiter_root(&it, wrap, n + 2, '[') < 0 ||
        tt_jiter_element(&it, v) != 1 || tt_jiter_element(&it, v) != 0)
        return -1;
    return 0;
}

static void test_json_numbers(void **state)
{
    (void)state;
    static const char *good[] = {
        "0",    "-0",   "189.31",  "0.00012345",
        "1e-5", "1E+2", "-12.5e3", "123456789012345678901"};
    static const char *bad[] = {"01", "+1",   ".5",   "5.",  "1e",  "1e+",
                                "-",  "0x10", "1.e5", "--1", "NaN", "Infinity"};
    tt_jval_t v;
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        assert_int_equal(s_one_value(good[i], &v), 0);
        assert_int_equal(v.type, TT_JS_NUMBER);
        assert_int_equal(v.len, strlen(good[i]));
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(s_one_value(bad[i], &v), -1);
}

static void test_json_strings(void **state)
{
    (void)state;
    tt_jval_t v;
    char out[32];
    assert_int_equal(s_one_value("\"a\\\"b\\\\c\\/\\n\"", &v), 0);
    assert_true(v.escaped);
    assert_int_equal(tt_jval_utf8(&v, out, sizeof out), 7);
    assert_string_equal(out, "a\"b\\c/\n");
    /* U+00E9 is C3 A9; U+1F600 (surrogates D83D DE00) is F0 9F 98 80. */
    assert_int_equal(s_one_value("\"\\u00e9\\ud83d\\ude00\"", &v), 0);
    assert_int_equal(tt_jval_utf8(&v, out, sizeof out), 6);
    assert_memory_equal(out, "\xC3\xA9\xF0\x9F\x98\x80", 6);
    /* A lone surrogate or a NUL cannot be a C string. */
    assert_int_equal(s_one_value("\"\\ud83d\"", &v), 0);
    assert_int_equal(tt_jval_utf8(&v, out, sizeof out), -1);
    assert_int_equal(s_one_value("\"\\u0000\"", &v), 0);
    assert_int_equal(tt_jval_utf8(&v, out, sizeof out), -1);
    /* Too long for the buffer. */
    assert_int_equal(s_one_value("\"abcdef\"", &v), 0);
    assert_int_equal(tt_jval_utf8(&v, out, 6), -1);
    assert_int_equal(tt_jval_utf8(&v, out, 7), 6);
    /* Bad strings. */
    assert_int_equal(s_one_value("\"\\x\"", &v), -1);
    assert_int_equal(s_one_value("\"\\u12g4\"", &v), -1);
    assert_int_equal(s_one_value("\"a\nb\"", &v), -1);
    assert_int_equal(s_one_value("\"abc", &v), -1);
}

static void test_json_nesting_and_ints(void **state)
{
    (void)state;
    char deep[200] = "", ok[200] = "";
    tt_jval_t v;
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    for (int i = 0; i < 40; i++)
        strcat(deep, "]");
    assert_int_equal(s_one_value(deep, &v), -1);
    for (int i = 0; i < TT_JSCAN_DEPTH_MAX; i++)
        strcat(ok, "[");
    for (int i = 0; i < TT_JSCAN_DEPTH_MAX; i++)
        strcat(ok, "]");
    assert_int_equal(s_one_value(ok, &v), 0);
    assert_int_equal(v.type, TT_JS_ARRAY);
    assert_int_equal(s_one_value("{\"a\":[1,{\"b\":null}],\"c\":true}", &v), 0);
    assert_int_equal(v.type, TT_JS_OBJECT);
    assert_int_equal(s_one_value("{\"a\":1,}", &v), -1);
    assert_int_equal(s_one_value("[1 2]", &v), -1);
    assert_int_equal(s_one_value("{\"a\" 1}", &v), -1);

    uint64_t u;
    int64_t s;
    assert_int_equal(s_one_value("18446744073709551615", &v), 0);
    assert_int_equal(tt_jval_uint64(&v, &u), 0);
    assert_true(u == UINT64_MAX);
    assert_int_equal(s_one_value("18446744073709551616", &v), 0);
    assert_int_equal(tt_jval_uint64(&v, &u), -1);
    assert_int_equal(s_one_value("1.0", &v), 0);
    assert_int_equal(tt_jval_uint64(&v, &u), -1);
    assert_int_equal(s_one_value("-402", &v), 0);
    assert_int_equal(tt_jval_uint64(&v, &u), -1);
    assert_int_equal(tt_jval_int64(&v, &s), 0);
    assert_int_equal(s, -402);
}

/* Messages entered in place (tt_jiter_enter): each is checked as it is
   read, the walk goes on after it, and an error inside one is reported
   by the frame's walk at its offset in the frame. */
static void test_json_enter(void **state)
{
    (void)state;
    const char *f = "[{\"a\":1},2,{\"b\":[3]}] ";
    tt_jiter_t it, msg;
    tt_jval_t v, key, val;
    assert_int_equal(tt_jiter_root(&it, f, strlen(f), '['), 0);
    assert_int_equal(tt_jiter_enter(&it, '{', &v, &msg), 1);
    assert_int_equal(v.type, TT_JS_OBJECT);
    assert_int_equal(tt_jiter_member(&msg, &key, &val), 1);
    assert_true(tt_jval_is(&key, "a"));
    assert_int_equal(tt_jiter_member(&msg, &key, &val), 0);
    assert_int_equal(tt_jiter_leave(&it, &msg), 0);
    assert_int_equal(tt_jiter_enter(&it, '{', &v, &msg), 1);
    assert_int_equal(v.type, TT_JS_NUMBER);
    assert_int_equal(tt_jiter_enter(&it, '{', &v, &msg), 1);
    assert_int_equal(tt_jiter_member(&msg, &key, &val), 1);
    assert_int_equal(val.type, TT_JS_ARRAY);
    assert_int_equal(tt_jiter_member(&msg, &key, &val), 0);
    assert_int_equal(tt_jiter_leave(&it, &msg), 0);
    assert_int_equal(tt_jiter_enter(&it, '{', &v, &msg), 0);

    /* An error inside a message: its offset is the frame's. */
    f = "[{\"a\":1,}]";
    assert_int_equal(tt_jiter_root(&it, f, strlen(f), '['), 0);
    assert_int_equal(tt_jiter_enter(&it, '{', &v, &msg), 1);
    assert_int_equal(tt_jiter_member(&msg, &key, &val), 1);
    assert_int_equal(tt_jiter_member(&msg, &key, &val), -1);
    assert_int_equal(tt_jiter_leave(&it, &msg), -1);
    assert_string_equal(it.err, "expected a member name");
    assert_int_equal(it.err_off, 8);
    assert_int_equal(tt_jiter_enter(&it, '{', &v, &msg), -1);

    /* Left before its end: refused, not resumed in the middle. */
    f = "[{\"a\":1,\"b\":2}]";
    assert_int_equal(tt_jiter_root(&it, f, strlen(f), '['), 0);
    assert_int_equal(tt_jiter_enter(&it, '{', &v, &msg), 1);
    assert_int_equal(tt_jiter_member(&msg, &key, &val), 1);
    assert_int_equal(tt_jiter_leave(&it, &msg), -1);
    assert_non_null(strstr(it.err, "not read to its end"));

    /* Bytes after the frame's array are still found. */
    f = "[{}] x";
    assert_int_equal(tt_jiter_root(&it, f, strlen(f), '['), 0);
    assert_int_equal(tt_jiter_enter(&it, '{', &v, &msg), 1);
    assert_int_equal(tt_jiter_member(&msg, &key, &val), 0);
    assert_int_equal(tt_jiter_leave(&it, &msg), 0);
    assert_int_equal(tt_jiter_enter(&it, '{', &v, &msg), -1);
    assert_int_equal(it.err_off, 5);
}

/* ---- RFC 3339 ----------------------------------------------------------- */

static int s_time(const char *text, tt_ns_t *out)
{
    return tt_ap_time_parse(text, strlen(text), out);
}

static void test_time_known_instants(void **state)
{
    (void)state;
    tt_ns_t t;
    assert_int_equal(s_time("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(s_time("2024-05-06T14:32:01.004512Z", &t), 0);
    assert_int_equal(t, NS(DAY_20240506 + 14 * 3600 + 32 * 60 + 1) + 4512000);
    /* The clock's ET offset: 10:15:30.12-04:00 is 14:15:30.12Z. */
    assert_int_equal(s_time("2024-05-06T10:15:30.12-04:00", &t), 0);
    assert_int_equal(t,
                     NS(DAY_20240506 + 14 * 3600 + 15 * 60 + 30) + 120000000);
    assert_int_equal(s_time("2024-05-07T01:30:00+05:30", &t), 0);
    assert_int_equal(t, NS(DAY_20240506 + 20 * 3600));
    /* Lower-case t/z and a space are allowed by RFC 3339. */
    assert_int_equal(s_time("2024-05-06t00:00:00z", &t), 0);
    assert_int_equal(t, NS(DAY_20240506));
    assert_int_equal(s_time("2024-05-06 00:00:00+00:00", &t), 0);
    assert_int_equal(t, NS(DAY_20240506));
    /* 2000-03-01 is 951868800; 2000 is a leap year (divisible by 400). */
    assert_int_equal(s_time("2000-02-29T00:00:00Z", &t), 0);
    assert_int_equal(t, NS(951868800 - 86400));
    assert_int_equal(s_time("2000-03-01T00:00:00Z", &t), 0);
    assert_int_equal(t, NS(951868800));
    /* The last representable whole second in int64 ns (2^63-1 ns is
       2262-04-11T23:47:16.854775807Z; we stop one second short). */
    assert_int_equal(s_time("2262-04-11T23:47:15.999999999Z", &t), 0);
    assert_int_equal(t, INT64_C(9223372035999999999));
    assert_int_equal(tt_ap_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tt_ap_days_from_civil(2024, 1, 1), 1704067200 / 86400);
    assert_int_equal(tt_ap_days_from_civil(2000, 3, 1), 951868800 / 86400);
}

static void test_time_fraction_digits(void **state)
{
    (void)state;
    const char *digits = "123456789";
    int64_t scale = 100000000; /* 10^8: weight of the first digit */
    int64_t expect = 0;
    char text[64];
    tt_ns_t t;
    snprintf(text, sizeof text, "2024-05-06T00:00:00Z");
    assert_int_equal(s_time(text, &t), 0);
    assert_int_equal(t, NS(DAY_20240506));
    for (int k = 1; k <= 9; k++, scale /= 10) {
        expect += (digits[k - 1] - '0') * scale;
        snprintf(text, sizeof text, "2024-05-06T00:00:00.%.*sZ", k, digits);
        assert_int_equal(s_time(text, &t), 0);
        assert_int_equal(t, NS(DAY_20240506) + expect);
    }
    assert_int_equal(s_time("2024-05-06T00:00:00.1234567891Z", &t), -1);
}

static void test_time_bad(void **state)
{
    (void)state;
    static const char *bad[] = {"2023-02-29T00:00:00Z",
                                "1900-02-29T00:00:00Z",
                                "2024-13-01T00:00:00Z",
                                "2024-00-10T00:00:00Z",
                                "2024-04-31T00:00:00Z",
                                "2024-05-06T24:00:00Z",
                                "2024-05-06T23:60:00Z",
                                "2024-05-06T23:59:60Z",
                                "2024-05-06T14:32:01",
                                "2024-05-06T14:32:01.Z",
                                "2024-05-06T14:32:01+2400",
                                "2024-05-06T14:32:01+24:00",
                                "2024-05-06T14:32:01+04:60",
                                "2024-05-06T14:32:01Zjunk",
                                "2024-05-06",
                                "1969-12-31T23:59:59Z",
                                "2262-04-11T23:47:16Z",
                                "2024/05/06T14:32:01Z",
                                "2024-05-06X14:32:01Z",
                                "20x4-05-06T14:32:01Z",
                                "",
                                "2024-05-06T14:32:01.12a4Z"};
    tt_ns_t t = 77;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (s_time(bad[i], &t) != -1)
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(t, 77);
    }
}

static void test_time_format(void **state)
{
    (void)state;
    char buf[40];
    tt_ns_t t;
    assert_int_equal(
        tt_ap_time_format(NS(DAY_20240506 + 52321), buf, sizeof buf), 20);
    assert_string_equal(buf, "2024-05-06T14:32:01Z");
    tt_ap_time_format(NS(DAY_20240506 + 52321) + 4512000, buf, sizeof buf);
    assert_string_equal(buf, "2024-05-06T14:32:01.004512000Z");
    tt_ap_time_format(NS(951868800 - 86400), buf, sizeof buf);
    assert_string_equal(buf, "2000-02-29T00:00:00Z");
    assert_int_equal(tt_ap_time_format(-1, buf, sizeof buf), -1);
    assert_int_equal(tt_ap_time_format(0, buf, 30), -1);
    /* Round trip across 1970..2262, including leap days. */
    for (int64_t s = 0; s < INT64_C(9223372035); s += INT64_C(86399) * 37) {
        tt_ns_t x = NS(s) + (s % 1000000007);
        assert_true(tt_ap_time_format(x, buf, sizeof buf) > 0);
        assert_int_equal(s_time(buf, &t), 0);
        assert_int_equal(t, x);
    }
}

/* ---- market-data frames ------------------------------------------------- */

static tt_ap_stream_t s_st;
static tt_ap_item_t s_items[16];

/* Walks TEXT with scales PX/QTY; returns the number of items. */
static int s_walk(const char *text, int px, int qty)
{
    tt_ap_scales_t sc = {px, qty, NULL, NULL};
    tt_ap_stream_init(&s_st, &sc);
    tt_ap_stream_feed(&s_st, text, strlen(text));
    int n = 0;
    while (n < 16 && tt_ap_stream_next(&s_st, &s_items[n]) > 0)
        n++;
    return n;
}

static void test_stream_handshake(void **state)
{
    (void)state;
    assert_int_equal(
        s_walk("[{\"T\":\"success\",\"msg\":\"connected\"}]", 2, 0), 1);
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_CONTROL);
    assert_int_equal(s_items[0].control, TT_AP_CTRL_CONNECTED);
    assert_int_equal(
        s_walk("[{\"T\":\"success\",\"msg\":\"authenticated\"}]", 2, 0), 1);
    assert_int_equal(s_items[0].control, TT_AP_CTRL_AUTHENTICATED);
    assert_int_equal(s_walk("[{\"T\":\"success\",\"msg\":\"hello\"}]", 2, 0),
                     1);
    assert_int_equal(s_items[0].control, TT_AP_CTRL_OTHER);
    assert_string_equal(s_items[0].msg, "hello");
    assert_int_equal(s_st.stats.controls, 1);
}

static void test_stream_subscription(void **state)
{
    (void)state;
    const char *f =
        "[{\"T\":\"subscription\",\"trades\":[\"AAPL\"],\"quotes\":[\"MSFT\"],"
        "\"bars\":[\"*\"],\"updatedBars\":[],\"dailyBars\":[],\"statuses\":[],"
        "\"lulds\":[],\"corrections\":[\"AAPL\"],\"cancelErrors\":[\"AAPL\"]}]";
    assert_int_equal(s_walk(f, 2, 0), 1);
    const tt_ap_item_t *it = &s_items[0];
    assert_int_equal(it->kind, TT_AP_ITEM_SUBSCRIPTION);
    assert_true(it->lists[TT_AP_CH_TRADES].present);
    assert_int_equal(it->lists[TT_AP_CH_TRADES].count, 1);
    assert_int_equal(it->lists[TT_AP_CH_UPDATED_BARS].count, 0);
    assert_true(it->lists[TT_AP_CH_UPDATED_BARS].present);
    assert_false(it->lists[TT_AP_CH_ORDERBOOKS].present);
    char sym[32];
    size_t pos = 0;
    assert_int_equal(
        tt_ap_list_next(&it->lists[TT_AP_CH_BARS], &pos, sym, sizeof sym), 1);
    assert_string_equal(sym, "*");
    assert_int_equal(
        tt_ap_list_next(&it->lists[TT_AP_CH_BARS], &pos, sym, sizeof sym), 0);
    pos = 0;
    assert_int_equal(
        tt_ap_list_next(&it->lists[TT_AP_CH_QUOTES], &pos, sym, sizeof sym), 1);
    assert_string_equal(sym, "MSFT");
    /* Crypto acks name orderbooks; several symbols are counted. */
    assert_int_equal(s_walk("[{\"T\":\"subscription\",\"trades\":[\"BTC/USD\","
                            "\"ETH/USD\"],\"orderbooks\":[\"BTC/USD\"]}]",
                            2, 0),
                     1);
    assert_int_equal(s_items[0].lists[TT_AP_CH_TRADES].count, 2);
    assert_int_equal(s_items[0].lists[TT_AP_CH_ORDERBOOKS].count, 1);
    /* A list that is not a list of strings is malformed. */
    assert_int_equal(s_walk("[{\"T\":\"subscription\",\"trades\":[1]}]", 2, 0),
                     1);
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_MALFORMED);
    assert_int_equal(s_walk("[{\"T\":\"subscription\",\"bars\":\"*\"}]", 2, 0),
                     1);
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_MALFORMED);
}

static void test_stream_errors(void **state)
{
    (void)state;
    assert_int_equal(
        s_walk("[{\"T\":\"error\",\"code\":402,\"msg\":\"auth failed\"}]", 2,
               0),
        1);
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_ERROR);
    assert_int_equal(s_items[0].code, 402);
    assert_string_equal(s_items[0].msg, "auth failed");
    assert_int_equal(s_st.stats.errors, 1);
    assert_int_equal(tt_ap_stream_error_action(402), TT_AP_ERR_FATAL);
    assert_int_equal(tt_ap_stream_error_action(409), TT_AP_ERR_FATAL);
    assert_int_equal(tt_ap_stream_error_action(410), TT_AP_ERR_FATAL);
    assert_int_equal(tt_ap_stream_error_action(403), TT_AP_ERR_CONTINUE);
    assert_int_equal(tt_ap_stream_error_action(405), TT_AP_ERR_CONTINUE);
    static const int reconnect[] = {400, 401, 404, 406, 407, 500, 999};
    for (size_t i = 0; i < sizeof reconnect / sizeof *reconnect; i++)
        assert_int_equal(tt_ap_stream_error_action(reconnect[i]),
                         TT_AP_ERR_RECONNECT);
    assert_string_equal(tt_ap_stream_error_name(406),
                        "connection limit exceeded");
    assert_string_equal(tt_ap_stream_error_name(409),
                        "insufficient subscription");
    assert_string_equal(tt_ap_stream_error_name(123), "unknown");
    /* An error with no integer code is malformed. */
    assert_int_equal(
        s_walk("[{\"T\":\"error\",\"code\":\"402\",\"msg\":\"x\"}]", 2, 0), 1);
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_MALFORMED);
    assert_non_null(strstr(s_items[0].msg, "code"));
}

static void test_stream_trade_sample(void **state)
{
    (void)state;
    const char *f = "[{\"T\":\"t\",\"S\":\"AAPL\",\"i\":52011,\"x\":\"V\","
                    "\"p\":189.31,\"s\":100,\"c\":[\"@\"],\"z\":\"C\","
                    "\"t\":\"2024-05-06T14:32:01.004512Z\"}]";
    assert_int_equal(s_walk(f, 2, 0), 1);
    const tt_ap_item_t *it = &s_items[0];
    assert_int_equal(it->kind, TT_AP_ITEM_TRADE);
    assert_string_equal(it->symbol, "AAPL");
    assert_int_equal(it->tick.price, 18931);
    assert_int_equal(it->tick.size, 100);
    assert_int_equal(it->tick.trade_id, 52011);
    assert_int_equal(it->tick.ts, NS(DAY_20240506 + 52321) + 4512000);
    assert_string_equal(it->exchange, "V");
    assert_int_equal(it->tape, 'C');
    assert_int_equal(it->taker, 0);
    /* The same frame at 4 price decimals: 1893100. */
    assert_int_equal(s_walk(f, 4, 0), 1);
    assert_int_equal(s_items[0].tick.price, 1893100);
    /* At 1 decimal 189.31 cannot be held exactly: refused, not rounded. */
    assert_int_equal(s_walk(f, 1, 0), 1);
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_MALFORMED);
    assert_non_null(strstr(s_items[0].msg, "\"p\" 189.31"));
    assert_int_equal(s_st.stats.malformed, 1);
}

static void test_stream_bar_sample(void **state)
{
    (void)state;
    const char *f = "[{\"T\":\"b\",\"S\":\"AAPL\",\"o\":189.1,\"h\":189.42,"
                    "\"l\":189.05,\"c\":189.3,\"v\":12040,\"n\":311,"
                    "\"vw\":189.2217,\"t\":\"2024-05-06T14:31:00Z\"}]";
    assert_int_equal(s_walk(f, 2, 0), 1);
    const tt_candle_t *b = &s_items[0].bar;
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_BAR);
    assert_int_equal(s_items[0].bar_kind, TT_AP_BAR_MINUTE);
    assert_string_equal(s_items[0].symbol, "AAPL");
    assert_int_equal(b->open_ts, NS(DAY_20240506 + 14 * 3600 + 31 * 60));
    assert_int_equal(b->tf_s, 60);
    assert_int_equal(b->open, 18910);
    assert_int_equal(b->high, 18942);
    assert_int_equal(b->low, 18905);
    assert_int_equal(b->close, 18930);
    assert_int_equal(b->volume, 12040);
    assert_int_equal(b->trades, 311);
    assert_true(b->closed);
    assert_int_equal(s_st.stats.bars, 1);
}

static void test_stream_bar_kinds(void **state)
{
    (void)state;
    const char *u = "[{\"T\":\"u\",\"S\":\"X\",\"o\":1,\"h\":2,\"l\":1,\"c\":2,"
                    "\"v\":5,\"t\":\"2024-05-06T14:31:00Z\"},"
                    "{\"T\":\"d\",\"S\":\"X\",\"o\":1,\"h\":2,\"l\":1,\"c\":2,"
                    "\"v\":5,\"t\":\"2024-05-06T04:00:00Z\"}]";
    assert_int_equal(s_walk(u, 2, 0), 2);
    assert_int_equal(s_items[0].bar_kind, TT_AP_BAR_UPDATED);
    assert_int_equal(s_items[0].bar.tf_s, 60);
    assert_true(s_items[0].bar.closed);
    assert_int_equal(s_items[0].bar.trades, 0); /* "n" absent */
    assert_int_equal(s_items[1].bar_kind, TT_AP_BAR_DAILY);
    assert_int_equal(s_items[1].bar.tf_s, 86400);
    assert_false(s_items[1].bar.closed);
    /* High below low, and a minute bar off the minute, are refused. */
    assert_int_equal(s_walk("[{\"T\":\"b\",\"S\":\"X\",\"o\":1,\"h\":1,\"l\":2,"
                            "\"c\":2,\"v\":5,\"t\":\"2024-05-06T14:31:00Z\"}]",
                            2, 0),
                     1);
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_MALFORMED);
    assert_int_equal(s_walk("[{\"T\":\"b\",\"S\":\"X\",\"o\":1,\"h\":2,\"l\":1,"
                            "\"c\":2,\"v\":5,\"t\":\"2024-05-06T14:31:05Z\"}]",
                            2, 0),
                     1);
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_MALFORMED);
    assert_non_null(strstr(s_items[0].msg, "minute"));
    /* Missing close. */
    assert_int_equal(s_walk("[{\"T\":\"b\",\"S\":\"X\",\"o\":1,\"h\":2,\"l\":1,"
                            "\"v\":5,\"t\":\"2024-05-06T14:31:00Z\"}]",
                            2, 0),
                     1);
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_MALFORMED);
    assert_non_null(strstr(s_items[0].msg, "missing \"c\""));
}

static void test_stream_batched_and_skipped(void **state)
{
    (void)state;
    const char *f =
        "[{\"T\":\"q\",\"S\":\"AAPL\",\"bx\":\"V\",\"bp\":189.3,\"bs\":1,"
        "\"ax\":\"V\",\"ap\":189.32,\"as\":2,\"t\":\"2024-05-06T14:32:01Z\"},"
        "{\"T\":\"t\",\"S\":\"AAPL\",\"p\":189.31,\"s\":100,"
        "\"t\":\"2024-05-06T14:32:01Z\"},"
        "{\"T\":\"t\",\"S\":\"MSFT\",\"p\":410,\"s\":3,"
        "\"t\":\"2024-05-06T14:32:02Z\"},"
        "{\"T\":\"s\",\"S\":\"AAPL\"},{\"T\":\"l\"},{\"T\":\"c\"},{\"T\":\"x\"}"
        ","
        "{\"T\":\"i\"},{\"T\":\"o\"},{\"T\":\"zz\"}]";
    assert_int_equal(s_walk(f, 2, 0), 10);
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_SKIPPED);
    assert_int_equal(s_items[0].skip, TT_AP_SKIP_QUOTE);
    assert_int_equal(s_items[1].kind, TT_AP_ITEM_TRADE);
    assert_int_equal(s_items[1].index, 1);
    assert_int_equal(s_items[2].kind, TT_AP_ITEM_TRADE);
    assert_string_equal(s_items[2].symbol, "MSFT");
    assert_int_equal(s_items[2].tick.price, 41000);
    assert_int_equal(s_items[2].tick.trade_id, 0); /* no "i" */
    assert_int_equal(s_st.stats.trades, 2);
    static const tt_ap_skip_t kinds[] = {
        TT_AP_SKIP_QUOTE,      TT_AP_SKIP_STATUS,       TT_AP_SKIP_LULD,
        TT_AP_SKIP_CORRECTION, TT_AP_SKIP_CANCEL_ERROR, TT_AP_SKIP_IMBALANCE,
        TT_AP_SKIP_ORDERBOOK,  TT_AP_SKIP_UNKNOWN_TYPE};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        assert_int_equal(s_st.stats.skipped[kinds[i]], 1);
    assert_int_equal(s_st.stats.frames, 1);
}

static void test_stream_crypto(void **state)
{
    (void)state;
    const char *f = "[{\"T\":\"t\",\"S\":\"BTC/USD\",\"p\":64123.5,"
                    "\"s\":0.00012345,\"t\":\"2024-05-06T14:32:01.123456789Z\","
                    "\"i\":1234567890123,\"tks\":\"B\"},"
                    "{\"T\":\"b\",\"S\":\"BTC/USD\",\"o\":64000,\"h\":64200.25,"
                    "\"l\":63990,\"c\":64123.5,\"v\":0,\"n\":0,"
                    "\"vw\":0,\"t\":\"2024-05-06T14:31:00Z\"}]";
    assert_int_equal(s_walk(f, 2, 8), 2);
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_TRADE);
    assert_string_equal(s_items[0].symbol, "BTC/USD");
    assert_int_equal(s_items[0].tick.price, 6412350);
    assert_int_equal(s_items[0].tick.size, 12345);
    assert_int_equal(s_items[0].tick.trade_id, INT64_C(1234567890123));
    assert_int_equal(s_items[0].tick.ts, NS(DAY_20240506 + 52321) + 123456789);
    assert_int_equal(s_items[0].taker, 'B');
    assert_string_equal(s_items[0].exchange, "");
    assert_int_equal(s_items[1].kind, TT_AP_ITEM_BAR);
    assert_int_equal(s_items[1].bar.high, 6420025);
    assert_int_equal(s_items[1].bar.volume, 0); /* midpoint-only bar */
}

static void test_stream_number_policy(void **state)
{
    (void)state;
    static const struct {
        const char *p, *s;
        int px, qty;
        bool ok;
        int64_t price, size;
    } cases[] = {
        {"189.31", "100", 2, 0, true, 18931, 100},
        {"1e-5", "1E+2", 5, 0, true, 1, 100},
        {"1.5e2", "1e-5", 2, 8, true, 15000, 1000},
        {"0.00012345", "1", 8, 0, true, 12345, 1},
        {"\"189.31\"", "100", 2, 0, true, 18931, 100}, /* numeric string */
        {"189.310000", "100", 2, 0, true, 18931, 100},
        {"189.315", "100", 2, 0, false, 0, 0}, /* would need rounding */
        {"0.000123456", "1", 8, 0, false, 0, 0},
        {"0", "100", 2, 0, false, 0, 0}, /* price must be positive */
        {"-1.5", "100", 2, 0, false, 0, 0},
        {"10", "0", 2, 0, false, 0, 0},   /* trade size must be positive */
        {"10", "0.5", 2, 0, false, 0, 0}, /* stock size at 0 decimals */
        {"92233720368547758.08", "1", 2, 0, false, 0, 0}, /* overflow */
        {"true", "1", 2, 0, false, 0, 0},
        {"null", "1", 2, 0, false, 0, 0},
        {"\"abc\"", "1", 2, 0, false, 0, 0},
    };
    char frame[256];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(frame, sizeof frame,
                 "[{\"T\":\"t\",\"S\":\"X\",\"p\":%s,\"s\":%s,"
                 "\"t\":\"2024-05-06T14:32:01Z\"}]",
                 cases[i].p, cases[i].s);
        assert_int_equal(s_walk(frame, cases[i].px, cases[i].qty), 1);
        if (!cases[i].ok) {
            if (s_items[0].kind != TT_AP_ITEM_MALFORMED)
                fail_msg("case %zu accepted", i);
            continue;
        }
        if (s_items[0].kind != TT_AP_ITEM_TRADE)
            fail_msg("case %zu: %s", i, s_items[0].msg);
        assert_int_equal(s_items[0].tick.price, cases[i].price);
        assert_int_equal(s_items[0].tick.size, cases[i].size);
    }
}

/* Symbols the caller trades: AAPL at 2/0, BTC/USD at 2/8; others refused. */
static int s_lookup(void *ctx, const char *symbol, tt_instrument_t *out)
{
    int *calls = ctx;
    (*calls)++;
    if (!strcmp(symbol, "AAPL"))
        return out->px_decimals = 2, out->qty_decimals = 0, 0;
    if (!strcmp(symbol, "BTC/USD"))
        return out->px_decimals = 2, out->qty_decimals = 8, 0;
    return -1;
}

static void test_stream_lookup(void **state)
{
    (void)state;
    int calls = 0;
    tt_ap_scales_t sc = {0, 0, s_lookup, &calls};
    tt_ap_stream_t st;
    tt_ap_item_t it;
    const char *f = "[{\"T\":\"t\",\"S\":\"TSLA\",\"p\":1.5,\"s\":1,"
                    "\"t\":\"2024-05-06T14:32:01Z\"},"
                    "{\"T\":\"t\",\"S\":\"BTC\\/USD\",\"p\":1.5,\"s\":0.5,"
                    "\"t\":\"2024-05-06T14:32:01Z\"}]";
    tt_ap_stream_init(&st, &sc);
    tt_ap_stream_feed(&st, f, strlen(f));
    assert_int_equal(tt_ap_stream_next(&st, &it), 1);
    assert_int_equal(it.kind, TT_AP_ITEM_SKIPPED);
    assert_int_equal(it.skip, TT_AP_SKIP_UNKNOWN_SYMBOL);
    assert_string_equal(it.symbol, "TSLA");
    assert_int_equal(tt_ap_stream_next(&st, &it), 1);
    assert_int_equal(it.kind, TT_AP_ITEM_TRADE);
    assert_string_equal(it.symbol, "BTC/USD"); /* escaped slash decoded */
    assert_int_equal(it.tick.price, 150);
    assert_int_equal(it.tick.size, 50000000);
    assert_int_equal(tt_ap_stream_next(&st, &it), 0);
    assert_int_equal(tt_ap_stream_next(&st, &it), 0);
    assert_int_equal(calls, 2);
    assert_int_equal(st.stats.skipped[TT_AP_SKIP_UNKNOWN_SYMBOL], 1);
}

static void test_stream_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *frame;
        const char *needle; /* in the last item's msg */
    } cases[] = {
        {"", "frame"},
        {"   ", "frame"},
        {"{\"T\":\"t\"}", "frame"},
        {"[{\"T\":\"t\",\"S\":\"AA", "truncated"},
        {"[{\"T\":\"t\"} {\"T\":\"t\"}]", "expected ','"},
        {"[] x", "data after"},
        {"[1]", "not an object"},
        {"[{\"S\":\"AAPL\"}]", "no \"T\""},
        {"[{\"T\":5}]", "no \"T\""},
        {"[{\"T\":\"t\",\"T\":\"t\"}]", "repeated key"},
        {"[{\"T\":\"t\",\"p\":1,\"s\":1,\"t\":\"2024-05-06T14:32:01Z\"}]",
         "symbol"},
        {"[{\"T\":\"t\",\"S\":\"\",\"p\":1,\"s\":1}]", "symbol"},
        {"[{\"T\":\"t\",\"S\":\"A B\",\"p\":1,\"s\":1}]", "symbol"},
        {"[{\"T\":\"t\",\"S\":\"X\",\"p\":1,\"s\":1}]", "missing \"t\""},
        {"[{\"T\":\"t\",\"S\":\"X\",\"p\":1,\"s\":1,\"t\":\"yesterday\"}]",
         "RFC 3339"},
        {"[{\"T\":\"t\",\"S\":\"X\",\"p\":1,\"s\":1,\"t\":5}]", "RFC 3339"},
        {"[{\"T\":\"t\",\"S\":\"X\",\"p\":1,\"s\":1,\"i\":-3,"
         "\"t\":\"2024-05-06T14:32:01Z\"}]",
         "\"i\""},
        {"[{\"T\":\"t\",\"S\":\"X\",\"p\":1,\"s\":1,\"z\":\"CC\","
         "\"t\":\"2024-05-06T14:32:01Z\"}]",
         "\"z\""},
        {"[{\"T\":\"t\",\"S\":\"X\",\"p\":1,\"s\":1,\"x\":\"TOOLONGEX\","
         "\"t\":\"2024-05-06T14:32:01Z\"}]",
         "\"x\""},
        {"[{\"T\":\"success\"}]", "msg"},
        {"[{\"T\":\"success\",\"msg\":1}]", "msg"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int n = s_walk(cases[i].frame, 2, 0);
        if (n < 1 || s_items[n - 1].kind != TT_AP_ITEM_MALFORMED ||
            !strstr(s_items[n - 1].msg, cases[i].needle))
            fail_msg("case %zu (%s): n=%d msg=%s", i, cases[i].frame, n,
                     n ? s_items[n - 1].msg : "");
    }
    /* A bad message does not stop the walk; the good one after it comes
       through. */
    assert_int_equal(
        s_walk("[{\"T\":\"t\",\"S\":\"X\"},{\"T\":\"t\",\"S\":\"Y\","
               "\"p\":2,\"s\":3,\"t\":\"2024-05-06T14:32:01Z\"}]",
               2, 0),
        2);
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_MALFORMED);
    assert_non_null(strstr(s_items[0].msg, "message 0"));
    assert_int_equal(s_items[1].kind, TT_AP_ITEM_TRADE);
    assert_string_equal(s_items[1].symbol, "Y");
    /* An empty array holds nothing. */
    assert_int_equal(s_walk(" [ ] ", 2, 0), 0);
    /* A very long error text is cut, not refused. */
    char big[600];
    memset(big, 0, sizeof big);
    strcpy(big, "[{\"T\":\"error\",\"code\":500,\"msg\":\"");
    memset(big + strlen(big), 'e', 300);
    strcat(big, "\"}]");
    assert_int_equal(s_walk(big, 2, 0), 1);
    assert_int_equal(s_items[0].kind, TT_AP_ITEM_ERROR);
    assert_int_equal(strlen(s_items[0].msg), TT_AP_MSG_MAX);
}

/* Every prefix of a two-trade frame: never more than the complete trades
   before the cut, and always ends on MALFORMED. */
static void test_stream_truncated_prefixes(void **state)
{
    (void)state;
    const char *f =
        "[{\"T\":\"t\",\"S\":\"AAPL\",\"p\":189.31,\"s\":100,"
        "\"t\":\"2024-05-06T14:32:01Z\"},{\"T\":\"t\",\"S\":\"AAPL\","
        "\"p\":189.32,\"s\":1,\"t\":\"2024-05-06T14:32:02Z\"}]";
    size_t len = strlen(f);
    const char *second = strstr(f + 1, "},{") + 1; /* end of the first */
    for (size_t cut = 0; cut < len; cut++) {
        tt_ap_scales_t sc = {2, 0, NULL, NULL};
        tt_ap_stream_t st;
        tt_ap_item_t it;
        char *copy = malloc(cut ? cut : 1); /* ASan sees any overread */
        memcpy(copy, f, cut);
        tt_ap_stream_init(&st, &sc);
        tt_ap_stream_feed(&st, copy, cut);
        int trades = 0, last = 0;
        while (tt_ap_stream_next(&st, &it) > 0) {
            trades += it.kind == TT_AP_ITEM_TRADE;
            last = it.kind;
        }
        assert_int_equal(last, TT_AP_ITEM_MALFORMED);
        /* A message counts once its closing brace is inside the cut. */
        int whole = (cut >= (size_t)(second - f)) + (cut >= len - 1);
        assert_int_equal(trades, whole);
        free(copy);
    }
    assert_int_equal(s_walk(f, 2, 0), 2);
}

/* ---- client messages ---------------------------------------------------- */

static json_t *s_load(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    if (!j)
        fail_msg("not JSON: %s (%s)", text, err.text);
    return j;
}

static void test_stream_auth_message(void **state)
{
    (void)state;
    char buf[128];
    int n = tt_ap_stream_auth(buf, sizeof buf, "PKTEST1", "s3\"cr\\3t\n");
    assert_int_equal(n, (int)strlen(buf));
    json_t *j = s_load(buf);
    assert_string_equal(json_string_value(json_object_get(j, "action")),
                        "auth");
    assert_string_equal(json_string_value(json_object_get(j, "key")),
                        "PKTEST1");
    assert_string_equal(json_string_value(json_object_get(j, "secret")),
                        "s3\"cr\\3t\n");
    json_decref(j);
    assert_int_equal(tt_ap_stream_auth(buf, 20, "PKTEST1", "s"), -1);
    assert_string_equal(buf, "");
    assert_int_equal(tt_ap_stream_auth(buf, sizeof buf, NULL, "s"), -1);
    /* Exactly fitting: length + NUL. */
    n = tt_ap_stream_auth(buf, sizeof buf, "k", "s");
    assert_int_equal(tt_ap_stream_auth(buf, (size_t)n + 1, "k", "s"), n);
    assert_int_equal(tt_ap_stream_auth(buf, (size_t)n, "k", "s"), -1);
}

static void test_stream_subscribe_message(void **state)
{
    (void)state;
    const char *trades[] = {"AAPL", "BTC/USD"};
    const char *bars[] = {"*"};
    tt_ap_sub_req_t req = {
        .trades = trades, .n_trades = 2, .bars = bars, .n_bars = 1};
    char buf[256];
    assert_true(tt_ap_stream_subscribe(buf, sizeof buf, false, &req) > 0);
    json_t *j = s_load(buf);
    assert_string_equal(json_string_value(json_object_get(j, "action")),
                        "subscribe");
    json_t *t = json_object_get(j, "trades");
    assert_int_equal(json_array_size(t), 2);
    assert_string_equal(json_string_value(json_array_get(t, 1)), "BTC/USD");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(j, "bars"), 0)), "*");
    assert_null(json_object_get(j, "quotes"));
    json_decref(j);
    tt_ap_sub_req_t un = {.bars = bars, .n_bars = 1};
    assert_true(tt_ap_stream_subscribe(buf, sizeof buf, true, &un) > 0);
    assert_string_equal(buf, "{\"action\":\"unsubscribe\",\"bars\":[\"*\"]}");
    assert_int_equal(tt_ap_stream_subscribe(buf, 10, false, &req), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_numbers),
        cmocka_unit_test(test_json_strings),
        cmocka_unit_test(test_json_nesting_and_ints),
        cmocka_unit_test(test_json_enter),
        cmocka_unit_test(test_time_known_instants),
        cmocka_unit_test(test_time_fraction_digits),
        cmocka_unit_test(test_time_bad),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_stream_handshake),
        cmocka_unit_test(test_stream_subscription),
        cmocka_unit_test(test_stream_errors),
        cmocka_unit_test(test_stream_trade_sample),
        cmocka_unit_test(test_stream_bar_sample),
        cmocka_unit_test(test_stream_bar_kinds),
        cmocka_unit_test(test_stream_batched_and_skipped),
        cmocka_unit_test(test_stream_crypto),
        cmocka_unit_test(test_stream_number_policy),
        cmocka_unit_test(test_stream_lookup),
        cmocka_unit_test(test_stream_malformed),
        cmocka_unit_test(test_stream_truncated_prefixes),
        cmocka_unit_test(test_stream_auth_message),
        cmocka_unit_test(test_stream_subscribe_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
