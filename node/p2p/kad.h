/* kad.h - Kademlia peer routing (libp2p kad-dht spec, /ipfs/kad/1.0.0) as
 * an I/O-free table and message codec: keys are SHA-256 of the binary
 * PeerId, distance is XOR, buckets by common prefix length with our own key
 * hold at most K = 20 peers. FIND_NODE is answered with the K closest peers
 * we know and their addresses; the host (host.c) runs the lookups (at
 * start for our own id, then random walks) and dials what they return.
 * Records and providers (PUT/GET_VALUE, *_PROVIDER) are not served. */
#ifndef NM_P2P_KAD_H
#define NM_P2P_KAD_H

#include "node/p2p/multiaddr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_KAD_K 20
#define NM_KAD_TABLE_MAX 256 /* peers kept in all */
#define NM_KAD_ADDRS 4       /* addresses kept per peer */

struct nm_kad_peer {
    struct nm_peer_id id;
    uint8_t key[32];
    struct nm_multiaddr addrs[NM_KAD_ADDRS];
    size_t n_addrs;
    uint64_t seen_ms;
};

struct nm_kad {
    struct nm_peer_id self;
    uint8_t self_key[32];
    struct nm_kad_peer *peers; /* owned */
    size_t n;
};

/* The Kademlia key of a PeerId (SHA-256 of its binary form). */
void nm_kad_key_of(const struct nm_peer_id *id, uint8_t out[32]);

int nm_kad_init(struct nm_kad *k, const struct nm_peer_id *self);
void nm_kad_fini(struct nm_kad *k);
/* Adds or refreshes a peer with its dialable TCP addresses (others are
 * skipped; a peer without any is not added). Ourselves are never added.
 * A full bucket keeps its peers (the newcomer is dropped), so a flood of
 * made-up ids cannot push out peers we know. 1 added, 0 refreshed or
 * dropped. */
int nm_kad_add(struct nm_kad *k, const struct nm_peer_id *id, const struct nm_multiaddr *addrs,
               size_t n, uint64_t now_ms);
/* Up to max peers closest to key, nearest first; returns how many. */
size_t nm_kad_closest(const struct nm_kad *k, const uint8_t key[32], const struct nm_kad_peer **out,
                      size_t max);

/* Encodes a FIND_NODE request for target (malloc'd). */
int nm_kad_find_node_encode(const struct nm_peer_id *target, uint8_t **out, size_t *len);
/* Answers one request: FIND_NODE with the K closest peers to its key,
 * PING with PING. NM_E_DECODE for a malformed message, NM_E_UNSUPPORTED
 * for record and provider requests. */
int nm_kad_answer(const struct nm_kad *k, const uint8_t *req, size_t len, uint8_t **resp,
                  size_t *resp_len);
/* Reads a FIND_NODE answer: fn runs for each closer peer with a valid id
 * (addresses as sent, unknown ones skipped). NM_E_DECODE if malformed. */
typedef void (*nm_kad_peer_fn)(void *ud, const struct nm_peer_id *id,
                               const struct nm_multiaddr *addrs, size_t n);
int nm_kad_closer_decode(const uint8_t *resp, size_t len, nm_kad_peer_fn fn, void *ud);

#endif
