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
    X(tx_fee, 100000, 100000, 0, 1000000000000ULL, "fee per extrinsic, base units")      \
    X(existential_deposit, 1000000, 1000000, 0, 1000000000000ULL,                         \
      "smallest balance a new account may hold, base units")                              \
    X(unlock_period_blocks, 10, 7200, 0, 10000000, "blocks before unbonded stake is free") \
    X(max_subnets, 32, 32, 1, 1024, "most active subnets at once")                        \
    X(max_neurons, 4096, 4096, 1, 65535, "largest max-neurons a subnet may ask for")      \
    X(max_block_extrinsics, 8192, 8192, 1, 100000, "most extrinsics in one block")        \
    X(faucet_amount, 100000000000ULL, 0, 0, 1000000000000000ULL,                          \
      "what the dev faucet pays, base units") \
    /* weights/consensus/emission parameters */                                         \
    /* governance parameters */

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
