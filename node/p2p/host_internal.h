/* host_internal.h - what the p2p host's files share (host.c: sockets,
 * connections, bans, the tick; host_kad.c: Kademlia lookups and dialing
 * what they find; host_api.c: the queries and controls of host.h). Not
 * for use outside node/p2p/host*.c. */
#ifndef NM_P2P_HOST_INTERNAL_H
#define NM_P2P_HOST_INTERNAL_H

#include "node/p2p/autonat.h"
#include "node/p2p/conn.h"
#include "node/p2p/host.h"
#include "node/p2p/kad.h"
#include "node/p2p/kad_lookup.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define TICK_MS 250
#define MAX_RESERVED 32
#define MAX_BANS 256
#define MAX_PENDING_WRITE (16u * 1024u * 1024u)
#define REDIAL_MIN_MS 1000
#define REDIAL_MAX_MS 30000
#define MAX_LISTEN 4
#define KAD_FIRST_WALK_MS 500     /* after the first peer: look ourselves up */
#define KAD_WALK_MS 30000         /* then a random walk this often */
#define AUTONAT_FIRST_MS 3000     /* first AutoNAT question after start */
#define AUTONAT_UNKNOWN_MS 10000  /* then this often until the answer is clear */
#define AUTONAT_KNOWN_MS 120000   /* and this often after */
#define AUTONAT_ASK 3             /* peers asked each time */
#define KAD_ASK_TIMEOUT_MS 5000   /* a lookup candidate silent this long failed */
#define KAD_LOOKUP_MAX_MS 30000   /* a lookup that has not converged by then ends */

struct pconn {
    struct nm_p2p_host *h;
    uv_tcp_t tcp;
    uv_connect_t connect_req;
    struct nm_p2p_conn conn;
    bool inbound, closing, ready;
    int reserved; /* index into h->reserved, or -1 */
    bool probe;   /* an AutoNAT dial-back (host_autonat.c) */
    char ip[INET6_ADDRSTRLEN];
    struct nm_multiaddr addr;
    uint64_t started_ms, last_ping_ms;
    uint64_t win_start_ms, win_bytes;
    uint64_t bytes_in, bytes_out;
    size_t write_pending;
    bool has_best;
    uint64_t best_height;
    nm_hash best_hash;
    struct pconn *prev, *next;
};

struct reserved {
    bool active, dialing, connected;
    bool once; /* found by Kademlia: dialed once, forgotten when closed */
    struct nm_multiaddr addr;
    struct nm_multiaddr_tcp tcp;
    uint64_t next_dial_ms, backoff_ms;
};

struct ban {
    bool used, by_id;
    char ip[INET6_ADDRSTRLEN];
    struct nm_peer_id id;
    uint64_t until_ms;
};

struct nm_p2p_host {
    uv_loop_t *loop;
    uv_tcp_t listener;
    uv_timer_t timer;
    uv_prepare_t before_poll; /* these two send what connections queued (host_conn_flush) */
    uv_check_t turn_end;
    bool flush_due; /* some connection queued output since the last flush */
    int open_handles; /* the host frees itself when this reaches 0 while stopping */
    bool stopping;
    struct nm_p2p_config cfg;
    struct nm_keypair key;
    struct nm_noise_identity noise;
    struct nm_p2p_local local;
    struct nm_multiaddr listen[MAX_LISTEN];
    size_t n_listen;
    int port;
    struct pconn *conns;
    int n_in, n_out;
    struct reserved reserved[MAX_RESERVED];
    struct ban bans[MAX_BANS];
    struct nm_p2p_stats stats;
    bool syncing;
    struct nm_kad kad;
    struct nm_nat *nat;
    uint64_t next_walk_ms;
    unsigned walks;
    struct nm_kad_lookup lookup; /* the iterative lookup in progress (host_kad.c) */
    uint64_t lookup_started_ms;
    uint8_t *lookup_req; /* its FIND_NODE request, encoded once */
    size_t lookup_req_len;
    /* AutoNAT (host_autonat.c): the one dial-back in progress for a peer,
     * and what peers said of our own reachability */
    struct {
        bool active;
        struct nm_peer_id requester, peer;
        uint32_t stream;
        struct nm_multiaddr addr;
        struct pconn *pc;
    } probe;
    struct nm_autonat_tally autonat;
    uint64_t next_autonat_ms;
    uint8_t readbuf[65536]; /* shared: each read is consumed before the next */
};

#define host_log(h, ...) nm_p2p_logf((h)->cfg.log, (h)->cfg.log_ud, __VA_ARGS__)

uint64_t host_now_ms(struct nm_p2p_host *h);
bool host_is_banned(struct nm_p2p_host *h, const char *ip, const struct nm_peer_id *id);
void host_add_ban(struct nm_p2p_host *h, const char *ip, const struct nm_peer_id *id);
/* Closes a connection (why: logged, NULL: quietly), sending first what it
 * queued; freed in the close callback. */
void host_conn_close(struct pconn *pc, const char *why);
/* Sends what the connection queued, at the end of this loop turn (all a
 * turn queued for one peer in one write; nm_p2p_host_flush). */
void host_conn_flush(struct pconn *pc);
struct pconn *host_find_ready(const struct nm_p2p_host *h, const struct nm_peer_id *id);
/* Reserves a peer to dial (once: forgotten after its connection closes). */
int host_reserve(struct nm_p2p_host *h, const struct nm_multiaddr *addr, bool once);
/* Our addresses changed: identify push to every peer that takes it. */
void host_identify_push_all(struct nm_p2p_host *h);
/* AutoNAT (host_autonat.c) */
int host_autonat_request(struct nm_p2p_host *h, struct pconn *pc, const uint8_t *req, size_t len,
                         uint8_t **resp, size_t *resp_len);
void host_autonat_response(struct nm_p2p_host *h, struct pconn *pc, const uint8_t *resp,
                           size_t len, int err);
void host_autonat_probe_done(struct nm_p2p_host *h, struct pconn *pc, bool reached);
void host_autonat_tick(struct nm_p2p_host *h);
/* Starts a TCP connection to t (reserved: its h->reserved index or -1;
 * probe: an AutoNAT dial-back). NULL when it could not start (a closed
 * connection reports through on_conn_closed as usual). */
struct pconn *host_dial(struct nm_p2p_host *h, const struct nm_multiaddr_tcp *t, int reserved,
                        bool probe);
/* Kademlia (host_kad.c) */
int host_kad_request(struct nm_p2p_host *h, struct pconn *pc, const uint8_t *req, size_t len,
                     uint8_t **resp, size_t *resp_len);
void host_kad_response(struct nm_p2p_host *h, struct pconn *pc, uint64_t cookie,
                       const uint8_t *resp, size_t len, int err);
void host_kad_walk(struct nm_p2p_host *h);

#endif
