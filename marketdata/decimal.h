/*  marketdata/decimal.h: exact conversion between decimal text and scaled
    int64 (invariant 7). Used at the edges only: config values, venue JSON
    ("189.31", "0.00012345", 1.5e-3) and human output. No floating point.

    A value with more fractional digits than DECIMALS is refused unless the
    extra digits are zeros ("1.2300" at 2 decimals is 123); silent rounding
    of a price or quantity is never done here. */
#ifndef TT_MARKETDATA_DECIMAL_H
#define TT_MARKETDATA_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum {
    TT_DEC_OK = 0,
    TT_DEC_EMPTY = -1,     /* no digits */
    TT_DEC_SYNTAX = -2,    /* not [+-]digits[.digits][(e|E)[+-]digits] */
    TT_DEC_PRECISION = -3, /* non-zero digits beyond DECIMALS */
    TT_DEC_OVERFLOW = -4,  /* does not fit int64 once scaled */
    TT_DEC_RANGE = -5,     /* DECIMALS outside 0..18 */
} tt_decimal_status_t;

/* Parses LEN bytes of TEXT (no NUL needed) scaled by 10^DECIMALS into
   *OUT. Returns TT_DEC_OK or a negative tt_decimal_status_t; *OUT is only
   written on success. */
int tt_decimal_parse(const char *text, size_t len, int decimals, int64_t *out);

/* The same answer by the general scan alone: tt_decimal_parse takes a
   short cut for the plain form ([-]digits[.digits], at most 18 digits
   once scaled) that a replay reads on every row, and gives every other
   text to this. Public so the tests can hold the two to each other. */
int tt_decimal_parse_general(const char *text, size_t len, int decimals,
                             int64_t *out);

/* 10^0 .. 10^18. */
extern const uint64_t tt_decimal_pow10[19];

/* The inline entries below sit on a replay's path three times a row,
   where a call's own cost was a third of theirs. */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The digits leading the eight bytes at P (the first in the lowest
   byte): how many (0..8), and their value in *OUT. A byte is a digit
   when its high nibble is 3 and stays 3 with 6 added; a carry out of a
   byte (one at 0xFA or above, not a digit) only reaches the bytes after
   it, so the first non-digit is found exactly. The digits are moved to
   the top, zeros (leading zeros) below them, and paired up: 8 of 1, 4
   of 2, 2 of 4, 1 of 8; the bytes after the first non-digit never
   count (a borrow from them goes up, and the shift drops them). */
static inline unsigned tt_decimal_eight(const char *p, uint64_t *out)
{
    const uint64_t ones = UINT64_C(0x0101010101010101);
    uint64_t v;
    memcpy(&v, p, 8);
    uint64_t bad = ((v & 0xF0 * ones) ^ 0x30 * ones) |
                   (((v + 6 * ones) & 0xF0 * ones) ^ 0x30 * ones);
    unsigned n = bad ? (unsigned)__builtin_ctzll(bad) / 8 : 8;
    if (n == 0) {
        *out = 0;
        return 0;
    }
    v = (v - 0x30 * ones) << (8 * (8 - n));
    v = (v * 10 + (v >> 8)) & UINT64_C(0x00FF00FF00FF00FF);
    v = (v * 100 + (v >> 16)) & UINT64_C(0x0000FFFF0000FFFF);
    *out = (v * 10000 + (v >> 32)) & UINT64_C(0xFFFFFFFF);
    return n;
}
#define TT_DECIMAL_SWAR 1
#else
#define TT_DECIMAL_SWAR 0
#endif

/* The run of decimal digits at the start of TEXT (at most LEN bytes):
   returns how many there are and their value in *VALUE, exact up to 19
   digits (a longer run's value wraps: check the count). Eight at a time
   while LEN allows, so a caller whose buffer is readable past the
   digits may pass a LEN that reaches into it. */
static inline size_t tt_decimal_digits(const char *text, size_t len,
                                       uint64_t *value)
{
    uint64_t v = 0;
    size_t i = 0;
#if TT_DECIMAL_SWAR
    while (i + 8 <= len) {
        uint64_t part;
        unsigned n = tt_decimal_eight(text + i, &part);
        v = v * tt_decimal_pow10[n] + part; /* wraps past 19 digits */
        i += n;
        if (n < 8) {
            *value = v;
            return i;
        }
    }
#endif
    unsigned d;
    for (; i < len && (d = (unsigned)(unsigned char)text[i] - '0') <= 9; i++)
        v = v * 10 + d;
    *value = v;
    return i;
}

/* A plain decimal ([-]digits[.digits], at most 18 digits) read before
   its scale is known: a CSV row may name its symbol, and with it the
   scale, after its prices. */
typedef struct {
    uint64_t mantissa; /* the digits as one integer, the '.' left out */
    int digits;        /* how many, leading zeros included (1..18) */
    int frac;          /* of them after the '.' */
    int negative;      /* 1 after a leading '-' */
} tt_decimal_plain_t;

/* Reads the plain decimal at the start of TEXT (at most LEN bytes) up to
   the first byte that is neither a digit nor its one '.', in one pass.
   Returns the bytes it took, or 0 when what is there is not plain (no
   digit, more than 18, a sign other than one leading '-'): the caller
   then asks tt_decimal_parse, which also gives every error. */
static inline size_t tt_decimal_scan(const char *text, size_t len,
                                     tt_decimal_plain_t *out)
{
    /* A byte at a time: a price's parts are a few digits each, where
       eight at a time (tt_decimal_digits) measured slower. */
    size_t i = len > 0 && text[0] == '-' ? 1 : 0;
    uint64_t whole = 0, frac = 0;
    size_t nwhole = 0, nfrac = 0;
    unsigned d;
    for (; i < len && (d = (unsigned)(unsigned char)text[i] - '0') <= 9; i++) {
        whole = whole * 10 + d; /* wraps past 19 digits: refused below */
        nwhole++;
    }
    if (i < len && text[i] == '.') {
        for (i++; i < len && (d = (unsigned)(unsigned char)text[i] - '0') <= 9;
             i++) {
            frac = frac * 10 + d;
            nfrac++;
        }
    }
    if (nwhole + nfrac == 0 || nwhole + nfrac > 18)
        return 0;
    /* Below 10^18 once joined: nothing overflows. */
    out->mantissa = whole * tt_decimal_pow10[nfrac] + frac;
    out->digits = (int)(nwhole + nfrac);
    out->frac = (int)nfrac;
    out->negative = text[0] == '-';
    return i;
}

/* PLAIN scaled by 10^DECIMALS into *OUT, the value tt_decimal_parse gives
   the same text: true, or false without touching *OUT when the short
   form cannot say (more fractional digits than DECIMALS, more than 18
   digits once scaled, DECIMALS outside 0..18): ask tt_decimal_parse. */
bool tt_decimal_scale(const tt_decimal_plain_t *plain, int decimals,
                      int64_t *out);

/* Writes VALUE / 10^DECIMALS as text with exactly DECIMALS fractional
   digits (none when DECIMALS is 0) into BUF. Returns the length written
   (excluding NUL), or -1 if SIZE is too small. */
int tt_decimal_format(int64_t value, int decimals, char *buf, size_t size);

/* A short English description of a tt_decimal_status_t. */
const char *tt_decimal_strerror(int status);

#endif
