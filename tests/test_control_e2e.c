/*  tests/test_control_e2e.c: the real binary, through its real control
    socket: health, pause and resume, bad requests, shutdown, bad config. */
#include "tests/process.h"
#include "cli/client.h"

#include <czmq.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool s_healthy(tth_proc_t *proc, int symbols)
{
    Tt__Reply *reply = NULL;
    Tt__Health *health = tth_health(proc, &reply);
    bool ok = health && health->state == TT__STATE__STATE_RUNNING &&
              health->n_symbols == (size_t)symbols;
    for (size_t i = 0; ok && i < health->n_symbols; i++) {
        ok = health->symbols[i]->state == TT__STATE__STATE_RUNNING;
        for (size_t a = 0; ok && a < health->symbols[i]->n_actors; a++)
            ok = health->symbols[i]->actors[a]->state ==
                 TT__STATE__STATE_RUNNING;
    }
    if (reply)
        tt__reply__free_unpacked(reply, NULL);
    return ok;
}

/* Whether process PID has a thread named NAME (/proc/PID/task/T/comm). */
static bool s_has_thread(pid_t pid, const char *name)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *dir = opendir(path);
    bool found = false;
    struct dirent *e;
    while (dir && !found && (e = readdir(dir))) {
        char comm_path[384], comm[32] = "";
        snprintf(comm_path, sizeof comm_path, "%s/%s/comm", path, e->d_name);
        FILE *f = fopen(comm_path, "r");
        if (f && fgets(comm, sizeof comm, f))
            comm[strcspn(comm, "\n")] = '\0';
        if (f)
            fclose(f);
        found = strcmp(comm, name) == 0;
    }
    if (dir)
        closedir(dir);
    return found;
}

static void test_health_shows_every_actor(void **state)
{
    (void)state;
    tth_proc_t *proc = tth_proc_start(3, "", NULL);
    Tt__Reply *reply = NULL;
    Tt__Health *health = tth_health(proc, &reply);
    assert_non_null(health);
    assert_int_equal(health->state, TT__STATE__STATE_RUNNING);
    assert_int_equal(health->n_symbols, 3);
    assert_int_equal(health->n_workers, 2);
    assert_int_equal(health->pid, proc->pid);
    /* Workers sleep between frames by default (service.spin_us 0): each
       has slept (its first poll already) and spun for no time. */
    for (size_t w = 0; w < health->n_workers; w++) {
        assert_true(health->workers[w]->sleeps >= 1);
        assert_int_equal(health->workers[w]->spun_ms, 0);
    }
    /* Its threads carry their names, for top -H, perf and gdb. */
    const char *threads[] = {"tt-worker-0", "tt-worker-1", "tt-bus",
                             "tt-feed/sim"};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++)
        assert_true(s_has_thread(proc->pid, threads[t]));
    const char *roles[] = {"execution", "data", "indicator", "strategy"};
    for (size_t i = 0; i < 3; i++) {
        Tt__SymbolHealth *sym = health->symbols[i];
        char name[8];
        snprintf(name, sizeof name, "S%zu", i);
        assert_string_equal(sym->symbol, name);
        assert_int_equal(sym->worker, i % 2);
        assert_int_equal(sym->n_actors, 4);
        for (size_t a = 0; a < 4; a++) {
            assert_string_equal(sym->actors[a]->name, roles[a]);
            assert_int_equal(sym->actors[a]->state, TT__STATE__STATE_RUNNING);
            assert_int_equal(sym->actors[a]->restarts, 0);
        }
    }
    tt__reply__free_unpacked(reply, NULL);
    /* The CLI prints the same tree as JSON. */
    char *out = NULL;
    const char *args[] = {"health", "--json", "--endpoint", proc->endpoint,
                          NULL};
    assert_int_equal(tth_run_binary(args, &out), 0);
    assert_non_null(strstr(out, "\"symbol\": \"S2\""));
    assert_non_null(strstr(out, "\"name\": \"indicator\""));
    assert_non_null(strstr(out, "\"spun_ms\": 0"));
    free(out);
    /* As text: a portfolio limit of 0 is none, and says so (not "max
       0.00" beside a held exposure). */
    const char *text_args[] = {"health", "--endpoint", proc->endpoint, NULL};
    assert_int_equal(tth_run_binary(text_args, &out), 0);
    assert_non_null(strstr(out, "  portfolio: exposure "));
    assert_non_null(strstr(out, "(no limit)  open "));
    assert_null(strstr(out, "(max 0"));
    free(out);
    tth_proc_destroy(&proc);
}

static void test_pause_resume_one_symbol(void **state)
{
    (void)state;
    tth_proc_t *proc = tth_proc_start(3, "", NULL);
    char err[256];
    assert_int_equal(tth_symbol_cmd(proc, "pause", "S1", err, sizeof err),
                     TT__STATUS__STATUS_OK);
    assert_int_equal(tth_state(proc, "S1", NULL), TT__STATE__STATE_PAUSED);
    /* A paused symbol keeps data and indicators current. */
    assert_int_equal(tth_state(proc, "S1", "strategy"),
                     TT__STATE__STATE_PAUSED);
    assert_int_equal(tth_state(proc, "S1", "execution"),
                     TT__STATE__STATE_PAUSED);
    assert_int_equal(tth_state(proc, "S1", "data"), TT__STATE__STATE_RUNNING);
    assert_int_equal(tth_state(proc, "S1", "indicator"),
                     TT__STATE__STATE_RUNNING);
    assert_int_equal(tth_state(proc, "S0", NULL), TT__STATE__STATE_RUNNING);
    assert_int_equal(tth_state(proc, "S2", NULL), TT__STATE__STATE_RUNNING);
    /* Pausing twice is harmless; resuming brings everything back. */
    assert_int_equal(tth_symbol_cmd(proc, "pause", "S1", err, sizeof err),
                     TT__STATUS__STATUS_OK);
    assert_int_equal(tth_symbol_cmd(proc, "resume", "S1", err, sizeof err),
                     TT__STATUS__STATUS_OK);
    assert_true(s_healthy(proc, 3));
    assert_int_equal(tth_symbol_cmd(proc, "pause", "NOPE", err, sizeof err),
                     TT__STATUS__STATUS_UNKNOWN_SYMBOL);
    assert_non_null(strstr(err, "NOPE"));
    /* The CLI says the same, with exit code 1. */
    char *out = NULL;
    const char *args[] = {"pause", "NOPE", "--endpoint", proc->endpoint, NULL};
    assert_int_equal(tth_run_binary(args, &out), 1);
    assert_non_null(strstr(out, "unknown symbol 'NOPE'"));
    free(out);
    tth_proc_destroy(&proc);
}

static Tt__Reply *s_raw(tth_proc_t *proc, const void *data, size_t len)
{
    char err[256];
    Tt__Reply *reply =
        tt_client_call_raw(proc->endpoint, data, len, 3000, err, sizeof err);
    assert_non_null(reply);
    return reply;
}

static void s_expect(Tt__Reply *reply, int status, const char *text)
{
    assert_int_equal(reply->status, status);
    assert_non_null(strstr(reply->error, text));
    tt__reply__free_unpacked(reply, NULL);
}

static void test_bad_requests_get_errors(void **state)
{
    (void)state;
    tth_proc_t *proc = tth_proc_start(2, "", NULL);
    const char garbage[] = "\xff\xff\xff\xff this is not protobuf";
    s_expect(s_raw(proc, garbage, sizeof garbage),
             TT__STATUS__STATUS_BAD_REQUEST, "decode");
    /* A valid request cut short. */
    Tt__Request req = TT__REQUEST__INIT;
    Tt__SymbolCommand body = TT__SYMBOL_COMMAND__INIT;
    body.symbol = "S0";
    req.command_case = TT__REQUEST__COMMAND_PAUSE;
    req.pause = &body;
    uint8_t packed[64];
    size_t len = tt__request__pack(&req, packed);
    assert_true(len > 4);
    s_expect(s_raw(proc, packed, len - 2), TT__STATUS__STATUS_BAD_REQUEST,
             "decode");
    /* An empty frame decodes to a request with no command. */
    s_expect(s_raw(proc, "", 0), TT__STATUS__STATUS_BAD_REQUEST, "no command");
    /* Oversized. */
    size_t big = 64 * 1024;
    char *blob = calloc(1, big);
    s_expect(s_raw(proc, blob, big), TT__STATUS__STATUS_TOO_LARGE, "exceeds");
    free(blob);
    /* Fault injection is off in this config. */
    char err[256];
    assert_int_equal(tth_fault(proc, "S0", "data", 0, err, sizeof err),
                     TT__STATUS__STATUS_REFUSED);
    assert_non_null(strstr(err, "fault_injection"));
    /* After all that, the service is untouched. */
    assert_true(s_healthy(proc, 2));
    /* And the truncated pause did not pause anything. */
    assert_int_equal(tth_state(proc, "S0", NULL), TT__STATE__STATE_RUNNING);
    tth_proc_destroy(&proc);
}

static void test_multipart_request_refused(void **state)
{
    (void)state;
    tth_proc_t *proc = tth_proc_start(1, "", NULL);
    zsock_t *sock = zsock_new_req(proc->endpoint);
    assert_non_null(sock);
    zsock_set_rcvtimeo(sock, 3000);
    assert_int_equal(zstr_sendm(sock, "one"), 0);
    assert_int_equal(zstr_send(sock, "two"), 0);
    zframe_t *frame = zframe_recv(sock);
    assert_non_null(frame);
    Tt__Reply *reply =
        tt__reply__unpack(NULL, zframe_size(frame), zframe_data(frame));
    zframe_destroy(&frame);
    assert_non_null(reply);
    s_expect(reply, TT__STATUS__STATUS_BAD_REQUEST, "one frame");
    zsock_destroy(&sock);
    assert_true(s_healthy(proc, 1));
    tth_proc_destroy(&proc);
}

/* Index of NEEDLE in HAYSTACK, or -1. */
static long s_at(const char *haystack, const char *needle)
{
    const char *at = strstr(haystack, needle);
    return at ? at - haystack : -1;
}

static void test_sigterm_stops_in_order(void **state)
{
    (void)state;
    tth_proc_t *proc = tth_proc_start(3, "", NULL);
    int64_t start = tth_now_ms();
    assert_int_equal(tth_proc_signal_wait(proc, SIGTERM, 5000), 0);
    assert_true(tth_now_ms() - start < 5000);
    char *log = tth_read_file(proc->log);
    assert_non_null(log);
    /* Symbols stop in reverse start order, actors in reverse too. */
    long s2 = s_at(log, "S2: RUNNING -> STOPPING");
    long s1 = s_at(log, "S1: RUNNING -> STOPPING");
    long s0 = s_at(log, "S0: RUNNING -> STOPPING");
    assert_true(s2 >= 0 && s1 > s2 && s0 > s1);
    long strat = s_at(log, "S0/strategy: RUNNING -> STOPPING");
    long ind = s_at(log, "S0/indicator: RUNNING -> STOPPING");
    long data = s_at(log, "S0/data: RUNNING -> STOPPING");
    long exec = s_at(log, "S0/execution: RUNNING -> STOPPING");
    assert_true(strat >= 0 && ind > strat && data > ind && exec > data);
    for (int i = 0; i < 3; i++) {
        char line[64];
        snprintf(line, sizeof line, "S%d: STOPPING -> STOPPED", i);
        assert_true(s_at(log, line) > 0);
    }
    assert_true(s_at(log, "root: STOPPING -> STOPPED (clean stop)") > 0);
    free(log);
    tth_proc_destroy(&proc);
}

static void test_stop_command(void **state)
{
    (void)state;
    tth_proc_t *proc = tth_proc_start(2, "", NULL);
    char *out = NULL;
    const char *args[] = {"stop", "--endpoint", proc->endpoint, NULL};
    assert_int_equal(tth_run_binary(args, &out), 0);
    free(out);
    assert_int_equal(tth_proc_signal_wait(proc, 0, 5000), 0);
    tth_proc_destroy(&proc);
}

static void test_bad_config_refused_with_line(void **state)
{
    (void)state;
    char *dir = tth_tmpdir("tt-badcfg");
    char *path = tth_write_file(dir, "bad.yaml",
                                "service:\n"
                                "  workers: lots\n"
                                "  colour: blue\n"
                                "venues:\n"
                                "  - name: sim\n"
                                "    kind: sim\n"
                                "symbols:\n"
                                "  - symbol: S0\n"
                                "    venue: nowhere\n"
                                "    px_decimals: 2\n"
                                "    qty_decimals: 0\n"
                                "    strategy: {kind: sma_cross}\n"
                                "    risk: {qty: \"1\"}\n");
    char *out = NULL;
    const char *run[] = {"run", "-c", path, NULL};
    assert_int_equal(tth_run_binary(run, &out), 1);
    char where[512];
    snprintf(where, sizeof where, "%s:2:", path);
    assert_non_null(strstr(out, where));
    snprintf(where, sizeof where, "%s:3:", path);
    assert_non_null(strstr(out, where));
    snprintf(where, sizeof where, "%s:9:", path);
    assert_non_null(strstr(out, where));
    assert_non_null(strstr(out, "not starting"));
    free(out);
    const char *check[] = {"check-config", path, NULL};
    assert_int_equal(tth_run_binary(check, &out), 1);
    assert_non_null(strstr(out, "3 errors"));
    free(out);
    tth_rmtree(dir);
    free(dir);
    free(path);
}

static void test_cli_usage_and_unreachable(void **state)
{
    (void)state;
    char *out = NULL;
    const char *bogus[] = {"bogus", NULL};
    assert_int_equal(tth_run_binary(bogus, &out), 2);
    assert_non_null(strstr(out, "unknown command 'bogus'"));
    free(out);
    const char *missing[] = {"pause", "--endpoint", "ipc:///nonexistent/x",
                             NULL};
    assert_int_equal(tth_run_binary(missing, &out), 2);
    free(out);
    const char *down[] = {
        "health",    "--endpoint", "ipc:///tmp/tt-nobody-listens-here",
        "--timeout", "200",        NULL};
    assert_int_equal(tth_run_binary(down, &out), 3);
    assert_non_null(strstr(out, "no reply"));
    free(out);
}

static void test_token_required_and_never_logged(void **state)
{
    (void)state;
    const char *secret = "s3cr3t-token-7f3a91";
    setenv("TT_TEST_CONTROL_TOKEN", secret, 1);
    tth_token = secret;
    tth_proc_t *proc = tth_proc_start(
        1, "  control_token: ${TT_TEST_CONTROL_TOKEN}\n  log_level: debug\n",
        NULL);
    /* With the token: answered. Without or wrong: refused. */
    assert_int_equal(tth_state(proc, "S0", NULL), TT__STATE__STATE_RUNNING);
    Tt__Request req = TT__REQUEST__INIT;
    Tt__StopRequest stop = TT__STOP_REQUEST__INIT;
    req.command_case = TT__REQUEST__COMMAND_STOP;
    req.stop = &stop;
    req.token = "wrong";
    char err[256];
    assert_int_equal(tth_request(proc, &req, err, sizeof err),
                     TT__STATUS__STATUS_UNAUTHORIZED);
    req.token = "";
    tth_token = NULL;
    assert_int_equal(tth_request(proc, &req, err, sizeof err),
                     TT__STATUS__STATUS_UNAUTHORIZED);
    assert_int_equal(tth_state(proc, "S0", NULL), -1); /* health refused */
    /* The CLI reads the token from the config it is given. */
    char *out = NULL;
    const char *args[] = {"stop", "-c", proc->config, NULL};
    assert_int_equal(tth_run_binary(args, &out), 0);
    free(out);
    assert_int_equal(tth_proc_signal_wait(proc, 0, 5000), 0);
    char *log = tth_read_file(proc->log);
    assert_non_null(log);
    assert_non_null(strstr(log, "request refused: missing or wrong token"));
    assert_null(strstr(log, secret));
    free(log);
    unsetenv("TT_TEST_CONTROL_TOKEN");
    tth_proc_destroy(&proc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health_shows_every_actor),
        cmocka_unit_test(test_pause_resume_one_symbol),
        cmocka_unit_test(test_bad_requests_get_errors),
        cmocka_unit_test(test_multipart_request_refused),
        cmocka_unit_test(test_sigterm_stops_in_order),
        cmocka_unit_test(test_stop_command),
        cmocka_unit_test(test_bad_config_refused_with_line),
        cmocka_unit_test(test_cli_usage_and_unreachable),
        cmocka_unit_test(test_token_required_and_never_logged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
