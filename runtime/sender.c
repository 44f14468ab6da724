/*  runtime/sender.c: one thread's way out (see runtime.h).

    A send never blocks. When a destination mailbox is at its high-water
    mark, a droppable frame (market data fan-out) is dropped and counted on
    the sending actor; a critical frame (orders, fills, supervision) is
    copied into this thread's overflow queue for that destination and
    retried, in order, on the thread's next loop. A thread that keeps
    reading its own mailbox while its overflow waits cannot deadlock with
    another doing the same.

    A frame is written once where it goes: a worker's local queue, a
    route's queue, or the ZeroMQ message; never first into a frame on the
    stack. A route's queue is one buffer of records, kept between flushes
    (a worker holds every frame to another thread until its drain ends:
    one malloc and one free a frame had been a tenth of a worker's
    instructions in a 100-symbol backtest). */
#include "runtime/runtime.h"
#include "runtime/log.h"
#include "runtime/bytes.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One queued frame in a route's buffer: this record, then the frame
   (header and body), padded to 8 bytes. */
typedef struct {
    uint32_t size;
    uint32_t critical; /* else dropped when its mailbox is still full */
} s_record_t;

/* A queue's buffer larger than this is given back once it empties (a
   burst to a full mailbox), so a quiet thread does not keep it. */
#define S_KEEP_CAP (4u << 20)

typedef struct {
    zsock_t *sock;
    tt_bytes_t q; /* overflow, oldest first */
    size_t queued;
    bool blocked; /* the last flush left a critical frame: mailbox full */
} s_route_t;

struct tt_sender {
    tt_runtime_t *rt;
    int routes;       /* workers + 2: then the root, then the bus */
    s_route_t *route; /* by worker index */
    size_t brokers;   /* venues: one route each, connected on first use */
    s_route_t *broker;
    size_t pending;
    bool hold;        /* queue frames to other threads until a flush */
    int local_worker; /* -1: none */
    tt_sender_local_fn local;
    void *local_arg;
};

tt_sender_t *tt_sender_new(tt_runtime_t *rt)
{
    tt_sender_t *self = calloc(1, sizeof *self);
    assert(self);
    self->rt = rt;
    self->local_worker = -1;
    int workers = tt_runtime_workers(rt);
    self->routes = workers + 2;
    self->route = calloc((size_t)self->routes, sizeof *self->route);
    assert(self->route);
    int hwm = tt_runtime_config(rt)->mailbox_hwm;
    for (int r = 0; r < self->routes; r++) {
        char endpoint[64];
        if (r == workers)
            snprintf(endpoint, sizeof endpoint, "%s",
                     tt_runtime_endpoint_root(rt));
        else if (r == workers + 1)
            snprintf(endpoint, sizeof endpoint, "%s",
                     tt_runtime_endpoint_bus(rt));
        else
            tt_runtime_endpoint_worker(rt, endpoint, sizeof endpoint, r);
        zsock_t *sock = zsock_new(ZMQ_PUSH);
        assert(sock);
        zsock_set_sndhwm(sock, hwm);
        zsock_set_linger(sock, 0);
        if (zsock_connect(sock, "%s", endpoint) != 0) {
            zsock_destroy(&sock);
            tt_sender_destroy(&self);
            return NULL;
        }
        self->route[r].sock = sock;
    }
    self->brokers = tt_runtime_config(rt)->venue_count;
    self->broker = calloc(self->brokers + 1, sizeof *self->broker);
    assert(self->broker);
    return self;
}

void tt_sender_hold(tt_sender_t *self, bool hold)
{
    self->hold = hold;
}

void tt_sender_local(tt_sender_t *self, int worker, tt_sender_local_fn deliver,
                     void *arg)
{
    self->local_worker = deliver ? worker : -1;
    self->local = deliver;
    self->local_arg = arg;
}

static void s_route_free(s_route_t *route)
{
    free(route->q.buf);
    route->q.buf = NULL;
    zsock_destroy(&route->sock);
}

/* The route to a venue's broker gateway, connected on first use: most
   threads never send to one. ZeroMQ's inproc transport lets the connect
   come before the gateway binds; frames wait in the pipe meanwhile. */
static s_route_t *s_broker_route(tt_sender_t *self, uint32_t to)
{
    size_t v = to - TT_ACTOR_BROKER_BASE;
    assert(v < self->brokers);
    s_route_t *route = &self->broker[v];
    if (route->sock)
        return route;
    char endpoint[64];
    tt_runtime_endpoint_broker(self->rt, endpoint, sizeof endpoint, v);
    route->sock = zsock_new(ZMQ_PUSH);
    assert(route->sock);
    zsock_set_sndhwm(route->sock, tt_runtime_config(self->rt)->mailbox_hwm);
    zsock_set_linger(route->sock, 0);
    int rc = zsock_connect(route->sock, "%s", endpoint);
    assert(rc == 0);
    return route;
}

void tt_sender_destroy(tt_sender_t **self_p)
{
    assert(self_p);
    tt_sender_t *self = *self_p;
    if (!self)
        return;
    for (int r = 0; r < self->routes; r++)
        s_route_free(&self->route[r]);
    for (size_t b = 0; self->broker && b < self->brokers; b++)
        s_route_free(&self->broker[b]);
    free(self->broker);
    free(self->route);
    free(self);
    *self_p = NULL;
}

static size_t s_record_size(size_t frame)
{
    return sizeof(s_record_t) + ((frame + 7) & ~(size_t)7);
}

/* Queues the frame HDR and BODY (hdr->len bytes) on ROUTE. */
static void s_enqueue(tt_sender_t *self, s_route_t *route,
                      const tt_msg_hdr_t *hdr, const void *body, bool critical)
{
    size_t size = sizeof *hdr + hdr->len;
    size_t need = s_record_size(size);
    if (route->q.tail + need > route->q.cap)
        tt_bytes_make_room(&route->q, need);
    unsigned char *at = route->q.buf + route->q.tail;
    s_record_t rec = {.size = (uint32_t)size, .critical = critical};
    memcpy(at, &rec, sizeof rec);
    memcpy(at + sizeof rec, hdr, sizeof *hdr);
    if (hdr->len)
        memcpy(at + sizeof rec + sizeof *hdr, body, hdr->len);
    route->q.tail += need;
    route->queued++;
    self->pending++;
}

/* Sends HDR and BODY as one frame without waiting; the bytes are copied
   once, into the message. The result is zmq_msg_send's. */
static int s_send_now(s_route_t *route, const tt_msg_hdr_t *hdr,
                      const void *body)
{
    zmq_msg_t out;
    size_t size = sizeof *hdr + hdr->len;
    if (zmq_msg_init_size(&out, size) != 0)
        return -1;
    unsigned char *data = zmq_msg_data(&out);
    memcpy(data, hdr, sizeof *hdr);
    if (hdr->len)
        memcpy(data + sizeof *hdr, body, hdr->len);
    int rc = zmq_msg_send(&out, zsock_resolve(route->sock), ZMQ_DONTWAIT);
    if (rc < 0) {
        int err = errno;
        zmq_msg_close(&out);
        errno = err;
    }
    return rc;
}

/* Whether a frame to TO is set aside (tt_runtime_set_bus_aside): one to
   the bus that makes it send nothing back. A barrier is answered, and so
   is an intent whose sender waits (intent 1). */
static bool s_aside(tt_sender_t *self, uint32_t to, uint16_t type,
                    const void *body, uint32_t len)
{
    if (to != TT_ACTOR_BUS || type == TT_EVT_BARRIER ||
        !tt_runtime_bus_aside(self->rt))
        return false;
    if (type == TT_EVT_ORDER && len >= sizeof(tt_evt_order_t))
        return ((const tt_evt_order_t *)body)->intent != 1;
    return true;
}

/* Counts a frame accepted: in flight, or set aside. */
static void s_sent(tt_sender_t *self, const tt_msg_hdr_t *hdr)
{
    if (hdr->flags & TT_MSG_F_ASIDE)
        tt_runtime_sent_aside(self->rt);
    else
        tt_runtime_sent(self->rt);
}

int tt_sender_send(tt_sender_t *self, uint32_t to, uint32_t from, uint16_t type,
                   const void *body, uint32_t len, bool critical)
{
    assert(len <= TT_MSG_BODY_MAX);
    tt_actor_entry_t *dest = NULL;
    int r = self->routes - 2;
    s_route_t *route = NULL;
    if (to == TT_ACTOR_BUS)
        r = self->routes - 1;
    else if (TT_ACTOR_IS_BROKER(to))
        route = s_broker_route(self, to);
    else if (to != TT_ACTOR_ROOT) {
        dest = tt_runtime_actor(self->rt, to);
        assert(dest);
        r = dest->worker;
    }
    tt_actor_entry_t *src = tt_runtime_actor(self->rt, from);
    tt_msg_hdr_t hdr = {
        .to = to,
        .from = from,
        .type = type,
        .flags = s_aside(self, to, type, body, len) ? TT_MSG_F_ASIDE : 0,
        .len = len,
        .origin_ns = tt_origin_get()};
    if (dest && dest->worker == self->local_worker) {
        int taken = self->local(self->local_arg, &hdr, body, critical);
        if (taken < 0) {
            if (src)
                atomic_fetch_add_explicit(&src->stats.drops, 1,
                                          memory_order_relaxed);
            return -1;
        }
        if (taken == 0)
            s_sent(self, &hdr);
        atomic_fetch_add_explicit(&dest->stats.enqueued, 1,
                                  memory_order_relaxed);
        return 0;
    }
    if (!route)
        route = &self->route[r];
    if (self->hold && (critical || !route->blocked)) {
        s_sent(self, &hdr);
        s_enqueue(self, route, &hdr, body, critical);
        return 0;
    }
    if (self->hold) { /* droppable, and the mailbox was full at the flush */
        if (src)
            atomic_fetch_add_explicit(&src->stats.drops, 1,
                                      memory_order_relaxed);
        return -1;
    }
    if (!route->queued) {
        if (s_send_now(route, &hdr, body) >= 0) {
            s_sent(self, &hdr);
            if (dest)
                atomic_fetch_add_explicit(&dest->stats.enqueued, 1,
                                          memory_order_relaxed);
            return 0;
        }
        if (errno != EAGAIN && errno != EINTR) {
            /* Not a full mailbox: the socket is unusable (ETERM while
               the process ends). Queueing would only hold the frame
               forever, so it is dropped, counted and said. */
            tt_error("runtime", "send to actor %u failed: %s", to,
                     zmq_strerror(errno));
            if (src)
                atomic_fetch_add_explicit(&src->stats.drops, 1,
                                          memory_order_relaxed);
            return -1;
        }
    }
    if (!critical) {
        if (src)
            atomic_fetch_add_explicit(&src->stats.drops, 1,
                                      memory_order_relaxed);
        return -1;
    }
    if (src)
        atomic_fetch_add_explicit(&src->stats.backpressured, 1,
                                  memory_order_relaxed);
    s_sent(self, &hdr);
    s_enqueue(self, route, &hdr, body, true);
    return 0;
}

static void s_flush_route(tt_sender_t *self, s_route_t *route)
{
    void *sock = zsock_resolve(route->sock);
    while (route->queued) {
        unsigned char *at = route->q.buf + route->q.head;
        s_record_t rec;
        tt_msg_hdr_t hdr;
        memcpy(&rec, at, sizeof rec);
        memcpy(&hdr, at + sizeof rec, sizeof hdr);
        if (zmq_send(sock, at + sizeof rec, rec.size, ZMQ_DONTWAIT) !=
            (int)rec.size) {
            if (rec.critical) {
                route->blocked = true;
                return;
            }
            /* A droppable frame held for the flush meets a full mailbox:
               dropped, as it would have been when sent. */
            tt_actor_entry_t *src = tt_runtime_actor(self->rt, hdr.from);
            if (src)
                atomic_fetch_add_explicit(&src->stats.drops, 1,
                                          memory_order_relaxed);
            if (hdr.flags & TT_MSG_F_ASIDE)
                tt_runtime_handled_aside(self->rt, 1);
            else
                tt_runtime_handled(self->rt, 1);
        } else {
            tt_actor_entry_t *dest = tt_runtime_actor(self->rt, hdr.to);
            if (dest)
                atomic_fetch_add_explicit(&dest->stats.enqueued, 1,
                                          memory_order_relaxed);
        }
        route->q.head += s_record_size(rec.size);
        route->queued--;
        self->pending--;
    }
    route->q.head = route->q.tail = 0;
    if (route->q.cap > S_KEEP_CAP) {
        free(route->q.buf);
        route->q.buf = NULL;
        route->q.cap = 0;
    }
    route->blocked = false;
}

size_t tt_sender_flush(tt_sender_t *self)
{
    for (int r = 0; r < self->routes && self->pending; r++)
        s_flush_route(self, &self->route[r]);
    for (size_t b = 0; b < self->brokers && self->pending; b++)
        if (self->broker[b].queued)
            s_flush_route(self, &self->broker[b]);
    return self->pending;
}

size_t tt_sender_pending(const tt_sender_t *self)
{
    return self->pending;
}
