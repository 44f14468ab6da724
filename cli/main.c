/*  cli/main.c: the ticktree binary: one program, one subcommand per job.
    `run` starts the service; the others are clients of its control socket
    or offline tools. */
#include "cli/commands.h"
#include "runtime/version.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} s_command_t;

static const s_command_t s_commands[] = {
    {"run", tt_cmd_run,
     "run [-c CONFIG] [--log-level L] [--log-json]   start the service"},
    {"check-config", tt_cmd_check_config,
     "check-config FILE          validate a config file and exit"},
    {"health", tt_cmd_health,
     "health [--json]            show the supervision tree"},
    {"pause", tt_cmd_pause, "pause SYMBOL               stop new orders"},
    {"resume", tt_cmd_resume, "resume SYMBOL              trade again"},
    {"restart", tt_cmd_restart,
     "restart SYMBOL             restart a symbol (also a quarantined one)"},
    {"breaker", tt_cmd_breaker,
     "breaker reset [SYMBOL]     reset a tripped circuit breaker (all)"},
    {"stop", tt_cmd_stop, "stop                       graceful shutdown"},
    {"events", tt_cmd_events,
     "events [--topic PREFIX]... [--from SEQ] [--json] [--count N]\n"
     "         [--idle-timeout MS]   print the event stream"},
    {"preview", tt_cmd_preview,
     "preview SYMBOL [--tf N] [--json]   forming candle and indicator "
     "values"},
    {"fault", tt_cmd_fault,
     "fault SYMBOL ACTOR [--hang MS]   make an actor fail once (chaos)"},
    {"backtest", tt_cmd_backtest,
     "backtest [-c CONFIG] --data FILE... [--from T] [--to T] [--speed "
     "max|Nx]\n"
     "         [--db FILE] [--report FILE] [--lenient]   replay history "
     "through the service"},
    {"simulate", tt_cmd_simulate,
     "simulate [-c CONFIG] [--venue NAME] --start T --seconds N --out FILE\n"
     "         write the sim market's ticks as a backtest data file"},
    {"tickserver", tt_cmd_tickserver,
     "tickserver [-c CONFIG] [--port N] [--venue NAME]   stream the sim "
     "market over a websocket"},
    {"indicators", tt_cmd_indicators,
     "indicators --data FILE --ind SPEC[,SPEC...] [--tf DUR]\n"
     "         [--px-decimals N] [--qty-decimals N]   indicators of an "
     "OHLCV CSV"},
};

#define S_COUNT (sizeof s_commands / sizeof s_commands[0])

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ticktree COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < S_COUNT; i++)
        fprintf(out, "  %s\n", s_commands[i].usage);
    fprintf(out,
            "\nclient commands take -c CONFIG (default: %s) or\n"
            "--endpoint ENDPOINT, and --timeout MS (default 3000).\n"
            "exit codes: 0 ok, 1 failed, 2 usage, 3 service unreachable\n",
            tt_default_config_path());
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        s_usage(stderr);
        return TT_EXIT_USAGE;
    }
    /* Before any thread or SQLite call (store.h). */
    (void)tt_store_global_init();
    const char *name = argv[1];
    if (!strcmp(name, "help") || !strcmp(name, "--help") ||
        !strcmp(name, "-h")) {
        s_usage(stdout);
        return TT_EXIT_OK;
    }
    if (!strcmp(name, "version") || !strcmp(name, "--version")) {
        printf("ticktree %s\n", TT_VERSION);
        return TT_EXIT_OK;
    }
    for (size_t i = 0; i < S_COUNT; i++)
        if (!strcmp(name, s_commands[i].name))
            return s_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "ticktree: unknown command '%s'\n\n", name);
    s_usage(stderr);
    return TT_EXIT_USAGE;
}
