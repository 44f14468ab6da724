/*  bus/housekeeping.c: what the bus does for the store besides events:
    one `runs` row per start of the service (its config's hash and the
    version), closed at a clean stop, and retention (service.retention):
    old candles, snapshots and events pruned at start and then every
    interval. Runs on the bus thread, the store's only writer. */
#include "bus/bus_internal.h"
#include "runtime/log.h"
#include "runtime/version.h"

#include <inttypes.h>
#include <stdio.h>

#define S_NS_PER_DAY (86400 * TT_NS_PER_SEC)

/* FNV-1a 64 of the config file's bytes, as 16 hex digits: "unreadable"
   when it cannot be read (the run is still recorded). */
static void s_config_hash(const char *path, char *out, size_t size)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) {
        snprintf(out, size, "unreadable");
        return;
    }
    uint64_t h = 0xcbf29ce484222325u;
    int c;
    while ((c = fgetc(f)) != EOF)
        h = (h ^ (uint64_t)(unsigned char)c) * 0x100000001b3u;
    fclose(f);
    snprintf(out, size, "%016" PRIx64, h);
}

int tt_bus_run_start(tt_store_t *store, const tt_config_t *cfg, tt_ns_t now,
                     int64_t *run_id)
{
    char hash[32];
    s_config_hash(cfg->path, hash, sizeof hash);
    int64_t died = 0;
    if (tt_store_runs_unfinished(store, "died", &died) != 0)
        tt_error("bus", "%s", tt_store_error(store));
    else if (died > 0)
        tt_warn("bus",
                "%" PRId64 " earlier run(s) never stopped: marked "
                "\"died\"",
                died);
    if (tt_store_run_start(store, now, hash, TT_VERSION, run_id) != 0) {
        tt_error("bus", "%s", tt_store_error(store));
        *run_id = 0;
        return -1;
    }
    tt_info("bus", "run %" PRId64 " (config %s)", *run_id, hash);
    return 0;
}

void tt_bus_run_stop(tt_store_t *store, int64_t run_id, tt_ns_t now)
{
    if (run_id > 0 && tt_store_run_stop(store, run_id, now, "stop") != 0)
        tt_error("bus", "%s", tt_store_error(store));
}

static tt_ns_t s_cutoff(tt_ns_t now, int days)
{
    return days > 0 ? now - (tt_ns_t)days * S_NS_PER_DAY : 0;
}

int tt_bus_retain(tt_store_t *store, const tt_retention_cfg_t *cfg, tt_ns_t now)
{
    tt_store_retention_t ret = {
        .candles_before = s_cutoff(now, cfg->candles_days),
        .events_before = s_cutoff(now, cfg->events_days),
        .snapshots_before = s_cutoff(now, cfg->candles_days)};
    if (!ret.candles_before && !ret.events_before)
        return 0;
    tt_store_deleted_t n = {0};
    if (tt_store_retain(store, &ret, &n) != 0) {
        tt_error("bus", "retention: %s", tt_store_error(store));
        return -1;
    }
    if (n.candles || n.events || n.snapshots)
        tt_info("bus",
                "retention: %" PRId64 " candles, %" PRId64 " snapshots and "
                "%" PRId64 " events deleted",
                n.candles, n.snapshots, n.events);
    return 0;
}
