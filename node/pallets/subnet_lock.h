/* subnet_lock.h - the deposit subnets.create locks (issue 16, as
 * Bittensor's network lock cost): nm_lock_cost (node/pallets/incentive.h)
 * with params subnet_lock_floor, subnet_lock_growth_ppb and
 * subnet_lock_decay_blocks, from the lock of the last subnet created with
 * one (the largest lock of the latest creation height) and that height.
 * It leaves the creator's free balance (NM_E_INSUFFICIENT_BALANCE when
 * short, nothing changed) and is kept in the subnet's row; retiring sets
 * unlock_at = height + subnet_lock_return_blocks, and at the end of that
 * block the owner gets it back (event subnets.LockReturned {id, owner,
 * amount}) and the subnet is dissolved (see nm_subnets_dissolve; with no
 * lock too: retiring always sets unlock_at). Genesis subnets and subnets created by an approved governance
 * proposal lock nothing. Dev chains: floor 0, so no lock. */
#ifndef NM_SUBNET_LOCK_H
#define NM_SUBNET_LOCK_H

#include "node/runtime.h"

/* What a subnet created now would lock. */
int nm_subnet_lock_cost(struct nm_runtime *rt, uint64_t *out);
/* Takes that cost from who's free balance; *lock_out gets it. */
int nm_subnet_lock_take(struct nm_runtime *rt, const nm_account *who, uint64_t *lock_out);
/* End of block: returns the locks whose unlock_at is this block, and
 * dissolves those subnets (nm_subnets_dissolve). */
int nm_subnets_end_block(struct nm_runtime *rt);
/* Issue 16, reuse of retired ids and names: a retired subnet's stakes go
 * back to their owners' free balance (staking.Released), its neurons,
 * registration, weights and consensus rows go, then its row: its id and
 * name are free for the next subnets.create. Event subnets.Dissolved {id,
 * name}. */
int nm_subnets_dissolve(struct nm_runtime *rt, uint16_t id);
/* Issue 16, a lock burned by a slashing decision: governance's parameter
 * "subnet.ID.lock_burn_ppb" (nm_subnets_lock_burn_param) destroys that
 * share (1..10^9 ppb, NM_E_PARAM_BOUNDS) of subnet id's lock, active or
 * retired (NM_E_UNKNOWN_SUBNET once dissolved), rounded down:
 * NM_E_NO_LOCK when it holds none, NM_E_NO_CHANGE when the share rounds to
 * nothing. write false: check only. *old_out (may be NULL): the lock
 * before. Event subnets.LockBurned {id, owner, amount, lock (what is
 * left)}. */
int nm_subnet_lock_burn(struct nm_runtime *rt, uint16_t id, uint64_t share_ppb, bool write,
                        uint64_t *old_out);
/* Ids of dissolved subnets are reused, so a governance decision about
 * subnet id taken at height acts only on the subnet that held the id then:
 * 0 when subnet id exists and was created at or before height, else
 * NM_E_UNKNOWN_SUBNET. */
int nm_subnets_existed_at(struct nm_runtime *rt, uint16_t id, uint64_t height);

#endif
