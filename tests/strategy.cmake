# Strategies (strategies/) and market sessions / EOD summary (clock/).
tt_test(NAME test_strategies LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_strategies.c
        LIBS tt_strategies TIMEOUT 60)
tt_test(NAME test_sessions LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_sessions.c
        LIBS tt_clock TIMEOUT 60)
