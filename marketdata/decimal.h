/*  marketdata/decimal.h: exact conversion between decimal text and scaled
    int64 (invariant 7). Used at the edges only: config values, venue JSON
    ("189.31", "0.00012345", 1.5e-3) and human output. No floating point.

    A value with more fractional digits than DECIMALS is refused unless the
    extra digits are zeros ("1.2300" at 2 decimals is 123); silent rounding
    of a price or quantity is never done here. */
#ifndef TT_MARKETDATA_DECIMAL_H
#define TT_MARKETDATA_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

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

/* Writes VALUE / 10^DECIMALS as text with exactly DECIMALS fractional
   digits (none when DECIMALS is 0) into BUF. Returns the length written
   (excluding NUL), or -1 if SIZE is too small. */
int tt_decimal_format(int64_t value, int decimals, char *buf, size_t size);

/* A short English description of a tt_decimal_status_t. */
const char *tt_decimal_strerror(int status);

#endif
