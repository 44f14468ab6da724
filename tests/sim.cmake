# Tests for the simulated market (venues/sim) and the historical readers
# (venues/replay). Until venues/CMakeLists.txt adds those folders, they are
# built from here so that their tests run; once it does, this is a no-op.
foreach(tt_sim_sub sim replay)
    if(NOT TARGET tt_${tt_sim_sub}
       AND EXISTS ${CMAKE_SOURCE_DIR}/venues/${tt_sim_sub}/CMakeLists.txt)
        add_subdirectory(${CMAKE_SOURCE_DIR}/venues/${tt_sim_sub}
                         ${CMAKE_BINARY_DIR}/venues/${tt_sim_sub})
    endif()
endforeach()

tt_test(NAME test_simmarket LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_simmarket.c
        LIBS tt_sim TIMEOUT 60)
if(TARGET tt_replay)
    tt_test(NAME test_replay_csv LABEL unit
            SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_replay_csv.c
            LIBS tt_replay TIMEOUT 120)
endif()
