# Live venue feeds (actors/feed_venue.c) end to end: the real ticktree
# binary against the local Binance-like and Alpaca-like servers
# (tests/fakes), plus the feed options and credential checks.
tt_test(NAME test_venue_feed_e2e LABEL e2e TIMEOUT 180
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_venue_feed_e2e.c
        LIBS tt_venuecheck)
tt_test(NAME test_venue_config LABEL unit TIMEOUT 60
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_venue_config.c
        LIBS tt_actors)
tt_test(NAME test_history LABEL integration TIMEOUT 60
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_history.c
        LIBS tt_history tt_fakevenue tt_harness)
# Venue bars to candles and the warm-up history fetched at start, through
# the real binary against the fakes.
tt_test(NAME test_venue_history_e2e LABEL e2e TIMEOUT 180
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_venue_history_e2e.c
        LIBS tt_venuecheck)
