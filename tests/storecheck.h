/*  tests/storecheck.h: what a run of the real binary must leave in its
    store, checked the same way by every end-to-end test that trades. */
#ifndef TT_TESTS_STORECHECK_H
#define TT_TESTS_STORECHECK_H

/* Opens the store at PATH (the service has stopped) and asserts:
   - events run 1..N, each sequence number once;
   - each order has exactly one NEW row (its intent): no client order id
     was recorded, hence sent, twice;
   - fills are unique by venue and fill id, with one ledger row each, and
     one published fill event each;
   - the positions of S0..S{SYMBOLS-1} equal their ledger rebuild.
   Returns the number of fills; *ORDERS receives the number of orders. */
long tth_check_store(const char *path, int symbols, long *orders);

/* One integer from SQL run on DB (a sqlite3 *), asserting a row. */
long tth_query_long(void *db, const char *sql);

#endif
