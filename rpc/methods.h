/* methods.h - the JSON-RPC method layer of a node: parses JSON-RPC 2.0
 * requests (single or batch), checks their shape and params in one place,
 * runs the method against the chain and answers; keeps subscriptions per
 * connection and notifies them as blocks are made. Runs on the node
 * thread: methods read and change chain state directly. */
#ifndef NM_RPC_METHODS_H
#define NM_RPC_METHODS_H

#include "node/chain.h"
#include "rpc/server.h"

#include <stdbool.h>
#include <stddef.h>

struct nm_rpc_methods;

struct nm_rpc_method_info {
    const char *name;
    const char *params;  /* e.g. "[hash?]" */
    const char *summary;
    bool subscription;
};

int nm_rpc_methods_new(struct nm_chain *chain, struct nm_rpc_methods **out);
void nm_rpc_methods_delete(struct nm_rpc_methods *m);
/* The server handler that feeds requests to m. */
struct nm_rpc_handler nm_rpc_methods_handler(struct nm_rpc_methods *m);
/* Tells subscribers about a block the chain just added. */
void nm_rpc_methods_block_added(struct nm_rpc_methods *m, const struct nm_block_outcome *o);
/* Answers one request text without a connection (no subscriptions): for
 * tests and fuzzing. Returns a malloc'd reply, or NULL when the request
 * needs none (a notification). */
char *nm_rpc_methods_answer(struct nm_rpc_methods *m, const char *text, size_t len);

/* The registered methods, for rpc_methods and the docs check. */
size_t nm_rpc_method_count(void);
const struct nm_rpc_method_info *nm_rpc_method_at(size_t i);

#endif
