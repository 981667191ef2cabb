/* server.c - the aggregator's HTTP/1.1 server: libwebsockets on a libuv
 * loop of our own (foreign loop), keep-alive, bodies by Content-Length,
 * answers written whole; a query's miner calls start and end on the loop
 * (node/miner/client_async.h). Endpoints are in routes.c. */
#include "api/api_priv.h"

#include "node/log.h"
#include "node/errors.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_ROOM 2048
/* HTTP/2 DATA per turn: lws 4.1 hands TLS at most its 4096-byte service
 * buffer per write, and the rest of a bigger frame, left in its buffer list,
 * was never sent (on libuv, tried 2026-12-06) */
#define H2_CHUNK 4000

/* Between requests: the body's buffer stays for the next one. */
static void reply_release(struct nm_api_conn *c)
{
    if (!c->reply_borrowed)
        free(c->reply_body);
    c->reply_body = NULL;
    c->reply_borrowed = false;
}

static void conn_reset(struct nm_api_conn *c)
{
    reply_release(c);
    if (c->body)
        c->body[0] = 0;
    c->body_len = 0;
    c->in_body = c->waiting = c->too_long = c->reply_ready = c->headers_sent = false;
    c->body_seen = c->pipelined = false;
    c->nhdr = 0;
    c->path[0] = 0;
}

static void conn_unlink(struct nm_api_server *s, struct nm_api_conn *c)
{
    if (!c->linked)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->linked = false;
    c->prev = c->next = NULL;
    conn_reset(c);
    free(c->body);
    c->body = NULL;
    c->body_cap = 0;
}

struct nm_api_conn *nm_api_conn_find(struct nm_api_server *s, uint64_t id)
{
    struct nm_api_conn *c = s->conns;
    while (c && c->id != id)
        c = c->next;
    return c;
}

/* A slot for name ("retry-after:"), or NULL when full. */
static struct nm_api_hdr *header_slot(struct nm_api_conn *c, const char *name)
{
    if (c->nhdr >= (int)(sizeof c->hdr / sizeof c->hdr[0]))
        return NULL;
    struct nm_api_hdr *h = &c->hdr[c->nhdr++];
    h->name = name;
    return h;
}

void nm_api_header(struct nm_api_conn *c, const char *name, const char *fmt, ...)
{
    struct nm_api_hdr *h = header_slot(c, name);
    if (!h)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->value, sizeof h->value, fmt, ap);
    va_end(ap);
}

void nm_api_header_text(struct nm_api_conn *c, const char *name, const char *text)
{
    struct nm_api_hdr *h = header_slot(c, name);
    if (!h)
        return;
    size_t n = strnlen(text, sizeof h->value - 1);
    memcpy(h->value, text, n);
    h->value[n] = 0;
}

void nm_api_header_u64(struct nm_api_conn *c, const char *name, const char *prefix,
                       uint64_t v)
{
    struct nm_api_hdr *h = header_slot(c, name);
    if (!h)
        return;
    size_t at = strnlen(prefix, sizeof h->value - 24);
    memcpy(h->value, prefix, at);
    char digits[24];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 20);
    for (int i = 0; i < n; i++)
        h->value[at + (size_t)i] = digits[n - 1 - i];
    h->value[at + (size_t)n] = 0;
}

static void record(struct nm_api_server *s, struct nm_api_conn *c, int status)
{
    struct nm_api_metrics *m = &s->metrics;
    uint64_t us = (uint64_t)(nm_api_now_us() - c->start_us);
    m->requests++;
    m->by_class[status / 100 < 6 ? status / 100 : 5]++;
    m->lat_us[m->lat_count++ % NM_API_LAT_RING] = us;
    m->lat_sum_us += us;
}

static int write_reply(struct nm_api_conn *c);

void nm_api_reply(struct nm_api_server *s, struct nm_api_conn *c, int status, char *body,
                  const char *type)
{
    if (!body) {
        status = 500;
        body = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
    }
    reply_release(c);
    c->reply_body = body;
    c->status = status;
    c->reply_type = type ? type : "application/json";
    c->reply_ready = true;
    c->waiting = false;
    record(s, c, status);
    if (c->in_callback) /* inside lws's callback: answer_now writes it on the way out */
        return;
    /* from a query's end or Redis's answer, on the loop: HTTP/1.1 writes
     * now (a loop turn and two epoll_ctl sooner than waiting for POLLOUT);
     * a connection that cannot go on is closed by lws at once */
    if (lws_get_network_wsi(c->wsi) == c->wsi) {
        if (write_reply(c)) { /* lws re-arms its timers when woken: we are
                               * outside its service here */
            lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
            lws_cancel_service(lws_get_context(c->wsi));
        }
        return;
    }
    lws_callback_on_writable(c->wsi);
}

void nm_api_reply_borrowed(struct nm_api_server *s, struct nm_api_conn *c, const char *body)
{
    if (!c->in_callback || lws_get_network_wsi(c->wsi) != c->wsi) {
        nm_api_reply(s, c, 200, strdup(body), NULL);
        return;
    }
    nm_api_reply(s, c, 200, (char *)body, NULL); /* answer_now writes it, then it is let go */
    c->reply_borrowed = true;
}

void nm_api_reply_error(struct nm_api_server *s, struct nm_api_conn *c, int status,
                        const char *code, const char *message)
{
    nm_api_reply(s, c, status, nm_api_error_body(code, message), NULL);
}

/* Adds the answer's own headers through lws (so HTTP/2 would work). */
static int add_headers(struct nm_api_conn *c, unsigned char **p, unsigned char *end)
{
    for (int i = 0; i < c->nhdr; i++)
        if (lws_add_http_header_by_name(c->wsi, (const unsigned char *)c->hdr[i].name,
                                        (const unsigned char *)c->hdr[i].value,
                                        (int)strlen(c->hdr[i].value), p, end))
            return -1;
    return 0;
}

/* lws 4.1 ends a kept-alive HTTP/1.1 exchange (lws_http_transaction_completed)
 * by holding the connection's next request back until POLLOUT says the
 * socket is writable (its LRS_DEFERRING_ACTION). On its libuv glue that is
 * a uv_poll_start to add POLLOUT and another to drop it when the event
 * comes, each an epoll_ctl DEL at once and an ADD at the next epoll_wait,
 * and a loop turn. When the whole answer went out (nothing left in lws's
 * buffer), the socket was just written: the connection is marked due and,
 * once this turn's I/O is done (a uv_check_t, before the next epoll_wait),
 * lws is handed that POLLOUT (lws_service_fd), so the fd leaves epoll and
 * comes back once per request instead of twice. lws's own POLLOUT request
 * stays in place until then: if this did not run, the event would do the
 * same. HTTP/2 streams are not concerned (no keep-alive state of their own). */
static void link_due(struct nm_api_server *s, struct lws *wsi)
{
    struct nm_api_link *l = lws_get_opaque_user_data(wsi);
    if (!l || l->due || lws_partial_buffered(wsi))
        return;
    l->due = true;
    l->prev = NULL;
    l->next = s->due;
    if (s->due)
        s->due->prev = l;
    s->due = l;
}

static void link_undue(struct nm_api_server *s, struct nm_api_link *l)
{
    if (!l->due)
        return;
    if (l->prev)
        l->prev->next = l->next;
    else
        s->due = l->next;
    if (l->next)
        l->next->prev = l->prev;
    l->prev = l->next = NULL;
    l->due = false;
}

static void confirm_writable(uv_check_t *h)
{
    struct nm_api_server *s = h->data;
    size_t n = 0; /* the ones due now (servicing one could mark it again) */
    for (struct nm_api_link *l = s->due; l; l = l->next)
        n++;
    while (n-- && s->due && !s->stopping) {
        struct nm_api_link *l = s->due;
        link_undue(s, l);
        struct lws_pollfd pfd = {.fd = lws_get_socket_fd(l->wsi), .events = LWS_POLLOUT,
                                 .revents = LWS_POLLOUT};
        if (pfd.fd < 0 || lws_partial_buffered(l->wsi)) /* a later answer left bytes: */
            continue;                                    /* lws's own POLLOUT sends them */
        s->metrics.keepalive_confirmed++;
        lws_service_fd(s->ctx, &pfd);
    }
}

/* The answer is out (or failed): the connection waits for the next one. */
static int reply_finished(struct nm_api_conn *c, int rc)
{
    struct lws *wsi = c->wsi;
    reply_release(c);
    c->reply_ready = c->headers_sent = false;
    c->reply_sent = 0;
    c->nhdr = 0;
    if (rc || c->pipelined) /* pipelined: the answer said "Connection: close" */
        return -1;
    if (lws_http_transaction_completed(wsi)) /* c is lws's: freed from here on */
        return -1;
    if (lws_get_network_wsi(wsi) == wsi)
        link_due(lws_context_user(lws_get_context(wsi)), wsi);
    return 0;
}

/* HTTP/2: one DATA frame per turn, within the peer's window. */
static int write_h2_data(struct nm_api_conn *c, size_t blen)
{
    unsigned char buf[LWS_PRE + H2_CHUNK];
    size_t chunk = blen - c->reply_sent;
    lws_fileofs_t allow = lws_get_peer_write_allowance(c->wsi);
    if (chunk > H2_CHUNK)
        chunk = H2_CHUNK;
    if (allow >= 0 && (size_t)allow < chunk)
        chunk = (size_t)allow;
    bool final = c->reply_sent + chunk == blen;
    if (chunk == 0 && !final) { /* no window yet: lws calls back when there is */
        lws_callback_on_writable(c->wsi);
        return 0;
    }
    memcpy(buf + LWS_PRE, c->reply_body + c->reply_sent, chunk);
    if (lws_write(c->wsi, buf + LWS_PRE, chunk, final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) !=
        (int)chunk)
        return reply_finished(c, -1);
    if (final)
        return reply_finished(c, 0);
    c->reply_sent += chunk;
    lws_callback_on_writable(c->wsi);
    return 0;
}

/* Writes the answer: on HTTP/1.1 headers and body in one write (one
 * send()); on HTTP/2 the HEADERS frame, then the DATA on the stream's next
 * turns (lws frames each write: the two cannot share one). */
static int write_reply(struct nm_api_conn *c)
{
    bool h2 = lws_get_network_wsi(c->wsi) != c->wsi;
    size_t blen = strlen(c->reply_body);
    if (c->headers_sent)
        return write_h2_data(c, blen);
    unsigned char small[LWS_PRE + HEAD_ROOM + 4096]; /* most answers: no malloc */
    unsigned char *buf = blen <= 4096 || h2 ? small : malloc(LWS_PRE + HEAD_ROOM + blen);
    if (!buf)
        return reply_finished(c, -1);
    unsigned char *start = buf + LWS_PRE, *p = start, *end = start + HEAD_ROOM;
    int rc = -1, n;
    if (lws_add_http_common_headers(c->wsi, (unsigned)c->status, c->reply_type, blen, &p, end) ||
        add_headers(c, &p, end) || lws_finalize_http_header(c->wsi, &p, end))
        goto out;
    if (!h2) {
        memcpy(p, c->reply_body, blen);
        p += blen;
    }
    n = (int)(p - start);
    if (lws_write(c->wsi, start, (size_t)n, h2 ? LWS_WRITE_HTTP_HEADERS : LWS_WRITE_HTTP_FINAL) !=
        n)
        goto out;
    rc = 0;
    if (h2) {
        c->headers_sent = true;
        lws_callback_on_writable(c->wsi);
    }
out:
    if (buf != small)
        free(buf);
    return rc || !h2 ? reply_finished(c, rc) : 0;
}

/* After a request's callback: an answer ready already (a cache hit, an
 * error, a GET) is written now on HTTP/1.1, as lws_return_http_status
 * does, without waiting a loop turn for POLLOUT (on libuv that is two
 * epoll_ctl calls and a turn per request); an HTTP/2 stream waits for its
 * turn to write. */
static int answer_now(struct nm_api_conn *c)
{
    c->in_callback = false;
    if (!c->reply_ready)
        return 0;
    if (lws_get_network_wsi(c->wsi) == c->wsi)
        return write_reply(c);
    lws_callback_on_writable(c->wsi);
    return 0;
}

static void copy_header(struct lws *wsi, enum lws_token_indexes t, char *dst, size_t cap)
{
    dst[0] = 0;
    if (lws_hdr_total_length(wsi, t) >= (int)cap || lws_hdr_copy(wsi, dst, (int)cap, t) < 0)
        dst[0] = 0;
}

static int content_length(struct lws *wsi, size_t *out)
{
    char text[32];
    copy_header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, text, sizeof text);
    if (!text[0])
        return -1;
    size_t v = 0;
    for (const char *q = text; *q; q++) {
        if (*q < '0' || *q > '9' || v > SIZE_MAX / 10 - 10)
            return -1;
        v = v * 10 + (size_t)(*q - '0');
    }
    *out = v;
    return 0;
}

static void on_http(struct nm_api_server *s, struct nm_api_conn *c, struct lws *wsi)
{
    if (!c->linked) {
        c->id = ++s->next_conn_id;
        c->wsi = wsi;
        c->next = s->conns;
        if (s->conns)
            s->conns->prev = c;
        s->conns = c;
        c->linked = true;
        /* lws frees the per-session data between requests (it rebinds the
         * protocol): the address is kept with the connection's wsi, read
         * once (a getpeername and a printf), freed at LWS_CALLBACK_WSI_DESTROY */
        struct lws *nwsi = lws_get_network_wsi(wsi);
        struct nm_api_link *link = lws_get_opaque_user_data(nwsi);
        if (!link && (link = calloc(1, sizeof *link))) {
            link->wsi = nwsi;
            if (!lws_get_peer_simple(nwsi, link->peer, sizeof link->peer))
                snprintf(link->peer, sizeof link->peer, "unknown");
            lws_set_opaque_user_data(nwsi, link);
        }
        const char *text = link ? link->peer : "unknown";
        size_t n = strnlen(text, sizeof c->peer - 1);
        memcpy(c->peer, text, n);
        c->peer[n] = 0;
    }
    conn_reset(c);
    c->start_us = nm_api_now_us();
    char *uri = NULL;
    int uri_len = 0;
    c->method = lws_http_get_uri_and_method(wsi, &uri, &uri_len);
    if (!uri || uri_len <= 0 || (size_t)uri_len >= sizeof c->path) {
        nm_api_reply_error(s, c, 414, "uri_too_long", "the request path is too long");
        return;
    }
    memcpy(c->path, uri, (size_t)uri_len);
    c->path[uri_len] = 0;
    copy_header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, c->content_type, sizeof c->content_type);
    copy_header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, c->auth, sizeof c->auth);
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION) >= (int)sizeof c->auth)
        snprintf(c->auth, sizeof c->auth, "Bearer -");
    copy_header(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL, c->cache_control, sizeof c->cache_control);
    if (c->method != LWSHUMETH_POST) {
        nm_api_route(s, c);
        return;
    }
    size_t len = 0;
    if (content_length(wsi, &len)) {
        nm_api_header(c, "connection:", "close");
        nm_api_reply_error(s, c, 411, "length_required", "a POST needs a Content-Length");
        return;
    }
    if (len > s->cfg.max_body) {
        char msg[96];
        snprintf(msg, sizeof msg, "request body too large: the limit is %zu bytes",
                 s->cfg.max_body);
        nm_api_header(c, "connection:", "close");
        nm_api_reply_error(s, c, 413, "too_large", msg);
        return;
    }
    c->in_body = true;
    if (len == 0) {
        c->in_body = false;
        nm_api_route(s, c);
    }
}

static int on_body(struct nm_api_server *s, struct nm_api_conn *c, const void *in, size_t len)
{
    if (!c->in_body)
        return 0;
    if (c->body_len + len > s->cfg.max_body)
        return -1; /* more than its Content-Length said */
    if (c->body_len + len + 1 > c->body_cap) {
        size_t cap = c->body_cap ? c->body_cap : 1024;
        while (cap < c->body_len + len + 1)
            cap *= 2;
        char *grown = realloc(c->body, cap);
        if (!grown)
            return -1;
        c->body = grown;
        c->body_cap = cap;
    }
    memcpy(c->body + c->body_len, in, len);
    c->body_len += len;
    c->body[c->body_len] = 0;
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct nm_api_server *s = lws_context_user(lws_get_context(wsi));
    struct nm_api_conn *c = user;
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        if (!c || s->stopping)
            return -1;
        c->in_callback = true;
        on_http(s, c, wsi);
        return answer_now(c);
    case LWS_CALLBACK_HTTP_BODY:
        if (!c)
            return -1;
        if (!c->body_seen) {
            c->body_seen = true;
            /* a pipelined request lws would spin on (rpc/server_pipeline.h):
             * the answers before it are out, the connection closes */
            if (len && nm_http_body_is_request_head(in, len)) {
                s->metrics.pipelined_closed++;
                return -1;
            }
        }
        return on_body(s, c, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (!c)
            return 0;
        if (!c->in_body) {
            /* HTTP/1.1 (an HTTP/2 stream has no pipelining): lws 4.1 says
             * the body is complete again when bytes came behind a request
             * (pipelined): an answer still due says "Connection: close" and
             * ends the connection; with none due (answered before its body
             * was read away) it ends now */
            if (lws_get_network_wsi(wsi) != wsi)
                return 0;
            if ((!c->waiting && !c->reply_ready) ||
                nm_http_spurious_completion(&c->spurious, uv_now(&s->loop)))
                return -1;
            if (!c->pipelined) {
                c->pipelined = true;
                s->metrics.pipelined_closed++;
                nm_api_header(c, "connection:", "close");
            }
            return 0;
        }
        c->in_body = false;
        if (!c->body && on_body(s, c, "", 0))
            return -1;
        c->in_callback = true;
        nm_api_route(s, c);
        return answer_now(c);
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (!c || !c->reply_ready)
            return 0;
        return write_reply(c);
    case LWS_CALLBACK_WSI_DESTROY: { /* the connection's link (on_http) */
        struct nm_api_link *link = lws_get_opaque_user_data(wsi);
        if (link) {
            link_undue(s, link);
            free(link);
            lws_set_opaque_user_data(wsi, NULL);
        }
        return 0;
    }
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        if (c)
            conn_unlink(s, c);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static const struct lws_protocols protocols[] = {
    {.name = "http", .callback = callback, .per_session_data_size = sizeof(struct nm_api_conn)},
    {0},
};

/* A query's answer, on the loop (a miner call's completion, or at once). */
static void query_done(void *ud, struct nm_api_job *job)
{
    nm_api_query_done(ud, job);
}

void nm_api_query_begin(struct nm_api_server *s, struct nm_api_job *job)
{
    nm_api_query_start(job, s->miners, query_done, s);
}

static void on_signal(uv_signal_t *h, int sig)
{
    struct nm_api_server *s = h->data;
    (void)sig;
    s->stopping = true;
    uv_stop(&s->loop);
}

static void close_cb(uv_handle_t *h)
{
    (void)h;
}

static int start_lws(struct nm_api_server *s)
{
    struct lws_context_creation_info info;
    void *foreign[1] = {&s->loop};
    memset(&info, 0, sizeof info);
    lws_set_log_level(getenv("NM_LWS_LOG") ? atoi(getenv("NM_LWS_LOG")) : LLL_ERR, NULL);
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DISABLE_IPV6;
    info.foreign_loops = foreign;
    info.port = s->cfg.listen_port;
    info.iface = s->cfg.listen_host;
    info.protocols = protocols;
    info.user = s;
    info.count_threads = 1;
    info.keepalive_timeout = 30;
    info.timeout_secs = 10; /* a slow client gets this long per exchange step */
    info.max_http_header_data = 4096;
    info.vhost_name = "aggregator";
    if (s->cfg.tls_cert) { /* lws offers h2 then http/1.1 by ALPN */
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = s->cfg.tls_cert;
        info.ssl_private_key_filepath = s->cfg.tls_key;
    }
    s->ctx = lws_create_context(&info);
    if (!s->ctx)
        return NM_E_IO;
    struct lws_vhost *vh = lws_get_vhost_by_name(s->ctx, "aggregator");
    s->port = vh ? lws_get_vhost_listen_port(vh) : -1;
    return s->port > 0 ? 0 : NM_E_IO;
}

int nm_api_server_run(const struct nm_api_config *cfg)
{
    struct nm_api_server *s = calloc(1, sizeof *s);
    char err[512] = "";
    int rc = NM_E_NOMEM;
    if (!s)
        return rc;
    s->cfg = *cfg;
    s->started_ms = nm_api_now_ms();
    if (nm_api_cache_new(cfg->cache_entries, cfg->cache_ttl_ms, &s->cache) ||
        nm_api_limits_new(0, &s->limits))
        goto out;
    if (cfg->keys_db && (rc = nm_api_keys_open(cfg->keys_db, &s->keys, err, sizeof err))) {
        nm_log(NM_LOG_ERROR, "aggregator", "%s", err);
        goto out;
    }
    if ((rc = nm_api_chainview_start(cfg->node_url, cfg->health_ms, &s->view, err,
                                     sizeof err))) {
        nm_log(NM_LOG_ERROR, "aggregator", "%s", err);
        goto out;
    }
    uv_loop_init(&s->loop);
    uv_signal_init(&s->loop, &s->sigint);
    uv_signal_init(&s->loop, &s->sigterm);
    s->sigint.data = s->sigterm.data = s;
    uv_signal_start(&s->sigint, on_signal, SIGINT);
    uv_signal_start(&s->sigterm, on_signal, SIGTERM);
    uv_check_init(&s->loop, &s->confirm);
    s->confirm.data = s;
    uv_check_start(&s->confirm, confirm_writable);
    uv_unref((uv_handle_t *)&s->confirm);
    const char *cq = getenv("NM_MINER_CQ"); /* docs/aggregator.md compares the two */
    bool poll_on_loop = cq && !strcmp(cq, "loop");
    if ((rc = nm_miner_async_new(&s->loop, poll_on_loop ? NM_MINER_POLL_LOOP
                                                        : NM_MINER_POLL_THREAD,
                                 &s->miners))) {
        nm_log(NM_LOG_ERROR, "aggregator", "cannot start the miner client: %s",
               nm_strerror(rc));
    } else if (cfg->redis_url &&
        (rc = nm_api_redis_new(&s->loop, cfg->redis_url, cfg->redis_timeout_ms, cfg->quiet,
                               &s->redis, err, sizeof err))) {
        nm_log(NM_LOG_ERROR, "aggregator", "%s", err);
    } else if ((rc = start_lws(s))) {
        nm_log(NM_LOG_ERROR, "aggregator", "cannot listen on %s:%d", cfg->listen_host,
                cfg->listen_port);
    } else {
        if (cfg->port_file) {
            FILE *f = fopen(cfg->port_file, "w");
            if (f) {
                fprintf(f, "%d\n", s->port);
                fclose(f);
            }
        }
        nm_log(NM_LOG_INFO, "aggregator", "listening on %s://%s:%d, node %s%s%s%s",
               cfg->tls_cert ? "https" : "http", cfg->listen_host, s->port, cfg->node_url, cfg->redis_url ? ", redis " : "",
               cfg->redis_url ? cfg->redis_url : "",
               !cfg->redis_url ? "" : cfg->redis_fail_closed ? " (when down: fail closed, 503)"
                                                             : " (when down: fail open, local limits)");
        uv_run(&s->loop, UV_RUN_DEFAULT);
        nm_log(NM_LOG_INFO, "aggregator", "stopping");
    }
    s->stopping = true;
    nm_api_redis_close(s->redis); /* its pending requests end here, unanswered */
    /* lws on a foreign loop: destroy, let the loop close its handles, destroy again */
    if (s->ctx)
        lws_context_destroy(s->ctx);
    uv_close((uv_handle_t *)&s->sigint, close_cb);
    uv_close((uv_handle_t *)&s->sigterm, close_cb);
    uv_close((uv_handle_t *)&s->confirm, close_cb);
    /* the queries under way are cancelled (their connections are gone) and
     * end here; the miner clients they used go with the chain view */
    nm_miner_async_close(s->miners, 2000);
    for (int i = 0; i < 200 && uv_run(&s->loop, UV_RUN_NOWAIT); i++)
        ;
    if (s->ctx)
        lws_context_destroy(s->ctx);
    uv_run(&s->loop, UV_RUN_DEFAULT);
    uv_loop_close(&s->loop);
out:
    nm_api_chainview_stop(s->view);
    nm_api_keys_free(s->keys);
    nm_api_cache_free(s->cache);
    nm_api_limits_free(s->limits);
    nm_api_redis_free(s->redis);
    free(s);
    return rc;
}
