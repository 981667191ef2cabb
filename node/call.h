/* call.h - the runtime calls an extrinsic can carry: their decoded form,
 * canonical encoding (pallet byte, call byte, arguments) and a JSON view.
 * Decoding checks shape and lengths only; pallets check meaning. */
#ifndef NM_CALL_H
#define NM_CALL_H

#include "node/codec.h"
#include "node/crypto.h"

#include <cjson/cJSON.h>
#include <stdint.h>

#define NM_SUBNET_NAME_MAX 32
#define NM_SCHEMA_MAX 4096
#define NM_URI_MAX 256
#define NM_ENDPOINT_MAX 256
#define NM_PARAM_NAME_MAX 64 /* governance: longest parameter name in a proposal */

/* (pallet << 8 | call); each kind has its row in its pallet's descriptor
 * (node/pallets/pallet.h), which names, encodes and applies it. */
enum nm_call_kind {
    NM_CALL_TRANSFER = 0x0100,
    NM_CALL_FAUCET = 0x0101,
    NM_CALL_STAKE_ADD = 0x0200,
    NM_CALL_STAKE_REMOVE = 0x0201,
    NM_CALL_STAKE_WITHDRAW = 0x0202,
    NM_CALL_SUBNET_CREATE = 0x0300,
    NM_CALL_SUBNET_UPDATE = 0x0301,
    NM_CALL_SUBNET_RETIRE = 0x0302,
    NM_CALL_REGISTER = 0x0400,
    NM_CALL_DEREGISTER = 0x0401,
    NM_CALL_SET_ENDPOINT = 0x0402,
    NM_CALL_WEIGHTS_SUBMIT = 0x0500,
    NM_CALL_WEIGHTS_COMMIT = 0x0501,
    NM_CALL_WEIGHTS_REVEAL = 0x0502,
    NM_CALL_WEIGHTS_OPTIONS = 0x0503,
    NM_CALL_PROPOSE_SUBNET = 0x0600,
    NM_CALL_PROPOSE_PARAM = 0x0601,
    NM_CALL_PROPOSE_SPEND = 0x0602,
    NM_CALL_PROPOSE_UPGRADE = 0x0603,
    NM_CALL_VOTE = 0x0604,
    NM_CALL_COUNCIL_CANCEL = 0x0605,
    NM_CALL_COUNCIL_FAST_TRACK = 0x0606,
};

enum nm_task_type { NM_TASK_CODE_GEN, NM_TASK_IMAGE_GEN, NM_TASK_PROTEIN_FOLDING, NM_TASK_CUSTOM,
                    NM_TASK__COUNT };
enum nm_role { NM_ROLE_MINER, NM_ROLE_VALIDATOR, NM_ROLE__COUNT };

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

/* CONS-002: the (uid, weight) pairs of a weights call, n x (u16 uid, u16
 * weight) little-endian. They point into the bytes the call was decoded
 * from (or that its builder owns): no copy of up to 256 KiB per call. */
#define NM_WEIGHTS_MAX 65535
struct nm_weight_list {
    uint32_t n;
    const uint8_t *pairs;
};

static inline void nm_weight_at(const struct nm_weight_list *l, uint32_t i, uint16_t *uid,
                                uint16_t *weight)
{
    const uint8_t *p = l->pairs + 4 * (size_t)i;
    *uid = (uint16_t)(p[0] | p[1] << 8);
    *weight = (uint16_t)(p[2] | p[3] << 8);
}

/* A subnet's weight rules (weights.set_options; defaults from params). */
struct nm_weight_options {
    uint16_t subnet;
    uint8_t commit_reveal;         /* 0 or 1 */
    uint32_t reveal_delay;         /* blocks from commit to reveal, >= 1 */
    uint32_t rate_limit;           /* fewest blocks between two weight settings */
    uint64_t softmax_temperature;  /* ppb; 0: L1 normalisation */
};

struct nm_call {
    uint16_t kind;
    union {
        struct { nm_account dest; uint64_t amount; } transfer;
        struct { nm_account dest; } faucet;
        struct { uint16_t subnet; uint64_t amount; } stake;  /* add / remove */
        struct { struct nm_subnet_spec spec; } subnet_create;
        struct { uint16_t subnet; uint16_t fields; struct nm_subnet_spec spec; } subnet_update;
        struct { uint16_t subnet; } subnet_retire;
        struct {
            uint16_t subnet;
            uint8_t role;
            uint64_t stake;
            char endpoint[NM_ENDPOINT_MAX + 1];
        } reg;
        struct { uint16_t subnet; } deregister;
        struct { uint16_t subnet; char endpoint[NM_ENDPOINT_MAX + 1]; } set_endpoint;
        /* CONS-002 */
        struct { uint16_t subnet; struct nm_weight_list list; } weights;
        struct { uint16_t subnet; uint8_t hash[32]; } weights_commit;
        struct { uint16_t subnet; struct nm_weight_list list; uint8_t salt[32]; } weights_reveal;
        struct nm_weight_options weights_options;
        /* GOV-001/002 */
        struct { uint64_t bond; struct nm_subnet_spec spec; } propose_subnet;
        struct { uint64_t bond; char name[NM_PARAM_NAME_MAX + 1]; uint64_t value; } propose_param;
        struct { uint64_t bond; nm_account dest; uint64_t amount; } propose_spend;
        struct { uint64_t bond; uint32_t version; uint64_t at; } propose_upgrade;
        struct { uint32_t proposal; uint8_t aye; } vote;
        struct { uint32_t proposal; } council; /* cancel / fast-track */
    } u;
};

void nm_call_encode(const struct nm_call *call, struct nm_writer *w);
/* NM_E_UNKNOWN_CALL for an unknown pallet/call pair, NM_E_DECODE for a bad
 * shape, NM_E_TRAILING for extra bytes. */
int nm_call_decode(const uint8_t *data, size_t len, struct nm_call *out);
/* "balances.transfer" etc. */
const char *nm_call_name(uint16_t kind);
/* JSON view of a call: {"call":"balances.transfer","args":{...}}. */
cJSON *nm_call_to_json(const struct nm_call *call);

const char *nm_task_name(uint8_t task); /* "CODE_GEN", ... or NULL */
int nm_task_parse(const char *text);     /* -1 if unknown (case-insensitive) */
const char *nm_role_name(uint8_t role);  /* "miner" / "validator" or NULL */
int nm_role_parse(const char *text);

#endif
