/* ss58.c - SS58 address encoding and checked decoding (see ss58.h). */
#include "node/ss58.h"

#include "node/errors.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

static const char base58_alphabet[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Payload: prefix (1) || public key (32) || checksum (2) */
#define PAYLOAD_LEN (1 + NM_PUBKEY_LEN + 2)

static void ss58_checksum(const uint8_t *data, size_t len, uint8_t out[2])
{
    uint8_t digest[64];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof digest);
    crypto_generichash_update(&st, (const uint8_t *)"SS58PRE", 7);
    crypto_generichash_update(&st, data, len);
    crypto_generichash_final(&st, digest, sizeof digest);
    out[0] = digest[0];
    out[1] = digest[1];
}

/* Issue 11 (speed): events name the same accounts again and again (a
 * transfer's sender in two of its events, a busy account in every block),
 * so each thread keeps its last encodings, direct-mapped by a key byte; a
 * hit needs the whole key equal. */
#define MEMO_SLOTS 64
struct memo_slot {
    nm_account acct;
    bool used;
    char text[NM_SS58_STRLEN];
};
static _Thread_local struct memo_slot memo[MEMO_SLOTS];
static _Thread_local uint64_t memo_hits;

uint64_t nm_ss58_memo_hits(void)
{
    return memo_hits;
}

static char *encode(const nm_account *acct, char out[NM_SS58_STRLEN]);

char *nm_ss58_encode(const nm_account *acct, char out[NM_SS58_STRLEN])
{
    struct memo_slot *m = &memo[acct->b[0] % MEMO_SLOTS];
    if (m->used && nm_account_eq(&m->acct, acct)) {
        memo_hits++;
        return memcpy(out, m->text, NM_SS58_STRLEN);
    }
    encode(acct, m->text);
    m->acct = *acct;
    m->used = true;
    return memcpy(out, m->text, NM_SS58_STRLEN);
}

static char *encode(const nm_account *acct, char out[NM_SS58_STRLEN])
{
    uint8_t payload[PAYLOAD_LEN];
    payload[0] = NM_SS58_PREFIX;
    memcpy(payload + 1, acct->b, NM_PUBKEY_LEN);
    ss58_checksum(payload, 1 + NM_PUBKEY_LEN, payload + 1 + NM_PUBKEY_LEN);

    /* Big-number base conversion, 256 -> 58, in limbs of 58^5 (< 2^32) so
     * a 35-byte payload takes a few hundred steps, not thousands: events
     * print addresses on the block path. */
    enum { LIMB = 58 * 58 * 58 * 58 * 58, LIMB_DIGITS = 5 };
    uint32_t limbs[16] = {0};
    size_t nlimbs = 0;
    for (size_t i = 0; i < PAYLOAD_LEN; i++) {
        uint64_t carry = payload[i];
        for (size_t j = 0; j < nlimbs; j++) {
            carry += (uint64_t)limbs[j] << 8;
            limbs[j] = (uint32_t)(carry % LIMB);
            carry /= LIMB;
        }
        while (carry) {
            limbs[nlimbs++] = (uint32_t)(carry % LIMB);
            carry /= LIMB;
        }
    }
    uint8_t digits[16 * LIMB_DIGITS];
    size_t ndigits = 0;
    for (size_t j = 0; j < nlimbs; j++)
        for (int k = 0; k < LIMB_DIGITS; k++) {
            digits[ndigits++] = (uint8_t)(limbs[j] % 58);
            limbs[j] /= 58;
        }
    while (ndigits > 0 && digits[ndigits - 1] == 0) /* the top limb's leading zeros */
        ndigits--;
    size_t n = 0;
    for (size_t i = 0; i < PAYLOAD_LEN && payload[i] == 0; i++)
        out[n++] = '1';
    for (size_t j = ndigits; j > 0 && n < NM_SS58_STRLEN - 1; j--)
        out[n++] = base58_alphabet[digits[j - 1]];
    out[n] = '\0';
    return out;
}

int nm_ss58_decode(const char *text, nm_account *out)
{
    size_t len = text ? strlen(text) : 0;
    if (len < 40 || len > 60)
        return NM_E_ADDRESS;
    uint8_t bytes[64] = {0};
    size_t nbytes = 0;
    for (size_t i = 0; i < len; i++) {
        const char *p = strchr(base58_alphabet, text[i]);
        if (!p || !text[i])
            return NM_E_ADDRESS;
        unsigned carry = (unsigned)(p - base58_alphabet);
        for (size_t j = 0; j < nbytes; j++) {
            carry += (unsigned)bytes[j] * 58;
            bytes[j] = (uint8_t)(carry & 0xff);
            carry >>= 8;
        }
        while (carry) {
            if (nbytes >= sizeof bytes)
                return NM_E_ADDRESS;
            bytes[nbytes++] = (uint8_t)(carry & 0xff);
            carry >>= 8;
        }
    }
    size_t zeros = 0;
    while (zeros < len && text[zeros] == '1')
        zeros++;
    if (zeros + nbytes != PAYLOAD_LEN)
        return NM_E_ADDRESS;
    uint8_t payload[PAYLOAD_LEN] = {0};
    for (size_t j = 0; j < nbytes; j++)
        payload[PAYLOAD_LEN - 1 - j] = bytes[j];
    if (payload[0] != NM_SS58_PREFIX)
        return NM_E_ADDRESS;
    uint8_t check[2];
    ss58_checksum(payload, 1 + NM_PUBKEY_LEN, check);
    if (memcmp(check, payload + 1 + NM_PUBKEY_LEN, 2) != 0)
        return NM_E_CHECKSUM;
    memcpy(out->b, payload + 1, NM_PUBKEY_LEN);
    return 0;
}
