/* host.h - the p2p host on the node's libuv loop: the thin glue between
 * TCP sockets and the I/O-free connection machines (conn.h). It listens,
 * dials bootnodes and reserved peers (and redials them), caps inbound and
 * outbound connections, times out handshakes, limits each peer's byte rate,
 * bans peers that break the protocol, and pings peers for their RTT. Only
 * the node thread calls these functions. */
#ifndef NM_P2P_HOST_H
#define NM_P2P_HOST_H

#include "node/crypto.h"
#include "node/p2p/autonat.h"
#include "node/p2p/conn.h"
#include "node/p2p/multiaddr.h"
#include "node/p2p/nat.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define NM_P2P_MAX_BOOTNODES 16
#define NM_P2P_DEFAULT_PORT 30333

struct nm_p2p_config {
    const struct nm_keypair *node_key; /* copied */
    const char *listen_ip;             /* NULL: 0.0.0.0 */
    int port;                          /* 0: the OS picks */
    int max_inbound;                   /* 0: 32 */
    int max_outbound;                  /* 0: 16 */
    int handshake_timeout_ms;          /* 0: 10000 */
    uint64_t max_bytes_per_sec;        /* per peer, inbound; 0: 16 MiB/s */
    int ban_seconds;                   /* 0: 300 */
    int ping_interval_ms;              /* 0: 5000 */
    enum nm_nat_mode nat;              /* NONE: no port mapping */
    int nat_discover_ms;               /* 0: 1000 per UPnP device type */
    const char *nat_gateway;           /* NAT-PMP gateway (IPv4); NULL: the default route's */
    const struct nm_multiaddr *bootnodes; /* copied; each must be dialable TCP */
    size_t n_bootnodes;
    const struct nm_multiaddr *public_addrs; /* announced in identify besides listen */
    size_t n_public_addrs;
    void (*log)(void *ud, const char *line); /* "warning: ..." etc; may be NULL */
    void *log_ud;
    void (*on_peers_changed)(void *ud); /* a peer connected or left; may be NULL */
    void *peers_ud;
    /* request-response (/neuromesh/sync/1), see conn.h; may be NULL.
     * Kademlia requests are the host's own. */
    int (*on_request)(void *ud, const struct nm_peer_id *from, const uint8_t *req, size_t len,
                      uint8_t **resp, size_t *resp_len);
    void (*on_response)(void *ud, const struct nm_peer_id *from, uint64_t cookie,
                        const uint8_t *resp, size_t len, int err);
    void (*on_tick)(void *ud); /* every 250 ms */
    void *service_ud;
    /* gossipsub (node/p2p/pubsub.c); may be NULL: a peer finished its
     * handshake or left, one of its RPCs arrived, the 250 ms tick */
    void (*on_peer_up)(void *ud, const struct nm_peer_id *id);
    void (*on_peer_down)(void *ud, const struct nm_peer_id *id);
    void (*on_gossip)(void *ud, const struct nm_peer_id *from, const uint8_t *rpc, size_t len);
    void (*on_gossip_tick)(void *ud);
    void *gossip_ud;
};

/* One connected peer, as system_peers shows it. */
struct nm_p2p_peer_view {
    struct nm_peer_id id;
    bool inbound;
    bool ready; /* handshake done */
    struct nm_multiaddr addr;
    char agent[64];
    uint64_t rtt_us; /* 0: not measured yet */
    bool has_best;   /* the peer told its best block (sync) */
    uint64_t best_height;
    nm_hash best_hash;
    uint64_t bytes_in, bytes_out;
    char ip[48]; /* the remote IP address as text */
    char protocols[1024]; /* what identify said it speaks, space-separated */
};

struct nm_p2p_host;

/* Formats one log line and hands it to log (nothing when log is NULL). */
void nm_p2p_logf(void (*log)(void *ud, const char *line), void *ud, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Listens and starts dialing. NM_E_IO (message in msg) when the port cannot
 * be bound; NM_E_INVAL for a bad config. */
int nm_p2p_host_start(uv_loop_t *loop, const struct nm_p2p_config *cfg, struct nm_p2p_host **out,
                      char *msg, size_t cap);
/* Closes every connection and handle; the host frees itself once libuv
 * has closed them (run the loop). NULL is fine. */
void nm_p2p_host_stop(struct nm_p2p_host *h);

const struct nm_peer_id *nm_p2p_host_peer_id(const struct nm_p2p_host *h);
/* Our listen addresses with /p2p/ID (the port actually bound). */
size_t nm_p2p_host_listen_addrs(const struct nm_p2p_host *h, struct nm_multiaddr *out, size_t max);
int nm_p2p_host_port(const struct nm_p2p_host *h);
/* Connected peers (handshake done), up to max; returns how many there are. */
size_t nm_p2p_host_peers(const struct nm_p2p_host *h, struct nm_p2p_peer_view *out, size_t max);
/* Dials addr now and keeps redialing it while it is reserved.
 * NM_E_MULTIADDR if it is not /ip4|ip6/../tcp/../p2p/ID. */
int nm_p2p_host_add_reserved(struct nm_p2p_host *h, const struct nm_multiaddr *addr);
/* Stops redialing and disconnects the peer. NM_E_INVAL if not reserved. */
int nm_p2p_host_remove_reserved(struct nm_p2p_host *h, const struct nm_peer_id *id);
/* Dials a peer we are not connected to whose addresses Kademlia knows
 * (gossipsub peer exchange names peers by id only). NM_E_INVAL when the
 * table has no address for it or it is banned; 0 if already connected. */
int nm_p2p_host_dial_known(struct nm_p2p_host *h, const struct nm_peer_id *id);
/* Disconnects id and refuses it for the ban time. */
void nm_p2p_host_ban(struct nm_p2p_host *h, const struct nm_peer_id *id);
/* Sends a sync request to a connected peer; the answer comes to
 * cfg.on_response with cookie. NM_E_INVAL when not connected. */
int nm_p2p_host_request(struct nm_p2p_host *h, const struct nm_peer_id *id, const uint8_t *req,
                        size_t len, uint64_t cookie);
/* Sends a gossipsub RPC to a connected peer (dropped when its window is
 * full). NM_E_INVAL when not connected. */
int nm_p2p_host_gossip_send(struct nm_p2p_host *h, const struct nm_peer_id *id, const uint8_t *rpc,
                            size_t len);
/* The n-th connected peer (handshake done), for round-robin; false past
 * the end. */
bool nm_p2p_host_peer_at(const struct nm_p2p_host *h, size_t n, struct nm_peer_id *out);
/* What a peer said its best block is (shown by system_peers). */
void nm_p2p_host_set_peer_best(struct nm_p2p_host *h, const struct nm_peer_id *id,
                               uint64_t height, const nm_hash *hash);
/* Whether the node is catching up (system_health.isSyncing). */
void nm_p2p_host_set_syncing(struct nm_p2p_host *h, bool syncing);
bool nm_p2p_host_syncing(const struct nm_p2p_host *h);
/* What AutoNAT learned (autonat.h): whether peers can dial us back. */
enum nm_reachability nm_p2p_host_reachability(const struct nm_p2p_host *h);
/* Sends now what every connection queued (one write each). The host does
 * it by itself at the end of each loop turn and before the loop waits for
 * I/O; a caller that queued messages in a check handle of its own (which
 * may run after the host's) calls it so they leave in this turn. */
void nm_p2p_host_flush(struct nm_p2p_host *h);
/* Counters since start (Prometheus). */
struct nm_p2p_stats {
    uint64_t inbound, outbound; /* connected now, handshake done */
    uint64_t bytes_in, bytes_out;
    uint64_t banned, refused;   /* connections dropped for abuse / refused at the door */
    uint64_t writes;            /* socket writes: one per peer per loop turn at most */
    /* stream payload bytes by protocol (nm_p2p_proto_labels), closed
     * connections included */
    uint64_t proto_in[NM_P2P_PROTO_KINDS], proto_out[NM_P2P_PROTO_KINDS];
};
void nm_p2p_host_stats(const struct nm_p2p_host *h, struct nm_p2p_stats *out);

#endif
