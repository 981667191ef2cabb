/* sync.h - block sync over /neuromesh/sync/1 (request-response on the p2p
 * host): serving stored blocks by height, and a client that keeps asking
 * its peers, in turn, for the blocks above its best and imports them with
 * every check of nm_chain_import (seal, parent, state root). A peer that
 * sends a block that fails those checks is banned. The same loop carries
 * new blocks across the network: each node announces its new best height
 * to its peers, which ask for the block at once; polling covers the rest
 * (not gossip: see docs/network.md).
 * Node thread only. */
#ifndef NM_P2P_SYNC_H
#define NM_P2P_SYNC_H

#include "node/admission.h"
#include "node/chain.h"
#include "node/p2p/host.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_SYNC_MAX_BLOCKS 512 /* per response (also bounded by NM_P2P_RESPONSE_MAX) */

struct nm_sync_config {
    struct nm_chain *chain;
    /* relayed extrinsics go here, their signatures checked on its workers
     * (borrowed); NULL: admitted inline (nm_sync_answer) */
    struct nm_admission *admission;
    uint32_t poll_ms; /* how often to ask a peer when caught up; 0: block time / 4 */
    /* around each import: end RPC read transactions, then announce the block */
    void (*before_import)(void *ud);
    void (*imported)(void *ud, const struct nm_block_outcome *o); /* a batch's results */
    void (*log)(void *ud, const char *line);
    void *ud;
};

struct nm_sync;

int nm_sync_new(const struct nm_sync_config *cfg, struct nm_sync **out);
void nm_sync_free(struct nm_sync *s);
/* Wires the host's request, response and tick callbacks to s (into cfg,
 * before nm_p2p_host_start), then the host itself (after). */
void nm_sync_host_config(struct nm_sync *s, struct nm_p2p_config *cfg);
void nm_sync_attach(struct nm_sync *s, struct nm_p2p_host *h);

#define NM_SYNC_RELAY_MAX 64 /* extrinsics relayed per request */

/* The serving side, without I/O: admits the relayed extrinsics to c's
 * pool (with full validation; refused ones are dropped, *admitted counts
 * the rest; may be NULL) and answers with an encoded response (malloc'd).
 * NM_E_DECODE for a malformed request, NM_E_WRONG_CHAIN for another
 * genesis. */
int nm_sync_answer(struct nm_chain *c, const uint8_t *req, size_t len, uint8_t **resp,
                   size_t *resp_len, size_t *admitted);
/* As nm_sync_answer, the relayed extrinsics handed to adm instead (each
 * judged later, off the node thread; *admitted counts those it took). */
int nm_sync_answer_via(struct nm_chain *c, struct nm_admission *adm, const uint8_t *req,
                       size_t len, uint8_t **resp, size_t *resp_len, size_t *admitted);
/* Encodes a request for blocks from height from, at most max, relaying n
 * extrinsics. NM_E_TOO_BIG if it does not fit cap. */
int nm_sync_request_encode(const nm_hash *genesis, uint64_t from, uint32_t max,
                           const uint8_t *const *exts, const size_t *lens, size_t n, uint8_t *out,
                           size_t cap, size_t *len);

/* Tells every connected peer our new best height (a request for nothing
 * that carries it): a peer behind asks us at once instead of at its next
 * poll. Call after producing or importing blocks. */
void nm_sync_announce(struct nm_sync *s);

/* Blocks imported from peers, and the best height a peer reported. */
uint64_t nm_sync_imported(const struct nm_sync *s);
uint64_t nm_sync_peers_best(const struct nm_sync *s);

#endif
