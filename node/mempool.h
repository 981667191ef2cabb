/* mempool.h - the transaction pool: verified extrinsics waiting for a
 * block, found by hash, at most one per (signer, nonce), bounded in count.
 * A transaction whose nonce leaves a gap after its signer's account nonce
 * and pooled transactions is "future": it cannot run until the gap is
 * filled. Future transactions are bounded per account and in all, give way
 * to ready ones when the pool is full, and every transaction leaves the
 * pool after longevity blocks (issue 17: accounts submitting nonces
 * n+1..n+64 and never n filled the pool for ever). The node thread owns it. */
#ifndef NM_MEMPOOL_H
#define NM_MEMPOOL_H

#include "node/crypto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_POOL_DEFAULT_MAX_FUTURE_PER_ACCOUNT 16
#define NM_POOL_DEFAULT_LONGEVITY_BLOCKS 600

struct nm_pool_tx {
    nm_hash hash;
    nm_account signer;
    uint64_t nonce;
    uint64_t seq;   /* arrival order */
    uint64_t added_height; /* best height when it came in */
    bool future;    /* a nonce gap before it */
    uint8_t *data;  /* owned */
    size_t len;
};

/* Zero fields take the defaults. */
struct nm_pool_limits {
    size_t max;                    /* all transactions; default 8192 */
    size_t max_future;             /* future ones in all; default max / 4 */
    size_t max_future_per_account; /* default 16 */
    uint64_t longevity_blocks;     /* default 600 */
};

struct nm_mempool {
    struct nm_pool_tx *txs; /* dense array; order is not meaningful */
    size_t count;
    size_t cap;
    size_t max;             /* admission limit */
    size_t max_future;
    size_t max_future_per_account;
    uint64_t longevity_blocks;
    size_t future_count;
    uint64_t next_seq;
    uint64_t evicted;       /* future transactions displaced, ever */
    uint64_t expired;       /* transactions past their longevity, ever */
    /* Index of txs by hash and by (signer, nonce): open addressing, each
     * slot holds an index into txs plus one (0: empty). Rebuilt by the next
     * add after anything moved the array (stale); without memory for it,
     * lookups scan. Admission of a full block's worth of transactions was
     * quadratic without it (issue 11, speed). */
    uint32_t *by_hash, *by_nonce;
    size_t slots;           /* a power of two, or 0 */
    bool stale;
};

/* max: as limits.max (0: 8192), other limits at their defaults. */
void nm_mempool_init(struct nm_mempool *p, size_t max);
void nm_mempool_set_limits(struct nm_mempool *p, const struct nm_pool_limits *limits);
void nm_mempool_fini(struct nm_mempool *p);
/* Copies data in. account_nonce is the signer's nonce in state, height the
 * best height now. NM_E_DUPLICATE_TX when the hash or the (signer, nonce)
 * is already there; NM_E_FUTURE_LIMIT for a future transaction over the
 * per-account limit; NM_E_POOL_FULL at the limit when no future transaction
 * can give way. A ready transaction evicts the oldest future one when the
 * pool is full; a future one evicts the oldest future one when the future
 * queue is full. */
int nm_mempool_add(struct nm_mempool *p, const nm_hash *hash, const nm_account *signer,
                   uint64_t nonce, uint64_t account_nonce, uint64_t height, const uint8_t *data,
                   size_t len);
const struct nm_pool_tx *nm_mempool_find(const struct nm_mempool *p, const nm_hash *hash);
/* Indexes the pool again if something moved it (lookups scan until the
 * next add otherwise): before many nm_mempool_find calls. */
void nm_mempool_index(struct nm_mempool *p);
/* Sorts the pool so that each signer's transactions are in nonce order and
 * signers come in order of their earliest arrival; returns the array. */
const struct nm_pool_tx *nm_mempool_ordered(struct nm_mempool *p);
/* Marks transaction i (index into the array nm_mempool_ordered returned)
 * future or ready, as block production found it. */
void nm_mempool_set_future(struct nm_mempool *p, size_t i, bool future);
/* Removes every transaction whose flag in drop[] (indexed like the array
 * nm_mempool_ordered returned) is set. */
void nm_mempool_remove_flagged(struct nm_mempool *p, const uint8_t *drop);
/* Removes the transactions that came in more than longevity blocks before
 * height; returns how many. */
size_t nm_mempool_expire(struct nm_mempool *p, uint64_t height);

#endif
