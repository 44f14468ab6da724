/*  supervisor/health.h: builds the health reply (messages/control.proto)
    from the root's records. Root thread only. */
#ifndef TT_SUPERVISOR_HEALTH_H
#define TT_SUPERVISOR_HEALTH_H

#include "control.pb-c.h"
#include "supervisor/root.h"

#include "runtime/version.h"

/* A snapshot of the tree; free with tt_health_free. Strings point into the
   root's records: pack or print it before the root changes. */
Tt__Health *tt_health_build(tt_root_t *self);
void tt_health_free(Tt__Health *health);

#endif
