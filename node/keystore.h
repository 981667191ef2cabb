/* keystore.h - named Ed25519 keys under HOME/keys, one file per key (0600,
 * directory 0700). The 32-byte seed is encrypted at rest with
 * XSalsa20-Poly1305 (crypto_secretbox) under a key derived from the
 * password with Argon2id (crypto_pwhash); the address is stored in clear
 * so listing needs no password. HOME is $NEUROMESH_HOME or ~/.neuromesh. */
#ifndef NM_KEYSTORE_H
#define NM_KEYSTORE_H

#include "node/crypto.h"

#include <stddef.h>

#define NM_KEY_NAME_MAX 32

struct nm_key_entry {
    char name[NM_KEY_NAME_MAX + 1];
    nm_account pub;
};

/* 0 if name is 1-32 of [A-Za-z0-9_-], else NM_E_KEY_NAME. */
int nm_keystore_check_name(const char *name);
/* Creates key NAME from seed (or a fresh random one when seed is NULL).
 * NM_E_KEY_EXISTS if present; nothing is written on any error. */
int nm_keystore_create(const char *home, const char *name, const char *password,
                       const uint8_t *seed, nm_account *pub_out);
/* Decrypts key NAME. NM_E_KEY_NOT_FOUND, NM_E_BAD_PASSWORD; NM_E_KEY_PERMS
 * when the file or HOME/keys has any group or other permission bit (as
 * ssh refuses an unprotected private key). */
int nm_keystore_load(const char *home, const char *name, const char *password,
                     struct nm_keypair *out);
/* Public key of NAME without the password. */
int nm_keystore_address(const char *home, const char *name, nm_account *out);
/* All keys sorted by name; *entries is malloc'd (free()). Files that
 * cannot be parsed (damaged) are left out; nm_keystore_names sees them. */
int nm_keystore_list(const char *home, struct nm_key_entry **entries, size_t *count);
/* Names of all key files sorted, without reading them (pub is zero);
 * *entries is malloc'd (free()), NULL when there are none. */
int nm_keystore_names(const char *home, struct nm_key_entry **entries, size_t *count);
/* NM_E_KEY_NOT_FOUND if absent. */
int nm_keystore_remove(const char *home, const char *name);

/* Key files are JSON: {"version":1, "name", "address" (SS58), "kdf":
 * "argon2id", "opslimit", "memlimit", "salt", "nonce", "ciphertext"}
 * (hex). They are written to a temp file, fsynced and renamed into place.
 * NEUROMESH_KDF_FAST=1 makes new keys use the minimum Argon2id cost (for
 * tests); loading uses the cost in the file, refusing one out of bounds.
 * A damaged file reads as NM_E_BAD_PASSWORD. After NM_E_IO, errno says
 * why. */

#endif
