/* role_chain.h - what the miner and validator roles ask the chain at start,
 * over JSON-RPC through a client session (client/session.h): the
 * subnet's schemas and task, and the signer's neuron on the subnet. */
#ifndef NM_MINER_ROLE_CHAIN_H
#define NM_MINER_ROLE_CHAIN_H

#include "client/session.h"

#include <stddef.h>
#include <stdint.h>

struct nm_role_subnet {
    unsigned id;
    char task[32];
    char *input_schema;  /* malloc'd; CODE_GEN_BASE's when the chain says "{}" */
    char *output_schema; /* for a CODE_GEN subnet */
};
void nm_role_subnet_fini(struct nm_role_subnet *s);

/* subnet_get ID. NM_E_UNKNOWN_SUBNET, NM_E_CONNECT, ... with err. */
int nm_role_subnet_get(struct nm_session *s, unsigned id, struct nm_role_subnet *out,
                       char *err, size_t cap);

struct nm_role_neuron {
    long uid;          /* -1: not registered */
    char role[16];     /* "miner" / "validator" */
    char endpoint[256];
    char address[64];  /* the signer's SS58 address */
};
/* Looks up the signer's neuron in neuron_list ID (uid -1 when absent). */
int nm_role_neuron_find(struct nm_session *s, unsigned subnet, struct nm_role_neuron *out,
                        char *err, size_t cap);

/* A command-line integer option: 0 with *out, or -1 after printing
 * "error: FLAG wants an integer from MIN to MAX, not \"V\"". */
/* Signs an announcement of endpoint as the session's signer (a neuron of
 * role "miner" or "validator" on subnet) at the node's best height and
 * hands it to the node (neuron_announce), which checks it against the
 * registry and gossips it on the subnet's topic (node/p2p/announce.h). */
int nm_role_announce(struct nm_session *s, unsigned subnet, const char *role,
                     const char *endpoint, char *err, size_t cap);
/* Takes, from the node's neuron_announcements, each miner's announced
 * endpoint into list (neuron_list objects; nm_announce_fill_endpoints). How
 * many changed; 0 when the node has no p2p layer. */
int nm_role_fill_announced(struct nm_session *s, unsigned subnet, cJSON *list);

#endif
