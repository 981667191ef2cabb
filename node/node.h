/* node.h - a running full node: its own thread with a libuv loop that owns
 * the chain (database, state, pool), the block timer and the JSON-RPC
 * server (libwebsockets on the same loop). Other threads talk to it only
 * through JSON-RPC, or stop it with nm_node_stop (uv_async_send). */
#ifndef NM_NODE_H
#define NM_NODE_H

#include "node/chainspec.h"
#include "node/crypto.h"

#include <stdbool.h>
#include <stddef.h>

/* Where log lines go (block produced, warnings); runs on the node thread. */
typedef void (*nm_node_log_fn)(void *ud, const char *line);

struct nm_node_config {
    const struct nm_chain_spec *spec; /* copied */
    const char *db_path;              /* the chain database file */
    const struct nm_keypair *author;  /* seals blocks; NULL: never author */
    const char *rpc_bind;             /* NULL: 127.0.0.1 */
    int rpc_port;                     /* 0: the OS picks */
    int max_connections;              /* 0: default (100) */
    bool produce;                     /* false: no block timer (tests, bench) */
    nm_node_log_fn log;
    void *log_ud;
};

struct nm_node;

/* Starts the node thread and returns once the chain is open and RPC is
 * listening (or with an error and a sentence in msg). */
int nm_node_start(const struct nm_node_config *cfg, struct nm_node **out, char *msg, size_t cap);
/* The RPC port actually listened on. */
int nm_node_rpc_port(const struct nm_node *n);
/* Asks the node to stop (any thread), waits for the thread: the block in
 * progress is committed or not started, the database closed. Frees n. */
void nm_node_stop(struct nm_node *n);

#endif
