/* server.h - JSON-RPC transport: WebSocket and HTTP POST on one port, served
 * by libwebsockets running on the node's libuv loop (foreign loop, no extra
 * thread). The server frames and limits; it does not parse JSON. Each
 * complete request text goes to handler->on_request; replies and
 * notifications go back with nm_rpc_conn_send(), now or later (deferred
 * replies and subscriptions). All functions run on the loop's thread. */
#ifndef NM_RPC_SERVER_H
#define NM_RPC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct nm_rpc_server;
/* One client connection (a WebSocket, or one HTTP POST exchange). Valid from
 * the on_request that first names it until on_close for it returns. */
struct nm_rpc_conn;

struct nm_rpc_server_config {
    const char *bind_address;   /* "127.0.0.1" (default when NULL) */
    int port;                   /* 0: the OS picks; see nm_rpc_server_port() */
    size_t max_request_bytes;   /* default 15 MiB */
    size_t max_outbound_bytes;  /* queued per connection before it is dropped; default 64 MiB */
    int max_connections;        /* default 100 */
};

struct nm_rpc_handler {
    void *ctx;
    /* A complete request (one WS text message or one HTTP POST body). The
     * text is only valid during the call. */
    void (*on_request)(void *ctx, struct nm_rpc_conn *conn, const char *text, size_t len);
    /* The connection is gone; forget every reference to it. */
    void (*on_close)(void *ctx, struct nm_rpc_conn *conn);
};

int nm_rpc_server_new(uv_loop_t *loop, const struct nm_rpc_server_config *cfg,
                      const struct nm_rpc_handler *handler, struct nm_rpc_server **out);
/* The port actually listened on (useful with port 0). */
int nm_rpc_server_port(const struct nm_rpc_server *srv);
int nm_rpc_server_connection_count(const struct nm_rpc_server *srv);
/* Stops listening, closes every connection (on_close is called for each),
 * and releases the server. The loop must then run until the handles libws
 * left close (uv_run until it returns). */
void nm_rpc_server_delete(struct nm_rpc_server *srv);

/* Queues text (copied) for the peer. On WebSocket: one text message. On HTTP:
 * the response body (application/json), after which the exchange ends; a
 * second send on an HTTP conn fails. NM_E_* on failure. */
int nm_rpc_conn_send(struct nm_rpc_conn *conn, const char *text, size_t len);
/* true for WebSocket connections (they can carry subscriptions). */
bool nm_rpc_conn_is_websocket(const struct nm_rpc_conn *conn);
/* Peer IPv4/IPv6 address as text ("127.0.0.1"). */
const char *nm_rpc_conn_peer(const struct nm_rpc_conn *conn);
/* Per-connection user slot for the method layer. */
void *nm_rpc_conn_get_data(const struct nm_rpc_conn *conn);
void nm_rpc_conn_set_data(struct nm_rpc_conn *conn, void *data);

#endif
