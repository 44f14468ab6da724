/*  config/config_yaml.c: the reading half of the config binder. Loads the
    YAML file with libyaml's document API (so every node knows its line),
    substitutes ${NAME} scalars from the environment once, formats every
    message as "FILE:LINE: text", and offers small node helpers (kinds,
    lookups, integers, endpoints) to config_bind.c and config.c.

    Runs on the main thread at start-up. See config_bind.h. */
#include "config/config_bind.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define S_MSG_MAX 1024
#define S_ENV_NAME_MAX 128
#define S_SHOW_MAX 60

void tt_cfgb_init(tt_cfgb_t *b, const char *path, tt_config_error_fn *fn,
                  void *arg)
{
    memset(b, 0, sizeof(*b));
    b->path = path;
    b->error_fn = fn;
    b->arg = arg;
}

void tt_cfgb_fini(tt_cfgb_t *b)
{
    for (size_t i = 0; i < b->scalar_count; i++) {
        /* Substituted values are often secrets: do not leave them around. */
        if (b->scalars[i].value)
            explicit_bzero(b->scalars[i].value, strlen(b->scalars[i].value));
        free(b->scalars[i].value);
    }
    free(b->scalars);
    free(b->seen);
    tt_cfgb_flush(b);
    free(b->messages);
    b->messages = NULL;
    if (b->loaded)
        yaml_document_delete(&b->doc);
    b->scalars = NULL;
    b->seen = NULL;
    b->loaded = false;
}

/* Messages are held back and delivered in line order by tt_cfgb_flush(),
   so the user reads them top to bottom whatever order the checks ran in.
   LINE 0 means the message is about the file as a whole. */
static void s_emit(tt_cfgb_t *b, int line, const char *text)
{
    if (b->message_count == b->message_cap) {
        b->message_cap = b->message_cap ? b->message_cap * 2 : 16;
        b->messages =
            realloc(b->messages, b->message_cap * sizeof(*b->messages));
        assert(b->messages);
    }
    tt_cfgb_message_t *m = &b->messages[b->message_count++];
    m->line = line;
    m->seq = b->errors++;
    m->text = strdup(text);
    assert(m->text);
}

static int s_cmp_message(const void *pa, const void *pb)
{
    const tt_cfgb_message_t *a = pa, *b = pb;
    if (a->line != b->line)
        return (a->line > b->line) - (a->line < b->line);
    return (a->seq > b->seq) - (a->seq < b->seq);
}

void tt_cfgb_flush(tt_cfgb_t *b)
{
    if (b->message_count == 0)
        return;
    qsort(b->messages, b->message_count, sizeof(*b->messages), s_cmp_message);
    for (size_t i = 0; i < b->message_count; i++) {
        tt_cfgb_message_t *m = &b->messages[i];
        char msg[S_MSG_MAX + 256];
        if (m->line > 0)
            snprintf(msg, sizeof(msg), "%s:%d: %s", b->path, m->line, m->text);
        else
            snprintf(msg, sizeof(msg), "%s: %s", b->path, m->text);
        if (b->error_fn)
            b->error_fn(b->arg, msg);
        else
            fprintf(stderr, "%s\n", msg);
        free(m->text);
    }
    b->message_count = 0;
}

void tt_cfgb_error(tt_cfgb_t *b, int line, const char *fmt, ...)
{
    if (b->quiet > 0)
        return;
    char text[S_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    s_emit(b, line, text);
}

/* libyaml's own words, at the line it points to. */
static void s_syntax_error(tt_cfgb_t *b, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "unknown problem";
    int line = (int)p->problem_mark.line + 1;
    if (p->error == YAML_MEMORY_ERROR) {
        tt_cfgb_error(b, 0, "out of memory while reading");
    } else if (p->error == YAML_READER_ERROR) {
        tt_cfgb_error(b, 0, "cannot read: %s", problem);
    } else if (p->context) {
        tt_cfgb_error(b, line, "YAML syntax error: %s %s (line %d)", problem,
                      p->context, (int)p->context_mark.line + 1);
    } else {
        tt_cfgb_error(b, line, "YAML syntax error: %s", problem);
    }
}

/* A file holds one document; a second one is a mistake worth saying. */
static void s_check_single(tt_cfgb_t *b, yaml_parser_t *p)
{
    yaml_document_t extra;
    if (!yaml_parser_load(p, &extra)) {
        s_syntax_error(b, p);
        return;
    }
    yaml_node_t *root = yaml_document_get_root_node(&extra);
    if (root)
        tt_cfgb_error(b, tt_cfgb_line(root),
                      "a second YAML document is not allowed here");
    yaml_document_delete(&extra);
}

static bool s_env_name(const char *text, size_t len, char *name)
{
    if (len < 4 || text[0] != '$' || text[1] != '{' || text[len - 1] != '}')
        return false;
    size_t n = len - 3;
    if (n > S_ENV_NAME_MAX || isdigit((unsigned char)text[2]))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = text[2 + i];
        if (!isalnum((unsigned char)c) && c != '_')
            return false;
        name[i] = c;
    }
    name[n] = '\0';
    return true;
}

/* Resolves every ${NAME} scalar once, so that a value seen twice (through
   symbol_defaults or an alias) is reported once. */
static void s_resolve_env(tt_cfgb_t *b)
{
    size_t n = (size_t)(b->doc.nodes.top - b->doc.nodes.start);
    b->scalars = calloc(n ? n : 1, sizeof(*b->scalars));
    assert(b->scalars);
    b->scalar_count = n;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *node = b->doc.nodes.start + i;
        if (node->type != YAML_SCALAR_NODE)
            continue;
        const char *text = (const char *)node->data.scalar.value;
        size_t len = node->data.scalar.length;
        char name[S_ENV_NAME_MAX + 1];
        if (strlen(text) != len) {
            tt_cfgb_error(b, tt_cfgb_line(node), "NUL character in a value");
            b->scalars[i].failed = true;
        } else if (s_env_name(text, len, name)) {
            const char *env = getenv(name);
            if (!env) {
                tt_cfgb_error(b, tt_cfgb_line(node),
                              "environment variable %s is not set", name);
                b->scalars[i].failed = true;
                continue;
            }
            b->scalars[i].value = strdup(env);
            assert(b->scalars[i].value);
            b->scalars[i].from_env = true;
        }
    }
}

static yaml_node_t *s_parse(tt_cfgb_t *b, FILE *file)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        tt_cfgb_error(b, 0, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_file(&parser, file);
    yaml_node_t *root = NULL;
    if (!yaml_parser_load(&parser, &b->doc)) {
        s_syntax_error(b, &parser);
    } else {
        b->loaded = true;
        root = yaml_document_get_root_node(&b->doc);
        if (!root)
            tt_cfgb_error(b, 1,
                          "the file is empty (expected a mapping "
                          "with service, venues and symbols)");
        else
            s_check_single(b, &parser);
    }
    yaml_parser_delete(&parser);
    return root;
}

yaml_node_t *tt_cfgb_load_file(tt_cfgb_t *b)
{
    FILE *file = fopen(b->path, "rb");
    if (!file) {
        tt_cfgb_error(b, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(file), &st) == 0 && S_ISDIR(st.st_mode)) {
        tt_cfgb_error(b, 0, "cannot open: %s", strerror(EISDIR));
        fclose(file);
        return NULL;
    }
    yaml_node_t *root = s_parse(b, file);
    fclose(file);
    if (root)
        s_resolve_env(b); /* unset variables are reported; carry on */
    return root;
}

int tt_cfgb_line(const yaml_node_t *node)
{
    return node ? (int)node->start_mark.line + 1 : 0;
}

const char *tt_cfgb_kind_name(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_SCALAR_NODE:
        return node->data.scalar.length ? "a scalar" : "an empty value";
    default:
        return "nothing";
    }
}

static tt_cfgb_scalar_t *s_info(tt_cfgb_t *b, yaml_node_t *node)
{
    size_t i = (size_t)(node - b->doc.nodes.start);
    assert(i < b->scalar_count);
    return &b->scalars[i];
}

const char *tt_cfgb_text(tt_cfgb_t *b, yaml_node_t *node)
{
    if (!node || node->type != YAML_SCALAR_NODE)
        return NULL;
    tt_cfgb_scalar_t *info = s_info(b, node);
    if (info->failed)
        return NULL;
    return info->value ? info->value : (const char *)node->data.scalar.value;
}

void tt_cfgb_show(tt_cfgb_t *b, yaml_node_t *node, unsigned flags, char *buf,
                  size_t size)
{
    const char *raw = (const char *)node->data.scalar.value;
    if (flags & TT_CFGB_SECRET)
        snprintf(buf, size, "a value that is not shown (secret)");
    else if (s_info(b, node)->from_env)
        snprintf(buf, size, "the value of %s", raw);
    else if (strlen(raw) > S_SHOW_MAX)
        snprintf(buf, size, "'%.*s...'", S_SHOW_MAX, raw);
    else
        snprintf(buf, size, "'%s'", raw);
}

bool tt_cfgb_expect(tt_cfgb_t *b, yaml_node_t *node, yaml_node_type_t kind,
                    const char *path)
{
    if (node->type == kind)
        return true;
    if (node->type == YAML_SCALAR_NODE && s_info(b, node)->failed)
        return false; /* the unset variable was reported already */
    const char *want = kind == YAML_MAPPING_NODE    ? "a mapping"
                       : kind == YAML_SEQUENCE_NODE ? "a list"
                                                    : "a scalar";
    tt_cfgb_error(b, tt_cfgb_line(node), "%s: expected %s, got %s",
                  *path ? path : "top level", want, tt_cfgb_kind_name(node));
    return false;
}

yaml_node_t *tt_cfgb_lookup(tt_cfgb_t *b, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    yaml_node_pair_t *pair = map->data.mapping.pairs.start;
    for (; pair < map->data.mapping.pairs.top; pair++) {
        const char *text =
            tt_cfgb_text(b, yaml_document_get_node(&b->doc, pair->key));
        if (text && strcmp(text, key) == 0)
            return yaml_document_get_node(&b->doc, pair->value);
    }
    return NULL;
}

size_t tt_cfgb_length(const yaml_node_t *seq)
{
    if (seq->type != YAML_SEQUENCE_NODE)
        return 0;
    return (size_t)(seq->data.sequence.items.top -
                    seq->data.sequence.items.start);
}

yaml_node_t *tt_cfgb_item(tt_cfgb_t *b, yaml_node_t *seq, size_t index)
{
    assert(index < tt_cfgb_length(seq));
    return yaml_document_get_node(&b->doc,
                                  seq->data.sequence.items.start[index]);
}

int tt_cfgb_parse_int(const char *text, int64_t *out)
{
    const char *p = text;
    bool neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    if (!isdigit((unsigned char)*p))
        return -1;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    bool overflow = false;
    for (; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return -1;
        unsigned d = (unsigned)(*p - '0');
        if (v > (limit - d) / 10)
            overflow = true;
        else
            v = v * 10 + d;
    }
    if (overflow)
        return -2;
    if (neg)
        *out = v == limit ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return 0;
}

bool tt_cfgb_int(tt_cfgb_t *b, yaml_node_t *node, int64_t min, int64_t max,
                 const char *path, int64_t *out)
{
    if (!tt_cfgb_expect(b, node, YAML_SCALAR_NODE, path))
        return false;
    const char *text = tt_cfgb_text(b, node);
    if (!text)
        return false;
    char shown[S_SHOW_MAX + 40];
    tt_cfgb_show(b, node, 0, shown, sizeof(shown));
    int64_t v = 0;
    int rc = tt_cfgb_parse_int(text, &v);
    if (rc == -1) {
        tt_cfgb_error(b, tt_cfgb_line(node), "%s: expected an integer, got %s",
                      path, shown);
        return false;
    }
    if (rc == -2 || v < min || v > max) {
        /* Quotes read oddly around a number; keep them for env values. */
        const char *bare = s_info(b, node)->from_env ? shown : text;
        tt_cfgb_error(b, tt_cfgb_line(node),
                      "%s: %s is out of range %lld..%lld", path, bare,
                      (long long)min, (long long)max);
        return false;
    }
    *out = v;
    return true;
}

static bool s_port_ok(const char *p)
{
    int64_t port = 0;
    if (!*p || strlen(p) > 5 || *p == '+' || *p == '-')
        return false;
    return tt_cfgb_parse_int(p, &port) == 0 && port >= 1 && port <= 65535;
}

/* Splits tcp://HOST:PORT; HOST is a name, a dotted address, '*' or an
   IPv6 address in brackets. Writes HOST (with brackets) into HOST_OUT. */
static bool s_tcp_host(const char *text, char *host_out, size_t size)
{
    const char *host = text + 6;
    const char *colon;
    if (*host == '[') {
        const char *close = strchr(host, ']');
        if (!close || close == host + 1)
            return false;
        for (const char *p = host + 1; p < close; p++)
            if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
                return false;
        colon = close + 1;
        if (*colon != ':')
            return false;
    } else {
        colon = strrchr(host, ':');
        if (!colon || colon == host)
            return false;
        for (const char *p = host; p < colon; p++)
            if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' &&
                !(*p == '*' && colon == host + 1))
                return false;
    }
    size_t len = (size_t)(colon - host);
    if (len >= size || !s_port_ok(colon + 1))
        return false;
    memcpy(host_out, host, len);
    host_out[len] = '\0';
    return true;
}

bool tt_cfgb_endpoint_ok(const char *text)
{
    if (strncmp(text, "ipc://", 6) == 0) {
        for (const char *p = text + 6; *p; p++)
            if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
                return false;
        return text[6] != '\0';
    }
    char host[256];
    return strncmp(text, "tcp://", 6) == 0 &&
           s_tcp_host(text, host, sizeof(host));
}

bool tt_cfgb_endpoint_remote(const char *text)
{
    char host[256];
    if (strncmp(text, "tcp://", 6) != 0 ||
        !s_tcp_host(text, host, sizeof(host)))
        return false;
    if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
        return false;
    if (strncmp(host, "127.", 4) != 0)
        return true;
    for (const char *p = host + 4; *p; p++)
        if (!isdigit((unsigned char)*p) && *p != '.')
            return true;
    return false;
}
