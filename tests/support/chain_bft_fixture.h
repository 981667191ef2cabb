/* chain_bft_fixture.h - shared by the node/chain_bft tests: CBX_N = 4
 * authorities (alice, bob, charlie, dave, power 1 each), each with its own
 * chain in memory, certificates signed by them, and heights with transfers
 * built by the proposer. cmocka only. */
#ifndef NM_TESTS_CHAIN_BFT_FIXTURE_H
#define NM_TESTS_CHAIN_BFT_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/bft/cert.h"
#include "node/chain.h"
#include "node/chainspec.h"

#define CBX_N 4 /* authorities */

struct cbx_net {
    struct nm_chain_spec spec;
    struct nm_keypair keys[CBX_N];
    struct nm_chain *chains[CBX_N];
    /* cbx_open_built: block 1 as its proposer built it (stored nowhere) */
    uint8_t *blk;
    size_t len;
    int p;   /* the proposer's index */
    nm_hash h; /* the block's hash */
};

/* funded: n more accounts with 1,000 NMT each at genesis */
void cbx_open_with(struct cbx_net *x, const struct nm_keypair *funded, size_t n);
void cbx_open(struct cbx_net *x);
void cbx_close(struct cbx_net *x);
/* A certificate for (height, round, block) signed by the first `signers`
 * authorities (in index order). */
void cbx_cert(struct cbx_net *x, struct nm_bft_cert *c, uint64_t height, uint32_t round,
              const nm_hash *block, int signers);
void cbx_block_hash(const uint8_t *blk, size_t len, nm_hash *out);
/* The proposer of height 1, round 0 builds; returns its index. */
int cbx_build_first(struct cbx_net *x, uint8_t **blk, size_t *len);
void cbx_open_built(struct cbx_net *x);
/* Pools transfers to dest from senders (round robin, nonces from 0) in c
 * until count of them or bytes of them are in; returns how many. */
size_t cbx_pool_transfers(struct nm_chain *c, const struct nm_keypair *senders, int n_senders,
                          const nm_account *dest, size_t count, size_t bytes);
/* A height with transfers: the proposer p builds, (p + 1) validates,
 * (p + 2) does neither; returns the block (malloc'd) and its hash. */
void cbx_transfers_built(struct cbx_net *x, struct nm_keypair *senders, int n, size_t count);
void cbx_assert_exec_stats(struct nm_chain *c, uint64_t reused, uint64_t replayed);

#endif
