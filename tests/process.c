/*  tests/process.c: the real binary under test (see process.h). */
#include "tests/process.h"
#include "cli/client.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define S_POLL_MS 20 /* interval between polls of a condition */

const char *tth_token = NULL;

const char *tth_venue_params = "{}";
const char *tth_symbol_extra = "";
const char *tth_strategy_params = "{fast: 5, slow: 20}";

char *tth_config_text(const char *endpoint, int symbols, const char *extra,
                      const char *supervision)
{
    size_t cap = 4096 + (size_t)symbols * 64;
    char *text = malloc(cap);
    assert_non_null(text);
    /* Events, replay and the store sit beside the control socket. */
    char dir[256];
    const char *slash = strrchr(endpoint, '/');
    int dlen = slash ? (int)(slash - endpoint) : 0;
    snprintf(dir, sizeof dir, "%.*s", dlen, endpoint);
    const char *fs_dir = strncmp(dir, "ipc://", 6) == 0 ? dir + 6 : ".";
    int len = snprintf(
        text, cap,
        "service:\n  control: %s\n  events: %s/events\n"
        "  replay: %s/replay\n  db: %s/ticktree.db\n  workers: 2\n"
        "  shutdown_timeout_ms: 5000\n%s\n"
        "supervision:\n%s\n"
        "venues:\n  - name: sim\n    kind: sim\n    params: %s\n"
        "symbol_defaults:\n  venue: sim\n  px_decimals: 2\n"
        "  qty_decimals: 3\n  tick_size: \"0.01\"\n  lot_size: \"0.001\"\n%s"
        "  strategy:\n    kind: sma_cross\n    params: %s\n"
        "  risk:\n    sizing: fixed_qty\n    qty: \"1\"\n"
        "symbols:\n",
        endpoint, dir, dir, fs_dir, extra,
        supervision ? supervision
                    : "  max_restarts: 3\n  window_s: 60\n  backoff_ms: 10\n"
                      "  backoff_max_ms: 50\n  jitter_pct: 0\n"
                      "  symbol_max_restarts: 1",
        tth_venue_params, tth_symbol_extra, tth_strategy_params);
    for (int i = 0; i < symbols; i++)
        len += snprintf(text + len, cap - (size_t)len, "  - symbol: S%d\n", i);
    return text;
}

pid_t tth_spawn(const char *const *args, const char *log_path)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        const char *argv[16] = {TT_BINARY};
        for (int i = 0; args[i] && i < 14; i++)
            argv[i + 1] = args[i];
        execv(TT_BINARY, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static bool s_all_running(tth_proc_t *self)
{
    Tt__Reply *reply = NULL;
    Tt__Health *health = tth_health(self, &reply);
    bool ok = health && health->state == TT__STATE__STATE_RUNNING;
    for (size_t i = 0; ok && i < health->n_symbols; i++)
        ok = health->symbols[i]->state == TT__STATE__STATE_RUNNING ||
             health->symbols[i]->state == TT__STATE__STATE_PAUSED;
    if (reply)
        tt__reply__free_unpacked(reply, NULL);
    return ok;
}

tth_proc_t *tth_proc_spawn_text(char *dir, const char *text)
{
    tth_proc_t *self = calloc(1, sizeof *self);
    assert_non_null(self);
    self->dir = dir;
    size_t len = strlen(dir) + 32;
    self->endpoint = malloc(len);
    self->log = malloc(len);
    assert_true(self->endpoint && self->log);
    snprintf(self->endpoint, len, "ipc://%s/control", dir);
    snprintf(self->log, len, "%s/ticktree.log", dir);
    self->config = tth_write_file(dir, "ticktree.yaml", text);
    const char *args[] = {"run", "-c", self->config, NULL};
    self->pid = tth_spawn(args, self->log);
    return self;
}

void tth_proc_dump_log(const tth_proc_t *self)
{
    char *log = tth_read_file(self->log);
    if (!log) {
        print_error("(no log at %s)\n", self->log);
        return;
    }
    for (const char *p = log; *p;) {
        int n = (int)strcspn(p, "\n");
        print_error("%.*s\n", n, p);
        p += n + (p[n] != '\0');
    }
    free(log);
}

tth_proc_t *tth_proc_start(int symbols, const char *extra,
                           const char *supervision)
{
    char *dir = tth_tmpdir("tt-e2e");
    size_t len = strlen(dir) + 32;
    char *endpoint = malloc(len);
    assert_non_null(endpoint);
    snprintf(endpoint, len, "ipc://%s/control", dir);
    char *text = tth_config_text(endpoint, symbols, extra, supervision);
    free(endpoint);
    tth_proc_t *self = tth_proc_spawn_text(dir, text);
    free(text);
    int64_t deadline = tth_now_ms() + 10000;
    while (!s_all_running(self)) {
        if (tth_now_ms() > deadline) {
            tth_proc_dump_log(self);
            fail_msg("ticktree did not reach RUNNING within 10 s");
        }
        tth_nap_ms(S_POLL_MS);
    }
    return self;
}

void tth_proc_destroy(tth_proc_t **self_p)
{
    tth_proc_t *self = *self_p;
    if (!self)
        return;
    if (!self->reaped) {
        kill(self->pid, SIGKILL);
        waitpid(self->pid, &self->status, 0);
    }
    tth_rmtree(self->dir);
    free(self->dir);
    free(self->config);
    free(self->endpoint);
    free(self->log);
    free(self);
    *self_p = NULL;
}

Tt__Health *tth_health(tth_proc_t *self, Tt__Reply **reply_p)
{
    Tt__Request req = TT__REQUEST__INIT;
    Tt__HealthRequest health = TT__HEALTH_REQUEST__INIT;
    req.command_case = TT__REQUEST__COMMAND_HEALTH;
    req.health = &health;
    req.token = (char *)(tth_token ? tth_token : "");
    char err[256];
    *reply_p = tt_client_call(self->endpoint, &req, 2000, err, sizeof err);
    return *reply_p ? (*reply_p)->health : NULL;
}

int tth_request(tth_proc_t *self, Tt__Request *req, char *err, size_t size)
{
    if (tth_token && (!req->token || !req->token[0]))
        req->token = (char *)tth_token;
    Tt__Reply *reply = tt_client_call(self->endpoint, req, 3000, err, size);
    if (!reply)
        return -1;
    int status = reply->status;
    snprintf(err, size, "%s", reply->error ? reply->error : "");
    tt__reply__free_unpacked(reply, NULL);
    return status;
}

int tth_symbol_cmd(tth_proc_t *self, const char *cmd, const char *symbol,
                   char *err, size_t size)
{
    Tt__Request req = TT__REQUEST__INIT;
    Tt__SymbolCommand body = TT__SYMBOL_COMMAND__INIT;
    body.symbol = (char *)symbol;
    if (!strcmp(cmd, "pause")) {
        req.command_case = TT__REQUEST__COMMAND_PAUSE;
        req.pause = &body;
    } else if (!strcmp(cmd, "resume")) {
        req.command_case = TT__REQUEST__COMMAND_RESUME;
        req.resume = &body;
    } else {
        assert_string_equal(cmd, "restart");
        req.command_case = TT__REQUEST__COMMAND_RESTART;
        req.restart = &body;
    }
    return tth_request(self, &req, err, size);
}

int tth_fault(tth_proc_t *self, const char *symbol, const char *actor,
              uint32_t hang_ms, char *err, size_t size)
{
    Tt__Request req = TT__REQUEST__INIT;
    Tt__FaultRequest fault = TT__FAULT_REQUEST__INIT;
    fault.symbol = (char *)symbol;
    fault.actor = (char *)actor;
    fault.kind =
        hang_ms ? TT__FAULT_KIND__FAULT_HANG : TT__FAULT_KIND__FAULT_ERROR;
    fault.hang_ms = hang_ms;
    req.command_case = TT__REQUEST__COMMAND_FAULT;
    req.fault = &fault;
    return tth_request(self, &req, err, size);
}

int tth_state(tth_proc_t *self, const char *symbol, const char *actor)
{
    Tt__Reply *reply = NULL;
    Tt__Health *health = tth_health(self, &reply);
    int state = -1;
    for (size_t i = 0; health && i < health->n_symbols; i++) {
        Tt__SymbolHealth *sym = health->symbols[i];
        if (strcmp(sym->symbol, symbol) != 0)
            continue;
        if (!actor)
            state = sym->state;
        for (size_t a = 0; actor && a < sym->n_actors; a++)
            if (!strcmp(sym->actors[a]->name, actor))
                state = sym->actors[a]->state;
    }
    if (reply)
        tt__reply__free_unpacked(reply, NULL);
    return state;
}

bool tth_wait_state(tth_proc_t *self, const char *symbol, const char *actor,
                    int state, int timeout_ms)
{
    int64_t deadline = tth_now_ms() + timeout_ms;
    do {
        if (tth_state(self, symbol, actor) == state)
            return true;
        tth_nap_ms(S_POLL_MS);
    } while (tth_now_ms() < deadline);
    return tth_state(self, symbol, actor) == state;
}

int tth_proc_signal_wait(tth_proc_t *self, int sig, int timeout_ms)
{
    kill(self->pid, sig);
    int64_t deadline = tth_now_ms() + timeout_ms;
    while (tth_now_ms() < deadline) {
        pid_t done = waitpid(self->pid, &self->status, WNOHANG);
        if (done == self->pid) {
            self->reaped = true;
            return WIFEXITED(self->status) ? WEXITSTATUS(self->status)
                                           : 128 + WTERMSIG(self->status);
        }
        tth_nap_ms(5);
    }
    return -1;
}

int tth_run_binary(const char *const *args, char **output)
{
    char *dir = tth_tmpdir("tt-cli");
    char *log = tth_write_file(dir, "out.txt", "");
    pid_t pid = tth_spawn(args, log);
    int status = 0;
    waitpid(pid, &status, 0);
    *output = tth_read_file(log);
    tth_rmtree(dir);
    free(dir);
    free(log);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
