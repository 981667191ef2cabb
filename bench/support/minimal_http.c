/* minimal_http.c - bench_aggregator's reference server (see minimal_http.h):
 * a minimal libwebsockets HTTP/1.1 server as an lws user would write it, on
 * lws's poll loop or a libuv loop, on a thread or in a process of its own. */
#include "bench/support/minimal_http.h"

#include "bench/support/bench_util.h"

#include <ctype.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

/* A minimal libwebsockets HTTP server answering every POST with the same
 * bytes as the aggregator's cache hit: its body and, beside the status,
 * content type and length lws writes, its other headers (plain_hdr). */
static char *plain_body;
static struct {
    char name[40], value[128];
} plain_hdr[16];
static int plain_nhdr;

static int plain_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        lws_callback_on_writable(wsi);
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE: {
        size_t blen = strlen(plain_body);
        unsigned char buf[LWS_PRE + 8192], *start = buf + LWS_PRE, *p = start,
                                           *end = buf + sizeof buf;
        if (lws_add_http_common_headers(wsi, 200, "application/json", blen, &p, end))
            return -1;
        for (int i = 0; i < plain_nhdr; i++)
            if (lws_add_http_header_by_name(wsi, (const unsigned char *)plain_hdr[i].name,
                                            (const unsigned char *)plain_hdr[i].value,
                                            (int)strlen(plain_hdr[i].value), &p, end))
                return -1;
        if (lws_finalize_http_header(wsi, &p, end))
            return -1;
        memcpy(p, plain_body, blen);
        p += blen;
        if (lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_FINAL) != p - start)
            return -1;
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

/* The minimal server's answer from the aggregator's: its body, and its
 * headers but the status line, content type and length; false if none. */
bool minimal_http_set_answer(const char *answer)
{
    const char *end = strstr(answer, "\r\n\r\n"), *line = strstr(answer, "\r\n");
    if (!end || !line || !(plain_body = strdup(end + 4)))
        return false;
    for (line += 2; line < end && plain_nhdr < 16; line = strstr(line, "\r\n") + 2) {
        const char *colon = memchr(line, ':', (size_t)(end - line));
        const char *eol = strstr(line, "\r\n");
        if (!colon || colon > eol)
            continue;
        size_t nlen = (size_t)(colon - line), vlen;
        const char *v = colon + 1;
        while (*v == ' ')
            v++;
        vlen = (size_t)(eol - v);
        if (nlen + 2 > sizeof plain_hdr[0].name || vlen + 1 > sizeof plain_hdr[0].value ||
            !strncasecmp(line, "content-type:", 13) || !strncasecmp(line, "content-length:", 15))
            continue;
        for (size_t i = 0; i < nlen; i++)
            plain_hdr[plain_nhdr].name[i] = (char)tolower((unsigned char)line[i]);
        memcpy(plain_hdr[plain_nhdr].name + nlen, ":", 2);
        memcpy(plain_hdr[plain_nhdr].value, v, vlen);
        plain_hdr[plain_nhdr].value[vlen] = 0;
        plain_nhdr++;
    }
    return true;
}

struct minimal_http {
    struct lws_context *ctx;
    bool on_libuv;
    uv_loop_t loop;
    uv_async_t stop;
    pthread_t thread;
    volatile int stopping;
    int64_t cpu_us; /* the server thread's CPU time, its whole run */
};

static void *plain_thread(void *arg)
{
    struct minimal_http *m = arg;
    double t0 = bench_thread_cpu_s();
    while (!m->stopping)
        lws_service(m->ctx, 0);
    m->cpu_us = (int64_t)((bench_thread_cpu_s() - t0) * 1e6);
    return NULL;
}

/* The libuv variant runs on a loop of its own, as the aggregator does
 * (foreign loop); lws_service on libuv may not return, so it is stopped
 * through a uv_async_t. */
static void plain_uv_stop(uv_async_t *a)
{
    uv_stop(a->loop);
}

static void *plain_uv_thread(void *arg)
{
    struct minimal_http *m = arg;
    double t0 = bench_thread_cpu_s();
    uv_run(&m->loop, UV_RUN_DEFAULT);
    m->cpu_us = (int64_t)((bench_thread_cpu_s() - t0) * 1e6);
    return NULL;
}

static void plain_close_cb(uv_handle_t *h)
{
    (void)h;
}

/* The minimal server's context on lws's poll loop, or on the libuv loop
 * given (foreign loop, as the aggregator runs); its port in *port. */
static struct lws_context *plain_context(uv_loop_t *loop, int *port)
{
    static const struct lws_protocols protocols[] = {
        {.name = "http", .callback = plain_cb}, {0}};
    struct lws_context_creation_info info;
    void *foreign[1] = {loop};
    memset(&info, 0, sizeof info);
    info.port = 0;
    info.iface = "127.0.0.1";
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    if (loop) {
        info.options |= LWS_SERVER_OPTION_LIBUV;
        info.foreign_loops = foreign;
    }
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context *ctx = lws_create_context(&info);
    struct lws_vhost *vh = ctx ? lws_get_vhost_by_name(ctx, "default") : NULL;
    *port = vh ? lws_get_vhost_listen_port(vh) : -1;
    return ctx;
}

int minimal_http_start(struct minimal_http **out, bool on_libuv)
{
    struct minimal_http *m = calloc(1, sizeof *m);
    int port = -1;
    *out = m;
    if (!m)
        return -1;
    m->on_libuv = on_libuv;
    if (on_libuv) {
        uv_loop_init(&m->loop);
        uv_async_init(&m->loop, &m->stop, plain_uv_stop);
    }
    m->ctx = plain_context(on_libuv ? &m->loop : NULL, &port);
    if (port > 0 && pthread_create(&m->thread, NULL, on_libuv ? plain_uv_thread : plain_thread, m))
        port = -1;
    if (port <= 0)
        m->stopping = -1; /* no thread to join */
    return port;
}

int64_t minimal_http_stop(struct minimal_http *m)
{
    if (!m)
        return 0;
    if (m->stopping == 0) {
        m->stopping = 1;
        if (m->on_libuv)
            uv_async_send(&m->stop);
        else
            lws_cancel_service(m->ctx);
        pthread_join(m->thread, NULL);
    }
    if (m->ctx)
        lws_context_destroy(m->ctx);
    if (m->on_libuv) { /* as api/server.c: the loop closes lws's handles, then destroy again */
        uv_close((uv_handle_t *)&m->stop, plain_close_cb);
        for (int i = 0; i < 200 && uv_run(&m->loop, UV_RUN_NOWAIT); i++)
            ;
        if (m->ctx)
            lws_context_destroy(m->ctx);
        uv_run(&m->loop, UV_RUN_DEFAULT);
        uv_loop_close(&m->loop);
    }
    int64_t cpu = m->cpu_us;
    free(m);
    return cpu;
}

/* The process variant (minimal_proc_start). */
static int minimal_read_full(int fd, void *buf, size_t len)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

static volatile sig_atomic_t child_stop;
static void child_on_term(int sig)
{
    (void)sig;
    child_stop = 1;
}

static void child_uv_term(uv_signal_t *h, int sig)
{
    (void)sig;
    uv_stop(h->loop);
}

static void minimal_child(bool on_libuv, int in, int out)
{
    static char answer[65536];
    size_t len = 0;
    uv_loop_t loop;
    uv_signal_t term;
    signal(SIGTERM, child_on_term);
    if (minimal_read_full(in, &len, sizeof len) || len >= sizeof answer || minimal_read_full(in, answer, len))
        _exit(0); /* the bench ended first */
    answer[len] = 0;
    if (on_libuv) {
        uv_loop_init(&loop);
        uv_signal_init(&loop, &term);
        uv_signal_start(&term, child_uv_term, SIGTERM);
    }
    int port = -1;
    struct lws_context *ctx = minimal_http_set_answer(answer) ? plain_context(on_libuv ? &loop : NULL, &port)
                                                        : NULL;
    if (write(out, &port, sizeof port) != sizeof port || !ctx)
        _exit(1);
    if (on_libuv)
        uv_run(&loop, UV_RUN_DEFAULT);
    else
        while (!child_stop)
            lws_service(ctx, 50);
    _exit(0);
}

void minimal_proc_start(struct minimal_proc *m, bool on_libuv)
{
    int a[2], b[2];
    m->pid = -1;
    if (pipe(a) || pipe(b))
        return;
    m->pid = fork();
    if (m->pid == 0) {
        close(a[1]);
        close(b[0]);
        minimal_child(on_libuv, a[0], b[1]);
    }
    close(a[0]);
    close(b[1]);
    m->to = a[1];
    m->from = b[0];
}

int minimal_proc_serve(struct minimal_proc *m, const char *answer, size_t len)
{
    int port = -1;
    if (m->pid <= 0 || write(m->to, &len, sizeof len) != sizeof len ||
        write(m->to, answer, len) != (ssize_t)len ||
        minimal_read_full(m->from, &port, sizeof port))
        return -1;
    return port;
}

void minimal_proc_stop(struct minimal_proc *m)
{
    if (m->pid <= 0)
        return;
    kill(m->pid, SIGTERM);
    waitpid(m->pid, NULL, 0);
    close(m->to);
    close(m->from);
    m->pid = -1;
}

