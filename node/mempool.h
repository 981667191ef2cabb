/* mempool.h - the transaction pool: verified extrinsics waiting for a
 * block, found by hash, at most one per (signer, nonce), bounded in count.
 * The node thread owns it. */
#ifndef NM_MEMPOOL_H
#define NM_MEMPOOL_H

#include "node/crypto.h"

#include <stddef.h>
#include <stdint.h>

struct nm_pool_tx {
    nm_hash hash;
    nm_account signer;
    uint64_t nonce;
    uint64_t seq;   /* arrival order */
    uint8_t *data;  /* owned */
    size_t len;
};

struct nm_mempool {
    struct nm_pool_tx *txs; /* dense array; order is not meaningful */
    size_t count;
    size_t cap;
    size_t max;             /* admission limit */
    uint64_t next_seq;
};

void nm_mempool_init(struct nm_mempool *p, size_t max);
void nm_mempool_fini(struct nm_mempool *p);
/* Copies data in. NM_E_DUPLICATE_TX when the hash or the (signer, nonce)
 * is already there, NM_E_POOL_FULL at the limit. */
int nm_mempool_add(struct nm_mempool *p, const nm_hash *hash, const nm_account *signer,
                   uint64_t nonce, const uint8_t *data, size_t len);
const struct nm_pool_tx *nm_mempool_find(const struct nm_mempool *p, const nm_hash *hash);
/* Sorts the pool so that each signer's transactions are in nonce order and
 * signers come in order of their earliest arrival; returns the array. */
const struct nm_pool_tx *nm_mempool_ordered(struct nm_mempool *p);
/* Removes every transaction whose flag in drop[] (indexed like the array
 * nm_mempool_ordered returned) is set. */
void nm_mempool_remove_flagged(struct nm_mempool *p, const uint8_t *drop);

#endif
