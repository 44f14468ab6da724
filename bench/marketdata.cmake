# Market data and indicator throughput (bench_marketdata).
tt_bench(NAME bench_marketdata
         SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_marketdata.c
         LIBS tt_indicators tt_marketdata)
