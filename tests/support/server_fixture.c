/* server_fixture.c - the rpc server tests' fixture (see server_fixture.h). */
#include "tests/support/server_fixture.h"

#include "node/errors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the test handler --------------------------------------------------- */

struct srv_recorder srv_rec = {.mu = PTHREAD_MUTEX_INITIALIZER};

void srv_note_problem(void)
{
    pthread_mutex_lock(&srv_rec.mu);
    srv_rec.handler_problems++;
    pthread_mutex_unlock(&srv_rec.mu);
}

void srv_send_or_note(struct nm_rpc_conn *conn, const char *text, size_t len)
{
    if (nm_rpc_conn_send(conn, text, len) != 0)
        srv_note_problem();
}

/* "defer": no reply now; "big:N": N bytes of 'x'; "flood:N:M": N messages of
 * M bytes; "bearer": the token; "spin:MS": MS ms of the loop thread, then
 * "spun"; anything else: "echo:" + text. */
static void on_request(void *ctx, struct nm_rpc_conn *conn, const char *text, size_t len)
{
    (void)ctx;
    pthread_mutex_lock(&srv_rec.mu);
    srv_rec.requests++;
    srv_rec.last_was_ws = nm_rpc_conn_is_websocket(conn);
    snprintf(srv_rec.last_text, sizeof srv_rec.last_text, "%.*s", (int)(len < 200 ? len : 200),
             text);
    const char *bearer = nm_rpc_conn_bearer(conn);
    srv_rec.last_had_bearer = bearer != NULL;
    snprintf(srv_rec.last_bearer, sizeof srv_rec.last_bearer, "%s", bearer ? bearer : "");
    snprintf(srv_rec.last_peer, sizeof srv_rec.last_peer, "%s", nm_rpc_conn_peer(conn));
    pthread_mutex_unlock(&srv_rec.mu);
    if (text[len] != '\0')
        srv_note_problem();

    if (len == 5 && !memcmp(text, "defer", 5)) {
        pthread_mutex_lock(&srv_rec.mu);
        srv_rec.deferred = conn;
        pthread_mutex_unlock(&srv_rec.mu);
        return;
    }
    unsigned n = 0, m = 0;
    if (sscanf(text, "big:%u", &n) == 1) {
        char *big = malloc(n);
        if (!big) {
            srv_note_problem();
            return;
        }
        memset(big, 'x', n);
        srv_send_or_note(conn, big, n);
        free(big);
        return;
    }
    if (sscanf(text, "flood:%u:%u", &n, &m) == 2) {
        char *chunk = calloc(1, m);
        if (!chunk) {
            srv_note_problem();
            return;
        }
        for (unsigned i = 0; i < n; i++) {
            int err = nm_rpc_conn_send(conn, chunk, m);
            if (err) {
                pthread_mutex_lock(&srv_rec.mu);
                srv_rec.send_error = err;
                pthread_mutex_unlock(&srv_rec.mu);
                break;
            }
        }
        free(chunk);
        return;
    }
    if (sscanf(text, "spin:%u", &n) == 1) { /* a costly request */
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do
            clock_gettime(CLOCK_MONOTONIC, &t);
        while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < (long)n);
        srv_send_or_note(conn, "spun", 4);
        return;
    }
    if (len == 6 && !memcmp(text, "bearer", 6)) {
        srv_send_or_note(conn, bearer ? bearer : "(none)", strlen(bearer ? bearer : "(none)"));
        return;
    }
    char *echo = malloc(len + 6);
    if (!echo) {
        srv_note_problem();
        return;
    }
    memcpy(echo, "echo:", 5);
    memcpy(echo + 5, text, len);
    srv_send_or_note(conn, echo, len + 5);
    free(echo);
}

static void on_close(void *ctx, struct nm_rpc_conn *conn)
{
    (void)ctx;
    pthread_mutex_lock(&srv_rec.mu);
    srv_rec.closes++;
    if (srv_rec.deferred == conn)
        srv_rec.deferred = NULL;
    pthread_mutex_unlock(&srv_rec.mu);
}

int srv_rec_closes(void)
{
    pthread_mutex_lock(&srv_rec.mu);
    int n = srv_rec.closes;
    pthread_mutex_unlock(&srv_rec.mu);
    return n;
}

int srv_rec_requests(void)
{
    pthread_mutex_lock(&srv_rec.mu);
    int n = srv_rec.requests;
    pthread_mutex_unlock(&srv_rec.mu);
    return n;
}

/* ---- fixture ------------------------------------------------------------ */

void srv_server_new_on_loop(void *arg)
{
    struct srv_fixture *f = arg;
    struct nm_rpc_handler h = {.ctx = NULL, .on_request = on_request, .on_close = on_close};
    f->new_err = nm_rpc_server_new(&f->lt.loop, &f->cfg, &h, &f->srv);
}

void srv_server_delete_on_loop(void *arg)
{
    struct srv_fixture *f = arg;
    nm_rpc_server_delete(f->srv);
    f->srv = NULL;
}

int srv_start(struct srv_fixture *f)
{
    loop_thread_start(&f->lt);
    loop_thread_run(&f->lt, srv_server_new_on_loop, f);
    assert_int_equal(f->new_err, 0);
    f->port = nm_rpc_server_port(f->srv);
    assert_true(f->port > 0);
    return 0;
}

struct srv_fixture *srv_fixture_new(void)
{
    struct srv_fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->cfg.raw_text = true; /* the test handler speaks "echo:...", not JSON */
    pthread_mutex_lock(&srv_rec.mu);
    srv_rec.requests = srv_rec.closes = 0;
    srv_rec.send_error = 0;
    srv_rec.handler_problems = 0;
    srv_rec.deferred = NULL;
    srv_rec.last_text[0] = srv_rec.last_bearer[0] = '\0';
    pthread_mutex_unlock(&srv_rec.mu);
    return f;
}

int srv_setup_default(void **state)
{
    struct srv_fixture *f = srv_fixture_new();
    *state = f;
    return srv_start(f);
}

int srv_setup_small_limits(void **state)
{
    struct srv_fixture *f = srv_fixture_new();
    f->cfg.max_request_bytes = 1024;
    f->cfg.max_outbound_bytes = 64 * 1024;
    *state = f;
    return srv_start(f);
}

int srv_teardown(void **state)
{
    struct srv_fixture *f = *state;
    if (f->srv)
        loop_thread_run(&f->lt, srv_server_delete_on_loop, f);
    loop_thread_stop(&f->lt);
    free(f);
    pthread_mutex_lock(&srv_rec.mu);
    int problems = srv_rec.handler_problems;
    pthread_mutex_unlock(&srv_rec.mu);
    assert_int_equal(problems, 0);
    return 0;
}

struct count_query {
    struct srv_fixture *f;
    int count;
};

static void count_on_loop(void *arg)
{
    struct count_query *q = arg;
    q->count = nm_rpc_server_connection_count(q->f->srv);
}

int srv_connection_count(struct srv_fixture *f)
{
    struct count_query q = {.f = f};
    loop_thread_run(&f->lt, count_on_loop, &q);
    return q.count;
}

void srv_sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- raw sockets (tests/support/ws_raw.h), asserting ------------------- */

int srv_tcp_connect(int port)
{
    int fd = wsr_tcp(port, SRV_IO_TIMEOUT_MS, 0);
    assert_true(fd >= 0);
    return fd;
}

/* Opens a WebSocket (no subprotocol); -1 if the server refused it. */
int srv_ws_open(int port, const char *bearer)
{
    return wsr_open(port, bearer, NULL, SRV_IO_TIMEOUT_MS, 0);
}

void srv_ws_send_frame(int fd, int opcode, bool fin, const void *payload, size_t len)
{
    assert_true(wsr_send_frame(fd, opcode, fin, payload, len));
}

void srv_ws_send_text(int fd, const char *text)
{
    assert_true(wsr_send_text(fd, text));
}

/* The next text message; fails the test on anything else. */
char *srv_ws_recv_text(int fd, size_t *len)
{
    int opcode = -1;
    char *payload = wsr_recv_frame(fd, &opcode, len);
    assert_non_null(payload);
    assert_int_equal(opcode, 1);
    return payload;
}

/* Waits for the server to end the connection: a close frame (its status
 * code is returned) and/or EOF/reset (0). -1 if it stays open. */
int srv_ws_expect_closed(int fd)
{
    for (;;) {
        int opcode = -1;
        size_t len = 0;
        char *payload = wsr_recv_frame(fd, &opcode, &len);
        if (!payload)
            return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : 0;
        if (opcode == 8) {
            int code = len >= 2 ? ((unsigned char)payload[0] << 8) | (unsigned char)payload[1] : 0;
            free(payload);
            return code;
        }
        free(payload);
    }
}

void srv_ws_expect_echo(int fd, const char *text)
{
    char want[256];
    size_t len = 0;
    srv_ws_send_text(fd, text);
    char *got = srv_ws_recv_text(fd, &len);
    snprintf(want, sizeof want, "echo:%s", text);
    assert_string_equal(got, want);
    free(got);
}

bool srv_http_read_response(int fd, struct srv_http_response *r)
{
    memset(r, 0, sizeof *r);
    r->status = wsr_http_read(fd, r->head, sizeof r->head, &r->body, &r->body_len);
    return r->status > 0;
}

void srv_http_send(int fd, int port, const char *method, const char *path, const char *body,
                   const char *extra_headers)
{
    (void)port;
    char headers[1024];
    snprintf(headers, sizeof headers, "Content-Type: application/json\r\n%s",
             extra_headers ? extra_headers : "");
    assert_true(wsr_http_send(fd, method, path, headers, body));
}

bool srv_wait_for(int (*get)(void), int want, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 5) {
        if (get() >= want)
            return true;
        srv_sleep_ms(5);
    }
    return get() >= want;
}
