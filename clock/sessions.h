/*  clock/sessions.h: market-session calendars, per venue. The clock actor
    asks them when a market opens and closes (to pause entries, force-close
    at the end of the day and reset daily counters); the backtest asks the
    same questions of its simulated clock. Pure logic: every answer is a
    function of the UTC time passed in, never of the wall clock, the TZ
    database or the process's TZ.

    Two calendars:
    - always_open: 24/7 (crypto). Sessions are UTC days [00:00, 24:00), so
      daily resets and end-of-day summaries still have a boundary.
    - us_equity: regular trading hours 09:30-16:00 America/New_York on
      weekdays, except configured holidays; configured early-close dates
      end at 13:00. New York time is UTC-5 (EST), or UTC-4 (EDT) from the
      second Sunday of March 02:00 local to the first Sunday of November
      02:00 local: the US rule in force since 2007, computed with integer
      date arithmetic (applied to every year; earlier years are not
      historical).

    A session is [open, close): open inclusive, close exclusive. */
#ifndef TT_CLOCK_SESSIONS_H
#define TT_CLOCK_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marketdata/types.h"

#define TT_CAL_MAX_DATES 512

typedef enum {
    TT_CAL_ALWAYS_OPEN = 0,
    TT_CAL_US_EQUITY,
} tt_calendar_kind_t;

/* Errors of the configuration functions. */
typedef enum {
    TT_CAL_OK = 0,
    TT_CAL_EDATE = -1, /* not a valid YYYY-MM-DD date */
    TT_CAL_EFULL = -2, /* more than TT_CAL_MAX_DATES dates */
    TT_CAL_EKIND = -3, /* this calendar has no holidays / early closes */
    TT_CAL_ENAME = -4, /* unknown calendar name */
} tt_calendar_status_t;

/* A calendar: caller-owned, set up once, then read-only (and so safe to
   share between threads). Dates are yyyymmdd integers, kept sorted. */
typedef struct {
    tt_calendar_kind_t kind;
    size_t holiday_count;
    size_t early_count;
    int32_t holidays[TT_CAL_MAX_DATES];
    int32_t early_closes[TT_CAL_MAX_DATES];
} tt_calendar_t;

/* One trading session. */
typedef struct {
    int32_t date;  /* trading date (local), yyyymmdd: also the session id */
    tt_ns_t open;  /* UTC ns, inclusive */
    tt_ns_t close; /* UTC ns, exclusive */
    bool early;    /* an early-close day */
} tt_session_t;

void tt_calendar_init(tt_calendar_t *self, tt_calendar_kind_t kind);

/* Sets up SELF for calendar NAME ("always_open", "us_equity"). Returns
   TT_CAL_OK or TT_CAL_ENAME. */
int tt_calendar_init_named(tt_calendar_t *self, const char *name);

/* Name of a calendar kind. */
const char *tt_calendar_kind_name(tt_calendar_kind_t kind);

/* Adds a holiday / an early close (13:00) given as "YYYY-MM-DD". A date
   already present is accepted once. A holiday wins over an early close on
   the same date. Returns TT_CAL_OK or a negative tt_calendar_status_t. */
int tt_calendar_add_holiday(tt_calendar_t *self, const char *date);
int tt_calendar_add_early_close(tt_calendar_t *self, const char *date);

/* A short English description of a tt_calendar_status_t. */
const char *tt_calendar_strerror(int status);

/* Parses "YYYY-MM-DD" (a real calendar date, years 1970..9999) into a
   yyyymmdd integer. Returns TT_CAL_OK or TT_CAL_EDATE. */
int tt_calendar_parse_date(const char *text, int32_t *yyyymmdd);

bool tt_calendar_is_open(const tt_calendar_t *self, tt_ns_t ts);

/* The session containing TS, or else the first one after it. Returns 0,
   or -1 if none starts within a year and a half (a holiday list that
   closes the market for good). */
int tt_calendar_session(const tt_calendar_t *self, tt_ns_t ts,
                        tt_session_t *out);

/* The first open at or after TS (TS itself when a session opens exactly
   then); the first close strictly after TS. -1 as for _session. */
int tt_calendar_next_open(const tt_calendar_t *self, tt_ns_t ts, tt_ns_t *out);
int tt_calendar_next_close(const tt_calendar_t *self, tt_ns_t ts, tt_ns_t *out);

/* The id (yyyymmdd trading date) of the session containing or following
   TS, for daily resets; 0 when there is none. */
int32_t tt_calendar_session_id(const tt_calendar_t *self, tt_ns_t ts);

/* New York's offset from UTC at instant TS, in seconds (-18000 or
   -14400), by the rule above. Exposed for tests and displays. */
int32_t tt_ny_utc_offset(tt_ns_t ts);

#endif
