/*  messages/internal.c: size checks for internal frames (see internal.h). */
#include "messages/internal.h"

#include <string.h>

_Static_assert(sizeof(tt_candle_batch_t) <= TT_MSG_BODY_MAX, "history");
_Static_assert(sizeof(tt_preview_t) <= TT_MSG_BODY_MAX, "preview");
_Static_assert(sizeof(tt_evt_snapshot_t) <= TT_MSG_BODY_MAX, "snapshot");
_Static_assert(sizeof(tt_intent_t) <= TT_MSG_BODY_MAX, "intent");
_Static_assert(sizeof(tt_broker_ev_t) <= TT_MSG_BODY_MAX, "broker event");
_Static_assert(sizeof(tt_pack_t) <= TT_MSG_BODY_MAX, "pack");

const char *tt_recon_action_name(int32_t action)
{
    static const char *const names[] = {
        [TT_RECON_ADOPT_ORDER] = "adopt_order",
        [TT_RECON_ADOPT_FILL] = "adopt_fill",
        [TT_RECON_ADOPT_STATE] = "adopt_state",
        [TT_RECON_RESOLVE] = "resolve",
        [TT_RECON_REPLACED] = "replaced",
        [TT_RECON_CANCEL_AT_BROKER] = "cancel_at_broker",
        [TT_RECON_BROKER_BEHIND] = "broker_behind",
    };
    if (action < TT_RECON_ADOPT_ORDER || action > TT_RECON_BROKER_BEHIND)
        return "unknown";
    return names[action];
}

long tt_msg_body_size(uint16_t type, const void *body, size_t len)
{
    switch (type) {
    case TT_MSG_TICK:
        return sizeof(tt_tick_t);
    case TT_MSG_TICKS: {
        uint32_t count;
        if (len < sizeof count)
            return -1;
        memcpy(&count, body, sizeof count);
        if (count == 0 || count > TT_TICK_BATCH)
            return -1;
        return (long)(offsetof(tt_tick_batch_t, ticks) +
                      count * sizeof(tt_tick_t));
    }
    case TT_MSG_CANDLE:
        return sizeof(tt_candle_t);
    case TT_MSG_IND_VALUES:
        return sizeof(tt_ind_values_t);
    case TT_MSG_SIGNAL:
        return sizeof(tt_signal_t);
    case TT_MSG_POSITION:
        return sizeof(tt_position_msg_t);
    case TT_MSG_INTENT_DONE:
        return sizeof(tt_intent_done_t);
    case TT_MSG_CLOCK:
    case TT_MSG_TIME:
        return sizeof(tt_clock_msg_t);
    case TT_MSG_HISTORY: {
        uint32_t count;
        if (len < sizeof count)
            return -1;
        memcpy(&count, body, sizeof count);
        if (count == 0 || count > TT_CANDLE_BATCH)
            return -1;
        return (long)(offsetof(tt_candle_batch_t, candles) +
                      count * sizeof(tt_candle_t));
    }
    case TT_MSG_WARMTH:
    case TT_REP_WARMUP:
        return sizeof(tt_warmth_t);
    case TT_MSG_PREVIEW_REQ:
        return sizeof(tt_preview_req_t);
    case TT_MSG_PREVIEW:
        return sizeof(tt_preview_t);
    case TT_EVT_SNAPSHOT:
        return sizeof(tt_evt_snapshot_t);
    case TT_MSG_BROKER_INTENT:
        return sizeof(tt_intent_t);
    case TT_MSG_BROKER_EVENT:
        return sizeof(tt_broker_ev_t);
    case TT_MSG_PACK:
        return tt_pack_body_size(body, len);
    case TT_EVT_ORDER:
        return sizeof(tt_evt_order_t);
    case TT_EVT_FILL:
        return sizeof(tt_evt_fill_t);
    case TT_EVT_CANDLE:
        return sizeof(tt_candle_t);
    case TT_EVT_LIFECYCLE:
        return sizeof(tt_evt_lifecycle_t);
    case TT_EVT_REJECTION:
        return sizeof(tt_evt_rejection_t);
    case TT_MSG_SESSION:
        return sizeof(tt_session_msg_t);
    case TT_EVT_BREAKER:
        return sizeof(tt_evt_breaker_t);
    case TT_EVT_EOD:
        return sizeof(tt_evt_eod_t);
    case TT_EVT_RECONCILE:
        return sizeof(tt_evt_reconcile_t);
    case TT_EVT_PROTECTION:
        return sizeof(tt_evt_protection_t);
    case TT_EVT_OWED_CLOSE:
        return sizeof(tt_evt_owed_close_t);
    case TT_EVT_BARRIER:
    case TT_SYS_START:
    case TT_SYS_STOP:
    case TT_SYS_PAUSE:
    case TT_SYS_RESUME:
    case TT_SYS_FENCE:
    case TT_REP_STARTED:
    case TT_REP_STOPPED:
    case TT_REP_STALE:
    case TT_REP_FRESH:
    case TT_REP_REPLAY_DONE:
    case TT_MSG_DRAIN:
    case TT_REP_DRAINED:
    case TT_REP_VENUE_WAIT:
    case TT_REP_VENUE_LATE:
    case TT_REP_VENUE_OK:
    case TT_REP_STORE_WAIT:
    case TT_REP_STORE_OK:
        return 0;
    case TT_SYS_FAULT:
        return sizeof(tt_sys_fault_t);
    case TT_REP_FAILED:
        return sizeof(tt_rep_failed_t);
    default:
        return -1;
    }
}

int tt_msg_check(const void *frame, size_t size)
{
    tt_msg_hdr_t hdr;
    if (size < sizeof hdr || size > sizeof(tt_msg_t))
        return -1;
    memcpy(&hdr, frame, sizeof hdr);
    if (hdr.len != size - sizeof hdr)
        return -1;
    const unsigned char *body = (const unsigned char *)frame + sizeof hdr;
    long expected = tt_msg_body_size(hdr.type, body, hdr.len);
    return expected >= 0 && (size_t)expected == hdr.len ? 0 : -1;
}
