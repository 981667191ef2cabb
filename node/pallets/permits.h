/* permits.h - validator permits on chain (issue 16): only the top
 * params.max_validators validators of a subnet by stake (Bittensor's
 * validator permits, default 64) set weights that count. The selection is
 * nm_permits_select (node/pallets/incentive.h) over the subnet's
 * validators in UID order, each with its stake bonded to the subnet: at
 * least the subnet's min_stake_validator, the larger stake first, the
 * lower UID on equal stakes. The weights pallet refuses a submission,
 * commit or reveal of a validator without a permit (NM_E_NO_VALIDATOR_PERMIT). */
#ifndef NM_PERMITS_H
#define NM_PERMITS_H

#include "node/pallets/subnets.h"

/* Why who has or lacks a permit, for the error a validator is told. */
struct nm_permit_info {
    bool permit;
    uint64_t stake;         /* who's stake on the subnet */
    uint32_t validators;    /* validators registered on the subnet */
    uint32_t k;             /* permits there are (params.max_validators) */
    uint64_t lowest_permit; /* smallest stake that holds a permit (0: none held) */
};

/* Fills *out for who, a validator registered on s (NM_E_NOT_VALIDATOR
 * otherwise). Reads only. */
int nm_permits_of(struct nm_db *db, const struct nm_params *params, const struct nm_subnet *s,
                  const nm_account *who, struct nm_permit_info *out);

#endif
