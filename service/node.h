/* node.h - the node thread's composition root: a running full node, its own
 * thread with a libuv loop that owns the chain (database, state, pool), the
 * block timer, the JSON-RPC server (libwebsockets on the same loop) and the
 * Prometheus endpoint - and soon p2p. It lives outside node/ so that the
 * chain's own modules never include rpc/. Other
 * threads talk to it only through JSON-RPC, or stop it with nm_node_stop
 * (uv_async_send). */
#ifndef NM_SERVICE_NODE_H
#define NM_SERVICE_NODE_H

#include "node/chainspec.h"
#include "node/crypto.h"
#include "node/p2p/host.h"
#include "node/mempool.h"
#include "rpc/methods.h"

#include <stdbool.h>
#include <stddef.h>

/* Where log lines go (block produced, warnings); runs on the node thread. */
typedef void (*nm_node_log_fn)(void *ud, const char *line);

/* Which log lines pass: lines starting "error" are errors, "warning"
 * warnings, "debug" debug, the rest info. */
enum nm_node_log_level {
    NM_NODE_LOG_INFO = 0, /* default */
    NM_NODE_LOG_WARN,
    NM_NODE_LOG_ERROR,
    NM_NODE_LOG_DEBUG,
};

struct nm_node_config {
    const struct nm_chain_spec *spec; /* copied */
    const char *db_path;              /* the chain database file */
    const struct nm_keypair *author;  /* seals blocks; NULL: never author */
    const char *rpc_bind;             /* NULL: 127.0.0.1 */
    int rpc_port;                     /* 0: the OS picks */
    int max_connections;              /* 0: default (100) */
    bool produce;                     /* false: no block timer (tests, bench) */
    uint64_t block_interval_ms;       /* 0: the chain's block_time_ms */
    /* --validator: author must be an authority (an error otherwise); on a
     * chain with several authorities it runs BFT consensus (needs p2p) */
    bool validator;
    nm_node_log_fn log;
    void *log_ud;
    enum nm_node_log_level log_level; /* system_setLogLevel changes it */
    /* JSON-RPC policy and limits; NULL: nm_rpc_methods_config_init's. */
    const struct nm_rpc_methods_config *rpc_methods;
    size_t rpc_max_request_bytes;     /* 0: 512 KiB */
    /* further request limits (issue 17), 0: the server's defaults; see
     * struct nm_rpc_server_config */
    unsigned rpc_max_json_depth;
    size_t rpc_max_json_values;
    size_t rpc_max_buffered_bytes;
    unsigned rpc_request_timeout_secs;
    int rpc_max_connections_per_address;
    int rpc_reserved_connections;
    unsigned rpc_idle_timeout_secs;
    size_t rpc_max_notify_bytes;
    size_t rpc_max_outbound_bytes;    /* 0: 16 MiB per connection */
    const char *rpc_cors;             /* NULL: NM_RPC_DEFAULT_CORS */
    struct nm_pool_limits pool;       /* zero fields: defaults (node/mempool.h) */
    bool force_new;                   /* a new chain over a lost one (nm_chain_open_with) */
    /* Prometheus exposition (GET /metrics) */
    bool prometheus;                  /* false: none */
    const char *prometheus_bind;      /* NULL: 127.0.0.1 */
    int prometheus_port;              /* 0: the OS picks */
    bool prometheus_optional;         /* a port that cannot be bound is a warning */
    /* node_shutdown over RPC calls this on the node thread (shortly after
     * the reply went out); NULL: the method is refused. */
    void (*on_shutdown)(void *ud);
    void *shutdown_ud;
    /* The p2p layer (node/p2p/host.h); NULL: none. Borrowed until
     * nm_node_start returns (the host copies what it keeps); its log lines
     * go to log. */
    const struct nm_p2p_config *p2p;
};

struct nm_node;

/* Starts the node thread and returns once the chain is open and RPC is
 * listening (or with an error and a sentence in msg). Raises the process's
 * open-file limit to its hard limit (one descriptor per connection). */
int nm_node_start(const struct nm_node_config *cfg, struct nm_node **out, char *msg, size_t cap);
/* The RPC port actually listened on. */
int nm_node_rpc_port(const struct nm_node *n);
/* The p2p port, or 0 when there is no p2p layer. */
int nm_node_p2p_port(const struct nm_node *n);
/* The Prometheus port, or 0 when there is none. */
int nm_node_prometheus_port(const struct nm_node *n);
/* Asks the node to stop (any thread), waits for the thread: the block in
 * progress is committed or not started, the database closed. Frees n. */
void nm_node_stop(struct nm_node *n);

#endif
