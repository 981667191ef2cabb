/* registry_calls.h - the registry pallet's calls as node/call.h sees them:
 * kinds (pallet byte 0x04) and arguments (see balances_calls.h). */
#ifndef NM_REGISTRY_CALLS_H
#define NM_REGISTRY_CALLS_H

#include <stdint.h>

#define NM_ENDPOINT_MAX 256

enum nm_role { NM_ROLE_MINER, NM_ROLE_VALIDATOR, NM_ROLE__COUNT };

#define NM_REGISTRY_CALL_KINDS                                                                    \
    NM_CALL_REGISTER = 0x0400,                                                                    \
    NM_CALL_DEREGISTER = 0x0401,                                                                  \
    NM_CALL_SET_ENDPOINT = 0x0402,

#define NM_REGISTRY_CALL_ARGS                                                                     \
    struct {                                                                                      \
        uint16_t subnet;                                                                          \
        uint8_t role;                                                                             \
        uint64_t stake;                                                                           \
        char endpoint[NM_ENDPOINT_MAX + 1];                                                       \
    } reg;                                                                                        \
    struct { uint16_t subnet; } deregister;                                                       \
    struct { uint16_t subnet; char endpoint[NM_ENDPOINT_MAX + 1]; } set_endpoint;

#endif
