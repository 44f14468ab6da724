# Store throughput: batched rows/s and durable commits/s (bench_store).
tt_bench(NAME bench_store
         SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_store.c
         LIBS tt_store)
# Floor (e): a backtest's rows through the store writer's calls, alone.
tt_bench(NAME bench_store_floor
         SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_store_floor.c
         LIBS tt_store)
