/* authority.h - a BFT authority set: accounts with voting power, the
 * quorum thresholds (more than 2/3 and more than 1/3 of the power) and the
 * weighted round-robin proposer schedule. Pure data, integers only. */
#ifndef NM_BFT_AUTHORITY_H
#define NM_BFT_AUTHORITY_H

#include <stdbool.h>
#include <stdint.h>

#include "node/crypto.h"

#define NM_BFT_MAX_AUTHORITIES 1024
/* Total power is capped so that 3 * power never overflows a uint64_t. */
#define NM_BFT_MAX_TOTAL_POWER (UINT64_MAX / 4)
/* Longest proposer schedule; larger power totals are scaled down to it
 * (for choosing proposers only: quorums always use the exact power). */
#define NM_BFT_SCHEDULE_MAX 65536u

struct nm_bft_authority {
    nm_account account;
    uint64_t power;
};

struct nm_bft_authorities {
    uint32_t count;
    struct nm_bft_authority *list; /* owned; index = authority index */
    uint64_t total_power;
    uint16_t *schedule; /* owned: proposer index of each slot */
    uint32_t schedule_len;
};

/* Copies list. NM_E_BFT_AUTHORITIES (set untouched) on an empty or too
 * large list, zero power, a duplicate account or a total above the cap. */
int nm_bft_authorities_init(struct nm_bft_authorities *set, const struct nm_bft_authority *list,
                            uint32_t count);
void nm_bft_authorities_fini(struct nm_bft_authorities *set);
/* Index of acct, or NM_E_BFT_UNKNOWN_AUTHORITY. */
int nm_bft_authorities_find(const struct nm_bft_authorities *set, const nm_account *acct);
/* Weighted round-robin: the proposer of (height, round). Tendermint's
 * proposer-priority walk (each slot every authority gains its power, the
 * highest priority proposes and pays the total), precomputed over one
 * period; slot = (height + round) mod period. */
uint32_t nm_bft_authorities_proposer(const struct nm_bft_authorities *set, uint64_t height,
                                     uint32_t round);
/* power > 2/3 of the total */
bool nm_bft_authorities_quorum(const struct nm_bft_authorities *set, uint64_t power);
/* power > 1/3 of the total (at least one honest authority among them) */
bool nm_bft_authorities_one_third(const struct nm_bft_authorities *set, uint64_t power);

#endif
