/*  actors/control.h: the control actor: the REP socket through which
    operators ask for health and pause, resume, restart or stop. It runs on
    the root thread, because every command reads or changes the root's
    records, and one thread owning them needs no lock. */
#ifndef TT_ACTORS_CONTROL_H
#define TT_ACTORS_CONTROL_H

#include <czmq.h>

#include "config/config.h"
#include "control.pb-c.h"
#include "supervisor/root.h"

/* Largest request answered normally; larger ones get STATUS_TOO_LARGE.
   Frames beyond TT_CONTROL_HARD_MAX make ZeroMQ drop the peer outright,
   so a client cannot make the service buffer without limit. */
#define TT_CONTROL_MAX_REQUEST 4096
#define TT_CONTROL_HARD_MAX (1024 * 1024)

/* Binds the REP socket on cfg->control_endpoint; NULL (logged) on error. */
zsock_t *tt_control_bind(const tt_config_t *cfg);

/* Reads one request from the root's control socket and replies (a
   preview's reply comes later, actors/control_preview.c). */
void tt_control_handle(tt_root_t *root);

/* Sends REPLY on the root's control socket. */
void tt_control_reply(tt_root_t *root, const Tt__Reply *reply);

#endif
