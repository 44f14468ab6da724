/*  runtime/log.h: one line per event: time, level, actor path, message.
    Text by default, JSON lines on request. Safe from any thread: a line is
    formatted privately and written with one write() under a lock, so lines
    never interleave.

    Never pass a secret to the log: configuration secrets are not exposed to
    callers in a form that could be printed by accident (config/config.h),
    and nothing here tries to scrub text after the fact. */
#ifndef TT_RUNTIME_LOG_H
#define TT_RUNTIME_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

/* Sets the minimum level and format; FD is where lines go (2 = stderr). */
void tt_log_setup(tt_log_level_t level, bool json, int fd);

/* Current minimum level. */
tt_log_level_t tt_log_level(void);

/* Writes one line for PATH ("root", "BTCUSD/data") at LEVEL. */
void tt_log(tt_log_level_t level, const char *path, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Parses "debug"|"info"|"warn"|"error"; -1 otherwise. */
int tt_log_level_parse(const char *name);

/* A gate against floods of one kind of line: at most PER_WINDOW lines in
   each window of WINDOW_NS (times from the caller: monotonic, or any
   clock a test chooses). The lines kept back are counted, and the first
   call of a later window hands their count over once, for one line that
   says how many were not written. The full count belongs elsewhere (a
   counter in health); this only keeps the log readable. One thread. */
typedef struct {
    int32_t per_window;
    int64_t window_ns;
    int64_t start;      /* the window's start; 0 before the first line */
    int32_t said;       /* lines let through in this window */
    int64_t held;       /* lines kept back since the last hand-over */
    int64_t held_since; /* start of the window the first of them fell in */
} tt_log_gate_t;

/* Whether a line at NOW may be written. *HELD (may be NULL: then the
   count waits) receives the lines kept back before this one, or 0, and
   *SINCE when they began. */
bool tt_log_gate_pass(tt_log_gate_t *self, int64_t now, int64_t *held,
                      int64_t *since);

#define tt_debug(path, ...)                                                    \
    do {                                                                       \
        if (tt_log_level() <= TT_LOG_DEBUG)                                    \
            tt_log(TT_LOG_DEBUG, path, __VA_ARGS__);                           \
    } while (0)
#define tt_info(path, ...) tt_log(TT_LOG_INFO, path, __VA_ARGS__)
#define tt_warn(path, ...) tt_log(TT_LOG_WARN, path, __VA_ARGS__)
#define tt_error(path, ...) tt_log(TT_LOG_ERROR, path, __VA_ARGS__)

#endif
