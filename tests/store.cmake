# The SQLite store: real files in a scratch directory, a second connection
# reading them, a crash by SIGKILL, a full and a busy database.
tt_test(NAME test_store LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_store.c
        LIBS tt_store PkgConfig::SQLITE TIMEOUT 60)
# A queued row the store refuses for good (a trigger in the file) is set
# aside, the rest written; a full file still keeps the whole queue.
tt_test(NAME test_store_refused LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_store_refused.c
        LIBS tt_store PkgConfig::SQLITE TIMEOUT 60)
# The force-closes a session end owed (owed_closes): kept, replaced,
# cleared, committed on return, a version-3 file upgraded.
tt_test(NAME test_store_owed LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_store_owed.c
        LIBS tt_store PkgConfig::SQLITE TIMEOUT 60)
# A backtest's store writer (bus/writer.h) on a real grouped store.
tt_test(NAME test_bus_writer LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_bus_writer.c
        LIBS tt_bus tt_store PkgConfig::SQLITE TIMEOUT 60)
# The published Fill event packed from a ledger fill (bus/convert.c): the
# venue's executed quantity and commission, old events still readable.
tt_test(NAME test_fill_event LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fill_event.c
        LIBS tt_bus ticktree_proto TIMEOUT 30)
# Every event kind packed in one walk (bus/convert.c): protobuf-c's own
# bytes, a buffer one byte short refused, a string without its NUL refused.
tt_test(NAME test_bus_encode LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_bus_encode.c
        LIBS tt_bus ticktree_proto TIMEOUT 30)
# The writer's folding at its tables' limits and under a refused
# order_events row, each against the same writes one by one.
tt_test(NAME test_bus_writer_limits LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_bus_writer_limits.c
        LIBS tt_bus tt_store PkgConfig::SQLITE Threads::Threads TIMEOUT 120)
# A new grouped store's secondary indexes built once at the end
# (opts.defer_indexes): the same indexes, constraints held meanwhile.
tt_test(NAME test_store_indexes LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_store_indexes.c
        LIBS tt_store PkgConfig::SQLITE TIMEOUT 60)
