/* gossip_internal.h - what node/p2p/gossip.c (messages, control, set-up)
 * and gossip_heartbeat.c (mesh upkeep, IHAVE gossip, figures) share: the
 * router's struct and a few helpers. Nothing else includes it. */
#ifndef NM_P2P_GOSSIP_INTERNAL_H
#define NM_P2P_GOSSIP_INTERNAL_H

#include "node/p2p/gossip.h"
#include "node/p2p/proto/rpc.pb-c.h"

#define SIGN_PREFIX "libp2p-pubsub:"
#define MAX_SUBS_PER_RPC 64
#define MAX_PUBLISH_PER_RPC 256
#define MAX_IDS_PER_RPC 5000
#define MAX_IWANT_ANSWER 256
#define MAX_PX 16 /* peers offered in a PRUNE, and taken from one */

struct gpeer {
    bool used;
    struct nm_peer_id id;
    uint32_t subs; /* bit t: subscribed to our topic t */
    uint32_t mesh; /* bit t: in our mesh for topic t */
    uint64_t backoff_until[NM_GOSSIP_MAX_TOPICS];
    struct nm_gossip_peer_score *sc; /* in g->score */
};

struct cached {
    uint8_t id[NM_GOSSIP_ID_MAX];
    size_t id_len;
    int topic;
    unsigned window; /* heartbeat count when cached */
    uint8_t *msg;    /* encoded PubsubMessage */
    size_t len;
};

struct seen {
    uint8_t id[NM_GOSSIP_ID_MAX];
    size_t id_len;
    uint64_t at_ms;
    bool valid; /* the first copy was accepted: later copies count for P3 */
    uint32_t bucket; /* its chain in seen_index */
    uint32_t next;   /* the next entry of that chain, index + 1 (0: none) */
    bool indexed;    /* in that chain (once the ring slot was used) */
};

/* seen_index's buckets: twice the ring, so chains stay about one long */
#define GOSSIP_SEEN_BUCKETS (2 * NM_GOSSIP_SEEN)

/* A message delivered as NM_GOSSIP_PENDING, waiting for its verdict. */
struct held {
    uint64_t ticket; /* 0: free */
    uint8_t id[NM_GOSSIP_ID_MAX];
    size_t id_len;
    int topic;
    struct nm_peer_id via;
    uint8_t *msg; /* encoded PubsubMessage, owned */
    size_t len;
};

struct nm_gossip {
    struct nm_gossip_config cfg;
    struct nm_keypair key;
    struct nm_peer_id self;
    struct gpeer peers[NM_GOSSIP_MAX_PEERS];
    char topics[NM_GOSSIP_MAX_TOPICS][NM_GOSSIP_TOPIC_MAX + 1];
    int n_topics;
    struct cached cache[NM_GOSSIP_CACHE];
    size_t cache_next;
    struct seen *seen; /* ring of NM_GOSSIP_SEEN */
    size_t seen_next;
    /* the ring's entries chained by a hash of their id, each bucket's
     * first entry's index + 1 (0: empty): a lookup costs a chain, not the
     * ring (issue 11, speed: the scan of 8,192 ids was a sixth of a
     * node's CPU per gossiped extrinsic) */
    uint32_t *seen_index;
    unsigned window;
    uint64_t seqno;
    uint64_t now_ms; /* the last time we were told */
    struct nm_gossip_stats st;
    struct nm_gossip_score score;
    struct held *held; /* ring of NM_GOSSIP_PENDING_MAX, by ticket */
    uint64_t tickets;  /* the last one given */
    size_t n_held;
};

int gossip_topic_index(const struct nm_gossip *g, const char *t);
struct gpeer *gossip_peer_find(struct nm_gossip *g, const struct nm_peer_id *id);
double gossip_peer_score(const struct nm_gossip *g, const struct gpeer *p);
void gossip_send_rpc(struct nm_gossip *g, const struct gpeer *p, Nm__P2p__PubsubRPC *rpc);
/* GRAFT (graft) or PRUNE (with peer exchange when px) of topic to p */
void gossip_send_control(struct nm_gossip *g, const struct gpeer *p, int topic, bool graft,
                         bool px);

#endif
