/*  tests/test_fakes.c: the fake venues (tests/fakes) against real
    clients on 127.0.0.1: libcurl for REST, a small libwebsockets client
    for the streams. Every expected value is worked out here from the
    documented protocol (protocols.md), never read back from the fake.
    All waits are bounded; the fakes' clock is injected where time
    matters. */
#include "tests/harness.h"

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <strings.h>

#include "tests/fakes/fake_alpaca.h"
#include "tests/fakes/fake_binance.h"
#include "tests/fakes/fakeutil.h"
#include "tests/fakes/wsclient.h"

#define WAIT_MS 3000

/* ---- HTTP through libcurl ---- */

typedef struct {
    long status;
    fkbuf_t body;
    char retry_after[32];
    char weight[32];
    char orders_10s[32], orders_1d[32]; /* X-MBX-ORDER-COUNT-10S, -1D */
} http_t;

static size_t s_body(char *p, size_t size, size_t n, void *arg)
{
    fkbuf_append(&((http_t *)arg)->body, p, size * n);
    return size * n;
}

static void s_hdr_value(const char *line, size_t len, const char *name,
                        char *out, size_t outsize)
{
    size_t nl = strlen(name);
    if (len <= nl || strncasecmp(line, name, nl) != 0)
        return;
    const char *v = line + nl;
    while (*v == ' ')
        v++;
    size_t vl = (size_t)(line + len - v);
    while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
        vl--;
    snprintf(out, outsize, "%.*s", (int)vl, v);
}

static size_t s_header(char *p, size_t size, size_t n, void *arg)
{
    http_t *h = arg;
    s_hdr_value(p, size * n, "retry-after:", h->retry_after,
                sizeof h->retry_after);
    s_hdr_value(p, size * n, "x-mbx-used-weight-1m:", h->weight,
                sizeof h->weight);
    s_hdr_value(p, size * n, "x-mbx-order-count-10s:", h->orders_10s,
                sizeof h->orders_10s);
    s_hdr_value(p, size * n, "x-mbx-order-count-1d:", h->orders_1d,
                sizeof h->orders_1d);
    return size * n;
}

/* METHOD PATH (with query) on PORT; HDRS NULL-terminated "Name: value";
   given up after TIMEOUT_MS. Returns how the transfer ended. */
static CURLcode s_http_try(int port, const char *method, const char *path,
                           const char *const *hdrs, const char *body,
                           long timeout_ms, http_t *out)
{
    memset(out, 0, sizeof *out);
    fkbuf_init(&out->body);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[2048];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    struct curl_slist *list = NULL;
    for (size_t i = 0; hdrs && hdrs[i]; i++)
        list = curl_slist_append(list, hdrs[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, s_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, s_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    fkbuf_append(&out->body, "", 0);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return rc;
}

/* s_http_try within 5 s, asserting an answer came. */
static void s_http(int port, const char *method, const char *path,
                   const char *const *hdrs, const char *body, http_t *out)
{
    assert_int_equal(s_http_try(port, method, path, hdrs, body, 5000L, out),
                     CURLE_OK);
}

static json_t *s_json(const http_t *h)
{
    json_error_t e;
    json_t *j = json_loads(h->body.s, 0, &e);
    if (!j)
        fail_msg("not JSON (%s): %s", e.text, h->body.s);
    return j;
}

static const char *s_jstr(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (!v)
        fail_msg("no string %s in %s", key, json_dumps(o, 0));
    return v ? v : ""; /* never NULL: the release build's format check */
}

/* Receives the next message and checks it contains NEEDLE. */
static char *s_expect(wsc_t *c, const char *needle)
{
    char *m = wsc_recv(c, WAIT_MS, NULL);
    if (!m)
        fail_msg("no message (wanted %s)", needle);
    if (!strstr(m, needle))
        fail_msg("wanted %s in %s", needle, m);
    return m;
}

static void s_expect_free(wsc_t *c, const char *needle)
{
    free(s_expect(c, needle));
}

/* ---- fixed clock for the fakes ---- */

static _Atomic int64_t g_now_ns; /* set by the test, read by the fakes */

static int64_t s_clock(void *arg)
{
    (void)arg;
    return g_now_ns;
}

/* ---- Alpaca ---- */

#define A_KEY "PKTEST1"
#define A_SECRET "s3cr3t"
static const char *const A_HDRS[] = {"APCA-API-KEY-ID: " A_KEY,
                                     "APCA-API-SECRET-KEY: " A_SECRET, NULL};
static const char *const A_SYMS[] = {"AAPL", "MSFT", "BTC/USD"};

static fake_alpaca_t *s_alpaca(int auth_timeout_ms)
{
    fake_alpaca_cfg_t cfg = {.key_id = A_KEY,
                             .secret = A_SECRET,
                             .symbols = A_SYMS,
                             .symbol_count = 3,
                             .cash = "100000",
                             .clock = s_clock,
                             .auth_timeout_ms = auth_timeout_ms};
    /* 2024-05-06T14:31:00Z, a Monday, 10:31 EDT. */
    g_now_ns = 1715005860LL * 1000000000LL;
    fake_alpaca_t *f = fake_alpaca_start(&cfg);
    assert_non_null(f);
    assert_true(fake_alpaca_port(f) > 0);
    return f;
}

static wsc_t *s_md_connect(fake_alpaca_t *f, const char *path)
{
    wsc_t *c = wsc_connect(fake_alpaca_port(f), path, NULL, WAIT_MS);
    assert_non_null(c);
    char *m = wsc_recv(c, WAIT_MS, NULL);
    assert_non_null(m);
    assert_string_equal(m, "[{\"T\":\"success\",\"msg\":\"connected\"}]");
    free(m);
    return c;
}

static void test_alpaca_md_auth_subscribe_trades(void **state)
{
    (void)state;
    fake_alpaca_t *f = s_alpaca(0);
    wsc_t *c = s_md_connect(f, "/v2/iex");
    const char *sub = "{\"action\":\"subscribe\",\"trades\":[\"AAPL\"]}";
    assert_int_equal(wsc_send(c, sub, strlen(sub), false), 0);
    s_expect_free(c, "\"code\":401");
    const char *auth = "{\"action\":\"auth\",\"key\":\"" A_KEY
                       "\",\"secret\":\"" A_SECRET "\"}";
    assert_int_equal(wsc_send(c, auth, strlen(auth), false), 0);
    char *m = s_expect(c, "authenticated");
    assert_string_equal(m, "[{\"T\":\"success\",\"msg\":\"authenticated\"}]");
    free(m);
    assert_int_equal(wsc_send(c, auth, strlen(auth), false), 0);
    s_expect_free(c, "{\"T\":\"error\",\"code\":403");
    assert_int_equal(wsc_send(c, sub, strlen(sub), false), 0);
    m = s_expect(c, "\"T\":\"subscription\"");
    assert_non_null(strstr(m, "\"trades\":[\"AAPL\"]"));
    assert_non_null(strstr(m, "\"corrections\":[\"AAPL\"]"));
    assert_non_null(strstr(m, "\"cancelErrors\":[\"AAPL\"]"));
    assert_non_null(strstr(m, "\"bars\":[]"));
    free(m);
    const char *bad = "{\"action\":\"subscribe\",\"trades\":[\"aapl!\"]}";
    assert_int_equal(wsc_send(c, bad, strlen(bad), false), 0);
    s_expect_free(c, "\"code\":400");
    /* MSFT is not subscribed: only the AAPL trade arrives. 14:32:01.004512
       UTC on 2024-05-06 is 1715005921 s + 4512 us. */
    int64_t ts = 1715005921LL * 1000000000LL + 4512000;
    assert_int_equal(fake_alpaca_push_trade(f, "MSFT", "410.5", "3", ts), 0);
    assert_int_equal(fake_alpaca_push_trade(f, "AAPL", "189.31", "100", ts), 0);
    m = s_expect(c, "\"T\":\"t\"");
    json_t *j = json_loads(m, 0, NULL);
    assert_true(json_is_array(j) && json_array_size(j) == 1);
    json_t *t = json_array_get(j, 0);
    assert_string_equal(s_jstr(t, "S"), "AAPL");
    assert_true(json_real_value(json_object_get(t, "p")) == 189.31);
    assert_int_equal(json_integer_value(json_object_get(t, "s")), 100);
    assert_string_equal(s_jstr(t, "t"), "2024-05-06T14:32:01.004512Z");
    json_decref(j);
    free(m);
    const char *unsub = "{\"action\":\"unsubscribe\",\"trades\":[\"AAPL\"]}";
    assert_int_equal(wsc_send(c, unsub, strlen(unsub), false), 0);
    s_expect_free(c, "\"trades\":[]");
    wsc_destroy(&c);
    fake_alpaca_stop(&f);
    assert_null(f);
}

static void test_alpaca_md_auth_failures(void **state)
{
    (void)state;
    fake_alpaca_t *f = s_alpaca(300);
    wsc_t *c = s_md_connect(f, "/v2/iex");
    const char *auth =
        "{\"action\":\"auth\",\"key\":\"" A_KEY "\",\"secret\":\"wrong\"}";
    assert_int_equal(wsc_send(c, auth, strlen(auth), false), 0);
    char *m = s_expect(c, "402");
    assert_string_equal(
        m, "[{\"T\":\"error\",\"code\":402,\"msg\":\"auth failed\"}]");
    free(m);
    assert_true(wsc_wait_closed(c, WAIT_MS));
    wsc_destroy(&c);
    /* No auth at all: the (shortened) auth timeout. */
    c = s_md_connect(f, "/v1beta3/crypto/us");
    s_expect_free(c, "{\"T\":\"error\",\"code\":404,\"msg\":\"auth timeout\"}");
    assert_true(wsc_wait_closed(c, WAIT_MS));
    wsc_destroy(&c);
    /* Header auth on the upgrade, refused while reject_auth is on. */
    static const char *const hdrs[] = {"apca-api-key-id:", A_KEY,
                                       "apca-api-secret-key:", A_SECRET, NULL};
    fake_alpaca_set_reject_auth(f, true);
    c = wsc_connect(fake_alpaca_port(f), "/v2/iex", hdrs, WAIT_MS);
    assert_non_null(c);
    s_expect_free(c, "connected");
    s_expect_free(c, "\"code\":402");
    wsc_destroy(&c);
    fake_alpaca_set_reject_auth(f, false);
    c = wsc_connect(fake_alpaca_port(f), "/v2/iex", hdrs, WAIT_MS);
    assert_non_null(c);
    s_expect_free(c, "connected");
    s_expect_free(c, "authenticated");
    wsc_destroy(&c);
    fake_alpaca_stats_t st;
    fake_alpaca_stats(f, &st);
    assert_int_equal(st.auth_failures, 2);
    assert_int_equal(st.md_connections, 4);
    fake_alpaca_stop(&f);
}

static void test_alpaca_rest_auth(void **state)
{
    (void)state;
    fake_alpaca_t *f = s_alpaca(0);
    int port = fake_alpaca_port(f);
    http_t h;
    s_http(port, "GET", "/v2/account", NULL, NULL, &h);
    assert_int_equal(h.status, 401);
    fkbuf_free(&h.body);
    static const char *const bad[] = {"APCA-API-KEY-ID: " A_KEY,
                                      "APCA-API-SECRET-KEY: nope", NULL};
    s_http(port, "GET", "/v2/account", bad, NULL, &h);
    assert_int_equal(h.status, 403);
    fkbuf_free(&h.body);
    s_http(port, "GET", "/v2/account", A_HDRS, NULL, &h);
    assert_int_equal(h.status, 200);
    json_t *j = s_json(&h);
    assert_string_equal(s_jstr(j, "cash"), "100000");
    assert_string_equal(s_jstr(j, "status"), "ACTIVE");
    json_decref(j);
    fkbuf_free(&h.body);
    /* 14:31Z in May is 10:31 EDT on a Monday: open, closes at 16:00. */
    s_http(port, "GET", "/v2/clock", A_HDRS, NULL, &h);
    j = s_json(&h);
    assert_true(json_is_true(json_object_get(j, "is_open")));
    assert_string_equal(s_jstr(j, "timestamp"), "2024-05-06T10:31:00-04:00");
    assert_string_equal(s_jstr(j, "next_close"), "2024-05-06T16:00:00-04:00");
    assert_string_equal(s_jstr(j, "next_open"), "2024-05-07T09:30:00-04:00");
    json_decref(j);
    fkbuf_free(&h.body);
    assert_int_equal(fake_alpaca_requests(f, "GET /v2/account"), 3);
    fake_alpaca_stop(&f);
}

static json_t *s_post(int port, const char *body, long want)
{
    http_t h;
    s_http(port, "POST", "/v2/orders", A_HDRS, body, &h);
    if (h.status != want)
        fail_msg("POST %s: %ld %s", body, h.status, h.body.s);
    json_t *j = s_json(&h);
    fkbuf_free(&h.body);
    return j;
}

static json_t *s_get(int port, const char *path, long want)
{
    http_t h;
    s_http(port, "GET", path, A_HDRS, NULL, &h);
    if (h.status != want)
        fail_msg("GET %s: %ld %s", path, h.status, h.body.s);
    json_t *j = s_json(&h);
    fkbuf_free(&h.body);
    return j;
}

static void test_alpaca_orders(void **state)
{
    (void)state;
    fake_alpaca_t *f = s_alpaca(0);
    int port = fake_alpaca_port(f);
    assert_int_equal(fake_alpaca_push_trade(f, "AAPL", "189.31", "1", 1), 0);
    json_t *o = s_post(port,
                       "{\"symbol\":\"AAPL\",\"qty\":\"10\",\"side\":\"buy\","
                       "\"type\":\"market\",\"time_in_force\":\"day\","
                       "\"client_order_id\":\"c-1\"}",
                       200);
    assert_string_equal(s_jstr(o, "client_order_id"), "c-1");
    assert_string_equal(s_jstr(o, "status"), "new");
    json_decref(o);
    o = s_get(port, "/v2/orders:by_client_order_id?client_order_id=c-1", 200);
    assert_string_equal(s_jstr(o, "status"), "filled");
    assert_string_equal(s_jstr(o, "filled_qty"), "10");
    assert_string_equal(s_jstr(o, "filled_avg_price"), "189.31");
    json_decref(o);
    /* The same id again: 422 with the documented body shape. */
    o = s_post(port,
               "{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\","
               "\"type\":\"market\",\"time_in_force\":\"day\","
               "\"client_order_id\":\"c-1\"}",
               422);
    assert_int_equal(json_integer_value(json_object_get(o, "code")), 40010001);
    assert_string_equal(s_jstr(o, "message"), "client_order_id must be unique");
    json_decref(o);
    o = s_post(port,
               "{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\","
               "\"type\":\"limit\",\"time_in_force\":\"day\"}",
               422);
    assert_non_null(strstr(s_jstr(o, "message"), "limit_price"));
    json_decref(o);
    /* 10 x 189.31 = 1893.10 spent; 100000 - 1893.1 = 98106.9. */
    o = s_get(port, "/v2/account", 200);
    assert_string_equal(s_jstr(o, "cash"), "98106.9");
    json_decref(o);
    o = s_get(port, "/v2/positions", 200);
    assert_int_equal(json_array_size(o), 1);
    assert_string_equal(s_jstr(json_array_get(o, 0), "qty"), "10");
    assert_string_equal(s_jstr(json_array_get(o, 0), "avg_entry_price"),
                        "189.31");
    json_decref(o);
    /* Selling more than held is refused (no shorting configured). */
    o = s_post(port,
               "{\"symbol\":\"AAPL\",\"qty\":\"11\",\"side\":\"sell\","
               "\"type\":\"market\",\"time_in_force\":\"day\"}",
               403);
    assert_int_equal(json_integer_value(json_object_get(o, "code")), 40310000);
    json_decref(o);
    assert_int_equal(fake_alpaca_coid_count(f, "c-1"), 2);
    assert_int_equal(fake_alpaca_coid_max(f), 2);
    fake_alpaca_stop(&f);
}

static void s_stream_auth(wsc_t *c)
{
    const char *auth =
        "{\"action\":\"authenticate\",\"data\":{\"key_id\":\"" A_KEY
        "\",\"secret_key\":\"" A_SECRET "\"}}";
    assert_int_equal(wsc_send(c, auth, strlen(auth), false), 0);
    bool binary = false;
    char *m = wsc_recv(c, WAIT_MS, &binary);
    assert_non_null(m);
    assert_true(binary); /* as the paper server sends */
    assert_string_equal(m, "{\"stream\":\"authorization\",\"data\":{\"status\":"
                           "\"authorized\",\"action\":\"authenticate\"}}");
    free(m);
    const char *listen =
        "{\"action\":\"listen\",\"data\":{\"streams\":[\"trade_updates\"]}}";
    assert_int_equal(wsc_send(c, listen, strlen(listen), false), 0);
    s_expect_free(c, "{\"stream\":\"listening\",\"data\":{\"streams\":["
                     "\"trade_updates\"]}}");
}

static json_t *s_event(wsc_t *c, const char *event)
{
    char *m = s_expect(c, event);
    json_t *j = json_loads(m, 0, NULL);
    free(m);
    assert_non_null(j);
    json_t *d = json_incref(json_object_get(j, "data"));
    json_decref(j);
    assert_string_equal(s_jstr(d, "event"), event);
    return d;
}

static void test_alpaca_limit_fill_stream(void **state)
{
    (void)state;
    fake_alpaca_t *f = s_alpaca(0);
    int port = fake_alpaca_port(f);
    wsc_t *c = wsc_connect(port, "/stream", NULL, WAIT_MS);
    assert_non_null(c);
    const char *early = "{\"action\":\"listen\",\"data\":{\"streams\":[]}}";
    assert_int_equal(wsc_send(c, early, strlen(early), false), 0);
    s_expect_free(c, "\"status\":\"unauthorized\",\"action\":\"listen\"");
    s_stream_auth(c);
    json_decref(s_post(port,
                       "{\"symbol\":\"AAPL\",\"qty\":\"5\",\"side\":\"buy\","
                       "\"type\":\"limit\",\"limit_price\":\"100\","
                       "\"time_in_force\":\"gtc\",\"client_order_id\":\"L1\"}",
                       200));
    json_t *d = s_event(c, "new");
    assert_string_equal(s_jstr(json_object_get(d, "order"), "client_order_id"),
                        "L1");
    json_decref(d);
    assert_int_equal(fake_alpaca_push_trade(f, "AAPL", "101", "1", 2), 0);
    assert_null(wsc_recv(c, 200, NULL)); /* 101 does not cross 100 */
    assert_int_equal(fake_alpaca_push_trade(f, "AAPL", "99.5", "1", 3), 0);
    d = s_event(c, "fill");
    assert_string_equal(s_jstr(d, "price"), "100");
    assert_string_equal(s_jstr(d, "qty"), "5");
    assert_string_equal(s_jstr(d, "position_qty"), "5");
    assert_string_equal(s_jstr(json_object_get(d, "order"), "status"),
                        "filled");
    json_decref(d);
    /* Cancel: 204 for an open order, 422 once it is canceled. */
    json_t *o = s_post(port,
                       "{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\","
                       "\"type\":\"limit\",\"limit_price\":\"90\","
                       "\"time_in_force\":\"gtc\",\"client_order_id\":\"L2\"}",
                       200);
    char path[128];
    snprintf(path, sizeof path, "/v2/orders/%s", s_jstr(o, "id"));
    json_decref(o);
    json_decref(s_event(c, "new"));
    http_t h;
    s_http(port, "DELETE", path, A_HDRS, NULL, &h);
    assert_int_equal(h.status, 204);
    fkbuf_free(&h.body);
    json_decref(s_event(c, "canceled"));
    s_http(port, "DELETE", path, A_HDRS, NULL, &h);
    assert_int_equal(h.status, 422);
    fkbuf_free(&h.body);
    wsc_destroy(&c);
    fake_alpaca_stop(&f);
}

/* OCO (Alpaca's documented shape): malformed ones get 422 with the code
   and a message; a good one is the take-profit with our id and its stop
   leg with ids of the venue's; the take-profit's fill cancels the leg in
   the same step, and a trade through the stop fills nothing. A second
   OCO: its leg replaced by PATCH stays in the group, and cancelling the
   parent cancels the replacement. */
#define OCO_BODY(extra)                                                        \
    "{\"symbol\":\"AAPL\",\"qty\":\"10\",\"side\":\"sell\",\"type\":"          \
    "\"limit\","                                                               \
    "\"time_in_force\":\"gtc\",\"order_class\":\"oco\"" extra "}"

static json_t *s_leg(json_t *o)
{
    json_t *legs = json_object_get(o, "legs");
    assert_int_equal(json_array_size(legs), 1);
    return json_array_get(legs, 0);
}

static void test_alpaca_oco(void **state)
{
    (void)state;
    fake_alpaca_t *f = s_alpaca(0);
    int port = fake_alpaca_port(f);
    assert_int_equal(fake_alpaca_push_trade(f, "AAPL", "100", "1", 1), 0);
    json_decref(s_post(port,
                       "{\"symbol\":\"AAPL\",\"qty\":\"20\",\"side\":\"buy\","
                       "\"type\":\"market\",\"time_in_force\":\"day\"}",
                       200));
    static const char *const bad[] = {
        OCO_BODY(",\"take_profit\":{\"limit_price\":\"105\"}"),
        OCO_BODY(",\"stop_loss\":{\"stop_price\":\"95\"}"),
        OCO_BODY(",\"take_profit\":{\"limit_price\":\"105\"},"
                 "\"stop_loss\":{\"stop_price\":\"104.995\"}"),
        OCO_BODY(",\"limit_price\":\"104\",\"take_profit\":{\"limit_price\":"
                 "\"105\"},\"stop_loss\":{\"stop_price\":\"95\"}"),
        "{\"symbol\":\"AAPL\",\"qty\":\"10\",\"side\":\"sell\",\"type\":"
        "\"market\",\"time_in_force\":\"gtc\",\"order_class\":\"oco\","
        "\"take_profit\":{\"limit_price\":\"105\"},\"stop_loss\":{"
        "\"stop_price\":\"95\"}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *e = s_post(port, bad[i], 422);
        assert_int_equal(json_integer_value(json_object_get(e, "code")),
                         40010001);
        assert_true(strlen(s_jstr(e, "message")) > 0);
        json_decref(e);
    }
    json_t *o = s_post(port,
                       OCO_BODY(",\"client_order_id\":\"X1\",\"take_profit\":{"
                                "\"limit_price\":\"105\"},\"stop_loss\":{"
                                "\"stop_price\":\"95\"}"),
                       200);
    assert_string_equal(s_jstr(o, "client_order_id"), "X1");
    assert_string_equal(s_jstr(o, "order_class"), "oco");
    assert_string_equal(s_jstr(o, "type"), "limit");
    assert_string_equal(s_jstr(o, "limit_price"), "105");
    json_t *leg = s_leg(o);
    assert_string_equal(s_jstr(leg, "type"), "stop");
    assert_string_equal(s_jstr(leg, "stop_price"), "95");
    assert_string_equal(s_jstr(leg, "side"), "sell");
    assert_string_not_equal(s_jstr(leg, "id"), s_jstr(o, "id"));
    assert_string_not_equal(s_jstr(leg, "client_order_id"), "X1");
    json_decref(o);
    char st[32];
    assert_int_equal(fake_alpaca_push_trade(f, "AAPL", "105", "1", 2), 0);
    assert_int_equal(fake_alpaca_order_status(f, "X1", st, sizeof st), 0);
    assert_string_equal(st, "filled");
    assert_int_equal(fake_alpaca_leg_status(f, "X1", st, sizeof st), 0);
    assert_string_equal(st, "canceled");
    assert_int_equal(fake_alpaca_push_trade(f, "AAPL", "90", "1", 3), 0);
    assert_int_equal(fake_alpaca_leg_status(f, "X1", st, sizeof st), 0);
    assert_string_equal(st, "canceled");
    char pos[32];
    assert_int_equal(fake_alpaca_position(f, "AAPL", pos, sizeof pos), 0);
    assert_string_equal(pos, "10");

    /* The leg replaced, then the group cancelled through the parent. */
    o = s_post(port,
               OCO_BODY(",\"client_order_id\":\"X2\",\"take_profit\":{"
                        "\"limit_price\":\"110\"},\"stop_loss\":{"
                        "\"stop_price\":\"80\"}"),
               200);
    char parent[128], path[160];
    snprintf(parent, sizeof parent, "/v2/orders/%s", s_jstr(o, "id"));
    snprintf(path, sizeof path, "/v2/orders/%s", s_jstr(s_leg(o), "id"));
    json_decref(o);
    http_t h;
    s_http(port, "PATCH", path, A_HDRS,
           "{\"stop_price\":\"85\",\"client_order_id\":\"X2s\"}", &h);
    assert_int_equal(h.status, 200);
    o = s_json(&h);
    assert_string_equal(s_jstr(o, "stop_price"), "85");
    json_decref(o);
    fkbuf_free(&h.body);
    s_http(port, "DELETE", parent, A_HDRS, NULL, &h);
    assert_int_equal(h.status, 204);
    fkbuf_free(&h.body);
    assert_int_equal(fake_alpaca_order_status(f, "X2s", st, sizeof st), 0);
    assert_string_equal(st, "canceled");
    assert_int_equal(fake_alpaca_order_status(f, "X2", st, sizeof st), 0);
    assert_string_equal(st, "canceled");
    fake_alpaca_stop(&f);
}

static void test_alpaca_bars_pagination(void **state)
{
    (void)state;
    fake_alpaca_t *f = s_alpaca(0);
    int port = fake_alpaca_port(f);
    int64_t t0 = 1715002200LL * 1000000000LL; /* 2024-05-06T13:30:00Z */
    for (int i = 4; i >= 0; i--) {            /* seeded out of order */
        fake_alpaca_bar_t b = {.t_ns = t0 + i * 60000000000LL,
                               .o = "1.5",
                               .h = "2",
                               .l = "1",
                               .c = "1.75",
                               .v = "100",
                               .n = i + 1,
                               .vw = "1.6"};
        assert_int_equal(fake_alpaca_seed_bar(f, "AAPL", "1Min", &b), 0);
    }
    char path[256], token[64] = "";
    int pages = 0, bars = 0;
    int64_t expect = t0;
    for (; pages < 10; pages++) {
        snprintf(path, sizeof path,
                 "/v2/stocks/AAPL/bars?timeframe=1T&limit=2&start=2024-05-06"
                 "%s%s",
                 token[0] ? "&page_token=" : "", token);
        json_t *j = s_get(port, path, 200);
        json_t *a = json_object_get(j, "bars"), *b;
        size_t i;
        json_array_foreach(a, i, b)
        {
            int64_t t;
            assert_int_equal(fktime_parse(s_jstr(b, "t"), &t), 0);
            assert_true(t == expect);
            expect += 60000000000LL;
            bars++;
        }
        json_t *next = json_object_get(j, "next_page_token");
        bool more = json_is_string(next);
        if (more)
            snprintf(token, sizeof token, "%s", json_string_value(next));
        json_decref(j);
        if (!more)
            break;
    }
    assert_int_equal(bars, 5);
    assert_int_equal(pages, 2); /* pages 0, 1, 2: 2 + 2 + 1 bars */
    json_t *j = s_get(port, "/v2/stocks/AAPL/bars?timeframe=7Week", 422);
    json_decref(j);
    fake_alpaca_stop(&f);
}

static void test_alpaca_faults(void **state)
{
    (void)state;
    fake_alpaca_t *f = s_alpaca(0);
    int port = fake_alpaca_port(f);
    wsc_t *c = wsc_connect(port, "/stream", NULL, WAIT_MS);
    assert_non_null(c);
    s_stream_auth(c);
    json_decref(s_post(port,
                       "{\"symbol\":\"AAPL\",\"qty\":\"4\",\"side\":\"buy\","
                       "\"type\":\"limit\",\"limit_price\":\"50\","
                       "\"time_in_force\":\"gtc\",\"client_order_id\":\"D1\"}",
                       200));
    json_decref(s_event(c, "new"));
    assert_int_equal(fake_alpaca_drop_connections(f), 1);
    assert_true(wsc_wait_closed(c, WAIT_MS));
    fake_alpaca_stats_t st;
    fake_alpaca_stats(f, &st);
    assert_int_equal(st.stream_clients, 0);
    assert_int_equal(fake_alpaca_fill_while_down(f, "D1", "1", "49"), 0);
    json_t *o =
        s_get(port, "/v2/orders:by_client_order_id?client_order_id=D1", 200);
    assert_string_equal(s_jstr(o, "status"), "partially_filled");
    assert_string_equal(s_jstr(o, "filled_qty"), "1");
    json_decref(o);
    wsc_destroy(&c);
    /* A storm of two: two 429s with Retry-After: 1, then normal. */
    fake_alpaca_rate_limit_storm(f, 2);
    http_t h;
    for (int i = 0; i < 3; i++) {
        s_http(port, "GET", "/v2/account", A_HDRS, NULL, &h);
        assert_int_equal(h.status, i < 2 ? 429 : 200);
        if (i < 2)
            assert_string_equal(h.retry_after, "1");
        fkbuf_free(&h.body);
    }
    /* Responses held back by the delay. */
    fake_alpaca_set_delay_ms(f, 300);
    int64_t t = tth_now_ms();
    s_http(port, "GET", "/v2/clock", A_HDRS, NULL, &h);
    assert_int_equal(h.status, 200);
    assert_true(tth_now_ms() - t >= 300);
    fkbuf_free(&h.body);
    fake_alpaca_set_delay_ms(f, 0);
    /* Raw frames reach market-data clients as they are. */
    c = s_md_connect(f, "/v2/iex");
    assert_int_equal(fake_alpaca_send_raw(f, "[{\"T\":", 6, false), 1);
    char *m = wsc_recv(c, WAIT_MS, NULL);
    assert_non_null(m);
    assert_string_equal(m, "[{\"T\":");
    free(m);
    wsc_destroy(&c);
    fake_alpaca_stats(f, &st);
    assert_int_equal(st.http_429, 2);
    fake_alpaca_stop(&f);
}

/* The order faults: POSTs answered 429 (with and without Retry-After)
   place nothing and the next POST of the same id is taken once; DELETEs
   refused 422 or 503 cancel nothing until the refusal ends. */
static void test_alpaca_order_faults(void **state)
{
    (void)state;
    fake_alpaca_t *f = s_alpaca(0);
    int port = fake_alpaca_port(f);
    const char *body = "{\"symbol\":\"AAPL\",\"qty\":\"2\",\"side\":\"buy\","
                       "\"type\":\"limit\",\"limit_price\":\"50\","
                       "\"time_in_force\":\"gtc\",\"client_order_id\":\"L1\"}";
    fake_alpaca_limit_posts(f, 2, 2);
    http_t h;
    s_http(port, "POST", "/v2/orders", A_HDRS, body, &h);
    assert_int_equal(h.status, 429);
    assert_string_equal(h.retry_after, "2");
    fkbuf_free(&h.body);
    fake_alpaca_limit_posts(f, 1, -1); /* the second one, without a header */
    s_http(port, "POST", "/v2/orders", A_HDRS, body, &h);
    assert_int_equal(h.status, 429);
    assert_string_equal(h.retry_after, "");
    fkbuf_free(&h.body);
    /* Other requests pass meanwhile; nothing was placed. */
    json_decref(
        s_get(port, "/v2/orders:by_client_order_id?client_order_id=L1", 404));
    assert_int_equal(fake_alpaca_coid_count(f, "L1"), 0);
    json_t *o = s_post(port, body, 200);
    char path[128];
    snprintf(path, sizeof path, "/v2/orders/%s", s_jstr(o, "id"));
    json_decref(o);
    assert_int_equal(fake_alpaca_coid_count(f, "L1"), 1);

    /* Placed but answered 503: the venue has it all the same. */
    fake_alpaca_unknown_outcome(f, 1);
    s_http(port, "POST", "/v2/orders", A_HDRS,
           "{\"symbol\":\"AAPL\",\"qty\":\"1\",\"side\":\"buy\","
           "\"type\":\"limit\",\"limit_price\":\"40\","
           "\"time_in_force\":\"gtc\",\"client_order_id\":\"U1\"}",
           &h);
    assert_int_equal(h.status, 503);
    fkbuf_free(&h.body);
    o = s_get(port, "/v2/orders:by_client_order_id?client_order_id=U1", 200);
    assert_string_equal(s_jstr(o, "status"), "new");
    json_decref(o);
    assert_int_equal(fake_alpaca_coid_count(f, "U1"), 1);

    /* Two DELETEs refused 422, then one 503: the order works on. */
    char status[32];
    fake_alpaca_fail_cancels(f, 422, 2);
    for (int i = 0; i < 2; i++) {
        s_http(port, "DELETE", path, A_HDRS, NULL, &h);
        assert_int_equal(h.status, 422);
        o = s_json(&h);
        assert_string_equal(s_jstr(o, "message"), "order is not cancelable");
        json_decref(o);
        fkbuf_free(&h.body);
    }
    fake_alpaca_fail_cancels(f, 503, 1);
    s_http(port, "DELETE", path, A_HDRS, NULL, &h);
    assert_int_equal(h.status, 503);
    fkbuf_free(&h.body);
    assert_int_equal(fake_alpaca_order_status(f, "L1", status, sizeof status),
                     0);
    assert_string_equal(status, "new");
    /* Every cancel refused until told otherwise, then the next goes. */
    fake_alpaca_fail_cancels(f, 422, 1000000);
    for (int i = 0; i < 5; i++) {
        s_http(port, "DELETE", path, A_HDRS, NULL, &h);
        assert_int_equal(h.status, 422);
        fkbuf_free(&h.body);
    }
    fake_alpaca_fail_cancels(f, 422, 0);
    s_http(port, "DELETE", path, A_HDRS, NULL, &h);
    assert_int_equal(h.status, 204);
    fkbuf_free(&h.body);
    assert_int_equal(fake_alpaca_order_status(f, "L1", status, sizeof status),
                     0);
    assert_string_equal(status, "canceled");
    assert_int_equal(fake_alpaca_requests(f, "DELETE /v2/orders/{id}"), 9);
    fake_alpaca_stats_t st;
    fake_alpaca_stats(f, &st);
    assert_int_equal(st.http_429, 2);
    fake_alpaca_stop(&f);
}

/* ---- Binance ---- */

#define B_KEY "bnkey"
#define B_SECRET "testsecret123"
static const char *const B_HDRS[] = {"X-MBX-APIKEY: " B_KEY, NULL};

/* HMAC-SHA256 hex, computed here with OpenSSL, not by the fake. */
static void s_sign(const char *secret, const char *payload, char out[65])
{
    unsigned char mac[32];
    unsigned int n = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret),
         (const unsigned char *)payload, strlen(payload), mac, &n);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

static fake_binance_t *s_binance_bal(int weight_limit, int ping_ms, int pong_ms,
                                     bool balance)
{
    static const fake_binance_symbol_t sym = {.symbol = "BTCUSDT",
                                              .base = "BTC",
                                              .quote = "USDT",
                                              .min_price = "0.01",
                                              .max_price = "1000000",
                                              .tick_size = "0.01",
                                              .min_qty = "0.00001",
                                              .max_qty = "9000",
                                              .step_size = "0.00001",
                                              .min_notional = "5"};
    fake_binance_cfg_t cfg = {.api_key = B_KEY,
                              .secret = B_SECRET,
                              .symbols = &sym,
                              .symbol_count = 1,
                              .clock = s_clock,
                              .weight_limit = weight_limit,
                              .ping_interval_ms = ping_ms,
                              .pong_timeout_ms = pong_ms,
                              .enforce_balance = balance};
    g_now_ns = 1700000000000LL * 1000000LL;
    fake_binance_t *f = fake_binance_start(&cfg);
    assert_non_null(f);
    return f;
}

static fake_binance_t *s_binance(int weight_limit, int ping_ms, int pong_ms)
{
    return s_binance_bal(weight_limit, ping_ms, pong_ms, false);
}

/* A signed request: PARAMS + "&signature=" over PARAMS. */
static void s_signed(int port, const char *method, const char *path,
                     const char *params, bool in_body, http_t *h)
{
    char sig[65], full[2048], url[2200];
    s_sign(B_SECRET, params, sig);
    snprintf(full, sizeof full, "%s&signature=%s", params, sig);
    snprintf(url, sizeof url, "%s%s%s", path, in_body ? "" : "?",
             in_body ? "" : full);
    s_http(port, method, url, B_HDRS, in_body ? full : NULL, h);
}

static void s_bn_code(const http_t *h, long status, int code)
{
    if (h->status != status)
        fail_msg("status %ld, wanted %ld: %s", h->status, status, h->body.s);
    json_t *j = s_json(h);
    assert_int_equal(json_integer_value(json_object_get(j, "code")), code);
    json_decref(j);
}

static void test_binance_known_answers(void **state)
{
    (void)state;
    char sig[65];
    s_sign("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
           "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&"
           "price=0.1&recvWindow=5000&timestamp=1499827319559",
           sig);
    assert_string_equal(
        sig,
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
    s_sign(B_SECRET,
           "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&"
           "price=25000.00&newClientOrderId=orch-0001&recvWindow=5000&"
           "timestamp=1700000000000",
           sig);
    assert_string_equal(
        sig,
        "641b51d70df25625c1ccde8878cd2f566a2aa0d9c26f8f9160bbaeb4ff9b56cd");
}

static const char *const B_ORDER =
    "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&"
    "price=25000.00&newClientOrderId=orch-0001&recvWindow=5000&"
    "timestamp=1700000000000";

static void test_binance_signed_order_user_stream(void **state)
{
    (void)state;
    fake_binance_t *f = s_binance(0, 0, 0);
    int port = fake_binance_port(f);
    http_t h;
    s_http(port, "POST", "/api/v3/userDataStream", B_HDRS, NULL, &h);
    assert_int_equal(h.status, 200);
    json_t *j = s_json(&h);
    char path[128];
    snprintf(path, sizeof path, "/ws/%s", s_jstr(j, "listenKey"));
    json_decref(j);
    fkbuf_free(&h.body);
    wsc_t *u = wsc_connect(port, path, NULL, WAIT_MS);
    assert_non_null(u);
    /* The documented vector itself, as the request body: accepted. */
    char body[512];
    snprintf(
        body, sizeof body, "%s&signature=%s", B_ORDER,
        "641b51d70df25625c1ccde8878cd2f566a2aa0d9c26f8f9160bbaeb4ff9b56cd");
    s_http(port, "POST", "/api/v3/order", B_HDRS, body, &h);
    if (h.status != 200)
        fail_msg("%ld %s", h.status, h.body.s);
    j = s_json(&h);
    assert_string_equal(s_jstr(j, "clientOrderId"), "orch-0001");
    assert_string_equal(s_jstr(j, "status"), "NEW");
    assert_string_equal(s_jstr(j, "price"), "25000.00000000");
    assert_int_equal(json_array_size(json_object_get(j, "fills")), 0);
    json_decref(j);
    /* userDataStream (2) + order (1) in the same minute. */
    assert_string_equal(h.weight, "3");
    fkbuf_free(&h.body);
    s_expect_free(u, "\"x\":\"NEW\"");
    assert_int_equal(fake_binance_push_trade(f, "BTCUSDT", "25001", "1",
                                             1700000000000LL, false),
                     0);
    assert_null(wsc_recv(u, 200, NULL)); /* 25001 > 25000: no fill */
    assert_int_equal(fake_binance_push_trade(f, "BTCUSDT", "24999.5", "1",
                                             1700000000001LL, false),
                     0);
    char *m = s_expect(u, "\"x\":\"TRADE\"");
    j = json_loads(m, 0, NULL);
    free(m);
    assert_string_equal(s_jstr(j, "e"), "executionReport");
    assert_string_equal(s_jstr(j, "X"), "FILLED");
    assert_string_equal(s_jstr(j, "L"), "25000.00000000");
    assert_string_equal(s_jstr(j, "l"), "0.01000000");
    assert_string_equal(s_jstr(j, "c"), "orch-0001");
    json_decref(j);
    s_signed(port, "GET", "/api/v3/order",
             "symbol=BTCUSDT&origClientOrderId=orch-0001&"
             "timestamp=1700000000000",
             false, &h);
    assert_int_equal(h.status, 200);
    j = s_json(&h);
    assert_string_equal(s_jstr(j, "status"), "FILLED");
    assert_string_equal(s_jstr(j, "executedQty"), "0.01000000");
    json_decref(j);
    fkbuf_free(&h.body);
    /* Sending the same order again while none is open is a new order; the
       counter still shows the id arrived twice. */
    assert_int_equal(fake_binance_coid_count(f, "orch-0001"), 1);
    wsc_destroy(&u);
    fake_binance_stop(&f);
}

static void test_binance_rejections(void **state)
{
    (void)state;
    fake_binance_t *f = s_binance(0, 0, 0);
    int port = fake_binance_port(f);
    http_t h;
    char body[512];
    snprintf(
        body, sizeof body, "%s&signature=%s", B_ORDER,
        "641b51d70df25625c1ccde8878cd2f566a2aa0d9c26f8f9160bbaeb4ff9b56ce");
    s_http(port, "POST", "/api/v3/order", B_HDRS, body, &h);
    s_bn_code(&h, 400, -1022);
    fkbuf_free(&h.body);
    s_http(port, "POST", "/api/v3/order", NULL, body, &h);
    s_bn_code(&h, 401, -2014);
    fkbuf_free(&h.body);
    static const char *const wrong[] = {"X-MBX-APIKEY: other", NULL};
    s_http(port, "POST", "/api/v3/order", wrong, body, &h);
    s_bn_code(&h, 401, -2015);
    fkbuf_free(&h.body);
    /* Stale: the server is 6 s past the timestamp, window 5 s. */
    g_now_ns += 6000LL * 1000000LL;
    s_signed(port, "POST", "/api/v3/order", B_ORDER, true, &h);
    s_bn_code(&h, 400, -1021);
    fkbuf_free(&h.body);
    g_now_ns -= 6000LL * 1000000LL;
    s_signed(port, "POST", "/api/v3/order", B_ORDER, false, &h);
    assert_int_equal(h.status, 200);
    fkbuf_free(&h.body);
    s_signed(port, "POST", "/api/v3/order", B_ORDER, true, &h);
    s_bn_code(&h, 400, -2010);
    fkbuf_free(&h.body);
    s_signed(port, "POST", "/api/v3/order",
             "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&"
             "quantity=0.01&price=25000.005&timestamp=1700000000000",
             true, &h);
    s_bn_code(&h, 400, -1013);
    assert_non_null(strstr(h.body.s, "Filter failure: PRICE_FILTER"));
    fkbuf_free(&h.body);
    s_signed(port, "POST", "/api/v3/order",
             "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&"
             "quantity=0.0001&price=25000&timestamp=1700000000000",
             true, &h);
    s_bn_code(&h, 400, -1013);
    assert_non_null(strstr(h.body.s, "Filter failure: NOTIONAL"));
    fkbuf_free(&h.body);
    fake_binance_stats_t st;
    fake_binance_stats(f, &st);
    assert_int_equal(st.sig_failures, 1);
    assert_int_equal(st.auth_failures, 2);
    assert_int_equal(st.time_failures, 1);
    assert_int_equal(fake_binance_coid_max(f), 2);
    fake_binance_stop(&f);
}

static void test_binance_weight_429_418(void **state)
{
    (void)state;
    fake_binance_t *f = s_binance(25, 0, 0);
    int port = fake_binance_port(f);
    http_t h;
    s_http(port, "GET", "/api/v3/exchangeInfo?symbol=BTCUSDT", NULL, NULL, &h);
    assert_int_equal(h.status, 200);
    assert_string_equal(h.weight, "20");
    json_t *j = s_json(&h);
    json_t *filters = json_object_get(
        json_array_get(json_object_get(j, "symbols"), 0), "filters");
    assert_string_equal(s_jstr(json_array_get(filters, 0), "filterType"),
                        "PRICE_FILTER");
    assert_string_equal(s_jstr(json_array_get(filters, 0), "tickSize"),
                        "0.01000000");
    assert_string_equal(s_jstr(json_array_get(filters, 1), "filterType"),
                        "LOT_SIZE");
    assert_string_equal(s_jstr(json_array_get(filters, 2), "filterType"),
                        "NOTIONAL");
    json_decref(j);
    fkbuf_free(&h.body);
    /* 40 > 25: 429, retry at the next minute (1700000040000 ms, 40 s). */
    s_http(port, "GET", "/api/v3/exchangeInfo", NULL, NULL, &h);
    s_bn_code(&h, 429, -1003);
    assert_string_equal(h.retry_after, "40");
    fkbuf_free(&h.body);
    s_http(port, "GET", "/api/v3/ping", NULL, NULL, &h);
    s_bn_code(&h, 418, -1003);
    assert_string_equal(h.retry_after, "120");
    fkbuf_free(&h.body);
    g_now_ns += 121LL * 1000000000LL;
    s_http(port, "GET", "/api/v3/ping", NULL, NULL, &h);
    assert_int_equal(h.status, 200);
    fkbuf_free(&h.body);
    fake_binance_rate_limit_storm(f, 1);
    s_http(port, "GET", "/api/v3/ping", NULL, NULL, &h);
    assert_int_equal(h.status, 429);
    assert_string_equal(h.retry_after, "1");
    fkbuf_free(&h.body);
    fake_binance_stats_t st;
    fake_binance_stats(f, &st);
    assert_int_equal(st.http_429, 2);
    assert_int_equal(st.http_418, 1);
    assert_int_equal(fake_binance_requests(f, "GET /api/v3/ping"), 3);
    fake_binance_stop(&f);
}

/* A signed LIMIT buy far below the market (it rests), client id COID,
   at TS_MS. */
static void s_bn_rest_order(int port, const char *coid, int64_t ts_ms,
                            http_t *h)
{
    char params[512];
    snprintf(params, sizeof params,
             "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&"
             "quantity=0.01&price=25000.00&newClientOrderId=%s&"
             "timestamp=%lld",
             coid, (long long)ts_ms);
    s_signed(port, "POST", "/api/v3/order", params, true, h);
}

/* The account's ORDERS limits (3 per 10 s, 5 a day here): listed in
   exchangeInfo, each order's count in X-MBX-ORDER-COUNT-10S and -1D,
   429 -1015 past a limit with Retry-After to the window's end, 418 for
   an order while that 429 holds; orders another client placed count. */
static void test_binance_order_limits(void **state)
{
    (void)state;
    static const fake_binance_symbol_t sym = {.symbol = "BTCUSDT",
                                              .base = "BTC",
                                              .quote = "USDT",
                                              .tick_size = "0.01",
                                              .step_size = "0.00001"};
    fake_binance_cfg_t cfg = {.api_key = B_KEY,
                              .secret = B_SECRET,
                              .symbols = &sym,
                              .symbol_count = 1,
                              .clock = s_clock,
                              .order_limit_10s = 3,
                              .order_limit_1d = 5};
    g_now_ns = 1700000004000LL * 1000000LL; /* 4 s into a 10 s window */
    fake_binance_t *f = fake_binance_start(&cfg);
    assert_non_null(f);
    int port = fake_binance_port(f);
    http_t h;
    s_http(port, "GET", "/api/v3/exchangeInfo", NULL, NULL, &h);
    assert_int_equal(h.status, 200);
    assert_string_equal(h.orders_10s, ""); /* not an order */
    json_t *j = s_json(&h);
    json_t *lim = json_object_get(j, "rateLimits");
    assert_int_equal(json_array_size(lim), 3);
    assert_string_equal(s_jstr(json_array_get(lim, 1), "rateLimitType"),
                        "ORDERS");
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(lim, 1), "limit")),
        3);
    assert_string_equal(s_jstr(json_array_get(lim, 2), "interval"), "DAY");
    json_decref(j);
    fkbuf_free(&h.body);
    const char *coids[] = {"lim-1", "lim-2", "lim-3"};
    for (int i = 0; i < 3; i++) {
        s_bn_rest_order(port, coids[i], 1700000004000LL, &h);
        assert_int_equal(h.status, 200);
        char want[8];
        snprintf(want, sizeof want, "%d", i + 1);
        assert_string_equal(h.orders_10s, want);
        assert_string_equal(h.orders_1d, want);
        fkbuf_free(&h.body);
    }
    s_bn_rest_order(port, "lim-4", 1700000004000LL, &h);
    s_bn_code(&h, 429, -1015);
    assert_non_null(strstr(h.body.s, "3 orders per 10 SECOND"));
    assert_string_equal(h.retry_after, "6");
    assert_string_equal(h.orders_10s, "3");
    fkbuf_free(&h.body);
    s_bn_rest_order(port, "lim-5", 1700000004000LL, &h);
    s_bn_code(&h, 418, -1003);
    assert_string_equal(h.retry_after, "120");
    fkbuf_free(&h.body);
    assert_int_equal(fake_binance_coid_count(f, "lim-4"), 0);
    /* Past the ban: a new window; another client's order counts too. */
    g_now_ns += 121LL * 1000000000LL;
    fake_binance_spend_orders(f, 1);
    s_bn_rest_order(port, "lim-6", 1700000125000LL, &h);
    assert_int_equal(h.status, 200);
    assert_string_equal(h.orders_10s, "2");
    assert_string_equal(h.orders_1d, "5");
    fkbuf_free(&h.body);
    s_bn_rest_order(port, "lim-7", 1700000125000LL, &h);
    s_bn_code(&h, 429, -1015);
    assert_non_null(strstr(h.body.s, "5 orders per 1 DAY"));
    fkbuf_free(&h.body);
    fake_binance_stats_t st;
    fake_binance_stats(f, &st);
    assert_int_equal(st.http_429_orders, 2);
    assert_int_equal(st.http_418, 1);
    assert_int_equal(st.max_orders_10s, 3);
    assert_int_equal(st.orders_received, 4);
    fake_binance_stop(&f);
}

static void test_binance_klines(void **state)
{
    (void)state;
    fake_binance_t *f = s_binance(0, 0, 0);
    int port = fake_binance_port(f);
    for (int i = 0; i < 5; i++) {
        fake_binance_kline_t k = {.open_ms = 1700000040000LL + i * 60000LL,
                                  .o = "1.5",
                                  .h = "2",
                                  .l = "1",
                                  .c = "1.75",
                                  .v = "10",
                                  .n = i};
        assert_int_equal(fake_binance_seed_kline(f, "BTCUSDT", "1m", &k), 0);
    }
    http_t h;
    s_http(port, "GET",
           "/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime="
           "1700000100000&limit=2",
           NULL, NULL, &h);
    json_t *j = s_json(&h);
    assert_int_equal(json_array_size(j), 2);
    json_t *row = json_array_get(j, 0);
    assert_int_equal(json_integer_value(json_array_get(row, 0)),
                     1700000100000LL);
    assert_string_equal(json_string_value(json_array_get(row, 1)), "1.5");
    assert_int_equal(json_integer_value(json_array_get(row, 6)),
                     1700000100000LL + 59999);
    json_decref(j);
    fkbuf_free(&h.body);
    s_http(port, "GET", "/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=2",
           NULL, NULL, &h);
    j = s_json(&h);
    assert_int_equal(json_array_size(j), 2);
    assert_int_equal(
        json_integer_value(json_array_get(json_array_get(j, 1), 0)),
        1700000040000LL + 4 * 60000LL);
    json_decref(j);
    fkbuf_free(&h.body);
    s_http(port, "GET", "/api/v3/klines?symbol=BTCUSDT&interval=7m", NULL, NULL,
           &h);
    s_bn_code(&h, 400, -1120);
    fkbuf_free(&h.body);
    fake_binance_stop(&f);
}

static void test_binance_streams(void **state)
{
    (void)state;
    fake_binance_t *f = s_binance(0, 100, 1000);
    int port = fake_binance_port(f);
    wsc_t *raw = wsc_connect(port, "/ws/btcusdt@trade", NULL, WAIT_MS);
    wsc_t *comb =
        wsc_connect(port, "/stream?streams=btcusdt@aggTrade", NULL, WAIT_MS);
    wsc_t *live = wsc_connect(port, "/ws", NULL, WAIT_MS);
    assert_non_null(raw);
    assert_non_null(comb);
    assert_non_null(live);
    const char *sub =
        "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@kline_1m\"],\"id\":7}";
    assert_int_equal(wsc_send(live, sub, strlen(sub), false), 0);
    char *m = s_expect(live, "\"id\":7");
    assert_string_equal(m, "{\"result\":null,\"id\":7}");
    free(m);
    assert_int_equal(wsc_send(live, "{oops", 5, false), 0);
    s_expect_free(live, "\"code\":3");
    assert_int_equal(fake_binance_push_trade(f, "BTCUSDT", "64000.10", "0.015",
                                             1700000000123LL, true),
                     0);
    m = s_expect(raw, "\"e\":\"trade\"");
    json_t *j = json_loads(m, 0, NULL);
    free(m);
    assert_string_equal(s_jstr(j, "p"), "64000.10");
    assert_string_equal(s_jstr(j, "q"), "0.015");
    assert_int_equal(json_integer_value(json_object_get(j, "T")),
                     1700000000123LL);
    assert_true(json_is_true(json_object_get(j, "m")));
    json_decref(j);
    m = s_expect(comb, "{\"stream\":\"btcusdt@aggTrade\",\"data\":{");
    free(m);
    fake_binance_kline_t k = {.open_ms = 1700000040000LL,
                              .o = "1",
                              .h = "2",
                              .l = "0.5",
                              .c = "1.5",
                              .v = "3",
                              .n = 4,
                              .closed = true};
    assert_int_equal(fake_binance_push_kline(f, "BTCUSDT", "1m", &k), 0);
    m = s_expect(live, "\"e\":\"kline\"");
    j = json_loads(m, 0, NULL);
    free(m);
    json_t *kj = json_object_get(j, "k");
    assert_true(json_is_true(json_object_get(kj, "x")));
    assert_int_equal(json_integer_value(json_object_get(kj, "T")),
                     1700000040000LL + 59999);
    json_decref(j);
    /* Pings every 100 ms, answered by the client: still connected. */
    assert_null(wsc_recv(raw, 450, NULL));
    fake_binance_stats_t st;
    fake_binance_stats(f, &st);
    assert_true(st.pings_sent >= 3);
    assert_true(st.pongs_received >= 1);
    assert_int_equal(fake_binance_send_raw(f, "\x01\x02", 2, true), 3);
    bool bin = false;
    m = wsc_recv(raw, WAIT_MS, &bin);
    assert_non_null(m);
    assert_true(bin);
    free(m);
    assert_int_equal(fake_binance_drop_connections(f), 3);
    assert_true(wsc_wait_closed(raw, WAIT_MS));
    fake_binance_stats(f, &st);
    assert_int_equal(st.md_clients, 0);
    wsc_destroy(&raw);
    wsc_destroy(&comb);
    wsc_destroy(&live);
    fake_binance_stop(&f);
}

static void test_binance_fill_while_down(void **state)
{
    (void)state;
    fake_binance_t *f = s_binance(0, 0, 0);
    int port = fake_binance_port(f);
    http_t h;
    s_signed(port, "POST", "/api/v3/order", B_ORDER, true, &h);
    assert_int_equal(h.status, 200);
    fkbuf_free(&h.body);
    assert_int_equal(
        fake_binance_fill_while_down(f, "orch-0001", "0.004", "24990"), 0);
    s_signed(port, "GET", "/api/v3/myTrades",
             "symbol=BTCUSDT&timestamp=1700000000000", false, &h);
    json_t *j = s_json(&h);
    assert_int_equal(json_array_size(j), 1);
    assert_string_equal(s_jstr(json_array_get(j, 0), "qty"), "0.00400000");
    assert_string_equal(s_jstr(json_array_get(j, 0), "price"),
                        "24990.00000000");
    json_decref(j);
    fkbuf_free(&h.body);
    s_signed(port, "DELETE", "/api/v3/order",
             "symbol=BTCUSDT&origClientOrderId=orch-0001&"
             "timestamp=1700000000000",
             false, &h);
    assert_int_equal(h.status, 200);
    j = s_json(&h);
    assert_string_equal(s_jstr(j, "status"), "CANCELED");
    assert_string_equal(s_jstr(j, "executedQty"), "0.00400000");
    json_decref(j);
    fkbuf_free(&h.body);
    s_signed(port, "DELETE", "/api/v3/order",
             "symbol=BTCUSDT&origClientOrderId=orch-0001&"
             "timestamp=1700000000000",
             false, &h);
    s_bn_code(&h, 400, -2011);
    fkbuf_free(&h.body);
    fake_binance_stop(&f);
}

#define B_TS "&timestamp=1700000000000"
#define B_OCO                                                                  \
    "symbol=BTCUSDT&listClientOrderId=tt-B-1-l&side=SELL&quantity=0.5&"        \
    "aboveType=LIMIT_MAKER&aboveClientOrderId=tt-B-2-t&abovePrice=26000&"      \
    "belowType=STOP_LOSS&belowClientOrderId=tt-B-1-s&belowStopPrice=24000"

/* Balance held for sells: a second sell of the same coins is refused
   -2010, one OCO list holds them once. Its legs keep our client ids; a
   trade of one expires the other; a list cancel then finds nothing. */
static void test_binance_oco_balance(void **state)
{
    (void)state;
    fake_binance_t *f = s_binance_bal(0, 0, 0, true);
    int port = fake_binance_port(f);
    http_t h;
    assert_int_equal(fake_binance_push_trade(f, "BTCUSDT", "25000", "1",
                                             1700000000000LL, false),
                     0);
    s_signed(port, "POST", "/api/v3/order",
             "symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.5" B_TS, true,
             &h);
    s_bn_code(&h, 400, -2010); /* nothing bought yet */
    fkbuf_free(&h.body);
    s_signed(port, "POST", "/api/v3/order",
             "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.5" B_TS, true, &h);
    assert_int_equal(h.status, 200);
    fkbuf_free(&h.body);
    /* Two lone exits: the second needs the coins the first holds. */
    s_signed(port, "POST", "/api/v3/order",
             "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&"
             "quantity=0.5&price=26000&newClientOrderId=lone-t" B_TS,
             true, &h);
    assert_int_equal(h.status, 200);
    fkbuf_free(&h.body);
    s_signed(port, "POST", "/api/v3/order",
             "symbol=BTCUSDT&side=SELL&type=STOP_LOSS&quantity=0.5&"
             "stopPrice=24000&newClientOrderId=lone-s" B_TS,
             true, &h);
    s_bn_code(&h, 400, -2010);
    fkbuf_free(&h.body);
    s_signed(port, "DELETE", "/api/v3/order",
             "symbol=BTCUSDT&origClientOrderId=lone-t" B_TS, false, &h);
    assert_int_equal(h.status, 200);
    fkbuf_free(&h.body);
    /* Prices on the wrong sides of the last trade: refused. */
    s_signed(port, "POST", "/api/v3/orderList/oco",
             "symbol=BTCUSDT&side=SELL&quantity=0.5&aboveType=LIMIT_MAKER&"
             "abovePrice=24500&belowType=STOP_LOSS&belowStopPrice=24000" B_TS,
             true, &h);
    s_bn_code(&h, 400, -2010);
    fkbuf_free(&h.body);
    s_signed(port, "POST", "/api/v3/orderList/oco", B_OCO B_TS, true, &h);
    if (h.status != 200)
        fail_msg("%ld %s", h.status, h.body.s);
    json_t *j = s_json(&h);
    assert_string_equal(s_jstr(j, "listClientOrderId"), "tt-B-1-l");
    json_t *reps = json_object_get(j, "orderReports");
    assert_int_equal(json_array_size(reps), 2);
    assert_string_equal(s_jstr(json_array_get(reps, 0), "clientOrderId"),
                        "tt-B-2-t");
    assert_string_equal(s_jstr(json_array_get(reps, 0), "type"), "LIMIT_MAKER");
    assert_string_equal(s_jstr(json_array_get(reps, 1), "clientOrderId"),
                        "tt-B-1-s");
    int64_t list = json_integer_value(json_object_get(j, "orderListId"));
    json_decref(j);
    fkbuf_free(&h.body);
    assert_true(list > 0);
    assert_int_equal(fake_binance_order_list_id(f, "tt-B-1-s"), list);
    assert_int_equal(fake_binance_order_list_id(f, "tt-B-2-t"), list);
    /* The take-profit trades: the stop expires; a fall fills nothing. */
    assert_int_equal(fake_binance_push_trade(f, "BTCUSDT", "26000", "1",
                                             1700000000001LL, false),
                     0);
    char st[32];
    assert_int_equal(fake_binance_order_status(f, "tt-B-2-t", st, sizeof st),
                     0);
    assert_string_equal(st, "FILLED");
    assert_int_equal(fake_binance_order_status(f, "tt-B-1-s", st, sizeof st),
                     0);
    assert_string_equal(st, "EXPIRED");
    assert_int_equal(fake_binance_push_trade(f, "BTCUSDT", "23000", "1",
                                             1700000000002LL, false),
                     0);
    fake_binance_stats_t s;
    fake_binance_stats(f, &s);
    assert_int_equal(s.fills, 2); /* the buy and the take-profit */
    char ref[96];
    snprintf(ref, sizeof ref, "symbol=BTCUSDT&orderListId=%lld" B_TS,
             (long long)list);
    s_signed(port, "DELETE", "/api/v3/orderList", ref, false, &h);
    s_bn_code(&h, 400, -2011);
    fkbuf_free(&h.body);
    fake_binance_stop(&f);
}

/* Cancelling one leg cancels the list; so does DELETE orderList. */
static void test_binance_oco_cancel(void **state)
{
    (void)state;
    fake_binance_t *f = s_binance_bal(0, 0, 0, false);
    int port = fake_binance_port(f);
    http_t h;
    char st[32];
    s_signed(port, "POST", "/api/v3/orderList/oco", B_OCO B_TS, true, &h);
    assert_int_equal(h.status, 200);
    fkbuf_free(&h.body);
    s_signed(port, "DELETE", "/api/v3/order",
             "symbol=BTCUSDT&origClientOrderId=tt-B-1-s" B_TS, false, &h);
    assert_int_equal(h.status, 200);
    fkbuf_free(&h.body);
    assert_int_equal(fake_binance_order_status(f, "tt-B-2-t", st, sizeof st),
                     0);
    assert_string_equal(st, "CANCELED");
    /* Bad lists: a missing leg field, a wrong combination. */
    s_signed(port, "POST", "/api/v3/orderList/oco",
             "symbol=BTCUSDT&side=SELL&quantity=0.5&aboveType=LIMIT_MAKER&"
             "belowType=STOP_LOSS&belowStopPrice=24000" B_TS,
             true, &h);
    s_bn_code(&h, 400, -1102);
    fkbuf_free(&h.body);
    s_signed(port, "POST", "/api/v3/orderList/oco",
             "symbol=BTCUSDT&side=BUY&quantity=0.5&aboveType=LIMIT_MAKER&"
             "abovePrice=26000&belowType=STOP_LOSS&belowStopPrice=24000" B_TS,
             true, &h);
    s_bn_code(&h, 400, -1102);
    fkbuf_free(&h.body);
    s_signed(port, "POST", "/api/v3/orderList/oco",
             "symbol=BTCUSDT&listClientOrderId=tt-B-3-l&side=SELL&quantity="
             "0.5&aboveType=LIMIT_MAKER&aboveClientOrderId=tt-B-4-t&"
             "abovePrice=26000&belowType=STOP_LOSS&belowClientOrderId="
             "tt-B-3-s&belowStopPrice=24000" B_TS,
             true, &h);
    assert_int_equal(h.status, 200);
    fkbuf_free(&h.body);
    s_signed(port, "DELETE", "/api/v3/orderList",
             "symbol=BTCUSDT&listClientOrderId=tt-B-3-l" B_TS, false, &h);
    assert_int_equal(h.status, 200);
    json_t *j = s_json(&h);
    assert_string_equal(s_jstr(j, "listOrderStatus"), "ALL_DONE");
    json_t *reps = json_object_get(j, "orderReports");
    assert_int_equal(json_array_size(reps), 2);
    assert_string_equal(s_jstr(json_array_get(reps, 0), "origClientOrderId"),
                        "tt-B-4-t");
    assert_string_equal(s_jstr(json_array_get(reps, 0), "status"), "CANCELED");
    assert_string_equal(s_jstr(json_array_get(reps, 1), "status"), "CANCELED");
    json_decref(j);
    fkbuf_free(&h.body);
    fake_binance_stop(&f);
}

/* A signed POST of PARAMS to PATH that must get no answer within
   TIMEOUT_MS: WANT is how the client sees it (the connection closed
   without a response, or its own timeout). */
static void s_unanswered(int port, const char *path, const char *params,
                         long timeout_ms, CURLcode want)
{
    char sig[65], full[1024];
    s_sign(B_SECRET, params, sig);
    snprintf(full, sizeof full, "%s&signature=%s", params, sig);
    http_t h;
    CURLcode rc = s_http_try(port, "POST", path, B_HDRS, full, timeout_ms, &h);
    if (rc != want)
        fail_msg("%s: %s, wanted %s (HTTP %ld %s)", path,
                 curl_easy_strerror(rc), curl_easy_strerror(want), h.status,
                 h.body.s ? h.body.s : "");
    assert_int_equal(h.status, 0); /* not a byte of a response */
    fkbuf_free(&h.body);
}

/* O's status at the venue by a signed GET /api/v3/order: into OUT, or
   the error code (-2013) as text. */
static void s_bn_status(int port, const char *coid, char *out, size_t size)
{
    char params[256];
    snprintf(params, sizeof params, "symbol=BTCUSDT&origClientOrderId=%s" B_TS,
             coid);
    http_t h;
    s_signed(port, "GET", "/api/v3/order", params, false, &h);
    json_t *j = s_json(&h);
    if (h.status == 200)
        snprintf(out, size, "%s", s_jstr(j, "status"));
    else
        snprintf(out, size, "%lld",
                 (long long)json_integer_value(json_object_get(j, "code")));
    json_decref(j);
    fkbuf_free(&h.body);
}

/* fake_binance_silent_orders: a market buy carried out (filled, its
   executionReports on the stream) with the connection closed unanswered;
   a resting limit whose answer is held past the client's timeout, quiet
   on the stream too; an OCO list unanswered; a lost order never booked.
   Each one counted once; the next order is answered as usual. */
static void test_binance_silent_orders(void **state)
{
    (void)state;
    fake_binance_t *f = s_binance(0, 0, 0);
    int port = fake_binance_port(f);
    http_t h;
    char st[32];
    s_http(port, "POST", "/api/v3/userDataStream", B_HDRS, NULL, &h);
    json_t *j = s_json(&h);
    char path[128];
    snprintf(path, sizeof path, "/ws/%s", s_jstr(j, "listenKey"));
    json_decref(j);
    fkbuf_free(&h.body);
    wsc_t *u = wsc_connect(port, path, NULL, WAIT_MS);
    assert_non_null(u);
    assert_int_equal(fake_binance_push_trade(f, "BTCUSDT", "25000", "1",
                                             1700000000000LL, false),
                     0);

    /* Taken, the connection closed: filled at the venue, told on the
       stream only. */
    fake_binance_silent_orders(f, &(fake_binance_silent_t){.n = 1});
    s_unanswered(port, "/api/v3/order",
                 "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&"
                 "newClientOrderId=silent-1" B_TS,
                 5000L, CURLE_GOT_NOTHING);
    s_bn_status(port, "silent-1", st, sizeof st);
    assert_string_equal(st, "FILLED");
    s_expect_free(u, "\"x\":\"NEW\"");
    s_expect_free(u, "\"x\":\"TRADE\"");

    /* Taken, the answer held past the client's 300 ms, quiet on the
       stream: it rests at the venue, and only a query says so. */
    fake_binance_silent_orders(
        f, &(fake_binance_silent_t){.n = 1, .hold_ms = 2000, .quiet = true});
    s_unanswered(port, "/api/v3/order",
                 "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&"
                 "quantity=0.01&price=24000.00&newClientOrderId=silent-2" B_TS,
                 300L, CURLE_OPERATION_TIMEDOUT);
    assert_null(wsc_recv(u, 200, NULL));
    s_bn_status(port, "silent-2", st, sizeof st);
    assert_string_equal(st, "NEW");

    /* An OCO list taken, the connection closed: both legs work. The
       order before it (skipped) is answered. */
    fake_binance_silent_orders(f, &(fake_binance_silent_t){.n = 1, .skip = 1});
    s_signed(port, "POST", "/api/v3/order",
             "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.5&"
             "newClientOrderId=silent-0" B_TS,
             true, &h);
    assert_int_equal(h.status, 200);
    fkbuf_free(&h.body);
    s_unanswered(port, "/api/v3/orderList/oco", B_OCO B_TS, 5000L,
                 CURLE_GOT_NOTHING);
    s_bn_status(port, "tt-B-1-s", st, sizeof st);
    assert_string_equal(st, "NEW");
    s_bn_status(port, "tt-B-2-t", st, sizeof st);
    assert_string_equal(st, "NEW");

    /* Lost: nothing booked, the venue does not know it. */
    fake_binance_silent_orders(f,
                               &(fake_binance_silent_t){.n = 1, .lost = true});
    s_unanswered(port, "/api/v3/order",
                 "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&"
                 "newClientOrderId=silent-3" B_TS,
                 5000L, CURLE_GOT_NOTHING);
    s_bn_status(port, "silent-3", st, sizeof st);
    assert_string_equal(st, "-2013");

    /* The fault is spent: the same order again is answered and filled. */
    s_signed(port, "POST", "/api/v3/order",
             "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&"
             "newClientOrderId=silent-3" B_TS,
             true, &h);
    assert_int_equal(h.status, 200);
    j = s_json(&h);
    assert_string_equal(s_jstr(j, "status"), "FILLED");
    json_decref(j);
    fkbuf_free(&h.body);
    assert_int_equal(fake_binance_coid_count(f, "silent-1"), 1);
    assert_int_equal(fake_binance_coid_count(f, "silent-2"), 1);
    assert_int_equal(fake_binance_coid_count(f, "silent-3"), 2);
    fake_binance_stats_t stats;
    fake_binance_stats(f, &stats);
    assert_int_equal(stats.orders_unanswered, 4);
    assert_int_equal(stats.orders_accepted, 6); /* 1 + 1 + 1 + 2 legs + 1 */
    assert_int_equal(stats.fills, 3);
    wsc_destroy(&u);
    fake_binance_stop(&f);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alpaca_md_auth_subscribe_trades),
        cmocka_unit_test(test_alpaca_md_auth_failures),
        cmocka_unit_test(test_alpaca_rest_auth),
        cmocka_unit_test(test_alpaca_orders),
        cmocka_unit_test(test_alpaca_limit_fill_stream),
        cmocka_unit_test(test_alpaca_oco),
        cmocka_unit_test(test_alpaca_bars_pagination),
        cmocka_unit_test(test_alpaca_faults),
        cmocka_unit_test(test_alpaca_order_faults),
        cmocka_unit_test(test_binance_known_answers),
        cmocka_unit_test(test_binance_signed_order_user_stream),
        cmocka_unit_test(test_binance_rejections),
        cmocka_unit_test(test_binance_weight_429_418),
        cmocka_unit_test(test_binance_order_limits),
        cmocka_unit_test(test_binance_klines),
        cmocka_unit_test(test_binance_streams),
        cmocka_unit_test(test_binance_fill_while_down),
        cmocka_unit_test(test_binance_oco_balance),
        cmocka_unit_test(test_binance_oco_cancel),
        cmocka_unit_test(test_binance_silent_orders),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
