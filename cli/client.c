/*  cli/client.c: control protocol client (see client.h). */
#include "cli/client.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>

Tt__Reply *tt_client_call_raw(const char *endpoint, const void *data,
                              size_t len, int timeout_ms, char *err,
                              size_t size)
{
    zsock_t *sock = zsock_new(ZMQ_REQ);
    if (!sock) {
        snprintf(err, size, "cannot create a socket");
        return NULL;
    }
    zsock_set_linger(sock, 0);
    zsock_set_rcvtimeo(sock, timeout_ms);
    zsock_set_sndtimeo(sock, timeout_ms);
    Tt__Reply *reply = NULL;
    if (zsock_connect(sock, "%s", endpoint) != 0) {
        snprintf(err, size, "cannot connect to %s", endpoint);
        goto done;
    }
    zframe_t *frame = zframe_new(data, len);
    if (zframe_send(&frame, sock, 0) != 0) {
        zframe_destroy(&frame);
        snprintf(err, size, "cannot send to %s", endpoint);
        goto done;
    }
    zframe_t *answer = zframe_recv(sock);
    if (!answer) {
        snprintf(err, size,
                 "no reply from %s within %d ms (is ticktree running?)",
                 endpoint, timeout_ms);
        goto done;
    }
    reply = tt__reply__unpack(NULL, zframe_size(answer), zframe_data(answer));
    if (!reply)
        snprintf(err, size, "undecodable reply from %s", endpoint);
    zframe_destroy(&answer);
done:
    zsock_destroy(&sock);
    return reply;
}

Tt__Reply *tt_client_call(const char *endpoint, const Tt__Request *req,
                          int timeout_ms, char *err, size_t size)
{
    size_t len = tt__request__get_packed_size(req);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        snprintf(err, size, "out of memory");
        return NULL;
    }
    tt__request__pack(req, buf);
    Tt__Reply *reply =
        tt_client_call_raw(endpoint, buf, len, timeout_ms, err, size);
    free(buf);
    return reply;
}

const char *tt_client_status_name(int status)
{
    const ProtobufCEnumValue *value =
        protobuf_c_enum_descriptor_get_value(&tt__status__descriptor, status);
    return value ? value->name + 7 /* "STATUS_" */ : "UNKNOWN";
}
