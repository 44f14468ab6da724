# Orders, positions, risk and the paper fill model: pure logic, unit tests.
tt_test(NAME test_orders LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_orders.c
        LIBS tt_orders TIMEOUT 60)
tt_test(NAME test_book_guard LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_book_guard.c
        LIBS tt_orders TIMEOUT 60)
tt_test(NAME test_positions LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_positions.c
        LIBS tt_orders TIMEOUT 60)
tt_test(NAME test_risk LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_risk.c
        LIBS tt_risk TIMEOUT 60)
tt_test(NAME test_paper LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_paper.c
        LIBS tt_paper TIMEOUT 60)
tt_test(NAME test_reconcile LABEL unit
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_reconcile.c
        LIBS tt_actors TIMEOUT 60)
