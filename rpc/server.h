/* server.h - JSON-RPC transport: WebSocket and HTTP POST on one port, served
 * by libwebsockets running on the node's libuv loop (foreign loop, no extra
 * thread). The server frames and limits; it does not parse JSON. Each
 * complete request text goes to handler->on_request; replies and
 * notifications go back with nm_rpc_conn_send(), now or later (deferred
 * replies and subscriptions). All functions run on the loop's thread, and
 * none may be called from inside a handler callback except the nm_rpc_conn_*
 * ones (nm_rpc_server_delete in particular: defer it to a later loop turn).
 *
 * Shutdown: nm_rpc_server_delete(srv), then let the loop run until it has no
 * more work (uv_run(loop, UV_RUN_DEFAULT) returns once the node's own handles
 * are closed too), then uv_loop_close(loop) succeeds. The server's memory is
 * released by the loop during that run, not by delete itself. */
#ifndef NM_RPC_SERVER_H
#define NM_RPC_SERVER_H

#include "rpc/cors.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct nm_rpc_server;
/* One client connection (a WebSocket, or one HTTP POST exchange). Valid from
 * the on_request that first names it until on_close for it returns; a later
 * on_request may hand over the same pointer again as a new conn (the next
 * exchange on an HTTP keep-alive connection). */
struct nm_rpc_conn;

/* Limits (issue 17 hardening; flags in docs/rpc.md): a connection beyond
 * max_connections gets HTTP 503 with JSON-RPC
 * error -32008 (a few beyond that are closed at once, unanswered). A
 * WebSocket message above max_request_bytes is read and thrown away without
 * being buffered and answered with error -32006; the connection stays. An
 * HTTP POST whose Content-Length is above it gets 413 (error -32006) and is
 * closed. Sends that would queue more than max_outbound_bytes (counting
 * each message's bookkeeping) on one connection drop it: close code 1008,
 * reason "outbound queue limit exceeded" (a slow consumer).
 *
 * Browsers: a request with an Origin header is served only if the origin is
 * allowed by cors, else HTTP 403 with error -32009; allowed HTTP replies
 * carry Access-Control-Allow-Origin, and OPTIONS preflights are answered.
 * cors is "all", "none", or a comma-separated list of origins
 * (scheme://host[:port]; port "*" matches any port or none); NULL means
 * NM_RPC_DEFAULT_CORS. Requests without Origin (non-browser clients) are
 * always served. */
struct nm_rpc_server_config {
    const char *bind_address;   /* IPv4 or IPv6 address; "127.0.0.1" when NULL */
    int port;                   /* 0: the OS picks; see nm_rpc_server_port() */
    size_t max_request_bytes;   /* default 512 KiB */
    /* Every request must be strict JSON (RFC 8259, UTF-8, one value, no
     * "\u0000", numbers a double can hold) nested at most max_json_depth
     * deep with at most max_json_values values, else it is answered here
     * (-32700, or -32600 for the limits) and never reaches the handler. */
    unsigned max_json_depth;    /* default 64 */
    size_t max_json_values;     /* default 65536 */
    /* Unfinished WebSocket messages and POST bodies of all connections
     * together; the connection that would pass it is closed (WebSocket
     * 1008 "server busy: too many unfinished requests"). */
    size_t max_buffered_bytes;  /* default 32 MiB */
    /* An unfinished message or POST body not complete within this closes
     * its connection. A frame announcing more than the request size plus
     * 16 MiB is not read away: close code 1009. */
    unsigned request_timeout_secs; /* default 10 */
    bool raw_text;              /* tests of the transport only: no JSON check */
    /* Slots (issue 17): a peer address other than loopback, without the
     * token, may hold at most max_connections_per_address; the last
     * reserved_connections slots are for loopback and token holders; at the
     * cap, the connection unused longest (no subscription, nothing in
     * flight, idle 1 s or more) is closed (1008 "idle connection evicted")
     * for the newcomer; a WebSocket without subscriptions that sends
     * nothing for idle_timeout_secs is closed (1008 "idle timeout"). */
    int max_connections_per_address; /* default a quarter of max_connections */
    int reserved_connections;   /* default a tenth of max_connections */
    unsigned idle_timeout_secs; /* default 300 */
    /* Notifications (nm_rpc_conn_notify) queued beyond this drop the
     * connection (1008 "notification queue limit exceeded"). */
    size_t max_notify_bytes;    /* default 1 MiB */
    const char *token;          /* the node's RPC token (copied), or NULL */
    size_t max_outbound_bytes;  /* queued per connection before it is dropped; default 16 MiB */
    int max_connections;        /* default 100 */
    const char *cors;           /* see above; NULL: NM_RPC_DEFAULT_CORS */
};

/* Counters since the server started (nm_rpc_server_stats). */
struct nm_rpc_server_stats {
    int connections;           /* served now (as nm_rpc_server_connection_count) */
    uint64_t accepted;         /* connections served, ever */
    uint64_t refused_capacity; /* over max_connections */
    uint64_t refused_origin;   /* Origin not allowed */
    uint64_t too_large;        /* requests above max_request_bytes */
    uint64_t refused_json;     /* not strict JSON, or over the depth/value limits */
    uint64_t refused_busy;     /* over max_buffered_bytes */
    uint64_t timed_out;        /* POST bodies not complete within request_timeout_secs */
    uint64_t refused_address;  /* over max_connections_per_address */
    uint64_t evicted_idle;     /* idle connections closed for a newcomer */
    uint64_t closed_idle;      /* WebSockets closed after idle_timeout_secs */
    uint64_t deferred;         /* requests left for a later loop turn (the slice was spent) */
    uint64_t dropped_slow;     /* dropped at the outbound limit */
    uint64_t refused_pipelined; /* HTTP connections closed at a pipelined request */
    size_t queued_bytes;       /* outbound bytes queued now, all connections */
};

struct nm_rpc_handler {
    void *ctx;
    /* A complete request (one WS text message or one HTTP POST body). The
     * text is only valid during the call. */
    void (*on_request)(void *ctx, struct nm_rpc_conn *conn, const char *text, size_t len);
    /* The connection is gone; forget every reference to it. Called exactly
     * once for every conn that was passed to on_request (never for one that
     * sent nothing): when the peer goes, when the server drops it, when an
     * HTTP exchange has sent its response, and from nm_rpc_server_delete. */
    void (*on_close)(void *ctx, struct nm_rpc_conn *conn);
};

/* Listens on cfg (NULL: all defaults). NM_E_INVAL on bad arguments (a bind
 * address that is not an IP address, a malformed cors list), NM_E_IO if the
 * port cannot be bound;
 * such failures leave nothing on the loop. (Should libwebsockets itself fail
 * after that check, the loop must run as after a delete before it closes.)
 * handler is copied. HTTP: POST to any path carries a request; GET /health
 * answers {"ok":true}; other methods get 405. WebSocket: any path, with no
 * subprotocol (a client that asks for an unknown one is refused). */
int nm_rpc_server_new(uv_loop_t *loop, const struct nm_rpc_server_config *cfg,
                      const struct nm_rpc_handler *handler, struct nm_rpc_server **out);
/* The port actually listened on (useful with port 0). */
int nm_rpc_server_port(const struct nm_rpc_server *srv);
int nm_rpc_server_connection_count(const struct nm_rpc_server *srv);
void nm_rpc_server_stats(const struct nm_rpc_server *srv, struct nm_rpc_server_stats *out);

/* The node's next block is due in_ms from now (issue 17: no request may
 * delay a block). From a tenth of that before it (at most 100 ms) until the
 * node calls this again, or the block is 500 ms late, requests of all
 * connections take at most 1 ms of the loop thread together; the others
 * wait (their WebSockets paused) until the call that follows the block, so
 * the thread is idle, and the scheduler lets it run at once, when its block
 * timer fires. Memory is not given back in that window either. 0: no block
 * is expected (no quiet window). A NULL srv is ignored. */
void nm_rpc_server_next_block(struct nm_rpc_server *srv, uint64_t in_ms);

/* Stops listening, closes every connection (on_close is called for each,
 * before delete returns; the handler is never called again), and releases the
 * server. The loop must then run until the handles libwebsockets left close
 * (uv_run until it returns); srv is freed during that run. */
void nm_rpc_server_delete(struct nm_rpc_server *srv);

/* Queues text (copied) for the peer. On WebSocket: one text message. On HTTP:
 * the response body (application/json), after which the exchange ends; a
 * second send on an HTTP conn fails. NM_E_* on failure: NM_E_TOO_BIG when the
 * connection's outbound limit is exceeded (the connection is then dropped),
 * NM_E_CONNECT when it is already closing. */
int nm_rpc_conn_send(struct nm_rpc_conn *conn, const char *text, size_t len);
/* As nm_rpc_conn_send, for a subscription's notification on a WebSocket:
 * bounded by max_notify_bytes queued (NM_E_TOO_BIG, the connection is
 * dropped). */
int nm_rpc_conn_notify(struct nm_rpc_conn *conn, const char *text, size_t len);
/* A held connection (it has subscriptions) is never closed as idle nor
 * evicted. */
void nm_rpc_conn_set_held(struct nm_rpc_conn *conn, bool held);
/* true for WebSocket connections (they can carry subscriptions). */
bool nm_rpc_conn_is_websocket(const struct nm_rpc_conn *conn);
/* Peer IPv4/IPv6 address as text ("127.0.0.1"). */
const char *nm_rpc_conn_peer(const struct nm_rpc_conn *conn);
/* Per-connection user slot for the method layer. */
void *nm_rpc_conn_get_data(const struct nm_rpc_conn *conn);
void nm_rpc_conn_set_data(struct nm_rpc_conn *conn, void *data);
/* The token of an "Authorization: Bearer TOKEN" header on the WebSocket
 * handshake or on this HTTP request; NULL if none. Owned by the conn. */
const char *nm_rpc_conn_bearer(const struct nm_rpc_conn *conn);

#endif
