/* crypto.c - BLAKE2b, Ed25519 and hex on libsodium (see crypto.h). */
#include "node/crypto.h"

#include "node/errors.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

const char *const nm_dev_names[] = {"alice", "bob", "charlie", "dave", "eve", "ferdie", NULL};

int nm_crypto_init(void)
{
    return sodium_init() < 0 ? NM_E_INTERNAL : 0;
}

void nm_hash_bytes(const void *data, size_t len, nm_hash *out)
{
    crypto_generichash(out->b, NM_HASH_LEN, data, len, NULL, 0);
}

void nm_hash_pair(const nm_hash *a, const nm_hash *b, nm_hash *out)
{
    uint8_t both[2 * NM_HASH_LEN];
    memcpy(both, a->b, NM_HASH_LEN);
    memcpy(both + NM_HASH_LEN, b->b, NM_HASH_LEN);
    nm_hash_bytes(both, sizeof both, out);
}

bool nm_hash_eq(const nm_hash *a, const nm_hash *b)
{
    return memcmp(a->b, b->b, NM_HASH_LEN) == 0;
}

bool nm_account_eq(const nm_account *a, const nm_account *b)
{
    return memcmp(a->b, b->b, NM_PUBKEY_LEN) == 0;
}

void nm_keypair_from_seed(const uint8_t seed[NM_SEED_LEN], struct nm_keypair *kp)
{
    crypto_sign_seed_keypair(kp->pub.b, kp->secret, seed);
}

void nm_keypair_generate(struct nm_keypair *kp)
{
    crypto_sign_keypair(kp->pub.b, kp->secret);
}

int nm_keypair_dev(const char *name, struct nm_keypair *kp)
{
    for (int i = 0; nm_dev_names[i]; i++) {
        if (strcmp(nm_dev_names[i], name) != 0)
            continue;
        char label[64];
        int n = snprintf(label, sizeof label, "neuromesh-dev/%s", name);
        nm_hash seed;
        nm_hash_bytes(label, (size_t)n, &seed);
        nm_keypair_from_seed(seed.b, kp);
        sodium_memzero(&seed, sizeof seed);
        return 0;
    }
    return NM_E_UNKNOWN_ACCOUNT;
}

void nm_sign(const struct nm_keypair *kp, const void *msg, size_t len, uint8_t sig[NM_SIG_LEN])
{
    crypto_sign_detached(sig, NULL, msg, len, kp->secret);
}

bool nm_verify(const nm_account *pub, const void *msg, size_t len, const uint8_t sig[NM_SIG_LEN])
{
    return crypto_sign_verify_detached(sig, msg, len, pub->b) == 0;
}

char *nm_hex_encode(const void *data, size_t n, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = data;
    if (cap < 2 * n + 3) {
        if (cap)
            out[0] = '\0';
        return out;
    }
    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < n; i++) {
        out[2 + 2 * i] = digits[p[i] >> 4];
        out[3 + 2 * i] = digits[p[i] & 15];
    }
    out[2 + 2 * n] = '\0';
    return out;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int nm_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t exact_len, size_t *len_out)
{
    if (!hex)
        return NM_E_HEX;
    if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
        hex += 2;
    size_t digits = strlen(hex);
    if (digits % 2)
        return NM_E_HEX;
    size_t n = digits / 2;
    if (n > cap || (exact_len && n != exact_len))
        return NM_E_HEX;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return NM_E_HEX;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    if (len_out)
        *len_out = n;
    return 0;
}

char *nm_hash_hex(const nm_hash *h, char out[NM_HASH_HEXLEN])
{
    return nm_hex_encode(h->b, NM_HASH_LEN, out, NM_HASH_HEXLEN);
}

int nm_hash_from_hex(const char *hex, nm_hash *out)
{
    return nm_hex_decode(hex, out->b, NM_HASH_LEN, NM_HASH_LEN, NULL);
}
