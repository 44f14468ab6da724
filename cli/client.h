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

/* Name of a tt.Status value ("BAD_REQUEST"). */
const char *tt_client_status_name(int status);

#endif
