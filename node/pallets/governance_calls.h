/* governance_calls.h - the governance pallet's calls as node/call.h sees
 * them: kinds (pallet byte 0x06) and arguments (see balances_calls.h;
 * GOV-001/002). */
#ifndef NM_GOVERNANCE_CALLS_H
#define NM_GOVERNANCE_CALLS_H

#include "node/crypto.h"
#include "node/pallets/subnets_calls.h"

#include <stdint.h>

#define NM_PARAM_NAME_MAX 64 /* longest parameter name in a proposal */

#define NM_GOVERNANCE_CALL_KINDS                                                                  \
    NM_CALL_PROPOSE_SUBNET = 0x0600,                                                              \
    NM_CALL_PROPOSE_PARAM = 0x0601,                                                               \
    NM_CALL_PROPOSE_SPEND = 0x0602,                                                               \
    NM_CALL_PROPOSE_UPGRADE = 0x0603,                                                             \
    NM_CALL_VOTE = 0x0604,                                                                        \
    NM_CALL_COUNCIL_CANCEL = 0x0605,                                                              \
    NM_CALL_COUNCIL_FAST_TRACK = 0x0606,                                                          \
    NM_CALL_PROPOSE_AUTHORITY = 0x0607,

#define NM_GOVERNANCE_CALL_ARGS                                                                   \
    struct { uint64_t bond; struct nm_subnet_spec spec; } propose_subnet;                         \
    struct { uint64_t bond; char name[NM_PARAM_NAME_MAX + 1]; uint64_t value; } propose_param;    \
    struct { uint64_t bond; nm_account dest; uint64_t amount; } propose_spend;                    \
    struct { uint64_t bond; uint32_t version; uint64_t at; } propose_upgrade;                     \
    struct { uint32_t proposal; uint8_t aye; } vote;                                              \
    struct { uint32_t proposal; } council; /* cancel / fast-track */                             \
    /* issue 11: op is enum nm_authority_change (authorities.h); power 0 for remove */          \
    struct { uint64_t bond; uint8_t op; nm_account account; uint64_t power; } propose_authority;

#endif
