/*  cli/commands.h: the ticktree subcommands. Each takes the arguments
    after its own name and returns the process exit code:
    0 success, 1 failure (an error reply, a refused config), 2 usage error,
    3 the service did not answer. */
#ifndef TT_CLI_COMMANDS_H
#define TT_CLI_COMMANDS_H

#define TT_EXIT_OK 0
#define TT_EXIT_FAIL 1
#define TT_EXIT_USAGE 2
#define TT_EXIT_UNREACHABLE 3

int tt_cmd_run(int argc, char **argv);
int tt_cmd_check_config(int argc, char **argv);
int tt_cmd_health(int argc, char **argv);
int tt_cmd_pause(int argc, char **argv);
int tt_cmd_resume(int argc, char **argv);
int tt_cmd_breaker(int argc, char **argv);
int tt_cmd_restart(int argc, char **argv);
int tt_cmd_stop(int argc, char **argv);
int tt_cmd_fault(int argc, char **argv);
int tt_cmd_tickserver(int argc, char **argv);
int tt_cmd_events(int argc, char **argv);
int tt_cmd_backtest(int argc, char **argv);
int tt_cmd_simulate(int argc, char **argv);
int tt_cmd_indicators(int argc, char **argv);
int tt_cmd_preview(int argc, char **argv);

/* The config file to use when -c is not given: $TICKTREE_CONFIG, else
   ./config/ticktree.yaml, else /etc/ticktree/ticktree.yaml. */
const char *tt_default_config_path(void);

#endif
