# The configuration loader: schema, defaults, merging and every error path.
tt_test(NAME test_config LABEL unit
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_config.c
    LIBS tt_config TIMEOUT 60)
