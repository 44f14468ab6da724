# Local protocol servers that stand in for Alpaca and Binance in tests
# (tests/fakes/README.md), and their self-test.
find_package(OpenSSL REQUIRED)
add_library(tt_fakevenue STATIC
    ${CMAKE_CURRENT_LIST_DIR}/fakes/fakeutil.c
    ${CMAKE_CURRENT_LIST_DIR}/fakes/fakesrv.c
    ${CMAKE_CURRENT_LIST_DIR}/fakes/alpaca.c
    ${CMAKE_CURRENT_LIST_DIR}/fakes/alpaca_orders.c
    ${CMAKE_CURRENT_LIST_DIR}/fakes/alpaca_rest.c
    ${CMAKE_CURRENT_LIST_DIR}/fakes/alpaca_bars.c
    ${CMAKE_CURRENT_LIST_DIR}/fakes/alpaca_ws.c
    ${CMAKE_CURRENT_LIST_DIR}/fakes/binance.c
    ${CMAKE_CURRENT_LIST_DIR}/fakes/binance_rest.c
    ${CMAKE_CURRENT_LIST_DIR}/fakes/binance_orders.c
    ${CMAKE_CURRENT_LIST_DIR}/fakes/binance_oco.c
    ${CMAKE_CURRENT_LIST_DIR}/fakes/binance_ws.c)
target_include_directories(tt_fakevenue PUBLIC ${PROJECT_SOURCE_DIR})
target_compile_options(tt_fakevenue PRIVATE ${TT_WARNINGS})
target_link_libraries(tt_fakevenue PUBLIC PkgConfig::LWS PkgConfig::JANSSON
    OpenSSL::Crypto Threads::Threads)
tt_test(NAME test_fakes LABEL venue TIMEOUT 120
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fakes.c
                ${CMAKE_CURRENT_LIST_DIR}/fakes/wsclient.c
        LIBS tt_fakevenue PkgConfig::CURL)
