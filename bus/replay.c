/*  bus/replay.c: the replay endpoint (see bus_internal.h). A subscriber
    that sees a gap, or starts late, asks for "events FROM to TO" and gets
    them from the store exactly as they were published, a chunk at a time
    (the ZeroMQ Guide's Clone pattern: subscribe first, then fetch the
    missed range, then drop live events already seen). */
#include "bus/bus_internal.h"
#include "config/config.h"
#include "runtime/log.h"
#include "events.pb-c.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    Tt__ReplayItem *items;
    Tt__ReplayItem **ptrs;
    uint8_t **copies;
    size_t n, cap;
} s_collect_t;

static int s_collect(uint64_t seq, tt_ns_t ts, const char *topic,
                     const char *symbol, const void *payload, size_t len,
                     void *arg)
{
    (void)seq;
    (void)ts;
    (void)symbol;
    s_collect_t *c = arg;
    if (c->n == c->cap)
        return 1;
    uint8_t *copy = malloc(len ? len : 1);
    char *topic_copy = strdup(topic);
    if (!copy || !topic_copy) {
        free(copy);
        free(topic_copy);
        return 1;
    }
    memcpy(copy, payload, len);
    Tt__ReplayItem *item = &c->items[c->n];
    tt__replay_item__init(item);
    item->topic = topic_copy;
    item->event.data = copy;
    item->event.len = len;
    c->ptrs[c->n] = item;
    c->copies[c->n] = copy;
    c->n++;
    return 0;
}

static void s_send(zsock_t *rep, Tt__ReplayReply *reply)
{
    size_t size = tt__replay_reply__get_packed_size(reply);
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) {
        zmq_send(zsock_resolve(rep), "", 0, 0);
        return;
    }
    tt__replay_reply__pack(reply, buf);
    zmq_send(zsock_resolve(rep), buf, size, 0);
    free(buf);
}

static void s_error(zsock_t *rep, Tt__Status status, const char *text,
                    uint64_t last_seq, tt_bus_stats_t *stats)
{
    Tt__ReplayReply reply = TT__REPLAY_REPLY__INIT;
    reply.status = status;
    reply.error = (char *)text;
    reply.last_seq = last_seq;
    atomic_fetch_add(&stats->bad_requests, 1);
    s_send(rep, &reply);
}

void tt_bus_replay_serve(zsock_t *rep, tt_store_t *store, const char *token,
                         uint64_t last_seq, tt_bus_stats_t *stats)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, zsock_resolve(rep), ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&msg);
        return;
    }
    bool more = zmq_msg_more(&msg);
    Tt__ReplayRequest *req =
        more ? NULL
             : tt__replay_request__unpack(NULL, zmq_msg_size(&msg),
                                          zmq_msg_data(&msg));
    zmq_msg_close(&msg);
    while (more) { /* a REP must read the whole request before replying */
        zmq_msg_init(&msg);
        more = zmq_msg_recv(&msg, zsock_resolve(rep), 0) >= 0 &&
               zmq_msg_more(&msg);
        zmq_msg_close(&msg);
    }
    if (!req) {
        s_error(rep, TT__STATUS__STATUS_BAD_REQUEST,
                "not a ReplayRequest (one protobuf frame expected)", last_seq,
                stats);
        return;
    }
    if (token && !tt_config_token_ok(token, req->token)) {
        s_error(rep, TT__STATUS__STATUS_UNAUTHORIZED, "missing or wrong token",
                last_seq, stats);
        tt__replay_request__free_unpacked(req, NULL);
        return;
    }
    uint64_t from = req->from_seq ? req->from_seq : 1;
    uint64_t to = req->to_seq ? req->to_seq : UINT64_MAX;
    size_t max = req->max_events && req->max_events < TT_BUS_REPLAY_MAX
                     ? req->max_events
                     : TT_BUS_REPLAY_MAX;
    tt__replay_request__free_unpacked(req, NULL);
    if (to < from) {
        s_error(rep, TT__STATUS__STATUS_BAD_REQUEST, "to_seq is below from_seq",
                last_seq, stats);
        return;
    }
    s_collect_t c = {.cap = max};
    c.items = calloc(max, sizeof *c.items);
    c.ptrs = calloc(max, sizeof *c.ptrs);
    c.copies = calloc(max, sizeof *c.copies);
    Tt__ReplayReply reply = TT__REPLAY_REPLY__INIT;
    reply.last_seq = last_seq;
    if (!c.items || !c.ptrs || !c.copies ||
        tt_store_events_range(store, from, to, s_collect, &c) != 0) {
        reply.status = TT__STATUS__STATUS_REFUSED;
        reply.error =
            (char *)(c.items ? tt_store_error(store) : "out of memory");
        tt_error("bus", "replay %llu..%llu: %s", (unsigned long long)from,
                 (unsigned long long)to, reply.error);
    } else {
        reply.n_items = c.n;
        reply.items = c.ptrs;
    }
    s_send(rep, &reply);
    atomic_fetch_add(&stats->replays, 1);
    for (size_t i = 0; i < c.n; i++) {
        free(c.items[i].topic);
        free(c.copies[i]);
    }
    free(c.items);
    free(c.ptrs);
    free(c.copies);
}
