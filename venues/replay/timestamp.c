/*  venues/replay/timestamp.c: CSV timestamp forms to UTC ns (see
    timestamp.h). Calendar dates use the days-from-civil computation of the
    proleptic Gregorian calendar (Howard Hinnant's published algorithm),
    written out here; no libc time functions, so no time zone can leak in. */
#include "venues/replay/timestamp.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "marketdata/decimal.h"

int tt_ts_unit_of(const char *name)
{
    static const struct {
        const char *name;
        tt_ts_unit_t unit;
    } s_names[] = {{"ts_ns", TT_TS_NS}, {"ts_us", TT_TS_US},
                   {"ts_ms", TT_TS_MS}, {"ts_s", TT_TS_S},
                   {"ts", TT_TS_AUTO},  {"time", TT_TS_AUTO}};
    for (size_t i = 0; i < sizeof s_names / sizeof s_names[0]; i++)
        if (strcmp(name, s_names[i].name) == 0)
            return (int)s_names[i].unit;
    return -1;
}

/* Up to 19 digits: they fit an unsigned 64-bit value, so the range is
   checked once at the end instead of at every digit (a division each,
   on every row of a replay). tt_decimal_digits reads them eight at a
   time: a ts_ns column is 19 digits on every row. */
static int s_integer(const char *text, size_t len, int64_t scale, tt_ns_t *out)
{
    uint64_t v;
    if (len == 0 || len > 19 || tt_decimal_digits(text, len, &v) != len ||
        v > (uint64_t)(INT64_MAX / scale))
        return -1;
    *out = (int64_t)v * scale;
    return 0;
}

static int s_seconds(const char *text, size_t len, tt_ns_t *out)
{
    int64_t ns;
    if (tt_decimal_parse(text, len, 9, &ns) != TT_DEC_OK || ns < 0)
        return -1;
    *out = ns;
    return 0;
}

/* Reads exactly N digits at *P. */
static bool s_digits(const char **p, const char *end, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (*p >= end || **p < '0' || **p > '9')
            return false;
        v = v * 10 + (**p - '0');
    }
    *out = v;
    return true;
}

static bool s_expect(const char **p, const char *end, char c)
{
    if (*p >= end || **p != c)
        return false;
    (*p)++;
    return true;
}

static int64_t s_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int s_days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Optional ".fraction" (1..9 digits) as nanoseconds. */
static bool s_fraction(const char **p, const char *end, int64_t *ns)
{
    *ns = 0;
    if (*p >= end || **p != '.')
        return true;
    (*p)++;
    int n = 0;
    int64_t scale = 100000000;
    while (*p < end && **p >= '0' && **p <= '9') {
        if (++n > 9)
            return false;
        *ns += (**p - '0') * scale;
        scale /= 10;
        (*p)++;
    }
    return n > 0;
}

/* "Z", "+00:00" or "+0000": only UTC is accepted, a file in local time
   would shift every event silently. */
static bool s_utc(const char *p, const char *end)
{
    size_t left = (size_t)(end - p);
    return (left == 1 && *p == 'Z') ||
           (left == 6 && memcmp(p, "+00:00", 6) == 0) ||
           (left == 5 && memcmp(p, "+0000", 5) == 0);
}

static int s_clock_part(const char *p, const char *end, int64_t *sod_ns)
{
    int hh, mi, ss;
    int64_t frac;
    if (!s_digits(&p, end, 2, &hh) || !s_expect(&p, end, ':') ||
        !s_digits(&p, end, 2, &mi) || !s_expect(&p, end, ':') ||
        !s_digits(&p, end, 2, &ss) || !s_fraction(&p, end, &frac) ||
        !s_utc(p, end))
        return -1;
    if (hh > 23 || mi > 59 || ss > 59)
        return -1;
    *sod_ns = ((int64_t)hh * 3600 + mi * 60 + ss) * TT_NS_PER_SEC + frac;
    return 0;
}

static int s_iso(const char *text, size_t len, tt_ns_t *out)
{
    const char *p = text, *end = text + len;
    int y, m, d;
    if (!s_digits(&p, end, 4, &y) || !s_expect(&p, end, '-') ||
        !s_digits(&p, end, 2, &m) || !s_expect(&p, end, '-') ||
        !s_digits(&p, end, 2, &d))
        return -1;
    if (y < 1970 || y > 2261 || m < 1 || m > 12 || d < 1 ||
        d > s_days_in_month(y, m))
        return -1;
    int64_t sod_ns = 0;
    if (p < end) {
        if (*p != 'T' && *p != ' ')
            return -1;
        if (s_clock_part(p + 1, end, &sod_ns) != 0)
            return -1;
    }
    *out = s_days_from_civil(y, m, d) * 86400 * TT_NS_PER_SEC + sod_ns;
    return 0;
}

int tt_ts_parse(const char *text, size_t len, tt_ts_unit_t unit, tt_ns_t *out)
{
    switch (unit) {
    case TT_TS_NS:
        return s_integer(text, len, 1, out);
    case TT_TS_US:
        return s_integer(text, len, 1000, out);
    case TT_TS_MS:
        return s_integer(text, len, TT_NS_PER_MS, out);
    case TT_TS_S:
        return s_seconds(text, len, out);
    case TT_TS_AUTO:
        if (len >= 10 && text[4] == '-')
            return s_iso(text, len, out);
        return s_seconds(text, len, out);
    }
    return -1;
}
