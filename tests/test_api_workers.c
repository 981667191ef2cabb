/* Unit tests for api/workers: idle threads are reused, and the stop waits
 * for running tasks and joins every worker (none left running at exit,
 * where LeakSanitizer scans every thread), then refuses new tasks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/workers.h"
#include "node/errors.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int threads_now(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int n = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "Threads:", 8) == 0)
            n = atoi(line + 8);
    if (f)
        fclose(f);
    return n;
}

static void sleep_ms(int ms)
{
    nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL);
}

static atomic_int ran;
static atomic_int gate; /* tasks wait until it opens */

static void task(void *arg)
{
    int hold_ms = *(int *)arg;
    while (!atomic_load(&gate))
        sleep_ms(1);
    sleep_ms(hold_ms);
    atomic_fetch_add(&ran, 1);
}

static void wait_ran(int n)
{
    for (int i = 0; i < 5000 && atomic_load(&ran) < n; i++)
        sleep_ms(1);
    assert_int_equal(atomic_load(&ran), n);
}

static void test_workers_idle_threads_are_reused(void **state)
{
    (void)state;
    static int zero = 0;
    int base = threads_now();
    atomic_store(&ran, 0);
    atomic_store(&gate, 1);
    assert_int_equal(nm_api_workers_run(task, &zero), 0);
    wait_ran(1);
    sleep_ms(20); /* the worker is idle now */
    for (int i = 0; i < 5; i++) { /* one after the other: the same thread each time */
        assert_int_equal(nm_api_workers_run(task, &zero), 0);
        wait_ran(2 + i);
        sleep_ms(5);
    }
    assert_int_equal(threads_now(), base + 1);
}

static void test_workers_stop_waits_for_tasks_and_joins_every_thread(void **state)
{
    (void)state;
    static int hold[6] = {0, 0, 0, 0, 0, 200};
    int base = threads_now();
    atomic_store(&ran, 0);
    atomic_store(&gate, 0);
    for (int i = 0; i < 6; i++) /* held at the gate: six threads at once */
        assert_int_equal(nm_api_workers_run(task, &hold[i]), 0);
    assert_true(threads_now() >= base + 5);
    atomic_store(&gate, 1);
    wait_ran(5); /* five idle, one still running for 200 ms */
    nm_api_workers_stop();
    assert_int_equal(atomic_load(&ran), 6); /* it waited for the running one */
    /* every worker joined, the idle ones too (they would linger 10 s) */
    int left = threads_now();
    assert_int_equal(left, 1); /* this one: the idle thread of the test before went too */
    static int never = 0;
    atomic_store(&ran, 0);
    assert_int_equal(nm_api_workers_run(task, &never), NM_E_NOMEM);
    sleep_ms(20);
    assert_int_equal(atomic_load(&ran), 0);
    assert_int_equal(threads_now(), left);
    nm_api_workers_stop(); /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workers_idle_threads_are_reused),
        cmocka_unit_test(test_workers_stop_waits_for_tasks_and_joins_every_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
