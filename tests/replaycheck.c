/*  tests/replaycheck.c: see replaycheck.h. */
#include "tests/replaycheck.h"

#include <string.h>

int tth_replay_lookup(void *arg, const char *symbol, tt_instrument_t *in)
{
    int *calls = arg;
    if (calls)
        (*calls)++;
    static const struct {
        const char *name;
        tt_instrument_t in;
    } table[] = {{"BTCUSD", {2, 4, 1, 1}},
                 {"ETHUSD", {2, 8, 1, 1}},
                 {"AAPL", {2, 0, 1, 1}}};
    for (int i = 0; i < 3; i++) {
        if (strcmp(symbol, table[i].name) == 0) {
            *in = table[i].in;
            return i;
        }
    }
    return -1;
}
