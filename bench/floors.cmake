# The floors under the end-to-end figures (bench_floors): raw libzmq inproc
# throughput and the bare candle + indicator loop over sim ticks.
tt_bench(NAME bench_floors
         SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_floors.c
         LIBS tt_sim tt_indicators tt_marketdata PkgConfig::ZMQ
              Threads::Threads)
