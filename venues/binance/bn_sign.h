/*  venues/binance/bn_sign.h: signed REST requests for Binance spot.
    A query string is built into a caller buffer, values percent-encoded,
    then timestamp, recvWindow and finally the signature appended:
    signature = lowercase hex of HMAC-SHA256(secret, query string). The
    broker gateway builds and signs on its own thread; no allocation. */
#ifndef TT_VENUES_BINANCE_BN_SIGN_H
#define TT_VENUES_BINANCE_BN_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hex digest length (64) plus NUL. */
#define TT_BN_SIG_HEX 65

/* HMAC-SHA256 of PAYLOAD keyed with SECRET, as 64 lowercase hex digits
   and a NUL in OUT. 0, or -1 when OpenSSL fails. */
int tt_bn_sign_hex(const char *secret, size_t secret_len, const char *payload,
                   size_t payload_len, char out[TT_BN_SIG_HEX]);

/* A query string being built in a caller buffer. Once a call overflows,
   the builder stays failed (every later call is a no-op) and finishing
   it reports -1, so callers can add a batch of parameters and check
   once. */
typedef struct {
    char *buf; /* caller-owned, always NUL-terminated */
    size_t size;
    size_t len;
    bool overflow;
} tt_bn_query_t;

void tt_bn_query_init(tt_bn_query_t *self, char *buf, size_t size);

/* Appends KEY=VALUE ('&'-separated), VALUE percent-encoded (all but
   A-Z a-z 0-9 - _ . ~). KEY is written as is (our own names). */
void tt_bn_query_add(tt_bn_query_t *self, const char *key, const char *value);
void tt_bn_query_add_int(tt_bn_query_t *self, const char *key, int64_t value);

/* Appends recvWindow (when RECV_WINDOW_MS > 0), timestamp and the
   signature of everything before it. Returns the final length, or -1 on
   overflow (earlier or now), a recvWindow above 60000, or an OpenSSL
   failure. */
int tt_bn_query_sign(tt_bn_query_t *self, const char *secret, size_t secret_len,
                     int64_t timestamp_ms, int32_t recv_window_ms);

/* Length so far, or -1 after an overflow (for unsigned requests). */
int tt_bn_query_finish(const tt_bn_query_t *self);

#endif
