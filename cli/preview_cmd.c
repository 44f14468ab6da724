/*  cli/preview_cmd.c: `ticktree preview SYMBOL [--tf N] [--json]`: the
    symbol's forming candle and the values its strategy's indicators would
    have with it, computed by the running service on copies (nothing in
    the service changes). */
#include "cli/client.h"
#include "cli/commands.h"

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
    const char *config;
    const char *endpoint;
    int timeout_ms;
    long tf_s;
    bool json;
    const char *symbol;
} s_opts_t;

static int s_number(const char *text, const char *what, long min, long max,
                    long *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (*end || end == text || v < min || v > max) {
        fprintf(stderr, "%s: expected %ld..%ld, got '%s'\n", what, min, max,
                text);
        return -1;
    }
    *out = v;
    return 0;
}

static int s_parse(int argc, char **argv, s_opts_t *opts)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"endpoint", required_argument, NULL, 'e'},
        {"timeout", required_argument, NULL, 't'},
        {"tf", required_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    *opts = (s_opts_t){.timeout_ms = 3000};
    long timeout = 0;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:", options, NULL)) != -1) {
        if (opt == 'c')
            opts->config = optarg;
        else if (opt == 'e')
            opts->endpoint = optarg;
        else if (opt == 't') {
            if (s_number(optarg, "--timeout", 1, 600000, &timeout) != 0)
                return -1;
            opts->timeout_ms = (int)timeout;
        } else if (opt == 'f') {
            if (s_number(optarg, "--tf", 1, 604800, &opts->tf_s) != 0)
                return -1;
        } else if (opt == 'j')
            opts->json = true;
        else
            return -1;
    }
    if (argc - optind != 1)
        return -1;
    opts->symbol = argv[optind];
    return 0;
}

static void s_time(int64_t ns, char *buf, size_t size)
{
    time_t secs = (time_t)(ns / 1000000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void s_print_text(const Tt__Preview *p)
{
    if (p->forming) {
        char when[32];
        s_time(p->open_ts, when, sizeof when);
        printf("%s %ds forming since %s: open %s high %s low %s close %s "
               "volume %s trades %u\n",
               p->symbol, p->tf_s, when, p->open, p->high, p->low, p->close,
               p->volume, p->trades);
    } else {
        printf("%s %ds: no trade yet in the current interval; current "
               "values\n",
               p->symbol, p->tf_s);
    }
    for (size_t i = 0; i < p->n_values; i++) {
        const Tt__IndicatorValue *v = p->values[i];
        printf("  %-18s", v->name);
        if (!v->ready)
            printf(" (warming up)");
        for (size_t k = 0; k < v->n_v; k++)
            printf(" %.10g", v->v[k]);
        printf("\n");
    }
}

static int s_print_json(const Tt__Preview *p)
{
    json_t *values = json_array();
    for (size_t i = 0; i < p->n_values; i++) {
        json_t *v = json_array();
        for (size_t k = 0; k < p->values[i]->n_v; k++)
            json_array_append_new(v, json_real(p->values[i]->v[k]));
        json_array_append_new(values, json_pack("{s:s, s:b, s:o}", "name",
                                                p->values[i]->name, "ready",
                                                p->values[i]->ready, "v", v));
    }
    json_t *root = json_pack(
        "{s:s, s:i, s:b, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "symbol",
        p->symbol, "tf_s", (int)p->tf_s, "forming", p->forming, "open_ts",
        (json_int_t)p->open_ts, "open", p->open, "high", p->high, "low", p->low,
        "close", p->close, "volume", p->volume, "trades", (json_int_t)p->trades,
        "values", values);
    int rc = root && json_dumpf(root, stdout, JSON_COMPACT) == 0 ? 0 : -1;
    printf("\n");
    json_decref(root);
    return rc;
}

int tt_cmd_preview(int argc, char **argv)
{
    s_opts_t opts;
    if (s_parse(argc, argv, &opts) != 0) {
        fprintf(stderr, "usage: ticktree preview SYMBOL [--tf N] [--json] "
                        "[-c CONFIG | --endpoint E] [--timeout MS]\n");
        return TT_EXIT_USAGE;
    }
    Tt__Request req = TT__REQUEST__INIT;
    Tt__PreviewRequest body = TT__PREVIEW_REQUEST__INIT;
    body.symbol = (char *)opts.symbol;
    body.tf_s = (int32_t)opts.tf_s;
    req.command_case = TT__REQUEST__COMMAND_PREVIEW;
    req.preview = &body;
    Tt__Reply *reply = NULL;
    int code =
        tt_cli_call(opts.config, opts.endpoint, opts.timeout_ms, &req, &reply);
    if (code != TT_EXIT_OK)
        return code;
    if (!reply->preview) {
        fprintf(stderr, "ticktree: the reply carries no preview\n");
        code = TT_EXIT_FAIL;
    } else if (opts.json)
        code = s_print_json(reply->preview) == 0 ? TT_EXIT_OK : TT_EXIT_FAIL;
    else
        s_print_text(reply->preview);
    tt__reply__free_unpacked(reply, NULL);
    return code;
}
