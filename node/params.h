/* params.h - chain parameters: one X-macro lists each with its dev-chain
 * default, its default-chain default and its bounds. They live in chain
 * state (table params), so later governance can change them by name. */
#ifndef NM_PARAMS_H
#define NM_PARAMS_H

#include <stdint.h>

/* X(name, dev default, default, min, max, description) */
#define NM_PARAMS_MAP(X)                                                                   \
    X(block_time_ms, 1000, 12000, 100, 600000, "milliseconds between blocks")             \
    X(tempo, 10, 360, 2, 100000, "blocks per epoch")                                      \
    X(tx_fee, 100000, 100000, 0, 1000000000000ULL, "base fee per extrinsic, base units") \
    /* issue 16/17: fees follow cost, as Substrate's length and weight fees */           \
    X(tx_byte_fee, 1000, 1000, 0, 1000000000ULL,                                          \
      "fee per encoded byte of an extrinsic, base units")                                 \
    X(tx_weight_fee, 100, 100, 0, 1000000000ULL,                                          \
      "fee per unit of call weight (about 1 us of reference execution), base units")    \
    X(existential_deposit, 1000000, 1000000, 0, 1000000000000ULL,                         \
      "smallest balance a new account may hold, base units")                              \
    X(unlock_period_blocks, 10, 7200, 0, 10000000, "blocks before unbonded stake is free") \
    X(max_subnets, 32, 32, 1, 1024, "most active subnets at once")                        \
    X(max_neurons, 4096, 4096, 1, 65535, "largest max-neurons a subnet may ask for")      \
    X(max_block_extrinsics, 8192, 8192, 1, 100000, "most extrinsics in one block")        \
    /* issue 17: blocks of 54-141 MB could not be served by chain_getBlock;  */          \
    /* a block's hex must fit the 15 MiB RPC response, hence the 7 MiB bound */          \
    X(max_extrinsic_bytes, 65536, 65536, 1024, 1048576,                                  \
      "largest extrinsic in bytes, refused at submission and in imported blocks")        \
    X(max_block_bytes, 4194304, 4194304, 65536, 7340032,                                 \
      "largest encoded block in bytes (header, seal and extrinsics)")                    \
    X(max_block_weight, 2000000, 6000000, 10000, 1000000000000ULL,                       \
      "largest total weight of a block's extrinsics (issue 16: fees follow cost)")      \
    X(faucet_amount, 100000000000ULL, 0, 0, 1000000000000000ULL,                          \
      "what the dev faucet pays, base units") \
    /* weights/consensus/emission parameters */                                         \
    /* (CORE-004, CONS-002..004; rules in node/pallets/consensus.h; ppb = 10^-9) */      \
    X(emission_per_block, 1000000000ULL, 1000000000ULL, 0, 1000000000000000ULL,            \
      "new tokens each block, base units")                                                \
    X(halving_interval_blocks, 0, 10512000, 0, 1000000000000ULL,                           \
      "blocks between halvings of the block emission; 0: never")                          \
    X(treasury_share_ppb, 0, 50000000, 0, 1000000000,                                      \
      "share of each epoch's emission paid into the governance treasury, ppb")            \
    X(miner_share_ppb, 410000000, 410000000, 0, 1000000000,                                \
      "share of a subnet's emission paid to its miners, ppb")                             \
    X(validator_share_ppb, 410000000, 410000000, 0, 1000000000,                            \
      "share paid to its validators, ppb (the subnet owner gets the rest)")               \
    X(reputation_alpha_ppb, 900000000, 900000000, 0, 1000000000,                           \
      "reputation EMA: weight of the old reputation, ppb")                                \
    X(initial_reputation_ppb, 500000000, 500000000, 0, 1000000000,                         \
      "reputation of a new validator, ppb")                                               \
    X(aggregation_basis, 0, 1, 0, 1, "W_global weighting: 0 reputation, 1 reputation x stake") \
    X(max_validators, 64, 64, 1, 65535,                                                    \
      "validator permits: the top K validators of a subnet by stake set weights (issue 16)") \
    X(subnet_min_stake_validator, 0, 1000000000000ULL, 0, 1000000000000000000ULL,          \
      "minimum validator stake of a subnet created with 0, base units (issue 16)")         \
    X(subnet_lock_floor, 0, 100000000000ULL, 0, 1000000000000000000ULL,                    \
      "smallest deposit subnets.create locks, base units; 0 with growth: no lock")         \
    X(subnet_lock_growth_ppb, 2000000000ULL, 2000000000ULL, 1000000000ULL, 100000000000ULL, \
      "each creation multiplies the last lock by this, ppb (2 x 10^9: doubles)")         \
    X(subnet_lock_decay_blocks, 100, 14400, 0, 1000000000ULL,                              \
      "blocks for the lock cost to fall back by one last lock; 0: no decay")             \
    X(subnet_lock_return_blocks, 10, 50400, 1, 5256000,                                    \
      "blocks after retirement when the owner gets the subnet's lock back")              \
    /* issue 16: registration burn, immunity and pruning (as Bittensor's) */             \
    X(reg_burn_min, 0, 1000000000ULL, 0, 1000000000000000000ULL,                           \
      "smallest registration burn, base units (0 on dev: registration is free)")        \
    X(reg_burn_max, 100000000000ULL, 100000000000ULL, 0, 1000000000000000000ULL,           \
      "largest registration burn, base units (the floor wins if above)")                \
    X(reg_target_per_interval, 2, 3, 0, 65535,                                             \
      "registrations per interval the burn aims at; 0: the burn stays put")             \
    X(reg_adjustment_interval_blocks, 10, 360, 1, 1000000,                                 \
      "blocks between two adjustments of a subnet's registration burn")                 \
    X(reg_burn_alpha_ppb, 0, 900000000, 0, 1000000000,                                     \
      "weight of the old burn in an adjustment, ppb")                                    \
    X(immunity_period_blocks, 20, 4096, 0, 10000000,                                       \
      "blocks after registration a neuron cannot be pruned from a full subnet")         \
    X(yuma_kappa_ppb, 500000000, 500000000, 0, 1000000000,                                \
      "Yuma mode: the stake share whose weight a miner's consensus is (kappa), ppb")     \
    X(yuma_bond_alpha_ppb, 100000000, 100000000, 0, 1000000000,                            \
      "Yuma mode: weight of this epoch's bonds in their moving average, ppb")           \
    X(outlier_k_ppb, 3000000000ULL, 3000000000ULL, 0, 100000000000ULL,                     \
      "outlier when similarity < median - k x MAD; k in ppb")                             \
    X(outlier_floor_ppb, 50000000, 50000000, 0, 1000000000,                                \
      "the outlier margin below the median is at least this, ppb")                        \
    X(outlier_penalty_ppb, 200000000, 200000000, 0, 1000000000,                            \
      "share of its reputation an outlier loses, ppb")                                    \
    X(nonsubmit_decay_ppb, 100000000, 100000000, 0, 1000000000,                            \
      "share of its reputation a validator without weights loses each epoch, ppb")        \
    X(commit_reveal_default, 0, 1, 0, 1, "subnets use weight commit-reveal unless set otherwise") \
    X(reveal_delay_blocks, 2, 360, 1, 1000000,                                             \
      "default blocks from a weight commit to its reveal")                                \
    X(weights_rate_limit_blocks, 2, 100, 0, 1000000,                                       \
      "default fewest blocks between two weight settings of a validator")                 \
    X(weights_activity_cutoff_blocks, 50, 5000, 1, 100000000,                              \
      "a validator's latest weights count until this many blocks old (issue 16)")         \
    X(collusion_threshold_ppb, 300000000, 300000000, 1, 1000000000,                        \
      "deviation correlation that links two validators (at least 5/sqrt(miners)), ppb")   \
    X(collusion_copy_ppb, 950000000, 950000000, 1, 1000000000,                             \
      "a later submission in a cluster linked this closely is also a copy, ppb")          \
    X(collusion_min_miners, 32, 32, 2, 65535, "fewest miners for the collusion analysis")  \
    X(collusion_topology_ppb, 150000000, 150000000, 0, 1000000000,                         \
      "validators on one network are linked at this deviation correlation, ppb; 0: off")  \
    X(collusion_topology_blocks, 1, 1, 0, 1000000,                                         \
      "... when they submitted at most this many blocks apart")                          \
    X(collusion_topology_pairs, 4096, 4096, 0, 1000000,                                    \
      "most same-network validator pairs compared in one epoch")                         \
    X(collusion_confirm_epochs, 2, 2, 1, 100,                                              \
      "epochs in a row a collusion finding must persist to be confirmed")                 \
    X(collusion_penalty_ppb, 500000000, 500000000, 0, 1000000000,                          \
      "share of its reputation a confirmed colluder loses each epoch, ppb")               \
    X(collusion_slash_ppb, 0, 0, 0, 1000000000,                                            \
      "share of its subnet stake slashed at each confirmation, ppb; 0: off")              \
    /* issue 11: BFT finality (rules in node/pallets/authorities.h) */                   \
    X(bft_slash_ppb, 100000000, 100000000, 10000000, 1000000000,                           \
      "share of an equivocating authority's stake slashed to the treasury, ppb (1%..100%)") \
    /* governance parameters (GOV-001/002; rules in node/pallets/governance.h) */          \
    X(gov_min_bond, 1000000000ULL, 100000000000ULL, 1, 1000000000000000000ULL,            \
      "smallest bond a proposal must reserve, base units")                                \
    X(gov_review_period_blocks, 20, 50400, 10, 5256000, "blocks a proposal is open for votes") \
    X(gov_timelock_blocks, 5, 14400, 1, 5256000, "blocks from approval to execution")     \
    X(gov_quorum_ppm, 100000, 200000, 0, 1000000,                                         \
      "share of all bonded stake that must vote, parts per million")                      \
    X(gov_approval_ppm, 500000, 500000, 0, 999999,                                        \
      "share of the voting stake the ayes must exceed, parts per million")                \
    X(gov_slash_ppm, 200000, 200000, 0, 1000000,                                          \
      "a rejected proposal's bond is slashed when ayes are under this share, ppm")       \
    X(gov_max_open_per_account, 4, 4, 1, 64,                                              \
      "proposals one account may have open or approved at once (issue 16)")             \
    X(gov_bond_growth_ppb, 2000000000ULL, 2000000000ULL, 1000000000ULL, 10000000000ULL,   \
      "each proposal an account has open multiplies its next bond by this, ppb (issue 16)")

struct nm_params {
#define NM_X_FIELD(name, dev, def, lo, hi, desc) uint64_t name;
    NM_PARAMS_MAP(NM_X_FIELD)
#undef NM_X_FIELD
};

struct nm_param_info {
    const char *name;
    uint64_t dev_default;
    uint64_t default_value;
    uint64_t min;
    uint64_t max;
    const char *description;
    uint64_t struct_offset;
};

extern const struct nm_param_info nm_param_table[];
extern const int nm_param_count;

void nm_params_defaults(struct nm_params *p, int dev);
const struct nm_param_info *nm_param_find(const char *name);
uint64_t *nm_param_slot(struct nm_params *p, const struct nm_param_info *info);
uint64_t nm_param_value(const struct nm_params *p, const struct nm_param_info *info);

#endif
