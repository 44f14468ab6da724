/*  tests/fakes/fakesrv.h: the HTTP + websocket server under both fake
    venues (tests/fakes/fake_alpaca.h, fake_binance.h).

    One libwebsockets context with one vhost on 127.0.0.1, an ephemeral
    port, serving plain HTTP requests and websocket upgrades on the same
    port, run by a service thread of its own. The venue above it supplies
    handlers; every handler runs on the service thread with the server's
    lock held, and the venue's control functions (called by the test's
    thread) take the same lock through fakesrv_lock/unlock, so the venue's
    state needs no other synchronisation. Sends queued from the test's
    thread wake the service thread with lws_cancel_service.

    Test-only code (tt_fakevenue). */
#ifndef TT_TESTS_FAKES_FAKESRV_H
#define TT_TESTS_FAKES_FAKESRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKESRV_MAX_HDRS 4     /* request headers a venue captures */
#define FAKESRV_RESP_HDRS 8    /* extra response headers */
#define FAKESRV_BODY_MAX 65536 /* longest request body / ws message */

typedef enum {
    FAKESRV_GET,
    FAKESRV_POST,
    FAKESRV_PUT,
    FAKESRV_PATCH,
    FAKESRV_DELETE,
    FAKESRV_OTHER,
} fakesrv_method_t;

typedef enum {
    FAKESRV_TEXT,
    FAKESRV_BINARY,
    FAKESRV_PING,
} fakesrv_kind_t;

typedef struct {
    fakesrv_method_t method;
    const char *path;  /* percent-decoded, without the query */
    const char *query; /* the query re-encoded (fkq_encode), "" if none */
    const char *body;  /* raw, NUL-terminated; "" if none */
    size_t body_len;
    const char *headers[FAKESRV_MAX_HDRS]; /* cfg.headers values or NULL */
} fakesrv_req_t;

typedef struct {
    int status;
    const char *content_type; /* NULL: application/json */
    char *body;               /* malloc'd; the server frees it */
    size_t body_len;
    /* No answer at all: DROP closes the connection without a response;
       else a HOLD_MS above 0 holds this response that long instead of
       the server's delay (a client with a shorter timeout gives up). */
    bool drop;
    int hold_ms;
    int nhdr;
    struct {
        char name[48]; /* lowercase, with the colon: "retry-after:" */
        char value[96];
    } hdr[FAKESRV_RESP_HDRS];
} fakesrv_resp_t;

typedef struct fakesrv_t fakesrv_t;
typedef struct fakesrv_conn_t fakesrv_conn_t;

/* The venue's handlers; VENUE is fakesrv_cfg_t.venue. */
typedef struct {
    /* A complete HTTP request; fill RESP (status 0 means 404). */
    void (*http)(void *venue, const fakesrv_req_t *req, fakesrv_resp_t *resp);
    /* A websocket handshake completed on REQ's path; return -1 to close
       it at once. Set the connection's state with fakesrv_conn_set. */
    int (*ws_open)(void *venue, fakesrv_conn_t *c, const fakesrv_req_t *req);
    void (*ws_message)(void *venue, fakesrv_conn_t *c, const char *data,
                       size_t len, bool binary);
    void (*ws_pong)(void *venue, fakesrv_conn_t *c, const void *data,
                    size_t len);
    /* The connection's timer (fakesrv_conn_timer) fell due. */
    void (*ws_timer)(void *venue, fakesrv_conn_t *c);
    /* The connection closed, for whatever reason; free its state. */
    void (*ws_close)(void *venue, fakesrv_conn_t *c);
} fakesrv_handlers_t;

typedef struct {
    const fakesrv_handlers_t *handlers;
    void *venue;
    const char *headers[FAKESRV_MAX_HDRS]; /* lowercase with colon */
    const char *name;                      /* for error messages */
} fakesrv_cfg_t;

typedef struct {
    uint64_t http_requests;      /* complete requests handed to the venue */
    uint64_t http_in_flight;     /* handed to the venue, not yet answered */
    uint64_t http_max_in_flight; /* the most at once so far */
    uint64_t ws_connections;     /* handshakes completed so far */
    uint64_t ws_open;            /* open now */
    uint64_t ws_frames_sent;
    uint64_t ws_messages_received;
} fakesrv_stats_t;

/* Listens and starts the service thread. NULL on failure. */
fakesrv_t *fakesrv_start(const fakesrv_cfg_t *cfg);
/* Stops the thread, closes every connection (calling ws_close) and
   frees; accepts NULL, nulls the caller's pointer. Call unlocked. */
void fakesrv_stop(fakesrv_t **self_p);
int fakesrv_port(const fakesrv_t *self);

/* The server's lock, for the venue's control functions. Recursive. */
void fakesrv_lock(fakesrv_t *self);
void fakesrv_unlock(fakesrv_t *self);

/* Every response is held back this long (0: none). Locked. */
void fakesrv_set_delay_ms(fakesrv_t *self, int ms);
void fakesrv_stats(fakesrv_t *self, fakesrv_stats_t *out);

/* Closes every websocket abruptly (no close handshake) and waits (at most
   2 s) until they are all closed. Call unlocked. Returns how many. */
int fakesrv_drop_ws(fakesrv_t *self);

/* Iterates the open websocket connections (locked). */
fakesrv_conn_t *fakesrv_conn_first(fakesrv_t *self);
fakesrv_conn_t *fakesrv_conn_next(fakesrv_conn_t *c);
void *fakesrv_conn_state(fakesrv_conn_t *c);
void fakesrv_conn_set(fakesrv_conn_t *c, void *state);
fakesrv_t *fakesrv_conn_server(fakesrv_conn_t *c);

/* Queues a frame (copied) for C; any thread, locked. Returns 0 or -1. */
int fakesrv_send(fakesrv_conn_t *c, const void *data, size_t len,
                 fakesrv_kind_t kind);
/* Closes C with a close frame (CODE, REASON) once the frames queued
   before it are written. */
void fakesrv_close(fakesrv_conn_t *c, int code, const char *reason);
/* Arms C's one timer MS from now (replacing any earlier); -1 cancels.
   Service thread only (i.e. from a handler). */
void fakesrv_conn_timer(fakesrv_conn_t *c, int64_t ms);

/* Response helpers. */
void fakesrv_resp_header(fakesrv_resp_t *r, const char *name,
                         const char *value);
/* Takes BODY (malloc'd, NUL-terminated). */
void fakesrv_resp_set(fakesrv_resp_t *r, int status, char *body);

#endif
