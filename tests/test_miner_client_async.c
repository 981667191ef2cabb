/* Unit tests for node/miner/client_async (the aggregator's miner client on
 * a libuv loop): a real gRPC miner server on 127.0.0.1 in this process and
 * the client on a loop of the test, both ways of polling (a poller thread,
 * the loop itself). Answers come on the loop and never inside the call,
 * cancellation and deadlines end calls early, the close hands back every
 * call in flight, and an unreachable miner fails without blocking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/miner/backend.h"
#include "node/miner/client.h"
#include "node/miner/client_async.h"
#include "tests/support/miner_fixture.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GOOD_INPUT "{\"prompt\":\"say hi\",\"language\":\"python\"}"
#define ECHO_OUTPUT "{\"code\":\"say hi\",\"explanation\":\"echo\"}"

/* A backend that answers after 3 s, or once the test is done with it
 * (never at the call's deadline, where its answer would race the client's
 * own deadline): the slow miner whose call the client must end. */
static atomic_bool slow_release;

static int slow_infer(struct nm_miner_backend *b, const char *input, size_t len,
                      int64_t deadline_ms, char **out, size_t *out_len, char *err, size_t cap)
{
    (void)b, (void)input, (void)len, (void)err, (void)cap;
    int64_t until = nm_miner_now_ms() + 3000;
    (void)deadline_ms;
    while (nm_miner_now_ms() < until && !atomic_load(&slow_release))
        nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
    *out = strdup(ECHO_OUTPUT);
    *out_len = strlen(ECHO_OUTPUT);
    return *out ? 0 : NM_E_NOMEM;
}

static const struct nm_miner_backend_ops slow_ops = {
    .kind = "slow",
    .blocking = true,
    .infer = slow_infer,
    .free = nm_miner_backend_plain_free,
};

struct fixture {
    uv_loop_t loop;
    struct nm_miner_backend *backend;
    struct tq_miner m;
    struct nm_miner_async *async;
};

static void start(struct fixture *f, bool slow, enum nm_miner_async_poll how)
{
    char err[256] = "";
    memset(f, 0, sizeof *f);
    atomic_store(&slow_release, false);
    if (slow)
        assert_int_equal(nm_miner_backend_plain_new(&slow_ops, &f->backend, err, sizeof err), 0);
    else
        assert_int_equal(nm_miner_backend_echo_new(&f->backend, err, sizeof err), 0);
    tq_miner_start(&f->m, f->backend, 10000, 64);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    assert_int_equal(nm_miner_async_new(&f->loop, how, &f->async), 0);
}

static void stop(struct fixture *f)
{
    nm_miner_async_close(f->async, 2000);
    uv_run(&f->loop, UV_RUN_DEFAULT); /* the close callback frees it */
    assert_int_equal(uv_loop_close(&f->loop), 0);
    atomic_store(&slow_release, true); /* the server's stop waits for its calls */
    tq_miner_stop(&f->m);
    nm_miner_backend_free(f->backend);
}

/* What came back, per call. */
struct outcome {
    int done;
    int status;
    char *output;
    int64_t elapsed_ms;
    pthread_t thread;
};

static void on_done(void *ud, struct nm_miner_result *r)
{
    struct outcome *o = ud;
    o->done++;
    o->status = r->status;
    o->elapsed_ms = r->elapsed_ms;
    o->thread = pthread_self();
    o->output = r->output; /* taken */
    r->output = NULL;
}

/* Runs the loop until every outcome is in (at most max_ms). */
static void run_until_done(struct fixture *f, struct outcome *o, size_t n, int max_ms)
{
    int64_t until = nm_miner_now_ms() + max_ms;
    for (;;) {
        size_t in = 0;
        for (size_t i = 0; i < n; i++)
            in += o[i].done != 0;
        if (in == n || nm_miner_now_ms() > until)
            break;
        uv_run(&f->loop, UV_RUN_NOWAIT);
        nanosleep(&(struct timespec){.tv_nsec = 200000}, NULL);
    }
}

static void answers_on_the_loop(enum nm_miner_async_poll how)
{
    struct fixture f;
    start(&f, false, how);
    struct outcome o[8];
    memset(o, 0, sizeof o);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(nm_miner_async_infer(f.async, f.m.client, GOOD_INPUT, 5000, on_done,
                                              &o[i], NULL),
                         0);
    for (size_t i = 0; i < 8; i++) /* never inside the call */
        assert_int_equal(o[i].done, 0);
    assert_int_equal(nm_miner_async_in_flight(f.async), 8);
    run_until_done(&f, o, 8, 5000);
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(o[i].done, 1);
        assert_int_equal(o[i].status, NM_GRPC_OK);
        assert_string_equal(o[i].output, ECHO_OUTPUT);
        assert_true(pthread_equal(o[i].thread, pthread_self())); /* on the loop's thread */
        free(o[i].output);
    }
    assert_int_equal(nm_miner_async_in_flight(f.async), 0);
    stop(&f);
}

static void test_calls_answer_on_the_loop_never_inside_the_call(void **state)
{
    (void)state;
    answers_on_the_loop(NM_MINER_POLL_THREAD);
}

static void test_calls_answer_on_the_loop_when_the_loop_polls(void **state)
{
    (void)state;
    answers_on_the_loop(NM_MINER_POLL_LOOP);
}

static void test_cancel_ends_a_slow_call_at_once(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, true, NM_MINER_POLL_THREAD);
    struct outcome o[2];
    memset(o, 0, sizeof o);
    struct nm_miner_call *slow, *other;
    assert_int_equal(
        nm_miner_async_infer(f.async, f.m.client, GOOD_INPUT, 5000, on_done, &o[0], &slow), 0);
    assert_int_equal(
        nm_miner_async_infer(f.async, f.m.client, GOOD_INPUT, 5000, on_done, &o[1], &other), 0);
    assert_non_null(slow);
    nm_miner_call_cancel(slow);
    run_until_done(&f, o, 1, 2000);
    assert_int_equal(o[0].done, 1);
    assert_int_equal(o[0].status, NM_GRPC_CANCELLED);
    assert_true(o[0].elapsed_ms < 1000); /* not at the miner's 3 s, nor the 5 s deadline */
    assert_null(o[0].output);
    assert_int_equal(o[1].done, 0); /* the other call runs on */
    assert_int_equal(nm_miner_async_in_flight(f.async), 1);
    nm_miner_call_cancel(other);
    run_until_done(&f, o, 2, 2000);
    assert_int_equal(o[1].status, NM_GRPC_CANCELLED);
    stop(&f);
}

static void test_the_deadline_is_the_calls_own(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, true, NM_MINER_POLL_LOOP);
    struct outcome o = {0};
    assert_int_equal(nm_miner_async_infer(f.async, f.m.client, GOOD_INPUT, 200, on_done, &o, NULL),
                     0);
    run_until_done(&f, &o, 1, 3000);
    assert_int_equal(o.done, 1);
    assert_int_equal(o.status, NM_GRPC_DEADLINE_EXCEEDED);
    assert_true(o.elapsed_ms >= 150 && o.elapsed_ms < 2000);
    stop(&f);
}

static int64_t thread_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* LOOP spins only a short while after a call starts: a slow miner's call
 * is then polled every millisecond, so waiting for it costs no core. */
static void test_the_loop_stops_spinning_while_a_slow_call_runs(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, true, NM_MINER_POLL_LOOP);
    struct outcome o = {0};
    int64_t wall0 = nm_miner_now_ms(), cpu0 = thread_cpu_ms();
    assert_int_equal(nm_miner_async_infer(f.async, f.m.client, GOOD_INPUT, 400, on_done, &o, NULL),
                     0);
    while (!o.done && nm_miner_now_ms() - wall0 < 3000)
        uv_run(&f.loop, UV_RUN_ONCE); /* blocks between the polls once spinning stopped */
    int64_t wall = nm_miner_now_ms() - wall0, cpu = thread_cpu_ms() - cpu0;
    assert_int_equal(o.done, 1);
    assert_int_equal(o.status, NM_GRPC_DEADLINE_EXCEEDED);
    assert_true(wall >= 350);
    assert_true(cpu * 5 < wall); /* spinning all along would be about cpu == wall */
    stop(&f);
}

static void close_hands_back_calls(enum nm_miner_async_poll how)
{
    struct fixture f;
    start(&f, true, how);
    struct outcome o[3];
    memset(o, 0, sizeof o);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(nm_miner_async_infer(f.async, f.m.client, GOOD_INPUT, 5000, on_done,
                                              &o[i], NULL),
                         0);
    int64_t t0 = nm_miner_now_ms();
    nm_miner_async_close(f.async, 2000);
    assert_true(nm_miner_now_ms() - t0 < 1500); /* cancelled, not waited for */
    for (size_t i = 0; i < 3; i++) { /* every done ran inside the close */
        assert_int_equal(o[i].done, 1);
        assert_int_equal(o[i].status, NM_GRPC_CANCELLED);
    }
    struct outcome late = {0}; /* closing: refused, and its done never runs */
    assert_int_equal(
        nm_miner_async_infer(f.async, f.m.client, GOOD_INPUT, 5000, on_done, &late, NULL),
        NM_E_IO);
    uv_run(&f.loop, UV_RUN_DEFAULT);
    assert_int_equal(late.done, 0);
    assert_int_equal(uv_loop_close(&f.loop), 0);
    atomic_store(&slow_release, true);
    tq_miner_stop(&f.m);
    nm_miner_backend_free(f.backend);
}

static void test_close_cancels_and_hands_back_the_calls_in_flight(void **state)
{
    (void)state;
    close_hands_back_calls(NM_MINER_POLL_THREAD);
}

static void test_close_hands_back_the_calls_when_the_loop_polls(void **state)
{
    (void)state;
    close_hands_back_calls(NM_MINER_POLL_LOOP);
}

static void test_an_unreachable_miner_fails_without_blocking(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, false, NM_MINER_POLL_THREAD);
    char err[128];
    struct nm_miner_client *gone;
    /* the miner's port once it stopped: nothing listens there */
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", nm_miner_server_port(f.m.server));
    nm_miner_server_stop(f.m.server);
    f.m.server = NULL;
    assert_int_equal(nm_miner_client_new(target, &gone, err, sizeof err), 0);
    struct outcome o = {0};
    int64_t t0 = nm_miner_now_ms();
    assert_int_equal(nm_miner_async_infer(f.async, gone, GOOD_INPUT, 3000, on_done, &o, NULL),
                     0);
    assert_true(nm_miner_now_ms() - t0 < 500); /* the start never waits for the link */
    run_until_done(&f, &o, 1, 5000);
    assert_int_equal(o.done, 1);
    assert_true(o.status == NM_GRPC_UNAVAILABLE || o.status == NM_GRPC_DEADLINE_EXCEEDED);
    nm_miner_client_free(gone);
    stop(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calls_answer_on_the_loop_never_inside_the_call),
        cmocka_unit_test(test_calls_answer_on_the_loop_when_the_loop_polls),
        cmocka_unit_test(test_cancel_ends_a_slow_call_at_once),
        cmocka_unit_test(test_the_deadline_is_the_calls_own),
        cmocka_unit_test(test_the_loop_stops_spinning_while_a_slow_call_runs),
        cmocka_unit_test(test_close_cancels_and_hands_back_the_calls_in_flight),
        cmocka_unit_test(test_close_hands_back_the_calls_when_the_loop_polls),
        cmocka_unit_test(test_an_unreachable_miner_fails_without_blocking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
