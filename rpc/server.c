/* server.c - JSON-RPC transport: WebSocket and HTTP POST on one port, served by
 * libwebsockets on the caller's libuv loop. Frames, limits and queues; no JSON.
 * The HTTP half is server_http.c, the outbound half server_send.c, who gets
 * a slot (and the node thread's slice for requests) server_slots.c. */
#include "rpc/server_conn.h"

#include "node/errors.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static int rpc_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len);
static void rx_free(struct nm_rpc_conn *conn);

static const struct lws_protocols rpc_protocols[] = {
    {.name = PROTOCOL_NAME, .callback = rpc_callback, .rx_buffer_size = RX_CHUNK_BYTES},
    {.name = NULL, .callback = NULL},
};

static struct nm_rpc_conn *conn_of(void *user)
{
    struct nm_rpc_conn *conn = user;
    return conn && conn->magic == CONN_MAGIC ? conn : NULL;
}

void nm_rpc_srv_out_clear(struct nm_rpc_conn *conn)
{
    struct out_msg *m = conn->out_head;
    while (m) {
        struct out_msg *next = m->next;
        free(m);
        m = next;
    }
    conn->out_head = conn->out_tail = NULL;
    conn->srv->stats.queued_bytes -= conn->out_bytes;
    nm_rpc_slots_freed(conn->srv, conn->out_bytes);
    conn->out_bytes = 0;
}

struct out_msg *nm_rpc_srv_out_pop(struct nm_rpc_conn *conn)
{
    struct out_msg *m = conn->out_head;
    if (!m)
        return NULL;
    conn->out_head = m->next;
    if (!conn->out_head)
        conn->out_tail = NULL;
    conn->out_bytes -= m->len + OUT_OVERHEAD;
    conn->srv->stats.queued_bytes -= m->len + OUT_OVERHEAD;
    nm_rpc_slots_freed(conn->srv, m->len + OUT_OVERHEAD);
    m->next = NULL;
    return m;
}

/* The handler forgets the conn; called once per conn handed to on_request
 * (for HTTP, once per exchange). */
void nm_rpc_srv_conn_notify_close(struct nm_rpc_conn *conn)
{
    struct nm_rpc_server *srv = conn->srv;
    if (!conn->announced)
        return;
    conn->announced = false;
    if (!srv->deleting && srv->handler.on_close)
        srv->handler.on_close(srv->handler.ctx, conn);
    conn->data = NULL;
}

static void conn_free(struct nm_rpc_conn *conn)
{
    struct nm_rpc_server *srv = conn->srv;
    if (conn->prev)
        conn->prev->next = conn->next;
    else
        srv->conns = conn->next;
    if (conn->next)
        conn->next->prev = conn->prev;
    srv->conn_count--;
    if (!conn->over_cap)
        srv->served_count--;
    nm_rpc_srv_out_clear(conn);
    rx_free(conn);
    if (conn->is_ws) /* its handler state (subscriptions) is gone too */
        nm_rpc_slots_freed(srv, CONN_STATE_ESTIMATE_BYTES);
    free(conn->bearer);
    conn->magic = 0;
    free(conn);
}

static int conn_create(struct nm_rpc_server *srv, struct lws *wsi)
{
    struct nm_rpc_conn *conn = calloc(1, sizeof *conn);
    if (!conn)
        return -1;
    conn->magic = CONN_MAGIC;
    conn->srv = srv;
    conn->wsi = wsi;
    conn->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = conn;
    srv->conns = conn;
    srv->conn_count++;
    conn->last_active_ms = uv_now(srv->loop);
    /* decided again at the request or handshake (server_slots.c) */
    conn->over_cap = srv->served_count >= srv->max_connections;
    if (!conn->over_cap) {
        srv->served_count++;
        srv->stats.accepted++;
    }
    /* Externally owned user data survives lws's protocol rebinds (the HTTP to
     * WebSocket upgrade, keep-alive transactions); freed at WSI_DESTROY. */
    lws_set_wsi_user(wsi, conn);
    return 0;
}

/* Reads the request's "Authorization: Bearer TOKEN", if any. */
void nm_rpc_srv_conn_read_bearer(struct nm_rpc_conn *conn)
{
    static const char scheme[] = "Bearer ";
    char *value = NULL;
    free(conn->bearer);
    conn->bearer = NULL;

    int total = lws_hdr_total_length(conn->wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
    if (total <= 0 || total > BEARER_MAX)
        return;
    value = malloc((size_t)total + 1);
    if (!value)
        return;
    if (lws_hdr_copy(conn->wsi, value, total + 1, WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
        goto out;
    if (strncasecmp(value, scheme, sizeof scheme - 1) != 0)
        goto out;
    const char *token = value + sizeof scheme - 1;
    while (*token == ' ')
        token++;
    size_t n = strlen(token);
    while (n && token[n - 1] == ' ')
        n--;
    if (!n)
        goto out;
    conn->bearer = malloc(n + 1);
    if (conn->bearer) {
        memcpy(conn->bearer, token, n);
        conn->bearer[n] = '\0';
    }
out:
    free(value);
}

void nm_rpc_srv_conn_read_peer(struct nm_rpc_conn *conn)
{
    conn->peer[0] = '\0';
    if (!lws_get_peer_simple(conn->wsi, conn->peer, sizeof conn->peer))
        conn->peer[0] = '\0';
    conn->peer[sizeof conn->peer - 1] = '\0';
}

/* NM_E_TOO_BIG when the buffers of all connections would pass
 * max_buffered_bytes (the caller drops this connection). */
int nm_rpc_srv_rx_append(struct nm_rpc_conn *conn, const void *in, size_t len)
{
    struct nm_rpc_server *srv = conn->srv;
    /* one spare byte keeps the text NUL-terminated for the handler */
    if (conn->rx_len + len + 1 > conn->rx_cap) {
        size_t cap = conn->rx_cap ? conn->rx_cap : 4096;
        while (cap < conn->rx_len + len + 1)
            cap *= 2;
        if (cap - conn->rx_cap > srv->max_buffered_bytes - srv->buffered_bytes)
            return NM_E_TOO_BIG;
        char *rx = realloc(conn->rx, cap);
        if (!rx)
            return NM_E_NOMEM;
        srv->buffered_bytes += cap - conn->rx_cap;
        conn->rx = rx;
        conn->rx_cap = cap;
    }
    if (len)
        memcpy(conn->rx + conn->rx_len, in, len);
    conn->rx_len += len;
    return 0;
}

static void rx_free(struct nm_rpc_conn *conn)
{
    conn->srv->buffered_bytes -= conn->rx_cap;
    nm_rpc_slots_freed(conn->srv, conn->rx_cap);
    free(conn->rx);
    conn->rx = NULL;
    conn->rx_cap = 0;
    conn->rx_len = 0;
}

static void rx_reset(struct nm_rpc_conn *conn)
{
    conn->rx_len = 0;
    if (conn->rx_cap > RX_KEEP_BYTES)
        rx_free(conn);
}

void nm_rpc_srv_request_timer(struct nm_rpc_conn *conn, bool on)
{
    if (conn->dead || on == conn->timer_armed)
        return;
    conn->timer_armed = on;
    if (on)
        lws_set_timeout(conn->wsi, PENDING_TIMEOUT_USER_OK, (int)conn->srv->request_timeout_secs);
    else
        lws_set_timeout(conn->wsi, NO_PENDING_TIMEOUT, 0);
}

/* A request that is not strict JSON within the depth and value limits is
 * answered here and never reaches the handler: the parse that follows is
 * bounded (issue 17: a 14.7 MB "[0,0,...]" cost 1.4 s and 590 MB). */
static bool request_refused(struct nm_rpc_conn *conn)
{
    struct nm_rpc_server *srv = conn->srv;
    size_t where = 0;
    if (srv->raw_text)
        return false;
    enum nm_json_scan_result r = nm_json_scan(conn->rx, conn->rx_len, &srv->json, &where);
    if (r == NM_JSON_OK)
        return false;
    srv->stats.refused_json++;
    char body[320];
    bool limit = r == NM_JSON_TOO_DEEP || r == NM_JSON_TOO_MANY;
    unsigned long bound = r == NM_JSON_TOO_DEEP ? (unsigned long)srv->json.max_depth
                                                : (unsigned long)srv->json.max_values;
    int n = limit ? snprintf(body, sizeof body,
                             "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":"
                             "\"invalid request: %s (%lu, see --rpc-max-json-%s)\"},\"id\":null}",
                             nm_json_scan_strerror(r), bound,
                             r == NM_JSON_TOO_DEEP ? "depth" : "values")
                  : snprintf(body, sizeof body,
                             "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":"
                             "\"parse error: %s at byte %zu\"},\"id\":null}",
                             nm_json_scan_strerror(r), where);
    if (n > 0 && (size_t)n < sizeof body)
        (void)nm_rpc_srv_queue_text(conn, body, (size_t)n);
    return true;
}

void nm_rpc_srv_deliver_now(struct nm_rpc_conn *conn)
{
    struct nm_rpc_server *srv = conn->srv;
    uint64_t t0 = uv_hrtime();
    if (!conn->dead && !srv->deleting && !request_refused(conn)) {
        conn->announced = true;
        srv->handler.on_request(srv->handler.ctx, conn, conn->rx, conn->rx_len);
    }
    rx_reset(conn);
    nm_rpc_turn_spent(srv, uv_hrtime() - t0);
}

/* Hands the assembled request to the handler, now or (past this loop
 * turn's budget) on a later turn; -1 closes the connection. */
int nm_rpc_srv_deliver(struct nm_rpc_conn *conn)
{
    nm_rpc_srv_request_timer(conn, false);
    if (nm_rpc_srv_rx_append(conn, "", 0)) /* room for the terminating NUL */
        return -1;
    conn->rx[conn->rx_len] = '\0';
    if (!nm_rpc_turn_defer(conn))
        nm_rpc_srv_deliver_now(conn);
    return 0;
}

/* Cuts a connection whose peer cannot be served any more (outbound limit, no
 * memory). Safe outside lws callbacks: lws closes it on its next turn. */
void nm_rpc_srv_conn_drop(struct nm_rpc_conn *conn, const char *why)
{
    if (conn->dead)
        return;
    conn->dead = true;
    nm_rpc_srv_out_clear(conn);
    if (conn->is_ws) {
        lws_close_reason(conn->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
                         (unsigned char *)why, strlen(why));
        /* the close frame goes out if the socket drains in time ... */
        lws_callback_on_writable(conn->wsi);
        lws_set_timeout(conn->wsi, PENDING_TIMEOUT_USER_OK, DROP_GRACE_SECS);
    } else {
        lws_set_timeout(conn->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    /* ... and lws re-arms its timers when woken (we may be outside its
     * service, e.g. in a node timer broadcasting to subscribers) */
    lws_cancel_service(conn->srv->ctx);
}



/* Closes a WebSocket at once with a status and reason; returns -1 for lws. */
static int ws_close_now(struct nm_rpc_conn *conn, struct lws *wsi, enum lws_close_status status,
                        const char *why)
{
    lws_close_reason(wsi, status, (unsigned char *)why, strlen(why));
    conn->dead = true;
    nm_rpc_srv_out_clear(conn);
    return -1;
}

/* An oversize message is read away chunk by chunk; once its last byte is
 * in, the peer gets error -32006 and may go on. A frame announcing far more
 * than the limit is not worth reading: the connection is closed (1009).
 * An unfinished message must be complete within the request timeout. */
static int on_ws_receive(struct nm_rpc_conn *conn, struct lws *wsi, const void *in, size_t len)
{
    struct nm_rpc_server *srv = conn->srv;
    if (conn->dead || srv->deleting)
        return 0;
    conn->last_active_ms = uv_now(srv->loop);
    if (conn->deferred) /* lws had more of this peer buffered: keep the order */
        nm_rpc_turn_deliver(conn);
    size_t remaining = lws_remaining_packet_payload(wsi);
    if (remaining > srv->max_request_bytes + DISCARD_MAX_BYTES) {
        srv->stats.too_large++;
        return ws_close_now(conn, wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
                            "frame far above the request size limit");
    }
    if (!conn->discarding && (conn->rx_len + len > srv->max_request_bytes ||
                              remaining > srv->max_request_bytes - conn->rx_len - len)) {
        conn->discarding = true;
        srv->stats.too_large++;
        rx_reset(conn);
    }
    if (conn->discarding) {
        if (!lws_is_final_fragment(wsi) || remaining) {
            nm_rpc_srv_request_timer(conn, true);
            return 0;
        }
        conn->discarding = false;
        nm_rpc_srv_request_timer(conn, false);
        char body[256];
        int n = snprintf(body, sizeof body,
                         "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32006,\"message\":\"request "
                         "too large: the limit is %zu bytes\"},\"id\":null}",
                         srv->max_request_bytes);
        (void)nm_rpc_srv_queue_text(conn, body, (size_t)n);
        return 0;
    }
    int err = nm_rpc_srv_rx_append(conn, in, len);
    if (err == NM_E_TOO_BIG) {
        srv->stats.refused_busy++;
        return ws_close_now(conn, wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
                            "server busy: too many unfinished requests");
    }
    if (err)
        return ws_close_now(conn, wsi, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "out of memory");
    if (!lws_is_final_fragment(wsi) || remaining) {
        nm_rpc_srv_request_timer(conn, true);
        return 0;
    }
    conn->in_receive = true;
    int rc = nm_rpc_srv_deliver(conn);
    conn->in_receive = false;
    return rc;
}

#define WRITES_PER_CALLBACK 32

/* Several queued messages per callback while the socket takes them whole
 * (a burst of notifications costs one wakeup, not one each). */
static int on_ws_writeable(struct nm_rpc_conn *conn, struct lws *wsi)
{
    if (conn->dead)
        return -1; /* dropped: lws sends the stored close reason, or (lws 4.1 on
                    * libuv, closes begun outside its service) just closes */
    for (int i = 0; i < WRITES_PER_CALLBACK && conn->out_head; i++) {
        struct out_msg *m = nm_rpc_srv_out_pop(conn);
        int n = lws_write(wsi, m->buf + OUT_HEADROOM, m->len, LWS_WRITE_TEXT);
        size_t len = m->len;
        free(m);
        if (n < 0 || (size_t)n < len)
            return -1;
        if (lws_partial_buffered(wsi))
            break;
    }
    if (conn->out_head)
        lws_callback_on_writable(wsi);
    return 0;
}

static int rpc_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len)
{
    struct lws_context *ctx = lws_get_context(wsi);
    struct nm_rpc_server *srv = ctx ? lws_context_user(ctx) : NULL;
    struct nm_rpc_conn *conn = conn_of(user);

    if (!srv)
        return 0;
    switch (reason) {
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
        /* far over the cap: lws closes the accepted socket at once */
        if (srv->deleting || srv->conn_count >= srv->max_connections + OVER_CAP_SLACK) {
            srv->stats.refused_capacity++;
            return 1;
        }
        return 0;
    case LWS_CALLBACK_WSI_CREATE:
        return conn_create(srv, wsi);
    case LWS_CALLBACK_WSI_DESTROY:
        if (conn) {
            nm_rpc_srv_conn_notify_close(conn);
            conn_free(conn);
        }
        return 0;
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        if (!conn || srv->deleting)
            return -1;
        nm_rpc_srv_conn_read_peer(conn);
        nm_rpc_srv_conn_read_bearer(conn);
        return nm_rpc_http_admit(conn, wsi);
    case LWS_CALLBACK_ESTABLISHED:
        if (!conn || srv->deleting || conn->over_cap)
            return -1;
        conn->is_ws = true;
        conn->rx_len = 0;
        conn->discarding = false;
        nm_rpc_srv_conn_read_peer(conn);
        nm_rpc_srv_conn_read_bearer(conn);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return conn ? on_ws_receive(conn, wsi, in, len) : -1;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return conn ? on_ws_writeable(conn, wsi) : -1;
    case LWS_CALLBACK_CLOSED:
    case LWS_CALLBACK_CLOSED_HTTP:
        if (conn) {
            conn->dead = true;
            nm_rpc_srv_conn_notify_close(conn);
        }
        return 0;
    case LWS_CALLBACK_HTTP:
        return conn ? nm_rpc_http_on_request(conn, wsi) : -1;
    case LWS_CALLBACK_HTTP_BODY:
        return conn ? nm_rpc_http_on_body(conn, in, len) : 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return conn ? nm_rpc_http_on_body_done(conn) : 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return conn ? nm_rpc_http_on_writeable(conn, wsi) : -1;
    default:
        return 0;
    }
}

struct lws_handle_scan {
    const void *ctx;
    bool found;
};

static void scan_handle(uv_handle_t *h, void *arg)
{
    struct lws_handle_scan *scan = arg;
    if (h->data == scan->ctx)
        scan->found = true;
}

static void reaper_closed(uv_handle_t *h)
{
    struct nm_rpc_server *srv = h->data;
    nm_cors_fini(&srv->cors);
    if (srv->token) {
        sodium_memzero(srv->token, strlen(srv->token));
        free(srv->token);
    }
    free(srv);
}

/* lws 4.1 on a foreign loop finishes destroying a context only when
 * lws_context_destroy() is called a second time, after the loop has closed
 * every uv handle lws made. Its static handles (idle, timer) carry the context
 * in ->data and are closed last, so once none is left in the loop it is safe. */
static void reaper_tick(uv_timer_t *t)
{
    struct nm_rpc_server *srv = t->data;
    struct lws_handle_scan scan = {.ctx = srv->ctx, .found = false};

    uv_walk(srv->loop, scan_handle, &scan);
    if (scan.found && ++srv->reaper_ticks < REAP_GIVE_UP_TICKS)
        return;
    if (scan.found)
        lwsl_err("nm rpc server: libwebsockets left handles open; leaking its context\n");
    else
        lws_context_destroy(srv->ctx);
    srv->ctx = NULL;
    while (srv->conns) /* only if lws skipped WSI_DESTROY for some wsi */
        conn_free(srv->conns);
    uv_timer_stop(t);
    uv_close((uv_handle_t *)t, reaper_closed);
}

static pthread_once_t log_level_once = PTHREAD_ONCE_INIT;

/* Only the first server sets it, so a program may raise it afterwards. */
static void set_quiet_logging(void)
{
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
}

/* Binds a throw-away socket the way lws will. lws 4.1 on a foreign loop
 * fails a busy port only after it has put handles on the loop that need
 * loop turns to go away; checking first keeps the usual failures synchronous
 * (the caller may then close the loop's handles however it likes). */
static int check_bindable(const char *addr, int port, bool *ipv4)
{
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    struct sockaddr *sa;
    socklen_t sa_len;
    int one = 1, err = 0;

    memset(&sin, 0, sizeof sin);
    memset(&sin6, 0, sizeof sin6);
    if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
        sin.sin_family = AF_INET;
        sin.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sin;
        sa_len = sizeof sin;
        *ipv4 = true;
    } else if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sin6;
        sa_len = sizeof sin6;
        *ipv4 = false;
    } else {
        return NM_E_INVAL;
    }
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NM_E_IO;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, sa, sa_len) != 0)
        err = NM_E_IO;
    close(fd);
    return err;
}

int nm_rpc_server_new(uv_loop_t *loop, const struct nm_rpc_server_config *cfg,
                      const struct nm_rpc_handler *handler, struct nm_rpc_server **out)
{
    struct lws_context_creation_info info;
    void *foreign_loops[1] = {loop};
    struct nm_rpc_server *srv = NULL;
    int err = NM_E_INVAL;

    if (!out)
        return NM_E_INVAL;
    *out = NULL;
    if (!loop || !handler || !handler->on_request)
        return NM_E_INVAL;
    if (cfg && (cfg->port < 0 || cfg->port > 65535 || cfg->max_connections < 0 ||
                cfg->max_json_depth > NM_JSON_MAX_DEPTH_LIMIT))
        return NM_E_INVAL;
    if (nm_rpc_cors_check(cfg ? cfg->cors : NULL))
        return NM_E_INVAL;

    srv = calloc(1, sizeof *srv);
    if (!srv)
        return NM_E_NOMEM;
    if (nm_cors_parse(cfg ? cfg->cors : NULL, &srv->cors)) {
        free(srv);
        return NM_E_NOMEM;
    }
    srv->loop = loop;
    srv->handler = *handler;
    srv->max_request_bytes =
        cfg && cfg->max_request_bytes ? cfg->max_request_bytes : DEFAULT_MAX_REQUEST_BYTES;
    srv->max_outbound_bytes =
        cfg && cfg->max_outbound_bytes ? cfg->max_outbound_bytes : DEFAULT_MAX_OUTBOUND_BYTES;
    srv->max_connections =
        cfg && cfg->max_connections ? cfg->max_connections : DEFAULT_MAX_CONNECTIONS;
    srv->max_buffered_bytes =
        cfg && cfg->max_buffered_bytes ? cfg->max_buffered_bytes : DEFAULT_MAX_BUFFERED_BYTES;
    srv->request_timeout_secs = cfg && cfg->request_timeout_secs ? cfg->request_timeout_secs
                                                                 : DEFAULT_REQUEST_TIMEOUT_SECS;
    srv->raw_text = cfg && cfg->raw_text;
    srv->max_per_address = cfg && cfg->max_connections_per_address
                               ? cfg->max_connections_per_address
                               : (srv->max_connections + 3) / 4;
    srv->reserved_connections = cfg && cfg->reserved_connections ? cfg->reserved_connections
                                                                 : srv->max_connections / 10;
    if (srv->reserved_connections >= srv->max_connections)
        srv->reserved_connections = srv->max_connections - 1;
    srv->idle_timeout_secs = cfg && cfg->idle_timeout_secs ? cfg->idle_timeout_secs
                                                           : DEFAULT_IDLE_TIMEOUT_SECS;
    srv->max_notify_bytes =
        cfg && cfg->max_notify_bytes ? cfg->max_notify_bytes : DEFAULT_MAX_NOTIFY_BYTES;
    if (cfg && cfg->token && !(srv->token = strdup(cfg->token))) {
        err = NM_E_NOMEM;
        goto fail_srv;
    }
    srv->json.max_depth = cfg && cfg->max_json_depth ? cfg->max_json_depth
                                                     : NM_JSON_DEFAULT_MAX_DEPTH;
    srv->json.max_values = cfg && cfg->max_json_values ? cfg->max_json_values
                                                       : NM_JSON_DEFAULT_MAX_VALUES;
    const char *bind = cfg && cfg->bind_address ? cfg->bind_address : DEFAULT_BIND_ADDRESS;
    int n = snprintf(srv->bind_address, sizeof srv->bind_address, "%s", bind);
    if (n <= 0 || (size_t)n >= sizeof srv->bind_address)
        goto fail_srv;
    bool ipv4 = true;
    err = check_bindable(srv->bind_address, cfg ? cfg->port : 0, &ipv4);
    if (err)
        goto fail_srv;

    pthread_once(&log_level_once, set_quiet_logging);
    memset(&info, 0, sizeof info);
    /* text frames must be UTF-8 (RFC 6455): lws closes with 1007 otherwise */
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8;
    if (ipv4)
        info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    info.foreign_loops = foreign_loops;
    info.port = cfg ? cfg->port : 0;
    info.iface = srv->bind_address;
    info.vhost_name = VHOST_NAME;
    info.protocols = rpc_protocols;
    info.user = srv;
    info.count_threads = 1;
    info.pt_serv_buf_size = RX_CHUNK_BYTES;
    /* lws's own waits (headers, a body that stops) end as ours do */
    info.timeout_secs = srv->request_timeout_secs;

    if (uv_timer_init(loop, &srv->reaper) != 0)
        goto fail_srv;
    srv->reaper.data = srv;
    srv->ctx = lws_create_context(&info);
    if (!srv->ctx) {
        err = NM_E_IO;
        goto fail_timer;
    }
    srv->vhost = lws_get_vhost_by_name(srv->ctx, VHOST_NAME);
    if (!srv->vhost) {
        /* lws 4.1 on a foreign loop returns a context it has already begun
         * to destroy when the vhost fails (port in use, bad address) */
        err = NM_E_IO;
        goto fail_ctx_destroying;
    }
    srv->port = lws_get_vhost_listen_port(srv->vhost);
    if (srv->port <= 0 || nm_rpc_slots_start(srv)) {
        err = NM_E_IO;
        goto fail_ctx;
    }
    *out = srv;
    return 0;

fail_ctx:
    lws_context_destroy(srv->ctx);
fail_ctx_destroying:
    /* lws needs loop turns to close its handles: finish like a delete, the
     * reaper frees srv; the caller runs the loop as it would after delete */
    srv->deleting = true;
    uv_timer_start(&srv->reaper, reaper_tick, REAP_INTERVAL_MS, REAP_INTERVAL_MS);
    return err;
fail_timer:
    uv_close((uv_handle_t *)&srv->reaper, reaper_closed); /* frees srv */
    return err;
fail_srv:
    nm_cors_fini(&srv->cors);
    free(srv->token);
    free(srv);
    return err;
}

int nm_rpc_server_port(const struct nm_rpc_server *srv)
{
    return srv ? srv->port : 0;
}

int nm_rpc_server_connection_count(const struct nm_rpc_server *srv)
{
    return srv ? srv->served_count : 0;
}

void nm_rpc_server_stats(const struct nm_rpc_server *srv, struct nm_rpc_server_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!srv)
        return;
    *out = srv->stats;
    out->connections = srv->served_count;
}

void nm_rpc_server_delete(struct nm_rpc_server *srv)
{
    if (!srv || srv->deleting)
        return;
    for (struct nm_rpc_conn *conn = srv->conns, *next; conn; conn = next) {
        next = conn->next;
        nm_rpc_srv_conn_notify_close(conn);
    }
    srv->deleting = true;
    nm_rpc_slots_stop(srv);
    for (struct nm_rpc_conn *conn = srv->conns; conn; conn = conn->next) {
        conn->dead = true;
        nm_rpc_srv_out_clear(conn);
    }
    /* first call: closes the listener and every wsi; the loop completes it */
    lws_context_destroy(srv->ctx);
    uv_timer_start(&srv->reaper, reaper_tick, REAP_INTERVAL_MS, REAP_INTERVAL_MS);
}
