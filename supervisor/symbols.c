/*  supervisor/symbols.c: the symbol supervisors, run by the root on the
    main thread. Each symbol's four actors start in the order execution,
    data, indicator, strategy and stop in reverse; a failure restarts the
    failed actor and those started after it (rest_for_one), so a failure in
    data leaves execution, which holds live orders, running. What to do
    about a failure is decided by supervisor/policy.c; this file applies it
    through TT_SYS_* commands and follows the workers' reports. */
#include "supervisor/root_internal.h"
#include "control.pb-c.h"
#include "runtime/log.h"

#include <stdio.h>
#include <string.h>

static void s_path(const tt_symbol_rec_t *sym, tt_actor_role_t role, char *buf,
                   size_t size)
{
    snprintf(buf, size, "%s/%s", sym->name, tt_role_name(role));
}

static void s_move_actor(tt_root_t *self, tt_symbol_rec_t *sym,
                         tt_actor_role_t role, tt_state_t to,
                         const char *reason)
{
    char path[64];
    s_path(sym, role, path, sizeof path);
    tt_root_move(self, &sym->actors[role].life, path, to, reason);
}

static void s_send(tt_root_t *self, tt_symbol_rec_t *sym, tt_actor_role_t role,
                   uint16_t type, const void *body, uint32_t len)
{
    tt_sender_send(self->sender, tt_runtime_actor_id(sym->index, role),
                   TT_ACTOR_ROOT, type, body, len, true);
}

typedef enum {
    S_DOWN_RESTART,  /* stop to start again: a rest_for_one restart */
    S_DOWN_HALT,     /* escalation or quarantine: failed actors stay ERROR */
    S_DOWN_SHUTDOWN, /* the service stops: everything ends STOPPED */
} s_down_t;

/* Stops every actor from FROM on, in reverse start order. The STOP goes to
   every one of them, even one the root already counts as failed: after a
   watchdog miss the worker still hosts it, and a restart must build a
   fresh instance. */
static void s_take_down(tt_root_t *self, tt_symbol_rec_t *sym,
                        tt_actor_role_t from, s_down_t mode)
{
    for (int role = TT_ROLE_COUNT - 1; role >= (int)from; role--) {
        tt_actor_rec_t *actor = &sym->actors[role];
        tt_state_t state = actor->life.state;
        bool failed = state == TT_STATE_ERROR || state == TT_STATE_RECOVERING;
        if (mode == S_DOWN_RESTART && state == TT_STATE_ERROR)
            s_move_actor(self, sym, role, TT_STATE_RECOVERING, "restart");
        else if (mode == S_DOWN_RESTART && state == TT_STATE_STOPPED)
            s_move_actor(self, sym, role, TT_STATE_STARTING, "restart");
        else if (state != TT_STATE_STOPPED && state != TT_STATE_STOPPING &&
                 !(failed && mode != S_DOWN_SHUTDOWN))
            s_move_actor(self, sym, role, TT_STATE_STOPPING,
                         mode == S_DOWN_RESTART ? "restart" : "stop");
        actor->restart_pending =
            mode == S_DOWN_RESTART && actor->life.state == TT_STATE_STOPPING;
        s_send(self, sym, role, TT_SYS_STOP, NULL, 0);
    }
}

/* Restarts FROM and every actor started after it: stop in reverse, start
   in order. Actors that were up pass through STOPPING and STOPPED, failed
   ones through RECOVERING. */
static void s_restart_from(tt_root_t *self, tt_symbol_rec_t *sym,
                           tt_actor_role_t from)
{
    s_take_down(self, sym, from, S_DOWN_RESTART);
    for (int role = from; role < TT_ROLE_COUNT; role++) {
        sym->actors[role].restarts++;
        s_send(self, sym, role, TT_SYS_START, NULL, 0);
    }
}

/* Starts every actor that is not up, in start order. */
static void s_bring_up(tt_root_t *self, tt_symbol_rec_t *sym,
                       tt_actor_role_t from)
{
    for (int role = from; role < TT_ROLE_COUNT; role++) {
        tt_actor_rec_t *actor = &sym->actors[role];
        if (actor->life.state == TT_STATE_CREATED ||
            actor->life.state == TT_STATE_STOPPED)
            s_move_actor(self, sym, role, TT_STATE_STARTING, "start");
        else if (actor->life.state == TT_STATE_ERROR)
            s_move_actor(self, sym, role, TT_STATE_RECOVERING, "restart");
        s_send(self, sym, role, TT_SYS_START, NULL, 0);
    }
}

static bool s_all_actors(const tt_symbol_rec_t *sym, tt_state_t a, tt_state_t b)
{
    for (int role = 0; role < TT_ROLE_COUNT; role++) {
        tt_state_t state = sym->actors[role].life.state;
        if (state != a && state != b)
            return false;
    }
    return true;
}

void tt_symbols_start_all(tt_root_t *self)
{
    for (size_t i = 0; i < self->cfg->symbol_count; i++) {
        tt_symbol_rec_t *sym = &self->symbols[i];
        tt_root_move(self, &sym->life, sym->name, TT_STATE_STARTING, "start");
        s_bring_up(self, sym, TT_ROLE_EXECUTION);
    }
}

/* The trading actors of a paused symbol are PAUSED too. */
static bool s_pausable(tt_actor_role_t role)
{
    return role == TT_ROLE_STRATEGY || role == TT_ROLE_EXECUTION;
}

static void s_apply_pause(tt_root_t *self, tt_symbol_rec_t *sym,
                          tt_actor_role_t role)
{
    tt_actor_rec_t *actor = &sym->actors[role];
    if (!s_pausable(role))
        return;
    if (sym->paused && actor->life.state == TT_STATE_RUNNING) {
        s_move_actor(self, sym, role, TT_STATE_PAUSED, sym->pause_reason);
        s_send(self, sym, role, TT_SYS_PAUSE, NULL, 0);
    } else if (!sym->paused && actor->life.state == TT_STATE_PAUSED) {
        s_move_actor(self, sym, role, TT_STATE_RUNNING, "resume");
        s_send(self, sym, role, TT_SYS_RESUME, NULL, 0);
    }
}

/* After any report: move the symbol when its actors have all arrived. */
static void s_settle(tt_root_t *self, tt_symbol_rec_t *sym)
{
    tt_state_t state = sym->life.state;
    if ((state == TT_STATE_STARTING || state == TT_STATE_RECOVERING) &&
        s_all_actors(sym, TT_STATE_RUNNING, TT_STATE_PAUSED)) {
        tt_root_move(self, &sym->life, sym->name, TT_STATE_RUNNING,
                     "all actors running");
        if (sym->paused)
            tt_root_move(self, &sym->life, sym->name, TT_STATE_PAUSED,
                         sym->pause_reason);
    } else if (state == TT_STATE_STOPPING &&
               s_all_actors(sym, TT_STATE_STOPPED, TT_STATE_ERROR)) {
        tt_root_move(self, &sym->life, sym->name, TT_STATE_STOPPED,
                     "all actors stopped");
        if (sym->restart_after_stop && !self->stop_requested) {
            sym->restart_after_stop = false;
            sym->restarts++;
            tt_root_move(self, &sym->life, sym->name, TT_STATE_STARTING,
                         "operator restart");
            s_bring_up(self, sym, TT_ROLE_EXECUTION);
        }
    }
}

static void s_update_pause(tt_root_t *self, tt_symbol_rec_t *sym,
                           const char *why);

static tt_symbol_rec_t *s_from(tt_root_t *self, uint32_t id,
                               tt_actor_role_t *role)
{
    if (id == TT_ACTOR_ROOT || id >= tt_runtime_actor_count(self->rt))
        return NULL;
    *role = (tt_actor_role_t)(id % TT_ROLE_COUNT);
    return &self->symbols[id / TT_ROLE_COUNT];
}

static void s_on_started(tt_root_t *self, tt_symbol_rec_t *sym,
                         tt_actor_role_t role)
{
    tt_state_t state = sym->actors[role].life.state;
    if (state != TT_STATE_STARTING && state != TT_STATE_RECOVERING)
        return; /* overtaken by a stop or a failure */
    s_move_actor(self, sym, role, TT_STATE_RUNNING, "started");
    s_apply_pause(self, sym, role);
    /* A new data actor judges staleness afresh and reports again. */
    if (role == TT_ROLE_DATA && sym->paused_stale) {
        sym->paused_stale = false;
        s_update_pause(self, sym, "data restarted");
    }
}

static void s_on_stopped(tt_root_t *self, tt_symbol_rec_t *sym,
                         tt_actor_role_t role)
{
    tt_actor_rec_t *actor = &sym->actors[role];
    if (actor->life.state != TT_STATE_STOPPING)
        return;
    s_move_actor(self, sym, role, TT_STATE_STOPPED, "stopped");
    if (actor->restart_pending) {
        actor->restart_pending = false;
        s_move_actor(self, sym, role, TT_STATE_STARTING, "restart");
    }
}

/* Pausing has three independent reasons; the symbol trades only when
   none holds. */
static void s_update_pause(tt_root_t *self, tt_symbol_rec_t *sym,
                           const char *why)
{
    bool paused =
        sym->paused_operator || sym->paused_stale || sym->paused_venue;
    snprintf(sym->pause_reason, sizeof sym->pause_reason, "%s%s%s%s%s",
             sym->paused_operator ? "operator" : "",
             sym->paused_operator && sym->paused_stale ? "+" : "",
             sym->paused_stale ? "stale" : "",
             sym->paused_venue && (sym->paused_operator || sym->paused_stale)
                 ? "+"
                 : "",
             sym->paused_venue ? "venue not reconciled" : "");
    if (paused == sym->paused)
        return;
    sym->paused = paused;
    if (paused && sym->life.state == TT_STATE_RUNNING)
        tt_root_move(self, &sym->life, sym->name, TT_STATE_PAUSED, why);
    else if (!paused && sym->life.state == TT_STATE_PAUSED)
        tt_root_move(self, &sym->life, sym->name, TT_STATE_RUNNING, why);
    for (int role = 0; role < TT_ROLE_COUNT; role++)
        s_apply_pause(self, sym, role);
}

/* A restarted live symbol's wait for its venue (actors/execution.c):
   shown in health while it lasts; past its bound the symbol is paused
   until the venue answers. A new execution actor reports afresh. */
static void s_on_venue(tt_root_t *self, tt_symbol_rec_t *sym, uint16_t type,
                       const char *why)
{
    sym->venue_waiting = type == TT_REP_VENUE_WAIT;
    bool late = type == TT_REP_VENUE_LATE;
    if (late == sym->paused_venue)
        return;
    sym->paused_venue = late;
    s_update_pause(self, sym, why);
}

void tt_symbols_on_report(tt_root_t *self, const tt_msg_t *msg)
{
    tt_actor_role_t role;
    tt_symbol_rec_t *sym = s_from(self, msg->hdr.from, &role);
    if (!sym) {
        tt_error("root", "report from unknown actor %u", msg->hdr.from);
        return;
    }
    switch (msg->hdr.type) {
    case TT_REP_STARTED:
        s_on_started(self, sym, role);
        break;
    case TT_REP_STOPPED:
        s_on_stopped(self, sym, role);
        if (role == TT_ROLE_EXECUTION) {
            s_on_venue(self, sym, TT_REP_VENUE_OK, "execution stopped");
            sym->store_waiting = false;
        }
        break;
    case TT_REP_FAILED:
        if (role == TT_ROLE_EXECUTION) {
            s_on_venue(self, sym, TT_REP_VENUE_OK, "execution failed");
            sym->store_waiting = false;
        }
        tt_symbols_on_failure(self, sym, role, msg->body.failed.reason);
        break;
    case TT_REP_STALE:
    case TT_REP_FRESH:
        sym->paused_stale = msg->hdr.type == TT_REP_STALE;
        s_update_pause(self, sym,
                       sym->paused_stale ? "stale data" : "fresh data");
        break;
    case TT_REP_VENUE_WAIT:
    case TT_REP_VENUE_LATE:
    case TT_REP_VENUE_OK:
        s_on_venue(self, sym, msg->hdr.type,
                   msg->hdr.type == TT_REP_VENUE_LATE ? "venue not reconciled"
                                                      : "venue reconciled");
        break;
    case TT_REP_STORE_WAIT:
    case TT_REP_STORE_OK:
        /* Shown in health only: the execution actor bounds the wait. */
        sym->store_waiting = msg->hdr.type == TT_REP_STORE_WAIT;
        break;
    default:
        tt_error("root", "unexpected report type %u", msg->hdr.type);
    }
    s_settle(self, sym);
}

static void s_escalate(tt_root_t *self, tt_symbol_rec_t *sym,
                       const tt_sup_decision_t *decision, const char *reason)
{
    bool quarantine = decision->action == TT_SUP_QUARANTINE;
    snprintf(sym->last_error, sizeof sym->last_error,
             "%s: %s failed %d times within %llds (%s)",
             quarantine ? "quarantined" : "escalated",
             tt_role_name(sym->failed_role), decision->failures,
             (long long)(self->cfg->supervision.window_ms / 1000), reason);
    if (sym->life.state != TT_STATE_ERROR)
        tt_root_move(self, &sym->life, sym->name, TT_STATE_ERROR,
                     sym->last_error);
    s_take_down(self, sym, TT_ROLE_EXECUTION, S_DOWN_HALT);
    if (quarantine) {
        sym->quarantined = true;
        sym->pending = TT_PENDING_NONE;
        tt_error(sym->name,
                 "quarantined after %d symbol restarts; other symbols keep "
                 "running; `ticktree restart %s` brings it back",
                 decision->symbol_restarts, sym->name);
        return;
    }
    sym->pending = TT_PENDING_SYMBOL;
    sym->pending_due_ns = tt_root_now(self) + decision->delay_ms * 1000000;
    tt_warn(sym->name, "restarting the symbol in %lld ms (%d of %d)",
            (long long)decision->delay_ms, decision->symbol_restarts,
            self->cfg->supervision.symbol_max_restarts);
}

void tt_symbols_on_failure(tt_root_t *self, tt_symbol_rec_t *sym,
                           tt_actor_role_t role, const char *reason)
{
    tt_actor_rec_t *actor = &sym->actors[role];
    tt_state_t state = actor->life.state;
    if (!tt_state_is_up(state) && state != TT_STATE_STARTING &&
        state != TT_STATE_RECOVERING)
        return; /* already down: one failure, one decision */
    snprintf(actor->last_error, sizeof actor->last_error, "%s", reason);
    s_move_actor(self, sym, role, TT_STATE_ERROR, reason);
    if (sym->quarantined || self->stop_requested)
        return;
    sym->failed_role = role;
    tt_sup_decision_t decision = tt_symsup_on_failure(
        &sym->sup, &self->cfg->supervision, role, tt_root_now(self));
    if (decision.action != TT_SUP_RESTART_ACTORS) {
        s_escalate(self, sym, &decision, reason);
        return;
    }
    if (sym->pending == TT_PENDING_SYMBOL)
        return; /* the whole symbol restarts anyway */
    if (sym->pending != TT_PENDING_ACTORS || role < sym->pending_from)
        sym->pending_from = role;
    sym->pending = TT_PENDING_ACTORS;
    sym->pending_due_ns = tt_root_now(self) + decision.delay_ms * 1000000;
    tt_warn(sym->name,
            "restarting %s and the actors after it in %lld ms "
            "(failure %d of %d within %llds)",
            tt_role_name(sym->pending_from), (long long)decision.delay_ms,
            decision.failures, self->cfg->supervision.max_restarts,
            (long long)(self->cfg->supervision.window_ms / 1000));
}

void tt_symbols_run_due(tt_root_t *self)
{
    int64_t now = tt_root_now(self);
    for (size_t i = 0; i < self->cfg->symbol_count; i++) {
        tt_symbol_rec_t *sym = &self->symbols[i];
        if (sym->pending == TT_PENDING_NONE || sym->pending_due_ns > now)
            continue;
        tt_pending_kind_t kind = sym->pending;
        sym->pending = TT_PENDING_NONE;
        if (kind == TT_PENDING_SYMBOL) {
            sym->restarts++;
            tt_root_move(self, &sym->life, sym->name, TT_STATE_RECOVERING,
                         "symbol restart");
            s_restart_from(self, sym, TT_ROLE_EXECUTION);
        } else {
            s_restart_from(self, sym, sym->pending_from);
        }
    }
}

int64_t tt_symbols_next_due(const tt_root_t *self)
{
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < self->cfg->symbol_count; i++)
        if (self->symbols[i].pending != TT_PENDING_NONE &&
            self->symbols[i].pending_due_ns < next)
            next = self->symbols[i].pending_due_ns;
    return next;
}

void tt_symbols_stop_all(tt_root_t *self)
{
    for (size_t i = self->cfg->symbol_count; i-- > 0;) {
        tt_symbol_rec_t *sym = &self->symbols[i];
        sym->pending = TT_PENDING_NONE;
        sym->restart_after_stop = false;
        if (sym->life.state != TT_STATE_STOPPED &&
            sym->life.state != TT_STATE_STOPPING)
            tt_root_move(self, &sym->life, sym->name, TT_STATE_STOPPING,
                         "shutdown");
        s_take_down(self, sym, TT_ROLE_EXECUTION, S_DOWN_SHUTDOWN);
        s_settle(self, sym);
    }
}

bool tt_symbols_all_stopped(const tt_root_t *self)
{
    for (size_t i = 0; i < self->cfg->symbol_count; i++)
        if (self->symbols[i].life.state != TT_STATE_STOPPED)
            return false;
    return true;
}

tt_symbol_rec_t *tt_root_find_symbol(tt_root_t *self, const char *name)
{
    int index = tt_config_symbol_index(self->cfg, name);
    return index < 0 ? NULL : &self->symbols[index];
}

/* --- operator commands (from the control actor) --- */

static int s_refuse(char *err, size_t size, int status, const char *format,
                    const char *name, const char *state)
{
    snprintf(err, size, format, name, state);
    return status;
}

int tt_symbols_pause(tt_root_t *self, tt_symbol_rec_t *sym, char *err,
                     size_t size)
{
    tt_state_t state = sym->life.state;
    if (state != TT_STATE_RUNNING && state != TT_STATE_PAUSED &&
        state != TT_STATE_STARTING)
        return s_refuse(err, size, TT__STATUS__STATUS_BAD_STATE,
                        "%s is %s: only a running symbol can be paused",
                        sym->name, tt_state_name(state));
    sym->paused_operator = true;
    s_update_pause(self, sym, "operator");
    return TT__STATUS__STATUS_OK;
}

/* Lifts the operator's pause; a symbol paused for stale data stays paused
   until its data is fresh. */
int tt_symbols_resume(tt_root_t *self, tt_symbol_rec_t *sym, char *err,
                      size_t size)
{
    tt_state_t state = sym->life.state;
    if (!sym->paused_operator)
        return TT__STATUS__STATUS_OK;
    if (state == TT_STATE_ERROR && sym->quarantined)
        return s_refuse(err, size, TT__STATUS__STATUS_BAD_STATE,
                        "%s is %s (quarantined): restart it instead", sym->name,
                        tt_state_name(state));
    sym->paused_operator = false;
    s_update_pause(self, sym, "operator resume");
    return TT__STATUS__STATUS_OK;
}

int tt_symbols_restart(tt_root_t *self, tt_symbol_rec_t *sym, char *err,
                       size_t size)
{
    tt_state_t state = sym->life.state;
    if (state == TT_STATE_ERROR) {
        tt_symsup_forgive(&sym->sup);
        sym->quarantined = false;
        sym->pending = TT_PENDING_NONE;
        sym->restarts++;
        tt_root_move(self, &sym->life, sym->name, TT_STATE_RECOVERING,
                     "operator restart");
        s_restart_from(self, sym, TT_ROLE_EXECUTION);
        return TT__STATUS__STATUS_OK;
    }
    if (state != TT_STATE_RUNNING && state != TT_STATE_PAUSED)
        return s_refuse(err, size, TT__STATUS__STATUS_BAD_STATE,
                        "%s is %s: a restart is already under way", sym->name,
                        tt_state_name(state));
    tt_symsup_forgive(&sym->sup);
    sym->pending = TT_PENDING_NONE;
    sym->restart_after_stop = true;
    tt_root_move(self, &sym->life, sym->name, TT_STATE_STOPPING,
                 "operator restart");
    s_take_down(self, sym, TT_ROLE_EXECUTION, S_DOWN_SHUTDOWN);
    s_settle(self, sym);
    return TT__STATUS__STATUS_OK;
}

int tt_symbols_fault(tt_root_t *self, tt_symbol_rec_t *sym,
                     tt_actor_role_t role, const tt_sys_fault_t *fault,
                     char *err, size_t size)
{
    tt_state_t state = sym->actors[role].life.state;
    if (!tt_state_is_up(state)) {
        snprintf(err, size, "%s/%s is %s: only a running actor can fail",
                 sym->name, tt_role_name(role), tt_state_name(state));
        return TT__STATUS__STATUS_BAD_STATE;
    }
    tt_warn(sym->name, "fault injected into %s (%s)", tt_role_name(role),
            fault->kind == TT_FAULT_HANG ? "hang" : "error");
    s_send(self, sym, role, TT_SYS_FAULT, fault, sizeof *fault);
    return TT__STATUS__STATUS_OK;
}
