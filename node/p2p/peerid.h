/* peerid.h - libp2p PeerIds of Ed25519 identity keys (peer-ids spec): the
 * protobuf PublicKey, its identity multihash and the base58btc text form
 * ("12D3KooW..."). Other key types are refused (NM_E_UNSUPPORTED): every
 * NeuroMesh node and the js-libp2p default use Ed25519. Also the node key:
 * an Ed25519 key apart from account keys, kept in a 0600 file. */
#ifndef NM_P2P_PEERID_H
#define NM_P2P_PEERID_H

#include "node/crypto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_PEER_PUBKEY_PB_LEN 36 /* protobuf PublicKey of an Ed25519 key */
#define NM_PEER_ID_BYTES_LEN 38  /* identity multihash of that protobuf */
#define NM_PEER_ID_STRLEN 64     /* 52 characters + NUL, with room */

struct nm_peer_id {
    uint8_t key[NM_PUBKEY_LEN]; /* the Ed25519 public key */
};

void nm_peer_id_from_pubkey(const nm_account *pub, struct nm_peer_id *out);
bool nm_peer_id_eq(const struct nm_peer_id *a, const struct nm_peer_id *b);
/* Protobuf PublicKey bytes (Type=Ed25519, Data=key) into out[36]. */
void nm_peer_pubkey_encode(const struct nm_peer_id *id, uint8_t out[NM_PEER_PUBKEY_PB_LEN]);
/* Decodes a protobuf PublicKey; NM_E_DECODE if malformed, NM_E_UNSUPPORTED
 * for a key type other than Ed25519. */
int nm_peer_pubkey_decode(const uint8_t *in, size_t len, struct nm_peer_id *out);
/* Multihash bytes (the binary PeerId, as in a /p2p multiaddr). */
void nm_peer_id_to_bytes(const struct nm_peer_id *id, uint8_t out[NM_PEER_ID_BYTES_LEN]);
int nm_peer_id_from_bytes(const uint8_t *in, size_t len, struct nm_peer_id *out);
/* base58btc text; returns out. */
char *nm_peer_id_to_string(const struct nm_peer_id *id, char out[NM_PEER_ID_STRLEN]);
/* NM_E_PEER_ID for bad characters, length or encoding. */
int nm_peer_id_from_string(const char *text, struct nm_peer_id *out);

/* Loads the node key from path (64 hex digits of the Ed25519 seed, an
 * optional newline) or, if the file does not exist and create is true,
 * generates one and writes it with mode 0600. NM_E_NODE_KEY (with a
 * sentence in msg) for a missing or malformed file or one that cannot be
 * written. */
int nm_node_key_load(const char *path, bool create, struct nm_keypair *kp, char *msg, size_t cap);

#endif
