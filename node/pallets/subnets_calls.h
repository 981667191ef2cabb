/* subnets_calls.h - the subnets pallet's calls as node/call.h sees them:
 * kinds (pallet byte 0x03), arguments (see balances_calls.h) and the subnet
 * spec they carry (also in governance proposals). */
#ifndef NM_SUBNETS_CALLS_H
#define NM_SUBNETS_CALLS_H

#include <stdint.h>

#define NM_SUBNET_NAME_MAX 32
#define NM_SCHEMA_MAX 4096
#define NM_URI_MAX 256

enum nm_task_type { NM_TASK_CODE_GEN, NM_TASK_IMAGE_GEN, NM_TASK_PROTEIN_FOLDING, NM_TASK_CUSTOM,
                    NM_TASK__COUNT };

/* Which fields a subnet update carries (bit mask). */
enum nm_subnet_field {
    NM_SF_NAME = 1 << 0,
    NM_SF_EMISSION_WEIGHT = 1 << 1,
    NM_SF_MIN_STAKE_MINER = 1 << 2,
    NM_SF_MIN_STAKE_VALIDATOR = 1 << 3,
    NM_SF_MAX_NEURONS = 1 << 4,
    NM_SF_INPUT_SCHEMA = 1 << 5,
    NM_SF_OUTPUT_SCHEMA = 1 << 6,
    NM_SF_EVAL_SPEC = 1 << 7,
    NM_SF__ALL = (1 << 8) - 1,
};

/* Every subnet field a create or update may carry. */
struct nm_subnet_spec {
    char name[NM_SUBNET_NAME_MAX + 1];
    uint8_t task;
    uint8_t emission_weight; /* percent */
    uint64_t min_stake_miner;
    uint64_t min_stake_validator;
    uint16_t max_neurons;
    char input_schema[NM_SCHEMA_MAX + 1];
    char output_schema[NM_SCHEMA_MAX + 1];
    char eval_spec[NM_URI_MAX + 1];
};

#define NM_SUBNETS_CALL_KINDS                                                                     \
    NM_CALL_SUBNET_CREATE = 0x0300,                                                               \
    NM_CALL_SUBNET_UPDATE = 0x0301,                                                               \
    NM_CALL_SUBNET_RETIRE = 0x0302,

#define NM_SUBNETS_CALL_ARGS                                                                      \
    struct { struct nm_subnet_spec spec; } subnet_create;                                         \
    struct { uint16_t subnet; uint16_t fields; struct nm_subnet_spec spec; } subnet_update;       \
    struct { uint16_t subnet; } subnet_retire;

#endif
