/* kad_lookup.h - Kademlia's iterative lookup (Maymounkov and Mazieres
 * 2002, as libp2p's kad-dht runs it) without I/O: start from the K peers
 * of our table closest to a target, ask ALPHA = 3 of the closest not yet
 * asked at a time, merge the closer peers each answer names, and stop when
 * the K closest peers known have all answered (or failed) with nothing in
 * flight: the lookup has converged. The host (host_kad.c) does the asking
 * (dialing a candidate first when not connected) and feeds the answers,
 * failures and timeouts back. */
#ifndef NM_P2P_KAD_LOOKUP_H
#define NM_P2P_KAD_LOOKUP_H

#include "node/p2p/kad.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_KAD_ALPHA 3
#define NM_KAD_LOOKUP_MAX (4 * NM_KAD_K) /* candidates kept, closest first */

enum nm_kad_cand_state { NM_KAD_NEW = 0, NM_KAD_ASKED, NM_KAD_ANSWERED, NM_KAD_FAILED };

struct nm_kad_cand {
    struct nm_kad_peer peer; /* id, key, addresses */
    enum nm_kad_cand_state state;
    uint64_t asked_ms;
    bool sent; /* the asker's own mark (the host: request written) */
};

struct nm_kad_lookup {
    uint8_t target[32];
    struct nm_peer_id self;
    struct nm_kad_cand c[NM_KAD_LOOKUP_MAX];
    size_t n;
    bool active;
    unsigned rounds; /* answers merged */
};

/* Seeds a lookup for target from table k (its K closest). */
void nm_kad_lookup_start(struct nm_kad_lookup *l, const struct nm_kad *k, const uint8_t target[32]);
/* The next candidates to ask (closest first), up to ALPHA in flight; each
 * returned one is marked asked at now_ms and copied to out (answers move
 * the candidates around, so no pointer into the lookup is handed out). How
 * many were put in out. */
size_t nm_kad_lookup_next(struct nm_kad_lookup *l, uint64_t now_ms, struct nm_kad_peer *out,
                          size_t max);
/* from answered with these closer peers (merged, ourselves skipped). */
void nm_kad_lookup_answer(struct nm_kad_lookup *l, const struct nm_peer_id *from,
                          const struct nm_kad_peer *peers, size_t n);
/* from failed (no connection, a reset stream, a bad answer). */
void nm_kad_lookup_failed(struct nm_kad_lookup *l, const struct nm_peer_id *from);
/* Candidates asked before now_ms - timeout_ms fail. */
void nm_kad_lookup_expire(struct nm_kad_lookup *l, uint64_t now_ms, uint64_t timeout_ms);
/* Converged: the K closest candidates not failed have all answered and
 * nothing is in flight (or nobody is left to ask). */
bool nm_kad_lookup_done(const struct nm_kad_lookup *l);
/* The candidate for id, or NULL. */
struct nm_kad_cand *nm_kad_lookup_find(struct nm_kad_lookup *l, const struct nm_peer_id *id);

#endif
