/*  cli/simulate_cmd.c: `ticktree simulate`. Writes the simulated market of
    a config's sim venue (its params, seed and symbols: the very ticks the
    service would trade on) for a span of event time into a tick CSV that
    `ticktree backtest` replays (docs/DATA.md format, symbol column). The
    data for examples and benchmarks, reproducible from the seed. */
#include "cli/commands.h"
#include "marketdata/decimal.h"
#include "venues/replay/timestamp.h"
#include "venues/sim/simmarket.h"
#include "venues/sim/simparams.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_CHUNK 4096

static void s_print_error(void *arg, const char *message)
{
    (void)arg;
    fprintf(stderr, "%s\n", message);
}

static int s_usage(const char *what)
{
    fprintf(stderr,
            "ticktree simulate: %s\n"
            "usage: ticktree simulate [-c CONFIG] [--venue NAME] --start T "
            "--seconds N --out FILE\n",
            what);
    return TT_EXIT_USAGE;
}

static int s_write(const tt_config_t *cfg, size_t venue, int64_t start,
                   int64_t seconds, FILE *out)
{
    tt_sim_params_t params;
    if (tt_sim_params_parse(&cfg->venues[venue].params, cfg->path, &params,
                            s_print_error, NULL) != 0)
        return TT_EXIT_FAIL;
    tt_simmarket_t *market = tt_simmarket_new(&params, start);
    const tt_symbol_cfg_t **sym_of =
        calloc(cfg->symbol_count + 1, sizeof *sym_of);
    for (size_t i = 0; market && i < cfg->symbol_count; i++) {
        const tt_symbol_cfg_t *sym = &cfg->symbols[i];
        if (sym->venue != venue)
            continue;
        int index = tt_simmarket_add(market, sym->name, &sym->instrument, 0);
        if (index >= 0)
            sym_of[index] = sym;
    }
    fprintf(out, "symbol,ts_ns,price,size,trade_id\n");
    static tt_sim_tick_t ticks[S_CHUNK];
    int64_t end = start + seconds * TT_NS_PER_SEC, rows = 0;
    size_t count;
    do {
        count = market ? tt_simmarket_next(market, end, ticks, S_CHUNK) : 0;
        for (size_t i = 0; i < count; i++) {
            const tt_symbol_cfg_t *sym = sym_of[ticks[i].symbol];
            char px[40], qty[40];
            tt_decimal_format(ticks[i].tick.price, sym->instrument.px_decimals,
                              px, sizeof px);
            tt_decimal_format(ticks[i].tick.size, sym->instrument.qty_decimals,
                              qty, sizeof qty);
            fprintf(out, "%s,%lld,%s,%s,%llu\n", sym->name,
                    (long long)ticks[i].tick.ts, px, qty,
                    (unsigned long long)ticks[i].tick.trade_id);
        }
        rows += (int64_t)count;
    } while (count == S_CHUNK);
    fprintf(stderr, "simulate: %lld ticks of %zu symbols over %lld s\n",
            (long long)rows, market ? tt_simmarket_symbol_count(market) : 0,
            (long long)seconds);
    free(sym_of);
    tt_simmarket_destroy(&market);
    return TT_EXIT_OK;
}

int tt_cmd_simulate(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"venue", required_argument, NULL, 'v'},
        {"start", required_argument, NULL, 's'},
        {"seconds", required_argument, NULL, 'n'},
        {"out", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0}};
    const char *path = NULL, *venue_name = NULL, *out_path = NULL;
    int64_t start = -1, seconds = 0;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:", options, NULL)) != -1) {
        char *end = NULL;
        if (opt == 'c')
            path = optarg;
        else if (opt == 'v')
            venue_name = optarg;
        else if (opt == 'o')
            out_path = optarg;
        else if (opt == 's' &&
                 tt_ts_parse(optarg, strlen(optarg), TT_TS_AUTO, &start) != 0)
            return s_usage("--start: ISO-8601 UTC or seconds since the epoch");
        else if (opt == 'n' &&
                 ((seconds = strtoll(optarg, &end, 10)) <= 0 || *end))
            return s_usage("--seconds: a positive whole number");
        else if (opt == '?')
            return TT_EXIT_USAGE;
    }
    if (optind != argc || start < 0 || !seconds || !out_path)
        return s_usage("--start, --seconds and --out are required");
    tt_config_t *cfg = tt_config_load(path ? path : tt_default_config_path(),
                                      s_print_error, NULL, NULL);
    if (!cfg)
        return TT_EXIT_FAIL;
    size_t venue = cfg->venue_count;
    for (size_t v = 0; v < cfg->venue_count && venue == cfg->venue_count; v++)
        if (cfg->venues[v].kind == TT_VENUE_SIM &&
            (!venue_name || !strcmp(cfg->venues[v].name, venue_name)))
            venue = v;
    FILE *out = venue < cfg->venue_count ? fopen(out_path, "w") : NULL;
    int code = TT_EXIT_FAIL;
    if (venue == cfg->venue_count)
        fprintf(stderr, "ticktree simulate: no sim venue%s%s in %s\n",
                venue_name ? " named " : "", venue_name ? venue_name : "",
                cfg->path);
    else if (!out)
        fprintf(stderr, "ticktree simulate: cannot write %s\n", out_path);
    else
        code = s_write(cfg, venue, start, seconds, out);
    if (out && fclose(out) != 0)
        code = TT_EXIT_FAIL;
    tt_config_destroy(&cfg);
    return code;
}
