/* loop_thread.c - a libuv loop on its own thread, woken by uv_async_t. */
#include "node/miner/loop_thread.h"

#include "node/errors.h"

#include <string.h>

static void on_async(uv_async_t *h)
{
    struct nm_loop_thread *t = h->data;
    pthread_mutex_lock(&t->lock);
    bool stopping = t->stopping;
    pthread_mutex_unlock(&t->lock);
    t->on_wake(t->ud, stopping);
    if (stopping)
        uv_close((uv_handle_t *)&t->wake, NULL);
}

int nm_loop_thread_init(struct nm_loop_thread *t, void (*on_wake)(void *ud, bool stopping),
                        void *ud)
{
    memset(t, 0, sizeof *t);
    t->on_wake = on_wake;
    t->ud = ud;
    pthread_mutex_init(&t->lock, NULL);
    if (uv_loop_init(&t->loop) != 0) {
        pthread_mutex_destroy(&t->lock);
        return NM_E_IO;
    }
    uv_async_init(&t->loop, &t->wake, on_async);
    t->wake.data = t;
    return 0;
}

static void *loop_main(void *arg)
{
    struct nm_loop_thread *t = arg;
    uv_run(&t->loop, UV_RUN_DEFAULT);
    return NULL;
}

int nm_loop_thread_start(struct nm_loop_thread *t)
{
    if (pthread_create(&t->thread, NULL, loop_main, t) != 0)
        return NM_E_NOMEM;
    t->started = true;
    return 0;
}

void nm_loop_thread_wake(struct nm_loop_thread *t)
{
    uv_async_send(&t->wake);
}

void nm_loop_thread_stop(struct nm_loop_thread *t)
{
    pthread_mutex_lock(&t->lock);
    t->stopping = true;
    pthread_mutex_unlock(&t->lock);
    uv_async_send(&t->wake);
    if (t->started)
        pthread_join(t->thread, NULL);
    else
        uv_run(&t->loop, UV_RUN_DEFAULT);
    uv_loop_close(&t->loop);
    pthread_mutex_destroy(&t->lock);
}
