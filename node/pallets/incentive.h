/* incentive.h - pure integer rules of incentive integrity (issue 16), for
 * the pallets to call: stake x reputation shares (validator influence and
 * reward beside the seed's reputation-only rule of CONS-003 / CORE-004),
 * validator permits (top K by stake), the adaptive subnet lock cost, the
 * registration burn adjustment and the choice of the neuron a full subnet
 * prunes. No storage, no floating point: the same bits on every machine.
 * Fractions are ppb (NM_FX_ONE = 10^9) as in consensus_math.h. */
#ifndef NM_INCENTIVE_H
#define NM_INCENTIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Stake-weighted shares: out[v] = rep[v] x stake[v] (rep capped at 10^9),
 * every product shifted right by the same number of bits so the shares sum
 * below 2^63 (proportions kept to within 2^-60 of the total). Feed them to
 * nm_split for the validators' reward: splitting a stake over k identities
 * of the same reputation then earns what the whole stake earns, to the
 * rounding unit. Returns the shift applied. */
unsigned nm_stake_shares(const uint64_t *rep, const uint64_t *stake, size_t n, uint64_t *out);

/* Validator permits: permit[v] for the (at most) k validators with the
 * largest stake among those with stake >= min_stake; equal stakes go to the
 * lower index (the lower UID). Returns how many got one. NM_E_NOMEM as a
 * negative value. */
long nm_permits_select(const uint64_t *stake, size_t n, uint64_t min_stake, uint32_t k,
                       bool *permit);

/* The subnet lock cost (as Bittensor's network lock cost): each creation
 * multiplies the last lock by growth, and the cost falls back linearly by
 * last_lock / decay_blocks per block since that creation, never below the
 * floor. */
struct nm_lock_params {
    uint64_t floor;        /* base units */
    uint64_t growth_ppb;   /* 2 x 10^9: doubles with each creation */
    uint64_t decay_blocks; /* blocks for the cost to lose one last_lock (0: no decay) */
};

/* last_lock 0: no creation yet, the floor. Saturates at UINT64_MAX. */
uint64_t nm_lock_cost(const struct nm_lock_params *p, uint64_t last_lock, uint64_t last_block,
                      uint64_t now);

/* The registration burn (as Bittensor's burn adjustment), applied at the
 * end of each adjustment interval: the burn moves toward
 * burn x (registrations + target) / (2 target) (up when more than the
 * target registered, down when fewer), smoothed as
 * next = (alpha burn + (10^9 - alpha) moved) / 10^9, then kept within
 * [min_burn, max_burn]. target 0: the burn only gets clamped. */
struct nm_burn_params {
    uint32_t target;    /* registrations per interval */
    uint64_t alpha_ppb; /* weight of the old burn */
    uint64_t min_burn, max_burn;
};

uint64_t nm_burn_next(const struct nm_burn_params *p, uint64_t burn, uint32_t registrations);

/* The neuron a full subnet replaces on a registration (as Bittensor's
 * get_neuron_to_prune): the lowest score among neurons no longer immune
 * (now - registered_at >= immunity_blocks), on a tie the earliest
 * registered, then the lower index; when every neuron is still immune, the
 * same choice among them (a full subnet never refuses everyone). -1 only
 * when n is 0. */
struct nm_neuron_age {
    uint64_t score; /* pruning score: the neuron's reward of the last epoch */
    uint64_t registered_at;
};

long nm_prune_choose(const struct nm_neuron_age *neurons, size_t n, uint64_t immunity_blocks,
                     uint64_t now);

#endif
