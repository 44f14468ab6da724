/*  actors/checks.h: the start-up checks that need more than the config
    module knows: each sim venue's params, each live venue's params,
    endpoints and credentials (feed_venue.h) and each symbol's strategy and
    its parameters. Run by `ticktree check-config` and before `run`
    starts anything; every problem is reported as FILE:LINE: message. */
#ifndef TT_ACTORS_CHECKS_H
#define TT_ACTORS_CHECKS_H

#include "config/config.h"

/* Returns the number of problems reported through ERROR_FN. */
int tt_service_check(const tt_config_t *cfg, tt_config_error_fn *error_fn,
                     void *arg);

#endif
