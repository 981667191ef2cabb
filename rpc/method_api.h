/* method_api.h - what a JSON-RPC method module needs: the request it gets
 * (chain, connection, positional params), parameter checks that answer
 * -32602 with a clear message, error replies for chain errors (code, message
 * and {name, code, message} data from node/errors.h), subscriptions by
 * topic, and the table type a module registers its methods with (listed in
 * rpc/methods.c). Everything here runs on the node thread. */
#ifndef NM_RPC_METHOD_API_H
#define NM_RPC_METHOD_API_H

#include "node/chain.h"
#include "node/errors.h"
#include "rpc/methods.h"
#include "rpc/server.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* JSON-RPC codes of the transport level, by their old names: the codes
 * and messages live in node/errors.h (the RPC_* entries of the one
 * X-macro), beside the chain errors. */
#define NM_RPC_PARSE_ERROR NM_CODE_RPC_PARSE
#define NM_RPC_INVALID_REQUEST NM_CODE_RPC_INVALID_REQUEST
#define NM_RPC_NO_METHOD NM_CODE_RPC_NO_METHOD /* also: an unsafe method refused */
#define NM_RPC_INVALID_PARAMS NM_CODE_RPC_INVALID_PARAMS
#define NM_RPC_INTERNAL NM_CODE_INTERNAL
#define NM_RPC_TOO_MANY_SUBSCRIPTIONS NM_CODE_RPC_TOO_MANY_SUBSCRIPTIONS
#define NM_RPC_RATE_LIMITED NM_CODE_RPC_RATE_LIMITED
#define NM_RPC_REQUEST_TOO_LARGE NM_CODE_RPC_REQUEST_TOO_LARGE /* sent by rpc/server.c */
#define NM_RPC_RESPONSE_TOO_LARGE NM_CODE_RPC_RESPONSE_TOO_LARGE
#define NM_RPC_TOO_MANY_CONNECTIONS NM_CODE_RPC_TOO_MANY_CONNECTIONS /* rpc/server.c */
#define NM_RPC_ORIGIN_NOT_ALLOWED NM_CODE_RPC_ORIGIN_NOT_ALLOWED     /* rpc/server.c */
#define NM_RPC_INVALID_TX NM_CODE_RPC_INVALID_TX
#define NM_RPC_TX_ALREADY_IMPORTED NM_CODE_RPC_TX_ALREADY_IMPORTED

/* Substrate's message for an unsafe method refused. */
#define NM_RPC_UNSAFE_MESSAGE "RPC call is unsafe to be called externally"

struct nm_rpc_answer; /* the dispatcher's state for one request text */

struct nm_rpc_request {
    struct nm_rpc_methods *methods;
    struct nm_chain *chain;
    struct nm_rpc_conn *conn;   /* NULL when answering without a connection */
    const cJSON *params;        /* the positional array, or NULL */
    struct nm_rpc_answer *answer; /* the dispatcher's; for nm_rpc_subscribe_first */
    const cJSON *id;            /* the request's id (NULL: a notification) */
    bool can_defer;             /* on a connection, not in a batch: see nm_rpc_later_new */
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

/* The dispatcher's check of a request's positional params against the
 * method's declared ones (info->params, e.g. "[subnet, epoch?, uid?]"; a
 * name in brackets is a list): no more than declared, and each present
 * non-null one of its name's JSON type (docs/rpc.md, "Parameters"). Missing
 * or null ones are the method's to judge. 0, or -1 with e filled (-32602). */
int nm_rpc_params_check(const struct nm_rpc_method_info *info, const cJSON *params,
                        struct nm_rpc_error_out *e);
/* Whether every parameter name of a declaration is known (for tests). */
bool nm_rpc_params_declared(const char *params);

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
/* As nm_rpc_subscribe, and first (taken, may be NULL) goes to the new
 * subscriber as a method(first) notification right after the reply: the
 * current value, so a subscriber need not also poll. filter (may be NULL,
 * at most 63 bytes) is kept with the subscription for the publisher. */
int nm_rpc_subscribe_first(struct nm_rpc_request *r, const char *topic, const char *filter,
                           const char *method, cJSON *first, cJSON **result,
                           struct nm_rpc_error_out *e);
/* Answer budget (issue 17): every answer is bounded before it is built. A
 * method about to build a large result reserves its size in bytes; the
 * reservations of one request text (a whole batch) share
 * --rpc-max-response-size. Past it: -1 with error -32007 naming the size
 * asked and what is left (hint: a paging parameter). */
int nm_rpc_budget_take(struct nm_rpc_request *r, size_t bytes, const char *hint,
                       struct nm_rpc_error_out *e);

/* Paging of a list method (issue 17): optional params i and i + 1 are
 * offset and limit (a client follows pages with them); of a list of total
 * items, the page is [*first, *end). -1 with -32602 for a bad one. */
int nm_rpc_page(struct nm_rpc_request *r, int i, uint64_t total, uint64_t *first, uint64_t *end,
                struct nm_rpc_error_out *e);

/* Answers that come later (author_submitExtrinsic once a worker has checked
 * the signature). A method whose request can_defer takes a handle with
 * nm_rpc_later_new and returns NM_RPC_DEFERRED instead of 0 or -1; the
 * dispatcher then sends nothing, and nm_rpc_later_answer (exactly once,
 * on the node thread) sends the reply the method would have made: result
 * (taken), or e when result is NULL. If the connection closed meanwhile,
 * or the request was a notification, or result and e are both NULL (the
 * method answered after all), nothing is sent. */
#define NM_RPC_DEFERRED 1
struct nm_rpc_later;
struct nm_rpc_later *nm_rpc_later_new(struct nm_rpc_request *r);
void nm_rpc_later_answer(struct nm_rpc_later *l, cJSON *result, struct nm_rpc_error_out *e);
/* The methods the handle answers for; NULL once they are deleted. */
struct nm_rpc_methods *nm_rpc_later_methods(const struct nm_rpc_later *l);

/* Counts an extrinsic outcome (metrics, Prometheus). */
void nm_rpc_count_extrinsic(struct nm_rpc_methods *m, enum nm_rpc_ext_outcome o);
/* Topics published by the dispatcher and rpc/methods_node.c: "newHeads",
 * "finalizedHeads", "extrinsic" (keyed by hash), "epochs", "events"
 * (filter: event-name prefix), "metrics", and "peers", which a peer-to-peer
 * layer publishes as system_peersUpdate with the new list. */

/* What the node lent (rpc/methods.h), and its counters. */
const struct nm_rpc_node_hooks *nm_rpc_methods_hooks(const struct nm_rpc_methods *m);
int nm_rpc_methods_connections(const struct nm_rpc_methods *m);
struct nm_rpc_metrics *nm_rpc_methods_metrics_mut(struct nm_rpc_methods *m);
/* {epoch, height, tempo, start, end} of the best block's epoch. */
cJSON *nm_rpc_epoch_json(struct nm_chain *c);

/* Method tables of the modules (rpc/methods_*.c), listed in rpc/methods.c. */
/* chain, accounts, subnets, neurons, extrinsics: rpc/methods_chain.c */
extern const struct nm_rpc_method_table nm_rpc_chain_methods;
/* node control (unsafe), metrics and live feeds: rpc/methods_node.c */
extern const struct nm_rpc_method_table nm_rpc_node_methods;
/* peer methods: rpc/methods_p2p.c */
extern const struct nm_rpc_method_table nm_rpc_p2p_methods;
/* Connected peers (0 without p2p), for system_health. */
int nm_rpc_p2p_peer_count(struct nm_rpc_methods *m);
/* The node is catching up from peers (system_health.isSyncing). */
bool nm_rpc_p2p_syncing(struct nm_rpc_methods *m);
/* AutoNAT's verdict: "unknown", "public" or "private" ("unknown" without p2p). */
const char *nm_rpc_p2p_reachability(struct nm_rpc_methods *m);
/* weights, consensus and epochs: rpc/methods_consensus.c */
extern const struct nm_rpc_method_table nm_rpc_consensus_methods;
/* governance: rpc/methods_gov.c */
extern const struct nm_rpc_method_table nm_rpc_gov_methods;
extern const struct nm_rpc_method_table nm_rpc_bft_methods;

/* Events of a block as JSON (extrinsic < 0: all of them), from the
 * offset-th event at most limit of them (0, UINT64_MAX: all). */
cJSON *nm_rpc_events_json(struct nm_chain *c, uint64_t height, int extrinsic, uint64_t offset,
                          uint64_t limit);

#endif
