/*  venues/tickserver/subscribe.h: what a tickserver client may say.

    A client sends {"action":"subscribe","symbols":["BTCUSD",...]} to
    choose which symbols it receives (replacing its previous choice); any
    other text gets an error frame {"T":"error","msg":"..."} back and
    changes nothing. Pure functions over text (jansson), run by the
    tickserver's thread for each message a client sends. Protocol:
    docs/TICKSERVER.md. */
#ifndef TT_TICKSERVER_SUBSCRIBE_H
#define TT_TICKSERVER_SUBSCRIBE_H

#include <stddef.h>
#include <stdint.h>

#include "venues/sim/simmarket.h"

/* Parses one client message of LEN bytes against the symbols of MARKET.
   On success sets FILTER[i] (one byte per market symbol) to 1 for the
   symbols named and 0 for the others, and returns 0. Otherwise returns -1
   with a message in ERR (ERRSIZE bytes) and leaves FILTER untouched. */
int tt_subscribe_parse(const char *text, size_t len,
                       const tt_simmarket_t *market, uint8_t *filter, char *err,
                       size_t errsize);

/* Writes the error frame {"T":"error","msg":MSG} (MSG escaped as JSON)
   into BUF. Returns its length, or -1 if SIZE is too small. */
int tt_subscribe_error_frame(const char *msg, char *buf, size_t size);

#endif
