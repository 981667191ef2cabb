/* balances_calls.h - the balances pallet's calls as node/call.h sees them:
 * their kinds (pallet byte 0x01) and arguments (members of nm_call.u). A
 * new call adds a kind and its arguments here, its apply to balances.c and
 * its row to balances_pallet.c (docs/pallets.md). */
#ifndef NM_BALANCES_CALLS_H
#define NM_BALANCES_CALLS_H

#include "node/crypto.h"

#include <stdint.h>

#define NM_BALANCES_CALL_KINDS                                                                    \
    NM_CALL_TRANSFER = 0x0100,                                                                    \
    NM_CALL_FAUCET = 0x0101,

#define NM_BALANCES_CALL_ARGS                                                                     \
    struct { nm_account dest; uint64_t amount; } transfer;                                        \
    struct { nm_account dest; } faucet;

#endif
