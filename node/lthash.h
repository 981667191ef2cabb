/* lthash.h - the state commitment: a lattice (LtHash-style) multiset hash.
 * Every state entry's canonical bytes expand (BLAKE2b-256 key -> ChaCha20
 * stream) to 1024 u16 lanes that are added when the entry appears and
 * subtracted when it goes, so an update costs O(1) whatever the state size
 * and the result depends only on the set of entries, not on the order in
 * which they were written or on how SQLite stores them. The state root is
 * BLAKE2b-256 of the lanes (little-endian). */
#ifndef NM_LTHASH_H
#define NM_LTHASH_H

#include "node/crypto.h"

#include <stddef.h>
#include <stdint.h>

#define NM_LTHASH_LANES 1024
#define NM_LTHASH_BYTES (NM_LTHASH_LANES * 2)

struct nm_lthash {
    uint16_t lanes[NM_LTHASH_LANES];
};

void nm_lthash_zero(struct nm_lthash *h);
void nm_lthash_add(struct nm_lthash *h, const void *entry, size_t len);
void nm_lthash_sub(struct nm_lthash *h, const void *entry, size_t len);
void nm_lthash_digest(const struct nm_lthash *h, nm_hash *out);
/* Little-endian serialisation, for keeping the accumulator in the db. */
void nm_lthash_to_bytes(const struct nm_lthash *h, uint8_t out[NM_LTHASH_BYTES]);
void nm_lthash_from_bytes(struct nm_lthash *h, const uint8_t in[NM_LTHASH_BYTES]);

#endif
