/* gossip_score.h - gossipsub v1.1 peer scoring (the spec's "Peer Scoring"
 * section) without I/O, used by the router (gossip.c). A peer's score is
 *
 *   sum over topics t of  weight_t * (w1 P1 + w2 P2 + w3 P3 + w3b P3b + w4 P4)
 *   + w5 P5 + w6 P6 + w7 P7
 *
 * P1 time in the mesh (quanta, capped), P2 first message deliveries
 * (decayed, capped), P3 the square of the mesh delivery deficit below a
 * threshold once the peer has been in the mesh for the activation time,
 * P3b the sticky mesh failure penalty (the deficit squared when the peer
 * leaves the mesh), P4 the square of invalid messages (decayed), P5 an
 * application-specific value, P6 the square of how many peers share the
 * peer's IP beyond a threshold (loopback whitelisted, so devnets work), P7
 * the square of behaviour penalties beyond a threshold (GRAFT during
 * backoff). Counters decay every decay interval and drop to zero below
 * decay_to_zero; the scores of peers that left are kept for retain_ms so
 * reconnecting does not wash a bad score. Scores never reach chain state:
 * doubles are fine here. Thresholds (gossip, publish, graylist, accept PX)
 * are read by the router. */
#ifndef NM_P2P_GOSSIP_SCORE_H
#define NM_P2P_GOSSIP_SCORE_H

#include "node/p2p/peerid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_GOSSIP_SCORE_TOPICS 32 /* as the router's topic bit masks */
#define NM_GOSSIP_SCORE_PEERS 128 /* connected and retained */

struct nm_gossip_topic_params {
    double topic_weight;
    double p1_weight, p1_cap;      /* per second in the mesh, up to cap seconds */
    double p2_weight, p2_decay, p2_cap;
    double p3_weight;              /* negative; 0 turns P3 off */
    double p3_decay, p3_cap, p3_threshold;
    uint64_t p3_activation_ms, p3_window_ms;
    double p3b_weight, p3b_decay;  /* negative */
    double p4_weight, p4_decay;    /* negative */
};

struct nm_gossip_score_params {
    struct nm_gossip_topic_params topic; /* every topic's unless set (router) */
    double app_weight;
    double ip_weight, ip_threshold; /* P6 */
    double behaviour_weight, behaviour_threshold, behaviour_decay; /* P7 */
    uint64_t decay_interval_ms;
    double decay_to_zero;
    uint64_t retain_ms;
    double gossip_threshold, publish_threshold, graylist_threshold, accept_px_threshold;
};

/* The values this node runs with (docs/network.md lists them). */
void nm_gossip_score_params_default(struct nm_gossip_score_params *p);

struct nm_gossip_topic_stats {
    uint64_t mesh_since_ms; /* 0: not in the mesh */
    double first_deliveries, mesh_deliveries, mesh_failure, invalid;
};

struct nm_gossip_peer_score {
    bool used, connected;
    struct nm_peer_id id;
    char ip[48];
    uint64_t left_ms; /* when it disconnected (retained until + retain_ms) */
    double app, behaviour;
    struct nm_gossip_topic_stats t[NM_GOSSIP_SCORE_TOPICS];
};

struct nm_gossip_score {
    struct nm_gossip_score_params p;
    struct nm_gossip_topic_params topic[NM_GOSSIP_SCORE_TOPICS];
    struct nm_gossip_peer_score peers[NM_GOSSIP_SCORE_PEERS];
    uint64_t last_decay_ms;
};

void nm_gossip_score_init(struct nm_gossip_score *s, const struct nm_gossip_score_params *p);
/* A peer connected: its retained entry comes back, or a new one. NULL when
 * the table is full of connected peers. */
struct nm_gossip_peer_score *nm_gossip_score_connect(struct nm_gossip_score *s,
                                                     const struct nm_peer_id *id);
void nm_gossip_score_disconnect(struct nm_gossip_score *s, const struct nm_peer_id *id,
                                uint64_t now_ms);
struct nm_gossip_peer_score *nm_gossip_score_find(struct nm_gossip_score *s,
                                                  const struct nm_peer_id *id);
/* Mesh changes (P1, P3 activation, P3b on leaving). */
void nm_gossip_score_graft(struct nm_gossip_score *s, struct nm_gossip_peer_score *e, int t,
                           uint64_t now_ms);
void nm_gossip_score_prune(struct nm_gossip_score *s, struct nm_gossip_peer_score *e, int t,
                           uint64_t now_ms);
/* A valid message first delivered by e (P2, and P3 when in the mesh). */
void nm_gossip_score_first(struct nm_gossip_score *s, struct nm_gossip_peer_score *e, int t);
/* A duplicate from e, first_ms after the first copy arrived (P3 when in the
 * mesh and within the window). */
void nm_gossip_score_duplicate(struct nm_gossip_score *s, struct nm_gossip_peer_score *e, int t,
                               uint64_t since_first_ms);
void nm_gossip_score_invalid(struct nm_gossip_score *s, struct nm_gossip_peer_score *e, int t);
void nm_gossip_score_penalty(struct nm_gossip_score *s, struct nm_gossip_peer_score *e,
                             double count);
/* Decays every counter once per elapsed decay interval; forgets retained
 * peers past retain_ms. Call from the heartbeat. */
void nm_gossip_score_decay(struct nm_gossip_score *s, uint64_t now_ms);
/* The score now. */
double nm_gossip_score_value(const struct nm_gossip_score *s, const struct nm_gossip_peer_score *e,
                             uint64_t now_ms);

#endif
