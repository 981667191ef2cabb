/* lthash.c - incremental multiset hash of the state, and a memo of recent
 * entries' expansions (see lthash.h). */
#include "node/lthash.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* An entry's lanes are a function of its BLAKE2b-256 key alone. */
static void entry_key(const void *entry, size_t len, uint8_t key[NM_LTHASH_KEY_BYTES])
{
    crypto_generichash(key, NM_LTHASH_KEY_BYTES, entry, len, NULL, 0);
}

static void expand_key(const uint8_t key[NM_LTHASH_KEY_BYTES], uint16_t lanes[NM_LTHASH_LANES])
{
    static const uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {0};
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* the stream read as little-endian u16s is the lanes as they lie */
    crypto_stream_chacha20((uint8_t *)lanes, NM_LTHASH_BYTES, nonce, key);
#else
    uint8_t stream[NM_LTHASH_BYTES];
    crypto_stream_chacha20(stream, sizeof stream, nonce, key);
    for (int i = 0; i < NM_LTHASH_LANES; i++)
        lanes[i] = (uint16_t)(stream[2 * i] | stream[2 * i + 1] << 8);
#endif
}

/* restrict: the loops vectorize (a memo's lanes are never h's) */
static void lanes_add(struct nm_lthash *restrict h, const uint16_t *restrict lanes)
{
    for (int i = 0; i < NM_LTHASH_LANES; i++)
        h->lanes[i] = (uint16_t)(h->lanes[i] + lanes[i]);
}

static void lanes_sub(struct nm_lthash *restrict h, const uint16_t *restrict lanes)
{
    for (int i = 0; i < NM_LTHASH_LANES; i++)
        h->lanes[i] = (uint16_t)(h->lanes[i] - lanes[i]);
}

void nm_lthash_zero(struct nm_lthash *h)
{
    memset(h, 0, sizeof *h);
}

void nm_lthash_add(struct nm_lthash *h, const void *entry, size_t len)
{
    nm_lthash_add_memo(h, NULL, entry, len);
}

void nm_lthash_sub(struct nm_lthash *h, const void *entry, size_t len)
{
    nm_lthash_sub_memo(h, NULL, entry, len);
}

/* Direct-mapped by the key's first bytes: a slot holds the last key that
 * fell there with its lanes. A hit needs the whole key equal, and lanes
 * depend on the key alone, so a hit gives exactly what expansion gives. */
struct memo_slot {
    uint8_t key[NM_LTHASH_KEY_BYTES];
    bool used;
    uint16_t lanes[NM_LTHASH_LANES];
};

struct nm_lthash_memo {
    struct memo_slot *slots;
    size_t mask;
    uint64_t hits, expansions;
};

int nm_lthash_memo_new(size_t slots, struct nm_lthash_memo **out)
{
    if (!slots || (slots & (slots - 1)))
        return -1;
    struct nm_lthash_memo *m = calloc(1, sizeof *m);
    if (!m || !(m->slots = calloc(slots, sizeof *m->slots))) {
        free(m);
        return -1;
    }
    m->mask = slots - 1;
    *out = m;
    return 0;
}

void nm_lthash_memo_delete(struct nm_lthash_memo *m)
{
    if (m)
        free(m->slots);
    free(m);
}

void nm_lthash_memo_stats(const struct nm_lthash_memo *m, uint64_t *hits, uint64_t *expansions)
{
    *hits = m ? m->hits : 0;
    *expansions = m ? m->expansions : 0;
}

/* The lanes of entry: from the memo when it holds them, else expanded
 * (into the memo's slot when there is a memo, else into tmp). */
static const uint16_t *lanes_of(struct nm_lthash_memo *m, const void *entry, size_t len,
                                uint16_t tmp[NM_LTHASH_LANES])
{
    uint8_t key[NM_LTHASH_KEY_BYTES];
    entry_key(entry, len, key);
    if (!m) {
        expand_key(key, tmp);
        return tmp;
    }
    size_t at = ((size_t)key[0] | (size_t)key[1] << 8 | (size_t)key[2] << 16 |
                 (size_t)key[3] << 24) & m->mask;
    struct memo_slot *s = &m->slots[at];
    if (s->used && memcmp(s->key, key, sizeof key) == 0) {
        m->hits++;
        return s->lanes;
    }
    m->expansions++;
    expand_key(key, s->lanes);
    memcpy(s->key, key, sizeof key);
    s->used = true;
    return s->lanes;
}

void nm_lthash_add_memo(struct nm_lthash *h, struct nm_lthash_memo *m, const void *entry,
                        size_t len)
{
    uint16_t tmp[NM_LTHASH_LANES];
    lanes_add(h, lanes_of(m, entry, len, tmp));
}

void nm_lthash_sub_memo(struct nm_lthash *h, struct nm_lthash_memo *m, const void *entry,
                        size_t len)
{
    uint16_t tmp[NM_LTHASH_LANES];
    lanes_sub(h, lanes_of(m, entry, len, tmp));
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
