/*  marketdata/decimal.c: exact decimal text <-> scaled int64 conversion.

    Pure logic used at the edges (config loader, venue JSON decoders, human
    output), on whatever thread decodes. No floating point, no allocation,
    no undefined behaviour on any input: every multiply and add is checked
    against the int64 range before it happens.

    Accepted syntax: [+-]digits[.digits][(e|E)[+-]digits], where either the
    integer or the fractional part may be empty but not both (".5" and "5."
    are accepted; JSON never produces them, but people writing config do).
    No whitespace, no hex, no "inf"/"nan", no digit separators.

    Status precedence, when several apply: RANGE, then EMPTY (nothing but
    an optional sign and '.': "", "+", "."), then SYNTAX (anything else
    malformed, including "abc" and "e5"), then PRECISION, then OVERFLOW. */
#include "marketdata/decimal.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

/* Exponents beyond this are clamped: a non-zero mantissa overflows or
   loses precision long before, and a zero mantissa stays zero. The clamp
   keeps all position arithmetic far inside int64. */
#define S_EXP_CLAMP INT64_C(1000000000)

typedef struct {
    bool negative;
    const char *digits; /* first mantissa character (may contain the '.') */
    size_t span;        /* characters of the mantissa, '.' included */
    int64_t nint;       /* digits before the '.' */
    int64_t nfrac;      /* digits after the '.' */
    int64_t exp;        /* decimal exponent, clamped */
} s_parts_t;

static bool s_isdigit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads the optional exponent at TEXT[*pos..len). Returns a status. */
static int s_scan_exponent(const char *text, size_t len, size_t *pos,
                           int64_t *exp)
{
    size_t i = *pos;
    bool neg = false;
    int64_t value = 0;
    if (i < len && (text[i] == '+' || text[i] == '-'))
        neg = text[i++] == '-';
    if (i >= len || !s_isdigit(text[i]))
        return TT_DEC_SYNTAX;
    for (; i < len && s_isdigit(text[i]); i++) {
        value = value * 10 + (text[i] - '0');
        if (value > S_EXP_CLAMP)
            value = S_EXP_CLAMP;
    }
    *exp = neg ? -value : value;
    *pos = i;
    return TT_DEC_OK;
}

/* Splits TEXT into sign, mantissa and exponent, validating the syntax. */
static int s_scan(const char *text, size_t len, s_parts_t *p)
{
    size_t i = 0;
    memset(p, 0, sizeof *p);
    if (i < len && (text[i] == '+' || text[i] == '-'))
        p->negative = text[i++] == '-';
    p->digits = text + i;
    size_t start = i;
    for (; i < len && s_isdigit(text[i]); i++)
        p->nint++;
    if (i < len && text[i] == '.')
        for (i++; i < len && s_isdigit(text[i]); i++)
            p->nfrac++;
    p->span = i - start;
    if (p->nint + p->nfrac == 0)
        return i == len ? TT_DEC_EMPTY : TT_DEC_SYNTAX;
    if (i < len && (text[i] == 'e' || text[i] == 'E')) {
        i++;
        int rc = s_scan_exponent(text, len, &i, &p->exp);
        if (rc != TT_DEC_OK)
            return rc;
    }
    return i == len ? TT_DEC_OK : TT_DEC_SYNTAX;
}

/* acc = acc * 10 + digit, within LIMIT (the largest magnitude allowed). */
static bool s_push_digit(uint64_t *acc, unsigned digit, uint64_t limit)
{
    if (*acc > (limit - digit) / 10)
        return false;
    *acc = *acc * 10 + digit;
    return true;
}

/* Digit I of the mantissa (0-based, the '.' skipped) carries the scaled
   weight 10^(top - I) with top = nint - 1 + exp + decimals. Digits with a
   negative weight must be zero; the rest build the magnitude. */
static int s_magnitude(const s_parts_t *p, int decimals, uint64_t *out)
{
    const uint64_t limit =
        p->negative ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    const int64_t top = p->nint - 1 + p->exp + decimals;
    uint64_t acc = 0;
    int64_t index = 0;
    bool overflow = false;
    for (size_t k = 0; k < p->span; k++) {
        char c = p->digits[k];
        if (c == '.')
            continue;
        unsigned d = (unsigned)(c - '0');
        if (index > top) {
            if (d != 0)
                return TT_DEC_PRECISION;
        } else if (!overflow && !s_push_digit(&acc, d, limit)) {
            overflow = true; /* keep scanning: precision reports first */
        }
        index++;
    }
    if (overflow)
        return TT_DEC_OVERFLOW;
    /* Trailing zero weight: the last digit sits at 10^(top - index + 1). */
    for (int64_t shift = top - index + 1; shift > 0 && acc != 0; shift--)
        if (!s_push_digit(&acc, 0, limit))
            return TT_DEC_OVERFLOW;
    *out = acc;
    return TT_DEC_OK;
}

int tt_decimal_parse_general(const char *text, size_t len, int decimals,
                             int64_t *out)
{
    assert(out);
    assert(text || len == 0);
    if (decimals < 0 || decimals > 18)
        return TT_DEC_RANGE;
    s_parts_t parts;
    int rc = s_scan(text, len, &parts);
    if (rc != TT_DEC_OK)
        return rc;
    uint64_t mag = 0;
    rc = s_magnitude(&parts, decimals, &mag);
    if (rc != TT_DEC_OK)
        return rc;
    if (!parts.negative)
        *out = (int64_t)mag;
    else if (mag == (uint64_t)INT64_MAX + 1u)
        *out = INT64_MIN;
    else
        *out = -(int64_t)mag;
    return TT_DEC_OK;
}

const uint64_t tt_decimal_pow10[19] = {1ull,
                                       10ull,
                                       100ull,
                                       1000ull,
                                       10000ull,
                                       100000ull,
                                       1000000ull,
                                       10000000ull,
                                       100000000ull,
                                       1000000000ull,
                                       10000000000ull,
                                       100000000000ull,
                                       1000000000000ull,
                                       10000000000000ull,
                                       100000000000000ull,
                                       1000000000000000ull,
                                       10000000000000000ull,
                                       100000000000000000ull,
                                       1000000000000000000ull};

bool tt_decimal_scale(const tt_decimal_plain_t *plain, int decimals,
                      int64_t *out)
{
    /* At most 18 digits once scaled: below 10^18, nothing overflows. */
    if (decimals < 0 || decimals > 18 || plain->frac > decimals ||
        plain->digits + decimals - plain->frac > 18)
        return false;
    int64_t v =
        (int64_t)(plain->mantissa * tt_decimal_pow10[decimals - plain->frac]);
    *out = plain->negative ? -v : v;
    return true;
}

int tt_decimal_parse(const char *text, size_t len, int decimals, int64_t *out)
{
    assert(out);
    assert(text || len == 0);
    /* The plain form in one pass, the form a replay reads on every row;
       everything else (and every error) by the general scan. */
    tt_decimal_plain_t plain;
    if (len > 0 && tt_decimal_scan(text, len, &plain) == len &&
        tt_decimal_scale(&plain, decimals, out))
        return TT_DEC_OK;
    return tt_decimal_parse_general(text, len, decimals, out);
}

/* Returns -1 as well for DECIMALS outside 0..18 (a programming error at
   the caller, but not worth a crash in output code). */
int tt_decimal_format(int64_t value, int decimals, char *buf, size_t size)
{
    if (decimals < 0 || decimals > 18 || (!buf && size > 0))
        return -1;
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    char tmp[48];
    size_t n = 0;
    /* Digits from least significant; at least decimals + 1 of them so the
       integer part has its leading zero ("0.05"). */
    for (int i = 0; mag != 0 || i <= decimals; i++) {
        if (i == decimals && decimals > 0)
            tmp[n++] = '.';
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
    }
    if (value < 0)
        tmp[n++] = '-';
    if (n + 1 > size)
        return -1;
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return (int)n;
}

const char *tt_decimal_strerror(int status)
{
    switch (status) {
    case TT_DEC_OK:
        return "ok";
    case TT_DEC_EMPTY:
        return "no digits";
    case TT_DEC_SYNTAX:
        return "not a decimal number ([+-]digits[.digits][e[+-]digits])";
    case TT_DEC_PRECISION:
        return "more fractional digits than the scale allows";
    case TT_DEC_OVERFLOW:
        return "value out of the 64-bit range once scaled";
    case TT_DEC_RANGE:
        return "scale (decimals) outside 0..18";
    default:
        return "unknown decimal status";
    }
}
