# The self-test of the local protocol servers that stand in for Alpaca and
# Binance (tests/fakes/README.md; the tt_fakevenue library itself is in
# tests/CMakeLists.txt, as other areas use it).
tt_test(NAME test_fakes LABEL venue TIMEOUT 120
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fakes.c
                ${CMAKE_CURRENT_LIST_DIR}/fakes/wsclient.c
        LIBS tt_fakevenue PkgConfig::CURL)
