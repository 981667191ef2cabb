/* gossip.h - gossipsub v1.1 (/meshsub/1.1.0) as an I/O-free router: RPC
 * bytes from a peer in, RPC bytes to peers out through a send callback,
 * messages delivered to the application, time as an argument. Mesh of
 * degree D = 6 (D_lo 5, D_hi 12) per subscribed topic kept by a heartbeat
 * (GRAFT/PRUNE with a 60 s backoff), IHAVE gossip of the last 3 of 5
 * history windows to D_lazy = 6 peers outside the mesh, IWANT answered
 * from that history, a seen-cache of message ids (from || seqno) for
 * 2 minutes, StrictSign (every message signed by its author's Ed25519 key
 * over "libp2p-pubsub:" || the message without signature; unsigned or
 * badly signed ones are refused and reported), and flood publishing of our
 * own messages to every subscribed peer, and v1.1 peer scoring
 * (gossip_score.h): negative peers leave the mesh and are not grafted,
 * peers below the gossip threshold get no IHAVE and their IHAVE/IWANT are
 * ignored, no flood publishing below the publish threshold, and every RPC
 * of a peer below the graylist threshold is ignored. A PRUNE for an
 * oversubscribed mesh carries peer exchange (PX: other peers' ids), and PX
 * from a peer scored at least acceptPXThreshold is handed to on_px. */
#ifndef NM_P2P_GOSSIP_H
#define NM_P2P_GOSSIP_H

#include "node/crypto.h"
#include "node/p2p/gossip_score.h"
#include "node/p2p/peerid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_GOSSIP_PROTO "/meshsub/1.1.0"
#define NM_GOSSIP_MAX_PEERS 64
#define NM_GOSSIP_MAX_TOPICS 32 /* bit masks of uint32_t */
#define NM_GOSSIP_TOPIC_MAX 128
#define NM_GOSSIP_ID_MAX 64
#define NM_GOSSIP_RPC_MAX (1024u * 1024u) /* gossipsub's usual max message size */
#define NM_GOSSIP_D 6
#define NM_GOSSIP_D_LO 5
#define NM_GOSSIP_D_HI 12
#define NM_GOSSIP_D_LAZY 6
#define NM_GOSSIP_HISTORY 5
#define NM_GOSSIP_HISTORY_GOSSIP 3
#define NM_GOSSIP_CACHE 1024      /* messages kept for IWANT */
#define NM_GOSSIP_SEEN 8192       /* message ids remembered */
#define NM_GOSSIP_SEEN_TTL_MS 120000
#define NM_GOSSIP_BACKOFF_MS 60000

/* What the application says of a delivered message. */
enum nm_gossip_verdict {
    NM_GOSSIP_ACCEPT = 0, /* forward it */
    NM_GOSSIP_IGNORE,     /* do not forward, no blame */
    NM_GOSSIP_REJECT,     /* do not forward, the sender is at fault */
    /* the application judges it later (asynchronous validation, as
     * go-libp2p's and js-libp2p's validators may): the router holds the
     * message, unforwarded, until nm_gossip_report names its ticket */
    NM_GOSSIP_PENDING,
};

/* Messages held for a later verdict at most; past that the oldest one is
 * dropped unforwarded (its late report changes nothing). */
#define NM_GOSSIP_PENDING_MAX 4096

struct nm_gossip_config {
    const struct nm_keypair *key; /* copied: signs our messages */
    void (*send)(void *ud, const struct nm_peer_id *to, const uint8_t *rpc, size_t len);
    /* ticket names this delivery for nm_gossip_report (NM_GOSSIP_PENDING) */
    enum nm_gossip_verdict (*deliver)(void *ud, const char *topic, const uint8_t *data,
                                      size_t len, const struct nm_peer_id *author,
                                      const struct nm_peer_id *via, uint64_t ticket);
    void *ud;
    /* optional (zero: none / defaults) */
    const struct nm_gossip_score_params *score; /* copied; NULL: the defaults */
    /* a peer we are not connected to, offered by a trusted PRUNE (PX) */
    void (*on_px)(void *ud, const struct nm_peer_id *id);
};

struct nm_gossip_stats {
    uint64_t published, delivered, forwarded, duplicates, rejected, grafts, prunes, ihaves,
        iwants, px, graylisted;
    uint64_t pending_dropped; /* held for a verdict that never came in time */
};

struct nm_gossip;

int nm_gossip_new(const struct nm_gossip_config *cfg, struct nm_gossip **out);
void nm_gossip_free(struct nm_gossip *g);
/* NM_E_INVAL for an empty or too long name, NM_E_TOO_BIG past the topic cap. */
int nm_gossip_subscribe(struct nm_gossip *g, const char *topic);
/* A peer that speaks /meshsub/1.1.0 connected: it is sent our subscriptions. */
int nm_gossip_peer_add(struct nm_gossip *g, const struct nm_peer_id *id);
void nm_gossip_peer_remove(struct nm_gossip *g, const struct nm_peer_id *id);
/* Signs and floods a message to every peer subscribed to topic (which we
 * must be subscribed to). */
int nm_gossip_publish(struct nm_gossip *g, const char *topic, const uint8_t *data, size_t len,
                      uint64_t now_ms);
/* An RPC from a peer. 0; NM_E_PROTOCOL for one that does not decode or
 * breaks the limits; NM_E_BAD_SIGNATURE when it carried an unsigned or
 * badly signed message, or one the application rejected (the caller
 * should drop and ban the peer; valid parts were still handled). */
int nm_gossip_receive(struct nm_gossip *g, const struct nm_peer_id *from, const uint8_t *rpc,
                      size_t len, uint64_t now_ms);
/* The verdict (ACCEPT, IGNORE or REJECT) on a message delivered as
 * NM_GOSSIP_PENDING: accepted, it is forwarded to the mesh (not back to
 * the peer it came from) and counts for that peer (P2); rejected, it
 * counts against it (P4). An unknown or already reported ticket, or one
 * dropped since, changes nothing. */
void nm_gossip_report(struct nm_gossip *g, uint64_t ticket, enum nm_gossip_verdict v,
                      uint64_t now_ms);
/* Messages waiting for their verdict. */
size_t nm_gossip_pending(const struct nm_gossip *g);
/* Call every second: mesh upkeep, gossip, history shift. */
void nm_gossip_heartbeat(struct nm_gossip *g, uint64_t now_ms);

void nm_gossip_stats(const struct nm_gossip *g, struct nm_gossip_stats *out);
/* A connected peer's score now (0 for an unknown peer). */
double nm_gossip_peer_score(const struct nm_gossip *g, const struct nm_peer_id *id);
/* The peer's IP address, for P6 (loopback never counts). */
void nm_gossip_peer_set_ip(struct nm_gossip *g, const struct nm_peer_id *id, const char *ip);
/* P5, the application's opinion of a peer (weight app_weight). */
void nm_gossip_peer_set_app_score(struct nm_gossip *g, const struct nm_peer_id *id, double v);
/* Score parameters of one subscribed topic (else the config's). */
void nm_gossip_topic_score_set(struct nm_gossip *g, const char *topic,
                               const struct nm_gossip_topic_params *tp);
/* Mesh size of a subscribed topic (-1 if not subscribed), for tests and RPC. */
int nm_gossip_mesh_size(const struct nm_gossip *g, const char *topic);

#endif
