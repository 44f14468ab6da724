# The skeleton: lifecycle and restart policy (pure), and the real binary
# end to end through its control socket.

# The harness libraries these tests link (tt_procharness, tt_storecheck,
# tt_symrig) are defined in tests/CMakeLists.txt, for every area.
tt_test(NAME test_lifecycle LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_lifecycle.c LIBS tt_lifecycle)
tt_test(NAME test_latency LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_latency.c LIBS tt_runtime)
tt_test(NAME test_log_gate LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_log_gate.c LIBS tt_runtime)
tt_test(NAME test_policy LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_policy.c LIBS tt_lifecycle)
tt_test(NAME test_control_e2e LABEL e2e TIMEOUT 180
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_control_e2e.c
        LIBS tt_procharness)
tt_test(NAME test_supervision_e2e LABEL e2e TIMEOUT 180
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_supervision_e2e.c
        LIBS tt_procharness)
tt_test(NAME test_symbol_actors LABEL actor
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_symbol_actors.c
        LIBS tt_actors tt_symrig)
tt_test(NAME test_events_e2e LABEL e2e TIMEOUT 240
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_events_e2e.c
        LIBS tt_procharness tt_storecheck)
target_compile_definitions(test_events_e2e PRIVATE
    TT_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
tt_test(NAME test_crash_e2e LABEL e2e TIMEOUT 240
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_crash_e2e.c
        LIBS tt_procharness tt_storecheck)
tt_test(NAME test_reconcile_e2e LABEL e2e TIMEOUT 120
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_reconcile_e2e.c
        LIBS tt_procharness tt_storecheck tt_paper)
tt_test(NAME test_retention_e2e LABEL e2e TIMEOUT 120
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_retention_e2e.c
        LIBS tt_procharness tt_storecheck)
tt_test(NAME test_local_frames LABEL actor
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_local_frames.c LIBS tt_symrig)
tt_test(NAME test_worker_spin LABEL actor
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_worker_spin.c LIBS tt_symrig)
tt_test(NAME test_pack LABEL actor
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_pack.c LIBS tt_runtime)
tt_test(NAME test_stop_orders_e2e LABEL e2e TIMEOUT 240
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_stop_orders_e2e.c
        LIBS tt_procharness tt_storecheck)
