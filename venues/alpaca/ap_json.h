/*  venues/alpaca/ap_json.h: a small JSON cursor that keeps the literal text
    of every value. Part of the Alpaca protocol layer (venues/alpaca), used
    by the market-data decoder and the historical bars reader on whatever
    thread decodes frames.

    Why not jansson here: Alpaca sends prices and sizes as JSON numbers, and
    jansson turns a number with a '.' or an exponent into a double, losing
    the decimal literal (189.31 is not a double). This cursor never converts
    anything: it validates the grammar (RFC 8259) and hands back spans into
    the caller's buffer, which marketdata/decimal.h then scales exactly. It
    also allocates nothing, so a tick costs no malloc. */
#ifndef TT_ALPACA_AP_JSON_H
#define TT_ALPACA_AP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A slice of the caller's buffer; valid while that buffer is. */
typedef struct {
    const char *p;
    size_t n;
} tt_ap_span_t;

typedef enum {
    TT_APJ_NONE = 0, /* slot not seen */
    TT_APJ_STRING,   /* span: the raw text between the quotes */
    TT_APJ_NUMBER,   /* span: the literal, e.g. "189.31" or "1e-5" */
    TT_APJ_TRUE,
    TT_APJ_FALSE,
    TT_APJ_NULL,
    TT_APJ_OBJECT, /* span: the whole text, braces included */
    TT_APJ_ARRAY,  /* span: the whole text, brackets included */
} tt_apj_type_t;

typedef struct {
    tt_apj_type_t type;
    bool escaped;      /* STRING only: contains backslash escapes */
    tt_ap_span_t text; /* see tt_apj_type_t */
} tt_apj_val_t;

/* Cursor over BUF[0..len). ERR is a static string naming the first
   problem; ERR_POS the byte offset where it was found. */
typedef struct {
    const char *buf;
    size_t len;
    size_t pos;
    const char *err;
    size_t err_pos;
} tt_apj_t;

/* Deepest nesting accepted; deeper input is refused, not recursed into. */
#define TT_APJ_MAX_DEPTH 32

void tt_apj_init(tt_apj_t *self, const char *buf, size_t len);

/* Next non-blank byte without consuming it, or -1 at the end. */
int tt_apj_peek(tt_apj_t *self);

/* Consumes C after optional blanks. 0, or -1 (error set). */
int tt_apj_expect(tt_apj_t *self, char c);

/* Reads one value of any type into *OUT (objects and arrays are
   validated and skipped, their span kept). 0, or -1 (error set). */
int tt_apj_value(tt_apj_t *self, tt_apj_val_t *out);

/* Object and array walking. Call after consuming '{' (or '[') with
   *FIRST = true. Returns 1 when a member follows (for objects, its key is
   in *KEY and the ':' is consumed), 0 after consuming the closing
   bracket, -1 on a syntax error. */
int tt_apj_obj_next(tt_apj_t *self, bool *first, tt_ap_span_t *key);
int tt_apj_arr_next(tt_apj_t *self, bool *first);

/* True when only blanks remain. */
bool tt_apj_at_end(tt_apj_t *self);

/* True when SPAN equals the NUL-terminated LIT. */
bool tt_apj_eq(tt_ap_span_t span, const char *lit);

/* Decodes the raw STRING span RAW (escapes resolved, \u to UTF-8) into
   OUT as a NUL-terminated string. Returns the length, or -1 when it does
   not fit in SIZE or holds a NUL or a lone surrogate. */
int tt_apj_unescape(tt_ap_span_t raw, char *out, size_t size);

/* Copies a STRING value into OUT (SIZE bytes), unescaping if needed.
   0, or -1 if V is not a string or does not fit. */
int tt_apj_string_copy(const tt_apj_val_t *v, char *out, size_t size);

/* Reads a NUMBER value that is a non-negative integer without fraction or
   exponent into *OUT. 0, or -1 if it is anything else or overflows. */
int tt_apj_uint(const tt_apj_val_t *v, uint64_t *out);

/* Like tt_apj_uint but signed, for error codes and counts. */
int tt_apj_int(const tt_apj_val_t *v, int64_t *out);

#endif
