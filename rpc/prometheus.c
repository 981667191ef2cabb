/* prometheus.c - text exposition helpers and a tiny GET /metrics responder
 * on libuv (see prometheus.h). */
#include "rpc/prometheus.h"

#include "node/errors.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define MAX_CLIENTS 16
#define REQUEST_MAX 8192
#define CLIENT_TIMEOUT_MS 10000

/* ---- text --------------------------------------------------------------- */

void nm_prom_text_fini(struct nm_prom_text *t)
{
    free(t->buf);
    memset(t, 0, sizeof *t);
}

void nm_prom_printf(struct nm_prom_text *t, const char *fmt, ...)
{
    if (t->oom)
        return;
    for (;;) {
        va_list ap;
        size_t room = t->cap - t->len;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf ? t->buf + t->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->oom = true;
            return;
        }
        if ((size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap : 4096;
        while (cap - t->len <= (size_t)n)
            cap *= 2;
        char *buf = realloc(t->buf, cap);
        if (!buf) {
            if (t->buf)
                t->buf[t->len] = '\0';
            t->oom = true;
            return;
        }
        t->buf = buf;
        t->cap = cap;
    }
}

void nm_prom_family(struct nm_prom_text *t, const char *name, const char *type, const char *help)
{
    nm_prom_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void nm_prom_sample(struct nm_prom_text *t, const char *name, const char *labels, double value)
{
    if (labels)
        nm_prom_printf(t, "%s{%s} %.17g\n", name, labels, value);
    else
        nm_prom_printf(t, "%s %.17g\n", name, value);
}

static double resident_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return (double)resident * (double)sysconf(_SC_PAGESIZE);
}

void nm_prom_process(struct nm_prom_text *t)
{
    struct rusage ru;
    double cpu = 0;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
              (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    nm_prom_family(t, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    nm_prom_sample(t, "process_resident_memory_bytes", NULL, resident_bytes());
    nm_prom_family(t, "process_cpu_seconds_total", "counter",
                   "Total user and system CPU time spent in seconds.");
    nm_prom_sample(t, "process_cpu_seconds_total", NULL, cpu);
}

void nm_prom_filesystem(struct nm_prom_text *t, const char *path)
{
    struct statvfs fs;
    if (!path || statvfs(path, &fs) != 0)
        return;
    nm_prom_family(t, "neuromesh_data_filesystem_avail_bytes", "gauge",
                   "Bytes free to the node on the filesystem of its database.");
    nm_prom_sample(t, "neuromesh_data_filesystem_avail_bytes", NULL,
                   (double)fs.f_bavail * (double)fs.f_frsize);
    nm_prom_family(t, "neuromesh_data_filesystem_size_bytes", "gauge",
                   "Size in bytes of the filesystem of the node's database.");
    nm_prom_sample(t, "neuromesh_data_filesystem_size_bytes", NULL,
                   (double)fs.f_blocks * (double)fs.f_frsize);
}

/* ---- server ------------------------------------------------------------- */

struct client {
    uv_tcp_t tcp; /* first: the handle's address is the client's */
    uv_timer_t timer;
    uv_write_t write;
    struct nm_prom_server *srv;
    struct client *prev, *next;
    char req[REQUEST_MAX];
    size_t req_len;
    char *reply;
    int handles_open;
    bool closing;
};

struct nm_prom_server {
    uv_tcp_t listener;
    uv_loop_t *loop;
    nm_prom_render_fn render;
    void *ud;
    struct client *clients;
    int nclients;
    int port;
    bool deleting;
};

static void client_handle_closed(uv_handle_t *h)
{
    struct client *c = h->data;
    if (--c->handles_open > 0)
        return;
    free(c->reply);
    free(c);
}

static void client_close(struct client *c)
{
    if (c->closing)
        return;
    c->closing = true;
    struct nm_prom_server *s = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nclients--;
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, client_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, client_handle_closed);
}

static void on_written(uv_write_t *w, int status)
{
    (void)status;
    client_close(w->data);
}

static void respond(struct client *c, const char *status, const char *type, const char *body,
                    size_t body_len)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     status, type, body_len);
    c->reply = malloc((size_t)n + body_len);
    if (!c->reply) {
        client_close(c);
        return;
    }
    memcpy(c->reply, head, (size_t)n);
    memcpy(c->reply + n, body, body_len);
    uv_buf_t buf = uv_buf_init(c->reply, (unsigned)((size_t)n + body_len));
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->write.data = c;
    if (uv_write(&c->write, (uv_stream_t *)&c->tcp, &buf, 1, on_written))
        client_close(c);
}

static void respond_text(struct client *c, const char *status, const char *text)
{
    respond(c, status, "text/plain; charset=utf-8", text, strlen(text));
}

/* The request head is complete: answer it. */
static void handle_request(struct client *c)
{
    static const char get_metrics[] = "GET /metrics ";
    static const char get_metrics_q[] = "GET /metrics?";
    if (!strncmp(c->req, get_metrics, sizeof get_metrics - 1) ||
        !strncmp(c->req, get_metrics_q, sizeof get_metrics_q - 1)) {
        struct nm_prom_text t = {0};
        c->srv->render(c->srv->ud, &t);
        if (t.oom) {
            nm_prom_text_fini(&t);
            respond_text(c, "500 Internal Server Error", "out of memory\n");
            return;
        }
        respond(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", t.buf ? t.buf : "",
                t.len);
        nm_prom_text_fini(&t);
    } else if (!strncmp(c->req, "GET ", 4) || !strncmp(c->req, "HEAD ", 5)) {
        respond_text(c, "404 Not Found", "not found: metrics are at /metrics\n");
    } else {
        respond_text(c, "405 Method Not Allowed", "use GET /metrics\n");
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct client *c = h->data;
    size_t room = sizeof c->req - 1 - c->req_len;
    *buf = uv_buf_init(c->req + c->req_len, (unsigned)room);
}

static void on_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    struct client *c = stream->data;
    if (n < 0) {
        client_close(c);
        return;
    }
    c->req_len += (size_t)n;
    c->req[c->req_len] = '\0';
    if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n")) {
        handle_request(c);
    } else if (c->req_len >= sizeof c->req - 1) {
        respond_text(c, "431 Request Header Fields Too Large", "request too large\n");
    }
}

static void on_timeout(uv_timer_t *t)
{
    client_close(t->data);
}

static void on_connection(uv_stream_t *listener, int status)
{
    struct nm_prom_server *s = listener->data;
    if (status < 0 || s->deleting)
        return;
    struct client *c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->srv = s;
    uv_tcp_init(s->loop, &c->tcp);
    c->tcp.data = c;
    c->handles_open = 1;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) || s->nclients >= MAX_CLIENTS) {
        uv_close((uv_handle_t *)&c->tcp, client_handle_closed);
        return;
    }
    uv_timer_init(s->loop, &c->timer);
    c->timer.data = c;
    c->handles_open = 2;
    c->next = s->clients;
    if (s->clients)
        s->clients->prev = c;
    s->clients = c;
    s->nclients++;
    uv_timer_start(&c->timer, on_timeout, CLIENT_TIMEOUT_MS, 0);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read))
        client_close(c);
}

static void listener_closed(uv_handle_t *h)
{
    free(h->data);
}

int nm_prom_server_new(uv_loop_t *loop, const char *bind, int port, nm_prom_render_fn render,
                       void *ud, struct nm_prom_server **out)
{
    struct sockaddr_storage sa;
    int err = NM_E_INVAL;
    *out = NULL;
    if (!loop || !render || port < 0 || port > 65535)
        return NM_E_INVAL;
    if (!bind)
        bind = "127.0.0.1";
    if (uv_ip4_addr(bind, port, (struct sockaddr_in *)&sa) &&
        uv_ip6_addr(bind, port, (struct sockaddr_in6 *)&sa))
        return NM_E_INVAL;
    struct nm_prom_server *s = calloc(1, sizeof *s);
    if (!s)
        return NM_E_NOMEM;
    s->loop = loop;
    s->render = render;
    s->ud = ud;
    if (uv_tcp_init(loop, &s->listener)) {
        free(s);
        return NM_E_IO;
    }
    s->listener.data = s;
    err = NM_E_IO;
    if (uv_tcp_bind(&s->listener, (const struct sockaddr *)&sa, 0) ||
        uv_listen((uv_stream_t *)&s->listener, 16, on_connection))
        goto fail;
    struct sockaddr_storage name;
    int len = sizeof name;
    if (uv_tcp_getsockname(&s->listener, (struct sockaddr *)&name, &len))
        goto fail;
    s->port = name.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&name)->sin6_port)
                                         : ntohs(((struct sockaddr_in *)&name)->sin_port);
    *out = s;
    return 0;
fail:
    /* the listener is a handle: freed by its close callback */
    uv_close((uv_handle_t *)&s->listener, listener_closed);
    return err;
}

int nm_prom_server_port(const struct nm_prom_server *s)
{
    return s ? s->port : 0;
}

void nm_prom_server_delete(struct nm_prom_server *s)
{
    if (!s || s->deleting)
        return;
    s->deleting = true;
    while (s->clients)
        client_close(s->clients);
    uv_close((uv_handle_t *)&s->listener, listener_closed);
}
