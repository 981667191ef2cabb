/* fee.h - what an extrinsic pays (issue 16 "fees that follow cost", issue
 * 17 "fees by size"): as Substrate's length and weight fees,
 *   fee = tx_fee + tx_byte_fee x encoded bytes + tx_weight_fee x weight,
 * where weight = NM_WEIGHT_EXTRINSIC (decode, signature, nonce and fee
 * write) + the call's own weight from its row in the pallet's call table
 * (weight + item_weight x items, e.g. the entries of a weight list). One
 * weight unit is about 1 us of reference execution. The same weight fills
 * a block up to max_block_weight as its bytes fill max_block_bytes. The
 * table of what each call costs is in docs/protocol.md. Integers only. */
#ifndef NM_FEE_H
#define NM_FEE_H

#include "node/call.h"
#include "node/params.h"

#include <stddef.h>
#include <stdint.h>

#define NM_WEIGHT_EXTRINSIC 100

struct nm_fee_rates {
    uint64_t base;       /* tx_fee */
    uint64_t per_byte;   /* tx_byte_fee */
    uint64_t per_weight; /* tx_weight_fee */
};

struct nm_fee {
    uint64_t weight;     /* NM_WEIGHT_EXTRINSIC + the call's */
    uint64_t base_fee, length_fee, weight_fee;
    uint64_t total;
};

void nm_fee_rates_of(const struct nm_params *p, struct nm_fee_rates *out);

/* The weight of an extrinsic carrying c (an unknown call weighs only
 * NM_WEIGHT_EXTRINSIC). */
uint64_t nm_fee_weight(const struct nm_call *c);

/* Fills out for an extrinsic of len encoded bytes carrying c;
 * NM_E_OVERFLOW when the fee does not fit a u64 (then nobody can pay it). */
int nm_fee_compute(const struct nm_fee_rates *r, size_t len, const struct nm_call *c,
                   struct nm_fee *out);

/* The weight of an encoded extrinsic (decodes it and its call): what a
 * block producer counts before applying it. NM_E_DECODE and friends for
 * bytes that are no extrinsic. */
int nm_fee_weigh_extrinsic(const uint8_t *ext, size_t len, uint64_t *weight);

#endif
