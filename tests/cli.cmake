# Offline subcommands of the real `ticktree` binary (no service running).
tt_test(NAME test_indicators_cli LABEL e2e TIMEOUT 60
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_indicators_cli.c
        LIBS tt_indicators)
target_compile_definitions(test_indicators_cli PRIVATE
    TT_BINARY="$<TARGET_FILE:ticktree>")
add_dependencies(test_indicators_cli ticktree)
