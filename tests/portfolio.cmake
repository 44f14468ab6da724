# Portfolio-wide limits, circuit breakers and market sessions: the pure
# portfolio object (test_portfolio) and scenarios through the real
# execution, data, indicator and strategy actors with the clock actor
# (test_trading_actors).
tt_test(NAME test_portfolio LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_portfolio.c
        LIBS tt_risk tt_config TIMEOUT 60)
tt_test(NAME test_session_watch LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_session_watch.c
        LIBS tt_clock TIMEOUT 60)
tt_test(NAME test_trading_actors LABEL actor
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_trading_actors.c
        LIBS tt_actors tt_bus tt_store PkgConfig::SQLITE TIMEOUT 120)
# The end-of-session force-close of a live symbol whose venue has not
# reconciled its restored orders (the test plays the gateway).
tt_test(NAME test_venue_late_eod LABEL actor
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_venue_late_eod.c
        LIBS tt_actors tt_store tt_symrig TIMEOUT 60)
# The same close owed across a restart of the whole service: the real bus
# keeps it in a real store, the next start's restore owes it again.
tt_test(NAME test_owed_close_restart LABEL actor
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_owed_close_restart.c
        LIBS tt_actors tt_bus tt_store tt_symrig TIMEOUT 60)
