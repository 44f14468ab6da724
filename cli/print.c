/*  cli/print.c: health output (see print.h). JSON is built with jansson. */
#include "cli/print.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *tt_print_state(int state)
{
    const ProtobufCEnumValue *value =
        protobuf_c_enum_descriptor_get_value(&tt__state__descriptor, state);
    return value ? value->name + 6 /* "STATE_" */ : "UNKNOWN";
}

static void s_duration(char *buf, size_t size, uint64_t ms)
{
    if (ms < 60000)
        snprintf(buf, size, "%.1fs", (double)ms / 1000.0);
    else if (ms < 3600000)
        snprintf(buf, size, "%llum%02llus", (unsigned long long)(ms / 60000),
                 (unsigned long long)(ms / 1000 % 60));
    else
        snprintf(buf, size, "%lluh%02llum", (unsigned long long)(ms / 3600000),
                 (unsigned long long)(ms / 60000 % 60));
}

static void s_print_actor(FILE *out, const Tt__ActorHealth *actor)
{
    char up[32];
    s_duration(up, sizeof up, actor->uptime_ms);
    fprintf(out,
            "    %-10s %-10s %8s  restarts %-3u queue %-6llu drops %-6llu "
            "handled %llu%s%s\n",
            actor->name, tt_print_state(actor->state), up, actor->restarts,
            (unsigned long long)actor->queue_depth,
            (unsigned long long)actor->drops,
            (unsigned long long)actor->handled,
            actor->last_error[0] ? "  error: " : "", actor->last_error);
}

/* An edge actor (a feed) and, for a websocket feed, its connection. */
static void s_print_edge(FILE *out, const Tt__ActorHealth *edge)
{
    char up[32];
    s_duration(up, sizeof up, edge->uptime_ms);
    fprintf(out, "  %-18s %-10s %8s  ticks %llu  queued %llu%s%s\n", edge->name,
            tt_print_state(edge->state), up, (unsigned long long)edge->handled,
            (unsigned long long)edge->queue_depth,
            edge->last_error[0] ? "  error: " : "", edge->last_error);
    const Tt__FeedHealth *f = edge->feed;
    if (!f)
        return;
    fprintf(
        out,
        "    %s %s  frames %llu  malformed %llu  unexpected %llu  "
        "venue errors %llu  attempts %llu  connects %llu  "
        "reconnects %llu  subscribed %llu  bars %llu  holds %llu%s%s\n",
        f->status, f->url, (unsigned long long)f->frames,
        (unsigned long long)f->malformed, (unsigned long long)f->unexpected,
        (unsigned long long)f->server_errors, (unsigned long long)f->attempts,
        (unsigned long long)f->connects, (unsigned long long)f->reconnects,
        (unsigned long long)f->subscribes, (unsigned long long)f->bars,
        (unsigned long long)f->holds,
        f->last_malformed[0] ? "  last malformed: " : "", f->last_malformed);
}

/* Whether the decimal text TEXT is zero ("0", "0.00", ""); NULL too. */
static bool s_decimal_zero(const char *text)
{
    if (!text)
        return true;
    for (const char *p = text; *p; p++)
        if (*p != '0' && *p != '.')
            return false;
    return true;
}

void tt_print_health_text(FILE *out, const Tt__Health *health)
{
    char up[32];
    s_duration(up, sizeof up, health->uptime_ms);
    fprintf(out, "%s %s  up %s  pid %u  version %s  workers %zu\n",
            health->name, tt_print_state(health->state), up, health->pid,
            health->version, health->n_workers);
    const Tt__EventsHealth *ev = health->events;
    if (ev)
        fprintf(
            out,
            "  events: last seq %llu  published %llu  dropped %llu  "
            "subscribers %d  intents %llu  duplicates %llu  "
            "store errors %llu  rows refused %llu  replays %llu\n",
            (unsigned long long)ev->last_seq, (unsigned long long)ev->published,
            (unsigned long long)ev->dropped, ev->subscribers,
            (unsigned long long)ev->intents, (unsigned long long)ev->duplicates,
            (unsigned long long)ev->store_errors,
            (unsigned long long)ev->rows_refused,
            (unsigned long long)ev->replays);
    const Tt__PortfolioHealth *pf = health->portfolio;
    if (pf) {
        /* A limit of 0 is no limit (docs/CONFIG.md, portfolio): "max
           0.00" beside a held exposure would read as a breach. */
        char max_exp[48] = "no limit", max_open[32] = "no limit";
        if (!s_decimal_zero(pf->max_exposure))
            snprintf(max_exp, sizeof max_exp, "max %s", pf->max_exposure);
        if (pf->max_open_positions)
            snprintf(max_open, sizeof max_open, "max %u",
                     pf->max_open_positions);
        fprintf(out,
                "  portfolio: exposure %s (%s)  open %u (%s)  "
                "realized today %s%s\n",
                pf->exposure, max_exp, pf->open_positions, max_open,
                pf->realized_today,
                pf->halted ? "  HALTED: daily loss limit" : "");
    }
    for (size_t e = 0; e < health->n_edges; e++)
        s_print_edge(out, health->edges[e]);
    for (size_t i = 0; i < health->n_symbols; i++) {
        const Tt__SymbolHealth *sym = health->symbols[i];
        char age[32] = "-";
        if (sym->last_tick_age_ms >= 0)
            s_duration(age, sizeof age, (uint64_t)sym->last_tick_age_ms);
        s_duration(up, sizeof up, sym->uptime_ms);
        char warm[224] = "";
        if (!sym->warm)
            snprintf(warm, sizeof warm, "  warming up: %u of %u candles of %ds",
                     sym->warmup_have, sym->warmup_need, sym->warmup_tf_s);
        if (sym->unprotected)
            snprintf(warm + strlen(warm), sizeof warm - strlen(warm),
                     "  UNPROTECTED: no working stop for %llu s",
                     (unsigned long long)(sym->unprotected_ms / 1000));
        if (sym->venue_sync[0] && !sym->pause_reason[0])
            snprintf(warm + strlen(warm), sizeof warm - strlen(warm), "  %s",
                     sym->venue_sync);
        fprintf(out,
                "  %-10s %-10s %8s  restarts %-3u venue %-8s worker %u  "
                "ticks %llu  last tick %s ago  position %s  pnl %s  "
                "orders %llu  fills %llu%s%s%s%s%s%s\n",
                sym->symbol, tt_print_state(sym->state), up, sym->restarts,
                sym->venue, sym->worker, (unsigned long long)sym->ticks, age,
                sym->position, sym->realized_pnl,
                (unsigned long long)sym->orders, (unsigned long long)sym->fills,
                sym->breaker_tripped ? "  BREAKER TRIPPED" : "",
                sym->pause_reason[0] ? "  paused: " : "", sym->pause_reason,
                sym->last_error[0] ? "  error: " : "", sym->last_error, warm);
        for (size_t a = 0; a < sym->n_actors; a++)
            s_print_actor(out, sym->actors[a]);
    }
}

static json_t *s_actor_json(const Tt__ActorHealth *actor)
{
    return json_pack(
        "{s:s, s:s, s:I, s:i, s:s, s:I, s:I, s:I, s:i, s:I, s:I, s:I, s:I}",
        "name", actor->name, "state", tt_print_state(actor->state), "uptime_ms",
        (json_int_t)actor->uptime_ms, "restarts", (int)actor->restarts,
        "last_error", actor->last_error, "queue_depth",
        (json_int_t)actor->queue_depth, "drops", (json_int_t)actor->drops,
        "handled", (json_int_t)actor->handled, "worker", (int)actor->worker,
        "transitions", (json_int_t)actor->transitions, "watchdog_misses",
        (json_int_t)actor->watchdog_misses, "undeliverable",
        (json_int_t)actor->undeliverable, "backpressured",
        (json_int_t)actor->backpressured);
}

static json_t *s_edge_json(const Tt__ActorHealth *edge)
{
    json_t *out = s_actor_json(edge);
    const Tt__FeedHealth *f = edge->feed;
    if (!out || !f)
        return out;
    json_object_set_new(
        out, "feed",
        json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
                  "s:I, s:I, s:s}",
                  "status", f->status, "url", f->url, "frames",
                  (json_int_t)f->frames, "malformed", (json_int_t)f->malformed,
                  "unexpected", (json_int_t)f->unexpected, "server_errors",
                  (json_int_t)f->server_errors, "attempts",
                  (json_int_t)f->attempts, "connects", (json_int_t)f->connects,
                  "reconnects", (json_int_t)f->reconnects, "subscribes",
                  (json_int_t)f->subscribes, "bars", (json_int_t)f->bars,
                  "holds", (json_int_t)f->holds, "duplicates",
                  (json_int_t)f->duplicates, "last_malformed",
                  f->last_malformed));
    return out;
}

static json_t *s_symbol_json(const Tt__SymbolHealth *sym)
{
    json_t *actors = json_array();
    for (size_t a = 0; a < sym->n_actors; a++)
        json_array_append_new(actors, s_actor_json(sym->actors[a]));
    json_t *out = json_pack(
        "{s:s, s:s, s:I, s:i, s:s, s:s, s:I, s:i, s:s, "
        "s:I, s:o}",
        "symbol", sym->symbol, "state", tt_print_state(sym->state), "uptime_ms",
        (json_int_t)sym->uptime_ms, "restarts", (int)sym->restarts,
        "last_error", sym->last_error, "pause_reason", sym->pause_reason,
        "last_tick_age_ms", (json_int_t)sym->last_tick_age_ms, "worker",
        (int)sym->worker, "venue", sym->venue, "ticks", (json_int_t)sym->ticks,
        "actors", actors);
    json_object_set_new(out, "position", json_string(sym->position));
    json_object_set_new(out, "realized_pnl", json_string(sym->realized_pnl));
    json_object_set_new(out, "orders", json_integer((json_int_t)sym->orders));
    json_object_set_new(out, "fills", json_integer((json_int_t)sym->fills));
    json_object_set_new(out, "rejected_signals",
                        json_integer((json_int_t)sym->rejected_signals));
    json_object_set_new(out, "breaker_tripped",
                        json_boolean(sym->breaker_tripped));
    json_object_set_new(out, "warm", json_boolean(sym->warm));
    json_object_set_new(out, "venue_sync", json_string(sym->venue_sync));
    json_object_set_new(out, "unprotected", json_boolean(sym->unprotected));
    json_object_set_new(out, "unprotected_ms",
                        json_integer((json_int_t)sym->unprotected_ms));
    json_object_set_new(
        out, "warmup",
        json_pack("{s:i, s:i, s:i}", "have", (int)sym->warmup_have, "need",
                  (int)sym->warmup_need, "tf_s", (int)sym->warmup_tf_s));
    return out;
}

int tt_print_health_json(FILE *out, const Tt__Health *health)
{
    json_t *symbols = json_array();
    for (size_t i = 0; i < health->n_symbols; i++)
        json_array_append_new(symbols, s_symbol_json(health->symbols[i]));
    json_t *workers = json_array();
    for (size_t w = 0; w < health->n_workers; w++)
        json_array_append_new(
            workers,
            json_pack("{s:i, s:i, s:I, s:I, s:I, s:I}", "id",
                      (int)health->workers[w]->id, "actors",
                      (int)health->workers[w]->actors, "handled",
                      (json_int_t)health->workers[w]->handled, "busy_ms",
                      (json_int_t)health->workers[w]->busy_ms, "sleeps",
                      (json_int_t)health->workers[w]->sleeps, "spun_ms",
                      (json_int_t)health->workers[w]->spun_ms));
    json_t *root = json_pack(
        "{s:s, s:s, s:I, s:s, s:i, s:I, s:I, s:o, s:o}", "name", health->name,
        "state", tt_print_state(health->state), "uptime_ms",
        (json_int_t)health->uptime_ms, "version", health->version, "pid",
        (int)health->pid, "now_ns", (json_int_t)health->now_ns, "mailbox_drops",
        (json_int_t)health->mailbox_drops, "workers", workers, "symbols",
        symbols);
    if (!root)
        return -1;
    const Tt__EventsHealth *ev = health->events;
    if (ev)
        json_object_set_new(
            root, "events",
            json_pack("{s:I, s:I, s:I, s:i, s:I, s:I, s:I, s:I, s:I}",
                      "last_seq", (json_int_t)ev->last_seq, "published",
                      (json_int_t)ev->published, "dropped",
                      (json_int_t)ev->dropped, "subscribers",
                      (int)ev->subscribers, "intents", (json_int_t)ev->intents,
                      "duplicates", (json_int_t)ev->duplicates, "store_errors",
                      (json_int_t)ev->store_errors, "rows_refused",
                      (json_int_t)ev->rows_refused, "replays",
                      (json_int_t)ev->replays));
    const Tt__PortfolioHealth *pf = health->portfolio;
    if (pf)
        json_object_set_new(
            root, "portfolio",
            json_pack("{s:s, s:s, s:i, s:i, s:s, s:b}", "exposure",
                      pf->exposure, "max_exposure", pf->max_exposure,
                      "open_positions", (int)pf->open_positions,
                      "max_open_positions", (int)pf->max_open_positions,
                      "realized_today", pf->realized_today, "halted",
                      (int)pf->halted));
    json_t *edges = json_array();
    for (size_t e = 0; e < health->n_edges; e++)
        json_array_append_new(edges, s_edge_json(health->edges[e]));
    json_object_set_new(root, "edges", edges);
    int rc = json_dumpf(root, out, JSON_INDENT(2)) == 0 ? 0 : -1;
    fputc('\n', out);
    json_decref(root);
    return rc;
}
