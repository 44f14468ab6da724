/*  store/positions.c: fills exactly once (invariant 5), the append-only
    ledger and the positions kept from it (invariant 6). A new fill, its
    ledger row and the position it produces commit together; a duplicate
    venue fill id touches nothing. Runs on the store actor's thread. */
#include "store/store_priv.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static int s_fill_ok(tt_store_t *self, const char *venue, const char *symbol,
                     int32_t qty_decimals, const tt_fill_t *f)
{
    const char *op = "fill";
    if (tt_st_name_ok(self, op, "venue", venue, TT_STORE_VENUE_MAX) ||
        tt_st_name_ok(self, op, "symbol", symbol, TT_STORE_SYMBOL_MAX) ||
        tt_st_name_ok(self, op, "fill id", f->fill_id, TT_FILL_ID_MAX))
        return -1;
    if (strnlen(f->commission_asset, sizeof f->commission_asset) >=
        sizeof f->commission_asset)
        return tt_st_errf(self,
                          "fill %s/%s: commission asset is not "
                          "NUL-terminated",
                          venue, f->fill_id);
    if (strnlen(f->coid, sizeof f->coid) >= sizeof f->coid)
        return tt_st_errf(self,
                          "fill %s/%s: client order id is not "
                          "NUL-terminated",
                          venue, f->fill_id);
    if ((f->side != TT_SIDE_BUY && f->side != TT_SIDE_SELL) || f->qty <= 0 ||
        f->px <= 0 || qty_decimals < 0 || qty_decimals > 18 ||
        f->exec_qty < 0 || f->commission_decimals < 0 ||
        f->commission_decimals > 18)
        return tt_st_errf(self,
                          "fill %s/%s: side %d, qty %lld, px %lld, "
                          "qty_decimals %d, exec_qty %lld or "
                          "commission_decimals %d out of range",
                          venue, f->fill_id, (int)f->side, (long long)f->qty,
                          (long long)f->px, (int)qty_decimals,
                          (long long)f->exec_qty, (int)f->commission_decimals);
    return 0;
}

/* What the venue reported of F (exec_qty, commission, its decimals and
   asset) into parameters AT.. AT+3 of ST. */
static void s_bind_venue(sqlite3_stmt *st, int at, const tt_fill_t *f)
{
    sqlite3_bind_int64(st, at, f->exec_qty ? f->exec_qty : f->qty);
    sqlite3_bind_int64(st, at + 1, f->commission);
    sqlite3_bind_int(st, at + 2, f->commission_decimals);
    tt_st_bind_text(st, at + 3, f->commission_asset, false);
}

/* Inserts the fills row. 0 with *ROWID, TT_STORE_DUP, or -1. */
static int s_insert_fill(tt_store_t *self, const char *venue,
                         const char *symbol, const tt_fill_t *f, int64_t *rowid,
                         const char *op)
{
    sqlite3_stmt *st = tt_st_stmt(self, ST_FILL_INSERT, op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, venue, false);
    tt_st_bind_text(st, 2, f->fill_id, false);
    tt_st_bind_text(st, 3, f->coid, false);
    tt_st_bind_text(st, 4, symbol, false);
    sqlite3_bind_int(st, 5, (int)f->side);
    sqlite3_bind_int64(st, 6, f->qty);
    sqlite3_bind_int64(st, 7, f->px);
    sqlite3_bind_int64(st, 8, f->fee);
    sqlite3_bind_int64(st, 9, f->ts);
    s_bind_venue(st, 10, f);
    if (tt_st_done(self, st, op) != 0)
        return -1;
    /* ON CONFLICT (venue, fill_id) DO NOTHING changes no row for a
       duplicate; other constraints still fail loudly, unlike OR IGNORE. */
    if (sqlite3_changes(self->db) == 0)
        return TT_STORE_DUP;
    *rowid = sqlite3_last_insert_rowid(self->db);
    return 0;
}

/* Reads a positions row (columns as ST_POS_GET selects them). */
static void s_pos_read(sqlite3_stmt *st, tt_position_t *p)
{
    tt_position_init(p, sqlite3_column_int(st, 8));
    p->qty = sqlite3_column_int64(st, 0);
    p->cost = sqlite3_column_int64(st, 1);
    p->realized = sqlite3_column_int64(st, 2);
    p->fees = sqlite3_column_int64(st, 3);
    p->trip_realized = sqlite3_column_int64(st, 4);
    p->trip_fees = sqlite3_column_int64(st, 5);
    p->fills = (uint64_t)sqlite3_column_int64(st, 6);
    p->trips = (uint64_t)sqlite3_column_int64(st, 7);
    p->opened_ts = sqlite3_column_int64(st, 9);
    p->updated_ts = sqlite3_column_int64(st, 10);
}

/* 0 found, 1 none (P flat), -1 error. */
static int s_pos_load(tt_store_t *self, const char *symbol, tt_position_t *p,
                      const char *op)
{
    sqlite3_stmt *st = tt_st_stmt(self, ST_POS_GET, op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, symbol, false);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s_pos_read(st, p);
    else
        tt_position_init(p, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return tt_st_fail(self, op, rc);
    return rc == SQLITE_ROW ? 0 : 1;
}

static int s_pos_save(tt_store_t *self, const char *symbol,
                      const tt_position_t *p, const char *op)
{
    sqlite3_stmt *st = tt_st_stmt(self, ST_POS_PUT, op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, symbol, false);
    sqlite3_bind_int64(st, 2, p->qty);
    sqlite3_bind_int64(st, 3, p->cost);
    sqlite3_bind_int64(st, 4, tt_position_avg_px(p));
    sqlite3_bind_int64(st, 5, p->realized);
    sqlite3_bind_int64(st, 6, p->fees);
    sqlite3_bind_int64(st, 7, p->trip_realized);
    sqlite3_bind_int64(st, 8, p->trip_fees);
    sqlite3_bind_int64(st, 9, (int64_t)p->fills);
    sqlite3_bind_int64(st, 10, (int64_t)p->trips);
    sqlite3_bind_int(st, 11, p->qty_decimals);
    sqlite3_bind_int64(st, 12, p->opened_ts);
    sqlite3_bind_int64(st, 13, p->updated_ts);
    return tt_st_done(self, st, op);
}

static int s_ledger_append(tt_store_t *self, int64_t fill_rowid,
                           const char *venue, const char *symbol,
                           const tt_fill_t *f, const tt_position_t *p,
                           int64_t realized, const char *op)
{
    sqlite3_stmt *st = tt_st_stmt(self, ST_LEDGER_INSERT, op);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, fill_rowid);
    tt_st_bind_text(st, 2, symbol, false);
    tt_st_bind_text(st, 3, venue, false);
    tt_st_bind_text(st, 4, f->fill_id, false);
    tt_st_bind_text(st, 5, f->coid, false);
    sqlite3_bind_int(st, 6, (int)f->side);
    sqlite3_bind_int64(st, 7, f->qty);
    sqlite3_bind_int64(st, 8, f->px);
    sqlite3_bind_int64(st, 9, f->fee);
    sqlite3_bind_int64(st, 10, f->ts);
    sqlite3_bind_int(st, 11, p->qty_decimals);
    sqlite3_bind_int64(st, 12, realized);
    sqlite3_bind_int64(st, 13, p->qty);
    s_bind_venue(st, 14, f);
    return tt_st_done(self, st, op);
}

/* Everything a new fill writes, inside the open transaction. */
static int s_apply_fill(tt_store_t *self, int64_t rowid, const char *venue,
                        const char *symbol, int32_t qd, const tt_fill_t *f,
                        tt_position_t *p, const char *op)
{
    int found = s_pos_load(self, symbol, p, op);
    if (found < 0)
        return -1;
    if (found == 1)
        tt_position_init(p, qd);
    else if (p->qty_decimals != qd)
        return tt_st_errf(self,
                          "%s: qty_decimals %d differs from the "
                          "stored position's %d",
                          op, (int)qd, (int)p->qty_decimals);
    tt_position_delta_t d;
    if (tt_position_apply(p, f, &d) != 0)
        return tt_st_errf(self,
                          "%s: the position refused it (a money "
                          "value would overflow)",
                          op);
    if (s_ledger_append(self, rowid, venue, symbol, f, p, d.realized, op))
        return -1;
    return s_pos_save(self, symbol, p, op);
}

int tt_store_fill(tt_store_t *self, const char *venue, const char *symbol,
                  int32_t qty_decimals, const tt_fill_t *fill,
                  tt_position_t *pos)
{
    assert(self && fill);
    if (s_fill_ok(self, venue, symbol, qty_decimals, fill) != 0)
        return -1;
    char op[112];
    tt_st_op_name(op, sizeof op, "fill ", venue, TT_STORE_VENUE_MAX,
                  fill->fill_id, TT_FILL_ID_MAX);
    if (tt_st_flush_before_trade(self) != 0 ||
        tt_st_begin(self, self->opts.sync_trade, op) != 0)
        return -1;
    int64_t rowid = 0;
    tt_position_t p;
    int rc = s_insert_fill(self, venue, symbol, fill, &rowid, op);
    if (rc == TT_STORE_DUP) {
        tt_st_rollback(self);
        tt_st_errf(self, "%s: duplicate venue fill id, ignored", op);
        return TT_STORE_DUP;
    }
    if (rc != 0 || s_apply_fill(self, rowid, venue, symbol, qty_decimals, fill,
                                &p, op) != 0) {
        tt_st_rollback(self);
        return -1;
    }
    if (tt_st_commit(self, op) != 0)
        return -1;
    if (pos)
        *pos = p;
    return 0;
}

int tt_store_position_get(tt_store_t *self, const char *symbol,
                          tt_position_t *pos)
{
    assert(self && pos);
    if (tt_st_name_ok(self, "position_get", "symbol", symbol,
                      TT_STORE_SYMBOL_MAX) != 0)
        return -1;
    return s_pos_load(self, symbol, pos, "position_get");
}

/* Ledger columns: side, px, qty, fee, ts, fill_id, coid, qty_decimals. */
static void s_ledger_fill(sqlite3_stmt *st, tt_fill_t *f)
{
    memset(f, 0, sizeof *f);
    f->side = (tt_side_t)sqlite3_column_int(st, 0);
    f->px = sqlite3_column_int64(st, 1);
    f->qty = sqlite3_column_int64(st, 2);
    f->fee = sqlite3_column_int64(st, 3);
    f->ts = sqlite3_column_int64(st, 4);
    tt_st_col_text(st, 5, f->fill_id, sizeof f->fill_id);
    tt_st_col_text(st, 6, f->coid, sizeof f->coid);
}

/* Streams the ledger through tt_position_apply (what
   tt_position_rebuild does over an array), so a long ledger needs no
   buffer of its own. */
int tt_store_rebuild_position(tt_store_t *self, const char *symbol,
                              tt_position_t *pos)
{
    assert(self && pos);
    const char *op = "rebuild_position";
    if (tt_st_name_ok(self, op, "symbol", symbol, TT_STORE_SYMBOL_MAX) != 0)
        return -1;
    sqlite3_stmt *st = tt_st_stmt(self, ST_LEDGER_WALK, op);
    if (!st)
        return -1;
    tt_st_bind_text(st, 1, symbol, false);
    tt_position_init(pos, 0);
    int rc = SQLITE_DONE, n = 0, err = 0;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int qd = sqlite3_column_int(st, 7);
        tt_fill_t f;
        s_ledger_fill(st, &f);
        if (n++ == 0)
            tt_position_init(pos, qd);
        if (qd != pos->qty_decimals || tt_position_apply(pos, &f, NULL))
            err = tt_st_errf(self, "%s %s: ledger row %d (fill %s) refused", op,
                             symbol, n, f.fill_id);
    }
    sqlite3_reset(st);
    if (err)
        return -1;
    return rc == SQLITE_DONE ? 0 : tt_st_fail(self, op, rc);
}

int tt_store_check_position(tt_store_t *self, const char *symbol)
{
    assert(self);
    tt_position_t built, stored;
    if (tt_store_rebuild_position(self, symbol, &built) != 0)
        return -1;
    int found = s_pos_load(self, symbol, &stored, "check_position");
    if (found < 0)
        return -1;
    if (found == 1 && built.fills == 0)
        return 0; /* no fills, no position: consistent */
    if (found == 0 && tt_position_equal(&built, &stored))
        return 0;
    tt_st_errf(self,
               "check_position %s: stored qty %lld cost %lld realized "
               "%lld fees %lld fills %llu; ledger gives qty %lld cost %lld "
               "realized %lld fees %lld fills %llu",
               symbol, (long long)stored.qty, (long long)stored.cost,
               (long long)stored.realized, (long long)stored.fees,
               (unsigned long long)stored.fills, (long long)built.qty,
               (long long)built.cost, (long long)built.realized,
               (long long)built.fees, (unsigned long long)built.fills);
    return 1;
}
