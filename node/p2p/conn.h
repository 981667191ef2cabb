/* conn.h - one libp2p connection as an I/O-free state machine: raw TCP
 * bytes in, raw bytes out, events to the host. It runs the upgrade
 * (multistream-select /noise, Noise XX, multistream-select /yamux/1.0.0)
 * and then yamux streams, each negotiated with multistream-select, for
 * identify (/ipfs/id/1.0.0, /ipfs/id/push/1.0.0) and ping
 * (/ipfs/ping/1.0.0). Time comes in as an argument (microseconds), so
 * tests drive it without a clock. */
#ifndef NM_P2P_CONN_H
#define NM_P2P_CONN_H

#include "node/p2p/mss.h"
#include "node/p2p/multiaddr.h"
#include "node/p2p/noise.h"
#include "node/p2p/yamux.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_P2P_PROTO_PING "/ipfs/ping/1.0.0"
#define NM_P2P_PROTO_ID "/ipfs/id/1.0.0"
#define NM_P2P_PROTO_ID_PUSH "/ipfs/id/push/1.0.0"
/* Block sync, request-response: one request per stream, the requester
 * half-closes after it, the responder answers and closes. */
#define NM_P2P_PROTO_SYNC "/neuromesh/sync/1"
#define NM_P2P_REQUEST_MAX (64u * 1024u) /* room for relayed extrinsics */
/* Kademlia (kad-dht spec): varint-length-prefixed messages, several
 * requests may share a stream, each answered in turn. */
#define NM_P2P_PROTO_KAD "/ipfs/kad/1.0.0"
#define NM_P2P_KAD_MAX (16u * 1024u)

/* gossipsub: each side sends its RPCs, varint-length-prefixed, on a
 * stream it opened; the peer's stream only receives. */
#define NM_P2P_PROTO_MESHSUB "/meshsub/1.1.0"
#define NM_P2P_GOSSIP_MAX (1024u * 1024u)
/* Gossip bytes that may wait for one peer's yamux window (beyond it the
 * RPCs to that peer are dropped and counted in gossip_dropped). */
#define NM_P2P_GOSSIP_PENDING_MAX (2u * NM_P2P_GOSSIP_MAX)

/* The request-response protocols a connection carries. */
enum nm_p2p_rr { NM_P2P_RR_SYNC, NM_P2P_RR_KAD, NM_P2P_RR_AUTONAT };
#define NM_P2P_PROTO_AUTONAT "/libp2p/autonat/1.0.0"
/* on_request may answer later: it returns NM_P2P_PENDING and the
 * connection's pending_stream names the stream for nm_p2p_conn_respond. */
#define NM_P2P_PENDING 1
/* Stream payload bytes are counted per protocol, in this order ("other":
 * multistream-select negotiation and refused streams). */
#define NM_P2P_PROTO_KINDS 8
extern const char *const nm_p2p_proto_labels[NM_P2P_PROTO_KINDS];
#define NM_P2P_RESPONSE_MAX (240u * 1024u) /* stays inside one yamux window */
#define NM_P2P_IDENTIFY_MAX 8192 /* largest identify message accepted */
#define NM_P2P_MAX_LISTEN_ADDRS 4
#define NM_P2P_AGENT "neuromesh/0.2"

/* What the host lends every connection (borrowed, outlives them). */
struct nm_p2p_local {
    const struct nm_noise_identity *noise;
    struct nm_peer_id id;
    const struct nm_multiaddr *listen; /* our addresses, for identify */
    size_t n_listen;
};

enum nm_p2p_conn_state {
    NM_P2P_CONN_SECURITY, /* multistream-select for /noise */
    NM_P2P_CONN_NOISE,
    NM_P2P_CONN_MUXER,    /* multistream-select for /yamux/1.0.0 */
    NM_P2P_CONN_READY,
    NM_P2P_CONN_DEAD,
};

struct nm_p2p_conn;

struct nm_p2p_conn_events {
    void (*on_ready)(void *ud, struct nm_p2p_conn *c);    /* secured, muxed, peer known */
    void (*on_identify)(void *ud, struct nm_p2p_conn *c); /* c->remote_info updated */
    void (*on_ping)(void *ud, struct nm_p2p_conn *c, uint64_t rtt_us);
    /* A sync or Kademlia request arrived: answer with *resp (malloc'd, at
     * most NM_P2P_RESPONSE_MAX / NM_P2P_KAD_MAX; the connection frees it).
     * A negative return resets the stream; NM_E_PROTOCOL also ends the
     * connection. */
    int (*on_request)(void *ud, struct nm_p2p_conn *c, enum nm_p2p_rr rr, const uint8_t *req,
                      size_t len, uint8_t **resp, size_t *resp_len);
    /* The answer to nm_p2p_conn_request(cookie): err 0 with the bytes, or
     * an error (stream reset, protocol refused, connection gone). */
    void (*on_response)(void *ud, struct nm_p2p_conn *c, enum nm_p2p_rr rr, uint64_t cookie,
                        const uint8_t *resp, size_t len, int err);
    /* A gossipsub RPC from the peer (at most NM_P2P_GOSSIP_MAX bytes). */
    void (*on_gossip)(void *ud, struct nm_p2p_conn *c, const uint8_t *rpc, size_t len);
};

/* What identify told us about the peer. */
struct nm_p2p_remote_info {
    bool identified;
    char agent[64];
    char protocols[1024]; /* space-separated */
    struct nm_multiaddr listen[NM_P2P_MAX_LISTEN_ADDRS];
    size_t n_listen;
    bool has_observed;
    struct nm_multiaddr observed; /* how the peer sees us */
};

struct nm_p2p_conn {
    enum nm_p2p_conn_state state;
    bool dialer;
    const struct nm_p2p_local *local;
    const struct nm_p2p_conn_events *ev;
    void *ud;
    struct nm_multiaddr remote_addr; /* as we see it (sent back as observedAddr) */
    struct nm_peer_id remote;        /* proven by Noise once READY */
    bool expect_remote;
    struct nm_p2p_remote_info info;
    struct nm_mss *mss;          /* during SECURITY and MUXER */
    struct nm_noise_hs *hs;      /* during NOISE */
    struct nm_noise_cipher tx, rx;
    struct nm_yamux mux;
    /* raw bytes: received and not yet a whole Noise frame; and to send */
    uint8_t *in;
    size_t in_len, in_cap;
    uint8_t *out;
    size_t out_len, out_cap;
    uint64_t now_us;
    struct nm_yamux_stream *ping_stream;
    struct nm_yamux_stream *gossip_stream; /* ours, for sending gossipsub RPCs */
    uint64_t gossip_dropped;               /* RPCs dropped: the peer left too much unread */
    uint64_t ping_sent_us;
    uint64_t last_rtt_us;
    uint64_t proto_in[NM_P2P_PROTO_KINDS], proto_out[NM_P2P_PROTO_KINDS]; /* stream payload */
    uint32_t pending_stream; /* set before on_request: the stream of the request */
    int error; /* first error that killed the connection */
};

/* Starts a connection (the dialer queues its first bytes). expected: the
 * PeerId a dialer meant to reach, or NULL. remote_addr: the socket's peer
 * address. Returns 0 or NM_E_NOMEM. */
int nm_p2p_conn_init(struct nm_p2p_conn *c, const struct nm_p2p_local *local, bool dialer,
                     const struct nm_peer_id *expected, const struct nm_multiaddr *remote_addr,
                     const struct nm_p2p_conn_events *ev, void *ud);
void nm_p2p_conn_fini(struct nm_p2p_conn *c);
/* Received raw bytes. 0, or the error that killed the connection
 * (NM_E_PROTOCOL, NM_E_HANDSHAKE, NM_E_UNSUPPORTED, NM_E_FLOODED,
 * NM_E_NOMEM): send what is queued (best effort) and close. */
int nm_p2p_conn_feed(struct nm_p2p_conn *c, const uint8_t *in, size_t len, uint64_t now_us);
/* Sends one ping on the ping stream (opened on first use); on_ping reports
 * the round trip. NM_E_INVAL before READY. */
int nm_p2p_conn_ping(struct nm_p2p_conn *c, uint64_t now_us);
/* Sends a request of protocol rr on a new stream; the answer comes to
 * on_response with cookie. NM_E_INVAL before READY or for a request over
 * NM_P2P_REQUEST_MAX (sync) / NM_P2P_KAD_MAX (Kademlia). */
/* Identify push (/ipfs/id/push/1.0.0): sends our identify record again,
 * after our addresses (local->listen) changed. NM_E_INVAL before ready. */
int nm_p2p_conn_identify_push(struct nm_p2p_conn *c);
int nm_p2p_conn_request(struct nm_p2p_conn *c, enum nm_p2p_rr rr, const uint8_t *req, size_t len,
                        uint64_t cookie);
/* The answer to a request on_request left pending (NM_P2P_PENDING):
 * written length-prefixed on stream_id, which is then closed.
 * NM_E_INVAL when that stream is gone. */
int nm_p2p_conn_respond(struct nm_p2p_conn *c, uint32_t stream_id, const uint8_t *resp,
                        size_t len);
/* Sends a gossipsub RPC on our gossip stream (opened on first use). One
 * larger than the peer's receive window goes out in turns as its window
 * updates arrive; one that would leave more than NM_P2P_GOSSIP_PENDING_MAX
 * bytes waiting for a peer that does not read is dropped and counted
 * (gossip is lossy; IHAVE/IWANT and sync recover). NM_E_INVAL before READY
 * or over NM_P2P_GOSSIP_MAX. */
int nm_p2p_conn_gossip_send(struct nm_p2p_conn *c, const uint8_t *rpc, size_t len);
/* Decodes a length-prefixed Identify message from remote into ri (agent
 * cleaned of control characters, unknown or malformed addresses and odd
 * protocol ids skipped). NM_E_PROTOCOL if it does not decode or names
 * another key than remote's. */
/* Our identify message (varint-length-prefixed protobuf) listing
 * protocols (conn.c's, for its own streams). */
int nm_p2p_identify_build(const struct nm_p2p_conn *c, const char *const *protocols,
                          size_t n_protocols, uint8_t **out, size_t *len);
int nm_p2p_identify_decode(const uint8_t *d, size_t n, const struct nm_peer_id *remote,
                           struct nm_p2p_remote_info *ri);
/* Bytes to write to the socket; nm_p2p_conn_output_clear after writing. */
const uint8_t *nm_p2p_conn_output(const struct nm_p2p_conn *c, size_t *len);
void nm_p2p_conn_output_clear(struct nm_p2p_conn *c);

#endif
