/* crypto.h - hashing (BLAKE2b-256), Ed25519 keys and signatures and hex,
 * all on libsodium. Call nm_crypto_init() once before anything else. */
#ifndef NM_CRYPTO_H
#define NM_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_HASH_LEN 32
#define NM_PUBKEY_LEN 32
#define NM_SECKEY_LEN 64 /* libsodium layout: seed || public key */
#define NM_SEED_LEN 32
#define NM_SIG_LEN 64
/* "0x" + 64 hex digits + NUL */
#define NM_HASH_HEXLEN (2 + 2 * NM_HASH_LEN + 1)

typedef struct { uint8_t b[NM_HASH_LEN]; } nm_hash;
typedef struct { uint8_t b[NM_PUBKEY_LEN]; } nm_account; /* an account id is its public key */

struct nm_keypair {
    nm_account pub;
    uint8_t secret[NM_SECKEY_LEN];
};

int nm_crypto_init(void);

void nm_hash_bytes(const void *data, size_t len, nm_hash *out);
/* Hash of two hashes concatenated (Merkle inner node). */
void nm_hash_pair(const nm_hash *a, const nm_hash *b, nm_hash *out);
bool nm_hash_eq(const nm_hash *a, const nm_hash *b);
bool nm_account_eq(const nm_account *a, const nm_account *b);

void nm_keypair_from_seed(const uint8_t seed[NM_SEED_LEN], struct nm_keypair *kp);
void nm_keypair_generate(struct nm_keypair *kp);
/* Well-known dev keys: seed = BLAKE2b-256("neuromesh-dev/" + name). Returns
 * NM_E_UNKNOWN_ACCOUNT if name is not one of alice..ferdie. */
int nm_keypair_dev(const char *name, struct nm_keypair *kp);
extern const char *const nm_dev_names[]; /* NULL-terminated */

void nm_sign(const struct nm_keypair *kp, const void *msg, size_t len, uint8_t sig[NM_SIG_LEN]);
bool nm_verify(const nm_account *pub, const void *msg, size_t len, const uint8_t sig[NM_SIG_LEN]);

/* "0x..." lowercase hex of n bytes into out (cap >= 2n+3). Returns out. */
char *nm_hex_encode(const void *data, size_t n, char *out, size_t cap);
/* Decodes hex with optional 0x prefix; exact_len 0 accepts any length up
 * to cap. NM_E_HEX on odd length, bad digit, or wrong length. */
int nm_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t exact_len, size_t *len_out);
/* Convenience for hashes: "0x" + 64 hex. */
char *nm_hash_hex(const nm_hash *h, char out[NM_HASH_HEXLEN]);
int nm_hash_from_hex(const char *hex, nm_hash *out);

#endif
