# Alpaca protocol layer (venues/alpaca): market-data frames, RFC 3339
# times and the JSON cursor (test_alpaca), trading API v2 bodies, order
# and stream events, errors and historical bars (test_alpaca_rest).
tt_test(NAME test_alpaca LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_alpaca.c
        LIBS tt_alpaca TIMEOUT 60)
tt_test(NAME test_alpaca_rest LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_alpaca_rest.c
        LIBS tt_alpaca TIMEOUT 60)
# A graceful stop with an order's POST on the wire at the Alpaca-like
# server: its answer within the stop's budget is waited for; past it the
# order is named, and the restart adopts it from the venue; a venue that
# never answers does not hold the stop; a POST without an answer is not
# sent again (four runs of the binary, three restarted: about 50 s).
tt_test(NAME test_stop_venue_e2e LABEL e2e TIMEOUT 180
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_stop_venue_e2e.c
        LIBS tt_venuecheck tt_storecheck)
