/*  actors/exec_guard.c: the report of a position without a working stop
    (see exec_guard.h). The book retries a refused stop or exit on its own
    schedule; this file only makes the bare position impossible to miss,
    once per bare period, not once per retry. */
#include "actors/exec_guard.h"

#include "marketdata/decimal.h"
#include "messages/internal.h"
#include "runtime/log.h"

#include <stdio.h>
#include <string.h>

static void s_log(tt_actor_t *actor, const tt_book_t *book,
                  const tt_evt_protection_t *ev)
{
    const tt_position_t *pos = tt_book_position(book);
    char qty[32];
    tt_decimal_format(pos->qty, book->inst.qty_decimals, qty, sizeof qty);
    if (!ev->unprotected) {
        tt_info(tt_actor_path(actor), "%s: %s",
                pos->qty ? "the position has a working stop again"
                         : "the unprotected position is closed",
                pos->qty ? qty : "entries allowed again");
        return;
    }
    char when[64] = "no retry: the refusal stands; act on the position";
    if (ev->retry_at)
        snprintf(when, sizeof when, "sent again in %lld ms",
                 (long long)((ev->retry_at - ev->ts) / 1000000));
    tt_error(tt_actor_path(actor),
             "UNPROTECTED: position %s has no working stop (%s); %s; new "
             "entries refused meanwhile",
             qty, ev->reason[0] ? ev->reason : "no stop", when);
}

void tt_exec_guard_report(tt_actor_t *actor, tt_exec_guard_t *self,
                          const tt_book_t *book, tt_actor_stats_t *stats,
                          bool bus, int64_t ts)
{
    int64_t since = tt_book_unprotected_since(book);
    if ((since != 0) == (self->since != 0))
        return;
    self->since = since;
    atomic_store(&stats->unprotected_since, since);
    tt_evt_protection_t ev;
    memset(&ev, 0, sizeof ev);
    ev.ts = since ? since : ts;
    ev.since = since;
    ev.unprotected = since != 0;
    ev.retry_at = since ? tt_book_retry_at(book) : 0;
    snprintf(ev.reason, sizeof ev.reason, "%s",
             since ? tt_book_unprotected_why(book) : "");
    s_log(actor, book, &ev);
    if (bus)
        tt_actor_send_critical(actor, TT_ACTOR_BUS, TT_EVT_PROTECTION, &ev,
                               sizeof ev);
}
