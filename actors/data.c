/*  actors/data.c: a symbol's data actor. Runs on the symbol's worker.

    Ticks from the symbol's venue feed go into the candle builder
    (marketdata/candles.h); every closed candle of a configured timeframe
    goes on to the indicator actor, and every tick batch to the execution
    actor, whose paper broker fills against the symbol's own trades. A
    timer closes candles on a quiet market (event time from the clock,
    less a small allowance for ticks still in flight) and watches the age
    of the last tick: past the symbol's stale_ms it reports the symbol
    stale to the root, which pauses trading (reason "stale"), and reports
    it fresh again when ticks return; the root then asks the venue's feed
    to re-subscribe the symbol.

    Two more entries: closed candles of history from any source
    (TT_MSG_HISTORY, actors/warmup.h) take the path of live closed
    candles; and a preview request (TT_MSG_PREVIEW_REQ) takes the forming
    candle without changing the builder and hands it to the indicator
    actor, which answers the asker. */
#include "actors/symbol_actors.h"
#include "marketdata/candles.h"
#include "runtime/log.h"

#include <stdio.h>
#include <stdlib.h>

#define S_TIMER_NS (250 * TT_NS_PER_MS)
/* Ticks may still be in flight for this long after their event time;
   candles are closed by the timer only once it has passed. */
#define S_LATENESS_NS (250 * TT_NS_PER_MS)
#define S_HISTORY 512 /* closed candles kept per timeframe */

typedef struct {
    tt_candles_t *candles;
    const tt_symbol_cfg_t *sym;
    uint32_t indicator; /* actor ids */
    uint32_t execution;
    int64_t last_rx_ns; /* clock time of the last tick; 0 = none yet */
    int64_t started_ns;
    bool stale;      /* reported stale to the root */
    bool bus;        /* candles also go to the bus */
    bool inband;     /* time comes in TT_MSG_CLOCK frames (backtest) */
    int64_t last_ts; /* event time of the last tick */
} s_data_t;

static bool s_forwarded(const s_data_t *self, int32_t tf_s)
{
    for (size_t i = 0; i < self->sym->timeframe_count; i++)
        if (self->sym->timeframes[i] == tf_s)
            return true;
    return false;
}

static int s_init(tt_actor_t *actor, void **state_p)
{
    s_data_t *self = calloc(1, sizeof *self);
    if (!self)
        return -1;
    self->sym = tt_actor_symbol(actor);
    tt_candles_config_t cfg = {.history = S_HISTORY};
    for (size_t i = 0; i < self->sym->timeframe_count; i++)
        if (self->sym->timeframes[i] > 1)
            cfg.tfs[cfg.ntf++] = self->sym->timeframes[i];
    char err[128];
    self->candles = tt_candles_new(&cfg, err, sizeof err);
    if (!self->candles) {
        tt_actor_fail(actor, "candles: %s", err);
        free(self);
        return -1;
    }
    self->indicator = tt_actor_sibling(actor, TT_ROLE_INDICATOR);
    self->execution = tt_actor_sibling(actor, TT_ROLE_EXECUTION);
    self->bus = tt_actor_has_bus(actor);
    self->started_ns = tt_actor_now(actor);
    tt_actor_timer_every(actor, S_TIMER_NS);
    *state_p = self;
    return 0;
}

static void s_emit(tt_actor_t *actor, s_data_t *self, const tt_candle_t *out,
                   int count)
{
    for (int i = 0; i < count; i++) {
        if (!s_forwarded(self, out[i].tf_s))
            continue;
        tt_actor_send_critical(actor, self->indicator, TT_MSG_CANDLE, &out[i],
                               sizeof out[i]);
        /* Stored for warm-up and published on "md.": market data, so
           droppable under load (counted), unlike orders and fills. */
        if (self->bus)
            tt_actor_send(actor, TT_ACTOR_BUS, TT_EVT_CANDLE, &out[i],
                          sizeof out[i]);
    }
}

static void s_report(tt_actor_t *actor, s_data_t *self, bool stale)
{
    self->stale = stale;
    tt_actor_report(actor, stale ? TT_REP_STALE : TT_REP_FRESH);
}

static int s_on_ticks(tt_actor_t *actor, s_data_t *self,
                      const tt_tick_batch_t *batch, uint32_t len)
{
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    for (uint32_t i = 0; i < batch->count; i++) {
        int count = tt_candles_tick(self->candles, &batch->ticks[i], out,
                                    TT_CANDLES_MAX_OUT);
        if (count < 0)
            continue; /* invalid tick: counted by the builder */
        s_emit(actor, self, out, count);
    }
    self->last_rx_ns = tt_actor_now(actor);
    self->last_ts = batch->ticks[batch->count - 1].ts;
    tt_actor_note_tick(actor, batch->ticks[batch->count - 1].ts, batch->count);
    tt_actor_send_critical(actor, self->execution, TT_MSG_TICKS, batch, len);
    if (self->stale)
        s_report(actor, self, false);
    return 0;
}

static void s_advance(tt_actor_t *actor, s_data_t *self, int64_t until)
{
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    int count;
    do {
        count =
            tt_candles_advance(self->candles, until, out, TT_CANDLES_MAX_OUT);
        s_emit(actor, self, out, count > 0 ? count : 0);
    } while (count == TT_CANDLES_MAX_OUT);
}

/* Staleness from SINCE (the last tick, or the start) to NOW. */
static void s_check_stale(tt_actor_t *actor, s_data_t *self, int64_t since,
                          int64_t now)
{
    if (!self->stale && now - since > self->sym->stale_ms * TT_NS_PER_MS) {
        tt_warn(tt_actor_path(actor), "no tick for %lld ms: stale",
                (long long)((now - since) / TT_NS_PER_MS));
        s_report(actor, self, true);
    }
}

/* The trades a venue bar stands for, for the paper broker, which fills on
   trades: open, the nearer extreme, the other, close, spread over the
   bar's interval in event time (so an order decided at the bar's open
   can fill inside it, and one decided at its close cannot), each a
   quarter of the volume (at least one unit). */
static void s_bar_trades(const tt_candle_t *bar, tt_tick_batch_t *out)
{
    int64_t span = (int64_t)bar->tf_s * TT_NS_PER_SEC;
    bool low_first = bar->open - bar->low <= bar->high - bar->open;
    tt_px_t path[4] = {bar->open, low_first ? bar->low : bar->high,
                       low_first ? bar->high : bar->low, bar->close};
    tt_qty_t size = bar->volume / 4 > 0 ? bar->volume / 4 : 1;
    out->count = 4;
    for (int i = 0; i < 4; i++)
        out->ticks[i] = (tt_tick_t){.ts = bar->open_ts + i * (span / 4),
                                    .price = path[i],
                                    .size = size};
    out->ticks[3].ts = bar->open_ts + span - 1;
}

/* A venue bar (Alpaca minute bars, Binance klines, a replayed bar file)
   enters the same builder as ticks. The builder takes it only for an
   interval no trade reached first (a live venue's bar of a minute whose
   trades came in wins nothing: the trades made that candle), and a bar
   it already took, resent after a reconnect, is late. Only a bar it took
   stands for trades at the paper broker: the real trades of a refused
   bar went there already. */
static int s_on_bar(tt_actor_t *actor, s_data_t *self, const tt_candle_t *bar)
{
    tt_candle_t out[TT_CANDLES_MAX_OUT];
    uint64_t taken = tt_candles_stats(self->candles).bars;
    int count = tt_candles_bar(self->candles, bar, out, TT_CANDLES_MAX_OUT);
    if (count < 0)
        return 0; /* refused (misaligned, inconsistent): counted */
    s_emit(actor, self, out, count);
    if (tt_candles_stats(self->candles).bars == taken)
        return 0; /* late, empty or unused: counted by the builder */
    tt_tick_batch_t trades;
    s_bar_trades(bar, &trades);
    self->last_rx_ns = tt_actor_now(actor);
    self->last_ts = bar->open_ts + (int64_t)bar->tf_s * TT_NS_PER_SEC;
    tt_actor_note_tick(actor, self->last_ts, 1);
    tt_actor_send_critical(
        actor, self->execution, TT_MSG_TICKS, &trades,
        (uint32_t)(offsetof(tt_tick_batch_t, ticks) + 4 * sizeof(tt_tick_t)));
    if (self->stale)
        s_report(actor, self, false);
    return 0;
}

/* In-band time from the replay feed: every tick before it has arrived, so
   candles close exactly at their end and staleness is judged in event
   time; the timer stands down for the rest of the actor's life. */
static int s_on_clock(tt_actor_t *actor, s_data_t *self, int64_t now)
{
    if (!self->inband) {
        self->inband = true;
        self->started_ns = now;
    }
    s_advance(actor, self, now);
    s_check_stale(actor, self, self->last_ts ? self->last_ts : self->started_ns,
                  now);
    return 0;
}

/* A closed candle from a history source is checked like any input from
   outside: a positive timeframe, an aligned open time, a sane range. */
static bool s_history_ok(const tt_candle_t *c)
{
    return c->tf_s > 0 && c->open_ts >= 0 &&
           c->open_ts % ((tt_ns_t)c->tf_s * TT_NS_PER_SEC) == 0 &&
           c->low <= c->high && c->open >= c->low && c->open <= c->high &&
           c->close >= c->low && c->close <= c->high && c->volume >= 0;
}

static int s_on_history(tt_actor_t *actor, s_data_t *self,
                        const tt_candle_batch_t *batch)
{
    uint32_t bad = 0;
    for (uint32_t i = 0; i < batch->count; i++) {
        tt_candle_t c = batch->candles[i];
        if (!s_history_ok(&c)) {
            bad++;
            continue;
        }
        c.closed = true;
        s_emit(actor, self, &c, 1);
    }
    if (bad)
        tt_warn(tt_actor_path(actor), "%u malformed history candles ignored",
                bad);
    return 0;
}

static int s_on_preview(tt_actor_t *actor, s_data_t *self, uint32_t from,
                        const tt_preview_req_t *req)
{
    tt_preview_t out = {.req_id = req->req_id,
                        .reply_to = from,
                        .tf_s =
                            req->tf_s ? req->tf_s : self->sym->timeframes[0]};
    if (from != TT_ACTOR_ROOT &&
        from >= tt_actor_config(actor)->symbol_count * TT_ROLE_COUNT) {
        tt_warn(tt_actor_path(actor), "preview for unknown asker %u ignored",
                from);
        return 0;
    }
    if (!s_forwarded(self, out.tf_s)) {
        out.status = TT_PREVIEW_BAD_TF;
        tt_actor_send(actor, from, TT_MSG_PREVIEW, &out, sizeof out);
        return 0;
    }
    out.status =
        tt_candles_forming(self->candles, out.tf_s, &out.values.candle) == 0
            ? TT_PREVIEW_OK
            : TT_PREVIEW_NO_CANDLE;
    tt_actor_send(actor, self->indicator, TT_MSG_PREVIEW, &out, sizeof out);
    return 0;
}

static int s_handle(tt_actor_t *actor, void *state, const tt_msg_t *msg)
{
    s_data_t *self = state;
    switch (msg->hdr.type) {
    case TT_MSG_CLOCK:
        return s_on_clock(actor, self, msg->body.clock.now);
    case TT_MSG_CANDLE:
        return s_on_bar(actor, self, &msg->body.candle);
    case TT_MSG_HISTORY:
        return s_on_history(actor, self, &msg->body.history);
    case TT_MSG_PREVIEW_REQ:
        return s_on_preview(actor, self, msg->hdr.from, &msg->body.preview_req);
    case TT_MSG_TICKS:
        return s_on_ticks(actor, self, &msg->body.ticks, msg->hdr.len);
    case TT_MSG_TICK: {
        tt_tick_batch_t one = {.count = 1, .ticks = {msg->body.tick}};
        return s_on_ticks(
            actor, self, &one,
            (uint32_t)(offsetof(tt_tick_batch_t, ticks) + sizeof(tt_tick_t)));
    }
    default:
        tt_actor_fail(actor, "unexpected message type %u", msg->hdr.type);
        return -1;
    }
}

static int s_timer(tt_actor_t *actor, void *state, int64_t now_ns)
{
    s_data_t *self = state;
    if (self->inband)
        return 0;
    s_advance(actor, self, now_ns - S_LATENESS_NS);
    s_check_stale(actor, self,
                  self->last_rx_ns ? self->last_rx_ns : self->started_ns,
                  now_ns);
    return 0;
}

static void s_destroy(tt_actor_t *actor, void **state_p)
{
    (void)actor;
    s_data_t *self = *state_p;
    if (self)
        tt_candles_destroy(&self->candles);
    free(self);
    *state_p = NULL;
}

const tt_behaviour_t tt_data_behaviour = {.name = "data",
                                          .init = s_init,
                                          .handle = s_handle,
                                          .timer = s_timer,
                                          .destroy = s_destroy};
