/*  cli/backtest_cmd.c: `ticktree backtest`. Runs the service itself, the
    same root, symbol actors, risk, order book, paper broker, bus and store
    as `ticktree run`, with the replay feed (actors/feed_replay.h) in place
    of the venues and a manual clock that the data moves: there is no
    second evaluation loop. Then reads the report from the run's own store
    (store/report.h). docs/BACKTEST.md is the user's guide. */
#include "actors/checks.h"
#include "actors/feed_replay.h"
#include "actors/symbol_actors.h"
#include "cli/commands.h"
#include "runtime/clock.h"
#include "runtime/log.h"
#include "store/report.h"
#include "supervisor/root.h"
#include "venues/replay/csv.h"
#include "venues/replay/timestamp.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define S_START_EQUITY 100000.0 /* the paper account (actors/execution.c) */

typedef struct {
    const char *config, *db, *report, *level;
    tt_replay_spec_t spec;
    bool quiet;
} s_args_t;

static void s_print_error(void *arg, const char *message)
{
    (void)arg;
    fprintf(stderr, "%s\n", message);
}

static int s_usage(const char *what)
{
    fprintf(stderr,
            "ticktree backtest: %s\n"
            "usage: ticktree backtest [-c CONFIG] --data FILE... [--from T] "
            "[--to T]\n"
            "                         [--speed max|Nx] [--db FILE] "
            "[--report FILE] [--lenient]\n"
            "                         [--quiet] [--log-level LEVEL]\n",
            what);
    return TT_EXIT_USAGE;
}

/* T as ISO-8601 UTC or decimal seconds since the epoch. */
static int s_time(const char *text, int64_t *out)
{
    return tt_ts_parse(text, strlen(text), TT_TS_AUTO, out);
}

static int s_speed(const char *text, double *out)
{
    if (strcmp(text, "max") == 0) {
        *out = 0;
        return 0;
    }
    char *end;
    double v = strtod(text, &end);
    if (end == text || (*end && strcmp(end, "x") != 0) || !(v > 0))
        return -1;
    *out = v;
    return 0;
}

static int s_option(s_args_t *a, int opt, const char *arg)
{
    char what[160];
    switch (opt) {
    case 'c':
        a->config = arg;
        return 0;
    case 'd':
        if (a->spec.file_count == TT_REPLAY_FILES_MAX)
            return s_usage("too many --data files");
        a->spec.files[a->spec.file_count++] = arg;
        return 0;
    case 'f':
    case 't':
        if (s_time(arg, opt == 'f' ? &a->spec.from_ns : &a->spec.to_ns) == 0)
            return 0;
        snprintf(what, sizeof what,
                 "--%s '%s' is not a time (ISO-8601 UTC such as "
                 "2024-01-02T14:30:00Z, or seconds since the epoch)",
                 opt == 'f' ? "from" : "to", arg);
        return s_usage(what);
    case 's':
        if (s_speed(arg, &a->spec.speed) == 0)
            return 0;
        snprintf(what, sizeof what,
                 "--speed '%s': expected max or a factor such as 10x", arg);
        return s_usage(what);
    case 'b':
        a->db = arg;
        return 0;
    case 'r':
        a->report = arg;
        return 0;
    case 'L':
        a->spec.lenient = true;
        return 0;
    case 'q':
        a->quiet = true;
        return 0;
    case 'l':
        a->level = arg;
        return 0;
    default:
        return TT_EXIT_USAGE;
    }
}

static int s_parse(int argc, char **argv, s_args_t *a)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"data", required_argument, NULL, 'd'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"speed", required_argument, NULL, 's'},
        {"db", required_argument, NULL, 'b'},
        {"report", required_argument, NULL, 'r'},
        {"lenient", no_argument, NULL, 'L'},
        {"quiet", no_argument, NULL, 'q'},
        {"log-level", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:", options, NULL)) != -1) {
        int rc = s_option(a, opt, optarg);
        if (rc != 0)
            return rc;
        /* --data takes every following word up to the next option. */
        while (opt == 'd' && optind < argc && argv[optind][0] != '-') {
            if (a->spec.file_count == TT_REPLAY_FILES_MAX)
                return s_usage("too many --data files");
            a->spec.files[a->spec.file_count++] = argv[optind++];
        }
    }
    if (optind != argc) {
        char what[160];
        snprintf(what, sizeof what, "unexpected argument '%.100s'",
                 argv[optind]);
        return s_usage(what);
    }
    if (!a->spec.file_count)
        return s_usage("--data FILE is required");
    if (a->spec.to_ns && a->spec.to_ns <= a->spec.from_ns)
        return s_usage("--to must be after --from");
    if (a->level && tt_log_level_parse(a->level) < 0)
        return s_usage("--log-level must be debug, info, warn or error");
    a->spec.progress = !a->quiet && isatty(STDERR_FILENO);
    return 0;
}

static void s_set(char **field, const char *value)
{
    free(*field);
    *field = strdup(value);
}

/* The backtest's own store (an existing one is replaced) and endpoints
   of its own, so it never meets a running service's. */
static void s_private(tt_config_t *cfg, const char *db)
{
    char name[4096];
    s_set(&cfg->db_path, db);
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++) {
        if (snprintf(name, sizeof name, "%s%s", db, suffixes[k]) <
            (int)sizeof name) /* never a truncated name */
            unlink(name);
    }
    snprintf(name, sizeof name, "inproc://backtest-%d-control", (int)getpid());
    s_set(&cfg->control_endpoint, name);
    snprintf(name, sizeof name, "inproc://backtest-%d-events", (int)getpid());
    s_set(&cfg->events_endpoint, name);
    snprintf(name, sizeof name, "inproc://backtest-%d-replay", (int)getpid());
    s_set(&cfg->replay_endpoint, name);
}

/* A portfolio limit couples the symbols: one symbol's entry takes the
   slot, the exposure or the day's loss another's would have had. On two
   workers, which of two symbols decided at the same moment got there
   first was the threads' choice (four runs of one 100-symbol input with
   max_open_positions gave four ledgers), so a backtest with such a limit
   runs every symbol on one worker, where they go in the data's order.
   Says so on stderr: the run's figures are one worker's. */
static void s_coupled_one_worker(tt_config_t *cfg)
{
    const tt_config_portfolio_t *pf = &cfg->portfolio;
    const char *limit = pf->max_open_positions ? "max_open_positions"
                        : pf->max_exposure     ? "max_exposure"
                        : pf->max_daily_loss   ? "max_daily_loss"
                                               : NULL;
    if (!limit || cfg->workers == 1 || cfg->symbol_count < 2)
        return;
    fprintf(stderr,
            "ticktree backtest: portfolio.%s couples the symbols: they run "
            "on one worker (not %d), so that the same data always gives the "
            "same orders\n",
            limit, cfg->workers);
    cfg->workers = 1;
}

static int s_scale(void *arg, const char *symbol, int *px_decimals)
{
    const tt_config_t *cfg = arg;
    for (size_t i = 0; i < cfg->symbol_count; i++)
        if (strcmp(cfg->symbols[i].name, symbol) == 0) {
            *px_decimals = cfg->symbols[i].instrument.px_decimals;
            return 0;
        }
    return -1;
}

static void s_print_skips(const tt_replay_stats_t *st, FILE *out)
{
    if (!st->skipped)
        return;
    fprintf(out, "skipped %llu bad row(s):", (unsigned long long)st->skipped);
    for (int r = 0; r < TT_CSV_SKIP_REASONS; r++)
        if (st->skip_reasons[r])
            fprintf(out, " %s %lld;", tt_csv_skip_name((tt_csv_skip_t)r),
                    (long long)st->skip_reasons[r]);
    fputc('\n', out);
    for (int m = 0; m < st->kept; m++)
        fprintf(out, "  %s\n", st->messages[m]);
}

/* A store write that failed lost rows: the refused one, or with it the
   whole group of rows its transaction held (docs/BACKTEST.md). The
   report is still made from what the store kept, and says so. */
static void s_print_lost(uint64_t store_errors, FILE *out)
{
    if (store_errors)
        fprintf(out,
                "the store lost rows: %llu write(s) failed (the log says "
                "which); this store and report are incomplete\n",
                (unsigned long long)store_errors);
}

/* The report, from the run's store, to stdout, --report and the store.
   DONE_NS is when the service had stopped and its store had every row:
   the time printed runs from the replay's start to then, so it counts
   the store writer finishing its queue after the last step (a backtest's
   writes leave the lockstep's path, docs/ARCHITECTURE.md). DONE_CPU is
   the process's CPU time then: the CPU the same span took, all threads,
   and so how many cores it kept busy on average. */
static int s_report(const s_args_t *a, const tt_config_t *cfg,
                    const tt_replay_stats_t *st, uint64_t store_errors,
                    int64_t done_ns, int64_t done_cpu)
{
    char err[256];
    tt_store_t *store = tt_store_open(cfg->db_path, NULL, err, sizeof err);
    if (!store) {
        fprintf(stderr, "ticktree backtest: %s\n", err);
        return TT_EXIT_FAIL;
    }
    tt_report_t report;
    int rc = tt_report_build(store, S_START_EQUITY, st->first_ts, st->last_ts,
                             s_scale, (void *)cfg, &report, err, sizeof err);
    if (rc == 0) {
        double secs = (double)(done_ns - st->wall_start) / 1e9;
        double tail = secs - (double)st->wall_ns / 1e9;
        struct rusage ru;
        double rss_mib =
            getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss / 1024 : 0;
        double cpu = (double)(done_cpu - st->cpu_start) / 1e9;
        printf("replayed %llu events (%llu ticks, %llu bars) in %.2f s: "
               "%.2f M events/s, peak RSS %.1f MiB, CPU %.2f s (%.2f cores "
               "busy); the store had every row %.2f s after the last step\n",
               (unsigned long long)st->records,
               (unsigned long long)st->feed.ticks, (unsigned long long)st->bars,
               secs, secs > 0 ? (double)st->records / secs / 1e6 : 0, rss_mib,
               cpu, secs > 0 ? cpu / secs : 0, tail > 0 ? tail : 0);
        s_print_lost(store_errors, stdout);
        s_print_skips(st, stdout);
        tt_report_print(&report, stdout);
        if (tt_report_store(&report, store) != 0)
            fprintf(stderr, "ticktree backtest: report not stored: %s\n",
                    tt_store_error(store));
        FILE *out = a->report ? fopen(a->report, "w") : NULL;
        if (a->report && (!out || tt_report_write_json(&report, out) != 0)) {
            fprintf(stderr, "ticktree backtest: cannot write %s\n", a->report);
            rc = -1;
        }
        if (out)
            fclose(out);
        tt_report_free(&report);
    } else {
        fprintf(stderr, "ticktree backtest: %s\n", err);
    }
    tt_store_close(&store);
    if (store_errors) {
        fprintf(stderr, "ticktree backtest: ");
        s_print_lost(store_errors, stderr);
    }
    return rc == 0 && !store_errors ? TT_EXIT_OK : TT_EXIT_FAIL;
}

static int s_run(const s_args_t *a, tt_config_t *cfg)
{
    tt_clock_t *clock = tt_clock_new_manual(0);
    tt_root_opts_t opts = {.replay = &a->spec, .market_clock = clock};
    tt_root_t *root = tt_root_new_opts(cfg, tt_symbol_behaviours, &opts);
    int code = root ? tt_root_run(root) : TT_EXIT_FAIL;
    /* The bus stopped last, after its writer had applied everything and
       the store was closed. */
    int64_t done_ns = tt_mono_ns(), done_cpu = tt_process_cpu_ns();
    const tt_replay_stats_t *st = root ? tt_root_replay_stats(root) : NULL;
    if (st && st->failed) {
        fprintf(stderr, "ticktree backtest: %s\n", st->error);
        code = TT_EXIT_FAIL;
    } else if (st && code == 0) {
        code =
            s_report(a, cfg, st, tt_root_store_errors(root), done_ns, done_cpu);
    }
    tt_root_destroy(&root);
    tt_clock_destroy(&clock);
    return code;
}

int tt_cmd_backtest(int argc, char **argv)
{
    s_args_t a;
    memset(&a, 0, sizeof a);
    int rc = s_parse(argc, argv, &a);
    if (rc != 0)
        return rc;
    tt_root_block_signals();
    const char *path = a.config ? a.config : tt_default_config_path();
    tt_config_t *cfg = tt_config_load(path, s_print_error, NULL, NULL);
    if (cfg && tt_service_check(cfg, s_print_error, NULL) > 0)
        tt_config_destroy(&cfg);
    if (!cfg) {
        fprintf(stderr, "ticktree backtest: %s refused\n", path);
        return TT_EXIT_FAIL;
    }
    char temp[4096];
    snprintf(temp, sizeof temp, "%s/ticktree-backtest-%d.db",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    s_private(cfg, a.db ? a.db : temp);
    s_coupled_one_worker(cfg);
    tt_log_setup(a.level ? (tt_log_level_t)tt_log_level_parse(a.level)
                         : TT_LOG_WARN,
                 false, 2);
    int code = s_run(&a, cfg);
    if (!a.db)
        s_private(cfg, temp); /* removes the temporary store */
    tt_config_destroy(&cfg);
    return code;
}
