/*  venues/alpaca/ap_time.c: RFC 3339 <-> UTC ns (see ap_time.h). The
    civil-date conversions follow the well-known era-based algorithm (400
    year eras of 146097 days, March-based years so that the leap day is
    the last day of a year). */
#include "venues/alpaca/ap_time.h"

#include <stdbool.h>
#include <stdio.h>

int64_t tt_ap_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                         /* 0..399 */
    int64_t mp = (m + 9) % 12;                           /* Mar = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;            /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0..146096 */
    return era * 146097 + doe - 719468;
}

static void s_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool s_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned s_month_days(int64_t y, unsigned m)
{
    static const unsigned days[12] = {31, 28, 31, 30, 31, 30,
                                      31, 31, 30, 31, 30, 31};
    return m == 2 && s_leap(y) ? 29 : days[m - 1];
}

/* N digits at TEXT into *OUT; false unless all are digits. */
static bool s_num(const char *text, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
}

/* "YYYY-MM-DDThh:mm:ss" (19 bytes) into seconds since the epoch. */
static bool s_date_time(const char *t, int64_t *secs)
{
    int64_t y, mo, d, h, mi, s;
    if (t[4] != '-' || t[7] != '-' || t[13] != ':' || t[16] != ':' ||
        (t[10] != 'T' && t[10] != 't' && t[10] != ' '))
        return false;
    if (!s_num(t, 4, &y) || !s_num(t + 5, 2, &mo) || !s_num(t + 8, 2, &d) ||
        !s_num(t + 11, 2, &h) || !s_num(t + 14, 2, &mi) ||
        !s_num(t + 17, 2, &s))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > s_month_days(y, (unsigned)mo) ||
        h > 23 || mi > 59 || s > 59)
        return false;
    *secs = tt_ap_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
            h * 3600 + mi * 60 + s;
    return true;
}

/* The zone designator at T (LEN bytes): offset east of UTC in seconds. */
static bool s_zone(const char *t, size_t len, int64_t *off)
{
    int64_t h, m;
    if (len == 1 && (t[0] == 'Z' || t[0] == 'z')) {
        *off = 0;
        return true;
    }
    if (len != 6 || (t[0] != '+' && t[0] != '-') || t[3] != ':' ||
        !s_num(t + 1, 2, &h) || !s_num(t + 4, 2, &m) || h > 23 || m > 59)
        return false;
    *off = (t[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return true;
}

int tt_ap_time_parse(const char *text, size_t len, tt_ns_t *out)
{
    int64_t secs, frac = 0, off;
    size_t i = 19;
    if (!text || len < 20 || !s_date_time(text, &secs))
        return -1;
    if (text[i] == '.') {
        size_t start = ++i;
        while (i < len && text[i] >= '0' && text[i] <= '9' && i - start < 10)
            frac = frac * 10 + (text[i++] - '0');
        if (i == start || i - start > 9)
            return -1;
        for (size_t k = i - start; k < 9; k++)
            frac *= 10;
    }
    if (!s_zone(text + i, len - i, &off))
        return -1;
    secs -= off;
    if (secs < 0 || secs > INT64_MAX / TT_NS_PER_SEC - 1)
        return -1;
    *out = secs * TT_NS_PER_SEC + frac;
    return 0;
}

int tt_ap_time_format(tt_ns_t ts, char *buf, size_t size)
{
    if (ts < 0 || size < 31)
        return -1;
    int64_t secs = ts / TT_NS_PER_SEC, ns = ts % TT_NS_PER_SEC, y;
    int64_t sod = secs % 86400;
    unsigned m, d;
    s_civil_from_days(secs / 86400, &y, &m, &d);
    int n = snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02d", (int)y, m, d,
                     (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
    if (ns)
        n += snprintf(buf + n, size - (size_t)n, ".%09d", (int)ns);
    n += snprintf(buf + n, size - (size_t)n, "Z");
    return n;
}
