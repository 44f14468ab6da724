/*  orders/order.c: the order state machine and client order ids (see
    order.h). The edges are a table, so the rules read in one place and a
    test can walk every pair. */
#include "orders/order.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static const char *s_state_names[] = {
    [TT_OS_NEW] = "NEW",
    [TT_OS_ACCEPTED] = "ACCEPTED",
    [TT_OS_PARTIALLY_FILLED] = "PARTIALLY_FILLED",
    [TT_OS_FILLED] = "FILLED",
    [TT_OS_CANCELLED] = "CANCELLED",
    [TT_OS_REJECTED] = "REJECTED",
    [TT_OS_EXPIRED] = "EXPIRED",
    [TT_OS_PENDING_CANCEL] = "PENDING_CANCEL",
    [TT_OS_PENDING_REPLACE] = "PENDING_REPLACE",
    [TT_OS_REPLACED] = "REPLACED",
};

/* s_edges[from] is a bit set of the states reachable from `from`. Fills,
   cancels and expiry may overtake the venue's acknowledgement, so NEW
   reaches them directly; an acknowledged order may still be rejected
   before it works (Alpaca's "accepted" precedes routing); a venue
   refusing a cancel or replace sends the order back to where it was. */
#define S_BIT(state) (1u << (state))
#define S_DONE                                                                 \
    (S_BIT(TT_OS_FILLED) | S_BIT(TT_OS_CANCELLED) | S_BIT(TT_OS_EXPIRED))
#define S_WORKING (S_BIT(TT_OS_ACCEPTED) | S_BIT(TT_OS_PARTIALLY_FILLED))
static const unsigned s_edges[TT_OS_MAX + 1] = {
    [TT_OS_NEW] = S_WORKING | S_DONE | S_BIT(TT_OS_REJECTED) |
                  S_BIT(TT_OS_PENDING_CANCEL),
    [TT_OS_ACCEPTED] = S_BIT(TT_OS_PARTIALLY_FILLED) | S_DONE |
                       S_BIT(TT_OS_REJECTED) | S_BIT(TT_OS_PENDING_CANCEL) |
                       S_BIT(TT_OS_PENDING_REPLACE),
    [TT_OS_PARTIALLY_FILLED] = S_BIT(TT_OS_PARTIALLY_FILLED) | S_DONE |
                               S_BIT(TT_OS_PENDING_CANCEL) |
                               S_BIT(TT_OS_PENDING_REPLACE),
    [TT_OS_PENDING_CANCEL] = S_WORKING | S_DONE,
    [TT_OS_PENDING_REPLACE] = S_WORKING | S_DONE | S_BIT(TT_OS_REPLACED),
};

static bool s_valid(int state)
{
    return state >= TT_OS_MIN && state <= TT_OS_MAX;
}

const char *tt_ord_state_name(tt_ord_state_t state)
{
    return s_valid((int)state) ? s_state_names[state] : "INVALID";
}

const char *tt_ord_type_name(tt_ord_type_t type)
{
    switch (type) {
    case TT_ORD_MARKET:
        return "MARKET";
    case TT_ORD_LIMIT:
        return "LIMIT";
    case TT_ORD_STOP:
        return "STOP";
    case TT_ORD_STOP_LIMIT:
        return "STOP_LIMIT";
    }
    return "INVALID";
}

const char *tt_side_name(tt_side_t side)
{
    return side == TT_SIDE_BUY    ? "BUY"
           : side == TT_SIDE_SELL ? "SELL"
                                  : "INVALID";
}

const char *tt_tif_name(tt_tif_t tif)
{
    return tif == TT_TIF_DAY   ? "DAY"
           : tif == TT_TIF_GTC ? "GTC"
           : tif == TT_TIF_IOC ? "IOC"
                               : "INVALID";
}

bool tt_ord_allowed(tt_ord_state_t from, tt_ord_state_t to)
{
    if (!s_valid((int)from) || !s_valid((int)to))
        return false;
    return (s_edges[from] & S_BIT(to)) != 0;
}

bool tt_ord_terminal(tt_ord_state_t state)
{
    return s_valid((int)state) && s_edges[state] == 0;
}

bool tt_ord_live(tt_ord_state_t state)
{
    return s_valid((int)state) && s_edges[state] != 0;
}

int tt_order_move(tt_order_t *self, tt_ord_state_t to, tt_ns_t ts)
{
    assert(self);
    if (!tt_ord_allowed(self->state, to))
        return -1;
    self->state = to;
    self->updated_ts = ts;
    return 0;
}

tt_qty_t tt_order_leaves(const tt_order_t *self)
{
    assert(self);
    return self->qty - self->filled;
}

tt_side_t tt_side_opposite(tt_side_t side)
{
    return side == TT_SIDE_BUY ? TT_SIDE_SELL : TT_SIDE_BUY;
}

/* ---- client order ids ------------------------------------------------ */

static const char s_b36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

/* Writes V in base 36 (lower case) into OUT; returns the length (<= 13). */
static int s_base36(uint64_t v, char *out)
{
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = s_b36[v % 36];
        v /= 36;
    } while (v);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

static bool s_sym_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '.';
}

static uint64_t s_fnv1a(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* The symbol part of an id (see tt_coid_format); OUT holds 17 bytes. */
static void s_coid_symbol(const char *symbol, char *out)
{
    size_t len = strlen(symbol);
    bool plain = len <= TT_COID_SYMBOL_MAX;
    for (size_t i = 0; plain && i < len; i++)
        plain = s_sym_char(symbol[i]);
    if (plain) {
        memcpy(out, symbol, len + 1);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; symbol[i] && n < 9; i++)
        if (s_sym_char(symbol[i]))
            out[n++] = symbol[i];
    out[n++] = '_';
    uint64_t h = s_fnv1a(symbol);
    for (int i = 5; i >= 0; i--) {
        out[n + (size_t)i] = s_b36[h % 36];
        h /= 36;
    }
    out[n + 6] = '\0';
}

static bool s_role_ok(int role)
{
    return role == TT_ROLE_ENTRY || role == TT_ROLE_STOP ||
           role == TT_ROLE_TARGET || role == TT_ROLE_EXIT;
}

void tt_order_copy_text(char *dst, size_t cap, const char *src)
{
    assert(dst && src && cap > 0);
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

int tt_coid_format(char *out, const char *symbol, uint64_t seq, tt_role_t role)
{
    assert(out);
    out[0] = '\0';
    if (!symbol || !*symbol || !s_role_ok((int)role))
        return -1;
    /* "tt-" SYM "-" NUM "-" ROLE, assembled in place: at most 3 + 16 +
       1 + 13 + 2 = 35 bytes, within TT_COID_MAX. */
    char sym[TT_COID_SYMBOL_MAX + 1];
    s_coid_symbol(symbol, sym);
    size_t len = strlen(sym);
    memcpy(out, "tt-", 3);
    memcpy(out + 3, sym, len);
    size_t n = 3 + len;
    out[n++] = '-';
    n += (size_t)s_base36(seq, out + n);
    out[n++] = '-';
    out[n++] = (char)role;
    out[n] = '\0';
    assert(n <= TT_COID_MAX);
    return (int)n;
}

/* Parses the base-36 digits in [S, END) into *OUT; -1 if not digits or
   too large for 64 bits. */
static int s_parse_b36(const char *s, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    if (s == end || end - s > 13)
        return -1;
    for (; s < end; s++) {
        const char *p = *s ? strchr(s_b36, *s) : NULL;
        if (!p)
            return -1;
        unsigned d = (unsigned)(p - s_b36);
        if (v > (UINT64_MAX - d) / 36)
            return -1;
        v = v * 36 + d;
    }
    *out = v;
    return 0;
}

int tt_coid_parse(const char *id, uint64_t *seq, tt_role_t *role)
{
    if (!id || strncmp(id, "tt-", 3) != 0)
        return -1;
    size_t len = strlen(id);
    if (len < 8 || len > TT_COID_MAX || id[len - 2] != '-' ||
        !s_role_ok(id[len - 1]))
        return -1;
    const char *end = id + len - 2;
    const char *dash = end - 1;
    while (dash > id + 3 && *dash != '-')
        dash--;
    uint64_t v;
    if (dash <= id + 3 || s_parse_b36(dash + 1, end, &v) != 0)
        return -1;
    if (seq)
        *seq = v;
    if (role)
        *role = (tt_role_t)id[len - 1];
    return 0;
}
