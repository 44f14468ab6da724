# Venue frame parsing cost (bench_binance_parse).
tt_bench(NAME bench_binance_parse
         SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_venues_parse.c
         LIBS tt_binance)
