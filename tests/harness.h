/*  tests/harness.h: what the tests share. Scratch directories and files,
    bounded waiting on a condition (never a sleep that correctness depends
    on), and a handle on a real `ticktree` process talking through its real
    control socket.

    Every test includes this after cmocka's own headers. */
#ifndef TT_TESTS_HARNESS_H
#define TT_TESTS_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <sys/types.h>

/* A fresh scratch directory under $TMPDIR (or /tmp); removed with its
   contents by tth_rmtree(). Caller frees the returned path. */
char *tth_tmpdir(const char *prefix);
void tth_rmtree(const char *path);

/* Writes CONTENT to DIR/NAME and returns the full path (caller frees). */
char *tth_write_file(const char *dir, const char *name, const char *content);

/* Reads a whole file into a NUL-terminated buffer (caller frees), or NULL. */
char *tth_read_file(const char *path);

/* Milliseconds on the monotonic clock. */
int64_t tth_now_ms(void);
/* Pauses a bounded poll between two looks (never a result's source). */
void tth_nap_ms(int ms);

#endif
