/*  store/owed.c: the force-closes a session end owed (owed_closes, schema
    version 4). A live symbol whose venue has not reconciled its restored
    orders when its session ends closes nothing then: its execution actor
    owes the close until the venue answers, and records it here through
    the bus, so a restart of the whole service still owes it
    (actors/execution.c). Runs on the store actor's thread. */
#include "store/store_priv.h"

#include <assert.h>

/* Runs SQL (bound by the caller through BIND) in a transaction of its
   own at the sync_trade level, after the queued rows: the store keeps
   the order the bus got its frames in. */
static int s_write(tt_store_t *self, const char *sql, const char *op,
                   const char *symbol, int32_t session_id, tt_ns_t end_ts)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(self->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return tt_st_fail(self, op, rc);
    }
    tt_st_bind_text(st, 1, symbol, false);
    if (session_id) {
        sqlite3_bind_int(st, 2, session_id);
        sqlite3_bind_int64(st, 3, end_ts);
    }
    int ret = -1;
    if (tt_store_flush(self) == 0 &&
        tt_st_begin(self, self->opts.sync_trade, op) == 0) {
        if (tt_st_done(self, st, op) == 0)
            ret = tt_st_commit(self, op);
        else
            tt_st_rollback(self);
    }
    sqlite3_finalize(st);
    return ret;
}

int tt_store_owed_close_put(tt_store_t *self, const char *symbol,
                            int32_t session_id, tt_ns_t end_ts)
{
    assert(self);
    const char *op = "owed_close_put";
    if (tt_st_name_ok(self, op, "symbol", symbol, TT_STORE_SYMBOL_MAX) != 0)
        return -1;
    if (session_id <= 0)
        return tt_st_errf(self, "%s %s: session id %d is not a trading date",
                          op, symbol, (int)session_id);
    return s_write(self,
                   "INSERT OR REPLACE INTO owed_closes (symbol, session_id,"
                   " end_ts) VALUES (?1, ?2, ?3)",
                   op, symbol, session_id, end_ts);
}

int tt_store_owed_close_clear(tt_store_t *self, const char *symbol)
{
    assert(self);
    const char *op = "owed_close_clear";
    if (tt_st_name_ok(self, op, "symbol", symbol, TT_STORE_SYMBOL_MAX) != 0)
        return -1;
    return s_write(self, "DELETE FROM owed_closes WHERE symbol = ?1", op,
                   symbol, 0, 0);
}

int tt_store_owed_close_get(tt_store_t *self, const char *symbol,
                            int32_t *session_id, tt_ns_t *end_ts)
{
    assert(self && session_id && end_ts);
    const char *op = "owed_close_get";
    if (tt_st_name_ok(self, op, "symbol", symbol, TT_STORE_SYMBOL_MAX) != 0)
        return -1;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(self->db,
                                "SELECT session_id, end_ts FROM owed_closes"
                                " WHERE symbol = ?1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return tt_st_fail(self, op, rc);
    }
    tt_st_bind_text(st, 1, symbol, false);
    rc = sqlite3_step(st);
    int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
    if (rc == SQLITE_ROW) {
        *session_id = sqlite3_column_int(st, 0);
        *end_ts = sqlite3_column_int64(st, 1);
    } else if (ret < 0) {
        tt_st_fail(self, op, rc);
    }
    sqlite3_finalize(st);
    return ret;
}
