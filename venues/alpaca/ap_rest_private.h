/*  venues/alpaca/ap_rest_private.h: jansson field readers shared by the
    trading API parsers (ap_rest*.c). Not part of the public API. */
#ifndef TT_ALPACA_AP_REST_PRIVATE_H
#define TT_ALPACA_AP_REST_PRIVATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "venues/alpaca/ap_rest.h"

/* printf into ERR (may be NULL); returns TT_AP_EBAD. */
int tt_ap__fail(char *err, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parses BUF as JSON (bytes, no NUL needed). NULL with ERR set. */
json_t *tt_ap__load(const char *buf, size_t len, char *err, size_t errsize);

/* The string at KEY, or NULL when absent or null. */
const char *tt_ap__str(const json_t *obj, const char *key);

/* Decimal at KEY (string or integer) into *OUT. Absent or null gives 0
   and returns 0 unless REQUIRED. ROUND picks tt_ap_dec_round. */
int tt_ap__dec(const json_t *obj, const char *key, int decimals, bool round,
               bool required, int64_t *out, char *err, size_t errsize);

/* RFC 3339 at KEY into *OUT; absent or null gives 0. */
int tt_ap__time(const json_t *obj, const char *key, tt_ns_t *out, char *err,
                size_t errsize);

/* Copies the string at KEY into OUT ("" when absent/null). */
int tt_ap__copy(const json_t *obj, const char *key, char *out, size_t size,
                char *err, size_t errsize);

/* One Order object (already parsed) into *OUT. 0 or TT_AP_E*. */
int tt_ap__order(const json_t *obj, const tt_ap_scales_t *sc,
                 tt_ap_order_tree_t *out, char *err, size_t errsize);

#endif
