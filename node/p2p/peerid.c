/* peerid.c - PeerIds of Ed25519 keys (libp2p peer-ids spec), base58btc,
 * and the node key file. */
#include "node/p2p/peerid.h"

#include "node/errors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Protobuf PublicKey {Type = Ed25519 (1), Data = 32 bytes}: the encoding is
 * fixed, so it is written and checked directly (the spec asks for this
 * deterministic form: fields in order, no extras). */
static const uint8_t ED25519_PB_PREFIX[4] = {0x08, 0x01, 0x12, 0x20};
/* identity multihash: code 0x00, length 36 */
static const uint8_t IDENTITY_MH_PREFIX[2] = {0x00, NM_PEER_PUBKEY_PB_LEN};

static const char B58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

void nm_peer_id_from_pubkey(const nm_account *pub, struct nm_peer_id *out)
{
    memcpy(out->key, pub->b, NM_PUBKEY_LEN);
}

bool nm_peer_id_eq(const struct nm_peer_id *a, const struct nm_peer_id *b)
{
    return memcmp(a->key, b->key, NM_PUBKEY_LEN) == 0;
}

void nm_peer_pubkey_encode(const struct nm_peer_id *id, uint8_t out[NM_PEER_PUBKEY_PB_LEN])
{
    memcpy(out, ED25519_PB_PREFIX, sizeof ED25519_PB_PREFIX);
    memcpy(out + sizeof ED25519_PB_PREFIX, id->key, NM_PUBKEY_LEN);
}

int nm_peer_pubkey_decode(const uint8_t *in, size_t len, struct nm_peer_id *out)
{
    if (len >= 2 && in[0] == 0x08 && in[1] != 0x01)
        return NM_E_UNSUPPORTED; /* RSA, secp256k1 or ECDSA identity */
    if (len != NM_PEER_PUBKEY_PB_LEN || memcmp(in, ED25519_PB_PREFIX, 4) != 0)
        return NM_E_DECODE;
    memcpy(out->key, in + 4, NM_PUBKEY_LEN);
    return 0;
}

void nm_peer_id_to_bytes(const struct nm_peer_id *id, uint8_t out[NM_PEER_ID_BYTES_LEN])
{
    memcpy(out, IDENTITY_MH_PREFIX, 2);
    nm_peer_pubkey_encode(id, out + 2);
}

int nm_peer_id_from_bytes(const uint8_t *in, size_t len, struct nm_peer_id *out)
{
    if (len != NM_PEER_ID_BYTES_LEN || memcmp(in, IDENTITY_MH_PREFIX, 2) != 0)
        return NM_E_PEER_ID; /* sha2-256 PeerIds are RSA/ECDSA keys: unsupported */
    return nm_peer_pubkey_decode(in + 2, len - 2, out) ? NM_E_PEER_ID : 0;
}

char *nm_peer_id_to_string(const struct nm_peer_id *id, char out[NM_PEER_ID_STRLEN])
{
    uint8_t num[NM_PEER_ID_BYTES_LEN];
    nm_peer_id_to_bytes(id, num);
    /* Repeated division by 58 of the big-endian number; the identity
     * multihash starts with one 0x00 byte, written as one leading '1'. */
    char rev[NM_PEER_ID_STRLEN];
    size_t n = 0, start = 0;
    while (start < sizeof num && num[start] == 0)
        start++;
    size_t zeros = start;
    while (start < sizeof num) {
        unsigned rem = 0;
        for (size_t i = start; i < sizeof num; i++) {
            unsigned cur = rem * 256 + num[i];
            num[i] = (uint8_t)(cur / 58);
            rem = cur % 58;
        }
        rev[n++] = B58[rem];
        while (start < sizeof num && num[start] == 0)
            start++;
    }
    size_t o = 0;
    for (size_t i = 0; i < zeros; i++)
        out[o++] = '1';
    while (n)
        out[o++] = rev[--n];
    out[o] = 0;
    return out;
}

int nm_peer_id_from_string(const char *text, struct nm_peer_id *out)
{
    uint8_t num[NM_PEER_ID_BYTES_LEN + 8] = {0};
    size_t len = strlen(text), zeros = 0;
    if (len == 0 || len >= NM_PEER_ID_STRLEN)
        return NM_E_PEER_ID;
    while (zeros < len && text[zeros] == '1')
        zeros++;
    for (size_t i = zeros; i < len; i++) {
        const char *p = strchr(B58, text[i]);
        if (!p || !text[i])
            return NM_E_PEER_ID;
        unsigned carry = (unsigned)(p - B58);
        for (size_t j = sizeof num; j-- > 0;) {
            carry += 58u * num[j];
            num[j] = (uint8_t)carry;
            carry >>= 8;
        }
        if (carry)
            return NM_E_PEER_ID;
    }
    size_t lead = 0;
    while (lead < sizeof num && num[lead] == 0)
        lead++;
    size_t body = sizeof num - lead;
    if (zeros + body != NM_PEER_ID_BYTES_LEN)
        return NM_E_PEER_ID;
    uint8_t bytes[NM_PEER_ID_BYTES_LEN] = {0};
    memcpy(bytes + zeros, num + lead, body);
    return nm_peer_id_from_bytes(bytes, sizeof bytes, out);
}

static int write_new_key(const char *path, struct nm_keypair *kp, char *msg, size_t cap)
{
    uint8_t seed[NM_SEED_LEN];
    char hex[2 * NM_SEED_LEN + 3];
    nm_keypair_generate(kp);
    memcpy(seed, kp->secret, NM_SEED_LEN);
    nm_hex_encode(seed, sizeof seed, hex, sizeof hex);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        snprintf(msg, cap, "cannot create node key %s: %s", path, strerror(errno));
        return NM_E_NODE_KEY;
    }
    char line[sizeof hex + 1];
    int n = snprintf(line, sizeof line, "%s\n", hex + 2);
    bool ok = write(fd, line, (size_t)n) == n && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        snprintf(msg, cap, "cannot write node key %s: %s", path, strerror(errno));
        unlink(path);
        return NM_E_NODE_KEY;
    }
    return 0;
}

int nm_node_key_load(const char *path, bool create, struct nm_keypair *kp, char *msg, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT && create)
            return write_new_key(path, kp, msg, cap);
        snprintf(msg, cap, "cannot open node key %s: %s", path, strerror(errno));
        return NM_E_NODE_KEY;
    }
    char buf[2 * NM_SEED_LEN + 8];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = 0;
    uint8_t seed[NM_SEED_LEN];
    if (n != 2 * NM_SEED_LEN || nm_hex_decode(buf, seed, sizeof seed, sizeof seed, NULL)) {
        snprintf(msg, cap, "node key %s: expected 64 hex digits (an Ed25519 seed)", path);
        return NM_E_NODE_KEY;
    }
    nm_keypair_from_seed(seed, kp);
    return 0;
}
