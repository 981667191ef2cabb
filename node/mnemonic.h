/* mnemonic.h - BIP-39 mnemonics as Substrate turns them into keys: the
 * words encode entropy (with a SHA-256 checksum); the key's seed is the
 * first 32 bytes of PBKDF2-HMAC-SHA512(entropy, "mnemonic" + password,
 * 2048 rounds) (substrate-bip39's mini secret), which an Ed25519 key uses
 * as its seed, so the same words give the same address as polkadot.js and
 * `subkey --scheme ed25519`. The English word list is read from a file
 * (Debian's python3-mnemonic ships it; $NEUROMESH_BIP39_WORDLIST names
 * another). */
#ifndef NM_MNEMONIC_H
#define NM_MNEMONIC_H

#include <stddef.h>
#include <stdint.h>

#define NM_MNEMONIC_WORDS 2048
#define NM_MNEMONIC_MAX 512 /* 24 words of at most 8 letters, spaces, NUL */
#define NM_MNEMONIC_DEFAULT_LIST "/usr/lib/python3/dist-packages/mnemonic/wordlist/english.txt"

struct nm_wordlist {
    char words[NM_MNEMONIC_WORDS][12];
};

/* Loads the English list ($NEUROMESH_BIP39_WORDLIST, else the Debian
 * path): exactly 2048 lines, sorted. NM_E_IO (missing) or NM_E_INVAL. */
int nm_wordlist_load(struct nm_wordlist *wl);

/* entropy_len 16 (12 words) .. 32 (24 words), a multiple of 4, into a
 * space-separated phrase. NM_E_INVAL for another length. */
int nm_mnemonic_from_entropy(const struct nm_wordlist *wl, const uint8_t *entropy,
                             size_t entropy_len, char out[NM_MNEMONIC_MAX]);
/* The phrase back to its entropy (words separated by any whitespace,
 * 12/15/18/21/24 of them). NM_E_INVAL with why in err: an unknown word
 * (named), a wrong count, or a checksum that does not match. */
int nm_mnemonic_to_entropy(const struct nm_wordlist *wl, const char *phrase, uint8_t out[32],
                           size_t *len, char *err, size_t cap);
/* The 32-byte key seed (the mini secret) of a phrase's entropy and an
 * optional password ("" none). */
void nm_mnemonic_seed(const uint8_t *entropy, size_t len, const char *password,
                      uint8_t seed[32]);

#endif
