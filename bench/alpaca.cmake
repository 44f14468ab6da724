# Alpaca market-data frame decoding, against a jansson baseline
# (bench_alpaca_parse).
tt_bench(NAME bench_alpaca_parse
         SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_alpaca_parse.c
         LIBS tt_alpaca)
