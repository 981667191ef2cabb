/* lthash.c - incremental multiset hash of the state (see lthash.h). */
#include "node/lthash.h"

#include <sodium.h>
#include <string.h>

static void expand(const void *entry, size_t len, uint16_t lanes[NM_LTHASH_LANES])
{
    static const uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {0};
    uint8_t key[crypto_stream_chacha20_KEYBYTES];
    uint8_t stream[NM_LTHASH_BYTES];
    crypto_generichash(key, sizeof key, entry, len, NULL, 0);
    crypto_stream_chacha20(stream, sizeof stream, nonce, key);
    for (int i = 0; i < NM_LTHASH_LANES; i++)
        lanes[i] = (uint16_t)(stream[2 * i] | stream[2 * i + 1] << 8);
}

void nm_lthash_zero(struct nm_lthash *h)
{
    memset(h, 0, sizeof *h);
}

void nm_lthash_add(struct nm_lthash *h, const void *entry, size_t len)
{
    uint16_t lanes[NM_LTHASH_LANES];
    expand(entry, len, lanes);
    for (int i = 0; i < NM_LTHASH_LANES; i++)
        h->lanes[i] = (uint16_t)(h->lanes[i] + lanes[i]);
}

void nm_lthash_sub(struct nm_lthash *h, const void *entry, size_t len)
{
    uint16_t lanes[NM_LTHASH_LANES];
    expand(entry, len, lanes);
    for (int i = 0; i < NM_LTHASH_LANES; i++)
        h->lanes[i] = (uint16_t)(h->lanes[i] - lanes[i]);
}

void nm_lthash_to_bytes(const struct nm_lthash *h, uint8_t out[NM_LTHASH_BYTES])
{
    for (int i = 0; i < NM_LTHASH_LANES; i++) {
        out[2 * i] = (uint8_t)(h->lanes[i] & 0xff);
        out[2 * i + 1] = (uint8_t)(h->lanes[i] >> 8);
    }
}

void nm_lthash_from_bytes(struct nm_lthash *h, const uint8_t in[NM_LTHASH_BYTES])
{
    for (int i = 0; i < NM_LTHASH_LANES; i++)
        h->lanes[i] = (uint16_t)(in[2 * i] | in[2 * i + 1] << 8);
}

void nm_lthash_digest(const struct nm_lthash *h, nm_hash *out)
{
    uint8_t bytes[NM_LTHASH_BYTES];
    nm_lthash_to_bytes(h, bytes);
    nm_hash_bytes(bytes, sizeof bytes, out);
}
