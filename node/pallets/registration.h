/* registration.h - what a neuron registration costs and whom it replaces
 * (issue 16, as Bittensor's burned registration, burn adjustment,
 * immunity and pruning). Part of the registry pallet.
 *
 * - Burn: each subnet has a registration burn (table registration:
 *   subnet -> burn, registrations this interval, interval_start), at first
 *   reg_burn_min. Intervals are reg_adjustment_interval_blocks long,
 *   aligned to multiples of it. When a registration or a view finds the
 *   stored interval over, the burn is adjusted once with the count of that
 *   interval and once with 0 per empty interval since (at most 256 times),
 *   by nm_burn_next (node/pallets/incentive.h: target
 *   reg_target_per_interval, alpha reg_burn_alpha_ppb, kept within
 *   [reg_burn_min, reg_burn_max]). A registration leaves the signer's free
 *   balance with the burn beside its stake (NM_E_INSUFFICIENT_BALANCE when
 *   short of both); the burn is destroyed.
 * - Immunity and pruning (as Bittensor's get_neuron_to_prune): a full
 *   subnet (no free UID) replaces the neuron with the lowest score (its
 *   reward of the last epoch, 0 before one) among those registered at
 *   least immunity_period_blocks ago, on a tie the earliest registered,
 *   then the lower UID; while every neuron is still immune, the same
 *   choice among them, so a full subnet never refuses. It is deregistered as by registry.deregister (its stake
 *   goes into the unlock period) with event registry.Pruned {subnet, uid,
 *   who, score, replaced_by, unlock_at, amount}, and the newcomer takes its
 *   UID. */
#ifndef NM_REGISTRATION_H
#define NM_REGISTRATION_H

#include "node/pallets/registry.h"

enum { NM_TAG_REGISTRATION = 0x08 };

struct nm_reg_state {
    uint16_t subnet;
    uint64_t burn;
    uint32_t registrations;  /* in the interval that began at interval_start */
    uint64_t interval_start; /* a multiple of reg_adjustment_interval_blocks */
};

/* The state of subnet's registrations at height, adjusted for the
 * intervals that ended (nothing written). *stored: whether a row exists. */
int nm_registration_state(struct nm_db *db, const struct nm_params *params, uint16_t subnet,
                          uint64_t height, struct nm_reg_state *out, bool *stored);
/* Records one more registration on top of now (from nm_registration_state). */
int nm_registration_count(struct nm_runtime *rt, const struct nm_reg_state *now, bool stored);
/* The neuron a registration on full subnet replaces (see above), and its
 * score (NM_E_SUBNET_FULL for a subnet without neurons). */
int nm_registration_victim(struct nm_runtime *rt, uint16_t subnet, struct nm_neuron *out,
                           uint64_t *score);
/* {burn, registrations, target, interval_blocks, next_adjustment,
 * immunity_period} at height; NULL on error. */
cJSON *nm_registration_json(struct nm_db *db, const struct nm_params *params, uint16_t subnet,
                            uint64_t height);
/* Drops subnet's row (a subnet dissolved for reuse). */
int nm_registration_clear(struct nm_runtime *rt, uint16_t subnet);
int nm_registration_fold(struct nm_db *db, struct nm_lthash *acc);

#endif
