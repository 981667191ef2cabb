/* Unit tests for rpc/server: WebSocket and HTTP framing, limits, close
 * notifications and shutdown, over real sockets on 127.0.0.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "rpc/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IO_TIMEOUT_MS 3000

/* ---- a uv loop on a background thread, with "run this on the loop" ----- */

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

static void run_on_loop(struct loop_thread *lt, void (*fn)(void *), void *arg)
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

/* ---- the test handler --------------------------------------------------- */

struct recorder {
    pthread_mutex_t mu;
    int requests;
    int closes;
    bool last_was_ws;
    char last_text[256];
    char last_bearer[128];
    bool last_had_bearer;
    char last_peer[64];
    int send_error;
    int handler_problems; /* cmocka asserts only work on the test thread */
    struct nm_rpc_conn *deferred;
};

static struct recorder rec;

static void note_problem(void)
{
    pthread_mutex_lock(&rec.mu);
    rec.handler_problems++;
    pthread_mutex_unlock(&rec.mu);
}

static void send_or_note(struct nm_rpc_conn *conn, const char *text, size_t len)
{
    if (nm_rpc_conn_send(conn, text, len) != 0)
        note_problem();
}

/* "defer": no reply now; "big:N": N bytes of 'x'; "flood:N:M": N messages of
 * M bytes; "bearer": the token; anything else: "echo:" + text. */
static void on_request(void *ctx, struct nm_rpc_conn *conn, const char *text, size_t len)
{
    (void)ctx;
    pthread_mutex_lock(&rec.mu);
    rec.requests++;
    rec.last_was_ws = nm_rpc_conn_is_websocket(conn);
    snprintf(rec.last_text, sizeof rec.last_text, "%.*s", (int)(len < 200 ? len : 200), text);
    const char *bearer = nm_rpc_conn_bearer(conn);
    rec.last_had_bearer = bearer != NULL;
    snprintf(rec.last_bearer, sizeof rec.last_bearer, "%s", bearer ? bearer : "");
    snprintf(rec.last_peer, sizeof rec.last_peer, "%s", nm_rpc_conn_peer(conn));
    pthread_mutex_unlock(&rec.mu);
    if (text[len] != '\0')
        note_problem();

    if (len == 5 && !memcmp(text, "defer", 5)) {
        pthread_mutex_lock(&rec.mu);
        rec.deferred = conn;
        pthread_mutex_unlock(&rec.mu);
        return;
    }
    unsigned n = 0, m = 0;
    if (sscanf(text, "big:%u", &n) == 1) {
        char *big = malloc(n);
        if (!big) {
            note_problem();
            return;
        }
        memset(big, 'x', n);
        send_or_note(conn, big, n);
        free(big);
        return;
    }
    if (sscanf(text, "flood:%u:%u", &n, &m) == 2) {
        char *chunk = calloc(1, m);
        if (!chunk) {
            note_problem();
            return;
        }
        for (unsigned i = 0; i < n; i++) {
            int err = nm_rpc_conn_send(conn, chunk, m);
            if (err) {
                pthread_mutex_lock(&rec.mu);
                rec.send_error = err;
                pthread_mutex_unlock(&rec.mu);
                break;
            }
        }
        free(chunk);
        return;
    }
    if (len == 6 && !memcmp(text, "bearer", 6)) {
        send_or_note(conn, bearer ? bearer : "(none)", strlen(bearer ? bearer : "(none)"));
        return;
    }
    char *echo = malloc(len + 6);
    if (!echo) {
        note_problem();
        return;
    }
    memcpy(echo, "echo:", 5);
    memcpy(echo + 5, text, len);
    send_or_note(conn, echo, len + 5);
    free(echo);
}

static void on_close(void *ctx, struct nm_rpc_conn *conn)
{
    (void)ctx;
    pthread_mutex_lock(&rec.mu);
    rec.closes++;
    if (rec.deferred == conn)
        rec.deferred = NULL;
    pthread_mutex_unlock(&rec.mu);
}

static int rec_closes(void)
{
    pthread_mutex_lock(&rec.mu);
    int n = rec.closes;
    pthread_mutex_unlock(&rec.mu);
    return n;
}

static int rec_requests(void)
{
    pthread_mutex_lock(&rec.mu);
    int n = rec.requests;
    pthread_mutex_unlock(&rec.mu);
    return n;
}

/* ---- fixture ------------------------------------------------------------ */

struct fixture {
    struct loop_thread lt;
    struct nm_rpc_server *srv;
    struct nm_rpc_server_config cfg;
    int port;
    int new_err;
};

static void server_new_on_loop(void *arg)
{
    struct fixture *f = arg;
    struct nm_rpc_handler h = {.ctx = NULL, .on_request = on_request, .on_close = on_close};
    f->new_err = nm_rpc_server_new(&f->lt.loop, &f->cfg, &h, &f->srv);
}

static void server_delete_on_loop(void *arg)
{
    struct fixture *f = arg;
    nm_rpc_server_delete(f->srv);
    f->srv = NULL;
}

static void loop_start(struct loop_thread *lt)
{
    assert_int_equal(uv_loop_init(&lt->loop), 0);
    assert_int_equal(uv_async_init(&lt->loop, &lt->async, loop_async_cb), 0);
    lt->async.data = lt;
    pthread_mutex_init(&lt->mu, NULL);
    pthread_cond_init(&lt->cond, NULL);
    assert_int_equal(pthread_create(&lt->thread, NULL, loop_main, lt), 0);
}

/* The documented shutdown: delete, then the loop runs until it is empty. */
static void loop_stop(struct loop_thread *lt)
{
    run_on_loop(lt, close_async, lt);
    pthread_join(lt->thread, NULL);
    assert_int_equal(uv_loop_close(&lt->loop), 0);
    pthread_cond_destroy(&lt->cond);
    pthread_mutex_destroy(&lt->mu);
}

static int start_server(struct fixture *f)
{
    loop_start(&f->lt);
    run_on_loop(&f->lt, server_new_on_loop, f);
    assert_int_equal(f->new_err, 0);
    f->port = nm_rpc_server_port(f->srv);
    assert_true(f->port > 0);
    return 0;
}

static struct fixture *fixture_new(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->cfg.raw_text = true; /* the test handler speaks "echo:...", not JSON */
    pthread_mutex_lock(&rec.mu);
    rec.requests = rec.closes = 0;
    rec.send_error = 0;
    rec.handler_problems = 0;
    rec.deferred = NULL;
    rec.last_text[0] = rec.last_bearer[0] = '\0';
    pthread_mutex_unlock(&rec.mu);
    return f;
}

static int setup_default(void **state)
{
    struct fixture *f = fixture_new();
    *state = f;
    return start_server(f);
}

static int setup_small_limits(void **state)
{
    struct fixture *f = fixture_new();
    f->cfg.max_request_bytes = 1024;
    f->cfg.max_outbound_bytes = 64 * 1024;
    *state = f;
    return start_server(f);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->srv)
        run_on_loop(&f->lt, server_delete_on_loop, f);
    loop_stop(&f->lt);
    free(f);
    pthread_mutex_lock(&rec.mu);
    int problems = rec.handler_problems;
    pthread_mutex_unlock(&rec.mu);
    assert_int_equal(problems, 0);
    return 0;
}

struct count_query {
    struct fixture *f;
    int count;
};

static void count_on_loop(void *arg)
{
    struct count_query *q = arg;
    q->count = nm_rpc_server_connection_count(q->f->srv);
}

static int connection_count(struct fixture *f)
{
    struct count_query q = {.f = f};
    run_on_loop(&f->lt, count_on_loop, &q);
    return q.count;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- raw sockets -------------------------------------------------------- */

static int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = IO_TIMEOUT_MS / 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static bool send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool recv_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len) {
        ssize_t n = recv(fd, p, len, 0);
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* Reads an HTTP head (up to the blank line) into buf; false on EOF/error. */
static bool recv_head(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        if (recv(fd, buf + n, 1, 0) != 1)
            return false;
        n++;
        buf[n] = '\0';
        if (n >= 4 && !memcmp(buf + n - 4, "\r\n\r\n", 4))
            return true;
    }
    return false;
}

/* Opens a WebSocket (no subprotocol); -1 if the server refused it. */
static int ws_open(int port, const char *bearer)
{
    char req[512], head[2048];
    int fd = tcp_connect(port);
    snprintf(req, sizeof req,
             "GET /anything HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\n%s%s%s\r\n",
             port, bearer ? "Authorization: Bearer " : "", bearer ? bearer : "",
             bearer ? "\r\n" : "");
    if (!send_all(fd, req, strlen(req)) || !recv_head(fd, head, sizeof head) ||
        strncmp(head, "HTTP/1.1 101", 12) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void ws_send_frame(int fd, int opcode, bool fin, const void *payload, size_t len)
{
    unsigned char hdr[14];
    size_t h = 0;
    const unsigned char mask[4] = {0x11, 0x22, 0x33, 0x44};
    hdr[h++] = (unsigned char)((fin ? 0x80 : 0) | opcode);
    if (len < 126) {
        hdr[h++] = (unsigned char)(0x80 | len);
    } else if (len < 65536) {
        hdr[h++] = 0x80 | 126;
        hdr[h++] = (unsigned char)(len >> 8);
        hdr[h++] = (unsigned char)len;
    } else {
        hdr[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--)
            hdr[h++] = (unsigned char)((uint64_t)len >> (8 * i));
    }
    memcpy(hdr + h, mask, 4);
    h += 4;
    unsigned char *masked = malloc(len + 1);
    assert_non_null(masked);
    for (size_t i = 0; i < len; i++)
        masked[i] = ((const unsigned char *)payload)[i] ^ mask[i % 4];
    bool ok = send_all(fd, hdr, h) && send_all(fd, masked, len);
    free(masked);
    assert_true(ok);
}

static void ws_send_text(int fd, const char *text)
{
    ws_send_frame(fd, 1, true, text, strlen(text));
}

/* Reads one frame: returns its payload (malloc'd, NUL-terminated) or NULL on
 * EOF; *opcode and *len are set. */
static char *ws_recv_frame(int fd, int *opcode, size_t *len)
{
    unsigned char h[2], ext[8];
    if (!recv_all(fd, h, 2))
        return NULL;
    *opcode = h[0] & 0x0f;
    uint64_t n = h[1] & 0x7f;
    if (n == 126) {
        if (!recv_all(fd, ext, 2))
            return NULL;
        n = ((uint64_t)ext[0] << 8) | ext[1];
    } else if (n == 127) {
        if (!recv_all(fd, ext, 8))
            return NULL;
        n = 0;
        for (int i = 0; i < 8; i++)
            n = (n << 8) | ext[i];
    }
    char *payload = malloc((size_t)n + 1);
    assert_non_null(payload);
    if (!recv_all(fd, payload, (size_t)n)) {
        free(payload);
        return NULL;
    }
    payload[n] = '\0';
    *len = (size_t)n;
    return payload;
}

/* The next text message; fails the test on anything else. */
static char *ws_recv_text(int fd, size_t *len)
{
    int opcode = -1;
    char *payload = ws_recv_frame(fd, &opcode, len);
    assert_non_null(payload);
    assert_int_equal(opcode, 1);
    return payload;
}

/* Waits for the server to end the connection: a close frame (its status
 * code is returned) and/or EOF/reset (0). -1 if it stays open. */
static int ws_expect_closed(int fd)
{
    for (;;) {
        int opcode = -1;
        size_t len = 0;
        char *payload = ws_recv_frame(fd, &opcode, &len);
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

static void ws_expect_echo(int fd, const char *text)
{
    char want[256];
    size_t len = 0;
    ws_send_text(fd, text);
    char *got = ws_recv_text(fd, &len);
    snprintf(want, sizeof want, "echo:%s", text);
    assert_string_equal(got, want);
    free(got);
}

struct http_response {
    int status;
    char head[2048];
    char *body;
    size_t body_len;
};

static bool http_read_response(int fd, struct http_response *r)
{
    memset(r, 0, sizeof *r);
    if (!recv_head(fd, r->head, sizeof r->head) ||
        sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1)
        return false;
    const char *cl = strcasestr(r->head, "content-length:");
    size_t n = cl ? strtoul(cl + 15, NULL, 10) : 0;
    r->body = malloc(n + 1);
    assert_non_null(r->body);
    if (!recv_all(fd, r->body, n))
        return false;
    r->body[n] = '\0';
    r->body_len = n;
    return true;
}

static void http_send(int fd, int port, const char *method, const char *path, const char *body,
                      const char *extra_headers)
{
    char head[1024];
    snprintf(head, sizeof head,
             "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\n%s\r\n",
             method, path, port, body ? strlen(body) : (size_t)0,
             extra_headers ? extra_headers : "");
    assert_true(send_all(fd, head, strlen(head)));
    if (body)
        assert_true(send_all(fd, body, strlen(body)));
}

static bool wait_for(int (*get)(void), int want, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 5) {
        if (get() >= want)
            return true;
        sleep_ms(5);
    }
    return get() >= want;
}

/* ---- tests -------------------------------------------------------------- */

static void test_websocket_request_gets_one_text_reply(void **state)
{
    struct fixture *f = *state;
    int fd = ws_open(f->port, NULL);
    assert_true(fd >= 0);
    ws_expect_echo(fd, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}");
    ws_expect_echo(fd, "second");
    pthread_mutex_lock(&rec.mu);
    assert_true(rec.last_was_ws);
    assert_string_equal(rec.last_peer, "127.0.0.1");
    pthread_mutex_unlock(&rec.mu);
    close(fd);
}

static void test_websocket_fragmented_message_is_reassembled(void **state)
{
    struct fixture *f = *state;
    int fd = ws_open(f->port, NULL);
    size_t len = 0;
    assert_true(fd >= 0);
    ws_send_frame(fd, 1, false, "hel", 3);
    ws_send_frame(fd, 0, false, "lo ", 3);
    ws_send_frame(fd, 0, true, "world", 5);
    char *got = ws_recv_text(fd, &len);
    assert_string_equal(got, "echo:hello world");
    free(got);
    assert_int_equal(rec_requests(), 1);
    close(fd);
}

static void test_websocket_large_reply_arrives_whole(void **state)
{
    struct fixture *f = *state;
    int fd = ws_open(f->port, NULL);
    size_t len = 0;
    assert_true(fd >= 0);
    ws_send_text(fd, "big:3000000");
    char *got = ws_recv_text(fd, &len);
    assert_int_equal(len, 3000000);
    assert_true(got[0] == 'x' && got[len - 1] == 'x');
    free(got);
    ws_expect_echo(fd, "after");
    close(fd);
}

static void test_http_post_gets_json_reply_and_ends_exchange(void **state)
{
    struct fixture *f = *state;
    struct http_response r;
    int fd = tcp_connect(f->port);
    http_send(fd, f->port, "POST", "/", "{\"id\":1}", NULL);
    assert_true(http_read_response(fd, &r));
    assert_int_equal(r.status, 200);
    assert_non_null(strcasestr(r.head, "content-type: application/json"));
    assert_string_equal(r.body, "echo:{\"id\":1}");
    free(r.body);
    assert_true(wait_for(rec_closes, 1, 1000)); /* the exchange is over */
    pthread_mutex_lock(&rec.mu);
    assert_false(rec.last_was_ws);
    pthread_mutex_unlock(&rec.mu);
    close(fd);
}

static void test_http_keepalive_carries_two_exchanges(void **state)
{
    struct fixture *f = *state;
    struct http_response r;
    int fd = tcp_connect(f->port);
    http_send(fd, f->port, "POST", "/rpc", "one", NULL);
    assert_true(http_read_response(fd, &r));
    assert_string_equal(r.body, "echo:one");
    free(r.body);
    http_send(fd, f->port, "POST", "/rpc", "two", NULL);
    assert_true(http_read_response(fd, &r));
    assert_string_equal(r.body, "echo:two");
    free(r.body);
    assert_true(wait_for(rec_closes, 2, 1000));
    close(fd);
}

static void test_http_health_answers_and_get_is_refused(void **state)
{
    struct fixture *f = *state;
    struct http_response r;
    int fd = tcp_connect(f->port);
    http_send(fd, f->port, "GET", "/health", NULL, NULL);
    assert_true(http_read_response(fd, &r));
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"ok\":true}");
    free(r.body);
    http_send(fd, f->port, "GET", "/", NULL, NULL);
    assert_true(http_read_response(fd, &r));
    assert_int_equal(r.status, 405);
    assert_non_null(strstr(r.body, "\"error\""));
    free(r.body);
    http_send(fd, f->port, "OPTIONS", "/", NULL, NULL); /* a CORS preflight */
    assert_true(http_read_response(fd, &r));
    assert_int_equal(r.status, 204);
    free(r.body);
    http_send(fd, f->port, "HEAD", "/", NULL, NULL);
    assert_true(http_read_response(fd, &r));
    assert_int_equal(r.status, 405);
    assert_int_equal(r.body_len, 0);
    free(r.body);
    /* the connection is still in step: a POST after all that works */
    http_send(fd, f->port, "POST", "/", "ok?", NULL);
    assert_true(http_read_response(fd, &r));
    assert_string_equal(r.body, "echo:ok?");
    free(r.body);
    close(fd);
    assert_int_equal(rec_requests(), 1);
}

static void send_deferred_on_loop(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&rec.mu);
    struct nm_rpc_conn *conn = rec.deferred;
    pthread_mutex_unlock(&rec.mu);
    if (conn)
        send_or_note(conn, "later", 5);
    else
        note_problem();
}

static void test_deferred_reply_sent_from_outside_a_callback(void **state)
{
    struct fixture *f = *state;
    struct http_response r;
    size_t len = 0;

    int ws = ws_open(f->port, NULL);
    assert_true(ws >= 0);
    ws_send_text(ws, "defer");
    assert_true(wait_for(rec_requests, 1, 1000));
    run_on_loop(&f->lt, send_deferred_on_loop, NULL);
    char *got = ws_recv_text(ws, &len);
    assert_string_equal(got, "later");
    free(got);

    int fd = tcp_connect(f->port);
    http_send(fd, f->port, "POST", "/", "defer", NULL);
    assert_true(wait_for(rec_requests, 2, 1000));
    run_on_loop(&f->lt, send_deferred_on_loop, NULL);
    assert_true(http_read_response(fd, &r));
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "later");
    free(r.body);
    close(fd);
    close(ws);
}

struct stats_query {
    struct fixture *f;
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
    char *got = ws_recv_text(fd, &len);
    assert_non_null(strstr(got, "\"code\":-32006"));
    assert_non_null(strstr(got, "request too large: the limit is 1024 bytes"));
    free(got);
}

static void test_oversize_websocket_message_is_refused_and_the_connection_stays(void **state)
{
    struct fixture *f = *state;
    int good = ws_open(f->port, NULL);
    int bad = ws_open(f->port, NULL);
    assert_true(good >= 0 && bad >= 0);

    char big[20000];
    memset(big, 'a', sizeof big);
    ws_send_frame(bad, 1, true, big, sizeof big);
    expect_too_large(bad);
    ws_expect_echo(bad, "after a big one");

    /* fragments that only add up to too much are refused the same way */
    ws_send_frame(bad, 1, false, big, 600);
    ws_send_frame(bad, 0, true, big, 600);
    expect_too_large(bad);
    ws_expect_echo(bad, "after big fragments");
    close(bad);

    ws_expect_echo(good, "still here");
    assert_int_equal(rec_requests(), 3);
    struct stats_query q = {.f = f};
    run_on_loop(&f->lt, stats_on_loop, &q);
    assert_int_equal(q.st.too_large, 2);
    close(good);
}

static void test_oversize_http_post_gets_413(void **state)
{
    struct fixture *f = *state;
    struct http_response r;
    char head[256];
    int fd = tcp_connect(f->port);
    /* announce a body above the limit; the server must answer before it */
    snprintf(head, sizeof head,
             "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n");
    assert_true(send_all(fd, head, strlen(head)));
    assert_true(http_read_response(fd, &r));
    assert_int_equal(r.status, 413);
    free(r.body);
    close(fd);

    fd = tcp_connect(f->port);
    http_send(fd, f->port, "POST", "/", "small", NULL);
    assert_true(http_read_response(fd, &r));
    assert_string_equal(r.body, "echo:small");
    free(r.body);
    close(fd);
}

static void test_connection_cap_refuses_the_101st(void **state)
{
    struct fixture *f = *state;
    int fds[100];
    for (int i = 0; i < 100; i++) {
        fds[i] = ws_open(f->port, NULL);
        assert_true(fds[i] >= 0);
    }
    assert_int_equal(connection_count(f), 100);
    assert_int_equal(ws_open(f->port, NULL), -1);
    ws_expect_echo(fds[99], "members still served");

    close(fds[0]);
    for (int waited = 0; connection_count(f) > 99 && waited < 2000; waited += 5)
        sleep_ms(5);
    fds[0] = ws_open(f->port, NULL);
    assert_true(fds[0] >= 0);
    ws_expect_echo(fds[0], "a freed slot is usable");
    for (int i = 0; i < 100; i++)
        close(fds[i]);
}

static void test_on_close_called_once_for_each_conn_that_made_a_request(void **state)
{
    struct fixture *f = *state;
    int silent = ws_open(f->port, NULL);
    int talker = ws_open(f->port, NULL);
    assert_true(silent >= 0 && talker >= 0);
    ws_expect_echo(talker, "hi");
    ws_expect_echo(talker, "again");
    close(talker);
    close(silent);
    assert_true(wait_for(rec_closes, 1, 2000));
    for (int waited = 0; connection_count(f) > 0 && waited < 2000; waited += 5)
        sleep_ms(5);
    assert_int_equal(connection_count(f), 0);
    assert_int_equal(rec_closes(), 1);
}

static void test_bearer_token_is_visible_to_the_handler(void **state)
{
    struct fixture *f = *state;
    struct http_response r;
    size_t len = 0;

    int fd = ws_open(f->port, "s3cret-token");
    assert_true(fd >= 0);
    ws_send_text(fd, "bearer");
    char *got = ws_recv_text(fd, &len);
    assert_string_equal(got, "s3cret-token");
    free(got);
    close(fd);

    fd = ws_open(f->port, NULL);
    assert_true(fd >= 0);
    ws_send_text(fd, "bearer");
    got = ws_recv_text(fd, &len);
    assert_string_equal(got, "(none)");
    free(got);
    close(fd);

    fd = tcp_connect(f->port);
    http_send(fd, f->port, "POST", "/", "bearer", "Authorization: Bearer http-token\r\n");
    assert_true(http_read_response(fd, &r));
    assert_string_equal(r.body, "http-token");
    free(r.body);
    /* the next request on the same connection has its own headers */
    http_send(fd, f->port, "POST", "/", "bearer", "Authorization: Basic abc\r\n");
    assert_true(http_read_response(fd, &r));
    assert_string_equal(r.body, "(none)");
    free(r.body);
    close(fd);
}

static void test_outbound_limit_drops_only_that_connection(void **state)
{
    struct fixture *f = *state;
    int good = ws_open(f->port, NULL);
    int flooded = ws_open(f->port, NULL);
    assert_true(good >= 0 && flooded >= 0);
    /* 100 x 4 KiB queued at once, limit 64 KiB */
    ws_send_text(flooded, "flood:100:4096");
    int code = ws_expect_closed(flooded);
    assert_true(code == 1008 || code == 0);
    close(flooded);
    assert_true(wait_for(rec_closes, 1, 3000));
    pthread_mutex_lock(&rec.mu);
    assert_int_equal(rec.send_error, NM_E_TOO_BIG);
    pthread_mutex_unlock(&rec.mu);
    ws_expect_echo(good, "unaffected");
    close(good);
}

static void test_delete_closes_connections_and_the_loop_finishes(void **state)
{
    struct fixture *f = *state;
    int fd = ws_open(f->port, NULL);
    assert_true(fd >= 0);
    ws_expect_echo(fd, "before delete");
    run_on_loop(&f->lt, server_delete_on_loop, f);
    assert_int_equal(rec_closes(), 1); /* on_close ran inside delete */
    assert_true(ws_expect_closed(fd) >= 0);
    close(fd);
    /* teardown then checks that uv_run returns and uv_loop_close succeeds */
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
    struct fixture *f = fixture_new();
    f->cfg.bind_address = bind_address;
    f->cfg.port = port;
    loop_start(&f->lt);
    run_on_loop(&f->lt, server_new_on_loop, f);
    assert_int_equal(f->new_err, want);
    assert_null(f->srv);
    /* nothing is left on the loop: a caller may close its loop at once */
    struct handle_count hc = {.lt = &f->lt};
    run_on_loop(&f->lt, count_handles_on_loop, &hc);
    assert_int_equal(hc.others, 0);
    loop_stop(&f->lt);
    free(f);
}

static void test_port_in_use_or_bad_address_fails_leaving_the_loop_clean(void **state)
{
    struct fixture *f = *state;
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

    struct fixture *f = fixture_new();
    f->cfg.bind_address = "::1";
    start_server(f);
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    sa6.sin6_port = htons((uint16_t)f->port);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa6, sizeof sa6), 0);
    struct timeval tv = {.tv_sec = IO_TIMEOUT_MS / 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct http_response r;
    http_send(fd, f->port, "POST", "/", "v6", NULL);
    assert_true(http_read_response(fd, &r));
    assert_string_equal(r.body, "echo:v6");
    free(r.body);
    close(fd);
    pthread_mutex_lock(&rec.mu);
    assert_string_equal(rec.last_peer, "::1");
    pthread_mutex_unlock(&rec.mu);
    void *st = f;
    teardown(&st);
}

static int setup_cors_list(void **state)
{
    struct fixture *f = fixture_new();
    f->cfg.cors = "https://app.example.org, http://10.0.0.5:*";
    *state = f;
    return start_server(f);
}

static int setup_cap_2(void **state)
{
    struct fixture *f = fixture_new();
    f->cfg.max_connections = 2;
    *state = f;
    return start_server(f);
}

/* Opens a WebSocket with an Origin header; returns the fd, or -1 and the
 * refusal's status and body. */
static int ws_open_origin(int port, const char *origin, struct http_response *refusal)
{
    char req[512];
    int fd = tcp_connect(port);
    snprintf(req, sizeof req,
             "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\nOrigin: %s\r\n\r\n",
             port, origin);
    assert_true(send_all(fd, req, strlen(req)));
    assert_true(http_read_response(fd, refusal));
    if (refusal->status == 101) {
        free(refusal->body);
        return fd;
    }
    close(fd);
    return -1;
}

static void test_browser_origins_are_checked_against_the_cors_list(void **state)
{
    struct fixture *f = *state;
    struct http_response r;
    int fd = ws_open_origin(f->port, "https://evil.example.com", &r);
    assert_int_equal(fd, -1);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "-32009"));
    free(r.body);
    fd = ws_open_origin(f->port, "https://app.example.org", &r);
    assert_true(fd >= 0);
    ws_expect_echo(fd, "allowed");
    close(fd);
    fd = ws_open_origin(f->port, "http://10.0.0.5:8080", &r);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(ws_open_origin(f->port, "http://10.0.0.5:80x", &r), -1);
    free(r.body);
    assert_int_equal(ws_open_origin(f->port, "http://10.0.0.50", &r), -1);
    free(r.body);

    /* HTTP: refused with 403, or served with Access-Control-Allow-Origin */
    fd = tcp_connect(f->port);
    http_send(fd, f->port, "POST", "/", "x", "Origin: http://localhost:3000\r\n");
    assert_true(http_read_response(fd, &r));
    assert_int_equal(r.status, 403);
    free(r.body);
    close(fd);
    fd = tcp_connect(f->port);
    http_send(fd, f->port, "POST", "/", "x", "Origin: https://app.example.org\r\n");
    assert_true(http_read_response(fd, &r));
    assert_int_equal(r.status, 200);
    assert_non_null(strcasestr(r.head, "access-control-allow-origin: https://app.example.org"));
    free(r.body);
    http_send(fd, f->port, "OPTIONS", "/", NULL, "Origin: https://app.example.org\r\n");
    assert_true(http_read_response(fd, &r));
    assert_int_equal(r.status, 204);
    assert_non_null(strcasestr(r.head, "access-control-allow-headers:"));
    free(r.body);
    close(fd);
    /* no Origin: not a browser, always served */
    fd = ws_open(f->port, NULL);
    assert_true(fd >= 0);
    close(fd);
}

static void test_default_cors_allows_localhost_pages_only(void **state)
{
    struct fixture *f = *state;
    struct http_response r;
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
    struct fixture *f = *state;
    struct http_response r;
    int a = ws_open(f->port, NULL), b = ws_open(f->port, NULL);
    assert_true(a >= 0 && b >= 0);
    int fd = tcp_connect(f->port);
    http_send(fd, f->port, "POST", "/", "x", NULL);
    assert_true(http_read_response(fd, &r));
    assert_int_equal(r.status, 503);
    assert_non_null(strstr(r.body, "\"code\":-32008"));
    assert_non_null(strstr(r.body, "at most 2"));
    free(r.body);
    close(fd);
    assert_int_equal(ws_open_origin(f->port, "http://localhost", &r), -1);
    assert_int_equal(r.status, 503);
    free(r.body);
    ws_expect_echo(a, "members still served");
    assert_int_equal(connection_count(f), 2);
    close(a);
    close(b);
}

int main(void)
{
    pthread_mutex_init(&rec.mu, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_websocket_request_gets_one_text_reply,
                                        setup_default, teardown),
        cmocka_unit_test_setup_teardown(test_websocket_fragmented_message_is_reassembled,
                                        setup_default, teardown),
        cmocka_unit_test_setup_teardown(test_websocket_large_reply_arrives_whole,
                                        setup_default, teardown),
        cmocka_unit_test_setup_teardown(test_http_post_gets_json_reply_and_ends_exchange,
                                        setup_default, teardown),
        cmocka_unit_test_setup_teardown(test_http_keepalive_carries_two_exchanges,
                                        setup_default, teardown),
        cmocka_unit_test_setup_teardown(test_http_health_answers_and_get_is_refused,
                                        setup_default, teardown),
        cmocka_unit_test_setup_teardown(test_deferred_reply_sent_from_outside_a_callback,
                                        setup_default, teardown),
        cmocka_unit_test_setup_teardown(
            test_oversize_websocket_message_is_refused_and_the_connection_stays,
            setup_small_limits,
            teardown),
        cmocka_unit_test_setup_teardown(test_oversize_http_post_gets_413, setup_small_limits,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_connection_cap_refuses_the_101st, setup_default,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_on_close_called_once_for_each_conn_that_made_a_request, setup_default,
            teardown),
        cmocka_unit_test_setup_teardown(test_bearer_token_is_visible_to_the_handler,
                                        setup_default, teardown),
        cmocka_unit_test_setup_teardown(test_outbound_limit_drops_only_that_connection,
                                        setup_small_limits, teardown),
        cmocka_unit_test_setup_teardown(test_delete_closes_connections_and_the_loop_finishes,
                                        setup_default, teardown),
        cmocka_unit_test_setup_teardown(
            test_port_in_use_or_bad_address_fails_leaving_the_loop_clean, setup_default,
            teardown),
        cmocka_unit_test(test_ipv6_loopback_is_served),
        cmocka_unit_test_setup_teardown(test_browser_origins_are_checked_against_the_cors_list,
                                        setup_cors_list, teardown),
        cmocka_unit_test_setup_teardown(test_default_cors_allows_localhost_pages_only,
                                        setup_default, teardown),
        cmocka_unit_test(test_malformed_cors_lists_are_refused),
        cmocka_unit_test_setup_teardown(test_connection_over_the_cap_gets_503_with_a_reason,
                                        setup_cap_2, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    pthread_mutex_destroy(&rec.mu);
    return failed;
}
