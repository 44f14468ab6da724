/*  venues/binance/bn_sign.c: HMAC-SHA256 request signing and the query
    builder (see bn_sign.h). */
#include "venues/binance/bn_sign.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

int tt_bn_sign_hex(const char *secret, size_t secret_len, const char *payload,
                   size_t payload_len, char out[TT_BN_SIG_HEX])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    if (secret_len > INT32_MAX ||
        !HMAC(EVP_sha256(), secret, (int)secret_len,
              (const unsigned char *)payload, payload_len, mac, &maclen) ||
        maclen != 32) {
        out[0] = '\0';
        return -1;
    }
    for (unsigned i = 0; i < maclen; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[64] = '\0';
    return 0;
}

void tt_bn_query_init(tt_bn_query_t *self, char *buf, size_t size)
{
    self->buf = buf;
    self->size = size;
    self->len = 0;
    self->overflow = size == 0;
    if (size)
        buf[0] = '\0';
}

static void s_putc(tt_bn_query_t *self, char c)
{
    if (self->overflow || self->len + 1 >= self->size) {
        self->overflow = true;
        return;
    }
    self->buf[self->len++] = c;
    self->buf[self->len] = '\0';
}

static bool s_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '~';
}

static void s_key(tt_bn_query_t *self, const char *key)
{
    if (self->len > 0)
        s_putc(self, '&');
    for (const char *p = key; *p; p++)
        s_putc(self, *p);
    s_putc(self, '=');
}

void tt_bn_query_add(tt_bn_query_t *self, const char *key, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    s_key(self, key);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (s_unreserved(*p)) {
            s_putc(self, (char)*p);
            continue;
        }
        s_putc(self, '%');
        s_putc(self, hex[*p >> 4]);
        s_putc(self, hex[*p & 15]);
    }
}

void tt_bn_query_add_int(tt_bn_query_t *self, const char *key, int64_t value)
{
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)value);
    tt_bn_query_add(self, key, num);
}

int tt_bn_query_finish(const tt_bn_query_t *self)
{
    return self->overflow ? -1 : (int)self->len;
}

int tt_bn_query_sign(tt_bn_query_t *self, const char *secret, size_t secret_len,
                     int64_t timestamp_ms, int32_t recv_window_ms)
{
    if (recv_window_ms > 60000)
        return -1;
    if (recv_window_ms > 0)
        tt_bn_query_add_int(self, "recvWindow", recv_window_ms);
    tt_bn_query_add_int(self, "timestamp", timestamp_ms);
    if (self->overflow)
        return -1;
    char sig[TT_BN_SIG_HEX];
    if (tt_bn_sign_hex(secret, secret_len, self->buf, self->len, sig) != 0)
        return -1;
    tt_bn_query_add(self, "signature", sig);
    return tt_bn_query_finish(self);
}
