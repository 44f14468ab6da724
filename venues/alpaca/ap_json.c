/*  venues/alpaca/ap_json.c: the literal-keeping JSON cursor (ap_json.h).

    Grammar is RFC 8259: strings must be valid (no raw control bytes,
    known escapes, four hex digits after \u), numbers follow
    -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, and nesting stops at
    TT_APJ_MAX_DEPTH so hostile input cannot exhaust the stack. Nothing
    here allocates or converts numbers. */
#include "venues/alpaca/ap_json.h"

#include <string.h>

static int s_fail(tt_apj_t *self, const char *what)
{
    if (!self->err) {
        self->err = what;
        self->err_pos = self->pos;
    }
    return -1;
}

static void s_blanks(tt_apj_t *self)
{
    while (self->pos < self->len) {
        char c = self->buf[self->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        self->pos++;
    }
}

static bool s_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int s_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void tt_apj_init(tt_apj_t *self, const char *buf, size_t len)
{
    memset(self, 0, sizeof *self);
    self->buf = buf;
    self->len = buf ? len : 0;
}

int tt_apj_peek(tt_apj_t *self)
{
    s_blanks(self);
    return self->pos < self->len ? (unsigned char)self->buf[self->pos] : -1;
}

int tt_apj_expect(tt_apj_t *self, char c)
{
    if (tt_apj_peek(self) != (unsigned char)c)
        return s_fail(self, self->pos >= self->len ? "truncated"
                                                   : "unexpected character");
    self->pos++;
    return 0;
}

bool tt_apj_at_end(tt_apj_t *self)
{
    return tt_apj_peek(self) == -1;
}

/* At the opening quote: validates up to the closing quote. */
static int s_string(tt_apj_t *self, tt_apj_val_t *out)
{
    size_t i = self->pos + 1;
    out->type = TT_APJ_STRING;
    out->escaped = false;
    while (i < self->len) {
        unsigned char c = (unsigned char)self->buf[i];
        if (c == '"') {
            out->text.p = self->buf + self->pos + 1;
            out->text.n = i - self->pos - 1;
            self->pos = i + 1;
            return 0;
        }
        if (c < 0x20) {
            self->pos = i;
            return s_fail(self, "control character in string");
        }
        if (c == '\\') {
            out->escaped = true;
            if (++i >= self->len)
                break;
            if (self->buf[i] == 'u') {
                for (int k = 1; k <= 4; k++)
                    if (i + k >= self->len || s_hex(self->buf[i + k]) < 0) {
                        self->pos = i;
                        return s_fail(self, "bad \\u escape");
                    }
                i += 4;
            } else if (!strchr("\"\\/bfnrt", self->buf[i])) {
                self->pos = i;
                return s_fail(self, "bad escape in string");
            }
        }
        i++;
    }
    self->pos = self->len;
    return s_fail(self, "truncated string");
}

static size_t s_digits(const tt_apj_t *self, size_t i)
{
    while (i < self->len && s_digit(self->buf[i]))
        i++;
    return i;
}

static int s_number(tt_apj_t *self, tt_apj_val_t *out)
{
    size_t start = self->pos, i = start;
    if (i < self->len && self->buf[i] == '-')
        i++;
    if (i >= self->len || !s_digit(self->buf[i]))
        return s_fail(self, "bad number");
    if (self->buf[i] == '0' && i + 1 < self->len && s_digit(self->buf[i + 1]))
        return s_fail(self, "leading zero in number");
    i = s_digits(self, i);
    if (i < self->len && self->buf[i] == '.') {
        if (i + 1 >= self->len || !s_digit(self->buf[i + 1]))
            return s_fail(self, "bad number fraction");
        i = s_digits(self, i + 1);
    }
    if (i < self->len && (self->buf[i] == 'e' || self->buf[i] == 'E')) {
        i++;
        if (i < self->len && (self->buf[i] == '+' || self->buf[i] == '-'))
            i++;
        if (i >= self->len || !s_digit(self->buf[i]))
            return s_fail(self, "bad number exponent");
        i = s_digits(self, i);
    }
    out->type = TT_APJ_NUMBER;
    out->text.p = self->buf + start;
    out->text.n = i - start;
    self->pos = i;
    return 0;
}

static int s_word(tt_apj_t *self, const char *word, tt_apj_type_t type,
                  tt_apj_val_t *out)
{
    size_t n = strlen(word);
    if (self->len - self->pos < n || memcmp(self->buf + self->pos, word, n))
        return s_fail(self, "unexpected character");
    out->type = type;
    out->text.p = self->buf + self->pos;
    out->text.n = n;
    self->pos += n;
    return 0;
}

static int s_value(tt_apj_t *self, tt_apj_val_t *out, int depth);

/* At '{' or '[': walks the members, keeping only the overall span. */
static int s_container(tt_apj_t *self, tt_apj_val_t *out, int depth)
{
    size_t start = self->pos;
    bool object = self->buf[start] == '{', first = true;
    tt_apj_val_t member;
    tt_ap_span_t key;
    if (depth >= TT_APJ_MAX_DEPTH)
        return s_fail(self, "nesting too deep");
    self->pos++;
    for (;;) {
        int more = object ? tt_apj_obj_next(self, &first, &key)
                          : tt_apj_arr_next(self, &first);
        if (more < 0)
            return -1;
        if (more == 0)
            break;
        if (s_value(self, &member, depth + 1) < 0)
            return -1;
    }
    out->type = object ? TT_APJ_OBJECT : TT_APJ_ARRAY;
    out->escaped = false;
    out->text.p = self->buf + start;
    out->text.n = self->pos - start;
    return 0;
}

static int s_value(tt_apj_t *self, tt_apj_val_t *out, int depth)
{
    int c = tt_apj_peek(self);
    out->escaped = false;
    switch (c) {
    case -1:
        return s_fail(self, "truncated");
    case '"':
        return s_string(self, out);
    case '{':
    case '[':
        return s_container(self, out, depth);
    case 't':
        return s_word(self, "true", TT_APJ_TRUE, out);
    case 'f':
        return s_word(self, "false", TT_APJ_FALSE, out);
    case 'n':
        return s_word(self, "null", TT_APJ_NULL, out);
    default:
        return s_number(self, out);
    }
}

int tt_apj_value(tt_apj_t *self, tt_apj_val_t *out)
{
    return s_value(self, out, 0);
}

/* Shared by objects and arrays: ',' between members, CLOSE at the end. */
static int s_next(tt_apj_t *self, bool *first, char close)
{
    int c = tt_apj_peek(self);
    if (c == close) {
        self->pos++;
        return 0;
    }
    if (c == -1)
        return s_fail(self, "truncated");
    if (!*first) {
        if (c != ',')
            return s_fail(self, "expected ',' or closing bracket");
        self->pos++;
    }
    *first = false;
    return 1;
}

int tt_apj_obj_next(tt_apj_t *self, bool *first, tt_ap_span_t *key)
{
    int more = s_next(self, first, '}');
    if (more <= 0)
        return more;
    tt_apj_val_t k;
    if (tt_apj_peek(self) != '"')
        return s_fail(self,
                      self->pos >= self->len ? "truncated" : "expected a key");
    if (s_string(self, &k) < 0 || tt_apj_expect(self, ':') < 0)
        return -1;
    *key = k.text; /* keys we look for never need unescaping */
    return 1;
}

int tt_apj_arr_next(tt_apj_t *self, bool *first)
{
    return s_next(self, first, ']');
}

bool tt_apj_eq(tt_ap_span_t span, const char *lit)
{
    size_t n = strlen(lit);
    return span.n == n && memcmp(span.p, lit, n) == 0;
}

/* Appends code point CP as UTF-8. -1 when it does not fit. */
static int s_utf8(uint32_t cp, char *out, size_t size, size_t *o)
{
    char tmp[4];
    size_t n;
    if (cp < 0x80) {
        tmp[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        tmp[0] = (char)(0xC0 | (cp >> 6)), n = 2;
        tmp[1] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        tmp[0] = (char)(0xE0 | (cp >> 12)), n = 3;
        tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[2] = (char)(0x80 | (cp & 0x3F));
    } else {
        tmp[0] = (char)(0xF0 | (cp >> 18)), n = 4;
        tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[3] = (char)(0x80 | (cp & 0x3F));
    }
    if (*o + n >= size)
        return -1;
    memcpy(out + *o, tmp, n);
    *o += n;
    return 0;
}

static uint32_t s_hex4(const char *p)
{
    return (uint32_t)(s_hex(p[0]) << 12 | s_hex(p[1]) << 8 | s_hex(p[2]) << 4 |
                      s_hex(p[3]));
}

/* At RAW.p[*i] == 'u' (already validated): the code point, pairing
   surrogates. Returns 0, or -1 for a lone surrogate or a NUL. */
static int s_uescape(tt_ap_span_t raw, size_t *i, uint32_t *cp)
{
    uint32_t hi = s_hex4(raw.p + *i + 1);
    *i += 5;
    if (hi >= 0xDC00 && hi <= 0xDFFF)
        return -1;
    if (hi >= 0xD800 && hi <= 0xDBFF) {
        if (*i + 6 > raw.n || raw.p[*i] != '\\' || raw.p[*i + 1] != 'u')
            return -1;
        uint32_t lo = s_hex4(raw.p + *i + 2);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return -1;
        *i += 6;
        hi = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
    }
    *cp = hi;
    return hi == 0 ? -1 : 0;
}

int tt_apj_unescape(tt_ap_span_t raw, char *out, size_t size)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    size_t o = 0, i = 0;
    if (size == 0)
        return -1;
    while (i < raw.n) {
        uint32_t cp;
        if (raw.p[i] != '\\') {
            cp = (unsigned char)raw.p[i++];
            if (o + 1 >= size)
                return -1;
            out[o++] = (char)cp;
            continue;
        }
        i++;
        if (raw.p[i] == 'u') {
            if (s_uescape(raw, &i, &cp) < 0 || s_utf8(cp, out, size, &o) < 0)
                return -1;
            continue;
        }
        if (o + 1 >= size)
            return -1;
        out[o++] = to[strchr(from, raw.p[i++]) - from];
    }
    out[o] = '\0';
    return (int)o;
}

int tt_apj_string_copy(const tt_apj_val_t *v, char *out, size_t size)
{
    if (v->type != TT_APJ_STRING || size == 0)
        return -1;
    if (v->escaped)
        return tt_apj_unescape(v->text, out, size) < 0 ? -1 : 0;
    if (v->text.n >= size || memchr(v->text.p, '\0', v->text.n))
        return -1;
    memcpy(out, v->text.p, v->text.n);
    out[v->text.n] = '\0';
    return 0;
}

int tt_apj_uint(const tt_apj_val_t *v, uint64_t *out)
{
    uint64_t x = 0;
    if (v->type != TT_APJ_NUMBER || v->text.n == 0)
        return -1;
    for (size_t i = 0; i < v->text.n; i++) {
        char c = v->text.p[i];
        if (!s_digit(c) || x > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
            return -1;
        x = x * 10 + (uint64_t)(c - '0');
    }
    *out = x;
    return 0;
}

int tt_apj_int(const tt_apj_val_t *v, int64_t *out)
{
    tt_apj_val_t mag = *v;
    bool neg = v->text.n > 0 && v->text.p[0] == '-';
    uint64_t x;
    if (neg)
        mag.text.p++, mag.text.n--;
    if (tt_apj_uint(&mag, &x) < 0 || x > (uint64_t)INT64_MAX + (neg ? 1 : 0))
        return -1;
    *out = neg ? (int64_t)(0 - x) : (int64_t)x;
    return 0;
}
