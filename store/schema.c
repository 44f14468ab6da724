/*  store/schema.c: the store's migrations, oldest first. Version N of a
    file means the first N scripts have been applied, each in a
    transaction of its own together with `PRAGMA user_version = N`
    (store/store.c). A script is never edited once released: a change is
    a new script at the end. docs/STORE.md explains every table. */
#include "store/store_priv.h"

/* Version 1: market data, orders, fills, positions, the ledger, events,
   runs and key/value. Prices, quantities and money are scaled integers
   (invariant 7); times are UTC nanoseconds. */
static const char s_v1[] =
    "CREATE TABLE candles("
    " symbol TEXT NOT NULL, tf_s INTEGER NOT NULL CHECK (tf_s > 0),"
    " open_ts INTEGER NOT NULL,"
    " open INTEGER NOT NULL, high INTEGER NOT NULL, low INTEGER NOT NULL,"
    " close INTEGER NOT NULL, volume INTEGER NOT NULL,"
    " trades INTEGER NOT NULL,"
    " PRIMARY KEY (symbol, tf_s, open_ts)) WITHOUT ROWID;"

    "CREATE TABLE indicator_snapshots("
    " id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, key TEXT NOT NULL,"
    " ts INTEGER NOT NULL, blob BLOB NOT NULL,"
    " UNIQUE (symbol, key, ts));"

    "CREATE TABLE orders("
    " id INTEGER PRIMARY KEY, coid TEXT NOT NULL UNIQUE,"
    " symbol TEXT NOT NULL, seq INTEGER NOT NULL, role TEXT NOT NULL,"
    " side INTEGER NOT NULL CHECK (side IN (1, 2)),"
    " type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 4),"
    " tif INTEGER NOT NULL CHECK (tif BETWEEN 1 AND 3),"
    " qty INTEGER NOT NULL CHECK (qty > 0),"
    " limit_px INTEGER NOT NULL, stop_px INTEGER NOT NULL,"
    " state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 10),"
    " filled INTEGER NOT NULL, fill_cost INTEGER NOT NULL,"
    " fees INTEGER NOT NULL, venue_oid TEXT,"
    " parent_coid TEXT REFERENCES orders (coid),"
    " replaces INTEGER NOT NULL, reject_code INTEGER NOT NULL,"
    " reason TEXT NOT NULL,"
    " created_ts INTEGER NOT NULL, updated_ts INTEGER NOT NULL);"
    "CREATE INDEX orders_by_state ON orders (state, symbol);"

    "CREATE TABLE order_events("
    " id INTEGER PRIMARY KEY,"
    " coid TEXT NOT NULL REFERENCES orders (coid),"
    " ts INTEGER NOT NULL, from_state INTEGER, to_state INTEGER NOT NULL,"
    " filled INTEGER NOT NULL, venue_oid TEXT, reason TEXT NOT NULL);"
    "CREATE INDEX order_events_by_coid ON order_events (coid);"
    "CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events"
    " BEGIN SELECT RAISE(ABORT, 'order_events is append-only:"
    " UPDATE refused'); END;"
    "CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events"
    " BEGIN SELECT RAISE(ABORT, 'order_events is append-only:"
    " DELETE refused'); END;"

    "CREATE TABLE fills("
    " id INTEGER PRIMARY KEY, venue TEXT NOT NULL, fill_id TEXT NOT NULL,"
    " coid TEXT NOT NULL, symbol TEXT NOT NULL,"
    " side INTEGER NOT NULL CHECK (side IN (1, 2)),"
    " qty INTEGER NOT NULL CHECK (qty > 0),"
    " px INTEGER NOT NULL CHECK (px > 0),"
    " fee INTEGER NOT NULL, ts INTEGER NOT NULL,"
    " UNIQUE (venue, fill_id));"

    "CREATE TABLE positions("
    " symbol TEXT PRIMARY KEY, qty INTEGER NOT NULL, cost INTEGER NOT NULL,"
    " avg_px INTEGER NOT NULL, realized INTEGER NOT NULL,"
    " fees INTEGER NOT NULL, trip_realized INTEGER NOT NULL,"
    " trip_fees INTEGER NOT NULL, fills INTEGER NOT NULL,"
    " trips INTEGER NOT NULL, qty_decimals INTEGER NOT NULL,"
    " opened_ts INTEGER NOT NULL, updated_ts INTEGER NOT NULL);"

    "CREATE TABLE ledger("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " fill INTEGER NOT NULL UNIQUE REFERENCES fills (id),"
    " symbol TEXT NOT NULL, venue TEXT NOT NULL, fill_id TEXT NOT NULL,"
    " coid TEXT NOT NULL, side INTEGER NOT NULL, qty INTEGER NOT NULL,"
    " px INTEGER NOT NULL, fee INTEGER NOT NULL, ts INTEGER NOT NULL,"
    " qty_decimals INTEGER NOT NULL, realized INTEGER NOT NULL,"
    " pos_qty INTEGER NOT NULL);"
    "CREATE INDEX ledger_by_symbol ON ledger (symbol, id);"
    "CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger"
    " BEGIN SELECT RAISE(ABORT, 'ledger is append-only:"
    " UPDATE refused'); END;"
    "CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger"
    " BEGIN SELECT RAISE(ABORT, 'ledger is append-only:"
    " DELETE refused'); END;"

    "CREATE TABLE events("
    " seq INTEGER PRIMARY KEY CHECK (seq > 0), ts INTEGER NOT NULL,"
    " topic TEXT NOT NULL, symbol TEXT, payload BLOB NOT NULL);"
    "CREATE INDEX events_by_ts ON events (ts);"

    "CREATE TABLE runs("
    " id INTEGER PRIMARY KEY, start_ts INTEGER NOT NULL, stop_ts INTEGER,"
    " config_hash TEXT NOT NULL, version TEXT NOT NULL, exit_reason TEXT);"

    "CREATE TABLE kv(k TEXT PRIMARY KEY, v TEXT NOT NULL);";

/* Version 2: what a warm restart needs to behave like a service that
   stayed up: the next client-order sequence number of each symbol (so no
   id is ever reused) and the paper broker's own state. */
static const char s_v2[] =
    "CREATE TABLE order_seq("
    " symbol TEXT PRIMARY KEY,"
    " next_seq INTEGER NOT NULL CHECK (next_seq >= 1));"
    "CREATE TABLE paper_state("
    " symbol TEXT PRIMARY KEY, ts INTEGER NOT NULL, state BLOB NOT NULL);";

/* Version 3: what the venue reported of each fill, so the ledger can be
   reconciled with the venue's statements: its executed quantity (qty is
   what reached the position, less when a commission was kept in the
   base asset) and the commission exactly as charged, a scaled integer at
   commission_decimals in commission_asset. Rows written before version
   3 keep NULL there: their venue figures were not recorded. */
#define S_V3_COLUMNS(table)                                                    \
    "ALTER TABLE " table " ADD COLUMN exec_qty INTEGER;"                       \
    "ALTER TABLE " table " ADD COLUMN commission INTEGER;"                     \
    "ALTER TABLE " table " ADD COLUMN commission_decimals INTEGER;"            \
    "ALTER TABLE " table " ADD COLUMN commission_asset TEXT;"
static const char s_v3[] = S_V3_COLUMNS("fills") S_V3_COLUMNS("ledger");

/* Version 4: a live symbol's force-close that a session end owed while
   its venue had not reconciled the restored orders, so a restart of the
   whole service owes it too. At most one per symbol: a row exists only
   while the close is owed, and goes once it runs or is dropped. */
static const char s_v4[] =
    "CREATE TABLE owed_closes("
    " symbol TEXT PRIMARY KEY,"
    " session_id INTEGER NOT NULL CHECK (session_id > 0),"
    " end_ts INTEGER NOT NULL);";

const char *const tt_st_migrations[] = {s_v1, s_v2, s_v3, s_v4};
const int tt_st_migration_count =
    (int)(sizeof tt_st_migrations / sizeof tt_st_migrations[0]);
