# The SQLite store: real files in a scratch directory, a second connection
# reading them, a crash by SIGKILL, a full and a busy database.
tt_test(NAME test_store LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_store.c
        LIBS tt_store PkgConfig::SQLITE TIMEOUT 60)
