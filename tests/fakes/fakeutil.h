/*  tests/fakes/fakeutil.h: small pure helpers the fake venues share:
    a growable text buffer, fixed-scale decimals, RFC 3339 times, query
    strings and HMAC-SHA256.

    Test-only code (tt_fakevenue). No function here keeps state; all are
    safe on any thread. */
#ifndef TT_TESTS_FAKES_FAKEUTIL_H
#define TT_TESTS_FAKES_FAKEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decimals are int64 scaled by 1e8 (Binance's 8 places; enough for
   Alpaca's cents and crypto quantities). */
#define FK_DEC_SCALE 100000000LL

/* A growable NUL-terminated string. */
typedef struct {
    char *s;
    size_t len, cap;
} fkbuf_t;

void fkbuf_init(fkbuf_t *b);
void fkbuf_free(fkbuf_t *b);
/* Appends formatted text; aborts on out of memory (test code). */
void fkbuf_printf(fkbuf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void fkbuf_append(fkbuf_t *b, const char *data, size_t len);
/* Hands the string over (caller frees) and empties B. */
char *fkbuf_take(fkbuf_t *b, size_t *len);

/* Parses a plain decimal ("189.31", "-0.5", "100"): at most 8 fraction
   digits, no exponent, no sign on request when SIGNED is false. Returns 0
   or -1. */
int fkdec_parse(const char *s, bool is_signed, int64_t *out);
/* Formats V with at least MIN_FRAC and at most 8 fraction digits (trailing
   zeros beyond MIN_FRAC trimmed). Returns OUT. */
char *fkdec_format(int64_t v, int min_frac, char *out, size_t outsize);
/* A*B and A/B in the decimal scale, rounded toward zero; B != 0. */
int64_t fkdec_mul(int64_t a, int64_t b);
int64_t fkdec_div(int64_t a, int64_t b);

/* Formats UTC nanoseconds as RFC 3339 with up to 9 fraction digits
   (trailing zeros trimmed, none when whole), "Z" suffix. */
char *fktime_rfc3339(int64_t ns, char *out, size_t outsize);
/* Same, shifted to a fixed OFFSET_MIN from UTC ("-04:00"). */
char *fktime_rfc3339_off(int64_t ns, int offset_min, char *out, size_t outsize);
/* Parses RFC 3339 (fraction and offset optional, Z or +hh:mm) or a bare
   YYYY-MM-DD (midnight UTC). Returns 0 or -1. */
int fktime_parse(const char *s, int64_t *ns);
/* Days since 1970-01-01 for a civil date, and back. */
int64_t fktime_days_from_civil(int y, int m, int d);
void fktime_civil_from_days(int64_t days, int *y, int *m, int *d);

/* Looks NAME up in a form/query string "a=1&b=2" (no decoding beyond
   %XX and '+'); copies the decoded value into OUT. Returns the value's
   length, or -1 when absent or too long. */
int fkq_get(const char *query, const char *name, char *out, size_t outsize);
/* Percent-encodes everything but RFC 3986 unreserved characters. */
void fkq_encode(fkbuf_t *b, const char *s, size_t len);

/* Counters by name (routes, client order ids): a small linear map. */
typedef struct {
    char **keys;
    uint64_t *vals;
    size_t n, cap;
} fkcount_t;

void fkcount_add(fkcount_t *m, const char *key, uint64_t by);
uint64_t fkcount_get(const fkcount_t *m, const char *key);
uint64_t fkcount_max(const fkcount_t *m);
void fkcount_free(fkcount_t *m);

/* Lowercase hex HMAC-SHA256 of DATA under KEY into OUT (65 bytes). */
void fk_hmac_sha256_hex(const char *key, const void *data, size_t len,
                        char out[65]);

#endif
