# Store throughput: batched rows/s and durable commits/s (bench_store).
tt_bench(NAME bench_store
         SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_store.c
         LIBS tt_store)
