/* staking.h - the staking pallet (CORE-001/003): free balance bonded to a
 * subnet (table stakes), unbonded stake waiting out the unlock period
 * (table unlocks), and withdrawal of what has matured.
 *
 * Rules:
 * - add: amount > 0, the subnet exists and is active, the signer has the
 *   amount free. Bonding may leave the free balance anywhere down to zero:
 *   accounts are never reaped and the existential deposit only governs
 *   transfers.
 * - remove: 0 < amount <= stake on that subnet (NM_E_INSUFFICIENT_STAKE).
 *   A registered neuron must keep at least its role's minimum on its
 *   subnet, retired or not (NM_E_STAKE_LOCKED: deregister first). The
 *   amount becomes an unlock at height + unlock_period_blocks; unlocks of
 *   one account falling due at the same height share one row.
 * - An account has at most NM_STAKING_MAX_UNLOCKS unlock rows, matured or
 *   not (NM_E_TOO_MANY_UNLOCKS: withdraw first); deregistration obeys the
 *   cap too, so per-account rows stay bounded.
 * - withdraw: every unlock with unlock_at <= height moves to free balance
 *   (NM_E_NOTHING_TO_WITHDRAW if none).
 * - A stake row whose amount reaches zero is deleted: no zero rows exist.
 * Events: staking.Bonded {who, subnet, amount}, staking.Unbonded {who,
 * subnet, amount, unlock_at}, staking.Withdrawn {who, amount}. Bonds and
 * unbonds made for the registry emit them too, so every stake change has
 * an event. */
#ifndef NM_STAKING_H
#define NM_STAKING_H

#include "node/runtime.h"

#define NM_STAKING_MAX_UNLOCKS 32

/* Stake of who on subnet (0 when none). */
int nm_staking_get(struct nm_db *db, const nm_account *who, uint16_t subnet, uint64_t *out);
/* Sums over all subnets / all unlock rows. NM_E_OVERFLOW if a sum does not
 * fit (cannot happen while total issuance fits in u64). */
int nm_staking_totals(struct nm_db *db, const nm_account *who, uint64_t *staked,
                      uint64_t *unlocking);
/* Height at which stake unbonded in the current block unlocks. */
int nm_staking_unlock_height(const struct nm_runtime *rt, uint64_t *out);

/* For the registry (the caller has checked the subnet). Bond moves amount
 * from free balance to stake on subnet; 0 does nothing. Unbond_all turns
 * all of who's stake on subnet into one unlock (amount_out 0 and nothing
 * written when there is none). Both check everything first: on error
 * nothing changed. */
int nm_staking_bond(struct nm_runtime *rt, const nm_account *who, uint16_t subnet,
                    uint64_t amount);
int nm_staking_unbond_all(struct nm_runtime *rt, const nm_account *who, uint16_t subnet,
                          uint64_t *amount_out);
/* Issue 16, a subnet dissolved for reuse: every stake bonded to subnet
 * goes back to its owner's free balance (the subnet was retired at least
 * subnet_lock_return_blocks before). Event staking.Released {who, subnet,
 * amount} each. */
int nm_staking_release_subnet(struct nm_runtime *rt, uint16_t subnet);
/* For the consensus pallet (CONS-004 slashing): burns fraction_ppb (of
 * 10^9) of who's stake on subnet, rounded down; *slashed_out says how
 * much (0 and nothing written when that is nothing). Event
 * staking.Slashed {who, subnet, amount}. */
int nm_staking_slash(struct nm_runtime *rt, const nm_account *who, uint16_t subnet,
                     uint64_t fraction_ppb, uint64_t *slashed_out);

/* Calls. */
int nm_staking_add(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c);
int nm_staking_remove(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c);
int nm_staking_withdraw(struct nm_runtime *rt, const nm_account *signer,
                        const struct nm_call *c);

/* {"staked":"units","unlocking":"units","stakes":[{"subnet":N,"amount":"units"}],
 *  "unlocks":[{"amount":"units","unlock_at":H}]}, ordered by subnet and
 * unlock_at. New object owned by the caller; NULL on error. */
cJSON *nm_staking_account_json(struct nm_db *db, const nm_account *who);

/* Adds every stakes and unlocks row's entry to acc. */
int nm_staking_fold(struct nm_db *db, struct nm_lthash *acc);

/* Its descriptor (node/pallets/pallet.h). */
extern const struct nm_pallet nm_pallet_staking;

#endif
