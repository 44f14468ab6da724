/*  tests/test_worker_spin.c: service.spin_us on the real runtime (one
    worker thread, its inproc mailbox). A worker within spin_us of its last
    frame polls without sleeping, so the next frame finds it awake: the
    worker's count of sleeps does not move while frames keep coming inside
    the window, and moves once they stop (the spin ends by itself), with
    the time spun counted. With spin_us 0 (the default) the worker sleeps
    after every frame and never counts time spun.

    Frames come from the test's own sender as the root sends them, to an
    actor that only counts them. */
#include "tests/harness.h"

#include "runtime/runtime.h"
#include "tests/symrig.h"

#include <stdio.h>
#include <string.h>

#define S_FRAMES 20

static void s_rig_up(tth_rig_t *rig, int spin_us)
{
    char service[64];
    snprintf(service, sizeof service, "  spin_us: %d\n", spin_us);
    tth_rig_config_one(rig, "tt-spin", service);
    const tt_behaviour_t *roles[TT_ROLE_COUNT] = {
        &tth_idle_behaviour, &tth_idle_behaviour, &tth_idle_behaviour,
        &tth_idle_behaviour};
    tth_rig_start(rig, roles, INT64_C(1700000000) * TT_NS_PER_SEC, false);
}

/* One frame to the data actor; returns once the worker has handled it. */
static void s_frame(tth_rig_t *rig, tt_worker_stats_t *stats)
{
    uint64_t handled = atomic_load(&stats->handled);
    tt_tick_t body;
    memset(&body, 0, sizeof body);
    assert_int_equal(tt_sender_send(rig->sender, rig->data, TT_ACTOR_ROOT,
                                    TT_MSG_TICK, &body, sizeof body, true),
                     0);
    assert_true(tth_rig_wait_counter(&stats->handled, handled + 1));
}

static void test_spinning_worker_stays_awake_between_frames(void **state)
{
    (void)state;
    tth_rig_t rig;
    s_rig_up(&rig, 1000000); /* 1 s, the most allowed */
    tt_worker_stats_t *stats = tt_runtime_worker_stats(rig.rt, 0);
    s_frame(&rig, stats);
    /* Frames well inside the window (each sent as soon as the last is
       handled): none of them finds the worker asleep. */
    uint64_t sleeps = atomic_load(&stats->sleeps);
    for (int i = 0; i < S_FRAMES; i++)
        s_frame(&rig, stats);
    assert_int_equal(atomic_load(&stats->sleeps), sleeps);
    /* No more frames: the spin ends by itself and the worker sleeps,
       having counted about the window as time spun. */
    assert_true(tth_rig_wait_counter(&stats->sleeps, sleeps + 1));
    assert_true(atomic_load(&stats->spun_ns) >= 500 * TT_NS_PER_MS);
    tth_rig_down(&rig);
}

static void test_default_worker_sleeps_after_each_frame(void **state)
{
    (void)state;
    tth_rig_t rig;
    s_rig_up(&rig, 0);
    tt_worker_stats_t *stats = tt_runtime_worker_stats(rig.rt, 0);
    for (int i = 0; i < S_FRAMES; i++) {
        uint64_t sleeps = atomic_load(&stats->sleeps);
        s_frame(&rig, stats);
        assert_true(tth_rig_wait_counter(&stats->sleeps, sleeps + 1));
    }
    assert_int_equal(atomic_load(&stats->spun_ns), 0);
    tth_rig_down(&rig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spinning_worker_stays_awake_between_frames),
        cmocka_unit_test(test_default_worker_sleeps_after_each_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
