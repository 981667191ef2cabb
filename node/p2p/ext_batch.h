/* ext_batch.h - several extrinsics in one gossip message on the
 * extrinsics topic (issue 11, speed: each gossipsub message costs its
 * author a signature and every receiver a check, on the node thread; the
 * extrinsics a loop turn admitted travel together, so that cost is paid
 * once per turn, not once per extrinsic). A message is either one bare
 * extrinsic (its first byte is NM_EXTRINSIC_VERSION, as before) or
 * NM_EXT_BATCH_TAG followed by up to NM_EXT_BATCH_MAX extrinsics, each as
 * a varint length and its bytes. Pure: no I/O, no chain. */
#ifndef NM_P2P_EXT_BATCH_H
#define NM_P2P_EXT_BATCH_H

#include "node/codec.h"

#include <stddef.h>
#include <stdint.h>

#define NM_EXT_BATCH_TAG 0xb5
#define NM_EXT_BATCH_MAX 1024
/* a batch is closed once it holds this many bytes: a message stays far
 * under the router's 1 MiB */
#define NM_EXT_BATCH_BYTES (256u * 1024u)

/* Starts a batch in w (initialised by the caller). */
void nm_ext_batch_begin(struct nm_writer *w);
/* Appends one extrinsic. */
void nm_ext_batch_add(struct nm_writer *w, const uint8_t *ext, size_t len);

/* The extrinsics a message carries: pointers into data (and lengths) in
 * exts/lens, at most NM_EXT_BATCH_MAX; *n their count. A bare extrinsic is
 * one. NM_E_DECODE for a malformed batch (empty, cut short, too many, one
 * longer than NM_EXTRINSIC_MAX) or an empty message. */
int nm_ext_batch_parse(const uint8_t *data, size_t len, const uint8_t **exts, size_t *lens,
                       size_t *n);

#endif
