/*  venues/paper/paper_state.h: the paper broker's state as text, so a
    restarted service finds the broker as it was left: its resting orders
    (with what they have filled and at what price), the arrival counter
    and the fill counter. The execution actor saves it through the bus
    into the store (paper_state table) whenever it changes, and loads it
    at a warm restart (actors/exec_reconcile.h). Pure logic.

    The format is line-based text, readable with the sqlite3 shell
    (docs/STORE.md, "paper_state"):

        ticktree-paper 1
        arrivals <n> fills <n>
        order <coid> <side> <type> <tif> <qty> <filled> <limit_px>
              <stop_px> <eligible_ts> <triggered> <fills> <seq>
              <last_px> <fees>                      (one line each)

    Enumerations are the orders/order.h numbers; prices, quantities and
    money are the scaled integers of the instrument. */
#ifndef TT_VENUES_PAPER_PAPER_STATE_H
#define TT_VENUES_PAPER_PAPER_STATE_H

#include <stddef.h>

#include "venues/paper/fill_model.h"

/* Room for TT_PAPER_ORDERS orders with the longest numbers. */
#define TT_PAPER_STATE_MAX 16384

/* Writes SELF's state into BUF (CAP bytes, not NUL-terminated). Returns
   its length, or 0 when CAP is too small. */
size_t tt_paper_save(const tt_paper_t *self, char *buf, size_t cap);

/* Replaces SELF's resting orders and counters by the state in BUF (LEN
   bytes, as tt_paper_save wrote it); its config and instrument stay.
   Returns 0, or -1 with the reason (and the line) in SELF->err, SELF
   unchanged otherwise: a bad header, a malformed or out-of-range field,
   a duplicate client id, orders out of arrival order, too many. */
int tt_paper_load(tt_paper_t *self, const void *buf, size_t len);

#endif
