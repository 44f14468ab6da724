/*  venues/common/jscan.c: the validating JSON walk (see jscan.h). Values
    that are skipped are still checked byte by byte, recursively, so a walk
    that returns 0 at its end has seen a well-formed document. */
#include "venues/common/jscan.h"

#include <assert.h>
#include <string.h>

static bool s_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *s_skip_ws(const char *p, const char *end)
{
    while (p < end && s_ws(*p))
        p++;
    return p;
}

static int s_fail(tt_jiter_t *it, const char *at, const char *why)
{
    it->err = why;
    it->err_off = (size_t)(at - it->base);
    return -1;
}

static bool s_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

/* P is just after the opening quote; returns the closing quote or NULL. */
static const char *s_string(tt_jiter_t *it, const char *p, bool *escaped)
{
    *escaped = false;
    while (p < it->end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p;
        if (c < 0x20) {
            s_fail(it, p, "control character inside a string");
            return NULL;
        }
        if (c == '\\') {
            *escaped = true;
            if (p + 1 >= it->end)
                break;
            char e = p[1];
            if (e == 'u') {
                if (p + 6 > it->end)
                    break;
                for (int i = 2; i < 6; i++)
                    if (!s_hex(p[i])) {
                        s_fail(it, p, "bad \\u escape in a string");
                        return NULL;
                    }
                p += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == '\0') {
                s_fail(it, p, "bad escape in a string");
                return NULL;
            }
            p += 2;
            continue;
        }
        p++;
    }
    s_fail(it, it->end, "truncated: unterminated string");
    return NULL;
}

static const char *s_digits(const char *p, const char *end)
{
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    return p;
}

/* RFC 8259 number grammar; returns one past the number or NULL. */
static const char *s_number(tt_jiter_t *it, const char *p)
{
    const char *start = p;
    if (p < it->end && *p == '-')
        p++;
    const char *d = s_digits(p, it->end);
    if (d == p || (*p == '0' && d - p > 1)) {
        s_fail(it, start, "bad number");
        return NULL;
    }
    p = d;
    if (p < it->end && *p == '.') {
        d = s_digits(p + 1, it->end);
        if (d == p + 1) {
            s_fail(it, start, "bad number: no digits after '.'");
            return NULL;
        }
        p = d;
    }
    if (p < it->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < it->end && (*p == '+' || *p == '-'))
            p++;
        d = s_digits(p, it->end);
        if (d == p) {
            s_fail(it, start, "bad number: no exponent digits");
            return NULL;
        }
        p = d;
    }
    return p;
}

static const char *s_value(tt_jiter_t *it, const char *p, tt_jval_t *out,
                           int depth);

/* Skips a nested object or array whose bracket is at P. */
static const char *s_container(tt_jiter_t *it, const char *p, int depth)
{
    if (depth >= TT_JSCAN_DEPTH_MAX) {
        s_fail(it, p, "nested too deeply");
        return NULL;
    }
    bool obj = *p == '{';
    char close = obj ? '}' : ']';
    p = s_skip_ws(p + 1, it->end);
    if (p < it->end && *p == close)
        return p + 1;
    for (;;) {
        tt_jval_t v;
        if (obj) {
            if (p >= it->end || *p != '"')
                return s_fail(it, p, "expected a member name"), NULL;
            p = s_value(it, p, &v, depth + 1);
            if (!p)
                return NULL;
            p = s_skip_ws(p, it->end);
            if (p >= it->end || *p != ':')
                return s_fail(it, p, "expected ':'"), NULL;
            p = s_skip_ws(p + 1, it->end);
        }
        p = s_value(it, p, &v, depth + 1);
        if (!p)
            return NULL;
        p = s_skip_ws(p, it->end);
        if (p < it->end && *p == close)
            return p + 1;
        if (p >= it->end || *p != ',')
            return s_fail(it, p, "expected ',' or a closing bracket"), NULL;
        p = s_skip_ws(p + 1, it->end);
    }
}

static const char *s_literal(tt_jiter_t *it, const char *p, const char *word,
                             tt_jval_t *out, tt_jtype_t type)
{
    size_t n = strlen(word);
    if ((size_t)(it->end - p) < n || memcmp(p, word, n) != 0)
        return s_fail(it, p, "unexpected token"), NULL;
    out->type = type;
    out->len = n;
    return p + n;
}

/* Reads one value at P (no leading whitespace) into *OUT. */
static const char *s_value(tt_jiter_t *it, const char *p, tt_jval_t *out,
                           int depth)
{
    out->p = p;
    out->escaped = false;
    if (p >= it->end)
        return s_fail(it, p, "truncated: value expected"), NULL;
    const char *q;
    switch (*p) {
    case '"':
        q = s_string(it, p + 1, &out->escaped);
        if (!q)
            return NULL;
        out->type = TT_JS_STRING;
        out->p = p + 1;
        out->len = (size_t)(q - p - 1);
        return q + 1;
    case '{':
    case '[':
        q = s_container(it, p, depth);
        if (!q)
            return NULL;
        out->type = *p == '{' ? TT_JS_OBJECT : TT_JS_ARRAY;
        out->len = (size_t)(q - p);
        return q;
    case 't':
        return s_literal(it, p, "true", out, TT_JS_TRUE);
    case 'f':
        return s_literal(it, p, "false", out, TT_JS_FALSE);
    case 'n':
        return s_literal(it, p, "null", out, TT_JS_NULL);
    default:
        q = s_number(it, p);
        if (!q)
            return NULL;
        out->type = TT_JS_NUMBER;
        out->len = (size_t)(q - p);
        return q;
    }
}

static int s_begin(tt_jiter_t *it, const char *base, const char *p,
                   const char *end, char kind)
{
    it->base = base;
    it->end = end;
    it->err = NULL;
    it->err_off = 0;
    it->first = true;
    it->done = false;
    it->depth = 0;
    it->in_place = false;
    it->close = kind == '{' ? '}' : ']';
    p = s_skip_ws(p, end);
    if (p >= end)
        return s_fail(it, p, "empty frame");
    if (*p != kind)
        return s_fail(it, p,
                      kind == '{' ? "expected an object" : "expected an array");
    it->p = p + 1;
    return 0;
}

int tt_jiter_root(tt_jiter_t *it, const char *text, size_t len, char kind)
{
    return s_begin(it, text, text, text + len, kind);
}

int tt_jiter_nested(tt_jiter_t *it, const char *base, const tt_jval_t *val)
{
    char kind = val->type == TT_JS_OBJECT ? '{' : '[';
    return s_begin(it, base, val->p, val->p + val->len, kind);
}

/* Consumes the separator before the next item; 0 at the end, 1 for more. */
static int s_next(tt_jiter_t *it)
{
    if (it->err)
        return -1;
    if (it->done)
        return 0;
    const char *p = s_skip_ws(it->p, it->end);
    if (p < it->end && *p == it->close) {
        it->done = true;
        if (it->in_place) {
            /* The parent walk reads what follows the bracket. */
            it->p = p + 1;
            return 0;
        }
        p = s_skip_ws(p + 1, it->end);
        it->p = p;
        return p == it->end ? 0 : s_fail(it, p, "bytes after the end");
    }
    if (!it->first) {
        if (p >= it->end)
            return s_fail(it, p, "truncated: ',' or closing bracket expected");
        if (*p != ',')
            return s_fail(it, p, "expected ',' or a closing bracket");
        p = s_skip_ws(p + 1, it->end);
    }
    it->first = false;
    it->p = p;
    return 1;
}

int tt_jiter_member(tt_jiter_t *it, tt_jval_t *key, tt_jval_t *val)
{
    int rc = s_next(it);
    if (rc <= 0)
        return rc;
    const char *p = it->p;
    if (p >= it->end)
        return s_fail(it, p, "truncated: member name expected");
    if (*p != '"')
        return s_fail(it, p, "expected a member name");
    p = s_value(it, p, key, 1);
    if (!p)
        return -1;
    p = s_skip_ws(p, it->end);
    if (p >= it->end || *p != ':')
        return s_fail(
            it, p, p >= it->end ? "truncated: ':' expected" : "expected ':'");
    p = s_value(it, s_skip_ws(p + 1, it->end), val, it->depth + 1);
    if (!p)
        return -1;
    it->p = p;
    return 1;
}

int tt_jiter_element(tt_jiter_t *it, tt_jval_t *val)
{
    int rc = s_next(it);
    if (rc <= 0)
        return rc;
    const char *p = s_value(it, it->p, val, it->depth + 1);
    if (!p)
        return -1;
    it->p = p;
    return 1;
}

int tt_jiter_enter(tt_jiter_t *it, char kind, tt_jval_t *val, tt_jiter_t *child)
{
    assert(kind == '{' || kind == '[');
    int rc = s_next(it);
    if (rc <= 0)
        return rc;
    const char *p = it->p;
    if (p >= it->end || *p != kind) {
        p = s_value(it, p, val, it->depth + 1);
        if (!p)
            return -1;
        it->p = p;
        return 1;
    }
    /* The same limit s_container applies to a skipped element. */
    if (it->depth + 1 >= TT_JSCAN_DEPTH_MAX)
        return s_fail(it, p, "nested too deeply");
    s_begin(child, it->base, p, it->end, kind);
    child->depth = it->depth + 1;
    child->in_place = true;
    val->type = kind == '{' ? TT_JS_OBJECT : TT_JS_ARRAY;
    val->p = p;
    val->len = 0;
    val->escaped = false;
    return 1;
}

int tt_jiter_leave(tt_jiter_t *it, const tt_jiter_t *child)
{
    if (child->err) {
        it->err = child->err;
        it->err_off = child->err_off;
        return -1;
    }
    if (!child->done)
        return s_fail(it, child->p, "element not read to its end");
    it->p = child->p;
    return 0;
}

int tt_jiter_fields(tt_jiter_t *it, const char *const *keys, size_t nkeys,
                    tt_jval_t *out)
{
    for (size_t i = 0; i < nkeys; i++)
        out[i].type = TT_JS_NONE;
    tt_jval_t k, v;
    int rc;
    while ((rc = tt_jiter_member(it, &k, &v)) == 1) {
        if (k.escaped)
            continue;
        /* First byte before length and bytes: most keys differ there. */
        for (size_t i = 0; i < nkeys; i++)
            if (k.len > 0 && keys[i][0] == k.p[0] && tt_jval_is(&k, keys[i])) {
                out[i] = v;
                break;
            }
    }
    return rc;
}

bool tt_jval_is(const tt_jval_t *val, const char *s)
{
    if (val->type != TT_JS_STRING)
        return false;
    size_t n = strlen(s);
    return val->len == n && memcmp(val->p, s, n) == 0;
}

/* The digits P..END (at least one, nothing else) as a value of at most
   LIMIT into *OUT. Returns 0, or -1 for anything else or overflow. */
static int s_decimal(const char *p, const char *end, uint64_t limit,
                     uint64_t *out)
{
    if (p == end)
        return -1;
    uint64_t v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        unsigned d = (unsigned)(*p - '0');
        if (v > (limit - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int tt_jval_int64(const tt_jval_t *val, int64_t *out)
{
    if (val->type != TT_JS_NUMBER || val->len == 0)
        return -1;
    const char *p = val->p, *end = p + val->len;
    bool neg = *p == '-';
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v;
    if (s_decimal(p + neg, end, limit, &v) < 0)
        return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int tt_jval_uint64(const tt_jval_t *val, uint64_t *out)
{
    if (val->type != TT_JS_NUMBER)
        return -1;
    return s_decimal(val->p, val->p + val->len, UINT64_MAX, out);
}

static int s_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    return (c | 0x20) - 'a' + 10;
}

static char s_unescape(const char **pp)
{
    const char *p = *pp;
    char e = p[1];
    *pp = p + 2;
    switch (e) {
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'u': {
        int cp = 0;
        for (int i = 2; i < 6; i++)
            cp = cp * 16 + s_hexval(p[i]);
        *pp = p + 6;
        return cp >= 0x20 && cp < 0x7f ? (char)cp : '?';
    }
    default:
        return e;
    }
}

int tt_jval_copy(const tt_jval_t *val, char *buf, size_t size)
{
    if (val->type != TT_JS_STRING || size == 0)
        return -1;
    const char *p = val->p, *end = p + val->len;
    size_t n = 0;
    while (p < end) {
        char c = *p == '\\' ? s_unescape(&p) : *p++;
        if (n + 1 >= size) {
            buf[n] = '\0';
            return -1;
        }
        buf[n++] = c;
    }
    buf[n] = '\0';
    return (int)n;
}

static uint32_t s_hex4(const char *p)
{
    uint32_t cp = 0;
    for (int i = 0; i < 4; i++)
        cp = cp * 16 + (uint32_t)s_hexval(p[i]);
    return cp;
}

/* The code point of the \u escape at *PP (validated by the walk), joining
   a surrogate pair; *PP moves past it. 0 for a lone surrogate. */
static uint32_t s_codepoint(const char **pp, const char *end)
{
    const char *p = *pp;
    uint32_t cp = s_hex4(p + 2);
    *pp = p + 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return 0;
    if (cp < 0xD800 || cp > 0xDBFF)
        return cp;
    p += 6;
    if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
        return 0;
    uint32_t lo = s_hex4(p + 2);
    if (lo < 0xDC00 || lo > 0xDFFF)
        return 0;
    *pp = p + 6;
    return 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
}

/* CP as UTF-8 into OUT (room for 4); returns the byte count. */
static size_t s_utf8(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (size_t i = n - 1; i > 0; i--, cp >>= 6)
        out[i] = (char)(0x80 | (cp & 0x3F));
    out[0] = (char)(lead[n] | cp);
    return n;
}

int tt_jval_utf8(const tt_jval_t *val, char *buf, size_t size)
{
    if (val->type != TT_JS_STRING || size == 0)
        return -1;
    if (!val->escaped) {
        /* The common case (a symbol, an exchange code): one copy. */
        if (val->len >= size)
            return -1;
        memcpy(buf, val->p, val->len);
        buf[val->len] = '\0';
        return (int)val->len;
    }
    const char *p = val->p, *end = p + val->len;
    size_t n = 0;
    while (p < end) {
        char one[4];
        size_t k = 1;
        if (*p != '\\') {
            one[0] = *p++;
        } else if (p[1] != 'u') {
            one[0] = s_unescape(&p);
        } else {
            uint32_t cp = s_codepoint(&p, end);
            if (cp == 0)
                return -1;
            k = s_utf8(cp, one);
        }
        if (n + k >= size)
            return -1;
        memcpy(buf + n, one, k);
        n += k;
    }
    buf[n] = '\0';
    return (int)n;
}
