/*  cli/events_cmd.c: `ticktree events`, a subscriber of the event stream.

    It follows the Clone pattern (ZeroMQ Guide): subscribe first, so that
    nothing published from now on is missed; then, with --from N, fetch
    N.. from the replay endpoint in chunks; then print the live stream,
    skipping what the replay already printed. Without a topic filter every
    sequence number is seen, so a gap in the live stream (a drop at the
    high-water mark) is filled from the replay endpoint before going on:
    the output has no gap and no duplicate. With --topic, only matching
    events are printed (live filtering by prefix; the replayed range is
    filtered the same way), and gaps cannot be told from other topics. */
#include "cli/commands.h"
#include "config/config.h"
#include "events.pb-c.h"

#include <czmq.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_TOPICS_MAX 16

typedef struct {
    const char *config, *endpoint, *replay;
    const char *topics[S_TOPICS_MAX];
    int ntopics;
    uint64_t from;  /* 0: live only */
    long count;     /* stop after this many; 0: no limit */
    long idle_ms;   /* stop after this long without an event; 0: never */
    int timeout_ms; /* per replay request */
    bool json;
    /* state */
    uint64_t last; /* last sequence printed */
    long printed;
    const char *token;
} s_ev_t;

static int s_parse_num(const char *name, const char *text, long max, long *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (*end || end == text || v < 0 || v > max) {
        fprintf(stderr, "ticktree events: %s: expected 0..%ld, got '%s'\n",
                name, max, text);
        return -1;
    }
    *out = v;
    return 0;
}

static int s_parse(int argc, char **argv, s_ev_t *o)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"endpoint", required_argument, NULL, 'e'},
        {"replay", required_argument, NULL, 'r'},
        {"topic", required_argument, NULL, 'T'},
        {"from", required_argument, NULL, 'f'},
        {"count", required_argument, NULL, 'n'},
        {"idle-timeout", required_argument, NULL, 'i'},
        {"timeout", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    long v;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:", options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            o->config = optarg;
            break;
        case 'e':
            o->endpoint = optarg;
            break;
        case 'r':
            o->replay = optarg;
            break;
        case 'T':
            if (o->ntopics == S_TOPICS_MAX) {
                fprintf(stderr, "ticktree events: at most %d --topic\n",
                        S_TOPICS_MAX);
                return -1;
            }
            o->topics[o->ntopics++] = optarg;
            break;
        case 'f':
            if (s_parse_num("--from", optarg, LONG_MAX, &v) || v < 1) {
                fprintf(stderr, "ticktree events: --from starts at 1\n");
                return -1;
            }
            o->from = (uint64_t)v;
            break;
        case 'n':
            if (s_parse_num("--count", optarg, LONG_MAX, &o->count))
                return -1;
            break;
        case 'i':
            if (s_parse_num("--idle-timeout", optarg, 86400000, &o->idle_ms))
                return -1;
            break;
        case 't':
            if (s_parse_num("--timeout", optarg, 600000, &v) || v == 0)
                return -1;
            o->timeout_ms = (int)v;
            break;
        case 'j':
            o->json = true;
            break;
        default:
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ticktree events: unexpected argument '%s'\n",
                argv[optind]);
        return -1;
    }
    return 0;
}

static bool s_wanted(const s_ev_t *o, const char *topic)
{
    if (!o->ntopics)
        return true;
    for (int i = 0; i < o->ntopics; i++)
        if (!strncmp(topic, o->topics[i], strlen(o->topics[i])))
            return true;
    return false;
}

static void s_time(int64_t ts, char *buf, size_t size)
{
    time_t secs = (time_t)(ts / 1000000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03dZ", (int)(ts % 1000000000 / 1000000));
}

static const char *s_state(Tt__State s)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&tt__state__descriptor, (int)s);
    return v ? v->name + 6 : "?"; /* "STATE_RUNNING" -> "RUNNING" */
}

/* One line for a person. */
/* A fill: what reached the position and its fee, then what the venue
   reported when it says more (an executed quantity above qty, a
   commission in a named asset). Events stored before these fields
   existed have them empty. */
static void s_print_fill(const Tt__Fill *f)
{
    printf("%s %s %s @ %s fee %s", f->client_order_id, f->side, f->qty,
           f->price, f->fee);
    if (*f->executed_qty && strcmp(f->executed_qty, f->qty) != 0)
        printf(" executed %s", f->executed_qty);
    if (*f->commission && *f->commission_asset)
        printf(" commission %s %s", f->commission, f->commission_asset);
}

static void s_print_text(const Tt__Event *ev, const char *topic)
{
    char when[40];
    s_time(ev->ts_ns, when, sizeof when);
    printf("%llu %s %s ", (unsigned long long)ev->seq, when, topic);
    switch (ev->body_case) {
    case TT__EVENT__BODY_ORDER: {
        const Tt__Order *o = ev->order;
        printf("%s %s %s %s %s", o->client_order_id, o->state, o->side, o->type,
               o->qty);
        if (*o->limit_price)
            printf(" limit %s", o->limit_price);
        if (*o->stop_price)
            printf(" stop %s", o->stop_price);
        if (*o->reason)
            printf(" (%s)", o->reason);
        break;
    }
    case TT__EVENT__BODY_FILL:
        s_print_fill(ev->fill);
        break;
    case TT__EVENT__BODY_POSITION:
        printf("qty %s avg %s realized %s fees %s", ev->position->qty,
               ev->position->avg_price, ev->position->realized_pnl,
               ev->position->fees);
        break;
    case TT__EVENT__BODY_CANDLE:
        printf("%ds O %s H %s L %s C %s V %s", ev->candle->timeframe_s,
               ev->candle->open, ev->candle->high, ev->candle->low,
               ev->candle->close, ev->candle->volume);
        break;
    case TT__EVENT__BODY_LIFECYCLE:
        printf("%s -> %s (%s)", s_state(ev->lifecycle->from),
               s_state(ev->lifecycle->to), ev->lifecycle->reason);
        break;
    case TT__EVENT__BODY_REJECTION:
        printf("%s refused: %s", ev->rejection->signal, ev->rejection->text);
        break;
    case TT__EVENT__BODY_BREAKER:
        printf("breaker %s: %s", ev->breaker->tripped ? "tripped" : "reset",
               ev->breaker->reason);
        break;
    case TT__EVENT__BODY_EOD: {
        const Tt__EodSummary *e = ev->eod;
        printf("%s %d %s: %u trades, %u wins, net %s, fees %s, max "
               "drawdown %s",
               e->venue, (int)e->session, *e->symbol ? e->symbol : "total",
               e->trades, e->wins, e->net_pnl, e->fees, e->max_drawdown);
        break;
    }
    case TT__EVENT__BODY_RECONCILE:
        printf("reconcile %s %s%s%s: %s", ev->reconcile->action,
               ev->reconcile->client_order_id,
               *ev->reconcile->fill_id ? " fill " : "", ev->reconcile->fill_id,
               ev->reconcile->reason);
        break;
    case TT__EVENT__BODY_PROTECTION:
        if (ev->protection->unprotected)
            printf("UNPROTECTED: no working stop (%s)", ev->protection->reason);
        else
            printf("protected: a working stop again, or flat");
        break;
    default:
        printf("(unknown body %d)", (int)ev->body_case);
    }
    printf("\n");
}

/* Every field of the body, by its protobuf name (string fields stay
   strings: prices are exact decimals). */
static json_t *s_message_json(const ProtobufCMessage *msg)
{
    json_t *obj = json_object();
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *p = (const char *)msg + f->offset;
        json_t *v = NULL;
        switch (f->type) {
        case PROTOBUF_C_TYPE_STRING:
            v = json_string(*(char *const *)p);
            break;
        case PROTOBUF_C_TYPE_BOOL:
            v = json_boolean(*(const protobuf_c_boolean *)p);
            break;
        case PROTOBUF_C_TYPE_INT32:
            v = json_integer(*(const int32_t *)p);
            break;
        case PROTOBUF_C_TYPE_UINT32:
            v = json_integer(*(const uint32_t *)p);
            break;
        case PROTOBUF_C_TYPE_INT64:
            v = json_integer(*(const int64_t *)p);
            break;
        case PROTOBUF_C_TYPE_UINT64:
            v = json_integer((json_int_t) * (const uint64_t *)p);
            break;
        case PROTOBUF_C_TYPE_ENUM:
            v = json_string(s_state(*(const Tt__State *)p));
            break;
        default:
            break;
        }
        if (v)
            json_object_set_new(obj, f->name, v);
    }
    return obj;
}

static void s_print_json(const Tt__Event *ev, const char *topic)
{
    json_t *obj = json_object();
    json_object_set_new(obj, "seq", json_integer((json_int_t)ev->seq));
    json_object_set_new(obj, "ts_ns", json_integer(ev->ts_ns));
    json_object_set_new(obj, "topic", json_string(topic));
    json_object_set_new(obj, "symbol", json_string(ev->symbol));
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
        &tt__event__descriptor, ev->body_case);
    if (f) {
        const ProtobufCMessage *body =
            *(ProtobufCMessage *const *)((const char *)ev + f->offset);
        json_object_set_new(obj, "kind", json_string(f->name));
        json_object_set_new(obj, f->name, s_message_json(body));
    }
    char *text = json_dumps(obj, JSON_COMPACT);
    printf("%s\n", text);
    free(text);
    json_decref(obj);
}

/* Prints one event unless already printed; returns true when --count is
   reached. */
static bool s_emit(s_ev_t *o, const char *topic, const uint8_t *data,
                   size_t len)
{
    Tt__Event *ev = tt__event__unpack(NULL, len, data);
    if (!ev) {
        fprintf(stderr,
                "ticktree events: undecodable event on %s "
                "(%zu bytes) skipped\n",
                topic, len);
        return false;
    }
    if (ev->seq > o->last) {
        o->last = ev->seq;
        if (s_wanted(o, topic)) {
            if (o->json)
                s_print_json(ev, topic);
            else
                s_print_text(ev, topic);
            fflush(stdout);
            o->printed++;
        }
    }
    tt__event__free_unpacked(ev, NULL);
    return o->count && o->printed >= o->count;
}

/* Fetches FROM..TO (TO 0: up to the latest) from the replay endpoint
   and prints it. Returns 0, 1 when --count was reached, -1 on error. */
static int s_replay(s_ev_t *o, zsock_t *req, uint64_t from, uint64_t to)
{
    for (int chunk = 0; chunk < 1000000; chunk++) {
        Tt__ReplayRequest rq = TT__REPLAY_REQUEST__INIT;
        rq.token = (char *)(o->token ? o->token : "");
        rq.from_seq = from;
        rq.to_seq = to;
        uint8_t buf[256];
        size_t size = tt__replay_request__pack(&rq, buf);
        zmq_send(zsock_resolve(req), buf, size, 0);
        zmq_pollitem_t item = {zsock_resolve(req), 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, o->timeout_ms) <= 0) {
            fprintf(stderr,
                    "ticktree events: the replay endpoint %s did not "
                    "answer within %d ms\n",
                    o->replay, o->timeout_ms);
            return -1;
        }
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        zmq_msg_recv(&msg, zsock_resolve(req), 0);
        Tt__ReplayReply *reply = tt__replay_reply__unpack(
            NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
        zmq_msg_close(&msg);
        if (!reply || reply->status != TT__STATUS__STATUS_OK) {
            fprintf(stderr, "ticktree events: replay %llu..: %s\n",
                    (unsigned long long)from,
                    reply ? reply->error : "undecodable reply");
            tt__replay_reply__free_unpacked(reply, NULL);
            return -1;
        }
        int rc = 0;
        for (size_t i = 0; i < reply->n_items && !rc; i++)
            rc = s_emit(o, reply->items[i]->topic, reply->items[i]->event.data,
                        reply->items[i]->event.len);
        uint64_t last_seq = reply->last_seq;
        size_t n = reply->n_items;
        tt__replay_reply__free_unpacked(reply, NULL);
        if (rc)
            return 1;
        /* Done when the range (or everything stored) has been covered; a
           hole left by retention is skipped, not waited for. */
        uint64_t end = to ? to : last_seq;
        if (o->last >= end || n == 0) {
            if (o->last < end)
                o->last = end;
            return 0;
        }
        from = o->last + 1;
    }
    return 0;
}

static void s_quiet(void *arg, const char *message)
{
    (void)arg;
    fprintf(stderr, "%s\n", message);
}

/* Endpoints and token: flags first, then the config file. */
static int s_resolve(s_ev_t *o, tt_config_t **cfg)
{
    if (o->endpoint && (o->replay || !o->from) && !o->config)
        return 0;
    const char *path = o->config ? o->config : tt_default_config_path();
    *cfg = tt_config_load(path, s_quiet, NULL, NULL);
    if (!*cfg) {
        fprintf(stderr,
                "ticktree events: cannot use %s to find the event "
                "endpoints (or pass --endpoint and --replay)\n",
                path);
        return -1;
    }
    if (!o->endpoint)
        o->endpoint = (*cfg)->events_endpoint;
    if (!o->replay)
        o->replay = (*cfg)->replay_endpoint;
    if ((*cfg)->control_token)
        o->token = (*cfg)->control_token;
    return 0;
}

static zsock_t *s_subscribe(const s_ev_t *o)
{
    zsock_t *sub = zsock_new(ZMQ_SUB);
    if (!sub)
        return NULL;
    zsock_set_rcvhwm(sub, 100000);
    if (o->ntopics == 0)
        zsock_set_subscribe(sub, "");
    for (int i = 0; i < o->ntopics; i++)
        zsock_set_subscribe(sub, o->topics[i]);
    if (zsock_connect(sub, "%s", o->endpoint) != 0) {
        fprintf(stderr, "ticktree events: cannot connect to %s\n", o->endpoint);
        zsock_destroy(&sub);
    }
    return sub;
}

/* Receives one [topic, event] message; 1 printed-and-done, 0 go on, -1
   on a malformed message (skipped). */
static int s_live_one(s_ev_t *o, zsock_t *sub, zsock_t *req)
{
    char topic[128];
    int n = zmq_recv(zsock_resolve(sub), topic, sizeof topic - 1, 0);
    if (n < 0)
        return -1;
    topic[n < (int)sizeof topic - 1 ? n : (int)sizeof topic - 1] = '\0';
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (!zsock_rcvmore(sub) || zmq_msg_recv(&msg, zsock_resolve(sub), 0) < 0) {
        zmq_msg_close(&msg);
        fprintf(stderr,
                "ticktree events: a message without an event body "
                "on %s skipped\n",
                topic);
        return 0;
    }
    Tt__Event *ev =
        tt__event__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
    uint64_t seq = ev ? ev->seq : 0;
    tt__event__free_unpacked(ev, NULL);
    int rc = 0;
    /* A gap (dropped at the high-water mark): fetch it first. */
    if (!o->ntopics && o->replay && o->last && seq > o->last + 1)
        rc = s_replay(o, req, o->last + 1, seq - 1);
    if (rc == 0)
        rc = s_emit(o, topic, zmq_msg_data(&msg), zmq_msg_size(&msg)) ? 1 : 0;
    zmq_msg_close(&msg);
    return rc;
}

int tt_cmd_events(int argc, char **argv)
{
    s_ev_t o = {.timeout_ms = 3000};
    if (s_parse(argc, argv, &o) != 0)
        return TT_EXIT_USAGE;
    tt_config_t *cfg = NULL;
    if (s_resolve(&o, &cfg) != 0)
        return TT_EXIT_USAGE;
    int code = TT_EXIT_OK;
    zsock_t *sub = s_subscribe(&o);
    zsock_t *req = o.replay ? zsock_new(ZMQ_REQ) : NULL;
    if (req) {
        zsock_set_linger(req, 0);
        zsock_connect(req, "%s", o.replay);
    }
    if (!sub || (o.from && !req)) {
        code = TT_EXIT_UNREACHABLE;
        goto done;
    }
    int rc = 0;
    if (o.from) {
        o.last = o.from - 1;
        rc = s_replay(&o, req, o.from, 0);
    }
    int64_t idle_since = zclock_mono();
    while (rc == 0) {
        zmq_pollitem_t item = {zsock_resolve(sub), 0, ZMQ_POLLIN, 0};
        long wait = o.idle_ms ? o.idle_ms - (zclock_mono() - idle_since) : -1;
        if (o.idle_ms && wait <= 0)
            break;
        int n = zmq_poll(&item, 1, wait);
        if (n < 0)
            break; /* interrupted (Ctrl-C) */
        if (n == 0)
            continue;
        rc = s_live_one(&o, sub, req);
        idle_since = zclock_mono();
    }
    if (rc < 0)
        code = TT_EXIT_UNREACHABLE;
    else if (o.count && o.printed < o.count)
        code = TT_EXIT_FAIL; /* stopped idle before --count events */
done:
    zsock_destroy(&sub);
    zsock_destroy(&req);
    tt_config_destroy(&cfg);
    return code;
}
