/* kad.c - Kademlia routing table and FIND_NODE messages (kad-dht spec). */
#include "node/p2p/kad.h"

#include "node/errors.h"
#include "node/p2p/proto/kad.pb-c.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void nm_kad_key_of(const struct nm_peer_id *id, uint8_t out[32])
{
    uint8_t bytes[NM_PEER_ID_BYTES_LEN];
    nm_peer_id_to_bytes(id, bytes);
    crypto_hash_sha256(out, bytes, sizeof bytes);
}

/* Common prefix length of two keys: the bucket index. */
static int cpl(const uint8_t a[32], const uint8_t b[32])
{
    for (int i = 0; i < 32; i++) {
        uint8_t x = a[i] ^ b[i];
        if (x)
            return i * 8 + __builtin_clz(x) - 24;
    }
    return 256;
}

int nm_kad_init(struct nm_kad *k, const struct nm_peer_id *self)
{
    memset(k, 0, sizeof *k);
    k->self = *self;
    nm_kad_key_of(self, k->self_key);
    k->peers = calloc(NM_KAD_TABLE_MAX, sizeof *k->peers);
    return k->peers ? 0 : NM_E_NOMEM;
}

void nm_kad_fini(struct nm_kad *k)
{
    free(k->peers);
    k->peers = NULL;
    k->n = 0;
}

int nm_kad_add(struct nm_kad *k, const struct nm_peer_id *id, const struct nm_multiaddr *addrs,
               size_t n, uint64_t now_ms)
{
    if (nm_peer_id_eq(id, &k->self))
        return 0;
    struct nm_multiaddr ok[NM_KAD_ADDRS];
    size_t n_ok = 0;
    for (size_t i = 0; i < n && n_ok < NM_KAD_ADDRS; i++) {
        struct nm_multiaddr_tcp t;
        if (nm_multiaddr_to_tcp(&addrs[i], &t) == 0 && !t.is_dns &&
            (!t.has_peer || nm_peer_id_eq(&t.peer, id)))
            ok[n_ok++] = addrs[i];
    }
    for (size_t i = 0; i < k->n; i++) {
        if (nm_peer_id_eq(&k->peers[i].id, id)) {
            k->peers[i].seen_ms = now_ms;
            if (n_ok) {
                memcpy(k->peers[i].addrs, ok, n_ok * sizeof ok[0]);
                k->peers[i].n_addrs = n_ok;
            }
            return 0;
        }
    }
    if (!n_ok || k->n == NM_KAD_TABLE_MAX)
        return 0;
    uint8_t key[32];
    nm_kad_key_of(id, key);
    int bucket = cpl(key, k->self_key);
    size_t in_bucket = 0;
    for (size_t i = 0; i < k->n; i++)
        in_bucket += cpl(k->peers[i].key, k->self_key) == bucket;
    if (in_bucket >= NM_KAD_K)
        return 0;
    struct nm_kad_peer *p = &k->peers[k->n++];
    memset(p, 0, sizeof *p);
    p->id = *id;
    memcpy(p->key, key, 32);
    memcpy(p->addrs, ok, n_ok * sizeof ok[0]);
    p->n_addrs = n_ok;
    p->seen_ms = now_ms;
    return 1;
}

static const uint8_t *sort_target;

static int closer(const void *a, const void *b)
{
    const struct nm_kad_peer *pa = *(const struct nm_kad_peer *const *)a;
    const struct nm_kad_peer *pb = *(const struct nm_kad_peer *const *)b;
    for (int i = 0; i < 32; i++) {
        uint8_t da = pa->key[i] ^ sort_target[i], db = pb->key[i] ^ sort_target[i];
        if (da != db)
            return da < db ? -1 : 1;
    }
    return 0;
}

size_t nm_kad_closest(const struct nm_kad *k, const uint8_t key[32], const struct nm_kad_peer **out,
                      size_t max)
{
    const struct nm_kad_peer **all = malloc((k->n + 1) * sizeof *all);
    if (!all)
        return 0;
    for (size_t i = 0; i < k->n; i++)
        all[i] = &k->peers[i];
    sort_target = key; /* node thread only: qsort has no user pointer */
    qsort(all, k->n, sizeof *all, closer);
    size_t n = k->n < max ? k->n : max;
    memcpy(out, all, n * sizeof *all);
    free(all);
    return n;
}

static int pack(Nm__P2p__KadMessage *m, uint8_t **out, size_t *len)
{
    size_t n = nm__p2p__kad_message__get_packed_size(m);
    if (!(*out = malloc(n ? n : 1)))
        return NM_E_NOMEM;
    *len = nm__p2p__kad_message__pack(m, *out);
    return 0;
}

int nm_kad_find_node_encode(const struct nm_peer_id *target, uint8_t **out, size_t *len)
{
    uint8_t key[NM_PEER_ID_BYTES_LEN];
    nm_peer_id_to_bytes(target, key);
    Nm__P2p__KadMessage m = NM__P2P__KAD_MESSAGE__INIT;
    m.has_type = m.has_key = 1;
    m.type = NM__P2P__KAD_MESSAGE__MESSAGE_TYPE__FIND_NODE;
    m.key.data = key;
    m.key.len = sizeof key;
    return pack(&m, out, len);
}

int nm_kad_answer(const struct nm_kad *k, const uint8_t *req, size_t len, uint8_t **resp,
                  size_t *resp_len)
{
    Nm__P2p__KadMessage *rq = nm__p2p__kad_message__unpack(NULL, len, req);
    if (!rq)
        return NM_E_DECODE;
    int rc = NM_E_UNSUPPORTED;
    Nm__P2p__KadMessage m = NM__P2P__KAD_MESSAGE__INIT;
    m.has_type = 1;
    m.type = rq->type;
    if (rq->has_type && rq->type == NM__P2P__KAD_MESSAGE__MESSAGE_TYPE__PING) {
        rc = pack(&m, resp, resp_len);
        goto out;
    }
    if (!rq->has_type || rq->type != NM__P2P__KAD_MESSAGE__MESSAGE_TYPE__FIND_NODE)
        goto out;
    rc = NM_E_DECODE;
    if (!rq->has_key || rq->key.len == 0 || rq->key.len > 128)
        goto out;
    uint8_t target[32];
    crypto_hash_sha256(target, rq->key.data, rq->key.len);
    const struct nm_kad_peer *best[NM_KAD_K];
    size_t n = nm_kad_closest(k, target, best, NM_KAD_K);
    Nm__P2p__KadMessage__Peer peers[NM_KAD_K], *pp[NM_KAD_K];
    uint8_t ids[NM_KAD_K][NM_PEER_ID_BYTES_LEN];
    ProtobufCBinaryData addrs[NM_KAD_K][NM_KAD_ADDRS];
    for (size_t i = 0; i < n; i++) {
        nm__p2p__kad_message__peer__init(&peers[i]);
        nm_peer_id_to_bytes(&best[i]->id, ids[i]);
        peers[i].has_id = 1;
        peers[i].id.data = ids[i];
        peers[i].id.len = NM_PEER_ID_BYTES_LEN;
        for (size_t a = 0; a < best[i]->n_addrs; a++) {
            addrs[i][a].data = (uint8_t *)best[i]->addrs[a].b;
            addrs[i][a].len = best[i]->addrs[a].len;
        }
        peers[i].n_addrs = best[i]->n_addrs;
        peers[i].addrs = addrs[i];
        pp[i] = &peers[i];
    }
    m.n_closerpeers = n;
    m.closerpeers = pp;
    rc = pack(&m, resp, resp_len);
out:
    nm__p2p__kad_message__free_unpacked(rq, NULL);
    return rc;
}

int nm_kad_closer_decode(const uint8_t *resp, size_t len, nm_kad_peer_fn fn, void *ud)
{
    Nm__P2p__KadMessage *m = nm__p2p__kad_message__unpack(NULL, len, resp);
    if (!m)
        return NM_E_DECODE;
    for (size_t i = 0; i < m->n_closerpeers && i < 2 * NM_KAD_K; i++) {
        const Nm__P2p__KadMessage__Peer *p = m->closerpeers[i];
        struct nm_peer_id id;
        if (!p->has_id || nm_peer_id_from_bytes(p->id.data, p->id.len, &id))
            continue; /* RSA and secp256k1 peers: not ours to dial */
        struct nm_multiaddr addrs[NM_KAD_ADDRS];
        size_t n = 0;
        for (size_t a = 0; a < p->n_addrs && n < NM_KAD_ADDRS; a++)
            if (nm_multiaddr_from_bytes(p->addrs[a].data, p->addrs[a].len, &addrs[n]) == 0)
                n++;
        fn(ud, &id, addrs, n);
    }
    nm__p2p__kad_message__free_unpacked(m, NULL);
    return 0;
}
