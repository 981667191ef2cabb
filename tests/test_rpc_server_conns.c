/* Unit tests for rpc/server, connections: the connection cap, close
 * notifications, bearer tokens, the outbound limit, delete and a clean
 * loop, bind failures, IPv6 loopback, browser origins (CORS) and HTTP/1.1
 * pipelining, over real sockets on 127.0.0.1. */
#include "tests/support/server_fixture.h"

#include "node/errors.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void test_connection_cap_refuses_the_101st(void **state)
{
    struct srv_fixture *f = *state;
    int fds[100];
    for (int i = 0; i < 100; i++) {
        fds[i] = srv_ws_open(f->port, NULL);
        assert_true(fds[i] >= 0);
    }
    assert_int_equal(srv_connection_count(f), 100);
    assert_int_equal(srv_ws_open(f->port, NULL), -1);
    srv_ws_expect_echo(fds[99], "members still served");

    close(fds[0]);
    for (int waited = 0; srv_connection_count(f) > 99 && waited < 2000; waited += 5)
        srv_sleep_ms(5);
    fds[0] = srv_ws_open(f->port, NULL);
    assert_true(fds[0] >= 0);
    srv_ws_expect_echo(fds[0], "a freed slot is usable");
    for (int i = 0; i < 100; i++)
        close(fds[i]);
}

static void test_on_close_called_once_for_each_conn_that_made_a_request(void **state)
{
    struct srv_fixture *f = *state;
    int silent = srv_ws_open(f->port, NULL);
    int talker = srv_ws_open(f->port, NULL);
    assert_true(silent >= 0 && talker >= 0);
    srv_ws_expect_echo(talker, "hi");
    srv_ws_expect_echo(talker, "again");
    close(talker);
    close(silent);
    assert_true(srv_wait_for(srv_rec_closes, 1, 2000));
    for (int waited = 0; srv_connection_count(f) > 0 && waited < 2000; waited += 5)
        srv_sleep_ms(5);
    assert_int_equal(srv_connection_count(f), 0);
    assert_int_equal(srv_rec_closes(), 1);
}

static void test_bearer_token_is_visible_to_the_handler(void **state)
{
    struct srv_fixture *f = *state;
    struct srv_http_response r;
    size_t len = 0;

    int fd = srv_ws_open(f->port, "s3cret-token");
    assert_true(fd >= 0);
    srv_ws_send_text(fd, "bearer");
    char *got = srv_ws_recv_text(fd, &len);
    assert_string_equal(got, "s3cret-token");
    free(got);
    close(fd);

    fd = srv_ws_open(f->port, NULL);
    assert_true(fd >= 0);
    srv_ws_send_text(fd, "bearer");
    got = srv_ws_recv_text(fd, &len);
    assert_string_equal(got, "(none)");
    free(got);
    close(fd);

    fd = srv_tcp_connect(f->port);
    srv_http_send(fd, f->port, "POST", "/", "bearer", "Authorization: Bearer http-token\r\n");
    assert_true(srv_http_read_response(fd, &r));
    assert_string_equal(r.body, "http-token");
    free(r.body);
    /* the next request on the same connection has its own headers */
    srv_http_send(fd, f->port, "POST", "/", "bearer", "Authorization: Basic abc\r\n");
    assert_true(srv_http_read_response(fd, &r));
    assert_string_equal(r.body, "(none)");
    free(r.body);
    close(fd);
}

static void test_outbound_limit_drops_only_that_connection(void **state)
{
    struct srv_fixture *f = *state;
    int good = srv_ws_open(f->port, NULL);
    int flooded = srv_ws_open(f->port, NULL);
    assert_true(good >= 0 && flooded >= 0);
    /* 100 x 4 KiB queued at once, limit 64 KiB */
    srv_ws_send_text(flooded, "flood:100:4096");
    int code = srv_ws_expect_closed(flooded);
    assert_true(code == 1008 || code == 0);
    close(flooded);
    assert_true(srv_wait_for(srv_rec_closes, 1, 3000));
    pthread_mutex_lock(&srv_rec.mu);
    assert_int_equal(srv_rec.send_error, NM_E_TOO_BIG);
    pthread_mutex_unlock(&srv_rec.mu);
    srv_ws_expect_echo(good, "unaffected");
    close(good);
}

static void test_delete_closes_connections_and_the_loop_finishes(void **state)
{
    struct srv_fixture *f = *state;
    int fd = srv_ws_open(f->port, NULL);
    assert_true(fd >= 0);
    srv_ws_expect_echo(fd, "before delete");
    loop_thread_run(&f->lt, srv_server_delete_on_loop, f);
    assert_int_equal(srv_rec_closes(), 1); /* on_close ran inside delete */
    assert_true(srv_ws_expect_closed(fd) >= 0);
    close(fd);
    /* srv_teardown then checks that uv_run returns and uv_loop_close succeeds */
}

struct handle_count {
    struct loop_thread *lt;
    int others;
};

static void count_handle(uv_handle_t *h, void *arg)
{
    struct handle_count *hc = arg;
    if (h != (uv_handle_t *)&hc->lt->async)
        hc->others++;
}

static void count_handles_on_loop(void *arg)
{
    struct handle_count *hc = arg;
    uv_walk(&hc->lt->loop, count_handle, hc);
}

static void expect_new_fails(const char *bind_address, int port, int want)
{
    struct srv_fixture *f = srv_fixture_new();
    f->cfg.bind_address = bind_address;
    f->cfg.port = port;
    loop_thread_start(&f->lt);
    loop_thread_run(&f->lt, srv_server_new_on_loop, f);
    assert_int_equal(f->new_err, want);
    assert_null(f->srv);
    /* nothing is left on the loop: a caller may close its loop at once */
    struct handle_count hc = {.lt = &f->lt};
    loop_thread_run(&f->lt, count_handles_on_loop, &hc);
    assert_int_equal(hc.others, 0);
    loop_thread_stop(&f->lt);
    free(f);
}

static void test_port_in_use_or_bad_address_fails_leaving_the_loop_clean(void **state)
{
    struct srv_fixture *f = *state;
    expect_new_fails(NULL, f->port, NM_E_IO);
    expect_new_fails("not-an-address", 0, NM_E_INVAL);
    expect_new_fails("192.0.2.1", 0, NM_E_IO); /* not an address of this machine */
}

static void test_ipv6_loopback_is_served(void **state)
{
    (void)state;
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    bool have_v6 = probe >= 0 && bind(probe, (struct sockaddr *)&sa6, sizeof sa6) == 0;
    if (probe >= 0)
        close(probe);
    if (!have_v6)
        skip();

    struct srv_fixture *f = srv_fixture_new();
    f->cfg.bind_address = "::1";
    srv_start(f);
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    sa6.sin6_port = htons((uint16_t)f->port);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa6, sizeof sa6), 0);
    struct timeval tv = {.tv_sec = SRV_IO_TIMEOUT_MS / 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct srv_http_response r;
    srv_http_send(fd, f->port, "POST", "/", "v6", NULL);
    assert_true(srv_http_read_response(fd, &r));
    assert_string_equal(r.body, "echo:v6");
    free(r.body);
    close(fd);
    pthread_mutex_lock(&srv_rec.mu);
    assert_string_equal(srv_rec.last_peer, "::1");
    pthread_mutex_unlock(&srv_rec.mu);
    void *st = f;
    srv_teardown(&st);
}

static int setup_cors_list(void **state)
{
    struct srv_fixture *f = srv_fixture_new();
    f->cfg.cors = "https://app.example.org, http://10.0.0.5:*";
    *state = f;
    return srv_start(f);
}

static int setup_cap_2(void **state)
{
    struct srv_fixture *f = srv_fixture_new();
    f->cfg.max_connections = 2;
    *state = f;
    return srv_start(f);
}

/* Opens a WebSocket with an Origin header; returns the fd, or -1 and the
 * refusal's status and body. */
static int ws_open_origin(int port, const char *origin, struct srv_http_response *refusal)
{
    char req[512];
    int fd = srv_tcp_connect(port);
    snprintf(req, sizeof req,
             "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\nOrigin: %s\r\n\r\n",
             port, origin);
    assert_true(wsr_send_all(fd, req, strlen(req)));
    assert_true(srv_http_read_response(fd, refusal));
    if (refusal->status == 101) {
        free(refusal->body);
        return fd;
    }
    close(fd);
    return -1;
}

static void test_browser_origins_are_checked_against_the_cors_list(void **state)
{
    struct srv_fixture *f = *state;
    struct srv_http_response r;
    int fd = ws_open_origin(f->port, "https://evil.example.com", &r);
    assert_int_equal(fd, -1);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "-32009"));
    free(r.body);
    fd = ws_open_origin(f->port, "https://app.example.org", &r);
    assert_true(fd >= 0);
    srv_ws_expect_echo(fd, "allowed");
    close(fd);
    fd = ws_open_origin(f->port, "http://10.0.0.5:8080", &r);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(ws_open_origin(f->port, "http://10.0.0.5:80x", &r), -1);
    free(r.body);
    assert_int_equal(ws_open_origin(f->port, "http://10.0.0.50", &r), -1);
    free(r.body);

    /* HTTP: refused with 403, or served with Access-Control-Allow-Origin */
    fd = srv_tcp_connect(f->port);
    srv_http_send(fd, f->port, "POST", "/", "x", "Origin: http://localhost:3000\r\n");
    assert_true(srv_http_read_response(fd, &r));
    assert_int_equal(r.status, 403);
    free(r.body);
    close(fd);
    fd = srv_tcp_connect(f->port);
    srv_http_send(fd, f->port, "POST", "/", "x", "Origin: https://app.example.org\r\n");
    assert_true(srv_http_read_response(fd, &r));
    assert_int_equal(r.status, 200);
    assert_non_null(strcasestr(r.head, "access-control-allow-origin: https://app.example.org"));
    free(r.body);
    srv_http_send(fd, f->port, "OPTIONS", "/", NULL, "Origin: https://app.example.org\r\n");
    assert_true(srv_http_read_response(fd, &r));
    assert_int_equal(r.status, 204);
    assert_non_null(strcasestr(r.head, "access-control-allow-headers:"));
    free(r.body);
    close(fd);
    /* no Origin: not a browser, always served */
    fd = srv_ws_open(f->port, NULL);
    assert_true(fd >= 0);
    close(fd);
}

static void test_default_cors_allows_localhost_pages_only(void **state)
{
    struct srv_fixture *f = *state;
    struct srv_http_response r;
    int fd = ws_open_origin(f->port, "http://localhost:5173", &r);
    assert_true(fd >= 0);
    close(fd);
    fd = ws_open_origin(f->port, "http://127.0.0.1", &r);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(ws_open_origin(f->port, "http://localhost.evil.com", &r), -1);
    assert_int_equal(r.status, 403);
    free(r.body);
    assert_int_equal(ws_open_origin(f->port, "null", &r), -1);
    free(r.body);
    /* issue 17, item 8: a port no browser can write is no localhost page */
    fd = ws_open_origin(f->port, "http://localhost:65535", &r);
    assert_true(fd >= 0);
    close(fd);
    static const char *const bad_ports[] = {"http://localhost:99999", "http://localhost:0",
                                            "http://localhost:080", "http://localhost:",
                                            "http://127.0.0.1:65536"};
    for (size_t i = 0; i < sizeof bad_ports / sizeof bad_ports[0]; i++) {
        assert_int_equal(ws_open_origin(f->port, bad_ports[i], &r), -1);
        assert_int_equal(r.status, 403);
        free(r.body);
    }
}

static void test_malformed_cors_lists_are_refused(void **state)
{
    (void)state;
    assert_int_equal(nm_rpc_cors_check(NULL), 0);
    assert_int_equal(nm_rpc_cors_check("all"), 0);
    assert_int_equal(nm_rpc_cors_check("none"), 0);
    assert_int_equal(nm_rpc_cors_check("https://a.org,http://b:*"), 0);
    assert_int_equal(nm_rpc_cors_check("a.org"), NM_E_INVAL);
    assert_int_equal(nm_rpc_cors_check("https://a.org,,x"), NM_E_INVAL);
    assert_int_equal(nm_rpc_cors_check("https://a b.org"), NM_E_INVAL);
}

static void test_connection_over_the_cap_gets_503_with_a_reason(void **state)
{
    struct srv_fixture *f = *state;
    struct srv_http_response r;
    int a = srv_ws_open(f->port, NULL), b = srv_ws_open(f->port, NULL);
    assert_true(a >= 0 && b >= 0);
    int fd = srv_tcp_connect(f->port);
    srv_http_send(fd, f->port, "POST", "/", "x", NULL);
    assert_true(srv_http_read_response(fd, &r));
    assert_int_equal(r.status, 503);
    assert_non_null(strstr(r.body, "\"code\":-32008"));
    assert_non_null(strstr(r.body, "at most 2"));
    free(r.body);
    close(fd);
    assert_int_equal(ws_open_origin(f->port, "http://localhost", &r), -1);
    assert_int_equal(r.status, 503);
    free(r.body);
    srv_ws_expect_echo(a, "members still served");
    assert_int_equal(srv_connection_count(f), 2);
    close(a);
    close(b);
}

/* The server ends the connection within 3 s: EOF (or a reset) after any
 * bytes still due; false if it stays open. */
static bool expect_eof(int fd)
{
    char buf[4096];
    for (int waited = 0; waited < 3000; waited += 50) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return true;
    }
    return false;
}

/* CPU time of the whole process (the test thread sleeps: it is the loop's)
 * over ms, in ms. */
static long cpu_ms_over(int ms)
{
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    srv_sleep_ms(ms);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
}

static void send_raw(int fd, const char *bytes)
{
    size_t len = strlen(bytes), off = 0;
    while (off < len) {
        ssize_t n = send(fd, bytes + off, len - off, MSG_NOSIGNAL);
        assert_true(n > 0);
        off += (size_t)n;
    }
}

#define PIPE_POST(body) \
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " \
    #body "\r\n\r\n"

/* Issue 17: two POSTs in one write (pipelining) made lws 4.1.6 loop for
 * ever on the node thread after the first answer. The first is answered
 * (with Connection: close), the second is never handed over, the
 * connection closes, the loop stays idle and serves the next client. */
static void test_pipelined_posts_answer_the_first_then_close_without_spinning(void **state)
{
    struct srv_fixture *f = *state;
    struct srv_http_response r;
    int before = srv_rec_requests();
    int fd = srv_tcp_connect(f->port);
    assert_true(fd >= 0);
    send_raw(fd, PIPE_POST(10) "echo:first" PIPE_POST(11) "echo:second"
                 PIPE_POST(10) "echo:third");
    assert_true(srv_http_read_response(fd, &r));
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "echo:echo:first");
    assert_non_null(strcasestr(r.head, "connection: close"));
    free(r.body);
    assert_true(expect_eof(fd));
    close(fd);
    long spent = cpu_ms_over(500);
    assert_true(spent < 150);
    assert_int_equal(srv_rec_requests() - before, 1);

    /* bodies shorter than a method name: lws hands over only "PO" */
    fd = srv_tcp_connect(f->port);
    send_raw(fd, PIPE_POST(2) "hi" PIPE_POST(2) "ho" "\r\n" PIPE_POST(1) "x");
    assert_true(srv_http_read_response(fd, &r));
    assert_string_equal(r.body, "echo:hi");
    free(r.body);
    assert_true(expect_eof(fd));
    close(fd);
    assert_true(cpu_ms_over(500) < 150);
    assert_int_equal(srv_rec_requests() - before, 2);

    fd = srv_tcp_connect(f->port);
    srv_http_send(fd, f->port, "POST", "/", "after", NULL);
    assert_true(srv_http_read_response(fd, &r));
    assert_string_equal(r.body, "echo:after");
    free(r.body);
    close(fd);
}

/* An answer the server makes itself (GET /health) is written before lws
 * reads the POST behind it from its buffer: the POST is refused there (its
 * "body" would be its own head), the connection closes, nothing spins. */
static void test_post_pipelined_behind_a_get_is_refused_without_spinning(void **state)
{
    struct srv_fixture *f = *state;
    struct srv_http_response r;
    int before = srv_rec_requests();
    int fd = srv_tcp_connect(f->port);
    assert_true(fd >= 0);
    send_raw(fd, "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                 PIPE_POST(10) "echo:first");
    for (int i = 0; i < 2; i++) { /* pipelined GETs are answered, in order */
        assert_true(srv_http_read_response(fd, &r));
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "{\"ok\":true}");
        free(r.body);
    }
    assert_true(expect_eof(fd));
    close(fd);
    assert_true(cpu_ms_over(500) < 150);
    assert_int_equal(srv_rec_requests() - before, 0);
    fd = srv_ws_open(f->port, NULL);
    assert_true(fd >= 0);
    srv_ws_expect_echo(fd, "still serving");
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_connection_cap_refuses_the_101st, srv_setup_default,
                                        srv_teardown),
        cmocka_unit_test_setup_teardown(
            test_on_close_called_once_for_each_conn_that_made_a_request, srv_setup_default,
            srv_teardown),
        cmocka_unit_test_setup_teardown(test_bearer_token_is_visible_to_the_handler,
                                        srv_setup_default, srv_teardown),
        cmocka_unit_test_setup_teardown(test_outbound_limit_drops_only_that_connection,
                                        srv_setup_small_limits, srv_teardown),
        cmocka_unit_test_setup_teardown(test_delete_closes_connections_and_the_loop_finishes,
                                        srv_setup_default, srv_teardown),
        cmocka_unit_test_setup_teardown(
            test_port_in_use_or_bad_address_fails_leaving_the_loop_clean, srv_setup_default,
            srv_teardown),
        cmocka_unit_test(test_ipv6_loopback_is_served),
        cmocka_unit_test_setup_teardown(test_browser_origins_are_checked_against_the_cors_list,
                                        setup_cors_list, srv_teardown),
        cmocka_unit_test_setup_teardown(test_default_cors_allows_localhost_pages_only,
                                        srv_setup_default, srv_teardown),
        cmocka_unit_test(test_malformed_cors_lists_are_refused),
        cmocka_unit_test_setup_teardown(
            test_pipelined_posts_answer_the_first_then_close_without_spinning, srv_setup_default,
            srv_teardown),
        cmocka_unit_test_setup_teardown(test_post_pipelined_behind_a_get_is_refused_without_spinning,
                                        srv_setup_default, srv_teardown),
        cmocka_unit_test_setup_teardown(test_connection_over_the_cap_gets_503_with_a_reason,
                                        setup_cap_2, srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
