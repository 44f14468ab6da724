# Tests for the simulated market (venues/sim) and the historical readers
# (venues/replay).
tt_test(NAME test_simmarket LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_simmarket.c
        LIBS tt_sim TIMEOUT 60)
tt_test(NAME test_replay_csv LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_replay_csv.c
                ${CMAKE_CURRENT_LIST_DIR}/replaycheck.c
        LIBS tt_replay TIMEOUT 120)
tt_test(NAME test_replay_fastrow LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_replay_fastrow.c
                ${CMAKE_CURRENT_LIST_DIR}/replaycheck.c
        LIBS tt_replay TIMEOUT 120)
