/*  actors/control.c: the control actor (see control.h). Every request
    gets exactly one reply: a decoded command's result, or a clear error for
    anything malformed, truncated, oversized, unauthenticated or unknown.
    Nothing a client sends can take the service down. */
#include "actors/control.h"
#include "runtime/log.h"
#include "supervisor/health.h"
#include "supervisor/root_internal.h"

#include <stdio.h>
#include <string.h>

zsock_t *tt_control_bind(const tt_config_t *cfg)
{
    zsock_t *sock = zsock_new(ZMQ_REP);
    if (!sock)
        return NULL;
    zsock_set_maxmsgsize(sock, TT_CONTROL_HARD_MAX);
    zsock_set_linger(sock, 0);
    if (zsock_bind(sock, "%s", cfg->control_endpoint) < 0) {
        tt_error("control", "cannot bind %s: %s", cfg->control_endpoint,
                 zmq_strerror(zmq_errno()));
        zsock_destroy(&sock);
    }
    return sock;
}

void tt_control_reply(tt_root_t *root, const Tt__Reply *reply)
{
    size_t size = tt__reply__get_packed_size(reply);
    zframe_t *frame = zframe_new(NULL, size);
    tt__reply__pack(reply, zframe_data(frame));
    zframe_send(&frame, root->control, 0);
}

static void s_error(Tt__Reply *reply, Tt__Status status, char *buf, size_t size,
                    const char *text)
{
    snprintf(buf, size, "%s", text);
    reply->status = status;
    reply->error = buf;
}

static int s_symbol_command(tt_root_t *root, const Tt__Request *req, char *err,
                            size_t size)
{
    const Tt__SymbolCommand *cmd =
        req->command_case == TT__REQUEST__COMMAND_PAUSE    ? req->pause
        : req->command_case == TT__REQUEST__COMMAND_RESUME ? req->resume
                                                           : req->restart;
    tt_symbol_rec_t *sym =
        cmd && cmd->symbol ? tt_root_find_symbol(root, cmd->symbol) : NULL;
    if (!sym) {
        snprintf(err, size, "unknown symbol '%.64s'",
                 cmd && cmd->symbol ? cmd->symbol : "");
        return TT__STATUS__STATUS_UNKNOWN_SYMBOL;
    }
    if (req->command_case == TT__REQUEST__COMMAND_PAUSE)
        return tt_symbols_pause(root, sym, err, size);
    if (req->command_case == TT__REQUEST__COMMAND_RESUME)
        return tt_symbols_resume(root, sym, err, size);
    return tt_symbols_restart(root, sym, err, size);
}

static int s_fault(tt_root_t *root, const Tt__FaultRequest *req, char *err,
                   size_t size)
{
    if (!root->cfg->fault_injection) {
        snprintf(err, size,
                 "fault injection is disabled "
                 "(set service.fault_injection: true)");
        return TT__STATUS__STATUS_REFUSED;
    }
    tt_symbol_rec_t *sym = tt_root_find_symbol(root, req->symbol);
    if (!sym) {
        snprintf(err, size, "unknown symbol '%.64s'", req->symbol);
        return TT__STATUS__STATUS_UNKNOWN_SYMBOL;
    }
    int role = tt_role_parse(req->actor);
    if (role < 0) {
        snprintf(err, size,
                 "unknown actor '%.64s' (execution, data, indicator, "
                 "strategy)",
                 req->actor);
        return TT__STATUS__STATUS_UNKNOWN_ACTOR;
    }
    if (req->kind == TT__FAULT_KIND__FAULT_HANG &&
        (req->hang_ms == 0 || req->hang_ms > 600000)) {
        snprintf(err, size, "hang_ms must be 1..600000");
        return TT__STATUS__STATUS_BAD_REQUEST;
    }
    tt_sys_fault_t fault = {.kind = req->kind == TT__FAULT_KIND__FAULT_HANG
                                        ? TT_FAULT_HANG
                                        : TT_FAULT_ERROR,
                            .hang_ms = req->hang_ms};
    return tt_symbols_fault(root, sym, role, &fault, err, size);
}

/* Runs a decoded, authenticated request; fills REPLY. Returns true when
   the reply is owed later (a preview waits for the symbol's actors). */
static bool s_dispatch(tt_root_t *root, const Tt__Request *req,
                       Tt__Reply *reply, Tt__Health **health, char *err,
                       size_t size)
{
    int status = TT__STATUS__STATUS_OK;
    if (root->stop_requested &&
        req->command_case != TT__REQUEST__COMMAND_HEALTH &&
        req->command_case != TT__REQUEST__COMMAND_STOP) {
        s_error(reply, TT__STATUS__STATUS_SHUTTING_DOWN, err, size,
                "ticktree is shutting down");
        return false;
    }
    switch (req->command_case) {
    case TT__REQUEST__COMMAND_HEALTH:
        *health = tt_health_build(root);
        reply->health = *health;
        return false;
    case TT__REQUEST__COMMAND_PAUSE:
    case TT__REQUEST__COMMAND_RESUME:
    case TT__REQUEST__COMMAND_RESTART:
        status = s_symbol_command(root, req, err, size);
        break;
    case TT__REQUEST__COMMAND_STOP:
        tt_info("control", "stop requested");
        tt_root_request_stop(root);
        break;
    case TT__REQUEST__COMMAND_FAULT:
        status = s_fault(root, req->fault, err, size);
        break;
    case TT__REQUEST__COMMAND_BREAKER_RESET:
        status = tt_root_breaker_reset(
            root, req->breaker_reset ? req->breaker_reset->symbol : "", err,
            size);
        break;
    case TT__REQUEST__COMMAND_PREVIEW:
        status = tt_control_preview_start(root, req->preview, err, size);
        if (status == TT__STATUS__STATUS_OK)
            return true;
        break;
    default:
        s_error(reply, TT__STATUS__STATUS_BAD_REQUEST, err, size,
                "request names no command");
        return false;
    }
    reply->status = (Tt__Status)status;
    if (status != TT__STATUS__STATUS_OK)
        reply->error = err;
    return false;
}

/* Checks and decodes the request; a tt.Status value, ERR filled if not
   OK. */
static int s_decode(tt_root_t *root, zmsg_t *msg, Tt__Request **req, char *err,
                    size_t size)
{
    zframe_t *frame = zmsg_first(msg);
    if (zmsg_size(msg) != 1) {
        snprintf(err, size, "expected one frame, got %zu", zmsg_size(msg));
        return TT__STATUS__STATUS_BAD_REQUEST;
    }
    size_t len = zframe_size(frame);
    if (len > TT_CONTROL_MAX_REQUEST) {
        snprintf(err, size, "request of %zu bytes exceeds the %d-byte limit",
                 len, TT_CONTROL_MAX_REQUEST);
        return TT__STATUS__STATUS_TOO_LARGE;
    }
    *req = tt__request__unpack(NULL, len, zframe_data(frame));
    if (!*req) {
        snprintf(err, size,
                 "not a valid tt.Request (protobuf decode of "
                 "%zu bytes failed)",
                 len);
        return TT__STATUS__STATUS_BAD_REQUEST;
    }
    if (root->cfg->control_token &&
        !tt_config_token_ok(root->cfg->control_token, (*req)->token)) {
        snprintf(err, size, "missing or wrong token");
        return TT__STATUS__STATUS_UNAUTHORIZED;
    }
    return TT__STATUS__STATUS_OK;
}

void tt_control_handle(tt_root_t *root)
{
    zmsg_t *msg = zmsg_recv(root->control);
    if (!msg)
        return;
    Tt__Reply reply = TT__REPLY__INIT;
    Tt__Health *health = NULL;
    Tt__Request *req = NULL;
    char err[256];
    int status = s_decode(root, msg, &req, err, sizeof err);
    bool later = false;
    if (status == TT__STATUS__STATUS_OK)
        later = s_dispatch(root, req, &reply, &health, err, sizeof err);
    else {
        reply.status = (Tt__Status)status;
        reply.error = err;
    }
    if (reply.status != TT__STATUS__STATUS_OK)
        tt_warn("control", "request refused: %s", reply.error);
    if (!later)
        tt_control_reply(root, &reply);
    tt_health_free(health);
    if (req)
        tt__request__free_unpacked(req, NULL);
    zmsg_destroy(&msg);
}
