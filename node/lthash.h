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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_LTHASH_LANES 1024
#define NM_LTHASH_BYTES (NM_LTHASH_LANES * 2)
#define NM_LTHASH_KEY_BYTES 32

struct nm_lthash {
    uint16_t lanes[NM_LTHASH_LANES];
};

void nm_lthash_zero(struct nm_lthash *h);
void nm_lthash_add(struct nm_lthash *h, const void *entry, size_t len);
void nm_lthash_sub(struct nm_lthash *h, const void *entry, size_t len);
void nm_lthash_digest(const struct nm_lthash *h, nm_hash *out);

/* Issue 11 (speed): a memo of recent entries' expansions. A row written in
 * a block is usually subtracted again soon (the sender's row after its fee,
 * then after its transfer; a busy account's row in the next block), and
 * expansion (a ChaCha20 stream of 2 KiB) is most of an update's cost. The
 * memo returns lanes only for an equal BLAKE2b-256 key, so results are
 * exactly those without it. slots is a power of two (each ~2 KiB); the
 * memo is the caller's, for one thread. nm_lthash_memo_new returns 0, or -1
 * (no memory, or slots not a power of two). m may be NULL in *_memo calls:
 * then they are nm_lthash_add/sub. */
struct nm_lthash_memo;
int nm_lthash_memo_new(size_t slots, struct nm_lthash_memo **out);
void nm_lthash_memo_delete(struct nm_lthash_memo *m);
void nm_lthash_add_memo(struct nm_lthash *h, struct nm_lthash_memo *m, const void *entry,
                        size_t len);
void nm_lthash_sub_memo(struct nm_lthash *h, struct nm_lthash_memo *m, const void *entry,
                        size_t len);
/* Lookups answered from the memo, and expansions it made (0 for NULL). */
void nm_lthash_memo_stats(const struct nm_lthash_memo *m, uint64_t *hits, uint64_t *expansions);

/* Little-endian serialisation, for keeping the accumulator in the db. */
void nm_lthash_to_bytes(const struct nm_lthash *h, uint8_t out[NM_LTHASH_BYTES]);
void nm_lthash_from_bytes(struct nm_lthash *h, const uint8_t in[NM_LTHASH_BYTES]);

#endif
