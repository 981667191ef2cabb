/* mnemonic.c - BIP-39 words, their checksum and Substrate's mini secret
 * (see mnemonic.h). PBKDF2 is written over libsodium's HMAC-SHA512: one
 * 64-byte block is all a 32-byte seed needs. */
#include "node/mnemonic.h"

#include "node/errors.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nm_wordlist_load(struct nm_wordlist *wl)
{
    const char *path = getenv("NEUROMESH_BIP39_WORDLIST");
    FILE *f = fopen(path && *path ? path : NM_MNEMONIC_DEFAULT_LIST, "r");
    if (!f)
        return NM_E_IO;
    char line[64];
    int n = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        if (n == NM_MNEMONIC_WORDS || strlen(line) >= sizeof wl->words[0] ||
            (n > 0 && strcmp(wl->words[n - 1], line) >= 0)) {
            rc = NM_E_INVAL; /* too long, or not the sorted English list */
            break;
        }
        memcpy(wl->words[n++], line, strlen(line) + 1); /* fits: checked above */
    }
    fclose(f);
    return rc ? rc : n == NM_MNEMONIC_WORDS ? 0 : NM_E_INVAL;
}

/* Bit i of data, most significant first. */
static unsigned bit_at(const uint8_t *data, size_t i)
{
    return (data[i / 8] >> (7 - i % 8)) & 1u;
}

int nm_mnemonic_from_entropy(const struct nm_wordlist *wl, const uint8_t *entropy,
                             size_t entropy_len, char out[NM_MNEMONIC_MAX])
{
    if (entropy_len < 16 || entropy_len > 32 || entropy_len % 4)
        return NM_E_INVAL;
    uint8_t data[33], hash[crypto_hash_sha256_BYTES];
    memcpy(data, entropy, entropy_len);
    crypto_hash_sha256(hash, entropy, entropy_len);
    data[entropy_len] = hash[0]; /* the checksum: its first len/4 bits */
    size_t words = entropy_len * 3 / 4, len = 0;
    out[0] = '\0';
    for (size_t w = 0; w < words; w++) {
        unsigned idx = 0;
        for (size_t b = 0; b < 11; b++)
            idx = idx << 1 | bit_at(data, w * 11 + b);
        len += (size_t)snprintf(out + len, NM_MNEMONIC_MAX - len, "%s%s", w ? " " : "",
                                wl->words[idx]);
    }
    sodium_memzero(data, sizeof data);
    return 0;
}

static int word_index(const struct nm_wordlist *wl, const char *word)
{
    int lo = 0, hi = NM_MNEMONIC_WORDS - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(wl->words[mid], word);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

int nm_mnemonic_to_entropy(const struct nm_wordlist *wl, const char *phrase, uint8_t out[32],
                           size_t *len, char *err, size_t cap)
{
    uint8_t data[33] = {0};
    size_t nwords = 0;
    const char *p = phrase;
    int rc = NM_E_INVAL;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        size_t n = 0;
        char word[16];
        while (p[n] && !isspace((unsigned char)p[n]))
            n++;
        snprintf(word, sizeof word, "%.*s", (int)(n < 15 ? n : 15), p);
        for (char *c = word; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        int idx = n < 12 ? word_index(wl, word) : -1;
        if (idx < 0) {
            snprintf(err, cap, "word %zu (\"%.12s\") is not in the BIP-39 English list",
                     nwords + 1, word);
            goto out;
        }
        if (nwords == 24) {
            snprintf(err, cap, "more than 24 words");
            goto out;
        }
        for (size_t b = 0; b < 11; b++)
            if (idx >> (10 - b) & 1)
                data[(nwords * 11 + b) / 8] |= (uint8_t)(0x80u >> ((nwords * 11 + b) % 8));
        nwords++;
        p += n;
    }
    if (nwords < 12 || nwords % 3) {
        snprintf(err, cap, "%zu words: a mnemonic has 12, 15, 18, 21 or 24", nwords);
        goto out;
    }
    size_t ent = nwords * 4 / 3, check_bits = nwords / 3;
    uint8_t hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, data, ent);
    unsigned want = hash[0] >> (8 - check_bits), got = data[ent] >> (8 - check_bits);
    if (want != got) {
        snprintf(err, cap, "the checksum does not match: a word is wrong or out of order");
        goto out;
    }
    memcpy(out, data, ent);
    *len = ent;
    rc = 0;
out:
    sodium_memzero(data, sizeof data);
    return rc;
}

void nm_mnemonic_seed(const uint8_t *entropy, size_t len, const char *password,
                      uint8_t seed[32])
{
    /* PBKDF2-HMAC-SHA512(P = entropy, S = "mnemonic" + password, c = 2048),
     * block 1: U1 = HMAC(P, S || 00000001), Ui = HMAC(P, Ui-1), T = xor. */
    crypto_auth_hmacsha512_state st;
    uint8_t u[crypto_auth_hmacsha512_BYTES], t[crypto_auth_hmacsha512_BYTES];
    static const uint8_t block1[4] = {0, 0, 0, 1};
    crypto_auth_hmacsha512_init(&st, entropy, len);
    crypto_auth_hmacsha512_update(&st, (const uint8_t *)"mnemonic", 8);
    crypto_auth_hmacsha512_update(&st, (const uint8_t *)password, strlen(password));
    crypto_auth_hmacsha512_update(&st, block1, sizeof block1);
    crypto_auth_hmacsha512_final(&st, u);
    memcpy(t, u, sizeof t);
    for (int i = 1; i < 2048; i++) {
        crypto_auth_hmacsha512_init(&st, entropy, len);
        crypto_auth_hmacsha512_update(&st, u, sizeof u);
        crypto_auth_hmacsha512_final(&st, u);
        for (size_t k = 0; k < sizeof t; k++)
            t[k] ^= u[k];
    }
    memcpy(seed, t, 32);
    sodium_memzero(u, sizeof u);
    sodium_memzero(t, sizeof t);
    sodium_memzero(&st, sizeof st);
}
