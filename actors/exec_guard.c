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
                  const tt_evt_protection_t *ev, int64_t now)
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
    char when[256] = "no retry: the refusal stands; act on the position";
    int64_t sent = tt_book_unanswered_since(book);
    if (sent)
        snprintf(when, sizeof when,
                 "sent %lld s ago and not answered (the gateway holds "
                 "requests after a 429 until its Retry-After, or the venue "
                 "is silent); not sent again: it may still reach the venue",
                 (long long)((now - sent) / TT_NS_PER_SEC));
    else if (ev->retry_at)
        snprintf(when, sizeof when, "sent again in %lld ms",
                 (long long)((ev->retry_at - ev->ts) / 1000000));
    tt_error(tt_actor_path(actor),
             "UNPROTECTED: position %s has no working stop (%s); %s; new "
             "entries refused meanwhile",
             qty, ev->reason[0] ? ev->reason : "no stop", when);
}

/* A stop or take-profit replacement the broker refused for good: said
   once, not at every mark that would have asked again. */
static void s_report_move(tt_actor_t *actor, tt_exec_guard_t *self,
                          const tt_book_t *book)
{
    const char *why = tt_book_refused_move(book);
    if ((why[0] != '\0') == self->move_refused)
        return;
    self->move_refused = why[0] != '\0';
    if (!self->move_refused)
        return;
    const tt_order_t *stop = tt_book_bracket_order(book, TT_ROLE_STOP);
    tt_px_t px = tt_book_refused_stop_px(book);
    if (!px || !stop) {
        tt_warn(tt_actor_path(actor),
                "take-profit replacement refused for good (%s): the "
                "take-profit works on as it is; not asked again until "
                "the position's size changes",
                why);
        return;
    }
    char to[32], at[32];
    tt_decimal_format(px, book->inst.px_decimals, to, sizeof to);
    tt_decimal_format(stop->stop_px, book->inst.px_decimals, at, sizeof at);
    tt_warn(tt_actor_path(actor),
            "stop move to %s refused for good (%s): the stop at %s works "
            "on; not sent again until the stop price wanted changes",
            to, why, at);
}

void tt_exec_guard_report(tt_actor_t *actor, tt_exec_guard_t *self,
                          const tt_book_t *book, tt_actor_stats_t *stats,
                          bool bus, int64_t ts)
{
    s_report_move(actor, self, book);
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
    s_log(actor, book, &ev, ts);
    if (bus)
        tt_actor_send_critical(actor, TT_ACTOR_BUS, TT_EVT_PROTECTION, &ev,
                               sizeof ev);
}
