/*  cli/control_cmds.c: the subcommands that talk to a running service
    through its control socket (health, pause, resume, restart, stop,
    fault). The endpoint comes from --endpoint, else from the config file
    (-c, default as tt_default_config_path); the token, when the service
    requires one, from the config or $TICKTREE_CONTROL_TOKEN. */
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/print.h"
#include "config/config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *config;
    const char *endpoint;
    int timeout_ms;
    bool json;
    long hang_ms;
    const char *args[3]; /* positional arguments */
    int nargs;
} s_opts_t;

static int s_parse(int argc, char **argv, s_opts_t *opts)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"endpoint", required_argument, NULL, 'e'},
        {"timeout", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"hang", required_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    *opts = (s_opts_t){.timeout_ms = 3000};
    int opt;
    char *end;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:", options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            opts->config = optarg;
            break;
        case 'e':
            opts->endpoint = optarg;
            break;
        case 't':
            opts->timeout_ms = (int)strtol(optarg, &end, 10);
            if (*end || opts->timeout_ms <= 0 || opts->timeout_ms > 600000) {
                fprintf(stderr, "--timeout: expected 1..600000 ms\n");
                return -1;
            }
            break;
        case 'j':
            opts->json = true;
            break;
        case 'h':
            opts->hang_ms = strtol(optarg, &end, 10);
            if (*end || opts->hang_ms <= 0 || opts->hang_ms > 600000) {
                fprintf(stderr, "--hang: expected 1..600000 ms\n");
                return -1;
            }
            break;
        default:
            return -1;
        }
    }
    for (; optind < argc; optind++) {
        if (opts->nargs == 3)
            return -1;
        opts->args[opts->nargs++] = argv[optind];
    }
    return 0;
}

static void s_quiet(void *arg, const char *message)
{
    fprintf(stderr, "%s\n", message);
    (void)arg;
}

int tt_cli_call(const char *config, const char *endpoint, int timeout_ms,
                Tt__Request *req, Tt__Reply **out)
{
    tt_config_t *cfg = NULL;
    const char *token = getenv("TICKTREE_CONTROL_TOKEN");
    if (!endpoint || config) {
        const char *path = config ? config : tt_default_config_path();
        cfg = tt_config_load(path, s_quiet, NULL, NULL);
        if (!cfg) {
            fprintf(stderr,
                    "ticktree: cannot use %s to find the control "
                    "endpoint (or pass --endpoint)\n",
                    path);
            return TT_EXIT_USAGE;
        }
        if (!endpoint)
            endpoint = cfg->control_endpoint;
        if (cfg->control_token)
            token = cfg->control_token;
    }
    req->token = (char *)(token ? token : "");
    char err[512];
    Tt__Reply *reply =
        tt_client_call(endpoint, req, timeout_ms, err, sizeof err);
    int code = TT_EXIT_OK;
    if (!reply) {
        fprintf(stderr, "ticktree: %s\n", err);
        code = TT_EXIT_UNREACHABLE;
    } else if (reply->status != TT__STATUS__STATUS_OK) {
        fprintf(stderr, "ticktree: %s: %s\n",
                tt_client_status_name(reply->status), reply->error);
        code = TT_EXIT_FAIL;
    }
    if (out && code == TT_EXIT_OK)
        *out = reply;
    else if (reply)
        tt__reply__free_unpacked(reply, NULL);
    tt_config_destroy(&cfg);
    return code;
}

static int s_call(const s_opts_t *opts, Tt__Request *req, Tt__Reply **out)
{
    return tt_cli_call(opts->config, opts->endpoint, opts->timeout_ms, req,
                       out);
}

int tt_cmd_health(int argc, char **argv)
{
    s_opts_t opts;
    if (s_parse(argc, argv, &opts) != 0 || opts.nargs != 0) {
        fprintf(stderr, "usage: ticktree health [--json] [-c CONFIG | "
                        "--endpoint E] [--timeout MS]\n");
        return TT_EXIT_USAGE;
    }
    Tt__Request req = TT__REQUEST__INIT;
    Tt__HealthRequest health = TT__HEALTH_REQUEST__INIT;
    req.command_case = TT__REQUEST__COMMAND_HEALTH;
    req.health = &health;
    Tt__Reply *reply = NULL;
    int code = s_call(&opts, &req, &reply);
    if (code != TT_EXIT_OK)
        return code;
    if (!reply->health) {
        fprintf(stderr, "ticktree: health reply carries no health\n");
        code = TT_EXIT_FAIL;
    } else if (opts.json)
        code = tt_print_health_json(stdout, reply->health) == 0 ? TT_EXIT_OK
                                                                : TT_EXIT_FAIL;
    else
        tt_print_health_text(stdout, reply->health);
    tt__reply__free_unpacked(reply, NULL);
    return code;
}

static int s_symbol_cmd(int argc, char **argv, Tt__Request__CommandCase cmd,
                        const char *name)
{
    s_opts_t opts;
    if (s_parse(argc, argv, &opts) != 0 || opts.nargs != 1) {
        fprintf(stderr,
                "usage: ticktree %s SYMBOL [-c CONFIG | --endpoint "
                "E] [--timeout MS]\n",
                name);
        return TT_EXIT_USAGE;
    }
    Tt__Request req = TT__REQUEST__INIT;
    Tt__SymbolCommand body = TT__SYMBOL_COMMAND__INIT;
    body.symbol = (char *)opts.args[0];
    req.command_case = cmd;
    if (cmd == TT__REQUEST__COMMAND_PAUSE)
        req.pause = &body;
    else if (cmd == TT__REQUEST__COMMAND_RESUME)
        req.resume = &body;
    else
        req.restart = &body;
    int code = s_call(&opts, &req, NULL);
    if (code == TT_EXIT_OK)
        printf("%s %s: ok\n", name, opts.args[0]);
    return code;
}

int tt_cmd_pause(int argc, char **argv)
{
    return s_symbol_cmd(argc, argv, TT__REQUEST__COMMAND_PAUSE, "pause");
}

int tt_cmd_resume(int argc, char **argv)
{
    return s_symbol_cmd(argc, argv, TT__REQUEST__COMMAND_RESUME, "resume");
}

int tt_cmd_restart(int argc, char **argv)
{
    return s_symbol_cmd(argc, argv, TT__REQUEST__COMMAND_RESTART, "restart");
}

int tt_cmd_stop(int argc, char **argv)
{
    s_opts_t opts;
    if (s_parse(argc, argv, &opts) != 0 || opts.nargs != 0) {
        fprintf(stderr, "usage: ticktree stop [-c CONFIG | --endpoint E]\n");
        return TT_EXIT_USAGE;
    }
    Tt__Request req = TT__REQUEST__INIT;
    Tt__StopRequest stop = TT__STOP_REQUEST__INIT;
    req.command_case = TT__REQUEST__COMMAND_STOP;
    req.stop = &stop;
    int code = s_call(&opts, &req, NULL);
    if (code == TT_EXIT_OK)
        printf("stop: ok (shutting down)\n");
    return code;
}

/* `breaker reset [SYMBOL]`: the circuit breaker of SYMBOL, or of every
   symbol. */
int tt_cmd_breaker(int argc, char **argv)
{
    s_opts_t opts;
    if (s_parse(argc, argv, &opts) != 0 || opts.nargs < 1 || opts.nargs > 2 ||
        strcmp(opts.args[0], "reset") != 0) {
        fprintf(stderr, "usage: ticktree breaker reset [SYMBOL] [-c CONFIG | "
                        "--endpoint E]\n");
        return TT_EXIT_USAGE;
    }
    Tt__Request req = TT__REQUEST__INIT;
    Tt__SymbolCommand body = TT__SYMBOL_COMMAND__INIT;
    body.symbol = (char *)(opts.nargs == 2 ? opts.args[1] : "");
    req.command_case = TT__REQUEST__COMMAND_BREAKER_RESET;
    req.breaker_reset = &body;
    int code = s_call(&opts, &req, NULL);
    if (code == TT_EXIT_OK)
        printf("breaker reset %s: ok\n",
               opts.nargs == 2 ? opts.args[1] : "(every symbol)");
    return code;
}

int tt_cmd_fault(int argc, char **argv)
{
    s_opts_t opts;
    if (s_parse(argc, argv, &opts) != 0 || opts.nargs != 2) {
        fprintf(stderr, "usage: ticktree fault SYMBOL ACTOR [--hang MS] "
                        "[-c CONFIG | --endpoint E]\n");
        return TT_EXIT_USAGE;
    }
    Tt__Request req = TT__REQUEST__INIT;
    Tt__FaultRequest fault = TT__FAULT_REQUEST__INIT;
    fault.symbol = (char *)opts.args[0];
    fault.actor = (char *)opts.args[1];
    fault.kind =
        opts.hang_ms ? TT__FAULT_KIND__FAULT_HANG : TT__FAULT_KIND__FAULT_ERROR;
    fault.hang_ms = (uint32_t)opts.hang_ms;
    req.command_case = TT__REQUEST__COMMAND_FAULT;
    req.fault = &fault;
    int code = s_call(&opts, &req, NULL);
    if (code == TT_EXIT_OK)
        printf("fault %s %s: injected\n", opts.args[0], opts.args[1]);
    return code;
}
