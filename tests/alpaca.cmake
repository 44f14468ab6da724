# Alpaca protocol layer (venues/alpaca): market-data frames, RFC 3339
# times and the JSON cursor (test_alpaca), trading API v2 bodies, order
# and stream events, errors and historical bars (test_alpaca_rest).
tt_test(NAME test_alpaca LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_alpaca.c
        LIBS tt_alpaca TIMEOUT 60)
tt_test(NAME test_alpaca_rest LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_alpaca_rest.c
        LIBS tt_alpaca TIMEOUT 60)
