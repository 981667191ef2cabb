/* bft_node.h - BFT finality on the node's libuv loop (issue 11): the
 * consensus engine (node/bft/engine.h) of one authority of a chain with
 * several authorities, with its files (the double-sign record and the
 * write-ahead log beside the database), its timers, the blocks proposed at
 * the current height, and the messages it exchanges over the gossip topic
 * /neuromesh/GENESIS/bft. The proposer builds its block with the chain's
 * producer (nothing stored); the others check it as an import would
 * (nothing stored); the decided block is stored with its commit
 * certificate. Node thread only. */
#ifndef NM_SERVICE_BFT_NODE_H
#define NM_SERVICE_BFT_NODE_H

#include "node/chain.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* Consensus messages on the topic: one kind byte, then the message. */
enum nm_bft_gossip_kind {
    NM_BFT_GOSSIP_PROPOSAL = 1, /* wire proposal, then the proposed block's bytes */
    NM_BFT_GOSSIP_VOTE = 2,     /* wire vote */
    NM_BFT_GOSSIP_EVIDENCE = 3, /* two conflicting wire votes */
};

struct nm_bft_node_config {
    uv_loop_t *loop;
    struct nm_chain *chain;  /* BFT, with its author in the set (bft_self >= 0) */
    const char *files;       /* path prefix of the record and the log (FILES.bft-sign ...) */
    /* to every peer on the consensus topic */
    void (*publish)(void *ud, const uint8_t *msg, size_t len);
    /* before the engine writes to the chain (end RPC reads) */
    void (*before_write)(void *ud);
    /* a decided block was stored */
    void (*finalized)(void *ud, const struct nm_block_outcome *o);
    /* a new height or round began (bft_subscribeRounds); may be NULL */
    void (*round_changed)(void *ud);
    void (*log)(void *ud, const char *line);
    void *ud;
};

struct nm_bft_node;

/* Opens the files (refusing a damaged record), resumes from them and
 * starts at the height above the best block. On error a sentence in msg. */
int nm_bft_node_new(const struct nm_bft_node_config *cfg, struct nm_bft_node **out, char *msg,
                    size_t cap);
/* Stops the timers (on the loop, before it closes its handles). */
void nm_bft_node_stop(struct nm_bft_node *b);
/* After the loop has closed every handle. */
void nm_bft_node_free(struct nm_bft_node *b);

/* A message from the consensus topic: 0 take and forward, 1 ignore,
 * -1 reject (malformed or forged: the sender is at fault). Signatures are
 * checked here, before anything counts. */
int nm_bft_node_receive(struct nm_bft_node *b, const uint8_t *msg, size_t len);
/* The chain moved on without the engine (sync or a gossiped final block). */
void nm_bft_node_chain_advanced(struct nm_bft_node *b);

/* bft_state: height, round, step, locked block, power seen, and per
 * authority what this node saw of it; NULL on OOM. */
cJSON *nm_bft_node_state_json(const struct nm_bft_node *b);

/* Prometheus figures (rpc/prometheus.h's text). */
struct nm_prom_text;
void nm_bft_node_metrics(const struct nm_bft_node *b, struct nm_prom_text *t);

#endif
