# The event bus as the service runs it: events/s stored and published, and
# the durable intent round trip (bench_bus).
tt_bench(NAME bench_bus
         SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_bus.c
         LIBS tt_bus)
# The bus's encoding of one event per kind (bus/convert.c): ns per event,
# and per event instructions under callgrind (bench_bus_encode).
tt_bench(NAME bench_bus_encode
         SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_bus_encode.c
         LIBS tt_bus ticktree_proto)
