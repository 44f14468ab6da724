/*  messages/internal.h: the messages actors send each other inside one
    process. They travel over inproc ZeroMQ sockets as one frame holding a
    fixed header and a fixed-layout C body: a tick crosses a mailbox without
    an encode or a decode, which is what lets one core move millions of
    them a second. The wire contract with the outside world is protobuf
    (the .proto files in messages/); an internal body that must leave the
   process is converted in one place (messages/convert.c, as it comes).

    Every received frame is still checked (size against type) before it is
    trusted, because a mailbox could one day be an ipc:// socket. */
#ifndef TT_MESSAGES_INTERNAL_H
#define TT_MESSAGES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "indicators/spec.h"
#include "marketdata/types.h"
#include "orders/book.h"
#include "orders/order.h"
#include "orders/position.h"
#include "strategies/signal.h"

typedef enum {
    /* Market data and trading, between symbol actors. */
    TT_MSG_TICK = 1,      /* body: tt_tick_t */
    TT_MSG_TICKS,         /* body: tt_tick_batch_t (up to TT_TICK_BATCH) */
    TT_MSG_CANDLE,        /* body: tt_candle_t */
    TT_MSG_IND_VALUES,    /* body: tt_ind_values_t (closed candle + values) */
    TT_MSG_SIGNAL,        /* body: tt_signal_t */
    TT_MSG_POSITION,      /* body: tt_position_msg_t, execution -> strategy */
    TT_MSG_INTENT_DONE,   /* body: tt_intent_done_t, bus -> execution */
    TT_MSG_CLOCK,         /* body: tt_clock_msg_t, replay feed -> data */
    TT_MSG_SESSION,       /* body: tt_session_msg_t, clock -> execution */
    TT_MSG_HISTORY,       /* body: tt_candle_batch_t, any source -> data */
    TT_MSG_WARMTH,        /* body: tt_warmth_t, indicator -> execution */
    TT_MSG_PREVIEW_REQ,   /* body: tt_preview_req_t, anyone -> data */
    TT_MSG_PREVIEW,       /* body: tt_preview_t, data -> indicator -> asker */
    TT_MSG_BROKER_INTENT, /* body: tt_intent_t, execution -> broker gateway */
    TT_MSG_BROKER_EVENT, /* body: tt_broker_ev_t, broker gateway -> execution */
    TT_MSG_PACK,         /* body: tt_pack_t, small frames for one worker */
    /* Body: none, root -> execution. The service stops: finish the orders
       already on their way through the bus, then answer TT_REP_DRAINED. */
    TT_MSG_DRAIN,
    /* Body: tt_clock_msg_t, replay feed -> a worker (addressed to any
       actor it hosts, never delivered). The market time of a backtest,
       in band: the worker's actors read it (tt_actor_now) from here on,
       in their mailbox's order, not the runtime's clock. */
    TT_MSG_TIME,

    /* Runtime commands, root -> worker, addressed to one actor. */
    TT_SYS_START = 100, /* create and init the actor */
    TT_SYS_STOP,        /* destroy it (it cancels what it owns) */
    TT_SYS_PAUSE,       /* body: none; the actor stays up, trades nothing */
    TT_SYS_RESUME,
    TT_SYS_FAULT, /* body: tt_sys_fault_t */
    /* A feed stopping, after its last frames: the worker notes it
       (tt_runtime_fence_done); the actor it names is any it hosts. */
    TT_SYS_FENCE,

    /* Reports, worker -> root. `from` is the actor concerned. */
    TT_REP_STARTED = 200,
    TT_REP_STOPPED,
    TT_REP_FAILED,      /* body: tt_rep_failed_t */
    TT_REP_STALE,       /* data is older than the symbol's stale_ms */
    TT_REP_FRESH,       /* data flows again */
    TT_REP_REPLAY_DONE, /* the replay feed sent its last event (backtest) */
    TT_REP_WARMUP,      /* body: tt_warmth_t, from the indicator actor */
    TT_REP_DRAINED,     /* the execution actor has no order in flight */
    /* A restarted live symbol's execution actor: it waits for its venue's
       reconciliation; the wait passed its bound (the symbol stays
       paused); the reconciliation came (either ends). */
    TT_REP_VENUE_WAIT,
    TT_REP_VENUE_LATE,
    TT_REP_VENUE_OK,
    /* A restarted execution actor (paper or live): it waits for the
       store's answer to its barrier before it restores; the wait ended
       (the store answered, or a paper symbol gave up on it). */
    TT_REP_STORE_WAIT,
    TT_REP_STORE_OK,

    /* Events, anyone -> the bus (TT_ACTOR_BUS), which numbers, stores and
       publishes them. `from` names the symbol (any of its actors) or is
       TT_ACTOR_ROOT for service-wide events. */
    TT_EVT_ORDER = 300, /* body: tt_evt_order_t */
    TT_EVT_FILL,        /* body: tt_evt_fill_t */
    TT_EVT_CANDLE,      /* body: tt_candle_t */
    TT_EVT_LIFECYCLE,   /* body: tt_evt_lifecycle_t */
    TT_EVT_REJECTION,   /* body: tt_evt_rejection_t */
    TT_EVT_BREAKER,     /* body: tt_evt_breaker_t (from: the symbol) */
    TT_EVT_EOD,         /* body: tt_evt_eod_t (from: TT_ACTOR_ROOT) */
    TT_EVT_SNAPSHOT,    /* body: tt_evt_snapshot_t; stored, not published */
    TT_EVT_RECONCILE,   /* body: tt_evt_reconcile_t (from: the symbol) */
    TT_EVT_BARRIER,     /* body: none; the bus answers TT_MSG_INTENT_DONE
                           with coid "" once every frame the sender's
                           worker sent before it is handled */
    TT_EVT_PROTECTION,  /* body: tt_evt_protection_t (from: the symbol) */
    /* Body: tt_evt_owed_close_t, from a live symbol's execution actor;
       stored at once, not published. */
    TT_EVT_OWED_CLOSE,
} tt_msg_type_t;

typedef struct {
    uint32_t to;       /* destination actor id */
    uint32_t from;     /* sending actor id (TT_ACTOR_ROOT for the root) */
    uint16_t type;     /* tt_msg_type_t */
    uint16_t flags;    /* TT_MSG_F_... */
    uint32_t len;      /* body length in bytes */
    int64_t origin_ns; /* when its outside cause entered (monotonic);
                          0 = none (runtime/latency.h) */
} tt_msg_hdr_t;

/* A frame to the bus that counts apart from the frames in flight: it
   causes nothing back into the graph (tt_runtime_set_bus_aside). */
#define TT_MSG_F_ASIDE 0x1

#define TT_ACTOR_ROOT UINT32_C(0xffffffff)
#define TT_ACTOR_BUS UINT32_C(0xfffffffe)
/* The broker gateway of venue V (an index in the config's venues): an
   edge actor with an inbox of its own (actors/broker_venue.h). */
#define TT_ACTOR_BROKER_BASE UINT32_C(0xffff0000)
#define TT_ACTOR_BROKER(v) (TT_ACTOR_BROKER_BASE + (uint32_t)(v))
#define TT_ACTOR_IS_BROKER(id)                                                 \
    ((id) >= TT_ACTOR_BROKER_BASE && (id) < TT_ACTOR_BUS)

#define TT_TICK_BATCH 32
typedef struct {
    uint32_t count;
    uint32_t pad;
    tt_tick_t ticks[TT_TICK_BATCH];
} tt_tick_batch_t;

/* A closed candle and the values of the indicators on its timeframe, in
   the order the strategy declared them. */
#define TT_IND_VALUES_MAX 16
typedef struct {
    tt_candle_t candle;
    uint32_t count;
    uint32_t pad;
    tt_ind_value_t values[TT_IND_VALUES_MAX];
} tt_ind_values_t;

/* The position after a fill, as the strategy sees it. */
typedef struct {
    int64_t ts;   /* fill time */
    int32_t side; /* +1 long, -1 short, 0 flat */
    int32_t pad;
    tt_qty_t qty;     /* absolute quantity, scaled */
    tt_px_t entry_px; /* average entry price, scaled; 0 when flat */
} tt_position_msg_t;

typedef enum { TT_FAULT_ERROR = 0, TT_FAULT_HANG = 1 } tt_fault_kind_t;

typedef struct {
    uint32_t kind; /* tt_fault_kind_t */
    uint32_t hang_ms;
} tt_sys_fault_t;

/* An order as it is now. INTENT asks the bus to commit it to the store
   before answering TT_MSG_INTENT_DONE: only then may the broker see it
   (invariant 4: intent before send). TT_EVT_ADOPTED records, without an
   answer, a NEW order the broker already had and the store did not (a
   warm restart's reconciliation, actors/exec_reconcile.h).
   TT_EVT_INTENT_LOCAL is a backtest's intent: stored as one, in order,
   but never answered, because its sender did not wait for the answer
   (its store is new and private, so the answer would always be yes;
   tt_runtime_set_local_intents). */
#define TT_EVT_ADOPTED 2
#define TT_EVT_INTENT_LOCAL 3
typedef struct {
    tt_order_t order;
    int32_t intent; /* 1: a new order to commit, then answer;
                       TT_EVT_ADOPTED: an adopted one, no answer;
                       TT_EVT_INTENT_LOCAL: a new one, no answer */
    int32_t pad;
    char parent_coid[TT_COID_MAX + 1]; /* bracket child: its entry */
    /* The venue's id of the order, from the broker event that moved it
       ("" when it named none: the store keeps the last it had). */
    char venue_oid[TT_BROKER_VENUE_OID_MAX + 1];
} tt_evt_order_t;

/* The answer to an intent. STATUS 0: committed, send it; 1: the client
   order id was already stored (never send it again); -1: the store
   failed (do not send; the order is rejected locally). */
typedef struct {
    char coid[TT_COID_MAX + 1];
    int32_t status;
} tt_intent_done_t;

/* One execution and the position it left. */
typedef struct {
    tt_fill_t fill;
    tt_position_t pos;
} tt_evt_fill_t;

#define TT_EVT_PATH_MAX 48
#define TT_EVT_TEXT_MAX 120
typedef struct {
    int64_t ts;
    char path[TT_EVT_PATH_MAX]; /* "root", "AAPL", "AAPL/data", "feed/sim" */
    int32_t from, to;           /* tt_state_t */
    char reason[TT_EVT_TEXT_MAX];
} tt_evt_lifecycle_t;

typedef struct {
    int64_t ts;
    int32_t kind;   /* tt_signal_kind_t */
    int32_t reason; /* tt_risk_reason_t */
    char text[TT_EVT_TEXT_MAX];
} tt_evt_rejection_t;

/* In-band time (backtests): every event before NOW has been sent ahead of
   this message, so the data actor closes the candles that ended by then
   and judges staleness by it, in the same order on every run. */
typedef struct {
    int64_t now;
} tt_clock_msg_t;
/* Closed candles from any source of history (a venue's history
   endpoint, a file) for a symbol's data actor: they take the path of
   live closed candles (indicators, strategy, store). Ascending per
   timeframe; those not newer than what the indicators have consumed are
   skipped there. */
#define TT_CANDLE_BATCH 15
typedef struct {
    uint32_t count; /* 1..TT_CANDLE_BATCH */
    uint32_t pad;
    tt_candle_t candles[TT_CANDLE_BATCH];
} tt_candle_batch_t;

/* How warm a symbol's indicators are (indicators/set.h): the timeframe
   furthest from its need. Sent at start and on every candle until warm. */
typedef struct {
    uint32_t warm; /* 1: every timeframe has its candles */
    uint32_t have; /* candles consumed on tf_s, at most need */
    uint32_t need;
    int32_t tf_s;
} tt_warmth_t;

/* A read-only preview of the forming candle of TF_S (0: the symbol's
   first timeframe). The data actor fills REPLY_TO with the asker (the
   header's `from`: an actor id or TT_ACTOR_ROOT). */
typedef struct {
    uint32_t req_id; /* echoed in the answer */
    int32_t tf_s;
    uint32_t reply_to;
    uint32_t pad;
} tt_preview_req_t;

typedef enum {
    TT_PREVIEW_OK = 0,        /* values.candle is the forming candle */
    TT_PREVIEW_NO_CANDLE = 1, /* nothing traded yet in the interval: the
                                 values are the current ones */
    TT_PREVIEW_BAD_TF = 2,    /* the timeframe is not configured */
} tt_preview_status_t;

/* The answer: the forming candle and the values the indicators on its
   timeframe would have with it, in the strategy's declared order. */
typedef struct {
    uint32_t req_id;
    uint32_t reply_to;
    int32_t status; /* tt_preview_status_t */
    int32_t tf_s;
    tt_ind_values_t values;
} tt_preview_t;

/* One piece of a snapshot blob (the indicator set's) for the store. The
   bus joins the pieces of one sender in order (offset 0 starts a new
   blob) and stores the blob under the sender's symbol and KEY once
   complete; a piece out of order drops the blob. KEY "paper" is the
   paper broker's state (venues/paper/paper_state.h): it replaces the
   symbol's paper_state row at once, durably, instead of a snapshot. */
#define TT_SNAPSHOT_KEY_PAPER "paper"
#define TT_SNAPSHOT_CHUNK 928
#define TT_SNAPSHOT_KEY_MAX 16
typedef struct {
    int64_t ts;     /* the snapshot's time */
    uint32_t total; /* bytes in the whole blob */
    uint32_t offset;
    uint32_t len; /* bytes in this piece */
    uint32_t pad;
    char key[TT_SNAPSHOT_KEY_MAX];
    unsigned char data[TT_SNAPSHOT_CHUNK];
} tt_evt_snapshot_t;

/* A market session of the symbol's venue opened or ended (clock actor).
   At an end, a symbol whose strategy force-closes cancels its working
   orders and closes its position; at an open, daily risk state resets. */
typedef enum { TT_SESSION_OPEN = 1, TT_SESSION_CLOSE = 2 } tt_session_kind_t;
typedef struct {
    int64_t ts;          /* the session's open or close time */
    int32_t kind;        /* tt_session_kind_t */
    int32_t session_id;  /* trading date, yyyymmdd */
    int32_t force_close; /* CLOSE: 1 when the strategy force-closes */
    int32_t seamless;    /* CLOSE: 1 when the next session opens at once
                            (24/7: the day's bookkeeping, no real close) */
} tt_session_msg_t;

/* What a warm restart's reconciliation did about one order or fill
   where the store and the broker disagreed (actors/exec_reconcile.h). */
typedef enum {
    TT_RECON_ADOPT_ORDER = 1,  /* resting at the broker, not in the store */
    TT_RECON_ADOPT_FILL,       /* filled at the broker, not in the store */
    TT_RECON_ADOPT_STATE,      /* NEW or pending in the store, working at
                                  the broker: takes the broker's state */
    TT_RECON_RESOLVE,          /* open in the store, unknown to the broker */
    TT_RECON_REPLACED,         /* pending replace; the replacement rests */
    TT_RECON_CANCEL_AT_BROKER, /* resting at the broker, done in the
                                  store or not one of ours */
    TT_RECON_BROKER_BEHIND,    /* the store knows fills the broker's saved
                                  state lacks: the broker takes them */
} tt_recon_action_t;

typedef struct {
    int64_t ts;
    int32_t action; /* tt_recon_action_t */
    int32_t pad;
    char coid[TT_COID_MAX + 1];
    char fill_id[TT_FILL_ID_MAX + 1]; /* ADOPT_FILL */
    char reason[TT_EVT_TEXT_MAX];
} tt_evt_reconcile_t;

/* "adopt_order", "adopt_fill", ... as published; "unknown" otherwise. */
const char *tt_recon_action_name(int32_t action);

/* A symbol's circuit breaker tripped or was reset. */
typedef struct {
    int64_t ts;
    int32_t tripped; /* 1 tripped, 0 reset */
    uint32_t errors; /* broker errors and rejections seen so far */
    char reason[TT_EVT_TEXT_MAX];
} tt_evt_breaker_t;

/* A symbol's open position lost its working stop (a refused stop or
   exit: orders/book_guard.c) or got one back (or was closed). */
typedef struct {
    int64_t ts;
    int64_t since;       /* event time it has been bare since; 0 cleared */
    int32_t unprotected; /* 1 no working stop, 0 protected again or flat */
    int32_t pad;
    int64_t retry_at; /* event time the missing order goes again; 0 none */
    char reason[TT_EVT_TEXT_MAX];
} tt_evt_protection_t;

/* A live symbol's force-close that a session end owes (its venue had
   not reconciled the restored orders), or the end of that debt (the
   close ran or was dropped): the bus keeps it in the store (owed_closes),
   so the next start of the service owes it too. */
typedef struct {
    int64_t end_ts;     /* the session's end (OWED 1) */
    int32_t session_id; /* ...its id, yyyymmdd (OWED 1) */
    int32_t owed;       /* 1 owed, 0 no longer */
} tt_evt_owed_close_t;

/* One line of an end-of-day summary: a symbol's, or the venue's total
   (symbol ""). Money in account currency at DECIMALS. */
typedef struct {
    int64_t ts;         /* the session's close */
    int32_t session_id; /* trading date, yyyymmdd */
    int32_t decimals;
    char venue[32];
    char symbol[32];
    uint32_t trades, wins;
    int32_t win_rate_bp;
    int32_t pad;
    int64_t gross, fees, net, max_drawdown;
} tt_evt_eod_t;

#define TT_REASON_MAX 160
typedef struct {
    char reason[TT_REASON_MAX]; /* NUL-terminated */
} tt_rep_failed_t;

/* A pack: small frames for several actors of one worker in one mailbox
   frame (the replay feed's step: each symbol's last ticks, each data
   actor's clock). Each item is a tt_pack_item_t and its body, padded to
   8 bytes. The worker handles the items in order, each as if it were a
   mailbox frame of its own (what it causes among the worker's actors is
   handled before the next item), so a pack changes the cost of a step,
   not its order: at 1000 symbols a step was 2000 sends, one frame each.
   An item carries an actor message (TT_MSG_*), never a pack, a command
   or a report. */
typedef struct {
    uint32_t to;   /* destination actor id */
    uint16_t type; /* tt_msg_type_t, below TT_SYS_START */
    uint16_t len;  /* body length in bytes */
} tt_pack_item_t;

typedef struct {
    uint32_t count; /* items */
    uint32_t used;  /* bytes of items[] in use */
    unsigned char items[sizeof(tt_tick_batch_t) - 2 * sizeof(uint32_t)];
} tt_pack_t;

/* The largest body any message carries. */
#define TT_MSG_BODY_MAX                                                        \
    (sizeof(tt_tick_batch_t) > sizeof(tt_ind_values_t)                         \
         ? sizeof(tt_tick_batch_t)                                             \
         : sizeof(tt_ind_values_t))

typedef struct {
    tt_msg_hdr_t hdr;
    union {
        tt_tick_t tick;
        tt_tick_batch_t ticks;
        tt_candle_t candle;
        tt_ind_values_t values;
        tt_signal_t signal;
        tt_position_msg_t position;
        tt_sys_fault_t fault;
        tt_rep_failed_t failed;
        tt_evt_order_t order;
        tt_evt_fill_t fill;
        tt_intent_done_t done;
        tt_clock_msg_t clock;
        tt_evt_lifecycle_t lifecycle;
        tt_evt_rejection_t rejection;
        tt_session_msg_t session;
        tt_evt_breaker_t breaker;
        tt_evt_eod_t eod;
        tt_candle_batch_t history;
        tt_warmth_t warmth;
        tt_preview_req_t preview_req;
        tt_preview_t preview;
        tt_evt_snapshot_t snapshot;
        tt_intent_t intent;
        tt_broker_ev_t broker_ev;
        tt_evt_reconcile_t reconcile;
        tt_evt_protection_t protection;
        tt_evt_owed_close_t owed_close;
        tt_pack_t pack;
        unsigned char raw[TT_MSG_BODY_MAX];
    } body;
} tt_msg_t;

/* Expected body size for TYPE: exact size, or for TT_MSG_TICKS the size
   for COUNT ticks; -1 for an unknown type. */
long tt_msg_body_size(uint16_t type, const void *body, size_t len);

/* Checks a received frame of SIZE bytes: known type, body length matching
   the header and the type. Returns 0 or -1. */
int tt_msg_check(const void *frame, size_t size);

/* Empties SELF. */
void tt_pack_reset(tt_pack_t *self);
/* Appends a frame of TYPE with LEN bytes of BODY for actor TO: 0, or -1
   when it does not fit (send the pack and start another) or is no actor
   message (a pack, a command, a report: asserted, a programming error). */
int tt_pack_add(tt_pack_t *self, uint32_t to, uint16_t type, const void *body,
                uint32_t len);
/* What tt_msg_body_size says of a pack body of LEN bytes: LEN when its
   count and length agree and every item is an actor message of the
   right size, else -1. */
long tt_pack_body_size(const void *body, size_t len);
/* The body length of SELF as sent. */
uint32_t tt_pack_len(const tt_pack_t *self);
/* The next item of PACK (a checked frame, tt_msg_check) from *OFF on
   (0 for the first) into OUT: its header is the pack's with the item's
   destination, type and length. false after the last. */
bool tt_pack_next(const tt_msg_t *pack, uint32_t *off, tt_msg_t *out);

#endif
