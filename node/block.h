/* block.h - block headers and bodies: canonical encoding, hashing, the
 * extrinsics root and the author's seal. The header leaves room for a
 * finality justification: on chains with several authorities, the commit
 * certificate of BFT finality (node/bft/cert.h). */
#ifndef NM_BLOCK_H
#define NM_BLOCK_H

#include "node/codec.h"
#include "node/crypto.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define NM_BLOCK_VERSION 1

struct nm_header {
    nm_hash parent;
    uint64_t height;
    uint64_t timestamp_ms;
    uint64_t epoch;
    nm_account author;
    nm_hash state_root;
    nm_hash extrinsics_root;
};

/* A block as it travels and is stored:
 *   header | seal[64] | justification (bytes) | varint n | n x bytes  */
struct nm_block {
    struct nm_header header;
    uint8_t seal[NM_SIG_LEN];     /* author's signature over the header hash */
    const uint8_t *justification; /* BFT commit certificate or empty; into the buffer */
    size_t justification_len;
    size_t count;
    const uint8_t **extrinsics;   /* owned array of pointers into the buffer */
    size_t *lengths;              /* owned */
};

void nm_header_encode(const struct nm_header *h, struct nm_writer *w);
int nm_header_decode(struct nm_reader *r, struct nm_header *h);
/* The block hash: 0, or NM_E_NOMEM (then *out is zero and matches nothing). */
int nm_header_hash(const struct nm_header *h, nm_hash *out);
/* Substrate-shaped JSON: parentHash, number (0x hex), stateRoot,
 * extrinsicsRoot, digest.logs, plus hash, height, timestamp, epoch, author;
 * NULL when memory runs out. */
cJSON *nm_header_json(const struct nm_header *h);

/* Binary Merkle root of the extrinsics' hashes (zero hash when empty; an
 * odd node is paired with itself). 0, or NM_E_NOMEM (then *out is zero). */
int nm_extrinsics_root(const uint8_t *const *exts, const size_t *lens, size_t n, nm_hash *out);
/* Roots computed so far, on any thread (a test hook). */
unsigned long nm_extrinsics_root_computations(void);

/* Encodes a whole block. */
void nm_block_encode(const struct nm_header *h, const uint8_t seal[NM_SIG_LEN],
                     const uint8_t *const *exts, const size_t *lens, size_t n,
                     struct nm_writer *w);
/* The same with a justification: on chains with several authorities, the
 * block's commit certificate (node/bft/cert.h), added once it is final. */
void nm_block_encode_justified(const struct nm_header *h, const uint8_t seal[NM_SIG_LEN],
                               const uint8_t *justification, size_t justification_len,
                               const uint8_t *const *exts, const size_t *lens, size_t n,
                               struct nm_writer *w);
/* Decodes; the result points into data (keep it alive). Free with
 * nm_block_fini. Checks the extrinsics root against the header. */
int nm_block_decode(const uint8_t *data, size_t len, struct nm_block *out);
/* As nm_block_decode without the extrinsics root (issue 11, speed: a block
 * went through up to eight decodes on a BFT node, each hashing every
 * extrinsic): only for bytes this node decoded with nm_block_decode before
 * (or encoded itself), whose root is known to match. */
int nm_block_decode_unrooted(const uint8_t *data, size_t len, struct nm_block *out);
/* Blocks decoded (either way) so far on the calling thread (a test hook). */
unsigned long nm_block_decodes_here(void);
void nm_block_fini(struct nm_block *b);

#endif
