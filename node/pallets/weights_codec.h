/* weights_codec.h - the compact encoding of sparse weight vectors (CONS-001):
 * what a validator's normalised weights and an epoch's global weights are
 * stored as. A vector is a list of (uid, value) with strictly increasing
 * uids and non-zero u32 values; zeros are simply absent.
 *
 * Encoding (docs/protocol.md, "Weight vectors"):
 *   u8 version (=1) | varint n (entries, 0..65536)
 *   when n > 0: u8 k_gap | u8 k_len | u8 k_val | bit stream | zero padding
 * The bit stream (most significant bit first) holds the runs of
 * consecutive uids: for each run, Rice(k_gap) of the zeros skipped before
 * it (minus one after the first run: runs are maximal, so at least one uid
 * lies between two runs), Rice(k_len) of its length - 1, then Rice(k_val)
 * of each value - 1. Rice(k) of x is x >> k in unary (that many 0 bits and
 * a 1 bit) followed by the low k bits of x. The encoder picks each k that
 * makes its field smallest (the lowest on a tie), so encoding is a pure
 * function of the vector. The padding bits must be zero and nothing may
 * follow. A dense vector of 1000 normalised u16 weights takes ~950 bytes,
 * a 10% sparse one ~200. Everything here is integer and allocation-free. */
#ifndef NM_WEIGHTS_CODEC_H
#define NM_WEIGHTS_CODEC_H

#include "node/codec.h"

#include <stddef.h>
#include <stdint.h>

#define NM_WCODEC_VERSION 1
#define NM_WCODEC_MAX_ENTRIES 65536

/* Appends the encoding of n entries to w. NM_E_INVAL when uids are not
 * strictly increasing or a value is 0 (nothing is written then). */
int nm_wcodec_encode(const uint16_t *uids, const uint32_t *values, size_t n, struct nm_writer *w);

/* Entry count of an encoding, read from its header only (to size buffers).
 * NM_E_DECODE on a bad header. */
int nm_wcodec_count(const uint8_t *data, size_t len, size_t *n_out);

/* Decodes into uids/values (room for cap entries each). NM_E_DECODE for a
 * malformed, truncated or non-zero-padded input or one with trailing
 * bytes, NM_E_TOO_BIG when it holds more than cap entries. On error the
 * outputs hold garbage and *n_out is 0. */
int nm_wcodec_decode(const uint8_t *data, size_t len, uint16_t *uids, uint32_t *values, size_t cap,
                     size_t *n_out);

#endif
