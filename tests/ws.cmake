# Tests for the websocket tick server (venues/tickserver) and the
# websocket feed client (venues/wsfeed): a real websocket on 127.0.0.1.
# venues/CMakeLists.txt does not list these folders yet, so add them here
# when nobody else has.
if(NOT TARGET tt_tickserver)
    add_subdirectory(${CMAKE_SOURCE_DIR}/venues/tickserver
                     ${CMAKE_BINARY_DIR}/venues/tickserver)
endif()
if(NOT TARGET tt_wsfeed AND EXISTS ${CMAKE_SOURCE_DIR}/venues/wsfeed/CMakeLists.txt)
    add_subdirectory(${CMAKE_SOURCE_DIR}/venues/wsfeed
                     ${CMAKE_BINARY_DIR}/venues/wsfeed)
endif()
if(TARGET tt_tickserver AND TARGET tt_wsfeed)
    tt_test(NAME test_tickserver LABEL integration
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_tickserver.c
            LIBS tt_tickserver tt_wsfeed TIMEOUT 120)
endif()
