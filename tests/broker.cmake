# The live broker gateways (actors/broker_venue.c) end to end: the real
# ticktree binary against the local Alpaca-like server (tests/fakes).
tt_test(NAME test_broker_e2e LABEL e2e TIMEOUT 180
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_broker_e2e.c
        LIBS tt_venuecheck)
# The same for Binance spot against the local Binance-like server (eighteen
# runs of the binary, four of them restarted: about 150 s, as long under
# ASan on a quiet machine).
tt_test(NAME test_broker_binance_e2e LABEL e2e TIMEOUT 400
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_broker_binance_e2e.c
        LIBS tt_venuecheck)
# A restarted live symbol's hold on its venue's reconciliation is bounded
# in time: past it the symbol is paused until the gateway answers.
tt_test(NAME test_venue_hold_e2e LABEL e2e TIMEOUT 120
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_venue_hold_e2e.c
        LIBS tt_venuecheck tt_store)
# The account's order-count limits at Binance (3 orders per 10 s at the
# fake): an entry that would pass one refused locally, never sent; the
# next window's entry goes (one run of the binary, about 30 s).
tt_test(NAME test_binance_order_limits_e2e LABEL e2e TIMEOUT 120
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_binance_order_limits_e2e.c
        LIBS tt_venuecheck)
# A position whose exits the order limit refused (another client spent
# the window): health, the event stream and the log say it has no stop;
# the stop and take-profit go once the window passes (about 30 s).
tt_test(NAME test_unprotected_e2e LABEL e2e TIMEOUT 150
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_unprotected_e2e.c
        LIBS tt_venuecheck)

# A cancel Binance refuses (400 -1021) is asked again after a doubling
# wait, not in a loop at the round trip; the exit goes once it is taken
# (about 20 s).
tt_test(NAME test_refused_cancel_e2e LABEL e2e TIMEOUT 150
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_refused_cancel_e2e.c
        LIBS tt_venuecheck)

# A graceful stop with the exits' OCO list POST on the wire at the
# Binance-like server: as test_stop_venue_e2e for Alpaca (two runs of the
# binary, each restarted once: about 40 s).
tt_test(NAME test_stop_binance_e2e LABEL e2e TIMEOUT 180
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_stop_binance_e2e.c
        LIBS tt_venuecheck tt_storecheck)

# A stop the gateway holds (the exits' OCO list answered 429, Retry-After
# 8 s): past the book's 5 s bound the position is UNPROTECTED in health,
# on the event stream and in the log; the same list goes after the hold
# and the flag clears (about 25 s).
tt_test(NAME test_unanswered_stop_e2e LABEL e2e TIMEOUT 150
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_unanswered_stop_e2e.c
        LIBS tt_venuecheck)

# A Binance order whose POST gets no answer (taken and the answer held
# past http_timeout_ms, or lost before the venue took it; an entry or the
# exits' OCO list) is looked up by client id, adopted or sent once more,
# never twice; a refused lookup is asked again (about 30 s).
tt_test(NAME test_silent_post_e2e LABEL e2e TIMEOUT 150
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_silent_post_e2e.c
        LIBS tt_venuecheck)

# The Alpaca gateway's retry paths through the binary: an entry POST
# answered 429 sent again once after its Retry-After (held without one);
# placed but answered 503, looked up and adopted; an exit's cancels
# refused (422, or 503) asked again after a doubling wait, then the exit
# once (five runs of the binary, 10 to 20 s each).
tt_test(NAME test_alpaca_retry_e2e LABEL e2e TIMEOUT 240
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_alpaca_retry_e2e.c
        LIBS tt_venuecheck)
