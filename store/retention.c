/*  store/retention.c: deleting old market data and events. Only tables
    that can be rebuilt or re-fetched are pruned; orders, order events,
    fills, positions and the ledger are kept for ever (the ledger's
    triggers would refuse anyway). Runs on the store actor's thread. */
#include "store/store_priv.h"

#include <assert.h>

/* The highest event seq survives the deletion of its row, so a restart
   after pruning every event still continues the sequence. */
static const char s_keep_max_seq[] =
    "INSERT INTO kv (k, v) SELECT k, m FROM (SELECT"
    " 'store.events.max_seq' AS k, MAX(seq) AS m FROM events)"
    " WHERE m IS NOT NULL ON CONFLICT (k) DO UPDATE SET"
    " v = MAX(CAST(v AS INTEGER), CAST(excluded.v AS INTEGER))";

/* A snapshot older than the cutoff goes unless it is the latest of its
   symbol and key: a restart always finds one to restore from. */
static const char s_del_snapshots[] =
    "DELETE FROM indicator_snapshots WHERE ts < ?1 AND ts < (SELECT"
    " MAX(s.ts) FROM indicator_snapshots s WHERE s.symbol ="
    " indicator_snapshots.symbol AND s.key = indicator_snapshots.key)";

/* Runs SQL with ?1 = CUTOFF (when the SQL has a parameter); *N receives
   the rows changed. */
static int s_run(tt_store_t *self, const char *sql, tt_ns_t cutoff, int64_t *n,
                 const char *op)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(self->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        if (sqlite3_bind_parameter_count(st) > 0)
            sqlite3_bind_int64(st, 1, cutoff);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_OK)
        return tt_st_fail(self, op, rc);
    if (n)
        *n = sqlite3_changes64(self->db);
    return 0;
}

static int s_prune(tt_store_t *self, const tt_store_retention_t *r,
                   tt_store_deleted_t *d)
{
    if (r->candles_before &&
        s_run(self, "DELETE FROM candles WHERE open_ts < ?1", r->candles_before,
              &d->candles, "retain: candles") != 0)
        return -1;
    if (r->events_before &&
        (s_run(self, s_keep_max_seq, 0, NULL, "retain: events max seq") ||
         s_run(self, "DELETE FROM events WHERE ts < ?1", r->events_before,
               &d->events, "retain: events")))
        return -1;
    if (r->snapshots_before && s_run(self, s_del_snapshots, r->snapshots_before,
                                     &d->snapshots, "retain: snapshots") != 0)
        return -1;
    return 0;
}

int tt_store_retain(tt_store_t *self, const tt_store_retention_t *ret,
                    tt_store_deleted_t *deleted)
{
    assert(self && ret);
    tt_store_deleted_t d = {0, 0, 0};
    if (tt_store_flush(self) != 0 ||
        tt_st_begin(self, self->opts.sync, "retain") != 0)
        return -1;
    if (s_prune(self, ret, &d) != 0) {
        tt_st_rollback(self);
        return -1;
    }
    if (tt_st_commit(self, "retain") != 0)
        return -1;
    if (deleted)
        *deleted = d;
    return 0;
}
