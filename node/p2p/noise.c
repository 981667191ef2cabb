/* noise.c - Noise XX (25519, ChaChaPoly, SHA256) with the libp2p payload. */
#include "node/p2p/noise.h"

#include "node/errors.h"
#include "node/p2p/proto/noise.pb-c.h"

#include <sodium.h>
#include <string.h>

static const char PROTOCOL_NAME[] = "Noise_XX_25519_ChaChaPoly_SHA256"; /* exactly 32 bytes */
static const char SIG_PREFIX[] = "noise-libp2p-static-key:";

/* --- symmetric state (Noise spec section 5.2) --- */

static void mix_hash(struct nm_noise_hs *hs, const uint8_t *data, size_t n)
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, hs->h, sizeof hs->h);
    crypto_hash_sha256_update(&st, data, n);
    crypto_hash_sha256_final(&st, hs->h);
}

static void hmac(const uint8_t key[32], const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
                 uint8_t out[32])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, 32);
    crypto_auth_hmacsha256_update(&st, a, an);
    if (bn)
        crypto_auth_hmacsha256_update(&st, b, bn);
    crypto_auth_hmacsha256_final(&st, out);
}

/* HKDF with two outputs (Noise spec section 4.3). */
static void hkdf2(const uint8_t ck[32], const uint8_t *ikm, size_t n, uint8_t o1[32],
                  uint8_t o2[32])
{
    uint8_t temp[32], one = 1, two = 2;
    hmac(ck, ikm, n, NULL, 0, temp);
    hmac(temp, &one, 1, NULL, 0, o1);
    hmac(temp, o1, 32, &two, 1, o2);
    sodium_memzero(temp, sizeof temp);
}

static void mix_key(struct nm_noise_hs *hs, const uint8_t dh[32])
{
    uint8_t ck[32];
    hkdf2(hs->ck, dh, 32, ck, hs->c.k);
    memcpy(hs->ck, ck, 32);
    hs->c.n = 0;
    hs->has_key = true;
}

static void nonce_bytes(uint64_t n, uint8_t out[12])
{
    memset(out, 0, 4);
    for (int i = 0; i < 8; i++)
        out[4 + i] = (uint8_t)(n >> (8 * i));
}

static int aead_seal(struct nm_noise_cipher *c, const uint8_t *ad, size_t adn, const uint8_t *pt,
                     size_t n, uint8_t *out)
{
    uint8_t nonce[12];
    if (c->n == UINT64_MAX)
        return NM_E_PROTOCOL; /* the spec reserves the last nonce: rekey or close */
    nonce_bytes(c->n++, nonce);
    crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, pt, n, ad, adn, NULL, nonce, c->k);
    return 0;
}

static int aead_open(struct nm_noise_cipher *c, const uint8_t *ad, size_t adn, const uint8_t *ct,
                     size_t n, uint8_t *out)
{
    uint8_t nonce[12];
    if (n < NM_NOISE_TAG_LEN || c->n == UINT64_MAX)
        return NM_E_HANDSHAKE;
    nonce_bytes(c->n, nonce);
    if (crypto_aead_chacha20poly1305_ietf_decrypt(out, NULL, NULL, ct, n, ad, adn, nonce, c->k))
        return NM_E_HANDSHAKE;
    c->n++;
    return (int)(n - NM_NOISE_TAG_LEN);
}

/* EncryptAndHash: out gets n (+16 with a key) bytes; returns that count. */
static size_t encrypt_and_hash(struct nm_noise_hs *hs, const uint8_t *pt, size_t n, uint8_t *out)
{
    size_t m = n;
    if (hs->has_key) {
        aead_seal(&hs->c, hs->h, sizeof hs->h, pt, n, out);
        m += NM_NOISE_TAG_LEN;
    } else if (n) {
        memmove(out, pt, n);
    }
    mix_hash(hs, out, m);
    return m;
}

/* DecryptAndHash of n bytes; returns the plaintext length or an error. */
static int decrypt_and_hash(struct nm_noise_hs *hs, const uint8_t *ct, size_t n, uint8_t *out)
{
    int m = (int)n;
    if (hs->has_key) {
        uint8_t h[32];
        memcpy(h, hs->h, 32);
        m = aead_open(&hs->c, h, sizeof h, ct, n, out);
        if (m < 0)
            return m;
    } else if (n) {
        memmove(out, ct, n);
    }
    mix_hash(hs, ct, n);
    return m;
}

static int dh(const uint8_t sk[32], const uint8_t pk[32], uint8_t out[32])
{
    /* libsodium refuses an all-zero result (a low-order point from a peer) */
    return crypto_scalarmult(out, sk, pk) ? NM_E_HANDSHAKE : 0;
}

static int mix_dh(struct nm_noise_hs *hs, const uint8_t sk[32], const uint8_t pk[32])
{
    uint8_t shared[32];
    int rc = dh(sk, pk, shared);
    if (!rc)
        mix_key(hs, shared);
    sodium_memzero(shared, sizeof shared);
    return rc;
}

/* --- identity and payload --- */

int nm_noise_identity_init(struct nm_noise_identity *me, const struct nm_keypair *id)
{
    memset(me, 0, sizeof *me);
    me->id = *id;
    randombytes_buf(me->static_sk, sizeof me->static_sk);
    crypto_scalarmult_base(me->static_pk, me->static_sk);
    uint8_t msg[sizeof SIG_PREFIX - 1 + NM_NOISE_KEY_LEN];
    memcpy(msg, SIG_PREFIX, sizeof SIG_PREFIX - 1);
    memcpy(msg + sizeof SIG_PREFIX - 1, me->static_pk, NM_NOISE_KEY_LEN);
    uint8_t sig[NM_SIG_LEN], key_pb[NM_PEER_PUBKEY_PB_LEN];
    nm_sign(id, msg, sizeof msg, sig);
    struct nm_peer_id self;
    nm_peer_id_from_pubkey(&id->pub, &self);
    nm_peer_pubkey_encode(&self, key_pb);
    Nm__P2p__NoiseHandshakePayload p = NM__P2P__NOISE_HANDSHAKE_PAYLOAD__INIT;
    p.has_identity_key = 1;
    p.identity_key.data = key_pb;
    p.identity_key.len = sizeof key_pb;
    p.has_identity_sig = 1;
    p.identity_sig.data = sig;
    p.identity_sig.len = sizeof sig;
    if (nm__p2p__noise_handshake_payload__get_packed_size(&p) > sizeof me->payload)
        return NM_E_INTERNAL;
    me->payload_len = nm__p2p__noise_handshake_payload__pack(&p, me->payload);
    return 0;
}

/* Checks the remote payload against its static key rs. */
static int check_payload(struct nm_noise_hs *hs, const uint8_t *p, size_t n)
{
    Nm__P2p__NoiseHandshakePayload *pl = nm__p2p__noise_handshake_payload__unpack(NULL, n, p);
    if (!pl)
        return NM_E_HANDSHAKE;
    int rc = NM_E_HANDSHAKE;
    struct nm_peer_id id;
    uint8_t msg[sizeof SIG_PREFIX - 1 + NM_NOISE_KEY_LEN];
    if (!pl->has_identity_key || !pl->has_identity_sig || pl->identity_sig.len != NM_SIG_LEN ||
        nm_peer_pubkey_decode(pl->identity_key.data, pl->identity_key.len, &id))
        goto out;
    memcpy(msg, SIG_PREFIX, sizeof SIG_PREFIX - 1);
    memcpy(msg + sizeof SIG_PREFIX - 1, hs->rs, NM_NOISE_KEY_LEN);
    nm_account pub;
    memcpy(pub.b, id.key, NM_PUBKEY_LEN);
    if (!nm_verify(&pub, msg, sizeof msg, pl->identity_sig.data))
        goto out;
    if (hs->expect_remote && !nm_peer_id_eq(&id, &hs->remote))
        goto out;
    hs->remote = id;
    rc = 0;
out:
    nm__p2p__noise_handshake_payload__free_unpacked(pl, NULL);
    return rc;
}

/* --- handshake messages --- */

static void queue_message(struct nm_noise_hs *hs, size_t body_len)
{
    hs->out[0] = (uint8_t)(body_len >> 8);
    hs->out[1] = (uint8_t)body_len;
    hs->out_len = 2 + body_len;
}

/* -> e (initiator) */
static void write_msg1(struct nm_noise_hs *hs)
{
    uint8_t *b = hs->out + 2;
    memcpy(b, hs->e_pk, 32);
    mix_hash(hs, hs->e_pk, 32);
    size_t n = 32 + encrypt_and_hash(hs, NULL, 0, b + 32);
    queue_message(hs, n);
}

/* <- e, ee, s, es (responder) */
static int write_msg2(struct nm_noise_hs *hs)
{
    uint8_t *b = hs->out + 2;
    memcpy(b, hs->e_pk, 32);
    mix_hash(hs, hs->e_pk, 32);
    int rc = mix_dh(hs, hs->e_sk, hs->re);
    if (rc)
        return rc;
    size_t n = 32 + encrypt_and_hash(hs, hs->me->static_pk, 32, b + 32);
    rc = mix_dh(hs, hs->me->static_sk, hs->re);
    if (rc)
        return rc;
    n += encrypt_and_hash(hs, hs->me->payload, hs->me->payload_len, b + n);
    queue_message(hs, n);
    return 0;
}

/* -> s, se (initiator) */
static int write_msg3(struct nm_noise_hs *hs)
{
    uint8_t *b = hs->out + 2;
    size_t n = encrypt_and_hash(hs, hs->me->static_pk, 32, b);
    int rc = mix_dh(hs, hs->me->static_sk, hs->re);
    if (rc)
        return rc;
    n += encrypt_and_hash(hs, hs->me->payload, hs->me->payload_len, b + n);
    queue_message(hs, n);
    return 0;
}

static int read_msg1(struct nm_noise_hs *hs, const uint8_t *m, size_t n)
{
    uint8_t tmp[NM_NOISE_HS_MAX];
    if (n < 32)
        return NM_E_PROTOCOL;
    memcpy(hs->re, m, 32);
    mix_hash(hs, hs->re, 32);
    /* the payload of message 1 is unauthenticated: libp2p sends none */
    return decrypt_and_hash(hs, m + 32, n - 32, tmp) < 0 ? NM_E_HANDSHAKE : 0;
}

static int read_static_and_payload(struct nm_noise_hs *hs, const uint8_t *m, size_t n,
                                   const uint8_t *dh_sk, bool dh_with_rs)
{
    uint8_t tmp[NM_NOISE_HS_MAX];
    if (n < 32 + NM_NOISE_TAG_LEN * 2)
        return NM_E_PROTOCOL;
    if (decrypt_and_hash(hs, m, 32 + NM_NOISE_TAG_LEN, hs->rs) != 32)
        return NM_E_HANDSHAKE;
    int rc = mix_dh(hs, dh_sk, dh_with_rs ? hs->rs : hs->re);
    if (rc)
        return rc;
    int pl = decrypt_and_hash(hs, m + 48, n - 48, tmp);
    if (pl < 0)
        return NM_E_HANDSHAKE;
    return check_payload(hs, tmp, (size_t)pl);
}

static int read_msg2(struct nm_noise_hs *hs, const uint8_t *m, size_t n)
{
    if (n < 32)
        return NM_E_PROTOCOL;
    memcpy(hs->re, m, 32);
    mix_hash(hs, hs->re, 32);
    int rc = mix_dh(hs, hs->e_sk, hs->re); /* ee */
    if (rc)
        return rc;
    return read_static_and_payload(hs, m + 32, n - 32, hs->e_sk, true); /* es */
}

static int read_msg3(struct nm_noise_hs *hs, const uint8_t *m, size_t n)
{
    return read_static_and_payload(hs, m, n, hs->e_sk, true); /* se */
}

int nm_noise_hs_init(struct nm_noise_hs *hs, const struct nm_noise_identity *me, bool initiator,
                     const struct nm_peer_id *expected)
{
    memset(hs, 0, sizeof *hs);
    hs->me = me;
    hs->initiator = initiator;
    if (expected) {
        hs->expect_remote = true;
        hs->remote = *expected;
    }
    memcpy(hs->h, PROTOCOL_NAME, 32);
    memcpy(hs->ck, hs->h, 32);
    mix_hash(hs, NULL, 0); /* empty prologue */
    randombytes_buf(hs->e_sk, sizeof hs->e_sk);
    crypto_scalarmult_base(hs->e_pk, hs->e_sk);
    if (initiator) {
        write_msg1(hs);
        hs->step = 1;
    }
    return 0;
}

int nm_noise_hs_feed(struct nm_noise_hs *hs, const uint8_t *in, size_t len, size_t *consumed)
{
    size_t used = 0;
    int rc = hs->step == 3 ? 1 : 0;
    while (hs->step < 3 && used < len) {
        /* gather the 2-byte length, then the body */
        size_t need = hs->in_len < 2 ? 2 : 2 + ((size_t)hs->in[0] << 8 | hs->in[1]);
        size_t take = need - hs->in_len;
        if (take > len - used)
            take = len - used;
        memcpy(hs->in + hs->in_len, in + used, take);
        hs->in_len += take;
        used += take;
        if (hs->in_len == 2 && ((size_t)hs->in[0] << 8 | hs->in[1]) > NM_NOISE_HS_MAX) {
            rc = NM_E_PROTOCOL;
            break;
        }
        if (hs->in_len < 2 || hs->in_len < 2 + ((size_t)hs->in[0] << 8 | hs->in[1]))
            continue;
        const uint8_t *m = hs->in + 2;
        size_t n = hs->in_len - 2;
        hs->in_len = 0;
        if (hs->step == 0) {
            rc = read_msg1(hs, m, n);
            if (!rc)
                rc = write_msg2(hs);
            hs->step = 2;
        } else if (hs->step == 1) {
            rc = read_msg2(hs, m, n);
            if (!rc)
                rc = write_msg3(hs);
            hs->step = 3;
        } else {
            rc = read_msg3(hs, m, n);
            hs->step = 3;
        }
        if (rc)
            break;
        rc = hs->step == 3 ? 1 : 0;
    }
    if (consumed)
        *consumed = used;
    return rc;
}

const uint8_t *nm_noise_hs_output(const struct nm_noise_hs *hs, size_t *len)
{
    *len = hs->out_len;
    return hs->out;
}

void nm_noise_hs_output_clear(struct nm_noise_hs *hs)
{
    hs->out_len = 0;
}

void nm_noise_hs_split(struct nm_noise_hs *hs, struct nm_noise_cipher *send,
                       struct nm_noise_cipher *recv, struct nm_peer_id *remote)
{
    uint8_t k1[32], k2[32];
    hkdf2(hs->ck, NULL, 0, k1, k2);
    memcpy(send->k, hs->initiator ? k1 : k2, 32);
    memcpy(recv->k, hs->initiator ? k2 : k1, 32);
    send->n = recv->n = 0;
    *remote = hs->remote;
    sodium_memzero(k1, sizeof k1);
    sodium_memzero(k2, sizeof k2);
    sodium_memzero(hs->e_sk, sizeof hs->e_sk);
    sodium_memzero(&hs->c, sizeof hs->c);
    sodium_memzero(hs->ck, sizeof hs->ck);
}

int nm_noise_seal(struct nm_noise_cipher *c, const uint8_t *pt, size_t n, uint8_t *out)
{
    if (n > NM_NOISE_MAX_PLAINTEXT)
        return NM_E_TOO_BIG;
    size_t body = n + NM_NOISE_TAG_LEN;
    out[0] = (uint8_t)(body >> 8);
    out[1] = (uint8_t)body;
    return aead_seal(c, NULL, 0, pt, n, out + 2);
}

size_t nm_noise_frame_size(const uint8_t *in, size_t len)
{
    return len < 2 ? 0 : 2 + ((size_t)in[0] << 8 | in[1]);
}

int nm_noise_open(struct nm_noise_cipher *c, const uint8_t *body, size_t body_len, uint8_t *out)
{
    return aead_open(c, NULL, 0, body, body_len, out);
}
