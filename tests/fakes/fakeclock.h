/*  tests/fakes/fakeclock.h: the clock both fake venues take in their
    config: UTC nanoseconds, injectable so tests decide what "now" is for
    timestamps, rate-limit windows and recvWindow checks. Test-only. */
#ifndef TT_TESTS_FAKES_FAKECLOCK_H
#define TT_TESTS_FAKES_FAKECLOCK_H

#include <stdint.h>

typedef int64_t(fake_clock_fn)(void *arg);

#endif
