tt_bench(NAME bench_runtime SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_runtime.c
         LIBS tt_runtime)
