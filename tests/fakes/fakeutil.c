/*  tests/fakes/fakeutil.c: buffers, decimals, times, query strings and
    HMAC for the fake venues (see fakeutil.h). Pure functions. */
#include "tests/fakes/fakeutil.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

void fkbuf_init(fkbuf_t *b)
{
    memset(b, 0, sizeof *b);
}

void fkbuf_free(fkbuf_t *b)
{
    free(b->s);
    fkbuf_init(b);
}

static void s_reserve(fkbuf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s)
        abort(); /* test code: out of memory is not a scenario */
    b->s = s;
    b->cap = cap;
}

void fkbuf_append(fkbuf_t *b, const char *data, size_t len)
{
    s_reserve(b, len);
    memcpy(b->s + b->len, data, len);
    b->len += len;
    b->s[b->len] = '\0';
}

void fkbuf_printf(fkbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    s_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *fkbuf_take(fkbuf_t *b, size_t *len)
{
    s_reserve(b, 0);
    char *s = b->s;
    if (len)
        *len = b->len;
    fkbuf_init(b);
    return s;
}

int fkdec_parse(const char *s, bool is_signed, int64_t *out)
{
    if (!s)
        return -1;
    bool neg = false;
    if (*s == '-' && is_signed) {
        neg = true;
        s++;
    }
    int64_t whole = 0, frac = 0;
    int whole_digits = 0, frac_digits = 0;
    for (; isdigit((unsigned char)*s); s++, whole_digits++) {
        if (whole > (INT64_MAX / FK_DEC_SCALE - 9) / 10)
            return -1;
        whole = whole * 10 + (*s - '0');
    }
    if (*s == '.') {
        for (s++; isdigit((unsigned char)*s); s++, frac_digits++) {
            if (frac_digits >= 8)
                return -1;
            frac = frac * 10 + (*s - '0');
        }
        if (frac_digits == 0)
            return -1;
    }
    if (*s != '\0' || whole_digits == 0)
        return -1;
    for (int i = frac_digits; i < 8; i++)
        frac *= 10;
    int64_t v = whole * FK_DEC_SCALE + frac;
    *out = neg ? -v : v;
    return 0;
}

char *fkdec_format(int64_t v, int min_frac, char *out, size_t outsize)
{
    bool neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char frac[9];
    snprintf(frac, sizeof frac, "%08llu",
             (unsigned long long)(u % (uint64_t)FK_DEC_SCALE));
    int keep = 8;
    while (keep > min_frac && frac[keep - 1] == '0')
        keep--;
    snprintf(out, outsize, "%s%llu%s%.*s", neg ? "-" : "",
             (unsigned long long)(u / (uint64_t)FK_DEC_SCALE), keep ? "." : "",
             keep, frac);
    return out;
}

__extension__ typedef __int128 s_i128;

int64_t fkdec_mul(int64_t a, int64_t b)
{
    s_i128 p = (s_i128)a * b;
    return (int64_t)(p / FK_DEC_SCALE);
}

int64_t fkdec_div(int64_t a, int64_t b)
{
    s_i128 p = (s_i128)a * FK_DEC_SCALE;
    return (int64_t)(p / b);
}

/* Howard Hinnant's civil-date algorithms (public-domain arithmetic). */
int64_t fktime_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void fktime_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

char *fktime_rfc3339_off(int64_t ns, int offset_min, char *out, size_t outsize)
{
    int64_t local = ns + (int64_t)offset_min * 60 * 1000000000LL;
    int64_t secs = local >= 0 ? local / 1000000000LL
                              : -((-local + 999999999LL) / 1000000000LL);
    int64_t sub = local - secs * 1000000000LL;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t sod = secs - days * 86400;
    int y, m, d;
    fktime_civil_from_days(days, &y, &m, &d);
    char frac[24] = "";
    if (sub) {
        snprintf(frac, sizeof frac, ".%09lld", (long long)sub);
        size_t n = strlen(frac);
        while (frac[n - 1] == '0')
            frac[--n] = '\0';
    }
    char zone[24] = "Z";
    if (offset_min)
        snprintf(zone, sizeof zone, "%c%02d:%02d", offset_min < 0 ? '-' : '+',
                 abs(offset_min) / 60, abs(offset_min) % 60);
    snprintf(out, outsize, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", y, m, d,
             (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), frac,
             zone);
    return out;
}

char *fktime_rfc3339(int64_t ns, char *out, size_t outsize)
{
    return fktime_rfc3339_off(ns, 0, out, outsize);
}

static int s_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int s_parse_zone(const char *p, int64_t *off_s)
{
    if (strcmp(p, "Z") == 0 || strcmp(p, "z") == 0) {
        *off_s = 0;
        return 0;
    }
    int hh, mm;
    char sign = *p++;
    if ((sign != '+' && sign != '-') || s_digits(&p, 2, &hh) != 0 ||
        *p++ != ':' || s_digits(&p, 2, &mm) != 0 || *p != '\0')
        return -1;
    *off_s = (sign == '-' ? -1 : 1) * (int64_t)(hh * 3600 + mm * 60);
    return 0;
}

int fktime_parse(const char *s, int64_t *ns)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (s_digits(&p, 4, &y) || *p++ != '-' || s_digits(&p, 2, &mo) ||
        *p++ != '-' || s_digits(&p, 2, &d) || mo < 1 || mo > 12 || d < 1 ||
        d > 31)
        return -1;
    int64_t frac = 0, off_s = 0;
    if (*p != '\0') {
        if ((*p != 'T' && *p != 't') || (p++, s_digits(&p, 2, &h)) ||
            *p++ != ':' || s_digits(&p, 2, &mi) || *p++ != ':' ||
            s_digits(&p, 2, &se) || h > 23 || mi > 59 || se > 60)
            return -1;
        if (*p == '.') {
            int n = 0;
            for (p++; isdigit((unsigned char)*p); p++, n++)
                if (n < 9)
                    frac = frac * 10 + (*p - '0');
            if (n == 0)
                return -1;
            for (; n < 9; n++)
                frac *= 10;
        }
        if (s_parse_zone(p, &off_s) != 0)
            return -1;
    }
    int64_t secs = fktime_days_from_civil(y, mo, d) * 86400 + h * 3600 +
                   mi * 60 + se - off_s;
    *ns = secs * 1000000000LL + frac;
    return 0;
}

static int s_hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes [S, S+LEN) into OUT; returns the length or -1. */
static int s_decode(const char *s, size_t len, char *out, size_t outsize)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 1 < len ? s_hex(s[i + 1]) : -1;
            int lo = i + 2 < len ? s_hex(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            c = hi * 16 + lo;
            i += 2;
        }
        if (n + 1 >= outsize)
            return -1;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return (int)n;
}

int fkq_get(const char *query, const char *name, char *out, size_t outsize)
{
    size_t nlen = strlen(name);
    const char *p = query;
    while (p && *p) {
        const char *end = strchr(p, '&');
        size_t plen = end ? (size_t)(end - p) : strlen(p);
        if (plen > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=')
            return s_decode(p + nlen + 1, plen - nlen - 1, out, outsize);
        if (plen == nlen && strncmp(p, name, nlen) == 0)
            return s_decode(p, 0, out, outsize);
        p = end ? end + 1 : NULL;
    }
    return -1;
}

void fkq_encode(fkbuf_t *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
            fkbuf_append(b, (const char *)&c, 1);
        else
            fkbuf_printf(b, "%%%02X", c);
    }
}

void fk_hmac_sha256_hex(const char *key, const void *data, size_t len,
                        char out[65])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;
    HMAC(EVP_sha256(), key, (int)strlen(key), data, len, mac, &mlen);
    for (unsigned i = 0; i < mlen && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
    out[64] = '\0';
}

void fkcount_add(fkcount_t *m, const char *key, uint64_t by)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->keys[i], key) == 0) {
            m->vals[i] += by;
            return;
        }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        char **k = realloc(m->keys, cap * sizeof *k);
        if (!k)
            abort();
        m->keys = k;
        uint64_t *v = realloc(m->vals, cap * sizeof *v);
        if (!v)
            abort();
        m->vals = v;
        m->cap = cap;
    }
    m->keys[m->n] = strdup(key);
    if (!m->keys[m->n])
        abort();
    m->vals[m->n++] = by;
}

uint64_t fkcount_get(const fkcount_t *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->keys[i], key) == 0)
            return m->vals[i];
    return 0;
}

uint64_t fkcount_max(const fkcount_t *m)
{
    uint64_t best = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->vals[i] > best)
            best = m->vals[i];
    return best;
}

void fkcount_free(fkcount_t *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
