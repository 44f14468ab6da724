/*  actors/exec_venue.c: see exec_venue.h. Runs on the symbol's worker. */
#include "actors/exec_venue.h"
#include "actors/clock_actor.h"
#include "actors/exec_broker.h"
#include "messages/internal.h"
#include "runtime/log.h"
#include "store/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_BUSY_MS 2000 /* wait for the bus's own writes, at most */
#define S_OPEN_MAX 64  /* open orders of one symbol read at a restart */

typedef struct {
    tt_order_t orders[S_OPEN_MAX];
    int n;
    bool overflow;
} s_open_t;

static int s_collect(const tt_store_order_t *rec, void *arg)
{
    s_open_t *r = arg;
    if (r->n == S_OPEN_MAX) {
        r->overflow = true;
        return 1;
    }
    r->orders[r->n++] = rec->order;
    return 0;
}

static int s_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int s_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The open orders of SYMBOL from the store at DB_PATH into R. */
static int s_read(const char *db_path, const char *symbol, s_open_t *r,
                  char *err, size_t errlen)
{
    tt_store_opts_t opts = tt_store_opts_default();
    opts.busy_timeout_ms = S_BUSY_MS;
    char why[200];
    tt_store_t *store = tt_store_open(db_path, &opts, why, sizeof why);
    if (!store)
        return s_err(err, errlen, "opening the store: %s", why);
    int rc = tt_store_open_orders(store, symbol, s_collect, r);
    if (rc != 0)
        s_err(err, errlen, "reading open orders: %s", tt_store_error(store));
    tt_store_close(&store);
    if (rc == 0 && r->overflow)
        rc = s_err(err, errlen, "more than %d open orders in the store",
                   S_OPEN_MAX);
    return rc;
}

int tt_exec_venue_restore(tt_actor_t *actor, const char *db_path,
                          tt_book_t *book, uint32_t gateway, char *err,
                          size_t errlen)
{
    s_open_t *r = calloc(1, sizeof *r);
    if (!r)
        return s_err(err, errlen, "out of memory");
    int rc = s_read(db_path, book->symbol, r, err, errlen);
    for (int i = 0; rc == 0 && i < r->n; i++)
        if (tt_book_restore_order(book, &r->orders[i]) != 0)
            rc = s_err(err, errlen, "%s", tt_book_error(book));
    if (rc != 0) {
        free(r);
        return -1;
    }
    tt_book_restore_bracket(book);
    tt_intent_t it;
    for (int i = 0; i <= r->n; i++) { /* the last one, empty, ends it */
        memset(&it, 0, sizeof it);
        it.kind = TT_INTENT_QUERY;
        if (i < r->n)
            it.order = r->orders[i];
        tt_exec_broker_send(actor, gateway, &it);
    }
    int n = r->n;
    free(r);
    tt_info(tt_actor_path(actor),
            "warm restart: %d open orders in the store, asking the venue", n);
    return n;
}

int32_t tt_exec_venue_opened_since(tt_actor_t *actor, int64_t since,
                                   int64_t now)
{
    const tt_config_t *cfg = tt_actor_config(actor);
    const tt_venue_cfg_t *vc = &cfg->venues[tt_actor_symbol(actor)->venue];
    tt_calendar_t *cal = malloc(sizeof *cal);
    tt_ns_t open = 0;
    int32_t id = 0;
    if (!cal || tt_sessions_calendar(vc, cal) != 0) {
        tt_error(tt_actor_path(actor), "venue %s: no calendar to read",
                 vc->name);
    } else if (tt_calendar_next_open(cal, since, &open) == 0 && open <= now) {
        id = tt_calendar_session_id(cal, open);
    }
    free(cal);
    return id;
}

void tt_exec_venue_note(tt_actor_t *actor, const tt_broker_ev_t *ev)
{
    tt_evt_reconcile_t rec = {.ts = ev->ts, .action = ev->code};
    snprintf(rec.coid, sizeof rec.coid, "%s", ev->coid);
    snprintf(rec.fill_id, sizeof rec.fill_id, "%s", ev->fill_id);
    snprintf(rec.reason, sizeof rec.reason, "%s", ev->reason);
    tt_warn(tt_actor_path(actor), "reconcile: %s %s%s%s: %s",
            tt_recon_action_name(ev->code), ev->coid,
            ev->fill_id[0] ? " fill " : "", ev->fill_id, ev->reason);
    tt_actor_send_critical(actor, TT_ACTOR_BUS, TT_EVT_RECONCILE, &rec,
                           sizeof rec);
}
