/* staking_calls.h - the staking pallet's calls as node/call.h sees them:
 * kinds (pallet byte 0x02) and arguments (see balances_calls.h). */
#ifndef NM_STAKING_CALLS_H
#define NM_STAKING_CALLS_H

#include <stdint.h>

#define NM_STAKING_CALL_KINDS                                                                     \
    NM_CALL_STAKE_ADD = 0x0200,                                                                   \
    NM_CALL_STAKE_REMOVE = 0x0201,                                                                \
    NM_CALL_STAKE_WITHDRAW = 0x0202,

/* add / remove; withdraw has none */
#define NM_STAKING_CALL_ARGS struct { uint16_t subnet; uint64_t amount; } stake;

#endif
