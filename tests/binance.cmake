# Live-venue protocol layers: the venue-common pieces and Binance spot
# (pure logic, no I/O).
tt_test(NAME test_venue_common LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_venue_common.c
        LIBS tt_venue_common TIMEOUT 60)
tt_test(NAME test_binance LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_binance.c
        LIBS tt_binance TIMEOUT 60)
