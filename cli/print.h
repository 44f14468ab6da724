/*  cli/print.h: how `ticktree health` shows the tree: an aligned text
    table for people, or one JSON document (--json) for scripts. */
#ifndef TT_CLI_PRINT_H
#define TT_CLI_PRINT_H

#include <stdio.h>

#include "control.pb-c.h"

void tt_print_health_text(FILE *out, const Tt__Health *health);

/* Writes the health as JSON; 0 or -1. */
int tt_print_health_json(FILE *out, const Tt__Health *health);

/* "RUNNING" for a tt.State value. */
const char *tt_print_state(int state);

#endif
