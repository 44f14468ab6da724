/*  orders/book_guard.c: the guard over a position's protection (see
    book.h, "Protection"). Part of the order book of one symbol, run by
    its execution actor; pure logic, event time only.

    A venue refuses an order for two kinds of reasons. Some stand: a
    price filter, the balance, a malformed order; sending the same again
    would be refused again, so the bracket ends as it always did (a
    refused child flattens, an exit is tried TT_BOOK_EXIT_RETRIES times).
    Others pass: the account's order count is spent for this window, the
    venue answered 429 or 5xx or nothing at all. Treating those as final
    left a position open with no stop once the book had used its three
    tries, the worst silent state there is. So a stop, take-profit or
    exit refused for a passing reason is sent again once the refusal's
    wait is over (the gateway names it: the window's end, Retry-After),
    or after a doubling backoff when none is named, for as long as the
    position is open. The book's one rule (tt_book_sync) does the
    sending: the wait only holds back new children and exits, so what
    goes out after it is exactly what is missing then, each under a new
    client id, never two exits at once.

    The guard also follows whether the open position has a working stop
    (one the broker acknowledged) so the actor can say so: in health, on
    the event stream, in the log, and to the risk manager. */
#include <stdio.h>
#include <string.h>

#include "orders/book.h"
#include "orders/book_priv.h"

static bool s_guarded_role(tt_role_t role)
{
    return role == TT_ROLE_STOP || role == TT_ROLE_TARGET ||
           role == TT_ROLE_EXIT;
}

/* The wait after a passing refusal EV; N is the refusals in a row
   before this one. */
static tt_ns_t s_wait(const tt_broker_ev_t *ev, int32_t n)
{
    if (ev->retry_ms > 0) {
        tt_ns_t w = (tt_ns_t)ev->retry_ms * 1000000;
        return w < TT_BOOK_RETRY_MIN_NS         ? TT_BOOK_RETRY_MIN_NS
               : w > TT_BOOK_RETRY_NAMED_MAX_NS ? TT_BOOK_RETRY_NAMED_MAX_NS
                                                : w;
    }
    tt_ns_t w = TT_BOOK_RETRY_FIRST_NS;
    for (int32_t i = 0; i < n && w < TT_BOOK_RETRY_MAX_NS; i++)
        w *= 2;
    return w > TT_BOOK_RETRY_MAX_NS ? TT_BOOK_RETRY_MAX_NS : w;
}

bool tt_book_hold_refused(tt_book_t *self, int slot, const tt_broker_ev_t *ev)
{
    tt_bracket_t *b = &self->br;
    const tt_order_t *o = &self->orders[slot];
    if (!s_guarded_role(o->role))
        return false;
    snprintf(self->unprotected_why, sizeof self->unprotected_why, "%.63s",
             ev->reason);
    self->unanswered = false; /* answered now: the refusal says why */
    if (ev->retry_ms == 0 || !b->active || self->pos.qty == 0)
        return false;
    /* The legs of one OCO list are refused together: one round. */
    bool round = ev->ts >= b->retry_at;
    int32_t n = round ? b->retries : (b->retries > 0 ? b->retries - 1 : 0);
    if (round)
        b->retries++;
    tt_ns_t at = ev->ts + s_wait(ev, n);
    if (at > b->retry_at)
        b->retry_at = at;
    return true;
}

void tt_book_hold_cancel(tt_book_t *self, const tt_broker_ev_t *ev)
{
    tt_bracket_t *b = &self->br;
    if (!b->active)
        return;
    bool round = ev->ts >= b->cancel_at;
    int32_t n = round ? b->cancel_refusals
                      : (b->cancel_refusals > 0 ? b->cancel_refusals - 1 : 0);
    if (round)
        b->cancel_refusals++;
    tt_ns_t at = ev->ts + s_wait(ev, n);
    if (at > b->cancel_at)
        b->cancel_at = at;
}

bool tt_book_cancel_held(tt_book_t *self, tt_ns_t ts)
{
    tt_bracket_t *b = &self->br;
    if (b->cancel_at && ts >= b->cancel_at)
        b->cancel_at = 0;
    return b->cancel_at != 0;
}

bool tt_book_held(tt_book_t *self, tt_ns_t ts)
{
    tt_bracket_t *b = &self->br;
    if (b->retry_at && ts >= b->retry_at)
        b->retry_at = 0;
    return b->retry_at != 0;
}

/* A stop or exit on its way for longer than cfg.answer_ns, with no
   stop working: the gateway holds it (a 429's Retry-After, up to two
   minutes) or the venue does not answer. Whatever the reason, there is
   no stop at the venue, and the trader must know; nothing is sent again
   for it, since the order held may still reach the venue. */
static void s_guard_unanswered(tt_book_t *self, bool stop_sent, tt_ns_t ts)
{
    if (self->unprotected_since || !self->cfg.answer_ns ||
        ts - self->onway_since < self->cfg.answer_ns)
        return;
    self->unprotected_since = self->onway_since;
    self->unanswered = true;
    snprintf(self->unprotected_why, sizeof self->unprotected_why,
             "%s sent, no answer from the venue", stop_sent ? "stop" : "exit");
}

void tt_book_guard(tt_book_t *self, tt_ns_t ts)
{
    bool acked = false, stop_new = false, exit_new = false, exit = false;
    for (int i = 0; i < TT_BOOK_ORDERS; i++) {
        const tt_order_t *o = &self->orders[i];
        if (!self->used[i] || !tt_ord_live(o->state))
            continue;
        if (o->role == TT_ROLE_STOP && o->state != TT_OS_NEW)
            acked = true;
        else if (o->role == TT_ROLE_STOP)
            stop_new = true;
        else if (o->role == TT_ROLE_EXIT) {
            exit = true;
            exit_new = exit_new || o->state == TT_OS_NEW;
        }
    }
    if (self->pos.qty == 0 || acked) {
        if (acked)
            self->br.retries = 0;
        self->unprotected_since = self->onway_since = 0;
        self->unanswered = false;
        self->unprotected_why[0] = '\0';
        return;
    }
    /* A stop or an exit on its way keeps a protected position from
       counting as bare, for as long as cfg.answer_ns while unanswered. */
    if (!stop_new && !exit_new)
        self->onway_since = 0;
    else if (!self->onway_since)
        self->onway_since = ts > 0 ? ts : 1;
    if (stop_new || exit_new)
        s_guard_unanswered(self, stop_new, ts);
    if (stop_new || exit)
        return;
    /* Nothing on its way. Once bare, only an acknowledged stop or a
       flat position ends it, not every retry sent. A flatten the book
       chose (an EXIT signal, a target filled) cancels the stop on
       purpose and sends its exit once the cancels are done: nothing is
       missing then unless something was refused (WHY). */
    bool flattening = self->br.active && self->br.exiting;
    if (!self->unprotected_since && (!flattening || self->unprotected_why[0]))
        self->unprotected_since = ts > 0 ? ts : 1;
}

tt_ns_t tt_book_retry_at(const tt_book_t *self)
{
    return self->br.active ? self->br.retry_at : 0;
}

tt_ns_t tt_book_due_at(const tt_book_t *self)
{
    const tt_bracket_t *b = &self->br;
    if (!b->active)
        return 0;
    if (!b->retry_at || (b->cancel_at && b->cancel_at < b->retry_at))
        return b->cancel_at;
    return b->retry_at;
}

int tt_book_on_time(tt_book_t *self, tt_ns_t now, tt_intents_t *out)
{
    if (!self || !out)
        return -1;
    out->n = 0;
    self->err[0] = '\0';
    int rc = 0;
    tt_ns_t due = tt_book_due_at(self);
    if (due && now >= due)
        rc = tt_book_sync(self, now, out);
    tt_book_guard(self, now);
    return rc;
}

tt_ns_t tt_book_answer_due(const tt_book_t *self)
{
    if (!self->onway_since || self->unprotected_since || !self->cfg.answer_ns)
        return 0;
    return self->onway_since + self->cfg.answer_ns;
}

tt_ns_t tt_book_unanswered_since(const tt_book_t *self)
{
    return self->unanswered ? self->unprotected_since : 0;
}

tt_ns_t tt_book_unprotected_since(const tt_book_t *self)
{
    return self->unprotected_since;
}

const char *tt_book_unprotected_why(const tt_book_t *self)
{
    return self->unprotected_why;
}
