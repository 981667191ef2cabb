/* mempool.c - the transaction pool (see mempool.h). Lookups scan the array:
 * the pool is bounded (default 8192) and a scan of it costs a few
 * microseconds, less than the signature check that precedes every add. */
#include "node/mempool.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

void nm_mempool_init(struct nm_mempool *p, size_t max)
{
    memset(p, 0, sizeof *p);
    p->max = max;
}

void nm_mempool_fini(struct nm_mempool *p)
{
    for (size_t i = 0; i < p->count; i++)
        free(p->txs[i].data);
    free(p->txs);
    memset(p, 0, sizeof *p);
}

const struct nm_pool_tx *nm_mempool_find(const struct nm_mempool *p, const nm_hash *hash)
{
    for (size_t i = 0; i < p->count; i++)
        if (nm_hash_eq(&p->txs[i].hash, hash))
            return &p->txs[i];
    return NULL;
}

int nm_mempool_add(struct nm_mempool *p, const nm_hash *hash, const nm_account *signer,
                   uint64_t nonce, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < p->count; i++)
        if (nm_hash_eq(&p->txs[i].hash, hash) ||
            (p->txs[i].nonce == nonce && nm_account_eq(&p->txs[i].signer, signer)))
            return NM_E_DUPLICATE_TX;
    if (p->count >= p->max)
        return NM_E_POOL_FULL;
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        struct nm_pool_tx *txs = realloc(p->txs, cap * sizeof *txs);
        if (!txs)
            return NM_E_NOMEM;
        p->txs = txs;
        p->cap = cap;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return NM_E_NOMEM;
    memcpy(copy, data, len);
    struct nm_pool_tx *tx = &p->txs[p->count++];
    tx->hash = *hash;
    tx->signer = *signer;
    tx->nonce = nonce;
    tx->seq = p->next_seq++;
    tx->data = copy;
    tx->len = len;
    return 0;
}

/* Orders by the signer's first arrival, then nonce. first_seq is computed
 * per signer before sorting so the comparison stays a total order. */
struct ordered {
    uint64_t first_seq;
    struct nm_pool_tx tx;
};

static int cmp_ordered(const void *a, const void *b)
{
    const struct ordered *x = a, *y = b;
    if (x->first_seq != y->first_seq)
        return x->first_seq < y->first_seq ? -1 : 1;
    return x->tx.nonce < y->tx.nonce ? -1 : x->tx.nonce > y->tx.nonce;
}

static int cmp_signer(const void *a, const void *b)
{
    const struct ordered *x = a, *y = b;
    int c = memcmp(x->tx.signer.b, y->tx.signer.b, NM_PUBKEY_LEN);
    if (c)
        return c;
    return x->tx.seq < y->tx.seq ? -1 : x->tx.seq > y->tx.seq;
}

const struct nm_pool_tx *nm_mempool_ordered(struct nm_mempool *p)
{
    if (p->count < 2)
        return p->txs;
    struct ordered *o = malloc(p->count * sizeof *o);
    if (!o) /* unordered still works: out-of-order nonces wait a block */
        return p->txs;
    for (size_t i = 0; i < p->count; i++)
        o[i].tx = p->txs[i];
    qsort(o, p->count, sizeof *o, cmp_signer);
    for (size_t i = 0; i < p->count; i++) {
        bool same = i > 0 && nm_account_eq(&o[i].tx.signer, &o[i - 1].tx.signer);
        o[i].first_seq = same ? o[i - 1].first_seq : o[i].tx.seq;
    }
    qsort(o, p->count, sizeof *o, cmp_ordered);
    for (size_t i = 0; i < p->count; i++)
        p->txs[i] = o[i].tx;
    free(o);
    return p->txs;
}

void nm_mempool_remove_flagged(struct nm_mempool *p, const uint8_t *drop)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->count; i++) {
        if (drop[i])
            free(p->txs[i].data);
        else
            p->txs[kept++] = p->txs[i];
    }
    p->count = kept;
}
