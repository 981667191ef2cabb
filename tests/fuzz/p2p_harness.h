/* p2p_harness.h - one-input checks for the p2p decoders, shared by the
 * libFuzzer targets tests/fuzz/fuzz_p2p_*.c (make fuzz) and their corpus
 * replay tests/test_p2p_corpus.c (make test). Each feeds bytes from a
 * hostile peer into a decoder or state machine and aborts if an invariant
 * breaks: no crash, no leak, errors are named NM_E_* values, dead machines
 * stay dead, nothing is accepted that should not be. Header-only so both
 * builds (clang fuzzer, gcc tests) compile the same code. */
#ifndef NM_TESTS_P2P_HARNESS_H
#define NM_TESTS_P2P_HARNESS_H

#include "node/block.h"
#include "node/crypto.h"
#include "node/errors.h"
#include "node/p2p/conn.h"
#include "node/p2p/ext_batch.h"
#include "node/p2p/announce.h"
#include "node/p2p/autonat.h"
#include "node/call.h"
#include "node/p2p/gossip.h"
#include "node/p2p/kad.h"
#include "node/p2p/mss.h"
#include "node/p2p/multiaddr.h"
#include "node/p2p/noise.h"
#include "node/p2p/proto/noise.pb-c.h"
#include "node/p2p/proto/sync.pb-c.h"
#include "node/p2p/varint.h"
#include "node/p2p/yamux.h"

#include <stdlib.h>
#include <string.h>

static inline const struct nm_noise_identity *nm_fuzz_identity(void)
{
    static struct nm_noise_identity me;
    static int ready;
    if (!ready) {
        uint8_t seed[NM_SEED_LEN] = {7};
        struct nm_keypair kp;
        nm_crypto_init();
        nm_keypair_from_seed(seed, &kp);
        nm_noise_identity_init(&me, &kp);
        ready = 1;
    }
    return &me;
}

static inline void nm_fuzz_check_err(int rc)
{
    if (rc < 0 && (rc <= -1000 || rc >= NM__E_LAST))
        abort(); /* every error is one of ours */
}

/* multistream-select: listener and dialer, the input split at its first
 * byte's value so partial reads are exercised. */
static inline void nm_fuzz_p2p_mss(const uint8_t *d, size_t n)
{
    static const char *const protos[] = {"/noise", "/yamux/1.0.0", NULL};
    for (int dialer = 0; dialer < 2; dialer++) {
        struct nm_mss m;
        if (nm_mss_init(&m, dialer, protos))
            abort();
        size_t cut = n ? d[0] % (n + 1) : 0, used = 0, used2 = 0;
        int rc = nm_mss_feed(&m, d, cut, &used);
        nm_fuzz_check_err(rc);
        if (rc == NM_MSS_MORE && used == cut)
            rc = nm_mss_feed(&m, d + cut, n - cut, &used2);
        nm_fuzz_check_err(rc);
        if (used > cut || used2 > n - cut)
            abort();
        const char *p = nm_mss_protocol(&m);
        if ((rc == NM_MSS_DONE) != (p != NULL))
            abort();
        if (p && strcmp(p, "/noise") && strcmp(p, "/yamux/1.0.0"))
            abort();
    }
}

/* Noise: random bytes as message 1 (responder) and message 2 (initiator). */
static inline void nm_fuzz_p2p_noise(const uint8_t *d, size_t n)
{
    const struct nm_noise_identity *me = nm_fuzz_identity();
    struct nm_noise_hs *hs = malloc(sizeof *hs);
    for (int initiator = 0; initiator < 2; initiator++) {
        size_t used;
        nm_noise_hs_init(hs, me, initiator, NULL);
        int rc = nm_noise_hs_feed(hs, d, n, &used);
        nm_fuzz_check_err(rc);
        /* no forged peer completes a handshake: message 3 needs our keys */
        if (rc == 1)
            abort();
        if (used > n)
            abort();
    }
    /* transport: a frame from nowhere never opens */
    struct nm_noise_cipher c = {{0}, 0};
    uint8_t *out = malloc(n + 1);
    if (n >= NM_NOISE_TAG_LEN && nm_noise_open(&c, d, n, out) >= 0 && n > 64)
        abort();
    free(out);
    free(hs);
}

static inline void nm_fuzz_yamux_data(void *ud, struct nm_yamux_stream *s, const uint8_t *d,
                                      size_t n)
{
    struct nm_yamux *y = ud;
    nm_yamux_consume(y, s, n);
    if (n && d[0] == 'R')
        nm_yamux_reset(y, s); /* the application may reset from a callback */
    else if (n && d[0] == 'C')
        nm_yamux_close(y, s);
}

/* yamux: a session fed the input, as client and as server. */
static inline void nm_fuzz_p2p_yamux(const uint8_t *d, size_t n)
{
    static const struct nm_yamux_callbacks cb = {.on_data = nm_fuzz_yamux_data};
    for (int client = 0; client < 2; client++) {
        struct nm_yamux y;
        nm_yamux_init(&y, client, &cb, &y);
        int rc = nm_yamux_feed(&y, d, n);
        nm_fuzz_check_err(rc);
        if (y.n_streams > NM_YAMUX_MAX_STREAMS)
            abort();
        for (size_t i = 0; i < y.n_streams; i++)
            if (y.streams[i]->recv_window > NM_YAMUX_WINDOW)
                abort(); /* never more credit than we granted */
        size_t len;
        nm_yamux_output(&y, &len);
        nm_yamux_fini(&y);
    }
}

/* A whole connection from a listener's seat: raw bytes as they come. */
static inline void nm_fuzz_p2p_conn(const uint8_t *d, size_t n)
{
    static const struct nm_p2p_conn_events ev = {0};
    static struct nm_p2p_local local;
    local.noise = nm_fuzz_identity();
    nm_peer_id_from_pubkey(&local.noise->id.pub, &local.id);
    struct nm_p2p_conn *c = malloc(sizeof *c);
    nm_p2p_conn_init(c, &local, false, NULL, NULL, &ev, NULL);
    int rc = nm_p2p_conn_feed(c, d, n, 0);
    nm_fuzz_check_err(rc);
    if (rc && nm_p2p_conn_feed(c, d, n > 4 ? 4 : n, 0) != rc)
        abort(); /* a dead connection stays dead with its first error */
    if (c->state == NM_P2P_CONN_READY)
        abort(); /* nobody gets through Noise without a key */
    nm_p2p_conn_fini(c);
    free(c);
}

static inline void nm_fuzz_gossip_send(void *ud, const struct nm_peer_id *to,
                                       const uint8_t *rpc, size_t len)
{
    (void)ud;
    (void)to;
    (void)rpc;
    if (len > NM_GOSSIP_RPC_MAX)
        abort(); /* we never send more than a peer may */
}

static inline void nm_fuzz_kad_found(void *ud, const struct nm_peer_id *id,
                                     const struct nm_multiaddr *addrs, size_t n)
{
    (void)id;
    (void)addrs;
    if (n > NM_KAD_ADDRS)
        abort();
    (*(int *)ud)++;
}

/* The protobuf messages and binary forms a peer sends after the
 * handshake: identify, the Noise payload, sync requests and responses,
 * Kademlia requests and answers, gossipsub RPCs, multiaddrs, PeerIds,
 * varints and blocks. */
static inline void nm_fuzz_p2p_messages(const uint8_t *d, size_t n)
{
    struct nm_peer_id remote;
    memset(&remote, 0, sizeof remote);
    struct nm_p2p_remote_info *ri = calloc(1, sizeof *ri);
    if (nm_p2p_identify_decode(d, n, &remote, ri) == 0) {
        if (strlen(ri->agent) >= sizeof ri->agent || strlen(ri->protocols) >= sizeof ri->protocols
            || ri->n_listen > NM_P2P_MAX_LISTEN_ADDRS)
            abort();
        for (const char *p = ri->agent; *p; p++)
            if ((unsigned char)*p < 0x20)
                abort();
    }
    free(ri);
    static struct nm_kad kad;
    if (!kad.peers) { /* a table with one peer, so FIND_NODE answers name someone */
        struct nm_peer_id self, other;
        memset(&self, 1, sizeof self);
        memset(&other, 2, sizeof other);
        struct nm_multiaddr ma;
        nm_kad_init(&kad, &self);
        nm_multiaddr_parse("/ip4/127.0.0.1/tcp/4001", &ma);
        nm_kad_add(&kad, &other, &ma, 1, 0);
    }
    uint8_t *kresp = NULL;
    size_t klen;
    if (nm_kad_answer(&kad, d, n, &kresp, &klen) == 0) {
        if (klen > NM_P2P_KAD_MAX)
            abort();
        free(kresp);
    }
    int kfound = 0;
    nm_kad_closer_decode(d, n, nm_fuzz_kad_found, &kfound);
    if (kfound > 2 * NM_KAD_K)
        abort();
    static struct nm_gossip *router;
    static struct nm_peer_id peer;
    if (!router) { /* subscribed to the announcements topic, one peer known */
        struct nm_gossip_config gc = {.key = &nm_fuzz_identity()->id,
                                      .send = nm_fuzz_gossip_send};
        nm_gossip_new(&gc, &router);
        nm_gossip_subscribe(router, "/neuromesh/1.0.0/global/announcements");
        memset(&peer, 3, sizeof peer);
        nm_gossip_peer_add(router, &peer);
    }
    int grc = nm_gossip_receive(router, &peer, d, n, 1000);
    if (grc != 0 && grc != NM_E_PROTOCOL && grc != NM_E_BAD_SIGNATURE)
        abort();
    nm_gossip_heartbeat(router, 2000);
    /* AutoNAT: a DIAL keeps at most its cap of addresses; a response is read */
    struct nm_peer_id an_id;
    struct nm_multiaddr an_addrs[NM_AUTONAT_MAX_ADDRS], an_addr;
    size_t an_n;
    int an_st;
    bool an_has;
    if (nm_autonat_dial_decode(d, n, &an_id, an_addrs, NM_AUTONAT_MAX_ADDRS, &an_n) == 0 &&
        an_n > NM_AUTONAT_MAX_ADDRS)
        abort();
    nm_autonat_response_decode(d, n, &an_st, &an_addr, &an_has);
    /* a subnet endpoint announcement (JSON): what parses prints and parses
     * back to the same thing */
    struct nm_announcement an, again;
    if (nm_announce_parse((const char *)d, n, &an) == 0) {
        char *text = nm_announce_to_json(&an);
        if (!text || nm_announce_parse(text, strlen(text), &again) != 0 ||
            memcmp(&an, &again, sizeof an) != 0 || !nm_role_name(an.role))
            abort();
        free(text);
    }
    /* a message of the extrinsics topic: its extrinsics lie inside it, and
     * a batch that parses is encoded back to the very bytes */
    static const uint8_t *xs[NM_EXT_BATCH_MAX];
    static size_t xlens[NM_EXT_BATCH_MAX];
    size_t xn = 7;
    if (nm_ext_batch_parse(d, n, xs, xlens, &xn) == 0) {
        if (xn < 1 || xn > NM_EXT_BATCH_MAX)
            abort();
        struct nm_writer w;
        nm_writer_init(&w);
        if (d[0] == NM_EXT_BATCH_TAG)
            nm_ext_batch_begin(&w);
        for (size_t i = 0; i < xn; i++) {
            if (xs[i] < d || xs[i] + xlens[i] > d + n)
                abort();
            if (d[0] == NM_EXT_BATCH_TAG)
                nm_ext_batch_add(&w, xs[i], xlens[i]);
        }
        if (d[0] == NM_EXT_BATCH_TAG && (w.err || w.len != n || memcmp(w.data, d, n)))
            abort();
        nm_writer_fini(&w);
    } else if (xn != 0) {
        abort();
    }
    Nm__P2p__NoiseHandshakePayload *pl = nm__p2p__noise_handshake_payload__unpack(NULL, n, d);
    if (pl)
        nm__p2p__noise_handshake_payload__free_unpacked(pl, NULL);
    Nm__P2p__SyncRequest *rq = nm__p2p__sync_request__unpack(NULL, n, d);
    if (rq)
        nm__p2p__sync_request__free_unpacked(rq, NULL);
    Nm__P2p__SyncResponse *rs = nm__p2p__sync_response__unpack(NULL, n, d);
    if (rs)
        nm__p2p__sync_response__free_unpacked(rs, NULL);
    struct nm_multiaddr ma;
    if (nm_multiaddr_from_bytes(d, n, &ma) == 0) {
        char text[NM_MULTIADDR_STRLEN];
        struct nm_multiaddr back;
        nm_multiaddr_to_string(&ma, text, sizeof text);
        /* what we accept in binary, we print and parse back to the same bytes */
        if (nm_multiaddr_parse(text, &back) || back.len != ma.len || memcmp(back.b, ma.b, ma.len))
            abort();
    }
    struct nm_peer_id id;
    if (nm_peer_id_from_bytes(d, n, &id) == 0) {
        uint8_t again[NM_PEER_ID_BYTES_LEN];
        nm_peer_id_to_bytes(&id, again);
        if (memcmp(again, d, n))
            abort();
    }
    uint64_t v;
    int k = nm_varint_decode(d, n, &v);
    if (k > 0) {
        uint8_t again[NM_VARINT_MAX];
        if (nm_varint_encode(v, again, sizeof again) != (size_t)k || memcmp(again, d, (size_t)k))
            abort(); /* only minimal encodings are accepted */
    }
    struct nm_block b;
    if (nm_block_decode(d, n, &b) == 0)
        nm_block_fini(&b);
}

#endif
