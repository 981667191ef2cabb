/* loop_thread.h - a libuv loop on a background thread for tests, with "run
 * this function on the loop and wait": what the rpc server and client tests
 * need to drive a server the way the node thread does. cmocka only. */
#ifndef NM_TESTS_LOOP_THREAD_H
#define NM_TESTS_LOOP_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <uv.h>

struct loop_thread {
    uv_loop_t loop;
    uv_async_t async;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    void (*fn)(void *);
    void *arg;
    bool done;
};

/* Initialises lt's loop and starts its thread (asserts). */
void loop_thread_start(struct loop_thread *lt);
/* Runs fn(arg) on the loop and waits until it has returned. */
void loop_thread_run(struct loop_thread *lt, void (*fn)(void *), void *arg);
/* The documented shutdown: after the caller deleted what it runs, closes
 * the wake-up handle, lets the loop run empty, joins and closes it. */
void loop_thread_stop(struct loop_thread *lt);

#endif
