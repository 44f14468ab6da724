# The event bus as the service runs it: events/s stored and published, and
# the durable intent round trip (bench_bus).
tt_bench(NAME bench_bus
         SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_bus.c
         LIBS tt_bus)
