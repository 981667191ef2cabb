/* methods_internal.h - private to rpc/methods.c (the dispatcher) and
 * rpc/subscriptions.c: the method layer's state, its connections'
 * dispatcher state and subscriptions. Nothing else includes it. */
#ifndef NM_RPC_METHODS_INTERNAL_H
#define NM_RPC_METHODS_INTERNAL_H

#include "rpc/method_api.h"
#include "rpc/ratelimit.h"

#define SUB_ID_LEN 24

/* The dispatcher's state of one connection (nm_rpc_conn_get_data). */
struct conn_state {
    struct nm_bucket b;
    struct nm_addr_entry *ip;
    int nsubs;
};

struct subscription {
    struct subscription *prev, *next;
    struct nm_rpc_conn *conn;
    struct conn_state *cs;
    char topic[32];
    bool has_key;
    nm_hash key;
    char filter[64];
    char id[SUB_ID_LEN];
};

/* A first notification, sent once the reply that created it is out. */
struct first_note {
    struct first_note *next;
    char id[SUB_ID_LEN];
    char method[48];
    cJSON *result;
};

/* A reply still to come (method_api.h, nm_rpc_later_new). */
struct nm_rpc_later {
    struct nm_rpc_later *prev, *next; /* in m->later while m lives */
    struct nm_rpc_methods *m;         /* NULL once m is deleted */
    struct nm_rpc_conn *conn;         /* NULL once it closed */
    cJSON *id;                        /* a copy; NULL for a notification */
};

struct nm_rpc_answer {
    struct nm_rpc_methods *m;
    struct nm_rpc_conn *conn; /* NULL: answering without a connection */
    struct conn_state *cs;    /* with conn */
    const char *peer;
    const char *token;
    struct first_note *first;
    struct first_note **first_tail;
    size_t budget_spent; /* nm_rpc_budget_take, for the whole text */
    bool batch;          /* answers of a batch go out together: none deferred */
};

struct nm_rpc_methods {
    struct nm_chain *chain;
    struct subscription *subs;
    uint64_t next_sub_id;
    struct nm_rpc_methods_config cfg;
    char *token; /* cfg.token points here */
    struct nm_rpc_node_hooks hooks;
    struct nm_rpc_metrics metrics;
    struct nm_addr_limits *addrs;
    uint64_t last_epoch;
    bool reading; /* a read transaction is open (see read_txn_begin) */
    struct nm_rpc_later *later; /* replies still to come */
};

/* --- subscriptions (rpc/subscriptions.c) --- */

/* The subscription id of conn, or NULL. */
struct subscription *nm_rpc_sub_find(struct nm_rpc_methods *m, struct nm_rpc_conn *conn,
                                     const char *id);
/* Removes and frees s. */
void nm_rpc_sub_unlink(struct nm_rpc_methods *m, struct subscription *s);
/* Sends method(result) to s. */
void nm_rpc_sub_notify(const struct subscription *s, const char *method, const cJSON *result);
/* Whether any connection subscribes to topic. */
bool nm_rpc_has_subscribers(const struct nm_rpc_methods *m, const char *topic);
/* Ends every subscription of conn (it closed). */
void nm_rpc_subs_close_conn(struct nm_rpc_methods *m, struct nm_rpc_conn *conn);

#endif
