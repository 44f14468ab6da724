/*  venues/alpaca/ap_time.h: RFC 3339 timestamps <-> UTC nanoseconds, as
    Alpaca writes them ("2024-05-06T14:32:01.004512Z" on market data,
    "2024-05-06T10:15:30.12-04:00" on the clock). Part of the Alpaca
    protocol layer; pure functions, no time zone database, no libc time
    functions: the calendar arithmetic is a days-from-civil computation on
    the proleptic Gregorian calendar, so the result never depends on the
    process's TZ. */
#ifndef TT_ALPACA_AP_TIME_H
#define TT_ALPACA_AP_TIME_H

#include <stddef.h>

#include "marketdata/types.h"

/* Parses LEN bytes of TEXT, the form
       YYYY-MM-DD('T'|'t'|' ')hh:mm:ss[.f{1..9}]('Z'|'z'|(+|-)hh:mm)
   into *OUT (UTC ns since the epoch). The date must exist (leap years
   checked), seconds are 00..59 (no leap second), the offset at most
   23:59, and the instant within 1970-01-01 .. 2262-04-11 (what tt_ns_t
   holds). Returns 0, or -1 without touching *OUT. */
int tt_ap_time_parse(const char *text, size_t len, tt_ns_t *out);

/* Days since 1970-01-01 of the civil date Y-M-D (any Y, M 1..12, D 1..31;
   no range check). Exposed for tests and the calendar. */
int64_t tt_ap_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Writes TS as "YYYY-MM-DDThh:mm:ssZ", with ".nnnnnnnnn" before the Z when
   TS is not a whole second. Returns the length, or -1 when TS < 0 or SIZE
   is below 31. */
int tt_ap_time_format(tt_ns_t ts, char *buf, size_t size);

#endif
