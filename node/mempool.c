/* mempool.c - the transaction pool (see mempool.h). Lookups by hash and by
 * (signer, nonce) go through an open-addressing index; what is rare (the
 * oldest future transaction, a signer's future count) scans the array. */
#include "node/mempool.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX 8192

void nm_mempool_init(struct nm_mempool *p, size_t max)
{
    memset(p, 0, sizeof *p);
    struct nm_pool_limits limits = {.max = max};
    nm_mempool_set_limits(p, &limits);
}

void nm_mempool_set_limits(struct nm_mempool *p, const struct nm_pool_limits *limits)
{
    p->max = limits->max ? limits->max : DEFAULT_MAX;
    p->max_future = limits->max_future ? limits->max_future : p->max / 4;
    if (p->max_future == 0)
        p->max_future = 1;
    p->max_future_per_account = limits->max_future_per_account
                                    ? limits->max_future_per_account
                                    : NM_POOL_DEFAULT_MAX_FUTURE_PER_ACCOUNT;
    p->longevity_blocks =
        limits->longevity_blocks ? limits->longevity_blocks : NM_POOL_DEFAULT_LONGEVITY_BLOCKS;
}

void nm_mempool_fini(struct nm_mempool *p)
{
    for (size_t i = 0; i < p->count; i++)
        free(p->txs[i].data);
    free(p->txs);
    free(p->by_hash);
    free(p->by_nonce);
    memset(p, 0, sizeof *p);
}

/* ---- the index ---- */

static size_t slot_of_hash(const struct nm_mempool *p, const nm_hash *hash)
{
    uint64_t k;
    memcpy(&k, hash->b, sizeof k); /* a BLAKE2b hash: already uniform */
    return (size_t)k & (p->slots - 1);
}

static size_t slot_of_nonce(const struct nm_mempool *p, const nm_account *signer, uint64_t nonce)
{
    uint64_t k;
    memcpy(&k, signer->b, sizeof k);
    k ^= nonce * 0x9E3779B97F4A7C15ULL;
    k ^= k >> 29;
    return (size_t)k & (p->slots - 1);
}

static bool index_usable(const struct nm_mempool *p)
{
    return p->slots && !p->stale;
}

static void index_put(struct nm_mempool *p, size_t i)
{
    size_t mask = p->slots - 1, s = slot_of_hash(p, &p->txs[i].hash);
    while (p->by_hash[s])
        s = (s + 1) & mask;
    p->by_hash[s] = (uint32_t)i + 1;
    s = slot_of_nonce(p, &p->txs[i].signer, p->txs[i].nonce);
    while (p->by_nonce[s])
        s = (s + 1) & mask;
    p->by_nonce[s] = (uint32_t)i + 1;
}

/* Rebuilds the index for room beyond count (at most half full); on no
 * memory the index goes and lookups scan. */
static void index_rebuild(struct nm_mempool *p, size_t room)
{
    size_t want = 64;
    while (want < 2 * room)
        want *= 2;
    if (want != p->slots) {
        free(p->by_hash);
        free(p->by_nonce);
        p->by_hash = calloc(want, sizeof *p->by_hash);
        p->by_nonce = calloc(want, sizeof *p->by_nonce);
        p->slots = want;
        if (!p->by_hash || !p->by_nonce) {
            free(p->by_hash);
            free(p->by_nonce);
            p->by_hash = p->by_nonce = NULL;
            p->slots = 0;
            return;
        }
    } else {
        memset(p->by_hash, 0, want * sizeof *p->by_hash);
        memset(p->by_nonce, 0, want * sizeof *p->by_nonce);
    }
    p->stale = false;
    for (size_t i = 0; i < p->count; i++)
        index_put(p, i);
}

static long find_hash(const struct nm_mempool *p, const nm_hash *hash)
{
    if (!index_usable(p)) {
        for (size_t i = 0; i < p->count; i++)
            if (nm_hash_eq(&p->txs[i].hash, hash))
                return (long)i;
        return -1;
    }
    for (size_t s = slot_of_hash(p, hash); p->by_hash[s]; s = (s + 1) & (p->slots - 1))
        if (nm_hash_eq(&p->txs[p->by_hash[s] - 1].hash, hash))
            return (long)p->by_hash[s] - 1;
    return -1;
}

void nm_mempool_index(struct nm_mempool *p)
{
    if (p->count && !index_usable(p))
        index_rebuild(p, p->count + 1);
}

const struct nm_pool_tx *nm_mempool_find(const struct nm_mempool *p, const nm_hash *hash)
{
    long i = find_hash(p, hash);
    return i >= 0 ? &p->txs[i] : NULL;
}

static void remove_at(struct nm_mempool *p, size_t i)
{
    if (p->txs[i].future)
        p->future_count--;
    free(p->txs[i].data);
    p->txs[i] = p->txs[--p->count];
    p->stale = true;
}

/* The oldest future transaction, or -1. */
static long oldest_future(const struct nm_mempool *p)
{
    long best = -1;
    for (size_t i = 0; i < p->count; i++)
        if (p->txs[i].future && (best < 0 || p->txs[i].seq < p->txs[best].seq))
            best = (long)i;
    return best;
}

/* Index of signer's transaction with this nonce, or -1. */
static long find_nonce(const struct nm_mempool *p, const nm_account *signer, uint64_t nonce)
{
    if (index_usable(p)) {
        for (size_t s = slot_of_nonce(p, signer, nonce); p->by_nonce[s];
             s = (s + 1) & (p->slots - 1)) {
            const struct nm_pool_tx *tx = &p->txs[p->by_nonce[s] - 1];
            if (tx->nonce == nonce && nm_account_eq(&tx->signer, signer))
                return (long)p->by_nonce[s] - 1;
        }
        return -1;
    }
    for (size_t i = 0; i < p->count; i++)
        if (p->txs[i].nonce == nonce && nm_account_eq(&p->txs[i].signer, signer))
            return (long)i;
    return -1;
}

/* The first nonce after account_nonce that signer has no transaction for. */
static uint64_t next_ready_nonce(const struct nm_mempool *p, const nm_account *signer,
                                 uint64_t account_nonce)
{
    uint64_t n = account_nonce;
    while (find_nonce(p, signer, n) >= 0)
        n++;
    return n;
}

/* After a gap is filled: the signer's transactions that now follow without
 * a gap are ready. */
static void promote(struct nm_mempool *p, const nm_account *signer, uint64_t account_nonce)
{
    long i;
    for (uint64_t n = account_nonce; (i = find_nonce(p, signer, n)) >= 0; n++) {
        if (p->txs[i].future) {
            p->txs[i].future = false;
            p->future_count--;
        }
    }
}

static size_t future_of(const struct nm_mempool *p, const nm_account *signer)
{
    size_t k = 0;
    for (size_t i = 0; i < p->count; i++)
        k += p->txs[i].future && nm_account_eq(&p->txs[i].signer, signer);
    return k;
}

int nm_mempool_add(struct nm_mempool *p, const nm_hash *hash, const nm_account *signer,
                   uint64_t nonce, uint64_t account_nonce, uint64_t height, const uint8_t *data,
                   size_t len)
{
    if (p->stale || 2 * (p->count + 1) > p->slots)
        index_rebuild(p, p->count + 1 > p->max ? p->count + 1 : p->max);
    if (find_hash(p, hash) >= 0 || find_nonce(p, signer, nonce) >= 0)
        return NM_E_DUPLICATE_TX;
    bool future = nonce > next_ready_nonce(p, signer, account_nonce);
    if (future && future_of(p, signer) >= p->max_future_per_account)
        return NM_E_FUTURE_LIMIT;
    /* a future one may only displace another future one; a ready one may
     * displace a future one when the pool is full */
    long victim = -1;
    if (future && p->future_count >= p->max_future)
        victim = oldest_future(p);
    else if (p->count >= p->max)
        victim = oldest_future(p);
    if (p->count >= p->max && victim < 0)
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
    if (victim >= 0) {
        remove_at(p, (size_t)victim);
        p->evicted++;
    }
    struct nm_pool_tx *tx = &p->txs[p->count++];
    tx->hash = *hash;
    tx->signer = *signer;
    tx->nonce = nonce;
    tx->seq = p->next_seq++;
    tx->added_height = height;
    tx->future = future;
    tx->data = copy;
    tx->len = len;
    if (index_usable(p))
        index_put(p, p->count - 1);
    if (future)
        p->future_count++;
    else
        promote(p, signer, account_nonce);
    return 0;
}

void nm_mempool_set_future(struct nm_mempool *p, size_t i, bool future)
{
    if (i >= p->count || p->txs[i].future == future)
        return;
    p->txs[i].future = future;
    if (future)
        p->future_count++;
    else
        p->future_count--;
}

size_t nm_mempool_expire(struct nm_mempool *p, uint64_t height)
{
    size_t dropped = 0;
    for (size_t i = 0; i < p->count;) {
        if (height > p->txs[i].added_height &&
            height - p->txs[i].added_height > p->longevity_blocks) {
            remove_at(p, i);
            dropped++;
        } else {
            i++;
        }
    }
    p->expired += dropped;
    return dropped;
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
    p->stale = true;
    return p->txs;
}

void nm_mempool_remove_flagged(struct nm_mempool *p, const uint8_t *drop)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->count; i++) {
        if (drop[i]) {
            if (p->txs[i].future)
                p->future_count--;
            free(p->txs[i].data);
        } else {
            p->txs[kept++] = p->txs[i];
        }
    }
    p->count = kept;
    p->stale = true;
}
