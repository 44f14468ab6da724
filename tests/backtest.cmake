# ticktree backtest through the real binary: determinism, parity with a
# live run, the report, bad data.
find_package(OpenSSL REQUIRED)
tt_test(NAME test_backtest_e2e LABEL e2e TIMEOUT 240
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_backtest_e2e.c
        LIBS tt_procharness tt_storecheck PkgConfig::SQLITE
             PkgConfig::JANSSON OpenSSL::Crypto m)
