/* topology.h - the seed's third collusion signal (CONS-004, issue 16):
 * validators announcing from the same network. Sharing a network is common
 * and innocent (one cloud region), so it is never a finding alone: a pair
 * of validators whose endpoints (table neurons) are on the same network is
 * linked only when their weight vectors also deviate from this epoch's
 * W_global in the same direction (the deviation correlation the collusion
 * analysis uses, here at a lower threshold, since the shared network is
 * evidence too) and they submitted within a few blocks of each other
 * (timing). Pure integer rules, the same on every machine.
 *
 * Network of an endpoint (nm_topology_network): the host part after an
 * optional "scheme://" and before ":port" or "/path"; an IPv4 address
 * counts by its /24 ("10.1.2."), an IPv6 one in brackets by its first three
 * groups (/48, "[2001:db8:1:"), a name by itself (lower case). None for an
 * empty endpoint.
 *
 * A pair (u, v) with the same network, both with weights this epoch,
 * |submitted_at[u] - submitted_at[v]| <= window_blocks and deviation
 * correlation >= max(threshold_ppb, 3 x 10^9 / sqrt(miners)) is linked:
 * both get NM_COLL_TOPOLOGY, the partner and score of their strongest such
 * link. At most max_pairs pairs are examined per epoch (in validator
 * order), so validators crowding one network cannot make the epoch slow:
 * O(max_pairs x miners). threshold_ppb 0 turns the signal off. */
#ifndef NM_TOPOLOGY_H
#define NM_TOPOLOGY_H

#include "node/pallets/collusion.h"
#include "node/pallets/consensus_math.h"

#include <stddef.h>
#include <stdint.h>

enum { NM_COLL_TOPOLOGY = 16 };

#define NM_TOPOLOGY_KEY_MAX 64

/* key (at least NM_TOPOLOGY_KEY_MAX bytes) gets the network; returns
 * false (key "") when the endpoint names none. */
bool nm_topology_network(const char *endpoint, char *key);

struct nm_topology_params {
    uint64_t threshold_ppb;
    uint64_t window_blocks;
    uint32_t max_pairs;
};

struct nm_topology_input {
    uint32_t validators;
    const char *const *network;   /* per validator: its key, "" for none */
    const struct nm_wrow *rows;   /* n == 0: no weights this epoch */
    const uint64_t *submitted_at; /* block of each row */
    const uint32_t *global;       /* W_global by uid, ppb */
    const uint16_t *miners;       /* miner uids, ascending */
    uint32_t miner_count;
    uint32_t width;               /* uids are < width */
};

/* Adds NM_COLL_TOPOLOGY links to out (one per validator; other kinds
 * kept; partner and score replaced only by a stronger topology link when
 * the finding had no other kind). Returns the pairs linked, or a negative
 * NM_E_NOMEM / NM_E_INVAL (uid past width). */
long nm_topology_links(const struct nm_topology_params *p, const struct nm_topology_input *in,
                       struct nm_collusion_finding *out);

#endif
