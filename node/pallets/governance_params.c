/* governance_params.c - which parameters token holders may change and how
 * a parameter proposal is checked (GOV-002; see governance_params.h). */
#include "node/pallets/governance_params.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/governance.h"
#include "node/pallets/subnets.h"
#include "node/pallets/subnet_lock.h"
#include "node/pallets/yuma_mode.h"

#include <string.h>

/* GOV-002: the parameters token holders may change. Left out on purpose:
 * block_time_ms (nodes arm their block timer with it when they start) and
 * faucet_amount (dev chains only). */
static const char *const allowed_params[] = {
    "tempo",
    "tx_fee",
    "tx_byte_fee",
    "tx_weight_fee",
    "max_block_weight",
    "existential_deposit",
    "unlock_period_blocks",
    "max_subnets",
    "max_neurons",
    "max_block_extrinsics",
    "gov_min_bond",
    "gov_review_period_blocks",
    "gov_timelock_blocks",
    "gov_quorum_ppm",
    "gov_approval_ppm",
    "gov_slash_ppm",
    "gov_max_open_per_account",
    "gov_bond_growth_ppb",
    /* weights/consensus/emission parameters open to governance */
    "emission_per_block",
    "halving_interval_blocks",
    "miner_share_ppb",
    "validator_share_ppb",
    "treasury_share_ppb",
    "reputation_alpha_ppb",
    "initial_reputation_ppb",
    "aggregation_basis",
    "yuma_kappa_ppb",
    "yuma_bond_alpha_ppb",
    "max_validators",
    "subnet_min_stake_validator",
    "outlier_k_ppb",
    "outlier_floor_ppb",
    "outlier_penalty_ppb",
    "nonsubmit_decay_ppb",
    "commit_reveal_default",
    "reveal_delay_blocks",
    "weights_rate_limit_blocks",
    "collusion_threshold_ppb",
    "collusion_copy_ppb",
    "collusion_min_miners",
    "collusion_topology_ppb",
    "collusion_topology_blocks",
    "collusion_topology_pairs",
    "collusion_confirm_epochs",
    "collusion_penalty_ppb",
    "collusion_slash_ppb",
    "bft_slash_ppb", /* issue 11 */
};

/* Parameters bound to each other: the miner and validator shares of a
 * subnet's emission add up to at most all of it. */
static const struct {
    const char *a, *b;
    uint64_t max_sum;
} param_pairs[] = {
    {"miner_share_ppb", "validator_share_ppb", 1000000000ULL},
};

/* Issue 16: a subnet's own parameters, its emission weight, its epoch
 * mode and the share of its lock to burn: checked (write false) or set;
 * *old gets the value before. */
bool nm_gov_subnet_param(const char *name, uint16_t *subnet)
{
    return nm_subnets_weight_param(name, subnet) || nm_yuma_mode_param(name, subnet) ||
           nm_subnets_lock_burn_param(name, subnet);
}

int nm_gov_subnet_param_set(struct nm_runtime *rt, const char *name, uint64_t value, bool write,
                            uint64_t *old)
{
    uint16_t subnet = 0;
    uint8_t before = 0;
    if (nm_subnets_lock_burn_param(name, &subnet))
        return nm_subnet_lock_burn(rt, subnet, value, write, old);
    int err = nm_subnets_weight_param(name, &subnet)
                  ? nm_subnets_weight_set(rt, subnet, value, write, &before)
                  : (nm_yuma_mode_param(name, &subnet),
                     nm_yuma_mode_set(rt, subnet, value, write, &before));
    *old = before;
    return err;
}

bool nm_governance_param_allowed(const char *name)
{
    if (nm_gov_subnet_param(name, NULL))
        return true;
    for (size_t i = 0; i < sizeof allowed_params / sizeof allowed_params[0]; i++)
        if (strcmp(allowed_params[i], name) == 0)
            return nm_param_find(name) != NULL;
    return false;
}

/* name := value is allowed: whitelisted, inside its bounds, and within
 * any sum it shares with another parameter (at its current value). */
int nm_gov_param_check(const struct nm_params *params, const char *name, uint64_t value)
{
    if (!nm_governance_param_allowed(name) || nm_gov_subnet_param(name, NULL))
        return NM_E_UNKNOWN_PARAM;
    const struct nm_param_info *info = nm_param_find(name);
    if (value < info->min || value > info->max)
        return NM_E_PARAM_BOUNDS;
    for (size_t i = 0; i < sizeof param_pairs / sizeof param_pairs[0]; i++) {
        bool is_a = strcmp(name, param_pairs[i].a) == 0,
             is_b = strcmp(name, param_pairs[i].b) == 0;
        const struct nm_param_info *other =
            nm_param_find(is_a ? param_pairs[i].b : param_pairs[i].a);
        uint64_t sum;
        if ((is_a || is_b) && other &&
            (!nm_add_u64(value, nm_param_value(params, other), &sum) ||
             sum > param_pairs[i].max_sum))
            return NM_E_PARAM_BOUNDS;
    }
    return 0;
}

/* The upgrade rules, for a switch at `at` that may not come before
 * not_before + 1. */
