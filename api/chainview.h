/* chainview.h - what the aggregator knows of the chain (issue 13): every
 * subnet with its compiled schemas and its miners with W_global, endpoint
 * and health. Fed by subscription, not polling: the metagraph is read
 * again on each epoch_subscribe notification (and when the link comes
 * back); miners are health-checked over gRPC every health_ms. Readers take
 * an immutable, reference-counted snapshot, so a query never waits for the
 * chain. Chain access is JSON-RPC only (rpc/client.h), on a thread of its
 * own. */
#ifndef NM_API_CHAINVIEW_H
#define NM_API_CHAINVIEW_H

#include "node/miner/client.h"
#include "node/schema_json/schema_json.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_api_miner {
    uint32_t uid;
    uint64_t weight_ppb; /* W_global */
    char endpoint[256];
    char hotkey[64];
    bool healthy;
    int64_t health_latency_ms; /* last HealthCheck round trip; -1 unknown */
    struct nm_miner_client *client; /* owned by the view, lives as long as it */
};

struct nm_api_subnet {
    unsigned id;
    char name[64];
    char task[32];
    bool active;
    char *input_text, *output_text; /* the schemas as the chain has them */
    struct nm_json_schema *input, *output; /* compiled */
    struct nm_api_miner *miners;
    size_t nminers;
};

struct nm_api_snapshot {
    int refs;
    uint64_t epoch;         /* last epoch notification seen (0: none yet) */
    int64_t refreshed_ms;   /* monotonic time of the metagraph read */
    bool chain_up;          /* the JSON-RPC link is up */
    struct nm_api_subnet *subnets;
    size_t nsubnets;
};

struct nm_api_chainview;

/* Connects to the node (url ws://HOST:PORT), subscribes, reads the chain
 * once; NM_E_CONNECT / NM_E_RPC with err when that fails. health_ms <= 0:
 * 5000. */
int nm_api_chainview_start(const char *url, int health_ms, struct nm_api_chainview **out,
                           char *err, size_t cap);
void nm_api_chainview_stop(struct nm_api_chainview *v);
/* The current snapshot, referenced (any thread); give it back. */
struct nm_api_snapshot *nm_api_chainview_acquire(struct nm_api_chainview *v);
/* One more reference to a snapshot already held. */
struct nm_api_snapshot *nm_api_chainview_ref(struct nm_api_chainview *v,
                                             struct nm_api_snapshot *s);
void nm_api_snapshot_release(struct nm_api_chainview *v, struct nm_api_snapshot *s);
const struct nm_api_subnet *nm_api_snapshot_subnet(const struct nm_api_snapshot *s,
                                                   unsigned id);

#endif
