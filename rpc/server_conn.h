/* server_conn.h - internals shared by the parts of the JSON-RPC transport:
 * server.c (connections, WebSocket, lifecycle), server_http.c (HTTP POST
 * exchanges, CORS, answers made by the server), server_send.c (outbound
 * queues, the nm_rpc_conn_* API) and server_slots.c (slots, idle, memory,
 * the node thread's slice).
 * Not a public API: only rpc/server*.c include it. */
#ifndef NM_RPC_SERVER_CONN_H
#define NM_RPC_SERVER_CONN_H

#include "rpc/jsonscan.h"
#include "rpc/server.h"
#include "rpc/server_pipeline.h"

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEFAULT_BIND_ADDRESS "127.0.0.1"
/* issue 17: requests are small (a submitted extrinsic is a few KiB of hex);
 * 15 MiB let one text cost seconds of the node thread and 40x its size in
 * parse tree. */
#define DEFAULT_MAX_REQUEST_BYTES ((size_t)512 * 1024)
/* All unfinished messages and bodies of all connections together. */
#define DEFAULT_MAX_BUFFERED_BYTES ((size_t)32 * 1024 * 1024)
/* An unfinished message or POST body must be complete within this. */
#define DEFAULT_REQUEST_TIMEOUT_SECS 10
/* A frame announcing more than this beyond the limit is not read away: the
 * connection is closed with 1009 (a frame may announce 2^63 bytes). */
#define DISCARD_MAX_BYTES ((size_t)16 * 1024 * 1024)
/* A WebSocket without subscriptions that sends nothing this long is closed. */
#define DEFAULT_IDLE_TIMEOUT_SECS 300
/* Queued notifications of one connection before it is dropped (replies
 * keep max_outbound_bytes: a block may be 14 MiB of hex). */
#define DEFAULT_MAX_NOTIFY_BYTES ((size_t)1024 * 1024)
/* What a closed connection's handler state (subscriptions: up to 1024 of
 * a few hundred bytes) is counted as, for giving memory back. */
#define CONN_STATE_ESTIMATE_BYTES ((size_t)256 * 1024)
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
    bool http_body_seen; /* this exchange's first body chunk came */
    bool http_pipelined; /* bytes came behind this request: answer, then close */
    struct nm_http_spurious http_spurious; /* lws's repeated body completions */
    bool over_cap;       /* accepted past max_connections: answered 503 */
    bool discarding;     /* reading an oversize WebSocket message away */
    bool in_receive;     /* inside this WebSocket's receive callback, nothing sent yet */
    bool timer_armed;    /* the request timeout runs (an unfinished message or body) */
    uint64_t body_deadline_ms; /* uv_now by which a POST body must be in */
    uint64_t last_active_ms;   /* uv_now of the last byte in or message out */
    bool held;           /* has subscriptions: never idle (nm_rpc_conn_set_held) */
    bool privileged;     /* loopback or the node's token: reserve, no address cap */
    bool deferred;       /* a complete request waits for a later loop turn */
    uint64_t deferred_seq;
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
    size_t max_buffered_bytes;
    size_t buffered_bytes; /* rx buffers of all connections */
    unsigned request_timeout_secs;
    struct nm_json_limits json;
    bool raw_text;
    int max_connections;
    int max_per_address;
    int reserved_connections;
    unsigned idle_timeout_secs;
    size_t max_notify_bytes;
    char *token;            /* the node's RPC token, or NULL */
    uv_timer_t sweeper;     /* idle connections, memory given back */
    bool sweeper_on;
    size_t freed_since_trim;
    uint64_t last_trim_ms;
    /* the node thread's slice for requests: time spent this loop turn */
    uint64_t turn_ms;      /* uv_now of the turn counted */
    uint64_t turn_spent_ns;
    uint64_t next_deferred_seq;
    uv_timer_t drain;      /* delivers deferred requests on later turns */
    /* the quiet window before a block (nm_rpc_server_next_block): hrtime
     * ns, 0 when none; what requests took of the thread within it */
    uint64_t quiet_from_ns, quiet_until_ns;
    uint64_t quiet_spent_ns;
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
/* ---- server.c ---- */
void nm_rpc_srv_out_clear(struct nm_rpc_conn *conn);
/* Takes the first queued message (the caller frees it); NULL when empty. */
struct out_msg *nm_rpc_srv_out_pop(struct nm_rpc_conn *conn);
/* The handler forgets the conn (once per announced conn or HTTP exchange). */
void nm_rpc_srv_conn_notify_close(struct nm_rpc_conn *conn);
void nm_rpc_srv_conn_read_bearer(struct nm_rpc_conn *conn);
void nm_rpc_srv_conn_read_peer(struct nm_rpc_conn *conn);
int nm_rpc_srv_rx_append(struct nm_rpc_conn *conn, const void *in, size_t len);
/* Hands the assembled request to the handler, now or on a later loop turn;
 * -1 closes the connection. */
int nm_rpc_srv_deliver(struct nm_rpc_conn *conn);
/* Checks and hands it over now (the receive buffer holds it, NUL-ended). */
void nm_rpc_srv_deliver_now(struct nm_rpc_conn *conn);
void nm_rpc_srv_conn_drop(struct nm_rpc_conn *conn, const char *why);
/* Starts (once) or stops the request timeout of an unfinished message. */
void nm_rpc_srv_request_timer(struct nm_rpc_conn *conn, bool on);
/* Queues text for the peer (see nm_rpc_conn_send). */
int nm_rpc_srv_queue_text(struct nm_rpc_conn *conn, const char *text, size_t len);

/* ---- server_slots.c ---- */
/* At an HTTP request or WebSocket handshake (peer and bearer read): the
 * per-address cap, the reserved share, the global cap with eviction of the
 * oldest idle connection. 0 admitted; -1 refused, with the reason for a
 * -32008 error in why. */
int nm_rpc_slots_admit(struct nm_rpc_conn *conn, char *why, size_t cap);
int nm_rpc_slots_start(struct nm_rpc_server *srv);
void nm_rpc_slots_stop(struct nm_rpc_server *srv);
/* The node thread's slice (issue 17: no request may delay a block): once
 * the requests of one loop turn took TURN_BUDGET_NS (5 ms), or those of the
 * quiet window before a block QUIET_BUDGET_NS (1 ms), further complete
 * requests wait (their WebSocket paused) and are delivered on the next
 * turns, after timers such as the block timer have run (after the block,
 * for the quiet window). */
bool nm_rpc_turn_defer(struct nm_rpc_conn *conn);
void nm_rpc_turn_spent(struct nm_rpc_server *srv, uint64_t ns);
/* Inside the quiet window before a block at hrtime now_ns. */
bool nm_rpc_turn_quiet(const struct nm_rpc_server *srv, uint64_t now_ns);
/* Delivers conn's deferred request now and resumes its reading. */
void nm_rpc_turn_deliver(struct nm_rpc_conn *conn);
/* Counts memory released, so the sweeper gives it back to the system. */
void nm_rpc_slots_freed(struct nm_rpc_server *srv, size_t bytes);

/* ---- server_http.c ---- */
/* Checks a new HTTP request or WebSocket handshake against the connection
 * cap and the Origin allowlist; on refusal answers and returns -1. */
int nm_rpc_http_admit(struct nm_rpc_conn *conn, struct lws *wsi);
/* LWS_CALLBACK_HTTP: a new exchange (POST, GET /health, OPTIONS ...). */
int nm_rpc_http_on_request(struct nm_rpc_conn *conn, struct lws *wsi);
/* LWS_CALLBACK_HTTP_BODY and _BODY_COMPLETION: the POST body, within the
 * request size, the buffered total and the request timeout. */
int nm_rpc_http_on_body(struct nm_rpc_conn *conn, const void *in, size_t len);
int nm_rpc_http_on_body_done(struct nm_rpc_conn *conn);
/* LWS_CALLBACK_HTTP_WRITEABLE: sends the queued response. */
int nm_rpc_http_on_writeable(struct nm_rpc_conn *conn, struct lws *wsi);

#endif
