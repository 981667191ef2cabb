/* Unit tests for rpc/server: WebSocket and HTTP framing, deferred replies
 * and request size limits, over real sockets on 127.0.0.1. (Connections,
 * tokens, CORS, caps and shutdown: test_rpc_server_conns.c.) */
#include "tests/support/server_fixture.h"

#include "node/errors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void test_websocket_request_gets_one_text_reply(void **state)
{
    struct srv_fixture *f = *state;
    int fd = srv_ws_open(f->port, NULL);
    assert_true(fd >= 0);
    srv_ws_expect_echo(fd, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}");
    srv_ws_expect_echo(fd, "second");
    pthread_mutex_lock(&srv_rec.mu);
    assert_true(srv_rec.last_was_ws);
    assert_string_equal(srv_rec.last_peer, "127.0.0.1");
    pthread_mutex_unlock(&srv_rec.mu);
    close(fd);
}

static void test_websocket_fragmented_message_is_reassembled(void **state)
{
    struct srv_fixture *f = *state;
    int fd = srv_ws_open(f->port, NULL);
    size_t len = 0;
    assert_true(fd >= 0);
    srv_ws_send_frame(fd, 1, false, "hel", 3);
    srv_ws_send_frame(fd, 0, false, "lo ", 3);
    srv_ws_send_frame(fd, 0, true, "world", 5);
    char *got = srv_ws_recv_text(fd, &len);
    assert_string_equal(got, "echo:hello world");
    free(got);
    assert_int_equal(srv_rec_requests(), 1);
    close(fd);
}

static void test_websocket_large_reply_arrives_whole(void **state)
{
    struct srv_fixture *f = *state;
    int fd = srv_ws_open(f->port, NULL);
    size_t len = 0;
    assert_true(fd >= 0);
    srv_ws_send_text(fd, "big:3000000");
    char *got = srv_ws_recv_text(fd, &len);
    assert_int_equal(len, 3000000);
    assert_true(got[0] == 'x' && got[len - 1] == 'x');
    free(got);
    srv_ws_expect_echo(fd, "after");
    close(fd);
}

static void test_http_post_gets_json_reply_and_ends_exchange(void **state)
{
    struct srv_fixture *f = *state;
    struct srv_http_response r;
    int fd = srv_tcp_connect(f->port);
    srv_http_send(fd, f->port, "POST", "/", "{\"id\":1}", NULL);
    assert_true(srv_http_read_response(fd, &r));
    assert_int_equal(r.status, 200);
    assert_non_null(strcasestr(r.head, "content-type: application/json"));
    assert_string_equal(r.body, "echo:{\"id\":1}");
    free(r.body);
    assert_true(srv_wait_for(srv_rec_closes, 1, 1000)); /* the exchange is over */
    pthread_mutex_lock(&srv_rec.mu);
    assert_false(srv_rec.last_was_ws);
    pthread_mutex_unlock(&srv_rec.mu);
    close(fd);
}

static void test_http_keepalive_carries_two_exchanges(void **state)
{
    struct srv_fixture *f = *state;
    struct srv_http_response r;
    int fd = srv_tcp_connect(f->port);
    srv_http_send(fd, f->port, "POST", "/rpc", "one", NULL);
    assert_true(srv_http_read_response(fd, &r));
    assert_string_equal(r.body, "echo:one");
    free(r.body);
    srv_http_send(fd, f->port, "POST", "/rpc", "two", NULL);
    assert_true(srv_http_read_response(fd, &r));
    assert_string_equal(r.body, "echo:two");
    free(r.body);
    assert_true(srv_wait_for(srv_rec_closes, 2, 1000));
    close(fd);
}

static void test_http_health_answers_and_get_is_refused(void **state)
{
    struct srv_fixture *f = *state;
    struct srv_http_response r;
    int fd = srv_tcp_connect(f->port);
    srv_http_send(fd, f->port, "GET", "/health", NULL, NULL);
    assert_true(srv_http_read_response(fd, &r));
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"ok\":true}");
    free(r.body);
    srv_http_send(fd, f->port, "GET", "/", NULL, NULL);
    assert_true(srv_http_read_response(fd, &r));
    assert_int_equal(r.status, 405);
    assert_non_null(strstr(r.body, "\"error\""));
    free(r.body);
    srv_http_send(fd, f->port, "OPTIONS", "/", NULL, NULL); /* a CORS preflight */
    assert_true(srv_http_read_response(fd, &r));
    assert_int_equal(r.status, 204);
    free(r.body);
    srv_http_send(fd, f->port, "HEAD", "/", NULL, NULL);
    assert_true(srv_http_read_response(fd, &r));
    assert_int_equal(r.status, 405);
    assert_int_equal(r.body_len, 0);
    free(r.body);
    /* the connection is still in step: a POST after all that works */
    srv_http_send(fd, f->port, "POST", "/", "ok?", NULL);
    assert_true(srv_http_read_response(fd, &r));
    assert_string_equal(r.body, "echo:ok?");
    free(r.body);
    close(fd);
    assert_int_equal(srv_rec_requests(), 1);
}

static void send_deferred_on_loop(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&srv_rec.mu);
    struct nm_rpc_conn *conn = srv_rec.deferred;
    pthread_mutex_unlock(&srv_rec.mu);
    if (conn)
        srv_send_or_note(conn, "later", 5);
    else
        srv_note_problem();
}

static void test_deferred_reply_sent_from_outside_a_callback(void **state)
{
    struct srv_fixture *f = *state;
    struct srv_http_response r;
    size_t len = 0;

    int ws = srv_ws_open(f->port, NULL);
    assert_true(ws >= 0);
    srv_ws_send_text(ws, "defer");
    assert_true(srv_wait_for(srv_rec_requests, 1, 1000));
    loop_thread_run(&f->lt, send_deferred_on_loop, NULL);
    char *got = srv_ws_recv_text(ws, &len);
    assert_string_equal(got, "later");
    free(got);

    int fd = srv_tcp_connect(f->port);
    srv_http_send(fd, f->port, "POST", "/", "defer", NULL);
    assert_true(srv_wait_for(srv_rec_requests, 2, 1000));
    loop_thread_run(&f->lt, send_deferred_on_loop, NULL);
    assert_true(srv_http_read_response(fd, &r));
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "later");
    free(r.body);
    close(fd);
    close(ws);
}

struct next_block {
    struct srv_fixture *f;
    uint64_t in_ms;
};

static void next_block_on_loop(void *arg)
{
    struct next_block *nb = arg;
    nm_rpc_server_next_block(nb->f->srv, nb->in_ms);
}

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* issue 17: before a block, requests may take 1 ms of the loop thread in
 * all; the rest wait for the block (the node's next call), so the thread
 * sleeps when its block timer fires. An honest request outside the window
 * is answered at once, even after a costly one. */
static void test_requests_wait_for_the_block_in_the_quiet_window(void **state)
{
    struct srv_fixture *f = *state;
    size_t len = 0;
    int fd = srv_ws_open(f->port, NULL);
    assert_true(fd >= 0);
    /* no block expected: no window */
    srv_ws_send_text(fd, "spin:3");
    srv_ws_send_text(fd, "after");
    char *got = srv_ws_recv_text(fd, &len);
    assert_string_equal(got, "spun");
    free(got);
    got = srv_ws_recv_text(fd, &len);
    assert_string_equal(got, "echo:after");
    free(got);

    /* a block in 1 s: the window is its last 100 ms, and lasts until the
     * next call or 500 ms past the block */
    struct next_block nb = {.f = f, .in_ms = 1000};
    loop_thread_run(&f->lt, next_block_on_loop, &nb);
    srv_sleep_ms(920);
    long long t0 = mono_ms();
    srv_ws_send_text(fd, "spin:3"); /* takes the window's budget */
    srv_ws_send_text(fd, "waits");
    got = srv_ws_recv_text(fd, &len);
    assert_string_equal(got, "spun");
    free(got);
    srv_sleep_ms(300); /* past the block's time: still waiting for the block */
    assert_int_equal(srv_rec_requests(), 2 + 1);
    nb.in_ms = 1000; /* the block is made: the next is due in 1 s */
    loop_thread_run(&f->lt, next_block_on_loop, &nb);
    got = srv_ws_recv_text(fd, &len);
    assert_string_equal(got, "echo:waits");
    free(got);
    long long waited = mono_ms() - t0;
    print_message("a request in the window waited %lld ms, for the block\n", waited);
    assert_true(waited >= 300);

    /* a block that never comes (a halted node) ends the window 500 ms late */
    srv_sleep_ms(920);
    srv_ws_send_text(fd, "spin:3");
    srv_ws_send_text(fd, "late");
    t0 = mono_ms();
    got = srv_ws_recv_text(fd, &len);
    assert_string_equal(got, "spun");
    free(got);
    got = srv_ws_recv_text(fd, &len);
    assert_string_equal(got, "echo:late");
    free(got);
    waited = mono_ms() - t0;
    assert_true(waited >= 300 && waited < 2000);
    close(fd);
}

struct stats_query {
    struct srv_fixture *f;
    struct nm_rpc_server_stats st;
};

static void stats_on_loop(void *arg)
{
    struct stats_query *q = arg;
    nm_rpc_server_stats(q->f->srv, &q->st);
}

static void expect_too_large(int fd)
{
    size_t len = 0;
    char *got = srv_ws_recv_text(fd, &len);
    assert_non_null(strstr(got, "\"code\":-32006"));
    assert_non_null(strstr(got, "request too large: the limit is 1024 bytes"));
    free(got);
}

static void test_oversize_websocket_message_is_refused_and_the_connection_stays(void **state)
{
    struct srv_fixture *f = *state;
    int good = srv_ws_open(f->port, NULL);
    int bad = srv_ws_open(f->port, NULL);
    assert_true(good >= 0 && bad >= 0);

    char big[20000];
    memset(big, 'a', sizeof big);
    srv_ws_send_frame(bad, 1, true, big, sizeof big);
    expect_too_large(bad);
    srv_ws_expect_echo(bad, "after a big one");

    /* fragments that only add up to too much are refused the same way */
    srv_ws_send_frame(bad, 1, false, big, 600);
    srv_ws_send_frame(bad, 0, true, big, 600);
    expect_too_large(bad);
    srv_ws_expect_echo(bad, "after big fragments");
    close(bad);

    srv_ws_expect_echo(good, "still here");
    assert_int_equal(srv_rec_requests(), 3);
    struct stats_query q = {.f = f};
    loop_thread_run(&f->lt, stats_on_loop, &q);
    assert_int_equal(q.st.too_large, 2);
    close(good);
}

static void test_oversize_http_post_gets_413(void **state)
{
    struct srv_fixture *f = *state;
    struct srv_http_response r;
    char head[256];
    int fd = srv_tcp_connect(f->port);
    /* announce a body above the limit; the server must answer before it */
    snprintf(head, sizeof head, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n");
    assert_true(wsr_send_all(fd, head, strlen(head)));
    assert_true(srv_http_read_response(fd, &r));
    assert_int_equal(r.status, 413);
    free(r.body);
    close(fd);

    fd = srv_tcp_connect(f->port);
    srv_http_send(fd, f->port, "POST", "/", "small", NULL);
    assert_true(srv_http_read_response(fd, &r));
    assert_string_equal(r.body, "echo:small");
    free(r.body);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_websocket_request_gets_one_text_reply,
                                        srv_setup_default, srv_teardown),
        cmocka_unit_test_setup_teardown(test_websocket_fragmented_message_is_reassembled,
                                        srv_setup_default, srv_teardown),
        cmocka_unit_test_setup_teardown(test_websocket_large_reply_arrives_whole,
                                        srv_setup_default, srv_teardown),
        cmocka_unit_test_setup_teardown(test_http_post_gets_json_reply_and_ends_exchange,
                                        srv_setup_default, srv_teardown),
        cmocka_unit_test_setup_teardown(test_http_keepalive_carries_two_exchanges,
                                        srv_setup_default, srv_teardown),
        cmocka_unit_test_setup_teardown(test_http_health_answers_and_get_is_refused,
                                        srv_setup_default, srv_teardown),
        cmocka_unit_test_setup_teardown(test_deferred_reply_sent_from_outside_a_callback,
                                        srv_setup_default, srv_teardown),
        cmocka_unit_test_setup_teardown(test_requests_wait_for_the_block_in_the_quiet_window,
                                        srv_setup_default, srv_teardown),
        cmocka_unit_test_setup_teardown(
            test_oversize_websocket_message_is_refused_and_the_connection_stays,
            srv_setup_small_limits, srv_teardown),
        cmocka_unit_test_setup_teardown(test_oversize_http_post_gets_413, srv_setup_small_limits,
                                        srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
