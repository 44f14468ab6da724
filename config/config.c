/*  config/config.c: loads the service configuration (config.h). Holds the
    top-level and service/supervision tables, the rules that span several
    keys, and the config's lifetime. The generic YAML binding lives in
    config_bind.c and config_yaml.c; venues and symbols in config_market.c.

    To add a top-level section: a NODE row in s_top_fields, a table of its
    keys, and one tt_cfgb_bind() call in s_load_root().

    Runs on the main thread at start-up and in `ticktree check-config`. */
#include "config/config.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config_bind.h"

/* The top level: each section's node, bound in a fixed order later (so
   that, say, symbols may come before venues in the file). */
typedef struct {
    int line;
    yaml_node_t *service;
    yaml_node_t *supervision;
    yaml_node_t *portfolio;
    yaml_node_t *venues;
    yaml_node_t *symbol_defaults;
    yaml_node_t *symbols;
} s_top_t;

static const tt_cfgb_field_t s_top_fields[] = {
    {.key = "service",
     .type = TT_CFGB_NODE,
     TT_CFGB_AT(s_top_t, service),
     .node_kind = YAML_MAPPING_NODE},
    {.key = "supervision",
     .type = TT_CFGB_NODE,
     TT_CFGB_AT(s_top_t, supervision),
     .node_kind = YAML_MAPPING_NODE},
    {.key = "portfolio",
     .type = TT_CFGB_NODE,
     TT_CFGB_AT(s_top_t, portfolio),
     .node_kind = YAML_MAPPING_NODE},
    {.key = "venues",
     .type = TT_CFGB_NODE,
     TT_CFGB_AT(s_top_t, venues),
     .node_kind = YAML_SEQUENCE_NODE,
     .flags = TT_CFGB_REQUIRED},
    {.key = "symbol_defaults",
     .type = TT_CFGB_NODE,
     TT_CFGB_AT(s_top_t, symbol_defaults),
     .node_kind = YAML_MAPPING_NODE},
    {.key = "symbols",
     .type = TT_CFGB_NODE,
     TT_CFGB_AT(s_top_t, symbols),
     .node_kind = YAML_SEQUENCE_NODE,
     .flags = TT_CFGB_REQUIRED},
};
static const tt_cfgb_section_t s_top =
    TT_CFGB_SECTION(s_top_fields, s_top_t, line);

static const char *const s_log_levels[] = {"debug", "info", "warn", "error",
                                           NULL};
static const char *const s_log_formats[] = {"text", "json", NULL};

static const tt_cfgb_field_t s_retention_fields[] = {
    {.key = "candles_days",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_retention_cfg_t, candles_days),
     .min = 0,
     .max = 36500,
     .def = 0},
    {.key = "events_days",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_retention_cfg_t, events_days),
     .min = 0,
     .max = 36500,
     .def = 0},
    {.key = "interval_s",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_retention_cfg_t, interval_s),
     .min = 1,
     .max = 31 * 86400,
     .def = 86400},
};
static const tt_cfgb_section_t s_retention =
    TT_CFGB_SECTION(s_retention_fields, tt_retention_cfg_t, line);

static const tt_cfgb_field_t s_service_fields[] = {
    {.key = "name",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(tt_config_t, name),
     .def_str = "ticktree",
     .charset = "A-Za-z0-9_.-",
     .maxlen = 64},
    {.key = "control",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(tt_config_t, control_endpoint),
     .def_str = "tcp://127.0.0.1:7780",
     .flags = TT_CFGB_ENDPOINT},
    {.key = "control_token",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(tt_config_t, control_token),
     .flags = TT_CFGB_SECRET},
    {.key = "events",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(tt_config_t, events_endpoint),
     .def_str = "tcp://127.0.0.1:7781",
     .flags = TT_CFGB_ENDPOINT},
    {.key = "replay",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(tt_config_t, replay_endpoint),
     .def_str = "tcp://127.0.0.1:7782",
     .flags = TT_CFGB_ENDPOINT},
    {.key = "db",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(tt_config_t, db_path),
     .def_str = "ticktree.db",
     .flags = TT_CFGB_NONEMPTY},
    {.key = "record_ticks",
     .type = TT_CFGB_STR,
     TT_CFGB_AT(tt_config_t, record_ticks)},
    {.key = "snapshot_every_s",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_t, snapshot_every_s),
     .min = 0,
     .max = 86400,
     .def = 60},
    {.key = "workers",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_t, workers),
     .min = 0,
     .max = 256,
     .def = 0},
    {.key = "log_level",
     .type = TT_CFGB_ENUM,
     TT_CFGB_AT(tt_config_t, log_level),
     .names = s_log_levels,
     .def = TT_LOG_INFO},
    {.key = "log_format",
     .type = TT_CFGB_ENUM,
     TT_CFGB_AT(tt_config_t, log_json),
     .names = s_log_formats,
     .def = 0},
    {.key = "store_max_pages",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_t, store_max_pages),
     .min = 0,
     .max = 1 << 30,
     .def = 0},
    {.key = "store_intent_delay_ms",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_t, store_intent_delay_ms),
     .min = 0,
     .max = 60000,
     .def = 0},
    {.key = "fault_injection",
     .type = TT_CFGB_BOOL,
     TT_CFGB_AT(tt_config_t, fault_injection),
     .def = 0},
    {.key = "watchdog_ms",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_t, watchdog_ms),
     .min = 10,
     .max = 600000,
     .def = 1000},
    {.key = "shutdown_timeout_ms",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_t, shutdown_timeout_ms),
     .min = 100,
     .max = 600000,
     .def = 5000},
    {.key = "mailbox_hwm",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_t, mailbox_hwm),
     .min = 1000,
     .max = 10000000,
     .def = 100000},
    {.key = "spin_us",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_t, spin_us),
     .min = 0,
     .max = 1000000,
     .def = 0},
    {.key = "events_hwm",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_config_t, events_hwm),
     .min = 1,
     .max = 10000000,
     .def = 10000},
    {.key = "retention",
     .type = TT_CFGB_MAP,
     TT_CFGB_AT(tt_config_t, retention),
     .sub = &s_retention},
};
static const tt_cfgb_section_t s_service = {
    s_service_fields, sizeof(s_service_fields) / sizeof(s_service_fields[0]),
    0};

static const tt_cfgb_field_t s_supervision_fields[] = {
    {.key = "max_restarts",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_supervision_cfg_t, max_restarts),
     .min = 1,
     .max = 100,
     .def = 3},
    {.key = "window_s",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_supervision_cfg_t, window_ms),
     .min = 1,
     .max = 86400,
     .scale = 1000,
     .def = 60},
    {.key = "backoff_ms",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_supervision_cfg_t, backoff_ms),
     .min = 1,
     .max = 60000,
     .def = 100},
    {.key = "backoff_max_ms",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_supervision_cfg_t, backoff_max_ms),
     .min = 1,
     .max = 600000,
     .def = 5000},
    {.key = "jitter_pct",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_supervision_cfg_t, jitter_pct),
     .min = 0,
     .max = 100,
     .def = 20},
    {.key = "symbol_max_restarts",
     .type = TT_CFGB_INT,
     TT_CFGB_AT(tt_supervision_cfg_t, symbol_max_restarts),
     .min = 0,
     .max = 100,
     .def = 2},
};
static const tt_cfgb_section_t s_supervision = {
    s_supervision_fields,
    sizeof(s_supervision_fields) / sizeof(s_supervision_fields[0]), 0};

/* The line of KEY in MAP, else of MAP, else FALLBACK: where to point a
   rule that involves a key which may have been left to its default. */
static int s_line_of(tt_cfgb_t *b, yaml_node_t *map, const char *key,
                     int fallback)
{
    yaml_node_t *node = tt_cfgb_lookup(b, map, key);
    if (node)
        return tt_cfgb_line(node);
    return map ? tt_cfgb_line(map) : fallback;
}

/* Invariant 10: whatever can change trading from another machine needs a
   token. Events are read-only, so only the control socket is checked. */
static void s_check_service(tt_cfgb_t *b, tt_config_t *self,
                            yaml_node_t *service, int root_line)
{
    if (tt_cfgb_endpoint_remote(self->control_endpoint) &&
        !tt_cfgb_lookup(b, service, "control_token"))
        tt_cfgb_error(b, s_line_of(b, service, "control", root_line),
                      "service.control: %s accepts commands from other "
                      "hosts, so service.control_token is required",
                      self->control_endpoint);
    if (strcmp(self->control_endpoint, self->events_endpoint) == 0)
        tt_cfgb_error(b, s_line_of(b, service, "events", root_line),
                      "service.events: same endpoint as service.control");
    if (strcmp(self->replay_endpoint, self->events_endpoint) == 0 ||
        strcmp(self->replay_endpoint, self->control_endpoint) == 0)
        tt_cfgb_error(b, s_line_of(b, service, "replay", root_line),
                      "service.replay: same endpoint as service.%s",
                      strcmp(self->replay_endpoint, self->events_endpoint)
                          ? "control"
                          : "events");
}

static void s_check_supervision(tt_cfgb_t *b, const tt_config_t *self,
                                yaml_node_t *map, int root_line)
{
    const tt_supervision_cfg_t *sup = &self->supervision;
    if (sup->backoff_max_ms < sup->backoff_ms)
        tt_cfgb_error(b, s_line_of(b, map, "backoff_max_ms", root_line),
                      "supervision.backoff_max_ms: %lld is less than "
                      "supervision.backoff_ms (%lld)",
                      (long long)sup->backoff_max_ms,
                      (long long)sup->backoff_ms);
}

static void s_load_root(tt_cfgb_t *b, tt_config_t *self, yaml_node_t *root)
{
    s_top_t top = {0};
    tt_cfgb_bind(b, &s_top, root, tt_cfgb_line(root), &top, "");
    if (root->type != YAML_MAPPING_NODE)
        return;
    tt_cfgb_check_required(b, &s_top, &top, top.line, "");
    if (top.service)
        tt_cfgb_bind(b, &s_service, top.service, 0, self, "service");
    s_check_service(b, self, top.service, top.line);
    if (top.supervision)
        tt_cfgb_bind(b, &s_supervision, top.supervision, 0, &self->supervision,
                     "supervision");
    s_check_supervision(b, self, top.supervision, top.line);
    if (top.portfolio)
        tt_config_portfolio_load(b, self, top.portfolio);
    tt_cfgb_forget(b);
    if (top.venues)
        tt_config_venues_load(b, self, top.venues);
    if (top.symbols)
        tt_config_symbols_load(b, self, top.symbols, top.symbol_defaults);
}

static tt_config_t *s_config_new(const char *path)
{
    tt_config_t *self = calloc(1, sizeof(*self));
    assert(self);
    self->path = strdup(path);
    assert(self->path);
    tt_cfgb_defaults(&s_service, self);
    tt_cfgb_defaults(&s_supervision, &self->supervision);
    tt_config_portfolio_defaults(&self->portfolio);
    return self;
}

/* workers: 0 means one per online core, and never fewer than one. */
static void s_resolve_workers(tt_config_t *self)
{
    if (self->workers > 0)
        return;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    self->workers = cores < 1 ? 1 : cores > 256 ? 256 : (int)cores;
}

static uint32_t s_name_hash(const char *name)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

/* Builds the name index at twice the symbols or more, a power of two;
   without memory the lookup stays linear. */
static void s_index_symbols(tt_config_t *self)
{
    size_t size = 8;
    while (size < 2 * self->symbol_count)
        size *= 2;
    self->symbol_slots = calloc(size, sizeof *self->symbol_slots);
    if (!self->symbol_slots)
        return;
    self->symbol_mask = (uint32_t)(size - 1);
    for (size_t i = 0; i < self->symbol_count; i++) {
        uint32_t at = s_name_hash(self->symbols[i].name) & self->symbol_mask;
        while (self->symbol_slots[at])
            at = (at + 1) & self->symbol_mask;
        self->symbol_slots[at] = (int32_t)i + 1;
    }
}

tt_config_t *tt_config_load(const char *path, tt_config_error_fn *error_fn,
                            void *arg, int *error_count)
{
    assert(path);
    tt_cfgb_t b;
    tt_cfgb_init(&b, path, error_fn, arg);
    tt_config_t *self = s_config_new(path);
    yaml_node_t *root = tt_cfgb_load_file(&b);
    if (root)
        s_load_root(&b, self, root);
    assert(root || b.errors > 0);
    if (b.errors)
        tt_config_destroy(&self);
    else {
        s_resolve_workers(self);
        s_index_symbols(self);
    }
    if (error_count)
        *error_count = b.errors;
    tt_cfgb_fini(&b);
    return self;
}

void tt_config_destroy(tt_config_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tt_config_t *self = *self_p;
    if (self->control_token)
        explicit_bzero(self->control_token, strlen(self->control_token));
    tt_cfgb_free(&s_service, self);
    tt_config_portfolio_free(&self->portfolio);
    for (size_t i = 0; i < self->venue_count; i++)
        tt_config_venue_free(&self->venues[i]);
    free(self->venues);
    for (size_t i = 0; i < self->symbol_count; i++)
        tt_config_symbol_free(&self->symbols[i]);
    free(self->symbols);
    free(self->symbol_slots);
    free(self->path);
    free(self);
    *self_p = NULL;
}

int tt_config_symbol_index(const tt_config_t *self, const char *name)
{
    if (self->symbol_slots) {
        uint32_t at = s_name_hash(name) & self->symbol_mask;
        for (int32_t slot; (slot = self->symbol_slots[at]) != 0;
             at = (at + 1) & self->symbol_mask)
            if (strcmp(self->symbols[slot - 1].name, name) == 0)
                return slot - 1;
        return -1;
    }
    for (size_t i = 0; i < self->symbol_count; i++)
        if (strcmp(self->symbols[i].name, name) == 0)
            return (int)i;
    return -1;
}

const tt_param_t *tt_params_get(const tt_params_t *params, const char *key)
{
    for (size_t i = 0; i < params->count; i++)
        if (strcmp(params->items[i].key, key) == 0)
            return &params->items[i];
    return NULL;
}

const char *tt_venue_kind_name(tt_venue_kind_t kind)
{
    static const char *const names[] = {"sim", "replay", "alpaca", "binance"};
    if ((unsigned)kind < sizeof(names) / sizeof(names[0]))
        return names[kind];
    return "unknown";
}

const char *tt_log_level_name(tt_log_level_t level)
{
    if ((unsigned)level < sizeof(s_log_levels) / sizeof(s_log_levels[0]) - 1)
        return s_log_levels[level];
    return "unknown";
}

bool tt_config_is_secret_key(const char *key)
{
    static const char *const suffixes[] = {"token", "secret", "password",
                                           "_key", "key_id"};
    size_t len = strlen(key);
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        size_t n = strlen(suffixes[i]);
        if (len >= n && strcmp(key + len - n, suffixes[i]) == 0)
            return true;
    }
    return false;
}

bool tt_config_token_ok(const char *expected, const char *given)
{
    size_t a = strlen(expected), b = strlen(given);
    unsigned diff = (unsigned)(a ^ b);
    for (size_t i = 0; i < a; i++)
        diff |= (unsigned)(expected[i] ^ (i < b ? given[i] : 0));
    return diff == 0;
}
