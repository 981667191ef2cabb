/* method_api.h - what a JSON-RPC method module needs: the request it gets
 * (chain, connection, positional params), parameter checks that answer
 * -32602 with a clear message, error replies for chain errors (code, message
 * and {name, code, message} data from node/errors.h), subscriptions by
 * topic, and the table type a module registers its methods with (listed in
 * rpc/methods.c). Everything here runs on the node thread. */
#ifndef NM_RPC_METHOD_API_H
#define NM_RPC_METHOD_API_H

#include "node/chain.h"
#include "rpc/methods.h"
#include "rpc/server.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* JSON-RPC codes of the transport level (chain errors: node/errors.h). */
enum {
    NM_RPC_PARSE_ERROR = -32700,
    NM_RPC_INVALID_REQUEST = -32600,
    NM_RPC_NO_METHOD = -32601,
    NM_RPC_INVALID_PARAMS = -32602,
    NM_RPC_INVALID_TX = 1010,
    NM_RPC_TX_ALREADY_IMPORTED = 1013,
};

struct nm_rpc_request {
    struct nm_rpc_methods *methods;
    struct nm_chain *chain;
    struct nm_rpc_conn *conn;   /* NULL when answering without a connection */
    const cJSON *params;        /* the positional array, or NULL */
};

struct nm_rpc_error_out {
    int code;
    char message[256];
    cJSON *data;                /* owned until the reply takes it */
};

/* A method fills *result (a new cJSON) and returns 0, or fills e and
 * returns -1 (the nm_rpc_fail* helpers return -1). */
typedef int (*nm_rpc_method_fn)(struct nm_rpc_request *r, cJSON **result,
                                struct nm_rpc_error_out *e);

struct nm_rpc_method {
    struct nm_rpc_method_info info;
    nm_rpc_method_fn fn;
};

struct nm_rpc_method_table {
    const struct nm_rpc_method *methods;
    size_t count;
};

/* Error replies. nm_rpc_fail formats like printf (quote user text with a
 * bounded %.79s); newlines in the result become spaces. */
int nm_rpc_fail(struct nm_rpc_error_out *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int nm_rpc_fail_chain(struct nm_rpc_error_out *e, int err, const char *context);

/* Parameters (index i of the positional array). */
const cJSON *nm_rpc_param(struct nm_rpc_request *r, int i);
bool nm_rpc_param_missing(const cJSON *p);
/* A whole number: JSON number up to 2^53, decimal string, or 0x hex. */
int nm_rpc_param_u64(struct nm_rpc_request *r, int i, uint64_t *out, struct nm_rpc_error_out *e);
int nm_rpc_param_hash(struct nm_rpc_request *r, int i, nm_hash *out, struct nm_rpc_error_out *e);
int nm_rpc_param_account(struct nm_rpc_request *r, int i, nm_account *out,
                         struct nm_rpc_error_out *e);
/* 1..65535 */
int nm_rpc_param_subnet(struct nm_rpc_request *r, int i, uint16_t *out,
                        struct nm_rpc_error_out *e);
/* Height of an optional block-hash parameter (the best block when absent). */
int nm_rpc_param_block(struct nm_rpc_request *r, int i, uint64_t *height,
                       struct nm_rpc_error_out *e);

/* Subscriptions. A subscription is a topic (e.g. "newHeads", "epochs",
 * "events") on a WebSocket connection, optionally narrowed by a key (a
 * hash). nm_rpc_subscribe answers the request with the new id (into
 * *result); nm_rpc_unsubscribe removes the id named by param 0 (result true
 * or false); nm_rpc_publish sends method(result) to every subscriber of the
 * topic (result is copied for each and then freed). */
int nm_rpc_subscribe(struct nm_rpc_request *r, const char *topic, const nm_hash *key,
                     cJSON **result, struct nm_rpc_error_out *e);
int nm_rpc_unsubscribe(struct nm_rpc_request *r, const char *topic, cJSON **result,
                       struct nm_rpc_error_out *e);
void nm_rpc_publish(struct nm_rpc_methods *m, const char *topic, const char *method,
                    cJSON *result);

/* Method tables of the modules (rpc/methods_*.c). */
extern const struct nm_rpc_method_table nm_rpc_chain_methods;
/* weights/consensus method table */
/* governance method table */

/* Events of a block as JSON (extrinsic < 0: all of them). */
cJSON *nm_rpc_events_json(struct nm_chain *c, uint64_t height, int extrinsic);

#endif
