/*  cli/commands.c: the subcommands (see commands.h). */
#include "cli/commands.h"
#include "actors/checks.h"
#include "actors/symbol_actors.h"
#include "cli/client.h"
#include "cli/print.h"
#include "config/config.h"
#include "runtime/log.h"
#include "runtime/version.h"
#include "supervisor/root.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

const char *tt_default_config_path(void)
{
    const char *env = getenv("TICKTREE_CONFIG");
    if (env && *env)
        return env;
    if (access("config/ticktree.yaml", R_OK) == 0)
        return "config/ticktree.yaml";
    return "/etc/ticktree/ticktree.yaml";
}

/* --- offline commands --- */

static void s_print_error(void *arg, const char *message)
{
    (void)arg;
    fprintf(stderr, "%s\n", message);
}

int tt_cmd_check_config(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ticktree check-config FILE\n");
        return TT_EXIT_USAGE;
    }
    int errors = 0;
    tt_config_t *cfg = tt_config_load(argv[1], s_print_error, NULL, &errors);
    if (cfg && (errors = tt_service_check(cfg, s_print_error, NULL)) > 0)
        tt_config_destroy(&cfg);
    if (!cfg) {
        fprintf(stderr, "%s: %d error%s; refused\n", argv[1], errors,
                errors == 1 ? "" : "s");
        return TT_EXIT_FAIL;
    }
    printf("%s: ok (%zu venue%s, %zu symbol%s, %d workers)\n", argv[1],
           cfg->venue_count, cfg->venue_count == 1 ? "" : "s",
           cfg->symbol_count, cfg->symbol_count == 1 ? "" : "s", cfg->workers);
    tt_config_destroy(&cfg);
    return TT_EXIT_OK;
}

/* A symbol costs no file descriptor, but the process should still be
   allowed every one the administrator granted. */
static void s_raise_fd_limit(void)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
        limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

int tt_cmd_run(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"log-level", required_argument, NULL, 'l'},
        {"log-json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *path = NULL, *level = NULL;
    bool json = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:", options, NULL)) != -1) {
        if (opt == 'c')
            path = optarg;
        else if (opt == 'l')
            level = optarg;
        else if (opt == 'j')
            json = true;
        else
            return TT_EXIT_USAGE;
    }
    if (optind != argc) {
        fprintf(stderr, "ticktree run: unexpected argument '%s'\n",
                argv[optind]);
        return TT_EXIT_USAGE;
    }
    int parsed = level ? tt_log_level_parse(level) : 0;
    if (parsed < 0) {
        fprintf(stderr, "ticktree run: --log-level must be debug, info, "
                        "warn or error\n");
        return TT_EXIT_USAGE;
    }
    tt_root_block_signals();
    s_raise_fd_limit();
    if (!path)
        path = tt_default_config_path();
    tt_config_t *cfg = tt_config_load(path, s_print_error, NULL, NULL);
    if (cfg && tt_service_check(cfg, s_print_error, NULL) > 0)
        tt_config_destroy(&cfg);
    if (!cfg) {
        fprintf(stderr, "ticktree: %s refused; not starting\n", path);
        return TT_EXIT_FAIL;
    }
    tt_log_setup(level ? (tt_log_level_t)parsed : cfg->log_level,
                 json || cfg->log_json, 2);
    tt_info("root", "ticktree %s starting with %s", TT_VERSION, path);
    tt_root_t *root = tt_root_new(cfg, tt_symbol_behaviours);
    int code = root ? tt_root_run(root) : TT_EXIT_FAIL;
    tt_root_destroy(&root);
    tt_info("root", "exit %d", code);
    tt_config_destroy(&cfg);
    return code;
}
