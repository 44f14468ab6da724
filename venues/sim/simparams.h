/*  venues/sim/simparams.h: the sim venue's settings from the config file.

    The config module keeps a venue's `params:` as raw key/value/line
    triples (tt_params_t); this file gives them their meaning for the sim
    venue and validates every one, reporting each problem as
    "FILE:LINE: message" so the user is pointed at the right line. Runs on
    the main thread at start-up. Keys and defaults: docs/DATA.md. */
#ifndef TT_SIM_SIMPARAMS_H
#define TT_SIM_SIMPARAMS_H

#include "config/config.h"
#include "venues/sim/simmarket.h"

/* Starts from the defaults (tt_sim_params_default) and applies every key of
   PARAMS (NULL: none). Each problem (unknown or repeated key, value not a
   number, value out of range) is reported through ERROR_FN (stderr when
   NULL) prefixed with FILE (when not NULL) and the key's line. Returns the
   number of problems; *OUT is fully written only when it returns 0. The
   calendar hooks are left NULL for the caller to set. */
int tt_sim_params_parse(const tt_params_t *params, const char *file,
                        tt_sim_params_t *out, tt_config_error_fn *error_fn,
                        void *arg);

#endif
