/* client.h - JSON-RPC 2.0 client over WebSocket, used by `neuromesh exec`,
 * the console and benchmarks; the same code for the embedded node and a
 * remote one. The client runs its own thread (a libuv loop with
 * libwebsockets on it); calls may come from any one other thread (or several,
 * each call blocks only its caller), but nm_rpc_client_close must not race
 * them: close after the last call has returned.
 *
 * Lost links: with reconnect off (nm_rpc_client_connect), once the link is
 * down every call fails with NM_E_CONNECT; connect a new client. With
 * reconnect on (nm_rpc_client_open), after a link that was up is lost the
 * client reconnects with exponential backoff (min, doubling, max, plus up
 * to 25% jitter), subscribes again to every subscription (same callback,
 * same id for the caller) and tells on_link. Calls in flight when the link
 * drops fail with NM_E_CONNECT (they may or may not have run: nothing is
 * retried); calls made while it is down wait for it up to their timeout. */
#ifndef NM_RPC_CLIENT_H
#define NM_RPC_CLIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

struct nm_rpc_client;

/* A JSON-RPC error reply, or a local failure (code = nm_rpc_code(err)). */
struct nm_rpc_error {
    int code;          /* JSON-RPC error code */
    char message[512];
    cJSON *data;       /* owned; may be NULL; freed by nm_rpc_error_fini */
};
void nm_rpc_error_fini(struct nm_rpc_error *e);

/* An async call's outcome, on the client thread, exactly once: rc 0 with
 * result (valid during the call), or rc NM_E_RPC / NM_E_TIMEOUT /
 * NM_E_CONNECT with err. Same restrictions as nm_rpc_notify_fn. */
typedef void (*nm_rpc_async_fn)(void *ud, int rc, const cJSON *result,
                                const struct nm_rpc_error *err);

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

struct nm_rpc_client_config {
    const char *url;        /* ws://HOST:PORT[/path] */
    const char *token;      /* bearer token, or NULL */
    int connect_timeout_ms; /* the first connection; <= 0: 10 s */
    bool reconnect;         /* see above */
    int backoff_min_ms;     /* <= 0: 100 */
    int backoff_max_ms;     /* <= 0: 5000 */
    /* the link went down (up false, why) or came back (up true), on the
     * client thread; may be NULL. Same restrictions as nm_rpc_notify_fn. */
    void (*on_link)(void *ud, bool up, const char *why);
    void *link_ud;
};
/* As nm_rpc_client_connect with every option; the first connection must
 * succeed within the timeout, reconnect or not. */
int nm_rpc_client_open(const struct nm_rpc_client_config *cfg, struct nm_rpc_client **out,
                       struct nm_rpc_error *err);
/* Blocking call. params is taken (may be NULL for []). On success
 * *result_out is the "result" (caller frees with cJSON_Delete). On a
 * JSON-RPC error reply returns NM_E_RPC and fills err (code, message, data).
 * NM_E_TIMEOUT if no reply within timeout_ms (<= 0: 30 s; a late reply is
 * dropped); NM_E_CONNECT if the link is down. err may be NULL. */
int nm_rpc_client_call(struct nm_rpc_client *c, const char *method, cJSON *params,
                       int timeout_ms, cJSON **result_out, struct nm_rpc_error *err);
/* Queues a call and returns at once; fn gets the outcome (see
 * nm_rpc_async_fn). params is taken. When it returns an error (bad
 * arguments, link down) fn never runs. timeout_ms <= 0: 30 s. */
int nm_rpc_client_call_async(struct nm_rpc_client *c, const char *method, cJSON *params,
                             int timeout_ms, nm_rpc_async_fn fn, void *ud,
                             struct nm_rpc_error *err);
/* Subscribes with method(params); notifications go to fn. The subscription
 * id (a string or number in the reply) is copied into sub_id (cap bytes) as
 * text; it stays the caller's name for it across reconnects. Notifications
 * that arrive right after the reply are not lost. */
int nm_rpc_client_subscribe(struct nm_rpc_client *c, const char *method, cJSON *params,
                            nm_rpc_notify_fn fn, void *ud, char *sub_id, size_t cap,
                            struct nm_rpc_error *err);
/* Ends a subscription: stops routing it and calls the node's unsubscribe
 * method (e.g. "chain_unsubscribeNewHeads") with its current id. NM_E_INVAL
 * when sub_id names none. */
int nm_rpc_client_unsubscribe(struct nm_rpc_client *c, const char *method, const char *sub_id,
                              struct nm_rpc_error *err);
/* 1 while the WebSocket is up, 0 once it is down (or c is NULL). */
int nm_rpc_client_is_connected(struct nm_rpc_client *c);
/* Closes the link, joins the thread, frees everything. NULL is a no-op. */
void nm_rpc_client_close(struct nm_rpc_client *c);

#endif
