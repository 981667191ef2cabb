/* chain_bft.h - the chain's side of BFT finality among several authorities
 * (issue 11): which blocks such a chain accepts (sealed by an authority and
 * final: a commit certificate of the authority set of its height, as the
 * block's justification), and the dry runs the consensus engine needs:
 * build the next block without storing it (the proposer), check a proposed
 * block without storing it (everyone else). Only final blocks are ever
 * stored, so on these chains the best block is the finalized one. Chains
 * with one authority (the dev chain) keep instant finality and none of
 * this applies. Node thread only. */
#ifndef NM_CHAIN_BFT_H
#define NM_CHAIN_BFT_H

#include "node/bft/cert.h"
#include "node/chain.h"

/* The authority set that certifies blocks at height (the chain spec's). */
const struct nm_bft_authorities *nm_chain_bft_authorities_at(const struct nm_chain *c,
                                                             uint64_t height);

/* A proposal travels with its block as one gossipsub message (a message
 * larger than the yamux window goes out in turns as the window opens), and
 * a final block must fit one sync response (NM_P2P_RESPONSE_MAX, 240 KiB,
 * with its commit certificate of up to 128 signatures): so a proposed block
 * stays under this, whatever max_block_bytes allows (the rest of the pool
 * waits for the next one), and a larger proposal is refused
 * (NM_E_BFT_PROPOSAL_TOO_LARGE). service/bft_node.c checks the sizes agree.
 * 200 kB was tried: blocks of 1,200 transfers took 3 s to check on the
 * loaded 4-node devnet, rounds timed out and throughput fell (docs/network.md). */
#define NM_BFT_PROPOSAL_BLOCK_MAX (120u * 1000u)

/* The proposer: the next block built from the pool and sealed with the
 * chain's author key, but not stored (*block malloc'd), at most
 * NM_BFT_PROPOSAL_BLOCK_MAX bytes. NM_E_INVAL when the chain is not BFT or
 * the key is not an authority. */
int nm_chain_bft_build(struct nm_chain *c, uint64_t timestamp_ms, uint8_t **block, size_t *len);
/* A proposed next block, without certificate: every check of import
 * (sealed by an authority, parent, height, extrinsics, state root) and at
 * most NM_BFT_PROPOSAL_BLOCK_MAX bytes; nothing is stored. 0 when it is
 * valid. */
int nm_chain_bft_validate(struct nm_chain *c, const uint8_t *block, size_t len);
/* The same for bytes the caller has decoded with nm_block_decode (their
 * extrinsics root checked): the root is not computed again. */
int nm_chain_bft_validate_decoded(struct nm_chain *c, const uint8_t *block, size_t len);
/* A block decided by consensus: stored with cert as its justification (and
 * every check of import, the certificate's included). */
int nm_chain_bft_commit(struct nm_chain *c, const uint8_t *block, size_t len,
                        const struct nm_bft_cert *cert, struct nm_block_outcome *outcome);
/* As nm_chain_bft_commit, for a block this node built or validated itself
 * (the very bytes): its extrinsics' signatures are not checked again. */
int nm_chain_bft_commit_validated(struct nm_chain *c, const uint8_t *block, size_t len,
                                  const struct nm_bft_cert *cert,
                                  struct nm_block_outcome *outcome);
/* A block this node's consensus engine decided: as nm_chain_bft_commit
 * (validated: as nm_chain_bft_commit_validated), but cert's signatures are
 * not checked again (issue 11, speed): the engine checked each precommit
 * before it counted it (or the whole certificate, heard from a peer), so
 * only its quorum and its match with the block are. */
int nm_chain_bft_commit_decided(struct nm_chain *c, const uint8_t *block, size_t len,
                                const struct nm_bft_cert *cert, bool validated,
                                struct nm_block_outcome *outcome);
/* A final block (justified: its certificate inside) from a peer, as
 * nm_chain_import_outcome imports it, but stored from the write set kept
 * when this node checked the very block as a proposal, if it did (issue
 * 11, speed: a node that hears the decided block before it has counted
 * the precommits itself no longer executes it a second time). */
int nm_chain_bft_import_final(struct nm_chain *c, const uint8_t *block, size_t len,
                              struct nm_block_outcome *outcome);
/* Issue 11 (speed, every signature checked once): a node's pool admission
 * (node/admission.h, registered by nm_admission_new; NULL unregisters)
 * and the proposal checks share what they verified: a proposed block's
 * extrinsic whose signature admission found good (or will judge with a
 * verdict already known) is not checked again, and the ones a proposal's
 * check verified are not checked again by admission. */
struct nm_admission;
void nm_chain_bft_set_admission(struct nm_chain *c, struct nm_admission *a);
/* True when this extrinsic's signature is known good: in the chain's
 * memo (c->sigs_good: admission or a proposal check found it good), or a
 * copy pending at admission has a good verdict already. Block import
 * (sync, a final block from a peer) and proposal checks skip these as they
 * skip pooled ones. */
bool nm_chain_bft_sig_known(const struct nm_chain *c, const nm_hash *hash);

/* How decided blocks were stored since the chain opened: from the write
 * set kept when this node built or validated the very block (reused), or
 * by executing it again (replayed: not built or validated here, or the
 * kept write set no longer applied cleanly). */
void nm_chain_bft_exec_stats(const struct nm_chain *c, uint64_t *reused, uint64_t *replayed);

/* Block bytes with cert as their justification (*out malloc'd). */
int nm_chain_bft_justify(const uint8_t *block, size_t len, const struct nm_bft_cert *cert,
                         uint8_t **out, size_t *out_len);

/* Reads the set from state (authorities pallet) after a block: an
 * equivocating authority reported on chain has no power from the next
 * block on. Bumps c->bft_set_version when the set changed. */
int nm_chain_bft_refresh(struct nm_chain *c);

/* For chain.c only. */
int nm_chain_bft_setup(struct nm_chain *c);
int nm_chain_bft_check_block(struct nm_chain *c, const struct nm_block *b, const nm_hash *hash);
int nm_chain_bft_keep_dry(struct nm_chain *c, const struct nm_header *h,
                          const uint8_t seal[NM_SIG_LEN], const uint8_t *const *exts,
                          const size_t *lens, size_t n, const struct nm_apply_result *results);
void nm_chain_bft_fini(struct nm_chain *c);
/* For chain_bft.c only (in chain.c): stores b (checked, justified) in one
 * transaction whose state changes apply(ud, db) writes instead of
 * executing b; state is the commitment they leave and results b's
 * extrinsics' outcomes. On failure nothing changed. */
int nm_chain_store_applied(struct nm_chain *c, const struct nm_block *b,
                           int (*apply)(void *ud, sqlite3 *db), void *ud,
                           const struct nm_lthash *state, const struct nm_apply_result *results);

#endif
