# The backtest's reading floor: CSV lines to tick records
# (bench_replay_csv).
tt_bench(NAME bench_replay_csv
         SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_replay_csv.c
         LIBS tt_replay)
