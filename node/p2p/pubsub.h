/* pubsub.h - the node's gossipsub topics (node/p2p/gossip.h on the p2p
 * host): "/neuromesh/1.0.0/global/announcements", where each node publishes
 * its status (best and finalized height and hash, genesis, version, roles)
 * at start and then every few seconds; and "/neuromesh/GENESIS/blocks",
 * scoped by the genesis hash so two chains never mix, where the producer
 * publishes each block and every node imports the next one with all
 * checks (a block that fails them gets its sender banned; others are left
 * to sync); and "/neuromesh/GENESIS/extrinsics", where each node publishes
 * the extrinsics that enter its pool from JSON-RPC (at the end of the loop
 * turn that admitted them) and every node admits
 * them with full validation, so they reach the block producer (their
 * signatures checked once, on admission's worker threads: such a message
 * is forwarded, or blamed on its sender, once admission has judged it);
 * and the
 * subnet topics "/neuromesh/1.0.0/subnet/{id}/miners" and ".../validators"
 * of every active subnet, where miners and validators announce their
 * endpoints (node/p2p/announce.h: signed by the hotkey, checked against the
 * registry; others are rejected and the relaying peer scored down). Node
 * thread only. */
#ifndef NM_P2P_PUBSUB_H
#define NM_P2P_PUBSUB_H

#include "node/admission.h"
#include "node/chain.h"
#include "node/p2p/announce.h"
#include "node/p2p/host.h"

#include <stdint.h>

#define NM_PUBSUB_TOPIC_ANNOUNCE "/neuromesh/1.0.0/global/announcements"

enum nm_pubsub_topic {
    NM_PUBSUB_ANNOUNCE = 0,
    NM_PUBSUB_BLOCKS,
    NM_PUBSUB_EXTRINSICS,
    NM_PUBSUB_SUBNETS, /* every subnet's miners and validators topics */
    NM_PUBSUB_CONSENSUS, /* "/neuromesh/GENESIS/bft": BFT proposals, votes, evidence */
    NM_PUBSUB_TOPICS
};
enum nm_pubsub_outcome {
    NM_PUBSUB_PUBLISHED = 0,
    NM_PUBSUB_ACCEPTED,
    NM_PUBSUB_IGNORED,
    NM_PUBSUB_REJECTED,
    NM_PUBSUB_OUTCOMES
};

struct nm_pubsub_config {
    struct nm_chain *chain;
    const struct nm_keypair *node_key; /* copied: signs our messages */
    /* where gossiped extrinsics go (borrowed, outlives the pubsub); NULL:
     * admitted inline on the node thread (nm_chain_submit) */
    struct nm_admission *admission;
    bool authority;                    /* announced as a role */
    void (*before_import)(void *ud);
    void (*imported)(void *ud, const struct nm_block_outcome *o);
    void (*log)(void *ud, const char *line);
    void *ud;
    /* BFT finality (chains with several authorities): the consensus topic
     * is joined when this is set; it answers 0 (take and forward), 1
     * (ignore) or -1 (reject: the sender is at fault) */
    int (*on_consensus)(void *ud, const uint8_t *msg, size_t len);
};

struct nm_pubsub;

int nm_pubsub_new(const struct nm_pubsub_config *cfg, struct nm_pubsub **out);
void nm_pubsub_free(struct nm_pubsub *ps);
/* Wires the host's gossip callbacks (before nm_p2p_host_start), then the
 * host (after). */
void nm_pubsub_host_config(struct nm_pubsub *ps, struct nm_p2p_config *cfg);
void nm_pubsub_attach(struct nm_pubsub *ps, struct nm_p2p_host *h);
/* Publishes the extrinsics that entered the pool since the last call (or
 * tick) and did not come by gossip, one message each, in arrival order.
 * Called at the end of every loop turn (issue 11, speed: an extrinsic
 * admitted from JSON-RPC reaches the other nodes before the proposal that
 * includes it, so they check its signature at admission, on their workers,
 * not inside the proposal on the node thread); costs nothing when none
 * arrived. Then sends what the turn queued for each peer, in one write
 * (nm_p2p_host_flush). The host's tick publishes too. */
void nm_pubsub_flush(struct nm_pubsub *ps);
/* We made a block: publish it. */
void nm_pubsub_block_produced(struct nm_pubsub *ps);
/* A consensus message of ours, to every peer on the consensus topic. */
void nm_pubsub_publish_consensus(struct nm_pubsub *ps, const uint8_t *msg, size_t len);
/* Messages by topic and outcome (Prometheus); names of the topics. */
uint64_t nm_pubsub_count(const struct nm_pubsub *ps, enum nm_pubsub_topic t,
                         enum nm_pubsub_outcome o);
const char *nm_pubsub_topic_label(enum nm_pubsub_topic t);
/* A neuron's signed announcement from JSON-RPC: checked (nm_announce_check's
 * errors), kept in the book and published on its subnet topic. */
int nm_pubsub_announce(struct nm_pubsub *ps, const struct nm_announcement *a);
/* The book as neuron_announcements shows it (subnet < 0: all). */
cJSON *nm_pubsub_announcements(const struct nm_pubsub *ps, int subnet);
/* Gossiped extrinsics waiting for admission's verdict. */
size_t nm_pubsub_extrinsics_pending(const struct nm_pubsub *ps);
/* A connected peer's gossipsub score (0 when unknown). */
double nm_pubsub_peer_score(const struct nm_pubsub *ps, const struct nm_peer_id *id);

#endif
