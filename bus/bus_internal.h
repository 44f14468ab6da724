/*  bus/bus_internal.h: what the bus thread's files share: events into
    their published form (convert.c) and the replay endpoint (replay.c). */
#ifndef TT_BUS_BUS_INTERNAL_H
#define TT_BUS_BUS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "config/config.h"
#include "marketdata/types.h"
#include "messages/internal.h"
#include "store/store.h"

/* Not a frame type on the wire: the position event the bus derives from
   each fill (its body is the fill's tt_evt_fill_t). */
#define TT_EVT_POSITION_T 399

#define TT_BUS_TOPIC_MAX 64
#define TT_BUS_EVENT_MAX 1024 /* largest packed Event */

/* Copies S (NULL: "") into DST of CAP bytes, cut to fit: snprintf's
   "%s" without its formatting, which was a fifth of the bus thread. */
void tt_bus_copy(char *dst, size_t cap, const char *s);

void tt_bus_topic(char *buf, size_t size, uint16_t type, const char *symbol);

/* Packs the event of TYPE (TT_EVT_* or TT_EVT_POSITION_T) with BODY about
   SYMBOL (NULL or "" when service-wide; INST its instrument, may be NULL
   for lifecycle events) as sequence SEQ into OUT; *TS receives the
   event's time. Returns the size, or 0 when TYPE is not an event, CAP
   is short or a string of BODY fills its field without its NUL. The
   bytes are protobuf-c's, packed in one walk (convert.c). */
size_t tt_bus_encode(uint16_t type, const void *body, const char *symbol,
                     const tt_instrument_t *inst, uint64_t seq, int64_t *ts,
                     uint8_t *out, size_t cap);

/* Answers one request waiting on the replay socket REP from STORE: at
   most TT_BUS_REPLAY_MAX events of the range asked, with LAST_SEQ (the
   last committed sequence number). TOKEN, when not NULL, must be
   presented. */
#define TT_BUS_REPLAY_MAX 1000
void tt_bus_replay_serve(zsock_t *rep, tt_store_t *store, const char *token,
                         uint64_t last_seq, tt_bus_stats_t *stats);

/* Records the start of a run at NOW (the config file's hash, the
   version); *RUN_ID receives its id (0 when it failed: logged). */
int tt_bus_run_start(tt_store_t *store, const tt_config_t *cfg, tt_ns_t now,
                     int64_t *run_id);

/* Closes run RUN_ID (0: none) at NOW, exit reason "stop". */
void tt_bus_run_stop(tt_store_t *store, int64_t run_id, tt_ns_t now);

/* Deletes what CFG keeps no longer, counted from NOW: candles and
   indicator snapshots (never a symbol's latest) older than candles_days,
   events older than events_days. Logs what went. 0 or -1 (logged). */
int tt_bus_retain(tt_store_t *store, const tt_retention_cfg_t *cfg,
                  tt_ns_t now);

#endif
