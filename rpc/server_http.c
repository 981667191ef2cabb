/* server_http.c - the HTTP half of the JSON-RPC transport: POST exchanges
 * (Content-Length, size limit), GET /health, CORS and preflights, and the
 * small answers the server makes itself (refusals, errors). */
#include "rpc/server_conn.h"

#include "node/errors.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
int nm_rpc_http_admit(struct nm_rpc_conn *conn, struct lws *wsi)
{
    struct nm_rpc_server *srv = conn->srv;
    char body[256], why[128];
    if (nm_rpc_slots_admit(conn, why, sizeof why)) {
        srv->stats.refused_capacity++;
        snprintf(body, sizeof body,
                 "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32008,\"message\":\"%s\"},"
                 "\"id\":null}",
                 why);
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

int nm_rpc_http_on_request(struct nm_rpc_conn *conn, struct lws *wsi)
{
    struct nm_rpc_server *srv = conn->srv;
    char *uri = NULL;
    int uri_len = 0;
    size_t content_length = 0;

    /* a keep-alive connection starts a new exchange */
    conn->is_ws = false;
    conn->http_in_body = false;
    conn->http_responded = false;
    conn->http_body_seen = false;
    conn->http_pipelined = false;
    conn->rx_len = 0;
    nm_rpc_srv_out_clear(conn);
    nm_rpc_srv_conn_read_peer(conn);
    nm_rpc_srv_conn_read_bearer(conn);
    if (nm_rpc_http_admit(conn, wsi))
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
    /* lws re-arms its own timeout at each chunk of a body, so a peer sending
     * a byte a second would hold the slot: the body has a deadline of its
     * own, checked at each chunk (lws's timeout covers a peer that stops) */
    conn->body_deadline_ms = uv_now(srv->loop) + (uint64_t)srv->request_timeout_secs * 1000;
    return 0;
}

int nm_rpc_http_on_body(struct nm_rpc_conn *conn, const void *in, size_t len)
{
    struct nm_rpc_server *srv = conn->srv;
    if (!conn->http_body_seen) {
        conn->http_body_seen = true;
        /* a pipelined request that lws would spin on (server_pipeline.h):
         * the answers before it are out, the connection closes */
        if (len && nm_http_body_is_request_head(in, len)) {
            srv->stats.refused_pipelined++;
            conn->http_in_body = false;
            return -1;
        }
    }
    if (!conn->http_in_body)
        return 0;
    if (conn->rx_len + len > srv->max_request_bytes)
        return -1;
    conn->last_active_ms = uv_now(srv->loop);
    if (uv_now(srv->loop) > conn->body_deadline_ms) {
        srv->stats.timed_out++;
        return -1;
    }
    int err = nm_rpc_srv_rx_append(conn, in, len);
    if (err == NM_E_TOO_BIG)
        srv->stats.refused_busy++;
    return err ? -1 : 0;
}

int nm_rpc_http_on_body_done(struct nm_rpc_conn *conn)
{
    struct nm_rpc_server *srv = conn->srv;
    if (!conn->http_in_body) {
        /* lws 4.1 says the body is complete again when more bytes came
         * behind a request (pipelined): while its answer is due, that answer
         * says "Connection: close" and ends the connection; with no answer
         * due (one made by the server and a body read away) it ends now */
        if (nm_http_spurious_completion(&conn->http_spurious, uv_now(srv->loop)))
            return -1;
        if (conn->announced || conn->deferred || conn->out_head) {
            conn->http_pipelined = true;
            return 0;
        }
        return -1;
    }
    conn->http_in_body = false;
    if (srv->deleting || conn->dead)
        return -1;
    return nm_rpc_srv_deliver(conn);
}

int nm_rpc_http_on_writeable(struct nm_rpc_conn *conn, struct lws *wsi)
{
    unsigned char head[HTTP_HEAD_ROOM];
    unsigned char *p = head, *end = head + sizeof head;

    if (conn->dead)
        return -1;
    struct out_msg *m = nm_rpc_srv_out_pop(conn);
    if (!m)
        return 0;
    if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, "application/json", m->len, &p, end) ||
        (conn->http_pipelined &&
         lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION, (unsigned char *)"close", 5,
                                      &p, end)) ||
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
    nm_rpc_srv_conn_notify_close(conn); /* the exchange is over */
    if (conn->http_pipelined) { /* the answer is out; lws closes */
        conn->srv->stats.refused_pipelined++;
        return -1;
    }
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}