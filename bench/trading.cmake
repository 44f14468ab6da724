# A closed candle into the strategy actor until its order reaches the paper
# broker, through the real actors (bench_signal_to_order). The link wraps
# tt_paper_submit so the bench can stamp it: nothing in the production
# code measures anything.
tt_bench(NAME bench_signal_to_order
         SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_signal_to_order.c
         LIBS tt_actors tt_bus)
target_link_options(bench_signal_to_order PRIVATE
                    -Wl,--wrap=tt_paper_submit)
