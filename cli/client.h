/*  cli/client.h: the client half of the control protocol, used by the
    `ticktree health|pause|resume|restart|stop|fault` subcommands and by the
    tests. One REQ socket per request, a bounded wait for the reply, and
    no retries: a REQ socket that timed out is discarded, never reused. */
#ifndef TT_CLI_CLIENT_H
#define TT_CLI_CLIENT_H

#include "control.pb-c.h"

/* Sends REQ to ENDPOINT and waits up to TIMEOUT_MS. Returns the decoded
   reply (free with tt__reply__free_unpacked), or NULL with ERR filled
   (no reply in time, or an undecodable one). */
Tt__Reply *tt_client_call(const char *endpoint, const Tt__Request *req,
                          int timeout_ms, char *err, size_t size);

/* Sends raw bytes as one frame (for tests of malformed requests). */
Tt__Reply *tt_client_call_raw(const char *endpoint, const void *data,
                              size_t len, int timeout_ms, char *err,
                              size_t size);

/* What the subcommands share: resolves the endpoint (ENDPOINT, else the
   one of the config at CONFIG or the default config) and the token (the
   config's, else $TICKTREE_CONTROL_TOKEN), sends REQ and waits up to
   TIMEOUT_MS. Prints any error to stderr and returns the exit code
   (cli/commands.h); on success *OUT (when OUT is set) receives the reply
   (free with tt__reply__free_unpacked). Defined in control_cmds.c. */
int tt_cli_call(const char *config, const char *endpoint, int timeout_ms,
                Tt__Request *req, Tt__Reply **out);

/* Name of a tt.Status value ("BAD_REQUEST"). */
const char *tt_client_status_name(int status);

#endif
