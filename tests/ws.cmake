# Tests for the websocket tick server (venues/tickserver) and the
# websocket feed client (venues/wsfeed): a real websocket on 127.0.0.1.
tt_test(NAME test_tickserver LABEL integration
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_tickserver.c
        LIBS tt_tickserver tt_wsfeed TIMEOUT 120)
tt_test(NAME test_ws_e2e LABEL e2e TIMEOUT 120
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ws_e2e.c LIBS tt_venuecheck)
