/* client_internal.h - private to rpc/client.c (the calling API) and
 * rpc/client_thread.c (the client thread: connection, reconnect,
 * resubscribe): the client's state, what the calling threads and the client
 * thread share under its mutex, and the helpers both use. */
#ifndef NM_RPC_CLIENT_INTERNAL_H
#define NM_RPC_CLIENT_INTERNAL_H

#include "rpc/client.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <uv.h>

#define PROTOCOL_NAME "nm-jsonrpc-client"
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_CALL_TIMEOUT_MS 30000
/* Largest reply or notification accepted; matches the server's default
 * outbound limit per connection. */
#define MAX_MESSAGE_BYTES ((size_t)64 * 1024 * 1024)
#define RX_CHUNK_BYTES 65536
#define RX_KEEP_BYTES 65536
#define HOST_MAX 256
#define PATH_MAX_LEN 1024
#define TOKEN_MAX 4096
#define SUB_ID_MAX 128
#define QUOTE_MAX 80
#define METHOD_MAX 128
#define DEFAULT_BACKOFF_MIN_MS 100
#define DEFAULT_BACKOFF_MAX_MS 5000
#define SWEEP_MS 50

/* CONNECTING: the first connection; RECONNECTING: lost after being up,
 * retrying (reconnect on); DOWN: for good. */
enum link_state { LINK_CONNECTING, LINK_UP, LINK_RECONNECTING, LINK_DOWN };

struct outgoing {
    struct outgoing *next;
    size_t len;
    unsigned char buf[]; /* LWS_PRE bytes, then len bytes of text */
};

struct pending {
    struct pending *next;
    uint64_t id;
    bool done;
    int err;      /* NM_E_CONNECT when the link went down first */
    cJSON *reply; /* the whole reply object */
    /* subscribe: registered by the client thread as the reply arrives, so
     * no notification that follows it can be missed */
    nm_rpc_notify_fn fn;
    void *ud;
    char sub_id[SUB_ID_MAX];
    bool sub_registered;
    char *sub_method; /* subscribe: method and params text, kept to subscribe again */
    char *sub_params;
    /* internal: the client's own re-subscription after a reconnect */
    struct subscription *resub;
    /* async call: the callback runs on the client thread; no waiter */
    nm_rpc_async_fn async_fn;
    void *async_ud;
    struct timespec deadline;
    char method[METHOD_MAX];
};

struct subscription {
    struct subscription *next;
    char id[SUB_ID_MAX];     /* the node's id now (changes on resubscribe) */
    char handle[SUB_ID_MAX]; /* the first id, as given to the caller */
    nm_rpc_notify_fn fn;
    void *ud;
    char *method;
    char *params;
};

struct nm_rpc_client {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;

    /* under mu */
    enum link_state state;
    char link_error[256];
    bool wake_ready; /* uv_async_send allowed */
    bool stop;
    uint64_t next_id;
    struct pending *pending;
    struct outgoing *out_head, *out_tail;
    struct subscription *subs;

    /* client thread only */
    uv_loop_t loop;
    uv_async_t wake;
    struct lws_context *ctx;
    struct lws *wsi;
    bool shutting_down;
    struct outgoing *send_head, *send_tail;
    char *rx;
    size_t rx_len, rx_cap;
    uv_timer_t retry; /* backoff before the next connection attempt */
    uv_timer_t sweep; /* async call deadlines */
    bool ever_up;
    int attempt;
    uint32_t jitter;

    /* set before the thread starts, read-only after */
    bool reconnect;
    int backoff_min_ms, backoff_max_ms;
    void (*on_link)(void *ud, bool up, const char *why);
    void *link_ud;
    char host[HOST_MAX];
    char host_header[HOST_MAX + 16];
    char path[PATH_MAX_LEN];
    int port;
    char *auth_value; /* "Bearer TOKEN" or NULL */
};

/* --- shared helpers --- */

/* err's code from an NM_E_* and a message; returns err. e may be NULL. */
int nm_rpcc_error_set(struct nm_rpc_error *e, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void nm_rpcc_error_clear(struct nm_rpc_error *e);
/* A bounded, single-line copy of user input for error messages. */
void nm_rpcc_quote_input(char *dst, size_t cap, const char *src);
/* The result of a reply, or NM_E_RPC with err filled from its error. */
int nm_rpcc_take_reply(cJSON *reply, const char *method, cJSON **result_out,
                       struct nm_rpc_error *err);
void nm_rpcc_pending_free(struct pending *p);
void nm_rpcc_subscription_free(struct subscription *s);
void nm_rpcc_outgoing_free_list(struct outgoing *m);

/* --- the client thread (rpc/client_thread.c) --- */

/* The thread's body: arg is the client. */
void *nm_rpcc_client_thread(void *arg);

#endif
