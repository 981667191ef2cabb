/* client.h - JSON-RPC 2.0 client over WebSocket, used by `neuromesh exec`,
 * the console and benchmarks; the same code for the embedded node and a
 * remote one. The client runs its own thread (a libuv loop with
 * libwebsockets on it); calls may come from any one other thread (or several,
 * each call blocks only its caller), but nm_rpc_client_close must not race
 * them: close after the last call has returned. No reconnect: once the link
 * is down every call fails with NM_E_CONNECT; connect a new client. */
#ifndef NM_RPC_CLIENT_H
#define NM_RPC_CLIENT_H

#include <cjson/cJSON.h>
#include <stdint.h>

struct nm_rpc_client;

/* A JSON-RPC error reply, or a local failure (code = nm_rpc_code(err)). */
struct nm_rpc_error {
    int code;          /* JSON-RPC error code */
    char message[512];
    cJSON *data;       /* owned; may be NULL; freed by nm_rpc_error_fini */
};
void nm_rpc_error_fini(struct nm_rpc_error *e);

/* Notification callback for a subscription; runs on the client thread, in
 * the order the node sent them. result is only valid during the call. It must
 * not call nm_rpc_client_call/subscribe/close (the thread would wait on
 * itself); hand work to another thread instead. */
typedef void (*nm_rpc_notify_fn)(void *ud, const cJSON *result);

/* Connects to ws://HOST:PORT[/path]; token (may be NULL) is sent as
 * "Authorization: Bearer TOKEN" in the handshake. Waits up to timeout_ms
 * (<= 0: 10 s) for the connection. NM_E_INVAL with a message in err for a bad
 * URL or token (wss:// is not supported), NM_E_CONNECT with a message on
 * failure to connect (refused, unreachable, handshake rejected, timeout). */
int nm_rpc_client_connect(const char *url, const char *token, int timeout_ms,
                          struct nm_rpc_client **out, struct nm_rpc_error *err);
/* Blocking call. params is taken (may be NULL for []). On success
 * *result_out is the "result" (caller frees with cJSON_Delete). On a
 * JSON-RPC error reply returns NM_E_RPC and fills err (code, message, data).
 * NM_E_TIMEOUT if no reply within timeout_ms (<= 0: 30 s; a late reply is
 * dropped); NM_E_CONNECT if the link is down. err may be NULL. */
int nm_rpc_client_call(struct nm_rpc_client *c, const char *method, cJSON *params,
                       int timeout_ms, cJSON **result_out, struct nm_rpc_error *err);
/* Subscribes with method(params); notifications go to fn. The subscription
 * id (a string or number in the reply) is copied into sub_id (cap bytes) as
 * text. Notifications that arrive right after the reply are not lost. There
 * is no local unsubscribe yet: call the node's unsubscribe method; the
 * routing entry lives until close. */
int nm_rpc_client_subscribe(struct nm_rpc_client *c, const char *method, cJSON *params,
                            nm_rpc_notify_fn fn, void *ud, char *sub_id, size_t cap,
                            struct nm_rpc_error *err);
/* 1 while the WebSocket is up, 0 once it is down (or c is NULL). */
int nm_rpc_client_is_connected(struct nm_rpc_client *c);
/* Closes the link, joins the thread, frees everything. NULL is a no-op. */
void nm_rpc_client_close(struct nm_rpc_client *c);

#endif
