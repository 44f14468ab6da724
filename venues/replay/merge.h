/*  venues/replay/merge.h: several historical files (one per symbol, or
    multi-symbol files sorted by time) merged into one event-time stream
    for the replay venue and backtests.

    A k-way merge on (event time, source order): records with the same time
    come out in the order their files were added, and within one file in
    file order, so the same inputs always give the same stream. Holds one
    record per file; memory does not grow with file size. */
#ifndef TT_REPLAY_MERGE_H
#define TT_REPLAY_MERGE_H

#include <stddef.h>

#include "venues/replay/csv.h"

typedef struct tt_replay_merge_t tt_replay_merge_t;

tt_replay_merge_t *tt_replay_merge_new(void);

/* Closes every file; accepts NULL and nulls the caller's pointer. */
void tt_replay_merge_destroy(tt_replay_merge_t **self_p);

/* Opens PATH with OPTS (time_ordered is forced on, so a multi-symbol file
   that is not sorted by time is reported under the strict/lenient policy)
   and adds it as the next source. Returns the source index, or -1 with the
   reason in ERR. Sources cannot be added once reading has started. */
int tt_replay_merge_add(tt_replay_merge_t *self, const char *path,
                        const tt_csv_opts_t *opts, char *err, size_t errsize);

/* Next record in event-time order; *SOURCE (when not NULL) receives the
   index of its file. Returns 1, 0 when every file is done, or -1 when a
   file reported an error (tt_replay_merge_error). */
int tt_replay_merge_next(tt_replay_merge_t *self, tt_replay_record_t *rec,
                         size_t *source);

/* The error that stopped the merge, or "". */
const char *tt_replay_merge_error(const tt_replay_merge_t *self);

size_t tt_replay_merge_count(const tt_replay_merge_t *self);

/* The reader of source INDEX (for its stats), or NULL. */
const tt_csv_reader_t *tt_replay_merge_reader(const tt_replay_merge_t *self,
                                              size_t index);

#endif
