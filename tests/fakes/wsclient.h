/*  tests/fakes/wsclient.h: a minimal websocket client for the fakes'
    self-test: connect (optionally with extra upgrade headers), send a
    message, wait a bounded time for the next message. Each client has a
    libwebsockets context of its own, serviced only inside its calls, on
    the caller's thread. Test-only code. */
#ifndef TT_TESTS_FAKES_WSCLIENT_H
#define TT_TESTS_FAKES_WSCLIENT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct wsc_t wsc_t;

/* Connects to ws://127.0.0.1:PORT/PATH and waits at most TIMEOUT_MS for
   the handshake. HEADERS: NULL or pairs {"name:", "value", ..., NULL}
   (lowercase names with the colon). NULL when it fails. */
wsc_t *wsc_connect(int port, const char *path, const char *const *headers,
                   int timeout_ms);
void wsc_destroy(wsc_t **self_p);

/* Queues one message and services until it is written (bounded). */
int wsc_send(wsc_t *self, const char *data, size_t len, bool binary);

/* The next message (caller frees; NUL-terminated), waiting at most
   TIMEOUT_MS; NULL on timeout or when the connection is closed and
   nothing is left. *BINARY (if not NULL) says how it came. */
char *wsc_recv(wsc_t *self, int timeout_ms, bool *binary);

/* Services for up to TIMEOUT_MS or until the connection closes; returns
   true when it is closed. */
bool wsc_wait_closed(wsc_t *self, int timeout_ms);

#endif
