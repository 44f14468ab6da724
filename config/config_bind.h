/*  config/config_bind.h: the table-driven YAML binder behind config.c.
    Private to the config/ folder: nothing outside config/ includes it.

    A section is a table of fields (key, type, range, destination offset,
    default, flags). tt_cfgb_bind() walks one YAML mapping, finds each key
    in the table and stores the converted value at its offset, reporting
    every problem as "FILE:LINE: path: message" and carrying on. Binding
    only writes the keys that are present, so binding a defaults mapping
    and then a specific mapping into the same struct merges them key by key.
    Adding a key to the configuration is one table row.

    Runs on the main thread at start-up (and in `ticktree check-config`). */
#ifndef TT_CONFIG_BIND_H
#define TT_CONFIG_BIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "config/config.h"

/* What was made of one scalar node by ${NAME} substitution. */
typedef struct {
    char *value;   /* getenv() copy, or NULL when not substituted */
    bool from_env; /* the value came from the environment */
    bool failed;   /* ${NAME} with NAME unset: already reported */
} tt_cfgb_scalar_t;

typedef struct {
    int line;
    int seq; /* report order, to keep the sort stable */
    char *text;
} tt_cfgb_message_t;

typedef struct {
    const char *path; /* file name as given, prefix of every message */
    tt_config_error_fn *error_fn;
    void *arg;
    int errors;
    int quiet; /* > 0: drop messages (re-binding already checked defaults) */
    bool loaded;
    yaml_document_t doc;
    tt_cfgb_scalar_t *scalars; /* one per node, by node index */
    size_t scalar_count;
    /* Destinations whose key was met (valid or not) since the last
       required-key check, so that a bad value is not also "missing". */
    const void **seen;
    size_t seen_count, seen_cap;
    tt_cfgb_message_t *messages; /* held until tt_cfgb_flush() */
    size_t message_count, message_cap;
} tt_cfgb_t;

typedef enum {
    TT_CFGB_STR,     /* owned char *: charset/maxlen or one of names[] */
    TT_CFGB_INT,     /* integer stored by size (4 or 8 bytes), scaled */
    TT_CFGB_BOOL,    /* true | false into a bool */
    TT_CFGB_ENUM,    /* one of names[]: index stored like an INT (or bool) */
    TT_CFGB_DOUBLE,  /* finite number, dmin (exclusive) .. dmax */
    TT_CFGB_DECIMAL, /* decimal text kept as owned char *, scaled later */
    TT_CFGB_MAP,     /* nested section bound into a sub-struct */
    TT_CFGB_NODE,    /* the yaml_node_t * itself, handled by the caller */
    TT_CFGB_CUSTOM,  /* custom() does the work */
} tt_cfgb_type_t;

enum {
    TT_CFGB_REQUIRED = 1 << 0, /* missing after binding is an error */
    TT_CFGB_SECRET = 1 << 1,   /* the value is never echoed */
    TT_CFGB_ENDPOINT = 1 << 2, /* STR: tcp://host:port or ipc://path */
    TT_CFGB_NONEMPTY = 1 << 3, /* STR: at least one character */
};

typedef struct tt_cfgb_field tt_cfgb_field_t;
typedef struct tt_cfgb_section tt_cfgb_section_t;

/* Binds NODE (the value of field F) into DEST (the section's struct). */
typedef void(tt_cfgb_custom_fn)(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                                yaml_node_t *node, void *dest,
                                const char *path);

struct tt_cfgb_field {
    const char *key;
    tt_cfgb_type_t type;
    size_t off;      /* destination offset in the section's struct */
    size_t size;     /* destination size (INT, BOOL, ENUM) */
    size_t line_off; /* 1 + offset of an int that receives the value's
                        line (negated when the value was bad); 0 = none */
    unsigned flags;
    int64_t min, max; /* INT range, in file units */
    int64_t scale;    /* INT: stored value = file value * scale (0 = 1) */
    int64_t def;      /* INT, BOOL, ENUM default (file units) */
    double dmin, dmax;
    const char *def_str;      /* STR default (copied), NULL = none */
    const char *charset;      /* STR: allowed characters, e.g. "a-z0-9_-" */
    size_t maxlen;            /* STR: maximum length (0 = 4096) */
    const char *const *names; /* ENUM names / STR allowed values, NULL-ended */
    int node_kind;            /* NODE: expected yaml_node_type_t */
    const tt_cfgb_section_t *sub;
    tt_cfgb_custom_fn *custom;
};

struct tt_cfgb_section {
    const tt_cfgb_field_t *fields;
    size_t count;
    size_t line_off; /* 1 + offset of the int holding the mapping's line */
};

#define TT_CFGB_AT(type, member)                                               \
    .off = offsetof(type, member), .size = sizeof(((type *)0)->member)
#define TT_CFGB_LINE(type, member) .line_off = offsetof(type, member) + 1
#define TT_CFGB_SECTION(table, type, member)                                   \
    {                                                                          \
        table, sizeof(table) / sizeof(table[0]), offsetof(type, member) + 1    \
    }

/* Reading and error reporting. */
void tt_cfgb_init(tt_cfgb_t *b, const char *path, tt_config_error_fn *fn,
                  void *arg);
void tt_cfgb_fini(tt_cfgb_t *b);
/* Reads and parses the file; returns the root node or NULL (reported). */
yaml_node_t *tt_cfgb_load_file(tt_cfgb_t *b);
void tt_cfgb_error(tt_cfgb_t *b, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Delivers the messages held so far, sorted by line (also done by fini). */
void tt_cfgb_flush(tt_cfgb_t *b);

/* Nodes. */
int tt_cfgb_line(const yaml_node_t *node);
const char *tt_cfgb_kind_name(const yaml_node_t *node);
/* Resolved text of a scalar, or NULL when not a scalar or an unset ${}. */
const char *tt_cfgb_text(tt_cfgb_t *b, yaml_node_t *node);
/* The value as it may appear in a message: 'text', 'the value of ${X}'
   when it came from the environment, or "(secret)" for SECRET fields. */
void tt_cfgb_show(tt_cfgb_t *b, yaml_node_t *node, unsigned flags, char *buf,
                  size_t size);
/* Checks the node kind; reports "PATH: expected WHAT, got ..." if not. */
bool tt_cfgb_expect(tt_cfgb_t *b, yaml_node_t *node, yaml_node_type_t kind,
                    const char *path);
/* Value node of KEY in mapping MAP (NULL if absent or MAP is not one). */
yaml_node_t *tt_cfgb_lookup(tt_cfgb_t *b, yaml_node_t *map, const char *key);
yaml_node_t *tt_cfgb_item(tt_cfgb_t *b, yaml_node_t *seq, size_t index);
size_t tt_cfgb_length(const yaml_node_t *seq);
/* 0 on success, -1 when not an integer, -2 when it overflows int64. */
int tt_cfgb_parse_int(const char *text, int64_t *out);
/* Reads an integer scalar in MIN..MAX; reports and returns false if not. */
bool tt_cfgb_int(tt_cfgb_t *b, yaml_node_t *node, int64_t min, int64_t max,
                 const char *path, int64_t *out);
/* True if TEXT is a valid tcp:// or ipc:// endpoint. */
bool tt_cfgb_endpoint_ok(const char *text);
/* True for a tcp:// endpoint whose host is not loopback. */
bool tt_cfgb_endpoint_remote(const char *text);

/* Sections. */
void tt_cfgb_defaults(const tt_cfgb_section_t *s, void *dest);
void tt_cfgb_bind(tt_cfgb_t *b, const tt_cfgb_section_t *s, yaml_node_t *map,
                  int line, void *dest, const char *path);
/* Reports required keys still missing (neither bound nor met with a bad
   value); LINE is the enclosing mapping's. Then forgets the keys met. */
void tt_cfgb_check_required(tt_cfgb_t *b, const tt_cfgb_section_t *s,
                            const void *dest, int line, const char *path);
/* Forgets the keys met without checking (after a validation-only pass). */
void tt_cfgb_forget(tt_cfgb_t *b);
/* Frees the STR and DECIMAL fields (recursing into MAP fields). */
void tt_cfgb_free(const tt_cfgb_section_t *s, void *dest);

/* Custom binders shared by several sections. */
void tt_cfgb_bind_params(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                         yaml_node_t *node, void *dest, const char *path);
void tt_cfgb_params_free(tt_params_t *params);

/* The venues and symbols sections (config_market.c). */
void tt_config_venues_load(tt_cfgb_t *b, tt_config_t *cfg, yaml_node_t *seq);
void tt_config_symbols_load(tt_cfgb_t *b, tt_config_t *cfg, yaml_node_t *seq,
                            yaml_node_t *defaults);
void tt_config_venue_free(tt_venue_cfg_t *venue);
void tt_config_symbol_free(tt_symbol_cfg_t *symbol);

/* The portfolio section and the venues' session keys
   (config_portfolio.c). */
void tt_config_portfolio_defaults(tt_config_portfolio_t *pf);
void tt_config_portfolio_load(tt_cfgb_t *b, tt_config_t *cfg, yaml_node_t *map);
void tt_config_portfolio_free(tt_config_portfolio_t *pf);
void tt_config_bind_dates(tt_cfgb_t *b, const tt_cfgb_field_t *f,
                          yaml_node_t *node, void *dest, const char *path);
void tt_config_venue_dates_free(tt_venue_cfg_t *venue);
/* Dates on a calendar that takes none are an error at their line. */
void tt_config_venue_check_calendar(tt_cfgb_t *b, const tt_venue_cfg_t *venue,
                                    yaml_node_t *map, const char *path);

/* A symbol's paper mapping while binding (config_paper.c): the amounts
   stay decimal text until the symbol's scales are known. */
typedef struct {
    tt_symbol_paper_cfg_t cfg; /* the integer keys; line of the mapping */
    char *fee_text;            /* fee_per_order as written */
    char *max_qty_text;        /* max_qty_per_trade as written */
    int fee_line, max_qty_line;
} tt_config_paper_in_t;

extern const tt_cfgb_section_t tt_config_paper_section;
/* Scales IN's amounts to INST (when SCALES_OK: its decimals were bound)
   and checks them at their lines; the result goes to OUT. */
void tt_config_paper_finish(tt_cfgb_t *b, tt_config_paper_in_t *in,
                            const tt_instrument_t *inst, bool scales_ok,
                            const char *path, tt_symbol_paper_cfg_t *out);

#endif
