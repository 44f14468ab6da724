# Market data and indicator unit tests (pure logic, no I/O).
tt_test(NAME test_decimal LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_decimal.c
        LIBS tt_marketdata TIMEOUT 60)
tt_test(NAME test_candles LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_candles.c
        LIBS tt_marketdata TIMEOUT 60)
tt_test(NAME test_indicators LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_indicators.c
        LIBS tt_indicators TIMEOUT 60)
