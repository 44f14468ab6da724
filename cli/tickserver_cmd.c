/*  cli/tickserver_cmd.c: `ticktree tickserver`: a real websocket server on
    127.0.0.1 streaming the simulated market of a config's sim venue
    (its params and its symbols) in the documented JSON format
    (docs/TICKSERVER.md). A venue with `endpoints: [ws://127.0.0.1:PORT/]`
    then takes its ticks over that websocket, as a live venue would. */
#include "cli/commands.h"
#include "config/config.h"
#include "venues/sim/simparams.h"
#include "venues/tickserver/tickserver.h"

#include <getopt.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t s_stop = 0;

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

static void s_print(void *arg, const char *message)
{
    (void)arg;
    fprintf(stderr, "%s\n", message);
}

/* The sim venue to serve: the one named, else the first sim venue. */
static int s_pick_venue(const tt_config_t *cfg, const char *name)
{
    for (size_t v = 0; v < cfg->venue_count; v++)
        if (cfg->venues[v].kind == TT_VENUE_SIM &&
            (!name || !strcmp(cfg->venues[v].name, name)))
            return (int)v;
    return -1;
}

static int s_serve(const tt_config_t *cfg, int venue, int port)
{
    tt_tickserver_cfg_t ts;
    tt_tickserver_cfg_default(&ts);
    ts.port = port;
    if (tt_sim_params_parse(&cfg->venues[venue].params, cfg->path, &ts.sim,
                            s_print, NULL) != 0)
        return TT_EXIT_FAIL;
    tt_tickserver_symbol_t *symbols =
        calloc(cfg->symbol_count + 1, sizeof *symbols);
    for (size_t i = 0; i < cfg->symbol_count; i++)
        if (cfg->symbols[i].venue == (size_t)venue)
            symbols[ts.symbol_count++] = (tt_tickserver_symbol_t){
                .name = cfg->symbols[i].name,
                .instrument = cfg->symbols[i].instrument};
    ts.symbols = symbols;
    char err[256];
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    tt_tickserver_t *server = tt_tickserver_new(&ts, err, sizeof err);
    free(symbols);
    if (!server) {
        fprintf(stderr, "ticktree tickserver: %s\n", err);
        return TT_EXIT_FAIL;
    }
    printf("tickserver: streaming %zu symbols of venue '%s' on "
           "ws://127.0.0.1:%d/\n",
           ts.symbol_count, cfg->venues[venue].name,
           tt_tickserver_port(server));
    fflush(stdout);
    signal(SIGINT, s_on_signal);
    signal(SIGTERM, s_on_signal);
    tt_tickserver_run(server, &s_stop);
    tt_tickserver_destroy(&server);
    return TT_EXIT_OK;
}

int tt_cmd_tickserver(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"port", required_argument, NULL, 'p'},
        {"venue", required_argument, NULL, 'v'},
        {NULL, 0, NULL, 0}};
    const char *path = NULL, *venue_name = NULL;
    long port = 7790;
    char *end;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:", options, NULL)) != -1) {
        if (opt == 'c')
            path = optarg;
        else if (opt == 'v')
            venue_name = optarg;
        else if (opt == 'p' && (port = strtol(optarg, &end, 10), !*end) &&
                 port >= 0 && port <= 65535)
            continue;
        else {
            fprintf(stderr, "usage: ticktree tickserver [-c CONFIG] "
                            "[--port N (0..65535)] [--venue NAME]\n");
            return TT_EXIT_USAGE;
        }
    }
    if (!path)
        path = tt_default_config_path();
    tt_config_t *cfg = tt_config_load(path, s_print, NULL, NULL);
    if (!cfg)
        return TT_EXIT_FAIL;
    int venue = s_pick_venue(cfg, venue_name);
    int code = TT_EXIT_FAIL;
    if (venue < 0)
        fprintf(stderr, "ticktree tickserver: %s has no sim venue%s%s\n", path,
                venue_name ? " named " : "", venue_name ? venue_name : "");
    else
        code = s_serve(cfg, venue, (int)port);
    tt_config_destroy(&cfg);
    return code;
}
