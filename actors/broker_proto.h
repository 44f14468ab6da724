/*  actors/broker_proto.h: the seam between the broker gateway (actors/
    broker_venue.c: the edge actor, its thread, the queue of intents, the
    venue's request budget, health) and a venue's order protocol
    (actors/broker_alpaca.c, broker_binance.c: which requests, how to
    read the replies and the order stream). Everything here runs on
    the gateway's thread. Private to actors/. */
#ifndef TT_ACTORS_BROKER_PROTO_H
#define TT_ACTORS_BROKER_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "actors/feed_proto.h"
#include "orders/book.h"
#include "venues/history/http.h"
#include "venues/wsfeed/wsfeed.h"

typedef struct tt_broker_gw tt_broker_gw_t;

/* What a protocol is built from; valid while it lives. */
typedef struct {
    const char *venue_name;
    const tt_feed_opts_t *opts;
    const tt_feed_sym_t *symbols; /* gateway index -> venue name, scales */
    size_t count;
    const char *key_id;
    const char *secret;
} tt_broker_setup_t;

/* Results of tt_broker_gw_http and of a protocol's handlers. */
#define TT_BROKER_DONE 0  /* finished (answered, or nothing to answer) */
#define TT_BROKER_LATER 1 /* not now (request budget, hold): call again */

typedef struct {
    tt_venue_kind_t kind;
    /* The REST base and the order stream's URL, from the options. */
    void (*urls)(const tt_feed_opts_t *opts, char *rest, char *stream,
                 size_t size);
    void *(*create)(tt_broker_gw_t *gw, const tt_broker_setup_t *setup,
                    char *err, size_t errsize);
    void (*destroy)(void **self_p);
    /* Carries out intent IT of symbol SYM (gateway index), ATTEMPT
       (0 first) being how many times it was called LATER before. */
    int (*intent)(void *self, size_t sym, const tt_intent_t *it, int attempt);
    /* Work of its own (the re-query after a stream reconnect). */
    int (*work)(void *self);
    tt_wsfeed_proto_t stream; /* called with the protocol as arg */
} tt_broker_ops_t;

extern const tt_broker_ops_t tt_broker_alpaca_ops;
extern const tt_broker_ops_t tt_broker_binance_ops;

/* One REST request to the venue: REST base + PATH, with HEADERS
   (NULL-terminated; never logged) and BODY (or NULL). Takes one unit of
   the venue's request budget first and reports the reply's status to it
   (a 429 holds every request for Retry-After). TT_BROKER_DONE with
   *OUT filled (any status; free with tt_http_reply_free), TT_BROKER_LATER
   when the budget says wait (nothing sent), or -1 with ERR when no reply
   came (the gateway then waits a second before the next request). */
int tt_broker_gw_http(tt_broker_gw_t *gw, const char *method, const char *path,
                      const char *const *headers, const char *body,
                      tt_http_reply_t *out, char *err, size_t errsize);

/* Points the order stream at URL from now on (the open connection, if
   any, is closed; the next one goes to URL), for a venue whose stream
   URL names a session, such as Binance's /ws/<listenKey>; "" stops it.
   A protocol whose urls() leaves the stream URL empty has no stream
   until it calls this. Never from inside a stream callback. 0 or -1
   (logged). */
int tt_broker_gw_stream_to(tt_broker_gw_t *gw, const char *url);
/* Copies into *OUT the first intent queued behind the one in hand that
   is of KIND, for symbol SYM, and for an order of ROLE (its client id's
   letter); with TAKE it also leaves the queue, carried out by the
   protocol with the one in hand (a stop and its take-profit as one OCO
   order). False when none waits yet. */
bool tt_broker_gw_take(tt_broker_gw_t *gw, size_t sym, tt_intent_kind_t kind,
                       tt_role_t role, bool take, tt_intent_t *out);

/* Sends EV to the execution actor of symbol SYM (never dropped). */
void tt_broker_gw_emit(tt_broker_gw_t *gw, size_t sym,
                       const tt_broker_ev_t *ev);

/* Sends symbol SYM a restart reconciliation decision to publish
   (TT_EV_RECONCILED: ACTION of messages/internal.h's tt_recon_action_t,
   about order COID, FILL_ID or NULL, REASON); COID "" ends the symbol's
   list (actors/exec_venue.h). Longer texts are cut to the event's. */
void tt_broker_gw_note(tt_broker_gw_t *gw, size_t sym, const char *coid,
                       int32_t action, const char *fill_id, const char *reason);

/* Refuses new orders locally for HOLD_MS with REASON (refused
   credentials: retrying soon cannot help, and a storm of refused
   requests is what gets a key blocked). REASON shows in health. */
void tt_broker_gw_refuse(tt_broker_gw_t *gw, int64_t hold_ms,
                         const char *reason);

/* The intent in hand went to the venue and no answer came (no reply, a
   5xx): from now on it may be working there, and only the protocol's
   lookup can say. Until the protocol has carried it out, the gateway
   neither cancels it in its queue ("cancelled before sending") nor
   refuses it locally under a keys' hold: either would tell the symbol
   it is not at the venue, which may then decide it again under a new
   client order id. Outside ops->intent it does nothing. */
void tt_broker_gw_unsure(tt_broker_gw_t *gw);
/* The same for the order intent of COID (symbol SYM) still in the queue
   behind the one in hand: it went out in the same request (an OCO's
   other leg, not yet taken from the queue), so it may be working at the
   venue too. A cancel of it then waits behind it and goes to the venue;
   it is never answered "cancelled before sending" from the queue. */
void tt_broker_gw_unsure_also(tt_broker_gw_t *gw, size_t sym, const char *coid);

/* The order path's last error, for health ("" clears it). */
void tt_broker_gw_error(tt_broker_gw_t *gw, const char *text);

/* Wall-clock time (UTC ns) of the runtime's clock. */
tt_ns_t tt_broker_gw_now(const tt_broker_gw_t *gw);

/* The gateway's log path ("broker/alpaca"). */
const char *tt_broker_gw_path(const tt_broker_gw_t *gw);

#endif
