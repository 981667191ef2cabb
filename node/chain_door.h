/* chain_door.h - the chain's own limits checked before a transaction may
 * enter the pool (issue 17, issue 16): its size (max_extrinsic_bytes), its
 * weight (no heavier than max_block_weight: no block could hold it) and a
 * weight list no longer than the subnet's neurons. What the call itself
 * checks stays with the call (node/runtime.c validates the rest). */
#ifndef NM_CHAIN_DOOR_H
#define NM_CHAIN_DOOR_H

#include "node/chain.h"

#include <stddef.h>
#include <stdint.h>

/* 0, or NM_E_EXTRINSIC_TOO_LARGE, NM_E_EXTRINSIC_OVERWEIGHT,
 * NM_E_CALL_OUT_OF_BOUNDS, a decoding error, NM_E_NOMEM, NM_E_DB. */
int nm_chain_door_check(struct nm_chain *c, const uint8_t *ext, size_t len);

#endif
