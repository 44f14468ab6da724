/*  store/indexes.c: a new grouped store's secondary indexes, built once
    at the end instead of row by row (opts.defer_indexes). A backtest's
    store is new and written by one connection; the indexes that only
    speed up reads (orders by state, order_events by client id, the
    ledger by symbol, events by time) are dropped when it is created and
    built again, from their own CREATE statements, when the writer has
    every row: SQLite then sorts each once instead of keeping it in order
    through a million inserts. Indexes that enforce a constraint (UNIQUE,
    primary keys) stay, so every row is checked as it is written, and
    every query works meanwhile (reading the table instead of the index).
    Runs on the thread that owns the store. */
#include "store/store_priv.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* The schema's indexes that enforce nothing: not an automatic one (a
   UNIQUE or PRIMARY KEY constraint's, whose sql is NULL), not UNIQUE. */
static const char s_deferrable[] =
    "SELECT m.name, m.sql FROM sqlite_master AS m"
    " WHERE m.type = 'index' AND m.sql IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM pragma_index_list(m.tbl_name) AS l"
    " WHERE l.name = m.name AND l.\"unique\")"
    " ORDER BY m.rowid";

/* Appends A and B to the string *BUF (NULL: empty); -1 out of memory. */
static int s_cat(tt_store_t *self, char **buf, const char *a, const char *b)
{
    size_t have = *buf ? strlen(*buf) : 0, n = strlen(a), m = strlen(b);
    char *p = realloc(*buf, have + n + m + 1);
    if (!p)
        return tt_st_errf(self, "out of memory for deferred indexes");
    memcpy(p + have, a, n);
    memcpy(p + have + n, b, m + 1);
    *buf = p;
    return 0;
}

/* Runs SQL in a transaction of its own, for OP. 0 or -1 rolled back. */
static int s_exec_all(tt_store_t *self, const char *sql, const char *op)
{
    int rc = sqlite3_exec(self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(self->db, sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(self->db, "COMMIT", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        return 0;
    tt_st_fail(self, op, rc);
    if (!sqlite3_get_autocommit(self->db))
        sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* The deferrable indexes: their DROP statements into *DROPS and their
   CREATE statements into SELF->deferred. */
static int s_collect(tt_store_t *self, char **drops)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(self->db, s_deferrable, -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *sql = (const char *)sqlite3_column_text(st, 1);
        if (s_cat(self, drops, "DROP INDEX ", name) != 0 ||
            s_cat(self, drops, ";", "") != 0 ||
            s_cat(self, &self->deferred, sql, ";") != 0) {
            sqlite3_finalize(st);
            return -1;
        }
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE
               ? 0
               : tt_st_fail(self, "open: reading the schema's indexes", rc);
}

int tt_st_indexes_defer(tt_store_t *self)
{
    assert(self->opts.defer_indexes && self->opts.group_rows > 0);
    char *drops = NULL;
    int rc = s_collect(self, &drops);
    if (rc == 0 && drops)
        rc = s_exec_all(self, drops, "open: dropping indexes to build later");
    free(drops);
    if (rc != 0) {
        free(self->deferred);
        self->deferred = NULL;
    }
    return rc;
}

int tt_store_indexes_build(tt_store_t *self)
{
    assert(self);
    if (!self->deferred)
        return 0;
    /* Every row first: the open group and the queue. */
    if (tt_store_commit_group(self) != 0 ||
        s_exec_all(self, self->deferred, "build indexes") != 0)
        return -1;
    free(self->deferred);
    self->deferred = NULL;
    return 0;
}
