/* server_send.c - the outbound half of the JSON-RPC transport: replies
 * written at once from the receive callback, queues bounded per connection
 * (replies) and per subscriber (notifications), and the nm_rpc_conn_* API
 * the method layer uses (see server.h). */
#include "rpc/server_conn.h"

#include "node/errors.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

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
        nm_rpc_srv_conn_drop(conn, "write failed");
        return -1;
    }
    return 1;
}

/* Queues text for the peer (see nm_rpc_conn_send). */
int nm_rpc_srv_queue_text(struct nm_rpc_conn *conn, const char *text, size_t len)
{
    struct nm_rpc_server *srv = conn->srv;
    int direct = write_direct(conn, text, len);
    conn->in_receive = false; /* one direct write per request: the reply */
    if (direct)
        return direct > 0 ? 0 : NM_E_CONNECT;
    if (len > (size_t)INT_MAX - OUT_HEADROOM ||
        len + OUT_OVERHEAD > srv->max_outbound_bytes - conn->out_bytes) {
        srv->stats.dropped_slow++;
        nm_rpc_srv_conn_drop(conn, "outbound queue limit exceeded");
        return NM_E_TOO_BIG;
    }
    struct out_msg *m = malloc(sizeof *m + OUT_HEADROOM + len);
    if (!m) {
        nm_rpc_srv_conn_drop(conn, "out of memory");
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
    conn->last_active_ms = uv_now(srv->loop);
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
    if (conn->srv->deleting || conn->dead)
        return NM_E_CONNECT;
    if (!conn->is_ws && (!conn->announced || conn->http_responded))
        return NM_E_INVAL;
    return nm_rpc_srv_queue_text(conn, text, len);
}

int nm_rpc_conn_notify(struct nm_rpc_conn *conn, const char *text, size_t len)
{
    if (!conn || !conn->is_ws)
        return conn && (conn->srv->deleting || conn->dead) ? NM_E_CONNECT : NM_E_INVAL;
    struct nm_rpc_server *srv = conn->srv;
    if (!srv->deleting && !conn->dead &&
        (len + OUT_OVERHEAD > srv->max_notify_bytes ||
         conn->out_bytes > srv->max_notify_bytes - len - OUT_OVERHEAD)) {
        srv->stats.dropped_slow++;
        nm_rpc_srv_conn_drop(conn, "notification queue limit exceeded: read your subscriptions");
        return NM_E_TOO_BIG;
    }
    return nm_rpc_conn_send(conn, text, len);
}

void nm_rpc_conn_set_held(struct nm_rpc_conn *conn, bool held)
{
    if (conn)
        conn->held = held;
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
