# Warm-up, indicator snapshots, previews and re-subscribe: the indicator
# set (pure), the store side of warm-up (a real SQLite file), the symbol
# actors on the real runtime with a manual clock, and restarts of the real
# binary.
tt_test(NAME test_indset LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_indset.c
        LIBS tt_indicators TIMEOUT 60)
tt_test(NAME test_warmup LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_warmup.c
        LIBS tt_actors TIMEOUT 60)
tt_test(NAME test_warmup_actors LABEL actor
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_warmup_actors.c
        LIBS tt_actors tt_symrig TIMEOUT 60)
tt_test(NAME test_warmup_e2e LABEL e2e TIMEOUT 180
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_warmup_e2e.c
        LIBS tt_venuecheck tt_actors tt_store)
tt_test(NAME test_resubscribe LABEL integration
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_resubscribe.c
        LIBS tt_actors tt_tickserver TIMEOUT 60)
# A live venue's feed re-subscribes by reconnecting (the fake Binance).
tt_test(NAME test_resubscribe_venue LABEL integration
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_resubscribe_venue.c
        LIBS tt_actors tt_venuecheck TIMEOUT 60)
