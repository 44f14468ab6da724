/*  venues/wsfeed/feedmsg.h: what one text message from a tickserver-style
    feed is, decided once per message.

    A message is a trade tick (tickjson, "T":"t"), a heartbeat
    ("T":"hb"), an error the server reports ("T":"error"), a well-formed
    message of a kind this client does not know (the format may grow), a
    tick for a symbol the caller's lookup does not know, or malformed.
    Ticks as the server writes them take a fast path straight into
    tt_tickjson_parse; anything else is looked at with jansson first. Pure
    logic; run by the wsfeed client's thread for every frame. */
#ifndef TT_WSFEED_FEEDMSG_H
#define TT_WSFEED_FEEDMSG_H

#include <stddef.h>

#include "venues/sim/tickjson.h"

typedef enum {
    TT_FEEDMSG_TICK = 0,
    TT_FEEDMSG_HEARTBEAT,
    TT_FEEDMSG_ERROR,          /* the server's error frame */
    TT_FEEDMSG_OTHER,          /* well-formed, of a type we ignore */
    TT_FEEDMSG_UNKNOWN_SYMBOL, /* a tick the lookup does not know */
    TT_FEEDMSG_MALFORMED,
} tt_feedmsg_kind_t;

typedef struct {
    tt_feedmsg_kind_t kind;
    tt_tickjson_msg_t tick; /* TT_FEEDMSG_TICK */
    tt_ns_t hb_ts;          /* TT_FEEDMSG_HEARTBEAT: the server's time */
    char text[160];         /* ERROR: the server's message; MALFORMED: why */
} tt_feedmsg_t;

/* Classifies and parses the LEN bytes of TEXT; LOOKUP (with ARG) maps a
   symbol to its index and instrument as for tt_tickjson_parse. Fills OUT
   and returns OUT->kind. */
tt_feedmsg_kind_t tt_feedmsg_parse(const char *text, size_t len,
                                   tt_tickjson_lookup_fn *lookup, void *arg,
                                   tt_feedmsg_t *out);

#endif
