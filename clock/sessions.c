/*  clock/sessions.c: market-session calendars (see sessions.h). Civil
    dates are counted as days since 1970-01-01 with the proleptic
    Gregorian calendar; New York's daylight-saving rule is evaluated from
    those day numbers, so no time-zone database or TZ variable is ever
    consulted. Runs wherever it is called (clock actor, backtest). */
#include "clock/sessions.h"

#include <stdlib.h>
#include <string.h>

#define S_DAY INT64_C(86400)
#define S_HOUR INT64_C(3600)
/* Sessions searched forward before giving up (a year and a half). */
#define S_MAX_SCAN 550
/* Latest instant handled: 2200-01-01T00:00:00Z, far from int64 overflow. */
#define S_MAX_SECS INT64_C(7258118400)

static int64_t s_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian), counting
   in 400-year eras that start on March 1st so that February is last. */
static int64_t s_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = s_floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t mp = (m + 9) % 12; /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void s_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = s_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* 0 = Sunday ... 6 = Saturday; 1970-01-01 was a Thursday. */
static int s_weekday(int64_t days)
{
    return (int)((days % 7 + 11) % 7);
}

static int64_t s_nth_sunday(int64_t y, int m, int n)
{
    int64_t first = s_days_from_civil(y, m, 1);
    int64_t sunday = first + (7 - s_weekday(first)) % 7;
    return sunday + 7 * (n - 1);
}

static int32_t s_yyyymmdd(int64_t days)
{
    int64_t y;
    int m, d;
    s_civil_from_days(days, &y, &m, &d);
    return (int32_t)(y * 10000 + m * 100 + d);
}

/* Whether local date DAYS (a weekday) is on daylight time. */
static bool s_dst_date(int64_t days)
{
    int64_t y;
    int m, d;
    s_civil_from_days(days, &y, &m, &d);
    return days >= s_nth_sunday(y, 3, 2) && days < s_nth_sunday(y, 11, 1);
}

int32_t tt_ny_utc_offset(tt_ns_t ts)
{
    int64_t secs = s_floor_div(ts, TT_NS_PER_SEC);
    int64_t y;
    int m, d;
    s_civil_from_days(s_floor_div(secs, S_DAY), &y, &m, &d);
    /* 02:00 EST is 07:00 UTC; 02:00 EDT is 06:00 UTC. */
    int64_t start = s_nth_sunday(y, 3, 2) * S_DAY + 7 * S_HOUR;
    int64_t end = s_nth_sunday(y, 11, 1) * S_DAY + 6 * S_HOUR;
    return secs >= start && secs < end ? -4 * 3600 : -5 * 3600;
}

static bool s_has(const int32_t *dates, size_t n, int32_t date)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (dates[mid] == date)
            return true;
        if (dates[mid] < date)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static int s_insert(int32_t *dates, size_t *n, int32_t date)
{
    if (s_has(dates, *n, date))
        return TT_CAL_OK;
    if (*n >= TT_CAL_MAX_DATES)
        return TT_CAL_EFULL;
    size_t at = *n;
    while (at > 0 && dates[at - 1] > date) {
        dates[at] = dates[at - 1];
        at--;
    }
    dates[at] = date;
    (*n)++;
    return TT_CAL_OK;
}

void tt_calendar_init(tt_calendar_t *self, tt_calendar_kind_t kind)
{
    memset(self, 0, sizeof *self);
    self->kind = kind;
}

int tt_calendar_init_named(tt_calendar_t *self, const char *name)
{
    if (name && strcmp(name, "always_open") == 0)
        tt_calendar_init(self, TT_CAL_ALWAYS_OPEN);
    else if (name && strcmp(name, "us_equity") == 0)
        tt_calendar_init(self, TT_CAL_US_EQUITY);
    else
        return TT_CAL_ENAME;
    return TT_CAL_OK;
}

const char *tt_calendar_kind_name(tt_calendar_kind_t kind)
{
    return kind == TT_CAL_US_EQUITY ? "us_equity" : "always_open";
}

static bool s_digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

int tt_calendar_parse_date(const char *text, int32_t *yyyymmdd)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        return TT_CAL_EDATE;
    if (!s_digits(text, 4, &y) || !s_digits(text + 5, 2, &m) ||
        !s_digits(text + 8, 2, &d))
        return TT_CAL_EDATE;
    if (y < 1970 || m < 1 || m > 12 || d < 1)
        return TT_CAL_EDATE;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return TT_CAL_EDATE;
    *yyyymmdd = y * 10000 + m * 100 + d;
    return TT_CAL_OK;
}

static int s_add(tt_calendar_t *self, const char *text, bool early)
{
    int32_t date = 0;
    if (self->kind == TT_CAL_ALWAYS_OPEN)
        return TT_CAL_EKIND;
    int rc = tt_calendar_parse_date(text, &date);
    if (rc != TT_CAL_OK)
        return rc;
    if (early)
        return s_insert(self->early_closes, &self->early_count, date);
    return s_insert(self->holidays, &self->holiday_count, date);
}

int tt_calendar_add_holiday(tt_calendar_t *self, const char *date)
{
    return s_add(self, date, false);
}

int tt_calendar_add_early_close(tt_calendar_t *self, const char *date)
{
    return s_add(self, date, true);
}

const char *tt_calendar_strerror(int status)
{
    switch (status) {
    case TT_CAL_OK:
        return "ok";
    case TT_CAL_EDATE:
        return "not a valid date (expected YYYY-MM-DD, year 1970 or later)";
    case TT_CAL_EFULL:
        return "too many dates";
    case TT_CAL_EKIND:
        return "an always_open calendar has no holidays or early closes";
    case TT_CAL_ENAME:
        return "unknown calendar (known: always_open, us_equity)";
    default:
        return "unknown calendar error";
    }
}

/* The us_equity session of local date DAYS, if it trades. */
static bool s_us_session(const tt_calendar_t *self, int64_t days,
                         tt_session_t *out)
{
    int wd = s_weekday(days);
    int32_t date = s_yyyymmdd(days);
    if (wd == 0 || wd == 6 || s_has(self->holidays, self->holiday_count, date))
        return false;
    int64_t utc_minus_local = s_dst_date(days) ? 4 * S_HOUR : 5 * S_HOUR;
    int64_t midnight = days * S_DAY + utc_minus_local;
    out->date = date;
    out->early = s_has(self->early_closes, self->early_count, date);
    out->open = (midnight + 9 * S_HOUR + 1800) * TT_NS_PER_SEC;
    out->close = (midnight + (out->early ? 13 : 16) * S_HOUR) * TT_NS_PER_SEC;
    return true;
}

int tt_calendar_session(const tt_calendar_t *self, tt_ns_t ts,
                        tt_session_t *out)
{
    int64_t secs = s_floor_div(ts, TT_NS_PER_SEC);
    if (secs < 0 || secs >= S_MAX_SECS)
        return -1;
    if (self->kind == TT_CAL_ALWAYS_OPEN) {
        int64_t days = s_floor_div(secs, S_DAY);
        out->date = s_yyyymmdd(days);
        out->open = days * S_DAY * TT_NS_PER_SEC;
        out->close = (days + 1) * S_DAY * TT_NS_PER_SEC;
        out->early = false;
        return 0;
    }
    int64_t local = s_floor_div(secs + tt_ny_utc_offset(ts), S_DAY);
    for (int64_t i = 0; i < S_MAX_SCAN; i++) {
        tt_session_t s;
        if (s_us_session(self, local + i, &s) && ts < s.close) {
            *out = s;
            return 0;
        }
    }
    return -1;
}

bool tt_calendar_is_open(const tt_calendar_t *self, tt_ns_t ts)
{
    tt_session_t s;
    return tt_calendar_session(self, ts, &s) == 0 && ts >= s.open;
}

int tt_calendar_next_open(const tt_calendar_t *self, tt_ns_t ts, tt_ns_t *out)
{
    tt_session_t s;
    if (tt_calendar_session(self, ts, &s) < 0)
        return -1;
    if (ts > s.open && tt_calendar_session(self, s.close, &s) < 0)
        return -1;
    *out = s.open;
    return 0;
}

int tt_calendar_next_close(const tt_calendar_t *self, tt_ns_t ts, tt_ns_t *out)
{
    tt_session_t s;
    if (tt_calendar_session(self, ts, &s) < 0)
        return -1;
    *out = s.close;
    return 0;
}

int32_t tt_calendar_session_id(const tt_calendar_t *self, tt_ns_t ts)
{
    tt_session_t s;
    return tt_calendar_session(self, ts, &s) == 0 ? s.date : 0;
}
