/* server.c - JSON-RPC transport: WebSocket and HTTP POST on one port, served by
 * libwebsockets on the caller's libuv loop. Frames, limits and queues; no JSON. */
#include "rpc/server.h"

#include "node/errors.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_BIND_ADDRESS "127.0.0.1"
#define DEFAULT_MAX_REQUEST_BYTES ((size_t)15 * 1024 * 1024)
#define DEFAULT_MAX_OUTBOUND_BYTES ((size_t)16 * 1024 * 1024)
#define DEFAULT_MAX_CONNECTIONS 100
/* Connections past the cap that still get a 503 with a reason; beyond
 * these they are closed unanswered. */
#define OVER_CAP_SLACK 16
#define ORIGIN_MAX NM_CORS_ORIGIN_MAX
#define VHOST_NAME "nm-rpc"
#define PROTOCOL_NAME "nm-jsonrpc"
/* Bytes reserved before every queued body: LWS_PRE for the WebSocket frame
 * header, plus room for the HTTP response head so it goes out in one write. */
#define HTTP_HEAD_ROOM 256
#define OUT_HEADROOM (LWS_PRE + HTTP_HEAD_ROOM)
#define RX_CHUNK_BYTES 32768
/* A receive buffer larger than this is released after each request. */
#define RX_KEEP_BYTES 65536
#define BEARER_MAX 4096
/* Time a dropped WebSocket gets to take its close frame before it is cut. */
#define DROP_GRACE_SECS 2
#define REAP_INTERVAL_MS 1
/* If lws has not closed its handles by then, stop waiting (and leak its
 * context) rather than keep the caller's loop alive for ever. */
#define REAP_GIVE_UP_TICKS 5000
#define CONN_MAGIC 0x4e4d5243u

struct out_msg {
    struct out_msg *next;
    size_t len;
    unsigned char buf[]; /* OUT_HEADROOM bytes, then len bytes of body */
};
/* What one queued message costs beyond its body. */
#define OUT_OVERHEAD (sizeof(struct out_msg) + OUT_HEADROOM)

struct nm_rpc_conn {
    uint32_t magic;
    struct nm_rpc_server *srv;
    struct lws *wsi;
    struct nm_rpc_conn *prev, *next;
    bool is_ws;
    bool announced;      /* passed to on_request: on_close is owed */
    bool dead;           /* dropped or closing: sends fail */
    bool http_in_body;   /* reading a POST body */
    bool http_responded; /* the response of this HTTP exchange is queued */
    bool over_cap;       /* accepted past max_connections: answered 503 */
    bool discarding;     /* reading an oversize WebSocket message away */
    bool in_receive;     /* inside this WebSocket's receive callback, nothing sent yet */
    void *data;
    char *bearer;
    char peer[64];
    char *rx;
    size_t rx_len, rx_cap;
    struct out_msg *out_head, *out_tail;
    size_t out_bytes;      /* queued bodies plus OUT_OVERHEAD each */
    char origin[ORIGIN_MAX]; /* an allowed Origin to echo, or "" */
};

struct nm_rpc_server {
    uv_loop_t *loop;
    struct lws_context *ctx;
    struct lws_vhost *vhost;
    struct nm_rpc_handler handler;
    size_t max_request_bytes;
    size_t max_outbound_bytes;
    int max_connections;
    int port;
    int conn_count;   /* every wsi, over the cap or not */
    int served_count; /* those not over the cap */
    struct nm_rpc_server_stats stats;
    struct nm_cors cors;
    bool deleting;
    struct nm_rpc_conn *conns;
    uv_timer_t reaper; /* after delete: waits for lws's handles, then frees */
    int reaper_ticks;
    char bind_address[64];
};

static int rpc_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len);

static const struct lws_protocols rpc_protocols[] = {
    {.name = PROTOCOL_NAME, .callback = rpc_callback, .rx_buffer_size = RX_CHUNK_BYTES},
    {.name = NULL, .callback = NULL},
};

static struct nm_rpc_conn *conn_of(void *user)
{
    struct nm_rpc_conn *conn = user;
    return conn && conn->magic == CONN_MAGIC ? conn : NULL;
}

static void out_queue_clear(struct nm_rpc_conn *conn)
{
    struct out_msg *m = conn->out_head;
    while (m) {
        struct out_msg *next = m->next;
        free(m);
        m = next;
    }
    conn->out_head = conn->out_tail = NULL;
    conn->srv->stats.queued_bytes -= conn->out_bytes;
    conn->out_bytes = 0;
}

static struct out_msg *out_queue_pop(struct nm_rpc_conn *conn)
{
    struct out_msg *m = conn->out_head;
    if (!m)
        return NULL;
    conn->out_head = m->next;
    if (!conn->out_head)
        conn->out_tail = NULL;
    conn->out_bytes -= m->len + OUT_OVERHEAD;
    conn->srv->stats.queued_bytes -= m->len + OUT_OVERHEAD;
    m->next = NULL;
    return m;
}

/* The handler forgets the conn; called once per conn handed to on_request
 * (for HTTP, once per exchange). */
static void conn_notify_close(struct nm_rpc_conn *conn)
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
    out_queue_clear(conn);
    free(conn->rx);
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
static void conn_read_bearer(struct nm_rpc_conn *conn)
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

static void conn_read_peer(struct nm_rpc_conn *conn)
{
    conn->peer[0] = '\0';
    if (!lws_get_peer_simple(conn->wsi, conn->peer, sizeof conn->peer))
        conn->peer[0] = '\0';
    conn->peer[sizeof conn->peer - 1] = '\0';
}

static int rx_append(struct nm_rpc_conn *conn, const void *in, size_t len)
{
    /* one spare byte keeps the text NUL-terminated for the handler */
    if (conn->rx_len + len + 1 > conn->rx_cap) {
        size_t cap = conn->rx_cap ? conn->rx_cap : 4096;
        while (cap < conn->rx_len + len + 1)
            cap *= 2;
        char *rx = realloc(conn->rx, cap);
        if (!rx)
            return NM_E_NOMEM;
        conn->rx = rx;
        conn->rx_cap = cap;
    }
    if (len)
        memcpy(conn->rx + conn->rx_len, in, len);
    conn->rx_len += len;
    return 0;
}

static void rx_reset(struct nm_rpc_conn *conn)
{
    conn->rx_len = 0;
    if (conn->rx_cap > RX_KEEP_BYTES) {
        free(conn->rx);
        conn->rx = NULL;
        conn->rx_cap = 0;
    }
}

/* Hands the assembled request to the handler; -1 closes the connection. */
static int deliver_request(struct nm_rpc_conn *conn)
{
    struct nm_rpc_server *srv = conn->srv;
    if (rx_append(conn, "", 0)) /* room for the terminating NUL */
        return -1;
    conn->rx[conn->rx_len] = '\0';
    conn->announced = true;
    srv->handler.on_request(srv->handler.ctx, conn, conn->rx, conn->rx_len);
    rx_reset(conn);
    return 0;
}

/* Cuts a connection whose peer cannot be served any more (outbound limit, no
 * memory). Safe outside lws callbacks: lws closes it on its next turn. */
static void conn_drop(struct nm_rpc_conn *conn, const char *why)
{
    if (conn->dead)
        return;
    conn->dead = true;
    out_queue_clear(conn);
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

/* ---- browsers ---- */

/* 0: no Origin header (not a browser); 1: allowed (kept in conn->origin to
 * echo); -1: refused. */
static int conn_check_origin(struct nm_rpc_conn *conn)
{
    struct nm_rpc_server *srv = conn->srv;
    conn->origin[0] = '\0';
    int total = lws_hdr_total_length(conn->wsi, WSI_TOKEN_ORIGIN);
    if (total <= 0)
        return 0;
    if (total >= ORIGIN_MAX)
        return -1;
    char origin[ORIGIN_MAX];
    if (lws_hdr_copy(conn->wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) < 0 ||
        !nm_cors_allows(&srv->cors, origin))
        return -1;
    snprintf(conn->origin, sizeof conn->origin, "%s", origin);
    return 1;
}

/* ---- HTTP answers made here ---- */

enum { REPLY_CLOSE = 1, REPLY_ALLOW_POST = 2, REPLY_PREFLIGHT = 4 };

static int add_cors_headers(struct nm_rpc_conn *conn, struct lws *wsi, unsigned flags,
                            unsigned char **p, unsigned char *end)
{
    static const char vary[] = "Origin";
    static const char methods[] = "POST, OPTIONS";
    static const char headers[] = "content-type, authorization";
    if (!conn || !conn->origin[0])
        return 0;
    if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_ACCESS_CONTROL_ALLOW_ORIGIN,
                                     (unsigned char *)conn->origin, (int)strlen(conn->origin), p,
                                     end) ||
        lws_add_http_header_by_name(wsi, (unsigned char *)"vary:", (unsigned char *)vary,
                                    sizeof vary - 1, p, end))
        return -1;
    if (!(flags & REPLY_PREFLIGHT))
        return 0;
    return lws_add_http_header_by_name(wsi, (unsigned char *)"access-control-allow-methods:",
                                       (unsigned char *)methods, sizeof methods - 1, p, end) ||
                   lws_add_http_header_by_name(
                       wsi, (unsigned char *)"access-control-allow-headers:",
                       (unsigned char *)headers, sizeof headers - 1, p, end) ||
                   lws_add_http_header_by_name(wsi, (unsigned char *)"access-control-max-age:",
                                               (unsigned char *)"600", 3, p, end)
               ? -1
               : 0;
}

/* Writes a small complete HTTP response now (lws-side answers: health,
 * errors, refusals). Returns 0 ok, -1 failed. */
static int http_reply_now(struct nm_rpc_conn *conn, struct lws *wsi, unsigned int status,
                          const char *body, unsigned flags)
{
    unsigned char buf[LWS_PRE + HTTP_HEAD_ROOM + 1024];
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf;
    size_t body_len = strlen(body);

    if (lws_add_http_common_headers(wsi, status, "application/json", body_len, &p, end))
        return -1;
    if ((flags & REPLY_ALLOW_POST) &&
        lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_ALLOW, (unsigned char *)"POST", 4, &p,
                                     end))
        return -1;
    if ((flags & REPLY_CLOSE) && lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION,
                                                              (unsigned char *)"close", 5, &p,
                                                              end))
        return -1;
    if (add_cors_headers(conn, wsi, flags, &p, end) || lws_finalize_http_header(wsi, &p, end))
        return -1;
    if (body_len > (size_t)(end - p))
        return -1;
    memcpy(p, body, body_len);
    p += body_len;
    int n = (int)(p - start);
    return lws_write(wsi, start, (size_t)n, LWS_WRITE_HTTP_FINAL) == n ? 0 : -1;
}

#define RPC_ERROR_BODY(code, msg) \
    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":" #code ",\"message\":\"" msg "\"},\"id\":null}"

/* Finishes an lws-answered HTTP exchange: keep-alive or close. */
static int http_reply_and_complete(struct nm_rpc_conn *conn, struct lws *wsi,
                                   unsigned int status, const char *body, unsigned flags)
{
    if (http_reply_now(conn, wsi, status, body, flags))
        return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* Checks a new HTTP request or WebSocket handshake against the connection
 * cap and the Origin allowlist; on refusal answers (then the caller closes)
 * and returns -1. */
static int admit(struct nm_rpc_conn *conn, struct lws *wsi)
{
    struct nm_rpc_server *srv = conn->srv;
    char body[256];
    if (conn->over_cap) {
        srv->stats.refused_capacity++;
        snprintf(body, sizeof body,
                 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32008,\"message\":\"too many "
                 "connections: this node serves at most %d\"},\"id\":null}",
                 srv->max_connections);
        (void)http_reply_now(NULL, wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, body, REPLY_CLOSE);
        return -1;
    }
    if (conn_check_origin(conn) < 0) {
        srv->stats.refused_origin++;
        (void)http_reply_now(NULL, wsi, HTTP_STATUS_FORBIDDEN,
                             RPC_ERROR_BODY(-32009, "origin not allowed (see --rpc-cors)"),
                             REPLY_CLOSE);
        return -1;
    }
    return 0;
}

static int parse_content_length(struct lws *wsi, size_t *out)
{
    char text[32];
    int n = lws_hdr_copy(wsi, text, sizeof text, WSI_TOKEN_HTTP_CONTENT_LENGTH);
    if (n <= 0)
        return -1;
    unsigned long long v = 0;
    for (int i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9' || v > (ULLONG_MAX - 9) / 10)
            return -1;
        v = v * 10 + (unsigned long long)(text[i] - '0');
    }
    *out = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
    return 0;
}

static int on_http(struct nm_rpc_conn *conn, struct lws *wsi)
{
    struct nm_rpc_server *srv = conn->srv;
    char *uri = NULL;
    int uri_len = 0;
    size_t content_length = 0;

    /* a keep-alive connection starts a new exchange */
    conn->is_ws = false;
    conn->http_in_body = false;
    conn->http_responded = false;
    conn->rx_len = 0;
    out_queue_clear(conn);
    conn_read_peer(conn);
    conn_read_bearer(conn);
    if (admit(conn, wsi))
        return -1;

    int method = lws_http_get_uri_and_method(wsi, &uri, &uri_len);
    if (method == LWSHUMETH_GET && uri && uri_len == 7 && !memcmp(uri, "/health", 7))
        return http_reply_and_complete(conn, wsi, HTTP_STATUS_OK, "{\"ok\":true}", 0);
    if (method == LWSHUMETH_OPTIONS)
        return http_reply_and_complete(conn, wsi, HTTP_STATUS_NO_CONTENT, "",
                                       REPLY_ALLOW_POST | REPLY_PREFLIGHT);
    if (method != LWSHUMETH_POST)
        return http_reply_and_complete(
            conn, wsi, HTTP_STATUS_METHOD_NOT_ALLOWED,
            method == LWSHUMETH_HEAD
                ? ""
                : RPC_ERROR_BODY(-32600, "use HTTP POST with a JSON-RPC body, or a WebSocket"),
            REPLY_ALLOW_POST);
    if (srv->deleting || conn->dead)
        return -1;
    if (parse_content_length(wsi, &content_length)) {
        /* lws 4.1 reads POST bodies by Content-Length only (no chunked) */
        (void)http_reply_now(conn, wsi, HTTP_STATUS_LENGTH_REQUIRED,
                             RPC_ERROR_BODY(-32600, "a POST needs a Content-Length"), REPLY_CLOSE);
        return -1;
    }
    if (content_length > srv->max_request_bytes) {
        /* answer without reading the body, then close */
        srv->stats.too_large++;
        char body[256];
        snprintf(body, sizeof body,
                 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32006,\"message\":\"request too "
                 "large: the limit is %zu bytes\"},\"id\":null}",
                 srv->max_request_bytes);
        (void)http_reply_now(conn, wsi, HTTP_STATUS_REQ_ENTITY_TOO_LARGE, body, REPLY_CLOSE);
        return -1;
    }
    conn->http_in_body = true;
    return 0;
}

static int on_http_writeable(struct nm_rpc_conn *conn, struct lws *wsi)
{
    unsigned char head[HTTP_HEAD_ROOM];
    unsigned char *p = head, *end = head + sizeof head;

    if (conn->dead)
        return -1;
    struct out_msg *m = out_queue_pop(conn);
    if (!m)
        return 0;
    if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, "application/json", m->len, &p, end) ||
        add_cors_headers(conn, wsi, 0, &p, end) || lws_finalize_http_header(wsi, &p, end)) {
        free(m);
        return -1;
    }
    /* head and body leave in one write: place the head just before the body */
    size_t head_len = (size_t)(p - head);
    unsigned char *start = m->buf + OUT_HEADROOM - head_len;
    memcpy(start, head, head_len);
    size_t total = head_len + m->len;
    int n = lws_write(wsi, start, total, LWS_WRITE_HTTP_FINAL);
    free(m);
    if (n < 0 || (size_t)n != total)
        return -1;
    conn_notify_close(conn); /* the exchange is over */
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int queue_text(struct nm_rpc_conn *conn, const char *text, size_t len);

/* An oversize message is read away chunk by chunk; once its last byte is
 * in, the peer gets error -32006 and may go on. */
static int on_ws_receive(struct nm_rpc_conn *conn, struct lws *wsi, const void *in, size_t len)
{
    struct nm_rpc_server *srv = conn->srv;
    if (conn->dead || srv->deleting)
        return 0;
    size_t remaining = lws_remaining_packet_payload(wsi);
    if (!conn->discarding && (conn->rx_len + len > srv->max_request_bytes ||
                              remaining > srv->max_request_bytes - conn->rx_len - len)) {
        conn->discarding = true;
        srv->stats.too_large++;
        rx_reset(conn);
        conn->rx_len = 0;
    }
    if (conn->discarding) {
        if (!lws_is_final_fragment(wsi))
            return 0;
        conn->discarding = false;
        char body[256];
        int n = snprintf(body, sizeof body,
                         "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32006,\"message\":\"request "
                         "too large: the limit is %zu bytes\"},\"id\":null}",
                         srv->max_request_bytes);
        (void)queue_text(conn, body, (size_t)n);
        return 0;
    }
    if (rx_append(conn, in, len)) {
        static const char why[] = "out of memory";
        lws_close_reason(wsi, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, (unsigned char *)why,
                         sizeof why - 1);
        conn->dead = true;
        out_queue_clear(conn);
        return -1;
    }
    if (!lws_is_final_fragment(wsi))
        return 0;
    conn->in_receive = true;
    int rc = deliver_request(conn);
    conn->in_receive = false;
    return rc;
}

#define WRITES_PER_CALLBACK 32

/* Several queued messages per callback while the socket takes them whole
 * (a burst of notifications costs one wakeup, not one each). */
static int on_ws_writeable(struct nm_rpc_conn *conn, struct lws *wsi)
{
    if (conn->dead)
        return -1; /* dropped: lws sends the stored close reason */
    for (int i = 0; i < WRITES_PER_CALLBACK && conn->out_head; i++) {
        struct out_msg *m = out_queue_pop(conn);
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
            conn_notify_close(conn);
            conn_free(conn);
        }
        return 0;
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        if (!conn || srv->deleting)
            return -1;
        conn_read_peer(conn);
        return admit(conn, wsi);
    case LWS_CALLBACK_ESTABLISHED:
        if (!conn || srv->deleting || conn->over_cap)
            return -1;
        conn->is_ws = true;
        conn->rx_len = 0;
        conn->discarding = false;
        conn_read_peer(conn);
        conn_read_bearer(conn);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return conn ? on_ws_receive(conn, wsi, in, len) : -1;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return conn ? on_ws_writeable(conn, wsi) : -1;
    case LWS_CALLBACK_CLOSED:
    case LWS_CALLBACK_CLOSED_HTTP:
        if (conn) {
            conn->dead = true;
            conn_notify_close(conn);
        }
        return 0;
    case LWS_CALLBACK_HTTP:
        return conn ? on_http(conn, wsi) : -1;
    case LWS_CALLBACK_HTTP_BODY:
        if (!conn || !conn->http_in_body)
            return 0;
        if (conn->rx_len + len > srv->max_request_bytes || rx_append(conn, in, len))
            return -1;
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (!conn || !conn->http_in_body)
            return 0;
        conn->http_in_body = false;
        if (srv->deleting || conn->dead)
            return -1;
        return deliver_request(conn);
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return conn ? on_http_writeable(conn, wsi) : -1;
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
    if (cfg && (cfg->port < 0 || cfg->port > 65535 || cfg->max_connections < 0))
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
    info.options = LWS_SERVER_OPTION_LIBUV;
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
    if (srv->port <= 0) {
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
        conn_notify_close(conn);
    }
    srv->deleting = true;
    for (struct nm_rpc_conn *conn = srv->conns; conn; conn = conn->next) {
        conn->dead = true;
        out_queue_clear(conn);
    }
    /* first call: closes the listener and every wsi; the loop completes it */
    lws_context_destroy(srv->ctx);
    uv_timer_start(&srv->reaper, reaper_tick, REAP_INTERVAL_MS, REAP_INTERVAL_MS);
}

#define DIRECT_STACK_BYTES 16384

/* The reply to a request, written at once from the receive callback when
 * nothing is queued ahead of it and lws holds no unsent remainder: this
 * saves the two poll changes and the loop turn of a writeable callback per
 * reply. What the socket does not take lws keeps (one message at most:
 * later sends queue until it has gone) and sends first. 1 written, 0 not
 * tried, -1 the connection failed. */
static int write_direct(struct nm_rpc_conn *conn, const char *text, size_t len)
{
    unsigned char small[LWS_PRE + DIRECT_STACK_BYTES];
    if (!conn->is_ws || !conn->in_receive || conn->out_head || conn->dead ||
        len > (size_t)INT_MAX - LWS_PRE || lws_partial_buffered(conn->wsi))
        return 0;
    unsigned char *buf = len <= DIRECT_STACK_BYTES ? small : malloc(LWS_PRE + len);
    if (!buf)
        return 0;
    memcpy(buf + LWS_PRE, text, len);
    int n = lws_write(conn->wsi, buf + LWS_PRE, len, LWS_WRITE_TEXT);
    if (buf != small)
        free(buf);
    if (n < 0 || (size_t)n < len) {
        conn_drop(conn, "write failed");
        return -1;
    }
    return 1;
}

/* Queues text for the peer (see nm_rpc_conn_send). */
static int queue_text(struct nm_rpc_conn *conn, const char *text, size_t len)
{
    struct nm_rpc_server *srv = conn->srv;
    int direct = write_direct(conn, text, len);
    conn->in_receive = false; /* one direct write per request: the reply */
    if (direct)
        return direct > 0 ? 0 : NM_E_CONNECT;
    if (len > (size_t)INT_MAX - OUT_HEADROOM ||
        len + OUT_OVERHEAD > srv->max_outbound_bytes - conn->out_bytes) {
        srv->stats.dropped_slow++;
        conn_drop(conn, "outbound queue limit exceeded");
        return NM_E_TOO_BIG;
    }
    struct out_msg *m = malloc(sizeof *m + OUT_HEADROOM + len);
    if (!m) {
        conn_drop(conn, "out of memory");
        return NM_E_NOMEM;
    }
    m->next = NULL;
    m->len = len;
    if (len)
        memcpy(m->buf + OUT_HEADROOM, text, len);
    if (conn->out_tail)
        conn->out_tail->next = m;
    else
        conn->out_head = m;
    conn->out_tail = m;
    conn->out_bytes += len + OUT_OVERHEAD;
    srv->stats.queued_bytes += len + OUT_OVERHEAD;
    if (!conn->is_ws)
        conn->http_responded = true;
    lws_callback_on_writable(conn->wsi);
    return 0;
}

int nm_rpc_conn_send(struct nm_rpc_conn *conn, const char *text, size_t len)
{
    if (!conn || (!text && len))
        return NM_E_INVAL;
    struct nm_rpc_server *srv = conn->srv;
    if (srv->deleting || conn->dead)
        return NM_E_CONNECT;
    if (!conn->is_ws && (!conn->announced || conn->http_responded))
        return NM_E_INVAL;
    return queue_text(conn, text, len);
}

bool nm_rpc_conn_is_websocket(const struct nm_rpc_conn *conn)
{
    return conn && conn->is_ws;
}

const char *nm_rpc_conn_peer(const struct nm_rpc_conn *conn)
{
    return conn ? conn->peer : "";
}

const char *nm_rpc_conn_bearer(const struct nm_rpc_conn *conn)
{
    return conn ? conn->bearer : NULL;
}

void *nm_rpc_conn_get_data(const struct nm_rpc_conn *conn)
{
    return conn ? conn->data : NULL;
}

void nm_rpc_conn_set_data(struct nm_rpc_conn *conn, void *data)
{
    if (conn)
        conn->data = data;
}
