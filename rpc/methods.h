/* methods.h - the JSON-RPC method layer of a node: parses JSON-RPC 2.0
 * requests (single or batch), checks them in one place (shape, method
 * lookup, params form, who may call an unsafe method, rate limits), runs
 * the method against the chain and answers; keeps subscriptions per
 * connection and notifies them as blocks are made; counts every call
 * (rpc/metrics.h). Runs on the node thread: methods read and change chain
 * state directly. */
#ifndef NM_RPC_METHODS_H
#define NM_RPC_METHODS_H

#include "node/chain.h"
#include "rpc/metrics.h"
#include "rpc/server.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_rpc_methods;
struct nm_p2p_host; /* node/p2p/host.h */
struct nm_pubsub;   /* node/p2p/pubsub.h */

/* A method as data. New fields go LAST: method tables elsewhere use
 * positional initialisers ({name, params, summary, subscription}). */
struct nm_rpc_method_info {
    const char *name;
    const char *params;  /* e.g. "[hash?]" */
    const char *summary;
    bool subscription;
    bool unsafe;         /* node control: needs --rpc-methods and the token */
};

/* Who may call unsafe methods (--rpc-methods). */
enum nm_rpc_methods_mode {
    NM_RPC_METHODS_AUTO,   /* unsafe methods for loopback callers only */
    NM_RPC_METHODS_SAFE,   /* never */
    NM_RPC_METHODS_UNSAFE, /* for any caller */
};

/* Policy and limits of the dispatcher. Fill with nm_rpc_methods_config_init
 * (the defaults below), then change fields. Every unsafe call needs, beyond
 * the mode, the token: without one configured, unsafe calls are refused. */
struct nm_rpc_methods_config {
    enum nm_rpc_methods_mode mode; /* AUTO */
    const char *token;             /* copied; NULL: none */
    int max_subscriptions;         /* per connection: 1024 */
    int max_subscriptions_per_address; /* all connections of a peer address: 2048 */
    size_t max_response_bytes;     /* 15 MiB; a larger reply becomes error -32007 */
    uint32_t rate_per_conn;        /* calls per second per connection (burst the
                                      same): 1000; 0: no limit */
    uint32_t rate_per_ip;          /* calls per second per peer address: 5000; 0: off */
};

/* What the node lends the methods (all optional; ud is passed back). */
struct nm_rpc_node_hooks {
    void *ud;
    void (*shutdown)(void *ud);                       /* node_shutdown */
    int (*set_log_level)(void *ud, const char *level); /* system_setLogLevel; NM_E_INVAL */
    int (*connections)(void *ud);                     /* open RPC connections */
    struct nm_p2p_host *p2p;                          /* peer methods; NULL: no p2p */
    struct nm_pubsub *pubsub; /* gossip scores and announcements; NULL: no p2p */
    /* bft_state of this node's consensus engine (a new object), NULL: none */
    cJSON *(*bft_state)(void *ud);
    /* author_submitExtrinsic on a connection checks signatures on this
     * queue's workers and answers when admitted; NULL: on the node thread,
     * answered at once (node/admission.h) */
    struct nm_admission *admission;
};

/* The caller of a request answered without a connection (tests, fuzzing):
 * peer address text ("127.0.0.1", NULL: none) and bearer token (or NULL). */
struct nm_rpc_caller {
    const char *peer;
    const char *token;
};

int nm_rpc_methods_new(struct nm_chain *chain, struct nm_rpc_methods **out);
void nm_rpc_methods_delete(struct nm_rpc_methods *m);
void nm_rpc_methods_config_init(struct nm_rpc_methods_config *cfg);
/* NM_E_INVAL for a bad value, NM_E_NOMEM; the previous policy stays then. */
int nm_rpc_methods_configure(struct nm_rpc_methods *m, const struct nm_rpc_methods_config *cfg);
void nm_rpc_methods_set_hooks(struct nm_rpc_methods *m, const struct nm_rpc_node_hooks *hooks);
/* BFT: a new height or round began: notify bft_subscribeRounds subscribers
 * with state (taken; rpc/methods_bft.c). */
void nm_rpc_bft_round_changed(struct nm_rpc_methods *m, cJSON *state);
/* The peer list changed: notify system_subscribePeers subscribers
 * (rpc/methods_p2p.c). */
void nm_rpc_p2p_publish_peers(struct nm_rpc_methods *m);
/* The server handler that feeds requests to m. */
struct nm_rpc_handler nm_rpc_methods_handler(struct nm_rpc_methods *m);
/* Tells subscribers about a block the chain just added (new and finalized
 * heads, its events, a new epoch, watched extrinsics) and counts its
 * extrinsics by outcome. */
void nm_rpc_methods_block_added(struct nm_rpc_methods *m, const struct nm_block_outcome *o);
/* Requests share one read transaction per loop turn: end it at the end of
 * each turn (a uv_check handle) and before anything writes to the chain. */
void nm_rpc_methods_end_reads(struct nm_rpc_methods *m);
/* Call about once a second: sends metrics_subscribe notifications and
 * forgets idle rate-limit entries. */
void nm_rpc_methods_tick(struct nm_rpc_methods *m);
/* Counters of every call (owned by m). */
const struct nm_rpc_metrics *nm_rpc_methods_metrics(const struct nm_rpc_methods *m);
/* Answers one request text without a connection (no subscriptions, no rate
 * limit): for tests and fuzzing. The caller is anonymous (not loopback, no
 * token) unless given with _as. Returns a malloc'd reply, or NULL when the
 * request needs none (a notification). */
char *nm_rpc_methods_answer(struct nm_rpc_methods *m, const char *text, size_t len);
char *nm_rpc_methods_answer_as(struct nm_rpc_methods *m, const struct nm_rpc_caller *who,
                               const char *text, size_t len);

/* The registered methods, for rpc_methods and the docs check. */
size_t nm_rpc_method_count(void);
const struct nm_rpc_method_info *nm_rpc_method_at(size_t i);
/* Index of a registered method, or -1. */
long nm_rpc_method_index(const char *name);

#endif
