/* subnet_lock.h - the deposit subnets.create locks (issue 16, as
 * Bittensor's network lock cost): nm_lock_cost (node/pallets/incentive.h)
 * with params subnet_lock_floor, subnet_lock_growth_ppb and
 * subnet_lock_decay_blocks, from the lock of the last subnet created with
 * one (the largest lock of the latest creation height) and that height.
 * It leaves the creator's free balance (NM_E_INSUFFICIENT_BALANCE when
 * short, nothing changed) and is kept in the subnet's row; retiring sets
 * unlock_at = height + subnet_lock_return_blocks, and at the end of that
 * block the owner gets it back (event subnets.LockReturned {id, owner,
 * amount}). Genesis subnets and subnets created by an approved governance
 * proposal lock nothing. Dev chains: floor 0, so no lock. */
#ifndef NM_SUBNET_LOCK_H
#define NM_SUBNET_LOCK_H

#include "node/runtime.h"

/* What a subnet created now would lock. */
int nm_subnet_lock_cost(struct nm_runtime *rt, uint64_t *out);
/* Takes that cost from who's free balance; *lock_out gets it. */
int nm_subnet_lock_take(struct nm_runtime *rt, const nm_account *who, uint64_t *lock_out);
/* End of block: returns the locks whose unlock_at is this block. */
int nm_subnets_end_block(struct nm_runtime *rt);

#endif
