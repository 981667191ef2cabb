/* noise.h - libp2p's Noise secure channel (/noise, noise-libp2p spec) as an
 * I/O-free state machine: Noise_XX_25519_ChaChaPoly_SHA256 on libsodium,
 * every handshake message and transport frame behind a 2-byte big-endian
 * length, and the libp2p handshake payload (protobuf: the Ed25519 identity
 * key and its signature over "noise-libp2p-static-key:" || static key) in
 * messages 2 and 3, so each side learns and proves the other's PeerId. */
#ifndef NM_P2P_NOISE_H
#define NM_P2P_NOISE_H

#include "node/crypto.h"
#include "node/p2p/peerid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_NOISE_KEY_LEN 32
#define NM_NOISE_TAG_LEN 16
#define NM_NOISE_MAX_FRAME 65535                                  /* ciphertext bytes */
#define NM_NOISE_MAX_PLAINTEXT (NM_NOISE_MAX_FRAME - NM_NOISE_TAG_LEN)
#define NM_NOISE_HS_MAX 2048 /* largest handshake message we accept */

/* The host's side: identity key, its static X25519 key for Noise and the
 * signature binding them (made once by nm_noise_identity_init). */
struct nm_noise_identity {
    struct nm_keypair id;
    uint8_t static_sk[NM_NOISE_KEY_LEN];
    uint8_t static_pk[NM_NOISE_KEY_LEN];
    uint8_t payload[256]; /* the encoded handshake payload */
    size_t payload_len;
};

/* One direction of the transport: key and 64-bit nonce counter. */
struct nm_noise_cipher {
    uint8_t k[NM_NOISE_KEY_LEN];
    uint64_t n;
};

struct nm_noise_hs {
    const struct nm_noise_identity *me; /* borrowed */
    bool initiator;
    int step; /* messages handled so far, 0..3 */
    uint8_t ck[32], h[32];
    struct nm_noise_cipher c;
    bool has_key;
    uint8_t e_sk[NM_NOISE_KEY_LEN], e_pk[NM_NOISE_KEY_LEN];
    uint8_t re[NM_NOISE_KEY_LEN], rs[NM_NOISE_KEY_LEN];
    bool expect_remote;
    struct nm_peer_id remote;
    uint8_t in[2 + NM_NOISE_HS_MAX];
    size_t in_len;
    uint8_t out[2 + NM_NOISE_HS_MAX];
    size_t out_len;
};

int nm_noise_identity_init(struct nm_noise_identity *me, const struct nm_keypair *id);

/* Starts a handshake; the initiator queues message 1 at once. expected
 * (may be NULL): the PeerId the dialer meant to reach; any other is
 * refused with NM_E_HANDSHAKE. Returns 0 or NM_E_INTERNAL. */
int nm_noise_hs_init(struct nm_noise_hs *hs, const struct nm_noise_identity *me, bool initiator,
                     const struct nm_peer_id *expected);
/* Feeds received bytes: returns 0 (needs more), 1 (handshake complete:
 * *consumed says where transport frames begin) or an error:
 * NM_E_PROTOCOL (malformed or oversized message), NM_E_HANDSHAKE (failed
 * decryption, bad payload, bad signature, unexpected PeerId). Queued bytes
 * to send: nm_noise_hs_output, then nm_noise_hs_output_clear. */
int nm_noise_hs_feed(struct nm_noise_hs *hs, const uint8_t *in, size_t len, size_t *consumed);
const uint8_t *nm_noise_hs_output(const struct nm_noise_hs *hs, size_t *len);
void nm_noise_hs_output_clear(struct nm_noise_hs *hs);
/* After completion: the transport ciphers and the proven remote PeerId.
 * Wipes the handshake's secrets. */
void nm_noise_hs_split(struct nm_noise_hs *hs, struct nm_noise_cipher *send,
                       struct nm_noise_cipher *recv, struct nm_peer_id *remote);

/* Transport: seals n <= NM_NOISE_MAX_PLAINTEXT bytes into one frame
 * (2-byte length, ciphertext, tag: n + 18 bytes written to out). */
int nm_noise_seal(struct nm_noise_cipher *c, const uint8_t *pt, size_t n, uint8_t *out);
/* Length of the first frame in in[0..len) (2 + body), 0 if the length
 * prefix itself is incomplete. */
size_t nm_noise_frame_size(const uint8_t *in, size_t len);
/* Opens one frame body (the bytes after the length prefix); writes the
 * plaintext to out (room for body_len - 16) and returns its length, or
 * NM_E_HANDSHAKE when it does not authenticate (tampering, replay). */
int nm_noise_open(struct nm_noise_cipher *c, const uint8_t *body, size_t body_len, uint8_t *out);

#endif
