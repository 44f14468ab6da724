# The live broker gateways (actors/broker_venue.c) end to end: the real
# ticktree binary against the local Alpaca-like server (tests/fakes).
tt_test(NAME test_broker_e2e LABEL e2e TIMEOUT 180
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_broker_e2e.c
        LIBS tt_procharness tt_storecheck tt_fakevenue)
# The same for Binance spot against the local Binance-like server (eleven
# runs of the binary, three of them restarted: about 90 s, more under ASan).
tt_test(NAME test_broker_binance_e2e LABEL e2e TIMEOUT 400
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_broker_binance_e2e.c
        LIBS tt_procharness tt_storecheck tt_fakevenue)
