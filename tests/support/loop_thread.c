/* loop_thread.c - a libuv loop on a background thread (see loop_thread.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/loop_thread.h"

static void loop_async_cb(uv_async_t *h)
{
    struct loop_thread *lt = h->data;
    pthread_mutex_lock(&lt->mu);
    void (*fn)(void *) = lt->fn;
    void *arg = lt->arg;
    lt->fn = NULL;
    pthread_mutex_unlock(&lt->mu);
    if (!fn)
        return;
    fn(arg);
    pthread_mutex_lock(&lt->mu);
    lt->done = true;
    pthread_cond_broadcast(&lt->cond);
    pthread_mutex_unlock(&lt->mu);
}

static void *loop_main(void *arg)
{
    struct loop_thread *lt = arg;
    uv_run(&lt->loop, UV_RUN_DEFAULT);
    return NULL;
}

void loop_thread_run(struct loop_thread *lt, void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&lt->mu);
    lt->fn = fn;
    lt->arg = arg;
    lt->done = false;
    uv_async_send(&lt->async);
    while (!lt->done)
        pthread_cond_wait(&lt->cond, &lt->mu);
    pthread_mutex_unlock(&lt->mu);
}

static void close_async(void *arg)
{
    struct loop_thread *lt = arg;
    uv_close((uv_handle_t *)&lt->async, NULL);
}

void loop_thread_start(struct loop_thread *lt)
{
    assert_int_equal(uv_loop_init(&lt->loop), 0);
    assert_int_equal(uv_async_init(&lt->loop, &lt->async, loop_async_cb), 0);
    lt->async.data = lt;
    pthread_mutex_init(&lt->mu, NULL);
    pthread_cond_init(&lt->cond, NULL);
    assert_int_equal(pthread_create(&lt->thread, NULL, loop_main, lt), 0);
}

void loop_thread_stop(struct loop_thread *lt)
{
    loop_thread_run(lt, close_async, lt);
    pthread_join(lt->thread, NULL);
    assert_int_equal(uv_loop_close(&lt->loop), 0);
    pthread_cond_destroy(&lt->cond);
    pthread_mutex_destroy(&lt->mu);
}
