/* loop_thread.h - a libuv loop on a thread of its own, for the roles'
 * HTTP servers (JSON-RPC, Prometheus) that use the node's libuv-based
 * server code. Other threads reach it only through its uv_async_t
 * (nm_loop_thread_wake); on_wake runs on the loop thread, with stopping
 * true once, last, when it must delete its servers. */
#ifndef NM_MINER_LOOP_THREAD_H
#define NM_MINER_LOOP_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <uv.h>

struct nm_loop_thread {
    uv_loop_t loop; /* add servers to it between init and start */
    uv_async_t wake;
    pthread_t thread;
    pthread_mutex_t lock;
    bool stopping, started;
    void (*on_wake)(void *ud, bool stopping);
    void *ud;
};

int nm_loop_thread_init(struct nm_loop_thread *t, void (*on_wake)(void *ud, bool stopping),
                        void *ud);
/* Runs the loop on a new thread. NM_E_NOMEM when the thread cannot start. */
int nm_loop_thread_start(struct nm_loop_thread *t);
void nm_loop_thread_wake(struct nm_loop_thread *t);
/* on_wake(ud, true) on the loop thread, then joins it and closes the loop.
 * Also fine when start was never called or failed (runs the loop here). */
void nm_loop_thread_stop(struct nm_loop_thread *t);

#endif
