/* client_async.c - miner calls started and finished on a libuv loop (see
 * client_async.h); the call itself is client_call.h's, as for the blocking
 * client. */
#include "node/miner/client_async.h"

#include "node/errors.h"
#include "node/miner/client_call.h"

#include <grpc/grpc.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct nm_miner_call {
    struct nm_miner_async *a;
    struct nm_miner_batch batch;
    nm_miner_done_fn done;
    void *ud;
    struct nm_miner_call *prev, *next; /* in flight (loop thread) */
    struct nm_miner_call *finished_next; /* handed from the poller (under lock) */
};

struct nm_miner_async {
    enum nm_miner_async_poll how;
    grpc_completion_queue *cq;
    uv_async_t wake;   /* THREAD: the poller's door into the loop */
    uv_idle_t idle;    /* LOOP: polls the queue on every turn (spins) */
    uv_timer_t timer;  /* LOOP: polls it every millisecond once spinning stopped */
    int handles;       /* open handles; the memory goes with the last one */
    int64_t active_us; /* LOOP: the last call started or finished */
    pthread_t poller;
    bool poller_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;          /* a call finished (for the close) */
    struct nm_miner_call *finished, *finished_tail; /* oldest first */
    struct nm_miner_call *flying; /* in flight */
    size_t in_flight;
    bool closing;
};

/* The poller: every finished call goes to the loop, in completion order. */
static void *poll_thread(void *arg)
{
    struct nm_miner_async *a = arg;
    for (;;) {
        grpc_event ev =
            grpc_completion_queue_next(a->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            return NULL;
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        struct nm_miner_call *call = ev.tag;
        pthread_mutex_lock(&a->lock);
        call->finished_next = NULL;
        if (a->finished_tail)
            a->finished_tail->finished_next = call;
        else
            a->finished = call;
        a->finished_tail = call;
        pthread_cond_signal(&a->cond);
        pthread_mutex_unlock(&a->lock);
        uv_async_send(&a->wake);
    }
}

/* A finished call, on the loop: its result to its owner, then it goes. */
static void deliver(struct nm_miner_call *call)
{
    struct nm_miner_async *a = call->a;
    if (call->prev)
        call->prev->next = call->next;
    else
        a->flying = call->next;
    if (call->next)
        call->next->prev = call->prev;
    a->in_flight--;
    struct nm_miner_result res;
    uint8_t *resp;
    size_t resp_len;
    int rc = nm_miner_batch_end(&call->batch, &resp, &resp_len, &res);
    if (!rc && res.status == NM_GRPC_OK)
        rc = nm_miner_infer_decode(resp, resp_len, &res);
    free(resp);
    if (rc) {
        nm_miner_result_fini(&res);
        res.status = NM_GRPC_INTERNAL;
        snprintf(res.details, sizeof res.details, "out of memory");
    }
    call->done(call->ud, &res);
    nm_miner_result_fini(&res);
    free(call);
}

/* THREAD: the calls the poller handed over; false when there were none. */
static bool deliver_finished(struct nm_miner_async *a)
{
    pthread_mutex_lock(&a->lock);
    struct nm_miner_call *call = a->finished;
    a->finished = a->finished_tail = NULL;
    pthread_mutex_unlock(&a->lock);
    bool any = call != NULL;
    while (call) {
        struct nm_miner_call *next = call->finished_next;
        deliver(call);
        call = next;
    }
    return any;
}

static void on_wake(uv_async_t *h)
{
    deliver_finished(h->data);
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* LOOP: how long the loop spins after a call started or finished; past
 * that (a slow miner) it polls every millisecond instead, so a call of
 * seconds does not cost a core (and its answer waits at most 1 ms more). */
#define SPIN_US 2000

static void on_idle(uv_idle_t *h);
static void on_timer(uv_timer_t *h);

/* LOOP: spin (fast answers expected) or tick (none for a while), or stop
 * polling (no call in flight). */
static void loop_pace(struct nm_miner_async *a, bool spin)
{
    if (a->in_flight == 0) {
        uv_idle_stop(&a->idle);
        uv_timer_stop(&a->timer);
    } else if (spin) {
        uv_timer_stop(&a->timer);
        uv_idle_start(&a->idle, on_idle);
    } else if (!uv_is_active((uv_handle_t *)&a->timer)) {
        uv_idle_stop(&a->idle);
        uv_timer_start(&a->timer, on_timer, 1, 1);
    }
}

/* LOOP: takes what the queue has now (gRPC reads the sockets meanwhile);
 * false when nothing came within the deadline. */
static bool poll_queue(struct nm_miner_async *a, gpr_timespec deadline)
{
    bool any = false;
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(a->cq, deadline, NULL);
        if (ev.type != GRPC_OP_COMPLETE)
            break;
        any = true;
        deliver(ev.tag);
        deadline = gpr_time_0(GPR_CLOCK_MONOTONIC);
    }
    if (any)
        a->active_us = mono_us();
    return any;
}

static void on_idle(uv_idle_t *h)
{
    struct nm_miner_async *a = h->data;
    poll_queue(a, gpr_time_0(GPR_CLOCK_MONOTONIC));
    loop_pace(a, mono_us() - a->active_us < SPIN_US);
}

static void on_timer(uv_timer_t *h)
{
    struct nm_miner_async *a = h->data;
    loop_pace(a, poll_queue(a, gpr_time_0(GPR_CLOCK_MONOTONIC)));
}

int nm_miner_async_new(uv_loop_t *loop, enum nm_miner_async_poll how,
                       struct nm_miner_async **out)
{
    *out = NULL;
    struct nm_miner_async *a = calloc(1, sizeof *a);
    if (!a)
        return NM_E_NOMEM;
    a->how = how;
    grpc_init();
    a->cq = grpc_completion_queue_create_for_next(NULL);
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->cond, NULL);
    if (how == NM_MINER_POLL_LOOP) {
        uv_idle_init(loop, &a->idle);
        uv_timer_init(loop, &a->timer);
        a->idle.data = a->timer.data = a;
        a->handles = 2;
    } else {
        uv_async_init(loop, &a->wake, on_wake);
        a->wake.data = a;
        a->handles = 1;
        if (pthread_create(&a->poller, NULL, poll_thread, a)) {
            nm_miner_async_close(a, 0);
            return NM_E_IO;
        }
        a->poller_started = true;
    }
    *out = a;
    return 0;
}

int nm_miner_async_infer(struct nm_miner_async *a, struct nm_miner_client *c, const char *input,
                         int timeout_ms, nm_miner_done_fn done, void *ud,
                         struct nm_miner_call **out)
{
    if (out)
        *out = NULL;
    if (a->closing)
        return NM_E_IO;
    uint8_t *req;
    size_t len;
    struct nm_miner_call *call = calloc(1, sizeof *call);
    if (!call || nm_miner_infer_encode(input, &req, &len)) {
        free(call);
        return NM_E_NOMEM;
    }
    *call = (struct nm_miner_call){.a = a, .done = done, .ud = ud, .next = a->flying};
    struct nm_miner_result res;
    int rc = nm_miner_batch_start(&call->batch, c, a->cq, NM_MINER_INFER_METHOD, req, len,
                                  timeout_ms, call, &res);
    free(req); /* the batch holds its own copy */
    if (rc) {
        free(call);
        return rc;
    }
    if (a->flying)
        a->flying->prev = call;
    a->flying = call;
    a->in_flight++;
    if (a->how == NM_MINER_POLL_LOOP) { /* its answer may be quick: spin */
        a->active_us = mono_us();
        loop_pace(a, true);
    }
    if (out)
        *out = call;
    return 0;
}

void nm_miner_call_cancel(struct nm_miner_call *call)
{
    grpc_call_cancel(call->batch.call, NULL);
}

size_t nm_miner_async_in_flight(const struct nm_miner_async *a)
{
    return a->in_flight;
}

static void close_cb(uv_handle_t *h)
{
    struct nm_miner_async *a = h->data;
    if (--a->handles == 0)
        free(a);
}

void nm_miner_async_close(struct nm_miner_async *a, int wait_ms)
{
    if (!a)
        return;
    a->closing = true;
    for (struct nm_miner_call *call = a->flying; call; call = call->next)
        grpc_call_cancel(call->batch.call, NULL);
    /* cancelled calls come back at once; the bound is for a gRPC gone wrong */
    for (int64_t until = mono_us() + wait_ms * 1000LL; a->in_flight > 0 && mono_us() < until;) {
        if (a->how == NM_MINER_POLL_LOOP) {
            poll_queue(a, gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                       gpr_time_from_millis(10, GPR_TIMESPAN)));
            continue;
        }
        pthread_mutex_lock(&a->lock);
        if (!a->finished) {
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            t.tv_nsec += 10000000;
            if (t.tv_nsec >= 1000000000) {
                t.tv_sec++;
                t.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&a->cond, &a->lock, &t);
        }
        pthread_mutex_unlock(&a->lock);
        deliver_finished(a);
    }
    /* the queue's shutdown comes after the last call's completion */
    grpc_completion_queue_shutdown(a->cq);
    if (a->poller_started) {
        pthread_join(a->poller, NULL); /* it returns at the queue's shutdown */
        deliver_finished(a);
    } else {
        for (;;) {
            grpc_event ev =
                grpc_completion_queue_next(a->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
            if (ev.type == GRPC_QUEUE_SHUTDOWN)
                break;
            if (ev.type == GRPC_OP_COMPLETE)
                deliver(ev.tag);
        }
    }
    grpc_completion_queue_destroy(a->cq);
    grpc_shutdown();
    pthread_cond_destroy(&a->cond);
    pthread_mutex_destroy(&a->lock);
    if (a->how == NM_MINER_POLL_LOOP) {
        uv_close((uv_handle_t *)&a->idle, close_cb);
        uv_close((uv_handle_t *)&a->timer, close_cb);
    } else {
        uv_close((uv_handle_t *)&a->wake, close_cb);
    }
}
