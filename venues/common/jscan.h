/*  venues/common/jscan.h: a small JSON scanner that validates while it
    walks and never allocates. Venue websocket frames arrive many times a
    second on the feed thread; building a DOM (jansson) for each one costs
    allocations and microseconds, while a frame only needs a handful of its
    fields. The scanner hands back spans into the caller's buffer: strings
    without their quotes (escapes left as they are, flagged), numbers and
    nested objects or arrays as raw text that can be walked in turn.

    Every byte the walk passes over is checked against the JSON grammar
    (RFC 8259), so a truncated or malformed frame is always reported, with
    a short reason and the byte offset. Nesting is limited to
    TT_JSCAN_DEPTH_MAX. Pure functions; any thread. */
#ifndef TT_VENUES_COMMON_JSCAN_H
#define TT_VENUES_COMMON_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TT_JSCAN_DEPTH_MAX 32

typedef enum {
    TT_JS_NONE = 0, /* absent (a field that was not found) */
    TT_JS_OBJECT,
    TT_JS_ARRAY,
    TT_JS_STRING,
    TT_JS_NUMBER,
    TT_JS_TRUE,
    TT_JS_FALSE,
    TT_JS_NULL,
} tt_jtype_t;

/* A span of the caller's buffer. */
typedef struct {
    tt_jtype_t type;
    const char *p; /* strings: after the opening quote; others: first byte */
    size_t len;    /* strings: up to the closing quote; others: whole value */
    bool escaped;  /* a string that holds at least one backslash escape */
} tt_jval_t;

/* Walks the members of one object or the elements of one array. */
typedef struct {
    const char *base; /* start of the whole text, for error offsets */
    const char *p;    /* next byte to read */
    const char *end;  /* one past the last byte */
    char close;       /* '}' or ']' */
    bool first;       /* no member read yet */
    bool done;        /* closing bracket seen */
    const char *err;  /* static reason once a walk failed */
    size_t err_off;   /* offset of the fault from base */
    int depth;        /* nesting of this walk's bracket (root: 0) */
    bool in_place;    /* entered (tt_jiter_enter): bytes follow the close */
} tt_jiter_t;

/* Starts a walk over the whole text TEXT/LEN, which must hold one object
   (KIND '{') or array ('[') and nothing else but whitespace. The check for
   trailing bytes happens when the walk ends. Returns 0, or -1 with it->err
   set when the text does not start with that bracket. */
int tt_jiter_root(tt_jiter_t *it, const char *text, size_t len, char kind);

/* Starts a walk over a nested object or array VAL found by an earlier walk
   (already validated). BASE is the root text, for error offsets. */
int tt_jiter_nested(tt_jiter_t *it, const char *base, const tt_jval_t *val);

/* Next member of an object walk: *KEY (a string span) and *VAL. Returns 1
   for a member, 0 at the end (for a root walk: only whitespace followed),
   -1 on a syntax error (it->err, it->err_off). */
int tt_jiter_member(tt_jiter_t *it, tt_jval_t *key, tt_jval_t *val);

/* Next element of an array walk. Same returns as tt_jiter_member. */
int tt_jiter_element(tt_jiter_t *it, tt_jval_t *val);

/* Walks the object IT to its end, storing in OUT[i] the value whose key
   equals KEYS[i] (unescaped keys only; the last one wins on duplicates);
   absent keys have type TT_JS_NONE. Returns 0, or -1 on a syntax error. */
int tt_jiter_fields(tt_jiter_t *it, const char *const *keys, size_t nkeys,
                    tt_jval_t *out);

/* Next element of an array walk, like tt_jiter_element, except that an
   element of KIND ('{' or '[') is entered rather than skipped: VAL gets
   its type (len 0, as its end is not known yet) and *CHILD starts a walk
   over it in place, checking its bytes as it reads them. A caller that
   reads every member of most elements (a market-data frame's messages)
   so walks each byte once instead of twice. Any other element is read
   whole into VAL. Once CHILD's walk has returned 0, tt_jiter_leave moves
   IT past the element. Returns as tt_jiter_element. */
int tt_jiter_enter(tt_jiter_t *it, char kind, tt_jval_t *val,
                   tt_jiter_t *child);

/* Ends the in-place walk CHILD of IT's current element: IT goes on after
   it. Returns 0, or -1 when CHILD failed or was not read to its end (IT
   then holds CHILD's error, so the caller reports one walk). */
int tt_jiter_leave(tt_jiter_t *it, const tt_jiter_t *child);

/* True when VAL is a string equal to S (escape-free comparison). */
bool tt_jval_is(const tt_jval_t *val, const char *s);

/* Parses an integer number (no fraction or exponent) into *OUT. Returns 0,
   or -1 when VAL is not such a number or does not fit int64. */
int tt_jval_int64(const tt_jval_t *val, int64_t *out);

/* Parses a non-negative integer number (no sign, fraction or exponent)
   into *OUT: ids that may use all 64 bits. Returns 0, or -1 otherwise or
   when it does not fit uint64. */
int tt_jval_uint64(const tt_jval_t *val, uint64_t *out);

/* Copies the string VAL into BUF (SIZE bytes, NUL-terminated), decoding
   escapes; \u escapes outside ASCII become '?'. Returns the length, or -1
   when VAL is not a string or does not fit (BUF then holds a truncated
   copy). */
int tt_jval_copy(const tt_jval_t *val, char *buf, size_t size);

/* Like tt_jval_copy, but every \u escape becomes its UTF-8 bytes
   (surrogate pairs joined), for text shown to people (a venue's error
   message). Returns the length, or -1 when VAL is not a string, does not
   fit, or holds \u0000 or a lone surrogate (not a C string's text). */
int tt_jval_utf8(const tt_jval_t *val, char *buf, size_t size);

#endif
