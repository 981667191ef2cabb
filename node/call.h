/* call.h - the runtime calls an extrinsic can carry: their decoded form,
 * canonical encoding (pallet byte, call byte, arguments) and a JSON view.
 * Decoding checks shape and lengths only; pallets check meaning. */
#ifndef NM_CALL_H
#define NM_CALL_H

#include "node/codec.h"
#include "node/crypto.h"
#include "node/pallets/authorities_calls.h"
#include "node/pallets/balances_calls.h"
#include "node/pallets/governance_calls.h"
#include "node/pallets/registry_calls.h"
#include "node/pallets/staking_calls.h"
#include "node/pallets/subnets_calls.h"
#include "node/pallets/weights_calls.h"

#include <cjson/cJSON.h>
#include <stdint.h>

/* Each pallet's calls: kinds (pallet << 8 | call) and arguments, declared
 * in the pallet's own NAME_calls.h; each kind has its row in its pallet's
 * descriptor (node/pallets/pallet.h), which names, encodes and applies it. */
enum nm_call_kind {
    NM_BALANCES_CALL_KINDS
    NM_STAKING_CALL_KINDS
    NM_SUBNETS_CALL_KINDS
    NM_REGISTRY_CALL_KINDS
    NM_WEIGHTS_CALL_KINDS
    NM_GOVERNANCE_CALL_KINDS
    NM_AUTHORITIES_CALL_KINDS
};

struct nm_call {
    uint16_t kind;
    union {
        NM_BALANCES_CALL_ARGS
        NM_STAKING_CALL_ARGS
        NM_SUBNETS_CALL_ARGS
        NM_REGISTRY_CALL_ARGS
        NM_WEIGHTS_CALL_ARGS
        NM_GOVERNANCE_CALL_ARGS
        NM_AUTHORITIES_CALL_ARGS
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
